"""``linelab-gui``: start the desktop app, or render one view to a PNG and exit.

``linelab-gui [FILE] [--lang en|zh_CN]
[--screenshot OUT.png --view editor|layout|charts|compare|training [--lesson NAME]]``

FILE is a scenario file or the name of a shipped example (as for ``linelab``). With
``--screenshot`` the app loads FILE, runs what the view needs (a run for the layout and the
charts, the comparison of the variants for the compare view, the check of FILE against the
lesson ``--lesson`` — default the first of the course — for the training view; the editor
shows the page of the station with the most settings), renders the main window
offscreen at 1440 × 900 and writes the PNG atomically; exit 0. A bad FILE exits 2 with the
message ``linelab validate`` prints (``file:line:col: path: message``), before any window
exists. In the interactive app a FILE with problems still opens (the editor shows them, so
they can be fixed); only a missing one exits 2.

Exit codes: 0 ok, 2 bad input (FILE, options, the screenshot's folder, a run that cannot
start), 1 the screenshot could not be written or an internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import pathlib
import sys
import tempfile
from collections.abc import Sequence

import scenarios
from gui.settings import STATE_DIR_ENV

__all__ = ["SCREENSHOT_SIZE", "VIEWS", "entry_point", "main"]

VIEWS = ("editor", "layout", "charts", "compare", "training")
SCREENSHOT_SIZE = (1440, 900)
"""Width and height (pixels) of ``--screenshot`` images: a normal desktop window."""

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """A bad command line or FILE: exit 2 with this message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInput(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``linelab-gui``."""
    parser = _Parser(
        prog="linelab-gui",
        description="LineLab's desktop app: edit, simulate, watch and compare lines.",
        epilog=f"State (recent files, recovery files) lives in ${STATE_DIR_ENV} when set.",
    )
    parser.add_argument("file", nargs="?", help="scenario file or shipped example name")
    parser.add_argument(
        "--lang", choices=["en", "zh_CN"], help="language (default: last chosen, or the system's)"
    )
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="render --view offscreen to OUT.png and exit"
    )
    parser.add_argument("--view", choices=VIEWS, default="editor", help="view to render")
    parser.add_argument(
        "--lesson",
        metavar="NAME",
        help="with --view training: the lesson FILE is checked against (default: the first)",
    )
    return parser


def _resolve(name: str) -> str:
    """A path as given, or the path of a shipped example when only its name is given."""
    if os.path.exists(name) or os.sep in name or name.endswith((".yaml", ".yml")):
        return name
    if name in scenarios.list_examples():
        return str(scenarios.example_path(name))
    return name


def _validate(name: str) -> None:
    """Check FILE exactly as ``linelab validate`` does; raise :class:`BadInput` with its
    message (its verdict on a good file is not printed)."""
    from simulator import cli

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["validate", name])
    if code != 0:
        raise BadInput(err.getvalue().rstrip("\n") or f"{name}:1:1: cannot be validated")


def _check_output(out: str) -> pathlib.Path:
    path = pathlib.Path(out)
    if not path.parent.resolve().is_dir():
        raise BadInput(f"--screenshot: folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise BadInput(f"--screenshot: {out!r} is a folder, not a file")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linelab-gui``; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if args.screenshot is not None:
            if args.file is None:
                raise BadInput("linelab-gui: --screenshot needs a FILE")
            out = _check_output(args.screenshot)
            _validate(args.file)
            if args.view == "training":
                args.lesson = _lesson_name(args.lesson)
        elif args.file is not None and not os.path.exists(_resolve(args.file)):
            _validate(args.file)  # says "no such file" the command line's way
    except BadInput as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT

    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QCoreApplication
    from PyQt6.QtWidgets import QApplication

    from gui import fonts, i18n
    from gui.settings import Settings
    from gui.worker import install_excepthook

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("LineLab")
        QCoreApplication.setApplicationName("LineLab")
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    fonts.apply_app_font(app)
    settings = Settings()
    i18n.set_language(args.lang or settings.language or i18n.system_language())
    path = _resolve(args.file) if args.file is not None else None
    if args.screenshot is not None:
        assert path is not None
        return _screenshot(path, args.view, out, lesson=args.lesson)

    from gui.mainwindow import MainWindow

    window = MainWindow(settings)
    install_excepthook(lambda: window)
    if path is not None:
        window.load_path(path)
    else:
        window.new_from_template(START_TEMPLATE)
    window.show()
    from PyQt6.QtCore import QTimer

    QTimer.singleShot(0, window.offer_recovery)
    window.controller.warm_up(window.selected_scenario(explain=False))
    return app.exec()


START_TEMPLATE = "phone_housing_cell"
"""The shipped example an app started without a FILE shows (an untitled copy)."""


def _lesson_name(name: str | None) -> str:
    """``name`` if it is a shipped lesson (default: the first of the course), else
    :class:`BadInput` with the names there are."""
    from scenarios.lessons import list_lessons

    names = [info.name for info in list_lessons()]
    if name is None:
        return names[0]
    if name not in names:
        raise BadInput(f"linelab-gui: --lesson: no lesson {name!r} (there are: {', '.join(names)})")
    return name


def _screenshot(path: str, view: str, out: pathlib.Path, *, lesson: str | None = None) -> int:
    """Load ``path``, run what ``view`` needs, render the window to ``out``."""
    from PyQt6.QtCore import QEventLoop
    from PyQt6.QtWidgets import QApplication

    from gui.mainwindow import MainWindow

    window = MainWindow()
    window.document.open(path)
    window._document_settled()
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    failures: list[str] = []
    window.controller.failed.connect(failures.append)
    window._closing = True  # failures are printed, not shown in a message box
    started = True
    if view in ("layout", "charts"):
        started = window.run_simulation()
    elif view == "compare":
        started = window.compare_variants()
    elif view == "training":
        assert lesson is not None
        window.tabs.setCurrentWidget(window.training_tab)
        window.training_tab.open_lesson(lesson)
        window.training_tab.reveal_hint()  # the hint pane with its first hint
        window.training_tab.check()
        started = window.training_tab.is_checking()
    elif view == "editor":
        # A station's form rather than the general page: the station with the most settings
        # (in phone_housing_cell the CNC row: tending, failures, energy, price).
        scenario = window.selected_scenario(explain=False)
        if scenario is not None and scenario.stations:
            stations = scenario.stations
            richest = max(range(len(stations)), key=lambda i: len(stations[i].model_fields_set))
            window.editor.flush()  # the section tree lists the stations after a refresh
            window.editor.show_section("stations", richest)
    if started and window.controller.busy:
        loop = QEventLoop()
        window.controller.idle.connect(loop.quit)
        loop.exec()
    if failures or not started:
        print("\n".join(failures) or f"{path}: the run could not start", file=sys.stderr)
        window.controller.shutdown()
        window.close()
        return EXIT_BAD_INPUT
    target = {
        "editor": window.editor,
        "layout": window.layout_view,
        "charts": window.charts_view,
        "compare": window.compare_view,
        "training": window.training_tab,
    }[view]
    window.tabs.setCurrentWidget(target)
    window.editor.flush()  # the validation the editor debounces while typing
    for _ in range(3):  # let pending layouts and paints settle
        QApplication.processEvents()
    image = window.grab()
    fd, tmp = tempfile.mkstemp(prefix=".linelab-", suffix=".png", dir=out.parent.resolve())
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as any new file, not mkstemp's 0600
        if not image.save(tmp, "PNG"):
            raise OSError(f"cannot write {out}")
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        print(f"linelab-gui: --screenshot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        window.close()
    return EXIT_OK


def entry_point() -> None:
    """GUI-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":  # `python -m gui.app`; also keeps the engine process from re-running it
    entry_point()
