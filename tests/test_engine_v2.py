"""The engine with format-v2 features, built from scenario files.

Pins down: a v1 file builds the plain v1 line (no equipped station, no new result keys); v2
results carry scrap, energy, OEE, products and resources, with station and resource state
shares summing to 1 and parts conserved (scrap included); same scenario + seed gives the
same numbers; a feature on one station leaves another station's draws alone; per-part draws
(product, scrap) depend only on the part; a routing deadlock is reported (error, not a hang,
exit 2 from the command); a line whose products start at different stations needs a source;
snapshots count servers in any state; tended and manual stations stop when their resource is
off shift; a calendar failure pre-empts an operation that then resumes, and its clock counts
all time whatever the server does (blocked, holding a part off shift, waiting for a unit); a
path of full stations leading back is not a deadlock unless the set is closed (every server
blocked on a member); a station with shifts starts no operation off shift (a machine still
waiting for its operator or robot when the shift ends waits for the next one); an operator
leaves a broken machine and is free for other work during the repair.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
import simpy

import scenarios
from cells.entrance import RoutedEntrance
from cells.parts import ProductTraffic
from cells.sink import Sink
from cells.source import Source
from cells.station import Station
from cells.streams import counter_key, counter_uniform
from cells.workstation import RoutingDeadlock, Workstation
from simulator.build import LineError
from simulator.cli import main
from simulator.experiment import run_experiment
from simulator.output import kpi_table, result_to_csv, result_to_json
from simulator.session import RunSession, run_replication
from tests.helpers import scenario

CELL = """
linelab: 2
name: tended cell
horizon: 2 d
warmup: 2 h
replications: 3
seed: 4
calendar:
  shifts:
    - {name: early, start: "06:00", end: "14:00"}
    - {name: late, start: "14:00", end: "22:00"}
  breaks:
    - {start: "10:00", duration: 30 min}
products:
  - {name: a, share: 0.7, route: [cnc, deburr, cmm], process: {cnc: 5 min}}
  - {name: b, share: 0.3, route: [cnc, cmm]}
resources:
  - {name: operators, kind: operator, count: 2, shifts: [early, late]}
  - {name: robot, kind: robot, count: 1, power: {busy: 1.5 kW, idle: 0.3 kW}}
stations:
  - name: cnc
    servers: 3
    process: 6 min
    tending: {by: robot, time: 30 s}
    failures: {mtbf: 10 h, mttr: 20 min, repair_by: operators}
    setup: 3 min
    scrap: 0.05
    power: {busy: 7.5 kW, idle: 1.2 kW, down: 0.2 kW}
  - {name: deburr, process: 2 min, operated_by: operators, buffer: 4}
  - {name: cmm, process: 90 s, setup: {matrix: {a: {b: 4 min}}}}
