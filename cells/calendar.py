"""Working time in the engine: a weekly pattern of working intervals, turned into events.

A :class:`WorkingTime` is built from plain numbers: the working intervals of one week in
seconds after Monday 00:00 (simulated time 0), sorted and disjoint, as
``scenarios.calendar.week_intervals`` computes them from shifts, breaks and days. A
:class:`ShiftClock` schedules one SimPy event per boundary (start or end of working time)
and calls its listeners' ``shift_on(now)`` / ``shift_off(now)``; a scenario without a
calendar gets no clock and no events.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Protocol

import simpy
from simpy.events import Timeout

WEEK_S = 7 * 86_400.0
"""Seconds in a week; simulated time 0 is Monday 00:00."""


class WorkingTime:
    """Periodic (weekly) working intervals: is ``t`` working time, and when does that change."""

    __slots__ = ("_ends", "_starts", "intervals")

    def __init__(self, week: Sequence[tuple[float, float]]) -> None:
        pieces = sorted((float(a), float(b)) for a, b in week if b > a)
        for (_, b), (c, _) in itertools.pairwise(pieces):
            if c < b:
                raise ValueError("working intervals must be disjoint")
        if pieces and (pieces[0][0] < 0 or pieces[-1][1] > WEEK_S):
            raise ValueError("working intervals must lie within one week")
        # Merge touching pieces (and the end of the week with its start: weeks repeat).
        merged: list[tuple[float, float]] = []
        for a, b in pieces:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        self.intervals: tuple[tuple[float, float], ...] = tuple(merged)
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    @property
    def always(self) -> bool:
        """Working around the clock (no boundary ever)."""
        return self.intervals == ((0.0, WEEK_S),)

    @property
    def never(self) -> bool:
        """Never working."""
        return not self.intervals

    def share(self) -> float:
        """Working seconds per week / seconds per week."""
        return sum(b - a for a, b in self.intervals) / WEEK_S

    def is_working(self, t: float) -> bool:
        """Is simulated time ``t`` (s) inside a working interval (start included, end not)?"""
        w = t % WEEK_S
        i = bisect.bisect_right(self._starts, w) - 1
        return i >= 0 and w < self._ends[i]

    def next_change(self, t: float) -> float:
        """The first boundary strictly after ``t`` where working turns on or off (inf if none)."""
        if self.always or self.never:
            return float("inf")
        week = (t // WEEK_S) * WEEK_S
        w = t - week
        bounds: list[float] = []
        for a, b in self.intervals:
            if not (a == 0.0 and self._ends[-1] == WEEK_S):
                bounds.append(a)
            if not (b == WEEK_S and self._starts[0] == 0.0):
                bounds.append(b)
        bounds.sort()
        i = bisect.bisect_right(bounds, w)
        if i < len(bounds):
            return week + bounds[i]
        return week + WEEK_S + bounds[0]


class ShiftListener(Protocol):
    """Something that starts and stops with a working time (a resource, a station)."""

    def shift_on(self, now: float) -> None: ...

    def shift_off(self, now: float) -> None: ...


class ShiftClock:
    """Tells its listeners when working time starts and ends (one event per boundary)."""

    def __init__(self, env: simpy.Environment, working: WorkingTime) -> None:
        self.env = env
        self.working = working
        self.listeners: list[ShiftListener] = []
        self.on = True

    def start(self) -> None:
        """Put listeners in the state of time ``now`` and schedule the next boundary."""
        now = self.env.now
        self.on = self.working.is_working(now)
        if not self.on:
            for listener in self.listeners:
                listener.shift_off(now)
        self._schedule(now)

    def _schedule(self, now: float) -> None:
        t = self.working.next_change(now)
        if t != float("inf"):
            Timeout(self.env, t - now).callbacks.append(self._boundary)

    def _boundary(self, _event: simpy.Event) -> None:
        now = self.env.now
        on = self.working.is_working(now)
        if on != self.on:
            self.on = on
            for listener in self.listeners:
                if on:
                    listener.shift_on(now)
                else:
                    listener.shift_off(now)
        self._schedule(now)
