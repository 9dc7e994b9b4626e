"""Walking operators and robots (``walk`` on a resource), checked against hand arithmetic.

Every time here is constant, so the line settles into a periodic cycle; a measured window that
is a whole number of cycles long holds exactly that many departures and state times.

The line: two machines in series, ``m1`` at point ``a`` and ``m2`` at point ``b``, ``d`` m
apart; one operator tends both (tending ``T`` s, then the machine processes ``P`` s alone);
unlimited supply. Derived by hand (operator starts at ``a``, walk time ``w``):

- m1 finishes a part and hands it to m2, which asks for the operator: the operator walks to
  ``b`` (``w``), tends m2 (``T``); m1, which took its next part at once, asked second and
  waits; the operator walks back (``w``) and tends m1 (``T``); m1 processes (``P``). So one
  part leaves per cycle ``P + 2·T + 2·w`` (machine m1 paces the line).
- Operator shares per cycle: walking ``2w``, tending ``2T``, idle the rest; utilization
  counts walking as working. m1 waits for the operator ``w + T + w`` per cycle, m2 ``w``.
- ``w = d/v`` without acceleration, ``d/v + v/a`` with it (``d >= v²/a``).
- Without ``walk`` (or with both machines at one point) the cycle is ``P + 2·T`` and
  a resource that does not walk reports no ``walking`` state.
"""

from __future__ import annotations

import math

import pytest

import scenarios
from simulator.results import Replication
from simulator.session import run_replication

P, T, D, V = 60.0, 20.0, 10.0, 1.0


def scenario(walk: str | None, *, d: float = D, periods: int = 100, cycle: float) -> str:
    walk_keys = "" if walk is None else f", walk: {walk}, home: a"
    return f"""
linelab: 2
name: walking
horizon: {periods * cycle} s
warmup: {10 * cycle + 7} s
replications: 1
seed: 3
layout:
  points: {{a: [0, 0], b: [{d}, 0]}}
  aisles: [[a, b]]
resources:
  - {{name: op, kind: operator, count: 1{walk_keys}}}
stations:
  - name: m1
    servers: 1
    process: {{dist: constant, value: {P} s}}
    at: a
    tending: {{by: op, time: {{dist: constant, value: {T} s}}}}
  - name: m2
    servers: 1
    process: {{dist: constant, value: {P} s}}
    at: b
    tending: {{by: op, time: {{dist: constant, value: {T} s}}}}
"""


def run(text: str) -> Replication:
    return run_replication(scenarios.loads(text))


@pytest.mark.parametrize(
    ("walk", "w"),
    [
        ("{speed: 1 m/s}", D / V),
        ("{speed: 60 m/min}", D / V),
        ("{speed: 1 m/s, acceleration: 0.5 m/s2}", D / V + V / 0.5),  # d >= v²/a = 2 m
    ],
)
def test_walking_is_in_the_cycle(walk: str, w: float) -> None:
    cycle = P + 2 * T + 2 * w
    periods = 100
    r = run(scenario(walk, cycle=cycle, periods=periods))
    assert r.departed == periods
    assert r.throughput_per_hour == pytest.approx(3600.0 / cycle, rel=1e-12)
    op = r.resources["op"]
    assert op.states["walking"] == pytest.approx(2 * w / cycle, abs=1e-12)
    assert op.states["tending"] == pytest.approx(2 * T / cycle, abs=1e-12)
    assert op.states["idle"] == pytest.approx(1 - (2 * w + 2 * T) / cycle, abs=1e-12)
    assert math.fsum(op.states.values()) == pytest.approx(1.0, abs=1e-12)
    assert op.utilization == pytest.approx((2 * w + 2 * T) / cycle, abs=1e-12)
    m1, m2 = r.stations["m1"].states, r.stations["m2"].states
    assert m1["waiting_operator"] == pytest.approx((2 * w + T) / cycle, abs=1e-12)
    assert m1["busy"] == pytest.approx(P / cycle, abs=1e-12)
    assert m2["waiting_operator"] == pytest.approx(w / cycle, abs=1e-12)


