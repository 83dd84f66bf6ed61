"""DisasterRecovery: global secondaries, the DR network, AWS Backup and archive replication, from a recorded graph."""

from __future__ import annotations

import json
from ipaddress import IPv4Network
from pathlib import Path

import pulumi_aws as aws
import pytest

from components.data_tier import DataTier, DataTierArgs
from components.disaster_recovery import DisasterRecovery, DisasterRecoveryArgs, ReplicatedBucket
from crossdock.config import load_stack_file
from crossdock.config.schema import DrStrategy
from crossdock.config.subnets import dr_vpc_cidr, plan_subnets
from crossdock.engine import run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
WARM = PROD.model_copy(update={"dr": PROD.dr.model_copy(update={"strategy": DrStrategy.WARM_STANDBY})})


def _backup_restore_variant():
    """prod with backup-restore DR: the transactional region RPO relaxed to what backup copies meet."""
    transactional = PROD.data_class("transactional")
    relaxed = transactional.model_copy(
        update={
            "objectives": transactional.objectives.model_copy(
                update={"region": transactional.objectives.region.model_copy(update={"rpo_minutes": 240.0})}
            )
        }
    )
    return PROD.model_copy(
        update={
            "dr": PROD.dr.model_copy(update={"strategy": DrStrategy.BACKUP_RESTORE}),
            "data_classes": tuple(relaxed if dc.name == "transactional" else dc for dc in PROD.data_classes),
        }
    )


BACKUP_RESTORE = _backup_restore_variant()

KEYS = {dc.name: f"arn:aws:kms:us-east-1:111122223333:key/mrk-{dc.name}" for dc in PROD.data_classes}
DR_KEYS = {dc.name: f"arn:aws:kms:us-west-2:111122223333:key/mrk-{dc.name}" for dc in PROD.data_classes}
ARCHIVE_NAME = "prod-payload-archive-5f3c2a1"
ARCHIVE_ARN = f"arn:aws:s3:::{ARCHIVE_NAME}"

DR = "crossdock:dr:DisasterRecovery"
SECURE_BUCKET = "crossdock:storage:SecureBucket"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
VPC = "aws:ec2/vpc:Vpc"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


class Graph:
    """The recorded resources by (type, name), plus the DR provider's URN."""

    def __init__(self, plan) -> None:
        self.records = {(r.type, r.name): r for r in plan.resources}
        self.provider_urn = self.records[("pulumi:providers:aws", "prod-dr-us-west-2")].urn

    def __getitem__(self, key):
        return self.records[key]

    def __contains__(self, key) -> bool:
        return key in self.records

    def children(self, key) -> set[tuple[str, str]]:
        urn = self.records[key].urn
        return {k for k, r in self.records.items() if r.parent == urn}

    def of_type(self, type_: str) -> list:
        return [r for (t, _), r in self.records.items() if t == type_]


def _record(config) -> Graph:
    def build() -> None:
        provider = aws.Provider("prod-dr-us-west-2", region=config.dr.region)
        data = DataTier(
            "prod-data",
            DataTierArgs(
                config=config,
                vpc_id="vpc-0123456789abcdef0",
                data_subnet_ids=["subnet-0data0", "subnet-0data1", "subnet-0data2"],
                client_cidr_blocks=["10.10.80.0/20", "10.10.96.0/20", "10.10.112.0/20"],
                key_arns=KEYS,
                availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"],
                dr_key_arns=DR_KEYS,
            ),
        )
        DisasterRecovery(
            "prod-dr",
            DisasterRecoveryArgs(
                config=config,
                dr_provider=provider,
                databases=data.databases,
                key_arns=KEYS,
                dr_key_arns=DR_KEYS,
                replicated_buckets={
                    "archive": ReplicatedBucket(name=ARCHIVE_NAME, arn=ARCHIVE_ARN, data_class="integration-payloads")
                },
            ),
        )

    return Graph(run_callable(build, config={"aws:region": config.environment.region}))


@pytest.fixture(scope="module")
def prod() -> Graph:
    return _record(PROD)


@pytest.fixture(scope="module")
def warm() -> Graph:
    return _record(WARM)


@pytest.fixture(scope="module")
def backup_restore() -> Graph:
    return _record(BACKUP_RESTORE)


