"""`crossdock new tenant`: register a tenant in its environment stack, and write a silo's stack file.

Registration appends to `crossdock:tenants` in the environment's stack file with a
ruamel.yaml round trip, so the file keeps its comments, quoting and key order (a
missing `crossdock:tenants` is added at the end of `config`). A silo tenant also gets
`Pulumi.<env>-tenant-<id>.yaml` from `stacks/templates/tenant-silo.yaml`, with copies
of the environment's databases and, when its databases need a Global Database
secondary, a DR VPC block that overlaps no stack's network. Tenant ids are unique
across every stack file of the stacks directory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from crossdock.config.loader import load_stack_file
from crossdock.config.operations import check_operations
from crossdock.config.schema import Isolation, Risk, Tenant, TenantQuotas
from crossdock.config.tenancy import check_tenants, needs_dr_vpc, tenant_stack_name
from crossdock.engine.project import display_path
from crossdock.templates.networks import next_free, occupied, raw_namespace, stack_files, stack_name
from crossdock.templates.render import (
    TemplateError,
    Written,
    dump,
    indent,
    refuse_existing,
    round_trip,
    stack_path,
    template,
)

# The command-line flag (or argument) each tenant field comes from, for messages in the user's own words.
FLAGS = {
    "id": "ID",
    "display_name": "--display-name",
    "isolation": "--isolation",
    "risk": "--risk",
    "flows": "--flows",
    "quotas.requests_per_five_minutes": "--requests-per-five-minutes",
    "quotas.queue_messages_per_second": "--queue-messages-per-second",
    "requests_per_five_minutes": "--requests-per-five-minutes",
    "queue_messages_per_second": "--queue-messages-per-second",
}
DEFAULT_REQUESTS_PER_FIVE_MINUTES = 2000
DEFAULT_QUEUE_MESSAGES_PER_SECOND = 50
# A tenant DR VPC holds data subnets for up to three zones: /20 gives /24 subnets.
TENANT_DR_VPC_PREFIX = 20


def tenant_ids(stacks: Path) -> dict[str, list[str]]:
    """Every tenant id used in the stacks directory -> where (`<file> crossdock:tenants[i]` or a tenant stack)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in stack_files(stacks):
        namespace = raw_namespace(path, "to keep tenant ids unique")
        tenants = namespace.get("tenants")
        for index, entry in enumerate(tenants if isinstance(tenants, list) else []):
            if isinstance(entry, dict) and entry.get("id"):
                found[str(entry["id"])].append(f"{display_path(path)} crossdock:tenants[{index}]")
        tenant = namespace.get("tenant")
        if isinstance(tenant, dict) and tenant.get("id"):
            found[str(tenant["id"])].append(f"{display_path(path)} crossdock:tenant")
    # Registrations (`...crossdock:tenants[i]`) first: that is where an id is owned.
    return {tenant_id: sorted(places, key=lambda p: not p.endswith("]")) for tenant_id, places in found.items()}


def duplicate_tenant_ids(stacks: Path) -> dict[str, list[str]]:
    """Ids registered more than once. A silo's own stack file (`crossdock:tenant`) is not a second use:
    it belongs to the registration with the same id in its environment stack."""
    duplicates = {}
    for tenant_id, places in tenant_ids(stacks).items():
        registrations = [p for p in places if p.endswith("]")]
        stacks_of_tenant = [p for p in places if not p.endswith("]")]
        if len(registrations) > 1 or len(stacks_of_tenant) > 1:
            duplicates[tenant_id] = places
    return duplicates


@dataclass(frozen=True)
class NewTenant:
    tenant: Tenant
    environment_stack: str
    environment_path: Path
    environment_text: str
    stack: str | None
    """The silo's stack name; None for a pool tenant."""
    path: Path | None
    text: str | None
    dr_vpc_cidr: IPv4Network | None


