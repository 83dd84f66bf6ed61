"""The architecture picture of a stack, laid out by Graphviz `dot` from the recorded plan and the stack file.

What is drawn comes from the plan (what the program really builds: the clusters and their
instances' zones, the queues and DLQs, the DR copies, subnets and NAT gateways); what it means
comes from the stack file (criticality tiers, which service produces to or consumes which
queue, read or write access, RPO targets, tenants). Nothing is placed by hand: regions, zones,
tiers and tenants are Graphviz clusters and `dot` lays them out. Alarms, policies and other
plumbing are left out on purpose, so prod stays readable.

Views:
- `services` (default): the public edge, the transaction tier's services grouped by criticality,
  the queues (each with its DLQ), the databases (writer and readers, by zone), the DR region with
  its copies, silo tenants as their own boxes, and the data and replication paths.
- `network`: the VPC per region, one cluster per zone with its public, private and data subnets,
  NAT gateways, database instances, and the node groups and VPC endpoints spanning them.
- `dr`: every data store of the primary region and its copy in the DR region, with the
  mechanism and the RPO of its data class; stores without a copy are greyed.
- `tenants`: pool tenants and the flows they use, silo tenants with their own stack, databases
  and flows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import graphviz

from crossdock.config.schema import Criticality, Isolation, StackConfig
from crossdock.engine.graph import Plan, Resource

VIEWS = ("services", "network", "dr", "tenants")

# Fill colours per criticality tier (light, so black text stays readable), and a border per tier.
TIER_COLOURS: dict[Criticality, tuple[str, str]] = {
    Criticality.REAL_TIME_FULFILLMENT: ("#f8d0cc", "#b2392e"),
    Criticality.NEAR_REAL_TIME_INTEGRATION: ("#fde3bf", "#c0741a"),
    Criticality.INTERNAL_REPORTING: ("#d3e4f5", "#3a6fa8"),
    Criticality.DEFERRED_ANALYTICS: ("#e4e4e4", "#6b6b6b"),
}
DATA_FILL, DATA_BORDER = "#dff0d8", "#3d7a36"
DR_FILL, DR_BORDER = "#e8def3", "#6a4a93"
MUTED = "#9a9a9a"
FONT = "Helvetica"

RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
QUEUE = "aws:sqs/queue:Queue"
BUCKET = "aws:s3/bucket:Bucket"
VAULT = "aws:backup/vault:Vault"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
VPC = "aws:ec2/vpc:Vpc"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"


def node_id(kind: str, name: str) -> str:
    """A DOT id without ':' (a colon in an edge end is a port in DOT)."""
    return f"{kind}__{name}"


def build(config: StackConfig, plan: Plan, view: str = "services") -> graphviz.Digraph:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (views: {', '.join(VIEWS)})")
    graph = graphviz.Digraph(name=f"{plan.stack}-{view}")
    env = config.environment
    graph.attr(
        rankdir="LR" if view in ("services", "dr") else "TB",
        fontname=FONT,
        fontsize="20",
        labelloc="t",
        label=f"crossdock {plan.stack}: {view} view ({env.tier.value}, {env.region}"
        + (f", DR {config.dr.region} {config.dr.strategy.value})" if config.dr else ")"),
        compound="true",
        newrank="true",
        nodesep="0.3",
        ranksep="0.6",
    )
    graph.attr("node", fontname=FONT, fontsize="11", shape="box", style="rounded,filled", fillcolor="white")
    graph.attr("edge", fontname=FONT, fontsize="9", color="#555555")
    {"services": _services, "network": _network, "dr": _dr, "tenants": _tenants}[view](graph, config, plan)
    _legend(graph, view)
    return graph


# -- helpers over the plan ----------------------------------------------------------------------


def _tags(resource: Resource) -> dict:
    return resource.inputs.get("tags") or {}


def _is_copy(resource: Resource) -> bool:
    return _tags(resource).get("dr-role") in ("secondary", "replica")


def _instances(plan: Plan, database: str) -> list[Resource]:
    return [r for r in plan.by_type(RDS_INSTANCE) if _tags(r).get("database") == database and not _is_copy(r)]


def _dr_copy(plan: Plan, database: str) -> Resource | None:
    return next(
        (r for r in plan.by_type(RDS_CLUSTER) if _tags(r).get("database") == database and _is_copy(r)),
        None,
    )


def _short_zone(zone: str | None) -> str:
    return zone.rsplit("-", 1)[-1] if zone else "?"


def _tier_node(graph: graphviz.Digraph, ident: str, label: str, tier: Criticality | None, **attrs: str) -> None:
    fill, border = TIER_COLOURS.get(tier, ("white", "#555555")) if tier else ("white", "#555555")
    graph.node(ident, label, fillcolor=fill, color=border, **attrs)


def _cluster(graph: graphviz.Digraph, name: str, label: str, **attrs: str) -> graphviz.Digraph:
    sub = graphviz.Digraph(name=f"cluster_{name}")
    sub.attr(**{"label": label, "fontname": FONT, "fontsize": "13", "style": "rounded", "color": "#888888", **attrs})
    return sub


def _database_label(config: StackConfig, plan: Plan, name: str) -> str:
    spec = next(d for d in config.databases if d.name == name)
    instances = _instances(plan, name)
    zones = [_short_zone(i.inputs.get("availabilityZone")) for i in instances]
    placement = f"writer {zones[0]}" if zones else "writer"
    if len(zones) > 1:
        placement += f", readers {' '.join(zones[1:])}"
    return f"{name}\nAurora PostgreSQL {spec.engine_version}\n{placement}\n{spec.data_class}"


def _rpo(config: StackConfig, data_class: str) -> str | None:
    objective = config.data_class(data_class).objectives.region
    return f"RPO {objective.rpo_minutes:g} min, RTO {objective.rto_minutes:g} min" if objective else None


# -- services -----------------------------------------------------------------------------------


def _services(graph: graphviz.Digraph, config: StackConfig, plan: Plan) -> None:
    env = config.environment
    region = _cluster(graph, "primary", f"{env.region} (primary)", bgcolor="#fbfbfb")
    public = [s for s in config.services if s.public]
    if public:
        graph.node("internet", "customers, portals,\nscanners, partners", shape="oval", fillcolor="#ffffff")
        waf = "WAF + " if plan.by_type(WEB_ACL) else ""
        hosts = "\n".join(s.hostname or s.name for s in public)
        region.node(
            "edge", f"public edge\n{waf}ALB (HTTPS)\n{hosts}", shape="box", fillcolor="#fff8d6", color="#a08a00"
        )
        graph.edge("internet", "edge", label="HTTPS")

    tiers = [tier for tier in Criticality if any(s.criticality is tier for s in config.services)]
    for tier in tiers:
        border = TIER_COLOURS[tier][1]
        sub = _cluster(region, f"tier_{tier.value}", f"{tier.value}", color=border)
        for service in (s for s in config.services if s.criticality is tier):
            replicas = f"{service.replicas.min}-{service.replicas.max} pods"
            owner = f"\nteam {service.team}" if service.team else ""
            _tier_node(sub, node_id("svc", service.name), f"{service.name}\n{replicas}{owner}", tier)
        region.subgraph(sub)
    for service in public:
        graph.edge("edge", node_id("svc", service.name))

    if config.queues:
        queues = _cluster(region, "queues", "integration flows (SQS, KMS)")
        for queue in config.queues:
            fifo = " (FIFO)" if queue.fifo else ""
            _tier_node(
                queues,
                node_id("q", queue.name),
                f"{queue.name}{fifo}\nalarm at {queue.age_alarm_seconds} s",
                queue.criticality,
                shape="cds",
            )
            queues.node(
                node_id("dlq", queue.name),
                f"DLQ after {queue.max_receive_count}",
                shape="cds",
                fontsize="9",
                fillcolor="#f2f2f2",
                color=MUTED,
            )
            queues.edge(
                node_id("q", queue.name), node_id("dlq", queue.name), style="dashed", color=MUTED, arrowsize="0.6"
            )
        region.subgraph(queues)

    if config.databases:
        data = _cluster(region, "data", "data tier (Aurora, multi-AZ)")
        for database in config.databases:
            data.node(
                node_id("db", database.name),
                _database_label(config, plan, database.name),
                shape="cylinder",
                fillcolor=DATA_FILL,
                color=DATA_BORDER,
            )
        region.subgraph(data)

    for service in config.services:
        for flow in service.produces:
            graph.edge(node_id("svc", service.name), node_id("q", flow), label="sends")
        for flow in service.consumes:
            graph.edge(node_id("q", flow), node_id("svc", service.name), label="consumes")
        if service.database:
            access = service.database.access.value
            graph.edge(
                node_id("svc", service.name),
                node_id("db", service.database.name),
                label=access,
                dir="both" if access == "write" else "back",
            )
    if config.dr is not None:
        _dr_region(graph, region, config, plan)
    graph.subgraph(region)

    silos = [t for t in config.tenants if t.isolation is Isolation.SILO]
    for tenant in silos:
        box = _cluster(
            graph, f"silo_{tenant.id}", f"silo tenant {tenant.display_name}", color="#444444", style="rounded,bold"
        )
        box.node(
            node_id("silo", tenant.id),
            f"stack {env.name}-tenant-{tenant.id}\nown databases, keys, queues\nflows: {', '.join(tenant.flows)}",
            fillcolor="#f4f4f4",
        )
        graph.subgraph(box)
        for flow in tenant.flows:
            graph.edge(node_id("silo", tenant.id), node_id("q", flow), style="dotted", color=MUTED, arrowhead="none")


def _dr_region(graph: graphviz.Digraph, primary: graphviz.Digraph, config: StackConfig, plan: Plan) -> None:
    """The DR region's copies: Global Database secondaries, the backup vault, replica buckets."""
    assert config.dr is not None  # called only for a stack with a dr section
    dr = _cluster(
        graph, "dr", f"{config.dr.region} (DR, {config.dr.strategy.value})", bgcolor="#faf7fd", color=DR_BORDER
    )
    for database in config.databases:
        copy = _dr_copy(plan, database.name)
        if copy is None:
            continue
        instances = [r for r in plan.by_type(RDS_INSTANCE) if _tags(r).get("database") == database.name and _is_copy(r)]
        running = f"{len(instances)} instance(s)" if instances else "no instances (pilot light)"
        dr.node(
            node_id("drdb", database.name),
            f"{database.name} global secondary\n{running}",
            shape="cylinder",
            fillcolor=DR_FILL,
            color=DR_BORDER,
        )
        graph.edge(
            node_id("db", database.name),
            node_id("drdb", database.name),
            label=f"Aurora Global Database\n{_rpo(config, database.data_class) or ''}",
            color=DR_BORDER,
            fontcolor=DR_BORDER,
            style="bold",
        )
    vault = next((v for v in plan.by_type(VAULT) if _is_copy(v)), None)
    if vault is not None:
        dr.node("drvault", "backup vault\n(cross-region copies\nof every database)", fillcolor=DR_FILL, color=DR_BORDER)
        for database in config.databases:
            graph.edge(
                node_id("db", database.name),
                "drvault",
                style="dashed",
                color=DR_BORDER,
                label="AWS Backup copy" if database is config.databases[0] else "",
            )
    for bucket in plan.by_type(BUCKET):
        if _tags(bucket).get("dr-role") != "replica":
            continue
        label = bucket.name.rsplit("-", 1)[0].split(f"{config.environment.name}-dr-", 1)[-1]
        dr.node(
            node_id("drbucket", label), f"{label} bucket replica", shape="folder", fillcolor=DR_FILL, color=DR_BORDER
        )
        primary.node(
            node_id("bucket", label), f"{label} bucket", shape="folder", fillcolor=DATA_FILL, color=DATA_BORDER
        )
        rpo = _rpo(config, _tags(bucket).get("data-class", "")) if _tags(bucket).get("data-class") else None
        graph.edge(
            node_id("bucket", label),
            node_id("drbucket", label),
            label="S3 replication" + (f"\n{rpo}" if rpo else ""),
            color=DR_BORDER,
            fontcolor=DR_BORDER,
        )
    graph.subgraph(dr)


