"""Least privilege for transaction-tier service identities (IRSA roles).

A service role may do exactly what the service declared in the stack config: use
its queues, connect to its database as its own user, and use the keys of its data
classes through SQS. These rules check that, and that only the service's own
Kubernetes service account can assume the role.

The contract a service role carries (set by `components/service_identity.py`; any
program can follow it):
- tag `service`: the service's name; the rules apply to every IAM role with this tag;
- tag `declared-queues`: the SQS queue names it may use, space-separated
  (`prod-label-requests prod-shipment-confirmations.fifo`);
- tag `declared-database`: the database it may connect to (config name, e.g.
  `orders`), as the user `<database with _ for ->_app`; empty for none;
- tag `declared-data-classes`: the data classes whose KMS keys it may use,
  space-separated. A key is recognised by its `data-class` tag through the policy's
  property dependencies (`policy=Output.json_dumps({... key.arn ...})`), since a key's
  ARN exists only once it is created.

Every Allow statement of every policy of the role (inline `inlinePolicies`,
`aws:iam/rolePolicy` resources on the role, customer-managed `aws:iam/policy`
resources attached to it) may only use SERVICE_ACTIONS, and every resource it names
must be a declared queue, the declared database's service user, or a key of a declared
data class. Attaching an AWS-managed policy is a violation: it names what AWS chose,
not what the service declared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.documents import PolicyDocumentError, Statement, parse_policy
from policies.rule import Category, Rule, resource_rule, stack_rule
from policies.rules.resilience_data import Stack, plain, tags_of, text

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KMS_KEY = "aws:kms/key:Key"
KMS_REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"

SERVICE_TAG = "service"
QUEUES_TAG = "declared-queues"
DATABASE_TAG = "declared-database"
DATA_CLASSES_TAG = "declared-data-classes"

# What a transaction-tier service does with its declared resources, and nothing else.
SERVICE_ACTIONS = frozenset(
    action.lower()
    for action in (
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "rds-db:connect",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    )
)
STS_AUDIENCE = "sts.amazonaws.com"


def service_user(database: str) -> str:
    return f"{database.replace('-', '_')}_app"


@dataclass(frozen=True)
class Declared:
    service: str
    queues: frozenset[str]
    database: str | None
    data_classes: frozenset[str]

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> Declared:
        return cls(
            service=tags[SERVICE_TAG],
            queues=frozenset(tags.get(QUEUES_TAG, "").split()),
            database=tags.get(DATABASE_TAG) or None,
            data_classes=frozenset(tags.get(DATA_CLASSES_TAG, "").split()),
        )

    def queue_list(self) -> str:
        return ", ".join(sorted(self.queues)) or "none"

    def class_list(self) -> str:
        return ", ".join(sorted(self.data_classes)) or "none"


@dataclass(frozen=True)
class Document:
    """One policy document of a role, where it lives, and the resources it was built from."""

    label: str
    value: Any
    holder: PolicyResource
    prop: str


def _role_name(stack: Stack, role: PolicyResource) -> str:
    return text(stack.props(role).get("name")) or role.name


def _documents(stack: Stack, role: PolicyResource) -> Iterator[Document | str]:
    """The role's documents, and (as strings) AWS-managed policy ARNs attached to it."""
    inline = stack.props(role).get("inlinePolicies")
    for position, entry in enumerate(inline if isinstance(inline, list) else [], start=1):
        if isinstance(entry, Mapping) and entry.get("policy"):
            name = text(entry.get("name")) or f"#{position}"
            yield Document(f'inline policy "{name}"', entry.get("policy"), role, "inlinePolicies")
    for holder in stack.of_type(ROLE_POLICY):
        if stack.references(holder, "role", role):
            name = text(stack.props(holder).get("name")) or holder.name
            yield Document(f'policy "{name}"', stack.props(holder).get("policy"), holder, "policy")
    for attachment in stack.of_type(ATTACHMENT):
        if not stack.references(attachment, "role", role):
            continue
        managed = stack.referenced(attachment, "policyArn", [POLICY])
        for policy in managed:
            name = text(stack.props(policy).get("name")) or policy.name
            yield Document(f'policy "{name}"', stack.props(policy).get("policy"), policy, "policy")
        arn = text(stack.props(attachment).get("policyArn"))
        if not managed and arn:
            yield arn


def _keys_behind(stack: Stack, document: Document) -> list[PolicyResource]:
    dependencies = document.holder.property_dependencies.get(document.prop, ()) if document.holder else ()
    return [dep for dep in dependencies if dep.resource_type in (KMS_KEY, KMS_REPLICA_KEY)]


def _resource_problems(resource: str, declared: Declared) -> str | None:
    """Why a non-KMS resource is not declared, or None when it is."""
    if "*" in resource or "?" in resource:
        return f'names "{resource}", a wildcard; service roles name exact resources'
    parts = resource.split(":", 5)
    service = parts[2] if len(parts) > 2 and parts[0] == "arn" else None
    if service == "sqs" and len(parts) == 6:
        queue = parts[5]
        if queue not in declared.queues:
            return f'names queue "{queue}", which is not among its declared queues ({declared.queue_list()})'
        return None
    if service == "rds-db" and len(parts) == 6:
        user = parts[5].rsplit("/", 1)[-1]
        if declared.database is None:
            return f'names database user "{user}", but it declares no database'
        if user != service_user(declared.database):
            return (
                f'names database user "{user}", but its declared database is "{declared.database}" '
                f'(user "{service_user(declared.database)}")'
            )
        return None
    return f'names "{resource}", which is not a queue, database user or key it declared'


