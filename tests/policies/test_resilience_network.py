"""Network rules: production VPCs span three zones and keep internet egress in each of them."""

from __future__ import annotations

from pulumi_policy import StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import resilience_network as network
from tests.policies.harness import policy_resource, violations

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
IGW = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"

TAGS = {"environment": "prod", "owner": "platform", "cost-center": "cc-1"}


def linked(resource_type, props, name, **dependencies):
    """A resource whose inputs are other resources' (unknown) ids, linked by property dependencies."""
    return policy_resource(
        resource_type,
        {**dict.fromkeys(dependencies, UNKNOWN_STRING_VALUE), **props},
        name=name,
        property_dependencies={prop: [target] for prop, target in dependencies.items()},
    )


def vpc(tier="production", **extra_tags):
    return policy_resource(
        VPC,
        {"cidrBlock": "10.10.0.0/16", "tags": {**TAGS, "tier": tier, "Name": "prod-network", **extra_tags}},
        name="prod-network",
    )


def subnet(owner, tier, zone, *, tag_tier=True, **props):
    tags = {**TAGS, "subnet-tier": tier} if tag_tier else dict(TAGS)
    return linked(
        SUBNET, {"availabilityZone": zone, "tags": tags, **props}, f"prod-network-{tier}-{zone[-1]}", vpcId=owner
    )


def build(zones="abc", nat_zones="abc", *, tier="production", igw=True, tag_public=True):
    """A crossdock-like network: public and private subnets per zone, NAT gateways in some zones."""
    owner = vpc(tier)
    resources = [owner]
    if igw:
        resources.append(linked(IGW, {}, "prod-network-igw", vpcId=owner))
    public = {z: subnet(owner, "public", f"us-east-1{z}", tag_tier=tag_public) for z in zones}
    resources += public.values()
    resources += [subnet(owner, "private", f"us-east-1{z}") for z in zones]
    resources += [linked(NAT, {}, f"prod-network-nat-{z}", subnetId=public[z]) for z in nat_zones]
    return resources


def reported(rule, resources, config=None):
    found = []
    rule.policy.validate(
        StackValidationArgs(list(resources), config), lambda message, urn=None: found.append((message, urn))
    )
    return found


# --- CD-RES-040 three zones -----------------------------------------------------------------------


def test_production_vpc_in_three_zones_passes():
    assert violations(network.VPC_ZONES, build()) == []


def test_production_vpc_in_two_zones_fails_on_the_vpc():
    stack = build(zones="ab", nat_zones="ab")
    assert reported(network.VPC_ZONES, stack) == [
        (
            (
                'production VPC "prod-network" has subnets in 2 availability zones (us-east-1a, us-east-1b); '
                "at least 3 are needed"
            ),
            stack[0].urn,
        )
    ]


def test_production_vpc_without_subnets_fails():
    assert violations(network.VPC_ZONES, [vpc()]) == [
        'production VPC "prod-network" has subnets in 0 availability zones; at least 3 are needed'
    ]


def test_staging_vpc_is_not_checked_unless_config_says_production():
    stack = build(zones="a", nat_zones="a", tier="staging")
    assert violations(network.VPC_ZONES, stack) == []
    assert violations(network.VPC_ZONES, stack, {"production": True}) == [
        'production VPC "prod-network" has subnets in 1 availability zone (us-east-1a); at least 3 are needed'
    ]


def test_minimum_zones_from_policy_config():
    assert violations(network.VPC_ZONES, build(), {"minimumAvailabilityZones": 4.0}) == [
        (
            'production VPC "prod-network" has subnets in 3 availability zones (us-east-1a, us-east-1b, us-east-1c); '
            "at least 4 are needed"
        )
    ]


