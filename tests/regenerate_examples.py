"""Rewrite ``tests/data/examples/*.json`` from the shipped examples (see test_examples.py)."""

from __future__ import annotations

from pathlib import Path

import scenarios
from simulator.experiment import default_workers, run_experiment
from simulator.output import result_to_json, write_json

DATA = Path(__file__).parent / "data" / "examples"


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for name in scenarios.list_examples():
        result = run_experiment(
            scenarios.load(scenarios.example_path(name)), workers=default_workers()
        )
        data = result_to_json(result)
        write_json(
            DATA / f"{name}.json",
            {k: data[k] for k in ("scenario", "seed", "replications", "kpis", "stations")},
        )
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
