"""Bottleneck analysis: the active-period (shifting-bottleneck) method and the OEE loss split.

Pins down: active periods from a state trace (parallel servers active only together, starved /
blocked / off shift inactive), sole and shifting shares on hand-built traces with exact shares
(overlaps between consecutive bottleneck periods counted for both stations, ties to the first
station), the OEE loss split summing with OEE to one, and on a simulated line with one slow
station that the slow station comes out as the bottleneck.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scenarios
from cells.stats import StateTimer
from simulator.bottleneck import (
    BottleneckShares,
    StationTrace,
    active_periods,
    analyse,
    oee_losses,
    ranking,
    shifting_bottleneck,
)
from simulator.cli import main
from simulator.compare import comparison_table, comparison_to_json, run_comparison
from simulator.experiment import run_experiment
from simulator.model import LineModel
from simulator.output import result_to_json
from tests.helpers import scenario


def test_overlap_between_consecutive_periods_is_shifting_for_both() -> None:
    """A active 0–10 s, B active 8–20 s (longer): A sole 0–8, shifting 8–10, B sole 10–20."""
    shares = shifting_bottleneck({"a": [(0.0, 10.0)], "b": [(8.0, 20.0)]}, 0.0, 20.0)
    assert shares["a"].sole == pytest.approx(8 / 20, abs=1e-12)
    assert shares["a"].shifting == pytest.approx(2 / 20, abs=1e-12)
    assert shares["b"].sole == pytest.approx(10 / 20, abs=1e-12)
    assert shares["b"].shifting == pytest.approx(2 / 20, abs=1e-12)
    assert ranking(shares) == ["b", "a"]


def test_three_stations_overlaps_on_both_sides_and_idle_gap() -> None:
    """a 0–6, b 4–14 (longest), c 12–17, nothing 17–18, a 18–20 (sole, alone).

    b is the bottleneck 4–14 (10 s period), a before 4, c after 14. Overlaps: a∩b = 4–6,
    b∩c = 12–14. Sole: a 0–4 and 18–20 = 6 s; b 6–12 = 6 s; c 14–17 = 3 s; shifting: a 2 s,
    b 4 s, c 2 s. A station never active (d) gets nothing.
    """
    periods = {
        "a": [(0.0, 6.0), (18.0, 20.0)],
        "b": [(4.0, 14.0)],
        "c": [(12.0, 17.0)],
        "d": [],
    }
    shares = shifting_bottleneck(periods, 0.0, 20.0)
    expect = {"a": (6, 2), "b": (6, 4), "c": (3, 2), "d": (0, 0)}
    for name, (sole, shift) in expect.items():
        assert shares[name].sole == pytest.approx(sole / 20, abs=1e-12), name
        assert shares[name].shifting == pytest.approx(shift / 20, abs=1e-12), name
    assert ranking(shares) == ["b", "a", "c", "d"]


def test_nested_shorter_period_never_bottleneck_and_ties_to_first() -> None:
    """A period inside a longer one never wins; equal periods go to the first station."""
    shares = shifting_bottleneck({"a": [(0.0, 10.0)], "b": [(2.0, 5.0)]}, 0.0, 10.0)
    assert (shares["a"].sole, shares["a"].shifting) == (1.0, 0.0)
    assert (shares["b"].sole, shares["b"].shifting) == (0.0, 0.0)
    tie = shifting_bottleneck({"x": [(0.0, 4.0)], "y": [(0.0, 4.0)]}, 0.0, 4.0)
    assert (tie["x"].sole, tie["y"].sole) == (1.0, 0.0)


def test_periods_are_clipped_to_the_window() -> None:
    """Durations count only inside the window: a 0–12 clipped to 5–12 (7 s) loses to b 6–14."""
    shares = shifting_bottleneck({"a": [(0.0, 12.0)], "b": [(6.0, 14.0)]}, 5.0, 15.0)
    # b (8 s) beats a (7 s) from 6 s; overlap 6–12: a sole 5–6, b sole 12–14, none 14–15.
    assert shares["a"].sole == pytest.approx(0.1, abs=1e-12)
    assert shares["a"].shifting == pytest.approx(0.6, abs=1e-12)
    assert shares["b"].sole == pytest.approx(0.2, abs=1e-12)
    assert shares["b"].shifting == pytest.approx(0.6, abs=1e-12)


def test_active_periods_from_a_trace() -> None:
    """Two servers: active only while both are; down and tending count as active."""
    trace = StationTrace(
        initial=("busy", "starved"),
        changes=(
            (1.0, 1, "busy"),  # both active from 1
            (3.0, 0, "down"),  # still active
            (4.0, 1, "blocked"),  # inactive from 4
            (6.0, 1, "tending"),  # active again 6
            (9.0, 0, "off_shift"),  # inactive from 9
        ),
    )
    assert active_periods(trace, 0.0, 10.0) == [(1.0, 4.0), (6.0, 9.0)]
    assert active_periods(trace, 2.0, 7.0) == [(2.0, 4.0), (6.0, 7.0)]
    shares = analyse({"s": trace}, 0.0, 10.0)
    assert shares["s"].sole == pytest.approx(0.6, abs=1e-12)


def test_oee_losses_split_planned_time() -> None:
    """Losses are fractions of planned time; OEE + the three losses = 1."""
    states = {"busy": 0.45, "starved": 0.1, "blocked": 0.05, "down": 0.1, "setup": 0.05,
              "off_shift": 0.25}
    losses = oee_losses(states, completed=100, scrapped=10)
    assert losses is not None
    assert losses["availability_loss"] == pytest.approx(0.15 / 0.75)
    assert losses["performance_loss"] == pytest.approx(0.15 / 0.75)
    assert losses["quality_loss"] == pytest.approx(0.6 * 0.1)
    assert losses["oee"] == pytest.approx(0.6 * 0.9)
    total = losses["availability_loss"] + losses["performance_loss"] + losses["quality_loss"]
    assert total + losses["oee"] == pytest.approx(1.0)
    assert oee_losses({"off_shift": 1.0, "busy": 0.0}, 0, 0) is None


_LINE = """
    linelab: 1
    name: slow middle
    horizon: 2000 s
    warmup: 100 s
    seed: 7
    stations:
      - {name: a, process: {dist: exponential, mean: 1 s}, buffer: 0}
      - {name: b, process: {dist: exponential, mean: 1.6 s}, buffer: 2}
      - {name: c, process: {dist: exponential, mean: 1 s}, buffer: 2}
    """


def test_slowest_station_is_the_bottleneck_of_a_simulated_line() -> None:
    """Three stations in series, the middle one 60 % slower: it is the bottleneck most of
    the time, the others much less; the trace is complete and the run's other results are
    the same as without the trace."""
    sc = scenario(_LINE)
    model = LineModel(sc, trace_limit=1_000_000)
    model.run_until(model.end)
    rep = model.collect()
    assert rep.bottleneck is not None
    assert not rep.bottleneck.truncated
    shares = {n: rep.bottleneck.sole[n] + rep.bottleneck.shifting[n] for n in "abc"}
    assert shares["b"] > 0.7
    assert shares["b"] > 2 * max(shares["a"], shares["c"])
    ranked = ranking(
        {n: BottleneckShares(rep.bottleneck.sole[n], rep.bottleneck.shifting[n]) for n in "abc"}
    )
    assert ranked[0] == "b"
    plain = LineModel(sc)
    plain.run_until(plain.end)
    untraced = plain.collect()
    assert untraced.bottleneck is None
    assert untraced.stations == rep.stations
    assert untraced.throughput_per_hour == rep.throughput_per_hour


def test_trace_cap_is_reported_and_cuts_the_window() -> None:
    """With a cap of 50 records the trace stops early, says so, and the window ends there."""
    model = LineModel(scenario(_LINE), trace_limit=50)
    model.run_until(model.end)
    rep = model.collect()
    assert rep.bottleneck is not None
    assert rep.bottleneck.truncated
    assert rep.bottleneck.records == 50
    assert rep.bottleneck.start_s == 100.0
    assert 100.0 < rep.bottleneck.end_s < 2100.0


_VARIANTS = """\
linelab: 2
name: moving bottleneck
horizon: 2000 s
warmup: 100 s
replications: 3
seed: 11
stations:
  - {name: saw, process: {dist: exponential, mean: 1.6 s}, buffer: 0}
  - {name: drill, process: {dist: exponential, mean: 1 s}, buffer: 2}
