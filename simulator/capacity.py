"""Overload: is a line asked to carry more parts than it can, and does its queue then grow?

A queue in front of a station grows without bound when parts can reach the station at least as
fast as it can work them off. Two guards follow from this:

- :func:`overload_warnings`, a static check on the scenario before a run, from mean rates only.
  A station's capacity is ``servers / mean process time``; the rate at which parts can reach
  station *i* is the lowest of the source's arrival rate (``1 / mean interarrival``; unlimited
  without a source, whose first station is fed on demand) and the capacities of the stations
  before it. A station that cannot keep up (that rate >= its capacity; at equality a random
  queue is null-recurrent and still grows without bound) makes a queue grow only if there is
  an unlimited place to grow in at or upstream of it: its own buffer or an earlier unlimited
  buffer, or the queue in front of the line when there is a source. Finite buffers throttle the
  stations upstream instead (blocking). With ``wip_cap`` and a source only the queue in front of
  the line can grow; with ``wip_cap`` and no source nothing can. The check is conservative: it
  warns only when overload is certain. Blocking between finite buffers can lower a line's
  capacity below its slowest station's, so a line may also be overloaded without a warning;
  the runtime guard catches that case.
- the runtime guard (:class:`simulator.model.LineModel`): one SimPy event every so often,
  spaced so that at most 1 % of :data:`MAX_PARTS_IN_LINE` parts can enter the line between two
  checks, raises :class:`LineOverloaded` when more parts than that are in the line (the queue in
  front of the line included). Lines in which nothing can grow get no guard at all.

Format-v2 lines. The mean-rate formula above is exact only while a station's work per part is
its process time. :func:`rate_model` decides per scenario:

- a line whose stations use only per-station process times (a distribution or a time model,
  whose computed mean is used), and whose products, if any, all follow the station order, is
  checked as above; per-product process times then enter as the product-mix mean
  ``sum(share × mean time of the product)``, which is exactly the station's mean work per part;
- a line that uses tending, ``operated_by``, failures, setups, scrap, shifts, transport,
  conveyors or routes other than the station order gets **no static warning**: tending,
  operators and vehicles add waits on shared resources, conveyors pace their feeders,
  failures and shifts take time away, setups depend on the sequence and scrap and routes
  change which parts reach which station, so ``servers / mean time`` is no longer the
  capacity, and a warning from it could be false. The runtime guard is the safety net there:
  it counts every part in the line (scrapped parts leave the count when they are scrapped) and
  spaces its checks by the fastest rate parts can enter (the source's, or the first station's
  ``servers / shortest mean time`` over the products when fed on demand), so it checks at
  least as often as it needs to. Its error names the station where most parts wait, with the
  rate that station was measured to work at.

The flow-line fast path (``--fast``) needs no runtime guard: it simulates part after part in
chunks of fixed size and stops once the parts entering the line pass the end of the run, so its
memory stays one chunk however overloaded the line is (the queue in front of the line exists
only as arrival times that run ahead of entry times). Its result carries the same warnings.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenarios import Scenario

MAX_PARTS_IN_LINE = 5_000_000
"""Parts in the line (the queue in front of it included) at which a run is stopped as
overloaded: about half a gigabyte of parts and queue places, well before memory runs out."""

MAX_PARTS_ENV = "LINELAB_MAX_PARTS_IN_LINE"
"""Environment variable that overrides :data:`MAX_PARTS_IN_LINE` (for tests; worker processes
inherit it)."""

CHECKS_PER_LIMIT = 100
"""The runtime guard checks often enough that at most limit / this many parts enter between
two checks (at the mean rate)."""

_RATE_RTOL = 1e-9
"""Relative tolerance under which two rates count as equal (they come from rounded means)."""


def parts_limit() -> int:
    """The parts-in-line limit in force: :data:`MAX_PARTS_ENV` if set, else the constant."""
    text = os.environ.get(MAX_PARTS_ENV)
    if text:
        return max(1, int(text))
    return MAX_PARTS_IN_LINE


_CAPACITY_FEATURES = (
    "tending",
    "operated_by",
    "failures",
    "setup",
    "shifts",
    "transport",
    "conveyor",
    "assembly",
    "batch",
    "unbatch",
)
"""Station fields (format v2) that make ``servers / mean process time`` inexact (a station
that works whole trays does ``batch`` parts per operation)."""


def _mean_s(process: Any) -> float | None:
    """The mean of a process time (s): a distribution's ``mean_s``, a time model's computed
    time; ``None`` when it cannot be computed (the build refuses such a line before time 0)."""
    mean = getattr(process, "mean_s", None)
    if mean is not None:
        return float(mean)
    from cells.time_models import TimeModelError, evaluate  # loads the kernels: only here

    try:
        return float(evaluate(process).mean_s)
    except (TimeModelError, TypeError, ValueError):
        return None


def _products(scenario: Scenario) -> tuple[Any, ...]:
    """The scenario's products (one default product for a line without any)."""
    if hasattr(scenario, "products_or_default"):
        return tuple(scenario.products_or_default())
    return ()


