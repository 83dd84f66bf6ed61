"""queue-replay: move a flow's dead-letter queue back into its source queue, exactly once.

Why not SQS's own DLQ redrive (StartMessageMoveTask)? It moves everything, at a rate,
with no per-message decision: it cannot leave poison messages behind, cannot tell that
a message was already replayed by a run that crashed, cannot stop when replayed
messages start failing again or an alarm fires, and cannot give a FIFO message a
deterministic deduplication id. This runbook moves messages itself:

1. classify each DLQ message (poison or retryable, by the flow's predicate) and leave
   poison where it is, reported;
2. claim its replay id in the replay ledger with a conditional write *before* sending:
   a claim that already exists means an earlier run sent (or may have sent) it, so it
   is never sent twice;
3. send it to the source queue with the replay id as a message attribute (FIFO: the
   original `MessageGroupId`, in order, and the replay id as `MessageDeduplicationId`),
   mark the claim sent, and only then delete it from the DLQ.

A re-run after a crash deletes DLQ copies whose claim says sent (they were delivered),
reports claims that never reached "sent" as in doubt (left in the DLQ, not sent), and
replays the rest. One replay per queue at a time: a lock item with an expiry in the
same ledger.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from runbooks import contract
from runbooks.core import Param, Run, Runbook, RunbookInputError, Stopped, error_code

# Messages per second when --param rate is not given: the flow's criticality decides how
# hard the source's consumers may be pushed while they recover.
DEFAULT_RATE = {
    "real-time-fulfillment": 50.0,
    "near-real-time-integration": 20.0,
    "internal-reporting": 10.0,
    "deferred-analytics": 5.0,
}
BATCH = 10  # SQS's batch limit
LEDGER_DAYS = 14  # as long as a DLQ keeps a message
LOCK_MINUTES = 15
EMPTY_RECEIVES = 2
MIN_SAMPLE_FOR_REFILL = 10
POISON_PREDICATES = ("not-json", "attribute", "receive-count")


def _params() -> tuple[Param, ...]:
    return (
        Param("flow", "the flow's name in the stack file (crossdock:queues[].name)", required=True),
        Param("rate", "messages per second (default: by the flow's criticality)"),
        Param(
            "poison",
            "poison predicate(s), comma-separated: not-json (body is not a JSON object), attribute:NAME "
            "(message attribute NAME is 'true'), receive-count:N (received more than N times from the DLQ)",
            default="not-json",
        ),
        Param("max-return-percent", "stop when more than this % of replayed messages come back", default="10"),
        Param("max-backlog", "refuse when the source holds more messages (default: rate x the age-alarm seconds)"),
        Param("downstream-alarm", "comma-separated alarm names downstream of the flow; any in ALARM stops the run"),
        Param("limit", "move at most this many messages"),
        Param("lock-minutes", "how long the replay lock lasts without renewal", default=str(LOCK_MINUTES)),
    )


class _Replay:
    def __init__(self, run: Run) -> None:
        self.run = run
        env = run.environment
        name = run.params["flow"]
        if name not in run.facts.flows:
            known = ", ".join(sorted(run.facts.flows)) or "none"
            raise RunbookInputError(f"--param flow={name}: no such flow in {run.facts.stack} (flows: {known})")
        self.flow = run.facts.flows[name]
        self.rate = _positive(run.params.get("rate"), "rate", DEFAULT_RATE.get(self.flow.criticality, 10.0))
        self.max_return = _positive(run.params["max-return-percent"], "max-return-percent", 10.0, allow_zero=True)
        default_backlog = self.rate * self.flow.age_alarm_seconds
        self.max_backlog = _positive(run.params.get("max-backlog"), "max-backlog", default_backlog, allow_zero=True)
        self.limit = int(_positive(run.params.get("limit"), "limit", math.inf)) if run.params.get("limit") else None
        self.lock_seconds = 60 * _positive(run.params["lock-minutes"], "lock-minutes", LOCK_MINUTES)
        self.predicates = _predicates(run.params["poison"])
        self.downstream = [a for a in (run.params.get("downstream-alarm") or "").split(",") if a.strip()]
        self.sqs = run.client("sqs")
        self.ledger = contract.ledger_table_name(env)
        self.dynamodb = run.client("dynamodb")
        self.cloudwatch = run.client("cloudwatch")
        self.age_alarm = contract.age_alarm_name(env, self.flow.name)
        self.result: dict[str, Any] = {
            "moved": 0,
            "skipped_already_replayed": 0,
            "poison": [],
            "returned": 0,
            "in_doubt": [],
            "remaining": None,
        }
        self.left: list[dict] = []  # received and left in the DLQ: made visible again when the run ends

    # -- targets ------------------------------------------------------------------------------
    def resolve(self) -> None:
        run, flow = self.run, self.flow
        queues = run.tagged("sqs", {contract.TAG_FLOW: flow.name})
        expected = {
            contract.QUEUE_ROLE_SOURCE: contract.queue_name(run.environment, flow.name, flow.fifo),
            contract.QUEUE_ROLE_DEAD_LETTER: contract.dead_letter_queue_name(run.environment, flow.name, flow.fifo),
        }
        arns = {}
        for role, name in expected.items():
            candidates = [q["arn"] for q in queues if q["tags"].get(contract.TAG_QUEUE_ROLE) == role]
            arns[role] = run.one(
                f"{role} queue of flow {flow.name}",
                candidates,
                lambda arn: arn.rsplit(":", 1)[-1],
                f"expected {name} tagged {contract.TAG_FLOW}={flow.name}, {contract.TAG_QUEUE_ROLE}={role}",
            )
        self.source_arn = arns[contract.QUEUE_ROLE_SOURCE]
        self.dlq_arn = arns[contract.QUEUE_ROLE_DEAD_LETTER]
        self.source_url = self.sqs.get_queue_url(QueueName=self.source_arn.rsplit(":", 1)[-1])["QueueUrl"]
        self.dlq_url = self.sqs.get_queue_url(QueueName=self.dlq_arn.rsplit(":", 1)[-1])["QueueUrl"]
        source = self._attributes(self.source_url)
        redrive = json.loads(source.get("RedrivePolicy") or "{}")
        if redrive.get("deadLetterTargetArn") != self.dlq_arn:
            raise RunbookInputError(
                f"{self.source_arn} does not redrive into {self.dlq_arn} (its redrive policy: {redrive or 'none'})"
            )
        self.fifo = source.get("FifoQueue") == "true"
        self.dlq_visibility = int(self._attributes(self.dlq_url).get("VisibilityTimeout", "30"))
        run.step("resolve targets", "checked", f"{self.dlq_arn} -> {self.source_arn}")

    def _attributes(self, url: str) -> dict:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    def depth(self, url: str, *, in_flight: bool = True) -> int:
        """Messages in the queue: visible ones, plus (by default) those received and not yet deleted."""
        attributes = self._attributes(url)
        visible = int(attributes.get("ApproximateNumberOfMessages", 0))
        return visible + (int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)) if in_flight else 0)

    # -- preconditions and stop conditions -------------------------------------------------------
    def alarm_states(self, names: list[str]) -> dict[str, str]:
        found = self.cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]
        states = {alarm["AlarmName"]: alarm["StateValue"] for alarm in found}
        missing = [name for name in names if name not in states]
        if missing:
            raise RunbookInputError(f"alarm {missing[0]} does not exist in {self.run.environment}")
        return states

    def check_alarms(self, when: str) -> None:
        states = self.alarm_states([self.age_alarm, *self.downstream])
        age = states[self.age_alarm]
        self.run.check(
            "source consumers healthy",
            age == "OK",
            f"{when}: the source's age alarm {self.age_alarm} is {age}" + ("" if age == "OK" else ", not OK"),
        )
        for name in self.downstream:
            self.run.check(
                "downstream healthy",
                states[name] != "ALARM",
                f"{when}: downstream alarm {name} is {states[name]}",
            )

    def check_backlog(self) -> None:
        backlog = self.depth(self.source_url, in_flight=False)
        self.run.check(
            "source backlog under threshold",
            backlog <= self.max_backlog,
            f"source holds {backlog} messages (threshold {_fmt(self.max_backlog)})",
        )

    def check_refill(self, sent: int, returned: int) -> None:
        if sent < MIN_SAMPLE_FOR_REFILL:
            return
        percent = 100.0 * returned / sent
        self.run.check(
            "DLQ not refilling",
            percent <= self.max_return,
            f"{returned} of {sent} replayed messages came back to the DLQ ({percent:.1f}% > {_fmt(self.max_return)}%)"
            if percent > self.max_return
            else f"{returned} of {sent} replayed messages came back ({percent:.1f}%)",
        )

    # -- the lock ----------------------------------------------------------------------------
    def lock_key(self) -> dict:
        return {contract.LEDGER_KEY: {"S": f"lock#{self.dlq_arn}"}}

    def check_lock(self) -> None:
        item = self.dynamodb.get_item(TableName=self.ledger, Key=self.lock_key(), ConsistentRead=True).get("Item")
        if item and float(item[contract.LEDGER_EXPIRES]["N"]) > self.run.clock():
            self.run.check(
                "no other replay running",
                False,
                f"replay {item['run_id']['S']} by {item.get('caller', {}).get('S', '?')} holds the lock on "
                f"{self.dlq_arn.rsplit(':', 1)[-1]} until {_iso(float(item[contract.LEDGER_EXPIRES]['N']))}",
            )
        self.run.check("no other replay running", True, "no live lock on the DLQ")

    def take_lock(self) -> None:
        now = self.run.clock()
        item = {
            **self.lock_key(),
            "run_id": {"S": self.run.id},
            "caller": {"S": self.run.caller},
            contract.LEDGER_EXPIRES: {"N": str(int(now + self.lock_seconds))},
        }
        try:
            self.dynamodb.put_item(
                TableName=self.ledger,
                Item=item,
                ConditionExpression="attribute_not_exists(#k) OR #e < :now OR run_id = :me",
                ExpressionAttributeNames={"#k": contract.LEDGER_KEY, "#e": contract.LEDGER_EXPIRES},
                ExpressionAttributeValues={":now": {"N": str(int(now))}, ":me": {"S": self.run.id}},
            )
        except Exception as error:
            if error_code(error) == "ConditionalCheckFailedException":
                self.check_lock()  # reports who holds it
                raise Stopped("no other replay running", "another replay took the lock") from error
            raise

    def release_lock(self) -> None:
        try:
            self.dynamodb.delete_item(
                TableName=self.ledger,
                Key=self.lock_key(),
                ConditionExpression="run_id = :me",
                ExpressionAttributeValues={":me": {"S": self.run.id}},
            )
        except Exception as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    # -- classification and the move -----------------------------------------------------------
    def replay_id(self, message: dict) -> str:
        return hashlib.sha256(f"{self.dlq_arn}|{message['MessageId']}".encode()).hexdigest()[:40]

    def poison_reason(self, message: dict) -> str | None:
        for kind, argument in self.predicates:
            if kind == "not-json":
                try:
                    body = json.loads(message.get("Body", ""))
                except ValueError:
                    return "body is not JSON"
                if not isinstance(body, dict):
                    return "body is not a JSON object"
            elif kind == "attribute":
                value = message.get("MessageAttributes", {}).get(argument, {}).get("StringValue", "")
                if value.lower() == "true":
                    return f"attribute {argument} is true"
            elif kind == "receive-count":
                count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "0"))
                if count > int(argument):
                    return f"received {count} times (> {argument})"
        return None

    def ledger_key(self, replay_id: str) -> dict:
        return {contract.LEDGER_KEY: {"S": f"replay#{replay_id}"}}

    def claim(self, replay_id: str, message: dict) -> bool:
        now = self.run.clock()
        try:
            self.dynamodb.put_item(
                TableName=self.ledger,
                Item={
                    **self.ledger_key(replay_id),
                    "state": {"S": "claimed"},
                    "run_id": {"S": self.run.id},
                    "flow": {"S": self.flow.name},
                    "message_id": {"S": message["MessageId"]},
                    contract.LEDGER_EXPIRES: {"N": str(int(now + LEDGER_DAYS * 86400))},
                },
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": contract.LEDGER_KEY},
            )
            return True
        except Exception as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise

    def move(self) -> None:
        run = self.run
        seen: set[str] = set()
        sent_this_run = 0
        returned_this_run = 0
        empty = 0
        tokens = 0.0
        last = run.clock()
        while self.limit is None or self.result["moved"] < self.limit:
            batch = self.sqs.receive_message(
                QueueUrl=self.dlq_url,
                MaxNumberOfMessages=BATCH,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                VisibilityTimeout=max(self.dlq_visibility, 30),
                WaitTimeSeconds=0,
            ).get("Messages", [])
            fresh = [m for m in batch if m["MessageId"] not in seen]
            if not fresh:
                empty += 1
                if empty >= EMPTY_RECEIVES:
                    break
                continue
            empty = 0
            to_send: list[tuple[str, dict]] = []
            to_delete: list[dict] = []
            for message in fresh:
                seen.add(message["MessageId"])
                if self.limit is not None and self.result["moved"] + len(to_send) >= self.limit:
                    break
                carried = message.get("MessageAttributes", {}).get(contract.REPLAY_ID_ATTRIBUTE)
                if carried:  # replayed before, failed again: it is back in the DLQ
                    self.left.append(message)
                    self.result["returned"] += 1
                    item = self.dynamodb.get_item(
                        TableName=self.ledger, Key=self.ledger_key(carried["StringValue"]), ConsistentRead=True
                    ).get("Item")
                    if item and item.get("run_id", {}).get("S") == run.id:
                        returned_this_run += 1
                    continue
                reason = self.poison_reason(message)
                if reason:
                    self.left.append(message)
                    self.result["poison"].append({"message_id": message["MessageId"], "reason": reason})
                    continue
                replay_id = self.replay_id(message)
                if self.claim(replay_id, message):
                    to_send.append((replay_id, message))
                    continue
                item = self.dynamodb.get_item(
                    TableName=self.ledger, Key=self.ledger_key(replay_id), ConsistentRead=True
                ).get("Item", {})
                if item.get("state", {}).get("S") == "sent":
                    to_delete.append(message)  # delivered by an earlier run that stopped before deleting
                    self.result["skipped_already_replayed"] += 1
                else:
                    self.left.append(message)
                    self.result["in_doubt"].append({"message_id": message["MessageId"], "replay_id": replay_id})
            if to_send:
                # Rate limit: a token bucket refilled at `rate` per second.
                now = run.clock()
                tokens = min(self.rate, tokens + (now - last) * self.rate)
                last = now
                if tokens < len(to_send):
                    run.sleep((len(to_send) - tokens) / self.rate)
                    tokens = len(to_send)
                    last = run.clock()
                tokens -= len(to_send)
                delivered = self.send(to_send)
                sent_this_run += len(delivered)
                self.result["moved"] += len(delivered)
                to_delete += [message for replay_id, message in to_send if replay_id in delivered]
            if to_delete:
                self.delete(to_delete)
            self.renew_lock()
            self.check_refill(sent_this_run, returned_this_run)
            self.check_alarms("during the replay")

    def send(self, batch: list[tuple[str, dict]]) -> set[str]:
        entries = []
        for replay_id, message in batch:
            attributes = dict(message.get("MessageAttributes", {}))
            attributes[contract.REPLAY_ID_ATTRIBUTE] = {"DataType": "String", "StringValue": replay_id}
            entry: dict[str, Any] = {
                "Id": replay_id[:80],
                "MessageBody": message["Body"],
                "MessageAttributes": {k: _attribute(v) for k, v in attributes.items()},
            }
            if self.fifo:
                entry["MessageGroupId"] = message.get("Attributes", {}).get("MessageGroupId", self.flow.name)
                entry["MessageDeduplicationId"] = replay_id
            entries.append(entry)
        response = self.sqs.send_message_batch(QueueUrl=self.source_url, Entries=entries)
        delivered = {entry["Id"] for entry in response.get("Successful", [])}
        by_id = {replay_id[:80]: replay_id for replay_id, _ in batch}
        sent = {by_id[i] for i in delivered}
        if sent:
            self.dynamodb.batch_write_item(
                RequestItems={
                    self.ledger: [
                        {
                            "PutRequest": {
                                "Item": {
                                    **self.ledger_key(replay_id),
                                    "state": {"S": "sent"},
                                    "run_id": {"S": self.run.id},
                                    "flow": {"S": self.flow.name},
                                    "message_id": {"S": message["MessageId"]},
                                    contract.LEDGER_EXPIRES: {"N": str(int(self.run.clock() + LEDGER_DAYS * 86400))},
                                }
                            }
                        }
                        for replay_id, message in batch
                        if replay_id in sent
                    ]
                }
            )
        for replay_id, _ in batch:  # a failed send gives its claim back: the message stays in the DLQ
            if replay_id not in sent:
                self.dynamodb.delete_item(TableName=self.ledger, Key=self.ledger_key(replay_id))
        return sent

    def delete(self, messages: list[dict]) -> None:
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        self.sqs.delete_message_batch(QueueUrl=self.dlq_url, Entries=entries)

    def renew_lock(self) -> None:
        self.take_lock()

    def release_left(self) -> None:
        """Messages left in place become visible again at once, as they were before the run."""
        for start in range(0, len(self.left), BATCH):
            chunk = self.left[start : start + BATCH]
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.dlq_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )
        self.left = []


def run(run: Run) -> dict:
    replay = _Replay(run)
    replay.resolve()
    replay.check_alarms("before the replay")
    replay.check_backlog()
    replay.check_lock()
    depth = replay.depth(replay.dlq_url)
    mode = "FIFO, in MessageGroupId order, deterministic MessageDeduplicationId" if replay.fifo else "standard"
    plan = (
        f"replay up to {depth if replay.limit is None else min(depth, replay.limit)} of {depth} messages from "
        f"{replay.dlq_arn.rsplit(':', 1)[-1]} to {replay.source_arn.rsplit(':', 1)[-1]} ({mode}) at "
        f"{_fmt(replay.rate)}/s; poison ({run.params['poison']}) stays in the DLQ"
    )
    if not run.execute:
        run.step("replay", "would", plan)
        replay.result["remaining"] = depth
        return replay.result
    replay.take_lock()
    try:
        replay.move()
    except Stopped as stop:
        replay.result["remaining"] = replay.depth(replay.dlq_url)
        stop.result = replay.result  # type: ignore[attr-defined]
        run.step("replay", "stopped", f"moved {replay.result['moved']} before stopping")
        raise
    finally:
        replay.release_left()
        replay.release_lock()
    replay.result["remaining"] = replay.depth(replay.dlq_url)
    run.step(
        "replay",
        "done",
        f"moved {replay.result['moved']}, skipped {replay.result['skipped_already_replayed']} already replayed, "
        f"left {len(replay.result['poison'])} poison and {replay.result['returned']} returned, "
        f"{len(replay.result['in_doubt'])} in doubt",
        before={"dlq": depth},
        after={"dlq": replay.result["remaining"]},
    )
    return replay.result


def _attribute(value: dict) -> dict:
    return {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}


def _positive(raw: str | None, name: str, default: float, *, allow_zero: bool = False) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise RunbookInputError(f"--param {name}={raw}: not a number") from None
    if value < 0 or (value == 0 and not allow_zero) or math.isnan(value):
        raise RunbookInputError(f"--param {name}={raw}: must be {'>= 0' if allow_zero else '> 0'}")
    return value


def _predicates(raw: str) -> list[tuple[str, str]]:
    out = []
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        kind, _, argument = part.partition(":")
        if kind not in POISON_PREDICATES:
            raise RunbookInputError(
                f"--param poison={raw}: unknown predicate {kind} (known: {', '.join(POISON_PREDICATES)})"
            )
        if kind in ("attribute", "receive-count") and not argument:
            raise RunbookInputError(f"--param poison={raw}: {kind} needs a value ({kind}:...)")
        if kind == "receive-count" and not argument.isdigit():
            raise RunbookInputError(f"--param poison={raw}: receive-count needs a whole number")
        out.append((kind, argument))
    return out


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


RUNBOOK = Runbook(
    name=contract.QUEUE_REPLAY,
    summary="Replay a flow's dead-letter queue into its source queue exactly once, leaving poison behind.",
    parameters=_params(),
    preconditions=(
        "the source queue's age-of-oldest-message alarm is OK (its consumers are healthy)",
        "the source queue's backlog is under the threshold (default: rate x age-alarm seconds)",
        "no downstream alarm named with --param downstream-alarm is in ALARM",
        "no other replay of this DLQ holds the lock (a ledger item with an expiry)",
    ),
    steps=(
        "find the flow's source queue and DLQ by tags (environment, flow, queue-role) and check the redrive wiring",
        "take the replay lock",
        "receive DLQ messages; leave poison (by the flow's predicate) and returned messages in place",
        "claim each replay id in the ledger (conditional write), then send it (FIFO: same group, replay id as dedup id)",
        "mark the claims sent, then delete the sent messages from the DLQ",
        "release the lock; report moved, skipped as already replayed, poison, returned, in doubt and remaining",
    ),
    stop_conditions=(
        "the DLQ refills: more than --param max-return-percent of the replayed messages come back",
        "the source's age alarm leaves OK",
        "a downstream alarm goes to ALARM",
    ),
    run=run,
)
