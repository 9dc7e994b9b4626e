"""The one quantity parser behind lengths, speeds, accelerations, powers, energies and
consumptions (``scenarios.units.parse_quantity``).

Pins down that no unit spelling stands in two dimensions (so a unit names its dimension),
that every accepted unit converts by its table factor in any case, and that a unit of the
wrong dimension gets the same kind of hint whichever field asks for it, including pairs
that no field-specific message covers (a power where a length is asked, a time where a
power is asked).
"""

from __future__ import annotations

import re

import pytest

from scenarios.battery import parse_charge_rate, parse_energy, parse_use
from scenarios.flow import parse_acceleration, parse_length, parse_speed
from scenarios.power import parse_power
from scenarios.units import DIMENSIONS, dimension_of, quantity_pattern

_PARSERS = {
    "length": parse_length,
    "speed": parse_speed,
    "acceleration": parse_acceleration,
    "power": parse_power,
    "energy": parse_energy,
    "consumption per metre": parse_use,
}


def test_no_unit_stands_in_two_dimensions() -> None:
    seen: dict[str, str] = {}
    for dimension, units in DIMENSIONS.items():
        for unit in units:
            assert unit == unit.lower()
            assert unit not in seen, (unit, seen.get(unit), dimension)
            seen[unit] = dimension
            assert dimension_of(unit.upper()) == dimension


@pytest.mark.parametrize("dimension", sorted(_PARSERS))
def test_every_unit_converts_by_its_factor_in_any_case(dimension: str) -> None:
    parse = _PARSERS[dimension]
    pattern = re.compile(quantity_pattern(DIMENSIONS[dimension]))
    for unit, factor in DIMENSIONS[dimension].items():
        for spelled in (unit, unit.upper()):
            text = f"0.5 {spelled}"
            assert pattern.match(text)
            assert parse(text) == 0.5 * factor, text


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_length, "5 kW", "'5 kW' is a power, but a length is asked here; write '12 m'"),
        (parse_speed, "5 kWh", "'5 kWh' is an energy, but a speed is asked here; write '1 m/s'"),
        (parse_power, "2 h", "'2 h' is a time, but a power is asked here; write '7.5 kW'"),
        (parse_power, "3 m", "'3 m' is a length, but a power is asked here; write '7.5 kW'"),
        (parse_power, "3 MJ", "'3 MJ' is an energy, but a power is asked here"),
        (parse_energy, "2 m", "'2 m' is a length, but an energy is asked here"),
        (parse_energy, "5 kJ", "unknown energy unit 'kJ' in '5 kJ' (use kWh, Wh)"),
        (parse_use, "20 kJ", "'20 kJ' is an energy, but the energy per metre driven is asked"),
        (parse_charge_rate, "5 kJ", "'5 kJ' is an energy, but a power is asked here; write the "
         "charging power"),
        (parse_charge_rate, "3 m/s", "'3 m/s' is a speed, but a power is asked here"),
        (parse_power, "3 xx", "unknown power unit 'xx' in '3 xx' (use W, kW or MW)"),
    ],
)
def test_wrong_dimension_gets_a_hint(parse, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse(text)
