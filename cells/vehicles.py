"""Vehicle fleets (AGVs, forklifts) that carry parts between stations over the floor layout.

A :class:`Fleet` has ``count`` identical :class:`Vehicle` units and a table of travel times
(s) between the layout's points (built once from all-pairs shortest paths, see
``simulator.build``). A station with ``transport`` does not hand a finished part on itself: its
server goes ``waiting_transport`` (holding the part) and asks the fleet (:meth:`Fleet.request`).
A vehicle then runs a short program, one SimPy ``Timeout`` per step:

    travel_empty to the station -> handling (load) -> the server is free ->
    travel_loaded to the part's next station -> handling (unload) -> hand the part over
    (or ``blocked``, holding it, until that station has room again) -> next request, or
    travel_empty to ``park``, or ``idle`` where it is

Dispatch: a request waits in one FIFO per fleet. A vehicle sets off for a request only when
the part's next station has room for it (a free server or buffer place, less the parts already
on their way there); otherwise the request waits, and a :class:`Doorbell` waits in that
station's FIFO of waiters to tell the fleet when a place frees. Without this rule a shared
fleet jams: vehicles parked loaded at a full station while the part that would empty it waits
for a vehicle. A vehicle that becomes free takes the oldest request that can go. A new
request while vehicles are idle goes to the first vehicle that became idle (``oldest``) or to
the idle vehicle with the shortest travel time to the station (``nearest``; ties go to the one
idle longest). With ``capacity`` > 1 a vehicle that takes a request also
takes the next waiting requests from the same station to the same destination, up to its
capacity (and the room there), and on arrival at the station those that came meanwhile;
loading and unloading then take ``load`` and ``unload`` once per part. A vehicle on
its way to ``park`` finishes that trip before it takes a request. No congestion: vehicles
never wait for each other in the aisles.

Vehicle states: ``idle``, ``travel_empty``, ``travel_loaded``, ``handling``, ``blocked``
(arrived and unloaded, but another feeder took the place meanwhile), ``off_shift``, and
``charging`` for a fleet with a battery (:mod:`cells.battery`: a vehicle that is low when it
becomes free drives to a charger and charges before it takes work again).
Utilization is the working share (travel and handling); the empty-travel share is empty
travel / all travel.
Working time works as for :class:`cells.resources.Resource`: a vehicle that becomes free
outside working time goes ``off_shift``; at the next shift start every vehicle serves the
waiting requests in order.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import Any

import simpy
from simpy.events import Timeout

from cells.equipment import DOWN, Equipment
from cells.station import Server, _server_freed

VEHICLE_STATES: tuple[str, ...] = (
    "idle",
    "travel_empty",
    "travel_loaded",
    "handling",
    "blocked",
    "off_shift",
)
"""Names of a vehicle's states, by index (all are reported)."""

V_IDLE, V_EMPTY, V_LOADED, V_HANDLING, V_BLOCKED, V_OFF_SHIFT = range(6)
V_WORKING: tuple[int, ...] = (V_EMPTY, V_LOADED, V_HANDLING)
"""Vehicle states that count as working (utilization)."""

DISPATCH_RULES = ("oldest", "nearest")


def travel_table(
    coords: Sequence[tuple[float, float]],
    aisles: Sequence[tuple[int, int]],
    speed: float,
    acceleration: float | None,
    *,
    one_way: Sequence[bool] | None = None,
) -> list[list[float]]:
    """Travel times (s) between every pair of layout points, rest to rest, along the shortest
    path of aisles (``kernels.paths``): a trip of ``d`` m accelerates and brakes once, taking
    ``d/v + v/a`` when ``d >= v**2/a`` and ``2*sqrt(d/a)`` otherwise (``d/v`` without an
    ``acceleration``: full speed at once). Aisle lengths are the
    Euclidean distances between their end points (m). ``one_way[k]``: aisle ``k`` may only be
    travelled from its first point to its second. ``inf`` where a point cannot be reached.
    """
    import numpy as np

    from kernels.paths import shortest_paths, travel_time_matrix

    xy = np.asarray(coords, dtype=float).reshape(-1, 2)
    pairs = [(int(a), int(b)) for a, b in aisles]
    if one_way is not None and any(one_way):
        edges = list(pairs)
        edges += [(b, a) for (a, b), ow in zip(pairs, one_way, strict=True) if not ow]
        sp = shortest_paths(xy, np.array(edges, dtype=np.int64).reshape(-1, 2), directed=True)
    else:
        sp = shortest_paths(xy, np.array(pairs, dtype=np.int64).reshape(-1, 2))
    if acceleration is None:
        if not speed > 0.0:
            raise ValueError(f"speed must be > 0 m/s, got {speed}")
        table = sp.dist / float(speed)
    else:
        table = travel_time_matrix(sp, speed, acceleration)
    return [[float(t) for t in row] for row in table]


