"""Process-time models: a time computed from what the equipment does, not typed in.

Wherever a time is asked (``process``, ``tending.time``), format 2 accepts, besides a
distribution, a mapping with a ``model:`` key:

- ``robot_task``: a robot preset moving through waypoints (Cartesian or joint values), plus
  gripper and other dwell;
- ``cnc_program``: operations with cut lengths and feeds, rapid moves, tool changes, spindle
  start/stop, door and clamping;
- ``molding``: an injection-molding cycle (close, inject, hold, cool, open, eject, optional
  take-out) with a hydraulic or servo drive and power per phase.

These models are only the *specification*. The time itself is computed by ``cells.time_models``
with the numeric kernels (``kernels.robot_tasks``, ``kernels.cnc``, ``kernels.molding``): this
package imports only pydantic and pyyaml (layer rule). Each spec is validated so that its time
is > 0; ``variation`` (a coefficient of variation, default 0 = the computed time every time)
turns it into a lognormal with the computed time as its mean.

Units: lengths are metres when written as numbers, or text with a unit (``"1200 mm"``); speeds
m/s or ``"800 mm/min"``, ``"48 m/min"``; accelerations m/s² or ``"5 m/s2"``; joint values rad
(m for a prismatic joint) or ``"90 deg"``; power kW or ``"7.5 kW"``, ``"500 W"``; times are
durations (``"1.2 s"``). ``docs/time-models.md`` has an example for every key.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, Duration, DurationInput, Name, StrictFloat, field_problem
from .distributions import Distribution
from .units import NUMBER, dimension_of, show_value

__all__ = [
    "MODEL_KINDS",
    "MODEL_NAMES",
    "ROBOT_PRESETS",
    "CncOperation",
    "CncProgram",
    "Gripper",
    "Molding",
    "MoldingPower",
    "ProcessTime",
    "RobotTask",
    "TimeModel",
    "TimeModelSpec",
    "is_time_model",
]

NonNegDuration = Annotated[Duration, Field(ge=0)]
Variation = Annotated[StrictFloat, Field(ge=0, le=10)]
_VARIATION_DOC = (
    "Coefficient of variation (sd / mean) of the time around the computed one, a plain number "
    "0 to 10. 0 (default): every operation takes exactly the computed time; above 0: a "
    "lognormal with the computed time as its mean (as {dist: lognormal, mean: <computed>, "
    "cv: ...})."
)

# --------------------------------------------------------------------------- quantities

_QTY_RE = re.compile(rf"^\s*(?P<num>{NUMBER})\s*(?P<unit>[^\s\d.+-].*?)?\s*$")

LENGTH_UNITS: dict[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001}
"""Length units (case-sensitive) and their size in metres."""

SPEED_UNITS: dict[str, float] = {
    "m/s": 1.0,
    "mm/s": 0.001,
    "m/min": 1.0 / 60.0,
    "mm/min": 0.001 / 60.0,
}
"""Speed units and their size in m/s."""

ACCELERATION_UNITS: dict[str, float] = {
    "m/s2": 1.0,
    "m/s^2": 1.0,
    "m/s²": 1.0,
    "mm/s2": 0.001,
    "mm/s^2": 0.001,
    "mm/s²": 0.001,
}
"""Acceleration units and their size in m/s²."""

ANGLE_UNITS: dict[str, float] = {"rad": 1.0, "deg": math.pi / 180.0, "°": math.pi / 180.0}
"""Angle units and their size in radians."""

POWER_UNITS: dict[str, float] = {"kW": 1.0, "W": 0.001, "MW": 1000.0}
"""Power units and their size in kW."""


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("linelab", "{message}", {"message": message})


def _quantity(what: str, units: dict[str, float], si: str, example: str) -> Callable[[Any], Any]:
    """A before-validator: a number (already in ``si``) or text ``"<number> <unit>"``."""

    def parse(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _problem(
                f"expected {what} like {example!r} or a number in {si}, got {show_value(value)}"
            )
        if isinstance(value, int | float):
            number = float(value)
            factor = 1.0
        else:
            match = _QTY_RE.match(value)
            if match is None:
                raise _problem(
                    f"expected {what} like {example!r} or a number in {si}, got {show_value(value)}"
                )
            unit = match.group("unit")
            factor = 1.0
            if unit is not None:
                if unit not in units:
                    hint = ""
                    if what == "a power" and dimension_of(unit) == "energy":
                        hint = f"; '{unit}' is an energy unit, a power is asked (kW)"
                    else:
                        lowered = {u.lower(): u for u in units}
                        close = difflib.get_close_matches(unit.lower(), lowered, n=1, cutoff=0.6)
                        if unit.lower() in lowered:
                            hint = f"; did you mean '{lowered[unit.lower()]}'?"
                        elif close:
                            hint = f"; did you mean '{lowered[close[0]]}'?"
                    raise _problem(
                        f"unknown unit '{unit}' in {show_value(value)} for {what} "
                        f"(use {', '.join(units)}){hint}"
                    )
                factor = units[unit]
            number = float(match.group("num").replace("_", ""))
        if not math.isfinite(number):
            raise _problem(f"must be finite, got {show_value(value)}")
        return number * factor

    return parse


_NUMBER_OR_TEXT = float | str

Length = Annotated[
    float,
    BeforeValidator(
        _quantity("a length", LENGTH_UNITS, "m", "1200 mm"), json_schema_input_type=_NUMBER_OR_TEXT
    ),
    Field(allow_inf_nan=False, ge=0, le=1e6),
]
"""A length >= 0: metres, or text such as ``"1200 mm"``."""

Coordinate = Annotated[
    float,
    BeforeValidator(
        _quantity("a coordinate", LENGTH_UNITS, "m", "450 mm"),
        json_schema_input_type=_NUMBER_OR_TEXT,
    ),
    Field(allow_inf_nan=False, ge=-1e3, le=1e3),
]
"""A position coordinate, -1000 to 1000 m: metres, or text such as ``"450 mm"``."""

Speed = Annotated[
    float,
    BeforeValidator(
        _quantity("a speed", SPEED_UNITS, "m/s", "800 mm/min"),
        json_schema_input_type=_NUMBER_OR_TEXT,
    ),
    Field(allow_inf_nan=False, gt=0, le=1e3),
]
"""A speed > 0: m/s, or text such as ``"800 mm/min"``, ``"48 m/min"``."""

Acceleration = Annotated[
    float,
    BeforeValidator(
        _quantity("an acceleration", ACCELERATION_UNITS, "m/s²", "5 m/s2"),
        json_schema_input_type=_NUMBER_OR_TEXT,
    ),
    Field(allow_inf_nan=False, gt=0, le=1e4),
]
"""An acceleration > 0: m/s², or text such as ``"5 m/s2"``."""

Power = Annotated[
    float,
    BeforeValidator(
        _quantity("a power", POWER_UNITS, "kW", "7.5 kW"), json_schema_input_type=_NUMBER_OR_TEXT
    ),
    Field(allow_inf_nan=False, ge=0, le=1e5),
]
"""A power >= 0: kW, or text such as ``"7.5 kW"``, ``"500 W"`` (an energy unit is an error)."""

JointValue = Annotated[
    float,
    BeforeValidator(
        _quantity(
            "a joint value",
            {**ANGLE_UNITS, **LENGTH_UNITS},
            "rad (m for a prismatic joint)",
            "90 deg",
        ),
        json_schema_input_type=_NUMBER_OR_TEXT,
    ),
    Field(allow_inf_nan=False, ge=-1e3, le=1e3),
]
"""A joint value: radians (metres for a prismatic joint), or text ``"90 deg"``, ``"-50 mm"``."""


# --------------------------------------------------------------------------- base


class TimeModelSpec(BaseModel):
    """Common base of the process-time models (told apart by ``model``)."""

    model_config = MODEL_CONFIG

    if TYPE_CHECKING:  # each model declares it last, so it comes last in messages and schema
        variation: float


# --------------------------------------------------------------------------- robot task

ROBOT_PRESETS: dict[str, str] = {
    "ur5e": "RRRRRR",
    "irb1200_7_70": "RRRRRR",
    "scara_ls6_602": "RRPR",
}
"""Robot preset keys (``kernels.robots.PRESETS``) and their joints, R revolute, P prismatic.
A test checks this against the kernels' presets (this package may not import them)."""

