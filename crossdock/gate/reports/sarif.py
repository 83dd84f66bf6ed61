"""SARIF 2.1.0, so code scanning annotates the pull request on the line that declared the resource."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crossdock.gate.findings import Enforcement, Finding, GateResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_sarif(result: GateResult) -> str:
    findings = result.sorted_findings()
    rules: dict[str, dict[str, Any]] = {}
    for finding in findings:
        rules.setdefault(
            finding.rule,
            {
                "id": finding.rule,
                "shortDescription": {"text": finding.description or finding.rule},
                "help": {"text": finding.remediation or finding.description or finding.rule},
                "properties": {"severity": finding.severity, "source": finding.source.value},
            },
        )
    results = []
    for finding in findings:
        entry = {
            "ruleId": finding.rule,
            "ruleIndex": list(rules).index(finding.rule),
            "level": "error" if finding.enforcement is Enforcement.MANDATORY else "warning",
            "message": {"text": f"{finding.message} [{finding.name}]"},
            "locations": [_location(finding, result.project_dir)],
            "properties": {"urn": finding.urn, "type": finding.type, "enforcement": finding.enforcement.value},
        }
        if finding.waived:
            entry["suppressions"] = [{"kind": "external", "justification": finding.reason or ""}]
        results.append(entry)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "crossdock",
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"crossdock/{result.project}/{result.stack}"},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _location(finding: Finding, project_dir: Path | None = None) -> dict[str, Any]:
    """Point at the program line that declared the resource; fall back to the project file."""
    physical: dict[str, Any] = {"artifactLocation": {"uri": _artifact_uri(finding.file or "Pulumi.yaml", project_dir)}}
    if finding.line:
        physical["region"] = {"startLine": finding.line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": finding.name, "fullyQualifiedName": finding.urn}],
    }


def _artifact_uri(file: str, project_dir: Path | None) -> str:
    """`file` is relative to the project; code scanning resolves a relative URI against the
    repository checkout (the directory CI runs crossdock in), so a project in a subdirectory
    (`--project tests/programs/webserver`) must keep its prefix. Outside the working
    directory, an absolute file URI is the only unambiguous name."""
    path = Path(file)
    if not path.is_absolute() and project_dir is not None:
        path = Path(os.path.abspath(Path(project_dir) / path))
    if not path.is_absolute():
        return quote(path.as_posix())
    try:
        return quote(path.relative_to(os.path.abspath(os.getcwd())).as_posix())
    except ValueError:
        return path.as_uri()
