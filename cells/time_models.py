"""Process-time models → process times: the bridge from a scenario's ``model:`` spec
(``scenarios.time_models``) to the numeric kernels and to a sampler the engine calls.

The time of a ``robot_task``, ``cnc_program`` or ``molding`` spec is computed once, with the
kernels (``kernels.robot_tasks``, ``kernels.cnc``, ``kernels.molding``), when the line is built
(:func:`evaluate`, cached per spec). For the engine the model then *is* a distribution
(:func:`equivalent_distribution`): a constant at the computed time, or with ``variation`` > 0 a
lognormal with that mean and cv. So it is drawn by the same :class:`~cells.sampling.Sampler`
as any other process time, in blocks from the element's own stream (a constant draws nothing),
and theory tests get its exact ``mean_s`` and ``second_moment_s2``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from cells.sampling import Sampler
from kernels.cnc import cnc_program_time
from kernels.kinematics import TOOL_DOWN, UnreachableError, inverse
from kernels.molding import molding_cycle
from kernels.robot_tasks import task_time
from kernels.robots import PRESETS
from scenarios.distributions import Constant, Lognormal
from scenarios.time_models import CncProgram, Molding, RobotTask, TimeModelSpec, is_time_model

__all__ = [
    "TimeModelError",
    "TimeModelResult",
    "check_time_models",
    "equivalent_distribution",
    "evaluate",
    "process_sampler",
]


class TimeModelError(ValueError):
    """A time model that validates but cannot be computed (a waypoint out of the robot's
    reach, a joint value outside its range); the message says which value and ``at`` is the
    key path of that value inside the spec (e.g. ``("waypoints", 1)``)."""

    def __init__(self, message: str, at: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True)
class TimeModelResult:
    """The computed time of a time model.

    ``mean_s``: the time of one operation (s), what every operation takes without
    ``variation``. ``breakdown``: its parts (s) by name, summing to ``mean_s`` (robot:
    motion, gripper, dwell; CNC: cutting, rapid, tool_change, spindle, door_clamp; molding:
    the phases). ``energy_kwh``/``mean_power_kw``: per operation and averaged over it (molding
    with ``power``), else ``None``.
    """

    mean_s: float
    breakdown: dict[str, float]
    energy_kwh: float | None = None
    mean_power_kw: float | None = None


def _joint_ranges(spec: RobotTask) -> None:
    """Every joint value within its joint's range, else a TimeModelError at that value
    (degrees for a revolute joint, mm for a prismatic one, as people write them)."""
    robot = PRESETS[spec.robot]
    for i, row in enumerate(spec.joints or ()):
        for k, value in enumerate(row):
            lo, hi = float(robot.q_min[k]), float(robot.q_max[k])
            if lo - 1e-12 <= value <= hi + 1e-12:
                continue
            if robot.prismatic[k]:
                shown = f"{value * 1e3:g} mm is outside its stroke {lo * 1e3:g} to {hi * 1e3:g} mm"
            else:
                shown = (
                    f"{math.degrees(value):g} deg is outside its range {math.degrees(lo):g} "
                    f"to {math.degrees(hi):g} deg"
                )
            raise TimeModelError(f"joint {k + 1} of {robot.name}: {shown}", at=("joints", i, k))


def _robot_task(spec: RobotTask) -> TimeModelResult:
    robot = PRESETS[spec.robot]
    _joint_ranges(spec)
    gripper = spec.gripper
    points = np.array(spec.waypoints if spec.waypoints is not None else spec.joints)
    base_dwell = np.array(spec.dwell) if isinstance(spec.dwell, tuple) else float(spec.dwell)
    try:
        result = task_time(
            robot,
            points if spec.waypoints is not None else None,
            joints=points if spec.joints is not None else None,
            grip_close=0.0 if gripper is None else gripper.close,
            grip_open=0.0 if gripper is None else gripper.open,
            pick=spec.pick,
            place=spec.place_index,
            dwell=base_dwell,
            move=spec.move,
            profile=spec.profile,
            speed=spec.speed,
            overlap=spec.overlap,
            closed=spec.closed,
        )
    except UnreachableError as exc:
        message, at = _unreachable(spec, points, exc)
        raise TimeModelError(message, at) from None
    return TimeModelResult(
        mean_s=result.total_s,
        breakdown={
            "motion": result.motion_s,
            "gripper": result.gripper_s,
            "dwell": result.dwell_s,
        },
    )


def _unreachable(
    spec: RobotTask, points: Any, exc: UnreachableError
) -> tuple[str, tuple[str | int, ...]]:
    """Name the first waypoint the inverse kinematics cannot reach (solved in the same order
    and with the same seeds as ``kernels.robot_tasks.motion_time``)."""
    robot = PRESETS[spec.robot]
    orientation = TOOL_DOWN if robot.orient_ik else None
    seed = robot.q_home
    for i, p in enumerate(points):
        try:
            seed = inverse(robot, p, orientation, seed)
        except UnreachableError as first:
            x, y, z = (float(c) for c in p)
            return (
                f"({x:g}, {y:g}, {z:g}) m is out of reach of {robot.name} (closest: "
                f"{first.distance:.3g} m away); move the waypoint or choose another robot"
            ), ("waypoints", i)
    return f"out of reach of {robot.name}: {exc}", ("waypoints",)


def _cnc(spec: CncProgram) -> TimeModelResult:
    ops = spec.operations
    result = cnc_program_time(
        [op.cut_length for op in ops],
        [np.nan if op.feed is None else op.feed for op in ops],
        [op.tool for op in ops],
        rapid_lengths=[r for op in ops for r in op.rapid],
        rapid_rate=spec.rapid_rate,
        rapid_acceleration=(np.inf if spec.rapid_acceleration is None else spec.rapid_acceleration),
        tool_change=spec.tool_change,
        spindle=spec.spindle,
        door=spec.door,
        clamp=spec.clamp,
    )
    return TimeModelResult(mean_s=result.total_s, breakdown=result.breakdown)


def _molding(spec: Molding) -> TimeModelResult:
    power = spec.power
    phase_kw = None
    rated = None
    base = 0.0
    if power is not None:
        rated = power.rated
        base = power.base
        phase_kw = {p: getattr(power, p) for p in spec.phases_s}
    cycle = molding_cycle(
        spec.phases_s, drive=spec.drive, rated_kw=rated, phase_kw=phase_kw, base_kw=base
    )
    if power is None:
        return TimeModelResult(mean_s=cycle.cycle_s, breakdown=cycle.phases_s)
    return TimeModelResult(
        mean_s=cycle.cycle_s,
        breakdown=cycle.phases_s,
        energy_kwh=cycle.energy_kwh,
        mean_power_kw=cycle.mean_power_kw,
    )


@functools.lru_cache(maxsize=512)
def evaluate(spec: TimeModelSpec) -> TimeModelResult:
    """The computed time (and energy) of a time-model spec; computed once per distinct spec
    (replications and variants share the result). Raises :class:`TimeModelError` when the
    spec cannot be computed."""
    if isinstance(spec, RobotTask):
        return _robot_task(spec)
    if isinstance(spec, CncProgram):
        return _cnc(spec)
    if isinstance(spec, Molding):
        return _molding(spec)
    raise TypeError(f"not a time model: {type(spec).__name__}")


def equivalent_distribution(spec: TimeModelSpec) -> Constant | Lognormal:
    """The distribution the engine draws for ``spec``: ``constant`` at the computed time, or
    with ``variation`` > 0 ``lognormal`` with the computed time as mean and ``variation`` as
    cv."""
    mean = evaluate(spec).mean_s
    try:
        if spec.variation > 0:
            return Lognormal.model_validate(
                {"dist": "lognormal", "mean": mean, "cv": spec.variation}
            )
        return Constant.model_validate({"dist": "constant", "value": mean})
    except ValidationError as exc:  # e.g. longer than the 1e9 s any duration may be
        message = exc.errors()[0]["msg"]
        raise TimeModelError(f"computed time {mean:g} s: {message}") from None


def process_sampler(process: Any, rng: np.random.Generator) -> Sampler:
    """A sampler of process times for any ``ProcessTime`` of a scenario: a distribution as it
    is, a time model through :func:`equivalent_distribution`."""
    if is_time_model(process):
        return Sampler(equivalent_distribution(process), rng)
    return Sampler(process, rng)


Path = tuple[str | int, ...]


def _process_times(scenario: Any) -> list[tuple[Path, Any]]:
    """Every process time of a scenario with its key path: stations' ``process`` and
    ``tending.time``, products' ``process`` per station."""
    found: list[tuple[Path, Any]] = []
    for i, station in enumerate(getattr(scenario, "stations", ()) or ()):
        found.append((("stations", i, "process"), station.process))
        tending = getattr(station, "tending", None)
        if tending is not None:
            found.append((("stations", i, "tending", "time"), tending.time))
    for j, product in enumerate(getattr(scenario, "products", None) or ()):
        for name, process in (getattr(product, "process", None) or {}).items():
            found.append((("products", j, "process", name), process))
    return found


def check_time_models(scenario: Any) -> list[tuple[Path, str]]:
    """Compute every time model of ``scenario`` (filling the cache) and return the problems
    as ``(key path in the file, message)``, e.g. ``(("stations", 0, "tending", "time",
    "waypoints", 1), "(2.45, 0.15, 0.15) m is out of reach of UR5e ...")``, so the caller
    can report them at their line before time 0. Empty when every model computes."""
    problems: list[tuple[Path, str]] = []
    for path, process in _process_times(scenario):
        if not is_time_model(process):
            continue
        try:
            equivalent_distribution(process)
        except TimeModelError as exc:
            problems.append(((*path, *exc.at), str(exc)))
    return problems
