"""Vehicle batteries in the engine: the charging cycle of a saturated vehicle, by hand.

Every time here is constant and every trip a whole number of seconds, so the line settles
into a periodic charging cycle and a measured window of whole cycles holds exactly its
departures and state times, whatever the cycle's phase (the window's ends are half a second
off every event). What is pinned down:

- each trip drains ``use · distance`` (loaded and empty alike); a vehicle whose charge is at
  or below ``low`` after a task drives empty to the nearest charger, charges
  ``(full − charge) / charge_rate`` and then serves requests again, so a saturated vehicle
  delivers the tasks of one charge cycle per (tasks' time + trip to the charger + charging);
- the nearest of several chargers is taken; a charger at the drop point costs no trip;
- ``charging`` is a state only with a battery; shares sum to 1; utilization excludes it;
- through the scenario format: the same numbers from a file, and identical results for the
  same seed.
"""

from __future__ import annotations

import math

import pytest

from cells.battery import Charging, distance_table
from cells.vehicles import VEHICLE_STATES, Fleet, travel_table
from cells.workstation import Workstation
from tests.theory.v2cells import CellsLine

V, A, LOAD, UNLOAD = 1.0, 0.5, 10.0, 10.0  # v²/a = 2 m: every trip here is a trapezoid
D, C = 50.0, 10.0  # pick-up -> drop, drop -> charger (m)
CAPACITY, USE, RATE, LOW, FULL = 1.0, 0.001, 6.0, 0.2, 0.9  # kWh, kWh/m, kW, fractions


def trip(d: float) -> float:
    """Rest-to-rest time over ``d`` m (trapezoid: accelerate, cruise, brake)."""
    return d / V + V / A


def charge_cycle(d: float, c: float) -> tuple[int, float, dict[str, float]]:
    """The steady charge cycle of one saturated vehicle, derived by hand: it leaves the
    charger full, drives empty to the pick-up (d + c), then each task is an empty return (d,
    except the first) and a loaded trip (d); after the first task that leaves it at or below
    ``low`` it drives c to the charger. Returns (tasks per cycle, cycle time s, state seconds).
    """
    level = FULL * CAPACITY - USE * ((d + c) + d)  # first task: from the charger
    tasks = 1
    while level > LOW * CAPACITY + 1e-12:
        level -= USE * 2 * d
        tasks += 1
    level -= USE * c  # to the charger
    charging = (FULL * CAPACITY - level) / RATE * 3600.0
    empty = trip(d + c) + (tasks - 1) * trip(d) + (trip(c) if c > 0 else 0.0)
    loaded = tasks * trip(d)
    handling = tasks * (LOAD + UNLOAD)
    seconds = {"travel_empty": empty, "travel_loaded": loaded, "handling": handling,
               "charging": charging}
    return tasks, math.fsum(seconds.values()), seconds


def battery_line(coords: list[tuple[float, float]], aisles: list[tuple[int, int]],
                 chargers: list[int]) -> tuple[CellsLine, Fleet, Charging]:
    """cnc (2 servers, 1 s: a part always waits) at point 0 -> agv -> wash (0 s) at 1."""
    line = CellsLine()
    cnc = Workstation(line.env, "cnc", 2, math.inf, lambda part, server: 1.0)
    wash = Workstation(line.env, "wash", 1, math.inf, lambda part, server: 0.0)
    line.stations += [cnc, wash]
    battery = Charging(CAPACITY, USE, RATE, chargers,
                       distance_table(coords, aisles, [False] * len(aisles)), low=LOW, full=FULL)
    fleet = Fleet(line.env, "agv", 1, travel_table(coords, aisles, V, A), {cnc: 0, wash: 1},
                  load=LOAD, unload=UNLOAD, start=0, battery=battery)
    cnc.transport, cnc.moved = fleet, True
    line.resources.append(fleet)  # type: ignore[arg-type]
    line.serial()
    return line, fleet, battery


def test_hand_derived_cycle_numbers() -> None:
    """The arithmetic the tests below rely on, spelled out once: 7 tasks a cycle, from 0.79
    kWh after the first task down to 0.19, 0.18 after the 10 m to the charger; charging
    0.72 kWh at 6 kW takes 432 s; the cycle is 62 + 13·52 + 7·20 + 12 + 432 = 1322 s."""
    tasks, cycle, seconds = charge_cycle(D, C)
    assert tasks == 7
    assert seconds["charging"] == pytest.approx(432.0, abs=1e-9)
    assert cycle == pytest.approx(1322.0, abs=1e-9)


