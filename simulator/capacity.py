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

The flow-line fast path (``--fast``) needs no runtime guard: it simulates part after part in
chunks of fixed size and stops once the parts entering the line pass the end of the run, so its
memory stays one chunk however overloaded the line is (the queue in front of the line exists
only as arrival times that run ahead of entry times). Its result carries the same warnings.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


def station_capacities_per_hour(scenario: Scenario) -> list[float]:
    """Each station's capacity in parts/h: ``servers × 3600 / mean process time``."""
    return [s.servers * 3600.0 / s.process.mean_s for s in scenario.stations]


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


def _all_constant(scenario: Scenario, upto: int) -> bool:
    """Are the arrivals and the process times of stations ``0..upto`` all constant? Then a
    station loaded exactly to its capacity keeps a bounded queue (no randomness to pile up)."""
    if scenario.source is not None and scenario.source.interarrival.scv > 0:
        return False
    return all(s.process.scv == 0 for s in scenario.stations[: upto + 1])


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
    if all(s.buffer is not None for s in scenario.stations[1:]):
        return None
    first = scenario.stations[0]
    return first.servers / first.process.mean_s


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
