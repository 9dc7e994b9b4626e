"""Exact window statistics of a serial flow line (``kernels.flowline_window``).

Pins down: every statistic -- per-station busy, blocked and queue time, completions, the line's
WIP, the parts waiting in front of it, departures, arrivals and the WIP at the window's ends --
equals an independent event-by-event simulation that integrates the state between events
(``tests/kernels/naive.py``), for random lines with buffers -1..3, with and without arrivals,
with ties, and whether the parts are added in one call or streamed in chunks; the streaming and
coverage rules (``first``, ``flowline_covers``) are checked, and bad inputs fail clearly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.flowline import flowline_covers, flowline_departures, flowline_stats
from kernels.flowline_window import FlowlineWindow, WindowAccumulator, flowline_window
from tests.kernels import naive
from tests.kernels.budget import examples


@st.composite
def lines(draw: st.DrawFn, ties: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Random lines; ``ties=True``: integer times only (simultaneous events everywhere)."""
    r = draw(st.integers(1, 2))
    n = draw(st.integers(1, 30))
    k = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if not ties and draw(st.booleans()):
        p = rng.exponential(1.0, (r, n, k))
    else:
        p = rng.integers(0, 3, (r, n, k)).astype(float)  # ties and zero times
    buffers = np.array(draw(st.lists(st.integers(-1, 3), min_size=k, max_size=k)))
    arrivals = None
    if draw(st.booleans()):
        gaps = rng.exponential(0.9, (r, n))
        if ties or draw(st.booleans()):
            gaps = np.round(gaps)  # simultaneous arrivals
        arrivals = np.cumsum(gaps, axis=1)
    return p, buffers, arrivals


def _assert_matches_des(
    got: FlowlineWindow,
    p: np.ndarray,
    buffers: np.ndarray,
    arrivals: np.ndarray | None,
    w0: float,
    w1: float,
) -> None:
    h = w1 - w0
    for r in range(p.shape[0]):
        ref = naive.flowline_window_des(
            p[r].tolist(),
            buffers.tolist(),
            None if arrivals is None else arrivals[r].tolist(),
            w0,
            w1,
        )
        assert got.departed[r] == ref.departed
        assert got.arrived[r] == ref.arrived
        assert got.wip_start[r] == ref.wip_start
        assert got.wip_end[r] == ref.wip_end
        assert list(got.completed[r]) == ref.completed
        if ref.departed:
            assert got.cycle_time_s[r] == pytest.approx(ref.cycle_sum / ref.departed, abs=1e-9)
        else:
            assert np.isnan(got.cycle_time_s[r])
        assert got.wip[r] * h == pytest.approx(ref.wip, abs=1e-9)
        assert got.waiting_in_front[r] * h == pytest.approx(ref.front, abs=1e-9)
        assert got.busy[r] * h == pytest.approx(ref.busy, abs=1e-9)
        assert got.blocked[r] * h == pytest.approx(ref.blocked, abs=1e-9)
        assert got.queue[r] * h == pytest.approx(ref.queue, abs=1e-9)


@examples(150, 25)
@given(line=lines(), w0=st.floats(0.0, 10.0), h=st.floats(0.5, 30.0))
def test_window_matches_event_simulation(line, w0: float, h: float) -> None:  # type: ignore[no-untyped-def]
    p, buffers, arrivals = line
    times = flowline_departures(p, buffers, arrivals)
    got = flowline_window(p, times, buffers, w0, h, arrivals)
    _assert_matches_des(got, p, buffers, arrivals, w0, w0 + h)
    # the line totals agree with flowline_stats
    s = flowline_stats(times, w0, h)
    assert np.array_equal(got.departed, s.departed.astype(np.int64))
    assert got.wip == pytest.approx(s.wip, abs=1e-12)


