"""Material flow in format v2: the layout, vehicles and conveyors as the engine reads them.

Pins down the contract example of "Material flow" parsed into SI values (metres, m/s, m/s²,
seconds); the units of length, speed and acceleration (and that one written for another is
refused); the helpers the engine relies on (``Layout.edges``, ``reachable_from``,
``Resource.trip_time_s``, ``Conveyor.capacity``, ``Scenario.vehicle_home``) against values
derived by hand; the checks that only hold across the file (paths between stations that
exchange parts by vehicle, one-way aisles, the last station of a route), also through
``Scenario.model_validate``; and that files without material flow load and dump as before.
"""

from __future__ import annotations

import math

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scenarios
from scenarios import ResourcePower, Scenario, ScenarioError
from scenarios.flow import parse_acceleration, parse_length, parse_speed, trip_time_s
from tests.scenarios.malformed_cases import BASE, BASE_FLOW, BASE_V2

CONTRACT_EXAMPLE = """\
linelab: 2
name: material flow contract
horizon: 8 h
layout:
  points: {cnc_out: [0, 0], corner: [30, 0], wash_in: [30, 40]}   # metres
  aisles: [[cnc_out, corner], [corner, wash_in]]                  # two-way straight aisles
resources:
  - {name: agv, kind: vehicle, count: 2, speed: 1 m/s, acceleration: 0.5 m/s2,
     load: 10 s, unload: 10 s}
stations:
  - {name: cnc, process: 60 s, at: cnc_out, transport: agv}   # parts leaving go by agv
  - {name: wash, process: 5 s, at: wash_in,
     conveyor: {length: 12 m, speed: 0.2 m/s, spacing: 0.5 m}}
  - {name: pack, process: 20 s}
"""


def test_contract_example_in_si_units() -> None:
    sc = scenarios.loads(CONTRACT_EXAMPLE)
    assert sc.layout is not None
    assert sc.layout.points == {
        "cnc_out": (0.0, 0.0), "corner": (30.0, 0.0), "wash_in": (30.0, 40.0),
    }
    assert sc.layout.aisles == (("cnc_out", "corner"), ("corner", "wash_in"))
    assert sc.layout.one_way == ()
    agv = sc.resource("agv")
    assert agv.is_vehicle and agv.kind == "vehicle" and agv.count == 2
    assert (agv.speed, agv.acceleration, agv.load, agv.unload) == (1.0, 0.5, 10.0, 10.0)
    assert (agv.capacity, agv.park, agv.dispatch) == (1, None, "oldest")
    cnc, wash, pack = sc.stations
    assert (cnc.at, cnc.transport, cnc.conveyor) == ("cnc_out", "agv", None)
    assert wash.at == "wash_in" and wash.transport is None
    assert wash.conveyor is not None
    assert (wash.conveyor.length, wash.conveyor.speed, wash.conveyor.spacing) == (12.0, 0.2, 0.5)
    assert (pack.at, pack.transport, pack.conveyor) == (None, None, None)


def test_layout_helpers() -> None:
    layout = scenarios.loads(BASE_FLOW).layout
    assert layout is not None
    assert layout.point_index() == {
        "cnc_out": 0, "corner": 1, "wash_in": 2, "insp_in": 3, "pack_in": 4,
    }
    # Straight-line lengths: 30 m along x, 40 m along y, then 6 m (one way only).
    assert layout.edges() == (
        ("cnc_out", "corner", 30.0),
        ("corner", "cnc_out", 30.0),
        ("corner", "wash_in", 40.0),
        ("wash_in", "corner", 40.0),
        ("wash_in", "insp_in", 6.0),
    )
    assert layout.aisle_length("cnc_out", "wash_in") == 50.0  # a 3-4-5 triangle
    assert layout.reachable_from("cnc_out") == {"cnc_out", "corner", "wash_in", "insp_in"}
    assert layout.reachable_from("insp_in") == {"insp_in"}  # the one-way aisle only leaves
    assert layout.reachable_from("pack_in") == {"pack_in"}


def test_trip_time_accelerates_and_brakes_once() -> None:
    # v = 1 m/s, a = 0.5 m/s²: full speed is reached in trips of at least v²/a = 2 m.
    assert trip_time_s(70.0, 1.0, 0.5) == 70.0 / 1.0 + 1.0 / 0.5  # 72 s
    assert trip_time_s(2.0, 1.0, 0.5) == 4.0  # the boundary: both formulas give 4 s
    assert trip_time_s(2.0, 1.0, 0.5) == 2 * math.sqrt(2.0 / 0.5)
    assert trip_time_s(0.5, 1.0, 0.5) == 2 * math.sqrt(0.5 / 0.5)  # 2 s, never at full speed
    assert trip_time_s(70.0, 1.0, None) == 70.0  # no acceleration given: d / v
    assert trip_time_s(0.0, 1.0, 0.5) == 0.0
    agv = scenarios.loads(BASE_FLOW).resource("agv")
    assert agv.trip_time_s(70.0) == 72.0
    with pytest.raises(ValueError, match="not a vehicle"):
        scenarios.loads(BASE_FLOW).resource("operators").trip_time_s(1.0)


