"""Achievable RTO/RPO from a stack's resources, compared with its declared objectives (no rules here).

The declared objectives are on the graph: one `aws.resiliencehub.ResiliencyPolicy` per data
class (components/resilience_hub.py), tagged `data-class`, with the v1 policy map (az,
hardware, software, region) as Go durations. Everything the estimates rest on is read from
the resources that actually exist (instances and their zones, Global Database members,
backup plans and copy rules, bucket replication and its time control, queue and DLQ
retention, Deployments, their spread and node groups); every other number is a published
figure from `policies.recovery_figures`. So a program change that silently drops a replica,
a copy rule or a reader changes the estimate, whatever the stack file still declares.

Subjects: each database (Aurora cluster), each bucket of a data class, each integration flow
(source queue), each service tier (the Deployments of one criticality), and each data class
(the worst of its stores). See docs/resilience-model.md for the model, rule by rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pulumi_policy import PolicyResource

from policies.recovery_figures import figure, minutes_text
from policies.rules.resilience_data import (
    AWS_DEFAULT_BACKUP_RETENTION_DAYS,
    BACKUP_PLAN,
    BACKUP_SELECTION,
    BACKUP_VAULT,
    BUCKET_REPLICATION,
    BUCKETS,
    DR_ROLES,
    RDS_CLUSTER,
    RDS_GLOBAL_CLUSTER,
    UNKNOWN,
    Stack,
    arn_region,
    cluster_instances,
    cluster_name,
    display,
    is_aurora,
    is_global_secondary,
    number,
    text,
)

RESILIENCY_POLICY = "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy"
SQS_QUEUE = "aws:sqs/queue:Queue"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
SUBNET = "aws:ec2/subnet:Subnet"
BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"

DISRUPTIONS = ("az", "hardware", "software", "region")
DISRUPTION_LABELS = {"az": "AZ", "hardware": "hardware", "software": "software", "region": "region"}
# Tags of the ResiliencyPolicy: which objectives the stack file did not declare (filled in for
# Resilience Hub, which requires az, hardware and software), space-separated.
DERIVED_TAG = "derived-objectives"
CRITICALITY_LABEL = "crossdock.io/criticality"
NODE_POOL_LABEL = "crossdock.io/node-pool"
ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone"


class Status(StrEnum):
    MET = "Met"
    BREACHED = "Breached"
    NOT_COVERED = "Not covered"


class Kind(StrEnum):
    DATA_CLASS = "data class"
    DATABASE = "database"
    BUCKET = "bucket"
    FLOW = "flow"
    TIER = "tier"


@dataclass(frozen=True)
class Objective:
    """A recovery objective in minutes."""

    rpo: float
    rto: float


@dataclass(frozen=True)
class Estimate:
    """What the graph can achieve for one subject and disruption.

    `rpo`/`rto` None means unbounded: no recovery path exists in the graph. `assessable`
    False means the model does not estimate this case (the status is Not covered).
    """

    rpo: float | None
    rto: float | None
    rests_on: tuple[str, ...]
    figures: tuple[str, ...]
    reason: str
    fix: str = ""
    assessable: bool = True


@dataclass(frozen=True)
class Row:
    kind: Kind
    subject: str
    data_class: str | None
    disruption: str
    target: Objective | None
    estimate: Estimate
    status: Status
    urn: str | None
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "dataClass": self.data_class,
            "disruption": self.disruption,
            "status": self.status.value,
            "target": None if self.target is None else {"rpoMinutes": self.target.rpo, "rtoMinutes": self.target.rto},
            "achievable": {
                "rpoMinutes": self.estimate.rpo,
                "rtoMinutes": self.estimate.rto,
                "assessed": self.estimate.assessable,
            },
            "restsOn": list(self.estimate.rests_on),
            "figures": {fid: figure(fid).minutes for fid in self.estimate.figures},
            "reason": self.estimate.reason,
            "why": self.why,
            "fix": self.estimate.fix if self.status is Status.BREACHED else "",
            "urn": self.urn,
        }


@dataclass
class Targets:
    """The declared objectives of one data class, from its ResiliencyPolicy."""

    data_class: str
    objectives: dict[str, Objective]
    derived: frozenset[str]
    urn: str
    name: str

    def declared(self, disruption: str) -> Objective | None:
        return None if disruption in self.derived else self.objectives.get(disruption)


# --- durations ------------------------------------------------------------------------------------

_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT_MINUTES = {"h": 60.0, "m": 1.0, "s": 1 / 60, "ms": 1 / 60000}


def minutes_of(duration: Any) -> float | None:
    """A Go duration ("1h30m", "300s", "0s") in minutes, None when it is not one."""
    if not isinstance(duration, str) or not duration:
        return None
    parts = _GO_DURATION.findall(duration)
    if not parts or "".join(value + unit for value, unit in parts) != duration:
        return None
    return sum(float(value) * _UNIT_MINUTES[unit] for value, unit in parts)


def fmt_minutes(value: float | None) -> str:
    """How a report shows a duration: '0', '50 s', '5 min', '4 h', 'unbounded'."""
    return "unbounded" if value is None else minutes_text(value)


# --- the assessment -------------------------------------------------------------------------------


def declared_targets(stack: Stack) -> dict[str, Targets]:
    """Data class -> declared objectives, from the ResiliencyPolicy resources of the graph."""
    targets: dict[str, Targets] = {}
    for policy in stack.of_type(RESILIENCY_POLICY):
        tags = stack.tags(policy)
        data_class = tags.get("data-class")
        if not data_class:
            continue
        objectives: dict[str, Objective] = {}
        raw = stack.props(policy).get("policy")
        for disruption in DISRUPTIONS:
            entry = raw.get(disruption) if isinstance(raw, Mapping) else None
            if not isinstance(entry, Mapping):
                continue
            rpo, rto = minutes_of(entry.get("rpo")), minutes_of(entry.get("rto"))
            if rpo is not None and rto is not None:
                objectives[disruption] = Objective(rpo=rpo, rto=rto)
        derived = frozenset(tags.get(DERIVED_TAG, "").split())
        name = display(stack.props(policy), ("name",), policy.name)
        targets[data_class] = Targets(data_class, objectives, derived, policy.urn, name)
    return targets


@dataclass
class _Subject:
    kind: Kind
    name: str
    resource: PolicyResource | None
    data_classes: tuple[str, ...]
    estimates: dict[str, Estimate] = field(default_factory=dict)


class Assessor:
    """Estimates per subject and disruption for one stack view."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.targets = declared_targets(stack)
        self._queues_by_name = {text(stack.props(q).get("name")) or q.name: q for q in stack.of_type(SQS_QUEUE)}
        self._subnet_zones = {s.urn: text(stack.props(s).get("availabilityZone")) for s in stack.of_type(SUBNET)}

    # -- subjects --

    def databases(self) -> list[_Subject]:
        subjects = []
        for cluster in self.stack.of_type(RDS_CLUSTER):
            if not is_aurora(self.stack.props(cluster)) or is_global_secondary(self.stack, cluster):
                continue
            data_class = self.stack.tags(cluster).get("data-class")
            subject = _Subject(Kind.DATABASE, cluster_name(self.stack, cluster), cluster, _one(data_class))
            subject.estimates = {d: getattr(self, f"_database_{d}")(cluster) for d in DISRUPTIONS}
            subjects.append(subject)
        return subjects

    def buckets(self) -> list[_Subject]:
        subjects = []
        for bucket in self.stack.of_type(*BUCKETS):
            tags = self.stack.tags(bucket)
            if tags.get("dr-role") in DR_ROLES or not tags.get("data-class"):
                continue
            subject = _Subject(
                Kind.BUCKET, display(self.stack.props(bucket), ("bucket",), bucket.name), bucket, (tags["data-class"],)
            )
            subject.estimates = {d: getattr(self, f"_bucket_{d}")(bucket) for d in DISRUPTIONS}
            subjects.append(subject)
        return subjects

    def flows(self, stores: Sequence[_Subject], tiers: Sequence[_Subject]) -> list[_Subject]:
        subjects = []
        for queue in self.stack.of_type(SQS_QUEUE):
            if not self._redrive(queue) and self.stack.tags(queue).get("queue-role") != "source":
                continue
            tags = self.stack.tags(queue)
            name = tags.get("flow") or display(self.stack.props(queue), ("name",), queue.name)
            subject = _Subject(Kind.FLOW, name, queue, _one(tags.get("data-class")))
            consumers = [t for t in tiers if queue.urn in self._tier_queues(t)]
            subject.estimates = {
                "az": self._flow_in_region(queue, "az", consumers),
                "hardware": self._flow_in_region(queue, "hardware", consumers),
                "software": self._flow_in_region(queue, "software", consumers),
                "region": self._flow_region(queue, subject.data_classes, stores),
            }
            subjects.append(subject)
        return subjects

    def tiers(self) -> list[_Subject]:
        by_tier: dict[str, list[PolicyResource]] = {}
        for deployment in self.stack.of_type(DEPLOYMENT):
            labels = _labels(self.stack.props(deployment))
            tier = labels.get(CRITICALITY_LABEL) or _namespace(self.stack.props(deployment)) or "default"
            by_tier.setdefault(tier, []).append(deployment)
        subjects = []
        for tier, deployments in sorted(by_tier.items()):
            classes = sorted({c for d in deployments for c in self._deployment_classes(d)})
            subject = _Subject(Kind.TIER, tier, None, tuple(classes))
            subject._deployments = deployments  # type: ignore[attr-defined]
            subject.estimates = {d: self._tier(deployments, d) for d in DISRUPTIONS}
            subjects.append(subject)
        return subjects

    def rows(self) -> list[Row]:
        """Every subject x disruption, data classes first, in a stable order."""
        databases, buckets, tiers = self.databases(), self.buckets(), self.tiers()
        flows = self.flows([*databases, *buckets], tiers)
        stores = [*databases, *buckets, *flows]
        classes = sorted(set(self.targets) | {c for s in stores for c in s.data_classes})
        rows: list[Row] = []
        for data_class in classes:
            members = [s for s in stores if data_class in s.data_classes]
            for disruption in DISRUPTIONS:
                estimate = _worst([s.estimates[disruption] for s in members], data_class)
                targets = self.targets.get(data_class)
                rows.append(
                    _judge(
                        Kind.DATA_CLASS,
                        data_class,
                        data_class,
                        disruption,
                        targets.declared(disruption) if targets else None,
                        estimate,
                        targets.urn if targets else None,
                    )
                )
        for subject in [*databases, *buckets, *flows, *tiers]:
            for disruption in DISRUPTIONS:
                target = self._target(subject.data_classes, disruption)
                data_class = subject.data_classes[0] if len(subject.data_classes) == 1 else None
                urn = subject.resource.urn if subject.resource is not None else _first_urn(subject)
                rows.append(
                    _judge(
                        subject.kind,
                        subject.name,
                        data_class,
                        disruption,
                        target,
                        subject.estimates[disruption],
                        urn,
                    )
                )
        return rows

    def _target(self, classes: Sequence[str], disruption: str) -> Objective | None:
        """The tightest declared objective among the classes a subject holds or serves."""
        declared = [t.declared(disruption) for c in classes if (t := self.targets.get(c))]
        declared = [d for d in declared if d is not None]
        if not declared:
            return None
        return Objective(rpo=min(d.rpo for d in declared), rto=min(d.rto for d in declared))

    # -- databases --

    def _instances(self, cluster: PolicyResource) -> tuple[list[PolicyResource], set[str]]:
        instances = cluster_instances(self.stack, cluster)
        zones = {z for i in instances if (z := text(self.stack.props(i).get("availabilityZone")))}
        return instances, zones

    def _database_az(self, cluster: PolicyResource) -> Estimate:
        return self._database_in_region(cluster, needs_zones=True)

    def _database_hardware(self, cluster: PolicyResource) -> Estimate:
        return self._database_in_region(cluster, needs_zones=False)

    def _database_in_region(self, cluster: PolicyResource, *, needs_zones: bool) -> Estimate:
        instances, zones = self._instances(cluster)
        names = (cluster.name, *(i.name for i in instances))
        storage = figure("aurora-storage-rpo")
        fix = "run a reader in another AZ (raise `readers` in the stack's databases section)"
        if not instances:
            return Estimate(storage.minutes, None, names, (storage.id,), "no instance: nothing serves the data", fix)
        survives = len(instances) >= 2 and (not needs_zones or len(zones) >= 2)
        if survives:
            failover = figure("aurora-reader-failover")
            where = f" in {len(zones)} AZs ({', '.join(sorted(zones))})" if needs_zones else ""
            reason = f"{len(instances)} instances{where}: a reader is promoted"
            return Estimate(storage.minutes, failover.minutes, names, (storage.id, failover.id), reason, fix)
        creation = figure("aurora-instance-creation")
        reason = (
            f"{len(instances)} instance(s) in {len(zones) or 'unknown'} AZ(s): no reader elsewhere to promote, "
            "Aurora must create a new primary"
        )
        return Estimate(storage.minutes, creation.minutes, names, (storage.id, creation.id), reason, fix)

    def _database_software(self, cluster: PolicyResource) -> Estimate:
        retention = number(self.stack.props(cluster).get("backupRetentionPeriod")) or AWS_DEFAULT_BACKUP_RETENTION_DAYS
        pitr, restore = figure("aurora-pitr-latest-restorable"), figure("backup-restore-rto")
        reason = f"point-in-time restore over {retention:g} days of automated backups"
        return Estimate(pitr.minutes, restore.minutes, (cluster.name,), (pitr.id, restore.id), reason)

    def _database_region(self, cluster: PolicyResource) -> Estimate:
        fix = (
            "build an Aurora Global Database secondary in the DR region (a region RPO under the backup interval "
            "needs continuous replication), or relax the region objective"
        )
        secondary = self._global_secondary(cluster)
        if secondary is not None:
            global_cluster, member = secondary
            lag, promotion = figure("aurora-global-replication-lag"), figure("aurora-global-promotion")
            instances = cluster_instances(self.stack, member)
            rto, figures = promotion.minutes, [lag.id, promotion.id]
            reason = f"Global Database secondary {cluster_name(self.stack, member)} in {self.stack.region(member)}"
            if not instances:
                creation = figure("aurora-instance-creation")
                rto += creation.minutes
                figures.append(creation.id)
                reason += " (headless: an instance is added before promotion)"
            rests = (cluster.name, global_cluster.name, member.name, *(i.name for i in instances))
            return Estimate(lag.minutes, rto, rests, tuple(figures), reason, fix)
        copy = self._backup_copy(cluster)
        if copy is not None:
            plan, selection, interval, windows = copy
            restore = figure("backup-restore-rto")
            reason = (
                f"AWS Backup copies to another region every {fmt_minutes(interval)}, finishing within "
                f"{fmt_minutes(windows)} of the schedule (start + completion windows)"
            )
            return Estimate(
                interval + windows,
                restore.minutes,
                (cluster.name, selection.name, plan.name),
                (restore.id,),
                reason,
                fix,
            )
        return Estimate(None, None, (cluster.name,), (), "no copy in another region", fix)

    def _global_secondary(self, cluster: PolicyResource) -> tuple[PolicyResource, PolicyResource] | None:
        for global_cluster in self.stack.of_type(RDS_GLOBAL_CLUSTER):
            if not (
                self.stack.references(global_cluster, "sourceDbClusterIdentifier", cluster)
                or self.stack.references(cluster, "globalClusterIdentifier", global_cluster)
            ):
                continue
            for member in self.stack.of_type(RDS_CLUSTER):
                if (
                    member.urn != cluster.urn
                    and self.stack.references(member, "globalClusterIdentifier", global_cluster)
                    and self.stack.in_other_region(member, cluster)
                ):
                    return global_cluster, member
        return None

    def _backup_copy(self, cluster: PolicyResource) -> tuple[PolicyResource, PolicyResource, float, float] | None:
        """The best (shortest interval) plan rule that backs the cluster up and copies it to another region."""
        best = None
        home = self.stack.region(cluster)
        for selection in self.stack.of_type(BACKUP_SELECTION):
            if not self.stack.references(selection, "resources", cluster):
                continue
            data_class = self.stack.tags(cluster).get("data-class")
            for plan in self.stack.referenced(selection, "planId", (BACKUP_PLAN,)):
                rules = self.stack.props(plan).get("rules")
                for rule in rules if isinstance(rules, list) else []:
                    if not isinstance(rule, Mapping) or not self._copies_elsewhere(plan, rule, home):
                        continue
                    tags = rule.get("recoveryPointTags")
                    if isinstance(tags, Mapping) and data_class and tags.get("data-class") not in (None, data_class):
                        continue
                    interval = cron_interval_minutes(rule.get("schedule"))
                    if interval is None:
                        continue
                    windows = (number(rule.get("startWindow")) or 0.0) + (number(rule.get("completionWindow")) or 0.0)
                    if best is None or interval + windows < best[2] + best[3]:
                        best = (plan, selection, interval, windows)
        return best

    def _copies_elsewhere(self, plan: PolicyResource, rule: Mapping[str, Any], home: str | None) -> bool:
        actions = rule.get("copyActions")
        for action in actions if isinstance(actions, list) else []:
            destination = text(action.get("destinationVaultArn")) if isinstance(action, Mapping) else None
            if destination and arn_region(destination) and arn_region(destination) != home:
                return True
            if destination is None and any(
                self.stack.region(v) != home for v in self.stack.referenced(plan, "rules", (BACKUP_VAULT,))
            ):
                return True
        return False

    # -- buckets --

    def _bucket_az(self, bucket: PolicyResource) -> Estimate:
        s3 = figure("s3-multi-az-rpo")
        return Estimate(s3.minutes, s3.minutes, (bucket.name,), (s3.id,), "S3 serves the objects from the other AZs")

    _bucket_hardware = _bucket_az

    def _bucket_software(self, bucket: PolicyResource) -> Estimate:
        versioned = [
            v
            for v in self.stack.of_type(BUCKET_VERSIONING)
            if self.stack.references(v, "bucket", bucket)
            and _get(self.stack.props(v), "versioningConfiguration", "status") == "Enabled"
        ]
        reason = (
            "versioning keeps every overwritten or deleted object; restoring versions is not modelled"
            if versioned
            else "no versioning: an overwrite or delete is final"
        )
        return Estimate(
            0.0 if versioned else None,
            None,
            (bucket.name, *(v.name for v in versioned)),
            (),
            reason,
            "enable versioning (aws.s3.BucketVersioning)",
            assessable=False,
        )

    def _bucket_region(self, bucket: PolicyResource) -> Estimate:
        fix = "replicate the bucket to the DR region with S3 Replication Time Control (replication_time + metrics)"
        best: Estimate | None = None
        for config in self.stack.of_type(BUCKET_REPLICATION):
            if not self.stack.references(config, "bucket", bucket):
                continue
            rules = self.stack.props(config).get("rules")
            for rule in rules if isinstance(rules, list) else []:
                if not isinstance(rule, Mapping) or rule.get("status") == "Disabled":
                    continue
                destination = rule.get("destination")
                targets = [
                    t
                    for t in self.stack.referenced(config, "rules", BUCKETS, value=destination)
                    if t.urn != bucket.urn and self.stack.in_other_region(t, bucket)
                ]
                if not targets:
                    continue
                replica = targets[0]
                where = f"replica {display(self.stack.props(replica), ('bucket',), replica.name)} in "
                where += str(self.stack.region(replica))
                rtc = _get(destination, "replicationTime", "status") == "Enabled"
                if rtc:
                    figure_ = figure("s3-replication-time-control")
                    estimate = Estimate(
                        figure_.minutes,
                        0.0,
                        (bucket.name, config.name, replica.name),
                        (figure_.id,),
                        f"{where} with Replication Time Control; the replica is readable there now",
                        fix,
                    )
                else:
                    estimate = Estimate(
                        None,
                        0.0,
                        (bucket.name, config.name, replica.name),
                        (),
                        f"{where} without Replication Time Control: S3 gives no bound on replication time",
                        fix,
                    )
                if best is None or (estimate.rpo is not None and (best.rpo is None or estimate.rpo < best.rpo)):
                    best = estimate
        return best or Estimate(None, None, (bucket.name,), (), "no replication to another region", fix)

    # -- flows --

    def _redrive(self, queue: PolicyResource) -> Mapping[str, Any] | None:
        raw = self.stack.props(queue).get("redrivePolicy")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                return None
        return raw if isinstance(raw, Mapping) else None

    def _retention_minutes(self, queue: PolicyResource) -> tuple[float, tuple[str, ...]]:
        seconds = number(self.stack.props(queue).get("messageRetentionSeconds"))
        if seconds is None:
            default = figure("sqs-default-retention")
            return default.minutes, (default.id,)
        return seconds / 60, ()

    def _dead_letter_queue(self, queue: PolicyResource) -> PolicyResource | None:
        redrive = self._redrive(queue)
        target = text(redrive.get("deadLetterTargetArn")) if redrive else None
        if target is None:
            found = [d for d in queue.property_dependencies.get("redrivePolicy", ()) if d.urn != queue.urn]
            return found[0] if found else None
        name = target.rsplit(":", 1)[-1]
        return self._queues_by_name.get(name)

    def _flow_in_region(self, queue: PolicyResource, disruption: str, consumers: Sequence[_Subject]) -> Estimate:
        sqs = figure("sqs-multi-az-rpo")
        window, window_figures = self._retention_minutes(queue)
        dlq = self._dead_letter_queue(queue)
        fix = (
            "give the flow a DLQ that keeps messages at least as long as the source queue (IntegrationQueue sets "
            "14 days)"
        )
        if dlq is None:
            return Estimate(
                None, None, (queue.name,), (sqs.id,), "no dead-letter queue: a message that keeps failing is lost", fix
            )
        dlq_minutes, dlq_figures = self._retention_minutes(dlq)
        rests = (queue.name, dlq.name)
        figures = (sqs.id, *window_figures, *dlq_figures)
        if dlq_minutes < window:
            reason = (
                f"DLQ {dlq.name} keeps messages {fmt_minutes(dlq_minutes)}, less than the replay window "
                f"{fmt_minutes(window)} (source retention): a message keeps its enqueue time when dead-lettered, "
                "so one that fails late expires before it can be replayed"
            )
            return Estimate(None, None, rests, figures, reason, fix)
        reason = f"SQS keeps messages across AZs; DLQ {dlq.name} keeps failed ones {fmt_minutes(dlq_minutes)}"
        reason += f" (replay window {fmt_minutes(window)})"
        if disruption == "software":
            return Estimate(0.0, None, rests, figures, reason + "; fixing the consumer is not modelled", fix, False)
        rto = max((c.estimates[disruption].rto or 0.0 for c in consumers), default=0.0)
        if any(c.estimates[disruption].rto is None for c in consumers):
            return Estimate(0.0, None, rests, figures, reason + "; a consumer tier cannot recover", fix)
        consumer_figures = tuple(f for c in consumers for f in c.estimates[disruption].figures)
        names = tuple(c.name for c in consumers)
        if names:
            reason += f"; consumers in tier(s) {', '.join(names)} resume"
        return Estimate(0.0, rto, rests, tuple(dict.fromkeys(figures + consumer_figures)), reason, fix)

    def _flow_region(self, queue: PolicyResource, classes: Sequence[str], stores: Sequence[_Subject]) -> Estimate:
        """SQS does not replicate across regions: the flow's messages are replayed from its class's stores."""
        members = [s for s in stores if s.kind is not Kind.FLOW and set(s.data_classes) & set(classes)]
        if not members:
            return Estimate(
                None,
                None,
                (queue.name,),
                (),
                "SQS does not replicate across regions and no store of the flow's data class has a copy to replay from",
                "keep the flow's payloads in a store of its data class that has a copy in the DR region",
            )
        worst = _worst([m.estimates["region"] for m in members], ", ".join(classes))
        reason = "SQS does not replicate across regions; the flow is replayed from its data class's stores: "
        return Estimate(
            worst.rpo, worst.rto, (queue.name, *worst.rests_on), worst.figures, reason + worst.reason, worst.fix
        )

    # -- tiers --

    def _deployment_classes(self, deployment: PolicyResource) -> set[str]:
        """Data classes a Deployment works on: the queues and databases its environment names."""
        classes: set[str] = set()
        for value in _env_values(self.stack.props(deployment)):
            tail = value.rstrip("/").rsplit("/", 1)[-1]
            queue = self._queues_by_name.get(tail)
            if queue is not None and (c := self.stack.tags(queue).get("data-class")):
                classes.add(c)
            if ".cluster-" in value:
                identifier = value.split(".cluster-", 1)[0]
                for cluster in self.stack.of_type(RDS_CLUSTER):
                    if text(self.stack.props(cluster).get("clusterIdentifier")) == identifier and (
                        c := self.stack.tags(cluster).get("data-class")
                    ):
                        classes.add(c)
        return classes

    def _tier_queues(self, tier: _Subject) -> set[str]:
        urns = set()
        for deployment in getattr(tier, "_deployments", []):
            for name, value in _env_items(self.stack.props(deployment)):
                if name.startswith("CONSUME_"):
                    queue = self._queues_by_name.get(value.rstrip("/").rsplit("/", 1)[-1])
                    if queue is not None:
                        urns.add(queue.urn)
        return urns

    def _node_zones(self, deployment: PolicyResource) -> tuple[set[str], list[PolicyResource]]:
        pool = _get(self.stack.props(deployment), "spec", "template", "spec", "nodeSelector", NODE_POOL_LABEL)
        groups = [
            g
            for g in self.stack.of_type(NODE_GROUP)
            if pool is None or _get(self.stack.props(g), "labels", NODE_POOL_LABEL) == pool
        ]
        zones: set[str] = set()
        for group in groups:
            for subnet in self.stack.referenced(group, "subnetIds", (SUBNET,)):
                if zone := self._subnet_zones.get(subnet.urn):
                    zones.add(zone)
        return zones, groups

    def _tier(self, deployments: Sequence[PolicyResource], disruption: str) -> Estimate:
        names = tuple(d.name for d in deployments)
        fix = (
            "run at least 2 replicas spread across zones (topologySpreadConstraints on topology.kubernetes.io/zone) "
            "on a node group that spans at least 2 AZs"
        )
        if disruption == "software":
            return Estimate(
                0.0, None, names, (), "stateless; rolling back a bad deploy is not modelled", assessable=False
            )
        if disruption == "region":
            return Estimate(
                0.0,
                None,
                names,
                (),
                "the graph holds no compute for this tier in another region: rebuilding it is a deploy of a region "
                "stack, whose time the graph cannot show",
                assessable=False,
            )
        grace, eviction = figure("k8s-node-monitor-grace"), figure("k8s-not-ready-eviction")
        weakest: list[str] = []
        rests = list(names)
        for deployment in deployments:
            props = self.stack.props(deployment)
            replicas = number(_get(props, "spec", "replicas"))
            replicas = 1.0 if replicas is None else replicas
            spread = any(
                isinstance(c, Mapping) and c.get("topologyKey") == ZONE_TOPOLOGY_KEY
                for c in _get(props, "spec", "template", "spec", "topologySpreadConstraints") or []
            )
            zones, groups = self._node_zones(deployment)
            rests.extend(g.name for g in groups)
            label = _name(props) or deployment.name
            if replicas < 2:
                weakest.append(f"{label} runs {replicas:g} replica")
            elif disruption == "az" and not spread:
                weakest.append(f"{label} is not spread across zones")
            elif disruption == "az" and len(zones) < 2:
                weakest.append(f"{label}'s nodes are in {len(zones)} AZ")
        rests_on = tuple(dict.fromkeys(rests))
        if weakest:
            reason = "; ".join(weakest) + ": its pods are evicted and rescheduled"
            return Estimate(0.0, grace.minutes + eviction.minutes, rests_on, (grace.id, eviction.id), reason, fix)
        scope = " across zones" if disruption == "az" else ""
        reason = (
            f"every Deployment runs at least 2 replicas{scope}: the others keep serving once the lost node is dropped"
        )
        return Estimate(0.0, grace.minutes, rests_on, (grace.id,), reason, fix)


