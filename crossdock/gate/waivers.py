"""Policy waivers: a documented, expiring exception for one rule on some resources of some stacks.

A waiver without a reason or an end date becomes permanent debt, so both are required,
and an expired waiver stops applying on its own (the report says it expired).
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from crossdock.errors import CrossdockError, dotted_key
from crossdock.gate.findings import Finding
from crossdock.safe_yaml import YamlInputError, load_file

MIN_REASON_LENGTH = 20
CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
SHAPE = (
    "expected a mapping with a `waivers:` list, each entry {rule, stack, resource, reason, expires} "
    "(see the comment at the top of policies/waivers.yaml)"
)


class WaiverError(CrossdockError):
    """A waivers file that cannot be trusted; the gate refuses to run rather than guess."""


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
        document = load_file(path) or {}
    except YamlInputError as error:
        problem = error.problem
        if problem.startswith("not valid YAML: "):
            problem = f"not valid YAML ({problem.removeprefix('not valid YAML: ')})"
        raise WaiverError(f"{error.where(str(path))}: {problem}") from None
    if not isinstance(document, dict):
        raise WaiverError(f"{path}: waivers: {SHAPE}, not {_kind(document)}")
    entries = document.get("waivers")
    if entries is not None and not isinstance(entries, list):
        raise WaiverError(f"{path}: waivers: {SHAPE}, not {_kind(entries)}")
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict):
            raise WaiverError(f"{path}: waivers[{index}]: {SHAPE}, not {_kind(entry)}")
    try:
        return WaiverFile.model_validate(document).waivers
    except ValidationError as error:
        detail = error.errors()[0]
        raise WaiverError(f"{path}: {dotted_key(detail['loc']) or 'waivers'}: {_message(detail)}") from None


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}" if value is not None else "empty"


def check_rule_ids(waivers: tuple[Waiver, ...], rule_ids: Iterable[str], path: Path) -> None:
    """A waiver must name a rule of the pack or a checkov id: a typo would otherwise silently waive nothing."""
    known = sorted(set(rule_ids))
    for index, waiver in enumerate(waivers):
        if waiver.rule in known or CHECKOV_ID.match(waiver.rule):
            continue
        close = difflib.get_close_matches(waiver.rule, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise WaiverError(
            f"{path}: waivers[{index}].rule: unknown rule id {waiver.rule!r}{hint} (rule ids: docs/policies.md; "
            "checkov ids: CKV_...)"
        )


def unmatched_notes(waivers: tuple[Waiver, ...], stack: str, names: Iterable[str], urns: Iterable[str]) -> list[str]:
    """Notes for the waivers of this stack whose resource glob matches no resource of the plan."""
    names, urns = list(names), list(urns)
    notes = []
    for waiver in waivers:
        if not fnmatch.fnmatchcase(stack, waiver.stack):
            continue
        targets = urns if waiver.resource.startswith("urn:") else names
        if not any(fnmatch.fnmatchcase(target, waiver.resource) for target in targets):
            notes.append(
                f"waiver for {waiver.rule} on {waiver.resource!r} matches no resource of stack {stack} "
                "(a misspelt glob, or a resource that is gone: remove or fix it)"
            )
    return notes


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
