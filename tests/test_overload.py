"""Overloaded lines: warned about before the run, stopped before memory runs out.

Pins down the static check (:func:`simulator.capacity.overload_warnings`: which station is
named, with which arrival and capacity rates, worked out by hand from the mean times below),
that the warnings reach the JSON (always a ``warnings`` list) and the KPI table, and the runtime
guard: a run whose line holds more parts than the limit stops with
:class:`~simulator.capacity.LineOverloaded` near the time the mean rates predict, in worker
processes too, and ``linelab run`` turns that into exit 2 and no result file. An underloaded
line gets no warning, and the guard never changes a result.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import scenarios
from simulator.capacity import (
    MAX_PARTS_ENV,
    MAX_PARTS_IN_LINE,
    LineOverloaded,
    guard_rate_per_s,
    overload_warnings,
    parts_limit,
)
from simulator.cli import main
from simulator.experiment import run_experiment
from simulator.fastpath import run_fast
from simulator.model import LineModel
from simulator.output import kpi_table, result_to_json
from simulator.session import run_replication
from tests.helpers import scenario

# Parts arrive every 50 s on average (72/h); 'press' takes 60 s (60/h): it cannot keep up.
# 'pack' (30 s, 120/h) could; the queue grows in press's unlimited buffer.
OVERLOADED = """
    linelab: 1
    name: Overloaded press
    horizon: 8 h
    replications: 2
    seed: 3
    source: {interarrival: {dist: exponential, mean: 50 s}}
    stations:
      - {name: press, process: {dist: exponential, mean: 60 s}}
      - {name: pack, process: 30 s, buffer: 3}
"""

# The same line with arrivals every 60 s (60/h) against press at 48 s (75/h): rho = 0.8.
UNDERLOADED = """
    linelab: 1
    name: Underloaded press
    horizon: 200 h
    replications: 2
    seed: 3
    source: {interarrival: {dist: exponential, mean: 60 s}}
    stations:
      - {name: press, process: {dist: exponential, mean: 48 s}}
      - {name: pack, process: 30 s, buffer: 3}
