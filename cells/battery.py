"""Vehicle batteries: state of charge drained per metre driven, and the charging rule.

A :class:`Charging` belongs to one :class:`cells.vehicles.Fleet` (``battery=``) and keeps each
vehicle's state of charge in kWh. Every vehicle starts at ``full``. Each trip drains
``use · distance`` (kWh), loaded or empty alike, when the vehicle sets off (the distance is
the shortest path along the aisles, the one the travel time is computed on); handling,
waiting and idling draw nothing. When a vehicle becomes free (a delivery handed over, or the
drive to ``park`` done, or a new shift starting) with its charge at or below ``low``, it

    travel_empty to the nearest charger point (shortest travel time; ties: first listed) ->
    charging for (full - charge) / charge_rate -> free again (next request, park or idle)

A charger point charges any number of vehicles at once (no queue at the charger). A vehicle
is never refused a task for lack of charge: ``low`` is the reserve, which the format checks
covers the longest task plus the trip to a charger (``scenarios.battery.reserve_issue``);
:attr:`Charging.lowest` is the lowest charge reached (negative only if that is bypassed).
``charging`` is a vehicle state only in a fleet with a battery; it is not working time
(utilization excludes it) and draws no vehicle ``power``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cells.vehicles import V_EMPTY, VEHICLE_STATES

if TYPE_CHECKING:
    from cells.vehicles import Fleet, Vehicle

CHARGING_STATES: tuple[str, ...] = (*VEHICLE_STATES, "charging")
"""State names of a vehicle of a fleet with a battery, by index."""
V_CHARGING = len(VEHICLE_STATES)
"""Index of the ``charging`` state."""
STEP_AT_CHARGER = 6
"""Vehicle step: driving to a charger."""
STEP_CHARGED = 7
"""Vehicle step: charging."""

_SLACK = 1e-9
"""Relative tolerance of the ``low`` comparison (kWh sums of trips are not exact)."""


def distance_table(
    coords: Sequence[tuple[float, float]],
    aisles: Sequence[tuple[int, int]],
    one_way: Sequence[bool],
) -> list[list[float]]:
    """Shortest distances (m) along the aisles between every pair of layout points, by
    ``kernels.paths`` (the same paths as :func:`cells.vehicles.travel_table`); ``inf`` where a
    point cannot be reached."""
    import numpy as np

    from kernels.paths import shortest_paths

    xy = np.asarray(coords, dtype=float).reshape(-1, 2)
    pairs = [(int(a), int(b)) for a, b in aisles]
    edges = list(pairs) + [(b, a) for (a, b), ow in zip(pairs, one_way, strict=True) if not ow]
    sp = shortest_paths(xy, np.array(edges, dtype=np.int64).reshape(-1, 2), directed=True)
    return [[float(d) for d in row] for row in sp.dist]


class Charging:
    """The battery of every vehicle of a fleet and where they charge.

    ``capacity`` in kWh, ``use`` in kWh per metre, ``rate`` (charging power) in kW, ``low``
    and ``full`` fractions of the capacity, ``chargers`` point indices, ``distance[i][j]`` the
    shortest distance in metres from point ``i`` to point ``j``.
    """

    states = CHARGING_STATES
    """State names of the fleet's vehicles."""

    def __init__(
        self,
        capacity: float,
        use: float,
        rate: float,
        chargers: Sequence[int],
        distance: Sequence[Sequence[float]],
        *,
        low: float,
        full: float,
    ) -> None:
        if not capacity > 0 or not use > 0 or not rate > 0:
            raise ValueError("battery capacity, use and charge rate must be > 0")
        if not 0.0 <= low < full <= 1.0:
            raise ValueError(f"battery levels need 0 <= low < full <= 1, got {low}, {full}")
        if not chargers:
            raise ValueError("a battery needs at least one charger point")
        self.use = float(use)
        self.rate = float(rate)
        self.chargers = list(chargers)
        self.distance = [list(map(float, row)) for row in distance]
        self.full_kwh = full * capacity
        self.low_kwh = low * capacity + _SLACK * capacity
        self.level: dict[Vehicle, float] = {}
        """State of charge of each vehicle that has driven, kWh (others are full)."""
        self.lowest = self.full_kwh
        """Lowest state of charge any vehicle reached, kWh (negative: ``low`` too small)."""
        self.charges = 0
        """Charging stops begun since the start of the measured period."""

    def charge_of(self, v: Vehicle) -> float:
        """State of charge of ``v``, kWh."""
        return self.level.get(v, self.full_kwh)

    def drive(self, v: Vehicle, start: int, end: int) -> None:
        """``v`` sets off from point ``start`` to point ``end``: drain the trip's energy."""
        if start != end:
            level = self.level.get(v, self.full_kwh) - self.use * self.distance[start][end]
            self.level[v] = level
            if level < self.lowest:
                self.lowest = level

    def needs_charge(self, v: Vehicle) -> bool:
        """Whether ``v`` is at or below ``low`` (and goes to charge before its next task)."""
        return self.level.get(v, self.full_kwh) <= self.low_kwh

    def go_charge(self, fleet: Fleet, v: Vehicle, now: float) -> None:
        """Send ``v`` empty to the charger it reaches soonest (or charge it where it is)."""
        self.charges += 1
        row = fleet.travel[v.at]
        charger = min(self.chargers, key=lambda c: row[c])
        if charger == v.at:
            self._plug(fleet, v, now)
            return
        self.drive(v, v.at, charger)
        v.origin = v.at
        v.at = charger
        v.step = STEP_AT_CHARGER
        v.timer.set(V_EMPTY, now)
        fleet._after(v, row[charger])

    def _plug(self, fleet: Fleet, v: Vehicle, now: float) -> None:
        v.step = STEP_CHARGED
        v.timer.set(V_CHARGING, now)
        need = max(0.0, self.full_kwh - self.charge_of(v))
        fleet._after(v, need / self.rate * 3600.0)

    def stepped(self, fleet: Fleet, v: Vehicle, step: int, now: float) -> None:
        """``v`` finished step ``step`` of a charging stop."""
        if step == STEP_AT_CHARGER:
            self._plug(fleet, v, now)
        else:  # STEP_CHARGED
            self.level[v] = self.full_kwh
            fleet._free(v, now)

    def reset(self) -> None:
        """Start the measured period (the charge levels carry on)."""
        self.charges = 0


def charging_for(
    spec: Any,
    index: dict[str, int],
    coords: Sequence[tuple[float, float]],
    aisles: Sequence[tuple[int, int]],
    one_way: Sequence[bool],
) -> Charging:
    """A :class:`Charging` from a scenario's ``battery`` (``scenarios.battery.Battery``):
    ``index`` maps point names to indices; ``coords``, ``aisles`` and ``one_way`` are the
    layout as :func:`distance_table` takes it."""
    return Charging(
        float(spec.capacity),
        float(spec.use),
        float(spec.charge_rate),
        [index[name] for name in spec.charger],
        distance_table(coords, aisles, one_way),
        low=float(spec.low),
        full=float(spec.full),
    )
