"""CD-TEN-004..006 one case at a time: compliant and non-compliant, with the exact violation."""

from __future__ import annotations

import json

from policies.rules.tenant_isolation import SILO_DATA_NOT_SHARED, SILO_DR_FOLLOWS_ENVIRONMENT, TENANT_RESOURCE_POLICIES
from tests.policies.harness import policy_resource, violations

QUEUE = "aws:sqs/queue:Queue"
CLUSTER = "aws:rds/cluster:Cluster"
SILO_TAGS = {"tenant": "acme", "isolation": "silo", "tier": "production", "dr-strategy": "pilot-light"}


def queue(name: str, tags: dict | None, **deps):
    props = {"name": name} | ({"tags": tags} if tags is not None else {})
    return policy_resource(QUEUE, props, name=name, property_dependencies=deps)


def silo_component(**props):
    values = {
        "tenant": "acme",
        "isolation": "silo",
        "environmentStack": "prod",
        "environmentTier": "production",
        "drStrategy": "pilot-light",
        "environmentDrStrategy": "pilot-light",
        "environmentTenants": ["globex", "acme"],
    } | props
    return policy_resource("crossdock:tenant:TenantSilo", values, name="prod-tenant-acme")


# -- CD-TEN-004 ---------------------------------------------------------------------------------


def test_004_not_applicable_without_silos() -> None:
    assert violations(SILO_DATA_NOT_SHARED, [queue("prod-orders", {"environment": "prod"})]) == []


def test_004_silo_queue_with_its_own_dlq_is_compliant() -> None:
    dlq = queue("prod-tenant-acme-orders-dlq", SILO_TAGS)
    source = queue("prod-tenant-acme-orders", SILO_TAGS, redrivePolicy=[dlq])
    assert violations(SILO_DATA_NOT_SHARED, [dlq, source]) == []


def test_004_silo_queue_redriving_into_a_shared_dlq() -> None:
    shared = queue("prod-orders-dlq", {"environment": "prod"})
    source = queue("prod-tenant-acme-orders", SILO_TAGS, redrivePolicy=[shared])
    assert violations(SILO_DATA_NOT_SHARED, [shared, source]) == [
        '"prod-tenant-acme-orders" of silo tenant "acme" puts data into queue "prod-orders-dlq" (redrivePolicy), '
        "which is shared (no tenant tag)"
    ]


def test_004_shared_resource_using_a_silo_store() -> None:
    cluster = policy_resource(CLUSTER, {"tags": SILO_TAGS}, name="prod-tenant-acme-orders")
    selection = policy_resource(
        "aws:backup/selection:Selection",
        {"resources": ["arn"]},
        name="prod-dr-transactional-selection",
        property_dependencies={"resources": [cluster]},
    )
    assert violations(SILO_DATA_NOT_SHARED, [cluster, selection]) == [
        'RDS cluster "prod-tenant-acme-orders" of silo tenant "acme" is used by "prod-dr-transactional-selection" '
        "(resources), which is shared (no tenant tag)"
    ]


def test_004_alarms_may_watch_any_store() -> None:
    shared = queue("prod-orders", {"environment": "prod"})
    alarm = policy_resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {"tags": SILO_TAGS},
        name="prod-tenant-acme-watch",
        property_dependencies={"dimensions": [shared]},
    )
    assert violations(SILO_DATA_NOT_SHARED, [shared, alarm]) == []


def test_004_silo_tag_without_tenant() -> None:
    orphan = queue("prod-orders-archive", {"isolation": "silo"})
    assert violations(SILO_DATA_NOT_SHARED, [orphan]) == [
        'queue "prod-orders-archive" is tagged isolation: silo but has no tenant tag: a silo resource must name its '
        "one tenant"
    ]


def _role_policy(resources: list[str]):
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Flows", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": resources}],
    }
    role = policy_resource(
        "aws:iam/role:Role", {"name": "prod-tenant-acme-app", "tags": SILO_TAGS}, name="prod-tenant-acme-app"
    )
    policy = policy_resource(
        "aws:iam/rolePolicy:RolePolicy",
        {"role": "prod-tenant-acme-app", "policy": json.dumps(document)},
        name="prod-tenant-acme-app-policy",
    )
    return [role, policy]


