"""Run checkov twice, on the HCL twins and on crossdock's export of the Pulumi programs, and
line the verdicts up per (case, variant, resource, check id).

Batched for speed (checkov costs seconds per start): one `--framework terraform -d hcl`
run over every case and variant (each `hcl/<case>/<variant>` directory is its own
Terraform module, so their resources never connect), and one `--framework
terraform_plan -f` run over a single plan JSON that concatenates the export of every
program. The two runs go in parallel.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdock.checkov import CheckResult, run_checkov
from crossdock.engine import run_callable
from crossdock.export import to_terraform_plan
from tests.parity.programs import CASES, REGION, prefix, program

HCL_ROOT = Path(__file__).resolve().parent / "hcl"
VARIANTS = ("pass", "fail")
_RESOURCE_BLOCK = re.compile(r'^resource\s+"([A-Za-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)

Key = tuple[str, str]
"""(case, variant)"""
ResourceId = tuple[str, str]
"""(terraform type, local name)"""


@dataclass
class Side:
    """One side of the comparison: which resources exist and checkov's verdicts on them."""

    resources: dict[Key, set[ResourceId]] = field(default_factory=dict)
    verdicts: dict[Key, dict[ResourceId, dict[str, str]]] = field(default_factory=dict)
    evaluated: dict[tuple[Key, ResourceId, str], tuple[str, ...]] = field(default_factory=dict)
    values: dict[tuple[Key, ResourceId], dict[str, Any]] = field(default_factory=dict)
    """The attribute values checkov was given (the export's `values`; empty for HCL)."""

    def record(self, key: Key, resource: ResourceId, check: CheckResult, evaluated: tuple[str, ...]) -> None:
        self.verdicts.setdefault(key, {}).setdefault(resource, {})[check.check_id] = check.result
        self.evaluated[(key, resource, check.check_id)] = evaluated


@dataclass
class Parity:
    hcl: Side
    export: Side
    export_warnings: list[str]
    checkov_version: str | None


def hcl_resources() -> dict[Key, set[ResourceId]]:
    found: dict[Key, set[ResourceId]] = {}
    for main in sorted(HCL_ROOT.glob("*/*/main.tf")):
        key = (main.parent.parent.name, main.parent.name)
        found[key] = set(_RESOURCE_BLOCK.findall(main.read_text()))
    return found


def export_programs() -> tuple[
    dict[str, Any], dict[str, tuple[Key, ResourceId]], dict[tuple[Key, ResourceId], dict], list[str]
]:
    """Run every program, export each plan, and concatenate the exports into one plan document.

    Returns the document, address -> ((case, variant), (type, local)), the exported values per
    resource, and the exporter's warnings.
    """
    planned: list[dict] = []
    changes: list[dict] = []
    configured: list[dict] = []
    provider_config: dict[str, Any] = {}
    owners: dict[str, tuple[Key, ResourceId]] = {}
    values: dict[tuple[Key, ResourceId], dict] = {}
    warnings: list[str] = []
    document: dict[str, Any] = {}
    for case in CASES.values():
        for variant in VARIANTS:
            key = (case.name, variant)
            plan = run_callable(
                program(case.name, variant),
                config={"aws:region": REGION},
                project="parity",
                stack=f"{case.name}-{variant}",
            )
            exported = to_terraform_plan(plan)
            warnings.extend(f"{case.name}/{variant}: {warning}" for warning in exported.warnings)
            start = prefix(case.name, variant)
            for address, urn in exported.addresses.items():
                if address in owners:
                    raise AssertionError(f"address {address} exported by two programs ({owners[address][0]} and {key})")
                resource = plan.get(urn)
                assert resource is not None and resource.name.startswith(start), (address, urn)
                owners[address] = (key, (address.split(".", 1)[0], resource.name[len(start) :]))
            body = exported.document
            document = document or body
            planned.extend(body["planned_values"]["root_module"]["resources"])
            changes.extend(body.get("resource_changes", []))
            configured.extend(body.get("configuration", {}).get("root_module", {}).get("resources", []))
            provider_config.update(body.get("configuration", {}).get("provider_config", {}))
            for entry in body["planned_values"]["root_module"]["resources"]:
                values[owners[entry["address"]]] = entry.get("values", {})
    merged = {
        "format_version": document["format_version"],
        "terraform_version": document["terraform_version"],
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"provider_config": provider_config, "root_module": {"resources": configured}},
    }
    return merged, owners, values, warnings


def run_parity(workdir: Path, executable: Path) -> Parity:
    document, owners, values, warnings = export_programs()
    plan_file = workdir / "parity-plan.json"
    plan_file.write_text(json.dumps(document, indent=1))
    with ThreadPoolExecutor(max_workers=2) as pool:
        hcl_run = pool.submit(
            run_checkov, directory=HCL_ROOT, frameworks=["terraform"], executable=executable, cwd=HCL_ROOT
        )
        plan_run = pool.submit(
            run_checkov, files=[plan_file], frameworks=["terraform_plan"], executable=executable, cwd=workdir
        )
        hcl_report, plan_report = hcl_run.result(), plan_run.result()
    for report, what in ((hcl_report, "HCL"), (plan_report, "export")):
        assert not report.parsing_errors, f"checkov could not parse the {what}: {report.parsing_errors}"

    hcl = Side(resources=hcl_resources())
    for check in hcl_report.results:
        case, variant = Path(check.file).resolve().relative_to(HCL_ROOT).parts[:2]
        tf_type, local = check.resource.split(".", 1)
        hcl.record((case, variant), (tf_type, local), check, _evaluated(check))

    export = Side()
    for (key, resource), resource_values in values.items():
        export.resources.setdefault(key, set()).add(resource)
        export.values[(key, resource)] = resource_values
    for check in plan_report.results:
        if check.resource.startswith("aws."):
            continue  # a provider configuration (CKV_AWS_41), not a resource; the HCL declares no provider
        if check.resource not in owners:
            raise AssertionError(f"checkov reported {check.check_id} on {check.resource}, which no program exported")
        key, resource = owners[check.resource]
        export.record(key, resource, check, _evaluated(check))
    return Parity(hcl, export, warnings, plan_report.version)


def _evaluated(check: CheckResult) -> tuple[str, ...]:
    return check.evaluated_keys