@examples(80, 15)
@given(line=lines(), chunk=st.integers(1, 12), w0=st.floats(0.0, 5.0), h=st.floats(0.5, 20.0))
def test_streamed_window_matches_event_simulation(line, chunk: int, w0: float, h: float) -> None:  # type: ignore[no-untyped-def]
    """Chunks as ``linelab run --fast`` makes them: each starts with the previous chunk's last
    max(finite buffers) + 1 parts as history (``first``)."""
    p, buffers, arrivals = line
    r, n, k = p.shape
    history = max(int(buffers.max()), 0) + 1
    acc = WindowAccumulator(r, k, w0, h)
    start, first = 0, 0
    prev_p = prev_t = prev_a = None
    while start < n:
        # the first chunk holds at least `history` parts (unless it is the whole line)
        take = min(chunk if first else max(chunk, history), n - start)
        cp = np.empty((r, first + take, k))
        ct = np.empty((r, first + take, k + 1))
        ca = None if arrivals is None else np.empty((r, first + take))
        cp[:, first:] = p[:, start : start + take]
        if ca is not None and arrivals is not None:
            ca[:, first:] = arrivals[:, start : start + take]
        if first:
            assert prev_p is not None and prev_t is not None
            cp[:, :first] = prev_p
            ct[:, :first] = prev_t
            if ca is not None:
                ca[:, :first] = prev_a
        flowline_departures(cp, buffers, ca, out=ct, first=first)
        acc.add(cp, ct, buffers, ca, first)
        start += take
        first = history
        prev_p, prev_t = cp[:, -history:], ct[:, -history:]
        prev_a = None if ca is None else ca[:, -history:]
    _assert_matches_des(acc.result(), p, buffers, arrivals, w0, w0 + h)


def test_covers_is_strict_at_the_window_end() -> None:
    """A later part entering exactly at warmup + horizon still counts as arrived and in the
    WIP at the end, so parts whose last entry is at that instant do not cover the window
    (reviewer's f3 case)."""
    p = np.ones((1, 4, 1))
    b = np.array([-1])
    arr = np.array([[0.0, 1.0, 2.0, 2.0]])
    full = flowline_departures(p, b, arr)
    part = flowline_departures(p[:, :3], b, arr[:, :3])
    assert not flowline_covers(part, 0.0, 2.0)[0]
    assert flowline_covers(full[:, :3], 0.0, 1.5)[0]
    w_part = flowline_window(p[:, :3], part, b, 0.0, 2.0, arr[:, :3])
    w_full = flowline_window(p, full, b, 0.0, 2.0, arr)
    assert w_part.arrived[0] == 2 and w_full.arrived[0] == 3  # why the prefix must not cover


@examples(120, 20)
@given(line=lines(ties=True), cut=st.integers(1, 30), w0=st.integers(0, 5), h=st.integers(1, 15))
def test_covered_prefix_gives_the_whole_lines_statistics(line, cut: int, w0: int, h: int) -> None:  # type: ignore[no-untyped-def]
    """Whenever ``flowline_covers`` says a prefix of the parts covers the window, every window
    statistic of the prefix equals that of all parts (integer times and window ends make
    entries exactly at the window's end likely)."""
    p, buffers, arrivals = line
    cut = min(cut, p.shape[1])
    times = flowline_departures(p, buffers, arrivals)
    pre_a = None if arrivals is None else arrivals[:, :cut]
    pre = flowline_departures(p[:, :cut], buffers, pre_a)
    covered = flowline_covers(pre, w0, float(h))
    whole = flowline_window(p, times, buffers, w0, float(h), arrivals)
    part = flowline_window(p[:, :cut], pre, buffers, w0, float(h), pre_a)
    s_whole = flowline_stats(times, w0, float(h))
    s_part = flowline_stats(pre, w0, float(h))
    for r in np.flatnonzero(covered):
        for name in FlowlineWindow.__dataclass_fields__:
            a, b = getattr(whole, name)[r], getattr(part, name)[r]
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=name)
        assert s_whole.departed[r] == s_part.departed[r]
        assert s_whole.wip[r] == pytest.approx(s_part.wip[r], abs=1e-12)


def _chunk() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.ones((1, 6, 2))
    b = np.array([-1, 2])
    return p, flowline_departures(p, b), b


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t, b, first=2),
            "first must be 0 or >= 3",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t, b, first=True),
            "first must be a whole",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t, b, first=3.0),  # type: ignore[arg-type]
            "first must be a whole",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p * np.nan, t, b),
            "process times must be finite",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(-p, t, b),
            "process times must be finite and >= 0 s",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t * np.nan, b),
            "times must be finite",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t, np.array([-2, 0])),
            "-1 for unlimited",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t, np.array([True, False])),
            "whole numbers",
        ),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 5.0).add(p, t, b, np.full((1, 6), np.nan)),
            "arrivals must be finite",
        ),
        (lambda p, t, b: WindowAccumulator(1, 2, float("nan"), 5.0), "warmup must be finite"),
        (
            lambda p, t, b: WindowAccumulator(1, 2, 0.0, 0.0),
            "horizon must be a single number > 0 s",
        ),
        (lambda p, t, b: WindowAccumulator(1, 0, 0.0, 1.0), "stations must be >= 1"),
    ],
)
def test_bad_inputs(call, message: str) -> None:  # type: ignore[no-untyped-def]
    p, t, b = _chunk()
    with pytest.raises(ValueError, match=message):
        call(p, t, b)
