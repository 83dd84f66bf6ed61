"""`crossdock deploy-gate STACK --base REV [--head REV] [--at TIME] ...`: exit 0 go, 1 blocked, 2 bad input."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from crossdock.errors import CrossdockError

DEFAULT_APPROVALS = Path("deploy") / "approvals.yaml"
DEFAULT_AUDIT_LOG = Path(".crossdock") / "audit.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml from the project's stackConfigDir"
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        default=None,
        help="Pulumi project directory inside a git repository (default: the crossdock repository root)",
    )
    add_gate_options(parser, base_required=True)
    parser.add_argument(
        "--head", default=None, metavar="REV", help="the revision to deploy (default: the working tree)"
    )
    parser.add_argument(
        "--at", default=None, metavar="TIME", help="decide for this instant, ISO 8601 with a UTC offset (default: now)"
    )


def add_gate_options(parser: argparse.ArgumentParser, *, base_required: bool) -> None:
    """The gate's options, shared by `deploy-gate` and `up`."""
    parser.add_argument(
        "--base",
        required=base_required,
        metavar="REV",
        help="the revision deployed now (freeze windows are read from its stack file)",
    )
    parser.add_argument(
        "--approvals",
        metavar="FILE",
        type=Path,
        default=None,
        help=f"approvals file (default: {DEFAULT_APPROVALS.as_posix()} in the project, if present)",
    )
    parser.add_argument(
        "--approved-by",
        metavar="WHO",
        default=None,
        help="an approval given in the pipeline (e.g. the environment's required reviewer)",
    )
    parser.add_argument("--approval-reason", metavar="TEXT", default=None, help="the reason of --approved-by")
    parser.add_argument(
        "--break-glass",
        action="store_true",
        help="deploy whatever blocks it (needs --reason); audited and announced on the critical topic",
    )
    parser.add_argument("--reason", metavar="TEXT", default=None, help="why break-glass is needed")
    parser.add_argument(
        "--audit-log",
        metavar="FILE",
        type=Path,
        default=None,
        help=f"JSON-lines audit log (default: {DEFAULT_AUDIT_LOG.as_posix()} in the project)",
    )
    parser.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=None,
        help="AWS endpoint for the flag, the notice and deployment markers (an emulator such as moto server)",
    )
    parser.add_argument(
        "--notify-topic",
        metavar="ARN",
        default=None,
        help="SNS topic for the break-glass notice (default: the topic tagged environment=ENV, severity=critical)",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=600.0,
        help="give up planning a revision after SECONDS (default 600)",
    )


def parse_at(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise CrossdockError(f"--at {text}: not an ISO 8601 time (e.g. 2026-12-07T16:30:00-06:00)") from None
    if value.tzinfo is None:
        raise CrossdockError(f"--at {text}: give a UTC offset (e.g. Z or -06:00); a bare local time is ambiguous")
    return value


def run(args: argparse.Namespace, project: Path) -> int:
    decision, _, _ = evaluate(args, project)
    return 0 if decision.allowed else 1


def evaluate(args: argparse.Namespace, project: Path):
    """Run the gate, record and print the decision; (Decision, DiffResult or None, StackDeploySettings)."""
    from crossdock.deploy import approvals as approvals_module
    from crossdock.deploy import flag as flag_module
    from crossdock.deploy.gate import actor, append_audit, decide, notify_break_glass, parse_settings
    from crossdock.diff import cli as diff_cli
    from crossdock.diff.revisions import git, repository_root, resolve
    from crossdock.engine.project import load_project

    at = parse_at(getattr(args, "at", None))
    if args.break_glass and not (args.reason or "").strip():
        raise CrossdockError("--break-glass needs --reason TEXT (it is recorded in the audit log)")
    if args.reason and not args.break_glass:
        raise CrossdockError("--reason is only for --break-glass; an approval's reason goes in --approval-reason")
    if bool(args.approved_by) != bool(args.approval_reason):
        raise CrossdockError("--approved-by and --approval-reason go together: an approval is a reviewer and a reason")
    project = project.resolve()
    repo = repository_root(project)
    base = resolve(repo, args.base, "--base")
    pulumi_project = load_project(project)

    def stack_text(name: str) -> tuple[str, str]:
        relative = pulumi_project.stack_file(name).resolve().relative_to(repo).as_posix()
        try:
            return git(repo, "show", f"{base.commit}:{relative}"), f"{relative}@{args.base}"
        except CrossdockError:
            raise CrossdockError(
                f"{relative}: not in revision {args.base}: stack {name} is not deployed from --base"
            ) from None

    text, source = stack_text(args.stack)
    settings = parse_settings(text, source, environment_text=stack_text)

    approvals_path = args.approvals or (project / DEFAULT_APPROVALS)
    label = str(args.approvals) if args.approvals else DEFAULT_APPROVALS.as_posix()
    recorded = None
    if args.approvals is not None and not args.approvals.is_file():
        raise CrossdockError(f"--approvals {args.approvals}: no such file")
    if approvals_path.is_file():
        recorded = approvals_module.load_approvals(approvals_path, label)

    def find_approval(change_id: str):
        if args.approved_by:
            return approvals_module.Approval(args.approved_by, args.approval_reason, "--approved-by")
        if recorded is None:
            return None
        return approvals_module.find_approval(recorded, args.stack, change_id, at, label)

    decision, result = decide(
        stack=args.stack,
        at=at,
        settings=settings,
        read_flag=lambda: flag_module.read_flag(
            settings.environment, at, region=settings.region, endpoint_url=args.endpoint_url
        ),
        compute_diff=lambda: diff_cli.compute(
            project, args.stack, args.base, getattr(args, "head", None), timeout=args.timeout
        ),
        find_approval=find_approval,
        break_glass=args.reason if args.break_glass else None,
    )
    record = decision.record(base=base.commit, head=getattr(args, "head", None) or "working tree", actor=actor())
    if args.break_glass:
        try:
            record["notified"] = notify_break_glass(
                record,
                settings.environment,
                region=settings.region,
                topic_arn=args.notify_topic,
                endpoint_url=args.endpoint_url,
            )
        except Exception as exc:  # noqa: BLE001 - the deploy goes ahead; the failed notice is recorded and shown
            record["notified"] = None
            record["notify_error"] = str(exc)
    audit = args.audit_log or (project / DEFAULT_AUDIT_LOG)
    append_audit(audit, record)
    _print(decision, record, settings)
    return decision, result, settings


def _print(decision, record, settings) -> None:
    when = decision.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if decision.break_glass and decision.blockers:
        verdict = "ALLOWED by break-glass"
    else:
        verdict = "ALLOWED" if decision.allowed else "BLOCKED"
    print(f"crossdock deploy-gate {decision.stack} at {when}: {verdict}")
    for blocker in decision.blockers:
        print(f"  blocked: {blocker}")
    for note in decision.notes:
        print(f"  note: {note}")
    if decision.summary is not None:
        risks = ", ".join(f"{n} {r}" for r, n in decision.summary["risks"].items() if n) or "no resource changes"
        print(f"  change {decision.change_id}: {risks}")
    if decision.approval is not None:
        print(f"  approved by {decision.approval.reviewer} ({decision.approval.source}): {decision.approval.reason}")
    if decision.break_glass:
        print(f"  break-glass reason: {decision.break_glass}")
        if record.get("notified"):
            print(f"  announced on {record['notified']}")
        else:
            print(f"warning: break-glass notice not sent: {record.get('notify_error')}", file=sys.stderr)
    print(f"  windows from {settings.source}; decision recorded in the audit log")
