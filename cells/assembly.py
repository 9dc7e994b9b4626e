"""Assembly stations: components wait in one queue per input; a full kit becomes one part.

An :class:`AssemblyStation` is a :class:`~cells.workstation.Workstation` (so tending,
operators, failures, setups, scrap, shifts, transport and conveyors work as anywhere) whose
parts do not come from a buffer but are made from kits:

- Each component product has an :class:`InputPort`: the last receiver of that product's route.
  A port holds up to ``capacity`` parts (``max(buffer, 1) x quantity``: the station's
  ``buffer`` counted in kits, per input, at least one kit; unlimited without a buffer). A full
  port blocks the feeding server, vehicle or conveyor as a full station does.
- A server without work starts an operation as soon as every port holds its quantity: the
  kit's parts leave the line as *consumed* components (they leave the WIP, with no departure
  and no cycle time), and one part of the output product enters it and goes through the
  operation, then on along the output's route. Its ``arrival`` is the earliest arrival of its
  components, so its cycle time spans from the first component's release to its departure.
- A server waiting for a kit is ``starved``.

Bookkeeping: ``traffic.created`` counts released parts only (not assembled ones), so over a
period ``wip_end - wip_start = created - departed - scrapped - sum(kits x (kit_size - 1))``.

:class:`ProductSupply` is the unlimited supply of a station that starts the routes of some
products (used by lines with assembly and without a source: every component product has its
own supply at its first station, mixed by share where several start at one station).
:class:`ComponentEntrance` is the entrance of such a line with a source: each arriving part
waits in front of its own first station, so a component whose station is full never holds up
the others (a FIFO across products could starve the assembly of the very component it needs).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from cells.entrance import Entrance
from cells.parts import Part, ProductTraffic, RoutedPart
from cells.station import Server, _server_freed
from cells.stats import LevelStat
from cells.workstation import Workstation


class InputPort:
    """The queue of one component at an assembly station (a receiver on the component's
    route). ``quantity`` parts of it go into one kit; ``capacity`` parts fit (inf: no limit)."""

    __slots__ = ("capacity", "idle", "name", "product", "quantity", "queue", "station", "waiters")

    def __init__(
        self, station: AssemblyStation, product: int, quantity: int, capacity: float
    ) -> None:
        if quantity < 1:
            raise ValueError(f"station {station.name!r}: a kit needs >= 1 part of each input")
        self.station = station
        self.name = f"{station.name}.input{product}"
        self.product = product
        self.quantity = quantity
        self.capacity = capacity
        self.queue: deque[Part] = deque()
        self.idle: tuple[()] = ()
        """No servers of its own (vehicles count the room as ``capacity - len(queue)``)."""
        self.waiters: deque[Any] = deque()

    def can_accept(self) -> bool:
        """Is there a free place in this input's queue?"""
        return len(self.queue) < self.capacity

    def accept(self, part: Part, now: float) -> None:
        """A component arrives; start a kit if one is now complete."""
        self.queue.append(part)
        self.station.kick(now)


