"""The ``battery`` of a vehicle in the scenario format: units, defaults, dumps and the reserve.

Pins down: energies, consumptions and charging powers in every accepted unit convert to kWh,
kWh/m and kW; ``charger`` takes one name or a list; a vehicle without a battery dumps as before
(no ``battery`` key); the load-time reserve check refuses a ``low`` (or a ``full``) that cannot
cover the longest task and the trip to a charger, computed by hand below, and accepts one just
large enough. The malformed-file table (``malformed_cases.py``) pins the messages' positions.
"""

from __future__ import annotations

import pytest

import scenarios
from scenarios.battery import parse_charge_rate, parse_energy, parse_use


@pytest.mark.parametrize(
    ("text", "kwh"), [("10 kWh", 10.0), ("800 Wh", 0.8), ("0.5 MWh", 500.0), (12, 12.0)]
)
def test_energy_units(text: object, kwh: float) -> None:
    assert parse_energy(text) == pytest.approx(kwh, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "kwh_m"),
    [("0.02 kWh/m", 0.02), ("20 Wh/m", 0.02), ("150 Wh/km", 0.00015), ("0.2 kWh/km", 0.0002)],
)
def test_consumption_units(text: object, kwh_m: float) -> None:
    assert parse_use(text) == pytest.approx(kwh_m, rel=1e-15)


@pytest.mark.parametrize(("text", "kw"), [("5 kW", 5.0), ("500 W", 0.5), (3, 3.0)])
def test_charge_rate_units(text: object, kw: float) -> None:
    assert parse_charge_rate(text) == pytest.approx(kw, rel=1e-15)


@pytest.mark.parametrize("bad", ["0 kW", "-1 kW", "5 kWh", "2 h"])
def test_charge_rate_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_charge_rate(bad)


# A line: pick-up at a (0, 0), drop-off at b (d, 0), charger c at (d, 10). The longest task
# from a drop-off: back to a (d), loaded to b (d), on to c (10): 2d + 10 metres. From the
# charger: to a (d + 10), loaded (d), back to c (10): 2d + 20 metres.
CELL = """
linelab: 2
name: battery format
horizon: 1 h
layout:
  points: {{a: [0, 0], b: [{d}, 0], c: [{d}, 10]}}
  aisles: [[a, b], [b, c]]
resources:
  - name: agv
    kind: vehicle
    speed: 1 m/s
    battery: {{capacity: 1 kWh, use: 1 Wh/m, charge_rate: 2 kW, charger: {charger},
              low: {low}, full: {full}}}
stations:
  - {{name: cut, process: 10 s, at: a, transport: agv}}
  - {{name: wash, process: 10 s, at: b}}
"""


def cell(d: float = 100.0, low: float = 0.21, full: float = 1.0, charger: str = "c") -> str:
    return CELL.format(d=d, low=low, full=full, charger=charger)


def test_battery_loads_with_units_and_a_single_charger() -> None:
    sc = scenarios.loads(cell())
    battery = sc.resources[0].battery
    assert battery is not None
    assert (battery.capacity, battery.use, battery.charge_rate) == (1.0, 0.001, 2.0)
    assert battery.charger == ("c",)
    assert battery.charge_s == pytest.approx((1.0 - 0.21) * 1.0 / 2.0 * 3600.0)
    again = scenarios.loads(cell(charger="[c, b]")).resources[0].battery
    assert again is not None and again.charger == ("c", "b")
    dumped = sc.model_dump(mode="json")["resources"][0]["battery"]
    assert dumped["charger"] == ["c"]
    assert type(sc).model_validate(sc.model_dump()) == sc


def test_vehicle_without_battery_dumps_as_before() -> None:
    text = cell().replace("    battery: {capacity: 1 kWh, use: 1 Wh/m, charge_rate: 2 kW, "
                          "charger: c,\n              low: 0.21, full: 1.0}\n", "")
    sc = scenarios.loads(text)
    assert sc.resources[0].battery is None
    assert "battery" not in sc.model_dump(mode="json")["resources"][0]


def test_reserve_must_cover_the_longest_task_and_the_trip_to_a_charger() -> None:
    """2·100 + 10 = 210 m at 1 Wh/m = 0.21 kWh of a 1 kWh battery: low 0.21 is enough."""
    scenarios.loads(cell(low=0.21))
    with pytest.raises(scenarios.ScenarioError, match=r"raise low to at least 0\.21\b"):
        scenarios.loads(cell(low=0.2))


def test_full_must_cover_the_longest_task_from_a_charger() -> None:
    """From the charger 2·100 + 20 = 220 m: full 0.215 is short of 0.22 kWh; 0.22 is enough."""
    scenarios.loads(cell(low=0.21, full=0.22))
    with pytest.raises(scenarios.ScenarioError, match="leaving the charger at full"):
        scenarios.loads(cell(low=0.21, full=0.215))
