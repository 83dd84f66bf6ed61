"""The `crossdock` command line.

Each subcommand is one `Command` in `COMMANDS`: a function that adds its arguments
and a function that runs it and returns the exit code. `main` owns the shared
behaviour: exit codes (0 ok, 1 gate failed, 2 bad input), one-line errors on
stderr, and tracebacks only with `--debug`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crossdock.errors import CrossdockError, one_line

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The crossdock repository (holds Pulumi.yaml); the default --project."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its help text, how to add its arguments, and how to run it."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    COMMANDS[command.name] = command
    return command


# -- shared argument helpers (for plan, check, export) -------------------------------------


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """STACK and --project, shared by every command that runs the program."""
    parser.add_argument(
        "stack", metavar="STACK", help="stack name: reads Pulumi.STACK.yaml from the project's stackConfigDir"
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        default=None,
        help="Pulumi project directory holding Pulumi.yaml (default: the crossdock repository root)",
    )


def project_dir(args: argparse.Namespace) -> Path:
    return args.project if args.project is not None else REPO_ROOT


def run_plan(args: argparse.Namespace):
    """Run the project's program for args.stack offline and return the Plan."""
    from crossdock.engine import run_program

    return run_program(project_dir(args), args.stack)


# -- plan -----------------------------------------------------------------------------------


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_arguments(parser)
    parser.add_argument(
        "--json",
        metavar="FILE",
        dest="json_file",
        help="also write the plan as JSON to FILE ('-' writes only the JSON, to stdout)",
    )


