"""The Charts tab shows the numbers of a real run of ``phone_housing_cell`` (3 replications
of a 1-day horizon): the stacked state bars are the stations' mean state shares, the
resource bars their utilization with its 95 % CI, the dashed lines the mean throughput and
WIP of the measured period, the energy bars add up to the engine's kWh per part, the time
series and the Gantt chart follow the snapshots of replication 0 exactly; live snapshots
extend the same plot items (never rebuilt); charts export as PNG files and relabel in
Chinese. Expected values are derived here from the result and the snapshots, not read back
from the widget's own helpers.
"""

from __future__ import annotations

import dataclasses
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import pytest

import scenarios
from gui import i18n
from gui.charts_view import ROW_HEIGHT, ChartsView, power_by_unit
from gui.colors import STATE_COLORS, state_color, state_label
from scenarios.catalog import example_path
from simulator.experiment import ExperimentResult, run_experiment
from simulator.report import RATE_WINDOW, TIME_POINTS, replay_snapshots, snapshot_series
from simulator.session import RunSession

HORIZON_S = 86400.0
WARMUP_S = 4 * 3600.0


def _short(variant: str) -> Any:
    found = scenarios.load_variants(example_path("phone_housing_cell"))
    return found.scenarios[variant].model_copy(update={"horizon": HORIZON_S, "warmup": WARMUP_S})


@pytest.fixture(scope="module")
def result() -> ExperimentResult:
    """The robot variant: stations with robot tending, failures, an AGV, power data."""
    return run_experiment(_short("robots"), replications=3, seed=7)


@pytest.fixture
def view(qtbot: Any) -> ChartsView:
    widget = ChartsView()
    qtbot.addWidget(widget)
    widget.resize(1200, 1300)
    return widget


def _bar(item: Any, key: str) -> np.ndarray:
    return np.asarray(item.opts[key], dtype=float)


def test_state_bars_are_mean_state_shares(view: ChartsView, result: ExperimentResult) -> None:
    view.set_result(result)
    names = list(result.stations)
    left = np.zeros(len(names))
    order = [s for s in STATE_COLORS if any(s in result.stations[n].states for n in names)]
    assert order, "the run reports station states"
    for state in order:
        expected = np.array(
            [100.0 * (result.stations[n].states[state].mean or 0.0)
             if state in result.stations[n].states else 0.0 for n in names]
        )
        bar = view.state_bars[state]
        np.testing.assert_allclose(_bar(bar, "width"), expected, rtol=0, atol=1e-9)
        np.testing.assert_allclose(_bar(bar, "x0"), left, rtol=0, atol=1e-9)
        np.testing.assert_allclose(_bar(bar, "y"), np.arange(len(names)))
        assert bar.opts["brush"] == state_color(state)
        left += expected
    # the shares of each station add up to 100 %
    np.testing.assert_allclose(left, 100.0, atol=1e-6)
    assert view.states.legend_labels() == [state_label(s) for s in order]


def test_app_and_report_colour_states_alike(view: ChartsView, result: ExperimentResult) -> None:
    """One palette: the HTML report's stacked state bars (matplotlib) and the app's have the
    same colour for each state, stacked in the same order."""
    from matplotlib.colors import to_hex
    from matplotlib.container import BarContainer

    import simulator.palette
    from gui import colors
    from simulator.compare import Comparison
    from simulator.report import _state_chart

    assert colors.STATE_COLORS is simulator.palette.STATE_COLORS
    for state in (*STATE_COLORS, "waiting_crane", "new_state"):
        assert colors.state_color(state) == simulator.palette.state_color(state)
        assert colors.state_qcolor(state).name() == simulator.palette.state_color(state)
    view.set_result(result)
    comparison = Comparison(
        baseline=result.variant, results={result.variant: result}, differences={},
        has_variants=False,
    )
    for station in result.stations:
        fig = _state_chart(comparison, station)
        assert fig is not None
        (ax,) = fig.axes
        report = [
            (c.get_label(), to_hex(c.patches[0].get_facecolor()))
            for c in ax.containers
            if isinstance(c, BarContainer)
        ]
        assert len(report) == len(ax.containers)
        app = [(s, view.state_bars[s].opts["brush"]) for s in view.state_bars
               if s in result.stations[station].states]
        order = [s for s, _c in report]
        assert sorted(report) == sorted(app)
        assert order == [s for s in STATE_COLORS if s in order]  # the palette's order


