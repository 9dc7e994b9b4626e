"""The scenario model, format v1: a serial line of stations with an optional source.

These frozen pydantic models are the schema: each field's docstring becomes its JSON Schema
description and the reference in ``docs/scenario-format.md``. Times are float seconds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, DisplayName, Duration, Name, StrictInt, field_problem
from .distributions import Distribution
from .units import MAX_DURATION_S, MIN_DURATION_S, format_seconds

__all__ = ["FORMAT_VERSION", "Scenario", "Source", "Station"]

FORMAT_VERSION = 1
"""The scenario format version this LineLab reads."""

MAX_SEED = 2**63 - 1

MIN_HORIZON_S = 1e-3
"""Shortest measured period, in seconds (1 ms)."""
HORIZON_PER_WARMUP = 1e-9
"""The horizon must also be at least this fraction of the warm-up (1 s after 1e9 s)."""
MAX_WIP_CAP = 1_000_000
"""Largest CONWIP limit, like the largest buffer: a line never holds a million parts, and
the simulation keeps every part in memory."""


def _positive_mean(dist: Any, what: str) -> None:
    mean = dist.mean_s
    if mean <= 0:
        raise field_problem(
            (what,),
            f"{what} time must have a mean > 0 (every draw would be 0, "
            "so parts would move without time passing)",
        )
    if mean < MIN_DURATION_S:
        raise field_problem(
            (what,),
            f"{what} time must have a mean of at least 1e-6 s (1 microsecond), got a mean "
            f"of {format_seconds(mean)}; a time this small is a typo: check the numbers and "
            "the unit",
        )


class Source(BaseModel):
    """Where parts come from: they arrive one by one, separated by ``interarrival``."""

    model_config = MODEL_CONFIG

    interarrival: Distribution
    """Time between two arrivals: a distribution or a bare duration (a constant). Its mean
    must be at least 1e-6 s."""

    @model_validator(mode="after")
    def _arrivals_take_time(self) -> Source:
        _positive_mean(self.interarrival, "interarrival")
        return self


class Station(BaseModel):
    """One step of the route: ``servers`` identical units in parallel with a buffer in front."""

    model_config = MODEL_CONFIG

    name: Name
    """Unique station name, used for result keys (``stations.<name>``) and messages: 1 to 200
    characters, no control or invisible character, no dot (``.`` separates path steps)."""
    servers: Annotated[StrictInt, Field(ge=1, le=10_000)] = 1
    """Number of identical parallel units, 1 to 10,000."""
    process: Distribution
    """Processing time of one part on one unit: a distribution or a bare duration (a
    constant). Its mean must be at least 1e-6 s."""
    buffer: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None
    """Places in front of this station, not counting parts in service, 0 to 1,000,000.
    Omitted or null: unlimited. 0: no buffer, so the upstream unit stays blocked holding its
    finished part until a unit here is free."""

    @model_validator(mode="after")
    def _processing_takes_time(self) -> Station:
        _positive_mean(self.process, "process")
        return self


class Scenario(BaseModel):
    """A LineLab scenario, format version 1."""

    model_config = MODEL_CONFIG

    linelab: Literal[1]
    """Format version of the file; this LineLab reads version 1."""
    name: DisplayName
    """Name of the scenario, shown in reports: 1 to 200 characters, no control or invisible
    character (dots are fine)."""
    horizon: Annotated[Duration, Field(gt=0)]
    """Measured time per replication, after the warm-up: at least 1 ms, and at least a
    billionth of the warm-up, so that float64 times measure it to a relative 2.2e-7. A run
    simulates ``warmup + horizon``; together they may not exceed 1e9 s (about 31 years)."""
    warmup: Annotated[Duration, Field(ge=0)] = 0.0
    """Warm-up time simulated before measuring starts, >= 0. Statistics cover only the
    measured period (parts that entered during warm-up count when they finish after it)."""
    replications: Annotated[StrictInt, Field(ge=1, le=100_000)] = 1
    """Number of independent replications, 1 to 100,000."""
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] = 0
    """Root random seed, 0 to 2^63 − 1. Results depend only on the scenario and this seed."""
    source: Source | None = None
    """Optional arrival process. Without it the first station never starves: a part enters
    the line whenever the first station can start one. With it, arriving parts wait in front
    of the line (nothing is lost) while the first buffer is full or ``wip_cap`` is reached."""
    wip_cap: Annotated[StrictInt, Field(ge=1, le=MAX_WIP_CAP)] | None = None
    """Optional CONWIP limit, 1 to 1,000,000: at most this many parts are in the line; a new
    part is released when one leaves the last station. Omitted or null: no limit."""
    stations: Annotated[tuple[Station, ...], Field(min_length=1)]
    """The stations in route order (at least one): every part visits every station in turn."""

    @field_validator("linelab", mode="before")
    @classmethod
    def _known_version(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value != FORMAT_VERSION:
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {
                    "message": f"unsupported format version {value}; "
                    f"this LineLab reads version {FORMAT_VERSION}"
                },
            )
        if not (isinstance(value, int) and not isinstance(value, bool)):
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {"message": f"the format version must be the number {FORMAT_VERSION}"},
            )
        return value

    @field_validator("horizon")
    @classmethod
    def _measurable(cls, value: float) -> float:
        if value < MIN_HORIZON_S:
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {
                    "message": f"must be at least 1 ms (0.001 s), got {value!r} s; "
                    "nothing can be measured in a shorter period"
                },
            )
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        if self.horizon < HORIZON_PER_WARMUP * self.warmup:
            raise field_problem(
                ("horizon",),
                f"must be at least a billionth of the warm-up "
                f"({format_seconds(HORIZON_PER_WARMUP * self.warmup)} after a warm-up of "
                f"{format_seconds(self.warmup)}), got {self.horizon!r} s; "
                "a shorter period cannot be measured that late on the clock",
            )
        if self.horizon + self.warmup > MAX_DURATION_S:
            raise field_problem(
                ("horizon",),
                "warmup + horizon must be at most 1e9 s (about 31 years); "
                f"got {self.warmup + self.horizon:g} s",
            )
        first: dict[str, int] = {}
        for index, station in enumerate(self.stations):
            if station.name in first:
                raise field_problem(
                    ("stations", index, "name"),
                    f"duplicate station name {station.name!r} "
                    f"(first at stations[{first[station.name]}])",
                    first_at=("stations", first[station.name], "name"),
                )
            first[station.name] = index
        return self

    @property
    def run_length_s(self) -> float:
        """Simulated time per replication: ``warmup + horizon``."""
        return self.warmup + self.horizon
