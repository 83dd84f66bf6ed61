"""Data-store resilience rules: multi-AZ, backup retention, deletion safeguards, DR copies."""

from __future__ import annotations

import json

from pulumi_policy import PolicyProviderResource, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.rules import resilience_data as data
from tests.policies.harness import policy_resource, resource_args, urn_of, violations

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_INSTANCE = "aws:rds/instance:Instance"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
SELECTION = "aws:backup/selection:Selection"
PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"

BASE = {"environment": "prod", "owner": "platform", "cost-center": "cc-1"}
PROD = {**BASE, "tier": "production", "data-class": "transactional"}
STAGING = {**BASE, "tier": "staging", "data-class": "transactional"}
NEEDS_DR = {**PROD, "dr-copy": "required"}
PRIMARY = {"primaryRegion": "us-east-1"}


def cluster(identifier="prod-orders", *, tags=PROD, provider_region=None, **props):
    return policy_resource(
        CLUSTER,
        {"clusterIdentifier": identifier, "engine": "aurora-postgresql", "tags": dict(tags), **props},
        name=f"{identifier}-cluster",
        provider_region=provider_region,
    )


def instance(owner, index, zone, *, by_dependency=True):
    """A cluster instance; by default linked like the SDK does (an unknown id plus a property dependency)."""
    return policy_resource(
        INSTANCE,
        {
            "identifier": f"{owner.props['clusterIdentifier']}-{index}",
            "clusterIdentifier": UNKNOWN_STRING_VALUE if by_dependency else owner.props["clusterIdentifier"],
            "availabilityZone": zone,
        },
        name=f"{owner.name}-instance-{index}",
        property_dependencies={"clusterIdentifier": [owner]} if by_dependency else None,
    )


def reported(rule, resources, config=None):
    """(message, urn) pairs, to check that stack rules blame the offending resource."""
    found = []
    rule.policy.validate(
        StackValidationArgs(list(resources), config), lambda message, urn=None: found.append((message, urn))
    )
    return found


# --- CD-RES-001 Aurora spans two AZs --------------------------------------------------------------


def test_aurora_with_instances_in_two_zones_passes():
    primary = cluster()
    stack = [primary, instance(primary, 1, "us-east-1a"), instance(primary, 2, "us-east-1b")]
    assert violations(data.AURORA_MULTI_AZ, stack) == []


def test_aurora_with_one_instance_fails_on_the_cluster():
    primary = cluster()
    found = reported(data.AURORA_MULTI_AZ, [primary, instance(primary, 1, "us-east-1a")])
    assert found == [
        ('Aurora cluster "prod-orders" has 1 instance; at least 2 in different AZs are needed', primary.urn)
    ]


def test_aurora_without_instances_fails():
    assert violations(data.AURORA_MULTI_AZ, [cluster()]) == [
        'Aurora cluster "prod-orders" has 0 instances; at least 2 in different AZs are needed'
    ]


def test_aurora_instances_all_in_one_zone_fail():
    primary = cluster()
    stack = [primary, instance(primary, 1, "us-east-1a"), instance(primary, 2, "us-east-1a")]
    assert violations(data.AURORA_MULTI_AZ, stack) == [
        'Aurora cluster "prod-orders" has 2 instances, all in us-east-1a; at least 2 in different AZs are needed'
    ]


def test_instances_found_by_identifier_without_property_dependencies():
    primary = cluster()
    stack = [primary, *(instance(primary, i, f"us-east-1{z}", by_dependency=False) for i, z in ((1, "a"), (2, "b")))]
    assert violations(data.AURORA_MULTI_AZ, stack) == []


def test_unknown_zones_are_not_judged():
    primary = cluster()
    stack = [primary, instance(primary, 1, UNKNOWN_STRING_VALUE), instance(primary, 2, UNKNOWN_STRING_VALUE)]
    assert violations(data.AURORA_MULTI_AZ, stack) == []


def test_pilot_light_secondary_tagged_dr_role_is_exempt():
    secondary = cluster("prod-orders-dr", tags={**PROD, "dr-role": "secondary"})
    assert violations(data.AURORA_MULTI_AZ, [secondary]) == []


