"""`crossdock check`: plan offline, evaluate the pack, apply waivers, decide.

The profile follows the stack's tier when the project is a crossdock blueprint
(`crossdock:environment.tier`); other projects get `--profile`, default production.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from crossdock import activity
from crossdock.engine import Plan, load_project, load_stack, run_program
from crossdock.errors import CrossdockError
from crossdock.gate.evaluate import evaluate
from crossdock.gate.findings import GateResult
from crossdock.gate.policy_config import load_policy_config
from crossdock.gate.waivers import WaiverError, apply_waivers, check_rule_ids, load_waivers, unmatched_notes
from policies.profiles import DEFAULT_PROFILE, PROFILE_FOR_TIER, Profile
from policies.rules import RULES

WAIVERS_FILE = Path("policies") / "waivers.yaml"


@dataclass(frozen=True)
class CheckOptions:
    profile: Profile | None = None
    waivers: Path | None = None
    today: dt.date | None = None
    checkov: bool = False
    """Also scan with checkov (crossdock.checkov); the CLI turns it on unless --no-checkov."""
    policy_config: Path | None = None
    """A `pulumi --policy-pack-config` JSON file: per-rule config and enforcement levels."""


def run_check(project_dir: Path, stack: str, options: CheckOptions = CheckOptions()) -> tuple[Plan, GateResult]:
    """Plan the stack offline and gate it; raises CrossdockError for bad input."""
    activity.doing(f"running the Pulumi program of {stack} offline")
    plan = run_program(project_dir, stack)
    return plan, check_plan(plan, project_dir, options)


def check_plan(plan: Plan, project_dir: Path, options: CheckOptions = CheckOptions()) -> GateResult:
    """Gate an existing plan (the benchmark times this separately from planning)."""
    profile = options.profile or profile_for(plan)
    policy_config = load_policy_config(options.policy_config, RULES) if options.policy_config else None
    activity.doing(f"evaluating the policy pack on {plan.stack}")
    findings = evaluate(plan, RULES, profile, policy_config)
    waivers_path = options.waivers or (project_dir / WAIVERS_FILE)
    if options.waivers is not None and not options.waivers.is_file():
        # The default file is optional; one named explicitly (--waivers) must exist.
        raise WaiverError(f"{options.waivers}: waivers file not found")
    waivers = load_waivers(waivers_path)
    check_rule_ids(waivers, [rule.id for rule in RULES], waivers_path)
    custom = [resource for resource in plan.resources if resource.custom]
    unmatched = unmatched_notes(waivers, plan.stack, (r.name for r in custom), (r.urn for r in custom))
    rules_run, notes = [rule.id for rule in RULES], []
    if options.checkov:
        from crossdock.checkov.gate import gate_checkov

        activity.doing(f"scanning {plan.stack} with checkov")
        checkov = gate_checkov(plan, profile, RULES, findings)
        findings, rules_run, notes = findings + checkov.findings, rules_run + checkov.rules_run, checkov.notes
    outcome = apply_waivers(findings, waivers, plan.stack, options.today)
    return GateResult(
        project=plan.project,
        stack=plan.stack,
        profile=profile.value,
        resources=sum(1 for resource in plan.resources if resource.custom),
        findings=outcome.findings,
        rules_run=rules_run,
        notes=outcome.notes + unmatched + notes,
        project_dir=plan.project_dir or project_dir,
    )


def profile_for(plan: Plan) -> Profile:
    """The profile a crossdock stack's tier calls for; the default for other projects.

    A silo tenant stack (`crossdock:tenant`) has no tier of its own: it is gated like
    the environment stack it belongs to.
    """
    config = plan.config
    tenant = _json_value(config.get("crossdock:tenant"))
    if isinstance(tenant, dict) and plan.project_dir is not None and "crossdock:environment" not in config:
        try:
            config = load_stack(load_project(plan.project_dir), str(tenant["environmentStack"])).config
        except (CrossdockError, KeyError):
            return DEFAULT_PROFILE
    environment = _json_value(config.get("crossdock:environment"))
    try:
        return PROFILE_FOR_TIER[environment["tier"]]
    except (TypeError, KeyError):
        return DEFAULT_PROFILE


def _json_value(raw):
    """Structured config values arrive as JSON text, as the CLI passes them."""
    try:
        return json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
