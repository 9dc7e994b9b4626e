"""Task-time planning: the time of a robot's motion through waypoints, and of a whole task
(motion plus gripper and other dwell).

Why: a robot's station time follows from the motion it makes, so that moving a fixture or a
conveyor in the layout changes the robot's time. A time computed here is the time of the motion
plus the dwell (gripper, vacuum, handshakes) the user declares; it never includes anything the
user did not declare. The name is ``motion_time`` (not "cycle time"): a part's cycle time in
the line is something else (``cycle_time_s`` in the results).

Built on ``kernels.kinematics`` (inverse kinematics, joint rates along a line),
``kernels.motion`` (per-joint and TCP profiles) and ``kernels.robots`` (the arms). Formulas in
``docs/kernels.md`` ("Task time").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kernels._checks import FloatArray, as_float, integer, nonnegative
from kernels.kinematics import TOOL_DOWN, _path_rates, inverse
from kernels.motion import _profile_states, scurve_time
from kernels.motion import synchronize as _synchronize
from kernels.robots import T_JERK, Robot

__all__ = [
    "LINEAR_MARGIN",
    "LINEAR_REFINE",
    "REVERSAL_SLACK",
    "MotionTime",
    "TaskTime",
    "joint_motion_time",
    "motion_time",
    "standard_cycle_waypoints",
    "task_time",
]

BoolArray = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------- motion time


@dataclass(frozen=True)
class MotionTime:
    """Result of :func:`motion_time` and :func:`joint_motion_time` (seconds).

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


REVERSAL_SLACK = 1e-4
"""A waypoint is an exact stop where the path turns back: ``before · after < -REVERSAL_SLACK ·
|before|·|after|`` (more than 90.006 degrees)."""


def _check_options(profile: str, speed: float, overlap: float) -> None:
    if profile not in ("trapezoidal", "scurve"):
        raise ValueError(f"profile must be 'trapezoidal' or 'scurve', got {profile!r}")
    if not (0.0 < speed <= 1.0):
        raise ValueError(f"speed must be in (0, 1] (fraction of the limits), got {speed}")
    if not (0.0 <= overlap <= 1.0):
        raise ValueError(f"overlap must be in [0, 1], got {overlap}")


def _dwells(dwell: Any, m: int) -> FloatArray:
    dw = nonnegative("dwell", dwell, "s")
    try:
        return np.broadcast_to(dw, (m,)).astype(np.float64)
    except ValueError as exc:
        raise ValueError(
            f"dwell must be a scalar or have one entry per waypoint ({m}), got shape {dw.shape}"
        ) from exc


def _timing(
    pts: FloatArray,
    qs: FloatArray,
    seg: FloatArray,
    order: list[int],
    dwells: FloatArray,
    overlap: float,
    closed: bool,
) -> MotionTime:
    """Blend the moves ``seg`` (between the waypoints in ``order``; ``pts`` the tool positions)
    and add the dwell: the common tail of :func:`motion_time` and :func:`joint_motion_time`."""
    # exact stop where there is dwell, or where the path reverses (angle > 90 deg, with a
    # slack of 1e-4 of the lengths' product, i.e. 0.006 deg: joint waypoints taught at a right
    # angle -- or solved by the inverse kinematics to 1 um -- must not turn into a stop)
    stops = np.zeros(len(seg), dtype=np.bool_)
    for k in range(1, len(seg)):
        before = pts[order[k]] - pts[order[k - 1]]
        after = pts[order[k + 1]] - pts[order[k]]
        slack = REVERSAL_SLACK * float(np.linalg.norm(before) * np.linalg.norm(after))
        stops[k] = dwells[order[k]] > 0.0 or float(before @ after) < -slack
    motion = _blend(seg, stops, overlap)
    dwell_total = float(dwells[order[1:]].sum()) if closed else float(dwells.sum())
    return MotionTime(
        total_s=motion + dwell_total,
        motion_s=motion,
        dwell_s=dwell_total,
        segments_s=seg,
        q=qs,
    )


