"""The composition root through the real program: what each stack builds, where, and exports."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from crossdock.engine import run_program
from crossdock.errors import ProgramError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prod():
    return run_program(ROOT, "prod")


@pytest.fixture(scope="module")
def dev():
    return run_program(ROOT, "dev")


def is_aws(resource):
    """Custom AWS resources (Kubernetes objects of the transaction tier have no AWS region)."""
    return resource.custom and (resource.type.startswith("aws:") or resource.type == "pulumi:providers:aws")


def top_level(plan):
    environment = plan.by_type("crossdock:index:Environment")[0]
    return sorted((r.type, r.name) for r in plan.children(environment.urn))


def test_prod_composes_every_component_and_the_dr_provider(prod):
    assert top_level(prod) == sorted(
        [
            ("pulumi:providers:aws", "prod-dr-us-west-2"),
            ("crossdock:security:SecurityBaseline", "prod-security"),
            ("crossdock:network:Network", "prod-network"),
            ("crossdock:data:DataTier", "prod-data"),
            ("crossdock:storage:SecureBucket", "prod-payload-archive"),
            ("crossdock:storage:SecureBucket", "prod-lb-access-logs"),
            ("crossdock:dr:DisasterRecovery", "prod-dr"),
            ("crossdock:resilience:ResilienceObjectives", "prod-objectives"),
            ("crossdock:observability:Observability", "prod-observability"),
            ("crossdock:transaction:TransactionTier", "prod-transaction"),
            ("crossdock:tenant:TenantPool", "prod-tenancy"),  # prod registers tenants (docs/tenancy.md)
            ("crossdock:operations:TeamAlerting", "prod-team-alerting"),  # prod declares teams
        ]
        + [
            ("crossdock:messaging:IntegrationQueue", f"prod-{q}")
            for q in (
                "carrier-events",
                "asn-ingestion",
                "shipment-confirmations",
                "billing-triggers",
                "edi-inbound",
                "label-requests",
            )
        ]
    )


def test_prod_spans_both_regions(prod):
    regions = Counter(r.region for r in prod.resources if is_aws(r))
    assert set(regions) == {"us-east-1", "us-west-2"}
    secondary = prod.by_name("prod-dr-orders-secondary", "aws:rds/cluster:Cluster")
    assert secondary.region == "us-west-2"
    provider = prod.by_type("pulumi:providers:aws")[0]
    assert provider.inputs["region"] == "us-west-2"
    assert secondary.provider.startswith(provider.urn)


def test_prod_replicates_payload_archive_audit_bucket_and_access_logs(prod):
    replications = sorted(r.name for r in prod.by_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig"))
    # Load balancer access logs are audit data: they replicate with the audit bucket (SSE-S3, no source key).
    assert replications == [
        "prod-dr-access-logs-replication",
        "prod-dr-archive-replication",
        "prod-dr-audit-replication",
    ]
    access_logs = prod.by_name(
        "prod-dr-access-logs-replication", "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
    )
    assert "sourceSelectionCriteria" not in access_logs.inputs["rules"][0]
    audit_replica = prod.by_name("prod-dr-audit-replica", "aws:s3/bucket:Bucket")
    assert audit_replica.inputs["objectLockEnabled"] is True and audit_replica.region == "us-west-2"


def test_prod_exports_what_runbooks_need(prod):
    outputs = prod.outputs
    assert set(outputs) >= {"vpc_id", "databases", "queues", "alert_topic_arns", "dr", "dashboard"}
    assert set(outputs["queues"]) == {
        "carrier-events",
        "asn-ingestion",
        "shipment-confirmations",
        "billing-triggers",
        "edi-inbound",
        "label-requests",
    }
    assert outputs["queues"]["shipment-confirmations"]["url"].endswith("/prod-shipment-confirmations.fifo")
    assert outputs["databases"]["orders"]["endpoint"].startswith("prod-orders.cluster-")
    assert outputs["dr"]["region"] == "us-west-2"
    assert set(outputs["dr"]["replica_buckets"]) == {"archive", "audit", "access-logs"}


def test_dev_has_no_dr_and_no_second_region(dev):
    assert not dev.by_type("crossdock:dr:DisasterRecovery")
    assert {r.region for r in dev.resources if is_aws(r)} == {"us-east-1"}
    assert dev.outputs.get("dr") is None  # Pulumi drops None-valued exports


def test_sources_point_at_the_declaring_line(prod):
    vpc = prod.by_name("prod-network", "aws:ec2/vpc:Vpc")
    assert vpc.source_file == "components/network.py"
    line = (ROOT / vpc.source_file).read_text().splitlines()[vpc.source_line - 1]
    assert "aws.ec2.Vpc(" in line


def test_invalid_stack_file_is_one_line_naming_file_and_key(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "components").symlink_to(ROOT / "components")
    (tmp_path / "stacks").mkdir()
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    config["config"]["crossdock:environment"]["azCount"] = 2
    (tmp_path / "stacks" / "Pulumi.broken.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ProgramError) as caught:
        run_program(tmp_path, "broken")
    assert str(caught.value) == (
        "stacks/Pulumi.broken.yaml: crossdock:environment.azCount: production needs at least 3 availability zones, got 2"
    )


def test_both_vpcs_have_encrypted_flow_logs(prod):
    flow_logs = {r.name: r for r in prod.by_type("aws:ec2/flowLog:FlowLog")}
    assert {name: r.region for name, r in flow_logs.items()} == {
        "prod-network-flow-log": "us-east-1",
        "prod-dr-vpc-flow-log": "us-west-2",
    }
    dr_group = prod.by_name("prod-dr-vpc-flow-logs", "aws:cloudwatch/logGroup:LogGroup")
    dr_key = prod.by_name("prod-security-operations-key-dr", "aws:kms/replicaKey:ReplicaKey")
    assert dr_group.inputs["kmsKeyId"] == dr_key.outputs["arn"]
    assert dr_group.inputs["retentionInDays"] == 365.0


def test_load_balancer_access_logs_go_to_an_sse_s3_bucket_only_elb_log_delivery_writes(prod):
    import json

    bucket = prod.by_name("prod-lb-access-logs", "aws:s3/bucket:Bucket")
    assert bucket.protect is True
    encryption = prod.by_name(
        "prod-lb-access-logs-encryption",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    policy = json.loads(
        prod.by_name("prod-lb-access-logs-tls-only", "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"]
    )
    deny, delivery = policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert delivery["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    assert delivery["Resource"] == f"{bucket.outputs['arn']}/AWSLogs/123456789012/*"
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    ingresses = prod.by_type("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingresses
    for ingress in ingresses:
        attributes = ingress.inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/load-balancer-attributes"]
        assert f"access_logs.s3.bucket={bucket.outputs['bucket']}" in attributes