def assess(stack: Stack) -> list[Row]:
    return Assessor(stack).rows()


def _judge(
    kind: Kind,
    subject: str,
    data_class: str | None,
    disruption: str,
    target: Objective | None,
    estimate: Estimate,
    urn: str | None,
) -> Row:
    if target is None:
        status, why = Status.NOT_COVERED, "no declared objective"
    elif not estimate.assessable:
        status, why = Status.NOT_COVERED, "the model does not estimate this case"
    else:
        misses = []
        if estimate.rpo is None or estimate.rpo > target.rpo:
            misses.append(f"RPO {fmt_minutes(estimate.rpo)} > target {fmt_minutes(target.rpo)}")
        if estimate.rto is None or estimate.rto > target.rto:
            misses.append(f"RTO {fmt_minutes(estimate.rto)} > target {fmt_minutes(target.rto)}")
        status = Status.BREACHED if misses else Status.MET
        why = "; ".join(misses) if misses else "within target"
    return Row(kind, subject, data_class, disruption, target, estimate, status, urn, why)


def _worst(estimates: Sequence[Estimate], label: str) -> Estimate:
    """A data class recovers when its slowest store does: the maximum RPO and RTO (unbounded wins)."""
    assessed = [e for e in estimates if e.assessable]
    if not assessed:
        reason = "no store of this class in the graph" if not estimates else "the model does not estimate this case"
        return Estimate(None, None, tuple(n for e in estimates for n in e.rests_on), (), reason, assessable=False)

    def worst(values: Iterable[float | None]) -> float | None:
        values = list(values)
        return None if any(v is None for v in values) else max(values)  # type: ignore[type-var]

    rpo, rto = worst(e.rpo for e in assessed), worst(e.rto for e in assessed)
    # The store that recovers last explains the class's figures (unbounded counts as longest).
    limiting = max(assessed, key=lambda e: (_inf(e.rto), _inf(e.rpo)))
    return Estimate(
        rpo,
        rto,
        tuple(dict.fromkeys(n for e in assessed for n in e.rests_on)),
        tuple(dict.fromkeys(f for e in assessed for f in e.figures)),
        f"worst of {len(assessed)} store(s) of {label}: {limiting.reason}",
        limiting.fix,
    )


