"""A small harness that builds lines from ``cells`` directly (no scenario file) for the
equipment theory tests: the engine's v2 classes are exercised from plain parameters.

Each helper returns per-replication values; the tests derive the exact values themselves and
check them with :func:`tests.theory.exact.assert_agrees` over :data:`REPLICATIONS`
replications: a confidence interval that must contain the exact value, be narrow enough to
matter and exclude the exact answers of plausibly broken engines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import simpy

from cells.calendar import ShiftClock, WorkingTime
from cells.entrance import Entrance, RoutedEntrance
from cells.parts import ProductTraffic, Traffic
from cells.resources import Resource
from cells.sampling import Sampler
from cells.sink import Sink
from cells.source import Source
from cells.station import Station
from cells.streams import counter_key, counter_uniform, stream
from cells.workstation import Workstation

SEED_OFFSET = int(os.environ.get("LINELAB_THEORY_SEED_OFFSET", "0"))
"""Shifts every seed (as in ``exact.scenario_yaml``). No check may depend on the seed: the
tests pass on every offset (a real disagreement fails on all of them)."""

REPLICATIONS = 40
"""Independent replications (each on its own random streams) behind every statistical check.

The checks use :func:`tests.theory.exact.assert_agrees` at its confidence level
(``exact.CONFIDENCE``, 99.999 %: the t quantile is 5.07 with 40 replications, against 3.25 for
the 99 % intervals over 10 replications these tests used before). Each test's horizon is
sized so that its intervals stay well inside their width limits (about 0.55 of them on
average, at most 0.75 over seed offsets 0–10) and exclude the ``wrong`` answers they name by
at least four half-widths."""


def exp_sampler(mean: float, seed: int, rep: int, key: str) -> Sampler:
    """Exponential durations with ``mean`` seconds from stream ``key``."""
    return Sampler(
        SimpleNamespace(dist="exponential", mean=mean), stream(seed + SEED_OFFSET, rep, key)
    )


def part_key(seed: int, rep: int, key: str) -> int:
    """The key of a counter-based per-part stream (scrap, product choice)."""
    return counter_key(seed + SEED_OFFSET, rep, key)


def const_sampler(value: float) -> Callable[[], float]:
    """A constant duration."""
    return lambda: value


def product_chooser(shares: Sequence[float], seed: int, rep: int) -> Callable[[int], int]:
    """Per-part product draw by ``shares`` (counter-based, keyed ``parts.product``)."""
    key = part_key(seed, rep, "parts.product")
    cum: list[float] = []
    total = 0.0
    for s in shares:
        total += s
        cum.append(total)

    def choose(part_id: int) -> int:
        u = counter_uniform(key, part_id)
        for i, c in enumerate(cum):
            if u < c:
                return i
        return len(cum) - 1

    return choose


@dataclass
class CellsLine:
    """A line under construction: stations, resources, shift clocks, traffic."""

    env: simpy.Environment = field(default_factory=simpy.Environment)
    traffic: Traffic = field(default_factory=Traffic)
    stations: list[Station] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    clocks: list[ShiftClock] = field(default_factory=list)
    entrance: Entrance | None = None
    source: Source | None = None
    sink: Sink | None = None

    def serial(self, supply: bool = True) -> None:
        """Wire the stations in list order to a sink (first station saturated if ``supply``)."""
        self.sink = Sink(self.traffic, self.entrance)
        for a, b in zip(self.stations, self.stations[1:], strict=False):
            a.downstream = b
        self.stations[-1].downstream = self.sink
        for st in self.stations:
            if isinstance(st, Workstation):
                st.sink = self.sink
        if supply:
            self.stations[0].supply = self.traffic

    def routed(self, routes: Sequence[Sequence[int]], interarrival: Callable[[], float]) -> None:
        """Products with routes (station indices) fed by a Poisson-like source."""
        assert isinstance(self.traffic, ProductTraffic)
        self.entrance = RoutedEntrance(self.stations[0], self.traffic, None,
                                       release_on_departure=False)
        self.sink = Sink(self.traffic, self.entrance)
        self.traffic.routes = [(*tuple(self.stations[i] for i in r), self.sink) for r in routes]
        for st in self.stations:
            assert isinstance(st, Workstation)
            st.sink = self.sink
            st.routed = True
        self.source = Source(self.env, interarrival, self.traffic, self.entrance)

    def follow(self, week: Sequence[tuple[float, float]], *listeners: Any) -> None:
        """Make ``listeners`` follow working time ``week``."""
        clock = ShiftClock(self.env, WorkingTime(week))
        clock.listeners.extend(listeners)
        self.clocks.append(clock)

    def run(self, warmup: float, horizon: float) -> float:
        """Run warm-up, reset every statistic, run the horizon; returns the end time."""
        for clock in self.clocks:
            clock.start()
        for st in self.stations:
            if isinstance(st, Workstation):
                st.start_failures()
        first = self.stations[0]
        if first.supply is not None:
            first.start_supplied(0.0)
        if self.source is not None:
            self.source.start()
        if warmup > 0:
            self.env.run(until=warmup)
        self.traffic.reset(warmup)
        for st in self.stations:
            st.reset(warmup)
            if isinstance(st, Workstation):
                st.scrapped = 0
        for r in self.resources:
            r.reset(warmup)
        end = warmup + horizon
        self.env.run(until=end)
        return end

    @staticmethod
    def shares(station: Station, now: float, start: float) -> dict[str, float]:
        """A station's state shares averaged over its servers (every timer index, by name)."""
        n = len(station.servers)
        out: dict[str, float] = {}
        for s in station.servers:
            for name, v in s.timer.shares(now, start).items():
                out[name] = out.get(name, 0.0) + v / n
        return out
