"""Running checkov as a program: where it is found, how it is called, how its JSON is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.checkov import CHECKOV_VERSION, CheckovFailed, CheckovMissing, find_checkov, run_checkov, runner
from crossdock.checkov.runner import parse_report

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_pinned_once_and_bootstrap_reads_that_file() -> None:
    requirements = (ROOT / "crossdock" / "checkov" / "requirements.txt").read_text()
    assert f"checkov=={CHECKOV_VERSION}" in requirements
    assert CHECKOV_VERSION == "3.3.30"
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text()
    assert "crossdock/checkov/requirements.txt" in bootstrap and ".venv-checkov" in bootstrap
    constraints = (ROOT / "crossdock" / "checkov" / "constraints.txt").read_text()
    assert "packaging==23.2" in constraints  # checkov's pin, which is why it has its own venv
    assert "checkov==" not in constraints  # the pin lives in requirements.txt only


def test_a_missing_checkov_venv_says_how_to_install_it(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("CROSSDOCK_CHECKOV", raising=False)
    monkeypatch.setattr(runner, "CHECKOV_VENV", tmp_path / ".venv-checkov")
    with pytest.raises(CheckovMissing) as raised:
        find_checkov()
    message = str(raised.value)
    assert "\n" not in message
    assert "scripts/bootstrap.sh" in message and "--no-checkov" in message and CHECKOV_VERSION in message
    assert raised.value.exit_code == 2


def test_an_override_that_is_not_an_executable_is_reported(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CROSSDOCK_CHECKOV", str(tmp_path / "nope"))
    with pytest.raises(CheckovMissing, match=r"CROSSDOCK_CHECKOV=.*nope is not an executable"):
        find_checkov()


def test_the_command_line_is_offline_json_and_not_quiet(fake_checkov, tmp_path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"planned_values": {"root_module": {"resources": []}}}))
    run_checkov(files=[plan], frameworks=["terraform_plan"])
    (call,) = fake_checkov.calls()
    argv = call["argv"]
    assert "--skip-download" in argv
    assert argv[argv.index("-o") + 1] == "json"
    assert "--quiet" not in argv and "--compact" not in argv
    assert argv[argv.index("--framework") + 1] == "terraform_plan"
    assert argv[argv.index("-f") + 1 :] == [str(plan)]


def test_a_crash_is_one_line_with_checkovs_last_words(fake_checkov, tmp_path) -> None:
    fake_checkov.crash(2)
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    with pytest.raises(CheckovFailed) as raised:
        run_checkov(files=[plan], frameworks=["terraform_plan"])
    assert "checkov exited with 2" in str(raised.value) and "RuntimeError: boom" in str(raised.value)
    assert raised.value.exit_code == 3


def test_parse_report_reads_one_report_a_list_or_a_bare_summary() -> None:
    check = {
        "check_id": "CKV_AWS_27",
        "check_name": "Ensure all data stored in the SQS queue is encrypted",
        "check_result": {"result": "FAILED", "evaluated_keys": ["kms_master_key_id"]},
        "resource": "aws_sqs_queue.q",
        "resource_address": "aws_sqs_queue.q",
        "file_abs_path": "/x/plan.json",
        "severity": "HIGH",
        "guideline": "https://docs.example/ckv_aws_27",
    }
    one = {
        "check_type": "terraform_plan",
        "results": {"failed_checks": [check], "passed_checks": []},
        "summary": {"checkov_version": "3.3.30"},
    }
    report = parse_report(json.dumps(one))
    (result,) = report.results
    assert (result.check_id, result.result, result.resource, result.framework) == (
        "CKV_AWS_27",
        "FAILED",
        "aws_sqs_queue.q",
        "terraform_plan",
    )
    assert (result.severity, result.guideline, result.evaluated_keys) == (
        "high",
        "https://docs.example/ckv_aws_27",
        ("kms_master_key_id",),
    )
    assert report.version == "3.3.30"

    both = parse_report(json.dumps([one, {"check_type": "kubernetes", "results": {}, "summary": {}}]))
    assert len(both.results) == 1

    empty = parse_report(json.dumps({"passed": 0, "failed": 0, "checkov_version": "3.3.30"}))
    assert empty.results == () and empty.version == "3.3.30"


def test_parse_report_rejects_output_that_is_not_json() -> None:
    with pytest.raises(CheckovFailed, match="printed no JSON report"):
        parse_report("Traceback (most recent call last): ...")


def test_the_real_checkov_is_the_pinned_version(real_checkov, tmp_path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "terraform_version": "1.9.0",
                "planned_values": {
                    "root_module": {
                        "resources": [
                            {
                                "address": "aws_sqs_queue.q",
                                "mode": "managed",
                                "type": "aws_sqs_queue",
                                "name": "q",
                                "values": {"name": "q", "sqs_managed_sse_enabled": False},
                            }
                        ]
                    }
                },
            }
        )
    )
    report = run_checkov(files=[plan], frameworks=["terraform_plan"], executable=real_checkov)
    assert report.version == CHECKOV_VERSION
    verdicts = {result.check_id: result.result for result in report.results}
    assert verdicts["CKV_AWS_27"] == "FAILED"
