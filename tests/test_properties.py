"""Properties of every valid scenario (hypothesis generates the lines).

Whatever the line -- stations, servers, buffers, distributions, source or not, CONWIP or not --
parts are conserved, Little's law holds on the measured window up to its end effects, state
shares are fractions summing to 1, and the same seed reproduces the same numbers.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from simulator.session import run_replication

DISTS = st.sampled_from(
    [
        "{dist: exponential, mean: %(m)s}",
        "{dist: constant, value: %(m)s}",
        "{dist: uniform, low: 0, high: %(h)s}",
        "{dist: lognormal, mean: %(m)s, cv: 0.7}",
        "{dist: normal, mean: %(m)s, sd: %(half)s}",
        "{dist: triangular, low: 0, mode: %(m)s, high: %(h)s}",
        "{dist: empirical, values: [%(half)s, %(m)s, %(h)s]}",
    ]
)


@st.composite
def lines(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 5))
    rows = []
    for i in range(n):
        mean = draw(st.integers(5, 60))
        dist = draw(DISTS) % {"m": mean, "h": 2 * mean, "half": mean / 2}
        servers = draw(st.integers(1, 3))
        buffer = draw(st.one_of(st.none(), st.integers(0, 4)))
        buf = "" if buffer is None else f", buffer: {buffer}"
        rows.append(f"  - {{name: s{i}, servers: {servers}, process: {dist}{buf}}}")
    source = draw(st.one_of(st.none(), st.integers(10, 80)))
    cap = draw(st.one_of(st.none(), st.integers(1, 12)))
    head = [
        "linelab: 1",
        "name: generated",
        "horizon: 6 h",
        f"warmup: {draw(st.integers(0, 1800))}",
        f"seed: {draw(st.integers(0, 2**32))}",
    ]
    if source is not None:
        head.append(f"source: {{interarrival: {{dist: exponential, mean: {source}}}}}")
    if cap is not None:
        head.append(f"wip_cap: {cap}")
    return "\n".join([*head, "stations:", *rows]) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_invariants_of_generated_lines(text: str) -> None:
    sc = scenarios.loads(text)
    rep = run_replication(sc)
    assert rep == run_replication(sc)
    assert rep.wip_start + rep.arrived == rep.departed + rep.wip_end
    assert rep.departed >= 0 and rep.wip >= 0
    if sc.wip_cap is not None and sc.source is None:
        assert math.isclose(rep.wip, sc.wip_cap, rel_tol=1e-9)
    # Little's law with its end effects bounded: parts present at either end of the window
    # contribute at most their time in the window, not a full cycle time.
    if rep.departed > 50:
        lhs = rep.wip * rep.horizon_s
        rhs = rep.departed * rep.cycle_time_s
        slack = (rep.wip_start + rep.wip_end) * rep.horizon_s
        assert abs(lhs - rhs) <= slack + 1e-6 * rhs
    for station in rep.stations.values():
        assert math.isclose(math.fsum(station.states.values()), 1.0, abs_tol=1e-9)
        assert all(-1e-12 <= v <= 1 + 1e-12 for v in station.states.values())
        assert station.queue >= 0
    first = rep.stations["s0"]
    if sc.source is None and sc.wip_cap is None:
        assert first.states["starved"] < 1e-12  # an unlimited supply never starves
