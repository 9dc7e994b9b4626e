"""``linelab results``: what a store holds, as rows or as a summary.

Pins down: the CSV has the columns ``variant, point, replication``, one per ``--set`` path (in
command-line order), then the KPIs by their JSON names (the v2 ones for a v2 line), one row
per stored replication with the values exactly as stored; ``--summary`` gives per variant and
point the mean and the Student-t 95 % CI (checked against SciPy's t quantile here); the printed
summary names the study; ``--csv -`` writes to standard output only; a file that is not a
store, or a missing one, exits 2; the CSV may not overwrite the store.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sqlite3
import statistics
from pathlib import Path

import pytest
from scipy import stats as scipy_stats

from simulator.cli import main

LINE = """\
linelab: 2
name: press and pack
horizon: 2 h
replications: 3
seed: 5
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 3, scrap: 0.05}
  - {name: pack, process: {dist: uniform, low: 30 s, high: 70 s}, buffer: 2}
variants:
  manual: {}
  faster:
    stations: {pack: {process: {dist: uniform, low: 20 s, high: 50 s}}}
"""

V2_KPIS = ["throughput_per_hour", "cycle_time_s", "wip", "scrap_per_hour", "energy_kwh_per_part"]


@pytest.fixture
def store(tmp_path: Path, capsys) -> Path:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    path = tmp_path / "study.sqlite"
    code = main(["sweep", str(scenario), "--set", "stations.pack.buffer=0,2",
                 "--set", "source.interarrival.mean=50 s,70 s", "--all-variants",
                 "-j", "1", "-q", "--store", str(path)])
    assert code == 0
    capsys.readouterr()
    return path


def _stored(path: Path) -> dict[tuple[str, int, int], dict[str, float | None]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT variant, point, replication, kpis FROM runs").fetchall()
    conn.close()
    return {(v, p, r): json.loads(k) for v, p, r, k in rows}


def _csv(capsys, *args: str, note: str = "") -> list[dict[str, str]]:
    """The CSV on stdout; stderr holds nothing but ``note`` (the crashed-replication note)."""
    capsys.readouterr()
    assert main(["results", *args, "--csv", "-"]) == 0
    out, err = capsys.readouterr()
    assert err == note if not note else note in err and err.count("\n") == 1
    return list(csv.DictReader(io.StringIO(out)))


def test_rows_have_the_documented_columns_and_the_stored_values(store: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["results", str(store), "--csv", "-"]) == 0
    text = capsys.readouterr().out
    header = text.splitlines()[0].split(",")
    assert header == ["variant", "point", "replication", "stations.pack.buffer",
                      "source.interarrival.mean", *V2_KPIS]
    rows = list(csv.DictReader(io.StringIO(text)))
    stored = _stored(store)
    assert len(rows) == len(stored) == 2 * 4 * 3
    # variants in the order they ran, then points, then replications
    assert [(r["variant"], int(r["point"]), int(r["replication"])) for r in rows] == [
        (v, p, r) for v in ("manual", "faster") for p in range(4) for r in range(3)
    ]
    for row in rows:
        kpis = stored[(row["variant"], int(row["point"]), int(row["replication"]))]
        for name in V2_KPIS:
            value = kpis[name]
            assert row[name] == ("" if value is None else repr(value))
    point3 = next(r for r in rows if r["point"] == "3")
    assert (point3["stations.pack.buffer"], point3["source.interarrival.mean"]) == ("2", "70 s")
    assert any(float(r["scrap_per_hour"]) > 0 for r in rows)
    assert all(r["energy_kwh_per_part"] == "" for r in rows)  # no power data: undefined


def test_summary_is_mean_and_student_t_interval(store: Path, capsys) -> None:
    rows = _csv(capsys, str(store), "--summary")
    stored = _stored(store)
    assert len(rows) == 8
    for row in rows:
        values = [stored[(row["variant"], int(row["point"]), r)]["cycle_time_s"]
                  for r in range(3)]
        mean = statistics.fmean(values)
        half = scipy_stats.t.ppf(0.975, 2) * statistics.stdev(values) / math.sqrt(3)
        assert row["replications"] == "3" and row["crashed"] == "0"
        assert float(row["cycle_time_s_mean"]) == pytest.approx(mean, rel=1e-12)
        assert float(row["cycle_time_s_ci95_low"]) == pytest.approx(mean - half, rel=1e-9)
        assert float(row["cycle_time_s_ci95_high"]) == pytest.approx(mean + half, rel=1e-9)
        assert row["energy_kwh_per_part_mean"] == ""


def test_the_printed_summary_names_the_study(store: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["results", str(store)]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("press and pack — ") and "seed 5" in first
    assert "stations.pack.buffer" in out and "throughput (parts/h)" in out
    assert len([line for line in out.splitlines() if line.startswith(("manual", "faster"))]) == 8


def test_csv_to_a_file(store: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "rows.csv"
    assert main(["results", str(store), "--csv", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1 + 24
    assert main(["results", str(store), "--csv", str(store)]) == 2
    assert "would overwrite the store" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.write_bytes(b"no database here" * 64), "not a LineLab result store"),
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "not a regular file"),
    ],
    ids=["junk", "missing", "folder"],
)
def test_a_file_that_is_not_a_store(tmp_path: Path, capsys, make, words: str) -> None:
    path = tmp_path / "x.sqlite"
    make(path)
    capsys.readouterr()
    assert main(["results", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_crashed_replication_is_reported_and_kept_apart(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    import simulator.backends as backends

    real = backends.run_replication

    def flaky(scenario, replication, seed):
        if scenario.stations[1].buffer == 0 and replication == 2:
            raise RuntimeError("gripper lost the part")
        return real(scenario, replication, seed)

    monkeypatch.setattr(backends, "run_replication", flaky)
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    path = tmp_path / "study.sqlite"
    code = main(["sweep", str(scenario), "--set", "stations.pack.buffer=0,2", "-j", "1", "-q",
                 "--store", str(path)])
    err = capsys.readouterr().err
    assert code == 0  # the study went on
    assert "warning: 1 replication(s) raised an error" in err
    rows = _csv(capsys, str(path), note="1 replication(s) raised an error: their KPI cells "
                "are empty")
    crashed = [r for r in rows if (r["point"], r["replication"]) == ("0", "2")]
    assert len(rows) == 6 and len(crashed) == 1
    assert all(crashed[0][name] == "" for name in V2_KPIS)
    summary = {r["point"]: r for r in _csv(capsys, str(path), "--summary",
                                           note="left out of the means and CIs")}
    assert (summary["0"]["replications"], summary["0"]["crashed"]) == ("3", "1")
    ok = [float(r["wip"]) for r in rows if r["point"] == "0" and r["replication"] != "2"]
    assert float(summary["0"]["wip_mean"]) == pytest.approx(statistics.fmean(ok), rel=1e-12)
    assert main(["results", str(path)]) == 0
    out = capsys.readouterr().out
    assert "manual point 0 replication 2: RuntimeError: gripper lost the part" in out
    assert "1 replication(s) raised an error (left out of the means and CIs above" in out
