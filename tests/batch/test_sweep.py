"""Sweeps (simulator/sweep.py): which points a design gives, what runs, and what a resume adds.

Pins down: a grid is the cartesian product in ``--set`` order (first path slowest), values
read equal count once; a Latin hypercube uses each path's strata once (every value ``samples/k``
times, ± 1) and depends only on the seed; every (variant, point) uses replications 0 … n−1 of
the master seed (common random numbers: a key that cannot change the line gives bit-identical
values at every point); a stored value is exactly the engine's replication of the scenario at
that point; ``run_sweep`` runs only what the store lacks (a stop after k replications keeps
those k, and the resumed study equals an uninterrupted one); a replication that raises is
stored with its error and the others still run.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import simulator.backends as backends
from simulator.backends import Backend, SerialBackend, Task, replication_kpis
from simulator.overrides import parse_file
from simulator.session import run_replication
from simulator.store import ResultStore, RunRecord, read_records
from simulator.sweep import (
    SetSpec,
    grid_points,
    lhs_points,
    parse_sets,
    plan_study,
    run_sweep,
)

# The press is the first station and parts wait without limit in front of the line, so the
# size of the press's buffer cannot change when any part moves (only where a part waits):
# with common random numbers every point must give the very same KPIs.
LINE = """\
linelab: 1
name: press and pack
horizon: 3 h
warmup: 10 min
replications: 3
seed: 5
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 3}
  - {name: pack, process: {dist: uniform, low: 30 s, high: 70 s}, buffer: 2}
"""


@pytest.fixture
def line(tmp_path: Path) -> Path:
    path = tmp_path / "line.yaml"
    path.write_text(LINE, encoding="utf-8")
    return path


def _spec(path: str, values: Iterable[object]) -> SetSpec:
    values = tuple(values)
    return SetSpec(path, tuple(str(v) for v in values), values)


def test_grid_is_the_cartesian_product_first_path_slowest() -> None:
    a, b = _spec("a", [1, 2, 3]), _spec("b", ["x", "y"])
    points = grid_points([a, b])
    assert [tuple(p.params.values()) for p in points] == list(
        itertools.product([1, 2, 3], ["x", "y"])
    )
    assert [p.params for p in grid_points([])] == [{}]  # no --set: the file as written


def test_values_read_equal_make_one_point() -> None:
    (spec,) = parse_sets(["stations.press.buffer=5,05,5.0,6"])
    assert spec.values == (5, 5, 5.0, 6)
    assert [p.params for p in grid_points([spec])] == [
        {"stations.press.buffer": 5},
        {"stations.press.buffer": 5.0},  # 5.0 is a float in YAML: kept apart
        {"stations.press.buffer": 6},
    ]


@pytest.mark.parametrize("samples", [7, 12, 40])
def test_lhs_uses_every_stratum_once(samples: int) -> None:
    sets = [_spec("a", range(4)), _spec("b", range(samples)), _spec("c", range(3))]
    points = lhs_points(sets, samples, seed=3)
    assert len(points) == samples  # b takes a new value in every point: none repeat
    assert sorted(p.params["b"] for p in points) == list(range(samples))
    for name, k in (("a", 4), ("c", 3)):
        counts = Counter(p.params[name] for p in points)
        low, high = samples // k, -(-samples // k)
        assert all(low <= counts[v] <= high for v in range(k)), counts
    assert [p.params for p in lhs_points(sets, samples, seed=3)] == [p.params for p in points]
    assert [p.params for p in lhs_points(sets, samples, seed=4)] != [p.params for p in points]


def test_lhs_follows_the_documented_recipe() -> None:
    """docs/batch.md: one permutation per path, in ``--set`` order, from PCG64 seeded with
    ``SeedSequence(seed, spawn_key=(0x4C4853,))``; stratum midpoint u picks value floor(u·k).
    Anyone can redraw a study's points from its seed (and a change of recipe shows here)."""
    import numpy as np

    sets = [_spec("a", range(3)), _spec("b", "wxyz")]
    samples, seed = 6, 2026
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(0x4C4853,)))
    )
    columns = [[int((x + 0.5) / samples * len(s.values)) for x in rng.permutation(samples)]
               for s in sets]
    expected = []
    for row in range(samples):
        point = {s.path: s.values[col[row]] for s, col in zip(sets, columns, strict=True)}
        if point not in expected:
            expected.append(point)
    assert [p.params for p in lhs_points(sets, samples, seed)] == expected


def test_lhs_keeps_repeated_points_once() -> None:
    points = lhs_points([_spec("a", [1, 2])], 10, seed=1)
    assert sorted(p.params["a"] for p in points) == [1, 2]


