"""Robot arms as data: the :class:`Robot` record, :func:`make_robot` to describe one, and the
presets with the sources of every number.

Why a module of its own: presets are data that users extend (their own arm, measured
accelerations) without touching the kinematics or the task-time code. Add an arm with
:func:`make_robot` — from a DH table, joint ranges and joint speeds as the vendor publishes
them — and, to use it by key, put it in :data:`PRESETS`. Calibrating ``t_acc`` (or ``a_max``)
on one measured cycle of the real cell is the most effective single improvement of the times
computed from it (``docs/kernels.md``).

Units: metres, radians; joint speeds rad/s (m/s for a prismatic joint), accelerations /s²,
jerks /s³. The table in ``docs/kernels.md`` ("Presets") repeats the sources cited here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from kernels._checks import FloatArray, as_float, positive
from kernels.kinematics import forward_batch

__all__ = [
    "IRB1200_7_70",
    "PRESETS",
    "SCARA_LS6_602",
    "T_ACC_COBOT",
    "T_ACC_INDUSTRIAL",
    "T_JERK",
    "UR5E",
    "Robot",
    "make_robot",
]

BoolArray = npt.NDArray[np.bool_]


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


# Acceleration and jerk limits are not published by any of the three vendors. We assume the
# time to reach full joint speed T_ACC and the time to reach full acceleration T_JERK below
# (typical of servo + reducer axes at light payload); they are the main uncertainty of every
# robot time computed here and are listed as such in docs/kernels.md.
T_ACC_INDUSTRIAL = 0.20  # s, industrial arm and SCARA
T_ACC_COBOT = 0.30  # s, collaborative arm (lower reducer stiffness, safety-rated speeds)
T_JERK = 0.05  # s


def _deg(*values: float) -> FloatArray:
    return np.radians(np.array(values, dtype=np.float64))


def _frozen(name: str, value: Any, n: int, unit: str) -> FloatArray:
    arr = np.ascontiguousarray(as_float(name, value, unit), dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one value per joint ({n}), got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


def make_robot(
    name: str,
    dh: Any,
    *,
    q_min: Any,
    q_max: Any,
    v_max: Any,
    q_home: Any,
    tcp_v_max: float,
    t_acc: float = T_ACC_INDUSTRIAL,
    a_max: Any = None,
    j_max: Any = None,
    tcp_a_max: float | None = None,
    prismatic: Any = None,
    orient_ik: bool = True,
    tool: Any = None,
    base: Any = None,
    vendor_cycle_s: float | None = None,
    source: str = "",
) -> Robot:
    """A :class:`Robot` from published data.

    ``dh``: (n, 4) rows ``(d, a, alpha, offset)`` (m, rad, standard DH). ``q_min``/``q_max``/
    ``q_home``: per joint (rad; m for prismatic joints, marked in ``prismatic``). ``v_max``:
    joint speeds (rad/s, m/s). Where the vendor publishes no acceleration (the usual case)
    ``a_max = v_max / t_acc`` (``t_acc``: seconds to full speed) and ``j_max = a_max /
    T_JERK``; ``tcp_a_max`` defaults to ``tcp_v_max / t_acc``. ``tool``/``base``: 4x4 (m).
    Raises ``ValueError`` naming the argument when a shape or value is wrong.
    """
    dh_arr = np.ascontiguousarray(as_float("dh", dh, "m and rad"), dtype=np.float64)
    if dh_arr.ndim != 2 or dh_arr.shape[1] != 4 or dh_arr.shape[0] == 0:
        raise ValueError(
            f"dh must have shape (n_joints, 4) with rows (d, a, alpha, offset), got {dh_arr.shape}"
        )
    dh_arr.setflags(write=False)
    n = dh_arr.shape[0]
    t = float(positive("t_acc", t_acc, "s"))
    v = _frozen("v_max", positive("v_max", v_max, "rad/s (m/s)"), n, "rad/s (m/s)")
    a = v / t if a_max is None else positive("a_max", a_max, "rad/s^2 (m/s^2)")
    j = a / T_JERK if j_max is None else positive("j_max", j_max, "rad/s^3 (m/s^3)")
    prism = np.zeros(n, dtype=np.bool_) if prismatic is None else np.asarray(prismatic, np.bool_)
    if prism.shape != (n,):
        raise ValueError(f"prismatic must have one entry per joint ({n}), got {prism.shape}")
    prism.setflags(write=False)
    lo = _frozen("q_min", q_min, n, "rad (m)")
    hi = _frozen("q_max", q_max, n, "rad (m)")
    if np.any(lo > hi):
        raise ValueError(f"q_min must be <= q_max for every joint, got {lo} > {hi}")
    tcp_v = float(positive("tcp_v_max", tcp_v_max, "m/s"))
    tcp_a = tcp_v / t if tcp_a_max is None else float(positive("tcp_a_max", tcp_a_max, "m/s^2"))
    kw: dict[str, Any] = {}
    for key, value in (("tool", tool), ("base", base)):
        if value is not None:
            arr = as_float(key, value, "m")
            if arr.shape != (4, 4):
                raise ValueError(f"{key} must be a 4x4 homogeneous transform, got {arr.shape}")
            kw[key] = np.ascontiguousarray(arr)
    return Robot(
        name=name,
        dh=dh_arr,
        prismatic=prism,
        q_min=lo,
        q_max=hi,
        v_max=v,
        a_max=_frozen("a_max", a, n, "rad/s^2 (m/s^2)"),
        j_max=_frozen("j_max", j, n, "rad/s^3 (m/s^3)"),
        tcp_v_max=tcp_v,
        tcp_a_max=tcp_a,
        q_home=_frozen("q_home", q_home, n, "rad (m)"),
        orient_ik=orient_ik,
        vendor_cycle_s=vendor_cycle_s,
        source=source,
        **kw,
    )


# UR5e (collaborative, 5 kg, 850 mm reach).
# DH: Universal Robots, "Parameters for calculations of kinematics and dynamics" (support
#   article 45257, e-Series table: d1 = 0.1625, a2 = -0.425, a3 = -0.3922, d4 = 0.1333,
#   d5 = 0.0997, d6 = 0.0996 m; alpha = pi/2, 0, 0, pi/2, -pi/2, 0).
# Joint ranges +-360 deg and joint speeds 180 deg/s (all joints), TCP speed 1 m/s: UR5e
#   technical specifications (datasheet) and UR5e user manual.
UR5E = make_robot(
    "UR5e",
    [
        [0.1625, 0.0, math.pi / 2, 0.0],
        [0.0, -0.425, 0.0, 0.0],
        [0.0, -0.3922, 0.0, 0.0],
        [0.1333, 0.0, math.pi / 2, 0.0],
        [0.0997, 0.0, -math.pi / 2, 0.0],
        [0.0996, 0.0, 0.0, 0.0],
    ],
    q_min=_deg(-360, -360, -360, -360, -360, -360),
    q_max=_deg(360, 360, 360, 360, 360, 360),
    v_max=_deg(180, 180, 180, 180, 180, 180),
    t_acc=T_ACC_COBOT,
    tcp_v_max=1.0,
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
IRB1200_7_70 = make_robot(
    "ABB IRB 1200-7/0.7",
    [
        [0.3991, 0.0, -math.pi / 2, 0.0],
        [0.0, 0.350, 0.0, -math.pi / 2],
        [0.0, 0.042, -math.pi / 2, 0.0],
        [0.351, 0.0, math.pi / 2, 0.0],
        [0.0, 0.0, -math.pi / 2, 0.0],
        [0.082, 0.0, 0.0, 0.0],
    ],
    q_min=[-2.967, -1.745, -3.491, -4.712, -2.269, -6.283],
    q_max=[2.967, 2.356, 1.222, 4.712, 2.269, 6.283],
    v_max=[5.027, 4.189, 5.236, 6.981, 7.069, 10.472],
    t_acc=T_ACC_INDUSTRIAL,
    tcp_v_max=2.0,
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
SCARA_LS6_602 = make_robot(
    "Epson LS6-602S class SCARA",
    [
        [0.0, 0.325, 0.0, 0.0],
        [0.0, 0.275, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ],
    prismatic=[False, False, True, False],
    q_min=[math.radians(-132), math.radians(-150), -0.200, math.radians(-360)],
    q_max=[math.radians(132), math.radians(150), 0.0, math.radians(360)],
    v_max=[9.5, 9.5, 1.1, math.radians(2600)],
    t_acc=T_ACC_INDUSTRIAL,
    tcp_v_max=2.0,
    q_home=[math.radians(-30), math.radians(60), -0.1, 0.0],
    orient_ik=False,
    vendor_cycle_s=0.42,
    source="Epson LS series SCARA specifications (LS6-602S)",
)

PRESETS: dict[str, Robot] = {
    "ur5e": UR5E,
    "irb1200_7_70": IRB1200_7_70,
    "scara_ls6_602": SCARA_LS6_602,
}
"""Preset robots by key (the keys a scenario's ``robot_task`` names). Add your own with
:func:`make_robot`."""
