"""Assembling a line from a scenario: build → check → run → collect (docs/architecture.md).

:class:`LineModel` wires cells from a :class:`scenarios.Scenario` for one replication: one
random stream per element, keyed by the element's dotted name (``stations.press.process``,
``source.interarrival``), so adding a station never shifts another's draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from cells.entrance import Entrance
from cells.equipment import BLOCKED, BUSY, STARVED, UNIT_STATES
from cells.parts import Traffic
from cells.sampling import Sampler
from cells.sink import Sink
from cells.source import Source
from cells.station import Station
from cells.streams import stream
from simulator.capacity import CHECKS_PER_LIMIT, guard_rate_per_s, overload_error, parts_limit
from simulator.results import Replication, StationResult

if TYPE_CHECKING:
    from scenarios import Scenario


def process_stream_key(station_name: str) -> str:
    """The stream key of a station's processing times."""
    return f"stations.{station_name}.process"


SOURCE_STREAM_KEY = "source.interarrival"


@dataclass(frozen=True)
class StationSnapshot:
    """A station at one instant, for live views."""

    name: str
    queue: int
    busy: int
    starved: int
    blocked: int


@dataclass(frozen=True)
class Snapshot:
    """The line at one instant of a running replication."""

    time_s: float
    end_s: float
    in_warmup: bool
    wip: int
    departed: int
    stations: tuple[StationSnapshot, ...]