def test_004_silo_policy_on_its_own_queues_is_compliant() -> None:
    own = "arn:aws:sqs:us-east-1:123456789012:prod-tenant-acme-orders"
    rds_user = "arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-ABC/orders_app"
    assert violations(SILO_DATA_NOT_SHARED, _role_policy([own, rds_user])) == []


def test_004_silo_policy_naming_a_shared_queue() -> None:
    shared = "arn:aws:sqs:us-east-1:123456789012:prod-carrier-events"
    assert violations(SILO_DATA_NOT_SHARED, _role_policy([shared])) == [
        'statement "Flows" of silo tenant "acme" grants access to "arn:aws:sqs:us-east-1:123456789012:prod-carrier-events", '
        'a data store that is not the tenant\'s (silo stores are named "tenant-acme")'
    ]


# -- CD-TEN-005 ---------------------------------------------------------------------------------


def _cluster(tags: dict):
    return policy_resource(
        CLUSTER, {"tags": tags, "clusterIdentifier": "prod-tenant-acme-orders"}, name="prod-tenant-acme-orders-cluster"
    )


def test_005_not_applicable_without_silos() -> None:
    assert violations(SILO_DR_FOLLOWS_ENVIRONMENT, [_cluster({"environment": "prod"})]) == []


def test_005_matching_strategy_and_no_copy_needed() -> None:
    assert violations(SILO_DR_FOLLOWS_ENVIRONMENT, [silo_component(), _cluster({**SILO_TAGS, "dr-copy": "none"})]) == []


def test_005_silo_built_for_another_strategy() -> None:
    found = violations(
        SILO_DR_FOLLOWS_ENVIRONMENT,
        [silo_component(environmentDrStrategy="warm-standby"), _cluster({**SILO_TAGS, "dr-copy": "none"})],
    )
    assert found == [
        'silo tenant "acme" is built for DR strategy "pilot-light" but environment "prod" runs "warm-standby" '
        "(from its stack outputs)"
    ]


def test_005_store_tagged_with_another_strategy() -> None:
    found = violations(
        SILO_DR_FOLLOWS_ENVIRONMENT,
        [silo_component(), _cluster({**SILO_TAGS, "dr-strategy": "backup-restore", "dr-copy": "none"})],
    )
    assert found == [
        'RDS cluster "prod-tenant-acme-orders-cluster" of silo tenant "acme" is tagged dr-strategy "backup-restore" '
        'but environment "prod" runs "pilot-light"'
    ]


def test_005_store_without_a_strategy_tag() -> None:
    tags = {k: v for k, v in SILO_TAGS.items() if k != "dr-strategy"}
    found = violations(SILO_DR_FOLLOWS_ENVIRONMENT, [silo_component(), _cluster({**tags, "dr-copy": "none"})])
    assert found == [
        'RDS cluster "prod-tenant-acme-orders-cluster" of silo tenant "acme" has no dr-strategy tag; a silo of a '
        'production environment follows its environment\'s DR strategy ("pilot-light")'
    ]


def test_005_required_copy_missing() -> None:
    found = violations(SILO_DR_FOLLOWS_ENVIRONMENT, [silo_component(), _cluster({**SILO_TAGS, "dr-copy": "required"})])
    assert found == [
        'RDS cluster "prod-tenant-acme-orders-cluster" of silo tenant "acme" is tagged dr-copy: required but has no '
        'copy in another region, so the silo does not follow environment "prod"\'s DR strategy'
    ]


