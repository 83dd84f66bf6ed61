"""Declared recovery objectives against what the planned graph can achieve.

The stack file's RPO/RTO per data class reach the graph as Resilience Hub policies
(components/resilience_hub.py); `policies.rules.recovery_model` estimates, from the resources that
exist, what each database, bucket, flow and service tier can achieve per disruption type
(docs/resilience-model.md). A declared objective the graph cannot meet is a finding: a
program change that drops a Global Database secondary, a reader or DLQ retention breaks
the gate even when the stack file still declares the old targets.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs

from policies.rule import Category, Rule, stack_rule
from policies.rules import recovery_model as recovery
from policies.rules.resilience_data import BUCKETS, RDS_CLUSTER, Stack, is_production

# Subjects judged by the rule; a data class row repeats its stores' verdicts and is left to reports.
_JUDGED = ("database", "bucket", "flow", "tier")
_STORE_TYPES = (RDS_CLUSTER, *BUCKETS, "aws:sqs/queue:Queue")


def _validate_objectives_met(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for row in recovery.Assessor(stack).rows():
        if row.kind.value not in _JUDGED or row.status is not recovery.Status.BREACHED:
            continue
        estimate = row.estimate
        report(
            f'{row.kind.value} "{row.subject}" cannot meet the declared {recovery.DISRUPTION_LABELS[row.disruption]} '
            f"objective{_of(row.data_class)}: {row.why} ({estimate.reason}; rests on "
            f"{', '.join(estimate.rests_on) or 'nothing'}). Fix: {estimate.fix}",
            row.urn,
        )


OBJECTIVES_MET = stack_rule(
    "CD-RES-050",
    description="Every declared recovery objective (RPO/RTO per data class and disruption type, from the stack's "
    "Resilience Hub policies) is achievable by the resources the stack actually builds: databases, buckets, "
    "integration flows and service tiers, estimated with the published figures of docs/resilience-model.md.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Run `crossdock assess STACK` for the estimate, the resources it rests on and the figure used; "
    "then build what is missing (a reader in another AZ, a Global Database secondary, S3 Replication Time "
    "Control, a DLQ that outlives the source queue, more replicas spread across zones) or relax the objective in "
    "the stack file's dataClasses section.",
    validate=_validate_objectives_met,
)


def _validate_objectives_declared(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    declared = set(recovery.declared_targets(stack))
    for resource in stack.of_type(*_STORE_TYPES):
        tags = stack.tags(resource)
        data_class = tags.get("data-class")
        if not data_class or data_class in declared or tags.get("dr-role") or not is_production(tags, stack.config):
            continue
        report(
            f'{resource.name} holds data class "{data_class}" but the stack declares no recovery objectives for it '
            "(no aws.resiliencehub.ResiliencyPolicy tagged with that data class)",
            resource.urn,
        )


OBJECTIVES_DECLARED = stack_rule(
    "CD-RES-051",
    description="In production, every data class that a database, bucket or queue holds has declared recovery "
    "objectives on the graph (a Resilience Hub policy tagged with the class), so CD-RES-050 can judge it; a "
    "store whose class lost its objectives would otherwise pass unjudged.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Declare the class in the stack's dataClasses section (the Environment builds its "
    "ResilienceObjectives), or add an aws.resiliencehub.ResiliencyPolicy tagged data-class=<class>.",
    validate=_validate_objectives_declared,
)


def _of(data_class: str | None) -> str:
    return f' of data class "{data_class}"' if data_class else ""


RULES: list[Rule] = [OBJECTIVES_MET, OBJECTIVES_DECLARED]
