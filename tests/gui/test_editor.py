"""The scenario editor (gui.editor): generated forms, the YAML text pane, inline problems.

Pinned down: a form edit changes exactly the value it shows in the YAML text and keeps the
comments; typing an invalid value in the text shows the loader's problem with its line
number (``line:col: path: message``), tints that line, marks the form field, and clicking
the problem jumps there; text that is not YAML turns the forms off without an exception and
editing goes on; undo restores the text and the forms; the forms cover every field of the
pydantic models (a key added to the schema appears with no widget code); adding and
removing stations works; every label is Chinese after ``set_language("zh_CN")``.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

import scenarios
from gui import i18n
from gui.document import ScenarioDocument
from gui.editor import SECTIONS, ScenarioEditor
from gui.editor import schema as editor_schema
from gui.editor.fields import FieldWidget
from gui.editor.forms import ItemTable, SchemaForm
from gui.editor.schema import Kind, fields_of, label_of
from gui.i18n import catalogue
from scenarios import model as scenario_model


@pytest.fixture
def editor(qtbot: Any) -> ScenarioEditor:
    document = ScenarioDocument()
    document.new_from_example("phone_housing_cell")
    widget = ScenarioEditor(document)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.flush()
    return widget


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def section_title(editor: ScenarioEditor, index: int) -> str:
    item = editor.tree.topLevelItem(index)
    assert item is not None
    return item.text(0)


def mean_s(process: Any) -> float:
    return float(process.mean_s)


def changed(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_form_edit_changes_the_yaml_and_keeps_comments(editor: ScenarioEditor, qtbot: Any) -> None:
    before = editor.document.text
    editor.show_section("stations", 1)  # cnc
    spin = editor.field_at(("stations", 1, "servers"))
    assert spin is not None
    box = spin.findChild(QSpinBox)
    assert box is not None and box.value() == 12
    box.setValue(10)
    after = editor.document.text
    assert changed(before, after) == ["-    servers: 12", "+    servers: 10"]
    assert comments(after) == comments(before)
    assert scenarios.loads(after).station("cnc").servers == 10
    qtbot.waitUntil(lambda: editor.text_pane.toPlainText() == after)


def test_nested_group_and_text_fields_edit_in_place(editor: ScenarioEditor, qtbot: Any) -> None:
    before = editor.document.text
    editor.show_section("stations", 1)
    field = editor.field_at(("stations", 1, "failures", "mtbf"))
    assert isinstance(field, FieldWidget)
    edit = field.focus_target()
    assert isinstance(edit, QLineEdit)
    edit.setText("30 h")
    edit.editingFinished.emit()
    assert changed(before, editor.document.text) == ["-      mtbf: 40 h", "+      mtbf: 30 h"]
    # Unchecking the optional group removes the key (and only its lines).
    group = editor.field_at(("stations", 1, "failures"))
    assert isinstance(group, QGroupBox) and group.isChecked()
    group.setChecked(False)
    assert scenarios.loads(editor.document.text).station("cnc").failures is None


def test_typing_an_invalid_value_shows_the_problem_with_its_line(
    editor: ScenarioEditor, qtbot: Any
) -> None:
    text = editor.document.text.replace("    servers: 12\n", "    servers: twelve\n")
    line = line_of(text, "servers: twelve")
    editor.show_section("stations", 1)
    editor.text_pane.setPlainText(text)  # as if typed: the pane emits typed()
    assert editor.document.text == text
    expected = f"{line}:14: stations[1].servers: expected a whole number, got 'twelve'"
    qtbot.waitUntil(lambda: expected in editor.problem_list.texts(), timeout=3000)
    assert line in editor.text_pane.problem_lines
    field = editor.field_at(("stations", 1, "servers"))
    assert field is not None and field.problem == "expected a whole number, got 'twelve'"  # type: ignore[attr-defined]

    # Clicking the problem puts the cursor on its line and column.
    editor.text_pane.go_to(1, 1, focus=False)
    item = editor.problem_list.item(editor.problem_list.texts().index(expected))
    editor.problem_list.itemClicked.emit(item)
    cursor = editor.text_pane.textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (line, 14)

    # The app keeps working: a form edit fixes it.
    editor.edit(("stations", 1, "servers"), 8)
    editor.flush()
    assert editor.problem_list.texts() == ["No problems: the scenario is valid."]
    assert scenarios.loads(editor.document.text).station("cnc").servers == 8


def test_text_that_is_not_yaml_turns_the_forms_off_without_raising(
    editor: ScenarioEditor, qtbot: Any
) -> None:
    broken = editor.document.text.replace("  points:\n", "  points: [\n", 1)
    editor.text_pane.setPlainText(broken)
    qtbot.waitUntil(lambda: editor.banner.isVisible(), timeout=3000)
    assert not editor.stack.isEnabled()
    assert any("YAML syntax error" in t for t in editor.problem_list.texts())
    editor.edit(("seed",), 1)  # a form edit now cannot be made: reported, not raised
    assert editor.status.text().startswith("Cannot change the file")
    assert editor.document.text == broken
    editor.document.undo_stack.undo()
    editor.flush()
    assert editor.stack.isEnabled() and not editor.banner.isVisible()


def test_undo_restores_the_text_and_the_forms(editor: ScenarioEditor, qtbot: Any) -> None:
    before = editor.document.text
    editor.show_section("stations", 1)
    editor.edit(("stations", 1, "servers"), 9)
    editor.edit(("stations", 1, "scrap"), 0.03)
    box = editor.field_at(("stations", 1, "servers")).findChild(QSpinBox)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: box.value() == 9)
    editor.document.undo_stack.undo()
    editor.document.undo_stack.undo()
    assert editor.document.text == before
    qtbot.waitUntil(lambda: box.value() == 12)
    assert editor.text_pane.toPlainText() == before
    editor.document.undo_stack.redo()
    qtbot.waitUntil(lambda: box.value() == 9)


def test_typing_is_one_undo_step_and_forms_follow(editor: ScenarioEditor, qtbot: Any) -> None:
    before = editor.document.text
    editor.show_section("general")
    editor.text_pane.setPlainText(before.replace("replications: 5", "replications: 6"))
    editor.text_pane.setPlainText(before.replace("replications: 5", "replications: 7"))
    box = editor.field_at(("replications",)).findChild(QSpinBox)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: box.value() == 7, timeout=3000)
    editor.document.undo_stack.undo()
    assert editor.document.text == before
    qtbot.waitUntil(lambda: box.value() == 5)


def test_add_and_remove_stations(editor: ScenarioEditor, qtbot: Any) -> None:
    stations = editor.lists["stations"]
    editor.show_section("stations", 2)  # probe
    stations.add_button.click()
    added = scenarios.loads(editor.document.text).stations
    assert [s.name for s in added] == ["blanks", "cnc", "probe", "probe_2"]
    assert added[3].model_dump(exclude={"name"}) == added[2].model_dump(exclude={"name"})
    qtbot.waitUntil(lambda: stations.table.rowCount() == 4)
    qtbot.waitUntil(lambda: stations.current_row() == 3)
    stations.remove_selected()
    qtbot.waitUntil(lambda: stations.table.rowCount() == 3)
    assert [s.name for s in scenarios.loads(editor.document.text).stations] == [
        "blanks",
        "cnc",
        "probe",
    ]


def test_table_cell_edit(editor: ScenarioEditor) -> None:
    stations = editor.lists["stations"]
    column = [s.key for s in stations.columns].index("process")
    cell(stations.table, 0, column).setText("25 s")
    assert mean_s(scenarios.loads(editor.document.text).station("blanks").process) == 25.0
    assert "    process: 25 s\n" in editor.document.text


def _form_keys(form: SchemaForm) -> set[str]:
    return {s.key for s in form.specs}


def _check_form_covers_model(form: SchemaForm, model: type[BaseModel]) -> None:
    """Every field of the pydantic model is a field of the form, and nothing else; the same
    for every nested group."""
    assert _form_keys(form) == set(model.model_fields), model.__name__
    for key, sub in form.subforms.items():
        nested = next(
            m for m in _models(model.model_fields[key].annotation) if m.__name__ == sub.model
        )
        _check_form_covers_model(sub, nested)


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_forms_cover_every_model_field(editor: ScenarioEditor) -> None:
    # The top level: the general form and the sections together are the Scenario's fields.
    shown = _form_keys(editor.general) | set(editor.lists)
    for form in editor.sections_form.values():
        shown |= _form_keys(form)
    shown |= {"variants", "baseline"}
    assert shown == set(scenario_model.Scenario.model_fields) | {"variants", "baseline"}
    # Each named list's detail form is its model, nested groups included.
    for key, table in editor.lists.items():
        item_model = _models(scenario_model.Scenario.model_fields[key].annotation)[0]
        assert table.form is not None
        _check_form_covers_model(table.form, item_model)
        assert {c.key for c in table.columns} <= set(item_model.model_fields)
    for key, form in editor.sections_form.items():
        _check_form_covers_model(
            form.subforms[key], _models(scenario_model.Scenario.model_fields[key].annotation)[0]
        )


def test_a_new_schema_key_appears_without_widget_code(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    extended = copy.deepcopy(editor_schema.schema())
    extended["$defs"]["Station"]["properties"]["coolant"] = {
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}],
        "description": "Coolant flow in l/min.",
    }
    extended["$defs"]["Station"]["properties"]["mode"] = {"enum": ["wet", "dry"]}
    monkeypatch.setattr(editor_schema, "schema", lambda: extended)
    editor_schema.fields_of.cache_clear()
    try:
        document = ScenarioDocument()
        document.new_from_example("phone_housing_cell")
        editor = ScenarioEditor(document)
        qtbot.addWidget(editor)
        table = editor.lists["stations"]
        assert [c.key for c in table.columns][-2:] == ["coolant", "mode"]
        editor.show_section("stations", 0)
        assert table.form is not None
        assert table.form.fields["coolant"].spec.kind == Kind.NUMBER
        assert table.form.fields["mode"].spec.kind == Kind.ENUM
        editor.edit(("stations", 0, "coolant"), 12.5, tuple(f.key for f in fields_of("Station")))
        assert "    coolant: 12.5\n" in document.text
    finally:
        editor_schema.fields_of.cache_clear()


def test_field_kinds_follow_the_schema() -> None:
    kinds = {f.key: f.kind for f in fields_of("Station")}
    assert kinds["servers"] == Kind.INT
    assert kinds["process"] == Kind.COMPACT  # a distribution, as one line of YAML
    assert kinds["unbatch"] == Kind.BOOL
    assert kinds["tending"] == Kind.OBJECT
    assert {f.key: f.kind for f in fields_of("Resource")}["kind"] == Kind.ENUM
    assert {f.key: f.kind for f in fields_of(None)}["horizon"] == Kind.QUANTITY
    assert {f.key: f.kind for f in fields_of("Calendar")}["days"] == Kind.FLAGS
    assert {f.key: f.kind for f in fields_of("Layout")}["points"] == Kind.MAPPING


def _reachable_labels() -> set[str]:
    seen: set[str | None] = set()
    labels: set[str] = set()

    def walk(model: str | None) -> None:
        if model in seen:
            return
        seen.add(model)
        for spec in fields_of(model):
            labels.add(label_of(spec.key))
            labels.update(str(c) for c in spec.choices if spec.kind == Kind.FLAGS)
            if spec.model and spec.kind in (Kind.OBJECT, Kind.TABLE):
                walk(spec.model)

    walk(None)
    return labels


def test_every_label_has_a_chinese_translation() -> None:
    from gui.editor.editor import _SECTION_TITLES

    table = catalogue("zh_CN")
    missing = sorted(
        label for label in _reachable_labels() | set(_SECTION_TITLES.values()) if label not in table
    )
    assert missing == []


def test_chinese_labels_after_switching_language(editor: ScenarioEditor, qtbot: Any) -> None:
    i18n.set_language("zh_CN")
    titles = [section_title(editor, i) for i in range(len(SECTIONS))]
    assert titles == ["常规", "工位", "资源", "产品", "日历", "布局", "方案", "经济性"]
    stations = editor.lists["stations"]
    header = stations.table.model()
    assert header is not None
    headers = [header.headerData(i, Qt.Orientation.Horizontal) for i in range(3)]
    assert headers == ["名称", "并行台数", "加工时间"]
    assert stations.form is not None
    assert stations.form.labels["servers"].text() == "并行台数"
    assert stations.add_button.text() == "添加"
    assert editor.text_title.text() == "YAML 文本"
    editor.flush()
    assert editor.problem_list.texts() == ["没有问题：场景有效。"]
    i18n.set_language("en")
    assert stations.form.labels["servers"].text() == "Servers"
    assert section_title(editor, 1) == "Stations"


def test_variants_page(editor: ScenarioEditor) -> None:
    page = editor.variants
    assert page.table.rowCount() == 2
    assert cell(page.table, 1, 0).text() == "robots"
    cell(page.table, 1, 0).setText("robot_cell")
    found = scenarios.loads_variants(editor.document.text)
    assert list(found.scenarios) == ["manual", "robot_cell"]
    editor.flush()
    cell(page.table, 1, 1).setText("two robots")
    assert scenarios.loads_variants(editor.document.text).descriptions["robot_cell"] == "two robots"


def test_every_section_shows(editor: ScenarioEditor) -> None:
    for section in SECTIONS:
        editor.show_section(section)
        assert editor.current_section() == section
    labels = [w.text() for w in editor.sections_form["calendar"].findChildren(QLabel)]
    assert "Shifts" in labels
    assert isinstance(editor.lists["resources"], ItemTable)
    days = editor.field_at(("calendar", "days"))
    assert days is not None
    boxes = days.boxes  # type: ignore[attr-defined]
    assert [b.isChecked() for b in boxes] == [True] * 6 + [False]
    boxes[6].setChecked(True)
    calendar = scenarios.loads(editor.document.text).calendar
    assert calendar is not None and calendar.days is not None
    assert "sun" in editor.document.text.split("days:")[1].splitlines()[0]
    assert Qt.CheckState.Checked == boxes[6].checkState()


def test_layout_points_table_edits_and_renames_in_place(editor: ScenarioEditor) -> None:
    before = editor.document.text
    editor.show_section("layout")
    points = editor.field_at(("layout", "points"))
    assert points is not None
    table = points.table  # type: ignore[attr-defined]
    assert [cell(table, r, 0).text() for r in range(table.rowCount())] == [
        "blank_store",
        "agv_home",
        "cnc_in",
    ]
    cell(table, 2, 1).setText("[42.5, 0]")
    assert changed(before, editor.document.text) == [
        "-    cnc_in: [40, 0]         # infeed rack at the head of the machine row: AGV drop-off",
        "+    cnc_in: [42.5, 0]       # infeed rack at the head of the machine row: AGV drop-off",
    ]
    layout = scenarios.loads(editor.document.text).layout
    assert layout is not None and layout.points["cnc_in"] == (42.5, 0.0)
    editor.flush()
    cell(table, 1, 0).setText("agv_park")
    text = editor.document.text
    assert "    agv_park: [10, 0]       # charging spot" in text
    assert text.index("agv_park:") < text.index("cnc_in:")  # renamed where it was


def test_a_whole_number_the_spin_box_cannot_show_is_shown_as_written(
    editor: ScenarioEditor,
) -> None:
    editor.show_section("stations", 1)
    editor.edit(("stations", 1, "servers"), 2.5)
    editor.flush()
    field = editor.field_at(("stations", 1, "servers"))
    assert isinstance(field, FieldWidget)
    raw = field.focus_target()
    assert isinstance(raw, QLineEdit) and raw.text() == "2.5"
    assert field.problem == "must be a whole number, got 2.5"
    raw.setText("6")
    raw.editingFinished.emit()
    assert scenarios.loads(editor.document.text).station("cnc").servers == 6


ODD_TEXTS = [
    "",
    "- 1\n- 2\n",
    "stations: abc\n",
    "stations: [1, [2], {name: [x]}]\n",
    "linelab: 2\nstations:\n  - name: a\n    process: {dist: [1]}\n    tending: 5\n"
    "    failures: [1]\n",
    "calendar: {shifts: 3, breaks: {a: 1}, days: mon}\nlayout: {points: [1, 2]}\n",
    "variants: {a: 1, b: [2]}\neconomics: 5\nresources: {a: 1}\n",
    "products: [{name: {x: 1}}]\n",
    "x: !!python/object:os.system 1\n",
    "a: &x [*x]\n",
    "stations:\n  - &a {name: a, process: 1 s}\n  - <<: *a\n    name: b\n",
    "seed: 99999999999999999999999\nreplications: 1e400\n",
    "[" * 3000 + "]" * 3000,
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_documents_never_raise(editor: ScenarioEditor, text: str) -> None:
    editor.text_pane.setPlainText(text)
    editor.flush()
    assert editor.problem_list.count() >= 1
    for section in SECTIONS:
        editor.show_section(section, 0)
    editor.edit(("stations", 0, "servers"), 3)
    editor.edit(("layout", "points", "p"), [1, 2])
    for table in editor.lists.values():
        table.add_item()
        editor.flush()
        table.remove_selected()
        editor.flush()
    editor.variants.add_variant()
    editor.flush()


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _tooltips(editor: ScenarioEditor) -> list[str]:
    """Every tooltip of the editor's widgets and table cells."""
    tips = [w.toolTip() for w in editor.findChildren(QWidget) if w.toolTip()]
    for table in editor.findChildren(QTableWidget):
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                if item is not None and item.toolTip():
                    tips.append(item.toolTip())
    return tips


