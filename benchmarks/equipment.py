"""A 30-station line with robots, tended CNC units, operators on shifts, failures and setups.

The line (format 2, built in code below): three products (shares 0.5, 0.3, 0.2); a CNC
group of 6 units tended by the operators (40 s load/unload, 6 min cut); 4 robot cells, each
tended by one unit of a 4-robot resource; 8 manual stations operated by the operators; the
other 17 automatic stations have failures (MTBF 8 h of operation, MTTR 20 min) and setups
on a product change (2 min). 12 operators work three 8-hour shifts, 4 on each (modelled as a
resource of 4 units that follows the three shifts, with a 30-minute break in each shift).
Buffers of 10 places; an unlimited supply in front of the first station. One simulated week.

Material flow (issue #8): a fleet of 4 AGVs (1 m/s, 0.5 m/s², 15 s load and unload, parked
at the CNC group) carries parts from the CNC group to the next station (20 m) and from robot
cell 8 to the next station (about 36 m, round a corner); stations 2 and 14 put their parts on
conveyors (6 m at 0.2 m/s, one part per 0.5 m). ``--without-fleet`` times the line without
them.

Goal (issue #7): under 10 s on one core. Run: ``python benchmarks/equipment.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: benchmarks/kernels.py must not shadow the
    sys.path[0] = str(Path(__file__).resolve().parents[1])  # kernels package (paths)

import scenarios
from simulator.session import run_replication

STATIONS = 30


def equipment_yaml(days: float, fleet: bool = True) -> str:
    """The benchmark scenario as YAML text (``days`` of simulated time; ``fleet``: with the
    AGVs and conveyors)."""
    lines = [
        "linelab: 2",
        "name: Equipment benchmark",
        f"horizon: {days} d",
        "seed: 3",
        "calendar:",
        "  shifts:",
        '    - {name: early, start: "06:00", end: "14:00"}',
        '    - {name: late, start: "14:00", end: "22:00"}',
        '    - {name: night, start: "22:00", end: "06:00"}',
        "  breaks:",
        '    - {start: "10:00", duration: 30 min, shifts: [early]}',
        '    - {start: "18:00", duration: 30 min, shifts: [late]}',
        '    - {start: "02:00", duration: 30 min, shifts: [night]}',
        "products:",
        "  - {name: a, share: 0.5}",
        "  - {name: b, share: 0.3}",
        "  - {name: c, share: 0.2}",
        "resources:",
        "  - {name: operators, kind: operator, count: 4, shifts: [early, late, night]}",
        "  - {name: robots, kind: robot, count: 4}",
    ]
    if fleet:
        lines += [
            "  - {name: agvs, kind: vehicle, count: 4, speed: 1 m/s, acceleration: 0.5 m/s2,",
            "     load: 15 s, unload: 15 s, park: cnc_out}",
            "layout:",
            "  points: {cnc_out: [0, 0], st06_in: [20, 0], cell8_out: [20, 20],",
            "           corner: [0, 20], st09_in: [0, 36]}",
            "  aisles: [[cnc_out, st06_in], [st06_in, cell8_out], [cell8_out, corner],",
            "           [corner, st09_in], [cnc_out, corner]]",
        ]
    lines.append("stations:")
    belt = ", conveyor: {length: 6 m, speed: 0.2 m/s, spacing: 0.5 m}" if fleet else ""
    where = {5: ", at: cnc_out, transport: agvs", 6: ", at: st06_in",
             8: ", at: cell8_out, transport: agvs", 9: ", at: st09_in", 2: belt, 14: belt}

    exp = "{dist: exponential, mean: 50 s}"
    for i in range(STATIONS):
        name = f"st{i:02d}"
        extra = where.get(i, "") if fleet else ""
        if i == 5:
            lines.append(
                "  - {name: cnc, servers: 6, buffer: 10, process: 6 min, "
                "tending: {by: operators, time: 40 s}, "
                f"failures: {{mtbf: 8 h, mttr: 20 min}}{extra}}}"
            )
        elif i in (8, 12, 16, 20):
            lines.append(
                f"  - {{name: robot_cell_{i}, buffer: 10, process: 40 s, "
                f"tending: {{by: robots, time: 8 s}}{extra}}}"
            )
        elif i % 4 == 1:
            lines.append(
                f"  - {{name: {name}, buffer: 10, process: {exp}, operated_by: operators{extra}}}"
            )
        else:
            lines.append(
                f"  - {{name: {name}, buffer: 10, process: {exp}, "
                f"failures: {{mtbf: 8 h, mttr: 20 min}}, setup: 2 min{extra}}}"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0, help="simulated days")
    parser.add_argument(
        "--without-fleet", action="store_true", help="no AGVs, no conveyors (the issue #7 line)"
    )
    args = parser.parse_args()
    fleet = not args.without_fleet
    scenario = scenarios.loads(equipment_yaml(args.days, fleet))
    assert len(scenario.stations) == STATIONS
    t0 = time.perf_counter()
    rep = run_replication(scenario, 0)
    elapsed = time.perf_counter() - t0
    print(
        f"{STATIONS} stations, 4 robots, 6 tended CNC units, 12 operators on 3 shifts, "
        f"failures and setups, {args.days:g} simulated days"
        + (", 4 AGVs and 2 conveyors" if fleet else "")
    )
    print(
        f"throughput {rep.throughput_per_hour:.1f}/h, {rep.departed} parts; "
        f"operators {rep.resources['operators'].utilization:.1%} busy, "
        f"robots {rep.resources['robots'].utilization:.1%} busy"
        + (
            f", AGVs {rep.resources['agvs'].utilization:.1%} busy "
            f"({rep.resources['agvs'].empty_travel_share:.0%} of travel empty)"
            if fleet
            else ""
        )
    )
    print(f"time {elapsed:.2f} s  (goal < 10 s on one core)")


if __name__ == "__main__":
    main()