@given(
    d=st.floats(0.0, 1e4),
    v=st.floats(0.01, 10.0),
    a=st.floats(0.01, 10.0),
    extra=st.floats(0.0, 100.0),
)
def test_trip_time_is_continuous_and_grows_with_distance(
    d: float, v: float, a: float, extra: float
) -> None:
    """Longer trips never take less time; the two profiles meet at d = v²/a; a vehicle that
    accelerates is never faster than one at top speed throughout."""
    assert trip_time_s(d + extra, v, a) >= trip_time_s(d, v, a) * (1 - 1e-12)
    assert trip_time_s(d, v, a) >= trip_time_s(d, v, None) * (1 - 1e-12)
    knee = v * v / a
    assert math.isclose(2 * math.sqrt(knee / a), knee / v + v / a, rel_tol=1e-12)


def test_conveyor_capacity_and_times() -> None:
    belt = scenarios.loads(BASE_FLOW).station("inspect").conveyor
    assert belt is not None
    assert belt.capacity == 24  # floor(12 m / 0.5 m)
    assert belt.travel_s == pytest.approx(60.0, rel=1e-15)  # 12 m at 0.2 m/s
    assert belt.entry_gap_s == pytest.approx(2.5, rel=1e-15)  # 0.5 m at 0.2 m/s
    odd = scenarios.flow.Conveyor(length=0.3, speed=1, spacing=0.1)
    assert odd.capacity == 3  # 0.3 / 0.1 is 2.9999999999999996 in floating point
    exact = scenarios.flow.Conveyor(length="1 m", speed="6 m/min", spacing="1000 mm")
    assert (exact.capacity, exact.travel_s, exact.entry_gap_s) == (1, 10.0, 10.0)


