"""Encryption at rest with customer-managed KMS keys, and keys that stay under control.

AWS-managed keys (`alias/aws/s3`, `alias/aws/sqs`, ...) encrypt data, but their
key policy cannot be changed: nobody can revoke one service's or tenant's access
during an incident, and grants cannot be audited per data class. So every data
store names a customer key, every customer key rotates, and no key policy hands
full control (`kms:*`) to anyone but the account root (through which the
account's IAM policies decide who uses the key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.documents import (
    PolicyDocumentError,
    Statement,
    action_matches,
    describe_actions,
    is_list,
    is_unknown,
    is_wildcard_action,
    parse_policy,
    peek,
)
from policies.rule import Category, Rule, resource_rule, stack_rule
from policies.rules.exposure import BUCKET_TYPES, attached, bucket_label

RDS_CLUSTER_TYPE = "aws:rds/cluster:Cluster"
RDS_INSTANCE_TYPE = "aws:rds/instance:Instance"
SQS_QUEUE_TYPE = "aws:sqs/queue:Queue"
SNS_TOPIC_TYPE = "aws:sns/topic:Topic"
LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup"
SECRET_TYPE = "aws:secretsmanager/secret:Secret"
DYNAMODB_TABLE_TYPE = "aws:dynamodb/table:Table"
KMS_KEY_TYPE = "aws:kms/key:Key"
KMS_REPLICA_KEY_TYPE = "aws:kms/replicaKey:ReplicaKey"
SSE_CONFIGURATION_TYPES = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})

_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")


def is_aws_managed_key(value: Any) -> bool:
    """An AWS-managed key alias (`alias/aws/<service>`), by name or as an alias ARN."""
    return isinstance(value, str) and ("alias/aws/" in value)


def customer_key_problem(value: Any, prop: str) -> str | None:
    """Why `value` (a key input named `prop` in Python) is not a customer key, or None if it is (or is not known yet)."""
    if value is None or value == "":
        return f"sets no {prop}, so it is not encrypted with a customer KMS key"
    if is_aws_managed_key(value):
        return f'uses the AWS-managed key "{value}", not a customer KMS key'
    return None


# -- per-resource data stores ----------------------------------------------------------------


def _check_rds(args: ResourceValidationArgs, report: ReportViolation, subject: str) -> None:
    if args.props.get("storageEncrypted") is not True:
        report(f"{subject} is not encrypted at rest (storage_encrypted is not true)", None)
        return
    problem = customer_key_problem(args.props.get("kmsKeyId"), "kms_key_id")
    if problem:
        report(f"{subject} {problem}", None)


def _validate_rds_cluster(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == RDS_CLUSTER_TYPE:
        _check_rds(args, report, "RDS cluster")


def _validate_rds_instance(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Cluster members (`rds.ClusterInstance`) inherit the cluster's storage; read replicas their source's key."""
    if args.resource_type != RDS_INSTANCE_TYPE:
        return
    if args.props.get("replicateSourceDb") not in (None, ""):
        args.not_applicable("a read replica is encrypted like its source database")
    _check_rds(args, report, "RDS instance")


