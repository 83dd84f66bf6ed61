"""The checkov half of `crossdock check`: scan the plan, turn failures into findings.

`CheckovScanner(catalog_path)` is a `crossdock.gate.check.Scanner`: the gate calls it
after the pack has run (so the pack's findings are known for de-duplication) and before
waivers (which apply to checkov findings exactly as to the pack's: the waiver's `rule`
is the CKV id). The catalog (which checkov ids block) is the project's: an input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crossdock.checkov.catalog import Catalog, load_catalog
from crossdock.checkov.findings import checkov_findings
from crossdock.checkov.scan import CheckovScan, scan_plan
from crossdock.engine import Plan
from crossdock.gate.findings import Finding
from policies.profiles import Profile
from policies.rule import Rule


@dataclass
class CheckovGate:
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    """The mandatory checkov ids that checkov evaluated on this plan (JUnit lists the passing ones)."""
    scan: CheckovScan | None = None


def gate_checkov(
    plan: Plan,
    profile: Profile,
    rules: Iterable[Rule],
    pack_findings: Iterable[Finding],
    catalog: Catalog,
    *,
    executable: Path | None = None,
) -> CheckovGate:
    scan = scan_plan(plan, executable=executable)
    findings = checkov_findings(plan, scan, catalog, profile, rules, pack_findings)
    ran = scan.check_ids()
    rules_run = sorted(check_id for check_id in catalog.mandatory if check_id in ran)
    failed = len(scan.failed())
    summary = (
        f"checkov {scan.version or '?'}: {len(scan.results) - failed} passed, {failed} failed checks "
        f"({len(ran)} check ids); {len(catalog.mandatory)} ids are mandatory ({_shown(catalog.path, plan.project_dir)})"
    )
    notes = [summary, *scan.notes]
    return CheckovGate(findings, notes, rules_run, scan)


def _shown(path: Path, project_dir: Path | None) -> str:
    """The catalog relative to the project when it lives inside it (`policies/checkov.yaml`)."""
    if project_dir is not None and path.resolve().is_relative_to(project_dir.resolve()):
        return str(path.resolve().relative_to(project_dir.resolve()))
    return str(path)


@dataclass(frozen=True)
class CheckovScanner:
    """The checkov scan as a gate scanner, with the project's catalog of mandatory ids."""

    catalog_path: Path
    executable: Path | None = None

    def __call__(
        self, plan: Plan, profile: Profile, rules: Sequence[Rule], pack_findings: Sequence[Finding]
    ) -> CheckovGate:
        catalog = load_catalog(self.catalog_path)
        return gate_checkov(plan, profile, rules, pack_findings, catalog, executable=self.executable)
