"""Lessons 1-4 (state-charts, littles-law, buffers, tending-ratio): plausible wrong answers
and cheaper tricks fail the check, each on what makes it wrong, so each task needs its
lesson's lever and not just any change that raises the output.

The tricks are real: without the lesson's ``fixed`` paths each of them beats the target
(a product route that skips the mill makes 65 parts/h against 56; trays through the
welder 102 doors/h against 61.5; a belt as an uncounted buffer 68.5; a variant of another
name escaped every ``fixed`` path). Each wrong answer is the start or the reference
solution with one edit; ``_edit`` first asserts the edit applies, so a reworded scenario
file cannot make a case pass vacuously.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import scenarios
from scenarios.lessons import load_lesson
from simulator.lesson import check_lesson
from simulator.session import run_replication


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, f"edit not applicable: {old!r}"
        text = text.replace(old, new)
    return text


def _places(text: str, **places: int) -> str:
    """Lesson 3's line with the buffer of the named stations set (others as given)."""
    for station, n in places.items():
        text, count = re.subn(
            rf"(  - name: {station}\n(?:    .*\n)*?    buffer: )\d+", rf"\g<1>{n}", text
        )
        assert count == 1, station
    return text


def _text(name: str, which: str) -> str:
    lesson = load_lesson(name)
    return lesson.start_text() if which == "start" else lesson.solution_text()


MILL = "  - name: mill\n"
ROBOTS = (
    "        count: 3         # the fix: one robot for four lathes, below the break-even of 4.75"
)
ROUTE = "  - {name: door, route: [load, press, weld, coat, pack]}\n"
NO_PRESS = "  - {name: door, route: [load, weld, pack]}\n"
BELT = "    conveyor: {length: 10 m, speed: 1 m/s, spacing: 1 m}\n"
WELD = "  - name: weld\n    process: {dist: lognormal, mean: 48 s, cv: 0.1}"

