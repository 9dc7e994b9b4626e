"""Checks across a whole scenario: names that refer to other parts of the file.

:func:`cross_check` works on the plain data read from a file (so the loader can report these
problems together with every other one, even when parts of the file are invalid) and on a
validated model's dump. Values of the wrong type are skipped here: validation reports them.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .battery import charger_paths, charger_spots, reserve_issue
from .equipment import DEFAULT_PRODUCT, RESOURCE_KINDS
from .flow import adjacency, reachable

__all__ = [
    "FLOW_SCENARIO_KEYS",
    "FLOW_STATION_KEYS",
    "SHARE_TOLERANCE",
    "V2_SCENARIO_KEYS",
    "V2_STATION_KEYS",
    "Issue",
    "cross_check",
]

SHARE_TOLERANCE = 1e-9
"""How far the sum of product shares may be from 1."""

FLOW_SCENARIO_KEYS: tuple[str, ...] = ("layout", "economics")
"""Top-level keys of material flow and economics (v2), left out of a dump when not given."""
FLOW_STATION_KEYS: tuple[str, ...] = (
    "at",
    "transport",
    "conveyor",
    "assembly",
    "batch",
    "unbatch",
)
"""Station keys of material flow (v2), left out of a dump when not given."""
V2_SCENARIO_KEYS: tuple[str, ...] = ("calendar", "products", "resources", *FLOW_SCENARIO_KEYS)
"""Top-level keys that need ``linelab: 2``."""
V2_STATION_KEYS: tuple[str, ...] = (
    "tending",
    "operated_by",
    "failures",
    "setup",
    "scrap",
    "power",
    "shifts",
    "price",
    *FLOW_STATION_KEYS,
)
"""Station keys that need ``linelab: 2``."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One cross-reference problem at ``path`` (from the scenario's root)."""

    path: Path
    message: str
    at_key: bool = False
    """Report at the key of ``path`` (a name used as a key, a key that is not allowed)."""
    first_at: Path | None = None
    """An earlier value the message refers to (``(first at ...)``)."""


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _names(data: Any, key: str) -> list[str]:
    names = [item["name"] for _, item in _items(data, key) if isinstance(item.get("name"), str)]
    return list(dict.fromkeys(names))


