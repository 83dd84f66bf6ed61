"""Plans of dev and prod, made once per test session (per xdist worker), for impact and diagram tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.config import load_stack_file
from crossdock.engine import Plan, run_program

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def prod_plan() -> Plan:
    return run_program(ROOT, "prod")


@pytest.fixture(scope="session")
def dev_plan() -> Plan:
    return run_program(ROOT, "dev")


@pytest.fixture(scope="session")
def prod_config():
    return load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")


@pytest.fixture(scope="session")
def dev_config():
    return load_stack_file(ROOT / "stacks" / "Pulumi.dev.yaml")


@pytest.fixture
def cached_plans(monkeypatch, prod_plan, dev_plan):
    """`crossdock impact|diagram` through the real CLI, with the session's plans instead of re-planning."""
    import crossdock.engine

    plans = {"prod": prod_plan, "dev": dev_plan}
    real = crossdock.engine.run_program

    def run_program_cached(project, stack):
        return plans[stack] if Path(project) == ROOT and stack in plans else real(project, stack)

    monkeypatch.setattr(crossdock.engine, "run_program", run_program_cached)
