"""Serial-arm kinematics: standard Denavit–Hartenberg forward kinematics, a damped-least-squares
inverse, presets of three arms, and the cycle time of a pick-and-place sequence.

Why: LineLab derives a robot's station time from the motion it makes, so that moving a fixture
or a conveyor in the layout changes the robot's time. A cycle time computed here is the time of
the motion plus the dwell (gripper, vacuum, handshakes) the user declares; it never includes
anything the user did not declare.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kernels._checks import FloatArray, as_float, integer, nonnegative, positive
from kernels._jit import jit
from kernels.motion import _profile_states, scurve_time
from kernels.motion import synchronize as _synchronize

__all__ = [
    "IRB1200_7_70",
    "PRESETS",
    "SCARA_LS6_602",
    "UR5E",
    "CycleTime",
    "Robot",
    "UnreachableError",
    "cycle_time",
    "forward",
    "forward_batch",
    "inverse",
    "standard_cycle_waypoints",
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


# --------------------------------------------------------------------------- robots


@dataclass(frozen=True, eq=False)
class Robot:
    """A serial arm: kinematics, joint limits and joint/tool speed limits.

    ``v_max``/``a_max``/``j_max`` are per joint (rad/s, rad/s^2, rad/s^3; m/s... for prismatic
    joints). ``tcp_v_max``/``tcp_a_max`` bound linear (Cartesian) moves of the tool point.
    ``orient_ik``: whether pick-and-place targets fix the tool orientation (tool pointing down,
    six-axis arms) or only the position (SCARA: the wrist rotation is left where it is).
    ``q_home``: a typical working configuration, used to seed the inverse kinematics.
    ``vendor_cycle_s``: the vendor's published standard-cycle time, for comparison only.
    """

    name: str
    dh: FloatArray
    prismatic: BoolArray
    q_min: FloatArray
    q_max: FloatArray
    v_max: FloatArray
    a_max: FloatArray
    j_max: FloatArray
    tcp_v_max: float
    tcp_a_max: float
    q_home: FloatArray
    orient_ik: bool = True
    tool: FloatArray = field(default_factory=lambda: np.eye(4))
    base: FloatArray = field(default_factory=lambda: np.eye(4))
    vendor_cycle_s: float | None = None
    source: str = ""

    @property
    def n_joints(self) -> int:
        return int(self.dh.shape[0])

    def forward(self, q: Any) -> FloatArray:
        """Tool pose(s) (4x4) for joint values q (..., n_joints)."""
        return forward_batch(self.dh, q, self.prismatic, base=self.base, tool=self.tool)


def _deg(*values: float) -> FloatArray:
    return np.radians(np.array(values, dtype=np.float64))


def _robot(**kw: Any) -> Robot:
    for key in ("dh", "q_min", "q_max", "v_max", "a_max", "j_max", "q_home"):
        kw[key] = np.ascontiguousarray(np.asarray(kw[key], dtype=np.float64))
        kw[key].setflags(write=False)
    kw["prismatic"] = np.asarray(kw["prismatic"], dtype=np.bool_)
    kw["prismatic"].setflags(write=False)
    return Robot(**kw)


# Acceleration and jerk limits are not published by any of the three vendors. We assume the
# time to reach full joint speed T_ACC and the time to reach full acceleration T_JERK below
# (typical of servo + reducer axes at light payload); they are the main uncertainty of every
# cycle time computed here and are listed as such in docs/kernels.md.
T_ACC_INDUSTRIAL = 0.20  # s, industrial arm and SCARA
T_ACC_COBOT = 0.30  # s, collaborative arm (lower reducer stiffness, safety-rated speeds)
T_JERK = 0.05  # s


def _limits_from_speed(v: FloatArray, t_acc: float) -> tuple[FloatArray, FloatArray]:
    a = v / t_acc
    return a, a / T_JERK


# UR5e (collaborative, 5 kg, 850 mm reach).
# DH: Universal Robots, "Parameters for calculations of kinematics and dynamics" (support
#   article 45257, e-Series table: d1 = 0.1625, a2 = -0.425, a3 = -0.3922, d4 = 0.1333,
#   d5 = 0.0997, d6 = 0.0996 m; alpha = pi/2, 0, 0, pi/2, -pi/2, 0).
# Joint ranges +-360 deg and joint speeds 180 deg/s (all joints), TCP speed 1 m/s: UR5e
#   technical specifications (datasheet) and UR5e user manual.
_ur_v = _deg(180, 180, 180, 180, 180, 180)
_ur_a, _ur_j = _limits_from_speed(_ur_v, T_ACC_COBOT)
UR5E = _robot(
    name="UR5e",
    dh=[
        [0.1625, 0.0, math.pi / 2, 0.0],
        [0.0, -0.425, 0.0, 0.0],
        [0.0, -0.3922, 0.0, 0.0],
        [0.1333, 0.0, math.pi / 2, 0.0],
        [0.0997, 0.0, -math.pi / 2, 0.0],
        [0.0996, 0.0, 0.0, 0.0],
    ],
    prismatic=[False] * 6,
    q_min=_deg(-360, -360, -360, -360, -360, -360),
    q_max=_deg(360, 360, 360, 360, 360, 360),
    v_max=_ur_v,
    a_max=_ur_a,
    j_max=_ur_j,
    tcp_v_max=1.0,
    tcp_a_max=1.0 / T_ACC_COBOT,
    q_home=_deg(0, -90, 90, -90, -90, 0),
    orient_ik=True,
    vendor_cycle_s=None,
    source="Universal Robots support article 45257 (DH); UR5e datasheet (ranges, speeds)",
)

# ABB IRB 1200-7/0.7 (industrial six-axis, 7 kg, 703 mm reach).
# Geometry, joint ranges and joint speeds: ROS-Industrial abb_irb1200_support,
#   urdf/irb1200_7_70_macro.xacro (transcribed from ABB's IRB 1200 product specification):
#   base to axis 2 0.3991 m, upper arm 0.350 m, axis 3 to 4 offset 0.042 m, forearm 0.351 m,
#   flange 0.082 m; speeds 288, 240, 300, 400, 405, 600 deg/s; ranges +-170, -100..+135,
#   -200..+70, +-270, +-130, +-360 deg.
# The DH rows below reproduce that chain (checked against it in tests/kernels).
# Vendor standard cycle (1 kg, 25 x 300 x 25 mm): ABB IRB 1200 data sheet, see docs/kernels.md.
_abb_v = np.array([5.027, 4.189, 5.236, 6.981, 7.069, 10.472])
_abb_a, _abb_j = _limits_from_speed(_abb_v, T_ACC_INDUSTRIAL)
IRB1200_7_70 = _robot(
    name="ABB IRB 1200-7/0.7",
    dh=[
        [0.3991, 0.0, -math.pi / 2, 0.0],
        [0.0, 0.350, 0.0, -math.pi / 2],
        [0.0, 0.042, -math.pi / 2, 0.0],
        [0.351, 0.0, math.pi / 2, 0.0],
        [0.0, 0.0, -math.pi / 2, 0.0],
        [0.082, 0.0, 0.0, 0.0],
    ],
    prismatic=[False] * 6,
    q_min=np.array([-2.967, -1.745, -3.491, -4.712, -2.269, -6.283]),
    q_max=np.array([2.967, 2.356, 1.222, 4.712, 2.269, 6.283]),
    v_max=_abb_v,
    a_max=_abb_a,
    j_max=_abb_j,
    tcp_v_max=2.0,
    tcp_a_max=2.0 / T_ACC_INDUSTRIAL,
    q_home=_deg(0, 10, 20, 0, 60, 0),
    orient_ik=True,
    vendor_cycle_s=0.39,
    source="ROS-Industrial abb_irb1200_support (ABB IRB 1200 product specification)",
)

# Epson LS6-602S class SCARA (6 kg, 600 mm reach), 4 axes: J1, J2 revolute about the vertical,
# J3 prismatic (vertical, q = Z in metres, 0 at the top of the 200 mm stroke, negative down, as
# Epson's Z coordinate), J4 revolute (tool rotation).
# Arm lengths 325 + 275 mm, ranges J1 +-132 deg, J2 +-150 deg, J3 200 mm, J4 +-360 deg,
# maximum speeds J1+J2 5700 mm/s (composite tip speed), J3 1100 mm/s, J4 2600 deg/s: Epson LS
# series SCARA specification table (LS6-602S). Epson gives one composite tip speed for J1+J2;
# we give J1 and J2 the angular speed that produces it at full extension, 5.7 / 0.6 = 9.5 rad/s.
# Vendor standard cycle (2 kg, 25 x 300 x 25 mm, "Jump" arch motion): see docs/kernels.md.
_sc_v = np.array([9.5, 9.5, 1.1, math.radians(2600)])
_sc_a, _sc_j = _limits_from_speed(_sc_v, T_ACC_INDUSTRIAL)
SCARA_LS6_602 = _robot(
    name="Epson LS6-602S class SCARA",
    dh=[
        [0.0, 0.325, 0.0, 0.0],
        [0.0, 0.275, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ],
    prismatic=[False, False, True, False],
    q_min=np.array([math.radians(-132), math.radians(-150), -0.200, math.radians(-360)]),
    q_max=np.array([math.radians(132), math.radians(150), 0.0, math.radians(360)]),
    v_max=_sc_v,
    a_max=_sc_a,
    j_max=_sc_j,
    tcp_v_max=2.0,
    tcp_a_max=2.0 / T_ACC_INDUSTRIAL,
    q_home=np.array([math.radians(-30), math.radians(60), -0.1, 0.0]),
    orient_ik=False,
    vendor_cycle_s=0.42,
    source="Epson LS series SCARA specifications (LS6-602S)",
)

PRESETS: dict[str, Robot] = {
    "ur5e": UR5E,
    "irb1200_7_70": IRB1200_7_70,
    "scara_ls6_602": SCARA_LS6_602,
}
"""Preset robots by key."""

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


# --------------------------------------------------------------------------- cycle time


@dataclass(frozen=True)
class CycleTime:
    """Result of :func:`cycle_time` (seconds).

    ``total_s`` = motion (after blending) + dwell. ``segments_s``: time of each move, before
    blending. ``q``: joint values at each waypoint (rows), as solved by the inverse kinematics.
    """

    total_s: float
    motion_s: float
    dwell_s: float
    segments_s: FloatArray
    q: FloatArray


def standard_cycle_waypoints(
    start: Sequence[float], *, up: float = 0.025, across: float = 0.300, axis: int = 1
) -> FloatArray:
    """Waypoints of the industry "standard cycle": up ``up`` m, across ``across`` m, down, and
    back the same way. Returns 6 points (start, up, across-up, across, across-up, up); use with
    ``closed=True`` so the last move returns to the start."""
    p0 = as_float("start", start, "m")
    if p0.shape != (3,):
        raise ValueError(f"start must be (x, y, z) in metres, got shape {p0.shape}")
    dz = np.array([0.0, 0.0, up])
    dx = np.zeros(3)
    dx[axis] = across
    a, b = p0, p0 + dx
    return np.array([a, a + dz, b + dz, b, b + dz, a + dz])


def _blend(seg: FloatArray, stops: BoolArray, overlap: float) -> float:
    """Total time of consecutive moves with corner blending.

    Move i may start ``overlap * min(t[i-1], t[i])`` before move i-1 ends, but not before move
    i-2 has ended (a move overlaps only its neighbours) and not so early that it would end
    before move i-1. ``stops[i]`` forces an exact stop before move i (dwell or a reversal).
    ``overlap = 0``: exact stop at every waypoint.
    """
    end_2 = 0.0  # end of move i-2
    end_1 = 0.0  # end of move i-1
    for i, t in enumerate(seg):
        t = float(t)
        if i == 0 or stops[i]:
            s = end_1
        else:
            s = max(end_1 - overlap * min(float(seg[i - 1]), t), end_2, end_1 - t)
        end_2, end_1 = end_1, s + t
    return end_1


def cycle_time(
    robot: Robot,
    waypoints: Any,
    *,
    move: Literal["joint", "linear"] = "joint",
    profile: Literal["trapezoidal", "scurve"] = "trapezoidal",
    dwell: Any = 0.0,
    speed: float = 1.0,
    overlap: float = 0.0,
    closed: bool = False,
    q_start: Any = None,
    orientation: Any = None,
    samples: int = 16,
) -> CycleTime:
    """Time (s) of a pick-and-place sequence through Cartesian ``waypoints`` (m, base frame).

    ``move="joint"``: point-to-point joint moves, every joint on its own time-optimal profile
    (``profile``) synchronised to the slowest. ``move="linear"``: straight tool-point lines at
    ``robot.tcp_v_max``/``tcp_a_max`` (S-curve jerk ``tcp_a_max / T_JERK``); where a joint
    cannot follow that profile within its speed or acceleration limit the segment is slowed
    uniformly (joint rates from the Jacobian at ``samples`` + 1 points per segment, refined by
    halving the spacing until the estimate settles, see ``_linear_segment``).

    ``dwell`` (s): per waypoint (scalar or one per waypoint) — gripper close/open, vacuum build-up
    and release, sensor and interlock handshakes. These are what typed-in cycle times forget.
    ``speed``: fraction (0, 1] of every speed limit (accelerations scale with it too).
    ``overlap`` in [0, 1]: corner blending; 0 = exact stop at every waypoint (default,
    conservative), 1 = each move may overlap its neighbours completely (see ``_blend``); a
    waypoint with dwell, or where the path turns back by more than 90 degrees, is always an
    exact stop. ``closed``: add the move from the last waypoint
    back to the first. Tool orientation: ``orientation`` (3x3), default pointing down for arms
    with ``robot.orient_ik``; position only otherwise.
    """
    pts = as_float("waypoints", waypoints, "m")
    if pts.ndim != 2 or pts.shape[1] != 3 or pts.shape[0] < 2:
        raise ValueError(f"waypoints must have shape (n >= 2, 3) in metres, got {pts.shape}")
    if move not in ("joint", "linear"):
        raise ValueError(f"move must be 'joint' or 'linear', got {move!r}")
    if profile not in ("trapezoidal", "scurve"):
        raise ValueError(f"profile must be 'trapezoidal' or 'scurve', got {profile!r}")
    if not (0.0 < speed <= 1.0):
        raise ValueError(f"speed must be in (0, 1] (fraction of the limits), got {speed}")
    if not (0.0 <= overlap <= 1.0):
        raise ValueError(f"overlap must be in [0, 1], got {overlap}")
    integer("samples", samples, 2, "path points per linear move")
    m = pts.shape[0]
    dw = nonnegative("dwell", dwell, "s")
    try:
        dwells = np.broadcast_to(dw, (m,)).astype(np.float64)
    except ValueError as exc:
        raise ValueError(
            f"dwell must be a scalar or have one entry per waypoint ({m}), got shape {dw.shape}"
        ) from exc
    if orientation is None and robot.orient_ik:
        orientation = TOOL_DOWN

    # joint solutions, each seeded with the previous one (no configuration flips)
    qs = np.empty((m, robot.n_joints))
    seed = robot.q_home if q_start is None else as_float("q_start", q_start, "rad")
    for i in range(m):
        qs[i] = inverse(robot, pts[i], orientation, seed)
        seed = qs[i]

    order = list(range(m)) + ([0] if closed else [])
    v = robot.v_max * speed
    a = robot.a_max * speed * speed
    jm = robot.j_max * speed**3 if profile == "scurve" else None
    seg = np.empty(len(order) - 1)
    for k in range(len(order) - 1):
        i, j = order[k], order[k + 1]
        if move == "joint":
            seg[k], _ = _synchronize(qs[j] - qs[i], v, a, jm)
        else:
            seg[k] = _linear_segment(
                robot, pts[i], pts[j], qs[i], orientation, speed, profile, samples
            )
    # exact stop where there is dwell, or where the path reverses (angle > 90 deg)
    stops = np.zeros(len(seg), dtype=np.bool_)
    for k in range(1, len(seg)):
        before = pts[order[k]] - pts[order[k - 1]]
        after = pts[order[k + 1]] - pts[order[k]]
        stops[k] = dwells[order[k]] > 0.0 or float(before @ after) < 0.0
    motion = _blend(seg, stops, overlap)
    dwell_total = float(dwells[order[1:]].sum()) if closed else float(dwells.sum())
    return CycleTime(
        total_s=motion + dwell_total,
        motion_s=motion,
        dwell_s=dwell_total,
        segments_s=seg,
        q=qs,
    )


LINEAR_MARGIN = 1e-4
"""Relative safety margin on the joint-rate ratio of a linear move (on top of the refinement
error estimate; covers the sampling of the profile)."""

LINEAR_REFINE = 16
"""A linear move's path points are doubled at most until ``LINEAR_REFINE * samples``."""


