"""`crossdock preview` / `crossdock up` through the Automation API, against a stand-in `pulumi` on PATH.

The stand-in (tests/deploy/fake_pulumi.py) records its arguments and plays back canned output;
no real Pulumi CLI, backend or cloud is involved (AWS calls go to moto).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import boto3
import pytest

from crossdock.diff import cli as diff_cli
from tests.deploy.support import aws_environment
from tests.deploy.test_gate import fake_diff, repo  # noqa: F401 - the small repository fixture
from tests.tenancy.support import cli

HERE = Path(__file__).resolve().parent


@pytest.fixture
def aws(monkeypatch):
    yield from aws_environment(monkeypatch)


@pytest.fixture
def fake_pulumi(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable = bin_dir / "pulumi"
    shutil.copy(HERE / "fake_pulumi.py", executable)
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "pulumi-calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(log))
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "pulumi-home"))

    def calls():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def commands(calls):
    """The recorded argument lists, without `version` and the leading --non-interactive."""
    out = []
    for call in calls:
        argv = call["argv"][1:] if call["argv"][:1] == ["--non-interactive"] else call["argv"]
        if argv != ["version"]:
            out.append(argv)
    return out


@pytest.mark.parametrize("command", ["preview", "up"])
def test_without_the_cli_it_stops_with_one_line(command, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pulumi here
    code, out, err = cli(command, "prod", *(["--base", "HEAD"] if command == "up" else []))
    assert (code, out) == (2, "")
    assert err == (
        f"crossdock: error: crossdock {command} needs the Pulumi CLI, and no `pulumi` is on PATH; install it "
        "(https://www.pulumi.com/docs/iac/download-install/) and log in to a backend; `crossdock check` and "
        "`crossdock diff` work without it\n"
    )


def test_preview_runs_the_policy_pack_and_saves_a_plan(repo, fake_pulumi, tmp_path):  # noqa: F811
    plan = tmp_path / "prod.plan.json"
    code, out, err = cli("preview", "prod", "--project", str(repo), "--plan", str(plan))
    assert (code, err) == (0, "")
    select, preview = commands(fake_pulumi())
    assert select == ["stack", "select", "--stack", "prod"]
    assert preview[0] == "preview"
    assert preview[preview.index("--policy-pack") + 1] == "policies"
    assert preview[preview.index("--save-plan") + 1] == str(plan)
    assert preview[-2:] == ["--stack", "prod"]
    assert {c["cwd"] for c in fake_pulumi() if c["argv"] != ["version"]} == {str(repo)}
    assert json.loads(plan.read_text())["manifest"] == {"version": "3.205.0"}
    assert out.splitlines()[-1] == (
        f"crossdock preview prod: passed the policy pack; 2 to create, 1 to update, 140 unchanged; plan saved to {plan}"
    )
    assert "Previewing update (prod)" in out  # the CLI's own output is streamed


def test_failed_preview_is_exit_1_with_the_cli_reason(repo, fake_pulumi, monkeypatch):  # noqa: F811
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "preview")
    code, _, err = cli("preview", "prod", "--project", str(repo))
    assert code == 1
    assert err == "crossdock: error: pulumi preview failed: error: preview failed: 1 mandatory policy violation\n"


def test_up_previews_gates_deploys_the_saved_plan_and_records_a_marker(repo, fake_pulumi, aws, monkeypatch):  # noqa: F811
    monkeypatch.setattr(diff_cli, "compute", lambda *a, **k: fake_diff(risky=False))
    sqs = aws["sqs"]
    events = boto3.client("events", region_name="us-east-1")
    inbox_arn = sqs.get_queue_attributes(QueueUrl=aws["inbox"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="deployments", EventPattern=json.dumps({"source": ["crossdock.deploy"]}))
    events.put_targets(Rule="deployments", Targets=[{"Id": "inbox", "Arn": inbox_arn}])

    code, out, err = cli("up", "prod", "--project", str(repo), "--base", "HEAD")
    assert (code, err) == (0, "")
    calls = commands(fake_pulumi())
    preview = next(c for c in calls if c[0] == "preview")
    up = next(c for c in calls if c[0] == "up")
    assert up[:3] == ["up", "--yes", "--skip-preview"]
    assert up[up.index("--policy-pack") + 1] == "policies"
    assert up[up.index("--plan") + 1] == preview[preview.index("--save-plan") + 1]
    assert [c[0] for c in calls].index("preview") < [c[0] for c in calls].index("up")
    lines = out.splitlines()
    assert "crossdock up prod: preview passed the policy pack; 2 to create, 1 to update, 140 unchanged" in lines
    assert any(line.startswith("crossdock deploy-gate prod at ") and line.endswith(": ALLOWED") for line in lines)
    revision = lines[-1].split("deployed ", 1)[1].split(":", 1)[0]
    assert lines[-1] == (
        f"crossdock up prod: deployed {revision}: 2 to create, 1 to update, 140 unchanged; "
        "deployment marker: event on bus default, metric Crossdock/Deployments/Deployments"
    )
    (message,) = sqs.receive_message(QueueUrl=aws["inbox"], MaxNumberOfMessages=10)["Messages"]
    event = json.loads(message["Body"])
    assert (event["source"], event["detail-type"]) == ("crossdock.deploy", "crossdock deployment")
    detail = event["detail"]
    assert detail["stack"] == "prod" and detail["environment"] == "prod" and detail["actor"] == "deployer"
    assert detail["revision"] == revision and len(revision.split("+")[0]) == 40
    assert detail["resource_changes"] == {"create": 2, "update": 1, "same": 140}
    assert detail["risks"]["routine"] == 1
    metrics = boto3.client("cloudwatch", region_name="us-east-1").list_metrics(Namespace="Crossdock/Deployments")
    assert [m["MetricName"] for m in metrics["Metrics"]] == ["Deployments"]


def test_up_blocked_by_the_gate_never_runs_pulumi_up(repo, fake_pulumi, aws, monkeypatch):  # noqa: F811
    monkeypatch.setattr(diff_cli, "compute", lambda *a, **k: fake_diff(risky=True))
    code, out, _ = cli("up", "prod", "--project", str(repo), "--base", "HEAD")
    assert code == 1
    assert out.splitlines()[-1] == "crossdock up prod: the deploy gate blocked it; nothing was deployed"
    assert "up" not in [c[0] for c in commands(fake_pulumi())]


def test_failed_up_is_exit_1(repo, fake_pulumi, aws, monkeypatch):  # noqa: F811
    monkeypatch.setattr(diff_cli, "compute", lambda *a, **k: fake_diff(risky=False))
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "up")
    code, _, err = cli("up", "prod", "--project", str(repo), "--base", "HEAD")
    assert code == 1
    assert err == "crossdock: error: pulumi up failed: error: update failed: creating SQS Queue: AccessDenied\n"
