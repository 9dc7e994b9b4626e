"""Parts and the line-wide traffic counters: WIP, entries, departures, cycle time.

A v1 line uses :class:`Part` and :class:`Traffic`; a line with products uses
:class:`RoutedPart` (product, route, step) and :class:`ProductTraffic` (per-product
statistics, scrap).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


class RoutedPart(Part):
    """A part of one product that follows that product's route.

    ``route`` is the tuple of receivers the part visits (stations, then the sink), ``step``
    the index in it of the station the part is at or is handed to next.
    """

    __slots__ = ("product", "route", "step")

    def __init__(self, id: int, arrival: float, product: int, route: tuple[Any, ...]) -> None:
        self.id = id
        self.arrival = arrival
        self.product = product
        self.route = route
        self.step = 0


class ProductTraffic(Traffic):
    """Traffic of a line with products: each new part's product is drawn by share, per part.

    ``choose(part_id) -> product index`` is a per-part draw (counter-based, so it does not
    depend on the order in which parts are created by a source or by the line). ``routes``
    holds one receiver tuple per product (set once the line is wired). Per-product departures
    and cycle times are kept, and scrapped parts leave the WIP without a cycle time.
    """

    __slots__ = ("by_product", "choose", "departed_by", "routes", "scrapped", "scrapped_by")

    def __init__(self, n_products: int, choose: Callable[[int], int]) -> None:
        super().__init__()
        self.choose = choose
        self.routes: list[tuple[Any, ...]] = [() for _ in range(n_products)]
        self.by_product = [Tally() for _ in range(n_products)]
        self.departed_by = [0] * n_products
        self.scrapped = 0
        self.scrapped_by = [0] * n_products

    def new_part(self, now: float) -> Part:
        """A part of a drawn product that arrives at the line at ``now``."""
        pid = self._next_id
        product = self.choose(pid)
        part = RoutedPart(pid, now, product, self.routes[product])
        self._next_id = pid + 1
        self.created += 1
        self.wip.add(1, now)
        return part

    def leave(self, part: Part, now: float) -> None:
        """``part`` leaves the line at ``now`` (the end of its route)."""
        self.wip.add(-1, now)
        self.departed += 1
        ct = now - part.arrival
        self.cycle_time.add(ct)
        product = part.product  # type: ignore[attr-defined]
        self.departed_by[product] += 1
        self.by_product[product].add(ct)

    def scrap(self, part: Part, now: float) -> None:
        """``part`` is scrapped at ``now``: it leaves the line, not counted as output."""
        self.wip.add(-1, now)
        self.scrapped += 1
        self.scrapped_by[getattr(part, "product", 0)] += 1

    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        super().reset(now)
        for tally in self.by_product:
            tally.reset()
        self.departed_by = [0] * len(self.departed_by)
        self.scrapped = 0
        self.scrapped_by = [0] * len(self.scrapped_by)
