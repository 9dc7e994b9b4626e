"""The Compare tab shows a real comparison of ``phone_housing_cell`` (manual vs robots, 3
replications of a 1-day horizon on common random numbers): the KPI table holds each
variant's mean ± half-width and the paired differences of the Comparison (bold where the
interval excludes 0), the bar charts the means with the half-widths as error bars, the
cash-flow chart the cumulative mean cash flow with the payback marker where it crosses zero
(the crossing computed here by linear interpolation), the bottleneck line the engine's
sentence; "Export report…" writes the complete HTML report atomically, "Export charts…" PNG
files, and everything relabels in Chinese.
"""

from __future__ import annotations

import dataclasses
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PyQt6.QtWidgets import QTableWidget, QTableWidgetItem

import scenarios
from gui import i18n
from gui.compare_view import KEY_KPIS, CompareView
from scenarios.catalog import example_path
from simulator.bottleneck import bottleneck_moved
from simulator.compare import Comparison, economics_section, run_comparison
from simulator.report import comparison_report


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    found = scenarios.load_variants(example_path("phone_housing_cell"))
    short = {
        name: sc.model_copy(update={"horizon": 86400.0, "warmup": 4 * 3600.0})
        for name, sc in found.scenarios.items()
    }
    return run_comparison(dataclasses.replace(found, scenarios=short), replications=3, seed=11)


@pytest.fixture
def view(qtbot: Any, comparison: Comparison) -> CompareView:
    widget = CompareView()
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.set_comparison(comparison, "phone_housing_cell.yaml")
    return widget


