"""The operating model: teams, business processes, the severity matrix and customer notices.

A stack file maps its technical resources to the business: who owns each service,
queue, database and tenant (`team:` on each), which business processes depend on
them (`businessProcesses`), how bad an impact is (`severity`: business impact ->
SEV1-SEV4, and per level who is paged, how fast, and which customer notice goes out)
and the customer-communication templates (`communications`). The blueprint turns it
into `team` / `business-process` tags, alarm descriptions and routing, and one
dashboard per process; `crossdock impact` and `crossdock diagram` read it offline.

Models follow the schema's conventions (frozen, camelCase, unknown keys rejected,
a description on every field). `check_operations` holds the rules that relate these
sections to the rest of the stack; each problem names its dotted key. The
`OperatingModel` class answers the questions components and the CLI ask of it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import Field

from crossdock.config import schema
from crossdock.config.schema import Criticality, DnsName, Model, Subscription

if TYPE_CHECKING:
    from crossdock.config.schema import StackConfig

Problem = tuple[str, str]

# The runbooks an alarm or a process may name (the `crossdock runbook` catalogue).
RUNBOOKS: tuple[str, ...] = (
    "queue-replay",
    "db-failover",
    "rotate-credentials",
    "isolate-tenant",
    "release-tenant",
    "freeze-deploys",
)

# What a customer notice may say; anything else in braces is a typo caught at load time.
NOTICE_PLACEHOLDERS: tuple[str, ...] = (
    "environment",
    "severity",
    "tenants",
    "processes",
    "impact",
    "started",
    "next_update",
)

# Criticality tiers whose resources must name an owner, and whose processes page.
OWNED_CRITICALITIES: frozenset[Criticality] = frozenset(
    {Criticality.REAL_TIME_FULFILLMENT, Criticality.NEAR_REAL_TIME_INTEGRATION}
)
CRITICALITY_ORDER: tuple[Criticality, ...] = tuple(Criticality)


class IncidentSeverity(StrEnum):
    """Incident severity, from business impact: SEV1 is the worst."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"

    @property
    def label(self) -> str:
        return self.value.upper()


class Impact(StrEnum):
    """What happens to a business process (or tenant) when something breaks."""

    STOPPED = "stopped"
    DEGRADED = "degraded"
    SINGLE_TENANT = "single-tenant"
    TENANT_EXPOSURE = "tenant-exposure"


class Responder(StrEnum):
    """Who a severity level pages, in order."""

    PRIMARY = "primary"
    BACKUP = "backup"
    ESCALATION = "escalation"
    VENDORS = "vendors"


# -- teams ------------------------------------------------------------------------------------


class OnCall(Model):
    primary: Subscription = Field(description="Who is paged first (SNS subscription: protocol and endpoint).")
    backup: Subscription | None = Field(
        default=None, description="Who is paged as well when the severity level pages the backup."
    )


class TeamPaging(Model):
    sev1: OnCall = Field(description="Paging addresses for SEV1 incidents.")
    sev2: OnCall = Field(description="Paging addresses for SEV2 incidents.")
    sev3: OnCall = Field(description="Paging addresses for SEV3 incidents.")
    sev4: OnCall = Field(description="Paging addresses for SEV4 incidents.")

    def on_call(self, severity: IncidentSeverity) -> OnCall:
        on_call: OnCall = getattr(self, severity.value)
        return on_call


class EscalationContact(Model):
    name: str = Field(min_length=1, description="Person or role escalated to, e.g. Head of Fulfillment Engineering.")
    contact: str = Field(min_length=1, description="How to reach them: phone, e-mail or paging address.")
    after_minutes: int = Field(ge=0, le=1440, description="Escalate when the incident is unresolved after this long.")


class Vendor(Model):
    name: DnsName = Field(description="Integration id that processes list under `integrations`, e.g. carrier-api.")
    description: str = Field(min_length=1, description="What the vendor provides, e.g. ShipCo label API.")
    contact: str = Field(min_length=1, description="Vendor escalation contact: support line, portal or e-mail.")
    support_hours: str = Field(default="24x7", min_length=1, description="When the vendor's support answers.")


