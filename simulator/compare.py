"""Compare the variants of one scenario file on common random numbers.

Every variant runs with the same master seed and the same number of replications, so
replication ``i`` of each variant draws from the same random streams (streams are keyed by
element names, which variants share). The difference of a KPI against the baseline is then
paired replication by replication: ``d_i = variant_i − baseline_i``, summarised as a
:class:`~simulator.stats.Stat` (mean and Student-t 95 % CI of the ``d_i``). Positive
correlation between the paired runs makes this interval much narrower than the interval of
the difference of two independent means.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scenarios import Scenario
from scenarios.variants import VariantSet
from simulator.bottleneck import DEFAULT_TRACE_LIMIT, bottleneck_moved
from simulator.experiment import ExperimentResult, run_experiment
from simulator.output import _columns, _pm, result_to_json
from simulator.stats import Stat, summarise
from simulator.textwidth import printable

__all__ = [
    "Comparison",
    "comparison_table",
    "comparison_to_csv",
    "comparison_to_json",
    "paired_difference",
    "run_comparison",
]


@dataclass(frozen=True)
class Comparison:
    """Every variant's results and each KPI's paired difference against the baseline."""

    baseline: str
    results: dict[str, ExperimentResult]
    """Per variant, in file order (the baseline included)."""
    differences: dict[str, dict[str, Stat]]
    """Per non-baseline variant: KPI → paired difference (variant − baseline)."""
    has_variants: bool = True
    """False for a file without ``variants``: its line ran alone, as the baseline."""
    descriptions: dict[str, str] = field(default_factory=dict)


def paired_difference(variant: Stat, baseline: Stat) -> Stat:
    """``variant − baseline`` replication by replication (undefined where either is)."""
    values = [
        None if v is None or b is None else v - b
        for v, b in zip(variant.values, baseline.values, strict=True)
    ]
    return summarise(values)


def run_comparison(
    found: VariantSet,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    run: Callable[[Scenario, int, int, int], ExperimentResult] | None = None,
) -> Comparison:
    """Run every variant of ``found`` on the same seed and replications.

    ``replications`` and ``seed`` default to the baseline's (variants cannot change them).
    ``run(scenario, replications, seed, workers)`` defaults to :func:`run_experiment` with
    the bounded state trace of the bottleneck analysis (:mod:`simulator.bottleneck`).
    """
    base = found.scenarios[found.baseline]
    n = base.replications if replications is None else replications
    master = base.seed if seed is None else seed

    def default_run(sc: Scenario, reps: int, s: int, k: int) -> ExperimentResult:
        return run_experiment(
            sc, replications=reps, seed=s, workers=k, trace_limit=DEFAULT_TRACE_LIMIT
        )

    runner = run or default_run
    results: dict[str, ExperimentResult] = {}
    for name, scenario in found.scenarios.items():
        result = runner(scenario, n, master, workers)
        results[name] = dataclasses.replace(
            result, variant=name if found.has_variants else result.variant
        )
    baseline_result = results[found.baseline]
    differences = {
        name: {
            key: paired_difference(stat, baseline_result.kpis[key])
            for key, stat in result.kpis.items()
            if key in baseline_result.kpis
        }
        for name, result in results.items()
        if name != found.baseline
    }
    return Comparison(
        found.baseline, results, differences, found.has_variants, dict(found.descriptions)
    )


def economics_section(comparison: Comparison) -> dict[str, Any]:
    """The ``economics`` object of the compare JSON.

    Hook: when the baseline scenario has ``economics`` and :mod:`simulator.economics`
    defines ``compare_economics(economics, baseline_result, results_by_variant)`` (returning
    JSON-ready data per variant), its result is used; otherwise ``{}``.
    """
    baseline = comparison.results[comparison.baseline]
    economics = getattr(baseline.scenario, "economics", None)
    if economics is None:
        return {}
    try:
        module = importlib.import_module("simulator.economics")
    except ImportError:
        return {}
    compute = getattr(module, "compare_economics", None)
    if compute is None:
        return {}
    return dict(compute(economics, baseline, comparison.results))


def comparison_to_json(
    comparison: Comparison, scenario_file: str | None = None
) -> dict[str, object]:
    """``{"baseline", "variants": {V: run JSON}, "differences": {V: {"kpis": {K: stat}}},
    "economics"}`` (strict JSON: undefined values are null)."""
    return {
        "baseline": comparison.baseline,
        "variants": {
            name: result_to_json(result, scenario_file)
            for name, result in comparison.results.items()
        },
        "differences": {
            name: {
                "kpis": {key: stat.to_json() for key, stat in kpis.items()},
                **_moved_json(comparison, name),
            }
            for name, kpis in comparison.differences.items()
        },
        "economics": economics_section(comparison),
    }


def _moved_json(comparison: Comparison, name: str) -> dict[str, object]:
    """``{"bottleneck": {"from", "to", "moved", "text"}}`` when both runs were traced."""
    base = comparison.results[comparison.baseline].bottleneck
    mine = comparison.results[name].bottleneck
    if base is None or mine is None:
        return {}
    return {
        "bottleneck": {
            "from": base.ranking[0],
            "to": mine.ranking[0],
            "moved": base.ranking[0] != mine.ranking[0],
            "text": bottleneck_moved(base, mine),
        }
    }


def comparison_to_csv(comparison: Comparison) -> str:
    """One row per variant and KPI: the KPI's mean and CI, and the paired difference against
    the baseline with its CI (empty for the baseline itself)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["variant", "kpi", "mean", "ci95_low", "ci95_high",
         "diff_mean", "diff_ci95_low", "diff_ci95_high"]
    )
    for name, result in comparison.results.items():
        for key, stat in result.kpis.items():
            diff = comparison.differences.get(name, {}).get(key)
            writer.writerow(
                [name, key, *_cells(stat), *(_cells(diff) if diff is not None else ("", "", ""))]
            )
    return out.getvalue()


