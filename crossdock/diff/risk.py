"""Classify each change by the risk it carries for production.

Classes, most severe first (a change takes the first class any of its reasons has):

- data-loss: a stateful resource (database, queue, bucket, table, key, secret, log group,
  backup vault, volume) is removed or replaced, or loses `protect`/`retainOnDelete`;
- security-widening: a policy document grants more (a new allow that no old allow covered,
  fewer conditions, a removed deny, a public principal), a security-group rule admits more
  (protocol, ports, address ranges), public-access blocks or network policies are removed;
- resilience-reduction: fewer replicas, instances, nodes, subnets (AZs) or NAT gateways,
  shorter retention, deletion protection or versioning switched off, a removed alarm,
  canary, backup, DR copy or dead-letter redrive;
- high-risk: database parameter groups, engine and Kubernetes versions, network routes,
  KMS key policies (classes the source document says need an approval gate);
- routine: everything else.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from crossdock.diff.compare import _ABSENT, Change

DATA_LOSS = "data-loss"
SECURITY_WIDENING = "security-widening"
RESILIENCE_REDUCTION = "resilience-reduction"
HIGH_RISK = "high-risk"
ROUTINE = "routine"
RISK_ORDER = (DATA_LOSS, SECURITY_WIDENING, RESILIENCE_REDUCTION, HIGH_RISK, ROUTINE)
RISKY = frozenset(RISK_ORDER[:-1])
"""Classes that need an approval and that a high-risk-only freeze window blocks."""

STATEFUL_TYPES = {
    "aws:rds/cluster:Cluster": "database",
    "aws:rds/globalCluster:GlobalCluster": "global database",
    "aws:rds/instance:Instance": "database",
    "aws:dynamodb/table:Table": "table",
    "aws:sqs/queue:Queue": "queue",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:kms/key:Key": "KMS key",
    "aws:kms/replicaKey:ReplicaKey": "KMS replica key",
    "aws:secretsmanager/secret:Secret": "secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "secret value",
    "aws:cloudwatch/logGroup:LogGroup": "log group",
    "aws:backup/vault:Vault": "backup vault",
    "aws:efs/fileSystem:FileSystem": "file system",
    "aws:ebs/volume:Volume": "volume",
    "aws:elasticache/replicationGroup:ReplicationGroup": "cache",
    "aws:kinesis/stream:Stream": "stream",
    "aws:opensearch/domain:Domain": "search domain",
    "kubernetes:core/v1:PersistentVolumeClaim": "persistent volume claim",
}

# Inputs of stateful resources that the AWS provider cannot change in place (a change
# replaces the resource, with its data).
REPLACING_INPUTS = {
    "aws:rds/cluster:Cluster": {
        "clusterIdentifier",
        "engine",
        "databaseName",
        "storageEncrypted",
        "kmsKeyId",
        "dbSubnetGroupName",
        "availabilityZones",
        "masterUsername",
        "globalClusterIdentifier",
    },
    "aws:rds/instance:Instance": {"identifier", "engine", "dbName", "storageEncrypted", "kmsKeyId", "username"},
    "aws:rds/globalCluster:GlobalCluster": {"globalClusterIdentifier", "engine", "databaseName", "storageEncrypted"},
    "aws:dynamodb/table:Table": {"name", "hashKey", "rangeKey"},
    "aws:sqs/queue:Queue": {"name", "namePrefix", "fifoQueue"},
    "aws:s3/bucket:Bucket": {"bucket", "bucketPrefix", "objectLockEnabled"},
    "aws:s3/bucketV2:BucketV2": {"bucket", "bucketPrefix", "objectLockEnabled"},
    "aws:kms/key:Key": {"customerMasterKeySpec", "keyUsage", "multiRegion"},
    "aws:kms/replicaKey:ReplicaKey": {"primaryKeyArn"},
    "aws:secretsmanager/secret:Secret": {"name", "namePrefix"},
    "aws:cloudwatch/logGroup:LogGroup": {"name", "namePrefix"},
    "aws:backup/vault:Vault": {"name", "kmsKeyArn"},
    "aws:efs/fileSystem:FileSystem": {"encrypted", "kmsKeyId", "creationToken"},
    "aws:ebs/volume:Volume": {"availabilityZone", "encrypted", "kmsKeyId", "snapshotId"},
    "aws:kinesis/stream:Stream": {"name"},
}

# Where resource policies live: type -> input holding the document.
RESOURCE_POLICY_INPUTS = {
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:lambda/permission:Permission": None,
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
}

SECURITY_GROUP_RULE_TYPES = {
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "egress",
    "aws:ec2/securityGroupRule:SecurityGroupRule": None,  # `type` input says which
}

GUARD_TYPES = {
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "S3 public access block",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "account public access block",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": "Kubernetes network policy",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "WAF association",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "default security group lock-down",
}

RESILIENCE_TYPES = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": "alarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "alarm",
    "aws:synthetics/canary:Canary": "synthetic canary",
    "aws:backup/plan:Plan": "backup plan",
    "aws:backup/selection:Selection": "backup selection",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "bucket replication (DR copy)",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket versioning",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "object lock",
    "aws:rds/clusterInstance:ClusterInstance": "database instance",
    "aws:ec2/subnet:Subnet": "subnet (availability-zone capacity)",
    "aws:ec2/natGateway:NatGateway": "NAT gateway",
    "aws:eks/nodeGroup:NodeGroup": "node group",
    "aws:sqs/redrivePolicy:RedrivePolicy": "dead-letter redrive",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "dead-letter redrive allow policy",
    "kubernetes:policy/v1:PodDisruptionBudget": "pod disruption budget",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": "autoscaler",
    "aws:route53/healthCheck:HealthCheck": "health check",
    "aws:fis/experimentTemplate:ExperimentTemplate": "fault-injection experiment",
    "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy": "resilience policy",
}

# Numeric inputs (by last path segment) where a smaller value means less resilience.
# 0 means "never expire" for retentionInDays, so any number below it is a reduction.
SHRINKING_NUMBERS = {
    "replicas",
    "minReplicas",
    "maxReplicas",
    "minSize",
    "desiredSize",
    "maxSize",
    "minAvailable",
    "backupRetentionPeriod",
    "retentionInDays",
    "messageRetentionSeconds",
    "retentionPeriod",
    "deletionWindowInDays",
    "days",
    "minCapacity",
    "maxCapacity",
    "desiredCount",
    "numberCacheClusters",
    "replicasPerNodeGroup",
    "deleteAfter",
    "successRetentionPeriod",
    "failureRetentionPeriod",
}
NEVER_EXPIRES = {"retentionInDays": 0}
# Booleans whose switch from true to false reduces resilience.
PROTECTIVE_FLAGS = {
    "deletionProtection",
    "multiAz",
    "copyTagsToSnapshot",
    "pointInTimeRecovery.enabled",
    "enableKeyRotation",
}
# A flag that is protective when FALSE (turning it on reduces protection).
DANGEROUS_FLAGS = {"forceDestroy", "skipFinalSnapshot", "applyImmediately"}

HIGH_RISK_TYPES = {
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "database parameter group",
    "aws:rds/parameterGroup:ParameterGroup": "database parameter group",
    "aws:ec2/route:Route": "network route",
    "aws:ec2/routeTable:RouteTable": "route table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "route table association",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": "route table association",
    "aws:ec2/internetGateway:InternetGateway": "internet gateway",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "VPC peering",
    "aws:ec2transitgateway/route:Route": "transit gateway route",
    "aws:kms/keyPolicy:KeyPolicy": "KMS key policy",
    "aws:ec2/vpc:Vpc": "VPC",
}
HIGH_RISK_INPUTS = {
    "engineVersion": "engine version",
    "engine": "engine",
    "version": "version",
    "dbClusterParameterGroupName": "database parameter group",
    "dbParameterGroupName": "database parameter group",
    "instanceClass": "database instance class",
    "allowMajorVersionUpgrade": "major version upgrade",
}
HIGH_RISK_INPUT_TYPES = {
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:rds/instance:Instance",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:opensearch/domain:Domain",
}


def classify(changes: Iterable[Change]) -> None:
    """Fill `change.risks` for every change (routine when nothing else applies)."""
    changes = list(changes)
    removed = {c.urn for c in changes if c.action == "remove"}
    for change in changes:
        risks: list[tuple[str, str]] = []
        risks += _data_loss(change)
        # A resource policy (or rule) removed together with what it guards widens nothing.
        guarded_gone = change.action == "remove" and any(
            dep in removed for dep in (change.before or {}).get("dependencies", ())
        )
        if not guarded_gone:
            risks += _security_widening(change)
        risks += _resilience_reduction(change)
        risks += _high_risk(change)
        if not risks:
            risks.append((ROUTINE, _routine_reason(change)))
        change.risks = sorted(dict.fromkeys(risks), key=lambda item: RISK_ORDER.index(item[0]))


def risk_of(change: Change) -> str:
    return change.risks[0][0] if change.risks else ROUTINE


# -- data loss -----------------------------------------------------------------------------


def _data_loss(change: Change) -> list[tuple[str, str]]:
    kind = STATEFUL_TYPES.get(change.type)
    out = []
    if kind:
        if change.action == "remove":
            out.append((DATA_LOSS, f"{kind} removed: its data is deleted"))
        elif change.action == "replace":
            out.append((DATA_LOSS, f"{kind} replaced ({'; '.join(change.replace_reasons)}): the old one is deleted"))
        else:
            forcing = sorted({c.path.split(".")[0] for c in change.inputs} & REPLACING_INPUTS.get(change.type, set()))
            if forcing:
                out.append((DATA_LOSS, f"{kind} replaced: {', '.join(forcing)} cannot change in place"))
    elif change.action == "replace" and change.custom:
        pass  # a stateless replacement is reported by the routine reason
    for flag in change.inputs:
        if flag.path in ("(protect)", "(retain_on_delete)") and flag.before is True and flag.after is False:
            what = "protect" if flag.path == "(protect)" else "retainOnDelete"
            out.append((DATA_LOSS, f"{what} switched off: the resource may now be deleted with its data"))
    return out


# -- security widening -----------------------------------------------------------------------


def _security_widening(change: Change) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    before = (change.before or {}).get("inputs") or {}
    after = (change.after or {}).get("inputs") or {}
    if change.action == "remove":
        after = {}
    for label, old, new in _documents(change.type, before, after):
        out += [(SECURITY_WIDENING, f"{label}: {reason}") for reason in widened_policy(old, new)]
    for direction in ("ingress", "egress"):
        if change.type in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
            old_rules = [_sg_rule(r) for r in _list(before.get(direction))]
            new_rules = [_sg_rule(r) for r in _list(after.get(direction))]
            out += [(SECURITY_WIDENING, f"{direction} {reason}") for reason in widened_rules(old_rules, new_rules)]
    if change.type in SECURITY_GROUP_RULE_TYPES:
        direction = SECURITY_GROUP_RULE_TYPES[change.type] or (after or before).get("type", "ingress")
        old_rules = [_sg_rule(before)] if change.action != "add" else []
        new_rules = [_sg_rule(after)] if change.action != "remove" else []
        out += [(SECURITY_WIDENING, f"{direction} {reason}") for reason in widened_rules(old_rules, new_rules)]
    guard = GUARD_TYPES.get(change.type)
    if guard and change.action == "remove":
        out.append((SECURITY_WIDENING, f"{guard} removed"))
    if change.type == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" and change.action == "update":
        for c in change.inputs:
            if c.before is True and c.after in (False, _ABSENT):
                out.append((SECURITY_WIDENING, f"{c.path} switched off"))
    if change.type == "aws:lambda/permission:Permission" and change.action in ("add", "update"):
        principal = after.get("principal")
        if (
            principal == "*"
            or (isinstance(principal, str) and not after.get("sourceArn") and not after.get("sourceAccount"))
        ) and (
            change.action == "add" or any(c.path in ("principal", "sourceArn", "sourceAccount") for c in change.inputs)
        ):
            out.append((SECURITY_WIDENING, f"lambda permission for {principal} without a source restriction"))
    return out


def _documents(type_: str, before: dict[str, Any], after: dict[str, Any]):
    from policies.documents import iam_policy_sources

    old_sources = {s.label: s.value for s in iam_policy_sources(type_, before)} if before else {}
    new_sources = {s.label: s.value for s in iam_policy_sources(type_, after)} if after else {}
    key = RESOURCE_POLICY_INPUTS.get(type_)
    if key:
        old_sources[f"resource policy ({key})"] = before.get(key)
        new_sources[f"resource policy ({key})"] = after.get(key)
    for label in dict.fromkeys([*old_sources, *new_sources]):
        old, new = old_sources.get(label), new_sources.get(label)
        if _canonical(old) != _canonical(new):
            yield label, old, new


def _canonical(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, sort_keys=True, default=repr)


def widened_policy(old: Any, new: Any) -> list[str]:
    """Why the policy document `new` grants more than `old` (empty when it does not)."""
    from policies.documents import PolicyDocumentError, parse_policy, principal_is_public

    try:
        new_doc = parse_policy(new)
    except PolicyDocumentError as exc:
        return [f"unreadable new document ({exc})"]
    try:
        old_doc = parse_policy(old)
    except PolicyDocumentError:
        old_doc = None
    old_statements = old_doc.statements if old_doc else ()
    new_statements = new_doc.statements if new_doc else ()
    reasons = []
    old_grants = [g for s in old_statements if s.is_allow for g in _grants(s)]
    for statement in new_statements:
        if not statement.is_allow:
            continue
        wider = [g for g in _grants(statement) if not any(_covers(o, g) for o in old_grants)]
        if wider:
            actions = sorted({g[1] for g in wider})
            resources = sorted({g[2] for g in wider})
            text = f"statement {statement.label} allows {', '.join(actions[:4])}{' ...' if len(actions) > 4 else ''}"
            text += f" on {', '.join(resources[:2])}{' ...' if len(resources) > 2 else ''}"
            if principal_is_public(statement) and not any(principal_is_public(s) for s in old_statements if s.is_allow):
                text += " to a public principal"
            reasons.append(text)
    new_denies = {_deny_key(s) for s in new_statements if not s.is_allow}
    for statement in old_statements:
        if not statement.is_allow and _deny_key(statement) not in new_denies:
            still_there = statement.sid is not None and any(s.sid == statement.sid for s in new_statements)
            reasons.append(f"deny statement {statement.label} {'changed' if still_there else 'removed'}")
    return reasons


def _grants(statement) -> list[tuple[str, str, str, frozenset]]:
    principals = [f"{kind}:{ident}" for kind, ids in statement.principals.items() for ident in ids] or [""]
    if statement.not_principals:
        principals = ["AWS:*"]
    actions = list(statement.actions) or ["*" if statement.not_actions else ""]
    resources = list(statement.resources) or ["*"]
    conditions = frozenset(
        (operator, key, values) for operator, keys in statement.condition.items() for key, values in keys.items()
    )
    return [(p, a, r, conditions) for p in principals for a in actions for r in resources]


def _covers(old: tuple, new: tuple) -> bool:
    from policies.documents import action_matches

    old_principal, old_action, old_resource, old_conditions = old
    new_principal, new_action, new_resource, new_conditions = new
    if old_principal != new_principal and not old_principal.endswith(":*"):
        return False
    return (
        action_matches(old_action, new_action)
        and action_matches(old_resource, new_resource)
        and old_conditions <= new_conditions
    )


def _deny_key(statement) -> str:
    return json.dumps(
        [
            statement.actions,
            statement.not_actions,
            statement.resources,
            statement.not_resources,
            {k: list(v) for k, v in statement.principals.items()},
            {op: {k: list(v) for k, v in keys.items()} for op, keys in statement.condition.items()},
        ],
        sort_keys=True,
    )


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _sg_rule(raw: dict[str, Any]) -> dict[str, Any]:
    def number(key: str, *alts: str) -> int | None:
        for name in (key, *alts):
            value = raw.get(name)
            if isinstance(value, (int, float)):
                return int(value)
        return None

    protocol = str(raw.get("protocol", raw.get("ipProtocol", "-1"))).lower()
    if protocol in ("all", "-1"):
        protocol = "-1"
    sources = [*_list(raw.get("cidrBlocks")), *_list(raw.get("ipv6CidrBlocks"))]
    for key in ("cidrIpv4", "cidrIpv6"):
        if isinstance(raw.get(key), str):
            sources.append(raw[key])
    refs = [*(_list(raw.get("securityGroups"))), *(_list(raw.get("prefixListIds")))]
    for key in ("referencedSecurityGroupId", "sourceSecurityGroupId", "prefixListId"):
        if isinstance(raw.get(key), str):
            refs.append(raw[key])
    if raw.get("self") is True:
        refs.append("self")
    from_port, to_port = number("fromPort"), number("toPort")
    if protocol == "-1" or from_port is None:
        from_port, to_port = 0, 65535
    return {
        "protocol": protocol,
        "ports": (from_port, to_port if to_port is not None else from_port),
        "cidrs": sources,
        "refs": refs,
    }


def widened_rules(old_rules: list[dict[str, Any]], new_rules: list[dict[str, Any]]) -> list[str]:
    """Security-group rules in `new_rules` that admit traffic no rule in `old_rules` admitted."""
    reasons = []
    for rule in new_rules:
        low, high = rule["ports"]
        ports = "all ports" if (low, high) == (0, 65535) else f"port {low}" if low == high else f"ports {low}-{high}"
        proto = "all protocols" if rule["protocol"] == "-1" else rule["protocol"]
        for cidr in rule["cidrs"]:
            if not any(_rule_covers(o, rule, cidr=cidr) for o in old_rules):
                public = " (the internet)" if cidr in ("0.0.0.0/0", "::/0") else ""
                reasons.append(f"now admits {cidr}{public} on {proto} {ports}")
        for ref in rule["refs"]:
            if not any(_rule_covers(o, rule, ref=ref) for o in old_rules):
                reasons.append(f"now admits {ref} on {proto} {ports}")
    return reasons


def _rule_covers(old: dict[str, Any], new: dict[str, Any], cidr: str | None = None, ref: str | None = None) -> bool:
    if old["protocol"] != "-1" and old["protocol"] != new["protocol"]:
        return False
    if not (old["ports"][0] <= new["ports"][0] and new["ports"][1] <= old["ports"][1]):
        return False
    if ref is not None:
        return ref in old["refs"]
    assert cidr is not None  # called with a cidr or a ref
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return cidr in old["cidrs"]
    for candidate in old["cidrs"]:
        try:
            old_network = ipaddress.ip_network(candidate, strict=False)
        except ValueError:
            continue
        if old_network.version == network.version and network.subnet_of(old_network):  # type: ignore[arg-type]  # same IP version
            return True
    return False


# -- resilience reduction ----------------------------------------------------------------------


def _resilience_reduction(change: Change) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    kind = RESILIENCE_TYPES.get(change.type)
    if kind and change.action == "remove":
        out.append((RESILIENCE_REDUCTION, f"{kind} removed"))
    tags = ((change.before or {}).get("inputs") or {}).get("tags")
    if change.action == "remove" and isinstance(tags, dict) and tags.get("dr-role"):
        out.append((RESILIENCE_REDUCTION, f"disaster-recovery resource ({tags['dr-role']}) removed"))
    if change.action == "remove" and change.type in (
        "kubernetes:apps/v1:Deployment",
        "argoproj.io/v1alpha1:Rollout",
        "kubernetes:argoproj.io/v1alpha1:Rollout",
    ):
        out.append((RESILIENCE_REDUCTION, "workload removed"))
    for c in change.inputs:
        if c.secret:
            continue
        leaf = c.path.rsplit(".", 1)[-1]
        if leaf in SHRINKING_NUMBERS and _is_number(c.before) and (_is_number(c.after) or c.after is _ABSENT):
            if leaf in NEVER_EXPIRES and c.before == NEVER_EXPIRES[leaf] and c.after not in (_ABSENT, 0):
                out.append((RESILIENCE_REDUCTION, f"{c.path}: never expires -> {_num(c.after)}"))
            elif c.after is _ABSENT or (c.after < c.before and not (leaf in NEVER_EXPIRES and c.after == 0)):
                out.append((RESILIENCE_REDUCTION, f"{c.path}: {_num(c.before)} -> {_num(c.after)}"))
        elif c.path in PROTECTIVE_FLAGS and c.before is True and c.after in (False, _ABSENT):
            out.append((RESILIENCE_REDUCTION, f"{c.path} switched off"))
        elif leaf in DANGEROUS_FLAGS and c.after is True and c.before in (False, _ABSENT):
            out.append((RESILIENCE_REDUCTION, f"{c.path} switched on"))
        elif leaf == "status" and c.before == "Enabled" and c.after != "Enabled":
            out.append((RESILIENCE_REDUCTION, f"{c.path}: Enabled -> {c.after}"))
        elif leaf == "redrivePolicy" and c.before not in (_ABSENT, None, "") and c.after in (_ABSENT, None, ""):
            out.append((RESILIENCE_REDUCTION, "dead-letter redrive removed"))
        elif leaf in ("availabilityZones", "subnetIds", "vpcZoneIdentifiers") and _shorter(c.before, c.after):
            out.append((RESILIENCE_REDUCTION, f"{c.path}: {len(c.before)} -> {len(c.after or [])}"))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _num(value: Any) -> str:
    if value is _ABSENT:
        return "(unset)"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _shorter(before: Any, after: Any) -> bool:
    return isinstance(before, list) and (after is _ABSENT or (isinstance(after, list) and len(after) < len(before)))


# -- high risk ----------------------------------------------------------------------------------


def _high_risk(change: Change) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    kind = HIGH_RISK_TYPES.get(change.type)
    if kind:
        verb = {"add": "added", "remove": "removed", "update": "changed", "replace": "replaced"}[change.action]
        out.append((HIGH_RISK, f"{kind} {verb}"))
    if change.type in HIGH_RISK_INPUT_TYPES and change.action in ("update", "replace"):
        for c in change.inputs:
            label = HIGH_RISK_INPUTS.get(c.path)
            if label:
                out.append((HIGH_RISK, f"{label}: {_show(c.before)} -> {_show(c.after)}"))
    if change.type in ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey") and any(
        c.path == "policy" for c in change.inputs
    ):
        out.append((HIGH_RISK, "KMS key policy changed"))
    return out


def _show(value: Any) -> str:
    return "(unset)" if value is _ABSENT else str(value)


def _routine_reason(change: Change) -> str:
    if change.action == "add":
        return "new resource" if change.custom else "new component"
    if change.action == "remove":
        return "stateless resource removed" if change.custom else "component removed"
    if change.action == "replace":
        return "stateless resource replaced: " + "; ".join(change.replace_reasons)
    paths = [c.path for c in change.inputs]
    return "changed: " + ", ".join(paths[:6]) + (" ..." if len(paths) > 6 else "")
