"""Durations: a number of seconds, or text such as ``"45 s"``, ``"2.5 min"``, ``"8 h"``.

Every time in a :class:`~scenarios.Scenario` is stored as float seconds.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

__all__ = [
    "ACCELERATION_UNITS",
    "DIMENSIONS",
    "ENERGY_UNITS",
    "LENGTH_UNITS",
    "MAX_DURATION_S",
    "MIN_DURATION_S",
    "NUMBER",
    "POWER_UNITS",
    "QUANTITY_RE",
    "SPEED_UNITS",
    "UNITS",
    "USE_UNITS",
    "article",
    "dimension_of",
    "format_seconds",
    "parse_duration",
    "parse_quantity",
    "quantity_input",
    "quantity_pattern",
    "split_quantity",
    "to_pydantic",
]

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

LENGTH_UNITS: dict[str, float] = {"m": 1.0, "mm": 0.001, "cm": 0.01, "km": 1000.0}
"""Accepted length units (case-insensitive) and their size in metres."""
SPEED_UNITS: dict[str, float] = {
    "m/s": 1.0,
    "mm/s": 0.001,
    "cm/s": 0.01,
    "m/min": 1.0 / 60.0,
    "km/h": 1000.0 / 3600.0,
    "m/h": 1.0 / 3600.0,
}
"""Accepted speed units (case-insensitive) and their size in m/s."""
ACCELERATION_UNITS: dict[str, float] = {
    **{f"m/s{sq}": 1.0 for sq in ("2", "^2", "²", "/s")},
    **{f"mm/s{sq}": 0.001 for sq in ("2", "^2", "²", "/s")},
    **{f"cm/s{sq}": 0.01 for sq in ("2", "^2", "²", "/s")},
}
"""Accepted acceleration units (case-insensitive) and their size in m/s²."""
POWER_UNITS: dict[str, float] = {"w": 0.001, "kw": 1.0, "mw": 1000.0}
"""Accepted power units (case-insensitive) and their size in kW."""
ENERGY_UNITS: dict[str, float] = {"wh": 0.001, "kwh": 1.0, "mwh": 1000.0}
"""Accepted energy units (case-insensitive) and their size in kWh."""
USE_UNITS: dict[str, float] = {
    "kwh/m": 1.0,
    "wh/m": 0.001,
    "kwh/km": 0.001,
    "wh/km": 1e-6,
}
"""Accepted units of consumption per distance (case-insensitive) and their size in kWh/m."""

DIMENSIONS: dict[str, dict[str, float]] = {
    "time": UNITS,
    "length": LENGTH_UNITS,
    "speed": SPEED_UNITS,
    "acceleration": ACCELERATION_UNITS,
    "power": POWER_UNITS,
    "energy": ENERGY_UNITS,
    "consumption per metre": USE_UNITS,
}
"""Every dimension a quantity in a file may have: its accepted units (lower case) and their
size in the dimension's stored unit (s, m, m/s, m/s², kW, kWh, kWh/m). No unit spelling
stands in two dimensions, so a unit names its dimension."""

_RECOGNISED_ONLY = {"j": "energy", "kj": "energy", "mj": "energy"}
"""Units no field accepts but that are recognised, to say what was written instead."""


def dimension_of(unit: str) -> str | None:
    """The dimension (a key of :data:`DIMENSIONS`) that ``unit`` measures (any case), or
    ``None`` for a unit LineLab does not know."""
    key = unit.lower()
    for dimension, units in DIMENSIONS.items():
        if key in units:
            return dimension
    return _RECOGNISED_ONLY.get(key)


NUMBER = r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
"""Regular expression of a number as written in a file (``_`` separators allowed)."""
_UNSIGNED = r"\+?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"

QUANTITY_RE = re.compile(rf"^\s*(?P<num>{NUMBER})\s*(?P<unit>[^\s\d.+-][^\s]*)?\s*$")
"""A quantity written as text: a number, optional spaces, an optional unit (one word)."""


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def quantity_pattern(units: dict[str, float]) -> str:
    """JSON Schema ``pattern`` of a non-negative quantity written as text with one of
    ``units`` (any case) or none."""
    spelled = "|".join(_any_case(u) for u in sorted(units, key=len, reverse=True))
    return rf"^\s*{_UNSIGNED}\s*(?:{spelled})?\s*$"


def split_quantity(value: object, expected: str) -> tuple[float, str | None]:
    """Split a quantity from a file into its number and its unit as written (``None`` for a
    bare number or text without a unit); the number is not yet scaled to any unit.

    Raises:
        ValueError: ``"{expected}, got <value>"`` when ``value`` is not a number nor text of
            the form ``"<number> <unit>"``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{expected}, got {show_value(value)}")
    if not isinstance(value, str):
        return float(value), None
    match = QUANTITY_RE.match(value)
    if match is None:
        raise ValueError(f"{expected}, got {show_value(value)}")
    try:
        number = float(match.group("num").replace("_", ""))
    except ValueError:  # e.g. "1__0" slipped through the pattern
        raise ValueError(f"{expected}, got {show_value(value)}") from None
    return number, match.group("unit")


