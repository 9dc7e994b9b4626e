"""The graphics items of the layout view's floor plan.

Each item paints itself in one ``paint`` call and is cached as a pixmap
(``DeviceCoordinateCache``): a snapshot that changes a station's state repaints that station
once; animation frames only move items (vehicles) or repaint the one :class:`PartsItem` that
draws every moving part as a dot. Sizes are scene pixels; the view converts metres.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PyQt6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from gui.colors import STATE_ORDER, state_label, state_qcolor
from gui.i18n import tr

__all__ = [
    "BOX_H",
    "BOX_W",
    "BufferItem",
    "ConveyorItem",
    "ExitItem",
    "FlowItem",
    "PartsItem",
    "PointItem",
    "ResourceItem",
    "StationItem",
    "VehicleItem",
]

BOX_W, BOX_H = 150.0, 78.0
"""Size of a station box (scene pixels)."""
BUFFER_W = 16.0
INK = QColor("#202020")
MUTED = QColor("#606060")
SELECTED = QColor("#0060c0")


def _font(scale: float = 1.0, bold: bool = False) -> QFont:
    """The application's font (CJK-capable when the shell set one) at ``scale`` × 9 pt."""
    font = QFont(QApplication.font())
    font.setPointSizeF(9.0 * scale)
    font.setBold(bold)
    return font


def _text_on(colour: QColor) -> QColor:
    """Black or white, whichever reads better on ``colour``."""
    lum = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
    return QColor("#000000") if lum > 140 else QColor("#ffffff")


def ordered_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Non-zero state counts in the legend's order (unknown states last, by name)."""
    rank = {s: i for i, s in enumerate(STATE_ORDER)}
    items = [(s, n) for s, n in counts.items() if n > 0]
    return sorted(items, key=lambda sn: (rank.get(sn[0], len(rank)), sn[0]))


def dominant(counts: dict[str, int]) -> str | None:
    """The state most units are in (``None`` when all counts are zero)."""
    items = ordered_counts(counts)
    return max(items, key=lambda sn: sn[1])[0] if items else None


def paint_state_bar(
    painter: QPainter, rect: QRectF, counts: dict[str, int], font: QFont, numbers: bool = True
) -> None:
    """A bar split into one segment per state, as wide as its share of the units, each with
    its count when it fits."""
    items = ordered_counts(counts)
    total = sum(n for _, n in items)
    painter.setPen(Qt.PenStyle.NoPen)
    if total == 0:
        painter.setBrush(QColor("#eeeeee"))
        painter.drawRect(rect)
        return
    x = rect.left()
    fm = QFontMetricsF(font)
    painter.setFont(font)
    for state, n in items:
        w = rect.width() * n / total
        seg = QRectF(x, rect.top(), w, rect.height())
        colour = state_qcolor(state)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRect(seg)
        text = str(n)
        if numbers and fm.horizontalAdvance(text) + 4 <= w:
            painter.setPen(_text_on(colour))
            painter.drawText(seg, Qt.AlignmentFlag.AlignCenter, text)
        x += w
    painter.setPen(QPen(QColor("#00000060"), 0.8))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)



def states_tooltip(name: str, counts: dict[str, int]) -> str:
    """A unit box's tooltip: its name, then the units in each state. The box has room for one
    state; the tooltip names every state's units (and the whole label when the box had to
    shorten it)."""
    lines = [name] + [
        tr("{state}: {n}").format(state=state_label(state), n=n)
        for state, n in counts.items()
        if n
    ]
    return "\n".join(lines)

