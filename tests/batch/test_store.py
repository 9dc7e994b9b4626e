"""The result store (simulator/store.py): what a study's SQLite file holds and guarantees.

Pins down: the file is created whole (study description and points) or not at all, in WAL
mode; each replication is one committed row and a (variant, point, replication) can be stored
only once; values come back exactly as stored (floats bit for bit, NaN as null); reading a
store (``inspect_store``, ``read_records``) writes nothing, not even WAL side files; a store of
another scenario text, seed, set of paths, warm-up rule or LineLab version is told apart, and
a file that is not a store is refused; a second writer is refused while one has it open.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
from pathlib import Path

import pytest

from simulator import __version__
from simulator.store import (
    NotAStore,
    ResultStore,
    RunRecord,
    StoreBusy,
    StudyMeta,
    inspect_store,
    read_records,
    scenario_sha256,
)

TEXT = "linelab: 1\nname: cell\nhorizon: 1 h\nstations: [{name: press, process: 45 s}]\n"


def _meta(**changes: object) -> StudyMeta:
    values: dict[str, object] = {
        "scenario_text": TEXT,
        "scenario_file": "cell.yaml",
        "scenario_name": "cell",
        "seed": 7,
        "paths": ("stations.press.buffer",),
    }
    values.update(changes)
    return StudyMeta(**values)  # type: ignore[arg-type]


def _record(point: int, rep: int, tp: float = 60.0, variant: str = "base") -> RunRecord:
    return RunRecord(
        variant=variant,
        point=point,
        replication=rep,
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:00:01+00:00",
        kpis={"throughput_per_hour": tp, "cycle_time_s": float("nan"), "wip": 1.0 / 3.0},
        detail={"stations": {"press": {"utilization": 0.1 + 0.2}}},
        warmup_s=0.0,
    )


def _fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """Content hash, modification time and the folder's listing: all a write would change."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def test_create_writes_the_study_and_points_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    points = [{"stations.press.buffer": 1}, {"stations.press.buffer": 2}]
    with ResultStore.create(str(path), _meta(), points) as store:
        assert store.points() == {0: points[0], 1: points[1]}
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    conn.close()
    assert meta["scenario_text"] == TEXT
    assert meta["scenario_sha256"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert meta["seed"] == "7" and meta["linelab"] == __version__
    assert sorted(os.listdir(tmp_path)) == ["s.sqlite"]  # no temporary file left behind


def test_create_refuses_an_existing_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        ResultStore.create(str(path), _meta(), [{}])
    assert path.read_bytes() == b"precious"
    assert sorted(os.listdir(tmp_path)) == ["s.sqlite"]


def test_records_round_trip_exactly_and_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore.create(str(path), _meta(), [{"stations.press.buffer": 1}]) as store:
        store.record(_record(0, 1, tp=0.1 + 0.2))
        store.record(_record(0, 0))
        with pytest.raises(sqlite3.IntegrityError):
            store.record(_record(0, 0, tp=99.0))  # the same key again: refused
        assert store.done() == {("base", 0, 0), ("base", 0, 1)}
    meta, _points, records = read_records(str(path))
    assert meta == _meta()
    assert [(r.point, r.replication) for r in records] == [(0, 0), (0, 1)]
    second = records[1].kpis
    assert second is not None
    assert second["throughput_per_hour"] == 0.1 + 0.2  # bit for bit, not 0.3
    assert second["cycle_time_s"] is None  # NaN is stored as null (strict JSON)
    assert second["wip"] == 1.0 / 3.0
    assert records[0].kpis == {"throughput_per_hour": 60.0, "cycle_time_s": None, "wip": 1 / 3}


def test_each_replication_is_committed_as_soon_as_it_is_recorded(tmp_path: Path) -> None:
    """One transaction per replication: another process sees every record the moment
    ``record`` returns (none waits in an open transaction for the next one, where a kill
    would take it along), and a record is never half there."""
    path = tmp_path / "s.sqlite"
    with ResultStore.create(str(path), _meta(), [{}]) as store:
        for rep in range(4):
            store.record(_record(0, rep))
            assert not store._conn.in_transaction
            other = sqlite3.connect(path)
            try:
                seen = other.execute("SELECT replication FROM runs ORDER BY 1").fetchall()
            finally:
                other.close()
            assert seen == [(r,) for r in range(rep + 1)]


def test_a_crashed_replication_is_stored_with_its_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    crash = RunRecord("base", 0, 3, "t0", "t1", None, error="LineOverloaded: too many parts",
                      traceback="Traceback ...")
    with ResultStore.create(str(path), _meta(), [{}]) as store:
        store.record(crash)
        assert ("base", 0, 3) in store.done()  # a crash counts as done: it would crash again
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT status, kpis, error FROM runs").fetchone()
    conn.close()
    assert row == ("error", None, "LineOverloaded: too many parts")


def test_points_are_added_once_and_keep_their_ids(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    a, b, c = ({"stations.press.buffer": v} for v in (1, 2, 3))
    with ResultStore.create(str(path), _meta(), [a, b]) as store:
        assert store.add_points([b, c, a]) == [1, 2, 0]
        assert store.add_points([c]) == [2]
        assert store.points() == {0: a, 1: b, 2: c}


def test_reading_a_store_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore.create(str(path), _meta(), [{}]) as store:
        store.record(_record(0, 0))
    before = _fingerprint(path)
    assert inspect_store(str(path)) == _meta()
    read_records(str(path))
    assert _fingerprint(path) == before  # no -wal/-shm files either
    assert inspect_store(str(tmp_path / "missing.sqlite")) is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"scenario_text": TEXT + "# changed\n"}, "another scenario text"),
        ({"seed": 8}, "seed 7, not 8"),
        ({"paths": ("stations.press.servers",)}, "varies stations.press.buffer"),
        ({"warmup": "auto"}, "warm-up rule is 'file'"),
        ({"linelab": "9.9.9"}, f"written by LineLab {__version__}"),
    ],
)
def test_another_study_is_told_apart(changes: dict[str, object], words: str) -> None:
    problems = _meta().differences(_meta(**changes))
    assert len(problems) == 1 and words in problems[0]
    assert _meta().differences(_meta(scenario_file="elsewhere/cell.yaml")) == []  # same text


