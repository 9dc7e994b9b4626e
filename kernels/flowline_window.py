"""Exact time-window statistics of a serial flow line, per station, from its part times.

Why: the flow-line recursion (:mod:`kernels.flowline`) gives every part's entry and departure
times; the event engine also reports each station's busy, blocked and starved shares, its
buffer level and the parts waiting in front of the line. All of these are integrals over the
measured window (warmup, end] of piecewise-constant functions that change only at a part's
reach, start, completion or departure, so they are sums of interval overlaps -- exact, and one
pass over the parts in a numba kernel (a numpy version costs more than the recursion itself).

Per part n at station k (same notation as :mod:`kernels.flowline`):

    reach[n, k] = D[n, k-1]           (k >= 1)
    reach[n, 0] = entry[n]            (saturated line)
                = max(A[n], D[n - b0 - 1, 0])   (with arrivals; A[n] if b0 unlimited)
    S[n, k]     = max(reach[n, k], D[n-1, k]);   C[n, k] = S[n, k] + p[n, k]

busy[k] += |[S, C) ∩ W|, blocked[k] += |[C, D) ∩ W|, queue[k] += |[reach, S) ∩ W|,
front += |[A, reach[., 0]) ∩ W|, wip += |[entry, exit) ∩ W|, where W is the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kernels._checks import as_float, integer
from kernels._jit import jit
from kernels.flowline import buffer_array, first_index

__all__ = ["FlowlineWindow", "WindowAccumulator", "flowline_window"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@jit
def _overlap(a: float, b: float, w0: float, w1: float) -> float:
    lo = a if a > w0 else w0
    hi = b if b < w1 else w1
    return hi - lo if hi > lo else 0.0


@jit
def _window(
    process: FloatArray,
    times: FloatArray,
    arrivals: FloatArray,
    has_arrivals: bool,
    buffers: IntArray,
    w0: float,
    w1: float,
    first: int,
    line: FloatArray,
    station: FloatArray,
) -> None:
    n_rep, n_parts, n_st = process.shape
    lag = buffers[0] + 1
    for r in range(n_rep):
        for n in range(first, n_parts):
            entry = times[r, n, 0]
            exit_ = times[r, n, n_st]
            arrived = arrivals[r, n] if has_arrivals else entry
            # line: departed, cycle-time sum, wip area, arrived, wip at start, wip at end, front
            if w0 < exit_ <= w1:
                line[r, 0] += 1.0
                line[r, 1] += exit_ - entry
            line[r, 2] += _overlap(entry, exit_, w0, w1)
            if w0 < arrived <= w1:
                line[r, 3] += 1.0
            if arrived <= w0 < exit_:
                line[r, 4] += 1.0
            if arrived <= w1 < exit_:
                line[r, 5] += 1.0
            for k in range(n_st):
                if k > 0:
                    reach = times[r, n, k]
                elif has_arrivals:
                    reach = arrivals[r, n]
                    if lag > 0 and n >= lag and times[r, n - lag, 1] > reach:
                        reach = times[r, n - lag, 1]
                    line[r, 6] += _overlap(arrivals[r, n], reach, w0, w1)
                else:
                    reach = entry
                start = reach
                if n > 0 and times[r, n - 1, k + 1] > start:
                    start = times[r, n - 1, k + 1]
                done = start + process[r, n, k]
                leave = times[r, n, k + 1]
                # station: busy, blocked, queue, completed
                station[r, k, 0] += _overlap(start, done, w0, w1)
                station[r, k, 1] += _overlap(done, leave, w0, w1)
                station[r, k, 2] += _overlap(reach, start, w0, w1)
                if w0 < done <= w1:
                    station[r, k, 3] += 1.0


@dataclass(frozen=True)
class FlowlineWindow:
    """Window statistics per replication (first axis) and station (second axis).

    Times are seconds; shares and levels are time-averages over the window.
    """

    departed: IntArray
    """Parts leaving the last station in the window."""
    cycle_time_s: FloatArray
    """Mean entry-to-exit time of those parts (NaN if none)."""
    wip: FloatArray
    """Time-average parts between entry and exit."""
    arrived: IntArray
    """Parts arriving (or entering, for a saturated line) in the window."""
    wip_start: IntArray
    """Parts arrived and not departed at the window's start."""
    wip_end: IntArray
    """Parts arrived and not departed at the window's end."""
    waiting_in_front: FloatArray
    """Time-average parts waiting in front of the line (0 for a saturated line)."""
    busy: FloatArray
    """(R, K) share of the window each station is processing."""
    blocked: FloatArray
    """(R, K) share of the window each station holds a finished part it cannot pass on."""
    queue: FloatArray
    """(R, K) time-average parts waiting in each station's buffer."""
    completed: IntArray
    """(R, K) operations finished in the window."""


