"""IntegrationQueue: the exact children, their wiring and tags, from a recorded graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.integration_queue import IntegrationQueue, IntegrationQueueArgs
from crossdock.config import load_stack_file
from crossdock.config.schema import Criticality, Tier
from crossdock.engine import STACK_TYPE, run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/integration-payloads"
COMPONENT = "crossdock:messaging:IntegrationQueue"
QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws:sqs/queuePolicy:QueuePolicy"
REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"


def _spec(name: str):
    return next(queue for queue in PROD.queues if queue.name == name)


def _record(spec, environment=PROD.environment):
    """Build one flow's component the way the composition root names it, and return its records."""

    def build() -> None:
        IntegrationQueue(
            f"{environment.name}-{spec.name}",
            IntegrationQueueArgs(spec=spec, environment=environment, kms_key_arn=KEY_ARN),
        )

    plan = run_callable(build, config={"aws:region": environment.region})
    return {(r.type, r.name): r for r in plan.resources}


def _expected_tags(spec, role: str, environment=PROD.environment) -> dict[str, str]:
    return {
        "environment": environment.name,
        "tier": environment.tier.value,
        "owner": environment.owner,
        "cost-center": environment.cost_center,
        "managed-by": "crossdock",
        "data-class": spec.data_class,
        "criticality": spec.criticality.value,
        "flow": spec.name,
        "queue-role": role,
    }


@pytest.fixture(scope="module")
def standard():
    return _record(_spec("carrier-events"))


@pytest.fixture(scope="module")
def fifo():
    return _record(_spec("shipment-confirmations"))


def test_standard_flow_has_exactly_queue_dlq_redrive_allow_and_two_tls_policies(standard):
    component = standard[(COMPONENT, "prod-carrier-events")]
    children = {key for key, record in standard.items() if record.parent == component.urn}
    assert children == {
        (QUEUE, "prod-carrier-events"),
        (QUEUE, "prod-carrier-events-dlq"),
        (REDRIVE_ALLOW, "prod-carrier-events-dlq-redrive-allow"),
        (POLICY, "prod-carrier-events-tls-only"),
        (POLICY, "prod-carrier-events-dlq-tls-only"),
    }
    # Nothing else is registered: the stack, the component and these five children.
    assert set(standard) == children | {(COMPONENT, "prod-carrier-events"), (STACK_TYPE, "crossdock-test")}


def test_source_queue_takes_name_retention_visibility_and_key_from_the_spec(standard):
    spec = _spec("carrier-events")
    queue = standard[(QUEUE, "prod-carrier-events")].inputs
    assert queue["name"] == "prod-carrier-events"
    assert queue["messageRetentionSeconds"] == spec.retention_seconds == 345600
    assert queue["visibilityTimeoutSeconds"] == 60
    assert queue["kmsMasterKeyId"] == KEY_ARN
    assert queue["kmsDataKeyReusePeriodSeconds"] == 300
    assert "fifoQueue" not in queue and "contentBasedDeduplication" not in queue
    assert queue["tags"] == _expected_tags(spec, "source")


def test_dlq_keeps_messages_fourteen_days_encrypted_with_the_same_key(standard):
    spec = _spec("carrier-events")
    dlq = standard[(QUEUE, "prod-carrier-events-dlq")].inputs
    assert dlq["name"] == "prod-carrier-events-dlq"
    assert dlq["messageRetentionSeconds"] == 1209600
    assert dlq["kmsMasterKeyId"] == KEY_ARN
    assert dlq["kmsDataKeyReusePeriodSeconds"] == 300
    assert "redrivePolicy" not in dlq
    assert dlq["tags"] == _expected_tags(spec, "dead-letter")


