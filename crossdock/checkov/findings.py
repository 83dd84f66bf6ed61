"""checkov's failed checks as gate `Finding`s.

- `rule` is the checkov id, `source` is checkov, `message` the check's name;
- the URN, name, type and source file:line are the graph resource's, so SARIF
  annotations land on the Pulumi line that declared it;
- severity is checkov's when it reports one (only with a platform key), else `medium`;
- enforcement: mandatory when `policies/checkov.yaml` lists the id (a resilience id
  only under the production profile), advisory otherwise;
- de-duplication with the pack: a pack rule that declares the same `checkov_id` and
  reported the same resource already speaks for that violation, so the checkov finding
  is kept (reports show both views) but made advisory, with a note naming the rule. The
  pack finding decides the gate, and a waiver of the pack rule covers the violation
  once. Where the pack's rule did *not* report a resource that checkov fails (the pack
  rule is narrower than checkov's check, or the export shows something the rule does
  not read), the checkov finding stands as the catalog says.
"""

from __future__ import annotations

from collections.abc import Iterable

from crossdock.checkov.catalog import Catalog
from crossdock.checkov.scan import CheckovScan
from crossdock.engine import STACK_TYPE, Plan
from crossdock.gate.findings import Enforcement, Finding, Source
from policies.profiles import Profile
from policies.rule import Rule

DEFAULT_SEVERITY = "medium"


def checkov_findings(
    plan: Plan,
    scan: CheckovScan,
    catalog: Catalog,
    profile: Profile,
    rules: Iterable[Rule],
    pack_findings: Iterable[Finding],
) -> list[Finding]:
    """One finding per failed (checkov id, resource)."""
    reported_by = _pack_coverage(rules, pack_findings)
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for scanned in scan.failed():
        check = scanned.check
        resource = plan.get(scanned.urn) if scanned.urn else None
        urn = resource.urn if resource else _stack_urn(plan)
        identity = (check.check_id, resource.urn if resource else check.resource)
        if identity in seen:
            continue  # checkov can report one resource twice (e.g. a check registered for two types)
        seen.add(identity)
        mandatory = catalog.is_mandatory(check.check_id, profile)
        reason = None
        duplicates = reported_by.get((check.check_id, urn))
        if duplicates:
            mandatory = False
            reason = f"advisory: {', '.join(sorted(duplicates))} already reported this resource (same check as {check.check_id})"
        elif resource is None:
            reason = f"checkov resource {check.resource} does not map to a resource of the plan"
        elif check.check_id in catalog.advisory:
            reason = f"advisory by design: {catalog.advisory[check.check_id].why}"
        findings.append(
            Finding(
                rule=check.check_id,
                source=Source.CHECKOV,
                severity=check.severity or DEFAULT_SEVERITY,
                enforcement=Enforcement.MANDATORY if mandatory else Enforcement.ADVISORY,
                urn=urn,
                name=resource.name if resource else check.resource,
                type=resource.type if resource else STACK_TYPE,
                message=check.check_name,
                remediation=check.guideline or "",
                description=catalog.why(check.check_id) or check.check_name,
                file=resource.source_file if resource else None,
                line=resource.source_line if resource else None,
                reason=reason,
            )
        )
    return findings


def _pack_coverage(rules: Iterable[Rule], pack_findings: Iterable[Finding]) -> dict[tuple[str, str], set[str]]:
    """(checkov id, URN) -> the pack rules with that checkov_id that reported that URN."""
    checkov_id = {rule.id: rule.checkov_id for rule in rules if rule.checkov_id}
    covered: dict[tuple[str, str], set[str]] = {}
    for finding in pack_findings:
        if finding.source is Source.POLICY and finding.rule in checkov_id:
            covered.setdefault((checkov_id[finding.rule], finding.urn), set()).add(finding.rule)
    return covered


def _stack_urn(plan: Plan) -> str:
    stack = plan.stack_resource
    if stack is not None:
        return stack.urn
    return f"urn:pulumi:{plan.stack}::{plan.project}::{STACK_TYPE}::{plan.project}-{plan.stack}"
