"""The transaction tier: the EKS cluster, a namespace per criticality tier, every service, the public edge.

Built only when the stack declares `services`. Wiring comes from the rest of the
environment: private subnets (nodes and pods), the VPC and public-subnet CIDRs
(NetworkPolicies), the queues' ARNs and URLs and the keys of their data classes
(service identities), the databases' cluster resource ids and endpoints, the
operations key (logs), alert topics (alarms) and the audit bucket (load-balancer
access logs, canary scripts and artifacts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.cluster import TransactionCluster, TransactionClusterArgs
from components.database import AuroraDatabase
from components.integration_queue import IntegrationQueue
from components.public_edge import PublicEdge, PublicEdgeArgs
from components.service import ServiceDatabaseWiring, TransactionService, TransactionServiceArgs, database_endpoint
from components.tags import ownership_tags
from components.tier_namespace import TierNamespace, TierNamespaceArgs
from crossdock.config.operations import IncidentSeverity
from crossdock.config.schema import Criticality, Severity, StackConfig
from crossdock.config.subnets import plan_subnets


@dataclass
class TransactionTierArgs:
    config: StackConfig
    private_subnet_ids: Sequence[pulumi.Input[str]]
    queues: Sequence[IntegrationQueue]
    databases: Mapping[str, AuroraDatabase]
    key_arns: Mapping[str, pulumi.Input[str]]
    operations_key_arn: pulumi.Input[str]
    alert_topic_arns: Mapping[Severity, pulumi.Input[str]]
    audit_bucket_name: pulumi.Input[str]
    audit_bucket_arn: pulumi.Input[str]
    # Load balancer access logs: an SSE-S3 bucket, the only encryption ELB log delivery supports.
    access_log_bucket_name: pulumi.Input[str]
    # SNS topic per (team, incident severity) (components.team_alerting), for the edge's alarms.
    team_topic_arns: Mapping[tuple[str, IncidentSeverity], pulumi.Input[str]] = field(default_factory=dict)


class TransactionTier(pulumi.ComponentResource):
    """Cluster, TierNamespaces, one TransactionService per service, and the PublicEdge (if any public)."""

    def __init__(self, name: str, args: TransactionTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:transaction:TransactionTier", name, None, opts)
        config = args.config
        env = config.environment
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        self.cluster = TransactionCluster(
            f"{name}-cluster",
            TransactionClusterArgs(
                config=config, private_subnet_ids=args.private_subnet_ids, log_key_arn=args.operations_key_arn
            ),
            opts=child,
        )
        provider = self.cluster.provider

        self.namespaces: dict[Criticality, TierNamespace] = {}
        for criticality in Criticality:
            members = [service for service in config.services if service.criticality is criticality]
            if members:
                self.namespaces[criticality] = TierNamespace(
                    f"{name}-{criticality.value}",
                    TierNamespaceArgs(criticality=criticality, environment=env, services=members, provider=provider),
                    opts=child,
                )

        queues = {queue.spec.name: queue for queue in args.queues}
        public_cidrs = [str(cidr) for cidr in plan_subnets(env.vpc_cidr, env.az_count)["public"]]
        priority_classes = list(self.cluster.priority_classes.values())
        self.services: dict[str, TransactionService] = {}
        for service in config.services:
            database = None
            if service.database is not None:
                aurora = args.databases[service.database.name]
                database = ServiceDatabaseWiring(
                    name=service.database.name,
                    cluster_resource_id=aurora.cluster.cluster_resource_id,
                    endpoint=database_endpoint(service.database.access, aurora.endpoint, aurora.reader_endpoint),
                )
            self.services[service.name] = TransactionService(
                f"{env.name}-{service.name}",
                TransactionServiceArgs(
                    spec=service,
                    environment=env,
                    provider=provider,
                    oidc_provider_arn=self.cluster.oidc_provider_arn,
                    oidc_issuer=self.cluster.oidc_issuer,
                    vpc_cidr=str(env.vpc_cidr),
                    load_balancer_cidrs=public_cidrs if service.public else (),
                    consumed={q: (queues[q].spec, queues[q].queue_arn, queues[q].queue_url) for q in service.consumes},
                    produced={q: (queues[q].spec, queues[q].queue_arn, queues[q].queue_url) for q in service.produces},
                    key_arns=args.key_arns,
                    database=database,
                    region=env.region,
                    account_id=identity.account_id,
                    partition=partition,
                    depends_on=[self.namespaces[service.criticality], *priority_classes],
                    ownership=ownership_tags(config, "service", service.name),
                ),
                opts=child,
            )

        public = [service for service in config.services if service.public]
        self.edge = None
        if public:
            self.edge = PublicEdge(
                f"{name}-edge",
                PublicEdgeArgs(
                    config=config,
                    services=public,
                    provider=provider,
                    access_log_bucket=args.access_log_bucket_name,
                    artifact_bucket=args.audit_bucket_name,
                    artifact_bucket_arn=args.audit_bucket_arn,
                    artifact_key_arn=args.key_arns["audit"],
                    alert_topic_arns=args.alert_topic_arns,
                    log_key_arn=args.operations_key_arn,
                    depends_on=[self.services[service.name] for service in public],
                    team_topic_arns=args.team_topic_arns,
                ),
                opts=child,
            )

        self.outputs = {
            "cluster_name": self.cluster.cluster.name,
            "cluster_endpoint": self.cluster.endpoint,
            "oidc_provider_arn": self.cluster.oidc_provider_arn,
            "namespaces": [namespace.name for namespace in self.namespaces.values()],
            "service_roles": {service: component.role_arn for service, component in self.services.items()},
            "web_acl_arn": self.edge.web_acl_arn if self.edge else None,
        }
        self.register_outputs(self.outputs)
