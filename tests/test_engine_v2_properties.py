"""Properties of generated format-v2 lines (hypothesis): whatever mix of products, routes,
resources, shifts, tending, operators, failures (both bases, with or without a repair crew),
setups, scrap and power a line has, parts are conserved (scrap included), every station's and
resource's state shares are fractions summing to 1, per-product output adds up to the line's,
and the same seed reproduces the same numbers. A line whose routes form a cycle may stop with
a routing deadlock, and nothing else goes wrong.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from cells.workstation import RoutingDeadlock
from simulator.session import run_replication

NAMES = ["a", "b", "c", "d"]


@st.composite
def lines(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 4))
    stations = NAMES[:n]
    head = [
        "linelab: 2",
        "name: generated",
        f"horizon: {draw(st.integers(2, 30))} h",
        f"warmup: {draw(st.integers(0, 3600))}",
        f"seed: {draw(st.integers(0, 2**32))}",
        "calendar:",
        "  shifts:",
        '    - {name: day, start: "06:00", end: "18:00"}',
        '    - {name: night, start: "18:00", end: "06:00"}',
        "  breaks: [{start: \"12:00\", duration: 45 min}]",
    ]
    ops_count = draw(st.integers(1, 3))
    ops_shifts = draw(st.sampled_from(["", ", shifts: [day]"]))
    resources = [
        f"  - {{name: ops, kind: operator, count: {ops_count}{ops_shifts}}}",
        f"  - {{name: bot, kind: robot, count: {draw(st.integers(1, 2))}, power: {{busy: 1 kW}}}}",
    ]
    n_products = draw(st.integers(1, 3))
    products = []
    shares = [1.0 / n_products] * n_products
    shares[-1] = 1.0 - sum(shares[:-1])
    cyclic = False
    source = draw(st.one_of(st.none(), st.integers(20, 120)))
    for p in range(n_products):
        route = list(stations)
        if draw(st.booleans()) and n > 1:
            route = draw(st.permutations(stations))[: draw(st.integers(1, n))]
            route = list(route)
        if source is None:  # without a source every route starts at the same station
            route = [stations[0], *[s for s in route if s != stations[0]]]
        products.append(f"  - {{name: p{p}, share: {shares[p]!r}, route: [{', '.join(route)}]}}")
    for i, a in enumerate(stations):
        for b in stations[i + 1 :]:
            fwd = any(f"{a}, {b}" in r for r in products)
            back = any(f"{b}, {a}" in r for r in products)
            cyclic = cyclic or (fwd and back)
    rows = []
    for name in stations:
        mean = draw(st.integers(10, 90))
        row = [f"name: {name}", f"servers: {draw(st.integers(1, 3))}",
               f"process: {{dist: exponential, mean: {mean}}}"]
        buffer = draw(st.one_of(st.none(), st.integers(0, 3)))
        if buffer is not None:
            row.append(f"buffer: {buffer}")
        who = draw(st.sampled_from(["", "tend_ops", "tend_bot", "operated"]))
        if who == "tend_ops":
            row.append("tending: {by: ops, time: {dist: exponential, mean: 8}}")
        elif who == "tend_bot":
            row.append("tending: {by: bot, time: 5 s}")
        elif who == "operated":
            row.append("operated_by: ops")
        if draw(st.booleans()):
            basis = draw(st.sampled_from(["operating", "calendar"]))
            crew = draw(st.sampled_from(["", ", repair_by: ops"]))
            row.append(f"failures: {{mtbf: 40 min, mttr: 4 min, basis: {basis}{crew}}}")
        if draw(st.booleans()):
            row.append("setup: 30 s")
        if draw(st.booleans()):
            row.append("scrap: 0.1")
        if draw(st.booleans()):
            row.append("shifts: [day]")
        if draw(st.booleans()):
            row.append("power: {busy: 3 kW, idle: 0.5 kW}")
        rows.append("  - {" + ", ".join(row) + "}")
    if source is not None:
        head.append(f"source: {{interarrival: {{dist: exponential, mean: {source}}}}}")
    elif draw(st.booleans()):
        head.append(f"wip_cap: {draw(st.integers(1, 8))}")
    text = "\n".join(
        [*head, "resources:", *resources, "products:", *products, "stations:", *rows]
    )
    return text + ("\n# cyclic\n" if cyclic else "\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_invariants_of_generated_v2_lines(text: str) -> None:
    sc = scenarios.loads(text)
    try:
        rep = run_replication(sc, 0)
    except RoutingDeadlock:
        assert "# cyclic" in text
        return
    assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end
    assert rep.scrapped >= 0 and rep.departed >= 0
    for station in rep.stations.values():
        assert all(-1e-12 <= v <= 1 + 1e-12 for v in station.states.values())
        assert math.fsum(station.states.values()) == pytest.approx(1.0)
    for resource in rep.resources.values():
        assert math.fsum(resource.states.values()) == pytest.approx(1.0)
        assert 0 <= resource.utilization <= 1 + 1e-12
    assert sum(p.departed for p in rep.products.values()) == rep.departed
    assert sum(p.scrapped for p in rep.products.values()) == rep.scrapped
    assert repr(run_replication(sc, 0)) == repr(rep)  # repr: NaN equals NaN
