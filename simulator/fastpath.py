"""``linelab run --fast``: the exact flow-line recursion instead of the event engine.

For a serial line of single-server FIFO stations with finite or unlimited buffers, blocking
after service, and either an unlimited supply or a source (no ``wip_cap``), the departure times
follow a max-plus recursion (:mod:`kernels.flowline`) that needs no event list. Given the same
processing and interarrival times, it yields the very same departure times as the event engine,
so the fast path uses the same random streams (same keys, same block sampler) and reports the
same JSON. Everything else the engine reports -- state shares, buffer levels -- is derived
exactly from the per-part start, completion and departure times.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from cells.equipment import UNIT_STATES
from cells.sampling import Sampler
from cells.streams import stream
from kernels.flowline import flowline_covers, flowline_departures
from kernels.flowline_window import FlowlineWindow, flowline_window
from simulator.experiment import ExperimentResult, summarise_replications
from simulator.model import SOURCE_STREAM_KEY, process_stream_key
from simulator.results import Replication, StationResult

if TYPE_CHECKING:
    from scenarios import Scenario

MAX_PARTS = 50_000_000
"""Parts per replication the fast path will hold in memory before it refuses (about 4 GB)."""


class NotEligible(ValueError):
    """The scenario has features the flow-line recursion cannot represent exactly."""


def check_eligible(scenario: Scenario) -> None:
    """Raise :class:`NotEligible` listing every reason the fast path would not be exact."""
    reasons = [
        f"station '{s.name}' has {s.servers} servers (the recursion models one server per station)"
        for s in scenario.stations
        if s.servers != 1
    ]
    if scenario.wip_cap is not None:
        reasons.append(f"wip_cap is set ({scenario.wip_cap}); CONWIP release is not a flow line")
    if reasons:
        raise NotEligible("; ".join(reasons) + ". Run without --fast to use the event engine.")


def _draws(
    scenario: Scenario, seed: int, replications: int, parts: int
) -> tuple[np.ndarray, np.ndarray | None]:
    k = len(scenario.stations)
    process = np.empty((replications, parts, k))
    arrivals = None if scenario.source is None else np.empty((replications, parts))
    for r in range(replications):
        for j, spec in enumerate(scenario.stations):
            sampler = Sampler(spec.process, stream(seed, r, process_stream_key(spec.name)))
            process[r, :, j] = sampler.take(parts)
        if arrivals is not None and scenario.source is not None:
            sampler = Sampler(scenario.source.interarrival, stream(seed, r, SOURCE_STREAM_KEY))
            arrivals[r] = np.cumsum(sampler.take(parts))
    return process, arrivals


def _initial_parts(scenario: Scenario) -> int:
    """A first guess of the parts that enter before the end (doubled until it suffices)."""
    end = float(scenario.warmup + scenario.horizon)
    if scenario.source is not None:
        rate = 1.0 / max(scenario.source.interarrival.mean_s, 1e-12)
    else:
        rate = 1.0 / max(max(s.process.mean_s for s in scenario.stations[:1]), 1e-12)
    return int(min(MAX_PARTS, max(64, math.ceil(end * rate * 1.05) + 64)))


def run_fast(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> ExperimentResult:
    """Run the scenario's replications on the flow-line kernel; same result shape as the DES."""
    check_eligible(scenario)
    n_rep = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    warmup = float(scenario.warmup)
    end = warmup + float(scenario.horizon)
    buffers = np.array(
        [-1 if s.buffer is None else s.buffer for s in scenario.stations], dtype=np.int64
    )
    parts = _initial_parts(scenario)
    while True:
        process, arrivals = _draws(scenario, seed, n_rep, parts)
        times = flowline_departures(process, buffers, arrivals)
        # Every part that enters by the end must be among those simulated: entries are in order.
        if np.all(flowline_covers(times, warmup, end - warmup)):
            break
        if parts >= MAX_PARTS:
            raise NotEligible(
                f"the run needs more than {MAX_PARTS:,} parts per replication; use the event engine"
            )
        parts = min(MAX_PARTS, parts * 2)
    window = flowline_window(process, times, buffers, warmup, end - warmup, arrivals)
    reps = [_replication(scenario, r, seed, window, warmup, end) for r in range(n_rep)]
    return summarise_replications(scenario, seed, reps, method="flowline")


def _replication(
    scenario: Scenario, index: int, seed: int, window: FlowlineWindow, warmup: float, end: float
) -> Replication:
    """One replication's results from the window statistics (row ``index``)."""
    r = index
    stations: dict[str, StationResult] = {}
    for j, spec in enumerate(scenario.stations):
        busy, blocked = float(window.busy[r, j]), float(window.blocked[r, j])
        shares = {"busy": busy, "starved": max(0.0, 1.0 - busy - blocked), "blocked": blocked}
        states = {name: shares[name] for name in UNIT_STATES}
        stations[spec.name] = StationResult(
            utilization=states["busy"],
            states=states,
            queue=float(window.queue[r, j]),
            completed=int(window.completed[r, j]),
            units={f"{spec.name}.1": dict(states)},
        )
    horizon = end - warmup
    departed = int(window.departed[r])
    return Replication(
        index=index,
        seed=seed,
        warmup_s=warmup,
        horizon_s=horizon,
        throughput_per_hour=departed / horizon * 3600.0,
        cycle_time_s=float(window.cycle_time_s[r]),
        wip=float(window.wip[r]),
        departed=departed,
        arrived=int(window.arrived[r]),
        wip_start=int(window.wip_start[r]),
        wip_end=int(window.wip_end[r]),
        waiting_in_front=float(window.waiting_in_front[r]),
        stations=stations,
    )