def _solve_line(
    robot: Robot, p0: FloatArray, d: FloatArray, fr: FloatArray, seeds: FloatArray, orient: Any
) -> FloatArray:
    """Joint values at the points ``p0 + fr[k] * d``, each seeded with ``seeds[k]``."""
    out = np.empty((fr.shape[0], robot.n_joints))
    for k in range(fr.shape[0]):
        out[k] = inverse(
            robot, p0 + fr[k] * d, orient, seeds[k], restarts=0, tol=1e-10, angle_tol=1e-10
        )
    return out


def _rate_ratio(
    robot: Robot,
    qs: FloatArray,
    d: FloatArray,
    length: float,
    use_orient: bool,
    profile: tuple[FloatArray, FloatArray, FloatArray],
    speed: float,
) -> float:
    """max(max|qdot|/v_max, sqrt(max|qddot|/a_max)) along the sampled profile, from the joint
    values ``qs`` at evenly spaced points of the line (see :func:`_linear_segment`)."""
    m = qs.shape[0] - 1
    xdot = np.zeros(6 if use_orient else 3)
    xdot[:3] = d / length  # per metre of path
    d1 = np.empty_like(qs)
    d2 = np.empty_like(qs)
    _path_rates(robot.dh, robot.prismatic, robot.base, robot.tool, qs, xdot, use_orient, d1, d2)
    s, sd, sdd = profile
    h = length / m
    idx = np.clip((s / h).astype(np.int64), 0, m - 1)
    u = (s - idx * h) / h
    # cubic Hermite of q' on [k, k+1] from q' and q'' at both ends; its derivative is q''
    c = (2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u, -2 * u**3 + 3 * u**2, u**3 - u**2)
    g = (
        (6 * u**2 - 6 * u) / h,
        (3 * u**2 - 4 * u + 1) / h,
        (-6 * u**2 + 6 * u) / h,
        (3 * u**2 - 2 * u) / h,
    )
    ends = (d1[idx], h * d2[idx], d1[idx + 1], h * d2[idx + 1])
    q1 = sum(ci[:, None] * e for ci, e in zip(c, ends, strict=True))
    q2 = sum(gi[:, None] * e for gi, e in zip(g, ends, strict=True))
    qd = q1 * sd[:, None]
    qdd = q2 * (sd * sd)[:, None] + q1 * sdd[:, None]
    ratio_v = float(np.max(np.abs(qd) / (robot.v_max * speed)))
    ratio_a = float(np.max(np.abs(qdd) / (robot.a_max * speed * speed)))
    return max(ratio_v, math.sqrt(ratio_a))


