"""The format-v2 examples in ``docs/scenario-format.md`` are valid, and every v2 key has one
(material flow included: layout, vehicles, ``at``, ``transport``, ``conveyor``).

Pins down that the documentation cannot drift from the loader: each YAML block of the
"Format v2" section either is a whole scenario that loads, or is a fragment (top-level keys or
station keys) that loads once put into a small v2 cell; and that together the blocks show
every key of the v2 models.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import scenarios
from scenarios import Break, Calendar, Failures, Product, Resource, Setup, Shift, Station, Tending
from scenarios.assembly import Assembly
from scenarios.battery import Battery
from scenarios.flow import Conveyor, Layout
from scenarios.yamlsafe import read_yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"

CELL = """\
linelab: 2
name: docs cell
horizon: 1 d
calendar:
  shifts:
    - {name: day, start: "08:00", end: "20:00"}
    - {name: night, start: "20:00", end: "08:00"}
resources:
  - {name: operators, kind: operator, count: 2}
  - {name: robot, kind: robot}
  - {name: technician, kind: operator}
  - {name: agv, kind: vehicle, speed: 1 m/s}
products:
  - {name: housing_61, share: 0.6}
  - {name: housing_67, share: 0.4}
layout:
  points: {cnc_out: [0, 0], insp_in: [12, 5]}
  aisles: [[cnc_out, insp_in]]
stations:
  - {name: cnc, servers: 6, process: 8 min}
  - {name: inspect, process: 40 s, at: insp_in}
"""

TOP_LEVEL = {"calendar", "resources", "products", "layout"}


def _v2_blocks() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Format v2") : text.index("## YAML rules")]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def _scenario_with(fragment: dict[str, Any]) -> scenarios.Scenario:
    data = yaml.safe_load(CELL)
    if "linelab" in fragment:
        data = fragment
    elif set(fragment) <= TOP_LEVEL:
        data.update(fragment)
    else:
        data["stations"][0].update(fragment)
    return scenarios.loads(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_section_has_blocks() -> None:
    assert len(_v2_blocks()) >= 12


@pytest.mark.parametrize("block", _v2_blocks())
def test_block_is_valid(block: str) -> None:
    doc = read_yaml(block, "docs")
    assert not doc.problems, doc.problems
    _scenario_with(doc.data)


def _keys(value: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(str(key))
            out |= _keys(item)
    elif isinstance(value, list):
        for item in value:
            out |= _keys(item)
    return out


def test_every_v2_key_has_an_example() -> None:
    shown: set[str] = set()
    for block in _v2_blocks():
        shown |= _keys(read_yaml(block, "docs").data)
    v2_station_keys = set(Station.model_fields) - {"name", "servers", "process", "buffer"}
    models = (Calendar, Shift, Break, Resource, Product, Tending, Failures, Setup, Layout, Conveyor,
              Battery, Assembly)
    wanted = TOP_LEVEL | v2_station_keys | {k for m in models for k in m.model_fields}
    wanted |= {"busy", "idle", "down", "setup", "off_shift", "tending"}  # power states
    assert wanted - shown == set()
