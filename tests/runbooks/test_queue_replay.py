"""queue-replay against prod's emulated account: exactly once, poison left, stops that leave a consistent state."""

from __future__ import annotations

import json

import pytest

from runbooks import contract
from runbooks.core import RunbookInputError
from tests.runbooks.conftest import AUDIT_GROUP
from tests.runbooks.helpers import Crash, after_calls, depth, drain, let_visibility_expire, seed_dlq

SOURCE = "prod-carrier-events"
DLQ = "prod-carrier-events-dlq"


@pytest.fixture
def hooks():
    unregister = []
    yield unregister
    for undo in unregister:
        undo()


def ledger_items(prod) -> list[dict]:
    return prod.client("dynamodb").scan(TableName=contract.ledger_table_name("prod"))["Items"]


def test_dry_run_changes_nothing_in_the_account(prod, runbook):
    seed_dlq(prod, "carrier-events", 12, poison=1)
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    outcome = runbook("queue-replay", flow="carrier-events")
    assert outcome.status == "dry-run" and outcome.exit_code == 0
    assert prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    assert [s.name for s in outcome.steps] == [
        "resolve targets",
        "source consumers healthy",
        "source backlog under threshold",
        "no other replay running",
        "replay",
    ]
    assert outcome.steps[-1].detail == (
        "replay up to 13 of 13 messages from prod-carrier-events-dlq to prod-carrier-events (standard) at 50/s; "
        "poison (not-json) stays in the DLQ"
    )


def test_execute_moves_every_retryable_message_once_and_leaves_poison(prod, runbook, tmp_path):
    sent = seed_dlq(prod, "carrier-events", 23, poison=2)
    outcome = runbook("queue-replay", flow="carrier-events", execute=True, reason="INC-42 carrier outage over")
    assert outcome.status == "done"
    assert outcome.result["moved"] == 23
    assert [p["reason"] for p in outcome.result["poison"]] == ["body is not JSON", "body is not JSON"]
    assert outcome.result["remaining"] == 2
    replayed = drain(prod, SOURCE)
    assert sorted(m["Body"] for m in replayed) == sorted(sent[:23])
    ids = {m["MessageAttributes"][contract.REPLAY_ID_ATTRIBUTE]["StringValue"] for m in replayed}
    assert len(ids) == 23
    assert sorted(m["Body"] for m in drain(prod, DLQ)) == sorted(sent[23:])
    states = sorted(i["state"]["S"] for i in ledger_items(prod))
    assert states == ["sent"] * 23  # the lock is released
    record = json.loads((tmp_path / "audit.jsonl").read_text().splitlines()[-1])
    assert record["reason"] == "INC-42 carrier outage over" and record["status"] == "done"
    assert record["params"]["flow"] == "carrier-events" and record["caller"].startswith("arn:aws:")
    events = prod.client("logs").filter_log_events(logGroupName=AUDIT_GROUP)["events"]
    assert json.loads(events[-1]["message"])["run_id"] == outcome.run_id


def test_a_crash_between_send_and_delete_then_a_rerun_delivers_each_message_exactly_once(prod, runbook, hooks):
    sent = seed_dlq(prod, "carrier-events", 40)
    sqs = prod.client("sqs")

    def crash() -> None:
        raise Crash("killed after the send, before the delete")

    hooks.append(after_calls(sqs, "DeleteMessageBatch", 2, crash))  # 2 batches deleted, the 3rd was sent
    with pytest.raises(Crash):
        runbook("queue-replay", flow="carrier-events", execute=True, reason="first attempt")
    hooks.pop()()
    let_visibility_expire(DLQ)
    assert depth(prod, SOURCE) == 30
    outcome = runbook("queue-replay", flow="carrier-events", execute=True, reason="rerun after the crash")
    assert outcome.result["moved"] == 10
    assert outcome.result["skipped_already_replayed"] == 10
    delivered = [m["Body"] for m in drain(prod, SOURCE)]
    assert sorted(delivered) == sorted(sent)  # none lost, none twice
    assert depth(prod, DLQ) == 0


def test_a_crash_after_the_claim_leaves_the_message_in_doubt_never_sent_twice(prod, runbook, hooks):
    sent = seed_dlq(prod, "carrier-events", 10)
    sqs = prod.client("sqs")

    def crash() -> None:
        raise Crash("killed before the send")

    hooks.append(after_calls(sqs, "SendMessageBatch", 0, crash))
    with pytest.raises(Crash):
        runbook("queue-replay", flow="carrier-events", execute=True, reason="first attempt")
    hooks.pop()()
    let_visibility_expire(DLQ)
    outcome = runbook("queue-replay", flow="carrier-events", execute=True, reason="rerun")
    assert outcome.result["moved"] == 0
    assert len(outcome.result["in_doubt"]) == 10
    assert depth(prod, SOURCE) == 0 and sorted(m["Body"] for m in drain(prod, DLQ)) == sorted(sent)


def test_a_second_replay_of_the_same_queue_is_refused_while_the_first_runs(prod, runbook, hooks):
    seed_dlq(prod, "carrier-events", 20)
    sqs = prod.client("sqs")
    second = {}

    def start_second() -> None:
        if not second:
            second["outcome"] = runbook("queue-replay", flow="carrier-events", execute=True, reason="concurrent")

    hooks.append(after_calls(sqs, "SendMessageBatch", 0, start_second))
    first = runbook("queue-replay", flow="carrier-events", execute=True, reason="first")
    refused = second["outcome"]
    assert refused.status == "stopped" and refused.exit_code == 1
    assert refused.stopped_by == "no other replay running"
    assert refused.observed.startswith(f"replay {first.run_id} by arn:aws:")
    assert refused.observed.endswith(" holds the lock on prod-carrier-events-dlq until " + refused.observed[-20:])
    assert first.result["moved"] == 20 and depth(prod, SOURCE) == 20


