"""Resilience rules for integration queues: every flow has a dead-letter queue that can hold what fails.

Carrier events, ASN imports and billing triggers travel through SQS. A poison
message without a DLQ is retried until it expires (the shipment silently never
ships); a DLQ that keeps messages for less time than its source, or cannot accept
them (FIFO mismatch), loses exactly the messages responders need to replay.

A queue is a dead-letter queue when another queue's redrive policy points at it
(its `redrivePolicy` property dependencies, else the `deadLetterTargetArn` naming
it), or when it has a redrive-allow policy (`aws:sqs/redriveAllowPolicy` or the
queue's own `redriveAllowPolicy`) that does not say `denyAll`. A redrive policy is
read from the queue's `redrivePolicy` or from an `aws:sqs/redrivePolicy:RedrivePolicy`
whose `queueUrl` points at the queue, as JSON text (Output.json_dumps) or a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from policies.rule import Category, Rule, stack_rule
from policies.rules.resilience_data import (
    UNKNOWN,
    Stack,
    config_schema,
    display,
    flag,
    fmt,
    number,
    parse_json,
    present,
    setting,
    text,
)

QUEUE = "aws:sqs/queue:Queue"
REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy"
REDRIVE_ALLOW_POLICY = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
# SQS keeps a message 4 days when messageRetentionSeconds is not set.
DEFAULT_RETENTION_SECONDS = 345_600.0
FIFO_SUFFIX = ".fifo"


@dataclass(frozen=True)
class Redrive:
    """A queue's redrive policy: the parsed document (dict, UNKNOWN or None) and the DLQ it names."""

    policy: Any
    dead_letter_queue: PolicyResource | None


def queue_name(stack: Stack, queue: PolicyResource) -> str:
    return display(stack.props(queue), ("name",), queue.name)


def is_fifo(stack: Stack, queue: PolicyResource) -> bool | None:
    """fifoQueue, else the .fifo name suffix SQS requires of FIFO queues; None when unknown."""
    props = stack.props(queue)
    declared = flag(props.get("fifoQueue"))
    if declared is not None:
        return declared
    if props.get("fifoQueue") is UNKNOWN:
        return None
    name = text(props.get("name"))
    return name.endswith(FIFO_SUFFIX) if name else False


