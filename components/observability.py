"""Alarms, log groups and the operations dashboard, ordered by what the business feels.

A logistics platform can look healthy while orders stop moving, so business KPIs and
queue age are alarmed and shown first, infrastructure (database CPU, memory) last.
Every alarm notifies its severity's SNS topic on ALARM and on OK, says in its
description what the business sees and which runbook to open, and carries tags
(severity, runbook, flow/database/kpi) so responders and policies can find it.

Severity follows the business-criticality tiers (see QUEUE_AGE_SEVERITY and
DLQ_SEVERITY). Alarms that mean "the flow went silent" treat missing data as
breaching (business KPIs, cross-region replication); alarms on queues and database
internals treat it as not breaching, because an idle queue or a quiet database is
not an incident.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alarm_routing import alarm_description, alarm_route, kpi_impact, kpi_runbook
from components.integration_queue import IntegrationQueue
from components.tags import base_tags
from crossdock.config.operations import BusinessProcess, Impact, IncidentSeverity, OperatingModel, Ownership
from crossdock.config.schema import Criticality, Database, Kpi, RecoveryObjective, Severity, StackConfig

# A stuck queue's severity follows its flow's business tier: fulfilment and partner
# integrations (shipment events, ASN, billing triggers) page on-call because docks,
# receiving and invoicing stop; internal reporting can wait for working hours;
# deferred analytics is informational.
QUEUE_AGE_SEVERITY: Mapping[Criticality, Severity] = {
    Criticality.REAL_TIME_FULFILLMENT: Severity.CRITICAL,
    Criticality.NEAR_REAL_TIME_INTEGRATION: Severity.CRITICAL,
    Criticality.INTERNAL_REPORTING: Severity.WARNING,
    Criticality.DEFERRED_ANALYTICS: Severity.INFO,
}

# A message in a DLQ is one item that failed, not a stalled flow, so it is one step
# below the age alarm. Real-time fulfilment stays critical: a dead-lettered label
# request or shipment confirmation is a parcel that will not ship until someone
# replays it, and the age alarm never sees it because it left the source queue.
DLQ_SEVERITY: Mapping[Criticality, Severity] = {
    Criticality.REAL_TIME_FULFILLMENT: Severity.CRITICAL,
    Criticality.NEAR_REAL_TIME_INTEGRATION: Severity.WARNING,
    Criticality.INTERNAL_REPORTING: Severity.INFO,
    Criticality.DEFERRED_ANALYTICS: Severity.INFO,
}

# Aurora readers normally trail the writer by tens of milliseconds; a second of lag
# means reads (inventory, order status) are visibly stale.
REPLICA_LAG_THRESHOLD_MS = 1000.0
CPU_THRESHOLD_PERCENT = 80.0
FREEABLE_MEMORY_THRESHOLD_BYTES = float(512 * 1024 * 1024)

# The dimension business KPI metrics are published with, so one account can hold
# several environments without staging traffic masking a production outage.
KPI_ENVIRONMENT_DIMENSION = "Environment"

# Runbooks (`crossdock runbook`): a stuck or dead-lettered flow is drained and replayed; a lagging, hot or
# memory-starved cluster fails over to a healthy instance (or, for the DR copy, is the region-failover
# decision); deadlocks come from a change in how transactions are written, so deploys stop while it is
# rolled back. A KPI alarm names its business process's runbook (businessProcesses[].runbook; see
# components.alarm_routing.kpi_runbook).
RUNBOOK_QUEUE_BACKLOG = "queue-replay"
RUNBOOK_DEAD_LETTER_REPLAY = "queue-replay"
RUNBOOK_DATABASE_FAILOVER = "db-failover"
RUNBOOK_DATABASE_CONTENTION = "db-failover"
RUNBOOK_DEADLOCKS = "freeze-deploys"
RUNBOOK_DR_REPLICATION_LAG = "db-failover"


@dataclass
class ObservabilityArgs:
    config: StackConfig
    # SNS topic ARN per severity, in the primary region.
    alert_topic_arns: Mapping[Severity, pulumi.Input[str]]
    queues: Sequence[IntegrationQueue]
    # Aurora cluster identifier per database name (config.databases[].name).
    cluster_identifiers: Mapping[str, pulumi.Input[str]]
    # KMS key for the application log groups (its policy must admit CloudWatch Logs).
    log_key_arn: pulumi.Input[str]
    # Aurora Global Database secondary cluster identifier per database name, in the DR region.
    dr_secondary_identifiers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # Provider for the DR region; required when dr_secondary_identifiers is not empty.
    dr_provider: aws.Provider | None = None
    # Critical alert topic in the DR region (alarm actions must be in the alarm's region).
    dr_alert_topic_arn: pulumi.Input[str] | None = None
    # Dimensions of the business-KPI metrics; default {Environment: <environment name>}. A silo
    # tenant's stack passes {Environment: <env>, Tenant: <id>} (what the shared application publishes).
    kpi_dimensions: Mapping[str, str] | None = None
    # SNS topic ARN per (team, incident severity) (components.team_alerting); an alarm whose owner and
    # severity are known notifies its owner's topic, otherwise the environment's topic of its alert severity.
    team_topic_arns: Mapping[tuple[str, IncidentSeverity], pulumi.Input[str]] = field(default_factory=dict)


class Observability(pulumi.ComponentResource):
    """Queue, database, DR-replication and business-KPI alarms; tiered log groups; one dashboard."""

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:observability:Observability", name, None, opts)
        config = args.config
        self._config = config
        self._env = config.environment.name
        self._topics = args.alert_topic_arns
        self._kpi_dimensions = dict(args.kpi_dimensions or {KPI_ENVIRONMENT_DIMENSION: self._env})
        self._model = OperatingModel(config)
        self._team_topics = args.team_topic_arns
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        _check_dr_wiring(args)

        for queue in args.queues:
            self._queue_alarms(queue)
        for database_name, identifier in args.cluster_identifiers.items():
            self._database_alarms(database_name, identifier)
        for database_name, identifier in args.dr_secondary_identifiers.items():
            self._dr_alarm(database_name, identifier, args)
        for kpi in config.kpis:
            self._kpi_alarm(kpi)
        self.alarm_names: list[str] = list(self.alarms)

        is_production = config.is_production
        # Retention per environment tier is decided once, in the config contract
        # (crossdock.config.schema.LOG_RETENTION_DAYS), and shared with VPC flow logs.
        retention = config.environment.log_retention_days
        self.log_groups: dict[Criticality, aws.cloudwatch.LogGroup] = {}
        for criticality in Criticality:
            self.log_groups[criticality] = aws.cloudwatch.LogGroup(
                f"{self._env}-{criticality.value}-logs",
                name=f"/crossdock/{self._env}/{criticality.value}",
                retention_in_days=retention,
                kms_key_id=args.log_key_arn,
                # Production logs are incident evidence: neither AWS nor Pulumi may drop them casually.
                deletion_protection_enabled=is_production or None,
                tags=base_tags(config.environment, extra={"criticality": criticality.value}),
                opts=pulumi.ResourceOptions(parent=self, protect=is_production),
            )

        self.dashboard = aws.cloudwatch.Dashboard(
            f"{self._env}-operations",
            dashboard_name=f"{self._env}-operations",
            dashboard_body=pulumi.Output.json_dumps({"widgets": self._widgets(args)}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_name = self.dashboard.dashboard_name

        # Beside the environment dashboard: one per business process, and its entry in the process map
        # that runbooks and responders read from Parameter Store during an incident.
        self.process_dashboards: dict[str, aws.cloudwatch.Dashboard] = {}
        self.process_parameters: dict[str, aws.ssm.Parameter] = {}
        for process in config.business_processes:
            self._process(process, args)
        self.process_dashboard_names = {name: d.dashboard_name for name, d in self.process_dashboards.items()}

        self.register_outputs(
            {
                "alarm_names": self.alarm_names,
                "log_group_names": {c.value: group.name for c, group in self.log_groups.items()},
                "dashboard_name": self.dashboard_name,
                "process_dashboard_names": self.process_dashboard_names,
            }
        )

    # -- alarms -----------------------------------------------------------------

    def _alarm(
        self,
        alarm_name: str,
        *,
        severity: Severity,
        runbook: str,
        description: str,
        tags: Mapping[str, str],
        ownership: Ownership | None = None,
        impact: Impact = Impact.DEGRADED,
        topic_arn: pulumi.Input[str] | None = None,
        provider: aws.Provider | None = None,
        **metric: Any,
    ) -> aws.cloudwatch.MetricAlarm:
        """One alarm that notifies its topic on ALARM and OK (so on-call sees recovery too).

        With an operating model, the description also says which business processes are hit and how
        (`impact`), the incident severity the matrix gives that, the owning team and the runbook, and the
        alarm notifies the owning team's topic for that severity (a DR-region alarm keeps the DR topic:
        alarm actions must be in the alarm's region).
        """
        if alarm_name in self.alarms:
            raise ValueError(f"two alarms would be named {alarm_name!r}; rename the KPI, queue or database")
        route = alarm_route(self._model, ownership, impact)
        topic = topic_arn
        if topic is None and route.topic_key in self._team_topics:
            topic = self._team_topics[route.topic_key]
        if topic is None:
            topic = self._topic(severity)
        alarm = aws.cloudwatch.MetricAlarm(
            alarm_name,
            name=alarm_name,
            alarm_description=alarm_description(description, severity, runbook, route),
            alarm_actions=[topic],
            ok_actions=[topic],
            tags={**tags, **route.tags, "severity": severity.value, "runbook": runbook},
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
            **metric,
        )
        self.alarms[alarm_name] = alarm
        return alarm

    def _topic(self, severity: Severity) -> pulumi.Input[str]:
        try:
            return self._topics[severity]
        except KeyError:
            raise ValueError(f"no alert topic for severity {severity.value!r}; alarms need one per severity") from None

    def _queue_alarms(self, queue: IntegrationQueue) -> None:
        spec = queue.spec
        flow = f"{self._env}-{spec.name}"
        tags = base_tags(
            self._config.environment,
            data_class=spec.data_class,
            extra={"criticality": spec.criticality.value, "flow": spec.name},
        )
        ownership = self._model.ownership("queue", spec.name)
        self._alarm(
            f"{flow}-oldest-message-age",
            severity=QUEUE_AGE_SEVERITY[spec.criticality],
            runbook=RUNBOOK_QUEUE_BACKLOG,
            ownership=ownership,
            impact=Impact.STOPPED,
            description=(
                f"The {spec.name} flow ({spec.criticality.value}) is stuck: its oldest message has waited more "
                f"than {spec.age_alarm_seconds} s, so the events it carries reach warehouses, carriers or ERP late."
            ),
            tags=tags,
            namespace="AWS/SQS",
            metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": queue.queue_name},
            statistic="Maximum",
            # The metric is itself a duration: one breaching minute already means the
            # oldest message waited longer than the flow tolerates.
            period=60,
            evaluation_periods=1,
            threshold=float(spec.age_alarm_seconds),
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )
        self._alarm(
            f"{flow}-dlq-not-empty",
            severity=DLQ_SEVERITY[spec.criticality],
            runbook=RUNBOOK_DEAD_LETTER_REPLAY,
            ownership=ownership,
            impact=Impact.DEGRADED,
            description=(
                f"Messages of the {spec.name} flow failed {spec.max_receive_count} times and sit in its dead-letter "
                "queue: those shipments, notices or postings will not be processed until they are fixed and replayed."
            ),
            tags=tags,
            namespace="AWS/SQS",
            metric_name="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": queue.dlq_name},
            statistic="Maximum",
            period=60,
            evaluation_periods=1,
            threshold=0.0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )

    def _database_alarms(self, database_name: str, identifier: pulumi.Input[str]) -> None:
        spec = self._database(database_name, "cluster_identifiers")
        prefix = f"{self._env}-{database_name}"
        tags = base_tags(self._config.environment, data_class=spec.data_class, extra={"database": database_name})
        dimensions = {"DBClusterIdentifier": identifier}
        common = {
            "namespace": "AWS/RDS",
            "dimensions": dimensions,
            "treat_missing_data": "notBreaching",
            "ownership": self._model.ownership("database", database_name),
            "impact": Impact.DEGRADED,
        }
        if spec.readers > 0:
            # A cluster without readers never publishes replica lag: no alarm that can never fire.
            self._alarm(
                f"{prefix}-replica-lag",
                severity=Severity.CRITICAL if self._config.is_production else Severity.WARNING,
                runbook=RUNBOOK_DATABASE_FAILOVER,
                description=(
                    f"Readers of {database_name} trail the writer by more than {REPLICA_LAG_THRESHOLD_MS:g} ms: "
                    "order status and inventory reads are stale, and failing over to a lagging reader loses writes."
                ),
                tags=tags,
                metric_name="AuroraReplicaLag",
                statistic="Maximum",
                unit="Milliseconds",
                period=60,
                evaluation_periods=3,
                threshold=REPLICA_LAG_THRESHOLD_MS,
                comparison_operator="GreaterThanThreshold",
                **common,
            )
        self._alarm(
            f"{prefix}-cpu-high",
            severity=Severity.WARNING,
            runbook=RUNBOOK_DATABASE_CONTENTION,
            description=(
                f"An instance of {database_name} has run above {CPU_THRESHOLD_PERCENT:g}% CPU for 15 minutes: "
                "order processing slows and queue backlogs follow."
            ),
            tags=tags,
            metric_name="CPUUtilization",
            # Maximum over the cluster's instances: an averaged-out hot writer is still a hot writer.
            statistic="Maximum",
            period=300,
            evaluation_periods=3,
            threshold=CPU_THRESHOLD_PERCENT,
            comparison_operator="GreaterThanThreshold",
            **common,
        )
        self._alarm(
            f"{prefix}-freeable-memory-low",
            severity=Severity.WARNING,
            runbook=RUNBOOK_DATABASE_CONTENTION,
            description=(
                f"An instance of {database_name} has under {FREEABLE_MEMORY_THRESHOLD_BYTES / 2**20:g} MiB of "
                "freeable memory: queries spill to disk and transactions slow down before the instance restarts."
            ),
            tags=tags,
            metric_name="FreeableMemory",
            statistic="Minimum",
            period=300,
            evaluation_periods=3,
            threshold=FREEABLE_MEMORY_THRESHOLD_BYTES,
            comparison_operator="LessThanThreshold",
            **common,
        )
        self._alarm(
            f"{prefix}-deadlocks",
            severity=Severity.WARNING,
            runbook=RUNBOOK_DEADLOCKS,
            description=(
                f"{database_name} reports deadlocks: competing transactions (e.g. inventory reservations) are being "
                "rolled back and retried, delaying orders."
            ),
            tags=tags,
            metric_name="Deadlocks",
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=0.0,
            comparison_operator="GreaterThanThreshold",
            **common,
        )

    def _dr_alarm(self, database_name: str, identifier: pulumi.Input[str], args: ObservabilityArgs) -> None:
        spec = self._database(database_name, "dr_secondary_identifiers")
        objective = self._region_objective(database_name)
        self._alarm(
            f"{self._env}-{database_name}-dr-replication-lag",
            severity=Severity.CRITICAL,
            runbook=RUNBOOK_DR_REPLICATION_LAG,
            description=(
                f"The {args.config.dr.region} copy of {database_name} is more than {objective.rpo_minutes:g} minutes "
                f"behind (or silent): a regional outage now would lose more {spec.data_class} data than the "
                "agreed RPO."
            ),
            tags=base_tags(
                self._config.environment,
                data_class=spec.data_class,
                extra={"database": database_name, "dr-role": "secondary"},
            ),
            ownership=self._model.ownership("database", database_name),
            impact=Impact.DEGRADED,
            topic_arn=args.dr_alert_topic_arn,
            provider=args.dr_provider,
            namespace="AWS/RDS",
            metric_name="AuroraGlobalDBReplicationLag",
            dimensions={"DBClusterIdentifier": identifier},
            statistic="Maximum",
            unit="Milliseconds",
            # Two of three minutes over the RPO (or without data) pages; one blip does not.
            period=60,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            threshold=objective.rpo_minutes * 60_000.0,
            comparison_operator="GreaterThanThreshold",
            # A replication stream that stops reporting is an incident, not a quiet night.
            treat_missing_data="breaching",
        )

    def _kpi_alarm(self, kpi: Kpi) -> None:
        percentile = kpi.statistic.startswith("p")
        condition = f"{kpi.metric} {kpi.statistic} {_COMPARISON_WORDS[kpi.comparison.value]} {kpi.threshold:g}"
        ownership = self._model.kpi_ownership(kpi.name)
        self._alarm(
            f"{self._env}-{kpi.name}",
            severity=kpi.severity,
            runbook=kpi_runbook(self._model, kpi.name),
            ownership=ownership,
            impact=kpi_impact(kpi),
            description=(f"{kpi.description or kpi.name} ({condition}, or no data: a silent flow is an outage.)"),
            tags=base_tags(self._config.environment, extra={"kpi": kpi.name}),
            namespace=kpi.namespace,
            metric_name=kpi.metric,
            dimensions=self._kpi_dimensions,
            statistic=None if percentile else kpi.statistic,
            extended_statistic=kpi.statistic if percentile else None,
            period=kpi.period_seconds,
            evaluation_periods=kpi.evaluation_periods,
            threshold=float(kpi.threshold),
            comparison_operator=kpi.comparison.value,
            treat_missing_data="breaching",
        )

    def _region_objective(self, database_name: str) -> RecoveryObjective:
        """The region RPO/RTO of the data class a DR secondary replicates."""
        spec = self._database(database_name, "dr_secondary_identifiers")
        objective = self._config.data_class(spec.data_class).objectives.region
        if objective is None:
            raise ValueError(
                f"dr_secondary_identifiers[{database_name!r}]: data class {spec.data_class!r} declares no region "
                "RPO, so there is nothing to alarm on"
            )
        return objective

    def _database(self, database_name: str, argument: str) -> Database:
        for database in self._config.databases:
            if database.name == database_name:
                return database
        declared = ", ".join(d.name for d in self._config.databases) or "none"
        raise ValueError(f"{argument}[{database_name!r}] names no database in the stack config (declared: {declared})")

    # -- business processes -------------------------------------------------------

    def _process(self, process: BusinessProcess, args: ObservabilityArgs) -> None:
        """The process's dashboard (its KPIs, its queues' age, its databases' lag) and its map entry."""
        env = self._config.environment
        name = f"{self._env}-process-{process.name}"
        kpis = [kpi for kpi in self._config.kpis if kpi.name in process.kpis]
        queues = [queue for queue in args.queues if queue.spec.name in process.queues]
        databases = {db: ident for db, ident in args.cluster_identifiers.items() if db in process.databases}
        header = (
            f"# {process.name} ({process.criticality.value})\n{process.description}\n\n"
            f"Team: **{process.team}**. Runbook: `{process.runbook}`. Depends on: "
            f"{', '.join(process.depends_on) or 'no other process'}."
        )
        widgets = [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 3, "properties": {"markdown": header}}]
        layout = _Layout(start_y=3)
        self._kpi_widgets(layout, kpis)
        self._queue_widgets(layout, queues)
        self._database_widgets(layout, databases)
        self.process_dashboards[process.name] = aws.cloudwatch.Dashboard(
            name,
            dashboard_name=name,
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets + layout.widgets}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        entry = {
            "description": process.description,
            "criticality": process.criticality.value,
            "team": process.team,
            "services": list(process.services),
            "queues": list(process.queues),
            "databases": list(process.databases),
            "integrations": list(process.integrations),
            "dependsOn": list(process.depends_on),
            "kpis": list(process.kpis),
            "runbook": process.runbook,
            "dashboard": name,
        }
        self.process_parameters[process.name] = aws.ssm.Parameter(
            f"{name}-map",
            name=f"/crossdock/{self._env}/business-processes/{process.name}",
            # Encrypted with the operations key like the alert topics (runbook roles can decrypt it).
            type="SecureString",
            key_id=args.log_key_arn,
            description=f"crossdock: business process {process.name} ({process.criticality.value}), owned by "
            f"{process.team}",
            value=json.dumps(entry, sort_keys=True),
            tags=base_tags(
                env,
                extra={
                    "business-process": process.name,
                    "process-criticality": process.criticality.value,
                    "team": process.team,
                    "kpis": " ".join(process.kpis),
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    # -- dashboard --------------------------------------------------------------

    def _widgets(self, args: ObservabilityArgs) -> list[dict]:
        """Business KPIs, then flows, then databases, then DR: what the business feels comes first."""
        layout = _Layout()
        self._kpi_widgets(layout, self._config.kpis)
        self._queue_widgets(layout, args.queues)
        self._database_widgets(layout, args.cluster_identifiers)
        if args.dr_secondary_identifiers:
            dr_region = self._config.dr.region
            layout.section(f"Disaster recovery: replication lag to {dr_region} (ms)")
            for database_name, identifier in args.dr_secondary_identifiers.items():
                layout.metric(
                    f"{database_name} -> {dr_region}",
                    dr_region,
                    [
                        [
                            "AWS/RDS",
                            "AuroraGlobalDBReplicationLag",
                            "DBClusterIdentifier",
                            identifier,
                            {"stat": "Maximum", "label": "replication lag (ms)"},
                        ]
                    ],
                    period=60,
                    threshold=self._region_objective(database_name).rpo_minutes * 60_000.0,
                )
        return layout.widgets

    def _kpi_widgets(self, layout: _Layout, kpis: Sequence[Kpi]) -> None:
        region = self._config.environment.region
        if kpis:
            layout.section("Business KPIs: is freight moving?")
            for kpi in kpis:
                layout.metric(
                    f"{kpi.name} ({kpi.statistic})",
                    region,
                    [
                        [
                            kpi.namespace,
                            kpi.metric,
                            *[part for item in self._kpi_dimensions.items() for part in item],
                            {"stat": kpi.statistic},
                        ]
                    ],
                    period=kpi.period_seconds,
                    threshold=kpi.threshold,
                )

    def _queue_widgets(self, layout: _Layout, queues: Sequence[IntegrationQueue]) -> None:
        region = self._config.environment.region
        if queues:
            layout.section("Integration flows: oldest message age (s) and dead-letter depth")
            for queue in queues:
                spec = queue.spec
                layout.metric(
                    f"{spec.name} ({spec.criticality.value})",
                    region,
                    [
                        [
                            "AWS/SQS",
                            "ApproximateAgeOfOldestMessage",
                            "QueueName",
                            queue.queue_name,
                            {"stat": "Maximum", "label": "oldest message age (s)"},
                        ],
                        [
                            "AWS/SQS",
                            "ApproximateNumberOfMessagesVisible",
                            "QueueName",
                            queue.dlq_name,
                            {"stat": "Maximum", "label": "dead-letter depth", "yAxis": "right"},
                        ],
                    ],
                    period=60,
                    threshold=spec.age_alarm_seconds,
                )

    def _database_widgets(self, layout: _Layout, cluster_identifiers: Mapping[str, pulumi.Input[str]]) -> None:
        region = self._config.environment.region
        if cluster_identifiers:
            layout.section("Databases: replica lag (ms) and CPU (%)")
            for database_name, identifier in cluster_identifiers.items():
                layout.metric(
                    database_name,
                    region,
                    [
                        [
                            "AWS/RDS",
                            "AuroraReplicaLag",
                            "DBClusterIdentifier",
                            identifier,
                            {"stat": "Maximum", "label": "replica lag (ms)"},
                        ],
                        [
                            "AWS/RDS",
                            "CPUUtilization",
                            "DBClusterIdentifier",
                            identifier,
                            {"stat": "Maximum", "label": "CPU (%)", "yAxis": "right"},
                        ],
                    ],
                    period=60,
                )


def _check_dr_wiring(args: ObservabilityArgs) -> None:
    """DR alarms live in the DR region and notify a topic there: all three pieces or none."""
    if not args.dr_secondary_identifiers:
        return
    missing = [
        label
        for label, value in (
            ("a dr section in the stack config", args.config.dr),
            ("dr_provider", args.dr_provider),
            ("dr_alert_topic_arn", args.dr_alert_topic_arn),
        )
        if value is None
    ]
    if missing:
        raise ValueError(f"dr_secondary_identifiers is set but {', '.join(missing)} is missing")


_COMPARISON_WORDS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


class _Layout:
    """Places widgets on CloudWatch's 24-column grid: a header row per section, two graphs per row."""

    WIDTH = 12
    HEIGHT = 6

    def __init__(self, start_y: int = 0) -> None:
        self.widgets: list[dict] = []
        self._x = 0
        self._y = start_y

    def section(self, title: str) -> None:
        self._newline()
        self.widgets.append(
            {"type": "text", "x": 0, "y": self._y, "width": 24, "height": 1, "properties": {"markdown": f"## {title}"}}
        )
        self._y += 1

    def metric(
        self, title: str, region: str, metrics: list, *, period: int, threshold: pulumi.Input[float] | None = None
    ) -> None:
        if self._x + self.WIDTH > 24:
            self._newline()
        properties: dict[str, Any] = {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stacked": False,
            "period": period,
            "metrics": metrics,
        }
        if threshold is not None:
            properties["annotations"] = {"horizontal": [{"label": "alarm", "value": threshold}]}
        self.widgets.append(
            {
                "type": "metric",
                "x": self._x,
                "y": self._y,
                "width": self.WIDTH,
                "height": self.HEIGHT,
                "properties": properties,
            }
        )
        self._x += self.WIDTH

    def _newline(self) -> None:
        if self._x:
            self._x = 0
            self._y += self.HEIGHT
