"""checkov's failures merged into the gate: mapping, enforcement, de-duplication, waivers.

These run against tests/checkov/fake_checkov.py (fast and deterministic: it fails the ids
each test asks for), on a small Pulumi program declared in this file, so every finding
can be asserted exactly, down to the source line.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pulumi_aws as aws
import pytest

from crossdock.blueprint import CHECKOV_CATALOG, CheckOptions, check_plan
from crossdock.checkov import load_catalog, scan_plan
from crossdock.engine import Plan, run_callable
from crossdock.gate.findings import Enforcement, Source
from crossdock.gate.reports.sarif import render_sarif
from policies.profiles import Profile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()
TODAY = dt.date(2026, 6, 1)


def program() -> None:
    aws.sqs.Queue("orders", name="orders", sqs_managed_sse_enabled=True)  # line QUEUE_LINE
    aws.sns.Topic("alerts", name="alerts")  # no customer key: the pack's CD-ENC-004 reports it
    aws.s3.Bucket("payloads", bucket="crossdock-payloads")


QUEUE_LINE = next(n for n, line in enumerate(Path(__file__).read_text().splitlines(), 1) if "line QUEUE_LINE" in line)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return run_callable(
        program, config={"aws:region": "eu-west-1"}, project="gate-test", stack="prod", project_dir=ROOT
    )


def gate(plan: Plan, profile=Profile.PRODUCTION, waivers: Path | None = None):
    return check_plan(plan, ROOT, CheckOptions(profile=profile, waivers=waivers, today=TODAY, checkov=True))


def checkov_findings(result):
    return {(f.rule, f.name): f for f in result.findings if f.source is Source.CHECKOV}


def test_failed_checks_become_findings_on_the_pulumi_resource(fake_checkov, plan) -> None:
    fake_checkov.fail({"aws_sqs_queue": ["CKV_AWS_27"], "aws_s3_bucket": ["CKV2_AWS_61"]})
    result = gate(plan)
    found = checkov_findings(result)
    assert set(found) == {("CKV_AWS_27", "orders"), ("CKV2_AWS_61", "payloads")}
    queue = found[("CKV_AWS_27", "orders")]
    assert queue.urn == plan.by_name("orders").urn and queue.type == "aws:sqs/queue:Queue"
    assert (queue.file, queue.line) == (THIS_FILE, QUEUE_LINE)
    assert queue.message == "Fake check CKV_AWS_27"
    assert queue.severity == "medium"  # checkov gave none
    assert queue.enforcement is Enforcement.MANDATORY  # listed in policies/checkov.yaml
    assert queue.description == load_catalog(CHECKOV_CATALOG).why("CKV_AWS_27")
    bucket = found[("CKV2_AWS_61", "payloads")]
    assert bucket.enforcement is Enforcement.ADVISORY
    assert bucket.reason.startswith("advisory by design: ")
    assert not result.passed
    assert "CKV_AWS_27" in result.rules_run  # a mandatory id checkov evaluated
    assert any(note.startswith("checkov 3.3.30: ") for note in result.notes)


def test_checkovs_severity_is_kept_when_it_reports_one(fake_checkov, plan) -> None:
    fake_checkov.fail({"aws_sns_topic": ["CKV_AWS_26"]})
    assert checkov_findings(gate(plan))[("CKV_AWS_26", "alerts")].severity == "high"


def test_a_check_the_pack_already_reported_for_the_resource_is_advisory(fake_checkov, plan) -> None:
    """CD-ENC-004 (checkov_id CKV_AWS_26) reports the topic; checkov's twin finding must not block twice."""
    fake_checkov.fail({"aws_sns_topic": ["CKV_AWS_26"]})
    result = gate(plan)
    pack = [f for f in result.findings if f.rule == "CD-ENC-004" and f.name == "alerts"]
    assert pack and pack[0].enforcement is Enforcement.MANDATORY
    twin = checkov_findings(result)[("CKV_AWS_26", "alerts")]
    assert twin.enforcement is Enforcement.ADVISORY
    assert twin.reason == "advisory: CD-ENC-004 already reported this resource (same check as CKV_AWS_26)"


