"""The HTML report of ``linelab run --report`` and ``linelab compare --report``.

One self-contained HTML file: inline CSS and inline SVG charts, no external URL, so it opens
offline and prints cleanly (``@media print`` in the template). The page is rendered from the
Jinja2 template ``simulator/templates/report.html.j2``; the charts are drawn with matplotlib's
object API (``matplotlib.figure.Figure`` and the SVG canvas, never ``pyplot``, so no GUI
backend is ever chosen). Both libraries are imported only when a report is asked for.

Contents: the KPI table (mean ± 95 % CI per variant and the paired difference against the
baseline), the state breakdown of every station (stacked bars, one per variant), throughput
and WIP over time of replication 0 of each variant (re-run through
:class:`~simulator.session.RunSession` in chunks), the cumulative cash flow with the payback
point (when the scenario has ``economics``), the bottleneck ranking, and every assumption.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from simulator import __version__
from simulator.compare import _LABELS, Comparison, _signed, economics_section
from simulator.output import _pm
from simulator.palette import VARIANT_COLORS, ordered_states, state_color
from simulator.session import RunSession
from simulator.stats import Stat

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from simulator.experiment import ExperimentResult
    from simulator.model import Snapshot

__all__ = [
    "comparison_report",
    "cumulative_cash_flow",
    "payback_crossing",
    "replay_snapshots",
    "result_report",
    "snapshot_series",
]

TIME_POINTS = 120
"""Chunks of simulated time in which replication 0 is re-run for the time-series charts."""
RATE_WINDOW = 5
"""Chunks over which the throughput curve counts departures (a trailing moving window)."""

def result_report(result: ExperimentResult, scenario_file: str | None = None) -> str:
    """The report of one run (a single variant): the same page without differences."""
    comparison = Comparison(
        baseline=result.variant,
        results={result.variant: result},
        differences={},
        has_variants=False,
    )
    return comparison_report(comparison, scenario_file, single_run=True)


def comparison_report(
    comparison: Comparison, scenario_file: str | None = None, *, single_run: bool = False
) -> str:
    """The HTML text of the report of ``comparison`` (deterministic for scenario + seed)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("simulator", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    base = comparison.results[comparison.baseline]
    names = list(comparison.results)
    others = [v for v in names if v != comparison.baseline]
    economics = economics_section(comparison) if not single_run else {}
    context: dict[str, Any] = {
        "title": base.scenario.name,
        "single_run": single_run,
        "baseline": comparison.baseline,
        "names": names,
        "others": others,
        "descriptions": comparison.descriptions,
        "kpi_rows": _kpi_rows(comparison, names, others),
        "station_charts": [
            (station, _svg(_state_chart(comparison, station)))
            for station in base.stations
        ],
        "time_chart": _svg(_time_chart(comparison)),
        "economics": _economics_rows(economics, others),
        "cash_chart": _svg(_cash_chart(economics, others)) if economics else None,
        "sensitivity": _sensitivity_rows(economics, others),
        "bottleneck": _bottleneck_rows(comparison, names),
        "assumptions": _assumptions(comparison, scenario_file),
        "version": __version__,
        "time_points": TIME_POINTS,
        "rate_window": RATE_WINDOW,
    }
    return template.render(**context)


def _kpi_rows(comparison: Comparison, names: list[str], others: list[str]) -> list[list[str]]:
    keys: list[str] = []
    for result in comparison.results.values():
        keys += [k for k in result.kpis if k not in keys]
    rows = []
    for key in keys:
        row = [_LABELS.get(key, key)]
        for v in names:
            stat = comparison.results[v].kpis.get(key)
            row.append("—" if stat is None else _pm(stat))
        for v in others:
            diff = comparison.differences[v].get(key)
            row.append("—" if diff is None else _signed(diff))
        rows.append(row)
    return rows


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96, layout="constrained")
    return fig


def _svg(fig: Figure | None) -> str | None:
    """The figure as an inline ``<svg>`` element: no XML prolog, DOCTYPE, metadata or
    namespace URLs (an HTML5 page needs none), fixed ids so the report is reproducible."""
    if fig is None:
        return None
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "linelab", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = text.replace("xlink:href=", "href=")
    return text


def _state_chart(comparison: Comparison, station: str) -> Figure | None:
    """Stacked horizontal bars: the share of time in each state, one bar per variant, in
    the app's colours and stacking order (:mod:`simulator.palette`)."""
    names = [v for v in comparison.results if station in comparison.results[v].stations]
    if not names:
        return None
    states = ordered_states(
        s for v in names for s in comparison.results[v].stations[station].states
    )
    fig = _figure(7.5, 0.55 * len(names) + 1.0)
    ax = fig.add_subplot()
    left = [0.0] * len(names)
    for state in states:
        shares = []
        for v in names:
            stat = comparison.results[v].stations[station].states.get(state)
            shares.append(0.0 if stat is None or stat.mean is None else 100.0 * stat.mean)
        colour = state_color(state)
        ax.barh(names, shares, left=left, color=colour, label=state, height=0.6)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of time (%)")
    ax.invert_yaxis()
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    return fig


