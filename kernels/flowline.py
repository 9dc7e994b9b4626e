"""Serial flow lines with finite buffers: the departure-time recursion and its statistics.

Why: a serial line of single-server stations with FIFO buffers and *blocking after service* is
exactly described by a max-plus recursion over part departure times, for any processing-time
distribution. Evaluating it for many replications at once is three orders of magnitude faster
than a discrete-event simulation, which is what buffer and fleet sizing studies need
(``linelab run FILE --fast``).

Model (formulas in ``docs/kernels.md``, "Flow line"):

- K stations in series, one server each, FIFO; part n (0-based) has processing time
  ``process[r, n, k]`` (s) at station k in replication r.
- ``buffers[k]``: places in front of station k, not counting the part in service; ``-1`` means
  unlimited. Station k holds at most ``buffers[k] + 1`` parts. A finished part stays on its
  server, blocking it, until the next station has room; the last station sends to a sink that
  always accepts.
- Without ``arrivals`` the line is saturated: station 0 never starves and a part enters the
  line when station 0 starts it. With ``arrivals`` (absolute times, non-decreasing) a part waits
  in an unlimited queue in front of the line until station 0 has room; it enters the line (and
  its cycle time starts) at its arrival time.

Recursion (D = departure, S = start, C = completion):

    S[n, k] = max(reach[n, k], D[n-1, k])
    C[n, k] = S[n, k] + p[n, k]
    D[n, k] = max(C[n, k], D[n - b[k+1] - 1, k+1])   (k < K-1, b[k+1] finite)
    D[n, K-1] = C[n, K-1]

with reach[n, k] = D[n, k-1] for k >= 1, and reach[n, 0] = max(A[n], D[n - b[0] - 1, 0]) with
arrivals (0 for a saturated line). Terms with a negative part index are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kernels._checks import FloatArray
from kernels._jit import jit, pjit, prange

__all__ = ["FlowlineStats", "flowline_covers", "flowline_departures", "flowline_stats"]

IntArray = npt.NDArray[np.int64]


@jit
def _one_replication(
    r: int,
    process: FloatArray,
    buffers: IntArray,
    arrivals: FloatArray,
    has_arrivals: bool,
    out: FloatArray,
    first: int,
) -> None:
    n_parts = process.shape[1]
    n_stations = process.shape[2]
    b0 = buffers[0]
    for n in range(first, n_parts):
        # reaching station 0
        if has_arrivals:
            entry = arrivals[r, n]
            reach = entry
            if b0 >= 0 and n - b0 - 1 >= 0:
                reach = max(reach, out[r, n - b0 - 1, 1])
        else:
            entry = 0.0
            reach = 0.0
        for k in range(n_stations):
            if k > 0:
                reach = out[r, n, k]  # departure from station k-1
            start = reach
            if n > 0:
                start = max(start, out[r, n - 1, k + 1])  # server free
            if k == 0 and not has_arrivals:
                entry = start
            dep = start + process[r, n, k]
            if k < n_stations - 1:
                b = buffers[k + 1]
                if b >= 0 and n - b - 1 >= 0:
                    dep = max(dep, out[r, n - b - 1, k + 2])  # room downstream
            out[r, n, k + 1] = dep
        out[r, n, 0] = entry


@jit
def _departures_serial(
    process: FloatArray,
    buffers: IntArray,
    arrivals: FloatArray,
    has_arrivals: bool,
    out: FloatArray,
    first: int,
) -> None:
    for r in range(process.shape[0]):
        _one_replication(r, process, buffers, arrivals, has_arrivals, out, first)


@pjit
def _departures_parallel(
    process: FloatArray,
    buffers: IntArray,
    arrivals: FloatArray,
    has_arrivals: bool,
    out: FloatArray,
    first: int,
) -> None:
    for r in prange(process.shape[0]):
        _one_replication(r, process, buffers, arrivals, has_arrivals, out, first)


@jit
def _stats(
    times: FloatArray,
    lo: float,
    hi: float,
    throughput: FloatArray,
    cycle: FloatArray,
    wip: FloatArray,
    departed: FloatArray,
) -> None:
    horizon = hi - lo
    last = times.shape[2] - 1
    for r in range(times.shape[0]):
        count = 0
        flow = 0.0
        area = 0.0
        for n in range(times.shape[1]):
            entry = times[r, n, 0]
            leave = times[r, n, last]
            if lo < leave <= hi:
                count += 1
                flow += leave - entry
            overlap = min(leave, hi) - max(entry, lo)
            if overlap > 0.0:
                area += overlap
        departed[r] = count
        throughput[r] = count / horizon * 3600.0
        cycle[r] = flow / count if count > 0 else np.nan
        wip[r] = area / horizon


# --------------------------------------------------------------------------- public API


def buffer_array(buffers: object, k_count: int) -> IntArray:
    """``buffers`` as an int64 array of K places >= -1 (-1 = unlimited), or ValueError."""
    b = np.asarray(buffers)
    if b.shape != (k_count,):
        raise ValueError(f"buffers must have one entry per station ({k_count}), got {b.shape}")
    if b.dtype == np.bool_ or not (
        np.issubdtype(b.dtype, np.integer)
        or (np.issubdtype(b.dtype, np.floating) and np.all(np.equal(np.mod(b, 1), 0)))
    ):
        raise ValueError(f"buffers must be whole numbers of places, got {b.tolist()}")
    b = np.ascontiguousarray(b, dtype=np.int64)
    if b.size and b.min() < -1:
        raise ValueError(f"buffers must be >= 0 places (or -1 for unlimited), got {int(b.min())}")
    return b


def history(buffers: IntArray) -> int:
    """How many parts back the recursion looks: max(finite buffers) + 1, at least 1."""
    return int(max(int(buffers.max()) if buffers.size else 0, 0)) + 1


def first_index(first: object, n_parts: int, buffers: IntArray) -> int:
    """Check the streaming start row: 0, or at least :func:`history` rows of earlier parts."""
    if isinstance(first, (bool, np.bool_)) or not isinstance(first, (int, np.integer)):
        raise ValueError(f"first must be a whole number of parts (a row index), got {first!r}")
    row = int(first)
    if not 0 <= row <= n_parts:
        raise ValueError(f"first must be in [0, {n_parts}] parts, got {row}")
    need = history(buffers)
    if 0 < row < need:
        raise ValueError(
            f"first must be 0 or >= {need} parts: the recursion looks back max(finite buffers) "
            f"+ 1 = {need} parts, so rows [0, first) must hold at least that many earlier "
            f"parts, got first = {row}"
        )
    return row


def flowline_departures(
    process: npt.NDArray[np.float64],
    buffers: npt.NDArray[np.int64],
    arrivals: npt.NDArray[np.float64] | None = None,
    *,
    parallel: bool = False,
    out: npt.NDArray[np.float64] | None = None,
    first: int = 0,
) -> npt.NDArray[np.float64]:
    """Entry and departure times of every part at every station of a serial line.

    ``process``: (R, N, K) processing times (s) of part n at station k in replication r, >= 0.
    ``buffers``: (K,) places in front of each station, not counting the part in service; -1 =
    unlimited. ``arrivals``: None for a saturated line, else (R, N) absolute arrival times (s),
    non-decreasing in n.

    Returns (R, N, K+1): ``out[r, n, 0]`` the part's entry time (arrival time, or start at
    station 0 for a saturated line), ``out[r, n, k+1]`` the time it leaves station k.

    ``parallel=True`` spreads replications over numba's threads (call it from one Python thread
    at a time).

    Streaming in chunks (bounded memory for long runs): pass ``out`` (R, N, K+1) whose rows
    ``[0, first)`` already hold the times of the parts just before this chunk (at least
    ``max(finite buffers) + 1`` of them and at least 1, the furthest back the recursion looks;
    a smaller ``first`` > 0 is refused) and whose
    ``process``/``arrivals`` rows from ``first`` on are the new parts; rows from ``first`` on are
    computed in place and ``out`` is returned. The N parts must cover the period of interest:
    see :func:`flowline_covers`.
    """
    p = np.asarray(process)
    if p.ndim != 3:
        raise ValueError(
            f"process must have shape (replications, parts, stations), got shape {p.shape}"
        )
    p = np.ascontiguousarray(p, dtype=np.float64)
    r_count, n_parts, k_count = p.shape
    if k_count == 0:
        raise ValueError("process must have at least one station (shape (R, N, K >= 1))")
    if p.size and not np.all(np.isfinite(p)):
        raise ValueError("process times must be finite (s)")
    if p.size and p.min() < 0.0:
        raise ValueError(f"process times must be >= 0 s, got {float(p.min())}")
    b = buffer_array(buffers, k_count)
    if arrivals is None:
        a = np.zeros((1, 1))
        has = False
    else:
        a = np.asarray(arrivals, dtype=np.float64)
        if a.shape != (r_count, n_parts):
            raise ValueError(
                f"arrivals must have shape (replications, parts) = {(r_count, n_parts)}, "
                f"got {a.shape}"
            )
        if a.size and not np.all(np.isfinite(a)):
            raise ValueError("arrivals must be finite times (s)")
        if n_parts > 1 and np.any(np.diff(a, axis=1) < 0.0):
            raise ValueError("arrivals must be non-decreasing in part order (FIFO), s")
        a = np.ascontiguousarray(a)
        has = True
    first = first_index(first, n_parts, b)
    if out is None:
        if first:
            raise ValueError("first > 0 needs out holding the earlier parts' times")
        out = np.empty((r_count, n_parts, k_count + 1))
    elif out.shape != (r_count, n_parts, k_count + 1) or out.dtype != np.float64:
        raise ValueError(
            f"out must be a float64 array of shape {(r_count, n_parts, k_count + 1)}, "
            f"got {out.dtype} {out.shape}"
        )
    elif not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    kernel = _departures_parallel if parallel else _departures_serial
    kernel(p, b, a, has, out, first)
    return out


@dataclass(frozen=True)
class FlowlineStats:
    """Per-replication statistics over the measured window (warmup, warmup + horizon].

    ``throughput_per_hour``: parts leaving the last station in the window per hour.
    ``cycle_time_s``: mean time from entry to leaving, over those parts (NaN if none).
    ``wip``: time-average number of parts in the line (entered, not yet left) over the window.
    ``departed``: number of parts leaving in the window.
    """

    throughput_per_hour: FloatArray
    cycle_time_s: FloatArray
    wip: FloatArray
    departed: FloatArray


def flowline_stats(times: npt.NDArray[np.float64], warmup: float, horizon: float) -> FlowlineStats:
    """Throughput, cycle time and WIP of each replication from :func:`flowline_departures`.

    Window (warmup, warmup + horizon] (s). A part counts as departed if its exit lies in the
    window; WIP is exact: sum over parts of overlap([entry, exit), window) / horizon.
    """
    t = np.asarray(times)
    if t.ndim != 3 or t.shape[2] < 2:
        raise ValueError(
            f"times must have shape (replications, parts, stations + 1), got {t.shape}"
        )
    w = float(warmup)
    h = float(horizon)
    if not np.isfinite(w) or w < 0.0:
        raise ValueError(f"warmup must be >= 0 s, got {warmup}")
    if not np.isfinite(h) or h <= 0.0:
        raise ValueError(f"horizon must be > 0 s, got {horizon}")
    t = np.ascontiguousarray(t, dtype=np.float64)
    r_count = t.shape[0]
    th = np.empty(r_count)
    ct = np.empty(r_count)
    wip = np.empty(r_count)
    dep = np.empty(r_count)
    _stats(t, w, w + h, th, ct, wip, dep)
    return FlowlineStats(throughput_per_hour=th, cycle_time_s=ct, wip=wip, departed=dep)


def flowline_covers(
    times: npt.NDArray[np.float64], warmup: float, horizon: float
) -> npt.NDArray[np.bool_]:
    """Per replication: True if the simulated parts are enough for exact statistics over the
    window, i.e. the last part entered strictly after warmup + horizon (entries are
    non-decreasing, so any later part would enter, and leave, after the window; a later part
    entering exactly at warmup + horizon would still count as arrived and in the WIP at the
    window's end). Where False, the caller must simulate more parts (e.g. double N) and
    recompute."""
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 3 or t.shape[2] < 2:
        raise ValueError(
            f"times must have shape (replications, parts, stations + 1), got {t.shape}"
        )
    if t.shape[1] == 0:
        return np.zeros(t.shape[0], dtype=np.bool_)
    return np.asarray(t[:, -1, 0] > float(warmup) + float(horizon))