class Team(Model):
    name: DnsName = Field(description="Team id: the `team` tag and the name in `team:` keys.")
    description: str = Field(default="", description="What the team owns and does.")
    paging: TeamPaging = Field(description="Primary and backup on-call per incident severity (SEV1-SEV4).")
    escalation: tuple[EscalationContact, ...] = Field(
        default=(), description="Escalation contacts, in order, with the minutes after which each is called."
    )
    vendors: tuple[Vendor, ...] = Field(
        default=(), description="External providers this team escalates to (carrier APIs, ERP, EDI networks)."
    )


# -- business processes -----------------------------------------------------------------------


class BusinessProcess(Model):
    name: DnsName = Field(description="Process id: the `business-process` tag and its dashboard name.")
    description: str = Field(min_length=1, description="What the business does in this process.")
    criticality: Criticality = Field(description="Business tier: recovery order and severity follow it.")
    team: str = Field(description="Team (teams[].name) accountable for the process.")
    services: tuple[str, ...] = Field(default=(), description="Services (services[].name) it depends on.")
    queues: tuple[str, ...] = Field(default=(), description="Integration flows (queues[].name) it depends on.")
    databases: tuple[str, ...] = Field(default=(), description="Databases (databases[].name) it depends on.")
    integrations: tuple[str, ...] = Field(
        default=(), description="External integrations (teams[].vendors[].name) it depends on."
    )
    depends_on: tuple[str, ...] = Field(
        default=(), description="Upstream processes (businessProcesses[].name): when one stops, this one is delayed."
    )
    kpis: tuple[str, ...] = Field(default=(), description="Business KPIs (kpis[].name) that measure it.")
    runbook: str = Field(description=f"Runbook its KPI alarms name (one of: {', '.join(RUNBOOKS)}).")
    notice: str | None = Field(
        default=None,
        description="Customer-communication template (communications[].name) for this process; default: the "
        "severity level's template.",
    )


# -- severity ---------------------------------------------------------------------------------


class SeverityRule(Model):
    impact: Impact = Field(description="Business impact: stopped, degraded, single-tenant or tenant-exposure.")
    criticality: Criticality | None = Field(
        default=None, description="Process tier this row applies to; absent means every tier."
    )
    severity: IncidentSeverity = Field(description="Resulting incident severity, sev1 (worst) to sev4.")


class SeverityLevel(Model):
    description: str = Field(min_length=1, description="What this severity means, in business terms.")
    response_minutes: int = Field(ge=1, le=10080, description="Time to acknowledge and start responding.")
    customer_update_minutes: int | None = Field(
        default=None, ge=5, le=10080, description="How often customers are updated; absent means no notice."
    )
    page: tuple[Responder, ...] = Field(
        min_length=1, description="Who is paged: primary, backup, escalation and/or vendors."
    )
    template: str | None = Field(
        default=None, description="Customer-communication template (communications[].name) sent at this level."
    )


class SeverityLevels(Model):
    sev1: SeverityLevel = Field(description="The worst incidents, e.g. fulfilment stopped.")
    sev2: SeverityLevel = Field(description="Major incidents.")
    sev3: SeverityLevel = Field(description="Minor incidents, e.g. one tenant's integration delayed.")
    sev4: SeverityLevel = Field(description="Low-impact incidents and risks.")

    def level(self, severity: IncidentSeverity) -> SeverityLevel:
        level: SeverityLevel = getattr(self, severity.value)
        return level


class SeverityPolicy(Model):
    matrix: tuple[SeverityRule, ...] = Field(
        min_length=1, description="Business impact -> severity; the first row that matches wins."
    )
    levels: SeverityLevels = Field(description="Per severity: who is paged, response target, customer notice.")


# -- customer communication -------------------------------------------------------------------


