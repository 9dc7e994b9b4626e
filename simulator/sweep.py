"""A sweep: one scenario file run at many points × variants × replications into a store.

A *point* gives a value to each ``--set`` path (:mod:`simulator.overrides`); the design
chooses the points: ``grid`` is the cartesian product of the listed values (first ``--set``
slowest), ``lhs`` a Latin hypercube of ``samples`` points over the listed values, drawn from
the master seed (so the same command gives the same points). Every variant asked for runs at
every point, and every (variant, point) runs replications ``0 … n−1`` with the same master
seed: replication ``i`` draws the same random streams everywhere (common random numbers), so
differences between points and variants are measured with little noise.

Each finished replication is committed to the :class:`~simulator.store.ResultStore` on its
own; :func:`run_sweep` runs only the replications the store does not hold (``--resume``).
With a :class:`Autopilot` (``--target-ci``) it then adds replications per (variant, point)
until the relative 95 % half-width of one KPI is met or a maximum is reached; the decision
depends only on the stored values, so a resumed study reaches the same replications.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.backends import Backend, Task
from simulator.store import ResultStore, RunRecord, StudyMeta

if TYPE_CHECKING:
    from scenarios import Scenario
    from simulator.overrides import ParsedFile

__all__ = [
    "LHS_STREAM",
    "Autopilot",
    "Point",
    "SetSpec",
    "StudyPlan",
    "SweepOutcome",
    "grid_points",
    "lhs_points",
    "parse_sets",
    "plan_study",
    "run_sweep",
]

LHS_STREAM = 0x4C4853
"""Spawn key of the Latin hypercube's random stream (``SeedSequence(seed, (LHS_STREAM,))``):
apart from every stream the engine draws (those are keyed by replication and element)."""

NO_VARIANTS = "base"
"""The variant name of a file without ``variants`` (as in the run JSON)."""


_STUDY_KEYS = {
    "seed": "the master seed is one per study (common random numbers); use --seed, and "
    "another --store for another seed",
    "replications": "every point runs the same replications; use --replications",
}
"""Keys a point cannot change: the study runs every point with one seed and one count."""


@dataclass(frozen=True)
class SetSpec:
    """One ``--set PATH=V1,V2,...``: the path, the values as written and as read (YAML)."""

    path: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]


def parse_sets(flags: Sequence[str]) -> list[SetSpec]:
    """``--set`` flags as :class:`SetSpec` (the values read as YAML scalars).

    Raises:
        ValueError: a malformed flag, an empty value list, a value that is not YAML, a path
            given twice, ``seed`` or ``replications`` (one per study); the message names
            the flag.
    """
    from simulator.overrides import parse_set, parse_value

    out: list[SetSpec] = []
    seen: set[str] = set()
    for flag in flags:
        path, texts = parse_set(flag)
        if path in _STUDY_KEYS:
            raise ValueError(f"--set {flag}: {_STUDY_KEYS[path]}")
        if path in seen:
            raise ValueError(f"--set {flag}: the path {path} is given twice (list every value "
                             "in one --set)")
        seen.add(path)
        values: list[Any] = []
        for text in texts:
            try:
                values.append(parse_value(text))
            except ValueError as exc:
                raise ValueError(f"--set {flag}: {exc}") from None
        out.append(SetSpec(path, tuple(texts), tuple(values)))
    return out


@dataclass(frozen=True)
class Point:
    """Values of the ``--set`` paths at one point: read (``params``, what the store keeps)
    and as written (``texts``, what the overrides are applied from)."""

    params: dict[str, Any]
    texts: dict[str, str]


def _point(sets: Sequence[SetSpec], choice: Sequence[int]) -> Point:
    return Point(
        {s.path: s.values[i] for s, i in zip(sets, choice, strict=True)},
        {s.path: s.texts[i] for s, i in zip(sets, choice, strict=True)},
    )


def _unique(points: Iterator[Point]) -> list[Point]:
    """Points in order of first appearance, each set of values once."""
    from simulator.store import params_key

    seen: set[str] = set()
    out: list[Point] = []
    for p in points:
        key = params_key(p.params)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def grid_points(sets: Sequence[SetSpec]) -> list[Point]:
    """Every combination of the listed values (first ``--set`` slowest); one point, the file
    as written, without ``--set``. Values read equal (``5`` and ``05``) count once."""
    ranges = [range(len(s.values)) for s in sets]
    return _unique(_point(sets, choice) for choice in itertools.product(*ranges))


def lhs_points(sets: Sequence[SetSpec], samples: int, seed: int) -> list[Point]:
    """A Latin hypercube of ``samples`` points over the listed values, from ``seed``.

    Each path's unit interval is cut into ``samples`` equal strata; each stratum is used
    once per path (an independent random permutation per path pairs the strata of the
    paths), and the stratum's midpoint ``u`` picks value ``floor(u × k)`` of the path's ``k``
    values. So every value of a path is used ``floor(samples / k)`` or ``ceil(samples / k)``
    times, and the points spread over every path at once. (The values are a list, not a
    continuous range, so a draw inside the stratum would add nothing but imbalance.)
    Repeated points are kept once, so fewer than ``samples`` may come out.
    """
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    sequence = np.random.SeedSequence(seed, spawn_key=(LHS_STREAM,))
    rng = np.random.Generator(np.random.PCG64(sequence))
    columns: list[list[int]] = []
    for s in sets:
        u = (rng.permutation(samples) + 0.5) / samples
        columns.append([min(int(x * len(s.values)), len(s.values) - 1) for x in u])
    return _unique(
        _point(sets, [col[row] for col in columns]) for row in range(samples)
    )


@dataclass(frozen=True)
class Autopilot:
    """``--target-ci``: add replications per (variant, point) until the relative 95 %
    half-width of ``kpi`` is at most ``target_rel`` (0.02 for 2 %), at most ``max_total``
    replications in all."""

    target_rel: float
    kpi: str = "throughput_per_hour"
    max_total: int = 1000


@dataclass
class StudyPlan:
    """Everything a sweep runs, resolved and validated before anything is written."""

    meta: StudyMeta
    points: list[Point]
    variants: list[str]
    replications: int
    scenarios: dict[tuple[str, int], Scenario]
    """(variant, index into :attr:`points`) → the scenario to run (overrides applied)."""


@dataclass
class SweepOutcome:
    """What :func:`run_sweep` did."""

    ran: int = 0
    """Replications run and stored by this call."""
    already: int = 0
    """Replications the store held already (skipped)."""
    crashed: int = 0
    """Of :attr:`ran`, those that raised (stored with their error)."""
    point_ids: list[int] = field(default_factory=list)
    """Store id of each point of the plan."""


ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)``: ``total`` may grow as the autopilot adds replications."""


