"""Process-time models: the specs in ``scenarios.time_models`` and the adapter in
``cells.time_models``.

Pins down: quantities with units convert to SI (lengths, speeds, accelerations, angles, power)
and wrong units are refused with a hint (an energy unit where power is asked); every model
refuses contradictory or empty input with a message at the offending key; ``ProcessTime`` keeps
bare durations and distributions as they were and routes a ``model:`` mapping to a time model;
the adapter computes the robot, CNC and molding times of hand-computed cycles, turns them into
a constant (no random draws) or, with ``variation``, a lognormal with the computed mean drawn
exactly as the equivalent distribution; an unreachable waypoint or a joint value out of range
is named with its key path; the engine runs a robot-tended CNC at exactly the computed times.
"""

from __future__ import annotations

import math
import pathlib
import re
from typing import Any

import numpy as np
import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from cells.sampling import Sampler
from cells.time_models import (
    TimeModelError,
    check_time_models,
    equivalent_distribution,
    evaluate,
    process_sampler,
)
from kernels.robots import PRESETS
from scenarios.distributions import Constant, Exponential, Lognormal
from scenarios.time_models import (
    MODEL_NAMES,
    ROBOT_PRESETS,
    CncProgram,
    Molding,
    ProcessTime,
    RobotTask,
    is_time_model,
)

ADAPTER: TypeAdapter[Any] = TypeAdapter(ProcessTime)


def parse(data: Any) -> Any:
    return ADAPTER.validate_python(data)


