"""Serial-arm kinematics and pick-and-place cycle times.

Pins down: DH forward kinematics equals an explicit product of the four elementary transforms
(revolute and prismatic joints, batched or not); the presets reproduce published geometry —
the UR5e zero pose from Universal Robots' DH table, the ABB IRB 1200-7/0.7 joint chain of its
ROS-Industrial URDF, the SCARA's planar closed form; the inverse kinematics round-trips
(inverse then forward returns the target) within the joint limits and fails with
``UnreachableError`` and the distance when a target is out of reach; cycle times add dwell
exactly, shrink with blending and equal the motion-profile times of their segments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.kinematics import (
    IRB1200_7_70,
    PRESETS,
    SCARA_LS6_602,
    TOOL_DOWN,
    UR5E,
    Robot,
    UnreachableError,
    cycle_time,
    forward,
    forward_batch,
    inverse,
    standard_cycle_waypoints,
)
from kernels.motion import synchronize, trapezoidal_time
from tests.kernels import naive
from tests.kernels.budget import examples

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


def test_unreachable_target_reports_distance() -> None:
    with pytest.raises(UnreachableError, match="out of reach of UR5e") as info:
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
    with pytest.raises(ValueError, match=r"q must have shape \(\.\.\., 6\)"):
        forward(UR5E.dh, [0.0, 0.0])


# --------------------------------------------------------------------------- cycle time


def test_standard_cycle_waypoints() -> None:
    wp = standard_cycle_waypoints((0.4, -0.15, -0.1))
    assert wp.shape == (6, 3)
    assert wp[1] - wp[0] == pytest.approx([0, 0, 0.025])
    assert wp[2] - wp[1] == pytest.approx([0, 0.3, 0])
    assert wp[3] - wp[2] == pytest.approx([0, 0, -0.025])


def test_scara_vertical_moves_are_single_axis_profiles() -> None:
    wp = standard_cycle_waypoints((0.40, -0.15, -0.15))
    c = cycle_time(SCARA_LS6_602, wp, closed=True)
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
def test_cycle_time_dwell_blending_profiles(robot: Robot, start: tuple[float, ...]) -> None:
    wp = standard_cycle_waypoints(start)
    base = cycle_time(robot, wp, closed=True)
    dwell = np.array([0.3, 0.0, 0.0, 0.25, 0.0, 0.0])  # grip at pick, release at place
    with_dwell = cycle_time(robot, wp, closed=True, dwell=dwell)
    assert with_dwell.total_s == pytest.approx(base.total_s + 0.55)
    assert with_dwell.dwell_s == pytest.approx(0.55)
    blended = cycle_time(robot, wp, closed=True, overlap=1.0)
    # blending never beats the longest move, nor sequential up + down
    seg = base.segments_s
    assert max(seg[1], seg[0] + seg[2]) * 2 * (1 - 1e-6) <= blended.total_s < base.total_s
    s = cycle_time(robot, wp, closed=True, profile="scurve")
    assert s.total_s > base.total_s
    slow = cycle_time(robot, wp, closed=True, speed=0.5)
    assert slow.total_s == pytest.approx(2.0 * base.total_s, rel=1e-6)
    lin = cycle_time(robot, wp, closed=True, move="linear", samples=8)
    assert lin.total_s > 0.0 and np.all(lin.segments_s > 0)
    if robot.orient_ik:
        for q in base.q:
            assert robot.forward(q)[:3, :3] == pytest.approx(TOOL_DOWN, abs=1e-5)


def test_cycle_time_bad_inputs() -> None:
    wp = standard_cycle_waypoints((0.40, -0.15, -0.15))
    with pytest.raises(ValueError, match="dwell must be >= 0 s"):
        cycle_time(SCARA_LS6_602, wp, dwell=-0.1)
    with pytest.raises(ValueError, match="one entry per waypoint"):
        cycle_time(SCARA_LS6_602, wp, dwell=[0.1, 0.2])
    with pytest.raises(ValueError, match="overlap must be in"):
        cycle_time(SCARA_LS6_602, wp, overlap=2.0)
    with pytest.raises(ValueError, match="waypoints must have shape"):
        cycle_time(SCARA_LS6_602, [[0.1, 0.2, 0.3]])
    with pytest.raises(UnreachableError):
        cycle_time(SCARA_LS6_602, standard_cycle_waypoints((0.9, 0.0, -0.1)))


def test_blending_rules() -> None:
    from kernels.kinematics import _blend

    seg = np.array([1.0, 2.0, 1.0])
    no_stop = np.zeros(3, dtype=np.bool_)
    assert _blend(seg, no_stop, 0.0) == pytest.approx(4.0)
    # full overlap: up and down run under the across move, but not under each other
    assert _blend(seg, no_stop, 1.0) == pytest.approx(2.0)
    assert _blend(np.array([1.0, 1.0, 1.0]), no_stop, 1.0) == pytest.approx(2.0)
    assert _blend(seg, no_stop, 0.5) == pytest.approx(3.0)
    assert _blend(seg, np.array([False, False, True]), 1.0) == pytest.approx(3.0)
