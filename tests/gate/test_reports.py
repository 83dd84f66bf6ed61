"""Report formats: the check JSON contract, SARIF 2.1.0, JUnit and the text report.

Subject: the component-app sample (staging) gated with the development profile and
one waiver, so one result holds all three kinds of finding: mandatory (security),
advisory (resilience under the development profile) and waived (the secret's key).
The blueprint's dev stack checks that file:line point into components/.

No SARIF JSON schema ships in an installed package (and there is no network), so the
SARIF test asserts the structure code scanning relies on instead of validating.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from rich.console import Console

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.gate.findings import Enforcement
from crossdock.gate.reports import render_json, render_junit, render_sarif
from crossdock.gate.reports.text import print_text
from policies.profiles import Profile
from policies.rules import RULES

from .conftest import COMPONENT_APP, ROOT, write_waivers

REASON = "Secret moves to the tenant key with the vault migration (SEC-77)"
CONTRACT_KEYS = {"project", "stack", "resources", "findings", "summary"}
FINDING_KEYS = {"rule", "source", "severity", "enforcement", "urn", "name", "type", "message", "waived", "reason"}
SUMMARY_KEYS = {"mandatory", "advisory", "waived"}

# Where the component-app sample declares each resource the gate flags.
DECLARED = {
    "orders-dlq": ("app.py", "self.dlq = aws.sqs.Queue("),
    "orders-queue": ("app.py", "self.queue = aws.sqs.Queue("),
    "orders-replica": ("app.py", "self.replica = aws.s3.Bucket("),
    "orders-db-password": ("__main__.py", 'secret = aws.secretsmanager.Secret("orders-db-password"'),
}


@pytest.fixture(scope="module")
def result(component_plan, tmp_path_factory):
    waivers = write_waivers(
        tmp_path_factory.mktemp("waivers"),
        f"""
        waivers:
          - rule: CD-ENC-007
            stack: staging
            resource: orders-db-password
            reason: {REASON}
            expires: 2030-12-31
        """,
    )
    options = CheckOptions(profile=Profile.DEVELOPMENT, waivers=waivers, today=dt.date(2030, 1, 1))
    return check_plan(component_plan, COMPONENT_APP, options)


@pytest.fixture(scope="module")
def dev_result(dev_plan):
    return check_plan(dev_plan, ROOT)


def test_the_subject_has_mandatory_advisory_and_waived_findings(result):
    kinds = {(f.rule, f.name): ("waived" if f.waived else f.enforcement.value) for f in result.findings}
    assert kinds[("CD-ENC-007", "orders-db-password")] == "waived"
    assert kinds[("CD-RES-030", "orders-queue")] == "advisory"  # resilience: advisory under development
    assert kinds[("CD-ENC-003", "orders-queue")] == "mandatory"  # security: mandatory under every profile
    assert kinds[("CD-S3-001", "orders-replica")] == "mandatory"
    summary = result.summary()
    assert summary["mandatory"] > 0 and summary["advisory"] > 0 and summary["waived"] == 1
    assert not result.passed


# -- JSON ------------------------------------------------------------------------------------


def test_json_matches_the_design_contract(result, component_plan):
    report = json.loads(render_json(result))
    assert set(report) >= CONTRACT_KEYS
    assert (report["project"], report["stack"]) == ("component-app", "staging")
    assert report["resources"] == sum(1 for r in component_plan.resources if r.custom) == 9
    assert set(report["summary"]) == SUMMARY_KEYS
    assert len(report["findings"]) == len(result.findings)
    for finding in report["findings"]:
        assert set(finding) >= FINDING_KEYS
        assert finding["source"] in ("policy", "checkov")
        assert finding["enforcement"] in ("mandatory", "advisory")
        assert finding["severity"] in ("critical", "high", "medium", "low")
        assert finding["rule"] in {rule.id for rule in RULES}
        assert isinstance(finding["waived"], bool)
        assert finding["urn"].startswith("urn:pulumi:staging::component-app::") and finding["urn"].endswith(
            f"::{finding['name']}"
        )
        assert finding["type"] == component_plan.get(finding["urn"]).type
        assert isinstance(finding["message"], str) and finding["message"]
        assert (finding["reason"] is None) is (not finding["waived"])  # no expired waivers here
    # The summary counts what the findings say: unwaived mandatory, unwaived advisory, waived.
    findings = report["findings"]
    assert report["summary"] == {
        "mandatory": sum(1 for f in findings if f["enforcement"] == "mandatory" and not f["waived"]),
        "advisory": sum(1 for f in findings if f["enforcement"] == "advisory" and not f["waived"]),
        "waived": sum(1 for f in findings if f["waived"]),
    }
    waived = next(f for f in findings if f["waived"])
    assert (waived["rule"], waived["name"], waived["reason"]) == (
        "CD-ENC-007",
        "orders-db-password",
        f"{REASON} (waiver expires 2030-12-31)",
    )


def test_json_lists_blocking_findings_first_and_most_severe_first(result):
    findings = json.loads(render_json(result))["findings"]
    blocking = [not f["waived"] and f["enforcement"] == "mandatory" for f in findings]
    assert blocking == sorted(blocking, reverse=True)
    assert findings[0]["severity"] == "critical"
    assert findings[-1]["waived"] is True


# -- SARIF -----------------------------------------------------------------------------------


def test_sarif_2_1_0_structure(result, monkeypatch):
    monkeypatch.chdir(ROOT)  # CI runs from the repository root; URIs are relative to it
    sarif = json.loads(render_sarif(result))
    assert sarif["version"] == "2.1.0"
    assert "sarif" in sarif["$schema"] and "2.1.0" in sarif["$schema"]
    assert len(sarif["runs"]) == 1
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "crossdock"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert set(rule_ids) == {f.rule for f in result.findings}
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]

    findings = {(f.rule, f.name): f for f in result.findings}
    assert len(run["results"]) == len(result.findings)
    for entry in run["results"]:
        assert entry["ruleId"] in rule_ids
        assert driver["rules"][entry["ruleIndex"]]["id"] == entry["ruleId"]
        name = entry["locations"][0]["logicalLocations"][0]["name"]
        finding = findings[(entry["ruleId"], name)]
        assert entry["level"] == ("error" if finding.enforcement is Enforcement.MANDATORY else "warning")
        assert entry["message"]["text"].startswith(finding.message)

        physical = entry["locations"][0]["physicalLocation"]
        file, snippet = DECLARED[name]
        # Repository-relative: the sample lives in a subdirectory of the checkout.
        assert physical["artifactLocation"]["uri"] == f"tests/programs/component-app/{file}"
        line = physical["region"]["startLine"]
        assert snippet in (ROOT / physical["artifactLocation"]["uri"]).read_text().splitlines()[line - 1]

        if finding.waived:
            assert entry["suppressions"] == [{"kind": "external", "justification": finding.reason}]
        else:
            assert "suppressions" not in entry
    assert sum("suppressions" in entry for entry in run["results"]) == 1


def test_sarif_points_at_the_component_line_in_the_blueprint(dev_result, monkeypatch):
    monkeypatch.chdir(ROOT)
    results = json.loads(render_sarif(dev_result))["runs"][0]["results"]
    assert results, "dev has advisory findings on its single-AZ database"
    for entry in results:
        physical = entry["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.startswith("components/")
        declared = (ROOT / uri).read_text().splitlines()[physical["region"]["startLine"] - 1]
        assert "aws." in declared and "(" in declared  # the resource constructor call
        if "suppressions" in entry:  # the waived SSE-S3 access-log bucket (a mandatory security rule)
            assert entry["level"] == "error" and entry["ruleId"] == "CD-ENC-005"
        else:
            assert entry["level"] == "warning"  # development profile: resilience is advisory


def test_sarif_uris_outside_the_working_directory_are_absolute_file_uris(result, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    uris = {
        e["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for e in json.loads(render_sarif(result))["runs"][0]["results"]
    }
    assert uris == {(COMPONENT_APP / "app.py").as_uri(), (COMPONENT_APP / "__main__.py").as_uri()}


# -- JUnit -----------------------------------------------------------------------------------


def test_junit_counts_failures_and_skips(result):
    suite = ET.fromstring(render_junit(result))
    assert suite.tag == "testsuite"
    assert suite.get("name") == "crossdock.component-app.staging"
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    summary = result.summary()

    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == len(failures) == summary["mandatory"]
    assert int(suite.get("skipped")) == len(skipped) == summary["waived"] == 1
    assert {c.get("classname") for c in failures} == {f"crossdock.{f.rule}" for f in result.findings if f.blocks}
    assert skipped[0].get("classname") == "crossdock.CD-ENC-007"
    assert skipped[0].find("skipped").get("message") == f"waived: {REASON} (waiver expires 2030-12-31)"
    for case in failures:
        failure = case.find("failure")
        assert failure.get("type") in ("critical", "high", "medium", "low")
        assert "urn:pulumi:staging::component-app::" in failure.text
    # Advisory findings are reported, not failed.
    advisory = [c for c in cases if c.find("system-out") is not None]
    assert len(advisory) == summary["advisory"]
    # Every rule that found nothing is one passing case.
    flagged = {f.rule for f in result.findings}
    passing = [c for c in cases if c.get("name") == "all resources"]
    assert {c.get("classname") for c in passing} == {f"crossdock.{rule.id}" for rule in RULES if rule.id not in flagged}
    assert all(len(c) == 0 for c in passing)


# -- text ------------------------------------------------------------------------------------


def render_text(result) -> str:
    out = io.StringIO()
    print_text(result, Console(file=out, width=400, no_color=True))
    return out.getvalue()


def test_text_groups_by_severity_with_fix_and_source_line(result):
    text = render_text(result)
    lines = text.splitlines()
    assert lines[0].startswith("crossdock check component-app/staging (profile development, 9 resources,")
    critical, high = lines.index("CRITICAL (1)"), lines.index("HIGH (7)")
    assert critical < high
    assert "MEDIUM" not in text and "LOW" not in text  # empty groups are not printed

    for finding in result.findings:
        file, snippet = DECLARED[finding.name]
        line = next(
            n for n, text_line in enumerate((COMPONENT_APP / file).read_text().splitlines(), 1) if snippet in text_line
        )
        header = next(i for i, text in enumerate(lines) if f" {finding.rule} {finding.name}: {finding.message}" in text)
        group = critical if finding.severity == "critical" else high
        assert header > group
        assert lines[header + 1].strip() == f"at {file}:{line}"
        tag = lines[header].split()[0]
        if finding.waived:
            assert tag == "waived"
            assert lines[header + 2].strip() == f"waiver: {finding.reason}"
        else:
            assert tag == ("MANDATORY" if finding.blocks else "advisory")
            assert lines[header + 2].strip() == f"fix: {finding.remediation}"
    summary = result.summary()
    assert (
        lines[-1]
        == f"gate FAILED: {summary['mandatory']} mandatory, {summary['advisory']} advisory, {summary['waived']} waived"
    )


def test_text_reports_a_pass(dev_result):
    text = render_text(dev_result)
    assert "advisory  CD-RES-001 dev-data-orders-cluster:" in text
    assert "at components/database.py:" in text
    assert text.splitlines()[-1].startswith("gate PASSED: 0 mandatory, ")


def test_reports_agree_on_one_result(result, monkeypatch):
    """JSON, SARIF and JUnit describe the same findings."""
    monkeypatch.chdir(ROOT)
    report = json.loads(render_json(result))
    sarif = json.loads(render_sarif(result))["runs"][0]["results"]
    suite = ET.fromstring(render_junit(result))
    assert sorted((f["rule"], f["name"]) for f in report["findings"]) == sorted(
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in sarif
    )
    assert int(suite.get("failures")) == report["summary"]["mandatory"]
    assert int(suite.get("skipped")) == report["summary"]["waived"]
    assert sum(r["level"] == "error" and "suppressions" not in r for r in sarif) == report["summary"]["mandatory"]
    assert Path(sarif[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).parts[:3] == (
        "tests",
        "programs",
        "component-app",
    )
