"""The blueprint's own stacks (every stacks/Pulumi.<stack>.yaml) pass the gate with the real checkov on.

What checkov finds on them is either fixed, waived in policies/waivers.yaml with a reason
and an expiry, or advisory (policies/checkov.yaml says why for the ids that fail on purpose).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crossdock.blueprint import CHECKOV_CATALOG, CheckOptions, check_plan
from crossdock.checkov import load_catalog
from crossdock.engine import run_program
from crossdock.gate.findings import Enforcement, GateResult, Source
from crossdock.gate.waivers import load_waivers

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("prod", "staging", "dev")


@pytest.fixture(scope="module")
def results(real_checkov) -> dict[str, GateResult]:
    """Plan each stack (the engine runs one program at a time), then gate them in parallel:
    the checkov runs, a few seconds each, overlap."""
    plans = {stack: run_program(ROOT, stack) for stack in STACKS}
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        gated = {
            stack: pool.submit(check_plan, plan, ROOT, CheckOptions(checkov=True)) for stack, plan in plans.items()
        }
        return {stack: future.result() for stack, future in gated.items()}


@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_passes_the_gate_with_checkov(results, stack: str) -> None:
    result = results[stack]
    blocking = [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]
    assert result.passed, f"{stack}: {blocking}"
    assert any(note.startswith("checkov 3.3.30: ") for note in result.notes)
    assert not [note for note in result.notes if "map to no resource" in note or "not scanned" in note]


@pytest.mark.parametrize("stack", STACKS)
def test_checkov_findings_sit_on_the_component_line_that_declared_the_resource(results, stack: str) -> None:
    findings = [f for f in results[stack].findings if f.source is Source.CHECKOV]
    assert findings
    for finding in findings:
        assert finding.urn.startswith(f"urn:pulumi:{stack}::crossdock::"), finding
        assert finding.file and finding.file.startswith("components/") and finding.line, finding


def test_every_mandatory_checkov_finding_on_the_stacks_is_waived_with_a_reason(results) -> None:
    for stack, result in results.items():
        for finding in result.findings:
            if finding.source is Source.CHECKOV and finding.enforcement is Enforcement.MANDATORY:
                assert finding.waived and finding.reason, (stack, finding.rule, finding.name)


def test_each_checkov_waiver_is_still_needed(results) -> None:
    """A waiver of a checkov id that matches nothing any more should be deleted."""
    waivers = [w for w in load_waivers(ROOT / "policies" / "waivers.yaml") if w.rule.startswith("CKV")]
    assert waivers
    for waiver in waivers:
        used = any(
            finding.waived and finding.rule == waiver.rule and waiver.reason in (finding.reason or "")
            for result in results.values()
            for finding in result.findings
        )
        assert used, f"waiver of {waiver.rule} on {waiver.resource} matches no finding"
        assert waiver.expires > dt.date.today()


def test_the_mandatory_list_is_exercised_by_the_stacks(results) -> None:
    """Most mandatory ids are evaluated on the blueprint (the rest cover kinds it may add: LBs, ...)."""
    ran = {rule for result in results.values() for rule in result.rules_run if rule.startswith("CKV")}
    mandatory = set(load_catalog(CHECKOV_CATALOG).mandatory)
    assert len(ran & mandatory) >= 0.8 * len(mandatory), sorted(mandatory - ran)
