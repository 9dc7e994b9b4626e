"""What the editor's forms show, read from the scenario's JSON Schema.

The forms are generated: every property of a model in :func:`scenarios.json_schema` becomes
one field, and the kind of widget follows from the property's schema (an integer, a number,
text, a choice, a yes/no, a quantity written with a unit, a nested model, a list of models,
or anything else written as one line of YAML). So a key added to a pydantic model appears in
the editor with no widget code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import scenarios

__all__ = [
    "FieldSpec",
    "Kind",
    "choice_key",
    "choice_label",
    "choice_of",
    "description_of",     "fields_of",
    "label_of",
    "plain_text",
    "schema",
]


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


_ROLE = re.compile(r":[a-z]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
"""A reST role such as :class:`~scenarios.model.Station` or :func:`name <target>`."""
_LITERAL = re.compile(r"``(.+?)``")
_EMPHASIS = re.compile(r"(?<![\w*])\*{1,2}([^*\s][^*]*?)\*{1,2}(?![\w*])")


def plain_text(doc: str) -> str:
    """A field's docstring as a tooltip shows it: reST markup removed (````mon```` → ``mon``,
    ``:class:`~scenarios.model.Station``` → ``Station``, ``*word*`` → ``word``) and the
    lines joined into one paragraph. This cleaned English text is the key of the field
    descriptions' catalogue (``gui/locale/zh_CN/fields.json``)."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1].strip(), doc)
    text = _LITERAL.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    return " ".join(text.split())


def description_of(spec: FieldSpec) -> str:
    """The description of a field in the current language (the cleaned English docstring
    translated with :func:`gui.i18n.tr`; empty when the model gives none)."""
    from gui.i18n import tr

    return tr(plain_text(spec.description)) if spec.description else ""


def choice_key(choice: Any) -> str:
    """The catalogue key of an enum value's display label: ``enum:`` and the value as written
    in the file (``enum:oldest``); the file keeps the value itself."""
    return "enum:" + str(choice)


def choice_label(choice: Any) -> str:
    """How a combo box or a table shows one value of an enum: in English the value as written
    (``oldest``); translated, the translation with the value in brackets (``先到先服务（oldest）``),
    so that the text pane's value can still be recognised. Numbers show as themselves."""
    from gui.i18n import tr

    if not isinstance(choice, str):
        return str(choice)
    key = choice_key(choice)
    text = tr(key)
    return choice if text == key else f"{text}（{choice}）"


def choice_of(spec: FieldSpec, text: str) -> Any:
    """The enum value of ``spec`` that ``text`` shows (its label or the value as written);
    ``None`` when none does."""
    for choice in spec.choices:
        if text.strip() in (choice_label(choice), str(choice)):
            return choice
    return None