# lesson, from (start|solution), how to edit, the metric that must fail (or "fixed: <path>")
CASES = [
    # lesson 1: the busiest station is not the bottleneck
    pytest.param(
        "state-charts", "start",
        lambda t: _edit(t, ("  - name: wash\n", "  - name: wash\n    servers: 2\n")),
        "kpis.throughput_per_hour", id="l1-second-washer",
    ),
    pytest.param(
        "state-charts", "start",
        lambda t: t + "products:\n  - {name: bracket, route: [saw, wash, pack]}\n",
        "fixed: products", id="l1-route-skips-the-mill",
    ),
    pytest.param(
        "state-charts", "start",
        lambda t: _edit(
            t, ("  - name: saw\n", "  - name: saw\n    batch: 4\n"),
            ("  - name: pack\n", "  - name: pack\n    unbatch: true\n"),
        ),
        "fixed: stations.*.batch", id="l1-trays-through-the-mill",
    ),
    pytest.param(
        "state-charts", "start",
        lambda t: _edit(t, (MILL, MILL + BELT)),
        "fixed: stations.*.conveyor", id="l1-belt-as-a-buffer",
    ),
    pytest.param(
        "state-charts", "start",
        lambda t: t + "baseline: fixed_mill\nvariants:\n  fixed_mill:\n    stations:\n"
        "      mill: {failures: {mtbf: 600 min, mttr: 1 min}}\n",
        "fixed: stations.*.failures", id="l1-changes-wrapped-in-a-variant",
    ),
    # lesson 2: only the WIP limit moves
    pytest.param(
        "littles-law", "start", lambda t: _edit(t, ("wip_cap: 30 ", "wip_cap: 5 ")),
        "kpis.throughput_per_hour", id="l2-cap-below-the-needed-wip",
    ),
    pytest.param(
        "littles-law", "start", lambda t: _edit(t, ("wip_cap: 30 ", "wip_cap: 10 ")),
        "kpis.cycle_time_s", id="l2-cap-ten",
    ),
    pytest.param(
        "littles-law", "start", lambda t: _edit(t, ("wip_cap: 30 ", "# no cap ")),
        "kpis.cycle_time_s", id="l2-no-cap",
    ),
    pytest.param(
        "littles-law", "solution",
        lambda t: _edit(t, ("linelab: 1", "linelab: 2"))
        + "products:\n  - {name: lock, process: {cnc: 60 s}}\n",
        "fixed: products", id="l2-faster-cnc-as-a-product",
    ),
    # lesson 3: the same ten places, next to the bottleneck
    pytest.param(
        "buffers", "start", lambda t: _places(t, press=0, weld=10, pack=0),
        "kpis.throughput_per_hour", id="l3-all-at-the-welders-front",
    ),
    pytest.param(
        "buffers", "start", lambda t: _places(t, press=5, coat=5, pack=0),
        "kpis.throughput_per_hour", id="l3-at-the-stopping-stations",
    ),
    pytest.param(
        "buffers", "solution", lambda t: _edit(t, (ROUTE, NO_PRESS)),
        "fixed: products", id="l3-route-without-the-press",
    ),
    pytest.param(
        "buffers", "start",
        lambda t: _edit(
            _places(t, press=0, pack=0),
            ("  - name: press\n", "  - name: press\n" + BELT),
        ),
        "fixed: stations.*.conveyor", id="l3-belt-as-an-uncounted-buffer",
    ),
    pytest.param(
        "buffers", "start",
        # the welder first in the file: without the pinned route it is never starved (63.7)
        lambda t: _edit(
            _places(t, press=0, pack=0, load=5, coat=5),
            ("  - name: load\n", WELD + "\n    buffer: 0\n  - name: load\n"),
            (WELD + "     # ASSUMPTION: welding robot, the slowest station\n    buffer: 0\n", ""),
        ),
        "kpis.throughput_per_hour", id="l3-welder-moved-to-the-front",
    ),
    # lesson 4: below the break-even, not more robots than needed
    pytest.param(
        "tending-ratio", "solution", lambda t: _edit(t, (ROBOTS, "        count: 2")),
        "kpis.throughput_per_hour", id="l4-vendor-one-robot-for-six",
    ),
    pytest.param(
        "tending-ratio", "solution", lambda t: _edit(t, (ROBOTS, "        count: 4")),
        "economics.robots.payback_years", id="l4-fourth-robot",
    ),
    pytest.param(
        "tending-ratio", "solution",
        lambda t: _edit(t, (ROBOTS, "        count: 4"),
                        ("  manual: {}", "  manual: {resources: {operators: {count: 6}}}")),
        "fixed: resources.operators", id="l4-more-operators-in-the-baseline",
    ),
    pytest.param(
        "tending-ratio", "start",
        lambda t: _edit(
            t, ("      cnc:\n        tending:", "      cnc:\n        servers: 8\n        tending:")
        ),
        "fixed: stations", id="l4-cut-machines-to-the-ratio",
    ),
]


@pytest.mark.parametrize(("name", "which", "edit", "fails_on"), CASES)
def test_wrong_answer_fails(
    name: str, which: str, edit: Callable[[str], str], fails_on: str
) -> None:
    lesson = load_lesson(name)
    result = check_lesson(lesson, edit(_text(name, which)), "wrong.yaml")
    assert not result.passed
    if fails_on.startswith("fixed: "):
        path = fails_on.removeprefix("fixed: ")
        assert any(path + " must stay" in sentence for sentence in result.changed), result.changed
    else:
        assert not result.changed, result.changed
        verdicts = {t.metric: t.verdict for t in result.targets}
        assert verdicts[fails_on] == "not met", verdicts


def test_reordered_file_with_the_pinned_route_is_the_same_line() -> None:
    """Lesson 3 pins the route with ``products``: the order of the stations in the file then
    changes nothing (the welder moved to the end of the file runs the same line, replication
    for replication), so a reorder cannot move the welder away from its neighbours."""
    solution = _text("buffers", "solution")
    weld = re.search(r"  - name: weld\n(?:    .*\n)+", solution)
    assert weld is not None
    reordered = solution.replace(weld.group(0), "") + weld.group(0)
    a, b = scenarios.loads(solution, "a.yaml"), scenarios.loads(reordered, "b.yaml")
    assert [s.name for s in b.stations][-1] == "weld" != [s.name for s in a.stations][-1]
    for index in range(2):
        ra, rb = run_replication(a, index, 2026), run_replication(b, index, 2026)
        assert ra.departed == rb.departed > 0
        assert ra.stations["weld"].states == rb.stations["weld"].states
