"""Read and validate a lesson folder, with ``file:line:col: path: message`` errors.

The lesson file goes through the same safe YAML reader as a scenario
(:func:`scenarios.yamlsafe.read_yaml`: no tags, no alias bombs, duplicate keys reported,
positions kept) and the same translation of validation errors
(:mod:`scenarios.loader`), so a malformed lesson is reported exactly as a malformed scenario.
Then the folder is checked as a whole: the starting scenario and the solution load, the
checked variant exists, every metric path and ``fixed`` path names something, every text
exists in both languages and every debrief placeholder is well formed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import loader as _loader
from ..errors import Problem, ScenarioError
from ..variants import VariantSet
from ..yamlsafe import Document, Pos, format_path, read_yaml
from ._model import LESSON_LANGUAGES, Check, LessonFile, Target, Text
from ._paths import (
    COMPARE_ROOTS,
    SPECIAL_PLACEHOLDERS,
    START_PREFIX,
    PathAbsent,
    PathNotFound,
    Placeholder,
    is_structural,
    path_problem,
    placeholders,
    scenario_item,
    scenario_value,
    split_path,
)

__all__ = [
    "TEXT_KINDS",
    "Lesson",
    "LessonError",
    "fixed_differences",
    "fixed_value",
    "read_lesson",
    "read_lesson_file",
]

MAX_LESSON_BYTES = 1024 * 1024
"""Largest lesson file or lesson text read (1 MiB); real ones are a few kilobytes."""
TEXT_KINDS = ("briefing", "debrief")
"""The Markdown texts of a lesson: ``briefing.<lang>.md`` and ``debrief.<lang>.md``."""
_FOLDER = re.compile(r"^(\d+)-(.+)$")


class LessonError(ScenarioError):
    """A lesson folder could not be read; ``problems`` lists every mistake, each at its
    ``file:line:col`` (the lesson file, a Markdown text, or a scenario of the lesson)."""


def lesson_name(folder: Path) -> str:
    """The lesson's name: its folder's name without the number prefix (``state-charts``)."""
    match = _FOLDER.match(folder.name)
    return match.group(2) if match else folder.name


@dataclass(frozen=True)
class Lesson:
    """A validated lesson: its folder and the content of its ``lesson.yaml``."""

    name: str
    """The folder's name without the number prefix (``state-charts``)."""
    folder: Path
    """The lesson's folder (``scenarios/lessons/01-state-charts``)."""
    spec: LessonFile
    """``lesson.yaml`` as read."""

    @property
    def order(self) -> int:
        """Position in the course."""
        return self.spec.order

    @property
    def title(self) -> Text:
        """The title in both languages."""
        return self.spec.title

    @property
    def teaches(self) -> Text:
        """One line per language: what the lesson teaches."""
        return self.spec.teaches

    @property
    def check(self) -> Check:
        """The task's targets and how they are checked."""
        return self.spec.check

    @property
    def hints(self) -> tuple[Text, ...]:
        """Hints, to reveal one at a time."""
        return self.spec.hints

    @property
    def lesson_file(self) -> Path:
        """Path of ``lesson.yaml``."""
        return self.folder / "lesson.yaml"

    @property
    def start_path(self) -> Path:
        """Path of the starting scenario."""
        return self.folder / self.spec.start

    @property
    def solution_path(self) -> Path:
        """Path of the reference solution."""
        return self.folder / self.spec.solution

    def start_text(self) -> str:
        """The starting scenario's YAML, as shipped."""
        return self.start_path.read_text(encoding="utf-8-sig")

    def solution_text(self) -> str:
        """The reference solution's YAML, as shipped."""
        return self.solution_path.read_text(encoding="utf-8-sig")

    def text_path(self, kind: str, lang: str) -> Path:
        """Path of ``<kind>.<lang>.md`` (kind: briefing or debrief; lang: en or zh_CN)."""
        if kind not in TEXT_KINDS:
            raise ValueError(f"unknown text {kind!r} (valid: {', '.join(TEXT_KINDS)})")
        if lang not in LESSON_LANGUAGES:
            raise ValueError(f"unknown language {lang!r} (valid: {', '.join(LESSON_LANGUAGES)})")
        return self.folder / f"{kind}.{lang}.md"

    def text(self, kind: str, lang: str) -> str:
        """The Markdown text ``kind`` in ``lang``; a debrief still has its placeholders
        (:func:`simulator.lesson.check_lesson` fills them)."""
        return self.text_path(kind, lang).read_text(encoding="utf-8-sig")


