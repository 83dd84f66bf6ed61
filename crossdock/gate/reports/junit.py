"""JUnit XML: one test case per rule and resource, so CI dashboards count failures per rule."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from crossdock.gate.findings import Enforcement, GateResult


def render_junit(result: GateResult) -> str:
    findings = result.sorted_findings()
    suite = ET.Element(
        "testsuite",
        name=f"crossdock.{result.project}.{result.stack}",
        tests="0",
        failures="0",
        skipped="0",
    )
    failures = skipped = 0
    flagged_rules = set()
    for finding in findings:
        flagged_rules.add(finding.rule)
        case = ET.SubElement(
            suite, "testcase", classname=f"crossdock.{finding.rule}", name=f"{finding.name} ({finding.type})"
        )
        text = f"{finding.message}\n{finding.urn}\n{finding.file or ''}:{finding.line or ''}\n{finding.remediation}"
        if finding.waived:
            ET.SubElement(case, "skipped", message=f"waived: {finding.reason}")
            skipped += 1
        elif finding.enforcement is Enforcement.MANDATORY:
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity)
            failure.text = text
            failures += 1
        else:
            ET.SubElement(case, "system-out").text = f"advisory: {text}"
    for rule in result.rules_run:
        if rule not in flagged_rules:
            ET.SubElement(suite, "testcase", classname=f"crossdock.{rule}", name="all resources")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