def parse_quantity(
    value: object,
    dimension: str,
    *,
    expected: str,
    asked: str,
    write: str,
    noun: str,
    known: str,
    hints: Mapping[str, Callable[[str, float, str], str]] | None = None,
) -> float:
    """Convert a quantity of ``dimension`` to a float in its stored unit (see
    :data:`DIMENSIONS`): a number (already in that unit), or text ``"<number> <unit>"``.

    The messages are the caller's: ``expected`` for what is not a quantity at all; for a
    unit of another dimension ``"<value> is a <other>, but <asked> is asked here; write
    <write>"`` unless ``hints`` has a message for that dimension (called with the value as
    shown, the number and the unit as written); for an unknown unit ``"unknown <noun> unit
    '<unit>' in <value> (use <known>)"``. Sign, finiteness and range are left to the caller.

    Raises:
        ValueError: with one of the messages above.
    """
    number, unit = split_quantity(value, expected)
    if unit is None:
        return number
    units = DIMENSIONS[dimension]
    key = unit.lower()
    if key in units:
        return number * units[key]
    shown = show_value(value)
    other = dimension_of(unit)
    if other is not None and other != dimension:
        if hints is not None and other in hints:
            raise ValueError(hints[other](shown, number, unit))
        raise ValueError(
            f"{shown} is {article(other)} {other}, but {asked} is asked here; write {write}"
        )
    raise ValueError(f"unknown {noun} unit {unit!r} in {shown} (use {known})")


def article(word: str) -> str:
    """The indefinite article for ``word`` in a message: ``"an"`` before a vowel, else ``"a"``."""
    return "an" if word[0] in "aeiou" else "a"


def to_pydantic(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap a parser that raises :class:`ValueError` as a pydantic ``BeforeValidator``
    function whose error carries the parser's message unchanged."""

    def convert(value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            raise PydanticCustomError("linelab", "{message}", {"message": str(exc)}) from None

    return convert


DURATION_PATTERN = (
    rf"^\s*{NUMBER}\s*"
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
    match = QUANTITY_RE.match(value)
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


def quantity_input(parse: Callable[[Any], Any], pattern: str) -> BeforeValidator:
    """The ``BeforeValidator`` of a quantity field: ``parse`` converts what the file holds
    (its :class:`ValueError` becomes the field's error), and the JSON Schema accepts a number
    or text matching ``pattern``."""
    return BeforeValidator(
        to_pydantic(parse),
        json_schema_input_type=float | Annotated[str, Field(pattern=pattern)],
    )


def format_seconds(seconds: float) -> str:
    """Render seconds for messages: ``150 s``, ``0.5 s``, ``3.6e+04 s`` stays short."""
    return f"{seconds:g} s"
