"""Every blueprint stack plans to exactly the recorded graph (source positions aside)."""

from __future__ import annotations

import difflib

import pytest

from crossdock.engine import run_program
from tests.golden.plan_identity import ROOT, STACKS, golden_path, identity_json


@pytest.mark.parametrize("stack", STACKS)
def test_plan_is_byte_identical_to_the_recorded_one(stack):
    expected = golden_path(stack).read_text(encoding="utf-8")
    actual = identity_json(run_program(ROOT, stack))
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"golden/{stack}.json",
                tofile=f"plan {stack}",
                n=2,
            )
        )
        pytest.fail(
            f"the plan of {stack} changed (a renamed or re-parented resource is deleted and recreated). "
            f"If intended, regenerate with `.venv/bin/python -m tests.golden.plan_identity`.\n{diff[:6000]}"
        )