def test_global_member_in_another_region_is_exempt():
    secondary = cluster("prod-orders-dr", provider_region="us-west-2", globalClusterIdentifier="prod-orders-global")
    assert violations(data.AURORA_MULTI_AZ, [secondary], PRIMARY) == []


def test_global_member_in_the_primary_region_is_not_exempt():
    member = cluster("prod-orders", provider_region="us-east-1", globalClusterIdentifier="prod-orders-global")
    assert violations(data.AURORA_MULTI_AZ, [member], PRIMARY) == [
        'Aurora cluster "prod-orders" has 0 instances; at least 2 in different AZs are needed'
    ]


def test_multi_az_db_clusters_of_other_engines_are_skipped():
    assert violations(data.AURORA_MULTI_AZ, [cluster(engine="postgres")]) == []


# --- CD-RES-002 RDS instance Multi-AZ -------------------------------------------------------------


def test_multi_az_instance_passes():
    args = resource_args(RDS_INSTANCE, {"identifier": "prod-billing", "engine": "postgres", "multiAz": True})
    assert violations(data.RDS_INSTANCE_MULTI_AZ, args) == []


def test_single_az_instance_fails():
    args = resource_args(RDS_INSTANCE, {"identifier": "prod-billing", "engine": "postgres"})
    assert violations(data.RDS_INSTANCE_MULTI_AZ, args) == [
        'RDS instance "prod-billing" is not Multi-AZ (multiAz is not enabled); it has no standby in a second AZ'
    ]


def test_unknown_multi_az_is_not_judged_even_behind_the_sdk_proxy():
    args = resource_args(RDS_INSTANCE, {})
    args.props = unknown_checking_proxy(
        {"identifier": "prod-billing", "multiAz": "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"}
    )
    assert violations(data.RDS_INSTANCE_MULTI_AZ, args) == []


# --- CD-RES-003 backup retention ------------------------------------------------------------------


def test_retention_at_the_minimum_passes():
    args = resource_args(CLUSTER, {"clusterIdentifier": "prod-orders", "backupRetentionPeriod": 7.0, "tags": PROD})
    assert violations(data.BACKUP_RETENTION, args) == []


def test_short_retention_fails():
    args = resource_args(CLUSTER, {"clusterIdentifier": "prod-orders", "backupRetentionPeriod": 3.0, "tags": PROD})
    assert violations(data.BACKUP_RETENTION, args) == [
        (
            'Aurora cluster "prod-orders" keeps automated backups for 3 days; '
            'at least 7 days are required for data class "transactional"'
        )
    ]


def test_missing_retention_is_the_aws_default_of_one_day():
    args = resource_args(RDS_INSTANCE, {"identifier": "prod-billing", "engine": "postgres", "tags": BASE})
    assert violations(data.BACKUP_RETENTION, args) == [
        (
            'RDS instance "prod-billing" keeps automated backups for 1 day (backupRetentionPeriod is not set); '
            "at least 7 days are required"
        )
    ]


def test_stricter_minimum_from_policy_config():
    props = {"clusterIdentifier": "prod-orders", "backupRetentionPeriod": 7.0, "tags": PROD}
    args = resource_args(CLUSTER, props, config={"minimumBackupRetentionDays": 14.0})
    assert violations(data.BACKUP_RETENTION, args) == [
        (
            'Aurora cluster "prod-orders" keeps automated backups for 7 days; '
            'at least 14 days are required for data class "transactional"'
        )
    ]


def test_per_data_class_minimum_overrides_the_default():
    props = {"clusterIdentifier": "prod-orders", "backupRetentionPeriod": 14.0, "tags": PROD}
    strict = {"minimumBackupRetentionDays": 7.0, "minimumBackupRetentionDaysByDataClass": {"transactional": 35.0}}
    lenient = {"minimumBackupRetentionDays": 30.0, "minimumBackupRetentionDaysByDataClass": {"transactional": 14.0}}
    assert violations(data.BACKUP_RETENTION, resource_args(CLUSTER, props, config=strict)) == [
        (
            'Aurora cluster "prod-orders" keeps automated backups for 14 days; '
            'at least 35 days are required for data class "transactional"'
        )
    ]
    assert violations(data.BACKUP_RETENTION, resource_args(CLUSTER, props, config=lenient)) == []