def _station_means_s(scenario: Scenario) -> list[float] | None:
    """Each station's mean work per part (s), or ``None`` when the line uses a v2 feature that
    makes ``servers / mean`` inexact (see the module docstring)."""
    names = [s.name for s in scenario.stations]
    products = _products(scenario)
    if any(tuple(p.route) != tuple(names) for p in products):
        return None  # routes: which parts reach which station is not the station order
    means: list[float] = []
    for spec in scenario.stations:
        if any(getattr(spec, f, None) is not None for f in _CAPACITY_FEATURES):
            return None
        if getattr(spec, "scrap", 0.0):
            return None
        base = _mean_s(spec.process)
        overrides = [p for p in products if spec.name in (getattr(p, "process", None) or {})]
        if not overrides:
            if base is None:
                return None
            means.append(base)
            continue
        mix = 0.0
        for p in products:
            mean = _mean_s(p.process[spec.name]) if p in overrides else base
            if mean is None:
                return None
            mix += float(p.share) * mean
        means.append(mix)
    return means


def rate_model(scenario: Scenario) -> bool:
    """Is ``servers / mean work per part`` each station's capacity (so the static check
    applies)? False for lines with tending, operators, failures, setups, scrap, shifts or
    routes (see the module docstring)."""
    return _station_means_s(scenario) is not None


def station_capacities_per_hour(scenario: Scenario) -> list[float]:
    """Each station's capacity in parts/h: ``servers × 3600 / mean work per part`` (the
    product-mix mean when products have their own process times). For a line for which
    :func:`rate_model` is false, an upper bound: ``servers × 3600 / shortest mean process
    time`` of any product (``inf`` where none can be computed)."""
    means = _station_means_s(scenario)
    if means is None:
        means = _fastest_s(scenario)
    return [s.servers * 3600.0 / m for s, m in zip(scenario.stations, means, strict=True)]


_SHORTEST_TIME_S = 1e-6
"""The shortest time a scenario may give (s): stands in for a mean that cannot be computed."""


def _fastest_s(scenario: Scenario) -> list[float]:
    """Each station's shortest mean process time over its products (s), so that
    ``servers / it`` bounds the station's rate from above."""
    out: list[float] = []
    for spec in scenario.stations:
        times = [_mean_s(spec.process)]
        times += [
            _mean_s(p.process[spec.name])
            for p in _products(scenario)
            if spec.name in (getattr(p, "process", None) or {})
        ]
        known = [t for t in times if t is not None]
        out.append(max(_SHORTEST_TIME_S, min(known)) if known else _SHORTEST_TIME_S)
    return out


def arrival_rate_per_hour(scenario: Scenario) -> float:
    """The source's mean arrival rate in parts/h (``inf`` without a source: fed on demand)."""
    if scenario.source is None:
        return math.inf
    return 3600.0 / scenario.source.interarrival.mean_s


@dataclass(frozen=True)
class RunWarning:
    """Something about a scenario that makes its results misleading, said before it runs."""

    kind: str
    """``"overload"``: a queue in the line grows without bound."""
    station: str
    """The station that cannot keep up."""
    arrival_per_hour: float
    """The rate at which parts can reach the station (parts/h): the source's rate or, when
    lower, the capacity of the slowest station before it."""
    capacity_per_hour: float
    """The station's capacity, ``servers / mean process time`` (parts/h)."""
    message: str
    """The warning in words, for the KPI table."""

    def to_json(self) -> dict[str, object]:
        """The warning as the JSON result file has it."""
        return {
            "kind": self.kind,
            "station": self.station,
            "arrival_per_hour": self.arrival_per_hour,
            "capacity_per_hour": self.capacity_per_hour,
            "message": self.message,
        }


