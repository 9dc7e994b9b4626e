"""The scenario editor: sections of generated forms, the YAML text, and the problems.

Left, a tree of the sections (General, Stations, Resources, Products, Calendar, Layout,
Variants, Economics; the stations, resources and products by name under theirs). Middle, the
selected section's forms and tables, generated from the scenario's JSON Schema. Right, the
YAML text and, under it, the problems of the text as ``linelab validate`` words them.

Every change goes through the document: a form edit is a round-trip YAML edit of the text
(:mod:`gui.yamledit`) applied with ``apply_text`` (one undo step); typing in the text pane is
applied as typed (keystrokes merge into one undo step). When the text changes for any reason
(an edit, undo, redo, opening a file) the forms show the new text; the problems follow 300 ms
after the last change. A text that is not YAML disables the forms until it is fixed; nothing
the planner types raises.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import yamledit
from gui.document import Parsed, ScenarioDocument
from gui.i18n import notifier, tr
from scenarios import Problem
from scenarios.yamlsafe import format_path

from .fields import FieldWidget
from .forms import ItemTable, SchemaForm, fit_table, plain
from .schema import fields_of
from .textpane import ProblemList, YamlTextPane, monospace

__all__ = ["SECTIONS", "ScenarioEditor", "VariantsPage"]

Path = tuple[str | int, ...]

SECTIONS = (
    "general",
    "stations",
    "resources",
    "products",
    "calendar",
    "layout",
    "variants",
    "economics",
)
"""The sections of the tree, in order (the keys they edit; ``general`` is every other key)."""

_SECTION_TITLES = {
    "general": "General",
    "stations": "Stations",
    "resources": "Resources",
    "products": "Products",
    "calendar": "Calendar",
    "layout": "Layout",
    "variants": "Variants",
    "economics": "Economics",
}
_LISTS = {"stations": "Station", "resources": "Resource", "products": "Product"}
_OWN_KEYS = {"stations", "resources", "products", "calendar", "layout", "economics", "variants"}
_VALIDATE_MS = 300
"""Validation waits this long after the last change (typing)."""


class VariantsPage(QWidget):
    """``baseline`` and ``variants``: a row per variant (name, description, and the changes
    as one line of YAML); add, remove, rename."""

    def __init__(self, editor: ScenarioEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self._names: list[str] = []
        self._updating = False
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.baseline_label = QLabel(self)
        self.baseline = QComboBox(self)
        self.baseline.setObjectName("input_baseline")
        row.addWidget(self.baseline_label)
        row.addWidget(self.baseline, 1)
        layout.addLayout(row)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("table_variants")
        fit_table(self.table)
        self.table.setWordWrap(False)
        self.table.setMinimumHeight(150)
        header = self.table.horizontalHeader()
        if header is not None:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
            header.resizeSection(1, 260)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.body_title = QLabel(self)
        layout.addWidget(self.body_title)
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("variant_body")
        self.body.setReadOnly(True)
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.body.setFont(monospace())
        self.body.setMinimumHeight(260)
        layout.addWidget(self.body, 1)
        self.table.currentCellChanged.connect(lambda *_: self._show_body())
        self.baseline.activated.connect(self._baseline_chosen)
        self.table.itemChanged.connect(self._cell_changed)
        self.add_button.clicked.connect(self.add_variant)
        self.remove_button.clicked.connect(self.remove_selected)
        self.retranslate()

    def refresh(self, data: Any) -> None:
        """Show the variants of ``data``."""
        variants = yamledit.get_value(data, ("variants",))
        bodies = variants if isinstance(variants, dict) else {}
        self._names = [str(n) for n in bodies]
        self._updating = True
        try:
            self.baseline.clear()
            self.baseline.addItem(tr("the first variant (default)"))
            self.baseline.addItems(self._names)
            chosen = yamledit.get_value(data, ("baseline",))
            index = self._names.index(chosen) + 1 if chosen in self._names else 0
            self.baseline.setCurrentIndex(index)
            self.table.setRowCount(len(self._names))
            for r, name in enumerate(self._names):
                body = bodies[name] if isinstance(bodies[name], dict) else {}
                description = body.get("description", "")
                changes = {k: v for k, v in body.items() if k != "description"}
                for c, text in enumerate(
                    (name, str(description or ""), yamledit.format_value(plain(changes)))
                ):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    self.table.setItem(r, c, item)
        finally:
            self._updating = False
        self._show_body()

    def _show_body(self) -> None:
        """The selected variant as written in the file (read only: its comments included)."""
        row = self.table.currentRow()
        if not 0 <= row < len(self._names):
            row = 0
        self.body.setPlainText(
            _written(self.editor.document.text, ("variants", self._names[row]))
            if self._names
            else ""
        )

    def retranslate(self) -> None:
        """Relabel."""
        self.baseline_label.setText(tr("Baseline"))
        self.table.setHorizontalHeaderLabels([tr("Variant"), tr("Description"), tr("Changes")])
        self.add_button.setText(tr("Add variant"))
        self.remove_button.setText(tr("Remove"))
        self.body_title.setText(tr("The selected variant as written (edit it in the YAML text)"))
        self.hint.setText(
            tr(
                "A variant changes the base line: stations, resources and products by name "
                "({cnc: {servers: 8}}), other keys as written; null removes. Edit long "
                "changes in the YAML text."
            )
        )

    def _baseline_chosen(self, index: int) -> None:
        if self._updating:
            return
        if index <= 0:
            self.editor.remove(("baseline",))
        else:
            self.editor.edit(("baseline",), self._names[index - 1], _top_order())

    def _cell_changed(self, cell: QTableWidgetItem) -> None:
        if self._updating or cell.row() >= len(self._names):
            return
        name = self._names[cell.row()]
        text = cell.text()
        if cell.column() == 0:
            self.editor.rename(("variants", name), text.strip())
        elif cell.column() == 1:
            if text.strip():
                self.editor.edit(("variants", name, "description"), text)
            else:
                self.editor.remove(("variants", name, "description"))
        else:
            try:
                changes = yamledit.parse_value(text) if text.strip() else {}
            except yamledit.YamlEditError as exc:
                self.editor.show_status(str(exc))
                return
            if not isinstance(changes, dict):
                self.editor.show_status(tr("The changes of a variant are a mapping: {...}"))
                return
            data = yamledit.load(self.editor.document.text)
            body = yamledit.get_value(data, ("variants", name))
            value: dict[str, Any] = {}
            if isinstance(body, dict) and "description" in body:
                value["description"] = body["description"]
            value.update(changes)
            self.editor.edit(("variants", name), value)

    def add_variant(self) -> None:
        """Add a variant with no changes (``manual`` first when there is none yet)."""
        if not self._names:
            self.editor.edit(("variants",), {"manual": {}, "variant_2": {}}, _top_order())
            return
        n = len(self._names) + 1
        while f"variant_{n}" in self._names:
            n += 1
        self.editor.edit(("variants", f"variant_{n}"), {})

    def remove_selected(self) -> None:
        """Remove the selected variant."""
        row = self.table.currentRow()
        if 0 <= row < len(self._names):
            self.editor.remove(("variants", self._names[row]))


def _written(text: str, path: Path) -> str:
    """The lines of ``text`` that write the key at ``path`` and its value."""
    try:
        data = yamledit.load(text)
        parent = yamledit.get_value(data, path[:-1])
        keys = list(parent)
        index = keys.index(path[-1])
        first = parent.lc.key(path[-1])[0]
        if index + 1 < len(keys):
            last = parent.lc.key(keys[index + 1])[0]
        else:
            following = [data.lc.key(k)[0] for k in data if data.lc.key(k)[0] > first]
            last = min(following) if following else len(text.splitlines())
    except (yamledit.YamlEditError, AttributeError, KeyError, ValueError, TypeError):
        return ""
    return "\n".join(text.splitlines()[first:last]).rstrip() + "\n"


def _child_text(parent: QTreeWidgetItem, index: int) -> str:
    child = parent.child(index)
    return child.text(0) if child is not None else ""


def _top_order() -> tuple[str, ...]:
    return tuple(f.key for f in fields_of(None))


class ScenarioEditor(QWidget):
    """Edit one :class:`~gui.document.ScenarioDocument`: generated forms, YAML text, problems.

    ``validated(ok)`` is emitted after each validation (``ok``: no problem). Public parts the
    shell and the tests use: ``document``, ``tree``, ``pages`` (section → widget),
    ``text_pane``, ``problem_list``, ``status``; :meth:`flush` runs a pending validation now.
    """

    validated = pyqtSignal(bool)

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._data: Any = None
        self._shown_text: str | None = None
        self._typing = False
        self.setObjectName("scenario_editor")

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("sections")
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumWidth(150)
        self.stack = QStackedWidget(self)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; padding: 6px; border-radius: 3px;")
        self.banner.setVisible(False)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #8a6d3b;")

        # Pages, one per section, generated from the schema.
        general_keys = tuple(f.key for f in fields_of(None) if f.key not in _OWN_KEYS)
        general_keys = tuple(k for k in general_keys if k != "baseline")
        self.general = SchemaForm(self, None, (), keys=general_keys)
        self.lists: dict[str, ItemTable] = {
            key: ItemTable(self, model, (key,), detail=True) for key, model in _LISTS.items()
        }
        self.sections_form: dict[str, SchemaForm] = {
            key: SchemaForm(self, None, (), keys=(key,))
            for key in ("calendar", "layout", "economics")
        }
        self.variants = VariantsPage(self)
        self.pages: dict[str, QWidget] = {
            "general": self.general,
            **self.lists,
            **self.sections_form,
            "variants": self.variants,
        }
        self._tree_items: dict[str, QTreeWidgetItem] = {}
        for section in SECTIONS:
            if section in self.lists:
                self.stack.addWidget(self.pages[section])  # scrolls its own form
            else:
                scroll = QScrollArea(self)
                scroll.setWidgetResizable(True)
                holder = QWidget(scroll)
                holder_layout = QVBoxLayout(holder)
                holder_layout.addWidget(self.pages[section])
                holder_layout.addStretch(1)  # the fields at the top, not spread out
                scroll.setWidget(holder)
                self.stack.addWidget(scroll)
            item = QTreeWidgetItem(self.tree)
            item.setData(0, Qt.ItemDataRole.UserRole, (section, -1))
            self._tree_items[section] = item
        for key, table in self.lists.items():
            table.selected.connect(lambda row, k=key: self._row_selected(k, row))
        self.tree.currentItemChanged.connect(self._tree_clicked)

        self.text_title = QLabel(self)
        self.text_pane = YamlTextPane(self)
        self.problems_title = QLabel(self)
        self.problem_list = ProblemList(self)
        self.problem_list.jump.connect(self.text_pane.go_to)
        self.text_pane.typed.connect(self._typed)

        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.banner)
        middle_layout.addWidget(self.stack, 1)
        middle_layout.addWidget(self.status)
        text_box = QWidget(self)
        text_layout = QVBoxLayout(text_box)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addWidget(self.text_title)
        text_layout.addWidget(self.text_pane, 1)
        problems_box = QWidget(self)
        problems_layout = QVBoxLayout(problems_box)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        problems_layout.addWidget(self.problems_title)
        problems_layout.addWidget(self.problem_list, 1)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(text_box)
        right.addWidget(problems_box)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([170, 560, 560])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.splitter)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_forms)
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(_VALIDATE_MS)
        self._validate_timer.timeout.connect(self._validate)

        document.text_changed.connect(self._text_changed)
        notifier.changed.connect(self.retranslate)
        self.retranslate()
        self.tree.setCurrentItem(self._tree_items["general"])
        self.text_pane.show_text(document.text)
        self._refresh_forms()
        self._validate()

    # -- edits from the forms ------------------------------------------------------------
    def _apply(self, label: str, change: Any) -> None:
        """Apply ``change(text) -> text`` to the document as one undo step; a change that
        cannot be made (the text is not YAML, the place is gone) is reported, never raised."""
        try:
            text = change(self.document.text)
        except yamledit.YamlEditError as exc:
            self.show_status(tr("Cannot change the file: {reason}").format(reason=str(exc)))
            return
        self.show_status("")
        self.document.apply_text(text, label)

    def edit(self, path: Path, value: Any, order: tuple[str, ...] = ()) -> None:
        """Set the value at ``path`` (one undo step)."""
        label = tr("Change {key}").format(key=format_path(path))
        self._apply(label, lambda t: yamledit.set_value(t, path, value, order=order))

    def remove(self, path: Path) -> None:
        """Remove the key or item at ``path`` (one undo step); nothing if it is not there."""
        try:
            yamledit.resolve_path(self.document.text, path)
        except yamledit.YamlEditError:
            return
        label = tr("Remove {key}").format(key=format_path(path))
        self._apply(label, lambda t: yamledit.delete(t, path))

    def append(self, path: Path, item: Any) -> None:
        """Append ``item`` to the list at ``path`` (one undo step)."""
        label = tr("Add to {key}").format(key=format_path(path))
        self._apply(label, lambda t: yamledit.append_item(t, path, item))

    def move_item(self, path: Path, index: int) -> None:
        """Move the list item at ``path`` to ``index`` (one undo step)."""
        label = tr("Move {key}").format(key=format_path(path))
        self._apply(label, lambda t: yamledit.move_item(t, path, index))

    def rename(self, path: Path, new_key: str) -> None:
        """Rename the mapping key at ``path`` (a variant) in place (one undo step)."""
        if not new_key:
            self._refresh_timer.start()
            return
        label = tr("Rename {key}").format(key=format_path(path))
        self._apply(label, lambda t: yamledit.rename_key(t, path, new_key))
        self._refresh_timer.start()

    def show_status(self, message: str) -> None:
        """A one-line note under the forms (why an edit could not be made)."""
        self.status.setText(message)

    # -- following the document ----------------------------------------------------------
    def _typed(self, text: str) -> None:
        self._typing = True
        try:
            self.document.apply_text(text, tr("Typing"), typing=True)
        finally:
            self._typing = False

    def _text_changed(self, text: str) -> None:
        if self._typing:
            # The planner is typing: the forms and the problems follow when they pause.
            self._validate_timer.start()
            return
        self.text_pane.show_text(text)
        self._refresh_timer.start()
        self._validate_timer.start()

    def flush(self) -> None:
        """Run a pending form refresh and validation now (tests, before a screenshot)."""
        self._refresh_timer.stop()
        self._validate_timer.stop()
        self._refresh_forms()
        self._validate()

    def _refresh_forms(self) -> None:
        text = self.document.text
        if text == self._shown_text:
            return  # the forms already show this text
        self._shown_text = text
        try:
            data = yamledit.load(text)
        except yamledit.YamlEditError:
            data = None
        usable = isinstance(data, dict) or (data is None and not self.document.text.strip())
        self.banner.setVisible(not usable)
        self.stack.setEnabled(usable)
        if not usable:
            return
        self._data = data
        for page in self.pages.values():
            page.refresh(data)  # type: ignore[attr-defined]
        self._refresh_tree(data)

    def _refresh_tree(self, data: Any) -> None:
        for key in _LISTS:
            parent = self._tree_items[key]
            items = yamledit.get_value(data, (key,))
            names = [
                str(i.get("name", f"#{n + 1}")) if isinstance(i, dict) else f"#{n + 1}"
                for n, i in enumerate(items if isinstance(items, list) else [])
            ]
            current = [_child_text(parent, i) for i in range(parent.childCount())]
            if current == names:
                continue
            self.tree.blockSignals(True)
            parent.takeChildren()
            for row, name in enumerate(names):
                child = QTreeWidgetItem(parent, [name])
                child.setData(0, Qt.ItemDataRole.UserRole, (key, row))
            parent.setExpanded(True)
            self.tree.blockSignals(False)

    def _validate(self) -> None:
        self._validate_timer.stop()
        if self._typing:
            return
        self._refresh_forms()
        try:
            parsed = self.document.parsed()
        except Exception as exc:  # a bug of the checks must not take the editor down
            internal = Problem(
                self.document.display_name,
                1,
                1,
                "",
                f"internal error while checking: {type(exc).__name__}: {exc}",
            )
            parsed = Parsed(None, (internal,))
        self.problem_list.show_problems(parsed.problems, tr("No problems: the scenario is valid."))
        self.text_pane.mark_problems(p.line for p in parsed.problems)
        by_path: dict[str, str] = {}
        for problem in parsed.problems:
            by_path.setdefault(problem.path, problem.message)
        for path, widget in self._field_widgets().items():
            message = by_path.get(format_path(path))
            if isinstance(widget, FieldWidget):
                widget.set_problem(message)
        self.validated.emit(parsed.ok)

    def _field_widgets(self) -> dict[Path, QWidget]:
        out: dict[Path, QWidget] = {}
        out.update(self.general.field_widgets())
        for table in self.lists.values():
            out.update(table.field_widgets())
        for form in self.sections_form.values():
            out.update(form.field_widgets())
        return out

    def field_at(self, path: Path) -> QWidget | None:
        """The form input that edits ``path`` (indexes, not names), if one is shown."""
        return self._field_widgets().get(tuple(path))

    # -- navigation ----------------------------------------------------------------------
    def show_section(self, section: str, row: int = -1) -> None:
        """Show ``section`` (one of :data:`SECTIONS`), and in a list the item ``row``."""
        item = self._tree_items[section]
        if row >= 0 and row < item.childCount():
            item = item.child(row) or item
        self.tree.setCurrentItem(item)

    def _tree_clicked(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        section, row = item.data(0, Qt.ItemDataRole.UserRole)
        self.stack.setCurrentIndex(SECTIONS.index(section))
        where = getattr(self._data, "lc", None)
        if (
            row < 0
            and where is not None
            and section in self._data
            and not self.text_pane.hasFocus()
        ):
            line, col = where.key(section)
            self.text_pane.go_to(line + 1, col + 1, focus=False)
        if row >= 0 and section in self.lists:
            self.lists[section].select(row)

    def _row_selected(self, section: str, row: int) -> None:
        item = yamledit.get_value(self._data, (section, row)) if row >= 0 else None
        where = getattr(item, "lc", None)
        if where is not None and not self.text_pane.hasFocus():
            self.text_pane.go_to(where.line + 1, where.col + 1, focus=False)
        parent = self._tree_items[section]
        if 0 <= row < parent.childCount():
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(parent.child(row) or parent)
            self.tree.blockSignals(False)

    def current_section(self) -> str:
        """The section shown."""
        return SECTIONS[self.stack.currentIndex()]

    # -- language ------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Relabel everything in the current language."""
        for section, item in self._tree_items.items():
            item.setText(0, tr(_SECTION_TITLES[section]))
        self.text_title.setText(tr("YAML text"))
        self.problems_title.setText(tr("Problems"))
        self.banner.setText(
            tr(
                "The text is not valid YAML, so the forms are off until it is fixed: see the "
                "problems under the text."
            )
        )
        self.text_pane.setToolTip(
            tr("The scenario file as it will be saved; edits here and in the forms are the same")
        )
        self.general.retranslate()
        for table in self.lists.values():
            table.retranslate()
        for form in self.sections_form.values():
            form.retranslate()
        self.variants.retranslate()
        if self._data is not None:
            self.variants.refresh(self._data)
        self._validate_timer.start()
