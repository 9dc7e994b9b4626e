"""A result store survives what goes wrong around it: full disks, read-only folders, kills
during its creation, two sweeps at once, damaged files, and a stop while workers hold results.

Pins down: a disk that fills (when the sweep starts, part-way, while the store is created)
exits 1 with one ``cannot write the store`` line, never an internal error, and keeps every
replication committed before; a store is published whole by a link that cannot replace
another sweep's store; a creation killed with SIGKILL leaves no store, and its temporary file
is removed by the next creation; a store in a read-only folder can still be read by
``linelab results`` and is refused by ``sweep`` (exit 2, untouched); a truncated, empty or
newer-format file is told apart with exit 2; the results CSV keeps its KPI columns when every
replication crashed; the progress bar (tqdm, with an ETA) is drawn only on a terminal; Ctrl-C
stores the replications the workers had already finished before it stops them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import simulator.store as store_module
from simulator.backends import DaskBackend, PoolBackend, RunRecord, SerialBackend, Task
from simulator.cli import main
from simulator.overrides import parse_file
from simulator.store import NotAStore, ResultStore, StudyMeta, read_records
from simulator.sweep import parse_sets, plan_study, run_sweep

ROOT = Path(__file__).resolve().parents[2]

LINE = """\
linelab: 1
name: press and pack
horizon: 2 h
replications: 2
seed: 5
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 3}
  - {name: pack, process: {dist: uniform, low: 30 s, high: 70 s}, buffer: 2}
