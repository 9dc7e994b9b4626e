"""Wiring a line from a scenario, checked before time 0 (build → start → run → collect).

:func:`build_line` turns a :class:`scenarios.Scenario` into cells for one replication: one
random stream per element and purpose, keyed by the element's name, so adding a station (or a
failure to one) never shifts another's draws. Everything that can be refused is refused here,
before any event runs, with a :class:`LineError` naming the element.

A feature a scenario does not use costs nothing: a station with none of tending, operated_by,
failures, setup, scrap, shifts, transport, a conveyor or per-product times, on a line whose
products all follow the station order, is a plain :class:`cells.station.Station` (one event
per part); a ``linelab: 1`` file builds exactly the line it always did (same classes, same
streams, same numbers). Vehicle trips follow the layout's shortest aisles
(:func:`cells.vehicles.travel_table`, from ``kernels.paths``); vehicle and conveyor times
are constant (no random streams).

Stream keys: ``stations.<s>.process``, ``stations.<s>.tending``, ``stations.<s>.setup``,
``stations.<s>.failures``, ``stations.<s>.repair``, ``products.<p>.stations.<s>.process``,
``source.interarrival``; counter-based (per part id): ``parts.product``, ``stations.<s>.scrap``.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from cells.batching import equip as equip_trays
from cells.batching import tray_station_class
from cells.battery import charging_for
from cells.calendar import ShiftClock, WorkingTime
from cells.conveyor import Conveyor
from cells.entrance import Entrance, RoutedEntrance
from cells.equipment import RESOURCE_STATES
from cells.parts import Part, ProductTraffic, Traffic
from cells.resources import Resource
from cells.sampling import Sampler
from cells.sink import Sink
from cells.source import Source
from cells.station import Server, Station
from cells.streams import counter_key, counter_uniform, stream
from cells.vehicles import V_WORKING, VEHICLE_STATES, Fleet, travel_table
from cells.walking import WalkingResource
from cells.workstation import Failures, Workstation
from simulator import assembly as asm
from simulator.walking import place_walkers, walking_resource

if TYPE_CHECKING:
    from scenarios import Scenario


def process_stream_key(station_name: str) -> str:
    """The stream key of a station's processing times."""
    return f"stations.{station_name}.process"


SOURCE_STREAM_KEY = "source.interarrival"
PRODUCT_KEY = "parts.product"


class LineError(ValueError):
    """The scenario is valid but describes a line the engine cannot run (exit 2)."""


@dataclass
class Line:
    """The cells of one replication, wired and ready to start at time 0."""

    env: simpy.Environment
    traffic: Traffic
    stations: list[Station]
    entrance: Entrance | None
    source: Source | None
    sink: Sink
    resources: list[Resource | Fleet] = field(default_factory=list)
    """Operators and robots (:class:`Resource`) and vehicle fleets (:class:`Fleet`)."""
    conveyors: list[Conveyor] = field(default_factory=list)
    clocks: list[ShiftClock] = field(default_factory=list)
    products: tuple[str, ...] = ()
    """Product names by index; empty for a line without products (``linelab: 1``)."""
    station_power: dict[str, dict[str, float]] = field(default_factory=dict)
    """kW per state name, per station that has power data."""
    resource_power: dict[str, dict[str, float]] = field(default_factory=dict)
    """kW per unit state name, per resource that has power data."""
    equipped: bool = False
    """Does the line use any format-v2 feature (then results carry the v2 keys)?"""


def process_sampler(process: Any, rng: Any) -> Sampler:
    """A sampler of a ``ProcessTime``: a distribution directly; a time model through
    ``cells.time_models`` (imported only then: it loads the numeric kernels)."""
    from scenarios.distributions import DistributionSpec

    if isinstance(process, DistributionSpec):
        return Sampler(process, rng)
    from cells.time_models import process_sampler as model_sampler

    return model_sampler(process, rng)


def _chooser(shares: Sequence[float], key: int) -> Callable[[int], int]:
    """Product index of part ``id`` by shares, from a counter-based uniform draw."""
    if len(shares) == 1:
        return lambda pid: 0
    cum: list[float] = []
    total = 0.0
    for share in shares:
        total += share
        cum.append(total)
    cum[-1] = math.inf  # shares sum to 1 within 1e-9: the last product takes the rest
    return lambda pid: bisect.bisect_right(cum, counter_uniform(key, pid))


