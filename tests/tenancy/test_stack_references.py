"""The offline engine resolves `pulumi.StackReference` by planning the referenced stack in the same run."""

from __future__ import annotations

import gc
import warnings

import pytest

from crossdock.engine import ProgramError, ProjectError, run_program
from crossdock.engine import references as references_module
from crossdock.engine.references import parse_reference

from .support import ROOT, cli

PROGRAM = ROOT / "tests" / "programs" / "stack-refs"


@pytest.fixture(scope="module")
def network():
    return run_program(PROGRAM, "network")


@pytest.fixture(scope="module")
def app():
    return run_program(PROGRAM, "app")


def test_referencing_stack_sees_the_planned_outputs(network, app) -> None:
    subnet = app.by_name("app", "aws:ec2/subnet:Subnet")
    assert subnet.inputs["vpcId"] == network.outputs["vpc_id"] == network.by_name("shared").id
    assert subnet.inputs["availabilityZone"] == "eu-west-1a"
    assert app.outputs["subnet_vpc"] == network.outputs["vpc_id"]
    assert app.warnings == []
    assert [(r.type, r.id) for r in app.reads] == [("pulumi:pulumi:StackReference", "network")]


def test_the_referenced_stack_is_not_part_of_the_plan(app) -> None:
    assert app.by_name("shared") is None
    assert {r.urn.split("::")[0] for r in app.resources} == {"urn:pulumi:app"}


def test_secret_outputs_stay_secret(network, app) -> None:
    assert network.outputs["db_password"] == "[secret]"
    assert network.secret_outputs == {"db_password": "correct-horse"}
    parameter = app.by_name("db-password")
    assert parameter.inputs["value"] == "correct-horse" and "value" in parameter.secret_inputs
    assert app.outputs["outputs_seen"] == ["[secret]"]  # the reference's whole `outputs` map holds a secret


def test_one_run_plans_a_referenced_stack_once_and_resolves_other_projects(monkeypatch) -> None:
    planned: list[str] = []
    real = references_module.StackReferences._plan

    def counting(self, reference, project, stack, key):
        planned.append(f"{project.name}/{stack}")
        return real(self, reference, project, stack, key)

    monkeypatch.setattr(references_module.StackReferences, "_plan", counting)
    plan = run_program(PROGRAM, "twice")
    # organization/stack-refs/network and acme/network are the same stack; webserver is a sibling project.
    assert sorted(planned) == ["stack-refs/network", "webserver/dev"]
    assert plan.warnings == []
    # Reads are recorded in registration order, which thread scheduling decides.
    assert sorted(r.id for r in plan.reads) == [
        "acme/network",
        "organization/stack-refs/network",
        "organization/webserver/dev",
    ]


def quietly(stack: str, project=PROGRAM):
    """Run a stack whose reference fails; the program's abandoned Outputs are collected here, silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return run_program(project, stack)
        finally:
            gc.collect()


def test_a_reference_to_a_missing_stack_is_bad_input() -> None:
    with pytest.raises(ProjectError) as caught:
        quietly("missing")
    assert str(caught.value) == (
        "stack reference 'organization/stack-refs/staging': unknown stack 'staging': expected stack file "
        "tests/programs/stack-refs/Pulumi.staging.yaml (available stacks: app, loop-a, loop-b, missing, network, twice)"
    )


def test_the_cli_reports_it_in_one_line_with_exit_code_2() -> None:
    code, out, err = cli("plan", "missing", "--project", str(PROGRAM))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "crossdock: error: stack reference 'organization/stack-refs/staging': unknown stack 'staging': expected "
        "stack file tests/programs/stack-refs/Pulumi.staging.yaml (available stacks: app, loop-a, loop-b, missing, "
        "network, twice)"
    ]


def test_a_reference_cycle_is_an_error_not_a_hang() -> None:
    with pytest.raises(ProjectError) as caught:
        quietly("loop-a")
    assert str(caught.value) == "stack reference cycle: loop-a -> loop-b -> loop-a"


def test_a_failing_referenced_program_names_the_reference(tmp_path) -> None:
    project = tmp_path / "refs"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: refs\nruntime: python\n")
    (project / "__main__.py").write_text(
        "import pulumi\n"
        "if pulumi.get_stack() == 'base':\n"
        "    raise ValueError('base is broken')\n"
        "ref = pulumi.StackReference('base')\n"
        "pulumi.export('x', ref.get_output('x'))\n"
    )
    (project / "Pulumi.base.yaml").write_text("config: {}\n")
    (project / "Pulumi.top.yaml").write_text("config: {}\n")
    with pytest.raises(ProgramError) as caught:
        quietly("top", project)
    assert str(caught.value).startswith("stack reference 'base': base is broken (at ")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("prod", ("crossdock", "prod")), ("acme/prod", ("crossdock", "prod")), ("acme/network/prod", ("network", "prod"))],
)
def test_reference_names(reference: str, expected: tuple[str, str]) -> None:
    assert parse_reference(reference, "crossdock") == expected


def test_an_invalid_reference_name() -> None:
    with pytest.raises(ProjectError, match="invalid stack reference 'a/b/c/d'"):
        parse_reference("a/b/c/d", "crossdock")
