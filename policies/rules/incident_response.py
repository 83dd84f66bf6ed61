"""Incident readiness: the replay path, the runbook roles and break-glass are in place and narrow.

The runbooks (`runbooks/`, docs/runbooks.md) act with what the blueprint creates for them.
These rules hold that in place: an environment whose critical flows can dead-letter has
the replay ledger and the queue-replay role to bring them back; every runbook role is
assumable only with MFA and grants no wildcard action; a break-glass role never goes
unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from policies.documents import PolicyDocumentError, is_unknown, known, parse_policy
from policies.rule import Category, Rule, stack_rule

ENVIRONMENT_TYPE = "crossdock:index:Environment"
QUEUE_TYPE = "aws:sqs/queue:Queue"
TABLE_TYPE = "aws:dynamodb/table:Table"
ROLE_TYPE = "aws:iam/role:Role"
ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"
EVENT_RULE_TYPE = "aws:cloudwatch/eventRule:EventRule"
CRITICAL = ("real-time-fulfillment", "near-real-time-integration")
RUNBOOK_TAG = "runbook"
PURPOSE_TAG = "purpose"


def _tags(resource: PolicyResource) -> Mapping[str, Any]:
    tags = known(resource.props, "tags")
    return tags if isinstance(tags, Mapping) else {}


def _label(resource: PolicyResource) -> str:
    name = known(resource.props, "name")
    return name if isinstance(name, str) and name else resource.name


# --- CD-RBK-001 every critical flow has a replay path ---------------------------------------------


def _validate_replay_path(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = args.resources
    if not any(r.resource_type == ENVIRONMENT_TYPE for r in resources):
        return  # silo tenant stacks replay through their environment's ledger and roles
    critical = [
        r
        for r in resources
        if r.resource_type == QUEUE_TYPE
        and _tags(r).get("queue-role") == "source"
        and _tags(r).get("criticality") in CRITICAL
    ]
    if not critical:
        return
    ledgers = [r for r in resources if r.resource_type == TABLE_TYPE and _tags(r).get(PURPOSE_TAG) == "replay-ledger"]
    recoverable = [
        r
        for r in ledgers
        if isinstance(known(r.props, "pointInTimeRecovery"), Mapping)
        and known(r.props, "pointInTimeRecovery").get("enabled") is True
    ]
    roles = [r for r in resources if r.resource_type == ROLE_TYPE and _tags(r).get(RUNBOOK_TAG) == "queue-replay"]
    missing = []
    if not ledgers:
        missing.append("no replay ledger (a DynamoDB table tagged purpose=replay-ledger)")
    elif not recoverable:
        missing.append(f'the replay ledger "{_label(ledgers[0])}" has no point-in-time recovery')
    if not roles:
        missing.append("no queue-replay runbook role (an IAM role tagged runbook=queue-replay)")
    if not missing:
        return
    for queue in critical:
        report(
            f'critical flow "{_tags(queue).get("flow", queue.name)}" ({_tags(queue).get("criticality")}) has no '
            f"replay path: {'; '.join(missing)}",
            queue.urn,
        )


REPLAY_PATH = stack_rule(
    "CD-RBK-001",
    description="An environment whose real-time or near-real-time flows can dead-letter has the replay path: a replay "
    "ledger with point-in-time recovery and the queue-replay runbook role.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Compose components.incident_response.IncidentResponse in the environment (the Environment component "
    "does); it creates the <env>-replay-ledger table and the <env>-runbook-queue-replay role.",
    validate=_validate_replay_path,
)


# --- CD-RBK-002 runbook roles: MFA to assume, no wildcard actions ---------------------------------------


def _policies_of(role: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    return [
        r
        for r in resources
        if r.resource_type == ROLE_POLICY_TYPE
        and any(dep.urn == role.urn for dep in (r.property_dependencies or {}).get("role", ()))
    ]


def _requires_mfa(document: Any) -> bool:
    allows = [s for s in document.statements if s.is_allow]
    return bool(allows) and all(
        any(
            values == ("true",)
            for op, keys in s.condition.items()
            if op.startswith("Bool")
            for k, values in keys.items()
            if k.lower() == "aws:multifactorauthpresent"
        )
        for s in allows
    )


def _validate_runbook_roles(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = args.resources
    for role in resources:
        if role.resource_type != ROLE_TYPE:
            continue
        tags = _tags(role)
        if RUNBOOK_TAG not in tags and tags.get(PURPOSE_TAG) != "break-glass":
            continue
        label = _label(role)
        trust_raw = role.props.get("assumeRolePolicy")
        if not is_unknown(trust_raw):
            try:
                trust = parse_policy(trust_raw, "assumeRolePolicy")
            except PolicyDocumentError as error:
                report(f'responder role "{label}": {error}', role.urn)
                continue
            if trust is None or not _requires_mfa(trust):
                report(f'responder role "{label}" can be assumed without MFA (aws:MultiFactorAuthPresent)', role.urn)
        for policy in _policies_of(role, resources):
            raw = policy.props.get("policy")
            if is_unknown(raw):
                continue
            try:
                document = parse_policy(raw)
            except PolicyDocumentError as error:
                report(f'responder role "{label}": {error}', policy.urn)
                continue
            for statement in document.statements if document else ():
                wild = sorted({a for a in statement.actions if "*" in a} | set(statement.not_actions))
                if statement.is_allow and wild:
                    report(
                        f'responder role "{label}" statement {statement.label} grants wildcard actions '
                        f"{', '.join(wild)}: a runbook role names exactly the actions its runbook calls",
                        policy.urn,
                    )


RUNBOOK_ROLES_NARROW = stack_rule(
    "CD-RBK-002",
    description="Runbook, responder and break-glass roles are assumable only with MFA and grant no wildcard action "
    "(or NotAction): each names exactly what its runbook calls.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="List the runbook's actions in runbooks/permissions.py (the component builds the role from it) and "
    'keep {"Bool": {"aws:MultiFactorAuthPresent": "true"}} on every Allow of the trust policy.',
    validate=_validate_runbook_roles,
)


# --- CD-RBK-003 break-glass is watched ---------------------------------------------------------------------


def _validate_break_glass(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = args.resources
    rules = [r for r in resources if r.resource_type == EVENT_RULE_TYPE]
    for role in resources:
        if role.resource_type != ROLE_TYPE or _tags(role).get(PURPOSE_TAG) != "break-glass":
            continue
        watched = any(
            any(dep.urn == role.urn for dep in (rule.property_dependencies or {}).get("eventPattern", ()))
            for rule in rules
        )
        if not watched:
            report(
                f'break-glass role "{_label(role)}" has no EventBridge rule on its AssumeRole events: a break-glass '
                "session would go unnoticed",
                role.urn,
            )


BREAK_GLASS_WATCHED = stack_rule(
    "CD-RBK-003",
    description="Every break-glass role has an EventBridge rule matching its CloudTrail AssumeRole events (which "
    "notifies the critical topic).",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Create an aws.cloudwatch.EventRule whose event_pattern names the role's ARN (requestParameters.roleArn) "
    "with an EventTarget on the critical alert topic (IncidentResponse does).",
    validate=_validate_break_glass,
)

RULES: list[Rule] = [REPLAY_PATH, RUNBOOK_ROLES_NARROW, BREAK_GLASS_WATCHED]