class CommunicationTemplate(Model):
    name: DnsName = Field(description="Template id, e.g. label-printing-delays.")
    event: str = Field(min_length=1, description="The logistics event it is written for.")
    subject: str = Field(min_length=1, description=f"Subject line; placeholders: {', '.join(NOTICE_PLACEHOLDERS)}.")
    body: str = Field(min_length=1, description=f"Message body; placeholders: {', '.join(NOTICE_PLACEHOLDERS)}.")


# -- cross-section rules ----------------------------------------------------------------------


def check_operations(config: StackConfig) -> Iterator[Problem]:
    """Problems of teams, owners, processes, severity and communications, each naming its key."""
    teams = {team.name for team in config.teams}
    vendors = {vendor.name for team in config.teams for vendor in team.vendors}
    templates = {template.name for template in config.communications}
    yield from _unique(config.teams, "teams")
    yield from _unique(config.business_processes, "businessProcesses")
    yield from _unique(config.communications, "communications")
    yield from _unique([vendor for team in config.teams for vendor in team.vendors], "teams[].vendors")
    yield from _owners(config, teams)
    yield from _processes(config, teams, vendors, templates)
    yield from _severity(config, templates)
    for index, template in enumerate(config.communications):
        for part in ("subject", "body"):
            unknown = _unknown_placeholders(getattr(template, part))
            if unknown:
                yield (
                    f"communications[{index}].{part}",
                    f"unknown placeholder {{{unknown}}} (allowed: {', '.join(NOTICE_PLACEHOLDERS)})",
                )


