"""The line entrance: parts wait here, in arrival order, until the line takes them.

A part that has arrived (from a source, or released by CONWIP) waits in front of the line
while the first station has no room or the ``wip_cap`` is reached; nothing is lost. The
entrance counts the parts released into the line and not yet departed, which is what the
CONWIP limit caps. Waiting parts are part of the WIP (they count from arrival).
"""

from __future__ import annotations

import math
from collections import deque

from cells.parts import Part, Traffic
from cells.station import Station
from cells.stats import LevelStat


class Entrance:
    """The queue in front of the first station, with an optional CONWIP limit.

    ``release_on_departure``: CONWIP without a source -- each departure releases a new part
    at once (an unlimited supply gated by the cap), so exactly ``wip_cap`` parts circulate.
    """

    def __init__(
        self,
        first: Station,
        traffic: Traffic,
        wip_cap: int | None,
        *,
        release_on_departure: bool,
        now: float = 0.0,
    ) -> None:
        self.first = first
        self.traffic = traffic
        self.cap: float = math.inf if wip_cap is None else wip_cap
        self.release_on_departure = release_on_departure
        self.front: deque[Part] = deque()
        self.front_level = LevelStat(0.0, now)
        self.in_line = 0
        self._waiting_for_room = False

    def arrive(self, part: Part, now: float) -> None:
        """``part`` arrives in front of the line."""
        self.front.append(part)
        self.front_level.add(1, now)
        if not self._waiting_for_room:
            self.feed(now)

    def feed(self, now: float) -> None:
        """Move waiting parts into the line while there is room and the cap allows."""
        self._waiting_for_room = False
        first, front = self.first, self.front
        while front and self.in_line < self.cap:
            if not first.can_accept():
                first.waiters.append(self)
                self._waiting_for_room = True
                return
            self.front_level.add(-1, now)
            self.in_line += 1
            first.accept(front.popleft(), now)

    def departed(self, now: float) -> None:
        """A part released through here has left the line."""
        self.in_line -= 1
        if self.release_on_departure:
            self.arrive(self.traffic.new_part(now), now)
        elif self.front and not self._waiting_for_room:
            self.feed(now)

    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        self.front_level.reset(now)


class RoutedEntrance(Entrance):
    """The queue in front of a line whose products start at different stations.

    Parts still enter in arrival order (FIFO across products): the oldest waiting part goes
    to the first station of its own route, and while that station has no room the parts
    behind it wait too.
    """

    def feed(self, now: float) -> None:
        """Move waiting parts into the line while there is room and the cap allows."""
        self._waiting_for_room = False
        front = self.front
        while front and self.in_line < self.cap:
            first = front[0].route[0]  # type: ignore[attr-defined]
            if not first.can_accept():
                first.waiters.append(self)
                self._waiting_for_room = True
                return
            self.front_level.add(-1, now)
            self.in_line += 1
            first.accept(front.popleft(), now)
