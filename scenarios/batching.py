"""Batches (format v2): trays and pallets that move and are processed as one.

A station with ``batch: 20`` puts the parts it finishes into a tray (one open tray per
product); a full tray of 20 leaves the station as one load: a vehicle carries it as one part,
a belt as one item, and every following station takes it into one place and processes it in
one operation -- until a station with ``unbatch: true``, where the tray is opened on arrival
and its parts are worked one by one. :func:`batching_checks` holds the load-time rules.
"""

from __future__ import annotations

from typing import Any

__all__ = ["batching_checks"]


def batching_checks(data: dict[str, Any]) -> list[Any]:
    """Cross-reference problems of ``batch`` / ``unbatch`` (an ``Issue`` list, see checks.py).

    On every product's route, a tray made at a ``batch`` station must reach a station with
    ``unbatch: true`` later on the route before any other ``batch`` station (no trays of
    trays, no tray leaves the line); the stations in between do not scrap (a whole tray);
    an assembly station neither batches nor unbatches.
    """
    from .checks import Issue

    out: list[Issue] = []
    stations_raw = data.get("stations")
    if not isinstance(stations_raw, list | tuple):
        return out
    index: dict[str, int] = {}
    spec: dict[str, dict[str, Any]] = {}
    for i, s in enumerate(stations_raw):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            index.setdefault(s["name"], i)
            spec.setdefault(s["name"], s)
    if not any(s.get("batch") is not None or s.get("unbatch") for s in spec.values()):
        return out
    for name, s in spec.items():
        if s.get("assembly") is not None:
            for key in ("batch", "unbatch"):
                if s.get(key):
                    out.append(
                        Issue(
                            ("stations", index[name], key),
                            f"an assembly station cannot {key}: make the trays before or "
                            "after it",
                            at_key=True,
                        )
                    )
    every = list(spec)
    products = data.get("products")
    routes: list[list[Any]] = []
    if isinstance(products, list | tuple) and products:
        for p in products:
            if isinstance(p, dict):
                route = p.get("route", every)
                routes.append(list(route) if isinstance(route, list | tuple) else [])
    else:
        routes.append(every)
    reported: set[str] = set()
    for route in routes:
        open_at: str | None = None
        for name in route:
            s = spec.get(name) if isinstance(name, str) else None
            if s is None:
                continue
            if s.get("unbatch"):
                open_at = None
            elif open_at is not None and s.get("scrap") and name not in reported:
                reported.add(name)
                out.append(
                    Issue(
                        ("stations", index[name], "scrap"),
                        f"{name!r} works whole trays (made at {open_at!r}), and scrapping a "
                        "whole tray is not modelled: scrap before the tray is made or after "
                        "it is opened",
                        at_key=True,
                    )
                )
            if s.get("batch") is not None:
                if open_at is not None and open_at not in reported:
                    reported.add(open_at)
                    out.append(
                        Issue(
                            ("stations", index[open_at], "batch"),
                            f"the trays made at {open_at!r} reach {name!r}, which makes trays "
                            "too, before a station with 'unbatch: true' opens them",
                            at_key=True,
                        )
                    )
                open_at = name
        if open_at is not None and open_at not in reported:
            reported.add(open_at)
            out.append(
                Issue(
                    ("stations", index[open_at], "batch"),
                    f"the trays made at {open_at!r} are never opened: give a later station "
                    "on the route 'unbatch: true'",
                    at_key=True,
                )
            )
    return out