Point = tuple[Coordinate, Coordinate, Coordinate]


class Gripper(BaseModel):
    """Gripper actuation times: closing on the part and opening to release it."""

    model_config = MODEL_CONFIG

    close: NonNegDuration
    """Time to close the gripper (or build up vacuum) and confirm the grip, >= 0."""
    open: NonNegDuration
    """Time to open the gripper (or release vacuum) and confirm the release, >= 0."""


def _as_gripper(value: Any) -> Any:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"close": value, "open": value}
    return value


GripperInput = Annotated[
    Gripper,
    BeforeValidator(_as_gripper, json_schema_input_type=DurationInput | Gripper),
]


class RobotTask(TimeModelSpec):
    """A robot's task: a preset moving through waypoints, with gripper and other dwell.

    The time is the motion (inverse kinematics at every Cartesian waypoint, then synchronised
    joint moves or straight tool lines under the preset's limits) plus the gripper times at
    ``pick`` and ``place`` plus ``dwell``. With ``closed`` (default) the robot returns to the
    first waypoint, so the task can repeat.
    """

    model: Literal["robot_task"]
    """Time model: ``robot_task``."""
    robot: Literal["ur5e", "irb1200_7_70", "scara_ls6_602"]
    """Robot preset: ``ur5e`` (UR5e), ``irb1200_7_70`` (ABB IRB 1200-7/0.7) or
    ``scara_ls6_602`` (Epson LS6-602S-class SCARA)."""
    waypoints: Annotated[tuple[Point, ...], Field(max_length=1000)] | None = None
    """Tool positions ``[x, y, z]`` in the robot's base frame, metres (or ``"450 mm"``), at
    least two. Give either ``waypoints`` or ``joints``."""
    joints: (
        Annotated[
            tuple[tuple[JointValue, ...], ...],
            Field(max_length=1000),
        ]
        | None
    ) = None
    """Joint values at each waypoint, one row per waypoint with one value per joint: radians
    (metres for the SCARA's vertical axis), or text such as ``"90 deg"``, ``"-50 mm"``."""
    move: Literal["joint", "linear"] = "joint"
    """``joint`` (default): point-to-point joint moves, all joints starting and stopping
    together; ``linear``: straight tool lines (Cartesian ``waypoints`` only)."""
    profile: Literal["trapezoidal", "scurve"] = "trapezoidal"
    """Velocity profile of each move: ``trapezoidal`` (default) or jerk-limited ``scurve``."""
    speed: Annotated[StrictFloat, Field(gt=0, le=1)] = 1.0
    """Fraction of the preset's speed limits, > 0 to 1 (accelerations scale with its square)."""
    overlap: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.0
    """Corner blending, 0 to 1: 0 (default) stops exactly at every waypoint, 1 lets each move
    overlap its neighbours completely (the vendors' "arch" motion)."""
    closed: bool = True
    """Return from the last waypoint to the first (default true: the task repeats)."""
    gripper: GripperInput | None = None
    """Gripper times: one duration for both closing and opening, or ``{close, open}``.
    Omitted: no gripper time."""
    pick: Annotated[int, Field(ge=0, strict=True)] = 0
    """Index (from 0) of the waypoint where the gripper closes; default the first."""
    place: Annotated[int, Field(ge=0, strict=True)] | None = None
    """Index (from 0) of the waypoint where the gripper opens; default the last."""
    dwell: NonNegDuration | Annotated[tuple[NonNegDuration, ...], Field(min_length=1)] = 0.0
    """Other waiting at the waypoints (part-present sensors, interlocks, handshakes): one
    duration for every waypoint, or one per waypoint. Default 0."""
    variation: Variation = Field(default=0.0, description=_VARIATION_DOC)

    @model_validator(mode="before")
    @classmethod
    def _joint_units(cls, data: Any) -> Any:
        """A revolute joint needs an angle, a prismatic one a length (when a unit is written)."""
        if not isinstance(data, dict):
            return data
        kinds = ROBOT_PRESETS.get(data.get("robot"))  # type: ignore[arg-type]
        rows = data.get("joints")
        if kinds is None or not isinstance(rows, list):
            return data
        for i, row in enumerate(rows):
            if not isinstance(row, list):
                continue
            if len(row) != len(kinds):
                raise field_problem(
                    ("joints", i),
                    f"{data['robot']} has {len(kinds)} joints: give {len(kinds)} values per "
                    f"row, got {len(row)}",
                )
            for k, value in enumerate(row):
                if not isinstance(value, str):
                    continue
                match = _QTY_RE.match(value)
                unit = match.group("unit") if match else None
                if unit is None:
                    continue
                if kinds[k] == "R" and unit in LENGTH_UNITS:
                    raise field_problem(
                        ("joints", i, k),
                        f"joint {k + 1} of {data['robot']} is revolute: give an angle "
                        f"('90 deg' or radians), got {show_value(value)}",
                    )
                if kinds[k] == "P" and unit in ANGLE_UNITS:
                    raise field_problem(
                        ("joints", i, k),
                        f"joint {k + 1} of {data['robot']} is prismatic: give a length "
                        f"('-50 mm' or metres), got {show_value(value)}",
                    )
        return data

    @model_validator(mode="after")
    def _consistent(self) -> RobotTask:
        if (self.waypoints is None) == (self.joints is None):
            which = "both" if self.waypoints is not None else "neither"
            raise field_problem(
                ("joints",) if self.joints is not None else (),
                f"give either 'waypoints' (Cartesian, m) or 'joints' (joint values), got {which}",
            )
        n = self.n_points
        if n < 2:
            raise field_problem(
                ("waypoints",) if self.waypoints is not None else ("joints",),
                f"give at least 2 waypoints, got {n}",
            )
        if self.move == "linear" and self.joints is not None:
            raise field_problem(("move",), "linear moves need Cartesian 'waypoints', not 'joints'")
        if self.pick >= n:
            raise field_problem(
                ("pick",), f"must be a waypoint index 0 to {n - 1}, got {self.pick}"
            )
        if self.place is not None and self.place >= n:
            raise field_problem(
                ("place",), f"must be a waypoint index 0 to {n - 1}, got {self.place}"
            )
        if self.gripper is not None and self.pick == self.place_index:
            raise field_problem(
                ("place",),
                f"the gripper cannot close and open at the same waypoint ({self.pick})",
            )
        if isinstance(self.dwell, tuple) and len(self.dwell) != n:
            raise field_problem(
                ("dwell",), f"give one duration per waypoint ({n}), got {len(self.dwell)}"
            )
        points = self.waypoints if self.waypoints is not None else self.joints
        assert points is not None
        moves = any(p != points[0] for p in points[1:])
        if not moves and self.fixed_time_s <= 0:
            raise field_problem(
                ("waypoints",) if self.waypoints is not None else ("joints",),
                "the task takes no time: every waypoint is the same and there is no gripper "
                "or dwell time",
            )
        return self

    @property
    def n_points(self) -> int:
        """Number of waypoints (Cartesian or joint)."""
        points = self.waypoints if self.waypoints is not None else self.joints
        return 0 if points is None else len(points)

    @property
    def place_index(self) -> int:
        """Index of the waypoint where the gripper opens (``place``, default the last)."""
        return self.n_points - 1 if self.place is None else self.place

    @property
    def dwell_s(self) -> tuple[float, ...]:
        """Dwell at each waypoint (s): ``dwell`` plus the gripper's close at ``pick`` and open
        at ``place``."""
        n = self.n_points
        out = list(self.dwell) if isinstance(self.dwell, tuple) else [float(self.dwell)] * n
        if self.gripper is not None:
            out[self.pick] += self.gripper.close
            out[self.place_index] += self.gripper.open
        return tuple(out)

    @property
    def fixed_time_s(self) -> float:
        """Time (s) that does not depend on the motion: gripper and dwell, once per waypoint."""
        return math.fsum(self.dwell_s)


