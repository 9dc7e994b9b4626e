"""The Compare tab: the variants of a scenario file side by side, as ``linelab compare`` and
its HTML report show them.

- the KPI table: each variant's mean ± 95 % CI half-width, and each variant's paired
  difference against the baseline (replication by replication on common random numbers,
  :func:`simulator.compare.paired_difference`), bold where its interval excludes 0;
- the investment case per variant (when the scenario has ``economics``), from
  :func:`simulator.compare.economics_section`;
- where the bottleneck is in the baseline and where it moved in each variant;
- bar charts of the key KPIs with the 95 % CI as error bars;
- the cumulative mean cash flow of each automated variant against the baseline, with the
  payback point marked where it crosses zero (:func:`simulator.report.payback_crossing`, the
  report's own computation);
- "Export report…" writes :func:`simulator.report.comparison_report` (HTML, atomically) and
  "Export charts…" writes the charts as PNG images. The report re-runs replication 0 of every
  variant for its time series (about a second per variant), so the button renders it in the
  main window's engine process (:meth:`gui.worker.RunController.write_report`: in a thread
  of the GUI's process the GIL stalled the window 81-257 ms) — or, for the view on its own
  (no controller), in a background thread (:class:`gui.background.BackgroundJob`); the
  button is disabled meanwhile and a failure is shown as a message.
  :meth:`CompareView.export_report` is the blocking form (tests, scripts).

Chart items are pooled: a new comparison reuses them and only changes their data.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt, QThread, pyqtSignal
from PyQt6.QtGui import QFont, QGuiApplication
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import i18n
from gui.background import BackgroundJob
from gui.charts_view import ChartPanel, fixed_label, series_color
from gui.i18n import tr
from gui.worker import RunController, write_report
from simulator.compare import economics_section
from simulator.output import _pm
from simulator.report import cumulative_cash_flow, payback_crossing
from simulator.stats import Stat

if TYPE_CHECKING:
    from simulator.bottleneck import BottleneckSummary
    from simulator.compare import Comparison

__all__ = ["KEY_KPIS", "CompareView", "format_stat", "kpi_label", "write_report"]

KEY_KPIS: tuple[str, ...] = (
    "throughput_per_hour",
    "cycle_time_s",
    "wip",
    "energy_kwh_per_part",
)
"""The KPIs drawn as bar charts (those a variant has)."""


def kpi_label(key: str) -> str:
    """The translated name of a KPI with its unit."""
    labels = {
        "throughput_per_hour": tr("throughput (parts/h)"),
        "cycle_time_s": tr("cycle time (s)"),
        "wip": tr("WIP (parts)"),
        "scrap_per_hour": tr("scrap (parts/h)"),
        "energy_kwh_per_part": tr("energy (kWh/part)"),
    }
    return labels.get(key, key)


def format_stat(stat: Stat | None, *, signed: bool = False) -> str:
    """``mean ± half-width`` as the command line prints it (``—`` when undefined); with
    ``signed`` a ``+`` before a positive difference."""
    if stat is None:
        return "—"
    text = _pm(stat)
    if signed and not text.startswith(("-", "—")):
        text = "+" + text
    return text


_INVESTMENT: tuple[tuple[str, str], ...] = (
    ("headcount", "headcount (people)"),
    ("investment", "investment"),
    ("operating_cost", "operating cost / year"),
    ("net_investment", "net investment"),
    ("annual_savings", "annual savings"),
    ("payback_years", "payback (years)"),
    ("cash_payback_years", "cash payback (years)"),
    ("npv", "NPV"),
    ("irr", "IRR (per year)"),
)


def _investment_label(key: str) -> str:
    labels = {
        "headcount": tr("headcount (people)"),
        "investment": tr("investment"),
        "operating_cost": tr("operating cost / year"),
        "net_investment": tr("net investment"),
        "annual_savings": tr("annual savings"),
        "payback_years": tr("payback (years)"),
        "cash_payback_years": tr("cash payback (years)"),
        "npv": tr("NPV"),
        "irr": tr("IRR (per year)"),
    }
    return labels[key]


def _economic_value(entry: object) -> tuple[float | None, tuple[float, float] | None]:
    """Mean and 95 % interval of an economics entry (a JSON stat or a plain number)."""
    if isinstance(entry, dict):
        mean, ci = entry.get("mean"), entry.get("ci95")
    else:
        mean, ci = entry, None
    if not isinstance(mean, int | float) or not math.isfinite(mean):
        return None, None
    interval = None
    if isinstance(ci, list | tuple) and len(ci) == 2 and all(
        isinstance(c, int | float) for c in ci
    ):
        interval = (float(ci[0]), float(ci[1]))
    return float(mean), interval


def _economic_text(value: float | None, key: str) -> str:
    if value is None:
        return "—"
    if key == "irr":
        return f"{value * 100:.1f} %"
    if key in ("payback_years", "cash_payback_years"):
        return f"{value:.2f}"
    if key == "headcount":
        return f"{value:g}"
    return f"{value:,.0f}"


def _share(stat: Stat | None) -> float:
    return 0.0 if stat is None or stat.mean is None else float(stat.mean)


def _bottleneck_share(summary: BottleneckSummary, station: str) -> str:
    """Share of the time ``station`` is the (sole or shifting) bottleneck, as ``64 %``."""
    total = _share(summary.sole.get(station)) + _share(summary.shifting.get(station))
    return f"{total * 100:.0f} %"


class CompareView(QWidget):
    """Variants side by side: KPI table, investment case, bottleneck, charts, exports.

    Signals ``report_written(path)`` and ``report_failed(message)`` end an export started
    with :meth:`start_export_report` (the button)."""

    report_written = pyqtSignal(str)
    report_failed = pyqtSignal(str)

    def __init__(
        self, parent: QWidget | None = None, controller: RunController | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        """With a controller the report is written in its engine process (the report's
        replications would hold this process's GIL and stall the window); without one
        (the view on its own) in a :class:`~gui.background.BackgroundJob` thread."""
        self._comparison: Comparison | None = None
        self._report_thread: QThread | None = None
        self._scenario_file: str | None = None
        self._economics: dict[str, Any] = {}

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.export_report_button = QPushButton()
        self.export_report_button.clicked.connect(self._ask_export_report)
        self.export_charts_button = QPushButton()
        self.export_charts_button.clicked.connect(self._ask_export_charts)
        self.export_status = QLabel()
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.summary)
        titles.addWidget(self.export_status)
        header.addLayout(titles, 1)
        header.addWidget(self.export_report_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.export_charts_button, 0, Qt.AlignmentFlag.AlignTop)

        self.kpi_table = _table()
        self.kpi_note = QLabel()
        self.kpi_note.setWordWrap(True)
        self.investment_caption = QLabel()
        self.investment_table = _table()
        self.bottleneck_label = QLabel()
        self.bottleneck_label.setWordWrap(True)
        self.bottleneck_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )

        self.kpi_panels: dict[str, ChartPanel] = {}
        self._kpi_bars: dict[str, list[pg.BarGraphItem]] = {}
        self._kpi_errors: dict[str, pg.ErrorBarItem] = {}
        charts = QGridLayout()
        charts.setSpacing(6)
        for i, key in enumerate(KEY_KPIS):
            panel = ChartPanel(min_height=170, legend_on_top=True)
            errors = pg.ErrorBarItem(
                x=np.zeros(0), y=np.zeros(0), top=np.zeros(0), bottom=np.zeros(0),
                beam=0.25, pen=pg.mkPen("#222222", width=1.5),
            )
            errors.setZValue(5)
            panel.plot.addItem(errors)
            self.kpi_panels[key] = panel
            self._kpi_bars[key] = []
            self._kpi_errors[key] = errors
            charts.addWidget(panel, i // 2, i % 2)

        self.cash = ChartPanel(min_height=260)
        self._cash_curves: list[pg.PlotDataItem] = []
        self.payback_markers = pg.ScatterPlotItem(
            symbol="d", size=13, brush=pg.mkBrush("#000000"), pen=pg.mkPen("#ffffff")
        )
        self.payback_markers.setZValue(10)
        self._payback_texts: list[pg.TextItem] = []
        self.cash.plot.addItem(
            pg.InfiniteLine(pos=0.0, angle=0, movable=False, pen=pg.mkPen("#222222", width=1))
        )
        self.cash.plot.addItem(self.payback_markers)
        self.payback_points: dict[str, float] = {}
        """Per automated variant: the year (linear within a year) its mean cumulative cash
        flow reaches zero; absent when it never does."""

        # Top: the KPI table (one column per variant and difference, so it gets the width)
        # with the notes beside it; below: KPI charts | investment case and cash flow.
        notes = QVBoxLayout()
        notes.addWidget(self.kpi_note)
        notes.addWidget(self.bottleneck_label)
        notes.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.kpi_table, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(notes, 1)
        right = QVBoxLayout()
        right.addWidget(self.investment_caption)
        right.addWidget(self.investment_table)
        right.addWidget(self.cash, 1)
        columns = QHBoxLayout()
        columns.addLayout(charts, 11)
        columns.addLayout(right, 9)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(header)
        column.addLayout(top)
        column.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        i18n.notifier.changed.connect(self.retranslate)
        self.retranslate()

    # -- public API -------------------------------------------------------------------------

    @property
    def comparison(self) -> Comparison | None:
        """The comparison shown (``None`` before the first)."""
        return self._comparison

    def set_comparison(self, comparison: Comparison, scenario_file: str | None = None) -> None:
        """Show ``comparison``; ``scenario_file`` is named in the exported report."""
        self._comparison = comparison
        self._scenario_file = scenario_file
        self._economics = economics_section(comparison)
        self._fill()

    def clear(self) -> None:
        """Show nothing (the chart items stay, emptied)."""
        self._comparison = None
        self._scenario_file = None
        self._economics = {}
        self.export_status.setText("")
        self._fill()

    def export_report(self, path: str | os.PathLike[str]) -> Path:
        """Write the HTML report of the comparison shown to ``path``, atomically, and return
        the path. Blocks for about a second per variant (the report re-runs replication 0):
        the button uses :meth:`start_export_report` instead."""
        if self._comparison is None:
            raise RuntimeError("no comparison to report")
        return write_report(self._comparison, self._scenario_file, path)

    @property
    def exporting(self) -> bool:
        """Is a report being written in the background?"""
        return self._report_thread is not None

    def start_export_report(self, path: str | os.PathLike[str]) -> bool:
        """Write the report of the comparison shown to ``path`` in a background thread;
        ``report_written`` or ``report_failed`` follows. False (nothing started) without a
        comparison or while another report is being written."""
        if self._comparison is None or self._report_thread is not None:
            return False
        comparison, scenario_file = self._comparison, self._scenario_file
        if self.controller is not None:
            self._report_thread = self.controller.write_report(
                comparison, scenario_file, path,
                done=self._report_written, failed=self._report_failed,
                finished=self._report_thread_finished,
            )
        else:
            thread = BackgroundJob(lambda: str(write_report(comparison, scenario_file, path)))
            thread.done.connect(self._report_written)
            thread.failed.connect(self._report_failed)
            thread.finished.connect(self._report_thread_finished)
            self._report_thread = thread
            thread.start()
        self.export_report_button.setEnabled(False)
        self.export_status.setText(tr("Writing the report…"))
        return True

    def wait_for_export(self) -> None:
        """Wait until a report being written is finished (at exit: the file is complete or
        untouched, never half-written)."""
        thread = self._report_thread
        if thread is not None:
            thread.wait()

    def export_charts(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every chart as ``compare_<name>.png`` into ``folder`` (created if missing);
        returns the paths written."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        written = [
            panel.export_png(target / f"compare_{key}.png")
            for key, panel in self.kpi_panels.items()
        ]
        written.append(self.cash.export_png(target / "compare_cash_flow.png"))
        return written

    def kpi_bars(self, key: str) -> list[pg.BarGraphItem]:
        """The bar items of KPI ``key``'s chart, one per variant slot (for tests)."""
        return list(self._kpi_bars[key])

    def kpi_errors(self, key: str) -> pg.ErrorBarItem:
        """The error bars of KPI ``key``'s chart."""
        return self._kpi_errors[key]

    def cash_curves(self) -> list[pg.PlotDataItem]:
        """The cumulative cash-flow curves, one per automated variant slot."""
        return list(self._cash_curves)

    def retranslate(self, _language: str = "") -> None:
        """Relabel everything in the current language."""
        self.export_report_button.setText(tr("Export report…"))
        self.export_report_button.setToolTip(
            tr("Write the HTML report of this comparison (as linelab compare --report)")
        )
        self.export_charts_button.setText(tr("Export charts…"))
        self.export_charts_button.setToolTip(tr("Write every chart of this view as a PNG image"))
        self.kpi_note.setText(
            tr(
                "Mean ± 95 % CI half-width over the replications. Differences are paired "
                "replication by replication (variant − baseline) on common random numbers; "
                "bold: the interval excludes 0."
            )
        )
        self.investment_caption.setText(tr("Investment case (mean of paired replications)"))
        self._fill()

    # -- filling ----------------------------------------------------------------------------

    def _fill(self) -> None:
        comparison = self._comparison
        if comparison is None:
            self.title.setText(tr("No comparison yet"))
            self.summary.setText(tr("Run › Compare variants runs every variant of the file."))
            self.kpi_table.clear()
            self.kpi_table.setRowCount(0)
            self.kpi_table.setColumnCount(0)
            self.investment_table.clear()
            self.investment_table.setRowCount(0)
            self.investment_table.setColumnCount(0)
            self.investment_caption.setVisible(False)
            self.investment_table.setVisible(False)
            self.bottleneck_label.setText("")
            self.export_report_button.setEnabled(False)
            self.export_charts_button.setEnabled(False)
            self._fill_kpi_charts([])
            self._fill_cash([])
            return
        base = comparison.results[comparison.baseline]
        names = list(comparison.results)
        others = [v for v in names if v != comparison.baseline]
        self.title.setText(base.scenario.name)
        n = len(base.replications)
        summary = tr(
            "{variants} variants, {n} replications each on common random numbers, seed {seed}"
        ).format(variants=len(names), n=n, seed=base.seed)
        if not comparison.has_variants:
            summary += " " + tr("(the file has no variants: the line runs alone as the baseline)")
        self.summary.setText(summary)
        self.export_report_button.setEnabled(self._report_thread is None)
        self.export_charts_button.setEnabled(True)
        self._fill_kpi_table(comparison, names, others)
        self._fill_investment(names)
        self._fill_bottleneck(comparison, others)
        self._fill_kpi_charts(names)
        self._fill_cash(others)

    def _fill_kpi_table(self, comparison: Comparison, names: list[str], others: list[str]) -> None:
        keys: list[str] = []
        for result in comparison.results.values():
            keys += [k for k in result.kpis if k not in keys]
        headers = [tr("KPI")]
        for v in names:
            headers.append(
                tr("{variant} (baseline)").format(variant=v) if v == comparison.baseline else v
            )
        headers += [
            tr("{variant} − {baseline}").format(variant=v, baseline=comparison.baseline)
            for v in others
        ]
        table = self.kpi_table
        table.clear()
        table.setRowCount(len(keys))
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        for row, key in enumerate(keys):
            table.setItem(row, 0, _cell(kpi_label(key), align_left=True))
            for col, v in enumerate(names, start=1):
                stat = comparison.results[v].kpis.get(key)
                item = _cell(format_stat(stat))
                if stat is not None and stat.ci95 is not None:
                    item.setToolTip(_interval_tip(stat))
                table.setItem(row, col, item)
            for col, v in enumerate(others, start=1 + len(names)):
                diff = comparison.differences.get(v, {}).get(key)
                item = _cell(format_stat(diff, signed=True))
                if diff is not None and diff.ci95 is not None:
                    item.setToolTip(_interval_tip(diff))
                    if diff.ci95[0] > 0 or diff.ci95[1] < 0:
                        bold = QFont(item.font())
                        bold.setBold(True)
                        item.setFont(bold)
                table.setItem(row, col, item)
        _fit(table)

    def _fill_investment(self, names: list[str]) -> None:
        economics = self._economics
        table = self.investment_table
        visible = bool(economics)
        self.investment_caption.setVisible(visible)
        table.setVisible(visible)
        table.clear()
        if not visible:
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        variants = [v for v in names if v in economics]
        currency = next(
            (str(economics[v].get("currency", "")) for v in variants if economics[v]), ""
        )
        table.setRowCount(len(_INVESTMENT))
        table.setColumnCount(1 + len(variants))
        table.setHorizontalHeaderLabels([tr("figure ({currency})").format(currency=currency),
                                         *variants])
        for row, (key, _english) in enumerate(_INVESTMENT):
            table.setItem(row, 0, _cell(_investment_label(key), align_left=True))
            for col, v in enumerate(variants, start=1):
                mean, interval = _economic_value(economics[v].get(key))
                item = _cell(_economic_text(mean, key))
                if interval is not None:
                    item.setToolTip(
                        tr("95 % CI [{low}, {high}]").format(
                            low=_economic_text(interval[0], key),
                            high=_economic_text(interval[1], key),
                        )
                    )
                table.setItem(row, col, item)
        _fit(table)

    def _fill_bottleneck(self, comparison: Comparison, others: list[str]) -> None:
        base = comparison.results[comparison.baseline].bottleneck
        if base is None or not base.ranking:
            self.bottleneck_label.setText("")
            return
        first = base.ranking[0]
        lines = [
            tr("Bottleneck (active-period method) of {variant}: {station} ({share} of the time)")
            .format(variant=comparison.baseline, station=first,
                    share=_bottleneck_share(base, first))
        ]
        for v in others:
            mine = comparison.results[v].bottleneck
            if mine is None or not mine.ranking:
                continue
            lines.append(f"{v}: " + self._moved_text(base, mine))
        self.bottleneck_label.setText("\n".join(lines))

    @staticmethod
    def _moved_text(base: BottleneckSummary, mine: BottleneckSummary) -> str:
        """:func:`simulator.bottleneck.bottleneck_moved`'s sentence, translated."""
        before, after = base.ranking[0], mine.ranking[0]
        if before == after:
            return tr("the bottleneck stays at {station} ({before} → {after} of the time)").format(
                station=after,
                before=_bottleneck_share(base, before),
                after=_bottleneck_share(mine, after),
            )
        return tr(
            "the bottleneck moved from {old} ({old_share}) to {new} ({new_share} of the time)"
        ).format(
            old=before,
            old_share=_bottleneck_share(base, before),
            new=after,
            new_share=_bottleneck_share(mine, after),
        )

    def _fill_kpi_charts(self, names: list[str]) -> None:
        comparison = self._comparison
        for key, panel in self.kpi_panels.items():
            bars = self._kpi_bars[key]
            while len(bars) < len(names):
                bar = pg.BarGraphItem(
                    x=[], height=[], width=0.6, brush=series_color(len(bars)), pen=pg.mkPen(None)
                )
                panel.plot.addItem(bar)
                bars.append(bar)
            xs, means, halves = [], [], []
            for i, bar in enumerate(bars):
                stat = None
                if comparison is not None and i < len(names):
                    stat = comparison.results[names[i]].kpis.get(key)
                if stat is None or stat.mean is None:
                    bar.setOpts(x=[], height=[])
                    continue
                bar.setOpts(x=[float(i)], height=[float(stat.mean)])
                xs.append(float(i))
                means.append(float(stat.mean))
                halves.append(float(stat.half_width or 0.0))
            self._kpi_errors[key].setData(
                x=np.array(xs), y=np.array(means), top=np.array(halves), bottom=np.array(halves)
            )
            panel.plot.getAxis("bottom").setTicks([list(enumerate(names))])
            if names:
                panel.plot.setXRange(-0.6, len(names) - 0.4, padding=0)
            top = max((m + h for m, h in zip(means, halves, strict=True)), default=1.0)
            top = top if top > 0 else 1.0
            # a little room under 0, else pyqtgraph hides the "0" label at the foot
            panel.plot.setYRange(-0.04 * top, top * 1.08, padding=0)
            panel.set_titles("", kpi_label(key), tr("variant"))
            panel.set_legend([(bars[i], fixed_label(names[i])) for i in range(len(names))])
            panel.show_notice(
                "" if means else (tr("No data") if comparison is not None else "")
            )

    def _fill_cash(self, others: list[str]) -> None:
        economics = self._economics
        series: list[tuple[str, list[float]]] = []
        for v in others:
            flows = (economics.get(v) or {}).get("cash_flows")
            if flows:
                series.append((v, [float(f) for f in flows]))
        while len(self._cash_curves) < len(series):
            i = len(self._cash_curves)
            colour = series_color(i + 1)
            curve = self.cash.plot.plot(
                pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=7,
                symbolBrush=colour, symbolPen=pg.mkPen(colour),
            )
            self._cash_curves.append(curve)
            # labels of close paybacks are stacked, one line apart
            text = pg.TextItem(color=colour, anchor=(0.5, 1.2 + 1.3 * i))
            self.cash.plot.addItem(text, ignoreBounds=True)
            self._payback_texts.append(text)
        self.payback_points = {}
        marker_x: list[float] = []
        entries: list[tuple[Any, Callable[[], str]]] = []
        for i, curve in enumerate(self._cash_curves):
            text = self._payback_texts[i]
            if i >= len(series):
                curve.setData([], [])
                text.setText("")
                text.setVisible(False)
                continue
            name, flows = series[i]
            cumulative = cumulative_cash_flow(flows)
            curve.setData(list(range(len(cumulative))), cumulative)
            entries.append((curve, fixed_label(name)))
            point = payback_crossing(cumulative)
            if point is None:
                text.setText("")
                text.setVisible(False)
                continue
            text.setVisible(True)
            self.payback_points[name] = point
            marker_x.append(point)
            # a short label in the curve's colour, centred above the marker (the legend
            # names the curve), so that it stays inside the chart
            text.setText(tr("{years:.2f} years").format(years=point))
            text.setColor(series_color(i + 1))
            text.setAnchor((0.5, 1.2 + 1.3 * i))
            text.setPos(point, 0.0)
        self.payback_markers.setData(x=marker_x, y=[0.0] * len(marker_x))
        if marker_x:
            entries.append((self.payback_markers, lambda: tr("cash payback")))
        self.cash.set_legend(entries)
        currency = next(
            (str(economics[v].get("currency", "")) for v, _f in series if economics.get(v)), ""
        )
        self.cash.set_titles(
            tr("Cumulative cash flow against the baseline"),
            tr("cumulative cash flow ({currency})").format(currency=currency)
            if currency
            else tr("cumulative cash flow"),
            tr("year"),
        )
        if not series:
            self.cash.plot.setRange(xRange=(0.0, 5.0), yRange=(-1.0, 1.0), padding=0.02)
            self.cash.show_notice(
                "" if self._comparison is None else tr("The scenario has no economics section.")
            )
        else:
            self.cash.show_notice("")
            self.cash.plot.enableAutoRange()

    # -- buttons ----------------------------------------------------------------------------

    def _ask_export_report(self) -> None:
        if self._comparison is None or self._report_thread is not None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("Export report"), "report.html", tr("HTML files (*.html)")
        )
        if path:
            self.start_export_report(path)

    def _report_written(self, path: str) -> None:
        self.export_status.setText(tr("Report written: {path}").format(path=path))
        self.report_written.emit(path)

    def _report_failed(self, message: str) -> None:
        self.export_status.setText("")
        self.report_failed.emit(message)
        QMessageBox.warning(
            self, tr("Export report"),
            tr("The report could not be written: {error}").format(error=message),
        )

    def _report_thread_finished(self) -> None:
        self._report_thread = None
        self.export_report_button.setEnabled(self._comparison is not None)

    def _ask_export_charts(self) -> None:
        if self._comparison is None:
            return
        folder = QFileDialog.getExistingDirectory(self, tr("Export charts"))
        if not folder:
            return
        # five PNG renders of the scene (~0.5 s): must be on the GUI thread (QGraphicsScene)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.export_charts(folder)
        except (OSError, ValueError, RuntimeError) as exc:
            QGuiApplication.restoreOverrideCursor()
            QMessageBox.warning(
                self, tr("Export charts"),
                tr("The charts could not be written: {error}").format(error=exc),
            )
            return
        QGuiApplication.restoreOverrideCursor()


def _table() -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
    vertical, horizontal = table.verticalHeader(), table.horizontalHeader()
    assert vertical is not None and horizontal is not None
    vertical.setVisible(False)
    table.setAlternatingRowColors(True)
    horizontal.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # As wide as its columns (no empty stretch to the right of the last one).
    table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
    table.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _cell(text: str, *, align_left: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    align = Qt.AlignmentFlag.AlignLeft if align_left else Qt.AlignmentFlag.AlignRight
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return item


def _interval_tip(stat: Stat) -> str:
    assert stat.ci95 is not None
    low, high = stat.ci95
    return tr("95 % CI [{low}, {high}]").format(low=f"{low:,.6g}", high=f"{high:,.6g}")


def _fit(table: QTableWidget) -> None:
    """Size the columns and rows to their text; the table's size hint (adjusted to its
    contents) then makes it exactly as large as its cells, without scroll bars."""
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    table.updateGeometry()
