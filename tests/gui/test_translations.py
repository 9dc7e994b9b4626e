"""Every visible string of the app has a Simplified Chinese translation that fits it.

An AST scan of every module of the ``gui`` package finds the calls ``tr("literal")`` (also
``i18n.tr``); each literal must have an entry in the zh_CN catalogues (gui/locale/zh_CN/*.json),
the translation must keep exactly the same ``{placeholders}`` (a missing or renamed one would
raise or show the wrong value at run time) and must not be empty or left in English. ``tr``
must never be called with an f-string or a concatenation: the catalogue could not hold it.
The catalogue files themselves must be valid JSON objects of strings, with no key defined in
two files (the later would silently win).
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

from gui import i18n

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
            if name == "tr":
                rel = module.relative_to(GUI.parent).as_posix()
                calls.append((rel, node.lineno, node.args[0]))
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
