"""Point-to-point motion times and profiles: trapezoidal and jerk-limited (S-curve).

Why: a robot's, a gantry's or an AGV's time for a move follows from the move's length and the
axis limits, not from a typed-in number. These functions give the *minimum* rest-to-rest time
of one axis under symmetric limits, the position/velocity along that profile (for animation),
and synchronised multi-axis moves in which the slowest axis sets the time and the other axes
are slowed (lower cruise speed, same acceleration and jerk) to finish with it.

Units are SI and consistent per axis: metres, m/s, m/s^2, m/s^3 for a linear axis; radians,
rad/s, rad/s^2, rad/s^3 for a rotary one. Every public function accepts scalars or numpy
arrays (broadcast together) and returns a float for all-scalar input, otherwise an array.

Formulas and the case analysis are in ``docs/kernels.md`` ("Motion profiles").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kernels._checks import (
    FloatArray,
    as_float,
    broadcast,
    positive,
    positive_or_inf,
    shaped,
)
from kernels._jit import jit

__all__ = [
    "sample_scurve",
    "sample_synchronized",
    "sample_trapezoidal",
    "scurve_time",
    "synchronize",
    "synchronized_time",
    "trapezoidal_time",
]


# --------------------------------------------------------------------------- kernels


@jit
def _trap_time(d: float, v: float, a: float) -> float:
    """Rest-to-rest time for |d| under |v| <= v, |acc| <= a (triangular if v is not reached)."""
    d = abs(d)
    if d == 0.0:
        return 0.0
    if d * a >= v * v:  # v reached: accelerate v/a, cruise, decelerate v/a
        return d / v + v / a
    return 2.0 * math.sqrt(d / a)


@jit
def _scurve_phases(d: float, v: float, a: float, j: float) -> tuple[float, float, float]:
    """Phase durations (Tj, Ta, Tv) of the time-optimal 7-phase jerk-limited profile.

    Tj: each of the four jerk phases; Ta: each of the two constant-acceleration phases; Tv:
    cruise. Total time 4*Tj + 2*Ta + Tv. ``j`` may be ``inf`` (then Tj = 0: trapezoid).
    """
    d = abs(d)
    if d == 0.0:
        return 0.0, 0.0, 0.0
    a2_j = a * a / j  # velocity gained by a jerk-up + jerk-down pair reaching exactly a
    # 1. accelerate from 0 to v: is a reached on the way?
    if v >= a2_j:
        tj = a / j
        ta = max(v / a - tj, 0.0)
        d_acc = 0.5 * v * (2.0 * tj + ta)
    else:
        tj = math.sqrt(v / j)
        ta = 0.0
        d_acc = v * tj
    if d >= 2.0 * d_acc:  # v reached: cruise
        return tj, ta, (d - 2.0 * d_acc) / v
    # 2. v not reached: peak velocity vp < v. Is a reached?
    if d >= 2.0 * a * a2_j / j:  # 2 a^3 / j^2
        tj = a / j
        vp = 0.5 * (-a2_j + math.sqrt(a2_j * a2_j + 4.0 * a * d))
        ta = max(vp / a - tj, 0.0)
        return tj, ta, 0.0
    return d ** (1.0 / 3.0) / (2.0 * j) ** (1.0 / 3.0), 0.0, 0.0


@jit
def _scurve_time(d: float, v: float, a: float, j: float) -> float:
    tj, ta, tv = _scurve_phases(d, v, a, j)
    return 4.0 * tj + 2.0 * ta + tv


@jit
def _trap_times(d: FloatArray, v: FloatArray, a: FloatArray, out: FloatArray) -> None:
    for i in range(d.shape[0]):
        out[i] = _trap_time(d[i], v[i], a[i])


@jit
def _scurve_times(
    d: FloatArray, v: FloatArray, a: FloatArray, j: FloatArray, out: FloatArray
) -> None:
    for i in range(d.shape[0]):
        out[i] = _scurve_time(d[i], v[i], a[i], j[i])


@jit
def _sample_profile(
    d: float,
    tj: float,
    ta: float,
    tv: float,
    j: float,
    a: float,
    t: FloatArray,
    pos: FloatArray,
    vel: FloatArray,
) -> None:
    """Position and velocity of a 7-phase profile (3-phase trapezoid when tj == 0).

    The profile is built for |d| and mirrored for negative d. ``a`` is the peak acceleration of
    a trapezoid (used only when tj == 0).
    """
    sign = 1.0 if d >= 0.0 else -1.0
    dist = abs(d)
    durs = np.empty(7)
    jerks = np.empty(7)
    acc0 = np.empty(7)
    if tj > 0.0:
        ap = j * tj
        durs[:] = (tj, ta, tj, tv, tj, ta, tj)
        jerks[:] = (j, 0.0, -j, 0.0, -j, 0.0, j)
        acc0[:] = (0.0, ap, ap, 0.0, 0.0, -ap, -ap)
    else:
        durs[:] = (0.0, ta, 0.0, tv, 0.0, ta, 0.0)
        jerks[:] = 0.0
        acc0[:] = (0.0, a, 0.0, 0.0, 0.0, -a, 0.0)
    # state at the start of each phase
    p0 = np.zeros(8)
    v0 = np.zeros(8)
    for k in range(7):
        h = durs[k]
        p0[k + 1] = p0[k] + v0[k] * h + 0.5 * acc0[k] * h * h + jerks[k] * h * h * h / 6.0
        v0[k + 1] = v0[k] + acc0[k] * h + 0.5 * jerks[k] * h * h
    total = durs.sum()
    for i in range(t.shape[0]):
        ti = t[i]
        if ti <= 0.0:
            pos[i] = 0.0
            vel[i] = 0.0
            continue
        if ti >= total:
            pos[i] = sign * dist
            vel[i] = 0.0
            continue
        start = 0.0
        k = 0
        while k < 6 and ti > start + durs[k]:
            start += durs[k]
            k += 1
        h = ti - start
        p = p0[k] + v0[k] * h + 0.5 * acc0[k] * h * h + jerks[k] * h * h * h / 6.0
        vv = v0[k] + acc0[k] * h + 0.5 * jerks[k] * h * h
        pos[i] = sign * min(p, dist)
        vel[i] = sign * max(vv, 0.0)


@jit
def _scurve_v_for_time(d: float, v_hi: float, a: float, j: float, target: float) -> float:
    """Cruise speed in (0, v_hi] at which the S-curve move over ``d`` takes ``target``.

    The time falls monotonically as the cruise speed rises (until the speed is no longer
    reached), so bisection on v keeps ``time(lo) > target >= time(hi)`` and returns ``hi``:
    the smallest speed found whose time is <= target, i.e. the axis finishes with (never
    after) the slowest one. Returns ``v_hi`` if even that takes at least ``target``. The
    bisection stops when the bracket is within 4e-16 of ``hi`` -- relative to the answer, not
    to ``v_hi``, so a tiny axis (v ~ 1e-18 next to v_hi ~ 1) gets its speed to full precision
    as well; the iteration cap allows halving all the way down to subnormal speeds.
    """
    if _scurve_time(d, v_hi, a, j) >= target:
        return v_hi
    lo = 0.0
    hi = v_hi
    for _ in range(2200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:  # no float between lo and hi
            break
        if _scurve_time(d, mid, a, j) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 4e-16 * hi:
            break
    return hi


@jit
def _sync_limits(
    disp: FloatArray, v: FloatArray, a: FloatArray, j: FloatArray, scurve: bool
) -> tuple[float, FloatArray]:
    """Move time (slowest axis) and the reduced cruise speed of every axis to finish with it."""
    n = disp.shape[0]
    times = np.empty(n)
    for i in range(n):
        if scurve:
            times[i] = _scurve_time(disp[i], v[i], a[i], j[i])
        else:
            times[i] = _trap_time(disp[i], v[i], a[i])
    total = times.max() if n > 0 else 0.0
    vs = v.copy()
    for i in range(n):
        d = abs(disp[i])
        if d == 0.0 or times[i] >= total:
            continue
        if scurve:
            vs[i] = _scurve_v_for_time(d, v[i], a[i], j[i], total)
        else:
            # T = d/v + v/a  ->  v^2 - a T v + a d = 0, smaller root (<= v_max)
            disc = max(a[i] * a[i] * total * total - 4.0 * a[i] * d, 0.0)
            vs[i] = min(v[i], 2.0 * a[i] * d / (a[i] * total + math.sqrt(disc)))
        if vs[i] <= 0.0:  # a move too small to represent (subnormal): it takes no time
            vs[i] = v[i]
    return total, vs


# --------------------------------------------------------------------------- public API


def _limits(
    v_max: Any, a_max: Any, j_max: Any = None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    v = positive("v_max", v_max, "m/s (rad/s for a rotary axis)")
    a = positive("a_max", a_max, "m/s^2 (rad/s^2 for a rotary axis)")
    j = None if j_max is None else _jerk(j_max)
    return v, a, j


def _jerk(j_max: Any) -> FloatArray:
    return positive_or_inf("j_max", j_max, "m/s^3 (rad/s^3; inf for no jerk limit)")


def trapezoidal_time(distance: Any, v_max: Any, a_max: Any) -> float | FloatArray:
    """Minimum rest-to-rest time (s) of a move of length ``distance`` with a trapezoidal
    velocity profile.

    ``T = d/v + v/a`` when ``d >= v^2/a`` (the cruise speed is reached), else the profile is a
    triangle and ``T = 2*sqrt(d/a)``. The sign of ``distance`` is ignored (a move's time depends
    on its length). Inputs broadcast together.
    """
    d = as_float("distance", distance, "m (rad for a rotary axis)")
    v, a, _ = _limits(v_max, a_max)
    shape, (df, vf, af) = broadcast(distance=d, v_max=v, a_max=a)
    out = np.empty(df.shape[0])
    _trap_times(df, vf, af, out)
    return shaped(out, shape)


def scurve_time(distance: Any, v_max: Any, a_max: Any, j_max: Any) -> float | FloatArray:
    """Minimum rest-to-rest time (s) of a move under velocity, acceleration and jerk limits
    (the time-optimal seven-phase "S-curve" profile).

    Exact in all four cases: (1) v and a reached, (2) v reached but a not, (3) a reached but v
    not, (4) neither reached (short moves). ``j_max = inf`` gives the trapezoidal time. The sign
    of ``distance`` is ignored. Inputs broadcast together.
    """
    d = as_float("distance", distance, "m (rad for a rotary axis)")
    v, a, _ = _limits(v_max, a_max)
    j = _jerk(j_max)
    shape, (df, vf, af, jf) = broadcast(distance=d, v_max=v, a_max=a, j_max=j)
    out = np.empty(df.shape[0])
    _scurve_times(df, vf, af, jf, out)
    return shaped(out, shape)


def _sample(distance: float, v: float, a: float, j: float, t: Any) -> tuple[FloatArray, FloatArray]:
    times = as_float("t", t, "s")
    tflat = np.ascontiguousarray(times, dtype=np.float64).ravel()
    pos = np.empty_like(tflat)
    vel = np.empty_like(tflat)
    tj, ta, tv = _scurve_phases(distance, v, a, j)  # j = inf gives tj = 0: a trapezoid
    a_peak = a if tj == 0.0 else j * tj
    _sample_profile(distance, tj, ta, tv, j, a_peak, tflat, pos, vel)
    return pos.reshape(times.shape), vel.reshape(times.shape)


def _profile_states(
    distance: float, v: float, a: float, j: float, per_phase: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Time, position, velocity and acceleration along the time-optimal profile (trapezoid
    for ``j = inf``), ``per_phase`` points in every phase of non-zero duration, both ends
    included and each evaluated with its own phase's polynomial -- so the one-sided values at
    an acceleration jump (trapezoid) are both present. ``distance`` > 0."""
    tj, ta, tv = _scurve_phases(distance, v, a, j)
    if tj > 0.0:
        ap = j * tj
        durs = (tj, ta, tj, tv, tj, ta, tj)
        jerks = (j, 0.0, -j, 0.0, -j, 0.0, j)
        acc0 = (0.0, ap, ap, 0.0, 0.0, -ap, -ap)
    else:
        durs = (0.0, ta, 0.0, tv, 0.0, ta, 0.0)
        jerks = (0.0,) * 7
        acc0 = (0.0, a, 0.0, 0.0, 0.0, -a, 0.0)
    ts, ps, vs, accs = [], [], [], []
    t0 = p0 = v0 = 0.0
    for h, jk, ak in zip(durs, jerks, acc0, strict=True):
        if h > 0.0:
            tau = np.linspace(0.0, h, per_phase)
            ts.append(t0 + tau)
            ps.append(p0 + v0 * tau + 0.5 * ak * tau**2 + jk * tau**3 / 6.0)
            vs.append(v0 + ak * tau + 0.5 * jk * tau**2)
            accs.append(ak + jk * tau)
        p0 = p0 + v0 * h + 0.5 * ak * h * h + jk * h**3 / 6.0
        v0 = v0 + ak * h + 0.5 * jk * h * h
        t0 += h
    return np.concatenate(ts), np.concatenate(ps), np.concatenate(vs), np.concatenate(accs)


