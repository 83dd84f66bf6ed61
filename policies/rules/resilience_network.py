"""Resilience rules for production networks: three zones, and internet egress in each of them.

Routine failures in a region are zone failures. A production VPC needs subnets in
at least three zones so a lost zone leaves two to fail over between (Aurora,
queues' consumers, load balancers), and a NAT gateway per zone so private subnets
keep reaching carrier APIs and EDI partners when another zone's NAT is gone.

Subnets belong to a VPC through `vpcId`, NAT gateways sit in a subnet through
`subnetId` (property dependencies first, names as a fallback). A subnet is public
when tagged `subnet-tier: public`, when it sets `mapPublicIpOnLaunch`, or when its
route table routes to an internet gateway. A regional NAT gateway
(`availabilityMode: regional`) covers the zones it lists, or all of them in auto mode.
VPCs tagged `dr-role: secondary` (the pilot-light DR network, sized by the DR region)
are exempt, and a VPC without an internet gateway has no egress to make redundant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from policies.rule import Category, Rule, stack_rule
from policies.rules.resilience_data import (
    PRODUCTION_SETTING,
    UNKNOWN,
    Stack,
    config_schema,
    flag,
    fmt,
    is_production,
    setting,
    text,
)

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
INTERNET_GATEWAY_ATTACHMENT = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROUTE = "aws:ec2/route:Route"

MINIMUM_ZONES_SETTING = {
    "type": "number",
    "default": 3,
    "minimum": 2,
    "description": "Availability zones a production VPC's subnets must span.",
}
SCHEMA = config_schema(production=PRODUCTION_SETTING, minimumAvailabilityZones=MINIMUM_ZONES_SETTING)


def zone_of(props: Mapping[str, Any]) -> str | None:
    """A subnet's zone name, else its zone id; None while unknown."""
    return text(props.get("availabilityZone")) or text(props.get("availabilityZoneId"))


def production_vpcs(stack: Stack) -> list[PolicyResource]:
    return [
        vpc
        for vpc in stack.of_type(VPC)
        if is_production(stack.tags(vpc), stack.config) and stack.tags(vpc).get("dr-role") != "secondary"
    ]


def vpc_name(stack: Stack, vpc: PolicyResource) -> str:
    return stack.tags(vpc).get("Name") or vpc.name


def subnets_of(stack: Stack, vpc: PolicyResource) -> list[PolicyResource]:
    return [s for s in stack.of_type(SUBNET) if stack.references(s, "vpcId", vpc)]


def _zones(stack: Stack, subnets: list[PolicyResource]) -> tuple[set[str], int]:
    """Distinct known zones, and how many subnets have no known zone yet."""
    zones = [zone_of(stack.props(s)) for s in subnets]
    return {z for z in zones if z}, sum(1 for z in zones if z is None)


def _listing(zones: set[str]) -> str:
    return ", ".join(sorted(zones))


# --- three zones ----------------------------------------------------------------------------------


