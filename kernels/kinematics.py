"""Serial-arm kinematics: standard Denavit–Hartenberg forward kinematics and a damped-least-squares
inverse, as numba kernels behind checked public functions.

Why: LineLab derives a robot's task time from the motion it makes (``kernels.robot_tasks``), so
that moving a fixture or a conveyor in the layout changes the robot's time. This module answers
the geometric questions: where is the tool for these joint values, which joint values put the
tool there. The arms themselves (DH tables, limits, sources) are data in ``kernels.robots``.

Conventions (details and formulas in ``docs/kernels.md``, "Kinematics"):

- ``dh`` has one row ``(d, a, alpha, offset)`` per joint, metres and radians, *standard* DH:
  ``T_i = Rz(theta_i) Tz(d_i) Tx(a_i) Rx(alpha_i)``.
- A revolute joint has ``theta_i = q_i + offset_i`` and fixed ``d_i``; a prismatic joint (the
  SCARA's vertical axis) has ``theta_i = offset_i`` and ``d_i + q_i``. Which joints are prismatic
  is a boolean vector ``prismatic`` (default: all revolute).
- Joint values are radians (revolute) or metres (prismatic); joint speeds rad/s or m/s.
- Poses are 4x4 homogeneous transforms in metres, of the flange (or tool, with ``tool``) in the
  robot's base frame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from kernels._checks import FloatArray, as_float, integer, positive
from kernels._jit import jit

if TYPE_CHECKING:
    from kernels.robots import Robot

__all__ = [
    "TOOL_DOWN",
    "UnreachableError",
    "forward",
    "forward_batch",
    "inverse",
]

BoolArray = npt.NDArray[np.bool_]


class UnreachableError(ValueError):
    """The inverse kinematics found no joint values within the joint limits that reach the
    target. ``distance`` is the closest position error found (m), ``angle`` the orientation
    error (rad) of that closest pose."""

    def __init__(self, message: str, distance: float, angle: float = 0.0) -> None:
        super().__init__(message)
        self.distance = distance
        self.angle = angle


# --------------------------------------------------------------------------- kernels


@jit
def _matmul4(a: FloatArray, b: FloatArray, out: FloatArray) -> None:
    for i in range(4):
        for j in range(4):
            s = 0.0
            for k in range(4):
                s += a[i, k] * b[k, j]
            out[i, j] = s


@jit
def _dh_link(d: float, a: float, alpha: float, theta: float, out: FloatArray) -> None:
    ct = math.cos(theta)
    st = math.sin(theta)
    ca = math.cos(alpha)
    sa = math.sin(alpha)
    out[0, 0] = ct
    out[0, 1] = -st * ca
    out[0, 2] = st * sa
    out[0, 3] = a * ct
    out[1, 0] = st
    out[1, 1] = ct * ca
    out[1, 2] = -ct * sa
    out[1, 3] = a * st
    out[2, 0] = 0.0
    out[2, 1] = sa
    out[2, 2] = ca
    out[2, 3] = d
    out[3, 0] = 0.0
    out[3, 1] = 0.0
    out[3, 2] = 0.0
    out[3, 3] = 1.0


@jit
def _frames(
    dh: FloatArray, prism: BoolArray, q: FloatArray, base: FloatArray, tool: FloatArray
) -> FloatArray:
    """All frames: out[0] = base, out[i] = base * T_1 ... T_i, out[n+1] = out[n] * tool."""
    n = dh.shape[0]
    out = np.empty((n + 2, 4, 4))
    out[0] = base
    link = np.empty((4, 4))
    for i in range(n):
        if prism[i]:
            _dh_link(dh[i, 0] + q[i], dh[i, 1], dh[i, 2], dh[i, 3], link)
        else:
            _dh_link(dh[i, 0], dh[i, 1], dh[i, 2], q[i] + dh[i, 3], link)
        _matmul4(out[i], link, out[i + 1])
    _matmul4(out[n], tool, out[n + 1])
    return out


@jit
def _fk_batch(
    dh: FloatArray,
    prism: BoolArray,
    q: FloatArray,
    base: FloatArray,
    tool: FloatArray,
    out: FloatArray,
) -> None:
    n = dh.shape[0]
    link = np.empty((4, 4))
    acc = np.empty((4, 4))
    tmp = np.empty((4, 4))
    for m in range(q.shape[0]):
        acc[:, :] = base
        for i in range(n):
            if prism[i]:
                _dh_link(dh[i, 0] + q[m, i], dh[i, 1], dh[i, 2], dh[i, 3], link)
            else:
                _dh_link(dh[i, 0], dh[i, 1], dh[i, 2], q[m, i] + dh[i, 3], link)
            _matmul4(acc, link, tmp)
            acc[:, :] = tmp
        _matmul4(acc, tool, out[m])


@jit
def _solve(a: FloatArray, b: FloatArray) -> FloatArray:
    """Solve a x = b for a small dense system (Gaussian elimination, partial pivoting)."""
    n = a.shape[0]
    m = a.copy()
    x = b.copy()
    for col in range(n):
        piv = col
        best = abs(m[col, col])
        for r in range(col + 1, n):
            if abs(m[r, col]) > best:
                best = abs(m[r, col])
                piv = r
        if piv != col:
            for c in range(n):
                tmp = m[col, c]
                m[col, c] = m[piv, c]
                m[piv, c] = tmp
            tmp = x[col]
            x[col] = x[piv]
            x[piv] = tmp
        p = m[col, col]
        for r in range(col + 1, n):
            f = m[r, col] / p
            if f != 0.0:
                for c in range(col, n):
                    m[r, c] -= f * m[col, c]
                x[r] -= f * x[col]
    for r in range(n - 1, -1, -1):
        s = x[r]
        for c in range(r + 1, n):
            s -= m[r, c] * x[c]
        x[r] = s / m[r, r]
    return x


@jit
def _pose_error(
    frame: FloatArray, target: FloatArray, use_orient: bool, err: FloatArray
) -> tuple[float, float]:
    """Position error (3) and, if use_orient, the orientation error (3): the rotation vector
    (axis * angle, base frame) of the residual rotation E = R_d R^T, so that rotating the
    tool by it about its own position reaches the target orientation. Returns (|position
    error| m, angle rad).

    The rotation vector is the log map of E. Unlike the small-angle form
    0.5 * sum_k r_k x rd_k (= sin(angle) * axis), it does not vanish at a 180-degree error,
    where the small-angle form stalled the solver on a wrong configuration.
    """
    for k in range(3):
        err[k] = target[k, 3] - frame[k, 3]
    pe = math.sqrt(err[0] ** 2 + err[1] ** 2 + err[2] ** 2)
    oe = 0.0
    if use_orient:
        e = np.empty((3, 3))
        for i in range(3):
            for k in range(3):
                acc = 0.0
                for m in range(3):
                    acc += target[i, m] * frame[k, m]
                e[i, k] = acc
        # E - E^T = 2 sin(angle) [axis]x ; (E + E^T)/2 = cos(angle) I + (1 - cos) axis axis^T
        vx = e[2, 1] - e[1, 2]
        vy = e[0, 2] - e[2, 0]
        vz = e[1, 0] - e[0, 1]
        s = 0.5 * math.sqrt(vx * vx + vy * vy + vz * vz)  # sin(angle) >= 0
        c = 0.5 * (e[0, 0] + e[1, 1] + e[2, 2] - 1.0)  # cos(angle)
        oe = math.atan2(s, c)
        if c > 0.0 or s > 1e-3:
            # angle/(2 sin(angle)) -> 1/2 as the angle -> 0
            f = 0.5 if s < 1e-12 else 0.5 * oe / s
            err[3] = f * vx
            err[4] = f * vy
            err[5] = f * vz
        else:
            # near 180 degrees: the axis from the symmetric part, its sign from E - E^T
            one_c = 1.0 - c
            best = 0
            for i in range(1, 3):
                if e[i, i] > e[best, best]:
                    best = i
            ax = np.empty(3)
            kb = math.sqrt(max((e[best, best] - c) / one_c, 0.0))
            for i in range(3):
                if i == best:
                    ax[i] = kb
                else:
                    ax[i] = 0.5 * (e[i, best] + e[best, i]) / (one_c * kb)
            if ax[0] * vx + ax[1] * vy + ax[2] * vz < 0.0:
                for i in range(3):
                    ax[i] = -ax[i]
            norm = math.sqrt(ax[0] ** 2 + ax[1] ** 2 + ax[2] ** 2)
            err[3] = oe * ax[0] / norm
            err[4] = oe * ax[1] / norm
            err[5] = oe * ax[2] / norm
    return pe, oe


@jit
def _jacobian(frames: FloatArray, prism: BoolArray, use_orient: bool, jac: FloatArray) -> None:
    """Geometric Jacobian of the tool point (rows: v then w)."""
    n = prism.shape[0]
    pe = frames[n + 1, :3, 3]
    for i in range(n):
        z = frames[i, :3, 2]
        p = frames[i, :3, 3]
        if prism[i]:
            jac[0, i] = z[0]
            jac[1, i] = z[1]
            jac[2, i] = z[2]
            if use_orient:
                jac[3, i] = 0.0
                jac[4, i] = 0.0
                jac[5, i] = 0.0
        else:
            rx = pe[0] - p[0]
            ry = pe[1] - p[1]
            rz = pe[2] - p[2]
            jac[0, i] = z[1] * rz - z[2] * ry
            jac[1, i] = z[2] * rx - z[0] * rz
            jac[2, i] = z[0] * ry - z[1] * rx
            if use_orient:
                jac[3, i] = z[0]
                jac[4, i] = z[1]
                jac[5, i] = z[2]


@jit
def _ik_dls(
    dh: FloatArray,
    prism: BoolArray,
    qmin: FloatArray,
    qmax: FloatArray,
    base: FloatArray,
    tool: FloatArray,
    target: FloatArray,
    use_orient: bool,
    seeds: FloatArray,
    max_iter: int,
    tol_pos: float,
    tol_ang: float,
    damping: float,
) -> tuple[FloatArray, float, float]:
    """Damped least squares from each seed in turn; returns the first converged solution, or
    the best one found (smallest position error, then angle) if none converges.

    Step: dq = J^T (J J^T + lambda^2 I)^-1 e, with a backtracking line search on |e| and the
    joints clamped into [qmin, qmax] after every step.
    """
    n = dh.shape[0]
    m = 6 if use_orient else 3
    err = np.zeros(6)
    jac = np.zeros((m, n))
    best_q = seeds[0].copy()
    best_p = np.inf
    best_a = np.inf
    lam2 = damping * damping
    for s in range(seeds.shape[0]):
        q = np.minimum(np.maximum(seeds[s].copy(), qmin), qmax)
        fr = _frames(dh, prism, q, base, tool)
        pe, oe = _pose_error(fr[n + 1], target, use_orient, err)
        for _ in range(max_iter):
            if pe <= tol_pos and oe <= tol_ang:
                break
            _jacobian(fr, prism, use_orient, jac)
            cur = pe * pe + oe * oe
            # Yamashita-Fukushima: damping no larger than |e|^2, so the last steps are
            # Gauss-Newton steps (fast convergence even at a singular target pose)
            lam_eff = min(lam2, cur)
            jjt = np.zeros((m, m))
            for r in range(m):
                for c in range(m):
                    acc = 0.0
                    for k in range(n):
                        acc += jac[r, k] * jac[c, k]
                    jjt[r, c] = acc
                jjt[r, r] += lam_eff
            y = _solve(jjt, err[:m].copy())
            dq = np.zeros(n)
            for k in range(n):
                acc = 0.0
                for r in range(m):
                    acc += jac[r, k] * y[r]
                dq[k] = acc
            step = 1.0
            improved = False
            for _ls in range(12):
                qn = np.minimum(np.maximum(q + step * dq, qmin), qmax)
                frn = _frames(dh, prism, qn, base, tool)
                errn = np.zeros(6)
                pn, on = _pose_error(frn[n + 1], target, use_orient, errn)
                if pn * pn + on * on < cur:
                    q = qn
                    fr = frn
                    err[:] = errn
                    pe = pn
                    oe = on
                    improved = True
                    break
                step *= 0.5
            if not improved:
                break
        if pe < best_p - 1e-12 or (abs(pe - best_p) <= 1e-12 and oe < best_a):
            best_p = pe
            best_a = oe
            best_q[:] = q
        if pe <= tol_pos and oe <= tol_ang:
            return q, pe, oe
    return best_q, best_p, best_a


@jit
def _path_rates(
    dh: FloatArray,
    prism: BoolArray,
    base: FloatArray,
    tool: FloatArray,
    qs: FloatArray,
    xdot: FloatArray,
    use_orient: bool,
    d1: FloatArray,
    d2: FloatArray,
) -> None:
    """First and second derivatives of the joint values along a tool path, per unit of the
    path parameter s, at the joint values ``qs[k]`` of points on it.

    The tool moves with constant Cartesian velocity ``xdot`` (per unit s; rows v then w, 3 or 6
    entries): J(q) q' = xdot, hence J q'' = -(dJ/ds) q'. Both are solved with the minimum-norm
    pseudo-inverse J^T (J J^T)^-1 (a square J for the six-axis arms; for the SCARA the wrist
    column is zero, so its joint stays put, as in the inverse kinematics). dJ/ds = dJ/dq . q'
    by a central difference along q'.
    """
    n = dh.shape[0]
    m = xdot.shape[0]
    jac = np.zeros((m, n))
    jp = np.zeros((m, n))
    jm = np.zeros((m, n))
    for p in range(qs.shape[0]):
        q = qs[p]
        _jacobian(_frames(dh, prism, q, base, tool), prism, use_orient, jac)
        jjt = np.zeros((m, m))
        for r in range(m):
            for c in range(m):
                acc = 0.0
                for k in range(n):
                    acc += jac[r, k] * jac[c, k]
                jjt[r, c] = acc
        y = _solve(jjt, xdot.copy())
        for k in range(n):
            acc = 0.0
            for r in range(m):
                acc += jac[r, k] * y[r]
            d1[p, k] = acc
        norm = 0.0
        for k in range(n):
            norm += d1[p, k] * d1[p, k]
        h = 1e-6 / max(math.sqrt(norm), 1e-300)
        _jacobian(_frames(dh, prism, q + h * d1[p], base, tool), prism, use_orient, jp)
        _jacobian(_frames(dh, prism, q - h * d1[p], base, tool), prism, use_orient, jm)
        rhs = np.zeros(m)
        for r in range(m):
            acc = 0.0
            for k in range(n):
                acc += (jp[r, k] - jm[r, k]) * d1[p, k]
            rhs[r] = -acc / (2.0 * h)
        y = _solve(jjt, rhs)
        for k in range(n):
            acc = 0.0
            for r in range(m):
                acc += jac[r, k] * y[r]
            d2[p, k] = acc


# --------------------------------------------------------------------------- public FK/IK


def _dh_array(dh: Any) -> FloatArray:
    arr = as_float("dh", dh, "m and rad")
    if arr.ndim != 2 or arr.shape[1] != 4 or arr.shape[0] == 0:
        raise ValueError(
            f"dh must have shape (n_joints, 4) with rows (d, a, alpha, offset), got {arr.shape}"
        )
    return np.ascontiguousarray(arr)


def _prism(prismatic: Any, n: int) -> BoolArray:
    if prismatic is None:
        return np.zeros(n, dtype=np.bool_)
    arr = np.asarray(prismatic, dtype=np.bool_)
    if arr.shape != (n,):
        raise ValueError(f"prismatic must have one entry per joint ({n}), got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _transform(name: str, value: Any) -> FloatArray:
    if value is None:
        return np.eye(4)
    arr = as_float(name, value, "m")
    if arr.shape != (4, 4):
        raise ValueError(f"{name} must be a 4x4 homogeneous transform, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def forward_batch(
    dh: Any,
    q: Any,
    prismatic: Any = None,
    *,
    base: Any = None,
    tool: Any = None,
) -> FloatArray:
    """Forward kinematics for many poses: ``q`` has shape (..., n_joints), the result
    (..., 4, 4). See :func:`forward`."""
    dharr = _dh_array(dh)
    n = dharr.shape[0]
    qarr = as_float("q", q, "rad (m for prismatic joints)")
    if qarr.ndim == 0 or qarr.shape[-1] != n:
        raise ValueError(f"q must have shape (..., {n}) (one value per joint), got {qarr.shape}")
    lead = qarr.shape[:-1]
    qflat = np.ascontiguousarray(qarr.reshape(-1, n))
    out = np.empty((qflat.shape[0], 4, 4))
    _fk_batch(
        dharr, _prism(prismatic, n), qflat, _transform("base", base), _transform("tool", tool), out
    )
    return out.reshape((*lead, 4, 4))


def forward(
    dh: Any,
    q: Any,
    prismatic: Any = None,
    *,
    base: Any = None,
    tool: Any = None,
) -> FloatArray:
    """Pose (4x4, metres) of the flange — or of the tool centre point when ``tool`` (flange to
    TCP, 4x4) is given — in the base frame, for joint values ``q`` (rad, m for prismatic).

    ``dh``: (n, 4) rows ``(d, a, alpha, offset)``, standard DH. ``prismatic``: n booleans
    (default all revolute). ``base``: 4x4 pose of the robot base in the cell (default identity).
    A ``q`` of shape (..., n) returns (..., 4, 4) (same as :func:`forward_batch`).
    """
    return forward_batch(dh, q, prismatic, base=base, tool=tool)


# --------------------------------------------------------------------------- inverse


TOOL_DOWN = np.array([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]])
"""Tool orientation "pointing down": tool z along -Z of the base, tool x along +X."""


def _target(position: Any, orientation: Any) -> FloatArray:
    p = as_float("position", position, "m")
    if p.shape != (3,):
        raise ValueError(f"position must be (x, y, z) in metres, got shape {p.shape}")
    t = np.eye(4)
    t[:3, 3] = p
    if orientation is not None:
        r = as_float("orientation", orientation, "rotation matrix")
        if r.shape != (3, 3):
            raise ValueError(f"orientation must be a 3x3 rotation matrix, got shape {r.shape}")
        if not np.allclose(r @ r.T, np.eye(3), atol=1e-6) or np.linalg.det(r) < 0:
            raise ValueError("orientation must be a proper rotation matrix (R R^T = I, det = 1)")
        t[:3, :3] = r
    return t


def _scalar_positive(name: str, value: Any, unit: str) -> float:
    arr = positive(name, value, unit)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number in {unit}, got shape {arr.shape}")
    return float(arr)


def _seeds(robot: Robot, first: FloatArray, restarts: int) -> FloatArray:
    """``first``, then ``restarts`` start configurations spread over the joint ranges (capped
    at +-pi for wider revolute joints): a scrambled stratified sample, so even a few restarts
    cover every half-range of every joint. Fixed seed: results are reproducible."""
    n = robot.n_joints
    rng = np.random.default_rng(12345)
    lo = np.maximum(robot.q_min, -math.pi)
    hi = np.minimum(robot.q_max, math.pi)
    if restarts == 0:
        return np.ascontiguousarray(first[None, :], dtype=np.float64)
    # Latin hypercube: joint i of restart r lies in stratum perm_i[r] of `restarts` strata
    strata = np.stack([rng.permutation(restarts) for _ in range(n)], axis=1)
    u = (strata + rng.uniform(size=(restarts, n))) / restarts
    return np.ascontiguousarray(np.vstack([first[None, :], lo + u * (hi - lo)]))


def _nearest_turn(robot: Robot, q: FloatArray, ref: FloatArray) -> FloatArray:
    """Each revolute joint shifted by whole turns (same pose) to the value nearest ``ref``
    that is within its limits: a joint with a +-360 degree range must not end up next to a
    limit (where the next move along a line runs into it) or a turn away from the start (a
    joint move would spin it round for nothing)."""
    out = np.array(q, dtype=np.float64)
    two_pi = 2.0 * math.pi
    for i in range(robot.n_joints):
        if robot.prismatic[i]:
            continue
        alt = out[i] - two_pi * round((out[i] - ref[i]) / two_pi)
        if robot.q_min[i] <= alt <= robot.q_max[i]:
            out[i] = alt
    return out


def inverse(
    robot: Robot,
    position: Any,
    orientation: Any = None,
    q0: Any = None,
    *,
    tol: float = 1e-6,
    angle_tol: float = 1e-6,
    max_iter: int = 300,
    restarts: int = 64,
    damping: float = 1e-3,
) -> FloatArray:
    """Joint values (rad; m for prismatic joints) that put the tool at ``position`` (m, base
    frame) and, if given, ``orientation`` (3x3 rotation), within the joint limits.

    Damped least squares (``damping`` > 0, at most ``max_iter`` iterations per start) on the
    position error and, with an orientation, the rotation vector of the residual rotation,
    starting from ``q0`` (default ``robot.q_home``), then from ``restarts`` configurations
    spread over the joint ranges (fixed seed: the result is reproducible). Raises
    :class:`UnreachableError` ("no solution found (closest: ... m, ... rad)") when no start
    converges within ``tol`` (m) and ``angle_tol`` (rad). Revolute joints whose range spans
    more than a turn come back at the value nearest ``q0`` (whole turns added or removed).
    """
    target = _target(position, orientation)
    n = robot.n_joints
    tol_m = _scalar_positive("tol", tol, "m")
    tol_rad = _scalar_positive("angle_tol", angle_tol, "rad")
    lam = _scalar_positive("damping", damping, "m (damped-least-squares factor)")
    iters = integer("max_iter", max_iter, 1, "iterations")
    n_restarts = integer("restarts", restarts, 0, "restarts")
    seed0 = robot.q_home if q0 is None else as_float("q0", q0, "rad (m for prismatic joints)")
    if seed0.shape != (n,):
        raise ValueError(f"q0 must have one value per joint ({n}), got shape {seed0.shape}")
    q, pe, oe = _ik_dls(
        robot.dh,
        robot.prismatic,
        robot.q_min,
        robot.q_max,
        robot.base,
        robot.tool,
        target,
        orientation is not None,
        _seeds(robot, seed0, n_restarts),
        iters,
        tol_m,
        tol_rad,
        lam,
    )
    if pe <= tol_m and oe <= tol_rad:
        q = _nearest_turn(robot, q, seed0)
    else:
        x, y, z = target[:3, 3]
        msg = (
            f"target ({x:.4f}, {y:.4f}, {z:.4f}) m is out of reach of {robot.name} within its "
            f"joint limits: no solution found (closest: {pe:.4g} m, {oe:.4g} rad)"
        )
        raise UnreachableError(msg, distance=float(pe), angle=float(oe))
    return np.asarray(q, dtype=np.float64)
