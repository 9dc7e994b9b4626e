"""Bottleneck analysis: the active-period (shifting-bottleneck) method and OEE losses.

The method (Roser, Nakano & Tanaka 2001, 2002): a station is *active* while it works on or
for a part and *inactive* while it waits for the flow (starved, blocked, waiting for a vehicle
to take its part) or is off shift. At every instant the station whose current uninterrupted
active period is the longest (measured from its start to its end, clipped to the window) is
the bottleneck. Where two consecutive bottleneck periods overlap, the overlap is a *shifting*
bottleneck, counted for both stations; the rest of a bottleneck period is *sole*. Shares are
fractions of the analysed window (s / s); a station's sole and shifting shares are disjoint,
and the sole shares plus each overlap once add up to the time some station was active.

Everything here is a pure function of a trace of state changes (see :class:`StationTrace`,
recorded by :class:`simulator.model.LineModel` with ``trace_limit``) or of the state shares
already in the results; docs/results.md documents the definitions.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from simulator.results import Replication
from simulator.stats import Stat, summarise

if TYPE_CHECKING:
    from simulator.experiment import ExperimentResult

DEFAULT_TRACE_LIMIT = 500_000
"""Default cap on the state changes traced per replication (a record is a tuple of three;
500,000 of them take some tens of MB)."""

INACTIVE_STATES: frozenset[str] = frozenset(
    {"starved", "blocked", "off_shift", "waiting_transport"}
)
"""Server states in which a station does not hold the line back by itself: waiting for a part,
for room downstream, for a vehicle to take its part, or outside working time. Every other
state (busy, tending, waiting for a tending or operating unit, down, setup) is active."""

Interval = tuple[float, float]


@dataclass(frozen=True)
class StationTrace:
    """The state history of one station's servers over an analysed window.

    ``initial`` holds each server's state name at the window start; ``changes`` the later
    changes in time order as (time s, server index, new state name).
    """

    initial: tuple[str, ...]
    changes: tuple[tuple[float, int, str], ...]


@dataclass(frozen=True)
class BottleneckShares:
    """Sole and shifting bottleneck shares of one station (fractions of the window)."""

    sole: float
    shifting: float

    @property
    def total(self) -> float:
        """sole + shifting: the share of time the station was (one of) the bottleneck(s)."""
        return self.sole + self.shifting


def active_periods(trace: StationTrace, start: float, end: float) -> list[Interval]:
    """The station's active periods within ``[start, end]`` (s), in time order.

    A station with several servers is active while *every* server is active: while one
    server waits for the flow, the station has spare capacity and holds nothing back.
    """
    states = list(trace.initial)

    def active() -> bool:
        return all(s not in INACTIVE_STATES for s in states)

    periods: list[Interval] = []
    opened: float | None = start if active() else None
    for t, server, name in trace.changes:
        if t > end:
            break
        states[server] = name
        now_active = active()
        if now_active and opened is None:
            opened = max(t, start)
        elif not now_active and opened is not None:
            if t > opened:
                periods.append((opened, t))
            opened = None
    if opened is not None and end > opened:
        periods.append((opened, end))
    return periods


def _length(a: Interval, b: Interval) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def shifting_bottleneck(
    periods: Mapping[str, Sequence[Interval]], start: float, end: float
) -> dict[str, BottleneckShares]:
    """Sole and shifting shares of each station from its active periods in ``[start, end]``.

    Ties between equally long periods go to the station listed first (deterministic).
    """
    names = list(periods)
    span = end - start
    sole = dict.fromkeys(names, 0.0)
    shifting = dict.fromkeys(names, 0.0)
    if span <= 0.0:
        return {n: BottleneckShares(0.0, 0.0) for n in names}
    clipped = {
        n: [(max(a, start), min(b, end)) for a, b in periods[n] if min(b, end) > max(a, start)]
        for n in names
    }
    starts = {n: [a for a, _ in clipped[n]] for n in names}
    cuts = sorted({start, end} | {t for n in names for p in clipped[n] for t in p})
    # Runs of elementary intervals with the same bottleneck period: (name, period, from, to).
    runs: list[tuple[str, Interval, float, float]] = []
    for t0, t1 in pairwise(cuts):
        best: tuple[str, Interval] | None = None
        for n in names:
            i = bisect.bisect_right(starts[n], t0) - 1
            if i < 0:
                continue
            p = clipped[n][i]
            if p[1] >= t1 and (best is None or p[1] - p[0] > best[1][1] - best[1][0]):
                best = (n, p)
        if best is None:
            continue
        if runs and runs[-1][0] == best[0] and runs[-1][1] == best[1] and runs[-1][3] == t0:
            runs[-1] = (best[0], best[1], runs[-1][2], t1)
        else:
            runs.append((best[0], best[1], t0, t1))
    overlaps: list[Interval] = []  # overlaps[k]: between the periods of runs k and k + 1
    for (n0, p0, _, _), (n1, p1, _, _) in pairwise(runs):
        o = (max(p0[0], p1[0]), min(p0[1], p1[1]))
        if n0 != n1 and o[1] > o[0]:
            shifting[n0] += o[1] - o[0]
            shifting[n1] += o[1] - o[0]
            overlaps.append(o)
        else:
            overlaps.append((0.0, 0.0))
    for k, (n, _, a, b) in enumerate(runs):
        run = (a, b)
        prev = overlaps[k - 1] if k > 0 else (0.0, 0.0)
        nxt = overlaps[k] if k < len(overlaps) else (0.0, 0.0)
        both = (max(prev[0], nxt[0]), min(prev[1], nxt[1]))
        covered = _length(run, prev) + _length(run, nxt) - _length(run, both)
        sole[n] += (b - a) - covered
    return {n: BottleneckShares(sole[n] / span, shifting[n] / span) for n in names}


def analyse(
    traces: Mapping[str, StationTrace], start: float, end: float
) -> dict[str, BottleneckShares]:
    """Shifting-bottleneck shares of each station from its state trace over ``[start, end]``."""
    return shifting_bottleneck(
        {n: active_periods(tr, start, end) for n, tr in traces.items()}, start, end
    )


def ranking(shares: Mapping[str, BottleneckShares]) -> list[str]:
    """Station names, most often the bottleneck first (sole + shifting, then sole; ties keep
    the given order)."""
    order = {n: i for i, n in enumerate(shares)}
    return sorted(shares, key=lambda n: (-shares[n].total, -shares[n].sole, order[n]))


def oee_losses(
    states: Mapping[str, float], completed: int, scrapped: int
) -> dict[str, float] | None:
    """Where a station's planned time goes, as fractions of planned time (1 − off_shift).

    ``availability_loss`` = (down + setup) / planned; ``performance_loss`` = the rest of the
    planned time not spent processing (starved, blocked, tending, waiting for a resource or a
    vehicle) / planned, with ``starved`` and ``blocked`` also given on their own;
    ``quality_loss`` = busy / planned × scrapped / completed. ``oee`` = 1 − the three losses
    = busy / planned × good / completed (as in the results). ``None`` with no planned time.
    """
    planned = 1.0 - states.get("off_shift", 0.0)
    if planned <= 0.0:
        return None
    busy = states.get("busy", 0.0) / planned
    availability = (states.get("down", 0.0) + states.get("setup", 0.0)) / planned
    performance = max(0.0, 1.0 - availability - busy)
    scrap_rate = 0.0 if completed == 0 else scrapped / completed
    quality = busy * scrap_rate
    return {
        "availability_loss": availability,
        "performance_loss": performance,
        "starved": states.get("starved", 0.0) / planned,
        "blocked": states.get("blocked", 0.0) / planned,
        "quality_loss": quality,
        "oee": busy * (1.0 - scrap_rate),
    }


@dataclass(frozen=True)
class BottleneckSummary:
    """Shifting-bottleneck shares across replications."""

    sole: dict[str, Stat]
    shifting: dict[str, Stat]
    ranking: list[str]
    """Stations by mean sole + shifting share, most often the bottleneck first."""
    truncated: int
    """Replications whose trace hit its cap (their window ends there)."""
    records_max: int
    """The most state changes any replication recorded."""


def summarise_bottleneck(replications: Sequence[Replication]) -> BottleneckSummary | None:
    """Mean and CI of each station's shares over the replications that carry them."""
    reps = [r.bottleneck for r in replications if r.bottleneck is not None]
    if not reps:
        return None
    names = list(reps[0].sole)
    sole = {n: summarise([b.sole[n] for b in reps]) for n in names}
    shifting = {n: summarise([b.shifting[n] for b in reps]) for n in names}
    means = {n: BottleneckShares(_mean(sole[n]), _mean(shifting[n])) for n in names}
    return BottleneckSummary(
        sole=sole,
        shifting=shifting,
        ranking=ranking(means),
        truncated=sum(b.truncated for b in reps),
        records_max=max(b.records for b in reps),
    )


