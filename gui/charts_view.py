"""The Charts tab: what a run produced, as pyqtgraph charts that follow the run live.

Seven charts, each built once (per scenario for the per-station series) and afterwards only
fed new data with ``setData``/``setOpts``, so a live run never rebuilds a plot item:

- throughput (parts/h, over the last :data:`simulator.report.RATE_WINDOW` snapshots) and WIP
  (parts) over simulated time, from the snapshots of replication 0 (live through
  :meth:`ChartsView.add_snapshot`), with the mean over all replications of the measured period
  as a dashed line once the result is in (:meth:`ChartsView.set_result`);
- the state breakdown of every station (stacked horizontal bars, share of measured time);
- buffer levels (parts waiting in front of each station) over time;
- resource utilization (mean with the 95 % confidence interval as error bars);
- a Gantt chart of unit states: one row per station and resource, each row split at every
  instant by the share of its servers (units) in each state;
- energy: the mean power draw of every station and resource with power data (kW, the state
  shares times the scenario's power per state: the engine's own formula) and kWh per part.

The time series use the same computation as the HTML report
(:func:`simulator.report.snapshot_series`); a result without live snapshots is replayed with
:func:`simulator.report.replay_snapshots`.
State colours come from :mod:`gui.colors`, shared with the layout view.
"""

from __future__ import annotations

import bisect
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QShowEvent
from PyQt6.QtWidgets import QGridLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget
from pyqtgraph.exporters import ImageExporter

from gui import i18n
from gui.background import BackgroundJob
from gui.colors import VARIANT_COLORS, state_color, state_label
from gui.i18n import tr
from simulator.palette import ordered_states
from simulator.report import RATE_WINDOW, TIME_POINTS, replay_snapshots, snapshot_series
from simulator.stats import Stat, summarise

if TYPE_CHECKING:
    from scenarios import Scenario
    from simulator.experiment import ExperimentResult
    from simulator.model import Snapshot

__all__ = [
    "ChartPanel",
    "ChartsView",
    "fixed_label",
    "power_by_unit",
    "series_color",
    "series_pen",
]

REDRAW_MS = 100
"""Live snapshots are drawn at most this often (ms), and only while the charts are visible:
a snapshot itself only appends to the series (a redraw of the seven charts costs several ms,
a repaint tens of ms; snapshots may come hundreds per second)."""

ROW_HEIGHT = 0.8
"""Height of a Gantt or bar row (rows are 1 apart), so that rows keep a gap."""

SHARE_PADDING = 0.05
"""Margin around a 0-100 % axis: pyqtgraph hides a tick label that reaches past the plot, so
"100" needs half a label's width of room."""


def series_color(index: int) -> str:
    """Colour of the ``index``-th line of a chart with one line per station or variant."""
    return VARIANT_COLORS[index % len(VARIANT_COLORS)]


_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)


