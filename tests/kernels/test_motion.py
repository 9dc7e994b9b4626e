"""Motion profiles: rest-to-rest times and sampled profiles.

Pins down: the trapezoidal and S-curve times equal the textbook closed forms in every case
(cruise speed reached or not, acceleration reached or not), agree with a slow bisection
reference and a step-by-step simulation, grow with distance, never beat the trapezoid, tend to
it as the jerk limit grows and cost exactly a/j or 2 sqrt(v/j) - v/a when cruising; sampled
profiles start and end at rest at the right place (also just before the end, unclamped) and
obey the limits; synchronised axes all finish together, tiny axes included; inputs broadcast
and bad inputs fail with the argument and unit named.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kernels.motion import (
    sample_scurve,
    sample_synchronized,
    sample_trapezoidal,
    scurve_time,
    synchronize,
    synchronized_time,
    trapezoidal_time,
)
from tests.kernels import naive
from tests.kernels.budget import examples

pos = st.floats(min_value=1e-3, max_value=1e3)
dist = st.floats(min_value=0.0, max_value=1e3, allow_subnormal=False)


# --------------------------------------------------------------------------- closed forms


def test_trapezoid_closed_forms() -> None:
    # cruise reached: T = d/v + v/a
    assert trapezoidal_time(10.0, 2.0, 4.0) == pytest.approx(10 / 2 + 2 / 4, rel=1e-15)
    # triangle: T = 2 sqrt(d/a)
    assert trapezoidal_time(0.5, 2.0, 4.0) == pytest.approx(2 * math.sqrt(0.5 / 4), rel=1e-15)
    # boundary d = v^2/a: both formulas agree
    assert trapezoidal_time(1.0, 2.0, 4.0) == pytest.approx(1.0, rel=1e-15)
    assert trapezoidal_time(0.0, 1.0, 1.0) == 0.0
    assert trapezoidal_time(-10.0, 2.0, 4.0) == trapezoidal_time(10.0, 2.0, 4.0)


@pytest.mark.parametrize(
    ("d", "v", "a", "j", "expected"),
    [
        # 1. v and a reached: T = d/v + v/a + a/j
        (10.0, 1.0, 1.0, 10.0, 10.0 + 1.0 + 0.1),
        # 2. v reached, a not (v*j < a^2): T = d/v + 2 sqrt(v/j)
        (5.0, 1.0, 10.0, 1.0, 5.0 + 2.0),
        # 3. a reached, v not: T = a/j + sqrt(a^2/j^2 + 4 d / a)
        (1.0, 10.0, 1.0, 10.0, 0.1 + math.sqrt(0.01 + 4.0)),
        # 4. neither reached: T = 4 (d / (2 j))^(1/3)
        (1e-3, 10.0, 10.0, 10.0, 4.0 * (1e-3 / 20.0) ** (1.0 / 3.0)),
        # 4 reached from case-2 limits (short move, v*j < a^2)
        (0.1, 1.0, 10.0, 1.0, 4.0 * (0.1 / 2.0) ** (1.0 / 3.0)),
    ],
)
def test_scurve_closed_forms(d: float, v: float, a: float, j: float, expected: float) -> None:
    assert scurve_time(d, v, a, j) == pytest.approx(expected, rel=1e-12)
    assert naive.move_time_bisect(d, v, a, j) == pytest.approx(expected, rel=1e-9)


def test_scurve_infinite_jerk_is_trapezoid() -> None:
    for d in (0.01, 0.5, 1.0, 20.0):
        assert scurve_time(d, 2.0, 4.0, math.inf) == pytest.approx(
            trapezoidal_time(d, 2.0, 4.0), rel=1e-14
        )


# --------------------------------------------------------------------------- references


@examples(300, 40)
@given(d=dist, v=pos, a=pos)
def test_trapezoid_matches_bisection(d: float, v: float, a: float) -> None:
    assert trapezoidal_time(d, v, a) == pytest.approx(
        naive.move_time_bisect(d, v, a), rel=1e-9, abs=1e-12
    )


@examples(12, 4)
@given(
    d=st.floats(min_value=0.01, max_value=0.5),
    v=st.floats(min_value=0.2, max_value=2.0),
    a=st.floats(min_value=1.0, max_value=10.0),
)
def test_trapezoid_matches_simulation(d: float, v: float, a: float) -> None:
    dt = 1e-5
    assert trapezoidal_time(d, v, a) == pytest.approx(
        naive.trapezoid_time_sim(d, v, a, dt), abs=20 * dt
    )


@examples(300, 40)
@given(d=dist, v=pos, a=pos, j=pos)
def test_scurve_matches_bisection(d: float, v: float, a: float, j: float) -> None:
    assert scurve_time(d, v, a, j) == pytest.approx(
        naive.move_time_bisect(d, v, a, j), rel=1e-8, abs=1e-12
    )


# --------------------------------------------------------------------------- properties


@examples(200, 30)
@given(d1=dist, d2=dist, v=pos, a=pos, j=pos)
def test_time_monotone_in_distance(d1: float, d2: float, v: float, a: float, j: float) -> None:
    lo, hi = sorted((d1, d2))
    assert trapezoidal_time(lo, v, a) <= trapezoidal_time(hi, v, a) * (1 + 1e-12)
    assert scurve_time(lo, v, a, j) <= scurve_time(hi, v, a, j) * (1 + 1e-12)


@examples(200, 30)
@given(d=dist, v=pos, a=pos, j=pos)
def test_scurve_never_faster_than_trapezoid(d: float, v: float, a: float, j: float) -> None:
    assert scurve_time(d, v, a, j) >= trapezoidal_time(d, v, a) * (1 - 1e-12)


@examples(100, 20)
@given(d=st.floats(min_value=1e-2, max_value=1e2), v=pos, a=pos)
def test_scurve_tends_to_trapezoid(d: float, v: float, a: float) -> None:
    # the jerk limit costs at most 2 a/j (at most a/j when the cruise speed is reached; see
    # test_jerk_cost_when_cruising for the exact amounts)
    trap = trapezoidal_time(d, v, a)
    ks = (1e2, 1e4, 1e6)
    gaps = [scurve_time(d, v, a, a * k) - trap for k in ks]
    assert gaps[0] >= gaps[1] - 1e-12 >= gaps[2] - 2e-12
    for k, gap in zip(ks, gaps, strict=True):
        assert gap <= 2.0 / k * (1 + 1e-9) + 1e-12 * trap


@examples(100, 20)
@given(v=pos, a=pos, j=pos, extra=st.floats(min_value=0.0, max_value=10.0))
def test_jerk_cost_when_cruising(v: float, a: float, j: float, extra: float) -> None:
    """Cruise speed reached: the jerk limit costs exactly a/j if a_max is reached too
    (v >= a^2/j), otherwise 2 sqrt(v/j) - v/a, which is <= a/j."""
    reaches_a = v >= a * a / j
    # shortest move that still cruises (twice the S-curve's acceleration distance), and more
    d_min = v * (v / a + a / j) if reaches_a else 2.0 * v * math.sqrt(v / j)
    d = d_min * (1.0 + extra)
    gap = scurve_time(d, v, a, j) - trapezoidal_time(d, v, a)
    expected = a / j if reaches_a else 2.0 * math.sqrt(v / j) - v / a
    scale = trapezoidal_time(d, v, a)
    assert gap == pytest.approx(expected, rel=1e-9, abs=1e-12 * scale)
    assert gap <= a / j * (1 + 1e-9) + 1e-12 * scale


def _assert_end_state(p: float, vel: float, d: float, v: float, a: float, delta: float) -> None:
    """Just before the move's end (delta s before it, unclamped by the t >= T branch) the axis
    is within v*delta of the target and nearly at rest."""
    assert abs(p - d) <= v * delta * (1 + 1e-6) + 1e-9 * abs(d)
    assert abs(vel) <= a * delta * (1 + 1e-6) + 1e-9 * v


@examples(60, 10)
@given(
    d=st.floats(min_value=-5.0, max_value=5.0).filter(lambda x: abs(x) > 1e-3),
    v=st.floats(min_value=0.1, max_value=5.0),
    a=st.floats(min_value=0.1, max_value=50.0),
    j=st.floats(min_value=1.0, max_value=1e3),
)
def test_sampled_scurve_profile(d: float, v: float, a: float, j: float) -> None:
    total = float(scurve_time(d, v, a, j))
    t = np.linspace(-0.1, total + 0.1, 4001)
    p, vel = sample_scurve(d, v, a, j, t)
    assert p[0] == 0.0 and vel[0] == 0.0
    assert p[-1] == pytest.approx(d, rel=1e-12) and vel[-1] == 0.0
    delta = 1e-7 * total
    pe, ve = sample_scurve(d, v, a, j, [total - delta])
    _assert_end_state(pe[0], ve[0], d, v, a, delta)
    assert np.all(np.abs(vel) <= v * (1 + 1e-9))
    # position is monotone toward the target
    assert np.all(np.diff(p) * math.copysign(1.0, d) >= -1e-12)
    # the velocity is the derivative of the position, and its derivative stays within a_max
    dt = t[1] - t[0]
    mid_v = 0.5 * (vel[1:] + vel[:-1])
    assert np.allclose(np.diff(p), mid_v * dt, atol=abs(d) * 1e-4 + j * dt**3)
    acc = np.diff(vel) / dt
    assert np.all(np.abs(acc) <= a * (1 + 1e-6) + 1e-9)


def test_sampled_trapezoid_profile() -> None:
    t = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.25, 3.0])
    p, vel = sample_trapezoidal(2.0, 1.0, 2.0, t)  # accelerate 0.5 s, cruise 1.5 s, brake
    assert p == pytest.approx([0.0, 0.0625, 0.25, 0.75, 1.25, 1.75, 1.9375, 2.0])
    assert vel == pytest.approx([0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0])
    assert trapezoidal_time(2.0, 1.0, 2.0) == pytest.approx(2.5)


@examples(60, 10)
@given(
    d=st.floats(min_value=-5.0, max_value=5.0).filter(lambda x: abs(x) > 1e-3),
    v=st.floats(min_value=0.1, max_value=5.0),
    a=st.floats(min_value=0.1, max_value=50.0),
)
def test_sampled_trapezoid_end_state(d: float, v: float, a: float) -> None:
    total = float(trapezoidal_time(d, v, a))
    delta = 1e-7 * total
    p, vel = sample_trapezoidal(d, v, a, [total - delta, total])
    _assert_end_state(p[0], vel[0], d, v, a, delta)
    # at T itself (the profile's own sum of phase durations may differ by an ulp)
    _assert_end_state(p[1], vel[1], d, v, a, 1e-14 * total)


@pytest.mark.parametrize("tiny", [1e-9, 1e-12, 1e-15, 1e-18, 1e-30, 1e-300])
@pytest.mark.parametrize("j", [10.0, 1e4, None])
def test_synchronize_tiny_axis(tiny: float, j: float | None) -> None:
    """A tiny axis next to a large one gets the speed that makes it take exactly the move
    time (the S-curve bisection stops relative to the answer, not to v_max)."""
    total, vs = synchronize([1.0, tiny], 1.0, 1.0, j)
    assert 0.0 < vs[1] < 1.0
    t_small = trapezoidal_time(tiny, vs[1], 1.0) if j is None else scurve_time(tiny, vs[1], 1.0, j)
    assert t_small == pytest.approx(total, rel=1e-12)
    # and its sampled profile ends exactly then: just before T it is still (barely) moving
    delta = 1e-6 * total
    p, vel = sample_synchronized([1.0, tiny], 1.0, 1.0, [total - delta], j)
    jj = math.inf if j is None else j
    _assert_end_state(p[0, 1], vel[0, 1], tiny, float(vs[1]), min(1.0, jj * delta), delta)
    assert p[0, 1] < tiny


@examples(100, 20)
@given(
    big=st.floats(min_value=0.1, max_value=10.0),
    exponent=st.floats(min_value=-300.0, max_value=-3.0),
    v=st.floats(min_value=0.1, max_value=5.0),
    a=st.floats(min_value=0.1, max_value=50.0),
    j=st.floats(min_value=1.0, max_value=1e4),
)
def test_synchronize_small_axes_finish_with_the_move(
    big: float, exponent: float, v: float, a: float, j: float
) -> None:
    small = 10.0**exponent
    total, vs = synchronize([big, small], v, a, j)
    assert scurve_time(small, vs[1], a, j) == pytest.approx(total, rel=1e-12)


@examples(100, 15)
@given(
    disp=st.lists(
        st.floats(min_value=-3.0, max_value=3.0, allow_subnormal=False), min_size=1, max_size=6
    ),
    v=st.floats(min_value=0.1, max_value=5.0),
    a=st.floats(min_value=0.1, max_value=20.0),
    j=st.one_of(st.none(), st.floats(min_value=1.0, max_value=500.0)),
)
def test_synchronized_axes_finish_together(
    disp: list[float], v: float, a: float, j: float | None
) -> None:
    d = np.array(disp)
    assume(np.abs(d).max() > 1e-6)
    total, vs = synchronize(d, v, a, j)
    assert total == pytest.approx(synchronized_time(d, v, a, j), rel=1e-12)
    assert np.all(vs <= v * (1 + 1e-12)) and np.all(vs > 0)
    for di, vi in zip(d, vs, strict=True):
        if abs(di) < 1e-9:
            continue
        ti = trapezoidal_time(di, vi, a) if j is None else scurve_time(di, vi, a, j)
        assert ti == pytest.approx(total, rel=1e-6)
    p, vel = sample_synchronized(d, v, a, [0.0, total, total + 1.0], j)
    assert p[0] == pytest.approx(np.zeros_like(d))
    assert p[1] == pytest.approx(d, rel=1e-6, abs=1e-9) and p[2] == pytest.approx(d)
    assert np.all(vel[2] == 0.0)


# --------------------------------------------------------------------------- API


def test_broadcasting_and_scalars() -> None:
    assert isinstance(trapezoidal_time(1.0, 1.0, 1.0), float)
    out = trapezoidal_time(np.array([[0.1], [1.0]]), np.array([1.0, 2.0, 3.0]), 2.0)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)
    for i, d in enumerate((0.1, 1.0)):
        for k, v in enumerate((1.0, 2.0, 3.0)):
            assert out[i, k] == trapezoidal_time(d, v, 2.0)
    s = scurve_time([0.1, 1.0], 1.0, 2.0, [10.0, 20.0])
    assert isinstance(s, np.ndarray) and s.shape == (2,)
    batch = synchronized_time(np.array([[1.0, 0.5], [0.1, 2.0]]), [1.0, 2.0], 1.0)
    assert isinstance(batch, np.ndarray) and batch.shape == (2,)
    assert batch[1] == pytest.approx(trapezoidal_time(2.0, 2.0, 1.0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: trapezoidal_time(1.0, -1.0, 1.0), "v_max must be > 0 m/s"),
        (lambda: trapezoidal_time(1.0, 1.0, 0.0), "a_max must be > 0 m/s^2"),
        (lambda: scurve_time(1.0, 1.0, 1.0, -2.0), "j_max must be > 0 m/s^3"),
        (lambda: scurve_time(math.nan, 1.0, 1.0, 1.0), "distance must be finite"),
        (lambda: trapezoidal_time("far", 1.0, 1.0), "distance must be a number"),
        (lambda: trapezoidal_time([1.0, 2.0], [1.0, 2.0, 3.0], 1.0), "do not broadcast"),
        (lambda: synchronize([[1.0]], 1.0, 1.0), "displacements must be 1-D"),
        (lambda: synchronize([1.0, 2.0], [1.0, 2.0, 3.0], 1.0), "one entry per axis"),
        (lambda: sample_scurve(1.0, 1.0, 1.0, 1.0, [math.inf]), "t must be finite"),
        (lambda: scurve_time(1.0, 1.0, 1.0, None), "j_max must be a number in m/s^3"),
        (lambda: sample_scurve(1.0, 1.0, 1.0, None, [0.0]), "j_max must be a number in m/s^3"),  # type: ignore[arg-type]
        (lambda: trapezoidal_time(None, 1.0, 1.0), "distance must be a number in m"),
    ],
)
def test_bad_inputs_name_argument_and_unit(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message.replace("^", r"\^")):
        call()