def _hint(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"; did you mean '{close[0]}'?" if close else ""


def _known(choices: list[str]) -> str:
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f" (known: {shown})" if choices else ""


def _duplicates(data: Any, key: str, what: str, prefix: Path = ()) -> list[Issue]:
    out: list[Issue] = []
    first: dict[str, int] = {}
    for index, item in _items(data, key):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            out.append(
                Issue(
                    (*prefix, key, index, "name"),
                    f"duplicate {what} name {name!r} (first at {key}[{first[name]}])",
                    first_at=(*prefix, key, first[name], "name"),
                )
            )
        else:
            first[name] = index
    return out


def cross_check(data: Any) -> list[Issue]:
    """Every cross-reference problem of the scenario ``data`` (plain data or a model dump)."""
    if not isinstance(data, dict):
        return []
    version = data.get("linelab")
    if version == 1 and not isinstance(version, bool):
        return _v2_keys_in_v1(data)
    out: list[Issue] = []
    out += _duplicates(data, "resources", "resource")
    out += _duplicates(data, "products", "product")
    calendar = data.get("calendar")
    out += _duplicates(calendar, "shifts", "shift", ("calendar",))
    out += _shift_references(data)
    out += _resource_references(data)
    out += _product_checks(data)
    out += _setup_checks(data)
    out += _flow_checks(data)
    from .walking import walking_checks  # here: walking imports this module

    out += walking_checks(data)
    from .assembly import assembly_checks

    out += assembly_checks(data)
    from .batching import batching_checks

    out += batching_checks(data)
    return out


_V1_NEUTRAL: dict[str, Any] = {"scrap": 0.0, "resources": ()}


def _used(mapping: dict[str, Any], key: str) -> bool:
    """Whether a v2 key is written with a value other than its feature-off default."""
    if key not in mapping:
        return False
    value = mapping[key]
    if value is None:
        return False
    neutral = _V1_NEUTRAL.get(key)
    if isinstance(value, list | tuple) and neutral == ():
        return len(value) > 0
    return not (neutral is not None and value == neutral and not isinstance(value, bool))


def _v2_keys_in_v1(data: dict[str, Any]) -> list[Issue]:
    out: list[Issue] = []
    for key in V2_SCENARIO_KEYS:
        if _used(data, key):
            out.append(Issue((key,), _needs_v2(f"'{key}'"), at_key=True))
    for index, station in _items(data, "stations"):
        for key in V2_STATION_KEYS:
            if _used(station, key):
                out.append(Issue(("stations", index, key), _needs_v2(f"'{key}'"), at_key=True))
        process = station.get("process")
        if isinstance(process, dict) and "model" in process:
            out.append(
                Issue(
                    ("stations", index, "process", "model"),
                    _needs_v2("a process-time model"),
                    at_key=True,
                )
            )
    return out


def _needs_v2(what: str) -> str:
    return f"{what} needs linelab: 2 (format v2); change the first line to 'linelab: 2'"


def _shift_references(data: dict[str, Any]) -> list[Issue]:
    calendar = data.get("calendar")
    known = _names(calendar, "shifts")
    has_calendar = isinstance(calendar, dict)
    out: list[Issue] = []

    def check(path: Path, names: Any) -> None:
        if not isinstance(names, list | tuple):
            return
        for j, name in enumerate(names):
            if not isinstance(name, str) or name in known:
                continue
            if not has_calendar:
                message = (
                    f"unknown shift {name!r}: the scenario has no 'calendar'; "
                    "define the shifts there (calendar: {shifts: [{name: ..., start: ..., "
                    "end: ...}]})"
                )
            else:
                message = f"unknown shift {name!r}{_hint(name, known)}{_known(known)}"
            out.append(Issue((*path, j), message))

    for index, item in _items(data, "resources"):
        check(("resources", index, "shifts"), item.get("shifts"))
    for index, item in _items(data, "stations"):
        check(("stations", index, "shifts"), item.get("shifts"))
    for index, item in _items(calendar, "breaks"):
        check(("calendar", "breaks", index, "shifts"), item.get("shifts"))
    return out


def _resource_references(data: dict[str, Any]) -> list[Issue]:
    known = _names(data, "resources")
    out: list[Issue] = []

    def check(path: Path, name: Any, role: str) -> None:
        if not isinstance(name, str) or name in known:
            return
        if not known:
            message = (
                f"unknown resource {name!r}: the scenario has no 'resources'; add one, e.g. "
                f"resources: [{{name: {name}, kind: operator, count: 1}}]"
            )
        else:
            message = f"unknown resource {name!r} in {role}{_hint(name, known)}{_known(known)}"
        out.append(Issue(path, message))

    for index, station in _items(data, "stations"):
        tending = station.get("tending")
        if isinstance(tending, dict):
            check(("stations", index, "tending", "by"), tending.get("by"), "tending.by")
        check(("stations", index, "operated_by"), station.get("operated_by"), "operated_by")
        failures = station.get("failures")
        if isinstance(failures, dict):
            check(
                ("stations", index, "failures", "repair_by"),
                failures.get("repair_by"),
                "failures.repair_by",
            )
        if station.get("tending") is not None and station.get("operated_by") is not None:
            out.append(
                Issue(
                    ("stations", index, "operated_by"),
                    "a station is either tended (tending: a unit loads and unloads, then the "
                    "machine runs alone) or operated (operated_by: a unit is held for the "
                    "whole operation), not both; remove one",
                    at_key=True,
                )
            )
    return out


def _product_checks(data: dict[str, Any]) -> list[Issue]:
    stations = _names(data, "stations")
    out: list[Issue] = []
    products = list(_items(data, "products"))
    for index, product in products:
        route = product.get("route")
        on_route: set[str] = set(stations)
        if isinstance(route, list | tuple):
            on_route = {s for s in route if isinstance(s, str)}
            for j, station in enumerate(route):
                if isinstance(station, str) and station not in stations:
                    out.append(
                        Issue(
                            ("products", index, "route", j),
                            f"the route goes through {station!r}, which is not a station"
                            f"{_hint(station, stations)}{_known(stations)}",
                        )
                    )
        process = product.get("process")
        if isinstance(process, dict):
            for station in process:
                if station not in stations:
                    message = (
                        f"process time for {station!r}, which is not a station"
                        f"{_hint(station, stations)}{_known(stations)}"
                    )
                elif station not in on_route:
                    message = f"process time for {station!r}, which is not on this product's route"
                else:
                    continue
                out.append(Issue(("products", index, "process", station), message, at_key=True))
    from .assembly import assembly_outputs  # assembled products are not released

    made = assembly_outputs(data)
    if not made:
        out += _common_start(data, products, stations)
    products = [
        (i, p) for i, p in products if not (isinstance(p.get("name"), str) and p["name"] in made)
    ]
    shares = [p.get("share", 1.0) for _, p in products]
    if products and all(
        isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) and s > 0
        for s in shares
    ):
        total = math.fsum(shares)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            parts = " + ".join(f"{p.get('name', '?')} {p.get('share', 1.0):g}" for _, p in products)
            hint = (
                "; give every product a share" if any("share" not in p for _, p in products) else ""
            )
            out.append(
                Issue(
                    ("products",),
                    f"product shares must sum to 1, got {total:.10g} ({parts}){hint}",
                    at_key=True,
                )
            )
    return out


