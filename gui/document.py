"""The open scenario file: its YAML text, where it lives, whether it is saved, and its undo stack.

Every view edits the scenario through :meth:`ScenarioDocument.apply_text` (the editor's forms
and text pane, the layout view's drags, the training tab's "load starting scenario"), so each
edit is one undoable step on one :class:`QUndoStack`, and every view redraws from the
``text_changed`` signal. The text is the source of truth: a form edit becomes a round-trip YAML
edit of the text (comments of untouched parts kept), never a re-dump of a model.

Validation is the command line's own (:func:`scenarios.loads_variants`), so the problems
shown inline carry the same ``file:line:col: path: message`` wording as ``linelab validate``.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile
from dataclasses import dataclass

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QUndoCommand, QUndoStack

import scenarios
from scenarios import Problem, ScenarioError
from scenarios.variants import VariantSet

__all__ = ["Parsed", "ScenarioDocument"]

_TYPING = 1
"""Undo-command id of typing in the text pane: consecutive keystrokes merge into one step."""


@dataclass(frozen=True)
class Parsed:
    """The document's text, validated: every variant, or the problems that stop it."""

    variants: VariantSet | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Does the text describe a valid scenario (every variant)?"""
        return self.variants is not None


class _TextEdit(QUndoCommand):
    """Replace the whole text (small files: a scenario is a few kB, so no diffs)."""

    def __init__(self, doc: ScenarioDocument, before: str, after: str, label: str, merge: bool):
        super().__init__(label)
        self._doc, self._before, self._after, self._merge = doc, before, after, merge

    def id(self) -> int:
        return _TYPING if self._merge else -1

    def mergeWith(self, other: QUndoCommand | None) -> bool:
        if not isinstance(other, _TextEdit) or not other._merge:
            return False
        self._after = other._after
        return True

    def redo(self) -> None:
        self._doc._set_text(self._after)

    def undo(self) -> None:
        self._doc._set_text(self._before)


class ScenarioDocument(QObject):
    """One scenario file being edited.

    Signals: ``text_changed(str)`` after every change of the text (edit, undo, redo, load);
    ``modified_changed(bool)`` when the text starts or stops differing from the saved file;
    ``path_changed(str)`` when the file is opened or saved under a new name ("" = untitled).
    """

    text_changed = pyqtSignal(str)
    modified_changed = pyqtSignal(bool)
    path_changed = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._path: str | None = None
        self.undo_stack = QUndoStack(self)
        # A bound slot, not a lambda: disconnected when the document is destroyed, before its
        # undo stack emits its last signals (a lambda would reach the deleted document).
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._parsed: Parsed | None = None

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    # -- state ---------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The YAML text as it is now (unsaved edits included)."""
        return self._text

    @property
    def path(self) -> str | None:
        """The file it was opened from or last saved to; ``None`` for an untitled document."""
        return self._path

    @property
    def is_modified(self) -> bool:
        """Does the text differ from the last load or save (by the undo stack's clean state)?"""
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name for titles and messages (``untitled.yaml`` before the first save)."""
        return pathlib.Path(self._path).name if self._path else "untitled.yaml"

    def parsed(self) -> Parsed:
        """The text validated like ``linelab validate`` does it (cached until the next change)."""
        if self._parsed is None:
            label = self._path or "untitled.yaml"
            try:
                self._parsed = Parsed(scenarios.loads_variants(self._text, label), ())
            except ScenarioError as exc:
                self._parsed = Parsed(None, tuple(exc.problems))
        return self._parsed

    # -- edits ---------------------------------------------------------------------------
    def apply_text(self, text: str, label: str = "Edit", *, typing: bool = False) -> None:
        """Replace the text as one undoable step named ``label``.

        ``typing=True`` merges consecutive keystroke edits into one step (the text pane)."""
        if text == self._text:
            return
        self.undo_stack.push(_TextEdit(self, self._text, text, label, typing))

    def _set_text(self, text: str) -> None:
        self._text = text
        self._parsed = None
        self.text_changed.emit(text)

    # -- files ---------------------------------------------------------------------------
    def load_text(self, text: str, path: str | None) -> None:
        """Start over with ``text`` (opened from ``path``, or untitled): no undo history, saved."""
        self.undo_stack.clear()
        self._set_path(path)
        self._set_text(text)
        self.undo_stack.setClean()
        self.modified_changed.emit(False)

    def open(self, path: str) -> None:
        """Read ``path`` (UTF-8; a BOM is kept out). Raises :class:`OSError` or
        :class:`UnicodeDecodeError`; the document is unchanged then."""
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
        self.load_text(text, os.path.abspath(path))

    def new_from_example(self, name: str) -> None:
        """An untitled document holding the text of the shipped example ``name``."""
        text = scenarios.example_path(name).read_text(encoding="utf-8")
        self.load_text(text, None)

    def save(self, path: str | None = None) -> None:
        """Write the text to ``path`` (default: where it came from) atomically: a temporary file
        in the same folder, then a rename, so a crash never leaves half a file."""
        target = path or self._path
        if target is None:
            raise ValueError("an untitled document needs a path to be saved")
        target = os.path.abspath(target)
        folder = os.path.dirname(target) or "."
        fd, tmp = tempfile.mkstemp(prefix=".linelab-", suffix=".yaml.tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(self._text)
                f.flush()
                os.fsync(f.fileno())
            if os.path.exists(target):
                os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._set_path(target)
        self.undo_stack.setClean()

    def _set_path(self, path: str | None) -> None:
        if path != self._path:
            self._path = path
            self.path_changed.emit(path or "")
