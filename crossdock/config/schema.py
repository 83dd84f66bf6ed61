"""The stack configuration contract shared by the Pulumi program, components and CLI.

Every stack file describes one environment under the `crossdock` config namespace.
Models are frozen (a config is a value, not a workspace) and reject unknown keys so
that a typo such as `azCont` fails loudly instead of silently using a default.
Field-local rules live here; rules that relate several sections live in
`crossdock.config.rules` so their errors can name the exact key.
"""

from __future__ import annotations

import re
from enum import StrEnum
from ipaddress import IPv4Network
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from crossdock.config.deploy import DeployPolicy

if TYPE_CHECKING:  # completed at run time by operations.py's model_rebuild (see StackConfig)
    from crossdock.config.operations import BusinessProcess, CommunicationTemplate, SeverityPolicy, Team

DNS_SAFE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
MAX_NAME_LENGTH = 40


def _dns_safe(value: str) -> str:
    if len(value) > MAX_NAME_LENGTH or not DNS_SAFE.match(value) or "--" in value:
        raise ValueError(
            f"{value!r} is not DNS-safe: use 2-{MAX_NAME_LENGTH} lowercase letters, digits "
            "and single hyphens, starting with a letter"
        )
    return value


DnsName = Annotated[str, AfterValidator(_dns_safe)]

# AWS accepts VPC CIDR blocks from /16 (65,536 addresses) to /28 (16 addresses).
VPC_MIN_PREFIX = 16
VPC_MAX_PREFIX = 28


def _vpc_size(value: IPv4Network) -> IPv4Network:
    if not VPC_MIN_PREFIX <= value.prefixlen <= VPC_MAX_PREFIX:
        raise ValueError(f"AWS VPCs are /{VPC_MIN_PREFIX} to /{VPC_MAX_PREFIX}, not /{value.prefixlen}")
    return value


VpcCidr = Annotated[IPv4Network, AfterValidator(_vpc_size)]
"""An IPv4 block AWS accepts as a VPC CIDR."""


class Tier(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"


class DrStrategy(StrEnum):
    BACKUP_RESTORE = "backup-restore"
    PILOT_LIGHT = "pilot-light"
    WARM_STANDBY = "warm-standby"


class Criticality(StrEnum):
    """Service tiers from the business-criticality model: recovery order follows it."""

    REAL_TIME_FULFILLMENT = "real-time-fulfillment"
    NEAR_REAL_TIME_INTEGRATION = "near-real-time-integration"
    INTERNAL_REPORTING = "internal-reporting"
    DEFERRED_ANALYTICS = "deferred-analytics"


class Severity(StrEnum):
    """Alert severities; each has its own encrypted SNS topic."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class Comparison(StrEnum):
    GREATER_THAN = "GreaterThanThreshold"
    GREATER_OR_EQUAL = "GreaterThanOrEqualToThreshold"
    LESS_THAN = "LessThanThreshold"
    LESS_OR_EQUAL = "LessThanOrEqualToThreshold"


class Model(BaseModel):
    """Base for every config section: frozen, camelCase keys, unknown keys rejected, no NaN or infinity.

    Stack files are validated through `crossdock.config.loader.validate_model`, which adds strict types
    (a boolean is not an integer, a string is not a number) and the one-line error with a did-you-mean
    for an unknown key at any depth. A new section gets all of it by deriving from this class and being
    a field of `StackConfig` (or by calling `validate_model` for a namespace of its own).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_enum_values=False,
        allow_inf_nan=False,
    )


# How long logs are kept per tier: production keeps a year for forensics and
# post-incident reviews; lower tiers keep enough to debug a release.
LOG_RETENTION_DAYS: dict[Tier, int] = {Tier.PRODUCTION: 365, Tier.STAGING: 90, Tier.DEVELOPMENT: 30}


class Environment(Model):
    name: DnsName = Field(description="Environment name, used as the prefix of every resource name.")
    tier: Tier = Field(description="Resilience tier: production, staging or development.")
    owner: str = Field(min_length=1, description="Team that owns the environment (the `owner` tag).")
    cost_center: str = Field(min_length=1, description="Cost centre billed for it (the `cost-center` tag).")
    region: str = Field(description="Primary AWS region; must equal the stack's `aws:region`.")
    az_count: int = Field(
        ge=2, le=6, description="Availability zones the environment spans (AWS needs two for DB subnet groups and EKS)."
    )
    vpc_cidr: VpcCidr = Field(description="VPC CIDR (/16 to /28); split into public, private and data subnets per AZ.")

    @property
    def log_retention_days(self) -> int:
        return LOG_RETENTION_DAYS[self.tier]


