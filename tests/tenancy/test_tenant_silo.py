"""TenantSilo: its exact children, tags, keys, roles and namespace from a recorded graph (literal environment outputs)."""

from __future__ import annotations

import json

import pytest

from components.tenant_silo import EnvironmentOutputs, TenantSilo, TenantSiloArgs
from crossdock.config import load_stack_file
from crossdock.config.schema import Isolation, Risk, Severity, Tenant, TenantQuotas
from crossdock.config.tenancy import TenantStackConfig, TenantStackSpec, derive_silo_config
from crossdock.config.tenant_stack import load_tenant_stack_file
from crossdock.engine import run_callable

from .support import ACME_FILE, STACKS

ACME = load_tenant_stack_file(ACME_FILE)
COMPONENT = "crossdock:tenant:TenantSilo"
TOPICS = {s: f"arn:aws:sns:us-east-1:111122223333:prod-alerts-{s.value}" for s in Severity}
SUBNETS = ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]


def outputs(**overrides) -> EnvironmentOutputs:
    values = {
        "vpc_id": "vpc-0123",
        "data_subnet_ids": SUBNETS,
        "availability_zones": ["us-east-1a", "us-east-1b", "us-east-1c"],
        "alert_topic_arns": TOPICS,
        "dr_alert_topic_arn": "arn:aws:sns:us-west-2:111122223333:prod-alerts-critical-dr",
        "dr_strategy": "pilot-light",
        "kubeconfig": '{"apiVersion": "v1"}',
        "oidc_provider_arn": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
    }
    values.update(overrides)
    return EnvironmentOutputs(**values)


def build(config: TenantStackConfig = ACME, environment: EnvironmentOutputs | None = None, region: str = "us-east-1"):
    return run_callable(
        lambda: TenantSilo(config.name, TenantSiloArgs(config=config, environment=environment or outputs())),
        config={"aws:region": region},
    )


@pytest.fixture(scope="module")
def acme():
    return build()


def direct_children(plan):
    component = plan.by_type(COMPONENT)[0]
    return sorted((r.type, r.name) for r in plan.children(component.urn))


def test_exact_direct_children(acme) -> None:
    name = "prod-tenant-acme"
    keys = [f"{name}-{k}-key" for k in ("transactional", "integration-payloads", "analytics", "operations")]
    assert direct_children(acme) == sorted(
        [
            ("pulumi:providers:aws", f"{name}-dr-us-west-2"),
            *[("aws:kms/key:Key", key) for key in keys],
            *[("aws:kms/alias:Alias", f"{key}-alias") for key in keys],
            *[("aws:kms/replicaKey:ReplicaKey", f"{key}-dr") for key in keys],
            ("crossdock:storage:SecureBucket", f"{name}-payload-archive"),
            ("crossdock:data:DataTier", f"{name}-data"),
            *[
                ("crossdock:messaging:IntegrationQueue", f"{name}-{q}")
                for q in ("shipment-confirmations", "billing-triggers", "edi-inbound")
            ],
            ("crossdock:dr:DisasterRecovery", f"{name}-dr"),
            ("crossdock:resilience:ResilienceObjectives", f"{name}-objectives"),
            ("aws:iam/role:Role", f"{name}-app"),
            ("aws:iam/rolePolicy:RolePolicy", f"{name}-app-policy"),
            ("pulumi:providers:kubernetes", f"{name}-k8s"),
            ("kubernetes:core/v1:Namespace", f"{name}-namespace"),
            ("kubernetes:core/v1:ResourceQuota", f"{name}-quota"),
            ("kubernetes:core/v1:LimitRange", f"{name}-limits"),
            ("kubernetes:networking.k8s.io/v1:NetworkPolicy", f"{name}-default-deny"),
            ("kubernetes:networking.k8s.io/v1:NetworkPolicy", f"{name}-allow-dns"),
            ("kubernetes:core/v1:ServiceAccount", f"{name}-service-account"),
            ("crossdock:observability:Observability", f"{name}-observability"),
            ("aws:cloudwatch/metricAlarm:MetricAlarm", f"{name}-queue-throughput"),
        ]
    )