class WindowAccumulator:
    """Window statistics accumulated over a flow line simulated in chunks of parts.

    Call :meth:`add` with each chunk (its rows before ``first`` being the previous chunk's last
    parts, as for :func:`kernels.flowline.flowline_departures`), then :meth:`result`.
    """

    def __init__(self, replications: int, stations: int, warmup: float, horizon: float) -> None:
        integer("replications", replications, 0, "replications")
        integer("stations", stations, 1, "stations")
        w = as_float("warmup", warmup, "s")
        h = as_float("horizon", horizon, "s")
        if w.ndim or float(w) < 0.0:
            raise ValueError(f"warmup must be a single number >= 0 s, got {warmup}")
        if h.ndim or float(h) <= 0.0:
            raise ValueError(f"horizon must be a single number > 0 s, got {horizon}")
        self.warmup = float(warmup)
        self.horizon = float(horizon)
        self._line = np.zeros((replications, 7))
        self._station = np.zeros((replications, stations, 4))

    def add(
        self,
        process: FloatArray,
        times: FloatArray,
        buffers: IntArray,
        arrivals: FloatArray | None = None,
        first: int = 0,
    ) -> None:
        """Add the parts in rows ``first`` onwards of one chunk.

        ``first`` is 0 or at least max(finite buffers) + 1 (and at least 1): the rows before it
        are the previous chunk's last parts, which the statistics of the new parts look back on.
        """
        p = np.ascontiguousarray(process, dtype=np.float64)
        t = np.ascontiguousarray(times, dtype=np.float64)
        if p.ndim != 3 or p.shape[0] != self._line.shape[0] or p.shape[2] != self._station.shape[1]:
            raise ValueError(
                f"process must have shape ({self._line.shape[0]}, N, {self._station.shape[1]}), "
                f"got {p.shape}"
            )
        if t.shape != (p.shape[0], p.shape[1], p.shape[2] + 1):
            raise ValueError(
                f"times must have shape (R, N, K+1) for process {p.shape}, got {t.shape}"
            )
        if p.size and not (np.all(np.isfinite(p)) and p.min() >= 0.0):
            raise ValueError("process times must be finite and >= 0 s")
        if t.size and not np.all(np.isfinite(t)):
            raise ValueError("times must be finite (s)")
        b = buffer_array(buffers, p.shape[2])
        first = first_index(first, p.shape[1], b)
        if arrivals is None:
            a, has = np.zeros((1, 1)), False
        else:
            a, has = np.ascontiguousarray(arrivals, dtype=np.float64), True
            if a.shape != p.shape[:2]:
                raise ValueError(f"arrivals must have shape {p.shape[:2]}, got {a.shape}")
            if a.size and not np.all(np.isfinite(a)):
                raise ValueError("arrivals must be finite times (s)")
        w0 = self.warmup
        _window(p, t, a, has, b, w0, w0 + self.horizon, first, self._line, self._station)

    def result(self) -> FlowlineWindow:
        """The statistics of everything added so far."""
        line, station, h = self._line, self._station, self.horizon
        departed = line[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            cycle = np.where(departed > 0, line[:, 1] / np.maximum(departed, 1.0), np.nan)
        return FlowlineWindow(
            departed=departed.astype(np.int64),
            cycle_time_s=cycle,
            wip=line[:, 2] / h,
            arrived=line[:, 3].astype(np.int64),
            wip_start=line[:, 4].astype(np.int64),
            wip_end=line[:, 5].astype(np.int64),
            waiting_in_front=line[:, 6] / h,
            busy=station[:, :, 0] / h,
            blocked=station[:, :, 1] / h,
            queue=station[:, :, 2] / h,
            completed=station[:, :, 3].astype(np.int64),
        )


def flowline_window(
    process: FloatArray,
    times: FloatArray,
    buffers: IntArray,
    warmup: float,
    horizon: float,
    arrivals: FloatArray | None = None,
) -> FlowlineWindow:
    """Statistics of the window (warmup, warmup + horizon] from the flow-line part times.

    ``process`` (R, N, K) and ``buffers`` (K,) as given to
    :func:`kernels.flowline.flowline_departures`, ``times`` (R, N, K+1) what it returned,
    ``arrivals`` (R, N) or None likewise. The parts must cover the window
    (:func:`kernels.flowline.flowline_covers`).
    """
    p = np.asarray(process)
    if p.ndim != 3:
        raise ValueError(f"process must have shape (R, N, K), got {p.shape}")
    acc = WindowAccumulator(p.shape[0], p.shape[2], warmup, horizon)
    acc.add(p, times, buffers, arrivals)
    return acc.result()
