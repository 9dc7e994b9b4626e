"""Every shipped lesson is a real task: its reference solution passes its check, its starting
scenario fails it (a target clearly not met, not merely undecided), and the debrief quotes the
numbers of the run that was judged. Also pins down the verdict itself: reproducible, the
means and intervals come from the run's per-replication values at the documented Bonferroni
level, batches continue while an interval straddles a target and stop at
``max_replications`` with "undecided", and the plausible wrong answers of the lessons fail.

Lessons are found by listing ``scenarios/lessons/``, so lessons added later are tested too.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from pathlib import Path
from typing import Any

import pytest

import scenarios.lessons as lessons_pkg
from scenarios.lessons import Lesson, Target, load_lesson, load_lesson_dir
from simulator.lesson import CheckResult, check_lesson
from simulator.stats import student_t_ppf

ROOT = Path(lessons_pkg.__file__).parent
FOLDERS = sorted(p.name for p in ROOT.iterdir() if (p / "lesson.yaml").is_file())


@functools.cache
def _lesson(folder: str) -> Lesson:
    return load_lesson_dir(ROOT / folder)


@functools.cache
def _check(folder: str, which: str) -> CheckResult:
    lesson = _lesson(folder)
    path = lesson.solution_path if which == "solution" else lesson.start_path
    return check_lesson(lesson, path.read_bytes(), str(path))


def test_lessons_are_listed() -> None:
    assert FOLDERS, "no lessons shipped"
    assert FOLDERS[0] == "01-state-charts"


@pytest.mark.parametrize("folder", FOLDERS)
def test_solution_passes(folder: str) -> None:
    result = _check(folder, "solution")
    assert result.passed, [(t.metric, t.mean, t.ci, t.verdict, t.note) for t in result.targets]
    assert all(t.verdict == "met" for t in result.targets)
    assert result.changed == ()


@pytest.mark.parametrize("folder", FOLDERS)
def test_start_fails_clearly(folder: str) -> None:
    result = _check(folder, "start")
    assert not result.passed
    assert any(t.verdict == "not met" for t in result.targets), [
        (t.metric, t.mean, t.ci, t.verdict) for t in result.targets
    ]
    assert result.changed == ()  # the starting scenario changes nothing it must keep


def _json_at(data: Any, steps: list[str]) -> Any:
    """A key path through nested dicts, keys that contain dots taken whole (``press.2``)."""
    i = 0
    while i < len(steps):
        for j in range(len(steps), i, -1):
            key = ".".join(steps[i:j])
            if isinstance(data, dict) and key in data:
                data, i = data[key], j
                break
        else:
            raise KeyError(".".join(steps))
    return data


def _expected_value(result: CheckResult, lesson: Lesson, path: str) -> float:
    """A placeholder's number, read here from the check's own run data (not via the code
    that filled the debrief)."""
    data = result.data
    scenario = None
    if path.startswith("start."):
        path = path[len("start.") :]
        assert result.start_data is not None
        data = result.start_data
        scenario = "start"
    if path == "replications":
        return float(result.replications)
    steps = path.split(".")
    if steps[0] == "scenario":
        import scenarios as sc_pkg

        file = lesson.start_path if scenario == "start" else lesson.solution_path
        value: Any = sc_pkg.load(file, result.variant if result.variant != "base" else None)
        for step in steps[1:]:
            if isinstance(value, tuple):
                value = next(item for item in value if item.name == step)
            else:
                value = getattr(value, step)
        return math.inf if value is None else float(value)
    if lesson.check.compare and steps[0] in ("kpis", "stations", "resources", "products"):
        steps = ["variants", result.variant, *steps]
    found = _json_at(data, steps)
    return float(found["mean"] if isinstance(found, dict) else found)


def _shown(value: float, spec: str) -> str:
    """The documented default format: about three significant digits (docs/training.md)."""
    if spec:
        return format(value, spec)
    if math.isinf(value):
        return "∞"
    if value == round(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    size = abs(value)
    return (
        f"{value:,.0f}" if size >= 100 else f"{value:.1f}" if size >= 10
        else f"{value:.2f}" if size >= 1 else f"{value:.3f}"
    )


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_debrief_quotes_the_run(folder: str, lang: str) -> None:
    lesson = _lesson(folder)
    result = _check(folder, "solution")
    raw = lesson.text("debrief", lang)
    masked = raw.replace("{{", "\0\0").replace("}}", "\0\0")
    found = list(re.finditer(r"\{([^{}\n]*)\}", masked))
    assert found, "a debrief explains the result with the lesson's own numbers"
    expected, last = [], 0
    for match in found:
        path, _, spec = match.group(1).partition(":")
        expected.append(raw[last : match.start()])
        expected.append(_shown(_expected_value(result, lesson, path.strip()), spec.strip()))
        last = match.end()
    expected.append(raw[last:])
    text = "".join(expected).replace("{{", "{").replace("}}", "}")
    assert result.debrief_text(lang) == text


@pytest.mark.parametrize("folder", FOLDERS)
def test_target_means_and_intervals_come_from_the_run(folder: str) -> None:
    result = _check(folder, "solution")
    k = sum(1 for t in result.targets if not t.structural)
    assert result.confidence == pytest.approx(1 - 0.05 / (max(k, 1) * result.looks))
    for t in result.targets:
        if t.structural:
            assert t.ci is None
            continue
        values = [v for v in t.values if v is not None]
        assert len(values) == result.replications
        n = len(values)
        mean = math.fsum(values) / n
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
        half = student_t_ppf(1 - (1 - result.confidence) / 2, n - 1) * sd / math.sqrt(n)
        assert t.mean == pytest.approx(mean, rel=1e-12)
        assert t.ci == pytest.approx((mean - half, mean + half), rel=1e-9)


def test_check_is_reproducible_and_reports_progress() -> None:
    lesson = load_lesson("state-charts")
    seen: list[tuple[int, int]] = []
    text = lesson.solution_text()
    again = check_lesson(lesson, text, "s.yaml", progress=lambda d, t: seen.append((d, t)))
    first = _check("01-state-charts", "solution")
    assert [t.values for t in again.targets] == [t.values for t in first.targets]
    assert again.debrief == first.debrief
    assert seen == [(i, lesson.check.max_replications) for i in range(1, again.replications + 1)]


def _with_target(lesson: Lesson, **changes: float | None) -> Lesson:
    first = lesson.check.targets[0].model_copy(update=changes)
    check = lesson.check.model_copy(update={"targets": (first, *lesson.check.targets[1:])})
    return dataclasses.replace(lesson, spec=lesson.spec.model_copy(update={"check": check}))


def test_a_target_at_the_true_mean_stays_undecided_up_to_max_replications() -> None:
    """Batches are added while the interval straddles the target; at max_replications the
    verdict is "undecided", which fails the check."""
    lesson = load_lesson("state-charts")
    solved = _check("01-state-charts", "solution")
    mean = solved.targets[0].mean
    assert mean is not None
    tight = _with_target(lesson, at_least=round(mean, 1))
    result = check_lesson(tight, lesson.solution_text(), "s.yaml")
    assert result.targets[0].verdict == "undecided"
    assert result.replications == lesson.check.max_replications
    assert not result.passed
    low, high = result.targets[0].ci or (0.0, 0.0)
    assert low < round(mean, 1) < high


def test_a_clear_target_is_decided_on_the_first_batch() -> None:
    result = _check("01-state-charts", "solution")
    assert result.replications == _lesson("01-state-charts").check.replications


def _edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_state_charts_wrong_answers_fail() -> None:
    """The busiest station is not the bottleneck: a second washer does not reach the target;
    buying two machines breaks the budget; removing the mill's breakdowns is not allowed."""
    lesson = load_lesson("state-charts")
    start = lesson.start_text()
    second_washer = _edited(start, "  - name: wash\n", "  - name: wash\n    servers: 2\n")
    washer = check_lesson(lesson, second_washer, "w.yaml")
    assert not washer.passed and washer.targets[0].verdict == "not met"
    both = _edited(
        lesson.solution_text(), "  - name: wash\n", "  - name: wash\n    servers: 2\n"
    )
    two = check_lesson(lesson, both, "two.yaml")
    assert not two.passed
    assert two.targets[1].verdict == "not met" and two.targets[1].mean == 6
    no_failures = check_lesson(
        lesson, _edited(start, "    failures: {mtbf: 60 min, mttr: 30 min}\n", ""), "f.yaml"
    )
    assert not no_failures.passed
    assert no_failures.changed == (
        "stations.*.failures must stay as in the starting scenario ("
        + repr(
            {"saw": None, "mill": {"mtbf": {"dist": "exponential", "mean": 3600.0},
             "mttr": {"dist": "exponential", "mean": 1800.0}, "basis": "operating",
             "repair_by": None}, "wash": None, "pack": None}
        )[:77] + "...)",
    )


