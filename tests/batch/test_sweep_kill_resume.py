"""A sweep killed part-way loses nothing it committed, and ``--resume`` completes it exactly.

Pins down the issue's crash test: a ``linelab sweep -j 2`` subprocess is killed with SIGKILL
(the whole process group: the sweep and its workers, as a crash or power cut would) after
some replications are committed, and its ``--resume`` is killed the same way part-way; the
store is then sound (``PRAGMA integrity_check`` = ok), a last ``--resume`` runs the rest,
and the store holds every (variant, point, replication) exactly once with values identical
to an uninterrupted sweep of the same study. Also that SIGTERM stops a sweep cleanly (exit
143, the workers reaped, the finished replications kept, the session recorded as
interrupted), and that Ctrl-C (SIGINT to the whole group) stops a ``--dask local`` sweep
without a traceback from the cluster's processes. Each subprocess runs in its own session so
that everything it starts is found (and, if a test fails, killed) by its process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.cli import main

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads process groups from /proc"
)

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "simulator.cli"]

LINE = """\
linelab: 2
name: press and pack
horizon: 40 h
warmup: 1 h
replications: 2
seed: 17
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 3}
  - {name: pack, process: {dist: uniform, low: 30 s, high: 70 s}, buffer: 2}
variants:
  manual: {}
  faster:
    stations: {pack: {process: {dist: uniform, low: 20 s, high: 50 s}}}
"""
SETS = ["--set", "stations.pack.buffer=0,1,3", "--set", "source.interarrival.mean=55 s,65 s"]
REPLICATIONS = 6
TOTAL = 2 * 3 * 2 * REPLICATIONS  # variants × points × replications


def _rows(store: Path) -> list[tuple[object, ...]]:
    """Every stored replication, read as another program would (a plain SQLite reader)."""
    conn = sqlite3.connect(store, timeout=30)
    try:
        return conn.execute(
            "SELECT variant, point, replication, status, kpis, detail, error FROM runs "
            "ORDER BY variant, point, replication"
        ).fetchall()
    finally:
        conn.close()


def _count(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        conn = sqlite3.connect(store, timeout=30)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:  # created, but its tables are not visible yet
        return 0


def _integrity(store: Path) -> str:
    conn = sqlite3.connect(store)
    try:
        return "\n".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def _group_alive(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


def _start(scenario: Path, store: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "sweep", str(scenario), *SETS, "--all-variants", "-n", str(REPLICATIONS),
         "-j", "2", "-q", "--store", str(store), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: pgid == pid
    )


def _wait_for_rows(proc: subprocess.Popen[str], store: Path, rows: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        count = _count(store)
        if count >= rows or proc.poll() is not None:
            return count
        time.sleep(0.02)
    return _count(store)


def _clean_up(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if _group_alive(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "line.yaml"
    path.write_text(LINE, encoding="utf-8")
    return path


def test_sigkill_then_resume_gives_every_replication_once_with_the_same_values(
    scenario: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "whole.sqlite"
    assert main(["sweep", str(scenario), *SETS, "--all-variants", "-n", str(REPLICATIONS),
                 "-j", "1", "-q", "--store", str(reference)]) == 0
    expected = _rows(reference)
    assert len(expected) == TOTAL

    store = tmp_path / "killed.sqlite"
    proc = _start(scenario, store)
    try:
        committed = _wait_for_rows(proc, store, 3)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {committed}"
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, mid-study
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        _clean_up(proc)
    first = _rows(store)
    assert 3 <= len(first) < TOTAL, len(first)
    assert _integrity(store) == "ok"
    assert all(row in expected for row in first)  # what was committed is already right

    # The resume is killed too, part-way through what it adds.
    proc = _start(scenario, store, "--resume")
    try:
        committed = _wait_for_rows(proc, store, len(first) + 3)
        assert proc.poll() is None, f"the resume ended before it could be killed: {committed}"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        _clean_up(proc)
    survived = _rows(store)
    assert len(first) + 3 <= len(survived) < TOTAL, (len(first), len(survived))
    assert _integrity(store) == "ok"
    assert all(row in expected for row in survived)

    resumed = subprocess.run(
        [*CLI, "sweep", str(scenario), *SETS, "--all-variants", "-n", str(REPLICATIONS),
         "-j", "2", "-q", "--store", str(store), "--resume"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{TOTAL - len(survived)} replication(s) run, {len(survived)} already" in (
        resumed.stderr
    )
    assert _integrity(store) == "ok"
    conn = sqlite3.connect(store)
    duplicates = conn.execute(
        "SELECT variant, point, replication FROM runs "
        "GROUP BY variant, point, replication HAVING COUNT(*) > 1"
    ).fetchall()
    conn.close()
    assert duplicates == []
    assert _rows(store) == expected  # every key once, values bit for bit


def test_sigterm_stops_cleanly_and_keeps_the_finished_replications(
    scenario: Path, tmp_path: Path
) -> None:
    store = tmp_path / "s.sqlite"
    proc = _start(scenario, store)
    try:
        _wait_for_rows(proc, store, 3)
        assert proc.poll() is None, "the sweep ended before the signal"
        proc.send_signal(signal.SIGTERM)  # `kill PID`: only the sweep itself gets it
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 143, err
        deadline = time.monotonic() + 5
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_alive(proc.pid) == [], "workers left behind"
    finally:
        _clean_up(proc)
    assert "Traceback" not in err and "leaked semaphore" not in err
    assert "terminated" in err and "--resume' runs the rest" in err
    kept = _count(store)
    assert 3 <= kept < TOTAL
    assert _integrity(store) == "ok"
    conn = sqlite3.connect(store)
    outcome = conn.execute("SELECT outcome FROM sessions").fetchall()
    conn.close()
    assert outcome == [("interrupted",)]
    assert sorted(os.listdir(tmp_path)) == ["line.yaml", "s.sqlite"]  # WAL folded in on close


def test_ctrl_c_stops_a_dask_sweep_without_tracebacks(scenario: Path, tmp_path: Path) -> None:
    """Ctrl-C in a terminal reaches the whole process group: the Dask LocalCluster's
    processes must leave it to the sweep (no traceback from each of them), which closes the
    cluster and keeps what finished."""
    store = tmp_path / "s.sqlite"
    proc = _start(scenario, store, "--dask", "local")
    try:
        _wait_for_rows(proc, store, 3)
        assert proc.poll() is None, "the sweep ended before the signal"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        deadline = time.monotonic() + 10
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_alive(proc.pid) == [], "Dask processes left behind"
    finally:
        _clean_up(proc)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted" in err
    assert 3 <= _count(store) < TOTAL
    assert _integrity(store) == "ok"
