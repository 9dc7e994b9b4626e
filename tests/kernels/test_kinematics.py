"""Serial-arm kinematics and pick-and-place motion times.

Pins down: DH forward kinematics equals an explicit product of the four elementary transforms
(revolute and prismatic joints, batched or not); the presets reproduce published geometry —
the UR5e zero pose from Universal Robots' DH table, the ABB IRB 1200-7/0.7 joint chain of its
ROS-Industrial URDF, the SCARA's planar closed form; the inverse kinematics round-trips
(inverse then forward returns the target) within the joint limits, solves all random reachable
FK poses of the six-axis presets (its orientation error is the rotation vector, also at 180
degrees), validates its options and fails with ``UnreachableError`` and the distance when a
target is out of reach; motion times add dwell exactly, shrink with blending, equal the
motion-profile times of their segments and double at half speed; linear moves keep every joint
within its speed and acceleration limit along the returned timing.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.kinematics import TOOL_DOWN, UnreachableError, forward, forward_batch, inverse
from kernels.motion import sample_scurve, scurve_time, synchronize, trapezoidal_time
from kernels.robot_tasks import motion_time, standard_cycle_waypoints
from kernels.robots import IRB1200_7_70, PRESETS, SCARA_LS6_602, T_JERK, UR5E, Robot
from tests.kernels import naive
from tests.kernels.budget import examples, scale

angle = st.floats(min_value=-math.pi, max_value=math.pi)


def _q_in_limits(robot: Robot, u: list[float]) -> np.ndarray:
    """Map numbers in [0, 1] into the robot's limits (at most +-pi for wide revolute joints)."""
    lo = np.maximum(robot.q_min, -math.pi)
    hi = np.minimum(robot.q_max, math.pi)
    return lo + np.array(u) * (hi - lo)


# --------------------------------------------------------------------------- forward


@examples(150, 25)
@given(
    rows=st.lists(
        st.tuples(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), angle, angle, st.booleans(), angle),
        min_size=1,
        max_size=7,
    )
)
def test_forward_matches_explicit_products(
    rows: list[tuple[float, float, float, float, bool, float]],
) -> None:
    dh = [r[:4] for r in rows]
    prism = [r[4] for r in rows]
    q = [r[5] * (0.3 if r[4] else 1.0) for r in rows]
    ref = np.array(naive.dh_fk(dh, q, prism))
    assert forward(dh, q, prism) == pytest.approx(ref, abs=1e-12)


def test_forward_batch_equals_single_poses() -> None:
    rng = np.random.default_rng(3)
    q = rng.uniform(-2, 2, size=(4, 5, 6))
    out = forward_batch(UR5E.dh, q)
    assert out.shape == (4, 5, 4, 4)
    for i in range(4):
        for k in range(5):
            assert out[i, k] == pytest.approx(forward(UR5E.dh, q[i, k]), abs=1e-14)


def test_base_and_tool_transforms_compose() -> None:
    base = np.eye(4)
    base[:3, 3] = (1.0, 2.0, 0.5)
    tool = np.eye(4)
    tool[2, 3] = 0.15
    q = np.array([0.1, -1.0, 1.2, -0.3, 0.4, 0.5])
    flange = forward(UR5E.dh, q)
    assert forward(UR5E.dh, q, base=base, tool=tool) == pytest.approx(base @ flange @ tool)


def test_ur5e_zero_pose_from_published_dh() -> None:
    # Universal Robots' DH table (support article 45257): at q = 0 the flange sits at
    # x = a2 + a3, y = -(d4 + d6), z = d1 - d5, tool z axis along -y.
    t = UR5E.forward(np.zeros(6))
    assert t[:3, 3] == pytest.approx([-0.425 - 0.3922, -(0.1333 + 0.0996), 0.1625 - 0.0997])
    assert t[:3, 2] == pytest.approx([0.0, -1.0, 0.0], abs=1e-15)
    # "upright" pose (shoulder and wrist 1 at -90 deg): arm straight up
    up = UR5E.forward(np.radians([0, -90, 0, -90, 0, 0]))
    assert up[:3, 3] == pytest.approx([0.0, -(0.1333 + 0.0996), 0.1625 + 0.425 + 0.3922 + 0.0997])


