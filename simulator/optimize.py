"""Optimisation studies: the best buffer split of a flow line, the cheapest line meeting a KPI.

**Buffers** (:func:`optimize_buffers`): N buffer places are shared among the buffers between
the stations of a serial flow line (the buffer in front of station 2, 3, …, K; the first
station's buffer is left as the file has it). The objective is the mean throughput (parts/h)
over the replications, ties broken by the lower mean WIP. The flow-line recursion
(:mod:`kernels.flowline`) evaluates allocations on common random numbers — the same
processing times, drawn once per replication from the event engine's streams, for every
allocation — all of them when there are at most :data:`EXHAUSTIVE_LIMIT`, else a greedy
construction (add one place at a time where it helps most) followed by a neighbourhood search
(move one place from one buffer to another while that improves). The event engine then runs
the best few allocations, with confidence intervals and the paired difference to the best;
on an eligible line it reproduces the kernel's values exactly (the fast path is exact).

**Resources** (:func:`optimize_resources`): every combination of the ``--vary`` values is a
configuration with a cost (:func:`annual_cost`); configurations are screened in order of cost
with a sequential procedure whose intervals are Bonferroni-corrected, so that the returned
configuration meets the target with the stated probability (the guarantee and its limits are
in docs/optimize.md).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cells.sampling import Sampler
from cells.streams import stream
from kernels.flowline import flowline_covers, flowline_departures, flowline_stats
from simulator.economics import floor_cost, investment, labour_cost
from simulator.experiment import KPI_NAMES, V2_KPI_NAMES, ExperimentResult, run_experiment
from simulator.fastpath import NotEligible, check_eligible
from simulator.model import SOURCE_STREAM_KEY, process_stream_key
from simulator.stats import Stat, student_t_ppf, summarise

if TYPE_CHECKING:
    from scenarios import Scenario

__all__ = [
    "EXHAUSTIVE_LIMIT",
    "BufferCandidate",
    "BufferStudy",
    "Configuration",
    "KernelEvaluator",
    "NotEligible",
    "ResourceStudy",
    "SearchTooLarge",
    "Target",
    "TargetUnavailable",
    "allocations",
    "annual_cost",
    "buffer_slots",
    "capital_recovery_factor",
    "check_search_size",
    "count_allocations",
    "optimize_buffers",
    "optimize_resources",
    "parse_target",
    "planned_evaluations",
    "search_buffers",
    "with_buffers",
]

EXHAUSTIVE_LIMIT = 5000
"""Allocations evaluated one by one at most; beyond, greedy + neighbourhood search."""
MAX_KERNEL_BYTES = 1024**3
"""Memory the kernel evaluator may hold for the processing times and the departure times."""
MAX_EVALUATIONS = 50_000
"""Allocations one search may evaluate on the kernel (the greedy search evaluates about
``total × buffers``); each is kept with its statistics, so this bounds time and memory."""
MAX_KERNEL_STEPS = 3 * 10**10
"""Part-station steps of the recursion one search may take (allocations × replications ×
parts × stations): about a minute or two on two cores."""

class SearchTooLarge(NotEligible):
    """The search would take too long or hold too much memory on the kernel (the message
    says how much and what to reduce)."""


RunFunction = Callable[["Scenario", int, int], ExperimentResult]
"""``run(scenario, replications, seed)``: the event engine (default :func:`run_experiment`)."""


# =============================================================================================
# Buffers


def buffer_slots(scenario: Scenario) -> list[str]:
    """Names of the stations whose buffer (in front of them) receives places: all but the
    first, whose buffer the file keeps (unused on a saturated line; with a source it only
    moves waiting parts between the front queue and the buffer)."""
    return [s.name for s in scenario.stations[1:]]


def count_allocations(total: int, slots: int) -> int:
    """Ways to share ``total`` places among ``slots`` buffers: C(total + slots − 1, slots − 1)."""
    if slots < 1:
        return 0
    return math.comb(total + slots - 1, slots - 1)


def allocations(total: int, slots: int) -> Iterator[tuple[int, ...]]:
    """Every split of ``total`` places among ``slots`` buffers, in lexicographic order."""
    if slots == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in allocations(total - first, slots - 1):
            yield (first, *rest)


def with_buffers(scenario: Scenario, allocation: Sequence[int]) -> Scenario:
    """``scenario`` with the buffers of :func:`buffer_slots` set to ``allocation``."""
    data = scenario.model_dump()
    for station, places in zip(data["stations"][1:], allocation, strict=True):
        station["buffer"] = int(places)
    return type(scenario).model_validate(data)


class KernelEvaluator:
    """Throughput and WIP of allocations of one line on the flow-line recursion.

    Each replication's processing times (and arrival times, with a source) are drawn once
    from the event engine's streams (same keys, same block sampler), so every allocation sees
    the same parts: common random numbers, and the same values the event engine gives. Enough
    parts are drawn to cover warm-up + horizon; when an allocation lets more parts in than
    that, all are drawn again with twice as many (the first ones unchanged).
    """

    def __init__(self, scenario: Scenario, replications: int, seed: int) -> None:
        check_eligible(scenario)
        if len(scenario.stations) < 2:
            raise NotEligible("the line has one station: there is no buffer between stations")
        self.scenario = scenario
        self.replications = replications
        self.seed = seed
        self.warmup = float(scenario.warmup)
        self.horizon = float(scenario.horizon)
        first = scenario.stations[0].buffer
        self.first_buffer = -1 if first is None else int(first)
        self.evaluations = 0
        self._cache: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._departed: dict[tuple[int, ...], int] = {}
        means = [float(getattr(s.process, "mean_s", 0.0)) for s in scenario.stations]
        span = self.warmup + self.horizon
        if scenario.source is not None:
            gap = float(getattr(scenario.source.interarrival, "mean_s", 0.0))
            rate_s = max(gap, 1e-9)
        else:
            rate_s = max(max(means), 1e-9)
        self._parts = int(min(1.2 * span / rate_s, 1e9)) + 2 * len(means) + 64
        self._draw()

    def _draw(self) -> None:
        k = len(self.scenario.stations)
        r = self.replications
        needed = r * self._parts * (2 * k + 2) * 8
        if needed > MAX_KERNEL_BYTES:
            raise SearchTooLarge(
                f"{r} replications of {self._parts:,} parts need {needed / 1024**3:.1f} GiB on "
                "the flow-line kernel; use fewer replications or a shorter horizon"
            )
        process = np.empty((r, self._parts, k))
        arrivals = None if self.scenario.source is None else np.empty((r, self._parts))
        for rep in range(r):
            for j, station in enumerate(self.scenario.stations):
                sampler = Sampler(
                    station.process, stream(self.seed, rep, process_stream_key(station.name))
                )
                process[rep, :, j] = sampler.take(self._parts)
            if arrivals is not None and self.scenario.source is not None:
                gaps = Sampler(
                    self.scenario.source.interarrival, stream(self.seed, rep, SOURCE_STREAM_KEY)
                ).take(self._parts)
                arrivals[rep] = np.cumsum(gaps)
        self._process = process
        self._arrivals = arrivals

    def evaluate(self, allocation: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per replication: throughput (parts/h) and time-average WIP (parts) with the
        buffers of :func:`buffer_slots` set to ``allocation``."""
        key = tuple(int(a) for a in allocation)
        found = self._cache.get(key)
        if found is not None:
            return found
        buffers = np.array([self.first_buffer, *key], dtype=np.int64)
        while True:
            times = flowline_departures(self._process, buffers, self._arrivals)
            if bool(np.all(flowline_covers(times, self.warmup, self.horizon))):
                break
            self._parts *= 2
            self._draw()
        stats = flowline_stats(times, self.warmup, self.horizon)
        self.evaluations += 1
        result = (stats.throughput_per_hour.copy(), stats.wip.copy())
        self._cache[key] = result
        self._departed[key] = round(float(np.sum(stats.departed)))
        return result

    def departed(self, allocation: Sequence[int]) -> int:
        """Parts that left the line in the measured window, summed over the replications:
        the throughput objective as a whole number, so that equal output ranks as a tie
        however the per-replication rates round."""
        key = tuple(int(a) for a in allocation)
        self.evaluate(key)
        return self._departed[key]

    def score(self, allocation: Sequence[int]) -> tuple[float, float]:
        """(mean throughput, mean WIP) of ``allocation`` over the replications."""
        throughput, wip = self.evaluate(allocation)
        # summed as the summaries of the event engine do (math.fsum), so equal departures
        # give bit-equal means and ties are ties
        n = len(throughput)
        return math.fsum(throughput.tolist()) / n, math.fsum(wip.tolist()) / n

    def ranked(self, total: int | None = None) -> list[tuple[tuple[int, ...], float, float]]:
        """The allocations evaluated so far (only those of ``total`` places when given: the
        greedy search also evaluates partial ones), best first: most parts out, then lowest
        mean WIP, then the allocation itself (lexicographic), so the order is reproducible."""
        chosen = [a for a in self._cache if total is None or sum(a) == total]
        return [(a, *self.score(a)) for a in sorted(chosen, key=lambda a: _key(self, a))]


