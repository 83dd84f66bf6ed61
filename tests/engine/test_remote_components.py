"""Multi-language components (pulumi_awsx, pulumi_eks): one recorded component, a warning, and a gate note."""

from __future__ import annotations

from pathlib import Path

import pulumi

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.engine import run_callable


class Vpc(pulumi.ComponentResource):
    """Stands in for `awsx.ec2.Vpc`: the SDK registers it with remote=True and a plugin builds its children."""

    def __init__(self, name: str) -> None:
        super().__init__("awsx:ec2:Vpc", name, {"numberOfAvailabilityZones": 3}, None, remote=True)


def test_a_remote_component_is_one_component_with_a_warning_and_a_gate_note():
    plan = run_callable(lambda: Vpc("network"), config={"aws:region": "us-east-1"}, project="app")
    [vpc] = [r for r in plan.resources if r.type == "awsx:ec2:Vpc"]
    assert (vpc.name, vpc.custom, vpc.remote, plan.children(vpc.urn)) == ("network", False, True, [])
    assert plan.warnings == [
        "component awsx:ec2:Vpc 'network' is implemented by a provider plugin; its children are not planned offline "
        "and no rule sees inside it"
    ]
    result = check_plan(plan, Path.cwd(), CheckOptions(checkov=False))
    assert result.notes[-1].startswith(
        "awsx:ec2:Vpc 'network' is built by a provider plugin: its children are not planned offline, so none of the "
    )
    assert result.notes[-1].endswith(" rules (nor checkov) could see inside it")
