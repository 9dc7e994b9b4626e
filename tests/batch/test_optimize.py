"""Optimisation studies: ``optimize buffers`` finds the allocation a brute-force enumeration on
the event engine confirms (and its kernel values equal the engine's), ``optimize resources``
returns the smallest robot count the cycle arithmetic of a robot-tended cell gives, the
screening accepts, rejects and leaves undecided as its Bonferroni intervals say, the cost is
the annual cost of ownership worked out by hand, and bad input exits 2 with a clear message and
no result file."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import scenarios
from simulator.cli import main
from simulator.experiment import run_experiment
from simulator.fastpath import NotEligible
from simulator.optimize import (
    KernelEvaluator,
    SearchTooLarge,
    Target,
    allocations,
    annual_cost,
    capital_recovery_factor,
    count_allocations,
    optimize_buffers,
    optimize_resources,
    parse_target,
    search_buffers,
    stages_of,
    with_buffers,
)
from simulator.stats import summarise

ROOT = Path(__file__).resolve().parents[2]

LINE = """\
linelab: 1
name: four stations
horizon: 6 h
warmup: 30 min
replications: 4
seed: 11
stations:
  - name: saw
    process: {dist: exponential, mean: 50 s}
  - name: drill
    process: {dist: exponential, mean: 56 s}
  - name: mill
    process: {dist: triangular, low: 30 s, mode: 50 s, high: 70 s}
  - name: pack
    process: {dist: exponential, mean: 52 s}
"""

# 12 machines, 100 s per part, each loaded and unloaded by a robot in 45-55 s (mean 50 s).
CELL = """\
linelab: 2
name: robot cell
horizon: 4 h
warmup: 30 min
replications: 3
seed: 5
resources:
  - name: robot
    kind: robot
    count: 1
    price: 300000
stations:
  - name: cnc
    servers: 12
    process: {dist: lognormal, mean: 100 s, cv: 0.1}
    tending: {by: robot, time: {dist: triangular, low: 45 s, mode: 50 s, high: 55 s}}
economics:
  hours_per_year: 4000
  years: 5
  discount_rate: 0.08
  maintenance: 0.02
  wages: {robot: 0}
