"""What the gate reports: one Finding per violation, and the verdict over all of them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path


class Source(StrEnum):
    POLICY = "policy"
    CHECKOV = "checkov"


class Enforcement(StrEnum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"


# Report order: the most severe first.
SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    rule: str
    source: Source
    severity: str
    enforcement: Enforcement
    urn: str
    name: str
    type: str
    message: str
    remediation: str = ""
    description: str = ""
    file: str | None = None
    line: int | None = None
    waived: bool = False
    reason: str | None = None

    def waive(self, reason: str) -> Finding:
        return replace(self, waived=True, reason=reason)

    def note(self, reason: str) -> Finding:
        """Attach a reason without waiving (e.g. an expired waiver)."""
        return replace(self, reason=reason)

    @property
    def blocks(self) -> bool:
        """A finding fails the gate when it is mandatory and not waived."""
        return self.enforcement is Enforcement.MANDATORY and not self.waived


@dataclass
class GateResult:
    project: str
    stack: str
    profile: str
    resources: int
    findings: list[Finding]
    rules_run: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    project_dir: Path | None = None
    """The project the findings' `file`s are relative to (SARIF makes them repository-relative)."""

    @property
    def passed(self) -> bool:
        return not any(finding.blocks for finding in self.findings)

    def summary(self) -> dict[str, int]:
        return {
            "mandatory": sum(1 for f in self.findings if f.blocks),
            "advisory": sum(1 for f in self.findings if f.enforcement is Enforcement.ADVISORY and not f.waived),
            "waived": sum(1 for f in self.findings if f.waived),
        }

    def sorted_findings(self) -> list[Finding]:
        def key(finding: Finding) -> tuple[bool, bool, int, str, str]:
            rank = SEVERITY_ORDER.index(finding.severity) if finding.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
            return (finding.waived, finding.enforcement is not Enforcement.MANDATORY, rank, finding.rule, finding.urn)

        return sorted(self.findings, key=key)
