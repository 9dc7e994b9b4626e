"""The layout view: the line's floor plan, animated from the snapshots of a run.

``LayoutView`` draws the stations (boxes coloured by the state of their units, with the
count in each state), the buffers in front of them (fill bars with counts), operators and
robots (one disc per unit), the layout's points and aisles, vehicles driving along them,
conveyors, and the parts moving between stations — from the scenario's ``layout``
coordinates where a station stands ``at`` a point, else in an automatic left-to-right row
(:class:`gui.playback.FloorPlan`). Below it, a playback bar: play/pause, speed, a slider over
the recorded snapshots, and *Live*, which follows the newest snapshot of a running run. On the
right, the legend of state colours (:mod:`gui.colors`, shared with the charts) and the
details of the unit last clicked: its state now and its shares of time and utilization so far
(from the snapshot in force), its parts finished.

What moves is what the snapshots say (:mod:`gui.playback`): a station's parts finished
between two snapshots travel to the next station as dots during that interval; parts on a
conveyor ride at the belt's speed from the positions the snapshot gives; a vehicle drives its
trip (from, to, when it left, when it arrives) with the engine's motion profile. One
``QTimer`` drives every animation frame; the station, buffer and resource items are cached
pixmaps repainted only when a snapshot changes them, and all the moving parts are one item.

Dragging a station emits ``station_moved(name, x_m, y_m)`` with its new position in metres;
the main window turns it into a document edit.
"""

from __future__ import annotations

import html
import itertools
import math
import time

