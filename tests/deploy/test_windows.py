"""Freeze windows at exact instants: DST changes, windows crossing midnight, month ends, one-offs."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from crossdock.config.deploy import DeployPolicy
from crossdock.deploy.windows import active_windows, last_business_days

Z = dt.UTC


def policy(*windows, tz="America/Chicago"):
    return DeployPolicy.model_validate({"timeZone": tz, "freezeWindows": list(windows)})


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def active(p, when):
    return [(w.name, w.start.isoformat(), w.end.isoformat()) for w in active_windows(p, at(when))]


CUTOFF = policy({"name": "warehouse-cutoff", "blocks": "high-risk", "start": "16:00", "end": "19:00"})


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        # Winter (CST, UTC-6): 16:00-19:00 local is 22:00-01:00 UTC.
        ("2026-12-07T22:30:00Z", [("warehouse-cutoff", "2026-12-07T16:00:00-06:00", "2026-12-07T19:00:00-06:00")]),
        ("2026-12-07T21:30:00Z", []),
        ("2026-12-08T00:59:59Z", [("warehouse-cutoff", "2026-12-07T16:00:00-06:00", "2026-12-07T19:00:00-06:00")]),
        ("2026-12-08T01:00:00Z", []),
        # Summer (CDT, UTC-5): the same local window is an hour earlier in UTC.
        ("2026-07-07T21:30:00Z", [("warehouse-cutoff", "2026-07-07T16:00:00-05:00", "2026-07-07T19:00:00-05:00")]),
        ("2026-07-08T00:00:00Z", []),
        # The day clocks spring forward (2026-03-08) and fall back (2026-11-01) keep 16:00-19:00 local.
        ("2026-03-08T21:00:00Z", [("warehouse-cutoff", "2026-03-08T16:00:00-05:00", "2026-03-08T19:00:00-05:00")]),
        ("2026-11-01T22:00:00Z", [("warehouse-cutoff", "2026-11-01T16:00:00-06:00", "2026-11-01T19:00:00-06:00")]),
        ("2026-11-01T21:30:00Z", []),
    ],
)
def test_daily_window_follows_local_time_across_dst(when, expected):
    assert active(CUTOFF, when) == expected


def test_window_crossing_midnight_on_the_fall_back_night_lasts_nine_real_hours():
    night = policy({"name": "night-batch", "start": "22:00", "end": "06:00"})
    # Starts Sat 2026-10-31 22:00 CDT (03:00Z); ends Sun 06:00 CST (12:00Z), not 11:00Z.
    occurrence = ("night-batch", "2026-10-31T22:00:00-05:00", "2026-11-01T06:00:00-06:00")
    assert active(night, "2026-11-01T03:00:00Z") == [occurrence]
    assert active(night, "2026-11-01T11:30:00Z") == [occurrence]
    assert active(night, "2026-11-01T12:00:00Z") == []
    assert active(night, "2026-11-01T02:59:59Z") == []


def test_spring_forward_gap_keeps_the_windows_duration():
    gap = policy({"name": "maintenance", "start": "01:30", "end": "02:30"})
    # 02:30 does not exist on 2026-03-08 in Chicago; read with the pre-change offset it is 03:30 CDT (08:30Z).
    assert active(gap, "2026-03-08T08:15:00Z") == [
        ("maintenance", "2026-03-08T01:30:00-06:00", "2026-03-08T03:30:00-05:00")
    ]
    assert active(gap, "2026-03-08T08:30:00Z") == []


def test_weekday_window_crossing_midnight_counts_from_the_day_it_starts():
    settlement = policy({"name": "settlement", "days": ["fri"], "start": "22:00", "end": "02:00"})
    # Friday 2026-12-04 22:00 CST -> Saturday 02:00 CST.
    assert active(settlement, "2026-12-05T07:00:00Z") == [
        ("settlement", "2026-12-04T22:00:00-06:00", "2026-12-05T02:00:00-06:00")
    ]
    assert active(settlement, "2026-12-06T05:00:00Z") == []  # Saturday 23:00: Saturday is not a start day
    assert active(settlement, "2026-12-04T07:00:00Z") == []  # Friday 01:00 belongs to Thursday's night


@pytest.mark.parametrize(
    ("year", "month", "count", "expected"),
    [
        (2026, 12, 2, ["2026-12-30", "2026-12-31"]),  # ends on a Thursday
        (2027, 1, 2, ["2027-01-28", "2027-01-29"]),  # ends on a Sunday: Thursday and Friday
        (2026, 8, 2, ["2026-08-28", "2026-08-31"]),  # ends on a Monday: Friday and Monday
        (2028, 2, 2, ["2028-02-28", "2028-02-29"]),  # leap year
        (2026, 2, 3, ["2026-02-25", "2026-02-26", "2026-02-27"]),  # 28th is a Saturday
    ],
)
def test_last_business_days(year, month, count, expected):
    assert [d.isoformat() for d in last_business_days(year, month, count)] == expected


CLOSE = policy({"name": "financial-close", "lastBusinessDays": 2})


def test_month_end_window_runs_to_midnight_after_the_last_business_day():
    december = ("financial-close", "2026-12-30T00:00:00-06:00", "2027-01-01T00:00:00-06:00")
    assert active(CLOSE, "2026-12-30T06:00:00Z") == [december]
    assert active(CLOSE, "2026-12-30T05:59:59Z") == []
    assert active(CLOSE, "2027-01-01T05:59:59Z") == [december]  # New Year's Eve, 23:59:59 local
    assert active(CLOSE, "2027-01-01T06:00:00Z") == []


def test_month_end_includes_a_weekend_between_the_business_days_but_not_one_after():
    august = ("financial-close", "2026-08-28T00:00:00-05:00", "2026-09-01T00:00:00-05:00")
    assert active(CLOSE, "2026-08-29T17:00:00Z") == [august]  # Saturday between Friday and Monday
    january = ("financial-close", "2027-01-28T00:00:00-06:00", "2027-01-30T00:00:00-06:00")
    assert active(CLOSE, "2027-01-29T23:00:00Z") == [january]
    assert active(CLOSE, "2027-01-30T18:00:00Z") == []  # Saturday after the last business day


def test_month_end_uses_the_local_date_not_the_utc_one():
    # 2026-12-01T03:00Z is still November 30 in Chicago (a Monday, the last business day of November).
    assert active(CLOSE, "2026-12-01T03:00:00Z") == [
        ("financial-close", "2026-11-27T00:00:00-06:00", "2026-12-01T00:00:00-06:00")
    ]


def test_one_off_window_local_or_with_offset():
    peak = policy(
        {"name": "peak", "starts": "2026-11-23T00:00:00", "ends": "2026-12-01T00:00:00"},
        {
            "name": "migration",
            "timeZone": "Europe/Berlin",
            "starts": "2026-12-10T20:00:00+00:00",
            "ends": "2026-12-10T22:00:00+00:00",
        },
    )
    assert active(peak, "2026-11-23T06:00:00Z") == [("peak", "2026-11-23T00:00:00-06:00", "2026-12-01T00:00:00-06:00")]
    assert active(peak, "2026-11-23T05:59:00Z") == []
    assert active(peak, "2026-12-10T21:00:00Z") == [
        ("migration", "2026-12-10T21:00:00+01:00", "2026-12-10T23:00:00+01:00")
    ]


def test_several_windows_in_force_are_all_reported_in_config_order():
    both = policy(
        {"name": "warehouse-cutoff", "start": "16:00", "end": "19:00"},
        {"name": "financial-close", "lastBusinessDays": 2},
    )
    assert [name for name, _, _ in active(both, "2026-12-31T23:00:00Z")] == ["warehouse-cutoff", "financial-close"]


def test_naive_instant_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        active_windows(CUTOFF, dt.datetime(2026, 12, 7, 16, 30))


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"name": "x", "start": 960, "end": "19:00"}, 'write the time in quotes, e.g. "16:00"'),
        ({"name": "x", "start": "4pm", "end": "19:00"}, "'4pm' is not a time of day HH:MM"),
        ({"name": "x", "start": "16:00"}, "a recurring window needs both start and end"),
        ({"name": "x", "start": "16:00", "end": "19:00", "lastBusinessDays": 2}, "set exactly one of"),
        ({"name": "x", "starts": "2026-12-02T00:00:00", "ends": "2026-12-01T00:00:00"}, "ends must be after starts"),
        ({"name": "x", "timeZone": "Mars/Olympus", "lastBusinessDays": 1}, "'Mars/Olympus' is not an IANA time zone"),
        ({"name": "x", "lastBusinessDays": 2, "blocks": "some"}, "Input should be 'all' or 'high-risk'"),
    ],
)
def test_invalid_windows_are_explained(window, message):
    with pytest.raises(ValidationError) as error:
        DeployPolicy.model_validate({"freezeWindows": [window]})
    assert message in str(error.value)
