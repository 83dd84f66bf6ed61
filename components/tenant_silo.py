"""A silo tenant: its own data tier, keys, queues, roles, namespace and alarms, in a stack of its own.

The stack `<env>-tenant-<id>` is a separate blast radius and deploy cadence: a noisy
import, a runaway migration or a security incident stays inside the tenant's walls,
and responders can revoke, restore or fail over one customer without touching the
others. Everything is built with the environment's own components, from the silo
config derived in `crossdock.config.tenancy` (the environment's data classes, DR
strategy and KPIs; the tenant's databases and flows):

- customer KMS keys: one per data class the tenant stores, plus an operations key
  for its log groups, each multi-region with a DR replica when the environment has DR;
- `DataTier`: subnet group and security group in the environment's data subnets, and
  the tenant's Aurora clusters (`AuroraDatabase`);
- `IntegrationQueue` per flow the tenant uses, with its DLQ;
- its own payload archive (`SecureBucket`);
- `DisasterRecovery` following the environment's strategy: Global Database
  secondaries in a DR VPC of the tenant's own (`drVpcCidr`), AWS Backup copies to the
  tenant's own DR vault, archive replication;
- IAM roles of its own: `app` for its workloads (its queues, archive, connection
  secrets, `rds-db:connect` as `<db>_app`, its keys; assumed by the namespace's service
  account through the cluster's OIDC provider), and the backup, replication and
  flow-log roles of its DR copy;
- a Kubernetes namespace `tenant-<id>` with ResourceQuota, LimitRange, default-deny
  NetworkPolicy (plus DNS egress) and a ServiceAccount for the app role;
- `Observability` for its queues, databases and DR copies (alarms to the
  environment's alert topics; KPI alarms on `{Environment, Tenant}`), its dashboard,
  and a queue-throughput alarm on its quota.

Every resource carries `tenant: <id>`, `isolation: silo` and `dr-strategy: <the
environment's>` (a transform on this component adds them to every child that has
tags), and `environment: <env>`, so cost reports and runbooks see the tenant inside
its environment. What the silo reads from the environment stack (VPC, subnets,
zones, alert topics, cluster kubeconfig, DR strategy) comes through a
`pulumi.StackReference` (`environment_reference`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.data_tier import DataTier, DataTierArgs
from components.database import postgres_identifier
from components.disaster_recovery import DisasterRecovery, DisasterRecoveryArgs, ReplicatedBucket
from components.integration_queue import IntegrationQueue, IntegrationQueueArgs
from components.key_policies import KEY_DELETION_WINDOW_DAYS, KEY_ROTATION_DAYS, data_key_policy, operations_key_policy
from components.network_policies import default_deny_with_dns
from components.observability import Observability, ObservabilityArgs
from components.resilience_hub import ResilienceObjectives, ResilienceObjectivesArgs
from components.secure_bucket import SecureBucket, SecureBucketArgs
from components.tags import base_tags, data_store_tags
from crossdock.config.schema import Severity
from crossdock.config.subnets import plan_subnets
from crossdock.config.tenancy import TenantStackConfig

ISOLATION_TAG = "isolation"
DR_STRATEGY_TAG = "dr-strategy"
NO_DR = "none"
TENANT_LABEL = "crossdock.io/tenant"
SERVICE_ACCOUNT = "tenant-app"
STS_AUDIENCE = "sts.amazonaws.com"
TENANT_METRIC_DIMENSION = "Tenant"
RUNBOOK_NOISY_TENANT = "isolate-tenant"


def namespace_name(tenant_id: str) -> str:
    return f"tenant-{tenant_id}"


@dataclass
class EnvironmentOutputs:
    """What the silo needs from its environment stack: a StackReference's outputs, or literals in tests."""

    vpc_id: pulumi.Input[str]
    # One per availability zone of the environment, in zone order.
    data_subnet_ids: Sequence[pulumi.Input[str]]
    availability_zones: pulumi.Input[Sequence[str]]
    alert_topic_arns: Mapping[Severity, pulumi.Input[str]]
    # The environment's critical topic in the DR region (DR replication alarms live there).
    dr_alert_topic_arn: pulumi.Input[str] | None = None
    # The DR strategy the deployed environment runs; the gate compares the silo's with it.
    dr_strategy: pulumi.Input[str] | None = None
    # The EKS cluster's kubeconfig and OIDC provider; None when the environment has no cluster.
    kubeconfig: pulumi.Input[str] | None = None
    oidc_provider_arn: pulumi.Input[str] | None = None


