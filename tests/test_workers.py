"""Results depend only on scenario + seed, never on how many processes run the replications.

Also pins down how many processes ``linelab run`` starts: at most one per replication and one
per core, with a note on stderr when more workers than cores are asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.experiment import run_experiment, usable_workers
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


SMALL = """\
linelab: 1
name: Two-station cell
horizon: 1 h
replications: 3
seed: 7
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 5}
"""


@pytest.mark.parametrize(
    ("asked", "replications", "used", "note"),
    [
        ("32", "3", 2, "--workers 32 is more than the 2 cores of this machine; using 2"),
        ("32", "1", 1, "--workers 32 is more than the 2 cores of this machine; using 1"),
        ("3", "5", 2, "--workers 3 is more than the 2 cores of this machine; using 2"),
        ("2", "1", 1, None),  # capped at the replications, within the cores: no note
        ("2", "5", 2, None),
    ],
)
def test_cli_uses_at_most_one_worker_per_core_and_replication(
    tmp_path: Path, monkeypatch, capsys, asked: str, replications: str, used: int, note: str | None
) -> None:
    """The command starts min(--workers, replications, cores) processes and says so when
    more workers than cores were asked for (here the machine is made to have 2 cores)."""
    import simulator.experiment as experiment

    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    seen: list[int] = []
    real_run = experiment.run_experiment

    def recording_run(scenario, workers: int = 1, progress=None):
        seen.append(workers)
        return real_run(scenario, workers=1, progress=progress)

    monkeypatch.setattr(experiment, "default_workers", lambda: 2)
    monkeypatch.setattr(experiment, "run_experiment", recording_run)
    assert main(["run", str(path), "-j", asked, "-n", replications]) == 0
    assert seen == [used]
    err = capsys.readouterr().err
    if note is None:
        assert "note" not in err
    else:
        assert f"linelab: note: {note}" in err


def test_usable_workers_bounds(monkeypatch) -> None:
    import simulator.experiment as experiment

    monkeypatch.setattr(experiment, "default_workers", lambda: 4)
    assert [usable_workers(asked, 3) for asked in (1, 2, 3, 4, 32)] == [1, 2, 3, 3, 3]
    assert [usable_workers(asked, 100) for asked in (1, 4, 5, 4096)] == [1, 4, 4, 4]
