"""The training course: lessons as data (docs/training.md).

One folder per lesson, ``scenarios/lessons/<NN>-<name>/``: ``lesson.yaml`` (the task and its
check), ``briefing.<lang>.md`` and ``debrief.<lang>.md`` in English (``en``) and Simplified
Chinese (``zh_CN``), the starting scenario and the reference solution. A lesson's *name* is
its folder's name without the number prefix (``01-state-charts`` → ``state-charts``).

>>> from scenarios.lessons import list_lessons, load_lesson
>>> [info.name for info in list_lessons()][:1]
['state-charts']
>>> load_lesson("state-charts").check.targets[0].metric
'kpis.throughput_per_hour'

This package imports only pyyaml, pydantic and the standard library; the check that runs the
simulation is :func:`simulator.lesson.check_lesson`.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from importlib import resources

from ._load import (
    TEXT_KINDS,
    Lesson,
    LessonError,
    fixed_differences,
    fixed_value,
    lesson_name,
    read_lesson,
    read_lesson_file,
)
from ._model import LESSON_FORMAT, LESSON_LANGUAGES, Check, LessonFile, Target, Text
from ._paths import (
    ABSENT,
    COMPARE_ROOTS,
    RUN_ROOTS,
    SPECIAL_PLACEHOLDERS,
    START_PREFIX,
    PathAbsent,
    PathNotFound,
    Placeholder,
    fill,
    format_number,
    is_structural,
    path_problem,
    placeholders,
    scenario_item,
    scenario_value,
    split_path,
)

__all__ = [
    "ABSENT",
    "COMPARE_ROOTS",
    "LESSON_FORMAT",
    "LESSON_LANGUAGES",
    "RUN_ROOTS",
    "SPECIAL_PLACEHOLDERS",
    "START_PREFIX",
    "TEXT_KINDS",
    "Check",
    "Lesson",
    "LessonError",
    "LessonFile",
    "LessonInfo",
    "PathAbsent",
    "PathNotFound",
    "Placeholder",
    "Target",
    "Text",
    "UnknownLessonError",
    "fill",
    "fixed_differences",
    "fixed_value",
    "format_number",
    "is_structural",
    "lesson_dir",
    "lesson_name",
    "lesson_text",
    "list_lessons",
    "load_lesson",
    "load_lesson_dir",
    "path_problem",
    "placeholders",
    "read_lesson_file",
    "scenario_item",
    "scenario_value",
    "split_path",
]

_PACKAGE = "scenarios.lessons"


class UnknownLessonError(KeyError):
    """No shipped lesson has the requested name; the message lists them."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else "unknown lesson"


@dataclass(frozen=True)
class LessonInfo:
    """What a list of lessons shows (read from ``lesson.yaml`` alone)."""

    name: str
    """``state-charts``: what ``linelab lesson show NAME`` takes."""
    order: int
    """Position in the course."""
    title: Text
    """The title in both languages."""
    teaches: Text
    """One line per language: what the lesson teaches."""
    folder: pathlib.Path
    """The lesson's folder."""


def _root() -> pathlib.Path:
    return pathlib.Path(str(resources.files(_PACKAGE)))


def _folders() -> list[pathlib.Path]:
    return sorted(
        entry
        for entry in _root().iterdir()
        if entry.is_dir() and (entry / "lesson.yaml").is_file()
    )


def list_lessons() -> list[LessonInfo]:
    """The shipped lessons, sorted by ``order`` (then name).

    Raises:
        LessonError: a shipped ``lesson.yaml`` is malformed (a bug of the release).
    """
    infos = []
    for folder in _folders():
        spec, _ = read_lesson_file(folder / "lesson.yaml")
        infos.append(LessonInfo(lesson_name(folder), spec.order, spec.title, spec.teaches, folder))
    return sorted(infos, key=lambda info: (info.order, info.name))


def lesson_dir(name: str) -> pathlib.Path:
    """The folder of the shipped lesson ``name`` (``state-charts`` or ``01-state-charts``).

    Raises:
        UnknownLessonError: no such lesson; the message lists the names (and a close one).
    """
    folders = _folders()
    for folder in folders:
        if name in (lesson_name(folder), folder.name):
            return folder
    names = [lesson_name(folder) for folder in folders]
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise UnknownLessonError(
        f"no lesson named {name!r}{hint} (lessons: {', '.join(names)}; see 'linelab lesson list')"
    )


def load_lesson(name: str) -> Lesson:
    """The shipped lesson ``name``, validated as a whole (its scenarios and texts too).

    Raises:
        UnknownLessonError: no such lesson.
        LessonError: the lesson's files are malformed (every problem at its position).
    """
    return read_lesson(lesson_dir(name))


def load_lesson_dir(folder: str | pathlib.Path) -> Lesson:
    """A lesson from any folder (an instructor's own course), validated as a whole.

    Raises:
        LessonError: as :func:`load_lesson` (a missing ``lesson.yaml`` included).
    """
    return read_lesson(pathlib.Path(folder))


def lesson_text(name: str, kind: str, lang: str) -> str:
    """The Markdown text ``kind`` (``briefing`` or ``debrief``) of lesson ``name`` in ``lang``
    (``en`` or ``zh_CN``), as written: a debrief still has its ``{placeholders}``.

    Raises:
        UnknownLessonError: no such lesson. ValueError: unknown kind or language.
    """
    folder = lesson_dir(name)
    lesson = Lesson(lesson_name(folder), folder, read_lesson_file(folder / "lesson.yaml")[0])
    return lesson.text(kind, lang)
