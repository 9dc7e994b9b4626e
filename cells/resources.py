"""Shared resources: operators and robots whose units stations wait for.

A :class:`Resource` has ``count`` identical units, a list of free units and a FIFO of
requests. A request names the server that wants a unit and the state the unit takes while it
works for that server (``tending``, ``operating``, ``repairing``). When a unit is released it
goes straight to the oldest request, or back to the free list; the granted server continues
its step program (which only schedules events: a grant never releases a unit, so releasing
is a loop, never a recursion). Dispatch is first come, first served across all stations that
use the resource; no other rule is offered yet.

Working time: with shifts, a unit that is released outside working time goes ``off_shift``
(it finished the task in hand); free units go ``off_shift`` at the end of the shift; at the
start of the next one every unit comes back and serves the waiting requests in order.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Protocol

from cells.equipment import (
    R_IDLE,
    R_OFF_SHIFT,
    R_REPAIRING,
    R_WORKING,
    RESOURCE_STATES,
    Equipment,
)


class Requester(Protocol):
    """A server that can wait for a resource unit."""

    def granted(self, unit: Unit, now: float) -> None: ...


class Unit(Equipment):
    """One operator or robot, with its state timer (``operators.2``)."""

    __slots__ = ("resource",)

    def __init__(self, resource: Resource, index: int, now: float) -> None:
        super().__init__(f"{resource.name}.{index + 1}", R_IDLE, now, RESOURCE_STATES)
        self.resource = resource


class Resource:
    """``count`` units of one kind (``operator``, ``robot``), served first come, first served.

    ``power`` maps resource state names to kW per unit (energy is integrated at collect).
    """

    def __init__(
        self,
        name: str,
        kind: str,
        count: int,
        *,
        now: float = 0.0,
        power: dict[str, float] | None = None,
        repairs: bool = False,
    ) -> None:
        if count < 1:
            raise ValueError(f"resource {name!r}: count must be >= 1, got {count}")
        self.name = name
        self.kind = kind
        self.power = power
        self.units = [Unit(self, i, now) for i in range(count)]
        self.free: deque[Unit] = deque(self.units)
        self.off: deque[Unit] = deque()
        self.requests: deque[tuple[Requester, int]] = deque()
        self.on_shift = True
        self.repairs = repairs
        """Does this resource repair failed stations (then ``repairing`` is reported)?"""

    @property
    def state_names(self) -> tuple[str, ...]:
        """The unit states reported: idle, tending, operating, off_shift (+ repairing)."""
        return RESOURCE_STATES if self.repairs else RESOURCE_STATES[:R_REPAIRING]

    @property
    def waiting_state(self) -> str:
        """The name of a server's state while it waits for this resource."""
        return f"waiting_{self.kind}"

    def request(self, requester: Requester, state: int, now: float) -> Unit | None:
        """A free unit now (already in ``state``), or ``None``: the request waits in line and
        ``requester.granted(unit, now)`` is called when a unit is free for it."""
        if self.free:
            unit = self.free.popleft()
            unit.timer.set(state, now)
            return unit
        self.requests.append((requester, state))
        return None

    def withdraw(self, requester: Requester) -> None:
        """Take back the waiting request of ``requester`` (it no longer wants a unit: its
        machine went down, or its station's working time ended before its operation began).
        The other requests keep their order."""
        requests = self.requests
        for i, (r, _) in enumerate(requests):
            if r is requester:
                del requests[i]
                return
        raise ValueError(f"resource {self.name!r}: no request to withdraw")

    def pending(self) -> list[Requester]:
        """The requesters still waiting for a unit, in the order they asked (each can be
        :meth:`withdraw`-n)."""
        return [r for r, _ in self.requests]

    def release(self, unit: Unit, now: float) -> None:
        """``unit`` has finished its task: the oldest request gets it, else it is free (or goes
        off shift outside working time)."""
        if not self.on_shift:
            unit.timer.set(R_OFF_SHIFT, now)
            self.off.append(unit)
            return
        if self.requests:
            requester, state = self.requests.popleft()
            unit.timer.set(state, now)
            requester.granted(unit, now)
        else:
            unit.timer.set(R_IDLE, now)
            self.free.append(unit)

    # -- working time ---------------------------------------------------------------------
    def shift_off(self, now: float) -> None:
        """Working time ends: free units stop; busy ones stop when they release."""
        self.on_shift = False
        free, off = self.free, self.off
        while free:
            unit = free.popleft()
            unit.timer.set(R_OFF_SHIFT, now)
            off.append(unit)

    def shift_on(self, now: float) -> None:
        """Working time starts: every unit is back and serves the waiting requests in order."""
        self.on_shift = True
        off = self.off
        while off:
            self.release(off.popleft(), now)

    # -- statistics -------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        for unit in self.units:
            unit.timer.reset(now)

    def shares(self, now: float, start: float) -> dict[str, float]:
        """State shares over ``[start, now]`` averaged over the units (sum to 1), for the
        states in :attr:`state_names`."""
        n = len(self.units)
        per_unit = [u.timer.shares(now, start) for u in self.units]
        return {s: math.fsum(u[s] for u in per_unit) / n for s in self.state_names}

    def utilization(self, shares: dict[str, float]) -> float:
        """Working share (tending, operating, repairing) of the state ``shares``."""
        return math.fsum(shares.get(RESOURCE_STATES[i], 0.0) for i in R_WORKING)