def test_walking_adds_exactly_the_walks_to_the_cycle() -> None:
    """Same line without walk: cycle P + 2T, and no walking state at all."""
    cycle = P + 2 * T
    r = run(scenario(None, cycle=cycle))
    assert r.throughput_per_hour == pytest.approx(3600.0 / cycle, rel=1e-12)
    assert "walking" not in r.resources["op"].states
    walked = run(scenario("{speed: 1 m/s}", cycle=cycle + 2 * D / V))
    assert 3600.0 / walked.throughput_per_hour - 3600.0 / r.throughput_per_hour == (
        pytest.approx(2 * D / V, rel=1e-9)
    )


def test_no_walk_between_stations_at_one_point() -> None:
    cycle = P + 2 * T
    r = run(scenario("{speed: 1 m/s}", d=0.0, cycle=cycle).replace("b: [0.0, 0]", "b: [0, 0]"))
    assert r.throughput_per_hour == pytest.approx(3600.0 / cycle, rel=1e-12)
    assert r.resources["op"].states["walking"] == 0.0


def test_walk_follows_the_shortest_aisles() -> None:
    """A detour a -> c -> b (30 m + 40 m) is not taken when the direct aisle (50 m) exists;
    without it the walk is 70 m."""
    base = scenario("{speed: 1 m/s}", d=50.0, cycle=P + 2 * T + 100)
    text = base.replace(
        "  points: {a: [0, 0], b: [50.0, 0]}\n  aisles: [[a, b]]",
        "  points: {a: [0, 0], b: [50, 0], c: [18, 24]}\n  aisles: [[a, b], [a, c], [c, b]]",
    )
    assert text != base
    r = run(text)
    assert r.throughput_per_hour == pytest.approx(3600.0 / (P + 2 * T + 100), rel=1e-12)
    detour = text.replace("[[a, b], [a, c], [c, b]]", "[[a, c], [c, b]]")
    detour = detour.replace(
        f"horizon: {100 * (P + 2 * T + 100)} s", f"horizon: {100 * (P + 2 * T + 140)} s"
    )
    r2 = run(detour)
    assert r2.throughput_per_hour == pytest.approx(3600.0 / (P + 2 * T + 140), rel=1e-12)


def test_walk_keys_stay_out_of_dumps_when_not_given() -> None:
    sc = scenarios.loads(scenario(None, cycle=100.0))
    dumped = sc.model_dump()["resources"][0]
    assert "walk" not in dumped and "home" not in dumped
    walking = scenarios.loads(scenario("{speed: 1 m/s}", cycle=100.0))
    assert walking.resources[0].walk is not None
    assert walking.resources[0].walk.time_s(D) == D / V
    assert walking.resources[0].home == "a"


def test_a_robot_on_a_track_travels_between_the_machines_it_operates() -> None:
    """``operated_by`` a robot on a track (held for the whole operation): the robot operates
    m1 (P), travels to m2 (w), operates it (P) while m1 waits with its next part, travels
    back (w): cycle ``2·P + 2·w``; m1 is ``waiting_robot`` for ``P + 2·w`` of it."""
    w = D / 0.5  # 0.5 m/s, no acceleration
    cycle = 2 * P + 2 * w
    text = scenario(None, cycle=cycle).replace(
        "kind: operator, count: 1", "kind: robot, count: 1, walk: {speed: 0.5 m/s}, home: a"
    )
    text = text.replace(
        f"tending: {{by: op, time: {{dist: constant, value: {T} s}}}}", "operated_by: op"
    )
    assert text.count("operated_by: op") == 2 and "kind: robot" in text
    r = run(text)
    assert r.throughput_per_hour == pytest.approx(3600.0 / cycle, rel=1e-12)
    robot = r.resources["op"]
    assert robot.states["walking"] == pytest.approx(2 * w / cycle, abs=1e-12)
    assert robot.states["operating"] == pytest.approx(2 * P / cycle, abs=1e-12)
    assert robot.utilization == pytest.approx(1.0, abs=1e-12)
    waiting = r.stations["m1"].states["waiting_robot"]
    assert waiting == pytest.approx((P + 2 * w) / cycle, abs=1e-12)