def _in_dr_region(graph: Graph, record) -> bool:
    return record.region == "us-west-2" and record.provider.startswith(graph.provider_urn)


def test_pilot_light_builds_exactly_the_global_database_dr_network_backups_and_archive_replica(prod):
    assert prod.children((DR, "prod-dr")) == {
        (VPC, "prod-dr-vpc"),
        (DEFAULT_SG, "prod-dr-vpc-default-sg"),
        (SUBNET, "prod-dr-data-0"),
        (SUBNET, "prod-dr-data-1"),
        (SUBNET, "prod-dr-data-2"),
        (SUBNET_GROUP, "prod-dr-subnets"),
        (SECURITY_GROUP, "prod-dr-sg"),
        (PARAMETER_GROUP, "prod-dr-aurora-postgresql16"),
        (GLOBAL, "prod-dr-orders-global"),
        (CLUSTER, "prod-dr-orders-secondary"),
        (VAULT, "prod-dr-primary-vault"),
        (VAULT, "prod-dr-replica-vault"),
        (PLAN, "prod-dr-backup-plan"),
        (ROLE, "prod-dr-backup-role"),
        (ATTACHMENT, "prod-dr-backup-role-backup"),
        (ATTACHMENT, "prod-dr-backup-role-restore"),
        (SELECTION, "prod-dr-transactional-selection"),
        (SELECTION, "prod-dr-analytics-selection"),
        (SECURE_BUCKET, "prod-dr-archive-replica"),
        (ROLE, "prod-dr-archive-replication-role"),
        (ROLE_POLICY, "prod-dr-archive-replication-policy"),
        (REPLICATION, "prod-dr-archive-replication"),
    }


def test_orders_joins_a_global_database_created_from_the_primary(prod):
    record = prod[(GLOBAL, "prod-dr-orders-global")]
    primary = prod[(CLUSTER, "prod-data-orders-cluster")]
    assert record.region == "us-east-1"
    assert record.provider == ""
    assert record.protect is True
    assert record.inputs["globalClusterIdentifier"] == "prod-orders-global"
    assert record.inputs["sourceDbClusterIdentifier"] == primary.outputs["arn"]
    assert record.inputs["forceDestroy"] is True
    assert record.inputs["deletionProtection"] is True
    assert "engine" not in record.inputs  # conflicts with sourceDbClusterIdentifier
    assert record.inputs["tags"]["data-class"] == "transactional"


def test_reporting_has_no_region_objective_and_so_no_global_database_or_secondary(prod):
    names = {name for (type_, name) in prod.records if type_ in (GLOBAL, CLUSTER, INSTANCE)}
    assert not {name for name in names if name.startswith("prod-dr-reporting")}
    assert [r.inputs["clusterIdentifier"] for r in prod.of_type(CLUSTER)].count("prod-reporting-dr-secondary") == 0


def test_pilot_light_secondary_is_headless_encrypted_in_the_dr_region_and_protected(prod):
    record = prod[(CLUSTER, "prod-dr-orders-secondary")]
    secondary = record.inputs
    global_cluster = prod[(GLOBAL, "prod-dr-orders-global")]
    assert _in_dr_region(prod, record)
    assert record.protect is True
    assert "replicationSourceIdentifier" in record.ignore_changes
    assert secondary["clusterIdentifier"] == "prod-orders-dr-secondary"
    assert secondary["globalClusterIdentifier"] == global_cluster.id
    assert (secondary["engine"], secondary["engineVersion"]) == ("aurora-postgresql", "16.4")
    assert secondary["storageEncrypted"] is True
    assert secondary["kmsKeyId"] == DR_KEYS["transactional"]
    assert secondary["deletionProtection"] is True
    assert secondary["iamDatabaseAuthenticationEnabled"] is True
    assert secondary["backupRetentionPeriod"] == 35.0
    assert secondary["dbSubnetGroupName"] == prod[(SUBNET_GROUP, "prod-dr-subnets")].outputs["name"]
    assert secondary["vpcSecurityGroupIds"] == [prod[(SECURITY_GROUP, "prod-dr-sg")].id]
    assert (
        secondary["dbClusterParameterGroupName"]
        == prod[(PARAMETER_GROUP, "prod-dr-aurora-postgresql16")].outputs["name"]
    )
    assert "masterUsername" not in secondary
    # It waits for the global database and the primary's instances (a writer must exist).
    primary_instances = {prod[(INSTANCE, f"prod-data-orders-instance-{n}")].urn for n in (1, 2, 3)}
    assert {global_cluster.urn, *primary_instances} <= set(record.dependencies)
    # Headless: no instance anywhere runs in the secondary.
    assert [i for i in prod.of_type(INSTANCE) if i.inputs["clusterIdentifier"] == record.id] == []


