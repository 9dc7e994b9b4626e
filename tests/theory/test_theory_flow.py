"""A vehicle fleet fed by Poisson requests against queueing theory, through a scenario file.

Parts arrive at ``cnc`` as a Poisson stream, are machined in a constant 1 s (enough servers
that none is ever short) and wait there for the fleet. The vehicles park at ``cnc``: a vehicle
that takes a request loads it (L), drives it to ``wash`` (trip T), unloads (U) and drives
back empty (T) -- to the next request or to its park point, which is the same place -- so
every request holds one vehicle for exactly ``S = L + U + 2T``: the requests see an M/D/c
queue. With one vehicle (M/D/1, Pollaczek–Khinchine) the mean wait for a vehicle is
``ρS / (2(1 − ρ))``, so the cycle time is ``1 + Wq + L + T + U + wash``. For any count the
fleet's utilization is ``λS / c``, and empty travel is exactly half of all travel.

A conveyor between two M/M/1 stations adds its transit ``length / speed`` to Jackson's cycle
time, and ``λ · transit`` parts to the WIP.
"""

from __future__ import annotations

import math

import pytest

from tests.theory.exact import assert_agrees, simulate
from tests.theory.v2cells import SEED_OFFSET

LOAD, UNLOAD, DIST, SPEED, ACCEL, WASH = 10.0, 10.0, 30.0, 1.0, 0.5, 1.0
TRIP = DIST / SPEED + SPEED / ACCEL  # 30 m >= v²/a = 2 m: accelerate, cruise, brake
SERVICE = LOAD + UNLOAD + 2.0 * TRIP


def _fleet_yaml(count: int, interarrival: float, seed: int) -> str:
    return f"""
linelab: 2
name: fleet M/D/{count}
horizon: 1000000 s
warmup: 20000 s
replications: 20
seed: {seed + SEED_OFFSET}
source: {{interarrival: {{dist: exponential, mean: {interarrival} s}}}}
layout:
  points: {{cnc_out: [0, 0], wash_in: [{DIST}, 0]}}
  aisles: [[cnc_out, wash_in]]
resources:
  - {{name: agv, kind: vehicle, count: {count}, speed: {SPEED} m/s,
     acceleration: {ACCEL} m/s2, load: {LOAD} s, unload: {UNLOAD} s, park: cnc_out}}
stations:
  - {{name: cnc, servers: 40, process: 1 s, at: cnc_out, transport: agv}}
  - {{name: wash, process: {WASH} s, at: wash_in}}
"""


def test_one_vehicle_is_an_md1_queue() -> None:
    rho = 0.6
    lam = rho / SERVICE
    res = simulate(_fleet_yaml(1, 1.0 / lam, 31))
    wq = rho * SERVICE / (2.0 * (1.0 - rho))
    cycle = 1.0 + wq + LOAD + TRIP + UNLOAD + WASH
    one_way = LOAD + UNLOAD + TRIP  # a fleet that forgot the empty return trip
    wrong = 1.0 + rho * one_way / (2.0 * (1.0 - rho)) + one_way + WASH
    assert_agrees("cycle time", res.kpis["cycle_time_s"].values, cycle, 0.05, wrong=[wrong])
    assert_agrees("throughput", res.kpis["throughput_per_hour"].values, 3600 * lam, 0.02)
    agv = res.resources["agv"]
    assert_agrees("fleet utilization", agv.utilization.values, rho, 0.02)
    for share in agv.empty_travel_share.values:
        assert share == pytest.approx(0.5, abs=2 * TRIP / 1_000_000 / rho)


@pytest.mark.parametrize("count", [2, 3])
def test_fleet_utilization_is_offered_load_per_vehicle(count: int) -> None:
    rho = 0.7
    lam = count * rho / SERVICE
    res = simulate(_fleet_yaml(count, 1.0 / lam, 37 + count))
    agv = res.resources["agv"]
    assert_agrees("fleet utilization", agv.utilization.values, rho, 0.02)
    assert_agrees("throughput", res.kpis["throughput_per_hour"].values, 3600 * lam, 0.02)
    for rep in res.replications:
        assert math.fsum(rep.resources["agv"].states.values()) == pytest.approx(1.0, abs=1e-12)


def test_conveyor_adds_its_transit_to_a_jackson_tandem() -> None:
    """M/M/1 -> belt -> M/M/1 (λ = 1/60 s, μ = 1/40 and 1/30 s): the belt (12 m at 0.2 m/s,
    a part every 0.01 m, so it never fills and its 0.05 s entry gap almost never binds) adds
    60 s to Jackson's 1/(μ1 − λ) + 1/(μ2 − λ) = 120 + 60 s, and λ·60 = 1 part to the WIP."""
    res = simulate(f"""
linelab: 2
name: belt tandem
horizon: 1000000 s
warmup: 20000 s
replications: 20
seed: {43 + SEED_OFFSET}
source: {{interarrival: {{dist: exponential, mean: 60 s}}}}
stations:
  - {{name: a, process: {{dist: exponential, mean: 40 s}},
     conveyor: {{length: 12 m, speed: 0.2 m/s, spacing: 0.01 m}}}}
  - {{name: b, process: {{dist: exponential, mean: 30 s}}}}
""")
    transit = 12.0 / 0.2
    cycle = 120.0 + 60.0 + transit
    assert_agrees("cycle time", res.kpis["cycle_time_s"].values, cycle, 0.05,
                  wrong=[cycle - transit])
    assert_agrees("WIP", res.kpis["wip"].values, cycle / 60.0, 0.05)