class Request:
    """A finished part waiting at a station for a vehicle: the server holding it, the
    station, the receiver it goes to and both ends' point indices."""

    __slots__ = ("dest", "drop", "pickup", "server", "station")

    def __init__(self, server: Server, station: Any, dest: Any, pickup: int, drop: int) -> None:
        self.server = server
        self.station = station
        self.dest = dest
        self.pickup = pickup
        self.drop = drop


class Vehicle(Equipment):
    """One vehicle of a fleet: where it is (point index) and what it carries."""

    __slots__ = ("at", "cargo", "fleet", "origin", "parts", "step", "until")

    def __init__(self, fleet: Fleet, index: int, at: int, now: float) -> None:
        super().__init__(f"{fleet.name}.{index + 1}", V_IDLE, now, fleet.state_names)
        self.fleet = fleet
        self.at = at
        """Point index where the vehicle is (or goes to, while travelling)."""
        self.origin = at
        """Point index the vehicle's current or last trip started from (for live views)."""
        self.until = now
        """Simulated time (s) its current step (trip, handling, charging) ends (for live
        views: one float per step, never read by the engine)."""
        self.cargo: list[Request] = []
        """The requests it serves on this trip."""
        self.parts: deque[Any] = deque()
        """Parts on board (after loading, until handed over)."""
        self.step = 0

    def feed(self, now: float) -> None:
        """The destination station has room again: hand over what it can take."""
        self.fleet._hand_over(self, now)


class Doorbell:
    """The fleet's place in a full station's FIFO of waiters: told when a place frees there,
    while requests for that station wait."""

    __slots__ = ("dest", "fleet", "waiting")

    def __init__(self, fleet: Fleet, dest: Any) -> None:
        self.fleet = fleet
        self.dest = dest
        self.waiting = False

    def feed(self, now: float) -> None:
        """A place has freed at the station."""
        self.waiting = False
        self.fleet._place_freed(self.dest, now)


