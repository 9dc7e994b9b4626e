"""The main window: menus, the view tabs, the status bar with progress and Cancel.

It composes the views (editor, layout, charts, compare, training) around one
:class:`~gui.document.ScenarioDocument` and one :class:`~gui.worker.RunController`; the views
never talk to each other. Everything the window does with files asks first when there are
unsaved changes; every visible string goes through :func:`~gui.i18n.tr` and is set again in
:meth:`MainWindow.retranslate` when the language changes.
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QToolBar,
)

import scenarios
from gui import i18n, yamledit
from gui.charts_view import ChartsView
from gui.compare_view import CompareView
from gui.document import ScenarioDocument
from gui.editor import ScenarioEditor
from gui.i18n import tr
from gui.layout_view import LayoutView
from gui.recovery import Autosaver, Recovered, discard, leftovers
from gui.settings import Settings
from gui.training_tab import TrainingTab
from gui.worker import RunController
from scenarios import Scenario
from simulator import __version__

if TYPE_CHECKING:
    from simulator.model import Snapshot

__all__ = ["MainWindow"]

MAX_PROBLEMS_SHOWN = 8
"""Problems listed in the "cannot run" message (all of them are in the editor)."""



def _file_filter() -> str:
    return tr("Scenario files (*.yaml *.yml);;All files (*)")


class MainWindow(QMainWindow):
    """LineLab's window. Public attributes used by the tests and :mod:`gui.app`:
    ``document``, ``controller``, ``editor``, ``layout_view``, ``charts_view``,
    ``compare_view``, ``training_tab``, ``tabs``, ``progress``, ``cancel_button`` and the QActions
    ``act_*``."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else Settings()
        self.document = ScenarioDocument(self)
        self.controller = RunController(self)
        self.autosaver = Autosaver(self.document, self.settings.folder)
        self.last_result: object | None = None
        self.last_comparison: object | None = None
        self._closing = False
        self._job_kind: str | None = None
        self._status_message: tuple[str, dict[str, Any]] = ("Ready", {})
        """The status bar's message as its English key and format arguments, so that a
        change of language shows it again in the new language."""

        self.editor = ScenarioEditor(self.document)
        self.layout_view = LayoutView()
        self.charts_view = ChartsView()
        self.compare_view = CompareView(controller=self.controller)  # reports: engine
        # The Training tab's checks run in this window's engine process, like the runs; its
        # "Load starting scenario" asks about unsaved changes like File ▸ Open.
        self.training_tab = TrainingTab(
            self.document, controller=self.controller, confirm_replace=self.maybe_save
        )
        self.training_tab.start_loaded.connect(self._lesson_start_loaded)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for view in (
            self.editor,
            self.layout_view,
            self.charts_view,
            self.compare_view,
            self.training_tab,
        ):
            self.tabs.addTab(view, "")
        self.setCentralWidget(self.tabs)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

        # Views follow the document (debounced: the editor validates as the user types).
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(self._document_settled)
        self.document.text_changed.connect(self._text_changed)
        self.document.modified_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.document.undo_stack.canUndoChanged.connect(self.act_undo.setEnabled)
        self.document.undo_stack.canRedoChanged.connect(self.act_redo.setEnabled)
        # Bound slots, not lambdas: Qt disconnects them when the window is destroyed, before
        # the undo stack (a grandchild) emits its last signals.
        self.document.undo_stack.undoTextChanged.connect(self._undo_text_changed)
        self.document.undo_stack.redoTextChanged.connect(self._undo_text_changed)
        self.layout_view.station_moved.connect(self._station_moved)

        c = self.controller
        c.started.connect(self._job_started)
        c.progress.connect(self._job_progress)
        c.snapshot.connect(self._snapshot)
        c.result.connect(self._run_result)
        c.comparison.connect(self._comparison_result)
        c.checked.connect(self._lesson_checked)
        c.failed.connect(self._job_failed)
        c.cancelled.connect(self._job_cancelled)
        c.idle.connect(self._job_idle)

        i18n.notifier.changed.connect(self._language_changed)  # a bound slot: disconnected
        # when the window is deleted
        self.retranslate()
        self._job_idle()
        self.resize(1440, 900)
        # What exists now (modules, Qt wrappers, the views) lives as long as the app: keep it
        # out of the garbage collector's full passes, which otherwise walk it all while a run
        # streams in (measured: a 94 ms pause of the GUI thread on a loaded machine).
        gc.freeze()

    # -- building ------------------------------------------------------------------------
    def _action(self, slot: Any, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.act_open = self._action(self.open_file, QKeySequence(keys.Open))
        self.act_save = self._action(self.save, QKeySequence(keys.Save))
        self.act_save_as = self._action(self.save_as, QKeySequence(keys.SaveAs))
        self.act_quit = self._action(self.close, QKeySequence(keys.Quit))
        self.act_undo = self._action(self.document.undo_stack.undo, QKeySequence(keys.Undo))
        self.act_redo = self._action(self.document.undo_stack.redo, QKeySequence(keys.Redo))
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.act_run = self._action(self.run_simulation, "F5")
        self.act_compare = self._action(self.compare_variants, "F6")
        self.act_cancel = self._action(self.controller.cancel, "Esc")
        self.act_about = self._action(self.show_about)
        self.act_clear_recent = self._action(self._clear_recent)
        self.language_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for code, own_name in i18n.LANGUAGES.items():
            action = QAction(own_name, self)  # each language in its own words
            action.setCheckable(True)
            action.setChecked(code == i18n.language())
            action.triggered.connect(lambda _c=False, code=code: self.set_language(code))
            group.addAction(action)
            self.language_actions[code] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        assert bar is not None
        self.menu_file = QMenu(self)
        self.menu_new = QMenu(self)
        self.template_actions: dict[str, QAction] = {}
        for name in scenarios.list_examples():
            action = QAction(name, self)  # the example's file name, as `linelab examples`
            action.triggered.connect(lambda _c=False, name=name: self.new_from_template(name))
            self.menu_new.addAction(action)
            self.template_actions[name] = action
        self.menu_recent = QMenu(self)
        self.menu_recent.aboutToShow.connect(self._fill_recent)
        self.menu_file.addMenu(self.menu_new)
        self.menu_file.addAction(self.act_open)
        self.menu_file.addMenu(self.menu_recent)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_save)
        self.menu_file.addAction(self.act_save_as)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_edit = QMenu(self)
        self.menu_edit.addAction(self.act_undo)
        self.menu_edit.addAction(self.act_redo)
        self.menu_run = QMenu(self)
        for action in (self.act_run, self.act_compare, self.act_cancel):
            self.menu_run.addAction(action)
        self.menu_language = QMenu(self)
        for action in self.language_actions.values():
            self.menu_language.addAction(action)
        self.menu_help = QMenu(self)
        self.menu_help.addAction(self.act_about)
        for menu in (
            self.menu_file,
            self.menu_edit,
            self.menu_run,
            self.menu_language,
            self.menu_help,
        ):
            bar.addMenu(menu)
        self._fill_recent()

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.act_run)
        self.toolbar.addAction(self.act_compare)
        self.toolbar.addAction(self.act_cancel)
        self.toolbar.addSeparator()
        self.variant_label = QLabel(self)
        self.variant_box = QComboBox(self)
        self.variant_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.toolbar.addWidget(self.variant_label)
        self.toolbar.addWidget(self.variant_box)
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        assert status is not None
        self.status_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(240)
        self.progress.setFormat("%v / %m")
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.controller.cancel)
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)

    # -- language ------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every label of the window again in the current language."""
        self.menu_file.setTitle(tr("&File"))
        self.menu_new.setTitle(tr("&New from template"))
        self.menu_recent.setTitle(tr("Open &Recent"))
        self.menu_edit.setTitle(tr("&Edit"))
        self.menu_run.setTitle(tr("&Run"))
        self.menu_language.setTitle(tr("&Language"))
        self.menu_help.setTitle(tr("&Help"))
        self.act_open.setText(tr("&Open…"))
        self.act_save.setText(tr("&Save"))
        self.act_save_as.setText(tr("Save &As…"))
        self.act_quit.setText(tr("&Quit"))
        self.act_run.setText(tr("&Run"))
        self.act_run.setToolTip(tr("Simulate the selected variant: replication 0 live, then all"))
        self.act_compare.setText(tr("&Compare variants"))
        self.act_compare.setToolTip(tr("Run every variant on common random numbers"))
        self.act_cancel.setText(tr("&Cancel"))
        self.act_about.setText(tr("&About LineLab"))
        self.act_clear_recent.setText(tr("Clear the list"))
        self.cancel_button.setText(tr("Cancel"))
        self.variant_label.setText(tr("Variant:") + " ")
        for code, action in self.language_actions.items():
            action.setChecked(code == i18n.language())
        self.tabs.setTabText(self.tabs.indexOf(self.editor), tr("Editor"))
        self.tabs.setTabText(self.tabs.indexOf(self.layout_view), tr("Layout"))
        self.tabs.setTabText(self.tabs.indexOf(self.charts_view), tr("Charts"))
        self.tabs.setTabText(self.tabs.indexOf(self.compare_view), tr("Compare"))
        self.tabs.setTabText(self.tabs.indexOf(self.training_tab), tr("Training"))
        self._label_undo()
        self._update_title()
        self._fill_recent()
        self._show_status()

    def set_status(self, key: str, **args: Any) -> None:
        """Show ``tr(key).format(**args)`` in the status bar and keep it for a change of
        language (``key`` is the English text, a literal in the catalogues)."""
        self._status_message = (key, args)
        self._show_status()

    def _show_status(self) -> None:
        key, args = self._status_message
        self.status_label.setText(tr(key).format(**args))

    def _language_changed(self, _code: str) -> None:
        self.retranslate()

    def set_language(self, code: str) -> None:
        """Switch the app to ``code`` (``en`` or ``zh_CN``) now, and remember it."""
        i18n.set_language(code)
        self.settings.language = code
        self.retranslate()

    def _undo_text_changed(self, _text: str) -> None:
        self._label_undo()

    def _text_changed(self, _text: str) -> None:
        self._refresh_timer.start()

    def _label_undo(self) -> None:
        stack = self.document.undo_stack
        undo, redo = stack.undoText(), stack.redoText()
        self.act_undo.setText(tr("&Undo {action}").format(action=undo) if undo else tr("&Undo"))
        self.act_redo.setText(tr("&Redo {action}").format(action=redo) if redo else tr("&Redo"))

    def _update_title(self, *_args: object) -> None:
        self.setWindowTitle(
            tr("{name}[*] — LineLab").format(name=self.document.display_name)
        )
        self.setWindowModified(self.document.is_modified)

    # -- files ---------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on (saved or
        discarded), False when the user cancelled or the save failed."""
        if not self.document.is_modified:
            return True
        answer = QMessageBox.question(
            self,
            tr("Unsaved changes"),
            tr("{name} has unsaved changes. Save them?").format(
                name=self.document.display_name
            ),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _start_over(self) -> None:
        """Forget the previous file's runs and comparison (the views show the new file: the
        charts its stations, or none while it has problems; nothing left to export)."""
        self.controller.cancel()
        self.last_result = self.last_comparison = None
        self.layout_view.clear_run()
        self.compare_view.clear()
        scenario = self.selected_scenario(explain=False)
        if scenario is not None:
            self.charts_view.set_scenario(scenario)
        else:
            self.charts_view.reset()

    def _lesson_start_loaded(self) -> None:
        """The Training tab put a lesson's starting scenario into the document."""
        self._start_over()
        self._document_settled()

    def load_path(self, path: str) -> bool:
        """Open ``path`` without asking about unsaved changes (the caller did); a file that
        cannot be read is reported in a message box and the document is unchanged."""
        try:
            self.document.open(path)
        except (OSError, UnicodeDecodeError) as exc:
            QMessageBox.critical(
                self,
                tr("Cannot open the file"),
                tr("{path}: cannot be read: {reason}").format(
                    path=path, reason=getattr(exc, "strerror", None) or exc
                ),
            )
            return False
        self._start_over()
        self.settings.add_recent(path)
        self._fill_recent()
        self._document_settled()
        return True

    def open_file(self, path: str | None = None) -> bool:
        """File ▸ Open: ask about unsaved changes, then ``path`` or a file chosen in a dialog."""
        if not self.maybe_save():
            return False
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self, tr("Open scenario"), self._folder(), _file_filter()
            )
            if not path:
                return False
        return self.load_path(path)

    def new_from_template(self, name: str) -> bool:
        """File ▸ New from template ▸ ``name``: an untitled copy of the shipped example."""
        if not self.maybe_save():
            return False
        self.document.new_from_example(name)
        self._start_over()
        self._document_settled()
        return True

    def save(self) -> bool:
        """File ▸ Save (Save As for an untitled document)."""
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self, path: str | None = None) -> bool:
        """File ▸ Save As: ``path`` or one chosen in a dialog."""
        if path is None:
            suggested = os.path.join(self._folder(), self.document.display_name)
            path, _filter = QFileDialog.getSaveFileName(
                self, tr("Save scenario as"), suggested, _file_filter()
            )
            if not path:
                return False
        return self._save_to(path)

    def _save_to(self, path: str) -> bool:
        try:
            self.document.save(path)
        except OSError as exc:
            QMessageBox.critical(
                self,
                tr("Cannot save the file"),
                tr("{path}: cannot be written: {reason}").format(
                    path=path, reason=exc.strerror or exc
                ),
            )
            return False
        self.settings.add_recent(path)
        self._fill_recent()
        self.set_status("Saved {path}", path=path)
        return True

    def _folder(self) -> str:
        if self.document.path:
            return os.path.dirname(self.document.path)
        recent = self.settings.recent_files
        return os.path.dirname(recent[0]) if recent else os.getcwd()

    def _fill_recent(self) -> None:
        menu = self.menu_recent
        menu.clear()
        files = self.settings.recent_files
        for path in files:
            action = QAction(os.path.basename(path), self)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, path=path: self.open_file(path))
            menu.addAction(action)
        if files:
            menu.addSeparator()
            menu.addAction(self.act_clear_recent)
        menu.setEnabled(bool(files))

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent()

    # -- recovery ------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """At start: offer to restore what an earlier session autosaved before it crashed.
        True when a text was recovered."""
        recovered_any = False
        for found in leftovers(self.settings.folder):
            if recovered_any:  # one document per window: keep the older ones for next time
                break
            answer = QMessageBox.question(
                self,
                tr("Recover unsaved changes?"),
                tr(
                    "LineLab closed without saving the changes to {name}. "
                    "Recover them (you can still undo them)?"
                ).format(name=found.display_name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if answer == QMessageBox.StandardButton.Yes:
                self._recover(found)
                recovered_any = True
            discard(found)
        return recovered_any

    def _recover(self, found: Recovered) -> None:
        original = ""
        path = found.path if found.path and os.path.isfile(found.path) else None
        if path is not None:
            try:
                with open(path, encoding="utf-8-sig", newline="") as f:
                    original = f.read()
            except (OSError, UnicodeDecodeError):
                path = None
        self.document.load_text(original, path)
        self.document.apply_text(found.text, tr("Recovered changes"))
        self._start_over()
        self._document_settled()

    # -- the document and the variants ---------------------------------------------------
    def _document_settled(self) -> None:
        """After an edit settles: the variant list and the floor plan follow the text."""
        parsed = self.document.parsed()
        if parsed.variants is None:
            # Nothing of the previous file may stay on screen: no variants, no floor plan
            # (the plan says to fix the problems).
            self.variant_box.blockSignals(True)
            self.variant_box.clear()
            self.variant_box.blockSignals(False)
            if not self.controller.busy:
                self.layout_view.clear_plan()
            return
        names = list(parsed.variants.scenarios)
        current = self.variant_box.currentText()
        self.variant_box.blockSignals(True)
        self.variant_box.clear()
        self.variant_box.addItems(names)
        keep = current if current in names else parsed.variants.baseline
        self.variant_box.setCurrentIndex(names.index(keep))
        self.variant_box.blockSignals(False)
        if not self.controller.busy:
            self.layout_view.set_scenario(parsed.variants.scenarios[keep])

    def selected_scenario(self, *, explain: bool = True) -> Scenario | None:
        """The variant chosen in the toolbar, or ``None`` (and a message) when the text has
        problems."""
        parsed = self.document.parsed()
        if parsed.variants is None:
            if explain:
                self._explain_problems(parsed.problems)
            return None
        self._document_settled()
        name = self.variant_box.currentText() or parsed.variants.baseline
        found = parsed.variants.scenarios
        return found.get(name, found[parsed.variants.baseline])

    def _explain_problems(self, problems: tuple[scenarios.Problem, ...]) -> None:
        lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(tr("… and {n} more").format(n=len(problems) - MAX_PROBLEMS_SHOWN))
        self.tabs.setCurrentWidget(self.editor)
        QMessageBox.warning(
            self,
            tr("The scenario has problems"),
            tr("Fix these problems (they are marked in the editor) and run again:")
            + "\n\n"
            + "\n".join(lines),
        )

    def _station_moved(self, name: str, x_m: float, y_m: float) -> None:
        """A station dragged in the layout view: move its layout point in the file."""
        scenario = self.selected_scenario(explain=False)
        station = None
        if scenario is not None:
            station = next((s for s in scenario.stations if s.name == name), None)
        point = getattr(station, "at", None)
        if scenario is None or point is None:
            self.set_status(
                "{station} has no point on the floor ('at'): add one to place it", station=name
            )
            if scenario is not None:
                self.layout_view.set_scenario(scenario)  # back where the file has it
            return
        text = yamledit.set_value(
            self.document.text, ("layout", "points", point), [round(x_m, 2), round(y_m, 2)]
        )
        self.document.apply_text(text, tr("Move {station}").format(station=name))

    # -- runs ----------------------------------------------------------------------------
    def run_simulation(self) -> bool:
        """Run ▸ Run: simulate the selected variant (False when it cannot start)."""
        if self.controller.busy:
            return False
        scenario = self.selected_scenario()
        if scenario is None:
            return False
        self.layout_view.set_scenario(scenario)
        self.layout_view.clear_run()
        self.charts_view.set_scenario(scenario)
        self.charts_view.clear()
        if not self.controller.run(scenario):
            return False
        if self.tabs.currentWidget() in (self.editor, self.compare_view):
            self.tabs.setCurrentWidget(self.layout_view)
        return True

    def compare_variants(self) -> bool:
        """Run ▸ Compare variants: every variant on common random numbers."""
        if self.controller.busy:
            return False
        parsed = self.document.parsed()
        if parsed.variants is None:
            self._explain_problems(parsed.problems)
            return False
        if not parsed.variants.has_variants:
            self.set_status(
                "{name} has no variants to compare: add a 'variants:' section to the file",
                name=self.document.display_name,
            )
            return False
        if not self.controller.compare(parsed.variants):
            return False
        self.tabs.setCurrentWidget(self.compare_view)
        return True

    def _job_started(self, kind: str) -> None:
        self._job_kind = kind
        for action in (self.act_run, self.act_compare):
            action.setEnabled(False)
        self.act_cancel.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(True)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        name = self.document.display_name
        self.set_status(
            "Running {name}…"
            if kind == "run"
            else "Checking {name} against the lesson…"
            if kind == "lesson"
            else "Comparing the variants of {name}…",
            name=name,
        )

    def _job_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _snapshot(self, snapshot: Snapshot) -> None:
        self.layout_view.add_snapshot(snapshot)
        self.charts_view.add_snapshot(snapshot)

    def _run_result(self, result: Any) -> None:
        self.last_result = result
        self.charts_view.set_result(result)
        stat = result.kpis.get("throughput_per_hour")
        if stat is not None and stat.mean is not None:
            half = stat.half_width
            self.set_status(
                "Done: throughput {mean:.2f} ± {half:.2f} parts/h ({n} replications)",
                mean=stat.mean, half=half or 0.0, n=len(result.replications),
            )
        else:
            self.set_status("Done")

    def _comparison_result(self, comparison: Any) -> None:
        self.last_comparison = comparison
        self.compare_view.set_comparison(comparison, self.document.path)
        n = len(comparison.results)
        self.set_status("Compared {n} variant" if n == 1 else "Compared {n} variants", n=n)

    def _lesson_checked(self, result: Any) -> None:
        self.set_status("Checked: the task is done" if result.passed else "Checked: not yet")

    def _job_failed(self, message: str) -> None:
        if self._job_kind == "lesson":  # the Training tab shows why, beside the task
            self.set_status("The check could not run")
            return
        self.set_status("The run failed")
        if not self._closing:
            QMessageBox.warning(self, tr("The run failed"), message)

    def _job_cancelled(self) -> None:
        self.set_status("Cancelled")

    def _job_idle(self) -> None:
        for action in (self.act_run, self.act_compare):
            action.setEnabled(True)
        self.act_cancel.setEnabled(False)
        self.cancel_button.setVisible(False)
        self.progress.setVisible(False)

    # -- help, closing -------------------------------------------------------------------
    def show_about(self) -> None:
        """Help ▸ About."""
        QMessageBox.about(
            self,
            tr("About LineLab"),
            tr(
                "LineLab {version}: simulate a robot cell or CNC line before you buy it.\n"
                "Discrete-event simulation with 95 % confidence intervals. GPL-3.0-or-later."
            ).format(version=__version__),
        )

    def closeEvent(self, event: QCloseEvent | None) -> None:
        """Ask about unsaved changes; on a clean exit stop the jobs and the autosave."""
        assert event is not None
        if not self.maybe_save():
            event.ignore()
            return
        self._closing = True
        self.training_tab.shutdown()
        self.controller.shutdown()  # waits for a report being written (or ends it)
        self.compare_view.wait_for_export()
        self.autosaver.stop()
        event.accept()
