"""The `crossdock` command line.

Each subcommand is one `Command` in `COMMANDS`: a function that adds its arguments
and a function that runs it and returns the exit code. `main` owns the shared
behaviour: exit codes (0 ok, 1 gate failed, 2 bad input, 3 a bug in crossdock itself),
one-line errors on stderr, tracebacks only with `--debug`, and `--timeout`.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from crossdock.errors import CrossdockError, one_line

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The crossdock repository (holds Pulumi.yaml)."""


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
        help="Pulumi project directory holding Pulumi.yaml (default: the working directory or its nearest parent "
        "with a Pulumi.yaml, as the Pulumi CLI finds it)",
    )
    parser.add_argument(
        "--stack-outputs",
        metavar="NAME=FILE.json",
        action="append",
        default=[],
        help="outputs of a referenced stack the engine cannot run (another language, not on disk): NAME as the "
        "program's StackReference names it, FILE a JSON object (`pulumi stack output --json --show-secrets`); "
        "repeatable",
    )


def project_dir(args: argparse.Namespace) -> Path:
    """--project, else the working directory or its nearest parent holding Pulumi.yaml (like the Pulumi CLI)."""
    from crossdock.engine.project import find_project_dir

    return args.project if args.project is not None else find_project_dir()


def run_plan(args: argparse.Namespace):
    """Run the project's program for args.stack offline and return the Plan."""
    from crossdock import activity
    from crossdock.engine import run_program
    from crossdock.engine.references import load_stack_outputs

    supplied = dict(load_stack_outputs(spec) for spec in getattr(args, "stack_outputs", None) or [])
    activity.doing(f"running the Pulumi program of {args.stack} offline")
    return run_program(project_dir(args), args.stack, stack_outputs=supplied)


DEFAULT_TIMEOUT_SECONDS = 600.0


def add_timeout_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_timeout_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"stop the run after SECONDS (default: {DEFAULT_TIMEOUT_SECONDS:g}), naming what it was doing; exit 2",
    )


def _timeout_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= 86400 or value != value:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 86400, got {text!r}")
    return value


def run_inputs(args: argparse.Namespace, *extra: tuple[Path | None, str]) -> list[tuple[Path, str]]:
    """The files a plan/check/export run reads: no output may be written over them.

    The project file, the program, every stack file of the stacks directory, and `extra` (waivers,
    policy config). A project that does not load contributes nothing: the run reports it.
    """
    from crossdock.engine.project import load_project

    inputs = [(path, what) for path, what in extra if path is not None]
    try:
        project = load_project(project_dir(args))
    except CrossdockError:
        return inputs
    program = project.program / "__main__.py" if project.program.is_dir() else project.program
    inputs += [(project.project_file, "the project file"), (program, "the program")]
    with suppress(OSError):
        inputs += [(path, "a stack file") for path in sorted(project.stack_config_dir.glob("Pulumi.*.y*ml"))]
    return inputs


def guard_output(args: argparse.Namespace, output: Path, flag: str, *extra: tuple[Path | None, str]) -> None:
    """Refuse an output that would replace a file the run reads, or the program's source."""
    from crossdock.engine.project import load_project
    from crossdock.files import OutputError, refuse_inputs

    refuse_inputs(output, run_inputs(args, *extra), flag=flag)
    try:
        program_dir = load_project(project_dir(args)).program_dir
    except CrossdockError:
        return
    target = Path(os.path.abspath(output))
    real = Path(os.path.realpath(output))
    roots = {Path(os.path.abspath(program_dir)), program_dir.resolve()}
    if (target.suffix == ".py" or real.suffix == ".py") and any(
        root in path.parents for root in roots for path in (target, real)
    ):
        raise OutputError(f"{flag} {output} is a source file of the program; refusing to write over it")


# -- plan -----------------------------------------------------------------------------------


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_arguments(parser)
    parser.add_argument(
        "--json",
        metavar="FILE",
        dest="json_file",
        help="also write the plan as JSON to FILE ('-' writes only the JSON, to stdout)",
    )
    add_timeout_argument(parser)


