"""Queue resilience rules: every flow has a DLQ that holds what fails, as long as its source would."""

from __future__ import annotations

import json

from pulumi_policy import StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import resilience_messaging as messaging
from tests.policies.harness import policy_resource, violations

QUEUE = "aws:sqs/queue:Queue"
ARN = "arn:aws:sqs:us-east-1:123456789012:{}"


def queue(name, **props):
    return policy_resource(QUEUE, {"name": name, **props}, name=name)


def flow(
    *, shape="json", max_receive=5.0, source_retention=None, dlq_retention=1_209_600.0, fifo=False, link="dependency"
):
    """A source queue and its DLQ, wired like IntegrationQueue (JSON redrive policy + property dependency)."""
    suffix = ".fifo" if fifo else ""
    dlq_props = {"messageRetentionSeconds": dlq_retention} if dlq_retention is not None else {}
    if fifo:
        dlq_props["fifoQueue"] = True
    dlq = queue(f"prod-label-requests-dlq{suffix}", **dlq_props)
    document = {"deadLetterTargetArn": ARN.format(dlq.props["name"]) if link == "name" else UNKNOWN_STRING_VALUE}
    if max_receive is not None:
        document["maxReceiveCount"] = max_receive
    redrive = json.dumps(document) if shape == "json" else document
    source_props = {"redrivePolicy": redrive}
    if source_retention is not None:
        source_props["messageRetentionSeconds"] = source_retention
    if fifo:
        source_props["fifoQueue"] = True
    source = policy_resource(
        QUEUE,
        {"name": f"prod-label-requests{suffix}", **source_props},
        name="prod-label-requests",
        property_dependencies={"redrivePolicy": [dlq]} if link == "dependency" else None,
    )
    return source, dlq


def reported(rule, resources, config=None):
    found = []
    rule.policy.validate(
        StackValidationArgs(list(resources), config), lambda message, urn=None: found.append((message, urn))
    )
    return found


# --- CD-RES-020 a dead-letter queue with a bounded receive count ----------------------------------


def test_flow_with_json_redrive_policy_passes_every_rule():
    stack = flow()
    for rule in messaging.RULES:
        assert violations(rule, stack) == [], rule.id


def test_redrive_policy_as_dict_and_dlq_found_by_arn():
    stack = flow(shape="dict", link="name")
    for rule in messaging.RULES:
        assert violations(rule, stack) == [], rule.id


def test_queue_without_redrive_policy_fails_on_the_queue():
    lonely = queue("prod-label-requests")
    assert reported(messaging.DEAD_LETTER_QUEUE, [lonely]) == [
        ('queue "prod-label-requests" has no redrive policy to a dead-letter queue', lonely.urn)
    ]


def test_redrive_policy_without_target_fails():
    bare = queue("prod-asn-imports", redrivePolicy=json.dumps({"maxReceiveCount": 5}))
    assert violations(messaging.DEAD_LETTER_QUEUE, [bare]) == [
        'queue "prod-asn-imports" has no redrive policy to a dead-letter queue'
    ]


def test_a_dlq_known_only_by_its_redrive_allow_policy_needs_no_dlq_itself():
    dlq = queue("prod-billing-dlq")
    allow = policy_resource(
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        {"queueUrl": UNKNOWN_STRING_VALUE, "redriveAllowPolicy": json.dumps({"redrivePermission": "byQueue"})},
        name="prod-billing-dlq-redrive-allow",
        property_dependencies={"queueUrl": [dlq]},
    )
    assert violations(messaging.DEAD_LETTER_QUEUE, [dlq, allow]) == []


