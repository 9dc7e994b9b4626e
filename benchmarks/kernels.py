"""Kernel speed: motion-time evaluations per second and flow-line parts per second.

Run: ``python benchmarks/kernels.py`` (first run compiles and caches the kernels; the timings
below exclude compilation). Prints numba vs the slow pure-Python references in
``tests/kernels/naive.py`` — the numbers a layout edit or a buffer-sizing sweep depends on.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernels.flowline import flowline_departures, flowline_stats
from kernels.motion import scurve_time, trapezoidal_time


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _python_trapezoid(d: float, v: float, a: float) -> float:
    if d * a >= v * v:
        return d / v + v / a
    return 2.0 * math.sqrt(d / a)


def _python_flowline(process: np.ndarray, buffers: list[int]) -> list[list[float]]:
    """Plain-Python version of the recursion on lists (one replication, saturated)."""
    n_parts, k_count = len(process), len(buffers)
    out = [[0.0] * (k_count + 1) for _ in range(n_parts)]
    for n in range(n_parts):
        for k in range(k_count):
            start = out[n][k] if k > 0 else 0.0
            if n > 0:
                start = max(start, out[n - 1][k + 1])
            if k == 0:
                out[n][0] = start
            dep = start + process[n][k]
            if k + 1 < k_count:
                b = buffers[k + 1]
                if b >= 0 and n - b - 1 >= 0:
                    dep = max(dep, out[n - b - 1][k + 2])
            out[n][k + 1] = dep
    return out


def bench_motion() -> None:
    from tests.kernels.naive import move_time_bisect

    rng = np.random.default_rng(0)
    n = 1_000_000
    d = rng.uniform(0.0, 1.0, n)
    v = rng.uniform(0.5, 2.0, n)
    a = rng.uniform(1.0, 10.0, n)
    j = rng.uniform(10.0, 200.0, n)
    trapezoidal_time(d[:10], v[:10], a[:10])
    scurve_time(d[:10], v[:10], a[:10], j[:10])
    t_trap = _best(lambda: trapezoidal_time(d, v, a))
    t_scurve = _best(lambda: scurve_time(d, v, a, j))
    m = 20_000
    dl, vl, al = d[:m].tolist(), v[:m].tolist(), a[:m].tolist()
    t_py = _best(lambda: [_python_trapezoid(x, y, z) for x, y, z in zip(dl, vl, al, strict=True)])
    k = 2_000
    jl = j[:k].tolist()
    t_ref = _best(
        lambda: [move_time_bisect(x, y, z, w) for x, y, z, w in zip(dl, vl, al, jl, strict=False)],
        repeat=1,
    )
    print("motion-time evaluations per second")
    print(f"  trapezoid, numba kernel          {n / t_trap:14,.0f}")
    print(f"  trapezoid, pure-Python formula   {m / t_py:14,.0f}   ({t_py / m * n / t_trap:,.0f}x)")
    print(f"  S-curve,   numba kernel          {n / t_scurve:14,.0f}")
    print(
        f"  S-curve,   pure-Python reference {k / t_ref:14,.0f}   "
        f"({t_ref / k * n / t_scurve:,.0f}x, bisection reference in tests/kernels/naive.py)"
    )


def bench_flowline() -> None:
    rng = np.random.default_rng(1)
    reps, parts, stations = 100, 10_000, 5
    process = rng.exponential(60.0, (reps, parts, stations))
    buffers = np.array([-1, 2, 0, 5, 1])
    flowline_departures(process[:1, :10], buffers)
    flowline_departures(process[:1, :10], buffers, parallel=True)
    t_ser = _best(lambda: flowline_departures(process, buffers))
    t_par = _best(lambda: flowline_departures(process, buffers, parallel=True))
    out = flowline_departures(process, buffers)
    flowline_stats(out, 3600.0, 36_000.0)
    t_stats = _best(lambda: flowline_stats(out, 3600.0, 36_000.0))
    one = process[0].tolist()
    bl = buffers.tolist()
    t_py = _best(lambda: _python_flowline(one, bl), repeat=1)
    total = reps * parts
    print(f"flow-line kernel ({stations} stations, {reps} replications x {parts:,} parts)")
    print(f"  numba, serial                    {total / t_ser:14,.0f} parts/s")
    print(f"  numba, parallel=True             {total / t_par:14,.0f} parts/s")
    print(f"  statistics (flowline_stats)      {total / t_stats:14,.0f} parts/s")
    print(
        f"  pure-Python recursion            {parts / t_py:14,.0f} parts/s   "
        f"(numba serial is {t_py / parts * total / t_ser:,.0f}x faster)"
    )


STANDARD_CYCLE_STARTS = {
    # start of the 25 / 300 / 25 mm cycle (m, base frame), mid-reach, tool pointing down
    "scara_ls6_602": (0.40, -0.15, -0.15),
    "irb1200_7_70": (0.45, -0.15, 0.30),
    "ur5e": (0.45, -0.15, 0.15),
}


def standard_cycle_table() -> None:
    """The "25 mm up, 300 mm across, 25 mm down and back" cycle of each preset (docs table)."""
    from kernels.robot_tasks import motion_time, standard_cycle_waypoints
    from kernels.robots import PRESETS

    print("standard cycle 25 / 300 / 25 mm and back (s), joint moves unless noted")
    print(
        f"  {'robot':30s} {'trap stop':>9s} {'S stop':>7s} {'trap arch':>9s} {'S arch':>7s} "
        f"{'linear':>7s} {'S arch+0.2s dwell':>17s} {'vendor':>7s}"
    )
    dwell = [0.1, 0.0, 0.0, 0.1, 0.0, 0.0]  # grip at pick, release at place
    for key, start in STANDARD_CYCLE_STARTS.items():
        robot = PRESETS[key]
        wp = standard_cycle_waypoints(start)
        row = [
            motion_time(robot, wp, closed=True).total_s,
            motion_time(robot, wp, closed=True, profile="scurve").total_s,
            motion_time(robot, wp, closed=True, overlap=1.0).total_s,
            motion_time(robot, wp, closed=True, profile="scurve", overlap=1.0).total_s,
            motion_time(robot, wp, closed=True, move="linear").total_s,
            motion_time(robot, wp, closed=True, profile="scurve", overlap=1.0, dwell=dwell).total_s,
        ]
        vendor = "-" if robot.vendor_cycle_s is None else f"{robot.vendor_cycle_s:.2f}"
        print(
            f"  {robot.name:30s} {row[0]:9.3f} {row[1]:7.3f} {row[2]:9.3f} {row[3]:7.3f} "
            f"{row[4]:7.3f} {row[5]:17.3f} {vendor:>7s}"
        )


def bench_fast_path_vs_des(horizon_s: float = 100_000.0, replications: int = 4) -> None:
    """``linelab run --fast`` against the event engine on the 10-station line of
    ``benchmarks/engine_overhead.py`` (exponential 1 s, buffers of 5), whole runs: drawing the
    random numbers, the recursion, every statistic. Goal (issue #3): >= 100x, throughput within 1 %
    (the two see the same random numbers, so they agree exactly)."""
    from benchmarks.engine_overhead import line_scenario
    from simulator.experiment import run_experiment
    from simulator.fastpath import run_fast

    sc = line_scenario(horizon_s).model_copy(update={"replications": replications})
    run_fast(sc.model_copy(update={"horizon": 100.0}))  # compile or load the JIT cache
    t_fast = _best(lambda: run_fast(sc))
    fast = run_fast(sc)
    t0 = time.perf_counter()
    des = run_experiment(sc, workers=1)
    t_des = time.perf_counter() - t0
    th_f = fast.kpis["throughput_per_hour"].mean or 0.0
    th_d = des.kpis["throughput_per_hour"].mean or 0.0
    print(f"fast path vs event engine (10 stations, {replications} x {horizon_s:,.0f} s, one core)")
    print(f"  event engine (DES)               {t_des:10.3f} s   throughput {th_d:,.2f}/h")
    print(f"  flow-line fast path              {t_fast:10.3f} s   throughput {th_f:,.2f}/h")
    diff = abs(th_f - th_d) / th_d
    print(f"  speed-up {t_des / t_fast:,.0f}x   throughput difference {diff:.2e}")
    print()


def bench_fast_command_start_up(example: str = "phone_housing_line") -> None:
    """Wall time of the whole command ``linelab run EXAMPLE --fast``, interpreter start-up and
    JIT-cache loading included, run twice in fresh processes (goal: < 2 s on the second run)."""
    import subprocess

    command = [sys.executable, "-m", "simulator.cli", "run", example, "--fast", "--quiet"]
    print(f"linelab run {example} --fast, whole command in a fresh process")
    for attempt in (1, 2):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        print(f"  run {attempt}                            {time.perf_counter() - t0:10.2f} s")
    print()


if __name__ == "__main__":
    bench_motion()
    bench_flowline()
    bench_fast_path_vs_des()
    bench_fast_command_start_up()
    standard_cycle_table()