"""
SETS = ["--set", "stations.pack.buffer=0,1,2"]
FULL = "database or disk is full"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _sweep(*extra: str) -> int:
    return main(["sweep", "line.yaml", *SETS, "-j", "1", "-q", "--store", "s.sqlite", *extra])


def _state(folder: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in sorted(os.listdir(folder))
        if (folder / name).is_file()
    }


def _rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT variant, point, replication, kpis FROM runs ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        conn.close()


def _meta() -> StudyMeta:
    return StudyMeta(LINE, "line.yaml", "press and pack", 5, ("stations.pack.buffer",))


# --- a full disk ------------------------------------------------------------------------------


def test_a_full_disk_when_the_sweep_starts_is_a_write_error(folder: Path, monkeypatch,
                                                             capsys) -> None:
    assert _sweep("-n", "1") == 0
    before = _rows(folder / "s.sqlite")

    def full(self: ResultStore, command: str) -> None:
        raise sqlite3.OperationalError(FULL)

    monkeypatch.setattr(ResultStore, "begin_session", full)
    capsys.readouterr()
    assert _sweep("-n", "2", "--resume") == 1
    err = capsys.readouterr().err
    assert f"linelab: cannot write the store s.sqlite: {FULL}" in err
    assert "internal error" not in err and "Traceback" not in err
    assert _rows(folder / "s.sqlite") == before


def test_a_disk_that_fills_part_way_keeps_what_was_committed(folder: Path, monkeypatch,
                                                             capsys) -> None:
    real = ResultStore.record
    calls = []

    def fills(self: ResultStore, run: RunRecord) -> None:
        calls.append(run.key)
        if len(calls) > 3:
            raise sqlite3.OperationalError(FULL)
        real(self, run)

    monkeypatch.setattr(ResultStore, "record", fills)
    capsys.readouterr()
    assert _sweep() == 1
    err = capsys.readouterr().err
    assert f"cannot write the store s.sqlite: {FULL}" in err and "internal error" not in err
    assert "sweep stopped: 3 replication(s) are in s.sqlite" in err
    assert len(_rows(folder / "s.sqlite")) == 3
    monkeypatch.setattr(ResultStore, "record", real)
    assert _sweep("--resume") == 0  # the space is back: the rest runs
    assert len(_rows(folder / "s.sqlite")) == 6


def test_a_full_disk_while_the_store_is_created_leaves_nothing(folder: Path, monkeypatch,
                                                               capsys) -> None:
    def full(params: object) -> str:
        raise sqlite3.OperationalError(FULL)

    monkeypatch.setattr(store_module, "params_key", full)
    before = _state(folder)
    capsys.readouterr()
    assert _sweep() == 1
    assert FULL in capsys.readouterr().err
    assert _state(folder) == before  # no store, no temporary file


# --- creation: killed, raced ------------------------------------------------------------------


def test_a_creation_killed_part_way_leaves_no_store_and_its_litter_goes(folder: Path) -> None:
    """SIGKILL just before the new store would get its name (the worst moment: the
    temporary file is complete); the next sweep creates the store and removes the litter."""
    code = (
        "import os, signal, sys; sys.argv[1:] = []\n"
        "def die(*a, **k): os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.link = die; os.replace = die\n"
        "from simulator.cli import main\n"
        "main(['sweep', 'line.yaml', '--set', 'stations.pack.buffer=0,1,2', '-j', '1', '-q',"
        " '--store', 's.sqlite'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, timeout=120)
    assert killed.returncode == -9
    assert not (folder / "s.sqlite").exists()
    litter = [n for n in os.listdir(folder) if n.startswith(".s.sqlite.")]
    assert litter  # the complete temporary file, never named as the store
    assert _sweep() == 0
    assert sorted(os.listdir(folder)) == ["line.yaml", "s.sqlite"]
    assert len(_rows(folder / "s.sqlite")) == 6


def test_a_stale_temporary_file_being_written_is_left_alone(tmp_path: Path) -> None:
    busy = tmp_path / ".s.sqlite.0123456789ab.tmp"
    busy.write_bytes(b"")
    lock = store_module._lock(str(busy))  # a creation still running holds its lock
    try:
        ResultStore.create(str(tmp_path / "s.sqlite"), _meta(), [{}]).close()
        assert busy.exists()
    finally:
        if lock is not None:
            os.close(lock)


def test_two_creations_of_one_store_never_replace_each_other(tmp_path: Path,
                                                             monkeypatch) -> None:
    """Two sweeps that both found no store create it at once: the second must fail, not
    put its file in place of the first's, whose replications would then be lost."""
    path = tmp_path / "s.sqlite"
    first = ResultStore.create(str(path), _meta(), [{"stations.pack.buffer": 0}])
    try:
        first.record(RunRecord("base", 0, 0, "t0", "t1", {"throughput_per_hour": 60.0}))
        real_exists = os.path.exists
        # the second sweep checked before the first published its store:
        monkeypatch.setattr(os.path, "exists", lambda p: False if p == str(path)
                            else real_exists(p))
        with pytest.raises(FileExistsError):
            ResultStore.create(str(path), _meta(), [{"stations.pack.buffer": 1}])
        monkeypatch.undo()
        first.record(RunRecord("base", 0, 1, "t0", "t1", {"throughput_per_hour": 61.0}))
    finally:
        first.close()
    _meta_read, points, records = read_records(str(path))
    assert points == {0: {"stations.pack.buffer": 0}}
    assert [r.replication for r in records] == [0, 1]
    assert sorted(os.listdir(tmp_path)) == ["s.sqlite"]


def test_a_second_sweep_on_a_busy_store_is_refused(folder: Path, capsys) -> None:
    assert _sweep("-n", "1") == 0
    before = _rows(folder / "s.sqlite")
    with ResultStore.open(str(folder / "s.sqlite")):  # the first sweep is still running
        capsys.readouterr()
        assert _sweep("-n", "2", "--resume") == 2
        assert "another sweep is writing to it" in capsys.readouterr().err
    assert _rows(folder / "s.sqlite") == before


# --- read-only folders ------------------------------------------------------------------------


def _cantopen() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("unable to open database file")
    exc.sqlite_errorcode = 14  # SQLITE_CANTOPEN, as SQLite sets it
    return exc


