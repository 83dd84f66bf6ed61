"""The report for people: grouped by severity, each finding with its fix and source line."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from crossdock.gate.findings import SEVERITY_ORDER, Enforcement, GateResult

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def print_text(result: GateResult, console: Console) -> None:
    findings = result.sorted_findings()
    console.print(
        f"[bold]crossdock check[/bold] {result.project}/{result.stack} "
        f"(profile {result.profile}, {result.resources} resources, {len(result.rules_run)} rules)"
    )
    for severity in (*SEVERITY_ORDER, None):
        group = [f for f in findings if (f.severity == severity if severity else f.severity not in SEVERITY_ORDER)]
        if not group:
            continue
        console.print()
        console.print(Text(f"{(severity or 'other').upper()} ({len(group)})", style=STYLE.get(severity or "", "bold")))
        for finding in group:
            if finding.waived:
                tag = Text("waived   ", style="dim")
            elif finding.enforcement is Enforcement.MANDATORY:
                tag = Text("MANDATORY", style="bold red")
            else:
                tag = Text("advisory ", style="yellow")
            where = f"{finding.file}:{finding.line}" if finding.file else finding.urn
            line = Text.assemble(tag, " ", (finding.rule, "bold"), f" {finding.name}: {finding.message}")
            console.print(line)
            console.print(Text(f"    at {where}", style="dim"))
            if finding.remediation and not finding.waived:
                console.print(Text(f"    fix: {finding.remediation}", style="green"))
            if finding.reason:
                console.print(Text(f"    {'waiver' if finding.waived else 'note'}: {finding.reason}", style="dim"))
    summary = result.summary()
    console.print()
    verdict = Text("PASSED", style="bold green") if result.passed else Text("FAILED", style="bold red")
    console.print(
        Text.assemble(
            "gate ",
            verdict,
            f": {summary['mandatory']} mandatory, {summary['advisory']} advisory, {summary['waived']} waived",
        )
    )
