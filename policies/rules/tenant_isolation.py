"""Silo tenant isolation: a silo's data stays in its own stores, its DR follows its environment's, and
its resource policies admit no other tenant.

Contracts (docs/tenancy.md, components/tenant_silo.py):
- A silo tenant's resources carry `tenant: <id>` and `isolation: silo`; its data stores
  also `dr-strategy: <strategy>` (`none` without DR), and the `crossdock:tenant:TenantSilo`
  component records `tenant`, `drStrategy` (what the silo was built for),
  `environmentTier` and `environmentDrStrategy` (what the environment stack exports).
- "Of tenant T" is `policies.rules.tenant.Tenancy.owner`: the `tenant` tag, else a
  `tenant-<T>` name, an owned ancestor, or the role an inline policy attaches to.
- Data stores: RDS clusters, instances and global clusters, SQS queues, S3 buckets,
  DynamoDB tables, Secrets Manager secrets and AWS Backup vaults. "Uses" is a property
  dependency (an input built from the store's outputs); CloudWatch alarms and
  dashboards only watch metrics and are exempt.

CD-TEN-004 (no silo data in a shared store) reports:
1. a resource tagged `isolation: silo` without a `tenant` tag (a silo store must name its one tenant);
2. a resource of silo tenant T that uses a store not of T (e.g. its queue redrives into a
   shared DLQ, its instance joins a shared cluster, its replication writes to a shared bucket);
3. a resource not of T (shared, or another tenant's) that uses a store of silo tenant T
   (e.g. the environment's backup selection or IAM policy takes in the silo's cluster);
4. an Allow statement in an IAM policy of silo tenant T naming a data-store ARN (sqs, s3,
   dynamodb, secretsmanager, rds cluster/db, backup) that does not name `tenant-T`: every
   silo store is named `<env>-tenant-<T>-...`, so such an ARN is a shared (or another
   tenant's) store the silo could write into. `rds-db:connect` ARNs carry an opaque cluster
   resource id and are judged by (2) instead.

CD-TEN-005 (silo DR follows a production environment's) reports, for a silo tenant whose
environment (or resources) are `tier: production`:
1. the TenantSilo's `drStrategy` differing from `environmentDrStrategy`;
2. a data store of T (not itself a DR copy) without a `dr-strategy` tag, or with one that
   differs from the environment's strategy;
3. a data store of T tagged `dr-copy: required` without its copy in another region (a
   Global Database secondary or an AWS Backup copy for clusters, replication for buckets).

CD-TEN-006 (tenant resource policies) reports an Allow statement in the resource policy of a
tenant's key, queue, bucket, secret or topic that names an AWS principal other than the
account (root or id) and the tenant's own principals (named `tenant-<T>`), e.g. another
tenant's role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.documents import PolicyDocumentError, iam_policy_sources, is_unknown, known, parse_policy
from policies.rule import Category, Rule, stack_rule
from policies.rules.exposure import (
    KMS_POLICY_TYPES,
    S3_POLICY_TYPES,
    SECRET_POLICY_TYPES,
    SNS_POLICY_TYPES,
    SQS_POLICY_TYPES,
)
from policies.rules.resilience_data import (
    BUCKET_REPLICATION,
    BUCKETS,
    DR_ROLES,
    RDS_CLUSTER,
    Stack,
    _backup_copy,
    _global_copy,
    _replicated_elsewhere,
    is_global_secondary,
)
from policies.rules.tenant import Tenancy, tenant_tag

ISOLATION_TAG = "isolation"
SILO = "silo"
DR_STRATEGY_TAG = "dr-strategy"
TENANT_SILO_TYPE = "crossdock:tenant:TenantSilo"

STORE_KINDS: dict[str, str] = {
    "aws:rds/cluster:Cluster": "RDS cluster",
    "aws:rds/instance:Instance": "RDS instance",
    "aws:rds/globalCluster:GlobalCluster": "global cluster",
    "aws:sqs/queue:Queue": "queue",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:dynamodb/table:Table": "table",
    "aws:secretsmanager/secret:Secret": "secret",
    "aws:backup/vault:Vault": "backup vault",
}
# Watching a store's metrics moves no data.
OBSERVERS = frozenset(
    {
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    }
)
# ARN services whose resources hold tenant data (rds-db is judged by dependencies, see above).
DATA_ARN = re.compile(r"^arn:[a-z-]+:(sqs|s3|dynamodb|secretsmanager|backup|rds):")
RDS_DATA_ARN = re.compile(r"^arn:[a-z-]+:rds:[^:]*:[^:]*:(cluster|db|global-cluster):")
RESOURCE_POLICY_TYPES = KMS_POLICY_TYPES | SQS_POLICY_TYPES | SNS_POLICY_TYPES | SECRET_POLICY_TYPES | S3_POLICY_TYPES
ACCOUNT_PRINCIPAL = re.compile(r"^(\d{12}|arn:[a-z-]+:iam::\d{12}:root)$")
ANY_TENANT = re.compile(r"tenant-([a-z][a-z0-9-]*[a-z0-9])", re.IGNORECASE)


def _kind(resource: PolicyResource) -> str:
    return STORE_KINDS.get(resource.resource_type, resource.resource_type)


def _silo_tenants(stack: Stack, tenancy: Tenancy) -> set[str]:
    """Tenants the stack isolates in silos: `isolation: silo` tags and TenantSilo components."""
    silos = {t for r in stack.resources if stack.tags(r).get(ISOLATION_TAG) == SILO and (t := tenant_tag(r))}
    for component in stack.of_type(TENANT_SILO_TYPE):
        tenant = stack.props(component).get("tenant")
        if isinstance(tenant, str) and tenant:
            silos.add(tenant)
    return silos


def _owner(tenancy: Tenancy, resource: PolicyResource) -> str | None:
    owner = tenancy.owner(resource)
    return owner.tenant if owner else None


def _used_stores(resource: PolicyResource) -> Iterator[tuple[str, PolicyResource]]:
    """(input, store) for every data store one of the resource's inputs is built from."""
    for prop, dependencies in (resource.property_dependencies or {}).items():
        for dependency in dependencies:
            if dependency.resource_type in STORE_KINDS and dependency.urn != resource.urn:
                yield prop, dependency