def test_unknown_retention_and_read_replicas_are_not_judged():
    unknown = {"clusterIdentifier": "prod-orders", "backupRetentionPeriod": UNKNOWN_NUMBER_VALUE, "tags": PROD}
    replica = {"identifier": "prod-billing-replica", "replicateSourceDb": "prod-billing", "tags": PROD}
    assert violations(data.BACKUP_RETENTION, resource_args(CLUSTER, unknown)) == []
    assert violations(data.BACKUP_RETENTION, resource_args(RDS_INSTANCE, replica)) == []


# --- CD-RES-004..008 deletion safeguards ----------------------------------------------------------


def test_protected_production_cluster_passes():
    props = {
        "clusterIdentifier": "prod-orders",
        "engine": "aurora-postgresql",
        "deletionProtection": True,
        "tags": PROD,
    }
    assert violations(data.RDS_CLUSTER_DELETION_PROTECTION, resource_args(CLUSTER, props, protect=True)) == []


def test_unprotected_production_cluster_fails_twice():
    props = {
        "clusterIdentifier": "prod-orders",
        "engine": "aurora-postgresql",
        "deletionProtection": False,
        "tags": PROD,
    }
    assert violations(data.RDS_CLUSTER_DELETION_PROTECTION, resource_args(CLUSTER, props)) == [
        'Aurora cluster "prod-orders" is in production but deletionProtection is not enabled',
        (
            'Aurora cluster "prod-orders" is in production but Pulumi does not protect it '
            "(set the protect or retainOnDelete resource option)"
        ),
    ]


def test_retain_on_delete_counts_as_protection():
    props = {"clusterIdentifier": "prod-orders", "deletionProtection": True, "tags": PROD}
    args = resource_args(CLUSTER, props)
    args.opts.retain_on_delete = True  # the offline engine's extra option
    assert violations(data.RDS_CLUSTER_DELETION_PROTECTION, args) == []


def test_staging_cluster_needs_no_deletion_safeguards_unless_config_says_production():
    props = {"clusterIdentifier": "stg-orders", "tags": STAGING}
    assert violations(data.RDS_CLUSTER_DELETION_PROTECTION, resource_args(CLUSTER, props)) == []
    forced = resource_args(CLUSTER, {**props, "deletionProtection": True}, config={"production": True})
    assert violations(data.RDS_CLUSTER_DELETION_PROTECTION, forced) == [
        (
            'Aurora cluster "stg-orders" is in production but Pulumi does not protect it '
            "(set the protect or retainOnDelete resource option)"
        )
    ]


def test_tier_from_provider_default_tags():
    args = resource_args(CLUSTER, {"clusterIdentifier": "prod-orders-dr", "deletionProtection": True})
    args.provider = PolicyProviderResource(
        "pulumi:providers:aws",
        {"region": "us-west-2", "defaultTags": json.dumps({"tags": {"tier": "production", "dr-role": "secondary"}})},
        urn_of("pulumi:providers:aws", "dr"),
        "dr",
    )
    assert violations(data.RDS_CLUSTER_DELETION_PROTECTION, args) == [
        (
            'Aurora cluster "prod-orders-dr" is in production but Pulumi does not protect it '
            "(set the protect or retainOnDelete resource option)"
        )
    ]


def test_rds_instance_deletion_protection():
    props = {"identifier": "prod-billing", "tags": PROD}
    assert violations(data.RDS_INSTANCE_DELETION_PROTECTION, resource_args(RDS_INSTANCE, props, protect=True)) == [
        'RDS instance "prod-billing" is in production but deletionProtection is not enabled'
    ]
    protected = resource_args(RDS_INSTANCE, {**props, "deletionProtection": True}, protect=True)
    assert violations(data.RDS_INSTANCE_DELETION_PROTECTION, protected) == []


