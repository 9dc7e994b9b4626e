"""The headless ``linelab`` command starts and works on a machine without Qt.

A subprocess installs a meta-path finder that makes every import of PyQt6 and pyqtgraph fail
(as on a server without the ``gui`` extra), then runs ``linelab validate`` and ``linelab run``
on shipped examples through ``simulator.cli.main``; both must succeed, and the blocker must
have been asked (so the test would notice if it stopped blocking).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCKED_RUN = """
import importlib.abc, sys

BLOCKED = ("PyQt6", "pyqtgraph")
asked = []

class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            asked.append(name)
            raise ImportError(f"{name} is not installed (blocked by the test)")
        return None

sys.meta_path.insert(0, NoQt())
try:
    import PyQt6  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("the blocker does not block")

from simulator.cli import main
code = main(["validate", "phone_housing_cell"])
code = code or main(["run", "smt_assembly", "--replications", "1", "--horizon", "2 h"])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED + ("gui",))
print("loaded:", loaded, "asked:", asked[:1], file=sys.stderr)
raise SystemExit(code or (3 if loaded else 0))
"""


def test_linelab_validates_and_runs_with_qt_blocked() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "phone_housing_cell.yaml: ok" in done.stdout
    assert "throughput" in done.stdout
    assert "loaded: [] asked: ['PyQt6']" in done.stderr


BLOCKED_GUI = """
import importlib.abc, sys

class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "PyQt6":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoQt())
import gui
gui.entry_point()
"""


def test_linelab_gui_without_qt_says_which_extra_is_missing() -> None:
    """``linelab-gui`` on a machine without the gui extra: one plain line and exit 1, not a
    traceback."""
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_GUI],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (
        "linelab-gui: PyQt6 is not installed; the desktop app needs the gui extra: "
        "python3 -m pip install 'linelab[gui]'"
    )