def _scalar(name: str, arr: FloatArray) -> float:
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar for profile sampling, got shape {arr.shape}")
    return float(arr)


def sample_trapezoidal(
    distance: float, v_max: float, a_max: float, t: Any
) -> tuple[FloatArray, FloatArray]:
    """Position (m) and velocity (m/s) at times ``t`` (s) along the time-optimal trapezoidal
    profile of one move starting at t = 0 from rest. Before 0 the axis is at 0; after the move
    it rests at ``distance`` (negative distances move backwards)."""
    d = _scalar("distance", as_float("distance", distance, "m"))
    v, a, _ = _limits(v_max, a_max)
    return _sample(d, _scalar("v_max", v), _scalar("a_max", a), math.inf, t)


def sample_scurve(
    distance: float, v_max: float, a_max: float, j_max: float, t: Any
) -> tuple[FloatArray, FloatArray]:
    """Position (m) and velocity (m/s) at times ``t`` (s) along the time-optimal jerk-limited
    profile of one move starting at t = 0 from rest (see :func:`sample_trapezoidal`)."""
    d = _scalar("distance", as_float("distance", distance, "m"))
    v, a, _ = _limits(v_max, a_max)
    j = _jerk(j_max)
    return _sample(d, _scalar("v_max", v), _scalar("a_max", a), _scalar("j_max", j), t)


