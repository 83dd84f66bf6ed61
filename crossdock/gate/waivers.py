"""Policy waivers: a documented, expiring exception for one rule on some resources of some stacks.

A waiver without a reason or an end date becomes permanent debt, so both are required,
and an expired waiver stops applying on its own (the report says it expired).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from crossdock.errors import CrossdockError, dotted_key
from crossdock.gate.findings import Finding

MIN_REASON_LENGTH = 20


class WaiverError(CrossdockError):
    """A waivers file that cannot be trusted; the gate refuses to run rather than guess."""


class _WaiverLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: PyYAML raises a bare ValueError for `2025-13-01`,
    while pydantic parses and rejects it with the entry's key (`waivers[0].expires`)."""


_WaiverLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Waiver(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(min_length=1, description="Rule id (CD-...) or checkov id (CKV_...) waived.")
    stack: str = Field(default="*", min_length=1, description="Stack name or glob the waiver applies to.")
    resource: str = Field(min_length=1, description="Resource name or URN glob (a URN pattern starts with 'urn:').")
    reason: str = Field(min_length=MIN_REASON_LENGTH, description="Why the finding is accepted, for reviewers.")
    expires: dt.date = Field(description="Date (YYYY-MM-DD) after which the waiver no longer applies.")

    def matches(self, finding: Finding, stack: str) -> bool:
        target = finding.urn if self.resource.startswith("urn:") else finding.name
        return (
            self.rule == finding.rule
            and fnmatch.fnmatchcase(stack, self.stack)
            and fnmatch.fnmatchcase(target, self.resource)
        )

    def expired(self, today: dt.date) -> bool:
        return today > self.expires


class WaiverFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    waivers: tuple[Waiver, ...] = Field(default=(), description="The waivers.")

    @field_validator("waivers", mode="before")
    @classmethod
    def _no_entries(cls, value: Any) -> Any:
        """`waivers:` with every entry removed or commented out is an empty list, not an error."""
        return () if value is None else value


@dataclass
class WaiverOutcome:
    findings: list[Finding]
    notes: list[str]


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    """Parse the waivers file; a missing file means no waivers, a malformed one is an error."""
    if not path.is_file():
        return ()
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_WaiverLoader) or {}
    except (OSError, UnicodeDecodeError) as error:
        raise WaiverError(f"{path}: cannot read the waivers file ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise WaiverError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    try:
        return WaiverFile.model_validate(document).waivers
    except ValidationError as error:
        problem = error.errors()[0]
        raise WaiverError(f"{path}: {dotted_key(problem['loc']) or 'waivers'}: {_message(problem)}") from None


def apply_waivers(
    findings: list[Finding], waivers: tuple[Waiver, ...], stack: str, today: dt.date | None = None
) -> WaiverOutcome:
    """Mark findings covered by a live waiver as waived; note expired waivers that would have applied."""
    today = today or dt.date.today()
    result: list[Finding] = []
    notes: list[str] = []
    for finding in findings:
        matching = [waiver for waiver in waivers if waiver.matches(finding, stack)]
        live = next((waiver for waiver in matching if not waiver.expired(today)), None)
        if live is not None:
            result.append(finding.waive(f"{live.reason} (waiver expires {live.expires.isoformat()})"))
        elif matching:
            expired = matching[0]
            message = f"waiver expired on {expired.expires.isoformat()}: {expired.reason}"
            result.append(finding.note(message))
            notes.append(f"{finding.rule} on {finding.name}: {message}")
        else:
            result.append(finding)
    return WaiverOutcome(result, notes)


def _message(problem: ErrorDetails) -> str:
    if problem["type"] == "extra_forbidden":
        return f"unknown key {problem['loc'][-1]!r} (allowed: rule, stack, resource, reason, expires)"
    if problem["type"] == "missing":
        return "required key is missing"
    if problem["type"] == "string_too_short" and problem["loc"][-1] == "reason":
        return f"a waiver needs a reason of at least {MIN_REASON_LENGTH} characters"
    if problem["type"].startswith("date") and problem["loc"][-1:] == ("expires",):
        return f"expected a date YYYY-MM-DD, got {problem.get('input')!r}"
    return problem["msg"]
