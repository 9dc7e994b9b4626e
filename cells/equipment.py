"""The small base every unit and resource shares: a dotted name and a state timer.

Unit states are small integers, fixed for every kind of equipment so that the hot path
compares and stores integers. A unit's timer covers every index of its kind; what a report
lists is the states the unit's configuration can reach (:attr:`Equipment.timer` names them),
so shares always sum to 1.

Station servers (:data:`UNIT_STATES` for a plain v1 station, :data:`SERVER_STATES` for a
station with equipment features):

====  =================  ===============================================================
idx   name               meaning
====  =================  ===============================================================
0     busy               processing a part
1     starved            nothing to do
2     blocked            holding a finished part the next station has no room for
3     tending            being loaded/unloaded by a unit of its tending resource
4     waiting_<kind>     waiting for a unit of its tending resource (``waiting_robot``)
5     down               failed: waiting for repair or being repaired
6     setup              changing over to another product
7     off_shift          outside the station's working time (idle or holding a part)
8     waiting_<kind>     waiting for a unit of its ``operated_by`` resource
9     waiting_transport  holding a finished part until a vehicle has loaded it
====  =================  ===============================================================

Resource units (:data:`RESOURCE_STATES`): idle, tending, operating, off_shift, repairing.
"""

from __future__ import annotations

from collections.abc import Sequence

from cells.stats import StateTimer

UNIT_STATES: tuple[str, ...] = ("busy", "starved", "blocked")
"""Names of a plain (v1) station server's states, in index order."""

BUSY, STARVED, BLOCKED = 0, 1, 2
TENDING, WAITING_TEND, DOWN, SETUP, OFF_SHIFT, WAITING_OPERATOR = 3, 4, 5, 6, 7, 8
WAITING_TRANSPORT = 9


def server_states(
    tend_kind: str | None = None, operator_kind: str | None = None
) -> tuple[str, ...]:
    """State names of an equipped station server, by index (see the module table).

    The waiting states are named after the kind of resource waited for; an index whose
    resource is absent keeps a distinct placeholder name and is never entered.
    """
    return (
        "busy",
        "starved",
        "blocked",
        "tending",
        f"waiting_{tend_kind}" if tend_kind else "waiting_tending_unit",
        "down",
        "setup",
        "off_shift",
        f"waiting_{operator_kind}" if operator_kind else "waiting_operating_unit",
        "waiting_transport",
    )


SERVER_STATES: tuple[str, ...] = server_states()
"""Default state names of an equipped station server, by index."""

RESOURCE_STATES: tuple[str, ...] = ("idle", "tending", "operating", "off_shift", "repairing")
"""Names of a resource unit's states, by index."""

R_IDLE, R_TENDING, R_OPERATING, R_OFF_SHIFT, R_REPAIRING = 0, 1, 2, 3, 4
R_WORKING: tuple[int, ...] = (R_TENDING, R_OPERATING, R_REPAIRING)
"""Resource states that count as working (utilization)."""


class Equipment:
    """A unit with a dotted name (``press.2``) whose time in each state is recorded."""

    __slots__ = ("name", "timer")

    def __init__(
        self,
        name: str,
        state: int = STARVED,
        now: float = 0.0,
        names: Sequence[str] = UNIT_STATES,
    ) -> None:
        self.name = name
        self.timer = StateTimer(names, state, now)


def energy_kwh(units: Sequence[Equipment], power: dict[str, float], now: float) -> float:
    """Energy in kWh the ``units`` used since their timers' last reset, up to ``now``.

    ``power`` maps state names to kW per unit; a state not in it draws nothing. Energy is the
    state timers weighted by power: no event is spent on it while the line runs.
    """
    kws: list[float] | None = None
    total = 0.0
    for unit in units:
        if kws is None:
            kws = [power.get(name, 0.0) for name in unit.timer.names]
        for seconds, kw in zip(unit.timer.totals(now), kws, strict=True):
            total += seconds * kw
    return total / 3600.0
