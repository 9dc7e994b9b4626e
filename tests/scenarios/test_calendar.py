"""Calendar arithmetic of format v2: times of day, shifts, breaks, days and working intervals.

Pins down that a time of day is seconds after midnight (``24:00`` only as an end); that a
shift belongs to the day it starts on and may cross midnight (also Sunday into Monday, which
wraps onto the start of the week); that breaks cut only the shifts they apply to, also across
midnight; that :func:`working_intervals` tiles the weekly pattern over any span, clipped and
merged across week boundaries; and that the working share equals hours worked / 168 h. The
expected intervals are worked out by hand in each test.
"""

from __future__ import annotations

import math

import pytest

from scenarios import Calendar
from scenarios.calendar import (
    DAY_S,
    WEEK_S,
    format_time_of_day,
    parse_time_of_day,
    week_intervals,
    working_intervals,
    working_share,
)

H = 3600.0


def _calendar(**data: object) -> Calendar:
    return Calendar.model_validate(data)


TWO_SHIFTS = _calendar(
    shifts=[
        {"name": "early", "start": "06:00", "end": "14:00"},
        {"name": "late", "start": "14:00", "end": "22:00"},
    ],
    breaks=[{"start": "10:00", "duration": "30 min"}],
    days=["mon", "tue", "wed", "thu", "fri", "sat"],
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00", 0.0),
        ("6:00", 6 * H),
        ("06:00", 6 * H),
        ("22:30", 22.5 * H),
        ("06:00:30", 6 * H + 30),
        ("23:59:59", DAY_S - 1),
        ("24:00", DAY_S),
    ],
)
def test_time_of_day(text: str, seconds: float) -> None:
    assert parse_time_of_day(text) == seconds


