"""TransactionCluster and TierNamespace: exact children and the settings that keep critical paths apart."""

from __future__ import annotations

import json

import pulumi_kubernetes as k8s
import pytest

from components.cluster import TransactionCluster, TransactionClusterArgs
from components.tier_namespace import TierNamespace, TierNamespaceArgs
from crossdock.config.schema import Criticality
from crossdock.engine import run_callable
from tests.transaction_tier.helpers import DEV, PROD

SUBNETS = ["subnet-a", "subnet-b", "subnet-c"]
OPS_KEY = "arn:aws:kms:us-east-1:111122223333:key/operations"
PARENT = "crossdock:transaction:Cluster"


def record_cluster(config):
    def build() -> None:
        TransactionCluster(
            f"{config.environment.name}-transaction-cluster",
            TransactionClusterArgs(
                config=config, private_subnet_ids=SUBNETS[: config.environment.az_count], log_key_arn=OPS_KEY
            ),
        )

    plan = run_callable(build, config={"aws:region": "us-east-1"})
    return {(r.type, r.name): r for r in plan.resources}


@pytest.fixture(scope="module")
def prod():
    return record_cluster(PROD)


def test_exact_children(prod):
    parent = prod[(PARENT, "prod-transaction-cluster")]
    p = "prod-transaction-cluster"
    assert {key for key, r in prod.items() if r.parent == parent.urn} == {
        ("aws:kms/key:Key", f"{p}-secrets-key"),
        ("aws:kms/alias:Alias", f"{p}-secrets-key-alias"),
        ("aws:cloudwatch/logGroup:LogGroup", f"{p}-control-plane-logs"),
        ("aws:iam/role:Role", f"{p}-cluster-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{p}-cluster-policy"),
        ("aws:iam/rolePolicy:RolePolicy", f"{p}-cluster-secrets-key"),
        ("aws:eks/cluster:Cluster", p),
        ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", f"{p}-oidc"),
        ("aws:iam/role:Role", f"{p}-node-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{p}-node-AmazonEKSWorkerNodePolicy"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{p}-node-AmazonEKS_CNI_Policy"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{p}-node-AmazonEC2ContainerRegistryReadOnly"),
        ("aws:ec2/launchTemplate:LaunchTemplate", f"{p}-nodes"),
        ("aws:eks/nodeGroup:NodeGroup", f"{p}-general-nodes"),
        ("aws:eks/nodeGroup:NodeGroup", f"{p}-real-time-nodes"),
        ("pulumi:providers:kubernetes", f"{p}-k8s"),
        *[("kubernetes:scheduling.k8s.io/v1:PriorityClass", f"{p}-priority-{c.value}") for c in Criticality],
    }


