"""Shared fixtures for the gate tests: plans made once per module, scratch projects, waiver files.

Planning is the slow part (about a second for prod), so each module plans a stack at
most once (module-scoped fixtures) and gates the same Plan as often as it likes with
`check_plan`. The CLI modules route `crossdock check` through `cached_planning`, which
runs the real `run_program` the first time a (project, stack) is asked for and reuses
that Plan afterwards.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from crossdock.engine import Plan, run_program
from crossdock.gate import check as gate_check

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "programs"
WEBSERVER = PROGRAMS / "webserver"
STATIC_SITE = PROGRAMS / "static-site"
COMPONENT_APP = PROGRAMS / "component-app"


def line_of(path: Path, snippet: str) -> int:
    """1-based number of the first line of `path` containing `snippet`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not found in {path}")


def write_waivers(directory: Path, text: str, name: str = "waivers.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def prod_project(directory: Path, mutate: Callable[[dict], None] | None = None) -> Path:
    """A scratch copy of the blueprint project whose prod stack file is `mutate`d.

    Pulumi.yaml is copied (stackConfigDir: stacks); the program and the components are
    symlinked, so the real program runs against the edited stack file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", directory / "Pulumi.yaml")
    for name in ("__main__.py", "components"):
        (directory / name).symlink_to(ROOT / name)
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    if mutate is not None:
        mutate(document["config"])
    (directory / "stacks").mkdir()
    (directory / "stacks" / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return directory


def named(items: list[dict], name: str) -> dict:
    """The entry of a stack-file list section (databases, queues, dataClasses) called `name`."""
    return next(item for item in items if item["name"] == name)


@pytest.fixture(scope="module")
def prod_plan() -> Plan:
    return run_program(ROOT, "prod")


@pytest.fixture(scope="module")
def dev_plan() -> Plan:
    return run_program(ROOT, "dev")


@pytest.fixture(scope="module")
def webserver_plan() -> Plan:
    return run_program(WEBSERVER, "dev")


@pytest.fixture(scope="module")
def component_plan() -> Plan:
    return run_program(COMPONENT_APP, "staging")


@pytest.fixture(scope="module")
def cached_planning():
    """Make `crossdock check` (via crossdock.gate.check.run_program, which run_gate calls) plan each stack once per module.

    Errors (unknown stack, bad project) are not cached: they go through the real loader every time.
    Yields the list of (project, stack) pairs that were really planned.
    """
    plans: dict[tuple[str, str], Plan] = {}
    planned: list[tuple[str, str]] = []
    real = gate_check.run_program

    def run_program_once(project_dir, stack):
        key = (str(Path(project_dir).resolve()), stack)
        if key not in plans:
            plans[key] = real(project_dir, stack)
            planned.append(key)
        return plans[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gate_check, "run_program", run_program_once)
        yield planned


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich sizes output from COLUMNS; fix it so text assertions do not depend on the terminal."""
    monkeypatch.setenv("COLUMNS", "200")


def pytest_collection_modifyitems(config, items):
    """pulumi_aws warns about its own deprecated V2 classes while loading modules; not ours to fix."""
    here = str(Path(__file__).resolve().parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws"))
