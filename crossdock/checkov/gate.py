"""The checkov half of `crossdock check`: scan the plan, turn failures into findings.

`crossdock.gate.check.check_plan` calls `gate_checkov` after the pack has run (so the
pack's findings are known for de-duplication) and before waivers (which apply to
checkov findings exactly as to the pack's: the waiver's `rule` is the CKV id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crossdock.checkov.catalog import load_catalog
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
    *,
    executable: Path | None = None,
) -> CheckovGate:
    catalog = load_catalog()
    scan = scan_plan(plan, executable=executable)
    findings = checkov_findings(plan, scan, catalog, profile, rules, pack_findings)
    ran = scan.check_ids()
    rules_run = sorted(check_id for check_id in catalog.mandatory if check_id in ran)
    failed = len(scan.failed())
    summary = (
        f"checkov {scan.version or '?'}: {len(scan.results) - failed} passed, {failed} failed checks "
        f"({len(ran)} check ids); {len(catalog.mandatory)} ids are mandatory (policies/checkov.yaml)"
    )
    notes = [summary, *scan.notes]
    return CheckovGate(findings, notes, rules_run, scan)
