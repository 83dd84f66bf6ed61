"""`crossdock diff`: what a change does to a stack, planned offline at two git revisions."""

from crossdock.diff.compare import Change, InputChange, compare
from crossdock.diff.render import RENDERERS, DiffResult
from crossdock.diff.revisions import Revision
from crossdock.diff.risk import RISK_ORDER, RISKY, classify, risk_of

__all__ = [
    "RENDERERS",
    "RISKY",
    "RISK_ORDER",
    "Change",
    "DiffResult",
    "InputChange",
    "Revision",
    "classify",
    "compare",
    "diff_plans",
    "risk_of",
]


def diff_plans(base: dict, head: dict, base_rev: Revision, head_rev: Revision) -> DiffResult:
    """Compare and classify two plan dicts (the plan JSON, with `secret_inputs` when known)."""
    changes = compare(base, head)
    classify(changes)
    return DiffResult(
        project=head.get("project", ""), stack=head.get("stack", ""), base=base_rev, head=head_rev, changes=changes
    )