def test_dynamodb_deletion_protection():
    props = {"name": "prod-tenants", "tags": PROD}
    assert violations(data.DYNAMODB_DELETION_PROTECTION, resource_args(TABLE, props, protect=True)) == [
        'DynamoDB table "prod-tenants" is in production but deletionProtectionEnabled is not enabled'
    ]
    protected = resource_args(TABLE, {**props, "deletionProtectionEnabled": True}, protect=True)
    assert violations(data.DYNAMODB_DELETION_PROTECTION, protected) == []


def test_audit_and_payload_buckets_must_be_protected():
    audit = resource_args(BUCKET, {"tags": {**PROD, "data-class": "audit"}}, name="prod-security-audit")
    assert violations(data.BUCKET_PROTECTION, audit) == [
        (
            'bucket "prod-security-audit" is in production but Pulumi does not protect it '
            "(set the protect or retainOnDelete resource option)"
        )
    ]
    payloads = resource_args(BUCKET, {"tags": {**PROD, "data-class": "integration-payloads"}}, protect=True)
    assert violations(data.BUCKET_PROTECTION, payloads) == []


def test_other_buckets_follow_the_configured_classes():
    analytics = {"bucket": "prod-exports", "tags": {**PROD, "data-class": "analytics"}}
    assert violations(data.BUCKET_PROTECTION, resource_args(BUCKET, analytics)) == []
    configured = resource_args(BUCKET, analytics, config={"protectedBucketDataClasses": ["analytics"]})
    assert violations(data.BUCKET_PROTECTION, configured) == [
        (
            'bucket "prod-exports" is in production but Pulumi does not protect it '
            "(set the protect or retainOnDelete resource option)"
        )
    ]


def test_load_balancer_deletion_protection():
    props = {"name": "prod-portal", "tags": PROD}
    for lb_type in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
        assert violations(data.LOAD_BALANCER_DELETION_PROTECTION, resource_args(lb_type, props, protect=True)) == [
            'load balancer "prod-portal" is in production but enableDeletionProtection is not enabled'
        ]
    protected = resource_args(
        "aws:lb/loadBalancer:LoadBalancer", {**props, "enableDeletionProtection": True}, protect=True
    )
    assert violations(data.LOAD_BALANCER_DELETION_PROTECTION, protected) == []


# --- CD-RES-009 RDS copy in another region --------------------------------------------------------


def global_database(primary, secondary_region="us-west-2"):
    global_cluster = policy_resource(
        GLOBAL,
        {"globalClusterIdentifier": "prod-orders-global", "sourceDbClusterIdentifier": UNKNOWN_STRING_VALUE},
        name="prod-orders-global",
        property_dependencies={"sourceDbClusterIdentifier": [primary]},
    )
    secondary = policy_resource(
        CLUSTER,
        {"clusterIdentifier": "prod-orders-dr", "globalClusterIdentifier": UNKNOWN_STRING_VALUE, "tags": PROD},
        name="prod-orders-secondary",
        provider_region=secondary_region,
        property_dependencies={"globalClusterIdentifier": [global_cluster]},
    )
    return [global_cluster, secondary]


def backup(primary, *, copy_to="arn:aws:backup:us-west-2:123456789012:backup-vault:prod-databases-dr", vault=None):
    rule = {"ruleName": "transactional", "targetVaultName": "prod-databases"}
    if copy_to is not None:
        rule["copyActions"] = [{"destinationVaultArn": copy_to, "lifecycle": {"deleteAfter": 35.0}}]
    plan = policy_resource(
        PLAN,
        {"name": "prod-databases", "rules": [rule]},
        name="plan",
        property_dependencies={"rules": [vault]} if vault else None,
    )
    selection = policy_resource(
        SELECTION,
        {
            "name": "prod-transactional",
            "planId": UNKNOWN_STRING_VALUE,
            "resources": ["arn:aws:rds:us-east-1:123456789012:cluster:prod-orders"],
        },
        name="selection",
        property_dependencies={"planId": [plan]},
    )
    return [plan, selection]


