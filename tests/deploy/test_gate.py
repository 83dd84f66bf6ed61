"""`crossdock deploy-gate`: the freeze flag (SSM, in moto), windows, approvals, break-glass and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from crossdock.deploy.flag import format_flag, parse_flag
from crossdock.diff import Revision, diff_plans
from crossdock.diff import cli as diff_cli
from tests.deploy.support import AT_CUTOFF, FLAG, aws_environment
from tests.diff.support import ROOT, git
from tests.diff.test_compare_and_risk import QUEUE, plan, res
from tests.tenancy.support import cli

AT_QUIET = "2026-12-08T15:00:00Z"  # Tuesday 09:00 in Chicago: no window
AT_PEAK = "2026-11-24T15:00:00Z"  # peak-season (blocks all)


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- the flag's value --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "frozen", "text"),
    [
        (None, False, f"{FLAG} does not exist (no freeze)"),
        ("off", False, f"{FLAG} is off"),
        ("on", True, f"{FLAG} is on"),
        ("2026-12-24T06:00:00Z", True, f"{FLAG} is on until 2026-12-24T06:00:00+00:00"),
        ("2026-12-01T06:00:00Z", False, f"{FLAG} is off"),
        (
            format_flag(at("2026-12-24T06:00:00Z"), "carrier outage INC-42", "oncall"),
            True,
            f"{FLAG} is on until 2026-12-24T06:00:00+00:00 (set by oncall): carrier outage INC-42",
        ),
        (json.dumps({"frozen": True, "until": "2026-12-01T00:00:00Z"}), False, f"{FLAG} is off"),
        (json.dumps({"frozen": False}), False, f"{FLAG} is off"),
        ("maybe", True, f"{FLAG} is on: unrecognised value 'maybe' (fails closed)"),
    ],
)
def test_flag_values(raw, frozen, text):
    flag = parse_flag(FLAG, raw, at("2026-12-07T12:00:00Z"))
    assert (flag.frozen, flag.describe()) == (frozen, text)


# -- the command, on a small repository whose base commit has prod's windows -------------------


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", repo / "Pulumi.yaml")
    (repo / "__main__.py").write_text("# never run: these tests replace the plan comparison\n")
    for name in ("Pulumi.prod.yaml", "Pulumi.prod-tenant-acme.yaml", "Pulumi.dev.yaml"):
        shutil.copy(ROOT / "stacks" / name, repo / "stacks" / name)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def fake_diff(risky: bool, changed: bool = True):
    base = [QUEUE]
    if not changed:
        head = [QUEUE]
    elif risky:
        head = []
    else:
        head = [QUEUE, res("aws:sns/topic:Topic", "topic")]
    return diff_plans(plan(*base), plan(*head), Revision("HEAD", "a" * 40), Revision("working tree", None))


@pytest.fixture
def aws(monkeypatch):
    yield from aws_environment(monkeypatch)


def gate(repo, *args, diff=None, monkeypatch=None):
    if diff is not None:
        monkeypatch.setattr(diff_cli, "compute", lambda *a, **k: diff)
    return cli("deploy-gate", "prod", "--project", str(repo), "--base", "HEAD", *args)


def audit(repo):
    return [json.loads(line) for line in (repo / ".crossdock" / "audit.jsonl").read_text().splitlines()]


def test_risky_change_inside_a_high_risk_window_is_blocked_with_name_and_end(repo, aws, monkeypatch):
    result = fake_diff(risky=True)
    code, out, err = gate(repo, "--at", AT_CUTOFF, diff=result, monkeypatch=monkeypatch)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == "crossdock deploy-gate prod at 2026-12-07T22:30:00Z: BLOCKED"
    assert lines[1] == (
        "  blocked: freeze window warehouse-cutoff (daily 16:00-19:00 America/Chicago, blocks high-risk changes) "
        "is in force until 2026-12-07T19:00:00-06:00 (2026-12-08T01:00:00Z)"
    )
    assert lines[2] == (
        f"  blocked: 1 risky change(s) (1 data-loss) need an approval of change {result.change_id()}: "
        "a reviewer and reason in the approvals file, or --approved-by/--approval-reason"
    )
    (record,) = audit(repo)
    assert record["decision"] == "blocked" and record["windows"] == ["warehouse-cutoff"]
    assert record["actor"] == "deployer" and record["change_id"] == result.change_id()


def test_routine_change_passes_a_high_risk_window_but_not_an_all_window(repo, aws, monkeypatch):
    code, out, _ = gate(repo, "--at", AT_CUTOFF, diff=fake_diff(risky=False), monkeypatch=monkeypatch)
    assert code == 0
    assert out.splitlines()[0].endswith(": ALLOWED")
    assert (
        "  note: freeze window warehouse-cutoff (daily 16:00-19:00 America/Chicago, blocks high-risk changes) is in force; no high-risk change, so it does not block"
        in out
    )
    code, out, _ = gate(repo, "--at", AT_PEAK, diff=fake_diff(risky=False), monkeypatch=monkeypatch)
    assert code == 1
    assert (
        "  blocked: freeze window peak-season (one-off 2026-11-23T00:00:00 to 2026-12-01T00:00:00, blocks every change) is in force until 2026-12-01T00:00:00-06:00 (2026-12-01T06:00:00Z)"
        in out
    )


def test_no_changes_are_never_blocked_by_a_window(repo, aws, monkeypatch):
    code, out, _ = gate(repo, "--at", AT_PEAK, diff=fake_diff(risky=False, changed=False), monkeypatch=monkeypatch)
    assert code == 0 and "change " in out and "no resource changes" in out


def test_approval_from_file_or_pipeline_lets_a_risky_change_go_outside_windows(repo, aws, monkeypatch):
    result = fake_diff(risky=True)
    code, out, _ = gate(repo, "--at", AT_QUIET, diff=result, monkeypatch=monkeypatch)
    assert code == 1
    approvals = repo / "deploy" / "approvals.yaml"
    approvals.parent.mkdir()
    approvals.write_text(
        "approvals:\n"
        f"  - stack: prod\n    change: {result.change_id()[:10]}\n    reviewer: alice\n    reason: queue retired (CHG-1)\n"
        "    expires: 2026-12-09T00:00:00Z\n"
    )
    code, out, _ = gate(repo, "--at", AT_QUIET, diff=result, monkeypatch=monkeypatch)
    assert code == 0
    assert "  approved by alice (deploy/approvals.yaml): queue retired (CHG-1)" in out
    code, _, _ = gate(repo, "--at", "2026-12-09T15:00:00Z", diff=result, monkeypatch=monkeypatch)
    assert code == 1  # expired
    code, out, _ = gate(
        repo,
        "--at",
        AT_QUIET,
        "--approved-by",
        "bob",
        "--approval-reason",
        "env reviewer",
        diff=result,
        monkeypatch=monkeypatch,
    )
    assert code == 0 and "  approved by bob (--approved-by): env reviewer" in out


def test_freeze_flag_blocks_everything_without_planning(repo, aws, monkeypatch):
    aws["ssm"].put_parameter(
        Name=FLAG, Value=format_flag(None, "INC-42 carrier outage", "oncall"), Type="String", Overwrite=True
    )

    def must_not_plan(*args, **kwargs):
        raise AssertionError("the flag blocks before planning")

    monkeypatch.setattr(diff_cli, "compute", must_not_plan)
    code, out, _ = gate(repo, "--at", AT_QUIET)
    assert code == 1
    assert out.splitlines()[1] == f"  blocked: deploy-freeze flag: {FLAG} is on (set by oncall): INC-42 carrier outage"


def test_unreadable_flag_fails_closed(repo, monkeypatch):
    monkeypatch.setattr(diff_cli, "compute", lambda *a, **k: fake_diff(risky=False))
    # An endpoint nothing listens on: the flag cannot be read.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    code, out, _ = gate(repo, "--at", AT_QUIET, "--endpoint-url", "http://127.0.0.1:9")
    assert code == 1
    assert out.splitlines()[1].startswith(
        f"  blocked: deploy-freeze flag unreadable, failing closed: cannot read {FLAG}: "
    )


def test_break_glass_goes_through_windows_flag_and_approvals_audited_and_announced(repo, aws, monkeypatch):
    aws["ssm"].put_parameter(Name=FLAG, Value="on", Type="String", Overwrite=True)
    result = fake_diff(risky=True)
    code, out, err = gate(
        repo,
        "--at",
        AT_CUTOFF,
        "--break-glass",
        "--reason",
        "label printing down, hotfix INC-7",
        diff=result,
        monkeypatch=monkeypatch,
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "crossdock deploy-gate prod at 2026-12-07T22:30:00Z: ALLOWED by break-glass"
    assert [line for line in lines if line.startswith("  blocked:")][:2] == [
        f"  blocked: deploy-freeze flag: {FLAG} is on",
        "  blocked: freeze window warehouse-cutoff (daily 16:00-19:00 America/Chicago, blocks high-risk changes) "
        "is in force until 2026-12-07T19:00:00-06:00 (2026-12-08T01:00:00Z)",
    ]
    assert f"  announced on {aws['critical']}" in lines
    (record,) = audit(repo)
    assert record["decision"] == "break-glass"
    assert record["break_glass_reason"] == "label printing down, hotfix INC-7"
    assert record["notified"] == aws["critical"]
    messages = aws["sqs"].receive_message(QueueUrl=aws["inbox"], MaxNumberOfMessages=10)["Messages"]
    body = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert body["stack"] == "prod" and body["break_glass_reason"] == "label printing down, hotfix INC-7"


def test_tenant_stack_uses_its_environments_windows_and_flag(repo, aws, monkeypatch):
    monkeypatch.setattr(diff_cli, "compute", lambda *a, **k: fake_diff(risky=True))
    code, out, _ = cli("deploy-gate", "prod-tenant-acme", "--project", str(repo), "--base", "HEAD", "--at", AT_CUTOFF)
    assert code == 1
    assert "freeze window warehouse-cutoff" in out
    assert out.rstrip().endswith("windows from stacks/Pulumi.prod.yaml@HEAD; decision recorded in the audit log")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--at", "2026-12-07T16:30:00"],
            "--at 2026-12-07T16:30:00: give a UTC offset (e.g. Z or -06:00); a bare local time is ambiguous",
        ),
        (["--at", "tomorrow"], "--at tomorrow: not an ISO 8601 time (e.g. 2026-12-07T16:30:00-06:00)"),
        (["--break-glass"], "--break-glass needs --reason TEXT (it is recorded in the audit log)"),
        (
            ["--approved-by", "x"],
            "--approved-by and --approval-reason go together: an approval is a reviewer and a reason",
        ),
        (["--approvals", "nope.yaml"], "--approvals nope.yaml: no such file"),
    ],
)
def test_bad_input_is_one_line(repo, args, message):
    code, out, err = gate(repo, *args)
    assert (code, out, err) == (2, "", f"crossdock: error: {message}\n")


def test_invalid_window_in_the_base_stack_names_file_and_key(repo):
    stack = repo / "stacks" / "Pulumi.prod.yaml"
    stack.write_text(stack.read_text().replace('start: "16:00"', "start: 16:00", 1))
    git(repo, "commit", "-q", "-am", "unquoted time")
    code, _, err = gate(repo, "--at", AT_QUIET)
    assert code == 2
    assert err == (
        "crossdock: error: stacks/Pulumi.prod.yaml@HEAD: crossdock:deploy.freezeWindows[0].start: "
        'write the time in quotes, e.g. "16:00" (unquoted, YAML reads 16:00 as a number)\n'
    )