def test_redrive_policy_points_at_the_dlq_with_the_configured_receive_count(standard):
    queue = standard[(QUEUE, "prod-carrier-events")]
    dlq = standard[(QUEUE, "prod-carrier-events-dlq")]
    policy = json.loads(queue.inputs["redrivePolicy"])
    assert policy == {"deadLetterTargetArn": _arn_of(dlq), "maxReceiveCount": 5}
    assert _arn_of(dlq) == "arn:aws:sqs:us-east-1:123456789012:prod-carrier-events-dlq"
    assert dlq.urn in queue.property_dependencies["redrivePolicy"]


def test_redrive_allow_policy_admits_only_the_source_queue(standard):
    queue = standard[(QUEUE, "prod-carrier-events")]
    dlq = standard[(QUEUE, "prod-carrier-events-dlq")]
    allow = standard[(REDRIVE_ALLOW, "prod-carrier-events-dlq-redrive-allow")]
    assert (
        allow.inputs["queueUrl"]
        == _url_of(dlq)
        == ("https://sqs.us-east-1.amazonaws.com/123456789012/prod-carrier-events-dlq")
    )
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [_arn_of(queue)],
    }
    assert queue.urn in allow.property_dependencies["redriveAllowPolicy"]


@pytest.mark.parametrize(
    ("queue_name", "policy_name"),
    [
        ("prod-carrier-events", "prod-carrier-events-tls-only"),
        ("prod-carrier-events-dlq", "prod-carrier-events-dlq-tls-only"),
    ],
)
def test_each_queue_denies_non_tls_access(standard, queue_name, policy_name):
    queue = standard[(QUEUE, queue_name)]
    policy = standard[(POLICY, policy_name)]
    assert policy.inputs["queueUrl"] == _url_of(queue)
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": _arn_of(queue),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def test_fifo_flow_makes_both_queues_fifo_with_per_group_dedup_and_throughput(fifo):
    spec = _spec("shipment-confirmations")
    queue = fifo[(QUEUE, "prod-shipment-confirmations")].inputs
    dlq = fifo[(QUEUE, "prod-shipment-confirmations-dlq")].inputs
    assert queue["name"] == "prod-shipment-confirmations.fifo"
    assert dlq["name"] == "prod-shipment-confirmations-dlq.fifo"
    for inputs in (queue, dlq):
        assert inputs["fifoQueue"] is True
        assert inputs["contentBasedDeduplication"] is True
        assert inputs["deduplicationScope"] == "messageGroup"
        assert inputs["fifoThroughputLimit"] == "perMessageGroupId"
        assert inputs["kmsMasterKeyId"] == KEY_ARN
    assert json.loads(queue["redrivePolicy"])["maxReceiveCount"] == spec.max_receive_count == 3
    assert queue["tags"]["data-class"] == "transactional"


def test_dlq_retention_is_never_shorter_than_a_fourteen_day_source():
    records = _record(_spec("billing-triggers"))
    queue = records[(QUEUE, "prod-billing-triggers")].inputs
    dlq = records[(QUEUE, "prod-billing-triggers-dlq")].inputs
    assert queue["messageRetentionSeconds"] == 1209600
    assert dlq["messageRetentionSeconds"] >= queue["messageRetentionSeconds"]


def test_production_queues_are_protected_and_development_queues_are_not(standard):
    assert standard[(QUEUE, "prod-carrier-events")].protect is True
    assert standard[(QUEUE, "prod-carrier-events-dlq")].protect is True

    dev = PROD.environment.model_copy(update={"name": "dev", "tier": Tier.DEVELOPMENT})
    spec = _spec("carrier-events").model_copy(update={"criticality": Criticality.DEFERRED_ANALYTICS})
    records = _record(spec, environment=dev)
    queue = records[(QUEUE, "dev-carrier-events")]
    assert queue.protect is False
    assert records[(QUEUE, "dev-carrier-events-dlq")].protect is False
    assert queue.inputs["tags"] == _expected_tags(spec, "source", environment=dev)


def _arn_of(record) -> str:
    """The ARN the engine reported for a queue: what its dependants must have received."""
    return record.outputs["arn"]


def _url_of(record) -> str:
    return record.outputs["url"]
