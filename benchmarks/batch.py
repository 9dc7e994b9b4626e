"""Batch studies: the speed-up of 2 workers over 1, and what the store and Dask cost.

The study: a two-station line (source, press, pack with two servers) at one point, 200
replications (``--replications``), each ``--horizon`` hours long (300 h: about 0.1 s of CPU
each). Each pool worker first spends about a second of CPU starting (``spawn``: importing
LineLab, most of it building the scenario format's pydantic models), so replications much
shorter than that cannot reach 1.8 × on a 200-replication study. Timed, wall clock:

1. ``1 worker``: ``run_sweep`` in this process (SerialBackend) into a new store;
2. ``2 workers``: the same into another store on a 2-process pool (PoolBackend), pool start
   included: the time a user waits. Goal (issue #11): speed-up 1 → 2 >= 1.8;
3. the bare pool: the same 200 replications on a 2-process pool with no store;
4. Dask: the same on a LocalCluster of 2 single-threaded worker processes, no store (the
   cluster's start is timed apart).

Overheads per replication: the store's = (2) − (3) over the replications, and directly the
mean time of one ``ResultStore.record`` (one committed transaction); Dask's = (4) − (3).
The two stores are checked to hold identical values. Every figure is the best of
``--repeat`` runs. The speed-up needs two idle cores: on a busy machine (see the load average
printed) it is lower than the code allows, so the CPU time of (1) and (2) is printed too
(this process and its pool workers): half the 2-worker CPU time is what the 2-worker sweep
would take on two idle cores, which gives the speed-up the code itself allows.

Run: ``python benchmarks/batch.py [--replications 200] [--horizon 300] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from simulator.backends import DaskBackend, PoolBackend, SerialBackend, Task
from simulator.overrides import parse_file
from simulator.store import ResultStore, RunRecord
from simulator.sweep import StudyPlan, plan_study, run_sweep

LINE = """\
linelab: 1
name: Two-station cell (batch benchmark)
horizon: {horizon} h
warmup: 1 h
replications: {replications}
seed: 2026
source:
  interarrival: {{dist: exponential, mean: 60 s}}
stations:
  - {{name: press, process: {{dist: exponential, mean: 48 s}}, buffer: 5}}
  - {{name: pack, servers: 2, process: {{dist: uniform, low: 50 s, high: 90 s}}, buffer: 2}}
"""


def _plan(folder: Path, replications: int, horizon: float) -> StudyPlan:
    path = folder / "line.yaml"
    path.write_text(LINE.format(horizon=horizon, replications=replications), encoding="utf-8")
    return plan_study(parse_file(path, str(path)), [])


def _cpu_s() -> float:
    """CPU seconds used by this process and its reaped children (pool workers, once shut
    down): what a run costs whatever else the machine is doing."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU: dict[str, float] = {}
"""CPU seconds of the last :func:`_sweep` per store name."""


def _sweep(plan: StudyPlan, store_path: Path, backend) -> float:
    start, cpu = time.perf_counter(), _cpu_s()
    with backend, ResultStore.create(str(store_path), plan.meta, [{}]) as store:
        outcome = run_sweep(plan, store, backend)
    elapsed = time.perf_counter() - start
    CPU[store_path.stem.rstrip("0123456789")] = _cpu_s() - cpu
    assert outcome.ran == plan.replications and outcome.crashed == 0
    return elapsed


def _bare(plan: StudyPlan, backend) -> float:
    tasks = [
        Task("base", 0, i, plan.meta.seed, plan.scenarios[("base", 0)])
        for i in range(plan.replications)
    ]
    start = time.perf_counter()
    count = sum(1 for _ in backend.imap(tasks))
    elapsed = time.perf_counter() - start
    assert count == plan.replications
    return elapsed


