"""Tenant rules: tags follow ownership, tenant data uses tenant keys, tenant policies stay in their lane."""

from __future__ import annotations

import json

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules.tenant import NO_CROSS_TENANT_ARNS, TENANT_OWN_KEYS, TENANT_TAGGED, Tenancy, accepts_tags
from tests.policies.harness import policy_resource, violations

ACCOUNT = "123456789012"
COMPONENT = "crossdock:tenant:TenantTier"


def tier(tenant: str, *, tagged: bool = False):
    """A tenant component; components take no tags, so it is known by its name (or a tag it exposes)."""
    return policy_resource(COMPONENT, {"tags": {"tenant": tenant}} if tagged else {}, name=f"prod-tenant-{tenant}")


def key(tenant: str | None, name: str | None = None, parent=None):
    tags = {"tenant": tenant} if tenant else {"environment": "prod"}
    return policy_resource(
        "aws:kms/key:Key",
        {"enableKeyRotation": True, "tags": tags},
        name=name or f"{tenant or 'shared'}-key",
        parent=parent,
    )


# -- tagging ---------------------------------------------------------------------------------


def test_children_of_a_tenant_component_carry_its_tag():
    acme = tier("acme", tagged=True)
    queue = policy_resource("aws:sqs/queue:Queue", {"tags": {"tenant": "acme"}}, name="orders", parent=acme)
    attachment = policy_resource("aws:sqs/queuePolicy:QueuePolicy", {"policy": "{}"}, name="orders-policy", parent=acme)
    assert violations(TENANT_TAGGED, [acme, queue, attachment]) == []


def test_untagged_child_of_a_tenant_is_reported():
    acme = tier("acme", tagged=True)
    queue = policy_resource("aws:sqs/queue:Queue", {"tags": {"environment": "prod"}}, name="orders", parent=acme)
    assert violations(TENANT_TAGGED, [acme, queue]) == [
        'resource "orders" belongs to tenant "acme" (its ancestor "prod-tenant-acme" is tagged tenant "acme") but has no tenant tag'
    ]


def test_grandchildren_and_named_resources_belong_to_the_tenant():
    tagged = policy_resource("aws:sqs/queue:Queue", {"tags": {"tenant": "acme"}}, name="acme-orders")
    acme = tier("acme")
    inner = policy_resource("crossdock:storage:SecureBucket", {}, name="docs", parent=acme)
    bucket = policy_resource("aws:s3/bucket:Bucket", {}, name="docs", parent=inner)
    named = policy_resource("aws:sns/topic:Topic", {}, name="events-tenant-acme")
    assert violations(TENANT_TAGGED, [tagged, acme, inner, bucket, named]) == [
        'resource "docs" belongs to tenant "acme" (its ancestor "prod-tenant-acme" is named for tenant "acme") but has no tenant tag',
        'resource "events-tenant-acme" belongs to tenant "acme" (its name contains "tenant-acme") but has no tenant tag',
    ]


def test_wrong_tenant_tag_is_reported():
    acme = tier("acme", tagged=True)
    secret = policy_resource(
        "aws:secretsmanager/secret:Secret", {"tags": {"tenant": "globex"}}, name="db-credentials", parent=acme
    )
    assert violations(TENANT_TAGGED, [acme, secret]) == [
        'resource "db-credentials" is tagged tenant "globex" but belongs to tenant "acme" '
        '(its ancestor "prod-tenant-acme" is tagged tenant "acme")'
    ]


def test_longest_tenant_id_wins_in_names():
    tenancy = Tenancy([key("acme"), key("acme-eu")])
    assert tenancy.mentioned("prod-tenant-acme-eu-orders") == ["acme-eu"]
    assert tenancy.mentioned("prod-tenant-acme-orders") == ["acme"]
    assert tenancy.mentioned("prod-tenant-acmeco") == []


def test_tags_are_required_only_where_the_sdk_takes_them():
    assert accepts_tags("aws:sqs/queue:Queue") is True
    assert accepts_tags("aws:s3/bucketPolicy:BucketPolicy") is False
    assert accepts_tags("aws:lambda/permission:Permission") is False
    assert accepts_tags("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") is True
    assert accepts_tags(COMPONENT) is False


