"""Approvals of risky changes: a reviewer and a reason, recorded in a file or passed by the pipeline.

File (default `deploy/approvals.yaml` in the project):

    approvals:
      - stack: prod
        change: 3f2a9c1e0b7d4a55      # the approval id `crossdock diff`/`deploy-gate` print
        reviewer: alice@example.com
        reason: Queue edi-inbound is retired; its consumers moved to asn-ingestion (CHG-1234).
        expires: 2026-12-10T00:00:00Z # optional

An approval names the change id, a digest of the risky changes (action, URN, class), so it
approves exactly that change: any further risky change needs a new approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crossdock.errors import CrossdockError


class ApprovalEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stack: str = Field(min_length=1, description="Stack the approval is for.")
    change: str = Field(min_length=8, description="Approval id of the change (from crossdock diff / deploy-gate).")
    reviewer: str = Field(min_length=1, description="Who approved.")
    reason: str = Field(min_length=1, description="Why the risky change is acceptable.")
    expires: dt.datetime | None = Field(default=None, description="When the approval lapses (with a UTC offset).")


class ApprovalsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    approvals: tuple[ApprovalEntry, ...] = Field(default=(), description="Recorded approvals.")


@dataclass(frozen=True)
class Approval:
    reviewer: str
    reason: str
    source: str
    """Where it came from: the file, or `--approved-by`."""


def load_approvals(path: Path, label: str) -> ApprovalsFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise CrossdockError(f"{label}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CrossdockError(f"{label}{f':{mark.line + 1}' if mark else ''}: not valid YAML") from None
    try:
        parsed = ApprovalsFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in error["loc"]).replace(".[", "[")
        raise CrossdockError(f"{label}: {where}: {error['msg']}") from None
    for index, entry in enumerate(parsed.approvals):
        if entry.expires is not None and entry.expires.tzinfo is None:
            raise CrossdockError(f"{label}: approvals[{index}].expires: give a UTC offset (e.g. 2026-12-10T00:00:00Z)")
    return parsed


def find_approval(approvals: ApprovalsFile, stack: str, change_id: str, at: dt.datetime, label: str) -> Approval | None:
    for entry in approvals.approvals:
        if entry.stack != stack or not change_id.startswith(entry.change):
            continue
        if entry.expires is not None and at >= entry.expires:
            continue
        return Approval(entry.reviewer, entry.reason, label)
    return None
