"""Wiring walking operators and robots (``walk`` on a resource) from a scenario.

Walking times between every pair of layout points come from the same shortest-aisle table
as vehicle trips (:func:`cells.vehicles.travel_table`): ``d/v`` without acceleration,
``d/v + v/a`` (or ``2·sqrt(d/a)`` for a short walk) with it.
"""

from __future__ import annotations

from typing import Any

import simpy

from cells.vehicles import travel_table
from cells.walking import WalkingResource


def _serves(station: Any, name: str) -> bool:
    tending = station.tending
    failures = station.failures
    return bool(
        (tending is not None and tending.by == name)
        or station.operated_by == name
        or (failures is not None and failures.repair_by == name)
    )


def walking_resource(env: simpy.Environment, sc: Any, rs: Any, repairs: bool) -> WalkingResource:
    """The walking resource of ``rs`` (a scenario resource with ``walk``): its units start at
    ``home``, else at the first station (file order) it serves."""
    layout = sc.layout
    if layout is None:  # pragma: no cover - the format refuses walk without a layout
        raise ValueError(f"resources.{rs.name}: walking needs a layout")
    index = layout.point_index()
    coords = [tuple(layout.points[name]) for name in index]
    aisles = [(index[a], index[b]) for a, b in layout.aisles]
    one_way = [(index[a], index[b]) for a, b in layout.one_way]
    walk = rs.walk
    times = travel_table(
        coords,
        aisles + one_way,
        float(walk.speed),
        None if walk.acceleration is None else float(walk.acceleration),
        one_way=[False] * len(aisles) + [True] * len(one_way),
    )
    home = rs.home
    if home is None:
        home = next((s.at for s in sc.stations if s.at is not None and _serves(s, rs.name)), None)
    return WalkingResource(
        env,
        rs.name,
        rs.kind,
        rs.count,
        times,
        0 if home is None else index[home],
        repairs=repairs,
    )


def place_walkers(walkers: list[WalkingResource], sc: Any, by_name: dict[str, Any]) -> None:
    """Tell each walking resource where the stations stand (point indices)."""
    if not walkers or sc.layout is None:
        return
    index = sc.layout.point_index()
    where = {by_name[s.name]: index[s.at] for s in sc.stations if s.at is not None}
    for walker in walkers:
        walker.where = where
