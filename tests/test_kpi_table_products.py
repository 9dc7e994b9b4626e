"""The KPI table lists products only when a line has two or more.

A line's single product (a v2 line without ``products`` has one called ``part``) would repeat
the line's throughput and cycle time in a table of its own; with two or more products the
table shows one row per product, with that product's throughput and cycle time.
"""

from __future__ import annotations

import pytest

from simulator.experiment import run_experiment
from simulator.output import kpi_table
from tests.helpers import scenario

LINE = """
linelab: 2
name: Table check
horizon: 2 h
warmup: 10 min
replications: 2
seed: 3
{products}
stations:
  - name: cnc
    process: {{dist: exponential, mean: 60 s}}
    scrap: 0.05
  - name: pack
    process: 20 s
"""

TWO_PRODUCTS = """
products:
  - {name: small, share: 0.5, process: {cnc: 50 s}}
  - {name: large, share: 0.5, process: {cnc: 70 s}}
"""


def _product_lines(table: str) -> list[str]:
    lines = table.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("product ")]
    if not starts:
        return []
    section = lines[starts[0] :]
    return section[: section.index("")] if "" in section else section


def test_one_product_gets_no_product_table() -> None:
    result = run_experiment(scenario(LINE.format(products="")), workers=1)
    assert set(result.products) == {"part"}
    assert _product_lines(kpi_table(result)) == []


def test_two_products_get_one_row_each() -> None:
    result = run_experiment(scenario(LINE.format(products=TWO_PRODUCTS)), workers=1)
    rows = _product_lines(kpi_table(result))
    assert rows[0].split()[:2] == ["product", "throughput"]
    assert [row.split()[0] for row in rows[1:]] == ["small", "large"]
    for row in rows[1:]:
        name, shown = row.split()[0], float(row.split()[1].replace(",", ""))
        assert shown == pytest.approx(result.products[name].throughput_per_hour.mean, rel=1e-3)
