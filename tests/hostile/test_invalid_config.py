"""Class 3 of the hostile-input issue: invalid config is refused with one line, never accepted silently.

Each case edits one line of dev's stack file in a scratch project, runs `crossdock plan dev` (in-process)
and asserts exit 2, the exact line, and that no file changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.config import load_stack_file
from crossdock.config.loader import AWS_PROVIDER_KEYS
from crossdock.config.overlaps import overlap_warnings

from .support import ROOT, cli, one_error, scratch_project, snapshot

DEV = "stacks/Pulumi.dev.yaml"
PREFIX = f"crossdock: error: {DEV}: "


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return scratch_project(tmp_path_factory.mktemp("invalid") / "project")


@pytest.fixture()
def edit(project: Path, monkeypatch):
    """edit(old, new) replaces one line of dev's stack file for this test; restored afterwards."""
    monkeypatch.chdir(project)
    path = project / DEV
    original = path.read_text()

    def apply(old: str, new: str) -> None:
        text = path.read_text()
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new))

    yield apply
    path.write_text(original)


def refused(project: Path, *argv: str) -> str:
    before = snapshot(project)
    code, out, err = cli(*(argv or ("plan", "dev")), "--project", ".")
    assert (code, out) == (2, ""), err
    assert snapshot(project) == before
    return one_error(err)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("azCount: 2", "azCount: true", "crossdock:environment.azCount: expected an integer (got True)"),
        ("azCount: 2", 'azCount: "2"', "crossdock:environment.azCount: expected an integer (got '2')"),
        ("azCount: 2", "azCount: 2.0", "crossdock:environment.azCount: expected an integer (got 2.0)"),
        ("azCount: 2", "azCount: 1", "crossdock:environment.azCount: Input should be greater than or equal to 2 (got 1)"),
        ("vpcCidr: 10.30.0.0/20", "vpcCidr: 10.0.0.0/8",
         "crossdock:environment.vpcCidr: AWS VPCs are /16 to /28, not /8 (got '10.0.0.0/8')"),
        ("vpcCidr: 10.30.0.0/20", "vpcCidr: 10.30.0.0/29",
         "crossdock:environment.vpcCidr: AWS VPCs are /16 to /28, not /29 (got '10.30.0.0/29')"),
        ("vpcCidr: 10.30.0.0/20", "vpcCidr: 170787840",
         "crossdock:environment.vpcCidr: expected a string (got 170787840)"),
        ("owner: platform-team", "owner: 42", "crossdock:environment.owner: expected a string (got 42)"),
        ("readers: 0", "readers: .nan", "crossdock:databases[0].readers: expected an integer (got nan)"),
        ("name: dev", "name: [dev]", "crossdock:environment.name: expected a string, not a list"),
        ("      objectives:\n        az: {rpoMinutes: 60, rtoMinutes: 240}\n    - name: integration-payloads",
         "      objectives:\n        az: {rpoMinutes: '60', rtoMinutes: 240}\n    - name: integration-payloads",
         "crossdock:dataClasses[0].objectives.az.rpoMinutes: expected a number (got '60')"),
    ],
)  # fmt: skip
def test_strict_types_and_aws_limits(project: Path, edit, old: str, new: str, message: str) -> None:
    edit(old, new)
    assert refused(project) == PREFIX + message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("azCount: 2", "azCont: 2",
         "crossdock:environment.azCont: unknown key 'azCont'; did you mean 'azCount'? (allowed: name, tier, owner, "
         "costCenter, region, azCount, vpcCidr) (and 1 more problem(s))"),
        ("      objectives:\n        az: {rpoMinutes: 60, rtoMinutes: 240}\n    - name: integration-payloads",
         "      objectives:\n        az: {rpoMinute: 60, rtoMinutes: 240}\n    - name: integration-payloads",
         "crossdock:dataClasses[0].objectives.az.rpoMinute: unknown key 'rpoMinute'; did you mean 'rpoMinutes'? "
         "(allowed: rpoMinutes, rtoMinutes) (and 1 more problem(s))"),
        ("      replicas: {min: 2, max: 3}\n      produces: [label-requests]",
         "      replicas: {mn: 2, max: 3}\n      produces: [label-requests]",
         "crossdock:services[0].replicas.mn: unknown key 'mn'; did you mean 'min'? (allowed: min, max)"),
    ],
)  # fmt: skip
def test_typos_at_every_depth_suggest_the_key(project: Path, edit, old: str, new: str, message: str) -> None:
    edit(old, new)
    assert refused(project) == PREFIX + message


