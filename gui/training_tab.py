"""The Training tab: the course's lessons beside the scenario editor.

A consultant picks a lesson, reads its briefing (Markdown, in the current language), loads the
starting scenario into the open document (:meth:`ScenarioDocument.load_text`), edits it in the
editor, and presses *Check*: :func:`simulator.lesson.check_lesson` runs the lesson's check on
the document's text in the main window's engine process (:mod:`gui.worker`, like a run: a
check in a thread of the GUI's process competed for the GIL with the window (timer gaps up
to 142 ms on a loaded machine);
a tab used on its own, without the window's controller, runs it in a worker
:class:`QThread`), then the tab shows
each target's verdict, a bar chart of the checked metrics against their targets and, when the
task is done, the debrief filled with the run's numbers. Hints are revealed one at a time.

Progress (lessons passed, hints revealed) is saved as JSON in ``training.json`` in the state
folder: the environment variable ``LINELAB_GUI_STATE_DIR``, else Qt's
``AppDataLocation``; an unreadable file starts the course afresh rather than failing.
Every visible string goes through :func:`gui.i18n.tr` (catalogue
``gui/locale/zh_CN/training.json``); lesson texts come from the lesson files in the current
language, and :meth:`TrainingTab.retranslate` relabels everything on a language switch.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pathlib
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QObject, QStandardPaths, Qt, QThread, pyqtSignal, pyqtSlot
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gui import i18n
from gui.document import ScenarioDocument
from gui.i18n import tr
from scenarios import ScenarioError
from scenarios.lessons import Lesson, LessonError, list_lessons, load_lesson

if TYPE_CHECKING:
    from gui.worker import RunController

__all__ = ["CheckWorker", "TrainingProgress", "TrainingTab", "state_dir"]

_STATE_FILE = "training.json"


def state_dir() -> pathlib.Path:
    """Where the GUI keeps its state: ``$LINELAB_GUI_STATE_DIR``, else AppDataLocation."""
    env = os.environ.get("LINELAB_GUI_STATE_DIR")
    if env:
        return pathlib.Path(env)
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return pathlib.Path(loc or pathlib.Path.home() / ".linelab")


class TrainingProgress:
    """The course progress on this machine: per lesson, ``passed`` and ``hints`` revealed."""

    def __init__(self, path: pathlib.Path | None = None) -> None:
        self.path = path or state_dir() / _STATE_FILE
        self.lessons: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("lessons"), dict):
                self.lessons = {
                    str(k): dict(v) for k, v in data["lessons"].items() if isinstance(v, dict)
                }
        except (OSError, ValueError):
            self.lessons = {}

    def passed(self, name: str) -> bool:
        """Has lesson ``name`` been passed on this machine?"""
        return bool(self.lessons.get(name, {}).get("passed", False))

    def hints(self, name: str) -> int:
        """How many hints of lesson ``name`` have been revealed."""
        value = self.lessons.get(name, {}).get("hints", 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def update(self, name: str, **fields: Any) -> None:
        """Set ``fields`` of lesson ``name`` and save at once (atomic: temp file + rename)."""
        entry = self.lessons.setdefault(name, {})
        if fields.get("passed") is False and entry.get("passed"):
            fields.pop("passed")  # a later failed attempt does not undo a pass
        entry.update(fields)
        self.save()

    def save(self) -> None:
        """Write the progress file; a folder that cannot be written is ignored (not fatal)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".training-", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": 1, "lessons": self.lessons}, f, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)


class _Cancelled(Exception):
    """Raised from the progress callback to stop a check that is no longer wanted."""