def test_cluster_without_copy_fails_on_the_cluster():
    primary = cluster(tags=NEEDS_DR)
    assert reported(data.CLUSTER_DR_COPY, [primary]) == [
        (
            (
                'Aurora cluster "prod-orders" has no copy in another region: no Global Database secondary and no AWS '
                "Backup copy to a vault there (required by its dr-copy=required tag)"
            ),
            primary.urn,
        )
    ]


def test_global_database_secondary_in_another_region_is_a_copy():
    primary = cluster(tags=NEEDS_DR)
    assert violations(data.CLUSTER_DR_COPY, [primary, *global_database(primary)], PRIMARY) == []


def test_global_database_secondary_in_the_same_region_is_not_a_copy():
    primary = cluster(tags=NEEDS_DR)
    assert len(violations(data.CLUSTER_DR_COPY, [primary, *global_database(primary, "us-east-1")], PRIMARY)) == 1


def test_backup_copy_to_a_vault_in_another_region_is_a_copy():
    primary = cluster(tags=NEEDS_DR)
    assert violations(data.CLUSTER_DR_COPY, [primary, *backup(primary)], PRIMARY) == []


def test_backup_copy_destination_found_through_the_vault_resource_when_the_arn_is_unknown():
    primary = cluster(tags=NEEDS_DR)
    dr_vault = policy_resource(VAULT, {"name": "prod-databases-dr"}, name="dr-vault", provider_region="us-west-2")
    stack = [primary, dr_vault, *backup(primary, copy_to=UNKNOWN_STRING_VALUE, vault=dr_vault)]
    assert violations(data.CLUSTER_DR_COPY, stack, PRIMARY) == []


def test_backup_plan_rules_unknown_in_preview_are_judged_by_the_vaults():
    primary = cluster(tags=NEEDS_DR)
    dr_vault = policy_resource(VAULT, {"name": "prod-databases-dr"}, name="dr-vault", provider_region="us-west-2")
    plan, selection = backup(primary, vault=dr_vault)
    plan.props["rules"] = UNKNOWN_STRING_VALUE
    assert violations(data.CLUSTER_DR_COPY, [primary, dr_vault, plan, selection], PRIMARY) == []


def test_backups_without_copy_actions_or_to_the_same_region_are_not_copies():
    primary = cluster(tags=NEEDS_DR)
    same_region = "arn:aws:backup:us-east-1:123456789012:backup-vault:prod-databases-2"
    assert len(violations(data.CLUSTER_DR_COPY, [primary, *backup(primary, copy_to=None)], PRIMARY)) == 1
    assert len(violations(data.CLUSTER_DR_COPY, [primary, *backup(primary, copy_to=same_region)], PRIMARY)) == 1


def test_dr_data_classes_config_adds_untagged_stores():
    primary = cluster()
    assert violations(data.CLUSTER_DR_COPY, [primary]) == []
    assert violations(data.CLUSTER_DR_COPY, [primary], {"drDataClasses": ["transactional"]}) == [
        (
            'Aurora cluster "prod-orders" has no copy in another region: no Global Database secondary and no AWS '
            'Backup copy to a vault there (required by data class "transactional" in drDataClasses)'
        )
    ]


def test_the_copy_itself_needs_no_copy():
    secondary = cluster("prod-orders-dr", tags={**NEEDS_DR, "dr-role": "secondary"})
    assert violations(data.CLUSTER_DR_COPY, [secondary]) == []


# --- CD-RES-010 bucket copy in another region -----------------------------------------------------


def archive(**props):
    return policy_resource(BUCKET, {"tags": NEEDS_DR, **props}, name="prod-payload-archive")


def replication(source, replica, *, status="Enabled"):
    return policy_resource(
        REPLICATION,
        {
            "bucket": UNKNOWN_STRING_VALUE,
            "rules": [{"id": "all", "status": status, "destination": {"bucket": UNKNOWN_STRING_VALUE}}],
        },
        name="archive-replication",
        property_dependencies={"bucket": [source], "rules": [replica]},
    )


