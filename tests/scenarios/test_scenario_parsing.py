"""Valid scenario files: parsing, units, defaults, distributions and shipped examples.

Pins down that a v1 file becomes a frozen ``Scenario`` in SI seconds; durations with every
documented unit; the defaults (warmup 0, one replication, seed 0, unlimited buffers, no
source, no CONWIP); that a bare duration means a constant; the exact moments ``mean_s`` and
``second_moment_s2`` of every distribution as the engine samples it (the normal truncated at 0
included); YAML 1.2 scalar rules; and the shipped examples load and fit the speed budget.
"""

from __future__ import annotations

import math
import random
import textwrap

import pydantic
import pytest

import scenarios
from scenarios import (
    Constant,
    Empirical,
    Exponential,
    Lognormal,
    Normal,
    Scenario,
    ScenarioError,
    Triangular,
    Uniform,
    parse_duration,
)


def _load(text: str) -> Scenario:
    return scenarios.loads(textwrap.dedent(text))


MINIMAL = """\
linelab: 1
name: minimal
horizon: 8 h
stations:
  - {name: press, process: 45 s}
"""


def test_minimal_file_and_defaults() -> None:
    sc = scenarios.loads(MINIMAL)
    assert sc.linelab == 1 and sc.name == "minimal"
    assert sc.horizon == 8 * 3600.0
    assert (sc.warmup, sc.replications, sc.seed) == (0.0, 1, 0)
    assert sc.source is None and sc.wip_cap is None
    (st,) = sc.stations
    assert (st.name, st.servers, st.buffer) == ("press", 1, None)
    assert st.process == Constant(dist="constant", value=45.0)
    assert sc.run_length_s == 8 * 3600.0


def test_design_example_parses() -> None:
    sc = _load(
        """
        linelab: 1                 # format version
        name: Two-station cell
        horizon: 200 h
        warmup: 20 h
        replications: 10
        seed: 7
        source:
          interarrival: {dist: exponential, mean: 60 s}
        wip_cap: 4
        stations:
          - name: press
            servers: 1
            process: {dist: exponential, mean: 48 s}
            buffer: 5
        """
    )
    assert (sc.horizon, sc.warmup, sc.replications, sc.seed, sc.wip_cap) == (
        720000.0,
        72000.0,
        10,
        7,
        4,
    )
    assert sc.source is not None
    assert sc.source.interarrival == Exponential(dist="exponential", mean=60.0)
    assert sc.stations[0].buffer == 5


def test_models_are_frozen_and_forbid_extras() -> None:
    sc = scenarios.loads(MINIMAL)
    with pytest.raises(pydantic.ValidationError):
        sc.name = "other"
    with pytest.raises(pydantic.ValidationError):
        Scenario.model_validate({**sc.model_dump(), "colour": "red"})
    assert hash(sc) == hash(scenarios.loads(MINIMAL))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (45, 45.0),
        (2.5, 2.5),
        ("45 s", 45.0),
        ("45s", 45.0),
        ("45 sec", 45.0),
        ("45 secs", 45.0),
        ("1 second", 1.0),
        ("2 seconds", 2.0),
        ("250 ms", 0.25),
        ("2.5 min", 150.0),
        ("1 mins", 60.0),
        ("1 minute", 60.0),
        ("3 minutes", 180.0),
        ("8 h", 28800.0),
        ("8 hr", 28800.0),
        ("8 hrs", 28800.0),
        ("1 hour", 3600.0),
        ("2 hours", 7200.0),
        ("1 d", 86400.0),
        ("1 day", 86400.0),
        ("2 days", 172800.0),
        ("1.5e3 s", 1500.0),
        ("8 H", 28800.0),
        ("  3600  ", 3600.0),
        ("-3 min", -180.0),
        ("1_000 s", 1000.0),
        (".5 h", 1800.0),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("8 hrz", "did you mean 'hr'?"),
        ("5 m", "did you mean 'min'?"),
        ("3 weeks", "unknown time unit 'weeks'"),
        ("fast", "expected a duration like '45 s'"),
        ("", "expected a duration"),
        (True, "expected a duration"),
        (None, "expected a duration"),
        ([1], "expected a duration"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("1e12 s", "at most 1e9 s (about 31 years)"),
        (10**10, "at most 1e9 s"),
        ("400 d", None),
        ("12000 d", "at most 1e9 s"),
    ],
)
def test_parse_duration_rejects(value: object, needle: str | None) -> None:
    if needle is None:
        assert parse_duration(value) == 400 * 86400.0
        return
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert needle in str(info.value)