def test_target_holds_is_inclusive() -> None:
    target = Target(metric="kpis.wip", at_least=2.0, at_most=4.0)
    assert target.holds(2.0) and target.holds(4.0) and not target.holds(4.0001)
    assert target.describe() == "between 2 and 4"


def test_littles_law_wrong_answers_fail() -> None:
    """Too few parts starve the CNCs (throughput falls); too many only wait (cycle time
    grows); a source instead of the WIP limit is a change of the release rule."""
    lesson = load_lesson("littles-law")
    start = lesson.start_text()
    few = check_lesson(lesson, _edited(start, "wip_cap: 30 ", "wip_cap: 4 "), "few.yaml")
    assert [t.verdict for t in few.targets] == ["not met", "met"]
    many = check_lesson(lesson, _edited(start, "wip_cap: 30 ", "wip_cap: 12 "), "many.yaml")
    assert [t.verdict for t in many.targets] == ["met", "not met"]
    fed = _edited(start, "wip_cap: 30 ", "source: {interarrival: 55 s}\nwip_cap: 30 ")
    assert not check_lesson(lesson, fed, "fed.yaml").passed


def _buffers(text: str, **places: int) -> str:
    """``text`` with the ``buffer:`` of the named stations set (the others as they were)."""
    out, station = [], None
    for line in text.splitlines(keepends=True):
        match = re.match(r"  - name: (\w+)", line)
        if match:
            station = match.group(1)
        if line.startswith("    buffer:") and station in places:
            line = f"    buffer: {places[station]}\n"
        out.append(line)
    return "".join(out)


