"""The diff as text (people), JSON (machines) and Markdown (the pull-request comment).

Every format lists the risky changes first: data loss, security widening, resilience
reduction, high risk, then routine changes. Secret inputs are already masked by the
comparison; values are shortened so one policy document cannot flood a comment.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from crossdock.diff.compare import _ABSENT, Change, InputChange
from crossdock.diff.revisions import Revision
from crossdock.diff.risk import RISK_ORDER, RISKY, risk_of

ACTIONS = ("add", "remove", "replace", "update")
VALUE_WIDTH = 160
MARKDOWN_ROUTINE_LIMIT = 50
"""Routine changes listed in a PR comment; the rest are counted (GitHub caps comments at 65536 characters)."""
RISK_TITLES = {
    "data-loss": "Data-loss risk",
    "security-widening": "Security widening",
    "resilience-reduction": "Resilience reduction",
    "high-risk": "High-risk change",
    "routine": "Routine",
}


@dataclass
class DiffResult:
    project: str
    stack: str
    base: Revision
    head: Revision
    changes: list[Change]

    def ordered(self) -> list[Change]:
        """Riskiest first; within a class, in the head plan's tree order (removals last)."""
        position = {id(c): i for i, c in enumerate(self.changes)}
        return sorted(self.changes, key=lambda c: (RISK_ORDER.index(risk_of(c)), position[id(c)]))

    def counts(self) -> dict[str, dict[str, int]]:
        actions = Counter(c.action for c in self.changes)
        risks = Counter(risk_of(c) for c in self.changes)
        return {
            "actions": {a: actions.get(a, 0) for a in ACTIONS},
            "risks": {r: risks.get(r, 0) for r in RISK_ORDER},
        }

    @property
    def risky(self) -> list[Change]:
        return [c for c in self.ordered() if risk_of(c) in RISKY]

    def classes(self) -> set[str]:
        return {risk_of(c) for c in self.changes}

    def change_id(self) -> str:
        """Identifies the risky part of the change: what an approval names (stable across revisions and runs)."""
        items = sorted((c.action, c.urn, risk_of(c)) for c in self.changes if risk_of(c) in RISKY)
        return hashlib.sha256(json.dumps([self.stack, items]).encode()).hexdigest()[:16]


def to_json(result: DiffResult) -> dict[str, Any]:
    return {
        "project": result.project,
        "stack": result.stack,
        "base": result.base.to_json(),
        "head": result.head.to_json(),
        "summary": result.counts(),
        "change_id": result.change_id(),
        "changes": [
            {
                "action": c.action,
                "risk": risk_of(c),
                "urn": c.urn,
                "type": c.type,
                "name": c.name,
                "moved_from": c.moved_from,
                "reasons": [{"risk": risk, "reason": reason} for risk, reason in c.risks],
                "inputs": [i.to_json() for i in c.inputs],
            }
            for c in result.ordered()
        ],
    }


def render_json(result: DiffResult) -> str:
    return json.dumps(to_json(result), indent=2, default=repr) + "\n"


def _value(value: Any, width: int = VALUE_WIDTH) -> str:
    if value is _ABSENT:
        return "(unset)"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=repr)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _input_lines(change: InputChange) -> list[str]:
    if change.secret:
        if change.added or change.removed:
            return [f"{change.path}: [secret] {'added' if change.added else 'removed'}"]
        return [f"{change.path}: [secret] changed"]
    if change.removed_items is not None:
        lines = [f"{change.path}: - {_value(item)}" for item in change.removed_items]
        lines += [f"{change.path}: + {_value(item)}" for item in change.added_items or ()]
        return lines or [f"{change.path}: reordered"]
    return [f"{change.path}: {_value(change.before)} -> {_value(change.after)}"]


def _all_input_lines(change: Change) -> list[str]:
    return [line for item in change.inputs for line in _input_lines(item)]


def _headline(result: DiffResult) -> str:
    counts = result.counts()
    actions = ", ".join(f"{n} {a}" for a, n in counts["actions"].items() if n) or "no changes"
    return f"crossdock diff {result.stack}: {result.base.short} -> {result.head.short}: {actions}"


def render_text(result: DiffResult) -> str:
    lines = [_headline(result)]
    counts = result.counts()["risks"]
    lines.append("  " + ", ".join(f"{RISK_TITLES[r].lower()}: {counts[r]}" for r in RISK_ORDER))
    current = None
    for change in result.ordered():
        risk = risk_of(change)
        if risk != current:
            current = risk
            lines.append("")
            lines.append(f"{RISK_TITLES[risk]}:")
        lines.append(f"  {change.action:<8} {change.type} {change.name}")
        if change.moved_from:
            lines.append(f"           was {change.moved_from}")
        for risk_class, reason in change.risks:
            marker = "!" if risk_class in RISKY else "-"
            lines.append(f"           {marker} {reason}")
        if change.action in ("update", "replace"):
            input_lines = _all_input_lines(change)
            lines.extend(f"             {line}" for line in input_lines[:12])
            if len(input_lines) > 12:
                lines.append(f"             ... {len(input_lines) - 12} more line(s)")
    if not result.changes:
        lines.append("No resource changes.")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Plain Markdown text: no HTML, no emphasis markers."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*").replace("_", "\\_")


def _code(text: str) -> str:
    """Text inside a code span (backticks cannot be escaped there)."""
    return text.replace("`", "'")


def render_markdown(result: DiffResult) -> str:
    """The pull-request comment: summary table, then risky changes, then routine ones folded."""
    counts = result.counts()
    out = [
        f"### crossdock diff `{result.stack}`",
        "",
        f"Base `{result.base.label}` ({result.base.short}) → head `{result.head.label}` ({result.head.short}), "
        "planned offline.",
        "",
        "| Risk | Changes |",
        "|---|---:|",
    ]
    for risk in RISK_ORDER:
        flag = " ⚠️" if risk in RISKY and counts["risks"][risk] else ""
        out.append(f"| {RISK_TITLES[risk]}{flag} | {counts['risks'][risk]} |")
    actions = ", ".join(f"{n} to {a}" for a, n in counts["actions"].items() if n) or "no resource changes"
    out += ["", f"Resources: {actions}.", ""]
    risky = result.risky
    if risky:
        out += [
            "#### Risky changes (need an approval to deploy)",
            "",
            f"Approval id for `crossdock deploy-gate`: `{result.change_id()}`",
            "",
        ]
        for change in risky:
            title = RISK_TITLES[risk_of(change)]
            out.append(f"- **{title}** · {change.action} `{_code(change.type)}` **{_md(change.name)}**")
            for risk_class, reason in change.risks:
                if risk_class in RISKY:
                    out.append(f"  - {_md(reason)}")
            for line in _all_input_lines(change)[:8] if change.action in ("update", "replace") else ():
                out.append(f"  - `{_code(line)}`")
        out.append("")
    routine = [c for c in result.ordered() if risk_of(c) not in RISKY]
    if routine:
        out += [f"<details><summary>Routine changes ({len(routine)})</summary>", ""]
        for change in routine[:MARKDOWN_ROUTINE_LIMIT]:
            out.append(
                f"- {change.action} `{_code(change.type)}` {_md(change.name)}: {_md(change.risks[0][1] if change.risks else '')}"
            )
        if len(routine) > MARKDOWN_ROUTINE_LIMIT:
            out.append(f"- ... and {len(routine) - MARKDOWN_ROUTINE_LIMIT} more (see `crossdock diff --format json`)")
        out += ["", "</details>", ""]
    if not result.changes:
        out += ["No resource changes.", ""]
    return "\n".join(out)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
