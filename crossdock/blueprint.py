"""The crossdock blueprint's pieces, wired into the generic offline gate.

The gate (`crossdock.gate.check`) takes a rule set, a profile resolver and scanners as
inputs; this module supplies crossdock's: the pack's `RULES`, the profile that a
stack's `crossdock:environment.tier` calls for, and checkov with the curated catalog
`policies/checkov.yaml`. `crossdock check` and the tests gate through `check_plan` /
`run_check` here; another Pulumi project (`--project`) gets the same rules and catalog,
and the default profile when its stacks have no crossdock tier.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from crossdock.checkov.gate import CheckovScanner
from crossdock.engine import Plan, load_project, load_stack
from crossdock.errors import CrossdockError
from crossdock.gate.check import CheckOptions, GateInputs, gate_plan, run_gate
from crossdock.gate.findings import GateResult
from policies.actions import catalogue_version
from policies.profiles import DEFAULT_PROFILE, PROFILE_FOR_TIER, Profile
from policies.rules import RULES

REPO_ROOT = Path(__file__).resolve().parent.parent
CHECKOV_CATALOG = REPO_ROOT / "policies" / "checkov.yaml"
"""The checkov ids that block crossdock's gate, each with a category and why."""

CATALOGUE_RULES = ("CD-IAM-003", "CD-IAM-007")
"""The rules that read AWS's action catalogue (policies/actions.py)."""

ENVIRONMENT_KEY = "crossdock:environment"
TENANT_KEY = "crossdock:tenant"

__all__ = ["CHECKOV_CATALOG", "CheckOptions", "check_plan", "gate_inputs", "profile_for", "run_check"]


def profile_for(plan: Plan) -> Profile:
    """The profile a crossdock stack's tier calls for; the default for other projects.

    A silo tenant stack (`crossdock:tenant`) has no tier of its own: it is gated like
    the environment stack it belongs to.
    """
    config = plan.config
    tenant = _json_value(config.get(TENANT_KEY))
    if isinstance(tenant, dict) and plan.project_dir is not None and ENVIRONMENT_KEY not in config:
        try:
            config = load_stack(load_project(plan.project_dir), str(tenant["environmentStack"])).config
        except (CrossdockError, KeyError):
            return DEFAULT_PROFILE
    environment = _json_value(config.get(ENVIRONMENT_KEY))
    try:
        return PROFILE_FOR_TIER[environment["tier"]]
    except (TypeError, KeyError):
        return DEFAULT_PROFILE


def gate_inputs(checkov_executable: Path | None = None) -> GateInputs:
    """The blueprint's rule set, profile resolver and checkov scanner."""
    return GateInputs(
        rules=RULES,
        resolve_profile=profile_for,
        scanners=(CheckovScanner(CHECKOV_CATALOG, executable=checkov_executable),),
    )


def check_plan(plan: Plan, project_dir: Path, options: CheckOptions = CheckOptions()) -> GateResult:
    """Gate an existing plan with the blueprint's rules (the benchmark times this apart from planning)."""
    return _with_notes(plan, gate_plan(plan, project_dir, gate_inputs(), options))


def run_check(project_dir: Path, stack: str, options: CheckOptions = CheckOptions()) -> tuple[Plan, GateResult]:
    """Plan the stack offline and gate it with the blueprint's rules; raises CrossdockError for bad input."""
    plan, result = run_gate(project_dir, stack, gate_inputs(), options)
    return plan, _with_notes(plan, result)


def _with_notes(plan: Plan, result: GateResult) -> GateResult:
    """Say which catalogue the least-privilege rules read, and what the rules could not see."""
    notes = list(result.notes)
    if any(r.type.startswith("aws:iam/") for r in plan.resources):
        notes.append(f"AWS action catalogue for {', '.join(CATALOGUE_RULES)}: {catalogue_version()}")
    for resource in plan.resources:
        if resource.remote:
            notes.append(
                f"{resource.type} {resource.name!r} is built by a provider plugin: its children are not planned "
                f"offline, so none of the {len(RULES)} rules (nor checkov) could see inside it"
            )
    return result if notes == result.notes else dataclasses.replace(result, notes=notes)


def _json_value(raw: Any) -> Any:
    """Structured config values arrive as JSON text, as the CLI passes them."""
    try:
        return json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
