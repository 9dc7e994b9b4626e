"""Robot task times (``kernels.robot_tasks``) and robots described as data (``kernels.robots``).

Pins down: joint-value waypoints give synchronised moves whose time is the slowest joint's
trapezoid, computed here by hand (triangle and cruise cases); a task's time is the motion plus
the gripper's close and open plus other dwell, and gripper time makes an exact stop; joint
waypoints and the Cartesian waypoints they solve give the same motion; a joint value outside
its range and bad indices are refused; ``make_robot`` derives accelerations from the time to
full speed and builds an arm whose forward kinematics is the closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from kernels.robot_tasks import (
    joint_motion_time,
    motion_time,
    standard_cycle_waypoints,
    task_time,
)
from kernels.robots import SCARA_LS6_602, T_JERK, UR5E, make_robot

SCARA = SCARA_LS6_602


def test_scara_joint_moves_by_hand() -> None:
    """SCARA limits: J1, J2 9.5 rad/s, J3 1.1 m/s; accelerations v / 0.2 s = 47.5 rad/s²,
    5.5 m/s². J3 down 50 mm: v²/a = 0.22 m > 0.05 m, a triangle 2·sqrt(0.05/5.5) = 0.19069 s.
    J1 by 2 rad: v²/a = 1.9 rad < 2 rad, cruise: 2/9.5 + 9.5/47.5 = 0.41053 s."""
    q0 = [0.0, 1.0, -0.05, 0.0]
    down = joint_motion_time(SCARA, [q0, [0.0, 1.0, -0.10, 0.0]], closed=True)
    t_j3 = 2.0 * math.sqrt(0.05 / 5.5)
    assert down.segments_s == pytest.approx([t_j3, t_j3], rel=1e-12)
    assert down.total_s == pytest.approx(2 * t_j3, rel=1e-12)
    swing = joint_motion_time(SCARA, [q0, [2.0, 1.0, -0.05, 0.0]])
    assert swing.total_s == pytest.approx(2.0 / 9.5 + 9.5 / 47.5, rel=1e-12)
    # both at once: the slower joint sets the time
    both = joint_motion_time(SCARA, [q0, [2.0, 1.0, -0.10, 0.0]])
    assert both.total_s == pytest.approx(max(2.0 / 9.5 + 0.2, t_j3), rel=1e-12)
    # half speed: speeds x 0.5, accelerations x 0.25 -> twice as long
    slow = joint_motion_time(SCARA, [q0, [2.0, 1.0, -0.10, 0.0]], speed=0.5)
    assert slow.total_s == pytest.approx(2 * both.total_s, rel=1e-12)


def test_task_time_adds_gripper_and_dwell() -> None:
    wp = [[0.0, 1.0, -0.05, 0.0], [0.0, 1.0, -0.10, 0.0], [1.0, 1.0, -0.10, 0.0]]
    bare = task_time(SCARA, joints=wp)
    t = task_time(SCARA, joints=wp, grip_close=0.3, grip_open=0.2, pick=1, place=2, dwell=0.05)
    assert t.gripper_s == pytest.approx(0.5)
    assert t.dwell_s == pytest.approx(0.15)
    assert t.total_s == pytest.approx(t.motion_s + 0.65, rel=1e-12)
    assert t.motion_s == pytest.approx(bare.motion_s, rel=1e-12)  # exact stops already
    # with blending, gripper time at a waypoint forces an exact stop there
    blended = task_time(SCARA, joints=wp, overlap=1.0)
    gripped = task_time(SCARA, joints=wp, overlap=1.0, grip_close=0.3, pick=1)
    assert gripped.motion_s > blended.motion_s
    # negative indices count from the end; place defaults to the last waypoint
    last = task_time(SCARA, joints=wp, grip_open=0.2, place=-1)
    assert last.total_s == pytest.approx(bare.total_s + 0.2, rel=1e-12)


def test_joint_waypoints_equal_their_cartesian_solution() -> None:
    wp = standard_cycle_waypoints((0.45, -0.15, 0.15))
    cart = motion_time(UR5E, wp, closed=True, overlap=0.5)
    joint = joint_motion_time(UR5E, cart.q, closed=True, overlap=0.5)
    assert joint.segments_s == pytest.approx(cart.segments_s, rel=1e-12)
    assert joint.total_s == pytest.approx(cart.total_s, rel=1e-12)


def test_bad_task_input() -> None:
    wp = [[0.0, 1.0, -0.05, 0.0], [0.0, 1.0, -0.10, 0.0]]
    with pytest.raises(ValueError, match=r"joints\[1\]\[2\] = -0.3 is outside joint 3's range"):
        joint_motion_time(SCARA, [wp[0], [0.0, 1.0, -0.3, 0.0]])
    with pytest.raises(ValueError, match=r"joints must have shape \(n >= 2, 4\)"):
        joint_motion_time(SCARA, [[0.0, 1.0, -0.05]] * 2)
    with pytest.raises(ValueError, match="give either waypoints"):
        task_time(SCARA)
    with pytest.raises(ValueError, match="place must be a waypoint index -2 to 1, got 2"):
        task_time(SCARA, joints=wp, place=2)
    with pytest.raises(ValueError, match="pick must be >= -2"):
        task_time(SCARA, joints=wp, pick=-3)
    with pytest.raises(ValueError, match="grip_close must be >= 0 s"):
        task_time(SCARA, joints=wp, grip_close=-0.1)
    with pytest.raises(ValueError, match="move must be 'joint'"):
        task_time(SCARA, joints=wp, move="linear")


def test_make_robot_from_data() -> None:
    """A planar two-link arm (0.4 m + 0.3 m) described as a user would."""
    arm = make_robot(
        "planar 2R",
        [[0.0, 0.4, 0.0, 0.0], [0.0, 0.3, 0.0, 0.0]],
        q_min=[-math.pi, -2.5],
        q_max=[math.pi, 2.5],
        v_max=[3.0, 4.0],
        q_home=[0.0, 1.0],
        tcp_v_max=1.5,
        t_acc=0.25,
        orient_ik=False,
    )
    assert arm.a_max == pytest.approx([12.0, 16.0])
    assert arm.j_max == pytest.approx([12.0 / T_JERK, 16.0 / T_JERK])
    assert arm.tcp_a_max == pytest.approx(6.0)
    q = np.array([0.3, -0.7])
    x = 0.4 * math.cos(0.3) + 0.3 * math.cos(-0.4)
    y = 0.4 * math.sin(0.3) + 0.3 * math.sin(-0.4)
    assert arm.forward(q)[:3, 3] == pytest.approx([x, y, 0.0], abs=1e-15)
    assert not arm.v_max.flags.writeable
    # a 1 rad move of joint 1: v²/a = 0.75 rad < 1 -> 1/3 + 3/12 s
    t = joint_motion_time(arm, [[0.0, 1.0], [1.0, 1.0]])
    assert t.total_s == pytest.approx(1 / 3 + 0.25, rel=1e-12)
    with pytest.raises(ValueError, match=r"v_max must have one value per joint \(2\)"):
        make_robot("bad", [[0, 1, 0, 0]] * 2, q_min=[-1, -1], q_max=[1, 1], v_max=[1, 1, 1],
                   q_home=[0, 0], tcp_v_max=1.0)  # fmt: skip
    with pytest.raises(ValueError, match="q_min must be <= q_max"):
        make_robot("bad", [[0, 1, 0, 0]] * 2, q_min=[1, -1], q_max=[-1, 1], v_max=[1, 1],
                   q_home=[0, 0], tcp_v_max=1.0)  # fmt: skip
    with pytest.raises(ValueError, match="t_acc must be > 0 s"):
        make_robot("bad", [[0, 1, 0, 0]], q_min=[-1], q_max=[1], v_max=[1], q_home=[0],
                   tcp_v_max=1.0, t_acc=0.0)  # fmt: skip
