"""Parts and the line-wide traffic counters: WIP, entries, departures, cycle time."""

from __future__ import annotations

from cells.stats import LevelStat, Tally


class Part:
    """One work piece. ``arrival`` (s) is when it arrived at the line (or was released)."""

    __slots__ = ("arrival", "id")

    def __init__(self, id: int, arrival: float) -> None:
        self.id = id
        self.arrival = arrival


class Traffic:
    """Creates parts and keeps the statistics of the parts in the line as a whole.

    ``wip`` counts parts from arrival (or release) until they leave the last station, the same
    span as the cycle time, so Little's law holds on these statistics.
    """

    __slots__ = ("_next_id", "created", "cycle_time", "departed", "wip")

    def __init__(self) -> None:
        self.wip = LevelStat()
        self.cycle_time = Tally()
        self.created = 0
        self.departed = 0
        self._next_id = 0

    def new_part(self, now: float) -> Part:
        """A part that arrives at the line at ``now``."""
        part = Part(self._next_id, now)
        self._next_id += 1
        self.created += 1
        self.wip.add(1, now)
        return part

    def leave(self, part: Part, now: float) -> None:
        """``part`` leaves the line at ``now``."""
        self.wip.add(-1, now)
        self.departed += 1
        self.cycle_time.add(now - part.arrival)

    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        self.wip.reset(now)
        self.cycle_time.reset()
        self.created = 0
        self.departed = 0
