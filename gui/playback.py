"""What the layout view draws at a moment of simulated time, computed from recorded snapshots.

No Qt here (plain Python and numpy), so the rules can be tested and measured on their own:

- :class:`FloorPlan`: where each station, layout point and aisle is on the floor, in metres —
  the scenario's ``layout`` coordinates where a station stands ``at`` a point, else an
  automatic left-to-right row in route order.
- :class:`Timeline`: the snapshots of one run in time order; :meth:`Timeline.index_at` finds
  the snapshot in force at a time (the last one at or before it).
- :func:`transfers`: parts handed from one station to the next between two snapshots, from
  the difference of the stations' ``completed`` counts. Each counted part becomes one dot that
  leaves its station during the interval and reaches the next station by its end; nothing
  moves that the counts do not show. Parts carried by a vehicle or a conveyor are not drawn
  as transfers: the vehicle (with its load) and the belt (with the parts' positions from the
  snapshot) show them.
- :func:`trip_distance`: how far a vehicle has driven at a moment of its trip, with the same
  rest-to-rest motion profile the engine times trips with (accelerate, cruise, brake).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from scenarios import Scenario
from simulator.model import Snapshot

__all__ = [
    "MAX_DOTS_PER_STATION",
    "BufferLevels",
    "FloorPlan",
    "Timeline",
    "Transfers",
    "buffer_levels",
    "transfers",
    "trip_distance",
]

MAX_DOTS_PER_STATION = 400
"""Most dots drawn for one station's parts in one interval between snapshots (a very long
interval of a fast station would otherwise draw thousands of overlapping dots)."""

TRAVEL_SHARE = 0.4
"""Share of the interval between two snapshots that a transfer dot takes to reach the next
station (it leaves during the first 60 %, so every dot has arrived by the next snapshot)."""


@dataclass
class FloorPlan:
    """Positions on the floor, in metres (x to the right, y up, as in the scenario's layout)."""

    stations: dict[str, tuple[float, float]]
    """Where each station stands, in route order."""
    placed: set[str]
    """Stations whose position comes from the scenario's layout (the others are automatic)."""
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    """The layout's named points."""
    aisles: list[tuple[str, str, bool]] = field(default_factory=list)
    """Aisles as (from, to, one_way)."""
    spacing_m: float = 10.0
    """Distance between two automatically placed neighbours, in metres."""

    @classmethod
    def of(cls, scenario: Scenario) -> FloorPlan:
        """The floor plan of ``scenario``: stations at their layout points where they have
        one; a station without one stands ``spacing_m`` to the right of the previous station
        in route order (or starts a row at the origin), moved down while another station is
        too close."""
        layout = scenario.layout
        points: dict[str, tuple[float, float]] = {}
        aisles: list[tuple[str, str, bool]] = []
        if layout is not None:
            points = {n: (float(x), float(y)) for n, (x, y) in layout.points.items()}
            aisles = [(a, b, False) for a, b in layout.aisles]
            aisles += [(a, b, True) for a, b in layout.one_way]
        fixed: dict[str, tuple[float, float]] = {}
        for st in scenario.stations:
            if st.at is not None and st.at in points:
                fixed[st.name] = points[st.at]
        spacing = _auto_spacing(list(fixed.values()) or list(points.values()))
        stations: dict[str, tuple[float, float]] = {}
        if not fixed:  # no coordinates at all: rows read left to right, top to bottom
            for i, (x, y) in enumerate(grid(len(scenario.stations), spacing)):
                stations[scenario.stations[i].name] = (x, y)
            return cls(stations, set(), points, aisles, spacing)
        previous: tuple[float, float] | None = None
        for st in scenario.stations:
            if st.name in fixed:
                pos = fixed[st.name]
            else:
                x, y = (previous[0] + spacing, previous[1]) if previous else (0.0, 0.0)
                taken = list(stations.values()) + list(fixed.values())
                while any(math.hypot(x - a, y - b) < 0.6 * spacing for a, b in taken):
                    y -= 0.6 * spacing
                pos = (x, y)
            stations[st.name] = pos
            previous = pos
        return cls(stations, set(fixed), points, aisles, spacing)

    def extent(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) of every station and point, in metres."""
        xs = [p[0] for p in self.stations.values()] + [p[0] for p in self.points.values()]
        ys = [p[1] for p in self.stations.values()] + [p[1] for p in self.points.values()]
        return min(xs), min(ys), max(xs), max(ys)

    def route(self, start: str, end: str) -> list[tuple[float, float]]:
        """The corners of the shortest way along the aisles from point ``start`` to point
        ``end`` (one-way aisles driven forwards only); a straight line when none is found."""
        if start == end or start not in self.points or end not in self.points:
            p = self.points.get(end) or self.points.get(start) or (0.0, 0.0)
            return [self.points.get(start, p), p]
        graph: dict[str, list[tuple[str, float]]] = {}
        for a, b, one_way in self.aisles:
            if a not in self.points or b not in self.points:
                continue
            d = math.dist(self.points[a], self.points[b])
            graph.setdefault(a, []).append((b, d))
            if not one_way:
                graph.setdefault(b, []).append((a, d))
        best = {start: 0.0}
        back: dict[str, str] = {}
        heap = [(0.0, start)]
        while heap:
            d, node = heapq.heappop(heap)
            if node == end:
                break
            if d > best.get(node, math.inf):
                continue
            for nxt, w in graph.get(node, ()):
                if d + w < best.get(nxt, math.inf):
                    best[nxt] = d + w
                    back[nxt] = node
                    heapq.heappush(heap, (d + w, nxt))
        if end not in best:
            return [self.points[start], self.points[end]]
        names = [end]
        while names[-1] != start:
            names.append(back[names[-1]])
        return [self.points[n] for n in reversed(names)]


ROW_GAP = 0.8
"""Distance between two rows of an automatic layout, as a share of the station spacing."""


def grid(n: int, spacing: float) -> list[tuple[float, float]]:
    """Positions (m) of ``n`` stations laid out automatically: one row for up to four,
    else about ``sqrt(1.5 n)`` to a row, in rows of nearly equal length, ``spacing`` apart and
    ``0.8 · spacing`` between rows (the floor plan then fits a landscape window)."""
    if n <= 4:
        per_row = max(1, n)
    else:
        per_row = math.ceil(math.sqrt(1.5 * n))
        rows = math.ceil(n / per_row)
        per_row = math.ceil(n / rows)
    return [((i % per_row) * spacing, -(i // per_row) * ROW_GAP * spacing) for i in range(n)]


def _auto_spacing(positions: Sequence[tuple[float, float]]) -> float:
    """Spacing of automatically placed stations: the smallest distance between two distinct
    given positions (so the row matches the drawn layout's scale), at least 5 m; 10 m when
    there are fewer than two."""
    best = math.inf
    for i, a in enumerate(positions):
        for b in positions[i + 1 :]:
            d = math.dist(a, b)
            if d > 1e-9:
                best = min(best, d)
    return 10.0 if not math.isfinite(best) else max(5.0, best)


def trip_distance(
    elapsed_s: float, distance_m: float, speed: float, acceleration: float | None
) -> float:
    """Metres driven ``elapsed_s`` seconds into a rest-to-rest trip of ``distance_m`` at top
    ``speed`` (m/s) with ``acceleration`` (m/s², ``None``: full speed at once), as
    :func:`scenarios.flow.trip_time_s` times it; clamped to ``[0, distance_m]``."""
    if distance_m <= 0.0 or elapsed_s <= 0.0 or speed <= 0.0:
        return 0.0
    if acceleration is None or acceleration <= 0.0:
        return min(distance_m, speed * elapsed_s)
    a, v = acceleration, speed
    if distance_m >= v * v / a:  # trapezoid: accelerate, cruise, brake
        t_acc = v / a
        t_total = distance_m / v + t_acc
        if elapsed_s <= t_acc:
            s = 0.5 * a * elapsed_s * elapsed_s
        elif elapsed_s <= t_total - t_acc:
            s = 0.5 * a * t_acc * t_acc + v * (elapsed_s - t_acc)
        else:
            left = max(0.0, t_total - elapsed_s)
            s = distance_m - 0.5 * a * left * left
    else:  # triangle: accelerate half way, brake the other half
        t_half = math.sqrt(distance_m / a)
        if elapsed_s <= t_half:
            s = 0.5 * a * elapsed_s * elapsed_s
        else:
            left = max(0.0, 2.0 * t_half - elapsed_s)
            s = distance_m - 0.5 * a * left * left
    return min(distance_m, max(0.0, s))


class Timeline:
    """The snapshots of one run, in time order (a snapshot older than the newest replaces
    nothing: it is dropped, since a run only moves forwards)."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []
        self.times: list[float] = []

    def __len__(self) -> int:
        return len(self.snapshots)

    def clear(self) -> None:
        """Forget every snapshot (a new run)."""
        self.snapshots.clear()
        self.times.clear()

    def add(self, snapshot: Snapshot) -> bool:
        """Append ``snapshot``; ``False`` (and nothing kept) when it is older than the newest."""
        if self.times and snapshot.time_s < self.times[-1]:
            return False
        if self.times and snapshot.time_s == self.times[-1]:
            self.snapshots[-1] = snapshot
            return True
        self.snapshots.append(snapshot)
        self.times.append(float(snapshot.time_s))
        return True

    def index_at(self, t_s: float) -> int:
        """Index of the snapshot in force at ``t_s``: the last one at or before it (the first
        one before the first); -1 when there is none."""
        if not self.times:
            return -1
        return max(0, bisect.bisect_right(self.times, t_s) - 1)

    @property
    def start(self) -> float:
        """Time of the first snapshot (s); 0 without one."""
        return self.times[0] if self.times else 0.0

    @property
    def end(self) -> float:
        """Time of the newest snapshot (s); 0 without one."""
        return self.times[-1] if self.times else 0.0


@dataclass
class Transfers:
    """Dots of the parts handed on during one interval ``(t0, t1]``: one row per part."""

    t0: float
    t1: float
    start: np.ndarray  # (n, 2) scene coordinates where the dot leaves
    end: np.ndarray  # (n, 2) where it arrives
    depart: np.ndarray  # (n,) time it leaves (s)
    duration: float  # seconds each dot travels

    @classmethod
    def empty(cls) -> Transfers:
        z = np.zeros((0, 2))
        return cls(0.0, 0.0, z, z.copy(), np.zeros(0), 1.0)

    def __len__(self) -> int:
        return int(self.depart.shape[0])

    def positions(self, t_s: float) -> np.ndarray:
        """(m, 2) positions of the dots under way at ``t_s``."""
        if not len(self):
            return self.start[:0]
        frac = (t_s - self.depart) / self.duration
        moving = (frac >= 0.0) & (frac <= 1.0)
        f = frac[moving][:, None]
        return self.start[moving] + f * (self.end[moving] - self.start[moving])


def completed_delta(before: Snapshot, after: Snapshot) -> dict[str, int]:
    """Parts each station finished between two snapshots. The counts restart at the end of
    warm-up; an interval across that restart counts what was finished after it."""
    old = {s.name: s.completed for s in before.stations}
    reset = after.measured_from_s != before.measured_from_s
    out = {}
    for s in after.stations:
        prev = 0 if reset else old.get(s.name, 0)
        out[s.name] = max(0, s.completed - prev) if s.completed >= prev else s.completed
    return out


def transfers(
    before: Snapshot,
    after: Snapshot,
    paths: dict[str, tuple[tuple[float, float], tuple[float, float]]],
) -> Transfers:
    """The dots of the parts finished between ``before`` and ``after`` that go straight to
    the next station: ``paths[name]`` is (where a part of station ``name`` leaves, where it
    arrives), in scene coordinates; stations not in ``paths`` (carried by a vehicle or a
    conveyor) get no dots. The ``k``-th of ``n`` dots of a station leaves at
    ``t0 + k / n · 0.6 · (t1 − t0)`` and travels ``0.4 · (t1 − t0)``."""
    t0, t1 = float(before.time_s), float(after.time_s)
    span = t1 - t0
    if span <= 0.0:
        return Transfers.empty()
    delta = completed_delta(before, after)
    starts, ends, departs = [], [], []
    window = (1.0 - TRAVEL_SHARE) * span
    for name, n in delta.items():
        if n <= 0 or name not in paths:
            continue
        n = min(n, MAX_DOTS_PER_STATION)
        a, b = paths[name]
        k = np.arange(n, dtype=float)
        departs.append(t0 + k / n * window)
        starts.append(np.broadcast_to(np.asarray(a, dtype=float), (n, 2)))
        ends.append(np.broadcast_to(np.asarray(b, dtype=float), (n, 2)))
    if not departs:
        return Transfers.empty()
    return Transfers(
        t0,
        t1,
        np.concatenate(starts),
        np.concatenate(ends),
        np.concatenate(departs),
        TRAVEL_SHARE * span,
    )


@dataclass(frozen=True)
class BufferLevels:
    """The level of one station's buffer over the measured period so far, from the recorded
    snapshots."""

    span_s: float
    """Length of the period covered (s): from :attr:`Snapshot.measured_from_s` (the end of
    warm-up, or the start of the run) to the snapshot in force."""
    mean_level: float
    """Time-average number of parts waiting in the buffer (parts)."""
    full_share: float | None
    """Share of :attr:`span_s` the buffer held all its places (``None``: unlimited places)."""


def buffer_levels(
    snapshots: Sequence[Snapshot], index: int, station: str, places: int | None
) -> BufferLevels | None:
    """Time-average level and share of time full of ``station``'s buffer (``places``: its
    places, ``None`` unlimited) from the start of the measured period of ``snapshots[index]``
    up to that snapshot. The level a snapshot records is held until the next one (the
    snapshots are the only record the view has; the finer they are, the closer to the
    engine's own time average). ``None`` when no time has been measured yet."""
    if not 0 <= index < len(snapshots):
        return None
    now = snapshots[index]
    start, end = now.measured_from_s, now.time_s
    if end <= start:
        return None
    level_time = 0.0
    full_time = 0.0
    for before, after in pairwise(snapshots[: index + 1]):
        lo, hi = max(before.time_s, start), min(after.time_s, end)
        if hi <= lo:
            continue
        queue = next((st.queue for st in before.stations if st.name == station), 0)
        level_time += queue * (hi - lo)
        if places is not None and queue >= places:
            full_time += hi - lo
    covered = max(start, snapshots[0].time_s)  # before the first snapshot nothing is known
    span = end - covered
    if span <= 0:
        return None
    return BufferLevels(
        span_s=span,
        mean_level=level_time / span,
        full_share=None if places is None else full_time / span,
    )
