"""Durations: a number of seconds, or text such as ``"45 s"``, ``"2.5 min"``, ``"8 h"``.

Every time in a :class:`~scenarios.Scenario` is stored as float seconds.
"""

from __future__ import annotations

import difflib
import math
import re

__all__ = ["MAX_DURATION_S", "MIN_DURATION_S", "UNITS", "format_seconds", "parse_duration"]

MAX_DURATION_S = 1e9
"""Largest duration accepted anywhere, in seconds (about 31.7 years).

Nothing on a production line runs that long; a bigger number is a typo (a missing unit,
milliseconds taken as seconds) and would also defeat the float precision of the clock.
"""

MIN_DURATION_S = 1e-6
"""Smallest positive duration accepted anywhere, in seconds (1 µs); 0 stays allowed where a
field allows it.

A positive time below a microsecond is a typo on a production line (``1e-9`` for ``1e-3``,
``5e-324`` for 5): no robot or machine step is that short, and such steps would make a run
take for ever. It also keeps every step visible on the clock: near the largest run length,
1e9 s, float64 times are 1.2e-7 s apart, so adding a step of at least 1 µs always advances
the clock.
"""

_SECOND = 1.0
_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 86400.0

UNITS: dict[str, float] = {
    "ms": 0.001,
    "s": _SECOND,
    "sec": _SECOND,
    "secs": _SECOND,
    "second": _SECOND,
    "seconds": _SECOND,
    "min": _MINUTE,
    "mins": _MINUTE,
    "minute": _MINUTE,
    "minutes": _MINUTE,
    "h": _HOUR,
    "hr": _HOUR,
    "hrs": _HOUR,
    "hour": _HOUR,
    "hours": _HOUR,
    "d": _DAY,
    "day": _DAY,
    "days": _DAY,
}
"""Accepted unit spellings (case-insensitive) and their length in seconds."""

_NUMBER = r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_DURATION_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\s\d.+-][^\s]*)?\s*$")


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


DURATION_PATTERN = (
    rf"^\s*{_NUMBER}\s*"
    rf"(?:{'|'.join(_any_case(u) for u in sorted(UNITS, key=len, reverse=True))})?\s*$"
)
"""Regular expression (JSON Schema ``pattern``) of a duration written as text."""

# 'm' could be minutes, metres or months: refuse it, but suggest what a planner means.
_SPECIAL_HINTS = {"m": "min", "mn": "min", "hh": "h", "sek": "s"}

_EXPECTED = "expected a duration like '45 s' or a number of seconds"


def show_value(value: object) -> str:
    """How a value from the file is quoted in an error message (YAML spellings)."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return f"{value:g}"
    return str(value)


def unit_hint(unit: str) -> str:
    """Return ``"; did you mean 'min'?"`` for a misspelt unit, or ``""``."""
    if unit.lower() in _SPECIAL_HINTS:
        return f"; did you mean '{_SPECIAL_HINTS[unit.lower()]}'?"
    close = difflib.get_close_matches(unit.lower(), UNITS, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_range(seconds: float, written: object) -> float:
    """Check the magnitude of a duration; ``written`` is the value as given (for messages)."""
    if not math.isfinite(seconds):
        raise ValueError(f"must be a finite duration, got {show_value(written)}")
    if abs(seconds) > MAX_DURATION_S:
        raise ValueError(_too_long(show_value(written)))
    if 0.0 < seconds < MIN_DURATION_S:
        raise ValueError(_too_short(show_value(written)))
    return seconds


def _too_long(shown: str) -> str:
    return f"must be at most 1e9 s (about 31 years), got {shown}; check the unit"


def _too_short(shown: str) -> str:
    return (
        f"is below 1e-6 s (1 microsecond), got {shown}; a positive time this small is a "
        "typo: check the number and the unit"
    )


def parse_duration(value: object) -> float:
    """Convert a duration to float seconds.

    ``value`` is an ``int`` or ``float`` (seconds) or text ``"<number> <unit>"`` with a unit
    from :data:`UNITS` (``s``, ``sec``, ``second(s)``, ``ms``, ``min``, ``minute(s)``, ``h``,
    ``hr``, ``hour(s)``, ``d``, ``day(s)``; case-insensitive, the space is optional). Text
    without a unit is seconds, so ``"3600"`` works on a command line.

    The sign is kept (bounds such as ``> 0`` belong to the field using the duration).

    Raises:
        ValueError: not a duration, an unknown unit (with a did-you-mean hint), NaN or
            infinity, more than 1e9 s in magnitude, or positive but below 1e-6 s
            (:data:`MIN_DURATION_S`; a number so small that it rounds to 0 counts too).
    """
    if isinstance(value, bool):
        raise ValueError(f"{_EXPECTED}, got {show_value(value)}")
    if isinstance(value, int):
        if abs(value) > MAX_DURATION_S:
            raise ValueError(_too_long(show_value(value)))
        return float(value)  # a whole number of seconds is never below 1 µs unless 0
    if isinstance(value, float):
        return _check_range(value, value)
    if not isinstance(value, str):
        raise ValueError(f"{_EXPECTED}, got {show_value(value)}")
    match = _DURATION_RE.match(value)
    if match is None:
        raise ValueError(f"{_EXPECTED}, got {show_value(value)}")
    unit = match.group("unit")
    factor = 1.0
    if unit is not None:
        key = unit.lower()
        if key not in UNITS:
            known = ", ".join(["s", "ms", "min", "h", "d"])
            raise ValueError(
                f"unknown time unit '{unit}' in {show_value(value)} (use {known}){unit_hint(unit)}"
            )
        factor = UNITS[key]
    try:
        number = float(match.group("num").replace("_", ""))
    except ValueError:  # e.g. "1__0" slipped through the pattern
        raise ValueError(f"{_EXPECTED}, got {show_value(value)}") from None
    seconds = number * factor
    if seconds == 0.0 and re.search(r"[1-9]", match.group("num").lower().split("e")[0]):
        raise ValueError(f"is too close to 0 to be represented, got {show_value(value)}")
    return _check_range(seconds, value)


def format_seconds(seconds: float) -> str:
    """Render seconds for messages: ``150 s``, ``0.5 s``, ``3.6e+04 s`` stays short."""
    return f"{seconds:g} s"
