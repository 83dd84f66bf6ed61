"""Resilience rules for data stores: zones, backups, deletion safeguards and DR copies.

Shipment transactions, inventory balances and payload archives are what a logistics
platform cannot rebuild, so these rules check that every store survives an AZ
failure, a mistaken delete and (when its class says so) the loss of its region.

The first half of this module is the small stack-reading toolkit that every
resilience module shares: proxy-free props, tags (provider default tags included),
regions, and "does A reference B" through property dependencies first and
names/ARNs as a fallback.

Contracts the components rely on (tags are read from `tags`, `tagsAll` and the
explicit provider's `defaultTags`, the resource's own tags winning):
- `tier: production` (or policy config `production: true`) turns on the production
  safeguards (deletion protection plus Pulumi `protect`/`retainOnDelete`).
- `data-class: <class>` picks the backup retention minimum; `audit` and
  `integration-payloads` buckets must be protected in production.
- `dr-copy: required` on a data store means it needs a copy in another region;
  policy config `drDataClasses` adds whole data classes to that requirement.
- `dr-role: secondary` (or `replica`) marks a store that *is* the DR copy: it is
  exempt from the DR-copy rules, and an Aurora cluster so tagged is exempt from the
  two-instance rule.
- Regions: a resource's `region` input, else its provider's `region`, else the
  stack's region, taken from policy config `primaryRegion` or from the default
  provider. When neither is visible, a resource on an explicit provider with a
  region is treated as being in another region than one on the default provider.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)
from pulumi_policy.proxy import UnknownValueError

from policies.documents import is_unknown
from policies.rule import Category, Rule, resource_rule, stack_rule

# --- reading the stack ----------------------------------------------------------------------------


class _Unknown:
    """A value the engine cannot know yet (preview); rules never judge on it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
AWS_PROVIDER = "pulumi:providers:aws"


def plain(value: Any) -> Any:
    """A proxy-free copy of a property value, with unknowns as `UNKNOWN`.

    pulumi-policy wraps props in proxies that raise on unknown values; in a stack
    rule one unknown input would otherwise abort the whole rule during preview.
    """
    if isinstance(value, str):
        return UNKNOWN if is_unknown(value) else value
    if isinstance(value, Mapping):
        out = {}
        for key in list(value):
            try:
                item = value[key]
            except UnknownValueError:
                item = UNKNOWN
            out[key] = plain(item)
        return out
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                item = UNKNOWN
            items.append(plain(item))
        return items
    return value


def text(value: Any) -> str | None:
    """A non-empty known string, else None."""
    return value if isinstance(value, str) and value else None


def number(value: Any) -> float | None:
    """A known number (wire numbers are floats; JSON documents may hold "5"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def flag(value: Any) -> bool | None:
    """True/False for a known boolean (or "true"/"false"), None when unset or unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def present(value: Any) -> bool:
    """Set at all: known and non-empty, or unknown (it will have a value)."""
    return value is UNKNOWN or value not in (None, "", [], {})


def parse_json(value: Any) -> Any:
    """A policy document given as JSON text (e.g. from Output.json_dumps) or as a dict."""
    if isinstance(value, str):
        try:
            return plain(json.loads(value))
        except ValueError:
            return None
    return value


def fmt(value: float) -> str:
    """25.0 -> "25", 1209600.0 -> "1209600": wire numbers are floats, people read integers."""
    return str(int(value)) if float(value).is_integer() else str(value)


def plural(count: float, word: str) -> str:
    return f"{fmt(count)} {word}" + ("" if count == 1 else "s")


def display(props: Mapping[str, Any], keys: Sequence[str], fallback: str) -> str:
    """The name people know a resource by (its AWS name), else its Pulumi name."""
    for key in keys:
        value = text(props.get(key))
        if value:
            return value
    return fallback


