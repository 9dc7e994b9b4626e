"""Electrical power drawn by stations and resources, by state (format v2).

Power is written as a number of kilowatts or as text with a unit (``"7.5 kW"``, ``"500 W"``)
and stored as float kW. An energy unit (``kWh``) where power is asked is refused with a
hint: the energy is what LineLab computes, by integrating power over the time in each state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Annotated

from pydantic import BaseModel, Field

from ._types import MODEL_CONFIG
from .units import NUMBER, POWER_UNITS, parse_quantity, quantity_input, show_value

__all__ = [
    "MAX_POWER_KW",
    "POWER_UNITS",
    "Kilowatts",
    "Power",
    "ResourcePower",
    "parse_power",
]

MAX_POWER_KW = 100_000.0
"""Largest power accepted for one unit, in kW (100 MW: more is a unit mistake)."""

POWER_PATTERN = rf"^\s*{NUMBER}\s*(?:[kKmM]?[wW])?\s*$"
"""Regular expression (JSON Schema ``pattern``) of a power written as text."""

_EXPECTED = "expected a power like '7.5 kW', '500 W' or a number of kW"


def _energy_for_power(shown: str, number: float, unit: str) -> str:
    return (
        f"{shown} is an energy, but a power is asked here; write the power drawn in this "
        "state (kW or W) and LineLab integrates it over time"
    )


def parse_power(
    value: object, *, hints: Mapping[str, Callable[[str, float, str], str]] | None = None
) -> float:
    """Convert a power to float kW: a number (kW) or text ``"<number> <unit>"`` (W, kW, MW).

    ``hints`` replaces the message for a unit of another dimension (``"energy"``,
    ``"time"``, …), as in :func:`scenarios.units.parse_quantity`.

    Raises:
        ValueError: not a power, an energy unit such as ``kWh`` or another kind of quantity
            (with a hint), an unknown unit, a negative, NaN or infinite value, or more than
            :data:`MAX_POWER_KW`.
    """
    number = parse_quantity(
        value,
        "power",
        expected=_EXPECTED,
        asked="a power",
        write="'7.5 kW', '500 W' or a number of kW",
        noun="power",
        known="W, kW or MW",
        hints={"energy": _energy_for_power, **(hints or {})},
    )
    if not math.isfinite(number):
        raise ValueError(f"must be a finite power, got {show_value(value)}")
    if number < 0:
        raise ValueError(f"must be >= 0, got {show_value(value)}")
    if number > MAX_POWER_KW:
        raise ValueError(
            f"must be at most 100 MW per unit, got {show_value(value)}; check the unit"
        )
    return number


Kilowatts = Annotated[
    float,
    quantity_input(parse_power, POWER_PATTERN),
    Field(ge=0, allow_inf_nan=False),
]
"""Power: float kW once validated; in a file a number of kW or ``"7.5 kW"``, ``"500 W"``."""

STATION_POWER_STATES: tuple[str, ...] = ("busy", "idle", "down", "setup", "off_shift", "tending")
"""Keys of a station's ``power``."""
RESOURCE_POWER_STATES: tuple[str, ...] = ("busy", "idle", "tending", "off_shift")
"""Keys of a resource's ``power``."""


class Power(BaseModel):
    """Power one server of a station draws in each state, in kW.

    A state not listed draws the ``idle`` power; without ``idle`` it draws nothing.
    """

    model_config = MODEL_CONFIG

    busy: Kilowatts | None = None
    """Power while processing a part (``busy``)."""
    idle: Kilowatts | None = None
    """Power in every state not listed (starved, blocked, waiting for a resource); default 0."""
    down: Kilowatts | None = None
    """Power while failed or under repair (``down``); default ``idle``."""
    setup: Kilowatts | None = None
    """Power during a changeover (``setup``); default ``idle``."""
    off_shift: Kilowatts | None = None
    """Power outside the station's shifts (``off_shift``); default ``idle``."""
    tending: Kilowatts | None = None
    """Power while a resource loads or unloads it (``tending``); default ``idle``."""

    def kw(self, state: str) -> float:
        """Power in kW drawn in the station state ``state`` (any state name is accepted)."""
        idle = self.idle if self.idle is not None else 0.0
        value = getattr(self, state, None) if state in STATION_POWER_STATES else None
        return float(value) if value is not None else idle


class ResourcePower(BaseModel):
    """Power one unit of a resource (a robot, say) draws in each state, in kW."""

    model_config = MODEL_CONFIG

    busy: Kilowatts | None = None
    """Power while operating a station or repairing (a vehicle: while travelling or
    handling a part); default ``idle``."""
    idle: Kilowatts | None = None
    """Power while waiting for work and in every state not listed; default 0."""
    tending: Kilowatts | None = None
    """Power while loading or unloading a machine; default ``idle``."""
    off_shift: Kilowatts | None = None
    """Power outside the resource's shifts; default ``idle``."""

    def kw(self, state: str) -> float:
        """Power in kW drawn in the resource state ``state`` (``idle``, ``tending``,
        ``operating``, ``repairing``, ``off_shift``, a vehicle's ``travel_loaded``,
        ``travel_empty`` and ``handling`` (all ``busy``), …)."""
        idle = self.idle if self.idle is not None else 0.0
        value = {
            "operating": self.busy,
            "repairing": self.busy,
            "busy": self.busy,
            "travel_loaded": self.busy,
            "travel_empty": self.busy,
            "handling": self.busy,
            "tending": self.tending,
            "off_shift": self.off_shift,
        }.get(state)
        return float(value) if value is not None else idle
