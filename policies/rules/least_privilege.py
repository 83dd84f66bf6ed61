"""Least privilege for IAM identity policies and role trust policies.

Responders need roles that do one job; a wildcard grant turns one leaked
credential into the whole account. These rules read every policy-bearing IAM
resource (`aws:iam/policy`, `rolePolicy`, `userPolicy`, `groupPolicy`, and a
role's `inlinePolicies` and `assumeRolePolicy`) through `policies.documents`.

A document that cannot be parsed is reported once, by CD-IAM-006; the other
rules skip it rather than guess. A document not known yet (preview) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.documents import (
    IAM_POLICY_TYPES,
    RESTRICTING_KEYS_TEXT,
    PolicyDocumentError,
    Statement,
    action_matches,
    has_restricting_condition,
    iam_policy_sources,
    is_wildcard_action,
    parse_policy,
    principal_is_public,
    public_principal_text,
)
from policies.rule import Category, Rule, resource_rule

# Write actions that may stay on Resource "*": AWS offers no resource-level scoping
# for them, or the resource they act on does not exist (has no ARN) until the service
# creates it at run time. Compared case-insensitively and only as exact action names:
# a wildcard such as "ec2:*NetworkInterface" never matches this list.
STAR_ONLY_WRITE_ACTIONS: dict[str, str] = {
    # Lambda functions and ECS tasks in a VPC: the service creates and removes their
    # ENIs at run time, so the interface ARN cannot be named in advance. AWS's own
    # AWSLambdaVPCAccessExecutionRole grants these four on "*".
    "ec2:CreateNetworkInterface": "VPC-attached compute creates its ENIs at run time",
    "ec2:DeleteNetworkInterface": "VPC-attached compute deletes its ENIs at run time",
    "ec2:AssignPrivateIpAddresses": "VPC-attached compute manages IPs on ENIs it created at run time",
    "ec2:UnassignPrivateIpAddresses": "VPC-attached compute manages IPs on ENIs it created at run time",
    # CloudWatch metrics have no ARN; scope with the cloudwatch:namespace condition instead.
    "cloudwatch:PutMetricData": "CloudWatch metrics have no resource type",
    # X-Ray ingestion has no resource type in the Service Authorization Reference.
    "xray:PutTraceSegments": "X-Ray trace ingestion has no resource type",
    "xray:PutTelemetryRecords": "X-Ray telemetry ingestion has no resource type",
    # A key has no ARN before it exists; kms:CreateKey is authorised on "*" only.
    "kms:CreateKey": "a key has no ARN before it is created",
}
_STAR_ONLY = {action.lower() for action in STAR_ONLY_WRITE_ACTIONS}

# Verb prefixes of read-only actions. Classifying by verb is deliberate: it needs no
# copy of AWS's action catalogue, and anything it does not recognise as a read
# (Put, Create, Delete, Update, Attach, Pass, Assume, Invoke, Decrypt, ...) is
# treated as a write or permission-management action, which errs on the safe side.
READ_VERB_PREFIXES = (
    "get",
    "list",
    "describe",
    "head",
    "search",
    "query",
    "scan",
    "lookup",
    "select",
    "batchget",
    "filter",
)

_PASS_ROLE = "iam:PassRole"


def is_read_action(action: str) -> bool:
    """Whether an action (or pattern) only reads, judged by its verb prefix (see READ_VERB_PREFIXES)."""
    _, sep, verb = action.partition(":")
    return bool(sep) and verb.lower().startswith(READ_VERB_PREFIXES)


def _documents(args: ResourceValidationArgs, kind: str) -> Iterator[tuple[str, Statement]]:
    """(message prefix, statement) for every parsable document of `kind` on the resource."""
    for source in iam_policy_sources(args.resource_type, args.props):
        if source.kind != kind:
            continue
        try:
            document = parse_policy(source.value, source.label)
        except PolicyDocumentError:
            continue  # CD-IAM-006 reports it
        if document is None:
            continue
        prefix = "" if source.label == "policy" else f"{source.label}: "
        for statement in document.statements:
            yield prefix, statement


def _star_scope(statement: Statement) -> str | None:
    """How a message names an all-resources scope, or None when the statement names resources."""
    if statement.not_resources:
        return "every resource except " + ", ".join(f'"{r}"' for r in statement.not_resources)
    if "*" in statement.resources:
        return 'resource "*"'
    return None


def _validate_policy_documents(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for source in iam_policy_sources(args.resource_type, args.props):
        try:
            parse_policy(source.value, source.label)
        except PolicyDocumentError as exc:
            report(str(exc), None)


def _validate_no_full_wildcards(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for prefix, statement in _documents(args, "identity"):
        scope = _star_scope(statement)
        if not statement.is_allow or scope is None:
            continue
        for action in statement.actions:
            if is_wildcard_action(action):
                report(f'{prefix}Allow statement {statement.label} grants "{action}" on {scope}', None)


def _validate_no_not_action(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for kind in ("identity", "trust"):
        for prefix, statement in _documents(args, kind):
            if statement.is_allow and statement.not_actions:
                excluded = ", ".join(f'"{a}"' for a in statement.not_actions)
                report(
                    f"{prefix}Allow statement {statement.label} uses NotAction ({excluded}), which grants every other action",
                    None,
                )


def _validate_writes_scoped(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for prefix, statement in _documents(args, "identity"):
        scope = _star_scope(statement)
        if not statement.is_allow or scope is None:
            continue
        for action in statement.actions:
            if is_wildcard_action(action) or action_matches(action, _PASS_ROLE):
                continue  # reported by CD-IAM-001 / CD-IAM-004
            if is_read_action(action) or action.lower() in _STAR_ONLY:
                continue
            report(f'{prefix}Allow statement {statement.label} grants write action "{action}" on {scope}', None)


def _validate_pass_role_scoped(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for prefix, statement in _documents(args, "identity"):
        scope = _star_scope(statement)
        if not statement.is_allow or scope is None:
            continue
        if statement.not_actions:
            if not any(action_matches(pattern, _PASS_ROLE) for pattern in statement.not_actions):
                report(
                    f'{prefix}Allow statement {statement.label} grants "{_PASS_ROLE}" on {scope} through NotAction',
                    None,
                )
            continue
        for action in statement.actions:
            if action_matches(action, _PASS_ROLE):
                via = "" if action.lower() == _PASS_ROLE.lower() else f' through "{action}"'
                report(f'{prefix}Allow statement {statement.label} grants "{_PASS_ROLE}" on {scope}{via}', None)


def _validate_trust_not_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for _, statement in _documents(args, "trust"):
        if statement.is_allow and principal_is_public(statement) and not has_restricting_condition(statement):
            report(
                f"trust policy statement {statement.label} lets {public_principal_text(statement)} assume the role "
                f"without a condition on {RESTRICTING_KEYS_TEXT}",
                None,
            )


def _iam_only(validate):
    """Run `validate` only for policy-bearing IAM types; others are not applicable."""

    def wrapper(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in IAM_POLICY_TYPES:
            validate(args, report)

    wrapper.__doc__ = validate.__doc__
    return wrapper


POLICY_DOCUMENTS_VALID = resource_rule(
    "CD-IAM-006",
    description="Every IAM policy and trust policy is a valid JSON policy document, so the other least-privilege rules can read it.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        "Build the document with `pulumi.Output.json_dumps({...})` or `aws.iam.get_policy_document_output(...).json` "
        'instead of formatting JSON by hand; give every statement an Effect of "Allow" or "Deny" and make '
        "Action/Resource strings or lists of strings."
    ),
    validate=_iam_only(_validate_policy_documents),
)

NO_FULL_WILDCARDS = resource_rule(
    "CD-IAM-001",
    description='No IAM Allow statement grants "*" or a whole service ("s3:*") on every resource.',
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=(
        'List the specific actions the workload calls (e.g. "sqs:SendMessage", "sqs:ReceiveMessage") and the ARNs '
        'it calls them on (pass `queue.arn`, `bucket.arn` + "/*", ...) instead of "*" or "service:*" on "*". '
        "Temporary elevation for responders belongs in a separate break-glass role, not in a workload policy."
    ),
    validate=_iam_only(_validate_no_full_wildcards),
    checkov_id="CKV_AWS_62",
)

NO_NOT_ACTION = resource_rule(
    "CD-IAM-002",
    description="No IAM Allow statement uses NotAction, which grants every action except the listed ones, including future ones.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        "Replace NotAction with an explicit Action list of what the role needs. If the goal is to forbid some "
        "actions, add a Deny statement with those actions instead of an Allow with NotAction."
    ),
    validate=_iam_only(_validate_no_not_action),
)

WRITES_SCOPED = resource_rule(
    "CD-IAM-003",
    description=(
        'No IAM Allow statement grants write or permission-management actions on resource "*", '
        'except the few actions AWS authorises only on "*".'
    ),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        'Set Resource to the ARNs the action changes (e.g. `table.arn`, `pulumi.Output.concat(bucket.arn, "/*")`). '
        'Only actions listed in policies/rules/least_privilege.py STAR_ONLY_WRITE_ACTIONS may stay on "*"; '
        'reads (Get/List/Describe/...) on "*" are allowed.'
    ),
    validate=_iam_only(_validate_writes_scoped),
    checkov_id="CKV_AWS_290",
)

PASS_ROLE_SCOPED = resource_rule(
    "CD-IAM-004",
    description='No IAM Allow statement grants iam:PassRole on resource "*", directly or through "*", "iam:*" or "iam:Pass*".',
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=(
        "Grant iam:PassRole only on the ARNs of the roles the workload hands to a service (e.g. `task_role.arn`), "
        "and add a condition on iam:PassedToService naming that service."
    ),
    validate=_iam_only(_validate_pass_role_scoped),
    checkov_id="CKV_AWS_286",
)

TRUST_NOT_PUBLIC = resource_rule(
    "CD-IAM-005",
    description="No role trust policy lets any AWS principal assume the role unless a condition pins the account, organisation or source.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=(
        'Name the principal that assumes the role (a service such as "ecs-tasks.amazonaws.com", or a role ARN in '
        'this account) instead of "*", or add a condition on aws:PrincipalOrgID / aws:PrincipalAccount / '
        "aws:SourceAccount that pins it."
    ),
    validate=_iam_only(_validate_trust_not_public),
    checkov_id="CKV_AWS_60",
)

RULES: list[Rule] = [
    NO_FULL_WILDCARDS,
    NO_NOT_ACTION,
    WRITES_SCOPED,
    PASS_ROLE_SCOPED,
    TRUST_NOT_PUBLIC,
    POLICY_DOCUMENTS_VALID,
]
