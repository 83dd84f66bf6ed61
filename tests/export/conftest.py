"""Plans shared by the export tests: each stack or program is planned once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.engine import Plan, run_program

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "programs"
SHOP = Path(__file__).resolve().parent / "programs" / "shop"


@pytest.fixture(scope="session")
def blueprint_plans() -> dict[str, Plan]:
    """prod, staging and dev of the blueprint itself."""
    return {stack: run_program(REPO, stack) for stack in ("prod", "staging", "dev")}


@pytest.fixture(scope="session")
def prod_plan(blueprint_plans) -> Plan:
    return blueprint_plans["prod"]


def pytest_collection_modifyitems(config, items):
    """pulumi_aws warns about its own deprecated V2 classes while loading modules; not ours to fix."""
    here = str(Path(__file__).resolve().parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws"))
