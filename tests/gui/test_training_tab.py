"""The Training tab drives a lesson end to end, in English and in Chinese.

Pins down: the lesson list shows every shipped lesson; "Load starting scenario" puts the
lesson's start into the document; Check runs in a worker thread (the GUI keeps running) and
shows "not met" for the start and the verdict table, chart and filled debrief for the
reference solution; hints are revealed one at a time and the count is saved in the progress
file (in LINELAB_GUI_STATE_DIR); a scenario that cannot run shows its error instead of
crashing; switching the language relabels the tab and shows the lesson texts in Chinese;
a cancelled check stops and says so. In the main window: the fifth tab, "Training"
("培训"), checks in the window's engine process (not a thread of the GUI's process: the
controller is busy with a "lesson" job while the tab's worker thread stays unused), "Load
starting scenario" asks before it replaces unsaved changes, and the whole lesson (load, edit
to the solution, check, hint, debrief) runs through the window in both languages.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

import pytest
from PyQt6.QtWidgets import QMessageBox

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import scenarios
from gui import i18n
from gui.document import ScenarioDocument
from gui.training_tab import TrainingTab
from scenarios.lessons import list_lessons, load_lesson

_KEEP: list[object] = []
"""Documents and tabs stay referenced for the whole module: a ScenarioDocument collected by
the garbage collector (a cycle through its undo stack's signal) can crash the interpreter."""

LESSON = "agv-fleet"  # the fastest of the shipped lessons (about 1.5 s per check)


@pytest.fixture
def tab(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("LINELAB_GUI_STATE_DIR", str(tmp_path))
    doc = ScenarioDocument()
    widget = TrainingTab(doc)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    yield widget
    i18n.set_language("en")
    widget.shutdown()
    # The document's clean-state lambda would fire on a deleted wrapper at interpreter exit.
    with contextlib.suppress(TypeError, RuntimeError):
        doc.undo_stack.cleanChanged.disconnect()
    _KEEP.extend((doc, widget))


def _check(qtbot, tab: TrainingTab) -> None:
    with qtbot.waitSignal(tab.check_finished, timeout=60_000):
        tab.check_button.click()
        assert tab.is_checking()  # the click returns at once: the check runs in its thread
    qtbot.waitUntil(lambda: not tab.is_checking(), timeout=10_000)


def _drive(qtbot, tab: TrainingTab, lang: str) -> None:
    lesson = load_lesson(LESSON)
    tab.open_lesson(LESSON)
    assert tab.lesson is not None and tab.lesson.name == LESSON
    assert lesson.text("briefing", lang).splitlines()[0].lstrip("# ") in tab.briefing.toPlainText()

    tab.load_button.click()
    assert tab.document.text == lesson.start_text()
    _check(qtbot, tab)
    assert tab.result is not None and not tab.result.passed
    assert tab.targets_table.rowCount() == len(lesson.check.targets)
    assert tab.debrief.toPlainText() == i18n.tr("The debrief appears when every target is met.")

    tab.document.apply_text(lesson.solution_text(), "solution")
    _check(qtbot, tab)
    result = tab.result
    assert result.passed
    cell = tab.targets_table.item(0, 3)
    assert cell is not None and cell.text() == i18n.tr("met")
    throughput = result.targets[0].mean
    shown = tab.debrief.toPlainText()
    assert f"{throughput:.1f}" in shown  # the debrief quotes the run's own numbers
    assert shown.startswith(result.debrief_text(lang).splitlines()[0].lstrip("# "))
    assert len(tab.chart.getPlotItem().items) >= 3  # bars, intervals, target line

    first = lesson.hints[0].get(lang)
    tab.hint_button.click()
    assert first.split("`")[0][:12] in tab.hints_view.toPlainText()
    assert lesson.hints[1].get(lang).split("`")[0][:12] not in tab.hints_view.toPlainText()
    saved = json.loads((tab.progress.path).read_text(encoding="utf-8"))
    assert saved["lessons"][LESSON] == {"passed": True, "hints": 1}


def test_lesson_list_shows_every_shipped_lesson(tab):
    assert tab.lesson_names() == [info.name for info in list_lessons()]
    assert tab.lesson_list.count() == len(list_lessons())


def test_drive_a_lesson_in_english(qtbot, tab):
    _drive(qtbot, tab, "en")
    assert tab.check_button.text() == "Check"


def test_drive_a_lesson_in_chinese(qtbot, tab):
    i18n.set_language("zh_CN")
    assert tab.check_button.text() == "检查"
    assert tab.load_button.text() == "载入起始场景"
    _drive(qtbot, tab, "zh_CN")
    assert "复盘" in tab.debrief.toPlainText()
    assert "AGV 车队" in tab.lesson_list.item(tab.lesson_names().index(LESSON)).text()


def test_switching_language_relabels_the_open_lesson(qtbot, tab):
    tab.open_lesson(LESSON)
    i18n.set_language("zh_CN")
    assert "任务" in tab.briefing.toPlainText()
    i18n.set_language("en")
    assert "Your task" in tab.briefing.toPlainText()


def test_a_broken_scenario_shows_its_error(qtbot, tab):
    tab.open_lesson(LESSON)
    tab.document.load_text("linelab: 2\nname: x\nhorizon: 1 h\nstations: []\n", None)
    with qtbot.waitSignal(tab.check_failed, timeout=30_000) as blocker:
        tab.check_button.click()
    qtbot.waitUntil(lambda: not tab.is_checking(), timeout=10_000)
    assert "stations" in blocker.args[0]
    assert "stations" in tab.status.text()
    assert tab.check_button.isEnabled()


def test_progress_survives_a_new_tab(qtbot, tab):
    tab.open_lesson(LESSON)
    tab.reveal_hint()
    tab.reveal_hint()
    doc = ScenarioDocument()
    again = TrainingTab(doc)
    qtbot.addWidget(again)
    again.open_lesson(LESSON)
    assert again.progress.hints(LESSON) == 2
    assert "(2/3)" in again.hint_button.text()
    again.shutdown()
    _KEEP.extend((doc, again))


def test_a_cancelled_check_stops_at_the_next_replication_and_says_so() -> None:
    """Closing the tab cancels a running check instead of waiting for all its replications."""
    from gui.training_tab import CheckWorker

    lesson = load_lesson(LESSON)
    worker = CheckWorker(lesson, lesson.solution_text(), "solution.yaml")
    failed: list[str] = []
    finished: list[object] = []
    worker.failed.connect(failed.append)
    worker.finished.connect(finished.append)
    worker.cancel()
    worker.run()  # synchronously: stops at the first progress report
    assert failed == ["Check cancelled."] and finished == []


# -- in the main window ---------------------------------------------------------------------

MODIFIED = "linelab: 2\nname: my line\nhorizon: 2 h\nstations:\n  - {name: a, process: 30 s}\n"


def _check_in_window(qtbot: Any, window: Any) -> Any:
    tab = window.training_tab
    with qtbot.waitSignal(window.controller.checked, timeout=120_000) as got:
        tab.check_button.click()
        # The check is a job of the window's engine process, not a thread of this process.
        assert window.controller.busy and window.controller.kind == "lesson"
        assert tab.is_checking() and tab._thread is None
        assert not window.act_run.isEnabled() and not tab.check_button.isEnabled()
    qtbot.waitUntil(lambda: not window.controller.busy and not tab.is_checking(), timeout=10_000)
    assert tab.check_button.isEnabled() and window.act_run.isEnabled()
    return got.args[0]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_lesson_through_the_main_window(main_window, qtbot, dialogs, lang) -> None:
    window = main_window
    window.set_language(lang)
    tab = window.training_tab
    assert window.tabs.indexOf(tab) == 4
    assert window.tabs.tabText(4) == {"en": "Training", "zh_CN": "培训"}[lang]
    window.tabs.setCurrentWidget(tab)
    lesson = load_lesson(LESSON)
    tab.open_lesson(LESSON)

    # Unsaved changes: asked first; Cancel keeps them, Discard loads the starting scenario.
    window.document.load_text("", None)
    window.document.apply_text(MODIFIED, "typed")
    assert window.document.is_modified
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    tab.load_button.click()
    assert dialogs.kinds() == ["question"] and window.document.text == MODIFIED
    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    tab.load_button.click()
    assert dialogs.kinds() == ["question", "question"]
    assert window.document.text == lesson.start_text() and not window.document.is_modified
    found = scenarios.loads_variants(lesson.start_text(), "start.yaml")
    items = [window.variant_box.itemText(i) for i in range(window.variant_box.count())]
    assert items == list(found.scenarios)  # the window follows the new text at once
    charts_rows = [s.name for s in found.scenarios[found.baseline].stations]
    assert window.charts_view.gantt_rows()[: len(charts_rows)] == charts_rows

    # The start fails its check; the status bar says so, no message box pops up.
    result = _check_in_window(qtbot, window)
    assert not result.passed and tab.result is result
    assert tab.targets_table.rowCount() == len(lesson.check.targets)
    assert window.status_label.text() == i18n.tr("Checked: not yet")

    # Edited to the reference solution (one undoable edit), it passes with the debrief.
    window.document.apply_text(lesson.solution_text(), "solution")
    result = _check_in_window(qtbot, window)
    assert result.passed
    assert window.status_label.text() == i18n.tr("Checked: the task is done")
    assert tab.targets_table.item(0, 3).text() == i18n.tr("met")
    shown = tab.debrief.toPlainText()
    assert f"{result.targets[0].mean:.1f}" in shown  # the run's own numbers
    assert shown.startswith(result.debrief_text(lang).splitlines()[0].lstrip("# "))
    assert tab.lesson_list.item(tab.lesson_names().index(LESSON)).text().startswith("✓ ")

    tab.hint_button.click()
    assert lesson.hints[0].get(lang).split("`")[0][:12] in tab.hints_view.toPlainText()
    assert dialogs.kinds() == ["question", "question"]  # nothing else was asked or shown
    window.document.undo_stack.undo()
    assert window.document.text == lesson.start_text()


def test_a_check_that_cannot_run_is_shown_in_the_tab_not_in_a_message_box(
    main_window, qtbot, dialogs
) -> None:
    window = main_window
    tab = window.training_tab
    tab.open_lesson(LESSON)
    window.document.load_text("linelab: 2\nname: x\nhorizon: 1 h\nstations: []\n", None)
    with qtbot.waitSignal(tab.check_failed, timeout=120_000) as got:
        tab.check_button.click()
    qtbot.waitUntil(lambda: not window.controller.busy and not tab.is_checking(), timeout=10_000)
    assert "stations" in got.args[0] and "stations" in tab.status.text()
    assert dialogs.asked == []
    assert window.status_label.text() == i18n.tr("The check could not run")
    # The window runs on: a run is refused only while the check is going on.
    assert window.act_run.isEnabled() and tab.check_button.isEnabled()


def test_check_waits_for_a_run_of_the_window(main_window, qtbot) -> None:
    """One engine job at a time: Check during a run says so and starts nothing."""
    window = main_window
    tab = window.training_tab
    tab.open_lesson(LESSON)
    long_run = scenarios.example_path("phone_housing_cell").read_text(encoding="utf-8")
    window.document.load_text(long_run.replace("replications: 5", "replications: 200", 1), None)
    assert window.run_simulation()
    tab.check_button.click()
    assert not tab.is_checking() and window.controller.kind == "run"
    assert tab.status.text() == i18n.tr(
        "A run is going on: wait for it or cancel it, then press Check."
    )
    with qtbot.waitSignal(window.controller.cancelled, timeout=30_000):
        window.controller.cancel()
