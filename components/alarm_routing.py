"""How an alarm reaches the team that owns what broke, and what its description tells them.

Shared by every component that creates alarms (observability, public edge, tenant pool):
from the alarm's resource (its owner and the business processes depending on it) and
the kind of impact the alarm means (a stuck flow stops a process; a lagging reader
degrades it), the stack's severity matrix gives the incident severity, and the owner's
topic for that severity is notified. Without an operating model nothing changes: the
environment's topic of the alarm's alert severity, and the short description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from crossdock.config.operations import Impact, IncidentSeverity, OperatingModel, Ownership, worst
from crossdock.config.schema import Kpi, Severity

# A KPI alarm without a business process names this runbook: a KPI that drops most often follows a release.
DEFAULT_KPI_RUNBOOK = "freeze-deploys"
# CloudWatch's limit on alarm descriptions.
ALARM_DESCRIPTION_LIMIT = 1024


@dataclass(frozen=True)
class AlarmRoute:
    """Who an alarm pages and what its description says about the business (empty without a model)."""

    processes: tuple[str, ...] = ()
    impact: Impact | None = None
    incident_severity: IncidentSeverity | None = None
    team: str | None = None

    @property
    def topic_key(self) -> tuple[str, IncidentSeverity] | None:
        if self.team is None or self.incident_severity is None:
            return None
        return (self.team, self.incident_severity)

    @property
    def tags(self) -> dict[str, str]:
        tags = Ownership(self.team, self.processes, None).tags()
        if self.incident_severity is not None:
            tags["incident-severity"] = self.incident_severity.value
        return tags


def alarm_route(model: OperatingModel, ownership: Ownership | None, impact: Impact) -> AlarmRoute:
    """The processes an alarm's resource serves, the severity the matrix gives the impact, and its owner."""
    if ownership is None or not model.declared:
        return AlarmRoute()
    severity = worst(model.severity(impact, model.processes[p].criticality) for p in ownership.processes)
    return AlarmRoute(ownership.processes, impact if ownership.processes else None, severity, ownership.team)


def alarm_topic(
    route: AlarmRoute,
    severity: Severity,
    team_topics: Mapping[tuple[str, IncidentSeverity], pulumi.Input[str]],
    environment_topics: Mapping[Severity, pulumi.Input[str]],
) -> pulumi.Input[str]:
    """The owner's topic for the incident severity, else the environment's topic of the alert severity."""
    key = route.topic_key
    if key is not None and key in team_topics:
        return team_topics[key]
    return environment_topics[severity]


def alarm_description(description: str, severity: Severity, runbook: str, route: AlarmRoute) -> str:
    """What broke, what it does to the business, how bad, who owns it and what to run (CloudWatch: <= 1024)."""
    parts = [description]
    if route.processes:
        parts.append(f"Business impact: {', '.join(route.processes)} {route.impact.value}.")
    if route.incident_severity is not None:
        parts.append(f"Severity: {route.incident_severity.label} ({severity.value} alert).")
    else:
        parts.append(f"Severity: {severity.value}.")
    if route.team is not None:
        parts.append(f"Team: {route.team}.")
    parts.append(f"Runbook: {runbook}.")
    text = " ".join(parts)
    if len(text) > ALARM_DESCRIPTION_LIMIT:
        raise ValueError(f"alarm description exceeds CloudWatch's {ALARM_DESCRIPTION_LIMIT} characters: {text!r}")
    return text


def kpi_impact(kpi: Kpi) -> Impact:
    """A critical KPI breach means the process has stopped delivering; a warning means it is degraded."""
    return Impact.STOPPED if kpi.severity is Severity.CRITICAL else Impact.DEGRADED


def kpi_runbook(model: OperatingModel, kpi: str) -> str:
    """The runbook of the (first) business process the KPI measures."""
    processes = model.processes_of_kpi(kpi)
    return model.processes[processes[0]].runbook if processes else DEFAULT_KPI_RUNBOOK
