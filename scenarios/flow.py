"""Material flow (format v2): the floor layout, conveyors, and the units of distance, speed
and acceleration.

A layout is a set of named points with coordinates in metres joined by straight aisles
(two-way, or one-way under ``one_way``); stations stand ``at`` points and vehicles drive
along the aisles. Names that refer to points (aisle ends, ``at``, ``park``) and whether
the stations that exchange parts by vehicle are connected are checked by
:mod:`scenarios.checks`, which sees the whole scenario.

Lengths are written as a number of metres or text with a unit (``"12 m"``, ``"500 mm"``),
speeds as a number of m/s or ``"1 m/s"``, ``"60 m/min"``, ``"3.6 km/h"``, accelerations as
a number of m/s² or ``"0.5 m/s2"``; all are stored as floats in metres and seconds. A speed
written where an acceleration is asked (or the other way round) is refused with a hint.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, Name, field_problem
from .units import (
    ACCELERATION_UNITS,
    LENGTH_UNITS,
    SPEED_UNITS,
    article,
    parse_quantity,
    quantity_input,
    quantity_pattern,
    show_value,
)

__all__ = [
    "ACCELERATION_UNITS",
    "LENGTH_UNITS",
    "MAX_CONVEYOR_PARTS",
    "MAX_COORDINATE_M",
    "SPEED_UNITS",
    "Acceleration",
    "Conveyor",
    "Layout",
    "Metres",
    "Speed",
    "parse_acceleration",
    "parse_length",
    "parse_speed",
    "trip_time_s",
]

MAX_LENGTH_M = 100_000.0
"""Longest length, in metres (100 km): more on one factory floor is a unit mistake."""
MAX_COORDINATE_M = 100_000.0
"""Largest coordinate of a layout point, in metres (either sign)."""
MAX_SPEED_M_S = 100.0
"""Fastest speed, in m/s (360 km/h): more is a unit mistake."""
MIN_SPEED_M_S = 1e-6
"""Slowest positive speed, in m/s (1 µm/s): less is a typo and would make trips endless."""
MAX_ACCELERATION_M_S2 = 100.0
"""Largest acceleration, in m/s² (about 10 g): more is a unit mistake."""
MIN_LENGTH_M = 1e-6
"""Shortest positive length, in metres (1 µm)."""
MAX_CONVEYOR_PARTS = 1_000_000
"""Most parts a conveyor may hold (``floor(length / spacing)``), like the largest buffer."""

LENGTH_PATTERN = quantity_pattern(LENGTH_UNITS)
"""JSON Schema ``pattern`` of a length written as text."""
SPEED_PATTERN = quantity_pattern(SPEED_UNITS)
"""JSON Schema ``pattern`` of a speed written as text."""
ACCELERATION_PATTERN = quantity_pattern(ACCELERATION_UNITS)
"""JSON Schema ``pattern`` of an acceleration written as text."""

_KINDS: dict[str, tuple[str, str, float, str, float, str]] = {
    "length": (
        "'12 m', '500 mm' or a number of metres",
        "m, mm, cm, km",
        MAX_LENGTH_M,
        "100 km",
        MIN_LENGTH_M,
        "1 micrometre",
    ),
    "speed": (
        "'1 m/s', '60 m/min' or a number of m/s",
        "m/s, m/min, km/h, mm/s",
        MAX_SPEED_M_S,
        "100 m/s",
        MIN_SPEED_M_S,
        "1e-6 m/s",
    ),
    "acceleration": (
        "'0.5 m/s2' or a number of m/s2",
        "m/s2, m/s^2, mm/s2",
        MAX_ACCELERATION_M_S2,
        "100 m/s2",
        MIN_SPEED_M_S,
        "1e-6 m/s2",
    ),
}
"""Per dimension: an example for messages, the units listed when one is unknown, and the
largest and smallest positive value accepted (in SI units, and as messages write them)."""


def _quantity(value: object, kind: str) -> float:
    """``value`` (a number in SI units, or text with a unit) as a float of SI units, checked
    to be finite, not negative, and 0 or within the bounds of ``kind`` in :data:`_KINDS`."""
    example, known, most, most_text, least, least_text = _KINDS[kind]
    number = parse_quantity(
        value,
        kind,
        expected=f"expected a {kind} like {example}",
        asked=f"{article(kind)} {kind}",
        write=example,
        noun=kind,
        known=known,
    )
    if not math.isfinite(number):
        raise ValueError(f"must be a finite {kind}, got {show_value(value)}")
    if number < 0:
        raise ValueError(f"must be >= 0 (a {kind} is never negative), got {show_value(value)}")
    if number > most:
        raise ValueError(f"must be at most {most_text}, got {show_value(value)}; check the unit")
    if 0 < number < least:
        raise ValueError(
            f"is below {least_text}, got {show_value(value)}; check the number and the unit"
        )
    return number


def parse_length(value: object) -> float:
    """Convert a length to float metres: a number (metres) or text (``"12 m"``, ``"500 mm"``).

    Raises:
        ValueError: not a length (a speed or a time, say), an unknown unit, negative, NaN,
            infinite, more than 100 km, or positive but below 1 µm.
    """
    return _quantity(value, "length")


def parse_speed(value: object) -> float:
    """Convert a speed to float m/s: a number (m/s) or text (``"1 m/s"``, ``"60 m/min"``).

    Raises:
        ValueError: not a speed (an acceleration, say, with a hint), an unknown unit,
            negative, NaN, infinite, more than 100 m/s, or positive but below 1 µm/s.
    """
    return _quantity(value, "speed")


def parse_acceleration(value: object) -> float:
    """Convert an acceleration to float m/s²: a number (m/s²) or text (``"0.5 m/s2"``).

    Raises:
        ValueError: not an acceleration (a speed such as ``"0.5 m/s"``, with a hint), an
            unknown unit, negative, NaN, infinite, or more than 100 m/s².
    """
    return _quantity(value, "acceleration")


Metres = Annotated[
    float,
    quantity_input(parse_length, LENGTH_PATTERN),
    Field(ge=0, allow_inf_nan=False),
]
"""A length: float metres once validated; in a file a number of metres or ``"12 m"``."""

Speed = Annotated[
    float,
    quantity_input(parse_speed, SPEED_PATTERN),
    Field(ge=0, allow_inf_nan=False),
]
"""A speed: float m/s once validated; in a file a number of m/s or ``"1 m/s"``."""

Acceleration = Annotated[
    float,
    quantity_input(parse_acceleration, ACCELERATION_PATTERN),
    Field(ge=0, allow_inf_nan=False),
]
"""An acceleration: float m/s² once validated; in a file a number of m/s² or ``"0.5 m/s2"``."""


def trip_time_s(distance_m: float, speed: float, acceleration: float | None) -> float:
    """Time of one trip of ``distance_m`` metres that accelerates and brakes once, in s.

    ``d/v + v/a`` when the vehicle reaches its top ``speed`` (``d >= v²/a``), else
    ``2·sqrt(d/a)`` (a triangular profile); ``d/v`` without ``acceleration``.
    """
    if distance_m <= 0:
        return 0.0
    if acceleration is None:
        return distance_m / speed
    if distance_m >= speed * speed / acceleration:
        return distance_m / speed + speed / acceleration
    return 2.0 * math.sqrt(distance_m / acceleration)


# --------------------------------------------------------------------------------------
# Layout


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("linelab", "{message}", {"message": message})


_POINT_FORM = "a point is an (x, y) pair of numbers in metres, such as [12.5, 4]"


def _to_point(value: Any) -> Any:
    if isinstance(value, dict):
        raise _problem(f"{_POINT_FORM}, got a mapping")
    if not isinstance(value, list | tuple):
        hint = ""
        if isinstance(value, str) and "," in value:
            hint = " (write it as a list: [x, y])"
        raise _problem(f"{_POINT_FORM}, got {show_value(value)}{hint}")
    if len(value) != 2:
        raise _problem(f"{_POINT_FORM}, got a list of {len(value)} values")
    for coordinate in value:
        if isinstance(coordinate, str):
            raise _problem(
                f"{_POINT_FORM}; write plain numbers of metres without units, "
                f"got {show_value(coordinate)}"
            )
        if isinstance(coordinate, bool) or not isinstance(coordinate, int | float):
            raise _problem(f"{_POINT_FORM}, got {show_value(coordinate)} as a coordinate")
        if not math.isfinite(coordinate):
            raise _problem(f"coordinates must be finite numbers, got {show_value(coordinate)}")
        if abs(coordinate) > MAX_COORDINATE_M:
            raise _problem(
                f"coordinates must be within ±100 km (100000 m), got {show_value(coordinate)}; "
                "check the unit (coordinates are metres)"
            )
    return (float(value[0]), float(value[1]))


def _to_aisle(value: Any) -> Any:
    form = "an aisle is a pair of point names, such as [cnc_out, corner]"
    if not isinstance(value, list | tuple):
        raise _problem(f"{form}, got {show_value(value)}")
    if len(value) == 3 and isinstance(value[2], dict):
        raise _problem(
            f"{form}; list a one-way aisle under 'layout.one_way' as [from, to] instead"
        )
    if len(value) != 2:
        raise _problem(f"{form}, got a list of {len(value)} values")
    if isinstance(value[0], str) and value[0] == value[1]:
        raise _problem(f"an aisle from {value[0]!r} to itself goes nowhere; remove it")
    return tuple(value)


_PAIR = Field(min_length=2, max_length=2)

Point = Annotated[
    tuple[float, float],
    BeforeValidator(_to_point, json_schema_input_type=Annotated[list[float], _PAIR]),
]
"""A layout point: (x, y) in metres."""

Aisle = Annotated[
    tuple[Name, Name],
    BeforeValidator(_to_aisle, json_schema_input_type=Annotated[list[Name], _PAIR]),
]
"""An aisle: the names of its two end points."""


class Layout(BaseModel):
    """The floor: named points in metres joined by straight aisles that vehicles drive along."""

    model_config = MODEL_CONFIG

    points: Annotated[dict[Name, Point], Field(min_length=1)]
    """Named points with their coordinates in metres: ``{cnc_out: [0, 0], wash_in: [30, 40]}``
    (plain numbers, x then y; at most 100 km from the origin)."""
    aisles: tuple[Aisle, ...] = ()
    """Two-way straight aisles between two points: ``[[cnc_out, corner], [corner, wash_in]]``.
    Their length is the straight-line distance between the points."""
    one_way: tuple[Aisle, ...] = ()
    """One-way straight aisles, driven only from the first point to the second:
    ``[[wash_out, pack_in]]``."""

    def aisle_length(self, a: str, b: str) -> float:
        """Straight-line distance between the points ``a`` and ``b``, in metres."""
        (xa, ya), (xb, yb) = self.points[a], self.points[b]
        return math.hypot(xb - xa, yb - ya)

    def edges(self) -> tuple[tuple[str, str, float], ...]:
        """Directed edges ``(from, to, length_m)``: a two-way aisle gives both directions,
        a one-way aisle one; in file order (``aisles``, then ``one_way``)."""
        out: list[tuple[str, str, float]] = []
        for a, b in self.aisles:
            length = self.aisle_length(a, b)
            out += [(a, b, length), (b, a, length)]
        for a, b in self.one_way:
            out.append((a, b, self.aisle_length(a, b)))
        return tuple(out)

    def point_index(self) -> dict[str, int]:
        """Each point's index, 0 to n − 1, in file order."""
        return {name: index for index, name in enumerate(self.points)}

    def reachable_from(self, point: str) -> set[str]:
        """Points reachable from ``point`` along the aisles (``point`` itself included)."""
        return reachable(adjacency(self.aisles, self.one_way), point)


