"""Distribution specs for process and interarrival times.

Each spec is a small frozen pydantic model told apart by its ``dist`` key. All parameters are
stored in seconds. ``mean_s`` and ``second_moment_s2`` are exact moments of the variable as
the engine samples it (the normal is truncated at 0 by redrawing, and its moments are the
moments of that truncated normal).
"""

from __future__ import annotations

import abc
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from ._types import MODEL_CONFIG, Duration, DurationInput, StrictFloat, field_problem
from .units import format_seconds

__all__ = [
    "DIST_KINDS",
    "DIST_NAMES",
    "Constant",
    "Distribution",
    "DistributionSpec",
    "DistributionUnion",
    "Empirical",
    "Exponential",
    "Lognormal",
    "Normal",
    "Triangular",
    "Uniform",
    "as_distribution",
]

NonNegDuration = Annotated[Duration, Field(ge=0)]
PosDuration = Annotated[Duration, Field(gt=0)]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class DistributionSpec(BaseModel, abc.ABC):
    """Common base of the distribution specs (abstract: every kind gives its exact moments)."""

    model_config = MODEL_CONFIG

    @property
    @abc.abstractmethod
    def mean_s(self) -> float:
        """Exact mean of the sampled variable, in seconds."""

    @property
    @abc.abstractmethod
    def second_moment_s2(self) -> float:
        """Exact E[X²] of the sampled variable, in s²."""

    @property
    def variance_s2(self) -> float:
        """Exact variance of the sampled variable, in s² (never negative)."""
        return max(0.0, self.second_moment_s2 - self.mean_s**2)

    @property
    def scv(self) -> float:
        """Squared coefficient of variation, variance / mean² (0 for a zero mean)."""
        m = self.mean_s
        return self.variance_s2 / (m * m) if m > 0 else 0.0


class Constant(DistributionSpec):
    """Always the same time; a bare duration (``45 s``) where a distribution is expected."""

    dist: Literal["constant"]
    """Distribution kind: ``constant``."""
    value: NonNegDuration
    """The time, >= 0 (a number of seconds or a duration such as ``45 s``)."""

    @property
    def mean_s(self) -> float:
        """Exact mean: ``value``."""
        return self.value

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²]: ``value²``."""
        return self.value * self.value


class Exponential(DistributionSpec):
    """Exponential (memoryless) time: coefficient of variation 1."""

    dist: Literal["exponential"]
    """Distribution kind: ``exponential``."""
    mean: PosDuration
    """Mean time, > 0."""

    @property
    def mean_s(self) -> float:
        """Exact mean: ``mean``."""
        return self.mean

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²]: ``2·mean²``."""
        return 2.0 * self.mean * self.mean


class Normal(DistributionSpec):
    """Normal time truncated at 0: draws below 0 are redrawn.

    The sampled mean is therefore a little above ``mean`` when ``sd`` is not small compared
    with ``mean``; ``mean_s`` gives the exact value.
    """

    dist: Literal["normal"]
    """Distribution kind: ``normal``."""
    mean: PosDuration
    """Mean of the normal before truncation, > 0."""
    sd: NonNegDuration
    """Standard deviation of the normal before truncation, >= 0 (0 means constant)."""

    def _lambda(self) -> float:
        # Inverse Mills ratio phi(alpha) / (1 - Phi(alpha)) with alpha = -mean/sd.
        alpha = -self.mean / self.sd
        tail = 0.5 * math.erfc(alpha / _SQRT2)  # P(N > 0) = Phi(mean/sd) >= 0.5
        return _INV_SQRT_2PI * math.exp(-0.5 * alpha * alpha) / tail

    @property
    def mean_s(self) -> float:
        """Exact mean of the normal truncated at 0: ``mean + sd·φ(α)/(1 − Φ(α))``, α = −mean/sd."""
        if self.sd == 0:
            return self.mean
        return self.mean + self.sd * self._lambda()

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²] of the truncated normal: ``mean² + sd² + mean·sd·φ(α)/(1 − Φ(α))``."""
        if self.sd == 0:
            return self.mean * self.mean
        return self.mean**2 + self.sd**2 + self.mean * self.sd * self._lambda()


class Lognormal(DistributionSpec):
    """Lognormal time given by the mean and coefficient of variation of the time itself."""

    dist: Literal["lognormal"]
    """Distribution kind: ``lognormal``."""
    mean: PosDuration
    """Mean of the time itself (not of its logarithm), > 0."""
    cv: Annotated[StrictFloat, Field(gt=0, le=1000)]
    """Coefficient of variation of the time itself (sd / mean), a plain number > 0, <= 1000."""

    @property
    def log_sigma(self) -> float:
        """Standard deviation σ of the underlying normal: ``sqrt(ln(1 + cv²))``."""
        return math.sqrt(math.log1p(self.cv * self.cv))

    @property
    def log_mu(self) -> float:
        """Mean μ of the underlying normal: ``ln(mean) − σ²/2``."""
        return math.log(self.mean) - 0.5 * math.log1p(self.cv * self.cv)

    @property
    def mean_s(self) -> float:
        """Exact mean: ``mean``."""
        return self.mean

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²]: ``mean²·(1 + cv²)``."""
        return self.mean * self.mean * (1.0 + self.cv * self.cv)