class DisasterRecovery(Model):
    region: str = Field(description="DR region holding replicas, backup copies and replicated buckets.")
    strategy: DrStrategy = Field(description="backup-restore, pilot-light or warm-standby.")


class RecoveryObjective(Model):
    """One disruption type's targets, the shape AWS Resilience Hub policies use."""

    rpo_minutes: float = Field(ge=0, description="Maximum tolerated data loss, in minutes.")
    rto_minutes: float = Field(gt=0, description="Maximum tolerated time to recover, in minutes.")


class DisruptionObjectives(Model):
    az: RecoveryObjective = Field(description="Targets when one availability zone fails.")
    hardware: RecoveryObjective | None = Field(
        default=None,
        description="Targets when one instance or host fails; absent means not declared (assessed as not covered).",
    )
    software: RecoveryObjective | None = Field(
        default=None,
        description="Targets after a bad deploy or corrupted data; absent means not declared (not covered).",
    )
    region: RecoveryObjective | None = Field(
        default=None,
        description="Targets when the primary region fails; set it to require a copy in the DR region.",
    )


class DataClass(Model):
    name: DnsName = Field(description="Data class name (the `data-class` tag), e.g. transactional.")
    description: str = Field(default="", description="What data belongs to this class.")
    objectives: DisruptionObjectives = Field(description="RPO/RTO targets per disruption type.")
    backup_retention_days: int = Field(ge=1, le=35, description="Days automated backups are kept (Aurora allows 1-35).")


class Database(Model):
    name: DnsName = Field(description="Database name; the Aurora cluster identifier derives from it.")
    data_class: str = Field(description="Data class of the data it holds (key, backups, DR).")
    engine: Literal["aurora-postgresql"] = Field(default="aurora-postgresql", description="Database engine.")
    engine_version: str = Field(default="16.4", description="Aurora PostgreSQL engine version.")
    instance_class: str = Field(
        pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", description="Instance class of the writer and readers."
    )
    readers: int = Field(ge=0, le=15, description="Reader instances beside the writer.")
    team: str | None = Field(
        default=None, description="Owning team (teams[].name): the `team` tag, alarm routing and who is paged."
    )


class Queue(Model):
    name: DnsName = Field(description="Integration flow name; the queue and its DLQ derive from it.")
    fifo: bool = Field(default=False, description="FIFO queue (ordering and exactly-once processing).")
    criticality: Criticality = Field(description="Business criticality of the flow.")
    data_class: str = Field(default="integration-payloads", description="Data class whose key encrypts the queue.")
    max_receive_count: int = Field(default=5, ge=1, le=1000, description="Receives before a message moves to the DLQ.")
    retention_seconds: int = Field(
        default=345600, ge=60, le=1209600, description="How long the queue keeps a message (SQS allows 60 s-14 days)."
    )
    visibility_timeout_seconds: int = Field(
        default=30, ge=0, le=43200, description="How long a received message stays hidden from other consumers."
    )
    age_alarm_seconds: int = Field(
        gt=0, description="Alarm when the oldest message is older than this (the flow is stuck)."
    )
    team: str | None = Field(
        default=None, description="Owning team (teams[].name): the `team` tag, alarm routing and who is paged."
    )


class Kpi(Model):
    name: DnsName = Field(description="Alarm name suffix, e.g. order-to-shipment-latency.")
    description: str = Field(default="", description="What the business sees when this fires.")
    metric: str = Field(min_length=1, description="Custom CloudWatch metric the application publishes.")
    namespace: str = Field(default="Crossdock/Business", description="CloudWatch namespace of the metric.")
    statistic: str = Field(
        default="Average",
        pattern=r"^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$",
        description="Statistic or percentile (p95) evaluated.",
    )
    threshold: float = Field(description="Threshold the statistic is compared with.")
    comparison: Comparison = Field(description="CloudWatch comparison operator.")
    period_seconds: int = Field(default=300, ge=60, description="Evaluation period (multiple of 60).")
    evaluation_periods: int = Field(default=3, ge=1, description="Periods that must breach before alarming.")
    severity: Severity = Field(description="Which alert topic is notified.")