def test_single_tenant_stacks_are_not_checked():
    untagged = policy_resource("aws:sqs/queue:Queue", {}, name="orders-tenant-acme")
    assert violations(TENANT_TAGGED, [untagged]) == []
    assert violations(TENANT_OWN_KEYS, [untagged]) == []
    assert violations(NO_CROSS_TENANT_ARNS, [untagged]) == []


# -- own keys --------------------------------------------------------------------------------


def queue(tenant: str, key_resource, name: str = "orders"):
    deps = {"kmsMasterKeyId": [key_resource]} if key_resource is not None else {}
    value = UNKNOWN_STRING_VALUE if key_resource is not None else None
    props = {"tags": {"tenant": tenant}, **({"kmsMasterKeyId": value} if value else {})}
    return policy_resource("aws:sqs/queue:Queue", props, name=name, property_dependencies=deps)


def test_data_store_with_the_tenants_key_passes():
    acme_key = key("acme")
    assert violations(TENANT_OWN_KEYS, [acme_key, queue("acme", acme_key)]) == []


def test_data_store_with_a_shared_or_other_tenants_key_is_reported():
    shared, globex_key = key(None, "prod-orders-key"), key("globex")
    stores = [queue("acme", shared, "acme-orders"), queue("acme", globex_key, "acme-events")]
    assert violations(TENANT_OWN_KEYS, [shared, globex_key, *stores]) == [
        'queue "acme-orders" of tenant "acme" is encrypted with key "prod-orders-key", which is not tagged with a tenant',
        'queue "acme-events" of tenant "acme" is encrypted with key "globex-key", which is tagged tenant "globex"',
    ]


def test_data_store_without_a_key_resource_is_reported():
    literal = policy_resource(
        "aws:rds/cluster:Cluster",
        {
            "tags": {"tenant": "acme"},
            "storageEncrypted": True,
            "kmsKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/shared",
        },
        name="acme-db",
    )
    assert violations(TENANT_OWN_KEYS, [literal, key("acme")]) == [
        'RDS cluster "acme-db" of tenant "acme" does not reference a KMS key tagged tenant "acme" in kms_key_id'
    ]


def test_key_through_an_alias_and_by_literal_arn_is_found():
    acme_key = policy_resource(
        "aws:kms/key:Key",
        {"tags": {"tenant": "acme"}, "arn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/acme"},
        name="acme-key",
    )
    alias = policy_resource(
        "aws:kms/alias:Alias",
        {"name": "alias/acme", "targetKeyId": UNKNOWN_STRING_VALUE},
        name="acme-alias",
        property_dependencies={"targetKeyId": [acme_key]},
    )
    log_group = policy_resource(
        "aws:cloudwatch/logGroup:LogGroup", {"tags": {"tenant": "acme"}, "kmsKeyId": "alias/acme"}, name="acme-logs"
    )
    secret = policy_resource(
        "aws:secretsmanager/secret:Secret",
        {"tags": {"tenant": "acme"}, "kmsKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/acme"},
        name="acme-secret",
    )
    assert violations(TENANT_OWN_KEYS, [acme_key, alias, log_group, secret]) == []


def test_tenant_bucket_uses_the_key_of_its_encryption_configuration():
    acme = tier("acme", tagged=True)
    acme_key, shared = key("acme"), key(None, "prod-audit-key")
    bucket = policy_resource("aws:s3/bucket:Bucket", {"tags": {"tenant": "acme"}}, name="acme-docs", parent=acme)

    def sse(target_key):
        return policy_resource(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            {
                "bucket": UNKNOWN_STRING_VALUE,
                "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
            },
            name="acme-docs-encryption",
            parent=acme,
            property_dependencies={"bucket": [bucket], "rules": [target_key]},
        )

    assert violations(TENANT_OWN_KEYS, [acme, acme_key, shared, bucket, sse(acme_key)]) == []
    assert violations(TENANT_OWN_KEYS, [acme, acme_key, shared, bucket, sse(shared)]) == [
        'bucket "acme-docs" of tenant "acme" is encrypted with key "prod-audit-key", which is not tagged with a tenant'
    ]