def _at_least(rate: float, capacity: float) -> bool:
    """``rate >= capacity``, with rates equal to rounding counted as equal."""
    return rate >= capacity * (1.0 - _RATE_RTOL)


def _constant(process: Any) -> bool:
    """Does every draw of ``process`` take the same time (a time model without variation)?"""
    scv = getattr(process, "scv", None)
    if scv is None:
        return float(getattr(process, "variation", 1.0)) == 0.0
    return bool(scv == 0)


def _all_constant(scenario: Scenario, upto: int) -> bool:
    """Are the arrivals and the process times of stations ``0..upto`` all constant? Then a
    station loaded exactly to its capacity keeps a bounded queue (no randomness to pile up).
    A mix of products with their own times at one of these stations is not constant."""
    if scenario.source is not None and not _constant(scenario.source.interarrival):
        return False
    names = {s.name for s in scenario.stations[: upto + 1]}
    if any(names & set(getattr(p, "process", None) or {}) for p in _products(scenario)):
        return False
    return all(_constant(s.process) for s in scenario.stations[: upto + 1])


def _overloaded(scenario: Scenario, feed: float, capacity: float, upto: int) -> bool:
    """Can parts reach station ``upto`` at least as fast as it works them off, so that its
    queue grows without bound? At exactly its capacity a random queue still grows (it is
    null-recurrent); an all-constant one does not."""
    if not _at_least(feed, capacity):
        return False
    exactly = feed <= capacity * (1.0 + _RATE_RTOL)
    return not (exactly and _all_constant(scenario, upto))


def overload_warnings(scenario: Scenario) -> tuple[RunWarning, ...]:
    """Every station whose queue (or the queue before it) grows without bound, from mean rates.

    See the module docstring for the rules; every station that cannot keep up with what can
    reach it, and has an unlimited place to pile up at or before it, gets one warning.
    """
    if not rate_model(scenario):
        return ()  # v2 features that the mean-rate formula does not capture: no static warning
    capacities = station_capacities_per_hour(scenario)
    last = len(capacities) - 1
    arrival = arrival_rate_per_hour(scenario)
    if scenario.wip_cap is not None:
        if scenario.source is None:
            return ()  # a closed line: exactly wip_cap parts circulate
        slowest = min(range(len(capacities)), key=capacities.__getitem__)
        if not _overloaded(scenario, arrival, capacities[slowest], last):
            return ()
        return (_warning(scenario, slowest, arrival, capacities[slowest], None),)
    warnings: list[RunWarning] = []
    feed, feeder = arrival, None  # the rate at which parts can reach station i, and from whom
    room_upstream = scenario.source is not None  # an unlimited place at or before station i
    for i, (spec, capacity) in enumerate(zip(scenario.stations, capacities, strict=True)):
        if i > 0 and spec.buffer is None:
            room_upstream = True
        if room_upstream and _overloaded(scenario, feed, capacity, i):
            warnings.append(_warning(scenario, i, feed, capacity, feeder))
        if capacity < feed:
            feed, feeder = capacity, spec.name
    return tuple(warnings)


def _feed_words(rate: float, feeder: str | None) -> str:
    if math.isinf(rate):
        return "parts enter on demand"
    if feeder is None:
        return f"parts arrive at {rate:,.1f}/h"
    return f"station '{feeder}' upstream can send {rate:,.1f}/h"


def _warning(
    scenario: Scenario, index: int, feed: float, capacity: float, feeder: str | None
) -> RunWarning:
    name = scenario.stations[index].name
    verdict = (
        "that is exactly its capacity, so its queue still grows without bound"
        if feed <= capacity * (1.0 + _RATE_RTOL)
        else "its queue grows without bound"
    )
    message = (
        f"station '{name}' cannot keep up: {_feed_words(feed, feeder)}, it can do "
        f"{capacity:,.1f}/h; {verdict}, so the results describe a line that never settles"
    )
    return RunWarning("overload", name, feed, capacity, message)


