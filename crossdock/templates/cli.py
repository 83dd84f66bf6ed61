"""`crossdock new region|tenant`: the arguments and the run function the CLI registers.

Both subcommands write into the project's stacks directory (or `--stacks-dir`), plan
the result offline to prove it works, print what they wrote and the next command to
run, and exit 2 without leaving anything behind when they cannot (existing stack,
duplicate tenant id, bad option, a result that does not plan).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from crossdock.config.regions import AZ_COUNT
from crossdock.engine.project import display_path
from crossdock.errors import CrossdockError
from crossdock.templates.render import TemplateError, Written, validate_by_planning

REPO_ROOT = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    subcommands = parser.add_subparsers(dest="template", metavar="TEMPLATE", required=True)

    region = subcommands.add_parser(
        "region",
        help="write an environment stack for another region, made from an existing one",
        description=(
            "Write stacks/Pulumi.NAME.yaml: the source stack's tier, data classes, databases, queues, KPIs, alerting "
            "and transaction tier in REGION, with a VPC CIDR of the source's size that overlaps no stack's VPC or DR "
            "VPC, the DR region from the pairing table (docs/regions.md) and min(source, region) zones. The result is "
            "planned offline before the command succeeds; an existing stack is never overwritten (exit 2)."
        ),
    )
    region.add_argument(
        "--from", dest="source", required=True, metavar="STACK", help="environment stack to copy (e.g. prod)"
    )
    region.add_argument(
        "--region",
        required=True,
        metavar="REGION",
        help=f"AWS region of the new stack (one of: {', '.join(sorted(AZ_COUNT))})",
    )
    region.add_argument(
        "--name",
        default=None,
        metavar="NAME",
        help="stack and environment name (default: SOURCE-<region code>, e.g. prod-euc1)",
    )
    region.add_argument(
        "--certificate-arn",
        default=None,
        metavar="ARN",
        help="ACM certificate in REGION for the public edge (default: the source's ARN moved to REGION; replace it before deploying)",
    )
    _location_arguments(region)

    tenant = subcommands.add_parser(
        "tenant",
        help="register a tenant in an environment stack; a silo tenant also gets its own stack file",
        description=(
            "Append the tenant to crossdock:tenants of stacks/Pulumi.ENV.yaml (comments and key order kept). A silo "
            "tenant also gets stacks/Pulumi.ENV-tenant-ID.yaml: its own databases (copied from ENV's), and a DR VPC "
            "block when its data needs a Global Database secondary. Tenant ids are unique across every stack; a "
            "high-risk tenant must be a silo. The result is planned offline before the command succeeds (exit 2, "
            "files restored, otherwise)."
        ),
    )
    tenant.add_argument("tenant_id", metavar="ID", help="tenant id: DNS-safe, unique across every stack (e.g. acme)")
    tenant.add_argument(
        "--env", required=True, metavar="STACK", help="environment stack the tenant belongs to (e.g. prod)"
    )
    tenant.add_argument(
        "--isolation", required=True, choices=["pool", "silo"], help="pool: shares ENV's data tier; silo: own stack"
    )
    tenant.add_argument(
        "--risk",
        default="standard",
        choices=["standard", "high"],
        help="high-risk tenants must be silo (default: standard)",
    )
    tenant.add_argument(
        "--display-name", default=None, metavar="NAME", help="customer name on dashboards and alarms (default: from ID)"
    )
    tenant.add_argument(
        "--flows",
        default=None,
        metavar="Q1,Q2",
        help="comma-separated integration flows (ENV's queues) the tenant uses (default: all of ENV's queues)",
    )
    tenant.add_argument(
        "--requests-per-five-minutes",
        type=int,
        default=2000,
        metavar="N",
        help="WAF rate limit on x-tenant-id (default: 2000)",
    )
    tenant.add_argument(
        "--queue-messages-per-second", type=int, default=50, metavar="N", help="queue throughput quota (default: 50)"
    )
    tenant.add_argument(
        "--team",
        default=None,
        metavar="TEAM",
        help="owning team (ENV's crossdock:teams; default: the team owning most of the tenant's flows)",
    )
    _location_arguments(tenant)


def _location_arguments(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a --debug given before the subcommand is not reset here.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for errors")
    parser.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        default=None,
        help="Pulumi project whose program validates the new stack (default: the working directory or its nearest "
        "parent with a Pulumi.yaml)",
    )
    parser.add_argument(
        "--stacks-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="directory of the stack files to read and write, inside the project (default: the project's "
        "stackConfigDir)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the stacks directory, then read, decide, write and validate under its lock.

    The lock (an advisory flock on the directory, `crossdock.files.directory_lock`) makes concurrent
    `new` runs take turns: each re-reads the stack files after the previous one wrote, so no tenant
    registration is lost and no two new regions pick the same VPC CIDR.
    """
    from crossdock.config.loader import StackConfigError
    from crossdock.config.tenant_stack import stacks_dir
    from crossdock.engine.project import find_project_dir
    from crossdock.files import directory_lock

    try:
        project = (args.project or find_project_dir()).resolve()
        stacks = (args.stacks_dir or stacks_dir(project)).resolve()
    except RuntimeError:  # Path.resolve on a symlink loop
        raise TemplateError("--project or --stacks-dir is a symlink loop") from None
    if not any((project / name).is_file() for name in ("Pulumi.yaml", "Pulumi.yml")):
        raise TemplateError(f"--project {args.project}: no Pulumi.yaml in {display_path(project)}")
    if not stacks.is_relative_to(project):  # resolved: a symlink out of the project counts as outside
        where = f"--stacks-dir {args.stacks_dir}" if args.stacks_dir else f"stackConfigDir {display_path(stacks)}"
        raise TemplateError(
            f"{where} is outside the project {display_path(project)}: new stacks are written only inside the project"
        )
    _check_stacks_dir(stacks)
    try:
        with directory_lock(stacks):
            if args.template == "region":
                return _new_region(args, project, stacks)
            return _new_tenant(args, project, stacks)
    except StackConfigError as error:  # a stack file the command reads does not validate
        raise TemplateError(str(error)) from None