def test_resource_bars_are_utilization_with_ci(view: ChartsView, result: ExperimentResult) -> None:
    view.set_result(result)
    names = list(result.resources)
    assert set(names) == {r.name for r in result.scenario.resources}
    means = [100.0 * (result.resources[n].utilization.mean or 0.0) for n in names]
    halves = [100.0 * (result.resources[n].utilization.half_width or 0.0) for n in names]
    np.testing.assert_allclose(_bar(view.utilization_bars, "width"), means, atol=1e-9)
    errors = view.utilization_errors.opts
    np.testing.assert_allclose(np.asarray(errors["x"]), means, atol=1e-9)
    np.testing.assert_allclose(np.asarray(errors["left"]), halves, atol=1e-9)
    np.testing.assert_allclose(np.asarray(errors["right"]), halves, atol=1e-9)
    assert any(h > 0 for h in halves)


def test_mean_lines_span_the_measured_period(view: ChartsView, result: ExperimentResult) -> None:
    view.set_result(result)
    for curve, key in ((view.throughput_mean, "throughput_per_hour"), (view.wip_mean, "wip")):
        x, y = curve.getData()
        assert list(x) == pytest.approx([WARMUP_S / 3600.0, (WARMUP_S + HORIZON_S) / 3600.0])
        assert list(y) == pytest.approx([result.kpis[key].mean] * 2, rel=1e-12)


def test_energy_bars_add_up_to_kwh_per_part(view: ChartsView, result: ExperimentResult) -> None:
    power = power_by_unit(result)
    assert {"cnc", "probe", "robot", "agv"} <= set(power)
    # Per replication: total mean kW / good parts per hour = the engine's kWh per part.
    for i, rep in enumerate(result.replications):
        total_kw = sum(stat.values[i] or 0.0 for stat in power.values())
        assert total_kw / rep.throughput_per_hour == pytest.approx(
            rep.energy_kwh_per_part, rel=1e-9
        )
    view.set_result(result)
    np.testing.assert_allclose(
        _bar(view.energy_bars, "width"), [float(power[n].mean or 0.0) for n in power], rtol=1e-12
    )
    stat = result.kpis["energy_kwh_per_part"]
    assert f"{stat.mean:.3f}" in view.energy.plot.titleLabel.text


def test_replayed_series_follow_replication_0(
    view: ChartsView, result: ExperimentResult, qtbot: Any
) -> None:
    # without live snapshots the replay runs in the background: set_result returns at once
    with qtbot.waitSignal(view.replayed, timeout=60000):
        view.set_result(result)
        assert view.replaying and view.snapshots == ()
        assert view.wip.notice.isVisible() and "Replaying" in view.wip.notice.toPlainText()
    assert not view.replaying and not view.wip.notice.isVisible()
    snaps = view.snapshots
    assert len(snaps) > 50 and snaps[0].time_s == 0.0
    assert snaps[-1].time_s == pytest.approx(WARMUP_S + HORIZON_S)
    x, wip = view.wip_curve.getData()
    assert list(x) == pytest.approx([s.time_s / 3600.0 for s in snaps[1:]])
    assert list(wip) == [float(s.wip) for s in snaps[1:]]
    # a replayed result draws exactly the HTML report's throughput curve
    _x, rate = view.throughput_curve.getData()
    assert list(rate) == pytest.approx(snapshot_series(replay_snapshots(result))[1], rel=1e-12)
    assert rate[-1] > 0
    x, cnc = view.buffer_curves["cnc"].getData()
    queues = [next(st.queue for st in s.stations if st.name == "cnc") for s in snaps]
    assert list(cnc) == [float(q) for q in queues]