def _validate_zones(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    minimum = setting(stack.config, "minimumAvailabilityZones", 3.0)
    for vpc in production_vpcs(stack):
        known, unknown = _zones(stack, subnets_of(stack, vpc))
        if len(known) >= minimum or len(known) + unknown >= minimum:
            continue  # enough zones, or not knowable until the zones resolve
        spread = f"{len(known)} availability zone" + ("" if len(known) == 1 else "s")
        where = f" ({_listing(known)})" if known else ""
        report(
            f'production VPC "{vpc_name(stack, vpc)}" has subnets in {spread}{where}; '
            f"at least {fmt(minimum)} are needed",
            vpc.urn,
        )


VPC_ZONES = stack_rule(
    "CD-RES-040",
    description="Production VPCs have subnets in at least three availability zones, so losing one zone leaves "
    "two for databases, consumers and load balancers to run and fail over in.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Set environment.azCount to 3 or more in the stack file (Network creates public, private and data "
    "subnets in every zone), or add aws.ec2.Subnet resources with vpc_id=<vpc>.id in the missing zones.",
    validate=_validate_zones,
    config_schema=SCHEMA,
)

# --- a NAT gateway per zone -----------------------------------------------------------------------


def _has_internet_gateway(stack: Stack, vpc: PolicyResource) -> bool:
    return any(stack.references(g, "vpcId", vpc) for g in stack.of_type(INTERNET_GATEWAY, INTERNET_GATEWAY_ATTACHMENT))


def _routes_to_internet(stack: Stack, holder: PolicyResource, prop: str, gateway_ids: list[Any]) -> bool:
    if any(dep.resource_type == INTERNET_GATEWAY for dep in holder.property_dependencies.get(prop, ())):
        return True
    return any(isinstance(g, str) and g.startswith("igw-") for g in gateway_ids)


def _public_route_tables(stack: Stack) -> set[str]:
    public = set()
    for table in stack.of_type(ROUTE_TABLE):
        routes = stack.props(table).get("routes")
        gateways = [r.get("gatewayId") for r in routes if isinstance(r, Mapping)] if isinstance(routes, list) else []
        if gateways and _routes_to_internet(stack, table, "routes", gateways):
            public.add(table.urn)
    for route in stack.of_type(ROUTE):
        if _routes_to_internet(stack, route, "gatewayId", [stack.props(route).get("gatewayId")]):
            public |= {t.urn for t in stack.referenced(route, "routeTableId", (ROUTE_TABLE,))}
    return public


def _public_subnets(stack: Stack, subnets: list[PolicyResource]) -> list[PolicyResource]:
    tables = _public_route_tables(stack)
    associations = stack.of_type(ROUTE_TABLE_ASSOCIATION)

    def routed_out(subnet: PolicyResource) -> bool:
        return any(
            stack.references(a, "subnetId", subnet)
            and any(t.urn in tables for t in stack.referenced(a, "routeTableId", (ROUTE_TABLE,)))
            for a in associations
        )

    return [
        s
        for s in subnets
        if stack.tags(s).get("subnet-tier") == "public"
        or flag(stack.props(s).get("mapPublicIpOnLaunch")) is True
        or routed_out(s)
    ]


def _nat_zones(
    stack: Stack, vpc: PolicyResource, subnets: list[PolicyResource], all_zones: set[str]
) -> tuple[set[str], int]:
    """Zones with a public NAT gateway, and how many NAT gateways sit in a zone not known yet."""
    public = _public_subnets(stack, subnets)
    covered: set[str] = set()
    unknown = 0
    for nat in stack.of_type(NAT_GATEWAY):
        props = stack.props(nat)
        if props.get("connectivityType") == "private":
            continue  # private NAT gateways give no internet egress
        if props.get("availabilityMode") == "regional":
            if not stack.references(nat, "vpcId", vpc):
                continue
            addresses = props.get("availabilityZoneAddresses")
            if addresses is UNKNOWN:
                unknown += 1
            elif isinstance(addresses, list) and addresses:
                listed = [zone_of(a) for a in addresses if isinstance(a, Mapping)]
                covered |= {z for z in listed if z}
                unknown += sum(1 for z in listed if z is None)
            else:
                covered |= all_zones  # auto mode expands to every zone with a network interface
            continue
        for subnet in public:
            if stack.references(nat, "subnetId", subnet):
                zone = zone_of(stack.props(subnet))
                if zone:
                    covered.add(zone)
                else:
                    unknown += 1
    return covered, unknown


def _validate_nat_per_zone(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for vpc in production_vpcs(stack):
        if not _has_internet_gateway(stack, vpc):
            continue
        subnets = subnets_of(stack, vpc)
        zones, unknown_subnets = _zones(stack, subnets)
        covered, unknown_nats = _nat_zones(stack, vpc, subnets, zones)
        missing = zones - covered
        if not missing or unknown_subnets or len(missing) <= unknown_nats:
            continue  # covered, or not knowable until the zones resolve
        report(
            f'production VPC "{vpc_name(stack, vpc)}" has no NAT gateway in a public subnet in {_listing(missing)}; '
            f"each of its {len(zones)} availability zones needs its own",
            vpc.urn,
        )


NAT_PER_ZONE = stack_rule(
    "CD-RES-041",
    description="Production VPCs with internet egress have a NAT gateway in a public subnet of every zone they use, "
    "so a zone failure never strands the other zones' private subnets (carrier APIs, EDI partners).",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Create one aws.ec2.NatGateway per zone with subnet_id=<that zone's public subnet>.id and route each "
    "private subnet to the NAT gateway of its own zone (Network does this when the tier is production), or use a "
    'regional NAT gateway (availability_mode="regional").',
    validate=_validate_nat_per_zone,
    config_schema=config_schema(production=PRODUCTION_SETTING),
)

RULES: list[Rule] = [VPC_ZONES, NAT_PER_ZONE]
