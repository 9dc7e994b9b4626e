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

from typing import TYPE_CHECKING

import numpy as np

from cells.equipment import UNIT_STATES
from cells.sampling import Sampler
from cells.streams import stream
from kernels.flowline import flowline_covers, flowline_departures
from kernels.flowline_window import FlowlineWindow, WindowAccumulator
from simulator.experiment import ExperimentResult, summarise_replications
from simulator.model import SOURCE_STREAM_KEY, process_stream_key
from simulator.results import Replication, StationResult

if TYPE_CHECKING:
    from scenarios import Scenario

CHUNK_PARTS = 16_384
"""Parts per replication simulated per kernel call: memory stays bounded (a few MB per
replication and station) however long the horizon, and the arrays stay warm in cache."""


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
    features = ("tending", "operated_by", "failures", "setup", "shifts", "power")
    for s in scenario.stations:
        used = [f for f in features if getattr(s, f, None) is not None]
        if getattr(s, "scrap", 0.0):
            used.append("scrap")
        if used:
            reasons.append(
                f"station '{s.name}' has {', '.join(used)} (the recursion models plain stations)"
            )
    if getattr(scenario, "products", None) is not None:
        reasons.append("products are given (the recursion models one product on one route)")
    if getattr(scenario, "resources", ()):
        reasons.append("resources are given (the recursion models no shared resources)")
    if reasons:
        raise NotEligible("; ".join(reasons) + ". Run without --fast to use the event engine.")


MAX_CHUNK_BYTES = 2 * 1024**3
"""Memory the fast path may use for one chunk (a buffer of a million places needs ~2 million
parts of history); beyond it the scenario is refused with the reason."""


class _Streams:
    """One replication's samplers, drawn chunk after chunk in the DES's order."""

    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self.process = [
            Sampler(s.process, stream(seed, replication, process_stream_key(s.name)))
            for s in scenario.stations
        ]
        self.interarrival = (
            None
            if scenario.source is None
            else Sampler(scenario.source.interarrival, stream(seed, replication, SOURCE_STREAM_KEY))
        )
        self.last_arrival = 0.0

    def fill(self, process: np.ndarray, arrivals: np.ndarray | None, first: int) -> None:
        """Fill rows ``first`` onwards (of replication row 0) with the next parts' times."""
        n = process.shape[1] - first
        for j, sampler in enumerate(self.process):
            process[0, first:, j] = sampler.take(n)
        if arrivals is not None and self.interarrival is not None:
            gaps = self.interarrival.take(n)
            gaps[0] += self.last_arrival
            arrivals[0, first:] = np.cumsum(gaps)
            self.last_arrival = float(arrivals[0, -1])


def run_fast(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> ExperimentResult:
    """Run the scenario's replications on the flow-line kernel; same result shape as the DES.

    Each replication is simulated in chunks of :data:`CHUNK_PARTS` parts until its parts have
    entered after the end of the run; each chunk carries the last parts of the previous one as
    the history the recursion looks back on, so memory is bounded by one chunk.
    """
    check_eligible(scenario)
    n_rep = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    warmup = float(scenario.warmup)
    horizon = float(scenario.horizon)
    k = len(scenario.stations)
    buffers = np.array(
        [-1 if s.buffer is None else s.buffer for s in scenario.stations], dtype=np.int64
    )
    # The recursion looks back at most (largest buffer it uses) + 1 parts; without a source
    # the first station's buffer is never used (an unlimited supply feeds its server).
    used = buffers if scenario.source is not None else buffers[1:]
    history = int(max(used.max(initial=0), 0)) + 1
    chunk = history + CHUNK_PARTS
    needed = chunk * (2 * k + 2) * 8
    if needed > MAX_CHUNK_BYTES:
        raise NotEligible(
            f"a buffer of {history - 1:,} places needs about {needed / 1024**3:.1f} GiB of part "
            "history in the flow-line recursion; run without --fast or use a smaller buffer"
        )
    process = np.empty((1, chunk, k))
    arrivals = None if scenario.source is None else np.empty((1, chunk))
    times = np.empty((1, chunk, k + 1))
    reps = []
    for r in range(n_rep):
        streams = _Streams(scenario, seed, r)
        window = WindowAccumulator(1, k, warmup, horizon)
        first = 0
        while True:
            streams.fill(process, arrivals, first)
            flowline_departures(process, buffers, arrivals, out=times, first=first)
            window.add(process, times, buffers, arrivals, first)
            if flowline_covers(times, warmup, horizon)[0]:
                break
            # The last `history` parts become the history of the next chunk.
            process[:, :history] = process[:, -history:]
            times[:, :history] = times[:, -history:]
            if arrivals is not None:
                arrivals[:, :history] = arrivals[:, -history:]
            first = history
        reps.append(_replication(scenario, r, seed, window.result(), warmup, warmup + horizon))
    return summarise_replications(scenario, seed, reps, method="flowline")


def _replication(
    scenario: Scenario, index: int, seed: int, window: FlowlineWindow, warmup: float, end: float
) -> Replication:
    """One replication's results from its window statistics (row 0)."""
    r = 0
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