"""


def test_v1_file_builds_the_plain_line() -> None:
    sc = scenario(
        """
        linelab: 1
        name: plain
        horizon: 1 h
        stations: [{name: a, process: 10 s}, {name: b, process: 20 s}]
        """
    )
    model = RunSession(sc).model
    assert all(type(s) is Station for s in model.stations)
    assert not model.line.equipped
    data = result_to_json(run_experiment(sc))
    assert set(data["kpis"]) == {"throughput_per_hour", "cycle_time_s", "wip"}
    assert "products" not in data and "resources" not in data
    assert set(data["stations"]["a"]["states"]) == {"busy", "starved", "blocked"}
    assert "oee" not in data["stations"]["a"]


def test_v2_results_have_every_state_and_conserve_parts() -> None:
    sc = scenario(CELL)
    res = run_experiment(sc)
    for rep in res.replications:
        assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end
        for st in rep.stations.values():
            assert math.fsum(st.states.values()) == pytest.approx(1.0)
            for unit in st.units.values():
                assert math.fsum(unit.values()) == pytest.approx(1.0)
        for r in rep.resources.values():
            assert math.fsum(r.states.values()) == pytest.approx(1.0)
        assert math.fsum(p.throughput_per_hour for p in rep.products.values()) == pytest.approx(
            rep.throughput_per_hour
        )
        assert rep.scrap_per_hour == pytest.approx(rep.scrapped / rep.horizon_s * 3600)
    cnc = res.replications[0].stations["cnc"]
    assert set(cnc.states) == {
        "busy", "starved", "blocked", "tending", "waiting_robot", "down", "setup"
    }
    assert set(res.replications[0].stations["deburr"].states) == {
        "busy", "starved", "blocked", "waiting_operator"
    }
    assert set(res.replications[0].stations["cmm"].states) == {
        "busy", "starved", "blocked", "setup"
    }
    data = result_to_json(res)
    assert set(data["kpis"]) == {
        "throughput_per_hour", "cycle_time_s", "wip", "scrap_per_hour", "energy_kwh_per_part"
    }
    assert data["kpis"]["energy_kwh_per_part"]["mean"] > 0
    assert set(data["products"]) == {"a", "b"}
    assert set(data["resources"]["operators"]["states"]) == {
        "idle", "tending", "operating", "off_shift", "repairing"
    }
    assert 0 < data["stations"]["cnc"]["oee"]["mean"] < 1
    ops = res.resources["operators"].states
    assert ops["off_shift"].mean == pytest.approx(1 - 15.5 / 24, abs=0.01)  # 16 h less a break
    csv = result_to_csv(res)
    assert "resources.robot.utilization" in csv and "products.b.cycle_time_s" in csv
    table = kpi_table(res)
    assert "operators" in table and "waiting_robot %" in table and "energy (kWh/part)" in table


def test_v2_same_seed_same_numbers_and_chunks_agree() -> None:
    sc = scenario(CELL)
    a = run_replication(sc, 1)
    session = RunSession(sc, 1)
    servers = {s.name: s.servers for s in sc.stations}
    while not session.finished:
        snap = session.advance(3_917.0)
        for st in snap.stations:
            assert sum(st.states.values()) == servers[st.name]
    assert session.result() == a
    assert run_replication(sc, 1) == a


def test_snapshot_counts_servers_in_any_state() -> None:
    sc = scenario(CELL)
    session = RunSession(sc)
    snap = session.advance(12 * 3600.0)
    by_name = {s.name: s for s in snap.stations}
    assert sum(by_name["cnc"].states.values()) == 3
    assert set(by_name["cnc"].states) >= {"down", "setup", "tending"}
    assert {r.name for r in snap.resources} == {"operators", "robot"}
    assert sum(snap.resources[0].states.values()) == 2


def test_energy_is_null_without_power() -> None:
    sc = scenario(
        """
        linelab: 2
        name: no power
        horizon: 1 h
        replications: 2
        stations: [{name: a, process: 10 s, scrap: 0.1}]
        """
    )
    data = result_to_json(run_experiment(sc))
    assert data["kpis"]["energy_kwh_per_part"]["mean"] is None
    assert data["kpis"]["scrap_per_hour"]["mean"] == pytest.approx(36, abs=15)


def test_a_failure_on_one_station_leaves_the_others_draws_alone() -> None:
    base = """
        linelab: 2
        name: crn
        horizon: 4 h
        source: {{interarrival: {{dist: exponential, mean: 60 s}}}}
        stations:
          - {{name: a, process: {{dist: exponential, mean: 30 s}}{extra}}}
          - {{name: b, process: {{dist: exponential, mean: 40 s}}, scrap: 0.2}}
        """
    plain = RunSession(scenario(base.format(extra="")))
    failing = RunSession(scenario(base.format(extra=", failures: {mtbf: 1 h, mttr: 5 min}")))
    for s in (plain, failing):
        s.run_to_end()
    # the same parts arrive (same source stream) ...
    assert plain.model.traffic.created == failing.model.traffic.created
    # ... and b's scrap decision for part i is the same draw in both.
    key_p = plain.model.stations[1].scrap_key  # type: ignore[attr-defined]
    key_f = failing.model.stations[1].scrap_key  # type: ignore[attr-defined]
    assert key_p == key_f == counter_key(0, 0, "stations.b.scrap")
    assert [counter_uniform(key_p, i) for i in range(5)] == [
        counter_uniform(key_f, i) for i in range(5)
    ]


def test_product_draw_depends_only_on_the_part() -> None:
    sc = scenario(CELL)
    one = RunSession(sc).model.traffic
    two = RunSession(sc).model.traffic
    draws = [one.choose(i) for i in range(2000)]  # type: ignore[attr-defined]
    assert draws == [two.choose(i) for i in reversed(range(2000))][::-1]  # type: ignore[attr-defined]
    assert sum(draws) / len(draws) == pytest.approx(0.3, abs=0.03)


DEADLOCK = """
linelab: 2
name: deadlock
horizon: 10 h
products:
  - {name: x, share: 0.5, route: [a, b]}
  - {name: y, share: 0.5, route: [b, a]}
