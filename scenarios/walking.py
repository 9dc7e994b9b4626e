"""Walking (format v2): operators and robots on a track move between the stations they serve.

An operator or robot resource with ``walk: {speed: 1 m/s}`` (optionally ``acceleration``)
walks along the layout's aisles to the station that asked for it before it tends, operates or
repairs there; ``home`` is the layout point its units start at. Every station such a resource
serves needs an ``at`` point (checked by :func:`walking_checks` with the rest of the
cross-references, so the loader reports it at the station's line and column).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator

from ._types import MODEL_CONFIG, field_problem
from .flow import Acceleration, Speed, reachable, trip_time_s

__all__ = ["WALK_FIELDS", "Walk", "walking_checks"]

WALK_FIELDS: tuple[str, ...] = ("walk", "home")
"""Resource keys of walking (operators and robots only), left out of a dump when not given."""


class Walk(BaseModel):
    """How a walking unit moves between stations: ``speed`` (m/s) and optional
    ``acceleration`` (m/s², accelerate and brake once per walk)."""

    model_config = MODEL_CONFIG

    speed: Speed
    """Walking (or track) speed: ``1 m/s``, ``60 m/min`` or a number of m/s; > 0."""
    acceleration: Acceleration | None = None
    """Acceleration and braking, ``0.5 m/s2``, > 0; omitted: full speed at once (a walk of
    ``d`` m takes ``d/v``; with it ``d/v + v/a``, or ``2·sqrt(d/a)`` when short)."""

    @model_validator(mode="after")
    def _positive(self) -> Walk:
        if self.speed <= 0:
            raise field_problem(
                ("speed",), "the walking speed must be > 0 (at speed 0 nobody ever arrives)"
            )
        if self.acceleration is not None and self.acceleration <= 0:
            raise field_problem(
                ("acceleration",),
                "the acceleration must be > 0; omit it for a unit that walks at full speed "
                "at once",
            )
        return self

    def time_s(self, distance_m: float) -> float:
        """Seconds to walk ``distance_m`` metres (see :func:`scenarios.flow.trip_time_s`)."""
        return trip_time_s(distance_m, self.speed, self.acceleration)


def _served(station: dict[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """(relative path, resource name) of every resource a station asks for."""
    uses: list[tuple[tuple[str, ...], Any]] = [(("operated_by",), station.get("operated_by"))]
    tending = station.get("tending")
    if isinstance(tending, dict):
        uses.append((("tending", "by"), tending.get("by")))
    failures = station.get("failures")
    if isinstance(failures, dict):
        uses.append((("failures", "repair_by"), failures.get("repair_by")))
    return uses


def walking_checks(data: dict[str, Any]) -> list[Any]:
    """Cross-reference problems of walking: a walking resource needs a layout, its ``home`` is
    a point, every station it serves stands ``at`` a point, and all those points reach each
    other along the aisles. Returns :class:`scenarios.checks.Issue` objects."""
    from .checks import Issue, _items, _point_problem
    from .flow import adjacency

    walkers: dict[str, int] = {}
    for index, resource in _items(data, "resources"):
        name = resource.get("name")
        if resource.get("walk") is not None and isinstance(name, str):
            walkers.setdefault(name, index)
    out: list[Issue] = []
    for index, resource in _items(data, "resources"):
        if resource.get("walk") is None and resource.get("home") is not None:
            out.append(
                Issue(
                    ("resources", index, "home"),
                    "'home' is where a walking unit starts: it needs 'walk' (such as "
                    "walk: {speed: 1 m/s}); add it or remove 'home'",
                    at_key=True,
                )
            )
    if not walkers:
        return out
    layout = data.get("layout")
    points: list[str] | None = None
    if isinstance(layout, dict) and isinstance(layout.get("points"), dict):
        points = [p for p in layout["points"] if isinstance(p, str)]
    elif layout is not None:
        return out  # an invalid layout is reported by validation
    if points is None:
        for name, index in walkers.items():
            out.append(
                Issue(
                    ("resources", index, "walk"),
                    f"resource {name!r} walks, but the scenario has no 'layout': define the "
                    "points and aisles it walks along and place its stations 'at' points",
                    at_key=True,
                )
            )
        return out
    spots: dict[str, list[tuple[str, str]]] = {name: [] for name in walkers}
    for name, index in walkers.items():
        home = data["resources"][index].get("home")
        if isinstance(home, str):
            problem = _point_problem(home, points, "the walking unit's home is")
            if problem is not None:
                out.append(Issue(("resources", index, "home"), problem))
            else:
                spots[name].append((home, "its home"))
    for index, station in _items(data, "stations"):
        station_name = station.get("name")
        at = station.get("at")
        for rel, user in _served(station):
            if not isinstance(user, str) or user not in walkers:
                continue
            if at is None:
                out.append(
                    Issue(
                        ("stations", index, *rel),
                        f"{user!r} walks between the stations it serves, but station "
                        f"{station_name!r} has no place on the floor: add 'at: <point>' to "
                        f"the station (or remove 'walk' from {user!r})",
                    )
                )
            elif isinstance(at, str) and at in points:
                spots[user].append((at, f"station {station_name!r}"))
    if out:
        return out
    neighbours = adjacency(layout.get("aisles"), layout.get("one_way"))  # type: ignore[union-attr]
    for name, index in walkers.items():
        seen: dict[str, str] = {}
        for point, what in spots[name]:
            seen.setdefault(point, what)
        issue = _unreachable(name, seen, neighbours)
        if issue is not None:
            out.append(Issue(("resources", index, "walk"), issue, at_key=True))
    return out


def _unreachable(name: str, seen: dict[str, str], neighbours: dict[str, list[str]]) -> str | None:
    for start, start_what in seen.items():
        found = reachable(neighbours, start)
        for end, end_what in seen.items():
            if end not in found:
                return (
                    f"{name!r} cannot walk from {start!r} ({start_what}) to {end!r} "
                    f"({end_what}): no path along the aisles; join them with aisles (and "
                    "check the direction of one_way aisles)"
                )
    return None
