"""Malformed lesson folders get the same precise ``file:line:col: path: message`` errors as
malformed scenarios: one table of bad cases, each a small edit of a valid lesson, with the
exact problem it must report (position, path and message), all at once and in file order.

The valid lesson is written here (so every position is known) and reuses the scenarios of
the shipped lesson ``state-charts``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scenarios.lessons import LessonError, lesson_dir, load_lesson_dir, read_lesson_file

# A valid lesson file; each case replaces text on one line (1-based line numbers below).
BASE = """\
lesson: 1
order: 1
title: {en: Test lesson, zh_CN: 测试课}
teaches: {en: one line, zh_CN: 一句话}
check:
  seed: 1
  replications: 4
  max_replications: 8
  targets:
    - metric: kpis.throughput_per_hour
      at_least: 56
    - {metric: scenario.stations.mill.servers, at_most: 2}
  fixed: [horizon, stations.*.process]
hints:
  - {en: a hint, zh_CN: 提示}
"""
DEBRIEF = "# Debrief\n\nThe line made {kpis.throughput_per_hour} parts/h.\n"


def _lesson(tmp_path: Path, lesson_yaml: str = BASE, **files: str) -> Path:
    """A lesson folder in ``tmp_path``: the shipped state-charts scenarios, ``lesson_yaml``,
    and the four texts (``files`` replaces any of them by name, e.g. ``debrief_en_md``)."""
    folder = tmp_path / "01-test"
    folder.mkdir()
    shipped = lesson_dir("state-charts")
    for name in ("start.yaml", "solution.yaml"):
        shutil.copy(shipped / name, folder / name)
    (folder / "lesson.yaml").write_text(lesson_yaml, encoding="utf-8")
    for kind in ("briefing", "debrief"):
        for lang in ("en", "zh_CN"):
            name = f"{kind}.{lang}.md"
            text = DEBRIEF if kind == "debrief" else "# Briefing\n"
            (folder / name).write_text(files.get(name.replace(".", "_"), text), encoding="utf-8")
    for name, text in files.items():
        if name.endswith("_yaml"):
            (folder / name.replace("_yaml", ".yaml")).write_text(text, encoding="utf-8")
    return folder


def _edit(line: int, old: str, new: str) -> str:
    lines = BASE.splitlines(keepends=True)
    assert old in lines[line - 1], (line, old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "".join(lines)


# (id, lesson.yaml text, the exact problem lines expected, after the folder path)
CASES = [
    (
        "unknown-key-hint",
        _edit(3, "title:", "titel:"),
        [
            "lesson.yaml:1:1: missing required key 'title'",
            "lesson.yaml:3:1: titel: unknown key 'titel'; did you mean 'title'?",
        ],
    ),
    (
        "unknown-key-in-target",
        _edit(11, "at_least:", "at_lest:"),
        [
            "lesson.yaml:11:7: check.targets[0].at_lest: unknown key 'at_lest'; "
            "did you mean 'at_least'?",
        ],
    ),
    (
        "too-few-replications",
        _edit(7, "4", "1"),
        ["lesson.yaml:7:17: check.replications: must be >= 2, got 1"],
    ),
    (
        "quoted-number",
        _edit(7, "4", '"4"'),
        [
            "lesson.yaml:7:17: check.replications: expected a whole number, got '4' (text); "
            "remove the quotes"
        ],
    ),
    (
        "max-below-first-batch",
        _edit(8, "8", "3"),
        ["lesson.yaml:8:21: check.max_replications: must be at least replications (4), got 3"],
    ),
    (
        "duplicate-key",
        _edit(2, "order: 1", "order: 1\norder: 2"),
        ["lesson.yaml:3:1: order: duplicate key 'order' (first at line 2)"],
    ),
    (
        "tag",
        _edit(2, "1", "!!python/object:os.system 1"),
        [
            "lesson.yaml:2:8: tags are not allowed (found '!!python/object:os.system'); "
            "a lesson file holds plain data only"
        ],
    ),
    (
        "format-version",
        _edit(1, "1", "2"),
        [
            "lesson.yaml:1:9: lesson: unsupported lesson format version 2; "
            "this LineLab reads version 1"
        ],
    ),
    (
        "missing-language",
        _edit(4, ", zh_CN: 一句话", ""),
        ["lesson.yaml:4:10: teaches: missing required key 'zh_CN'"],
    ),
    (
        "bounds-reversed",
        _edit(12, "at_most: 2", "at_least: 3, at_most: 2"),
        ["lesson.yaml:12:58: check.targets[1].at_least: at_least (3) must be below at_most (2)"],
    ),
    (
        "metric-root",
        _edit(10, "kpis.", "kpi."),
        [
            "lesson.yaml:10:15: check.targets[0].metric: unknown metric root 'kpi' "
            "(valid: kpis, stations, resources, products, bottleneck, scenario)"
        ],
    ),
    (
        "metric-with-space",
        _edit(10, "kpis.throughput_per_hour", "'kpis.throughput per hour'"),
        [
            "lesson.yaml:10:15: check.targets[0].metric: 'kpis.throughput per hour' is not a "
            "metric path: write dotted steps without spaces, such as kpis.throughput_per_hour "
            "or scenario.stations.mill.servers"
        ],
    ),
    (
        "fixed-with-space",
        _edit(13, "stations.*.process", "'stations.*.process time'"),
        [
            "lesson.yaml:13:20: check.fixed[1]: 'stations.*.process time' is not a scenario "
            "path: write dotted steps without spaces, such as stations.*.process or "
            "economics.lease"
        ],
    ),
    (
        "start-outside-the-folder",
        _edit(4, "一句话}", "一句话}\nstart: ../start.yaml"),
        [
            "lesson.yaml:5:8: start: must be the name of a YAML file in the lesson's folder "
            "(letters, digits, _ . -, ending in .yaml), got '../start.yaml'"
        ],
    ),
    (
        "bound-not-finite",
        _edit(11, "56", ".inf"),
        ["lesson.yaml:11:17: check.targets[0].at_least: must be a finite number, got .inf"],
    ),
    (
        "target-without-bound",
        _edit(11, "at_least: 56", "label: {en: a, zh_CN: b}"),
        ["lesson.yaml:10:7: check.targets[0]: a target needs 'at_least' or 'at_most' (or both)"],
    ),
    (
        "no-targets",
        BASE.replace(
            "  targets:\n    - metric: kpis.throughput_per_hour\n      at_least: 56\n"
            "    - {metric: scenario.stations.mill.servers, at_most: 2}\n",
            "  targets: []\n",
        ),
        ["lesson.yaml:9:12: check.targets: needs at least one value"],
    ),
    (
        "batch-zero",
        _edit(6, "seed: 1", "seed: 1\n  batch: 0"),
        ["lesson.yaml:7:10: check.batch: must be >= 1, got 0"],
    ),
    (
        "metric-station-name",
        _edit(10, "kpis.throughput_per_hour", "stations.mil.utilization"),
        [
            "lesson.yaml:10:15: check.targets[0].metric: no station 'mil' in the scenario "
            "(there are: saw, mill, wash, pack)"
        ],
    ),
    (
        "compare-root-without-compare",
        _edit(10, "kpis.throughput_per_hour", "economics.robot.payback_years"),
        [
            "lesson.yaml:10:15: check.targets[0].metric: 'economics' exists only in the "
            "comparison's results: set 'compare: true' in the check, or use a path into the run "
            "(kpis..., stations..., resources...)"
        ],
    ),
    (
        "structural-key",
        _edit(12, "mill.servers", "mill.sever"),
        [
            "lesson.yaml:12:16: check.targets[1].metric: in the start scenario: "
            "scenario.stations.mill: no key 'sever' (there are: assembly, at, batch, buffer, "
            "conveyor, "
            "failures, name, operated_by, power, price, process, scrap, servers, setup, shifts, "
            "tending, transport, unbatch)"
        ],
    ),
    (
        "variant-missing",
        _edit(6, "seed: 1", "seed: 1\n  variant: robots"),
        [
            "lesson.yaml:7:12: check.variant: the solution scenario 'solution.yaml' has no "
            "variant 'robots' (variants: none)",
            "lesson.yaml:7:12: check.variant: the start scenario 'start.yaml' has no variant "
            "'robots' (variants: none)",
        ],
    ),
    (
        "fixed-path",
        _edit(13, "stations.*.process", "stations.drill.process"),
        [
            "lesson.yaml:13:20: check.fixed[1]: stations: no item named 'drill' "
            "(there are: saw, mill, wash, pack)"
        ],
    ),
    (
        "start-file-missing",
        _edit(4, "一句话}", "一句话}\nstart: begin.yaml"),
        ["lesson.yaml:5:8: start: no file 'begin.yaml' in the lesson's folder"],
    ),
    (
        "unknown-language-in-hint",
        _edit(15, "zh_CN: 提示", "zh: 提示"),
        [
            "lesson.yaml:15:5: hints[0]: missing required key 'zh_CN'",
            "lesson.yaml:15:18: hints[0].zh: unknown key 'zh' (valid keys here: en, zh_CN)",
        ],
    ),
    (
        "compare-not-a-boolean",
        _edit(6, "seed: 1", "seed: 1\n  compare: yes"),
        ["lesson.yaml:7:12: check.compare: must be true or false"],
    ),
    (
        "not-a-mapping",
        "- lesson: 1\n",
        [
            "lesson.yaml:1:1: a lesson file must be a mapping of keys (lesson: 1, order: ..., "
            "title: ..., check: ...), got a list"
        ],
    ),
    (
        "empty",
        "# nothing yet\n",
        [
            "lesson.yaml:1:1: the file is empty; a lesson needs at least lesson: 1, order, "
            "title, teaches and check"
        ],
    ),
    (
        "yaml-syntax",
        _edit(3, "测试课}", "测试课"),
        None,  # only the line is pinned: libyaml and PyYAML word syntax errors differently
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_lesson_file(tmp_path: Path, text: str, expected: list[str] | None) -> None:
    folder = _lesson(tmp_path, text)
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(folder)
    lines = str(caught.value).splitlines()
    prefix = str(folder) + "/"
    assert all(line.startswith(prefix) for line in lines), lines
    shown = [line[len(prefix) :] for line in lines]
    if expected is None:
        assert len(shown) == 1, shown
        assert shown[0].startswith("lesson.yaml:4:") and "YAML syntax error" in shown[0]
    else:
        assert shown == expected


def test_base_lesson_is_valid(tmp_path: Path) -> None:
    """The table's base is valid, so each case fails for its own edit only."""
    lesson = load_lesson_dir(_lesson(tmp_path))
    assert lesson.name == "test"
    assert lesson.check.targets[1].describe() == "≤ 2"
    assert lesson.check.fixed == ("horizon", "stations.*.process")
    assert lesson.check.looks == 2