def test_the_transform_tags_every_reused_child(acme) -> None:
    queue = acme.by_name("prod-tenant-acme-edi-inbound-dlq", "aws:sqs/queue:Queue")
    assert queue.inputs["tags"] == {
        "environment": "prod",
        "tier": "production",
        "owner": "platform-team",
        "cost-center": "logistics-platform",
        "managed-by": "crossdock",
        "data-class": "integration-payloads",
        "criticality": "near-real-time-integration",
        "flow": "edi-inbound",
        "queue-role": "dead-letter",
        "tenant": "acme",
        "isolation": "silo",
        "dr-strategy": "pilot-light",
    }
    cluster = acme.by_name("prod-tenant-acme-data-orders-cluster")
    assert cluster.inputs["clusterIdentifier"] == "prod-tenant-acme-orders"
    assert {"tenant": "acme", "dr-copy": "required", "data-class": "transactional"}.items() <= cluster.inputs[
        "tags"
    ].items()
    assert "tags" not in acme.by_name("prod-tenant-acme-transactional-key-alias").inputs  # takes no tags


def test_keys_are_the_tenants_own_and_encrypt_its_stores(acme) -> None:
    key = acme.by_name("prod-tenant-acme-transactional-key")
    assert key.inputs["multiRegion"] is True and key.inputs["enableKeyRotation"] is True
    assert key.inputs["tags"]["tenant"] == "acme"
    cluster = acme.by_name("prod-tenant-acme-data-orders-cluster")
    assert cluster.property_dependencies["kmsKeyId"] == [key.urn]
    archive_sse = acme.by_name("prod-tenant-acme-payload-archive-encryption")
    assert acme.by_name("prod-tenant-acme-integration-payloads-key").urn in archive_sse.property_dependencies["rules"]


def test_the_data_tier_sits_in_the_environments_subnets(acme) -> None:
    group = acme.by_name("prod-tenant-acme-data-subnets")
    assert group.inputs["subnetIds"] == SUBNETS and group.inputs["name"] == "prod-tenant-acme-data"
    assert acme.by_name("prod-tenant-acme-data-sg").inputs["vpcId"] == "vpc-0123"


