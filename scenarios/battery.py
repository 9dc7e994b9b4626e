"""Format v2: the optional battery of a vehicle and its charging rule.

A vehicle resource may carry ``battery: {capacity, use, charge_rate, charger, low, full}``.
The battery drains by ``use`` per metre driven (loaded and empty alike; handling and waiting
draw nothing from it). When a vehicle finishes a task (a delivery, or the drive to ``park``)
with its state of charge at or below ``low``, it drives empty to the nearest ``charger`` point
(by travel time), charges at ``charge_rate`` up to ``full``, and only then takes work again.

Units: ``capacity`` is an energy (``"10 kWh"``, ``"800 Wh"`` or a number of kWh), ``use`` an
energy per metre (``"0.02 kWh/m"``, ``"20 Wh/m"``, ``"150 Wh/km"`` or a number of kWh/m),
``charge_rate`` a power (``"5 kW"``, ``"500 W"`` or a number of kW); all are stored as float
kWh, kWh/m and kW. A power where an energy is asked, an energy where a power is asked, or a
time where a power is asked are refused with a hint. ``low`` and ``full`` are fractions of
the capacity with ``0 <= low < full <= 1``. That every charger is a layout point and can be
reached from (and left for) every point the vehicle serves, and that the reserve at ``low``
covers the longest task and the trip to a charger (:func:`reserve_issue`), is checked by
:mod:`scenarios.checks`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, Name, StrictFloat, field_problem
from .power import parse_power
from .units import (
    ENERGY_UNITS,
    POWER_UNITS,
    USE_UNITS,
    parse_quantity,
    quantity_input,
    quantity_pattern,
    show_value,
)

__all__ = [
    "ENERGY_UNITS",
    "USE_UNITS",
    "Battery",
    "charger_paths",
    "charger_spots",
    "parse_energy",
    "parse_use",
    "reserve_issue",
]

MAX_ENERGY_KWH = 1_000_000.0
"""Largest battery, in kWh (1 GWh: more is a unit mistake)."""
MAX_USE_KWH_M = 1000.0
"""Largest consumption, in kWh per metre: more is a unit mistake."""

ENERGY_PATTERN = quantity_pattern(ENERGY_UNITS)
"""JSON Schema ``pattern`` of an energy written as text."""
USE_PATTERN = quantity_pattern(USE_UNITS)
"""JSON Schema ``pattern`` of a consumption per metre written as text."""
CHARGE_RATE_PATTERN = quantity_pattern(POWER_UNITS)
"""JSON Schema ``pattern`` of a charging power written as text."""


def _finite_positive(number: float, value: object, what: str, most: float, unit: str) -> float:
    if not math.isfinite(number):
        raise ValueError(f"must be a finite {what}, got {show_value(value)}")
    if number <= 0:
        raise ValueError(f"must be > 0, got {show_value(value)}")
    if number > most:
        raise ValueError(
            f"must be at most {most:g} {unit}, got {show_value(value)}; check the unit"
        )
    return number


def _power_for_energy(shown: str, number: float, unit: str) -> str:
    return (
        f"{shown} is a power, but an energy is asked here; write the battery's capacity in "
        f"kWh or Wh, such as '{number:g} {unit}h'"
    )


def _energy_for_use(shown: str, number: float, unit: str) -> str:
    if unit.lower() not in ENERGY_UNITS:  # joules: no consumption unit is made of them
        return (
            f"{shown} is an energy, but the energy per metre driven is asked here; write it "
            "such as '20 Wh/m' or '0.15 kWh/km'"
        )
    return (
        f"{shown} is an energy, but the energy per metre driven is asked here; write "
        f"'{number:g} {unit}/m' (or per km)"
    )


def parse_energy(value: object) -> float:
    """Convert a battery capacity to float kWh: a number (kWh) or text (``"10 kWh"``).

    Raises:
        ValueError: a power (``"10 kW"``) or another kind of quantity (with a hint), an
            unknown unit, zero, negative, NaN, infinite, or more than 1 GWh.
    """
    number = parse_quantity(
        value,
        "energy",
        expected="expected an energy like '10 kWh', '800 Wh' or a number of kWh",
        asked="an energy",
        write="the battery's capacity, such as '10 kWh'",
        noun="energy",
        known="kWh, Wh",
        hints={"power": _power_for_energy},
    )
    return _finite_positive(number, value, "energy", MAX_ENERGY_KWH, "kWh")


def parse_use(value: object) -> float:
    """Convert a consumption per metre to float kWh/m: a number (kWh/m) or text
    (``"0.02 kWh/m"``, ``"20 Wh/m"``, ``"150 Wh/km"``).

    Raises:
        ValueError: an energy without a distance (``"20 Wh"``) or another kind of quantity
            (with a hint), an unknown unit, zero, negative, NaN, infinite, or more than
            1000 kWh/m.
    """
    number = parse_quantity(
        value,
        "consumption per metre",
        expected=(
            "expected a consumption per metre like '20 Wh/m', '0.15 kWh/km' or a number of kWh/m"
        ),
        asked="the energy per metre driven",
        write="it such as '20 Wh/m' or '0.15 kWh/km'",
        noun="consumption",
        known="kWh/m, Wh/m, kWh/km, Wh/km",
        hints={"energy": _energy_for_use},
    )
    return _finite_positive(number, value, "consumption", MAX_USE_KWH_M, "kWh/m")


_CHARGE_RATE_HINTS = {
    "energy": lambda shown, number, unit: (
        f"{shown} is an energy, but a power is asked here; write the charging power in kW or "
        "W, such as '5 kW' (a charge of E kWh at P kW takes E/P hours)"
    ),
    "time": lambda shown, number, unit: (
        f"{shown} is a time, but a power is asked here; write the charging power, such as "
        "'5 kW' (the charging time follows: energy needed / power)"
    ),
}


def parse_charge_rate(value: object) -> float:
    """Convert a charging power to float kW: a number (kW) or text (``"5 kW"``, ``"500 W"``).

    Raises:
        ValueError: an energy (``"5 kWh"``) or a time (with a hint), an unknown unit, zero,
            negative, NaN, infinite, or more than 100 MW.
    """
    kw = parse_power(value, hints=_CHARGE_RATE_HINTS)
    if kw <= 0:
        raise ValueError(f"must be > 0 (a charger at 0 kW never charges), got {show_value(value)}")
    return kw


KilowattHours = Annotated[
    float,
    quantity_input(parse_energy, ENERGY_PATTERN),
    Field(gt=0, allow_inf_nan=False),
]
"""An energy: float kWh once validated; in a file a number of kWh or ``"10 kWh"``."""

KilowattHoursPerMetre = Annotated[
    float,
    quantity_input(parse_use, USE_PATTERN),
    Field(gt=0, allow_inf_nan=False),
]
"""A consumption: float kWh/m once validated; in a file a number of kWh/m or ``"20 Wh/m"``."""

ChargeRate = Annotated[
    float,
    quantity_input(parse_charge_rate, CHARGE_RATE_PATTERN),
    Field(gt=0, allow_inf_nan=False),
]
"""A charging power: float kW once validated; in a file a number of kW or ``"5 kW"``."""


def _to_chargers(value: Any) -> Any:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and not value:
        raise PydanticCustomError(
            "linelab", "{message}", {"message": "name at least one charger point"}
        )
    return value


Fraction = Annotated[StrictFloat, Field(ge=0, le=1)]


class Battery(BaseModel):
    """A vehicle's battery: how fast driving drains it, where and how fast it charges."""

    model_config = MODEL_CONFIG

    capacity: KilowattHours
    """Usable energy of a full battery: ``10 kWh``, ``800 Wh`` or a number of kWh, > 0."""
    use: KilowattHoursPerMetre
    """Energy drawn per metre driven, loaded or empty: ``20 Wh/m``, ``0.15 kWh/km`` or a
    number of kWh/m, > 0. Handling and waiting draw nothing from the battery."""
    charge_rate: ChargeRate
    """Charging power: ``5 kW``, ``500 W`` or a number of kW, > 0. Charging from ``s`` to
    ``full`` takes ``(full - s) · capacity / charge_rate``."""
    charger: Annotated[
        tuple[Name, ...],
        BeforeValidator(
            _to_chargers,
            json_schema_input_type=Name | Annotated[list[Name], Field(min_length=1)],
        ),
    ]
    """Layout point(s) where the vehicle charges: one name or a list; a vehicle goes to the
    one it reaches soonest."""
    low: Fraction = 0.2
    """State of charge (fraction of ``capacity``) at or below which a vehicle goes to charge
    once its current task is done; 0 <= low < full; default 0.2. It is also the reserve that
    must cover the longest task plus the trip to a charger (checked at load)."""
    full: Fraction = 1.0
    """State of charge the vehicle charges up to (and starts with), low < full <= 1;
    default 1."""

    @model_validator(mode="after")
    def _levels(self) -> Battery:
        if self.low >= self.full:
            raise field_problem(
                ("low",),
                f"low ({self.low:g}) must be below full ({self.full:g}): the vehicle charges "
                "from low up to full",
            )
        if self.full <= 0:
            raise field_problem(("full",), "full must be > 0 (the vehicle charges up to it)")
        return self

    @property
    def charge_s(self) -> float:
        """Time to charge from ``low`` to ``full``, in seconds."""
        return (self.full - self.low) * self.capacity / self.charge_rate * 3600.0