"""


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


# --- buffers ---------------------------------------------------------------------------------


def _compositions(total: int, slots: int) -> list[tuple[int, ...]]:
    """Every split of ``total`` into ``slots`` parts, by brute force over all tuples."""
    return [
        a
        for a in __import__("itertools").product(range(total + 1), repeat=slots)
        if sum(a) == total
    ]


def test_allocations_enumerates_every_split_once() -> None:
    for total, slots in [(0, 3), (4, 1), (5, 3), (6, 4)]:
        listed = list(allocations(total, slots))
        assert sorted(listed) == sorted(_compositions(total, slots))
        assert len(listed) == len(set(listed)) == count_allocations(total, slots)
    assert count_allocations(5, 3) == math.comb(7, 2) == 21


def test_optimize_buffers_finds_the_optimum_brute_force_confirms() -> None:
    sc = scenarios.loads(LINE)
    total = 5
    # Brute force on the event engine: every allocation, the same seed and replications.
    # Output is compared as parts out of the line (a whole number), so that equal output ties
    # however the per-replication rates round; ties go to the lower WIP.
    scored: dict[tuple[int, ...], tuple[float, float]] = {}
    parts: dict[tuple[int, ...], int] = {}
    hours = float(sc.horizon) / 3600.0
    for allocation in _compositions(total, 3):
        result = run_experiment(with_buffers(sc, allocation))
        throughput, wip = result.kpis["throughput_per_hour"].mean, result.kpis["wip"].mean
        assert throughput is not None and wip is not None
        scored[allocation] = (throughput, wip)
        values = result.kpis["throughput_per_hour"].values
        parts[allocation] = sum(round(v * hours) for v in values if v is not None)
    best = max(scored, key=lambda a: (parts[a], -scored[a][1]))
    assert sum(1 for a in scored if parts[a] == parts[best]) == 1  # a unique optimum

    study = optimize_buffers(sc, total, top=3)
    assert study.method == "exhaustive" and study.evaluated == 21
    assert study.stations == ("drill", "mill", "pack")
    assert study.candidates[0].allocation == best
    ranked = sorted(scored, key=lambda a: (-parts[a], scored[a][1], a))
    assert [c.allocation for c in study.candidates] == ranked[:3]
    for c in study.candidates:  # the kernel equals the engine, allocation by allocation
        assert c.kernel_throughput == pytest.approx(scored[c.allocation][0], rel=1e-12)
        assert c.kernel_wip == pytest.approx(scored[c.allocation][1], rel=1e-9)
        assert c.agrees
    assert study.candidates[0].difference is None
    second = study.candidates[1]
    assert second.difference is not None and second.difference.mean == pytest.approx(
        scored[second.allocation][0] - scored[best][0], rel=1e-12
    )


def test_the_neighbourhood_search_reaches_the_same_optimum_with_fewer_evaluations() -> None:
    sc = scenarios.loads(LINE)
    study = optimize_buffers(sc, 5, top=1, exhaustive_limit=1)
    assert study.method == "greedy+neighbourhood"
    assert study.evaluated < 21
    exhaustive = optimize_buffers(sc, 5, top=1)
    assert study.candidates[0].allocation == exhaustive.candidates[0].allocation
    # the limit is inclusive: 21 allocations are enumerated when 21 are allowed, not 20
    evaluator = KernelEvaluator(sc, 2, 11)
    assert search_buffers(evaluator, 5, exhaustive_limit=21) == "exhaustive"
    assert evaluator.evaluations == 21
    assert search_buffers(KernelEvaluator(sc, 2, 11), 5, exhaustive_limit=20) != "exhaustive"


def test_kernel_evaluator_draws_more_parts_when_the_first_draw_is_short() -> None:
    sc = scenarios.loads(LINE)
    evaluator = KernelEvaluator(sc, 2, 11)
    evaluator._parts = 10  # far too few for 6.5 h: the evaluator must draw again
    evaluator._draw()
    throughput, _ = evaluator.evaluate((1, 1, 1))
    fresh, _ = KernelEvaluator(sc, 2, 11).evaluate((1, 1, 1))
    assert evaluator._parts > 10
    assert throughput.tolist() == fresh.tolist()


def test_the_greedy_search_ranks_only_allocations_of_all_the_places() -> None:
    """The greedy construction evaluates 0, 1, … N − 1 places on its way; past the plateau
    (about 40 places here) fewer places give the same output with less WIP, so ranking
    everything evaluated would return an allocation that does not share the N places."""
    sc = scenarios.loads(LINE)
    evaluator = KernelEvaluator(sc, 4, 11)
    assert search_buffers(evaluator, 200, exhaustive_limit=1) == "greedy+neighbourhood"
    partial = [a for a, _, _ in evaluator.ranked() if sum(a) < 200]
    assert partial, "the greedy construction evaluates partial allocations"
    full = evaluator.ranked(200)
    assert full and all(sum(a) == 200 for a, _, _ in full)
    study = optimize_buffers(sc, 200, top=2, exhaustive_limit=1)
    assert [c.allocation for c in study.candidates] == [a for a, _, _ in full[:2]]
    assert all(sum(c.allocation) == 200 and c.agrees for c in study.candidates)


def test_equal_output_is_a_tie_broken_by_the_lower_wip() -> None:
    """Two allocations whose replications leave the same number of parts in total tie on
    throughput even when their per-replication rates sum to means one rounding apart; the
    lower mean WIP must then rank first. The order is derived here from the departures the
    per-replication throughputs give (parts = rate × horizon / 3600)."""
    sc = scenarios.loads(LINE)
    evaluator = KernelEvaluator(sc, 4, 11)
    search_buffers(evaluator, 15)
    hours = float(sc.horizon) / 3600.0

    def expected_key(a: tuple[int, ...]) -> tuple[int, float, tuple[int, ...]]:
        throughput, wip = evaluator.evaluate(a)
        parts = sum(round(v * hours) for v in throughput.tolist())
        return (-parts, math.fsum(wip.tolist()) / len(wip), a)

    ranked = [a for a, _, _ in evaluator.ranked(15)]
    assert ranked == sorted(ranked, key=expected_key)
    # the case that needs it: equal output, means one rounding apart, less WIP
    tied = [
        (a, b)
        for a in ranked
        for b in ranked
        if expected_key(a)[0] == expected_key(b)[0]
        and evaluator.score(a)[0] < evaluator.score(b)[0]
        and expected_key(a)[1] < expected_key(b)[1]
    ]
    assert tied, "no float tie in this case: the test would not test the tie-break"


def test_a_search_too_large_is_refused_before_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(LINE, encoding="utf-8")
    out = tmp_path / "b.json"
    done = _cli("optimize", "buffers", str(line), "--total", "1000000", "--json", str(out))
    assert done.returncode == 2, done.stderr
    assert (
        "optimize buffers: the search is too large: 1,000,000 places over 3 buffers need "
        "about 3,000,001 allocations on "
        "the flow-line kernel (at most 50,000); share fewer places"
    ) in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
    # the work limit: 21 allocations × 4 replications × parts × 4 stations
    import simulator.optimize as optimize

    monkeypatch.setattr(optimize, "MAX_KERNEL_STEPS", 1000)
    with pytest.raises(SearchTooLarge, match=r"about 21 allocations × 4 replications × "):
        optimize_buffers(scenarios.loads(LINE), 5, run=lambda *a: pytest.fail("ran"))


def test_a_line_the_kernel_cannot_represent_is_refused() -> None:
    robot = scenarios.loads(CELL)
    with pytest.raises(NotEligible, match="servers"):
        optimize_buffers(robot, 4)
    one = scenarios.loads(LINE.split("  - name: drill")[0])
    with pytest.raises(NotEligible, match="one station"):
        optimize_buffers(one, 4)


def test_cli_optimize_buffers_json_and_refusal(tmp_path: Path) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(LINE, encoding="utf-8")
    out = tmp_path / "b.json"
    done = _cli(
        "optimize",
        "buffers",
        str(line),
        "--total",
        "3",
        "--top",
        "2",
        "-j",
        "1",
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["command"] == "optimize buffers" and data["search"] == "exhaustive"
    assert data["evaluated"] == count_allocations(3, 3) == 10
    assert len(data["candidates"]) == 2 and all(c["agrees"] for c in data["candidates"])
    assert sum(data["candidates"][0]["buffers"].values()) == 3
    assert "best: drill" in done.stdout

    cell = tmp_path / "cell.yaml"
    cell.write_text(CELL, encoding="utf-8")
    refused = _cli("optimize", "buffers", str(cell), "--total", "3", "--json", str(out) + "2")
    assert refused.returncode == 2
    assert "not one the flow-line kernel represents exactly" in refused.stderr
    assert "station 'cnc' has 12 servers" in refused.stderr
    assert "Traceback" not in refused.stderr and not Path(str(out) + "2").exists()


# --- resources -------------------------------------------------------------------------------


def test_annual_cost_of_ownership_by_hand() -> None:
    # CRF(8 %, 5 years) = 0.08 / (1 - 1.08^-5) = 0.250456; maintenance 2 % of 300 000
    assert capital_recovery_factor(0.08, 5) == pytest.approx(0.2504564545, rel=1e-9)
    assert capital_recovery_factor(0.0, 4) == 0.25
    sc = scenarios.loads(CELL)
    assert annual_cost(sc) == pytest.approx(300_000 * 0.2504564545 + 6_000, rel=1e-9)
    no_economics = scenarios.loads(CELL.split("economics:")[0])
    assert annual_cost(no_economics) == 300_000.0  # the purchase price


def test_annual_cost_counts_labour_floor_and_station_prices() -> None:
    # 2 operators at 40/h for 4000 h: 320 000; floor 100/m2 × (12 cnc × 6 m2 + 1 robot × 4
    # m2) = 7 600; investment 300 000 + 12 × 50 000 = 900 000 at CRF 0.250456, maintenance
    # 2 % of it: 18 000
    text = CELL.replace(
        "    price: 300000\n",
        "    price: 300000\n  - name: crew\n    kind: operator\n    count: 2\n",
    ).replace("    servers: 12\n", "    servers: 12\n    price: 50000\n")
    text = text.replace(
        "  wages: {robot: 0}\n",
        "  wages: {robot: 0, operator: 40}\n  floor_space: {rent: 100, area: {cnc: 6, robot: 4}}\n",
    )
    sc = scenarios.loads(text)
    assert annual_cost(sc) == pytest.approx(
        900_000 * 0.2504564545 + 320_000 + 18_000 + 7_600, rel=1e-9
    )


def test_optimize_resources_returns_the_robot_count_of_the_cycle_arithmetic(
    tmp_path: Path,
) -> None:
    """Each robot tends one machine every 50 s on average, so r robots serve at most
    3600 r / 50 = 72 r parts/h; the 12 machines, each busy 100 + 50 s per part, make at most
    12 × 3600 / 150 = 288 parts/h. For 180 parts/h the robots bound: r ≥ 180 × 50 / 3600 = 2.5,
    so 3 robots, as long as 180 is below the machine bound."""
    tend_mean = (45 + 50 + 55) / 3
    target = 180.0
    assert target < 12 * 3600 / (100 + tend_mean)
    expected = math.ceil(target * tend_mean / 3600)
    assert expected == 3

    cell = tmp_path / "cell.yaml"
    cell.write_text(CELL, encoding="utf-8")
    out = tmp_path / "r.json"
    done = _cli(
        "optimize",
        "resources",
        str(cell),
        "--target",
        f"throughput_per_hour>={target:g}",
        "--vary",
        "resources.robot.count=1..6",
        "-j",
        "1",
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["chosen"] == {"resources.robot.count": str(expected)}
    by_count = {int(c["values"]["resources.robot.count"]): c for c in data["configurations"]}
    assert [by_count[r]["status"] for r in range(1, 7)] == [
        "rejected",
        "rejected",
        "accepted",
        "not run",
        "not run",
        "not run",
    ]
    for r in (1, 2):  # robot-bound: close to 72 r parts/h
        assert by_count[r]["interval"][1] < target
        assert by_count[r]["mean"] == pytest.approx(72 * r, rel=0.03)
    assert by_count[3]["interval"][0] >= target
    assert data["cost"] == {"basis": "annual_cost_of_ownership", "currency": "CNY"}
    assert data["level"] == pytest.approx(1 - 0.05 / (6 * 4))  # stages 3, 6, 12, 24
    assert "chosen: resources.robot.count=3" in done.stdout


def _fake_run(means: dict[int, list[float]]) -> Any:
    """A run function whose replication i of the configuration with ``count`` robots gives
    ``means[count][i]`` parts/h (no simulation)."""

    def run(scenario: Any, replications: int, seed: int) -> Any:
        count = scenario.resources[0].count
        values = means[count][:replications]
        return SimpleNamespace(kpis={"throughput_per_hour": summarise(values)})

    return run


def test_screening_accepts_rejects_and_leaves_undecided_by_its_intervals() -> None:
    base = scenarios.loads(CELL)
    configs = []
    for r in (1, 2, 3):
        data = base.model_dump()
        data["resources"][0]["count"] = r
        configs.append(({"resources.robot.count": str(r)}, type(base).model_validate(data)))
    noise = [1.0, -1.0] * 8
    means = {
        1: [100 + e for e in noise],  # far below 150: rejected at once
        2: [150 + 3 * e for e in noise],  # mean exactly 150 ± 3: never decided
        3: [200 + e for e in noise],  # far above: accepted
    }
    study = optimize_resources(
        configs,
        Target("throughput_per_hour", ">=", 150.0),
        initial=2,
        max_replications=16,
        run=_fake_run(means),
    )
    assert study.stages == (2, 4, 8, 16)
    assert study.level == pytest.approx(1 - 0.05 / 12)
    statuses = [
        (c.values["resources.robot.count"], c.status, c.replications) for c in study.configurations
    ]
    # level 1 - 0.05/12 per interval, two-sided: t quantile at 1 - 0.05/24.
    # n = 2: t(1 df) = tan(pi (0.5 - 0.05/24)) = 152.79, half-width 152.79 * sqrt(2) / sqrt(2):
    #   nothing is decided; n = 4: s = sqrt(4/3), t(3 df) = 7.9398, half-width 4.584: 100 ± 4.6
    #   is rejected and 200 ± 4.6 accepted; 150 ± 3 stays around 150 up to n = 16.
    assert statuses == [("1", "rejected", 4), ("2", "undecided", 16), ("3", "accepted", 4)]
    c1 = study.configurations[0]
    assert c1.interval is not None
    assert c1.interval[1] - 100 == pytest.approx(7.93975 * math.sqrt(4 / 3) / 2, rel=1e-5)
    assert study.chosen is not None and study.chosen.values == {"resources.robot.count": "3"}
    # at 16 replications: s = 3 sqrt(16/15), t(15 df) * s / 4 = 2.6142
    c2 = study.configurations[1]
    assert c2.interval is not None
    assert c2.interval[1] - 150 == pytest.approx(2.614212, rel=1e-5)


def test_a_zero_width_interval_decides_only_at_the_last_stage() -> None:
    """Two replications that happen to agree (a count over a short horizon) give s = 0 and a
    zero-width interval: that is no evidence. Only at the last stage, where all agree, is it
    taken as the line's behaviour (a deterministic line)."""
    base = scenarios.loads(CELL)
    configs = []
    for r in (1, 2, 3):
        data = base.model_dump()
        data["resources"][0]["count"] = r
        configs.append(({"resources.robot.count": str(r)}, type(base).model_validate(data)))
    means = {
        1: [151.0, 151.0] + [130.0, 160.0] * 7,  # agrees by chance at 2: mean 146.4 < 150
        2: [149.0] * 16,  # deterministic below the bound: rejected, at the last stage
        3: [152.0] * 16,  # deterministic above: accepted, at the last stage
    }
    study = optimize_resources(
        configs,
        Target("throughput_per_hour", ">=", 150.0),
        initial=2,
        max_replications=16,
        run=_fake_run(means),
    )
    statuses = [(c.status, c.replications) for c in study.configurations]
    assert statuses[1:] == [("rejected", 16), ("accepted", 16)]
    assert statuses[0][0] != "accepted" and statuses[0][1] > 2
    assert study.chosen is not None and study.chosen.values == {"resources.robot.count": "3"}


