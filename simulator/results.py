"""What one replication produces, as plain frozen dataclasses (picklable across processes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StationResult:
    """One station over the measured period of one replication."""

    utilization: float
    """Fraction of measured time the station's units were processing, averaged over servers."""
    states: dict[str, float]
    """Share of measured time in each unit state, averaged over servers; sums to 1."""
    queue: float
    """Time-average number of parts waiting in the station's buffer (not in service)."""
    completed: int
    """Operations finished in the measured period."""
    units: dict[str, dict[str, float]]
    """State shares of each server, keyed by its dotted name (``press.2``)."""


@dataclass(frozen=True)
class Replication:
    """The measured results of one replication (everything after warm-up)."""

    index: int
    seed: int
    warmup_s: float
    horizon_s: float
    throughput_per_hour: float
    """Parts leaving the last station per hour of measured time."""
    cycle_time_s: float
    """Mean time from arrival (or release) to leaving the line; NaN if no part left."""
    wip: float
    """Time-average number of parts in the line, counted from arrival to departure."""
    departed: int
    """Parts that left the line in the measured period."""
    arrived: int
    """Parts that arrived (or were released) in the measured period."""
    wip_start: int
    """Parts in the line when the measured period began."""
    wip_end: int
    """Parts in the line when it ended (conservation: start + arrived = departed + end)."""
    waiting_in_front: float
    """Time-average number of parts waiting in front of the line (source or CONWIP)."""
    stations: dict[str, StationResult]
