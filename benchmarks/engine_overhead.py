"""LineLab's engine against a minimal hand-written SimPy model of the same line.

The line: 10 stations in series, one server each, exponential processing times (mean 1 s),
buffers of 5 places in front of every station but the first, an unlimited supply in front of
the first station (no source), blocking after service. The hand-written model is the textbook
one: one SimPy process per station, ``simpy.Store`` buffers, no statistics at all. Both draw
each station's processing times from the same per-station streams (LineLab's block sampler),
so they see the very same durations and their throughputs must agree closely.

LineLab collects everything it reports (state times of every unit, buffer levels, WIP, cycle
time of every part); the ratio printed is LineLab's time / the hand-written model's time.
Goal (issue #2): <= 1.0. Run: ``python benchmarks/engine_overhead.py [--horizon SECONDS]``.

The v2 line (issue #7) is the same ten stations in format 2 with three products (shares 0.5,
0.3, 0.2, same route and times), rare failures on every station (MTBF 10,000 s of operation,
MTTR 100 s, exponential) and power data on every station, so every station runs the equipped
step program. Its time is compared with the same hand-written model of the plain line;
goal: <= 1.0.
"""

from __future__ import annotations

import argparse
import time

import simpy

import scenarios
from cells.sampling import Sampler
from cells.streams import stream
from simulator.model import process_stream_key
from simulator.session import run_replication

STATIONS = 10
BUFFER = 5

SCENARIO_YAML = """
linelab: 1
name: Ten-station exponential line
horizon: {horizon}
stations:
{stations}
"""


def line_scenario(horizon_s: float) -> scenarios.Scenario:
    """The benchmark line as a LineLab scenario."""
    stations = "\n".join(
        f"  - {{name: s{i}, process: {{dist: exponential, mean: 1 s}}, buffer: {BUFFER}}}"
        for i in range(STATIONS)
    )
    return scenarios.loads(SCENARIO_YAML.format(horizon=horizon_s, stations=stations))


V2_YAML = """
linelab: 2
name: Ten-station line, three products, rare failures, power
horizon: {horizon}
products:
  - {{name: a, share: 0.5}}
  - {{name: b, share: 0.3}}
  - {{name: c, share: 0.2}}
stations:
{stations}
"""


def v2_scenario(horizon_s: float) -> scenarios.Scenario:
    """The v2 benchmark line: the same stations with products, failures and power."""
    stations = "\n".join(
        f"  - {{name: s{i}, process: {{dist: exponential, mean: 1 s}}, buffer: {BUFFER},\n"
        "     failures: {mtbf: 10000 s, mttr: 100 s},\n"
        "     power: {busy: 5 kW, idle: 1 kW, down: 0.2 kW}}"
        for i in range(STATIONS)
    )
    return scenarios.loads(V2_YAML.format(horizon=horizon_s, stations=stations))


def hand_written(scenario: scenarios.Scenario, seed: int) -> float:
    """The naive SimPy model; returns parts finished per hour."""
    env = simpy.Environment()
    stores = [simpy.Store(env, capacity=BUFFER) for _ in range(STATIONS)]
    done = [0]

    def station(k: int, draw: Sampler) -> simpy.events.ProcessGenerator:
        while True:
            if k == 0:
                part = object()
            else:
                part = yield stores[k].get()
            yield env.timeout(draw())
            if k + 1 < STATIONS:
                yield stores[k + 1].put(part)
            else:
                done[0] += 1

    for k, spec in enumerate(scenario.stations):
        draw = Sampler(spec.process, stream(seed, 0, process_stream_key(spec.name)))
        env.process(station(k, draw))
    env.run(until=scenario.horizon)
    return done[0] / scenario.horizon * 3600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=float, default=200_000.0, help="simulated seconds")
    parser.add_argument("--repeat", type=int, default=3, help="timings to take the best of")
    args = parser.parse_args()
    scenario = line_scenario(args.horizon)
    equipped = v2_scenario(args.horizon)
    best_ll = best_hw = best_v2 = float("inf")
    th_ll = th_hw = th_v2 = 0.0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        th_hw = hand_written(scenario, scenario.seed)
        t1 = time.perf_counter()
        th_ll = run_replication(scenario, 0).throughput_per_hour
        t2 = time.perf_counter()
        th_v2 = run_replication(equipped, 0).throughput_per_hour
        t3 = time.perf_counter()
        best_hw, best_ll = min(best_hw, t1 - t0), min(best_ll, t2 - t1)
        best_v2 = min(best_v2, t3 - t2)
    agree = abs(th_ll - th_hw) / th_hw
    print(
        f"line: {STATIONS} stations, exponential(1 s), buffers {BUFFER}, horizon {args.horizon:g} s"
    )
    print(
        f"throughput  LineLab {th_ll:10.2f}/h   hand-written SimPy {th_hw:10.2f}/h   "
        f"relative difference {agree:.2e}"
    )
    print(f"time (best of {args.repeat})  LineLab {best_ll:.3f} s   hand-written {best_hw:.3f} s")
    print(f"ratio LineLab / hand-written = {best_ll / best_hw:.3f}  (goal <= 1.0)")
    print(
        f"v2 line (3 products, rare failures, power): {best_v2:.3f} s, {th_v2:.2f}/h; "
        f"ratio v2 / hand-written plain line = {best_v2 / best_hw:.3f}  (goal <= 1.0)"
    )
    if agree > 0.01:
        raise SystemExit("throughputs disagree by more than 1 %")


if __name__ == "__main__":
    main()
