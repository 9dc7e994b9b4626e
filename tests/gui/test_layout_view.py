"""The layout view draws what the run's snapshots say, and edits go out in metres.

Pinned down here: every station, buffer, resource, vehicle, conveyor and layout point of a
shipped scenario gets an item; the colours, counts and buffer fills shown are the snapshot's
(read from the items and from the rendered pixels); the slider and ``show_time`` show the
snapshot in force at the chosen time; part dots come only from the stations' finished-part
counts, conveyor parts ride at the belt's speed and vehicles drive their trip with the engine's
motion profile; dragging a station emits its new position in metres; a click shows the unit's
statistics; the legend and the bar switch to Chinese. The snapshot fields the view relies on
(``simulator.model``: vehicles' trips, belt positions, shares) are checked against the layout
and the engine's own trip-time formula.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QColor, QImage, QPainter

import scenarios
from gui import i18n
from gui.colors import state_color, state_label
from gui.layout_items import BOX_H, BOX_W, ordered_counts
from gui.layout_view import LayoutView
from gui.playback import TRAVEL_SHARE, FloorPlan, transfers, trip_distance
from scenarios.flow import trip_time_s
from simulator.model import Snapshot, StationSnapshot
from simulator.session import RunSession


def _scenario(name: str) -> scenarios.Scenario:
    return scenarios.load(scenarios.example_path(name))


def _run(scenario: scenarios.Scenario, step_s: float, count: int) -> list[Snapshot]:
    session = RunSession(scenario, 0, 7)
    return [session.advance(step_s) for _ in range(count)]


@pytest.fixture
def view(qtbot: Any) -> LayoutView:
    widget = LayoutView()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    return widget


@pytest.mark.parametrize("name", ["phone_housing_cell", "cnc_cell_agv"])
def test_every_unit_of_a_shipped_scenario_gets_an_item(view: LayoutView, name: str) -> None:
    sc = _scenario(name)
    view.set_scenario(sc)
    stations = [s.name for s in sc.stations]
    assert list(view.station_items) == stations
    assert list(view.buffer_items) == stations
    for s in sc.stations:
        assert view.buffer_items[s.name].capacity == s.buffer
    people = [r.name for r in sc.resources if r.kind != "vehicle"]
    assert list(view.resource_items) == people
    fleets = [r for r in sc.resources if r.kind == "vehicle"]
    vehicles = [f"{r.name}.{i + 1}" for r in fleets for i in range(r.count)]
    assert vehicles and list(view.vehicle_items) == vehicles
    assert sc.layout is not None
    assert list(view.point_items) == list(sc.layout.points)
    belts = [s.name for s in sc.stations if s.conveyor is not None]
    assert list(view.conveyor_items) == belts
    # a station standing at a layout point is drawn at that point (box lifted above it)
    for s in sc.stations:
        if s.at is not None:
            x, y = sc.layout.points[s.at]
            assert view.to_metres(view.scene_position(s.name)) == pytest.approx((x, y))
    # every item is inside the scene, and nothing overlaps a station box
    rect = view.scene.sceneRect()
    for item in view.scene.items():
        assert rect.contains(item.sceneBoundingRect())
    boxes = [i.sceneBoundingRect() for i in view.station_items.values()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.intersects(b)


def test_snapshots_drive_state_colours_and_buffer_fills(view: LayoutView) -> None:
    sc = _scenario("phone_housing_cell")
    view.set_scenario(sc)
    snaps = _run(sc, 600.0, 200)
    for snap in snaps:
        view.add_snapshot(snap)
    assert view.live and view.current_snapshot() is snaps[-1]  # hidden and live: the newest
    caps = {s.name: s.buffer for s in sc.stations}
    partly = [
        k
        for k, snap in enumerate(snaps)
        if any(0 < st.queue < (caps[st.name] or 0) for st in snap.stations)
    ]
    assert partly  # the run fills a buffer partly at some point
    checked_fill = False
    for k in (5, partly[0], partly[-1], 150, 199):
        snap = snaps[k]
        view.show_time(snap.time_s)
        assert view.current_snapshot() is snap
        for st in snap.stations:
            item = view.station_items[st.name]
            assert item.counts == st.states
            assert sum(item.counts.values()) == item.servers
            buf = view.buffer_items[st.name]
            assert buf.queue == st.queue
            if buf.capacity:
                assert buf.fill == pytest.approx(st.queue / buf.capacity)
                checked_fill = checked_fill or 0 < st.queue < buf.capacity
                assert buf.text() == f"{st.queue}/{buf.capacity}"
        for rs in snap.resources:
            if rs.name in view.resource_items:
                assert view.resource_items[rs.name].counts == rs.states
            for v in rs.vehicles:
                assert view.vehicle_items[v.name].state == v.state
        # the pixels: the state bar's first segment has the first state's colour
        cnc = view.station_items["cnc"]
        image = QImage(int(BOX_W) + 8, int(BOX_H) + 8, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.translate(BOX_W / 2 + 4, BOX_H / 2 + 4)
        cnc.paint(painter, None)
        painter.end()
        first_state, _ = ordered_counts(cnc.counts)[0]
        column = [image.pixelColor(16, y).name() for y in range(image.height())]
        assert state_color(first_state) in column, (first_state, cnc.counts)
    assert checked_fill  # a partly filled buffer was seen


def test_slider_and_show_time_show_the_chosen_snapshot(view: LayoutView) -> None:
    sc = _scenario("cnc_cell_agv")
    view.set_scenario(sc)
    snaps = _run(sc, 300.0, 40)
    for snap in snaps:
        view.add_snapshot(snap)
    assert view.slider.maximum() == len(snaps) - 1
    view.slider.setValue(12)
    assert not view.live
    assert view.current_snapshot() is snaps[12]
    assert view.display_time == snaps[12].time_s
    # between two snapshots the earlier one is in force
    view.show_time(snaps[20].time_s + 299.0)
    assert view.current_snapshot() is snaps[20]
    assert view.slider.value() == 20
    # before the first and after the last: clamped to the run
    view.show_time(-5.0)
    assert view.current_snapshot() is snaps[0]
    view.show_time(1e12)
    assert view.current_snapshot() is snaps[-1]
    # Live goes back to the newest
    view.live_button.click()
    assert view.live and view.current_snapshot() is snaps[-1]
    view.clear_run()
    assert view.current_snapshot() is None and view.slider.maximum() == 0


def test_part_dots_come_only_from_finished_part_counts() -> None:
    def snap(t: float, done: tuple[int, int]) -> Snapshot:
        stations = tuple(
            StationSnapshot(name, 0, 0, 1, 0, {"starved": 1}, completed=c)
            for name, c in zip(("a", "b"), done, strict=True)
        )
        return Snapshot(t, 1000.0, False, 0, 0, stations, measured_from_s=0.0)

    paths = {"a": ((0.0, 0.0), (100.0, 0.0)), "b": ((200.0, 0.0), (300.0, 0.0))}
    none = transfers(snap(100.0, (3, 1)), snap(200.0, (3, 1)), paths)
    assert len(none) == 0 and len(none.positions(150.0)) == 0
    moved = transfers(snap(100.0, (3, 1)), snap(200.0, (8, 2)), paths)
    assert len(moved) == 5 + 1
    travel = TRAVEL_SHARE * 100.0
    # a's five dots leave at 100, 112, 124, 136, 148 s and each travels 40 s
    at = moved.positions(130.0)
    expected = sorted(100.0 * (130.0 - d) / travel for d in (100.0, 112.0, 124.0))
    expected.append(200.0 + 100.0 * (130.0 - 100.0) / travel)  # b's one dot
    assert sorted(float(x) for x in at[:, 0]) == pytest.approx(sorted(expected))
    assert len(moved.positions(200.0 + 1e-9)) == 0  # every dot has arrived by t1
    # not drawn for a station whose parts a vehicle or a belt carries
    assert len(transfers(snap(100.0, (3, 1)), snap(200.0, (8, 2)), {"b": paths["b"]})) == 1


def test_vehicles_drive_their_trip_and_belt_parts_ride_at_belt_speed(view: LayoutView) -> None:
    sc = _scenario("cnc_cell_agv")
    assert sc.layout is not None
    view.set_scenario(sc)
    snaps = _run(sc, 40.0, 600)
    for snap in snaps:
        view.add_snapshot(snap)
    plan = FloorPlan.of(sc)
    agv = next(r for r in sc.resources if r.kind == "vehicle")
    assert agv.speed is not None
    trips = 0
    belts = 0
    for k, snap in enumerate(snaps[:-1]):
        nxt = snaps[k + 1].time_s
        for v in snap.resources[0].vehicles:
            if not v.depart_s < snap.time_s < v.arrive_s:
                continue
            corners = plan.route(v.origin, v.point)
            length = sum(math.dist(a, b) for a, b in itertools.pairwise(corners))
            # the engine's trip time along the shortest aisles
            assert v.arrive_s - v.depart_s == pytest.approx(
                trip_time_s(length, agv.speed, agv.acceleration)
            )
            t = min(nxt - 1e-6, (snap.time_s + v.arrive_s) / 2)
            view.show_time(t)
            pos = view.vehicle_items[v.name].pos()
            s = trip_distance(t - v.depart_s, length, agv.speed, agv.acceleration)
            # walk the corners independently to the expected point
            for a, b in itertools.pairwise(corners):
                d = math.dist(a, b)
                if s <= d:
                    f = s / d if d else 0.0
                    want = view.to_scene(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
                    break
                s -= d
            assert (pos.x(), pos.y()) == pytest.approx((want.x(), want.y()), abs=1e-6)
            trips += 1
        inspect = next(st for st in snap.stations if st.name == "inspect")
        if inspect.conveyor and inspect.conveyor[0] < 0.5:
            conveyor = next(s for s in sc.stations if s.name == "inspect").conveyor
            assert conveyor is not None
            dt = min(10.0, nxt - snap.time_s - 1e-6)
            view.show_time(snap.time_s + dt)
            belt = view.conveyor_items["inspect"]
            head = belt.point_at(inspect.conveyor[0] + dt / conveyor.travel_s)
            points = view.parts_item.points
            assert any(
                abs(points[i].x() - head.x()) < 1e-6 and abs(points[i].y() - head.y()) < 1e-6
                for i in range(points.size())
            )
            belts += 1
    assert trips >= 5 and belts >= 3


def test_snapshot_fields_for_the_view_are_consistent() -> None:
    sc = _scenario("cnc_cell_agv")
    session = RunSession(sc, 0, 3)
    parked: dict[str, tuple[str, float]] = {}  # vehicle -> (point, seen at time)
    departures = 0
    for _ in range(2000):  # 5 s apart: less than any trip plus a handling
        snap = session.advance(5.0)
        (fleet,) = snap.resources
        for v in fleet.vehicles:
            if v.depart_s < v.arrive_s:
                # a trip that began after the vehicle was seen standing at a point starts
                # there (empty or loaded): the vehicle records where it left from
                where = parked.get(v.name)
                if where is not None and v.depart_s >= where[1]:
                    assert v.origin == where[0], (v, where)
                    departures += 1
                parked.pop(v.name, None)
            else:
                parked[v.name] = (v.point, snap.time_s)
    assert departures >= 20
    session = RunSession(sc, 0, 3)
    for _ in range(50):
        snap = session.advance(500.0)
        for st in snap.stations:
            assert math.fsum(st.shares.values()) == pytest.approx(1.0)
            assert all(0.0 <= f <= 1.0 for f in st.conveyor)
            assert list(st.conveyor) == sorted(st.conveyor, reverse=True)  # oldest first
            assert len(st.conveyor) <= 30
        (fleet,) = snap.resources
        assert math.fsum(fleet.shares.values()) == pytest.approx(1.0)
        assert sum(1 for v in fleet.vehicles) == 3
        for v in fleet.vehicles:
            assert v.depart_s <= snap.time_s <= v.arrive_s or v.depart_s == v.arrive_s
            assert 0 <= v.load <= 2
            if v.state == "travel_loaded":
                assert v.origin == "cnc_out" and v.point == "wash_in"


def test_dragging_a_station_emits_its_position_in_metres(view: LayoutView, qtbot: Any) -> None:
    sc = _scenario("phone_housing_cell")
    view.set_scenario(sc)
    view.show()
    qtbot.waitExposed(view)
    item = view.station_items["cnc"]
    assert view.to_metres(item.pos()) == pytest.approx((40.0, 0.0))
    port = view.graphics.viewport()
    assert port is not None
    redrawn: list[str] = []

    def redraw(name: str, _x: float, _y: float) -> None:  # as the main window does
        view.set_scenario(sc)
        redrawn.append(name)

    view.station_moved.connect(redraw)
    start = view.graphics.mapFromScene(item.pos() + QPointF(0, -10))
    end = start + QPoint(60, 40)
    with qtbot.waitSignal(view.station_moved, timeout=2000) as moved:
        qtbot.mousePress(port, Qt.MouseButton.LeftButton, pos=start)
        for i in range(1, 7):
            qtbot.mouseMove(port, start + (end - start) * (i / 6))
        qtbot.mouseRelease(port, Qt.MouseButton.LeftButton, pos=end)
    name, x_m, y_m = moved.args
    assert name == "cnc"
    scale = view.graphics.transform().m11()
    # 60 px right and 40 px down on screen, in metres (y of the floor points up)
    assert x_m == pytest.approx(40.0 + 60 / scale / view.scale_px, abs=0.05)
    assert y_m == pytest.approx(0.0 - 40 / scale / view.scale_px, abs=0.05)
    # the slot redrew the floor plan from the (unchanged) scenario: cnc is back at its point
    assert redrawn == ["cnc"]
    assert view.to_metres(view.scene_position("cnc")) == pytest.approx((40.0, 0.0))


def test_click_shows_the_units_statistics(view: LayoutView, qtbot: Any) -> None:
    sc = _scenario("phone_housing_cell")
    view.set_scenario(sc)
    view.show()
    qtbot.waitExposed(view)
    assert "Click a station" in view.details_text()
    snaps = _run(sc, 900.0, 120)
    for snap in snaps:
        view.add_snapshot(snap)
    view.show_time(snaps[-1].time_s)
    port = view.graphics.viewport()
    assert port is not None
    probe = view.station_items["probe"]
    qtbot.mouseClick(
        port,
        Qt.MouseButton.LeftButton,
        pos=view.graphics.mapFromScene(probe.pos()),
    )
    text = view.details_text()
    st = next(s for s in snaps[-1].stations if s.name == "probe")
    assert "probe" in text and "Station" in text
    assert f"Parts finished: {st.completed}" in text
    assert f"Utilization so far: {st.shares['busy']:.1%}" in text
    span = snaps[-1].time_s - snaps[-1].measured_from_s
    assert f"{st.completed / span * 3600:.1f} parts/h" in text
    ops = view.resource_items["operators"]
    qtbot.mouseClick(
        port,
        Qt.MouseButton.LeftButton,
        pos=view.graphics.mapFromScene(ops.pos()),
    )
    rs = next(r for r in snaps[-1].resources if r.name == "operators")
    working = rs.shares["tending"] + rs.shares["operating"] + rs.shares.get("repairing", 0.0)
    assert working > 0.01
    assert "operators" in view.details_text()
    assert f"Utilization so far: {working:.1%}" in view.details_text()


def test_chinese_legend_and_bar_after_set_language(view: LayoutView) -> None:
    sc = _scenario("phone_housing_cell")
    view.set_scenario(sc)
    english = view.legend_labels()
    assert state_label("busy") in english and "buffer fill" in english
    i18n.set_language("zh_CN")
    chinese = view.legend_labels()
    assert "加工中" in chinese and "待料" in chinese and "等待操作工" in chinese
    assert "缓冲区占用" in chinese
    assert len(chinese) == len(english)
    assert view.play_button.text() == "播放" and view.legend_box.title() == "图例"
    assert view.live_button.text() == "实时"
    i18n.set_language("en")
    assert view.legend_labels() == english


def test_live_follows_the_newest_snapshot_and_play_stops_at_the_end(
    view: LayoutView, qtbot: Any
) -> None:
    sc = _scenario("cnc_cell_agv")
    view.set_scenario(sc)
    view.show()
    qtbot.waitExposed(view)
    snaps = _run(sc, 120.0, 30)
    view.add_snapshot(snaps[0])
    assert view.current_snapshot() is snaps[0]
    for snap in snaps[1:]:
        view.add_snapshot(snap)
        qtbot.wait(5)
    # the frame timer catches up with the newest snapshot and stops there
    qtbot.waitUntil(lambda: view.display_time == snaps[-1].time_s, timeout=5000)
    assert view.current_snapshot() is snaps[-1]
    qtbot.waitUntil(lambda: not view.timer.isActive(), timeout=1000)
    # play from the start: time runs forwards at the chosen speed and stops at the end
    view.speed_box.setCurrentIndex(view.speed_box.count() - 1)
    view.show_time(snaps[0].time_s)
    view.toggle_play()
    assert view.playing and not view.live and view.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: view.display_time > snaps[0].time_s, timeout=2000)
    qtbot.waitUntil(lambda: not view.playing, timeout=5000)
    assert view.display_time == snaps[-1].time_s and view.play_button.text() == "Play"


def test_every_text_of_the_layout_view_has_a_chinese_translation() -> None:
    import ast
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "gui"
    table = json.loads((root / "locale" / "zh_CN" / "layout.json").read_text(encoding="utf-8"))
    literals: set[str] = set()
    for module in ("layout_view.py", "layout_items.py", "playback.py"):
        for node in ast.walk(ast.parse((root / module).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                literals.add(node.args[0].value)
    assert len(literals) > 30
    catalogue = i18n.catalogue("zh_CN")
    for text in literals:
        assert text in table or text in catalogue, text
        chinese = catalogue[text]
        assert chinese and chinese != text, text
        fields = re.compile(r"\{(\w+)[^}]*\}")
        assert sorted(fields.findall(chinese)) == sorted(fields.findall(text)), text
    unused = set(table) - literals
    assert not unused


def _expected_buffer(snaps: list[Snapshot], i: int, name: str, places: int) -> tuple[float, float]:
    """Time-average level and share of time full of ``name``'s buffer from the start of the
    measured period of ``snaps[i]`` to it, each recorded level held until the next snapshot."""
    times = np.array([s.time_s for s in snaps[: i + 1]])
    queue = np.array([next(st.queue for st in s.stations if st.name == name) for s in snaps])
    start = max(snaps[i].measured_from_s, times[0])
    held = np.diff(np.clip(times, start, times[-1]))  # time each level was held, measured part
    span = times[-1] - start
    return float(queue[:i] @ held / span), float(held[queue[:i] >= places].sum() / span)


def test_a_buffer_shows_its_own_statistics(view: LayoutView) -> None:
    """Selecting a buffer shows the buffer's places, its level now and its time-average level
    and share of time full since the measured period started (not its station's statistics);
    the figures follow the snapshot in force, computed here from the snapshots."""
    sc = _scenario("phone_housing_cell")
    view.set_scenario(sc)
    snaps = _run(sc, 900.0, 120)  # warm-up ends at 86,400 s = snapshot 95; then 24 more
    for snap in snaps:
        view.add_snapshot(snap)
    places = next(s.buffer for s in sc.stations if s.name == "cnc")
    assert places == 24
    for i in (len(snaps) - 1, 60):  # after warm-up (since its end) and during it
        view.show_time(snaps[i].time_s)
        view.select(("buffer", "cnc"))
        text = view.details_text()
        mean, full = _expected_buffer(snaps, i, "cnc", places)
        queue = next(st.queue for st in snaps[i].stations if st.name == "cnc")
        assert "Buffer" in text and "Places: 24" in text
        assert f"Parts waiting now: {queue}" in text
        assert f"Mean level: {mean:.2f} parts" in text
        assert f"Full: {full:.1%} of the time" in text
        assert "Parts finished" not in text and "Utilization" not in text  # not the station's
        assert 0.0 < full < 1.0 and 0.0 < mean < places  # the figures are not trivial
    assert "since the end of warm-up" not in text and "since the start of the run" in text
    view.show_time(snaps[-1].time_s)
    i18n.set_language("zh_CN")
    assert "平均存量" in view.details_text() and "缓冲位：24" in view.details_text()
