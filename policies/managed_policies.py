"""What AWS-managed policies grant, so attaching one is judged like writing its statements inline.

A program that attaches `arn:aws:iam::aws:policy/AdministratorAccess` (through a role's
`managed_policy_arns`, a `RolePolicyAttachment`, `UserPolicyAttachment`,
`GroupPolicyAttachment` or `PolicyAttachment`) grants everything without a single
statement in its own code. This module holds the broad statements of the AWS-managed
policies that grant full access (`AdministratorAccess`, `PowerUserAccess`,
`IAMFullAccess` and the `*FullAccess` family), as AWS publishes them: the statements that
matter for least privilege (whole-service wildcards, NotAction, iam:PassRole on "*"),
not every read-only helper statement. A `*FullAccess` policy not listed here is read as
granting its service's `<service>:*` on "*", which is what the family does.
"""

from __future__ import annotations

import re
from typing import Any

AWS_MANAGED_PREFIX = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(actions: list[str] | str, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": "*", **extra}


DOCUMENTS: dict[str, dict[str, Any]] = {
    "AdministratorAccess": _doc(_allow("*")),
    "PowerUserAccess": _doc(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        _allow(["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles"]),
    ),
    "IAMFullAccess": _doc(_allow(["iam:*", "organizations:DescribeAccount", "organizations:ListRoots"])),
    "AmazonS3FullAccess": _doc(_allow(["s3:*", "s3-object-lambda:*"])),
    "AmazonEC2FullAccess": _doc(_allow(["ec2:*", "elasticloadbalancing:*", "cloudwatch:*", "autoscaling:*"])),
    "AmazonDynamoDBFullAccess": _doc(_allow(["dynamodb:*", "dax:*", "application-autoscaling:*", "iam:PassRole"])),
    "AmazonRDSFullAccess": _doc(_allow(["rds:*", "application-autoscaling:*", "cloudwatch:*", "ec2:Describe*"])),
    "AmazonSQSFullAccess": _doc(_allow(["sqs:*"])),
    "AmazonSNSFullAccess": _doc(_allow(["sns:*"])),
    "AmazonKinesisFullAccess": _doc(_allow(["kinesis:*"])),
    "AmazonRedshiftFullAccess": _doc(_allow(["redshift:*", "redshift-serverless:*", "ec2:Describe*", "iam:PassRole"])),
    "AmazonElastiCacheFullAccess": _doc(_allow(["elasticache:*"])),
    "AmazonECS_FullAccess": _doc(_allow(["ecs:*", "elasticloadbalancing:*", "iam:PassRole"])),
    "AmazonEKSClusterPolicy": _doc(_allow(["ec2:CreateSecurityGroup", "ec2:DescribeInstances"])),
    "AWSLambda_FullAccess": _doc(_allow(["lambda:*", "cloudformation:DescribeStacks", "iam:PassRole"])),
    "AWSGlueConsoleFullAccess": _doc(_allow(["glue:*", "redshift:DescribeClusters", "iam:PassRole", "s3:*"])),
    "CloudWatchFullAccess": _doc(_allow(["autoscaling:Describe*", "cloudwatch:*", "logs:*", "sns:*"])),
    "CloudWatchLogsFullAccess": _doc(_allow(["logs:*"])),
    "SecretsManagerReadWrite": _doc(_allow(["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases"])),
    "AWSKeyManagementServicePowerUser": _doc(_allow(["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:Put*"])),
}

_FULL_ACCESS = re.compile(r"^(?:Amazon|AWS)?(?P<service>[A-Za-z0-9]+?)_?FullAccess$")


def managed_policy_name(arn: Any) -> str | None:
    """`AdministratorAccess` for `arn:aws:iam::aws:policy/AdministratorAccess`; None for other ARNs."""
    if not isinstance(arn, str):
        return None
    match = AWS_MANAGED_PREFIX.match(arn)
    return match.group("name") if match else None


def managed_policy_document(arn: Any) -> dict[str, Any] | None:
    """The broad statements an AWS-managed policy grants, or None when it is not a known broad policy."""
    name = managed_policy_name(arn)
    if name is None:
        return None
    if name in DOCUMENTS:
        return DOCUMENTS[name]
    match = _FULL_ACCESS.match(name)
    if match:
        return _doc(_allow([f"{match.group('service').lower()}:*"]))
    return None
