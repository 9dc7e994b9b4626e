"""The small base every unit and resource shares: a dotted name and a state timer.

Unit states are indices into :data:`UNIT_STATES`. The set grows with the format (``down``,
``setup``, ``waiting_operator`` ...); reports list every state a unit can be in, so shares
always sum to 1.
"""

from __future__ import annotations

from cells.stats import StateTimer

UNIT_STATES: tuple[str, ...] = ("busy", "starved", "blocked")
"""Names of the unit states, in index order."""

BUSY, STARVED, BLOCKED = 0, 1, 2


class Equipment:
    """A unit with a dotted name (``press.2``) whose time in each state is recorded."""

    __slots__ = ("name", "timer")

    def __init__(self, name: str, state: int = STARVED, now: float = 0.0) -> None:
        self.name = name
        self.timer = StateTimer(UNIT_STATES, state, now)