source: {interarrival: 5 s}
stations:
  - {name: a, process: 10 s, buffer: 0}
  - {name: b, process: 10 s, buffer: 0}
"""


def test_routing_deadlock_is_an_error_not_a_hang(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RoutingDeadlock, match=r"routing deadlock at t = .*stations a, b"):
        run_replication(scenario(DEADLOCK))
    path = tmp_path / "deadlock.yaml"
    path.write_text(DEADLOCK, encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["run", str(path), "-j", "1", "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert "routing deadlock" in err and "Traceback" not in err
    assert not out.exists()


def test_products_starting_apart_need_a_source() -> None:
    """Refused when the file is read; the builder refuses it too (for scenarios built in code)."""
    with pytest.raises(scenarios.ScenarioError, match="every route must start at the same"):
        scenario(DEADLOCK.replace("source: {interarrival: 5 s}\n", ""))
    sc = scenario(DEADLOCK)
    sc = sc.model_copy(update={"source": None})
    with pytest.raises(LineError, match="every route must start at the same station"):
        run_replication(sc)


def test_manual_station_waits_off_shift_robot_cell_runs_on() -> None:
    sc = scenario(
        """
        linelab: 2
        name: shifts
        horizon: 7 d
        calendar:
          shifts: [{name: day, start: "08:00", end: "16:00"}]
        resources:
          - {name: people, kind: operator, count: 1, shifts: [day]}
          - {name: robot, kind: robot, count: 1}
        stations:
          - {name: manual, process: 60 s, operated_by: people}
          - {name: cell, process: 30 s, tending: {by: robot, time: 5 s}}
        """
    )
    rep = run_replication(sc)
    assert rep.throughput_per_hour == pytest.approx(60 * 8 / 24, rel=1e-3)
    assert rep.stations["manual"].states["waiting_operator"] == pytest.approx(16 / 24, abs=1e-3)
    assert rep.resources["people"].states["off_shift"] == pytest.approx(16 / 24, abs=1e-3)
    # The robot cell keeps working the parts it has; it starves because manual stops.
    assert rep.resources["robot"].states["off_shift"] == 0.0


def test_calendar_failure_preempts_and_resumes() -> None:
    sc = scenario(
        """
        linelab: 2
        name: preempt
        horizon: 200 d
        stations:
          - name: m
            process: 1 h
            failures:
              mtbf: {dist: constant, value: 2.5 h}
              mttr: {dist: constant, value: 30 min}
              basis: calendar
        """
    )
    model = RunSession(sc).model
    assert isinstance(model.stations[0], Workstation)
    rep = run_replication(sc)
    # Failure clock 2.5 h of calendar time, repair 0.5 h: up 2.5/3 of the time, and no
    # processing time is lost (the suspended hour resumes).
    assert rep.stations["m"].states["down"] == pytest.approx(0.5 / 3, rel=1e-3)
    assert rep.throughput_per_hour == pytest.approx(2.5 / 3, rel=1e-3)


def test_operator_repairs_the_machine_they_operate() -> None:
    """operated_by and repair_by the same single operator: no self-deadlock; the operator's
    time splits into operating and repairing, and the machine's into busy, down and waiting."""
    sc = scenario(
        """
        linelab: 2
        name: own repair
        horizon: 30 d
        resources: [{name: op, kind: operator, count: 1}]
        stations:
          - name: lathe
            process: 10 min
            operated_by: op
            failures:
              mtbf: {dist: constant, value: 50 min}
              mttr: {dist: constant, value: 10 min}
              repair_by: op
        """
    )
    rep = run_replication(sc)
    op = rep.resources["op"].states
    assert op["repairing"] == pytest.approx(1 / 6, abs=1e-3)
    assert op["operating"] == pytest.approx(5 / 6, abs=1e-3)
    assert rep.throughput_per_hour == pytest.approx(5, rel=1e-3)


