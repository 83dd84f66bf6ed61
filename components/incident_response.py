"""What responders act with: runbook roles, break-glass, the replay ledger, the audit log, the deploy freeze.

The runbooks under `runbooks/` run during an incident with boto3 against the live
account. This component creates what they need, named by `runbooks.contract`:

- one IAM role per runbook concern (`<env>-runbook-<name>`), whose policy grants exactly
  the actions `runbooks.permissions` lists for it, each scoped to this environment's
  resources by ARN or by the `environment` tag, plus a read-only responder role. Every
  one is assumable only with MFA, and only by a session that carries the responder's
  identity as the `responder` session tag (`sts:TagSession`), so CloudTrail names a
  person, not a role;
- a break-glass role (`<env>-break-glass`) for when a runbook role is not enough: the
  union of every runbook grant, sessions of at most an hour, assumable only with a
  recent MFA by members of the `<env>-break-glass` IAM group (the group's policy is the
  only grant to assume it). Every assumption is caught by an EventBridge rule on the
  CloudTrail `AssumeRole` event, which notifies the critical alert topic and drives an
  alarm, so a break-glass session never goes unnoticed;
- the replay ledger (DynamoDB, KMS-encrypted, point-in-time recovery, TTL on
  `expires_at`): queue-replay records every replay id there with a conditional write
  before it sends, and takes its per-queue lock there;
- the responders' audit log group (`/crossdock/<env>/responders`, KMS-encrypted,
  retained per tier), where every run writes its audit record;
- the deploy-freeze flag, the SSM parameter `/crossdock/<env>/deploy-freeze`. Its value
  belongs to the freeze runbooks after creation (`ignore_changes`), so a deploy never
  lifts a freeze.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.tags import base_tags
from crossdock.config.schema import StackConfig, Tier
from runbooks import contract
from runbooks import permissions as perms

MAX_SESSION_SECONDS = 3600
# A break-glass session needs an MFA code from the last 15 minutes.
BREAK_GLASS_MFA_MAX_AGE_SECONDS = 900
LEDGER_KEY_TYPE = "S"


@dataclass
class IncidentResponseArgs:
    config: StackConfig
    # KMS key for the ledger table and the audit log group (its policy admits CloudWatch Logs).
    operations_key_arn: pulumi.Input[str]
    # The critical alert topic: break-glass assumptions notify it.
    critical_topic_arn: pulumi.Input[str]


class IncidentResponse(pulumi.ComponentResource):
    """Runbook roles, the responder and break-glass roles, the replay ledger, audit log group and freeze flag."""

    def __init__(self, name: str, args: IncidentResponseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:incident:IncidentResponse", name, None, opts)
        config = args.config
        env = config.environment
        self._env = env.name
        self._regions = [env.region] + ([config.dr.region] if config.dr else [])
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        self._account = identity.account_id
        self._partition = partition
        production = env.tier is Tier.PRODUCTION

        def tags(purpose: str, **extra: str) -> dict[str, str]:
            return base_tags(env, extra={contract.TAG_PURPOSE: purpose, **extra})

        self.ledger = aws.dynamodb.Table(
            f"{name}-replay-ledger",
            name=contract.ledger_table_name(env.name),
            billing_mode="PAY_PER_REQUEST",
            hash_key=contract.LEDGER_KEY,
            attributes=[{"name": contract.LEDGER_KEY, "type": LEDGER_KEY_TYPE}],
            server_side_encryption={"enabled": True, "kms_key_arn": args.operations_key_arn},
            point_in_time_recovery={"enabled": True},
            ttl={"attribute_name": contract.LEDGER_EXPIRES, "enabled": True},
            deletion_protection_enabled=production,
            tags={**tags(contract.PURPOSE_REPLAY_LEDGER), "Name": contract.ledger_table_name(env.name)},
            # The ledger is what makes a re-run replay send nothing twice: never drop it by accident.
            opts=pulumi.ResourceOptions(parent=self, protect=production),
        )
        self.audit_log = aws.cloudwatch.LogGroup(
            f"{name}-audit-log",
            name=contract.audit_log_group_name(env.name),
            kms_key_id=args.operations_key_arn,
            retention_in_days=env.log_retention_days,
            tags=tags(contract.PURPOSE_RESPONDER_AUDIT),
            opts=child,
        )
        self.freeze_parameter = aws.ssm.Parameter(
            f"{name}-deploy-freeze",
            name=contract.freeze_parameter_name(env.name),
            type="String",
            value=contract.UNFROZEN,
            description=f"crossdock {env.name} deploy freeze: set and cleared by the freeze-deploys runbooks",
            tags=tags(contract.PURPOSE_DEPLOY_FREEZE),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["value"]),
        )

        self.runbook_roles: dict[str, aws.iam.Role] = {}
        for role_name in dict.fromkeys(contract.ROLE_OF_RUNBOOK.values()):
            grants = perms.PERMISSIONS[role_name]
            self.runbook_roles[role_name] = self._role(
                f"{name}-{role_name}",
                contract.runbook_role_name(env.name, role_name),
                f"Runbook {role_name}: exactly the actions it calls, on {env.name}'s resources",
                self._grants_policy(grants),
                tags(contract.PURPOSE_RESPONDER, **{contract.TAG_RUNBOOK: role_name}),
                self._responder_trust(),
            )
        self.responder_role = self._role(
            f"{name}-responder",
            contract.responder_role_name(env.name),
            f"Read-only responder: inspect {env.name} during an incident, change nothing",
            self._grants_policy(READ_ONLY_GRANTS),
            tags(contract.PURPOSE_RESPONDER, **{contract.TAG_RUNBOOK: "read-only"}),
            self._responder_trust(),
        )

        every_grant = [grant for grants in perms.PERMISSIONS.values() for grant in grants]
        self.break_glass_role = self._role(
            f"{name}-break-glass",
            contract.break_glass_role_name(env.name),
            f"Break-glass for {env.name}: every runbook grant; MFA, one hour, alarmed",
            self._grants_policy(_merged(every_grant)),
            tags(contract.PURPOSE_BREAK_GLASS),
            self._break_glass_trust(),
        )
        self.break_glass_group = aws.iam.Group(
            f"{name}-break-glass-group", name=contract.break_glass_group_name(env.name), opts=child
        )
        aws.iam.GroupPolicy(
            f"{name}-break-glass-group-policy",
            group=self.break_glass_group.name,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AssumeBreakGlassWithMfa",
                            "Effect": "Allow",
                            "Action": ["sts:AssumeRole", "sts:TagSession"],
                            "Resource": self.break_glass_role.arn,
                            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                        }
                    ],
                }
            ),
            opts=child,
        )
        self.break_glass_rule = aws.cloudwatch.EventRule(
            f"{name}-break-glass-assumed",
            name=f"{env.name}-break-glass-assumed",
            description=f"Someone assumed {env.name}'s break-glass role (CloudTrail AssumeRole)",
            event_pattern=pulumi.Output.json_dumps(
                {
                    "source": ["aws.sts"],
                    "detail-type": ["AWS API Call via CloudTrail"],
                    "detail": {
                        "eventSource": ["sts.amazonaws.com"],
                        "eventName": ["AssumeRole"],
                        "requestParameters": {"roleArn": [self.break_glass_role.arn]},
                    },
                }
            ),
            tags=tags(contract.PURPOSE_BREAK_GLASS),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-break-glass-notify",
            rule=self.break_glass_rule.name,
            arn=args.critical_topic_arn,
            opts=child,
        )
        self.break_glass_alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-break-glass-alarm",
            name=f"{env.name}-break-glass-assumed",
            alarm_description=(
                f"Someone assumed the {env.name} break-glass role: confirm it is a declared emergency and who holds "
                "the session (the responder session tag in CloudTrail). Severity: critical. Runbook: break-glass."
            ),
            namespace="AWS/Events",
            metric_name="TriggeredRules",
            dimensions={"RuleName": self.break_glass_rule.name},
            statistic="Sum",
            period=60,
            evaluation_periods=1,
            threshold=0.0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[args.critical_topic_arn],
            ok_actions=[args.critical_topic_arn],
            tags=base_tags(env, extra={"severity": "critical", contract.TAG_RUNBOOK: "break-glass"}),
            opts=child,
        )

        self.ledger_table_name = self.ledger.name
        self.audit_log_group_name = self.audit_log.name
        self.freeze_parameter_name = self.freeze_parameter.name
        self.runbook_role_arns = {role: r.arn for role, r in self.runbook_roles.items()}
        self.responder_role_arn = self.responder_role.arn
        self.break_glass_role_arn = self.break_glass_role.arn
        self.register_outputs(
            {
                "ledger_table_name": self.ledger_table_name,
                "audit_log_group_name": self.audit_log_group_name,
                "freeze_parameter_name": self.freeze_parameter_name,
                "runbook_role_arns": self.runbook_role_arns,
                "responder_role_arn": self.responder_role_arn,
                "break_glass_role_arn": self.break_glass_role_arn,
            }
        )

    # -- roles -------------------------------------------------------------------------------------
    def _role(
        self,
        name: str,
        role_name: str,
        description: str,
        policy: pulumi.Output[str],
        tags: Mapping[str, str],
        trust: pulumi.Output[str],
    ) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{name}-role",
            name=role_name,
            description=description,
            assume_role_policy=trust,
            max_session_duration=MAX_SESSION_SECONDS,
            tags={**tags, "Name": role_name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy, opts=pulumi.ResourceOptions(parent=self))
        return role

    def _account_root(self) -> pulumi.Output[str]:
        return pulumi.Output.format("arn:{0}:iam::{1}:root", self._partition, self._account)

    def _responder_trust(self) -> pulumi.Output[str]:
        """Principals of this account, with MFA, tagging the session with the responder's identity."""
        return pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "RespondersWithMfaAndIdentity",
                        "Effect": "Allow",
                        "Principal": {"AWS": self._account_root()},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {
                            "Bool": {"aws:MultiFactorAuthPresent": "true"},
                            "StringLike": {f"aws:RequestTag/{contract.SESSION_TAG_RESPONDER}": "?*"},
                        },
                    }
                ],
            }
        )

    def _break_glass_trust(self) -> pulumi.Output[str]:
        return pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "BreakGlassWithRecentMfa",
                        "Effect": "Allow",
                        "Principal": {"AWS": self._account_root()},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {
                            "Bool": {"aws:MultiFactorAuthPresent": "true"},
                            "NumericLessThan": {"aws:MultiFactorAuthAge": str(BREAK_GLASS_MFA_MAX_AGE_SECONDS)},
                            "StringLike": {f"aws:RequestTag/{contract.SESSION_TAG_RESPONDER}": "?*"},
                        },
                    }
                ],
            }
        )

    # -- policies ----------------------------------------------------------------------------------
    def _grants_policy(self, grants: Sequence[perms.Grant]) -> pulumi.Output[str]:
        statements = [self._statement(grant) for grant in grants]
        return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})

    def _statement(self, grant: perms.Grant) -> dict:
        resources, condition = self._scope(grant.scope)
        statement: dict = {
            "Sid": _sid(grant.sid),
            "Effect": "Allow",
            "Action": sorted(grant.actions),
            "Resource": resources,
        }
        if condition:
            statement["Condition"] = condition
        return statement

    def _arn(self, template: str, region: str = "") -> pulumi.Output[str]:
        return pulumi.Output.format(template, self._partition, region, self._account, self._env)

    def _scope(self, scope: str) -> tuple[object, dict | None]:
        """Resources (and a tag condition where ARNs cannot say it) of one permission scope."""
        env = self._env
        regions = self._regions
        by_environment = {"StringEquals": {f"aws:ResourceTag/{contract.TAG_ENVIRONMENT}": env}}
        if scope == perms.ANY:
            return "*", None
        if scope == perms.QUEUES:
            return [self._arn("arn:{0}:sqs:{1}:{2}:{3}-*", r) for r in regions], None
        if scope == perms.LEDGER:
            return [self.ledger.arn], None
        if scope == perms.ALARMS:
            return [self._arn("arn:{0}:cloudwatch:{1}:{2}:alarm:{3}-*", r) for r in regions], None
        if scope == perms.AUDIT_LOG:
            return [self.audit_log.arn, pulumi.Output.format("{0}:*", self.audit_log.arn)], None
        if scope == perms.CLUSTERS:
            return [
                arn
                for r in regions
                for arn in (
                    self._arn("arn:{0}:rds:{1}:{2}:cluster:{3}-*", r),
                    self._arn("arn:{0}:rds:{1}:{2}:db:{3}-*", r),
                )
            ], None
        if scope == perms.GLOBAL_CLUSTERS:
            return [self._arn("arn:{0}:rds::{2}:global-cluster:{3}-*")] + [
                self._arn("arn:{0}:rds:{1}:{2}:cluster:{3}-*", r) for r in regions
            ], None
        if scope == perms.CONNECTION_SECRETS:
            return [self._arn("arn:{0}:secretsmanager:{1}:{2}:secret:{3}/*/connection-*", r) for r in regions], None
        if scope == perms.ENVIRONMENT_SECRETS:
            return [self._arn("arn:{0}:secretsmanager:{1}:{2}:secret:*", r) for r in regions], by_environment
        if scope == perms.ENVIRONMENT_ROLES:
            return [self._arn("arn:{0}:iam::{2}:role/{3}-*")], None
        if scope == perms.ENVIRONMENT_USERS:
            return [self._arn("arn:{0}:iam::{2}:user/{3}-*")], None
        if scope == perms.WEB_ACLS:
            return [self._arn("arn:{0}:wafv2:{1}:{2}:regional/webacl/{3}-*/*", r) for r in regions], None
        if scope == perms.TENANT_NETWORK:
            return [self._arn("arn:{0}:ec2:{1}:{2}:security-group/*", r) for r in regions], by_environment
        if scope == perms.TENANT_KEYS:
            return [self._arn("arn:{0}:kms:{1}:{2}:key/*", r) for r in regions], by_environment
        if scope == perms.FREEZE_PARAMETER:
            return [self.freeze_parameter.arn], None
        if scope == perms.KMS_VIA_SERVICE:
            services = [f"{service}.{r}.amazonaws.com" for r in regions for service in ("sqs", "secretsmanager")]
            return [self._arn("arn:{0}:kms:{1}:{2}:key/*", r) for r in regions], {
                "StringEquals": {"kms:ViaService": services}
            }
        raise ValueError(f"unknown permission scope {scope!r}")