def test_buffers_wrong_answers_fail() -> None:
    """Ten places on one side of the welder protect it from one neighbour only; more than
    ten places break the rule; an unlimited buffer counts as infinitely many places."""
    lesson = load_lesson("buffers")
    start = lesson.start_text()
    one_side = check_lesson(lesson, _buffers(start, press=0, weld=10, pack=0), "w.yaml")
    assert one_side.targets[0].verdict == "not met" and one_side.targets[1].verdict == "met"
    assert one_side.targets[0].mean is not None and one_side.targets[0].mean < 61.5
    too_many = check_lesson(lesson, _buffers(start, weld=10, coat=10), "many.yaml")
    assert too_many.targets[1].verdict == "not met" and too_many.targets[1].mean == 30
    unlimited = _edited(start, "    buffer: 0\n  - name: coat", "  - name: coat")
    result = check_lesson(lesson, unlimited, "u.yaml")
    assert result.targets[1].mean == math.inf and not result.passed


def test_tending_ratio_wrong_answers_fail() -> None:
    """The vendor's one robot for six lathes misses the output (though its payback looks
    better); four robots miss the payback; fewer operators is not the task, nor is dropping
    the manual baseline the robots are compared with."""
    lesson = load_lesson("tending-ratio")
    start = lesson.start_text()
    vendor = _check("04-tending-ratio", "start")
    assert [t.verdict for t in vendor.targets] == ["not met", "met"]
    solved = _check("04-tending-ratio", "solution")
    assert vendor.targets[1].mean is not None and solved.targets[1].mean is not None
    assert vendor.targets[1].mean < solved.targets[1].mean
    four = check_lesson(lesson, _edited(start, "count: 2  ", "count: 4  "), "four.yaml")
    assert [t.verdict for t in four.targets] == ["met", "not met"]
    no_operator = _edited(
        lesson.solution_text(), "      operators: {count: 1}", "      operators: null"
    )
    result = check_lesson(lesson, no_operator, "n.yaml")
    assert not result.passed
    assert any("resources.operators must stay" in c for c in result.changed)
    alone = _edited(_edited(lesson.solution_text(), "baseline: manual\n", ""), "  manual: {}\n", "")
    result = check_lesson(lesson, alone, "alone.yaml")
    assert not result.passed
    assert "variant manual must stay: the comparison needs it" in result.changed


