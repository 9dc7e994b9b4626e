"""The limits that keep a valid scenario runnable and its names printable.

Pins down, from both sides of each bound:

- names: control, invisible and unusual-space characters are refused in every name, dots
  only in element (station) names; any script, symbol and emoji sequence is accepted, and
  the JSON Schema's name pattern is never stricter than the loader;
- times: a positive duration below 1e-6 s and a process or interarrival mean below 1e-6 s
  are refused, 1e-6 s itself and 0 (where allowed) are accepted;
- the horizon: at least 1 ms and at least a billionth of the warm-up, which guarantees that
  float64 measures it (the measured span ``(warmup + horizon) - warmup`` is positive and
  within 2e-7 of the horizon); the smallest accepted horizon after a long warm-up runs;
- ``wip_cap``: 1 to 1,000,000;
- YAML size: aliases may add at most ``MAX_ALIAS_NODES`` values (exactly), while a plain
  document is bounded only by the number of YAML events, so a 120,000-value empirical list
  loads;
- every issue-6 case of the bad-input table also fails ``linelab validate`` with exit 2 at
  its line and column.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import scenarios
from scenarios import Scenario, ScenarioError, parse_duration
from scenarios._types import DISPLAY_NAME_PATTERN, NAME_PATTERN, name_problem
from scenarios.distributions import Empirical
from scenarios.loader import problems_from_validation_error
from scenarios.model import MAX_WIP_CAP
from scenarios.yamlsafe import MAX_ALIAS_NODES, MAX_EVENTS, read_yaml
from simulator.cli import main
from tests.scenarios.malformed_cases import BASE, CASES, materialize

# --- names --------------------------------------------------------------------------------

GOOD_NAMES = [
    "press",
    "CNC 1",
    "cnc_1-a",
    "冲压机",
    "プレス機",
    "프레스",
    "Ünïcödé",
    "🤖",
    "👩\u200d🔧 rework",  # woman mechanic: a zero-width joiner inside an emoji sequence
    "❤\ufe0f\u200d🔥",  # variation selector, then a joiner
    "👨🏽\u200d💻",  # skin tone modifier, then a joiner
    "a\ufe0f",  # a variation selector after a visible character
    "x",
]

BAD_NAMES = {
    "a\x00b": "U+0000 NULL (a control character)",
    "a\x7fb": "U+007F DELETE (a control character)",
    "a\rb": "U+000D CARRIAGE RETURN (a control character)",
    "\u200b": "U+200B ZERO WIDTH SPACE (invisible)",
    "a\u200cb": "U+200C ZERO WIDTH NON-JOINER (invisible)",
    "a\u200db": "U+200D ZERO WIDTH JOINER (invisible)",  # not between emoji
    "🤖\u200d": "U+200D ZERO WIDTH JOINER (invisible)",  # nothing after it
    "\u2066a\u2069": "U+2066 LEFT-TO-RIGHT ISOLATE (invisible)",
    "a\u00adb": "U+00AD SOFT HYPHEN (invisible)",
    "\ufe0f": "U+FE0F VARIATION SELECTOR-16 (invisible)",
    "a \ufe0f": "U+FE0F VARIATION SELECTOR-16 (invisible)",
    "\u2800": "U+2800 BRAILLE PATTERN BLANK (invisible)",
    "a\u2029b": "U+2029 PARAGRAPH SEPARATOR (a line break)",
    "a\u3000b": "U+3000 IDEOGRAPHIC SPACE (an unusual space); use a plain space",
    "a\ud800": "U+D800 (a lone surrogate, not a character)",
    "a\ufdd0": "U+FDD0 (a noncharacter)",
    "   ": "must not be blank",
    "\u0301\u0301": "has no visible character",
    " press": "must not start or end with a space",
}


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_any_script_and_emoji_are_accepted(name: str) -> None:
    assert name_problem(name, path_element=True) is None
    text = BASE.replace("name: press", f'name: "{name}"').replace(
        "name: Two-station cell", f'name: "{name} line"'
    )
    sc = scenarios.loads(text.encode("utf-8"))
    assert sc.stations[0].name == name
    assert sc.name == f"{name} line"


@pytest.mark.parametrize("name", list(BAD_NAMES))
def test_bad_names_are_refused_with_the_character(name: str) -> None:
    expected = BAD_NAMES[name]
    assert expected in (name_problem(name, path_element=True) or "")
    assert expected in (name_problem(name, path_element=False) or "")
    if "surrogate" in expected:
        return  # pydantic refuses a lone surrogate before the name rule: see the next test
    for data in (
        {"linelab": 1, "name": name, "horizon": 1, "stations": [{"name": "a", "process": 1}]},
        {"linelab": 1, "name": "x", "horizon": 1, "stations": [{"name": name, "process": 1}]},
    ):
        with pytest.raises(ValueError, match=re.escape(expected)):
            Scenario.model_validate(data)


def test_lone_surrogate_is_refused_as_not_text() -> None:
    station = {"name": "a", "process": 5}
    data = {"linelab": 1, "name": "a\ud800", "horizon": 1, "stations": [station]}
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    problems = problems_from_validation_error(info.value)
    assert [p.message for p in problems] == [
        "is not valid text: it contains a lone surrogate (an escape such as \\ud800)"
    ]


def test_reports_escape_what_would_drive_the_terminal() -> None:
    text = BASE.replace("seed: 7", 'seed: 7\n"\\e[2J\\n\\u200b": 1')
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text, filename="f.yaml")
    report = str(info.value)
    assert "f.yaml:7:1: \\x1b[2J\\n\\u200b: unknown key '\\x1b[2J\\n\\u200b'" in report
    assert not any(c in report for c in "\x1b\u200b")
    assert len(report.splitlines()) == len(info.value.problems)
    assert info.value.problems[0].path == "\x1b[2J\n\u200b"  # the data itself is kept


def test_dots_are_refused_in_station_names_only() -> None:
    assert "use '_' or '-'" in (name_problem("press.1", path_element=True) or "")
    assert name_problem("Line 2.1", path_element=False) is None
    sc = scenarios.loads(BASE.replace("name: Two-station cell", "name: Line 2.1 (v1.0)"))
    assert sc.name == "Line 2.1 (v1.0)"


def test_schema_name_pattern_is_never_stricter_than_the_loader() -> None:
    for name in [*GOOD_NAMES, "Line 2.1"]:
        assert re.search(DISPLAY_NAME_PATTERN, name), name
    for name in GOOD_NAMES:
        assert re.search(NAME_PATTERN, name), name
    # The frequent mistakes are caught by the schema too.
    for name in ["a\nb", "a\tb", "\x1b[31m", "\u200b", "\ufeffa", "a\u00a0b", "a.b", " a", "  "]:
        assert not re.search(NAME_PATTERN, name), repr(name)
        assert name_problem(name, path_element=True) is not None


# --- microscopic times --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "seconds"),
    [(0, 0.0), ("0 s", 0.0), (1e-6, 1e-6), ("1e-6 s", 1e-6), ("0.001 ms", 1e-6), ("1 ms", 1e-3)],
)
def test_durations_from_one_microsecond_are_accepted(written: object, seconds: float) -> None:
    assert parse_duration(written) == pytest.approx(seconds, rel=1e-12, abs=0.0)


@pytest.mark.parametrize(
    "written", [1e-300, 5e-324, math.nextafter(1e-6, 0.0), "1e-300 s", "0.0009 ms", "2e-10 h"]
)
def test_positive_durations_below_one_microsecond_are_refused(written: object) -> None:
    with pytest.raises(ValueError, match=r"is below 1e-6 s \(1 microsecond\)"):
        parse_duration(written)


def test_negative_microscopic_duration_keeps_its_sign_for_the_field_bound() -> None:
    assert parse_duration(-1e-9) == -1e-9
    with pytest.raises(ScenarioError, match="warmup: must be >= 0"):
        scenarios.loads(BASE.replace("warmup: 30 min", "warmup: -1e-9"))


@pytest.mark.parametrize(
    ("process", "accepted"),
    [
        ("1e-6", True),
        ("{dist: empirical, values: [0, 0, 3e-6]}", True),  # mean exactly 1e-6 s
        ("{dist: empirical, values: [0, 0, 2.9e-6]}", False),
        ("{dist: uniform, low: 0, high: 2e-6}", True),
        ("{dist: triangular, low: 0, mode: 0, high: 2.9e-6}", False),
    ],
)
def test_process_mean_bound_is_one_microsecond(process: str, accepted: bool) -> None:
    text = BASE.replace("{dist: exponential, mean: 48 s}", process)
    if accepted:
        assert scenarios.loads(text).stations[0].process.mean_s >= 1e-6
    else:
        with pytest.raises(ScenarioError, match="mean of at least 1e-6 s"):
            scenarios.loads(text)


# --- the horizon must be measurable -----------------------------------------------------------

WARMUPS = [0.0, 1e-6, 1.0, 3600.0, 1e6, 123456789.0, 1e8, 5e8, 999_999_000.0]


def _smallest_horizon(warmup: float) -> float:
    return max(1e-3, 1e-9 * warmup)


@pytest.mark.parametrize("warmup", WARMUPS)
def test_smallest_accepted_horizon_is_measured_by_float64(warmup: float) -> None:
    base = {"linelab": 1, "name": "x", "stations": [{"name": "a", "process": 1}]}
    horizon = _smallest_horizon(warmup)
    sc = Scenario.model_validate({**base, "warmup": warmup, "horizon": horizon})
    span = (sc.warmup + sc.horizon) - sc.warmup
    assert span > 0
    assert abs(span - horizon) <= 2e-7 * horizon
    with pytest.raises(ValueError, match=r"at least 1 ms|at least a billionth of the warm-up"):
        Scenario.model_validate(
            {**base, "warmup": warmup, "horizon": math.nextafter(horizon, 0.0)}
        )


def test_old_crash_case_is_refused_at_the_horizon() -> None:
    text = BASE.replace("horizon: 8 h", "horizon: 1e-9").replace("warmup: 30 min", "warmup: 1e8")
    with pytest.raises(ScenarioError) as info:
        scenarios.loads(text, filename="f.yaml")
    assert str(info.value).startswith("f.yaml:3:10: horizon: is below 1e-6 s")


def test_what_validate_accepts_at_the_horizon_bound_runs(tmp_path: Path, capsys) -> None:
    # A process of 1e7 s keeps the warm-up of 1e8 s to a few dozen events.
    path = tmp_path / "late.yaml"
    path.write_text(
        "linelab: 1\nname: late\nwarmup: 1e8\nhorizon: 0.1\n"
        "stations:\n  - {name: a, process: 1e7}\n  - {name: b, process: 1e7}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    out = tmp_path / "r.json"
    assert main(["run", str(path), "--json", str(out), "-j", "1", "--quiet"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["scenario"] == "late"
    capsys.readouterr()


# --- wip_cap ------------------------------------------------------------------------------


def test_wip_cap_is_bounded_like_a_buffer() -> None:
    assert MAX_WIP_CAP == 1_000_000
    ok = scenarios.loads(BASE.replace("seed: 7", "seed: 7\nwip_cap: 1000000"))
    assert ok.wip_cap == 1_000_000
    with pytest.raises(ScenarioError, match="wip_cap: must be <= 1000000, got 1000001"):
        scenarios.loads(BASE.replace("seed: 7", "seed: 7\nwip_cap: 1000001"))


# --- YAML size: aliases versus plain size -------------------------------------------------------


def test_libyaml_parses_when_pyyaml_has_it() -> None:
    import yaml

    from scenarios import yamlsafe

    assert (yamlsafe._Loader is not yamlsafe._PyLoader) == yaml.__with_libyaml__


def test_aliases_may_add_exactly_max_alias_nodes() -> None:
    values = ", ".join(["1"] * (MAX_ALIAS_NODES - 1))
    # One alias of a list of n values adds n + 1 values (the list and its items).
    once = f"a: &a [{values}]\nb: *a\n"
    assert len(read_yaml(once, "f").data["b"]) == MAX_ALIAS_NODES - 1
    with pytest.raises(ScenarioError, match="too many nodes after expanding aliases"):
        read_yaml(once + "c: *a\n", "f")


def test_plain_document_is_not_limited_by_the_alias_guard() -> None:
    n = 2 * MAX_ALIAS_NODES
    assert n + 10 < MAX_EVENTS
    doc = read_yaml("a: [" + ", ".join(["1"] * n) + "]\n", "f")
    assert len(doc.data["a"]) == n


def test_large_empirical_list_without_aliases_loads() -> None:
    n = 120_000
    values = [40.0 + (i % 37) * 0.5 for i in range(n)]
    listed = ", ".join(f"{v}" for v in values)
    process_line = f"{{dist: empirical, values: [{listed}]}}"
    text = BASE.replace("{dist: exponential, mean: 48 s}", process_line)
    sc = scenarios.loads(text)
    process = sc.stations[0].process
    assert isinstance(process, Empirical)
    assert len(process.values) == n
    assert process.mean_s == pytest.approx(math.fsum(values) / n, rel=1e-15)


def test_too_many_events_is_refused() -> None:
    text = "a: [" + ", ".join(["1"] * MAX_EVENTS) + "]\n"
    with pytest.raises(ScenarioError, match="too large to be a scenario"):
        read_yaml(text, "f")


# --- the issue-6 cases of the bad-input table through `linelab validate` ----------------------

ISSUE6_PREFIXES = (
    "key_escape_sequence",
    "station_name_",
    "scenario_name_",
    "process_microscopic",
    "interarrival_subnormal",
    "empirical_microscopic",
    "uniform_microscopic",
    "normal_sd_microscopic",
    "warmup_microscopic",
    "duration_text_underflows",
    "number_underflows",
    "horizon_below_1_ms",
    "horizon_lost_after_warmup",
    "horizon_too_short_for_warmup",
    "wip_cap_absurd",
)
ISSUE6_CASES = [c for c in CASES if c.id.startswith(ISSUE6_PREFIXES)]


def test_issue6_cases_are_in_the_table() -> None:
    assert len(ISSUE6_CASES) >= 25


@pytest.mark.parametrize("case", ISSUE6_CASES, ids=[c.id for c in ISSUE6_CASES])
def test_validate_refuses_at_line_and_column(case, tmp_path: Path, capsys) -> None:
    path = materialize(case, tmp_path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith(f"{path}:{case.line}:{case.col}: "))
    assert case.message in line
    assert "Traceback" not in err
    assert "\x1b" not in err and "\u200b" not in err  # the bad name itself is not echoed raw
