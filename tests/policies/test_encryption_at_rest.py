"""Encryption at rest for Redshift, EFS, ElastiCache, OpenSearch, Kinesis, EBS and launch templates."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules.encryption_at_rest import (
    EBS_ENCRYPTED,
    EFS_ENCRYPTED,
    ELASTICACHE_ENCRYPTED,
    KINESIS_ENCRYPTED,
    LAUNCH_TEMPLATE_ENCRYPTED,
    OPENSEARCH_ENCRYPTED,
    REDSHIFT_ENCRYPTED,
)
from tests.policies.harness import resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

CASES = [
    # rule, type, compliant props, [(non-compliant props, message)]
    (
        REDSHIFT_ENCRYPTED,
        "aws:redshift/cluster:Cluster",
        {"encrypted": True, "kmsKeyId": KEY},
        [
            ({}, "Redshift cluster is not encrypted at rest (encrypted is not true)"),
            (
                {"encrypted": True},
                "Redshift cluster sets no kms_key_id, so it is not encrypted with a customer KMS key",
            ),
        ],
    ),
    (
        EFS_ENCRYPTED,
        "aws:efs/fileSystem:FileSystem",
        {"encrypted": True, "kmsKeyId": KEY},
        [({"encrypted": False}, "EFS file system is not encrypted at rest (encrypted is not true)")],
    ),
    (
        ELASTICACHE_ENCRYPTED,
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY},
        [
            (
                {"atRestEncryptionEnabled": False},
                "ElastiCache replication group is not encrypted at rest (at_rest_encryption_enabled is not true)",
            )
        ],
    ),
    (
        OPENSEARCH_ENCRYPTED,
        "aws:opensearch/domain:Domain",
        {"encryptAtRest": {"enabled": True, "kmsKeyId": KEY}},
        [
            ({}, "OpenSearch domain is not encrypted at rest (encrypt_at_rest.enabled is not true)"),
            (
                {"encryptAtRest": {"enabled": True, "kmsKeyId": "alias/aws/es"}},
                'OpenSearch domain uses the AWS-managed key "alias/aws/es", not a customer KMS key',
            ),
        ],
    ),
    (
        KINESIS_ENCRYPTED,
        "aws:kinesis/stream:Stream",
        {"encryptionType": "KMS", "kmsKeyId": KEY},
        [
            ({"shardCount": 1.0}, 'Kinesis stream is not encrypted at rest (encryption_type is not "KMS")'),
            (
                {"encryptionType": "KMS", "kmsKeyId": "alias/aws/kinesis"},
                'Kinesis stream uses the AWS-managed key "alias/aws/kinesis", not a customer KMS key',
            ),
        ],
    ),
    (
        EBS_ENCRYPTED,
        "aws:ebs/volume:Volume",
        {"encrypted": True, "kmsKeyId": UNKNOWN_STRING_VALUE},
        [({"size": 100.0}, "EBS volume is not encrypted at rest (encrypted is not true)")],
    ),
    (
        LAUNCH_TEMPLATE_ENCRYPTED,
        "aws:ec2/launchTemplate:LaunchTemplate",
        {
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}},
                {"deviceName": "/dev/sdf", "ebs": {"encrypted": "true"}},
                {"deviceName": "/dev/sdg", "ebs": {"snapshotId": "snap-0123"}},
            ]
        },
        [
            (
                {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50.0}}]},
                "launch template does not encrypt EBS volume /dev/xvda "
                "(block_device_mappings[].ebs.encrypted is not true)",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("rule", "resource_type", "props"), [(r, t, p) for r, t, p, _ in CASES])
def test_encrypted_stores_pass(rule, resource_type, props):
    assert violations(rule, resource_args(resource_type, props)) == []


@pytest.mark.parametrize(
    ("rule", "resource_type", "props", "message"), [(r, t, bad, m) for r, t, _, cases in CASES for bad, m in cases]
)
def test_unencrypted_stores_are_reported(rule, resource_type, props, message):
    assert violations(rule, resource_args(resource_type, props)) == [message]


def test_other_types_are_not_judged():
    assert violations(REDSHIFT_ENCRYPTED, resource_args("aws:efs/fileSystem:FileSystem", {})) == []