def test_dr_network_is_the_next_16_with_data_subnets_in_three_dr_zones(prod):
    vpc = prod[(VPC, "prod-dr-vpc")]
    assert _in_dr_region(prod, vpc)
    assert vpc.inputs["cidrBlock"] == "10.11.0.0/16"
    expected = [str(cidr) for cidr in plan_subnets(IPv4Network("10.11.0.0/16"), 3)["data"]]
    subnets = [prod[(SUBNET, f"prod-dr-data-{n}")] for n in range(3)]
    assert [s.inputs["cidrBlock"] for s in subnets] == expected
    assert [s.inputs["availabilityZone"] for s in subnets] == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert all(_in_dr_region(prod, s) and s.inputs["vpcId"] == vpc.id for s in subnets)
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    group = prod[(SUBNET_GROUP, "prod-dr-subnets")]
    assert group.inputs["subnetIds"] == [s.id for s in subnets]
    assert _in_dr_region(prod, group)
    sg = prod[(SECURITY_GROUP, "prod-dr-sg")].inputs
    assert sg["vpcId"] == vpc.id
    assert [(r["protocol"], r["fromPort"], r["toPort"], r["cidrBlocks"]) for r in sg["ingress"]] == [
        ("tcp", 5432.0, 5432.0, ["10.11.0.0/16"])
    ]
    assert [r["cidrBlocks"] for r in sg["egress"]] == [["10.11.0.0/16"]]
    assert {p["name"] for p in prod[(PARAMETER_GROUP, "prod-dr-aurora-postgresql16")].inputs["parameters"]} >= {
        "rds.force_ssl",
        "log_min_duration_statement",
    }


def test_warm_standby_adds_one_instance_to_the_secondary_in_the_dr_region(warm):
    secondary = warm[(CLUSTER, "prod-dr-orders-secondary")]
    record = warm[(INSTANCE, "prod-dr-orders-secondary-instance-1")]
    assert _in_dr_region(warm, record)
    inputs = record.inputs
    assert inputs["identifier"] == "prod-orders-dr-1"
    assert inputs["clusterIdentifier"] == secondary.id
    assert inputs["instanceClass"] == "db.r6g.large"
    assert inputs["availabilityZone"] == "us-west-2a"
    assert inputs["performanceInsightsKmsKeyId"] == DR_KEYS["transactional"]
    assert inputs["promotionTier"] == 0.0
    dr_instances = [i for i in warm.of_type(INSTANCE) if i.region == "us-west-2"]
    assert [i.name for i in dr_instances] == ["prod-dr-orders-secondary-instance-1"]


def test_backup_restore_copies_backups_but_builds_no_global_database_or_dr_network(backup_restore):
    kinds = {type_ for type_, _ in backup_restore.children((DR, "prod-dr"))}
    assert kinds.isdisjoint({GLOBAL, CLUSTER, VPC, SUBNET, SUBNET_GROUP, SECURITY_GROUP, PARAMETER_GROUP})
    assert {VAULT, PLAN, SELECTION, SECURE_BUCKET, REPLICATION} <= kinds
    dr = backup_restore[(DR, "prod-dr")].outputs
    assert dr["secondary_cluster_identifiers"] == {}
    assert dr.get("dr_vpc_id") is None  # None outputs are not registered
    rules = {r["ruleName"]: r for r in backup_restore[(PLAN, "prod-dr-backup-plan")].inputs["rules"]}
    # Region RPO 240 min: a daily copy plus the 60 + 120 min job windows could not meet it; hourly (60 + 180) can.
    assert rules["transactional"]["schedule"] == "cron(0 * * * ? *)"
    assert (rules["transactional"]["startWindow"], rules["transactional"]["completionWindow"]) == (60.0, 120.0)


