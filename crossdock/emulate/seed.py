"""Put messages into an emulated flow's dead-letter queue, as failed deliveries would have left them."""

from __future__ import annotations

import json
from typing import Any

from crossdock.engine import Plan


def dead_letter_queue(plan: Plan, flow: str) -> tuple[str, str, bool]:
    """(region, queue name, fifo) of the flow's DLQ, from the plan's tags."""
    for r in plan.resources:
        tags = r.inputs.get("tags") or {}
        if r.type == "aws:sqs/queue:Queue" and tags.get("flow") == flow and tags.get("queue-role") == "dead-letter":
            name = str(r.outputs.get("name") or r.inputs.get("name"))
            return r.region or "us-east-1", name, bool(r.inputs.get("fifoQueue"))
    flows = sorted(
        {
            str(tag)
            for r in plan.resources
            if r.type == "aws:sqs/queue:Queue" and (tag := (r.inputs.get("tags") or {}).get("flow")) is not None
        }
    )
    raise KeyError(f"no flow {flow!r} in {plan.stack} (flows: {', '.join(flows)})")


def seed(
    sqs: Any, queue_url: str, count: int, *, fifo: bool, poison: int = 0, groups: int = 3, start: int = 0
) -> list[str]:
    """`count` JSON messages (then `poison` that are not JSON), in batches of 10; returns the bodies sent.

    FIFO messages cycle through `groups` message groups with a sequence number per group,
    so a test can check the replayed order.
    """
    bodies: list[str] = []
    entries: list[dict] = []

    def flush() -> None:
        if entries:
            response = sqs.send_message_batch(QueueUrl=queue_url, Entries=list(entries))
            if response.get("Failed"):
                raise RuntimeError(f"seeding {queue_url} failed: {response['Failed'][0]}")
            entries.clear()

    for i in range(start, start + count + poison):
        group = f"shipment-{i % groups}"
        body = json.dumps({"seq": i, "group": group, "event": "carrier-update"}) if i < start + count else f"<bad {i}"
        entry: dict[str, Any] = {"Id": str(i), "MessageBody": body}
        if fifo:
            entry["MessageGroupId"] = group
            entry["MessageDeduplicationId"] = f"seed-{i}"
        entries.append(entry)
        bodies.append(body)
        if len(entries) == 10:
            flush()
    flush()
    return bodies
