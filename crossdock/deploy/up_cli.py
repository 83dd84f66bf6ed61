"""`crossdock preview STACK` and `crossdock up STACK --base REV`: arguments and run functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crossdock.errors import CrossdockError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="stack name: the Pulumi stack, configured by Pulumi.STACK.yaml")
    parser.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        default=None,
        help="Pulumi project directory holding Pulumi.yaml (default: the crossdock repository root)",
    )
    parser.add_argument(
        "--plan",
        metavar="FILE",
        type=Path,
        default=None,
        help="where to save the update plan of the preview (default: a temporary file)",
    )


def add_preview_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)


def add_up_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.deploy.cli import add_gate_options

    _common(parser)
    add_gate_options(parser, base_required=True)
    parser.add_argument(
        "--event-bus",
        metavar="NAME",
        default="default",
        help="EventBridge bus for the deployment marker (default: the account's default bus)",
    )


def _say(line: str) -> None:
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()


def _changes(summary: dict[str, int]) -> str:
    parts = [f"{n} to {op}" for op, n in sorted(summary.items()) if n and op != "same"]
    if summary.get("same"):
        parts.append(f"{summary['same']} unchanged")
    return ", ".join(parts) or "no changes"


def run_preview_command(args: argparse.Namespace, project: Path) -> int:
    from crossdock.deploy.automation import plan_path, require_cli, run_preview, select_stack

    require_cli("preview")
    plan_file, holder = plan_path(args.plan, args.stack)
    try:
        stack = select_stack(project, args.stack)
        summary = run_preview(stack, plan_file, _say)
        where = f"plan saved to {plan_file}" if args.plan else "plan not kept (--plan FILE keeps it)"
        print(f"crossdock preview {args.stack}: passed the policy pack; {_changes(summary)}; {where}")
    finally:
        if holder is not None:
            holder.cleanup()
    return 0


def run_up_command(args: argparse.Namespace, project: Path) -> int:
    from crossdock.deploy.automation import plan_path, require_cli, run_preview, run_up, select_stack
    from crossdock.deploy.cli import evaluate
    from crossdock.deploy.gate import actor
    from crossdock.deploy.markers import record_deployment

    require_cli("up")
    if getattr(args, "head", None):
        raise CrossdockError("crossdock up deploys the working tree; --head is for diff and deploy-gate")
    args.head = None
    args.at = None
    revision = _revision(project)
    plan_file, holder = plan_path(args.plan, args.stack)
    try:
        stack = select_stack(project, args.stack)
        preview = run_preview(stack, plan_file, _say)
        print(f"crossdock up {args.stack}: preview passed the policy pack; {_changes(preview)}")
        decision, result, settings = evaluate(args, project)
        if not decision.allowed:
            print(f"crossdock up {args.stack}: the deploy gate blocked it; nothing was deployed")
            return 1
        who = actor()
        changes = run_up(stack, plan_file, f"crossdock up {revision} by {who}", _say)
    finally:
        if holder is not None:
            holder.cleanup()
    detail = {
        "stack": args.stack,
        "environment": settings.environment,
        "revision": revision,
        "actor": who,
        "result": "succeeded",
        "resource_changes": changes,
        "change_id": None if result is None else result.change_id(),
        "risks": None if result is None else result.counts()["risks"],
        "break_glass": bool(args.break_glass),
    }
    try:
        recorded = record_deployment(
            detail, region=settings.region, event_bus=args.event_bus, endpoint_url=args.endpoint_url
        )
        marker = "deployment marker: " + ", ".join(recorded)
    except Exception as exc:  # noqa: BLE001 - the deploy happened; a missing marker is a warning
        marker = "deployment marker NOT recorded"
        print(f"warning: deployment marker not recorded: {exc}", file=sys.stderr)
    print(f"crossdock up {args.stack}: deployed {revision}: {_changes(changes)}; {marker}")
    return 0


def _revision(project: Path) -> str:
    from crossdock.diff.revisions import git

    try:
        commit = git(project, "rev-parse", "HEAD")
        dirty = bool(git(project, "status", "--porcelain", "--untracked-files=no"))
    except CrossdockError:
        return "unknown (not a git checkout)"
    return commit + ("+uncommitted" if dirty else "")