class LineModel:
    """A line built from a scenario for one replication, ready to run on its own SimPy env."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        seed: int | None = None,
        *,
        max_parts: int | None = None,
    ) -> None:
        """``max_parts``: stop with :class:`simulator.capacity.LineOverloaded` when more parts
        than this are in the line (default :func:`simulator.capacity.parts_limit`)."""
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.seed if seed is None else seed
        self.warmup = float(scenario.warmup)
        self.end = float(scenario.warmup + scenario.horizon)
        self.env = simpy.Environment()
        self.traffic = Traffic()
        self.stations: list[Station] = []
        for spec in scenario.stations:
            sampler = Sampler(
                spec.process, stream(self.seed, replication, process_stream_key(spec.name))
            )
            capacity = math.inf if spec.buffer is None else float(spec.buffer)
            self.stations.append(Station(self.env, spec.name, spec.servers, capacity, sampler))
        first = self.stations[0]
        self.entrance: Entrance | None = None
        self.source: Source | None = None
        if scenario.source is not None or scenario.wip_cap is not None:
            self.entrance = Entrance(
                first,
                self.traffic,
                scenario.wip_cap,
                release_on_departure=scenario.source is None,
            )
        else:
            first.supply = self.traffic
        for upstream, downstream in zip(self.stations, self.stations[1:], strict=False):
            upstream.downstream = downstream
        self.stations[-1].downstream = Sink(self.traffic, self.entrance)
        if scenario.source is not None:
            assert self.entrance is not None
            sampler = Sampler(
                scenario.source.interarrival, stream(self.seed, replication, SOURCE_STREAM_KEY)
            )
            self.source = Source(self.env, sampler, self.traffic, self.entrance)
        self.max_parts = parts_limit() if max_parts is None else max_parts
        rate = guard_rate_per_s(scenario)
        self._guard_interval = (
            None if rate is None else max(1.0, self.max_parts / CHECKS_PER_LIMIT) / rate
        )
        self._on_guard = self._guard
        self._measure_start = 0.0
        self._wip_start = 0
        self._started = False
        self._measuring = False
        self._ended = False

    # -- phases -------------------------------------------------------------------------------
    def start(self) -> None:
        """Put the first parts into the line (at time 0)."""
        if self._started:
            return
        self._started = True
        now = self.env.now
        if self._guard_interval is not None:
            Timeout(self.env, self._guard_interval).callbacks.append(self._on_guard)
        first = self.stations[0]
        if first.supply is not None:
            first.start_supplied(now)
        elif self.source is not None:
            self.source.start()
        else:
            assert self.entrance is not None and self.scenario.wip_cap is not None
            for _ in range(self.scenario.wip_cap):
                self.entrance.arrive(self.traffic.new_part(now), now)

    def reset(self, now: float) -> None:
        """Begin the measured period at ``now``: every statistic starts from zero."""
        self._measure_start = now
        self._wip_start = int(self.traffic.wip.value)
        self.traffic.reset(now)
        for station in self.stations:
            station.reset(now)
        if self.entrance is not None:
            self.entrance.reset(now)

    def run_until(self, until: float) -> None:
        """Advance simulated time to ``until`` (s), capped at the end of the run.

        The measured window is (warmup, warmup + horizon]: every event at exactly the warm-up
        time is processed before the statistics are reset, and every event at exactly the end
        is processed before they are collected, so the results do not depend on the order in
        which simultaneous events were scheduled (and equal the flow-line recursion's).
        """
        self.start()
        until = min(until, self.end)
        if not self._measuring and until >= self.warmup:
            self._run_through(self.warmup)
            self.reset(self.warmup)
            self._measuring = True
        if until >= self.end:
            self._run_through(self.end)
            self._ended = True
        elif until > self.env.now:
            self.env.run(until=until)

    def _guard(self, _event: simpy.Event) -> None:
        """The runtime overload guard: one event per interval, in which at most 1 % of the
        limit can enter at the mean rate; it only reads the state, so results do not depend
        on it. Raises :class:`~simulator.capacity.LineOverloaded` past the limit."""
        parts = int(self.traffic.wip.value)  # counts from arrival: the front is included
        env, interval = self.env, self._guard_interval
        if parts <= self.max_parts and interval is not None:
            # Never a delay that rounds away at this time (it would fire for ever at once).
            Timeout(env, max(interval, env.now * 1e-9)).callbacks.append(self._on_guard)
            return
        places = [(-1, 0 if self.entrance is None else len(self.entrance.front))]
        places += [(i, len(s.queue)) for i, s in enumerate(self.stations)]
        place = max(places, key=lambda p: p[1])[0]
        span = env.now - self._measure_start
        measured = [
            s.completed * 3600.0 / span if span > 0 else math.inf for s in self.stations
        ]
        raise overload_error(self.scenario, place, parts, env.now, measured)

    def _run_through(self, t: float) -> None:
        """Process every event up to and including time ``t``."""
        env = self.env
        if t > env.now:
            env.run(until=t)
        while env.peek() == t:
            env.step()

    @property
    def finished(self) -> bool:
        """Has the run reached warm-up + horizon (events at the end included)?"""
        return self._ended

    # -- observation --------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current state of the line (cheap; for live views)."""
        stations = []
        for station in self.stations:
            counts = [0, 0, 0]
            for server in station.servers:
                counts[server.timer.state] += 1
            stations.append(
                StationSnapshot(
                    station.name,
                    len(station.queue),
                    counts[BUSY],
                    counts[STARVED],
                    counts[BLOCKED],
                )
            )
        return Snapshot(
            time_s=self.env.now,
            end_s=self.end,
            in_warmup=not self._measuring,
            wip=int(self.traffic.wip.value),
            departed=self.traffic.departed,
            stations=tuple(stations),
        )

    def collect(self) -> Replication:
        """The results of the measured period (call when :attr:`finished`)."""
        if not self.finished:
            raise RuntimeError("the replication has not reached its end yet")
        now, start = self.env.now, self._measure_start
        horizon = now - start
        traffic = self.traffic
        stations: dict[str, StationResult] = {}
        for station in self.stations:
            units = {s.name: s.timer.shares(now, start) for s in station.servers}
            n = len(station.servers)
            states = {name: math.fsum(u[name] for u in units.values()) / n for name in UNIT_STATES}
            stations[station.name] = StationResult(
                utilization=states["busy"],
                states=states,
                queue=station.queue_level.mean(now),
                completed=station.completed,
                units=units,
            )
        return Replication(
            index=self.replication,
            seed=self.seed,
            warmup_s=self.warmup,
            horizon_s=horizon,
            throughput_per_hour=traffic.departed / horizon * 3600.0,
            cycle_time_s=traffic.cycle_time.mean,
            wip=traffic.wip.mean(now),
            departed=traffic.departed,
            arrived=traffic.created,
            wip_start=self._wip_start,
            wip_end=int(traffic.wip.value),
            waiting_in_front=0.0 if self.entrance is None else self.entrance.front_level.mean(now),
            stations=stations,
        )