def _plan_command(args: argparse.Namespace) -> int:
    from crossdock.engine.view import render_plan
    from crossdock.files import write_atomic

    if args.json_file and args.json_file != "-":
        guard_output(args, Path(args.json_file), "--json")
    plan = run_plan(args)
    if args.json_file == "-":
        sys.stdout.write(plan.dumps() + "\n")
        return EXIT_OK
    console = _stdout_console()
    render_plan(plan, console)
    if args.json_file:
        path = Path(args.json_file)
        write_atomic(path, plan.dumps() + "\n", what="plan JSON")
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
            "2 bad input (unknown stack, invalid project or stack file, the program failed or ran past --timeout); "
            "3 a bug in crossdock itself."
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
    add_timeout_argument(parser)


def _check_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from crossdock.blueprint import CheckOptions, check_plan
    from crossdock.files import write_atomic
    from crossdock.gate.reports import RENDERERS
    from crossdock.gate.reports.text import print_text
    from policies.profiles import Profile

    if args.output:
        guard_output(
            args,
            args.output,
            "--output",
            (args.waivers or project_dir(args) / "policies" / "waivers.yaml", "the waivers file"),
            (args.policy_config, "the policy config file"),
        )
    from crossdock import activity

    activity.doing("loading the policy pack, the waivers and the policy config")
    _check_gate_inputs(args)  # a bad waivers or policy-config file fails before minutes of planning
    if not args.no_checkov:
        from crossdock.checkov import find_checkov

        find_checkov()  # fail fast (exit 2, one line saying how to install it) before planning
    options = CheckOptions(
        profile=Profile(args.profile) if args.profile else None,
        waivers=args.waivers,
        checkov=not args.no_checkov,
        policy_config=args.policy_config,
    )
    plan = run_plan(args)
    result = check_plan(plan, project_dir(args), options)
    if args.show_plan:
        from crossdock.engine.view import render_plan

        render_plan(plan, _stdout_console())
        print()
    if args.format == "text":
        if args.output:
            buffer = io.StringIO()
            print_text(result, Console(file=buffer, width=160, no_color=True, emoji=False))
            write_atomic(args.output, buffer.getvalue(), what="report")
        else:
            print_text(result, _stdout_console())
    else:
        report = RENDERERS[args.format](result)
        if args.output:
            write_atomic(args.output, report, what="report")
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


def _check_gate_inputs(args: argparse.Namespace) -> None:
    """Load the policy config and the waivers (the gate loads them again; both are small)."""
    from crossdock.gate.check import WAIVERS_FILE
    from crossdock.gate.policy_config import load_policy_config
    from crossdock.gate.waivers import WaiverError, check_rule_ids, load_waivers
    from policies.rules import RULES

    if args.policy_config is not None:
        load_policy_config(args.policy_config, RULES)
    waivers = args.waivers or project_dir(args) / WAIVERS_FILE
    if args.waivers is not None and not args.waivers.is_file():
        raise WaiverError(f"{args.waivers}: waivers file not found")
    check_rule_ids(load_waivers(waivers), [rule.id for rule in RULES], waivers)


def _stdout_console():
    from rich.console import Console

    console = Console(file=sys.stdout, emoji=False)  # ARNs hold `:secret:`-like text, never emoji codes
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160  # CI logs: wide enough for long type tokens and names
    return console