def test_scenario_sha256_is_of_the_utf8_text() -> None:
    assert scenario_sha256("名") == hashlib.sha256("名".encode()).hexdigest()


def test_files_that_are_not_stores_are_refused_unchanged(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    for path in (junk, other):
        before = _fingerprint(path)
        with pytest.raises(NotAStore):
            inspect_store(str(path))
        with pytest.raises(NotAStore):
            read_records(str(path))
        assert _fingerprint(path) == before
    with pytest.raises(NotAStore):
        inspect_store(str(tmp_path))  # a folder


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore.create(str(path), _meta(), [{}]):
        with pytest.raises(StoreBusy):
            ResultStore.open(str(path))
        assert inspect_store(str(path)) == _meta()  # reading is still allowed
    ResultStore.open(str(path)).close()  # released on close


def test_sessions_record_when_a_sweep_ran_and_how_it_ended(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore.create(str(path), _meta(), [{}]) as store:
        store.begin_session("linelab sweep cell.yaml")
        store.end_session("interrupted")
        store.begin_session("linelab sweep cell.yaml --resume")
        store.end_session("done")
        sessions = store.sessions()
        assert store.integrity() == "ok"
    assert [(s[2], s[3]) for s in sessions] == [
        ("linelab sweep cell.yaml", "interrupted"),
        ("linelab sweep cell.yaml --resume", "done"),
    ]
    assert all(s[0] <= (s[1] or "") for s in sessions)


def test_nan_never_reaches_the_file_as_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore.create(str(path), _meta(), [{}]) as store:
        store.record(_record(0, 0, tp=math.inf))
    conn = sqlite3.connect(path)
    (kpis,) = conn.execute("SELECT kpis FROM runs").fetchone()
    assert conn.execute("SELECT json_valid(?)", (kpis,)).fetchone()[0] == 1
    conn.close()
    assert "null" in kpis and "Infinity" not in kpis
