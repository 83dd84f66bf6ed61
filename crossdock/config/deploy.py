"""Deploy-safety settings of a stack (`crossdock:deploy`): change-freeze windows and approvals.

Windows are local to a time zone (IANA name, e.g. America/Chicago), so "16:00-19:00" stays
16:00-19:00 on the warehouse floor across daylight-saving changes. Each window is exactly one
of: a recurring daily window (optionally on some weekdays only; an end at or before the start
crosses midnight), the last N business days (Monday-Friday) of every month, or a one-off
period. `blocks` says whether it stops every deploy or only risky ones (see `crossdock diff`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Chicago, Europe/Berlin, UTC)") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_time_zone)]


def _clock_time(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 (PyYAML) reads an unquoted 16:00 as the base-60 number 960; the Pulumi CLI reads a string.
        raise ValueError('write the time in quotes, e.g. "16:00" (unquoted, YAML reads 16:00 as a number)')
    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
            raise ValueError(f"{value!r} is not a time of day HH:MM (24-hour)")
    return value


ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as `date.weekday()`."""
        return list(Weekday).index(self)


class Blocks(StrEnum):
    ALL = "all"
    HIGH_RISK = "high-risk"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


class FreezeWindow(_Model):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$", description="Window name, shown when it blocks.")
    description: str = Field(default="", description="Why changes are frozen then (e.g. carrier settlement).")
    blocks: Blocks = Field(
        default=Blocks.ALL,
        description="all: no deploy that changes anything; high-risk: only changes `crossdock diff` classes as risky.",
    )
    time_zone: TimeZoneName | None = Field(
        default=None, description="IANA time zone; default: crossdock:deploy.timeZone."
    )
    start: ClockTime | None = Field(default=None, description="Recurring: local start time, HH:MM.")
    end: ClockTime | None = Field(
        default=None, description="Recurring: local end time, HH:MM; at or before `start` means the next day."
    )
    days: tuple[Weekday, ...] = Field(
        default=(), description="Recurring: weekdays the window starts on (mon..sun); empty means every day."
    )
    last_business_days: int | None = Field(
        default=None,
        ge=1,
        le=10,
        description="Month end: the last N business days (Mon-Fri) of every month, whole days.",
    )
    starts: dt.datetime | None = Field(
        default=None, description="One-off: start (local to the time zone unless it has an offset)."
    )
    ends: dt.datetime | None = Field(
        default=None, description="One-off: end (local to the time zone unless it has an offset)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> FreezeWindow:
        recurring = self.start is not None or self.end is not None or bool(self.days)
        month_end = self.last_business_days is not None
        one_off = self.starts is not None or self.ends is not None
        if sum((recurring, month_end, one_off)) != 1:
            raise ValueError(
                "set exactly one of start/end (recurring), lastBusinessDays (month end), starts/ends (one-off)"
            )
        if recurring and (self.start is None or self.end is None):
            raise ValueError("a recurring window needs both start and end (HH:MM)")
        if one_off:
            if self.starts is None or self.ends is None:
                raise ValueError("a one-off window needs both starts and ends")
            if (self.starts.tzinfo is None) != (self.ends.tzinfo is None):
                raise ValueError("starts and ends must both have a UTC offset, or neither")
            if self.ends <= self.starts:
                raise ValueError("ends must be after starts")
        return self

    @property
    def kind(self) -> str:
        if self.last_business_days is not None:
            return "month-end"
        return "one-off" if self.starts is not None else "recurring"


class DeployPolicy(_Model):
    """`crossdock:deploy`: read from the BASE revision by `crossdock deploy-gate` (a change cannot lift its own freeze)."""

    time_zone: TimeZoneName = Field(default="UTC", description="Default IANA time zone of the freeze windows.")
    freeze_windows: tuple[FreezeWindow, ...] = Field(default=(), description="Change-freeze windows.")

    @model_validator(mode="after")
    def _unique_names(self) -> DeployPolicy:
        names = [w.name for w in self.freeze_windows]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise ValueError(f"freeze window name {duplicate!r} is used twice")
        return self