def _common_start(
    data: dict[str, Any], products: list[tuple[int, dict[str, Any]]], stations: list[str]
) -> list[Issue]:
    """Without a source or CONWIP a part starts when the first station can take one, so
    every route must start at the same station."""
    if data.get("source") is not None or data.get("wip_cap") is not None or not stations:
        return []
    first: tuple[int, str] | None = None
    out: list[Issue] = []
    for index, product in products:
        route = product.get("route")
        if route is None and "route" not in product:
            start, at = stations[0], None
        elif isinstance(route, list | tuple) and route and isinstance(route[0], str):
            start, at = route[0], ("products", index, "route", 0)
        else:
            continue
        if first is None:
            first = (index, start)
        elif start != first[1]:
            where: Path = at if at is not None else ("products", index, "name")
            out.append(
                Issue(
                    where,
                    f"this route starts at {start!r} but products[{first[0]}]'s at "
                    f"{first[1]!r}: without a source or wip_cap a part starts whenever the "
                    "first station can take one, so every route must start at the same "
                    "station (add a source, or a wip_cap)",
                )
            )
    return out


def _setup_checks(data: dict[str, Any]) -> list[Issue]:
    given = data.get("products")
    if given is None:
        products = [DEFAULT_PRODUCT]
    elif isinstance(given, list | tuple) and given:
        products = _names(data, "products")
    else:
        return []  # an invalid 'products' is reported by validation
    out: list[Issue] = []
    for index, station in _items(data, "stations"):
        setup = station.get("setup")
        matrix = setup.get("matrix") if isinstance(setup, dict) else None
        if not isinstance(matrix, dict):
            continue
        for source, row in matrix.items():
            path: Path = ("stations", index, "setup", "matrix", source)
            if source not in products:
                out.append(Issue(path, _unknown_product(source, products), at_key=True))
            if isinstance(row, dict):
                for target in row:
                    if target not in products:
                        out.append(
                            Issue((*path, target), _unknown_product(target, products), at_key=True)
                        )
    return out


