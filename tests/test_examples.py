"""Every shipped example scenario runs, with its own seed, to the checked-in KPIs.

The expected files in ``tests/data/examples/`` are written by
``python -m tests.regenerate_examples [NAME ...]`` (run it when a change is meant to alter
results, and say so in the commit). They keep every result section a run reports: the KPIs
(with ``scrap_per_hour`` and ``energy_kwh_per_part`` for a format-2 line), every station's
state shares (the format-2 states too), queue, OEE and per-unit states, the products and
resources of a format-2 line, and the warnings. A format-1 example's result must have no
format-2 section. An example with variants (a line family) also runs ``linelab compare``:
every variant's KPIs and the investment case (headcount, investment, savings, payback, NPV,
IRR, per replication) must match the file's ``compare`` section. Results are reproducible
within a LineLab version; the tolerance only absorbs floating-point differences between
machines' math libraries (relative 1e-6: a change in the engine moves these means and
per-replication values by far more).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scenarios
from simulator.experiment import run_experiment
from simulator.output import result_to_json
from tests.regenerate_examples import COMPARED_SECTIONS, comparison_json, expected_comparison

DATA = Path(__file__).parent / "data" / "examples"

FORMAT_2_SECTIONS = ("products", "resources")


def test_every_example_has_a_kpi_file() -> None:
    assert sorted(p.stem for p in DATA.glob("*.json")) == sorted(scenarios.list_examples())


@pytest.mark.parametrize("name", scenarios.list_examples())
def test_example_matches_checked_in_kpis(name: str) -> None:
    expected = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    scenario = scenarios.load(scenarios.example_path(name))
    result = result_to_json(run_experiment(scenario, workers=2))
    for section in COMPARED_SECTIONS:
        assert (section in result) == (section in expected), section
        if section not in result:
            continue
        assert _flatten(result[section], section) == pytest.approx(
            _flatten(expected[section], section), rel=1e-6, abs=1e-9
        )
    if scenario.linelab == 1:
        assert not any(s in result for s in FORMAT_2_SECTIONS)
        kpis = result["kpis"]
        assert isinstance(kpis, dict)
        assert not any(k in kpis for k in ("scrap_per_hour", "energy_kwh_per_part"))


def _with_variants() -> list[str]:
    """Shipped examples with ``variants`` (the line families)."""
    return [
        name
        for name in scenarios.list_examples()
        if scenarios.load_variants(scenarios.example_path(name)).has_variants
    ]


@pytest.mark.parametrize("name", _with_variants())
def test_example_variants_and_economics_match_checked_in_values(name: str) -> None:
    """A line family: every variant's KPIs and the investment case (per replication) of
    ``linelab compare`` match the checked-in values, with the same tolerance."""
    expected = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    assert "compare" in expected, "regenerate: python -m tests.regenerate_examples " + name
    data = comparison_json(name, workers=2)
    assert data is not None
    result = expected_comparison(data)
    assert result["baseline"] == expected["compare"]["baseline"]
    assert _flatten(result) == pytest.approx(
        _flatten(expected["compare"]), rel=1e-6, abs=1e-9
    )
    # Every automated variant of a shipped family pays back (the point of the example).
    economics = data["economics"]
    assert set(economics) == set(data["variants"])
    for variant, figures in economics.items():
        if variant != data["baseline"]:
            assert figures["payback_years"]["mean"] > 0


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
