"""Waivers: documented, expiring exceptions for one rule on some resources of some stacks.

The webserver sample (tests/programs/webserver) is the stable subject: its security
group opens SSH (CD-NET-001) and HTTP (CD-NET-004) to the internet, two mandatory
findings on `web-secgrp` in stack `dev`. Each test gates the same Plan with a
different waivers file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from rich.console import Console

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.gate.reports import render_json
from crossdock.gate.reports.text import print_text
from crossdock.gate.waivers import WaiverError, load_waivers
from policies.profiles import Profile

from .conftest import ROOT, WEBSERVER, write_waivers

TODAY = dt.date(2030, 6, 1)
EXPIRES = "2030-06-30"
REASON = "SSH stays open until the bastion migration lands (INC-1234)"


def gate(plan, waivers=None, today=TODAY, profile=None):
    return check_plan(plan, WEBSERVER, CheckOptions(profile=profile, waivers=waivers, today=today))


def by_rule(result):
    return {finding.rule: finding for finding in result.findings}


def waiver(rule="CD-NET-001", resource="web-secgrp", stack="dev", expires=EXPIRES, reason=REASON):
    return f"""
  - rule: {rule}
    stack: "{stack}"
    resource: "{resource}"
    reason: "{reason}"
    expires: {expires}
"""


def waivers_file(tmp_path, *entries):
    return write_waivers(tmp_path, "waivers:\n" + "".join(entries))


# -- the subject ---------------------------------------------------------------------------


def test_without_waivers_the_webserver_fails_on_ssh_and_http(webserver_plan):
    result = gate(webserver_plan)
    assert not result.passed
    assert {(f.rule, f.name, f.enforcement.value, f.waived) for f in result.findings} == {
        ("CD-NET-001", "web-secgrp", "mandatory", False),
        ("CD-NET-004", "web-secgrp", "mandatory", False),
    }
    assert result.summary() == {"mandatory": 2, "advisory": 0, "waived": 0}
    assert all(f.reason is None for f in result.findings)


# -- matching ------------------------------------------------------------------------------


def test_waivers_mark_matching_findings_waived_with_reason_and_the_gate_passes(webserver_plan, tmp_path):
    path = waivers_file(tmp_path, waiver("CD-NET-001", resource="web-*"), waiver("CD-NET-004", resource="web-*"))
    result = gate(webserver_plan, path)

    assert result.passed
    assert result.summary() == {"mandatory": 0, "advisory": 0, "waived": 2}
    for finding in result.findings:
        assert finding.waived and not finding.blocks
        assert finding.reason == f"{REASON} (waiver expires {EXPIRES})"
    report = json.loads(render_json(result))
    assert report["passed"] is True
    assert [(f["rule"], f["waived"], f["reason"]) for f in report["findings"]] == [
        ("CD-NET-001", True, f"{REASON} (waiver expires {EXPIRES})"),
        ("CD-NET-004", True, f"{REASON} (waiver expires {EXPIRES})"),
    ]
    assert report["summary"] == {"mandatory": 0, "advisory": 0, "waived": 2}


def test_a_waiver_covers_only_its_own_rule(webserver_plan, tmp_path):
    result = gate(webserver_plan, waivers_file(tmp_path, waiver("CD-NET-001")))
    findings = by_rule(result)
    assert findings["CD-NET-001"].waived
    assert not findings["CD-NET-004"].waived and findings["CD-NET-004"].blocks
    assert not result.passed
    assert result.summary() == {"mandatory": 1, "advisory": 0, "waived": 1}


def test_a_name_glob_that_does_not_match_waives_nothing(webserver_plan, tmp_path):
    result = gate(webserver_plan, waivers_file(tmp_path, waiver(resource="web-server-*")))
    assert not any(f.waived for f in result.findings)
    assert not result.passed


@pytest.mark.parametrize(
    "stack, applies", [("dev", True), ("d?v", True), ("*", True), ("prod", False), ("dev-*", False)]
)
def test_the_stack_glob_must_match_the_stack(webserver_plan, tmp_path, stack, applies):
    result = gate(webserver_plan, waivers_file(tmp_path, waiver(stack=stack)))
    assert by_rule(result)["CD-NET-001"].waived is applies
    assert result.notes == []  # not matching is not "expired"


def test_stack_defaults_to_every_stack(webserver_plan, tmp_path):
    path = write_waivers(
        tmp_path,
        f"""
        waivers:
          - rule: CD-NET-001
            resource: web-secgrp
            reason: {REASON}
            expires: {EXPIRES}
        """,
    )
    assert load_waivers(path)[0].stack == "*"
    assert by_rule(gate(webserver_plan, path))["CD-NET-001"].waived


# -- URN patterns ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, applies",
    [
        ("<the finding's URN>", True),
        ("urn:pulumi:dev::webserver::*aws:ec2/securityGroup:SecurityGroup::*", True),
        ("urn:pulumi:*::web-secgrp", True),
        ("urn:pulumi:prod::webserver::*aws:ec2/securityGroup:SecurityGroup::*", False),
        ("urn:pulumi:dev::webserver::*aws:ec2/instance:Instance::*", False),
        # Without the urn: prefix a pattern is matched against the resource name only.
        ("*SecurityGroup*", False),
    ],
)
def test_urn_patterns_match_the_finding_urn(webserver_plan, tmp_path, pattern, applies):
    urn = by_rule(gate(webserver_plan))["CD-NET-001"].urn
    assert urn.startswith("urn:pulumi:dev::webserver::") and urn.endswith(
        "aws:ec2/securityGroup:SecurityGroup::web-secgrp"
    )
    pattern = urn if pattern == "<the finding's URN>" else pattern
    result = gate(webserver_plan, waivers_file(tmp_path, waiver(resource=pattern)))
    assert by_rule(result)["CD-NET-001"].waived is applies


def test_a_waiver_for_the_urn_pulumi_itself_reports_matches(webserver_plan, tmp_path):
    real_urn = "urn:pulumi:dev::webserver::aws:ec2/securityGroup:SecurityGroup::web-secgrp"
    result = gate(webserver_plan, waivers_file(tmp_path, waiver(resource=real_urn)))
    assert by_rule(result)["CD-NET-001"].waived


# -- expiry ------------------------------------------------------------------------------------


def test_a_waiver_still_applies_on_its_expiry_date(webserver_plan, tmp_path):
    path = waivers_file(tmp_path, waiver("CD-NET-001"), waiver("CD-NET-004"))
    result = gate(webserver_plan, path, today=dt.date(2030, 6, 30))
    assert result.passed and result.notes == []


def test_an_expired_waiver_no_longer_applies_and_says_so(webserver_plan, tmp_path):
    path = waivers_file(tmp_path, waiver("CD-NET-001"), waiver("CD-NET-004", expires="2031-01-01"))
    result = gate(webserver_plan, path, today=dt.date(2030, 7, 1))

    ssh = by_rule(result)["CD-NET-001"]
    assert not ssh.waived and ssh.blocks
    assert ssh.reason == f"waiver expired on {EXPIRES}: {REASON}"
    assert result.notes == [f"CD-NET-001 on web-secgrp: waiver expired on {EXPIRES}: {REASON}"]
    assert by_rule(result)["CD-NET-004"].waived  # the other, live waiver still applies
    assert not result.passed
    assert result.summary() == {"mandatory": 1, "advisory": 0, "waived": 1}

    report = json.loads(render_json(result))
    assert report["notes"] == result.notes
    assert next(f for f in report["findings"] if f["rule"] == "CD-NET-001")["reason"] == ssh.reason
    out = io.StringIO()
    print_text(result, Console(file=out, width=200, no_color=True))
    assert f"note: waiver expired on {EXPIRES}: {REASON}" in out.getvalue()


def test_a_live_waiver_wins_over_an_expired_one(webserver_plan, tmp_path):
    live_reason = "Renewed after review: bastion migration slipped to Q3 (INC-1234)"
    path = waivers_file(tmp_path, waiver(expires="2030-01-01"), waiver(expires="2030-12-31", reason=live_reason))
    ssh = by_rule(gate(webserver_plan, path))["CD-NET-001"]
    assert ssh.waived
    assert ssh.reason == f"{live_reason} (waiver expires 2030-12-31)"


# -- the blueprint -------------------------------------------------------------------------


def test_waiving_exactly_what_blocks_passes_a_blueprint_stack(dev_plan, tmp_path):
    """dev gated as production: its deliberate single-AZ, short-backup database blocks until waived."""
    strict = check_plan(dev_plan, ROOT, CheckOptions(profile=Profile.PRODUCTION, waivers=waivers_file(tmp_path)))
    blocking = sorted({(f.rule, f.name) for f in strict.findings if f.blocks})
    assert blocking, "dev is single-AZ with 1-day backups: production rules must flag it"
    assert ("CD-RES-001", "dev-data-orders-cluster") in blocking

    path = write_waivers(
        tmp_path,
        "waivers:\n" + "".join(waiver(rule, resource=name) for rule, name in blocking),
        name="blueprint-waivers.yaml",
    )
    waived = check_plan(dev_plan, ROOT, CheckOptions(profile=Profile.PRODUCTION, waivers=path, today=TODAY))
    assert waived.passed
    assert waived.summary()["waived"] == len([f for f in strict.findings if f.blocks])


def test_the_blueprint_waivers_file_is_valid_and_waives_no_open_defect(prod_plan, dev_plan):
    """policies/waivers.yaml parses, holds no expired or dead entries, and never hides CD-RES-010 on prod."""
    path = ROOT / "policies" / "waivers.yaml"
    assert path.is_file()
    waivers = load_waivers(path)
    today = dt.date.today()
    assert all(not w.expired(today) for w in waivers), "remove or renew expired waivers"
    assert not any(w.rule == "CD-RES-010" for w in waivers), (
        "the audit bucket's DR copy is fixed in components, not waived"
    )

    results = {plan.stack: check_plan(plan, ROOT) for plan in (prod_plan, dev_plan)}
    assert not any(f.waived and f.rule == "CD-RES-010" for f in results["prod"].findings)
    assert results["dev"].summary()["mandatory"] == 0 and results["dev"].summary()["advisory"] > 0
    # A pack waiver that matches nothing is stale and should go; checkov waivers are
    # checked with checkov on in tests/checkov (these plans are gated without it).
    for entry in (w for w in waivers if not w.rule.startswith("CKV")):
        assert any(entry.matches(f, stack) for stack, r in results.items() for f in r.findings), entry


# -- malformed files -------------------------------------------------------------------------

GOOD = f"""
  - rule: CD-NET-001
    resource: web-secgrp
    reason: {REASON}
    expires: {EXPIRES}
