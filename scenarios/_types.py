"""Shared annotated field types: durations, strict numbers, names, and field errors."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from .units import DURATION_PATTERN, parse_duration

__all__ = [
    "MODEL_CONFIG",
    "Duration",
    "DurationInput",
    "Name",
    "StrictFloat",
    "StrictInt",
    "field_problem",
]

MODEL_CONFIG = ConfigDict(
    frozen=True,
    extra="forbid",
    use_attribute_docstrings=True,
    validate_default=False,
    ser_json_inf_nan="strings",
)
"""Configuration shared by every scenario model."""


def _to_seconds(value: Any) -> Any:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", "{message}", {"message": str(exc)}) from None


DurationInput = float | Annotated[str, StringConstraints(pattern=DURATION_PATTERN)]
"""How a duration may be written in a file (used for the JSON Schema)."""

Duration = Annotated[
    float,
    BeforeValidator(_to_seconds, json_schema_input_type=DurationInput),
    Field(allow_inf_nan=False),
]
"""A duration: float seconds once validated; in a file a number of seconds or ``"2.5 min"``."""

StrictInt = Annotated[int, Strict()]
"""An integer; ``true``, ``2.5`` and ``"5"`` are refused."""

StrictFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite plain number (an integer is accepted); ``true`` and ``"5"`` are refused."""

Name = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=200)]
"""Non-empty text of at most 200 characters (checked not to be blank by the models)."""


def field_problem(
    at: tuple[str | int, ...],
    message: str,
    first_at: tuple[str | int, ...] | None = None,
    at_key: bool = False,
) -> PydanticCustomError:
    """An error raised by a model validator that belongs to one of the model's keys.

    The loader appends ``at`` to the error location so the problem is reported at that
    key's value instead of at the whole mapping. ``first_at`` (relative too) names an
    earlier value the message refers to; the loader turns the trailing
    ``(first at <path>)`` of the message into ``(first at line N)``. ``at_key`` reports
    the problem at the key of ``at`` rather than its value (a name used as a key).
    """
    ctx: dict[str, Any] = {"message": message, "at": at}
    if first_at is not None:
        ctx["first_at"] = first_at
    if at_key:
        ctx["at_key"] = True
    return PydanticCustomError("linelab", "{message}", ctx)
