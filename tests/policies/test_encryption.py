"""Encryption rules: customer keys on every data store, rotating keys, root-only key administration."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules.encryption import (
    BUCKET_CUSTOMER_KEY,
    KEY_POLICY_ADMINS,
    KEY_ROTATION,
    LOG_GROUP_CUSTOMER_KEY,
    QUEUE_CUSTOMER_KEY,
    RDS_CLUSTER_CUSTOMER_KEY,
    RDS_INSTANCE_CUSTOMER_KEY,
    SECRET_CUSTOMER_KEY,
    TABLE_CUSTOMER_KEY,
    TOPIC_CUSTOMER_KEY,
)
from tests.policies.harness import policy_resource, resource_args, violations

ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


# -- RDS -------------------------------------------------------------------------------------


def test_rds_cluster_with_a_customer_key_passes():
    args = resource_args(
        "aws:rds/cluster:Cluster", {"engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": KEY_ARN}
    )
    assert violations(RDS_CLUSTER_CUSTOMER_KEY, args) == []


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "RDS cluster is not encrypted at rest (storage_encrypted is not true)"),
        (
            {"storageEncrypted": False, "kmsKeyId": KEY_ARN},
            "RDS cluster is not encrypted at rest (storage_encrypted is not true)",
        ),
        ({"storageEncrypted": True}, "RDS cluster sets no kms_key_id, so it is not encrypted with a customer KMS key"),
        (
            {"storageEncrypted": True, "kmsKeyId": "alias/aws/rds"},
            'RDS cluster uses the AWS-managed key "alias/aws/rds", not a customer KMS key',
        ),
    ],
)
def test_rds_cluster_without_a_customer_key_is_reported(props, message):
    args = resource_args("aws:rds/cluster:Cluster", {"engine": "aurora-postgresql", **props})
    assert violations(RDS_CLUSTER_CUSTOMER_KEY, args) == [message]


def test_rds_instances_are_checked_but_cluster_members_and_replicas_are_not():
    instance = "aws:rds/instance:Instance"
    assert violations(RDS_INSTANCE_CUSTOMER_KEY, resource_args(instance, {"storageEncrypted": True})) == [
        "RDS instance sets no kms_key_id, so it is not encrypted with a customer KMS key"
    ]
    assert (
        violations(RDS_INSTANCE_CUSTOMER_KEY, resource_args(instance, {"storageEncrypted": True, "kmsKeyId": KEY_ARN}))
        == []
    )
    assert violations(RDS_INSTANCE_CUSTOMER_KEY, resource_args(instance, {"replicateSourceDb": "orders-primary"})) == []
    member = resource_args("aws:rds/clusterInstance:ClusterInstance", {"clusterIdentifier": "orders"})
    assert violations(RDS_CLUSTER_CUSTOMER_KEY, member) == [] and violations(RDS_INSTANCE_CUSTOMER_KEY, member) == []


# -- queues, topics, log groups, secrets, tables ------------------------------------------------


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "queue sets no kms_master_key_id, so it is not encrypted with a customer KMS key"),
        (
            {"sqsManagedSseEnabled": True},
            "queue uses SQS-managed encryption (sqs_managed_sse_enabled), not a customer KMS key",
        ),
        ({"kmsMasterKeyId": "alias/aws/sqs"}, 'queue uses the AWS-managed key "alias/aws/sqs", not a customer KMS key'),
    ],
)
def test_queue_without_a_customer_key_is_reported(props, message):
    assert violations(QUEUE_CUSTOMER_KEY, resource_args("aws:sqs/queue:Queue", props)) == [message]


@pytest.mark.parametrize("key", [KEY_ARN, "alias/crossdock/orders", UNKNOWN_STRING_VALUE])
def test_queue_with_a_customer_key_passes(key):
    assert violations(QUEUE_CUSTOMER_KEY, resource_args("aws:sqs/queue:Queue", {"kmsMasterKeyId": key})) == []


@pytest.mark.parametrize(
    ("rule", "resource_type", "wire", "subject", "prop", "managed"),
    [
        (TOPIC_CUSTOMER_KEY, "aws:sns/topic:Topic", "kmsMasterKeyId", "topic", "kms_master_key_id", "alias/aws/sns"),
        (
            LOG_GROUP_CUSTOMER_KEY,
            "aws:cloudwatch/logGroup:LogGroup",
            "kmsKeyId",
            "log group",
            "kms_key_id",
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/aws/logs",
        ),
        (
            SECRET_CUSTOMER_KEY,
            "aws:secretsmanager/secret:Secret",
            "kmsKeyId",
            "secret",
            "kms_key_id",
            "alias/aws/secretsmanager",
        ),
    ],
)
def test_single_key_input_data_stores(rule, resource_type, wire, subject, prop, managed):
    assert violations(rule, resource_args(resource_type, {wire: KEY_ARN})) == []
    assert violations(rule, resource_args(resource_type, {})) == [
        f"{subject} sets no {prop}, so it is not encrypted with a customer KMS key"
    ]
    assert violations(rule, resource_args(resource_type, {wire: managed})) == [
        f'{subject} uses the AWS-managed key "{managed}", not a customer KMS key'
    ]


def test_dynamodb_table_needs_customer_key_encryption():
    table = "aws:dynamodb/table:Table"
    assert (
        violations(
            TABLE_CUSTOMER_KEY, resource_args(table, {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN}})
        )
        == []
    )
    assert violations(TABLE_CUSTOMER_KEY, resource_args(table, {"hashKey": "id"})) == [
        "table does not enable server_side_encryption, so it is encrypted with an AWS-owned key"
    ]
    assert violations(TABLE_CUSTOMER_KEY, resource_args(table, {"serverSideEncryption": {"enabled": True}})) == [
        "table sets no server_side_encryption.kms_key_arn, so it is not encrypted with a customer KMS key"
    ]


# -- buckets ---------------------------------------------------------------------------------

SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def sse(target, algorithm="aws:kms", key=KEY_ARN, resource_type=SSE):
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key is not None else {})}
    return policy_resource(
        resource_type,
        {
            "bucket": UNKNOWN_STRING_VALUE,
            "rules": [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}],
        },
        name="audit-encryption",
        property_dependencies={"bucket": [target]},
    )


def test_bucket_with_kms_and_a_customer_key_passes():
    audit = policy_resource("aws:s3/bucket:Bucket", {}, name="audit")
    assert violations(BUCKET_CUSTOMER_KEY, [audit, sse(audit)]) == []
    legacy_config = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
    assert violations(BUCKET_CUSTOMER_KEY, [audit, sse(audit, resource_type=legacy_config)]) == []


def test_inline_bucket_encryption_is_accepted():
    inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}}
    audit = policy_resource("aws:s3/bucket:Bucket", {"serverSideEncryptionConfiguration": inline}, name="audit")
    assert violations(BUCKET_CUSTOMER_KEY, [audit]) == []
    legacy = {
        "rules": [{"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}]}]
    }
    old = policy_resource("aws:s3/bucketV2:BucketV2", {"serverSideEncryptionConfigurations": [legacy]}, name="old")
    assert violations(BUCKET_CUSTOMER_KEY, [old]) == []


@pytest.mark.parametrize(
    ("algorithm", "key", "message"),
    [
        ("AES256", None, 'bucket "prod-audit" is encrypted with "AES256", not a customer KMS key'),
        (
            "aws:kms",
            None,
            'bucket "prod-audit" uses aws:kms without kms_master_key_id, so it is encrypted with the AWS-managed key "aws/s3"',
        ),
        (
            "aws:kms",
            "alias/aws/s3",
            'bucket "prod-audit" uses the AWS-managed key "alias/aws/s3", not a customer KMS key',
        ),
    ],
)
def test_bucket_without_a_customer_key_is_reported(algorithm, key, message):
    audit = policy_resource("aws:s3/bucket:Bucket", {"bucket": "prod-audit"}, name="audit")
    assert violations(BUCKET_CUSTOMER_KEY, [audit, sse(audit, algorithm, key)]) == [message]


def test_bucket_without_an_encryption_configuration_is_reported():
    audit = policy_resource("aws:s3/bucket:Bucket", {"bucket": "prod-audit"}, name="audit")
    other = policy_resource("aws:s3/bucket:Bucket", {}, name="other")
    assert violations(BUCKET_CUSTOMER_KEY, [audit, other, sse(other)]) == [
        'bucket "prod-audit" has no server-side encryption configuration with sse_algorithm "aws:kms" and a customer kms_master_key_id'
    ]


# -- keys ------------------------------------------------------------------------------------


def test_key_rotation():
    key = "aws:kms/key:Key"
    assert (
        violations(KEY_ROTATION, resource_args(key, {"enableKeyRotation": True, "rotationPeriodInDays": 365.0})) == []
    )
    assert violations(KEY_ROTATION, resource_args(key, {"description": "orders"})) == [
        "key rotation is not enabled (enable_key_rotation is not true)"
    ]


def test_rotation_does_not_apply_to_asymmetric_keys_or_replicas():
    assert (
        violations(
            KEY_ROTATION,
            resource_args("aws:kms/key:Key", {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}),
        )
        == []
    )
    assert (
        violations(
            KEY_ROTATION,
            resource_args("aws:kms/key:Key", {"keyUsage": "GENERATE_VERIFY_MAC", "customerMasterKeySpec": "HMAC_256"}),
        )
        == []
    )
    assert violations(KEY_ROTATION, resource_args("aws:kms/replicaKey:ReplicaKey", {"primaryKeyArn": KEY_ARN})) == []


def key_policy(*statements: dict) -> dict:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


ROOT_ADMIN = {
    "Sid": "AccountRootAdministersKey",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
    "Action": "kms:*",
    "Resource": "*",
}


def test_key_policy_with_root_administration_and_scoped_service_use_passes():
    service = {
        "Sid": "SnsDelivers",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    bare_account = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "*", "Resource": "*"}
    gov_root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws-us-gov:iam::{ACCOUNT}:root"},
        "Action": "KMS:*",
        "Resource": "*",
    }
    args = resource_args("aws:kms/key:Key", key_policy(ROOT_ADMIN, service, bare_account, gov_root))
    assert violations(KEY_POLICY_ADMINS, args) == []


def test_key_policy_granting_kms_star_to_others_is_reported():
    role_admin = {
        "Sid": "AppAdmin",
        "Effect": "Allow",
        "Principal": {"AWS": [ROOT, f"arn:aws:iam::{ACCOUNT}:role/app"]},
        "Action": "kms:*",
        "Resource": "*",
    }
    service_admin = {
        "Effect": "Allow",
        "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": "*",
        "Resource": "*",
    }
    anyone = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "kms:*"], "Resource": "*"}
    for key_type in ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"):
        args = resource_args(key_type, key_policy(ROOT_ADMIN, role_admin, service_admin, anyone))
        assert violations(KEY_POLICY_ADMINS, args) == [
            f'key policy statement "AppAdmin" grants "kms:*" to "arn:aws:iam::{ACCOUNT}:role/app"; only the account root may hold kms:*',
            'key policy statement #3 grants "*" to "logs.eu-west-1.amazonaws.com"; only the account root may hold kms:*',
            'key policy statement "Anyone" grants "kms:Decrypt", "kms:*" to "*"; only the account root may hold kms:*',
        ]


def test_unreadable_key_policy_is_left_to_the_exposure_rule():
    assert violations(KEY_POLICY_ADMINS, resource_args("aws:kms/key:Key", {"policy": "{"})) == []
