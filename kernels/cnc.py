"""CNC program time: cutting at feed, rapid moves, tool changes, spindle start/stop, door and
clamping, executed one after another for each part.

Why: a machining centre's time per part follows from its program — cut lengths and feeds,
positioning moves at the rapid rate, how often the tool changes — not from a typed-in number.
The non-cutting share (tool changes, spindle run-up, door, clamping, rapid moves) is what
drill-tap centres are built to shrink, and what typed-in times forget.

Units: SI (m, m/s, m/s², s). Model and typical values in ``docs/kernels.md`` ("CNC program").
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kernels._checks import FloatArray, as_float, nonnegative, positive, positive_or_inf
from kernels.motion import trapezoidal_time

__all__ = ["CncTime", "cnc_program_time", "rapid_times", "tool_changes"]


@dataclass(frozen=True)
class CncTime:
    """Result of :func:`cnc_program_time` (seconds).

    ``total_s = cutting_s + rapid_s + tool_change_s + spindle_s + door_clamp_s``;
    ``tool_changes`` and ``spindle_runs`` are the counts behind the two middle terms.
    """

    total_s: float
    cutting_s: float
    rapid_s: float
    tool_change_s: float
    spindle_s: float
    door_clamp_s: float
    tool_changes: int
    spindle_runs: int

    @property
    def breakdown(self) -> dict[str, float]:
        """The five parts of the time (s) by name."""
        return {
            "cutting": self.cutting_s,
            "rapid": self.rapid_s,
            "tool_change": self.tool_change_s,
            "spindle": self.spindle_s,
            "door_clamp": self.door_clamp_s,
        }


def rapid_times(lengths: Any, rapid_rate: Any, rapid_acceleration: Any = math.inf) -> FloatArray:
    """Time (s) of each rapid move of ``lengths`` (m), from rest to rest at ``rapid_rate``
    (m/s) with ``rapid_acceleration`` (m/s²; ``inf``: no acceleration time, ``d / v``).

    With a finite acceleration each move is a trapezoid: ``d/v + v/a`` when ``d >= v²/a``,
    else ``2·sqrt(d/a)`` (``kernels.motion.trapezoidal_time``). Returns an array shaped like
    ``lengths``.
    """
    d = nonnegative("lengths", lengths, "m")
    v = positive("rapid_rate", rapid_rate, "m/s")
    a = positive_or_inf("rapid_acceleration", rapid_acceleration, "m/s^2 (inf for none)")
    if v.ndim or a.ndim:
        raise ValueError("rapid_rate and rapid_acceleration must be single numbers")
    if math.isinf(float(a)):
        return np.asarray(d / float(v), dtype=np.float64)
    return np.asarray(trapezoidal_time(d, float(v), float(a)), dtype=np.float64)


def tool_changes(tools: Sequence[Hashable]) -> tuple[int, int]:
    """``(tool changes, spindle runs)`` per part for the operations' ``tools`` in order.

    A change wherever an operation's tool differs from the one before it, the first operation
    compared with the last (the previous part's last tool is in the spindle when the program
    starts), so a single tool needs none. A spindle run is a stretch of consecutive operations
    with the same tool: the spindle starts and stops once per run (it stops at the end for the
    door even when the first and last tools are the same).
    """
    n = len(tools)
    if n == 0:
        raise ValueError("tools must name the tool of at least one operation")
    changes = sum(1 for i in range(n) if tools[i] != tools[i - 1])
    runs = 1 + sum(1 for i in range(1, n) if tools[i] != tools[i - 1])
    return changes, runs


def cnc_program_time(
    cut_lengths: Any,
    feeds: Any,
    tools: Sequence[Hashable],
    *,
    rapid_lengths: Any = (),
    rapid_rate: float | None = None,
    rapid_acceleration: float = math.inf,
    tool_change: float = 0.0,
    spindle: float = 0.0,
    door: float = 0.0,
    clamp: float = 0.0,
) -> CncTime:
    """Time (s) of one part through a CNC program.

    Per operation ``i``: a cut of ``cut_lengths[i]`` (m) at ``feeds[i]`` (m/s; ignored, may be
    NaN, where the cut length is 0) with tool ``tools[i]``. ``rapid_lengths``: every rapid move
    of the program (m), each from rest to rest (:func:`rapid_times`; needs ``rapid_rate``,
    m/s). ``tool_change``: seconds per change (tool to tool), ``spindle``: seconds per start
    plus stop, counted as in :func:`tool_changes`. ``door`` (open + close) and ``clamp`` (clamp
    + unclamp): seconds once per part.

        total = Σ cut/feed + Σ rapid + changes·tool_change + runs·spindle + door + clamp
    """
    cut = nonnegative("cut_lengths", cut_lengths, "m")
    feed = np.asarray(as_float("feeds", np.where(cut > 0, feeds, 1.0), "m/s"))
    if cut.ndim != 1 or feed.shape != cut.shape:
        raise ValueError(
            f"cut_lengths and feeds must be 1-D with one entry per operation, got shapes "
            f"{cut.shape} and {np.shape(feeds)}"
        )
    if len(tools) != cut.shape[0]:
        raise ValueError(
            f"tools must name one tool per operation ({cut.shape[0]}), got {len(tools)}"
        )
    bad = (cut > 0) & ~(feed > 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"feeds[{i}] must be > 0 m/s where there is a cut, got {feed[i]}")
    rapids = nonnegative("rapid_lengths", rapid_lengths, "m").ravel()
    if rapids.size and np.any(rapids > 0):
        if rapid_rate is None:
            raise ValueError("rapid moves need a rapid_rate (m/s)")
        rapid_s = math.fsum(rapid_times(rapids, rapid_rate, rapid_acceleration).tolist())
    else:
        rapid_s = 0.0
    t_change = float(nonnegative("tool_change", tool_change, "s"))
    t_spindle = float(nonnegative("spindle", spindle, "s"))
    t_door = float(nonnegative("door", door, "s"))
    t_clamp = float(nonnegative("clamp", clamp, "s"))
    changes, runs = tool_changes(tools)
    cutting_s = math.fsum((cut / feed).tolist())
    parts = (cutting_s, rapid_s, changes * t_change, runs * t_spindle, t_door + t_clamp)
    return CncTime(
        total_s=math.fsum(parts),
        cutting_s=parts[0],
        rapid_s=parts[1],
        tool_change_s=parts[2],
        spindle_s=parts[3],
        door_clamp_s=parts[4],
        tool_changes=changes,
        spindle_runs=runs,
    )
