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


def test_every_example_has_a_kpi_file() -> None:
    assert sorted(p.stem for p in DATA.glob("*.json")) == sorted(scenarios.list_examples())


@pytest.mark.parametrize("name", scenarios.list_examples())
def test_example_matches_checked_in_kpis(name: str) -> None:
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