def test_problems_in_texts_and_scenarios_are_at_their_own_lines(tmp_path: Path) -> None:
    """A malformed placeholder is reported at its line and column in the Markdown file; a
    broken starting scenario at its own line; a missing text by name. All at once."""
    start = lesson_dir("state-charts").joinpath("start.yaml").read_text(encoding="utf-8")
    broken = start.replace("    buffer: 2\n", "    bufer: 2\n", 1)
    folder = _lesson(
        tmp_path,
        debrief_en_md="# D\n\nmade {kpis.throughput_per_hour} and {{braces}} and {kpis.wip:%%}\n",
        start_yaml=broken,
    )
    (folder / "briefing.zh_CN.md").unlink()
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(folder)
    shown = [line.replace(str(folder) + "/", "") for line in str(caught.value).splitlines()]
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "bufer" in text)
    assert shown == [
        "briefing.zh_CN.md:1:1: no such file (the briefing in zh_CN)",
        "debrief.en.md:3:52: placeholder '{kpis.wip:%%}': unknown format '%%' "
        "(use for example .0%, .1f, ,.0f, or nothing)",
        f"start.yaml:{line}:5: stations[0].bufer: unknown key 'bufer'; did you mean 'buffer'?",
    ]


def test_placeholder_names_are_checked_against_the_starting_scenario(tmp_path: Path) -> None:
    """A placeholder naming a station the line does not have is refused at its position,
    in either language, and so is one that names a comparison without ``compare: true``."""
    folder = _lesson(
        tmp_path,
        debrief_zh_CN_md="# 复盘\n\n利用率 {stations.press.utilization:.0%}，"
        "回收期 {start.economics.robot.payback_years}\n",
    )
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(folder)
    shown = [line.replace(str(folder) + "/", "") for line in str(caught.value).splitlines()]
    assert shown == [
        "debrief.zh_CN.md:3:5: placeholder '{stations.press.utilization}': no station 'press' "
        "in the scenario (there are: saw, mill, wash, pack)",
        "debrief.zh_CN.md:3:42: placeholder '{start.economics.robot.payback_years}': "
        "'economics' exists only in the comparison's results: set 'compare: true' in the "
        "check, or use a path into the run (kpis..., stations..., resources...)",
    ]