def _key(
    evaluator: KernelEvaluator, allocation: tuple[int, ...]
) -> tuple[int, float, tuple[int, ...]]:
    """Sort key of an allocation, best first: most departures (a whole number, so equal
    output is a tie), then the lowest mean WIP, then the allocation."""
    _, wip = evaluator.score(allocation)
    return (-evaluator.departed(allocation), wip, allocation)


def planned_evaluations(total: int, slots: int, exhaustive_limit: int = EXHAUSTIVE_LIMIT) -> int:
    """Allocations :func:`search_buffers` evaluates before its neighbourhood search: all of
    them when there are at most ``exhaustive_limit``, else the greedy construction's
    ``1 + total × slots``."""
    count = count_allocations(total, slots)
    return count if count <= exhaustive_limit else 1 + total * slots


def check_search_size(
    evaluator: KernelEvaluator, total: int, exhaustive_limit: int = EXHAUSTIVE_LIMIT
) -> None:
    """Refuse, before it starts, a search that would evaluate more than
    :data:`MAX_EVALUATIONS` allocations or take more than :data:`MAX_KERNEL_STEPS` steps.

    Raises:
        SearchTooLarge: with the estimate and what to reduce.
    """
    k = len(evaluator.scenario.stations)
    evaluations = planned_evaluations(total, k - 1, exhaustive_limit)
    steps = evaluations * evaluator.replications * evaluator._parts * k
    if evaluations > MAX_EVALUATIONS:
        raise SearchTooLarge(
            f"{total:,} places over {k - 1} buffers need about {evaluations:,} allocations "
            f"on the flow-line kernel (at most {MAX_EVALUATIONS:,}); share fewer places"
        )
    if steps > MAX_KERNEL_STEPS:
        raise SearchTooLarge(
            f"about {evaluations:,} allocations × {evaluator.replications} replications × "
            f"{evaluator._parts:,} parts × {k} stations = {steps:.2g} steps of the flow-line "
            f"kernel (at most {MAX_KERNEL_STEPS:.0e}); share fewer places, or run fewer "
            "replications or a shorter horizon"
        )


