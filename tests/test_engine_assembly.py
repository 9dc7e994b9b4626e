"""Assembly stations in the engine: kits, the slower component stream, and the bookkeeping.

Pinned down here, with constant times so the numbers are exact (derived in each test):

- an assembly station's output equals the slower component stream (per kit: quantity x the
  component's cycle), whichever component is slower, and quantities > 1 count;
- the assembled part's cycle time runs from its earliest component's release; with a full
  port the faster component ages ``(buffer + 1)`` kit cycles before it is joined;
- without a source every component product has its own unlimited supply at its first station;
  with a source, shares draw the components and the assembled product is never released;
- components leave the WIP when their kit starts (consumed, no departure, no cycle time):
  ``wip_start + arrived = departed + scrapped + wip_end + kits x (kit_size - 1)``, and the WIP
  at the end is exactly the parts held by servers, buffers, input ports and vehicles -- also
  when a vehicle delivers components to the assembly station and the output rides on.
"""

from __future__ import annotations

import math

import pytest

import scenarios
from cells.assembly import AssemblyStation
from cells.vehicles import Fleet
from simulator.model import LineModel
from simulator.session import run_replication

JOIN = """
linelab: 2
name: Join
horizon: 3000 s
warmup: 600 s
stations:
  - {{name: smt, process: {smt} s}}
  - {{name: cnc, process: {cnc} s}}
  - {{name: join, process: 10 s, buffer: 5,
     assembly: {{inputs: {{pcba: 1, housing: {q}}}, output: phone}}}}
  - {{name: test, process: 5 s}}
products:
  - {{name: pcba, share: 0.5, route: [smt, join]}}
  - {{name: housing, share: 0.5, route: [cnc, join]}}
  - {{name: phone, route: [join, test]}}
"""


@pytest.mark.parametrize(
    ("smt", "cnc", "q", "per_hour"),
    [
        (30.0, 20.0, 1, 120.0),  # PCBAs are slower: one kit per 30 s
        (20.0, 40.0, 1, 90.0),  # housings are slower: one kit per 40 s
        (30.0, 20.0, 2, 90.0),  # two housings a kit: 2 x 20 s = 40 s > 30 s
        (30.0, 30.0, 1, 120.0),  # balanced
    ],
)
def test_output_equals_the_slower_component_stream(
    smt: float, cnc: float, q: int, per_hour: float
) -> None:
    """Join (10 s) and test (5 s) are faster than either stream, so a kit forms once per
    max(smt, q x cnc) seconds; 3000 s is a whole number of those periods (30, 40 s), so the
    window holds exactly 3000 / period departures."""
    rep = run_replication(scenarios.loads(JOIN.format(smt=smt, cnc=cnc, q=q)), 0, 1)
    period = max(smt, q * cnc)
    assert rep.throughput_per_hour == pytest.approx(3600.0 / period, rel=1e-12)
    assert rep.throughput_per_hour == per_hour
    assert rep.departed == 3000 / period
    assert rep.products["phone"].departed == rep.departed
    assert rep.products["pcba"].departed == rep.products["housing"].departed == 0
    assert rep.stations["join"].states["busy"] == pytest.approx(10.0 / period, abs=1e-12)
    assert rep.stations["join"].states["blocked"] == 0.0


def test_cycle_time_runs_from_the_earliest_component() -> None:
    """PCBA every 30 s, housing every 20 s, 5 kits of buffer. In the periodic regime the
    housing port holds 5 and the CNC is blocked holding a 6th. A housing released at t
    (the moment the blocked one moves into the port) enters the port at t + 30 as the 5th and
    is joined at t + 6 x 30 = t + 180, with a PCBA released at t + 150: the phone's cycle time
    is 180 + join 10 + test 5 = 195 s. WIP: 1 PCBA on the SMT + 6 housings + a phone on join
    for 10 of 30 s and on test for 5 of 30 s = 7.5. (Little's law on these line-level
    figures would say 1/30 x 195 = 6.5: the WIP counts components and assemblies as pieces.)"""
    rep = run_replication(scenarios.loads(JOIN.format(smt=30, cnc=20, q=1)), 0, 1)
    assert rep.cycle_time_s == pytest.approx(195.0, abs=1e-9)
    assert rep.products["phone"].cycle_time_s == pytest.approx(195.0, abs=1e-9)
    assert rep.wip == pytest.approx(7.5, abs=1e-12)
    assert rep.stations["cnc"].states["blocked"] == pytest.approx(1.0 / 3.0, abs=1e-12)
    # each kit: 2 pieces in, 1 out -> the WIP drops by one per kit
    assert rep.wip_start + rep.arrived == rep.departed + rep.wip_end + rep.departed * 1


