"""Format-v2 scenario files through the whole engine (build, run, collect, summarise) against
exact results: the wiring of resources, tending, products, per-product process times and
per-part product draws is checked end to end, not only the cells. Every statistical check is a
99.999 % confidence interval over 40 fixed-seed replications that must contain the exact value
derived here, be narrow enough to matter and exclude the exact answer of a plausibly broken
engine (``exact.assert_agrees``).

- machine interference: 4 machines tended by 1 operator and 6 by 2, exponential times, against
  the finite-source birth-death chain solved here (not the chain with the tending counted
  twice, nor machines that never wait for the operator);
- one robot for N machines with constant times on both sides of ``N·T = P + T``;
- a product mix with per-product times at one station against Pollaczek–Khinchine, per
  product (not with every part taking the station's default time, nor the products' times
  swapped);
- shifts and breaks of the calendar cutting a station's (or its operators') output in
  proportion to working time, while a robot-tended machine keeps running.
- calendar-basis failures: the down share is MTTR/(MTBF + MTTR) whether the machine is
  blocked, holds a part off shift or waits for an operator or a robot.
"""

from __future__ import annotations

import pytest

import scenarios
from simulator.experiment import run_experiment
from tests.theory.exact import assert_agrees, mg1, simulate
from tests.theory.v2cells import REPLICATIONS, SEED_OFFSET


def _interference(n: int, c: int, process: float, tending: float) -> tuple[float, float, float]:
    """(throughput per s, machine busy share, operator utilization) of the finite-source queue:
    state k machines at the operators, birth (N−k)/process, death min(k, c)/tending."""
    p = [1.0]
    for k in range(n):
        p.append(p[-1] * (n - k) * tending / (min(k + 1, c) * process))
    total = sum(p)
    p = [x / total for x in p]
    served = sum(pk * min(k, c) for k, pk in enumerate(p))
    up = sum(pk * (n - k) for k, pk in enumerate(p))
    return served / tending, up / n, served / c


def _tended_yaml(n: int, c: int, process: str, tending: str, horizon: float, reps: int,
                 kind: str = "operator", seed: int = 17) -> str:
    return f"""
linelab: 2
name: interference {n} {c}
horizon: {horizon}
warmup: 5000
replications: {reps}
seed: {seed + SEED_OFFSET}
resources:
  - {{name: crew, kind: {kind}, count: {c}}}
stations:
  - name: m
    servers: {n}
    process: {process}
    tending: {{by: crew, time: {tending}}}
"""


@pytest.mark.slow
@pytest.mark.parametrize(("n", "c", "seed", "horizon"),
                         [(4, 1, 17, 500_000.0), (6, 2, 19, 840_000.0)])
def test_machine_interference_scenario(n: int, c: int, seed: int, horizon: float) -> None:
    """Exponential process 120 s and tending 30 s; horizon (s) per replication. Wrong answers
    excluded: tending booked twice (the machine also runs the tending time after it, or the
    operator is held for twice the tending time), and machines that never wait for the
    operator (N parts per process + tending)."""
    process, tending = 120.0, 30.0
    x, busy, util = _interference(n, c, process, tending)
    twice = [_interference(n, c, process + tending, tending),
             _interference(n, c, process, 2 * tending)]
    free = n / (process + tending)
    res = simulate(_tended_yaml(n, c, f"{{dist: exponential, mean: {process}}}",
                                f"{{dist: exponential, mean: {tending}}}", horizon,
                                REPLICATIONS, seed=seed))
    assert_agrees("throughput", res.kpis["throughput_per_hour"].values, 3600 * x, 0.01,
                  wrong=[3600 * free] + [3600 * w[0] for w in twice])
    assert_agrees("busy", res.stations["m"].states["busy"].values, busy, 0.01,
                  wrong=[w[1] for w in twice])
    assert_agrees("operator utilization", res.resources["crew"].utilization.values, util, 0.01,
                  wrong=[w[2] for w in twice])


@pytest.mark.parametrize("n", [5, 7])
def test_one_robot_break_even_scenario(n: int) -> None:
    process, tending = 100.0, 20.0
    sc = scenarios.loads(_tended_yaml(n, 1, f"{process} s", f"{tending} s", 36_000.0, 1,
                                      kind="robot"))
    res = run_experiment(sc)
    cycle = max(process + tending, n * tending)
    assert res.kpis["throughput_per_hour"].mean == pytest.approx(3600 * n / cycle, rel=2e-3)
    assert res.resources["crew"].utilization.mean == pytest.approx(
        min(1.0, n * tending / (process + tending)), rel=2e-3
    )
    assert "waiting_robot" in res.stations["m"].states


def _mixture(shares: tuple[float, ...], times: tuple[float, ...]) -> tuple[float, float]:
    """E[S] (s) and E[S²] (s²) of a service time that is ``times[i]`` with probability
    ``shares[i]``."""
    es = sum(p * t for p, t in zip(shares, times, strict=True))
    es2 = sum(p * t * t for p, t in zip(shares, times, strict=True))
    return es, es2


