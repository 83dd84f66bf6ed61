"""Operating-model rules: responders know what broke for the business, who owns it and what to run.

The blueprint tags every resource that serves a declared business process with `team`,
`business-process` (space-separated process ids) and `process-criticality` (the highest
tier among them), registers each process in Parameter Store
(`/crossdock/<env>/business-processes/<id>`, tagged `business-process` and
`process-criticality`), and tags every alarm with its `runbook`
(docs/operating-model.md). These rules hold a stack to that contract:

- CD-OPS-001: a real-time-fulfillment process has at least one KPI alarm (an alarm
  tagged `kpi` whose `business-process` tag names it): infrastructure can look
  healthy while orders stop moving.
- CD-OPS-002: a resource of a real-time-fulfillment or near-real-time-integration
  process has an owner (`team` tag): at 3 a.m. someone must be paged for it.
- CD-OPS-003: every CloudWatch alarm names its runbook (`runbook` tag, and
  `Runbook: <name>.` in its description, which is what the page shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.documents import is_unknown, known
from policies.rule import Category, Rule, resource_rule, stack_rule

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"

PROCESS_TAG = "business-process"
CRITICALITY_TAG = "process-criticality"
TEAM_TAG = "team"
KPI_TAG = "kpi"
RUNBOOK_TAG = "runbook"
REAL_TIME = "real-time-fulfillment"
OWNED_TIERS = frozenset({REAL_TIME, "near-real-time-integration"})


def _tags(props: Mapping[str, Any]) -> dict[str, str] | None:
    """The resource's tags, or None when they are unknown at preview (nothing to judge yet)."""
    try:
        tags = props.get("tags")
        if is_unknown(tags):
            return None
        return {str(k): v for k, v in dict(tags or {}).items() if isinstance(v, str) and not is_unknown(v)}
    except UnknownValueError:
        return None


def _text(props: Mapping[str, Any], key: str) -> str | None:
    """A string input, or None when it is absent or unknown."""
    value = known(props, key)
    return value if isinstance(value, str) else None


def _processes(tags: Mapping[str, str]) -> list[str]:
    return tags.get(PROCESS_TAG, "").split()


# --- CD-OPS-001: real-time processes have a KPI alarm ---------------------------------------------


def _validate_kpi_alarm(args: StackValidationArgs, report: ReportViolation) -> None:
    measured: set[str] = set()
    real_time: list[tuple[str, str]] = []
    for resource in args.resources:
        tags = _tags(resource.props)
        if tags is None:
            continue
        if resource.resource_type == METRIC_ALARM and tags.get(KPI_TAG):
            measured.update(_processes(tags))
        elif resource.resource_type == SSM_PARAMETER and tags.get(CRITICALITY_TAG) == REAL_TIME:
            real_time += [(process, resource.urn) for process in _processes(tags)]
    for process, urn in real_time:
        if process not in measured:
            report(
                f'business process "{process}" is real-time-fulfillment but no KPI alarm measures it: the '
                "platform can look healthy while it has stopped",
                urn,
            )


KPI_ALARM = stack_rule(
    "CD-OPS-001",
    description="Every real-time-fulfillment business process has a KPI alarm (an alarm tagged `kpi` whose "
    "`business-process` tag names it): CPU and queue depth can look fine while orders, labels or carrier "
    "acknowledgements have stopped.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Declare a KPI under crossdock:kpis (e.g. order-to-shipment latency, failed label requests) and "
    "list it in the process's `kpis` (businessProcesses[].kpis); the blueprint alarms on it.",
    validate=_validate_kpi_alarm,
)

# --- CD-OPS-002: resources of critical processes have an owner ------------------------------------


def _validate_owner(args: ResourceValidationArgs, report: ReportViolation) -> None:
    tags = _tags(args.props)
    if not tags or not _processes(tags) or tags.get(CRITICALITY_TAG) not in OWNED_TIERS:
        return
    if not tags.get(TEAM_TAG, "").strip():
        report(
            f'"{args.name}" serves {tags[CRITICALITY_TAG]} business process(es) {", ".join(_processes(tags))} '
            "but has no `team` tag: nobody would be paged when it breaks",
            None,
        )


PROCESS_OWNER = resource_rule(
    "CD-OPS-002",
    description="Every resource of a real-time-fulfillment or near-real-time-integration business process has an "
    "owner (`team` tag): its alarms page that team, and responders know whom to call.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Set `team:` on the service, queue, database or tenant in the stack file (a team declared under "
    "crossdock:teams); the blueprint tags its resources with it.",
    validate=_validate_owner,
)

# --- CD-OPS-003: alarms name their runbook ---------------------------------------------------------


def _validate_runbook(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (METRIC_ALARM, COMPOSITE_ALARM):
        return
    tags = _tags(args.props)
    if tags is None:
        return
    name = _text(args.props, "name") or _text(args.props, "alarmName") or args.name
    runbook = tags.get(RUNBOOK_TAG, "").strip()
    if not runbook:
        report(f'alarm "{name}" names no runbook (`runbook` tag): on-call gets a page and no procedure', None)
        return
    description = _text(args.props, "alarmDescription")
    if description is None and "alarmDescription" in args.props:
        return  # unknown until apply: judged on the next preview
    if f"Runbook: {runbook}." not in (description or ""):
        report(
            f'alarm "{name}" is tagged runbook {runbook!r} but its description does not say "Runbook: {runbook}.": '
            "the page on-call reads does not name it",
            None,
        )


ALARM_RUNBOOK = resource_rule(
    "CD-OPS-003",
    description="Every CloudWatch alarm names the runbook to use: a `runbook` tag, repeated as `Runbook: <name>.` in "
    "the description that on-call reads in the page.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Tag the alarm with runbook=<name> (queue-replay, db-failover, rotate-credentials, isolate-tenant, "
    "release-tenant or freeze-deploys) and end its alarm_description with `Runbook: <name>.`.",
    validate=_validate_runbook,
)


RULES: list[Rule] = [KPI_ALARM, PROCESS_OWNER, ALARM_RUNBOOK]