"""


def rates(sc: scenarios.Scenario) -> list[tuple[str, float, float]]:
    return [(w.station, w.arrival_per_hour, w.capacity_per_hour) for w in overload_warnings(sc)]


# -- the static check ----------------------------------------------------------------------------
def test_source_faster_than_a_station_names_it_with_both_rates() -> None:
    (warning,) = overload_warnings(scenario(OVERLOADED))
    assert warning.kind == "overload"
    assert (warning.station, warning.arrival_per_hour, warning.capacity_per_hour) == (
        "press",
        pytest.approx(3600 / 50),
        pytest.approx(3600 / 60),
    )
    assert "'press'" in warning.message and "72.0/h" in warning.message
    assert "60.0/h" in warning.message


def test_underloaded_line_and_shipped_examples_get_no_warning() -> None:
    assert overload_warnings(scenario(UNDERLOADED)) == ()
    for name in scenarios.list_examples():
        assert overload_warnings(scenarios.load(scenarios.example_path(name))) == (), name


def test_capacity_counts_servers() -> None:
    # 3 servers of 90 s: 3 × 40/h = 120/h. Arrivals every 30 s (120/h) load it exactly, and
    # exponential arrivals make that queue null-recurrent: warned. Every 31 s: 116.1/h, fine.
    text = """
        linelab: 1
        name: Three servers
        horizon: 1 h
        source: {{interarrival: {{dist: exponential, mean: {gap} s}}}}
        stations:
          - {{name: cnc, servers: 3, process: 90 s}}
    """
    assert rates(scenario(text.format(gap=30))) == [("cnc", 120.0, 120.0)]
    assert rates(scenario(text.format(gap=31))) == []


def test_exactly_loaded_constant_line_keeps_a_bounded_queue() -> None:
    # Constant arrivals every 60 s into 2 servers of exactly 120 s: rho = 1 but no randomness,
    # so the queue never grows (D/D/2); with exponential service it would (rho = 1, random).
    text = """
        linelab: 1
        name: Exactly loaded
        horizon: 1 h
        source: {{interarrival: 60 s}}
        stations:
          - {{name: cell, servers: 2, process: {process}}}
    """
    assert rates(scenario(text.format(process="120 s"))) == []
    assert rates(scenario(text.format(process="{dist: exponential, mean: 120 s}"))) == [
        ("cell", 60.0, 60.0)
    ]


def test_without_source_only_an_unlimited_buffer_downstream_grows() -> None:
    # Fed on demand: a (36 s) works at 100/h. b (45 s, 80/h) cannot keep up with a, but its
    # buffer of 2 blocks a, so nothing grows there. c (60 s, 60/h) has an unlimited buffer and
    # b can send it 80/h: c's queue grows. The first station never grows (fed on demand).
    sc = scenario(
        """
        linelab: 1
        name: No source
        horizon: 1 h
        stations:
          - {name: a, process: {dist: exponential, mean: 36 s}}
          - {name: b, process: {dist: exponential, mean: 45 s}, buffer: 2}
          - {name: c, process: {dist: exponential, mean: 60 s}}
        """
    )
    assert rates(sc) == [("c", 80.0, 60.0)]
    assert "station 'b' upstream can send 80.0/h" in overload_warnings(sc)[0].message
    finite = sc.model_copy(
        update={"stations": (*sc.stations[:2], sc.stations[2].model_copy(update={"buffer": 4}))}
    )
    assert rates(finite) == []  # finite buffers throttle a instead
    assert guard_rate_per_s(finite) is None  # and nothing can grow, so no runtime guard


def test_every_station_that_cannot_keep_up_is_named() -> None:
    # Arrivals 100/h (36 s); a: 72 s → 50/h; b: 90 s → 40/h, fed at most 50/h by a. Both
    # queues grow (a's at 50/h, b's at 10/h). A finite buffer before b changes nothing: the
    # queue before the line (a source never stops) still grows.
    text = """
        linelab: 1
        name: Two bottlenecks
        horizon: 1 h
        source: {{interarrival: {{dist: exponential, mean: 36 s}}}}
        stations:
          - {{name: a, process: {{dist: exponential, mean: 72 s}}}}
          - {{name: b, process: {{dist: exponential, mean: 90 s}}, buffer: {buffer}}}
    """
    expected = [("a", 100.0, 50.0), ("b", 50.0, 40.0)]
    assert rates(scenario(text.format(buffer="null"))) == expected
    assert rates(scenario(text.format(buffer=2))) == expected


def test_wip_cap_with_source_warns_about_the_slowest_station_only() -> None:
    # CONWIP keeps the line itself bounded; the queue before it grows when arrivals (72/h)
    # reach the slowest station's capacity (b: 60/h). Without a source the line is closed.
    text = """
        linelab: 1
        name: CONWIP
        horizon: 1 h
        wip_cap: 5
        {source}
        stations:
          - {{name: a, process: {{dist: exponential, mean: 40 s}}}}
          - {{name: b, process: {{dist: exponential, mean: 60 s}}}}
    """
    source = "source: {{interarrival: {{dist: exponential, mean: {gap} s}}}}"
    assert rates(scenario(text.format(source=source.format(gap=50)))) == [("b", 72.0, 60.0)]
    assert rates(scenario(text.format(source=source.format(gap=61)))) == []
    closed = scenario(text.format(source=""))
    assert rates(closed) == [] and guard_rate_per_s(closed) is None


# -- warnings in the results ---------------------------------------------------------------------
def test_json_always_has_a_warnings_list_and_the_table_a_warning_line() -> None:
    over = run_experiment(scenario(OVERLOADED))
    data = result_to_json(over)
    assert data["warnings"] == [
        {
            "kind": "overload",
            "station": "press",
            "arrival_per_hour": 72.0,
            "capacity_per_hour": 60.0,
            "message": over.warnings[0].message,
        }
    ]
    assert kpi_table(over).splitlines()[-1] == f"warning: {over.warnings[0].message}"
    under = run_experiment(scenario(UNDERLOADED).model_copy(update={"horizon": 3600.0}))
    assert result_to_json(under)["warnings"] == []
    assert "warning" not in kpi_table(under)


def test_fast_path_carries_the_same_warnings() -> None:
    sc = scenario(OVERLOADED)
    assert run_fast(sc).warnings == run_experiment(sc).warnings == overload_warnings(sc)


# -- the runtime guard ---------------------------------------------------------------------------
def test_guard_stops_an_overloaded_run_when_the_queue_passes_the_limit() -> None:
    # Net growth 72 - 60 = 12 parts/h, so 2,000 parts pile up after about 2,000 / 12 = 167 h;
    # the random walk's spread over that time is ~150 parts, well inside ±20 %.
    sc = scenario(OVERLOADED).model_copy(update={"horizon": 1e7})
    with pytest.raises(LineOverloaded) as caught:
        run_replication(sc, max_parts=2_000)
    err = caught.value
    assert (err.station, err.arrival_per_hour, err.capacity_per_hour) == ("press", 72.0, 60.0)
    assert 2_000 < err.parts <= 2_000 * 1.05  # checked every ~20 parts' worth of arrivals
    assert 0.8 * 2_000 / 12 * 3600 < err.time_s < 1.25 * 2_000 / 12 * 3600
    text = str(err)
    assert text.startswith("the line cannot keep up: parts arrive at 72.0/h, station 'press'")
    assert "shorten the horizon, add capacity or slow the arrivals" in text


def test_guard_catches_overload_that_only_blocking_explains() -> None:
    # Two exponential stations of 60/h with no buffer between them: blocking cuts the pair's
    # capacity to 2/3 × 60 = 40/h (Markov chain: busy/idle, busy/busy, blocked/busy each 1/3;
    # output 60/h in two of them). Arrivals at 50/h are below 60/h, so the static check stays
    # silent, but the queue grows at ~10/h; the guard names 'a' at its measured ~40/h.
    sc = scenario(
        """
        linelab: 1
        name: Blocking
        horizon: 1e7
        seed: 5
        source: {interarrival: {dist: exponential, mean: 72 s}}
        stations:
          - {name: a, process: {dist: exponential, mean: 60 s}}
          - {name: b, process: {dist: exponential, mean: 60 s}, buffer: 0}
        """
    )
    assert overload_warnings(sc) == ()
    with pytest.raises(LineOverloaded) as caught:
        run_replication(sc, max_parts=1_000)
    assert caught.value.station == "a" and caught.value.arrival_per_hour == 50.0
    assert caught.value.capacity_per_hour == pytest.approx(40.0, rel=0.05)


def test_guard_under_conwip_names_the_slowest_station_of_the_whole_line() -> None:
    # wip_cap 3 keeps the line itself small; the queue in front grows at 72 - 60 = 12/h at
    # most (blocking by the cap only lowers the output), so 300 parts wait within ~25 h.
    sc = scenario(
        """
        linelab: 1
        name: CONWIP overloaded
        horizon: 1e7
        wip_cap: 3
        source: {interarrival: {dist: exponential, mean: 50 s}}
        stations:
          - {name: a, process: {dist: exponential, mean: 30 s}}
          - {name: b, process: {dist: exponential, mean: 60 s}}
        """
    )
    with pytest.raises(LineOverloaded) as caught:
        run_replication(sc, max_parts=300)
    err = caught.value
    assert (err.station, err.arrival_per_hour, err.capacity_per_hour) == ("b", 72.0, 60.0)
    assert err.time_s < 300 / 12 * 3600 * 1.25


def test_guard_never_changes_results() -> None:
    # Checks every ~10 parts' worth of arrivals vs. the default spacing: same results.
    sc = scenario(UNDERLOADED)
    assert run_replication(sc, 1, max_parts=1_000) == run_replication(sc, 1)


def test_no_guard_event_where_nothing_can_grow() -> None:
    closed = scenario(
        """
        linelab: 1
        name: Finite line
        horizon: 1 h
        stations:
          - {name: a, process: 10 s}
          - {name: b, process: 20 s, buffer: 3}
        """
    )
    model = LineModel(closed, max_parts=1)  # a limit of 1 would trip at once if checked
    model.run_until(model.end)
    # b (20 s) paces the line: its first part leaves at 10 + 20 = 30 s, then one every 20 s.
    assert model.collect().departed == (3600 - 30) // 20 + 1


def test_overloaded_error_pickles_for_worker_processes() -> None:
    err = LineOverloaded("press", 72.0, 60.0, 5_000_001, 277_000.0, "")
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, LineOverloaded) and str(back) == str(err)
    assert "5,000,001 parts were in the line after 3.2 d simulated" in str(err)


def test_limit_comes_from_the_environment_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_PARTS_ENV, raising=False)
    assert parts_limit() == MAX_PARTS_IN_LINE == 5_000_000
    monkeypatch.setenv(MAX_PARTS_ENV, "123")
    assert parts_limit() == 123


def test_guard_reaches_the_parent_from_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_PARTS_ENV, "500")  # spawned workers inherit the environment
    sc = scenario(OVERLOADED).model_copy(update={"horizon": 1e7})
    with pytest.raises(LineOverloaded, match=r"station 'press' can do 60\.0/h"):
        run_experiment(sc, workers=2)


def test_command_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "over.yaml"
    path.write_text(OVERLOADED.replace("horizon: 8 h", "horizon: 1000 d"), encoding="utf-8")
    out = tmp_path / "r.json"
    monkeypatch.setenv(MAX_PARTS_ENV, "1000")
    code = main(["run", str(path), "-j", "1", "--json", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"{path}: the line cannot keep up: parts arrive at 72.0/h")
    assert "Traceback" not in err and "please report" not in err
    assert not out.exists()
    monkeypatch.delenv(MAX_PARTS_ENV)
    path.write_text(OVERLOADED, encoding="utf-8")
    assert main(["run", str(path), "-j", "1", "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["warnings"][0]["station"] == "press"


# -- format-v2 lines -----------------------------------------------------------------------------
# press: the robot loads it for 20 s, then it works 40 s alone: 60 s a part (60/h). Arrivals
# every 50 s (72/h) overload it; every 120 s (30/h) load it to rho = 0.5.
TENDED = """
    linelab: 2
    name: Tended press
    horizon: 8 h
    replications: 2
    seed: 11
    source: {interarrival: {dist: exponential, mean: MEAN}}
    resources:
      - {name: robot, kind: robot, count: 1}
    stations:
      - {name: press, process: 40 s, tending: {by: robot, time: 20 s}}
      - {name: pack, process: 30 s, buffer: 3}