def adjacency(aisles: Any, one_way: Any) -> dict[str, list[str]]:
    """Directed neighbours of each point, from aisle lists as written (bad items skipped)."""
    out: dict[str, list[str]] = {}

    def pairs(items: Any) -> list[tuple[str, str]]:
        if not isinstance(items, list | tuple):
            return []
        return [
            (item[0], item[1])
            for item in items
            if isinstance(item, list | tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], str)
        ]

    for a, b in pairs(aisles):
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    for a, b in pairs(one_way):
        out.setdefault(a, []).append(b)
    return out


def reachable(neighbours: dict[str, list[str]], start: str) -> set[str]:
    """Breadth-first search: every point reachable from ``start`` (``start`` included)."""
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in neighbours.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


# --------------------------------------------------------------------------------------
# Conveyors


class Conveyor(BaseModel):
    """A belt after a station that carries its finished parts to the next station.

    A part enters when the belt has room and the previous part has moved ``spacing`` on,
    rides ``length / speed`` seconds, and waits at the end (accumulating) until the next
    station takes it; parts keep their order. A full belt blocks the station feeding it.
    """

    model_config = MODEL_CONFIG

    length: Metres
    """Length of the belt: ``12 m``, ``1200 mm`` or a number of metres, > 0."""
    speed: Speed
    """Belt speed: ``0.2 m/s``, ``12 m/min`` or a number of m/s, > 0."""
    spacing: Metres
    """Distance between two parts on the belt (pitch), > 0 and at most ``length``. The belt
    holds at most ``floor(length / spacing)`` parts."""

    @model_validator(mode="after")
    def _sizes(self) -> Conveyor:
        if self.speed <= 0:
            raise field_problem(
                ("speed",), "a conveyor speed must be > 0 (parts would never arrive)"
            )
        if self.length <= 0:
            raise field_problem(("length",), "a conveyor length must be > 0")
        if self.spacing <= 0:
            raise field_problem(
                ("spacing",), "the spacing must be > 0 (the distance between two parts)"
            )
        if self.spacing > self.length:
            raise field_problem(
                ("spacing",),
                f"the conveyor ({self.length:g} m) is shorter than its spacing "
                f"({self.spacing:g} m), so it could not hold a single part; make the spacing "
                "at most the length",
            )
        if self.length / self.spacing >= MAX_CONVEYOR_PARTS + 1:
            raise field_problem(
                ("spacing",),
                f"the conveyor would hold {math.floor(self.length / self.spacing)} parts "
                f"(length / spacing); at most {MAX_CONVEYOR_PARTS} are allowed: check the units",
            )
        return self

    @property
    def capacity(self) -> int:
        """Most parts on the belt at once: ``floor(length / spacing)`` (at least 1)."""
        return max(1, math.floor(self.length / self.spacing + 1e-9))

    @property
    def travel_s(self) -> float:
        """Time a part rides from one end to the other, ``length / speed``, in seconds."""
        return self.length / self.speed

    @property
    def entry_gap_s(self) -> float:
        """Shortest time between two parts entering, ``spacing / speed``, in seconds."""
        return self.spacing / self.speed
