"""Metric paths and debrief placeholders of lesson files (pure Python, no engine code).

A *metric path* names one number that a lesson's check compares with a target, or that a
debrief quotes. It is a dotted path (docs/training.md, "Metric paths"):

- ``scenario.<path>``: *structural*, read from the submitted scenario's resolved model (the
  checked variant), exact, no statistics: ``scenario.stations.mill.servers``,
  ``scenario.resources.robot.count``, ``scenario.wip_cap``. Stations, resources and products
  are addressed by name; a ``*`` step takes every item and the values are added up
  (``scenario.stations.*.buffer``; an unlimited buffer counts as infinity). A path through a
  section the scenario leaves out (``scenario.economics.lease.term`` without a lease) is
  *absent* (:class:`PathAbsent`): its names are checked against the scenario format, and a
  target on it is not met.
- otherwise a path into the run JSON (docs/results.md): ``kpis.throughput_per_hour``,
  ``stations.mill.utilization``, ``stations.mill.states.blocked``, ``resources.robot.utilization``;
  with ``compare: true`` a path into the compare JSON: ``variants.<V>.kpis...``,
  ``differences.<V>.kpis...``, ``economics.<V>.payback_years``, and the run paths above as a
  shorthand for ``variants.<checked variant>.…``.

This module only splits and classifies paths; :mod:`simulator.lesson` resolves them on a run.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

__all__ = [
    "ABSENT",
    "COMPARE_ROOTS",
    "RUN_ROOTS",
    "SPECIAL_PLACEHOLDERS",
    "START_PREFIX",
    "PathAbsent",
    "PathNotFound",
    "Placeholder",
    "format_number",
    "is_structural",
    "placeholders",
    "scenario_item",
    "scenario_value",
    "split_path",
]

RUN_ROOTS = ("kpis", "stations", "resources", "products", "bottleneck")
"""First steps of a path into the run JSON."""
COMPARE_ROOTS = ("variants", "differences", "economics")
"""First steps that exist only in the compare JSON (``check.compare: true``)."""
SPECIAL_PLACEHOLDERS = ("replications",)
"""Placeholders that are not metric paths: ``{replications}`` is the number of replications
the check used (per variant)."""
START_PREFIX = "start."
"""A debrief placeholder ``{start.<metric path>}`` reads the *starting* scenario, run with the
same seed and replications as the submission (common random numbers): before and after."""

_STEP = r"[^\s.{}:]+"
PATH_PATTERN = rf"^{_STEP}(\.{_STEP})*$"
"""A metric path: steps without spaces, dots, braces or colons, joined by dots."""
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_PATH_RE = re.compile(PATH_PATTERN)
_FORMAT_RE = re.compile(r"^[<>^=]?[+\- ]?[,_]?(\.\d{1,2})?[fge%]?$")


def split_path(path: str) -> list[str]:
    """The steps of a dotted path (``"stations.mill.utilization"`` → 3 steps)."""
    return path.split(".")


def is_structural(path: str) -> bool:
    """Is ``path`` read from the submitted scenario (``scenario.…``) rather than the run?"""
    return path == "scenario" or path.startswith("scenario.")


def path_problem(path: str, *, compare: bool) -> str | None:
    """Why ``path`` cannot be a metric path of a lesson (None when it can)."""
    if not _PATH_RE.match(path):
        return (
            f"{path!r} is not a metric path: write dotted steps without spaces, such as "
            "kpis.throughput_per_hour or scenario.stations.mill.servers"
        )
    root = split_path(path)[0]
    if root == "scenario":
        if path == "scenario":
            return "a structural metric names a value: scenario.<key>..., such as scenario.wip_cap"
        return None
    if root in COMPARE_ROOTS and not compare:
        return (
            f"'{root}' exists only in the comparison's results: set 'compare: true' in the "
            "check, or use a path into the run (kpis..., stations..., resources...)"
        )
    if root in RUN_ROOTS or root in COMPARE_ROOTS:
        return None
    valid = ", ".join((*RUN_ROOTS, *(COMPARE_ROOTS if compare else ()), "scenario"))
    return f"unknown metric root '{root}' (valid: {valid})"


@dataclass(frozen=True)
class Placeholder:
    """One ``{path}`` or ``{path:spec}`` in a debrief, with its position in the text."""

    path: str
    spec: str
    """Format spec after the colon (``.0%``, ``.1f``, ``,.0f``); empty: :func:`format_number`."""
    line: int
    """1-based line in the Markdown file."""
    col: int
    """1-based column of the opening brace."""
    start: int
    end: int
    """Character span of the whole ``{...}`` in the text."""

    @property
    def problem(self) -> str | None:
        """Why this placeholder cannot be filled from any run (None if its form is fine)."""
        if self.spec and not _FORMAT_RE.match(self.spec):
            return (
                f"placeholder '{{{self.path}:{self.spec}}}': unknown format '{self.spec}' "
                "(use for example .0%, .1f, ,.0f, or nothing)"
            )
        if self.path in SPECIAL_PLACEHOLDERS:
            return None
        if not _PATH_RE.match(self.path):
            return (
                f"placeholder '{{{self.path}}}' is not a metric path "
                "(write {kpis.throughput_per_hour}; a literal brace is written {{ or }})"
            )
        return None


def placeholders(text: str) -> Iterator[Placeholder]:
    """Every ``{...}`` of ``text`` outside doubled braces (``{{`` and ``}}`` are literal)."""
    masked = text.replace("{{", "\0\0").replace("}}", "\0\0")
    for match in _PLACEHOLDER.finditer(masked):
        inner = match.group(1)
        path, _, spec = inner.partition(":")
        start = match.start()
        line = masked.count("\n", 0, start) + 1
        col = start - (masked.rfind("\n", 0, start) + 1) + 1
        yield Placeholder(path.strip(), spec.strip(), line, col, start, match.end())


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder replaced by ``values[path:spec]`` (or ``values[path]``),
    and doubled braces made single."""
    out: list[str] = []
    last = 0
    masked = text.replace("{{", "\0\0").replace("}}", "\0\0")
    for match in _PLACEHOLDER.finditer(masked):
        out.append(text[last : match.start()])
        inner = match.group(1)
        path, _, spec = inner.partition(":")
        key = f"{path.strip()}:{spec.strip()}" if spec.strip() else path.strip()
        out.append(values[key])
        last = match.end()
    out.append(text[last:])
    return "".join(out).replace("{{", "{").replace("}}", "}")


