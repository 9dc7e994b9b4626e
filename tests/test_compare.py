"""Variants and ``linelab compare``: what a variant resolves to, the CLI around it, and that
variants run on common random numbers.

Pins down: the merge rules of scenarios/variants.py (merge by name, add, ``null`` removes,
lists and distributions replace, the raw data left untouched); ``run --variant`` and
``validate`` over every variant; the compare JSON/CSV shape with paired differences equal to
the replication-by-replication differences; and that pairing on common random numbers makes
the throughput difference's interval much narrower than the unpaired one on a shipped line.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

import scenarios
from scenarios.variants import resolve, variant_names
from scenarios.yamlsafe import read_yaml
from simulator.cli import main
from simulator.compare import run_comparison

CELL = """\
linelab: 2
name: cell
horizon: 8 h
seed: 3
replications: 4
resources:
  - {name: operators, kind: operator, count: 2}
stations:
  - name: cnc
    servers: 2
    process: {dist: normal, mean: 300 s, sd: 30 s}
    tending: {by: operators, time: {dist: exponential, mean: 40 s}}
    scrap: 0.01
  - {name: deburr, process: 120 s, operated_by: operators}
baseline: manual
variants:
  manual: {}
  robot:
    description: a robot tends the CNCs
    resources:
      robot: {kind: robot, count: 1}
      operators: {count: 1}
    stations:
      cnc: {tending: {by: robot, time: 25 s}, scrap: null, process: {dist: constant, value: 290 s}}
  two_cnc_lines:
    stations:
      deburr: null
      wash: {process: 60 s}