def test_005_required_copy_present_as_a_global_secondary() -> None:
    primary = _cluster({**SILO_TAGS, "dr-copy": "required"})
    global_cluster = policy_resource(
        "aws:rds/globalCluster:GlobalCluster",
        {"tags": SILO_TAGS},
        name="prod-tenant-acme-orders-global",
        property_dependencies={"sourceDbClusterIdentifier": [primary]},
    )
    secondary = policy_resource(
        CLUSTER,
        {"tags": {**SILO_TAGS, "dr-role": "secondary"}},
        name="prod-tenant-acme-orders-secondary",
        property_dependencies={"globalClusterIdentifier": [global_cluster]},
        provider_region="us-west-2",
    )
    found = violations(
        SILO_DR_FOLLOWS_ENVIRONMENT,
        [silo_component(), primary, global_cluster, secondary],
        config={"primaryRegion": "us-east-1"},
    )
    assert found == []


def test_005_lower_tiers_are_not_held_to_it() -> None:
    tags = {**SILO_TAGS, "tier": "development", "dr-copy": "required"}
    assert (
        violations(SILO_DR_FOLLOWS_ENVIRONMENT, [silo_component(environmentTier="development"), _cluster(tags)]) == []
    )


# -- CD-TEN-006 ---------------------------------------------------------------------------------


def _key(principals: list[str]):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Use",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
            {
                "Sid": "Sns",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ],
    }
    return policy_resource(
        "aws:kms/key:Key",
        {"policy": json.dumps(document), "tags": SILO_TAGS},
        name="prod-tenant-acme-transactional-key",
    )


def test_006_own_principals_and_the_account_are_compliant() -> None:
    key = _key(["arn:aws:iam::123456789012:role/prod-tenant-acme-app", "123456789012"])
    assert violations(TENANT_RESOURCE_POLICIES, [silo_component(), key]) == []


def test_006_another_tenants_role() -> None:
    key = _key(["arn:aws:iam::123456789012:role/prod-tenant-globex-app"])
    assert violations(TENANT_RESOURCE_POLICIES, [silo_component(), key]) == [
        'statement "Use" of the policy of key "prod-tenant-acme-transactional-key" (tenant "acme") grants '
        '"arn:aws:iam::123456789012:role/prod-tenant-globex-app", which belongs to tenant "globex"'
    ]


def test_006_an_unknown_tenants_role_and_a_shared_role() -> None:
    key = _key(
        ["arn:aws:iam::123456789012:role/prod-tenant-initech-app", "arn:aws:iam::123456789012:role/prod-shipment-api"]
    )
    assert violations(TENANT_RESOURCE_POLICIES, [key]) == [
        'statement "Use" of the policy of key "prod-tenant-acme-transactional-key" (tenant "acme") grants '
        '"arn:aws:iam::123456789012:role/prod-tenant-initech-app", which names another tenant ("tenant-initech-app")',
        'statement "Use" of the policy of key "prod-tenant-acme-transactional-key" (tenant "acme") grants '
        '"arn:aws:iam::123456789012:role/prod-shipment-api", which is not a principal of tenant "acme"',
    ]


def test_006_queue_policies_of_a_tenant_too() -> None:
    document = {
        "Statement": [
            {
                "Sid": "Peek",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/prod-tenant-globex-app"},
                "Action": "sqs:ReceiveMessage",
                "Resource": "*",
            }
        ]
    }
    policy = policy_resource(
        "aws:sqs/queuePolicy:QueuePolicy", {"policy": json.dumps(document)}, name="prod-tenant-acme-orders-tls-only"
    )
    found = violations(
        TENANT_RESOURCE_POLICIES, [silo_component(), queue("prod-tenant-acme-orders", SILO_TAGS), policy]
    )
    assert found == [
        'statement "Peek" of the policy of queue policy "prod-tenant-acme-orders-tls-only" (tenant "acme") grants '
        '"arn:aws:iam::123456789012:role/prod-tenant-globex-app", which belongs to tenant "globex"'
    ]


def test_006_not_applicable_without_tenants() -> None:
    key = policy_resource("aws:kms/key:Key", {"policy": json.dumps({"Statement": []})}, name="prod-transactional-key")
    assert violations(TENANT_RESOURCE_POLICIES, [key]) == []
