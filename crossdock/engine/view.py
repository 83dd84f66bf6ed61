"""Human-readable rendering of a Plan, laid out like `pulumi preview`.

People reviewing a pull request want the same picture the Pulumi CLI would give
them: the resource tree by parent, where each resource lands (region), a count
per type and region, then warnings and exports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crossdock.engine.graph import STACK_TYPE, Plan, Resource
from crossdock.engine.wire import is_unknown


def display_type(type_: str) -> str:
    """`aws:ec2/securityGroup:SecurityGroup` -> `aws:ec2:SecurityGroup`, as the Pulumi CLI shows it."""
    parts = type_.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module = parts[1].split("/", 1)[0]
        return f"{parts[0]}:{module}:{parts[2]}" if module != "index" else f"{parts[0]}:{parts[2]}"
    return type_


def render_plan(plan: Plan, console: Console) -> None:
    console.print(
        Text.assemble(
            ("Previewing ", "bold"),
            ("(offline) ", "dim"),
            "stack ",
            (plan.stack, "bold cyan"),
            " of project ",
            (plan.project, "bold cyan"),
        )
    )
    console.print()
    console.print(_tree_lines(plan, console.width), no_wrap=True, overflow="ignore", crop=False)
    console.print()
    console.print(_counts_table(plan))
    if plan.warnings:
        console.print()
        console.print(Text("Warnings:", style="bold yellow"))
        for warning in plan.warnings:
            console.print(Text.assemble(("  warning: ", "yellow"), warning))
    console.print()
    console.print(outputs_line(plan), highlight=False, markup=False)
    for key, value in sorted(plan.outputs.items()):
        console.print(
            f"    {key}: {_short(value, 100)}", highlight=False, markup=False, overflow="ellipsis", no_wrap=True
        )


def _tree_lines(plan: Plan, width: int) -> Text:
    """The preview tree as fixed-width lines; on narrow consoles Info, then Type and
    Name are shortened (with an ellipsis) so the region always stays visible."""
    rows: list[tuple[str, str, bool, str, str, str]] = []
    for resource, prefix in _walk(plan):
        notes = []
        if resource.protect:
            notes.append("protected")
        if resource.retain_on_delete:
            notes.append("retain-on-delete")
        if resource.provider:
            notes.append(f"provider={resource.provider.rsplit('::', 1)[-1]}")
        rows.append(
            (
                prefix,
                display_type(resource.type),
                resource.custom,
                resource.name,
                resource.region or "",
                ", ".join(notes),
            )
        )

    header = ("", "Type", True, "Name", "Region", "Info")
    tw = max(len(p) + len(t) for p, t, *_ in [header, *rows])
    nw = max(len(r[3]) for r in [header, *rows])
    rw = max(len(r[4]) for r in [header, *rows])
    iw = max(len(r[5]) for r in rows) if any(r[5] for r in rows) else 0
    gap = 2
    budget = width - 2 - gap - rw  # what is left for Type, Name and Info after marker and Region
    if iw and tw + nw + iw + 2 * gap > budget:
        iw = budget - tw - nw - 2 * gap
        iw = iw if iw >= 8 else 0
    if tw + nw + gap > budget:
        room = max(budget - gap, 20)
        tw = min(tw, max(10, room * 3 // 5))
        nw = max(10, room - tw)

    out = Text()
    for i, (prefix, type_text, custom, name, region, info) in enumerate([header, *rows]):
        is_header = i == 0
        out.append("  " if is_header else "+ ", style="green")
        cell = _fit(prefix + type_text, tw).ljust(tw)
        split = min(len(prefix), len(cell))
        out.append(cell[:split])  # tree lines unstyled; components in bold like the CLI
        out.append(cell[split:], style="bold" if is_header or not custom else "")
        out.append(" " * gap)
        out.append(_fit(name, nw).ljust(nw), style="bold" if is_header else "")
        out.append(" " * gap)
        out.append(region.ljust(rw), style="bold" if is_header else "cyan")
        if iw:
            out.append(" " * gap)
            out.append(_fit(info, iw), style="bold" if is_header else "dim")
        out.rstrip()
        if i < len(rows):
            out.append("\n")
    return out


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _walk(plan: Plan) -> Iterator[tuple[Resource, str]]:
    """Yield (resource, tree prefix) depth-first in plan order."""

    def visit(resource: Resource, lead: str, last: bool, depth: int) -> Iterator[tuple[Resource, str]]:
        prefix = "" if depth == 0 else lead + ("└─ " if last else "├─ ")
        yield resource, prefix
        kids = plan.children(resource.urn)
        child_lead = "" if depth == 0 else lead + ("   " if last else "│  ")
        for i, kid in enumerate(kids):
            yield from visit(kid, child_lead, i == len(kids) - 1, depth + 1)

    urns = {r.urn for r in plan.resources}
    roots = [r for r in plan.resources if not r.parent or r.parent not in urns]
    for root in roots:
        yield from visit(root, "", True, 0)


def _counts_table(plan: Plan) -> Table:
    counts = Counter((display_type(r.type), r.region or "-") for r in plan.resources if r.type != STACK_TYPE)
    table = Table(title="Resources by type and region", title_justify="left", box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column("Type")
    table.add_column("Region")
    table.add_column("Count", justify="right")
    for (type_, region), count in sorted(counts.items()):
        table.add_row(type_, region, str(count))
    total = sum(counts.values())
    table.add_row(Text("total", style="bold"), "", Text(str(total), style="bold"), end_section=True)
    return table


def _displayable(value: Any) -> Any:
    """Nested unknowns as `(known after apply)`, whole-number doubles as integers (as `pulumi preview` shows them)."""
    if is_unknown(value):
        return _KnownAfterApply()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _displayable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_displayable(v) for v in value]
    return value


class _KnownAfterApply:
    def __repr__(self) -> str:
        return "(known after apply)"


def outputs_line(plan: Plan) -> str:
    """One-line summary of the stack exports: how many and their names."""
    if not plan.outputs:
        return "Outputs: none"
    return f"Outputs: {len(plan.outputs)} ({', '.join(sorted(plan.outputs))})"


def _short(value: Any, limit: int = 60) -> str:
    if is_unknown(value):
        return "(known after apply)"
    text = value if isinstance(value, str) else repr(_displayable(value))
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
