"""Command-line overrides (``--set PATH=V1,V2``): how a flag is split into values, how a path
addresses the raw YAML data (named items, mappings, variants), and that a wrong path or value
is refused at the ``file:line:col`` where the key is written, naming the flag, with a hint for
a misspelt name, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios import ScenarioError
from simulator.overrides import (
    MAX_RANGE,
    apply_overrides,
    check_paths,
    check_points,
    override_variants,
    parse_file,
    parse_set,
    parse_value,
)

LINE = """\
linelab: 2
name: press and weld
horizon: 8 h
seed: 7
stations:
  - name: press
    process: 45 s
    buffer: 3
  - name: weld
    process: {dist: exponential, mean: 50 s}
resources:
  - name: operator
    kind: operator
    count: 2
economics:
  hours_per_year: 4000
  years: 5
  wages: {operator: 38}
variants:
  manual: {}
  robot:
    resources:
      operator: {count: 1}
      robot: {kind: robot, count: 2, price: 300000}
"""
#   line numbers used below: 8 press buffer (col 13), 14 operator count (col 12),
#   18 wages, 23 variant operator count, 24 robot (its count at col 35)


def _messages(exc: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --- the flag --------------------------------------------------------------------------------


def test_parse_set_splits_values_ranges_and_keeps_brackets_together() -> None:
    assert parse_set("stations.press.buffer=1,2, 3") == ("stations.press.buffer", ["1", "2", "3"])
    assert parse_set("resources.robot.count=1..4") == (
        "resources.robot.count",
        ["1", "2", "3", "4"],
    )
    assert parse_set("x=-1..1,7") == ("x", ["-1", "0", "1", "7"])
    assert parse_set("stations.press.process={dist: exponential, mean: 45 s},50 s") == (
        "stations.press.process",
        ["{dist: exponential, mean: 45 s}", "50 s"],
    )
    assert parse_set("name='a, b',c") == ("name", ["'a, b'", "c"])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("stations.press.buffer", "expected PATH=VALUE"),
        ("=1,2", "path before '=' is empty"),
        ("stations..buffer=1", "empty part between dots"),
        ("stations.press.buffer=", "no values"),
        ("stations.press.buffer=1,,2", "empty value between commas"),
        ("resources.robot.count=6..1", "range 6..1 is empty"),
        (f"x=1..{MAX_RANGE + 1}", "at most"),
        ("x={a: 1", "unbalanced"),
    ],
)
def test_parse_set_refuses_malformed_flags(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match="--set") as exc:
        parse_set(text)
    assert needle in str(exc.value)


def test_values_are_read_as_yaml_scalars_like_the_file() -> None:
    assert parse_value("5") == 5 and type(parse_value("5")) is int
    assert parse_value("2.5") == 2.5
    assert parse_value("45 s") == "45 s"
    assert parse_value("no") == "no"  # YAML 1.2 core schema, as the file
    assert parse_value("true") is True
    assert parse_value("null") is None
    assert parse_value("{dist: exponential, mean: 45 s}") == {"dist": "exponential", "mean": "45 s"}
    with pytest.raises(ValueError, match="cannot read"):
        parse_value("!!python/object:os.system x")


# --- applying ----------------------------------------------------------------------------------


def test_named_items_and_mappings_are_addressed() -> None:
    sc = apply_overrides(LINE, {"stations.press.buffer": "5", "stations.weld.buffer": 2})
    assert [s.buffer for s in sc.stations] == [5, 2]  # weld had no buffer: the key is added
    sc = apply_overrides(LINE, {"stations.weld.process": "30 s", "horizon": "2 h"})
    assert sc.stations[1].process.mean_s == 30.0  # type: ignore[union-attr]
    assert sc.horizon == 7200.0
    sc = apply_overrides(LINE, {"economics.wages.operator": "40", "economics.electricity": 0.8})
    assert sc.economics is not None
    assert sc.economics.wages["operator"] == 40.0 and sc.economics.electricity == 0.8


def test_a_point_applies_to_every_variant_even_one_that_writes_the_key() -> None:
    found = override_variants(LINE, {"resources.operator.count": "3"})
    counts = {n: {r.name: r.count for r in s.resources} for n, s in found.scenarios.items()}
    # the robot variant writes operator.count itself: the point replaces it there too
    assert counts == {"manual": {"operator": 3}, "robot": {"operator": 3, "robot": 2}}


def test_a_named_item_only_a_variant_adds_is_set_in_that_variant() -> None:
    found = override_variants(LINE, {"resources.robot.count": "5"})
    assert {r.name: r.count for r in found.scenarios["robot"].resources}["robot"] == 5
    assert [r.name for r in found.scenarios["manual"].resources] == ["operator"]
    sc = apply_overrides(LINE, {"variants.robot.resources.robot.count": 4}, variant="robot")
    assert {r.name: r.count for r in sc.resources}["robot"] == 4
    base = apply_overrides(LINE, {"variants.robot.resources.robot.count": 4})
    assert [r.name for r in base.resources] == ["operator"]  # baseline: manual


def test_no_override_changes_the_parsed_file(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text(LINE, encoding="utf-8")
    parsed = parse_file(path)
    apply_overrides(parsed, {"stations.press.buffer": 9, "resources.robot.count": 4})
    again = apply_overrides(parsed, {})
    assert again.stations[0].buffer == 3
    # another point on the same parsed file sees the file's values, not the last point's
    other = apply_overrides(parsed, {"horizon": "2 h"}, variant="robot")
    assert other.stations[0].buffer == 3
    assert {r.name: r.count for r in other.resources}["robot"] == 2
    assert parsed.filename == str(path)


# --- refusing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        (
            {"stations.pres.buffer": 5},
            "line.yaml:5:1: stations: --set stations.pres.buffer: no station 'pres' "
            "(did you mean 'press'?)",
        ),
        (
            {"stations.press.bufer": 5},
            "line.yaml:6:5: stations[0].bufer: --set stations.press.bufer=5: unknown key "
            "'bufer'; did you mean 'buffer'?",
        ),
        (
            {"stations.press.buffer": "-1"},
            "line.yaml:8:13: stations[0].buffer: --set stations.press.buffer=-1: must be >= 0, "
            "got -1",
        ),
        (
            {"stations.press.buffer": "2.5"},
            "line.yaml:8:13: stations[0].buffer: --set stations.press.buffer=2.5: must be a "
            "whole number, got 2.5",
        ),
        (
            {"stations.press.buffer": "many"},
            "line.yaml:8:13: stations[0].buffer: --set stations.press.buffer=many: expected a "
            "whole number, got 'many'",
        ),
        (
            {"horizon.unit": 1},
            "line.yaml:3:1: horizon: --set horizon.unit: 'horizon' is a single value, not a "
            "mapping: it has no key 'unit'",
        ),
        (
            {"variants.robots.resources.robot.count": 1},
            "line.yaml:19:1: variants: --set variants.robots.resources.robot.count: no variant "
            "'robots' (did you mean 'robot'?)",
        ),
        (
            {"resources.robt.count": 1},
            "line.yaml:11:1: resources: --set resources.robt.count: no resource 'robt' in the "
            "base or any variant (did you mean 'robot'?)",
        ),
        (  # a mapping the override adds is placed at the mapping it goes into, and blamed
            {"economics.wagez.robot": 1},
            "line.yaml:15:1: economics.wagez: --set economics.wagez.robot=1: unknown key "
            "'wagez'; did you mean 'wages'?",
        ),
        (
            {"stations.weld": 2},
            "line.yaml:9:5: stations[1]: --set stations.weld: the path names station 'weld' "
            "but no key of it (e.g. stations.weld.buffer)",
        ),
        (
            {"variants.robot.resources.robot": 1},
            "line.yaml:24:7: variants.robot.resources.robot: --set "
            "variants.robot.resources.robot: name a key of resource 'robot'",
        ),
        (
            {"resources.robot.count": 0},
            "line.yaml:24:35: variants.robot.resources.robot.count: --set "
            "resources.robot.count=0: in variant 'robot': must be >= 1, got 0",
        ),
    ],
)
def test_a_wrong_path_or_value_is_refused_where_it_is_written(
    point: dict[str, object], expected: str
) -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(LINE, point, "line.yaml")
    assert _messages(exc) == [expected]


def test_a_path_that_stops_at_an_item_suggests_a_key_of_its_kind() -> None:
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(LINE.split("variants:")[0], {"resources.operator": 1}, "line.yaml")
    assert _messages(exc) == [
        "line.yaml:12:5: resources[0]: --set resources.operator: the path names resource "
        "'operator' but no key of it (e.g. resources.operator.count)"
    ]


def test_the_files_own_problems_are_not_blamed_on_a_flag() -> None:
    broken = LINE.replace("buffer: 3", "buffer: -3")
    with pytest.raises(ScenarioError) as exc:
        apply_overrides(broken, {"horizon": "1 h"}, "line.yaml")
    assert _messages(exc) == ["line.yaml:8:13: stations[0].buffer: must be >= 0, got -3"]


def test_every_point_is_checked_before_anything_runs() -> None:
    with pytest.raises(ScenarioError) as exc:
        check_points(
            LINE,
            [{"stations.press.buffer": b, "horizon": h} for b in (1, -1) for h in ("1 h", "0 h")],
            "line.yaml",
        )
    assert _messages(exc) == [  # in file order
        "line.yaml:3:10: horizon: --set horizon=0 h: must be > 0, got '0 h'",
        "line.yaml:8:13: stations[0].buffer: --set stations.press.buffer=-1: must be >= 0, got -1",
    ]
    check_points(LINE, [{"stations.press.buffer": b} for b in (0, 1, 2)])  # all fine


def test_check_paths_checks_each_value_and_refuses_an_empty_list() -> None:
    with pytest.raises(ScenarioError) as exc:
        check_paths(LINE, {"resources.operator.count": ["1", "0", "x"]}, "line.yaml")
    messages = _messages(exc)
    assert len(messages) == 4  # 0 and x, each in the base and in the robot variant
    assert all("--set resources.operator.count=" in m for m in messages)
    with pytest.raises(ScenarioError) as exc:
        check_paths(LINE, {"stations.press.buffer": []}, "line.yaml")
    assert _messages(exc) == [
        "line.yaml:1:1: --set stations.press.buffer: no values (give at least one)"
    ]
