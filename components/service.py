"""One transaction-tier service on EKS: identity, workload, disruption budget, autoscaling, fence.

Children (all named from the component name, `<env>-<service>`):
- `ServiceIdentity`: the IRSA role and its least-privilege policy;
- ServiceAccount annotated with the role ARN (no API token mounted);
- Deployment: replicas from config (at least 2, 3 for real-time fulfilment in
  production, checked by the config rules and the pack), spread over zones and hosts,
  requests and limits, readiness and liveness probes on the health path, non-root,
  read-only root filesystem, every capability dropped, no privilege escalation,
  RuntimeDefault seccomp, the tier's PriorityClass, and for real-time fulfilment the
  dedicated node group (nodeSelector plus toleration of its taint);
- Service (ClusterIP) in front of the pods;
- PodDisruptionBudget: at most one pod down for voluntary disruptions (node drains,
  upgrades), so a drain never takes a whole zone's worth of a service;
- HorizontalPodAutoscaler (autoscaling/v2) between replicas.min and replicas.max on
  CPU, scaling up fast and down slowly (peaks at shift start and carrier cut-off);
- NetworkPolicy: what the pods may reach and be reached from, on top of the
  namespace's default-deny (public: the load balancer's subnets on the service port;
  internal: the tier namespaces; egress 443 to the VPC, i.e. the AWS interface
  endpoints, and 5432 to the VPC for a service with a database).

The Deployment's `spec.replicas` is set once and then owned by the HPA
(`ignore_changes`), so a `pulumi up` during a peak never scales a service back down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import GENERAL_POOL, NODE_POOL_LABEL, REAL_TIME_POOL, REAL_TIME_TAINT_KEY, priority_class_name
from components.database import POSTGRES_PORT, postgres_identifier
from components.service_identity import ServiceDatabaseAccess, ServiceIdentity, ServiceIdentityArgs, database_user
from components.tier_namespace import (
    PART_OF,
    PART_OF_LABEL,
    common_labels,
    cpu_limit_millicores,
    namespace_name,
)
from crossdock.config.schema import Criticality, DatabaseAccess, Environment, Queue, Service

APP_LABEL = "app.kubernetes.io/name"
CONTAINER = "app"
# An unprivileged UID/GID outside the range images commonly bake in (checkov asks for >= 10000).
RUN_AS = 10001
HTTPS_PORT = 443
ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"
# Scale out when pods average this share of their CPU request; real-time keeps more headroom.
TARGET_CPU = {Criticality.REAL_TIME_FULFILLMENT: 60}
DEFAULT_TARGET_CPU = 70


@dataclass
class ServiceDatabaseWiring:
    name: str
    cluster_resource_id: pulumi.Input[str]
    # The writer endpoint for write access, the reader endpoint for read access.
    endpoint: pulumi.Input[str]


@dataclass
class TransactionServiceArgs:
    spec: Service
    environment: Environment
    provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    vpc_cidr: str
    # CIDRs of the public subnets, where the load balancer's nodes live (public services only).
    load_balancer_cidrs: Sequence[str] = ()
    # (spec, arn, url) per queue name, for the queues the service consumes / produces.
    consumed: Mapping[str, tuple[Queue, pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    produced: Mapping[str, tuple[Queue, pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    key_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    database: ServiceDatabaseWiring | None = None
    region: pulumi.Input[str] = ""
    account_id: pulumi.Input[str] = ""
    partition: pulumi.Input[str] = "aws"
    # Resources the workload must wait for (its namespace, the PriorityClasses).
    depends_on: Sequence[pulumi.Resource] = ()
    # Owner and business processes (components.tags.ownership_tags): IAM role tags, `crossdock.io/team` label
    # and `crossdock.io/business-process` annotation (a label value cannot hold several processes).
    ownership: Mapping[str, str] = field(default_factory=dict)


TEAM_LABEL = "crossdock.io/team"
PROCESS_ANNOTATION = "crossdock.io/business-process"


def pod_labels(spec: Service, environment: Environment) -> dict[str, str]:
    return {**common_labels(environment, spec.criticality), APP_LABEL: spec.name}


class TransactionService(pulumi.ComponentResource):
    """ServiceIdentity, ServiceAccount, Deployment, Service, PDB, HPA and NetworkPolicy of one service."""

    def __init__(self, name: str, args: TransactionServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:transaction:Service", name, None, opts)
        spec, env = args.spec, args.environment
        self.spec = spec
        self.namespace = namespace_name(spec.criticality)
        labels = pod_labels(spec, env)
        selector = {APP_LABEL: spec.name}
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(args.depends_on))

        self.identity = ServiceIdentity(
            f"{name}-identity",
            ServiceIdentityArgs(
                service=spec,
                environment=env,
                namespace=self.namespace,
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer=args.oidc_issuer,
                consumed={queue: (q, arn) for queue, (q, arn, _) in args.consumed.items()},
                produced={queue: (q, arn) for queue, (q, arn, _) in args.produced.items()},
                key_arns=args.key_arns,
                database=ServiceDatabaseAccess(args.database.name, args.database.cluster_resource_id)
                if args.database
                else None,
                region=args.region,
                account_id=args.account_id,
                partition=args.partition,
                ownership=args.ownership,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        if "team" in args.ownership:
            labels = {**labels, TEAM_LABEL: args.ownership["team"]}
        annotations = (
            {PROCESS_ANNOTATION: args.ownership["business-process"]} if "business-process" in args.ownership else None
        )

        def metadata(object_name: str) -> dict:
            meta = {"name": object_name, "namespace": self.namespace, "labels": labels}
            return {**meta, "annotations": annotations} if annotations else meta

        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={
                **metadata(spec.name),
                "annotations": {
                    "eks.amazonaws.com/role-arn": self.identity.role_arn,
                    "eks.amazonaws.com/sts-regional-endpoints": "true",
                },
            },
            automount_service_account_token=False,
            opts=k8s_opts,
        )
        self.deployment = k8s.apps.v1.Deployment(
            name,
            metadata=metadata(spec.name),
            spec={
                "replicas": spec.replicas.min,
                "revisionHistoryLimit": 5,
                "selector": {"matchLabels": selector},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": self._pod_spec(args, labels, selector),
                },
            },
            opts=pulumi.ResourceOptions.merge(
                k8s_opts, pulumi.ResourceOptions(depends_on=[self.service_account], ignore_changes=["spec.replicas"])
            ),
        )
        self.service = k8s.core.v1.Service(
            f"{name}-svc",
            metadata=metadata(spec.name),
            spec={
                "type": "ClusterIP",
                "selector": selector,
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=k8s_opts,
        )
        self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=metadata(spec.name),
            spec={"maxUnavailable": 1, "selector": {"matchLabels": selector}},
            opts=k8s_opts,
        )
        self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-hpa",
            metadata=metadata(spec.name),
            spec={
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
                "minReplicas": spec.replicas.min,
                "maxReplicas": spec.replicas.max,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {
                                "type": "Utilization",
                                "averageUtilization": TARGET_CPU.get(spec.criticality, DEFAULT_TARGET_CPU),
                            },
                        },
                    }
                ],
                "behavior": {
                    "scaleUp": {"stabilizationWindowSeconds": 0},
                    "scaleDown": {"stabilizationWindowSeconds": 300},
                },
            },
            opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[self.deployment])),
        )
        self.network_policy = k8s.networking.v1.NetworkPolicy(
            f"{name}-netpol",
            metadata=metadata(spec.name),
            spec=self._network_policy(args, selector),
            opts=k8s_opts,
        )

        self.role_arn = self.identity.role_arn
        self.register_outputs({"namespace": self.namespace, "role_arn": self.role_arn, "service_name": spec.name})

    def _pod_spec(self, args: TransactionServiceArgs, labels: dict, selector: dict) -> dict:
        spec = args.spec
        real_time = spec.criticality is Criticality.REAL_TIME_FULFILLMENT
        # Real-time pods refuse to double up in a zone; other tiers prefer spreading but run anyway.
        zone_rule = "DoNotSchedule" if real_time else "ScheduleAnyway"
        pod: dict = {
            "serviceAccountName": spec.name,
            "automountServiceAccountToken": False,
            "priorityClassName": priority_class_name(spec.criticality),
            "terminationGracePeriodSeconds": 30,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": RUN_AS,
                "runAsGroup": RUN_AS,
                "fsGroup": RUN_AS,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "nodeSelector": {NODE_POOL_LABEL: REAL_TIME_POOL if real_time else GENERAL_POOL},
            "topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "topologyKey": ZONE_KEY,
                    "whenUnsatisfiable": zone_rule,
                    "labelSelector": {"matchLabels": selector},
                },
                {
                    "maxSkew": 1,
                    "topologyKey": HOST_KEY,
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": selector},
                },
            ],
            "containers": [self._container(args)],
            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
        }
        if real_time:
            pod["tolerations"] = [
                {"key": REAL_TIME_TAINT_KEY, "operator": "Equal", "value": "true", "effect": "NoSchedule"}
            ]
        return pod

    def _container(self, args: TransactionServiceArgs) -> dict:
        spec = args.spec
        probe = {"httpGet": {"path": spec.health_path, "port": "http"}, "timeoutSeconds": 2, "failureThreshold": 3}
        return {
            "name": CONTAINER,
            "image": spec.image,
            "imagePullPolicy": "Always",
            "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
            "env": self._environment(args),
            "resources": {
                "requests": {"cpu": spec.cpu, "memory": spec.memory},
                "limits": {"cpu": f"{cpu_limit_millicores(spec)}m", "memory": spec.memory},
            },
            "readinessProbe": {**probe, "periodSeconds": 5},
            "livenessProbe": {**probe, "initialDelaySeconds": 15, "periodSeconds": 10},
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "privileged": False,
                "readOnlyRootFilesystem": True,
                "runAsNonRoot": True,
                "runAsUser": RUN_AS,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        }

    def _environment(self, args: TransactionServiceArgs) -> list[dict]:
        spec, env = args.spec, args.environment
        variables: list[dict] = [
            {"name": "SERVICE_NAME", "value": spec.name},
            {"name": "CROSSDOCK_ENVIRONMENT", "value": env.name},
            {"name": "AWS_REGION", "value": env.region},
            {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
            {"name": "PORT", "value": str(spec.port)},
        ]
        for verb, queues in (("CONSUME", args.consumed), ("PRODUCE", args.produced)):
            for queue, (_, _, url) in queues.items():
                variables.append({"name": f"{verb}_{_env_name(queue)}_URL", "value": url})
        if args.database is not None:
            variables += [
                {"name": "DATABASE_HOST", "value": args.database.endpoint},
                {"name": "DATABASE_PORT", "value": str(POSTGRES_PORT)},
                {"name": "DATABASE_NAME", "value": postgres_identifier(args.database.name)},
                {"name": "DATABASE_USER", "value": database_user(args.database.name)},
                {"name": "DATABASE_AUTH", "value": "iam"},
            ]
        return variables

    def _network_policy(self, args: TransactionServiceArgs, selector: dict) -> dict:
        spec = args.spec
        port = [{"protocol": "TCP", "port": spec.port}]
        if spec.public:
            sources = [{"ipBlock": {"cidr": cidr}} for cidr in args.load_balancer_cidrs]
        else:
            sources = [{"namespaceSelector": {"matchLabels": {PART_OF_LABEL: PART_OF}}}]
        egress = [{"to": [{"ipBlock": {"cidr": args.vpc_cidr}}], "ports": [{"protocol": "TCP", "port": HTTPS_PORT}]}]
        if args.database is not None:
            egress.append(
                {"to": [{"ipBlock": {"cidr": args.vpc_cidr}}], "ports": [{"protocol": "TCP", "port": POSTGRES_PORT}]}
            )
        return {
            "podSelector": {"matchLabels": selector},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": port}],
            "egress": egress,
        }


def _env_name(queue: str) -> str:
    return queue.upper().replace("-", "_")


def database_endpoint(
    access: DatabaseAccess, writer: pulumi.Input[str], reader: pulumi.Input[str]
) -> pulumi.Input[str]:
    return writer if access is DatabaseAccess.WRITE else reader