def motion_time(
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
) -> MotionTime:
    """Time (s) of a pick-and-place sequence through Cartesian ``waypoints`` (m, base frame).

    ``move="joint"``: point-to-point joint moves, every joint on its own time-optimal profile
    (``profile``) synchronised to the slowest. ``move="linear"``: straight tool-point lines at
    ``robot.tcp_v_max``/``tcp_a_max`` (S-curve jerk ``tcp_a_max / T_JERK``); where a joint
    cannot follow that profile within its speed or acceleration limit the segment is slowed
    uniformly (joint rates from the Jacobian at ``samples`` + 1 points per segment, refined by
    halving the spacing until the estimate settles, see ``_linear_segment``).

    ``dwell`` (s): per waypoint (scalar or one per waypoint) — gripper close/open, vacuum build-up
    and release, sensor and interlock handshakes. These are what typed-in robot times forget.
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
    _check_options(profile, speed, overlap)
    integer("samples", samples, 2, "path points per linear move")
    m = pts.shape[0]
    dwells = _dwells(dwell, m)
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
    return _timing(pts, qs, seg, order, dwells, overlap, closed)


def joint_motion_time(
    robot: Robot,
    joints: Any,
    *,
    profile: Literal["trapezoidal", "scurve"] = "trapezoidal",
    dwell: Any = 0.0,
    speed: float = 1.0,
    overlap: float = 0.0,
    closed: bool = False,
) -> MotionTime:
    """Time (s) of point-to-point joint moves through joint-value waypoints ``joints``
    (shape (n >= 2, n_joints), rad; m for prismatic joints), each within the joint limits.

    The same as :func:`motion_time` with ``move="joint"`` once the inverse kinematics has
    given the joint values: synchronised joint moves, corner blending by ``overlap`` (the tool
    positions, from the forward kinematics, tell where the path turns back), ``dwell`` per
    waypoint, ``speed`` scaling, ``closed``.
    """
    qs = np.ascontiguousarray(as_float("joints", joints, "rad (m for prismatic joints)"))
    n = robot.n_joints
    if qs.ndim != 2 or qs.shape[1] != n or qs.shape[0] < 2:
        raise ValueError(
            f"joints must have shape (n >= 2, {n}) (one value per joint of {robot.name} per "
            f"waypoint), got {qs.shape}"
        )
    _check_options(profile, speed, overlap)
    outside = (qs < robot.q_min - 1e-12) | (qs > robot.q_max + 1e-12)
    if outside.any():
        i, k = (int(x) for x in np.argwhere(outside)[0])
        raise ValueError(
            f"joints[{i}][{k}] = {qs[i, k]:.6g} is outside joint {k + 1}'s range "
            f"[{robot.q_min[k]:.6g}, {robot.q_max[k]:.6g}] of {robot.name}"
        )
    m = qs.shape[0]
    dwells = _dwells(dwell, m)
    pts = robot.forward(qs)[:, :3, 3]
    order = list(range(m)) + ([0] if closed else [])
    v = robot.v_max * speed
    a = robot.a_max * speed * speed
    jm = robot.j_max * speed**3 if profile == "scurve" else None
    seg = np.empty(len(order) - 1)
    for k in range(len(order) - 1):
        seg[k], _ = _synchronize(qs[order[k + 1]] - qs[order[k]], v, a, jm)
    return _timing(pts, qs, seg, order, dwells, overlap, closed)


@dataclass(frozen=True)
class TaskTime:
    """Result of :func:`task_time` (seconds): ``total_s = motion_s + gripper_s + dwell_s``."""

    total_s: float
    motion_s: float
    gripper_s: float
    dwell_s: float
    motion: MotionTime


def task_time(
    robot: Robot,
    waypoints: Any = None,
    *,
    joints: Any = None,
    grip_close: float = 0.0,
    grip_open: float = 0.0,
    pick: int = 0,
    place: int = -1,
    dwell: Any = 0.0,
    move: Literal["joint", "linear"] = "joint",
    profile: Literal["trapezoidal", "scurve"] = "trapezoidal",
    speed: float = 1.0,
    overlap: float = 0.0,
    closed: bool = True,
) -> TaskTime:
    """Time (s) of a robot task: the motion through Cartesian ``waypoints`` (m) or joint
    values ``joints`` (give one), the gripper closing (``grip_close`` s) at waypoint ``pick``
    and opening (``grip_open`` s) at waypoint ``place`` (indices; negative counts from the
    end), and other ``dwell`` (s, scalar or per waypoint). A waypoint with gripper time or
    dwell is an exact stop. ``closed`` (default true): the robot returns to the first
    waypoint, so the task repeats. Other options as in :func:`motion_time`.
    """
    if (waypoints is None) == (joints is None):
        raise ValueError("give either waypoints (Cartesian, m) or joints (joint values)")
    pts = as_float(
        "waypoints" if joints is None else "joints",
        waypoints if joints is None else joints,
        "m or rad",
    )
    if pts.ndim != 2:
        raise ValueError(f"waypoints must be a 2-D array (one row per waypoint), got {pts.shape}")
    m = pts.shape[0]
    base = _dwells(dwell, m).copy()
    close_s = float(nonnegative("grip_close", grip_close, "s"))
    open_s = float(nonnegative("grip_open", grip_open, "s"))
    idx: dict[str, int] = {}
    for name, value in (("pick", pick), ("place", place)):
        i = integer(name, value, -m, "waypoint index")
        if i >= m:
            raise ValueError(f"{name} must be a waypoint index -{m} to {m - 1}, got {i}")
        idx[name] = i % m
    total_dwell = base.copy()
    total_dwell[idx["pick"]] += close_s
    total_dwell[idx["place"]] += open_s
    if joints is None:
        mt = motion_time(
            robot,
            pts,
            move=move,
            profile=profile,
            dwell=total_dwell,
            speed=speed,
            overlap=overlap,
            closed=closed,
        )
    else:
        if move != "joint":
            raise ValueError("joint-value waypoints move point to point: move must be 'joint'")
        mt = joint_motion_time(
            robot,
            pts,
            profile=profile,
            dwell=total_dwell,
            speed=speed,
            overlap=overlap,
            closed=closed,
        )
    other = float(base.sum())
    return TaskTime(
        total_s=mt.total_s,
        motion_s=mt.motion_s,
        gripper_s=close_s + open_s,
        dwell_s=other,
        motion=mt,
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
