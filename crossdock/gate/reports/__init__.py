"""Report writers for a GateResult: text for people, JSON, SARIF and JUnit for CI."""

from crossdock.gate.reports.json_report import render_json
from crossdock.gate.reports.junit import render_junit
from crossdock.gate.reports.sarif import render_sarif

RENDERERS = {"json": render_json, "sarif": render_sarif, "junit": render_junit}

__all__ = ["RENDERERS", "render_json", "render_junit", "render_sarif"]
