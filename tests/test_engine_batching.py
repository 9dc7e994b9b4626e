"""Batches in the engine: trays move and are processed as one, and are opened downstream.

Pinned down here, with constant times so the numbers are exact (derived in each test):

- batching of size B multiplies a transport-bound line's throughput by B: one vehicle with a
  trip of T s, load L and unload U delivers one load per L + U + 2T seconds, a tray of B
  parts being one load;
- a station between the tray's maker and its opener processes the whole tray in one
  operation (its process time is per tray), and the opener works the parts one by one, on
  all its servers at once;
- parts in a tray count in the WIP one by one and keep their own cycle times (Little's law
  holds on the line figures), and every piece in the WIP is held somewhere: by a server, in a
  buffer, in an open tray or on a vehicle (a tray counting its parts).
"""

from __future__ import annotations

import math

import pytest

import scenarios
from cells.batching import TrayStation
from cells.vehicles import Fleet
from simulator.model import LineModel
from simulator.session import run_replication

CYCLE = 10.0 + 10.0 + 2.0 * (70.0 / 1.0 + 1.0 / 0.5)  # L + U + 2 x (d/v + v/a) = 164 s

TRANSPORT = """
linelab: 2
name: Trays by AGV
horizon: {horizon} s
warmup: {warmup} s
layout:
  points: {{a: [0, 0], b: [70, 0]}}
  aisles: [[a, b]]
resources:
  - {{name: agv, kind: vehicle, speed: 1 m/s, acceleration: 0.5 m/s2, load: 10 s,
     unload: 10 s}}
stations:
  - {{name: cnc, process: 1 s, at: a, transport: agv{batch}}}
  - {{name: pack, process: 1 s, at: b{unbatch}}}
"""


@pytest.mark.parametrize("size", [None, 1, 5, 20])
def test_batching_multiplies_a_transport_bound_line_by_the_tray_size(size: int | None) -> None:
    """The trip of 70 m at 1 m/s with 0.5 m/s2 takes 70 + 2 = 72 s; a round trip with
    handling 164 s. The CNC (1 s a part) fills a tray of 20 in 20 s and the packer empties it
    in 20 s, both well inside a round trip, so the one AGV is the bottleneck and carries one
    tray of ``size`` parts per 164 s; the window is 100 round trips."""
    text = TRANSPORT.format(
        horizon=100 * CYCLE,
        warmup=10 * CYCLE,
        batch="" if size is None else f", batch: {size}",
        unbatch="" if size is None else ", unbatch: true",
    )
    rep = run_replication(scenarios.loads(text), 0, 1)
    per_trip = 1 if size is None else size
    assert rep.throughput_per_hour == pytest.approx(per_trip * 3600.0 / CYCLE, rel=1e-12)
    assert rep.departed == 100 * per_trip
    agv = rep.resources["agv"]
    assert agv.utilization == pytest.approx(1.0, abs=1e-9)
    assert agv.states["handling"] == pytest.approx(20.0 / CYCLE, abs=1e-9)  # once per tray
    # parts keep their own cycle times: Little's law on the line figures
    assert rep.wip == pytest.approx(rep.throughput_per_hour / 3600.0 * rep.cycle_time_s,
                                    rel=1e-9)


OVEN = """
linelab: 2
name: Oven trays
horizon: 30000 s
warmup: 3000 s
stations:
  - {name: cut, process: 1 s, batch: 10}
  - {name: oven, process: 300 s, buffer: 0}
  - {name: pack, servers: 2, process: 1.5 s, unbatch: true}
"""


def test_a_tray_is_processed_as_one_and_opened_downstream() -> None:
    """The oven bakes a tray of 10 in one 300 s operation, so the line makes 10 parts per
    300 s = 120 an hour and the oven is always busy (cut fills the next tray in 10 s and
    waits, blocked, holding it). The packer opens each tray and packs its parts one by one on
    both servers: 10 x 1.5 s / 2 servers per 300 s = 2.5 % busy each."""
    rep = run_replication(scenarios.loads(OVEN), 0, 1)
    assert rep.throughput_per_hour == pytest.approx(120.0, rel=1e-12)
    assert rep.departed == 30000 / 300 * 10
    # part j (0..9) of tray k is released at 300k + j (cut starts it), the full tray waits
    # for the oven until 300(k+1), is baked until 300(k+2), and part j leaves the packer at
    # 300(k+2) + 1.5 (j // 2 + 1): cycle times 600 + 1.5 (j // 2 + 1) - j, mean 600 s.
    assert rep.cycle_time_s == pytest.approx(600.0, abs=1e-9)
    assert rep.stations["oven"].states["busy"] == pytest.approx(1.0, abs=1e-12)
    assert rep.stations["cut"].states["busy"] == pytest.approx(10.0 / 300.0, abs=1e-12)
    assert rep.stations["pack"].states["busy"] == pytest.approx(10 * 1.5 / 2 / 300, abs=1e-12)
    assert rep.stations["oven"].utilization == pytest.approx(1.0, abs=1e-12)