def _expected_gantt(snaps: Any, row: str) -> dict[str, float]:
    """Hours × share of units, per state, of one row: sample and hold between snapshots."""
    out: dict[str, float] = {}
    for before, after in pairwise(snaps):
        counts = next((dict(st.states) for st in before.stations if st.name == row), None)
        if counts is None:
            counts = next(dict(rs.states) for rs in before.resources if rs.name == row)
        total = sum(counts.values())
        for state, count in counts.items():
            if count:
                hours = (after.time_s - before.time_s) / 3600.0
                out[state] = out.get(state, 0.0) + hours * count / total
    return out


def test_live_snapshots_extend_the_same_items(view: ChartsView, result: ExperimentResult) -> None:
    scenario = result.scenario
    view.set_scenario(scenario)
    curves = (view.throughput_curve, view.wip_curve, view.buffer_curves["cnc"])
    session = RunSession(scenario, 0, result.seed)
    view.add_snapshot(session.snapshot())
    step = session.end / 40
    lengths = []
    items_before: set[int] | None = None
    for k in range(40):
        view.add_snapshot(session.advance(step))
        view.flush()
        lengths.append(len(view.wip_curve.getData()[0]))
        if k == 20:
            items_before = {id(i) for i in view.gantt.plot.items}
    assert lengths == list(range(1, 41))
    assert (view.throughput_curve, view.wip_curve, view.buffer_curves["cnc"]) == curves
    assert all(curve in view.throughput.plot.items + view.wip.plot.items + view.buffers.plot.items
               for curve in curves)
    # throughput: good parts that left in the trailing window of RATE_WINDOW / TIME_POINTS
    # of the run (the departure count restarts at 0 when the warm-up ends), per hour
    snaps = view.snapshots
    window_s = RATE_WINDOW * session.end / TIME_POINTS
    cumulative = [0]
    for before, after in pairwise(snaps):
        gained = after.departed - before.departed
        cumulative.append(cumulative[-1] + (gained if gained >= 0 else after.departed))
    expected = []
    for i in range(1, len(snaps)):
        j = next(k for k in range(i) if snaps[k].time_s >= snaps[i].time_s - window_s - 1e-6)
        j = min(j, i - 1)
        span_h = (snaps[i].time_s - snaps[j].time_s) / 3600.0
        expected.append((cumulative[i] - cumulative[j]) / span_h)
    assert list(view.throughput_curve.getData()[1]) == pytest.approx(expected, rel=1e-12)
    assert max(expected) > 0
    # the Gantt chart only ever gains a bar item for a state seen for the first time
    assert items_before is not None
    assert items_before <= {id(i) for i in view.gantt.plot.items}
    assert len(view.gantt.plot.items) <= len(items_before) + len(STATE_COLORS)
    # each row's segments cover exactly the time × share of its units in each state
    assert view.gantt_rows() == [s.name for s in scenario.stations] + [
        r.name for r in scenario.resources
    ]
    for row_index, row in enumerate(view.gantt_rows()):
        shares = _expected_gantt(snaps, row)
        assert shares and set(shares) <= set(view.gantt_bars), row  # every state is drawn
        assert math.fsum(shares.values()) == pytest.approx(
            (snaps[-1].time_s - snaps[0].time_s) / 3600.0
        )
        for state, bar in view.gantt_bars.items():
            y0 = _bar(bar, "y0")
            mine = (y0 >= row_index) & (y0 < row_index + 1)
            area = float(np.sum(_bar(bar, "width")[mine] * _bar(bar, "height")[mine]))
            want = shares.get(state, 0.0)
            assert area / ROW_HEIGHT == pytest.approx(want, abs=1e-9), (row, state)
    # the final result keeps the live series (no replay) and adds the statistics
    live = view.snapshots
    final = dataclasses.replace(result)
    view.set_result(final)
    assert view.snapshots == live
    assert view.throughput_mean.getData()[1] is not None