"""


def test_resolve_merges_by_name_and_leaves_the_raw_data_alone() -> None:
    doc = read_yaml(CELL, "cell.yaml")
    before = copy.deepcopy(doc.data)
    assert variant_names(doc.data) == ("manual", "robot", "two_cnc_lines")
    robot = resolve(doc, "robot")
    assert doc.data == before
    assert "variants" not in robot.data and "baseline" not in robot.data
    assert robot.data["resources"] == [
        {"name": "operators", "kind": "operator", "count": 1},
        {"name": "robot", "kind": "robot", "count": 1},
    ]
    cnc = robot.data["stations"][0]
    assert cnc["tending"] == {"by": "robot", "time": "25 s"}  # merged key by key
    assert "scrap" not in cnc  # null removes
    assert cnc["process"] == {"dist": "constant", "value": "290 s"}  # replaced whole, no sd
    # the merged value's position is where the variant wrote it (line 24)
    assert robot.positions[("stations", 0, "tending", "by")].line == 24
    assert robot.positions[("stations", 0, "servers")].line == 10  # the base's
    lines = resolve(doc, "two_cnc_lines").data["stations"]
    assert [s["name"] for s in lines] == ["cnc", "wash"]


def test_load_gives_each_variant(tmp_path: Path) -> None:
    path = tmp_path / "cell.yaml"
    path.write_text(CELL, encoding="utf-8")
    found = scenarios.load_variants(path)
    assert found.baseline == "manual" and list(found.scenarios) == [
        "manual", "robot", "two_cnc_lines"]
    assert found.descriptions == {"robot": "a robot tends the CNCs"}
    assert scenarios.load(path) == found.scenarios["manual"]
    robot = scenarios.load(path, variant="robot")
    assert robot.station("cnc").tending is not None
    assert robot.station("cnc").tending.by == "robot"
    assert robot.resource("operators").count == 1
    with pytest.raises(scenarios.ScenarioError, match="no variant 'nope'"):
        scenarios.load(path, variant="nope")


def test_cli_run_variant_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cell.yaml"
    path.write_text(CELL, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "variants: manual, robot, two_cnc_lines (baseline manual)" in capsys.readouterr().out
    assert main(["run", str(path), "--variant", "robt", "-q"]) == 2
    err = capsys.readouterr().err
    assert "no variant 'robt' (variants: manual, robot, two_cnc_lines)" in err
    out = tmp_path / "r.json"
    assert main(["run", str(path), "--variant", "robot", "-q", "-j", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["variant"] == "robot"
    assert data["config"]["resources"][1]["name"] == "robot"


def test_cli_compare_json_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cell.yaml"
    path.write_text(CELL, encoding="utf-8")
    out, table = tmp_path / "c.json", tmp_path / "c.csv"
    code = main(
        ["compare", str(path), "-j", "1", "-n", "3", "--json", str(out), "--csv", str(table)]
    )
    assert code == 0
    report = capsys.readouterr().out
    assert "robot − manual" in report and "common random numbers" in report
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"baseline", "variants", "differences", "economics"}
    assert data["baseline"] == "manual"
    assert list(data["variants"]) == ["manual", "robot", "two_cnc_lines"]
    assert set(data["differences"]) == {"robot", "two_cnc_lines"}
    for name in ("robot", "two_cnc_lines"):
        assert data["variants"][name]["variant"] == name
        assert data["variants"][name]["seed"] == 3
        for key, stat in data["differences"][name]["kpis"].items():
            mine = data["variants"][name]["kpis"][key]["values"]
            base = data["variants"]["manual"]["kpis"][key]["values"]
            expected = [
                None if a is None or b is None else a - b
                for a, b in zip(mine, base, strict=True)
            ]
            assert stat["values"] == pytest.approx(expected)
            assert len(stat["values"]) == 3
    rows = table.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("variant,kpi,mean,ci95_low,ci95_high,diff_mean")
    assert any(r.startswith("robot,throughput_per_hour,") for r in rows)


def test_compare_without_variants_runs_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(CELL.split("baseline:")[0], encoding="utf-8")
    out = tmp_path / "c.json"
    assert main(["compare", str(path), "-j", "1", "-n", "2", "--json", str(out)]) == 0
    assert "has no 'variants'" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["baseline"] == "baseline" and list(data["variants"]) == ["baseline"]
    assert data["differences"] == {}


def test_common_random_numbers_narrow_the_paired_interval() -> None:
    """On the shipped operator-tended CNC cell with a robot variant, the paired interval of
    the throughput difference is much narrower than the unpaired one (same run's values)."""
    text = scenarios.example_path("cnc_cell_operators").read_text(encoding="utf-8")
    text = text.replace("horizon: 14 d", "horizon: 6 d")
    text = text.replace("replications: 5", "replications: 8")
    assert "horizon: 6 d" in text and "replications: 8" in text
    text += """
variants:
  manual: {}
  robot:
    resources:
      robot: {kind: robot, count: 1}
    stations:
      cnc: {tending: {by: robot, time: {dist: triangular, low: 24 s, mode: 28 s, high: 36 s}}}
"""
    comparison = run_comparison(scenarios.loads_variants(text), workers=1)
    manual = comparison.results["manual"].kpis["throughput_per_hour"]
    robot = comparison.results["robot"].kpis["throughput_per_hour"]
    paired = comparison.differences["robot"]["throughput_per_hour"]
    assert manual.half_width is not None and robot.half_width is not None
    assert paired.half_width is not None and paired.mean is not None
    # unpaired: the half-width of the difference of two independent means, equal n and df
    unpaired = math.hypot(manual.half_width, robot.half_width)
    assert paired.half_width < 0.5 * unpaired
    assert manual.mean is not None and robot.mean is not None
    assert paired.mean == pytest.approx(robot.mean - manual.mean, rel=1e-12)
    assert paired.mean > 0  # the robot works through breaks and Sundays


def test_json_schema_accepts_variants_only_in_v2() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    data = yaml.safe_load(CELL)
    schema = scenarios.json_schema()
    jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "linelab": 1}, schema)


def test_problems_say_which_variant() -> None:
    base = CELL.split("baseline:")[0]
    with pytest.raises(scenarios.ScenarioError) as info:
        scenarios.loads(base + "variants:\n  only:\n    stations2: 1\n", "f.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.col, problem.path) == (17, 5, "variants.only.stations2")
    assert problem.message.startswith("in variant 'only': unknown key 'stations2'")
    with pytest.raises(scenarios.ScenarioError) as info:  # the base's own mistake: unlabelled
        scenarios.loads(base.replace("servers: 2", "servers: 0") + "variants: {a: {}, b: {}}\n")
    assert [p.message for p in info.value.problems] == ["must be >= 1, got 0"]


def test_compare_prints_the_investment_case(capsys: pytest.CaptureFixture[str]) -> None:
    """With ``economics`` in the file, the terminal report ends with the investment case of
    each automated variant against the baseline (the same figures as the JSON)."""
    from simulator.cli import main

    code = main(["compare", "phone_housing_cell", "-n", "2", "-j", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "investment case (CNY)" in out
    for label in ("net investment", "annual savings", "payback (years)", "NPV", "IRR"):
        assert label in out
