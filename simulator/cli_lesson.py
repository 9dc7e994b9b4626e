"""``linelab lesson list | show NAME | check NAME FILE | solution NAME``: the training course.

Exit codes as the other commands (docs/training.md): ``check`` exits 0 when every target is
met, 1 when one is not (or is undecided), 2 on bad input (an unknown lesson, a missing or
malformed scenario file). Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from simulator.cli import EXIT_BAD_INPUT, EXIT_OK, _print_report

__all__ = ["LessonUsageError", "add_parser", "cmd_lesson"]


class LessonUsageError(Exception):
    """An unknown lesson or a bad option: ``linelab`` exits 2 with this message (the caller
    turns it into its own ``BadInput``, which also works when ``simulator.cli`` runs as
    ``__main__``)."""

EXIT_NOT_MET = 1
"""``lesson check``: the scenario ran, but a target is not met (or undecided)."""

_LANGS = ("en", "zh_CN")


def add_parser(sub: Any) -> None:
    """Add ``lesson`` and its subcommands to ``linelab``'s subparsers ``sub``."""
    lesson = sub.add_parser(
        "lesson",
        help="the training course: list lessons, show one, check a scenario against it",
        description="Lessons with a task checked by simulation (docs/training.md).",
    )
    inner = lesson.add_subparsers(
        dest="lesson_command", metavar="ACTION", parser_class=type(lesson)
    )
    listing = inner.add_parser("list", help="one lesson a line: name, title, what it teaches")
    listing.add_argument("--lang", choices=_LANGS, default="en", help="language (default en)")
    show = inner.add_parser("show", help="print a lesson's briefing and its starting scenario")
    show.add_argument("name", help="lesson name (see 'linelab lesson list')")
    show.add_argument("--lang", choices=_LANGS, default="en", help="language (default en)")
    show.add_argument(
        "--hints", metavar="N", default="0", help="also print the first N hints (default 0)"
    )
    check = inner.add_parser(
        "check", help="run the lesson's check on a scenario (exit 0 met, 1 not met, 2 bad input)"
    )
    check.add_argument("name", help="lesson name")
    check.add_argument("file", help="your scenario file (YAML)")
    check.add_argument("--lang", choices=_LANGS, default="en", help="language (default en)")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    solution = inner.add_parser("solution", help="print the lesson's reference solution (YAML)")
    solution.add_argument("name", help="lesson name")


def _lesson(name: str) -> Any:
    from scenarios.lessons import UnknownLessonError, load_lesson

    try:
        return load_lesson(name)
    except UnknownLessonError as exc:
        raise LessonUsageError(f"linelab lesson: {exc}") from None


def _cmd_list(args: argparse.Namespace) -> int:
    from scenarios.lessons import list_lessons
    from simulator.output import _columns
    from simulator.textwidth import printable

    rows = [
        [info.name, str(info.order), printable(info.title.get(args.lang)),
         printable(info.teaches.get(args.lang))]
        for info in list_lessons()
    ]
    if not rows:
        return _print_report("(no lessons)", "the list of lessons")
    return _print_report("\n".join(_columns(rows, "<><<")), "the list of lessons")


def _cmd_show(args: argparse.Namespace) -> int:
    lesson = _lesson(args.name)
    try:
        hints = int(args.hints)
    except ValueError:
        hints = -1
    if hints < 0:
        raise LessonUsageError(
            f"linelab lesson show: --hints must be a whole number >= 0, got {args.hints!r}"
        )
    text = lesson.text("briefing", args.lang).rstrip()
    for number, hint in enumerate(lesson.hints[:hints], start=1):
        label = "提示" if args.lang == "zh_CN" else "hint"
        text += f"\n\n{label} {number}: {hint.get(args.lang)}"
    text += f"\n\nstarting scenario: {lesson.start_path}"
    return _print_report(text, "the briefing")


def _cmd_solution(args: argparse.Namespace) -> int:
    lesson = _lesson(args.name)
    return _print_report(lesson.solution_text(), "the solution", end="")


def _read(path: str) -> bytes:
    """The submitted file, or exit 2 with ``FILE:1:1: reason`` (as a scenario's)."""
    import scenarios
    from scenarios.loader import MAX_FILE_BYTES

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise scenarios.ScenarioError.single(path, 1, 1, "", "no such file") from None
    except IsADirectoryError:
        raise scenarios.ScenarioError.single(
            path, 1, 1, "", "is a directory, not a scenario file"
        ) from None
    except OSError as exc:
        raise scenarios.ScenarioError.single(
            path, 1, 1, "", f"cannot read the file: {exc.strerror or exc}"
        ) from None
    return raw


def _width() -> int:
    """Columns to wrap the debrief to: the terminal's (40 to 120), else 80 (a file, a pipe)."""
    import shutil

    from simulator.lesson import REPORT_WIDTH

    if sys.stdout is None or not sys.stdout.isatty():
        return REPORT_WIDTH
    return max(40, min(120, shutil.get_terminal_size((REPORT_WIDTH, 24)).columns))


def _cmd_check(args: argparse.Namespace) -> int:
    from simulator.lesson import check_lesson, check_report

    lesson = _lesson(args.name)
    raw = _read(args.file)
    bar = None
    if not args.quiet and sys.stderr is not None and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="rep", desc=lesson.name, file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        result = check_lesson(lesson, raw, args.file, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    code = _print_report(check_report(result, args.lang, _width()), "the verdict")
    if code != EXIT_OK:
        return code
    return EXIT_OK if result.passed else EXIT_NOT_MET


_ACTIONS = {"list": _cmd_list, "show": _cmd_show, "check": _cmd_check, "solution": _cmd_solution}


def cmd_lesson(args: argparse.Namespace) -> int:
    """Run ``linelab lesson ACTION``; without an action, print the usage (exit 2)."""
    action = getattr(args, "lesson_command", None)
    if action is None:
        print(
            "usage: linelab lesson {list,show,check,solution} ...  (see linelab lesson --help)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return _ACTIONS[action](args)