def test_walking_without_a_layout_is_refused() -> None:
    text = scenario("{speed: 1 m/s}", cycle=100.0)
    start, end = text.index("layout:"), text.index("resources:")
    text = text[:start] + text[end:]
    text = text.replace("    at: a\n", "").replace("    at: b\n", "").replace(", home: a", "")
    with pytest.raises(scenarios.ScenarioError, match="walks, but the scenario has no 'layout'"):
        scenarios.loads(text)


WALK_FAIL_YAML = """
linelab: 2
name: walk and fail
horizon: 2 d
warmup: 1 h
seed: {seed}
layout:
  points: {{a: [0, 0], b: [20, 0], c: [40, 0]}}
  aisles: [[a, b], [b, c]]
resources:
  - {{name: op, kind: operator, count: 1, walk: {{speed: 0.5 m/s}}}}
stations:
  - {{name: m1, process: {{dist: exponential, mean: 60 s}}, at: a, operated_by: op,
     failures: {{mtbf: 10 min, mttr: 2 min, basis: calendar}}}}
  - {{name: m2, process: {{dist: exponential, mean: 60 s}}, at: c, operated_by: op,
     failures: {{mtbf: 10 min, mttr: 2 min, basis: calendar}}}}
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_station_failing_while_its_operator_walks_to_it(seed: int) -> None:
    """A calendar failure hits a station whose operator is walking to it (80 s walk): the
    walk is cancelled (the operator, on arrival, serves the next request or is free) instead
    of crashing; the station is down MTTR / (MTBF + MTTR) = 2/12 of the time (about 240
    failures a station: within 0.04), and parts balance."""
    rep = run_replication(scenarios.loads(WALK_FAIL_YAML.format(seed=seed)))
    for name in ("m1", "m2"):
        assert rep.stations[name].states["down"] == pytest.approx(2.0 / 12.0, abs=0.04)
    assert rep.throughput_per_hour > 0.0
    assert math.fsum(rep.resources["op"].states.values()) == pytest.approx(1.0, abs=1e-12)
    assert rep.wip_start + rep.arrived == rep.departed + rep.scrapped + rep.wip_end


SHIFT_WALK_YAML = """
linelab: 2
name: walk into the shift end
horizon: 4 d
warmup: 0 s
seed: 3
calendar:
  shifts: [{name: day, start: "06:00", end: "14:00"}]
layout:
  points: {a: [0, 0], c: [400, 0]}
  aisles: [[a, c]]
resources:
  - {name: op, kind: operator, count: 1, walk: {speed: 1 m/s}}
stations:
  - {name: m1, process: 60 s, at: a, operated_by: op}
  - {name: m2, process: 60 s, at: c, operated_by: op, shifts: [day]}
"""


def test_operator_walking_to_a_station_whose_shift_ends_does_not_start_there() -> None:
    """The operator (around the clock) alternates m1 and m2 (day shift only), 400 s apart:
    on every day of this run it is walking to m2 when m2's shift ends at 14:00 (it set off at
    13:55:30). m2 must not start that part off shift: from 14:01:01 (an operation under way
    finishes within 60 s) to 06:00 it completes nothing."""
    from simulator.model import LineModel

    model = LineModel(scenarios.loads(SHIFT_WALK_YAML), 0, 3)
    m2 = next(s for s in model.stations if s.name == "m2")
    done_off_shift = []
    for day in range(4):
        end = day * 86400.0 + 14 * 3600.0
        model.run_until(end + 61.0)
        before = m2.completed
        model.run_until(end + 16 * 3600.0 - 1.0)
        done_off_shift.append(m2.completed - before)
    assert done_off_shift == [0, 0, 0, 0]
    assert m2.completed > 0
