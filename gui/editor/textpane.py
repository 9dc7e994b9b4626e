"""The YAML text pane and the list of problems under it.

The pane shows the document's text in a fixed-pitch font that also draws Chinese; the lines
with a problem are tinted, and clicking a problem in the list puts the cursor on its line and
column. The problems read like ``linelab validate`` prints them, without the file name:
``12:14: stations[0].process: unknown time unit 'mn' ...``.
"""

from __future__ import annotations

from collections.abc import Iterable

from PyQt6.QtCore import QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QFontDatabase, QTextCursor, QTextFormat
from PyQt6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit, QTextEdit, QWidget

from scenarios import Problem
from scenarios.errors import printable

__all__ = ["ProblemList", "YamlTextPane", "monospace", "problem_text"]

_PROBLEM_LINE = QColor("#fde2e1")
_PROBLEM_TEXT = QColor("#b71c1c")


def problem_text(problem: Problem) -> str:
    """``line:col: path: message``: the command line's report of one problem, without the
    file name (hidden characters escaped, as the command line does)."""
    where = f"{problem.line}:{problem.col}: "
    if problem.path:
        where += f"{problem.path}: "
    return printable(where + problem.message)


def monospace() -> QFont:
    try:
        from gui.fonts import monospace_font

        return monospace_font()
    except ImportError:  # pragma: no cover - the shell's font module is part of the app
        return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class YamlTextPane(QPlainTextEdit):
    """The scenario's YAML text; ``typed(text)`` after each change the planner typed (not
    after :meth:`show_text`, which the editor calls when the document changed elsewhere)."""

    typed = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yaml_text")
        self.setFont(monospace())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(False)
        self._setting = False
        self._problem_lines: list[int] = []
        self.textChanged.connect(self._changed)
        self.cursorPositionChanged.connect(self._highlight)

    def show_text(self, text: str) -> None:
        """Replace the text without emitting ``typed``, keeping the cursor's line and column
        and the scroll position where the text allows (an undo, a form edit)."""
        if text == self.toPlainText():
            return
        cursor = self.textCursor()
        line, col = cursor.blockNumber(), cursor.positionInBlock()
        bar = self.verticalScrollBar()
        scroll = bar.value() if bar is not None else 0
        self._setting = True
        try:
            self.setPlainText(text)
        finally:
            self._setting = False
        self.go_to(line + 1, col + 1, focus=False)
        if bar is not None:
            bar.setValue(scroll)

    def _changed(self) -> None:
        if not self._setting:
            self.typed.emit(self.toPlainText())

    def go_to(self, line: int, col: int, *, focus: bool = True) -> None:
        """Put the cursor on 1-based ``line`` and ``col`` (clamped to the text)."""
        document = self.document()
        if document is None:
            return
        block = document.findBlockByNumber(max(0, line - 1))
        if not block.isValid():
            block = document.lastBlock()
        cursor = QTextCursor(block)
        cursor.movePosition(
            QTextCursor.MoveOperation.Right,
            QTextCursor.MoveMode.MoveAnchor,
            max(0, min(col - 1, block.length() - 1)),
        )
        self.setTextCursor(cursor)
        self.centerCursor()
        if focus:
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def mark_problems(self, lines: Iterable[int]) -> None:
        """Tint the 1-based ``lines`` that have a problem."""
        self._problem_lines = sorted(set(lines))
        self._highlight()

    @property
    def problem_lines(self) -> list[int]:
        """The 1-based lines tinted as having a problem."""
        return list(self._problem_lines)

    def _highlight(self) -> None:
        selections = []
        document = self.document()
        for line in self._problem_lines if document is not None else []:
            assert document is not None
            block = document.findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(_PROBLEM_LINE)
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(block)
            selections.append(selection)
        self.setExtraSelections(selections)


class ProblemList(QListWidget):
    """The problems of the text, one per row; ``jump(line, col)`` when one is clicked."""

    jump = pyqtSignal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problems")
        self.setWordWrap(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def show_problems(self, problems: Iterable[Problem], ok_text: str) -> None:
        """List ``problems`` (or ``ok_text`` when there are none)."""
        self.clear()
        found = False
        for problem in problems:
            found = True
            item = QListWidgetItem(problem_text(problem))
            item.setData(Qt.ItemDataRole.UserRole, (problem.line, problem.col))
            item.setForeground(_PROBLEM_TEXT)
            item.setToolTip(str(problem))
            self.addItem(item)
        if not found:
            item = QListWidgetItem(ok_text)
            item.setForeground(QColor("#2e7d32"))
            self.addItem(item)

    def sizeHint(self) -> QSize:
        """A few rows: the text gets most of the height."""
        return QSize(300, 110)

    def texts(self) -> list[str]:
        """The rows as shown."""
        items = (self.item(i) for i in range(self.count()))
        return [item.text() for item in items if item is not None]

    def _clicked(self, item: QListWidgetItem) -> None:
        where = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(where, tuple):
            self.jump.emit(int(where[0]), int(where[1]))