def replay_snapshots(result: ExperimentResult, points: int = TIME_POINTS) -> list[Snapshot]:
    """Replication 0 of ``result`` re-run in ``points`` chunks of simulated time: the line's
    state at time 0 and at the end of every chunk (warm-up included)."""
    session = RunSession(result.scenario, 0, result.seed)
    step = session.end / points
    history = [session.snapshot()]
    while not session.finished:
        snap = session.advance(min(step, session.end - session.now))
        if snap.time_s <= history[-1].time_s:
            break
        history.append(snap)
    return history


def snapshot_series(
    snapshots: Sequence[Snapshot], window: int = RATE_WINDOW
) -> tuple[list[float], list[float], list[float]]:
    """Time (h), throughput over the last ``window`` snapshots (parts/h, warm-up included)
    and WIP (parts) at every snapshot after the first, from snapshots in time order."""
    hours: list[float] = []
    rate: list[float] = []
    wip: list[float] = []
    if not snapshots:
        return hours, rate, wip
    # Cumulative departures over the whole run: the snapshot's count restarts at 0 when the
    # warm-up ends, which would otherwise show as a drop to zero throughput there.
    cumulative = [0]
    for i in range(1, len(snapshots)):
        snap, before = snapshots[i], snapshots[i - 1]
        gained = snap.departed - before.departed
        if snap.departed < before.departed:  # the count restarted when the warm-up ended
            gained = snap.departed
        cumulative.append(cumulative[-1] + gained)
        back = max(0, i - window)
        span = snap.time_s - snapshots[back].time_s
        hours.append(snap.time_s / 3600.0)
        rate.append((cumulative[-1] - cumulative[back]) * 3600.0 / span if span > 0 else 0.0)
        wip.append(float(snap.wip))
    return hours, rate, wip


def _time_series(result: ExperimentResult) -> tuple[list[float], list[float], list[float]]:
    """Replication 0 of ``result`` re-run in chunks: time (h), throughput over the last
    :data:`RATE_WINDOW` chunks (parts/h, warm-up included) and WIP at the end of each chunk
    (parts)."""
    return snapshot_series(replay_snapshots(result))


def _time_chart(comparison: Comparison) -> Figure:
    fig = _figure(7.5, 4.6)
    top, bottom = fig.subplots(2, 1, sharex=True)
    warmup_h = 0.0
    for i, (name, result) in enumerate(comparison.results.items()):
        hours, rate, wip = _time_series(result)
        colour = VARIANT_COLORS[i % len(VARIANT_COLORS)]
        top.plot(hours, rate, color=colour, label=name, linewidth=1.2)
        bottom.plot(hours, wip, color=colour, label=name, linewidth=1.2)
        warmup_h = result.scenario.warmup / 3600.0
    for ax in (top, bottom):
        if warmup_h > 0:
            ax.axvspan(0, warmup_h, color="#eeeeee", zorder=0)
        ax.grid(True, color="#dddddd", linewidth=0.5)
    top.set_ylabel("throughput (parts/h)")
    bottom.set_ylabel("WIP (parts)")
    bottom.set_xlabel("simulated time (h), warm-up shaded")
    top.legend(frameon=False, fontsize=8)
    return fig


def _cash_chart(economics: dict[str, Any], others: list[str]) -> Figure | None:
    """Cumulative mean cash flow against the baseline per year, with the payback point."""
    series = [(v, economics[v].get("cash_flows")) for v in others if v in economics]
    series = [(v, flows) for v, flows in series if flows]
    if not series:
        return None
    fig = _figure(7.5, 3.4)
    ax = fig.add_subplot()
    for i, (name, flows) in enumerate(series):
        colour = VARIANT_COLORS[(others.index(name) + 1) % len(VARIANT_COLORS)]
        cumulative = cumulative_cash_flow(flows)
        years = list(range(len(cumulative)))
        ax.plot(years, cumulative, marker="o", color=colour, label=name)
        point = payback_crossing(cumulative)
        if point is not None:
            ax.plot([point], [0.0], marker="D", color="black", markersize=7, zorder=5)
            ax.annotate(
                f"cash payback {point:.2f} years",
                (point, 0.0),
                xytext=(8, 12 + 14 * i),
                textcoords="offset points",
                fontsize=9,
            )
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("year")
    ax.set_ylabel(f"cumulative cash flow ({economics[series[0][0]].get('currency', '')})")
    ax.grid(True, color="#dddddd", linewidth=0.5)
    ax.legend(frameon=False, fontsize=8)
    return fig


def cumulative_cash_flow(flows: Sequence[float]) -> list[float]:
    """Running sum of yearly cash flows (year 0 first), in currency units."""
    out: list[float] = []
    total = 0.0
    for flow in flows:
        total += flow
        out.append(total)
    return out