def search_buffers(
    evaluator: KernelEvaluator, total: int, *, exhaustive_limit: int = EXHAUSTIVE_LIMIT
) -> str:
    """Evaluate allocations of ``total`` places on ``evaluator``; returns the method used
    (``"exhaustive"`` or ``"greedy+neighbourhood"``). The results are in
    :meth:`KernelEvaluator.ranked` (``ranked(total)``: the greedy construction also
    evaluates allocations of fewer places on its way)."""
    slots = len(evaluator.scenario.stations) - 1
    if count_allocations(total, slots) <= exhaustive_limit:
        for allocation in allocations(total, slots):
            evaluator.evaluate(allocation)
        return "exhaustive"
    current = tuple([0] * slots)
    evaluator.evaluate(current)
    for _ in range(total):  # greedy: one place at a time where it helps most
        options = [
            tuple(c + (1 if i == j else 0) for i, c in enumerate(current)) for j in range(slots)
        ]
        current = min(options, key=lambda a: _key(evaluator, a))
    improved = True
    while improved:  # neighbourhood: move one place from one buffer to another
        improved = False
        best = _key(evaluator, current)
        for i, j in itertools.permutations(range(slots), 2):
            if current[i] == 0:
                continue
            moved = list(current)
            moved[i] -= 1
            moved[j] += 1
            candidate = tuple(moved)
            if _key(evaluator, candidate) < best:
                current, best, improved = candidate, _key(evaluator, candidate), True
    return "greedy+neighbourhood"


