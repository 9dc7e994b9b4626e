"""The three kinds of statistics LineLab keeps, kept apart (docs/architecture.md, lesson 5).

- :class:`StateTimer`: time spent by one unit in each of its states (a level statistic of a
  categorical state). Every unit and resource records its state time through this one class.
- :class:`LevelStat`: a time-weighted level (WIP, buffer contents).
- :class:`Tally`: one value per observation (cycle time of each part), streaming moments so
  memory stays flat however long the run.

All three are reset at the end of warm-up: :meth:`reset` starts a new measured period at ``now``
without changing the current state or level.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence


class StateTimer:
    """Seconds a unit has spent in each state since the last reset.

    States are small integers (indices into ``names``) so that the hot path is a list update.
    """

    __slots__ = ("acc", "names", "since", "state", "trace")

    def __init__(self, names: Sequence[str], state: int, now: float = 0.0) -> None:
        self.names: tuple[str, ...] = tuple(names)
        self.acc: list[float] = [0.0] * len(self.names)
        self.state = state
        self.since = now
        self.trace: Callable[[int, float], None] | None = None
        """Called with (new state, time in s) on every change once :meth:`start_trace` ran;
        ``None`` (the default) costs nothing: only a traced timer's ``set`` looks at it."""

    def start_trace(self, hook: Callable[[int, float], None]) -> None:
        """Report every later state change to ``hook(state, now)``.

        The timer becomes a :class:`TracedStateTimer` (same slots), so an untraced timer's
        :meth:`set` stays the plain list update: tracing off costs nothing.
        """
        self.trace = hook
        self.__class__ = TracedStateTimer

    def set(self, state: int, now: float) -> None:
        """Enter ``state`` at time ``now`` (s); the time since the last change is booked."""
        self.acc[self.state] += now - self.since
        self.state = state
        self.since = now

    def reset(self, now: float) -> None:
        """Start a new measured period at ``now``; the current state carries on."""
        self.acc = [0.0] * len(self.names)
        self.since = now

    def totals(self, now: float) -> list[float]:
        """Seconds in each state up to ``now``, including the state the unit is in."""
        out = list(self.acc)
        out[self.state] += now - self.since
        return out

    def shares(self, now: float, start: float) -> dict[str, float]:
        """Fraction of ``[start, now]`` spent in each state, by state name (sums to 1)."""
        span = now - start
        totals = self.totals(now)
        if span <= 0.0:
            return {name: (1.0 if i == self.state else 0.0) for i, name in enumerate(self.names)}
        return {name: totals[i] / span for i, name in enumerate(self.names)}


class TracedStateTimer(StateTimer):
    """A :class:`StateTimer` that also reports each change to its ``trace`` hook."""

    __slots__ = ()

    def set(self, state: int, now: float) -> None:
        """Enter ``state`` at ``now`` (s), book the time, and report the change."""
        self.acc[self.state] += now - self.since
        self.state = state
        self.since = now
        hook = self.trace
        if hook is not None:
            hook(state, now)


class LevelStat:
    """Time-weighted average of a piecewise-constant level (parts in a buffer, WIP)."""

    __slots__ = ("_area", "_start", "_t", "value")

    def __init__(self, value: float = 0.0, now: float = 0.0) -> None:
        self.value = value
        self._t = now
        self._start = now
        self._area = 0.0

    def add(self, delta: float, now: float) -> None:
        """Change the level by ``delta`` at time ``now`` (s)."""
        self._area += self.value * (now - self._t)
        self._t = now
        self.value += delta

    def reset(self, now: float) -> None:
        """Start a new measured period at ``now``; the level carries on."""
        self._area = 0.0
        self._t = now
        self._start = now

    def mean(self, now: float) -> float:
        """Time-average of the level over ``[start of period, now]``; the level itself if empty."""
        span = now - self._start
        if span <= 0.0:
            return float(self.value)
        return (self._area + self.value * (now - self._t)) / span


class Tally:
    """Streaming count, mean and variance of observations (Welford's algorithm)."""

    __slots__ = ("_m2", "count", "max", "mean_value", "min")

    def __init__(self) -> None:
        self.count = 0
        self.mean_value = 0.0
        self._m2 = 0.0
        self.min = math.inf
        self.max = -math.inf

    def add(self, x: float) -> None:
        """Record one observation."""
        self.count += 1
        delta = x - self.mean_value
        self.mean_value += delta / self.count
        self._m2 += delta * (x - self.mean_value)
        if x < self.min:
            self.min = x
        if x > self.max:
            self.max = x

    def reset(self) -> None:
        """Forget all observations (end of warm-up)."""
        self.__init__()  # type: ignore[misc]

    @property
    def mean(self) -> float:
        """Mean of the observations; NaN when there are none."""
        return self.mean_value if self.count else math.nan

    @property
    def variance(self) -> float:
        """Sample variance (n - 1 denominator); NaN with fewer than two observations."""
        return self._m2 / (self.count - 1) if self.count > 1 else math.nan
