"""`crossdock new region` end to end in a scratch copy of the project: write, load, plan, check, refuse."""

from __future__ import annotations

import shutil
from ipaddress import IPv4Network
from pathlib import Path

import pytest
import yaml

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.config import load_stack_file
from crossdock.config.regions import AZ_COUNT, DR_PAIRING
from crossdock.engine import run_program
from crossdock.templates.networks import occupied
from crossdock.templates.region import region_code
from tests.tenancy.support import PROD_FILE, ROOT, cli, namespace, scratch_project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return scratch_project(tmp_path_factory.mktemp("region") / "project")


@pytest.fixture(scope="module")
def created(project: Path):
    before = {p.name: p.read_text() for p in (project / "stacks").glob("Pulumi.*.yaml")}
    result = cli("new", "region", "--from", "prod", "--region", "eu-central-1", "--project", str(project))
    return result, before


def test_it_writes_the_stack_and_says_what_next(created, project: Path) -> None:
    (code, out, err), _ = created
    path = project / "stacks" / "Pulumi.prod-euc1.yaml"
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        f"wrote {path}: prod-euc1 in eu-central-1, 3 zones, VPC 10.13.0.0/16, DR pilot-light to eu-west-1 (from prod)"
    )
    assert out.splitlines()[1].startswith("planned prod-euc1 offline: ")
    assert out.splitlines()[-1] == "next: scripts/crossdock check prod-euc1"
    assert "ACM certificates are regional" in out


def test_it_changes_no_other_stack_file(created, project: Path) -> None:
    _, before = created
    after = {
        p.name: p.read_text() for p in (project / "stacks").glob("Pulumi.*.yaml") if p.name != "Pulumi.prod-euc1.yaml"
    }
    assert after == before


def test_it_keeps_the_sources_tier_data_classes_databases_queues_and_kpis(created, project: Path) -> None:
    new = load_stack_file(project / "stacks" / "Pulumi.prod-euc1.yaml")
    source = load_stack_file(PROD_FILE)
    env = new.environment
    assert (env.name, env.region, env.tier, env.az_count, str(env.vpc_cidr)) == (
        "prod-euc1",
        "eu-central-1",
        source.environment.tier,
        3,
        "10.13.0.0/16",
    )
    assert (new.dr.region, new.dr.strategy) == ("eu-west-1", source.dr.strategy)
    assert new.data_classes == source.data_classes and new.databases == source.databases
    assert new.queues == source.queues and new.kpis == source.kpis and new.alerting == source.alerting
    assert new.services == source.services
    assert new.cluster.certificate_arn == source.cluster.certificate_arn.replace(
        ":acm:us-east-1:", ":acm:eu-central-1:"
    )
    assert new.tenants == ()  # tenant ids are unique across stacks: not copied
    raw = namespace(project / "stacks" / "Pulumi.prod-euc1.yaml")
    assert (
        "tenants" not in raw
        and yaml.safe_load((project / "stacks" / "Pulumi.prod-euc1.yaml").read_text())["config"]["aws:region"]
        == "eu-central-1"
    )


def test_its_comments_come_from_the_source(created, project: Path) -> None:
    text = (project / "stacks" / "Pulumi.prod-euc1.yaml").read_text()
    assert text.startswith("# prod-euc1: a production environment in eu-central-1, made from stack prod by\n")
    assert "    # Private API endpoint only: operators reach it through the VPC (VPN / SSM).\n" in text


def test_its_networks_overlap_no_other_stacks(created, project: Path) -> None:
    blocks = occupied(project / "stacks")
    mine = [b for b in blocks if "prod-euc1" in b.owner]
    assert [str(b.network) for b in mine] == ["10.13.0.0/16", "10.14.0.0/16"]  # VPC and DR VPC
    others = [b for b in blocks if "prod-euc1" not in b.owner]
    # 10.12.0.0/16 was skipped: prod-tenant-acme's DR VPC (10.12.0.0/20) sits in it.
    assert IPv4Network("10.12.0.0/20") in [b.network for b in others]
    assert not any(a.network.overlaps(b.network) for a in mine for b in others)


def test_it_plans_and_passes_the_gate(created, project: Path) -> None:
    plan = run_program(project, "prod-euc1")
    assert {r.region for r in plan.resources if r.custom and r.region} == {"eu-central-1", "eu-west-1"}
    result = check_plan(plan, project, CheckOptions())
    assert result.passed, [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]


