"""Shared fixtures: the sample projects under tests/programs and their plans (run once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.engine import Plan, run_program

PROGRAMS = Path(__file__).resolve().parent.parent / "programs"


def line_of(path: Path, snippet: str) -> int:
    """1-based line of the first line containing `snippet` (keeps source assertions robust to edits)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not found in {path}")


@pytest.fixture(scope="session")
def programs() -> Path:
    return PROGRAMS


@pytest.fixture(scope="session")
def webserver_plan() -> Plan:
    return run_program(PROGRAMS / "webserver", "dev")


@pytest.fixture(scope="session")
def static_site_plan() -> Plan:
    return run_program(PROGRAMS / "static-site", "prod")


@pytest.fixture(scope="session")
def component_plan() -> Plan:
    return run_program(PROGRAMS / "component-app", "staging")


def pytest_collection_modifyitems(config, items):
    """pulumi_aws warns about its own deprecated V2 classes while loading modules; not ours to fix."""
    here = str(Path(__file__).resolve().parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws"))
