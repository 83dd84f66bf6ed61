"""The EKS cluster of the transaction tier: private API, encrypted secrets, logged control plane.

- API endpoint: private, reachable from the VPC. A public endpoint exists only when the
  stack lists `cluster.publicEndpointCidrs`, and then only for those networks.
- Secrets: envelope-encrypted with a dedicated customer key (`<env>-eks-secrets`), not
  the operations key. Kubernetes secrets hold integration credentials (carrier API keys,
  EDI partner certificates); the operations key's policy lets CloudWatch Logs and
  alarms use it account-wide, and revoking or auditing secrets access must not touch
  logging. The key policy is the account-root statement only, so IAM decides, and the
  cluster role alone is granted use of it.
- Control-plane logs (all five types) go to `/aws/eks/<cluster>/cluster`, created here
  before the cluster so it has the tier's retention and the operations key (EKS would
  otherwise create it unencrypted and kept forever).
- IRSA: an IAM OIDC provider for the cluster's issuer; each service's role trusts it
  for exactly one service account (`components/service_identity.py`).
- Nodes: managed node groups over every zone's private subnet. `general` runs
  everything except real-time fulfilment. `real-time` (only when a real-time service
  exists) is tainted `crossdock.io/real-time-fulfillment=true:NoSchedule` and labelled
  `crossdock.io/node-pool=real-time-fulfillment`, so shipment creation, label printing
  and scan ingestion never share a node with reconciliation jobs or reporting queries.
  Nodes enforce IMDSv2 with a hop limit of 1: pods cannot borrow the node role and
  must use their own service-account role.
- PriorityClasses per criticality: under pressure the scheduler preempts and the
  kubelet evicts deferred analytics first, then internal reporting; those two tiers
  never preempt anyone themselves.
- A `pulumi_kubernetes.Provider` built from the cluster's kubeconfig (token from
  `aws eks get-token`) for every Kubernetes object of the tier.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.key_policies import KEY_DELETION_WINDOW_DAYS
from components.tags import base_tags
from crossdock.config.schema import Criticality, StackConfig

CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
NODE_POOL_LABEL = "crossdock.io/node-pool"
REAL_TIME_TAINT_KEY = "crossdock.io/real-time-fulfillment"
GENERAL_POOL = "general"
REAL_TIME_POOL = Criticality.REAL_TIME_FULFILLMENT.value
NODE_VOLUME_GIB = 50

# Scheduling priority per tier: higher runs first and is evicted last.
PRIORITY: Mapping[Criticality, int] = {
    Criticality.REAL_TIME_FULFILLMENT: 1_000_000,
    Criticality.NEAR_REAL_TIME_INTEGRATION: 100_000,
    Criticality.INTERNAL_REPORTING: 10_000,
    Criticality.DEFERRED_ANALYTICS: 1_000,
}
# Reporting and analytics wait for room instead of evicting someone else's pods.
PREEMPTION: Mapping[Criticality, str] = {
    Criticality.REAL_TIME_FULFILLMENT: "PreemptLowerPriority",
    Criticality.NEAR_REAL_TIME_INTEGRATION: "PreemptLowerPriority",
    Criticality.INTERNAL_REPORTING: "Never",
    Criticality.DEFERRED_ANALYTICS: "Never",
}

EKS_CLUSTER_POLICY = "arn:{0}:iam::aws:policy/AmazonEKSClusterPolicy"
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")


def priority_class_name(criticality: Criticality) -> str:
    return f"crossdock-{criticality.value}"


def cluster_name(config: StackConfig) -> str:
    return f"{config.environment.name}-transaction"


@dataclass
class TransactionClusterArgs:
    config: StackConfig
    private_subnet_ids: Sequence[pulumi.Input[str]]
    # The operations key: encrypts the control-plane log group (its policy admits CloudWatch Logs).
    log_key_arn: pulumi.Input[str]


class TransactionCluster(pulumi.ComponentResource):
    """EKS control plane, OIDC provider, node groups, kubeconfig provider and PriorityClasses."""

    def __init__(self, name: str, args: TransactionClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:transaction:Cluster", name, None, opts)
        config = args.config
        env = config.environment
        settings = config.cluster
        production = config.is_production
        child = pulumi.ResourceOptions(parent=self)
        tags = base_tags(env, extra={"component": "transaction-cluster"})
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        self.cluster_name = cluster_name(config)

        self.secrets_key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"crossdock: {env.name} EKS secrets envelope encryption",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountRootAdministersKey",
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": pulumi.Output.format("arn:{0}:iam::{1}:root", partition, identity.account_id)
                            },
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                }
            ),
            tags={**tags, "purpose": "eks-secrets", "Name": f"{name}-secrets-key"},
            opts=child,
        )
        aws.kms.Alias(
            f"{name}-secrets-key-alias",
            name=f"alias/crossdock/{env.name}-eks-secrets",
            target_key_id=self.secrets_key.key_id,
            opts=child,
        )

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{self.cluster_name}/cluster",
            retention_in_days=env.log_retention_days,
            kms_key_id=args.log_key_arn,
            deletion_protection_enabled=production or None,
            tags={**tags, "Name": f"{name}-control-plane-logs"},
            opts=pulumi.ResourceOptions(parent=self, protect=production),
        )

        self.cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            name=f"{env.name}-eks-cluster",
            assume_role_policy=json.dumps(_service_trust("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"])),
            tags={**tags, "Name": f"{env.name}-eks-cluster"},
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=self.cluster_role.name,
            policy_arn=pulumi.Output.format(EKS_CLUSTER_POLICY, partition),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-cluster-secrets-key",
            name=f"{env.name}-eks-secrets-key",
            role=self.cluster_role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "EnvelopeEncryptSecrets",
                            "Effect": "Allow",
                            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                            "Resource": self.secrets_key.arn,
                        }
                    ],
                }
            ),
            opts=child,
        )

        public = bool(settings.public_endpoint_cidrs)
        self.cluster = aws.eks.Cluster(
            name,
            name=self.cluster_name,
            version=settings.kubernetes_version,
            role_arn=self.cluster_role.arn,
            vpc_config={
                "subnet_ids": list(args.private_subnet_ids),
                "endpoint_private_access": True,
                "endpoint_public_access": public,
                "public_access_cidrs": [str(cidr) for cidr in settings.public_endpoint_cidrs] if public else None,
            },
            encryption_config={"provider": {"key_arn": self.secrets_key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=CONTROL_PLANE_LOG_TYPES,
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            deletion_protection=production,
            tags={**tags, "Name": self.cluster_name},
            opts=pulumi.ResourceOptions(parent=self, protect=production, depends_on=[self.log_group]),
        )

        issuer_url = self.cluster.identities.apply(lambda identities: identities[0]["oidcs"][0]["issuer"])
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags={**tags, "Name": f"{self.cluster_name}-oidc"},
            opts=child,
        )
        self.oidc_issuer = issuer_url.apply(lambda url: url.removeprefix("https://"))

        self.node_role = aws.iam.Role(
            f"{name}-node-role",
            name=f"{env.name}-eks-node",
            assume_role_policy=json.dumps(_service_trust("ec2.amazonaws.com", ["sts:AssumeRole"])),
            tags={**tags, "Name": f"{env.name}-eks-node"},
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=self.node_role.name,
                policy_arn=pulumi.Output.format("arn:{0}:iam::aws:policy/{1}", partition, policy),
                opts=child,
            )
            for policy in NODE_POLICIES
        ]
        launch_template = aws.ec2.LaunchTemplate(
            f"{name}-nodes",
            name=f"{self.cluster_name}-nodes",
            description="crossdock EKS nodes: IMDSv2 only (hop limit 1), encrypted gp3 root volume",
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {"volume_size": NODE_VOLUME_GIB, "volume_type": "gp3", "encrypted": "true"},
                }
            ],
            tag_specifications=[{"resource_type": "instance", "tags": {**tags, "Name": f"{self.cluster_name}-node"}}],
            tags={**tags, "Name": f"{self.cluster_name}-nodes"},
            opts=child,
        )

        zones = env.az_count
        self.node_groups: dict[str, aws.eks.NodeGroup] = {}
        pools = [GENERAL_POOL]
        if any(service.criticality is Criticality.REAL_TIME_FULFILLMENT for service in config.services):
            pools.append(REAL_TIME_POOL)
        for pool in pools:
            real_time = pool == REAL_TIME_POOL
            group_name = f"{env.name}-{'real-time' if real_time else 'general'}"
            self.node_groups[pool] = aws.eks.NodeGroup(
                f"{name}-{'real-time' if real_time else 'general'}-nodes",
                cluster_name=self.cluster.name,
                node_group_name=group_name,
                node_role_arn=self.node_role.arn,
                subnet_ids=list(args.private_subnet_ids),
                instance_types=list(settings.node_instance_types),
                ami_type="AL2023_x86_64_STANDARD",
                capacity_type="ON_DEMAND",
                # At least one node per zone, so zone-spread pods always have a place in each.
                scaling_config={
                    "min_size": zones,
                    "desired_size": zones,
                    "max_size": zones * settings.max_nodes_per_zone,
                },
                update_config={"max_unavailable": 1},
                launch_template={"id": launch_template.id, "version": launch_template.latest_version.apply(str)},
                labels={NODE_POOL_LABEL: pool},
                taints=[{"key": REAL_TIME_TAINT_KEY, "value": "true", "effect": "NO_SCHEDULE"}] if real_time else None,
                tags={**tags, "Name": group_name, NODE_POOL_LABEL: pool},
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=attachments, ignore_changes=["scalingConfig.desiredSize"]
                ),
            )

        self.kubeconfig = pulumi.Output.all(
            self.cluster.name, self.cluster.endpoint, self.cluster.certificate_authority, env.region
        ).apply(lambda values: _kubeconfig(*values))
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.node_groups.values())),
        )

        self.priority_classes: dict[Criticality, k8s.scheduling.v1.PriorityClass] = {}
        for criticality in Criticality:
            self.priority_classes[criticality] = k8s.scheduling.v1.PriorityClass(
                f"{name}-priority-{criticality.value}",
                metadata={
                    "name": priority_class_name(criticality),
                    "labels": {
                        "app.kubernetes.io/managed-by": "crossdock",
                        "crossdock.io/criticality": criticality.value,
                    },
                },
                value=PRIORITY[criticality],
                preemption_policy=PREEMPTION[criticality],
                global_default=False,
                description=f"crossdock {criticality.value} workloads",
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
            )

        self.endpoint = self.cluster.endpoint
        self.oidc_provider_arn = self.oidc_provider.arn
        self.register_outputs(
            {
                "cluster_name": self.cluster.name,
                "endpoint": self.endpoint,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_issuer": self.oidc_issuer,
                "secrets_key_arn": self.secrets_key.arn,
                "node_groups": {pool: group.node_group_name for pool, group in self.node_groups.items()},
            }
        )


def _service_trust(service: str, actions: list[str]) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}],
    }


def _kubeconfig(name: str, endpoint: str, authority, region: str) -> str:
    """A kubeconfig (JSON) that authenticates with `aws eks get-token`, so no credentials are stored."""
    data = authority.get("data") if isinstance(authority, Mapping) else None
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": data}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
                        }
                    },
                }
            ],
        }
    )
