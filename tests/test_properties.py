"""Properties of every valid scenario (hypothesis generates the lines).

Whatever the line -- stations, servers, buffers, distributions, source or not, CONWIP or not --
the numbers a replication reports are recomputed from a trace of the same run (every part's
arrival and departure, every operation's start and duration; ``tests.helpers.Trace``) over the
measured window (warmup, warmup + horizon], and must agree to rounding:

- the window is exactly the horizon long and starts at the warm-up (a missing warm-up
  deletion, or a window of the wrong length, changes the counts below);
- parts: arrivals, departures, parts present at either end, and conservation;
- Little's law on the window, exactly: wip·H = departed·CT − Σ (time before the window of the
  departed parts already present at its start) + Σ (time in the window of the parts still
  present at its end) -- each term from the trace;
- cycle time: the mean sojourn of the parts that left in the window;
- each station's busy share is its operations' time inside the window / (servers·H), and
  its completed count the operations that ended in the window;
- every part is somewhere: wip = waiting in front + Σ (buffer + servers busy or blocked);
- state shares are fractions summing to 1; a station can be blocked only if the next one has
  a finite buffer; an unlimited supply never starves; CONWIP without a source holds N parts;
- the same seed reproduces the same numbers.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from simulator.session import run_replication
from tests.helpers import assert_matches_trace, traced_replication

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


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_invariants_of_generated_lines(text: str) -> None:
    sc = scenarios.loads(text)
    rep, trace = traced_replication(sc)
    assert rep == run_replication(sc)  # tracing changes nothing; same seed, same numbers
    assert_matches_trace(sc, rep, trace)
    if sc.wip_cap is not None and sc.source is None:
        assert math.isclose(rep.wip, sc.wip_cap, rel_tol=1e-9)
    first = rep.stations["s0"]
    if sc.source is None and sc.wip_cap is None:
        assert first.states["starved"] < 1e-12  # an unlimited supply never starves