def test_working_time_boundaries_and_week_wrap() -> None:
    from cells.calendar import WEEK_S, WorkingTime

    h = 3600.0
    # A night shift 22:00-06:00 every day: Sunday night runs into Monday morning.
    week = [(0.0, 6 * h)] + [(d * 24 * h + 22 * h, d * 24 * h + 30 * h) for d in range(6)]
    week.append((6 * 24 * h + 22 * h, WEEK_S))
    wt = WorkingTime(week)
    assert wt.is_working(0.0) and wt.is_working(WEEK_S - 1) and not wt.is_working(12 * h)
    assert wt.next_change(0.0) == 6 * h
    assert wt.next_change(6 * h) == 22 * h
    assert wt.next_change(WEEK_S - 1) == WEEK_S + 6 * h  # no boundary at the week's end
    assert wt.share() == pytest.approx(8 / 24)
    assert WorkingTime([(0.0, WEEK_S)]).next_change(5.0) == math.inf
    with pytest.raises(ValueError, match="disjoint"):
        WorkingTime([(0.0, 10.0), (5.0, 20.0)])


def test_tended_machine_finishes_its_cycle_alone_after_the_shift() -> None:
    """One machine (1 h cycle) tended 5 min by an operator who works 08:00-16:00: the last
    tending starts at 15:35, the machine runs alone until 16:40, then waits until 08:00."""
    sc = scenario(
        """
        linelab: 2
        name: alone
        horizon: 10 d
        calendar:
          shifts: [{name: day, start: "08:00", end: "16:00"}]
        resources: [{name: op, kind: operator, count: 1, shifts: [day]}]
        stations:
          - {name: m, process: 1 h, tending: {by: op, time: 5 min}}
        """
    )
    rep = run_replication(sc)
    assert rep.departed == 80  # 8 parts a day
    states = rep.stations["m"].states
    assert states["busy"] == pytest.approx(480 / 1440)
    assert states["tending"] == pytest.approx(40 / 1440)
    assert states["waiting_operator"] == pytest.approx(920 / 1440)


def test_results_do_not_depend_on_workers() -> None:
    sc = scenario(CELL)
    assert run_experiment(sc, workers=2).replications == run_experiment(sc).replications


def test_scrap_frees_a_conwip_place() -> None:
    sc = scenario(
        """
        linelab: 2
        name: conwip scrap
        horizon: 10 h
        wip_cap: 3
        stations:
          - {name: a, process: {dist: exponential, mean: 20 s}, scrap: 0.2}
          - {name: b, process: {dist: exponential, mean: 25 s}}
        """
    )
    rep = run_replication(sc)
    assert rep.wip == pytest.approx(3.0)
    assert rep.scrapped > 0
    assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end


def test_calendar_failure_preempts_tending_and_setup_too() -> None:
    """Constant times: 10 min tending + 10 min processing per part, failure clock 25 min of
    calendar time, repair 5 min. Every step is suspended and resumed, so the machine works 25
    of every 30 min: 2.5 parts/h, down 1/6 -- whatever step the failure hits."""
    sc = scenario(
        """
        linelab: 2
        name: preempt tending
        horizon: 100 d
        resources: [{name: robot, kind: robot, count: 1}]
        stations:
          - name: m
            process: 10 min
            tending: {by: robot, time: 10 min}
            failures:
              mtbf: {dist: constant, value: 25 min}
              mttr: {dist: constant, value: 5 min}
              basis: calendar
        """
    )
    rep = run_replication(sc)
    assert rep.stations["m"].states["down"] == pytest.approx(1 / 6, rel=1e-3)
    assert rep.throughput_per_hour == pytest.approx(2.5, rel=1e-3)
    assert rep.resources["robot"].utilization == pytest.approx(1.25 / 3, rel=1e-3)


