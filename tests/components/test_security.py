"""SecurityBaseline and SecureBucket: keys per data class, DR replicas, audit bucket, alert topics."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi_aws as aws
import pytest

from components.secure_bucket import SecureBucket, SecureBucketArgs
from components.security import SecurityBaseline, SecurityBaselineArgs
from crossdock.config import load_stack_file
from crossdock.engine import run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
DEV = load_stack_file(ROOT / "stacks" / "Pulumi.dev.yaml")
KEY = "aws:kms/key:Key"
REPLICA = "aws:kms/replicaKey:ReplicaKey"
TOPIC = "aws:sns/topic:Topic"


def build(config, with_dr: bool):
    def program() -> None:
        provider = aws.Provider("dr", region=config.dr.region) if with_dr else None
        SecurityBaseline(
            f"{config.environment.name}-security", SecurityBaselineArgs(config=config, dr_provider=provider)
        )

    plan = run_callable(program, config={"aws:region": config.environment.region})
    return {(r.type, r.name): r for r in plan.resources}


@pytest.fixture(scope="module")
def prod():
    return build(PROD, with_dr=True)


@pytest.fixture(scope="module")
def dev():
    return build(DEV, with_dr=False)


def test_one_rotating_multi_region_key_per_data_class_plus_operations(prod):
    keys = {name: r for (t, name), r in prod.items() if t == KEY}
    expected = {f"prod-security-{dc.name}-key" for dc in PROD.data_classes} | {"prod-security-operations-key"}
    assert set(keys) == expected
    for record in keys.values():
        assert record.inputs["enableKeyRotation"] is True
        assert record.inputs["multiRegion"] is True
        assert record.inputs["deletionWindowInDays"] == 30.0
    assert keys["prod-security-transactional-key"].inputs["tags"]["data-class"] == "transactional"


def test_dev_keys_are_single_region_and_have_no_replicas(dev):
    keys = [r for (t, _), r in dev.items() if t == KEY]
    assert keys and all(r.inputs["multiRegion"] is False for r in keys)
    assert not [r for (t, _), r in dev.items() if t == REPLICA]
    assert (TOPIC, "dev-security-alerts-critical-dr") not in dev


def test_each_key_has_a_dr_replica_in_the_dr_region(prod):
    replicas = {name: r for (t, name), r in prod.items() if t == REPLICA}
    assert set(replicas) == {f"prod-security-{dc.name}-key-dr" for dc in PROD.data_classes} | {
        "prod-security-operations-key-dr"
    }
    for name, replica in replicas.items():
        primary = prod[(KEY, name.removesuffix("-dr"))]
        assert replica.inputs["primaryKeyArn"] == primary.outputs["arn"]
        assert replica.region == "us-west-2"


def test_key_policies_are_explicit_root_administers_services_are_pinned_to_the_account(prod):
    data = json.loads(prod[(KEY, "prod-security-transactional-key")].inputs["policy"])
    root, sns = data["Statement"]
    assert root["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"} and root["Action"] == "kms:*"
    assert sns["Principal"] == {"Service": "sns.amazonaws.com"}
    assert sns["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    operations = json.loads(prod[(KEY, "prod-security-operations-key")].inputs["policy"])
    logs = operations["Statement"][1]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:*"
    }
    dr_operations = json.loads(prod[(REPLICA, "prod-security-operations-key-dr")].inputs["policy"])
    assert dr_operations["Statement"][1]["Principal"] == {"Service": "logs.us-west-2.amazonaws.com"}


def test_alert_topic_per_severity_encrypted_with_subscriptions_from_config(prod):
    operations_arn = prod[(KEY, "prod-security-operations-key")].outputs["arn"]
    for severity in ("critical", "warning", "info"):
        topic = prod[(TOPIC, f"prod-security-alerts-{severity}")]
        assert topic.inputs["kmsMasterKeyId"] == operations_arn
        assert topic.inputs["tags"]["severity"] == severity
    subscriptions = sorted(name for (t, name) in prod if t == "aws:sns/topicSubscription:TopicSubscription")
    assert subscriptions == [
        "prod-security-alerts-critical-dr-email-1",
        "prod-security-alerts-critical-dr-https-0",
        "prod-security-alerts-critical-email-1",
        "prod-security-alerts-critical-https-0",
        "prod-security-alerts-info-email-0",
        "prod-security-alerts-warning-email-0",
    ]
    dr_topic = prod[(TOPIC, "prod-security-alerts-critical-dr")]
    assert dr_topic.region == "us-west-2"
    assert dr_topic.inputs["kmsMasterKeyId"] == prod[(REPLICA, "prod-security-operations-key-dr")].outputs["arn"]


def test_topic_policy_lets_only_cloudwatch_and_eventbridge_of_this_account_publish_and_denies_plain_http(prod):
    topic = prod[(TOPIC, "prod-security-alerts-critical")]
    policy = json.loads(
        prod[("aws:sns/topicPolicy:TopicPolicy", "prod-security-alerts-critical-policy")].inputs["policy"]
    )
    allow, deny = policy["Statement"]
    # EventBridge: the break-glass rule notifies the critical topic (components/incident_response.py).
    assert allow["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert allow["Resource"] == topic.outputs["arn"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_audit_bucket_is_a_protected_object_locked_secure_bucket(prod):
    bucket = prod[("aws:s3/bucket:Bucket", "prod-security-audit")]
    assert bucket.protect is True
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["tags"]["dr-copy"] == "required"
    lock = prod[
        ("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "prod-security-audit-object-lock")
    ]
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 35.0}}
    encryption = prod[
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "prod-security-audit-encryption",
        )
    ]
    rule = encryption.inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": prod[(KEY, "prod-security-audit-key")].outputs["arn"],
    }


def test_secure_bucket_children_without_object_lock():
    def program() -> None:
        SecureBucket(
            "archive", SecureBucketArgs(kms_key_arn="arn:aws:kms:us-east-1:1:key/k", tags={"environment": "t"})
        )

    plan = run_callable(program, config={"aws:region": "us-east-1"})
    records = {(r.type, r.name): r for r in plan.resources}
    component = records[("crossdock:storage:SecureBucket", "archive")]
    children = sorted((t.split(":")[-1], name) for (t, name), r in records.items() if r.parent == component.urn)
    assert children == [
        ("Bucket", "archive"),
        ("BucketOwnershipControls", "archive-ownership"),
        ("BucketPolicy", "archive-tls-only"),
        ("BucketPublicAccessBlock", "archive-public-access"),
        ("BucketServerSideEncryptionConfiguration", "archive-encryption"),
        ("BucketVersioning", "archive-versioning"),
    ]
    block = records[("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access")].inputs
    assert all(
        block[flag] is True
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    bucket = records[("aws:s3/bucket:Bucket", "archive")]
    assert bucket.protect is False and bucket.inputs["forceDestroy"] is True
    policy = json.loads(records[("aws:s3/bucketPolicy:BucketPolicy", "archive-tls-only")].inputs["policy"])
    statement = policy["Statement"][0]
    assert statement["Effect"] == "Deny" and statement["Resource"] == [
        bucket.outputs["arn"],
        bucket.outputs["arn"] + "/*",
    ]