def _validate_queue(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != SQS_QUEUE_TYPE:
        return
    key = args.props.get("kmsMasterKeyId")
    if key in (None, "") and args.props.get("sqsManagedSseEnabled") is True:
        report("queue uses SQS-managed encryption (sqs_managed_sse_enabled), not a customer KMS key", None)
        return
    problem = customer_key_problem(key, "kms_master_key_id")
    if problem:
        report(f"queue {problem}", None)


def _simple_key_check(resource_type: str, subject: str, wire: str, prop: str):
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type != resource_type:
            return
        problem = customer_key_problem(args.props.get(wire), prop)
        if problem:
            report(f"{subject} {problem}", None)

    validate.__doc__ = f"{subject}: `{prop}` names a customer KMS key."
    return validate


def _validate_table(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Without server_side_encryption.enabled, DynamoDB uses an AWS-owned key nobody in the account controls."""
    if args.resource_type != DYNAMODB_TABLE_TYPE:
        return
    sse = args.props.get("serverSideEncryption")
    if not isinstance(sse, Mapping) or sse.get("enabled") is not True:
        report("table does not enable server_side_encryption, so it is encrypted with an AWS-owned key", None)
        return
    problem = customer_key_problem(sse.get("kmsKeyArn"), "server_side_encryption.kms_key_arn")
    if problem:
        report(f"table {problem}", None)


# -- buckets (the encryption configuration is a separate resource) ---------------------------


def _defaults(value: Any) -> list[Mapping[str, Any]]:
    """Every `applyServerSideEncryptionByDefault(s)` object found in an SSE configuration value."""
    found: list[Mapping[str, Any]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("applyServerSideEncryptionByDefault", "applyServerSideEncryptionByDefaults"):
                found += [d for d in (item if is_list(item) else [item]) if isinstance(d, Mapping)]
            else:
                found += _defaults(item)
    elif is_list(value):
        for item in value:
            found += _defaults(item)
    return found


def _bucket_encryption_problem(defaults: list[Mapping[str, Any]]) -> str | None:
    """None when some default rule uses KMS with a customer (or not yet known) key, else the closest miss."""
    problems = []
    for default in defaults:
        algorithm = peek(default, "sseAlgorithm")
        key = peek(default, "kmsMasterKeyId")
        if is_unknown(algorithm):
            return None
        if algorithm not in KMS_ALGORITHMS:
            problems.append(f'is encrypted with "{algorithm}", not a customer KMS key')
        elif key in (None, ""):
            problems.append(
                f'uses {algorithm} without kms_master_key_id, so it is encrypted with the AWS-managed key "aws/s3"'
            )
        elif is_aws_managed_key(key):
            problems.append(f'uses the AWS-managed key "{key}", not a customer KMS key')
        else:
            return None
    return (
        problems[-1]
        if problems
        else 'has no server-side encryption configuration with sse_algorithm "aws:kms" and a customer kms_master_key_id'
    )


def _validate_bucket_encryption(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in (r for r in args.resources if r.resource_type in BUCKET_TYPES):
        try:
            defaults = _defaults(
                [peek(c.props, "rules") for c in attached(args.resources, SSE_CONFIGURATION_TYPES, bucket)]
            )
            defaults += _defaults(
                [
                    peek(bucket.props, "serverSideEncryptionConfiguration"),
                    peek(bucket.props, "serverSideEncryptionConfigurations"),
                ]
            )
        except UnknownValueError:
            continue
        problem = _bucket_encryption_problem(defaults)
        if problem:
            report(f'bucket "{bucket_label(bucket)}" {problem}', bucket.urn)


# -- keys ------------------------------------------------------------------------------------


def _validate_key_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Only symmetric keys in AWS's own key store rotate automatically; replicas follow their primary."""
    if args.resource_type != KMS_KEY_TYPE:
        return
    spec = args.props.get("customerMasterKeySpec")
    if spec not in (None, "", "SYMMETRIC_DEFAULT") or args.props.get("keyUsage") not in (None, "", "ENCRYPT_DECRYPT"):
        args.not_applicable("AWS rotates only symmetric encryption keys")
    if args.props.get("customKeyStoreId") or args.props.get("xksKeyId"):
        args.not_applicable("keys in a custom key store do not rotate automatically")
    if args.props.get("enableKeyRotation") is not True:
        report("key rotation is not enabled (enable_key_rotation is not true)", None)


def grants_full_control(statement: Statement) -> bool:
    """Allow of "*"/"kms:*", or of NotAction (everything but a few actions)."""
    if not statement.is_allow:
        return False
    if statement.not_actions:
        return True
    return any(is_wildcard_action(action) and action_matches(action, "kms:Decrypt") for action in statement.actions)


def is_account_root(identifier: str) -> bool:
    """`arn:<partition>:iam::<account>:root` or a bare 12-digit account id (AWS's shorthand for the root)."""
    return _ROOT.match(identifier) is not None


def _validate_key_policy_admins(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (KMS_KEY_TYPE, KMS_REPLICA_KEY_TYPE):
        return
    try:
        document = parse_policy(args.props.get("policy"))
    except PolicyDocumentError:
        return  # reported by CD-EXP-004
    if document is None:
        return
    for statement in document.statements:
        if not grants_full_control(statement):
            continue
        others = [i for ids in statement.principals.values() for i in ids if not is_account_root(i)]
        if statement.not_principals:
            others.append("everyone outside NotPrincipal")
        if others:
            who = ", ".join(f'"{o}"' for o in others)
            report(
                f"key policy statement {statement.label} grants {describe_actions(statement)} to {who}; "
                "only the account root may hold kms:*",
                None,
            )


# -- rule objects ----------------------------------------------------------------------------

_KEY_REMEDIATION = (
    "Pass a customer key from the SecurityBaseline (e.g. `security.key_arns[data_class]`) as {prop}; never an "
    "`alias/aws/...` AWS-managed key."
)

RDS_CLUSTER_CUSTOMER_KEY = resource_rule(
    "CD-ENC-001",
    description="RDS clusters are encrypted at rest with a customer KMS key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set storage_encrypted=True and kms_key_id=<customer key ARN> on the aws.rds.Cluster. "
    + _KEY_REMEDIATION.format(prop="kms_key_id")
    + " Encryption cannot be added to an existing cluster: restore a snapshot into a new encrypted one.",
    validate=_validate_rds_cluster,
    checkov_id="CKV_AWS_327",
)

RDS_INSTANCE_CUSTOMER_KEY = resource_rule(
    "CD-ENC-002",
    description="Standalone RDS instances are encrypted at rest with a customer KMS key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set storage_encrypted=True and kms_key_id=<customer key ARN> on the aws.rds.Instance. "
    + _KEY_REMEDIATION.format(prop="kms_key_id"),
    validate=_validate_rds_instance,
    checkov_id="CKV_AWS_16",
)

QUEUE_CUSTOMER_KEY = resource_rule(
    "CD-ENC-003",
    description="SQS queues are encrypted with a customer KMS key, not SQS-managed SSE or alias/aws/sqs.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set kms_master_key_id=<customer key ARN> on the aws.sqs.Queue (and drop sqs_managed_sse_enabled). "
    + _KEY_REMEDIATION.format(prop="kms_master_key_id"),
    validate=_validate_queue,
    checkov_id="CKV2_AWS_73",
)

TOPIC_CUSTOMER_KEY = resource_rule(
    "CD-ENC-004",
    description="SNS topics are encrypted with a customer KMS key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set kms_master_key_id=<customer key ARN> on the aws.sns.Topic; the key policy must let the "
    "publishing service (e.g. cloudwatch.amazonaws.com) use it. " + _KEY_REMEDIATION.format(prop="kms_master_key_id"),
    validate=_simple_key_check(SNS_TOPIC_TYPE, "topic", "kmsMasterKeyId", "kms_master_key_id"),
    checkov_id="CKV_AWS_26",
)

BUCKET_CUSTOMER_KEY = stack_rule(
    "CD-ENC-005",
    description="Every bucket has a server-side encryption configuration using aws:kms with a customer key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration with `bucket=bucket.id` and a rule whose "
    'apply_server_side_encryption_by_default has sse_algorithm="aws:kms" and kms_master_key_id=<customer key ARN> '
    "(components.secure_bucket.SecureBucket does this).",
    validate=_validate_bucket_encryption,
    checkov_id="CKV_AWS_145",
)

LOG_GROUP_CUSTOMER_KEY = resource_rule(
    "CD-ENC-006",
    description="CloudWatch log groups are encrypted with a customer KMS key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set kms_key_id=<customer key ARN> on the aws.cloudwatch.LogGroup; the key policy must let "
    "logs.<region>.amazonaws.com use it (SecurityBaseline's operations key does). "
    + _KEY_REMEDIATION.format(prop="kms_key_id"),
    validate=_simple_key_check(LOG_GROUP_TYPE, "log group", "kmsKeyId", "kms_key_id"),
    checkov_id="CKV_AWS_158",
)

SECRET_CUSTOMER_KEY = resource_rule(
    "CD-ENC-007",
    description="Secrets Manager secrets are encrypted with a customer KMS key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set kms_key_id=<customer key ARN> on the aws.secretsmanager.Secret. "
    + _KEY_REMEDIATION.format(prop="kms_key_id"),
    validate=_simple_key_check(SECRET_TYPE, "secret", "kmsKeyId", "kms_key_id"),
    checkov_id="CKV_AWS_149",
)

TABLE_CUSTOMER_KEY = resource_rule(
    "CD-ENC-008",
    description="DynamoDB tables are encrypted with a customer KMS key.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation='Set server_side_encryption={"enabled": True, "kms_key_arn": <customer key ARN>} on the '
    "aws.dynamodb.Table. " + _KEY_REMEDIATION.format(prop="kms_key_arn"),
    validate=_validate_table,
    checkov_id="CKV_AWS_119",
)

KEY_ROTATION = resource_rule(
    "CD-KMS-001",
    description="Customer KMS keys rotate their key material automatically.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set enable_key_rotation=True (and rotation_period_in_days, 90-2560; crossdock uses 365) on the "
    "aws.kms.Key. Replica keys follow their primary key's rotation.",
    validate=_validate_key_rotation,
    checkov_id="CKV_AWS_7",
)

KEY_POLICY_ADMINS = resource_rule(
    "CD-KMS-002",
    description="No KMS key policy grants kms:* (or *) to any principal except the account root.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation="Keep kms:* only in the statement whose principal is arn:<partition>:iam::<account>:root (see "
    "components/key_policies.py); give services and roles the specific actions they need, e.g. "
    '["kms:GenerateDataKey*", "kms:Decrypt"], with a condition on aws:SourceAccount or kms:ViaService.',
    validate=_validate_key_policy_admins,
)

RULES: list[Rule] = [
    RDS_CLUSTER_CUSTOMER_KEY,
    RDS_INSTANCE_CUSTOMER_KEY,
    QUEUE_CUSTOMER_KEY,
    TOPIC_CUSTOMER_KEY,
    BUCKET_CUSTOMER_KEY,
    LOG_GROUP_CUSTOMER_KEY,
    SECRET_CUSTOMER_KEY,
    TABLE_CUSTOMER_KEY,
    KEY_ROTATION,
    KEY_POLICY_ADMINS,
]
