"""Rewrite ``tests/data/examples/*.json`` from the shipped examples (see test_examples.py).

``python -m tests.regenerate_examples`` rewrites every example's file;
``python -m tests.regenerate_examples NAME ...`` only the named ones (e.g. a new example's),
so that the other files stay as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

import scenarios
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
        write_json(DATA / f"{name}.json", expected_kpis(result_to_json(result)))
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