def test_calendar_failure_preempts_setups() -> None:
    """A saturated machine with random product changes (7 min setup, 10 min processing):
    every step it is ever in is pre-emptible, so it is down exactly 5 of every 30 min."""
    sc = scenario(
        """
        linelab: 2
        name: preempt setup
        horizon: 100 d
        products: [{name: a, share: 0.5}, {name: b, share: 0.5}]
        stations:
          - name: m
            process: 10 min
            setup: 7 min
            failures:
              mtbf: {dist: constant, value: 25 min}
              mttr: {dist: constant, value: 5 min}
              basis: calendar
        """
    )
    rep = run_replication(sc)
    states = rep.stations["m"].states
    assert states["down"] == pytest.approx(1 / 6, rel=1e-3)
    assert states["busy"] + states["setup"] == pytest.approx(5 / 6, rel=1e-3)
    # each part costs 10 min plus a setup with probability 1/2 (exactly counted here)
    parts_time = rep.throughput_per_hour * (10 / 60)
    assert parts_time == pytest.approx(states["busy"], rel=2e-3)


def _three_station_routes(c_goes_on_to_b: bool) -> tuple[simpy.Environment, ProductTraffic]:
    """Stations A (2 servers), B, C (1 server each), no buffers; products p: A→B, q: B→A,
    r: A→C (or A→C→B). Parts r, r, q, p arrive at 0.5, 2.5, 4.5 and 5.5 s; times (s):
    A 1 for all, B 1 (p) or 10 (q), C 100. At 14.5 s A is full (one server holds p for B,
    one holds r for C, which is busy until 101.5 s) and B holds q for A: a path of full
    stations leads back to B, but A's second server waits on C, which frees a place."""
    env = simpy.Environment()
    order = [2, 2, 1, 0]
    traffic = ProductTraffic(3, lambda pid: order[pid])
    entrance = RoutedEntrance(None, traffic, None, release_on_departure=False)  # type: ignore[arg-type]
    sink = Sink(traffic, entrance)
    times = {"A": (1.0, 1.0, 1.0), "B": (1.0, 10.0, 1.0), "C": (100.0, 100.0, 100.0)}
    st = {
        name: Workstation(env, name, servers, 0.0,
                          lambda part, server, t=times[name]: t[part.product], routed=True)
        for name, servers in (("A", 2), ("B", 1), ("C", 1))
    }
    for s in st.values():
        s.sink = sink
        s.check_deadlock = True
    r_route = (st["A"], st["C"], st["B"]) if c_goes_on_to_b else (st["A"], st["C"])
    traffic.routes = [(st["A"], st["B"], sink), (st["B"], st["A"], sink), (*r_route, sink)]
    gaps = iter([0.5, 2.0, 2.0, 1.0])
    Source(env, lambda: next(gaps, 1e9), traffic, entrance).start()
    return env, traffic


def test_a_path_back_through_full_stations_is_not_a_deadlock() -> None:
    """The run goes on: C frees A's second server, which frees A for q, which frees B for p."""
    env, traffic = _three_station_routes(c_goes_on_to_b=False)
    env.run(until=1000.0)
    assert traffic.departed == 4


def test_a_closed_set_of_full_stations_is_a_deadlock() -> None:
    """Same line, but r goes on from C to B: when C finishes r (101.5 s) B is full, so A, B
    and C all wait on one another."""
    env, _ = _three_station_routes(c_goes_on_to_b=True)
    with pytest.raises(RoutingDeadlock, match=r"t = 101.5 s: stations A, B, C are full"):
        env.run(until=1000.0)