def test_durations_everywhere_and_bare_duration_means_constant() -> None:
    sc = _load(
        """
        linelab: 1
        name: units
        horizon: 2 d
        warmup: 90 min
        source: {interarrival: 1.5 min}
        stations:
          - {name: a, process: {dist: normal, mean: 2.5 min, sd: 15 s}}
          - {name: b, process: {dist: uniform, low: 1 min, high: 2 min}}
          - {name: c, process: {dist: triangular, low: 1 min, mode: 90 s, high: 0.05 h}}
          - {name: d, process: {dist: empirical, values: [1 min, 70, 80.5 s]}}
          - {name: e, process: {dist: lognormal, mean: 1 min, cv: 0.5}}
          - {name: f, process: 30}
          - {name: g, process: {dist: constant, value: 250 ms}}
        """
    )
    assert sc.horizon == 172800.0 and sc.warmup == 5400.0
    assert sc.source is not None and sc.source.interarrival == Constant(dist="constant", value=90)
    procs = [s.process for s in sc.stations]
    assert procs[0] == Normal(dist="normal", mean=150.0, sd=15.0)
    assert procs[1] == Uniform(dist="uniform", low=60.0, high=120.0)
    assert procs[2] == Triangular(dist="triangular", low=60.0, mode=90.0, high=180.0)
    assert procs[3] == Empirical(dist="empirical", values=(60.0, 70.0, 80.5))
    assert procs[4] == Lognormal(dist="lognormal", mean=60.0, cv=0.5)
    assert procs[5] == Constant(dist="constant", value=30.0)
    assert procs[6].mean_s == 0.25
    assert isinstance(procs[3], Empirical)
    assert all(isinstance(v, float) for v in procs[3].values)


def test_nullable_keys_and_yaml_12_scalars() -> None:
    sc = _load(
        """
        linelab: 1
        name: no             # YAML 1.1 would read this as false
        horizon: 1e4         # YAML 1.1 would read this as text
        source: null
        wip_cap: ~
        stations:
          - {name: 1:30, process: 5, buffer: null}   # 1:30 is not sexagesimal 90
          - {name: 2024-01-01, process: 5, buffer: 1_000}
        """
    )
    assert sc.name == "no" and sc.horizon == 10000.0
    assert sc.source is None and sc.wip_cap is None
    assert [s.name for s in sc.stations] == ["1:30", "2024-01-01"]
    assert sc.stations[0].buffer is None and sc.stations[1].buffer == 1000


def test_bom_crlf_and_bytes_are_accepted() -> None:
    data = b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode("utf-8")
    assert scenarios.loads(data) == scenarios.loads(MINIMAL)
    assert scenarios.loads("\ufeff" + MINIMAL) == scenarios.loads(MINIMAL)


def test_unicode_names_and_anchors() -> None:
    sc = _load(
        """
        linelab: 1
        name: 东莞 外壳线
        horizon: 1 h
        stations:
          - &cnc {name: 粗加工, servers: 2, process: {dist: exponential, mean: 6 min}}
          - <<: *cnc
            name: 精加工
        """
    )
    assert [s.name for s in sc.stations] == ["粗加工", "精加工"]
    assert sc.stations[1].servers == 2 and sc.stations[1].process.mean_s == 360.0


def test_bounds_accept_their_limits() -> None:
    sc = _load(
        f"""
        linelab: 1
        name: limits
        horizon: 999999000
        warmup: 1000
        replications: 100000
        seed: {2**63 - 1}
        wip_cap: 1
        stations:
          - {{name: a, servers: 10000, process: 1, buffer: 1000000}}
          - {{name: b, process: 1, buffer: 0}}
          - {{name: c, process: {{dist: uniform, low: 0, high: 0.001}}}}
          - {{name: d, process: {{dist: triangular, low: 0, mode: 0, high: 1}}}}
          - {{name: e, process: {{dist: normal, mean: 5, sd: 0}}}}
          - {{name: f, process: {{dist: uniform, low: 3, high: 3}}}}
        """
    )
    assert sc.seed == 2**63 - 1 and sc.stations[0].servers == 10000
    assert sc.stations[1].buffer == 0
    assert sc.stations[4].process.mean_s == 5.0


# --- exact moments ------------------------------------------------------------------------


