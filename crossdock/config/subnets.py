"""How a VPC CIDR is carved into public, private and data subnets per AZ, and where the DR VPC goes.

One module owns the address layout so validation (is the CIDR large enough? does a
new stack overlap an existing DR VPC?), the stack templates and the network and
disaster-recovery components (which CIDR does each subnet get?) can never disagree.
"""

from __future__ import annotations

import math
from ipaddress import IPv4Network

SUBNET_TIERS: tuple[str, ...] = ("public", "private", "data")

# The smallest subnet crossdock accepts: 256 addresses leaves room for load
# balancers, Kubernetes pods and database failover in every tier and zone.
MIN_SUBNET_PREFIX = 24

# The DR VPC's data subnets span 2..3 zones of the DR region: Aurora subnet groups need
# two zones; three is what the primary's production layout uses.
DR_MIN_ZONES, DR_MAX_ZONES = 2, 3
RFC1918 = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))


def subnet_prefix(vpc: IPv4Network, az_count: int) -> int:
    """Prefix length of each subnet: the VPC split evenly into tiers x zones slots."""
    slots = len(SUBNET_TIERS) * az_count
    return vpc.prefixlen + math.ceil(math.log2(slots))


def plan_subnets(vpc: IPv4Network, az_count: int) -> dict[str, list[IPv4Network]]:
    """Subnet CIDRs per tier, one per AZ, in AZ order; tiers occupy consecutive blocks."""
    prefix = subnet_prefix(vpc, az_count)
    if prefix > MIN_SUBNET_PREFIX:
        raise ValueError(
            f"{vpc} is too small for {len(SUBNET_TIERS) * az_count} subnets "
            f"({len(SUBNET_TIERS)} tiers x {az_count} AZs): each would be /{prefix}, "
            f"crossdock needs /{MIN_SUBNET_PREFIX} or larger; use a /{vpc.prefixlen - (prefix - MIN_SUBNET_PREFIX)} or larger"
        )
    blocks = vpc.subnets(new_prefix=prefix)
    return {tier: [next(blocks) for _ in range(az_count)] for tier in SUBNET_TIERS}


def dr_vpc_cidr(primary: IPv4Network) -> IPv4Network:
    """The DR VPC's CIDR: the block of the primary's size right after it (10.10.0.0/16 -> 10.11.0.0/16).

    Adjacent and never overlapping, so the two VPCs can be peered or attached to a
    transit gateway during a failover without renumbering, and a responder can tell
    the regions apart from an address. If the next block would leave the primary's
    private range (10.255.0.0/16), the block right before it is used instead.
    """
    size = primary.num_addresses
    home = next((block for block in RFC1918 if primary.subnet_of(block)), None)
    start = int(primary.network_address)
    for candidate_start in (start + size, start - size):
        if candidate_start < 0 or candidate_start + size > 2**32:
            continue
        candidate = IPv4Network((candidate_start, primary.prefixlen))
        if home is None or candidate.subnet_of(home):
            return candidate
    raise ValueError(f"no free block of {primary}'s size next to it for the DR VPC")


def dr_zones(primary_az_count: int, dr_region_zones: int | None) -> int:
    """Zones the DR subnets span: the primary's count, clamped to 2..3 and the DR region's zones."""
    available = DR_MIN_ZONES if dr_region_zones is None else dr_region_zones
    return max(DR_MIN_ZONES, min(primary_az_count, DR_MAX_ZONES, available))
