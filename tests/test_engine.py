"""The discrete-event engine's flow rules and bookkeeping, on small lines with known answers.

Pins down: blocking after service and buffer sizes (deterministic lines where the answer is
arithmetic), parallel servers, CONWIP, warm-up reset, conservation of parts, Little's law,
state shares summing to 1, reproducibility from scenario + seed, independent random streams per
element, and that a chunked :class:`RunSession` gives the same results as a straight run.
"""

from __future__ import annotations

import pytest

from simulator.experiment import run_experiment
from simulator.session import RunSession, run_replication
from tests.helpers import assert_matches_trace, scenario, traced_replication


def test_deterministic_blocking_with_no_buffer() -> None:
    """A 1 s station feeding a 2 s station with no buffer: the fast one is blocked half the time."""
    sc = scenario(
        """
        linelab: 1
        name: blocking
        horizon: 1000 s
        warmup: 100 s
        stations:
          - {name: a, process: 1 s, buffer: 0}
          - {name: b, process: 2 s, buffer: 0}
        """
    )
    rep = run_replication(sc)
    assert rep.throughput_per_hour == pytest.approx(1800.0)
    a, b = rep.stations["a"], rep.stations["b"]
    assert a.states["busy"] == pytest.approx(0.5)
    assert a.states["blocked"] == pytest.approx(0.5)
    assert a.states["starved"] == pytest.approx(0.0)
    assert b.utilization == pytest.approx(1.0)
    assert b.queue == 0.0
    # Part cycle: enters a, 1 s processing, waits 1 s blocked on average, then 2 s at b.
    assert rep.cycle_time_s == pytest.approx(4.0, abs=1e-9)
    assert rep.wip == pytest.approx(2.0)


def test_deterministic_buffer_fills_then_blocks() -> None:
    """With a buffer of 3 in front of the slow station, the buffer is full in steady state."""
    sc = scenario(
        """
        linelab: 1
        name: buffer
        horizon: 1000 s
        warmup: 100 s
        stations:
          - {name: a, process: 1 s}
          - {name: b, process: 2 s, buffer: 3}
        """
    )
    rep = run_replication(sc)
    assert rep.throughput_per_hour == pytest.approx(1800.0)
    assert rep.stations["b"].queue == pytest.approx(3.0, abs=0.01)
    assert rep.stations["a"].states["blocked"] == pytest.approx(0.5)


def test_parallel_servers_constant_times() -> None:
    """Three 30 s servers fed every 12 s: each busy 30/36 of the time, no queue."""
    sc = scenario(
        """
        linelab: 1
        name: parallel
        horizon: 3600 s
        warmup: 360 s
        source: {interarrival: 12 s}
        stations:
          - {name: cnc, servers: 3, process: 30 s}
        """
    )
    rep = run_replication(sc)
    assert rep.throughput_per_hour == pytest.approx(300.0, abs=1.0)
    assert rep.stations["cnc"].utilization == pytest.approx(30 / 36, abs=0.01)
    assert rep.cycle_time_s == pytest.approx(30.0)
    assert rep.stations["cnc"].queue == 0.0
    assert len(rep.stations["cnc"].units) == 3
    assert set(rep.stations["cnc"].units) == {"cnc.1", "cnc.2", "cnc.3"}


def test_conwip_keeps_exactly_wip_cap_parts() -> None:
    sc = scenario(
        """
        linelab: 1
        name: conwip
        horizon: 10 h
        warmup: 1 h
        wip_cap: 4
        stations:
          - {name: a, process: {dist: exponential, mean: 50 s}}
          - {name: b, servers: 2, process: {dist: exponential, mean: 90 s}}
        """
    )
    rep = run_replication(sc)
    assert rep.wip == pytest.approx(4.0)
    assert rep.wip_start == rep.wip_end == 4
    assert rep.cycle_time_s * rep.throughput_per_hour / 3600 == pytest.approx(4.0, rel=0.02)


def test_conwip_with_source_caps_the_line_not_the_arrivals() -> None:
    """Arrivals faster than the line can take them wait in front; only wip_cap are inside."""
    sc = scenario(
        """
        linelab: 1
        name: conwip source
        horizon: 2 h
        source: {interarrival: 10 s}
        wip_cap: 2
        stations:
          - {name: a, process: 30 s}
        """
    )
    session = RunSession(sc)
    session.advance(3600)
    model = session.model
    assert model.entrance is not None
    assert model.entrance.in_line == 2  # one part in service, one waiting at a's buffer
    assert len(model.stations[0].queue) == 1
    assert len(model.entrance.front) > 100  # nothing is lost