def _store_values(path: Path) -> dict[tuple[str, int, int], object]:
    _meta, _points, records = read_records(str(path))
    return {r.key: (r.kpis, r.detail, r.error) for r in records}


def _run(line: Path, store: Path, flags: list[str], backend: Backend | None = None, **kw):
    plan = plan_study(parse_file(line, str(line)), parse_sets(flags), **kw)
    if store.exists():
        opened = ResultStore.open(str(store))
    else:
        opened = ResultStore.create(str(store), plan.meta, [p.params for p in plan.points])
    with opened:
        return plan, run_sweep(plan, opened, backend or SerialBackend())


def test_common_random_numbers_across_points(line: Path, tmp_path: Path) -> None:
    plan, outcome = _run(line, tmp_path / "s.sqlite", ["stations.press.buffer=0,3,20"])
    assert outcome.ran == 9 and outcome.already == 0
    values = _store_values(tmp_path / "s.sqlite")
    for rep in range(3):
        kpis = [values[("base", point, rep)][0] for point in range(3)]
        assert kpis[0] == kpis[1] == kpis[2]
        # only where the parts wait differs: in the press's buffer or in front of the line
        queues = [values[("base", point, rep)][1]["stations"]["press"]["queue"]
                  for point in range(3)]
        assert queues[0] == 0.0 < queues[1]
    assert values[("base", 0, 0)] != values[("base", 0, 1)]  # replications do differ
    # ... and each is the engine's own replication of the scenario at that point.
    sc = plan.scenarios[("base", 2)]
    assert sc.stations[0].buffer == 20
    assert values[("base", 2, 1)][0] == replication_kpis(run_replication(sc, 1, 5))


def test_seed_and_replications_from_the_command_line(line: Path, tmp_path: Path) -> None:
    plan, outcome = _run(line, tmp_path / "s.sqlite", [], replications=2, seed=99)
    assert outcome.ran == 2 and plan.meta.seed == 99
    values = _store_values(tmp_path / "s.sqlite")
    sc = plan.scenarios[("base", 0)]
    assert values[("base", 0, 1)][0] == replication_kpis(run_replication(sc, 1, 99))


class _StopAfter(Backend):
    """Serial, but Ctrl-C arrives after ``n`` replications have been handed back."""

    def __init__(self, n: int) -> None:
        self.n = n

    def imap(self, tasks: Iterable[Task]) -> Iterator[RunRecord]:
        for done, task in enumerate(tasks):
            if done == self.n:
                raise KeyboardInterrupt
            yield backends.run_task(task)


def test_a_stopped_sweep_keeps_what_finished_and_resumes_to_the_same_values(
    line: Path, tmp_path: Path
) -> None:
    flags = ["stations.pack.buffer=0,2", "source.interarrival.mean=50 s,70 s"]
    _run(line, tmp_path / "whole.sqlite", flags)
    with pytest.raises(KeyboardInterrupt):
        _run(line, tmp_path / "cut.sqlite", flags, _StopAfter(5))
    assert len(_store_values(tmp_path / "cut.sqlite")) == 5
    _plan, outcome = _run(line, tmp_path / "cut.sqlite", flags)
    assert (outcome.ran, outcome.already) == (12 - 5, 5)
    assert _store_values(tmp_path / "cut.sqlite") == _store_values(tmp_path / "whole.sqlite")
    _plan, again = _run(line, tmp_path / "cut.sqlite", flags)
    assert (again.ran, again.already) == (0, 12)  # nothing left to run


