"""Every visible string of the app has a Simplified Chinese translation that fits it.

An AST scan of every module of the ``gui`` package finds the calls ``tr("literal")`` (also
``i18n.tr``, and the main window's ``set_status("literal", ...)``, both branches of a
conditional); each literal must have an entry in the zh_CN catalogues (gui/locale/zh_CN/*.json),
the translation must keep exactly the same ``{placeholders}`` (a missing or renamed one would
raise or show the wrong value at run time) and must not be empty or left in English. ``tr``
must never be called with an f-string or a concatenation: the catalogue could not hold it.
The catalogue files themselves must be valid JSON objects of strings, with no key defined in
two files (the later would silently win).

The editor's forms are generated from the scenario models, and their tooltips show each
field's description: every description of every pydantic model reachable from ``Scenario``
(and of the JSON Schema, which adds the variants), with its reST markup removed, must have a
Chinese entry (gui/locale/zh_CN/fields.json) — a field added without one fails here; so must
every text value of an enum (``oldest``, ``vehicle``), which combo boxes and tables show by a
translated label.
"""

from __future__ import annotations

import ast
import json
import re
import string
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

import scenarios
from gui import i18n
from gui.editor.schema import choice_key, plain_text
from scenarios.model import Scenario

GUI = Path(i18n.__file__).resolve().parent
CATALOGUES = sorted((GUI / "locale" / "zh_CN").glob("*.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _tr_calls() -> list[tuple[str, int, ast.expr]]:
    calls = []
    for module in sorted(GUI.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else None
            )
            if name in ("tr", "set_status"):  # set_status(key): the window translates key
                rel = module.relative_to(GUI.parent).as_posix()
                todo = [node.args[0]]
                while todo:  # both branches of `"a" if c else "b"`
                    arg = todo.pop()
                    if isinstance(arg, ast.IfExp):
                        todo += [arg.body, arg.orelse]
                    else:
                        calls.append((rel, node.lineno, arg))
    return calls


def _fields(text: str) -> set[str]:
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}


def test_the_scan_finds_the_shell_strings() -> None:
    literals = {a.value for _m, _l, a in _tr_calls() if isinstance(a, ast.Constant)}
    assert {"&File", "Unsaved changes", "Cancel"} <= literals  # the scan itself works


def test_every_tr_literal_has_a_chinese_entry_with_the_same_placeholders() -> None:
    table = i18n.catalogue("zh_CN")
    missing, wrong, dynamic = [], [], []
    for module, line, arg in _tr_calls():
        if isinstance(arg, ast.JoinedStr | ast.BinOp):
            dynamic.append(f"{module}:{line}")
            continue
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            continue  # a variable: its literals are checked where they are written
        text = arg.value
        if text not in table:
            missing.append(f"{module}:{line}: {text!r}")
        elif _fields(table[text]) != _fields(text):
            wrong.append(f"{module}:{line}: {text!r} -> {table[text]!r}")
    assert dynamic == [], "tr() of an f-string or a concatenation"
    assert missing == [], f"{len(missing)} strings without a zh_CN entry"
    assert wrong == [], "translations with other {placeholders}"


def test_the_catalogues_are_clean() -> None:
    seen: dict[str, str] = {}
    twice = []
    for file in CATALOGUES:
        data = json.loads(file.read_text(encoding="utf-8"))
        assert isinstance(data, dict), file.name
        for key, value in data.items():
            assert isinstance(key, str) and isinstance(value, str), (file.name, key)
            assert value.strip(), (file.name, key)
            words = re.sub(r"\{[^}]*\}", "", key)  # placeholders are not words
            if CJK.search(key) is None and re.search(r"[A-Za-z]{3}", words):
                # an English sentence must be translated (names like "LineLab" may stay)
                assert CJK.search(value) or value == key, (file.name, key, value)
            if key in seen and seen[key] != value:
                twice.append(f"{key!r}: {seen[key]!r} in one file, {value!r} in {file.name}")
            seen[key] = value
    assert twice == []
    assert [f.name for f in CATALOGUES if f.name == "shell.json"] == ["shell.json"]


def _walk_models(
    model: type[BaseModel], seen: set[type[BaseModel]], enums: set[str]
) -> list[tuple[str, str]]:
    """(``Model.field``, description) of ``model`` and of every model its fields reach; the
    text values of enums and literals found on the way go into ``enums``."""
    if model in seen:
        return []
    seen.add(model)
    out = []
    for name, field in model.model_fields.items():
        if field.description:
            out.append((f"{model.__name__}.{name}", field.description))
        stack: list[Any] = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                out += _walk_models(annotation, seen, enums)
            elif isinstance(annotation, type) and issubclass(annotation, Enum):
                enums.update(str(m.value) for m in annotation if isinstance(m.value, str))
            elif typing.get_origin(annotation) is Literal:
                values = [a for a in typing.get_args(annotation) if isinstance(a, str)]
                if len(values) > 1:  # a choice (one value: a discriminator such as dist)
                    enums.update(values)
            else:
                stack.extend(typing.get_args(annotation))
    return out


def _schema_descriptions(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [
            str(p["description"])
            for p in node.get("properties", {}).values()
            if isinstance(p, dict) and p.get("description")
        ]
        return found + [d for v in node.values() for d in _schema_descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in _schema_descriptions(v)]
    return []


def test_plain_text_removes_the_rest_markup() -> None:
    doc = "Days (``mon``) of\n    the :class:`~scenarios.model.Calendar`, see :func:`load` *here*."
    assert plain_text(doc) == "Days (mon) of the Calendar, see load here."


def test_every_field_description_and_enum_value_has_a_chinese_entry() -> None:
    table = i18n.catalogue("zh_CN")
    enums: set[str] = set()
    fields = _walk_models(Scenario, set(), enums)
    assert len(fields) > 150  # the walk reaches the nested models (distributions, robots...)
    assert {"Station.tending", "Resource.dispatch", "RobotTask.robot"} <= {f for f, _ in fields}
    missing = [f for f, doc in fields if plain_text(doc) not in table]
    schema_docs = _schema_descriptions(scenarios.json_schema())
    missing += [d[:60] for d in schema_docs if plain_text(d) not in table]
    assert missing == [], f"{len(missing)} field descriptions without a zh_CN entry"
    for _field, doc in fields:
        text = plain_text(doc)
        assert "``" not in text and ":class:" not in text, text
        assert CJK.search(table[text]), text
    # Enum values shown in combo boxes and tables: the literal ones are found too.
    assert {"oldest", "nearest", "operator", "robot", "vehicle", "servo", "joint"} <= enums
    # (the days of the week are check boxes labelled with tr(day) itself)
    assert [v for v in sorted(enums) if choice_key(v) not in table and v not in table] == []
