"""Rules that relate several parts of a stack config, each naming the key at fault.

Pydantic checks a field against itself; these checks need the whole picture (is the
DR region different from the primary? can the DR strategy meet the region RPO?).
Each returns (dotted key, message) pairs so the loader can point at the exact line
a platform engineer has to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from ipaddress import IPv4Network, collapse_addresses
from typing import Any

from crossdock.config.operations import check_operations
from crossdock.config.regions import AZ_COUNT
from crossdock.config.resilience import STRATEGY_CAPABILITY
from crossdock.config.schema import Criticality, Database, Queue, StackConfig, Tier
from crossdock.config.subnets import plan_subnets
from crossdock.config.tenancy import check_tenants

Problem = tuple[str, str]

# Names that the blueprint itself relies on: the audit bucket and the payload
# archive are encrypted with these classes' keys and follow their retention.
REQUIRED_DATA_CLASSES = ("audit", "integration-payloads")
PRODUCTION_MIN_AZS = 3
SQS_NAME_LIMIT = 80
AURORA_IDENTIFIER_LIMIT = 63
# The longest suffixes crossdock appends: "-dlq.fifo" to queues, "-dr-secondary" to clusters.
QUEUE_SUFFIX = "-dlq.fifo"
CLUSTER_SUFFIX = "-dr-secondary"


def check_stack(config: StackConfig) -> list[Problem]:
    """All cross-section problems of a parsed stack config, in file order."""
    return [
        *_unique_names(config),
        *_regions_and_zones(config),
        *_production_baseline(config),
        *_data_class_references(config),
        *_recovery_objectives(config),
        *_queue_limits(config),
        *_derived_name_lengths(config),
        *_kpi_periods(config),
        *_cluster_settings(config),
        *_service_references(config),
        *_service_settings(config),
        *check_tenants(config),
        *check_operations(config),
    ]


def _unique_names(config: StackConfig) -> Iterator[Problem]:
    sections: dict[str, Sequence[Any]] = {
        "dataClasses": config.data_classes,
        "databases": config.databases,
        "queues": config.queues,
        "kpis": config.kpis,
        "services": config.services,
    }
    for section, items in sections.items():
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.name in seen:
                yield (
                    f"{section}[{index}].name",
                    f"duplicate name {item.name!r} (already used by {section}[{seen[item.name]}])",
                )
            seen.setdefault(item.name, index)


def _regions_and_zones(config: StackConfig) -> Iterator[Problem]:
    env = config.environment
    if env.region not in AZ_COUNT:
        yield "environment.region", f"unknown region {env.region!r}; known regions: {', '.join(sorted(AZ_COUNT))}"
    elif env.az_count > AZ_COUNT[env.region]:
        yield (
            "environment.azCount",
            f"{env.region} has {AZ_COUNT[env.region]} availability zones, {env.az_count} requested",
        )
    try:
        plan_subnets(env.vpc_cidr, env.az_count)
    except ValueError as error:
        yield "environment.vpcCidr", str(error)
    if config.dr is None:
        return
    if config.dr.region == env.region:
        yield "dr.region", f"the DR region must differ from the primary region ({env.region})"
    elif config.dr.region not in AZ_COUNT:
        yield "dr.region", f"unknown region {config.dr.region!r}; known regions: {', '.join(sorted(AZ_COUNT))}"


def _production_baseline(config: StackConfig) -> Iterator[Problem]:
    if config.environment.tier is not Tier.PRODUCTION:
        return
    if config.environment.az_count < PRODUCTION_MIN_AZS:
        yield (
            "environment.azCount",
            f"production needs at least {PRODUCTION_MIN_AZS} availability zones, got {config.environment.az_count}",
        )
    if config.dr is None:
        yield "dr", "production needs a dr section (a DR region and strategy)"


def _data_class_references(config: StackConfig) -> Iterator[Problem]:
    declared = {dc.name for dc in config.data_classes}
    for required in REQUIRED_DATA_CLASSES:
        if required not in declared:
            yield (
                "dataClasses",
                f"a {required!r} data class is required: it encrypts the {required} bucket and sets its retention",
            )
    sections: tuple[tuple[str, Sequence[Database | Queue]], ...] = (
        ("databases", config.databases),
        ("queues", config.queues),
    )
    for section, items in sections:
        for index, item in enumerate(items):
            if item.data_class not in declared:
                yield (
                    f"{section}[{index}].dataClass",
                    f"{section[:-1]} {item.name!r} names data class {item.data_class!r}, which is not declared "
                    f"in dataClasses (declared: {', '.join(sorted(declared))})",
                )


def _recovery_objectives(config: StackConfig) -> Iterator[Problem]:
    for index, data_class in enumerate(config.data_classes):
        region = data_class.objectives.region
        if region is None:
            continue
        key = f"dataClasses[{index}].objectives.region"
        if config.dr is None:
            yield (
                key,
                f"data class {data_class.name!r} declares a region RPO/RTO but the stack has no dr section; "
                "add dr or remove the region objective",
            )
            continue
        strategy = config.dr.strategy.value
        capability = STRATEGY_CAPABILITY[strategy]
        if region.rpo_minutes < capability.min_rpo_minutes:
            yield (
                f"{key}.rpoMinutes",
                f"a {region.rpo_minutes:g}-minute region RPO cannot be met by {strategy}: {capability.why} "
                f"(best RPO {capability.min_rpo_minutes:g} minutes)",
            )
        if region.rto_minutes < capability.min_rto_minutes:
            yield (
                f"{key}.rtoMinutes",
                f"a {region.rto_minutes:g}-minute region RTO cannot be met by {strategy}: {capability.why} "
                f"(best RTO {capability.min_rto_minutes:g} minutes)",
            )


def _queue_limits(config: StackConfig) -> Iterator[Problem]:
    for index, queue in enumerate(config.queues):
        if queue.age_alarm_seconds >= queue.retention_seconds:
            yield (
                f"queues[{index}].ageAlarmSeconds",
                f"the age alarm ({queue.age_alarm_seconds} s) must fire before messages expire "
                f"(retention {queue.retention_seconds} s)",
            )


def _derived_name_lengths(config: StackConfig) -> Iterator[Problem]:
    env = config.environment.name
    for index, queue in enumerate(config.queues):
        longest = f"{env}-{queue.name}{QUEUE_SUFFIX}"
        if len(longest) > SQS_NAME_LIMIT:
            yield f"queues[{index}].name", f"{longest!r} would exceed SQS's {SQS_NAME_LIMIT}-character limit"
    for index, database in enumerate(config.databases):
        longest = f"{env}-{database.name}{CLUSTER_SUFFIX}"
        if len(longest) > AURORA_IDENTIFIER_LIMIT:
            yield (
                f"databases[{index}].name",
                f"{longest!r} would exceed Aurora's {AURORA_IDENTIFIER_LIMIT}-character identifier limit",
            )


def _kpi_periods(config: StackConfig) -> Iterator[Problem]:
    for index, kpi in enumerate(config.kpis):
        if kpi.period_seconds % 60:
            yield f"kpis[{index}].periodSeconds", f"CloudWatch periods are multiples of 60 s, got {kpi.period_seconds}"


# -- transaction tier ---------------------------------------------------------------------

# At least two pods so one can fail or be drained; real-time fulfilment in production
# runs one per zone of the three a production environment spans.
MIN_REPLICAS = 2
PRODUCTION_REAL_TIME_MIN_REPLICAS = 3
# The public API endpoint's allow-list (cluster.publicEndpointCidrs) may cover at most a /16 in total:
# office and VPN egress ranges, not provider-sized blocks (and never the internet split into pieces).
PUBLIC_ENDPOINT_MAX_ADDRESSES = 2**16
IAM_ROLE_NAME_LIMIT = 64
LOAD_BALANCER_NAME_LIMIT = 32


def _declared(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def _cluster_settings(config: StackConfig) -> Iterator[Problem]:
    cidrs = config.cluster.public_endpoint_cidrs
    union = list(collapse_addresses(cidrs))
    covered = sum(network.num_addresses for network in union)
    whole = next((index for index, cidr in enumerate(cidrs) if cidr.prefixlen == 0), None)
    if whole is not None:
        yield (
            f"cluster.publicEndpointCidrs[{whole}]",
            f"{cidrs[whole]} would open the Kubernetes API endpoint to the whole internet; list the networks that "
            "need it",
        )
    elif union == [IPv4Network("0.0.0.0/0")]:
        listed = ", ".join(str(cidr) for cidr in cidrs)
        yield (
            "cluster.publicEndpointCidrs",
            f"{listed} together would open the Kubernetes API endpoint to the whole internet; "
            "list the networks that need it",
        )
    elif covered > PUBLIC_ENDPOINT_MAX_ADDRESSES:
        widest = min(cidrs, key=lambda cidr: cidr.prefixlen)
        yield (
            "cluster.publicEndpointCidrs",
            f"the ranges allow {covered:,} addresses (widest {widest}) to reach the Kubernetes API endpoint; "
            f"at most {PUBLIC_ENDPOINT_MAX_ADDRESSES:,} (one /{32 - PUBLIC_ENDPOINT_MAX_ADDRESSES.bit_length() + 1}) "
            "are allowed: list the networks that need it",
        )
    if any(service.public for service in config.services) and config.cluster.certificate_arn is None:
        yield "cluster.certificateArn", "public services need an ACM certificate ARN for their HTTPS listener"


def _service_references(config: StackConfig) -> Iterator[Problem]:
    queues = {queue.name for queue in config.queues}
    databases = {database.name for database in config.databases}
    for index, service in enumerate(config.services):
        for verb, names in (("consumes", service.consumes), ("produces", service.produces)):
            for position, queue in enumerate(names):
                if queue not in queues:
                    yield (
                        f"services[{index}].{verb}[{position}]",
                        f"service {service.name!r} {verb} queue {queue!r}, which is not declared in queues "
                        f"(declared: {_declared(queues)})",
                    )
        if service.database is not None and service.database.name not in databases:
            yield (
                f"services[{index}].database.name",
                f"service {service.name!r} uses database {service.database.name!r}, which is not declared in "
                f"databases (declared: {_declared(databases)})",
            )


def _service_settings(config: StackConfig) -> Iterator[Problem]:
    env = config.environment.name
    production = config.environment.tier is Tier.PRODUCTION
    for index, service in enumerate(config.services):
        key = f"services[{index}]"
        image = service.image.split("@", 1)[0]
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
        if "@" not in service.image and tag in (None, "latest"):
            yield (
                f"{key}.image",
                f"image {service.image!r} is not pinned: use a digest (@sha256:...) or a tag other than latest",
            )
        replicas = service.replicas
        needed = MIN_REPLICAS
        why = "so one pod can fail or be drained while the other serves"
        if production and service.criticality is Criticality.REAL_TIME_FULFILLMENT:
            needed, why = PRODUCTION_REAL_TIME_MIN_REPLICAS, "in production, one per availability zone"
        if replicas.min < needed:
            yield (
                f"{key}.replicas.min",
                f"service {service.name!r} ({service.criticality.value}) needs at least {needed} replicas {why}, "
                f"got {replicas.min}",
            )
        if replicas.max < replicas.min:
            yield f"{key}.replicas.max", f"replicas.max ({replicas.max}) must be at least replicas.min ({replicas.min})"
        if service.public and service.hostname is None:
            yield f"{key}.hostname", f"public service {service.name!r} needs a hostname (ingress host and canary URL)"
        if not service.public and service.hostname is not None:
            yield f"{key}.hostname", f"service {service.name!r} is internal; only public services take a hostname"
        role = f"{env}-{service.name}"
        if len(role) > IAM_ROLE_NAME_LIMIT:
            yield f"{key}.name", f"{role!r} would exceed IAM's {IAM_ROLE_NAME_LIMIT}-character role name limit"
        if service.public and len(role) > LOAD_BALANCER_NAME_LIMIT:
            yield (
                f"{key}.name",
                f"{role!r} would exceed the {LOAD_BALANCER_NAME_LIMIT}-character load balancer name limit",
            )