def _tasks(
    plan: StudyPlan,
    point_ids: Sequence[int],
    wanted: Mapping[tuple[str, int], range],
    done: set[tuple[str, int, int]],
) -> list[Task]:
    """Tasks for the ``wanted`` replications of each (variant, plan point) not yet ``done``,
    replication-major (every point's replication 0 first), so an interrupted study is even."""
    out: list[Task] = []
    longest = max((r.stop for r in wanted.values()), default=0)
    for rep in range(longest):
        for index, pid in enumerate(point_ids):
            for variant in plan.variants:
                reps = wanted.get((variant, index))
                if reps is None or rep not in reps or (variant, pid, rep) in done:
                    continue
                out.append(
                    Task(variant, pid, rep, plan.meta.seed, plan.scenarios[(variant, index)])
                )
    return out


def plan_study(
    parsed: ParsedFile,
    sets: Sequence[SetSpec],
    *,
    design: str = "grid",
    samples: int | None = None,
    variant: str | None = None,
    all_variants: bool = False,
    replications: int | None = None,
    seed: int | None = None,
    warmup: str = "file",
) -> StudyPlan:
    """Resolve a study: its points, variants and the scenario of every (variant, point).

    ``variant``: one variant (default: the baseline); ``all_variants``: every variant.
    ``replications`` and ``seed`` default to the file's (its baseline's).

    Raises:
        ScenarioError: the file's problems, or a ``--set`` path or value it refuses (every
            problem of every path, at ``file:line:col``).
        ValueError: an unknown variant, a design or sample count that does not fit.
    """
    from simulator.overrides import check_paths, override_variants

    found = override_variants(parsed, {})
    names = list(found.scenarios)
    if all_variants:
        chosen = names
    elif variant is None:
        chosen = [found.baseline]
    elif not found.has_variants:
        raise ValueError(f"--variant {variant}: the file has no 'variants'")
    elif variant not in found.scenarios:
        raise ValueError(f"--variant {variant}: no such variant (variants: {', '.join(names)})")
    else:
        chosen = [variant]
    if sets:
        check_paths(parsed, {s.path: list(s.texts) for s in sets})
    if design == "grid":
        if samples is not None:
            raise ValueError("--samples goes with --design lhs (a grid runs every combination)")
        points = grid_points(sets)
    elif design == "lhs":
        if samples is None:
            raise ValueError("--design lhs needs --samples N (how many points to draw)")
        if not sets:
            raise ValueError("--design lhs needs at least one --set to sample")
        master = found.scenarios[found.baseline].seed if seed is None else seed
        points = lhs_points(sets, samples, master)
    else:
        raise ValueError(f"--design must be grid or lhs, got {design!r}")
    base = found.scenarios[found.baseline]
    master = base.seed if seed is None else seed
    scenarios_at: dict[tuple[str, int], Scenario] = {}
    for index, point in enumerate(points):
        at = override_variants(parsed, point.texts) if point.texts else found
        for name in chosen:
            label = name if found.has_variants else NO_VARIANTS
            scenarios_at[(label, index)] = at.scenarios[name]
    meta = StudyMeta(
        scenario_text=parsed.text,
        scenario_file=parsed.filename,
        scenario_name=str(base.name),
        seed=master,
        paths=tuple(s.path for s in sets),
        warmup=warmup,
        design=design,
    )
    return StudyPlan(
        meta=meta,
        points=points,
        variants=[n if found.has_variants else NO_VARIANTS for n in chosen],
        replications=base.replications if replications is None else replications,
        scenarios=scenarios_at,
    )


