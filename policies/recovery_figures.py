"""The published figures the recovery model rests on: one table, each figure with its public source.

`crossdock assess` and the breached-objective rules estimate achievable RTO/RPO from the
resources a stack's graph holds; every number they use that does not come from the graph
itself (a schedule, a retention, a replica count) comes from this table. The table in
docs/resilience-model.md is generated from the same rows and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One published figure: its value in minutes, what it measures, what the source says (paraphrased) and where."""

    id: str
    minutes: float
    what: str
    says: str
    source: str


def _row(id: str, minutes: float, what: str, says: str, source: str) -> Figure:
    return Figure(id=id, minutes=minutes, what=what, says=says, source=source)


_AURORA_HA = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html"

FIGURES: dict[str, Figure] = {
    figure.id: figure
    for figure in (
        _row(
            "aurora-storage-rpo",
            0,
            "Aurora in-region RPO: the cluster volume keeps six copies across three AZs",
            "Aurora stores copies of the data in a DB cluster across multiple Availability Zones in a single "
            "AWS Region",
            _AURORA_HA,
        ),
        _row(
            "aurora-reader-failover",
            1,
            "Aurora failover to a reader in another AZ (writer or its AZ lost)",
            "Service is typically restored in less than 60 seconds, and often less than 30 seconds",
            _AURORA_HA,
        ),
        _row(
            "aurora-instance-creation",
            10,
            "Aurora recreates a primary (no reader to promote) or adds an instance to a headless cluster",
            "Service is restored when the new primary instance is created, which typically takes less than 10 minutes",
            _AURORA_HA,
        ),
        _row(
            "aurora-global-replication-lag",
            1 / 60,
            "Aurora Global Database storage replication lag to a secondary region (region RPO)",
            "Aurora Global Database ... replicates your data with no impact on database performance ... with "
            "typical latency of under a second",
            "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html",
        ),
        _row(
            "aurora-global-promotion",
            1,
            "Promoting an Aurora Global Database secondary region to read/write (region RTO, instances running)",
            "promote a secondary region to take full read/write workloads in under a minute",
            "https://aws.amazon.com/rds/aurora/global-database/",
        ),
        _row(
            "aurora-pitr-latest-restorable",
            5,
            "Point-in-time restore: how far behind now the latest restorable time is (software/corruption RPO)",
            "The latest restorable time for a DB cluster is the most recent point ... typically within 5 minutes "
            "of the current time",
            "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-pitr.html",
        ),
        _row(
            "backup-restore-rto",
            240,
            "Restoring a database from a backup or a copied recovery point (modelled at the low end of 'hours')",
            "Backup and restore ... RPO / RTO: Hours",
            "https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/"
            "disaster-recovery-options-in-the-cloud.html",
        ),
        _row(
            "s3-multi-az-rpo",
            0,
            "S3 Standard in-region RPO: objects are stored across at least three AZs",
            "S3 Standard ... store data redundantly across a minimum of three Availability Zones",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/DataDurability.html",
        ),
        _row(
            "s3-replication-time-control",
            15,
            "S3 Replication Time Control: objects replicated to the other region within 15 minutes (region RPO)",
            "S3 RTC replicates 99.99 percent of new objects stored in Amazon S3 within 15 minutes (backed by a "
            "service-level agreement)",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html",
        ),
        _row(
            "sqs-multi-az-rpo",
            0,
            "SQS in-region RPO: messages are stored redundantly across AZs",
            "Amazon SQS stores all message queues and messages within a single, highly-available AWS Region with "
            "multiple redundant Availability Zones",
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-architecture.html",
        ),
        _row(
            "sqs-default-retention",
            4 * 24 * 60,
            "SQS message retention when a queue does not set it (the replay window of such a flow)",
            "The default message retention period is 4 days",
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-architecture.html",
        ),
        _row(
            "k8s-node-monitor-grace",
            50 / 60,
            "Kubernetes marks a lost node NotReady and drops its pods from Service endpoints "
            "(kube-controller-manager --node-monitor-grace-period default)",
            "--node-monitor-grace-period duration Default: 50s",
            "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/",
        ),
        _row(
            "k8s-not-ready-eviction",
            5,
            "Kubernetes evicts the pods of a NotReady/unreachable node (default toleration) before rescheduling",
            "These automatically-added tolerations mean that Pods remain bound to Nodes for 5 minutes after one "
            "of these problems is detected",
            "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions",
        ),
    )
}


def figure(figure_id: str) -> Figure:
    """One figure by id (a KeyError names a figure the table lacks: add it with its source)."""
    return FIGURES[figure_id]


def minutes_text(minutes: float) -> str:
    """How reports show a duration: '0', '50 s', '5 min', '4 h'."""
    if minutes == 0:
        return "0"
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes / 60:.0f} h"
    return f"{minutes:g} min"


def markdown_table() -> str:
    """The figures table of docs/resilience-model.md (a test keeps the doc equal to this)."""
    lines = ["| figure | value | what it measures | what the source says | source |", "|---|---|---|---|---|"]
    for row in FIGURES.values():
        cells = (f"`{row.id}`", minutes_text(row.minutes), row.what, row.says, row.source)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
