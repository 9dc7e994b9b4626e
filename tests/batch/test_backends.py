"""Where a sweep runs never changes what it stores.

Pins down that the same study stores bit-identical values (every KPI and station figure of
every variant, point and replication) when run in this process, on a pool of 2 processes and
on a Dask LocalCluster (threads, and worker processes as ``--dask local`` starts them); that
a replication which raises comes back as a record with its error while the others finish;
and that a stopped pool leaves no worker process behind.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from simulator.backends import (
    DaskBackend,
    PoolBackend,
    SerialBackend,
    Task,
    replication_kpis,
    run_task,
)
from simulator.overrides import parse_file
from simulator.session import run_replication
from simulator.store import ResultStore
from simulator.sweep import parse_sets, plan_study, run_sweep

LINE = """\
linelab: 2
name: press and pack
horizon: 4 h
warmup: 10 min
replications: 3
seed: 11
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 3}
  - {name: pack, process: {dist: uniform, low: 30 s, high: 70 s}, buffer: 2}
variants:
  one_packer: {}
  two_packers:
    stations: {pack: {servers: 2}}
"""


def _stored(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT variant, point, replication, status, kpis, detail, error, warmup_s FROM runs "
        "ORDER BY variant, point, replication"
    ).fetchall()
    conn.close()
    return rows


def _sweep(tmp_path: Path, name: str, backend) -> list[tuple[object, ...]]:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    parsed = parse_file(scenario, str(scenario))
    sets = parse_sets(["stations.pack.buffer=0,3", "source.interarrival.mean=55 s,65 s"])
    plan = plan_study(parsed, sets, all_variants=True, replications=3)
    path = tmp_path / f"{name}.sqlite"
    points = [p.params for p in plan.points]
    with backend, ResultStore.create(str(path), plan.meta, points) as store:
        outcome = run_sweep(plan, store, backend)
    assert outcome.ran == 4 * 2 * 3 and outcome.crashed == 0
    return _stored(path)


def test_serial_pool_and_dask_store_identical_values(tmp_path: Path) -> None:
    serial = _sweep(tmp_path, "serial", SerialBackend())
    pool = _sweep(tmp_path, "pool", PoolBackend(2))
    dask = _sweep(tmp_path, "dask", DaskBackend("local", 2, processes=False))
    # as `--dask local` runs it: worker processes, the tasks pickled to them and back
    dask_processes = _sweep(tmp_path, "dask_processes", DaskBackend("local", 2))
    assert len(serial) == 24
    assert pool == serial
    assert dask == serial
    assert dask_processes == serial
    # The values are the engine's own: replication i of the scenario at that point.
    kpis = {(v, p, r): k for v, p, r, _s, k, *_ in serial}
    assert len(set(kpis.values())) == 24  # every run differs: nothing was copied around


def test_a_stored_replication_is_the_engines_replication(tmp_path: Path) -> None:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    parsed = parse_file(scenario, str(scenario))
    plan = plan_study(parsed, parse_sets(["stations.press.buffer=4"]), variant="two_packers")
    sc = plan.scenarios[("two_packers", 0)]
    record = run_task(Task("two_packers", 0, 2, 11, sc))
    assert record.kpis == replication_kpis(run_replication(sc, 2, 11))
    assert sc.stations[0].buffer == 4 and sc.stations[1].servers == 2


def test_a_replication_that_raises_is_returned_with_its_error(tmp_path: Path) -> None:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE, encoding="utf-8")
    plan = plan_study(parse_file(scenario, str(scenario)), [])
    good = plan.scenarios[("one_packer", 0)]
    # A replication index the engine refuses (negative): it raises inside the worker.
    tasks = [Task("one_packer", 0, 0, 11, good), Task("one_packer", 0, -1, 11, good)]
    with PoolBackend(2) as backend:
        records = sorted(backend.imap(tasks), key=lambda r: r.replication)
    assert [r.replication for r in records] == [-1, 0]
    assert records[0].kpis is None and records[0].error
    assert records[0].traceback and "Traceback" in records[0].traceback
    assert records[1].error is None and records[1].kpis is not None


def test_an_aborted_pool_leaves_no_worker(tmp_path: Path) -> None:
    scenario = tmp_path / "line.yaml"
    scenario.write_text(LINE.replace("horizon: 4 h", "horizon: 1000 h"), encoding="utf-8")
    plan = plan_study(parse_file(scenario, str(scenario)), [])
    sc = plan.scenarios[("one_packer", 0)]
    backend = PoolBackend(2)
    results = backend.imap(Task("one_packer", 0, i, 11, sc) for i in range(8))
    with pytest.raises(KeyboardInterrupt), backend:
        next(results)
        assert backend._pool is not None
        workers = list(backend._pool._processes.values())
        assert len(workers) == 2
        raise KeyboardInterrupt  # as Ctrl-C would, while replications are running
    assert backend._pool is None
    assert [w.is_alive() for w in workers] == [False, False]  # terminated and reaped
    assert all(w.exitcode is not None for w in workers)