def _per_product(samplers: list[Callable[[], float]]) -> Callable[[Part, Server], float]:
    if all(s is samplers[0] for s in samplers):
        only = samplers[0]
        return lambda part, server: only()
    return lambda part, server: samplers[part.product]()  # type: ignore[attr-defined]


def _has_cycle(edges: dict[str, set[str]]) -> bool:
    """Does the directed graph (station -> next stations) have a cycle?"""
    state: dict[str, int] = {}
    for root in edges:
        if state.get(root):
            continue
        stack: list[tuple[str, Any]] = [(root, iter(edges.get(root, ())))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return True
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, ()))))
    return False


def build_line(scenario: Scenario, replication: int, seed: int) -> Line:
    """Wire the cells of ``scenario`` for replication ``replication`` of ``seed``.

    Raises:
        LineError: a combination the engine cannot run (said in the message).
    """
    from scenarios.calendar import week_intervals

    sc = scenario
    env = simpy.Environment()
    names = [s.name for s in sc.stations]
    given_products = getattr(sc, "products", None)
    products = sc.products_or_default() if hasattr(sc, "products_or_default") else ()
    resources_spec = tuple(getattr(sc, "resources", ()))
    calendar = getattr(sc, "calendar", None)
    serial = all(tuple(p.route) == tuple(names) for p in products)
    routed = not serial

    def equipped_station(spec: Any) -> bool:
        return bool(
            getattr(spec, "tending", None) is not None
            or getattr(spec, "operated_by", None) is not None
            or getattr(spec, "failures", None) is not None
            or getattr(spec, "setup", None) is not None
            or getattr(spec, "scrap", 0.0)
            or getattr(spec, "shifts", None) is not None
            or getattr(spec, "transport", None) is not None
            or getattr(spec, "conveyor", None) is not None
            or getattr(spec, "batch", None) is not None
            or getattr(spec, "unbatch", None)
            or routed
            or any(spec.name in p.process for p in products)
        )

    any_equipped = any(equipped_station(s) for s in sc.stations)
    v2 = bool(
        given_products is not None
        or resources_spec
        or any_equipped
        or any(getattr(s, "power", None) is not None for s in sc.stations)
    )

    # -- resources and working time ------------------------------------------------------
    clocks: dict[tuple[tuple[float, float], ...], ShiftClock] = {}

    def follow(shift_names: Sequence[str] | None, listener: Any) -> None:
        if shift_names is None:
            return
        week = tuple(week_intervals(calendar, shift_names))
        clock = clocks.get(week)
        if clock is None:
            clock = clocks[week] = ShiftClock(env, WorkingTime(week))
        clock.listeners.append(listener)

    resources: dict[str, Resource] = {}
    fleets: dict[str, Fleet] = {}
    resource_power: dict[str, dict[str, float]] = {}
    for rs in resources_spec:
        if rs.kind == "vehicle":
            fleets[rs.name] = fleet = _fleet(env, sc, rs)
            follow(rs.shifts, fleet)
            if rs.power is not None:
                resource_power[rs.name] = _vehicle_power(rs.power)
            continue
        if rs.kind not in ("operator", "robot"):
            raise LineError(f"resources.{rs.name}: kind {rs.kind!r} is not supported yet")
        repairs = any(
            s.failures is not None and s.failures.repair_by == rs.name for s in sc.stations
        )
        res: Resource
        if getattr(rs, "walk", None) is not None:
            res = walking_resource(env, sc, rs, repairs)
        else:
            res = Resource(rs.name, rs.kind, rs.count, repairs=repairs)
        resources[rs.name] = res
        follow(rs.shifts, res)
        if rs.power is not None:
            resource_power[rs.name] = {state: rs.power.kw(state) for state in RESOURCE_STATES}
            resource_power[rs.name]["walking"] = rs.power.kw("busy")  # walking units only

    # -- traffic ---------------------------------------------------------------------------
    traffic: Traffic
    if v2:
        shares = [p.share for p in products]
        traffic = ProductTraffic(
            len(products), _chooser(shares, counter_key(seed, replication, PRODUCT_KEY))
        )
        outputs = asm.assembly_outputs(sc)
        if outputs:  # assembled products are never released: draw among the others
            key = counter_key(seed, replication, PRODUCT_KEY)
            traffic.choose = asm.released_chooser(products, outputs, key)
    else:
        traffic = Traffic()

    # -- stations ------------------------------------------------------------------------
    def rng(key: str) -> Any:
        return stream(seed, replication, key)

    stations: list[Station] = []
    station_power: dict[str, dict[str, float]] = {}
    for spec in sc.stations:
        capacity = math.inf if spec.buffer is None else float(spec.buffer)
        base = process_sampler(spec.process, rng(process_stream_key(spec.name)))
        if not equipped_station(spec):
            station: Station = Station(env, spec.name, spec.servers, capacity, base)
        else:
            per_product: list[Callable[[], float]] = [
                process_sampler(
                    p.process[spec.name],
                    rng(f"products.{p.name}.stations.{spec.name}.process"),
                )
                if spec.name in p.process
                else base
                for p in products
            ]
            tending = spec.tending
            tended_by = tend_time = None
            if tending is not None:
                tended_by = resources[tending.by]
                tend_sampler = process_sampler(
                    tending.time, rng(f"stations.{spec.name}.tending")
                )
                tend_time = _per_product([tend_sampler])
            failures = None
            if spec.failures is not None:
                f = spec.failures
                failures = Failures(
                    Sampler(f.mtbf, rng(f"stations.{spec.name}.failures")),
                    Sampler(f.mttr, rng(f"stations.{spec.name}.repair")),
                    f.basis,
                    None if f.repair_by is None else resources[f.repair_by],
                )
            setup = None
            if spec.setup is not None:
                setup = _setup_times(
                    spec.setup, [p.name for p in products], rng(f"stations.{spec.name}.setup")
                )
            extra = asm.assembly_kwargs(spec, products, traffic)
            station = (asm.AssemblyStation if extra else tray_station_class(spec) or Workstation)(
                env,
                spec.name,
                spec.servers,
                capacity,
                _per_product(per_product),
                tended_by=tended_by,
                tending_time=tend_time,
                operated_by=None if spec.operated_by is None else resources[spec.operated_by],
                failures=failures,
                setup=setup,
                scrap=float(spec.scrap),
                scrap_key=counter_key(seed, replication, f"stations.{spec.name}.scrap"),
                shifts=spec.shifts is not None,
                routed=routed,
                transport=_get_fleet(fleets, getattr(spec, "transport", None)),
                conveyor=_conveyor(env, spec.name, getattr(spec, "conveyor", None)),
                **extra,
            )
            equip_trays(station, spec)
            follow(spec.shifts, station)
        power = getattr(spec, "power", None)
        if power is not None:
            station_power[spec.name] = {
                state: power.kw(state) for state in station.servers[0].timer.names
            }
        stations.append(station)
    by_name = {s.name: s for s in stations}
    if fleets:
        index = sc.layout.point_index() if sc.layout is not None else {}
        where = {by_name[s.name]: index[s.at] for s in sc.stations if s.at is not None}
        for fleet in fleets.values():
            fleet.where = where
    place_walkers([r for r in resources.values() if isinstance(r, WalkingResource)], sc, by_name)

    # -- entrance, sink, routes ------------------------------------------------------------
    outputs = asm.assembly_outputs(sc) if v2 else set()
    firsts = {p.route[0] for p in products if p.name not in outputs} if products else {names[0]}
    entrance: Entrance | None = None
    if outputs and sc.source is not None:  # components wait at their own first stations
        entrance = asm.ComponentEntrance(traffic)  # type: ignore[arg-type]
    elif sc.source is not None or sc.wip_cap is not None:
        kind = RoutedEntrance if len(firsts) > 1 else Entrance
        entrance = kind(
            by_name[next(iter(firsts))] if len(firsts) == 1 else stations[0],
            traffic,
            sc.wip_cap,
            release_on_departure=sc.source is None,
        )
    elif outputs:  # each released product has its own supply at its first station
        key = counter_key(seed, replication, PRODUCT_KEY)
        asm.supply_components(products, outputs, by_name, traffic, key)  # type: ignore[arg-type]
    elif len(firsts) > 1:
        raise LineError(
            "products: without a source or wip_cap the line starts a new part whenever its "
            "first station can take one, so every route must start at the same station; "
            f"these start at {', '.join(sorted(firsts))} (add a source)"
        )
    else:
        by_name[next(iter(firsts))].supply = traffic
    sink = Sink(traffic, entrance)
    for a, b in itertools.pairwise(stations):
        a.downstream = b
    stations[-1].downstream = sink
    if isinstance(traffic, ProductTraffic):
        traffic.routes = [(*tuple(by_name[n] for n in p.route), sink) for p in products]
        asm.route_to_ports(traffic, stations, list(fleets.values()))
    edges: dict[str, set[str]] = {}
    for p in products:
        for a_name, b_name in zip(p.route, p.route[1:], strict=False):
            edges.setdefault(a_name, set()).add(b_name)
    cyclic = routed and _has_cycle(edges)
    for station in stations:
        if isinstance(station, Workstation):
            station.sink = sink
            station.check_deadlock = cyclic
    source = None
    if sc.source is not None:
        assert entrance is not None
        source = Source(
            env, Sampler(sc.source.interarrival, rng(SOURCE_STREAM_KEY)), traffic, entrance
        )
    return Line(
        env=env,
        traffic=traffic,
        stations=stations,
        entrance=entrance,
        source=source,
        sink=sink,
        resources=[*resources.values(), *fleets.values()],
        conveyors=[
            s.conveyor for s in stations if isinstance(s, Workstation) and s.conveyor is not None
        ],
        clocks=list(clocks.values()),
        products=tuple(p.name for p in products) if v2 else (),
        station_power=station_power,
        resource_power=resource_power,
        equipped=v2,
    )


