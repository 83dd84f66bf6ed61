"""Observability: the exact alarm set, its wiring and severities, log groups and dashboard, from a recorded graph."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi_aws as aws
import pytest

from components.integration_queue import IntegrationQueue, IntegrationQueueArgs
from components.observability import Observability, ObservabilityArgs
from crossdock.config import load_stack_file
from crossdock.config.operations import IncidentSeverity
from crossdock.config.schema import Criticality, Severity, Tier
from crossdock.engine import run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
ACCOUNT = "123456789012"
TOPICS = {severity: f"arn:aws:sns:us-east-1:{ACCOUNT}:prod-alerts-{severity.value}" for severity in Severity}
DR_TOPIC = f"arn:aws:sns:us-west-2:{ACCOUNT}:prod-alerts-critical-dr"
LOG_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/operations"
DATA_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/data"
CLUSTERS = {"orders": "prod-orders", "reporting": "prod-reporting"}
DR_SECONDARIES = {"orders": "prod-orders-dr-secondary"}

COMPONENT = "crossdock:observability:Observability"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
PROVIDER = "pulumi:providers:aws"

C, W, I = Severity.CRITICAL, Severity.WARNING, Severity.INFO  # noqa: E741 - one letter per column of the table
S1, S2, S3, S4 = IncidentSeverity
FUL, INT, FIN, PLA = "fulfillment", "integrations", "finance-systems", "platform"
# Every alarm the prod stack must have (6 flows x 2, 2 clusters x 4, 1 DR secondary, 4 KPIs), with its alert
# severity, runbook, the incident severity prod's matrix gives its impact on the processes it serves, and the
# owning team. A stuck flow stops its processes, a dead letter or a database symptom degrades them; a KPI at
# critical means its process stopped. E.g. carrier-events serves carrier-label-printing (real-time, stopped:
# SEV1) and customer-visibility (near-real-time: SEV2), so its age alarm is SEV1.
PROD_ALARMS = {
    "prod-carrier-events-oldest-message-age": (C, "queue-replay", S1, FUL),
    "prod-carrier-events-dlq-not-empty": (C, "queue-replay", S2, FUL),
    "prod-asn-ingestion-oldest-message-age": (C, "queue-replay", S2, INT),
    "prod-asn-ingestion-dlq-not-empty": (W, "queue-replay", S3, INT),
    "prod-shipment-confirmations-oldest-message-age": (C, "queue-replay", S1, FUL),
    "prod-shipment-confirmations-dlq-not-empty": (C, "queue-replay", S2, FUL),
    "prod-billing-triggers-oldest-message-age": (C, "queue-replay", S2, FIN),
    "prod-billing-triggers-dlq-not-empty": (W, "queue-replay", S3, FIN),
    "prod-edi-inbound-oldest-message-age": (C, "queue-replay", S2, INT),
    "prod-edi-inbound-dlq-not-empty": (W, "queue-replay", S3, INT),
    "prod-label-requests-oldest-message-age": (C, "queue-replay", S1, FUL),
    "prod-label-requests-dlq-not-empty": (C, "queue-replay", S2, FUL),
    "prod-orders-replica-lag": (C, "db-failover", S2, PLA),
    "prod-orders-cpu-high": (W, "db-failover", S2, PLA),
    "prod-orders-freeable-memory-low": (W, "db-failover", S2, PLA),
    "prod-orders-deadlocks": (W, "freeze-deploys", S2, PLA),
    "prod-reporting-replica-lag": (C, "db-failover", S4, PLA),
    "prod-reporting-cpu-high": (W, "db-failover", S4, PLA),
    "prod-reporting-freeable-memory-low": (W, "db-failover", S4, PLA),
    "prod-reporting-deadlocks": (W, "freeze-deploys", S4, PLA),
    "prod-orders-dr-replication-lag": (C, "db-failover", S2, PLA),
    "prod-order-to-shipment-latency": (C, "db-failover", S1, FUL),
    "prod-failed-label-requests": (C, "queue-replay", S1, FUL),
    "prod-delayed-asn-imports": (W, "queue-replay", S3, INT),
    "prod-unprocessed-pick-tasks": (W, "db-failover", S2, FUL),
}
TEAM_TOPICS = {
    (team, sev): f"arn:aws:sns:us-east-1:{ACCOUNT}:prod-team-{team}-{sev.value}"
    for team in (FUL, INT, FIN, PLA)
    for sev in IncidentSeverity
}


def _build(
    config=PROD,
    *,
    clusters=CLUSTERS,
    dr_secondaries=DR_SECONDARIES,
    with_dr_provider=True,
    queues=None,
    team_topics=None,
):
    """Record an Observability wired the way the composition root wires it."""
    env = config.environment
    specs = config.queues if queues is None else queues

    def build() -> None:
        flows = [
            IntegrationQueue(f"{env.name}-{spec.name}", IntegrationQueueArgs(spec, env, DATA_KEY)) for spec in specs
        ]
        dr_provider = aws.Provider(f"{env.name}-dr-us-west-2", region="us-west-2") if with_dr_provider else None
        Observability(
            f"{env.name}-observability",
            ObservabilityArgs(
                config=config,
                alert_topic_arns=TOPICS,
                queues=flows,
                cluster_identifiers=clusters,
                log_key_arn=LOG_KEY,
                dr_secondary_identifiers=dr_secondaries,
                dr_provider=dr_provider,
                dr_alert_topic_arn=DR_TOPIC if with_dr_provider else None,
                team_topic_arns=team_topics or {},
            ),
        )

    return run_callable(build, config={"aws:region": env.region})


def _alarms(plan) -> dict:
    return {r.name: r for r in plan.resources if r.type == ALARM}


def _tier_variant(tier: Tier, name: str):
    env = PROD.environment.model_copy(update={"tier": tier, "name": name})
    return PROD.model_copy(update={"environment": env})


@pytest.fixture(scope="module")
def prod():
    return _build()


@pytest.fixture(scope="module")
def alarms(prod):
    return _alarms(prod)


def _queue(plan, name: str):
    return next(r for r in plan.resources if r.type == "aws:sqs/queue:Queue" and r.name == name)


def test_prod_creates_exactly_the_expected_alarms(prod, alarms):
    assert set(alarms) == set(PROD_ALARMS)
    component = next(r for r in prod.resources if r.type == COMPONENT)
    assert component.name == "prod-observability"
    assert all(alarm.parent == component.urn for alarm in alarms.values())
    assert sorted(component.outputs["alarm_names"]) == sorted(PROD_ALARMS)


@pytest.mark.parametrize("alarm_name", sorted(PROD_ALARMS))
def test_every_alarm_says_severity_owner_and_runbook_and_without_team_topics_notifies_its_severity_topic(
    alarms, alarm_name
):
    severity, runbook, incident, team = PROD_ALARMS[alarm_name]
    inputs = alarms[alarm_name].inputs
    topic = DR_TOPIC if alarm_name.endswith("-dr-replication-lag") else TOPICS[severity]
    assert inputs["name"] == alarm_name
    assert inputs["alarmActions"] == [topic]
    assert inputs["okActions"] == [topic]
    assert inputs["alarmDescription"].endswith(
        f"Severity: {incident.label} ({severity.value} alert). Team: {team}. Runbook: {runbook}."
    )
    assert inputs["tags"]["severity"] == severity.value
    assert inputs["tags"]["incident-severity"] == incident.value
    assert inputs["tags"]["team"] == team
    assert inputs["tags"]["runbook"] == runbook
    assert inputs["tags"]["environment"] == "prod"
    assert inputs["tags"]["managed-by"] == "crossdock"


@pytest.fixture(scope="module")
def routed_alarms():
    return _alarms(_build(team_topics=TEAM_TOPICS))


@pytest.mark.parametrize("alarm_name", sorted(PROD_ALARMS))
def test_every_alarm_notifies_its_owners_topic_for_its_incident_severity(routed_alarms, alarm_name):
    _, _, incident, team = PROD_ALARMS[alarm_name]
    inputs = routed_alarms[alarm_name].inputs
    # Alarm actions must be in the alarm's region: the DR-region alarm keeps the DR topic.
    topic = DR_TOPIC if alarm_name.endswith("-dr-replication-lag") else TEAM_TOPICS[(team, incident)]
    assert inputs["alarmActions"] == [topic]
    assert inputs["okActions"] == [topic]


def test_alarm_descriptions_name_the_business_impact(alarms):
    assert alarms["prod-carrier-events-oldest-message-age"].inputs["alarmDescription"] == (
        "The carrier-events flow (real-time-fulfillment) is stuck: its oldest message has waited more than 300 s, "
        "so the events it carries reach warehouses, carriers or ERP late. Business impact: carrier-label-printing, "
        "customer-visibility stopped. Severity: SEV1 (critical alert). Team: fulfillment. Runbook: queue-replay."
    )
    assert alarms["prod-orders-replica-lag"].inputs["tags"]["business-process"] == (
        "customer-visibility inventory-reservation invoicing order-release receiving shipment-creation"
    )


def test_each_business_process_has_a_dashboard_and_a_map_entry(prod):
    dashboards = {r.name: r for r in prod.resources if r.type == DASHBOARD}
    names = [process.name for process in PROD.business_processes]
    assert set(dashboards) == {"prod-operations", *(f"prod-process-{name}" for name in names)}
    body = json.loads(dashboards["prod-process-carrier-label-printing"].inputs["dashboardBody"])
    titles = [w["properties"].get("title") for w in body["widgets"] if w["type"] == "metric"]
    assert titles == [
        "failed-label-requests (Sum)",
        "carrier-events (real-time-fulfillment)",
        "label-requests (real-time-fulfillment)",
    ]
    assert body["widgets"][0]["properties"]["markdown"].startswith(
        "# carrier-label-printing (real-time-fulfillment)\nCarrier labels are requested"
    )
    invoicing = json.loads(dashboards["prod-process-invoicing"].inputs["dashboardBody"])
    assert [w["properties"].get("title") for w in invoicing["widgets"] if w["type"] == "metric"] == [
        "shipment-confirmations (real-time-fulfillment)",
        "billing-triggers (near-real-time-integration)",
        "orders",
    ]
    parameters = {r.name: r for r in prod.resources if r.type == "aws:ssm/parameter:Parameter"}
    entry = parameters["prod-process-invoicing-map"].inputs
    assert entry["name"] == "/crossdock/prod/business-processes/invoicing"
    assert (entry["type"], entry["keyId"]) == ("SecureString", LOG_KEY)
    assert json.loads(entry["value"])["dependsOn"] == ["shipment-creation"]
    assert entry["tags"]["process-criticality"] == "near-real-time-integration"
    assert entry["tags"]["team"] == "finance-systems"


def test_queue_age_alarm_watches_the_recorded_queue_against_the_flow_threshold(prod, alarms):
    queue = _queue(prod, "prod-shipment-confirmations")
    inputs = alarms["prod-shipment-confirmations-oldest-message-age"].inputs
    assert inputs["namespace"] == "AWS/SQS"
    assert inputs["metricName"] == "ApproximateAgeOfOldestMessage"
    assert inputs["statistic"] == "Maximum"
    assert queue.outputs["name"] == "prod-shipment-confirmations.fifo"
    assert inputs["dimensions"] == {"QueueName": queue.outputs["name"]}
    assert inputs["threshold"] == 120.0
    assert inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert inputs["period"] == 60 and inputs["evaluationPeriods"] == 1
    assert inputs["treatMissingData"] == "notBreaching"
    assert inputs["tags"]["flow"] == "shipment-confirmations"
    assert inputs["tags"]["criticality"] == "real-time-fulfillment"
    assert inputs["tags"]["data-class"] == "transactional"


def test_dlq_alarm_fires_on_the_first_dead_letter(prod, alarms):
    dlq = _queue(prod, "prod-carrier-events-dlq")
    inputs = alarms["prod-carrier-events-dlq-not-empty"].inputs
    assert inputs["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert inputs["namespace"] == "AWS/SQS"
    assert inputs["dimensions"] == {"QueueName": dlq.outputs["name"]} == {"QueueName": "prod-carrier-events-dlq"}
    assert inputs["statistic"] == "Maximum"
    assert inputs["threshold"] == 0.0
    assert inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert inputs["treatMissingData"] == "notBreaching"


def test_lower_tiers_page_less():
    specs = (
        PROD.queues[0].model_copy(update={"name": "nightly-report", "criticality": Criticality.INTERNAL_REPORTING}),
        PROD.queues[0].model_copy(update={"name": "analytics-feed", "criticality": Criticality.DEFERRED_ANALYTICS}),
    )
    alarms = _alarms(_build(queues=specs, clusters={}, dr_secondaries={}, with_dr_provider=False))
    severities = {
        name: alarm.inputs["tags"]["severity"] for name, alarm in alarms.items() if "flow" in alarm.inputs["tags"]
    }
    assert severities == {
        "prod-nightly-report-oldest-message-age": "warning",
        "prod-nightly-report-dlq-not-empty": "info",
        "prod-analytics-feed-oldest-message-age": "info",
        "prod-analytics-feed-dlq-not-empty": "info",
    }
    assert alarms["prod-analytics-feed-dlq-not-empty"].inputs["alarmActions"] == [TOPICS[Severity.INFO]]


def test_database_alarms_watch_the_cluster(alarms):
    expected = {
        "prod-orders-replica-lag": ("AuroraReplicaLag", "Maximum", 1000.0, "GreaterThanThreshold"),
        "prod-orders-cpu-high": ("CPUUtilization", "Maximum", 80.0, "GreaterThanThreshold"),
        "prod-orders-freeable-memory-low": ("FreeableMemory", "Minimum", 536870912.0, "LessThanThreshold"),
        "prod-orders-deadlocks": ("Deadlocks", "Sum", 0.0, "GreaterThanThreshold"),
    }
    for name, (metric, statistic, threshold, comparison) in expected.items():
        inputs = alarms[name].inputs
        assert inputs["namespace"] == "AWS/RDS", name
        assert inputs["metricName"] == metric, name
        assert inputs["statistic"] == statistic, name
        assert inputs["threshold"] == threshold, name
        assert inputs["comparisonOperator"] == comparison, name
        assert inputs["dimensions"] == {"DBClusterIdentifier": "prod-orders"}, name
        assert inputs["tags"]["database"] == "orders" and inputs["tags"]["data-class"] == "transactional", name
        assert alarms[name].region == "us-east-1", name


def test_replica_lag_is_a_warning_outside_production_and_absent_without_readers():
    staging = _tier_variant(Tier.STAGING, "staging")
    databases = (staging.databases[0], staging.databases[1].model_copy(update={"readers": 0}))
    staging = staging.model_copy(update={"databases": databases})
    alarms = _alarms(
        _build(
            staging,
            queues=(),
            clusters={"orders": "staging-orders", "reporting": "staging-reporting"},
            dr_secondaries={},
            with_dr_provider=False,
        )
    )
    database_alarms = {name for name in alarms if name.startswith(("staging-orders", "staging-reporting"))}
    assert database_alarms == {
        "staging-orders-replica-lag",
        "staging-orders-cpu-high",
        "staging-orders-freeable-memory-low",
        "staging-orders-deadlocks",
        "staging-reporting-cpu-high",
        "staging-reporting-freeable-memory-low",
        "staging-reporting-deadlocks",
    }
    lag = alarms["staging-orders-replica-lag"].inputs
    assert lag["tags"]["severity"] == "warning"
    assert lag["alarmActions"] == [TOPICS[Severity.WARNING]]


def test_dr_lag_alarm_lives_in_the_dr_region_at_the_region_rpo(prod, alarms):
    alarm = alarms["prod-orders-dr-replication-lag"]
    provider = next(r for r in prod.resources if r.type == PROVIDER and r.name == "prod-dr-us-west-2")
    assert alarm.region == "us-west-2"
    assert alarm.provider == provider.urn
    inputs = alarm.inputs
    assert inputs["namespace"] == "AWS/RDS"
    assert inputs["metricName"] == "AuroraGlobalDBReplicationLag"
    assert inputs["dimensions"] == {"DBClusterIdentifier": "prod-orders-dr-secondary"}
    assert inputs["threshold"] == 300000.0  # transactional region RPO: 5 minutes
    assert inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert inputs["treatMissingData"] == "breaching"
    assert inputs["alarmActions"] == [DR_TOPIC]
    others = [a for name, a in alarms.items() if name != "prod-orders-dr-replication-lag"]
    assert all(a.region == "us-east-1" and a.provider == "" for a in others)


def test_kpi_alarms_use_config_statistics_and_breach_on_silence(alarms):
    latency = alarms["prod-order-to-shipment-latency"].inputs
    assert latency["extendedStatistic"] == "p95"
    assert "statistic" not in latency
    assert latency["namespace"] == "Crossdock/Business"
    assert latency["metricName"] == "OrderToShipmentLatencySeconds"
    assert latency["dimensions"] == {"Environment": "prod"}
    assert latency["threshold"] == 14400.0
    assert latency["comparisonOperator"] == "GreaterThanThreshold"
    assert latency["period"] == 300 and latency["evaluationPeriods"] == 3
    assert latency["alarmDescription"].startswith("Orders are taking too long to leave the dock.")

    labels = alarms["prod-failed-label-requests"].inputs
    assert labels["statistic"] == "Sum"
    assert "extendedStatistic" not in labels
    assert labels["evaluationPeriods"] == 2
    assert labels["threshold"] == 25.0
    for name in (
        "prod-order-to-shipment-latency",
        "prod-failed-label-requests",
        "prod-delayed-asn-imports",
        "prod-unprocessed-pick-tasks",
    ):
        assert alarms[name].inputs["treatMissingData"] == "breaching"
        assert alarms[name].inputs["tags"]["kpi"] == name.removeprefix("prod-")


def test_log_groups_per_criticality_tier_encrypted_and_kept_a_year_in_production(prod):
    groups = {r.name: r for r in prod.resources if r.type == LOG_GROUP}
    assert set(groups) == {f"prod-{tier.value}-logs" for tier in Criticality}
    for tier in Criticality:
        group = groups[f"prod-{tier.value}-logs"]
        assert group.inputs["name"] == f"/crossdock/prod/{tier.value}"
        assert group.inputs["retentionInDays"] == 365
        assert group.inputs["kmsKeyId"] == LOG_KEY
        assert group.inputs["deletionProtectionEnabled"] is True
        assert group.inputs["tags"]["criticality"] == tier.value
        assert group.protect is True


@pytest.mark.parametrize(("tier", "days"), [(Tier.STAGING, 90), (Tier.DEVELOPMENT, 30)])
def test_log_retention_follows_the_environment_tier(tier, days):
    config = _tier_variant(tier, tier.value[:3])
    plan = _build(config, queues=(), clusters={}, dr_secondaries={}, with_dr_provider=False)
    groups = [r for r in plan.resources if r.type == LOG_GROUP]
    assert len(groups) == 4
    assert {g.inputs["retentionInDays"] for g in groups} == {days}
    assert not any(g.protect or "deletionProtectionEnabled" in g.inputs for g in groups)


def test_dashboard_puts_business_flow_before_infrastructure(prod):
    dashboard = next(r for r in prod.resources if r.type == DASHBOARD)
    assert dashboard.name == "prod-operations"
    assert dashboard.inputs["dashboardName"] == "prod-operations"
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]

    headers = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    assert headers == [
        "## Business KPIs: is freight moving?",
        "## Integration flows: oldest message age (s) and dead-letter depth",
        "## Databases: replica lag (ms) and CPU (%)",
        "## Disaster recovery: replication lag to us-west-2 (ms)",
    ]
    metrics = [w["properties"] for w in widgets if w["type"] == "metric"]
    first_metric = [m["metrics"][0][1] for m in metrics]
    assert first_metric == [
        "OrderToShipmentLatencySeconds",
        "FailedLabelRequests",
        "DelayedAsnImports",
        "UnprocessedPickTasks",
        *["ApproximateAgeOfOldestMessage"] * 6,
        "AuroraReplicaLag",
        "AuroraReplicaLag",
        "AuroraGlobalDBReplicationLag",
    ]
    # Rows never overlap: widgets are laid out top to bottom in that order.
    assert [w["y"] for w in widgets] == sorted(w["y"] for w in widgets)
    assert metrics[0]["metrics"][0][-1] == {"stat": "p95"}
    fifo_flow = next(m for m in metrics if m["title"].startswith("shipment-confirmations"))
    assert [line[3] for line in fifo_flow["metrics"]] == [
        "prod-shipment-confirmations.fifo",
        "prod-shipment-confirmations-dlq.fifo",
    ]
    assert metrics[-1]["region"] == "us-west-2"
    assert metrics[-1]["annotations"]["horizontal"][0]["value"] == 300000.0
    assert {m["region"] for m in metrics[:-1]} == {"us-east-1"}


def test_dr_secondaries_without_a_dr_provider_are_refused():
    with pytest.raises(ValueError, match="dr_provider, dr_alert_topic_arn is missing"):
        _build(queues=(), clusters={}, with_dr_provider=False)


def test_cluster_of_an_undeclared_database_is_refused():
    with pytest.raises(ValueError, match=r"cluster_identifiers\['billing'\] names no database"):
        _build(queues=(), clusters={"billing": "prod-billing"}, dr_secondaries={}, with_dr_provider=False)
