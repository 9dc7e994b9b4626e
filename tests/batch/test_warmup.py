"""Warm-up detection (MSER-5): the MSER statistic against its closed form, the truncation
point of series with a known transient, and the pilot replication's throughput and WIP series
against the same line's departure times from the flow-line recursion, with the warm-up the
fill-up arithmetic of that line gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

import scenarios
from kernels.flowline import flowline_departures
from simulator.warmup import detect_warmup, mser5, mser_curve, pilot_series


def _batches(means: list[float]) -> list[float]:
    """A series whose batches of 5 have the given means (varying inside each batch)."""
    out: list[float] = []
    for z in means:
        out += [z - 2.0, z + 1.0, z, z + 2.0, z - 1.0]
    return out


def test_mser_curve_matches_its_closed_form() -> None:
    # Batch means Z = [a, s, -s, s, -s, ..., s, -s] with m = 11 batches.
    a, s, m = 7.0, 1.5, 11
    z = [a] + [s if j % 2 == 0 else -s for j in range(m - 1)]
    curve = mser_curve(_batches(z))
    assert len(curve) == m // 2 + 1
    # d = 0: mean a/m; SS = a^2 (m-1)/m + (m-1) s^2
    assert curve[0] == pytest.approx((m - 1) * (a * a / m + s * s) / m**2, rel=1e-12)
    # d = 1: m-1 values ±s, mean 0
    assert curve[1] == pytest.approx(s * s / (m - 1), rel=1e-12)
    # d = 2: m-2 values -s, s, ..., -s (one more -s), mean -s/(m-2)
    k = m - 2
    assert curve[2] == pytest.approx((k * s * s - s * s / k) / k**2, rel=1e-12)
    assert mser5(_batches(z)) == 5  # a = 7 far off the rest: cut the first batch


def test_a_transient_followed_by_a_steady_pattern_is_cut_where_it_ends() -> None:
    # 40 observations decaying linearly from 12 to 2.25, then a pattern whose every batch of 5
    # has mean 2: MSER is 0 from batch 8 on and > 0 before, so the cut is 40.
    transient = [12.0 - 0.25 * i for i in range(40)]
    steady = [1.0, 3.0, 0.0, 2.0, 4.0] * 60
    assert mser5(transient + steady) == 40
    assert mser5(steady) == 0  # nothing to cut
    assert mser5(steady[:3] + transient + steady) == 45  # cut at the next batch boundary


def test_a_large_step_is_never_kept() -> None:
    # 100 observations 5 standard deviations high, then 400 in steady state: keeping any of
    # the high batches would add about 25 per batch to the sum of squares, so MSER-5 never
    # cuts fewer than 100 (it may cut a little more where the noise happens to be high).
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = np.concatenate([5.0 + rng.normal(size=100), rng.normal(size=400)])
        cut = mser5(list(y))
        assert 100 <= cut <= 250, seed


def test_mser_refuses_too_short_or_broken_series() -> None:
    with pytest.raises(ValueError, match="at least 2 batches"):
        mser5([1.0] * 9)
    with pytest.raises(ValueError, match="finite"):
        mser5([1.0] * 9 + [math.nan])


FILL = """\
linelab: 1
name: fill-up
horizon: 2 h
seed: 3
stations:
  - name: cut
    process: 30 s
  - name: weld
    process: 60 s
    buffer: 20
"""


def test_pilot_series_and_warmup_of_a_line_that_fills_up() -> None:
    """A saturated line: 'cut' (30 s) feeds 'weld' (60 s) through 20 places. It fills at one
    part per minute until cut, 20 places and weld hold 22 parts: entries at 30 n s, exits at
    90 + 60 k s, so entries − exits first reaches 22 at t = 1200 s (41 − 19). With 60 s
    intervals the WIP series is constant from interval 20 on, and the throughput (1 part per
    minute) from interval 1 on: MSER-5 cuts 20 and 5 intervals, the warm-up is 1200 s."""
    sc = scenarios.loads(FILL)
    step, throughput, wip = pilot_series(sc, intervals=120)
    assert step == 60.0
    entries = [30.0 * n for n in range(41)]  # before the line is full
    exits = [90.0 + 60.0 * k for k in range(19)]
    for i in range(20):  # time-average WIP over [60 i, 60 i + 60], integrated by hand
        lo, hi = 60.0 * i, 60.0 * i + 60.0
        area = sum(max(0.0, hi - max(lo, e)) for e in entries if e < hi)
        area -= sum(max(0.0, hi - max(lo, x)) for x in exits if x < hi)
        assert wip[i] == pytest.approx(area / 60.0, abs=1e-9), i
    assert wip[20:] == pytest.approx([22.0] * 100, abs=1e-9)
    assert throughput[0] == 0.0 and throughput[1:] == pytest.approx([60.0] * 119, abs=1e-9)
    est = detect_warmup(sc, intervals=120)
    assert (est.throughput_cut, est.wip_cut) == (5, 20)
    assert est.seconds == 1200.0 and est.wip_s == 1200.0 and est.throughput_s == 300.0
    assert est.settled and est.pilot_s == 7200.0


def test_pilot_wip_agrees_with_the_flowline_recursion_on_random_times() -> None:
    """Exponential times: the pilot's WIP per interval is the exact integral of the parts in
    the line computed from the recursion's entry and exit times, and the estimate is the same
    for the same seed."""
    text = FILL.replace("process: 30 s", "process: {dist: exponential, mean: 50 s}").replace(
        "process: 60 s", "process: {dist: exponential, mean: 60 s}"
    )
    sc = scenarios.loads(text)
    step, _, wip = pilot_series(sc, intervals=60)
    from cells.sampling import Sampler
    from cells.streams import stream
    from simulator.model import process_stream_key

    n = 600
    process = np.empty((1, n, 2))
    for j, st in enumerate(sc.stations):
        process[0, :, j] = Sampler(
            st.process, stream(sc.seed, 0, process_stream_key(st.name))
        ).take(n)
    times = flowline_departures(process, np.array([-1, 20]))
    assert times[0, -1, 0] > 7200.0  # enough parts to cover the pilot
    entry, leave = times[0, :, 0], times[0, :, 2]
    for i in range(60):
        lo, hi = step * i, step * (i + 1)
        overlap = np.clip(np.minimum(leave, hi) - np.maximum(entry, lo), 0.0, None).sum()
        assert wip[i] == pytest.approx(overlap / step, rel=1e-9, abs=1e-9), i
    assert detect_warmup(sc, intervals=60) == detect_warmup(sc, intervals=60)


def test_a_line_that_never_settles_is_flagged() -> None:
    """With an unlimited buffer, 'cut' (30 s) outruns 'weld' (60 s): one more part waits every
    minute, so the WIP rises linearly over the whole pilot. For a linear ramp MSER(d) falls
    with every batch cut (the spread of what is left shrinks faster than its count), so the
    minimum is at the search limit, half of the 120 intervals: a lower bound, not settled."""
    sc = scenarios.loads(FILL.replace("    buffer: 20\n", ""))
    est = detect_warmup(sc, intervals=120)
    assert est.wip[-1] - est.wip[-2] == pytest.approx(1.0, abs=1e-9)  # +1 part a minute
    assert est.wip_cut == 60 and est.throughput_cut == 5
    assert est.seconds == 3600.0 and not est.settled