def test_replications_without_a_value_are_never_a_reason_to_accept() -> None:
    """Cycle time has no value in a replication that finished no part. A configuration where
    none did meets no cycle-time bound (rejected, the study goes on); one where only some did
    is never accepted, since the mean of the others flatters it."""
    base = scenarios.loads(CELL)
    configs = []
    for r in (1, 2, 3):
        data = base.model_dump()
        data["resources"][0]["count"] = r
        configs.append(({"resources.robot.count": str(r)}, type(base).model_validate(data)))
    cycle: dict[int, list[float | None]] = {
        1: [None] * 8,
        2: [300.0, None, 310.0, 290.0] * 2,  # the defined ones are far below 600
        3: [400.0, 420.0, 380.0, 410.0] * 2,
    }

    def run(scenario: Any, replications: int, seed: int) -> Any:
        values = cycle[scenario.resources[0].count][:replications]
        return SimpleNamespace(kpis={"cycle_time_s": summarise(values)})

    study = optimize_resources(
        configs, Target("cycle_time_s", "<=", 600.0), initial=4, max_replications=8, run=run
    )
    statuses = [(c.status, c.replications) for c in study.configurations]
    assert statuses == [("rejected", 4), ("undecided", 8), ("accepted", 4)]
    assert study.chosen is not None and study.chosen.values == {"resources.robot.count": "3"}