class CheckWorker(QObject):
    """Runs one lesson check off the GUI thread; emits ``finished(result)`` or ``failed(msg)``."""

    progress = pyqtSignal(int, int)
    finished = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, lesson: Lesson, text: str, filename: str) -> None:
        super().__init__()
        self._lesson, self._text, self._filename = lesson, text, filename
        self._cancelled = False

    def cancel(self) -> None:
        """Stop the check after the replication that is running (called from the GUI thread:
        closing the tab or the app must not wait for the whole check)."""
        self._cancelled = True

    def _progress(self, done: int, total: int) -> None:
        if self._cancelled:
            raise _Cancelled
        self.progress.emit(done, total)

    @pyqtSlot()
    def run(self) -> None:
        """Check the text; any exception becomes a message (never a crash of the app)."""
        from simulator.lesson import check_lesson  # the engine loads in the worker thread

        try:
            result = check_lesson(self._lesson, self._text, self._filename, self._progress)
        except _Cancelled:
            self.failed.emit(tr("Check cancelled."))
        except (ScenarioError, LessonError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(result)


class TrainingTab(QWidget):
    """Lessons list | briefing, actions, hints, verdict, chart and debrief.

    Signals: ``check_finished(object)`` with the :class:`simulator.lesson.CheckResult`,
    ``check_failed(str)`` with the message of a check that could not run.
    """

    check_finished = pyqtSignal(object)
    check_failed = pyqtSignal(str)

    start_loaded = pyqtSignal()
    """The lesson's starting scenario replaced the document's text."""

    def __init__(
        self,
        document: ScenarioDocument,
        parent: QWidget | None = None,
        *,
        controller: RunController | None = None,
        confirm_replace: Callable[[], bool] | None = None,
    ) -> None:
        """``controller``: the main window's :class:`~gui.worker.RunController`, whose
        engine process then runs the checks (standalone, without one, a check runs in a
        :class:`QThread` of this process). ``confirm_replace``: asked before "Load starting
        scenario" replaces the document (the main window's unsaved-changes prompt); False
        keeps the document."""
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self.confirm_replace = confirm_replace
        self._pending = False
        """A check of this tab is running in the controller's engine process."""
        self.progress = TrainingProgress()
        self.lesson: Lesson | None = None
        self.result: Any = None
        self.error: str = ""
        self._thread: QThread | None = None
        self._worker: CheckWorker | None = None
        self._finished: tuple[QThread, CheckWorker | None] | None = None
        self._infos = list_lessons()

        self.heading = QLabel()
        self.lesson_list = QListWidget()
        self.lesson_list.setMinimumWidth(220)
        self.lesson_list.setWordWrap(True)
        self.lesson_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.briefing = QTextBrowser()
        self.briefing.setOpenExternalLinks(False)
        self.load_button = QPushButton()
        self.check_button = QPushButton()
        self.hint_button = QPushButton()
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hints_view = QTextBrowser()
        self.hints_view.setMaximumHeight(110)
        self.targets_table = QTableWidget(0, 4)
        self.targets_table.setWordWrap(True)
        header = self.targets_table.horizontalHeader()
        if header is not None:
            # The target's label takes the room left and wraps; the numbers and the verdict
            # are never cut off (long labels used to push the verdict out of view).
            header.setStretchLastSection(False)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for col in (1, 2, 3):
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.chart = pg.PlotWidget()
        self.chart.setBackground("w")
        self.chart.setMinimumHeight(170)
        # pyqtgraph's own right-click menu is English only; the views export elsewhere.
        self.chart.setMenuEnabled(False)
        self.chart.addLegend(offset=(-10, 5), colCount=2)
        self.debrief = QTextBrowser()

        actions = QHBoxLayout()
        for w in (self.load_button, self.check_button, self.hint_button):
            actions.addWidget(w)
        actions.addWidget(self.progress_bar, 1)

        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.heading)
        left_box.addWidget(self.lesson_list)

        task = QWidget()
        task_box = QVBoxLayout(task)
        task_box.setContentsMargins(0, 0, 0, 0)
        task_box.addWidget(self.briefing, 3)
        task_box.addLayout(actions)
        task_box.addWidget(self.status)
        task_box.addWidget(self.hints_view, 1)

        outcome = QWidget()
        out_box = QVBoxLayout(outcome)
        out_box.setContentsMargins(0, 0, 0, 0)
        out_box.addWidget(self.targets_table, 2)
        out_box.addWidget(self.chart, 2)
        out_box.addWidget(self.debrief, 3)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(task)
        split.addWidget(outcome)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 3)
        split.setSizes([220, 480, 480])
        root = QVBoxLayout(self)
        root.addWidget(split)

        self.lesson_list.currentRowChanged.connect(self._select_row)
        self.load_button.clicked.connect(self.load_start)
        self.check_button.clicked.connect(self.check)
        self.hint_button.clicked.connect(self.reveal_hint)
        i18n.notifier.changed.connect(self.retranslate)
        self.retranslate()
        if self._infos:
            self.lesson_list.setCurrentRow(0)

    # -- lessons ---------------------------------------------------------------------------
    def lesson_names(self) -> list[str]:
        """The names of the listed lessons, in course order."""
        return [info.name for info in self._infos]

    def open_lesson(self, name: str) -> None:
        """Select lesson ``name`` (as a click in the list does)."""
        self.lesson_list.setCurrentRow(self.lesson_names().index(name))

    @pyqtSlot(int)
    def _select_row(self, row: int) -> None:
        if row < 0 or row >= len(self._infos):
            return
        self.result, self.error = None, ""
        try:
            self.lesson = load_lesson(self._infos[row].name)
        except (LessonError, KeyError) as exc:
            self.lesson, self.error = None, str(exc)
        self._show_lesson()

    def load_start(self) -> None:
        """Put the lesson's starting scenario into the document (a fresh, untitled text)."""
        if self.lesson is None:
            return
        if self.confirm_replace is not None and not self.confirm_replace():
            return
        self.document.load_text(self.lesson.start_text(), None)
        self.status.setText(tr("Starting scenario loaded: edit it, then press Check."))
        self.start_loaded.emit()

    def reveal_hint(self) -> None:
        """Show the next hint of the lesson (and remember how many are shown)."""
        if self.lesson is None:
            return
        shown = self.progress.hints(self.lesson.name)
        if shown < len(self.lesson.hints):
            self.progress.update(self.lesson.name, hints=shown + 1)
        self._show_hints()

    # -- check -----------------------------------------------------------------------------
    def is_checking(self) -> bool:
        """Is a check of this tab running (in the engine process or the worker thread)?"""
        return self._pending or self._thread is not None

    def check(self) -> None:
        """Check the document's text against the lesson, in the engine process (or a worker
        thread without a controller)."""
        if self.lesson is None or self.is_checking():
            return
        if self.controller is not None:
            self._check_in_engine(self.lesson)
            return
        self._begin_check()
        thread = QThread()
        worker = CheckWorker(self.lesson, self.document.text, self.document.display_name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(self._on_thread_done)
        self._thread, self._worker = thread, worker
        thread.start()

    def _begin_check(self) -> None:
        self.result, self.error = None, ""
        self.status.setText(tr("Checking…"))
        self.check_button.setEnabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)

    def _check_in_engine(self, lesson: Lesson) -> None:
        c = self.controller
        assert c is not None
        if c.busy:
            self.status.setStyleSheet("")
            self.status.setText(
                tr("A run is going on: wait for it or cancel it, then press Check.")
            )
            return
        self._begin_check()
        for signal, slot in self._engine_slots():
            signal.connect(slot)
        self._pending = c.check_lesson(
            str(lesson.folder), self.document.text, self.document.display_name
        )
        if not self._pending:
            self._engine_idle()

    def _engine_slots(self) -> list[tuple[Any, Any]]:
        c = self.controller
        assert c is not None
        return [
            (c.progress, self._on_progress),
            (c.checked, self._on_finished),
            (c.failed, self._on_failed),
            (c.cancelled, self._engine_cancelled),
            (c.idle, self._engine_idle),
        ]

    @pyqtSlot()
    def _engine_cancelled(self) -> None:
        self._on_failed(tr("Check cancelled."))

    @pyqtSlot()
    def _engine_idle(self) -> None:
        for signal, slot in self._engine_slots():
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)
        self._pending = False
        self.check_button.setEnabled(self.lesson is not None)
        self.progress_bar.setVisible(False)
        self._show_hints()

    @pyqtSlot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(min(done, total))

    @pyqtSlot(object)
    def _on_finished(self, result: Any) -> None:
        if self.lesson is None or result.lesson != self.lesson.name:
            return  # another lesson was opened while this one was checked
        self.result = result
        if self.lesson is not None and result.lesson == self.lesson.name:
            self.progress.update(self.lesson.name, passed=bool(result.passed))
        self._show_result()
        self._refresh_list()
        self.check_finished.emit(result)

    @pyqtSlot(str)
    def _on_failed(self, message: str) -> None:
        self.error = message
        self._show_result()
        self.check_failed.emit(message)

    @pyqtSlot()
    def _on_thread_done(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            # Keep the finished thread and worker alive until the next check: dropping the
            # last reference inside the thread's own ``finished`` signal would delete it
            # while Qt still delivers that signal.
            self._finished = (self._thread, self._worker)
        self._thread, self._worker = None, None
        self.check_button.setEnabled(self.lesson is not None)
        self.progress_bar.setVisible(False)

    def closeEvent(self, event: Any) -> None:
        """Wait for a running check so that no thread outlives the widget."""
        if self._thread is not None:
            if self._worker is not None:
                self._worker.cancel()
            self._thread.quit()
            self._thread.wait()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop listening to language changes and wait for a running check (before deletion)."""
        with contextlib.suppress(TypeError, RuntimeError):
            i18n.notifier.changed.disconnect(self.retranslate)
        if self._pending and self.controller is not None:
            self.controller.cancel()
        if self._thread is not None:
            if self._worker is not None:
                self._worker.cancel()
            self._thread.quit()
            self._thread.wait()

    # -- display ---------------------------------------------------------------------------
    @pyqtSlot()
    def retranslate(self) -> None:
        """Relabel everything in the current language (lesson texts from the lesson files)."""
        self.heading.setText(tr("Lessons"))
        self.load_button.setText(tr("Load starting scenario"))
        self.check_button.setText(tr("Check"))
        self.targets_table.setHorizontalHeaderLabels(
            [tr("Target"), tr("Required"), tr("Result"), tr("Verdict")]
        )
        self._refresh_list()
        self._show_lesson()

    def _refresh_list(self) -> None:
        lang = i18n.language()
        row = self.lesson_list.currentRow()
        self.lesson_list.blockSignals(True)
        self.lesson_list.clear()
        for info in self._infos:
            mark = "✓ " if self.progress.passed(info.name) else ""
            item = QListWidgetItem(f"{mark}{info.order}. {info.title.get(lang)}")
            item.setToolTip(info.teaches.get(lang))
            self.lesson_list.addItem(item)
        self.lesson_list.setCurrentRow(row)
        self.lesson_list.blockSignals(False)

    def _show_lesson(self) -> None:
        lang = i18n.language()
        enabled = self.lesson is not None
        for button in (self.load_button, self.check_button, self.hint_button):
            button.setEnabled(enabled and not self.is_checking())
        if self.lesson is None:
            self.briefing.setPlainText(self.error)
        else:
            self.briefing.setMarkdown(self.lesson.text("briefing", lang))
        self._show_hints()
        self._show_result()

    def _show_hints(self) -> None:
        lang = i18n.language()
        if self.lesson is None:
            self.hint_button.setText(tr("Show a hint"))
            self.hints_view.clear()
            return
        total = len(self.lesson.hints)
        shown = min(self.progress.hints(self.lesson.name), total)
        self.hint_button.setText(
            tr("Show a hint ({shown}/{total})").format(shown=shown, total=total)
        )
        self.hint_button.setEnabled(shown < total and not self.is_checking())
        lines = [
            tr("Hint {n}: {text}").format(n=i + 1, text=h.get(lang))
            for i, h in enumerate(self.lesson.hints[:shown])
        ]
        self.hints_view.setMarkdown("\n\n".join(lines))

    def _show_result(self) -> None:
        lang = i18n.language()
        result = self.result
        self.targets_table.setRowCount(0)
        self.chart.clear()
        if self.error:
            self.status.setText(tr("The check could not run:") + "\n" + self.error)
            self.status.setStyleSheet("color: #b00020;")
            self.debrief.clear()
            return
        self.status.setStyleSheet("")
        if result is None:
            if self.lesson is not None and not self.status.text():
                self.status.setText(tr("Load the starting scenario, edit it, then press Check."))
            self.debrief.clear()
            return
        if result.passed:
            self.status.setText(
                tr("Task done: every target is met ({n} replications).").format(
                    n=result.replications
                )
            )
            self.debrief.setMarkdown(result.debrief_text(lang))
        else:
            message = tr("Not yet: {k} of {n} targets met.").format(
                k=sum(t.met for t in result.targets), n=len(result.targets)
            )
            if result.changed:
                message += "\n" + tr("Changed what must stay:") + " " + "; ".join(result.changed)
            self.status.setText(message)
            self.debrief.setMarkdown(tr("The debrief appears when every target is met."))
        self._fill_table(result, lang)
        self._plot(result, lang)

    def _fill_table(self, result: Any, lang: str) -> None:
        verdicts = {"met": tr("met"), "not met": tr("not met"), "undecided": tr("undecided")}
        self.targets_table.setRowCount(len(result.targets))
        for row, t in enumerate(result.targets):
            shown = "—" if t.mean is None else _num(t.mean)
            if t.ci is not None:
                shown += f"  [{_num(t.ci[0])}, {_num(t.ci[1])}]"
            cells = [t.label(lang), _required(t.target), shown, verdicts.get(t.verdict, t.verdict)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(t.note or t.metric)
                self.targets_table.setItem(row, col, item)
        self.targets_table.resizeRowsToContents()

    def _plot(self, result: Any, lang: str) -> None:
        """Each target's mean as a share of its bound (100 % = the bound), with its interval."""
        xs, heights, colors, lows, highs, ticks = [], [], [], [], [], []
        for i, t in enumerate(result.targets):
            bound = t.target.at_least if t.target.at_least is not None else t.target.at_most
            if t.mean is None or bound is None or bound == 0 or not math.isfinite(t.mean):
                continue
            share = 100.0 * t.mean / bound
            xs.append(float(i))
            heights.append(share)
            colors.append("#2e7d32" if t.met else "#c62828")
            low, high = t.ci if t.ci is not None else (t.mean, t.mean)
            lows.append(share - 100.0 * low / bound)
            highs.append(100.0 * high / bound - share)
            ticks.append((float(i), f"{i + 1}"))
        self.chart.setTitle(tr("Checked metrics, % of their target"))
        if not xs:
            return
        self.chart.addItem(
            pg.BarGraphItem(
                x=xs, height=heights, width=0.6, brush="#2e7d32", brushes=colors,
                name=tr("measured"),
            )
        )
        self.chart.addItem(
            pg.ErrorBarItem(
                x=np.array(xs), y=np.array(heights), top=np.array(highs),
                bottom=np.array(lows), beam=0.2,
            )
        )
        self.chart.plot(
            [min(xs) - 0.5, max(xs) + 0.5], [100.0, 100.0],
            pen=pg.mkPen("#1565c0", width=2, style=Qt.PenStyle.DashLine), name=tr("target"),
        )
        self.chart.getAxis("bottom").setTicks([ticks])
        self.chart.setLabel("left", "%")
        top = max(max(h + e for h, e in zip(heights, highs, strict=True)), 100.0)
        self.chart.setYRange(0.0, top * 1.4, padding=0)  # head room for the legend
        self.chart.setXRange(min(xs) - 0.6, max(xs) + 0.6, padding=0)


def _num(value: float) -> str:
    from scenarios.lessons import format_number

    return format_number(value)


def _required(target: Any) -> str:
    if target.at_least is not None and target.at_most is not None:
        return f"{_num(target.at_least)} – {_num(target.at_most)}"
    if target.at_least is not None:
        return f"≥ {_num(target.at_least)}"
    return f"≤ {_num(target.at_most)}"
