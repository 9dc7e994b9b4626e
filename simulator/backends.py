"""Where a sweep's replications run: in this process, on a local process pool, or on Dask.

Every backend runs the same function, :func:`run_task`, on the same :class:`Task` (a resolved
scenario, a replication index and the master seed), so a replication's values depend only on
its task, never on the backend, the number of workers or the order in which results come back
(tested: 1 and 2 workers and a Dask LocalCluster store identical values). A replication that
raises is returned as a record carrying its error (the study goes on); only the parent process
writes to the store.

- :class:`SerialBackend`: one replication after another in this process (``--workers 1``).
- :class:`PoolBackend`: a ``spawn`` process pool like :func:`simulator.experiment.run_experiment`
  (workers ignore Ctrl-C and die on SIGTERM; on any stop they are terminated and reaped).
  At most ``2 × workers`` replications are queued at a time, so a stop never waits for a
  long queue and memory stays flat however large the study.
- :class:`DaskBackend`: ``dask.distributed``: a ``LocalCluster`` (``--dask local``) or a running
  scheduler (``--dask tcp://host:port``; its workers need the same LineLab version installed).
  Optional: ``pip install linelab[dask]``.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import signal
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.experiment import (
    KPI_NAMES,
    V2_KPI_NAMES,
    _signals_held,
    _worker_signals,
    abort_pool,
)
from simulator.results import Replication
from simulator.session import run_replication
from simulator.store import RunRecord, utc_now

if TYPE_CHECKING:
    from scenarios import Scenario

__all__ = [
    "Backend",
    "BackendError",
    "DaskBackend",
    "PoolBackend",
    "SerialBackend",
    "Task",
    "make_backend",
    "replication_detail",
    "replication_kpis",
    "run_task",
]

QUEUE_PER_WORKER = 2
"""Replications queued per worker: enough to keep every worker busy while the parent stores a
result, few enough that Ctrl-C never waits for a long queue."""


class BackendError(Exception):
    """A backend that cannot start (Dask missing, a scheduler that cannot be reached)."""


@dataclass(frozen=True)
class Task:
    """One replication of a sweep: replication ``replication`` of ``scenario`` (variant
    ``variant`` at point ``point``, overrides and warm-up applied) under master ``seed``."""

    variant: str
    point: int
    replication: int
    seed: int
    scenario: Scenario

    @property
    def key(self) -> tuple[str, int, int]:
        """``(variant, point, replication)``."""
        return (self.variant, self.point, self.replication)


def replication_kpis(rep: Replication) -> dict[str, float | None]:
    """The replication's KPIs by their JSON names (the v2 ones for an equipped line)."""
    names = KPI_NAMES + (V2_KPI_NAMES if rep.equipped else ())
    out: dict[str, float | None] = {}
    for name in names:
        value = getattr(rep, name)
        out[name] = None if value is None else float(value)
    return out


def replication_detail(rep: Replication) -> dict[str, Any]:
    """Station, resource and product figures of one replication (the store's ``detail``)."""
    stations: dict[str, Any] = {}
    for name, s in rep.stations.items():
        entry: dict[str, Any] = {
            "utilization": s.utilization,
            "states": dict(s.states),
            "queue": s.queue,
        }
        if s.oee is not None:
            entry["oee"] = s.oee
        stations[name] = entry
    detail: dict[str, Any] = {"stations": stations}
    if rep.resources:
        detail["resources"] = {
            name: {"utilization": r.utilization, "states": dict(r.states)}
            for name, r in rep.resources.items()
        }
    if rep.products:
        detail["products"] = {
            name: {"throughput_per_hour": p.throughput_per_hour, "cycle_time_s": p.cycle_time_s}
            for name, p in rep.products.items()
        }
    return detail


def _failed(task: Task, exc: BaseException, started: str | None = None) -> RunRecord:
    """The record of ``task`` when running it raised ``exc``."""
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return RunRecord(
        variant=task.variant,
        point=task.point,
        replication=task.replication,
        started=started or utc_now(),
        finished=utc_now(),
        kpis=None,
        error=f"{type(exc).__name__}: {exc}",
        traceback="".join(lines[-20:]),
        warmup_s=float(task.scenario.warmup),
    )


def run_task(task: Task) -> RunRecord:
    """Run one replication and return its record; an exception becomes the record's error.

    Runs in a worker (pool process, Dask worker) or in the sweep's own process. Only
    :class:`Exception` is caught: Ctrl-C and SIGTERM still stop a serial sweep.
    """
    started = utc_now()
    try:
        rep = run_replication(task.scenario, task.replication, task.seed)
    except Exception as exc:
        return _failed(task, exc, started)
    return RunRecord(
        variant=task.variant,
        point=task.point,
        replication=task.replication,
        started=started,
        finished=utc_now(),
        kpis=replication_kpis(rep),
        detail=replication_detail(rep),
        warmup_s=float(task.scenario.warmup),
    )


