"""`crossdock diagram STACK --output FILE.svg|.png|.dot [--view network|services|dr|tenants]`."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from crossdock.errors import CrossdockError

FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot"}
VIEWS = ("services", "network", "dr", "tenants")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", required=True, metavar="FILE", type=Path, help="FILE.svg, FILE.png or FILE.dot (Graphviz source)"
    )
    parser.add_argument("--view", choices=VIEWS, default="services", help="what to draw (default: services)")


def run(args: argparse.Namespace, project: Path) -> int:
    from crossdock.config import load_stack_file
    from crossdock.config.loader import read_stack_namespace
    from crossdock.config.tenant_stack import is_tenant_namespace, load_tenant_stack_file
    from crossdock.diagram.build import build
    from crossdock.engine import load_project, run_program

    output: Path = args.output
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise CrossdockError(f"--output: {output} must end in .svg, .png or .dot")
    if fmt != "dot" and shutil.which("dot") is None:
        raise CrossdockError(
            f"--output: rendering {output.name} needs Graphviz's `dot` (Debian: apt-get install graphviz; "
            "scripts/bootstrap.sh installs it); --output FILE.dot writes the source without it"
        )
    plan = run_program(project, args.stack)
    path = load_project(project).stack_file(args.stack.split("/")[-1])
    namespace, _ = read_stack_namespace(path)
    config = load_tenant_stack_file(path).silo if is_tenant_namespace(namespace) else load_stack_file(path)
    graph = build(config, plan, args.view)
    data = graph.source.encode() if fmt == "dot" else graph.pipe(format=fmt, engine="dot")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as error:
        raise CrossdockError(f"--output: cannot write {output}: {error.strerror or error}") from None
    print(f"wrote {output} ({args.view} view of {args.stack}, {len(data)} bytes)")
    return 0