def test_results_reads_a_store_in_a_read_only_folder(folder: Path, monkeypatch,
                                                     capsys) -> None:
    """In a read-only folder SQLite cannot create a WAL store's ``-shm`` file and refuses
    ordinary and ``mode=ro`` connections alike (as simulated here); an archived study must
    still be readable."""
    assert _sweep() == 0
    expected = read_records("s.sqlite")
    real_connect: Any = sqlite3.connect

    def read_only_folder(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        if "immutable=1" not in str(target):
            raise _cantopen()
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only_folder)
    assert read_records("s.sqlite") == expected
    capsys.readouterr()
    assert main(["results", "s.sqlite", "--csv", "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1 + 6


def test_sweep_refuses_a_read_only_store_before_running(folder: Path, monkeypatch,
                                                        capsys) -> None:
    assert _sweep("-n", "1") == 0
    before = _state(folder)
    real_access = os.access
    store = os.path.abspath("s.sqlite")
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode & os.W_OK and (
        os.path.abspath(p) in (store, str(folder))) else real_access(p, mode))
    capsys.readouterr()
    assert _sweep("-n", "2", "--resume") == 2
    err = capsys.readouterr().err
    assert "--store s.sqlite: read-only" in err and "Traceback" not in err
    assert _state(folder) == before


# --- damaged and foreign files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda p: os.truncate(p, 5000), "a damaged SQLite file"),
        (lambda p: os.truncate(p, 0), "not a LineLab result store: an empty file"),
        (lambda p: _set_format(p, "2"),
         "a LineLab result store of format 2 (written by a newer LineLab); this LineLab reads "
         "format 1"),
    ],
    ids=["truncated", "empty", "newer"],
)
def test_damaged_and_newer_stores_are_told_apart(folder: Path, capsys, damage,
                                                 words: str) -> None:
    assert _sweep("-n", "1") == 0
    damage(folder / "s.sqlite")
    before = _state(folder)
    capsys.readouterr()
    assert main(["results", "s.sqlite"]) == 2
    assert f"s.sqlite: {words}" in capsys.readouterr().err
    assert _sweep("-n", "1", "--resume") == 2
    err = capsys.readouterr().err
    assert f"--store s.sqlite: {words}" in err and "Traceback" not in err
    assert _state(folder) == before
    with pytest.raises(NotAStore):
        read_records("s.sqlite")