CALENDAR_FAILURE_CASES = {
    # a machine blocked most of the time by a slow station without buffer
    "blocked": """
        stations:
          - {name: m, process: 1 min, failures: {failures}}
          - {name: slow, process: 10 min, buffer: 0}
        """,
    # a machine holding its part off shift 16 h a day
    "off shift": """
        calendar: {shifts: [{name: day, start: "08:00", end: "16:00"}]}
        stations:
          - {name: m, process: 1 min, shifts: [day], failures: {failures}}
        """,
    # two machines sharing one operator: each waits for the operator half the time
    "waiting for the operator": """
        resources: [{name: op, kind: operator, count: 1}]
        stations:
          - {name: m, servers: 2, process: 7 min, operated_by: op, failures: {failures}}
        """,
    # two machines sharing one robot that tends for 7 min
    "waiting for the robot": """
        resources: [{name: robot, kind: robot, count: 1}]
        stations:
          - name: m
            servers: 2
            process: 1 min
            tending: {by: robot, time: 7 min}
            failures: {failures}
        """,
}


@pytest.mark.parametrize("case", list(CALENDAR_FAILURE_CASES))
def test_calendar_failure_clock_counts_all_time(case: str) -> None:
    """Constant clock: 25 min up, 5 min down, whatever the server does (blocked, holding a
    part off shift, waiting for a unit): down exactly 5 of every 30 min, on every server."""
    failures = ("{mtbf: {dist: constant, value: 25 min}, "
                "mttr: {dist: constant, value: 5 min}, basis: calendar}")
    body = CALENDAR_FAILURE_CASES[case].replace("{failures}", failures)
    sc = scenario(f"linelab: 2\nname: clock\nhorizon: 20 d\n{textwrap.dedent(body)}")
    rep = run_replication(sc)
    for unit in rep.stations["m"].units.values():
        assert unit["down"] == pytest.approx(1 / 6, abs=1e-9)


@pytest.mark.parametrize("how", ["operated_by: op", "tending: {by: op, time: 3 h}"])
def test_a_station_with_shifts_starts_nothing_off_shift(how: str) -> None:
    """Two machines, one operator around the clock, the station works 06:00-14:00; the step
    with the operator lasts 3 h (the whole operation, or the tending before 1 min alone).
    Starts at 06:00, 09:00 and 12:00; the machine still waiting for the operator at 14:00
    waits for the next morning (it would otherwise start at 15:00, off shift): 3 parts a day."""
    process = "3 h" if how.startswith("operated") else "1 min"
    sc = scenario(
        f"""
        linelab: 2
        name: no start off shift
        horizon: 10 d
        calendar: {{shifts: [{{name: early, start: "06:00", end: "14:00"}}]}}
        resources: [{{name: op, kind: operator, count: 1}}]
        stations:
          - {{name: m, servers: 2, process: {process}, {how}, shifts: [early]}}
        """
    )
    rep = run_replication(sc)
    assert rep.departed == 30
    assert rep.resources["op"].utilization == pytest.approx(9 / 24, abs=1e-9)


LATHES = """
linelab: 2
name: operator leaves
horizon: 30 d
resources: [{{name: op, kind: operator, count: 1}}]
stations:
  - name: lathe
    servers: {servers}
    process: 10 min
    operated_by: op
    failures:
      mtbf: {{dist: constant, value: 50 min}}
      mttr: {{dist: constant, value: 10 min}}
"""


def test_an_operator_leaves_a_broken_machine() -> None:
    """operated_by without a repair crew: the operator is released while the machine is down
    (50 min of processing between failures, 10 min repair) and is idle then."""
    rep = run_replication(scenario(LATHES.format(servers=1)))
    op = rep.resources["op"].states
    assert op["operating"] == pytest.approx(5 / 6, abs=1e-6)
    assert op["idle"] == pytest.approx(1 / 6, abs=1e-6)
    assert rep.throughput_per_hour == pytest.approx(5, rel=1e-4)
    # With two such lathes the operator runs the other one during a repair: never idle, and
    # the pair makes 6 parts/h (held through repairs, the operator would make only 5).
    two = run_replication(scenario(LATHES.format(servers=2)))
    assert two.resources["op"].states["operating"] == pytest.approx(1.0)
    assert two.throughput_per_hour == pytest.approx(6, rel=1e-3)
