"""Forms and tables generated from the schema: :class:`SchemaForm` (one model's keys) and
:class:`ItemTable` (a list of models: a row per item, a form for the selected one).

Both only read the loaded YAML tree and send edits to an :class:`EditTarget` (the editor),
which turns them into round-trip YAML edits of the document's text.
"""

from __future__ import annotations

from typing import Any, Protocol

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import yamledit
from gui.i18n import tr

from .fields import REMOVE, FieldWidget, Rename, make_field
from .schema import FieldSpec, Kind, choice_label, choice_of, description_of, fields_of, label_of

__all__ = ["EditTarget", "ItemTable", "SchemaForm", "fit_table", "plain"]

Path = tuple[str | int, ...]


class EditTarget(Protocol):
    """Where forms send their edits (the editor); each call is one undoable step."""

    def edit(self, path: Path, value: Any, order: tuple[str, ...] = ()) -> None: ...
    def append(self, path: Path, item: Any) -> None: ...
    def remove(self, path: Path) -> None: ...
    def move_item(self, path: Path, index: int) -> None: ...
    def rename(self, path: Path, new_key: str) -> None: ...


def plain(node: Any) -> Any:
    """A loaded YAML value as plain mappings and lists (comments dropped, scalars kept)."""
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def fit_table(table: QTableWidget) -> None:
    """Columns as wide as their contents, the last one stretched, no row numbers."""
    header = table.horizontalHeader()
    if header is not None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
    rows = table.verticalHeader()
    if rows is not None:
        rows.setVisible(False)


def _tip(spec: FieldSpec) -> str:
    """The tooltip of a field: its key as written in the file and its description (reST markup
    removed, in the current language)."""
    text = description_of(spec)
    return f"{spec.key}: {text}" if text else spec.key


def _cell_text(spec: FieldSpec, value: Any) -> str:
    """What a table cell shows for ``value`` (an enum value: its translated label)."""
    if spec.kind == Kind.ENUM and isinstance(value, str) and value in spec.choices:
        return choice_label(value)
    return value if isinstance(value, str) else yamledit.format_value(value)


def _order(model: str | None) -> tuple[str, ...]:
    return tuple(f.key for f in fields_of(model))