class _Unit(QGraphicsItem):
    """An item that can be clicked for its statistics: ``key`` names it for the details."""

    def __init__(self, key: tuple[str, ...], parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setCursor(Qt.CursorShape.PointingHandCursor)


class StationItem(_Unit):
    """A station: a box with its name, number of units, and a bar of its units' states.

    Movable: dragging calls ``on_moved(item)`` while it moves and ``on_dropped(item)`` once
    released at a new place."""

    def __init__(
        self,
        name: str,
        servers: int,
        on_moved: Callable[[StationItem], None],
        on_dropped: Callable[[StationItem], None],
    ) -> None:
        super().__init__(("station", name))
        self.name = name
        self.servers = servers
        self.counts: dict[str, int] = {}
        self._on_moved = on_moved
        self._on_dropped = on_dropped
        self._press: QPointF | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self.setZValue(10)
        self.setToolTip(name)

    def boundingRect(self) -> QRectF:
        return QRectF(-BOX_W / 2 - 2, -BOX_H / 2 - 2, BOX_W + 4, BOX_H + 4)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show the units' states (units counted by state name)."""
        if counts != self.counts:
            self.counts = dict(counts)
            self.setToolTip(states_tooltip(self.name, self.counts))
            self.update()

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(-BOX_W / 2, -BOX_H / 2, BOX_W, BOX_H)
        main = dominant(self.counts)
        fill = QColor("#f4f4f4") if main is None else QColor(state_qcolor(main))
        if main is not None:
            fill.setAlpha(70)
        selected = self.isSelected()
        painter.setPen(QPen(SELECTED if selected else QColor("#404040"), 3 if selected else 1.2))
        painter.setBrush(QBrush(QColor("#ffffff")))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(rect, 6, 6)
        inner = rect.adjusted(8, 5, -8, -5)
        bold, small = _font(1.05, True), _font(0.85)
        fm, fms = QFontMetricsF(bold), QFontMetricsF(small)
        painter.setFont(bold)
        painter.setPen(INK)
        name = fm.elidedText(self.name, Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            name,
        )
        bar = QRectF(inner.left(), inner.top() + fm.height() + 4, inner.width(), 20)
        paint_state_bar(painter, bar, self.counts, small)
        line = QRectF(inner.left(), bar.bottom() + 3, inner.width(), fms.height())
        # "<state>   n/units": the units in the main state of all the station's units (a
        # compact count, so that long state names such as "waiting for transport" fit).
        units = (
            f"{self.counts[main]}/{self.servers}"
            if main is not None
            else tr("units: {n}").format(n=self.servers)
        )
        uw = fms.horizontalAdvance(units)
        painter.setFont(small)
        painter.setPen(MUTED)
        painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, units)
        if main is not None:
            text = state_label(main)
            painter.setPen(INK)
            painter.drawText(
                line,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fms.elidedText(text, Qt.TextElideMode.ElideRight, inner.width() - uw - 8),
            )

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self._on_moved(self)
        return super().itemChange(change, value)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent | None) -> None:
        self._press = QPointF(self.pos())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent | None) -> None:
        super().mouseReleaseEvent(event)
        if self._press is not None and (self.pos() - self._press).manhattanLength() > 0.5:
            self._on_dropped(self)
        self._press = None


