"""Warn when a stack's address blocks overlap another stack's in the same stacks directory.

`crossdock new region` never picks an overlapping VPC CIDR, but a hand-written stack can:
overlapping VPCs cannot be peered or attached to one transit gateway (failover,
migrations) without renumbering one of them. Planning still succeeds; the plan warns.
"""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import Path

from crossdock.config.schema import StackConfig
from crossdock.config.tenancy import environment_networks
from crossdock.safe_yaml import YamlInputError, load_file


def declared_networks(path: Path) -> list[tuple[str, IPv4Network]]:
    """The blocks a stack file declares as written: its VPC, or a silo tenant's DR VPC (unreadable: none)."""
    try:
        document = load_file(path)
    except (YamlInputError, OSError):
        return []
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return []
    found = []
    for key, what, field in (("crossdock:environment", "VPC", "vpcCidr"), ("crossdock:tenant", "DR VPC", "drVpcCidr")):
        section = config.get(key)
        value = section.get(field) if isinstance(section, dict) else None
        if isinstance(value, str):
            try:
                found.append((what, IPv4Network(value, strict=False)))
            except ValueError:
                continue
    return found


def overlap_warnings(config: StackConfig, stacks: Path, stack: str) -> list[str]:
    """One warning per other stack file whose declared block overlaps one of this stack's."""
    own = environment_networks(config)
    warnings = []
    try:
        paths = sorted(p for p in stacks.glob("Pulumi.*.yaml") if p.is_file() and p.name != f"Pulumi.{stack}.yaml")
    except OSError:
        return []
    for path in paths:
        for what, network in declared_networks(path):
            clash = next(((mine, block) for mine, block in own if block.overlaps(network)), None)
            if clash is not None:
                warnings.append(
                    f"{clash[0]} {clash[1]} overlaps the {what} {network} of {path.name}: overlapping networks cannot "
                    "be peered or share a transit gateway without renumbering (crossdock new region picks free blocks)"
                )
    return warnings