class Subscription(Model):
    protocol: Literal["email", "https", "sqs", "lambda", "sms"] = Field(description="SNS subscription protocol.")
    endpoint: str = Field(min_length=1, description="Address, URL or ARN that receives the alerts.")


class Alerting(Model):
    critical: tuple[Subscription, ...] = Field(default=(), description="Who is paged for critical alerts.")
    warning: tuple[Subscription, ...] = Field(default=(), description="Who is notified of warnings.")
    info: tuple[Subscription, ...] = Field(default=(), description="Who receives informational alerts.")

    def subscriptions(self, severity: Severity) -> tuple[Subscription, ...]:
        subscriptions: tuple[Subscription, ...] = getattr(self, severity.value)
        return subscriptions


# -- transaction tier (EKS services) -------------------------------------------------------

# Kubernetes quantities crossdock accepts: millicores or cores, and binary memory units.
CPU_QUANTITY = r"^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$"
MEMORY_QUANTITY = r"^[1-9][0-9]*(Mi|Gi)$"


def cpu_millicores(quantity: str) -> int:
    """A CPU_QUANTITY in millicores: `250m` -> 250, `2` -> 2000, `0.5` -> 500."""
    return int(quantity[:-1]) if quantity.endswith("m") else round(float(quantity) * 1000)


def memory_mebibytes(quantity: str) -> int:
    """A MEMORY_QUANTITY in MiB: `512Mi` -> 512, `4Gi` -> 4096."""
    return int(quantity[:-2]) * (1024 if quantity.endswith("Gi") else 1)


# An image pinned by tag or digest; `latest` is rejected by the cross-section rules.
IMAGE_REFERENCE = r"^[a-z0-9][a-z0-9._/:-]*[a-z0-9](@sha256:[a-f0-9]{64})?$"


class DatabaseAccess(StrEnum):
    READ = "read"
    WRITE = "write"


class ReplicaRange(Model):
    min: int = Field(default=2, ge=1, le=100, description="Fewest pods (Deployment replicas and HPA minimum).")
    max: int = Field(default=6, ge=1, le=500, description="Most pods the HorizontalPodAutoscaler may run.")


class ServiceDatabase(Model):
    name: str = Field(description="Database (databases[].name) the service connects to, as `<db>_app` with IAM auth.")
    access: DatabaseAccess = Field(description="read (reader endpoint) or write (writer endpoint).")


class Service(Model):
    name: DnsName = Field(description="Service name: Deployment, ServiceAccount and IAM role derive from it.")
    image: str = Field(pattern=IMAGE_REFERENCE, description="Container image, pinned by digest (preferred) or tag.")
    port: int = Field(
        default=8080, ge=1024, le=65535, description="Container port (unprivileged: pods run as non-root)."
    )
    criticality: Criticality = Field(description="Business tier: namespace, node group, priority and alarms follow it.")
    replicas: ReplicaRange = Field(default_factory=ReplicaRange, description="Pod count range {min, max}.")
    cpu: str = Field(default="250m", pattern=CPU_QUANTITY, description="CPU request per pod (e.g. 250m).")
    memory: str = Field(default="512Mi", pattern=MEMORY_QUANTITY, description="Memory request and limit per pod.")
    health_path: str = Field(
        default="/healthz", pattern=r"^/[A-Za-z0-9._~/-]*$", description="HTTP path of probes and the canary."
    )
    public: bool = Field(default=False, description="Behind the internet-facing load balancer (else internal).")
    hostname: str | None = Field(
        default=None,
        pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$",
        description="Public DNS name of a public service (ingress host and canary URL).",
    )
    consumes: tuple[str, ...] = Field(default=(), description="Queues (queues[].name) it receives from.")
    produces: tuple[str, ...] = Field(default=(), description="Queues (queues[].name) it sends to.")
    database: ServiceDatabase | None = Field(default=None, description="Database it uses, and read or write access.")
    team: str | None = Field(
        default=None, description="Owning team (teams[].name): the `team` tag, alarm routing and who is paged."
    )


class Cluster(Model):
    kubernetes_version: str = Field(default="1.33", pattern=r"^1\.[0-9]{2}$", description="EKS Kubernetes version.")
    node_instance_types: tuple[str, ...] = Field(
        default=("m6i.large",), min_length=1, description="EC2 instance types of both managed node groups."
    )
    max_nodes_per_zone: int = Field(default=3, ge=1, le=100, description="Node group size limit, per zone.")
    public_endpoint_cidrs: tuple[IPv4Network, ...] = Field(
        default=(), description="CIDRs allowed to reach a public API endpoint; empty means private endpoint only."
    )
    waf_rate_limit: int = Field(
        default=2000, ge=100, le=2_000_000_000, description="Requests per client IP per 5 minutes before WAF blocks."
    )
    certificate_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$",
        description="ACM certificate of the public HTTPS listeners; required when a service is public.",
    )