def test_duplicate_key_names_both_lines(project: Path, edit) -> None:
    edit("    azCount: 2\n", "    azCount: 2\n    azCount: 3\n")
    assert refused(project) == f"{PREFIX[:-2]}:11: duplicate key 'azCount' (first at line 10; the last would win)"


@pytest.mark.parametrize(
    ("cidrs", "message"),
    [
        ("[0.0.0.0/1, 128.0.0.0/1]",
         "crossdock:cluster.publicEndpointCidrs: 0.0.0.0/1, 128.0.0.0/1 together would open the Kubernetes API "
         "endpoint to the whole internet; list the networks that need it"),
        ("[203.0.113.0/24, 0.0.0.0/0]",
         "crossdock:cluster.publicEndpointCidrs[1]: 0.0.0.0/0 would open the Kubernetes API endpoint to the whole "
         "internet; list the networks that need it"),
        ("[100.0.0.0/12]",
         "crossdock:cluster.publicEndpointCidrs: the ranges allow 1,048,576 addresses (widest 100.0.0.0/12) to reach "
         "the Kubernetes API endpoint; at most 65,536 (one /16) are allowed: list the networks that need it"),
    ],
)  # fmt: skip
def test_public_endpoint_ranges_are_judged_together(project: Path, edit, cidrs: str, message: str) -> None:
    edit("publicEndpointCidrs: [203.0.113.0/24]", f"publicEndpointCidrs: {cidrs}")
    assert refused(project) == PREFIX + message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  aws:region: us-east-1\n", "  aws:region: us-east-1\n  crossdok:foo: 1\n",
         "crossdok:foo: unknown config namespace 'crossdok'; did you mean 'crossdock:foo'?"),
        ("  aws:region: us-east-1\n", "  aws:regon: us-east-1\n",
         "aws:regon: unknown aws provider key 'regon'; did you mean 'aws:region'?"),
        ("  aws:region: us-east-1\n", "",
         "crossdock:environment.region: is us-east-1 but aws:region is not set; set aws:region: us-east-1 beside it "
         "(the provider deploys there)"),
        ("  aws:region: us-east-1\n", "  aws:region: eu-west-1\n",
         "crossdock:environment.region: is us-east-1 but aws:region is eu-west-1; they must match"),
        ("vpcCidr: 10.30.0.0/20", "vpcCidr: {secure: v1:AAABAGVuY3J5cHRlZA==}",
         "crossdock:environment.vpcCidr: is an encrypted (secure:) value, which cannot be read offline; crossdock "
         "settings are not secrets: write the plain value"),
    ],
)  # fmt: skip
def test_namespaces_provider_keys_region_and_secrets(project: Path, edit, old: str, new: str, message: str) -> None:
    edit(old, new)
    assert refused(project) == PREFIX + message


def test_the_aws_provider_keys_are_the_installed_providers() -> None:
    import importlib.util
    import re

    vars_file = Path(importlib.util.find_spec("pulumi_aws").origin).parent / "config" / "vars.py"
    installed = set(re.findall(r"__config__\.get\w*\('(\w+)'", vars_file.read_text()))
    assert installed == set(AWS_PROVIDER_KEYS)


def test_an_overlapping_vpc_is_a_warning(project: Path, edit, capsys) -> None:
    edit("vpcCidr: 10.30.0.0/20", "vpcCidr: 10.20.16.0/20")  # inside staging's 10.20.0.0/16
    config = load_stack_file(project / DEV)
    expected = (
        "VPC 10.20.16.0/20 overlaps the VPC 10.20.0.0/16 of Pulumi.staging.yaml: overlapping networks cannot be "
        "peered or share a transit gateway without renumbering (crossdock new region picks free blocks)"
    )
    assert overlap_warnings(config, project / "stacks", "dev") == [expected]
    code, out, err = cli("plan", "dev", "--project", ".")
    assert code == 0, err
    assert f"warning: {expected}" in " ".join(out.split())


