"""Pool tenants: a rate limit each, business-KPI alarms each, and session-tag-scoped access to shared data.

Pool tenants share the environment's databases, queues and payload archive, so the
controls are per tenant on shared resources (see docs/tenancy.md):

- Rate limits: one WAF rate-based rule per registered tenant, keyed on the
  `x-tenant-id` header (which the edge sets from the authenticated session) and
  scoped down to that tenant's id, with the tenant's `requestsPerFiveMinutes` as the
  limit. A noisy tenant gets 429s; its neighbours keep their own budget. The rules
  go into the environment's public-edge web ACL when the transaction tier has one
  (`tenant_rate_rules`, used by `components.public_edge`); otherwise this component
  creates a regional web ACL of its own (with AWS's known-bad-inputs rules and
  logging) for the edge to associate later.
- KPI alarms: every business KPI again per pool tenant, on the same metric with a
  `Tenant` dimension beside `Environment` (the application publishes both), so a
  responder sees whether an incident is one customer's or everyone's. Plus a
  noisy-tenant alarm on the tenant's `queueMessagesPerSecond` quota.
- Data access: one shared role that the environment's workloads (the transaction
  tier's service roles) assume with a `tenant` session tag when they act for one
  tenant. Its policy reaches only `<archive>/${aws:PrincipalTag/tenant}/*`, so a
  session tagged `acme` can read and write only acme's payloads. The trust policy
  names those service roles (never the whole account) and admits only registered
  pool tenants' tags. Without workloads there is no one to assume it, and no role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.alarm_routing import alarm_description, alarm_route, alarm_topic, kpi_runbook
from components.tags import base_tags
from crossdock.config.operations import Impact, IncidentSeverity, OperatingModel, Ownership
from crossdock.config.schema import Isolation, Kpi, Severity, StackConfig, Tenant
from crossdock.config.tenancy import TENANT_HEADER

# The edge's own rules use priorities below this; tenant rules follow in registration order.
TENANT_RULE_PRIORITY = 100
TENANT_METRIC_NAMESPACE = "Crossdock/Tenants"
TENANT_MESSAGES_METRIC = "MessagesSent"
KPI_TENANT_DIMENSION = "Tenant"
# A tenant flooding the shared flows is contained by isolating it (`crossdock runbook run isolate-tenant`).
RUNBOOK_NOISY_TENANT = "isolate-tenant"
# The session tag whose value is the tenant id; `${aws:PrincipalTag/tenant}` in policies.
SESSION_TAG = "tenant"
PRINCIPAL_TAG = "${aws:PrincipalTag/" + SESSION_TAG + "}"


def rate_rule(environment_name: str, tenant: Tenant, priority: int) -> dict:
    """The WAF rule that limits one tenant's requests (a `rules` entry of aws.wafv2.WebAcl)."""
    no_transform = [{"priority": 0, "type": "NONE"}]
    return {
        "name": f"tenant-{tenant.id}-rate",
        "priority": priority,
        "action": {"block": {"custom_response": {"response_code": 429}}},
        "statement": {
            "rate_based_statement": {
                "limit": tenant.quotas.requests_per_five_minutes,
                "evaluation_window_sec": 300,
                "aggregate_key_type": "CUSTOM_KEYS",
                "custom_keys": [{"header": {"name": TENANT_HEADER, "text_transformations": no_transform}}],
                "scope_down_statement": {
                    "byte_match_statement": {
                        "field_to_match": {"single_header": {"name": TENANT_HEADER}},
                        "positional_constraint": "EXACTLY",
                        "search_string": tenant.id,
                        "text_transformations": no_transform,
                    }
                },
            }
        },
        "visibility_config": _visibility(f"{environment_name}-tenant-{tenant.id}-rate"),
    }


def tenant_rate_rules(config: StackConfig, first_priority: int = TENANT_RULE_PRIORITY) -> list[dict]:
    """One rate rule per registered tenant (pool and silo: silo tenants' requests enter through the same edge)."""
    return [rate_rule(config.environment.name, tenant, first_priority + i) for i, tenant in enumerate(config.tenants)]


@dataclass
class TenantPoolArgs:
    config: StackConfig
    # Alert topic ARN per severity (the environment's).
    alert_topic_arns: Mapping[Severity, pulumi.Input[str]]
    # The shared payload archive and the key that encrypts it.
    archive_bucket_arn: pulumi.Input[str]
    archive_key_arn: pulumi.Input[str]
    # The operations key: encrypts the WAF log group of the web ACL this component creates.
    log_key_arn: pulumi.Input[str]
    # The environment's public-edge web ACL when it already carries the tenant rules; None creates one here.
    web_acl_arn: pulumi.Input[str] | None = None
    # Roles that may assume the tenant-scoped access role (the transaction tier's service roles).
    session_principal_arns: Sequence[pulumi.Input[str]] = ()
    # SNS topic per (team, incident severity): a tenant's alarms page its owning team (components.alarm_routing).
    team_topic_arns: Mapping[tuple[str, IncidentSeverity], pulumi.Input[str]] = field(default_factory=dict)