def environment_reference(config: TenantStackConfig) -> EnvironmentOutputs:
    """Read the environment stack's outputs through `pulumi.StackReference("<org>/<project>/<env stack>")`.

    Under the Pulumi CLI this reads the deployed environment; offline, `crossdock plan`
    plans the environment stack in the same run and hands over its exports.
    """
    qualified = f"{pulumi.get_organization()}/{pulumi.get_project()}/{config.environment_stack}"
    reference = pulumi.StackReference(f"{config.name}-environment", stack_name=qualified)
    environment = config.environment
    subnets = reference.require_output("data_subnet_ids")
    topics = reference.require_output("alert_topic_arns")
    dr = reference.get_output("dr")
    has_cluster = bool(environment.services)  # the environment builds its EKS cluster for its services
    tier = reference.get_output("transaction_tier")
    return EnvironmentOutputs(
        vpc_id=reference.require_output("vpc_id"),
        data_subnet_ids=[subnets.apply(lambda ids, i=i: ids[i]) for i in range(environment.environment.az_count)],
        availability_zones=reference.require_output("availability_zones"),
        alert_topic_arns={s: topics.apply(lambda arns, s=s: arns[s.value]) for s in Severity},
        dr_alert_topic_arn=dr.apply(lambda d: (d or {}).get("alert_topic_arn")) if environment.dr else None,
        dr_strategy=dr.apply(lambda d: (d or {}).get("strategy") or NO_DR),
        kubeconfig=reference.require_output("kubeconfig") if has_cluster else None,
        oidc_provider_arn=tier.apply(lambda t: (t or {}).get("oidc_provider_arn")) if has_cluster else None,
    )


@dataclass
class TenantSiloArgs:
    config: TenantStackConfig
    environment: EnvironmentOutputs