FLOW = """
linelab: 2
name: Random trays
horizon: 20000 s
warmup: 1000 s
source: {{interarrival: {{dist: exponential, mean: 60 s}}}}
layout:
  points: {{a: [0, 0], b: [15, 0], c: [15, 10]}}
  aisles: [[a, b], [b, c]]
resources:
  - {{name: agv, kind: vehicle, count: 2, speed: 1 m/s, load: 3 s, unload: 3 s, capacity: 2}}
products:
  - {{name: small, share: 0.7}}
  - {{name: large, share: 0.3}}
stations:
  - {{name: cnc, servers: 2, process: {{dist: exponential, mean: 30 s}}, at: a, transport: agv,
     batch: {size}, scrap: 0.05}}
  - {{name: wash, process: {{dist: exponential, mean: {wash} s}}, buffer: 1, at: b,
     transport: agv}}
  - {{name: pack, servers: 2, process: {{dist: exponential, mean: 15 s}}, buffer: 2, at: c,
     unbatch: true}}
"""


@pytest.mark.parametrize(("seed", "size"), [(1, 1), (2, 4), (3, 10)])
def test_parts_in_trays_are_conserved(seed: int, size: int) -> None:
    """Random times, two products (one open tray each), scrap before the trays are made,
    trays carried by a shared fleet of capacity 2 and washed as one: at the end every piece
    in the WIP is held somewhere, and arrivals balance departures, scrap and what is left."""
    sc = scenarios.loads(FLOW.format(size=size, wash=10 * size))
    model = LineModel(sc, 0, seed)
    model.run_until(model.end)
    rep = model.collect()
    assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end

    def pieces(part: object) -> int:
        return len(getattr(part, "parts", (part,)))

    held = sum(pieces(s.part) for st in model.stations for s in st.servers if s.part)
    held += sum(pieces(p) for st in model.stations for p in st.queue)
    cnc = next(s for s in model.stations if isinstance(s, TrayStation) and s.trays)
    held += cnc.trays.held
    assert all(len(parts) < size for parts in cnc.trays.open.values())
    fleet = next(r for r in model.resources if isinstance(r, Fleet))
    held += sum(pieces(p) for v in fleet.units for p in v.parts)
    held += len(model.line.entrance.front)
    assert rep.wip_end == held
    assert rep.departed > 0.8 * 20000 / 60 * 0.95  # it keeps up (5 % scrap at the cnc)
    for shares in [rep.resources["agv"].states, *(s.states for s in rep.stations.values())]:
        assert math.fsum(shares.values()) == pytest.approx(1.0, abs=1e-12)


SMALL_OPENER = """
linelab: 2
name: Trays to a small opener buffer
horizon: {horizon} s
warmup: {warmup} s
layout:
  points: {{a: [0, 0], b: [40, 0]}}
  aisles: [[a, b]]
resources:
  - {{name: agv, kind: vehicle, count: 1, speed: 1 m/s, load: 10 s, unload: 10 s}}
stations:
  - {{name: m1, process: 10 s, at: a, transport: agv, batch: 4}}
  - {{name: m2, process: 5 s, at: b, unbatch: true, buffer: {buffer}}}
  - {{name: m3, process: 5 s}}
"""


@pytest.mark.parametrize("buffer", [1, 2, 3, 4, 6])
def test_full_batching_gain_needs_opener_buffer_of_tray_size_minus_servers_plus_one(
    buffer: int,
) -> None:
    """The documented condition (docs/scenario-format.md, batch and unbatch): the AGV's
    round trip is 10 + 10 + 2 x 40 s = 100 s and the CNC fills a tray of 4 in 40 s, so the
    line could make 4 parts per 100 s. The opener (one server, 5 s) puts the first part on
    its server and 3 in its buffer; the AGV, back at m1 with the next tray right after
    unloading, sets off only when m2 has a free place, i.e. when the queue is below
    ``buffer``: it waits max(0, 4 - buffer) x 5 s a trip. The window is 60 such cycles."""
    cycle = 100.0 + max(0, 4 - buffer) * 5.0
    text = SMALL_OPENER.format(horizon=70 * cycle, warmup=10 * cycle, buffer=buffer)
    rep = run_replication(scenarios.loads(text), 0, 1)
    assert rep.throughput_per_hour == pytest.approx(4 * 3600.0 / cycle, rel=1e-9)