def _cells(stat: Stat) -> list[str]:
    low, high = stat.ci95 if stat.ci95 is not None else (None, None)
    return ["" if v is None else repr(float(v)) for v in (stat.mean, low, high)]


_LABELS = {
    "throughput_per_hour": "throughput (parts/h)",
    "cycle_time_s": "cycle time (s)",
    "wip": "WIP (parts)",
    "scrap_per_hour": "scrap (parts/h)",
    "energy_kwh_per_part": "energy (kWh/part)",
}


def comparison_table(comparison: Comparison) -> str:
    """Each KPI per variant (mean ± 95 % CI half-width), then each variant's paired
    difference against the baseline (mean ± half-width)."""
    base = comparison.results[comparison.baseline]
    n = len(base.replications)
    lines = [
        f"{printable(base.scenario.name)} — {len(comparison.results)} variant"
        f"{'s' if len(comparison.results) != 1 else ''}, {n} replication"
        f"{'s' if n != 1 else ''} each on common random numbers, seed {base.seed}",
    ]
    if not comparison.has_variants:
        lines.append(
            "(the file has no 'variants': the line as written runs alone, as the baseline)"
        )
    lines.append("")
    names = list(comparison.results)
    others = [v for v in names if v != comparison.baseline]
    header = ["KPI"]
    header += [printable(v) + (" (baseline)" if v == comparison.baseline else "") for v in names]
    header += [f"{printable(v)} − {printable(comparison.baseline)}" for v in others]
    rows = [header]
    keys: list[str] = []
    for result in comparison.results.values():
        keys += [k for k in result.kpis if k not in keys]
    for key in keys:
        row = [_LABELS.get(key, printable(key))]
        for v in names:
            stat = comparison.results[v].kpis.get(key)
            row.append("—" if stat is None else _pm(stat))
        for v in others:
            diff = comparison.differences[v].get(key)
            row.append("—" if diff is None else _signed(diff))
        rows.append(row)
    lines += _columns(rows, "<" + ">" * (len(header) - 1), (22,))
    for v in names:
        if v in comparison.descriptions:
            lines.append(f"{printable(v)}: {printable(comparison.descriptions[v])}")
    if others:
        lines.append("")
        lines.append(
            "differences are paired replication by replication (variant − baseline), "
            "mean ± 95% CI"
        )
    lines += _investment_lines(comparison, others)
    base_bn = base.bottleneck
    if base_bn is not None:
        lines.append("")
        lines.append(
            f"bottleneck (active-period method): {printable(comparison.baseline)}: "
            f"{printable(base_bn.ranking[0])}"
        )
        for v in others:
            mine = comparison.results[v].bottleneck
            if mine is not None:
                lines.append(
                    f"  {printable(v)}: the bottleneck {printable(bottleneck_moved(base_bn, mine))}"
                )
    return "\n".join(lines)


_INVESTMENT = (
    ("headcount", "headcount (people)"),
    ("net_investment", "net investment"),
    ("annual_savings", "annual savings"),
    ("payback_years", "payback (years)"),
    ("npv", "NPV"),
    ("irr", "IRR (per year)"),
)


def _investment_lines(comparison: Comparison, others: list[str]) -> list[str]:
    """The investment case per automated variant against the baseline (mean and 95 %
    interval over paired replications), when the scenario has ``economics``."""
    economics = economics_section(comparison) if others else {}
    if not economics:
        return []
    names = list(economics)
    currency = getattr(comparison.results[comparison.baseline].scenario.economics,
                       "currency", "")
    rows = [[f"investment case ({printable(currency)})", *(printable(v) for v in names)]]
    for key, label in _INVESTMENT:
        row = [label]
        for v in names:
            entry = economics[v].get(key)
            row.append(_economic_text(entry, percent=key == "irr"))
        rows.append(row)
    return ["", *_columns(rows, "<" + ">" * len(names), (22,))]


def _economic_text(entry: object, *, percent: bool) -> str:
    """``mean [low, high]`` of a JSON stat, or of a plain number; ``—`` when undefined."""
    if isinstance(entry, dict):
        mean, ci = entry.get("mean"), entry.get("ci95")
    else:
        mean, ci = entry, None
    if not isinstance(mean, int | float) or not math.isfinite(mean):
        return "—"

    def fmt(x: float) -> str:
        if percent:
            return f"{x * 100:.1f} %"
        if x == round(x):
            return f"{x:,.0f}"
        return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"

    text = fmt(mean)
    if isinstance(ci, list | tuple) and len(ci) == 2 and all(
        isinstance(c, int | float) for c in ci
    ):
        text += f" [{fmt(ci[0])}, {fmt(ci[1])}]"
    return text


def _signed(stat: Stat) -> str:
    text = _pm(stat)
    return text if text.startswith(("-", "—")) else "+" + text