def series_pen(index: int, width: float = 2.0) -> Any:
    """Pen of the ``index``-th line of a chart with one line per station: the colours of
    :func:`series_color`, solid for the first round of colours, then dashed, then dotted, so
    that no two lines of a line with many stations look alike."""
    style = _STYLES[(index // len(VARIANT_COLORS)) % len(_STYLES)]
    return pg.mkPen(series_color(index), width=width, style=style)


class PlainAxis(pg.AxisItem):
    """An axis whose tick labels are plain numbers with thousands separators (``3,500,000``,
    never ``3.5e+06``): money and part counts read as such."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        step = spacing * scale
        if not step > 0:
            return list(super().tickStrings(values, scale, spacing))
        places = min(6, max(0, -int(np.floor(np.log10(step))))) if step < 1 else 0
        return [f"{v * scale:,.{places}f}" for v in values]


class ChartPanel(QWidget):
    """One pyqtgraph plot with its legend to the right, outside the data area (so that the
    legend never hides bars), exportable as a PNG image."""

    def __init__(
        self, parent: QWidget | None = None, *, min_height: int = 250, legend_on_top: bool = False
    ) -> None:
        """``legend_on_top``: the legend in rows above the plot (for small charts whose
        width is better spent on data) instead of to its right."""
        super().__init__(parent)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground("w")
        self._legend_on_top = legend_on_top
        self.plot: pg.PlotItem = self.canvas.addPlot(
            row=1 if legend_on_top else 0,
            col=0,
            axisItems={"left": PlainAxis("left"), "bottom": PlainAxis("bottom")},
        )
        self.legend = pg.LegendItem(labelTextColor="k", labelTextSize="9pt", frame=False)
        # Keep the legend at its own height (a layout cell would stretch it).
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if legend_on_top:
            self.canvas.addItem(self.legend, row=0, col=0)
            self.canvas.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignHCenter)
        else:
            self.canvas.addItem(self.legend, row=0, col=1)
            self.canvas.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.canvas.ci.layout.setColumnStretchFactor(0, 4)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen("#444444"))
            axis.setTextPen(pg.mkPen("#222222"))
            axis.enableAutoSIPrefix(False)  # units are in the label, never "(x0.001)"
        self.notice = pg.TextItem(color="#555555", anchor=(0.5, 0.5))
        self.notice.setParentItem(self.plot.vb)
        self._legend_entries: list[tuple[Any, Callable[[], str]]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.setMinimumHeight(min_height)

    def sizeHint(self) -> QSize:
        """As small as allowed: the layouts share out the space (pyqtgraph asks 600 × 480,
        which would push the charts of a tab below the window's edge)."""
        return QSize(320, self.minimumHeight())

    def set_titles(self, title: str, left: str, bottom: str) -> None:
        """Title and axis labels (already translated; units in the label)."""
        if title:
            self.plot.setTitle(title, color="#222222", size="11pt")
        else:
            self.plot.setTitle(None)
        self.plot.setLabel("left", left, color="#222222")
        self.plot.setLabel("bottom", bottom, color="#222222")

    def set_legend(self, entries: Sequence[tuple[Any, Callable[[], str]]]) -> None:
        """The legend's entries: (item, function giving its label in the current language)."""
        self._legend_entries = list(entries)
        self.relabel_legend()

    def relabel_legend(self) -> None:
        """Rewrite the legend in the current language (the items stay the same)."""
        self.legend.clear()
        if self._legend_on_top:  # one row for two entries, else two columns
            self.legend.setColumnCount(min(2, max(1, len(self._legend_entries))))
        for item, label in self._legend_entries:
            self.legend.addItem(item, label())
        if not self._legend_on_top:
            # The legend's column as wide as its longest label (else the layout clips it).
            width = 0.0
            for _sample, text in self.legend.items:
                # the label's text item: its true width (the LabelItem may not be laid out yet)
                width = max(width, 25.0 + text.item.boundingRect().width())
            self.canvas.ci.layout.setColumnFixedWidth(1, width + 20 if width else 0.0)

    def legend_labels(self) -> list[str]:
        """The legend's texts, in order (for tests and screenshots)."""
        return [label.text for _sample, label in self.legend.items]

    def show_notice(self, text: str) -> None:
        """A centred message in the data area (``""`` hides it)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        rect = self.plot.vb.boundingRect()
        self.notice.setPos(rect.center())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.notice.isVisible():
            self.notice.setPos(self.plot.vb.boundingRect().center())

    def export_png(self, path: Path, width: int = 1000) -> Path:
        """Write the chart with its legend to ``path`` as PNG, atomically (a temporary file in
        the same folder renamed over the target)."""
        exporter = ImageExporter(self.canvas.scene())
        exporter.parameters()["width"] = int(width)
        fd, tmp = tempfile.mkstemp(suffix=".png", prefix=".linelab-", dir=path.parent)
        os.close(fd)
        try:
            exporter.export(tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def power_by_unit(result: ExperimentResult) -> dict[str, Stat]:
    """Mean power draw in kW of every station and resource that has ``power`` data, over the
    measured period, across replications.

    Per replication: units × Σ over states of (share of time in the state × kW in that
    state), the same state-timer formula the engine uses for ``energy_kwh_per_part``; so the
    sum over all units divided by the good parts per hour is that replication's kWh per part.
    A vehicle draws ``busy`` power while travelling or handling, ``idle`` while idle or
    blocked, nothing while charging; a walking operator draws ``busy`` power.
    """
    scenario = result.scenario
    out: dict[str, Stat] = {}
    for spec in scenario.stations:
        power = getattr(spec, "power", None)
        if power is None or spec.name not in result.stations:
            continue
        servers = int(getattr(spec, "servers", 1))
        values: list[float | None] = []
        for rep in result.replications:
            station = rep.stations.get(spec.name)
            if station is None:
                values.append(None)
                continue
            kw = sum(share * power.kw(state) for state, share in station.states.items())
            values.append(servers * kw)
        out[spec.name] = summarise(values)
    for rs in getattr(scenario, "resources", None) or ():
        power = getattr(rs, "power", None)
        if power is None or rs.name not in result.resources:
            continue
        vehicle = rs.kind == "vehicle"
        values = []
        for rep in result.replications:
            resource = rep.resources.get(rs.name)
            if resource is None:
                values.append(None)
                continue
            kw = 0.0
            for state, share in resource.states.items():
                kw += share * _resource_kw(power, state, vehicle=vehicle)
            values.append(int(rs.count) * kw)
        out[rs.name] = summarise(values)
    return out


def _resource_kw(power: Any, state: str, *, vehicle: bool) -> float:
    """kW one unit of a resource draws in ``state`` (simulator.build's power tables)."""
    if state == "walking":
        return float(power.kw("busy"))
    if vehicle and state == "charging":
        return 0.0
    if vehicle and state == "blocked":
        return float(power.kw("idle"))
    return float(power.kw(state))


@dataclass
class _GanttRow:
    """The open run of one Gantt row: the state counts it shows and the index of its
    segment in each state's arrays."""

    counts: tuple[tuple[str, int], ...] = ()
    segments: dict[str, int] = field(default_factory=dict)


class ChartsView(QWidget):
    """Charts of a run: live from snapshots, final from an :class:`ExperimentResult`.

    Signal ``replayed()``: the series of a result without live snapshots have been replayed
    in the background and drawn (or the replay failed, shown in the charts)."""

    replayed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self.flush)
        self._dirty = False
        self._replay: BackgroundJob | None = None
        self._replay_error = ""
        self._scenario: Scenario | None = None
        self._result: ExperimentResult | None = None
        self._snapshots: list[Snapshot] = []
        self._energy_stat: Stat | None = None
        self._power: dict[str, Stat] = {}
        self._times: list[float] = []
        self._rate_window_h = 1.0
        self._series: tuple[list[float], list[float], list[float]] = ([], [], [])
        """Time (h), throughput (parts/h) and WIP (parts) at every snapshot after the first."""
        self._levels: dict[str, list[float]] = {}

        self.throughput = ChartPanel()
        self.throughput_curve = self.throughput.plot.plot(pen=pg.mkPen("#0072b2", width=2))
        self.throughput_mean = self.throughput.plot.plot(
            pen=pg.mkPen("#d55e00", width=2, style=Qt.PenStyle.DashLine)
        )
        self.wip = ChartPanel()
        self.wip_curve = self.wip.plot.plot(pen=pg.mkPen("#0072b2", width=2))
        self.wip_mean = self.wip.plot.plot(
            pen=pg.mkPen("#d55e00", width=2, style=Qt.PenStyle.DashLine)
        )
        self.buffers = ChartPanel()
        self.buffer_curves: dict[str, pg.PlotDataItem] = {}
        self._buffer_pool: list[pg.PlotDataItem] = []
        self._warmups = []
        for panel in (self.throughput, self.wip, self.buffers):
            # a constant series (WIP under CONWIP) keeps a readable scale of whole parts
            panel.plot.setLimits(minYRange=2.0)
            region = pg.LinearRegionItem(
                (0.0, 0.0), movable=False, brush=pg.mkBrush(0, 0, 0, 18), pen=pg.mkPen(None)
            )
            region.setZValue(-10)
            panel.plot.addItem(region)
            self._warmups.append(region)

        self.states = ChartPanel()
        self.state_bars: dict[str, pg.BarGraphItem] = {}
        self.states.plot.setXRange(0, 100, padding=SHARE_PADDING)
        self.states.plot.invertY(True)

        self.resources = ChartPanel()
        self.utilization_bars = pg.BarGraphItem(
            x0=[], y=[], height=ROW_HEIGHT, width=[], brush="#0072b2", pen=pg.mkPen(None)
        )
        self.utilization_errors = pg.ErrorBarItem(
            x=np.zeros(0), y=np.zeros(0), left=np.zeros(0), right=np.zeros(0),
            beam=0.25, pen=pg.mkPen("#222222", width=1.5),
        )
        self.resources.plot.addItem(self.utilization_bars)
        self.resources.plot.addItem(self.utilization_errors)
        self.resources.plot.setXRange(0, 100, padding=SHARE_PADDING)
        self.resources.plot.invertY(True)
        self.resources.set_legend(
            [
                (self.utilization_bars, lambda: tr("mean")),
                (self.utilization_errors, lambda: tr("95 % CI")),
            ]
        )

        self.energy = ChartPanel()
        self.energy_bars = pg.BarGraphItem(
            x0=[], y=[], height=ROW_HEIGHT, width=[], brush="#e69f00", pen=pg.mkPen(None)
        )
        self.energy_errors = pg.ErrorBarItem(
            x=np.zeros(0), y=np.zeros(0), left=np.zeros(0), right=np.zeros(0),
            beam=0.25, pen=pg.mkPen("#222222", width=1.5),
        )
        self.energy.plot.addItem(self.energy_bars)
        self.energy.plot.addItem(self.energy_errors)
        self.energy.plot.invertY(True)
        self.energy.set_legend(
            [
                (self.energy_bars, lambda: tr("mean power")),
                (self.energy_errors, lambda: tr("95 % CI")),
            ]
        )

        self.gantt = ChartPanel(min_height=280)
        self.gantt_bars: dict[str, pg.BarGraphItem] = {}
        self.gantt.plot.invertY(True)
        self._gantt_rows: list[str] = []
        self._gantt_open: list[_GanttRow] = []
        self._gantt_data: dict[str, list[list[float]]] = {}
        self._gantt_legend: list[str] = []

        grid = QGridLayout()
        grid.setSpacing(6)
        grid.addWidget(self.throughput, 0, 0)
        grid.addWidget(self.wip, 0, 1)
        grid.addWidget(self.states, 1, 0)
        grid.addWidget(self.resources, 1, 1)
        grid.addWidget(self.buffers, 2, 0)
        grid.addWidget(self.energy, 2, 1)
        grid.addWidget(self.gantt, 3, 0, 1, 2)
        body = QWidget()
        body.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        i18n.notifier.changed.connect(self.retranslate)
        self.retranslate()
        self._update_notices()

    # -- public API -------------------------------------------------------------------------

    def panels(self) -> dict[str, ChartPanel]:
        """Every chart by a file-name-friendly key."""
        return {
            "throughput": self.throughput,
            "wip": self.wip,
            "station_states": self.states,
            "resource_utilization": self.resources,
            "buffer_levels": self.buffers,
            "energy": self.energy,
            "gantt": self.gantt,
        }

    def set_scenario(self, scenario: Scenario) -> None:
        """Prepare the charts for ``scenario`` (one buffer curve per station, one Gantt row
        per station and resource, the warm-up shaded) and forget earlier data."""
        self._scenario = scenario
        warmup_h = float(scenario.warmup) / 3600.0
        self._prepare(
            [s.name for s in scenario.stations],
            [r.name for r in getattr(scenario, "resources", None) or ()],
            warmup_h,
            warmup_h + float(scenario.horizon) / 3600.0,
        )

    def _prepare(
        self, stations: list[str], resources: list[str], warmup_h: float, end_h: float
    ) -> None:
        """Name the per-station series and Gantt rows; curves are reused from a pool."""
        self._rate_window_h = RATE_WINDOW * end_h / TIME_POINTS
        while len(self._buffer_pool) < len(stations):
            i = len(self._buffer_pool)
            self._buffer_pool.append(self.buffers.plot.plot(pen=series_pen(i, width=1.5)))
        for curve in self._buffer_pool[len(stations) :]:
            curve.setData([], [])
        self.buffer_curves = dict(zip(stations, self._buffer_pool, strict=False))
        self.buffers.set_legend([(curve, _fixed(n)) for n, curve in self.buffer_curves.items()])
        self._gantt_rows = stations + resources
        self.gantt.plot.getAxis("left").setTicks(
            [[(i + ROW_HEIGHT / 2, name) for i, name in enumerate(self._gantt_rows)]]
        )
        self.gantt.plot.setYRange(-0.2, max(1, len(self._gantt_rows)), padding=0)
        for region in self._warmups:
            region.setRegion((0.0, warmup_h))
            region.setVisible(warmup_h > 0)
        for panel in (self.throughput, self.wip, self.buffers, self.gantt):
            # The whole run from the start, so that a live run fills the chart left to right.
            panel.plot.setXRange(0.0, max(end_h, 1e-6), padding=0.01)
        self.clear()

    def clear(self) -> None:
        """Forget the snapshots and the result; every chart item stays, emptied."""
        self._redraw.stop()
        self._dirty = False
        self._replay = None  # a replay still running is ignored when it ends
        self._replay_error = ""
        self._snapshots = []
        self._result = None
        self._energy_stat = None
        self._power = {}
        self._times = []
        self._series = ([], [], [])
        self._levels = {name: [] for name in self.buffer_curves}
        self._gantt_open = [_GanttRow() for _ in self._gantt_rows]
        self._gantt_data = {}
        self._gantt_legend = []
        self.gantt.set_legend([])
        for bar in self.gantt_bars.values():
            bar.setOpts(x0=[], y0=[], width=[], height=[])
        for bar in self.state_bars.values():
            bar.setOpts(x0=[], y=[], width=[])
        self.throughput_curve.setData([], [])
        self.wip_curve.setData([], [])
        for curve in self.buffer_curves.values():
            curve.setData([], [])
        self.throughput_mean.setData([], [])
        self.wip_mean.setData([], [])
        self.utilization_bars.setOpts(x0=[], y=[], width=[])
        self.utilization_errors.setData(
            x=np.zeros(0), y=np.zeros(0), left=np.zeros(0), right=np.zeros(0)
        )
        self.energy_bars.setOpts(x0=[], y=[], width=[])
        self.energy_errors.setData(
            x=np.zeros(0), y=np.zeros(0), left=np.zeros(0), right=np.zeros(0)
        )
        self.states.plot.getAxis("left").setTicks([[]])
        self.resources.plot.getAxis("left").setTicks([[]])
        self.energy.plot.getAxis("left").setTicks([[]])
        self.states.set_legend([])
        self.energy.plot.setXRange(0.0, 1.0, padding=0.02)
        for panel in (self.states, self.resources, self.energy):
            panel.plot.setYRange(-0.6, 0.4, padding=0)
        self._retitle_energy()
        self._update_notices()

    def reset(self) -> None:
        """Forget the scenario too: no station's curve, legend entry or Gantt row is left
        (another file is opened whose scenario is not known yet)."""
        self._scenario = None
        self._prepare([], [], 0.0, 1.0)

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Append the line's state at one instant (in time order) to the time series and
        the Gantt chart; a snapshot earlier than the last one starts a new run."""
        if self._snapshots and snapshot.time_s < self._snapshots[-1].time_s:
            self.clear()
        if self._scenario is None and not self._gantt_rows:
            # No scenario given: name the rows after the snapshot (warm-up not shaded).
            self._prepare(
                [st.name for st in snapshot.stations],
                [rs.name for rs in snapshot.resources],
                0.0,
                snapshot.end_s / 3600.0,
            )
        self._append(snapshot)
        self._dirty = True
        if self.isVisible() and not self._redraw.isActive():
            self._redraw.start()

    def flush(self) -> None:
        """Draw the snapshots added since the last redraw now (else they are drawn within
        :data:`REDRAW_MS` while the charts are visible, or when they are shown)."""
        self._redraw.stop()
        if not self._dirty:
            return
        self._dirty = False
        self._draw_series()
        self._draw_gantt()
        self._update_notices()

    def showEvent(self, event: QShowEvent | None) -> None:
        self.flush()
        super().showEvent(event)

    def set_result(self, result: ExperimentResult) -> None:
        """Show the final statistics of ``result``; without live snapshots, replication 0 is
        replayed (in chunks, as in the HTML report) in a background thread for the time
        series and the Gantt chart (``replayed`` follows)."""
        self.flush()
        if not self._snapshots:
            self.set_scenario(result.scenario)
            self._start_replay(result)
        else:  # keep the live series of this run
            self._scenario = result.scenario
        self._result = result
        self._draw_means(result)
        self._draw_states(result)
        self._draw_resources(result)
        self._draw_energy(result)
        self._update_notices()

    @property
    def replaying(self) -> bool:
        """Is replication 0 of the result being replayed in the background?"""
        return self._replay is not None

    def _start_replay(self, result: ExperimentResult) -> None:
        job = BackgroundJob(lambda: replay_snapshots(result))
        job.done.connect(self._replay_done)
        job.failed.connect(self._replay_failed)
        self._replay = job
        self._replay_error = ""
        job.start()

    def _replay_done(self, snapshots: list[Snapshot]) -> None:
        if self.sender() is not self._replay:  # an older replay (cleared meanwhile)
            return
        self._replay = None
        for snapshot in snapshots:
            self._append(snapshot)
        self._dirty = True
        self.flush()
        self.replayed.emit()

    def _replay_failed(self, message: str) -> None:
        if self.sender() is not self._replay:
            return
        self._replay = None
        self._replay_error = message
        self._update_notices()
        self.replayed.emit()

    def export_images(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every chart as ``charts_<key>.png`` into ``folder`` (created if missing);
        returns the paths written."""
        self.flush()
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        return [
            panel.export_png(target / f"charts_{key}.png") for key, panel in self.panels().items()
        ]

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """The snapshots shown, in time order."""
        return tuple(self._snapshots)

    def gantt_rows(self) -> list[str]:
        """Names of the Gantt rows, top to bottom (stations, then resources)."""
        return list(self._gantt_rows)

    def retranslate(self, _language: str = "") -> None:
        """Relabel every chart in the current language."""
        time_label = tr("simulated time (h), warm-up shaded")
        self.throughput.set_titles(tr("Throughput"), tr("throughput (parts/h)"), time_label)
        self.wip.set_titles(tr("Work in progress"), tr("WIP (parts)"), time_label)
        self.buffers.set_titles(
            tr("Buffer levels"), tr("parts waiting in the buffer"), time_label
        )
        self.states.set_titles(
            tr("Station states"),
            tr("station"),
            tr("share of measured time (%), mean of replications"),
        )
        self.resources.set_titles(
            tr("Resource utilization"), tr("resource"), tr("utilization (%)")
        )
        self._retitle_energy()
        self.gantt.set_titles(
            tr("Unit states over time (replication 0)"), "", tr("simulated time (h)")
        )
        for panel, curve, mean in (
            (self.throughput, self.throughput_curve, self.throughput_mean),
            (self.wip, self.wip_curve, self.wip_mean),
        ):
            panel.set_legend(
                [
                    (curve, lambda: tr("replication 0")),
                    (mean, lambda: tr("mean of all replications")),
                ]
            )
        for panel in (self.buffers, self.states, self.resources, self.energy, self.gantt):
            panel.relabel_legend()
        self._update_notices()

    # -- drawing ----------------------------------------------------------------------------

    def _retitle_energy(self) -> None:
        stat = self._energy_stat
        if stat is None or stat.mean is None:
            title = tr("Energy")
        else:
            value = f"{stat.mean:.3f}"
            if stat.half_width is not None:
                value += f" ± {stat.half_width:.3f}"
            title = tr("Energy: {value} kWh per good part").format(value=value)
        self.energy.set_titles(title, "", tr("mean power draw (kW)"))

    def _update_notices(self) -> None:
        has_series = bool(self._snapshots)
        waiting = tr("Run the scenario to see this chart.")
        if self._replay is not None:
            series_notice = tr("Replaying replication 0…")
        elif self._replay_error:
            series_notice = tr("Replication 0 could not be replayed: {error}").format(
                error=self._replay_error
            )
        else:
            series_notice = waiting
        for panel in (self.throughput, self.wip, self.buffers, self.gantt):
            panel.show_notice("" if has_series else series_notice)
        result = self._result
        if result is None:
            # during a live run the statistics come when every replication has finished
            pending = tr("Shown when all replications have finished.") if has_series else waiting
            for panel in (self.states, self.resources, self.energy):
                panel.show_notice(pending)
            return
        self.states.show_notice("")
        self.resources.show_notice("" if result.resources else tr("This line has no resources."))
        self.energy.show_notice("" if self._power else tr("The scenario has no power data."))

    def _append(self, snapshot: Snapshot) -> None:
        """Store one snapshot: its buffer levels and its Gantt interval."""
        self._snapshots.append(snapshot)
        self._times.append(snapshot.time_s / 3600.0)
        queues = {st.name: float(st.queue) for st in snapshot.stations}
        for name, levels in self._levels.items():
            levels.append(queues.get(name, 0.0))
        self._extend_gantt(len(self._snapshots) - 1)
        if len(self._snapshots) > 1:
            # Throughput over a trailing window of simulated time: the HTML report's
            # RATE_WINDOW chunks of 1/TIME_POINTS of the run, however often snapshots come
            # (a replayed result gives the report's curve exactly). Only the snapshots inside
            # the window are read, so a live run costs the same per snapshot throughout.
            now_h = self._times[-1]
            first = bisect.bisect_left(self._times, now_h - self._rate_window_h * (1 + 1e-9))
            first = min(first, len(self._snapshots) - 2)
            tail = self._snapshots[first:]
            hours, rate, wip = snapshot_series(tail, len(tail) - 1)
            self._series[0].append(hours[-1])
            self._series[1].append(rate[-1])
            self._series[2].append(wip[-1])

    def _draw_series(self) -> None:
        hours, rate, wip = self._series
        self.throughput_curve.setData(hours, rate)
        self.wip_curve.setData(hours, wip)
        for name, curve in self.buffer_curves.items():
            curve.setData(self._times, self._levels[name])

    def _row_counts(self, snapshot: Snapshot) -> list[tuple[tuple[str, int], ...]]:
        """Each Gantt row's (state, count) pairs with count > 0, in legend order."""
        by_name: dict[str, dict[str, int]] = {}
        for st in snapshot.stations:
            by_name[st.name] = dict(st.states) or {
                "busy": st.busy, "starved": st.starved, "blocked": st.blocked
            }
        for rs in snapshot.resources:
            by_name[rs.name] = dict(rs.states)
        rows = []
        for name in self._gantt_rows:
            counts = by_name.get(name, {})
            rows.append(tuple((s, counts[s]) for s in _ordered(counts) if counts[s] > 0))
        return rows

    def _extend_gantt(self, index: int) -> None:
        """Book the interval between snapshot ``index - 1`` and ``index`` with the state of
        snapshot ``index - 1`` (a unit's state holds until the next snapshot); runs of the
        same state counts are merged into one segment."""
        if index == 0:
            return
        before, now = self._snapshots[index - 1], self._snapshots[index]
        t0, t1 = before.time_s / 3600.0, now.time_s / 3600.0
        for row, counts in enumerate(self._row_counts(before)):
            open_run = self._gantt_open[row]
            if open_run.counts == counts and open_run.segments:
                for state, seg in open_run.segments.items():
                    data = self._gantt_data[state]
                    data[2][seg] = t1 - data[0][seg]
                continue
            total = sum(c for _s, c in counts)
            y = float(row)
            segments: dict[str, int] = {}
            for state, count in counts:
                height = ROW_HEIGHT * count / total
                data = self._gantt_data.setdefault(state, [[], [], [], []])
                data[0].append(t0)
                data[1].append(y)
                data[2].append(t1 - t0)
                data[3].append(height)
                segments[state] = len(data[0]) - 1
                y += height
            self._gantt_open[row] = _GanttRow(counts, segments)

    def _draw_gantt(self) -> None:
        for state in self._gantt_data:
            if state not in self.gantt_bars:
                bar = pg.BarGraphItem(
                    x0=[], y0=[], width=[], height=[], brush=state_color(state),
                    pen=pg.mkPen(None),
                )
                self.gantt.plot.addItem(bar)
                self.gantt_bars[state] = bar
        for state, bar in self.gantt_bars.items():
            x0, y0, width, height = self._gantt_data.get(state, [[], [], [], []])
            bar.setOpts(x0=np.asarray(x0), y0=np.asarray(y0), width=np.asarray(width),
                        height=np.asarray(height))
        shown = _ordered(self._gantt_data)
        if shown != self._gantt_legend:  # the legend lists the states drawn, no others
            self._gantt_legend = shown
            self.gantt.set_legend([(self.gantt_bars[s], _state(s)) for s in shown])

    def _draw_means(self, result: ExperimentResult) -> None:
        """The mean of all replications as a dashed line over the measured period."""
        start_h = float(result.scenario.warmup) / 3600.0
        end_h = start_h + float(result.scenario.horizon) / 3600.0
        for line, key in ((self.throughput_mean, "throughput_per_hour"), (self.wip_mean, "wip")):
            stat = result.kpis.get(key)
            if stat is None or stat.mean is None:
                line.setData([], [])
            else:
                line.setData([start_h, end_h], [stat.mean, stat.mean])

    def _draw_states(self, result: ExperimentResult) -> None:
        names = list(result.stations)
        states: list[str] = []
        for summary in result.stations.values():
            states += [s for s in summary.states if s not in states]
        left = np.zeros(len(names))
        for state in _ordered(states):
            shares = np.array(
                [_mean(result.stations[n].states.get(state)) * 100.0 for n in names]
            )
            bar = self.state_bars.get(state)
            if bar is None:
                bar = pg.BarGraphItem(
                    x0=[], y=[], height=ROW_HEIGHT, width=[], brush=state_color(state),
                    pen=pg.mkPen("w", width=0.5),
                )
                self.states.plot.addItem(bar)
                self.state_bars[state] = bar
            bar.setOpts(x0=left.copy(), y=np.arange(len(names), dtype=float), width=shares)
            left += shares
        for state, bar in self.state_bars.items():
            if state not in states:
                bar.setOpts(x0=[], y=[], width=[])
        self.states.plot.getAxis("left").setTicks([list(enumerate(names))])
        self.states.plot.setYRange(-0.6, len(names) - 0.4, padding=0)
        self.states.set_legend([(self.state_bars[s], _state(s)) for s in _ordered(states)])

    def _draw_resources(self, result: ExperimentResult) -> None:
        names = list(result.resources)
        means = np.array([_mean(result.resources[n].utilization) * 100.0 for n in names])
        halves = np.array([_half(result.resources[n].utilization) * 100.0 for n in names])
        ys = np.arange(len(names), dtype=float)
        self.utilization_bars.setOpts(x0=np.zeros(len(names)), y=ys, width=means)
        self.utilization_errors.setData(x=means, y=ys, left=halves, right=halves)
        self.resources.plot.getAxis("left").setTicks([list(enumerate(names))])
        self.resources.plot.setYRange(-0.6, max(len(names), 1) - 0.4, padding=0)

    def _draw_energy(self, result: ExperimentResult) -> None:
        power = self._power = power_by_unit(result)
        self._energy_stat = result.kpis.get("energy_kwh_per_part")
        names = list(power)
        means = np.array([_mean(power[n]) for n in names])
        halves = np.array([_half(power[n]) for n in names])
        total = float(means.sum()) if len(means) else 0.0
        ys = np.arange(len(names), dtype=float)
        self.energy_bars.setOpts(x0=np.zeros(len(names)), y=ys, width=means)
        self.energy_errors.setData(x=means, y=ys, left=halves, right=halves)
        ticks = [
            (i, f"{n} ({100.0 * means[i] / total:.0f} %)" if total > 0 else n)
            for i, n in enumerate(names)
        ]
        self.energy.plot.getAxis("left").setTicks([ticks])
        self.energy.plot.setYRange(-0.6, max(len(names), 1) - 0.4, padding=0)
        if len(means):
            self.energy.plot.setXRange(0, float((means + halves).max()) * 1.05, padding=0.02)
        self._retitle_energy()


def _fixed(text: str) -> Callable[[], str]:
    """A legend label that is a name (a station, a variant), the same in every language."""
    return lambda: text


def _state(state: str) -> Callable[[], str]:
    """A legend label that is a state's translated name."""
    return lambda: state_label(state)


def fixed_label(text: str) -> Callable[[], str]:
    """A legend label that stays ``text`` in every language (a station or variant name)."""
    return _fixed(text)


def _ordered(states: Any) -> list[str]:
    """State names in legend order (:func:`simulator.palette.ordered_states`)."""
    return ordered_states(states)


def _mean(stat: Stat | None) -> float:
    return 0.0 if stat is None or stat.mean is None else float(stat.mean)


def _half(stat: Stat | None) -> float:
    if stat is None:
        return 0.0
    half = stat.half_width
    return 0.0 if half is None else float(half)
