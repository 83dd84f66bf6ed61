"""`crossdock diff STACK --base REV [--head REV] [--format text|json|markdown] [--output FILE]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crossdock.errors import CrossdockError

FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml from the project's stackConfigDir"
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        default=None,
        help="Pulumi project directory holding Pulumi.yaml, inside a git repository (default: the crossdock repository root)",
    )
    parser.add_argument(
        "--base", required=True, metavar="REV", help="git revision to compare against (e.g. origin/main)"
    )
    parser.add_argument(
        "--head",
        default=None,
        metavar="REV",
        help="git revision with the change (default: the working tree, uncommitted changes included)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="text (default), json, or markdown (the PR comment)"
    )
    parser.add_argument("--output", metavar="FILE", type=Path, default=None, help="write the report to FILE")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=600.0,
        help="give up planning a revision after SECONDS (default 600)",
    )


def compute(project: Path, stack: str, base: str, head: str | None, timeout: float | None = 600.0):
    """Plan `stack` at `base` and `head` (None: the working tree) and return the classified DiffResult."""
    from crossdock.diff import diff_plans
    from crossdock.diff.revisions import WORKING_TREE, Revision, plan_revisions, repository_root, resolve

    project = project.resolve()
    if not project.is_dir():
        raise CrossdockError(f"--project {project}: not a directory")
    repo = repository_root(project)
    base_rev = resolve(repo, base, "--base")
    head_rev = resolve(repo, head, "--head") if head else Revision(label=WORKING_TREE, commit=None)
    base_plan, head_plan = plan_revisions(repo, project, stack, [base_rev, head_rev], timeout=timeout)
    return diff_plans(base_plan, head_plan, base_rev, head_rev)


def run(args: argparse.Namespace, project: Path) -> int:
    from crossdock.diff.render import RENDERERS

    if args.timeout is not None and args.timeout <= 0:
        raise CrossdockError(f"--timeout {args.timeout:g}: must be a positive number of seconds")
    result = compute(project, args.stack, args.base, args.head, timeout=args.timeout)
    report = RENDERERS[args.format](result)
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise CrossdockError(f"cannot write --output {args.output}: {exc.strerror or exc}") from exc
        counts = result.counts()["risks"]
        risky = sum(n for r, n in counts.items() if r != "routine")
        print(
            f"crossdock diff {args.stack}: {len(result.changes)} change(s), {risky} risky; "
            f"{args.format} report written to {args.output}"
        )
    else:
        sys.stdout.write(report)
    return 0