# -- CD-TEN-004 ----------------------------------------------------------------------------------


def _validate_silo_data(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    tenancy = Tenancy(args.resources)
    silos = _silo_tenants(stack, tenancy)
    if not silos and not any(stack.tags(r).get(ISOLATION_TAG) == SILO for r in stack.resources):
        args.not_applicable("no resource in the stack belongs to a silo tenant")
    for resource in stack.resources:
        if not resource.resource_type.startswith("aws:"):
            continue
        effective = stack.tags(resource)  # own tags over the provider's default tags
        if effective.get(ISOLATION_TAG) == SILO and not effective.get("tenant"):
            report(
                f'{_kind(resource)} "{resource.name}" is tagged isolation: silo but has no tenant tag: a silo '
                "resource must name its one tenant",
                resource.urn,
            )
        if resource.resource_type in OBSERVERS:
            continue
        owner = _owner(tenancy, resource)
        for prop, store in _used_stores(resource):
            store_owner = _owner(tenancy, store)
            if owner in silos and store_owner != owner:
                whose = f'belongs to tenant "{store_owner}"' if store_owner else "is shared (no tenant tag)"
                report(
                    f'"{resource.name}" of silo tenant "{owner}" puts data into {_kind(store)} "{store.name}" '
                    f"({prop}), which {whose}",
                    resource.urn,
                )
            elif store_owner in silos and owner != store_owner:
                who = f'of tenant "{owner}"' if owner else "shared (no tenant tag)"
                report(
                    f'{_kind(store)} "{store.name}" of silo tenant "{store_owner}" is used by "{resource.name}" '
                    f"({prop}), which is {who}",
                    store.urn,
                )
        if owner in silos:
            _check_policy_arns(resource, owner, tenancy, report)


def _check_policy_arns(resource: PolicyResource, tenant: str, tenancy: Tenancy, report: ReportViolation) -> None:
    try:
        sources = iam_policy_sources(resource.resource_type, resource.props)
    except UnknownValueError:
        return
    for source in sources:
        if source.kind != "identity":
            continue
        try:
            document = parse_policy(source.value, source.label)
        except (PolicyDocumentError, UnknownValueError):
            continue
        if document is None:
            continue
        prefix = "" if source.label == "policy" else f"{source.label}: "
        for statement in document.statements:
            if not statement.is_allow:
                continue
            for arn in dict.fromkeys(statement.resources):
                if not _is_data_arn(arn) or tenant in tenancy.mentioned(arn) or _names_tenant(arn, tenant):
                    continue
                report(
                    f'{prefix}statement {statement.label} of silo tenant "{tenant}" grants access to "{arn}", a data '
                    f'store that is not the tenant\'s (silo stores are named "tenant-{tenant}")',
                    resource.urn,
                )


def _is_data_arn(arn: str) -> bool:
    match = DATA_ARN.match(arn)
    if not match:
        return False
    return match.group(1) != "rds" or bool(RDS_DATA_ARN.match(arn))


def _names_tenant(text: str, tenant: str) -> bool:
    return re.search(rf"tenant-{re.escape(tenant)}(?![a-z0-9])", text, re.IGNORECASE) is not None


# -- CD-TEN-005 ----------------------------------------------------------------------------------


def _validate_silo_dr(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    tenancy = Tenancy(args.resources)
    silos = _silo_tenants(stack, tenancy)
    if not silos:
        args.not_applicable("no silo tenant in the stack")
    components = {stack.props(c).get("tenant"): c for c in stack.of_type(TENANT_SILO_TYPE)}
    owned: dict[str, list[PolicyResource]] = {tenant: [] for tenant in silos}
    for resource in stack.resources:
        owner = _owner(tenancy, resource)
        if owner in owned:
            owned[owner].append(resource)
    for tenant in sorted(silos):
        component = components.get(tenant)
        props = stack.props(component) if component is not None else {}
        production = props.get("environmentTier") == "production" or any(
            stack.tags(r).get("tier") == "production" for r in owned[tenant]
        )
        if not production:
            continue
        environment = props.get("environmentStack") or "its environment"
        expected = props.get("environmentDrStrategy")
        expected = expected if isinstance(expected, str) and expected and not is_unknown(expected) else None
        built = props.get("drStrategy")
        if component is not None and expected and isinstance(built, str) and built != expected:
            report(
                f'silo tenant "{tenant}" is built for DR strategy "{built}" but environment "{environment}" runs '
                f'"{expected}" (from its stack outputs)',
                component.urn,
            )
        for store in owned[tenant]:
            if store.resource_type not in STORE_KINDS or store.resource_type == "aws:rds/globalCluster:GlobalCluster":
                continue
            tags = stack.tags(store)
            if tags.get("dr-role") in DR_ROLES or (
                store.resource_type == RDS_CLUSTER and is_global_secondary(stack, store)
            ):
                continue
            strategy = tags.get(DR_STRATEGY_TAG)
            if strategy is None:
                report(
                    f'{_kind(store)} "{store.name}" of silo tenant "{tenant}" has no {DR_STRATEGY_TAG} tag; a silo of a '
                    f"production environment follows its environment's DR strategy"
                    + (f' ("{expected}")' if expected else ""),
                    store.urn,
                )
            elif expected and strategy != expected and not (component is not None and strategy == built):
                # (a store built for the silo's own strategy is covered by the component's finding above)
                report(
                    f'{_kind(store)} "{store.name}" of silo tenant "{tenant}" is tagged {DR_STRATEGY_TAG} "{strategy}" '
                    f'but environment "{environment}" runs "{expected}"',
                    store.urn,
                )
            if tags.get("dr-copy") == "required" and not _has_copy(stack, store):
                report(
                    f'{_kind(store)} "{store.name}" of silo tenant "{tenant}" is tagged dr-copy: required but has no '
                    f'copy in another region, so the silo does not follow environment "{environment}"\'s DR strategy',
                    store.urn,
                )


def _has_copy(stack: Stack, store: PolicyResource) -> bool:
    if store.resource_type == RDS_CLUSTER:
        return _global_copy(stack, store) or _backup_copy(stack, store)
    if store.resource_type in BUCKETS:
        inline = stack.props(store).get("replicationConfiguration")
        if isinstance(inline, Mapping) and _replicated_elsewhere(
            stack, store, "replicationConfiguration", inline.get("rules"), store
        ):
            return True
        return any(
            stack.references(config, "bucket", store)
            and _replicated_elsewhere(stack, config, "rules", stack.props(config).get("rules"), store)
            for config in stack.of_type(BUCKET_REPLICATION)
        )
    return True  # other stores have no dr-copy contract of their own (CD-RES-009..011 judge theirs)


# -- CD-TEN-006 ----------------------------------------------------------------------------------


def _validate_resource_policies(args: StackValidationArgs, report: ReportViolation) -> None:
    tenancy = Tenancy(args.resources)
    if not tenancy.ids:
        args.not_applicable("no resource in the stack carries a tenant tag")
    known_ids = set(tenancy.ids) | _registered_tenants(args.resources)
    for resource in args.resources:
        if resource.resource_type not in RESOURCE_POLICY_TYPES:
            continue
        owner = _owner(tenancy, resource)
        if owner is None:
            continue
        try:
            value = known(resource.props, "policy")
            document = parse_policy(value, "policy")
        except (PolicyDocumentError, UnknownValueError):
            continue
        if document is None:
            continue
        for statement in document.statements:
            if not statement.is_allow:
                continue
            for principal in dict.fromkeys(statement.principals.get("AWS", ())):
                if principal == "*" or ACCOUNT_PRINCIPAL.match(principal) or _names_tenant(principal, owner):
                    continue
                others = [t for t in _mentioned(principal, known_ids) if t != owner]
                if others:
                    whose = f'belongs to tenant "{others[0]}"'
                elif ANY_TENANT.search(principal):
                    whose = f'names another tenant ("{ANY_TENANT.search(principal).group(0)}")'
                else:
                    whose = f'is not a principal of tenant "{owner}"'
                report(
                    f'statement {statement.label} of the policy of {_policy_holder(resource)} "{resource.name}" '
                    f'(tenant "{owner}") grants "{principal}", which {whose}',
                    resource.urn,
                )


def _registered_tenants(resources: list[PolicyResource]) -> set[str]:
    """Tenant ids a silo stack knows from its environment's registry (TenantSilo `environmentTenants`)."""
    ids: set[str] = set()
    for component in resources:
        if component.resource_type == TENANT_SILO_TYPE:
            registered = known(component.props, "environmentTenants")
            if isinstance(registered, (list, tuple)):
                ids |= {t for t in registered if isinstance(t, str) and t and not is_unknown(t)}
    return ids


def _mentioned(text: str, ids: set[str]) -> list[str]:
    """Ids of `ids` that `text` names as `tenant-<id>`, the longest id winning at each mention."""
    if not ids:
        return []
    alternatives = "|".join(re.escape(t) for t in sorted(ids, key=lambda t: (-len(t), t)))
    by_lower = {t.lower(): t for t in ids}
    pattern = re.compile(rf"tenant-({alternatives})(?![a-z0-9])", re.IGNORECASE)
    return [by_lower[m.group(1).lower()] for m in pattern.finditer(text)]


def _policy_holder(resource: PolicyResource) -> str:
    """`key`, `queue policy`, ...: what a message calls the resource that holds the policy."""
    if resource.resource_type in KMS_POLICY_TYPES:
        return "key"
    return (
        _kind(resource)
        if resource.resource_type in STORE_KINDS
        else {
            "aws:sqs/queuePolicy:QueuePolicy": "queue policy",
            "aws:s3/bucketPolicy:BucketPolicy": "bucket policy",
            "aws:sns/topicPolicy:TopicPolicy": "topic policy",
            "aws:sns/topic:Topic": "topic",
            "aws:secretsmanager/secretPolicy:SecretPolicy": "secret policy",
        }.get(resource.resource_type, resource.resource_type)
    )


SILO_DATA_NOT_SHARED = stack_rule(
    "CD-TEN-004",
    description="A silo tenant's data stays in its own stores: its resources use no shared or other tenant's "
    "database, queue, bucket, secret or vault, nothing shared uses its stores, and its IAM policies name no "
    "data store outside the silo.",
    severity=Severity.CRITICAL,
    category=Category.TENANT,
    remediation="Build the silo's stores in its own stack (components/tenant_silo.py) and wire its resources only "
    "to them: its DLQs, clusters, replicas, vaults and policy ARNs must all be tagged tenant=<id> (named "
    "<env>-tenant-<id>-...). Never reference a silo store from the environment's shared resources; give every "
    "resource tagged isolation: silo its tenant tag.",
    validate=_validate_silo_data,
)

SILO_DR_FOLLOWS_ENVIRONMENT = stack_rule(
    "CD-TEN-005",
    description="Every silo tenant of a production environment follows the environment's DR strategy: it is built "
    "for that strategy, its data stores are tagged with it, and each store tagged dr-copy=required has its copy "
    "in another region.",
    severity=Severity.HIGH,
    category=Category.TENANT,
    remediation="Deploy the environment stack first (the silo reads its dr.strategy output), then the silo: "
    "TenantSilo inherits the strategy from the environment's stack file and builds Global Database secondaries, "
    "backup copies and archive replication for it. Do not pass a different strategy or drop the DisasterRecovery "
    "child of a production silo.",
    validate=_validate_silo_dr,
)

TENANT_RESOURCE_POLICIES = stack_rule(
    "CD-TEN-006",
    description="A tenant's key, queue, bucket, secret and topic policies grant no AWS principal but the account "
    "and the tenant's own (e.g. never another tenant's role).",
    severity=Severity.CRITICAL,
    category=Category.TENANT,
    remediation="Grant the account root (and let the tenant's own IAM roles, named <env>-tenant-<id>-..., carry "
    "the permissions) instead of naming principals in the resource policy; another tenant that needs the data "
    "gets it through a reviewed shared platform role, never through this tenant's key or queue.",
    validate=_validate_resource_policies,
)

RULES: list[Rule] = [SILO_DATA_NOT_SHARED, SILO_DR_FOLLOWS_ENVIRONMENT, TENANT_RESOURCE_POLICIES]