# --------------------------------------------------------------------------- CNC program


def _as_lengths(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value
    return [value]


class CncOperation(BaseModel):
    """One operation of a CNC program: one tool cutting along a path at a feed, with the rapid
    moves that position it."""

    model_config = MODEL_CONFIG

    tool: Name
    """Tool name (``T1``); a change of tool between consecutive operations costs a tool change
    and a spindle stop and start."""
    cut_length: Length = 0.0
    """Length of the cutting path at ``feed``, >= 0: metres or text (``"1200 mm"``)."""
    feed: Speed | None = None
    """Feed rate of the cut, > 0: m/s or text (``"800 mm/min"``); required when
    ``cut_length`` > 0."""
    rapid: Annotated[
        tuple[Length, ...],
        BeforeValidator(_as_lengths, json_schema_input_type=float | str | list[float | str]),
    ] = ()
    """Rapid (positioning) moves of this operation: one length or a list, each a separate
    move from rest to rest (with ``rapid_acceleration`` each accelerates and brakes)."""

    @model_validator(mode="after")
    def _feed_for_cut(self) -> CncOperation:
        if self.cut_length > 0 and self.feed is None:
            raise field_problem(
                ("cut_length",),
                "a cut needs a 'feed' (e.g. feed: 800 mm/min)",
            )
        return self


class CncProgram(TimeModelSpec):
    """A CNC program: cutting at feed, rapid moves, tool changes, spindle start/stop, door and
    clamping, executed one after another for each part.

    Tool changes: one wherever an operation's tool differs from the one before it, counting
    the last operation's tool as the one in the spindle when the program starts (the previous
    part's); so one tool means none. Spindle: one start and stop per run of consecutive
    operations with the same tool. ``tool_change`` is tool to tool; with a chip-to-chip time
    (which includes the spindle stop and start) give it as ``tool_change`` and ``spindle: 0``.
    """

    model: Literal["cnc_program"]
    """Time model: ``cnc_program``."""
    operations: Annotated[tuple[CncOperation, ...], Field(max_length=10_000)]
    """The operations in program order, at least one."""
    rapid_rate: Speed | None = None
    """Rapid traverse speed, > 0: m/s or text (``"48 m/min"``); required when an operation has
    rapid moves."""
    rapid_acceleration: Acceleration | None = None
    """Axis acceleration of rapid moves, > 0: m/s² or text (``"5 m/s2"``). Omitted: rapid
    moves run at ``rapid_rate`` from start to end (no acceleration time)."""
    tool_change: NonNegDuration = 0.0
    """Time of one tool change (tool to tool), >= 0."""
    spindle: NonNegDuration = 0.0
    """Time to start the spindle up to speed plus stop it, once per run of one tool, >= 0."""
    door: NonNegDuration = 0.0
    """Time to open and close the door once per part (both together), >= 0."""
    clamp: NonNegDuration = 0.0
    """Time to clamp and unclamp the part once (both together), >= 0."""
    variation: Variation = Field(default=0.0, description=_VARIATION_DOC)

    @model_validator(mode="after")
    def _takes_time(self) -> CncProgram:
        if not self.operations:
            raise field_problem(("operations",), "give at least one operation")
        if self.rapid_rate is None:
            for i, op in enumerate(self.operations):
                if any(r > 0 for r in op.rapid):
                    raise field_problem(
                        ("operations", i, "rapid"),
                        "rapid moves need a 'rapid_rate' on the program (e.g. 48 m/min)",
                    )
        cuts = any(op.cut_length > 0 or any(r > 0 for r in op.rapid) for op in self.operations)
        if not (cuts or self.spindle > 0 or self.door > 0 or self.clamp > 0):
            raise field_problem(
                ("operations",),
                "the program takes no time: no cut, rapid move, spindle, door or clamp time",
            )
        return self


# --------------------------------------------------------------------------- molding

MOLDING_PHASES: tuple[str, ...] = ("close", "inject", "hold", "cool", "open", "eject", "take_out")
"""The phases of a molding cycle, in order."""


class MoldingPower(BaseModel):
    """Electric power drawn in each phase of a molding cycle (kW). A phase left out takes its
    default from ``rated`` and the drive (see ``docs/time-models.md``)."""

    model_config = MODEL_CONFIG

    rated: Power | None = None
    """Rated power of the drive (pump motor or servo motors), kW or text (``"22 kW"``): the
    phases not listed draw the drive's typical share of it."""
    base: Power = 0.0
    """Power drawn in every phase on top of the drive (barrel heaters, controls, temperature
    control units), kW. Default 0."""
    close: Power | None = None
    """Drive power while the mold closes and locks."""
    inject: Power | None = None
    """Drive power while injecting."""
    hold: Power | None = None
    """Drive power during holding pressure."""
    cool: Power | None = None
    """Drive power during cooling (screw recovery runs in this phase)."""
    open: Power | None = None
    """Drive power while the mold opens."""
    eject: Power | None = None
    """Drive power while ejecting."""
    take_out: Power | None = None
    """Drive power while a robot takes the part out (mold open, drive waiting)."""


class Molding(TimeModelSpec):
    """An injection-molding cycle: close, inject, hold, cool, open, eject and an optional
    robot take-out, one after another. Cycle time = their sum; energy = power x duration
    summed over the phases (when ``power`` is given)."""

    model: Literal["molding"]
    """Time model: ``molding``."""
    drive: Literal["servo", "hydraulic"]
    """``servo`` (servo-driven pump or servo axes: draws power only when moving) or
    ``hydraulic`` (fixed-displacement pump running the whole cycle)."""
    close: NonNegDuration
    """Mold close and lock."""
    inject: NonNegDuration
    """Injection (filling)."""
    hold: NonNegDuration
    """Holding (packing) pressure."""
    cool: NonNegDuration
    """Cooling, including screw recovery (plasticizing), which runs meanwhile."""
    open: NonNegDuration
    """Mold open."""
    eject: NonNegDuration
    """Ejection."""
    take_out: NonNegDuration = 0.0
    """Robot take-out with the mold open (it adds to the cycle), default 0."""
    power: MoldingPower | None = None
    """Power per phase for the energy per cycle; omitted: no energy figures."""
    variation: Variation = Field(default=0.0, description=_VARIATION_DOC)

    @model_validator(mode="after")
    def _takes_time(self) -> Molding:
        if sum(getattr(self, p) for p in MOLDING_PHASES) <= 0:
            raise field_problem(("cool",), "the cycle takes no time: every phase is 0")
        power = self.power
        if power is not None and power.rated is None:
            missing = [
                p for p in MOLDING_PHASES if getattr(self, p) > 0 and getattr(power, p) is None
            ]
            if missing:
                raise field_problem(
                    ("power",),
                    "give 'rated' (the drive's rated power) or the power of every phase that "
                    f"takes time; missing: {', '.join(missing)}",
                )
        return self

    @property
    def phases_s(self) -> dict[str, float]:
        """Duration of each phase (s), in cycle order."""
        return {p: float(getattr(self, p)) for p in MOLDING_PHASES}


# --------------------------------------------------------------------------- unions

MODEL_KINDS: dict[str, type[TimeModelSpec]] = {
    "robot_task": RobotTask,
    "cnc_program": CncProgram,
    "molding": Molding,
}
"""Explicit registry: each valid ``model`` value and its spec class."""

MODEL_NAMES: tuple[str, ...] = tuple(MODEL_KINDS)
"""The valid values of ``model``, in documentation order."""

TimeModel = Annotated[RobotTask | CncProgram | Molding, Field(discriminator="model")]
"""A process-time model, chosen by its ``model`` key."""


def _process_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "time_model" if "model" in value else "distribution"
    return "time_model" if isinstance(value, TimeModelSpec) else "distribution"


ProcessTime = Annotated[
    Annotated[Distribution, Tag("distribution")] | Annotated[TimeModel, Tag("time_model")],
    Discriminator(_process_kind),
]
"""Where a time is asked in format 2: a distribution (a bare duration is a constant) or, for a
mapping with a ``model`` key, a time model. Validation errors carry the tag
(``distribution`` or ``time_model``) in their location."""


def is_time_model(value: object) -> bool:
    """Whether a validated process time is a time model (its time comes from
    ``cells.time_models``) rather than a distribution (with ``mean_s``)."""
    return isinstance(value, TimeModelSpec)