# -- dr -----------------------------------------------------------------------------------------


def _dr(graph: graphviz.Digraph, config: StackConfig, plan: Plan) -> None:
    env = config.environment
    region = _cluster(graph, "primary", f"{env.region} (primary)", bgcolor="#fbfbfb")
    for database in config.databases:
        replicated = _dr_copy(plan, database.name) is not None
        region.node(
            node_id("db", database.name),
            _database_label(config, plan, database.name),
            shape="cylinder",
            fillcolor=DATA_FILL if replicated or config.dr else "#f2f2f2",
            color=DATA_BORDER,
        )
    for queue in config.queues:
        region.node(
            node_id("q", queue.name),
            f"{queue.name}\nno DR copy (payloads archived)",
            shape="cds",
            fillcolor="#f2f2f2",
            color=MUTED,
            fontcolor="#555555",
        )
        if config.dr is not None:
            graph.edge(
                node_id("q", queue.name), node_id("bucket", "archive"), style="dotted", color=MUTED, arrowsize="0.5"
            )
    if config.dr is None:
        graph.subgraph(region)
        graph.node("nodr", "no DR region: the stack declares no dr section", shape="note", fillcolor="#f2f2f2")
        return
    _dr_region(graph, region, config, plan)
    graph.subgraph(region)


