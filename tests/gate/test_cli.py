"""`crossdock check` exit codes and outputs (docs/architecture.md, README: 0 passed, 1 gate failed, 2 bad input).

Each stack is planned once per module (`cached_planning`); every call still goes
through the CLI's argument parsing, run_check, waivers, rendering and exit code.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from crossdock.cli import main
from policies.rule import Category
from policies.rules import RULES_BY_ID

from .conftest import named, prod_project, write_waivers

pytestmark = pytest.mark.usefixtures("cached_planning")


def run(capsys, *argv):
    """Run the CLI; `check` runs the pack only (checkov's merge is tested in tests/checkov)."""
    if argv and argv[0] == "check":
        argv = (*argv, "--no-checkov")
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, *argv):
    code, out, err = run(capsys, "check", *argv, "--format", "json")
    return code, json.loads(out), err


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("crossdock: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in err


# -- the blueprint's stacks ------------------------------------------------------------------


def test_check_prod_exit_code_follows_the_mandatory_count(capsys):
    code, report, err = check_json(capsys, "prod")
    assert err == ""
    assert (report["project"], report["stack"], report["profile"]) == ("crossdock", "prod", "production")
    assert code == (1 if report["summary"]["mandatory"] > 0 else 0)
    assert report["passed"] is (code == 0)
    assert report["resources"] > 100  # both regions: primary tier, DR copies, alarms

    text_code, text, _ = run(capsys, "check", "prod")
    assert text_code == code
    assert text.splitlines()[-1].startswith("gate PASSED" if code == 0 else "gate FAILED")


def test_check_dev_passes_with_advisory_findings(capsys):
    code, report, err = check_json(capsys, "dev")
    assert code == 0 and err == ""
    assert report["profile"] == "development"
    assert report["summary"]["mandatory"] == 0
    assert report["summary"]["advisory"] > 0
    open_findings = [f for f in report["findings"] if not f["waived"]]
    assert {f["enforcement"] for f in open_findings} == {"advisory"}
    assert all(RULES_BY_ID[f["rule"]].category is Category.RESILIENCE for f in open_findings)
    # The only waived finding is the SSE-S3 load balancer access-log bucket (policies/waivers.yaml).
    assert [(f["rule"], f["name"]) for f in report["findings"] if f["waived"]] == [("CD-ENC-005", "dev-lb-access-logs")]

    code, text, _ = run(capsys, "check", "dev")
    assert code == 0
    assert "advisory  CD-RES-001 dev-data-orders-cluster:" in text
    assert text.splitlines()[-1].startswith("gate PASSED: 0 mandatory, ")


def test_check_an_unknown_stack_is_bad_input(capsys):
    code, out, err = run(capsys, "check", "nope")
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "stacks/Pulumi.nope.yaml", "'nope'")


def test_check_a_missing_project_is_bad_input(capsys, tmp_path):
    code, out, err = run(capsys, "check", "prod", "--project", str(tmp_path / "nowhere"))
    assert code == 2 and out == ""
    assert_one_line_error(err, str(tmp_path / "nowhere"))


# -- waivers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, fragment",
    [
        (
            "waivers:\n  - rule: CD-RES-001\n    resource: x\n    reason: later\n    expires: 2030-01-01\n",
            "waivers[0].reason: a waiver needs a reason of at least 20 characters",
        ),
        (
            "waivers:\n  - rule: CD-RES-001\n    resource: x\n    reason: accepted for the dev stack only\n    expires: 2030-02-30\n",
            "waivers[0].expires: expected a date YYYY-MM-DD, got '2030-02-30'",
        ),
        (
            "waivers:\n  - rule: CD-RES-001\n    resource: x\n    reason: accepted for the dev stack only\n",
            "waivers[0].expires: required key is missing",
        ),
        ("waivers:\n  - rule: CD-RES-001\n    resource: [x\n", "not valid YAML"),
    ],
    ids=["short-reason", "impossible-date", "missing-expiry", "bad-yaml"],
)
def test_check_with_malformed_waivers_is_bad_input(capsys, tmp_path, body, fragment):
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    code, out, err = run(capsys, "check", "dev", "--waivers", str(path))
    assert code == 2 and out == ""
    assert_one_line_error(err, str(path), fragment)


def test_check_with_a_missing_waivers_file_is_bad_input(capsys, tmp_path):
    code, out, err = run(capsys, "check", "dev", "--waivers", str(tmp_path / "typo.yaml"))
    assert code == 2 and out == ""
    assert_one_line_error(err, f"{tmp_path / 'typo.yaml'}: waivers file not found")


def test_check_with_a_waiver_for_the_advisory_findings_reports_them_waived(capsys, tmp_path):
    path = write_waivers(
        tmp_path,
        """
        waivers:
          - rule: CD-RES-001
            stack: dev
            resource: dev-data-*-cluster
            reason: dev runs one instance on purpose; prod has readers in every zone
            expires: 2099-12-31
          - rule: CD-ENC-005
            resource: "*-lb-access-logs"
            reason: ELB access-log delivery supports SSE-S3 only
            expires: 2099-12-31
        """,
    )
    code, report, _ = check_json(capsys, "dev", "--waivers", str(path))
    assert code == 0
    waived = sorted((f["rule"], f["name"]) for f in report["findings"] if f["waived"])
    assert waived == [("CD-ENC-005", "dev-lb-access-logs"), ("CD-RES-001", "dev-data-orders-cluster")]
    reasons = {f["rule"]: f["reason"] for f in report["findings"] if f["waived"]}
    assert reasons["CD-RES-001"].startswith("dev runs one instance on purpose")
    assert report["summary"]["waived"] == 2