def test_dr_copy_follows_the_environments_strategy(acme) -> None:
    secondary = acme.by_name("prod-tenant-acme-dr-orders-secondary", "aws:rds/cluster:Cluster")
    assert secondary.region == "us-west-2"
    vpc = acme.by_name("prod-tenant-acme-dr-vpc", "aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.12.0.0/20"  # the tenant's own block, not prod's DR VPC
    assert acme.by_name("prod-tenant-acme-dr-reporting-secondary") is None  # analytics: backup copies only
    assert acme.by_name("prod-tenant-acme-dr-archive-replication") is not None


def test_the_app_role_names_only_the_tenants_resources(acme) -> None:
    policy = json.loads(acme.by_name("prod-tenant-acme-app-policy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert list(statements) == [
        "OwnFlows",
        "OwnPayloadArchive",
        "ListOwnPayloadArchive",
        "OwnConnectionSecrets",
        "OwnDatabaseUsers",
        "OwnKeys",
    ]
    assert all("prod-tenant-acme-" in arn for arn in statements["OwnFlows"]["Resource"])
    assert len(statements["OwnFlows"]["Resource"]) == 3
    users = statements["OwnDatabaseUsers"]["Resource"]
    assert [u.rsplit("/", 1)[1] for u in users] == ["orders_app", "reporting_app"]
    assert all(u.startswith("arn:aws:rds-db:us-east-1:") for u in users)
    trust = json.loads(acme.by_name("prod-tenant-acme-app", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {
        "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:tenant-acme:tenant-app",
        "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
    }


def test_the_namespace_is_fenced_and_budgeted(acme) -> None:
    quota = acme.by_name("prod-tenant-acme-quota").inputs
    assert quota["metadata"]["namespace"] == "tenant-acme"
    assert quota["spec"]["hard"] == {
        "requests.cpu": "8",
        "limits.cpu": "8",
        "requests.memory": "16Gi",
        "limits.memory": "16Gi",
        "pods": "40",
    }
    limits = acme.by_name("prod-tenant-acme-limits").inputs["spec"]["limits"]
    assert limits == [
        {
            "type": "Container",
            "default": {"cpu": "250m", "memory": "512Mi"},
            "defaultRequest": {"cpu": "250m", "memory": "512Mi"},
            "max": {"cpu": "2", "memory": "4Gi"},
        }
    ]
    deny = acme.by_name("prod-tenant-acme-default-deny").inputs["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    labels = acme.by_name("prod-tenant-acme-namespace").inputs["metadata"]["labels"]
    assert labels["crossdock.io/tenant"] == "acme" and labels["pod-security.kubernetes.io/enforce"] == "restricted"
    account = acme.by_name("prod-tenant-acme-service-account").inputs["metadata"]
    assert account["name"] == "tenant-app" and account["annotations"]["eks.amazonaws.com/role-arn"].endswith(
        ":role/prod-tenant-acme-app"
    )


def test_kpi_alarms_use_the_tenant_dimension(acme) -> None:
    alarm = acme.by_name("prod-tenant-acme-delayed-asn-imports")
    assert alarm.inputs["dimensions"] == {"Environment": "prod", "Tenant": "acme"}
    dashboard = json.loads(acme.by_name("prod-tenant-acme-operations").inputs["dashboardBody"])
    metrics = [w["properties"]["metrics"][0] for w in dashboard["widgets"] if w["type"] == "metric"]
    assert [
        "Crossdock/Business",
        "DelayedAsnImports",
        "Environment",
        "prod",
        "Tenant",
        "acme",
        {"stat": "Sum"},
    ] in metrics


def test_without_a_cluster_the_default_kubernetes_provider() -> None:
    plan = build(environment=outputs(kubeconfig=None, oidc_provider_arn=None))
    assert plan.by_type("pulumi:providers:kubernetes") == []
    assert plan.by_name("prod-tenant-acme-namespace").provider == ""
    trust = json.loads(plan.by_name("prod-tenant-acme-app", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalTag/tenant": "acme"}}


def test_a_silo_of_an_environment_without_dr_has_no_dr_children() -> None:
    dev = load_stack_file(STACKS / "Pulumi.dev.yaml")
    tenant = Tenant(
        id="initech",
        display_name="Initech",
        isolation=Isolation.SILO,
        risk=Risk.HIGH,
        flows=("label-requests",),
        quotas=TenantQuotas(requests_per_five_minutes=100, queue_messages_per_second=5),
    )
    environment = dev.model_copy(update={"tenants": (tenant,)})
    spec = TenantStackSpec(id="initech", environment_stack="dev", databases=dev.databases)
    config = TenantStackConfig(
        stack="dev-tenant-initech",
        spec=spec,
        environment_stack="dev",
        environment=environment,
        tenant=tenant,
        silo=derive_silo_config(environment, tenant, spec, "dev-tenant-initech"),
    )
    plan = build(config, outputs(dr_alert_topic_arn=None, dr_strategy="none", data_subnet_ids=SUBNETS[:2]))
    types = {r.type for r in plan.resources}
    assert "crossdock:dr:DisasterRecovery" not in types and "aws:kms/replicaKey:ReplicaKey" not in types
    assert plan.by_type("pulumi:providers:aws") == []
    queue = plan.by_name("dev-tenant-initech-label-requests", "aws:sqs/queue:Queue")
    assert queue.inputs["tags"]["dr-strategy"] == "none" and queue.protect is False
    silo = plan.by_type(COMPONENT)[0]
    assert silo.inputs["environmentTier"] == "development" and silo.inputs["drStrategy"] == "none"
