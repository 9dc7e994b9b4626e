"""Walking resources: operators and robots on a track that move between the stations they serve.

A :class:`WalkingResource` is a :class:`cells.resources.Resource` whose units remember the
layout point they are at. When a unit is granted to a server of a station at another point,
it first walks there (unit state ``walking``; the server stays in its ``waiting_<kind>`` or
``down`` state), then takes the state it was asked for (tending, operating, repairing) and the
server is granted the unit. The walk takes the travel time along the shortest aisles
(``times[from][to]``, s, from :func:`cells.vehicles.travel_table`). A unit stays where it
worked last; it walks only when it is needed elsewhere. A request withdrawn while its unit
walks there (the station failed, or its working time ended) cancels the walk: on arrival the
unit serves the next request or is free where it stands.

Dispatch stays first come, first served (as for every resource): a free unit is the one idle
longest, a released unit serves the oldest request, wherever it is. Walking counts as working
in the utilization. One event per walk; a unit already at the station costs nothing extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import simpy
from simpy.events import Timeout

from cells.equipment import R_IDLE, R_OFF_SHIFT, R_REPAIRING, RESOURCE_STATES
from cells.resources import Requester, Resource, Unit
from cells.stats import StateTimer

WALKING_STATES: tuple[str, ...] = (*RESOURCE_STATES, "walking")
"""Names of a walking unit's states, by index (the resource states, then ``walking``)."""

R_WALKING = len(RESOURCE_STATES)
"""Index of the ``walking`` state."""


class WalkingResource(Resource):
    """``count`` units that walk between layout points (indices into ``times``).

    ``times[i][j]``: seconds to walk from point ``i`` to point ``j``; ``home``: the point the
    units start at. :attr:`where` maps each station served to its point (set when the line is
    wired, like a fleet's).
    """

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        kind: str,
        count: int,
        times: Sequence[Sequence[float]],
        home: int,
        *,
        now: float = 0.0,
        power: dict[str, float] | None = None,
        repairs: bool = False,
    ) -> None:
        super().__init__(name, kind, count, now=now, power=power, repairs=repairs)
        self.env = env
        self.times = [list(row) for row in times]
        for unit in self.units:
            unit.timer = StateTimer(WALKING_STATES, R_IDLE, now)
        self.at: dict[Unit, int] = {unit: home for unit in self.units}
        """Point index each unit is at (or walking to)."""
        self.where: dict[Any, int] = {}
        """Point index of each station served."""
        self.walks: dict[Requester, simpy.Event] = {}
        """Walks under way, by the requester the unit walks to (its arrival event). A walk
        whose requester withdrew (its machine failed, or its station's working time ended)
        is no longer here: on arrival its unit is released instead of granted."""
        self._on_arrived = self._arrived

    @property
    def state_names(self) -> tuple[str, ...]:
        """Unit states reported: those of a resource, then ``walking``."""
        base = RESOURCE_STATES if self.repairs else RESOURCE_STATES[:R_REPAIRING]
        return (*base, "walking")

    def _go(self, unit: Unit, requester: Requester, state: int, now: float) -> bool:
        """Send ``unit`` to ``requester``'s station; whether it must walk (then the requester
        is granted the unit on arrival)."""
        target = self.where[requester.station]  # type: ignore[attr-defined]
        here = self.at[unit]
        if here == target:
            return False
        self.at[unit] = target
        unit.timer.set(R_WALKING, now)
        ev = Timeout(self.env, self.times[here][target], (unit, requester, state))
        ev.callbacks.append(self._on_arrived)
        self.walks[requester] = ev
        return True

    def _arrived(self, event: simpy.Event) -> None:
        unit, requester, state = event._value
        now = self.env.now
        if self.walks.get(requester) is not event:  # cancelled: the unit is not wanted
            self.release(unit, now)
            return
        del self.walks[requester]
        unit.timer.set(state, now)
        requester.granted(unit, now)

    def withdraw(self, requester: Requester) -> None:
        """Take back the request of ``requester``: waiting in line, or with a unit walking
        to it (the walk is cancelled; the unit, on arrival, serves the next request or is
        free there)."""
        if self.walks.pop(requester, None) is None:
            super().withdraw(requester)

    def pending(self) -> list[Requester]:
        """Requesters with a unit walking to them, then those waiting in line, in order."""
        return [*self.walks, *super().pending()]

    def request(self, requester: Requester, state: int, now: float) -> Unit | None:
        """A free unit already at the station (in ``state``), or ``None``: a free unit walks
        there first, or the request waits in line; ``requester.granted`` follows."""
        if self.free:
            unit = self.free.popleft()
            if self._go(unit, requester, state, now):
                return None
            unit.timer.set(state, now)
            return unit
        self.requests.append((requester, state))
        return None

    def release(self, unit: Unit, now: float) -> None:
        """``unit`` has finished: it serves the oldest request (walking there if needed), else
        it is free where it stands (or goes off shift outside working time)."""
        if not self.on_shift:
            unit.timer.set(R_OFF_SHIFT, now)
            self.off.append(unit)
            return
        if self.requests:
            requester, state = self.requests.popleft()
            if self._go(unit, requester, state, now):
                return
            unit.timer.set(state, now)
            requester.granted(unit, now)
        else:
            unit.timer.set(R_IDLE, now)
            self.free.append(unit)

    def utilization(self, shares: dict[str, float]) -> float:
        """Working share: tending, operating, repairing and walking."""
        return super().utilization(shares) + shares.get("walking", 0.0)