variants:
  before: {}
  after:
    stations:
      saw: {process: {dist: exponential, mean: 0.8 s}}
      drill: {process: {dist: exponential, mean: 1.5 s}}
"""


def test_compare_says_where_the_bottleneck_moved(tmp_path: Path) -> None:
    """Speeding up the saw and slowing the drill moves the bottleneck from saw to drill: the
    compare JSON and report say so, and each variant's run JSON has the ranking."""
    path = tmp_path / "line.yaml"
    path.write_text(_VARIANTS, encoding="utf-8")
    comparison = run_comparison(scenarios.load_variants(str(path)))
    data = comparison_to_json(comparison)
    moved = data["differences"]["after"]["bottleneck"]  # type: ignore[index]
    assert (moved["from"], moved["to"], moved["moved"]) == ("saw", "drill", True)
    before = data["variants"]["before"]  # type: ignore[index]
    assert before["bottleneck"]["ranking"] == ["saw", "drill"]
    assert "moved from saw" in comparison_table(comparison)
    untraced = run_experiment(comparison.results["before"].scenario)
    assert "bottleneck" not in result_to_json(untraced)


def test_cli_run_bottleneck_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``linelab run --bottleneck`` writes the ``bottleneck`` object and prints the ranking;
    with ``--fast`` it is bad input (exit 2), and without the flag the JSON has no such key."""
    path = tmp_path / "line.yaml"
    path.write_text(_VARIANTS.replace("variants:", "unused:").split("unused:")[0], "utf-8")
    out = tmp_path / "run.json"
    assert main(["run", str(path), "-n", "2", "-j", "1", "-q", "--bottleneck",
                 "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["bottleneck"]["ranking"] == ["saw", "drill"]
    assert set(data["bottleneck"]["stations"]["saw"]) == {"sole", "shifting", "losses"}
    assert "bottleneck ranking" in capsys.readouterr().out
    assert main(["run", str(path), "-n", "2", "-j", "1", "-q", "--json", str(out)]) == 0
    assert "bottleneck" not in json.loads(out.read_text(encoding="utf-8"))
    assert main(["run", str(path), "-q", "--fast", "--bottleneck"]) == 2
    assert "--fast and --bottleneck" in capsys.readouterr().err


def test_state_timer_trace_hook() -> None:
    """A timer reports changes only after ``start_trace``, keeps booking time the same way,
    and an untraced timer stays a plain :class:`StateTimer` (nothing added to its ``set``)."""
    seen: list[tuple[int, float]] = []
    timer = StateTimer(("busy", "starved"), 1, 0.0)
    timer.set(0, 1.0)
    assert type(timer) is StateTimer and timer.trace is None
    timer.start_trace(lambda state, now: seen.append((state, now)))
    timer.set(1, 3.0)
    timer.set(0, 4.5)
    assert seen == [(1, 3.0), (0, 4.5)]
    assert timer.totals(5.0) == [2.0 + 0.5, 1.0 + 1.5]
    timer.trace = None
    timer.set(1, 6.0)
    assert seen == [(1, 3.0), (0, 4.5)]