def guard_rate_per_s(scenario: Scenario) -> float | None:
    """The fastest mean rate (parts/s) at which parts can enter a line in which some queue can
    grow without bound, which spaces the runtime guard's checks; ``None`` when no queue can
    grow (nothing to guard): a closed CONWIP line, or a line fed on demand whose buffers after
    the first station are all finite."""
    if scenario.source is not None:
        return 1.0 / scenario.source.interarrival.mean_s
    if scenario.wip_cap is not None:
        return None
    stations = list(scenario.stations)
    products = _products(scenario)
    made = {s.assembly.output for s in stations if s.assembly is not None}
    # one entry without source; with assembly one per released product's first station
    entries = {p.route[0] for p in products if p.name not in made} or {stations[0].name}
    fed = [i for i, s in enumerate(stations) if s.name in entries]
    returns = any(s in tuple(p.route)[1:] for p in products for s in entries)  # back to one
    if all(s.buffer is not None or (i in fed and not returns) for i, s in enumerate(stations)):
        return None
    fastest = _fastest_s(scenario)
    return sum(stations[i].servers / fastest[i] for i in fed)


def overload_error(
    scenario: Scenario,
    place: int,
    parts: int,
    time_s: float,
    measured_per_hour: list[float],
) -> LineOverloaded:
    """The error for a run stopped with ``parts`` in the line at ``time_s`` (s).

    ``place`` is where most parts wait: -1 for the queue in front of the line, else the index
    of the station whose buffer it is. The station named is the slowest (by capacity) of those
    that this queue feeds up to the next unlimited buffer (under CONWIP: of all stations);
    where blocking, not the mean rates,
    explains the overload, its capacity is the rate it was measured to work at
    (``measured_per_hour``, per station, parts/h).
    """
    capacities = station_capacities_per_hour(scenario)
    if not rate_model(scenario):
        return _overload_error_v2(scenario, place, parts, time_s, measured_per_hour, capacities)
    start = max(place, 0)
    end = start + 1
    while end < len(capacities) and (
        scenario.wip_cap is not None or scenario.stations[end].buffer is not None
    ):  # under CONWIP the cap, not a buffer, holds the line back: all of it is one segment
        end += 1
    named = min(range(start, end), key=capacities.__getitem__)
    feed, feeder = arrival_rate_per_hour(scenario), None
    for j in range(start):
        if capacities[j] < feed:
            feed, feeder = capacities[j], scenario.stations[j].name
    capacity = capacities[named]
    if capacity > feed and math.isfinite(measured_per_hour[named]):
        capacity = measured_per_hour[named]
    return LineOverloaded(
        scenario.stations[named].name, feed, capacity, parts, time_s, feeder or ""
    )


def _overload_error_v2(
    scenario: Scenario,
    place: int,
    parts: int,
    time_s: float,
    measured_per_hour: list[float],
    bounds_per_hour: list[float],
) -> LineOverloaded:
    """The error for a line that :func:`rate_model` cannot judge: the station where most parts
    wait (for the queue in front of the line, the station its parts enter first), with the rate
    it was measured to work at (parts/h; its upper bound when not measured yet)."""
    if place >= 0:
        named = place
    else:
        products = _products(scenario)
        entry = products[0].route[0] if products else scenario.stations[0].name
        named = next(i for i, s in enumerate(scenario.stations) if s.name == entry)
    capacity = measured_per_hour[named]
    if not math.isfinite(capacity):
        capacity = bounds_per_hour[named]
    return LineOverloaded(
        scenario.stations[named].name, arrival_rate_per_hour(scenario), capacity, parts, time_s
    )


class LineOverloaded(RuntimeError):
    """A run stopped because the parts in the line passed the limit (:func:`parts_limit`).

    Pickles (its arguments are its state), so a worker process can report it to the parent.
    """

    def __init__(
        self,
        station: str,
        arrival_per_hour: float,
        capacity_per_hour: float,
        parts: int,
        time_s: float,
        arrival_from: str = "",
    ) -> None:
        super().__init__(
            station, arrival_per_hour, capacity_per_hour, parts, time_s, arrival_from
        )
        self.station = station
        self.arrival_per_hour = arrival_per_hour
        self.capacity_per_hour = capacity_per_hour
        self.parts = parts
        self.time_s = time_s
        self.arrival_from = arrival_from
        """Empty when parts come from the source; else the station upstream that feeds it."""

    def __str__(self) -> str:
        feed = _feed_words(self.arrival_per_hour, self.arrival_from or None)
        return (
            f"the line cannot keep up: {feed}, station '{self.station}' can do "
            f"{self.capacity_per_hour:,.1f}/h; {self.parts:,} parts were in the line after "
            f"{_simulated(self.time_s)} simulated; shorten the horizon, add capacity or slow "
            "the arrivals"
        )


def _simulated(seconds: float) -> str:
    """A simulated time for people: ``3.2 d``, ``5.0 h``, ``12.0 min``, ``40 s``."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.3g} s"
