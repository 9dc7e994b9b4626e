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
from kernels.flowline import flowline_departures
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


def _overlap(a: np.ndarray, b: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """Length of ``[a, b) ∩ [t0, t1]`` summed over the part axis (axis 1)."""
    return np.clip(np.minimum(b, t1) - np.maximum(a, t0), 0.0, None).sum(axis=1)


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
        if np.all(times[:, -1, 0] > end):
            break
        if parts >= MAX_PARTS:
            raise NotEligible(
                f"the run needs more than {MAX_PARTS:,} parts per replication; use the event engine"
            )
        parts = min(MAX_PARTS, parts * 2)
    reps = [
        _replication(
            scenario,
            r,
            seed,
            process[r],
            times[r],
            None if arrivals is None else arrivals[r],
            buffers,
            warmup,
            end,
        )
        for r in range(n_rep)
    ]
    return summarise_replications(scenario, seed, reps, method="flowline")


def _replication(
    scenario: Scenario,
    index: int,
    seed: int,
    process: np.ndarray,
    times: np.ndarray,
    arrivals: np.ndarray | None,
    buffers: np.ndarray,
    warmup: float,
    end: float,
) -> Replication:
    """Measured statistics of one replication from its per-part times (exact integrals)."""
    horizon = end - warmup
    n, k = process.shape
    entry, exit_ = times[:, 0], times[:, -1]
    departures = times[:, 1:]  # (n, k): leaves station j
    # Start of service at station j: the part has reached j and the previous part has left j.
    reach = np.empty((n, k))
    reach[:, 1:] = departures[:, :-1]
    if arrivals is None:
        reach[:, 0] = entry
    else:
        reach[:, 0] = arrivals
        if buffers[0] >= 0:
            lag = int(buffers[0]) + 1
            reach[lag:, 0] = np.maximum(arrivals[lag:], departures[:-lag, 0])
    start = reach.copy()
    start[1:] = np.maximum(reach[1:], departures[:-1])
    completion = start + process
    in_window = (exit_ > warmup) & (exit_ <= end)
    departed = int(in_window.sum())
    cycle = float(np.mean(exit_[in_window] - entry[in_window])) if departed else math.nan
    wip = float(_overlap(entry[None, :], exit_[None, :], warmup, end)[0]) / horizon
    busy = _overlap(start.T, completion.T, warmup, end) / horizon
    blocked = _overlap(completion.T, departures.T, warmup, end) / horizon
    queue = _overlap(reach.T, start.T, warmup, end) / horizon
    front = (
        0.0
        if arrivals is None
        else float(_overlap(arrivals[None, :], reach[None, :, 0], warmup, end)[0]) / horizon
    )
    stations: dict[str, StationResult] = {}
    for j, spec in enumerate(scenario.stations):
        shares = {
            "busy": float(busy[j]),
            "starved": max(0.0, 1.0 - float(busy[j]) - float(blocked[j])),
            "blocked": float(blocked[j]),
        }
        states = {name: shares[name] for name in UNIT_STATES}
        stations[spec.name] = StationResult(
            utilization=states["busy"],
            states=states,
            queue=float(queue[j]),
            completed=int(((completion[:, j] > warmup) & (completion[:, j] <= end)).sum()),
            units={f"{spec.name}.1": dict(states)},
        )
    arrived_by = entry if arrivals is None else arrivals
    return Replication(
        index=index,
        seed=seed,
        warmup_s=warmup,
        horizon_s=horizon,
        throughput_per_hour=departed / horizon * 3600.0,
        cycle_time_s=cycle,
        wip=wip,
        departed=departed,
        arrived=int(((arrived_by > warmup) & (arrived_by <= end)).sum()),
        wip_start=int(((arrived_by <= warmup) & (exit_ > warmup)).sum()),
        wip_end=int(((arrived_by <= end) & (exit_ > end)).sum()),
        waiting_in_front=front,
        stations=stations,
    )
