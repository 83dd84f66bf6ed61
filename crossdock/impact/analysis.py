"""What breaks for the business when TARGET fails: the recorded graph plus the stack's operating model.

1. TARGET names what fails: a service, queue, database, tenant or integration (vendor) of the
   stack file, a resource of the plan (`prod-data-sg`), an availability zone (`az:us-east-1a`)
   or a region.
2. The plan's resources of that target are the seeds. Walking the graph's dependencies backwards
   (who depends on a failed resource fails too) reaches the services (Deployments), queues and
   databases that stop with it: the orders cluster reaches every service whose Deployment is wired
   to its endpoint. Monitoring (alarms, dashboards, log groups, topics, the process map) and the DR
   copies are not followed: they do not stop when what they watch or copy does.
   An availability zone is judged from placement instead: a database with an instance in another
   zone fails over (degraded), one without does not (stopped); services spread over the zones
   reschedule (degraded).
3. The declared map turns those into business processes: a process that depends on a failed
   service, queue, database or integration is hit directly; processes downstream of it
   (`dependsOn`) are delayed. The severity matrix gives each its severity; the worst is the
   incident's.
4. Who to page (owners of what failed and of the processes, at their severity level's `page`
   list), vendors, runbooks with their parameters, and the customer notice filled in.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.config.operations import (
    Impact,
    IncidentSeverity,
    OperatingModel,
    Responder,
    highest,
    worst,
)
from crossdock.config.schema import StackConfig
from crossdock.engine.graph import Plan, Resource
from crossdock.errors import CrossdockError

# Resources that watch, describe or copy others: a failure does not propagate through them.
PASSIVE_TYPES = frozenset(
    {
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:ssm/parameter:Parameter",
        "aws:synthetics/canary:Canary",
        "aws:backup/selection:Selection",
        "aws:backup/plan:Plan",
        "aws:backup/vault:Vault",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    }
)
# The workloads a service runs as: a Deployment, or an Argo Rollout for progressive delivery.
WORKLOAD_TYPES = frozenset({"kubernetes:apps/v1:Deployment", "kubernetes:argoproj.io/v1alpha1:Rollout"})
QUEUE = "aws:sqs/queue:Queue"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
APP_LABEL = "app.kubernetes.io/name"
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


class ImpactError(CrossdockError):
    """A target that names nothing in the stack (exit 2)."""


@dataclass(frozen=True)
class Target:
    kind: str  # service | queue | database | tenant | integration | resource | az | region
    name: str


@dataclass
class Entity:
    kind: str  # service | queue | database | integration
    name: str
    team: str | None
    impact: Impact
    via: str  # why it is affected


@dataclass
class ProcessImpact:
    name: str
    criticality: str
    impact: Impact
    severity: IncidentSeverity | None
    team: str
    via: str
    direct: bool


@dataclass
class Page:
    team: str
    severity: IncidentSeverity | None
    topic: str
    primary: str | None
    backup: str | None
    escalation: list[str] = field(default_factory=list)


@dataclass
class Runbook:
    name: str
    command: str
    why: str


@dataclass
class Notice:
    template: str
    subject: str
    body: str


@dataclass
class ImpactReport:
    stack: str
    environment: str
    target: Target
    severity: IncidentSeverity | None
    response_minutes: int | None
    entities: list[Entity]
    processes: list[ProcessImpact]
    tenants: list[dict]
    pages: list[Page]
    vendors: list[dict]
    runbooks: list[Runbook]
    notice: Notice | None
    notes: list[str]

    def to_json(self) -> dict:
        return {
            "stack": self.stack,
            "environment": self.environment,
            "target": {"kind": self.target.kind, "name": self.target.name},
            "severity": self.severity.label if self.severity else None,
            "response_minutes": self.response_minutes,
            "affected": [
                {"kind": e.kind, "name": e.name, "team": e.team, "impact": e.impact.value, "via": e.via}
                for e in self.entities
            ],
            "processes": [
                {
                    "name": p.name,
                    "criticality": p.criticality,
                    "impact": p.impact.value,
                    "severity": p.severity.label if p.severity else None,
                    "team": p.team,
                    "direct": p.direct,
                    "via": p.via,
                }
                for p in self.processes
            ],
            "tenants": self.tenants,
            "page": [
                {
                    "team": p.team,
                    "severity": p.severity.label if p.severity else None,
                    "topic": p.topic,
                    "primary": p.primary,
                    "backup": p.backup,
                    "escalation": p.escalation,
                }
                for p in self.pages
            ],
            "vendors": self.vendors,
            "runbooks": [{"name": r.name, "command": r.command, "why": r.why} for r in self.runbooks],
            "notice": None
            if self.notice is None
            else {"template": self.notice.template, "subject": self.notice.subject, "body": self.notice.body},
            "notes": self.notes,
        }


# -- resolving the target ------------------------------------------------------------------------


def resolve_target(config: StackConfig, plan: Plan, text: str) -> Target:
    """What TARGET names, or an ImpactError listing what it could have been."""
    if text.startswith("az:"):
        zone = text[3:]
        zones = _zones(plan)
        if zone not in zones:
            raise ImpactError(
                f"impact: availability zone {zone!r} holds nothing of stack {plan.stack!r} "
                f"(zones: {', '.join(sorted(zones)) or 'none'})"
            )
        return Target("az", zone)
    sections = {
        "service": [s.name for s in config.services],
        "queue": [q.name for q in config.queues],
        "database": [d.name for d in config.databases],
        "tenant": [t.id for t in config.tenants],
        "integration": [v.name for team in config.teams for v in team.vendors],
    }
    for kind, names in sections.items():
        if text in names:
            return Target(kind, text)
    regions = {r.region for r in plan.resources if r.region}
    if text in regions:
        return Target("region", text)
    if plan.by_name(text) is not None:
        return Target("resource", text)
    if REGION.match(text):
        raise ImpactError(
            f"impact: region {text!r} holds nothing of stack {plan.stack!r} (regions: {', '.join(sorted(regions))})"
        )
    candidates = [name for names in sections.values() for name in names] + [r.name for r in plan.resources]
    close = difflib.get_close_matches(text, candidates, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ImpactError(
        f"impact: {text!r} is not a service, queue, database, tenant, integration or resource of stack "
        f"{plan.stack!r}, nor an availability zone (az:ZONE) or region{hint}"
    )


def _zones(plan: Plan) -> set[str]:
    return {r.inputs["availabilityZone"] for r in plan.resources if isinstance(r.inputs.get("availabilityZone"), str)}


# -- the analysis --------------------------------------------------------------------------------


def analyse(config: StackConfig, plan: Plan, target: Target, *, started: datetime | None = None) -> ImpactReport:
    model = OperatingModel(config)
    env = config.environment.name
    notes: list[str] = []
    entities = _entities(config, plan, target, notes)
    direct_impact = {
        "tenant": Impact.SINGLE_TENANT,
    }.get(target.kind)

    # Processes hit directly: they depend on something that failed.
    processes: dict[str, ProcessImpact] = {}
    for entity in entities:
        for name in model.processes_of(entity.kind, entity.name) if entity.kind != "tenant" else ():
            process = model.processes[name]
            impact = direct_impact or entity.impact
            if name in processes and _rank(processes[name].impact) <= _rank(impact):
                continue
            processes[name] = ProcessImpact(
                name,
                process.criticality.value,
                impact,
                model.severity(impact, process.criticality),
                process.team,
                f"{entity.kind} {entity.name}",
                True,
            )
    # Downstream processes wait for the ones hit: delayed (degraded), unless hit themselves.
    for name, upstream in model.downstream(list(processes)).items():
        if name in processes:
            continue
        process = model.processes[name]
        impact = Impact.SINGLE_TENANT if direct_impact is Impact.SINGLE_TENANT else Impact.DEGRADED
        processes[name] = ProcessImpact(
            name,
            process.criticality.value,
            impact,
            model.severity(impact, process.criticality),
            process.team,
            f"waits for {upstream}",
            False,
        )
    ordered = sorted(processes.values(), key=lambda p: (not p.direct, _severity_rank(p.severity), p.name))
    severity = worst(p.severity for p in ordered)
    level = config.severity.levels.level(severity) if config.severity and severity else None

    tenants = _tenants(config, target, ordered)
    pages = _pages(config, model, entities, ordered, severity)
    vendors = _vendors(model, entities, ordered, level)
    runbooks = _runbooks(config, plan.stack, target, entities, ordered, model)
    notice = _notice(config, ordered, tenants, severity, started)
    if not ordered:
        notes.append("no declared business process depends on what failed")
    return ImpactReport(
        stack=plan.stack,
        environment=env,
        target=target,
        severity=severity,
        response_minutes=level.response_minutes if level else None,
        entities=entities,
        processes=ordered,
        tenants=tenants,
        pages=pages,
        vendors=vendors,
        runbooks=runbooks,
        notice=notice,
        notes=notes,
    )


def _rank(impact: Impact) -> int:
    return [Impact.TENANT_EXPOSURE, Impact.STOPPED, Impact.SINGLE_TENANT, Impact.DEGRADED].index(impact)


def _severity_rank(severity: IncidentSeverity | None) -> int:
    return list(IncidentSeverity).index(severity) if severity else len(IncidentSeverity)


def _entities(config: StackConfig, plan: Plan, target: Target, notes: list[str]) -> list[Entity]:
    """The services, queues, databases and integrations that fail with the target."""
    model = OperatingModel(config)
    found: dict[tuple[str, str], Entity] = {}

    def add(kind: str, name: str, impact: Impact, via: str) -> None:
        key = (kind, name)
        if key in found and _rank(found[key].impact) <= _rank(impact):
            return
        found[key] = Entity(kind, name, model.owner(kind, name), impact, via)

    if target.kind in ("service", "queue", "database", "integration"):
        add(target.kind, target.name, Impact.STOPPED, "the target")
    if target.kind == "tenant":
        tenant = next(t for t in config.tenants if t.id == target.name)
        for flow in tenant.flows:
            add("queue", flow, Impact.SINGLE_TENANT, f"flow of tenant {tenant.id}")
        return list(found.values())
    if target.kind == "integration":
        return list(found.values())
    if target.kind == "az":
        _zone_entities(config, plan, target.name, add, notes)
        return list(found.values())

    seeds = _seeds(plan, target)
    if target.kind == "region" and target.name != config.environment.region:
        copies = sorted({r.name for r in seeds if r.custom})
        notes.append(
            f"{target.name} holds the DR copies ({len(copies)} resources): the primary region keeps running, "
            "but a regional outage now would have nothing to fail over to"
        )
        return list(found.values())
    producers_only = set()
    if target.kind == "queue":
        # A service that only sends to the failed queue keeps serving; it cannot hand work on (degraded).
        producers_only = {
            s.name for s in config.services if target.name in s.produces and target.name not in s.consumes
        }
    for resource, via in _dependents(plan, seeds):
        entity = _entity_of(resource)
        if entity is not None and (entity[0], entity[1]) != (target.kind, target.name):
            degraded = entity[0] == "service" and entity[1] in producers_only
            add(entity[0], entity[1], Impact.DEGRADED if degraded else Impact.STOPPED, via)
    return list(found.values())


def _seeds(plan: Plan, target: Target) -> list[Resource]:
    if target.kind == "resource":
        return [plan.by_name(target.name)]  # type: ignore[list-item]  # the target was resolved against the plan
    if target.kind == "region":
        return [r for r in plan.resources if r.region == target.name]
    tag = {"queue": "flow", "database": "database", "service": "service"}[target.kind]
    seeds = [
        r
        for r in plan.resources
        if r.custom and r.type not in PASSIVE_TYPES and (r.inputs.get("tags") or {}).get(tag) == target.name
    ]
    if target.kind == "service":
        seeds += [r for r in plan.resources if r.type in WORKLOAD_TYPES and _labels(r).get(APP_LABEL) == target.name]
    return [r for r in seeds if (r.inputs.get("tags") or {}).get("dr-role") is None]


def _dependents(plan: Plan, seeds: list[Resource]) -> list[tuple[Resource, str]]:
    """Every resource that depends, directly or transitively, on a seed (not through passive ones)."""
    dependents: dict[str, list[Resource]] = {}
    for resource in plan.resources:
        for dependency in resource.dependencies:
            dependents.setdefault(dependency, []).append(resource)
    reached: dict[str, str] = {seed.urn: f"resource {seed.name}" for seed in seeds}
    order = [(seed, reached[seed.urn]) for seed in seeds]
    frontier = list(seeds)
    while frontier:
        current = frontier.pop(0)
        for resource in dependents.get(current.urn, ()):
            if resource.urn in reached or resource.type in PASSIVE_TYPES or _is_copy(resource):
                continue
            reached[resource.urn] = f"depends on {current.name}"
            order.append((resource, reached[resource.urn]))
            frontier.append(resource)
    return order


def _is_copy(resource: Resource) -> bool:
    return (resource.inputs.get("tags") or {}).get("dr-role") in ("secondary", "replica")


def _labels(resource: Resource) -> dict:
    return (resource.inputs.get("metadata") or {}).get("labels") or {}


def _entity_of(resource: Resource) -> tuple[str, str] | None:
    tags = resource.inputs.get("tags") or {}
    if resource.type in WORKLOAD_TYPES and _labels(resource).get(APP_LABEL):
        return ("service", _labels(resource)[APP_LABEL])
    if resource.type == QUEUE and tags.get("flow"):
        return ("queue", tags["flow"])
    if resource.type in (RDS_CLUSTER, RDS_INSTANCE) and tags.get("database"):
        return ("database", tags["database"])
    return None


def _zone_entities(config: StackConfig, plan: Plan, zone: str, add, notes: list[str]) -> None:
    """Databases by instance placement; services by node group spread."""
    placement: dict[str, list[Any]] = {}
    for instance in plan.by_type(RDS_INSTANCE):
        database = (instance.inputs.get("tags") or {}).get("database")
        if database and not _is_copy(instance):
            placement.setdefault(database, []).append(instance.inputs.get("availabilityZone"))
    for database, zones in sorted(placement.items()):
        if zone not in zones:
            continue
        others = sorted({z for z in zones if z and z != zone})
        if others:
            add("database", database, Impact.DEGRADED, f"an instance in {zone}; fails over to {', '.join(others)}")
        else:
            add("database", database, Impact.STOPPED, f"its only instance is in {zone}")
    zones = sorted(_zones(plan))
    if config.services and len(zones) > 1:
        for service in config.services:
            add("service", service.name, Impact.DEGRADED, f"pods in {zone} reschedule to the other zones")
    notes.append(f"queues are regional: {zone} going down does not stop them")


def _tenants(config: StackConfig, target: Target, processes: list[ProcessImpact]) -> list[dict]:
    model = OperatingModel(config)
    hit = {p.name for p in processes}
    tenants = []
    for tenant in config.tenants:
        uses = set(model.processes_of("tenant", tenant.id))
        if target.kind == "tenant" and tenant.id != target.name:
            continue
        if target.kind != "tenant" and not uses & hit:
            continue
        tenants.append(
            {
                "id": tenant.id,
                "display_name": tenant.display_name,
                "isolation": tenant.isolation.value,
                "team": tenant.team,
                "processes": sorted(uses & hit) if target.kind != "tenant" else sorted(uses),
            }
        )
    return tenants


def _pages(
    config: StackConfig,
    model: OperatingModel,
    entities: list[Entity],
    processes: list[ProcessImpact],
    overall: IncidentSeverity | None,
) -> list[Page]:
    """Owners of what failed (at the worst severity of the processes it serves) and of the processes hit."""
    by_process = {p.name: p for p in processes}
    wanted: dict[str, IncidentSeverity | None] = {}

    def want(team: str | None, severity: IncidentSeverity | None) -> None:
        if team is None:
            return
        wanted[team] = worst([wanted.get(team), severity]) if team in wanted else severity

    for entity in entities:
        served = [
            by_process[name].severity for name in model.processes_of(entity.kind, entity.name) if name in by_process
        ]
        want(entity.team, worst(served) or overall)
    for process in processes:
        want(process.team, process.severity)
    pages = []
    for team_name, severity in sorted(wanted.items(), key=lambda item: (_severity_rank(item[1]), item[0])):
        team = model.teams.get(team_name)
        if team is None:
            continue
        level = config.severity.levels.level(severity) if config.severity and severity else None
        page_list = level.page if level else (Responder.PRIMARY,)
        on_call = team.paging.on_call(severity or IncidentSeverity.SEV4)
        pages.append(
            Page(
                team=team_name,
                severity=severity,
                topic=f"{config.environment.name}-team-{team_name}-{(severity or IncidentSeverity.SEV4).value}",
                primary=on_call.primary.endpoint,
                backup=on_call.backup.endpoint if on_call.backup and Responder.BACKUP in page_list else None,
                escalation=[f"{c.name} ({c.contact}) after {c.after_minutes} min" for c in team.escalation]
                if Responder.ESCALATION in page_list
                else [],
            )
        )
    return pages


def _vendors(model: OperatingModel, entities: list[Entity], processes: list[ProcessImpact], level) -> list[dict]:
    """Vendors of the failed integration, or of the integrations of the processes hit directly."""
    names = {e.name for e in entities if e.kind == "integration"}
    if level is not None and Responder.VENDORS in level.page:
        for process in processes:
            if process.direct:
                names.update(model.processes[process.name].integrations)
    vendors = []
    for name in sorted(names):
        team, vendor = model.vendors[name]
        vendors.append(
            {
                "name": vendor.name,
                "description": vendor.description,
                "contact": vendor.contact,
                "support_hours": vendor.support_hours,
                "team": team.name,
            }
        )
    return vendors


def _runbooks(
    config: StackConfig,
    stack: str,
    target: Target,
    entities: list[Entity],
    processes: list[ProcessImpact],
    model: OperatingModel,
) -> list[Runbook]:
    base = f"scripts/crossdock runbook run {{}} --stack {stack}"
    runbooks: list[Runbook] = []
    seen: set[str] = set()

    def add(name: str, params: str, why: str) -> None:
        command = base.format(name) + (f" {params}" if params else "")
        if command not in seen:
            seen.add(command)
            runbooks.append(Runbook(name, command, why))

    scope = "region" if target.kind == "region" else "az"
    if target.kind == "tenant":
        add("isolate-tenant", f"--param tenant={target.name}", "contain the tenant (WAF, queues, access)")
        add("rotate-credentials", f"--param tenant={target.name}", "if its credentials may be exposed")
        add("release-tenant", f"--param tenant={target.name}", "once the tenant is safe again")
    for entity in entities:
        if entity.kind == "queue":
            add("queue-replay", f"--param flow={entity.name}", f"drain and replay {entity.name} once it flows again")
        elif entity.kind == "database":
            add(
                "db-failover",
                f"--param database={entity.name} --param scope={scope}",
                f"fail {entity.name} over to a healthy {'region' if scope == 'region' else 'instance'}",
            )
        elif entity.kind == "service":
            add("freeze-deploys", "--param until=<end of incident>", "no deploys while the incident lasts")
    for process in processes:
        if not process.direct:
            continue
        spec = model.processes[process.name]
        why = f"the runbook of {process.name}"
        if spec.runbook == "queue-replay":
            for flow in spec.queues:
                add("queue-replay", f"--param flow={flow}", f"{why}: replay {flow} once it flows again")
        elif spec.runbook == "db-failover":
            for database in spec.databases:
                add("db-failover", f"--param database={database} --param scope={scope}", why)
        elif spec.runbook == "freeze-deploys":
            add("freeze-deploys", "--param until=<end of incident>", why)
        elif not any(r.name == spec.runbook for r in runbooks):
            add(spec.runbook, "", why)
    return runbooks


def _notice(
    config: StackConfig,
    processes: list[ProcessImpact],
    tenants: list[dict],
    severity: IncidentSeverity | None,
    started: datetime | None,
) -> Notice | None:
    if config.severity is None or severity is None:
        return None
    level = config.severity.levels.level(severity)
    direct = [p for p in processes if p.direct]
    template_name = next(
        (config_process.notice for p in direct if (config_process := _process(config, p.name)).notice),
        None,
    )
    template_name = template_name or level.template
    if template_name is None:
        return None
    template = next(t for t in config.communications if t.name == template_name)
    start = (started or datetime.now(UTC)).astimezone(UTC)
    update = level.customer_update_minutes
    groups: dict[str, list[str]] = {}
    for p in direct:
        groups.setdefault(p.impact.value, []).append(p.name)
    groups.setdefault("delayed", []).extend(p.name for p in processes if not p.direct)
    impact = "; ".join(f"{', '.join(names)} {how}" for how, names in groups.items() if names)
    values = {
        "environment": config.environment.name,
        "severity": severity.label,
        "tenants": ", ".join(t["display_name"] for t in tenants) or "all customers",
        "processes": ", ".join(p.name for p in direct),
        "impact": impact,
        "started": start.strftime(TIME_FORMAT),
        "next_update": (start + timedelta(minutes=update)).strftime(TIME_FORMAT)
        if update
        else "the end of the incident",
    }
    return Notice(template.name, template.subject.format(**values), template.body.format(**values))


def _process(config: StackConfig, name: str):
    return next(p for p in config.business_processes if p.name == name)


def criticality_of(config: StackConfig, processes: list[ProcessImpact]) -> str | None:
    tier = highest(_process(config, p.name).criticality for p in processes)
    return tier.value if tier else None
