"""Rules across every stack file: tenant ids unique, every file valid, no two networks overlapping."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from crossdock.config import load_stack_file
from crossdock.config.tenant_stack import load_tenant_stack_file
from crossdock.templates.networks import occupied, raw_namespace, stack_files
from crossdock.templates.tenant import duplicate_tenant_ids, tenant_ids

from .support import STACKS


def test_tenant_ids_are_unique_across_every_stack_file() -> None:
    assert duplicate_tenant_ids(STACKS) == {}
    ids = tenant_ids(STACKS)
    assert ids["acme"] == [
        "stacks/Pulumi.prod.yaml crossdock:tenants[1]",
        "stacks/Pulumi.prod-tenant-acme.yaml crossdock:tenant",
    ]
    assert ids["globex"] == ["stacks/Pulumi.prod.yaml crossdock:tenants[0]"]


def test_a_second_registration_of_an_id_is_found(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text((STACKS / "Pulumi.prod.yaml").read_text())
    staging = (STACKS / "Pulumi.staging.yaml").read_text()
    staging += (
        "  crossdock:tenants:\n"
        "    - id: globex\n"
        "      displayName: Globex Freight\n"
        "      isolation: pool\n"
        "      quotas: {requestsPerFiveMinutes: 100, queueMessagesPerSecond: 5}\n"
    )
    (tmp_path / "Pulumi.staging.yaml").write_text(staging)
    assert set(duplicate_tenant_ids(tmp_path)) == {"globex"}


@pytest.mark.parametrize("path", stack_files(STACKS), ids=lambda p: p.name)
def test_every_stack_file_is_valid(path: Path) -> None:
    if "tenant" in raw_namespace(path):
        config = load_tenant_stack_file(path)
        assert path.name == f"Pulumi.{config.stack}.yaml"
    else:
        load_stack_file(path)


def test_every_silo_tenant_registered_has_its_stack_file() -> None:
    for path in stack_files(STACKS):
        if "tenant" in raw_namespace(path):
            continue
        config = load_stack_file(path)
        for tenant in config.tenants:
            if tenant.isolation.value == "silo":
                assert (STACKS / f"Pulumi.{path.name[7:-5]}-tenant-{tenant.id}.yaml").is_file(), tenant.id


def test_no_two_networks_of_the_stacks_overlap() -> None:
    blocks = occupied(STACKS)
    owners = {item.owner for item in blocks}
    assert "stacks/Pulumi.prod-tenant-acme.yaml (tenant DR VPC)" in {
        o.replace(str(STACKS.parent) + "/", "") for o in owners
    }
    for a, b in combinations(blocks, 2):
        assert not a.network.overlaps(b.network), (a, b)
