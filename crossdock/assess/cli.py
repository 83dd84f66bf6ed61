"""`crossdock assess STACK [--format text|json|markdown] [--output FILE] [--all]`.

Exit codes: 0 every declared objective is met (or not covered); 1 some declared objective
is breached; 2 bad input.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from rich.console import Console

from crossdock.errors import CrossdockError

REPO_ROOT = Path(__file__).resolve().parents[2]
EXIT_OK, EXIT_BREACHED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml from the project")
    parser.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        default=None,
        help="Pulumi project directory holding Pulumi.yaml (default: the crossdock repository root)",
    )
    parser.add_argument(
        "--format", choices=["text", "json", "markdown"], default="text", help="output format (default: text)"
    )
    parser.add_argument("--output", metavar="FILE", type=Path, default=None, help="write the report to FILE")
    parser.add_argument(
        "--all", action="store_true", help="text: also list subject/disruption pairs without a declared objective"
    )


def run(args: argparse.Namespace) -> int:
    from crossdock.assess import assess_plan
    from crossdock.assess.report import render_json, render_markdown, render_text, summary_line
    from crossdock.engine import run_program

    assessment = assess_plan(run_program(args.project or REPO_ROOT, args.stack))
    if args.format == "text" and args.output is None:
        render_text(assessment, Console(), all_rows=args.all)
    else:
        if args.format == "json":
            text = render_json(assessment)
        elif args.format == "markdown":
            text = render_markdown(assessment)
        else:
            console = Console(record=True, width=200, file=io.StringIO())
            render_text(assessment, console, all_rows=args.all)
            text = console.export_text()
        if args.output is None:
            sys.stdout.write(text)
        else:
            try:
                args.output.parent.mkdir(parents=True, exist_ok=True)
                args.output.write_text(text)
            except OSError as exc:
                raise CrossdockError(f"--output {args.output}: {exc.strerror or exc}") from exc
            print(summary_line(assessment), file=sys.stderr)
    return EXIT_BREACHED if assessment.breached else EXIT_OK