def test_resilience_ids_are_advisory_under_the_development_profile(fake_checkov, plan) -> None:
    fake_checkov.fail({"aws_s3_bucket": ["CKV_AWS_21", "CKV_AWS_19"]})
    production = checkov_findings(gate(plan, Profile.PRODUCTION))
    development = checkov_findings(gate(plan, Profile.DEVELOPMENT))
    assert production[("CKV_AWS_21", "payloads")].enforcement is Enforcement.MANDATORY
    assert development[("CKV_AWS_21", "payloads")].enforcement is Enforcement.ADVISORY
    assert development[("CKV_AWS_19", "payloads")].enforcement is Enforcement.MANDATORY  # security


def test_waivers_apply_to_checkov_ids_as_to_the_packs(fake_checkov, plan, tmp_path) -> None:
    fake_checkov.fail({"aws_sqs_queue": ["CKV_AWS_27"]})
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        textwrap.dedent("""
        waivers:
          - rule: CKV_AWS_27
            resource: orders
            reason: the queue is being moved to a customer key in PLAT-42
            expires: 2026-12-31
    """)
    )
    finding = checkov_findings(gate(plan, waivers=waivers))[("CKV_AWS_27", "orders")]
    assert finding.waived and not finding.blocks
    assert finding.reason == "the queue is being moved to a customer key in PLAT-42 (waiver expires 2026-12-31)"

    waivers.write_text(waivers.read_text().replace("2026-12-31", "2026-05-31"))
    expired = checkov_findings(gate(plan, waivers=waivers))[("CKV_AWS_27", "orders")]
    assert not expired.waived and expired.blocks
    assert expired.reason.startswith("waiver expired on 2026-05-31")


def test_sarif_points_checkov_results_at_the_pulumi_line(fake_checkov, plan) -> None:
    fake_checkov.fail({"aws_sqs_queue": ["CKV_AWS_27"]})
    sarif = json.loads(render_sarif(gate(plan)))
    run = sarif["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "CKV_AWS_27")
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": QUEUE_LINE}
    assert location["artifactLocation"]["uri"].endswith(THIS_FILE)
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "CKV_AWS_27")
    assert rule["properties"]["source"] == "checkov"


def test_checkov_is_off_unless_asked_for(fake_checkov, plan) -> None:
    fake_checkov.fail({"aws_sqs_queue": ["CKV_AWS_27"]})
    result = check_plan(plan, ROOT, CheckOptions(profile=Profile.PRODUCTION, today=TODAY))
    assert not checkov_findings(result) and fake_checkov.calls() == []


def test_the_export_is_scanned_once_per_plan_with_both_frameworks(fake_checkov) -> None:
    import pulumi_kubernetes as k8s

    def with_a_deployment() -> None:
        aws.sqs.Queue("orders", name="orders")
        k8s.apps.v1.Deployment(
            "web",
            metadata={"name": "web", "namespace": "shop"},
            spec={
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        )

    plan = run_callable(with_a_deployment, config={"aws:region": "eu-west-1"}, project_dir=ROOT)
    fake_checkov.fail({"Deployment": ["CKV_K8S_16"], "aws_sqs_queue": ["CKV_AWS_27"]})
    scan = scan_plan(plan)
    (call,) = fake_checkov.calls()
    argv = call["argv"]
    assert argv[argv.index("--framework") + 1 : argv.index("-f")] == ["terraform_plan", "kubernetes"]
    assert all(call["exists"]) and len(call["exists"]) == 2  # plan.json and one manifest
    failed = {(r.check.check_id, plan.get(r.urn).name) for r in scan.failed()}
    assert failed == {("CKV_K8S_16", "web"), ("CKV_AWS_27", "orders")}
    assert scan_plan(plan).results == scan.results and len(fake_checkov.calls()) == 1  # remembered
