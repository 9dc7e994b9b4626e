"""Wiring of assembly stations (``cells.assembly``) into a line: the hooks of build.py.

- :func:`assembly_outputs`: products made by an assembly station (never released).
- :func:`assembly_kwargs`: the extra arguments that make a station an assembly station.
- :func:`released_chooser`: the product draw of a source, by share over released products.
- :func:`supply_components`: without a source, an unlimited supply at the first station of
  every released product (several products starting at one station are mixed by share).
- :func:`route_to_ports`: a component's route ends at its input port of the assembly station.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cells.assembly import AssemblyStation, ComponentEntrance, InputPort, ProductSupply
from cells.parts import ProductTraffic, Traffic
from cells.streams import counter_uniform


def assembly_outputs(scenario: Any) -> set[str]:
    """Names of the products that assembly stations make."""
    return {
        s.assembly.output for s in scenario.stations if getattr(s, "assembly", None) is not None
    }


def assembly_kwargs(spec: Any, products: Sequence[Any], traffic: Traffic) -> dict[str, Any]:
    """``{}`` for an ordinary station; for an assembly station its inputs (product index,
    quantity), output product index and the line's traffic."""
    assembly = getattr(spec, "assembly", None)
    if assembly is None:
        return {}
    index = {p.name: i for i, p in enumerate(products)}
    return {
        "inputs": [(index[name], int(q)) for name, q in assembly.inputs.items()],
        "output": index[assembly.output],
        "traffic": traffic,
    }


def released_chooser(
    products: Sequence[Any], outputs: set[str], key: int
) -> Callable[[int], int]:
    """Product index of part ``id`` by share among the products that are released (not made
    by assembly), from a counter-based uniform draw."""
    released = [i for i, p in enumerate(products) if p.name not in outputs]
    return _pick(released, [products[i].share for i in released], key)


def _pick(indices: Sequence[int], shares: Sequence[float], key: int) -> Callable[[int], int]:
    if len(indices) == 1:
        only = indices[0]
        return lambda pid: only
    total = sum(shares)
    cum: list[float] = []
    acc = 0.0
    for share in shares:
        acc += share / total
        cum.append(acc)
    cum[-1] = 2.0  # the last product takes the rest of [0, 1)

    def choose(pid: int) -> int:
        u = counter_uniform(key, pid)
        for i, edge in enumerate(cum):
            if u < edge:
                return indices[i]
        return indices[-1]  # pragma: no cover - cum[-1] > 1

    return choose


def supply_components(
    products: Sequence[Any], outputs: set[str], by_name: dict[str, Any], traffic: ProductTraffic,
    key: int,
) -> None:
    """Give the first station of every released product an unlimited supply of it."""
    starts: dict[str, list[int]] = {}
    for i, p in enumerate(products):
        if p.name not in outputs:
            starts.setdefault(p.route[0], []).append(i)
    for name, indices in starts.items():
        local = list(range(len(indices)))
        choose = _pick(local, [products[i].share for i in indices], key)
        by_name[name].supply = ProductSupply(traffic, indices, choose)


def route_to_ports(traffic: ProductTraffic, stations: Sequence[Any], fleets: Sequence[Any]) -> None:
    """Each component's route ends at its input port (no sink after it); vehicles that
    deliver to the assembly station deliver to its ports at the same point."""
    for station in stations:
        if not isinstance(station, AssemblyStation):
            continue
        for port in station.ports:
            route = traffic.routes[port.product]
            traffic.routes[port.product] = (*route[:-2], port)
            for fleet in fleets:
                if station in fleet.where:
                    fleet.where[port] = fleet.where[station]


__all__ = [
    "AssemblyStation",
    "ComponentEntrance",
    "InputPort",
    "assembly_kwargs",
    "assembly_outputs",
    "released_chooser",
    "route_to_ports",
    "supply_components",
]