register(
    Command(
        name="check",
        help="plan offline and gate the result with the policy pack",
        description=(
            "Run the project's Pulumi program for STACK offline, evaluate the crossdock policy pack's rule "
            "objects in-process (the same objects `pulumi preview --policy-pack policies` runs), scan the plan "
            "exported as Terraform-plan JSON and Kubernetes manifests with checkov (unless --no-checkov), apply "
            "waivers from policies/waivers.yaml, and report. Exit codes: 0 the gate passed; 1 a mandatory "
            "finding is not waived; 2 bad input (unknown stack, invalid stack or waivers file, the program failed or ran "
            "past --timeout, checkov not installed: scripts/bootstrap.sh installs it); 3 a bug in crossdock itself."
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
        help="tf-plan: the JSON file to write; k8s: the directory to write the manifests into (created if missing; "
        "a directory crossdock did not write must be empty)",
    )
    add_timeout_argument(parser)


def _export_command(args: argparse.Namespace) -> int:
    from crossdock import activity
    from crossdock.files import check_directory_output, refuse_inputs_under, write_atomic, write_directory

    output: Path = args.output
    directory = args.format == "k8s"
    _check_export_output(output, directory=directory)
    guard_output(args, output, "--output")
    if directory:
        refuse_inputs_under(output, output, run_inputs(args), flag="--output")
        check_directory_output(output)
    plan = run_plan(args)
    activity.doing(f"writing the {args.format} export of {plan.stack}")
    if args.format == "tf-plan":
        from crossdock.export.tfplan import to_terraform_plan

        tf_export = to_terraform_plan(plan)
        write_atomic(output, tf_export.dumps() + "\n", what="Terraform plan JSON")
        summary = f"{tf_export.resource_count} AWS resource(s) exported as Terraform plan JSON to {output}"
        warnings = tf_export.warnings
    else:
        from crossdock.export.kubernetes import to_kubernetes_manifests

        k8s_export = to_kubernetes_manifests(plan)
        write_directory(output, {manifest.filename: manifest.dumps() for manifest in k8s_export.manifests})
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
            "Exit codes: 0 ok; 2 bad input (unknown stack, invalid project or stack file, the program failed or ran "
            "past --timeout, an output path that cannot be written or is one of the run's inputs, a non-empty "
            "directory crossdock did not write); 3 a bug in crossdock itself."
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


# -- impact (the operating model: what breaks for the business) ------------------------------


def _impact_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.impact.cli import add_arguments

    add_stack_arguments(parser)
    add_arguments(parser)


def _impact_command(args: argparse.Namespace) -> int:
    from crossdock.impact.cli import run

    return run(args, project_dir(args))


register(
    Command(
        name="impact",
        help="what breaks for the business if TARGET fails: processes, severity, who to page, runbooks, notice",
        description=(
            "Plan STACK offline and walk the recorded graph (who depends on what fails) and the stack's operating "
            "model (docs/operating-model.md): the business processes hit directly and downstream, their severity "
            "from the severity matrix, the tenants, who to page (owning teams' primary, backup and escalation "
            "contacts, vendors), the runbooks with their parameters, and the customer notice filled in. TARGET: a "
            "service, queue, database, tenant or integration of the stack file, a resource name of the plan, "
            "az:ZONE or a region. Exit codes: 0 ok; 2 bad input (unknown stack or target)."
        ),
        add_arguments=_impact_arguments,
        run=_impact_command,
    )
)


# -- diagram (the architecture picture) --------------------------------------------------------


def _diagram_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.diagram.cli import add_arguments

    add_stack_arguments(parser)
    add_arguments(parser)


def _diagram_command(args: argparse.Namespace) -> int:
    from crossdock.diagram.cli import run

    return run(args, project_dir(args))


register(
    Command(
        name="diagram",
        help="draw the stack: regions, zones, edge, services by tier, queues, databases, DR copies, tenants",
        description=(
            "Plan STACK offline and draw it with Graphviz (dot): regions and zones as clusters, the public edge, "
            "the services by criticality tier, queues with their DLQs, databases with readers, the DR region with "
            "its copies and RPOs, silo tenants as their own boxes, and the data and replication paths (alarms "
            "and policies are left out). --view services (default), network, dr or tenants. --output FILE.svg or "
            ".png renders with Graphviz's dot; FILE.dot writes the source. Exit codes: 0 written; 2 bad input "
            "(unknown stack, bad --output, dot missing for .svg/.png)."
        ),
        add_arguments=_diagram_arguments,
        run=_diagram_command,
    )
)


# -- runbook (incident runbooks) ----------------------------------------------------------------


def _runbook_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.runbook.cli import add_arguments

    add_arguments(parser)


def _runbook_command(args: argparse.Namespace) -> int:
    from crossdock.runbook.cli import run

    return run(args)


register(
    Command(
        name="runbook",
        help="incident runbooks: `runbook list`, `runbook show NAME`, `runbook run NAME --stack STACK`",
        description=(
            "Pre-approved incident runbooks (runbooks/): queue-replay, db-failover, rotate-credentials, "
            "isolate-tenant, release-tenant, freeze-deploys, unfreeze-deploys. `run` is a dry run unless --execute "
            "(which needs --reason); targets come from the stack's names and tags; every run appends an audit record. "
            "Exit codes: 0 done or a clean dry run; 1 stopped by a precondition or stop condition; 2 bad input "
            "(unknown runbook or stack, bad parameter, missing or ambiguous target)."
        ),
        add_arguments=_runbook_arguments,
        run=_runbook_command,
    )
)


# -- emulate (the stack inside moto) ------------------------------------------------------------


def _emulate_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.emulate.cli import add_arguments

    add_arguments(parser)


def _emulate_command(args: argparse.Namespace) -> int:
    from crossdock.emulate.cli import run

    return run(args)


register(
    Command(
        name="emulate",
        help="create the stack's stateful resources, from the offline plan, in an emulated AWS (moto)",
        description=(
            "Plan STACK offline and create its queues, DLQs, topics, alarms, buckets, Aurora clusters and global "
            "clusters, secrets, IAM roles, web ACLs, the replay ledger, the deploy-freeze parameter and log groups in "
            "moto, with the plan's names, tags and settings. Without --endpoint-url it serves them on 127.0.0.1:PORT "
            "until Ctrl-C; with --endpoint-url it fills a running moto server and exits. Runbooks rehearse against it "
            "with --endpoint-url. Exit codes: 0 ok; 2 bad input (unknown stack, bad option, no server at the URL)."
        ),
        add_arguments=_emulate_arguments,
        run=_emulate_command,
    )
)


# -- entry point ----------------------------------------------------------------------------


# -- assess ---------------------------------------------------------------------------------


def _assess_arguments(parser: argparse.ArgumentParser) -> None:
    from crossdock.assess.cli import add_arguments

    add_arguments(parser)


def _assess_command(args: argparse.Namespace) -> int:
    from crossdock.assess.cli import run

    return run(args)


register(
    Command(
        name="assess",
        help="estimate achievable RTO/RPO from the planned graph and compare with the declared objectives",
        description=(
            "Plan STACK offline and estimate, for each data class, database, bucket, integration flow and service "
            "tier, the RPO and RTO its resources can achieve after an AZ, hardware, software or region disruption; "
            "compare with the objectives declared on the graph (Resilience Hub policies): Met, Breached or Not "
            "covered, with the resources each estimate rests on and the published figure it uses "
            "(docs/resilience-model.md). Exit codes: 0 no declared objective breached; 1 some breached; 2 bad input."
        ),
        add_arguments=_assess_arguments,
        run=_assess_command,
    )
)


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
    if args.debug:  # the engine logs what it keeps off stderr (e.g. a failed program's stray futures)
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    else:  # a failed program's abandoned coroutines: noise after the one-line error
        import warnings

        warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
    try:
        with _deadline(args):
            return COMMANDS[args.command].run(args)
    except CrossdockError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"crossdock: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - a bug in crossdock, or a user error raised below the CLI
        if getattr(exc, "user_error", False) is not True:
            return _internal_error(exc, args)
        # A user error raised below the CLI (a stack file that does not validate): one line, exit 2.
        if args.debug:
            traceback.print_exc()
        print(f"crossdock: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("crossdock: interrupted", file=sys.stderr)
        return 130


def _internal_error(exc: BaseException, args: argparse.Namespace) -> int:
    """A bug in crossdock: one line, exit 3 (EXIT_INTERNAL_ERROR), the traceback only with --debug."""
    if args.debug:
        traceback.print_exc()
    print(
        f"crossdock: internal error: {type(exc).__name__}: {one_line(str(exc))} (rerun with --debug for the traceback)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL_ERROR


class RunTimedOut(CrossdockError):
    """--timeout passed: the one line names the command, the stack and what the run was doing."""


@contextmanager
def _deadline(args: argparse.Namespace) -> Iterator[None]:
    """Stop the command after args.timeout seconds (commands with --timeout; main thread only)."""
    seconds = getattr(args, "timeout", None)
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    from crossdock import activity

    activity.doing("starting")

    def expire(signum, frame):
        raise RunTimedOut(
            f"{args.command} {args.stack}: stopped after {seconds:g} s (--timeout) while {activity.current()}"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("crossdock")
    except Exception:  # noqa: BLE001 - not installed (running from a checkout)
        return "0+checkout"


if __name__ == "__main__":
    sys.exit(main())
