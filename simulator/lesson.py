"""The check of a training lesson: run a submitted scenario and judge its targets.

The verdict (docs/training.md, "The verdict") is statistically sound and reproducible:

- every statistical target's mean gets a two-sided Student-t interval at confidence
  ``1 − 0.05 / (k · L)``: Bonferroni over the ``k`` statistical targets *and* the ``L`` times
  the intervals may be looked at (the first batch and each further one), so the chance that
  any verdict of the whole check is wrong is at most 5 % (a sequential procedure that looked
  at 95 % intervals after every batch would err more often);
- a target is *met* when its whole interval is on the right side of the bound, *not met*
  when its whole interval is on the wrong side; otherwise another batch of replications is
  run (same seed, replication indices continue: common random numbers, reproducible) up to
  ``max_replications``; an interval that still straddles the bound is *undecided*, which is
  not met;
- the batches stop early as soon as one target is not met (the answer cannot change), or
  every target is decided;
- structural targets (``scenario.…``) and the ``fixed`` paths are exact: read from the
  submitted scenario, no statistics.

Same lesson + same submitted text = the same verdict, numbers and debrief, on any machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import scenarios
from scenarios import Scenario, ScenarioError
from scenarios.errors import Problem
from scenarios.lessons import (
    LESSON_LANGUAGES,
    RUN_ROOTS,
    SPECIAL_PLACEHOLDERS,
    START_PREFIX,
    Lesson,
    LessonError,
    PathAbsent,
    PathNotFound,
    Target,
    fill,
    fixed_differences,
    format_number,
    is_structural,
    placeholders,
    scenario_value,
    split_path,
)
from scenarios.variants import VariantSet
from simulator.compare import Comparison, comparison_to_json, run_comparison
from simulator.experiment import ExperimentResult, summarise_replications
from simulator.output import result_to_json
from simulator.results import Replication
from simulator.session import run_replication
from simulator.stats import student_t_ppf
from simulator.textwidth import display_width, printable

__all__ = [
    "ALPHA",
    "CheckResult",
    "TargetResult",
    "check_lesson",
    "check_report",
    "metric_value",
    "wrap_markdown",
]

ALPHA = 0.05
"""Most probability that the check's verdict is wrong, shared out over targets and looks."""
TRACE_LIMIT = 500_000
"""State records per replication when a lesson reads ``bottleneck...`` (as ``--bottleneck``)."""

ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)``: replications run so far (all variants), and the most the check
may run. An exception raised by the callback stops the check and propagates (a GUI's cancel)."""

MET, NOT_MET, UNDECIDED = "met", "not met", "undecided"


@dataclass(frozen=True)
class TargetResult:
    """How one target of the lesson fared."""

    target: Target
    """The target as written in ``lesson.yaml``."""
    structural: bool
    """Read from the submitted scenario (exact), not from the run."""
    mean: float | None
    """The metric's mean over the replications (the exact value of a structural metric);
    None when the run has no such value."""
    ci: tuple[float, float] | None
    """The interval at :attr:`CheckResult.confidence` (None for a structural metric)."""
    verdict: str
    """``met``, ``not met`` or ``undecided`` (which counts as not met)."""
    note: str = ""
    """Why, when the value is missing or undefined (``no station 'mill' in the run``)."""
    values: tuple[float | None, ...] = ()
    """Per replication (empty for a structural metric)."""

    @property
    def metric(self) -> str:
        """The metric path."""
        return self.target.metric

    @property
    def met(self) -> bool:
        """Is the target met?"""
        return self.verdict == MET

    def label(self, lang: str = "en") -> str:
        """The target's label in ``lang``, else its metric path."""
        return self.target.label.get(lang) if self.target.label is not None else self.metric


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a lesson's check on one submitted scenario."""

    lesson: str
    """The lesson's name."""
    passed: bool
    """Every target met and every ``fixed`` path unchanged."""
    targets: tuple[TargetResult, ...]
    """Per target, in the order of ``lesson.yaml``."""
    replications: int
    """Replications run (per variant in a comparison)."""
    confidence: float
    """Confidence level of each interval: ``1 − 0.05 / (k · L)``."""
    looks: int
    """L: the most batches the check could have looked at."""
    seed: int
    """The check's seed (the lesson's, not the file's)."""
    variant: str
    """The checked variant of the submitted file."""
    changed: tuple[str, ...]
    """One sentence per ``fixed`` path that the submission changed (each fails the check)."""
    debrief: dict[str, str]
    """The debrief filled with this run's numbers, per language (``en``, ``zh_CN``). When the
    check failed, placeholders the run cannot fill and those of the starting scenario
    (``{start.…}``, which is then not run) show ``—``."""
    data: dict[str, Any]
    """The run JSON (docs/results.md), or the compare JSON with ``compare: true``: what the
    metric paths address, for charts."""
    raw: ExperimentResult | Comparison
    """The run itself (an :class:`ExperimentResult`, or a :class:`Comparison`)."""
    start_data: dict[str, Any] | None = None
    """The starting scenario's run JSON (same seed and replications), when the debrief quotes
    it through ``{start.…}`` placeholders; None otherwise."""

    def debrief_text(self, lang: str = "en") -> str:
        """The filled debrief in ``lang`` (English for an unknown language)."""
        return self.debrief.get(lang, self.debrief["en"])


def metric_value(
    data: dict[str, Any], path: str, *, compare: bool = False, variant: str | None = None
) -> Any:
    """What a run path names in ``data`` (the run JSON, or the compare JSON with ``compare``):
    a ``{"mean", "ci95", "values"}`` stat, a number, a list or None.

    With ``compare``, a path starting with ``kpis``, ``stations``, ``resources``,
    ``products`` or ``bottleneck`` addresses ``variants.<variant>``. A step may contain
    dots where a key does (a unit ``press.2``): the longest key that matches is taken.

    Raises:
        PathNotFound: no such value (the message names the step that is missing).
    """
    steps = split_path(path)
    if compare and steps[0] in RUN_ROOTS:
        if variant is None:
            raise PathNotFound(f"{path}: a comparison needs the variant to read it from")
        steps = ["variants", variant, *steps]
    current: Any = data
    index = 0
    while index < len(steps):
        if not isinstance(current, dict):
            done = ".".join(steps[:index])
            raise PathNotFound(f"{done} is a value, it has no '{steps[index]}'")
        for stop in range(len(steps), index, -1):
            key = ".".join(steps[index:stop])
            if key in current:
                current = current[key]
                index = stop
                break
        else:
            done = ".".join(steps[:index]) or "the results"
            keys = ", ".join(str(k) for k in current) if current else "none"
            raise PathNotFound(f"{done} has no '{steps[index]}' (there are: {keys})")
    return current


def _per_replication(value: Any, path: str) -> tuple[list[float | None], float | None]:
    """(values per replication, exact value): a stat gives the first, a number the second."""
    if isinstance(value, dict) and "values" in value:
        return [None if v is None else float(v) for v in value["values"]], None
    if isinstance(value, bool):
        return [], 1.0 if value else 0.0
    if isinstance(value, int | float):
        return [], float(value)
    if value is None:
        return [None], None
    raise PathNotFound(f"{path} is not a number")


def _interval(values: Sequence[float], alpha: float) -> tuple[float, tuple[float, float]]:
    """Mean and two-sided Student-t interval at confidence ``1 − alpha``."""
    n = len(values)
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = student_t_ppf(1.0 - alpha / 2.0, n - 1) * math.sqrt(var / n)
    return mean, (mean - half, mean + half)


def _judge(target: Target, low: float, high: float) -> str:
    """Met when the whole interval [low, high] meets the target, not met when the whole of it
    fails it, undecided otherwise."""
    if target.holds(low) and target.holds(high):
        return MET
    below = target.at_least is not None and high < target.at_least
    above = target.at_most is not None and low > target.at_most
    return NOT_MET if below or above else UNDECIDED


def _statistical(
    target: Target, data: dict[str, Any], compare: bool, variant: str, alpha: float
) -> TargetResult:
    try:
        raw = metric_value(data, target.metric, compare=compare, variant=variant)
        values, exact = _per_replication(raw, target.metric)
    except PathNotFound as exc:
        return TargetResult(target, False, None, None, NOT_MET, f"no such value in the run: {exc}")
    if raw is None:  # a plain null, not a per-replication statistic
        return TargetResult(target, False, None, None, NOT_MET, "undefined in this run (null)")
    if exact is not None:
        verdict = MET if target.holds(exact) else NOT_MET
        return TargetResult(target, False, exact, (exact, exact), verdict)
    defined = [v for v in values if v is not None]
    if len(defined) < len(values):
        missing = len(values) - len(defined)
        mean = math.fsum(defined) / len(defined) if defined else None
        note = f"undefined in {missing} of {len(values)} replications"
        return TargetResult(target, False, mean, None, NOT_MET, note, tuple(values))
    mean, ci = _interval(defined, alpha)
    return TargetResult(target, False, mean, ci, _judge(target, *ci), "", tuple(values))


def _structural(target: Target, scenario: Scenario) -> TargetResult:
    try:
        value = scenario_value(scenario, split_path(target.metric)[1:])
    except PathNotFound as exc:
        return TargetResult(target, True, None, None, NOT_MET, str(exc))
    return TargetResult(target, True, value, None, MET if target.holds(value) else NOT_MET)


class _Runner:
    """Replications of every variant, kept across batches: batch b adds indices
    ``n_{b-1} .. n_b − 1`` with the lesson's seed, so the first ``n`` replications are
    always the same whatever the number of batches (common random numbers)."""

    def __init__(
        self,
        found: VariantSet,
        names: Sequence[str],
        seed: int,
        trace: bool,
        progress: ProgressCallback | None,
        total: int,
    ) -> None:
        self.found = found
        self.names = list(names)
        self.seed = seed
        self.trace = trace
        self.trace_limit = TRACE_LIMIT if trace else None
        self.progress = progress
        self.total = total
        self.done = 0
        self.reps: dict[str, list[Replication]] = {name: [] for name in self.names}

    def extend(self, n: int) -> None:
        for name in self.names:
            scenario = self.found.scenarios[name]
            reps = self.reps[name]
            for index in range(len(reps), n):
                reps.append(
                    run_replication(scenario, index, self.seed, trace_limit=self.trace_limit)
                )
                self.done += 1
                if self.progress is not None:
                    self.progress(self.done, self.total)

    def result(self, name: str, n: int) -> ExperimentResult:
        scenario = self.found.scenarios[name]
        scenario = scenario.model_copy(update={"seed": self.seed, "replications": n})
        variant = name if self.found.has_variants else "base"
        return summarise_replications(scenario, self.seed, self.reps[name][:n], variant=variant)


def _uses_bottleneck(lesson: Lesson) -> bool:
    paths = [t.metric for t in lesson.check.targets]
    for lang in LESSON_LANGUAGES:
        paths += [ph.path for ph in placeholders(lesson.text("debrief", lang))]
    return any(p.startswith("bottleneck") or ".bottleneck" in p for p in paths)


def check_lesson(
    lesson: Lesson,
    scenario_text: str | bytes,
    filename: str = "<string>",
    progress: ProgressCallback | None = None,
) -> CheckResult:
    """Run the check of ``lesson`` on a submitted scenario (its YAML text) and judge it.

    ``filename`` labels problems of the text (``file:line:col``). See the module docstring
    for the verdict.

    Raises:
        ScenarioError: the text is not a valid scenario, lacks the checked variant, or
            describes a line that cannot run (a routing deadlock, an overload that piles up
            millions of parts): bad input, every problem at its position.
        LessonError: a placeholder of the debrief names nothing in a run that passed (a
            mistake of the lesson, found by the tests of every shipped lesson).
    """
    check = lesson.check
    found = scenarios.loads_variants(scenario_text, filename)
    variant = check.variant or found.baseline
    if variant not in found.scenarios:
        listed = ", ".join(found.scenarios) if found.has_variants else "it has none"
        raise ScenarioError.single(
            filename,
            1,
            1,
            "variants",
            f"this lesson checks the variant {variant!r}; the file has no such variant "
            f"(variants: {listed})",
        )
    _check_time_models(found, filename)
    start = scenarios.load_variants(lesson.start_path)
    start_variant = check.variant or start.baseline
    # Each starting variant is compared with the submitted variant of the same name, and the
    # start's checked variant always with the submission's checked variant: otherwise a file
    # that wraps its changes in a variant of another name (its baseline) escapes `fixed`.
    pairs = {name: name for name in start.scenarios if name in found.scenarios}
    pairs[start_variant] = variant
    changed: list[str] = []
    for start_name, name in pairs.items():
        start_sc = start.scenarios[start_name]
        if name in found.scenarios:
            for sentence in fixed_differences(start_sc, found.scenarios[name], check.fixed):
                where = f"variant {name}: " if found.has_variants and name != variant else ""
                changed.append(where + sentence)
    if check.compare:  # the comparison is against the starting file's baseline
        for name in start.scenarios:
            if name not in found.scenarios:
                changed.append(f"variant {name} must stay: the comparison needs it")
        if found.baseline != start.baseline and start.baseline in found.scenarios:
            changed.append(f"the baseline must stay {start.baseline!r}")
    checked_sc = found.scenarios[variant]
    structural = [t for t in check.targets if is_structural(t.metric)]
    statistical = [t for t in check.targets if not is_structural(t.metric)]
    k = max(1, len(statistical))
    alpha = ALPHA / (k * check.looks)
    names = list(found.scenarios) if check.compare else [variant]
    runner = _Runner(
        found,
        names,
        check.seed,
        _uses_bottleneck(lesson),
        progress,
        check.max_replications * len(names),
    )
    exact = {id(t): _structural(t, checked_sc) for t in structural}
    doomed = bool(changed) or any(r.verdict != MET for r in exact.values())
    n = check.replications
    while True:
        raw, data = _run(runner, found, n, check.compare, filename)
        judged = {id(t): _statistical(t, data, check.compare, variant, alpha) for t in statistical}
        verdicts = [r.verdict for r in judged.values()]
        if doomed or NOT_MET in verdicts or UNDECIDED not in verdicts:
            break
        if n >= check.max_replications:
            break
        n = min(n + check.batch_size, check.max_replications)
    results = tuple(exact.get(id(t)) or judged[id(t)] for t in check.targets)
    passed = not changed and all(r.met for r in results)
    start_runs: list[dict[str, Any]] = []

    def start_data() -> dict[str, Any]:
        """The starting scenario run like the submission (once, when a placeholder asks)."""
        if not start_runs:
            start_names = list(start.scenarios) if check.compare else [start_variant]
            start_runner = _Runner(start, start_names, check.seed, runner.trace, None, 0)
            start_runs.append(_run(start_runner, start, n, check.compare, filename)[1])
        return start_runs[0]

    runs = {
        "": (data, found, variant),
        START_PREFIX: (start_data, start, start_variant),
    }
    debrief = {
        lang: _debrief(lesson, lang, runs, n, check.compare, strict=passed)
        for lang in LESSON_LANGUAGES
    }
    return CheckResult(
        lesson.name,
        passed,
        results,
        n,
        1.0 - alpha,
        check.looks,
        check.seed,
        variant,
        tuple(changed),
        debrief,
        data,
        raw,
        start_runs[0] if start_runs else None,
    )


def _run(
    runner: _Runner, found: VariantSet, n: int, compare: bool, filename: str
) -> tuple[ExperimentResult | Comparison, dict[str, Any]]:
    """Extend the runs to ``n`` replications; the summary and its JSON."""
    from cells.workstation import RoutingDeadlock
    from simulator.build import LineError
    from simulator.capacity import LineOverloaded

    try:
        runner.extend(n)
    except (LineError, RoutingDeadlock, LineOverloaded) as exc:
        raise ScenarioError.single(filename, 1, 1, "", str(exc)) from None
    if not compare:
        result = runner.result(runner.names[0], n)
        return result, result_to_json(result, scenario_file=filename)

    def cached(scenario: Scenario, reps: int, seed: int, workers: int) -> ExperimentResult:
        name = next(v for v, sc in found.scenarios.items() if sc is scenario)
        return runner.result(name, reps)

    comparison = run_comparison(found, n, runner.seed, 1, run=cached)
    return comparison, comparison_to_json(comparison, scenario_file=filename)


def _check_time_models(found: VariantSet, filename: str) -> None:
    """A time model that validates but cannot be computed is bad input (as ``linelab run``)."""
    from cells.time_models import check_time_models
    from scenarios.yamlsafe import format_path

    problems = []
    for scenario in found.scenarios.values():
        for at, message in check_time_models(scenario):
            problems.append(Problem(filename, 1, 1, format_path(at), message))
    if problems:
        raise ScenarioError(problems)


_Runs = dict[str, tuple[Any, VariantSet, str]]
"""Placeholder prefix ("" or ``start.``) → (the run JSON or a function that makes it, the
variants, the checked variant)."""


def _debrief(lesson: Lesson, lang: str, runs: _Runs, n: int, compare: bool, *, strict: bool) -> str:
    """The debrief in ``lang`` with every placeholder filled from this run.

    ``strict`` (the check passed): a placeholder that names nothing is a lesson error at its
    ``file:line:col``; otherwise it shows ``—`` (the submission may lack what it names)."""
    text = lesson.text("debrief", lang)
    path = str(lesson.text_path("debrief", lang))
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for ph in placeholders(text):
        key = f"{ph.path}:{ph.spec}" if ph.spec else ph.path
        try:
            prefix = START_PREFIX if ph.path.startswith(START_PREFIX) else ""
            data, found, variant = runs[prefix]
            metric = ph.path.removeprefix(prefix)
            if metric not in SPECIAL_PLACEHOLDERS and not is_structural(metric) and callable(data):
                if not strict:  # a failed check shows no debrief: do not run the start for it
                    raise PathNotFound("the starting scenario is run only for a passed check")
                data = data()
            values[key] = _placeholder_text(metric, ph.spec, data, found, variant, n, compare)
        except PathAbsent:  # the submission leaves out a section: nothing to quote
            values[key] = "—"
        except (PathNotFound, ValueError) as exc:
            if strict:
                problems.append(
                    Problem(path, ph.line, ph.col, "", f"placeholder '{{{ph.path}}}': {exc}")
                )
            values[key] = "—"
    if problems:
        raise LessonError(problems)
    return fill(text, values)


def _placeholder_text(
    path: str,
    spec: str,
    data: dict[str, Any],
    found: VariantSet,
    variant: str,
    n: int,
    compare: bool,
) -> str:
    if path in SPECIAL_PLACEHOLDERS:
        return format_number(float(n), spec)
    if is_structural(path):
        return format_number(scenario_value(found.scenarios[variant], split_path(path)[1:]), spec)
    value = metric_value(data, path, compare=compare, variant=variant)
    if isinstance(value, dict) and "mean" in value:
        value = value["mean"]
    if isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, int | float) for v in value
    ):
        return f"{format_number(value[0], spec)} – {format_number(value[1], spec)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PathNotFound(f"{path} is not a number in this run (it is {value!r})")
    return format_number(float(value), spec)