# -- network ------------------------------------------------------------------------------------


def _network(graph: graphviz.Digraph, config: StackConfig, plan: Plan) -> None:
    by_urn = {r.urn: r for r in plan.resources}
    vpcs = plan.by_type(VPC)
    for vpc in vpcs:
        region_name = vpc.region or config.environment.region
        dr = _is_copy(vpc)
        region = _cluster(graph, f"region_{region_name}", f"{region_name} ({'DR' if dr else 'primary'})")
        box = _cluster(region, f"vpc_{vpc.name}", f"VPC {vpc.inputs.get('cidrBlock')}", bgcolor="#fbfbfb")
        zones: dict[str, list[Resource]] = defaultdict(list)
        subnets = [s for s in plan.by_type(SUBNET) if s.region == vpc.region and _is_copy(s) == dr]
        for subnet in subnets:
            zones[subnet.inputs.get("availabilityZone") or "?"].append(subnet)
        zone_of = {s.urn: s.inputs.get("availabilityZone") for s in subnets}
        for zone in sorted(zones):
            az = _cluster(box, f"az_{zone}", zone)
            for subnet in sorted(
                zones[zone], key=lambda s: ("public", "private", "data").index(_tags(s).get("subnet-tier", "data"))
            ):
                tier = _tags(subnet).get("subnet-tier", "")
                fill = {"public": "#fff8d6", "private": "#d3e4f5", "data": DATA_FILL}.get(tier, "white")
                az.node(node_id("subnet", subnet.name), f"{tier} {subnet.inputs.get('cidrBlock')}", fillcolor=fill)
            for nat in plan.by_type(NAT):
                placed = [zone_of.get(d) for d in nat.dependencies if d in zone_of]
                if zone in placed:
                    az.node(node_id("nat", nat.name), "NAT gateway", shape="octagon", fillcolor="white")
            for instance in plan.by_type(RDS_INSTANCE):
                if instance.inputs.get("availabilityZone") == zone:
                    role = "DR" if _is_copy(instance) else "db"
                    az.node(
                        node_id("inst", instance.name),
                        f"{_tags(instance).get('database')} instance ({role})",
                        shape="cylinder",
                        fillcolor=DATA_FILL,
                        color=DATA_BORDER,
                    )
            box.subgraph(az)
        groups = [g for g in plan.by_type(NODE_GROUP) if g.region == vpc.region]
        for group in groups:
            box.node(
                node_id("ng", group.name),
                f"EKS node group\n{group.name.rsplit('cluster-', 1)[-1]}",
                shape="box3d",
                fillcolor="#eef3fb",
            )
            for dependency in group.dependencies:
                if dependency in zone_of and _tags(by_urn[dependency]).get("subnet-tier") == "private":
                    graph.edge(
                        node_id("ng", group.name),
                        node_id("subnet", by_urn[dependency].name),
                        style="dotted",
                        arrowhead="none",
                        color=MUTED,
                    )
        endpoints = [e for e in plan.by_type(ENDPOINT) if e.region == vpc.region]
        if endpoints:
            services = ", ".join(sorted(str(e.inputs.get("serviceName", "")).rsplit(".", 1)[-1] for e in endpoints))
            box.node(node_id("endpoints", vpc.name), f"VPC endpoints\n{services}", shape="component", fillcolor="white")
        region.subgraph(box)
        graph.subgraph(region)
        for nat in plan.by_type(NAT):
            if nat.region == vpc.region:
                public = next((d for d in nat.dependencies if d in zone_of), None)
                if public:
                    graph.edge(
                        node_id("nat", nat.name), node_id("subnet", by_urn[public].name), arrowhead="none", color=MUTED
                    )