def run_sweep(
    plan: StudyPlan,
    store: ResultStore,
    backend: Backend,
    *,
    progress: ProgressCallback | None = None,
    autopilot: Autopilot | None = None,
) -> SweepOutcome:
    """Run what the store is missing of ``plan`` on ``backend``, committing each replication.

    Ctrl-C (``KeyboardInterrupt``) and SIGTERM propagate after every replication stored so far
    has been committed, and with it every one the backend's workers had finished but not yet
    handed over (:meth:`~simulator.backends.Backend.finished`); the caller then stops the
    backend.
    """
    outcome = SweepOutcome()
    point_ids = store.add_points([p.params for p in plan.points])
    outcome.point_ids = list(point_ids)
    values: dict[tuple[str, int], dict[int, float | None]] = {}
    kpi = autopilot.kpi if autopilot is not None else None
    for record in store.records():
        values.setdefault((record.variant, record.point), {})[record.replication] = (
            _value(record, kpi)
        )
    done = store.done()
    wanted = {
        (variant, index): range(plan.replications)
        for index in range(len(plan.points))
        for variant in plan.variants
    }
    total = 0
    finished = 0
    while True:
        outcome.already += sum(
            (variant, point_ids[index], rep) in done
            for (variant, index), reps in wanted.items()
            for rep in reps
        )
        tasks = _tasks(plan, point_ids, wanted, done)
        total += len(tasks)
        if progress is not None:
            progress(finished, total)
        try:
            for record in backend.imap(tasks):
                store.record(record)
                done.add(record.key)
                values.setdefault((record.variant, record.point), {})[record.replication] = (
                    _value(record, kpi)
                )
                outcome.ran += 1
                outcome.crashed += record.error is not None
                finished += 1
                if progress is not None:
                    progress(finished, total)
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM: keep what the workers have finished
            with contextlib.suppress(sqlite3.Error):  # best effort: the stop is what counts
                _store_finished(store, backend)
            raise
        if autopilot is None:
            return outcome
        wanted = _more(plan, point_ids, wanted, values, autopilot)
        if not wanted:
            return outcome


def _store_finished(store: ResultStore, backend: Backend) -> None:
    """Commit the replications the backend finished but did not hand over, each in its own
    transaction (what is already stored, perhaps committed just as the stop came, is
    skipped)."""
    stored = store.done()
    for record in backend.finished():
        if record.key not in stored:
            store.record(record)
            stored.add(record.key)


def _value(record: RunRecord, kpi: str | None) -> float | None:
    if kpi is None or record.kpis is None:
        return None
    value = record.kpis.get(kpi)
    return None if value is None or not math.isfinite(value) else float(value)


def _more(
    plan: StudyPlan,
    point_ids: Sequence[int],
    wanted: Mapping[tuple[str, int], range],
    values: Mapping[tuple[str, int], Mapping[int, float | None]],
    autopilot: Autopilot,
) -> dict[tuple[str, int], range]:
    """Further replications per (variant, plan point) the autopilot asks for (none: done).

    Only (variant, point) pairs that ran in the last round are considered, on the values of
    their replications ``0 … n−1``; a pair where one of them crashed or has no value of the
    KPI gets no more."""
    from simulator.autopilot import more_replications

    out: dict[tuple[str, int], range] = {}
    for (variant, index), reps in wanted.items():
        stored = values.get((variant, point_ids[index]), {})
        n = reps.stop
        defined = [v for r in range(n) if (v := stored.get(r)) is not None]
        if len(defined) < n:
            # A replication crashed, or the KPI is undefined here (no power data, no part
            # left): more replications would not narrow anything; leave the point as it is.
            continue
        extra = more_replications(
            defined, autopilot.target_rel, confidence=0.95, max_total=autopilot.max_total
        )
        extra = max(0, min(int(extra), autopilot.max_total - n))
        if extra > 0:
            out[(variant, index)] = range(n, n + extra)
    return out