@dataclass(frozen=True)
class BufferCandidate:
    """One allocation: the kernel's means and the event engine's statistics."""

    allocation: tuple[int, ...]
    kernel_throughput: float
    """Mean throughput on the kernel (parts/h)."""
    kernel_wip: float
    """Mean WIP on the kernel (parts)."""
    throughput: Stat
    """Throughput from the event engine (parts/h), mean and 95 % CI."""
    wip: Stat
    """WIP from the event engine (parts)."""
    difference: Stat | None
    """Throughput minus the best allocation's, replication by replication (None for the
    best itself)."""

    @property
    def agrees(self) -> bool:
        """Do the event engine's means equal the kernel's (to 1e-9 relative)?"""
        return (
            self.throughput.mean is not None
            and self.wip.mean is not None
            and math.isclose(
                self.throughput.mean, self.kernel_throughput, rel_tol=1e-9, abs_tol=1e-9
            )
            and math.isclose(self.wip.mean, self.kernel_wip, rel_tol=1e-9, abs_tol=1e-9)
        )


@dataclass(frozen=True)
class BufferStudy:
    """The result of ``linelab optimize buffers``."""

    scenario: Scenario
    total: int
    stations: tuple[str, ...]
    """The stations whose buffer receives places, in route order."""
    method: str
    evaluated: int
    replications: int
    seed: int
    candidates: tuple[BufferCandidate, ...]
    """The best allocations, best first, confirmed by the event engine."""


def optimize_buffers(
    scenario: Scenario,
    total: int,
    *,
    top: int = 3,
    replications: int | None = None,
    seed: int | None = None,
    run: RunFunction | None = None,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
) -> BufferStudy:
    """Share ``total`` buffer places among the buffers between stations; the kernel ranks
    the allocations and the event engine confirms the best ``top`` on the same seed.

    Raises:
        NotEligible: the line is not one the flow-line recursion represents exactly (with
            every reason), or has a single station.
        SearchTooLarge: (a NotEligible) the search would exceed :data:`MAX_EVALUATIONS`,
            :data:`MAX_KERNEL_STEPS` or :data:`MAX_KERNEL_BYTES`.
        ValueError: ``total`` < 0 or ``top`` < 1.
    """
    if total < 0:
        raise ValueError(f"total must be >= 0 places, got {total}")
    if top < 1:
        raise ValueError(f"top must be >= 1, got {top}")
    n = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    evaluator = KernelEvaluator(scenario, n, seed)
    check_search_size(evaluator, total, exhaustive_limit)
    method = search_buffers(evaluator, total, exhaustive_limit=exhaustive_limit)
    ranked = evaluator.ranked(total)[:top]
    runner = run or (lambda sc, reps, s: run_experiment(sc, reps, s))
    results = [runner(with_buffers(scenario, a), n, seed) for a, _, _ in ranked]
    best = results[0].kpis["throughput_per_hour"]
    candidates = []
    for i, ((allocation, thr, wip), result) in enumerate(zip(ranked, results, strict=True)):
        stat = result.kpis["throughput_per_hour"]
        candidates.append(
            BufferCandidate(
                allocation=allocation,
                kernel_throughput=thr,
                kernel_wip=wip,
                throughput=stat,
                wip=result.kpis["wip"],
                difference=None if i == 0 else _paired(stat, best),
            )
        )
    return BufferStudy(
        scenario=scenario,
        total=total,
        stations=tuple(buffer_slots(scenario)),
        method=method,
        evaluated=evaluator.evaluations,
        replications=n,
        seed=seed,
        candidates=tuple(candidates),
    )


def _paired(variant: Stat, base: Stat) -> Stat:
    return summarise(
        [
            None if v is None or b is None else v - b
            for v, b in zip(variant.values, base.values, strict=True)
        ]
    )


# =============================================================================================
# Resources

TARGET_KPIS: tuple[str, ...] = KPI_NAMES + V2_KPI_NAMES
"""KPIs a target may name."""
_TARGET = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=)\s*(\S+)\s*$")


class TargetUnavailable(ValueError):
    """The target's KPI has no value for the line (energy without power data ...)."""


@dataclass(frozen=True)
class Target:
    """A KPI bound: ``throughput_per_hour >= 420``."""

    kpi: str
    op: str
    """``>=`` (at least) or ``<=`` (at most)."""
    value: float

    def __str__(self) -> str:
        return f"{self.kpi}{self.op}{self.value:g}"

    def accepts(self, low: float, high: float) -> bool:
        """Is the whole interval [low, high] on the right side of the bound?"""
        return low >= self.value if self.op == ">=" else high <= self.value

    def rejects(self, low: float, high: float) -> bool:
        """Is the whole interval [low, high] on the wrong side of the bound?"""
        return high < self.value if self.op == ">=" else low > self.value


