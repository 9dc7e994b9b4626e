"""Stations: identical parallel servers behind one FIFO buffer, blocking after service.

The engine is event-driven on SimPy's scheduler: a part's visit to a station costs exactly one
SimPy event (the end of its processing, a :class:`simpy.events.Timeout`). Everything else --
moving a finished part on, pulling the next part from the buffer, unblocking upstream servers --
happens synchronously in that event's callback. This keeps the engine faster than a naive
"one process per station, ``simpy.Store`` buffers" model while it records every state change
(``benchmarks/engine_overhead.py``).

Flow rules (docs/scenario-format.md, Semantics):

- ``capacity`` is the number of places in front of the station, not counting parts in service;
  ``math.inf`` is unlimited, ``0`` means a part may only enter when a server is free.
- A server that finishes a part hands it downstream if there is room (a free server there, or a
  free buffer place); otherwise it stays ``blocked`` holding the part and queues, FIFO, in the
  downstream station's ``waiters``.
- A server with nothing to do is ``starved``. A station with an unlimited ``supply`` (the first
  station of a line without a source) never starves: it starts a new part at once.
- When a place frees at a station, the first waiter moves in, which frees a server upstream,
  which may pull its own buffer and free a place there, and so on. :func:`_server_freed` walks
  that chain in a loop, not by recursion, so lines of any length are safe.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

import simpy
from simpy.events import Timeout

from cells.equipment import BLOCKED, BUSY, STARVED, UNIT_STATES, Equipment
from cells.parts import Part
from cells.stats import LevelStat


class Receiver(Protocol):
    """Anything a station can hand a finished part to (a station or the sink)."""

    waiters: deque[Server | Feeder]

    def can_accept(self) -> bool: ...

    def accept(self, part: Part, now: float) -> None: ...


class Feeder(Protocol):
    """A non-server waiter: the line entrance, waiting for room at the first station."""

    def feed(self, now: float) -> None: ...


class PartSupply(Protocol):
    """Makes a new part on demand (unlimited raw material in front of the first station)."""

    def new_part(self, now: float) -> Part: ...


class Server(Equipment):
    """One of a station's identical parallel units."""

    __slots__ = ("part", "station")

    def __init__(
        self, station: Station, index: int, names: Sequence[str] = UNIT_STATES
    ) -> None:
        super().__init__(f"{station.name}.{index + 1}", STARVED, station.env.now, names)
        self.station = station
        self.part: Part | None = None


class Station:
    """A work station: ``servers`` identical units fed from one FIFO buffer.

    ``process_time`` is the processing policy: it returns the duration (s) of the next
    operation. Today it is a sampler of the scenario's distribution; a CNC program or a robot
    motion model plugs in here later.
    """

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        servers: int,
        capacity: float,
        process_time: Callable[[], float],
    ) -> None:
        if servers < 1:
            raise ValueError(f"station {name!r}: servers must be >= 1, got {servers}")
        if capacity < 0:
            raise ValueError(f"station {name!r}: capacity must be >= 0, got {capacity}")
        self.env = env
        self.name = name
        self.capacity = capacity
        self.process_time = process_time
        self.servers = [Server(self, i) for i in range(servers)]
        self.idle: deque[Server] = deque(self.servers)
        self.queue: deque[Part] = deque()
        self.queue_level = LevelStat(0.0, env.now)
        self.waiters: deque[Server | Feeder] = deque()
        self.downstream: Receiver | None = None
        self.supply: PartSupply | None = None
        self.completed = 0
        """Operations finished since the start of the measured period."""
        self.idle_state = STARVED
        """The state a server without work enters (``off_shift`` outside working time)."""
        self._on_done = self._finished

    # -- receiving parts -------------------------------------------------------------------
    def can_accept(self) -> bool:
        """Is there room for one more part (a free server or a free buffer place)?"""
        return bool(self.idle) or len(self.queue) < self.capacity

    def accept(self, part: Part, now: float) -> None:
        """Take ``part``: straight onto a free server, else into the buffer."""
        if self.idle:
            self._start(self.idle.popleft(), part, now)
        else:
            self.queue.append(part)
            self.queue_level.add(1, now)

    # -- the server cycle --------------------------------------------------------------------
    def start_supplied(self, now: float) -> None:
        """With an unlimited supply, put every idle server to work (the start of a run)."""
        if self.supply is None:
            raise RuntimeError(f"station {self.name!r} has no supply")
        while self.idle:
            self._start(self.idle.popleft(), self.supply.new_part(now), now)

    def _start(self, server: Server, part: Part, now: float) -> None:
        server.part = part
        server.timer.set(BUSY, now)
        Timeout(self.env, self.process_time(), server).callbacks.append(self._on_done)

    def _finished(self, event: simpy.Event) -> None:
        server: Server = event._value
        now = self.env.now
        self.completed += 1
        down = self.downstream
        assert down is not None, f"station {self.name!r} is not connected"
        if down.can_accept():
            part = server.part
            server.part = None
            down.accept(part, now)  # type: ignore[arg-type]
            _server_freed(self, server, now)
        else:
            server.timer.set(BLOCKED, now)
            down.waiters.append(server)

    # -- statistics ---------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        self.completed = 0
        self.queue_level.reset(now)
        for server in self.servers:
            server.timer.reset(now)

    @property
    def state_names(self) -> tuple[str, ...]:
        """The states a server of this station can be in (what reports list)."""
        return UNIT_STATES

    @property
    def unlimited(self) -> bool:
        """True when the buffer has no limit."""
        return math.isinf(self.capacity)


def _server_freed(station: Station, server: Server, now: float) -> None:
    """``server`` of ``station`` has just handed its part on: give it work, then let the
    freed place pull the first waiter, and follow the chain upstream."""
    while True:
        queue = station.queue
        if queue:
            station.queue_level.add(-1, now)
            station._start(server, queue.popleft(), now)
        elif station.supply is not None:
            station._start(server, station.supply.new_part(now), now)
            return
        else:
            server.timer.set(station.idle_state, now)
            station.idle.append(server)
        waiters = station.waiters
        if not waiters:
            return
        waiter = waiters.popleft()
        if isinstance(waiter, Server):
            part = waiter.part
            waiter.part = None
            station.accept(part, now)  # type: ignore[arg-type]
            station, server = waiter.station, waiter
        else:
            waiter.feed(now)
            return
