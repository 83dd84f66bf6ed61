"""How a VPC CIDR is carved into public, private and data subnets per AZ.

One function owns the layout so validation (is the CIDR large enough?) and the
network component (which CIDR does each subnet get?) can never disagree.
"""

from __future__ import annotations

import math
from ipaddress import IPv4Network

SUBNET_TIERS: tuple[str, ...] = ("public", "private", "data")

# The smallest subnet crossdock accepts: 256 addresses leaves room for load
# balancers, Kubernetes pods and database failover in every tier and zone.
MIN_SUBNET_PREFIX = 24


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
