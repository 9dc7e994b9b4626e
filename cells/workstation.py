"""Stations with equipment features: tending, operators, failures, setups, scrap, shifts, routes.

A :class:`Workstation` is a :class:`cells.station.Station` whose servers run a short step
program per part instead of one processing delay:

    (acquire an ``operated_by`` unit) -> (setup on a product change) ->
    (wait for a ``tending`` unit, tend, release it) -> process -> (release the operator)
    -> scrap or hand off (or blocked)

Each delay is one SimPy ``Timeout`` whose value is the server; the server remembers the
event it waits for (:attr:`Machine.event`), and a callback whose event is not the server's
current one returns at once. That identity is the cancellation token: a failure on the
calendar basis pre-empts an operation by forgetting its event, and the remaining time resumes
after the repair. Features a station does not have cost nothing: a station without any of them
is built as a plain :class:`~cells.station.Station` (one event per part), and each step is
skipped by one test when its feature is absent.

Failures (``basis``):

- ``operating``: the time to failure is consumed only while processing. An operation that
  contains the failure instant is split there (down, repair, then the rest of the operation);
  an operation that does not costs no extra event.
- ``calendar``: every server has its own failure clock running in all time except repairs,
  and a failure takes the server down at that instant whatever it is doing, so the down share
  is ``MTTR / (MTBF + MTTR)``. A delay in progress (processing, a setup, a tending) is
  suspended (a tending unit leaves and is asked for again for the rest of the tending) and
  resumes after the repair. A server waiting for a unit gives up its place in the resource's
  line (the unit serves the others) and asks again after the repair; a blocked server leaves
  the line of waiters of the station it blocks on (a broken machine cannot be unloaded) and,
  repaired, hands its part on if there is room, else queues again at the back; a server
  blocked on its own conveyor likewise leaves the conveyor's line and offers the part again
  after the repair; a server waiting for a vehicle keeps its request (a vehicle may load
  the part from the broken machine, which is then idle after the repair); a server
  holding a part off shift keeps it; an idle server goes back to waiting for work.

An ``operated_by`` unit is released when its machine goes down (the operator does other
work meanwhile) and asked for again after the repair, before the rest of the operation; when
the same resource repairs the machine, the operator at the machine repairs it and stays.
With ``repair_by`` the repair first waits (state ``down``) for a unit of that resource.
Working time of the station itself (``shifts``): a server does not start a part outside it
(``off_shift``, holding the part): a server still waiting, when working time ends, for the
unit that would start its operation (its operator, or its tending unit when no setup has run
for the part) withdraws its request and waits for the next shift start. A step under way
finishes, and an operation suspended by a failure continues after its repair.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import Timeout

from cells.equipment import (
    BLOCKED,
    BUSY,
    DOWN,
    OFF_SHIFT,
    R_OPERATING,
    R_REPAIRING,
    R_TENDING,
    SETUP,
    STARVED,
    TENDING,
    WAITING_OPERATOR,
    WAITING_TEND,
    WAITING_TRANSPORT,
    server_states,
)
from cells.parts import Part
from cells.resources import Resource, Unit
from cells.station import Server, Station, _server_freed
from cells.streams import counter_uniform

PH_START, PH_SETUP, PH_TEND, PH_TENDING, PH_BUSY, PH_REPAIR = 0, 1, 2, 3, 4, 5
PH_REACQUIRE, PH_BLOCKED, PH_IDLE, PH_MOVED = 6, 7, 8, 9
"""Steps of a server's program (:attr:`Machine.phase`): ``PH_SETUP`` waits for the operator
then sets up, ``PH_TEND`` runs the setup delay then asks for a tending unit, ``PH_TENDING``
waits for that unit or tends, ``PH_REACQUIRE`` waits for the operator to resume an operation
after a repair, ``PH_MOVED`` holds a finished part for the station's conveyor (blocked on it)
or vehicle fleet (``waiting_transport``); ``PH_IDLE`` (only as :attr:`Machine.resume`) means
the server had no part."""


class RoutingDeadlock(RuntimeError):
    """Parts block each other in a cycle of full stations: the line can never move again."""


class Failures:
    """Failure behaviour of a station's servers, from plain parameters.

    ``time_to_failure`` and ``repair_time`` return durations in seconds (samplers).
    ``basis`` is ``"operating"`` or ``"calendar"``; ``crew`` the resource that repairs, if any.
    """

    __slots__ = ("basis", "crew", "operating", "repair_time", "time_to_failure")

    def __init__(
        self,
        time_to_failure: Callable[[], float],
        repair_time: Callable[[], float],
        basis: str = "operating",
        crew: Resource | None = None,
    ) -> None:
        if basis not in ("operating", "calendar"):
            raise ValueError(f"failure basis must be 'operating' or 'calendar', got {basis!r}")
        self.time_to_failure = time_to_failure
        self.repair_time = repair_time
        self.basis = basis
        self.operating = basis == "operating"
        self.crew = crew


class Machine(Server):
    """A server of a :class:`Workstation`: its step and what it holds."""

    __slots__ = (
        "busy_end",
        "crew_unit",
        "event",
        "op_unit",
        "phase",
        "prepared",
        "product",
        "remaining",
        "resume",
        "tend_rest",
        "tend_unit",
        "ttf",
    )

    def __init__(self, station: Workstation, index: int) -> None:
        super().__init__(station, index, station.timer_names)
        self.event: simpy.Event | None = None
        """The delay this server waits for; any other event of it is stale."""
        self.phase = PH_START
        self.product = -1
        """Product of the last part started (for setups); -1 before the first."""
        self.ttf = float("inf")
        """Operating basis: processing time left until the next failure (s)."""
        self.remaining = -1.0
        """While down: time left of the suspended delay (setup or processing, s), or -1."""
        self.busy_end = 0.0
        """When the delay in progress (setup, tending or processing) ends (s)."""
        self.resume = PH_BUSY
        """While down (or waiting for the operator after a repair): the step to resume --
        ``PH_BUSY``, ``PH_TEND`` (a setup), ``PH_TENDING``, ``PH_START`` (the part's program
        from its start), ``PH_BLOCKED`` (hand the finished part on) or ``PH_IDLE``."""
        self.tend_rest = -1.0
        """Tending time left of a tending interrupted by a failure (s), or -1."""
        self.prepared = False
        """Has a setup run, or a failure suspended the operation, since this server's last
        tending began? Then its operation has begun though it waits for a tending unit."""
        self.op_unit: Unit | None = None
        self.tend_unit: Unit | None = None
        self.crew_unit: Unit | None = None

    def granted(self, unit: Unit, now: float) -> None:
        """A resource unit this server asked for is now its own."""
        self.station._granted(self, unit, now)  # type: ignore[attr-defined]


class Workstation(Station):
    """A station whose servers run the step program of the module docstring.

    ``process_time(part, server)`` and ``tending_time(part, server)`` return seconds (per
    product, per station; a time model may use the server). ``setup(from, to)`` returns the
    changeover time between product indices (0: none). ``scrap`` is the probability that a
    finished part is scrapped, drawn per part from the counter stream ``scrap_key``.
    ``routed``: parts go to the next receiver of their own route (else ``downstream``).
    ``power`` maps state names to kW per server (used at collect).
    """

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        servers: int,
        capacity: float,
        process_time: Callable[[Part, Server], float],
        *,
        tended_by: Resource | None = None,
        tending_time: Callable[[Part, Server], float] | None = None,
        operated_by: Resource | None = None,
        failures: Failures | None = None,
        setup: Callable[[int, int], float] | None = None,
        scrap: float = 0.0,
        scrap_key: int = 0,
        shifts: bool = False,
        routed: bool = False,
        power: dict[str, float] | None = None,
        transport: Any = None,
        conveyor: Any = None,
    ) -> None:
        if tended_by is not None and tending_time is None:
            raise ValueError(f"station {name!r}: tending needs a tending time")
        if transport is not None and conveyor is not None:
            raise ValueError(f"station {name!r}: transport and a conveyor exclude each other")
        if not 0.0 <= scrap < 1.0:
            raise ValueError(f"station {name!r}: scrap must be in [0, 1), got {scrap}")
        self.timer_names = server_states(
            None if tended_by is None else tended_by.kind,
            None if operated_by is None else operated_by.kind,
        )
        super().__init__(env, name, servers, capacity, lambda: 0.0)
        self.servers: list[Server] = [Machine(self, i) for i in range(servers)]
        self.idle = deque(self.servers)
        self.part_time = process_time
        self.tended_by = tended_by
        self.tending_time = tending_time
        self.operated_by = operated_by
        self.failures = failures
        self.setup = setup
        self.scrap = scrap
        self.scrap_key = scrap_key
        self.has_shifts = shifts
        self.routed = routed
        self.power = power
        self.transport = transport
        """The vehicle fleet (:class:`cells.vehicles.Fleet`) that carries finished parts on."""
        self.conveyor = conveyor
        """The conveyor (:class:`cells.conveyor.Conveyor`) finished parts go onto."""
        self.moved = transport is not None or conveyor is not None
        """Do finished parts leave by vehicle or conveyor (except at the end of a route,
        where they leave the line directly)?"""
        self.sink: Any = None
        """Where scrapped parts leave the line (:meth:`cells.sink.Sink.scrap`)."""
        self.trays: Any = None
        """``batch``: the :class:`cells.batching.TrayCollector` finished parts go into."""
        self.check_deadlock = False
        """Look for a cycle of full stations whenever a server blocks (routes with cycles)."""
        self.off_shift = False
        self.parked: deque[Machine] = deque()
        self.scrapped = 0
        """Parts scrapped here since the start of the measured period."""
        reach = [BUSY, STARVED, BLOCKED]
        if tended_by is not None:
            reach += [TENDING, WAITING_TEND]
        if failures is not None:
            reach.append(DOWN)
        if setup is not None:
            reach.append(SETUP)
        if shifts:
            reach.append(OFF_SHIFT)
        if operated_by is not None:
            reach.append(WAITING_OPERATOR)
        if transport is not None:
            reach.append(WAITING_TRANSPORT)
        self.reachable: tuple[int, ...] = tuple(sorted(reach))
        self._on_step = self._stepped
        self._on_tended = self._tended
        self._on_done = self._done
        self._on_fail_op = self._failed_operating
        self._on_fail_cal = self._failed_calendar
        self._on_repaired = self._repaired

    @property
    def state_names(self) -> tuple[str, ...]:
        """The states a server of this station can reach, in index order."""
        return tuple(self.timer_names[i] for i in self.reachable)

    def start_failures(self) -> None:
        """Draw every server's first time to failure (at the start of the run)."""
        f = self.failures
        if f is None:
            return
        now = self.env.now
        for server in self.servers:
            if f.operating:
                server.ttf = f.time_to_failure()  # type: ignore[attr-defined]
            else:
                self._arm(server, now)  # type: ignore[arg-type]

    # -- the step program ---------------------------------------------------------------------
    def _start(self, server: Server, part: Part, now: float) -> None:
        m: Machine = server  # type: ignore[assignment]
        m.part = part
        if self.off_shift:
            self._park(m, now)
            return
        m.phase = PH_START
        self._advance(m, now)

    def _park(self, m: Machine, now: float) -> None:
        """``m`` holds its part until working time starts (its operation has not begun)."""
        m.phase = PH_START
        m.timer.set(OFF_SHIFT, now)
        self.parked.append(m)

    def _advance(self, m: Machine, now: float) -> None:
        """Run ``m``'s program from its phase until it waits for a delay or a unit."""
        phase = m.phase
        part: Any = m.part
        if phase == PH_START:
            phase = PH_SETUP
            res = self.operated_by
            if res is not None:
                m.phase = PH_SETUP
                unit = res.request(m, R_OPERATING, now)
                if unit is None:
                    m.timer.set(WAITING_OPERATOR, now)
                    return
                m.op_unit = unit
        if phase == PH_SETUP:
            phase = PH_TEND
            setup = self.setup
            if setup is not None:
                last, product = m.product, part.product
                m.product = product
                if last >= 0 and last != product:
                    d = setup(last, product)
                    if d > 0.0:
                        m.prepared = True
                        m.phase = PH_TEND
                        m.timer.set(SETUP, now)
                        m.busy_end = now + d
                        ev = Timeout(self.env, d, m)
                        ev.callbacks.append(self._on_step)
                        m.event = ev
                        return
        if phase == PH_TEND:
            res = self.tended_by
            if res is not None:
                m.phase = PH_TENDING
                unit = res.request(m, R_TENDING, now)
                if unit is None:
                    m.timer.set(WAITING_TEND, now)
                    return
                self._tend(m, unit, now)
                return
        m.phase = PH_BUSY
        self._busy(m, self.part_time(part, m), now)

    def _stepped(self, event: simpy.Event) -> None:
        m: Machine = event._value
        if event is not m.event:
            return
        m.event = None
        self._advance(m, self.env.now)

    def _granted(self, m: Machine, unit: Unit, now: float) -> None:
        phase = m.phase
        if phase == PH_SETUP:
            m.op_unit = unit
            self._advance(m, now)
        elif phase == PH_TENDING:
            self._tend(m, unit, now)
        elif phase == PH_REPAIR:
            self._repair(m, unit, now)
        elif phase == PH_REACQUIRE:
            m.op_unit = unit
            self._continue(m, now)
        else:  # pragma: no cover - a grant always answers a request made in one of these
            raise AssertionError(f"{m.name}: unit {unit.name} granted in phase {phase}")

    def _tend(self, m: Machine, unit: Unit, now: float) -> None:
        m.prepared = False
        m.tend_unit = unit
        m.timer.set(TENDING, now)
        d = m.tend_rest
        if d < 0.0:
            d = self.tending_time(m.part, m)  # type: ignore[misc, arg-type]
        else:
            m.tend_rest = -1.0
        m.busy_end = now + d
        ev = Timeout(self.env, d, m)
        ev.callbacks.append(self._on_tended)
        m.event = ev

    def _tended(self, event: simpy.Event) -> None:
        m: Machine = event._value
        if event is not m.event:
            return
        m.event = None
        now = self.env.now
        unit = m.tend_unit
        m.tend_unit = None
        m.phase = PH_BUSY
        self._busy(m, self.part_time(m.part, m), now)  # type: ignore[arg-type]
        self.tended_by.release(unit, now)  # type: ignore[union-attr, arg-type]

    def _busy(self, m: Machine, d: float, now: float) -> None:
        m.timer.set(BUSY, now)
        f = self.failures
        if f is not None:
            if f.operating:
                ttf = m.ttf
                if ttf <= d:
                    m.remaining = d - ttf
                    m.ttf = 0.0
                    ev = Timeout(self.env, ttf, m)
                    ev.callbacks.append(self._on_fail_op)
                    m.event = ev
                    return
                m.ttf = ttf - d
            else:
                m.busy_end = now + d
        ev = Timeout(self.env, d, m)
        ev.callbacks.append(self._on_done)
        m.event = ev

    def _done(self, event: simpy.Event) -> None:
        m: Machine = event._value
        if event is not m.event:
            return
        m.event = None
        now = self.env.now
        self.completed += 1
        unit = m.op_unit
        if unit is not None:
            m.op_unit = None
            self.operated_by.release(unit, now)  # type: ignore[union-attr]
        part: Any = m.part
        p = self.scrap
        if p and counter_uniform(self.scrap_key, part.id) < p:
            m.part = None
            self.scrapped += 1
            self.sink.scrap(part, now)
            _server_freed(self, m, now)
            return
        if self.trays is not None:  # into a tray; on when it is full (cells/batching.py)
            part = self.trays.collect(m, part, now)
            if part is None:
                return
        if self.routed:
            step = part.step + 1
            part.step = step
            down = part.route[step]
        else:
            down = self.downstream
        if self.moved and down is not self.sink:
            m.phase = PH_MOVED
            conveyor = self.conveyor
            if conveyor is not None:
                conveyor.offer(m, part, down, now)
            else:
                m.timer.set(WAITING_TRANSPORT, now)
                self.transport.request(m, self, down, now)
            return
        if down.can_accept():
            m.part = None
            down.accept(part, now)
            _server_freed(self, m, now)
        else:
            m.phase = PH_BLOCKED
            m.timer.set(BLOCKED, now)
            down.waiters.append(m)
            if self.check_deadlock:
                self._look_for_deadlock(down, now)

    def _hand_off(self, m: Machine, part: Part, down: Any, now: float) -> None:
        """Give the finished ``part`` to ``down`` if it has room, else block on it (as at the
        end of :meth:`_done`, which has it inline: one call less per part)."""
        if down.can_accept():
            m.part = None
            down.accept(part, now)
            _server_freed(self, m, now)
        else:
            m.phase = PH_BLOCKED
            m.timer.set(BLOCKED, now)
            down.waiters.append(m)
            if self.check_deadlock:
                self._look_for_deadlock(down, now)

    def _target(self, m: Machine) -> Any:
        """Where the part ``m`` holds goes next (a station or the sink)."""
        if self.routed:
            part: Any = m.part
            return part.route[part.step]
        return self.downstream

    # -- failures and repairs -----------------------------------------------------------------
    def _arm(self, m: Machine, now: float) -> None:
        ev = Timeout(self.env, self.failures.time_to_failure(), m)  # type: ignore[union-attr]
        ev.callbacks.append(self._on_fail_cal)

    def _failed_operating(self, event: simpy.Event) -> None:
        m: Machine = event._value
        if event is not m.event:
            return
        m.event = None
        self._fail(m, m.remaining, self.env.now)

    def _failed_calendar(self, event: simpy.Event) -> None:
        """A calendar-basis failure: ``m`` goes down now, whatever it is doing."""
        m: Machine = event._value
        now = self.env.now
        phase = m.phase
        if m.event is not None:
            # A delay is in progress (processing, setup -- phase PH_TEND while it runs --
            # or tending): pre-empt it; its end event is now stale, the rest resumes later.
            m.event = None
            unit = m.tend_unit
            if unit is not None:
                m.tend_unit = None  # the tending unit leaves; it is asked for again
                m.tend_rest = m.busy_end - now
                self._fail(m, -1.0, now, PH_TENDING)
                self.tended_by.release(unit, now)  # type: ignore[union-attr]
                return
            self._fail(m, m.busy_end - now, now, phase)
        elif m.part is None:  # idle: starved, or off shift
            self.idle.remove(m)
            self._fail(m, -1.0, now, PH_IDLE)
        elif phase == PH_BLOCKED:  # leaves the line of waiters; queues again when repaired
            self._target(m).waiters.remove(m)
            self._fail(m, -1.0, now, PH_BLOCKED)
        elif phase == PH_MOVED:  # holds a finished part for the conveyor or a vehicle
            if self.conveyor is not None:  # blocked on the belt: leaves its line of waiters
                self.conveyor.waiters.remove(m)
            # Waiting for a vehicle: the request stays; a vehicle may load the part from
            # the broken machine (then :meth:`unloaded_while_down`).
            self._fail(m, -1.0, now, PH_MOVED)
        elif m.timer.state == OFF_SHIFT:  # holds a part it may not start yet
            self.parked.remove(m)
            self._fail(m, -1.0, now, PH_START)
        elif phase == PH_SETUP:  # waiting for the operator who starts its operation
            self.operated_by.withdraw(m)  # type: ignore[union-attr]
            self._fail(m, -1.0, now, PH_START)
        elif phase == PH_TENDING:  # waiting for a tending unit (tend_rest kept)
            self.tended_by.withdraw(m)  # type: ignore[union-attr]
            self._fail(m, -1.0, now, PH_TENDING)
        elif phase == PH_REACQUIRE:  # waiting for the operator to resume after a repair
            self.operated_by.withdraw(m)  # type: ignore[union-attr]
            self._fail(m, m.remaining, now, m.resume)
        else:  # pragma: no cover - every state of a server is listed above
            raise AssertionError(f"{m.name}: calendar failure in phase {phase}")

    def _fail(self, m: Machine, remaining: float, now: float, resume: int = PH_BUSY) -> None:
        """``m`` goes down; after the repair it resumes step ``resume`` (processing by
        default) with ``remaining`` s of its delay. An operator it holds leaves unless the
        operator's resource is the repair crew (then that operator repairs it)."""
        m.timer.set(DOWN, now)
        m.remaining = remaining
        m.resume = resume
        m.phase = PH_REPAIR
        crew = self.failures.crew  # type: ignore[union-attr]
        held = m.op_unit
        if held is not None:
            if crew is self.operated_by:
                held.timer.set(R_REPAIRING, now)
                self._repair(m, None, now)
                return
            m.op_unit = None
        if crew is None:
            self._repair(m, None, now)
        else:
            unit = crew.request(m, R_REPAIRING, now)
            if unit is not None:
                self._repair(m, unit, now)
        if held is not None:
            self.operated_by.release(held, now)  # type: ignore[union-attr]

    def _repair(self, m: Machine, unit: Unit | None, now: float) -> None:
        m.crew_unit = unit
        ev = Timeout(self.env, self.failures.repair_time(), m)  # type: ignore[union-attr]
        ev.callbacks.append(self._on_repaired)
        m.event = ev

    def _repaired(self, event: simpy.Event) -> None:
        m: Machine = event._value
        if event is not m.event:
            return
        m.event = None
        now = self.env.now
        f: Failures = self.failures  # type: ignore[assignment]
        unit = m.crew_unit
        m.crew_unit = None
        held = m.op_unit
        if held is not None:  # the operator at the machine repaired it
            held.timer.set(R_OPERATING, now)
        if f.operating:
            m.ttf = f.time_to_failure()
        else:
            self._arm(m, now)
        resume = m.resume
        if resume == PH_IDLE:
            m.phase = PH_START
            _server_freed(self, m, now)
        elif resume == PH_START:
            self._start(m, m.part, now)  # type: ignore[arg-type]
        elif resume == PH_BLOCKED:
            self._hand_off(m, m.part, self._target(m), now)  # type: ignore[arg-type]
        elif resume == PH_MOVED:  # offer the part to the conveyor again, or wait for the AGV
            m.phase = PH_MOVED
            if self.conveyor is not None:
                self.conveyor.offer(m, m.part, self._target(m), now)
            else:
                m.timer.set(WAITING_TRANSPORT, now)
        else:
            res = self.operated_by
            if res is None or held is not None:
                self._continue(m, now)
            else:  # the operator left during the repair: ask again first
                m.phase = PH_REACQUIRE
                op = res.request(m, R_OPERATING, now)
                if op is None:
                    m.timer.set(WAITING_OPERATOR, now)
                else:
                    m.op_unit = op
                    self._continue(m, now)
        if unit is not None:
            f.crew.release(unit, now)  # type: ignore[union-attr]

    def unloaded_while_down(self, server: Server, now: float) -> None:
        """A vehicle has taken the finished part of ``server`` while it is down (calendar
        basis): after the repair it is idle and takes the next part."""
        m: Machine = server  # type: ignore[assignment]
        m.resume = PH_IDLE

    def _continue(self, m: Machine, now: float) -> None:
        """Resume the step suspended by a failure (:attr:`Machine.resume`)."""
        resume = m.resume
        remaining = m.remaining
        m.resume = PH_BUSY
        m.remaining = -1.0
        m.prepared = True
        if resume == PH_BUSY:
            m.phase = PH_BUSY
            self._busy(m, remaining, now)
        elif resume == PH_TEND:  # the rest of a setup
            m.phase = PH_TEND
            m.timer.set(SETUP, now)
            m.busy_end = now + remaining
            ev = Timeout(self.env, remaining, m)
            ev.callbacks.append(self._on_step)
            m.event = ev
        else:  # the rest of a tending (tend_rest), or the wait for its unit, asked again
            m.phase = PH_TENDING
            res: Resource = self.tended_by  # type: ignore[assignment]
            tend_unit = res.request(m, R_TENDING, now)
            if tend_unit is None:
                m.timer.set(WAITING_TEND, now)
            else:
                self._tend(m, tend_unit, now)

    # -- working time ----------------------------------------------------------------------
    def shift_off(self, now: float) -> None:
        """Working time ends: idle servers go off shift; operations in progress finish; a
        server still waiting for the unit that would start its operation withdraws its
        request and holds its part until working time starts again."""
        self.off_shift = True
        self.idle_state = OFF_SHIFT
        for server in self.idle:
            server.timer.set(OFF_SHIFT, now)
        for res in (self.operated_by, self.tended_by):
            if res is None:
                continue
            waiting = [  # for the operator of a new operation, or its first tending
                r for r in res.pending()  # (also one a walking unit is on its way to)
                if isinstance(r, Machine) and r.station is self
                and (r.phase == PH_SETUP or (r.phase == PH_TENDING and not r.prepared))
            ]
            for m in waiting:  # in the order they asked
                res.withdraw(m)
                self._park(m, now)

    def shift_on(self, now: float) -> None:
        """Working time starts: idle servers wait for work; parked parts start."""
        self.off_shift = False
        self.idle_state = STARVED
        for server in self.idle:
            server.timer.set(STARVED, now)
        parked = self.parked
        while parked:
            m = parked.popleft()
            m.phase = PH_START
            self._advance(m, now)

    # -- routing deadlock ----------------------------------------------------------------------
    def _look_for_deadlock(self, target: Any, now: float) -> None:
        """Raise :class:`RoutingDeadlock` if the stations reachable from ``target`` through
        blocked servers contain a closed set: stations with no free server and no free buffer
        place whose every server is blocked on a station of the set. Nothing in such a set
        can ever move again (only a place freeing in the set could unblock one of them). A
        path of full stations leading back is not enough: a server blocked on a station
        outside the set moves on when that one frees a place. Checking when a server blocks
        finds every deadlock: a member's last place can only be taken while no server waits
        for it, so the move that closes the set is always a server blocking, and the set
        then holds this station."""
        if not _jammed(self):
            return
        members: dict[int, Workstation] = {}
        stack = [target]
        while stack:
            st = stack.pop()
            if id(st) in members or not isinstance(st, Workstation) or not _jammed(st):
                continue
            if st.conveyor is not None or st.transport is not None:
                continue  # parts leave it by conveyor or vehicle: not part of a station cycle
            members[id(st)] = st
            stack.extend(st._target(s) for s in st.servers)  # type: ignore[arg-type]
        # Drop, until none is left to drop, every station with a server blocked outside.
        changed = True
        while changed:
            changed = False
            for key, st in list(members.items()):
                if any(id(st._target(s)) not in members for s in st.servers):  # type: ignore[arg-type]
                    del members[key]
                    changed = True
        if members:
            names = ", ".join(sorted(st.name for st in members.values()))
            raise RoutingDeadlock(
                f"routing deadlock at t = {now:g} s: stations {names} are full and every "
                "server holds a part for another of them; give one of them a larger buffer, "
                "or change the routes"
            )

    # -- statistics ---------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        """Start the measured period at ``now``."""
        super().reset(now)
        self.scrapped = 0


def _jammed(station: Station) -> bool:
    """No free server, no free place, every server blocked holding its part."""
    return (
        not station.idle
        and len(station.queue) >= station.capacity
        and all(s.timer.state == BLOCKED and s.part is not None for s in station.servers)
    )
