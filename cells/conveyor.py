"""An accumulating conveyor between a station and the next station of each part's route.

A station with a conveyor hands its finished parts to the conveyor instead of the next
station. The conveyor takes a part when it holds fewer than ``capacity`` parts
(``floor(length / spacing)``) and the previous part entered at least ``spacing / speed``
seconds ago (it has moved one spacing on); otherwise the feeding server stays ``blocked``,
holding the part, in the conveyor's FIFO of waiters. Each part reaches the end
``length / speed`` seconds after it entered (one SimPy ``Timeout`` per part); there it waits
(accumulates) until its next station has room. Parts keep their order: only the part at the
head leaves, and a part behind a waiting head waits too. Parts on the conveyor stay in the
line's WIP.

Entry spacing costs an event only when a waiter is refused because of it (a wake-up at the
moment the spacing is free).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import simpy
from simpy.events import Timeout

from cells.parts import Part
from cells.station import Server, _server_freed
from cells.stats import LevelStat


class Conveyor:
    """``length`` m at ``speed`` m/s with one part every ``spacing`` m at most."""

    def __init__(
        self, env: simpy.Environment, name: str, length: float, speed: float, spacing: float
    ) -> None:
        if not speed > 0.0:
            raise ValueError(f"conveyor {name!r}: speed must be > 0, got {speed}")
        if not spacing > 0.0 or not length >= spacing:
            raise ValueError(
                f"conveyor {name!r}: need 0 < spacing <= length, got spacing {spacing}, "
                f"length {length}"
            )
        self.env = env
        self.name = name
        self.transit = length / speed
        """Seconds from entry to the end (s)."""
        self.gap = spacing / speed
        """Minimum seconds between two entries (s)."""
        self.capacity = math.floor(length / spacing + 1e-9)
        self.items: deque[tuple[Part, Any, float]] = deque()
        """Parts on the conveyor, oldest first: (part, next receiver, time it reaches the end)."""
        self.level = LevelStat(0.0, env.now)
        self.waiters: deque[Any] = deque()
        """Feeding servers blocked because the conveyor has no room (FIFO)."""
        self.next_entry = -math.inf
        self._wake_pending = False
        self._head_waiting = False
        self._on_end = self._reached_end
        self._on_wake = self._wake

    # -- entry -------------------------------------------------------------------------------
    def can_accept(self) -> bool:
        """Room for one more part now (a free place, and the last entrant one spacing on)?"""
        if len(self.items) >= self.capacity:
            return False
        now = self.env.now
        if now < self.next_entry:
            if not self._wake_pending:
                self._wake_pending = True
                Timeout(self.env, self.next_entry - now).callbacks.append(self._on_wake)
            return False
        return True

    def accept(self, part: Part, now: float, dest: Any) -> None:
        """Put ``part`` (bound for ``dest``) on the conveyor at ``now``."""
        end = now + self.transit
        self.items.append((part, dest, end))
        self.level.add(1, now)
        self.next_entry = now + self.gap
        Timeout(self.env, self.transit).callbacks.append(self._on_end)

    def offer(self, server: Server, part: Part, dest: Any, now: float) -> None:
        """A server of the feeding station has finished ``part``: onto the conveyor if there is
        room (the server is then free), else the server is blocked until there is."""
        if not self.waiters and self.can_accept():
            server.part = None
            self.accept(part, now, dest)
            _server_freed(server.station, server, now)
        else:
            from cells.equipment import BLOCKED

            server.timer.set(BLOCKED, now)
            self.waiters.append(server)

    def _wake(self, _event: simpy.Event) -> None:
        self._wake_pending = False
        now = self.env.now
        if self.next_entry > now:  # rounding: the wake-up is the moment the spacing is free
            self.next_entry = now
        self._pull(now)

    def _pull(self, now: float) -> None:
        """Let blocked feeding servers in while there is room."""
        waiters = self.waiters
        while waiters and self.can_accept():
            server = waiters.popleft()
            part = server.part
            server.part = None
            station: Any = server.station
            dest = part.route[part.step] if station.routed else station.downstream
            self.accept(part, now, dest)
            _server_freed(station, server, now)

    # -- the end -----------------------------------------------------------------------------
    def _reached_end(self, _event: simpy.Event) -> None:
        if not self._head_waiting:
            self._release(self.env.now)

    def feed(self, now: float) -> None:
        """The head's next station has room again."""
        self._head_waiting = False
        self._release(now)

    def _release(self, now: float) -> None:
        """Hand over the parts at the end, oldest first, while their stations have room."""
        items = self.items
        released = False
        while items:
            part, dest, end = items[0]
            if end > now:
                break
            if not dest.can_accept():
                self._head_waiting = True
                dest.waiters.append(self)
                break
            items.popleft()
            self.level.add(-1, now)
            released = True
            dest.accept(part, now)
        if released:
            self._pull(now)

    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        self.level.reset(now)