def _default_tags(provider: Any) -> dict[str, str]:
    if provider is None:
        return {}
    raw = parse_json(plain(provider.props).get("defaultTags"))
    tags = raw.get("tags") if isinstance(raw, Mapping) else None
    return {k: v for k, v in tags.items() if isinstance(v, str)} if isinstance(tags, Mapping) else {}


def tags_of(props: Mapping[str, Any], provider: Any) -> dict[str, str]:
    """Provider default tags, then `tagsAll`, then `tags` (the resource's own tags win)."""
    merged = _default_tags(provider)
    for key in ("tagsAll", "tags"):
        tags = props.get(key)
        if isinstance(tags, Mapping):
            merged.update({k: v for k, v in tags.items() if isinstance(v, str)})
    return merged


def is_production(tags: Mapping[str, str], config: Mapping[str, Any]) -> bool:
    return flag(config.get("production")) is True or tags.get("tier") == "production"


def is_protected(opts: Any) -> bool:
    """`protect`, or `retainOnDelete` (only the offline engine can show the latter)."""
    return bool(getattr(opts, "protect", False) or getattr(opts, "retain_on_delete", False))


def setting(config: Mapping[str, Any], key: str, default: float) -> float:
    value = number(config.get(key))
    return default if value is None else value


def strings(value: Any) -> list[str]:
    """Every known string inside a value (dicts, lists and JSON text included)."""
    if isinstance(value, str):
        parsed = parse_json(value) if value[:1] in "{[" else None
        return strings(parsed) if isinstance(parsed, (dict, list)) else [value]
    if isinstance(value, Mapping):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def _tail(reference: str) -> str | None:
    """The name at the end of an ARN or URL (queue, cluster, bucket, vault)."""
    if reference.startswith(("arn:", "https://")):
        return reference.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return None


def arn_region(reference: str) -> str | None:
    """The region field of an ARN (arn:partition:service:REGION:account:...)."""
    parts = reference.split(":")
    if not reference.startswith("arn:") or len(parts) < 4:
        return None
    return parts[3] or None


# Inputs that hold a resource's AWS name, which other resources' inputs repeat.
IDENTITY_KEYS = ("name", "bucket", "clusterIdentifier", "identifier", "globalClusterIdentifier")


class Stack:
    """One stack rule's view of the resources: plain props, tags, regions, references."""

    def __init__(self, args: StackValidationArgs) -> None:
        self.resources: list[PolicyResource] = list(args.resources)
        self.config: Mapping[str, Any] = args.get_config() or {}
        self._props = {r.urn: plain(r.props) for r in self.resources}
        self._identities: dict[str, set[str]] = {}
        self.primary_region = text(self.config.get("primaryRegion")) or self._default_provider_region()

    def _default_provider_region(self) -> str | None:
        for resource in self.resources:
            provider = resource.provider
            if provider is not None and provider.resource_type == AWS_PROVIDER and provider.name.startswith("default"):
                region = text(plain(provider.props).get("region"))
                if region:
                    return region
        return None

    def props(self, resource: PolicyResource) -> dict[str, Any]:
        return self._props.get(resource.urn) or plain(resource.props)

    def of_type(self, *types: str) -> list[PolicyResource]:
        return [r for r in self.resources if r.resource_type in types]

    def tags(self, resource: PolicyResource) -> dict[str, str]:
        return tags_of(self.props(resource), resource.provider)

    def region(self, resource: PolicyResource) -> str | None:
        """Own `region` input, else the provider's region, else the stack's (primary) region."""
        own = text(self.props(resource).get("region"))
        if own:
            return own
        if resource.provider is not None:
            provider_region = text(plain(resource.provider.props).get("region"))
            if provider_region:
                return provider_region
        return self.primary_region

    def in_other_region(self, a: PolicyResource, b: PolicyResource) -> bool:
        return self.region(a) != self.region(b)

    def identities(self, resource: PolicyResource) -> set[str]:
        if resource.urn not in self._identities:
            props = self.props(resource)
            self._identities[resource.urn] = {resource.urn} | {
                v for key in IDENTITY_KEYS if (v := text(props.get(key)))
            }
        return self._identities[resource.urn]

    def references(self, source: PolicyResource, prop: str, target: PolicyResource, value: Any = None) -> bool:
        """Does `source.<prop>` point at `target`? Property dependencies first, then names/ARNs.

        `value` narrows the fallback to part of the prop (e.g. one JSON field).
        """
        if any(dep.urn == target.urn for dep in source.property_dependencies.get(prop, ())):
            return True
        found = self.props(source).get(prop) if value is None else value
        names = self.identities(target)
        return any(s in names or _tail(s) in names for s in strings(found))

    def referenced(
        self, source: PolicyResource, prop: str, types: Iterable[str], value: Any = None
    ) -> list[PolicyResource]:
        """The resources of `types` that `source.<prop>` points at."""
        wanted = set(types)
        return [
            r
            for r in self.resources
            if r.resource_type in wanted and r.urn != source.urn and self.references(source, prop, r, value)
        ]


