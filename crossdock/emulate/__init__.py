"""Emulated AWS from the offline plan: `crossdock emulate STACK` and the `emulated_stack` pytest fixture.

Public API:
    emulate_plan(plan, clients) -> Emulation        create the plan's stateful resources
    emulated(plan) -> (EmulatedAccount, Emulation)  the same, in-process moto, as a context manager
    account_state(clients, regions) -> dict         the account's observable state, to compare
    moto_gaps.install()                             the APIs moto lacks (docs/runbooks.md)
"""

from crossdock.emulate.account import ACCOUNT_ID, EmulatedAccount, dummy_environment, emulated, shared_client
from crossdock.emulate.build import Emulation, emulate_plan
from crossdock.emulate.snapshot import account_state

__all__ = [
    "ACCOUNT_ID",
    "EmulatedAccount",
    "Emulation",
    "account_state",
    "dummy_environment",
    "emulate_plan",
    "emulated",
    "shared_client",
]
