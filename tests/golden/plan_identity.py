"""What must never change by accident: each blueprint stack's plan without source positions.

A resource's URN, type, parent, provider, inputs and options decide what Pulumi creates,
replaces or deletes; a renamed queue is a deleted queue. Source file:line is where the
code declared it and moves with every edit, so it is left out of the comparison.

Regenerate after an intended change with `.venv/bin/python -m tests.golden.plan_identity`
and review the diff of `tests/golden/plans/` like any other change to production.
"""

from __future__ import annotations

import json
from pathlib import Path

from crossdock.engine import Plan, run_program

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "plans"
STACKS = ("dev", "staging", "prod", "prod-tenant-acme")


def identity_json(plan: Plan) -> str:
    """The plan JSON with every resource's `source` removed, as stable text."""
    document = json.loads(plan.dumps())
    for resource in document["resources"]:
        resource.pop("source", None)
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def golden_path(stack: str) -> Path:
    return GOLDEN / f"{stack}.json"


def regenerate() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for stack in STACKS:
        golden_path(stack).write_text(identity_json(run_program(ROOT, stack)), encoding="utf-8")
        print(f"wrote {golden_path(stack).relative_to(ROOT)}")


if __name__ == "__main__":
    regenerate()
