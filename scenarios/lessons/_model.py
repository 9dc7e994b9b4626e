"""The lesson file (``lesson.yaml``) as frozen pydantic models; see docs/training.md."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from .._types import MODEL_CONFIG, StrictFloat, StrictInt
from ._paths import PATH_PATTERN

__all__ = ["LESSON_FORMAT", "LESSON_LANGUAGES", "Check", "LessonFile", "Target", "Text"]

LESSON_FORMAT = 1
"""The lesson-file format version this LineLab reads (``lesson: 1``)."""
LESSON_LANGUAGES = ("en", "zh_CN")
"""Every text of a lesson exists in these languages."""
MAX_REPLICATIONS = 1000
"""Most replications a check may run per variant (a check is meant to take seconds)."""

_Line = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=False)]
_FILE_RE = re.compile(r"^[A-Za-z0-9_.-]+\.ya?ml$")
_PATH_RE = re.compile(PATH_PATTERN)


def _file_name(value: str) -> str:
    if not _FILE_RE.match(value) or value.startswith("."):
        raise PydanticCustomError(
            "linelab",
            "{message}",
            {
                "message": "must be the name of a YAML file in the lesson's folder (letters, "
                f"digits, _ . -, ending in .yaml), got {value!r}"
            },
        )
    return value


def _metric_path(value: str) -> str:
    if not _PATH_RE.match(value):
        raise PydanticCustomError(
            "linelab",
            "{message}",
            {
                "message": f"{value!r} is not a metric path: write dotted steps without spaces, "
                "such as kpis.throughput_per_hour or scenario.stations.mill.servers"
            },
        )
    return value


def _scenario_path(value: str) -> str:
    if not _PATH_RE.match(value):
        raise PydanticCustomError(
            "linelab",
            "{message}",
            {
                "message": f"{value!r} is not a scenario path: write dotted steps without "
                "spaces, such as stations.*.process or economics.lease"
            },
        )
    return value


_File = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_file_name)
]
_Metric = Annotated[
    str, StringConstraints(min_length=1, max_length=300), AfterValidator(_metric_path)
]
_ScenarioPath = Annotated[
    str, StringConstraints(min_length=1, max_length=300), AfterValidator(_scenario_path)
]


class Text(BaseModel):
    """A short text in every language of the course: ``{en: ..., zh_CN: ...}``."""

    model_config = MODEL_CONFIG

    en: _Line
    """English."""
    zh_CN: _Line
    """Simplified Chinese."""

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``en`` or ``zh_CN``); English for any other language."""
        return self.zh_CN if lang == "zh_CN" else self.en


class Target(BaseModel):
    """One condition of the task: a metric with a lower and/or an upper bound."""

    model_config = MODEL_CONFIG

    metric: _Metric
    """Metric path (docs/training.md): ``kpis.throughput_per_hour``, ``scenario.wip_cap``."""
    at_least: StrictFloat | None = None
    """The metric's mean must be at least this (its whole interval above it)."""
    at_most: StrictFloat | None = None
    """The metric's mean must be at most this (its whole interval below it)."""
    label: Text | None = None
    """How the check's table names the target (default: the metric path)."""

    @model_validator(mode="after")
    def _bounds(self) -> Target:
        if self.at_least is None and self.at_most is None:
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {"message": "a target needs 'at_least' or 'at_most' (or both)"},
            )
        if (
            self.at_least is not None
            and self.at_most is not None
            and not self.at_least < self.at_most
        ):
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {
                    "message": f"at_least ({self.at_least:g}) must be below at_most "
                    f"({self.at_most:g})",
                    "at": ("at_least",),
                },
            )
        return self

    def describe(self) -> str:
        """``≥ 420``, ``≤ 2.5`` or ``between 40 and 60``."""
        if self.at_least is not None and self.at_most is not None:
            return f"between {self.at_least:g} and {self.at_most:g}"
        if self.at_least is not None:
            return f"≥ {self.at_least:g}"
        return f"≤ {self.at_most:g}"

    def holds(self, value: float) -> bool:
        """Does an exact ``value`` meet the target (a structural metric)?"""
        if math.isnan(value):
            return False
        low_ok = self.at_least is None or value >= self.at_least
        high_ok = self.at_most is None or value <= self.at_most
        return low_ok and high_ok