# -- outputs ---------------------------------------------------------------------------------


def test_json_output_file(capsys, tmp_path):
    target = tmp_path / "reports" / "dev.json"
    code, out, err = run(capsys, "check", "dev", "--format", "json", "--output", str(target))
    assert code == 0 and err == ""
    report = json.loads(target.read_text())
    assert (report["stack"], report["summary"]["mandatory"]) == ("dev", 0)
    summary = report["summary"]
    assert out.strip() == (
        f"crossdock check dev: passed (0 mandatory, {summary['advisory']} advisory, {summary['waived']} waived); "
        f"json report written to {target}"
    )


@pytest.mark.parametrize("fmt", ["sarif", "junit", "text"])
def test_other_output_files(capsys, tmp_path, fmt):
    target = tmp_path / f"dev.{fmt}"
    code, out, _ = run(capsys, "check", "dev", "--format", fmt, "--output", str(target))
    assert code == 0
    assert f"{fmt} report written to {target}" in out
    content = target.read_text()
    if fmt == "sarif":
        assert json.loads(content)["version"] == "2.1.0"
    elif fmt == "junit":
        assert ET.fromstring(content).get("failures") == "0"
    else:
        assert "CD-RES-001" in content and content.splitlines()[-1].startswith("gate PASSED")
        assert "\x1b[" not in content  # no colour codes in files


def test_an_unwritable_output_is_bad_input(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "check", "dev", "--format", "json", "--output", str(blocker / "report.json"))
    assert code == 2
    assert_one_line_error(err, "cannot write report to")


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_machine_formats_go_to_stdout_without_output(capsys, fmt):
    code, out, _ = run(capsys, "check", "dev", "--format", fmt)
    assert code == 0
    if fmt == "junit":
        assert ET.fromstring(out.split("\n", 1)[1]).tag == "testsuite"
    else:
        json.loads(out)  # nothing but the document on stdout


# -- profiles --------------------------------------------------------------------------------


def test_development_profile_on_prod_makes_resilience_findings_advisory(capsys):
    code, report, _ = check_json(capsys, "prod", "--profile", "development")
    assert report["profile"] == "development"
    for finding in report["findings"]:
        if RULES_BY_ID[finding["rule"]].category is Category.RESILIENCE:
            assert finding["enforcement"] == "advisory"
        else:
            assert finding["enforcement"] == "mandatory"
    assert code == (1 if report["summary"]["mandatory"] > 0 else 0)


@pytest.fixture(scope="module")
def single_az(tmp_path_factory):
    """A scratch project whose prod stack runs the orders database without readers."""
    return prod_project(
        tmp_path_factory.mktemp("single-az"), lambda c: named(c["crossdock:databases"], "orders").update(readers=0)
    )


def test_development_profile_demotes_a_single_az_prod_database(capsys, single_az):
    """prod with readers: 0 blocks on CD-RES-001; the development profile lets it through as advisory."""
    code, strict, _ = check_json(capsys, "prod", "--project", str(single_az))
    flagged = [f for f in strict["findings"] if f["rule"] == "CD-RES-001"]
    assert code == 1
    assert [(f["name"], f["enforcement"]) for f in flagged] == [("prod-data-orders-cluster", "mandatory")]

    code, relaxed, _ = check_json(capsys, "prod", "--project", str(single_az), "--profile", "development")
    flagged = [f for f in relaxed["findings"] if f["rule"] == "CD-RES-001"]
    assert [(f["name"], f["enforcement"]) for f in flagged] == [("prod-data-orders-cluster", "advisory")]
    assert code == (1 if relaxed["summary"]["mandatory"] > 0 else 0)
    assert relaxed["summary"]["mandatory"] == strict["summary"]["mandatory"] - sum(
        1
        for f in strict["findings"]
        if f["enforcement"] == "mandatory" and RULES_BY_ID[f["rule"]].category is Category.RESILIENCE
    )


def test_the_default_waivers_file_is_the_projects(capsys, single_az):
    """Without --waivers, <project>/policies/waivers.yaml applies; when it is malformed the gate refuses to run."""
    default = single_az / "policies" / "waivers.yaml"
    default.parent.mkdir(exist_ok=True)
    try:
        write_waivers(
            default.parent,
            """
            waivers:
              - rule: CD-RES-001
                stack: prod
                resource: prod-data-orders-cluster
                reason: readers return after the instance-class migration (OPS-9)
                expires: 2099-12-31
            """,
        )
        code, report, _ = check_json(capsys, "prod", "--project", str(single_az))
        flagged = [f for f in report["findings"] if f["rule"] == "CD-RES-001"]
        assert [(f["waived"], f["reason"]) for f in flagged] == [
            (True, "readers return after the instance-class migration (OPS-9) (waiver expires 2099-12-31)")
        ]
        assert code == (1 if report["summary"]["mandatory"] > 0 else 0)

        default.write_text("waivers:\n  - rule: CD-RES-001\n")
        code, out, err = run(capsys, "check", "prod", "--project", str(single_az))
        assert code == 2 and out == ""
        assert_one_line_error(err, str(default), "waivers[0].resource: required key is missing")
    finally:
        default.unlink(missing_ok=True)
