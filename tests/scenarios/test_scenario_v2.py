"""Format v2: what a valid ``linelab: 2`` file becomes, and how v1 files look through it.

Pins down the contract example of the format (calendar, products, resources, tending,
operated_by, failures, setup, scrap, power) parsed into SI values (seconds, kW); the meaning
of shorthands (a bare MTBF/MTTR is exponential, a bare setup is one time for every change);
the power fallbacks by state; the helpers the engine reads (``products_or_default``,
``process_of``, ``resource``, ``Setup.time_for``); that a v1 file reads as a scenario with
every v2 feature off; that cross-reference checks also guard ``Scenario.model_validate``;
and that several v2 mistakes are all reported at once, in file order.
"""

from __future__ import annotations

import textwrap

import pydantic
import pytest

import scenarios
from scenarios import (
    Constant,
    Exponential,
    Lognormal,
    Power,
    ResourcePower,
    Scenario,
    ScenarioError,
)
from scenarios.equipment import RoutedProduct
from scenarios.power import parse_power
from tests.scenarios.malformed_cases import BASE, BASE_V2

DESIGN_EXAMPLE = """\
linelab: 2
name: CNC cell — operators vs robot
horizon: 20 d
warmup: 1 d
replications: 10
seed: 1

calendar:
  shifts:
    - {name: early, start: "06:00", end: "14:00"}
    - {name: late,  start: "14:00", end: "22:00"}
  breaks:
    - {start: "10:00", duration: 30 min}
  days: [mon, tue, wed, thu, fri, sat]

products:
  - name: housing_a
    share: 0.7
    route: [cnc, deburr, cmm]
    process: {cnc: 7 min}
  - name: housing_b
    share: 0.3
    route: [cnc, cmm]

resources:
  - name: operators
    kind: operator
    count: 2
    shifts: [early, late]

stations:
  - name: cnc
    servers: 6
    process: 7 min
    tending: {by: operators, time: 40 s}
    failures: {mtbf: 40 h, mttr: 30 min}
    setup: 12 min
    scrap: 0.02
    power: {busy: 7.5 kW, idle: 1.2 kW, down: 0.2 kW}
  - name: deburr
    process: 3 min
    operated_by: operators
  - name: cmm
    process: 4 min
"""


def test_design_example() -> None:
    sc = scenarios.loads(DESIGN_EXAMPLE)
    assert sc.linelab == 2
    assert (sc.horizon, sc.warmup) == (20 * 86400.0, 86400.0)
    cal = sc.calendar
    assert cal is not None
    assert [(s.name, s.start, s.end) for s in cal.shifts] == [
        ("early", 6 * 3600.0, 14 * 3600.0),
        ("late", 14 * 3600.0, 22 * 3600.0),
    ]
    assert [(b.start, b.duration, b.shifts) for b in cal.breaks] == [(36000.0, 1800.0, None)]
    assert cal.days == ("mon", "tue", "wed", "thu", "fri", "sat")
    a, b = sc.products or ()
    assert (a.name, a.share, a.route) == ("housing_a", 0.7, ("cnc", "deburr", "cmm"))
    assert a.process == {"cnc": Constant(dist="constant", value=420.0)}
    assert (b.name, b.share, b.route, b.process) == ("housing_b", 0.3, ("cnc", "cmm"), {})
    (ops,) = sc.resources
    assert (ops.name, ops.kind, ops.count, ops.shifts) == (
        "operators",
        "operator",
        2,
        ("early", "late"),
    )
    assert ops.waiting_state == "waiting_operator"
    assert (ops.power, ops.price) == (None, None)
    cnc, deburr, cmm = sc.stations
    assert cnc.tending is not None
    assert (cnc.tending.by, cnc.tending.time) == (
        "operators",
        Constant(dist="constant", value=40.0),
    )
    assert cnc.failures is not None
    assert cnc.failures.mtbf == Exponential(dist="exponential", mean=40 * 3600.0)
    assert cnc.failures.mttr == Exponential(dist="exponential", mean=1800.0)
    assert (cnc.failures.basis, cnc.failures.repair_by) == ("operating", None)
    assert cnc.setup is not None and cnc.setup.matrix == {}
    assert cnc.setup.default == Constant(dist="constant", value=720.0)
    assert cnc.scrap == 0.02
    assert cnc.power == Power(busy=7.5, idle=1.2, down=0.2)
    assert (cnc.shifts, cnc.price, cnc.operated_by) == (None, None, None)
    assert deburr.operated_by == "operators" and deburr.tending is None
    assert (cmm.setup, cmm.failures, cmm.scrap, cmm.power) == (None, None, 0.0, None)