def test_dynamodb_table_key_comes_from_server_side_encryption():
    acme_key = key("acme")
    table = policy_resource(
        "aws:dynamodb/table:Table",
        {"tags": {"tenant": "acme"}, "serverSideEncryption": {"enabled": True, "kmsKeyArn": UNKNOWN_STRING_VALUE}},
        name="acme-shipments",
        property_dependencies={"serverSideEncryption": [acme_key]},
    )
    assert violations(TENANT_OWN_KEYS, [acme_key, table]) == []


# -- cross-tenant ARNs -----------------------------------------------------------------------

GLOBEX_BUCKET_ARN = "arn:aws:s3:::prod-globex-documents"


def policy_doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def globex_bucket():
    return policy_resource(
        "aws:s3/bucket:Bucket", {"tags": {"tenant": "globex"}, "arn": GLOBEX_BUCKET_ARN}, name="globex-docs"
    )


def test_tenant_policy_naming_only_its_own_resources_passes():
    role = policy_resource("aws:iam/role:Role", {"tags": {"tenant": "acme"}, "assumeRolePolicy": "{}"}, name="acme-app")
    inline = policy_resource(
        "aws:iam/rolePolicy:RolePolicy",
        {
            "role": UNKNOWN_STRING_VALUE,
            "policy": policy_doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-tenant-acme-docs/*"}
            ),
        },
        name="acme-app-read",
        property_dependencies={"role": [role]},
    )
    assert violations(NO_CROSS_TENANT_ARNS, [globex_bucket(), role, inline]) == []


def test_tenant_policy_naming_another_tenants_arn_is_reported():
    # The inline policy names its role by a literal: ownership falls back to the role's `name` input.
    role = policy_resource(
        "aws:iam/role:Role", {"tags": {"tenant": "acme"}, "name": "acme-app", "assumeRolePolicy": "{}"}, name="acme-app"
    )
    inline = policy_resource(
        "aws:iam/rolePolicy:RolePolicy",
        {
            "role": "acme-app",
            "policy": policy_doc(
                {
                    "Sid": "Read",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": [f"{GLOBEX_BUCKET_ARN}/*", GLOBEX_BUCKET_ARN],
                },
                {
                    "Effect": "Allow",
                    "Action": "sqs:SendMessage",
                    "Resource": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:prod-tenant-globex-orders",
                },
            ),
        },
        name="acme-app-read",
    )
    assert violations(NO_CROSS_TENANT_ARNS, [globex_bucket(), role, inline]) == [
        f'statement "Read" of tenant "acme" names "{GLOBEX_BUCKET_ARN}/*", which belongs to tenant "globex"',
        f'statement "Read" of tenant "acme" names "{GLOBEX_BUCKET_ARN}", which belongs to tenant "globex"',
        f'statement #2 of tenant "acme" names "arn:aws:sqs:eu-west-1:{ACCOUNT}:prod-tenant-globex-orders", which belongs to tenant "globex"',
    ]


def test_role_trust_policy_naming_another_tenants_role_is_reported():
    trust = policy_doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/prod-tenant-globex-app"},
            "Action": "sts:AssumeRole",
        }
    )
    role = policy_resource(
        "aws:iam/role:Role", {"tags": {"tenant": "acme"}, "assumeRolePolicy": trust}, name="acme-app"
    )
    assert violations(NO_CROSS_TENANT_ARNS, [globex_bucket(), role]) == [
        f'trust policy: statement #1 of tenant "acme" names "arn:aws:iam::{ACCOUNT}:role/prod-tenant-globex-app", '
        'which belongs to tenant "globex"'
    ]


def test_shared_policies_and_unreadable_documents_are_not_judged():
    shared = policy_resource(
        "aws:iam/policy:Policy",
        {"policy": policy_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{GLOBEX_BUCKET_ARN}/*"})},
        name="platform-auditor",
    )
    broken = policy_resource("aws:iam/policy:Policy", {"tags": {"tenant": "acme"}, "policy": "{"}, name="acme-broken")
    assert violations(NO_CROSS_TENANT_ARNS, [globex_bucket(), shared, broken]) == []
