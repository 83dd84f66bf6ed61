"""`crossdock assess`: achievable RTO/RPO from the planned graph against the declared objectives.

The estimator is the policy library's (`policies.recovery`), so the report a person reads
and the gate's CD-RES-050 findings come from the same code and the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from crossdock.engine import Plan
from crossdock.gate.evaluate import stack_validation_args
from policies.rules.recovery_model import Assessor, Row, Status
from policies.rules.resilience_data import Stack


@dataclass(frozen=True)
class Assessment:
    project: str
    stack: str
    rows: list[Row]

    def count(self, status: Status) -> int:
        return sum(1 for row in self.rows if row.status is status)

    @property
    def breached(self) -> list[Row]:
        return [row for row in self.rows if row.status is Status.BREACHED]

    def as_dict(self) -> dict:
        return {
            "project": self.project,
            "stack": self.stack,
            "rows": [row.as_dict() for row in self.rows],
            "summary": {status.value: self.count(status) for status in Status},
        }


def assess_plan(plan: Plan) -> Assessment:
    """Assess one planned stack (no config is read: targets and resources come from the graph)."""
    rows = Assessor(Stack(stack_validation_args(plan))).rows()
    return Assessment(project=plan.project, stack=plan.stack, rows=rows)
