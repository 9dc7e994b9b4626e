"""Running and collecting one replication of a line: build → check → start → run → collect
(docs/architecture.md).

:class:`LineModel` takes the cells that :func:`simulator.build.build_line` wired (and checked)
for one replication, starts them at time 0, runs them in one go or in chunks, and collects
the measured results. :class:`Snapshot` shows the line at one instant for live views, for any
set of unit states.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Timeout

from cells.assembly import AssemblyStation
from cells.equipment import BLOCKED, BUSY, STARVED, energy_kwh
from cells.parts import ProductTraffic
from cells.vehicles import Fleet
from cells.workstation import Workstation
from simulator.bottleneck import StationTrace, analyse
from simulator.build import SOURCE_STREAM_KEY, LineError, build_line, process_stream_key
from simulator.capacity import CHECKS_PER_LIMIT, guard_rate_per_s, overload_error, parts_limit
from simulator.results import (
    BottleneckResult,
    ProductResult,
    Replication,
    ResourceResult,
    StationResult,
)

if TYPE_CHECKING:
    from scenarios import Scenario

__all__ = [
    "SOURCE_STREAM_KEY",
    "LineError",
    "LineModel",
    "ResourceSnapshot",
    "Snapshot",
    "StationSnapshot",
    "VehicleSnapshot",
    "process_stream_key",
]


@dataclass(frozen=True)
class StationSnapshot:
    """A station at one instant, for live views: servers counted by state name."""

    name: str
    queue: int
    busy: int
    starved: int
    blocked: int
    states: dict[str, int] = field(default_factory=dict)
    """Number of servers in each state the station can reach (``busy``, ``down`` ...)."""
    completed: int = 0
    """Parts the station has finished since the start of the measured period (the count
    restarts from 0 at the end of warm-up, like the statistics)."""
    shares: dict[str, float] = field(default_factory=dict)
    """Share of time in each reachable state since :attr:`Snapshot.measured_from_s`,
    averaged over the servers (sums to 1)."""
    conveyor: tuple[float, ...] = ()
    """Parts on the station's conveyor, oldest first: how far each has ridden, as a fraction
    of the belt's length (0 = just entered, 1 = at the end, waiting or about to leave);
    empty without a conveyor."""


@dataclass(frozen=True)
class VehicleSnapshot:
    """One vehicle of a fleet at one instant: where it is, or which trip it is on.

    A vehicle that travels left the layout point ``origin`` at ``depart_s`` and reaches
    ``point`` at ``arrive_s`` (rest to rest along the shortest aisles); a vehicle that does
    not travel is at ``point``, with ``origin == point`` and ``depart_s == arrive_s``."""

    name: str
    state: str
    point: str
    origin: str
    depart_s: float
    arrive_s: float
    load: int = 0
    """Parts on board."""


@dataclass(frozen=True)
class ResourceSnapshot:
    """A resource at one instant: units counted by state name."""

    name: str
    states: dict[str, int]
    shares: dict[str, float] = field(default_factory=dict)
    """Share of time in each state since :attr:`Snapshot.measured_from_s`, averaged over
    the units (sums to 1)."""
    vehicles: tuple[VehicleSnapshot, ...] = ()
    """Each vehicle of a fleet (empty for operators and robots)."""


@dataclass(frozen=True)
class Snapshot:
    """The line at one instant of a running replication.

    The fields after ``resources`` are filled only by :meth:`LineModel.snapshot` (for live
    views); the engine's hot path never builds them."""

    time_s: float
    end_s: float
    in_warmup: bool
    wip: int
    departed: int
    stations: tuple[StationSnapshot, ...]
    resources: tuple[ResourceSnapshot, ...] = ()
    measured_from_s: float = 0.0
    """Start of the period the ``completed`` counts and ``shares`` cover (s): 0 during
    warm-up, the end of warm-up after it."""