def parse_target(text: str) -> Target:
    """Read ``KPI>=VALUE`` or ``KPI<=VALUE`` (KPI one of :data:`TARGET_KPIS`).

    Raises:
        ValueError: anything else, with what was expected and a hint for a misspelt KPI.
    """
    import difflib

    shape = (
        "expected KPI>=VALUE or KPI<=VALUE, e.g. 'throughput_per_hour>=420' "
        f"(KPI: {', '.join(TARGET_KPIS)})"
    )
    match = _TARGET.match(text)
    if match is None:
        if re.search(r"=>|=<|==|(?<![<>])=(?!=)|(?<![<>=])[<>](?!=)", text):
            raise ValueError(f"--target {text!r}: use >= or <= ({shape})")
        raise ValueError(f"--target {text!r}: {shape}")
    kpi, op, raw = match.groups()
    if kpi not in TARGET_KPIS:
        close = difflib.get_close_matches(kpi, TARGET_KPIS, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f" (KPI: {', '.join(TARGET_KPIS)})"
        raise ValueError(f"--target {text!r}: unknown KPI '{kpi}'{hint}")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"--target {text!r}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"--target {text!r}: the bound must be a finite number")
    return Target(kpi, op, value)


def capital_recovery_factor(rate: float, years: int) -> float:
    """Share of an investment to set aside each year to repay it with interest over ``years``
    years: ``r / (1 − (1 + r)^−years)``, ``1 / years`` at r = 0."""
    if rate == 0.0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def annual_cost(scenario: Scenario) -> float:
    """What a configuration costs per year, known before it runs (money per year).

    With an ``economics`` section: the equivalent annual cost of ownership,
    ``investment × CRF(discount_rate, years) + labour + maintenance × investment + floor``
    (:func:`capital_recovery_factor`; the terms as in docs/economics.md). Energy and scrap are
    left out: they follow the output, which the target fixes, and depend on the run. Without
    economics: the purchase price of the line (``investment``; 0 without prices).
    """
    invest = investment(scenario)
    economics = scenario.economics if hasattr(scenario, "economics") else None
    if economics is None:
        return invest
    crf = capital_recovery_factor(economics.discount_rate, economics.years)
    return (
        invest * crf
        + labour_cost(economics, scenario)
        + economics.maintenance * invest
        + floor_cost(economics, scenario)
    )


def units(scenario: Scenario) -> int:
    """Equipment units of a line: station servers plus resource units (the tie-break)."""
    return sum(s.servers for s in scenario.stations) + sum(
        r.count for r in getattr(scenario, "resources", ()) or ()
    )


@dataclass
class Configuration:
    """One combination of the varied values, its cost and the screening's verdict."""

    values: dict[str, str]
    """Path → value as written on the command line."""
    scenario: Scenario
    cost: float
    units: int
    status: str = "not run"
    """``accepted`` (meets the target), ``rejected`` (misses it), ``undecided`` (the interval
    still contains the target at the largest number of replications) or ``not run``."""
    replications: int = 0
    mean: float | None = None
    interval: tuple[float, float] | None = None
    """The Bonferroni-corrected interval of the KPI's mean at the last stage."""
    result: ExperimentResult | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ResourceStudy:
    """The result of ``linelab optimize resources``."""

    target: Target
    configurations: tuple[Configuration, ...]
    """Every configuration, cheapest first."""
    chosen: Configuration | None
    """The cheapest configuration accepted, or None."""
    alpha: float
    stages: tuple[int, ...]
    """Replications at each stage of the screening."""
    level: float
    """Confidence level of each single interval: 1 − alpha / (configurations × stages)."""
    seed: int


def stages_of(initial: int, maximum: int) -> tuple[int, ...]:
    """Replications at each stage: ``initial``, doubled each time, the last one ``maximum``."""
    if initial < 2:
        raise ValueError(f"the first stage needs >= 2 replications, got {initial}")
    if maximum < initial:
        raise ValueError(f"max replications ({maximum}) is below the first stage ({initial})")
    out = [initial]
    while out[-1] < maximum:
        out.append(min(2 * out[-1], maximum))
    return tuple(out)


def _interval(values: Sequence[float | None], level: float) -> tuple[float, float, float] | None:
    x = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(x)
    if n < 2:
        return None
    mean = math.fsum(x) / n
    s = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1))
    half = student_t_ppf(0.5 + level / 2.0, n - 1) * s / math.sqrt(n)
    return mean, mean - half, mean + half


