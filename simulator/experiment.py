"""Replications of one scenario, serially or on a process pool, summarised with 95 % CIs.

Replication ``i`` always uses the streams of replication index ``i`` of the seed, whatever
process runs it, so the results do not depend on ``workers`` (tested).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator import __version__
from simulator.bottleneck import BottleneckSummary, summarise_bottleneck
from simulator.capacity import RunWarning, overload_warnings
from simulator.results import Replication
from simulator.session import run_replication
from simulator.stats import Stat, summarise

if TYPE_CHECKING:
    from scenarios import Scenario

KPI_NAMES: tuple[str, ...] = ("throughput_per_hour", "cycle_time_s", "wip")
V2_KPI_NAMES: tuple[str, ...] = ("scrap_per_hour", "energy_kwh_per_part")
"""KPIs reported for a line that uses format-v2 features (``energy_kwh_per_part`` is null in
every replication without power data)."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` each time a replication finishes."""


@dataclass(frozen=True)
class StationSummary:
    """One station across replications."""

    utilization: Stat
    states: dict[str, Stat]
    queue: Stat
    units: dict[str, dict[str, Stat]]
    """State shares of each server (``press.2``) across replications."""
    oee: Stat | None = None
    """Availability × performance × quality (v2 lines only)."""
    kits: Stat | None = None
    """Assembly stations only: kits joined in the measured period."""


@dataclass(frozen=True)
class ResourceSummary:
    """One resource across replications."""

    utilization: Stat
    states: dict[str, Stat]
    empty_travel_share: Stat | None = None
    """Vehicles only: empty travel / all travel."""


@dataclass(frozen=True)
class ProductSummary:
    """One product across replications."""

    throughput_per_hour: Stat
    cycle_time_s: Stat


@dataclass(frozen=True)
class ExperimentResult:
    """A scenario's replications and their summary: what ``linelab run`` reports."""

    scenario: Scenario
    variant: str
    seed: int
    method: str
    """``"des"`` (the discrete-event engine) or ``"flowline"`` (the exact fast path)."""
    replications: tuple[Replication, ...]
    kpis: dict[str, Stat]
    stations: dict[str, StationSummary]
    version: str = __version__
    products: dict[str, ProductSummary] = field(default_factory=dict)
    """Per product (v2 lines only)."""
    resources: dict[str, ResourceSummary] = field(default_factory=dict)
    """Per resource (v2 lines only)."""
    warnings: tuple[RunWarning, ...] = ()
    """What makes these results misleading (an overloaded line), from the static check."""
    bottleneck: BottleneckSummary | None = None
    """Shifting-bottleneck shares across replications, when a trace was asked for."""


def summarise_replications(
    scenario: Scenario,
    seed: int,
    replications: Sequence[Replication],
    *,
    method: str = "des",
    variant: str = "base",
) -> ExperimentResult:
    """Summarise per-replication results into KPIs and per-station statistics."""
    reps = tuple(sorted(replications, key=lambda r: r.index))
    names = KPI_NAMES + (V2_KPI_NAMES if reps and reps[0].equipped else ())
    kpis = {name: summarise([getattr(r, name) for r in reps]) for name in names}
    stations: dict[str, StationSummary] = {}
    for spec in scenario.stations:
        per_rep = [r.stations[spec.name] for r in reps if spec.name in r.stations]
        if not per_rep:
            continue
        state_names = list(per_rep[0].states)
        stations[spec.name] = StationSummary(
            utilization=summarise([s.utilization for s in per_rep]),
            states={n: summarise([s.states[n] for s in per_rep]) for n in state_names},
            queue=summarise([s.queue for s in per_rep]),
            units={
                unit: {n: summarise([s.units[unit][n] for s in per_rep]) for n in state_names}
                for unit in per_rep[0].units
            },
            oee=None
            if per_rep[0].oee is None
            else summarise([s.oee for s in per_rep]),
            kits=None
            if per_rep[0].kits is None
            else summarise([float(s.kits or 0) for s in per_rep]),
        )
    products: dict[str, ProductSummary] = {}
    for name in reps[0].products if reps else ():
        products[name] = ProductSummary(
            throughput_per_hour=summarise([r.products[name].throughput_per_hour for r in reps]),
            cycle_time_s=summarise([r.products[name].cycle_time_s for r in reps]),
        )
    resources: dict[str, ResourceSummary] = {}
    for name, first in (reps[0].resources if reps else {}).items():
        resources[name] = ResourceSummary(
            utilization=summarise([r.resources[name].utilization for r in reps]),
            states={
                st: summarise([r.resources[name].states[st] for r in reps]) for st in first.states
            },
            empty_travel_share=None
            if first.empty_travel_share is None
            else summarise([r.resources[name].empty_travel_share for r in reps]),
        )
    return ExperimentResult(
        scenario,
        variant,
        seed,
        method,
        reps,
        kpis,
        stations,
        products=products,
        resources=resources,
        warnings=overload_warnings(scenario),
        bottleneck=summarise_bottleneck(reps),
    )


