"""Small helpers the runbook tests share: queue URLs, draining a queue, seeding a DLQ, failing calls."""

from __future__ import annotations

import json
from collections.abc import Callable

from crossdock.emulate.seed import seed
from runbooks import contract


def url(prod, name: str) -> str:
    return prod.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def seed_dlq(prod, flow: str, count: int, *, fifo: bool = False, poison: int = 0) -> list[str]:
    name = contract.dead_letter_queue_name("prod", flow, fifo)
    return seed(prod.client("sqs"), url(prod, name), count, fifo=fifo, poison=poison)


def drain(prod, name: str) -> list[dict]:
    """Every message in a queue, received (and deleted) in order."""
    sqs = prod.client("sqs")
    queue = url(prod, name)
    out: list[dict] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return out
        out += batch
        sqs.delete_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )


def depth(prod, name: str) -> int:
    attributes = prod.client("sqs").get_queue_attributes(QueueUrl=url(prod, name), AttributeNames=["All"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"]) + int(
        attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"]
    )


def bodies(messages: list[dict]) -> list[dict]:
    return [json.loads(m["Body"]) for m in messages]


class Crash(Exception):
    """Stands in for a killed process."""


def after_calls(client, operation: str, count: int, action: Callable[[], None]) -> Callable[[], None]:
    """Run `action` before the (count+1)-th call of `operation` on `client`; returns an unregister function."""
    calls = {"n": 0}

    def hook(**_: object) -> None:
        calls["n"] += 1
        if calls["n"] > count:
            action()

    event = f"before-call.{client.meta.service_model.service_name}.{operation}"
    client.meta.events.register(event, hook, unique_id=f"test-{operation}-{id(hook)}")
    return lambda: client.meta.events.unregister(event, unique_id=f"test-{operation}-{id(hook)}")


def let_visibility_expire(name: str, region: str = "us-east-1") -> None:
    """Time passes: every in-flight message of the queue becomes visible again (what SQS does once the
    visibility timeout of a crashed receiver runs out). moto keeps real time, so the test moves it here."""
    from moto.sqs.models import sqs_backends

    from crossdock.emulate import ACCOUNT_ID

    queue = sqs_backends[ACCOUNT_ID][region].queues[name]
    for message in queue._messages:
        message.change_visibility(0)