def _linear_segment(
    robot: Robot,
    p0: FloatArray,
    p1: FloatArray,
    q0: FloatArray,
    orientation: Any,
    speed: float,
    profile: str,
    samples: int,
) -> float:
    """Time of a straight tool move p0 -> p1 at the TCP limits, slowed uniformly where a joint
    would exceed its speed or acceleration limit.

    The tool follows the time-optimal rest-to-rest profile s(t) of the line's length (TCP speed,
    acceleration and, for the S-curve, jerk ``tcp_a_max / T_JERK``, all scaled by ``speed``,
    ``speed**2``, ``speed**3``). Joint values along the line are q(s); at evenly spaced points
    q' = dq/ds and q'' come from the Jacobian (:func:`_path_rates`), between them from a cubic
    Hermite interpolant of q'. The joint rates along the profile are

        qdot = q'(s) sdot,    qddot = q''(s) sdot^2 + q'(s) sddot,

    evaluated on a fine grid of every profile phase (both ends included). Stretching time by r
    divides speeds by r and accelerations by r^2, so the move needs
    ``r = max(max|qdot|/v_max, sqrt(max|qddot|/a_max))``. It is computed with ``samples``
    intervals, then with twice as many (the new points in between) and so on until two
    successive values agree within LINEAR_MARGIN (or ``LINEAR_REFINE * samples`` intervals);
    the move takes ``T_nominal * max(1, (r + |r - r_coarser|) * (1 + LINEAR_MARGIN))``.
    Joint jerk is not checked.
    """
    d = np.asarray(p1 - p0, dtype=np.float64)
    length = float(np.linalg.norm(d))
    if length == 0.0:
        return 0.0
    v = robot.tcp_v_max * speed
    a = robot.tcp_a_max * speed * speed
    j = robot.tcp_a_max / T_JERK * speed**3 if profile == "scurve" else math.inf
    t_nom = float(scurve_time(length, v, a, j))
    _, s, sd, sdd = _profile_states(length, v, a, j, 64)
    use_orient = orientation is not None
    m = max(int(samples), 2)
    fr = np.linspace(0.0, 1.0, m + 1)
    qs = np.empty((m + 1, robot.n_joints))
    q = q0
    for k in range(m + 1):  # each point seeded with the one before
        q = _solve_line(robot, p0, d, fr[k : k + 1], q[None, :], orientation)[0]
        qs[k] = q
    coarse = _rate_ratio(robot, qs, d, length, use_orient, (s, sd, sdd), speed)
    while True:
        # halve the spacing: solve the midpoints, each seeded with the point before it
        mid = _solve_line(robot, p0, d, (fr[:-1] + fr[1:]) / 2, qs[:-1], orientation)
        fine_q = np.empty((2 * m + 1, robot.n_joints))
        fine_q[0::2] = qs
        fine_q[1::2] = mid
        m, qs, fr = 2 * m, fine_q, np.linspace(0.0, 1.0, 2 * m + 1)
        fine = _rate_ratio(robot, qs, d, length, use_orient, (s, sd, sdd), speed)
        err = abs(fine - coarse)
        if err <= LINEAR_MARGIN * fine or m >= LINEAR_REFINE * max(int(samples), 2):
            break
        coarse = fine
    return t_nom * max(1.0, (fine + err) * (1.0 + LINEAR_MARGIN))