@pytest.mark.parametrize("text", ["25:00", "24:01", "12:60", "12:00:60", "noon", "6", "-1:00"])
def test_impossible_time_of_day(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time_of_day(text)


def test_time_of_day_round_trip() -> None:
    for text in ("00:00", "06:00", "22:30", "06:00:30", "24:00"):
        assert format_time_of_day(parse_time_of_day(text)) == text


def test_two_shifts_six_days_with_a_break() -> None:
    week = week_intervals(TWO_SHIFTS, ["early", "late"])
    # Each working day d: 06:00-10:00 and 10:30-22:00 (early and late touch at 14:00).
    expected = []
    for d in range(6):
        expected += [
            (d * DAY_S + 6 * H, d * DAY_S + 10 * H),
            (d * DAY_S + 10.5 * H, d * DAY_S + 22 * H),
        ]
    assert list(week) == expected
    assert working_share(TWO_SHIFTS, ["early", "late"]) == pytest.approx(6 * 15.5 / 168, abs=1e-15)


def test_break_outside_a_shift_changes_nothing() -> None:
    late = week_intervals(TWO_SHIFTS, ["late"])
    assert late[0] == (14 * H, 22 * H)
    assert len(late) == 6


def test_no_shift_names_or_no_calendar_is_always_working() -> None:
    assert week_intervals(None, ["early"]) == ((0.0, WEEK_S),)
    assert week_intervals(TWO_SHIFTS, None) == ((0.0, WEEK_S),)
    assert working_share(None, None) == 1.0


def test_night_shift_crosses_midnight_and_wraps_the_week() -> None:
    cal = _calendar(shifts=[{"name": "night", "start": "22:00", "end": "06:00"}])
    week = week_intervals(cal, ["night"])
    # Monday 00:00-06:00 is the end of Sunday's night shift; Sunday's starts at 22:00.
    assert week[0] == (0.0, 6 * H)
    assert week[-1] == (6 * DAY_S + 22 * H, WEEK_S)
    assert week[1] == (22 * H, DAY_S + 6 * H)
    assert working_share(cal, ["night"]) == pytest.approx(8 / 24, abs=1e-15)
    # Over two weeks the Sunday night shift is one interval across the week boundary.
    two = working_intervals(cal, ["night"], 0.0, 2 * WEEK_S)
    assert (6 * DAY_S + 22 * H, WEEK_S + 6 * H) in two


def test_a_shift_belongs_to_the_day_it_starts_on() -> None:
    cal = _calendar(shifts=[{"name": "night", "start": "22:00", "end": "06:00"}], days=["sat"])
    assert week_intervals(cal, ["night"]) == ((5 * DAY_S + 22 * H, 6 * DAY_S + 6 * H),)


def test_break_across_midnight_cuts_the_night_shift() -> None:
    cal = _calendar(
        shifts=[{"name": "night", "start": "22:00", "end": "06:00"}],
        breaks=[{"start": "23:30", "duration": "1 h"}],
        days=["tue"],
    )
    assert week_intervals(cal, ["night"]) == (
        (DAY_S + 22 * H, DAY_S + 23.5 * H),
        (2 * DAY_S + 0.5 * H, 2 * DAY_S + 6 * H),
    )


def test_sunday_break_before_midnight_cuts_monday_morning() -> None:
    cal = _calendar(
        shifts=[{"name": "all", "start": "00:00", "end": "24:00"}],
        breaks=[{"start": "23:30", "duration": "1 h"}],
    )
    week = week_intervals(cal, ["all"])
    assert week[0] == (0.5 * H, 23.5 * H)  # Monday: Sunday's break runs until 00:30
    assert week[-1] == (6 * DAY_S + 0.5 * H, 6 * DAY_S + 23.5 * H)
    assert working_share(cal, ["all"]) == pytest.approx(23 / 24, abs=1e-15)


def test_break_applies_only_to_its_shifts() -> None:
    cal = _calendar(
        shifts=[
            {"name": "early", "start": "06:00", "end": "14:00"},
            {"name": "office", "start": "08:00", "end": "17:00"},
        ],
        breaks=[{"start": "12:00", "duration": "1 h", "shifts": ["office"]}],
        days=["mon"],
    )
    assert week_intervals(cal, ["office"]) == ((8 * H, 12 * H), (13 * H, 17 * H))
    assert week_intervals(cal, ["early"]) == ((6 * H, 14 * H),)
    # Following both: the early shift covers the office lunch until 14:00.
    assert week_intervals(cal, ["early", "office"]) == ((6 * H, 17 * H),)


def test_full_day_and_equal_start_end_shifts() -> None:
    full = _calendar(shifts=[{"name": "all", "start": "00:00", "end": "24:00"}])
    assert week_intervals(full, ["all"]) == ((0.0, WEEK_S),)
    same = _calendar(shifts=[{"name": "d", "start": "07:00", "end": "07:00"}], days=["wed"])
    assert same.shifts[0].length_s == DAY_S
    assert week_intervals(same, ["d"]) == ((2 * DAY_S + 7 * H, 3 * DAY_S + 7 * H),)


def test_working_intervals_clip_and_tile() -> None:
    names = ["early", "late"]
    start, end = 8 * H, 3 * WEEK_S + 12 * H  # Monday 08:00 to Monday 12:00 three weeks later
    spans = working_intervals(TWO_SHIFTS, names, start, end)
    assert spans[0] == (8 * H, 10 * H)
    assert spans[-1] == (3 * WEEK_S + 10.5 * H, 3 * WEEK_S + 12 * H)
    total = math.fsum(b - a for a, b in spans)
    # Three full weeks of 93 h, minus Monday 06:00-08:00 of week 0, plus Monday 06:00-12:00
    # of week 3 less its 30-minute break.
    assert total == pytest.approx((3 * 93 - 2 + 5.5) * H, abs=1e-6)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    assert working_intervals(TWO_SHIFTS, names, 5.0, 5.0) == []


def test_unknown_shift_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        week_intervals(TWO_SHIFTS, ["night"])
