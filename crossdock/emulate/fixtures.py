"""pytest fixtures over `crossdock emulate`'s code: a stack's plan (once per session) inside moto.

Import them into a conftest.py:

    from crossdock.emulate.fixtures import emulated_stack, planned_stack  # noqa: F401

`planned_stack("prod")` plans a blueprint stack once per test session; `emulated_stack("prod")`
returns an `EmulatedStack` whose account holds that plan's stateful resources, fresh for
each test (moto is reset when the test ends).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crossdock.emulate.account import EmulatedAccount, emulated
from crossdock.emulate.build import Emulation
from crossdock.emulate.snapshot import account_state
from crossdock.engine import Plan, run_program

REPO_ROOT = Path(__file__).resolve().parents[2]
_PLANS: dict[str, Plan] = {}


def plan_of(stack: str, project: Path = REPO_ROOT) -> Plan:
    """The blueprint stack's offline plan, computed once per process."""
    key = f"{project}:{stack}"
    if key not in _PLANS:
        _PLANS[key] = run_program(project, stack)
    return _PLANS[key]


@dataclass
class EmulatedStack:
    plan: Plan
    account: EmulatedAccount
    emulation: Emulation

    def client(self, service: str, region: str | None = None) -> Any:
        return self.account.client(service, region)

    def state(self, *, skip_log_groups: tuple[str, ...] = ()) -> dict:
        return account_state(self.account.client, self.emulation.regions, skip_log_groups=skip_log_groups)


@pytest.fixture(scope="session")
def planned_stack() -> Callable[[str], Plan]:
    return plan_of


@pytest.fixture
def emulated_stack() -> Iterator[Callable[[str], EmulatedStack]]:
    with contextlib.ExitStack() as exits:
        opened: list[EmulatedStack] = []

        def open_stack(stack: str) -> EmulatedStack:
            if opened:
                raise RuntimeError("one emulated stack per test (moto holds one account)")
            plan = plan_of(stack)
            account, emulation = exits.enter_context(emulated(plan))
            opened.append(EmulatedStack(plan, account, emulation))
            return opened[0]

        yield open_stack
