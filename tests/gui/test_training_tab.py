"""The Training tab drives a lesson end to end, in English and in Chinese.

Pins down: the lesson list shows every shipped lesson; "Load starting scenario" puts the
lesson's start into the document; Check runs in a worker thread (the GUI keeps running) and
shows "not met" for the start and the verdict table, chart and filled debrief for the
reference solution; hints are revealed one at a time and the count is saved in the progress
file (in LINELAB_GUI_STATE_DIR); a scenario that cannot run shows its error instead of
crashing; switching the language relabels the tab and shows the lesson texts in Chinese;
a cancelled check stops and says so.
"""

from __future__ import annotations

import contextlib
import json
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