def test_live_snapshots_are_drawn_in_batches_while_visible(
    view: ChartsView, result: ExperimentResult, qtbot: Any
) -> None:
    """A snapshot only appends to the series; the charts redraw at most every REDRAW_MS
    while visible, and a hidden view draws everything when it is shown."""
    from gui.charts_view import REDRAW_MS

    session = RunSession(result.scenario, 0, result.seed)
    view.set_scenario(result.scenario)
    view.add_snapshot(session.snapshot())
    for _ in range(5):
        view.add_snapshot(session.advance(600.0))
    assert len(view.snapshots) == 6
    assert len(view.wip_curve.getData()[0] or ()) == 0  # hidden: not drawn yet
    view.show()
    qtbot.waitExposed(view)
    assert len(view.wip_curve.getData()[0]) == 5  # drawn when shown
    for _ in range(5):
        view.add_snapshot(session.advance(600.0))
    assert len(view.wip_curve.getData()[0]) == 5  # not per snapshot...
    qtbot.waitUntil(lambda: len(view.wip_curve.getData()[0]) == 10, timeout=20 * REDRAW_MS)
    assert view.buffer_curves["cnc"].getData()[0] is not None
    assert len(view.buffer_curves["cnc"].getData()[0]) == 11  # ...but within REDRAW_MS