class AssemblyStation(Workstation):
    """A workstation that starts an operation when a full kit is at its input ports.

    ``inputs``: (component product index, parts per kit) pairs; ``output``: product index of
    the assembled part; ``traffic``: the line's traffic (WIP and part numbering). The
    station's ``capacity`` (its ``buffer``) is per input, counted in kits.
    """

    def __init__(
        self,
        *args: Any,
        inputs: Sequence[tuple[int, int]],
        output: int,
        traffic: ProductTraffic,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kits = max(self.capacity, 1.0)
        self.ports = [InputPort(self, product, q, kits * q) for product, q in inputs]
        self.output = output
        self.traffic = traffic
        self.kit_size = sum(q for _, q in inputs)
        self.kits = 0
        """Kits started since the start of the measured period."""
        self.supply = self  # type: ignore[assignment]  # new_part makes kits (or None)
        self._kicking = False
        self._again = False

    # -- kits --------------------------------------------------------------------------------
    def kit_ready(self) -> bool:
        """Does every input hold at least its quantity?"""
        return all(len(p.queue) >= p.quantity for p in self.ports)

    def new_part(self, now: float) -> Part | None:
        """The assembled part of a full kit (its components are consumed), or None."""
        if not self.kit_ready():
            return None
        earliest = math.inf
        for port in self.ports:
            queue = port.queue
            for _ in range(port.quantity):
                earliest = min(earliest, queue.popleft().arrival)
        traffic = self.traffic
        traffic.wip.add(1 - self.kit_size, now)
        pid = traffic._next_id
        traffic._next_id = pid + 1
        self.kits += 1
        return RoutedPart(pid, earliest, self.output, traffic.routes[self.output])

    def start_supplied(self, now: float) -> None:
        """No kit exists at the start of a run: nothing to start."""

    def _start(self, server: Server, part: Part | None, now: float) -> None:
        if part is None:  # no full kit: the server waits for one
            server.timer.set(self.idle_state, now)
            self.idle.append(server)
            return
        super()._start(server, part, now)
        self.kick(now)

    def kick(self, now: float) -> None:
        """Start kits on idle servers and let blocked feeders into ports with room, until
        nothing moves (re-entrant calls only ask for another round)."""
        if self._kicking:
            self._again = True
            return
        self._kicking = True
        try:
            moved = True
            while moved:
                moved = False
                self._again = False
                while self.idle and self.kit_ready():
                    server = self.idle.popleft()
                    Workstation._start(self, server, self.new_part(now), now)  # type: ignore[arg-type]
                for port in self.ports:
                    waiters = port.waiters
                    while waiters and len(port.queue) < port.capacity:
                        waiter = waiters.popleft()
                        if isinstance(waiter, Server):
                            part = waiter.part
                            waiter.part = None
                            port.queue.append(part)  # type: ignore[arg-type]
                            _server_freed(waiter.station, waiter, now)
                            moved = True
                        else:  # a conveyor or a vehicle fleet: told once per round
                            waiter.feed(now)
                            break
                moved = moved or self._again
        finally:
            self._kicking = False

    def shift_on(self, now: float) -> None:
        """Working time starts: as for any workstation, then start the kits that are ready."""
        super().shift_on(now)
        self.kick(now)

    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        super().reset(now)
        self.kits = 0


class ProductSupply:
    """Unlimited raw material of the products whose routes start at one station: each new
    part's product is drawn by ``choose(part_id)`` among ``products`` (indices)."""

    __slots__ = ("choose", "products", "traffic")

    def __init__(
        self, traffic: ProductTraffic, products: Sequence[int], choose: Callable[[int], int]
    ) -> None:
        self.traffic = traffic
        self.products = tuple(products)
        self.choose = choose

    def new_part(self, now: float) -> Part:
        """A part released into the line at ``now`` (counted in ``created`` and the WIP)."""
        traffic = self.traffic
        pid = traffic._next_id
        product = self.products[self.choose(pid)]
        part = RoutedPart(pid, now, product, traffic.routes[product])
        traffic._next_id = pid + 1
        traffic.created += 1
        traffic.wip.add(1, now)
        return part


class _Gate:
    """The parts waiting in front of one first station (a waiter there when it is full)."""

    __slots__ = ("entrance", "first", "parts", "waiting")

    def __init__(self, entrance: ComponentEntrance, first: Any) -> None:
        self.entrance = entrance
        self.first = first
        self.parts: deque[Part] = deque()
        self.waiting = False

    def feed(self, now: float) -> None:
        """Move waiting parts into the first station while it has room."""
        self.waiting = False
        first, parts, level = self.first, self.parts, self.entrance.front_level
        while parts:
            if not first.can_accept():
                first.waiters.append(self)
                self.waiting = True
                return
            level.add(-1, now)
            first.accept(parts.popleft(), now)


class ComponentEntrance(Entrance):
    """The entrance of a line with assembly and a source: one FIFO per first station (no
    ``wip_cap``: the loader refuses it with assembly)."""

    def __init__(self, traffic: ProductTraffic, now: float = 0.0) -> None:
        self.traffic = traffic
        self.cap = math.inf
        self.release_on_departure = False
        self.front_level = LevelStat(0.0, now)
        self.in_line = 0
        self.gates: dict[int, _Gate] = {}

    @property
    def front(self) -> list[Part]:  # type: ignore[override]
        """Every part waiting in front of the line (for reports; not on the hot path)."""
        return [part for gate in self.gates.values() for part in gate.parts]

    def arrive(self, part: Part, now: float) -> None:
        """``part`` arrives in front of the first station of its route."""
        first = part.route[0]  # type: ignore[attr-defined]
        gate = self.gates.get(id(first))
        if gate is None:
            gate = self.gates[id(first)] = _Gate(self, first)
        gate.parts.append(part)
        self.front_level.add(1, now)
        if not gate.waiting:
            gate.feed(now)

    def feed(self, now: float) -> None:
        """Move waiting parts into the line wherever there is room."""
        for gate in self.gates.values():
            if not gate.waiting:
                gate.feed(now)

    def departed(self, now: float) -> None:
        """A part left the line: nothing to release (no CONWIP)."""
