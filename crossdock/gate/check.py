"""The gate: evaluate a rule set over an offline plan, add scanner findings, apply waivers, decide.

Generic by construction: the project's pieces come in as a `GateInputs` (the rule
set, the profile resolver, optional scanners such as checkov with its catalog), so
this module knows nothing of crossdock's own stacks, rules or config.
`crossdock.blueprint` wires the blueprint's pieces in for `crossdock check`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from crossdock import activity
from crossdock.engine import Plan, run_program
from crossdock.gate.evaluate import evaluate
from crossdock.gate.findings import Finding, GateResult
from crossdock.gate.policy_config import load_policy_config
from crossdock.gate.waivers import WaiverError, apply_waivers, check_rule_ids, load_waivers, unmatched_notes
from policies.profiles import DEFAULT_PROFILE, Profile
from policies.rule import Rule

WAIVERS_FILE = Path("policies") / "waivers.yaml"

ProfileResolver = Callable[[Plan], Profile]
"""The profile a plan is gated with when no `--profile` is given (e.g. from the stack's tier)."""


class ScanOutcome(Protocol):
    """What a scanner adds to the gate (`crossdock.checkov.gate.CheckovGate` is one)."""

    findings: list[Finding]
    rules_run: list[str]
    notes: list[str]


class Scanner(Protocol):
    """A second opinion on the plan, run after the rules (their findings allow de-duplication)."""

    def __call__(
        self, plan: Plan, profile: Profile, rules: Sequence[Rule], pack_findings: Sequence[Finding]
    ) -> ScanOutcome: ...


def default_profile(plan: Plan) -> Profile:
    """The resolver for projects that say nothing about their tier: production, the strictest."""
    return DEFAULT_PROFILE


@dataclass(frozen=True)
class GateInputs:
    """What a project brings to the gate."""

    rules: Sequence[Rule]
    resolve_profile: ProfileResolver = default_profile
    scanners: Sequence[Scanner] = field(default_factory=tuple)
    """Run only when `CheckOptions.scanners` is true (the CLI turns them off with --no-checkov)."""


@dataclass(frozen=True)
class CheckOptions:
    profile: Profile | None = None
    waivers: Path | None = None
    today: dt.date | None = None
    checkov: bool = False
    """Also run the inputs' scanners (checkov); the CLI turns it on unless --no-checkov."""
    policy_config: Path | None = None
    """A `pulumi --policy-pack-config` JSON file: per-rule config and enforcement levels."""


def run_gate(
    project_dir: Path, stack: str, inputs: GateInputs, options: CheckOptions = CheckOptions()
) -> tuple[Plan, GateResult]:
    """Plan the stack offline and gate it; raises CrossdockError for bad input."""
    activity.doing(f"running the Pulumi program of {stack} offline")
    plan = run_program(project_dir, stack)
    return plan, gate_plan(plan, project_dir, inputs, options)


def gate_plan(plan: Plan, project_dir: Path, inputs: GateInputs, options: CheckOptions = CheckOptions()) -> GateResult:
    """Gate an existing plan (the benchmark times this separately from planning)."""
    rules = list(inputs.rules)
    profile = options.profile or inputs.resolve_profile(plan)
    policy_config = load_policy_config(options.policy_config, rules) if options.policy_config else None
    activity.doing(f"evaluating the policy pack on {plan.stack}")
    findings = evaluate(plan, rules, profile, policy_config)
    waivers_path = options.waivers or (project_dir / WAIVERS_FILE)
    if options.waivers is not None and not options.waivers.is_file():
        # The default file is optional; one named explicitly (--waivers) must exist.
        raise WaiverError(f"{options.waivers}: waivers file not found")
    waivers = load_waivers(waivers_path)
    check_rule_ids(waivers, [rule.id for rule in rules], waivers_path)
    custom = [resource for resource in plan.resources if resource.custom]
    unmatched = unmatched_notes(waivers, plan.stack, (r.name for r in custom), (r.urn for r in custom))
    rules_run = [rule.id for rule in rules]
    notes: list[str] = []
    if options.checkov:
        pack_findings = list(findings)
        for scanner in inputs.scanners:
            activity.doing(f"scanning {plan.stack} with {getattr(scanner, 'name', None) or 'a scanner'}")
            outcome = scanner(plan, profile, rules, pack_findings)
            findings, rules_run, notes = (
                findings + outcome.findings,
                rules_run + outcome.rules_run,
                notes + outcome.notes,
            )
    waived = apply_waivers(findings, waivers, plan.stack, options.today)
    return GateResult(
        project=plan.project,
        stack=plan.stack,
        profile=profile.value,
        resources=sum(1 for resource in plan.resources if resource.custom),
        findings=waived.findings,
        rules_run=rules_run,
        notes=waived.notes + unmatched + notes,
        project_dir=plan.project_dir or project_dir,
    )