# --------------------------------------------------------------------------------------
# lesson.yaml


def _problem_at(doc: Document, file: str, path: tuple[str | int, ...], message: str,
                *, at_key: bool = False) -> Problem:
    """A problem at the value (or key) of ``path``, or at the nearest enclosing value known."""
    known = path
    while known and known not in doc.positions:
        known = known[:-1]
    pos = doc.positions.get(known, Pos(1, 1))
    if at_key and known == path and pos.key_line is not None and pos.key_col is not None:
        return Problem(file, pos.key_line, pos.key_col, format_path(path), message)
    return Problem(file, pos.line, pos.col, format_path(path), message)


def _model_for(path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model that validates the mapping at ``path`` of a lesson file."""
    names = [p for p in path if isinstance(p, str)]
    if not path:
        return LessonFile
    if names in (["title"], ["teaches"], ["hints"], ["check", "targets", "label"]):
        return Text
    if names == ["check"]:
        return Check
    if names == ["check", "targets"]:
        return Target
    return None


def _translate(exc: ValidationError, doc: Document, file: str) -> list[Problem]:
    """Pydantic's errors of :class:`LessonFile` at their positions, worded as for scenarios."""
    out: list[Problem] = []
    for error in exc.errors(include_url=False):
        if error["type"] != "extra_forbidden":
            problem = _loader._problem(error, doc, file)
            if problem is not None:
                out.append(problem)
            continue
        path = tuple(error["loc"])
        key = str(path[-1]) if path else "?"
        model = _model_for(path[:-1])
        choices = list(model.model_fields) if model is not None else []
        message = f"unknown key '{key}'"
        hint = _loader._hint(key, choices)
        if hint:
            message += hint
        elif choices:
            message += f" (valid keys here: {', '.join(choices)})"
        out.append(_problem_at(doc, file, path, message, at_key=True))
    return out


def _read_bytes(path: Path, what: str) -> bytes:
    file = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_LESSON_BYTES + 1)
    except FileNotFoundError:
        raise LessonError([Problem(file, 1, 1, "", f"no such file ({what})")]) from None
    except IsADirectoryError:
        raise LessonError([Problem(file, 1, 1, "", f"is a directory, not {what}")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LessonError([Problem(file, 1, 1, "", f"cannot read {what}: {reason}")]) from None
    if len(raw) > MAX_LESSON_BYTES:
        raise LessonError(
            [Problem(file, 1, 1, "", f"{what} is larger than 1 MiB; it should be a few kilobytes")]
        )
    return raw


def read_lesson_file(path: Path) -> tuple[LessonFile, Document]:
    """``lesson.yaml`` at ``path``, validated on its own (no other file is read).

    Raises:
        LessonError: every problem of the file, at its position.
    """
    file = str(path)
    raw = _read_bytes(path, "a lesson file")
    try:
        text = _loader._decode(raw, file)
        doc = read_yaml(text, file)
    except ScenarioError as exc:
        problems = [_relabel(p) for p in exc.problems]
        raise LessonError(problems) from None
    if not isinstance(doc.data, dict):
        pos = doc.positions.get((), Pos(1, 1))
        raise LessonError(
            [
                Problem(
                    file,
                    pos.line,
                    pos.col,
                    "",
                    "a lesson file must be a mapping of keys (lesson: 1, order: ..., title: ..., "
                    f"check: ...), got {_loader._got(doc.data, None)}",
                )
            ]
        )
    problems = list(doc.problems)
    spec: LessonFile | None = None
    try:
        spec = LessonFile.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_translate(exc, doc, file))
    if problems or spec is None:
        raise LessonError(_loader._sorted_unique(problems))
    return spec, doc


def _relabel(problem: Problem) -> Problem:
    """A reader problem worded for scenarios, reworded for a lesson file."""
    message = problem.message.replace(
        "the file is empty; a scenario needs at least 'linelab: 1', name, horizon and stations",
        "the file is empty; a lesson needs at least lesson: 1, order, title, teaches and check",
    ).replace("a scenario file holds plain data only", "a lesson file holds plain data only")
    return Problem(problem.file, problem.line, problem.col, problem.path, message)


# --------------------------------------------------------------------------------------
# The folder as a whole


def read_lesson(folder: Path) -> Lesson:
    """The lesson in ``folder``, checked as a whole (see the module docstring).

    Raises:
        LessonError: every problem found, each at its file and position; problems of the
            starting scenario or the solution are reported at their own lines.
    """
    spec, doc = read_lesson_file(folder / "lesson.yaml")
    file = str(folder / "lesson.yaml")
    problems: list[Problem] = []
    found: dict[str, VariantSet] = {}
    for key in ("start", "solution"):
        name = getattr(spec, key)
        path = folder / name
        if not path.is_file():
            problems.append(
                _problem_at(doc, file, (key,), f"no file {name!r} in the lesson's folder")
            )
            continue
        try:
            found[key] = _loader.load_variants(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if "start" in found:
        problems.extend(_check_against(spec, doc, file, found))
    for kind in TEXT_KINDS:
        for lang in LESSON_LANGUAGES:
            path = folder / f"{kind}.{lang}.md"
            try:
                text = _loader._decode(_read_bytes(path, f"the {kind} in {lang}"), str(path))
            except ScenarioError as exc:
                problems.extend(exc.problems)
                continue
            if not text.strip():
                problems.append(Problem(str(path), 1, 1, "", f"the {kind} is empty"))
            for ph in placeholders(text):
                message = ph.problem
                metric = ph.path.removeprefix(START_PREFIX)
                if message is None and metric not in SPECIAL_PLACEHOLDERS:
                    message = _metric_problem(metric, spec.check, found.get("start"))
                if message is None and is_structural(metric) and "start" in found:
                    message = _structural_problem(metric, spec.check, found["start"])
                if message is not None:
                    problems.append(Problem(str(path), ph.line, ph.col, "", _ph_text(ph, message)))
    if problems:
        raise LessonError(_loader._sorted_unique(problems))
    return Lesson(lesson_name(folder), folder, spec)


def _ph_text(ph: Placeholder, message: str) -> str:
    if message.startswith("placeholder"):
        return message
    return f"placeholder '{{{ph.path}}}': {message}"


def _checked(check: Check, found: VariantSet) -> str | None:
    """The checked variant's name in ``found`` (None when the file lacks it)."""
    if check.variant is None:
        return found.baseline
    return check.variant if check.variant in found.scenarios else None


def _check_against(
    spec: LessonFile, doc: Document, file: str, found: dict[str, VariantSet]
) -> list[Problem]:
    """The check's names against the starting scenario (and the solution)."""
    check = spec.check
    problems: list[Problem] = []
    for key, variants in found.items():
        if check.variant is not None and check.variant not in variants.scenarios:
            listed = ", ".join(variants.scenarios) if variants.has_variants else "none"
            problems.append(
                _problem_at(
                    doc,
                    file,
                    ("check", "variant"),
                    f"the {key} scenario {getattr(spec, key)!r} has no variant "
                    f"{check.variant!r} (variants: {listed})",
                )
            )
    if problems:
        return problems
    start = found["start"]
    for index, target in enumerate(check.targets):
        message = _metric_problem(target.metric, check, start)
        if message is None and is_structural(target.metric):
            for key, variants in found.items():
                name = _checked(check, variants) or variants.baseline
                try:
                    scenario_value(variants.scenarios[name], split_path(target.metric)[1:])
                except PathAbsent:
                    pass  # a section left out: the check says "not met, absent"
                except PathNotFound as exc:
                    message = f"in the {key} scenario: {exc}"
                    break
        if message is not None:
            problems.append(
                _problem_at(doc, file, ("check", "targets", index, "metric"), message)
            )
    start_sc = start.scenarios[_checked(check, start) or start.baseline]
    for index, fixed in enumerate(check.fixed):
        try:
            fixed_value(start_sc, fixed)
        except PathNotFound as exc:
            problems.append(_problem_at(doc, file, ("check", "fixed", index), str(exc)))
    return problems


def _metric_problem(path: str, check: Check, start: VariantSet | None) -> str | None:
    """Why ``path`` cannot name a metric of this lesson's runs (None when it can)."""
    message = path_problem(path, compare=check.compare)
    if message is not None or start is None or is_structural(path):
        return message
    steps = split_path(path)
    checked = _checked(check, start)
    if checked is None:
        return None
    if steps[0] in COMPARE_ROOTS:
        if len(steps) < 2:
            return f"name a variant after '{steps[0]}' (variants: {', '.join(start.scenarios)})"
        variant = steps[1]
        if variant not in start.scenarios:
            return (
                f"no variant '{variant}' in the starting scenario "
                f"(variants: {', '.join(start.scenarios)})"
            )
        if steps[0] == "differences" and variant == start.baseline:
            return f"'{variant}' is the baseline; differences are against it"
        if steps[0] == "economics" and getattr(
            start.scenarios[start.baseline], "economics", None
        ) is None:
            return "the starting scenario has no 'economics' section"
        if steps[0] == "variants":
            return _run_path_problem(steps[2:], start.scenarios[variant])
        return None
    return _run_path_problem(steps, start.scenarios[checked])


def _structural_problem(path: str, check: Check, start: VariantSet) -> str | None:
    """Why the structural ``path`` names nothing in the starting scenario's checked variant
    (None when it names a number there, or a section the start leaves out)."""
    name = _checked(check, start) or start.baseline
    try:
        scenario_value(start.scenarios[name], split_path(path)[1:])
    except PathAbsent:
        return None
    except PathNotFound as exc:
        return str(exc)
    return None


def _run_path_problem(steps: list[str], scenario: Any) -> str | None:
    """Names in a run path (``stations.<name>``, ``resources.<name>``) against ``scenario``."""
    if len(steps) < 2:
        return None if not steps or steps[0] != "kpis" else "name a KPI after 'kpis'"
    kinds = {"stations": "stations", "resources": "resources", "products": "products"}
    if steps[0] in kinds:
        items = getattr(scenario, kinds[steps[0]], None) or ()
        names = [getattr(item, "name", "") for item in items]
        if steps[0] == "products" and not names:
            return "the scenario has no 'products'"
        if steps[1] not in names:
            kind = steps[0][:-1]
            return f"no {kind} '{steps[1]}' in the scenario (there are: {', '.join(names)})"
    return None


def fixed_value(scenario: Any, path: str) -> Any:
    """The value of the ``fixed`` path ``path`` in a resolved scenario model, as plain data
    (a sub-model as its JSON dump, so ``45 s`` and ``45`` compare equal); a ``*`` step gives
    ``{name: value}`` over every item, and a section left out gives :data:`ABSENT`, so a
    station without ``at`` must stay without one.

    Raises:
        PathNotFound: the path names nothing (the message names the place).
    """
    return _plain(scenario_item(scenario, split_path(path), ""))


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def fixed_differences(start: Any, submitted: Any, fixed: tuple[str, ...]) -> list[str]:
    """The ``fixed`` paths where ``submitted`` differs from ``start`` (both resolved scenario
    models), each as a sentence for the check's report."""
    out: list[str] = []
    for path in fixed:
        try:
            before = fixed_value(start, path)
        except PathNotFound:
            continue
        try:
            after = fixed_value(submitted, path)
        except PathNotFound as exc:
            out.append(f"{path} must stay as in the starting scenario: {exc}")
            continue
        if not _same(before, after):
            out.append(f"{path} must stay as in the starting scenario ({_show(before)})")
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
