"""`crossdock deploy-gate`: may this change go to this stack now?

Checks, in order: the deploy-freeze flag (blocks everything), the change itself (`crossdock diff`
of the base and head revisions), the freeze windows in force (from the BASE revision's stack
file: a change cannot lift its own freeze), and approvals for risky changes. `--break-glass
--reason` lets the deploy go whatever blocks it; it is recorded in the audit log and announced on
the environment's critical alert topic. Every decision is appended to the audit log.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crossdock.config.deploy import Blocks, DeployPolicy
from crossdock.deploy.approvals import Approval
from crossdock.deploy.flag import FlagUnreadable, FreezeFlag
from crossdock.deploy.windows import UTC, ActiveWindow, active_windows
from crossdock.errors import CrossdockError


@dataclass(frozen=True)
class StackDeploySettings:
    """What the gate needs from the base revision's stack file(s)."""

    environment: str
    region: str | None
    policy: DeployPolicy
    source: str
    """The stack file the policy came from (repository-relative, with the revision)."""


@dataclass
class Decision:
    stack: str
    at: dt.datetime
    allowed: bool = False
    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    windows: list[ActiveWindow] = field(default_factory=list)
    flag: FreezeFlag | None = None
    change_id: str | None = None
    summary: dict[str, Any] | None = None
    approval: Approval | None = None
    break_glass: str | None = None
    """The break-glass reason, when used."""

    def record(self, *, base: str | None, head: str, actor: str) -> dict[str, Any]:
        return {
            "time": dt.datetime.now(UTC).isoformat(),
            "event": "deploy-gate",
            "stack": self.stack,
            "at": self.at.astimezone(UTC).isoformat(),
            "base": base,
            "head": head,
            "actor": actor,
            "decision": "break-glass"
            if self.break_glass and self.blockers
            else ("allowed" if self.allowed else "blocked"),
            "blockers": self.blockers,
            "break_glass_reason": self.break_glass,
            "change_id": self.change_id,
            "summary": self.summary,
            "approval": None if self.approval is None else vars(self.approval),
            "freeze_flag": None if self.flag is None else self.flag.describe(),
            "windows": [w.name for w in self.windows],
        }


def actor() -> str:
    """Who is deploying: the CI actor when set, else the local user."""
    for variable in ("GITHUB_ACTOR", "CROSSDOCK_ACTOR", "USER"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in a container
        return "unknown"


def parse_settings(
    text: str, source: str, *, environment_text: Callable[[str], tuple[str, str]] | None = None
) -> StackDeploySettings:
    """Read environment name, region and `crossdock:deploy` from a stack file's text.

    A tenant silo stack (`crossdock:tenant`) deploys under its environment stack's windows and
    flag: `environment_text(stack)` returns that stack file's (text, source).
    """
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise CrossdockError(f"{source}: not valid YAML") from None
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise CrossdockError(f"{source}: config: must be a mapping")
    tenant = config.get("crossdock:tenant")
    if isinstance(tenant, dict) and tenant.get("environmentStack") and environment_text is not None:
        env_text, env_source = environment_text(str(tenant["environmentStack"]))
        settings = parse_settings(env_text, env_source)
        return StackDeploySettings(
            settings.environment, config.get("aws:region") or settings.region, settings.policy, settings.source
        )
    environment = config.get("crossdock:environment")
    if not isinstance(environment, dict) or not environment.get("name"):
        raise CrossdockError(f"{source}: crossdock:environment.name: missing; deploy-gate needs the environment name")
    raw = config.get("crossdock:deploy") or {}
    try:
        policy = DeployPolicy.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in error["loc"]).replace(".[", "[")
        key = f"crossdock:deploy.{where}" if where else "crossdock:deploy"
        raise CrossdockError(f"{source}: {key}: {error['msg'].removeprefix('Value error, ')}") from None
    return StackDeploySettings(str(environment["name"]), config.get("aws:region"), policy, source)