@pytest.mark.parametrize(
    ("text", "metres"),
    [(12, 12.0), (0.5, 0.5), ("12 m", 12.0), ("1200 mm", 1.2), ("35 cm", 0.35), ("0.1 km", 100.0),
     ("3M", 3.0)],
)
def test_lengths(text: object, metres: float) -> None:
    assert parse_length(text) == pytest.approx(metres, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "speed"),
    [(1, 1.0), ("1 m/s", 1.0), ("60 m/min", 1.0), ("3.6 km/h", 1.0), ("500 mm/s", 0.5),
     ("20 cm/s", 0.2)],
)
def test_speeds(text: object, speed: float) -> None:
    assert parse_speed(text) == pytest.approx(speed, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "accel"),
    [(0.5, 0.5), ("0.5 m/s2", 0.5), ("0.5 m/s^2", 0.5), ("0.5 m/s²", 0.5), ("0.5 m/s/s", 0.5),
     ("300 mm/s2", 0.3)],
)
def test_accelerations(text: object, accel: float) -> None:
    assert parse_acceleration(text) == pytest.approx(accel, rel=1e-15)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_acceleration, "0.5 m/s", "'0.5 m/s' is a speed, but an acceleration is asked"),
        (parse_acceleration, "0.5 km/h", "is a speed, but an acceleration is asked"),
        (parse_speed, "1 m/s2", "is an acceleration, but a speed is asked"),
        (parse_speed, "1 m", "is a length, but a speed is asked"),
        (parse_speed, "1 min", "is a time, but a speed is asked"),
        (parse_speed, "1 knot", "unknown speed unit 'knot'"),
        (parse_speed, "500 m/s", "must be at most 100 m/s"),
        (parse_speed, "1e-9", "is below 1e-6 m/s"),
        (parse_speed, -1, "must be >= 0 (a speed is never negative)"),
        (parse_speed, True, "expected a speed like"),
        (parse_length, "12 m/s", "is a speed, but a length is asked"),
        (parse_length, "-12 m", "a length is never negative"),
        (parse_length, "200 km", "must be at most 100 km"),
        (parse_length, float("nan"), "must be a finite length"),
        (parse_acceleration, "200 m/s2", "must be at most 100 m/s2"),
    ],
)
def test_unit_mistakes(parse, text: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_vehicle_home_and_options() -> None:
    sc = scenarios.loads(BASE_FLOW)
    assert sc.vehicle_home("agv") == "cnc_out"  # the first station it carries from
    parked = scenarios.loads(
        BASE_FLOW.replace("    unload: 10 s\n", "    unload: 10 s\n    park: corner\n"
                          "    capacity: 4\n    dispatch: nearest\n")
    )
    agv = parked.resource("agv")
    assert (parked.vehicle_home("agv"), agv.capacity, agv.dispatch) == ("corner", 4, "nearest")
    no_accel = scenarios.loads(BASE_FLOW.replace("    acceleration: 0.5 m/s2\n", ""))
    assert no_accel.resource("agv").acceleration is None
    idle = scenarios.loads(
        BASE_FLOW.replace("    transport: agv\n", "")
    )
    assert idle.vehicle_home("agv") is None  # a vehicle no station uses and without park


def test_vehicle_power_counts_travel_and_handling_as_busy() -> None:
    power = ResourcePower(busy=1.5, idle=0.2)
    for state in ("travel_loaded", "travel_empty", "handling"):
        assert power.kw(state) == 1.5
    assert power.kw("idle") == 0.2 and power.kw("blocked") == 0.2


def test_last_station_of_one_route_only_may_have_transport() -> None:
    """Transport is refused only where it would never carry anything: a station that ends
    one product's route but not another's keeps it."""
    text = BASE_FLOW.replace(
        "stations:\n",
        "products:\n  - {name: a, share: 0.5, route: [cnc, wash, inspect, pack]}\n"
        "  - {name: b, share: 0.5, route: [cnc]}\nstations:\n",
    )
    sc = scenarios.loads(text)
    assert sc.station("cnc").transport == "agv"


def test_one_way_aisles_are_driven_one_way() -> None:
    # wash -> inspect by vehicle along the one-way aisle wash_in -> insp_in is fine for the
    # loaded trip, but the vehicle could never come back: refused, both ends named.
    text = BASE_FLOW.replace("    at: wash_in\n", "    at: wash_in\n    transport: agv\n").replace(
        "    process: 45 s\n", "    process: 45 s\n    at: insp_in\n"
    )
    with pytest.raises(ScenarioError, match=r"cannot drive from 'insp_in'.*to 'cnc_out'"):
        scenarios.loads(text)
    back = text.replace("    - [wash_in, insp_in]\n", "    - [wash_in, insp_in]\n"
                        "    - [insp_in, cnc_out]\n")
    sc = scenarios.loads(back)
    assert sc.layout is not None and "cnc_out" in sc.layout.reachable_from("insp_in")


def test_cross_checks_guard_model_validate() -> None:
    data = scenarios.loads(BASE_FLOW).model_dump()
    assert Scenario.model_validate(data) == scenarios.loads(BASE_FLOW)
    data["stations"][1]["at"] = "nowhere"
    with pytest.raises(pydantic.ValidationError, match="not a point of the layout"):
        Scenario.model_validate(data)
    data = scenarios.loads(BASE_FLOW).model_dump()
    data["layout"]["aisles"] = [("cnc_out", "corner")]
    with pytest.raises(pydantic.ValidationError, match="no path along the aisles from 'cnc_out'"):
        Scenario.model_validate(data)


def test_several_flow_mistakes_reported_at_once_in_file_order() -> None:
    text = (
        BASE_FLOW.replace("- [corner, wash_in]", "- [corner, wash]")
        .replace("speed: 1 m/s", "speed: 0")
        .replace("length: 12 m", "length: 0.1 m")
    )
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text)
    got = [(p.line, p.path) for p in info.value.problems]
    assert got == [
        (13, "layout.aisles[1][1]"),
        (20, "resources[0].speed"),
        (38, "stations[2].conveyor.spacing"),
    ]


@pytest.mark.parametrize("text", [BASE, BASE_V2])
def test_files_without_material_flow_dump_as_before(text: str) -> None:
    """No layout, ``at``, ``transport``, ``conveyor`` or vehicle key appears in the dump of a
    scenario that does not use them (the run JSON's "config" is unchanged)."""
    sc = scenarios.loads(text)
    dump = sc.model_dump(mode="json")
    assert "layout" not in dump
    for station in dump["stations"]:
        assert not {"at", "transport", "conveyor"} & set(station)
    for resource in dump.get("resources", []):
        assert not {"speed", "acceleration", "load", "unload", "capacity", "park",
                    "dispatch"} & set(resource)
    assert Scenario.model_validate(dump) == sc
    assert sc.layout is None and all(s.at is None for s in sc.stations)


def test_flow_scenario_round_trips_through_json() -> None:
    sc = scenarios.loads(BASE_FLOW)
    assert Scenario.model_validate_json(sc.model_dump_json()) == sc
    dump = sc.model_dump(mode="json")
    assert dump["layout"]["points"]["wash_in"] == [30.0, 40.0]
    assert dump["resources"][0]["speed"] == 1.0