# --------------------------------------------------------------------------------------
# Markdown re-wrapped for a terminal


REPORT_WIDTH = 80
"""Columns the CLI wraps the debrief to when standard output is not a terminal."""
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_MARKUP = set("*_`")
"""Emphasis and code marks: kept on the word they open or close."""
_NO_BREAK_BEFORE = set("，。、：；！？）」』》〉】,.;:!?)]}%…—*_`")
_NO_BREAK_AFTER = set("（「『《〈【([{")


def _wide(char: str) -> bool:
    return display_width(char) == 2


def _tokens(text: str) -> list[str]:
    """Breakable pieces of a paragraph: words, spaces and single wide (CJK) characters, with
    closing punctuation kept on the piece before it and opening punctuation on the next."""
    raw = re.findall(r"\s+|[^\s]", text)
    out: list[str] = []
    glue_next = False
    for piece in raw:
        space = piece.isspace()
        joins = (
            out
            and not space
            and not out[-1].isspace()
            and (
                glue_next
                or piece in _NO_BREAK_BEFORE
                or out[-1][-1] in _MARKUP
                or not (_wide(piece) or _wide(out[-1][-1]))
            )
        )
        if joins:
            out[-1] += piece
        else:
            out.append(" " if space else piece)
        glue_next = not space and piece in _NO_BREAK_AFTER
    return out