def test_lesson_file_alone_reads_without_other_files(tmp_path: Path) -> None:
    """``read_lesson_file`` (what ``list_lessons`` uses) needs only lesson.yaml."""
    path = tmp_path / "lesson.yaml"
    path.write_text(BASE, encoding="utf-8")
    spec, _ = read_lesson_file(path)
    assert spec.title.get("zh_CN") == "测试课" and spec.title.get("fr") == "Test lesson"


def test_missing_lesson_file(tmp_path: Path) -> None:
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(tmp_path)
    assert str(caught.value) == f"{tmp_path}/lesson.yaml:1:1: no such file (a lesson file)"


def test_fixed_star_path_accepts_items_without_the_key(tmp_path: Path) -> None:
    """``stations.*.at`` is valid though no station of the start stands anywhere (a station
    without ``at`` has the key left out of its dump): absent compares as absent. A misspelt
    key under ``*`` is refused at the item it was looked for in (``stations.saw``)."""
    lesson = load_lesson_dir(_lesson(tmp_path, _edit(13, "stations.*.process", "stations.*.at")))
    assert lesson.check.fixed == ("horizon", "stations.*.at")
    (tmp_path / "01-test").rename(tmp_path / "ok")
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(_lesson(tmp_path, _edit(13, "stations.*.process", "stations.*.att")))
    assert str(caught.value).endswith(
        "lesson.yaml:13:20: check.fixed[1]: stations.saw: no key 'att' (there are: assembly, "
        "at, batch, buffer, conveyor, failures, name, operated_by, power, price, process, "
        "scrap, servers, setup, shifts, tending, transport, unbatch)"
    )