def _item(table: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    item = table.item(row, col)
    assert item is not None, (row, col)
    return item


def _header(table: QTableWidget, col: int) -> str:
    item = table.horizontalHeaderItem(col)
    assert item is not None, col
    return item.text()


def _cells(table: QTableWidget) -> list[list[str]]:
    return [
        [_item(table, r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def _parse(text: str) -> tuple[float, float | None, float]:
    """``+1,234.5 ± 6.7`` -> (1234.5, 6.7, 0.05): the numbers and half a unit of the last
    decimal shown (the rounding tolerance)."""
    parts = text.replace(",", "").split("±")
    head = parts[0].strip()
    places = len(head.split(".")[1]) if "." in head else 0
    half = float(parts[1]) if len(parts) > 1 else None
    return float(head), half, 0.5 * 10.0**-places + 1e-12


def test_kpi_table_holds_the_comparisons_stats(view: CompareView, comparison: Comparison) -> None:
    table = view.kpi_table
    headers = [_header(table, c) for c in range(table.columnCount())]
    assert headers == ["KPI", "manual (baseline)", "robots", "robots − manual"]
    keys = list(comparison.results["manual"].kpis)
    assert table.rowCount() == len(keys) == 5
    for row, key in enumerate(keys):
        for col, variant in ((1, "manual"), (2, "robots")):
            stat = comparison.results[variant].kpis[key]
            mean, half, tol = _parse(_item(table, row, col).text())
            assert mean == pytest.approx(stat.mean, rel=0, abs=tol)
            assert half == pytest.approx(stat.half_width, rel=0, abs=tol)
        diff = comparison.differences["robots"][key]
        item = _item(table, row, 3)
        mean, half, tol = _parse(item.text())
        assert mean == pytest.approx(diff.mean, rel=0, abs=tol)
        assert half == pytest.approx(diff.half_width, rel=0, abs=tol)
        assert diff.mean is not None
        assert item.text().startswith("+") == (diff.mean > 0)
        assert diff.ci95 is not None
        excludes_zero = diff.ci95[0] > 0 or diff.ci95[1] < 0
        assert item.font().bold() == excludes_zero
    # the robots make more good parts per hour, significantly (the scenario's point)
    assert _item(table, 0, 3).font().bold()


def test_key_kpi_bars_with_error_bars(view: CompareView, comparison: Comparison) -> None:
    names = list(comparison.results)
    for key in KEY_KPIS:
        bars = view.kpi_bars(key)
        stats = [comparison.results[v].kpis[key] for v in names]
        heights = [float(bar.opts["height"][0]) for bar in bars]
        assert heights == pytest.approx([s.mean for s in stats], rel=1e-12)
        assert [float(bar.opts["x"][0]) for bar in bars] == [0.0, 1.0]
        errors = view.kpi_errors(key).opts
        halves = [float(s.half_width or 0.0) for s in stats]
        np.testing.assert_allclose(errors["top"], halves, rtol=1e-12)
        np.testing.assert_allclose(errors["y"], [float(s.mean or 0.0) for s in stats], rtol=1e-12)
        assert view.kpi_panels[key].legend_labels() == names


def test_payback_marker_at_the_crossing(view: CompareView, comparison: Comparison) -> None:
    flows = economics_section(comparison)["robots"]["cash_flows"]
    cumulative = list(accumulate(flows))
    assert cumulative[0] < 0 < cumulative[-1]
    year = next(t for t in range(1, len(cumulative)) if cumulative[t] >= 0)
    before, after = cumulative[year - 1], cumulative[year]
    expected = year - 1 + (0.0 - before) / (after - before)
    x, y = view.payback_markers.getData()
    assert list(x) == pytest.approx([expected], rel=1e-12)
    assert list(y) == [0.0]
    assert view.payback_points == {"robots": pytest.approx(expected, rel=1e-12)}
    (curve,) = [c for c in view.cash_curves() if c.getData()[0] is not None and len(c.getData()[0])]
    cx, cy = curve.getData()
    assert list(cx) == list(range(len(flows)))
    assert list(cy) == pytest.approx(cumulative, rel=1e-12)
    assert view.cash.legend_labels() == ["robots", "cash payback"]
    assert "CNY" in view.cash.plot.getAxis("left").labelText


def test_investment_and_bottleneck(view: CompareView, comparison: Comparison) -> None:
    economics = economics_section(comparison)
    rows = {r[0]: r[1:] for r in _cells(view.investment_table)}
    assert rows["headcount (people)"] == ["10", "4"]
    payback = economics["robots"]["payback_years"]["mean"]
    assert rows["payback (years)"][1] == f"{payback:.2f}"
    base = comparison.results["manual"].bottleneck
    mine = comparison.results["robots"].bottleneck
    assert base is not None and mine is not None
    lines = view.bottleneck_label.text().splitlines()
    assert lines[1] == "robots: the bottleneck " + bottleneck_moved(base, mine)
    assert base.ranking[0] in lines[0]


def test_export_report_writes_the_complete_html(
    view: CompareView, comparison: Comparison, tmp_path: Path, dialogs: Any, qtbot: Any
) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    view.export_report(target)
    text = target.read_text(encoding="utf-8")
    assert text == comparison_report(comparison, "phone_housing_cell.yaml")
    assert text.lstrip().lower().startswith("<!doctype html") and text.rstrip().endswith("</html>")
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left
    # through the button: the report is written in a thread, the button disabled meanwhile
    second = tmp_path / "via-button.html"
    dialogs.files.append(str(second))
    with qtbot.waitSignal(view.report_written, timeout=60000) as written:
        view.export_report_button.click()
        assert view.exporting and not view.export_report_button.isEnabled()
        assert not view.start_export_report(tmp_path / "twice.html")  # one at a time
    assert written.args == [str(second)]
    qtbot.waitUntil(lambda: not view.exporting)
    assert view.export_report_button.isEnabled()
    assert second.read_text(encoding="utf-8") == text
    assert str(second) in view.export_status.text()
    # a folder that does not exist: a message, no file, no exception
    dialogs.files.append(str(tmp_path / "missing" / "r.html"))
    with qtbot.waitSignal(view.report_failed, timeout=60000):
        view.export_report_button.click()
    qtbot.waitUntil(lambda: not view.exporting)
    assert dialogs.kinds()[-1] == "warning"
    assert not (tmp_path / "missing").exists()
    assert view.export_report_button.isEnabled()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "via-button.html"]


def test_export_in_a_thread_keeps_the_window_responsive(
    view: CompareView, tmp_path: Path, qtbot: Any
) -> None:
    """The report (replication 0 of each variant re-run, about a second per variant) is
    rendered off the GUI thread: the call returns before the file exists, and a 10 ms timer
    of the GUI thread keeps firing until it is written."""
    from PyQt6.QtCore import QTimer

    ticks: list[bool] = []
    target = tmp_path / "r.html"
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(target.exists()))
    timer.start()
    with qtbot.waitSignal(view.report_written, timeout=60000):
        assert view.start_export_report(target)
        assert not target.exists()
    timer.stop()
    qtbot.waitUntil(lambda: not view.exporting)
    # the GUI thread ran its timer while the report was being written (a blocking export
    # would give at most one tick before the file exists)
    assert ticks.count(False) >= 10, len(ticks)
    assert target.read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_export_charts_writes_pngs(view: CompareView, tmp_path: Path, dialogs: Any) -> None:
    written = view.export_charts(tmp_path / "png")
    names = {p.name for p in written}
    assert names == {f"compare_{k}.png" for k in KEY_KPIS} | {"compare_cash_flow.png"}
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 3000
    dialogs.files.append(str(tmp_path / "button"))
    view.export_charts_button.click()
    assert {p.name for p in (tmp_path / "button").iterdir()} == names


def test_chinese_labels(view: CompareView) -> None:
    i18n.set_language("zh_CN")
    assert view.export_report_button.text() == "导出报告…"
    assert view.export_charts_button.text() == "导出图表…"
    table = view.kpi_table
    assert _header(table, 0) == "指标"
    assert _header(table, 1) == "manual (基准)"
    assert _item(table, 0, 0).text() == "产出率 (件/h)"
    assert "累计现金流" in view.cash.plot.titleLabel.text
    assert view.cash.legend_labels()[-1] == "现金投资回收点"
    assert view.kpi_panels["cycle_time_s"].plot.getAxis("bottom").labelText == "方案"
    assert "瓶颈" in view.bottleneck_label.text()
    i18n.set_language("en")
    assert view.export_report_button.text() == "Export report…"


def test_clear_and_empty_state(view: CompareView) -> None:
    view.clear()
    assert view.kpi_table.rowCount() == 0
    assert not view.export_report_button.isEnabled()
    assert all(len(b.opts["height"]) == 0 for key in KEY_KPIS for b in view.kpi_bars(key))
    assert len(view.payback_markers.getData()[0]) == 0
    with pytest.raises(RuntimeError):
        view.export_report("x.html")