# What the read-only responder role may do: look, never touch.
READ_ONLY_GRANTS = (
    perms.FIND_TARGETS,
    perms.Grant("ReadAlarmsAndMetrics", ("cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics"), perms.ANY),
    perms.Grant("ReadQueues", ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"), perms.QUEUES),
    perms.Grant("ReadLedger", ("dynamodb:GetItem", "dynamodb:Query"), perms.LEDGER),
    perms.Grant("ReadAuditRecords", ("logs:FilterLogEvents", "logs:GetLogEvents"), perms.AUDIT_LOG),
    perms.Grant(
        "ReadDatabases",
        ("rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeGlobalClusters"),
        perms.GLOBAL_CLUSTERS,
    ),
    perms.Grant("ReadFreeze", ("ssm:GetParameter",), perms.FREEZE_PARAMETER),
    perms.Grant("ReadWebAcls", ("wafv2:GetWebACL",), perms.WEB_ACLS),
)


def _merged(grants: Sequence[perms.Grant]) -> list[perms.Grant]:
    """One grant per scope (actions unioned), so the break-glass policy has no duplicate Sids."""
    by_scope: dict[str, set[str]] = {}
    for grant in grants:
        by_scope.setdefault(grant.scope, set()).update(grant.actions)
    return [
        perms.Grant(f"BreakGlass{_sid(scope)}", tuple(sorted(actions)), scope) for scope, actions in by_scope.items()
    ]


def _sid(text: str) -> str:
    """A statement id: alphanumerics only."""
    return "".join(part[:1].upper() + part[1:] for part in text.replace("_", "-").split("-") if part)
