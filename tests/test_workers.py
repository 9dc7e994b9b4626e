"""Results depend only on scenario + seed, never on how many processes run the replications."""

from __future__ import annotations

from simulator.experiment import run_experiment
from simulator.output import result_to_json


def test_one_and_two_workers_identical(two_station) -> None:
    one = run_experiment(two_station, replications=4, workers=1)
    two = run_experiment(two_station, replications=4, workers=2)
    assert one.replications == two.replications
    j1, j2 = result_to_json(one), result_to_json(two)
    assert j1["kpis"] == j2["kpis"]
    assert j1["stations"] == j2["stations"]


def test_progress_reports_every_replication(two_station) -> None:
    seen: list[tuple[int, int]] = []
    run_experiment(
        two_station, replications=3, workers=1, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