def _mean(stat: Stat) -> float:
    return 0.0 if stat.mean is None else float(stat.mean)


def bottleneck_json(result: ExperimentResult) -> dict[str, object] | None:
    """The ``bottleneck`` object of the run JSON (docs/results.md), or ``None`` untraced."""
    summary = result.bottleneck
    if summary is None:
        return None
    stations: dict[str, object] = {}
    for name in summary.sole:
        entry: dict[str, object] = {
            "sole": summary.sole[name].to_json(),
            "shifting": summary.shifting[name].to_json(),
        }
        station = result.stations.get(name)
        if station is not None:
            states = {k: _mean(v) for k, v in station.states.items()}
            reps = [r.stations[name] for r in result.replications if name in r.stations]
            completed = sum(r.completed for r in reps)
            scrapped = sum(r.scrapped for r in reps)
            entry["losses"] = oee_losses(states, completed, scrapped)
        stations[name] = entry
    return {
        "stations": stations,
        "ranking": list(summary.ranking),
        "trace": {"truncated_replications": summary.truncated,
                  "records_max": summary.records_max},
    }


def ranking_line(summary: BottleneckSummary) -> str:
    """``bottleneck ranking (sole + shifting share of time): b 79 %, a 21 %, …``."""
    parts = [
        f"{name} {(_mean(summary.sole[name]) + _mean(summary.shifting[name])) * 100:.0f} %"
        for name in summary.ranking
    ]
    note = (
        f" (trace capped in {summary.truncated} replication(s): window cut short)"
        if summary.truncated
        else ""
    )
    return "bottleneck ranking (sole + shifting share of time): " + ", ".join(parts) + note


def bottleneck_moved(baseline: BottleneckSummary, variant: BottleneckSummary) -> str:
    """One line: where the main bottleneck is in the baseline and in the variant."""
    before, after = baseline.ranking[0], variant.ranking[0]

    def share(summary: BottleneckSummary, name: str) -> str:
        total = _mean(summary.sole[name]) + _mean(summary.shifting[name])
        return f"{total * 100:.0f} %"

    if before == after:
        return f"stays at {after} ({share(baseline, before)} → {share(variant, after)} of the time)"
    return (
        f"moved from {before} ({share(baseline, before)}) to {after} "
        f"({share(variant, after)} of the time)"
    )