@examples(60, 10)
@given(u=st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
def test_irb1200_matches_its_urdf_chain(u: list[float]) -> None:
    q = _q_in_limits(IRB1200_7_70, u)
    ref = np.array(naive.urdf_fk(naive.IRB1200_7_70_URDF, list(q)))
    t = IRB1200_7_70.forward(q)
    assert t[:3, 3] == pytest.approx(ref[:3, 3], abs=1e-12)
    # the DH flange frame differs from the URDF's by one fixed rotation
    fixed = np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0], [1.0, 0.0, 0.0]])
    assert ref[:3, :3].T @ t[:3, :3] == pytest.approx(fixed, abs=1e-12)


def test_irb1200_flange_frame_vs_ros_tool0() -> None:
    # ROS-Industrial's tool0 is link_6 rotated +90 deg about y (joint "link_6-tool0", rpy
    # 0 pi/2 0): z along the flange axis, like the DH frame -- which differs from tool0 by
    # 180 deg about z (a tool defined for tool0 needs that rotation prepended here).
    ry90 = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])
    rng = np.random.default_rng(4)
    for _ in range(5):
        q = _q_in_limits(IRB1200_7_70, list(rng.uniform(0, 1, 6)))
        link6 = np.array(naive.urdf_fk(naive.IRB1200_7_70_URDF, list(q)))[:3, :3]
        tool0 = link6 @ ry90
        dh = IRB1200_7_70.forward(q)[:3, :3]
        assert tool0.T @ dh == pytest.approx(np.diag([-1.0, -1.0, 1.0]), abs=1e-12)


def test_irb1200_zero_pose() -> None:
    # product specification geometry: wrist centre 0.3991 + 0.350 + 0.042 m high, flange
    # 0.351 + 0.082 m in front of axis 1
    t = IRB1200_7_70.forward(np.zeros(6))
    assert t[:3, 3] == pytest.approx([0.433, 0.0, 0.7911])


@examples(100, 20)
@given(q1=angle, q2=angle, z=st.floats(-0.2, 0.0), q4=angle)
def test_scara_planar_closed_form(q1: float, q2: float, z: float, q4: float) -> None:
    t = SCARA_LS6_602.forward([q1, q2, z, q4])
    x = 0.325 * math.cos(q1) + 0.275 * math.cos(q1 + q2)
    y = 0.325 * math.sin(q1) + 0.275 * math.sin(q1 + q2)
    assert t[:3, 3] == pytest.approx([x, y, z], abs=1e-12)
    yaw = math.atan2(t[1, 0], t[0, 0])
    assert math.remainder(yaw - (q1 + q2 + q4), 2 * math.pi) == pytest.approx(0.0, abs=1e-9)


# --------------------------------------------------------------------------- inverse


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_inverse_round_trip(key: str) -> None:
    robot = PRESETS[key]
    rng = np.random.default_rng(7)
    n_cases = 6
    for _ in range(n_cases):
        q_true = robot.q_home + rng.uniform(-0.5, 0.5, robot.n_joints) * np.where(
            robot.prismatic, 0.1, 1.0
        )
        q_true = np.clip(q_true, robot.q_min, robot.q_max)
        target = robot.forward(q_true)
        orient = target[:3, :3] if robot.orient_ik else None
        q = inverse(robot, target[:3, 3], orient)
        assert np.all(q >= robot.q_min - 1e-12) and np.all(q <= robot.q_max + 1e-12)
        got = robot.forward(q)
        assert got[:3, 3] == pytest.approx(target[:3, 3], abs=1e-5)
        if orient is not None:
            assert got[:3, :3] == pytest.approx(orient, abs=1e-5)


