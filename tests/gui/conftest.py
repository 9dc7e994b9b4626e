"""Shared fixtures of the GUI tests (pytest-qt, offscreen).

Every GUI test runs with:

- its own state folder (``LINELAB_GUI_STATE_DIR`` in ``tmp_path``), so no test reads or
  writes the user's recent files or recovery files, and tests cannot see each other's;
- the language reset to English before and after, so a test that switches to Chinese cannot
  change what the next one reads;
- every modal dialog answered without a user: the static ``QMessageBox`` methods and the
  ``QFileDialog`` file pickers are replaced by :class:`Dialogs`, which records what was asked
  and gives the answers the test queued (or a safe default: *Discard* when offered, else
  *No*/*OK*; a file dialog is cancelled). A test that forgets to answer never hangs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt creates its application

import pytest
from PyQt6.QtWidgets import QFileDialog, QMessageBox

from gui import i18n

Button = QMessageBox.StandardButton


@dataclass
class Dialogs:
    """What the app asked (``asked``: (kind, title, text) in order) and queued answers."""

    asked: list[tuple[str, str, str]] = field(default_factory=list)
    answers: list[Button] = field(default_factory=list)
    """Answers to the next questions (``QMessageBox.question``), first in, first out."""
    files: list[str] = field(default_factory=list)
    """Paths the next file dialogs return ("" = cancelled)."""

    def kinds(self) -> list[str]:
        return [kind for kind, _title, _text in self.asked]

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.asked if kind is None or k == kind]

    def _question(self, _parent: Any, title: str, text: str, buttons: Any = None,
                  _default: Any = None) -> Button:
        self.asked.append(("question", title, text))
        if self.answers:
            return self.answers.pop(0)
        offered = Button.Yes | Button.No if buttons is None else buttons
        if offered & Button.Discard:
            return Button.Discard
        return Button.No

    def _message(self, kind: str) -> Any:
        def show(_parent: Any, title: str, text: str, *_args: Any) -> Button:
            self.asked.append((kind, title, text))
            return Button.Ok

        return show

    def _file(self, kind: str) -> Any:
        def pick(_parent: Any = None, caption: str = "", *_args: Any, **_kw: Any) -> Any:
            self.asked.append((kind, caption, ""))
            path = self.files.pop(0) if self.files else ""
            return path if kind == "directory" else (path, "")

        return pick


@pytest.fixture(autouse=True)
def gui_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's state folder for this test (recent files, recovery files)."""
    folder = tmp_path / "gui-state"
    monkeypatch.setenv("LINELAB_GUI_STATE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts and ends in English."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Modal dialogs answered without a user (see the module docstring)."""
    log = Dialogs()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(log._question))
    for kind in ("warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(log._message(kind)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(log._file("open")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(log._file("save")))
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(log._file("directory"))
    )
    return log


@pytest.fixture
def main_window(qtbot: Any) -> Iterator[Any]:
    """A main window with an empty document; its threads are stopped at the end."""
    from gui.mainwindow import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    yield window
    window.controller.shutdown()
    window.autosaver.stop()