def test_helpers_for_the_engine() -> None:
    sc = scenarios.loads(DESIGN_EXAMPLE)
    a, b = sc.products_or_default()
    assert sc.process_of(a, "cnc") == Constant(dist="constant", value=420.0)
    assert sc.process_of(b, sc.station("cnc")) == Constant(dist="constant", value=420.0)
    assert sc.process_of(a, "cmm") == Constant(dist="constant", value=240.0)
    assert sc.resource("operators").count == 2
    with pytest.raises(KeyError):
        sc.resource("robot")
    with pytest.raises(KeyError):
        sc.station("wash")


def test_product_without_route_visits_every_station() -> None:
    text = BASE_V2.replace("    route: [cnc, cmm]\n", "")
    sc = scenarios.loads(text)
    assert sc.products is not None and sc.products[1].route is None
    assert sc.products_or_default()[1].route == ("cnc", "deburr", "cmm")


def test_v1_file_has_every_v2_feature_off() -> None:
    sc = scenarios.loads(BASE)
    assert sc.linelab == 1
    assert (sc.calendar, sc.products, sc.resources) == (None, None, ())
    for st in sc.stations:
        assert (st.tending, st.operated_by, st.failures, st.setup) == (None, None, None, None)
        assert (st.scrap, st.power, st.shifts, st.price) == (0.0, None, None, None)
    (part,) = sc.products_or_default()
    assert part == RoutedProduct(name="part", share=1.0, route=("press", "pack"))
    assert sc.process_of(part, "pack") is sc.stations[1].process
    assert Scenario.model_validate(sc.model_dump()) == sc
    assert Scenario.model_validate_json(sc.model_dump_json()) == sc


def test_setup_matrix_and_default() -> None:
    text = BASE_V2.replace(
        "setup: {matrix: {housing_a: {housing_b: 10 min}}}",
        "setup: {matrix: {housing_a: {housing_b: 10 min}},"
        " default: {dist: exponential, mean: 4 min}}",
    )
    setup = scenarios.loads(text).stations[0].setup
    assert setup is not None
    assert setup.time_for("housing_a", "housing_b") == Constant(dist="constant", value=600.0)
    assert setup.time_for("housing_b", "housing_a") == Exponential(dist="exponential", mean=240.0)
    assert setup.time_for("housing_a", "housing_a") is None
    only_matrix = scenarios.loads(BASE_V2).stations[0].setup
    assert only_matrix is not None and only_matrix.time_for("housing_b", "housing_a") is None


def test_failures_with_distributions_and_calendar_basis() -> None:
    text = BASE_V2.replace(
        "failures: {mtbf: 40 h, mttr: 30 min}",
        "failures: {mtbf: {dist: lognormal, mean: 40 h, cv: 0.5},"
        " mttr: {dist: constant, value: 20 min},"
        " basis: calendar, repair_by: operators}",
    )
    f = scenarios.loads(text).stations[0].failures
    assert f is not None
    assert f.mtbf == Lognormal(dist="lognormal", mean=144000.0, cv=0.5)
    assert f.mttr == Constant(dist="constant", value=1200.0)
    assert (f.basis, f.repair_by) == ("calendar", "operators")


