"""Working calendar of format v2: shifts, breaks and working days, and their arithmetic.

Simulated time 0 is Monday 00:00. A shift is a daily window of local time of day; it may cross
midnight and then belongs to the day it starts on. A break cuts a daily window out of the
shifts it applies to. :func:`week_intervals` turns shift names into the working intervals of
one week (seconds after Monday 00:00); :func:`working_intervals` tiles that pattern over any
span of simulated time. Pure Python: the engine and the GUI share it.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, Duration, Name, by_name, field_problem
from .units import show_value

__all__ = [
    "DAY_NAMES",
    "DAY_S",
    "WEEK_S",
    "Break",
    "Calendar",
    "Day",
    "Shift",
    "TimeOfDay",
    "format_time_of_day",
    "parse_time_of_day",
    "week_intervals",
    "working_intervals",
    "working_share",
]

DAY_S = 86_400.0
"""Seconds in a day."""
WEEK_S = 7 * DAY_S
"""Seconds in a week; simulated time 0 is Monday 00:00."""

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names in calendar order; the index is the day's offset from Monday."""

_FULL_DAY_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
}

TIME_OF_DAY_PATTERN = r"^\s*(?:(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?|24:00(?::00)?)\s*$"
"""Regular expression (JSON Schema ``pattern``) of a time of day: ``HH:MM`` or ``HH:MM:SS``."""

_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("linelab", "{message}", {"message": message})


def parse_time_of_day(value: object) -> float:
    """Seconds after midnight of a time of day written ``"HH:MM"`` or ``"HH:MM:SS"``.

    ``"24:00"`` (the end of the day) is accepted; hours above 24, minutes or seconds above
    59 are not.

    Raises:
        ValueError: not text of that form, or an impossible time such as ``"25:00"``.
    """
    if not isinstance(value, str):
        hint = ""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 24:
            hint = f"; write '{value:02d}:00' (in quotes or not)"
        raise ValueError(f"expected a time of day like '06:00', got {show_value(value)}{hint}")
    match = _TIME_RE.match(value)
    if match is None:
        raise ValueError(f"expected a time of day like '06:00' or '22:30', got {show_value(value)}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ValueError(
            f"impossible time of day {show_value(value)}: hours go from 00 to 23 "
            "(24:00 only as the end of the day), minutes and seconds from 00 to 59"
        )
    return float(hours * 3600 + minutes * 60 + seconds)


def format_time_of_day(seconds: float) -> str:
    """Seconds after midnight as ``"HH:MM"`` (``"HH:MM:SS"`` when not whole minutes)."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if secs:
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{hours:02d}:{minutes:02d}"


def _to_time_of_day(value: Any) -> Any:
    try:
        return parse_time_of_day(value)
    except ValueError as exc:
        raise _problem(str(exc)) from None


TimeOfDay = Annotated[
    float,
    BeforeValidator(
        _to_time_of_day,
        json_schema_input_type=Annotated[str, Field(pattern=TIME_OF_DAY_PATTERN)],
    ),
    PlainSerializer(format_time_of_day, return_type=str),
]
"""A time of day: float seconds after midnight once validated; ``"HH:MM"`` in a file."""


def _to_day(value: Any) -> Any:
    if isinstance(value, str) and value not in DAY_NAMES:
        low = value.strip().lower()
        guess = _FULL_DAY_NAMES.get(low) or (low if low in DAY_NAMES else None)
        if guess is None:
            close = difflib.get_close_matches(low, DAY_NAMES, n=1, cutoff=0.5)
            guess = close[0] if close else None
        hint = f"; did you mean '{guess}'?" if guess else ""
        raise _problem(f"unknown day {show_value(value)}{hint} (valid: {', '.join(DAY_NAMES)})")
    return value


Day = Annotated[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], BeforeValidator(_to_day)]
"""A day of the week: ``mon`` … ``sun``."""


class Shift(BaseModel):
    """A daily working window: from ``start`` to ``end`` local time, on every working day."""

    model_config = MODEL_CONFIG

    name: Name
    """Unique shift name that resources and stations refer to (``shifts: [early]``)."""
    start: TimeOfDay
    """Time of day the shift starts, ``"HH:MM"`` (or ``"HH:MM:SS"``)."""
    end: TimeOfDay
    """Time of day the shift ends; at or before ``start`` it ends the next day (a night
    shift crossing midnight). ``"24:00"`` is midnight at the end of the day. A shift lasts
    less than 24 h unless it runs ``"00:00"`` to ``"24:00"``."""

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise _problem("must not be blank")
        return value

    @field_validator("start")
    @classmethod
    def _start_within_day(cls, value: float) -> float:
        if value >= DAY_S:
            raise _problem("a shift cannot start at 24:00; write '00:00'")
        return value

    @property
    def length_s(self) -> float:
        """Length of the shift in seconds (crossing midnight included)."""
        length = self.end - self.start
        return length if length > 0 else length + DAY_S


class Break(BaseModel):
    """A daily pause cut out of the shifts it applies to (every day of the week)."""

    model_config = MODEL_CONFIG

    start: TimeOfDay
    """Time of day the break starts, ``"HH:MM"``."""
    duration: Annotated[Duration, Field(gt=0, lt=DAY_S)]
    """Length of the break, > 0 and < 24 h (``30 min``)."""
    shifts: Annotated[tuple[Name, ...], Field(min_length=1)] | None = None
    """Shifts the break applies to; omitted: every shift (a break outside a shift's hours
    changes nothing)."""


class Calendar(BaseModel):
    """Shifts, breaks and working days that resources and stations may follow."""

    model_config = MODEL_CONFIG

    shifts: Annotated[tuple[Shift, ...], Field(min_length=1)]
    """The daily shifts (at least one), each with a unique name."""
    breaks: tuple[Break, ...] = ()
    """Daily breaks, taken by every resource and station that follows shifts."""
    days: tuple[Day, ...] | None = None
    """Working days: ``mon``, ``tue``, ``wed``, ``thu``, ``fri``, ``sat``, ``sun``; a shift
    works on the days it starts on. Omitted: every day."""

    @field_validator("days")
    @classmethod
    def _unique_days(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return value
        if not value:
            raise _problem("needs at least one day; omit 'days' for every day")
        seen: set[str] = set()
        for index, day in enumerate(value):
            if day in seen:
                raise field_problem((index,), f"day {day!r} is listed twice")
            seen.add(day)
        return value

    def shift(self, name: str) -> Shift:
        """The shift called ``name``.

        Raises:
            KeyError: no such shift.
        """
        return by_name(self.shifts, name)

    @property
    def shift_names(self) -> tuple[str, ...]:
        """Names of the shifts, in file order."""
        return tuple(s.name for s in self.shifts)


# ---------------------------------------------------------------------------------------
# Arithmetic


Interval = tuple[float, float]


def _merge(pieces: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for a, b in sorted(p for p in pieces if p[1] > p[0]):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _subtract(pieces: list[Interval], cuts: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    cuts = _merge(cuts)
    for a, b in pieces:
        start = a
        for c, d in cuts:
            if d <= start or c >= b:
                continue
            if c > start:
                out.append((start, c))
            start = max(start, d)
            if start >= b:
                break
        if start < b:
            out.append((start, b))
    return out


def _wrap(pieces: list[Interval]) -> list[Interval]:
    """Fold pieces that run past the end of the week back onto its start."""
    out: list[Interval] = []
    for a, b in pieces:
        if b <= WEEK_S:
            out.append((a, b))
        elif a >= WEEK_S:
            out.append((a - WEEK_S, b - WEEK_S))
        else:
            out.append((a, WEEK_S))
            out.append((0.0, b - WEEK_S))
    return out


def _break_windows(brk: Break) -> list[Interval]:
    """The break's windows over one week and the wrap into the next (every day)."""
    windows = [
        (day * DAY_S + brk.start, day * DAY_S + brk.start + brk.duration) for day in range(8)
    ]
    # The day before Monday too, so a break at 23:30 on Sunday cuts Monday 00:00-00:30.
    windows.append((-DAY_S + brk.start, -DAY_S + brk.start + brk.duration))
    return windows


