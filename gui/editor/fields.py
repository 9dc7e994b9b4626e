"""One widget per kind of field: what a form shows for one key of the scenario.

Every widget shows the value written in the file (or nothing when the key is not written) and
emits ``edited(value)`` when the planner changes it; the value is what the key should hold
(:data:`REMOVE` when the key should go). Widgets never check values themselves beyond their
type: the scenario loader does, and its problem is shown on the widget (``set_problem``), so
the wording is the command line's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import yamledit
from gui.i18n import tr

from .schema import FieldSpec, Kind, choice_label

__all__ = ["REMOVE", "FieldWidget", "Rename", "make_field"]

REMOVE = object()
"""The value of an edit that removes the key."""


@dataclass(frozen=True)
class Rename:
    """The value of an edit that renames the key ``old`` of a mapping field to ``new``."""

    old: str
    new: str


_INT32 = 2**31 - 1
_ERROR_BACKGROUND = QColor("#f9d0cc")


class FieldWidget(QWidget):
    """Base of the field widgets: ``edited(value)``, ``show_value``, ``set_problem``."""

    edited = pyqtSignal(object)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._updating = False
        self._tip = ""
        self.problem: str | None = None
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def show_value(self, value: Any, present: bool) -> None:
        """Show ``value`` (``present``: the key is written in the file)."""
        self._updating = True
        try:
            self._show(value, present)
        finally:
            self._updating = False

    def _show(self, value: Any, present: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _emit(self, value: Any) -> None:
        if not self._updating:
            self.edited.emit(value)

    def set_tip(self, tip: str) -> None:
        """The tooltip shown when the field has no problem (key and description)."""
        self._tip = tip
        self.focus_target().setToolTip(tip)

    def set_problem(self, message: str | None) -> None:
        """Mark the field as wrong (``message``: the loader's problem) or clear the mark."""
        target = self.focus_target()
        if not hasattr(self, "_palette"):
            self._palette = QPalette(target.palette())
        palette = QPalette(self._palette)
        if message:
            for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
                palette.setColor(role, _ERROR_BACKGROUND)
        target.setPalette(palette)
        tip = getattr(self, "_tip", "")
        target.setToolTip(f"{message}\n\n{tip}" if message else tip)
        self.problem = message

    def focus_target(self) -> QWidget:
        """The inner widget that takes the focus (for jumping to a problem)."""
        return self

    def retranslate(self) -> None:
        """Relabel what the widget shows itself (placeholders, special values)."""


class _TextField(FieldWidget):
    """Text, quantities, plain numbers and compact YAML: a line edit; empty removes the key
    (or writes empty text where the key is required)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QLineEdit(self)
        self._layout.addWidget(self.edit)
        self._shown = ""
        self.edit.editingFinished.connect(self._finished)
        self.retranslate()

    def retranslate(self) -> None:
        hints = {
            Kind.QUANTITY: tr("a number or a value with its unit, such as 45 s"),
            Kind.COMPACT: tr("YAML on one line, such as {dist: exponential, mean: 45 s}"),
            Kind.NUMBER: tr("a number"),
        }
        default = self.spec.default
        hint = hints.get(self.spec.kind, "")
        if default not in (None, [], {}, ""):
            hint = tr("default: {value}").format(value=yamledit.format_value(default))
        elif not self.spec.required and self.spec.kind != Kind.COMPACT:
            hint = tr("not set")
        self.edit.setPlaceholderText(hint)

    def _show(self, value: Any, present: bool) -> None:
        text = yamledit.format_value(value) if present else ""
        if self.spec.kind == Kind.TEXT and isinstance(value, str):
            text = value
        self._shown = text
        if self.edit.text() != text:
            self.edit.setText(text)
            self.edit.setCursorPosition(0)

    def _finished(self) -> None:
        text = self.edit.text()
        if text == self._shown:
            return
        self._shown = text
        if not text.strip():
            self._emit("" if self.spec.required and self.spec.kind == Kind.TEXT else REMOVE)
            return
        if self.spec.kind == Kind.TEXT:
            self._emit(text)
            return
        try:
            value = yamledit.parse_value(text)
        except yamledit.YamlEditError:
            value = text  # written as text: the loader says what is wrong with it
        self._emit(value)

    def focus_target(self) -> QWidget:
        return self.edit


class _IntField(FieldWidget):
    """A whole number in a spin box; an optional key has a "not set" value below the minimum."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = QSpinBox(self)
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else _INT32
        self._unset = low - 1
        self.spin.setRange(self._unset, min(high, _INT32))
        self.spin.setKeyboardTracking(False)
        self.spin.setMinimumWidth(110)
        self._layout.addWidget(self.spin)
        self._layout.addStretch(1)
        self.spin.valueChanged.connect(self._changed)
        self.raw = QLineEdit(self)
        self.raw.setVisible(False)
        self._layout.insertWidget(1, self.raw, 1)
        self.raw.editingFinished.connect(self._raw_finished)
        self.retranslate()

    def retranslate(self) -> None:
        self.spin.setSpecialValueText(tr("not set"))

    def _show(self, value: Any, present: bool) -> None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        fits = ok and self._unset < value <= self.spin.maximum()
        # A value the spin box cannot show (text, 2.5, out of range) is shown as written.
        self.raw.setVisible(present and not fits)
        self.spin.setVisible(not (present and not fits))
        if present and not fits:
            self.raw.setText(yamledit.format_value(value))
        elif present and ok:
            self.spin.setValue(int(value))
        else:
            default = self.spec.default
            use_default = not present and isinstance(default, int) and default > self._unset
            self.spin.setValue(default if use_default else self._unset)

    def _changed(self, value: int) -> None:
        self._emit(REMOVE if value == self._unset else value)

    def _raw_finished(self) -> None:
        text = self.raw.text()
        if not text.strip():
            self._emit(REMOVE)
            return
        try:
            self._emit(yamledit.parse_value(text))
        except yamledit.YamlEditError:
            self._emit(text)

    def focus_target(self) -> QWidget:
        return self.raw if self.raw.isVisibleTo(self) else self.spin


class _EnumField(FieldWidget):
    """One of the schema's values in a combo box (first entry "not set" when optional)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = QComboBox(self)
        self._layout.addWidget(self.combo)
        self._layout.addStretch(1)
        self._values: list[Any] = []
        self.retranslate()
        self.combo.activated.connect(self._chosen)

    def retranslate(self) -> None:
        current = self.combo.currentIndex()
        self.combo.clear()
        self._values = []
        if not self.spec.required:
            default = self.spec.default
            label = (
                tr("not set")
                if default is None
                else tr("default: {value}").format(value=choice_label(default))
            )
            self.combo.addItem(label)
            self._values.append(REMOVE)
        for choice in self.spec.choices:
            self.combo.addItem(choice_label(choice))
            self._values.append(choice)
        self.combo.setCurrentIndex(max(current, 0))

    def _show(self, value: Any, present: bool) -> None:
        if not present:
            self.combo.setCurrentIndex(0)
            return
        for index, choice in enumerate(self._values):
            if choice is not REMOVE and choice == value and type(choice) is type(value):
                self.combo.setCurrentIndex(index)
                return
        self.combo.setCurrentIndex(-1)
        self.combo.setEditText(str(value))

    def _chosen(self, index: int) -> None:
        if 0 <= index < len(self._values):
            self._emit(self._values[index])

    def focus_target(self) -> QWidget:
        return self.combo


class _BoolField(FieldWidget):
    """Yes/no: checked writes ``true``; unchecked removes an optional key (its default is
    "no"), or writes ``false`` for a required one."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox(self)
        self._layout.addWidget(self.box)
        self._layout.addStretch(1)
        self.box.toggled.connect(self._toggled)

    def _show(self, value: Any, present: bool) -> None:
        self.box.setChecked(bool(present and value is True))

    def _toggled(self, checked: bool) -> None:
        self._emit(True if checked else (False if self.spec.required else REMOVE))

    def focus_target(self) -> QWidget:
        return self.box


class _FlagsField(FieldWidget):
    """A list of values from a fixed set (days): one check box each; none checked removes
    the key (its default: all of them)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.boxes: list[QCheckBox] = []
        for choice in spec.choices:
            box = QCheckBox(str(choice), self)
            box.toggled.connect(self._toggled)
            self._layout.addWidget(box)
            self.boxes.append(box)
        self._layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        for box, choice in zip(self.boxes, self.spec.choices, strict=True):
            box.setText(tr(str(choice)))

    def _show(self, value: Any, present: bool) -> None:
        chosen = set(value) if present and isinstance(value, list) else set()
        for box, choice in zip(self.boxes, self.spec.choices, strict=True):
            box.setChecked(choice in chosen)

    def _toggled(self, _checked: bool) -> None:
        chosen = [c for b, c in zip(self.boxes, self.spec.choices, strict=True) if b.isChecked()]
        self._emit(chosen if chosen else REMOVE)

    def focus_target(self) -> QWidget:
        return self.boxes[0] if self.boxes else self


class _MappingField(FieldWidget):
    """Names to values (``points``, ``wages``): a row per name, the value as one line of
    YAML; editing a name renames the key in place, an empty value removes the row."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self._mapping: dict[str, Any] = {}
        box = QVBoxLayout()
        self.table = QTableWidget(0, 2, self)
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        self.table.horizontalHeader().setStretchLastSection(True)  # type: ignore[union-attr]
        self.table.itemChanged.connect(self._cell_changed)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        box.addWidget(self.table)
        box.addLayout(buttons)
        self._layout.addLayout(box)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("Name"), tr("Value")])
        self.add_button.setText(tr("Add"))
        self.remove_button.setText(tr("Remove"))

    def _show(self, value: Any, present: bool) -> None:
        self._mapping = dict(value) if present and isinstance(value, dict) else {}
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self._mapping))
            for row, (key, item) in enumerate(self._mapping.items()):
                self.table.setItem(row, 0, QTableWidgetItem(str(key)))
                self.table.setItem(row, 1, QTableWidgetItem(yamledit.format_value(item)))
        finally:
            self.table.blockSignals(False)
        rows = min(max(len(self._mapping), 1), 8)
        head = self.table.horizontalHeader()
        row_height = self.table.verticalHeader().defaultSectionSize()  # type: ignore[union-attr]
        self.table.setFixedHeight(
            (head.sizeHint().height() if head is not None else 30)
            + rows * row_height
            + 2 * self.table.frameWidth()
        )

    def _cell_changed(self, cell: QTableWidgetItem) -> None:
        keys = list(self._mapping)
        if self._updating or cell.row() >= len(keys):
            return
        key = keys[cell.row()]
        text = cell.text()
        if cell.column() == 0:
            if text.strip() and text != key:
                self._emit(Rename(key, text.strip()))
            return
        new = dict(self._mapping)
        if not text.strip():
            del new[key]
        else:
            try:
                new[key] = yamledit.parse_value(text)
            except yamledit.YamlEditError:
                new[key] = text
        self._emit(new if new else REMOVE)

    def _add(self) -> None:
        n = len(self._mapping) + 1
        while f"new_{n}" in self._mapping:
            n += 1
        last = list(self._mapping.values())[-1] if self._mapping else 0
        self._emit({**self._mapping, f"new_{n}": last})

    def _remove(self) -> None:
        row = self.table.currentRow()
        keys = list(self._mapping)
        if 0 <= row < len(keys):
            new = {k: v for k, v in self._mapping.items() if k != keys[row]}
            self._emit(new if new else REMOVE)

    def focus_target(self) -> QWidget:
        return self.table


def make_field(spec: FieldSpec, parent: QWidget | None = None) -> FieldWidget:
    """The widget for a field of kind ``spec.kind`` (not ``object`` or ``table``, which
    the forms build from their own fields)."""
    if spec.kind == Kind.INT and (spec.maximum is None or spec.maximum <= _INT32):
        widget: FieldWidget = _IntField(spec, parent)
    elif spec.kind == Kind.ENUM:
        widget = _EnumField(spec, parent)
    elif spec.kind == Kind.BOOL:
        widget = _BoolField(spec, parent)
    elif spec.kind == Kind.FLAGS:
        widget = _FlagsField(spec, parent)
    elif spec.kind == Kind.MAPPING:
        widget = _MappingField(spec, parent)
    else:
        widget = _TextField(spec, parent)
    widget.setObjectName(f"field_{spec.key}")
    widget.focus_target().setObjectName(f"input_{spec.key}")
    widget.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
    return widget