class Fleet:
    """``count`` vehicles of one kind, sharing one FIFO of transport requests.

    ``travel[i][j]``: travel time (s) from point ``i`` to point ``j`` (rest to rest, along the
    shortest path). ``where`` maps each receiver (station) that vehicles serve to its point
    index. ``load`` and ``unload``: handling time per part (s). ``start``: the point index of
    every vehicle at time 0; ``park``: where a vehicle without work goes (``None``: it stays
    where it is). ``power`` maps state names to kW per vehicle (used at collect).
    ``battery``: a :class:`cells.battery.Charging` (state of charge and the charging rule;
    its vehicles then have a ``charging`` state), or ``None``.
    """

    kind = "vehicle"

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        count: int,
        travel: Sequence[Sequence[float]],
        where: dict[Any, int],
        *,
        load: float,
        unload: float,
        start: int,
        capacity: int = 1,
        park: int | None = None,
        dispatch: str = "oldest",
        power: dict[str, float] | None = None,
        battery: Any = None,
    ) -> None:
        if count < 1:
            raise ValueError(f"vehicle fleet {name!r}: count must be >= 1, got {count}")
        if capacity < 1:
            raise ValueError(f"vehicle fleet {name!r}: capacity must be >= 1, got {capacity}")
        if dispatch not in DISPATCH_RULES:
            raise ValueError(f"vehicle fleet {name!r}: dispatch must be one of {DISPATCH_RULES}")
        if load < 0 or unload < 0:
            raise ValueError(f"vehicle fleet {name!r}: load and unload must be >= 0")
        self.env = env
        self.name = name
        self.travel = [list(map(float, row)) for row in travel]
        self.where = where
        self.load = float(load)
        self.unload = float(unload)
        self.capacity = capacity
        self.park = park
        self.nearest = dispatch == "nearest"
        self.power = power
        self.battery = battery
        self._states = VEHICLE_STATES if battery is None else battery.states
        now = env.now
        self.units = [Vehicle(self, i, start, now) for i in range(count)]
        self.free: deque[Vehicle] = deque(self.units)
        self.off: deque[Vehicle] = deque()
        self.requests: deque[Request] = deque()
        self.inbound: dict[Any, int] = {}
        """Parts on their way to each station (assigned to a vehicle, not yet handed over)."""
        self.doorbells: dict[Any, Doorbell] = {}
        self.on_shift = True
        self.trips = 0
        """Loaded trips started since the start of the measured period."""
        self._on_step = self._stepped

    @property
    def state_names(self) -> tuple[str, ...]:
        """The vehicle states reported (all of them; ``charging`` only with a battery)."""
        return self._states

    # -- requests and dispatch ------------------------------------------------------------------
    def request(self, server: Server, station: Any, dest: Any, now: float) -> None:
        """``server`` of ``station`` holds a finished part for ``dest``: carry it there. The
        fleet frees the server (``_server_freed``) once the part is loaded."""
        self.requests.append(Request(server, station, dest, self.where[station], self.where[dest]))
        if self.free and self.on_shift:
            self._assign(now)

    def _room(self, dest: Any) -> float:
        """Places ``dest`` has for parts not yet promised to a vehicle on its way there."""
        return len(dest.idle) + dest.capacity - len(dest.queue) - self.inbound.get(dest, 0)

    def _take(self) -> list[Request] | None:
        """The oldest request whose next station has room for it (counting parts already on
        their way there), and later ones on the same leg up to the capacity and that room;
        ``None`` if no request can go now (a doorbell then waits at each full station).
        """
        requests = self.requests
        first = None
        room = 0.0
        full: list[Any] = []
        for req in requests:
            dest = req.dest
            if dest in full:
                continue
            room = self._room(dest)
            if room >= 1:
                first = req
                break
            full.append(dest)
        for dest in full:
            self._ring_at(dest)
        if first is None:
            return None
        requests.remove(first)
        batch = [first]
        limit = min(self.capacity, room)
        if limit > 1 and requests:
            for req in list(requests):
                if len(batch) >= limit:
                    break
                if req.station is first.station and req.dest is first.dest:
                    requests.remove(req)
                    batch.append(req)
        dest = first.dest
        self.inbound[dest] = self.inbound.get(dest, 0) + len(batch)
        return batch

    def _top_up(self, cargo: list[Request]) -> None:
        """At the pick-up: add requests from the same station to the same destination that
        came while the vehicle was on its way, up to the capacity and the room there."""
        first = cargo[0]
        dest = first.dest
        room = self._room(dest)
        for req in list(self.requests):
            if len(cargo) >= self.capacity or room < 1:
                break
            if req.station is first.station and req.dest is dest:
                self.requests.remove(req)
                cargo.append(req)
                room -= 1
                self.inbound[dest] += 1

    def _assign(self, now: float) -> None:
        """Give idle vehicles the oldest requests that can go now."""
        free = self.free
        while free and self.requests:
            batch = self._take()
            if batch is None:
                return
            if self.nearest and len(free) > 1:
                row, pickup = self.travel, batch[0].pickup
                vehicle = min(free, key=lambda v: row[v.at][pickup])
                free.remove(vehicle)
            else:
                vehicle = free.popleft()
            self._dispatch(vehicle, batch, now)

    def _ring_at(self, dest: Any) -> None:
        """Wait (once) in ``dest``'s FIFO of waiters for a free place there."""
        bell = self.doorbells.get(dest)
        if bell is None:
            bell = self.doorbells[dest] = Doorbell(self, dest)
        if not bell.waiting:
            bell.waiting = True
            dest.waiters.append(bell)

    def _place_freed(self, dest: Any, now: float) -> None:
        """A place freed at ``dest`` while requests for it waited: send an idle vehicle; if
        none can use the place, the next waiter at ``dest`` gets it.

        The place is passed on also when :meth:`_room` says none is left but one of this
        fleet's vehicles waits (blocked) at ``dest``: that vehicle counts as on its way in
        ``inbound``, so the room it is promised is exactly the place it waits for; keeping the
        place back would leave it blocked at an idle station for ever."""
        if self.on_shift and self.free:
            self._assign(now)
        # Otherwise a vehicle that becomes free looks at the room here again (``_take``).
        waiters = dest.waiters
        if (
            waiters
            and dest.can_accept()
            and (
                self._room(dest) >= 1
                or any(isinstance(w, Vehicle) and w.fleet is self for w in waiters)
            )
        ):
            waiter = waiters.popleft()
            if isinstance(waiter, Server):
                part = waiter.part
                waiter.part = None
                dest.accept(part, now)
                _server_freed(waiter.station, waiter, now)
            else:
                waiter.feed(now)

    def _dispatch(self, v: Vehicle, batch: list[Request], now: float) -> None:
        v.cargo = batch
        self._drive(v, batch[0].pickup, 1, V_EMPTY, now)

    def _drive(self, v: Vehicle, to: int, step: int, state: int, now: float) -> None:
        """Send ``v`` from its point to the point ``to`` in the timer state ``state``
        (draining its battery, if any); on arrival it carries on with step ``step``."""
        d = self.travel[v.at][to]
        if self.battery is not None:
            self.battery.drive(v, v.at, to)
        v.origin = v.at
        v.at = to
        v.step = step
        v.timer.set(state, now)
        self._after(v, d)

    def _after(self, v: Vehicle, d: float) -> None:
        v.until = self.env.now + d
        Timeout(self.env, d, v).callbacks.append(self._on_step)

    def _stepped(self, event: simpy.Event) -> None:
        v: Vehicle = event._value
        now = self.env.now
        step = v.step
        if step == 1:  # at the pick-up station: load (and what has come meanwhile)
            cargo = v.cargo
            if len(cargo) < self.capacity and self.requests:
                self._top_up(cargo)
            v.step = 2
            v.timer.set(V_HANDLING, now)
            self._after(v, self.load * len(cargo))
        elif step == 2:  # loaded: the servers are free; go to the destination
            cargo = v.cargo
            self.trips += 1
            self._drive(v, cargo[0].drop, 3, V_LOADED, now)
            for req in cargo:
                server = req.server
                v.parts.append(server.part)
                server.part = None
                if server.timer.state == DOWN:  # calendar failure: it stays under repair
                    req.station.unloaded_while_down(server, now)
                else:
                    _server_freed(req.station, server, now)
        elif step == 3:  # at the destination: unload
            v.step = 4
            v.timer.set(V_HANDLING, now)
            self._after(v, self.unload * len(v.parts))
        elif step == 4:  # unloaded: hand the parts over
            self._hand_over(v, now)
        elif step == 5:  # arrived at the park point
            self._free(v, now)
        else:  # steps 6, 7: a charging stop (cells.battery)
            self.battery.stepped(self, v, step, now)

    def _hand_over(self, v: Vehicle, now: float) -> None:
        """Give the destination the parts on board while it has room; else wait blocked."""
        dest = v.cargo[0].dest
        parts = v.parts
        while parts:
            if not dest.can_accept():
                v.timer.set(V_BLOCKED, now)
                dest.waiters.append(v)
                return
            dest.accept(parts.popleft(), now)
            self.inbound[dest] -= 1
        v.cargo = []
        self._free(v, now)

    def _free(self, v: Vehicle, now: float) -> None:
        """``v`` has finished a task: charge if the battery is low, else next request, else
        park, else idle."""
        if self.battery is not None and self.battery.needs_charge(v):
            self.battery.go_charge(self, v, now)
            return
        if not self.on_shift:
            v.timer.set(V_OFF_SHIFT, now)
            self.off.append(v)
            return
        if self.requests:
            batch = self._take()
            if batch is not None:
                self._dispatch(v, batch, now)
                return
        park = self.park
        if park is not None and v.at != park:
            self._drive(v, park, 5, V_EMPTY, now)
            return
        v.timer.set(V_IDLE, now)
        self.free.append(v)

    # -- working time -----------------------------------------------------------------------
    def shift_off(self, now: float) -> None:
        """Working time ends: idle vehicles stop; busy ones stop when their task ends."""
        self.on_shift = False
        free, off = self.free, self.off
        while free:
            v = free.popleft()
            v.timer.set(V_OFF_SHIFT, now)
            off.append(v)

    def shift_on(self, now: float) -> None:
        """Working time starts: every vehicle is back and serves the waiting requests."""
        self.on_shift = True
        off = self.off
        while off:
            self._free(off.popleft(), now)

    # -- statistics -------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        self.trips = 0
        if self.battery is not None:
            self.battery.reset()
        for v in self.units:
            v.timer.reset(now)

    def shares(self, now: float, start: float) -> dict[str, float]:
        """State shares over ``[start, now]`` averaged over the vehicles (sum to 1)."""
        n = len(self.units)
        per_unit = [v.timer.shares(now, start) for v in self.units]
        return {s: math.fsum(u[s] for u in per_unit) / n for s in self._states}

    def utilization(self, shares: dict[str, float]) -> float:
        """Working share (travel_empty, travel_loaded, handling) of the state ``shares``."""
        return math.fsum(shares[VEHICLE_STATES[i]] for i in V_WORKING)

    @staticmethod
    def empty_travel_share(shares: dict[str, float]) -> float:
        """Empty travel / all travel (NaN when the fleet did not travel)."""
        empty, loaded = shares["travel_empty"], shares["travel_loaded"]
        total = empty + loaded
        return empty / total if total > 0.0 else math.nan
