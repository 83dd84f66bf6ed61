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

from crossdock.config.loader import StackConfigError, load_stack_file
from crossdock.config.tenancy import environment_networks
from crossdock.engine.project import display_path
from crossdock.errors import CrossdockError
from crossdock.safe_yaml import YamlInputError, load_file

# Private ranges crossdock allocates from, in preference order.
RFC1918 = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))


@dataclass(frozen=True)
class Occupied:
    network: IPv4Network
    owner: str
    """e.g. `stacks/Pulumi.prod.yaml (DR VPC in us-west-2)`."""


class NeighbourError(CrossdockError):
    """A stack file `new` must read (for tenant ids or address blocks) cannot be read; exit 2."""


def stack_files(stacks: Path) -> list[Path]:
    """Every `Pulumi.<stack>.yaml` file in the stacks directory, by stack name (templates live in a subdirectory).

    Entries that are not regular files (a directory, a dangling symlink, a FIFO) hold no stack and are skipped.
    """
    try:
        return sorted((p for p in stacks.glob("Pulumi.*.yaml") if p.is_file()), key=stack_name)
    except OSError as exc:
        raise NeighbourError(
            f"cannot list the stacks directory {display_path(stacks)}: {exc.strerror or exc}"
        ) from None


def stack_name(path: Path) -> str:
    return path.name[len("Pulumi.") : -len(".yaml")]


def raw_namespace(path: Path, why: str = "") -> dict:
    """The `crossdock:*` values of a stack file as written (no validation); NeighbourError naming the file.

    `why` says what the command reads the file for (e.g. "to keep tenant ids unique").
    """
    try:
        document = load_file(path) or {}
    except YamlInputError as error:
        reason = f"; crossdock new reads every stack file {why}: fix or move it" if why else ""
        raise NeighbourError(f"{error.where(display_path(path))}: {error.problem}{reason}") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return {}
    return {key.split(":", 1)[1]: value for key, value in config.items() if str(key).startswith("crossdock:")}


def occupied(stacks: Path) -> list[Occupied]:
    """The blocks every stack file of `stacks` occupies (files that do not validate: their declared VPC)."""
    found: list[Occupied] = []
    for path in stack_files(stacks):
        label = str(path)
        namespace = raw_namespace(path, "to find the address blocks in use")
        tenant = namespace.get("tenant")
        if isinstance(tenant, dict):
            network = _network(tenant.get("drVpcCidr"))
            if network is not None:
                found.append(Occupied(network, f"{label} (tenant DR VPC)"))
            continue
        try:
            config = load_stack_file(path)
        except StackConfigError:
            environment = namespace.get("environment")
            network = _network(environment.get("vpcCidr") if isinstance(environment, dict) else None)
            if network is not None:
                found.append(Occupied(network, f"{label} (VPC)"))
            continue
        for what, network in environment_networks(config):
            found.append(Occupied(network, f"{label} ({what})"))
    return found


def _network(value: object) -> IPv4Network | None:
    """A declared CIDR as written, when it is one (an invalid stack file may hold anything)."""
    if not isinstance(value, str):
        return None
    try:
        return IPv4Network(value, strict=False)
    except ValueError:
        return None


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