def _setup_times(spec: Any, product_names: list[str], rng: Any) -> Callable[[int, int], float]:
    """``setup(from_index, to_index) -> s`` from a scenario ``setup`` (one stream)."""
    samplers: dict[tuple[int, int], Callable[[], float]] = {}
    by_dist: dict[int, Sampler] = {}
    for i, a in enumerate(product_names):
        for j, b in enumerate(product_names):
            dist = spec.time_for(a, b)
            if dist is None:
                continue
            sampler = by_dist.get(id(dist))
            if sampler is None:
                sampler = by_dist[id(dist)] = Sampler(dist, rng)
            samplers[i, j] = sampler

    def setup(a: int, b: int) -> float:
        sampler = samplers.get((a, b))
        return 0.0 if sampler is None else sampler()

    return setup


def _get_fleet(fleets: dict[str, Fleet], name: str | None) -> Fleet | None:
    return None if name is None else fleets[name]


def _conveyor(env: simpy.Environment, station: str, spec: Any) -> Conveyor | None:
    """The conveyor of a station (``length`` m, ``speed`` m/s, ``spacing`` m), if any."""
    if spec is None:
        return None
    return Conveyor(env, station, float(spec.length), float(spec.speed), float(spec.spacing))


def _fleet(env: simpy.Environment, sc: Any, rs: Any) -> Fleet:
    """A vehicle fleet: travel times between all layout points along the shortest aisles
    (``kernels.paths``), starting at its home point (``park``, else the first station that
    uses it)."""
    layout = sc.layout
    if layout is None:  # pragma: no cover - the format refuses transport without a layout
        raise LineError(f"resources.{rs.name}: a vehicle needs a layout")
    index = layout.point_index()
    coords = [tuple(layout.points[name]) for name in index]
    aisles = [(index[a], index[b]) for a, b in layout.aisles]
    one_way = [(index[a], index[b]) for a, b in layout.one_way]
    directed = [False] * len(aisles) + [True] * len(one_way)
    table = travel_table(
        coords,
        aisles + one_way,
        float(rs.speed),
        None if rs.acceleration is None else float(rs.acceleration),
        one_way=directed,
    )
    battery = getattr(rs, "battery", None)
    home = sc.vehicle_home(rs.name)
    return Fleet(
        env,
        rs.name,
        rs.count,
        table,
        {},
        load=float(rs.load),
        unload=float(rs.unload),
        start=0 if home is None else index[home],
        capacity=rs.capacity,
        park=None if rs.park is None else index[rs.park],
        dispatch=rs.dispatch,
        battery=None
        if battery is None
        else charging_for(battery, index, coords, aisles + one_way, directed),
    )


def _vehicle_power(power: Any) -> dict[str, float]:
    """kW per vehicle state: ``busy`` while travelling or handling, ``idle`` while idle or
    blocked, ``off_shift`` off shift."""
    busy, idle, off = power.kw("busy"), power.kw("idle"), power.kw("off_shift")
    out = {name: idle for name in VEHICLE_STATES}
    for i in V_WORKING:
        out[VEHICLE_STATES[i]] = busy
    out["off_shift"] = off
    return out
