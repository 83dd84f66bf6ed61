"""Helpers shared by the tenancy and template tests: scratch projects, stack files, the CLI."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import yaml

from crossdock.cli import main

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
PROD_FILE = STACKS / "Pulumi.prod.yaml"
ACME_FILE = STACKS / "Pulumi.prod-tenant-acme.yaml"


def scratch_project(directory: Path, *, tenant_stacks: bool = True) -> Path:
    """A copy of the blueprint project: Pulumi.yaml, stack files and waivers copied, the program linked.

    The program (`__main__.py`, components/) runs from the repository, so a test exercises the
    real code against stack files it may change. `tenant_stacks=False` leaves out the shipped
    silo tenant stacks (their tenants stay registered in the environment files).
    """
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", directory / "Pulumi.yaml")
    for name in ("__main__.py", "components"):
        (directory / name).symlink_to(ROOT / name)
    # The project's waivers travel with it, as they do for `crossdock check --project`.
    (directory / "policies").mkdir()
    shutil.copy(ROOT / "policies" / "waivers.yaml", directory / "policies" / "waivers.yaml")
    stacks = directory / "stacks"
    shutil.copytree(STACKS, stacks, ignore=shutil.ignore_patterns("__pycache__"))
    if not tenant_stacks:
        for path in stacks.glob("Pulumi.*-tenant-*.yaml"):
            path.unlink()
    return directory


def namespace(path: Path) -> dict:
    config = yaml.safe_load(path.read_text())["config"]
    return {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith("crossdock:")}


def cli(*argv: str) -> tuple[int, str, str]:
    """Run `crossdock ARGV` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