def test_deny_all_redrive_allow_policy_does_not_make_a_dlq():
    closed = queue("prod-reports", redriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    assert violations(messaging.DEAD_LETTER_QUEUE, [closed]) == [
        'queue "prod-reports" has no redrive policy to a dead-letter queue'
    ]


def test_separate_redrive_policy_resource_counts():
    dlq = queue("prod-carrier-events-dlq", messageRetentionSeconds=1_209_600.0)
    source = queue("prod-carrier-events")
    policy = policy_resource(
        "aws:sqs/redrivePolicy:RedrivePolicy",
        {
            "queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/prod-carrier-events",
            "redrivePolicy": json.dumps(
                {"deadLetterTargetArn": ARN.format("prod-carrier-events-dlq"), "maxReceiveCount": 3}
            ),
        },
        name="prod-carrier-events-redrive",
    )
    assert violations(messaging.DEAD_LETTER_QUEUE, [dlq, source, policy]) == []


def test_receive_count_above_the_range_fails():
    assert violations(messaging.DEAD_LETTER_QUEUE, flow(max_receive=25.0)) == [
        (
            'queue "prod-label-requests" moves a message to its dead-letter queue after 25 receives; '
            "maxReceiveCount must be between 1 and 10"
        )
    ]


def test_receive_count_range_from_policy_config():
    assert violations(messaging.DEAD_LETTER_QUEUE, flow(max_receive=25.0), {"maxMaxReceiveCount": 30.0}) == []
    assert violations(messaging.DEAD_LETTER_QUEUE, flow(max_receive=2.0), {"minMaxReceiveCount": 3.0}) == [
        (
            'queue "prod-label-requests" moves a message to its dead-letter queue after 2 receives; '
            "maxReceiveCount must be between 3 and 10"
        )
    ]


def test_receive_count_as_a_json_string_is_a_number():
    assert violations(messaging.DEAD_LETTER_QUEUE, flow(shape="json", max_receive="5")) == []


def test_missing_receive_count_fails():
    assert violations(messaging.DEAD_LETTER_QUEUE, flow(max_receive=None)) == [
        'queue "prod-label-requests" has a redrive policy without maxReceiveCount'
    ]


def test_unknown_redrive_policy_is_not_judged():
    dlq = queue("prod-label-requests-dlq")
    source = policy_resource(
        QUEUE,
        {"name": "prod-label-requests", "redrivePolicy": UNKNOWN_STRING_VALUE},
        name="prod-label-requests",
        property_dependencies={"redrivePolicy": [dlq]},
    )
    for rule in messaging.RULES:
        assert violations(rule, [source, dlq]) == [], rule.id


# --- CD-RES-021 the DLQ outlives its source -------------------------------------------------------


def test_dlq_keeping_messages_shorter_than_its_source_fails_on_the_dlq():
    source, dlq = flow(source_retention=1_209_600.0, dlq_retention=345_600.0)
    assert reported(messaging.DLQ_RETENTION, [source, dlq]) == [
        (
            (
                'dead-letter queue "prod-label-requests-dlq" keeps messages for 345600 s, less than the 1209600 s of '
                'its source queue "prod-label-requests"'
            ),
            dlq.urn,
        )
    ]


def test_dlq_retention_defaults_to_four_days_like_sqs():
    assert violations(messaging.DLQ_RETENTION, flow(dlq_retention=None)) == []
    assert violations(messaging.DLQ_RETENTION, flow(source_retention=604_800.0, dlq_retention=None)) == [
        (
            'dead-letter queue "prod-label-requests-dlq" keeps messages for 345600 s, less than the 604800 s of '
            'its source queue "prod-label-requests"'
        )
    ]


# --- CD-RES-022 FIFO-ness matches -----------------------------------------------------------------


def test_fifo_flow_with_fifo_dlq_passes():
    assert violations(messaging.DLQ_FIFO, flow(fifo=True)) == []


def test_fifo_queue_with_standard_dlq_fails():
    dlq = queue("prod-invoices-dlq")
    source = queue(
        "prod-invoices.fifo",
        fifoQueue=True,
        redrivePolicy=json.dumps({"deadLetterTargetArn": ARN.format("prod-invoices-dlq"), "maxReceiveCount": 5.0}),
    )
    assert reported(messaging.DLQ_FIFO, [source, dlq]) == [
        (
            'queue "prod-invoices.fifo" is FIFO but its dead-letter queue "prod-invoices-dlq" is a standard queue',
            source.urn,
        )
    ]


def test_standard_queue_with_fifo_dlq_fails():
    dlq = queue("prod-events-dlq.fifo")  # FIFO by its name alone
    source = queue(
        "prod-events",
        redrivePolicy={"deadLetterTargetArn": ARN.format("prod-events-dlq.fifo"), "maxReceiveCount": 5.0},
    )
    assert violations(messaging.DLQ_FIFO, [source, dlq]) == [
        'queue "prod-events" is a standard queue but its dead-letter queue "prod-events-dlq.fifo" is FIFO'
    ]
