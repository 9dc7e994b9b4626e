"""The layer rules of docs/architecture.md, enforced: import-linter contracts, a Qt-free command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports")
    assert exe is not None, "import-linter is part of the test extra"
    res = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "broken" not in res.stdout.lower().replace("0 broken", "")


def test_headless_command_loads_no_qt() -> None:
    code = (
        "import sys, simulator.cli, simulator.experiment, simulator.fastpath, simulator.output\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PyQt6', 'pyqtgraph', 'gui')]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stdout + res.stderr
