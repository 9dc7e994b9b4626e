"""Every malformed scenario in ``malformed_cases.CASES`` is refused with a precise problem.

Pins down the bad-input contract (docs/scenario-format.md, Errors): ``scenarios.load`` raises only
``ScenarioError``; one of its problems sits at the exact ``line:col`` of the offending key or
value (``1:1`` for file-level problems) with the expected path and message; ``str(error)``
is one ``file:line:col: path: message`` line per problem; several mistakes are all reported
at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import scenarios
from scenarios import Problem, ScenarioError, yamlsafe
from tests.scenarios.malformed_cases import BASE, CASES, DIRECTORY, MISSING_FILE, Case, materialize


def test_table_is_large_and_ids_unique() -> None:
    assert len(CASES) >= 45
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_case(case: Case, tmp_path: Path) -> None:
    path = materialize(case, tmp_path)
    with pytest.raises(ScenarioError) as info:
        scenarios.load(path)
    problems = info.value.problems
    assert problems, "a ScenarioError always carries problems"
    assert all(p.file == str(path) for p in problems)
    hit = [
        p
        for p in problems
        if (p.line, p.col) == (case.line, case.col)
        and case.path in p.path
        and case.message in p.message
    ]
    assert hit, "\n".join(str(p) for p in problems)
    text = str(info.value)
    assert text.splitlines() == [str(p) for p in problems]
    assert f"{path}:{case.line}:{case.col}: " in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.content not in (MISSING_FILE, DIRECTORY)], ids=lambda c: c.id
)
def test_loads_agrees_with_load(case: Case) -> None:
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(case.content, filename="x.yaml")
    assert any((p.line, p.col) == (case.line, case.col) for p in info.value.problems)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.content not in (MISSING_FILE, DIRECTORY)], ids=lambda c: c.id
)
def test_pure_python_parser_agrees(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml the same problem is reported at the same place."""
    monkeypatch.setattr(yamlsafe, "_Loader", yamlsafe._PyLoader)
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(case.content, filename="x.yaml")
    hit = [
        p
        for p in info.value.problems
        if (p.line, p.col) == (case.line, case.col)
        and case.path in p.path
        and case.message in p.message
    ]
    assert hit, str(info.value)


def test_problem_format() -> None:
    assert str(Problem("a.yaml", 14, 7, "stations[2].buffer", "must be >= 0, got -3")) == (
        "a.yaml:14:7: stations[2].buffer: must be >= 0, got -3"
    )
    assert str(Problem("a.yaml", 1, 1, "", "the file is empty")) == "a.yaml:1:1: the file is empty"


def test_design_example_message() -> None:
    text = BASE.replace("buffer: 2", "buffer: -3")
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text, filename="path/to/file.yaml")
    assert str(info.value) == "path/to/file.yaml:17:13: stations[1].buffer: must be >= 0, got -3"


def test_all_problems_reported_at_once_in_file_order() -> None:
    text = (
        BASE.replace("horizon: 8 h", "horizon: 0")
        .replace("servers: 1", "sever: 1")
        .replace("buffer: 2", "buffer: -1")
        .replace("name: pack", "name: press")
    )
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text)
    got = [(p.line, p.path) for p in info.value.problems]
    assert got == [
        (3, "horizon"),
        (11, "stations[0].sever"),
        (14, "stations[1].name"),
        (17, "stations[1].buffer"),
    ]
    assert str(info.value).startswith("<string>:3:10: horizon: must be > 0, got 0\n")


def test_error_survives_pickling() -> None:
    import pickle

    with pytest.raises(ScenarioError) as info:
        scenarios.loads("linelab: 2\n")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.problems == info.value.problems
    assert str(again) == str(info.value)


def test_merge_key_defaults_and_positions() -> None:
    text = """\
linelab: 1
name: merged
horizon: 1 h
defaults: &cnc {servers: 2, buffer: -1}
stations:
  - <<: *cnc
    name: a
    process: 1 min
"""
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text)
    messages = [str(p) for p in info.value.problems]
    # The merged value is reported where it is written (inside the anchor).
    assert "<string>:4:37: stations[0].buffer: must be >= 0, got -1" in messages
    assert any("unknown key 'defaults'" in m for m in messages)
