"""The end of the line: takes every finished part, records its departure (or its scrap)."""

from __future__ import annotations

from collections import deque

from cells.entrance import Entrance
from cells.parts import Part, Traffic
from cells.station import Feeder, Server


class Sink:
    """Always has room. Books the part's departure and tells the entrance (for CONWIP)."""

    def __init__(self, traffic: Traffic, entrance: Entrance | None) -> None:
        self.traffic = traffic
        self.entrance = entrance
        self.waiters: deque[Server | Feeder] = deque()

    def can_accept(self) -> bool:
        """The sink never blocks."""
        return True

    def accept(self, part: Part, now: float) -> None:
        """``part`` leaves the line at ``now``."""
        self.traffic.leave(part, now)
        if self.entrance is not None:
            self.entrance.departed(now)

    def scrap(self, part: Part, now: float) -> None:
        """``part`` is scrapped at ``now``: it leaves the line (and frees a CONWIP place)
        without counting as output."""
        self.traffic.scrap(part, now)  # type: ignore[attr-defined]
        if self.entrance is not None:
            self.entrance.departed(now)
