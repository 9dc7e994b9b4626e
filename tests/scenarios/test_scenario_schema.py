"""The JSON Schema of the scenario format, and documents that round-trip through it.

Pins down that ``json_schema()`` generates (draft 2020-12), that every property of every
model carries a description (the schema is the documentation), that it lists every field and
the ``dist`` kinds, that the shipped examples validate against it (``jsonschema``, a test
dependency), and that ``model_dump`` → ``Scenario.model_validate`` gives the same scenario.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

import scenarios
from scenarios import DIST_NAMES, Scenario, Source, Station, json_schema
from scenarios.distributions import DIST_KINDS


def _objects(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {"Scenario": schema}
    out.update(schema.get("$defs", {}))
    return out


def test_schema_generates_and_is_json() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert set(schema["required"]) == {"linelab", "name", "horizon", "stations"}


def test_every_property_is_described() -> None:
    for name, obj in _objects(json_schema()).items():
        for prop, spec in obj.get("properties", {}).items():
            assert spec.get("description", "").strip(), f"{name}.{prop} has no description"


def test_schema_lists_all_fields_and_dist_kinds() -> None:
    schema = json_schema()
    objects = _objects(schema)
    # baseline and variants are resolved before the model (scenarios/variants.py)
    assert set(schema["properties"]) == set(Scenario.model_fields) | {"baseline", "variants"}
    assert set(objects["Station"]["properties"]) == set(Station.model_fields)
    assert set(objects["Source"]["properties"]) == set(Source.model_fields)
    consts = set()
    for cls in DIST_KINDS.values():
        props = objects[cls.__name__]["properties"]
        assert set(props) == set(cls.model_fields)
        consts.add(props["dist"]["const"])
    assert consts == set(DIST_NAMES)
    text = json.dumps(schema)
    for name in DIST_NAMES:
        assert f'"{name}"' in text


def test_bounds_are_json_schema_keywords() -> None:
    schema = json_schema()
    props = schema["properties"]
    assert props["replications"]["minimum"] == 1
    assert props["replications"]["maximum"] == 100_000
    horizon_number = next(b for b in props["horizon"]["anyOf"] if b.get("type") == "number")
    assert horizon_number["exclusiveMinimum"] == 0
    wip_cap = next(b for b in props["wip_cap"]["anyOf"] if b.get("type") == "integer")
    assert (wip_cap["minimum"], wip_cap["maximum"]) == (1, 1_000_000)
    for key in ("gt", "ge", "lt", "le"):  # pydantic's own names are not JSON Schema keywords
        assert key not in props["horizon"] and key not in horizon_number


def test_models_document_every_field() -> None:
    models: list[type[BaseModel]] = [Scenario, Station, Source, *DIST_KINDS.values()]
    for model in models:
        assert model.__doc__
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


@pytest.mark.parametrize("name", scenarios.list_examples())
def test_examples_round_trip(name: str) -> None:
    sc = scenarios.load(scenarios.example_path(name))
    assert Scenario.model_validate(sc.model_dump()) == sc
    assert Scenario.model_validate_json(sc.model_dump_json()) == sc
    assert Scenario.model_validate(json.loads(sc.model_dump_json())) == sc


@pytest.mark.parametrize("name", scenarios.list_examples())
def test_examples_validate_against_json_schema(name: str) -> None:
    import jsonschema
    import yaml

    raw = yaml.safe_load(scenarios.example_path(name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(json_schema())
    jsonschema.Draft202012Validator(json_schema()).validate(raw)
    dumped = scenarios.load(scenarios.example_path(name)).model_dump(mode="json")
    jsonschema.Draft202012Validator(json_schema()).validate(dumped)


def test_json_schema_refuses_what_the_loader_refuses() -> None:
    import jsonschema
    validator = jsonschema.Draft202012Validator(json_schema())
    good = {"linelab": 1, "name": "x", "horizon": "8 h", "stations": [{"name": "a", "process": 5}]}
    assert validator.is_valid(good)
    for bad in (
        {**good, "linelab": 3},
        {**good, "horizon": -1},
        {**good, "horizon": "8 parsecs"},
        {**good, "colour": "red"},
        {**good, "stations": []},
        {**good, "stations": [{"name": "a", "process": {"dist": "expo", "mean": 1}}]},
        {**good, "stations": [{"name": "a", "process": 5, "servers": 0}]},
        {**good, "wip_cap": 1_000_001},
        {**good, "name": "two\nlines"},
        {**good, "name": "\u200b"},
        {**good, "stations": [{"name": "a.b", "process": 5}]},
        {**good, "stations": [{"name": "\x1b[31mred", "process": 5}]},
        {**good, "stations": [{"name": "press ", "process": 5}]},
    ):
        assert not validator.is_valid(bad), bad
    for fine in (
        {**good, "name": "Line 2.1"},
        {**good, "wip_cap": 1_000_000},
        {**good, "stations": [{"name": "冲压机 👩\u200d🔧", "process": 5}]},
    ):
        assert validator.is_valid(fine), fine
        scenarios.loads(json.dumps(fine, ensure_ascii=False))  # and LineLab accepts it too


def test_v2_models_document_every_field() -> None:
    from scenarios import (
        Break,
        Calendar,
        Failures,
        Power,
        Product,
        Resource,
        ResourcePower,
        Setup,
        Shift,
        Tending,
    )
    from scenarios.flow import Conveyor, Layout

    models: list[type[BaseModel]] = [
        Calendar, Shift, Break, Product, Resource, Tending, Failures, Setup, Power, ResourcePower,
        Layout, Conveyor,
    ]
    objects = _objects(json_schema())
    for model in models:
        assert model.__doc__
        assert set(objects[model.__name__]["properties"]) == set(model.model_fields)
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_json_schema_covers_format_v2() -> None:
    import jsonschema
    import yaml

    from tests.scenarios.malformed_cases import BASE_V2
    from tests.scenarios.test_scenario_v2 import DESIGN_EXAMPLE

    validator = jsonschema.Draft202012Validator(json_schema())
    for text in (BASE_V2, DESIGN_EXAMPLE):
        raw = yaml.safe_load(text)
        assert validator.is_valid(raw), list(validator.iter_errors(raw))[:1]
        dumped = scenarios.loads(text).model_dump(mode="json")
        assert validator.is_valid(dumped), list(validator.iter_errors(dumped))[:1]
    good = yaml.safe_load(BASE_V2)
    station = good["stations"][0]
    for bad in (
        {**good, "resources": [{"name": "agv", "kind": "vehicle"}]},
        {**good, "resources": [{"name": "ops", "kind": "operator", "count": 0}]},
        {**good, "calendar": {"shifts": [{"name": "x", "start": "25:00", "end": "06:00"}]}},
        {**good, "calendar": {"shifts": [{"name": "x", "start": "06:00", "end": "14:00"}],
                              "days": ["monday"]}},
        {**good, "stations": [{**station, "scrap": 1}]},
        {**good, "stations": [{**station, "power": {"running": 1}}]},
        {**good, "stations": [{**station, "power": {"busy": "7.5 kWh"}}]},
        {**good, "stations": [{**station, "failures": {"mtbf": "40 h", "mttr": "1 h",
                                                       "basis": "wall"}}]},
        {**good, "products": []},
        {**good, "products": [{"name": "a", "route": []}]},
    ):
        assert not validator.is_valid(bad), bad


def test_json_schema_refuses_v2_keys_in_a_v1_file() -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    good = {"linelab": 1, "name": "x", "horizon": "8 h", "stations": [{"name": "a", "process": 5}]}
    station = good["stations"][0]
    for bad in (
        {**good, "resources": [{"name": "r", "kind": "robot"}]},
        {**good, "calendar": {"shifts": [{"name": "x", "start": "06:00", "end": "14:00"}]}},
        {**good, "products": [{"name": "a"}]},
        {**good, "stations": [{**station, "scrap": 0.1}]},
        {**good, "stations": [{**station, "operated_by": "r"}]},
        {**good, "stations": [{**station, "process": {"model": "molding"}}]},
    ):
        assert not validator.is_valid(bad), bad
        assert validator.is_valid({**bad, "linelab": 2}) or "model" in str(bad)


def test_json_schema_covers_material_flow() -> None:
    """The layout, vehicle and conveyor keys validate as the loader reads them, and the JSON
    Schema refuses what it can express of the loader's refusals (a vehicle without speed,
    vehicle keys on an operator, a point that is not a pair, an acceleration in speed units,
    a negative length)."""
    import jsonschema
    import yaml

    from tests.scenarios.malformed_cases import BASE_FLOW

    validator = jsonschema.Draft202012Validator(json_schema())
    good = yaml.safe_load(BASE_FLOW)
    assert validator.is_valid(good), list(validator.iter_errors(good))[:1]
    dumped = scenarios.loads(BASE_FLOW).model_dump(mode="json")
    assert validator.is_valid(dumped), list(validator.iter_errors(dumped))[:1]
    agv, operators = good["resources"]
    inspect = good["stations"][2]
    layout = good["layout"]
    for bad in (
        {**good, "resources": [{**agv, "speed": None}, operators]},
        {**good, "resources": [{k: v for k, v in agv.items() if k != "speed"}, operators]},
        {**good, "resources": [agv, {**operators, "speed": 1}]},
        {**good, "resources": [agv, {**operators, "capacity": 2}]},
        {**good, "resources": [{**agv, "acceleration": "0.5 m/s"}, operators]},
        {**good, "resources": [{**agv, "speed": "1 s"}, operators]},
        {**good, "resources": [{**agv, "dispatch": "random"}, operators]},
        {**good, "layout": {**layout, "points": {"a": [0, 0, 0]}}},
        {**good, "layout": {**layout, "points": {"a": ["0 m", 0]}}},
        {**good, "layout": {**layout, "aisles": [["a", "b", {"one_way": True}]]}},
        {**good, "stations": [*good["stations"][:2],
                              {**inspect, "conveyor": {**inspect["conveyor"], "length": "-1 m"}},
                              good["stations"][3]]},
        {**good, "stations": [*good["stations"][:2],
                              {**inspect, "conveyor": {"length": 1, "speed": 1}},
                              good["stations"][3]]},
        {**good, "linelab": 1},
    ):
        assert not validator.is_valid(bad), bad
