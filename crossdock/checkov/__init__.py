"""checkov on Pulumi: scan crossdock's Terraform-plan / Kubernetes export, merge into the gate.

    scan_plan(plan) -> CheckovScan            export, one checkov run, results mapped to URNs
    checkov_findings(plan, scan, catalog, profile, rules, pack_findings) -> [Finding]
    load_catalog(path) -> Catalog             the project's mandatory checkov ids (crossdock: policies/checkov.yaml)
    CheckovScanner(catalog_path)              the above as a gate scanner (crossdock.gate.check.Scanner)
    find_checkov() / run_checkov(...)         the pinned checkov in .venv-checkov (CROSSDOCK_CHECKOV overrides)

The version is pinned once, in `crossdock/checkov/requirements.txt` (CHECKOV_VERSION).
"""

from crossdock.checkov.catalog import Catalog, CatalogError, MandatoryCheck, load_catalog
from crossdock.checkov.findings import checkov_findings
from crossdock.checkov.gate import CheckovGate, CheckovScanner, gate_checkov
from crossdock.checkov.runner import (
    CHECKOV_VERSION,
    CheckovFailed,
    CheckovMissing,
    CheckovReport,
    CheckResult,
    find_checkov,
    run_checkov,
)
from crossdock.checkov.scan import CheckovScan, ScannedResult, scan_plan

__all__ = [
    "CHECKOV_VERSION",
    "Catalog",
    "CatalogError",
    "CheckResult",
    "CheckovFailed",
    "CheckovGate",
    "CheckovMissing",
    "CheckovReport",
    "CheckovScan",
    "CheckovScanner",
    "MandatoryCheck",
    "ScannedResult",
    "checkov_findings",
    "find_checkov",
    "gate_checkov",
    "load_catalog",
    "run_checkov",
    "scan_plan",
]