def test_it_refuses_to_overwrite(created, project: Path) -> None:
    path = project / "stacks" / "Pulumi.prod-euc1.yaml"
    text = path.read_text()
    code, out, err = cli("new", "region", "--from", "prod", "--region", "eu-central-1", "--project", str(project))
    assert (code, out) == (2, "")
    assert err == f"crossdock: error: {path} already exists; refusing to overwrite stack 'prod-euc1'\n"
    assert path.read_text() == text


def test_a_result_that_does_not_validate_leaves_nothing_behind(project: Path) -> None:
    # us-west-1 has two zones; production needs three: the written file fails validation and is removed.
    code, out, err = cli("new", "region", "--from", "prod", "--region", "us-west-1", "--project", str(project))
    assert (code, out) == (2, "")
    path = project / "stacks" / "Pulumi.prod-usw1.yaml"
    assert err == (
        f"crossdock: error: new stack 'prod-usw1' was not written: the new stack file does not validate: {path}: "
        "crossdock:environment.azCount: production needs at least 3 availability zones, got 2\n"
    )
    assert not path.exists()


def test_name_and_stacks_dir_options(tmp_path: Path) -> None:
    project = scratch_project(tmp_path / "project")
    stacks = project / "environments"
    (project / "stacks").rename(stacks)  # a stacks directory other than the project's stackConfigDir
    code, out, err = cli(
        "new",
        "region",
        "--from",
        "staging",
        "--region",
        "ap-southeast-2",
        "--name",
        "staging-syd",
        "--project",
        str(project),
        "--stacks-dir",
        str(stacks),
    )
    assert (code, err) == (0, "")
    config = load_stack_file(stacks / "Pulumi.staging-syd.yaml")
    assert (config.environment.name, config.dr.region, config.dr.strategy.value) == (
        "staging-syd",
        "ap-southeast-1",
        "backup-restore",
    )
    assert str(config.environment.vpc_cidr) == "10.21.0.0/16"  # staging's /16 size; no DR VPC with backup-restore


def test_it_never_writes_outside_the_project(tmp_path: Path) -> None:
    project = scratch_project(tmp_path / "project")
    outside = tmp_path / "elsewhere"
    shutil.copytree(project / "stacks", outside)
    before = sorted(p.name for p in outside.iterdir())
    code, out, err = cli(
        "new", "region", "--from", "staging", "--region", "ap-southeast-2", "--project", str(project),
        "--stacks-dir", str(outside),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"crossdock: error: --stacks-dir {outside} is outside the project {project}: "
        "new stacks are written only inside the project\n"
    )
    assert sorted(p.name for p in outside.iterdir()) == before


def test_the_default_project_is_found_from_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    project = scratch_project(tmp_path / "project")
    monkeypatch.chdir(project / "stacks")  # like the Pulumi CLI: the nearest parent holding Pulumi.yaml
    code, out, err = cli("new", "region", "--from", "staging", "--region", "ap-southeast-2")
    assert (code, err) == (0, "")
    assert (project / "stacks" / "Pulumi.staging-apse2.yaml").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "qa", "--region", "eu-west-1"], "unknown source stack 'qa': no "),
        (
            ["--from", "prod-tenant-acme", "--region", "eu-west-1"],
            "'prod-tenant-acme' is a tenant stack; --from takes an environment stack",
        ),
        (["--from", "prod", "--region", "mars-1"], "unknown region 'mars-1'; known regions: "),
        (["--from", "prod", "--region", "us-east-1"], "'prod' already runs in us-east-1; pick another region"),
        (["--from", "prod", "--region", "eu-west-1", "--name", "Prod_EU"], "--name: 'Prod_EU' is not DNS-safe"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(project: Path, args: list[str], message: str) -> None:
    code, out, err = cli("new", "region", *args, "--project", str(project))
    assert (code, out) == (2, "")
    assert err.startswith(f"crossdock: error: {message}") and err.count("\n") == 1


def test_region_codes() -> None:
    assert [
        region_code(r) for r in ("eu-central-1", "us-east-1", "ap-southeast-2", "ap-northeast-1", "me-central-1")
    ] == ["euc1", "use1", "apse2", "apne1", "mec1"]


def test_docs_list_the_pairing_table() -> None:
    text = (ROOT / "docs" / "regions.md").read_text()
    for region, partner in DR_PAIRING.items():
        assert f"| `{region}` | {AZ_COUNT[region]} | `{partner}` | {AZ_COUNT[partner]} |" in text, region
    assert set(DR_PAIRING) == set(AZ_COUNT)