class TenantSilo(pulumi.ComponentResource):
    """Keys, Aurora, queues, archive, DR copy, roles, namespace and alarms of one silo tenant."""

    def __init__(self, name: str, args: TenantSiloArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        config, env_out = args.config, args.environment
        silo = config.silo
        env = silo.environment
        self._config = config
        self._name = name
        self.tenant_tags = {
            "environment": config.environment.environment.name,
            "tenant": config.id,
            ISOLATION_TAG: "silo",
            DR_STRATEGY_TAG: config.dr_strategy or NO_DR,
        }
        super().__init__(
            "crossdock:tenant:TenantSilo",
            name,
            {
                "tenant": config.id,
                ISOLATION_TAG: "silo",
                "environmentStack": config.environment_stack,
                "environmentTier": config.environment.environment.tier.value,
                "drStrategy": config.dr_strategy or NO_DR,
                "environmentDrStrategy": env_out.dr_strategy,
                # Every tenant of the environment, so tenant rules recognise another tenant's ARNs here.
                "environmentTenants": [tenant.id for tenant in config.environment.tenants],
            },
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transforms=[self._tag])),
        )
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        account_id = identity.account_id
        production = config.is_production

        self.dr_provider = None
        if silo.dr is not None:
            self.dr_provider = aws.Provider(
                f"{name}-dr-{silo.dr.region}",
                region=silo.dr.region,
                default_tags={"tags": {**self._base(), "dr-role": "secondary"}},
                opts=child,
            )

        # -- keys ------------------------------------------------------------------------
        classes = self._data_classes()
        self.keys: dict[str, aws.kms.Key] = {}
        self.dr_keys: dict[str, aws.kms.ReplicaKey] = {}
        for data_class in classes:
            policy = data_key_policy(partition, account_id)
            key, replica = self._key(f"{name}-{data_class}-key", f"{data_class} data", policy, data_class)
            self.keys[data_class] = key
            if replica is not None:
                self.dr_keys[data_class] = replica
        self.operations_key, self.dr_operations_key = self._key(
            f"{name}-operations-key",
            "logs",
            operations_key_policy(partition, account_id, env.region),
            None,
            dr_policy=operations_key_policy(partition, account_id, silo.dr.region) if silo.dr else None,
        )
        key_arns = {dc: key.arn for dc, key in self.keys.items()}
        dr_key_arns = {dc: key.arn for dc, key in self.dr_keys.items()}

        # -- data ------------------------------------------------------------------------
        self.payload_archive = SecureBucket(
            f"{name}-payload-archive",
            SecureBucketArgs(
                kms_key_arn=key_arns["integration-payloads"],
                tags=data_store_tags(silo, "integration-payloads", tenant=config.id),
                protect=production,
            ),
            opts=child,
        )
        environment_private = plan_subnets(config.environment.environment.vpc_cidr, env.az_count)["private"]
        self.data = DataTier(
            f"{name}-data",
            DataTierArgs(
                config=silo,
                vpc_id=env_out.vpc_id,
                data_subnet_ids=list(env_out.data_subnet_ids),
                client_cidr_blocks=[str(cidr) for cidr in environment_private],
                key_arns=key_arns,
                availability_zones=env_out.availability_zones,
                dr_key_arns=dr_key_arns,
            ),
            opts=child,
        )
        self.queues = [
            IntegrationQueue(
                f"{name}-{queue.name}",
                IntegrationQueueArgs(spec=queue, environment=env, kms_key_arn=key_arns[queue.data_class]),
                opts=child,
            )
            for queue in silo.queues
        ]

        self.dr = None
        if self.dr_provider is not None:
            self.dr = DisasterRecovery(
                f"{name}-dr",
                DisasterRecoveryArgs(
                    config=silo,
                    dr_provider=self.dr_provider,
                    databases=self.data.databases,
                    key_arns=key_arns,
                    dr_key_arns=dr_key_arns,
                    replicated_buckets={
                        "archive": ReplicatedBucket(
                            name=self.payload_archive.bucket_name,
                            arn=self.payload_archive.arn,
                            data_class="integration-payloads",
                        )
                    },
                    dr_log_key_arn=self.dr_operations_key.arn if self.dr_operations_key else None,
                    dr_vpc_cidr=config.spec.dr_vpc_cidr,
                ),
                opts=child,
            )

        # The tenant's declared objectives, on its own graph (docs/resilience-model.md).
        self.objectives = ResilienceObjectives(
            f"{name}-objectives",
            ResilienceObjectivesArgs(
                environment=env,
                data_classes=tuple(dc for dc in silo.data_classes if dc.name in classes),
                name_prefix=name,
            ),
            opts=child,
        )

        # -- identities -------------------------------------------------------------------
        self.app_role = self._role(
            "app",
            f"Workloads of tenant {config.tenant.display_name} ({config.id}) in {config.environment_stack}",
            self._app_trust(partition, account_id, env_out.oidc_provider_arn),
            self._app_policy(partition, account_id, key_arns),
        )

        # -- Kubernetes --------------------------------------------------------------------
        self.kubernetes_provider = None
        if env_out.kubeconfig is not None:
            self.kubernetes_provider = k8s.Provider(f"{name}-k8s", kubeconfig=env_out.kubeconfig, opts=child)
        self._namespace()

        # -- alarms and dashboard ----------------------------------------------------------
        self.observability = Observability(
            f"{name}-observability",
            ObservabilityArgs(
                config=silo,
                alert_topic_arns=env_out.alert_topic_arns,
                queues=self.queues,
                cluster_identifiers={db: database.cluster_identifier for db, database in self.data.databases.items()},
                log_key_arn=self.operations_key.arn,
                dr_secondary_identifiers=self.dr.secondary_cluster_identifiers if self.dr else {},
                dr_provider=self.dr_provider,
                dr_alert_topic_arn=env_out.dr_alert_topic_arn,
                kpi_dimensions={"Environment": config.environment.environment.name, TENANT_METRIC_DIMENSION: config.id},
            ),
            opts=child,
        )
        self.throughput_alarm = self._throughput_alarm(env_out.alert_topic_arns[Severity.WARNING])

        self.outputs = self._outputs()
        self.register_outputs(self.outputs)

    # -- tags ----------------------------------------------------------------------------------

    def _base(self) -> dict[str, str]:
        return {**base_tags(self._config.silo.environment, tenant=self._config.id), **self.tenant_tags}

    def _tag(self, args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        """Every AWS child that has tags gets the tenant's (reused components know nothing of tenants)."""
        tags = args.props.get("tags")
        if not args.type_.startswith("aws:") or not isinstance(tags, Mapping):
            return None
        return pulumi.ResourceTransformResult({**args.props, "tags": {**tags, **self.tenant_tags}}, args.opts)

    # -- keys ----------------------------------------------------------------------------------

    def _data_classes(self) -> list[str]:
        """The classes the tenant stores (databases, flows, the archive), in the environment's order."""
        silo = self._config.silo
        used = {db.data_class for db in silo.databases} | {q.data_class for q in silo.queues} | {"integration-payloads"}
        return [dc.name for dc in silo.data_classes if dc.name in used]

    def _key(
        self,
        name: str,
        purpose: str,
        policy: pulumi.Output[str],
        data_class: str | None,
        dr_policy: pulumi.Output[str] | None = None,
    ) -> tuple[aws.kms.Key, aws.kms.ReplicaKey | None]:
        """A rotating customer key of the tenant (multi-region with a DR replica when the environment has DR)."""
        config = self._config
        tags = base_tags(config.silo.environment, data_class=data_class, tenant=config.id)
        key = aws.kms.Key(
            name,
            description=f"crossdock: tenant {config.id} {purpose} ({config.name})",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            multi_region=self.dr_provider is not None,
            policy=policy,
            tags={**tags, "Name": name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/crossdock/{name}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        replica = None
        if self.dr_provider is not None:
            replica = aws.kms.ReplicaKey(
                f"{name}-dr",
                primary_key_arn=key.arn,
                description=f"crossdock: DR replica ({name}-dr)",
                deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
                policy=dr_policy if dr_policy is not None else policy,
                tags={**tags, "Name": f"{name}-dr"},
                opts=pulumi.ResourceOptions(parent=self, provider=self.dr_provider),
            )
        return key, replica

    # -- roles ---------------------------------------------------------------------------------

    def _role(self, purpose: str, description: str, trust: pulumi.Input[dict], policy: dict) -> aws.iam.Role:
        role_name = f"{self._name}-{purpose}"
        role = aws.iam.Role(
            role_name,
            name=role_name,
            description=description,
            assume_role_policy=pulumi.Output.json_dumps(trust),
            max_session_duration=3600,
            tags={**base_tags(self._config.silo.environment, tenant=self._config.id), "Name": role_name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{role_name}-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(policy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

    def _app_trust(
        self, partition: pulumi.Output[str], account_id: pulumi.Output[str], oidc_provider_arn: pulumi.Input[str] | None
    ) -> pulumi.Input[dict]:
        """The tenant namespace's service account (IRSA) when the environment has a cluster, else sessions
        of this account tagged with the tenant."""
        config = self._config
        if oidc_provider_arn is None:
            return _trust(
                pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id),
                {"StringEquals": {"aws:PrincipalTag/tenant": config.id}},
            )
        subject = f"system:serviceaccount:{namespace_name(config.id)}:{SERVICE_ACCOUNT}"

        def document(arn: str) -> dict:
            issuer = arn.split("oidc-provider/", 1)[-1]
            return {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TenantServiceAccount",
                        "Effect": "Allow",
                        "Principal": {"Federated": arn},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{issuer}:sub": subject, f"{issuer}:aud": STS_AUDIENCE}},
                    }
                ],
            }

        return pulumi.Output.from_input(oidc_provider_arn).apply(document)

    def _app_policy(self, partition: pulumi.Output[str], account_id: pulumi.Output[str], key_arns: Mapping) -> dict:
        """Exactly the tenant's own queues, archive, connection secrets, database users and keys."""
        env = self._config.silo.environment
        databases = self.data.databases
        archive = self.payload_archive.arn
        statements: list[dict] = []
        if self.queues:
            statements.append(
                {
                    "Sid": "OwnFlows",
                    "Effect": "Allow",
                    "Action": [
                        "sqs:SendMessage",
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes",
                    ],
                    "Resource": [queue.queue_arn for queue in self.queues],
                }
            )
        statements += [
            {
                "Sid": "OwnPayloadArchive",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [pulumi.Output.concat(archive, "/*")],
            },
            {"Sid": "ListOwnPayloadArchive", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [archive]},
            {
                "Sid": "OwnConnectionSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [database.connection_secret_arn for database in databases.values()],
            },
            {
                "Sid": "OwnDatabaseUsers",
                "Effect": "Allow",
                "Action": ["rds-db:connect"],
                "Resource": [
                    pulumi.Output.format(
                        "arn:{0}:rds-db:{1}:{2}:dbuser:{3}/{4}_app",
                        partition,
                        env.region,
                        account_id,
                        database.cluster.cluster_resource_id,
                        postgres_identifier(db),
                    )
                    for db, database in databases.items()
                ],
            },
            {
                "Sid": "OwnKeys",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": list(key_arns.values()),
            },
        ]
        return {"Version": "2012-10-17", "Statement": statements}

    # -- Kubernetes --------------------------------------------------------------------------

    def _namespace(self) -> None:
        """Namespace with Pod Security `restricted`, quota, limits, default-deny (+ DNS) and the app's account."""
        config = self._config
        settings = config.spec.namespace
        name = self._name
        self.namespace_name = namespace_name(config.id)
        labels = {
            "app.kubernetes.io/managed-by": "crossdock",
            TENANT_LABEL: config.id,
            "crossdock.io/isolation": "silo",
            "crossdock.io/environment": config.environment_stack,
        }
        child = pulumi.ResourceOptions(parent=self, provider=self.kubernetes_provider)
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": self.namespace_name,
                "labels": {
                    **labels,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
            opts=child,
        )
        inside = pulumi.ResourceOptions(parent=self, provider=self.kubernetes_provider, depends_on=[self.namespace])

        def metadata(object_name: str, annotations: Mapping[str, pulumi.Input[str]] | None = None) -> dict:
            meta: dict = {"name": object_name, "namespace": self.namespace_name, "labels": labels}
            if annotations:
                meta["annotations"] = dict(annotations)
            return meta

        self.resource_quota = k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=metadata("tenant-quota"),
            spec={
                "hard": {
                    "requests.cpu": settings.cpu,
                    "limits.cpu": settings.cpu,
                    "requests.memory": settings.memory,
                    "limits.memory": settings.memory,
                    "pods": str(settings.pods),
                }
            },
            opts=inside,
        )
        container = {"cpu": settings.container_cpu, "memory": settings.container_memory}
        self.limit_range = k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=metadata("tenant-limits"),
            spec={
                "limits": [
                    {
                        "type": "Container",
                        "default": container,
                        "defaultRequest": container,
                        "max": {"cpu": settings.max_container_cpu, "memory": settings.max_container_memory},
                    }
                ]
            },
            opts=inside,
        )
        self.default_deny, self.allow_dns = default_deny_with_dns(name, metadata, inside)
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=metadata(SERVICE_ACCOUNT, {"eks.amazonaws.com/role-arn": self.app_role.arn}),
            automount_service_account_token=False,
            opts=inside,
        )

    # -- alarms --------------------------------------------------------------------------------

    def _throughput_alarm(self, topic_arn: pulumi.Input[str]) -> aws.cloudwatch.MetricAlarm | None:
        """All the tenant's flows together receive more than its quota for 5 minutes (metric math over its queues)."""
        if not self.queues:
            return None
        config = self._config
        quota = config.tenant.quotas.queue_messages_per_second
        queries = [
            {
                "id": f"m{index}",
                "return_data": False,
                "metric": {
                    "namespace": "AWS/SQS",
                    "metric_name": "NumberOfMessagesSent",
                    "dimensions": {"QueueName": queue.queue_name},
                    "period": 60,
                    "stat": "Sum",
                },
            }
            for index, queue in enumerate(self.queues)
        ]
        total = "+".join(query["id"] for query in queries)
        queries.append({"id": "total", "expression": total, "label": "messages sent per minute", "return_data": True})
        alarm_name = f"{self._name}-queue-throughput"
        return aws.cloudwatch.MetricAlarm(
            alarm_name,
            name=alarm_name,
            alarm_description=(
                f"Tenant {config.tenant.display_name} ({config.id}) sends more than its quota of {quota} messages/s "
                f"to its flows: an oversized import; its own queues back up first. Severity: warning. "
                f"Runbook: {RUNBOOK_NOISY_TENANT}."
            ),
            metric_queries=queries,
            evaluation_periods=5,
            threshold=float(quota * 60),
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags={
                **base_tags(config.silo.environment, tenant=config.id),
                "severity": Severity.WARNING.value,
                "runbook": RUNBOOK_NOISY_TENANT,
            },
            opts=pulumi.ResourceOptions(parent=self),
        )

    # -- outputs -------------------------------------------------------------------------------

    def _outputs(self) -> dict:
        config = self._config
        return {
            "tenant": config.id,
            "environment_stack": config.environment_stack,
            "databases": {
                db: {
                    "cluster_identifier": database.cluster_identifier,
                    "endpoint": database.endpoint,
                    "reader_endpoint": database.reader_endpoint,
                    "connection_secret_arn": database.connection_secret_arn,
                }
                for db, database in self.data.databases.items()
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
            "payload_archive_bucket": self.payload_archive.bucket_name,
            "key_arns": {dc: key.arn for dc, key in self.keys.items()},
            "app_role_arn": self.app_role.arn,
            "namespace": self.namespace_name,
            "dr": None
            if self.dr is None
            else {
                "region": config.silo.dr.region,
                "strategy": config.dr_strategy,
                "endpoints": self.dr.dr_endpoints,
                "backup_vault_arn": self.dr.dr_vault_arn,
            },
            "dashboard": self.observability.dashboard_name,
        }


def _trust(principal: pulumi.Input[str], condition: dict) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": condition,
            }
        ],
    }
