"""Tenancy: the rules that relate tenants to the rest of a stack, and the silo tenant stack contract.

An environment stack registers its tenants under `crossdock:tenants` (models in
`crossdock.config.schema`: `Tenant`, `TenantQuotas`). Pool tenants share the
environment's data tier; silo tenants get a stack of their own, `<env>-tenant-<id>`,
whose file declares only `crossdock:tenant` (`TenantStackSpec` below). Everything else a
silo needs (tier, region, owner, DR region and strategy, data classes and their
objectives, KPIs, the tenant's flows and quotas) is inherited from the environment's
stack file at load time, so a silo can never drift from its environment's data classes
or DR strategy; see docs/tenancy.md.

This module only imports the schema (the cross-section rules in `rules.py` import it);
loading a tenant stack file lives in `crossdock.config.tenant_stack`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network

from pydantic import Field

from crossdock.config.resilience import needs_continuous_replication
from crossdock.config.schema import (
    CPU_QUANTITY,
    MAX_NAME_LENGTH,
    MEMORY_QUANTITY,
    Database,
    DnsName,
    Isolation,
    Model,
    Risk,
    StackConfig,
    Tenant,
    VpcCidr,
    cpu_millicores,
    memory_mebibytes,
)
from crossdock.config.subnets import dr_vpc_cidr

Problem = tuple[str, str]

# The request header the web ACL's per-tenant rate rules key on; the edge (API
# gateway or ingress) sets it from the authenticated session, never from the client.
TENANT_HEADER = "x-tenant-id"
# What every silo resource name starts with after the environment name.
TENANT_STACK_INFIX = "-tenant-"
SQS_NAME_LIMIT = 80
DLQ_FIFO_SUFFIX = "-dlq.fifo"


def tenant_stack_name(environment_stack: str, tenant_id: str) -> str:
    """The silo tenant's stack (and resource-name prefix): `prod-tenant-acme`."""
    return f"{environment_stack}{TENANT_STACK_INFIX}{tenant_id}"


# -- rules over an environment's `tenants` ----------------------------------------------------


def check_tenants(config: StackConfig) -> Iterator[Problem]:
    """Problems of the `tenants` section of one environment stack, each naming its key."""
    env = config.environment.name
    queues = {queue.name: queue for queue in config.queues}
    seen: dict[str, int] = {}
    for index, tenant in enumerate(config.tenants):
        key = f"tenants[{index}]"
        if tenant.id in seen:
            yield f"{key}.id", f"duplicate tenant id {tenant.id!r} (already used by tenants[{seen[tenant.id]}])"
        seen.setdefault(tenant.id, index)
        if tenant.risk is Risk.HIGH and tenant.isolation is not Isolation.SILO:
            yield (
                f"{key}.isolation",
                f"tenant {tenant.id!r} is high-risk, so it must be isolation: silo (its own stack, database, keys "
                f"and queues), not {tenant.isolation.value}",
            )
        listed: dict[str, int] = {}
        for position, flow in enumerate(tenant.flows):
            if flow in listed:
                yield f"{key}.flows[{position}]", f"flow {flow!r} is listed twice (also flows[{listed[flow]}])"
            listed.setdefault(flow, position)
            if flow not in queues:
                yield (
                    f"{key}.flows[{position}]",
                    f"tenant {tenant.id!r} uses flow {flow!r}, which is not a queue of environment {env!r} "
                    f"(queues: {', '.join(sorted(queues)) or 'none'})",
                )
        if tenant.isolation is not Isolation.SILO:
            continue
        silo = tenant_stack_name(env, tenant.id)
        if len(silo) > MAX_NAME_LENGTH:
            yield (
                f"{key}.id",
                f"the silo stack and resource prefix {silo!r} would exceed {MAX_NAME_LENGTH} characters; "
                "use a shorter tenant id",
            )
            continue
        for position, flow in enumerate(tenant.flows):
            longest = f"{silo}-{flow}{DLQ_FIFO_SUFFIX}"
            if flow in queues and len(longest) > SQS_NAME_LIMIT:
                yield (
                    f"{key}.flows[{position}]",
                    f"the silo's queue {longest!r} would exceed SQS's {SQS_NAME_LIMIT}-character limit",
                )


# -- the silo tenant stack (`crossdock:tenant`) -------------------------------------------------


class TenantNamespace(Model):
    """The tenant's Kubernetes namespace: what its ResourceQuota and LimitRange allow."""

    cpu: str = Field(default="8", pattern=CPU_QUANTITY, description="ResourceQuota: total CPU requests and limits.")
    memory: str = Field(
        default="16Gi", pattern=MEMORY_QUANTITY, description="ResourceQuota: total memory requests and limits."
    )
    pods: int = Field(default=40, ge=1, le=1000, description="ResourceQuota: most pods the namespace may run.")
    container_cpu: str = Field(
        default="250m",
        pattern=CPU_QUANTITY,
        description="LimitRange: CPU request and limit of a container that sets none.",
    )
    container_memory: str = Field(
        default="512Mi",
        pattern=MEMORY_QUANTITY,
        description="LimitRange: memory request and limit of a container that sets none.",
    )
    max_container_cpu: str = Field(
        default="2", pattern=CPU_QUANTITY, description="LimitRange: most CPU one container may use."
    )
    max_container_memory: str = Field(
        default="4Gi", pattern=MEMORY_QUANTITY, description="LimitRange: most memory one container may use."
    )


