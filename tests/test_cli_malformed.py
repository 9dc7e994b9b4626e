"""Every malformed scenario of the table, through ``linelab run`` and ``linelab validate``.

Each must exit 2 within seconds of CPU time, print ``file:line:col: ...`` with the expected
message on stderr, never a traceback, and leave no result file behind. A few also go through
a real process (the console script's code path, with its own interpreter).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.cli import main
from tests.scenarios.malformed_cases import CASES, Case, materialize


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_run_rejects_with_exit_2(case: Case, tmp_path: Path, capsys) -> None:
    path = materialize(case, tmp_path)
    out_json, out_csv = tmp_path / "out.json", tmp_path / "out.csv"
    # CPU time of this process, not the wall clock: a loaded machine must not fail the test,
    # while a parser that expands a bomb or loops still uses far more than this.
    started = time.process_time()
    code = main(["run", str(path), "--json", str(out_json), "--csv", str(out_csv), "-j", "1"])
    elapsed = time.process_time() - started
    captured = capsys.readouterr()
    assert code == 2
    assert elapsed < 5.0
    assert f"{path}:{case.line}:{case.col}: " in captured.err
    assert case.message in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not out_json.exists() and not out_csv.exists()
    assert not list(tmp_path.glob(".out.*"))
    assert main(["validate", str(path)]) == 2


@pytest.mark.parametrize(
    "case_id", ["empty_file", "not_utf8", "alias_bomb", "python_object_tag", "deep_nesting"]
)
def test_real_process(case_id: str, tmp_path: Path) -> None:
    matching = [c for c in CASES if c.id == case_id]
    assert matching, f"no case {case_id!r} in the table"
    case = matching[0]
    path = materialize(case, tmp_path)
    out = tmp_path / "out.json"
    res = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(path), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert f"{path}:{case.line}:{case.col}: " in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()