def test_zone_ids_count_and_unknown_zones_are_not_judged():
    owner = vpc()
    by_id = [linked(SUBNET, {"availabilityZoneId": f"use1-az{i}"}, f"s{i}", vpcId=owner) for i in (1, 2, 4)]
    assert violations(network.VPC_ZONES, [owner, *by_id]) == []
    pending = [linked(SUBNET, {"availabilityZone": UNKNOWN_STRING_VALUE}, f"s{i}", vpcId=owner) for i in range(3)]
    assert violations(network.VPC_ZONES, [owner, *pending]) == []


def test_dr_network_is_exempt():
    owner = vpc(**{"dr-role": "secondary"})
    data = [subnet(owner, "data", f"us-west-2{z}") for z in "ab"]
    assert violations(network.VPC_ZONES, [owner, *data]) == []
    assert violations(network.NAT_PER_ZONE, [owner, *data]) == []


# --- CD-RES-041 a NAT gateway per zone ------------------------------------------------------------


def test_nat_gateway_in_every_zone_passes():
    assert violations(network.NAT_PER_ZONE, build()) == []


def test_single_nat_gateway_fails_on_the_vpc():
    stack = build(nat_zones="a")
    assert reported(network.NAT_PER_ZONE, stack) == [
        (
            (
                'production VPC "prod-network" has no NAT gateway in a public subnet in us-east-1b, us-east-1c; '
                "each of its 3 availability zones needs its own"
            ),
            stack[0].urn,
        )
    ]


def test_nat_gateways_in_private_subnets_or_private_nat_gateways_do_not_count():
    stack = build(nat_zones="a")
    private_b = next(r for r in stack if r.name == "prod-network-private-b")
    public_c = next(r for r in stack if r.name == "prod-network-public-c")
    stack.append(linked(NAT, {}, "nat-in-private-b", subnetId=private_b))
    stack.append(linked(NAT, {"connectivityType": "private"}, "private-nat-c", subnetId=public_c))
    assert violations(network.NAT_PER_ZONE, stack) == [
        (
            'production VPC "prod-network" has no NAT gateway in a public subnet in us-east-1b, us-east-1c; '
            "each of its 3 availability zones needs its own"
        )
    ]


def test_public_subnet_recognised_by_its_route_to_an_internet_gateway():
    stack = build(tag_public=False)
    owner, igw = stack[0], stack[1]
    table = policy_resource(
        ROUTE_TABLE,
        {"vpcId": UNKNOWN_STRING_VALUE, "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN_STRING_VALUE}]},
        name="public-rt",
        property_dependencies={"vpcId": [owner], "routes": [igw]},
    )
    public = [r for r in stack if r.name.startswith("prod-network-public-")]
    associations = [linked(ASSOCIATION, {}, f"rta-{s.name}", subnetId=s, routeTableId=table) for s in public]
    assert violations(network.NAT_PER_ZONE, stack) != []
    assert violations(network.NAT_PER_ZONE, [*stack, table, *associations]) == []


def test_regional_nat_gateway_covers_every_zone():
    stack = build(nat_zones="")
    owner = stack[0]
    regional = linked(NAT, {"availabilityMode": "regional"}, "regional-nat", vpcId=owner)
    assert violations(network.NAT_PER_ZONE, [*stack, regional]) == []
    manual = linked(
        NAT,
        {
            "availabilityMode": "regional",
            "availabilityZoneAddresses": [{"availabilityZone": "us-east-1a", "allocationIds": ["eipalloc-1"]}],
        },
        "manual-nat",
        vpcId=owner,
    )
    assert violations(network.NAT_PER_ZONE, [*stack, manual]) == [
        (
            'production VPC "prod-network" has no NAT gateway in a public subnet in us-east-1b, us-east-1c; '
            "each of its 3 availability zones needs its own"
        )
    ]


def test_vpc_without_internet_gateway_or_outside_production_is_not_checked():
    assert violations(network.NAT_PER_ZONE, build(nat_zones="", igw=False)) == []
    assert violations(network.NAT_PER_ZONE, build(nat_zones="a", tier="development")) == []
    assert len(violations(network.NAT_PER_ZONE, build(nat_zones="a", tier="development"), {"production": True})) == 1