def payback_crossing(cumulative: Sequence[float]) -> float | None:
    """First time (years, linear within a year) the cumulative cash flow reaches zero."""
    for t in range(1, len(cumulative)):
        a, b = cumulative[t - 1], cumulative[t]
        if a < 0 <= b:
            return (t - 1) + (-a) / (b - a)
    return None


def _money(value: object) -> str:
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _stat_text(entry: object, money: bool = True, *, percent: bool = False) -> str:
    """``mean [low, high]`` of a JSON stat: money rounded to whole units, shares in %."""
    if not isinstance(entry, dict) or entry.get("mean") is None:
        return "—"

    def fmt(value: float) -> str:
        if percent:
            return f"{100 * value:.1f} %"
        return _money(value) if money else f"{value:.3g}"

    text = fmt(float(entry["mean"]))
    ci = entry.get("ci95")
    if ci:
        text += f" [{fmt(ci[0])}, {fmt(ci[1])}]"
    return text


_ECON_KEYS = [
    ("headcount", "headcount (people)", False),
    ("investment", "investment", True),
    ("labour_cost", "labour cost / year", True),
    ("energy_cost", "energy cost / year", True),
    ("maintenance_cost", "maintenance / year", True),
    ("operating_cost", "operating cost / year", True),
    ("unit_cost", "unit cost", False),
    ("output_per_operator_hour", "output per operator-hour", False),
    ("net_investment", "net investment", True),
    ("annual_savings", "annual savings", True),
    ("payback_years", "payback (years)", False),
    ("cash_payback_years", "cash payback (years)", False),
    ("npv", "NPV", True),
    ("irr", "IRR (per year)", False),
]


def _economics_rows(economics: dict[str, Any], others: list[str]) -> list[list[str]]:
    if not economics:
        return []
    names = list(economics)
    rows = [["", *names]]
    for key, label, money in _ECON_KEYS:
        row = [label]
        for v in names:
            row.append(_stat_text(economics[v].get(key), money, percent=key == "irr"))
        rows.append(row)
    return rows


def _sensitivity_rows(economics: dict[str, Any], others: list[str]) -> list[dict[str, Any]]:
    """Per automated variant, the investment case with one input changed at a time (the
    rows of :func:`simulator.economics.sensitivity`, at the mean KPIs)."""
    out = []
    for v in others:
        rows = (economics.get(v) or {}).get("sensitivity") or []
        table = []
        for r in rows:
            change = r["change"]
            label = "as assumed" if r["parameter"] == "base" else (
                f"{r['parameter'].replace('_', ' ')} {change:+.0%}"
                if r["parameter"] != "wage_growth"
                else f"wage growth {change * 100:+.0f} points"
            )
            table.append(
                [
                    label,
                    _money(r["net_investment"]),
                    _money(r["annual_savings"]),
                    "—" if r["payback_years"] is None else f"{r['payback_years']:.2f}",
                    _money(r["npv"]),
                    "—" if r["irr"] is None else f"{r['irr'] * 100:.1f} %",
                ]
            )
        if table:
            out.append({"variant": v, "rows": table})
    return out


def _bottleneck_rows(comparison: Comparison, names: list[str]) -> list[dict[str, Any]]:
    out = []
    for v in names:
        summary = comparison.results[v].bottleneck
        if summary is None:
            continue
        ranks = []
        for station in summary.ranking:
            sole = summary.sole.get(station)
            shifting = summary.shifting.get(station)
            ranks.append(
                (station, _share(sole), _share(shifting))
            )
        out.append({"variant": v, "ranking": ranks})
    return out


def _share(stat: Stat | None) -> str:
    if stat is None or stat.mean is None:
        return "—"
    return f"{100 * stat.mean:.1f} %"


def _assumptions(comparison: Comparison, scenario_file: str | None) -> dict[str, Any]:
    base = comparison.results[comparison.baseline]
    sc = base.scenario
    general = [
        ("scenario", sc.name),
        ("scenario file", scenario_file or "—"),
        ("baseline variant", comparison.baseline),
        ("master seed", str(base.seed)),
        ("replications per variant", str(len(base.replications))),
        ("measured time per replication", f"{sc.horizon / 3600:g} h"),
        ("warm-up", f"{sc.warmup / 3600:g} h"),
        ("engine", base.method),
        ("LineLab version", base.version),
    ]
    economics = getattr(sc, "economics", None)
    econ_rows = (
        [(k, _plain(v)) for k, v in economics.model_dump(exclude_none=True).items()]
        if economics is not None
        else []
    )
    variants = []
    for name, result in comparison.results.items():
        scenario = result.scenario
        stations = [
            (s.name, _plain(s.model_dump(exclude_none=True, exclude={"name"})))
            for s in scenario.stations
        ]
        resources = [
            (r.name, _plain(r.model_dump(exclude_none=True, exclude={"name"})))
            for r in getattr(scenario, "resources", None) or []
        ]
        variants.append({"name": name, "stations": stations, "resources": resources})
    return {"general": general, "economics": econ_rows, "variants": variants}


def _plain(value: object) -> str:
    """A dumped model value as short text: ``{a: 1, b: {c: 2}}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
