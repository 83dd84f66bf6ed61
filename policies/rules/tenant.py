"""Tenant isolation: what belongs to a tenant says so, uses the tenant's key, and reaches no other tenant.

Responders isolate a tenant by its `tenant` tag (dashboards, revocation runbooks,
cost reports), so a tenant's resources must carry it; a tenant's data must be
encrypted with a key only that tenant's access depends on; and a tenant's IAM
policies must not name another tenant's resources.

"Of a tenant" is defined as, in this order: the resource's own `tenant` tag; its
name containing `tenant-<id>`; the nearest ancestor (parent chain) tagged with a
tenant or named `tenant-<id>`; for an inline IAM policy (`rolePolicy`,
`userPolicy`, `groupPolicy`), the tenant of the role, user or group it attaches
to. Tenant ids are the values of `tenant` tags in the stack; a stack without any
is single-tenant and these rules do not apply to it.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.documents import PolicyDocumentError, iam_policy_sources, is_unknown, known, parse_policy, referenced
from policies.rule import Category, Rule, stack_rule
from policies.rules.encryption import (
    DYNAMODB_TABLE_TYPE,
    KMS_KEY_TYPE,
    KMS_REPLICA_KEY_TYPE,
    LOG_GROUP_TYPE,
    RDS_CLUSTER_TYPE,
    RDS_INSTANCE_TYPE,
    SECRET_TYPE,
    SNS_TOPIC_TYPE,
    SQS_QUEUE_TYPE,
    SSE_CONFIGURATION_TYPES,
)
from policies.rules.exposure import BUCKET_TYPES, attached, bucket_label

TENANT_TAG = "tenant"
KMS_ALIAS_TYPE = "aws:kms/alias:Alias"
KEY_TYPES = frozenset({KMS_KEY_TYPE, KMS_REPLICA_KEY_TYPE})

# Data store type -> (how messages name it, the input holding its key, that input's Python name).
DATA_STORE_KEYS: dict[str, tuple[str, str, str]] = {
    RDS_CLUSTER_TYPE: ("RDS cluster", "kmsKeyId", "kms_key_id"),
    RDS_INSTANCE_TYPE: ("RDS instance", "kmsKeyId", "kms_key_id"),
    SQS_QUEUE_TYPE: ("queue", "kmsMasterKeyId", "kms_master_key_id"),
    SNS_TOPIC_TYPE: ("topic", "kmsMasterKeyId", "kms_master_key_id"),
    LOG_GROUP_TYPE: ("log group", "kmsKeyId", "kms_key_id"),
    SECRET_TYPE: ("secret", "kmsKeyId", "kms_key_id"),
    DYNAMODB_TABLE_TYPE: ("table", "serverSideEncryption", "server_side_encryption.kms_key_arn"),
}

# Inline IAM policies have no tags; they belong to the tenant of what they attach to.
_ATTACHMENT_INPUTS = {
    "aws:iam/rolePolicy:RolePolicy": "role",
    "aws:iam/userPolicy:UserPolicy": "user",
    "aws:iam/groupPolicy:GroupPolicy": "group",
}


def tenant_tag(resource: PolicyResource) -> str | None:
    tags = known(resource.props, "tags")
    value = tags.get(TENANT_TAG) if isinstance(tags, Mapping) else None
    return value if isinstance(value, str) and value and not is_unknown(value) else None


@cache
def accepts_tags(resource_type: str) -> bool | None:
    """Whether a pulumi-aws resource type takes a `tags` input, read from the SDK's Args class.

    None when the SDK is not importable here (then only present tags are judged).
    Reading the source instead of importing keeps the pack's start-up fast.
    """
    parts = resource_type.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return False
    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    module, _, member = parts[1].partition("/")
    directory = root / module if (root / module).is_dir() else root / f"{module}_"
    first = directory / (re.sub(r"(?<!^)(?=[A-Z])", "_", member).lower() + ".py")
    pattern = re.compile(rf"^class {re.escape(parts[2])}Args:\n    def __init__\(__self__(.*?)\):\n", re.S | re.M)
    for path in [first, *sorted(directory.glob("*.py"))]:
        match = pattern.search(path.read_text(encoding="utf-8")) if path.is_file() else None
        if match:
            return re.search(r"\btags:", match.group(1)) is not None
    return None


@dataclass(frozen=True)
class Ownership:
    tenant: str
    reason: str  # completes "belongs to tenant X (...)"


class Tenancy:
    """Which tenant each resource of a stack belongs to (see module docstring)."""

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}
        self.ids = sorted({t for r in resources if (t := tenant_tag(r))}, key=lambda t: (-len(t), t))
        alternatives = "|".join(re.escape(t) for t in self.ids)
        self._mention = re.compile(rf"tenant-({alternatives})(?![a-z0-9])", re.IGNORECASE) if self.ids else None

    def mentioned(self, text: str) -> list[str]:
        """Tenant ids that `text` names as `tenant-<id>` (the longest id wins at each mention)."""
        if self._mention is None or not isinstance(text, str):
            return []
        by_lower = {t.lower(): t for t in self.ids}
        return [by_lower[m.group(1).lower()] for m in self._mention.finditer(text)]

    def _parent(self, resource: PolicyResource) -> PolicyResource | None:
        return resource.parent or self.by_urn.get(getattr(resource.opts, "parent", None) or "")

    def inherited(self, resource: PolicyResource, _seen: frozenset[str] = frozenset()) -> Ownership | None:
        """The tenant a resource belongs to by its name, its ancestors or its attachment, ignoring its own tag."""
        named = self.mentioned(resource.name)
        if named:
            return Ownership(named[0], f'its name contains "tenant-{named[0]}"')
        parent, seen = self._parent(resource), {resource.urn, *_seen}
        while parent is not None and parent.urn not in seen:
            seen.add(parent.urn)
            tag = tenant_tag(parent) or next(iter(self.mentioned(parent.name)), None)
            if tag:
                how = "is tagged" if tenant_tag(parent) else "is named for"
                return Ownership(tag, f'its ancestor "{parent.name}" {how} tenant "{tag}"')
            parent = self._parent(parent)
        prop = _ATTACHMENT_INPUTS.get(resource.resource_type)
        if prop:
            for target in referenced(resource, prop, self.resources, ("name", "id", "arn")):
                owner = self.owner(target, frozenset(seen))
                if owner:
                    return Ownership(owner.tenant, f'it attaches to "{target.name}" of tenant "{owner.tenant}"')
        return None

    def owner(self, resource: PolicyResource, _seen: frozenset[str] = frozenset()) -> Ownership | None:
        tag = tenant_tag(resource)
        if tag:
            return Ownership(tag, f'it is tagged tenant "{tag}"')
        return self.inherited(resource, _seen)


def _tenancy(args: StackValidationArgs) -> Tenancy:
    tenancy = Tenancy(args.resources)
    if not tenancy.ids:
        args.not_applicable("no resource in the stack carries a tenant tag")
    return tenancy


# -- CD-TEN-001: every resource of a tenant carries the tag ----------------------------------


def _validate_tagged(args: StackValidationArgs, report: ReportViolation) -> None:
    tenancy = _tenancy(args)
    for resource in args.resources:
        if not resource.resource_type.startswith("aws:"):
            continue  # providers and components take no tags
        inherited = tenancy.inherited(resource)
        if inherited is None:
            continue
        tag = tenant_tag(resource)
        if tag is None and accepts_tags(resource.resource_type):
            report(
                f'resource "{resource.name}" belongs to tenant "{inherited.tenant}" ({inherited.reason}) but has no tenant tag',
                resource.urn,
            )
        elif tag is not None and tag != inherited.tenant:
            report(
                f'resource "{resource.name}" is tagged tenant "{tag}" but belongs to tenant "{inherited.tenant}" ({inherited.reason})',
                resource.urn,
            )


# -- CD-TEN-002: a tenant's data stores use the tenant's own key -----------------------------


def _keys(resource: PolicyResource, prop: str, resources: list[PolicyResource]) -> list[PolicyResource]:
    """KMS keys an input refers to, directly or through an alias."""
    keys = [r for r in resources if r.resource_type in KEY_TYPES]
    aliases = [r for r in resources if r.resource_type == KMS_ALIAS_TYPE]
    found = referenced(resource, prop, keys, ("arn", "keyId", "id"))
    for alias in referenced(resource, prop, aliases, ("arn", "name")):
        found += referenced(alias, "targetKeyId", keys, ("arn", "keyId", "id"))
    return found


def _data_stores(resources: list[PolicyResource]) -> Iterator[tuple[PolicyResource, str, str, list[PolicyResource]]]:
    """(data store, how messages name it, key input in Python, key resources it refers to)."""
    for resource in resources:
        if resource.resource_type in DATA_STORE_KEYS:
            subject, wire, prop = DATA_STORE_KEYS[resource.resource_type]
            yield resource, f'{subject} "{resource.name}"', prop, _keys(resource, wire, resources)
        elif resource.resource_type in BUCKET_TYPES:
            configs = attached(resources, SSE_CONFIGURATION_TYPES, resource)
            keys = [key for config in configs for key in _keys(config, "rules", resources)]
            yield resource, f'bucket "{bucket_label(resource)}"', "kms_master_key_id", keys


def _validate_own_keys(args: StackValidationArgs, report: ReportViolation) -> None:
    tenancy = _tenancy(args)
    for store, subject, prop, keys in _data_stores(args.resources):
        owner = tenancy.owner(store)
        if owner is None or any(tenant_tag(key) == owner.tenant for key in keys):
            continue
        if keys:
            key = keys[0]
            other = tenant_tag(key)
            tagged = f'tagged tenant "{other}"' if other else "not tagged with a tenant"
            report(
                f'{subject} of tenant "{owner.tenant}" is encrypted with key "{key.name}", which is {tagged}',
                store.urn,
            )
        else:
            report(
                f'{subject} of tenant "{owner.tenant}" does not reference a KMS key tagged tenant "{owner.tenant}" in {prop}',
                store.urn,
            )


# -- CD-TEN-003: a tenant's IAM policies name nothing of another tenant ----------------------


def _other_tenant_arns(tenancy: Tenancy) -> dict[str, str]:
    """ARN -> tenant for every resource whose ARN is known (outputs under the CLI; absent offline)."""
    arns = {}
    for resource in tenancy.resources:
        arn = known(resource.props, "arn")
        owner = tenancy.owner(resource) if isinstance(arn, str) and arn else None
        if owner:
            arns[arn] = owner.tenant
    return arns


def _belongs_to(text: str, arns: dict[str, str], tenancy: Tenancy) -> list[str]:
    """Tenants a policy string points at: an exact ARN (or a path/sub-resource under it), or `tenant-<id>`."""
    found = [tenant for arn, tenant in arns.items() if text == arn or text.startswith((arn + "/", arn + ":"))]
    return found + tenancy.mentioned(text)


def _validate_no_cross_tenant_arns(args: StackValidationArgs, report: ReportViolation) -> None:
    tenancy = _tenancy(args)
    arns = _other_tenant_arns(tenancy)
    for resource in args.resources:
        owner = tenancy.owner(resource)
        if owner is None:
            continue
        try:
            sources = iam_policy_sources(resource.resource_type, resource.props)
        except UnknownValueError:
            continue
        for source in sources:
            try:
                document = parse_policy(source.value, source.label)
            except (PolicyDocumentError, UnknownValueError):
                continue  # unreadable documents are CD-IAM-006's; unknown ones cannot be judged yet
            if document is None:
                continue
            prefix = "" if source.label == "policy" else f"{source.label}: "
            for statement in document.statements:
                named = [*statement.resources, *statement.not_resources]
                named += [p for ids in statement.principals.values() for p in ids]
                for text in dict.fromkeys(named):
                    others = [t for t in dict.fromkeys(_belongs_to(text, arns, tenancy)) if t != owner.tenant]
                    if others:
                        report(
                            f'{prefix}statement {statement.label} of tenant "{owner.tenant}" names "{text}", '
                            f'which belongs to tenant "{others[0]}"',
                            resource.urn,
                        )


TENANT_TAGGED = stack_rule(
    "CD-TEN-001",
    description="Every resource of a tenant carries that tenant's `tenant` tag.",
    severity=Severity.HIGH,
    category=Category.TENANT,
    remediation=(
        'Add tags={"tenant": "<id>", ...} (components.tags.base_tags(..., tenant=<id>)) to every taggable resource '
        "created for the tenant, including children of a tenant component, and make it equal to the tenant the "
        "parent or the resource name (tenant-<id>) says."
    ),
    validate=_validate_tagged,
)

TENANT_OWN_KEYS = stack_rule(
    "CD-TEN-002",
    description="A tenant's data stores are encrypted with a KMS key tagged with the same tenant.",
    severity=Severity.CRITICAL,
    category=Category.TENANT,
    remediation=(
        'Create a KMS key for the tenant (tags {"tenant": "<id>"}) and pass its ARN as the data store\'s kms_key_id / '
        "kms_master_key_id (for buckets, in the BucketServerSideEncryptionConfiguration), so revoking one tenant's "
        "key never touches another tenant's data."
    ),
    validate=_validate_own_keys,
)

NO_CROSS_TENANT_ARNS = stack_rule(
    "CD-TEN-003",
    description="A tenant's IAM policies name no resource that belongs to another tenant.",
    severity=Severity.CRITICAL,
    category=Category.TENANT,
    remediation=(
        "Remove the other tenant's ARN from the statement; build Resource lists from the tenant's own outputs "
        "(e.g. `tenant_bucket.arn`). Cross-tenant access, if ever needed, goes through a shared platform role with "
        "its own review, not a tenant's policy."
    ),
    validate=_validate_no_cross_tenant_arns,
)

RULES: list[Rule] = [TENANT_TAGGED, TENANT_OWN_KEYS, NO_CROSS_TENANT_ARNS]