FLOW = """
linelab: 2
name: Join with AGV
horizon: 20000 s
warmup: 1000 s
source: {{interarrival: {{dist: exponential, mean: 20 s}}}}
layout:
  points: {{a: [0, 0], b: [15, 0], c: [15, 10]}}
  aisles: [[a, b], [b, c]]
resources:
  - {{name: agv, kind: vehicle, count: 2, speed: 1 m/s, load: 3 s, unload: 3 s,
     capacity: 2}}
stations:
  - {{name: smt, process: {{dist: exponential, mean: 30 s}}, at: a, transport: agv}}
  - {{name: cnc, servers: 2, process: {{dist: exponential, mean: 50 s}}, buffer: 2,
     scrap: 0.05}}
  - {{name: join, process: {{dist: exponential, mean: 30 s}}, buffer: {buffer}, at: b,
     transport: agv, assembly: {{inputs: {{pcba: 1, housing: 2}}, output: phone}}}}
  - {{name: test, process: {{dist: exponential, mean: 20 s}}, buffer: 1, at: c}}
products:
  - {{name: pcba, share: 0.4, route: [smt, join]}}
  - {{name: housing, share: 0.6, route: [cnc, join]}}
  - {{name: phone, route: [join, test]}}
"""


@pytest.mark.parametrize(("seed", "buffer"), [(1, 0), (2, 1), (3, 3)])
def test_parts_are_conserved_with_a_source_and_vehicles(seed: int, buffer: int) -> None:
    """Random times, a source drawing PCBAs (0.4) and housings (0.6), PCBAs delivered to the
    join by AGV, phones carried on by AGV: every piece in the WIP is held somewhere, and
    arrivals balance departures, scrap, what is left and the pieces that kits merged."""
    model = LineModel(scenarios.loads(FLOW.format(buffer=buffer)), 0, seed)
    model.run_until(model.end)
    rep = model.collect()
    join = next(s for s in model.stations if isinstance(s, AssemblyStation))
    assert join.kit_size == 3
    merged = join.kits * (join.kit_size - 1)
    assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end + merged
    held = sum(s.part is not None for st in model.stations for s in st.servers)
    held += sum(len(st.queue) for st in model.stations)
    held += sum(len(p.queue) for p in join.ports)
    fleet = next(r for r in model.resources if isinstance(r, Fleet))
    held += sum(len(v.parts) for v in fleet.units)
    held += len(model.line.entrance.front)  # released by the source, waiting to enter
    assert rep.wip_end == held
    kits = max(buffer, 1)
    assert all(len(p.queue) <= kits * p.quantity for p in join.ports)
    assert rep.products["phone"].departed == rep.departed > 0
    # housings are the bottleneck stream: 0.6 / 20 s = 0.03 /s, i.e. 0.015 kits/s (54/h);
    # 2 CNCs of 50 s could do 0.04 /s, so the source paces them.
    assert rep.throughput_per_hour < 54.0 * 1.2
    for shares in [rep.resources["agv"].states, *(s.states for s in rep.stations.values())]:
        assert math.fsum(shares.values()) == pytest.approx(1.0, abs=1e-12)


def test_same_seed_same_result() -> None:
    sc = scenarios.loads(FLOW.format(buffer=1))
    a, b = run_replication(sc, 0, 7), run_replication(sc, 0, 7)
    assert a == b


def test_components_start_at_their_own_stations_without_a_source() -> None:
    """No source: each component product has its own unlimited supply at its first station
    (the loader's "every route starts at one station" rule does not apply with assembly);
    the SMT and the CNC never starve."""
    rep = run_replication(scenarios.loads(JOIN.format(smt=30, cnc=20, q=1)), 0, 1)
    assert rep.stations["smt"].states["starved"] == 0.0
    assert rep.stations["cnc"].states["starved"] == 0.0
    assert rep.stations["smt"].states["busy"] == 1.0


@pytest.mark.parametrize(("seed", "buffer"), [(1, 0), (3, 3)])
def test_station_result_reports_kits_and_the_documented_balance_holds(
    seed: int, buffer: int
) -> None:
    """docs/results.md: ``wip_start + arrived = departed + scrapped + wip_end + kits x (kit
    size - 1)`` with ``kits`` read from the results (``stations.<name>.kits``, a kit of 1
    PCBA + 2 housings merges 2 pieces); only the assembly station reports kits, and the JSON
    and CSV carry the key for it alone."""
    from simulator.experiment import summarise_replications
    from simulator.output import result_to_json, stat_rows

    sc = scenarios.loads(FLOW.format(buffer=buffer))
    rep = run_replication(sc, 0, seed)
    kits = rep.stations["join"].kits
    assert kits is not None and kits > 0
    assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end + kits * 2
    assert all(r.kits is None for name, r in rep.stations.items() if name != "join")
    result = summarise_replications(sc, seed, [rep])
    data = result_to_json(result)
    stations = data["stations"]
    assert isinstance(stations, dict)
    assert stations["join"]["kits"]["values"] == [float(kits)]
    assert [n for n, s in stations.items() if "kits" in s] == ["join"]
    assert [k for k, _ in stat_rows(result) if k.endswith(".kits")] == ["stations.join.kits"]