def errors(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(location, message) of each validation error; a model-level problem's location is
    extended by the key it names (as the scenario loader does)."""
    with pytest.raises(ValidationError) as info:
        parse(data)
    out = []
    for e in info.value.errors():
        loc = tuple(e["loc"])
        at = (e.get("ctx") or {}).get("at")
        out.append((loc + tuple(at) if isinstance(at, tuple) else loc, e["msg"]))
    return out


MOLD = {"model": "molding", "drive": "servo", "close": 1.2, "inject": 0.8, "hold": "2 s",
        "cool": "12 s", "open": 1, "eject": 0.6}  # fmt: skip
CNC = {
    "model": "cnc_program",
    "rapid_rate": "48 m/min",
    "rapid_acceleration": "5 m/s2",
    "tool_change": "1.2 s",
    "spindle": "0.8 s",
    "door": "2 s",
    "clamp": "1.5 s",
    "operations": [
        {"tool": "T1", "cut_length": "1200 mm", "feed": "800 mm/min", "rapid": "400 mm"},
        {"tool": "T2", "cut_length": 0.3, "feed": "200 mm/min", "rapid": ["100 mm", 0.128]},
    ],
}
SCARA_JOINTS = {
    "model": "robot_task",
    "robot": "scara_ls6_602",
    "joints": [["0 deg", "60 deg", "-50 mm", 0], ["0 deg", "60 deg", "-100 mm", 0]],
}


# --------------------------------------------------------------------------- specs


def test_presets_known_to_scenarios_match_the_kernels() -> None:
    assert set(ROBOT_PRESETS) == set(PRESETS)
    for key, kinds in ROBOT_PRESETS.items():
        assert kinds == "".join("P" if p else "R" for p in PRESETS[key].prismatic)
    assert set(RobotTask.model_fields["robot"].annotation.__args__) == set(PRESETS)  # type: ignore[union-attr]


def test_quantities_convert_to_si() -> None:
    cnc = parse(CNC)
    assert isinstance(cnc, CncProgram)
    assert cnc.rapid_rate == pytest.approx(0.8)
    assert cnc.rapid_acceleration == 5.0
    op = cnc.operations[0]
    assert (op.cut_length, op.rapid) == (pytest.approx(1.2), (pytest.approx(0.4),))
    assert op.feed == pytest.approx(0.8 / 60)
    assert cnc.operations[1].rapid == (pytest.approx(0.1), 0.128)
    robot = parse(SCARA_JOINTS)
    assert robot.joints[0] == pytest.approx((0.0, math.pi / 3, -0.05, 0.0))
    power = parse({**MOLD, "power": {"rated": "22 kW", "base": "500 W", "cool": 1.5}}).power
    assert (power.rated, power.base, power.cool) == (22.0, 0.5, 1.5)
    wp = parse({"model": "robot_task", "robot": "ur5e", "waypoints": [[0.45, "-150 mm", 0.15],
               ["45 cm", 0.15, 0.15]]}).waypoints  # fmt: skip
    assert wp == ((0.45, pytest.approx(-0.15), 0.15), (pytest.approx(0.45), 0.15, 0.15))


def test_process_time_keeps_distributions() -> None:
    assert parse("45 s") == Constant(dist="constant", value=45.0)
    assert parse(12) == Constant(dist="constant", value=12.0)
    assert parse({"dist": "exponential", "mean": "1 min"}) == Exponential(
        dist="exponential", mean=60.0
    )
    for model in (parse(MOLD), parse(CNC), parse(SCARA_JOINTS)):
        assert is_time_model(model)
    assert not is_time_model(parse("45 s"))
    assert MODEL_NAMES == ("robot_task", "cnc_program", "molding")
    schema = ADAPTER.json_schema()
    assert "robot_task" in str(schema) and "cnc_program" in str(schema)


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ({**MOLD, "model": "moulding"}, ("time_model",), "does not match any of the expected"),
        ({**MOLD, "drive": "electric"}, ("drive",), "'servo' or 'hydraulic'"),
        ({**MOLD, "cool": "-2 s"}, ("cool",), "greater than or equal to 0"),
        (
            {**MOLD, "close": 0, "inject": 0, "hold": 0, "cool": 0, "open": 0, "eject": 0},
            ("cool",),
            "the cycle takes no time",
        ),
        (
            {**MOLD, "power": {"close": "3 kWh"}},
            ("power", "close"),
            "'kWh' is an energy unit, a power is asked",
        ),
        ({**MOLD, "power": {"close": "3 kw"}}, ("power", "close"), "did you mean 'kW'"),
        (
            {**MOLD, "power": {"close": "3 kW"}},
            ("power",),
            "give 'rated' .* missing: inject, hold, cool, open, eject$",
        ),
        ({**MOLD, "power": {"rated": 10, "heaters": 3}}, ("power", "heaters"), "Extra inputs"),
        ({**MOLD, "variation": -0.1}, ("variation",), "greater than or equal to 0"),
        ({**CNC, "operations": []}, ("operations",), "at least one operation"),
        (
            {**CNC, "operations": [{"tool": "T1", "cut_length": "1 m"}]},
            ("operations", 0, "cut_length"),
            "a cut needs a 'feed'",
        ),
        ({**CNC, "rapid_rate": None}, ("operations", 0, "rapid"), "need a 'rapid_rate'"),
        (
            {**CNC, "rapid_rate": "48 m/mn"},
            ("rapid_rate",),
            "unknown unit 'm/mn' .*did you mean 'm/min'",
        ),
        ({**CNC, "rapid_rate": 0}, ("rapid_rate",), "greater than 0"),
        ({**CNC, "rapid_acceleration": "5 m/s"}, ("rapid_acceleration",), "unknown unit 'm/s'"),
        (
            {**CNC, "operations": [{"tool": "T1", "cut_length": "1200 MM", "feed": 0.01}]},
            ("operations", 0, "cut_length"),
            "did you mean 'mm'",
        ),
        (
            {**CNC, "operations": [{"tool": "T1", "cut_length": True, "feed": 0.01}]},
            ("operations", 0, "cut_length"),
            "expected a length like '1200 mm'",
        ),
        (
            {"model": "cnc_program", "operations": [{"tool": "T1"}]},
            ("operations",),
            "the program takes no time",
        ),
        (
            {**SCARA_JOINTS, "joints": [["1 mm", 0, -0.05, 0], [0, 0, -0.1, 0]]},
            ("joints", 0, 0),
            "joint 1 of scara_ls6_602 is revolute",
        ),
        (
            {**SCARA_JOINTS, "joints": [[0, 0, "5 deg", 0], [0, 0, -0.1, 0]]},
            ("joints", 0, 2),
            "joint 3 of scara_ls6_602 is prismatic",
        ),
        (
            {**SCARA_JOINTS, "joints": [[0, 0, -0.05], [0, 0, -0.1, 0]]},
            ("joints", 0),
            "scara_ls6_602 has 4 joints: give 4 values per row, got 3",
        ),
        ({**SCARA_JOINTS, "joints": [[0, 0, -0.05, 0]]}, ("joints",), "at least 2 waypoints"),
        (
            {**SCARA_JOINTS, "waypoints": [[0.4, 0, 0], [0.4, 0.1, 0]]},
            (),
            "either 'waypoints' .* or 'joints' .*got both",
        ),
        ({**SCARA_JOINTS, "move": "linear"}, ("move",), "linear moves need Cartesian"),
        ({**SCARA_JOINTS, "robot": "kr6"}, ("robot",), "'ur5e', 'irb1200_7_70'"),
        ({**SCARA_JOINTS, "pick": 2}, ("pick",), "must be a waypoint index 0 to 1, got 2"),
        (
            {**SCARA_JOINTS, "gripper": "0.3 s", "pick": 1},
            ("place",),
            "cannot close and open at the same waypoint",
        ),
        ({**SCARA_JOINTS, "dwell": ["1 s"]}, ("dwell",), "one duration per waypoint \\(2\\)"),
        ({**SCARA_JOINTS, "speed": 1.5}, ("speed",), "less than or equal to 1"),
        ({**SCARA_JOINTS, "gripper": {"close": "0.3 s"}}, ("gripper", "open"), "Field required"),
        ({**SCARA_JOINTS, "joints": [[0, 0, -0.05, 0]] * 2}, ("joints",), "the task takes no time"),
        (
            {"model": "robot_task", "robot": "ur5e", "waypoints": [[0, 0, "1 km"], [0, 0, 0]]},
            ("waypoints", 0, 2),
            "unknown unit 'km'",
        ),
    ],
)
def test_validation_errors(data: dict[str, Any], where: tuple[Any, ...], message: str) -> None:
    found = errors(data)
    assert len(found) == 1, found
    loc, msg = found[0]
    assert loc[:1] == ("time_model",)  # the tag the scenario loader drops
    if where:
        assert loc[-len(where) :] == where, loc
    assert re.search(message, msg), msg


def test_specs_are_frozen() -> None:
    spec = parse(MOLD)
    with pytest.raises(ValidationError):
        spec.cool = 3.0
    assert hash(spec) == hash(parse(MOLD))


# --------------------------------------------------------------------------- adapter


def test_cnc_program_by_hand() -> None:
    """cutting 1.2 m at 800 mm/min = 90 s, 0.3 m at 200 mm/min = 90 s; rapid at 0.8 m/s and
    5 m/s² (v²/a = 0.128 m): 0.4 m -> 0.66 s, 0.1 m -> 2·sqrt(0.02) s, 0.128 m -> 0.32 s;
    tools T1, T2: 2 changes x 1.2 s and 2 spindle runs x 0.8 s; door 2 s + clamp 1.5 s."""
    result = evaluate(parse(CNC))
    expected = 180.0 + 0.66 + 2 * math.sqrt(0.02) + 0.32 + 2.4 + 1.6 + 3.5
    assert result.mean_s == pytest.approx(expected, rel=1e-12)
    assert result.breakdown["cutting"] == pytest.approx(180.0, rel=1e-12)
    assert result.breakdown["door_clamp"] == 3.5
    assert math.fsum(result.breakdown.values()) == pytest.approx(result.mean_s, rel=1e-12)
    assert result.energy_kwh is None


def test_molding_by_hand() -> None:
    """Servo, 22 kW rated, 2 kW base, robot take-out 1.5 s: cycle 17.6 + 1.5 = 19.1 s; drive
    kW·s = 13.2·1.2 + 22·0.8 + 6.6·2 + 2.2·12 + 13.2·1 + 6.6·0.6 + 1.1·1.5 = 91.85, base
    2·19.1 = 38.2 -> 130.05 kW·s."""
    spec = parse({**MOLD, "take_out": "1.5 s", "power": {"rated": "22 kW", "base": "2 kW"}})
    assert isinstance(spec, Molding)
    result = evaluate(spec)
    assert result.mean_s == pytest.approx(19.1, rel=1e-12)
    assert result.energy_kwh == pytest.approx(130.05 / 3600, rel=1e-12)
    assert result.mean_power_kw == pytest.approx(130.05 / 19.1, rel=1e-12)
    assert evaluate(parse(MOLD)).energy_kwh is None
    # all powers given, no rated: take-out of 0 s needs no power
    given = {"close": 8, "inject": "20 kW", "hold": 6, "cool": 1, "open": 8, "eject": 3}
    r = evaluate(parse({**MOLD, "power": given}))
    kws = 8 * 1.2 + 20 * 0.8 + 6 * 2 + 1 * 12 + 8 * 1 + 3 * 0.6
    assert r.energy_kwh == pytest.approx(kws / 3600, rel=1e-12)


def test_robot_task_by_hand() -> None:
    """SCARA J3 down and up 50 mm (v 1.1 m/s, a 5.5 m/s²: a triangle, 2·sqrt(0.05/5.5) each
    way) with a gripper closing 0.3 s at the bottom and opening 0.2 s at the top, and 0.1 s
    dwell at each waypoint."""
    spec = parse({**SCARA_JOINTS, "gripper": {"close": "0.3 s", "open": "200 ms"}, "pick": 1,
                  "place": 0, "dwell": "0.1 s"})  # fmt: skip
    result = evaluate(spec)
    move = 2.0 * math.sqrt(0.05 / 5.5)
    assert result.breakdown == pytest.approx({"motion": 2 * move, "gripper": 0.5, "dwell": 0.2})
    assert result.mean_s == pytest.approx(2 * move + 0.7, rel=1e-12)
    # half speed doubles the motion, not the gripper
    slow = evaluate(spec.model_copy(update={"speed": 0.5}))
    assert slow.mean_s == pytest.approx(4 * move + 0.7, rel=1e-12)


def test_robot_task_cartesian_and_unreachable() -> None:
    spec = parse({"model": "robot_task", "robot": "ur5e", "gripper": "0.25 s",
                  "waypoints": [[0.45, -0.15, 0.15], [0.45, 0.15, 0.15]]})  # fmt: skip
    result = evaluate(spec)
    assert result.breakdown["gripper"] == 0.5
    assert result.breakdown["motion"] > 0.3  # 0.3 m there and back at <= 1 m/s TCP
    far = parse({"model": "robot_task", "robot": "ur5e",
                 "waypoints": [[0.45, -0.15, 0.15], [2.0, 0.15, 0.15]]})  # fmt: skip
    with pytest.raises(
        TimeModelError, match=r"^\(2, 0.15, 0.15\) m is out of reach of UR5e"
    ) as info:
        evaluate(far)
    assert info.value.at == ("waypoints", 1)
    outside = parse({**SCARA_JOINTS, "joints": [[0, "170 deg", -0.05, 0], [0, 0, -0.1, 0]]})
    message = "joint 2 of Epson LS6-602S class SCARA: 170 deg is outside its range -150 to 150 deg"
    with pytest.raises(TimeModelError, match=f"^{message}$") as info:
        evaluate(outside)
    assert info.value.at == ("joints", 0, 1)
    stroke = parse({**SCARA_JOINTS, "joints": [[0, 0, "-250 mm", 0], [0, 0, -0.1, 0]]})
    with pytest.raises(
        TimeModelError, match=r"joint 3 .*: -250 mm is outside its stroke -200 to 0"
    ):
        evaluate(stroke)


def test_constant_without_variation_draws_nothing() -> None:
    spec = parse(CNC)
    dist = equivalent_distribution(spec)
    assert isinstance(dist, Constant) and dist.value == evaluate(spec).mean_s
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    sampler = process_sampler(spec, rng)
    assert [sampler() for _ in range(3)] == [dist.value] * 3
    assert rng.bit_generator.state == before
    assert evaluate(spec) is evaluate(parse(CNC))  # computed once per distinct spec


def test_variation_is_a_lognormal_around_the_computed_time() -> None:
    spec = parse({**MOLD, "variation": 0.2})
    dist = equivalent_distribution(spec)
    assert isinstance(dist, Lognormal)
    assert (dist.mean, dist.cv) == (pytest.approx(17.6), 0.2)
    assert dist.mean_s == pytest.approx(17.6) and dist.scv == pytest.approx(0.04)
    # drawn exactly as the equivalent distribution, from the same stream
    a = process_sampler(spec, np.random.default_rng(11)).take(3000)
    b = Sampler(dist, np.random.default_rng(11)).take(3000)
    assert np.array_equal(a, b)
    # sample mean within 4 standard errors (sd = 0.2 x 17.6 = 3.52 s, n = 3000)
    assert abs(a.mean() - 17.6) < 4 * 3.52 / math.sqrt(3000)


def test_process_sampler_passes_distributions_through() -> None:
    dist = parse({"dist": "exponential", "mean": 3})
    a = process_sampler(dist, np.random.default_rng(2)).take(10)
    b = Sampler(dist, np.random.default_rng(2)).take(10)
    assert np.array_equal(a, b)


def test_every_example_in_the_docs_computes() -> None:
    """Each YAML example of docs/time-models.md validates and computes; the two worked
    figures quoted there (CNC 190.96 s per part, molding 0.0507 kWh per cycle) hold."""
    text = (pathlib.Path(__file__).parents[1] / "docs" / "time-models.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) == 5
    results: dict[str, list[Any]] = {}
    for block in blocks:
        data = yaml.safe_load(block)
        spec = parse(data["process"] if "process" in data else data["tending"]["time"])
        results.setdefault(type(spec).__name__, []).append(evaluate(spec))
    assert len(results["RobotTask"]) == 2
    cnc = results["CncProgram"][0]
    rapid = 0.66 + 2 * math.sqrt(0.02) + 0.32 + 2 * math.sqrt(0.05 / 5)
    assert cnc.mean_s == pytest.approx(180 + rapid + 3.6 + 2.4 + 3.5, rel=1e-12)
    assert round(cnc.mean_s, 2) == 190.96
    mold = results["Molding"][1]
    assert mold.energy_kwh == pytest.approx(182.55 / 3600, rel=1e-12)
    assert round(mold.mean_power_kw or 0.0, 2) == 9.56


def test_check_time_models_names_the_key_path() -> None:
    """Problems come back with their path in the file, for the caller to report by line."""
    from types import SimpleNamespace

    far = parse({"model": "robot_task", "robot": "ur5e",
                 "waypoints": [[0.45, -0.15, 0.15], [2.0, 0.15, 0.15]]})  # fmt: skip
    good = parse(CNC)
    scenario = SimpleNamespace(
        stations=(
            SimpleNamespace(process=good, tending=SimpleNamespace(time=far)),
            SimpleNamespace(process=parse("30 s"), tending=None),
        ),
        products=(SimpleNamespace(process={"mill": far}),),
    )
    problems = check_time_models(scenario)
    assert [p for p, _ in problems] == [
        ("stations", 0, "tending", "time", "waypoints", 1),
        ("products", 0, "process", "mill", "waypoints", 1),
    ]
    assert "out of reach of UR5e" in problems[0][1]
    assert check_time_models(SimpleNamespace(stations=(), products=None)) == []


def test_engine_runs_time_models_at_their_computed_times() -> None:
    """End to end: a saturated CNC tended by a SCARA. CNC 0.2 m + 0.1 m at 0.01 m/s = 30 s,
    0.5 m rapid at 0.5 m/s = 1 s, 2 tool changes x 2 s = 35 s; tending = J3 down and up 50 mm
    (2 x 2·sqrt(0.05/5.5) s) + gripper 0.5 s close + 0.5 s open. Every part takes exactly
    tending + process, and the shares of the states follow."""
    from simulator.session import run_replication
    from tests.helpers import scenario

    sc = scenario(
        """
        linelab: 2
        name: tended CNC
        horizon: 10 h
        warmup: 1 h
        seed: 1
        resources: [{name: robot, kind: robot, count: 1}]
        stations:
          - name: mill
            process:
              model: cnc_program
              rapid_rate: 0.5
              tool_change: 2 s
              operations:
                - {tool: T1, cut_length: 0.2, feed: 0.01, rapid: 0.5}
                - {tool: T2, cut_length: 100 mm, feed: 600 mm/min}
            tending:
              by: robot
              time:
                model: robot_task
                robot: scara_ls6_602
                joints: [[0, 1, -0.05, 0], [0, 1, -0.1, 0]]
                gripper: 0.5 s
        """
    )
    process = 35.0
    tending = 4.0 * math.sqrt(0.05 / 5.5) + 1.0
    r = run_replication(sc)
    assert r.cycle_time_s == pytest.approx(process + tending, rel=1e-9)
    states = r.stations["mill"].states
    assert states["busy"] == pytest.approx(process / (process + tending), abs=2e-3)
    assert states["tending"] == pytest.approx(tending / (process + tending), abs=2e-3)
    # parts leaving in the 10 h measured after the warm-up: one every (process + tending)
    assert abs(r.departed - 10 * 3600 / (process + tending)) <= 1