def decide(
    *,
    stack: str,
    at: dt.datetime,
    settings: StackDeploySettings,
    read_flag: Callable[[], FreezeFlag],
    compute_diff: Callable[[], Any],
    find_approval: Callable[[str], Approval | None],
    break_glass: str | None,
) -> tuple[Decision, Any]:
    """The gate's decision (and the DiffResult, when it was computed)."""
    decision = Decision(stack=stack, at=at, break_glass=break_glass)
    try:
        decision.flag = read_flag()
        if decision.flag.frozen:
            decision.blockers.append(f"deploy-freeze flag: {decision.flag.describe()}")
        elif decision.flag.raw is None:
            decision.notes.append(f"deploy-freeze flag: {decision.flag.describe()}")
    except FlagUnreadable as exc:
        decision.blockers.append(f"deploy-freeze flag unreadable, failing closed: {exc}")
    if decision.blockers and not break_glass:
        return decision, None  # the flag blocks everything: no need to plan
    try:
        result = compute_diff()
    except CrossdockError as exc:
        if not break_glass:
            raise
        decision.notes.append(f"the change could not be planned ({exc}); break-glass goes ahead without it")
        result = None
    if result is not None:
        counts = result.counts()
        decision.summary = counts
        decision.change_id = result.change_id()
        risky = list(result.risky)
        windows = active_windows(settings.policy, at)
        decision.windows = windows
        for window in windows:
            if not result.changes:
                continue
            if window.blocks is Blocks.HIGH_RISK and not risky:
                decision.notes.append(
                    f"freeze window {window.describe()} is in force; no high-risk change, so it does not block"
                )
                continue
            end = window.end
            decision.blockers.append(
                f"freeze window {window.describe()} is in force until {end.isoformat()} "
                f"({end.astimezone(UTC).isoformat().replace('+00:00', 'Z')})"
            )
        if risky:
            approval = find_approval(decision.change_id)
            decision.approval = approval
            if approval is None:
                classes = ", ".join(f"{n} {r}" for r, n in counts["risks"].items() if n and r != "routine")
                decision.blockers.append(
                    f"{len(risky)} risky change(s) ({classes}) need an approval of change {decision.change_id}: "
                    "a reviewer and reason in the approvals file, or --approved-by/--approval-reason"
                )
    decision.allowed = not decision.blockers or bool(break_glass)
    return decision, result


def append_audit(path: Path, record: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")
    except OSError as exc:
        raise CrossdockError(f"cannot append to the audit log {path}: {exc.strerror or exc}") from exc


def critical_topic_arn(environment: str, *, region: str | None, endpoint_url: str | None = None) -> str | None:
    """The environment's critical alert topic, found by its tags (environment, severity=critical, not a DR copy)."""
    import boto3

    client = boto3.client("sns", region_name=region, endpoint_url=endpoint_url)
    for page in client.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            arn = topic["TopicArn"]
            tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceArn=arn).get("Tags", [])}
            if tags.get("environment") == environment and tags.get("severity") == "critical" and "dr-role" not in tags:
                return arn
    return None


def notify_break_glass(
    record: dict[str, Any],
    environment: str,
    *,
    region: str | None,
    topic_arn: str | None,
    endpoint_url: str | None = None,
) -> str:
    """Publish the break-glass record to the critical topic; returns the topic ARN (raises on failure)."""
    import boto3

    arn = topic_arn or critical_topic_arn(environment, region=region, endpoint_url=endpoint_url)
    if arn is None:
        raise LookupError(f"no SNS topic tagged environment={environment}, severity=critical")
    boto3.client("sns", region_name=region, endpoint_url=endpoint_url).publish(
        TopicArn=arn,
        Subject=f"crossdock break-glass deploy of {record['stack']}"[:100],
        Message=json.dumps(record, indent=2, sort_keys=True, default=str),
    )
    return arn