def _validate_declared_resources(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for role in stack.of_type(ROLE):
        tags = stack.tags(role)
        if not tags.get(SERVICE_TAG):
            continue
        declared = Declared.from_tags(tags)
        who = f'service role "{_role_name(stack, role)}" (service {declared.service})'
        for document in _documents(stack, role):
            if isinstance(document, str):
                report(
                    f'{who} attaches the managed policy "{document}"; a service role carries only its own policy',
                    role.urn,
                )
                continue
            try:
                parsed = parse_policy(document.value, document.label)
            except PolicyDocumentError:
                continue  # CD-IAM-006 reports it
            if parsed is None:
                continue
            kms_resources: set[str] = set()
            for statement in parsed.statements:
                if not statement.is_allow:
                    continue
                for problem in _statement_problems(statement, declared, kms_resources):
                    report(f"{who}: {document.label} statement {statement.label} {problem}", role.urn)
            if kms_resources:
                for problem in _key_problems(stack, document, declared, kms_resources):
                    report(f"{who}: {document.label} {problem}", role.urn)


def _statement_problems(statement: Statement, declared: Declared, kms_resources: set[str]) -> Iterator[str]:
    if statement.not_actions:
        yield "uses NotAction; service roles list their actions"
    for action in statement.actions:
        if action.lower() not in SERVICE_ACTIONS:
            yield f'grants "{action}", beyond what a service does with its declared resources'
    if statement.not_resources:
        yield "uses NotResource; service roles name their resources"
    for resource in statement.resources:
        if resource.startswith("arn:") and resource.split(":")[2:3] == ["kms"] and "*" not in resource:
            kms_resources.add(resource)
            continue
        problem = _resource_problems(resource, declared)
        if problem:
            yield problem


def _key_problems(stack: Stack, document: Document, declared: Declared, kms_resources: set[str]) -> Iterator[str]:
    keys = _keys_behind(stack, document)
    allowed = []
    for key in keys:
        data_class = stack.tags(key).get("data-class")
        if data_class in declared.data_classes:
            allowed.append(key)
        else:
            what = f'the key of data class "{data_class}"' if data_class else f'the key "{key.name}"'
            yield f"names {what}, which is not among its declared data classes ({declared.class_list()})"
    if len(kms_resources) > len(keys):
        # Keys are matched through property dependencies; an ARN typed in by hand has none.
        untraced = sorted(kms_resources) if not keys else [f"{len(kms_resources) - len(keys)} of {len(kms_resources)}"]
        for resource in untraced:
            yield (
                f'names KMS key "{resource}", which cannot be traced to a key of its declared data classes '
                f"({declared.class_list()})"
            )


DECLARED_RESOURCES = stack_rule(
    "CD-SVC-001",
    description="A service role (tagged service=<name>) grants only the actions a service uses (send, receive, "
    "delete, change visibility, get attributes, rds-db:connect, kms:Decrypt, kms:GenerateDataKey), and only on the "
    "queues, database user and data-class keys declared in its declared-queues, declared-database and "
    "declared-data-classes tags.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation="Declare the queue or database in the service's stack config (services[].consumes / produces / "
    "database) instead of widening the policy; ServiceIdentity derives the policy and the tags from it.",
    validate=_validate_declared_resources,
)


# --- who may assume a service role ----------------------------------------------------------------


def _trust_problems(statement: Statement, service: str) -> Iterator[str]:
    federated = statement.principals.get("Federated", ())
    if set(statement.principals) != {"Federated"} or not federated:
        yield "trusts a principal other than the cluster's OIDC provider"
    if not all(":oidc-provider/" in principal for principal in federated):
        yield "trusts a federated principal that is not an IAM OIDC provider"
    if [a.lower() for a in statement.actions] != ["sts:assumerolewithwebidentity"]:
        yield "allows actions other than sts:AssumeRoleWithWebIdentity"
    conditions = statement.condition.get("StringEquals", {})
    subjects = [value for key, values in conditions.items() if key.endswith(":sub") for value in values]
    audiences = [value for key, values in conditions.items() if key.endswith(":aud") for value in values]
    if not subjects or any(
        not s.startswith("system:serviceaccount:") or s.rsplit(":", 1)[-1] != service for s in subjects
    ):
        yield f'does not pin the subject (StringEquals <issuer>:sub) to the "{service}" service account'
    if audiences != [STS_AUDIENCE]:
        yield f'does not pin the audience (StringEquals <issuer>:aud) to "{STS_AUDIENCE}"'


def _validate_trust(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ROLE:
        return
    props = plain(args.props)
    tags = tags_of(props, args.provider)
    service = tags.get(SERVICE_TAG)
    if not service:
        return
    try:
        document = parse_policy(props.get("assumeRolePolicy"), "trust policy")
    except PolicyDocumentError:
        return  # CD-IAM-006 reports it
    if document is None:
        return
    for statement in document.statements:
        if statement.is_allow:
            for problem in _trust_problems(statement, service):
                report(f"trust policy statement {statement.label} of service role for {service} {problem}", None)


SERVICE_ACCOUNT_TRUST = resource_rule(
    "CD-SVC-002",
    description="A service role is assumable only through the cluster's OIDC provider, with "
    "sts:AssumeRoleWithWebIdentity, by its own service's Kubernetes service account and for the STS audience.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation='Trust {"Federated": <oidc provider arn>} with sts:AssumeRoleWithWebIdentity and StringEquals '
    "<issuer>:sub = system:serviceaccount:<namespace>:<service>, <issuer>:aud = sts.amazonaws.com.",
    validate=_validate_trust,
)

RULES: list[Rule] = [DECLARED_RESOURCES, SERVICE_ACCOUNT_TRUST]