def _plan_command(args: argparse.Namespace) -> int:
    from crossdock.engine.view import render_plan

    plan = run_plan(args)
    if args.json_file == "-":
        sys.stdout.write(plan.dumps() + "\n")
        return EXIT_OK
    console = _stdout_console()
    render_plan(plan, console)
    if args.json_file:
        path = Path(args.json_file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            plan.write_json(path)
        except OSError as exc:
            raise CrossdockError(f"cannot write plan JSON to {path}: {exc.strerror or exc}") from exc
        console.print(f"Plan JSON written to {path}", markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK


register(
    Command(
        name="plan",
        help="run the Pulumi program offline and show the resources it would create",
        description=(
            "Run the project's Pulumi program for STACK in-process with the Pulumi SDK's mocks: "
            "no Pulumi CLI, no cloud credentials, no network. Shows the resource tree (type, name, "
            "region), counts by type and region, warnings and stack outputs. Exit codes: 0 ok; "
            "2 bad input (unknown stack, invalid project or stack file, the program failed)."
        ),
        add_arguments=_plan_arguments,
        run=_plan_command,
    )
)


# -- check ----------------------------------------------------------------------------------


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_arguments(parser)
    parser.add_argument(
        "--profile",
        choices=["production", "development"],
        default=None,
        help="rule profile: production makes every rule mandatory; development makes resilience rules advisory "
        "(default: from the stack's crossdock:environment.tier, else production)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "sarif", "junit"],
        default="text",
        help="report format (default: text); json/sarif/junit go to --output or stdout",
    )
    parser.add_argument("--output", metavar="FILE", type=Path, default=None, help="write the report to FILE")
    parser.add_argument(
        "--show-plan",
        action="store_true",
        help="print the planned resource tree (as `crossdock plan` does) before the gate report",
    )
    parser.add_argument(
        "--waivers",
        metavar="FILE",
        type=Path,
        default=None,
        help="waivers file (default: policies/waivers.yaml in the project, if present)",
    )
    parser.add_argument(
        "--policy-config",
        metavar="FILE",
        type=Path,
        default=None,
        help="per-rule config and enforcement levels, the JSON format of `pulumi --policy-pack-config`",
    )
    parser.add_argument(
        "--no-checkov",
        action="store_true",
        help="skip the checkov scan of the exported plan (by default checkov runs after the pack; "
        "its mandatory ids are listed in policies/checkov.yaml)",
    )


def _check_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from crossdock.blueprint import CheckOptions, run_check
    from crossdock.gate.reports import RENDERERS
    from crossdock.gate.reports.text import print_text
    from policies.profiles import Profile

    if not args.no_checkov:
        from crossdock.checkov import find_checkov

        find_checkov()  # fail fast (exit 2, one line saying how to install it) before planning
    options = CheckOptions(
        profile=Profile(args.profile) if args.profile else None,
        waivers=args.waivers,
        checkov=not args.no_checkov,
        policy_config=args.policy_config,
    )
    plan, result = run_check(project_dir(args), args.stack, options)
    if args.show_plan:
        from crossdock.engine.view import render_plan

        render_plan(plan, _stdout_console())
        print()
    if args.format == "text":
        if args.output:
            with _open_output(args.output) as handle:
                print_text(result, Console(file=handle, width=160, no_color=True))
        else:
            print_text(result, _stdout_console())
    else:
        report = RENDERERS[args.format](result)
        if args.output:
            with _open_output(args.output) as handle:
                handle.write(report)
        else:
            sys.stdout.write(report)
    if args.output:
        summary = result.summary()
        verdict = "passed" if result.passed else "FAILED"
        print(
            f"crossdock check {result.stack}: {verdict} ({summary['mandatory']} mandatory, {summary['advisory']} advisory, "
            f"{summary['waived']} waived); {args.format} report written to {args.output}"
        )
    return EXIT_OK if result.passed else EXIT_GATE_FAILED


def _stdout_console():
    from rich.console import Console

    console = Console(file=sys.stdout)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160  # CI logs: wide enough for long type tokens and names
    return console


def _open_output(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise CrossdockError(f"cannot write report to {path}: {exc.strerror or exc}") from exc


register(
    Command(
        name="check",
        help="plan offline and gate the result with the policy pack",
        description=(
            "Run the project's Pulumi program for STACK offline, evaluate the crossdock policy pack's rule "
            "objects in-process (the same objects `pulumi preview --policy-pack policies` runs), scan the plan "
            "exported as Terraform-plan JSON and Kubernetes manifests with checkov (unless --no-checkov), apply "
            "waivers from policies/waivers.yaml, and report. Exit codes: 0 the gate passed; 1 a mandatory "
            "finding is not waived; 2 bad input (unknown stack, invalid stack or waivers file, the program failed, "
            "checkov not installed: scripts/bootstrap.sh installs it)."
        ),
        add_arguments=_check_arguments,
        run=_check_command,
    )
)


# -- export ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("tf-plan", "k8s")


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_arguments(parser)
    parser.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        help="tf-plan: every AWS resource as Terraform plan JSON (checkov's terraform_plan framework); "
        "k8s: one YAML manifest per Kubernetes resource (checkov's kubernetes framework)",
    )
    parser.add_argument(
        "--output",
        required=True,
        metavar="PATH",
        type=Path,
        help="tf-plan: the JSON file to write; k8s: the directory to write the manifests into (created if missing)",
    )


def _export_command(args: argparse.Namespace) -> int:
    output: Path = args.output
    _check_export_output(output, directory=args.format == "k8s")
    plan = run_plan(args)
    if args.format == "tf-plan":
        from crossdock.export.tfplan import to_terraform_plan

        tf_export = to_terraform_plan(plan)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            tf_export.write(output)
        except OSError as exc:
            raise CrossdockError(f"cannot write Terraform plan JSON to {output}: {exc.strerror or exc}") from exc
        summary = f"{tf_export.resource_count} AWS resource(s) exported as Terraform plan JSON to {output}"
        warnings = tf_export.warnings
    else:
        from crossdock.export.kubernetes import to_kubernetes_manifests

        k8s_export = to_kubernetes_manifests(plan)
        try:
            k8s_export.write(output)
        except OSError as exc:
            raise CrossdockError(f"cannot write Kubernetes manifests to {output}: {exc.strerror or exc}") from exc
        summary = f"{k8s_export.resource_count} Kubernetes resource(s) exported as manifests to {output}"
        warnings = k8s_export.warnings
    print(f"crossdock export {plan.stack}: {summary}; {len(warnings)} warning(s)")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _check_export_output(path: Path, *, directory: bool) -> None:
    """Refuse an output path that cannot be written before spending time on the plan."""
    if directory and path.exists() and not path.is_dir():
        raise CrossdockError(f"--output {path} is a file; --format k8s writes a directory of manifests")
    if not directory and path.is_dir():
        raise CrossdockError(f"--output {path} is a directory; --format tf-plan writes one JSON file")
    existing = path if directory and path.is_dir() else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise CrossdockError(f"cannot write to {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK) or (path.is_file() and not os.access(path, os.W_OK)):
        raise CrossdockError(f"cannot write to {path}: permission denied")


register(
    Command(
        name="export",
        help="plan offline and export the graph as Terraform plan JSON or Kubernetes manifests",
        description=(
            "Run the project's Pulumi program for STACK offline and write what it would create in a format other "
            "tools scan: --format tf-plan writes every AWS resource as Terraform plan JSON (Terraform resource types "
            "and attribute names, references between resources from the graph's dependencies) to the file --output; "
            "--format k8s writes one YAML manifest per Kubernetes resource into the directory --output. Prints how "
            "many resources were exported; resource types with no Terraform mapping are listed as warnings. "
            "Exit codes: 0 ok; 2 bad input (unknown stack, invalid project or stack file, the program failed, "
            "an output path that cannot be written)."
        ),
        add_arguments=_export_arguments,
        run=_export_command,
    )
)


# -- new (stack templates) --------------------------------------------------------------------


def _new_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.templates.cli import add_arguments

    add_arguments(parser)


def _new_command(args: argparse.Namespace) -> int:
    from crossdock.templates.cli import run

    return run(args)


register(
    Command(
        name="new",
        help="write a new stack from a template: `new region` or `new tenant`",
        description=(
            "Stack templates (stacks/templates/). `new region --from STACK --region REGION [--name NAME]` writes an "
            "environment stack for another region; `new tenant ID --env STACK --isolation pool|silo [--risk high]` "
            "registers a tenant and, for a silo, writes its stack Pulumi.STACK-tenant-ID.yaml. Each plans the result "
            "offline, prints what it wrote and the next command. Exit codes: 0 written; 2 bad input (existing stack, "
            "duplicate tenant id, invalid option, a result that does not plan; nothing is left behind)."
        ),
        add_arguments=_new_arguments,
        run=_new_command,
    )
)


# -- diff (what a change does, between two git revisions) ---------------------------------------


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.diff.cli import add_arguments

    add_arguments(parser)


def _diff_command(args: argparse.Namespace) -> int:
    from crossdock.diff.cli import run

    return run(args, project_dir(args))


register(
    Command(
        name="diff",
        help="what a change does to a stack: plan offline at two git revisions, compare, classify by risk",
        description=(
            "Plan STACK offline at the git revision --base and at --head (default: the working tree), compare the "
            "graphs by URN (added, removed, updated and replaced resources; changed inputs before -> after, secrets "
            "masked; protect/retain changes; parent, provider or region moves, which replace), and classify every "
            "change: data-loss, security-widening, resilience-reduction, high-risk or routine. Risky changes are "
            "listed first. --format markdown is the pull-request comment. Exit codes: 0 the report was written "
            "(whatever it contains); 2 bad input (not a git repository, unknown revision, a revision that does not plan)."
        ),
        add_arguments=_diff_arguments,
        run=_diff_command,
    )
)


# -- deploy-gate (freeze windows, approvals, the deploy-freeze flag) ---------------------------


def _deploy_gate_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.deploy.cli import add_arguments

    add_arguments(parser)


def _deploy_gate_command(args: argparse.Namespace) -> int:
    from crossdock.deploy.cli import run

    return run(args, project_dir(args))


register(
    Command(
        name="deploy-gate",
        help="may this change go to STACK now? freeze flag, freeze windows, approvals; break-glass audited",
        description=(
            "Decide whether the change from --base to --head (default: the working tree) may be deployed to STACK at "
            "--at (default: now). Blocks while the SSM parameter /crossdock/ENV/deploy-freeze is on; while a freeze "
            "window of crossdock:deploy (read from the --base revision) is in force (blocks: all, or only risky "
            "changes as `crossdock diff` classifies them); and when a risky change has no approval (the approvals file "
            "or --approved-by/--approval-reason). --break-glass --reason TEXT deploys anyway, announced on the "
            "critical alert topic. Every decision is appended to the audit log. Exit codes: 0 the change may go; "
            "1 blocked (the window and when it ends, the flag, or the missing approval); 2 bad input."
        ),
        add_arguments=_deploy_gate_arguments,
        run=_deploy_gate_command,
    )
)


# -- preview / up (the real Pulumi CLI, through the Automation API) ---------------------------


def _preview_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.deploy.up_cli import add_preview_arguments

    add_preview_arguments(parser)


def _preview_command(args: argparse.Namespace) -> int:
    from crossdock.deploy.up_cli import run_preview_command

    return run_preview_command(args, project_dir(args))


register(
    Command(
        name="preview",
        help="pulumi preview with the policy pack, through the Automation API (needs the Pulumi CLI)",
        description=(
            "Run `pulumi preview` for STACK through the Pulumi Automation API with the crossdock policy pack "
            "(policy_packs=['policies']) and save the update plan (--plan FILE keeps it). Needs the real Pulumi CLI, "
            "logged in to a backend, and cloud credentials; without `pulumi` on PATH it stops with one line. "
            "Exit codes: 0 the preview passed; 1 it failed (policy violations, provider errors); 2 bad input or no CLI."
        ),
        add_arguments=_preview_arguments,
        run=_preview_command,
    )
)


def _up_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.deploy.up_cli import add_up_arguments

    add_up_arguments(parser)


def _up_command(args: argparse.Namespace) -> int:
    from crossdock.deploy.up_cli import run_up_command

    return run_up_command(args, project_dir(args))


register(
    Command(
        name="up",
        help="preview with the policy pack, deploy gate, then pulumi up constrained to the previewed plan",
        description=(
            "Through the Pulumi Automation API: `pulumi preview` with the policy pack saving an update plan, then "
            "`crossdock deploy-gate` (freeze flag, windows, approvals; --break-glass --reason), then `pulumi up` "
            "constrained to that plan, then a deployment marker (EventBridge event and a CloudWatch metric: stack, "
            "revision, who, change summary). Needs the real Pulumi CLI; without `pulumi` on PATH it stops with one "
            "line. Exit codes: 0 deployed; 1 the preview, the gate or the update failed; 2 bad input or no CLI."
        ),
        add_arguments=_up_arguments,
        run=_up_command,
    )
)


# -- entry point ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossdock",
        description="Offline planning and policy tooling for the crossdock Pulumi blueprint.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true", default=False, help="show tracebacks for errors")
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a `--debug` given before the subcommand from being reset by the subparser.
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        sub = subparsers.add_parser(command.name, help=command.help, description=command.description, parents=[common])
        command.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (argparse exits with 2 itself on bad flags)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return COMMANDS[args.command].run(args)
    except CrossdockError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"crossdock: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("crossdock: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug in crossdock, reported without a traceback
        if args.debug:
            traceback.print_exc()
        print(
            f"crossdock: internal error: {type(exc).__name__}: {one_line(str(exc))} (rerun with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("crossdock")
    except Exception:  # noqa: BLE001 - not installed (running from a checkout)
        return "0+checkout"


if __name__ == "__main__":
    sys.exit(main())