class TenantStackSpec(Model):
    """Everything a silo tenant stack file declares, under `crossdock:tenant`."""

    id: DnsName = Field(description="The tenant's id; must be registered as a silo in the environment stack.")
    environment_stack: DnsName = Field(
        description="The environment's stack (e.g. prod); its file must sit in the same stacks directory."
    )
    databases: tuple[Database, ...] = Field(
        min_length=1, description="The tenant's own Aurora clusters (same keys as crossdock:databases)."
    )
    dr_vpc_cidr: VpcCidr | None = Field(
        default=None,
        description="CIDR of the tenant's own VPC in the DR region, for its Global Database secondaries; required "
        "when a database's data class needs continuous replication.",
    )
    namespace: TenantNamespace = Field(
        default_factory=TenantNamespace, description="Quota and limits of the tenant's Kubernetes namespace."
    )


def check_namespace(namespace: TenantNamespace) -> Iterator[Problem]:
    """Container defaults must fit under the per-container maximum, which must fit in the quota."""
    pairs = (
        ("containerCpu", namespace.container_cpu, "maxContainerCpu", namespace.max_container_cpu, cpu_millicores),
        ("maxContainerCpu", namespace.max_container_cpu, "cpu", namespace.cpu, cpu_millicores),
        (
            "containerMemory",
            namespace.container_memory,
            "maxContainerMemory",
            namespace.max_container_memory,
            memory_mebibytes,
        ),
        ("maxContainerMemory", namespace.max_container_memory, "memory", namespace.memory, memory_mebibytes),
    )
    for key, value, bound_key, bound, parse in pairs:
        if parse(value) > parse(bound):
            yield f"tenant.namespace.{key}", f"{value} is more than {bound_key} ({bound})"


@dataclass(frozen=True)
class TenantStackConfig:
    """A validated silo tenant stack: its own spec, what it inherits, and the derived silo config."""

    stack: str
    """The tenant stack's name, `<environment stack>-tenant-<id>`."""
    spec: TenantStackSpec
    environment_stack: str
    environment: StackConfig
    """The environment stack's config (read from its stack file)."""
    tenant: Tenant
    """The tenant's registration in the environment stack (isolation silo)."""
    silo: StackConfig
    """The config the silo's components are built from: the environment's data classes, DR, KPIs and the tenant's
    flows, with the tenant's own databases, under the environment name `<env>-tenant-<id>`."""

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def name(self) -> str:
        """Prefix of every silo resource name (equal to the stack name)."""
        return self.silo.environment.name

    @property
    def is_production(self) -> bool:
        return self.environment.is_production

    @property
    def dr_strategy(self) -> str | None:
        return self.environment.dr.strategy.value if self.environment.dr else None

    def needs_dr_vpc(self) -> bool:
        return needs_dr_vpc(self.environment, self.spec.databases)


def needs_dr_vpc(environment: StackConfig, databases: tuple[Database, ...]) -> bool:
    """True when the environment has DR and one of `databases` needs a Global Database secondary."""
    if environment.dr is None:
        return False
    declared = {dc.name: dc for dc in environment.data_classes}
    for database in databases:
        data_class = declared.get(database.data_class)
        region = data_class.objectives.region if data_class else None
        if needs_continuous_replication(region.rpo_minutes if region else None):
            return True
    return False


def derive_silo_config(environment: StackConfig, tenant: Tenant, spec: TenantStackSpec, stack: str) -> StackConfig:
    """The environment's config as the silo sees it: same classes, DR, KPIs and teams; own databases and flows."""
    flows = set(tenant.flows)
    return StackConfig(
        environment=environment.environment.model_copy(update={"name": stack}),
        dr=environment.dr,
        data_classes=environment.data_classes,
        databases=spec.databases,
        queues=tuple(queue for queue in environment.queues if queue.name in flows),
        kpis=environment.kpis,
        alerting=environment.alerting,
        # Who is paged and what customers hear follow the environment; its process map stays there.
        teams=environment.teams,
        severity=environment.severity,
        communications=environment.communications,
    )


def environment_networks(environment: StackConfig) -> list[tuple[str, IPv4Network]]:
    """The address blocks an environment stack occupies: its VPC, and its DR VPC when it builds one."""
    networks = [("VPC", environment.environment.vpc_cidr)]
    if environment.dr is not None and needs_dr_vpc(environment, environment.databases):
        networks.append((f"DR VPC in {environment.dr.region}", dr_vpc_cidr(environment.environment.vpc_cidr)))
    return networks