@pytest.mark.parametrize(
    ("text", "kw"),
    [
        (7.5, 7.5),
        (0, 0.0),
        ("7.5 kW", 7.5),
        ("500 W", 0.5),
        ("500W", 0.5),
        ("2 MW", 2000.0),
        ("1.2 kw", 1.2),
        ("3", 3.0),
    ],
)
def test_power_units(text: object, kw: float) -> None:
    assert parse_power(text) == pytest.approx(kw, rel=1e-15)


@pytest.mark.parametrize("text", ["7.5 kWh", "3 Wh", "-1 kW", "1 hp", "fast", ".inf", True])
def test_power_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_power(text)


def test_power_fallbacks_by_state() -> None:
    p = Power(busy=7.5, idle=1.2, down=0.2)
    assert [p.kw(s) for s in ("busy", "down", "idle", "starved", "blocked", "setup")] == [
        7.5,
        0.2,
        1.2,
        1.2,
        1.2,
        1.2,
    ]
    assert p.kw("waiting_operator") == 1.2 and p.kw("off_shift") == 1.2
    assert Power(busy=3.0).kw("idle") == 0.0 and Power().kw("busy") == 0.0
    r = ResourcePower(busy=0.8, idle=0.3)
    assert [r.kw(s) for s in ("operating", "repairing", "tending", "idle", "off_shift")] == [
        0.8,
        0.8,
        0.3,
        0.3,
        0.3,
    ]


def test_model_validate_also_checks_cross_references() -> None:
    data = {
        "linelab": 2,
        "name": "x",
        "horizon": "1 h",
        "stations": [{"name": "a", "process": 5, "operated_by": "nobody"}],
    }
    with pytest.raises(pydantic.ValidationError, match="unknown resource 'nobody'"):
        Scenario.model_validate(data)
    with pytest.raises(pydantic.ValidationError, match="needs linelab: 2"):
        Scenario.model_validate({**data, "linelab": 1})


def test_all_v2_problems_at_once_in_file_order() -> None:
    text = (
        BASE_V2.replace("share: 0.3", "share: 0.2")
        .replace("count: 2", "count: 0")
        .replace("{by: operators, time", "{by: operatrs, time")
        .replace('end: "22:00"', 'end: "25:00"')
    )
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text)
    got = [(p.line, p.path) for p in info.value.problems]
    assert got == [
        (8, "calendar.shifts[1].end"),
        (12, "products"),
        (23, "resources[0].count"),
        (29, "stations[0].tending.by"),
    ]


def test_v1_unknown_key_lists_only_v1_keys() -> None:
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(BASE.replace("buffer: 5", "colour: red"))
    (problem,) = info.value.problems
    assert (
        problem.message == "unknown key 'colour' (valid keys here: name, servers, process, buffer)"
    )


def test_shares_within_tolerance() -> None:
    text = textwrap.dedent(
        """\
        linelab: 2
        name: thirds
        horizon: 1 h
        products:
          - {name: a, share: 0.3333333333}
          - {name: b, share: 0.3333333333}
          - {name: c, share: 0.3333333334}
        stations: [{name: s, process: 1 min}]
        """
    )
    assert len(scenarios.loads(text).products or ()) == 3
    with pytest.raises(ScenarioError, match="shares must sum to 1"):
        scenarios.loads(text.replace("0.3333333334", "0.3333333"))


def test_v1_dump_has_only_v1_keys() -> None:
    sc = scenarios.loads(BASE)
    dumped = sc.model_dump(mode="json")
    assert list(dumped) == [
        "linelab",
        "name",
        "horizon",
        "warmup",
        "replications",
        "seed",
        "source",
        "wip_cap",
        "stations",
    ]
    assert all(list(st) == ["name", "servers", "process", "buffer"] for st in dumped["stations"])
    v2 = scenarios.loads(BASE_V2).model_dump(mode="json")
    assert {"calendar", "products", "resources"} <= set(v2)
    assert {"tending", "failures", "setup", "scrap", "power"} <= set(v2["stations"][0])
