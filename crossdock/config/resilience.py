"""What each disaster-recovery strategy can deliver, so declared objectives are checked.

Numbers follow AWS's disaster-recovery whitepaper ranges, taken at their best case
for the mechanisms crossdock builds:
- backup-restore: AWS Backup copies recovery points to the DR vault after each
  backup (hourly at best), and a restore of an Aurora cluster takes hours.
- pilot-light: an Aurora Global Database secondary without instances replicates
  storage continuously (typically under a second, alarmed at one minute); recovery
  adds instances and promotes, tens of minutes.
- warm-standby: the secondary also runs a reader, so promotion takes minutes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StrategyCapability:
    """The best region RPO and RTO a strategy can meet, in minutes."""

    min_rpo_minutes: float
    min_rto_minutes: float
    why: str


STRATEGY_CAPABILITY: dict[str, StrategyCapability] = {
    "backup-restore": StrategyCapability(
        min_rpo_minutes=60,
        min_rto_minutes=240,
        why="backup-restore copies recovery points to the DR region at most hourly and restores take hours",
    ),
    "pilot-light": StrategyCapability(
        min_rpo_minutes=1,
        min_rto_minutes=30,
        why="pilot-light replicates continuously but must add instances before promoting",
    ),
    "warm-standby": StrategyCapability(
        min_rpo_minutes=1,
        min_rto_minutes=5,
        why="warm-standby replicates continuously to a running standby that promotes in minutes",
    ),
}

# A region RPO below this needs continuous replication (an Aurora Global Database
# secondary); at or above it, cross-region backup copies are enough.
BACKUP_COPY_RPO_MINUTES = STRATEGY_CAPABILITY["backup-restore"].min_rpo_minutes


def needs_continuous_replication(region_rpo_minutes: float | None) -> bool:
    """True when a data class's region RPO cannot be met by backup copies alone."""
    return region_rpo_minutes is not None and region_rpo_minutes < BACKUP_COPY_RPO_MINUTES