def _has_power(scenario: Scenario) -> bool:
    """Does any station or resource of the line draw power (so energy has a value)?"""
    return any(getattr(s, "power", None) is not None for s in scenario.stations) or any(
        getattr(r, "power", None) is not None for r in getattr(scenario, "resources", ()) or ()
    )


def optimize_resources(
    configurations: Sequence[tuple[Mapping[str, str], Scenario]],
    target: Target,
    *,
    alpha: float = 0.05,
    initial: int = 5,
    max_replications: int = 40,
    seed: int | None = None,
    run: RunFunction | None = None,
    progress: Callable[[Configuration], None] | None = None,
) -> ResourceStudy:
    """Find the cheapest configuration whose KPI meets ``target``.

    ``configurations``: (values as written, validated scenario) pairs. They are ordered by
    :func:`annual_cost`, then by :func:`units`, then as given, and screened in that order:
    each runs ``initial`` replications (seed shared by all: common random numbers), then twice
    as many, … up to ``max_replications``, until the Bonferroni-corrected interval of its mean
    (level 1 − alpha / (k × L), k configurations, L stages) lies wholly on one side of the
    bound: accepted or rejected. One left straddling the bound at the maximum is
    ``undecided``. The first accepted one ends the screening. An interval of zero width (all
    replications equal) decides nothing before the last stage. A configuration where no
    replication has a value of the KPI (no part finished) is rejected; one where only some
    do is never accepted (the mean of the others would flatter it).

    Raises:
        ValueError: no configurations, alpha not in (0, 1), bad stage sizes.
    """
    if not configurations:
        raise ValueError("no configurations to screen")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    stages = stages_of(initial, max_replications)
    first = configurations[0][1]
    seed = first.seed if seed is None else seed
    runner = run or (lambda sc, reps, s: run_experiment(sc, reps, s))
    configs = [
        Configuration(dict(values), sc, annual_cost(sc), units(sc)) for values, sc in configurations
    ]
    order = sorted(range(len(configs)), key=lambda i: (configs[i].cost, configs[i].units, i))
    configs = [configs[i] for i in order]
    level = 1.0 - alpha / (len(configs) * len(stages))
    chosen = None
    for config in configs:
        for n in stages:
            result = runner(config.scenario, n, seed)
            stat = result.kpis.get(target.kpi)
            config.replications, config.result = n, result
            if stat is None or (
                target.kpi == "energy_kwh_per_part" and not _has_power(config.scenario)
            ):
                raise TargetUnavailable(
                    f"{target.kpi} is not reported for this line ({describe(config.values)}): "
                    + (
                        "it needs format-v2 features (linelab: 2)"
                        if stat is None
                        else "energy needs power data (power: on stations or resources)"
                    )
                )
            missing = sum(1 for v in stat.values if v is None or not math.isfinite(v))
            if missing == n:
                # no replication finished a part: no per-part value, so no bound is met
                config.status, config.mean, config.interval = "rejected", None, None
                break
            found = _interval(stat.values, level)
            if found is None:  # a single defined value: no interval yet
                config.status, config.mean, config.interval = "undecided", None, None
                continue
            mean, low, high = found
            config.mean, config.interval = mean, (low, high)
            if low == high and n < stages[-1]:
                # every replication gave the same value: a zero-width interval is no evidence
                # (a count over a short horizon often repeats), so it decides only at the
                # last stage, where all of them agreeing is the line's own behaviour
                config.status = "undecided"
                continue
            if missing and not target.rejects(low, high):
                # replications without a value (no part finished) are left out of the mean,
                # which flatters it: such a configuration is never accepted
                config.status = "undecided"
                continue
            if target.accepts(low, high):
                config.status = "accepted"
                break
            if target.rejects(low, high):
                config.status = "rejected"
                break
            config.status = "undecided"
        if progress is not None:
            progress(config)
        if config.status == "accepted":
            chosen = config
            break
    return ResourceStudy(
        target=target,
        configurations=tuple(configs),
        chosen=chosen,
        alpha=alpha,
        stages=stages,
        level=level,
        seed=seed,
    )


def replace_result_variant(result: ExperimentResult, variant: str) -> ExperimentResult:
    """``result`` labelled with ``variant`` (the run itself does not know it)."""
    return dataclasses.replace(result, variant=variant)


def describe(values: Mapping[str, Any]) -> str:
    """``path=value, path=value`` for tables."""
    return ", ".join(f"{k}={v}" for k, v in values.items())
