"""`crossdock new tenant` end to end in a scratch copy of the project: register, write, load, plan, check, refuse."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.config import load_stack_file
from crossdock.config.schema import Isolation, Risk
from crossdock.config.tenant_stack import load_tenant_stack_file
from crossdock.engine import run_program
from crossdock.templates import cli as templates_cli
from crossdock.templates.networks import occupied
from tests.tenancy.support import cli, scratch_project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return scratch_project(tmp_path_factory.mktemp("tenant") / "project")


@pytest.fixture(scope="module")
def untouched(tmp_path_factory) -> Path:
    """A project no test adds a tenant to (for the refusals)."""
    return scratch_project(tmp_path_factory.mktemp("refusals") / "project")


def added_lines(before: str, after: str) -> list[str]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    assert not [line for line in diff if line.startswith("- ")], "no existing line may change"
    return [line[2:] for line in diff if line.startswith("+ ")]


@pytest.fixture(scope="module")
def pool(project: Path):
    env = project / "stacks" / "Pulumi.staging.yaml"
    before = env.read_text()
    result = cli(
        "new",
        "tenant",
        "initech",
        "--env",
        "staging",
        "--isolation",
        "pool",
        "--flows",
        "carrier-events,label-requests",
        "--requests-per-five-minutes",
        "1200",
        "--project",
        str(project),
    )
    return result, before, env


@pytest.fixture(scope="module")
def silo(project: Path):
    env = project / "stacks" / "Pulumi.prod.yaml"
    before = env.read_text()
    result = cli(
        "new",
        "tenant",
        "wayne-freight",
        "--env",
        "prod",
        "--isolation",
        "silo",
        "--risk",
        "high",
        "--display-name",
        "Wayne Freight",
        "--flows",
        "asn-ingestion,edi-inbound",
        "--project",
        str(project),
    )
    return result, before, env


def test_pool_tenant_is_registered_and_says_what_next(pool) -> None:
    (code, out, err), before, env = pool
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"registered tenant initech (pool, standard risk) in {env} crossdock:tenants",
        out.splitlines()[1],
        "next: scripts/crossdock check staging",
    ]
    assert out.splitlines()[1].startswith("planned staging offline: ")
    # staging had no tenants: the section is appended at the end of config, nothing else changes.
    assert added_lines(before, env.read_text()) == [
        "  crossdock:tenants:",
        "    - id: initech",
        "      displayName: Initech",
        "      isolation: pool",
        "      risk: standard",
        "      flows: [carrier-events, label-requests]",
        "      quotas: {requestsPerFiveMinutes: 1200, queueMessagesPerSecond: 50}",
        # Staging declares teams: the owner of its flows (both fulfillment's) owns the tenant.
        "      team: fulfillment",
    ]
    assert not list(env.parent.glob("Pulumi.staging-tenant-*.yaml"))  # pool tenants are only registered


def test_pool_tenant_plans_and_passes_the_gate(pool, project: Path) -> None:
    plan = run_program(project, "staging")
    assert plan.by_name("staging-failed-label-requests-tenant-initech") is not None
    result = check_plan(plan, project, CheckOptions())
    assert result.passed, [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]


def test_silo_tenant_is_registered_keeping_comments_and_order(silo) -> None:
    (code, _out, err), before, env = silo
    assert (code, err) == (0, "")
    # Appended to the existing section, after globex and acme; every comment and line of prod stays.
    assert added_lines(before, env.read_text()) == [
        "    - id: wayne-freight",
        "      displayName: Wayne Freight",
        "      isolation: silo",
        "      risk: high",
        "      flows: [asn-ingestion, edi-inbound]",
        "      quotas: {requestsPerFiveMinutes: 2000, queueMessagesPerSecond: 50}",
        "      team: integrations",
    ]
    assert env.read_text().startswith(before.rstrip("\n"))


def test_silo_tenant_stack_file_is_written(silo, project: Path) -> None:
    (_code, out, _err), _, _ = silo
    path = project / "stacks" / "Pulumi.prod-tenant-wayne-freight.yaml"
    lines = out.splitlines()
    assert lines[1] == f"wrote {path}: silo stack prod-tenant-wayne-freight, DR VPC 10.12.16.0/20"
    assert lines[-1] == "next: scripts/crossdock check prod && scripts/crossdock check prod-tenant-wayne-freight"
    config = load_tenant_stack_file(path)
    assert (config.tenant.isolation, config.tenant.risk, config.tenant.display_name) == (
        Isolation.SILO,
        Risk.HIGH,
        "Wayne Freight",
    )
    assert [db.name for db in config.spec.databases] == ["orders", "reporting"]
    assert [q.name for q in config.silo.queues] == ["asn-ingestion", "edi-inbound"]
    assert str(config.spec.dr_vpc_cidr) == "10.12.16.0/20"  # after acme's 10.12.0.0/20
    blocks = occupied(project / "stacks")
    assert not any(a.network.overlaps(b.network) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_silo_tenant_plans_with_its_reference_resolved_and_passes_the_gate(silo, project: Path) -> None:
    plan = run_program(project, "prod-tenant-wayne-freight")
    prod = run_program(project, "prod")
    assert plan.by_name("prod-tenant-wayne-freight-data-subnets").inputs["subnetIds"] == prod.outputs["data_subnet_ids"]
    result = check_plan(plan, project, CheckOptions())
    assert result.passed, [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]


def test_a_duplicate_id_is_refused_across_stacks(silo, project: Path) -> None:
    env = project / "stacks" / "Pulumi.dev.yaml"
    before = env.read_text()
    code, out, err = cli("new", "tenant", "globex", "--env", "dev", "--isolation", "pool", "--project", str(project))
    assert (code, out) == (2, "")
    assert err == (
        f"crossdock: error: tenant id 'globex' is already used: {project / 'stacks' / 'Pulumi.prod.yaml'} "
        "crossdock:tenants[0]; tenant ids are unique across every stack\n"
    )
    assert env.read_text() == before


def test_an_existing_tenant_stack_is_never_overwritten(project: Path) -> None:
    stray = project / "stacks" / "Pulumi.prod-tenant-umbrella.yaml"
    stray.write_text("config: {}\n")
    env = project / "stacks" / "Pulumi.prod.yaml"
    before = env.read_text()
    code, out, err = cli("new", "tenant", "umbrella", "--env", "prod", "--isolation", "silo", "--project", str(project))
    assert (code, out) == (2, "")
    assert err == f"crossdock: error: {stray} already exists; refusing to overwrite stack 'prod-tenant-umbrella'\n"
    assert (env.read_text(), stray.read_text()) == (before, "config: {}\n")
    stray.unlink()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["hooli", "--env", "prod", "--isolation", "pool", "--risk", "high"],
            "crossdock:tenants[2].isolation: tenant 'hooli' is high-risk, so it must be isolation: silo",
        ),
        (
            ["hooli", "--env", "prod", "--isolation", "pool", "--flows", "customs"],
            "crossdock:tenants[2].flows[0]: tenant 'hooli' uses flow 'customs', which is not a queue of environment 'prod'",
        ),
        (["Hooli", "--env", "prod", "--isolation", "pool"], "ID: 'Hooli' is not DNS-safe"),
        (["hooli", "--env", "qa", "--isolation", "pool"], "unknown environment stack 'qa'"),
        (["hooli", "--env", "prod-tenant-acme", "--isolation", "pool"], "'prod-tenant-acme' is a tenant stack"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(untouched: Path, args: list[str], message: str) -> None:
    env = untouched / "stacks" / "Pulumi.prod.yaml"
    before = env.read_text()
    code, out, err = cli("new", "tenant", *args, "--project", str(untouched))
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1
    assert env.read_text() == before


def test_a_result_that_does_not_plan_is_rolled_back(untouched: Path, monkeypatch) -> None:
    from crossdock.errors import ProgramError

    def broken(*args, **kwargs):
        raise ProgramError("the program failed")

    monkeypatch.setattr(templates_cli, "validate_by_planning", broken)
    env = untouched / "stacks" / "Pulumi.prod.yaml"
    before = env.read_text()
    code, out, err = cli("new", "tenant", "hooli", "--env", "prod", "--isolation", "silo", "--project", str(untouched))
    assert (code, out) == (2, "")
    assert err == "crossdock: error: tenant 'hooli' was not added: the program failed\n"
    assert env.read_text() == before
    assert not (untouched / "stacks" / "Pulumi.prod-tenant-hooli.yaml").exists()
    assert [t.id for t in load_stack_file(env).tenants] == ["globex", "acme"]


def test_tenant_with_an_unknown_team_is_refused(untouched: Path) -> None:
    env = untouched / "stacks" / "Pulumi.staging.yaml"
    before = env.read_text()
    code, out, err = cli(
        "new",
        "tenant",
        "umbrella",
        "--env",
        "staging",
        "--isolation",
        "pool",
        "--team",
        "sales",
        "--project",
        str(untouched),
    )
    assert (code, out) == (2, "")
    assert err == (
        f"crossdock: error: {env}: crossdock:tenants[0].team: unknown team 'sales' "
        "(teams: fulfillment, integrations, platform)\n"
    )
    assert env.read_text() == before
