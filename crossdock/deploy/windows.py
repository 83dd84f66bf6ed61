"""When is a freeze window in force? Local wall-clock rules evaluated at one instant.

Every occurrence is computed in the window's time zone with `zoneinfo` (IANA data from the
pinned `tzdata` package), then converted to UTC before any comparison: comparing two aware
datetimes that share a tzinfo compares wall times and ignores the DST fold, so all
arithmetic here is on UTC instants. A local time that does not exist (the spring-forward
gap) is read with the offset before the change (PEP 495, fold=0), i.e. it lands after the
gap; an ambiguous one (fall-back) is its first occurrence.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from crossdock.config.deploy import Blocks, DeployPolicy, FreezeWindow

UTC = dt.UTC


@dataclass(frozen=True)
class ActiveWindow:
    """A window occurrence in force at the instant asked about."""

    window: FreezeWindow
    start: dt.datetime
    """Occurrence start (aware, in the window's time zone)."""
    end: dt.datetime
    """Occurrence end (aware, in the window's time zone); exclusive."""

    @property
    def name(self) -> str:
        return self.window.name

    @property
    def blocks(self) -> Blocks:
        return self.window.blocks

    def describe(self) -> str:
        """`warehouse-cutoff (daily 16:00-19:00 America/Chicago, blocks high-risk changes)`."""
        what = "every change" if self.window.blocks is Blocks.ALL else "high-risk changes"
        return f"{self.window.name} ({describe_rule(self.window, self.start.tzinfo)}, blocks {what})"


def zone(window: FreezeWindow, policy: DeployPolicy) -> ZoneInfo:
    return ZoneInfo(window.time_zone or policy.time_zone)


def describe_rule(window: FreezeWindow, tz) -> str:
    if window.kind == "recurring":
        days = "daily" if not window.days else "/".join(d.value for d in window.days)
        return f"{days} {window.start:%H:%M}-{window.end:%H:%M} {tz}"
    if window.kind == "month-end":
        return f"last {window.last_business_days} business day(s) of the month, {tz}"
    assert window.starts is not None and window.ends is not None  # one-off: the schema requires both
    return f"one-off {window.starts.isoformat()} to {window.ends.isoformat()}"


def _local(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, clock).replace(tzinfo=tz)


def _occurrences(window: FreezeWindow, tz: ZoneInfo, around: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Occurrences that could contain an instant whose local date is `around`."""
    if window.kind == "recurring":
        assert window.start is not None and window.end is not None  # recurring: the schema requires both
        out = []
        crosses_midnight = window.end <= window.start
        for offset in (-1, 0):
            day = around + dt.timedelta(days=offset)
            if window.days and day.weekday() not in {d.number for d in window.days}:
                continue
            end_day = day + dt.timedelta(days=1) if crosses_midnight else day
            out.append((_local(day, window.start, tz), _local(end_day, window.end, tz)))
        return out
    if window.kind == "month-end":
        assert window.last_business_days is not None  # month-end: the schema requires it
        return [month_end_period(around.year, around.month, window.last_business_days, tz)]
    assert window.starts is not None and window.ends is not None  # one-off: the schema requires both
    starts = window.starts if window.starts.tzinfo else window.starts.replace(tzinfo=tz)
    ends = window.ends if window.ends.tzinfo else window.ends.replace(tzinfo=tz)
    return [(starts.astimezone(tz), ends.astimezone(tz))]


def last_business_days(year: int, month: int, count: int) -> list[dt.date]:
    """The last `count` Monday-Friday dates of the month, in date order (public holidays are not known)."""
    day = dt.date(year, month, calendar.monthrange(year, month)[1])
    found: list[dt.date] = []
    while len(found) < count:
        if day.weekday() < 5:
            found.append(day)
        day -= dt.timedelta(days=1)
    return sorted(found)


def month_end_period(year: int, month: int, count: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """00:00 of the Nth-last business day to 00:00 after the last one (weekends in between included)."""
    days = last_business_days(year, month, count)
    return _local(days[0], dt.time(0), tz), _local(days[-1] + dt.timedelta(days=1), dt.time(0), tz)


def active_windows(policy: DeployPolicy, at: dt.datetime) -> list[ActiveWindow]:
    """The windows in force at the aware instant `at`, in config order (each with the occurrence that holds it)."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    instant = at.astimezone(UTC)
    found = []
    for window in policy.freeze_windows:
        tz = zone(window, policy)
        local_date = instant.astimezone(tz).date()
        for start, end in _occurrences(window, tz, local_date):
            start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
            if start_utc <= instant < end_utc:
                # Through UTC so a wall time in the spring-forward gap is shown as the real local time.
                found.append(ActiveWindow(window, start_utc.astimezone(tz), end_utc.astimezone(tz)))
                break
    return found
