"""A replication that advances in chunks of simulated time (for the GUI and live views).

The GUI's worker thread calls :meth:`RunSession.advance` repeatedly and draws the returned
:class:`~simulator.model.Snapshot`; the headless path runs the same session to its end. One
code path, so what the planner watches is what the batch run measures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.model import LineModel, Snapshot
from simulator.results import Replication

if TYPE_CHECKING:
    from scenarios import Scenario


class RunSession:
    """One replication of ``scenario`` that can be advanced step by step."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        seed: int | None = None,
        *,
        max_parts: int | None = None,
        trace_limit: int | None = None,
    ) -> None:
        """``max_parts``: the overload guard's limit of parts in the line (see
        :class:`~simulator.model.LineModel`); :meth:`advance` and :meth:`run_to_end` raise
        :class:`simulator.capacity.LineOverloaded` past it. ``trace_limit``: see
        :class:`~simulator.model.LineModel` (bottleneck analysis; off by default)."""
        self.model = LineModel(
            scenario, replication, seed, max_parts=max_parts, trace_limit=trace_limit
        )

    @property
    def now(self) -> float:
        """Current simulated time (s), warm-up included."""
        return float(self.model.env.now)

    @property
    def end(self) -> float:
        """Simulated time (s) at which the replication ends (warm-up + horizon)."""
        return self.model.end

    @property
    def finished(self) -> bool:
        """Has the replication reached its end?"""
        return self.model.finished

    def advance(self, dt: float) -> Snapshot:
        """Simulate ``dt`` more seconds (not past the end) and return the line's state."""
        if dt <= 0:
            raise ValueError(f"dt must be > 0 s, got {dt}")
        self.model.run_until(self.now + dt)
        return self.model.snapshot()

    def snapshot(self) -> Snapshot:
        """The line's current state."""
        return self.model.snapshot()

    def run_to_end(self) -> Replication:
        """Simulate to the end and return the measured results."""
        self.model.run_until(self.model.end)
        return self.model.collect()

    def result(self) -> Replication:
        """The measured results; the session must be :attr:`finished`."""
        return self.model.collect()


def run_replication(
    scenario: Scenario,
    replication: int = 0,
    seed: int | None = None,
    *,
    max_parts: int | None = None,
    trace_limit: int | None = None,
) -> Replication:
    """Run replication number ``replication`` of ``scenario`` to its end.

    Raises :class:`simulator.capacity.LineOverloaded` when more than ``max_parts`` parts
    (default :func:`simulator.capacity.parts_limit`) pile up in an overloaded line.
    """
    return RunSession(
        scenario, replication, seed, max_parts=max_parts, trace_limit=trace_limit
    ).run_to_end()