class BufferItem(_Unit):
    """The buffer in front of a station (a child of its box, on the left): a bar filled to
    the share of its places in use, and the count below (``q / capacity``, or ``q`` when it
    is unlimited, the bar then scaled to the fullest it has been)."""

    def __init__(self, name: str, capacity: int | None, parent: QGraphicsItem) -> None:
        super().__init__(("buffer", name), parent)
        self.name = name
        self.capacity = capacity
        self.queue = 0
        self.peak = 1
        self.setPos(-BOX_W / 2 - BUFFER_W - 8, 0)
        self.setZValue(1)

    def boundingRect(self) -> QRectF:
        return QRectF(-BUFFER_W / 2 - 22, -BOX_H / 2 - 2, BUFFER_W + 44, BOX_H + 24)

    @property
    def fill(self) -> float:
        """Share of the bar filled (0 to 1)."""
        if self.capacity is not None:
            return 0.0 if self.capacity == 0 else min(1.0, self.queue / self.capacity)
        return min(1.0, self.queue / max(1, self.peak))

    def set_queue(self, queue: int) -> None:
        """Show ``queue`` parts waiting."""
        self.peak = max(self.peak, queue)
        if queue != self.queue:
            self.queue = queue
            self.update()

    def text(self) -> str:
        """The count shown under the bar."""
        if self.capacity is None:
            return str(self.queue)
        return f"{self.queue}/{self.capacity}"

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(-BUFFER_W / 2, -BOX_H / 2, BUFFER_W, BOX_H)
        full = self.capacity is not None and self.queue >= self.capacity > 0
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        painter.drawRect(frame)
        h = frame.height() * self.fill
        painter.setBrush(QColor("#d55e00") if full else QColor("#5b7fb5"))
        painter.drawRect(QRectF(frame.left(), frame.bottom() - h, frame.width(), h))
        selected = self.isSelected()
        painter.setPen(QPen(SELECTED if selected else QColor("#404040"), 2.5 if selected else 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(frame)
        small = _font(0.85)
        painter.setFont(small)
        painter.setPen(INK)
        fm = QFontMetricsF(small)
        painter.drawText(
            QRectF(-BUFFER_W / 2 - 22, frame.bottom() + 2, BUFFER_W + 44, fm.height()),
            Qt.AlignmentFlag.AlignCenter,
            self.text(),
        )


class ResourceItem(_Unit):
    """Operators or robots: a box with the name and one disc per unit coloured by its state
    (a state bar when there are more than :attr:`MAX_DISCS` units)."""

    MAX_DISCS = 16

    def __init__(self, name: str, kind: str, count: int) -> None:
        super().__init__(("resource", name))
        self.name = name
        self.kind = kind
        self.count = count
        self.counts: dict[str, int] = {}
        self.width = max(BOX_W, 40.0 + min(count, self.MAX_DISCS) * 18.0)
        self.setZValue(10)
        self.setToolTip(name)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.width / 2 - 2, -27, self.width + 4, 54)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show the units' states (units counted by state name)."""
        if counts != self.counts:
            self.counts = dict(counts)
            self.setToolTip(states_tooltip(self.name, self.counts))
            self.update()

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(-self.width / 2, -25, self.width, 50)
        selected = self.isSelected()
        painter.setPen(QPen(SELECTED if selected else QColor("#707070"), 3 if selected else 1))
        painter.setBrush(QColor("#fafafa"))
        painter.drawRoundedRect(rect, 12, 12)
        bold = _font(0.95, True)
        fm = QFontMetricsF(bold)
        painter.setFont(bold)
        painter.setPen(INK)
        kind = tr("robot") if self.kind == "robot" else tr("operator")
        title = fm.elidedText(
            f"{self.name} ({kind})", Qt.TextElideMode.ElideRight, rect.width() - 16
        )
        painter.drawText(
            QRectF(rect.left() + 8, rect.top() + 3, rect.width() - 16, fm.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        y = rect.top() + fm.height() + 12
        if self.count <= self.MAX_DISCS:
            states = [s for s, n in ordered_counts(self.counts) for _ in range(n)]
            states += [""] * (self.count - len(states))
            for i, state in enumerate(states):
                centre = QPointF(rect.left() + 16 + i * 18, y)
                painter.setPen(QPen(QColor("#404040"), 0.8))
                painter.setBrush(state_qcolor(state) if state else QColor("#ffffff"))
                if self.kind == "robot":
                    painter.drawRect(QRectF(centre.x() - 6, centre.y() - 6, 12, 12))
                else:
                    painter.drawEllipse(centre, 6.5, 6.5)
        else:
            bar = QRectF(rect.left() + 8, y - 7, rect.width() - 16, 14)
            paint_state_bar(painter, bar, self.counts, _font(0.8))


class VehicleItem(_Unit):
    """A vehicle: a small cart coloured by its state, with the number of parts on board."""

    W, H = 26.0, 16.0

    def __init__(self, fleet: str, unit: str) -> None:
        super().__init__(("vehicle", fleet, unit))
        self.fleet = fleet
        self.unit = unit
        self.state = "idle"
        self.load = 0
        self.setZValue(30)
        self.setToolTip(unit)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.W / 2 - 2, -self.H / 2 - 2, self.W + 4, self.H + 4)

    def set_state(self, state: str, load: int) -> None:
        """Show ``state`` and ``load`` parts on board."""
        if (state, load) != (self.state, self.load):
            self.state, self.load = state, load
            self.update()

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(-self.W / 2, -self.H / 2, self.W, self.H)
        colour = state_qcolor(self.state)
        selected = self.isSelected()
        painter.setPen(QPen(SELECTED if selected else QColor("#202020"), 2.5 if selected else 1))
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, 4, 4)
        if self.load:
            painter.setFont(_font(0.8, True))
            painter.setPen(_text_on(colour))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(self.load))


