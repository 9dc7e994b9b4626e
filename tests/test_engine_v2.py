"""The engine with format-v2 features, built from scenario files.

Pins down: a v1 file builds the plain v1 line (no equipped station, no new result keys); v2
results carry scrap, energy, OEE, products and resources, with station and resource state
shares summing to 1 and parts conserved (scrap included); same scenario + seed gives the
same numbers; a feature on one station leaves another station's draws alone; per-part draws
(product, scrap) depend only on the part; a routing deadlock is reported (error, not a hang,
exit 2 from the command); a line whose products start at different stations needs a source;
snapshots count servers in any state; tended and manual stations stop when their resource is
off shift; a calendar failure pre-empts an operation that then resumes.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import scenarios
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
