"""Lessons 5-8 (servo-retrofit, agv-fleet, investment-case, static-roi): a plausible wrong
answer fails the check, on the target that makes it wrong, so each task needs the right
change and not just any change.

Each wrong answer is the reference solution (or the start) with one edit; the test first
asserts the edit applies, so a reworded scenario file cannot make it pass vacuously.
"""

from __future__ import annotations

import pytest

from scenarios.lessons import load_lesson
from simulator.lesson import check_lesson


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, f"edit not applicable: {old!r}"
        text = text.replace(old, new)
    return text


P3 = (
    "      # p3 (one shift) and p4 (small pump) save too little for their retrofit:"
    " not in the package.\n"
)
P2 = "      p2_160t: {power: {busy: 11 kW, idle: 5.5 kW}, price: 275000}                # +55 000\n"
RAMP = (
    "  ramp_up: {months: 6, output: 0.5}"
    "   # the plant's last robot cell: 6 months at half the savings\n"
)
SUBSIDY = (
    "  subsidy: {share: 0.2, cap: 150000}"
    "   # district programme: 20 % of the equipment, capped (ASSUMPTION)\n"
)
LEASE = (
    "  lease: {down_payment: 0.3, term: 3, rate: 0.06}"
    "   # the vendor's finance offer (ASSUMPTION)\n"
)
CUT = "    process: {dist: lognormal, mean: 12.5 min, cv: 0.05}\n"
ROBOT_TENDING = "          time: {dist: triangular, low: 25 s, mode: 28 s, high: 35 s}\n"
AGVS = "    count: 4                # 60 parts/h x 228 s per round trip = 3.8 AGVs busy: 4\n"

CASES = [
    # lesson, from (start|solution), edits, the target (metric) that must fail
    pytest.param(
        "servo-retrofit", "solution", [(P2, "")], "economics.retrofit.annual_savings",
        id="retrofit-only-the-best-press",
    ),
    pytest.param(
        "servo-retrofit", "solution",
        [(P3, "      p3_160t: {power: {busy: 11 kW, idle: 5.5 kW, off_shift: 0 kW},"
              " price: 275000}\n")],
        "economics.retrofit.payback_years", id="retrofit-the-one-shift-press-too",
    ),
    pytest.param(
        "servo-retrofit", "solution",
        [("price: 500000}", "price: 80000}"), ("price: 275000}", "price: 55000}")],
        "economics.retrofit.net_investment", id="retrofit-price-entered-without-the-press",
    ),
    pytest.param(
        "agv-fleet", "solution", [(AGVS, "    count: 3\n")], "kpis.throughput_per_hour",
        id="three-agvs-from-loaded-trips-only",
    ),
    pytest.param(
        "agv-fleet", "solution", [(AGVS, "    count: 5\n")], "scenario.resources.agv.count",
        id="five-agvs-oversized",
    ),
    pytest.param(
        "investment-case", "solution", [(SUBSIDY, "")], "economics.robot.cash_payback_years",
        id="lease-without-the-subsidy",
    ),
    pytest.param(
        "investment-case", "solution", [(LEASE, "")], "economics.robot.cash_payback_years",
        id="subsidy-without-the-lease",
    ),
    pytest.param(
        "investment-case", "solution", [(RAMP, "  ramp_up: {months: 0, output: 1.0}\n")],
        "scenario.economics.ramp_up.months", id="wishing-the-ramp-up-away",
    ),
    pytest.param(
        "investment-case", "solution",
        [(SUBSIDY, "  subsidy: {share: 0.9, cap: 9000000}\n")],
        "economics.robot.net_investment", id="claiming-a-bigger-subsidy-than-offered",
    ),
    pytest.param(
        "investment-case", "solution",
        [(LEASE, "  lease: {down_payment: 0.3, term: 10, rate: 0.06}\n")],
        "scenario.economics.lease.term", id="stretching-the-lease-beyond-the-offer",
    ),
    pytest.param(
        "static-roi", "start",
        [("  ramp_up: {months: 0, output: 1.0}", "  ramp_up: {months: 3, output: 0.6}")],
        "scenario.stations.cnc.failures.mtbf.mean_s", id="only-the-ramp-up-added",
    ),
    pytest.param(
        "static-roi", "solution",
        [(CUT, "    process: 12.5 min\n"), (ROBOT_TENDING, "          time: 28 s\n")],
        "scenario.stations.cnc.process.scv", id="failures-and-ramp-up-but-constant-times",
    ),
    pytest.param(
        "static-roi", "solution", [("      mtbf: 40 h\n", "      mtbf: 10 h\n")],
        "scenario.stations.cnc.failures.mtbf.mean_s", id="gloomier-than-the-log",
    ),
    pytest.param(
        "static-roi", "solution",
        [("  ramp_up: {months: 3, output: 0.6}", "  ramp_up: {months: 12, output: 0.3}")],
        "economics.robots.cash_payback_years", id="a-ramp-up-worse-than-the-plant-saw",
    ),
]


@pytest.mark.parametrize(("name", "base", "edits", "failing"), CASES)
def test_a_plausible_wrong_answer_fails(
    name: str, base: str, edits: list[tuple[str, str]], failing: str
) -> None:
    lesson = load_lesson(name)
    text = lesson.solution_text() if base == "solution" else lesson.start_text()
    result = check_lesson(lesson, _edit(text, *edits), f"{name}-wrong.yaml")
    assert not result.passed
    verdicts = {t.metric: t.verdict for t in result.targets}
    assert verdicts[failing] == "not met", verdicts


def test_changing_the_vehicle_instead_of_the_fleet_is_refused() -> None:
    """Two AGVs carrying two trays each would pass on throughput; the vehicle is fixed."""
    lesson = load_lesson("agv-fleet")
    text = _edit(
        lesson.start_text(),
        ("    capacity: 1             # one tray on board\n", "    capacity: 2\n"),
    )
    result = check_lesson(lesson, text, "agv-wrong.yaml")
    assert not result.passed
    assert any("capacity" in sentence for sentence in result.changed)


def test_dropping_the_repair_crew_is_refused() -> None:
    """Repairs that need nobody would hide the Sunday downtime; who repairs is fixed."""
    lesson = load_lesson("static-roi")
    text = _edit(lesson.solution_text(), ("      repair_by: technician\n", ""))
    result = check_lesson(lesson, text, "static-roi-wrong.yaml")
    assert not result.passed
    assert any("repair_by" in sentence for sentence in result.changed)
