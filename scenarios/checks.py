"""Checks across a whole scenario: names that refer to other parts of the file.

:func:`cross_check` works on the plain data read from a file (so the loader can report these
problems together with every other one, even when parts of the file are invalid) and on a
validated model's dump. Values of the wrong type are skipped here: validation reports them.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .equipment import DEFAULT_PRODUCT

__all__ = ["SHARE_TOLERANCE", "V2_SCENARIO_KEYS", "V2_STATION_KEYS", "Issue", "cross_check"]

SHARE_TOLERANCE = 1e-9
"""How far the sum of product shares may be from 1."""

V2_SCENARIO_KEYS: tuple[str, ...] = ("calendar", "products", "resources")
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
    out += _common_start(data, products, stations)
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