def test_fifo_replay_keeps_group_order_and_uses_the_replay_id_as_deduplication_id(prod, runbook):
    seed_dlq(prod, "shipment-confirmations", 30, fifo=True)
    outcome = runbook("queue-replay", flow="shipment-confirmations", execute=True, reason="replay confirmations")
    assert outcome.result["moved"] == 30
    replayed = drain(prod, "prod-shipment-confirmations.fifo")
    by_group: dict[str, list[int]] = {}
    for message in replayed:
        body = json.loads(message["Body"])
        assert message["Attributes"]["MessageGroupId"] == body["group"]
        assert (
            message["Attributes"]["MessageDeduplicationId"]
            == message["MessageAttributes"][contract.REPLAY_ID_ATTRIBUTE]["StringValue"]
        )
        by_group.setdefault(body["group"], []).append(body["seq"])
    assert by_group == {f"shipment-{g}": list(range(g, 30, 3)) for g in range(3)}


def test_source_age_alarm_in_alarm_refuses_before_touching_anything(prod, runbook):
    seed_dlq(prod, "carrier-events", 5)
    prod.client("cloudwatch").set_alarm_state(
        AlarmName="prod-carrier-events-oldest-message-age", StateValue="ALARM", StateReason="test"
    )
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    outcome = runbook("queue-replay", flow="carrier-events", execute=True, reason="too early")
    assert (outcome.status, outcome.stopped_by) == ("stopped", "source consumers healthy")
    assert outcome.observed == (
        "before the replay: the source's age alarm prod-carrier-events-oldest-message-age is ALARM, not OK"
    )
    assert prod.state(skip_log_groups=(AUDIT_GROUP,)) == before


def test_source_alarm_firing_mid_replay_stops_with_a_consistent_state(prod, runbook, hooks):
    sent = seed_dlq(prod, "carrier-events", 50)
    cloudwatch = prod.client("cloudwatch")
    sqs = prod.client("sqs")

    def fire() -> None:
        cloudwatch.set_alarm_state(
            AlarmName="prod-carrier-events-oldest-message-age", StateValue="ALARM", StateReason="consumers stalled"
        )

    hooks.append(after_calls(sqs, "SendMessageBatch", 1, fire))  # fires while the 2nd batch is sent
    outcome = runbook("queue-replay", flow="carrier-events", execute=True, reason="replay")
    assert (outcome.status, outcome.stopped_by) == ("stopped", "source consumers healthy")
    assert outcome.observed == (
        "during the replay: the source's age alarm prod-carrier-events-oldest-message-age is ALARM, not OK"
    )
    assert outcome.result["moved"] == 20
    moved = [m["Body"] for m in drain(prod, SOURCE)]
    left = [m["Body"] for m in drain(prod, DLQ)]
    assert len(moved) == 20 and sorted(moved + left) == sorted(sent)  # nothing lost, nothing twice
    assert [i["state"]["S"] for i in ledger_items(prod)] == ["sent"] * 20  # lock released


def test_dlq_refilling_stops_the_replay(prod, runbook, hooks):
    seed_dlq(prod, "carrier-events", 60)
    sqs = prod.client("sqs")
    source, dlq = (sqs.get_queue_url(QueueName=n)["QueueUrl"] for n in (SOURCE, DLQ))

    def consumers_fail_again() -> None:  # what the consumer's redrive would do with every replayed message
        for message in drain(prod, SOURCE):
            sqs.send_message(
                QueueUrl=dlq,
                MessageBody=message["Body"],
                MessageAttributes={
                    k: {"DataType": v["DataType"], "StringValue": v["StringValue"]}
                    for k, v in message["MessageAttributes"].items()
                },
            )

    hooks.append(after_calls(prod.client("cloudwatch"), "DescribeAlarms", 1, consumers_fail_again))
    outcome = runbook("queue-replay", flow="carrier-events", execute=True, reason="replay", max_return_percent="10")
    assert (outcome.status, outcome.stopped_by) == ("stopped", "DLQ not refilling")
    assert outcome.observed.endswith("% > 10%)")
    assert outcome.result["returned"] >= 2
    assert source  # the source was emptied by the failing consumer


def test_unknown_flow_and_bad_parameters_are_bad_input(runbook):
    with pytest.raises(RunbookInputError, match=r"^--param flow=nope: no such flow in prod \(flows: asn-ingestion, "):
        runbook("queue-replay", flow="nope")
    with pytest.raises(RunbookInputError, match=r"^--param rate=fast: not a number$"):
        runbook("queue-replay", flow="carrier-events", rate="fast")
    with pytest.raises(RunbookInputError, match=r"^unknown parameter --param speed=\.\.\. for queue-replay"):
        runbook("queue-replay", flow="carrier-events", speed="1")
    with pytest.raises(RunbookInputError, match=r"^--execute needs --reason TEXT"):
        runbook("queue-replay", flow="carrier-events", execute=True)


def test_a_missing_queue_is_a_one_line_refusal(prod, runbook):
    sqs = prod.client("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=DLQ)["QueueUrl"])
    with pytest.raises(RunbookInputError) as error:
        runbook("queue-replay", flow="carrier-events")
    assert str(error.value) == (
        "no dead-letter queue of flow carrier-events in prod (prod): expected prod-carrier-events-dlq tagged "
        "flow=carrier-events, queue-role=dead-letter"
    )
