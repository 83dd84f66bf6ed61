"""Scan a plan with checkov: export it, run checkov once, map each result back to its resource.

The plan is exported the way `crossdock export` writes it (Terraform-plan JSON for the
AWS resources, one manifest per Kubernetes resource) into a temporary directory, and
checkov runs once over all of it (`terraform_plan` and, when there are manifests,
`kubernetes`). Each result is mapped back to the graph resource through the export's
address -> URN mapping (manifest file -> URN for Kubernetes), so findings carry the
resource's URN, name and source line.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from crossdock.checkov.runner import CHECKOV_VERSION, CheckovReport, CheckResult, find_checkov, run_checkov
from crossdock.engine import Plan
from crossdock.engine.regions import AWS_PROVIDER_TYPE

TERRAFORM_PLAN = "terraform_plan"
KUBERNETES = "kubernetes"
PLAN_FILE = "plan.json"
MANIFESTS_DIR = "manifests"


@dataclass(frozen=True)
class ScannedResult:
    check: CheckResult
    urn: str | None
    """The graph resource the result is about; None when the address does not map back."""


@dataclass
class CheckovScan:
    results: list[ScannedResult]
    version: str | None
    notes: list[str] = field(default_factory=list)
    export_seconds: float = 0.0
    checkov_seconds: float = 0.0

    def failed(self) -> list[ScannedResult]:
        return [result for result in self.results if result.check.failed]

    def check_ids(self) -> set[str]:
        return {result.check.check_id for result in self.results}


@dataclass
class Export:
    """What checkov is pointed at, and how its resource ids map back to URNs."""

    files: list[Path]
    frameworks: list[str]
    addresses: dict[str, str]
    """Terraform address -> URN."""
    manifests: dict[str, str]
    """Manifest file name (unique within the export) -> URN."""
    warnings: list[str]


def export_plan(plan: Plan, directory: Path) -> Export:
    """Write the Terraform-plan JSON (and Kubernetes manifests) for `plan` into `directory`."""
    from crossdock.export import to_kubernetes_manifests, to_terraform_plan

    terraform = to_terraform_plan(plan)
    kubernetes = to_kubernetes_manifests(plan)
    files: list[Path] = []
    frameworks: list[str] = []
    if terraform.addresses:
        plan_file = directory / PLAN_FILE
        plan_file.write_text(json.dumps(terraform.document), encoding="utf-8")
        files.append(plan_file)
        frameworks.append(TERRAFORM_PLAN)
    manifests: dict[str, str] = {}
    if kubernetes.manifests:
        paths = kubernetes.write(directory / MANIFESTS_DIR)
        manifests = {path.name: manifest.urn for path, manifest in zip(paths, kubernetes.manifests, strict=True)}
        files.extend(paths)
        frameworks.append(KUBERNETES)
    return Export(files, frameworks, dict(terraform.addresses), manifests, [*terraform.warnings, *kubernetes.warnings])


def scan_plan(plan: Plan, *, executable: Path | None = None, keep_dir: Path | None = None) -> CheckovScan:
    """Export `plan`, run checkov once over the export, and map the results back to URNs.

    `keep_dir` keeps the exported files there (for debugging); by default they go to a
    temporary directory that is removed afterwards. checkov's report is remembered for
    identical exports within the process (tests and tools gate one plan many times).
    """
    executable = executable or find_checkov()
    with tempfile.TemporaryDirectory(prefix="crossdock-checkov-") as scratch:
        directory = keep_dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        export = export_plan(plan, directory)
        exported = time.perf_counter()
        notes = [f"checkov: not scanned, {warning}" for warning in export.warnings]
        if not export.files:
            notes.append("checkov: nothing to scan (no AWS or Kubernetes resources)")
            return CheckovScan([], None, notes, exported - started, 0.0)
        key = _cache_key(executable, export, directory)
        report = _remembered(key)
        if report is None:
            report = run_checkov(files=export.files, frameworks=export.frameworks, executable=executable, cwd=directory)
            _remember(key, report)
        finished = time.perf_counter()
    results = map_results(report, export, plan)
    notes.extend(_report_notes(report, results))
    return CheckovScan(results, report.version, notes, exported - started, finished - exported)


def map_results(report: CheckovReport, export: Export, plan: Plan) -> list[ScannedResult]:
    providers = _provider_urns(plan)
    mapped: list[ScannedResult] = []
    for check in report.results:
        if check.framework == KUBERNETES:
            urn = export.manifests.get(Path(check.file).name)
        elif check.resource in providers:
            urn = providers[check.resource]
        else:
            # checkov names a resource by its address; counted resources get an `[n]` suffix.
            urn = export.addresses.get(check.resource) or export.addresses.get(
                re.sub(r"\[[^\]]*\]$", "", check.resource)
            )
        mapped.append(ScannedResult(check, urn if urn and plan.get(urn) else None))
    return mapped


# -- a small in-process memory of checkov reports, keyed by what was scanned ------------------

_CACHE_SIZE = 16
_reports: OrderedDict[str, CheckovReport] = OrderedDict()
_reports_lock = threading.Lock()


def _cache_key(executable: Path, export: Export, directory: Path) -> str:
    digest = hashlib.sha256()
    digest.update(str(Path(executable).resolve()).encode())
    digest.update(repr(sorted(export.frameworks)).encode())
    for path in sorted(export.files):
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _remembered(key: str) -> CheckovReport | None:
    with _reports_lock:
        report = _reports.get(key)
        if report is not None:
            _reports.move_to_end(key)
        return report


def _remember(key: str, report: CheckovReport) -> None:
    with _reports_lock:
        _reports[key] = report
        while len(_reports) > _CACHE_SIZE:
            _reports.popitem(last=False)


def _provider_urns(plan: Plan) -> dict[str, str]:
    """checkov's provider checks (`aws.default`, `aws.<alias>`) -> the explicit provider, or the stack
    for the default provider (configured by the stack's `aws:region`, not by a resource)."""
    from crossdock.export.tfplan import terraform_name

    stack = plan.stack_resource
    urns = {"aws.default": stack.urn if stack else ""}
    for resource in plan.resources:
        if resource.type == AWS_PROVIDER_TYPE:
            urns.setdefault(f"aws.{terraform_name(resource.name)}", resource.urn)
    return urns


def _report_notes(report: CheckovReport, results: list[ScannedResult]) -> list[str]:
    notes: list[str] = []
    if report.version and report.version != CHECKOV_VERSION:
        notes.append(
            f"checkov {report.version} ran, but crossdock is pinned to {CHECKOV_VERSION}: "
            "run scripts/bootstrap.sh to reinstall it"
        )
    for error in report.parsing_errors:
        notes.append(f"checkov could not parse {error}")
    unmapped = sorted({result.check.resource for result in results if result.urn is None})
    if unmapped:
        notes.append(f"checkov results that map to no resource of the plan: {', '.join(unmapped)}")
    return notes
