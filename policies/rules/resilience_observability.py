"""Resilience rules for detection: stuck flows, dead letters and replica lag raise alarms that notify someone.

A logistics platform can look healthy while orders stop moving, so every queue
needs an age alarm, every dead-letter queue an alarm on its first message, every
Aurora cluster with readers (or a Global Database secondary) a lag alarm, and every
alarm an action. Log groups expire on purpose. (Their customer-key encryption is the
security rule CD-ENC-006, checkov CKV_AWS_158; it is not repeated here.)

An alarm watches a resource when its metric (`metricName`, or a `metricQueries`
entry's metric) matches and the named dimension points at the resource: through the
alarm's property dependencies on `dimensions`/`metricQueries`, else by equal name
(queue name, cluster or instance identifier).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.rule import Category, Rule, resource_rule, stack_rule
from policies.rules.resilience_data import (
    PRIMARY_REGION_SETTING,
    RDS_CLUSTER,
    UNKNOWN,
    Stack,
    cluster_instances,
    cluster_name,
    config_schema,
    display,
    flag,
    fmt,
    is_aurora,
    is_global_secondary,
    number,
    plain,
    present,
    text,
)
from policies.rules.resilience_messaging import Queues, queue_name

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

QUEUE_AGE = ("AWS/SQS", "ApproximateAgeOfOldestMessage")
QUEUE_VISIBLE = ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
REPLICA_LAG = ("AWS/RDS", "AuroraReplicaLag")
GLOBAL_REPLICATION_LAG = ("AWS/RDS", "AuroraGlobalDBReplicationLag")


def _metrics(props: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], str]]:
    """(the alarm prop it lives in, metric description, metric name) for the alarm and each metric query."""
    found = [("dimensions", props, props.get("metricName"))]
    queries = props.get("metricQueries")
    for query in queries if isinstance(queries, list) else []:
        metric = query.get("metric") if isinstance(query, Mapping) else None
        if isinstance(metric, Mapping):
            found.append(("metricQueries", metric, metric.get("metricName")))
    return found


def watches(
    stack: Stack, alarm: PolicyResource, metric: tuple[str, str], dimension: str, targets: Sequence[PolicyResource]
) -> bool:
    """Does the alarm evaluate `metric` with `dimension` set to one of `targets`?"""
    namespace, name = metric
    for prop, described, metric_name in _metrics(stack.props(alarm)):
        if metric_name != name or text(described.get("namespace")) not in (None, namespace):
            continue
        dimensions = described.get("dimensions")
        if dimensions is UNKNOWN:
            value = []  # the whole map is unknown in preview: only property dependencies can tell
        elif isinstance(dimensions, Mapping) and dimension in dimensions:
            value = [] if dimensions[dimension] is None else dimensions[dimension]
        else:
            continue
        if any(stack.references(alarm, prop, t, value=value) for t in targets):
            return True
    return False


# --- queues ---------------------------------------------------------------------------------------


def _validate_queue_age_alarm(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    alarms = stack.of_type(METRIC_ALARM)
    for queue in Queues(stack).sources():
        if not any(watches(stack, alarm, QUEUE_AGE, "QueueName", [queue]) for alarm in alarms):
            report(f'queue "{queue_name(stack, queue)}" has no ApproximateAgeOfOldestMessage alarm', queue.urn)


QUEUE_AGE_ALARM = stack_rule(
    "CD-RES-030",
    description="Every SQS queue that is not a dead-letter queue has an ApproximateAgeOfOldestMessage alarm: a "
    "backlog (shipment events, ASN imports, billing triggers) shows first as message age.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add an aws.cloudwatch.MetricAlarm with namespace AWS/SQS, metric_name ApproximateAgeOfOldestMessage "
    'and dimensions={"QueueName": queue.name}, with a threshold from the flow\'s age_alarm_seconds and an alarm '
    "action (Observability builds one per integration queue).",
    validate=_validate_queue_age_alarm,
)


def fires_on_first_message(props: Mapping[str, Any]) -> bool:
    """> 0 (threshold in [0, 1)) or >= 1 (threshold in (0, 1]); unknown settings get the benefit of the doubt."""
    operator, raw = props.get("comparisonOperator"), props.get("threshold")
    if operator is UNKNOWN or raw is UNKNOWN:
        return True
    threshold = number(raw)
    if threshold is None:
        return False
    if operator == "GreaterThanThreshold":
        return 0 <= threshold < 1
    if operator == "GreaterThanOrEqualToThreshold":
        return 0 < threshold <= 1
    return False


def _validate_dlq_alarm(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    queues = Queues(stack)
    alarms = stack.of_type(METRIC_ALARM)
    for dlq in (q for q in queues.queues if queues.is_dead_letter_queue(q)):
        name = queue_name(stack, dlq)
        watching = [a for a in alarms if watches(stack, a, QUEUE_VISIBLE, "QueueName", [dlq])]
        if not watching:
            report(f'dead-letter queue "{name}" has no ApproximateNumberOfMessagesVisible alarm', dlq.urn)
        elif not any(fires_on_first_message(stack.props(a)) for a in watching):
            props = stack.props(watching[0])
            threshold = number(props.get("threshold"))
            setting = f"{props.get('comparisonOperator')} {fmt(threshold) if threshold is not None else 'unset'}"
            report(
                f'dead-letter queue "{name}" has no alarm that fires on its first message: alarm '
                f'"{display(props, ("name",), watching[0].name)}" uses {setting}',
                dlq.urn,
            )


DLQ_ALARM = stack_rule(
    "CD-RES-031",
    description="Every dead-letter queue has an ApproximateNumberOfMessagesVisible alarm that fires on the first "
    "message (> 0, or >= 1): a dead-lettered label request is a parcel that will not ship until someone replays it.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add an aws.cloudwatch.MetricAlarm with namespace AWS/SQS, metric_name "
    'ApproximateNumberOfMessagesVisible, dimensions={"QueueName": dlq.name}, threshold=0 and '
    'comparison_operator="GreaterThanThreshold" (or threshold=1 with GreaterThanOrEqualToThreshold).',
    validate=_validate_dlq_alarm,
)

# --- databases ------------------------------------------------------------------------------------


def _validate_replica_lag_alarm(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    alarms = stack.of_type(METRIC_ALARM)
    for cluster in stack.of_type(RDS_CLUSTER):
        if not is_aurora(stack.props(cluster)):
            continue
        name = cluster_name(stack, cluster)
        if is_global_secondary(stack, cluster):
            if not any(watches(stack, a, GLOBAL_REPLICATION_LAG, "DBClusterIdentifier", [cluster]) for a in alarms):
                report(
                    f'Aurora cluster "{name}" is a Global Database secondary without an '
                    "AuroraGlobalDBReplicationLag alarm",
                    cluster.urn,
                )
            continue
        instances = cluster_instances(stack, cluster)
        if len(instances) < 2:
            continue  # no readers publish AuroraReplicaLag; CD-RES-001 asks for one
        if not any(
            watches(stack, a, REPLICA_LAG, "DBClusterIdentifier", [cluster])
            or watches(stack, a, REPLICA_LAG, "DBInstanceIdentifier", instances)
            for a in alarms
        ):
            report(f'Aurora cluster "{name}" has readers but no AuroraReplicaLag alarm', cluster.urn)


REPLICA_LAG_ALARM = stack_rule(
    "CD-RES-032",
    description="Aurora clusters with readers have an AuroraReplicaLag alarm, and Global Database secondaries an "
    "AuroraGlobalDBReplicationLag alarm: stale replicas mean stale order status and inventory, and failing over "
    "to a lagging copy loses writes.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Add an aws.cloudwatch.MetricAlarm with namespace AWS/RDS, metric_name AuroraReplicaLag and "
    'dimensions={"DBClusterIdentifier": cluster.cluster_identifier} (for a DR secondary: '
    "AuroraGlobalDBReplicationLag, on the DR region's provider, with a threshold from the region RPO).",
    validate=_validate_replica_lag_alarm,
    config_schema=config_schema(primaryRegion=PRIMARY_REGION_SETTING),
)

# --- alarms notify someone ------------------------------------------------------------------------


def _validate_alarm_action(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (METRIC_ALARM, COMPOSITE_ALARM):
        return
    props = plain(args.props)
    name = display(props, ("name", "alarmName"), args.name)
    if not present(props.get("alarmActions")):
        report(f'alarm "{name}" has no alarmActions: it changes state without notifying anyone', None)
    if flag(props.get("actionsEnabled")) is False:
        report(f'alarm "{name}" has actionsEnabled set to false: its actions never run', None)


ALARM_ACTION = resource_rule(
    "CD-RES-033",
    description="Every CloudWatch alarm has an alarm action and actions enabled: an alarm nobody hears is a "
    "dashboard, not detection.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Set alarm_actions=[<SNS topic ARN of the alarm's severity>] (ok_actions too, so on-call sees "
    "recovery) and leave actions_enabled unset or True.",
    validate=_validate_alarm_action,
    checkov_id="CKV_AWS_319",
)

# --- log groups -----------------------------------------------------------------------------------


def _log_group_name(args: ResourceValidationArgs, props: Mapping[str, Any]) -> str:
    return display(props, ("name", "namePrefix"), args.name)


def _validate_log_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != LOG_GROUP:
        return
    props = plain(args.props)
    raw = props.get("retentionInDays")
    if raw is UNKNOWN:
        return
    days = number(raw)
    if days:
        return
    why = "is not set" if days is None else "is 0"
    report(f'log group "{_log_group_name(args, props)}" never expires its events (retentionInDays {why})', None)


LOG_RETENTION = resource_rule(
    "CD-RES-034",
    description="CloudWatch log groups set a retention period: logs kept forever grow cost without bound and hold "
    "data past the retention the tier promises (production keeps a year, staging 90 days, development 30).",
    severity=Severity.LOW,
    category=Category.RESILIENCE,
    remediation="Set retention_in_days on the aws.cloudwatch.LogGroup (crossdock uses the tier's log retention: "
    "365, 90 or 30 days).",
    validate=_validate_log_retention,
    checkov_id="CKV_AWS_66",
)


RULES: list[Rule] = [QUEUE_AGE_ALARM, DLQ_ALARM, REPLICA_LAG_ALARM, ALARM_ACTION, LOG_RETENTION]
