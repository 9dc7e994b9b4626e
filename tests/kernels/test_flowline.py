"""Serial flow lines: the departure-time recursion and its statistics.

Pins down: the kernel equals a slow dictionary-based recursion for any buffers (none, finite,
unlimited), with or without arrivals, and the parallel build equals the serial one; the
results obey the blocking rules directly (FIFO, at most b+1 parts at a station, a part leaves
only when there is room); known closed forms hold — a deterministic line runs at 3600/max(p)
per hour, a saturated exponential station at its rate, two exponential stations with no buffer
at 2/3 of their rate, an M/M/1 station with arrivals has W = 1/(mu - lambda) and
L = lambda/(mu - lambda); the statistics are exact on a hand-made example; bad inputs fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.flowline import flowline_covers, flowline_departures, flowline_stats
from tests.kernels import naive
from tests.kernels.budget import examples, scale


@st.composite
def lines(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r = draw(st.integers(1, 3))
    n = draw(st.integers(0, 25))
    k = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["exp", "int", "zero"]))
    if kind == "exp":
        p = rng.exponential(1.0, (r, n, k))
    elif kind == "int":
        p = rng.integers(0, 4, (r, n, k)).astype(float)  # ties everywhere
    else:
        p = np.zeros((r, n, k))
    buffers = np.array(draw(st.lists(st.integers(-1, 3), min_size=k, max_size=k)))
    arrivals = None
    if draw(st.booleans()):
        arrivals = np.cumsum(rng.exponential(0.8, (r, n)), axis=1)
    return p, buffers, arrivals


@examples(250, 40)
@given(line=lines())
def test_matches_reference_recursion(line) -> None:  # type: ignore[no-untyped-def]
    p, buffers, arrivals = line
    out = flowline_departures(p, buffers, arrivals)
    assert out.shape == (p.shape[0], p.shape[1], p.shape[2] + 1)
    for r in range(p.shape[0]):
        ref = naive.flowline(
            p[r].tolist(), buffers.tolist(), None if arrivals is None else arrivals[r].tolist()
        )
        assert out[r] == pytest.approx(np.array(ref).reshape(out[r].shape), abs=1e-12)
    assert np.array_equal(out, flowline_departures(p, buffers, arrivals, parallel=True))


@examples(100, 20)
@given(line=lines())
def test_blocking_rules_hold(line) -> None:  # type: ignore[no-untyped-def]
    p, buffers, arrivals = line
    out = flowline_departures(p, buffers, arrivals)
    n_parts, k_count = p.shape[1], p.shape[2]
    if n_parts == 0:
        return
    dep = out[:, :, 1:]
    # FIFO: departures non-decreasing in part order at every station
    assert np.all(np.diff(dep, axis=1) >= 0)
    # each station holds the part for at least its processing time after it arrives
    reach = np.concatenate([out[:, :, :1], dep[:, :, :-1]], axis=2)
    assert np.all(dep - reach >= p - 1e-12)
    # capacity: part n reaches station k+1 only after part n-b-1 left it
    for k in range(1, k_count):
        b = buffers[k]
        if b >= 0 and n_parts > b + 1:
            assert np.all(dep[:, b + 1 :, k - 1] >= dep[:, : -(b + 1), k] - 1e-12)
    if arrivals is not None:
        assert np.array_equal(out[:, :, 0], arrivals)


def test_balanced_deterministic_line() -> None:
    p = np.broadcast_to(np.array([30.0, 45.0, 20.0]), (2, 400, 3)).copy()
    for buffers in ([-1, 0, 0], [-1, 5, -1], [0, 0, 0]):
        out = flowline_departures(p, np.array(buffers))
        s = flowline_stats(out, warmup=600.0, horizon=3600.0 * 4)
        assert s.throughput_per_hour == pytest.approx(3600.0 / 45.0, abs=0.26)
        assert flowline_covers(out, 600.0, 3600.0 * 4).all()


def test_saturated_exponential_station() -> None:
    rng = np.random.default_rng(1)
    reps, parts = scale(8, 2), scale(50_000, 20_000)
    mean = 50.0
    out = flowline_departures(rng.exponential(mean, (reps, parts, 1)), np.array([-1]))
    horizon = 0.95 * parts * mean
    s = flowline_stats(out, 0.0, horizon)
    # with no queue in front the part in service is the only part in the line: WIP = 1
    assert s.wip == pytest.approx(np.ones(reps), abs=1e-9)
    assert s.throughput_per_hour.mean() == pytest.approx(3600.0 / mean, rel=0.02)
    assert s.cycle_time_s.mean() == pytest.approx(mean, rel=0.02)


def test_two_exponential_stations_without_buffer() -> None:
    # Two stations, rate mu each, no buffer between, blocking after service, saturated:
    # a 3-state Markov chain gives throughput 2 mu / 3.
    rng = np.random.default_rng(2)
    reps, parts = scale(8, 2), scale(60_000, 20_000)
    out = flowline_departures(rng.exponential(1.0, (reps, parts, 2)), np.array([-1, 0]))
    s = flowline_stats(out, 100.0, 0.9 * parts * 1.5)
    assert s.throughput_per_hour.mean() / 3600.0 == pytest.approx(2.0 / 3.0, rel=0.015)


def test_mm1_with_arrivals_little() -> None:
    rng = np.random.default_rng(3)
    reps, parts = scale(8, 2), scale(60_000, 20_000)
    lam, mu = 0.8, 1.0
    arrivals = np.cumsum(rng.exponential(1 / lam, (reps, parts)), axis=1)
    out = flowline_departures(rng.exponential(1 / mu, (reps, parts, 1)), np.array([-1]), arrivals)
    warm, horizon = 500.0, 0.9 * parts / lam - 500.0
    s = flowline_stats(out, warm, horizon)
    assert s.cycle_time_s.mean() == pytest.approx(1 / (mu - lam), rel=0.08)
    assert s.wip.mean() == pytest.approx(lam / (mu - lam), rel=0.08)
    # Little's law holds per replication up to edge effects
    little = s.throughput_per_hour / 3600.0 * s.cycle_time_s
    assert little == pytest.approx(s.wip, rel=0.02)


def test_stats_exact_on_a_hand_example() -> None:
    times = np.array(
        [
            [
                [0.0, 5.0],  # leaves before the window: counted in nothing
                [2.0, 12.0],  # overlaps 2 s, leaves inside
                [9.0, 20.0],  # inside completely
                [15.0, 40.0],  # enters inside, leaves after: overlap 15 s
                [31.0, 50.0],  # after the window
            ]
        ]
    )
    s = flowline_stats(times, warmup=10.0, horizon=20.0)  # window (10, 30]
    assert s.departed[0] == 2
    assert s.throughput_per_hour[0] == pytest.approx(2 / 20 * 3600)
    assert s.cycle_time_s[0] == pytest.approx((10.0 + 11.0) / 2)
    assert s.wip[0] == pytest.approx((2.0 + 10.0 + 15.0) / 20.0)
    assert flowline_covers(times, 10.0, 20.0)[0]
    assert not flowline_covers(times, 10.0, 30.0)[0]
    empty = flowline_stats(times, warmup=100.0, horizon=5.0)
    assert math.isnan(empty.cycle_time_s[0]) and empty.departed[0] == 0


def test_streaming_history_rule() -> None:
    """first >= max(finite buffers) + 1 (and >= 1) reproduces the one-call result; every
    buffer unlimited still needs one part of history (the server of the part before)."""
    rng = np.random.default_rng(5)
    p = rng.exponential(1.0, (1, 12, 3))
    for buffers, need in (([-1, 2, 0], 3), ([-1, -1, -1], 1), ([4, 0, 1], 5)):
        b = np.array(buffers)
        whole = flowline_departures(p, b)
        out = whole.copy()
        out[:, need:] = np.nan
        flowline_departures(p, b, out=out, first=need)
        np.testing.assert_array_equal(out, whole)
        if need > 1:
            with pytest.raises(ValueError, match=f">= {need} parts"):
                flowline_departures(p, b, out=whole.copy(), first=need - 1)


def test_saturated_entry_is_start_of_service() -> None:
    p = np.array([[[2.0, 5.0], [2.0, 5.0], [2.0, 5.0]]])
    out = flowline_departures(p, np.array([-1, 0]))
    # station 1 is the bottleneck with no buffer: station 0 blocks, then starts the next part
    assert out[0, :, 0] == pytest.approx([0.0, 2.0, 7.0])
    assert out[0, :, 1] == pytest.approx([2.0, 7.0, 12.0])
    assert out[0, :, 2] == pytest.approx([7.0, 12.0, 17.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: flowline_departures(np.ones((3, 2)), np.array([-1, -1])), "process must have"),
        (lambda: flowline_departures(-np.ones((1, 2, 1)), np.array([-1])), "must be >= 0 s"),
        (lambda: flowline_departures(np.ones((1, 2, 2)), np.array([-1])), "one entry per"),
        (lambda: flowline_departures(np.ones((1, 2, 1)), np.array([-2])), "-1 for unlimited"),
        (lambda: flowline_departures(np.ones((1, 2, 1)), np.array([0.5])), "whole numbers"),
        (
            lambda: flowline_departures(np.ones((1, 2, 1)), np.array([1]), np.array([[2.0, 1.0]])),
            "non-decreasing",
        ),
        (
            lambda: flowline_departures(np.ones((1, 2, 1)), np.array([1]), np.ones((2, 2))),
            "arrivals must have shape",
        ),
        (lambda: flowline_departures(np.ones((1, 2, 1)), np.array([True])), "whole numbers"),
        (
            lambda: flowline_departures(
                np.ones((1, 2, 1)), np.array([1]), out=np.zeros((1, 2, 2)), first=True
            ),
            "first must be a whole number of parts",
        ),
        (
            lambda: flowline_departures(
                np.ones((1, 2, 1)),
                np.array([1]),
                out=np.zeros((1, 2, 2)),
                first=1.0,  # type: ignore[arg-type]
            ),
            "first must be a whole number of parts",
        ),
        (
            # buffer 2 looks back 3 parts: 2 rows of history would drop a blocking constraint
            lambda: flowline_departures(
                np.ones((1, 5, 2)), np.array([-1, 2]), out=np.zeros((1, 5, 3)), first=2
            ),
            r"first must be 0 or >= 3 parts",
        ),
        (lambda: flowline_stats(np.ones((1, 2, 2)), -1.0, 5.0), "warmup must be >= 0 s"),
        (lambda: flowline_stats(np.ones((1, 2, 2)), 0.0, 0.0), "horizon must be > 0 s"),
    ],
)
def test_bad_inputs(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


@examples(60, 15)
@given(
    st.integers(1, 4),
    st.lists(st.integers(-1, 3), min_size=1, max_size=4),
    st.integers(1, 20),
    st.booleans(),
    st.integers(0, 2**31),
)
def test_departures_in_chunks_equal_one_call(
    reps: int, buffers: list[int], chunk: int, with_arrivals: bool, seed: int
) -> None:
    """Streaming with ``out``/``first``: each chunk sees the last parts of the previous one."""
    rng = np.random.default_rng(seed)
    n, k = 60, len(buffers)
    process = rng.exponential(1.0, (reps, n, k))
    arrivals = np.cumsum(rng.exponential(1.2, (reps, n)), axis=1) if with_arrivals else None
    b = np.array(buffers, dtype=np.int64)
    whole = flowline_departures(process, b, arrivals)
    history = max(int(b.max()), 0) + 1
    size = history + chunk
    out = np.empty((reps, size, k + 1))
    got = []
    start, first = 0, 0  # `start`: index of the first new part of this chunk
    while start < n:
        take = min(size - first, n - start)
        p = np.empty((reps, first + take, k))
        p[:, first:] = process[:, start : start + take]
        a = None
        if arrivals is not None:
            a = np.empty((reps, first + take))
            a[:, first:] = arrivals[:, start : start + take]
            if first:
                a[:, :first] = arrivals[:, start - first : start]
        o = np.empty((reps, first + take, k + 1))
        if first:
            o[:, :first] = out[:, :first]
            p[:, :first] = process[:, start - first : start]
        flowline_departures(p, b, a, out=o, first=first)
        got.append(o[:, first:])
        keep = min(history, first + take)
        out[:, :keep] = o[:, -keep:]
        start += take
        first = keep
    np.testing.assert_array_equal(np.concatenate(got, axis=1), whole)
