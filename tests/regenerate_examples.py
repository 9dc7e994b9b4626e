"""Rewrite ``tests/data/examples/*.json`` from the shipped examples (see test_examples.py).

``python -m tests.regenerate_examples`` rewrites every example's file;
``python -m tests.regenerate_examples NAME ...`` only the named ones (e.g. a new example's),
so that the other files stay as they are. For an example with variants (a line family) the
file also keeps, under ``compare``, every variant's KPIs and the economics figures of
``linelab compare``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import scenarios
from simulator.compare import comparison_to_json, run_comparison
from simulator.experiment import default_workers, run_experiment
from simulator.output import result_to_json, write_json

DATA = Path(__file__).parent / "data" / "examples"

KEPT_KEYS = ("scenario", "seed", "replications")
"""Keys kept to say what the file was made from (not compared)."""

COMPARED_SECTIONS = ("kpis", "stations", "products", "resources", "warnings")
"""Result sections kept and compared by test_examples.py. ``products`` and ``resources`` exist
only in a format-2 line's result and are kept only when present."""


def expected_kpis(data: dict[str, object]) -> dict[str, object]:
    """The part of a JSON result (``result_to_json``) that an expected KPI file keeps."""
    keep = KEPT_KEYS + COMPARED_SECTIONS
    return {k: data[k] for k in keep if k in data}


ECONOMICS_FIGURES = (
    "headcount",
    "investment",
    "operating_cost",
    "unit_cost",
    "output_per_operator_hour",
    "net_investment",
    "annual_savings",
    "payback_years",
    "npv",
    "irr",
)
"""Economics figures (their per-replication values) kept for a file with variants."""


def expected_comparison(data: dict[str, Any]) -> dict[str, object]:
    """What an expected file keeps of ``linelab compare`` (``comparison_to_json``) for an
    example with variants: every variant's KPIs and the economics figures of
    :data:`ECONOMICS_FIGURES` (``None`` for the baseline's figures against itself)."""
    variants = data["variants"]
    economics = data.get("economics") or {}
    return {
        "baseline": data["baseline"],
        "kpis": {name: run["kpis"] for name, run in variants.items()},
        "economics": {
            name: {key: entry.get(key) for key in ECONOMICS_FIGURES}
            for name, entry in economics.items()
        },
    }


def comparison_json(name: str, workers: int) -> dict[str, Any] | None:
    """The compare JSON of the shipped example ``name``; ``None`` without variants."""
    found = scenarios.load_variants(scenarios.example_path(name))
    if not found.has_variants:
        return None
    return comparison_to_json(run_comparison(found, workers=workers))


def main(argv: list[str] | None = None) -> int:
    """Rewrite the expected KPI files of the named examples (all without names)."""
    names = list(sys.argv[1:] if argv is None else argv) or scenarios.list_examples()
    unknown = [n for n in names if n not in scenarios.list_examples()]
    if unknown:
        print(f"not a shipped example: {', '.join(unknown)}", file=sys.stderr)
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    for name in names:
        result = run_experiment(
            scenarios.load(scenarios.example_path(name)), workers=default_workers()
        )
        expected = expected_kpis(result_to_json(result))
        compared = comparison_json(name, default_workers())
        if compared is not None:
            expected["compare"] = expected_comparison(compared)
        write_json(DATA / f"{name}.json", expected)
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