def _axes(
    displacements: Any, v_max: Any, a_max: Any, j_max: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, bool]:
    disp = as_float("displacements", displacements, "m or rad")
    if disp.ndim != 1:
        raise ValueError(f"displacements must be 1-D (one entry per axis), got {disp.shape}")
    n = disp.shape[0]
    v, a, j = _limits(v_max, a_max, j_max)

    def per_axis(name: str, arr: FloatArray) -> FloatArray:
        try:
            return np.ascontiguousarray(np.broadcast_to(arr, (n,)), dtype=np.float64)
        except ValueError as exc:
            raise ValueError(
                f"{name} must be a scalar or have one entry per axis ({n}), got shape {arr.shape}"
            ) from exc

    jf = np.full(n, math.inf) if j is None else per_axis("j_max", j)
    return (
        np.ascontiguousarray(disp),
        per_axis("v_max", v),
        per_axis("a_max", a),
        jf,
        j is not None,
    )


def synchronize(
    displacements: Any, v_max: Any, a_max: Any, j_max: Any = None
) -> tuple[float, FloatArray]:
    """Synchronise a multi-axis point-to-point move.

    Returns ``(duration_s, v_axis)``: the move time, set by the slowest axis, and the reduced
    cruise speed of each axis so that every axis starts and stops together (each keeps its
    acceleration and jerk limits; the slowest keeps its ``v_max``). ``displacements`` has one
    entry per axis; limits are scalars or per-axis arrays. ``j_max=None`` means trapezoidal
    profiles.
    """
    disp, v, a, j, scurve = _axes(displacements, v_max, a_max, j_max)
    total, vs = _sync_limits(disp, v, a, j, scurve)
    return float(total), vs