class Backend:
    """Runs tasks and yields their records in the order they finish."""

    name = "serial"
    workers = 1

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        """Run ``tasks`` and yield each record as it finishes (any order)."""
        raise NotImplementedError

    def finished(self) -> list[RunRecord]:
        """Records of replications that have finished but that :meth:`imap` has not yet
        handed over (or whose hand-over was interrupted): on Ctrl-C the sweep stores them
        before the workers are stopped, so no finished replication is thrown away."""
        return []

    def close(self, *, abort: bool = False) -> None:
        """Release the workers; ``abort``: stop running work now (Ctrl-C, an error)."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close(abort=exc_type is not None)


class SerialBackend(Backend):
    """Every replication in this process, one after another."""

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        for task in tasks:
            yield run_task(task)


class PoolBackend(Backend):
    """A local ``spawn`` process pool of ``workers`` processes, started on first use and
    kept for every later batch of tasks (a ``--target-ci`` study runs several)."""

    name = "pool"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._started = False
        self._unclaimed: set[Future[RunRecord]] = set()
        """Submitted futures whose record the consumer has not taken yet."""

    def finished(self) -> list[RunRecord]:
        out = []
        for future in list(self._unclaimed):
            if future.done() and not future.cancelled() and future.exception() is None:
                out.append(future.result())
        return out

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        pending = iter(tasks)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_signals,
            )
        pool = self._pool
        running: set[Future[RunRecord]] = set()

        def submit(limit: int) -> None:
            while len(running) < limit:
                task = next(pending, None)
                if task is None:
                    return
                future = pool.submit(run_task, task)
                running.add(future)
                self._unclaimed.add(future)

        limit = QUEUE_PER_WORKER * self.workers
        if not self._started:  # the first submissions start the processes
            with _signals_held():
                submit(self.workers)
            self._started = True
        submit(limit)
        while running:
            done, still = wait(running, return_when=FIRST_COMPLETED)
            running.clear()
            running.update(still)
            submit(limit)
            for future in done:
                yield future.result()
                # The consumer came back for more: it has stored this one.
                self._unclaimed.discard(future)

    def close(self, *, abort: bool = False) -> None:
        self._unclaimed.clear()
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if not abort:
            pool.shutdown(wait=True)
            return
        # Ctrl-C, SIGTERM or an error: do not wait for queued work; reap every worker so
        # that none outlives the sweep (as simulator.experiment.run_experiment does).
        abort_pool(pool)


class DaskBackend(Backend):
    """``dask.distributed``: ``address`` ``"local"`` starts a ``LocalCluster`` of ``workers``
    single-threaded workers (``processes=False``: threads of this process, for tests);
    ``tcp://host:port`` joins a running scheduler."""

    name = "dask"

    def __init__(self, address: str, workers: int = 1, *, processes: bool = True) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise BackendError(
                "--dask needs the dask extra: pip install 'linelab[dask]'"
            ) from None
        self.address = address
        self._cluster: Any = None
        self._unclaimed: dict[Any, Any] = {}
        """Submitted futures (by key) whose record the consumer has not taken yet."""
        try:
            if address == "local":
                import logging

                with _ctrl_c_ignored_by_children():
                    self._cluster = LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=processes,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout=10)
        except (OSError, TimeoutError, ValueError) as exc:
            self._close_cluster()
            raise BackendError(f"--dask {address}: cannot connect: {exc}") from None
        self.workers = self._threads()

    def _threads(self) -> int:
        """Worker threads in the cluster now (at least 1)."""
        try:
            return max(1, sum(self._client.nthreads().values()))
        except Exception:  # the scheduler is busy or gone: keep what was known
            return max(1, getattr(self, "workers", 1))

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        from distributed import as_completed

        pending = iter(tasks)
        limit = QUEUE_PER_WORKER * self.workers
        submitted: dict[Any, Task] = {}

        def submit(task: Task) -> Any:
            future = self._client.submit(run_task, task, pure=False)
            submitted[future.key] = task
            self._unclaimed[future.key] = future
            return future

        first = [submit(task) for task in _take(pending, limit)]
        if not first:
            return
        queue = as_completed(first)
        for done, future in enumerate(queue, start=1):
            if done % 64 == 0:  # workers may join or leave a running cluster
                limit = QUEUE_PER_WORKER * self._threads()
            for task in _take(pending, max(0, limit - queue.count())):
                queue.add(submit(task))
            task = submitted.pop(future.key)
            try:
                record = future.result()
            except Exception as exc:  # e.g. KilledWorker: it took down every worker it met
                record = _failed(task, exc)
            yield record
            self._unclaimed.pop(future.key, None)  # the consumer has stored it

    def finished(self) -> list[RunRecord]:
        out = []
        for future in list(self._unclaimed.values()):
            if future.status == "finished":
                with contextlib.suppress(Exception):
                    out.append(future.result(timeout=5))
        return out

    def close(self, *, abort: bool = False) -> None:
        self._unclaimed.clear()
        with contextlib.suppress(Exception):
            self._client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


@contextlib.contextmanager
def _ctrl_c_ignored_by_children() -> Iterator[None]:
    """Start processes that ignore Ctrl-C: SIGINT is ignored while they start (an ignored
    signal stays ignored across ``exec``, and Python then installs no KeyboardInterrupt
    handler), so a Ctrl-C in the terminal stops only the sweep, which closes the cluster,
    instead of printing a traceback from every Dask process. Restored right after; outside
    the main thread nothing is changed."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _take(items: Iterator[Task], n: int) -> list[Task]:
    """The next ``n`` tasks (fewer at the end; none for ``n <= 0``)."""
    return list(itertools.islice(items, max(0, n)))


def make_backend(workers: int, dask: str | None = None) -> Backend:
    """The backend for ``--workers`` and ``--dask``: Dask when asked, else a process pool for
    more than one worker, else this process."""
    if dask is not None:
        return DaskBackend(dask, workers)
    if workers > 1:
        return PoolBackend(workers)
    return SerialBackend()
