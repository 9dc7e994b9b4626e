"""Autosave of unsaved edits to a recovery file, and the offer to recover them after a crash.

While the document has unsaved changes, its text is written every few seconds to
``recovery-<pid>.json`` in the state folder (:func:`gui.settings.state_dir`), atomically, with
the path of the file it belongs to. Saving the document or closing the app normally removes the
file. A recovery file that outlives its process (the app crashed, the machine lost power) is
found at the next start: the main window offers to reopen the text, as an unsaved, undoable
edit of the file it came from.

A recovery file is never executed nor trusted: it is read as JSON and its text goes through
the same validation as any scenario text.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import time
from dataclasses import dataclass

from PyQt6.QtCore import QObject, QTimer

from gui.document import ScenarioDocument
from gui.settings import state_dir, write_atomic

__all__ = ["AUTOSAVE_INTERVAL_MS", "Autosaver", "Recovered", "discard", "leftovers"]

AUTOSAVE_INTERVAL_MS = 3000
"""How often unsaved edits are written to the recovery file (ms)."""

_PREFIX, _SUFFIX = "recovery-", ".json"


@dataclass(frozen=True)
class Recovered:
    """A recovery file left by a process that is gone."""

    file: pathlib.Path
    """The recovery file itself."""
    text: str
    """The unsaved scenario text."""
    path: str | None
    """The scenario file the text was an edit of (``None``: an untitled document)."""
    saved_at: float
    """When it was written (seconds since the epoch)."""

    @property
    def display_name(self) -> str:
        """The scenario's file name, for the question asked at start."""
        return pathlib.Path(self.path).name if self.path else "untitled.yaml"


def _alive(pid: int) -> bool:
    """Is process ``pid`` running (POSIX; elsewhere only our own process counts)?"""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def leftovers(folder: pathlib.Path | None = None) -> list[Recovered]:
    """Recovery files of processes that are gone, newest first (damaged ones are skipped)."""
    folder = folder if folder is not None else state_dir()
    found: list[Recovered] = []
    for file in folder.glob(f"{_PREFIX}*{_SUFFIX}"):
        pid_text = file.name[len(_PREFIX) : -len(_SUFFIX)]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            text, path, saved_at = data["text"], data.get("path"), float(data.get("saved_at", 0))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(text, str) and (path is None or isinstance(path, str)):
            found.append(Recovered(file, text, path, saved_at))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def discard(recovered: Recovered) -> None:
    """Delete a leftover recovery file (after it was recovered or declined)."""
    with contextlib.suppress(OSError):
        recovered.file.unlink()


class Autosaver(QObject):
    """Writes ``document``'s unsaved text to this process's recovery file every
    :data:`AUTOSAVE_INTERVAL_MS`; removes the file when the document is saved or unchanged."""

    def __init__(
        self,
        document: ScenarioDocument,
        folder: pathlib.Path | None = None,
        interval_ms: int = AUTOSAVE_INTERVAL_MS,
    ) -> None:
        super().__init__(document)
        self.document = document
        self.folder = folder if folder is not None else state_dir()
        self.file = self.folder / f"{_PREFIX}{os.getpid()}{_SUFFIX}"
        self._written: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        document.modified_changed.connect(self._modified_changed)

    def _modified_changed(self, modified: bool) -> None:
        if not modified:
            self.remove()

    def save_now(self) -> None:
        """Write the recovery file if the document has unsaved changes not yet written.

        A failure to write (full disk) is silent: autosave must never interrupt the user."""
        doc = self.document
        if not doc.is_modified:
            self.remove()
            return
        if doc.text == self._written and self.file.exists():
            return
        data = {"path": doc.path, "saved_at": time.time(), "text": doc.text}
        with contextlib.suppress(OSError):
            write_atomic(self.file, json.dumps(data, ensure_ascii=False))
            self._written = doc.text

    def remove(self) -> None:
        """Delete this process's recovery file (saved, or closed cleanly)."""
        self._written = None
        with contextlib.suppress(OSError):
            self.file.unlink()

    def stop(self) -> None:
        """Stop autosaving and remove the file (a clean exit)."""
        self.timer.stop()
        self.remove()