def format_number(value: float, spec: str = "") -> str:
    """A number as a debrief shows it.

    With ``spec`` (a Python format spec such as ``.0%`` or ``.1f``) exactly that; without,
    about three significant digits: ``1,234`` / ``123`` / ``12.3`` / ``1.23`` / ``0.123``;
    whole numbers without decimals; infinity as ``∞``.
    """
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if spec:
        return format(value, spec)
    size = abs(value)
    if value == round(value) and size < 1e15:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


class PathNotFound(LookupError):
    """A metric path names nothing in the scenario or the run; ``str()`` says which step."""


class PathAbsent(PathNotFound):
    """A valid scenario path runs through a section the scenario leaves out
    (``economics.lease.term`` without a ``lease``): there is no value, and no mistake in the
    path. A target on it is not met; a ``fixed`` path compares it as :data:`ABSENT`."""


class _Absent:
    """The value of a scenario path through a section that is left out."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()
"""What :func:`scenario_item` gives for a path through a left-out section."""


def _options(annotation: Any) -> list[Any]:
    """The alternatives of a type annotation (``Lease | None`` → ``[Lease, NoneType]``)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [option for arg in typing.get_args(annotation) for option in _options(arg)]
    return [annotation]


def _schema_check(annotation: Any, steps: Sequence[str], where: str) -> None:
    """Raise :class:`PathNotFound` unless ``steps`` name something in a value of type
    ``annotation`` (used where the value itself is left out, so its names are checked
    against the scenario format instead)."""
    if not steps:
        return
    step, rest = steps[0], steps[1:]
    fields: list[str] = []
    for option in _options(annotation):
        origin = typing.get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel):
            field = option.model_fields.get(step)
            if field is not None:
                _schema_check(field.annotation, rest, f"{where}.{step}")
                return
            if hasattr(option, step) and not rest:  # a property such as mean_s
                return
            fields.extend(option.model_fields)
        elif origin in (tuple, list) and typing.get_args(option):
            _schema_check(typing.get_args(option)[0], rest, f"{where}.{step}")
            return
        elif origin is dict or option is dict:
            args = typing.get_args(option)
            _schema_check(args[1] if len(args) == 2 else Any, rest, f"{where}.{step}")
            return
    if fields:
        raise PathNotFound(
            f"{where}: no key '{step}' (there are: {', '.join(sorted(set(fields)))})"
        )
    raise PathNotFound(f"{where} is a value, it has no '{step}'")