@pytest.mark.slow
def test_product_mix_scenario_matches_pollaczek_khinchine() -> None:
    """Poisson arrivals at ρ = 0.7; product a (60 %) has its own 40 s at the cell, b (40 %)
    the station's 100 s. Wrong answers excluded: a's time swapped with b's; every part taking
    the station's 100 s (ρ = 1.09: the queue grows without bound, so no value is given, the
    checks fail by their own width limit and expected value)."""
    shares, times = (0.6, 0.4), (40.0, 100.0)
    es, es2 = _mixture(shares, times)
    lam = 0.7 / es
    exact = mg1(lam, es, es2)
    swapped = mg1(lam, *_mixture(shares, times[::-1]))
    res = simulate(f"""
linelab: 2
name: mix
horizon: 3300000
warmup: 20000
replications: {REPLICATIONS}
seed: {23 + SEED_OFFSET}
source: {{interarrival: {{dist: exponential, mean: {1 / lam!r}}}}}
products:
  - {{name: a, share: 0.6, process: {{cell: 40 s}}}}
  - {{name: b, share: 0.4}}
stations:
  - {{name: cell, process: 100 s}}
""")
    assert_agrees("W", res.kpis["cycle_time_s"].values, exact.w, 0.03, wrong=[swapped.w])
    assert_agrees("W a", res.products["a"].cycle_time_s.values, exact.wq + times[0], 0.03,
                  wrong=[swapped.wq + times[1]])
    assert_agrees("W b", res.products["b"].cycle_time_s.values, exact.wq + times[1], 0.03,
                  wrong=[swapped.wq + times[0]])
    assert_agrees("throughput a", res.products["a"].throughput_per_hour.values,
                  3600 * lam * shares[0], 0.02, wrong=[3600 * lam * shares[1]])
    assert_agrees("utilization", res.stations["cell"].utilization.values, exact.rho, 0.01,
                  wrong=[swapped.rho])


@pytest.mark.parametrize("who", ["station", "operators", "robot"])
def test_shifts_and_breaks_scenario(who: str) -> None:
    """Shifts 06-14 and 14-22 with a 30 min break at 10:00, Monday to Saturday: a saturated
    10 s station following them (or operated by operators who do) makes 360/h × the working
    share over whole weeks, (16 − 0.5) h × 6 days / 168 h; a robot that tends the machine
    and follows no shifts keeps it running."""
    keys = {
        "station": "shifts: [early, late]",
        "operators": "operated_by: people",
        "robot": "tending: {by: robot, time: 0.5 s}",
    }[who]
    sc = scenarios.loads(f"""
linelab: 2
name: shifts
horizon: 14 d
calendar:
  shifts:
    - {{name: early, start: "06:00", end: "14:00"}}
    - {{name: late, start: "14:00", end: "22:00"}}
  breaks: [{{start: "10:00", duration: 30 min}}]
  days: [mon, tue, wed, thu, fri, sat]
resources:
  - {{name: people, kind: operator, count: 1, shifts: [early, late]}}
  - {{name: robot, kind: robot, count: 1}}
stations:
  - {{name: m, process: {"9.5 s" if who == "robot" else "10 s"}, {keys}}}
""")
    res = run_experiment(sc)
    share = 1.0 if who == "robot" else (16 - 0.5) * 6 / 168
    assert res.kpis["throughput_per_hour"].mean == pytest.approx(360 * share, rel=1e-4)


CALENDAR_CASES = {
    # blocked most of the time behind a slow station without a buffer
    "blocked": """
stations:
  - {{name: m, servers: 2, process: {{dist: exponential, mean: 1 min}}, failures: {failures}}}
  - {{name: slow, process: {{dist: exponential, mean: 3 min}}, buffer: 0}}
""",
    # holding a part off shift two thirds of the day (and blocked by a slow station)
    "off shift": """
calendar: {{shifts: [{{name: day, start: "08:00", end: "16:00"}}]}}
stations:
  - {{name: m, servers: 2, process: {{dist: exponential, mean: 1 min}}, shifts: [day],
     failures: {failures}}}
  - {{name: slow, process: {{dist: exponential, mean: 1 min}}, buffer: 0}}
""",
    # waiting for a scarce operator who works shifts, and for a robot
    "waiting": """
calendar: {{shifts: [{{name: day, start: "06:00", end: "18:00"}}]}}
resources:
  - {{name: op, kind: operator, count: 1, shifts: [day]}}
  - {{name: robot, kind: robot, count: 1}}
stations:
  - {{name: m, servers: 2, process: {{dist: exponential, mean: 2 min}}, operated_by: op,
     failures: {failures}}}
  - {{name: cell, servers: 2, process: {{dist: exponential, mean: 1 min}},
     tending: {{by: robot, time: {{dist: exponential, mean: 2 min}}}}, failures: {failures}}}
""",
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CALENDAR_CASES))
def test_calendar_failures_take_their_share_whatever_the_machine_does(case: str) -> None:
    """``basis: calendar``: each server's failure clock counts all time but repairs, so its
    up and down periods alternate independently of what it does (blocked, holding a part off
    shift, waiting for a unit): down share = MTTR / (MTBF + MTTR) = 1/3 here (renewal reward
    theorem), exponential MTBF 20 min and MTTR 10 min, on every failing station."""
    mtbf, mttr = 20.0, 10.0
    failures = f"{{{{mtbf: {mtbf:g} min, mttr: {mttr:g} min, basis: calendar}}}}"
    body = CALENDAR_CASES[case].format(failures=failures.format())
    res = simulate(f"linelab: 2\nname: calendar {case}\nhorizon: 3000 h\nwarmup: 10 h\n"
                   f"replications: 16\nseed: {31 + SEED_OFFSET}\n{body}")
    for name, st in res.stations.items():
        if "down" in st.states:
            assert_agrees(f"{case}: {name} down share", st.states["down"].values,
                          mttr / (mtbf + mttr), 0.03)