def test_stages_and_targets() -> None:
    assert stages_of(5, 40) == (5, 10, 20, 40)
    assert stages_of(3, 20) == (3, 6, 12, 20)
    assert stages_of(4, 4) == (4,)
    assert parse_target("throughput_per_hour>=420") == Target("throughput_per_hour", ">=", 420.0)
    assert parse_target(" cycle_time_s <= 600 ") == Target("cycle_time_s", "<=", 600.0)
    assert Target("wip", "<=", 5).accepts(3, 4.9) and Target("wip", "<=", 5).rejects(5.1, 6)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--target", "throughput_per_hour=>180"], "use >= or <="),
        (["--target", "throughput_per_hour>180"], "use >= or <="),
        (["--target", "throughput>=180"], "unknown KPI 'throughput'; did you mean"),
        (["--target", "throughput_per_hour>=lots"], "'lots' is not a number"),
        (["--target", "180"], "expected KPI>=VALUE or KPI<=VALUE"),
        (
            ["--vary", "resources.robt.count=1..3"],
            "cell.yaml:7:1: resources: --vary resources.robt.count: no resource 'robt' "
            "(did you mean 'robot'?)",
        ),
        (["--vary", "resources.robot.cont=1..3"], "unknown key 'cont'; did you mean 'count'?"),
        (["--vary", "resources.robot.count=3..1"], "the range 3..1 is empty"),
        (["--vary", "resources.robot.count=1..3,2"], "the value 2 is given twice"),
        (["--vary", "resources.robot.count=1,01"], "the value 01 is given twice (as 1)"),
        (["--vary", "seed=1,2"], "the screening sets the seed and the replications itself"),
        (["--vary", "resources.robot.count="], "no values after '='"),
        (
            ["--vary", "resources.robot.count=0,two"],
            "cell.yaml:10:12: resources[0].count: --vary resources.robot.count=0: must be >= 1",
        ),
        (["--variant", "fast"], "no variant 'fast'"),
        (["--alpha", "5"], "--alpha must be between 0 and 1"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_no_file(
    tmp_path: Path, args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cell = tmp_path / "cell.yaml"
    cell.write_text(CELL, encoding="utf-8")
    out = tmp_path / "r.json"
    given = {"--target": "throughput_per_hour>=180", "--vary": "resources.robot.count=1..2"}
    for i in range(0, len(args), 2):
        given[args[i]] = args[i + 1]
    argv = [a for pair in given.items() for a in pair]
    code = main(["optimize", "resources", str(cell), *argv, "-j", "1", "--json", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert needle in err
    assert "internal error" not in err
    assert not out.exists()


def test_a_kpi_the_line_does_not_report_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(LINE.replace("replications: 4", "replications: 2"), encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(
        [
            "optimize",
            "resources",
            str(line),
            "--target",
            "energy_kwh_per_part<=1",
            "--vary",
            "stations.pack.buffer=1,2",
            "-j",
            "1",
            "--json",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "energy_kwh_per_part is not reported for this line" in err
    assert not out.exists()


def test_a_line_fed_by_a_source_keeps_its_first_buffer_and_agrees_with_the_engine() -> None:
    text = LINE.replace(
        "seed: 11\n", "seed: 11\nsource: {interarrival: {dist: exponential, mean: 58 s}}\n"
    )
    text = text.replace(
        "mean: 50 s}\n  - name: drill", "mean: 50 s}\n    buffer: 4\n  - name: drill"
    )
    sc = scenarios.loads(text)
    study = optimize_buffers(sc, 2, top=2)
    assert study.evaluated == count_allocations(2, 3) == 6
    assert all(c.agrees for c in study.candidates)
    confirmed = run_experiment(with_buffers(sc, study.candidates[0].allocation))
    assert confirmed.scenario.stations[0].buffer == 4  # the first buffer as the file says
    assert study.candidates[0].throughput.values == confirmed.kpis["throughput_per_hour"].values