def test_fixed_star_path_compares_absent_with_absent() -> None:
    """In lesson 8 the probe stands nowhere (no ``at``): giving it a place is a change of a
    ``stations.*.at`` path, leaving it without one is not; a section left out under ``*``
    (the probe's ``failures``) must stay left out."""
    import scenarios
    from scenarios.lessons import ABSENT, fixed_differences, fixed_value

    folder = lesson_dir("static-roi")
    text = (folder / "start.yaml").read_text(encoding="utf-8")
    start = scenarios.loads(text, "start.yaml")
    assert fixed_value(start, "stations.*.at") == {
        "blanks": "blank_store", "cnc": "cnc_in", "probe": None
    }
    assert fixed_value(start, "stations.*.failures.mttr")["probe"] is ABSENT
    placed = text.replace("    process: 40 s\n", "    process: 40 s\n    at: cnc_in\n", 1)
    assert placed != text
    moved = scenarios.loads(placed, "placed.yaml")
    paths = ("stations.*.at", "stations.*.failures.mttr")
    assert fixed_differences(start, start, paths) == []
    assert fixed_differences(start, moved, paths) == [
        "stations.*.at must stay as in the starting scenario "
        "({'blanks': 'blank_store', 'cnc': 'cnc_in', 'probe': None})"
    ]
    broken = placed.replace(
        "    process: 40 s\n", "    process: 40 s\n    failures: {mtbf: 40 h, mttr: 5 min}\n", 1
    )
    changed = fixed_differences(start, scenarios.loads(broken, "b.yaml"), paths)
    assert [c.split(" must")[0] for c in changed] == list(paths)


def test_target_through_a_section_the_start_leaves_out(tmp_path: Path) -> None:
    """``scenario.economics.lease.down_payment`` names a value of the scenario format though
    the start has no economics at all: the lesson loads, and the check says the target is
    not met because the section is absent (docs/training.md, "Metric paths"). A misspelt
    key in the left-out section is still refused when the lesson loads."""
    from simulator.lesson import check_lesson

    text = _edit(12, "scenario.stations.mill.servers", "scenario.economics.lease.down_payment")
    text = text.replace("at_most: 2}", "at_least: 0.3}")
    lesson = load_lesson_dir(_lesson(tmp_path, text))
    result = check_lesson(lesson, lesson.solution_text(), "s.yaml")
    lease = result.targets[1]
    assert (lease.verdict, lease.mean, lease.structural) == ("not met", None, True)
    assert lease.note == (
        "scenario.economics.lease.down_payment is absent: the scenario leaves out "
        "scenario.economics"
    )
    assert not result.passed and result.targets[0].verdict == "met"
    shutil.rmtree(tmp_path / "01-test")
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(_lesson(tmp_path, text.replace("down_payment", "down_paymnt")))
    assert str(caught.value).endswith(
        "lesson.yaml:12:16: check.targets[1].metric: in the start scenario: "
        "scenario.economics.lease: no key 'down_paymnt' (there are: down_payment, rate, term)"
    )


def test_structural_placeholders_are_checked_when_the_lesson_loads(tmp_path: Path) -> None:
    """A debrief placeholder into the scenario (``{scenario.stations.mil.servers}``) names
    something of the starting scenario, or the lesson is refused at the placeholder."""
    folder = _lesson(
        tmp_path,
        debrief_en_md="# D\n\n{scenario.stations.mill.servers} mills, "
        "{start.scenario.stations.mil.servers} before\n",
    )
    with pytest.raises(LessonError) as caught:
        load_lesson_dir(folder)
    assert str(caught.value).replace(str(folder) + "/", "") == (
        "debrief.en.md:3:41: placeholder '{start.scenario.stations.mil.servers}': "
        "scenario.stations: no item named 'mil' (there are: saw, mill, wash, pack)"
    )