@pytest.mark.parametrize("folder", FOLDERS)
def test_solution_is_decided_on_the_first_batch(folder: str) -> None:
    """The reference solution is far enough from its targets that the first batch decides
    (docs/training.md, "The verdict")."""
    assert _check(folder, "solution").replications == _lesson(folder).check.replications


def _words(text: str) -> list[str]:
    """The text's words, with CJK characters one by one (line breaks may fall between them)."""
    return re.findall(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+", text)


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_report_wraps_the_debrief_for_a_terminal(folder: str, lang: str) -> None:
    """The CLI's report re-wraps the filled debrief (numbers make the written breaks ragged,
    Chinese paragraphs are one long line): every line fits 80 display columns unless it is
    a heading, a table row or a single word; no word is lost or reordered; lists keep their
    marks and headings stay headings. The GUI gets the Markdown as written."""
    from simulator.lesson import check_report
    from simulator.textwidth import display_width

    result = _check(folder, "solution")
    debrief = result.debrief_text(lang)
    report = check_report(result, lang, width=80)
    wrapped = report[report.index(debrief.splitlines()[0]) :]
    for line in wrapped.splitlines():
        if display_width(line) > 80:
            assert line.startswith(("#", "|")) or len(line.split()) == 1, line
    assert _words(wrapped) == _words(debrief)
    def marks(text: str) -> list[str]:
        return [
            line if line.startswith("#") else line.split()[0]
            for line in text.splitlines()
            if re.match(r"#|[-*] |\d+\. ", line)
        ]

    assert marks(wrapped) == marks(debrief)
    assert "\n\n" in wrapped  # paragraphs stay apart


def test_wrap_markdown_keeps_the_structure() -> None:
    from simulator.lesson import wrap_markdown

    text = (
        "# A heading that is long enough to pass the width of the terminal line here\n\n"
        "A paragraph\nwritten on three\nlines.\n\n"
        "- an item that goes on and on past\n  the width\n- short\n\n"
        "    code   stays\n\n| a | b |\n|---|---|\n\n"
        "中文段落没有空格，可以在两个汉字之间换行，但不能在标点之前换行。\n"
    )
    assert wrap_markdown(text, 24) == (
        "# A heading that is long enough to pass the width of the terminal line here\n\n"
        "A paragraph written on\nthree lines.\n\n"
        "- an item that goes on\n  and on past the width\n- short\n\n"
        "    code   stays\n\n| a | b |\n|---|---|\n\n"
        "中文段落没有空格，可以在\n两个汉字之间换行，但不能\n在标点之前换行。\n"
    )


def test_interval_is_student_t_at_the_bonferroni_level() -> None:
    """Lesson 1 has k = 1 statistical target and L = 1 + ⌈(40 − 10) / 10⌉ = 4 looks, so each
    interval is at 1 − 0.05/4 and its half-width is t(1 − 0.00625, 9) · s/√n with
    t = 3.11093 (scipy.stats.t.ppf(0.99375, 9); a normal quantile would be 2.50)."""
    result = _check("01-state-charts", "solution")
    assert result.looks == 4 and result.confidence == pytest.approx(1 - 0.0125, abs=1e-15)
    throughput = result.targets[0]
    values = [v for v in throughput.values if v is not None]
    n = len(values)
    assert n == 10
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    assert throughput.ci is not None and sd > 0
    half = (throughput.ci[1] - throughput.ci[0]) / 2
    assert half / (sd / math.sqrt(n)) == pytest.approx(3.1109348231794756, rel=1e-9)


def test_batches_continue_the_replication_indices() -> None:
    """An undecided target makes the check add batches; replication i of the check is
    replication i of ``linelab run`` with the lesson's seed whatever the batching (no batch
    restarts at replication 0, the file's own seed is ignored)."""
    import scenarios as sc_pkg
    from simulator.experiment import run_experiment
    from simulator.output import result_to_json

    lesson = load_lesson("state-charts")
    solved = _check("01-state-charts", "solution")
    mean = solved.targets[0].mean
    assert mean is not None
    tight = _with_target(lesson, at_least=round(mean, 1))
    text = _edited(lesson.solution_text(), "seed: 1\n", "seed: 99\n")
    result = check_lesson(tight, text, "s.yaml")
    assert result.replications == lesson.check.max_replications > lesson.check.replications
    scenario = sc_pkg.load(lesson.solution_path)
    run = run_experiment(scenario, result.replications, seed=lesson.check.seed)
    data: dict[str, Any] = dict(result_to_json(run))
    expected = data["kpis"]["throughput_per_hour"]["values"]
    assert list(result.targets[0].values) == expected
    assert result.targets[0].values[:10] == solved.targets[0].values


@pytest.mark.parametrize(
    ("bounds", "verdict"),
    [
        ({"at_least": None, "at_most": 100.0}, "met"),
        ({"at_least": None, "at_most": 40.0}, "not met"),
        ({"at_least": 40.0, "at_most": 100.0}, "met"),
        ({"at_least": 80.0, "at_most": None}, "not met"),
        ({"at_least": 20.0, "at_most": 40.0}, "not met"),
    ],
)
def test_each_bound_is_judged_on_its_side(bounds: dict[str, float | None], verdict: str) -> None:
    """Lesson 1's solution makes about 62 parts/h with an interval about ±1.5: a bound far on
    either side is decided on the first batch, met or not met as its side says."""
    lesson = load_lesson("state-charts")
    result = check_lesson(_with_target(lesson, **bounds), lesson.solution_text(), "s.yaml")
    low, high = result.targets[0].ci or (0.0, 0.0)
    assert 40 < low < high < 80
    assert result.targets[0].verdict == verdict
    assert result.replications == lesson.check.replications


def test_batches_stop_as_soon_as_a_target_is_not_met() -> None:
    """One target straddling its bound would call for more batches, but another is clearly
    not met after the first: the answer cannot change, so the check stops there."""
    lesson = load_lesson("state-charts")
    mean = _check("01-state-charts", "solution").targets[0].mean
    assert mean is not None
    straddling = lesson.check.targets[0].model_copy(update={"at_least": round(mean, 1)})
    hopeless = Target(metric="kpis.throughput_per_hour", at_most=40.0)
    check = lesson.check.model_copy(
        update={"targets": (straddling, hopeless, *lesson.check.targets[1:])}
    )
    both = dataclasses.replace(lesson, spec=lesson.spec.model_copy(update={"check": check}))
    result = check_lesson(both, lesson.solution_text(), "s.yaml")
    assert [t.verdict for t in result.targets] == ["undecided", "not met", "met"]
    assert result.replications == lesson.check.replications
    assert result.confidence == pytest.approx(1 - 0.05 / (2 * 4))