@examples(20, 4)
@given(u=st.lists(st.floats(0.05, 0.95), min_size=4, max_size=4))
def test_inverse_round_trip_scara_anywhere(u: list[float]) -> None:
    q_true = _q_in_limits(SCARA_LS6_602, u)
    target = SCARA_LS6_602.forward(q_true)[:3, 3]
    q = inverse(SCARA_LS6_602, target)
    assert SCARA_LS6_602.forward(q)[:3, 3] == pytest.approx(target, abs=1e-5)


@pytest.mark.parametrize("key", ["ur5e", "irb1200_7_70"])
def test_inverse_finds_random_reachable_poses(key: str) -> None:
    """FK poses at random joint values within the limits are reachable by construction: the
    solver must find (nearly) all of them, within the limits, and round-trip."""
    robot = PRESETS[key]
    rng = np.random.default_rng(2024)
    n = scale(300, 30)
    lo = np.maximum(robot.q_min, -math.pi)
    hi = np.minimum(robot.q_max, math.pi)
    failed = []
    for _ in range(n):
        target = robot.forward(rng.uniform(lo, hi))
        try:
            q = inverse(robot, target[:3, 3], target[:3, :3])
        except UnreachableError as exc:
            failed.append((exc.distance, exc.angle))
            continue
        assert np.all(q >= robot.q_min) and np.all(q <= robot.q_max)
        got = robot.forward(q)
        assert got[:3, 3] == pytest.approx(target[:3, 3], abs=2e-6)
        assert got[:3, :3] == pytest.approx(target[:3, :3], abs=2e-6)
    assert len(failed) <= n // 200, failed  # >= 99.5 % (100 % with these seeds)


def test_inverse_returns_the_turn_nearest_the_seed() -> None:
    """A restart may converge with a +-360 degree joint a turn away from the seed; the result
    is shifted by whole turns (same pose) to the value nearest q0."""
    rng = np.random.default_rng(11)
    points = [np.array([0.3, -0.3, 0.18125])]  # home start fails; a restart ends J4 at -357 deg
    points += [rng.uniform((0.3, -0.3, 0.05), (0.6, 0.3, 0.4)) for _ in range(20)]
    for p in points:
        q = inverse(UR5E, p, TOOL_DOWN)
        assert np.all(np.abs(q - UR5E.q_home) <= math.pi + 1e-12)
        assert UR5E.forward(q)[:3, 3] == pytest.approx(p, abs=1e-5)


@pytest.mark.parametrize("angle", [math.pi, math.pi - 1e-7, math.pi - 1e-3, 2.5, 1e-3, 1e-9])
def test_orientation_error_is_the_rotation_vector(angle: float) -> None:
    """The IK's orientation error is axis * angle of R_d R^T, also at (and near) 180 degrees,
    where the cross-product form 0.5 * sum r x r_d vanishes and stalled the solver."""
    from kernels.kinematics import _pose_error

    rng = np.random.default_rng(int(angle * 1e6) % 2**32)
    for _ in range(5):
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        frame = np.eye(4)
        other = rng.normal(size=3)
        other /= np.linalg.norm(other)
        frame[:3, :3] = np.array(naive._axis_rotation(list(other), 1.0))[:3, :3]
        rot = np.array(naive._axis_rotation(list(axis), angle))[:3, :3]
        target = np.eye(4)
        target[:3, :3] = rot @ frame[:3, :3]
        err = np.zeros(6)
        _, oe = _pose_error(frame, target, True, err)
        assert oe == pytest.approx(angle, rel=1e-9)
        if angle == math.pi:  # the axis' sign is arbitrary at exactly 180 degrees
            assert abs(err[3:] @ axis) == pytest.approx(angle, rel=1e-9)
        else:
            assert err[3:] == pytest.approx(angle * axis, rel=1e-7, abs=1e-15)