class PointItem(QGraphicsItem):
    """A named point of the layout: a small ring and its name."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.setZValue(2)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        fm = QFontMetricsF(_font(0.8))
        w = max(20.0, fm.horizontalAdvance(self.name) + 4)
        return QRectF(-w / 2, -8, w, 18 + fm.height())

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#505050"), 1.2))
        painter.setBrush(QColor("#ffffff"))
        painter.drawEllipse(QPointF(0, 0), 5, 5)
        font = _font(0.8)
        fm = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(MUTED)
        w = fm.horizontalAdvance(self.name) + 4
        painter.drawText(
            QRectF(-w / 2, 10, w, fm.height()), Qt.AlignmentFlag.AlignCenter, self.name
        )


class FlowItem(QGraphicsItem):
    """An arrow along which parts go from one place to the next (a plain hand-over, an
    aisle, or a station's stub to its layout point). ``style``: ``flow``, ``aisle``,
    ``one_way`` or ``stub``."""

    def __init__(self, style: str) -> None:
        super().__init__()
        self.style = style
        self.a = QPointF()
        self.b = QPointF()
        self.setZValue({"aisle": 0, "one_way": 0, "stub": 1}.get(style, 3))

    def set_ends(self, a: QPointF, b: QPointF) -> None:
        """Draw from ``a`` to ``b`` (scene coordinates)."""
        self.prepareGeometryChange()
        self.a, self.b = QPointF(a), QPointF(b)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self.a, self.b).normalized().adjusted(-12, -12, 12, 12)

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.style in ("aisle", "one_way"):
            pen = QPen(QColor("#c9c9c9"), 14, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(self.a, self.b)
            painter.setPen(QPen(QColor("#ffffff"), 1.2, Qt.PenStyle.DashLine))
            painter.drawLine(self.a, self.b)
            if self.style == "one_way":
                _arrow_head(painter, self.a, self.b, QColor("#808080"), 9)
            return
        if self.style == "stub":
            painter.setPen(QPen(QColor("#909090"), 1.2, Qt.PenStyle.DotLine))
            painter.drawLine(self.a, self.b)
            return
        painter.setPen(QPen(QColor("#9a9a9a"), 1.5))
        painter.drawLine(self.a, self.b)
        _arrow_head(painter, self.a, self.b, QColor("#9a9a9a"), 8)


def _arrow_head(painter: QPainter, a: QPointF, b: QPointF, colour: QColor, size: float) -> None:
    """A filled arrow head at ``b`` pointing from ``a``."""
    d = b - a
    length = (d.x() ** 2 + d.y() ** 2) ** 0.5
    if length < 1e-6:
        return
    ux, uy = d.x() / length, d.y() / length
    tip = QPointF(b)
    left = QPointF(b.x() - ux * size - uy * size * 0.5, b.y() - uy * size + ux * size * 0.5)
    right = QPointF(b.x() - ux * size + uy * size * 0.5, b.y() - uy * size - ux * size * 0.5)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(QPolygonF([tip, left, right]))


class ConveyorItem(_Unit):
    """A station's conveyor: a belt from the station to the next one (parts on it are drawn
    by :class:`PartsItem` at their positions)."""

    def __init__(self, name: str, capacity: int) -> None:
        super().__init__(("conveyor", name))
        self.name = name
        self.capacity = capacity
        self.count = 0
        self.a = QPointF()
        self.b = QPointF()
        self.setZValue(4)
        self.setToolTip(name)

    def set_ends(self, a: QPointF, b: QPointF) -> None:
        """Run the belt from ``a`` to ``b`` (scene coordinates)."""
        self.prepareGeometryChange()
        self.a, self.b = QPointF(a), QPointF(b)
        self.update()

    def set_count(self, count: int) -> None:
        """Show ``count`` parts on the belt."""
        if count != self.count:
            self.count = count
            self.update()

    def point_at(self, fraction: float) -> QPointF:
        """The belt's point ``fraction`` (0 to 1) of the way along."""
        return self.a + (self.b - self.a) * fraction

    def boundingRect(self) -> QRectF:
        return QRectF(self.a, self.b).normalized().adjusted(-14, -14, 14, 30)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(self.a, self.b).normalized().adjusted(-2, -9, 2, 9))
        return path

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = self.isSelected()
        pen = QPen(SELECTED if selected else QColor("#505050"), 16)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.drawLine(self.a, self.b)
        painter.setPen(QPen(QColor("#8a8a8a"), 12, Qt.PenStyle.DashLine, Qt.PenCapStyle.FlatCap))
        painter.drawLine(self.a, self.b)
        font = _font(0.8)
        painter.setFont(font)
        painter.setPen(INK)
        fm = QFontMetricsF(font)
        mid = (self.a + self.b) * 0.5
        text = f"{self.count}/{self.capacity}"
        w = fm.horizontalAdvance(text) + 6
        painter.drawText(
            QRectF(mid.x() - w / 2, mid.y() + 10, w, fm.height()),
            Qt.AlignmentFlag.AlignCenter,
            text,
        )


