"""`crossdock diff prod --base HEAD~1` in a scratch repository whose last commit removes a queue and widens a policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.diff import cli as diff_cli
from crossdock.diff.render import render_json, render_markdown, render_text
from tests.deploy.support import AT_CUTOFF, aws_environment
from tests.diff.support import git, remove_queue_and_widen_policy, scratch_repository
from tests.tenancy.support import cli


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = scratch_repository(tmp_path_factory.mktemp("diff") / "repo")
    remove_queue_and_widen_policy(repo)
    git(repo, "commit", "-q", "-am", "drop edi-inbound, widen flow logs")
    return repo


@pytest.fixture(scope="module")
def result(repo: Path):
    """Planned once: base HEAD~1, head the working tree (= HEAD)."""
    return diff_cli.compute(repo, "prod", "HEAD~1", None)


def test_removed_queue_and_widened_policy_come_first(result):
    ordered = result.ordered()
    risks = [c.risks[0][0] for c in ordered]
    assert risks == sorted(
        risks, key=["data-loss", "security-widening", "resilience-reduction", "high-risk", "routine"].index
    )
    data_loss = [(c.action, c.type, c.name, c.risks) for c in ordered if c.risks[0][0] == "data-loss"]
    assert data_loss == [
        (
            "remove",
            "aws:sqs/queue:Queue",
            "prod-edi-inbound-dlq",
            [("data-loss", "queue removed: its data is deleted")],
        ),
        ("remove", "aws:sqs/queue:Queue", "prod-edi-inbound", [("data-loss", "queue removed: its data is deleted")]),
    ]
    widening = [(c.action, c.name, c.risks) for c in ordered if c.risks[0][0] == "security-widening"]
    log_group = "arn:aws:logs:{}:123456789012:log-group:/crossdock/prod/{}"
    assert widening == [
        (
            "update",
            f"prod-{prefix}flow-logs-policy",
            [
                (
                    "security-widening",
                    f'policy: statement "WriteFlowLogs" allows logs:* on {log_group.format(region, group)}, '
                    f"{log_group.format(region, group)}:*",
                )
            ],
        )
        for prefix, region, group in (
            ("network-", "us-east-1", "vpc-flow-logs"),
            ("dr-vpc-", "us-west-2", "dr-vpc-flow-logs"),
        )
    ]
    assert [c.inputs[0].path for c in ordered if c.risks[0][0] == "security-widening"] == [
        "policy.Statement[0].Action"
    ] * 2


def test_nothing_else_is_risky_by_accident(result):
    risky = {(c.type, c.name, c.risks[0][0]) for c in result.risky}
    names = {name for _, name, _ in risky}
    assert all("edi-inbound" in name or "flow-logs" in name for name in names), sorted(names)


def test_text_report_lists_risky_changes_before_routine(result):
    text = render_text(result)
    assert text.splitlines()[0].startswith("crossdock diff prod: ") and "-> working tree" in text.splitlines()[0]
    assert text.index("Data-loss risk:") < text.index("Security widening:") < text.index("Routine:")
    assert "! queue removed: its data is deleted" in text


def test_markdown_comment_has_summary_table_then_risky_changes(result):
    markdown = render_markdown(result)
    lines = markdown.splitlines()
    assert lines[0] == "### crossdock diff `prod`"
    assert "| Data-loss risk ⚠️ | 2 |" in lines
    assert markdown.index("| Risk | Changes |") < markdown.index("#### Risky changes") < markdown.index("<details>")
    first_item = next(line for line in lines if line.startswith("- **"))
    assert first_item.startswith("- **Data-loss risk** · remove `aws:sqs/queue:Queue` **prod-edi-inbound")


def test_json_report_round_trips(result):
    data = json.loads(render_json(result))
    assert data["stack"] == "prod"
    assert data["base"]["rev"] == "HEAD~1" and len(data["base"]["commit"]) == 40
    assert data["head"] == {"rev": "working tree", "commit": None}
    assert data["summary"]["risks"]["data-loss"] == 2
    assert data["changes"][0]["risk"] == "data-loss"


def test_cli_writes_the_chosen_format(result, repo, tmp_path, monkeypatch):
    monkeypatch.setattr(diff_cli, "compute", lambda *args, **kwargs: result)
    out = tmp_path / "comment.md"
    code, stdout, stderr = cli(
        "diff", "prod", "--project", str(repo), "--base", "HEAD~1", "--format", "markdown", "--output", str(out)
    )
    assert (code, stderr) == (0, "")
    assert out.read_text() == render_markdown(result)
    risky = len(result.risky)
    assert (
        stdout
        == f"crossdock diff prod: {len(result.changes)} change(s), {risky} risky; markdown report written to {out}\n"
    )


def test_unknown_revision_is_bad_input(repo):
    code, stdout, stderr = cli("diff", "prod", "--project", str(repo), "--base", "no-such-branch")
    assert code == 2
    assert stderr == f"crossdock: error: --base no-such-branch: not a commit in {repo.resolve()}\n"


def test_not_a_git_repository_is_bad_input(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    code, _, stderr = cli("diff", "prod", "--project", str(tmp_path), "--base", "HEAD")
    assert code == 2
    assert (
        stderr
        == f"crossdock: error: --project {tmp_path} is not inside a git repository; crossdock diff compares revisions\n"
    )


def test_a_revision_that_does_not_plan_is_named(repo):
    code, _, stderr = cli("diff", "nosuchstack", "--project", str(repo), "--base", "HEAD~1")
    assert code == 2
    assert stderr.startswith("crossdock: error: revision HEAD~1 (")
    assert "stack nosuchstack does not plan:" in stderr


# -- deploy-gate on the same change (the plans above, reused) -----------------------------------


@pytest.fixture
def aws(monkeypatch):
    yield from aws_environment(monkeypatch)


def test_deploy_gate_refuses_the_change_inside_the_cutoff_and_break_glass_lets_it_go(result, repo, aws, monkeypatch):
    monkeypatch.setattr(diff_cli, "compute", lambda *args, **kwargs: result)
    code, out, _ = cli("deploy-gate", "prod", "--project", str(repo), "--base", "HEAD~1", "--at", AT_CUTOFF)
    assert code == 1
    assert out.splitlines()[1] == (
        "  blocked: freeze window warehouse-cutoff (daily 16:00-19:00 America/Chicago, blocks high-risk changes) "
        "is in force until 2026-12-07T19:00:00-06:00 (2026-12-08T01:00:00Z)"
    )
    code, out, _ = cli(
        "deploy-gate",
        "prod",
        "--project",
        str(repo),
        "--base",
        "HEAD~1",
        "--at",
        AT_CUTOFF,
        "--break-glass",
        "--reason",
        "EDI partner cut over early",
    )
    assert code == 0
    assert out.splitlines()[0] == "crossdock deploy-gate prod at 2026-12-07T22:30:00Z: ALLOWED by break-glass"
    records = [json.loads(line) for line in (repo / ".crossdock" / "audit.jsonl").read_text().splitlines()]
    assert [r["decision"] for r in records] == ["blocked", "break-glass"]
    assert records[1]["summary"]["risks"]["data-loss"] == 2