def test_private_endpoint_encrypted_secrets_and_all_control_plane_logs(prod):
    cluster = prod[("aws:eks/cluster:Cluster", "prod-transaction-cluster")]
    key = prod[("aws:kms/key:Key", "prod-transaction-cluster-secrets-key")]
    logs = prod[("aws:cloudwatch/logGroup:LogGroup", "prod-transaction-cluster-control-plane-logs")]
    inputs = cluster.inputs
    assert inputs["name"] == "prod-transaction" and inputs["version"] == "1.33"
    assert inputs["vpcConfig"] == {"subnetIds": SUBNETS, "endpointPrivateAccess": True, "endpointPublicAccess": False}
    assert inputs["encryptionConfig"] == {"provider": {"keyArn": key.outputs["arn"]}, "resources": ["secrets"]}
    assert inputs["enabledClusterLogTypes"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert inputs["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}
    assert inputs["deletionProtection"] is True and cluster.protect is True
    # The log group exists (retained, encrypted) before EKS would create its own.
    assert logs.urn in cluster.dependencies
    assert logs.inputs["name"] == "/aws/eks/prod-transaction/cluster"
    assert logs.inputs["retentionInDays"] == 365 and logs.inputs["kmsKeyId"] == OPS_KEY
    assert key.inputs["enableKeyRotation"] is True
    assert [s["Sid"] for s in json.loads(key.inputs["policy"])["Statement"]] == ["AccountRootAdministersKey"]
    grant = json.loads(
        prod[("aws:iam/rolePolicy:RolePolicy", "prod-transaction-cluster-cluster-secrets-key")].inputs["policy"]
    )
    assert grant["Statement"] == [
        {
            "Sid": "EnvelopeEncryptSecrets",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
            "Resource": key.outputs["arn"],
        }
    ]


def test_public_endpoint_only_for_the_allow_list():
    dev = record_cluster(DEV)
    vpc = dev[("aws:eks/cluster:Cluster", "dev-transaction-cluster")].inputs["vpcConfig"]
    assert vpc == {
        "subnetIds": SUBNETS[:2],
        "endpointPrivateAccess": True,
        "endpointPublicAccess": True,
        "publicAccessCidrs": ["203.0.113.0/24"],
    }


def test_oidc_provider_for_the_cluster_issuer(prod):
    cluster = prod[("aws:eks/cluster:Cluster", "prod-transaction-cluster")]
    oidc = prod[("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "prod-transaction-cluster-oidc")]
    assert oidc.inputs["url"] == cluster.outputs["identities"][0]["oidcs"][0]["issuer"]
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_node_groups_span_every_zone_and_real_time_is_tainted(prod):
    general = prod[("aws:eks/nodeGroup:NodeGroup", "prod-transaction-cluster-general-nodes")].inputs
    real_time = prod[("aws:eks/nodeGroup:NodeGroup", "prod-transaction-cluster-real-time-nodes")]
    for group in (general, real_time.inputs):
        assert group["subnetIds"] == SUBNETS
        assert group["scalingConfig"] == {"minSize": 3, "desiredSize": 3, "maxSize": 12}
        assert group["instanceTypes"] == ["m6i.xlarge", "m6a.xlarge"]
    assert general["labels"] == {"crossdock.io/node-pool": "general"} and "taints" not in general
    assert real_time.inputs["labels"] == {"crossdock.io/node-pool": "real-time-fulfillment"}
    assert real_time.inputs["taints"] == [
        {"key": "crossdock.io/real-time-fulfillment", "value": "true", "effect": "NO_SCHEDULE"}
    ]
    assert real_time.ignore_changes == ["scalingConfig.desiredSize"]
    template = prod[("aws:ec2/launchTemplate:LaunchTemplate", "prod-transaction-cluster-nodes")].inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }


def test_priority_classes_evict_analytics_first(prod):
    classes = {
        c: prod[
            ("kubernetes:scheduling.k8s.io/v1:PriorityClass", f"prod-transaction-cluster-priority-{c.value}")
        ].inputs
        for c in Criticality
    }
    values = [classes[c]["value"] for c in Criticality]
    assert values == sorted(values, reverse=True) == [1_000_000, 100_000, 10_000, 1_000]
    assert [classes[c]["preemptionPolicy"] for c in Criticality] == [
        "PreemptLowerPriority",
        "PreemptLowerPriority",
        "Never",
        "Never",
    ]
    assert classes[Criticality.DEFERRED_ANALYTICS]["metadata"]["name"] == "crossdock-deferred-analytics"


def test_kubernetes_provider_uses_the_cluster_kubeconfig_without_credentials(prod):
    cluster = prod[("aws:eks/cluster:Cluster", "prod-transaction-cluster")]
    kubeconfig = json.loads(prod[("pulumi:providers:kubernetes", "prod-transaction-cluster-k8s")].inputs["kubeconfig"])
    assert kubeconfig["clusters"][0]["cluster"]["server"] == cluster.outputs["endpoint"]
    assert kubeconfig["users"][0]["user"]["exec"]["args"] == [
        "eks",
        "get-token",
        "--cluster-name",
        "prod-transaction",
        "--region",
        "us-east-1",
    ]


def test_tier_namespace_children_and_quota_sized_from_its_services():
    services = [s for s in PROD.services if s.criticality is Criticality.REAL_TIME_FULFILLMENT]

    def build() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        TierNamespace(
            "prod-transaction-real-time-fulfillment",
            TierNamespaceArgs(Criticality.REAL_TIME_FULFILLMENT, PROD.environment, services, provider),
        )

    records = {(r.type, r.name): r for r in run_callable(build, config={"aws:region": "us-east-1"}).resources}
    parent = records[("crossdock:transaction:TierNamespace", "prod-transaction-real-time-fulfillment")]
    n = "prod-transaction-real-time-fulfillment"
    assert {key for key, r in records.items() if r.parent == parent.urn} == {
        ("kubernetes:core/v1:Namespace", n),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", f"{n}-default-deny"),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", f"{n}-allow-dns"),
        ("kubernetes:core/v1:ResourceQuota", f"{n}-quota"),
        ("kubernetes:core/v1:LimitRange", f"{n}-limits"),
    }
    labels = records[("kubernetes:core/v1:Namespace", n)].inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["crossdock.io/part-of"] == "transaction-tier"
    assert records[("kubernetes:networking.k8s.io/v1:NetworkPolicy", f"{n}-default-deny")].inputs["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    # shipment-api: 500m / 1Gi up to 12 pods; label-printer: 250m / 512Mi up to 9; each +1 surge pod.
    assert records[("kubernetes:core/v1:ResourceQuota", f"{n}-quota")].inputs["spec"] == {
        "hard": {
            "pods": "23",
            "requests.cpu": f"{13 * 500 + 10 * 250}m",
            "limits.cpu": f"{13 * 500 + 10 * 250}m",
            "requests.memory": f"{13 * 1024 + 10 * 512}Mi",
            "limits.memory": f"{13 * 1024 + 10 * 512}Mi",
        }
    }
    limits = records[("kubernetes:core/v1:LimitRange", f"{n}-limits")].inputs["spec"]["limits"][0]
    assert limits["max"] == {"cpu": "500m", "memory": "1024Mi"}