def plan_tenant(
    stacks: Path,
    tenant_id: str,
    environment_stack: str,
    isolation: str,
    risk: str = "standard",
    *,
    display_name: str | None = None,
    flows: list[str] | None = None,
    requests_per_five_minutes: int = DEFAULT_REQUESTS_PER_FIVE_MINUTES,
    queue_messages_per_second: int = DEFAULT_QUEUE_MESSAGES_PER_SECOND,
    team: str | None = None,
) -> NewTenant:
    """Everything `new tenant` will write, decided and rendered, without touching the disk."""
    env_path = stack_path(stacks, environment_stack)
    if not env_path.is_file():
        listing = ", ".join(stack_name(p) for p in stack_files(stacks)) or "none"
        raise TemplateError(
            f"unknown environment stack {environment_stack!r}: no {display_path(env_path)} (stacks: {listing})"
        )
    if "tenant" in raw_namespace(env_path):
        raise TemplateError(f"{environment_stack!r} is a tenant stack; --env takes an environment stack")
    environment = load_stack_file(env_path, display_path(env_path))

    used = tenant_ids(stacks).get(tenant_id)
    if used:
        raise TemplateError(
            f"tenant id {tenant_id!r} is already used: {used[0]}; tenant ids are unique across every stack"
        )
    try:
        tenant = Tenant(
            id=tenant_id,
            display_name=display_name or tenant_id.replace("-", " ").title(),
            isolation=Isolation(isolation),
            risk=Risk(risk),
            flows=tuple(flows if flows is not None else [queue.name for queue in environment.queues]),
            team=team,
            quotas=TenantQuotas(
                requests_per_five_minutes=requests_per_five_minutes,
                queue_messages_per_second=queue_messages_per_second,
            ),
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        given = first.get("input")
        if not isinstance(given, (dict, list, tuple)) and repr(given) not in message:
            message = f"{message} (got {given!r})"
        flag = FLAGS.get(where) or FLAGS.get(str(first["loc"][0]), where)
        raise TemplateError(f"{flag}: {message}") from None
    if tenant.team is None and environment.teams:
        # The owner of most of its flows looks after the tenant unless --team says otherwise.
        owners = Counter(queue.team for queue in environment.queues if queue.name in tenant.flows and queue.team)
        if owners:
            tenant = tenant.model_copy(update={"team": min(owners, key=lambda name: (-owners[name], name))})
    registered = environment.model_copy(update={"tenants": (*environment.tenants, tenant)})
    index = len(environment.tenants)
    problems = list(check_tenants(registered)) + [
        (key, message) for key, message in check_operations(registered) if key.startswith(f"tenants[{index}]")
    ]
    if problems:
        key, message = problems[0]
        raise TemplateError(f"{display_path(env_path)}: crossdock:{key}: {message}")

    yaml = round_trip()
    document = yaml.load(env_path.read_text())
    config = document["config"]
    if config.get("crossdock:tenants") is None:
        config["crossdock:tenants"] = CommentedSeq()
    config["crossdock:tenants"].append(_registration(tenant))
    env_text = dump(document, yaml)

    stack = path = text = dr_vpc = None
    if tenant.isolation is Isolation.SILO:
        stack = tenant_stack_name(environment_stack, tenant_id)
        path = stack_path(stacks, stack)
        refuse_existing(path, stack)
        databases = list(document["config"].get("crossdock:databases") or [])
        if not databases:
            raise TemplateError(
                f"environment {environment_stack!r} declares no databases to copy; a silo tenant needs its own database"
            )
        spec_databases = list(environment.databases)
        if needs_dr_vpc(environment, tuple(spec_databases)):
            dr_vpc = next_free(TENANT_DR_VPC_PREFIX, occupied(stacks), start=environment.environment.vpc_cidr)
        text = template(stacks, "tenant-silo").substitute(
            stack=stack,
            id=tenant_id,
            display_name=tenant.display_name,
            risk=tenant.risk.value,
            environment_stack=environment_stack,
            region=environment.environment.region,
            databases=indent(dump(CommentedSeq(databases), yaml), 4),
            dr_vpc=(
                "    # The tenant's own VPC in the DR region (its Global Database secondaries); overlaps no stack's.\n"
                f"    drVpcCidr: {dr_vpc}\n"
                if dr_vpc
                else ""
            ),
        )
    return NewTenant(tenant, environment_stack, env_path, env_text, stack, path, text, dr_vpc)


def write_tenant(plan: NewTenant, written: Written) -> None:
    from crossdock.config.tenant_stack import load_tenant_stack_file

    written.change(plan.environment_path, plan.environment_text)
    load_stack_file(plan.environment_path, display_path(plan.environment_path))
    if plan.path is not None and plan.text is not None:
        written.create(plan.path, plan.text)
        load_tenant_stack_file(plan.path)


def _registration(tenant: Tenant) -> CommentedMap:
    """The `crossdock:tenants` entry, in the schema's key order, lists and quotas in flow style."""
    entry = CommentedMap()
    entry["id"] = tenant.id
    entry["displayName"] = tenant.display_name
    entry["isolation"] = tenant.isolation.value
    entry["risk"] = tenant.risk.value
    flows = CommentedSeq(tenant.flows)
    flows.fa.set_flow_style()
    entry["flows"] = flows
    quotas = CommentedMap()
    quotas["requestsPerFiveMinutes"] = tenant.quotas.requests_per_five_minutes
    quotas["queueMessagesPerSecond"] = tenant.quotas.queue_messages_per_second
    quotas.fa.set_flow_style()
    entry["quotas"] = quotas
    if tenant.team is not None:
        entry["team"] = tenant.team
    return entry