def _record_cost(folder: Path, plan: StudyPlan, n: int = 200) -> float:
    """Mean seconds of one committed ``record`` (a replication's row and transaction)."""
    record = next(SerialBackend().imap([Task("base", 0, 0, plan.meta.seed,
                                             plan.scenarios[("base", 0)])]))
    path = folder / "records.sqlite"
    with ResultStore.create(str(path), plan.meta, [{}]) as store:
        start = time.perf_counter()
        for i in range(n):
            store.record(RunRecord(**{**record.__dict__, "replication": i}))
        return (time.perf_counter() - start) / n


def _values(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT replication, kpis, detail FROM runs ORDER BY replication"
    ).fetchall()
    conn.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--horizon", type=float, default=300.0, help="hours per replication")
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure (best kept)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurement")
    args = parser.parse_args()
    n = args.replications
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = _plan(folder, n, args.horizon)
        runs = range(args.repeat)
        # Each figure is the best of --repeat runs: other programs only ever slow a run down.
        serial = min(_sweep(plan, folder / f"one{i}.sqlite", SerialBackend()) for i in runs)
        pool_sweep = min(_sweep(plan, folder / f"two{i}.sqlite", PoolBackend(2)) for i in runs)
        assert _values(folder / "one0.sqlite") == _values(folder / "two0.sqlite")
        serial_bare = min(_bare(plan, SerialBackend()) for _ in runs)
        cpu = _cpu_s()
        with PoolBackend(2) as pool:
            _bare(plan, pool)  # start the processes (and warm them) outside the timing
            pool_bare = min(_bare(plan, pool) for _ in runs)
        pool_cpu = _cpu_s() - cpu  # start, 1 + --repeat batches of n, stop
        record = _record_cost(folder, plan)
        print(f"study: 1 point × {n} replications of {args.horizon:g} h, best of {args.repeat}")
        print(f"1 worker (in process, store):   {serial:7.2f} s  "
              f"({serial / n * 1e3:6.1f} ms/replication)")
        print(f"2 workers (pool, store):        {pool_sweep:7.2f} s  (pool start included)")
        print(f"speed-up 1 -> 2 workers:        {serial / pool_sweep:7.2f} x  (goal >= 1.8)")
        cpu_one, cpu_two = CPU["one"], CPU["two"]
        print(f"CPU time, 1 worker / 2 workers: {cpu_one:7.2f} s / {cpu_two:.2f} s (workers' "
              f"start included); on two idle cores 2 workers would take about "
              f"{cpu_two / 2:.2f} s: speed-up about {cpu_one / (cpu_two / 2):.2f} x")
        print(f"1 worker, no store:             {serial_bare:7.2f} s")
        print(f"bare pool, 2 workers, no store: {pool_bare:7.2f} s  (processes already up; "
              f"speed-up {serial_bare / pool_bare:.2f} x)")
        print(f"store: one committed record:    {record * 1e3:7.3f} ms/replication "
              f"({record / (serial / n):.2%} of a replication)")
        print(f"store + pool start vs bare:     {(pool_sweep - pool_bare) / n * 1e3:7.3f} "
              "ms/replication")
        if not args.no_dask:
            cpu = _cpu_s()
            start = time.perf_counter()
            dask = DaskBackend("local", 2)
            started = time.perf_counter() - start
            with dask:
                _bare(plan, dask)  # warm the workers (imports) outside the timing
                dask_bare = min(_bare(plan, dask) for _ in runs)
            dask_cpu = _cpu_s() - cpu  # the same work as pool_cpu, on Dask
            batches = (1 + args.repeat) * n
            print(f"Dask LocalCluster start:        {started:7.2f} s")
            print(f"Dask, 2 workers, no store:      {dask_bare:7.2f} s  "
                  f"(wall overhead vs bare pool {(dask_bare - pool_bare) / n * 1e3:+.3f} "
                  "ms/replication)")
            print(f"CPU, start + {batches} replications + stop: pool {pool_cpu:.2f} s, Dask "
                  f"{dask_cpu:.2f} s: Dask costs {(dask_cpu - pool_cpu) / batches * 1e3:+.3f} "
                  "ms of CPU per replication (its start included)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
