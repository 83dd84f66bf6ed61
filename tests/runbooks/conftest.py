"""Runbook tests run against prod's plan, emulated in moto (crossdock.emulate.fixtures)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from crossdock.emulate.fixtures import EmulatedStack, emulated_stack, planned_stack  # noqa: F401
from crossdock.runbook.facts import load_facts
from runbooks import RUNBOOKS, contract
from runbooks.core import AuditLog, Outcome, Run, StackFacts, perform

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIT_GROUP = contract.audit_log_group_name("prod")


@pytest.fixture(scope="session")
def prod_facts() -> StackFacts:
    return load_facts(REPO_ROOT, "prod")


@pytest.fixture
def prod(emulated_stack) -> EmulatedStack:  # noqa: F811
    return emulated_stack("prod")


class Clock:
    """A clock the tests move: rate limiting sleeps advance it instead of waiting."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        self.now += 1.0  # every reading is a second later: audit records of one test keep their order
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runbook(prod, prod_facts, clock, tmp_path) -> Callable[..., Outcome]:
    """runbook(NAME, execute=False, reason=None, **params) -> Outcome, against the emulated prod account."""

    def run(name: str, *, execute: bool = False, reason: str | None = None, **params: str) -> Outcome:
        current = Run(
            RUNBOOKS[name],
            prod_facts,
            {key.replace("_", "-"): value for key, value in params.items()},
            clients=prod.account.client,
            execute=execute,
            reason=reason,
            clock=clock,
            sleep=clock.sleep,
        )
        return perform(current, audit=AuditLog(tmp_path / "audit.jsonl"))

    return run