class Uniform(DistributionSpec):
    """Uniform time between ``low`` and ``high`` (``low == high`` is a constant)."""

    dist: Literal["uniform"]
    """Distribution kind: ``uniform``."""
    low: NonNegDuration
    """Smallest time, >= 0."""
    high: NonNegDuration
    """Largest time, >= ``low``."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise field_problem(
                ("high",),
                f"must be >= low ({format_seconds(self.low)}), got {format_seconds(self.high)}",
            )
        return self

    @property
    def mean_s(self) -> float:
        """Exact mean: ``(low + high) / 2``."""
        return 0.5 * (self.low + self.high)

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²]: ``(low² + low·high + high²) / 3``."""
        a, b = self.low, self.high
        return (a * a + a * b + b * b) / 3.0


class Triangular(DistributionSpec):
    """Triangular time: ``low <= mode <= high`` and ``low < high``."""

    dist: Literal["triangular"]
    """Distribution kind: ``triangular``."""
    low: NonNegDuration
    """Smallest time, >= 0."""
    mode: NonNegDuration
    """Most likely time, between ``low`` and ``high``."""
    high: NonNegDuration
    """Largest time, > ``low``."""

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        low, mode, high = self.low, self.mode, self.high
        if low >= high:
            raise field_problem(
                ("high",),
                f"must be > low ({format_seconds(low)}), got {format_seconds(high)}"
                "; for a fixed time use a constant",
            )
        if not low <= mode <= high:
            raise field_problem(
                ("mode",),
                f"must be between low ({format_seconds(low)}) and high "
                f"({format_seconds(high)}), got {format_seconds(mode)}",
            )
        return self

    @property
    def mean_s(self) -> float:
        """Exact mean: ``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3.0

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²]: ``(low² + mode² + high² + low·mode + low·high + mode·high) / 6``."""
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c + a * b + a * c + b * c) / 6.0


class Empirical(DistributionSpec):
    """Observed times, drawn uniformly with replacement."""

    dist: Literal["empirical"]
    """Distribution kind: ``empirical``."""
    values: Annotated[tuple[NonNegDuration, ...], Field(min_length=1)]
    """The observed times, at least one, each >= 0."""

    @property
    def mean_s(self) -> float:
        """Exact mean: the average of ``values``."""
        return math.fsum(self.values) / len(self.values)

    @property
    def second_moment_s2(self) -> float:
        """Exact E[X²]: the average of the squared ``values``."""
        return math.fsum(v * v for v in self.values) / len(self.values)


DIST_KINDS: dict[str, type[DistributionSpec]] = {
    "constant": Constant,
    "exponential": Exponential,
    "normal": Normal,
    "lognormal": Lognormal,
    "uniform": Uniform,
    "triangular": Triangular,
    "empirical": Empirical,
}
"""Explicit registry: each valid ``dist`` value and its spec class."""

DIST_NAMES: tuple[str, ...] = tuple(DIST_KINDS)
"""The valid values of ``dist``, in documentation order."""


def as_distribution(value: Any) -> Any:
    """Turn a bare duration (a number or ``"45 s"``) into ``{dist: constant, value: ...}``.

    Anything else is passed through for the discriminated union to check.
    """
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


_DistUnion = Annotated[
    Constant | Exponential | Normal | Lognormal | Uniform | Triangular | Empirical,
    Field(discriminator="dist"),
]

_DistInput = DurationInput | _DistUnion

DistributionUnion = _DistUnion
"""The distribution specs told apart by ``dist``, without the bare-duration shorthand
(for fields where a bare duration means something else, such as an exponential MTBF)."""

DistributionInput = _DistInput
"""How a distribution may be written in a file (used for the JSON Schema)."""

Distribution = Annotated[
    _DistUnion,
    BeforeValidator(as_distribution, json_schema_input_type=_DistInput),
]
"""A distribution spec, chosen by its ``dist`` key; a bare duration means a constant."""