def test_vaults_are_encrypted_with_the_transactional_keys_one_per_region(prod):
    primary = prod[(VAULT, "prod-dr-primary-vault")]
    replica = prod[(VAULT, "prod-dr-replica-vault")]
    assert (primary.region, primary.provider) == ("us-east-1", "")
    assert primary.inputs["kmsKeyArn"] == KEYS["transactional"]
    assert _in_dr_region(prod, replica)
    assert replica.inputs["kmsKeyArn"] == DR_KEYS["transactional"]
    assert primary.protect is replica.protect is True
    assert primary.inputs["forceDestroy"] is False


def test_backup_plan_has_a_rule_per_database_class_that_copies_to_the_dr_vault(prod):
    plan = prod[(PLAN, "prod-dr-backup-plan")]
    dr_vault_arn = prod[(VAULT, "prod-dr-replica-vault")].outputs["arn"]
    primary_vault_name = prod[(VAULT, "prod-dr-primary-vault")].outputs["name"]
    rules = {r["ruleName"]: r for r in plan.inputs["rules"]}
    assert set(rules) == {"transactional", "analytics"}
    expected = {"transactional": ("cron(0 * * * ? *)", 35.0), "analytics": ("cron(0 5 * * ? *)", 7.0)}
    for name, (schedule, days) in expected.items():
        rule = rules[name]
        assert rule["schedule"] == schedule
        assert rule["targetVaultName"] == primary_vault_name
        assert rule["lifecycle"] == {"deleteAfter": days}
        assert rule["copyActions"] == [{"destinationVaultArn": dr_vault_arn, "lifecycle": {"deleteAfter": days}}]
    assert prod[(VAULT, "prod-dr-replica-vault")].urn in plan.dependencies


def test_backup_role_trusts_aws_backup_and_has_the_backup_and_restore_policies(prod):
    role = prod[(ROLE, "prod-dr-backup-role")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    attached = {prod[(ATTACHMENT, f"prod-dr-backup-role-{p}")].inputs["policyArn"] for p in ("backup", "restore")}
    assert attached == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    }
    assert {prod[(ATTACHMENT, f"prod-dr-backup-role-{p}")].inputs["role"] for p in ("backup", "restore")} == {
        role.outputs["name"]
    }


def test_each_selection_selects_exactly_its_data_classes_clusters(prod):
    plan_id = prod[(PLAN, "prod-dr-backup-plan")].id
    role_arn = prod[(ROLE, "prod-dr-backup-role")].outputs["arn"]
    for data_class, db in (("transactional", "orders"), ("analytics", "reporting")):
        selection = prod[(SELECTION, f"prod-dr-{data_class}-selection")].inputs
        assert selection["planId"] == plan_id
        assert selection["iamRoleArn"] == role_arn
        assert selection["resources"] == [prod[(CLUSTER, f"prod-data-{db}-cluster")].outputs["arn"]]


def test_archive_replica_is_a_secure_bucket_in_the_dr_region_with_the_dr_payload_key(prod):
    component = prod[(SECURE_BUCKET, "prod-dr-archive-replica")]
    assert component.parent == prod[(DR, "prod-dr")].urn
    bucket = prod[(BUCKET, "prod-dr-archive-replica")]
    assert _in_dr_region(prod, bucket)
    assert bucket.protect is True
    assert bucket.inputs["tags"]["data-class"] == "integration-payloads"
    encryption = prod[(ENCRYPTION, "prod-dr-archive-replica-encryption")]
    assert _in_dr_region(prod, encryption)
    default = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": DR_KEYS["integration-payloads"]}


def test_replication_config_copies_everything_and_delete_markers_to_the_replica_with_the_dr_key(prod):
    record = prod[(REPLICATION, "prod-dr-archive-replication")]
    replica_arn = prod[(BUCKET, "prod-dr-archive-replica")].outputs["arn"]
    assert (record.region, record.provider) == ("us-east-1", "")
    assert record.inputs["bucket"] == ARCHIVE_NAME
    assert record.inputs["role"] == prod[(ROLE, "prod-dr-archive-replication-role")].outputs["arn"]
    assert record.inputs["rules"] == [
        {
            "id": "archive-to-dr",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "deleteMarkerReplication": {"status": "Enabled"},
            "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
            "destination": {
                "bucket": replica_arn,
                "storageClass": "STANDARD",
                "encryptionConfiguration": {"replicaKmsKeyId": DR_KEYS["integration-payloads"]},
                # Replication Time Control bounds the region RPO at 15 minutes (docs/resilience-model.md).
                "replicationTime": {"status": "Enabled", "time": {"minutes": 15.0}},
                "metrics": {"status": "Enabled", "eventThreshold": {"minutes": 15.0}},
            },
        }
    ]
    # Applied only once the role may replicate and the replica is versioned.
    assert prod[(ROLE_POLICY, "prod-dr-archive-replication-policy")].urn in record.dependencies
    assert (
        prod[("aws:s3/bucketVersioning:BucketVersioning", "prod-dr-archive-replica-versioning")].urn
        in record.dependencies
    )