def test_resume_adds_points_and_replications_only(line: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    _run(line, store, ["stations.pack.buffer=0,2"], replications=2)
    _plan, outcome = _run(line, store, ["stations.pack.buffer=2,4"], replications=3)
    # buffer 2 is point 1 already (2 of its 3 replications); buffer 4 is a new point 2.
    assert outcome.point_ids == [1, 2]
    assert (outcome.ran, outcome.already) == (1 + 3, 2)
    keys = set(_store_values(store))
    assert keys == {("base", 0, r) for r in range(2)} | {
        ("base", p, r) for p in (1, 2) for r in range(3)
    }


def test_every_variant_at_every_point(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(
        LINE.replace("linelab: 1", "linelab: 2")
        + "variants:\n  one: {}\n  two:\n    stations: {pack: {servers: 2}}\n",
        encoding="utf-8",
    )
    plan, outcome = _run(path, tmp_path / "s.sqlite", ["stations.pack.buffer=0,2"],
                         all_variants=True, replications=2)
    assert plan.variants == ["one", "two"] and outcome.ran == 8
    assert plan.scenarios[("two", 1)].stations[1].servers == 2
    assert plan.scenarios[("two", 1)].stations[1].buffer == 2
    only, _ = _run(path, tmp_path / "t.sqlite", [], variant="two", replications=1)
    assert only.variants == ["two"]
    with pytest.raises(ValueError, match="no such variant"):
        plan_study(parse_file(path, str(path)), [], variant="three")


def test_a_crashing_replication_is_stored_and_the_study_goes_on(
    line: Path, tmp_path: Path, monkeypatch
) -> None:
    real = backends.run_replication

    def flaky(scenario, replication, seed):
        if scenario.stations[1].buffer == 0 and replication == 1:
            raise RuntimeError("the robot fell over")
        return real(scenario, replication, seed)

    monkeypatch.setattr(backends, "run_replication", flaky)
    _plan, outcome = _run(line, tmp_path / "s.sqlite", ["stations.pack.buffer=0,2"])
    assert (outcome.ran, outcome.crashed) == (6, 1)
    values = _store_values(tmp_path / "s.sqlite")
    assert values[("base", 0, 1)] == (None, None, "RuntimeError: the robot fell over")
    assert all(v[2] is None for k, v in values.items() if k != ("base", 0, 1))


def _relative_half_width(values: list[float]) -> float:
    """t(0.975, n−1)·s/(√n·|mean|), derived here with SciPy's t quantile."""
    import math
    import statistics

    from scipy import stats as scipy_stats

    n = len(values)
    mean = statistics.fmean(values)
    return scipy_stats.t.ppf(0.975, n - 1) * statistics.stdev(values) / math.sqrt(n) / abs(mean)


def test_target_ci_adds_replications_until_met_or_the_maximum(
    line: Path, tmp_path: Path
) -> None:
    from simulator.sweep import Autopilot

    flags = ["stations.pack.buffer=0,4"]
    target = 0.03
    plan = plan_study(parse_file(line, str(line)), parse_sets(flags), replications=3)
    store = tmp_path / "s.sqlite"
    with ResultStore.create(str(store), plan.meta, [p.params for p in plan.points]) as opened:
        outcome = run_sweep(plan, opened, SerialBackend(),
                            autopilot=Autopilot(target, "throughput_per_hour", 40))
    _meta, _points, records = read_records(str(store))
    per_point: dict[int, list[float]] = {}
    for r in records:
        assert r.kpis is not None
        per_point.setdefault(r.point, []).append(r.kpis["throughput_per_hour"])
    assert outcome.ran == len(records) > 2 * 3  # the autopilot did add replications
    for point, values in per_point.items():
        reps = sorted(r.replication for r in records if r.point == point)
        assert reps == list(range(len(values)))  # contiguous: 0 … n−1
        if len(values) > 3:  # it only added where 3 were not enough
            assert _relative_half_width(values[:3]) > target
        assert len(values) == 40 or _relative_half_width(values) <= target

    # Stopped part-way, then resumed: the same replications with the same values.
    cut = tmp_path / "cut.sqlite"
    points = [p.params for p in plan.points]
    with ResultStore.create(str(cut), plan.meta, points) as opened, pytest.raises(
        KeyboardInterrupt
    ):
        run_sweep(plan, opened, _StopAfter(8),
                  autopilot=Autopilot(target, "throughput_per_hour", 40))
    with ResultStore.open(str(cut)) as opened:
        run_sweep(plan, opened, SerialBackend(),
                  autopilot=Autopilot(target, "throughput_per_hour", 40))
    assert _store_values(cut) == _store_values(store)


def test_warmup_auto_runs_each_point_with_its_detected_warmup(
    line: Path, tmp_path: Path, capsys
) -> None:
    from simulator.cli import main
    from simulator.warmup import detect_warmup

    store = tmp_path / "s.sqlite"
    code = main(["sweep", str(line), "--set", "stations.pack.buffer=0,4", "-n", "2", "-j", "1",
                 "-q", "--warmup", "auto", "--store", str(store)])
    assert code == 0
    err = capsys.readouterr().err
    plan = plan_study(parse_file(line, str(line)), parse_sets(["stations.pack.buffer=0,4"]))
    _meta, _points, records = read_records(str(store))
    assert _meta.warmup == "auto"
    for index in range(2):
        sc = plan.scenarios[("base", index)]
        seconds = detect_warmup(sc, 5).seconds
        assert f"warm-up (MSER-5) of base at stations.pack.buffer={(0, 4)[index]}: " \
               f"{seconds:,.0f} s" in err
        warmed = type(sc).model_validate({**sc.model_dump(), "warmup": seconds})
        for r in (r for r in records if r.point == index):
            assert r.warmup_s == seconds
            assert r.kpis == replication_kpis(run_replication(warmed, r.replication, 5))