@pytest.mark.parametrize("far_charger_first", [False, True])
def test_saturated_vehicle_with_battery_loses_exactly_its_charging_cycle(
    far_charger_first: bool,
) -> None:
    """Pick-up at 0, drop at 1 (50 m), charger at 2, 10 m beyond the drop; another charger
    at 3, 100 m beyond the drop, is never used (the nearest is taken)."""
    coords = [(0.0, 0.0), (D, 0.0), (D, C), (D + 100.0, 0.0)]
    aisles = [(0, 1), (1, 2), (1, 3)]
    line, fleet, battery = battery_line(coords, aisles, [3, 2] if far_charger_first else [2, 3])
    tasks, cycle, seconds = charge_cycle(D, C)
    m = 12
    warmup = 3000.5  # past the first (longer) charge cycle; half a second off every event
    end = line.run(warmup, m * cycle)
    assert line.traffic.departed == m * tasks
    shares = fleet.shares(end, warmup)
    assert set(shares) == {*VEHICLE_STATES, "charging"}
    for state, secs in seconds.items():
        assert shares[state] == pytest.approx(secs / cycle, abs=1e-9), state
    assert shares["idle"] == pytest.approx(0.0, abs=1e-9)
    assert shares["blocked"] == shares["off_shift"] == 0.0
    assert math.fsum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert fleet.utilization(shares) == pytest.approx(1.0 - 432.0 / cycle, abs=1e-9)
    assert battery.charges == m
    assert battery.lowest == pytest.approx(0.14, abs=1e-12)  # first cycle: 8 tasks from 0.9
    # Without a battery the same vehicle makes one part per round trip:
    plain = (LOAD + UNLOAD + 2 * trip(D))
    assert tasks / cycle < 1.0 / plain


def test_charger_at_the_drop_point_costs_no_trip() -> None:
    """Charger at the drop: no trip to it; after charging the vehicle drives d back empty."""
    coords = [(0.0, 0.0), (D, 0.0)]
    line, fleet, battery = battery_line(coords, [(0, 1)], [1])
    assert battery.charges == 0
    tasks, cycle, seconds = charge_cycle(D, 0.0)
    # from the charger at the drop the first empty trip is d, not d + c:
    assert seconds["travel_empty"] == pytest.approx(tasks * trip(D), abs=1e-9)
    end = line.run(3000.5, 10 * cycle)
    assert line.traffic.departed == 10 * tasks
    shares = fleet.shares(end, 3000.5)
    assert shares["charging"] == pytest.approx(seconds["charging"] / cycle, abs=1e-9)
    assert shares["travel_empty"] == pytest.approx(seconds["travel_empty"] / cycle, abs=1e-9)
    assert battery.charges == 10


def test_a_fleet_without_battery_has_no_charging_state() -> None:
    line = CellsLine()
    cnc = Workstation(line.env, "cnc", 1, math.inf, lambda part, server: 1.0)
    fleet = Fleet(line.env, "agv", 1, [[0.0]], {cnc: 0}, load=0.0, unload=0.0, start=0)
    assert fleet.state_names == VEHICLE_STATES
    assert set(fleet.shares(10.0, 0.0)) == set(VEHICLE_STATES)


BATTERY_YAML = """
linelab: 2
name: Battery AGV
horizon: {horizon} s
warmup: 3000.5 s
layout:
  points: {{cnc_out: [0, 0], wash_in: [50, 0], charger: [50, 10]}}
  aisles: [[cnc_out, wash_in], [wash_in, charger]]
resources:
  - name: agv
    kind: vehicle
    speed: 1 m/s
    acceleration: 0.5 m/s2
    load: 10 s
    unload: 10 s
    battery: {{capacity: 1000 Wh, use: 1 Wh/m, charge_rate: 6 kW, charger: charger,
              low: 0.2, full: 0.9}}
stations:
  - {{name: cnc, servers: 2, process: 1 s, at: cnc_out, transport: agv}}
  - {{name: wash, process: 1 ms, at: wash_in}}
"""


def test_scenario_with_battery_gives_the_hand_derived_throughput() -> None:
    """The same cell from a file (wash takes 1 ms instead of 0: it never holds the vehicle)."""
    import scenarios
    from simulator.experiment import run_experiment
    from simulator.output import result_to_json

    tasks, cycle, seconds = charge_cycle(D, C)
    sc = scenarios.loads(BATTERY_YAML.format(horizon=10 * cycle))
    assert sc.resources[0].battery is not None
    result = run_experiment(sc)
    for rep in result.replications:
        assert rep.throughput_per_hour == pytest.approx(tasks * 3600.0 / cycle, rel=1e-12)
        agv = rep.resources["agv"]
        assert agv.states["charging"] == pytest.approx(seconds["charging"] / cycle, abs=1e-9)
        assert agv.utilization == pytest.approx(1.0 - seconds["charging"] / cycle, abs=1e-9)
        assert math.fsum(agv.states.values()) == pytest.approx(1.0, abs=1e-12)
    data = result_to_json(result)
    assert result_to_json(run_experiment(sc))["kpis"] == data["kpis"]