def test_replication_role_policy_names_exactly_the_two_buckets_and_the_two_keys(prod):
    role = prod[(ROLE, "prod-dr-archive-replication-role")]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    record = prod[(ROLE_POLICY, "prod-dr-archive-replication-policy")]
    assert record.inputs["role"] == role.id
    policy = json.loads(record.inputs["policy"])
    replica_arn = prod[(BUCKET, "prod-dr-archive-replica")].outputs["arn"]
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert policy["Version"] == "2012-10-17"
    assert {sid: s["Resource"] for sid, s in by_sid.items()} == {
        "ReadSourceReplicationConfiguration": [ARCHIVE_ARN],
        "ReadSourceObjectVersions": [f"{ARCHIVE_ARN}/*"],
        "WriteReplicas": [f"{replica_arn}/*"],
        "DecryptSourceObjects": [KEYS["integration-payloads"]],
        "EncryptReplicas": [DR_KEYS["integration-payloads"]],
    }
    assert all(s["Effect"] == "Allow" and "*" not in s["Resource"] for s in policy["Statement"])
    assert all(not action.endswith("*") for s in policy["Statement"] for action in s["Action"])
    assert by_sid["DecryptSourceObjects"]["Condition"]["StringEquals"] == {
        "kms:ViaService": "s3.us-east-1.amazonaws.com"
    }
    assert by_sid["EncryptReplicas"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}


def test_component_registers_its_public_outputs(prod):
    outputs = prod[(DR, "prod-dr")].outputs
    assert outputs["secondary_cluster_identifiers"] == {"orders": "prod-orders-dr-secondary"}
    assert outputs["backup_plan_id"] == prod[(PLAN, "prod-dr-backup-plan")].id
    assert outputs["dr_vault_arn"] == prod[(VAULT, "prod-dr-replica-vault")].outputs["arn"]
    assert outputs["primary_vault_name"] == "prod-databases"
    assert outputs["archive_replica_arn"] == prod[(BUCKET, "prod-dr-archive-replica")].outputs["arn"]
    assert set(outputs) >= {"global_cluster_identifiers", "dr_endpoints", "dr_vpc_id", "archive_replica_bucket_name"}


@pytest.mark.parametrize(
    ("primary", "dr"),
    [
        ("10.10.0.0/16", "10.11.0.0/16"),
        ("10.30.0.0/20", "10.30.16.0/20"),
        ("10.255.0.0/16", "10.254.0.0/16"),  # the next block would leave 10.0.0.0/8
        ("172.31.0.0/16", "172.30.0.0/16"),  # ... or 172.16.0.0/12
    ],
)
def test_dr_vpc_cidr_is_the_adjacent_block_inside_the_same_private_range(primary, dr):
    assert dr_vpc_cidr(IPv4Network(primary)) == IPv4Network(dr)


def test_a_stack_without_a_dr_section_is_rejected():
    no_dr = PROD.model_copy(update={"dr": None})

    def build() -> None:
        DisasterRecovery(
            "prod-dr",
            DisasterRecoveryArgs(
                config=no_dr,
                dr_provider=aws.Provider("prod-dr-us-west-2", region="us-west-2"),
                databases={},
                key_arns=KEYS,
                dr_key_arns=DR_KEYS,
                replicated_buckets={
                    "archive": ReplicatedBucket(name=ARCHIVE_NAME, arn=ARCHIVE_ARN, data_class="integration-payloads")
                },
            ),
        )

    with pytest.raises(Exception, match="DisasterRecovery needs a stack with a dr section"):
        run_callable(build, config={"aws:region": "us-east-1"})
