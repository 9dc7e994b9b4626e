"""Injection-molding cycle: time, energy per cycle and mean power, hydraulic or servo drive.

Why: a molding machine's cycle is a fixed sequence of phases whose durations come from the
mold and the process sheet (cooling dominates), and its energy depends on the drive: a
fixed-displacement hydraulic pump runs the whole cycle and dumps the oil it does not need over
the relief valve, while a servo-driven pump (or servo axes) draws power only when something
moves or holds pressure. Replacing one by the other is an energy question the line model
answers per part.

Phases, in order: close, inject, hold, cool (screw recovery runs meanwhile), open, eject,
take_out (robot take-out with the mold open). Cycle time = their sum. Energy per cycle =
Σ (drive power + base power) × duration. Units: s, kW, kWh. Default drive powers (as shares
of the rated drive power) and their sources in ``docs/kernels.md`` ("Injection molding").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from kernels._checks import FloatArray, nonnegative

__all__ = ["DRIVE_SHARES", "PHASES", "MoldingCycle", "molding_cycle", "phase_power"]

PHASES: tuple[str, ...] = ("close", "inject", "hold", "cool", "open", "eject", "take_out")
"""The phases of a cycle, in order."""

DRIVE_SHARES: dict[str, dict[str, float]] = {
    # fixed-displacement pump: runs at full speed all cycle; what the axes do not use goes
    # over the relief valve. Waiting (cool, take-out) still draws the base load of the pump.
    "hydraulic": {
        "close": 0.60,
        "inject": 1.00,
        "hold": 0.60,
        "cool": 0.35,
        "open": 0.60,
        "eject": 0.50,
        "take_out": 0.35,
    },
    # servo-driven pump: speed follows demand; near standstill while cooling (the screw
    # recovery during cooling is most of that 0.10) and while the robot takes the part out.
    "servo": {
        "close": 0.60,
        "inject": 1.00,
        "hold": 0.30,
        "cool": 0.10,
        "open": 0.60,
        "eject": 0.30,
        "take_out": 0.05,
    },
}
"""Default drive power in each phase as a share of the rated drive power (assumed typical
values, see ``docs/kernels.md``: with them a servo drive uses about half the energy of a
fixed pump on a cooling-dominated cycle, and the fixed pump's waiting load is about 3/4 of its
energy, as the sources report)."""


@dataclass(frozen=True)
class MoldingCycle:
    """Result of :func:`molding_cycle`.

    ``cycle_s``: the cycle time (s). ``phases_s``/``power_kw``: duration (s) and total power
    (kW, drive + base) of each phase. ``energy_kwh`` per cycle and ``mean_power_kw`` (energy /
    cycle time) are ``None`` when no power was given.
    """

    cycle_s: float
    phases_s: dict[str, float]
    power_kw: dict[str, float] | None
    energy_kwh: float | None
    mean_power_kw: float | None


def phase_power(
    drive: Literal["servo", "hydraulic"],
    rated_kw: float | None = None,
    phase_kw: Mapping[str, float | None] | None = None,
) -> FloatArray:
    """Drive power (kW) in each phase of :data:`PHASES`: ``phase_kw[phase]`` where given,
    else ``DRIVE_SHARES[drive][phase] × rated_kw``. Raises ``ValueError`` for an unknown drive
    or phase, or when a phase has neither (``rated_kw`` omitted)."""
    if drive not in DRIVE_SHARES:
        raise ValueError(f"drive must be one of {', '.join(DRIVE_SHARES)}, got {drive!r}")
    given = dict(phase_kw or {})
    unknown = sorted(set(given) - set(PHASES))
    if unknown:
        raise ValueError(f"unknown phase {unknown[0]!r} (phases: {', '.join(PHASES)})")
    rated = None if rated_kw is None else float(nonnegative("rated_kw", rated_kw, "kW"))
    out = np.empty(len(PHASES))
    for i, phase in enumerate(PHASES):
        value = given.get(phase)
        if value is not None:
            out[i] = float(nonnegative(f"phase_kw[{phase!r}]", value, "kW"))
        elif rated is not None:
            out[i] = DRIVE_SHARES[drive][phase] * rated
        else:
            raise ValueError(f"no power for phase {phase!r}: give it or rated_kw")
    return out


def molding_cycle(
    phases_s: Mapping[str, float],
    *,
    drive: Literal["servo", "hydraulic"],
    rated_kw: float | None = None,
    phase_kw: Mapping[str, float | None] | None = None,
    base_kw: float = 0.0,
) -> MoldingCycle:
    """Cycle time (s), energy per cycle (kWh) and mean power (kW) of a molding cycle.

    ``phases_s``: duration (s, >= 0) of each phase of :data:`PHASES` (a missing phase is 0).
    Power: with neither ``rated_kw`` nor ``phase_kw`` no energy is computed; otherwise the
    drive power of each phase comes from :func:`phase_power` (phases of zero duration need
    none) and ``base_kw`` (heaters, controls) is added in every phase.

        cycle = Σ t_p,   energy = Σ (P_p + base) · t_p / 3600,   mean power = energy / cycle
    """
    unknown = sorted(set(phases_s) - set(PHASES))
    if unknown:
        raise ValueError(f"unknown phase {unknown[0]!r} (phases: {', '.join(PHASES)})")
    t = np.array([float(nonnegative(p, phases_s.get(p, 0.0), "s")) for p in PHASES])
    cycle = math.fsum(t.tolist())
    if not cycle > 0:
        raise ValueError("the cycle takes no time: every phase is 0 s")
    durations = dict(zip(PHASES, t.tolist(), strict=True))
    if rated_kw is None and not phase_kw:
        return MoldingCycle(cycle, durations, None, None, None)
    base = float(nonnegative("base_kw", base_kw, "kW"))
    given: dict[str, Any] = dict(phase_kw or {})
    if rated_kw is None:  # phases that take no time need no power
        for p in PHASES:
            if durations[p] == 0.0 and given.get(p) is None:
                given[p] = 0.0
    power = phase_power(drive, rated_kw, given) + base
    energy = math.fsum((power * t).tolist()) / 3600.0
    return MoldingCycle(
        cycle_s=cycle,
        phases_s=durations,
        power_kw=dict(zip(PHASES, power.tolist(), strict=True)),
        energy_kwh=energy,
        mean_power_kw=energy * 3600.0 / cycle,
    )