from PyQt6.QtCore import QPointF, QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QHideEvent, QPainter, QResizeEvent, QShowEvent, QWheelEvent
from PyQt6.QtWidgets import (
    QComboBox,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import i18n
from gui.colors import STATE_ORDER, state_color, state_label
from gui.i18n import tr
from gui.layout_items import (
    BOX_H,
    BOX_W,
    BUFFER_W,
    BufferItem,
    ConveyorItem,
    ExitItem,
    FlowItem,
    PartsItem,
    PointItem,
    ResourceItem,
    StationItem,
    VehicleItem,
)
from gui.playback import (
    FloorPlan,
    Timeline,
    Transfers,
    buffer_levels,
    transfers,
    trip_distance,
)
from scenarios import Scenario
from simulator.model import Snapshot

__all__ = ["SPEEDS", "LayoutView"]

SPEEDS: tuple[float, ...] = (1.0, 10.0, 60.0, 300.0, 1800.0, 3600.0, 14400.0)
"""Playback speeds offered, in simulated seconds per second."""
DEFAULT_SPEED = 300.0
FRAME_MS = 30
"""Interval of the animation timer (about 33 frames per second)."""
LIFT = 80.0
"""How far above its floor point a station's box is drawn (scene pixels): the point, where
vehicles dock, stays visible under the box."""
WORKING = ("tending", "operating", "repairing", "walking", "travel_empty", "travel_loaded")
"""Resource and vehicle states that count as working (with ``handling``), as the engine's
utilization counts them."""


def utilization(kind: str, shares: dict[str, float]) -> float:
    """Utilization from state shares: ``busy`` for a station; the working states for a
    resource or a fleet (as ``cells.resources``, ``cells.walking``, ``cells.vehicles``)."""
    if kind == "station":
        return shares.get("busy", 0.0)
    return math.fsum(shares.get(s, 0.0) for s in (*WORKING, "handling"))


def format_time(t_s: float) -> str:
    """A simulated time as the day of the run and the clock (``day 2, 08:13:20``)."""
    t = max(0.0, t_s)
    day = int(t // 86400)
    rest = int(t - day * 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return tr("day {day}, {clock}").format(day=day + 1, clock=clock)


class _FloorView(QGraphicsView):
    """The graphics view: fits the floor plan into the window until the user zooms (wheel)."""

    def __init__(self, scene: QGraphicsScene, parent: QWidget) -> None:
        super().__init__(scene, parent)
        self.zoomed = False
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setBackgroundBrush(QColor("#ffffff"))
        self.setMinimumSize(320, 220)

    def fit(self) -> None:
        """Show the whole floor plan (at most at 1.6× its natural size)."""
        scene = self.scene()
        if scene is None:
            return
        rect = scene.sceneRect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.6:
            self.resetTransform()
            self.scale(1.6, 1.6)
            self.centerOn(rect.center())

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        if not self.zoomed:
            self.fit()

    def wheelEvent(self, event: QWheelEvent | None) -> None:
        if event is None:
            return
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.zoomed = True
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scale(factor, factor)


class LayoutView(QWidget):
    """The floor plan of a scenario, with playback of a run's snapshots (module docstring).

    API: :meth:`set_scenario`, :meth:`clear_run`, :meth:`add_snapshot`, :meth:`show_time`;
    signal ``station_moved(name, x_m, y_m)``."""

    station_moved = pyqtSignal(str, float, float)
    """A station was dragged to (x, y), in metres on the floor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenario: Scenario | None = None
        self.plan: FloorPlan | None = None
        self.scale_px = 10.0
        """Scene pixels per metre."""
        self.timeline = Timeline()
        self.station_items: dict[str, StationItem] = {}
        self.buffer_items: dict[str, BufferItem] = {}
        self.resource_items: dict[str, ResourceItem] = {}
        self.vehicle_items: dict[str, VehicleItem] = {}
        self.conveyor_items: dict[str, ConveyorItem] = {}
        self.point_items: dict[str, PointItem] = {}
        self.exit_item: ExitItem | None = None
        self.parts_item = PartsItem()
        self._flows: dict[str, FlowItem] = {}
        self._stubs: dict[str, FlowItem] = {}
        self._next: dict[str, str | None] = {}
        self._carried: set[str] = set()
        self._belts: dict[str, tuple[float, float]] = {}  # station -> (transit s, gap fraction)
        self._fleets: dict[str, tuple[float, float | None]] = {}  # speed m/s, acceleration
        self._time = 0.0
        self._index = -1
        self._segment: Transfers = Transfers.empty()
        self._segment_index = -2
        self._live = True
        self._playing = False
        self._speed = DEFAULT_SPEED
        self._live_rate = DEFAULT_SPEED
        self._last_add: float | None = None
        self._last_frame = time.perf_counter()
        self._selected: tuple[str, ...] | None = None
        self._seen_states: set[str] = set()
        self._legend_states: tuple[str, ...] = ()
        self._updating_slider = False
        self._building = False

        self.scene = QGraphicsScene(self)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.graphics = _FloorView(self.scene, self)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._frame)

        # playback bar
        self.play_button = QToolButton(self)
        self.play_button.clicked.connect(self.toggle_play)
        self.live_button = QToolButton(self)
        self.live_button.setCheckable(True)
        self.live_button.setChecked(True)
        self.live_button.clicked.connect(self._live_clicked)
        self.speed_label = QLabel(self)
        self.speed_box = QComboBox(self)
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed_box.currentIndexChanged.connect(self._speed_changed)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._slider_moved)
        self.time_label = QLabel(self)
        self.time_label.setMinimumWidth(220)
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.live_button)
        bar.addWidget(self.speed_label)
        bar.addWidget(self.speed_box)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time_label)

        # legend and details
        self.legend_box = QGroupBox(self)
        self.legend_grid = QGridLayout(self.legend_box)
        self.legend_grid.setHorizontalSpacing(6)
        self.legend_grid.setVerticalSpacing(2)
        self.details_box = QGroupBox(self)
        self.details = QLabel(self.details_box)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details_layout = QVBoxLayout(self.details_box)
        details_layout.addWidget(self.details)
        side = QVBoxLayout()
        side.addWidget(self.legend_box)
        side.addWidget(self.details_box, 1)
        side_widget = QWidget(self)
        side_widget.setLayout(side)
        side_widget.setFixedWidth(330)
        side_widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

        top = QHBoxLayout()
        top.addWidget(self.graphics, 1)
        top.addWidget(side_widget)
        outer = QVBoxLayout(self)
        outer.addLayout(top, 1)
        outer.addLayout(bar)

        i18n.notifier.changed.connect(self.retranslate)
        self.retranslate()

    # -- public API --------------------------------------------------------------------------
    def set_scenario(self, scenario: Scenario) -> None:
        """Draw ``scenario``'s floor plan. The recorded run is kept when the scenario has the
        same stations (an edit such as a drag), else cleared."""
        same = self.scenario is not None and [s.name for s in self.scenario.stations] == [
            s.name for s in scenario.stations
        ]
        self.scenario = scenario
        self._build()
        if not same:
            self.clear_run()
        else:
            self._index = -1
            self._segment_index = -2
            self._apply_time(self._time)

    def clear_plan(self) -> None:
        """No floor plan: the file has problems, so there is no scenario to draw. The scene
        is emptied (the previous file's stations must not stay on screen) and shows a note
        saying how to get the plan back; the next :meth:`set_scenario` draws again."""
        self.scenario = None
        self._selected = None
        self.scene.blockSignals(True)
        self.scene.clearSelection()
        self.scene.clear()
        self.scene.blockSignals(False)
        for items in (
            self.station_items, self.buffer_items, self.resource_items, self.vehicle_items,
            self.conveyor_items, self.point_items,
        ):
            items.clear()
        for extra in (self._flows, self._stubs, self._belts, self._fleets):
            extra.clear()
        self.parts_item = PartsItem()
        self.scene.addItem(self.parts_item)
        self.no_plan_note = self.scene.addText("")
        self._retranslate_no_plan()
        self.clear_run()
        self._fit_scene()
        self._refresh_legend()

    def _retranslate_no_plan(self) -> None:
        note = getattr(self, "no_plan_note", None)
        if self.scenario is None and note is not None:
            note.setPlainText(tr("Fix the problems in the Editor to see the floor plan"))

    def clear_run(self) -> None:
        """Forget the recorded snapshots (a new run starts); the view goes back to live."""
        self.timeline.clear()
        self._time = 0.0
        self._index = -1
        self._segment = Transfers.empty()
        self._segment_index = -2
        self._last_add = None
        self._seen_states.clear()
        self._set_live(True)
        self._update_slider()
        self._apply_time(0.0)

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Append ``snapshot`` to the run's timeline. When live the view follows it: at once
        while the view is hidden, else the frame timer plays the interval up to it at the
        pace the snapshots come in (catching up within about half a second)."""
        previous = self.timeline.end if len(self.timeline) else None
        if not self.timeline.add(snapshot):
            return
        now = time.perf_counter()
        if previous is not None and self._last_add is not None and now > self._last_add:
            rate = (snapshot.time_s - previous) / (now - self._last_add)
            self._live_rate = 0.7 * self._live_rate + 0.3 * max(rate, 1e-3)
        self._last_add = now
        for st in snapshot.stations:
            self._seen_states.update(s for s, n in st.states.items() if n > 0)
        for rs in snapshot.resources:
            self._seen_states.update(s for s, n in rs.states.items() if n > 0)
        self._refresh_legend()
        self._update_slider()
        if self._live:
            if not self.isVisible() or len(self.timeline) == 1:
                self._apply_time(snapshot.time_s)
            elif self._time < self.timeline.times[-2]:
                # too far behind: start the newest interval (the animation plays it)
                self._apply_time(self.timeline.times[-2])
            self._ensure_timer()

    def show_time(self, t_s: float) -> None:
        """Stop playback and show the line at simulated time ``t_s`` (s): the snapshot in
        force then (the last at or before it), with the parts and vehicles under way."""
        self._playing = False
        self._set_live(False)
        if len(self.timeline):
            t_s = min(max(t_s, self.timeline.start), self.timeline.end)
        self._apply_time(t_s)
        self._ensure_timer()

    # -- state for callers and tests -----------------------------------------------------------
    @property
    def display_time(self) -> float:
        """The simulated time shown (s)."""
        return self._time

    @property
    def live(self) -> bool:
        """Does the view follow the newest snapshot?"""
        return self._live

    @property
    def playing(self) -> bool:
        """Is playback running?"""
        return self._playing

    def current_snapshot(self) -> Snapshot | None:
        """The snapshot in force at :attr:`display_time` (``None`` before a run)."""
        return self.timeline.snapshots[self._index] if self._index >= 0 else None

    def moving_parts(self) -> int:
        """Number of part dots drawn now (transfers and conveyors)."""
        return len(self.parts_item)

    def details_text(self) -> str:
        """The details panel's text (plain), for tests and accessibility."""
        return self.details.text()

    def select(self, key: tuple[str, ...]) -> None:
        """Show the details of the unit ``key`` (as a click on it does): ``("station",
        name)``, ``("buffer", name)``, ``("conveyor", name)``, ``("resource", name)`` or
        ``("vehicle", fleet, unit)``."""
        self._selected = key
        self.scene.blockSignals(True)
        self.scene.clearSelection()
        for item in self.scene.items():
            if getattr(item, "key", None) == key:
                item.setSelected(True)
        self.scene.blockSignals(False)
        self._update_details()

    def scene_position(self, name: str) -> QPointF:
        """Where station ``name``'s box is drawn (scene coordinates of its centre)."""
        return self.station_items[name].pos()

    def to_metres(self, pos: QPointF) -> tuple[float, float]:
        """The floor position (m) of a station whose box is centred at scene ``pos``."""
        # + 0.0: a station on the x axis is at y = 0, not -0 (as a file would show it)
        return pos.x() / self.scale_px + 0.0, -(pos.y() + LIFT) / self.scale_px + 0.0

    def to_scene(self, x_m: float, y_m: float) -> QPointF:
        """The scene point of the floor position (``x_m``, ``y_m``) in metres."""
        return QPointF(x_m * self.scale_px, -y_m * self.scale_px)

    # -- building the scene --------------------------------------------------------------------
    def _build(self) -> None:
        """Make every item of the floor plan for :attr:`scenario`."""
        scenario = self.scenario
        assert scenario is not None
        self._building = True
        try:
            self._build_items(scenario)
        finally:
            self._building = False
        self._place_resources()
        self._place_links()
        self.scene.addItem(self.parts_item)
        self._fit_scene()
        self._refresh_legend()

    def _build_items(self, scenario: Scenario) -> None:
        self.scene.clearSelection()
        self.scene.clear()
        self.station_items.clear()
        self.buffer_items.clear()
        self.resource_items.clear()
        self.vehicle_items.clear()
        self.conveyor_items.clear()
        self.point_items.clear()
        self._flows.clear()
        self._stubs.clear()
        self._belts.clear()
        self._fleets.clear()
        self.parts_item = PartsItem()
        self.plan = plan = FloorPlan.of(scenario)
        self.scale_px = _scale(plan)
        self._next = _successors(scenario)
        self._carried = {s.name for s in scenario.stations if s.transport is not None}

        for a, b, one_way in plan.aisles:
            if a in plan.points and b in plan.points:
                aisle = FlowItem("one_way" if one_way else "aisle")
                aisle.set_ends(self.to_scene(*plan.points[a]), self.to_scene(*plan.points[b]))
                self.scene.addItem(aisle)
        for name, (x, y) in plan.points.items():
            point = PointItem(name)
            point.setPos(self.to_scene(x, y))
            self.scene.addItem(point)
            self.point_items[name] = point

        for st in scenario.stations:
            item = StationItem(st.name, st.servers, self._station_moving, self._station_dropped)
            x, y = plan.stations[st.name]
            item.setPos(self.to_scene(x, y) - QPointF(0, LIFT))
            self.scene.addItem(item)
            self.station_items[st.name] = item
            self.buffer_items[st.name] = BufferItem(st.name, st.buffer, item)
            if st.name in plan.placed:
                stub = FlowItem("stub")
                self.scene.addItem(stub)
                self._stubs[st.name] = stub
            if st.conveyor is not None:
                belt = ConveyorItem(st.name, st.conveyor.capacity)
                self.scene.addItem(belt)
                self.conveyor_items[st.name] = belt
                self._belts[st.name] = (
                    st.conveyor.travel_s,
                    st.conveyor.spacing / st.conveyor.length,
                )
            elif st.transport is None:
                flow = FlowItem("flow")
                self.scene.addItem(flow)
                self._flows[st.name] = flow
        self.exit_item = ExitItem()
        self.scene.addItem(self.exit_item)

        for rs in scenario.resources:
            if rs.kind == "vehicle":
                self._fleets[rs.name] = (
                    float(rs.speed or 1.0),
                    None if rs.acceleration is None else float(rs.acceleration),
                )
                for i in range(rs.count):
                    unit = f"{rs.name}.{i + 1}"
                    vehicle = VehicleItem(rs.name, unit)
                    home = scenario.vehicle_home(rs.name)
                    where = plan.points.get(home or "", (0.0, 0.0))
                    vehicle.setPos(self.to_scene(*where) + _vehicle_offset(i))
                    self.scene.addItem(vehicle)
                    self.vehicle_items[unit] = vehicle
            else:
                res = ResourceItem(rs.name, rs.kind, rs.count)
                self.scene.addItem(res)
                self.resource_items[rs.name] = res
        for item in self.station_items.values():
            item.setToolTip(tr("Drag to move; click for statistics"))

    def _place_resources(self) -> None:
        """Operators and robots in a row under the floor plan, each under the stations it
        serves (tends, operates or repairs), without overlapping."""
        scenario = self.scenario
        assert scenario is not None
        if not self.resource_items:
            return
        bottom = max(
            (i.sceneBoundingRect().bottom() for i in self.scene.items() if i.isVisible()),
            default=0.0,
        )
        served: dict[str, list[float]] = {n: [] for n in self.resource_items}
        for st in scenario.stations:
            users = {st.operated_by}
            if st.tending is not None:
                users.add(st.tending.by)
            if st.failures is not None:
                users.add(st.failures.repair_by)
            for user in users:
                if user in served:
                    served[user].append(self.station_items[st.name].pos().x())
        xs = [p.x() for p in (i.pos() for i in self.station_items.values())]
        default_x = sum(xs) / len(xs) if xs else 0.0
        order = sorted(
            self.resource_items.items(),
            key=lambda kv: sum(served[kv[0]]) / len(served[kv[0]]) if served[kv[0]] else default_x,
        )
        right = -math.inf
        for name, item in order:
            want = sum(served[name]) / len(served[name]) if served[name] else default_x
            x = max(want, right + item.width / 2 + 16)
            item.setPos(x, bottom + 50)
            right = x + item.width / 2

    def _place_links(self) -> None:
        """Put the hand-over arrows, conveyors, stubs and the exit where the stations are."""
        for name, item in self.station_items.items():
            if name in self._stubs and self.plan is not None:
                dock = self.to_scene(*self.plan.stations[name])
                self._stubs[name].set_ends(item.pos() + QPointF(0, BOX_H / 2), dock)
        last = list(self.station_items)[-1] if self.station_items else None
        if last is not None and self.exit_item is not None:
            self.exit_item.setPos(self.station_items[last].pos() + QPointF(BOX_W / 2 + 90, 0))
        for name in self.station_items:
            a, b = self._path_of(name)
            if name in self._flows:
                self._flows[name].set_ends(a, b)
            if name in self.conveyor_items:
                self.conveyor_items[name].set_ends(a, b)

    def _path_of(self, name: str) -> tuple[QPointF, QPointF]:
        """Where a part of station ``name`` leaves (its box's right side) and where it
        arrives (the next station's buffer, or the exit)."""
        item = self.station_items[name]
        a = item.pos() + QPointF(BOX_W / 2, 0)
        nxt = self._next.get(name)
        if nxt is not None and nxt in self.station_items:
            there = self.station_items[nxt].pos()
            b = there + QPointF(-BOX_W / 2 - BUFFER_W - 8, 0)
            if b.x() < a.x() and abs(there.y() - item.pos().y()) > BOX_H:
                # back to the start of another row: leave from below, come in from above
                a = item.pos() + QPointF(0, BOX_H / 2)
                down = there.y() > item.pos().y()
                b = there + QPointF(-BOX_W / 2 - BUFFER_W - 8, -BOX_H / 2 if down else BOX_H)
        else:
            assert self.exit_item is not None
            b = self.exit_item.pos() + QPointF(-46, 0)
        return a, b

    def _fit_scene(self) -> None:
        rect = QRectF()
        for item in self.scene.items():
            if item is not self.parts_item:
                rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-30, -30, 30, 30)
        self.scene.setSceneRect(rect)
        self.parts_item.set_area(rect)
        self.graphics.zoomed = False
        self.graphics.fit()

    def _station_moving(self, item: StationItem) -> None:
        if self._building:
            return
        if self.plan is not None:
            self.plan.stations[item.name] = self.to_metres(item.pos())
        self._place_links()
        self._segment_index = -2  # the dots' paths changed
        self._update_motion()

    def _station_dropped(self, item: StationItem) -> None:
        """Emit ``station_moved`` once the mouse event is over: a slot that redraws the
        scenario (and so deletes this item) must not run inside the item's own handler."""
        name = item.name
        x_m, y_m = self.to_metres(item.pos())
        QTimer.singleShot(0, lambda: self.station_moved.emit(name, x_m, y_m))

    # -- time ----------------------------------------------------------------------------------
    def _apply_time(self, t_s: float) -> None:
        """Show simulated time ``t_s``: the snapshot in force, and what moves at ``t_s``."""
        self._time = t_s
        index = self.timeline.index_at(t_s)
        if index != self._index:
            self._index = index
            self._apply_snapshot()
        self._update_motion()
        self._update_time_label()

    def _apply_snapshot(self) -> None:
        """Colour and fill every item from the snapshot in force."""
        snap = self.current_snapshot()
        self._updating_slider = True
        self.slider.setValue(max(0, self._index))
        self._updating_slider = False
        if snap is None:
            for item in self.station_items.values():
                item.set_counts({})
            for buf in self.buffer_items.values():
                buf.set_queue(0)
            for res in self.resource_items.values():
                res.set_counts({})
            for belt in self.conveyor_items.values():
                belt.set_count(0)
            if self.exit_item is not None:
                self.exit_item.set_departed(0)
            self._update_details()
            return
        for st in snap.stations:
            station = self.station_items.get(st.name)
            if station is not None:
                station.set_counts(st.states)
            queue = self.buffer_items.get(st.name)
            if queue is not None:
                queue.set_queue(st.queue)
            conveyor = self.conveyor_items.get(st.name)
            if conveyor is not None:
                conveyor.set_count(len(st.conveyor))
        for rs in snap.resources:
            people = self.resource_items.get(rs.name)
            if people is not None:
                people.set_counts(rs.states)
            for v in rs.vehicles:
                vehicle = self.vehicle_items.get(v.name)
                if vehicle is not None:
                    vehicle.set_state(v.state, v.load)
        if self.exit_item is not None:
            self.exit_item.set_departed(snap.departed)
        self._update_details()

    def _update_motion(self) -> None:
        """Place the parts and vehicles that move at the displayed time."""
        snap = self.current_snapshot()
        if snap is None:
            self.parts_item.set_points([])
            return
        t = self._time
        index = self._index
        if self._segment_index != index:
            self._segment_index = index
            if index + 1 < len(self.timeline):
                paths = {}
                for name in self.station_items:
                    if name in self._carried or name in self.conveyor_items:
                        continue
                    a, b = self._path_of(name)
                    paths[name] = ((a.x(), a.y()), (b.x(), b.y()))
                self._segment = transfers(snap, self.timeline.snapshots[index + 1], paths)
            else:
                self._segment = Transfers.empty()
        xy = [(float(x), float(y)) for x, y in self._segment.positions(t)]
        elapsed = max(0.0, t - snap.time_s)
        for st in snap.stations:
            belt = self.conveyor_items.get(st.name)
            if belt is None or not st.conveyor:
                continue
            transit, gap = self._belts[st.name]
            limit = 1.0
            for f in st.conveyor:
                f = min(limit, f + elapsed / transit if transit > 0 else 1.0)
                p = belt.point_at(f)
                xy.append((p.x(), p.y()))
                limit = max(0.0, f - gap)
        self.parts_item.set_points(xy)
        if self.plan is None:
            return
        for rs in snap.resources:
            speed, accel = self._fleets.get(rs.name, (1.0, None))
            for i, v in enumerate(rs.vehicles):
                vehicle = self.vehicle_items.get(v.name)
                if vehicle is None:
                    continue
                where = self._vehicle_at(v.origin, v.point, v.depart_s, t, speed, accel)
                parked = v.depart_s >= v.arrive_s or t >= v.arrive_s
                vehicle.setPos(where + _vehicle_offset(i) if parked else where)

    def _vehicle_at(
        self,
        origin: str,
        point: str,
        depart_s: float,
        t_s: float,
        speed: float,
        accel: float | None,
    ) -> QPointF:
        """Where a vehicle that left ``origin`` at ``depart_s`` for ``point`` is at ``t_s``
        (scene coordinates), along the shortest aisles with the engine's motion profile."""
        assert self.plan is not None
        corners = self.plan.route(origin, point)
        lengths = [math.dist(a, b) for a, b in itertools.pairwise(corners)]
        total = sum(lengths)
        s = trip_distance(t_s - depart_s, total, speed, accel)
        for (a, b), d in zip(itertools.pairwise(corners), lengths, strict=True):
            if s <= d and d > 0:
                f = s / d
                return self.to_scene(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
            s -= d
        return self.to_scene(*corners[-1])

    # -- playback ------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        """Play from the displayed time (from the start when at the end), or pause."""
        if self._playing:
            self._playing = False
        else:
            if not len(self.timeline):
                return
            self._set_live(False)
            if self._time >= self.timeline.end:
                self._apply_time(self.timeline.start)
            self._playing = True
        self._retranslate_play()
        self._ensure_timer()

    def _set_live(self, live: bool) -> None:
        self._live = live
        self.live_button.setChecked(live)
        if live:
            self._playing = False
        self._retranslate_play()

    def _live_clicked(self, checked: bool) -> None:
        self._set_live(checked)
        if checked and len(self.timeline):
            self._apply_time(self.timeline.end)
        self._ensure_timer()

    def _speed_changed(self, index: int) -> None:
        self._speed = float(self.speed_box.itemData(index))

    def _slider_moved(self, value: int) -> None:
        if self._updating_slider or not len(self.timeline):
            return
        self.show_time(self.timeline.times[min(value, len(self.timeline) - 1)])

    def _update_slider(self) -> None:
        self._updating_slider = True
        self.slider.setRange(0, max(0, len(self.timeline) - 1))
        self.slider.setValue(max(0, self._index))
        self._updating_slider = False

    def _ensure_timer(self) -> None:
        """Run the frame timer while something can move and the view is visible."""
        want = self.isVisible() and (
            self._playing or (self._live and self._time < self.timeline.end)
        )
        if want and not self.timer.isActive():
            self._last_frame = time.perf_counter()
            self.timer.start()
        elif not want and self.timer.isActive():
            self.timer.stop()

    def _frame(self) -> None:
        """One animation frame: advance the displayed time by the wall time since the last."""
        now = time.perf_counter()
        dt = min(0.25, max(0.0, now - self._last_frame))
        self._last_frame = now
        end = self.timeline.end
        if self._playing:
            t = self._time + dt * self._speed
            if t >= end:
                t = end
                self._playing = False
                self._retranslate_play()
            self._apply_time(t)
        elif self._live and self._time < end:
            gap = end - self._time
            step = max(self._live_rate * dt, gap * min(1.0, dt / 0.5))
            self._apply_time(min(end, self._time + step))
        self._ensure_timer()

    def advance_frame(self, dt_s: float) -> None:
        """Advance playback by ``dt_s`` seconds of simulated time and redraw (benchmarks,
        tests: a frame without waiting for the timer)."""
        self._apply_time(self._time + dt_s)

    def showEvent(self, event: QShowEvent | None) -> None:
        super().showEvent(event)
        self._ensure_timer()

    def hideEvent(self, event: QHideEvent | None) -> None:
        super().hideEvent(event)
        self.timer.stop()

    # -- legend, details, labels ---------------------------------------------------------------
    def _states_of_scenario(self) -> set[str]:
        """States the scenario's units can be in (before a run shows which ones occur)."""
        scenario = self.scenario
        states = {"busy", "starved", "blocked"}
        if scenario is None:
            return states
        kinds = {r.name: r.kind for r in scenario.resources}
        shifts = scenario.calendar is not None
        for st in scenario.stations:
            if st.tending is not None:
                states |= {"tending", f"waiting_{kinds.get(st.tending.by, 'robot')}"}
            if st.operated_by is not None:
                states |= {"operating", f"waiting_{kinds.get(st.operated_by, 'operator')}"}
            if st.failures is not None:
                states.add("down")
                if st.failures.repair_by is not None:
                    states.add("repairing")
            if st.setup is not None:
                states.add("setup")
            if st.transport is not None:
                states.add("waiting_transport")
            shifts = shifts or st.shifts is not None
        for rs in scenario.resources:
            if rs.kind == "vehicle":
                states |= {"idle", "travel_empty", "travel_loaded", "handling"}
            else:
                states.add("idle")
            shifts = shifts or getattr(rs, "shifts", None) is not None
        if shifts:
            states.add("off_shift")
        return states

    def _refresh_legend(self) -> None:
        """List the colour of every state the line's units can be in or have been in."""
        states = self._states_of_scenario() | self._seen_states
        rank = {s: i for i, s in enumerate(STATE_ORDER)}
        ordered = tuple(sorted(states, key=lambda s: (rank.get(s, len(rank)), s)))
        if ordered == self._legend_states and self.legend_grid.count():
            return
        self._legend_states = ordered
        self._fill_legend()

    def _fill_legend(self) -> None:
        while self.legend_grid.count():
            child = self.legend_grid.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        columns = 2
        for i, state in enumerate(self._legend_states):
            swatch = QLabel(self.legend_box)
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background-color: {state_color(state)}; border: 1px solid #555;")
            label = QLabel(state_label(state), self.legend_box)
            label.setWordWrap(True)
            row, col = divmod(i, columns)
            self.legend_grid.addWidget(swatch, row, col * 2)
            self.legend_grid.addWidget(label, row, col * 2 + 1)
        rows = (len(self._legend_states) + columns - 1) // columns
        buffer_swatch = QLabel(self.legend_box)
        buffer_swatch.setFixedSize(14, 14)
        buffer_swatch.setStyleSheet("background-color: #5b7fb5; border: 1px solid #555;")
        self.legend_grid.addWidget(buffer_swatch, rows, 0)
        self.legend_grid.addWidget(QLabel(tr("buffer fill"), self.legend_box), rows, 1)
        part = QLabel(self.legend_box)
        part.setFixedSize(14, 14)
        part.setStyleSheet("background-color: #3a3a3a; border-radius: 7px;")
        self.legend_grid.addWidget(part, rows, 2)
        self.legend_grid.addWidget(QLabel(tr("part"), self.legend_box), rows, 3)

    def legend_labels(self) -> list[str]:
        """The texts of the legend, in order (for tests)."""
        out = []
        for i in range(self.legend_grid.count()):
            child = self.legend_grid.itemAt(i)
            widget = child.widget() if child is not None else None
            if isinstance(widget, QLabel) and widget.text():
                out.append(widget.text())
        return out

    def _selection_changed(self) -> None:
        try:
            items = self.scene.selectedItems()
        except RuntimeError:  # the scene is being torn down
            return
        for item in items:
            key = getattr(item, "key", None)
            if key is not None:
                self._selected = key
                self._update_details()
                return

    def _update_details(self) -> None:
        """Fill the details panel for the selected unit from the snapshot in force."""
        key = self._selected
        snap = self.current_snapshot()
        if key is None:
            self.details.setText(
                html.escape(
                    tr("Click a station, buffer, robot, operator or vehicle to see its statistics.")
                )
            )
            return
        kind, name = key[0], key[1]
        lines: list[str] = []
        if kind == "buffer":
            lines += self._buffer_details(name, snap)
        elif kind in ("station", "conveyor"):
            st = next((s for s in snap.stations if s.name == name), None) if snap else None
            spec = (
                next((s for s in self.scenario.stations if s.name == name), None)
                if self.scenario
                else None
            )
            title = {
                "station": tr("Station"),
                "buffer": tr("Buffer"),
                "conveyor": tr("Conveyor"),
            }[kind]
            lines.append(f"<b>{html.escape(name)}</b> — {html.escape(title)}")
            if spec is not None:
                lines.append(html.escape(tr("units: {n}").format(n=spec.servers)))
            if st is not None and snap is not None:
                cap = tr("unlimited") if spec is None or spec.buffer is None else str(spec.buffer)
                lines.append(
                    html.escape(
                        tr("Buffer: {queue} waiting, {cap} places").format(queue=st.queue, cap=cap)
                    )
                )
                if st.conveyor or name in self.conveyor_items:
                    lines.append(
                        html.escape(tr("On the conveyor: {n} parts").format(n=len(st.conveyor)))
                    )
                span = snap.time_s - snap.measured_from_s
                lines.append(html.escape(tr("Parts finished: {n}").format(n=st.completed)))
                if span > 0:
                    lines.append(
                        html.escape(
                            tr("Throughput so far: {rate:.1f} parts/h").format(
                                rate=st.completed / span * 3600.0
                            )
                        )
                    )
                lines += self._state_tables("station", st.states, st.shares, snap)
        elif kind in ("resource", "vehicle"):
            rs = next((r for r in snap.resources if r.name == name), None) if snap else None
            title = tr("Vehicle") if kind == "vehicle" else tr("Resource")
            label = key[2] if kind == "vehicle" and len(key) > 2 else name
            lines.append(f"<b>{html.escape(label)}</b> — {html.escape(title)}")
            if kind == "vehicle":
                lines.append(html.escape(tr("Fleet: {name}").format(name=name)))
            if rs is not None and snap is not None:
                if kind == "vehicle":
                    v = next((v for v in rs.vehicles if v.name == label), None)
                    if v is not None:
                        lines.append(
                            html.escape(
                                tr("Now: {state}, {load} parts on board").format(
                                    state=state_label(v.state), load=v.load
                                )
                            )
                        )
                        if v.depart_s < v.arrive_s:
                            lines.append(
                                html.escape(
                                    tr("From {origin} to {point}").format(
                                        origin=v.origin, point=v.point
                                    )
                                )
                            )
                lines += self._state_tables("resource", rs.states, rs.shares, snap)
        if snap is None:
            lines.append(html.escape(tr("No run yet: run the scenario to see statistics.")))
        self.details.setText("<br>".join(lines))

    def _buffer_details(self, name: str, snap: Snapshot | None) -> list[str]:
        """HTML lines of the buffer in front of station ``name``: its places, its level now,
        and its time-average level and share of time full over the measured period so far
        (from the recorded snapshots, :func:`gui.playback.buffer_levels`)."""
        spec = (
            next((s for s in self.scenario.stations if s.name == name), None)
            if self.scenario
            else None
        )
        places = None if spec is None else spec.buffer
        lines = [f"<b>{html.escape(name)}</b> — {html.escape(tr('Buffer'))}"]
        lines.append(
            html.escape(
                tr("Places: {n}").format(n=tr("unlimited") if places is None else places)
            )
        )
        st = next((s for s in snap.stations if s.name == name), None) if snap else None
        if st is None or snap is None:
            return lines
        lines.append(html.escape(tr("Parts waiting now: {n}").format(n=st.queue)))
        levels = buffer_levels(self.timeline.snapshots, self._index, name, places)
        if levels is None:
            return lines
        since = tr("the end of warm-up") if snap.measured_from_s > 0 else tr("the start of the run")
        lines.append(
            html.escape(
                tr("Mean level: {level:.2f} parts (since {since})").format(
                    level=levels.mean_level, since=since
                )
            )
        )
        if levels.full_share is not None:
            lines.append(
                html.escape(
                    tr("Full: {share:.1%} of the time").format(share=levels.full_share)
                )
            )
        lines.append(html.escape(tr("(from the recorded snapshots)")))
        return lines

    def _state_tables(
        self, kind: str, counts: dict[str, int], shares: dict[str, float], snap: Snapshot
    ) -> list[str]:
        """HTML of a unit's utilization and its states: units now and share of time."""
        out = []
        since = tr("the end of warm-up") if snap.measured_from_s > 0 else tr("the start of the run")
        out.append(
            html.escape(
                tr("Utilization so far: {u:.1%} (since {since})").format(
                    u=utilization(kind, shares), since=since
                )
            )
        )
        rank = {s: i for i, s in enumerate(STATE_ORDER)}
        states = sorted(set(counts) | set(shares), key=lambda s: (rank.get(s, len(rank)), s))
        rows = [
            f"<tr><th></th><th align='left'>{html.escape(tr('State'))}</th>"
            f"<th align='right'>{html.escape(tr('Now'))}</th>"
            f"<th align='right'>{html.escape(tr('Time share'))}</th></tr>"
        ]
        for s in states:
            if counts.get(s, 0) == 0 and shares.get(s, 0.0) == 0.0:
                continue
            rows.append(
                f"<tr><td style='background-color:{state_color(s)}'>&nbsp;&nbsp;&nbsp;</td>"
                f"<td>{html.escape(state_label(s))}</td>"
                f"<td align='right'>{counts.get(s, 0)}</td>"
                f"<td align='right'>{shares.get(s, 0.0):.1%}</td></tr>"
            )
        out.append("<table cellspacing='2'>" + "".join(rows) + "</table>")
        return out

    def _update_time_label(self) -> None:
        snap = self.current_snapshot()
        if snap is None:
            self.time_label.setText(tr("No run yet"))
            return
        text = format_time(self._time)
        if snap.in_warmup:
            text += " " + tr("(warm-up)")
        self.time_label.setText(text)

    def _retranslate_play(self) -> None:
        self.play_button.setText(tr("Pause") if self._playing else tr("Play"))
        self.play_button.setToolTip(
            tr("Pause playback") if self._playing else tr("Play the recorded run")
        )

    def retranslate(self, _language: str = "") -> None:
        """Relabel every visible text in the current language."""
        self._retranslate_play()
        self.live_button.setText(tr("Live"))
        self.live_button.setToolTip(tr("Follow the newest state of the running simulation"))
        self.speed_label.setText(tr("Speed"))
        self.speed_box.setToolTip(tr("Simulated seconds per second of playback"))
        self.slider.setToolTip(tr("Recorded snapshots of the run"))
        self.legend_box.setTitle(tr("Legend"))
        self.details_box.setTitle(tr("Details"))
        self._retranslate_no_plan()
        self._fill_legend()
        self._update_details()
        self._update_time_label()
        for item in self.scene.items():
            item.update()
        for station in self.station_items.values():
            station.setToolTip(tr("Drag to move; click for statistics"))


def _vehicle_offset(index: int) -> QPointF:
    """Where the ``index``-th vehicle of a fleet is drawn relative to the point it stands at,
    so that vehicles at one point do not hide each other (a vehicle under way is drawn on
    its aisle)."""
    return QPointF(0.0, -19.0 * index)


def _scale(plan: FloorPlan) -> float:
    """Scene pixels per metre: stations at least a box and a buffer apart, layout points at
    least 80 px apart, within 1.5 to 80 px/m."""

    def closest(points: list[tuple[float, float]]) -> float:
        best = math.inf
        for i, a in enumerate(points):
            for b in points[i + 1 :]:
                d = math.dist(a, b)
                if d > 1e-9:
                    best = min(best, d)
        return best

    need = [BOX_W + BUFFER_W + 90.0, 80.0]
    dist = [closest(list(plan.stations.values())), closest(list(plan.points.values()))]
    scale = max((n / d for n, d in zip(need, dist, strict=True) if math.isfinite(d)), default=20)
    return min(80.0, max(1.5, scale))


def _successors(scenario: Scenario) -> dict[str, str | None]:
    """The station each station's parts go to next: along the first product route that
    visits it (the station list's order without products); ``None`` for the exit."""
    names = [s.name for s in scenario.stations]
    out: dict[str, str | None] = {a: b for a, b in zip(names, [*names[1:], None], strict=True)}
    if scenario.products:
        seen: set[str] = set()
        for product in scenario.products:
            route = list(product.route or names)  # no route: every station in order
            for a, b in zip(route, [*route[1:], None], strict=True):
                if a not in seen:
                    seen.add(a)
                    out[a] = b
    return out
