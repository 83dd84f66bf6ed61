"""`crossdock runbook list | show NAME | run NAME --stack STACK ...`: the arguments and run function the CLI registers.

Exit codes: 0 done (or a clean dry run); 1 stopped by a precondition or stop condition;
2 bad input (unknown runbook or stack, bad parameter, missing or ambiguous target).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crossdock.errors import CrossdockError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_AUDIT_LOG = Path(".crossdock") / "runbook-audit.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="runbook_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="the runbooks, one line each")
    show = sub.add_parser("show", help="purpose, parameters, preconditions, steps, stop conditions, IAM actions")
    show.add_argument("name", metavar="NAME")
    run = sub.add_parser(
        "run",
        help="run a runbook (dry run unless --execute)",
        description="Resolve the targets, evaluate every precondition and stop condition against the account and print "
        "what the runbook would do (dry run), or do it with --execute --reason TEXT. Every run appends an audit record.",
    )
    run.add_argument("name", metavar="NAME")
    run.add_argument("--stack", required=True, metavar="STACK", help="environment stack (stacks/Pulumi.STACK.yaml)")
    run.add_argument("--param", action="append", default=[], metavar="K=V", help="runbook parameter (repeatable)")
    run.add_argument("--execute", action="store_true", help="act (default: dry run, changes nothing)")
    run.add_argument("--reason", default=None, metavar="TEXT", help="why: required with --execute, audited")
    run.add_argument(
        "--endpoint-url", default=None, metavar="URL", help="send every AWS call to an emulator (moto server)"
    )
    run.add_argument("--format", choices=["text", "json"], default="text")
    run.add_argument(
        "--audit-log",
        type=Path,
        default=DEFAULT_AUDIT_LOG,
        metavar="FILE",
        help=f"local JSON-lines audit file (default: {DEFAULT_AUDIT_LOG})",
    )
    run.add_argument("--project", type=Path, default=None, metavar="DIR", help="project directory (default: repo)")


def run(args: argparse.Namespace) -> int:
    from runbooks import RUNBOOKS

    if args.runbook_command == "list":
        width = max(len(name) for name in RUNBOOKS)
        for name, listed in RUNBOOKS.items():
            print(f"{name:<{width}}  {listed.summary}")
        return 0
    book = RUNBOOKS.get(args.name)
    if book is None:
        raise CrossdockError(f"unknown runbook {args.name!r} (runbooks: {', '.join(RUNBOOKS)})")
    if args.runbook_command == "show":
        print(describe(book))
        return 0
    return _run(args, book)


def describe(book) -> str:
    from runbooks import contract, permissions

    lines = [f"{book.name}: {book.summary}", "", "Parameters:"]
    for param in book.parameters:
        flags = "required" if param.required else f"default {param.default}" if param.default else "optional"
        lines.append(f"  --param {param.name}=...  ({flags}) {param.help}")
    if not book.parameters:
        lines.append("  none")
    for title, items in (
        ("Preconditions", book.preconditions),
        ("Steps", book.steps),
        ("Stop conditions", book.stop_conditions),
    ):
        lines += (
            ["", f"{title}:"]
            + [f"  {i}. {item}" for i, item in enumerate(items, 1)]
            + (["  none"] if not items else [])
        )
    role = contract.ROLE_OF_RUNBOOK[book.name]
    lines += ["", f"IAM actions (role <env>-runbook-{role}):"]
    for grant in permissions.role_grants(book.name):
        implied = " (called by AWS on the runbook's behalf)" if grant.implied else ""
        lines.append(f"  {grant.sid}: {', '.join(grant.actions)} on {grant.scope}{implied}")
    return "\n".join(lines)


def _parse_params(raw: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CrossdockError(f"--param {item}: expected K=V")
        if key in params:
            raise CrossdockError(f"--param {key} given twice")
        params[key] = value
    return params


def _run(args: argparse.Namespace, book) -> int:
    from crossdock.runbook.facts import load_facts
    from runbooks.core import AuditLog, Run, RunbookInputError, boto3_clients, perform

    params = _parse_params(args.param)
    project = args.project if args.project is not None else REPO_ROOT
    facts = load_facts(project, args.stack)
    try:
        current = Run(
            book,
            facts,
            params,
            clients=boto3_clients(args.endpoint_url),
            execute=args.execute,
            reason=args.reason,
        )
        outcome = perform(current, audit=AuditLog(args.audit_log))
    except RunbookInputError as error:
        raise CrossdockError(str(error)) from error
    except Exception as error:
        if type(error).__name__ in ("NoCredentialsError", "EndpointConnectionError", "ClientError"):
            raise CrossdockError(f"{book.name}: AWS answered {type(error).__name__}: {error}") from error
        raise
    if args.format == "json":
        sys.stdout.write(json.dumps(outcome.record(), indent=2, sort_keys=True, default=str) + "\n")
    else:
        print(render(outcome))
    return outcome.exit_code


def render(outcome) -> str:
    head = {
        "dry-run": "DRY RUN (nothing changed; add --execute --reason TEXT to act)",
        "done": "DONE",
        "stopped": f"STOPPED by {outcome.stopped_by}",
    }.get(outcome.status, outcome.status.upper())
    lines = [f"{outcome.runbook} on {outcome.stack} [{outcome.run_id}]: {head}"]
    marks = {"checked": "ok  ", "would": "plan", "done": "done", "skipped": "skip", "stopped": "STOP"}
    for step in outcome.steps:
        lines.append(f"  [{marks.get(step.decision, step.decision)}] {step.name}: {step.detail}")
    if outcome.status == "stopped":
        lines.append(f"  observed: {outcome.observed}")
    if outcome.result:
        lines.append("  result: " + json.dumps(outcome.result, sort_keys=True, default=str))
    for target in outcome.audit:
        lines.append(f"  audit: {target}")
    return "\n".join(lines)
