"""The AWS actions each runbook role grants, and on what: the one list of them.

`components/incident_response.py` turns these grants into each runbook role's policy
(scoping every grant to the environment's resources by ARN or tag), `crossdock runbook
show` prints them, and the tests record every call a runbook makes against the emulated
account and prove the role's rendered policy allows each one and grants nothing the
runbook never calls. `implied` grants are the ones AWS checks on the runbook's behalf
(KMS for SSE-KMS queues and secrets): the emulator never calls them, so the unused-grant
check skips them.

Pure Python: no boto3, no Pulumi SDK.
"""

from __future__ import annotations

from dataclasses import dataclass

from runbooks import contract

# Scopes: what a grant's resources are. The component maps each to ARNs or tag conditions.
ANY = "any"  # actions AWS only authorises on "*" (reads)
QUEUES = "queues"  # the environment's SQS queues
LEDGER = "ledger"  # the replay ledger table
ALARMS = "alarms"  # the environment's CloudWatch alarms
AUDIT_LOG = "audit-log"  # the responders' log group
CLUSTERS = "clusters"  # the environment's Aurora clusters and instances (both regions)
GLOBAL_CLUSTERS = "global-clusters"
CONNECTION_SECRETS = "connection-secrets"  # <env>/<db>/connection in both regions
ENVIRONMENT_SECRETS = "environment-secrets"  # secrets tagged environment=<env>
ENVIRONMENT_ROLES = "environment-roles"  # roles named <env>-*
ENVIRONMENT_USERS = "environment-users"  # IAM users named <env>-*
WEB_ACLS = "web-acls"
TENANT_NETWORK = "tenant-network"  # security groups tagged environment=<env>
TENANT_KEYS = "tenant-keys"  # KMS keys tagged environment=<env>
FREEZE_PARAMETER = "freeze-parameter"
KMS_VIA_SERVICE = "kms-via-service"  # data keys, only when SQS / Secrets Manager ask


@dataclass(frozen=True)
class Grant:
    sid: str
    actions: tuple[str, ...]
    scope: str
    implied: bool = False


AUDIT = Grant("WriteAuditRecord", ("logs:CreateLogStream", "logs:PutLogEvents"), AUDIT_LOG)
FIND_TARGETS = Grant("FindTargetsByTag", ("tag:GetResources",), ANY)

PERMISSIONS: dict[str, tuple[Grant, ...]] = {
    contract.QUEUE_REPLAY: (
        FIND_TARGETS,
        AUDIT,
        Grant("ReadAlarms", ("cloudwatch:DescribeAlarms",), ALARMS),
        Grant(
            "MoveMessages",
            (
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
                "sqs:SendMessage",
            ),
            QUEUES,
        ),
        Grant(
            "ReplayLedger",
            ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"),
            LEDGER,
        ),
        Grant("QueueDataKeys", ("kms:Decrypt", "kms:GenerateDataKey"), KMS_VIA_SERVICE, implied=True),
    ),
    contract.DB_FAILOVER: (
        FIND_TARGETS,
        AUDIT,
        Grant("ReadAlarms", ("cloudwatch:DescribeAlarms",), ALARMS),
        Grant("ReadReplicationLag", ("cloudwatch:GetMetricStatistics",), ANY),
        Grant(
            "MoveWriter",
            (
                "rds:DescribeDBClusters",
                "rds:DescribeDBInstances",
                "rds:FailoverDBCluster",
            ),
            CLUSTERS,
        ),
        Grant(
            "PromoteGlobalSecondary",
            ("rds:DescribeGlobalClusters", "rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"),
            GLOBAL_CLUSTERS,
        ),
        Grant(
            "RepointConnectionSecret",
            (
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:StopReplicationToReplica",
            ),
            CONNECTION_SECRETS,
        ),
        Grant("SecretDataKeys", ("kms:Decrypt", "kms:GenerateDataKey"), KMS_VIA_SERVICE, implied=True),
    ),
    contract.ROTATE_CREDENTIALS: (
        FIND_TARGETS,
        AUDIT,
        Grant(
            "RotateSecrets",
            ("secretsmanager:DescribeSecret", "secretsmanager:RotateSecret"),
            ENVIRONMENT_SECRETS,
        ),
        Grant("RevokeRoleSessions", ("iam:GetRole", "iam:PutRolePolicy"), ENVIRONMENT_ROLES),
        Grant("DeactivateAccessKeys", ("iam:ListAccessKeys", "iam:UpdateAccessKey"), ENVIRONMENT_USERS),
        Grant("SecretDataKeys", ("kms:Decrypt", "kms:GenerateDataKey"), KMS_VIA_SERVICE, implied=True),
    ),
    "tenant-isolation": (
        FIND_TARGETS,
        AUDIT,
        Grant("ReadIsolationRecords", ("logs:FilterLogEvents",), AUDIT_LOG),
        Grant("FindWebAcls", ("wafv2:ListWebACLs",), ANY),
        Grant("ShapeTenantTraffic", ("wafv2:GetWebACL", "wafv2:UpdateWebACL"), WEB_ACLS),
        Grant(
            "ContainTenantSessions",
            ("iam:DeleteRolePolicy", "iam:GetRole", "iam:PutRolePolicy"),
            ENVIRONMENT_ROLES,
        ),
        Grant("ReadSecurityGroups", ("ec2:DescribeSecurityGroups",), ANY),
        Grant(
            "CutTenantNetwork",
            (
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
            ),
            TENANT_NETWORK,
        ),
        Grant("RevokeTenantKeyGrants", ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"), TENANT_KEYS),
    ),
    "deploy-freeze": (
        AUDIT,
        Grant("SetDeployFreeze", ("ssm:GetParameter", "ssm:PutParameter"), FREEZE_PARAMETER),
    ),
}


def role_grants(runbook: str) -> tuple[Grant, ...]:
    """The grants of the role a runbook runs as."""
    return PERMISSIONS[contract.ROLE_OF_RUNBOOK[runbook]]


def actions(runbook: str, *, include_implied: bool = True) -> list[str]:
    """Every action a runbook's role grants, sorted."""
    return sorted(
        {action for grant in role_grants(runbook) if include_implied or not grant.implied for action in grant.actions}
    )
