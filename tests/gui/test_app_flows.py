"""The desktop app's main flows, driven as a user would (pytest-qt, offscreen).

Pins down: a shipped scenario opens, runs in a worker and fills the charts with the same
numbers ``linelab run`` gives; the variants are compared and the HTML report is exported; a
run is cancelled mid-way and the app runs again afterwards; an invalid edit shows an inline
error (the command line's wording) and the app keeps working; the unsaved-changes prompt
guards open, new and close; undo and redo; autosave and the recovery of a crashed session;
switching to Chinese relabels the menus at once; an error in a run is shown, not fatal; and
``linelab-gui --screenshot`` exits 0 with a >= 1280 x 800 image, 2 with the command line's
message for a bad file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QMessageBox

import scenarios
from gui import i18n
from gui.app import main
from gui.recovery import leftovers
from gui.worker import CHUNKS
from simulator import cli
from simulator.experiment import run_experiment

Button = QMessageBox.StandardButton
ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_MS = 120_000
TINY = """\
linelab: 1
name: Two stations
horizon: 2 h
replications: 2
seed: 3
stations:
  - {name: press, process: 50 s, buffer: 3}
  - {name: pack, process: 40 s}
"""
"""A line that runs in milliseconds, for the flows where the numbers do not matter."""


def _copy_example(name: str, folder: Path) -> Path:
    target = folder / f"{name}.yaml"
    shutil.copyfile(scenarios.example_path(name), target)
    return target


def test_open_run_fills_the_charts_with_the_headless_numbers(
    main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    path = _copy_example("phone_housing_cell", tmp_path)
    assert main_window.open_file(str(path))
    assert main_window.document.path == str(path)
    assert "phone_housing_cell.yaml" in main_window.windowTitle()
    assert [main_window.variant_box.itemText(i) for i in range(2)] == ["manual", "robots"]

    snapshots: list[Any] = []
    main_window.controller.snapshot.connect(snapshots.append)
    with qtbot.waitSignal(main_window.controller.result, timeout=RUN_TIMEOUT_MS) as got:
        assert main_window.run_simulation()
    result = got.args[0]
    qtbot.waitUntil(lambda: not main_window.controller.busy)

    # Every chunk of replication 0 reached the views, in time order, before the result.
    assert len(snapshots) >= CHUNKS
    times = [s.time_s for s in snapshots]
    assert times == sorted(times) and times[-1] == snapshots[-1].end_s
    charts = main_window.charts_view
    assert len(charts.snapshots) == len(snapshots)
    xs, _ys = charts.throughput_curve.getData()
    assert xs is not None and len(xs) > CHUNKS // 2
    assert main_window.progress.isHidden()

    # The same engine and seed as `linelab run`: identical per-replication numbers.
    found = scenarios.load_variants(str(path))
    headless = run_experiment(found.scenarios[found.baseline])
    for key, stat in headless.kpis.items():
        assert result.kpis[key].values == stat.values, key
    assert main_window.last_result is result
    assert "41.39" in main_window.status_label.text()  # README: 41.39 ± 0.12 parts/h


def test_compare_variants_and_export_the_report(
    main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    main_window.open_file(str(_copy_example("phone_housing_cell", tmp_path)))
    with qtbot.waitSignal(main_window.controller.comparison, timeout=RUN_TIMEOUT_MS) as got:
        assert main_window.compare_variants()
    comparison = got.args[0]
    assert list(comparison.results) == ["manual", "robots"]
    assert main_window.tabs.currentWidget() is main_window.compare_view
    robots = comparison.differences["robots"]["throughput_per_hour"]
    assert robots.mean is not None and robots.mean > 0  # the robots keep cutting on Sundays
    report = tmp_path / "report.html"
    main_window.compare_view.export_report(str(report))
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "robots" in html and "manual" in html

    # Another file: the previous file's comparison is gone, nothing of it can be exported.
    other = tmp_path / "tiny.yaml"
    other.write_text(TINY, encoding="utf-8")
    assert main_window.open_file(str(other))
    view = main_window.compare_view
    assert view.comparison is None and main_window.last_comparison is None
    assert not view.export_report_button.isEnabled()
    assert not view.export_charts_button.isEnabled()
    with pytest.raises(RuntimeError):
        view.export_report(str(tmp_path / "stale.html"))


def test_opening_another_file_forgets_the_charts_stations(
    main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    """The charts name the stations of the file shown: after a run of one file, opening
    another (or one with problems) leaves no curve, legend entry or Gantt row of the first."""
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(TINY, encoding="utf-8")
    assert main_window.open_file(str(tiny))
    with qtbot.waitSignal(main_window.controller.result, timeout=RUN_TIMEOUT_MS):
        assert main_window.run_simulation()
    qtbot.waitUntil(lambda: not main_window.controller.busy)
    charts = main_window.charts_view
    assert charts.gantt_rows() == ["press", "pack"] and charts.snapshots

    broken = tmp_path / "broken.yaml"
    broken.write_text(TINY.replace("process: 50 s", "process: fast"), encoding="utf-8")
    assert main_window.open_file(str(broken))
    assert charts.gantt_rows() == [] and list(charts.buffer_curves) == []
    assert charts.snapshots == () and charts.buffers.legend_labels() == []

    path = _copy_example("phone_housing_cell", tmp_path)
    assert main_window.open_file(str(path))
    scenario = scenarios.load(path)
    stations = [s.name for s in scenario.stations]
    assert list(charts.buffer_curves) == stations
    assert charts.gantt_rows() == stations + [r.name for r in scenario.resources]
    assert charts.buffers.legend_labels() == stations


def test_cancel_mid_run_then_run_again(main_window: Any, qtbot: Any, dialogs: Any) -> None:
    long_run = scenarios.example_path("phone_housing_cell").read_text(encoding="utf-8")
    long_run = long_run.replace("replications: 5", "replications: 200", 1)
    main_window.document.load_text(long_run, None)
    results: list[Any] = []
    main_window.controller.result.connect(results.append)
    progress: list[tuple[int, int]] = []
    main_window.controller.progress.connect(lambda d, t: progress.append((d, t)))
    snapshots: list[Any] = []
    main_window.controller.snapshot.connect(snapshots.append)
    assert main_window.run_simulation()
    assert not main_window.cancel_button.isHidden() and main_window.act_cancel.isEnabled()
    qtbot.waitUntil(lambda: len(snapshots) > 0, timeout=RUN_TIMEOUT_MS)  # under way
    with qtbot.waitSignal(main_window.controller.cancelled, timeout=10_000):
        main_window.cancel_button.click()
    qtbot.waitUntil(lambda: not main_window.controller.busy, timeout=10_000)
    assert results == [] and max(d for d, _ in progress) < 200
    assert snapshots[-1].time_s < snapshots[-1].end_s  # stopped inside replication 0
    assert main_window.status_label.text() == "Cancelled"
    assert main_window.controller.threads() == []  # the worker thread ended
    assert dialogs.asked == []

    # The app works on: a short run after the cancelled one gives its result.
    main_window.document.apply_text(TINY)
    with qtbot.waitSignal(main_window.controller.result, timeout=RUN_TIMEOUT_MS):
        assert main_window.run_simulation()


def test_invalid_edit_shows_the_error_inline_and_the_app_keeps_working(
    main_window: Any, qtbot: Any, dialogs: Any
) -> None:
    text = TINY
    main_window.document.load_text(text, None)
    bad = text.replace("buffer: 3", "buffer: -3")
    main_window.document.apply_text(bad, "Edit buffer")
    line = 7
    column = bad.splitlines()[line - 1].index("-3") + 1
    message = f"untitled.yaml:{line}:{column}: stations[0].buffer: must be >= 0, got -3"
    assert [str(p) for p in main_window.document.parsed().problems] == [message]
    editor = main_window.editor
    qtbot.waitUntil(lambda: "stations[0].buffer: must be >= 0" in editor_problems(editor))
    assert not main_window.run_simulation()  # explained, not run
    assert dialogs.kinds() == ["warning"]
    assert message in dialogs.texts()[0]
    assert main_window.tabs.currentWidget() is editor
    main_window.act_undo.trigger()
    assert main_window.document.text == text
    with qtbot.waitSignal(main_window.controller.result, timeout=RUN_TIMEOUT_MS):
        assert main_window.run_simulation()


def editor_problems(editor: Any) -> str:
    """The problems the editor lists, as one text."""
    return "\n".join(editor.problem_list.texts())


def test_unsaved_changes_prompt_guards_open_new_and_close(
    main_window: Any, qtbot: Any, dialogs: Any, tmp_path: Path
) -> None:
    path = _copy_example("cnc_cell_conwip", tmp_path)
    other = _copy_example("smt_assembly", tmp_path)
    main_window.open_file(str(path))
    original = main_window.document.text
    edited = original.replace("seed:", "seed: 11 #", 1)
    main_window.document.apply_text(edited, "Edit seed")
    assert main_window.isWindowModified()

    dialogs.answers = [Button.Cancel]  # keep editing
    assert not main_window.open_file(str(other))
    assert main_window.document.text == edited and dialogs.kinds() == ["question"]
    assert "cnc_cell_conwip.yaml has unsaved changes" in dialogs.texts()[0]

    dialogs.answers = [Button.Cancel]
    assert not main_window.new_from_template("smt_assembly")
    main_window.show()
    dialogs.answers = [Button.Cancel]
    assert not main_window.close() and main_window.isVisible()

    dialogs.answers = [Button.Save]  # saved, then the other file opens
    assert main_window.open_file(str(other))
    assert path.read_text(encoding="utf-8") == edited
    assert main_window.document.path == str(other) and not main_window.document.is_modified

    main_window.document.apply_text(main_window.document.text + "\n# note\n")
    dialogs.answers = [Button.Discard]
    assert main_window.new_from_template("cnc_cell_robot")
    assert main_window.document.path is None
    assert main_window.document.text == scenarios.example_path("cnc_cell_robot").read_text(
        encoding="utf-8"
    )
    assert other.read_text(encoding="utf-8") == scenarios.example_path(
        "smt_assembly"
    ).read_text(encoding="utf-8")  # discarded, not saved
    assert str(other) in main_window.settings.recent_files


def test_undo_and_redo_every_edit(main_window: Any) -> None:
    main_window.new_from_template("cnc_cell_conwip")
    doc = main_window.document
    first = doc.text
    second = first.replace("replications:", "replications: 3 #", 1)
    third = second + "# a note\n"
    doc.apply_text(second, "Replications")
    doc.apply_text(third, "Note")
    assert main_window.act_undo.text() == "&Undo Note"
    main_window.act_undo.trigger()
    assert doc.text == second
    main_window.act_undo.trigger()
    assert doc.text == first and not main_window.act_undo.isEnabled()
    assert not doc.is_modified
    main_window.act_redo.trigger()
    main_window.act_redo.trigger()
    assert doc.text == third and doc.is_modified
    assert not main_window.act_redo.isEnabled()


CRASHING_SESSION = """
import os, signal, sys
from PyQt6.QtWidgets import QApplication
app = QApplication([])
from gui.mainwindow import MainWindow
window = MainWindow()
window.open_file(sys.argv[1])
window.document.apply_text(window.document.text + "# unsaved edit\\n", "Note")
window.autosaver.save_now()
os.kill(os.getpid(), signal.SIGKILL)   # a crash: no clean-up runs
"""


def test_recovery_after_a_crash(
    qtbot: Any, dialogs: Any, tmp_path: Path, gui_state: Path
) -> None:
    path = _copy_example("cnc_cell_conwip", tmp_path)
    original = path.read_text(encoding="utf-8")
    env = {**os.environ, "LINELAB_GUI_STATE_DIR": str(gui_state), "PYTHONPATH": str(ROOT)}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_SESSION, str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert crashed.returncode == -9, crashed.stderr
    assert len(leftovers(gui_state)) == 1
    assert path.read_text(encoding="utf-8") == original  # the file itself was not touched

    from gui.mainwindow import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    dialogs.answers = [Button.Yes]
    assert window.offer_recovery()
    assert "cnc_cell_conwip.yaml" in dialogs.texts("question")[0]
    doc = window.document
    assert doc.text == original + "# unsaved edit\n"
    assert doc.path == str(path) and doc.is_modified
    assert leftovers(gui_state) == []  # offered once
    window.act_undo.trigger()
    assert doc.text == original  # the recovered edit is an ordinary undoable edit

    # While modified, the autosave keeps this session's own recovery file; saving removes it.
    window.act_redo.trigger()
    window.autosaver.save_now()
    assert window.autosaver.file.exists()
    assert window.save()
    assert not window.autosaver.file.exists()
    window.controller.shutdown()


def test_autosave_runs_on_a_timer_and_a_clean_exit_removes_it(
    qtbot: Any, gui_state: Path
) -> None:
    from gui.mainwindow import MainWindow
    from gui.recovery import Autosaver

    window = MainWindow()
    qtbot.addWidget(window)
    window.new_from_template("smt_assembly")
    fast = Autosaver(window.document, gui_state, interval_ms=20)
    window.document.apply_text(window.document.text + "# x\n")
    qtbot.waitUntil(fast.file.exists, timeout=5000)
    fast.stop()
    assert not fast.file.exists()


def test_switching_to_chinese_relabels_the_menus_at_once(main_window: Any) -> None:
    zh = i18n.catalogue("zh_CN")
    titles = [main_window.menu_file, main_window.menu_edit, main_window.menu_run,
              main_window.menu_language, main_window.menu_help]
    english = [m.title() for m in titles]
    assert english == ["&File", "&Edit", "&Run", "&Language", "&Help"]
    main_window.language_actions["zh_CN"].trigger()
    assert i18n.language() == "zh_CN"
    assert [m.title() for m in titles] == [zh[t] for t in english]
    assert main_window.menu_file.title() == "文件(&F)"
    assert main_window.act_open.text() == "打开(&O)…"
    assert main_window.tabs.tabText(0) == zh["Editor"]
    assert main_window.settings.language == "zh_CN"
    main_window.language_actions["en"].trigger()
    assert [m.title() for m in titles] == english


def test_an_engine_that_dies_mid_run_is_reported_and_the_app_goes_on(
    main_window: Any, qtbot: Any, dialogs: Any
) -> None:
    long_run = scenarios.example_path("phone_housing_cell").read_text(encoding="utf-8")
    main_window.document.load_text(long_run.replace("replications: 5", "replications: 200"), None)
    snapshots: list[Any] = []
    main_window.controller.snapshot.connect(snapshots.append)
    assert main_window.run_simulation()
    qtbot.waitUntil(lambda: len(snapshots) > 0, timeout=RUN_TIMEOUT_MS)
    process = main_window.controller.engine.process
    process.kill()  # the engine crashes (out of memory, killed ...)
    with qtbot.waitSignal(main_window.controller.failed, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: not main_window.controller.busy)
    assert dialogs.kinds() == ["warning"]
    assert "engine stopped unexpectedly" in dialogs.texts()[0]
    main_window.document.apply_text(TINY)
    with qtbot.waitSignal(main_window.controller.result, timeout=RUN_TIMEOUT_MS):
        assert main_window.run_simulation()  # a new engine process
    assert main_window.controller.engine.process is not process


def test_an_exception_in_the_engine_is_reported_with_its_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import multiprocessing
    import threading

    import simulator.session
    from gui.worker import serve

    class Broken(simulator.session.RunSession):
        def advance(self, dt: float) -> Any:
            raise RuntimeError("kaboom")

    monkeypatch.setattr(simulator.session, "RunSession", Broken)
    ours, engines = multiprocessing.Pipe()
    server = threading.Thread(target=serve, args=(engines, threading.Event()))
    server.start()
    sc = scenarios.loads(TINY)
    ours.send(("run", (sc, 1, 3)))
    replies = []
    while not replies or replies[-1][0] not in {"done", "failed", "cancelled"}:
        replies.append(ours.recv())
    ours.send(("stop", None))
    server.join(10)
    assert replies[0] == ("progress", (0, 1))
    assert replies[-1] == ("failed", ("internal", "RuntimeError: kaboom"))


def test_an_exception_in_a_slot_is_shown_not_fatal(main_window: Any, dialogs: Any) -> None:
    from gui.worker import install_excepthook

    before = sys.excepthook
    try:
        install_excepthook(lambda: main_window)
        try:
            raise ValueError("bad slot")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = before
    assert dialogs.kinds() == ["critical"]
    assert "ValueError: bad slot" in dialogs.texts()[0]


def test_screenshot_exits_0_with_a_desktop_sized_image(tmp_path: Path) -> None:
    out = tmp_path / "editor.png"
    assert main(["phone_housing_cell", "--screenshot", str(out), "--view", "editor"]) == 0
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800
    assert [p.name for p in tmp_path.iterdir() if p.suffix] == ["editor.png"]  # no temporary


def _validate_stderr(name: str) -> str:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert cli.main(["validate", name]) == 2
    return err.getvalue()


@pytest.mark.parametrize("interactive", [False, True])
def test_a_bad_file_exits_2_with_the_command_lines_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], interactive: bool
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("linelab: 1\nname: x\nhorizon: -1 h\nstations: []\n", encoding="utf-8")
    out = tmp_path / "shot.png"
    missing = str(tmp_path / "missing.yaml")
    if interactive:  # a missing file; an invalid one opens in the editor to be fixed
        cases = [(missing, [missing])]
    else:
        cases = [
            (str(bad), [str(bad), "--screenshot", str(out)]),
            (missing, [missing, "--screenshot", str(out), "--view", "charts"]),
            ("no_such_example", ["no_such_example", "--screenshot", str(out)]),
        ]
    for name, argv in cases:
        expected = _validate_stderr(name)
        capsys.readouterr()
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.err == expected and expected.startswith(f"{name}:")
        assert not out.exists()
    if not interactive:
        assert _validate_stderr(str(bad)).splitlines() == [
            f"{bad}:3:10: horizon: must be > 0, got '-1 h'",
            f"{bad}:4:11: stations: needs at least one station",
        ]


def test_dragging_a_station_moves_its_layout_point_in_the_file(
    main_window: Any, tmp_path: Path
) -> None:
    main_window.open_file(str(_copy_example("phone_housing_cell", tmp_path)))
    before = main_window.document.text
    main_window.layout_view.station_moved.emit("cnc", 42.5, 3.25)
    found = scenarios.loads_variants(main_window.document.text, "x.yaml")
    layout = found.scenarios[found.baseline].layout
    assert layout is not None and tuple(layout.points["cnc_in"]) == (42.5, 3.25)
    assert "# tray rack of sawn/pre-milled blanks" in main_window.document.text  # comments kept
    assert main_window.act_undo.text() == "&Undo Move cnc"
    main_window.act_undo.trigger()
    assert main_window.document.text == before

    main_window.layout_view.station_moved.emit("probe", 1.0, 1.0)  # no 'at': not placed
    assert main_window.document.text == before
    assert "probe has no point on the floor" in main_window.status_label.text()


def test_the_app_starts_with_a_file_warms_up_and_quits(
    qtbot: Any, tmp_path: Path, gui_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PyQt6.QtCore import QEventLoop, QTimer
    from PyQt6.QtWidgets import QApplication

    from gui.mainwindow import MainWindow

    path = _copy_example("cnc_cell_conwip", tmp_path)
    seen: dict[str, Any] = {}
    app = QApplication.instance()
    assert app is not None
    # main() ends with app.exec(); the test's application must outlive it, so main() gets a
    # local event loop that this test ends (quitting the application would end the session).
    loop = QEventLoop()
    monkeypatch.setattr(QApplication, "exec", lambda _app: loop.exec())

    def started_window() -> MainWindow | None:
        ours = [
            w for w in app.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and w.document.path == str(path)
        ]
        return ours[-1] if ours else None

    def look_and_close() -> None:
        window = started_window()
        if window is not None:
            seen["path"] = window.document.path
            seen["language"] = i18n.language()
            window.close()
        loop.exit(0)  # main() returns what app.exec() returns

    def when_started() -> None:
        window = started_window()
        assert window is not None

        def warmed(seconds: float) -> None:
            seen["warmed"] = seconds > 0
            QTimer.singleShot(0, look_and_close)

        window.controller.warmed.connect(warmed)

    QTimer.singleShot(0, when_started)
    deadline = QTimer()  # never hang: fail on "warmed" instead
    deadline.setSingleShot(True)
    deadline.timeout.connect(look_and_close)
    deadline.start(120_000)
    try:
        assert main([str(path), "--lang", "zh_CN"]) == 0
    finally:
        deadline.stop()
    assert seen == {"path": str(path), "language": "zh_CN", "warmed": True}
    assert str(path) in (gui_state / "settings.json").read_text(encoding="utf-8")
    assert list(gui_state.glob("recovery-*.json")) == []  # a clean exit leaves none


def test_closing_during_the_warm_up_does_not_wait_for_it(main_window: Any) -> None:
    import time

    main_window.new_from_template("phone_housing_cell")
    main_window.controller.warm_up(main_window.selected_scenario())
    assert main_window.controller.threads()
    started = time.monotonic()
    main_window.controller.shutdown(grace_ms=100)
    assert main_window.controller.threads() == [] or all(
        not t.isRunning() for t in main_window.controller.threads()
    )
    assert main_window.controller.engine.process is None
    assert time.monotonic() - started < 10.0  # not the whole import and build