class SchemaForm(QWidget):
    """The keys of one model at ``base`` in the file, a labelled widget per key."""

    def __init__(
        self,
        target: EditTarget,
        model: str | None,
        base: Path,
        keys: tuple[str, ...] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.model = model
        self.base: Path = base
        self.specs = tuple(f for f in fields_of(model) if keys is None or f.key in keys)
        self.fields: dict[str, FieldWidget] = {}
        self.groups: dict[str, QGroupBox] = {}
        self.subforms: dict[str, SchemaForm] = {}
        self.tables: dict[str, ItemTable] = {}
        self.labels: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in self.specs:
            if spec.kind == Kind.OBJECT and spec.model is not None:
                group = QGroupBox(self)
                group.setCheckable(True)
                group.setToolTip(_tip(spec))
                group.setObjectName(f"group_{spec.key}")
                inner = QVBoxLayout(group)
                sub = SchemaForm(target, spec.model, (*base, spec.key), parent=group)
                inner.addWidget(sub)
                group.toggled.connect(lambda on, s=spec: self._toggle_group(s, on))
                self.groups[spec.key] = group
                self.subforms[spec.key] = sub
                layout.addRow(group)
            elif spec.kind == Kind.TABLE and spec.model is not None:
                label = QLabel(self)
                label.setToolTip(_tip(spec))
                table = ItemTable(target, spec.model, (*base, spec.key), detail=False, parent=self)
                self.labels[spec.key] = label
                self.tables[spec.key] = table
                layout.addRow(label)
                layout.addRow(table)
            else:
                label = QLabel(self)
                label.setToolTip(_tip(spec))
                field = make_field(spec, self)
                field.set_tip(_tip(spec))
                field.edited.connect(lambda value, s=spec: self._edited(s, value))
                self.labels[spec.key] = label
                self.fields[spec.key] = field
                layout.addRow(label, field)
        self.retranslate()

    def set_base(self, base: Path) -> None:
        """Show the model at another place (the table's selected row)."""
        self.base = base
        for key, sub in self.subforms.items():
            sub.set_base((*base, key))
        for key, table in self.tables.items():
            table.path = (*base, key)

    def _edited(self, spec: FieldSpec, value: Any) -> None:
        path = (*self.base, spec.key)
        if isinstance(value, Rename):
            self.target.rename((*path, value.old), value.new)
        elif value is REMOVE:
            self.target.remove(path)
        else:
            self.target.edit(path, value, _order(self.model))

    def _toggle_group(self, spec: FieldSpec, on: bool) -> None:
        path = (*self.base, spec.key)
        if on:
            self.target.edit(path, {}, _order(self.model))
        else:
            self.target.remove(path)

    def refresh(self, data: Any) -> None:
        """Show the values of ``data`` (the loaded YAML tree of the whole file)."""
        node = yamledit.get_value(data, self.base)
        mapping = node if isinstance(node, dict) else {}
        for key, field in self.fields.items():
            field.show_value(mapping.get(key), key in mapping)
        for key, group in self.groups.items():
            present = key in mapping and mapping[key] is not None
            group.blockSignals(True)
            group.setChecked(present)
            group.blockSignals(False)
            for child in group.findChildren(QWidget):
                child.setEnabled(present)
            self.subforms[key].refresh(data)
        for table in self.tables.values():
            table.refresh(data)

    def field_widgets(self) -> dict[Path, QWidget]:
        """Every input of the form by its path in the file (for marking problems)."""
        out: dict[Path, QWidget] = {(*self.base, k): f for k, f in self.fields.items()}
        for key, group in self.groups.items():
            out[(*self.base, key)] = group
            out.update(self.subforms[key].field_widgets())
        for table in self.tables.values():
            out.update(table.field_widgets())
        return out

    def retranslate(self) -> None:
        """Relabel every key (labels are the keys in words, translated)."""
        for spec in self.specs:
            text = tr(label_of(spec.key))
            tip = _tip(spec)
            if spec.key in self.groups:
                self.groups[spec.key].setTitle(text)
                self.groups[spec.key].setToolTip(tip)
            elif spec.key in self.labels:
                self.labels[spec.key].setText(text)
                self.labels[spec.key].setToolTip(tip)
            if spec.key in self.fields:
                self.fields[spec.key].retranslate()
                self.fields[spec.key].set_tip(tip)
        for sub in self.subforms.values():
            sub.retranslate()
        for table in self.tables.values():
            table.retranslate()


class ItemTable(QWidget):
    """A list of models (stations, resources, products, shifts, breaks): one row per item,
    one column per simple key, each cell one line of YAML; buttons to add (a copy of the
    selected item under a new name), remove and move items; with ``detail``, the form of the
    selected item below, nested groups included."""

    selected = pyqtSignal(int)
    """The selected row changed (-1: none)."""

    def __init__(
        self,
        target: EditTarget,
        model: str,
        path: Path,
        *,
        detail: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.model = model
        self.path: Path = path
        self.columns = tuple(f for f in fields_of(model) if f.kind not in (Kind.OBJECT, Kind.TABLE))
        self._items: list[Any] = []
        self._updating = False
        self._pending = -1
        """Row to select at the next refresh (an item just added or moved)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(self.columns), self)
        self.table.setObjectName(f"table_{model}")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        fit_table(self.table)
        self.table.itemChanged.connect(self._cell_changed)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        self.up_button = QPushButton(self)
        self.down_button = QPushButton(self)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top_layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.form: SchemaForm | None = None
        if detail:
            splitter = QSplitter(Qt.Orientation.Vertical, self)
            splitter.addWidget(top)
            self.detail_box = QGroupBox()
            inner = QVBoxLayout(self.detail_box)
            self.form = SchemaForm(target, model, (*path, 0), parent=self.detail_box)
            inner.addWidget(self.form)
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setWidget(self.detail_box)
            splitter.addWidget(scroll)
            splitter.setStretchFactor(0, 1)
            splitter.setStretchFactor(1, 3)
            splitter.setSizes([170, 600])
            self.table.setMinimumHeight(110)
            layout.addWidget(splitter)
            self.detail_box.setVisible(False)
        else:
            layout.addWidget(top)
        self.retranslate()

    # -- showing -------------------------------------------------------------------------
    def refresh(self, data: Any) -> None:
        """Show the list at ``path`` in ``data`` (the loaded tree of the whole file)."""
        node = yamledit.get_value(data, self.path)
        self._items = list(node) if isinstance(node, list) else []
        row = self.current_row() if self._pending < 0 else self._pending
        self._pending = -1
        self._updating = True
        try:
            self.table.setRowCount(len(self._items))
            for r, item in enumerate(self._items):
                mapping = item if isinstance(item, dict) else {}
                for c, spec in enumerate(self.columns):
                    value = mapping.get(spec.key)
                    text = _cell_text(spec, value)
                    cell = self.table.item(r, c)
                    if cell is None:
                        cell = QTableWidgetItem()
                        self.table.setItem(r, c, cell)
                    if cell.text() != text:
                        cell.setText(text)
                    cell.setToolTip(_tip(spec))
            if self._items:
                row = min(max(row, 0), len(self._items) - 1)
                self.table.selectRow(row)
        finally:
            self._updating = False
        if self.form is None:
            self._fit_height()
        self._show_detail(data)

    def _fit_height(self) -> None:
        """A nested table is as high as its rows (at most about six)."""
        rows = self.table.verticalHeader()
        header = self.table.horizontalHeader()
        row_height = rows.defaultSectionSize() if rows is not None else 30
        head = header.sizeHint().height() if header is not None else 30
        shown = min(max(len(self._items), 1), 6)
        bar = self.table.horizontalScrollBar()
        extra = bar.sizeHint().height() if bar is not None else 0
        self.table.setFixedHeight(head + shown * row_height + extra + 2 * self.table.frameWidth())

    def _show_detail(self, data: Any) -> None:
        if self.form is None:
            return
        row = self.current_row()
        self.detail_box.setVisible(row >= 0)
        if row >= 0:
            self.form.set_base((*self.path, row))
            self.form.refresh(data)
            item = self._items[row] if row < len(self._items) else None
            name = item.get("name") if isinstance(item, dict) else None
            self.detail_box.setTitle(str(name) if name is not None else f"#{row + 1}")
        self._data = data

    def current_row(self) -> int:
        """The selected row, or -1."""
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return rows[0].row() if rows else -1

    def select(self, row: int) -> None:
        """Select ``row`` (and show its form)."""
        if 0 <= row < self.table.rowCount():
            self.table.selectRow(row)

    def field_widgets(self) -> dict[Path, QWidget]:
        """The cells' table by each item's path, and the detail form's inputs."""
        out: dict[Path, QWidget] = {}
        for r in range(len(self._items)):
            out[(*self.path, r)] = self.table
        if self.form is not None and self.current_row() >= 0:
            out.update(self.form.field_widgets())
        return out

    def retranslate(self) -> None:
        """Relabel the column headers and buttons."""
        self.table.setHorizontalHeaderLabels([tr(label_of(s.key)) for s in self.columns])
        self.add_button.setText(tr("Add"))
        self.add_button.setToolTip(tr("Add an item: a copy of the selected one, with a new name"))
        self.remove_button.setText(tr("Remove"))
        self.up_button.setText(tr("Move up"))
        self.down_button.setText(tr("Move down"))
        if self.form is not None:
            self.form.retranslate()
            self.detail_box.setToolTip(tr("All keys of the selected item"))
        updating, self._updating = self._updating, True
        try:  # enum labels and tooltips of the cells shown
            for r, item in enumerate(getattr(self, "_items", [])):
                mapping = item if isinstance(item, dict) else {}
                for c, spec in enumerate(self.columns):
                    cell = self.table.item(r, c)
                    if cell is not None:
                        cell.setText(_cell_text(spec, mapping.get(spec.key)))
                        cell.setToolTip(_tip(spec))
        finally:
            self._updating = updating

    # -- editing -------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        if self._updating:
            return
        self.selected.emit(self.current_row())
        if hasattr(self, "_data"):
            self._show_detail(self._data)

    def _cell_changed(self, cell: QTableWidgetItem) -> None:
        if self._updating:
            return
        spec = self.columns[cell.column()]
        text = cell.text()
        path = (*self.path, cell.row(), spec.key)
        if not text.strip():
            if spec.required:
                self.target.edit(path, "", tuple(c.key for c in self.columns))
            else:
                self.target.remove(path)
            return
        if spec.kind == Kind.TEXT:
            value: Any = text
        elif spec.kind == Kind.ENUM and choice_of(spec, text) is not None:
            value = choice_of(spec, text)
        else:
            try:
                value = yamledit.parse_value(text)
            except yamledit.YamlEditError:
                value = text
        self.target.edit(path, value, tuple(f.key for f in fields_of(self.model)))

    def new_item(self) -> Any:
        """What "Add" appends: a copy of the selected (or last) item with a new name; in an
        empty list, the required keys with simple values."""
        row = self.current_row()
        source = self._items[row] if 0 <= row < len(self._items) else None
        if source is None and self._items:
            source = self._items[-1]
        if isinstance(source, dict):
            item = plain(source)
        else:
            item = {}
            for spec in fields_of(self.model):
                if spec.required:
                    item[spec.key] = _starter(spec)
        if "name" in item or any(f.key == "name" for f in fields_of(self.model) if f.required):
            taken = {str(i.get("name")) for i in self._items if isinstance(i, dict)}
            stem = str(item.get("name") or self.model.lower())
            n = 2
            while f"{stem}_{n}" in taken:
                n += 1
            item["name"] = f"{stem}_{n}"
        return item

    def add_item(self) -> None:
        """Append :meth:`new_item` and select it."""
        self._pending = len(self._items)
        self.target.append(self.path, self.new_item())

    def remove_selected(self) -> None:
        """Remove the selected item."""
        row = self.current_row()
        if row >= 0:
            self.target.remove((*self.path, row))

    def _move(self, step: int) -> None:
        row = self.current_row()
        if row >= 0 and 0 <= row + step < len(self._items):
            self._pending = row + step
            self.target.move_item((*self.path, row), row + step)


def _starter(spec: FieldSpec) -> Any:
    """A simple first value for a required key of a new item."""
    if spec.kind == Kind.ENUM and spec.choices:
        return spec.choices[0]
    if spec.kind == Kind.INT:
        return spec.minimum if spec.minimum is not None else 1
    if spec.kind == Kind.NUMBER:
        return 1
    if spec.kind in (Kind.QUANTITY, Kind.COMPACT):
        return "1 min"
    if spec.key in ("start", "end"):
        return "08:00"
    return "new"