class Queues:
    """The stack's queues, their redrive policies and which of them are dead-letter queues."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.queues = stack.of_type(QUEUE)
        # Index the policy resources by the queue they depend on, once: matching every
        # queue against every policy by value made large stacks quadratic.
        self._redrive_policies = self._by_queue_url(stack.of_type(REDRIVE_POLICY))
        self._allow_policies = self._by_queue_url(stack.of_type(REDRIVE_ALLOW_POLICY))
        self.redrives = {queue.urn: self._redrive(queue) for queue in self.queues}
        self._dlqs = {r.dead_letter_queue.urn for r in self.redrives.values() if r.dead_letter_queue is not None}
        self._dlqs |= {queue.urn for queue in self.queues if self._allows_redrive(queue)}

    def _by_queue_url(
        self, policies: list[PolicyResource]
    ) -> tuple[dict[str, list[PolicyResource]], list[PolicyResource]]:
        """Policies keyed by the queue their `queueUrl` depends on, and those with no such dependency."""
        indexed: dict[str, list[PolicyResource]] = {}
        unlinked: list[PolicyResource] = []
        for policy in policies:
            deps = [dep for dep in policy.property_dependencies.get("queueUrl", ()) if dep.resource_type == QUEUE]
            for dep in deps:
                indexed.setdefault(dep.urn, []).append(policy)
            if not deps:
                unlinked.append(policy)
        return indexed, unlinked

    def _policies_for(self, queue: PolicyResource, index) -> list[PolicyResource]:
        indexed, unlinked = index
        return indexed.get(queue.urn, []) + [p for p in unlinked if self.stack.references(p, "queueUrl", queue)]

    def _holder(self, queue: PolicyResource) -> PolicyResource | None:
        """The resource whose `redrivePolicy` applies to the queue: the queue itself or a RedrivePolicy."""
        if present(self.stack.props(queue).get("redrivePolicy")):
            return queue
        return next(iter(self._policies_for(queue, self._redrive_policies)), None)

    def _redrive(self, queue: PolicyResource) -> Redrive:
        holder = self._holder(queue)
        if holder is None:
            return Redrive(None, None)
        raw = self.stack.props(holder).get("redrivePolicy")
        policy = UNKNOWN if raw is UNKNOWN else parse_json(raw)
        target = policy.get("deadLetterTargetArn") if isinstance(policy, Mapping) else None
        linked = [
            dep
            for dep in holder.property_dependencies.get("redrivePolicy", ())
            if dep.resource_type == QUEUE and dep.urn != queue.urn
        ]
        if linked:  # the program wired the DLQ's ARN in: no need to compare values
            return Redrive(policy, linked[0])
        candidates = [
            q
            for q in self.queues
            if q.urn != queue.urn and self.stack.references(holder, "redrivePolicy", q, value=target if target else [])
        ]
        return Redrive(policy, candidates[0] if candidates else None)

    def _allows_redrive(self, queue: PolicyResource) -> bool:
        documents = [self.stack.props(queue).get("redriveAllowPolicy")] + [
            self.stack.props(p).get("redriveAllowPolicy") for p in self._policies_for(queue, self._allow_policies)
        ]
        for raw in documents:
            if not present(raw):
                continue
            document = parse_json(raw)
            if not (isinstance(document, Mapping) and document.get("redrivePermission") == "denyAll"):
                return True
        return False

    def is_dead_letter_queue(self, queue: PolicyResource) -> bool:
        return queue.urn in self._dlqs

    def sources(self) -> list[PolicyResource]:
        """Queues that are not dead-letter queues: each needs its own DLQ."""
        return [q for q in self.queues if not self.is_dead_letter_queue(q)]

    def pairs(self) -> list[tuple[PolicyResource, PolicyResource]]:
        """(source, dead-letter queue) for every redrive whose DLQ is in this stack."""
        return [
            (q, self.redrives[q.urn].dead_letter_queue)
            for q in self.queues
            if self.redrives[q.urn].dead_letter_queue is not None
        ]


# --- every flow has a DLQ -------------------------------------------------------------------------


def _validate_dead_letter_queue(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    queues = Queues(stack)
    low = setting(stack.config, "minMaxReceiveCount", 1.0)
    high = setting(stack.config, "maxMaxReceiveCount", 10.0)
    for queue in queues.sources():
        redrive = queues.redrives[queue.urn]
        name = queue_name(stack, queue)
        if redrive.policy is UNKNOWN:
            continue
        policy = redrive.policy if isinstance(redrive.policy, Mapping) else {}
        if not present(policy.get("deadLetterTargetArn")):
            report(f'queue "{name}" has no redrive policy to a dead-letter queue', queue.urn)
            continue
        raw = policy.get("maxReceiveCount")
        if raw is UNKNOWN:
            continue
        count = number(raw)
        if count is None:
            report(f'queue "{name}" has a redrive policy without maxReceiveCount', queue.urn)
        elif not low <= count <= high:
            report(
                f'queue "{name}" moves a message to its dead-letter queue after {fmt(count)} receives; '
                f"maxReceiveCount must be between {fmt(low)} and {fmt(high)}",
                queue.urn,
            )


DEAD_LETTER_QUEUE = stack_rule(
    "CD-RES-020",
    description="Every SQS queue that is not itself a dead-letter queue redrives to one, after a bounded number of "
    "receives: a poison message must land where responders can inspect and replay it, not block or expire.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation='Create a DLQ and set redrive_policy=pulumi.Output.json_dumps({"deadLetterTargetArn": dlq.arn, '
    '"maxReceiveCount": N}) on the queue (IntegrationQueue does this), with N within the policy\'s '
    "minMaxReceiveCount..maxMaxReceiveCount (default 1..10).",
    validate=_validate_dead_letter_queue,
    config_schema=config_schema(
        minMaxReceiveCount={
            "type": "number",
            "default": 1,
            "minimum": 1,
            "description": "Smallest maxReceiveCount allowed in a redrive policy.",
        },
        maxMaxReceiveCount={
            "type": "number",
            "default": 10,
            "minimum": 1,
            "description": "Largest maxReceiveCount allowed: more receives keep a poison message cycling longer.",
        },
    ),
)

# --- the DLQ outlives its source ------------------------------------------------------------------


def _retention(stack: Stack, queue: PolicyResource) -> float | None:
    raw = stack.props(queue).get("messageRetentionSeconds")
    if raw is UNKNOWN:
        return None
    value = number(raw)
    return DEFAULT_RETENTION_SECONDS if value is None else value


def _validate_dlq_retention(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for source, dlq in Queues(stack).pairs():
        kept, needed = _retention(stack, dlq), _retention(stack, source)
        if kept is None or needed is None or kept >= needed:
            continue
        report(
            f'dead-letter queue "{queue_name(stack, dlq)}" keeps messages for {fmt(kept)} s, less than the '
            f'{fmt(needed)} s of its source queue "{queue_name(stack, source)}"',
            dlq.urn,
        )


DLQ_RETENTION = stack_rule(
    "CD-RES-021",
    description="A dead-letter queue keeps messages at least as long as its source queue (SQS default 4 days): "
    "a message's age counts from its first enqueue, so a shorter DLQ retention drops failed messages before "
    "anyone can replay them.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Raise message_retention_seconds on the DLQ to at least the source queue's (crossdock DLQs use "
    "the SQS maximum, 1209600 s).",
    validate=_validate_dlq_retention,
)

# --- FIFO flows dead-letter into FIFO queues ------------------------------------------------------


def _validate_dlq_fifo(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for source, dlq in Queues(stack).pairs():
        source_fifo, dlq_fifo = is_fifo(stack, source), is_fifo(stack, dlq)
        if source_fifo is None or dlq_fifo is None or source_fifo == dlq_fifo:
            continue
        source_kind, dlq_kind = ("FIFO", "a standard queue") if source_fifo else ("a standard queue", "FIFO")
        report(
            f'queue "{queue_name(stack, source)}" is {source_kind} but its dead-letter queue '
            f'"{queue_name(stack, dlq)}" is {dlq_kind}',
            source.urn,
        )


DLQ_FIFO = stack_rule(
    "CD-RES-022",
    description="A queue and its dead-letter queue are both FIFO or both standard: SQS rejects a mismatched "
    "redrive, and a FIFO flow (ordered shipment or invoice events) must keep its ordering on replay.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Make the DLQ match its source: fifo_queue=True and a name ending in .fifo for the DLQ of a FIFO "
    "queue, a standard queue for the DLQ of a standard one.",
    validate=_validate_dlq_fifo,
)

RULES: list[Rule] = [DEAD_LETTER_QUEUE, DLQ_RETENTION, DLQ_FIFO]
