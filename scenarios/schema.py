"""JSON Schema of the scenario file format (for editors and external tools)."""

from __future__ import annotations

from typing import Any

from .checks import V2_SCENARIO_KEYS, V2_STATION_KEYS
from .equipment import VEHICLE_FIELDS
from .model import Scenario

__all__ = ["json_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _fix_bounds(node: Any) -> None:
    """Move pydantic's bound keys on a number-or-text duration into the number branch.

    pydantic writes e.g. ``{"anyOf": [number, string], "gt": 0}`` for a constrained
    duration; ``gt`` is not a JSON Schema keyword, so put the bound where it applies.
    """
    if isinstance(node, dict):
        bounds = {k: node.pop(k) for k in list(node) if k in _BOUNDS and "anyOf" in node}
        if bounds:
            for branch in node["anyOf"]:
                if isinstance(branch, dict) and branch.get("type") in ("number", "integer"):
                    for key, value in bounds.items():
                        branch[_BOUNDS[key]] = value
        for value in node.values():
            _fix_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _fix_bounds(value)


def _v1_restrictions() -> dict[str, Any]:
    """``if linelab is 1 then`` no v2 key may carry a value (null or its default is allowed,
    so a v1 scenario's dump validates too)."""
    station_props: dict[str, Any] = {key: {"type": "null"} for key in V2_STATION_KEYS}
    station_props["scrap"] = {"const": 0}
    station_props["process"] = {"not": {"type": "object", "required": ["model"]}}
    top: dict[str, Any] = {key: {"type": "null"} for key in V2_SCENARIO_KEYS}
    top["resources"] = {"maxItems": 0}
    top["stations"] = {"items": {"properties": station_props}}
    return {
        "if": {"properties": {"linelab": {"const": 1}}, "required": ["linelab"]},
        "then": {"properties": top},
    }


def _vehicle_rule() -> dict[str, Any]:
    """A ``kind: vehicle`` resource needs ``speed``; other kinds may not use vehicle keys."""
    return {
        "if": {"properties": {"kind": {"const": "vehicle"}}, "required": ["kind"]},
        "then": {"required": ["speed"], "properties": {"speed": {"not": {"type": "null"}}}},
        "else": {"not": {"anyOf": [{"required": [key]} for key in VEHICLE_FIELDS]}},
    }


def _add_variants(schema: dict[str, Any]) -> None:
    """``baseline`` and ``variants`` (scenarios/variants.py): resolved before the model sees
    the file, so they are not model fields. A variant body is a mapping of the base's keys
    (named lists as mappings by name), checked by ``linelab validate`` after merging."""
    props = schema.setdefault("properties", {})
    props["baseline"] = {
        "type": "string",
        "description": "The variant the others are compared with (default: the first).",
    }
    props["variants"] = {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {"type": ["object", "null"]},
        "description": "Named configurations of the line: each merges its keys into the base "
        "(stations, resources, products as mappings by name; null removes).",
    }
    schema["allOf"].append(
        {
            "if": {"properties": {"linelab": {"const": 1}}, "required": ["linelab"]},
            "then": {"not": {"anyOf": [{"required": ["variants"]}, {"required": ["baseline"]}]}},
        }
    )


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, formats v1 and v2, as written
    (durations, times of day and power may be text).

    Every property carries the description from the model's field docstring. A
    ``linelab: 1`` document may not use the v2 keys (as the loader says: "needs linelab: 2").
    Cross-references (a resource named in ``tending.by``, route stations, shares summing to
    1) are beyond JSON Schema; ``linelab validate`` checks them.
    """
    schema = Scenario.model_json_schema(mode="validation")
    _fix_bounds(schema)
    schema = {"$schema": _DIALECT, **schema}
    schema["title"] = "LineLab scenario (formats v1 and v2)"
    schema["allOf"] = [_v1_restrictions()]
    _add_variants(schema)
    resource = schema.get("$defs", {}).get("Resource")
    if isinstance(resource, dict):
        resource["allOf"] = [_vehicle_rule()]
    return schema
