"""JSON Schema of the scenario file format (for editors and external tools)."""

from __future__ import annotations

from typing import Any

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


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a v1 scenario file, as written (durations may be text).

    Every property carries the description from the model's field docstring.
    """
    schema = Scenario.model_json_schema(mode="validation")
    _fix_bounds(schema)
    schema = {"$schema": _DIALECT, **schema}
    schema["title"] = "LineLab scenario (format v1)"
    return schema