class TenantPool(pulumi.ComponentResource):
    """Per-tenant WAF rate rules, per-tenant KPI and throughput alarms, the tenant-scoped access role."""

    def __init__(self, name: str, args: TenantPoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:tenant:TenantPool", name, None, opts)
        config = args.config
        env = config.environment
        self._config = config
        self._topics = args.alert_topic_arns
        self._team_topics = args.team_topic_arns
        child = pulumi.ResourceOptions(parent=self)
        tags = base_tags(env, extra={"component": "tenancy"})
        pool = [tenant for tenant in config.tenants if tenant.isolation is Isolation.POOL]

        self.web_acl = None
        self.web_acl_arn = args.web_acl_arn
        if args.web_acl_arn is None:
            self.web_acl = aws.wafv2.WebAcl(
                f"{name}-waf",
                name=f"{env.name}-tenancy",
                description=f"crossdock {env.name}: per-tenant rate limits on the {TENANT_HEADER} header",
                scope="REGIONAL",
                default_action={"allow": {}},
                rules=[
                    {
                        "name": "aws-known-bad-inputs",
                        "priority": 0,
                        "override_action": {"none": {}},
                        "statement": {
                            "managed_rule_group_statement": {
                                "vendor_name": "AWS",
                                "name": "AWSManagedRulesKnownBadInputsRuleSet",
                            }
                        },
                        "visibility_config": _visibility(f"{env.name}-tenancy-known-bad-inputs"),
                    },
                    *tenant_rate_rules(config),
                ],
                visibility_config=_visibility(f"{env.name}-tenancy"),
                tags={**tags, "Name": f"{env.name}-tenancy"},
                opts=child,
            )
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-waf-logs",
                name=f"aws-waf-logs-{env.name}-tenancy",
                retention_in_days=env.log_retention_days,
                kms_key_id=args.log_key_arn,
                tags={**tags, "Name": f"aws-waf-logs-{env.name}-tenancy"},
                opts=child,
            )
            aws.wafv2.WebAclLoggingConfiguration(
                f"{name}-waf-logging",
                resource_arn=self.web_acl.arn,
                log_destination_configs=[log_group.arn],
                redacted_fields=[{"single_header": {"name": "authorization"}}],
                opts=child,
            )
            self.web_acl_arn = self.web_acl.arn

        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for tenant in pool:
            for kpi in config.kpis:
                self._kpi_alarm(tenant, kpi)
            self._throughput_alarm(tenant)

        self.access_role = None
        self.access_role_arn: pulumi.Output[str] | None = None
        if pool and args.session_principal_arns:
            self.access_role = aws.iam.Role(
                f"{name}-access-role",
                name=f"{env.name}-tenancy-access",
                description=f"Tenant-scoped sessions of {env.name}'s pool tenants: each reaches only its own data",
                assume_role_policy=pulumi.Output.json_dumps(
                    access_trust_policy(list(args.session_principal_arns), [t.id for t in pool])
                ),
                max_session_duration=3600,
                tags={**tags, "Name": f"{env.name}-tenancy-access"},
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-access-policy",
                role=self.access_role.id,
                policy=pulumi.Output.json_dumps(
                    access_policy(args.archive_bucket_arn, args.archive_key_arn, env.region)
                ),
                opts=child,
            )
            self.access_role_arn = self.access_role.arn

        self.alarm_names = list(self.alarms)
        self.tenants = {
            tenant.id: {
                "isolation": tenant.isolation.value,
                "risk": tenant.risk.value,
                "flows": list(tenant.flows),
                "requests_per_five_minutes": tenant.quotas.requests_per_five_minutes,
                "queue_messages_per_second": tenant.quotas.queue_messages_per_second,
            }
            for tenant in config.tenants
        }
        self.register_outputs(
            {
                "web_acl_arn": self.web_acl_arn,
                "access_role_arn": self.access_role_arn,
                "alarm_names": self.alarm_names,
                "tenants": self.tenants,
            }
        )

    # -- alarms ------------------------------------------------------------------------------

    def _alarm(
        self,
        alarm_name: str,
        tenant: Tenant,
        severity: Severity,
        runbook: str,
        extra: dict,
        *,
        description: str,
        processes: tuple[str, ...],
        **metric,
    ) -> None:
        """One tenant's alarm: one tenant affected, so the matrix's single-tenant severity; its owner is paged."""
        model = OperatingModel(self._config)
        ownership = Ownership(model.owner("tenant", tenant.id), processes, None)
        route = alarm_route(model, ownership, Impact.SINGLE_TENANT)
        topic = alarm_topic(route, severity, self._team_topics, self._topics)
        self.alarms[alarm_name] = aws.cloudwatch.MetricAlarm(
            alarm_name,
            name=alarm_name,
            alarm_description=alarm_description(description, severity, runbook, route),
            alarm_actions=[topic],
            ok_actions=[topic],
            tags=base_tags(
                self._config.environment,
                tenant=tenant.id,
                extra={
                    "isolation": tenant.isolation.value,
                    **route.tags,
                    "severity": severity.value,
                    "runbook": runbook,
                    **extra,
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
            **metric,
        )

    def _kpi_alarm(self, tenant: Tenant, kpi: Kpi) -> None:
        """The KPI for one tenant. A quiet tenant is not an outage, so missing data does not breach."""
        env = self._config.environment.name
        model = OperatingModel(self._config)
        percentile = kpi.statistic.startswith("p")
        self._alarm(
            f"{env}-{kpi.name}-tenant-{tenant.id}",
            tenant,
            kpi.severity,
            kpi_runbook(model, kpi.name),
            {"kpi": kpi.name},
            description=(
                f"{kpi.description or kpi.name} For tenant {tenant.display_name} ({tenant.id}) only: "
                f"{kpi.metric} {kpi.statistic} breached {kpi.threshold:g}."
            ),
            processes=model.processes_of_kpi(kpi.name),
            namespace=kpi.namespace,
            metric_name=kpi.metric,
            dimensions={"Environment": env, KPI_TENANT_DIMENSION: tenant.id},
            statistic=None if percentile else kpi.statistic,
            extended_statistic=kpi.statistic if percentile else None,
            period=kpi.period_seconds,
            evaluation_periods=kpi.evaluation_periods,
            threshold=float(kpi.threshold),
            comparison_operator=kpi.comparison.value,
            treat_missing_data="notBreaching",
        )

    def _throughput_alarm(self, tenant: Tenant) -> None:
        """The tenant sends more than its queue quota for 5 minutes: a noisy import starving its neighbours."""
        env = self._config.environment.name
        per_minute = tenant.quotas.queue_messages_per_second * 60
        self._alarm(
            f"{env}-tenant-{tenant.id}-queue-throughput",
            tenant,
            Severity.WARNING,
            RUNBOOK_NOISY_TENANT,
            {},
            description=(
                f"Tenant {tenant.display_name} ({tenant.id}) sends more than its quota of "
                f"{tenant.quotas.queue_messages_per_second} messages/s to the shared flows: its import can delay "
                "other tenants' shipments."
            ),
            processes=OperatingModel(self._config).processes_of("tenant", tenant.id),
            namespace=TENANT_METRIC_NAMESPACE,
            metric_name=TENANT_MESSAGES_METRIC,
            dimensions={"Environment": env, KPI_TENANT_DIMENSION: tenant.id},
            statistic="Sum",
            period=60,
            evaluation_periods=5,
            threshold=float(per_minute),
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )


# -- policies --------------------------------------------------------------------------------


def access_trust_policy(principal_arns: Sequence[pulumi.Input[str]], tenant_ids: Sequence[str]) -> dict:
    """The named workload roles may assume the role, only with a `tenant` session tag of a pool tenant."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TenantScopedSessionsOnly",
                "Effect": "Allow",
                "Principal": {"AWS": list(principal_arns)},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {f"aws:RequestTag/{SESSION_TAG}": list(tenant_ids)},
                    "ForAllValues:StringEquals": {"sts:TransitiveTagKeys": [SESSION_TAG]},
                },
            }
        ],
    }


def access_policy(archive_bucket_arn: pulumi.Input[str], archive_key_arn: pulumi.Input[str], region: str) -> dict:
    """A tenant-scoped session reaches only `<archive>/<its tenant tag>/*`; without the tag, nothing."""
    objects = pulumi.Output.concat(archive_bucket_arn, "/", PRINCIPAL_TAG, "/*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnPayloadsOnly",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [objects],
            },
            {
                "Sid": "ListOwnPrefixOnly",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [archive_bucket_arn],
                "Condition": {"StringLike": {"s3:prefix": [f"{PRINCIPAL_TAG}/*"]}},
            },
            {
                "Sid": "ArchiveKeyThroughS3Only",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": [archive_key_arn],
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
            {
                "Sid": "NothingWithoutATenantTag",
                "Effect": "Deny",
                "Action": ["s3:*"],
                "Resource": [archive_bucket_arn, pulumi.Output.concat(archive_bucket_arn, "/*")],
                "Condition": {"Null": {f"aws:PrincipalTag/{SESSION_TAG}": "true"}},
            },
        ],
    }


def _visibility(metric_name: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric_name, "sampled_requests_enabled": True}