def default_workers() -> int:
    """All local cores (``os.process_cpu_count`` where available)."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(1, count or 1)


def usable_workers(asked: int, replications: int) -> int:
    """Processes worth starting for ``asked`` workers: at most one per replication and one per
    core (:func:`default_workers`). The replications are CPU-bound, so more processes than
    cores only add memory and start-up time; results never depend on the number."""
    return max(1, min(asked, replications, default_workers()))


_STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def _worker_signals() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them (no tracebacks, no orphans),
    and die on SIGTERM, the signal the parent's shutdown sends them (set explicitly: an
    ignored disposition would be inherited from the parent across ``spawn``). They start
    with both signals blocked (see :func:`_signals_held`); one that arrived while they were
    importing is delivered now, under these rules."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Block Ctrl-C and SIGTERM while worker processes are started.

    A spawned process inherits the signal mask, so a worker starts with both blocked and a
    Ctrl-C pressed while it still imports cannot print a ``KeyboardInterrupt`` traceback;
    :func:`_worker_signals` unblocks them. In this process a signal that arrives meanwhile is
    only held, and delivered when the block ends (the same pattern as multiprocessing's
    resource tracker).
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_one(args: tuple[Scenario, int, int, int | None]) -> Replication:
    scenario, index, seed, trace_limit = args
    return run_replication(scenario, index, seed, trace_limit=trace_limit)


def run_experiment(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: ProgressCallback | None = None,
    *,
    trace_limit: int | None = None,
) -> ExperimentResult:
    """Run ``replications`` replications (default: the scenario's) and summarise them.

    ``trace_limit``: trace at most this many state changes per replication and add the
    shifting-bottleneck analysis (:attr:`ExperimentResult.bottleneck`); off by default.

    ``workers > 1`` runs them in that many processes (started with ``spawn``: safe beside
    threads, Qt and numba). Results are identical for any ``workers``.
    """
    n = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    if n < 1:
        raise ValueError(f"replications must be >= 1, got {n}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    workers = min(workers, n)
    results: list[Replication] = []
    if workers == 1:
        for i in range(n):
            results.append(run_replication(scenario, i, seed, trace_limit=trace_limit))
            if progress is not None:
                progress(i + 1, n)
    else:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_worker_signals
        )
        try:
            with _signals_held():  # the first `workers` submissions start the processes
                futures = [
                    pool.submit(_run_one, (scenario, i, seed, trace_limit)) for i in range(workers)
                ]
            futures += [
                pool.submit(_run_one, (scenario, i, seed, trace_limit)) for i in range(workers, n)
            ]
            for done, future in enumerate(as_completed(futures), start=1):
                results.append(future.result())
                if progress is not None:
                    progress(done, n)
        except BaseException:
            # Ctrl-C, SIGTERM (see simulator.cli) or a failed replication: stop now, do not
            # wait for queued work, and reap the workers so that none outlives the run.
            abort_pool(pool)
            raise
        pool.shutdown(wait=True)
    return summarise_replications(scenario, seed, results)


def abort_pool(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now (Ctrl-C, SIGTERM, an error): cancel queued work, terminate every worker
    (killed if it does not stop within 5 s) and wait until all are reaped, so that none outlives
    the run and none still reads as alive afterwards."""
    workers_alive = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers_alive:
        process.terminate()
    for process in workers_alive:
        process.join(timeout=5.0)
        if process.is_alive():  # still importing with SIGTERM blocked, or stuck
            process.kill()
            process.join(timeout=5.0)
    # The pool's manager thread reaps the same processes: until it is done, a process it
    # reaped first can still read as alive here (its exit code not yet recorded).
    if manager is not None:
        manager.join(timeout=5.0)