def test_warmup_is_excluded() -> None:
    """Constant 10 s station: 100 s measured after 55 s warm-up -> exactly 10 departures."""
    sc = scenario(
        """
        linelab: 1
        name: warm
        horizon: 100 s
        warmup: 55 s
        stations: [{name: a, process: 10 s}]
        """
    )
    rep = run_replication(sc)
    assert rep.departed == 10
    assert rep.wip_start == 1 and rep.arrived == 10 and rep.wip_end == 1


LINES = [
    """
    linelab: 1
    name: mixed
    horizon: 20 h
    warmup: 1 h
    replications: 3
    source: {interarrival: {dist: exponential, mean: 70 s}}
    stations:
      - {name: a, process: {dist: lognormal, mean: 50 s, cv: 0.5}, buffer: 2}
      - name: b
        servers: 2
        process: {dist: triangular, low: 60 s, mode: 90 s, high: 150 s}
        buffer: 0
      - {name: c, process: {dist: normal, mean: 55 s, sd: 20 s}, buffer: 1}
    """,
    """
    linelab: 1
    name: saturated
    horizon: 20 h
    warmup: 1 h
    replications: 3
    stations:
      - {name: a, process: {dist: exponential, mean: 50 s}, buffer: 1}
      - {name: b, process: {dist: empirical, values: [40 s, 50 s, 70 s]}, buffer: 0}
      - {name: c, servers: 3, process: {dist: uniform, low: 100 s, high: 200 s}, buffer: 2}
    """,
    """
    linelab: 1
    name: conwip
    horizon: 20 h
    warmup: 1 h
    replications: 3
    wip_cap: 6
    source: {interarrival: {dist: exponential, mean: 60 s}}
    stations:
      - {name: a, process: {dist: exponential, mean: 40 s}, buffer: 1}
      - {name: b, process: {dist: exponential, mean: 50 s}}
    """,
]


@pytest.mark.parametrize("text", LINES, ids=["mixed", "saturated", "conwip"])
def test_invariants(text: str) -> None:
    """Every replication's numbers equal those recomputed from a trace of the same run
    (counts, Little's law with its exact boundary terms, busy time, every part somewhere;
    see ``tests.helpers.assert_matches_trace``)."""
    sc = scenario(text)
    res = run_experiment(sc)
    for index, rep in enumerate(res.replications):
        traced, trace = traced_replication(sc, index)
        assert traced == rep
        assert_matches_trace(sc, rep, trace)


def test_same_seed_same_results_different_seed_different(two_station) -> None:
    a = run_experiment(two_station)
    b = run_experiment(two_station)
    c = run_experiment(two_station, seed=8)
    assert a.replications == b.replications
    assert a.kpis == b.kpis
    assert a.replications != c.replications


def test_adding_a_station_does_not_shift_other_streams() -> None:
    """Station a's draws are keyed by its name: a new station downstream leaves them alone."""
    base = """
        linelab: 1
        name: streams
        horizon: 5 h
        stations:
          - {name: a, process: {dist: exponential, mean: 30 s}}
          - {name: b, process: {dist: exponential, mean: 10 s}}
        """
    extended = base.rstrip() + "\n          - {name: c, process: {dist: exponential, mean: 5 s}}\n"
    r1 = run_replication(scenario(base))
    r2 = run_replication(scenario(extended))
    assert r1.stations["a"].completed == r2.stations["a"].completed
    assert r1.stations["a"].states == r2.stations["a"].states


def test_replications_are_distinct_streams(two_station) -> None:
    res = run_experiment(two_station)
    values = res.kpis["throughput_per_hour"].values
    assert len(set(values)) == len(values)


def test_run_session_in_chunks_equals_straight_run(two_station) -> None:
    straight = run_replication(two_station, 1)
    session = RunSession(two_station, 1)
    snapshots = []
    while not session.finished:
        snapshots.append(session.advance(377.0))
    assert session.result() == straight
    assert snapshots[-1].time_s == pytest.approx(session.end)
    assert snapshots[0].in_warmup and not snapshots[-1].in_warmup
    times = [s.time_s for s in snapshots]
    assert times == sorted(times)
    for snap in snapshots:
        for st in snap.stations:
            assert st.busy + st.starved + st.blocked == {"press": 1, "pack": 2}[st.name]


def test_run_session_rejects_non_positive_steps(two_station) -> None:
    with pytest.raises(ValueError, match="dt must be > 0"):
        RunSession(two_station).advance(0)
