"""Every shipped example scenario runs, with its own seed, to the checked-in KPIs.

The expected files in ``tests/data/examples/`` are written by
``python -m tests.regenerate_examples`` (run it when a change is meant to alter results, and
say so in the commit). Results are reproducible within a LineLab version; the tolerance only
absorbs floating-point differences between machines' math libraries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scenarios
from simulator.experiment import run_experiment
from simulator.output import result_to_json

DATA = Path(__file__).parent / "data" / "examples"

# TEMPORARY (branch engine-v2; the lead removes this before landing): the format-v2 examples
# are checked in before their expected KPI files, which are generated once the v2 engine on
# this branch is final (python -m tests.regenerate_examples).
PENDING_KPI_FILES = {
    "cnc_cell_operators": "format-v2 example: expected KPI file not generated yet",
    "cnc_cell_robot": "format-v2 example: expected KPI file not generated yet",
}


def test_every_example_has_a_kpi_file() -> None:
    have = sorted(p.stem for p in DATA.glob("*.json"))
    pending = [n for n in PENDING_KPI_FILES if n not in have]
    assert have == sorted(set(scenarios.list_examples()) - set(pending))


@pytest.mark.parametrize("name", scenarios.list_examples())
def test_example_matches_checked_in_kpis(name: str) -> None:
    if name in PENDING_KPI_FILES and not (DATA / f"{name}.json").exists():
        pytest.skip(PENDING_KPI_FILES[name])
    expected = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    result = result_to_json(run_experiment(scenarios.load(scenarios.example_path(name)), workers=2))
    for section in ("kpis", "stations"):
        assert _flatten(result[section]) == pytest.approx(
            _flatten(expected[section]), rel=1e-6, abs=1e-9
        )


def _flatten(tree: object, prefix: str = "") -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out.update(_flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = tree  # type: ignore[assignment]
    return out