def synchronized_time(
    displacements: Any, v_max: Any, a_max: Any, j_max: Any = None
) -> float | FloatArray:
    """Time (s) of synchronised multi-axis moves: the maximum over the last axis of the
    per-axis minimum times. ``displacements`` has shape (..., n_axes) (a batch of moves);
    limits broadcast against it."""
    d = as_float("displacements", displacements, "m or rad")
    if d.ndim == 0:
        raise ValueError("displacements must have at least one axis (shape (..., n_axes))")
    if j_max is None:
        t = np.asarray(trapezoidal_time(d, v_max, a_max))
    else:
        t = np.asarray(scurve_time(d, v_max, a_max, j_max))
    res = t.max(axis=-1) if t.shape[-1] > 0 else np.zeros(t.shape[:-1])
    return float(res) if res.ndim == 0 else res


def sample_synchronized(
    displacements: Any, v_max: Any, a_max: Any, t: Any, j_max: Any = None
) -> tuple[FloatArray, FloatArray]:
    """Positions and velocities of all axes of a synchronised move at times ``t``.

    Returns two arrays of shape ``t.shape + (n_axes,)``: displacement from the start and
    velocity of each axis (units of ``displacements`` and per second).
    """
    disp, v, a, j, scurve = _axes(displacements, v_max, a_max, j_max)
    _, vs = _sync_limits(disp, v, a, j, scurve)
    times = as_float("t", t, "s")
    pos = np.empty((*times.shape, disp.shape[0]))
    vel = np.empty_like(pos)
    for i in range(disp.shape[0]):
        jj = float(j[i]) if scurve else math.inf
        pos[..., i], vel[..., i] = _sample(float(disp[i]), float(vs[i]), float(a[i]), jj, times)
    return pos, vel
