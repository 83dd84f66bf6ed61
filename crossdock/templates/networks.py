"""Which address blocks the stacks of a stacks directory occupy, and the next free one.

Every environment stack occupies its VPC CIDR and, when its DR component builds one,
the DR VPC block next to it (`crossdock.config.subnets.dr_vpc_cidr`); a silo
tenant stack occupies its own DR VPC (`crossdock:tenant.drVpcCidr`). New stacks must
overlap none of them, so VPCs can be peered or attached to a transit gateway later
(failover, migrations) without renumbering.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

import yaml

from crossdock.config.loader import StackConfigError, load_stack_file
from crossdock.config.tenancy import environment_networks

# Private ranges crossdock allocates from, in preference order.
RFC1918 = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))


@dataclass(frozen=True)
class Occupied:
    network: IPv4Network
    owner: str
    """e.g. `stacks/Pulumi.prod.yaml (DR VPC in us-west-2)`."""


def stack_files(stacks: Path) -> list[Path]:
    """Every `Pulumi.<stack>.yaml` in the stacks directory, by stack name (templates live in a subdirectory)."""
    return sorted(stacks.glob("Pulumi.*.yaml"), key=stack_name)


def stack_name(path: Path) -> str:
    return path.name[len("Pulumi.") : -len(".yaml")]


def raw_namespace(path: Path) -> dict:
    """The `crossdock:*` values of a stack file as written (no validation)."""
    document = yaml.safe_load(path.read_text()) or {}
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return {}
    return {key.split(":", 1)[1]: value for key, value in config.items() if str(key).startswith("crossdock:")}


def occupied(stacks: Path) -> list[Occupied]:
    """The blocks every stack file of `stacks` occupies (files that do not validate: their declared VPC)."""
    found: list[Occupied] = []
    for path in stack_files(stacks):
        label = str(path)
        namespace = raw_namespace(path)
        tenant = namespace.get("tenant")
        if isinstance(tenant, dict):
            if tenant.get("drVpcCidr"):
                found.append(Occupied(IPv4Network(str(tenant["drVpcCidr"])), f"{label} (tenant DR VPC)"))
            continue
        try:
            config = load_stack_file(path)
        except StackConfigError:
            environment = namespace.get("environment")
            cidr = environment.get("vpcCidr") if isinstance(environment, dict) else None
            if cidr:
                found.append(Occupied(IPv4Network(str(cidr), strict=False), f"{label} (VPC)"))
            continue
        for what, network in environment_networks(config):
            found.append(Occupied(network, f"{label} ({what})"))
    return found


def overlapping(network: IPv4Network, taken: Iterable[Occupied]) -> Occupied | None:
    return next((item for item in taken if item.network.overlaps(network)), None)


def next_free(
    prefixlen: int, taken: list[Occupied], *, start: IPv4Network | None = None, companion=None
) -> IPv4Network:
    """The first block of `prefixlen` after `start` (wrapping around its private range) that overlaps nothing.

    `companion(block)` names a second block that must be free too (a new VPC's DR VPC).
    """
    home = next((r for r in RFC1918 if start is not None and start.subnet_of(r)), RFC1918[0])
    ranges = [home, *[r for r in RFC1918 if r != home]]
    for private in ranges:
        if prefixlen < private.prefixlen:
            continue
        blocks = list(private.subnets(new_prefix=prefixlen))
        first = 0
        if start is not None and private == home:
            anchor = IPv4Network((int(start.network_address), prefixlen), strict=False)
            first = next((i for i, b in enumerate(blocks) if b.network_address >= anchor.network_address), 0)
        for block in blocks[first:] + blocks[:first]:
            pair = [block]
            if companion is not None:
                partner = companion(block)
                if partner is None or not partner.subnet_of(private) or partner.overlaps(block):
                    continue
                pair.append(partner)
            if all(overlapping(p, taken) is None for p in pair):
                return block
    raise ValueError(f"no free /{prefixlen} left in the private address ranges")
