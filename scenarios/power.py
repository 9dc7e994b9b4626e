"""Electrical power drawn by stations and resources, by state (format v2).

Power is written as a number of kilowatts or as text with a unit (``"7.5 kW"``, ``"500 W"``)
and stored as float kW. An energy unit (``kWh``) where power is asked is refused with a
hint: the energy is what LineLab computes, by integrating power over the time in each state.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG
from .units import show_value

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

POWER_UNITS: dict[str, float] = {"w": 0.001, "kw": 1.0, "mw": 1000.0}
"""Accepted power units (case-insensitive) and their size in kW."""

_ENERGY_UNITS = {"wh", "kwh", "mwh", "j", "kj", "mj"}

_NUMBER = r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_POWER_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\s\d.+-][^\s]*)?\s*$")

POWER_PATTERN = rf"^\s*{_NUMBER}\s*(?:[kKmM]?[wW])?\s*$"
"""Regular expression (JSON Schema ``pattern``) of a power written as text."""

_EXPECTED = "expected a power like '7.5 kW', '500 W' or a number of kW"


def parse_power(value: object) -> float:
    """Convert a power to float kW: a number (kW) or text ``"<number> <unit>"`` (W, kW, MW).

    Raises:
        ValueError: not a power, an energy unit such as ``kWh``, an unknown unit, a negative,
            NaN or infinite value, or more than :data:`MAX_POWER_KW`.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{_EXPECTED}, got {show_value(value)}")
    if isinstance(value, str):
        match = _POWER_RE.match(value)
        if match is None:
            raise ValueError(f"{_EXPECTED}, got {show_value(value)}")
        unit = (match.group("unit") or "kw").lower()
        if unit in _ENERGY_UNITS:
            raise ValueError(
                f"{show_value(value)} is an energy, but a power is asked here; write the power "
                "drawn in this state (kW or W) and LineLab integrates it over time"
            )
        if unit not in POWER_UNITS:
            raise ValueError(
                f"unknown power unit {match.group('unit')!r} in {show_value(value)} "
                "(use W, kW or MW)"
            )
        try:
            number = float(match.group("num").replace("_", "")) * POWER_UNITS[unit]
        except ValueError:
            raise ValueError(f"{_EXPECTED}, got {show_value(value)}") from None
    else:
        number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"must be a finite power, got {show_value(value)}")
    if number < 0:
        raise ValueError(f"must be >= 0, got {show_value(value)}")
    if number > MAX_POWER_KW:
        raise ValueError(
            f"must be at most 100 MW per unit, got {show_value(value)}; check the unit"
        )
    return number


def _to_kw(value: Any) -> Any:
    try:
        return parse_power(value)
    except ValueError as exc:
        raise PydanticCustomError("linelab", "{message}", {"message": str(exc)}) from None


Kilowatts = Annotated[
    float,
    BeforeValidator(
        _to_kw,
        json_schema_input_type=float | Annotated[str, Field(pattern=POWER_PATTERN)],
    ),
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