# -- tenants (see docs/tenancy.md; cross-section rules in crossdock/config/tenancy.py) ------


class Isolation(StrEnum):
    """pool: shares the environment's databases and queues; silo: its own stack and data tier."""

    POOL = "pool"
    SILO = "silo"


class Risk(StrEnum):
    STANDARD = "standard"
    HIGH = "high"


class TenantQuotas(Model):
    requests_per_five_minutes: int = Field(
        ge=10, le=2_000_000_000, description="Requests per 5 minutes (WAF rate-based rule on the x-tenant-id header)."
    )
    queue_messages_per_second: int = Field(
        ge=1, le=100_000, description="Messages per second the tenant may send to its flows before its alarm fires."
    )


class Tenant(Model):
    id: DnsName = Field(description="Tenant id (the `tenant` tag and x-tenant-id header); unique across every stack.")
    display_name: str = Field(min_length=1, description="Customer name shown on dashboards and in alarms.")
    isolation: Isolation = Field(description="pool (shared data tier) or silo (own stack <env>-tenant-<id>).")
    risk: Risk = Field(default=Risk.STANDARD, description="standard or high; a high-risk tenant must be a silo.")
    flows: tuple[str, ...] = Field(default=(), description="Integration flows (queues[].name) the tenant uses.")
    quotas: TenantQuotas = Field(description="Request rate and queue throughput limits.")
    team: str | None = Field(
        default=None, description="Owning team (teams[].name): the `team` tag, alarm routing and who is paged."
    )


class StackConfig(Model):
    """Everything one stack file declares under the `crossdock` namespace."""

    environment: Environment = Field(description="The environment's identity, region and network.")
    dr: DisasterRecovery | None = Field(default=None, description="Cross-region disaster recovery; absent means none.")
    data_classes: tuple[DataClass, ...] = Field(min_length=1, description="Data classes with RPO/RTO and retention.")
    databases: tuple[Database, ...] = Field(default=(), description="Aurora PostgreSQL clusters.")
    queues: tuple[Queue, ...] = Field(default=(), description="Integration flows, each a queue with its DLQ.")
    kpis: tuple[Kpi, ...] = Field(default=(), description="Business KPIs alarmed on.")
    alerting: Alerting = Field(default_factory=Alerting, description="Alert subscriptions per severity.")
    cluster: Cluster = Field(default_factory=Cluster, description="EKS cluster of the transaction tier.")
    services: tuple[Service, ...] = Field(default=(), description="Transaction-tier services run on the cluster.")
    tenants: tuple[Tenant, ...] = Field(default=(), description="Tenants of this environment, pool or silo.")
    # The operating model: its models (Team, BusinessProcess, SeverityPolicy, CommunicationTemplate) live in
    # crossdock/config/operations.py, which builds on this module and completes StackConfig with
    # `model_rebuild` when it loads (the package's __init__ imports it before any StackConfig is made).
    teams: tuple[Team, ...] = Field(
        default=(), description="Teams: on-call per severity, escalation contacts and vendor contacts."
    )
    business_processes: tuple[BusinessProcess, ...] = Field(
        default=(), description="Business processes: criticality, what they depend on, their KPIs and owner."
    )
    severity: SeverityPolicy | None = Field(
        default=None, description="Business impact -> SEV1-SEV4, and per level who is paged and what customers hear."
    )
    communications: tuple[CommunicationTemplate, ...] = Field(
        default=(), description="Customer-communication templates per logistics event."
    )
    deploy: DeployPolicy = Field(
        default_factory=DeployPolicy,
        description="Change-freeze windows for `crossdock deploy-gate` (docs/deploy-safety.md).",
    )

    @property
    def is_production(self) -> bool:
        return self.environment.tier is Tier.PRODUCTION

    def data_class(self, name: str) -> DataClass:
        return next(dc for dc in self.data_classes if dc.name == name)


# The top-level keys of the `crossdock` namespace, in file order.
CONFIG_KEYS: tuple[str, ...] = tuple(field.alias or to_camel(name) for name, field in StackConfig.model_fields.items())
