"""The impact report as text (a responder's terminal), JSON (tools) or Markdown (the incident channel)."""

from __future__ import annotations

import json

from crossdock.impact.analysis import ImpactReport


def render(report: ImpactReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(report)
    return _text(report)


def _headline(report: ImpactReport) -> str:
    severity = report.severity.label if report.severity else "no severity (no declared process is hit)"
    respond = f", respond within {report.response_minutes} min" if report.response_minutes else ""
    return f"{report.target.kind} {report.target.name} fails in {report.stack}: {severity}{respond}"


def _text(report: ImpactReport) -> str:
    lines = [_headline(report), ""]
    lines.append("What fails:")
    for e in report.entities:
        lines.append(f"  {e.kind} {e.name}: {e.impact.value} ({e.via}); owner {e.team or '-'}")
    if not report.entities:
        lines.append("  nothing the stack file declares")
    lines += ["", "Business processes:"]
    for p in report.processes:
        how = "directly" if p.direct else "downstream"
        severity = p.severity.label if p.severity else "-"
        lines.append(f"  {severity} {p.name} ({p.criticality}): {p.impact.value}, {how} via {p.via}; team {p.team}")
    if not report.processes:
        lines.append("  none")
    lines += ["", "Tenants:"]
    for t in report.tenants:
        lines.append(f"  {t['display_name']} ({t['id']}, {t['isolation']}): {', '.join(t['processes'])}")
    if not report.tenants:
        lines.append("  none named")
    lines += ["", "Page:"]
    for page in report.pages:
        severity = page.severity.label if page.severity else "-"
        lines.append(f"  {page.team} at {severity} (topic {page.topic}): primary {page.primary}")
        if page.backup:
            lines.append(f"    backup {page.backup}")
        for contact in page.escalation:
            lines.append(f"    escalate to {contact}")
    for vendor in report.vendors:
        lines.append(
            f"  vendor {vendor['name']} ({vendor['description']}): {vendor['contact']} [{vendor['support_hours']}]"
        )
    if not report.pages and not report.vendors:
        lines.append("  nobody: the stack declares no owner for what fails")
    lines += ["", "Runbooks:"]
    for runbook in report.runbooks:
        lines.append(f"  {runbook.command}")
        lines.append(f"    {runbook.why}")
    if report.notice:
        lines += ["", f"Customer notice ({report.notice.template}):", f"  Subject: {report.notice.subject}"]
        lines.append(f"  {report.notice.body}")
    for note in report.notes:
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def _markdown(report: ImpactReport) -> str:
    lines = [f"## Impact: {_headline(report)}", ""]
    lines += ["| what fails | impact | why | owner |", "|---|---|---|---|"]
    lines += [f"| {e.kind} `{e.name}` | {e.impact.value} | {e.via} | {e.team or '-'} |" for e in report.entities]
    lines += ["", "| severity | business process | tier | impact | how | team |", "|---|---|---|---|---|---|"]
    for p in report.processes:
        severity = p.severity.label if p.severity else "-"
        how = ("directly via " if p.direct else "downstream: ") + p.via
        lines.append(f"| {severity} | `{p.name}` | {p.criticality} | {p.impact.value} | {how} | {p.team} |")
    if report.tenants:
        lines += ["", "**Tenants:** " + ", ".join(f"{t['display_name']} (`{t['id']}`)" for t in report.tenants)]
    lines += ["", "**Page:**", ""]
    for page in report.pages:
        severity = page.severity.label if page.severity else "-"
        extra = f", backup {page.backup}" if page.backup else ""
        lines.append(f"- `{page.team}` at {severity}: primary {page.primary}{extra} (topic `{page.topic}`)")
        lines += [f"  - escalate to {contact}" for contact in page.escalation]
    lines += [f"- vendor `{v['name']}` ({v['description']}): {v['contact']}" for v in report.vendors]
    lines += ["", "**Runbooks:**", ""]
    lines += [f"- `{r.command}`: {r.why}" for r in report.runbooks]
    if report.notice:
        lines += ["", f"**Customer notice** (`{report.notice.template}`):", "", f"> **{report.notice.subject}**", ">"]
        lines.append(f"> {report.notice.body}")
    lines += ["", *[f"_Note: {note}_" for note in report.notes]]
    return "\n".join(lines).rstrip() + "\n"
