"""Where the desktop app keeps its state, and the little it remembers between sessions.

The state folder is ``$LINELAB_GUI_STATE_DIR`` when set (tests point it into a temporary folder
so that no test reads or writes the user's files), else Qt's per-user application-data folder
(``QStandardPaths.AppDataLocation``: ``~/.local/share/LineLab/LineLab`` on Linux). It holds
``settings.json`` (recent files, the chosen language) and the recovery files of
:mod:`gui.recovery`.

Decision: a small JSON file written atomically instead of ``QSettings``: the same format on every
platform, readable, and trivially redirected by the environment variable.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import tempfile
from typing import Any

from PyQt6.QtCore import QStandardPaths

__all__ = ["STATE_DIR_ENV", "Settings", "state_dir", "write_atomic"]

STATE_DIR_ENV = "LINELAB_GUI_STATE_DIR"
MAX_RECENT = 8
"""How many recently opened files the File ▸ Open Recent menu lists."""


def state_dir() -> pathlib.Path:
    """The app's state folder (created when missing)."""
    given = os.environ.get(STATE_DIR_ENV)
    if given:
        folder = pathlib.Path(given)
    else:
        location = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation
        )
        folder = pathlib.Path(location or pathlib.Path.home() / ".linelab-gui")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_atomic(path: pathlib.Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename, so
    a crash leaves the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Settings:
    """Recent files and the chosen language, kept in ``settings.json`` in the state folder.

    A missing or damaged file gives the defaults (a settings file is never worth an error)."""

    def __init__(self, folder: pathlib.Path | None = None) -> None:
        self.folder = folder if folder is not None else state_dir()
        self.path = self.folder / "settings.json"
        self._data: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self._data = loaded

    def _store(self) -> None:
        with contextlib.suppress(OSError):
            write_atomic(self.path, json.dumps(self._data, indent=2, ensure_ascii=False))

    @property
    def recent_files(self) -> list[str]:
        """Recently opened or saved files, most recent first (those that still exist)."""
        files = self._data.get("recent_files", [])
        if not isinstance(files, list):
            return []
        return [f for f in files if isinstance(f, str) and os.path.isfile(f)][:MAX_RECENT]

    def add_recent(self, path: str) -> None:
        """Put ``path`` first in the recent files."""
        path = os.path.abspath(path)
        files = [path] + [f for f in self.recent_files if f != path]
        self._data["recent_files"] = files[:MAX_RECENT]
        self._store()

    def clear_recent(self) -> None:
        """Forget the recent files."""
        self._data["recent_files"] = []
        self._store()

    @property
    def language(self) -> str | None:
        """The language chosen in the menu last time (``None``: follow the system)."""
        value = self._data.get("language")
        return value if isinstance(value, str) else None

    @language.setter
    def language(self, value: str) -> None:
        self._data["language"] = value
        self._store()