def _unknown_product(name: str, products: list[str]) -> str:
    if products == [DEFAULT_PRODUCT]:
        return (
            f"unknown product {name!r} in the changeover matrix: the scenario has no "
            f"'products' (its one product is called {DEFAULT_PRODUCT!r})"
        )
    hint = _hint(name, products) + _known(products)
    return f"unknown product {name!r} in the changeover matrix{hint}"


# --------------------------------------------------------------------------------------
# Material flow: layout points, transport by vehicle, conveyors


def _resource_kinds(data: dict[str, Any]) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for _, item in _items(data, "resources"):
        name = item.get("name")
        if isinstance(name, str) and name not in kinds:
            kinds[name] = item.get("kind")
    return kinds


def _routes(data: dict[str, Any], stations: list[str]) -> list[list[str]]:
    """Every product's route as written (station names only); every station in order for a
    product without ``route``, or for the one product of a scenario without ``products``."""
    given = data.get("products")
    if given is None:
        return [stations]
    routes: list[list[str]] = []
    for _, product in _items(data, "products"):
        route = product.get("route")
        if route is None:
            routes.append(stations)
        elif isinstance(route, list | tuple):
            routes.append([s for s in route if isinstance(s, str)])
    return routes


def _next_stations(data: dict[str, Any], stations: list[str]) -> dict[str, list[str]]:
    """For each station, the stations a part goes to next on some route (first-seen order)."""
    out: dict[str, list[str]] = {name: [] for name in stations}
    for route in _routes(data, stations):
        for here, there in itertools.pairwise(route):
            if here in out and there not in out[here]:
                out[here].append(there)
    return out


def _point_problem(name: str, points: list[str] | None, what: str) -> str | None:
    """Why ``name`` is not a layout point (``points`` None: there is no layout), or None."""
    if points is None:
        return (
            f"{what} {name!r}, but the scenario has no 'layout'; define the points there "
            f"(layout: {{points: {{{name}: [0, 0]}}, aisles: [...]}})"
        )
    if name in points:
        return None
    hint = _hint(name, points) + _known(points)
    return f"{what} {name!r}, which is not a point of the layout{hint}"


