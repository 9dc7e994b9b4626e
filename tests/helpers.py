"""Small helpers shared by the test modules."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from unittest import mock

import pytest

import scenarios
import simulator.build
from cells.parts import Part, Traffic
from simulator.model import LineModel
from simulator.results import Replication


def scenario(text: str) -> scenarios.Scenario:
    """A scenario from (indented) YAML text, the way users write them."""
    return scenarios.loads(textwrap.dedent(text))


@dataclass
class Trace:
    """What happened in one replication, part by part and operation by operation.

    ``arrival[i]`` / ``departure[i]``: when part ``i`` arrived at (or was released into) the
    line and when it left the last station (s; no entry: still in the line at the end).
    ``operations[k]``: (start, duration) of every operation station ``k`` started (s).
    Recorded outside the engine's statistics, so those can be recomputed from it.
    """

    arrival: dict[int, float] = field(default_factory=dict)
    departure: dict[int, float] = field(default_factory=dict)
    operations: list[list[tuple[float, float]]] = field(default_factory=list)


def traced_replication(
    sc: scenarios.Scenario, replication: int = 0
) -> tuple[Replication, Trace]:
    """Replication ``replication`` of ``sc``, run as :func:`simulator.session.run_replication`
    runs it, together with its :class:`Trace`: every part's arrival and departure and every
    operation's start and duration. The tracing only observes (the same random numbers are
    drawn in the same order), so the result equals ``run_replication(sc, replication)``."""
    trace = Trace()

    class TracingTraffic(Traffic):
        def new_part(self, now: float) -> Part:
            part = super().new_part(now)
            trace.arrival[part.id] = now
            return part

        def leave(self, part: Part, now: float) -> None:
            trace.departure[part.id] = now
            super().leave(part, now)

    with mock.patch.object(simulator.build, "Traffic", TracingTraffic):
        model = LineModel(sc, replication)
    env = model.env

    def timed(draw: Callable[[], float], ops: list[tuple[float, float]]) -> Callable[[], float]:
        def process_time() -> float:
            duration = draw()
            ops.append((env.now, duration))  # a station starts an operation when it draws
            return duration

        return process_time

    for station in model.stations:
        trace.operations.append([])
        station.process_time = timed(station.process_time, trace.operations[-1])
    model.run_until(model.end)
    return model.collect(), trace


def _overlap(start: float, end: float, w0: float, w1: float) -> float:
    """Length of [start, end] inside the window [w0, w1] (s)."""
    return max(0.0, min(end, w1) - max(start, w0))


def assert_matches_trace(sc: scenarios.Scenario, rep: Replication, trace: Trace) -> None:
    """Every number of ``rep`` recomputed from ``trace`` over the measured window
    (warmup, warmup + horizon] agrees to rounding (relative 1e-9: float sums over many parts).

    The window is exactly the horizon; arrivals, departures and the parts present at either
    end are counted from the trace; Little's law holds exactly with its boundary terms,
    wip·H = departed·CT − Σ (time before the window of departed parts present at its start)
    + Σ (time in the window of parts present at its end); the cycle time is the mean sojourn
    of the parts that left in the window; a station's busy share is its operations' time in
    the window / (servers·H) and its completed count the operations that ended in it; every
    part is somewhere (wip = waiting in front + Σ buffer + servers busy or blocked); shares
    are fractions summing to 1; only a station followed by a finite buffer can be blocked.
    """
    w0, h = sc.warmup, sc.horizon
    w1 = w0 + h
    assert rep.warmup_s == w0
    assert rep.horizon_s == pytest.approx(h, rel=1e-12)
    rel = 1e-9  # float sums over thousands of parts

    # Parts, counted from the trace over the window (w0, w1].
    def present(t: float, a: float, pid: int) -> bool:
        return a <= t and trace.departure.get(pid, math.inf) > t

    arrivals = trace.arrival
    departures = {i: d for i, d in trace.departure.items() if w0 < d <= w1}
    assert rep.departed == len(departures)
    assert rep.arrived == sum(w0 < a <= w1 for a in arrivals.values())
    start = {i: a for i, a in arrivals.items() if present(w0, a, i)}
    end = {i: a for i, a in arrivals.items() if present(w1, a, i)}
    assert (rep.wip_start, rep.wip_end) == (len(start), len(end))
    assert rep.wip_start + rep.arrived == rep.departed + rep.wip_end
    assert rep.throughput_per_hour == pytest.approx(3600.0 * rep.departed / h, rel=1e-12)

    # Cycle time and WIP from the trace, and Little's law with its exact boundary terms.
    sojourns = [d - arrivals[i] for i, d in departures.items()]
    if sojourns:
        assert rep.cycle_time_s == pytest.approx(math.fsum(sojourns) / len(sojourns), rel=rel)
    else:
        assert math.isnan(rep.cycle_time_s)
    area = math.fsum(_overlap(a, trace.departure.get(i, w1), w0, w1) for i, a in arrivals.items())
    assert rep.wip * h == pytest.approx(area, rel=rel, abs=rel * h)
    before = math.fsum(w0 - start[i] for i in departures if i in start)
    after = math.fsum(w1 - max(a, w0) for a in end.values())
    little = (rep.departed * rep.cycle_time_s if sojourns else 0.0) - before + after
    assert rep.wip * h == pytest.approx(little, rel=rel, abs=rel * h)

    # Stations: busy time and completions from the operations; every part is somewhere.
    held = rep.waiting_in_front
    for k, spec in enumerate(sc.stations):
        station = rep.stations[spec.name]
        ops = trace.operations[k]
        busy = math.fsum(_overlap(t, t + p, w0, w1) for t, p in ops)
        assert station.utilization * spec.servers * h == pytest.approx(busy, rel=rel,
                                                                       abs=rel * h)
        assert station.completed == sum(w0 < t + p <= w1 for t, p in ops)
        assert math.isclose(math.fsum(station.states.values()), 1.0, abs_tol=1e-9)
        assert all(-1e-12 <= v <= 1 + 1e-12 for v in station.states.values())
        assert station.queue >= 0
        for unit in station.units.values():
            assert math.isclose(math.fsum(unit.values()), 1.0, abs_tol=1e-9)
            assert all(-1e-12 <= v <= 1 + 1e-12 for v in unit.values())
        nxt = sc.stations[k + 1] if k + 1 < len(sc.stations) else None
        if nxt is None or nxt.buffer is None:  # the sink and unlimited buffers never refuse
            assert station.states["blocked"] == 0.0
        held += station.queue + spec.servers * (
            station.states["busy"] + station.states["blocked"])
    assert held == pytest.approx(rep.wip, rel=rel, abs=rel)