"""

MALFORMED = {
    "short reason": (
        GOOD + "  - rule: CD-NET-004\n    resource: web-secgrp\n    reason: temporary\n    expires: 2030-06-30\n",
        "waivers[1].reason: a waiver needs a reason of at least 20 characters",
    ),
    "unknown key": (
        GOOD.replace("    expires:", "    owner: platform-team\n    expires:"),
        "waivers[0].owner: unknown key 'owner' (allowed: rule, stack, resource, reason, expires)",
    ),
    "missing expiry": (
        GOOD.replace(f"    expires: {EXPIRES}\n", ""),
        "waivers[0].expires: required key is missing",
    ),
    "missing resource": (
        GOOD.replace("    resource: web-secgrp\n", ""),
        "waivers[0].resource: required key is missing",
    ),
    "impossible date": (
        GOOD.replace(EXPIRES, "2030-02-30"),
        "waivers[0].expires: expected a date YYYY-MM-DD, got '2030-02-30'",
    ),
    "month out of range": (
        GOOD.replace(EXPIRES, "2030-13-01"),
        "waivers[0].expires: expected a date YYYY-MM-DD, got '2030-13-01'",
    ),
    "not a date": (
        GOOD.replace(EXPIRES, "next quarter"),
        "waivers[0].expires: expected a date YYYY-MM-DD, got 'next quarter'",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_waivers_name_the_file_and_the_entry(webserver_plan, tmp_path, case):
    body, expected = MALFORMED[case]
    path = write_waivers(tmp_path, "waivers:\n" + body)
    with pytest.raises(WaiverError) as error:
        load_waivers(path)
    assert str(error.value) == f"{path}: {expected}"
    assert error.value.exit_code == 2
    with pytest.raises(WaiverError, match=re.escape(expected)):
        gate(webserver_plan, path)  # the gate refuses to run rather than guess


def test_invalid_yaml_names_the_file_and_line(tmp_path):
    path = write_waivers(
        tmp_path,
        """
        waivers:
          - rule: CD-NET-001
            resource: web-secgrp
            reason: [unclosed
            expires: 2030-06-30
        """,
    )
    with pytest.raises(WaiverError) as error:
        load_waivers(path)
    message = str(error.value)
    assert message.startswith(f"{path}:5: not valid YAML (")
    assert "\n" not in message


def test_a_document_that_is_not_a_mapping_is_rejected(tmp_path):
    path = write_waivers(
        tmp_path, f"- rule: CD-NET-001\n  resource: web-secgrp\n  reason: {REASON}\n  expires: {EXPIRES}\n"
    )
    with pytest.raises(WaiverError) as error:
        load_waivers(path)
    assert str(error.value).startswith(f"{path}: waivers: ")


def test_an_empty_file_means_no_waivers(tmp_path):
    assert load_waivers(write_waivers(tmp_path, "")) == ()
    assert load_waivers(write_waivers(tmp_path, "waivers: []\n")) == ()
    assert load_waivers(write_waivers(tmp_path, "waivers:\n#  - rule: CD-NET-001\n")) == ()


def test_a_missing_default_file_means_no_waivers_but_a_named_one_must_exist(webserver_plan, tmp_path):
    assert not (WEBSERVER / "policies" / "waivers.yaml").exists()
    assert gate(webserver_plan).summary()["mandatory"] == 2
    missing = tmp_path / "no-such-waivers.yaml"
    with pytest.raises(WaiverError) as error:
        gate(webserver_plan, missing)
    assert str(error.value) == f"{missing}: waivers file not found"