def _flow_checks(data: dict[str, Any]) -> list[Issue]:
    """Layout points named by aisles, stations and parks exist; transport is by a vehicle,
    from and to stations placed ``at`` points joined by aisles (BFS, one-way aisles in their
    direction); every point a vehicle serves reaches every other; no transport or conveyor
    where it would carry nothing, and not both on one station."""
    layout = data.get("layout")
    points: list[str] | None = None  # None: there is no layout
    neighbours: dict[str, list[str]] = {}
    layout_valid = layout is None  # whether point names can be judged
    if isinstance(layout, dict) and isinstance(layout.get("points"), dict):
        points = [p for p in layout["points"] if isinstance(p, str)]
        neighbours = adjacency(layout.get("aisles"), layout.get("one_way"))
        layout_valid = True
    out: list[Issue] = []
    if isinstance(layout, dict) and points is not None:
        for key in ("aisles", "one_way"):
            aisles = layout.get(key)
            if not isinstance(aisles, list | tuple):
                continue
            for i, aisle in enumerate(aisles):
                if not isinstance(aisle, list | tuple) or len(aisle) != 2:
                    continue
                for j, end in enumerate(aisle):
                    message = _point_problem(end, points, "the aisle goes to")
                    if isinstance(end, str) and message is not None:
                        out.append(Issue(("layout", key, i, j), message))
    # Paths are only judged on a layout whose aisles are all valid (else those are reported).
    judge_paths = not out and _aisles_valid(layout)
    known_points = set(points or ()) if layout_valid else None

    def point_issue(path: Path, name: Any, what: str) -> bool:
        """Report ``name`` if it is not a point; whether it is a usable point."""
        if not isinstance(name, str) or not layout_valid:
            return False  # an invalid layout is reported by validation
        problem = _point_problem(name, points, what)
        if problem is not None:
            out.append(Issue(path, problem))
            return False
        return True

    stations = _names(data, "stations")
    station_at: dict[str, str] = {}
    for index, station in _items(data, "stations"):
        at = station.get("at")
        if point_issue(("stations", index, "at"), at, "the station stands at"):
            name = station.get("name")
            if isinstance(name, str) and isinstance(at, str) and name not in station_at:
                station_at[name] = at
    kinds = _resource_kinds(data)
    vehicles = [name for name, kind in kinds.items() if kind == "vehicle"]
    for index, resource in _items(data, "resources"):
        park = resource.get("park")
        if resource.get("kind") == "vehicle":
            point_issue(("resources", index, "park"), park, "the vehicle parks at")
            for where, charger in charger_paths(resource.get("battery")):
                point_issue(("resources", index, *where), charger, "the vehicle charges at")
    out += _no_vehicle_for_other_work(data, kinds)

    following = _next_stations(data, stations)
    # vehicle name -> [(point, what it is)] for the reachability of empty trips
    vehicle_points: dict[str, list[tuple[str, str]]] = {v: [] for v in vehicles}
    reported: set[str] = set()  # vehicles with a transport already reported unreachable
    for index, station in _items(data, "stations"):
        name = station.get("name")
        transport = station.get("transport")
        conveyor = station.get("conveyor")
        if not isinstance(name, str):
            continue
        if transport is not None and conveyor is not None:
            out.append(
                Issue(
                    ("stations", index, "conveyor"),
                    "a station's parts leave either by vehicle (transport) or on a belt "
                    "(conveyor), not both; remove one (a belt to a vehicle pick-up point is "
                    "a station of its own)",
                    at_key=True,
                )
            )
            continue
        for key, value, what in (
            ("transport", transport, "vehicle"),
            ("conveyor", conveyor, "conveyor"),
        ):
            if value is not None and stations and not following.get(name):
                out.append(
                    Issue(
                        ("stations", index, key),
                        f"station {name!r} is the last station of every route through it: its "
                        f"parts leave the line there, so the {what} would carry nothing; "
                        "remove it",
                        at_key=True,
                    )
                )
        if not isinstance(transport, str):
            continue
        path: Path = ("stations", index, "transport")
        kind = kinds.get(transport)
        if transport not in kinds:
            if not vehicles:
                message = (
                    f"unknown vehicle {transport!r}: the scenario has no vehicle; add one, e.g. "
                    f"resources: [{{name: {transport}, kind: vehicle, count: 1, speed: 1 m/s}}]"
                )
            else:
                message = f"unknown vehicle {transport!r}{_hint(transport, vehicles)}" + (
                    _known(vehicles).replace(" (known:", " (vehicles:")
                )
            out.append(Issue(path, message))
            continue
        if kind not in RESOURCE_KINDS:
            continue  # an unknown kind is reported by validation
        if kind != "vehicle":
            hint = (
                f" (vehicles: {', '.join(vehicles)})"
                if vehicles
                else "; add a resource of kind vehicle"
            )
            out.append(
                Issue(
                    path,
                    f"{transport!r} is {_article(kind)} {kind}, not a vehicle: transport needs "
                    f"a resource of kind vehicle{hint}",
                )
            )
            continue
        here = station_at.get(name)
        if station.get("at") is None:
            out.append(
                Issue(
                    path,
                    f"transport from station {name!r}, which has no place on the floor: add "
                    "'at: <point>' to it (the vehicle picks its parts up there)",
                )
            )
        for there in following.get(name, []):
            target = station_at.get(there)
            if target is None:
                if _station_field(data, there, "at") is None:
                    out.append(
                        Issue(
                            path,
                            f"parts go by vehicle from {name!r} to station {there!r}, which has "
                            f"no place on the floor: add 'at: <point>' to station {there!r} "
                            "(the vehicle delivers there)",
                        )
                    )
                continue
            if here is None:
                continue
            vehicle_points[transport] += [
                (here, f"picks up at station {name!r}"),
                (target, f"delivers to station {there!r}"),
            ]
            if judge_paths and target not in reachable(neighbours, here):
                reported.add(transport)
                out.append(
                    Issue(
                        path,
                        f"no path along the aisles from {here!r} (station {name!r}) to "
                        f"{target!r} (station {there!r}), which exchange parts by vehicle; "
                        "join them with aisles (and check the direction of one_way aisles)",
                    )
                )
    for index, resource in _items(data, "resources"):
        name = resource.get("name")
        if not isinstance(name, str) or not judge_paths or name in reported:
            continue
        if not vehicle_points.get(name):
            continue
        park = resource.get("park")
        spots = list(vehicle_points[name])
        if isinstance(park, str) and known_points is not None and park in known_points:
            spots.insert(0, (park, "parks"))
        if known_points is not None:
            spots += [s for s in charger_spots(resource.get("battery")) if s[0] in known_points]
        issue = _unreachable_pair(name, spots, neighbours)
        if issue is not None:
            out.append(Issue(("resources", index, "name"), issue))
            continue
        legs = [(p, d) for (p, _), (d, _) in itertools.pairwise(vehicle_points[name])][::2]
        short = reserve_issue(resource, legs, layout)  # vehicle_points: pick-up, drop pairs
        if short is not None:
            out.append(Issue(("resources", index, "battery", *short[0]), short[1]))
    return out