def _fill(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` filled to ``width`` display columns; lines start with ``first``, then ``rest``."""
    lines: list[str] = []
    line, used = first, display_width(first)
    empty = True
    for token in _tokens(text):
        if token == " ":
            if not empty:
                line, used = line + " ", used + 1
            continue
        size = display_width(token)
        if not empty and used + size > width:
            lines.append(line.rstrip())
            line, used = rest, display_width(rest)
        line, used, empty = line + token, used + size, False
    lines.append(line.rstrip())
    return lines


def _join(lines: list[str]) -> str:
    """Source lines of one paragraph as one text: a space between them, none between two
    wide (CJK) characters."""
    text = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if text and not (_wide(text[-1]) and _wide(line[0])):
            text += " "
        text += line
    return text


def wrap_markdown(text: str, width: int = REPORT_WIDTH) -> str:
    """A Markdown text re-wrapped for a terminal of ``width`` columns.

    Paragraphs, list items (with a hanging indent) and quotes are filled to ``width``
    display columns (a Chinese character takes two; a line may break between two of them,
    not before closing punctuation); headings, tables, code blocks, blank lines and hard
    line breaks (two trailing spaces) stay as written. Placeholders filled with long numbers
    make the written line breaks ragged: this puts them right. A single word longer than
    ``width`` stays whole.
    """
    out: list[str] = []
    block: list[str] = []
    lead = ("", "")

    def flush() -> None:
        nonlocal block
        if block:
            out.extend(_fill(_join(block), width, *lead))
        block = []

    fenced = False
    for line in text.splitlines():
        stripped = line.strip()
        if _FENCE.match(line):
            flush()
            fenced = not fenced
            out.append(line)
            continue
        code = not block and line.startswith(("    ", "\t"))
        if fenced or code or not stripped or stripped.startswith(("#", "|")):
            flush()
            out.append(line if fenced or code else line.rstrip())
            continue
        item = _ITEM.match(line)
        quote = stripped.startswith(">")
        if item:
            flush()
            first = item.group(0)
            lead = (first, " " * display_width(first))
            block = [line[item.end() :]]
        elif quote:
            if not block or lead[0] != "> ":
                flush()
                lead = ("> ", "> ")
            block.append(stripped[1:])
        else:
            if not block:
                lead = ("", "")
            block.append(line)
        if line.endswith("  "):  # a hard line break
            flush()
    flush()
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


# --------------------------------------------------------------------------------------
# The report printed by ``linelab lesson check``


_WORDS = {
    "en": {
        "target": "target",
        "required": "required",
        "mean": "mean",
        "interval": "interval",
        "verdict": "verdict",
        "exact": "exact",
        MET: "met",
        NOT_MET: "NOT MET",
        UNDECIDED: "undecided (not met)",
        "passed": "PASSED: every target is met",
        "failed": "NOT MET",
        "reps": "{n} replications{per} (seed {seed}); each interval at {conf} confidence "
        "(Bonferroni over {k} statistical target{ks} and {looks} possible batch{es}; "
        "docs/training.md)",
        "per": " per variant",
    },
    "zh_CN": {
        "target": "目标",
        "required": "要求",
        "mean": "均值",
        "interval": "置信区间",
        "verdict": "结论",
        "exact": "精确值",
        MET: "达成",
        NOT_MET: "未达成",
        UNDECIDED: "无法判定（按未达成计）",
        "passed": "通过：所有目标均已达成",
        "failed": "未通过",
        "reps": "共 {n} 次重复仿真{per}（种子 {seed}）；每个区间的置信度为 {conf}"
        "（对 {k} 个统计目标和最多 {looks} 批次做 Bonferroni 校正；见 docs/training.md）",
        "per": "（每个方案）",
    },
}


def check_report(result: CheckResult, lang: str = "en", width: int = REPORT_WIDTH) -> str:
    """The check's verdict as text: one row per target (required bound, mean, interval,
    verdict), the ``fixed`` paths that were changed, the replications and confidence, the
    overall verdict, and when passed the filled debrief re-wrapped to ``width`` columns
    (:func:`wrap_markdown`; the GUI renders :attr:`CheckResult.debrief` as Markdown)."""
    from simulator.output import _columns

    words = _WORDS.get(lang, _WORDS["en"])
    rows = [[words[k] for k in ("target", "required", "mean", "interval", "verdict")]]
    for r in result.targets:
        mean = "—" if r.mean is None else format_number(r.mean)
        ci = words["exact"] if r.structural and r.mean is not None else "—"
        if r.ci is not None and not r.structural:
            ci = f"[{format_number(r.ci[0])}, {format_number(r.ci[1])}]"
        rows.append([printable(r.label(lang)), r.target.describe(), mean, ci, words[r.verdict]])
    lines = [
        f"{printable(result.lesson)}: "
        + (words["passed"] if result.passed else words["failed"]),
        "",
        *_columns(rows, "<<>><"),
    ]
    for r in result.targets:
        if r.note:
            lines.append(f"  {printable(r.label(lang))}: {printable(r.note)}")
    for sentence in result.changed:
        lines.append(f"  {printable(sentence)}")
    k = sum(1 for r in result.targets if not r.structural)
    lines.append("")
    lines.append(
        words["reps"].format(
            n=result.replications,
            per=words["per"] if isinstance(result.raw, Comparison) else "",
            seed=result.seed,
            conf=f"{result.confidence:.2%}",
            k=k,
            ks="" if k == 1 else "s",
            looks=result.looks,
            es="" if result.looks == 1 else "es",
        )
    )
    if result.passed:
        lines += ["", wrap_markdown(result.debrief_text(lang).rstrip(), width)]
    return "\n".join(lines)