# -- tenants ------------------------------------------------------------------------------------


def _tenants(graph: graphviz.Digraph, config: StackConfig, plan: Plan) -> None:
    env = config.environment
    shared = _cluster(graph, "shared", f"{env.name}: shared data tier and flows", bgcolor="#fbfbfb")
    used = {flow for tenant in config.tenants for flow in tenant.flows}
    for queue in config.queues:
        if queue.name in used:
            _tier_node(shared, node_id("q", queue.name), queue.name, queue.criticality, shape="cds")
    for database in config.databases:
        shared.node(
            node_id("db", database.name), database.name, shape="cylinder", fillcolor=DATA_FILL, color=DATA_BORDER
        )
    graph.subgraph(shared)
    for tenant in config.tenants:
        quotas = tenant.quotas
        label = (
            f"{tenant.display_name} ({tenant.id})\n{tenant.isolation.value}, {tenant.risk.value} risk\n"
            f"{quotas.requests_per_five_minutes} req/5 min, {quotas.queue_messages_per_second} msg/s"
        )
        if tenant.isolation is Isolation.SILO:
            box = _cluster(graph, f"silo_{tenant.id}", f"stack {env.name}-tenant-{tenant.id}", style="rounded,bold")
            box.node(node_id("tenant", tenant.id), label, shape="box", fillcolor="#f4f4f4", style="rounded,filled,bold")
            for flow in tenant.flows:
                box.node(
                    node_id("siloq", f"{tenant.id}-{flow}"), f"{flow} (own queue)", shape="cds", fillcolor="#f4f4f4"
                )
                box.edge(node_id("tenant", tenant.id), node_id("siloq", f"{tenant.id}-{flow}"))
            box.node(
                node_id("silodb", tenant.id),
                "own databases\nown KMS keys",
                shape="cylinder",
                fillcolor=DATA_FILL,
                color=DATA_BORDER,
            )
            box.edge(node_id("tenant", tenant.id), node_id("silodb", tenant.id))
            graph.subgraph(box)
        else:
            graph.node(node_id("tenant", tenant.id), label, fillcolor="#ffffff")
            for flow in tenant.flows:
                graph.edge(node_id("tenant", tenant.id), node_id("q", flow))
            for database in config.databases:
                graph.edge(
                    node_id("tenant", tenant.id),
                    node_id("db", database.name),
                    style="dotted",
                    color=MUTED,
                    label="shared",
                )
    if not config.tenants:
        graph.node("notenants", "no tenants registered in this stack", shape="note", fillcolor="#f2f2f2")


def _legend(graph: graphviz.Digraph, view: str) -> None:
    if view not in ("services", "tenants"):
        return
    legend = _cluster(graph, "legend", "criticality", fontsize="11")
    previous = None
    for tier in Criticality:
        ident = node_id("legend", tier.value)
        _tier_node(legend, ident, tier.value, tier, fontsize="9")
        if previous:
            legend.edge(previous, ident, style="invis")
        previous = ident
    graph.subgraph(legend)


def node_names(graph: graphviz.Digraph) -> Iterable[str]:
    """The node ids in the DOT source (for tests and callers that check what was drawn)."""
    for line in graph.body:
        stripped = line.strip()
        if (
            stripped
            and "->" not in stripped
            and not stripped.startswith(("graph", "node", "edge", "subgraph", "}", "label"))
        ):
            yield stripped.split(" ", 1)[0].strip('"')
