"""What one replication produces, as plain frozen dataclasses (picklable across processes)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StationResult:
    """One station over the measured period of one replication."""

    utilization: float
    """Fraction of measured time the station's units were processing, averaged over servers."""
    states: dict[str, float]
    """Share of measured time in each state the station can reach, averaged over servers;
    sums to 1."""
    queue: float
    """Time-average number of parts waiting in the station's buffer (not in service)."""
    completed: int
    """Operations finished in the measured period."""
    units: dict[str, dict[str, float]]
    """State shares of each server, keyed by its dotted name (``press.2``)."""
    oee: float | None = None
    """Availability × performance × quality (docs/results.md); ``None`` for a v1 line."""
    scrapped: int = 0
    """Parts scrapped after an operation here in the measured period."""
    kits: int | None = None
    """Assembly stations only: kits joined into an assembled part in the measured period
    (counted when the kit starts); ``None`` for other stations."""


@dataclass(frozen=True)
class ResourceResult:
    """One resource (operators, robots) over the measured period."""

    utilization: float
    """Share of measured time its units were working (tending, operating, repairing; a
    vehicle: travelling or handling)."""
    states: dict[str, float]
    """Share of measured time in each unit state (off shift included), averaged over units."""
    empty_travel_share: float | None = None
    """Vehicles only: empty travel / all travel (``travel_empty`` / (``travel_empty`` +
    ``travel_loaded``)); NaN when the fleet did not travel; ``None`` for other resources."""


@dataclass(frozen=True)
class ProductResult:
    """One product over the measured period."""

    throughput_per_hour: float
    """Good parts of this product leaving the line per hour."""
    cycle_time_s: float
    """Mean time from arrival (or release) to leaving the line; NaN if none left."""
    departed: int
    scrapped: int


@dataclass(frozen=True)
class BottleneckResult:
    """Shifting-bottleneck shares of one replication (simulator/bottleneck.py)."""

    sole: dict[str, float]
    """Per station: share of the analysed window it was the sole bottleneck."""
    shifting: dict[str, float]
    """Per station: share of the window it was a shifting bottleneck (overlaps, counted for
    both stations of a shift)."""
    start_s: float
    end_s: float
    """The analysed window: the measured period, cut short where the trace hit its cap."""
    records: int
    """State changes recorded."""
    truncated: bool
    """Did the trace reach its cap (``records`` = the cap) before the end of the run?"""


@dataclass(frozen=True)
class Replication:
    """The measured results of one replication (everything after warm-up)."""

    index: int
    seed: int
    warmup_s: float
    horizon_s: float
    throughput_per_hour: float
    """Good parts leaving the line (the end of their route) per hour of measured time."""
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
    """Parts in the line when it ended (start + arrived = departed + scrapped + end)."""
    waiting_in_front: float
    """Time-average number of parts waiting in front of the line (source or CONWIP)."""
    stations: dict[str, StationResult]
    equipped: bool = False
    """Does the line use format-v2 features (then the v2 keys below are reported)?"""
    scrap_per_hour: float | None = None
    """Parts scrapped per hour of measured time (v2)."""
    energy_kwh_per_part: float | None = None
    """Energy of stations and resources per good part, kWh; ``None`` without power data."""
    scrapped: int = 0
    """Parts scrapped in the measured period."""
    products: dict[str, ProductResult] = field(default_factory=dict)
    resources: dict[str, ResourceResult] = field(default_factory=dict)
    bottleneck: BottleneckResult | None = None
    """Only when a bounded state trace was asked for (``trace_limit``)."""
