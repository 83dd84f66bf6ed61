"""Detection rules: queue age, dead letters, replica lag, alarm actions, log groups."""

from __future__ import annotations

import json

from pulumi_policy import StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import resilience_observability as observability
from tests.policies.harness import policy_resource, resource_args, violations

QUEUE = "aws:sqs/queue:Queue"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TOPIC = "arn:aws:sns:us-east-1:123456789012:prod-alerts-critical"


def queues():
    dlq = policy_resource(QUEUE, {"name": "prod-label-requests-dlq"}, name="prod-label-requests-dlq")
    source = policy_resource(
        QUEUE,
        {
            "name": "prod-label-requests",
            "redrivePolicy": json.dumps({"deadLetterTargetArn": UNKNOWN_STRING_VALUE, "maxReceiveCount": 5.0}),
        },
        name="prod-label-requests",
        property_dependencies={"redrivePolicy": [dlq]},
    )
    return source, dlq


def alarm(name, metric, dimensions, *, watched=None, namespace="AWS/SQS", **props):
    """An alarm wired like Observability: dimension values are outputs, so the link is a property dependency."""
    return policy_resource(
        ALARM,
        {
            "name": name,
            "namespace": namespace,
            "metricName": metric,
            "dimensions": dimensions,
            "alarmActions": [TOPIC],
            **props,
        },
        name=name,
        property_dependencies={"dimensions": [watched]} if watched is not None else None,
    )


def age_alarm(source):
    return alarm(
        "prod-label-requests-oldest-message-age",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": UNKNOWN_STRING_VALUE},
        watched=source,
        threshold=300.0,
        comparisonOperator="GreaterThanThreshold",
    )


def dlq_alarm(dlq, *, threshold=0.0, operator="GreaterThanThreshold"):
    return alarm(
        "prod-label-requests-dlq-not-empty",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": UNKNOWN_STRING_VALUE},
        watched=dlq,
        threshold=threshold,
        comparisonOperator=operator,
    )


def reported(rule, resources, config=None):
    found = []
    rule.policy.validate(
        StackValidationArgs(list(resources), config), lambda message, urn=None: found.append((message, urn))
    )
    return found


# --- CD-RES-030 queue age -------------------------------------------------------------------------


def test_queue_with_age_alarm_passes():
    source, dlq = queues()
    assert violations(observability.QUEUE_AGE_ALARM, [source, dlq, age_alarm(source)]) == []


def test_age_alarm_found_by_queue_name():
    source, dlq = queues()
    by_name = alarm("age", "ApproximateAgeOfOldestMessage", {"QueueName": "prod-label-requests"})
    assert violations(observability.QUEUE_AGE_ALARM, [source, dlq, by_name]) == []


def test_queue_without_age_alarm_fails_on_the_queue_and_dlqs_need_none():
    source, dlq = queues()
    other_queue_alarm = alarm("age", "ApproximateAgeOfOldestMessage", {"QueueName": "prod-asn-imports"})
    assert reported(observability.QUEUE_AGE_ALARM, [source, dlq, other_queue_alarm]) == [
        ('queue "prod-label-requests" has no ApproximateAgeOfOldestMessage alarm', source.urn)
    ]


def test_dimensions_unknown_as_a_whole_in_preview_match_by_dependency():
    source, dlq = queues()
    pending = alarm("age", "ApproximateAgeOfOldestMessage", UNKNOWN_STRING_VALUE, watched=source)
    assert violations(observability.QUEUE_AGE_ALARM, [source, dlq, pending]) == []


# --- CD-RES-031 dead letters ----------------------------------------------------------------------


def test_dlq_alarm_greater_than_zero_or_at_least_one_passes():
    source, dlq = queues()
    assert violations(observability.DLQ_ALARM, [source, dlq, dlq_alarm(dlq)]) == []
    at_least_one = dlq_alarm(dlq, threshold=1.0, operator="GreaterThanOrEqualToThreshold")
    assert violations(observability.DLQ_ALARM, [source, dlq, at_least_one]) == []


def test_dlq_without_alarm_fails_on_the_dlq():
    source, dlq = queues()
    assert reported(observability.DLQ_ALARM, [source, dlq, age_alarm(source)]) == [
        ('dead-letter queue "prod-label-requests-dlq" has no ApproximateNumberOfMessagesVisible alarm', dlq.urn)
    ]


def test_dlq_alarm_that_waits_for_several_messages_fails():
    source, dlq = queues()
    assert violations(observability.DLQ_ALARM, [source, dlq, dlq_alarm(dlq, threshold=5.0)]) == [
        (
            'dead-letter queue "prod-label-requests-dlq" has no alarm that fires on its first message: '
            'alarm "prod-label-requests-dlq-not-empty" uses GreaterThanThreshold 5'
        )
    ]


def test_dlq_alarm_on_a_metric_query():
    source, dlq = queues()
    query = policy_resource(
        ALARM,
        {
            "name": "dlq-math",
            "threshold": 0.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [TOPIC],
            "metricQueries": [
                {
                    "id": "m1",
                    "returnData": True,
                    "metric": {
                        "namespace": "AWS/SQS",
                        "metricName": "ApproximateNumberOfMessagesVisible",
                        "dimensions": {"QueueName": "prod-label-requests-dlq"},
                        "period": 60.0,
                        "stat": "Maximum",
                    },
                }
            ],
        },
        name="dlq-math",
    )
    assert violations(observability.DLQ_ALARM, [source, dlq, query]) == []