def test_field_tooltips_are_plain_and_chinese(editor: ScenarioEditor) -> None:
    """The generated fields' tooltips show ``key: description``; the description comes from
    the model's docstring, whose reST markup (````mon````, ``:class:`~a.B```) must not show,
    and in zh_CN it is Chinese (only the key, as written in the file, stays English)."""
    resources = editor.lists["resources"]
    resources.select(2)  # the AGV: its vehicle keys (dispatch, battery...) in the form
    tips = _tooltips(editor)
    assert len(tips) > 90
    assert [t for t in tips if "``" in t or ":class:" in t or ":func:" in t] == []
    i18n.set_language("zh_CN")
    field_tips = [t for t in _tooltips(editor) if re.match(r"^[a-z_]+: ", t)]
    assert len(field_tips) > 90
    english = [t for t in field_tips if not _CJK.search(t.split(": ", 1)[1])]
    assert english == []
    assert resources.form is not None
    dispatch = resources.form.labels["dispatch"].toolTip()
    assert dispatch.startswith("dispatch: （车辆）空闲车辆先响应哪个请求")
    i18n.set_language("en")
    assert resources.form.labels["dispatch"].toolTip().startswith("dispatch: (vehicle) Which")


def test_enum_values_show_translated_labels_and_keep_the_value(
    editor: ScenarioEditor, qtbot: Any
) -> None:
    """Combo boxes and table cells show an enum value by a translated label in zh_CN (the
    value in brackets); choosing or typing one writes the value itself into the YAML."""
    resources = editor.lists["resources"]
    kind = [c.key for c in resources.columns].index("kind")
    assert cell(resources.table, 2, kind).text() == "vehicle"
    i18n.set_language("zh_CN")
    assert cell(resources.table, 2, kind).text() == "车辆（vehicle）"
    assert cell(resources.table, 0, kind).text() == "操作工（operator）"
    resources.select(2)
    assert resources.form is not None
    combo = resources.form.fields["dispatch"].combo  # type: ignore[attr-defined]
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == [
        "默认：先到先服务（oldest）",
        "先到先服务（oldest）",
        "最近车辆优先（nearest）",
    ]
    combo.setCurrentIndex(2)
    combo.activated.emit(2)
    agv = scenarios.loads(editor.document.text).resources[2]
    assert agv.dispatch == "nearest"
    assert "dispatch: nearest" in editor.document.text
    # typing the label shown (or the value) into the table cell writes the value
    cell(resources.table, 1, kind).setText("机器人（robot）")
    assert scenarios.loads(editor.document.text).resources[1].kind == "robot"
    editor.flush()
    assert cell(resources.table, 1, kind).text() == "机器人（robot）"
    i18n.set_language("en")
    assert cell(resources.table, 1, kind).text() == "robot"
