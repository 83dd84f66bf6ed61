"""Encryption at rest for the data stores third-party programs bring: Redshift, EFS, ElastiCache,
OpenSearch, Kinesis, EBS volumes and launch templates.

Each store must be encrypted at rest, and (as for the blueprint's own stores) with a customer
KMS key, not the service's AWS-managed key (`alias/aws/<service>`), whose policy nobody can
change during an incident. A key that is not known yet (computed in preview) is not judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.documents import is_list, is_unknown
from policies.rule import Category, Rule, resource_rule


def _key_problem(value: Any, prop: str) -> str | None:
    if value is None or value == "":
        return f"sets no {prop}, so it is not encrypted with a customer KMS key"
    if isinstance(value, str) and "alias/aws/" in value:
        return f'uses the AWS-managed key "{value}", not a customer KMS key'
    return None


def _flag_problem(props: Mapping[str, Any], wire: str, prop: str) -> str | None:
    value = props.get(wire)
    if value is True or is_unknown(value):
        return None
    return f"is not encrypted at rest ({prop} is not true)"


@dataclass(frozen=True)
class Store:
    types: frozenset[str]
    subject: str
    check: Callable[[Mapping[str, Any]], str | None]


def _flag_and_key(flag: str, flag_prop: str, key: str, key_prop: str) -> Callable[[Mapping[str, Any]], str | None]:
    def check(props: Mapping[str, Any]) -> str | None:
        return _flag_problem(props, flag, flag_prop) or _key_problem(props.get(key), key_prop)

    return check


def _opensearch(props: Mapping[str, Any]) -> str | None:
    block = props.get("encryptAtRest")
    block = block if isinstance(block, Mapping) else {}
    return _flag_problem(block, "enabled", "encrypt_at_rest.enabled") or _key_problem(
        block.get("kmsKeyId"), "encrypt_at_rest.kms_key_id"
    )


def _kinesis(props: Mapping[str, Any]) -> str | None:
    kind = props.get("encryptionType")
    if is_unknown(kind):
        return None
    if kind != "KMS":
        return 'is not encrypted at rest (encryption_type is not "KMS")'
    return _key_problem(props.get("kmsKeyId"), "kms_key_id")


def _truthy(value: Any) -> bool:
    """Launch template EBS flags are strings in the provider ("true")."""
    return value is True or (isinstance(value, str) and value.lower() == "true") or is_unknown(value)


def _launch_template(props: Mapping[str, Any]) -> str | None:
    """Every EBS volume the template defines is encrypted (a volume from a snapshot keeps the snapshot's encryption).

    The key is not judged here: node groups commonly use the account's EBS default key, which
    `aws.ebs.EncryptionByDefault`/`DefaultKmsKey` set account-wide.
    """
    mappings = props.get("blockDeviceMappings")
    problems = []
    for mapping in mappings if is_list(mappings) else []:
        if not isinstance(mapping, Mapping):
            continue
        ebs = mapping.get("ebs")
        if not isinstance(ebs, Mapping):
            continue
        if not _truthy(ebs.get("encrypted")) and not ebs.get("snapshotId"):
            problems.append(f"{mapping.get('deviceName') or 'a block device'}")
    if problems:
        return f"does not encrypt EBS volume {', '.join(problems)} (block_device_mappings[].ebs.encrypted is not true)"
    return None


STORES: dict[str, Store] = {
    "redshift": Store(
        frozenset({"aws:redshift/cluster:Cluster"}),
        "Redshift cluster",
        _flag_and_key("encrypted", "encrypted", "kmsKeyId", "kms_key_id"),
    ),
    "efs": Store(
        frozenset({"aws:efs/fileSystem:FileSystem"}),
        "EFS file system",
        _flag_and_key("encrypted", "encrypted", "kmsKeyId", "kms_key_id"),
    ),
    "elasticache": Store(
        frozenset({"aws:elasticache/replicationGroup:ReplicationGroup"}),
        "ElastiCache replication group",
        _flag_and_key("atRestEncryptionEnabled", "at_rest_encryption_enabled", "kmsKeyId", "kms_key_id"),
    ),
    "opensearch": Store(
        frozenset({"aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"}),
        "OpenSearch domain",
        _opensearch,
    ),
    "kinesis": Store(frozenset({"aws:kinesis/stream:Stream"}), "Kinesis stream", _kinesis),
    "ebs": Store(
        frozenset({"aws:ebs/volume:Volume"}),
        "EBS volume",
        _flag_and_key("encrypted", "encrypted", "kmsKeyId", "kms_key_id"),
    ),
    "launch-template": Store(frozenset({"aws:ec2/launchTemplate:LaunchTemplate"}), "launch template", _launch_template),
}


def _validator(store: Store) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in store.types:
            return
        problem = store.check(args.props)
        if problem:
            report(f"{store.subject} {problem}", None)

    validate.__doc__ = f"{store.subject}: encrypted at rest with a customer KMS key."
    return validate


_REMEDIATION = (
    "Turn encryption at rest on and name a customer KMS key (`kms_key_id=key.arn`), whose key policy lets the "
    "service and the workload's role use it; AWS-managed keys (alias/aws/...) cannot be controlled in an incident."
)


def _rule(rule_id: str, store: str, what: str, how: str, checkov_id: str | None, customer_key: bool = True) -> Rule:
    key = " with a customer KMS key" if customer_key else ""
    return resource_rule(
        rule_id,
        description=f"{what} are encrypted at rest{key}.",
        severity=Severity.HIGH,
        category=Category.SECURITY,
        remediation=f"{how} {_REMEDIATION}",
        validate=_validator(STORES[store]),
        checkov_id=checkov_id,
    )


REDSHIFT_ENCRYPTED = _rule(
    "CD-ENC-101",
    "redshift",
    "Redshift clusters",
    "Set encrypted=True and kms_key_id on the aws.redshift.Cluster.",
    "CKV_AWS_64",
)
EFS_ENCRYPTED = _rule(
    "CD-ENC-102",
    "efs",
    "EFS file systems",
    "Set encrypted=True and kms_key_id on the aws.efs.FileSystem.",
    "CKV_AWS_42",
)
ELASTICACHE_ENCRYPTED = _rule(
    "CD-ENC-103",
    "elasticache",
    "ElastiCache replication groups",
    "Set at_rest_encryption_enabled=True and kms_key_id on the aws.elasticache.ReplicationGroup.",
    "CKV_AWS_29",
)
OPENSEARCH_ENCRYPTED = _rule(
    "CD-ENC-104",
    "opensearch",
    "OpenSearch domains",
    "Set encrypt_at_rest={'enabled': True, 'kms_key_id': key.arn} on the aws.opensearch.Domain.",
    "CKV_AWS_5",
)
KINESIS_ENCRYPTED = _rule(
    "CD-ENC-105",
    "kinesis",
    "Kinesis streams",
    'Set encryption_type="KMS" and kms_key_id on the aws.kinesis.Stream.',
    "CKV_AWS_43",
)
EBS_ENCRYPTED = _rule(
    "CD-ENC-106", "ebs", "EBS volumes", "Set encrypted=True and kms_key_id on the aws.ebs.Volume.", "CKV_AWS_3"
)
LAUNCH_TEMPLATE_ENCRYPTED = _rule(
    "CD-ENC-107",
    "launch-template",
    "Launch templates' EBS volumes",
    "Set ebs={'encrypted': 'true'} (and kms_key_id, or the account's EBS default key) in every "
    "block_device_mappings entry of the aws.ec2.LaunchTemplate.",
    None,
)

RULES: list[Rule] = [
    REDSHIFT_ENCRYPTED,
    EFS_ENCRYPTED,
    ELASTICACHE_ENCRYPTED,
    OPENSEARCH_ENCRYPTED,
    KINESIS_ENCRYPTED,
    EBS_ENCRYPTED,
    LAUNCH_TEMPLATE_ENCRYPTED,
]
