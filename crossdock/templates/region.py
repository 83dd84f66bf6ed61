"""`crossdock new region`: an environment in another region, made from an existing environment stack.

The new stack keeps the source's tier, owner and cost centre, DR strategy, data
classes (with their objectives), databases, queues, KPIs, alerting and transaction
tier (cluster and services), and gets, for the new region:
- a VPC CIDR of the source's size that overlaps no stack's VPC or DR VPC (and whose
  own DR VPC block is free too), the first such block after the source's;
- the DR region from the pairing table (`crossdock.config.regions.DR_PAIRING`,
  docs/regions.md);
- min(source zones, zones the region has);
- the ACM certificate ARN of the public edge moved to the new region (certificates are
  regional: pass `--certificate-arn` with the new region's certificate, or replace it
  before deploying).
Tenants are not copied: tenant ids are unique across every stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from crossdock.config.loader import StackConfigError, load_stack_file
from crossdock.config.regions import AZ_COUNT, DR_PAIRING
from crossdock.config.schema import _dns_safe
from crossdock.config.subnets import dr_vpc_cidr
from crossdock.config.tenancy import needs_dr_vpc
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

# Sections the new region keeps from the source stack, in the source's order.
NOT_COPIED = ("crossdock:environment", "crossdock:dr", "crossdock:tenants", "aws:region")
_DIRECTIONS = {
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
}  # fmt: skip


def region_code(region: str) -> str:
    """AWS's short form of a region: eu-central-1 -> euc1, us-east-1 -> use1, ap-southeast-2 -> apse2."""
    parts = region.split("-")
    return parts[0] + "".join(_DIRECTIONS.get(part, part[:1]) for part in parts[1:-1]) + parts[-1]


@dataclass(frozen=True)
class NewRegion:
    stack: str
    path: Path
    text: str
    region: str
    az_count: int
    vpc_cidr: IPv4Network
    dr_region: str | None
    dr_strategy: str | None
    certificate_moved: bool


def plan_region(
    stacks: Path, source: str, region: str, name: str | None = None, certificate_arn: str | None = None
) -> NewRegion:
    """Everything `new region` will write, decided and rendered, without touching the disk."""
    source_path = stack_path(stacks, source)
    if not source_path.is_file():
        listing = ", ".join(stack_name(p) for p in stack_files(stacks)) or "none"
        raise TemplateError(f"unknown source stack {source!r}: no {display_path(source_path)} (stacks: {listing})")
    if "tenant" in raw_namespace(source_path):
        raise TemplateError(f"{source!r} is a tenant stack; --from takes an environment stack")
    config = load_stack_file(source_path, display_path(source_path))
    if region not in AZ_COUNT:
        raise TemplateError(f"unknown region {region!r}; known regions: {', '.join(sorted(AZ_COUNT))}")
    if region == config.environment.region:
        raise TemplateError(f"{source!r} already runs in {region}; pick another region")
    name = name or f"{source}-{region_code(region)}"
    try:
        _dns_safe(name)
    except ValueError as error:
        raise TemplateError(f"--name: {error}") from None
    path = stack_path(stacks, name)
    refuse_existing(path, name)

    dr_region = dr_strategy = None
    if config.dr is not None:
        dr_region = DR_PAIRING.get(region)
        if dr_region is None:
            raise TemplateError(f"region {region} has no DR partner in the pairing table (docs/regions.md)")
        dr_strategy = config.dr.strategy.value
    az_count = min(config.environment.az_count, AZ_COUNT[region])

    source_vpc = config.environment.vpc_cidr
    companion = None
    if needs_dr_vpc(config, config.databases):

        def companion(block: IPv4Network) -> IPv4Network | None:
            try:
                return dr_vpc_cidr(block)
            except ValueError:
                return None

    vpc = next_free(source_vpc.prefixlen, occupied(stacks), start=source_vpc, companion=companion)

    yaml = round_trip()
    document = yaml.load(source_path.read_text())
    sections = CommentedMap()
    for key, value in document["config"].items():
        if key not in NOT_COPIED:
            sections[key] = value
    moved = _move_certificate(sections, config.environment.region, region, certificate_arn)

    env = config.environment
    dr_section = ""
    if dr_region is not None:
        dr_section = f"  crossdock:dr:\n    region: {dr_region}\n    strategy: {dr_strategy}\n"
    dr_note = (
        f"DR: {dr_strategy} to {dr_region} (pairing table, docs/regions.md)."
        if dr_region
        else f"No DR section (like {source})."
    )
    text = template(stacks, "region").substitute(
        name=name,
        source=source,
        tier=env.tier.value,
        region=region,
        region_zones=AZ_COUNT[region],
        owner=env.owner,
        cost_center=env.cost_center,
        az_count=az_count,
        vpc_cidr=vpc,
        dr_note=dr_note,
        dr_section=dr_section,
        sections=indent(dump(sections, yaml), 2) if sections else "",
    )
    return NewRegion(name, path, text, region, az_count, vpc, dr_region, dr_strategy, moved)


def write_region(plan: NewRegion, written: Written) -> None:
    written.create(plan.path, plan.text)
    try:
        load_stack_file(plan.path, display_path(plan.path))
    except StackConfigError as error:
        raise TemplateError(f"the new stack file does not validate: {error}") from None


def _move_certificate(sections: CommentedMap, old: str, new: str, certificate_arn: str | None) -> bool:
    """Point the public edge at a certificate in the new region; True when it was only moved, not given."""
    cluster = sections.get("crossdock:cluster")
    if not isinstance(cluster, CommentedMap) or not cluster.get("certificateArn"):
        return False
    if certificate_arn is not None:
        cluster["certificateArn"] = certificate_arn
        return False
    cluster["certificateArn"] = re.sub(rf":acm:{re.escape(old)}:", f":acm:{new}:", str(cluster["certificateArn"]))
    return True