def _inf(value: float | None) -> float:
    return float("inf") if value is None else value


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _first_urn(subject: _Subject) -> str | None:
    deployments = getattr(subject, "_deployments", [])
    return deployments[0].urn if deployments else None


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return None if value is UNKNOWN else value


def _labels(props: Mapping[str, Any]) -> Mapping[str, Any]:
    labels = _get(props, "metadata", "labels")
    return labels if isinstance(labels, Mapping) else {}


def _namespace(props: Mapping[str, Any]) -> str | None:
    return text(_get(props, "metadata", "namespace"))


def _name(props: Mapping[str, Any]) -> str | None:
    return text(_get(props, "metadata", "name"))


def _env_items(props: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = []
    for container in _get(props, "spec", "template", "spec", "containers") or []:
        for env in container.get("env") or [] if isinstance(container, Mapping) else []:
            if isinstance(env, Mapping) and isinstance(env.get("name"), str) and isinstance(env.get("value"), str):
                items.append((env["name"], env["value"]))
    return items


def _env_values(props: Mapping[str, Any]) -> list[str]:
    return [value for _, value in _env_items(props)]


_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")


def cron_interval_minutes(expression: Any) -> float | None:
    """How often an AWS Backup schedule runs: rate(...) exactly, cron(...) for the common shapes.

    cron(M * * * ? *) is hourly, cron(M H * * ? *) daily, cron(*/N ...) every N minutes;
    other shapes return None (the rule is then not used as a recovery path).
    """
    if not isinstance(expression, str):
        return None
    rate = _RATE.match(expression.strip())
    if rate:
        value, unit = float(rate.group(1)), rate.group(2)
        return value * {"m": 1, "h": 60, "d": 1440}[unit[0]]
    cron = _CRON.match(expression.strip())
    if not cron:
        return None
    minute, hour, day_of_month, month, day_of_week = (cron.group(i) for i in range(1, 6))
    if month != "*" or day_of_month not in ("*", "?") or day_of_week not in ("*", "?"):
        return None  # weekly, monthly or calendar schedules: not an interval this model uses
    if minute.startswith(("*/", "0/")):
        step = minute.split("/", 1)[1]
        return float(step) if step.isdigit() and hour == "*" else None
    if not minute.isdigit():
        return None
    if hour == "*":
        return 60.0
    if hour.startswith(("*/", "0/")) and hour.split("/", 1)[1].isdigit():
        return 60.0 * float(hour.split("/", 1)[1])
    if hour.isdigit():
        return 1440.0
    return None
