"""The scenario model, format v1: a serial line of stations with an optional source.

These frozen pydantic models are the schema: each field's docstring becomes its JSON Schema
description and the reference in ``docs/scenario-format.md``. Times are float seconds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, Duration, Name, StrictInt, field_problem
from .distributions import Distribution
from .units import MAX_DURATION_S

__all__ = ["FORMAT_VERSION", "Scenario", "Source", "Station"]

FORMAT_VERSION = 1
"""The scenario format version this LineLab reads."""

MAX_SEED = 2**63 - 1


def _check_name(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("linelab", "{message}", {"message": "must not be blank"})
    return value


def _positive_mean(dist: Any, what: str) -> None:
    if dist.mean_s <= 0:
        raise field_problem(
            (what,),
            f"{what} time must have a mean > 0 (every draw would be 0, "
            "so parts would move without time passing)",
        )


class Source(BaseModel):
    """Where parts come from: they arrive one by one, separated by ``interarrival``."""

    model_config = MODEL_CONFIG

    interarrival: Distribution
    """Time between two arrivals: a distribution or a bare duration (a constant). Its mean
    must be > 0."""

    @model_validator(mode="after")
    def _arrivals_take_time(self) -> Source:
        _positive_mean(self.interarrival, "interarrival")
        return self


class Station(BaseModel):
    """One step of the route: ``servers`` identical units in parallel with a buffer in front."""

    model_config = MODEL_CONFIG

    name: Name
    """Unique station name, used for result keys (``stations.<name>``) and messages."""
    servers: Annotated[StrictInt, Field(ge=1, le=10_000)] = 1
    """Number of identical parallel units, 1 to 10,000."""
    process: Distribution
    """Processing time of one part on one unit: a distribution or a bare duration (a
    constant). Its mean must be > 0."""
    buffer: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None
    """Places in front of this station, not counting parts in service, 0 to 1,000,000.
    Omitted or null: unlimited. 0: no buffer, so the upstream unit stays blocked holding its
    finished part until a unit here is free."""

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _check_name(value)

    @model_validator(mode="after")
    def _processing_takes_time(self) -> Station:
        _positive_mean(self.process, "process")
        return self


class Scenario(BaseModel):
    """A LineLab scenario, format version 1."""

    model_config = MODEL_CONFIG

    linelab: Literal[1]
    """Format version of the file; this LineLab reads version 1."""
    name: Name
    """Name of the scenario, shown in reports."""
    horizon: Annotated[Duration, Field(gt=0)]
    """Measured time per replication, after the warm-up, > 0. A run simulates
    ``warmup + horizon``; together they may not exceed 1e9 s (about 31 years)."""
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
    wip_cap: Annotated[StrictInt, Field(ge=1)] | None = None
    """Optional CONWIP limit, >= 1: at most this many parts are in the line; a new part is
    released when one leaves the last station. Omitted or null: no limit."""
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

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _check_name(value)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
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