def charger_spots(battery: Any) -> list[tuple[str, str]]:
    """``(point, what)`` pairs of a battery as written (for the reachability checks); bad
    items skipped."""
    if not isinstance(battery, dict):
        return []
    charger = battery.get("charger")
    names = [charger] if isinstance(charger, str) else charger
    if not isinstance(names, list | tuple):
        return []
    return [(name, "charges") for name in names if isinstance(name, str)]


def charger_paths(battery: Any) -> list[tuple[tuple[str | int, ...], Any]]:
    """``(path under the resource, name)`` of each charger point of a battery as written."""
    if not isinstance(battery, dict):
        return []
    charger = battery.get("charger")
    if isinstance(charger, list | tuple):
        return [(("battery", "charger", i), name) for i, name in enumerate(charger)]
    return [(("battery", "charger"), charger)]


def _distances_from(
    source: str, points: dict[str, tuple[float, float]], edges: list[tuple[str, str]]
) -> dict[str, float]:
    """Shortest distances (m) from ``source`` along directed ``edges`` (Dijkstra; straight
    aisles between the points' coordinates), for the points reached."""
    import heapq

    out: dict[str, list[tuple[str, float]]] = {}
    for a, b in edges:
        (xa, ya), (xb, yb) = points[a], points[b]
        out.setdefault(a, []).append((b, math.hypot(xb - xa, yb - ya)))
    best = {source: 0.0}
    heap = [(0.0, source)]
    while heap:
        d, here = heapq.heappop(heap)
        if d > best.get(here, math.inf):
            continue
        for there, length in out.get(here, ()):
            if d + length < best.get(there, math.inf):
                best[there] = d + length
                heapq.heappush(heap, (d + length, there))
    return best


