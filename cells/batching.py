"""Batches: trays of parts that move and are processed as one, and are opened downstream.

- A station with ``batch: B`` (:class:`TrayCollector`, :attr:`Workstation.trays`) puts each
  part it finishes (after scrap) into the open tray of its product; the server is then free.
  The server that adds the B-th part holds the full :class:`Tray` and hands it on like any
  part: to a vehicle (one load: ``load`` and ``unload`` once per tray), a belt (one item) or
  the next station (one place in its buffer).
- Every station the tray visits takes it as one part and processes it in one operation (the
  station's process time is per tray there), until a station with ``unbatch: true``
  (:class:`TrayStation`): a tray that starts there is opened, its first part starts on the
  server and the others go to the front of the buffer, in order, to be worked one by one
  (while they are there the buffer may hold more than its places; a new part or tray enters
  when a place is free again).
- The parts of a tray stay in the WIP one by one (a tray of B counts B parts), keep their
  arrival times and leave the line one by one, so throughput, cycle time and Little's law
  are unchanged in meaning. Parts in an open (not yet full) tray are held at the station.
"""

from __future__ import annotations

from typing import Any

from cells.parts import Part, RoutedPart
from cells.station import Server, _server_freed
from cells.workstation import Workstation


class Tray(RoutedPart):
    """A full tray: ``parts`` in the order they were put in. It follows the route of its
    parts' product from the station that filled it (``step`` as a part's)."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Part]) -> None:
        first: Any = parts[0]
        super().__init__(
            first.id,
            first.arrival,
            getattr(first, "product", 0),
            getattr(first, "route", ()),
        )
        self.step = getattr(first, "step", 0)
        self.parts = parts


class TrayCollector:
    """The open trays (one per product) at the exit of a station with ``batch: size``."""

    __slots__ = ("open", "size", "station")

    def __init__(self, station: Workstation, size: int) -> None:
        if size < 1:
            raise ValueError(f"station {station.name!r}: a tray holds >= 1 part, got {size}")
        self.station = station
        self.size = size
        self.open: dict[int, list[Part]] = {}

    def collect(self, server: Server, part: Part, now: float) -> Part | None:
        """Put ``part`` (finished by ``server``) into its tray. Returns the full tray, which
        the server now holds, or None: the server is free and got its next work."""
        key = getattr(part, "product", 0)
        parts = self.open.get(key)
        if parts is None:
            parts = self.open[key] = []
        parts.append(part)
        if len(parts) < self.size:
            server.part = None
            _server_freed(self.station, server, now)
            return None
        del self.open[key]
        tray = Tray(parts)
        server.part = tray
        return tray

    @property
    def held(self) -> int:
        """Parts in open trays."""
        return sum(len(parts) for parts in self.open.values())


class TrayStation(Workstation):
    """A workstation that makes trays (``trays`` set) and/or opens them (``unbatch``)."""

    unbatch = False

    def _start(self, server: Server, part: Part, now: float) -> None:
        inner = getattr(part, "parts", None) if self.unbatch else None
        if inner is None:
            super()._start(server, part, now)
            return
        step = part.step  # type: ignore[attr-defined]
        for p in inner:
            if isinstance(p, RoutedPart):
                p.step = step
        rest = inner[1:]
        if rest:
            self.queue.extendleft(reversed(rest))
            self.queue_level.add(len(rest), now)
        super()._start(server, inner[0], now)
        queue = self.queue
        while self.idle and queue:  # the tray's other parts on the other free servers
            self.queue_level.add(-1, now)
            self._start(self.idle.popleft(), queue.popleft(), now)


def tray_station_class(spec: Any) -> type[Workstation] | None:
    """:class:`TrayStation` for a station with ``batch`` or ``unbatch``, else None."""
    if getattr(spec, "batch", None) is not None or getattr(spec, "unbatch", None):
        return TrayStation
    return None


def equip(station: Workstation, spec: Any) -> None:
    """Give a :class:`TrayStation` its tray collector and its ``unbatch`` flag."""
    if not isinstance(station, TrayStation):
        return
    if spec.batch is not None:
        station.trays = TrayCollector(station, int(spec.batch))
    station.unbatch = bool(spec.unbatch)
