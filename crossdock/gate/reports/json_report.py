"""The check JSON of the gate's contract with CI (docs/architecture.md, README)."""

from __future__ import annotations

import json

from crossdock.gate.findings import GateResult


def render_json(result: GateResult) -> str:
    document = {
        "project": result.project,
        "stack": result.stack,
        "profile": result.profile,
        "resources": result.resources,
        "passed": result.passed,
        "findings": [
            {
                "rule": f.rule,
                "source": f.source.value,
                "severity": f.severity,
                "enforcement": f.enforcement.value,
                "urn": f.urn,
                "name": f.name,
                "type": f.type,
                "message": f.message,
                "waived": f.waived,
                "reason": f.reason,
                "file": f.file,
                "line": f.line,
            }
            for f in result.sorted_findings()
        ],
        "summary": result.summary(),
        "notes": result.notes,
    }
    return json.dumps(document, indent=2) + "\n"