class Check(BaseModel):
    """How a submitted scenario is run and judged (docs/training.md, "The verdict")."""

    model_config = MODEL_CONFIG

    seed: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    """Master seed of every check run: the verdict is reproducible (the file's seed is ignored)."""
    replications: Annotated[StrictInt, Field(ge=2, le=MAX_REPLICATIONS)]
    """Replications of the first batch (at least 2: an interval needs two)."""
    max_replications: Annotated[StrictInt, Field(ge=2, le=MAX_REPLICATIONS)]
    """Most replications before the verdict is "undecided" (sequential batches)."""
    batch: Annotated[StrictInt, Field(ge=1, le=MAX_REPLICATIONS)] | None = None
    """Replications added per further batch (default: ``replications``)."""
    variant: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    """The variant of the submitted file that is checked (default: its baseline)."""
    compare: bool = False
    """Run every variant on common random numbers (``linelab compare``); metric paths then
    address the compare JSON (``economics.<V>.payback_years``, ``differences.<V>.kpis...``)."""
    targets: Annotated[tuple[Target, ...], Field(min_length=1)]
    """Every target must be met."""
    fixed: tuple[_ScenarioPath, ...] = ("horizon", "warmup")
    """Scenario paths the submission must leave as in the starting scenario (the given
    machines, the measured period): ``stations.*.process``, ``source``, ``horizon``."""

    @model_validator(mode="before")
    @classmethod
    def _strict_bool(cls, data: Any) -> Any:
        if isinstance(data, dict) and "compare" in data and not isinstance(data["compare"], bool):
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {"message": "must be true or false", "at": ("compare",)},
            )
        return data

    @model_validator(mode="after")
    def _replication_bounds(self) -> Check:
        if self.max_replications < self.replications:
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {
                    "message": f"must be at least replications ({self.replications}), "
                    f"got {self.max_replications}",
                    "at": ("max_replications",),
                },
            )
        return self

    @property
    def batch_size(self) -> int:
        """Replications added per further batch."""
        return self.batch or self.replications

    @property
    def looks(self) -> int:
        """Most times the intervals are looked at: the first batch and each further one."""
        extra = self.max_replications - self.replications
        return 1 + math.ceil(extra / self.batch_size)


class LessonFile(BaseModel):
    """The content of ``lesson.yaml``."""

    model_config = MODEL_CONFIG

    lesson: StrictInt
    """Lesson-file format version (1)."""
    order: Annotated[StrictInt, Field(ge=1, le=1000)]
    """Position in the course (lessons are listed by it)."""
    title: Text
    """Shown in lists and as the heading."""
    teaches: Text
    """One line: what the lesson teaches."""
    start: _File = "start.yaml"
    """The starting scenario, in the lesson's folder: it must fail the check."""
    solution: _File = "solution.yaml"
    """The reference solution, in the lesson's folder: it must pass the check."""
    check: Check
    """The task's measurable targets and how they are checked."""
    hints: tuple[Text, ...] = ()
    """Revealed one at a time, in this order."""

    @model_validator(mode="before")
    @classmethod
    def _version(cls, data: Any) -> Any:
        if isinstance(data, dict) and "lesson" in data:
            version = data["lesson"]
            is_number = isinstance(version, int) and not isinstance(version, bool)
            if is_number and version != LESSON_FORMAT:
                raise PydanticCustomError(
                    "linelab",
                    "{message}",
                    {
                        "message": f"unsupported lesson format version {version}; "
                        f"this LineLab reads version {LESSON_FORMAT}",
                        "at": ("lesson",),
                    },
                )
        return data