def config_schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties=properties)


PRODUCTION_SETTING = {
    "type": "boolean",
    "default": False,
    "description": "Treat every resource as production even without a `tier: production` tag.",
}
PRIMARY_REGION_SETTING = {
    "type": "string",
    "description": "The stack's primary region (aws:region); derived from the default provider when unset.",
}

# --- resource types -------------------------------------------------------------------------------

RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
BACKUP_SELECTION = "aws:backup/selection:Selection"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_VAULT = "aws:backup/vault:Vault"

DR_ROLES = ("secondary", "replica")
AWS_DEFAULT_BACKUP_RETENTION_DAYS = 1.0


def is_aurora(props: Mapping[str, Any]) -> bool:
    """Aurora (engine aurora*, the provider default) in provisioned mode, the kind with instances."""
    engine = props.get("engine")
    mode = text(props.get("engineMode"))
    return (not isinstance(engine, str) or engine.startswith("aurora")) and mode in (None, "provisioned")


def cluster_kind(props: Mapping[str, Any]) -> str:
    engine = props.get("engine")
    return "Aurora cluster" if not isinstance(engine, str) or engine.startswith("aurora") else "RDS cluster"


def cluster_name(stack: Stack, cluster: PolicyResource) -> str:
    return display(stack.props(cluster), ("clusterIdentifier",), cluster.name)


def is_global_secondary(stack: Stack, cluster: PolicyResource) -> bool:
    """A cluster that is the DR copy: tagged `dr-role: secondary`, or a Global Database
    member (`globalClusterIdentifier`) outside the stack's primary region.
    Pilot-light secondaries run no instances; warm-standby ones run one.
    """
    if stack.tags(cluster).get("dr-role") == "secondary":
        return True
    return (
        present(stack.props(cluster).get("globalClusterIdentifier")) and stack.region(cluster) != stack.primary_region
    )


def cluster_instances(stack: Stack, cluster: PolicyResource) -> list[PolicyResource]:
    return [i for i in stack.of_type(RDS_CLUSTER_INSTANCE) if stack.references(i, "clusterIdentifier", cluster)]


# --- multi-AZ -------------------------------------------------------------------------------------