def _aisles_valid(layout: Any) -> bool:
    """Whether every aisle of ``layout`` is a pair of two different point names."""
    if not isinstance(layout, dict):
        return False
    for key in ("aisles", "one_way"):
        aisles = layout.get(key, [])
        if aisles is None:
            continue
        if not isinstance(aisles, list | tuple):
            return False
        for aisle in aisles:
            if not (
                isinstance(aisle, list | tuple)
                and len(aisle) == 2
                and all(isinstance(end, str) for end in aisle)
                and aisle[0] != aisle[1]
            ):
                return False
    return True


def _article(word: Any) -> str:
    return "an" if isinstance(word, str) and word[:1] in "aeiou" else "a"


def _station_field(data: dict[str, Any], name: str, key: str) -> Any:
    for _, station in _items(data, "stations"):
        if station.get("name") == name:
            return station.get(key)
    return None


def _unreachable_pair(
    vehicle: str, spots: list[tuple[str, str]], neighbours: dict[str, list[str]]
) -> str | None:
    """The first pair of the vehicle's points with no path from one to the other, as a
    message."""
    seen: dict[str, str] = {}
    for point, what in spots:
        seen.setdefault(point, what)
    for start, start_what in seen.items():
        found = reachable(neighbours, start)
        for end, end_what in seen.items():
            if end in found:
                continue
            return (
                f"vehicle {vehicle!r} cannot drive from {start!r} (where it {start_what}) to "
                f"{end!r} (where it {end_what}): no path along the aisles; join them with "
                "aisles (and check the direction of one_way aisles)"
            )
    return None


def _no_vehicle_for_other_work(data: dict[str, Any], kinds: dict[str, Any]) -> list[Issue]:
    """A vehicle carries parts; it cannot tend, operate or repair a station."""
    out: list[Issue] = []
    for index, station in _items(data, "stations"):
        tending = station.get("tending")
        failures = station.get("failures")
        uses: list[tuple[Path, Any, str]] = [
            (("operated_by",), station.get("operated_by"), "operate a station"),
        ]
        if isinstance(tending, dict):
            uses.append((("tending", "by"), tending.get("by"), "tend a machine"))
        if isinstance(failures, dict):
            uses.append((("failures", "repair_by"), failures.get("repair_by"), "repair"))
        for rel, name, role in uses:
            if isinstance(name, str) and kinds.get(name) == "vehicle":
                out.append(
                    Issue(
                        ("stations", index, *rel),
                        f"{name!r} is a vehicle: it carries parts (transport) but cannot "
                        f"{role}; name an operator or a robot",
                    )
                )
    return out