def _integrate(f, a: float, b: float, n: int = 20000) -> float:
    """Composite Simpson rule (n even), an independent check of the closed forms."""
    h = (b - a) / n
    s = f(a) + f(b)
    s += 4 * math.fsum(f(a + (2 * i - 1) * h) for i in range(1, n // 2 + 1))
    s += 2 * math.fsum(f(a + 2 * i * h) for i in range(1, n // 2))
    return s * h / 3


@pytest.mark.parametrize(("mean", "sd"), [(60.0, 30.0), (10.0, 10.0), (5.0, 20.0), (1.0, 0.1)])
def test_truncated_normal_moments_match_integration(mean: float, sd: float) -> None:
    dist = Normal(dist="normal", mean=mean, sd=sd)

    def pdf(x: float) -> float:
        return math.exp(-0.5 * ((x - mean) / sd) ** 2)

    top = mean + 12 * sd
    z = _integrate(pdf, 0.0, top)
    m1 = _integrate(lambda x: x * pdf(x), 0.0, top) / z
    m2 = _integrate(lambda x: x * x * pdf(x), 0.0, top) / z
    assert dist.mean_s == pytest.approx(m1, rel=1e-9)
    assert dist.second_moment_s2 == pytest.approx(m2, rel=1e-9)
    assert dist.mean_s >= mean


def test_closed_form_moments() -> None:
    assert Constant(dist="constant", value=3).second_moment_s2 == 9
    e = Exponential(dist="exponential", mean=4)
    assert (e.mean_s, e.second_moment_s2, e.scv) == (4, 32, 1)
    ln = Lognormal(dist="lognormal", mean=10, cv=0.5)
    assert (ln.mean_s, ln.second_moment_s2) == (10, pytest.approx(125))
    assert math.exp(ln.log_mu + ln.log_sigma**2 / 2) == pytest.approx(10)
    u = Uniform(dist="uniform", low=2, high=8)
    assert (u.mean_s, u.second_moment_s2) == (5, pytest.approx((4 + 16 + 64) / 3))
    t = Triangular(dist="triangular", low=1, mode=2, high=6)
    assert t.mean_s == 3
    m2 = _integrate(
        lambda x: x * x * (2 * (x - 1) / (5 * 1) if x < 2 else 2 * (6 - x) / (5 * 4)), 1, 6
    )
    assert t.second_moment_s2 == pytest.approx(m2, rel=1e-6)
    emp = Empirical(dist="empirical", values=(1, 2, 6))
    assert (emp.mean_s, emp.second_moment_s2) == (3, pytest.approx(41 / 3))
    assert Normal(dist="normal", mean=7, sd=0).second_moment_s2 == 49


def test_moments_match_sampling_roughly() -> None:
    """A Monte Carlo sanity check with the stdlib sampler, as the engine samples."""
    rng = random.Random(1)
    n = 40000
    cases = {
        Normal(dist="normal", mean=10, sd=8): lambda: _redraw(lambda: rng.gauss(10, 8)),
        Lognormal(dist="lognormal", mean=10, cv=0.7): None,
        Triangular(dist="triangular", low=0, mode=2, high=10): lambda: rng.triangular(0, 10, 2),
    }
    for dist, draw in cases.items():
        if draw is None:
            assert isinstance(dist, Lognormal)
            mu, sigma = dist.log_mu, dist.log_sigma
            xs = [rng.lognormvariate(mu, sigma) for _ in range(n)]
        else:
            xs = [draw() for _ in range(n)]
        mean = math.fsum(xs) / n
        m2 = math.fsum(x * x for x in xs) / n
        assert mean == pytest.approx(dist.mean_s, rel=0.03)
        assert m2 == pytest.approx(dist.second_moment_s2, rel=0.08)


def _redraw(draw) -> float:
    while (x := draw()) < 0:
        pass
    return x


# --- programmatic construction -------------------------------------------------------------


def test_direct_construction_validates_like_files() -> None:
    st = scenarios.Station(name="a", process="45 s")  # type: ignore[arg-type]
    assert st.process.mean_s == 45.0
    with pytest.raises(pydantic.ValidationError):
        scenarios.Station(name="a", process="45 s", servers=0)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        Scenario.model_validate({"linelab": 1, "name": "x", "horizon": 1, "stations": []})


def test_linelab_true_is_not_version_1() -> None:
    with pytest.raises(ScenarioError, match="the number 1"):
        scenarios.loads(MINIMAL.replace("linelab: 1", "linelab: true"))


# --- shipped examples -----------------------------------------------------------------------


def test_examples_listed_and_loadable() -> None:
    names = scenarios.list_examples()
    assert names == [
        "assembly_3c",
        "cnc_cell_agv",
        "cnc_cell_conwip",
        "cnc_cell_operators",
        "cnc_cell_robot",
        "furniture_panel_cell",
        "injection_mold_line",
        "phone_housing_cell",
        "phone_housing_line",
        "smt_assembly",
    ]
    for name in names:
        path = scenarios.example_path(name)
        assert path.is_file() and path.suffix == ".yaml"
        assert scenarios.example_path(name + ".yaml") == path
        sc = scenarios.load(path)
        assert 5 <= sc.replications <= 10
        text = path.read_text(encoding="utf-8")
        assert text.count("#") >= 10, "examples explain their numbers in comments"


def test_unknown_example_lists_available() -> None:
    with pytest.raises(KeyError) as info:
        scenarios.example_path("nope")
    assert "no example scenario named 'nope'" in str(info.value)
    assert "phone_housing_line" in str(info.value)


def _events_estimate(sc: Scenario) -> float:
    """Parts through the line per replication times stations: a bound on engine work.
    Stations timed by a time model (no ``mean_s`` before the line is built) are skipped."""
    means = [getattr(st.process, "mean_s", None) for st in sc.stations]
    rates = [st.servers / m for st, m in zip(sc.stations, means, strict=True) if m is not None]
    if sc.source is not None:
        rates.append(1.0 / sc.source.interarrival.mean_s)
    return min(rates) * sc.run_length_s * len(sc.stations)


@pytest.mark.parametrize("name", scenarios.list_examples())
def test_examples_are_cheap_to_simulate(name: str) -> None:
    sc = scenarios.load(scenarios.example_path(name))
    assert _events_estimate(sc) < 50_000


def test_material_flow_example_uses_a_fleet_and_a_belt() -> None:
    """The shipped material-flow example shows a layout, a vehicle fleet and a conveyor."""
    sc = scenarios.load(scenarios.example_path("cnc_cell_agv"))
    assert sc.layout is not None
    agv = sc.resource("agv")
    assert agv.is_vehicle and agv.count >= 2
    assert any(s.transport == "agv" for s in sc.stations)
    assert any(s.conveyor is not None for s in sc.stations)
    # The comments' arithmetic: a 65 m trip of 67 s from the CNC rack to the washer.
    path_m = (sc.layout.aisle_length("cnc_out", "agv_home")
              + sc.layout.aisle_length("agv_home", "hall_door")
              + sc.layout.aisle_length("hall_door", "wash_in"))
    assert (path_m, agv.trip_time_s(path_m)) == (65.0, 67.0)


def test_example_shapes() -> None:
    phone = scenarios.load(scenarios.example_path("phone_housing_line"))
    assert all(s.servers == 1 for s in phone.stations) and phone.wip_cap is None
    assert any(s.buffer is not None for s in phone.stations)
    assert 40 * 3600 <= phone.horizon <= 80 * 3600
    smt = scenarios.load(scenarios.example_path("smt_assembly"))
    assert smt.source is not None
    assert {s.name: s.servers for s in smt.stations}["functional_test"] == 2
    assert 2 <= {s.name: s.servers for s in smt.stations}["screw_driving"] <= 3
    assert len({s.process.dist for s in smt.stations}) >= 4
    cnc = scenarios.load(scenarios.example_path("cnc_cell_conwip"))
    assert cnc.wip_cap is not None and max(s.servers for s in cnc.stations) > 1


def test_package_imports_only_yaml_pydantic_and_stdlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import scenarios; scenarios.load(scenarios.example_path('smt_assembly'));"
        "bad = sorted(m for m in ('numpy', 'simpy', 'numba', 'scipy', 'simulator', 'cells',"
        " 'kernels', 'PyQt6') if m in sys.modules); print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_v2_examples_compare_operators_with_a_robot() -> None:
    manual = scenarios.load(scenarios.example_path("cnc_cell_operators"))
    robot = scenarios.load(scenarios.example_path("cnc_cell_robot"))
    assert manual.linelab == robot.linelab == 2
    # The same cell: stations, products and seed agree, so variants share random numbers.
    assert [s.name for s in manual.stations] == [s.name for s in robot.stations]
    assert manual.products == robot.products and manual.seed == robot.seed
    assert manual.station("cnc").servers == robot.station("cnc").servers == 6
    manual_failures, robot_failures = manual.station("cnc").failures, robot.station("cnc").failures
    assert manual_failures is not None and robot_failures is not None
    assert manual_failures.model_copy(update={"repair_by": None}) == robot_failures.model_copy(
        update={"repair_by": None}
    )
    # Who tends: operators on shifts, or one robot around the clock.
    ops = manual.resource("operators")
    assert (ops.kind, ops.count, ops.shifts) == ("operator", 2, ("day", "night"))
    tending = manual.station("cnc").tending
    assert tending is not None and tending.by == "operators"
    assert manual.station("inspect").operated_by == "operators"
    bot = robot.resource("robot")
    assert (bot.kind, bot.count, bot.shifts) == ("robot", 1, None)
    tending = robot.station("cnc").tending
    assert tending is not None and tending.by == "robot"
    # Whole weeks are measured, so shifts and Sundays count in proportion.
    assert manual.horizon % (7 * 86400) == 0 and robot.horizon % (7 * 86400) == 0