"""


def test_v2_line_with_tending_gets_no_static_warning_and_same_results_under_the_guard() -> None:
    # servers / process time (90/h for press) is not its capacity once tending adds 20 s, so
    # the static check stays silent for such a line (docs in simulator.capacity); the guard is
    # installed (a source) and only reads the state.
    sc = scenario(TENDED.replace("MEAN", "120 s"))
    assert overload_warnings(sc) == ()
    assert guard_rate_per_s(sc) == pytest.approx(1 / 120)
    guarded = run_replication(sc, 1, max_parts=1_000)
    assert guarded == run_replication(sc, 1)
    assert guarded.stations["press"].states["tending"] == pytest.approx(
        guarded.throughput_per_hour * 20 / 3600, rel=0.02
    )  # tending time share = parts/h × 20 s
    result = run_experiment(sc, workers=1)
    assert result.warnings == () and result_to_json(result)["warnings"] == []
    assert "robot" in result_to_json(result)["resources"]
    assert "warning" not in kpi_table(result)


def test_guard_stops_an_overloaded_tended_line_and_names_the_station() -> None:
    # Net growth 72 - 60 = 12 parts/h: 2,000 parts pile up in press's buffer after about
    # 2,000 / 12 h (the arrivals' spread over that time is ~110 parts, well inside ±20 %).
    sc = scenario(TENDED.replace("MEAN", "50 s")).model_copy(update={"horizon": 1e7})
    assert overload_warnings(sc) == ()  # the static check cannot judge tending: the guard must
    with pytest.raises(LineOverloaded) as caught:
        run_replication(sc, max_parts=2_000)
    err = caught.value
    assert err.station == "press" and err.arrival_per_hour == 72.0
    assert err.capacity_per_hour == pytest.approx(60.0, rel=0.01)  # measured: 60 s a part
    assert 2_000 < err.parts <= 2_000 * 1.05
    assert 0.8 * 2_000 / 12 * 3600 < err.time_s < 1.25 * 2_000 / 12 * 3600


def test_v2_product_mix_capacity_is_the_mix_mean() -> None:
    # press does a in 40 s and b in 80 s, half each: 60 s a part on average, 60/h, against 72/h
    # arriving. With b at 50 s the mean is 45 s (80/h): no warning, although the station's
    # own 60 s process time (which no product uses) would have said 60/h.
    mix = """
        linelab: 2
        name: Mix
        horizon: 8 h
        source: {interarrival: {dist: exponential, mean: 50 s}}
        products:
          - {name: a, share: 0.5, process: {press: 40 s}}
          - {name: b, share: 0.5, process: {press: B}}
        stations:
          - {name: press, process: 60 s}
    """
    assert rates(scenario(mix.replace("B", "80 s"))) == [("press", 72.0, 60.0)]
    assert rates(scenario(mix.replace("B", "50 s"))) == []


def test_shipped_v2_example_runs_without_warning_or_guard() -> None:
    # cnc_cell_robot is fed on demand with a finite buffer after cnc: nothing can grow.
    sc = scenarios.load(scenarios.example_path("cnc_cell_robot"))
    assert overload_warnings(sc) == () and guard_rate_per_s(sc) is None
    model = LineModel(sc.model_copy(update={"horizon": 86_400.0}), max_parts=1)
    model.run_until(model.end)  # a limit of 1 would trip at once if checked
    rep = model.collect()
    assert rep.departed > 0 and set(rep.products) == {"housing_61", "housing_67"}