def test_cli_flags_are_named_as_typed(tmp_path: Path) -> None:
    project = scratch_project(tmp_path / "project")
    before = snapshot(project)
    code, _, err = cli("new", "tenant", "initech", "--env", "dev", "--isolation", "pool",
                       "--requests-per-five-minutes", "5", "--project", str(project))  # fmt: skip
    assert code == 2
    assert one_error(err) == (
        "crossdock: error: --requests-per-five-minutes: Input should be greater than or equal to 10 (got 5)"
    )
    assert snapshot(project) == before


# -- policy config and waivers (refused before planning) -------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"CD-RES-020": {"maxMaxReceiveCount": "five"}}, 'CD-RES-020.maxMaxReceiveCount: expected a number, got "five"'),
        ({"CD-RES-020": {"maxMaxReceiveCount": -5}}, "CD-RES-020.maxMaxReceiveCount: -5 is less than the minimum of 1"),
        ({"CD-RES-020": {"maxMaxRecieveCount": 5}},
         "CD-RES-020.maxMaxRecieveCount: unknown key 'maxMaxRecieveCount'; did you mean 'maxMaxReceiveCount'? "
         "(allowed: enforcementLevel, maxMaxReceiveCount, minMaxReceiveCount)"),
        ({"CD-RES-020": {"minMaxReceiveCount": 20}}, "CD-RES-020.minMaxReceiveCount: 20 is above maxMaxReceiveCount (10)"),
        ({"CD-RES-020": {"maxMaxReceiveCount": True}}, "CD-RES-020.maxMaxReceiveCount: expected a number, got true"),
    ],
)  # fmt: skip
def test_policy_config_is_validated_against_the_rules_schema(project: Path, tmp_path: Path, monkeypatch,
                                                             document, message) -> None:  # fmt: skip
    monkeypatch.chdir(project)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document))
    assert refused(project, "check", "dev", "--no-checkov", "--policy-config", str(path)) == (
        f"crossdock: error: {path}: {message}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("waivers:\n  - rule: CD-RES-0200\n    resource: '*'\n    reason: a reason that is long enough\n"
         "    expires: 2999-01-01\n",
         "waivers[0].rule: unknown rule id 'CD-RES-0200'; did you mean CD-RES-020? (rule ids: docs/policies.md; "
         "checkov ids: CKV_...)"),
        ("- rule: CD-RES-020\n",
         "waivers: expected a mapping with a `waivers:` list, each entry {rule, stack, resource, reason, expires} (see the "
         "comment at the top of policies/waivers.yaml), not a list"),
        ("waivers:\n  rule: CD-RES-020\n",
         "waivers: expected a mapping with a `waivers:` list, each entry {rule, stack, resource, reason, expires} "
         "(see the comment at the top of policies/waivers.yaml), not a mapping"),
        ("waivers:\n  - CD-RES-020\n",
         "waivers[0]: expected a mapping with a `waivers:` list, each entry {rule, stack, resource, reason, expires} "
         "(see the comment at the top of policies/waivers.yaml), not str 'CD-RES-020'"),
    ],
)  # fmt: skip
def test_waivers_name_real_rules_in_the_right_shape(project: Path, tmp_path: Path, monkeypatch, text, message) -> None:
    monkeypatch.chdir(project)
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    assert refused(project, "check", "dev", "--no-checkov", "--waivers", str(path)) == (
        f"crossdock: error: {path}: {message}"
    )


def test_a_waiver_matching_nothing_is_noted(tmp_path: Path) -> None:
    from crossdock.blueprint import CheckOptions, check_plan
    from crossdock.engine import run_program

    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - rule: CD-RES-020\n    stack: dev\n    resource: 'dev-no-such-queue*'\n"
        "    reason: the queue is being replaced this sprint\n    expires: 2999-01-01\n"
    )
    plan = run_program(ROOT, "dev")
    result = check_plan(plan, ROOT, CheckOptions(waivers=waivers))
    assert (
        "waiver for CD-RES-020 on 'dev-no-such-queue*' matches no resource of stack dev (a misspelt glob, or a "
        "resource that is gone: remove or fix it)"
    ) in result.notes


def test_real_package_namespaces_and_the_legacy_key_form_are_no_typos(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    text = (ROOT / DEV).read_text().replace("  aws:region: us-east-1\n", "  aws:config:region: us-east-1\n")
    path.write_text(text + "  awsx:vpcTags: {team: platform}\n  kubernetes:context: dev\n")
    assert load_stack_file(path).environment.region == "us-east-1"