def test_unreachable_target_reports_distance() -> None:
    with pytest.raises(
        UnreachableError,
        match=r"out of reach of UR5e .*no solution found \(closest: 1\.0\d* m, 0 rad\)",
    ) as info:
        inverse(UR5E, (2.0, 0.0, 0.1625))
    # UR5e reaches at most ~0.92 m from the shoulder; the closest pose is > 1 m short
    assert info.value.distance > 0.9
    assert isinstance(info.value, ValueError)
    # below the SCARA's stroke: unreachable by exactly the missing stroke
    with pytest.raises(UnreachableError) as info2:
        inverse(SCARA_LS6_602, (0.4, 0.1, -0.25))
    assert info2.value.distance == pytest.approx(0.05, abs=1e-6)


def test_joint_limits_are_respected() -> None:
    # a point the SCARA reaches only with J1 beyond its +-132 deg range (directly behind it)
    with pytest.raises(UnreachableError):
        inverse(SCARA_LS6_602, (-0.55, 0.0, -0.1))


def test_inverse_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"position must be \(x, y, z\) in metres"):
        inverse(UR5E, (0.1, 0.2))
    with pytest.raises(ValueError, match="proper rotation"):
        inverse(UR5E, (0.3, 0.1, 0.3), np.diag([1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="dh must have shape"):
        forward([[0.1, 0.2, 0.3]], [0.0])
    p = (0.45, -0.15, 0.3)
    for kw, msg in [
        ({"tol": math.nan}, "tol must be finite"),
        ({"tol": 0.0}, "tol must be > 0 m"),
        ({"tol": [1e-6, 1e-6]}, "tol must be a single number"),
        ({"angle_tol": -1e-6}, "angle_tol must be > 0 rad"),
        ({"angle_tol": None}, "angle_tol must be a number in rad"),
        ({"damping": math.inf}, "damping must be finite"),
        ({"damping": 0.0}, "damping must be > 0"),
        ({"max_iter": 2.5}, "max_iter must be a whole number of iterations"),
        ({"max_iter": 0}, "max_iter must be >= 1 iterations"),
        ({"max_iter": True}, "max_iter must be a whole number"),
        ({"restarts": -1}, "restarts must be >= 0"),
        ({"restarts": 1.0}, "restarts must be a whole number"),
    ]:
        with pytest.raises(ValueError, match=msg):
            inverse(IRB1200_7_70, p, TOOL_DOWN, **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"q must have shape \(\.\.\., 6\)"):
        forward(UR5E.dh, [0.0, 0.0])


# --------------------------------------------------------------------------- motion time


def test_standard_cycle_waypoints() -> None:
    wp = standard_cycle_waypoints((0.4, -0.15, -0.1))
    assert wp.shape == (6, 3)
    assert wp[1] - wp[0] == pytest.approx([0, 0, 0.025])
    assert wp[2] - wp[1] == pytest.approx([0, 0.3, 0])
    assert wp[3] - wp[2] == pytest.approx([0, 0, -0.025])


def test_scara_vertical_moves_are_single_axis_profiles() -> None:
    wp = standard_cycle_waypoints((0.40, -0.15, -0.15))
    c = motion_time(SCARA_LS6_602, wp, closed=True)
    # up/down move only J3: their time is the J3 trapezoid over 25 mm
    t_up = trapezoidal_time(0.025, SCARA_LS6_602.v_max[2], SCARA_LS6_602.a_max[2])
    assert c.segments_s[[0, 2, 3, 5]] == pytest.approx(np.full(4, t_up), rel=1e-6)
    # across: synchronised joint move between the solved configurations
    t_across, _ = synchronize(c.q[2] - c.q[1], SCARA_LS6_602.v_max, SCARA_LS6_602.a_max)
    assert c.segments_s[1] == pytest.approx(t_across)
    assert c.total_s == pytest.approx(c.segments_s.sum())


@pytest.mark.parametrize(
    ("robot", "start"),
    [
        (SCARA_LS6_602, (0.40, -0.15, -0.15)),
        (IRB1200_7_70, (0.45, -0.15, 0.30)),
        (UR5E, (0.45, -0.15, 0.15)),
    ],
)
def test_motion_time_dwell_blending_profiles(robot: Robot, start: tuple[float, ...]) -> None:
    wp = standard_cycle_waypoints(start)
    base = motion_time(robot, wp, closed=True)
    dwell = np.array([0.3, 0.0, 0.0, 0.25, 0.0, 0.0])  # grip at pick, release at place
    with_dwell = motion_time(robot, wp, closed=True, dwell=dwell)
    assert with_dwell.total_s == pytest.approx(base.total_s + 0.55)
    assert with_dwell.dwell_s == pytest.approx(0.55)
    blended = motion_time(robot, wp, closed=True, overlap=1.0)
    # blending never beats the longest move, nor sequential up + down
    seg = base.segments_s
    assert max(seg[1], seg[0] + seg[2]) * 2 * (1 - 1e-6) <= blended.total_s < base.total_s
    s = motion_time(robot, wp, closed=True, profile="scurve")
    assert s.total_s > base.total_s
    slow = motion_time(robot, wp, closed=True, speed=0.5)
    assert slow.total_s == pytest.approx(2.0 * base.total_s, rel=1e-6)
    lin = motion_time(robot, wp, closed=True, move="linear", samples=8)
    assert lin.total_s > 0.0 and np.all(lin.segments_s > 0)
    if robot.orient_ik:
        for q in base.q:
            assert robot.forward(q)[:3, :3] == pytest.approx(TOOL_DOWN, abs=1e-5)


@pytest.mark.parametrize("move", ["joint", "linear"])
@pytest.mark.parametrize("profile", ["trapezoidal", "scurve"])
@pytest.mark.parametrize(
    ("robot", "start"),
    [
        (SCARA_LS6_602, (0.40, -0.15, -0.15)),
        (IRB1200_7_70, (0.45, -0.15, 0.30)),
        (UR5E, (0.45, -0.15, 0.15)),
    ],
)
def test_half_speed_takes_twice_as_long(robot: Robot, start, move: str, profile: str) -> None:  # type: ignore[no-untyped-def]
    """speed scales speeds by s, accelerations by s^2 and jerks by s^3 -- joint and TCP limits
    alike -- so every move takes exactly 1/s as long."""
    wp = standard_cycle_waypoints(start)
    full = motion_time(robot, wp, closed=True, move=move, profile=profile)  # type: ignore[arg-type]
    half = motion_time(robot, wp, closed=True, move=move, profile=profile, speed=0.5)  # type: ignore[arg-type]
    assert half.segments_s == pytest.approx(2.0 * full.segments_s, rel=1e-9)
    assert half.total_s == pytest.approx(2.0 * full.total_s, rel=1e-9)


# Boxes (m, base frame) in which every straight line keeps clear of singularities and limits.
LINEAR_BOXES = {
    "scara_ls6_602": ((0.2, -0.3, -0.2), (0.5, 0.3, 0.0)),
    "irb1200_7_70": ((0.3, -0.3, 0.15), (0.55, 0.3, 0.45)),
    "ur5e": ((0.3, -0.3, 0.05), (0.6, 0.3, 0.4)),
}


@examples(8, 2)
@given(
    key=st.sampled_from(sorted(LINEAR_BOXES)),
    u=st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6),
    profile=st.sampled_from(["trapezoidal", "scurve"]),
)
def test_linear_move_respects_joint_limits(key: str, u: list[float], profile: str) -> None:
    """Sample q(t) densely along the returned timing (the nominal TCP profile stretched
    uniformly) by inverse kinematics, and differentiate: joint speeds and accelerations stay
    within their limits. Difference quotients are averages of the true rates, so they never
    overstate them."""
    from kernels.robot_tasks import _linear_segment

    robot = PRESETS[key]
    lo, hi = (np.array(b) for b in LINEAR_BOXES[key])
    p0 = lo + np.array(u[:3]) * (hi - lo)
    p1 = lo + np.array(u[3:]) * (hi - lo)
    length = float(np.linalg.norm(p1 - p0))
    if length < 1e-3:
        return
    orient = TOOL_DOWN if robot.orient_ik else None
    q0 = inverse(robot, p0, orient)
    total = _linear_segment(robot, p0, p1, q0, orient, 1.0, profile, 16)
    v, a = robot.tcp_v_max, robot.tcp_a_max
    j = a / T_JERK if profile == "scurve" else math.inf
    nominal = scurve_time(length, v, a, j)
    assert total >= nominal
    n = scale(1500, 250)
    t = np.linspace(0.0, total, n)
    s, _ = sample_scurve(length, v, a, j, t * (nominal / total))
    qs = np.empty((n, robot.n_joints))
    q = q0
    for i, si in enumerate(s):
        q = inverse(
            robot, p0 + si / length * (p1 - p0), orient, q, restarts=0, tol=1e-13, angle_tol=1e-13
        )
        qs[i] = q
    dt = t[1] - t[0]
    qd = np.abs(np.diff(qs, axis=0)) / dt
    qdd = np.abs(np.diff(qs, 2, axis=0)) / dt**2
    assert np.all(qd <= robot.v_max * (1 + 1e-6) + 1e-12 / dt)
    assert np.all(qdd <= robot.a_max * (1 + 1e-4) + 4e-13 / dt**2)


def test_linear_move_near_the_scara_base_is_acceleration_limited() -> None:
    """The reviewer's case: across in front of the SCARA's base J1 would need 2.2x its
    acceleration at the TCP limits, while its speed stays within limits -- the move is slowed
    by sqrt(max|qddot| / a_max), not by the speed ratio."""
    from kernels.robot_tasks import _linear_segment

    p0, p1 = np.array([0.2, -0.3, -0.15]), np.array([0.2, 0.3, -0.15])
    q0 = inverse(SCARA_LS6_602, p0)
    total = _linear_segment(SCARA_LS6_602, p0, p1, q0, None, 1.0, "trapezoidal", 16)
    nominal = trapezoidal_time(0.6, SCARA_LS6_602.tcp_v_max, SCARA_LS6_602.tcp_a_max)
    assert total / nominal > 1.5  # speeds alone allowed ~1.05


def test_motion_time_bad_inputs() -> None:
    wp = standard_cycle_waypoints((0.40, -0.15, -0.15))
    with pytest.raises(ValueError, match="dwell must be >= 0 s"):
        motion_time(SCARA_LS6_602, wp, dwell=-0.1)
    with pytest.raises(ValueError, match="one entry per waypoint"):
        motion_time(SCARA_LS6_602, wp, dwell=[0.1, 0.2])
    with pytest.raises(ValueError, match="overlap must be in"):
        motion_time(SCARA_LS6_602, wp, overlap=2.0)
    with pytest.raises(ValueError, match="waypoints must have shape"):
        motion_time(SCARA_LS6_602, [[0.1, 0.2, 0.3]])
    with pytest.raises(UnreachableError):
        motion_time(SCARA_LS6_602, standard_cycle_waypoints((0.9, 0.0, -0.1)))
    with pytest.raises(ValueError, match="samples must be a whole number"):
        motion_time(SCARA_LS6_602, wp, move="linear", samples=8.5)  # type: ignore[arg-type]


def test_blending_rules() -> None:
    from kernels.robot_tasks import _blend

    seg = np.array([1.0, 2.0, 1.0])
    no_stop = np.zeros(3, dtype=np.bool_)
    assert _blend(seg, no_stop, 0.0) == pytest.approx(4.0)
    # full overlap: up and down run under the across move, but not under each other
    assert _blend(seg, no_stop, 1.0) == pytest.approx(2.0)
    assert _blend(np.array([1.0, 1.0, 1.0]), no_stop, 1.0) == pytest.approx(2.0)
    assert _blend(seg, no_stop, 0.5) == pytest.approx(3.0)
    assert _blend(seg, np.array([False, False, True]), 1.0) == pytest.approx(3.0)