# --- CD-RES-032 replica lag -----------------------------------------------------------------------


def cluster(identifier="prod-orders", *, instances=2, provider_region=None, **props):
    primary = policy_resource(
        CLUSTER,
        {"clusterIdentifier": identifier, "engine": "aurora-postgresql", **props},
        name=identifier,
        provider_region=provider_region,
    )
    members = [
        policy_resource(
            INSTANCE,
            {"identifier": f"{identifier}-{i}", "clusterIdentifier": UNKNOWN_STRING_VALUE},
            name=f"{identifier}-{i}",
            property_dependencies={"clusterIdentifier": [primary]},
        )
        for i in range(1, instances + 1)
    ]
    return [primary, *members]


def lag_alarm(metric, dimension, target):
    return alarm(
        f"{target.name}-lag",
        metric,
        {dimension: UNKNOWN_STRING_VALUE},
        watched=target,
        namespace="AWS/RDS",
        threshold=1000.0,
        comparisonOperator="GreaterThanThreshold",
    )


def test_cluster_with_readers_and_replica_lag_alarm_passes():
    stack = cluster()
    assert (
        violations(
            observability.REPLICA_LAG_ALARM, [*stack, lag_alarm("AuroraReplicaLag", "DBClusterIdentifier", stack[0])]
        )
        == []
    )


def test_instance_level_replica_lag_alarm_counts():
    stack = cluster()
    alarm_on_reader = lag_alarm("AuroraReplicaLag", "DBInstanceIdentifier", stack[2])
    assert violations(observability.REPLICA_LAG_ALARM, [*stack, alarm_on_reader]) == []


def test_cluster_with_readers_without_lag_alarm_fails_on_the_cluster():
    stack = cluster()
    cpu = lag_alarm("CPUUtilization", "DBClusterIdentifier", stack[0])
    assert reported(observability.REPLICA_LAG_ALARM, [*stack, cpu]) == [
        ('Aurora cluster "prod-orders" has readers but no AuroraReplicaLag alarm', stack[0].urn)
    ]


def test_cluster_without_readers_publishes_no_replica_lag():
    assert violations(observability.REPLICA_LAG_ALARM, cluster(instances=1)) == []


def test_global_secondary_needs_a_global_replication_lag_alarm():
    secondary = cluster(
        "prod-orders-dr", instances=0, provider_region="us-west-2", globalClusterIdentifier=UNKNOWN_STRING_VALUE
    )
    config = {"primaryRegion": "us-east-1"}
    assert violations(observability.REPLICA_LAG_ALARM, secondary, config) == [
        'Aurora cluster "prod-orders-dr" is a Global Database secondary without an AuroraGlobalDBReplicationLag alarm'
    ]
    lag = lag_alarm("AuroraGlobalDBReplicationLag", "DBClusterIdentifier", secondary[0])
    assert violations(observability.REPLICA_LAG_ALARM, [*secondary, lag], config) == []


# --- CD-RES-033 alarm actions ---------------------------------------------------------------------


def test_alarm_with_action_passes():
    args = resource_args(ALARM, {"name": "prod-orders-cpu-high", "alarmActions": [TOPIC]})
    assert violations(observability.ALARM_ACTION, args) == []


def test_alarm_without_action_fails():
    args = resource_args(ALARM, {"name": "prod-orders-cpu-high", "alarmActions": []})
    assert violations(observability.ALARM_ACTION, args) == [
        'alarm "prod-orders-cpu-high" has no alarmActions: it changes state without notifying anyone'
    ]


def test_alarm_with_actions_disabled_fails():
    args = resource_args(ALARM, {"name": "prod-orders-cpu-high", "alarmActions": [TOPIC], "actionsEnabled": False})
    assert violations(observability.ALARM_ACTION, args) == [
        'alarm "prod-orders-cpu-high" has actionsEnabled set to false: its actions never run'
    ]


def test_composite_alarm_and_unknown_topic():
    composite = resource_args("aws:cloudwatch/compositeAlarm:CompositeAlarm", {"alarmName": "prod-orders-degraded"})
    assert violations(observability.ALARM_ACTION, composite) == [
        'alarm "prod-orders-degraded" has no alarmActions: it changes state without notifying anyone'
    ]
    pending = resource_args(ALARM, {"name": "prod-orders-cpu-high", "alarmActions": [UNKNOWN_STRING_VALUE]})
    assert violations(observability.ALARM_ACTION, pending) == []


# --- CD-RES-034 log retention ------------------------------------------------------------------

LOGS = "/crossdock/prod/real-time-fulfillment"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_log_group_with_retention_passes():
    args = resource_args(LOG_GROUP, {"name": LOGS, "retentionInDays": 365.0, "kmsKeyId": KEY})
    assert violations(observability.LOG_RETENTION, args) == []


def test_log_group_that_never_expires_fails():
    assert violations(observability.LOG_RETENTION, resource_args(LOG_GROUP, {"name": LOGS, "kmsKeyId": KEY})) == [
        f'log group "{LOGS}" never expires its events (retentionInDays is not set)'
    ]
    zero = resource_args(LOG_GROUP, {"name": LOGS, "retentionInDays": 0.0, "kmsKeyId": KEY})
    assert violations(observability.LOG_RETENTION, zero) == [
        f'log group "{LOGS}" never expires its events (retentionInDays is 0)'
    ]