def week_intervals(
    calendar: Calendar | None, shift_names: Sequence[str] | None
) -> tuple[Interval, ...]:
    """Working intervals of one week for something that follows ``shift_names``.

    Returns sorted, disjoint ``(start_s, end_s)`` pairs within ``[0, WEEK_S]``, in seconds
    after Monday 00:00: the union of the named shifts on the calendar's working days, each
    minus the breaks that apply to it. A shift running past Sunday midnight continues on
    Monday morning of the same pattern. Without shift names (or without a calendar) the
    answer is ``((0.0, WEEK_S),)``: always working.

    Raises:
        KeyError: a shift name the calendar does not have.
    """
    if calendar is None or shift_names is None:
        return ((0.0, WEEK_S),)
    days = calendar.days if calendar.days is not None else DAY_NAMES
    day_index = [DAY_NAMES.index(d) for d in days]
    pieces: list[Interval] = []
    for name in shift_names:
        shift = calendar.shift(name)
        windows = [
            (d * DAY_S + shift.start, d * DAY_S + shift.start + shift.length_s) for d in day_index
        ]
        cuts: list[Interval] = []
        for brk in calendar.breaks:
            if brk.shifts is None or name in brk.shifts:
                cuts.extend(_break_windows(brk))
        pieces.extend(_subtract(windows, cuts))
    return tuple(_merge(_wrap(pieces)))


def working_intervals(
    calendar: Calendar | None,
    shift_names: Sequence[str] | None,
    start_s: float,
    end_s: float,
) -> list[Interval]:
    """The weekly working pattern of :func:`week_intervals` tiled over ``[start_s, end_s)``.

    Intervals are clipped to the span and merged across week boundaries, so a night shift
    from Sunday 22:00 to Monday 06:00 is one interval.
    """
    if end_s <= start_s:
        return []
    week = week_intervals(calendar, shift_names)
    first = math.floor(start_s / WEEK_S)
    last = math.floor(end_s / WEEK_S)
    pieces: list[Interval] = []
    for k in range(first, last + 1):
        offset = k * WEEK_S
        for a, b in week:
            lo, hi = max(a + offset, start_s), min(b + offset, end_s)
            if hi > lo:
                pieces.append((lo, hi))
    return _merge(pieces)


def working_share(calendar: Calendar | None, shift_names: Sequence[str] | None) -> float:
    """Share of the week spent working, in [0, 1]."""
    return math.fsum(b - a for a, b in week_intervals(calendar, shift_names)) / WEEK_S