def _check_stacks_dir(stacks: Path) -> None:
    """The stacks directory exists, can be listed and written (its mode, not just the user's rights: root too)."""
    label = display_path(stacks)
    if not stacks.exists():
        raise TemplateError(f"stacks directory {label} does not exist")
    if not stacks.is_dir():
        raise TemplateError(f"stacks directory {label} is not a directory")
    mode = stacks.stat().st_mode
    if not os.access(stacks, os.R_OK | os.X_OK) or not mode & 0o444:
        raise TemplateError(f"stacks directory {label} cannot be read (permission denied)")
    if not os.access(stacks, os.W_OK) or not mode & 0o222:
        raise TemplateError(f"stacks directory {label} is read-only; crossdock new writes stack files there")


def _check_writable(path: Path) -> None:
    """A stack file `new` changes must be writable by its mode (a read-only file is a deliberate freeze)."""
    if path.exists() and not path.stat().st_mode & 0o222:
        raise TemplateError(f"{display_path(path)} is read-only; crossdock new would change it")


def _new_region(args: argparse.Namespace, project: Path, stacks: Path) -> int:
    from crossdock.templates.region import plan_region, write_region

    new = plan_region(stacks, args.source, args.region, args.name, args.certificate_arn)
    written = Written()
    try:
        write_region(new, written)
        plan = validate_by_planning(project, stacks, new.stack)
    except CrossdockError as error:
        written.rollback()
        raise TemplateError(f"new stack {new.stack!r} was not written: {error}") from error
    except BaseException:
        written.rollback()
        raise
    dr = f", DR {new.dr_strategy} to {new.dr_region}" if new.dr_region else ", no DR"
    print(
        f"wrote {display_path(new.path)}: {new.stack} in {new.region}, {new.az_count} zones, VPC {new.vpc_cidr}{dr} "
        f"(from {args.source})"
    )
    print(f"planned {new.stack} offline: {sum(1 for r in plan.resources if r.custom)} resources")
    if new.certificate_moved:
        print(
            f"note: crossdock:cluster.certificateArn now names {new.region}; ACM certificates are regional: "
            f"request one in {new.region} and put its ARN there before deploying"
        )
    print(f"next: scripts/crossdock check {new.stack}")
    return 0


def _new_tenant(args: argparse.Namespace, project: Path, stacks: Path) -> int:
    from crossdock.templates.tenant import plan_tenant, write_tenant

    flows = [flow.strip() for flow in args.flows.split(",") if flow.strip()] if args.flows is not None else None
    new = plan_tenant(
        stacks,
        args.tenant_id,
        args.env,
        args.isolation,
        args.risk,
        display_name=args.display_name,
        flows=flows,
        requests_per_five_minutes=args.requests_per_five_minutes,
        queue_messages_per_second=args.queue_messages_per_second,
        team=args.team,
    )
    _check_writable(new.environment_path)
    written = Written()
    target = new.stack or new.environment_stack
    try:
        write_tenant(new, written)
        plan = validate_by_planning(project, stacks, target)
    except CrossdockError as error:
        written.rollback()
        raise TemplateError(f"tenant {args.tenant_id!r} was not added: {error}") from error
    except BaseException:
        written.rollback()
        raise
    tenant = new.tenant
    print(
        f"registered tenant {tenant.id} ({tenant.isolation.value}, {tenant.risk.value} risk) in "
        f"{display_path(new.environment_path)} crossdock:tenants"
    )
    if new.path is not None:
        dr = f", DR VPC {new.dr_vpc_cidr}" if new.dr_vpc_cidr else ""
        print(f"wrote {display_path(new.path)}: silo stack {new.stack}{dr}")
    print(f"planned {target} offline: {sum(1 for r in plan.resources if r.custom)} resources")
    if new.stack:
        print(f"next: scripts/crossdock check {new.environment_stack} && scripts/crossdock check {new.stack}")
    else:
        print(f"next: scripts/crossdock check {new.environment_stack}")
    return 0
