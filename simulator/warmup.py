"""Warm-up detection: how long a line takes to forget that it started empty (MSER-5).

A line starts empty and idle, so its first hours are not typical of its steady state; the
measured window should begin after that transient (the scenario's ``warmup``). This module
estimates it from one pilot replication with the MSER-5 rule (White 1997; Franklin & White
2008): the output series is cut into batches of 5 observations, and the truncation point is
the number of leading batches whose removal minimises the squared standard error of the mean
of the rest,

    MSER(d) = Σ_{j=d}^{m-1} (Z_j − Z̄_d)² / (m − d)²,   d = 0 … ⌊m/2⌋,

where Z_0 … Z_{m-1} are the batch means and Z̄_d the mean of Z_d … Z_{m-1}. Only the first
half of the batches is searched (the statistic is unstable on a short remainder); a minimum
at that limit means the pilot did not show a steady state (:attr:`WarmupEstimate.settled`).

:func:`detect_warmup` runs the pilot with no warm-up over ``warmup + horizon`` (or a given
length), samples the throughput (departures per interval, parts/h) and the time-average WIP
(parts) of each of ``intervals`` equal intervals, applies MSER-5 to both, and takes the later
of the two cut points. Formulas and use (``--warmup auto``) in docs/optimize.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.session import RunSession

if TYPE_CHECKING:
    from scenarios import Scenario

__all__ = ["BATCH", "WarmupEstimate", "detect_warmup", "mser5", "mser_curve", "pilot_series"]

BATCH = 5
"""Observations per batch of MSER-5."""
DEFAULT_INTERVALS = 500
"""Intervals of the pilot run: 100 batches of 5, of which the first 50 may be cut."""


def _batch_means(series: Sequence[float], batch: int) -> list[float]:
    if batch < 1:
        raise ValueError(f"batch must be >= 1 observation, got {batch}")
    values = [float(v) for v in series]
    if any(not math.isfinite(v) for v in values):
        raise ValueError("the series must hold finite numbers")
    m = len(values) // batch
    if m < 2:
        raise ValueError(
            f"MSER needs at least 2 batches of {batch} observations, got {len(values)} observations"
        )
    return [math.fsum(values[j * batch : (j + 1) * batch]) / batch for j in range(m)]


def mser_curve(series: Sequence[float], batch: int = BATCH) -> list[float]:
    """``MSER(d)`` for ``d = 0 … ⌊m/2⌋`` batches cut (m = ``len(series) // batch``; trailing
    observations that do not fill a batch are left out), in the series' units squared.

    Raises:
        ValueError: fewer than two batches, or a value that is not a finite number.
    """
    z = _batch_means(series, batch)
    m = len(z)
    curve = []
    for d in range(m // 2 + 1):
        rest = z[d:]
        mean = math.fsum(rest) / len(rest)
        curve.append(math.fsum((v - mean) ** 2 for v in rest) / len(rest) ** 2)
    return curve


def mser5(series: Sequence[float], batch: int = BATCH) -> int:
    """The MSER-5 truncation point: how many leading observations to delete (a multiple of
    ``batch``). The first minimum of :func:`mser_curve` wins; values within 1e-12 of the
    squared largest batch mean count as equal (a constant tail rounds to about 1e-33, not 0).

    Raises:
        ValueError: as :func:`mser_curve`.
    """
    curve = mser_curve(series, batch)
    scale = max(abs(v) for v in _batch_means(series, batch)) ** 2
    best = min(curve)
    tolerance = 1e-12 * scale
    d = next(i for i, v in enumerate(curve) if v <= best + tolerance)
    return d * batch


@dataclass(frozen=True)
class WarmupEstimate:
    """The warm-up MSER-5 finds in a pilot replication."""

    seconds: float
    """Estimated warm-up (s): the later of the two cut points."""
    throughput_cut: int
    """Intervals cut from the throughput series (a multiple of 5)."""
    wip_cut: int
    """Intervals cut from the WIP series (a multiple of 5)."""
    interval_s: float
    """Length of one interval of the series (s)."""
    pilot_s: float
    """Length of the pilot run (s), which starts empty with no warm-up."""
    settled: bool
    """False when a cut is at the search limit (half the series): the pilot shows no steady
    state, so the estimate is a lower bound; run a longer pilot."""
    throughput: tuple[float, ...] = ()
    """Departures per interval, as parts/h."""
    wip: tuple[float, ...] = ()
    """Time-average parts in the line per interval."""

    @property
    def throughput_s(self) -> float:
        """Cut point of the throughput series (s)."""
        return self.throughput_cut * self.interval_s

    @property
    def wip_s(self) -> float:
        """Cut point of the WIP series (s)."""
        return self.wip_cut * self.interval_s


def pilot_series(
    scenario: Scenario,
    seed: int | None = None,
    *,
    replication: int = 0,
    pilot_s: float | None = None,
    intervals: int = DEFAULT_INTERVALS,
) -> tuple[float, list[float], list[float]]:
    """Run one replication from empty with no warm-up for ``pilot_s`` seconds (default the
    scenario's warm-up + horizon) and return ``(interval_s, throughput, wip)``: per interval,
    the departures as parts/h and the time-average number of parts in the line.

    Raises:
        ValueError: ``intervals`` < 10 or a pilot length that is not > 0 s.
        simulator.capacity.LineOverloaded: the line overloads (as in ``linelab run``).
    """
    if intervals < 2 * BATCH:
        raise ValueError(f"intervals must be >= {2 * BATCH}, got {intervals}")
    length = float(scenario.warmup + scenario.horizon) if pilot_s is None else float(pilot_s)
    if not (math.isfinite(length) and length > 0.0):
        raise ValueError(f"the pilot length must be > 0 s, got {pilot_s}")
    pilot = type(scenario).model_validate(
        {**scenario.model_dump(), "warmup": 0.0, "horizon": length}
    )
    session = RunSession(pilot, replication, seed)
    model = session.model
    step = length / intervals
    throughput: list[float] = []
    wip: list[float] = []
    model.run_until(0.0)  # the statistics start at 0: departures and WIP area from here
    departed, area, t = 0, 0.0, 0.0
    for i in range(1, intervals + 1):
        end = length if i == intervals else i * step
        model.run_until(end)
        now = float(model.env.now)
        count = model.traffic.departed
        total_area = model.traffic.wip.mean(now) * now
        span = now - t
        throughput.append((count - departed) * 3600.0 / span)
        wip.append((total_area - area) / span)
        departed, area, t = count, total_area, now
    return step, throughput, wip


def detect_warmup(
    scenario: Scenario,
    seed: int | None = None,
    *,
    replication: int = 0,
    pilot_s: float | None = None,
    intervals: int = DEFAULT_INTERVALS,
) -> WarmupEstimate:
    """Estimate the warm-up of ``scenario`` from one pilot replication with MSER-5 on its
    throughput and WIP series (see :func:`pilot_series` for the pilot; ``seed`` defaults to
    the scenario's). Same scenario and seed, same estimate.

    Raises:
        ValueError, simulator.capacity.LineOverloaded: as :func:`pilot_series`.
    """
    seed = scenario.seed if seed is None else seed
    step, throughput, wip = pilot_series(
        scenario, seed, replication=replication, pilot_s=pilot_s, intervals=intervals
    )
    throughput_cut = mser5(throughput)
    wip_cut = mser5(wip)
    limit = (intervals // BATCH // 2) * BATCH
    cut = max(throughput_cut, wip_cut)
    return WarmupEstimate(
        seconds=cut * step,
        throughput_cut=throughput_cut,
        wip_cut=wip_cut,
        interval_s=step,
        pilot_s=step * intervals,
        settled=cut < limit,
        throughput=tuple(throughput),
        wip=tuple(wip),
    )