def test_a_replay_that_fails_or_is_cleared_never_raises(
    view: ChartsView, result: ExperimentResult, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gui.charts_view

    def broken(_result: Any) -> Any:
        raise ValueError("no engine today")

    monkeypatch.setattr(gui.charts_view, "replay_snapshots", broken)
    with qtbot.waitSignal(view.replayed, timeout=60000):
        view.set_result(result)
    assert not view.replaying and view.snapshots == ()
    assert "no engine today" in view.throughput.notice.toPlainText()
    assert len(view.state_bars) > 0  # the statistics are shown all the same
    monkeypatch.undo()
    # cleared while the replay runs: its snapshots are dropped when it ends
    view.set_result(result)
    view.clear()
    assert not view.replaying
    qtbot.wait(50)
    from gui.background import _RUNNING

    qtbot.waitUntil(lambda: not _RUNNING, timeout=60000)
    qtbot.wait(10)
    assert view.snapshots == ()


def test_buffer_lines_of_a_long_line_look_different(view: ChartsView) -> None:
    """More stations than colours: each buffer line still has its own colour and dash."""
    sc = scenarios.load(example_path("assembly_3c"))
    assert len(sc.stations) > 7
    view.set_scenario(sc)
    pens = [
        (curve.opts["pen"].color().name(), curve.opts["pen"].style())
        for curve in view.buffer_curves.values()
    ]
    assert len(set(pens)) == len(pens) == len(sc.stations)
    assert view.buffers.legend_labels() == [s.name for s in sc.stations]


def test_clear_empties_every_chart(view: ChartsView, result: ExperimentResult) -> None:
    view.set_result(result)
    bars = dict(view.state_bars)
    view.clear()
    assert view.snapshots == ()
    x, _y = view.wip_curve.getData()
    assert x is None or len(x) == 0
    assert all(len(b.opts["width"]) == 0 for b in view.state_bars.values())
    assert view.state_bars == bars


def test_export_images_writes_pngs(
    view: ChartsView, result: ExperimentResult, tmp_path: Path
) -> None:
    view.set_result(result)
    written = view.export_images(tmp_path / "charts")
    assert {p.name for p in written} == {f"charts_{k}.png" for k in view.panels()}
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    on_disk = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert on_disk == sorted(p.name for p in written)  # no temporary file left


def test_chinese_labels(view: ChartsView, result: ExperimentResult) -> None:
    view.set_result(result)
    i18n.set_language("zh_CN")
    assert "产出率" in view.throughput.plot.titleLabel.text
    assert "件/h" in view.throughput.plot.getAxis("left").labelText
    assert "仿真时间" in view.wip.plot.getAxis("bottom").labelText
    assert "待料" in view.states.legend_labels() or "加工中" in view.states.legend_labels()
    assert "资源利用率" in view.resources.plot.titleLabel.text
    assert view.throughput.legend_labels()[0] == "第 0 次重复"
    assert "每件合格品" in view.energy.plot.titleLabel.text
    i18n.set_language("en")
    assert view.throughput.plot.titleLabel.text == "Throughput"
    assert view.states.legend_labels()[0] == "busy"


def test_unknown_state_still_has_a_colour_and_label() -> None:
    assert state_color("waiting_crane").startswith("#")
    assert state_label("waiting_crane") == "waiting crane"
    # every state the engine names has its own entry
    from cells.battery import CHARGING_STATES
    from cells.equipment import RESOURCE_STATES, server_states
    from cells.walking import WALKING_STATES

    engine = {
        *server_states("robot", "operator"), *server_states("operator", "vehicle"),
        *RESOURCE_STATES, *WALKING_STATES, *CHARGING_STATES, "waiting_transport",
    }
    assert engine <= set(STATE_COLORS)


def test_every_text_of_the_charts_and_compare_views_has_a_chinese_translation() -> None:
    """Each literal passed to tr() in gui/colors.py, gui/charts_view.py and
    gui/compare_view.py has a zh_CN entry with the same {placeholders}."""
    import ast
    import string

    root = Path(__file__).resolve().parents[2] / "gui"
    table = i18n.catalogue("zh_CN")
    texts: list[str] = []
    for name in ("colors.py", "charts_view.py", "compare_view.py"):
        for node in ast.walk(ast.parse((root / name).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                texts.append(node.args[0].value)
    assert len(texts) > 80

    def fields(text: str) -> set[str]:
        return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f}

    missing = [t for t in texts if t not in table]
    assert missing == []
    assert [t for t in texts if fields(t) != fields(table[t])] == []
    # translated, not copied (only the difference header "{variant} − {baseline}" may stay)
    assert [t for t in texts if table[t] == t] == ["{variant} − {baseline}"]


def _right_click_menus(widget: Any, qtbot: Any) -> list[str]:
    """Right-click the middle of every pyqtgraph plot in ``widget``; the texts of the menus
    that open (pyqtgraph's own menu is English: "View All", "Export...", "Plot Options")."""
    from PyQt6.QtCore import QPoint, Qt
    from PyQt6.QtWidgets import QApplication, QMenu

    texts: list[str] = []
    views = widget.findChildren(pg.GraphicsView)
    if isinstance(widget, pg.GraphicsView):
        views.append(widget)
    assert views  # the scan finds the plots
    for view in views:
        for item in view.scene().items():
            if isinstance(item, pg.ViewBox) and item.isVisible():
                centre = view.mapFromScene(item.sceneBoundingRect().center())
                point = QPoint(int(centre.x()), int(centre.y()))
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=point)
                for menu in QApplication.topLevelWidgets():
                    if isinstance(menu, QMenu) and menu.isVisible():
                        texts += [a.text() for a in menu.actions() if a.text()]
                        menu.hide()
    return texts


def test_no_english_plot_menu_in_chinese(
    view: ChartsView, result: ExperimentResult, qtbot: Any
) -> None:
    """pyqtgraph's right-click menu (View All, Mouse Mode, Plot Options, Export...) cannot be
    translated by our catalogues; the charts have their own Export buttons, so the menu is
    turned off on every plot of the Charts and Compare tabs: a right click opens nothing."""
    from gui.compare_view import CompareView

    i18n.set_language("zh_CN")
    view.show()
    view.set_result(result)
    compare = CompareView()
    qtbot.addWidget(compare)
    compare.resize(1200, 900)
    compare.show()
    assert _right_click_menus(view, qtbot) == []
    assert _right_click_menus(compare, qtbot) == []
    # the check itself works: a plot with pyqtgraph's menu on shows English items
    plain = pg.PlotWidget()
    qtbot.addWidget(plain)
    plain.resize(300, 200)
    plain.show()
    assert "View All" in _right_click_menus(plain, qtbot)