def test_bucket_replicated_to_another_region_passes():
    source = archive()
    replica = policy_resource(
        BUCKET, {"tags": {**PROD, "dr-role": "replica"}}, name="replica", provider_region="us-west-2"
    )
    assert violations(data.BUCKET_DR_COPY, [source, replica, replication(source, replica)], PRIMARY) == []


def test_bucket_without_replication_fails():
    source = archive()
    assert reported(data.BUCKET_DR_COPY, [source]) == [
        (
            (
                'bucket "prod-payload-archive" has no copy in another region: no enabled replication rule to a bucket '
                "there (required by its dr-copy=required tag)"
            ),
            source.urn,
        )
    ]


def test_disabled_or_same_region_replication_is_not_a_copy():
    source = archive()
    far = policy_resource(BUCKET, {}, name="far", provider_region="us-west-2")
    near = policy_resource(BUCKET, {}, name="near", provider_region="us-east-1")
    assert (
        len(violations(data.BUCKET_DR_COPY, [source, far, replication(source, far, status="Disabled")], PRIMARY)) == 1
    )
    assert len(violations(data.BUCKET_DR_COPY, [source, near, replication(source, near)], PRIMARY)) == 1


def test_replication_rules_unknown_in_preview_are_judged_by_the_destination_bucket():
    source = archive()
    replica = policy_resource(BUCKET, {}, name="replica", provider_region="us-west-2")
    config = replication(source, replica)
    config.props["rules"] = UNKNOWN_STRING_VALUE
    assert violations(data.BUCKET_DR_COPY, [source, replica, config], PRIMARY) == []


def test_inline_replication_found_by_destination_arn():
    source = archive(
        replicationConfiguration={
            "role": "arn:aws:iam::123456789012:role/replication",
            "rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::prod-archive-replica"}}],
        }
    )
    replica = policy_resource(BUCKET, {"bucket": "prod-archive-replica"}, name="replica", provider_region="eu-west-1")
    assert violations(data.BUCKET_DR_COPY, [source, replica], PRIMARY) == []


# --- CD-RES-011 DynamoDB copy in another region ---------------------------------------------------


def table(**props):
    return policy_resource(TABLE, {"name": "prod-tenants", "tags": NEEDS_DR, **props}, name="tenants")


def test_table_with_a_replica_in_another_region_passes():
    assert violations(data.TABLE_DR_COPY, [table(replicas=[{"regionName": "us-west-2"}])], PRIMARY) == []


def test_table_without_replicas_fails():
    assert violations(data.TABLE_DR_COPY, [table()], PRIMARY) == [
        (
            'DynamoDB table "prod-tenants" has no copy in another region: no replica there '
            "(required by its dr-copy=required tag)"
        )
    ]
    assert len(violations(data.TABLE_DR_COPY, [table(replicas=[{"regionName": "us-east-1"}])], PRIMARY)) == 1


def test_table_replica_resource_counts():
    source = table()
    replica = policy_resource(
        "aws:dynamodb/tableReplica:TableReplica",
        {"globalTableArn": UNKNOWN_STRING_VALUE},
        name="tenants-dr",
        provider_region="us-west-2",
        property_dependencies={"globalTableArn": [source]},
    )
    assert violations(data.TABLE_DR_COPY, [source, replica], PRIMARY) == []


def test_rule_metadata():
    ids = [rule.id for rule in data.RULES]
    assert ids == [f"CD-RES-{n:03d}" for n in range(1, 12)]
    assert all(rule.category.value == "resilience" for rule in data.RULES)
    assert {rule.id: rule.checkov_id for rule in data.RULES if rule.checkov_id} == {
        "CD-RES-002": "CKV_AWS_157",
        "CD-RES-003": "CKV_AWS_133",
        "CD-RES-004": "CKV_AWS_139",
        "CD-RES-005": "CKV_AWS_293",
        "CD-RES-008": "CKV_AWS_150",
        "CD-RES-010": "CKV_AWS_144",
    }