class ExitItem(QGraphicsItem):
    """Where finished parts leave the line, with how many have left."""

    def __init__(self) -> None:
        super().__init__()
        self.departed = 0
        self.setZValue(5)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_departed(self, departed: int) -> None:
        """Show ``departed`` finished parts."""
        if departed != self.departed:
            self.departed = departed
            self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-50, -30, 100, 60)

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#606060"), 1.2, Qt.PenStyle.DashLine))
        painter.setBrush(QColor("#f7f7f7"))
        painter.drawRoundedRect(QRectF(-46, -26, 92, 52), 8, 8)
        bold, small = _font(0.9, True), _font(0.85)
        painter.setFont(bold)
        painter.setPen(INK)
        painter.drawText(QRectF(-46, -24, 92, 24), Qt.AlignmentFlag.AlignCenter, tr("Finished"))
        painter.setFont(small)
        painter.drawText(QRectF(-46, 0, 92, 22), Qt.AlignmentFlag.AlignCenter, str(self.departed))


class PartsItem(QGraphicsItem):
    """Every moving part as a dot, painted at once (one item however many parts)."""

    def __init__(self) -> None:
        super().__init__()
        self.points = QPolygonF()
        self.rect = QRectF()
        self.setZValue(20)
        self._halo = QPen(QColor("#ffffff"), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        self._dot = QPen(QColor("#3a3a3a"), 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)

    def set_area(self, rect: QRectF) -> None:
        """The area the dots can be in (the scene)."""
        self.prepareGeometryChange()
        self.rect = QRectF(rect)

    def set_points(self, xy: Sequence[tuple[float, float]]) -> None:
        """Draw one dot at each (x, y) (scene coordinates)."""
        self.points = QPolygonF([QPointF(x, y) for x, y in xy])
        self.update()

    def __len__(self) -> int:
        return int(self.points.size())

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(
        self,
        painter: QPainter | None,
        option: QStyleOptionGraphicsItem | None,
        widget: QWidget | None = None,
    ) -> None:
        assert painter is not None
        if self.points.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._halo)
        painter.drawPoints(self.points)
        painter.setPen(self._dot)
        painter.drawPoints(self.points)
