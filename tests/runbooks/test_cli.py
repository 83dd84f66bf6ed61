"""`crossdock runbook` and `crossdock emulate` from the command line: exit codes, one-line errors, the rehearsal."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from crossdock import cli
from crossdock.emulate import dummy_environment, moto_gaps
from crossdock.emulate.fixtures import plan_of
from runbooks import contract


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_runbook(capsys):
    code, out, _ = run_cli(capsys, "runbook", "list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == list(contract.RUNBOOK_NAMES)


def test_show_prints_parameters_conditions_and_iam_actions(capsys):
    code, out, _ = run_cli(capsys, "runbook", "show", "queue-replay")
    assert code == 0
    assert out.splitlines()[0].startswith("queue-replay: Replay a flow's dead-letter queue")
    for heading in (
        "Parameters:",
        "Preconditions:",
        "Steps:",
        "Stop conditions:",
        "IAM actions (role <env>-runbook-queue-replay):",
    ):
        assert heading in out.splitlines()
    assert "  --param flow=...  (required) the flow's name in the stack file (crossdock:queues[].name)" in out
    assert (
        "  ReplayLedger: dynamodb:BatchWriteItem, dynamodb:DeleteItem, dynamodb:GetItem, dynamodb:PutItem on ledger"
        in out
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["runbook", "show", "drain-everything"], "unknown runbook 'drain-everything' (runbooks: queue-replay, "),
        (["runbook", "run", "queue-replay", "--stack", "nope", "--param", "flow=x"], "--stack nope: no stack file"),
        (["runbook", "run", "queue-replay", "--stack", "prod", "--param", "flow"], "--param flow: expected K=V"),
        (
            ["runbook", "run", "queue-replay", "--stack", "prod", "--param", "flow=x", "--param", "flow=y"],
            "--param flow given twice",
        ),
        (["runbook", "run", "queue-replay", "--stack", "prod"], "queue-replay needs --param flow=..."),
        (
            ["runbook", "run", "db-failover", "--stack", "prod", "--param", "database=orders", "--param", "scope=up"],
            "--param scope=up: must be one of az, region",
        ),
        (
            [
                "runbook",
                "run",
                "freeze-deploys",
                "--stack",
                "prod",
                "--param",
                "until=2099-01-01T00:00:00Z",
                "--execute",
            ],
            "--execute needs --reason TEXT",
        ),
        (
            ["runbook", "run", "queue-replay", "--stack", "prod-tenant-acme", "--param", "flow=x"],
            "--stack prod-tenant-acme is a silo tenant stack",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.startswith("crossdock: error: " + message)
    assert err.count("\n") == 1 and out == ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_emulate_then_dry_run_and_execute_queue_replay_against_a_moto_server(capsys, monkeypatch, tmp_path):
    """The rehearsal docs/runbooks.md walks through, against a moto server on 127.0.0.1."""
    from moto.server import ThreadedMotoServer

    import crossdock.engine

    plan = plan_of("prod")
    monkeypatch.setattr(crossdock.engine, "run_program", lambda project, stack: plan)
    moto_gaps.install()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    audit = str(tmp_path / "audit.jsonl")
    try:
        with dummy_environment():
            code, out, _ = run_cli(
                capsys,
                "emulate",
                "prod",
                "--endpoint-url",
                url,
                "--seed-dlq",
                "carrier-events=15",
                "--seed-poison",
                "carrier-events=1",
            )
            assert code == 0
            assert out.splitlines()[0].startswith("crossdock emulate prod: ") and out.splitlines()[0].endswith(
                f" at {url}"
            )
            assert "  seeded prod-carrier-events-dlq: 15 messages, 1 poison" in out
            base = ["runbook", "run", "queue-replay", "--stack", "prod", "--param", "flow=carrier-events"]
            base += ["--endpoint-url", url, "--audit-log", audit]
            code, out, _ = run_cli(capsys, *base)
            assert code == 0 and "DRY RUN (nothing changed" in out.splitlines()[0]
            code, out, _ = run_cli(capsys, *base, "--execute", "--reason", "rehearsal", "--format", "json")
            assert code == 0
            record = json.loads(out)
            assert record["status"] == "done" and record["result"]["moved"] == 15 and record["result"]["remaining"] == 1
            code, out, _ = run_cli(capsys, *base, "--execute", "--reason", "again")
            assert code == 0 and '"moved": 0' in out  # nothing left to move: exactly once
            lines = [json.loads(line) for line in Path(audit).read_text().splitlines()]
            assert [r["mode"] for r in lines] == ["dry-run", "execute", "execute"]
    finally:
        server.stop()
