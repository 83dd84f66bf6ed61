"""The composition root: one validated StackConfig in, a whole tiered environment out.

Order follows dependencies: keys and topics first (everything encrypts with or
reports to them), then the network, the data tier, the integration queues, the
payload archive, disaster recovery and finally the alarms that watch all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.data_tier import DataTier, DataTierArgs
from components.disaster_recovery import DisasterRecovery, DisasterRecoveryArgs, ReplicatedBucket
from components.integration_queue import IntegrationQueue, IntegrationQueueArgs
from components.network import Network, NetworkArgs
from components.observability import Observability, ObservabilityArgs
from components.resilience_hub import ResilienceObjectives, ResilienceObjectivesArgs
from components.secure_bucket import SecureBucket, SecureBucketArgs
from components.security import SecurityBaseline, SecurityBaselineArgs
from components.tags import base_tags, data_store_tags, ownership_tags
from components.team_alerting import TeamAlerting, TeamAlertingArgs
from components.tenant_pool import TenantPool, TenantPoolArgs
from components.transaction_tier import TransactionTier, TransactionTierArgs
from crossdock.config.schema import StackConfig


@dataclass
class EnvironmentArgs:
    config: StackConfig


class Environment(pulumi.ComponentResource):
    """Maps the stack config to components and exposes what deployers and runbooks need."""

    def __init__(self, name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:index:Environment", name, None, opts)
        config = args.config
        env = config.environment
        child = pulumi.ResourceOptions(parent=self)

        self.dr_provider = None
        self._dr_region = config.dr.region if config.dr else None
        self._config = config
        if config.dr is not None:
            self.dr_provider = aws.Provider(
                f"{name}-dr-{config.dr.region}",
                region=config.dr.region,
                default_tags={"tags": {**base_tags(env), "dr-role": "secondary"}},
                opts=child,
            )

        self.security = SecurityBaseline(
            f"{name}-security", SecurityBaselineArgs(config=config, dr_provider=self.dr_provider), opts=child
        )
        self.network = Network(
            f"{name}-network",
            NetworkArgs(
                environment=env,
                flow_log_key_arn=self.security.operations_key_arn,
                log_retention_days=env.log_retention_days,
                tags=base_tags(env),
            ),
            opts=child,
        )
        self.data = DataTier(
            f"{name}-data",
            DataTierArgs(
                config=config,
                vpc_id=self.network.vpc_id,
                data_subnet_ids=self.network.data_subnet_ids,
                client_cidr_blocks=self.network.private_cidr_blocks,
                key_arns=self.security.key_arns,
                availability_zones=self.network.availability_zones,
                dr_key_arns=self.security.dr_key_arns,
            ),
            opts=child,
        )
        self.queues = [
            IntegrationQueue(
                f"{env.name}-{queue.name}",
                IntegrationQueueArgs(
                    spec=queue,
                    environment=env,
                    kms_key_arn=self.security.key_arns[queue.data_class],
                    ownership=ownership_tags(config, "queue", queue.name),
                ),
                opts=child,
            )
            for queue in config.queues
        ]
        self.payload_archive = SecureBucket(
            f"{name}-payload-archive",
            SecureBucketArgs(
                kms_key_arn=self.security.key_arns["integration-payloads"],
                tags=data_store_tags(config, "integration-payloads"),
                protect=config.is_production,
            ),
            opts=child,
        )

        # ELB access-log delivery writes only to SSE-S3 buckets, so these logs get their own
        # bucket (private, versioned, TLS-only) instead of the KMS-encrypted audit bucket. They are
        # audit data: built before DR so they replicate to the DR region with the audit bucket.
        self.access_logs = None
        if config.services:
            self.access_logs = SecureBucket(
                f"{name}-lb-access-logs",
                SecureBucketArgs(
                    kms_key_arn=None,
                    tags=base_tags(env, data_class="audit", extra={"purpose": "elb-access-logs"}),
                    protect=config.is_production,
                    log_delivery_service="logdelivery.elasticloadbalancing.amazonaws.com",
                ),
                opts=child,
            )

        self.dr = None
        if self.dr_provider is not None:
            self.dr = DisasterRecovery(
                f"{name}-dr",
                DisasterRecoveryArgs(
                    config=config,
                    dr_provider=self.dr_provider,
                    databases=self.data.databases,
                    key_arns=self.security.key_arns,
                    dr_key_arns=self.security.dr_key_arns,
                    replicated_buckets=self._replicated_buckets(config),
                    dr_log_key_arn=self.security.dr_operations_key_arn,
                ),
                opts=child,
            )

        # One topic per team and incident severity: alarms page the team that owns what broke.
        self.team_alerting = None
        if config.teams:
            self.team_alerting = TeamAlerting(
                f"{name}-team-alerting",
                TeamAlertingArgs(config=config, key_arn=self.security.operations_key_arn),
                opts=child,
            )
        team_topic_arns = self.team_alerting.topic_arns if self.team_alerting else {}

        # The EKS transaction tier, only when the stack declares services.
        self.transaction_tier = None
        if config.services:
            self.transaction_tier = TransactionTier(
                f"{name}-transaction",
                TransactionTierArgs(
                    config=config,
                    private_subnet_ids=self.network.private_subnet_ids,
                    queues=self.queues,
                    databases=self.data.databases,
                    key_arns=self.security.key_arns,
                    operations_key_arn=self.security.operations_key_arn,
                    alert_topic_arns=self.security.alert_topic_arns,
                    audit_bucket_name=self.security.audit_bucket.bucket_name,
                    audit_bucket_arn=self.security.audit_bucket.arn,
                    access_log_bucket_name=self.access_logs.bucket_name,
                    team_topic_arns=team_topic_arns,
                ),
                opts=child,
            )

        # Registered tenants: rate rules, per-tenant alarms and the tenant-scoped access role.
        self.tenancy = None
        if config.tenants:
            edge = self.transaction_tier.edge if self.transaction_tier else None
            self.tenancy = TenantPool(
                f"{name}-tenancy",
                TenantPoolArgs(
                    config=config,
                    alert_topic_arns=self.security.alert_topic_arns,
                    archive_bucket_arn=self.payload_archive.arn,
                    archive_key_arn=self.security.key_arns["integration-payloads"],
                    log_key_arn=self.security.operations_key_arn,
                    web_acl_arn=edge.web_acl_arn if edge else None,
                    session_principal_arns=[service.role_arn for service in self.transaction_tier.services.values()]
                    if self.transaction_tier
                    else [],
                    team_topic_arns=team_topic_arns,
                ),
                opts=child,
            )

        # The declared objectives, on the graph: Resilience Hub assesses against them after deploy and the
        # policy pack compares them with what the resources above can achieve (docs/resilience-model.md).
        self.objectives = ResilienceObjectives(
            f"{name}-objectives",
            ResilienceObjectivesArgs(environment=env, data_classes=config.data_classes),
            opts=child,
        )

        self.observability = Observability(
            f"{name}-observability",
            ObservabilityArgs(
                config=config,
                alert_topic_arns=self.security.alert_topic_arns,
                queues=self.queues,
                cluster_identifiers={db: database.cluster_identifier for db, database in self.data.databases.items()},
                log_key_arn=self.security.operations_key_arn,
                dr_secondary_identifiers=self.dr.secondary_cluster_identifiers if self.dr else {},
                dr_provider=self.dr_provider,
                dr_alert_topic_arn=self.security.dr_alert_topic_arn,
                team_topic_arns=team_topic_arns,
            ),
            opts=child,
        )

        self.outputs = self._outputs()
        self.register_outputs(self.outputs)

    def _replicated_buckets(self, config: StackConfig) -> dict[str, ReplicatedBucket]:
        """The payload archive always has a DR twin (replay after failover); the audit
        bucket has one when the audit data class declares a region objective."""
        buckets = {
            "archive": ReplicatedBucket(
                name=self.payload_archive.bucket_name, arn=self.payload_archive.arn, data_class="integration-payloads"
            )
        }
        if config.data_class("audit").objectives.region is not None:
            audit = self.security.audit_bucket
            buckets["audit"] = ReplicatedBucket(
                name=audit.bucket_name,
                arn=audit.arn,
                data_class="audit",
                object_lock_days=config.data_class("audit").backup_retention_days,
            )
            if self.access_logs is not None:
                buckets["access-logs"] = ReplicatedBucket(
                    name=self.access_logs.bucket_name, arn=self.access_logs.arn, data_class="audit", kms_encrypted=False
                )
        return buckets

    def _outputs(self) -> dict:
        """What a deployer and a runbook look up: ids, endpoints, URLs and ARNs by name."""
        return {
            "vpc_id": self.network.vpc_id,
            "availability_zones": self.network.availability_zones,
            "public_subnet_ids": self.network.public_subnet_ids,
            "private_subnet_ids": self.network.private_subnet_ids,
            "data_subnet_ids": self.network.data_subnet_ids,
            "databases": {
                name: {
                    "cluster_identifier": database.cluster_identifier,
                    "endpoint": database.endpoint,
                    "reader_endpoint": database.reader_endpoint,
                    "connection_secret_arn": database.connection_secret_arn,
                }
                for name, database in self.data.databases.items()
            },
            "queues": {
                queue.spec.name: {
                    "url": queue.queue_url,
                    "arn": queue.queue_arn,
                    "dlq_url": queue.dlq_url,
                    "dlq_arn": queue.dlq_arn,
                }
                for queue in self.queues
            },
            "alert_topic_arns": {severity.value: arn for severity, arn in self.security.alert_topic_arns.items()},
            "audit_bucket": self.security.audit_bucket.bucket_name,
            "payload_archive_bucket": self.payload_archive.bucket_name,
            "dr": None
            if self.dr is None
            else {
                "region": self._dr_region,
                "strategy": self._config.dr.strategy.value,
                "alert_topic_arn": self.security.dr_alert_topic_arn,
                "endpoints": self.dr.dr_endpoints,
                "backup_vault_arn": self.dr.dr_vault_arn,
                "replica_buckets": {label: replica.bucket_name for label, replica in self.dr.bucket_replicas.items()},
            },
            "dashboard": self.observability.dashboard_name,
            "process_dashboards": self.observability.process_dashboard_names,
            "team_topic_arns": None
            if self.team_alerting is None
            else {f"{team}/{severity.value}": arn for (team, severity), arn in self.team_alerting.topic_arns.items()},
            "transaction_tier": self.transaction_tier.outputs if self.transaction_tier else None,
            # What silo tenant stacks read through their StackReference (see components/tenant_silo.py).
            "tier": self._config.environment.tier.value,
            "kubeconfig": self.transaction_tier.cluster.kubeconfig if self.transaction_tier else None,
            "tenancy": None
            if self.tenancy is None
            else {
                "web_acl_arn": self.tenancy.web_acl_arn,
                "access_role_arn": self.tenancy.access_role_arn,
                "tenants": self.tenancy.tenants,
            },
        }