class LineModel:
    """A line built from a scenario for one replication, ready to run on its own SimPy env."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        seed: int | None = None,
        *,
        max_parts: int | None = None,
        trace_limit: int | None = None,
    ) -> None:
        """``max_parts``: stop with :class:`simulator.capacity.LineOverloaded` when more parts
        than this are in the line (default :func:`simulator.capacity.parts_limit`).

        ``trace_limit``: record at most this many station-server state changes of the
        measured period (through the state timers' trace hook) and add the shifting-bottleneck
        analysis to the results; ``None`` (the default) records nothing and costs nothing."""
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.seed if seed is None else seed
        self.warmup = float(scenario.warmup)
        self.end = float(scenario.warmup + scenario.horizon)
        self.line = line = build_line(scenario, replication, self.seed)
        self.env = line.env
        self.traffic = line.traffic
        self.stations = line.stations
        self.entrance = line.entrance
        self.source = line.source
        self.resources = line.resources
        self.max_parts = parts_limit() if max_parts is None else max_parts
        rate = guard_rate_per_s(scenario)
        self._guard_interval = (
            None if rate is None else max(1.0, self.max_parts / CHECKS_PER_LIMIT) / rate
        )
        self._on_guard = self._guard
        self._measure_start = 0.0
        self._wip_start = 0
        self.trace_limit = trace_limit
        self._trace: dict[str, tuple[tuple[str, ...], list[tuple[float, int, str]]]] = {}
        self._trace_records = 0
        self._trace_cut: float | None = None
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
        for clock in self.line.clocks:
            clock.start()
        for station in self.stations:
            if isinstance(station, Workstation):
                station.start_failures()
        supplied = [s for s in self.stations if s.supply is not None]
        for station in supplied:  # several with assembly (one supply per component)
            station.start_supplied(now)
        if self.source is not None:
            self.source.start()
        elif not supplied:
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
        for resource in self.resources:
            resource.reset(now)
        for conveyor in self.line.conveyors:
            conveyor.reset(now)
        if self.entrance is not None:
            self.entrance.reset(now)
        if self.trace_limit is not None and not self._trace:
            self._start_trace()

    def _start_trace(self) -> None:
        """Hook every station server's timer: each change is appended to its station's list
        until ``trace_limit`` records are taken, then every hook is taken off again."""
        limit = self.trace_limit
        assert limit is not None
        timers = []
        for station in self.stations:
            initial = tuple(s.timer.names[s.timer.state] for s in station.servers)
            changes: list[tuple[float, int, str]] = []
            self._trace[station.name] = (initial, changes)
            for index, server in enumerate(station.servers):
                timer = server.timer
                timers.append(timer)

                def hook(
                    state: int,
                    now: float,
                    changes: list[tuple[float, int, str]] = changes,
                    index: int = index,
                    names: tuple[str, ...] = timer.names,
                ) -> None:
                    if self._trace_records >= limit:
                        self._trace_cut = now
                        for t in timers:
                            t.trace = None
                        return
                    self._trace_records += 1
                    changes.append((now, index, names[state]))

                timer.start_trace(hook)
        if limit <= 0:
            self._trace_cut = self.env.now
            for t in timers:
                t.trace = None

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
        now, start = float(self.env.now), self._measure_start
        stations = []
        for station in self.stations:
            names = station.servers[0].timer.names
            counts = [0] * len(names)
            for server in station.servers:
                counts[server.timer.state] += 1
            reachable = _reachable(station)
            states = {names[i]: counts[i] for i in reachable}
            conveyor = getattr(station, "conveyor", None)
            stations.append(
                StationSnapshot(
                    station.name,
                    len(station.queue),
                    counts[BUSY],
                    counts[STARVED],
                    counts[BLOCKED],
                    states,
                    completed=station.completed,
                    shares=_mean_shares(station.servers, [names[i] for i in reachable], now, start),
                    conveyor=() if conveyor is None else _belt(conveyor, now),
                )
            )
        resources = []
        for resource in self.resources:
            names = resource.units[0].timer.names
            counts = [0] * len(names)
            for unit in resource.units:
                counts[unit.timer.state] += 1
            vehicles: tuple[VehicleSnapshot, ...] = ()
            if isinstance(resource, Fleet):
                vehicles = self._vehicles(resource, now)
            resources.append(
                ResourceSnapshot(
                    resource.name,
                    dict(zip(names, counts, strict=True)),
                    shares=_mean_shares(resource.units, list(resource.state_names), now, start),
                    vehicles=vehicles,
                )
            )
        return Snapshot(
            time_s=now,
            end_s=self.end,
            in_warmup=not self._measuring,
            wip=int(self.traffic.wip.value),
            departed=self.traffic.departed,
            stations=tuple(stations),
            resources=tuple(resources),
            measured_from_s=start,
        )

    def _vehicles(self, fleet: Fleet, now: float) -> tuple[VehicleSnapshot, ...]:
        """Where each vehicle of ``fleet`` is, or the trip it is on (see
        :class:`VehicleSnapshot`), from what the vehicle records of its trip: the point it
        left (``origin``) and when its step ends (``until``)."""
        layout = self.scenario.layout
        points = list(layout.points) if layout is not None else []
        table = fleet.travel
        out = []
        for v in fleet.units:
            at = v.at
            state = v.timer.names[v.timer.state]
            origin, depart, arrive = at, now, now
            if state in _TRAVEL_STATES and v.until > now:
                origin, arrive = v.origin, float(v.until)
                trip = table[origin][at]
                depart = arrive - trip if math.isfinite(trip) else arrive
            name_at = points[at] if at < len(points) else str(at)
            name_from = points[origin] if origin < len(points) else str(origin)
            out.append(
                VehicleSnapshot(v.name, state, name_at, name_from, depart, arrive, len(v.parts))
            )
        return tuple(out)

    def collect(self) -> Replication:
        """The results of the measured period (call when :attr:`finished`)."""
        if not self.finished:
            raise RuntimeError("the replication has not reached its end yet")
        now, start = self.env.now, self._measure_start
        horizon = now - start
        traffic = self.traffic
        line = self.line
        v2 = line.equipped
        stations: dict[str, StationResult] = {}
        energy = 0.0
        for station in self.stations:
            names = station.state_names
            units = {
                s.name: {n: v for n, v in s.timer.shares(now, start).items() if n in names}
                for s in station.servers
            }
            n = len(station.servers)
            states = {name: math.fsum(u[name] for u in units.values()) / n for name in names}
            oee = None
            scrapped = 0
            if v2:
                scrapped = station.scrapped if isinstance(station, Workstation) else 0
                oee = _oee(states, station.completed, scrapped)
            power = line.station_power.get(station.name)
            if power is not None:
                energy += energy_kwh(station.servers, power, now)
            stations[station.name] = StationResult(
                utilization=states["busy"],
                states=states,
                queue=station.queue_level.mean(now),
                completed=station.completed,
                units=units,
                oee=oee,
                scrapped=scrapped,
                kits=station.kits if isinstance(station, AssemblyStation) else None,
            )
        resources: dict[str, ResourceResult] = {}
        for resource in self.resources:
            shares = resource.shares(now, start)
            resources[resource.name] = ResourceResult(
                utilization=resource.utilization(shares),
                states=shares,
                empty_travel_share=Fleet.empty_travel_share(shares)
                if isinstance(resource, Fleet)
                else None,
            )
            power = line.resource_power.get(resource.name)
            if power is not None:
                energy += energy_kwh(resource.units, power, now)
        products: dict[str, ProductResult] = {}
        scrap_per_hour = None
        energy_per_part = None
        if v2 and isinstance(traffic, ProductTraffic):
            for i, name in enumerate(line.products):
                products[name] = ProductResult(
                    throughput_per_hour=traffic.departed_by[i] / horizon * 3600.0,
                    cycle_time_s=traffic.by_product[i].mean,
                    departed=traffic.departed_by[i],
                    scrapped=traffic.scrapped_by[i],
                )
            scrap_per_hour = traffic.scrapped / horizon * 3600.0
            if line.station_power or line.resource_power:
                energy_per_part = energy / traffic.departed if traffic.departed else math.nan
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
            equipped=v2,
            scrap_per_hour=scrap_per_hour,
            energy_kwh_per_part=energy_per_part,
            scrapped=traffic.scrapped if isinstance(traffic, ProductTraffic) else 0,
            products=products,
            resources=resources,
            bottleneck=self._bottleneck(start, now),
        )

    def _bottleneck(self, start: float, now: float) -> BottleneckResult | None:
        """The shifting-bottleneck shares from the trace (``None`` when none was asked for)."""
        if self.trace_limit is None:
            return None
        end = now if self._trace_cut is None else self._trace_cut
        traces = {
            name: StationTrace(initial, tuple(c for c in changes if c[0] <= end))
            for name, (initial, changes) in self._trace.items()
        }
        shares = analyse(traces, start, end)
        return BottleneckResult(
            sole={n: s.sole for n, s in shares.items()},
            shifting={n: s.shifting for n, s in shares.items()},
            start_s=start,
            end_s=end,
            records=self._trace_records,
            truncated=self._trace_cut is not None,
        )


_TRAVEL_STATES = ("travel_empty", "travel_loaded")


def _mean_shares(
    units: Sequence[Any], names: Sequence[str], now: float, start: float
) -> dict[str, float]:
    """Share of ``[start, now]`` in each state of ``names``, averaged over ``units``."""
    n = len(units)
    per_unit = [u.timer.shares(now, start) for u in units]
    return {name: math.fsum(u.get(name, 0.0) for u in per_unit) / n for name in names}


def _belt(conveyor: Any, now: float) -> tuple[float, ...]:
    """How far each part on ``conveyor`` has ridden, as a fraction of its length."""
    transit = conveyor.transit
    if transit <= 0.0:
        return tuple(1.0 for _ in conveyor.items)
    return tuple(min(1.0, max(0.0, 1.0 - (end - now) / transit)) for _, _, end in conveyor.items)


def _reachable(station: object) -> tuple[int, ...]:
    if isinstance(station, Workstation):
        return station.reachable
    return (BUSY, STARVED, BLOCKED)


def _oee(states: dict[str, float], completed: int, scrapped: int) -> float | None:
    """availability × performance × quality (docs/results.md).

    planned = 1 − off_shift; availability = (planned − down − setup) / planned;
    performance = busy / (planned − down − setup); quality = good / completed.
    The product is busy / planned × quality.
    """
    planned = 1.0 - states.get("off_shift", 0.0)
    if planned <= 0.0:
        return None
    quality = 1.0 if completed == 0 else (completed - scrapped) / completed
    return states["busy"] / planned * quality