def _unique(items: Iterable[Any], section: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.name in seen:
            yield (
                f"{section}[{index}].name",
                f"duplicate name {item.name!r} (already used by {section}[{seen[item.name]}])",
            )
        seen.setdefault(item.name, index)


def _owners(config: StackConfig, teams: set[str]) -> Iterator[Problem]:
    """Owners name declared teams; with teams declared, every paging-tier resource has one."""
    model = OperatingModel(config)
    entries: list[tuple[str, str, str | None, Criticality | None]] = []
    for index, service in enumerate(config.services):
        entries.append(
            (
                f"services[{index}]",
                f"service {service.name!r}",
                service.team,
                model.criticality("service", service.name),
            )
        )
    for index, queue in enumerate(config.queues):
        entries.append(
            (f"queues[{index}]", f"queue {queue.name!r}", queue.team, model.criticality("queue", queue.name))
        )
    for index, database in enumerate(config.databases):
        entries.append(
            (
                f"databases[{index}]",
                f"database {database.name!r}",
                database.team,
                model.criticality("database", database.name),
            )
        )
    for index, tenant in enumerate(config.tenants):
        entries.append(
            (f"tenants[{index}]", f"tenant {tenant.id!r}", tenant.team, model.criticality("tenant", tenant.id))
        )
    for key, label, team, criticality in entries:
        if team is not None and team not in teams:
            yield f"{key}.team", f"unknown team {team!r} (teams: {_names(teams)})"
        elif team is None and teams and criticality in OWNED_CRITICALITIES:
            yield (
                f"{key}.team",
                f"{label} is {criticality.value}, so it needs an owning team (teams: {_names(teams)})",
            )


def _processes(config: StackConfig, teams: set[str], vendors: set[str], templates: set[str]) -> Iterator[Problem]:
    declared = {
        "services": {service.name for service in config.services},
        "queues": {queue.name for queue in config.queues},
        "databases": {database.name for database in config.databases},
        "integrations": vendors,
        "dependsOn": {process.name for process in config.business_processes},
        "kpis": {kpi.name for kpi in config.kpis},
    }
    for index, process in enumerate(config.business_processes):
        key = f"businessProcesses[{index}]"
        if process.team not in teams:
            yield f"{key}.team", f"unknown team {process.team!r} (teams: {_names(teams)})"
        for section, names in declared.items():
            values = getattr(process, _attribute(section))
            for position, value in enumerate(values):
                if value not in names:
                    yield (
                        f"{key}.{section}[{position}]",
                        f"unknown {_singular(section)} {value!r} (declared: {_names(names)})",
                    )
                elif section == "dependsOn" and value == process.name:
                    yield f"{key}.{section}[{position}]", f"process {process.name!r} cannot depend on itself"
        if process.runbook not in RUNBOOKS:
            yield f"{key}.runbook", f"unknown runbook {process.runbook!r} (runbooks: {', '.join(RUNBOOKS)})"
        if process.notice is not None and process.notice not in templates:
            yield f"{key}.notice", f"unknown communication template {process.notice!r} (templates: {_names(templates)})"
    cycle = _dependency_cycle(config)
    if cycle:
        index = next(i for i, p in enumerate(config.business_processes) if p.name == cycle[0])
        yield (
            f"businessProcesses[{index}].dependsOn",
            f"processes depend on each other in a cycle: {' -> '.join(cycle)}",
        )


def _severity(config: StackConfig, templates: set[str]) -> Iterator[Problem]:
    policy = config.severity
    if policy is None:
        if config.business_processes:
            yield "severity", "businessProcesses need a severity section (the matrix from impact to SEV1-SEV4)"
        return
    for impact in Impact:
        for criticality in Criticality:
            if _match(policy, impact, criticality) is None:
                message = (
                    f"no row gives the severity of impact {impact.value!r} on a {criticality.value} process "
                    "(add a row for it, or one without criticality)"
                )
                yield "severity.matrix", message
                return
    for severity in IncidentSeverity:
        level = policy.levels.level(severity)
        if level.template is not None and level.template not in templates:
            yield (
                f"severity.levels.{severity.value}.template",
                f"unknown communication template {level.template!r} (templates: {_names(templates)})",
            )
        if level.customer_update_minutes is not None and level.template is None:
            yield (
                f"severity.levels.{severity.value}.template",
                "customerUpdateMinutes is set, so the level needs a template to send",
            )


def _match(policy: SeverityPolicy, impact: Impact, criticality: Criticality) -> IncidentSeverity | None:
    for row in policy.matrix:
        if row.impact is impact and (row.criticality is None or row.criticality is criticality):
            return row.severity
    return None


def _dependency_cycle(config: StackConfig) -> list[str]:
    graph = {process.name: process.depends_on for process in config.business_processes}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        path.append(name)
        for upstream in graph.get(name, ()):
            if upstream not in graph or upstream == name:
                continue
            if state.get(upstream) == 1:
                return [*path[path.index(upstream) :], upstream]
            if upstream not in state:
                found = visit(upstream)
                if found:
                    return found
        path.pop()
        state[name] = 2
        return []

    for name in graph:
        if name not in state:
            found = visit(name)
            if found:
                return found
    return []


def _unknown_placeholders(text: str) -> str | None:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as error:
        return f"malformed: {error}"
    for field in fields:
        if field not in NOTICE_PLACEHOLDERS:
            return field
    return None


def _attribute(section: str) -> str:
    return {"dependsOn": "depends_on"}.get(section, section)


def _singular(section: str) -> str:
    return {
        "services": "service",
        "queues": "queue",
        "databases": "database",
        "integrations": "integration (teams[].vendors[].name)",
        "dependsOn": "process",
        "kpis": "kpi",
    }[section]


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


# -- queries ----------------------------------------------------------------------------------

# The config sections a process lists, by the kind of thing they hold.
KINDS: dict[str, str] = {
    "service": "services",
    "queue": "queues",
    "database": "databases",
    "integration": "integrations",
}


@dataclass(frozen=True)
class Ownership:
    """What a resource's tags say about who owns it and which processes it serves."""

    team: str | None
    processes: tuple[str, ...]
    criticality: Criticality | None

    def tags(self) -> dict[str, str]:
        """`team`, `business-process` (space-separated, sorted) and `process-criticality` (the highest)."""
        tags: dict[str, str] = {}
        if self.team:
            tags["team"] = self.team
        if self.processes:
            tags["business-process"] = " ".join(self.processes)
        if self.criticality is not None:
            tags["process-criticality"] = self.criticality.value
        return tags


class OperatingModel:
    """Questions asked of a stack's operating model by components, rules and the CLI."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.teams = {team.name: team for team in config.teams}
        self.processes = {process.name: process for process in config.business_processes}
        self.vendors = {vendor.name: (team, vendor) for team in config.teams for vendor in team.vendors}

    @property
    def declared(self) -> bool:
        """True when the stack declares teams or processes (the operating model is in use)."""
        return bool(self.config.teams or self.config.business_processes)

    def owner(self, kind: str, name: str) -> str | None:
        """The owning team of a service, queue, database or tenant."""
        items: tuple[Any, ...] | None = {
            "service": self.config.services,
            "queue": self.config.queues,
            "database": self.config.databases,
        }.get(kind)
        if kind == "tenant":
            return next((t.team for t in self.config.tenants if t.id == name), None)
        if kind == "integration":
            return self.vendors[name][0].name if name in self.vendors else None
        return next((item.team for item in items or () if item.name == name), None)

    def processes_of(self, kind: str, name: str) -> tuple[str, ...]:
        """Processes that depend directly on the thing (a tenant: on any of its flows)."""
        if kind == "tenant":
            tenant = next((t for t in self.config.tenants if t.id == name), None)
            flows = set(tenant.flows) if tenant else set()
            return tuple(sorted(p.name for p in self.processes.values() if flows & set(p.queues)))
        section = KINDS[kind]
        return tuple(sorted(p.name for p in self.processes.values() if name in getattr(p, section)))

    def processes_of_kpi(self, kpi: str) -> tuple[str, ...]:
        return tuple(sorted(p.name for p in self.processes.values() if kpi in p.kpis))

    def criticality(self, kind: str, name: str) -> Criticality | None:
        """The highest criticality of the thing: its own tier and that of every process depending on it."""
        tiers: list[Criticality] = [self.processes[p].criticality for p in self.processes_of(kind, name)]
        own = {
            "service": {s.name: s.criticality for s in self.config.services},
            "queue": {q.name: q.criticality for q in self.config.queues},
        }.get(kind, {})
        if name in own:
            tiers.append(own[name])
        return highest(tiers)

    def ownership(self, kind: str, name: str) -> Ownership:
        processes = self.processes_of(kind, name)
        return Ownership(self.owner(kind, name), processes, highest(self.processes[p].criticality for p in processes))

    def kpi_ownership(self, kpi: str) -> Ownership:
        processes = self.processes_of_kpi(kpi)
        teams = sorted({self.processes[p].team for p in processes})
        return Ownership(
            teams[0] if teams else None, processes, highest(self.processes[p].criticality for p in processes)
        )

    def severity(self, impact: Impact, criticality: Criticality | None) -> IncidentSeverity | None:
        """The matrix's severity for an impact on a process of that tier (None without a severity section)."""
        if self.config.severity is None or criticality is None:
            return None
        return _match(self.config.severity, impact, criticality)

    def downstream(self, names: Iterable[str]) -> dict[str, str]:
        """Processes that depend, directly or transitively, on `names`: {process: the upstream it waits for}."""
        found: dict[str, str] = {}
        frontier = list(names)
        seen = set(frontier)
        while frontier:
            upstream = frontier.pop(0)
            for process in self.processes.values():
                if upstream in process.depends_on and process.name not in seen:
                    seen.add(process.name)
                    found[process.name] = upstream
                    frontier.append(process.name)
        return found


def highest(tiers: Iterable[Criticality]) -> Criticality | None:
    """The most critical tier of several (real-time fulfilment first)."""
    ordered = sorted(set(tiers), key=CRITICALITY_ORDER.index)
    return ordered[0] if ordered else None


def worst(severities: Iterable[IncidentSeverity | None]) -> IncidentSeverity | None:
    ordered = sorted({s for s in severities if s is not None}, key=list(IncidentSeverity).index)
    return ordered[0] if ordered else None


# StackConfig names these sections by forward reference; complete it now that they exist.
schema.StackConfig.model_rebuild(
    _types_namespace={
        "Team": Team,
        "BusinessProcess": BusinessProcess,
        "SeverityPolicy": SeverityPolicy,
        "CommunicationTemplate": CommunicationTemplate,
    }
)
