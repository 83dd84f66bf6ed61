"""DataTier and AuroraDatabase: the exact children, their wiring, protection and tags, from a recorded graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.data_tier import DataTier, DataTierArgs
from crossdock.config import load_stack_file
from crossdock.config.schema import Tier
from crossdock.engine import run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
# Development variant of prod: two zones, no DR, a single-instance orders database.
DEV = PROD.model_copy(
    update={
        "environment": PROD.environment.model_copy(update={"name": "dev", "tier": Tier.DEVELOPMENT, "az_count": 2}),
        "dr": None,
        "databases": (PROD.databases[0].model_copy(update={"readers": 0}),),
    }
)

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
DATA_SUBNETS = ["subnet-0data0", "subnet-0data1", "subnet-0data2"]
PRIVATE_CIDRS = ["10.10.80.0/20", "10.10.96.0/20", "10.10.112.0/20"]
KEYS = {dc.name: f"arn:aws:kms:us-east-1:111122223333:key/mrk-{dc.name}" for dc in PROD.data_classes}
DR_KEYS = {dc.name: f"arn:aws:kms:us-west-2:111122223333:key/mrk-{dc.name}" for dc in PROD.data_classes}

STACK = "pulumi:pulumi:Stack"
TIER = "crossdock:data:DataTier"
DATABASE = "crossdock:data:AuroraDatabase"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def _record(config, zones=ZONES):
    def build() -> None:
        DataTier(
            f"{config.environment.name}-data",
            DataTierArgs(
                config=config,
                vpc_id="vpc-0123456789abcdef0",
                data_subnet_ids=DATA_SUBNETS[: len(zones)],
                client_cidr_blocks=PRIVATE_CIDRS[: len(zones)],
                key_arns=KEYS,
                availability_zones=zones,
                dr_key_arns=DR_KEYS if config.dr else {},
            ),
        )

    plan = run_callable(build, config={"aws:region": config.environment.region})
    return {(r.type, r.name): r for r in plan.resources}


def _tags(environment, **extra) -> dict[str, str]:
    return {
        "environment": environment.name,
        "tier": environment.tier.value,
        "owner": environment.owner,
        "cost-center": environment.cost_center,
        "managed-by": "crossdock",
        **extra,
    }


def _children(records, key):
    urn = records[key].urn
    return {k for k, r in records.items() if r.parent == urn}


@pytest.fixture(scope="module")
def prod():
    return _record(PROD)


@pytest.fixture(scope="module")
def dev():
    return _record(DEV, zones=ZONES[:2])


def test_data_tier_has_one_subnet_group_security_group_parameter_group_and_a_database_each(prod):
    assert _children(prod, (TIER, "prod-data")) == {
        (SUBNET_GROUP, "prod-data-subnets"),
        (SECURITY_GROUP, "prod-data-sg"),
        (PARAMETER_GROUP, "prod-data-aurora-postgresql16"),
        ("aws:iam/role:Role", "prod-data-monitoring-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-data-monitoring-policy"),
        (DATABASE, "prod-data-orders"),
        (DATABASE, "prod-data-reporting"),
    }


def test_enhanced_monitoring_role_is_assumable_only_by_rds_monitoring(prod):
    role = prod[("aws:iam/role:Role", "prod-data-monitoring-role")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    attachment = prod[("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-data-monitoring-policy")]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


def test_each_database_has_exactly_a_cluster_its_instances_and_a_connection_secret(prod):
    assert _children(prod, (DATABASE, "prod-data-orders")) == {
        (CLUSTER, "prod-data-orders-cluster"),
        (INSTANCE, "prod-data-orders-instance-1"),
        (INSTANCE, "prod-data-orders-instance-2"),
        (INSTANCE, "prod-data-orders-instance-3"),
        (SECRET, "prod-data-orders-connection"),
        (SECRET_VERSION, "prod-data-orders-connection-value"),
    }
    assert _children(prod, (DATABASE, "prod-data-reporting")) == {
        (CLUSTER, "prod-data-reporting-cluster"),
        (INSTANCE, "prod-data-reporting-instance-1"),
        (INSTANCE, "prod-data-reporting-instance-2"),
        (SECRET, "prod-data-reporting-connection"),
        (SECRET_VERSION, "prod-data-reporting-connection-value"),
    }
    # Nothing else was registered: the tier, its seven children and the databases' children.
    assert len([key for key in prod if key[0] != STACK]) == 1 + 7 + 6 + 5


def test_subnet_group_spans_exactly_the_data_subnets(prod):
    group = prod[(SUBNET_GROUP, "prod-data-subnets")]
    assert group.inputs["name"] == "prod-data"
    assert group.inputs["subnetIds"] == DATA_SUBNETS
    assert group.inputs["tags"] == _tags(PROD.environment, Name="prod-data")


def test_security_group_admits_postgres_only_from_the_private_subnets_and_talks_only_inside_the_vpc(prod):
    group = prod[(SECURITY_GROUP, "prod-data-sg")].inputs
    assert group["vpcId"] == "vpc-0123456789abcdef0"
    assert [(r["protocol"], r["fromPort"], r["toPort"], r["cidrBlocks"]) for r in group["ingress"]] == [
        ("tcp", 5432.0, 5432.0, PRIVATE_CIDRS)
    ]
    assert [(r["protocol"], r["cidrBlocks"]) for r in group["egress"]] == [("-1", ["10.10.0.0/16"])]
    assert "0.0.0.0/0" not in json.dumps(group)
    assert group["tags"] == _tags(PROD.environment, Name="prod-data")


def test_parameter_group_family_follows_the_engine_major_version_and_logs_queries(prod):
    group = prod[(PARAMETER_GROUP, "prod-data-aurora-postgresql16")].inputs
    assert group["family"] == "aurora-postgresql16"
    assert {p["name"]: p["value"] for p in group["parameters"]} == {
        "log_min_duration_statement": "1000",
        "log_statement": "ddl",
        "log_lock_waits": "1",
        "rds.force_ssl": "1",
    }


def test_prod_orders_cluster_is_encrypted_protected_and_retains_35_days(prod):
    record = prod[(CLUSTER, "prod-data-orders-cluster")]
    cluster = record.inputs
    assert record.protect is True
    assert "globalClusterIdentifier" in record.ignore_changes
    assert record.region == "us-east-1"
    assert cluster["clusterIdentifier"] == "prod-orders"
    assert (cluster["engine"], cluster["engineVersion"]) == ("aurora-postgresql", "16.4")
    assert cluster["storageEncrypted"] is True
    assert cluster["kmsKeyId"] == KEYS["transactional"]
    assert cluster["backupRetentionPeriod"] == 35.0
    assert cluster["preferredBackupWindow"] == "03:00-04:00"
    assert cluster["deletionProtection"] is True
    assert cluster["skipFinalSnapshot"] is False
    assert cluster["finalSnapshotIdentifier"] == "prod-orders-final"
    assert cluster["iamDatabaseAuthenticationEnabled"] is True
    assert cluster["manageMasterUserPassword"] is True
    assert cluster["masterUserSecretKmsKeyId"] == KEYS["transactional"]
    assert "masterPassword" not in cluster
    assert cluster["copyTagsToSnapshot"] is True
    assert cluster["enabledCloudwatchLogsExports"] == ["postgresql"]
    assert cluster["databaseName"] == "orders"
    assert cluster["tags"] == _tags(
        PROD.environment,
        **{
            "data-class": "transactional",
            "dr-copy": "required",
            "database": "orders",
            "Name": "prod-orders",
            # Its owner and every business process that depends on it (the operating model).
            "team": "platform",
            "business-process": "customer-visibility inventory-reservation invoicing order-release receiving "
            "shipment-creation",
            "process-criticality": "real-time-fulfillment",
        },
    )


def test_cluster_is_wired_to_the_tiers_subnet_group_security_group_and_parameter_group(prod):
    cluster = prod[(CLUSTER, "prod-data-orders-cluster")]
    subnet_group = prod[(SUBNET_GROUP, "prod-data-subnets")]
    security_group = prod[(SECURITY_GROUP, "prod-data-sg")]
    parameter_group = prod[(PARAMETER_GROUP, "prod-data-aurora-postgresql16")]
    assert cluster.inputs["dbSubnetGroupName"] == subnet_group.outputs["name"]
    assert cluster.inputs["vpcSecurityGroupIds"] == [security_group.id]
    assert cluster.inputs["dbClusterParameterGroupName"] == parameter_group.outputs["name"]
    assert {subnet_group.urn, security_group.urn, parameter_group.urn} <= set(cluster.dependencies)


def test_prod_orders_runs_a_writer_and_two_readers_in_three_different_zones(prod):
    cluster = prod[(CLUSTER, "prod-data-orders-cluster")]
    instances = [prod[(INSTANCE, f"prod-data-orders-instance-{n}")] for n in (1, 2, 3)]
    assert [i.inputs["identifier"] for i in instances] == ["prod-orders-1", "prod-orders-2", "prod-orders-3"]
    assert [i.inputs["availabilityZone"] for i in instances] == ZONES
    assert [i.inputs["promotionTier"] for i in instances] == [0.0, 1.0, 2.0]
    for instance in instances:
        inputs = instance.inputs
        assert inputs["clusterIdentifier"] == cluster.id
        assert cluster.urn in instance.dependencies
        assert inputs["instanceClass"] == "db.r6g.large"
        assert (inputs["engine"], inputs["engineVersion"]) == ("aurora-postgresql", "16.4")
        assert inputs["performanceInsightsEnabled"] is True
        assert inputs["performanceInsightsKmsKeyId"] == KEYS["transactional"]
        assert inputs["autoMinorVersionUpgrade"] is True
        assert inputs["publiclyAccessible"] is False
        assert inputs["monitoringInterval"] == 60.0
        assert inputs["monitoringRoleArn"] == prod[("aws:iam/role:Role", "prod-data-monitoring-role")].outputs["arn"]
        assert inputs["tags"]["data-class"] == "transactional"
    # Readers are created after the writer, so the tier-0 instance becomes the writer.
    assert instances[0].urn in instances[1].dependencies
    assert instances[0].urn in instances[2].dependencies


def test_reporting_uses_the_analytics_key_and_retention(prod):
    cluster = prod[(CLUSTER, "prod-data-reporting-cluster")].inputs
    assert cluster["clusterIdentifier"] == "prod-reporting"
    assert cluster["kmsKeyId"] == KEYS["analytics"]
    assert cluster["backupRetentionPeriod"] == 7.0
    assert cluster["tags"]["data-class"] == "analytics"
    readers = [prod[(INSTANCE, f"prod-data-reporting-instance-{n}")].inputs for n in (1, 2)]
    assert [r["availabilityZone"] for r in readers] == ZONES[:2]
    assert {r["performanceInsightsKmsKeyId"] for r in readers} == {KEYS["analytics"]}


def test_connection_secret_is_encrypted_with_the_class_key_and_replicated_to_the_dr_region(prod):
    secret = prod[(SECRET, "prod-data-orders-connection")].inputs
    assert secret["name"] == "prod/orders/connection"
    assert secret["kmsKeyId"] == KEYS["transactional"]
    assert secret["replicas"] == [{"region": "us-west-2", "kmsKeyId": DR_KEYS["transactional"]}]
    assert secret["recoveryWindowInDays"] == 30.0
    reporting = prod[(SECRET, "prod-data-reporting-connection")].inputs
    assert reporting["replicas"] == [{"region": "us-west-2", "kmsKeyId": DR_KEYS["analytics"]}]


def test_connection_secret_holds_where_and_as_whom_to_connect_and_no_password(prod):
    record = prod[(SECRET_VERSION, "prod-data-orders-connection-value")]
    assert record.inputs["secretId"] == prod[(SECRET, "prod-data-orders-connection")].id
    value = json.loads(record.inputs["secretString"])
    assert {k: value[k] for k in ("port", "dbname", "username", "authentication")} == {
        "port": 5432,
        "dbname": "orders",
        "username": "orders_app",
        "authentication": "iam",
    }
    assert set(value) == {"engine", "authentication", "host", "readerHost", "port", "dbname", "username"}
    assert not any("password" in key.lower() for key in value)


def test_dev_runs_one_unprotected_instance_and_skips_the_final_snapshot(dev):
    assert _children(dev, (TIER, "dev-data")) == {
        (SUBNET_GROUP, "dev-data-subnets"),
        (SECURITY_GROUP, "dev-data-sg"),
        (PARAMETER_GROUP, "dev-data-aurora-postgresql16"),
        ("aws:iam/role:Role", "dev-data-monitoring-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dev-data-monitoring-policy"),
        (DATABASE, "dev-data-orders"),
    }
    record = dev[(CLUSTER, "dev-data-orders-cluster")]
    assert record.protect is False
    assert record.inputs["clusterIdentifier"] == "dev-orders"
    assert record.inputs["deletionProtection"] is False
    assert record.inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in record.inputs
    instances = [r for (t, _), r in dev.items() if t == INSTANCE]
    assert [(i.name, i.inputs["availabilityZone"], i.protect) for i in instances] == [
        ("dev-data-orders-instance-1", "us-east-1a", False)
    ]
    secret = dev[(SECRET, "dev-data-orders-connection")].inputs
    assert "replicas" not in secret or not secret["replicas"]
    assert secret["recoveryWindowInDays"] == 0.0
    assert record.inputs["tags"]["tier"] == "development"


def test_a_database_without_a_key_for_its_data_class_is_rejected():
    def build() -> None:
        DataTier(
            "prod-data",
            DataTierArgs(
                config=PROD,
                vpc_id="vpc-1",
                data_subnet_ids=DATA_SUBNETS,
                client_cidr_blocks=PRIVATE_CIDRS,
                key_arns={"transactional": KEYS["transactional"]},
                availability_zones=ZONES,
                dr_key_arns=DR_KEYS,
            ),
        )

    with pytest.raises(Exception, match="database 'reporting': no KMS key for data class 'analytics'"):
        run_callable(build, config={"aws:region": "us-east-1"})