def _validate_aurora_multi_az(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for cluster in stack.of_type(RDS_CLUSTER):
        props = stack.props(cluster)
        if not is_aurora(props) or is_global_secondary(stack, cluster):
            continue
        instances = cluster_instances(stack, cluster)
        name = cluster_name(stack, cluster)
        needed = "at least 2 in different AZs are needed"
        if len(instances) < 2:
            report(f'Aurora cluster "{name}" has {plural(len(instances), "instance")}; {needed}', cluster.urn)
            continue
        zones = [stack.props(i).get("availabilityZone") for i in instances]
        known = {z for z in zones if text(z)}
        if len(known) == 1 and all(text(z) for z in zones):
            report(
                f'Aurora cluster "{name}" has {len(instances)} instances, all in {known.pop()}; {needed}', cluster.urn
            )


AURORA_MULTI_AZ = stack_rule(
    "CD-RES-001",
    description="Aurora clusters run at least two instances in different availability zones, so a zone failure "
    "fails over to a reader instead of waiting for a new writer. Global Database secondaries (DR copies) are exempt.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add a reader: at least two aws.rds.ClusterInstance resources with cluster_identifier=<cluster>.id, "
    "each with a different availability_zone (or raise `readers` in the stack's databases section). A DR secondary "
    "cluster must carry the tag dr-role=secondary or be a Global Database member on a provider for another region.",
    validate=_validate_aurora_multi_az,
    config_schema=config_schema(primaryRegion=PRIMARY_REGION_SETTING),
)


def _validate_instance_multi_az(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != RDS_INSTANCE:
        return
    props = plain(args.props)
    engine = props.get("engine")
    if isinstance(engine, str) and engine.startswith("aurora"):
        return
    if props.get("multiAz") is UNKNOWN or flag(props.get("multiAz")) is True:
        return
    name = display(props, ("identifier",), args.name)
    report(f'RDS instance "{name}" is not Multi-AZ (multiAz is not enabled); it has no standby in a second AZ', None)


RDS_INSTANCE_MULTI_AZ = resource_rule(
    "CD-RES-002",
    description="RDS instances are Multi-AZ, so a zone failure promotes a synchronous standby.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Set multi_az=True on the aws.rds.Instance (or move the database to an Aurora cluster with a reader).",
    validate=_validate_instance_multi_az,
    checkov_id="CKV_AWS_157",
)

# --- backups --------------------------------------------------------------------------------------


def _validate_backup_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (RDS_CLUSTER, RDS_INSTANCE):
        return
    props = plain(args.props)
    if args.resource_type == RDS_INSTANCE and present(props.get("replicateSourceDb")):
        return  # read replicas follow their source's backups
    raw = props.get("backupRetentionPeriod")
    if raw is UNKNOWN:
        return
    config = args.get_config() or {}
    data_class = tags_of(props, args.provider).get("data-class")
    overrides = config.get("minimumBackupRetentionDaysByDataClass")
    minimum = number(overrides.get(data_class)) if isinstance(overrides, Mapping) and data_class else None
    if minimum is None:
        minimum = setting(config, "minimumBackupRetentionDays", 7.0)
    days = number(raw)
    unset = days is None
    days = AWS_DEFAULT_BACKUP_RETENTION_DAYS if unset else days
    if days >= minimum:
        return
    if args.resource_type == RDS_CLUSTER:
        kind, name = cluster_kind(props), display(props, ("clusterIdentifier",), args.name)
    else:
        kind, name = "RDS instance", display(props, ("identifier",), args.name)
    note = " (backupRetentionPeriod is not set)" if unset else ""
    scope = f' for data class "{data_class}"' if data_class else ""
    report(
        f'{kind} "{name}" keeps automated backups for {plural(days, "day")}{note}; '
        f"at least {plural(minimum, 'day')} are required{scope}",
        None,
    )


BACKUP_RETENTION = resource_rule(
    "CD-RES-003",
    description="RDS clusters and instances keep automated backups at least as long as their data class needs "
    "(point-in-time restore reaches back that far; AWS keeps 1 day when backupRetentionPeriod is unset).",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Set backup_retention_period (1-35 days) to at least the minimum for the resource's data-class tag: "
    "raise backupRetentionDays of that data class in the stack file, or lower the policy config "
    "minimumBackupRetentionDays / minimumBackupRetentionDaysByDataClass if the class genuinely needs less.",
    validate=_validate_backup_retention,
    checkov_id="CKV_AWS_133",
    config_schema=config_schema(
        minimumBackupRetentionDays={
            "type": "number",
            "default": 7,
            "minimum": 1,
            "maximum": 35,
            "description": "Minimum automated backup retention in days for data classes without an override.",
        },
        minimumBackupRetentionDaysByDataClass={
            "type": "object",
            "additionalProperties": {"type": "number", "minimum": 1, "maximum": 35},
            "default": {},
            "description": 'Minimum retention per data-class tag value, e.g. {"transactional": 14}.',
        },
    ),
)

# --- deletion safeguards --------------------------------------------------------------------------

DEFAULT_PROTECTED_BUCKET_CLASSES = ("audit", "integration-payloads")
PROTECTED_BUCKET_CLASSES_SETTING = {
    "type": "array",
    "items": {"type": "string"},
    "default": list(DEFAULT_PROTECTED_BUCKET_CLASSES),
    "description": "data-class tag values of buckets that must be protected in production.",
}


def _deletion_protection_rule(
    rule_id: str,
    *,
    kind: str,
    types: Sequence[str],
    name_keys: Sequence[str],
    flag_input: str | None,
    description: str,
    remediation: str,
    severity: Severity,
    checkov_id: str | None,
    applies: Callable[[Mapping[str, str], Mapping[str, Any]], bool] | None = None,
    settings: Mapping[str, dict[str, Any]] | None = None,
) -> Rule:
    """A production store needs both AWS's delete guard (if the service has one) and Pulumi's.

    Pulumi's guard is the `protect` option, or `retainOnDelete`: the Pulumi CLI does not
    hand retainOnDelete to policies (its analyzer options carry protect but not it), so
    only the offline engine, which sets `opts.retain_on_delete`, can accept it.
    """

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        props = plain(args.props)
        config = args.get_config() or {}
        tags = tags_of(props, args.provider)
        if not is_production(tags, config) or (applies is not None and not applies(tags, config)):
            return
        label = cluster_kind(props) if args.resource_type == RDS_CLUSTER else kind
        name = display(props, name_keys, args.name)
        if flag_input is not None and props.get(flag_input) is not UNKNOWN and flag(props.get(flag_input)) is not True:
            report(f'{label} "{name}" is in production but {flag_input} is not enabled', None)
        if not is_protected(args.opts):
            report(
                f'{label} "{name}" is in production but Pulumi does not protect it '
                "(set the protect or retainOnDelete resource option)",
                None,
            )

    return resource_rule(
        rule_id,
        description=description,
        severity=severity,
        category=Category.RESILIENCE,
        remediation=remediation,
        validate=validate,
        checkov_id=checkov_id,
        config_schema=config_schema(production=PRODUCTION_SETTING, **(settings or {})),
    )


PROTECT_HOW = (
    "and opts=pulumi.ResourceOptions(protect=True) so `pulumi destroy` refuses (retain_on_delete=True satisfies "
    "only the offline gate: the Pulumi CLI does not show it to policies)"
)

RDS_CLUSTER_DELETION_PROTECTION = _deletion_protection_rule(
    "CD-RES-004",
    kind="RDS cluster",
    types=(RDS_CLUSTER,),
    name_keys=("clusterIdentifier",),
    flag_input="deletionProtection",
    description="Production RDS/Aurora clusters have deletion protection and Pulumi protect: orders and inventory "
    "must survive a mistaken delete or replace.",
    remediation=f"Set deletion_protection=True on the aws.rds.Cluster {PROTECT_HOW}.",
    severity=Severity.HIGH,
    checkov_id="CKV_AWS_139",
)
RDS_INSTANCE_DELETION_PROTECTION = _deletion_protection_rule(
    "CD-RES-005",
    kind="RDS instance",
    types=(RDS_INSTANCE,),
    name_keys=("identifier",),
    flag_input="deletionProtection",
    description="Production RDS instances have deletion protection and Pulumi protect.",
    remediation=f"Set deletion_protection=True on the aws.rds.Instance {PROTECT_HOW}.",
    severity=Severity.HIGH,
    checkov_id="CKV_AWS_293",
)
DYNAMODB_DELETION_PROTECTION = _deletion_protection_rule(
    "CD-RES-006",
    kind="DynamoDB table",
    types=(DYNAMODB_TABLE,),
    name_keys=("name",),
    flag_input="deletionProtectionEnabled",
    description="Production DynamoDB tables have deletion protection and Pulumi protect.",
    remediation=f"Set deletion_protection_enabled=True on the aws.dynamodb.Table {PROTECT_HOW}.",
    severity=Severity.HIGH,
    checkov_id=None,
)


def _holds_protected_class(tags: Mapping[str, str], config: Mapping[str, Any]) -> bool:
    classes = config.get("protectedBucketDataClasses")
    if not isinstance(classes, Sequence) or isinstance(classes, str):
        classes = DEFAULT_PROTECTED_BUCKET_CLASSES
    return tags.get("data-class") in classes


BUCKET_PROTECTION = _deletion_protection_rule(
    "CD-RES-007",
    kind="bucket",
    types=BUCKETS,
    name_keys=("bucket",),
    flag_input=None,
    description="Production buckets holding audit logs or integration payloads are protected in Pulumi: they are "
    "the evidence and the replay source after an incident (S3 has no deletion-protection flag).",
    remediation="Give the bucket opts=pulumi.ResourceOptions(protect=True), e.g. SecureBucketArgs(protect=True), and "
    "keep force_destroy off (retain_on_delete=True satisfies only the offline gate: the Pulumi CLI does not show it "
    "to policies).",
    severity=Severity.HIGH,
    checkov_id=None,
    applies=_holds_protected_class,
    settings={"protectedBucketDataClasses": PROTECTED_BUCKET_CLASSES_SETTING},
)
LOAD_BALANCER_DELETION_PROTECTION = _deletion_protection_rule(
    "CD-RES-008",
    kind="load balancer",
    types=LOAD_BALANCERS,
    name_keys=("name",),
    flag_input="enableDeletionProtection",
    description="Production load balancers have deletion protection and Pulumi protect: partners and devices "
    "allowlist their DNS names and addresses, which a re-created load balancer does not keep.",
    remediation=f"Set enable_deletion_protection=True on the aws.lb.LoadBalancer {PROTECT_HOW}.",
    severity=Severity.MEDIUM,
    checkov_id="CKV_AWS_150",
)

# --- copies in another region ---------------------------------------------------------------------

DR_DATA_CLASSES_SETTING = {
    "type": "array",
    "items": {"type": "string"},
    "default": [],
    "description": "data-class tag values whose stores need a copy in another region, in addition to stores "
    "tagged dr-copy=required.",
}


def dr_copy_reason(stack: Stack, resource: PolicyResource) -> str | None:
    """Why a store needs a copy in another region, or None when it does not (or is the copy)."""
    tags = stack.tags(resource)
    if tags.get("dr-role") in DR_ROLES:
        return None
    if tags.get("dr-copy") == "required":
        return "required by its dr-copy=required tag"
    classes = stack.config.get("drDataClasses")
    data_class = tags.get("data-class")
    if data_class and isinstance(classes, Sequence) and not isinstance(classes, str) and data_class in classes:
        return f'required by data class "{data_class}" in drDataClasses'
    return None


def _global_copy(stack: Stack, cluster: PolicyResource) -> bool:
    """A Global Database the cluster belongs to (as source or member) has a member in another region."""
    for global_cluster in stack.of_type(RDS_GLOBAL_CLUSTER):
        if not (
            stack.references(global_cluster, "sourceDbClusterIdentifier", cluster)
            or stack.references(cluster, "globalClusterIdentifier", global_cluster)
        ):
            continue
        for secondary in stack.of_type(RDS_CLUSTER):
            if (
                secondary.urn != cluster.urn
                and stack.references(secondary, "globalClusterIdentifier", global_cluster)
                and stack.in_other_region(secondary, cluster)
            ):
                return True
    return False


def _plan_copies_elsewhere(stack: Stack, plan: PolicyResource, cluster: PolicyResource) -> bool:
    """A plan rule copies to a vault in another region than the cluster (by ARN, else by the vault resource).

    Rules unknown as a whole (preview) are judged by the vaults they depend on.
    """
    rules = stack.props(plan).get("rules")
    if rules is UNKNOWN:
        return any(stack.in_other_region(v, cluster) for v in stack.referenced(plan, "rules", (BACKUP_VAULT,)))
    actions = [
        action
        for rule in (rules if isinstance(rules, list) else [])
        if isinstance(rule, Mapping) and isinstance(rule.get("copyActions"), list)
        for action in rule["copyActions"]
        if isinstance(action, Mapping)
    ]
    if not actions:
        return False
    home = stack.region(cluster)
    for action in actions:
        destination = text(action.get("destinationVaultArn"))
        if destination and arn_region(destination) and arn_region(destination) != home:
            return True
    return any(stack.in_other_region(vault, cluster) for vault in stack.referenced(plan, "rules", (BACKUP_VAULT,)))


def _backup_copy(stack: Stack, cluster: PolicyResource) -> bool:
    for selection in stack.of_type(BACKUP_SELECTION):
        if not stack.references(selection, "resources", cluster):
            continue
        if any(
            _plan_copies_elsewhere(stack, plan, cluster)
            for plan in stack.referenced(selection, "planId", (BACKUP_PLAN,))
        ):
            return True
    return False


def _validate_cluster_dr_copy(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for cluster in stack.of_type(RDS_CLUSTER):
        reason = dr_copy_reason(stack, cluster)
        if reason is None or is_global_secondary(stack, cluster):
            continue
        if _global_copy(stack, cluster) or _backup_copy(stack, cluster):
            continue
        kind = cluster_kind(stack.props(cluster))
        report(
            f'{kind} "{cluster_name(stack, cluster)}" has no copy in another region: no Global Database secondary '
            f"and no AWS Backup copy to a vault there ({reason})",
            cluster.urn,
        )


DR_SCHEMA = config_schema(drDataClasses=DR_DATA_CLASSES_SETTING, primaryRegion=PRIMARY_REGION_SETTING)

CLUSTER_DR_COPY = stack_rule(
    "CD-RES-009",
    description="RDS clusters whose data must survive a regional outage (dr-copy=required, or a class in "
    "drDataClasses) have a copy in another region: an Aurora Global Database secondary there, or an AWS Backup "
    "plan that selects the cluster and copies its recovery points to a vault there.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Give the stack a `dr` section so DisasterRecovery builds the copy, or add either an "
    "aws.rds.GlobalCluster(source_db_cluster_identifier=<cluster>.arn) plus an aws.rds.Cluster with "
    "global_cluster_identifier=<global>.id on a provider for the DR region, or an aws.backup.Selection with the "
    "cluster ARN in resources whose plan has a rule with copy_actions to an aws.backup.Vault in the DR region.",
    validate=_validate_cluster_dr_copy,
    config_schema=DR_SCHEMA,
)


def _replicated_elsewhere(stack: Stack, holder: PolicyResource, prop: str, rules: Any, bucket: PolicyResource) -> bool:
    """An enabled replication rule whose destination is a bucket in this stack in another region.

    Rules unknown as a whole (preview) are judged by the buckets they depend on.
    """
    if rules is UNKNOWN:
        destinations: list[Any] = []
    else:
        enabled = [
            r
            for r in (rules if isinstance(rules, list) else [])
            if isinstance(r, Mapping) and r.get("status") != "Disabled"
        ]
        if not enabled:
            return False
        destinations = [r.get("destination") for r in enabled]
    return any(
        stack.in_other_region(target, bucket)
        for target in stack.referenced(holder, prop, BUCKETS, value=destinations)
        if target.urn != bucket.urn
    )


def _validate_bucket_dr_copy(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    configs = stack.of_type(BUCKET_REPLICATION)
    for bucket in stack.of_type(*BUCKETS):
        reason = dr_copy_reason(stack, bucket)
        if reason is None:
            continue
        inline = stack.props(bucket).get("replicationConfiguration")
        inline_rules = inline.get("rules") if isinstance(inline, Mapping) else inline
        if present(inline) and _replicated_elsewhere(stack, bucket, "replicationConfiguration", inline_rules, bucket):
            continue
        if any(
            stack.references(config, "bucket", bucket)
            and _replicated_elsewhere(stack, config, "rules", stack.props(config).get("rules"), bucket)
            for config in configs
        ):
            continue
        name = display(stack.props(bucket), ("bucket",), bucket.name)
        report(
            f'bucket "{name}" has no copy in another region: no enabled replication rule to a bucket there ({reason})',
            bucket.urn,
        )


BUCKET_DR_COPY = stack_rule(
    "CD-RES-010",
    description="Buckets whose objects must survive a regional outage (dr-copy=required, or a class in "
    "drDataClasses) replicate to a bucket of this stack in another region; payload archives and audit logs are "
    "needed for replay and reconciliation after a failover.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add an aws.s3.BucketReplicationConfig(bucket=<bucket>.id) with an Enabled rule whose "
    "destination.bucket is the ARN of a versioned bucket created on a provider for the DR region (DisasterRecovery "
    "does this for the payload archive when the stack has a `dr` section).",
    validate=_validate_bucket_dr_copy,
    checkov_id="CKV_AWS_144",
    config_schema=DR_SCHEMA,
)


def _table_copied_elsewhere(stack: Stack, table: PolicyResource) -> bool:
    home = stack.region(table)
    replicas = stack.props(table).get("replicas")
    if replicas is UNKNOWN:
        return True
    for replica in replicas if isinstance(replicas, list) else []:
        region = replica.get("regionName") if isinstance(replica, Mapping) else UNKNOWN
        if region is UNKNOWN or (text(region) and region != home):
            return True
    return any(
        stack.references(replica, "globalTableArn", table) and stack.in_other_region(replica, table)
        for replica in stack.of_type(DYNAMODB_TABLE_REPLICA)
    )


def _validate_table_dr_copy(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for table in stack.of_type(DYNAMODB_TABLE):
        reason = dr_copy_reason(stack, table)
        if reason is None or _table_copied_elsewhere(stack, table):
            continue
        name = display(stack.props(table), ("name",), table.name)
        report(f'DynamoDB table "{name}" has no copy in another region: no replica there ({reason})', table.urn)


TABLE_DR_COPY = stack_rule(
    "CD-RES-011",
    description="DynamoDB tables whose data must survive a regional outage (dr-copy=required, or a class in "
    "drDataClasses) have a global-table replica in another region.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add replicas=[aws.dynamodb.TableReplicaArgs(region_name=<DR region>)] to the aws.dynamodb.Table "
    "(or an aws.dynamodb.TableReplica with global_table_arn=<table>.arn on a provider for the DR region).",
    validate=_validate_table_dr_copy,
    config_schema=DR_SCHEMA,
)

RULES: list[Rule] = [
    AURORA_MULTI_AZ,
    RDS_INSTANCE_MULTI_AZ,
    BACKUP_RETENTION,
    RDS_CLUSTER_DELETION_PROTECTION,
    RDS_INSTANCE_DELETION_PROTECTION,
    DYNAMODB_DELETION_PROTECTION,
    BUCKET_PROTECTION,
    LOAD_BALANCER_DELETION_PROTECTION,
    CLUSTER_DR_COPY,
    BUCKET_DR_COPY,
    TABLE_DR_COPY,
]
