"""The ``linelab`` command: its stable contract (docs/architecture.md) end to end.

Pins down the KPI table and the JSON keys, CSV, atomic result files, exit codes (0 ok, 2 bad
input, 1 internal error), that bad input never prints a traceback nor leaves a result file, and
that the headless command does not import Qt.
"""

from __future__ import annotations

import json
import math
import os
import stat as file_stat
import subprocess
import sys
from pathlib import Path

import pytest

import scenarios
from simulator.cli import main

SMALL = """\
linelab: 1
name: Two-station cell
horizon: 5 h
warmup: 20 min
replications: 3
seed: 7
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - name: press
    servers: 1
    process: {dist: exponential, mean: 48 s}
    buffer: 5
  - {name: pack, process: 40 s}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_run_prints_table_and_writes_json_and_csv(small: Path, tmp_path: Path, capsys) -> None:
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    code = main(["run", str(small), "--json", str(out_json), "--csv", str(out_csv), "-j", "1"])
    assert code == 0
    table = capsys.readouterr().out
    assert "throughput (parts/h)" in table and "press" in table and "±" in table
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["scenario"] == "Two-station cell"
    assert data["seed"] == 7 and data["replications"] == 3 and data["variant"] == "base"
    assert set(data["kpis"]) == {"throughput_per_hour", "cycle_time_s", "wip"}
    for stat in data["kpis"].values():
        assert set(stat) == {"mean", "ci95", "values"}
        assert len(stat["values"]) == 3
        assert stat["mean"] == pytest.approx(sum(stat["values"]) / 3)
        lo, hi = stat["ci95"]
        assert lo <= stat["mean"] <= hi
    press = data["stations"]["press"]
    assert set(press["states"]) >= {"busy", "starved", "blocked"}
    assert press["utilization"] == press["states"]["busy"]
    assert set(press["units"]) == {"press.1"}
    assert press["units"]["press.1"]["states"]["busy"] == press["states"]["busy"]
    assert math.fsum(press["states"][s]["mean"] for s in press["states"]) == pytest.approx(1.0)
    rows = out_csv.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "key,mean,ci95_low,ci95_high,rep_0,rep_1,rep_2"
    keys = [r.split(",")[0] for r in rows[1:]]
    assert "kpis.throughput_per_hour" in keys and "stations.pack.states.blocked" in keys
    assert not list(tmp_path.glob(".*.tmp"))


def test_overrides_and_one_replication_gives_null_ci(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert (
        main(["run", str(small), "-n", "1", "--seed", "3", "--horizon", "1 h", "--json", str(out)])
        == 0
    )
    data = json.loads(out.read_text())
    assert data["replications"] == 1 and data["seed"] == 3 and data["horizon_s"] == 3600
    assert data["kpis"]["wip"]["ci95"] is None


def test_json_is_strict_when_no_part_finishes(tmp_path: Path) -> None:
    path = tmp_path / "slow.yaml"
    path.write_text(
        "linelab: 1\nname: slow\nhorizon: 10 s\nreplications: 2\n"
        "stations: [{name: a, process: 1 h}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    assert main(["run", str(path), "--json", str(out), "-j", "1"]) == 0
    text = out.read_text()
    assert "NaN" not in text
    data = json.loads(text)
    assert data["kpis"]["cycle_time_s"] == {"mean": None, "ci95": None, "values": [None, None]}
    assert data["kpis"]["throughput_per_hour"]["mean"] == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "{s}", "--replications", "0"], "--replications must be between 1"),
        (["run", "{s}", "--replications", "many"], "whole number"),
        (["run", "{s}", "--seed", "-1"], "--seed must be between"),
        (["run", "{s}", "--horizon", "3 weeks"], "--horizon"),
        (["run", "{s}", "--horizon", "0 h"], "--horizon must be > 0"),
        (["run", "{s}", "--workers", "0"], "--workers must be between"),
        (["run", "{s}", "--json", "{tmp}/missing/r.json"], "does not exist"),
        (["run", "{s}", "--json", "{tmp}"], "is a directory"),
        (["run", "{s}", "--json", ""], "--json: empty file name"),
        (["run", "{s}", "--csv", ""], "--csv: empty file name"),
        (["schema", "--output", ""], "--output: empty file name"),
        (["run", "{s}", "--bogus"], "unrecognized arguments"),
        (["frobnicate"], "invalid choice"),
        ([], "usage"),
    ],
)
def test_bad_arguments_exit_2(
    small: Path, tmp_path: Path, capsys, args: list[str], needle: str
) -> None:
    argv = [a.format(s=small, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err
    assert not list(tmp_path.rglob("*.json"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--horizon", "1e9"],
            "--horizon: warmup + horizon must be at most 1e9 s (about 31 years)",
        ),
        (["--horizon", "999999000 s", "-n", "2"], "--horizon: warmup + horizon must be at most"),
    ],
)
def test_override_errors_name_the_flag(
    small: Path, tmp_path: Path, capsys, args: list[str], expected: str
) -> None:
    """An override that breaks a bound of the format is reported on its flag, in one line,
    not as pydantic's raw validation error (the file itself is valid)."""
    out = tmp_path / "r.json"
    assert main(["run", str(small), *args, "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected), err
    assert "warm-up in" in err and "1200 s" in err  # the other half of the sum, and where
    assert len(err.strip().splitlines()) == 1
    for raw in ("validation error", "input_value", "type=", "Scenario"):
        assert raw not in err
    assert not out.exists()


def test_override_message_for_every_overridable_field(small: Path) -> None:
    """Every field an option overrides maps back to its flag (bounds checked by pydantic)."""
    from pydantic import ValidationError

    from simulator.cli import _override_problems

    sc = scenarios.load(small)
    for key, bad in (("replications", 0), ("seed", -1), ("horizon", -5.0)):
        with pytest.raises(ValidationError) as info:
            type(sc).model_validate({**sc.model_dump(), key: bad})
        message = _override_problems(info.value, {key: bad}, str(small), sc)
        assert message.startswith(f"--{key}: "), message
        assert "input_value" not in message


def test_validate_and_schema_and_examples(small: Path, tmp_path: Path, capsys) -> None:
    assert main(["validate", str(small)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == scenarios.json_schema()
    assert main(["examples"]) == 0
    listed = capsys.readouterr().out
    for name in scenarios.list_examples():
        assert name in listed


def test_shipped_example_runs_by_name(tmp_path: Path) -> None:
    name = scenarios.list_examples()[0]
    out = tmp_path / "r.json"
    assert main(["run", name, "-n", "2", "--horizon", "1 h", "-j", "1", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["replications"] == 2


def test_internal_error_exits_1_without_traceback(small: Path, monkeypatch, capsys) -> None:
    import simulator.experiment as experiment

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(experiment, "run_experiment", boom)
    assert main(["run", str(small), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "kaboom" in err and "Traceback" not in err


def test_real_process_no_qt_and_exit_codes(small: Path, tmp_path: Path) -> None:
    """The installed entry point, in a fresh interpreter that cannot import Qt."""
    code = (
        "import sys; sys.modules['PyQt6'] = None; sys.modules['pyqtgraph'] = None\n"
        "from simulator.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    ok = subprocess.run(
        [sys.executable, "-c", code, "run", str(small), "-n", "2", "-j", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("buffer: 5", "buffer: -3"), encoding="utf-8")
    out = tmp_path / "out.json"
    res = subprocess.run(
        [sys.executable, "-c", code, "run", str(bad), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert f"{bad}:13:13: stations[0].buffer: must be >= 0, got -3" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_outputs_may_not_overwrite_each_other_or_the_scenario(
    small: Path, tmp_path: Path, capsys
) -> None:
    same = tmp_path / "same.out"
    assert main(["run", str(small), "--json", str(same), "--csv", str(same)]) == 2
    assert "would overwrite the --json file" in capsys.readouterr().err
    before = small.read_bytes()
    assert main(["run", str(small), "--json", str(small)]) == 2
    assert "would overwrite the scenario file" in capsys.readouterr().err
    assert small.read_bytes() == before and not same.exists()


def test_unwritable_output_folder_is_bad_input_before_running(small: Path, capsys) -> None:
    assert main(["run", str(small), "--json", "/proc/linelab-result.json"]) == 2
    assert "cannot write in '/proc'" in capsys.readouterr().err


def test_result_files_are_readable_by_others(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        assert main(["run", str(small), "-n", "1", "--json", str(out)]) == 0
    finally:
        os.umask(old)
    assert file_stat.S_IMODE(out.stat().st_mode) == 0o644


def test_closed_stdout_still_writes_results(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code = "import sys; from simulator.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "run", str(small), "-n", "2", "-j", "1", "--json", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away, as with `| head -0`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err
    assert json.loads(out.read_text())["replications"] == 2


def test_unknown_name_points_at_examples(capsys) -> None:
    assert main(["run", "no_such_line"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("no_such_line:1:1: no such file") and "linelab examples" in err


def test_time_model_that_cannot_be_computed_is_refused_at_its_line(
    tmp_path: Path, capsys
) -> None:
    # UR5e reaches 0.85 m; a waypoint 2 m out validates (it is a list of numbers) but has no
    # time: run and validate refuse it before time 0 at the waypoint, and write nothing.
    path = tmp_path / "far.yaml"
    path.write_text(
        "linelab: 2\nname: Far robot\nhorizon: 1 h\nstations:\n  - name: pick\n"
        "    process:\n      model: robot_task\n      robot: ur5e\n      waypoints:\n"
        "        - [0.45, -0.15, 0.15]\n        - [2.0, 0.15, 0.15]\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    for argv in (["run", str(path), "-j", "1", "--json", str(out)], ["validate", str(path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"{path}:11:11: stations[0].process.waypoints[1]: ")
        assert "out of reach of UR5e" in err and "Traceback" not in err
    assert not out.exists()
