"""What the editor's forms show, read from the scenario's JSON Schema.

The forms are generated: every property of a model in :func:`scenarios.json_schema` becomes
one field, and the kind of widget follows from the property's schema (an integer, a number,
text, a choice, a yes/no, a quantity written with a unit, a nested model, a list of models,
or anything else written as one line of YAML). So a key added to a pydantic model appears in
the editor with no widget code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import scenarios

__all__ = ["FieldSpec", "Kind", "fields_of", "label_of", "schema"]


class Kind:
    """Kinds of field (a plain namespace of strings, so specs stay printable)."""

    INT = "int"
    """Whole number: a spin box."""
    NUMBER = "number"
    """Plain number: a line edit that checks the number."""
    TEXT = "text"
    """Text: a line edit."""
    ENUM = "enum"
    """One of a few values: a combo box."""
    BOOL = "bool"
    """Yes/no: a check box."""
    QUANTITY = "quantity"
    """A duration, length, speed, power...: a number or text with a unit (``45 s``)."""
    FLAGS = "flags"
    """A list of values from a fixed set (days of the week): a row of check boxes."""
    OBJECT = "object"
    """A nested model (``tending``, ``failures``): a group of fields."""
    MAPPING = "mapping"
    """Names to values (layout points, wages by resource): a two-column table."""
    TABLE = "table"
    """A list of models (``stations``, ``calendar.shifts``): a table with a row per item."""
    COMPACT = "compact"
    """Anything else (distributions, lists, mappings): one line of YAML flow text."""


@dataclass(frozen=True)
class FieldSpec:
    """One key of a model, as a form shows it."""

    key: str
    """The key as written in the file."""
    kind: str
    """One of the :class:`Kind` values."""
    required: bool
    """Must the key be written?"""
    description: str = ""
    """The model's docstring of the field (English)."""
    choices: tuple[Any, ...] = ()
    """The values of an ``enum`` or ``flags`` field."""
    minimum: int | None = None
    """Bounds of an ``int`` field."""
    maximum: int | None = None
    model: str | None = None
    """Name of the nested model of an ``object`` or ``table`` field (a ``$defs`` key)."""
    default: Any = None
    """The value used when the key is not written (``None``: nothing)."""


@cache
def schema() -> dict[str, Any]:
    """The scenario's JSON Schema (computed once)."""
    return scenarios.json_schema()


def _branches(prop: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The non-null alternatives of a property and whether ``null`` is one of them."""
    nullable = False
    out: list[dict[str, Any]] = []
    stack = [prop]
    while stack:
        node = stack.pop(0)
        alternatives = node.get("anyOf") or node.get("oneOf")
        if alternatives and "$ref" not in node:
            stack[:0] = list(alternatives)
            continue
        if node.get("type") == "null":
            nullable = True
            continue
        out.append(node)
    return out, nullable


def _ref(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _classify(prop: dict[str, Any]) -> dict[str, Any]:
    """Kind and details of one property schema."""
    branches, _ = _branches(prop)
    if len(branches) == 1:
        node = branches[0]
        ref = _ref(node)
        if ref is not None:
            target = schema()["$defs"].get(ref, {})
            if target.get("type") == "object" and "properties" in target:
                return {"kind": Kind.OBJECT, "model": ref}
            return {"kind": Kind.COMPACT}
        if "enum" in node:
            return {"kind": Kind.ENUM, "choices": tuple(node["enum"])}
        kind = node.get("type")
        if kind == "integer":
            return {
                "kind": Kind.INT,
                "minimum": node.get("minimum"),
                "maximum": node.get("maximum"),
            }
        if kind == "number":
            return {"kind": Kind.NUMBER}
        if kind == "boolean":
            return {"kind": Kind.BOOL}
        if kind == "string":
            return {"kind": Kind.TEXT}
        if kind == "array":
            items = node.get("items", {})
            ref = _ref(items) if isinstance(items, dict) else None
            if ref is not None and "properties" in schema()["$defs"].get(ref, {}):
                return {"kind": Kind.TABLE, "model": ref}
            if isinstance(items, dict) and "enum" in items:
                return {"kind": Kind.FLAGS, "choices": tuple(items["enum"])}
        if kind == "object" and ("additionalProperties" in node or "patternProperties" in node):
            return {"kind": Kind.MAPPING}
        return {"kind": Kind.COMPACT}
    types = {b.get("type") for b in branches}
    number_or_text = types <= {"number", "integer", "string"} and "string" in types
    with_unit = all("pattern" in b for b in branches if b.get("type") == "string")
    if number_or_text and len(types) > 1 and with_unit:
        return {"kind": Kind.QUANTITY}
    return {"kind": Kind.COMPACT}


@cache
def fields_of(model: str | None = None) -> tuple[FieldSpec, ...]:
    """The fields of ``model`` (a ``$defs`` name; ``None``: the top level of a scenario), in
    the model's order."""
    node = schema() if model is None else schema()["$defs"][model]
    required = set(node.get("required", ()))
    out = []
    for key, prop in node.get("properties", {}).items():
        info = _classify(prop)
        out.append(
            FieldSpec(
                key=key,
                required=key in required,
                description=str(prop.get("description", "")),
                default=prop.get("default"),
                **info,
            )
        )
    return tuple(out)


_ACRONYMS = {"mtbf": "MTBF", "mttr": "MTTR", "cv": "CV", "sd": "SD", "wip": "WIP"}
_LABELS = {"linelab": "Format version"}
"""Keys whose words would not say what they are."""


def label_of(key: str) -> str:
    """The English label of a key: ``wip_cap`` → ``WIP cap``, ``operated_by`` → ``Operated
    by`` (translated by the caller with ``tr``)."""
    if key in _LABELS:
        return _LABELS[key]
    words = [_ACRONYMS.get(w, w) for w in key.split("_")]
    if words and words[0] == words[0].lower():
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)