def _set_format(path: Path, value: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'store_format'", (value,))
    conn.commit()
    conn.close()


# --- results ----------------------------------------------------------------------------------


def test_the_csv_keeps_its_kpi_columns_when_every_replication_crashed(
    folder: Path, monkeypatch, capsys
) -> None:
    import simulator.backends as backends

    def broken(scenario: object, replication: int, seed: int) -> object:
        raise RuntimeError("servo fault")

    monkeypatch.setattr(backends, "run_replication", broken)
    assert _sweep("-n", "1") == 0
    capsys.readouterr()
    for extra in ([], ["--summary"]):
        assert main(["results", "s.sqlite", "--csv", "-", *extra]) == 0
        out, err = capsys.readouterr()
        header = next(csv.reader(io.StringIO(out)))
        if extra:
            assert header[-9:] == [f"{k}_{part}" for k in ("throughput_per_hour",
                                                         "cycle_time_s", "wip")
                                   for part in ("mean", "ci95_low", "ci95_high")]
        else:
            assert header == ["variant", "point", "replication", "stations.pack.buffer",
                              "throughput_per_hour", "cycle_time_s", "wip"]
        assert "3 replication(s) raised an error" in err


# --- progress ---------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_only_on_a_terminal(folder: Path, monkeypatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert _sweep("-n", "2").__eq__(0)
    # -q was given: nothing; without it, a bar with the count and an ETA
    assert "\r" not in terminal.getvalue()
    assert main(["sweep", "line.yaml", *SETS, "-n", "3", "-j", "1", "--store", "t.sqlite"]) == 0
    drawn = terminal.getvalue()
    assert drawn.count("\r") >= 2 and "0rep" not in drawn  # drawn, with its total at once
    assert "0/9 [00:00<?" in drawn  # done/total [spent<ETA] (the ETA once a rate is known)

    log = io.StringIO()  # a log file or a pipe: no bar, no carriage returns
    monkeypatch.setattr(sys, "stderr", log)
    assert main(["sweep", "line.yaml", *SETS, "-n", "3", "-j", "1", "--store", "u.sqlite"]) == 0
    assert "\r" not in log.getvalue() and "rep/s" not in log.getvalue()
    assert log.getvalue().startswith("linelab: 9 replication(s) run")


# --- Ctrl-C while workers hold finished replications -----------------------------------------


class _CtrlCWhenAllFinished(PoolBackend):
    """A 2-process pool where Ctrl-C comes after the first record was stored, once every
    other submitted replication has finished in a worker but not been handed back yet."""

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        records = super().imap(tasks)
        yield next(records)
        deadline = time.monotonic() + 120
        while not all(f.done() for f in self._unclaimed) and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt


def test_ctrl_c_stores_what_the_workers_had_finished(tmp_path: Path) -> None:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    plan = plan_study(parse_file(scenario, str(scenario)),
                      parse_sets(["stations.pack.buffer=0,1"]))  # 2 points × 2 replications
    points = [p.params for p in plan.points]
    whole = tmp_path / "whole.sqlite"
    with ResultStore.create(str(whole), plan.meta, points) as opened:
        run_sweep(plan, opened, SerialBackend())
    cut = tmp_path / "cut.sqlite"
    backend = _CtrlCWhenAllFinished(2)
    with pytest.raises(KeyboardInterrupt), backend, \
            ResultStore.create(str(cut), plan.meta, points) as opened:
        run_sweep(plan, opened, backend)
    # all 4 were queued (2 per worker) and had finished: none is lost to the stop
    assert _rows(cut) == _rows(whole)


class _DaskCtrlCWhenAllFinished(DaskBackend):
    """As :class:`_CtrlCWhenAllFinished`, on a Dask LocalCluster of 2 workers."""

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        records = super().imap(tasks)
        yield next(records)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(
            f.status == "finished" for f in self._unclaimed.values()
        ):
            time.sleep(0.01)
        raise KeyboardInterrupt


def test_ctrl_c_stores_what_the_dask_workers_had_finished(tmp_path: Path) -> None:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    plan = plan_study(parse_file(scenario, str(scenario)),
                      parse_sets(["stations.pack.buffer=0,1"]))
    points = [p.params for p in plan.points]
    whole = tmp_path / "whole.sqlite"
    with ResultStore.create(str(whole), plan.meta, points) as opened:
        run_sweep(plan, opened, SerialBackend())
    cut = tmp_path / "cut.sqlite"
    backend = _DaskCtrlCWhenAllFinished("local", 2, processes=False)
    with pytest.raises(KeyboardInterrupt), backend, \
            ResultStore.create(str(cut), plan.meta, points) as opened:
        run_sweep(plan, opened, backend)
    assert _rows(cut) == _rows(whole)


def test_a_worker_that_dies_stops_the_sweep_with_a_plain_message(folder: Path, monkeypatch,
                                                                  capsys) -> None:
    """The operating system kills a pool worker (out of memory): exit 1, what finished is
    kept, and the message says what happened (not an internal error to report)."""
    from concurrent.futures.process import BrokenProcessPool

    import simulator.backends as backends

    class Dies(SerialBackend):
        def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
            for done, task in enumerate(tasks):
                if done == 2:
                    raise BrokenProcessPool("a child process terminated abruptly")
                yield backends.run_task(task)

    monkeypatch.setattr(backends, "make_backend", lambda workers, dask=None: Dies())
    capsys.readouterr()
    assert _sweep() == 1
    err = capsys.readouterr().err
    assert "linelab: a worker process died" in err and "internal error" not in err
    assert "sweep stopped: 2 replication(s) are in s.sqlite" in err
    assert len(_rows(folder / "s.sqlite")) == 2