def reserve_issue(
    resource: dict[str, Any],
    legs: list[tuple[str, str]],
    layout: Any,
) -> tuple[tuple[str, ...], str] | None:
    """Whether the battery of a vehicle (``resource`` as written) always has the energy for
    the task it takes: ``(key under the battery, message)`` if not, else ``None``.

    A vehicle takes a task while its charge is above ``low`` and goes to charge only after it,
    so ``low · capacity`` must cover the longest task that can start at a point where the
    vehicle becomes free (a drop-off or ``park``): the empty trip to the pick-up, the loaded
    trip (``legs``: pick-up, drop-off points) and the trip on to the nearest charger -- and
    the drive from a drop-off to ``park`` and on to a charger. A vehicle leaving a charger
    is at ``full``, which must cover the same from a charger. Distances are shortest paths
    along the aisles. Skipped (``None``) when anything it needs is invalid: validation and the
    other checks report that.
    """
    battery = resource.get("battery")
    if not isinstance(battery, dict) or not legs or not isinstance(layout, dict):
        return None
    try:
        capacity = parse_energy(battery.get("capacity"))
        use = parse_use(battery.get("use"))
    except ValueError:
        return None
    low, full = battery.get("low", 0.2), battery.get("full", 1.0)
    chargers = [name for _, name in charger_paths(battery)]
    raw_points = layout.get("points")
    if (
        isinstance(low, bool)
        or isinstance(full, bool)
        or not isinstance(low, int | float)
        or not isinstance(full, int | float)
        or not 0 <= low < full <= 1
        or not isinstance(raw_points, dict)
    ):
        return None
    points: dict[str, tuple[float, float]] = {}
    for name, xy in raw_points.items():
        if not (isinstance(xy, list | tuple) and len(xy) == 2):
            return None
        if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in xy):
            return None
        points[str(name)] = (float(xy[0]), float(xy[1]))
    park = resource.get("park")
    needed = [*chargers, *(p for leg in legs for p in leg), *([park] if park else [])]
    if not all(isinstance(p, str) and p in points for p in needed):
        return None
    edges = [(a, b) for a, b in layout.get("aisles") or ()]
    edges += [(b, a) for a, b in edges]
    edges += [(a, b) for a, b in layout.get("one_way") or ()]
    dist = {p: _distances_from(p, points, edges) for p in dict.fromkeys(needed)}

    def to_charger(point: str) -> tuple[float, str]:
        return min((dist[point].get(c, math.inf), c) for c in chargers)

    def worst(starts: list[str]) -> tuple[float, str]:
        """The longest drive (m) from one of ``starts`` with the trip to a charger, and how."""
        out = (0.0, "")
        for start in starts:
            for pickup, drop in legs:
                empty, loaded = dist[start].get(pickup, math.inf), dist[pickup].get(drop, math.inf)
                rest, charger = to_charger(drop)
                total = empty + loaded + rest
                if total > out[0]:
                    out = (
                        total,
                        f"empty from {start!r} to {pickup!r} ({empty:g} m), loaded to {drop!r} "
                        f"({loaded:g} m), then to the charger {charger!r} ({rest:g} m)",
                    )
            if park and start != park:
                rest, charger = to_charger(park)
                total = dist[start].get(park, math.inf) + rest
                if total > out[0]:
                    out = (
                        total,
                        f"from {start!r} to park at {park!r} "
                        f"({dist[start].get(park, math.inf):g} m), then to the charger "
                        f"{charger!r} ({rest:g} m)",
                    )
        return out

    if not all(math.isfinite(worst([p])[0]) for p in dist):
        return None  # unreachable points are reported by the path checks
    drops = list(dict.fromkeys([drop for _, drop in legs] + ([park] if park else [])))
    metres, how = worst(drops)
    reserve = low * capacity
    if use * metres > reserve * (1 + 1e-9):
        return (
            ("low",) if "low" in battery else (),
            f"the reserve at low ({low:g} × {capacity:g} kWh = {reserve:g} kWh) does not cover "
            f"the longest task and the trip to a charger, {use * metres:g} kWh for {metres:g} m: "
            f"{how}; raise low to at least {math.ceil(use * metres / capacity * 1000) / 1000:g}"
            ", or add a charger nearer",
        )
    metres, how = worst(list(dict.fromkeys(chargers)))
    if use * metres > full * capacity * (1 + 1e-9):
        return (
            ("full",) if "full" in battery else (),
            f"a vehicle leaving the charger at full ({full:g} × {capacity:g} kWh) cannot "
            f"finish the longest task and reach a charger again, {use * metres:g} kWh for "
            f"{metres:g} m: {how}; give the battery more capacity or add a charger nearer",
        )
    return None