def scenario_item(
    model: Any, steps: Sequence[str], where: str = "scenario", left_out: list[str] | None = None
) -> Any:
    """The value at ``steps`` inside a resolved scenario model (or sub-model).

    Lists of named items (stations, resources, products, shifts) are entered by name; a
    ``*`` step takes every item and gives ``{name: value}``. A step into a section that is
    left out (``None``: no ``lease``, no ``failures``) gives :data:`ABSENT`, after the rest
    of the path is checked against the scenario format; a value left out at the end of the
    path is ``None``.

    ``left_out`` (if given) collects the sections found left out (``scenario.economics.lease``).

    Raises:
        PathNotFound: a step names nothing (the message names the place: ``stations.probe``).
    """
    current: Any = model
    annotation: Any = None
    for index, step in enumerate(steps):
        here = ".".join((where, *steps[:index])) if where else ".".join(steps[:index])
        here = here or "the scenario"
        if current is None:
            _schema_check(annotation, steps[index:], here)
            if left_out is not None:
                left_out.append(here)
            return ABSENT
        if isinstance(current, list | tuple):
            if step == "*":
                out: dict[str, Any] = {}
                for number, item in enumerate(current):
                    name = str(getattr(item, "name", number))
                    prefix = f"{here}.{name}"
                    out[name] = scenario_item(item, steps[index + 1 :], prefix, left_out)
                return out
            current = _named(current, step, here)
            annotation = None
            continue
        if isinstance(current, dict):
            if step not in current:
                raise PathNotFound(f"{here}: no key '{step}' (there are: {', '.join(current)})")
            current = current[step]
            annotation = None
            continue
        fields = getattr(type(current), "model_fields", None)
        if fields is None:
            raise PathNotFound(f"{here} is a value, it has no '{step}'")
        if step not in fields and not hasattr(current, step):
            raise PathNotFound(
                f"{here}: no key '{step}' (there are: {', '.join(sorted(fields))})"
            )
        annotation = fields[step].annotation if step in fields else None
        current = getattr(current, step)
    return current


def _named(items: Sequence[Any], step: str, where: str) -> Any:
    for item in items:
        if getattr(item, "name", None) == step:
            return item
    names = [str(getattr(item, "name", "?")) for item in items]
    raise PathNotFound(f"{where}: no item named '{step}' (there are: {', '.join(names)})")


def _number(value: Any, shown: str, left_out: Sequence[str] = ()) -> float:
    if value is ABSENT:
        sections = ", ".join(left_out) or "a section"
        raise PathAbsent(f"{shown} is absent: the scenario leaves out {sections}")
    if isinstance(value, dict):  # a ``*`` step: the sum over the items
        return math.fsum(_number(v, shown, left_out) for v in value.values())
    if value is None:
        return math.inf
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    raise PathNotFound(f"{shown} is not a number (it is {type(value).__name__})")


def scenario_value(model: Any, steps: Sequence[str], where: str = "scenario") -> float:
    """The number at ``steps`` inside a resolved scenario model (or sub-model).

    Lists of named items (stations, resources, products) are entered by name; ``*`` takes
    every item and sums the rest of the path over them. ``None`` at the end of the path counts
    as infinity (an unlimited buffer, no CONWIP cap); ``True``/``False`` as 1/0.

    Raises:
        PathAbsent: the path runs through a section the scenario leaves out (no ``lease``).
        PathNotFound: a step names nothing, or the value is not a number.
    """
    left_out: list[str] = []
    value = scenario_item(model, steps, where, left_out)
    return _number(value, ".".join((where, *steps)), left_out)
