"""`crossdock impact STACK TARGET [--format text|json|markdown] [--started TIME]`: arguments and run function."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from crossdock.errors import CrossdockError

FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="TARGET",
        help="what fails: a service, queue, database, tenant or integration of the stack file, a resource name of "
        "the plan, an availability zone (az:us-east-1a) or a region",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--started",
        metavar="TIME",
        default=None,
        help="when the incident started, ISO 8601 (e.g. 2026-12-07T03:10Z); fills the customer notice (default: now)",
    )


def run(args: argparse.Namespace, project: Path) -> int:
    from crossdock.config import load_stack_file
    from crossdock.config.loader import read_stack_namespace
    from crossdock.config.tenant_stack import is_tenant_namespace, load_tenant_stack_file
    from crossdock.engine import load_project, run_program
    from crossdock.impact.analysis import analyse, resolve_target
    from crossdock.impact.render import render

    started = _started(args.started)
    plan = run_program(project, args.stack)
    path = load_project(project).stack_file(args.stack.split("/")[-1])
    namespace, _ = read_stack_namespace(path)
    config = load_tenant_stack_file(path).environment if is_tenant_namespace(namespace) else load_stack_file(path)
    target = resolve_target(config, plan, args.target)
    report = analyse(config, plan, target, started=started)
    sys.stdout.write(render(report, args.format))
    return 0


def _started(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CrossdockError(f"--started: {text!r} is not an ISO 8601 time (e.g. 2026-12-07T03:10Z)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
