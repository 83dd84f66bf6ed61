"""The assessment as a rich table (people), markdown (a pull-request comment) and JSON (machines)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from crossdock.assess import Assessment
from policies.recovery_figures import FIGURES
from policies.rules.recovery_model import DISRUPTION_LABELS, Row, Status, fmt_minutes

STATUS_STYLE = {Status.MET: "green", Status.BREACHED: "bold red", Status.NOT_COVERED: "yellow"}


def _target(row: Row) -> str:
    return "-" if row.target is None else f"{fmt_minutes(row.target.rpo)} / {fmt_minutes(row.target.rto)}"


def _achievable(row: Row) -> str:
    if not row.estimate.assessable:
        return "not estimated"
    return f"{fmt_minutes(row.estimate.rpo)} / {fmt_minutes(row.estimate.rto)}"


def _basis(row: Row) -> str:
    figures = ", ".join(f"{fid} = {fmt_minutes(FIGURES[fid].minutes)}" for fid in row.estimate.figures)
    text = f"{row.estimate.reason}. Rests on: {', '.join(row.estimate.rests_on) or 'nothing'}"
    if figures:
        text += f". Figures: {figures}"
    if row.status is Status.BREACHED and row.estimate.fix:
        text += f". Fix: {row.estimate.fix}"
    return text


def summary_line(assessment: Assessment) -> str:
    return (
        f"{assessment.stack}: {assessment.count(Status.MET)} met, {assessment.count(Status.BREACHED)} breached, "
        f"{assessment.count(Status.NOT_COVERED)} not covered"
    )


def render_text(assessment: Assessment, console: Console, *, all_rows: bool = False) -> None:
    """One table; rows without a declared objective are summarised unless all_rows."""
    table = Table(title=f"Recovery assessment: {assessment.project}/{assessment.stack} (RPO / RTO)", show_lines=False)
    for column in ("subject", "disruption", "status", "target", "achievable", "why, what it rests on"):
        table.add_column(column, overflow="fold")
    hidden = 0
    for row in assessment.rows:
        if row.target is None and not all_rows:
            hidden += 1
            continue
        table.add_row(
            f"{row.kind.value}: {row.subject}",
            DISRUPTION_LABELS[row.disruption],
            f"[{STATUS_STYLE[row.status]}]{row.status.value}[/]",
            _target(row),
            _achievable(row),
            _basis(row),
        )
    console.print(table)
    if hidden:
        console.print(f"{hidden} subject/disruption pairs have no declared objective (--all shows them).", markup=False)
    console.print(summary_line(assessment), markup=False, highlight=False)


def _md(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def render_markdown(assessment: Assessment) -> str:
    lines = [
        f"### Recovery assessment: `{assessment.stack}`",
        "",
        f"**{summary_line(assessment)}** (RPO / RTO; figures: docs/resilience-model.md)",
        "",
        "| subject | disruption | status | target | achievable | why, what it rests on |",
        "|---|---|---|---|---|---|",
    ]
    for row in assessment.rows:
        lines.append(
            "| "
            + " | ".join(
                _md(cell)
                for cell in (
                    f"{row.kind.value}: {row.subject}",
                    DISRUPTION_LABELS[row.disruption],
                    row.status.value,
                    _target(row),
                    _achievable(row),
                    _basis(row),
                )
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def render_json(assessment: Assessment) -> str:
    return json.dumps(assessment.as_dict(), indent=2) + "\n"
