"""The KPI table as a terminal shows it: columns aligned by display width, names never raw.

Pins down ``simulator.textwidth`` (wide CJK and emoji count two columns, combining marks none,
control and invisible characters are escaped) and that ``kpi_table`` keeps every column of
the station section aligned — for CJK, emoji and accented names, for names with control
characters (escaped, never printed raw), and for values of any magnitude (a queue of
0.000650 ± 0.000239 once ran into the column before it).
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from simulator.experiment import ExperimentResult, run_experiment
from simulator.output import kpi_table
from simulator.stats import summarise
from simulator.textwidth import display_width, pad, printable
from tests.helpers import scenario


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("press", 5),
        ("压铸机", 6),  # CJK ideographs: wide
        ("ﾌﾟﾚｽ", 4),  # halfwidth katakana: narrow (the sound mark is a spacing character)
        ("ＰＲＥＳＳ", 10),  # fullwidth Latin: wide
        ("cafe\u0301", 4),  # e + COMBINING ACUTE ACCENT: the accent takes no column
        ("robot 🤖", 8),  # emoji: wide
        ("\u2764\ufe0f", 2),  # a text heart asked to show as emoji (VS16): wide
        ("한국", 4),  # precomposed Hangul: wide
        ("\u1100\u1161", 2),  # conjoining jamo: the vowel joins the wide initial
        ("", 0),
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width
    assert display_width(pad(text, 12)) == max(12, width)
    assert display_width(pad(text, 12, ">")) == max(12, width)
    assert pad(text, 12, ">").endswith(text) and pad(text, 12).startswith(text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("press\nline", "press\\nline"),
        ("a\tb", "a\\tb"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # ANSI colour: would drive the terminal
        ("\x9b2J", "\\x9b2J"),  # C1 CSI: clears the screen on some terminals
        ("zero\u200bwidth", "zero\\u200bwidth"),  # zero-width space: invisible
        ("\u202eevil", "\\u202eevil"),  # right-to-left override: reorders the line
        ("a\x7fb", "a\\x7fb"),  # DEL
        ("压铸 line é", "压铸 line é"),  # printable text is left alone
        ("cafe\u0301 \u2764\ufe0f", "cafe\u0301 \u2764\ufe0f"),  # combining marks and VS16 too
    ],
)
def test_printable_escapes_control_and_invisible_characters(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert all(c == " " or c.isprintable() or c == "\ufe0f" for c in printable(raw))


_LINE = scenario(
    """
    linelab: 1
    name: Alignment
    horizon: 1 h
    replications: 3
    seed: 5
    stations:
      - {name: a, process: {dist: exponential, mean: 30 s}, buffer: 3}
    """
)


def _result_with_stations(names: list[str], queue_values: list[list[float]]) -> ExperimentResult:
    """A real result whose station section is replaced by ``names`` with chosen queues."""
    base = run_experiment(_LINE, workers=1)
    template = base.stations["a"]
    stations = {
        name: dataclasses.replace(template, queue=summarise(values))
        for name, values in zip(names, queue_values, strict=True)
    }
    return dataclasses.replace(base, stations=stations)


def _column_ends(line: str) -> list[int]:
    """Display column where each cell after the first ends (cells are separated by two or
    more spaces; the first is left-aligned, the others right-aligned)."""
    ends = [display_width(line[: m.end()]) for m in re.finditer(r"\S+(?: \S+)*", line)]
    return ends[1:]


def _station_section(table: str) -> list[str]:
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("station"))
    return [line for line in lines[start:] if line.strip()]


def test_small_queue_values_do_not_run_into_the_next_column() -> None:
    result = _result_with_stations(
        ["press", "pack"], [[0.000411, 0.000650, 0.000889], [123456.7, 123999.1, 124500.2]]
    )
    section = _station_section(kpi_table(result))
    assert "0.00065" in section[1]
    header_ends = _column_ends(section[0])
    assert len(header_ends) == 5  # servers, utilization, starved, blocked, queue
    for row in section[1:]:
        assert _column_ends(row) == header_ends, row
    assert re.search(r"\d\s{2,}\d", section[1]), "cells must be separated by two spaces"


def test_wide_and_combining_names_keep_columns_aligned() -> None:
    names = ["压铸机 die-casting", "robot 🤖", "cafe\u0301", "ＰＲＥＳＳ", "a"]
    result = _result_with_stations(names, [[0.5, 0.6, 0.7]] * len(names))
    section = _station_section(kpi_table(result))
    header_ends = _column_ends(section[0])
    assert len(section) == len(names) + 1
    for row in section[1:]:
        assert _column_ends(row) == header_ends, row
    widths = {display_width(row) for row in section[1:]}
    assert len(widths) == 1  # every row right-aligned to the same last column


def test_control_characters_in_names_are_escaped_in_the_table() -> None:
    names = ["bad\nname", "\x1b[31mred", "tab\there", "zero\u200bwidth"]
    result = _result_with_stations(names, [[1.0, 2.0, 3.0]] * len(names))
    result = dataclasses.replace(
        result, scenario=result.scenario.model_copy(update={"name": "title\x1b[2J"})
    )
    table = kpi_table(result)
    assert not any(c in table for c in "\x1b\t\u200b")
    assert "\\x1b[31mred" in table and "bad\\nname" in table and "zero\\u200bwidth" in table
    assert table.splitlines()[0].startswith("title\\x1b[2J")
    section = _station_section(table)
    assert len(section) == len(names) + 1  # a newline in a name did not add a row
    header_ends = _column_ends(section[0])
    for row in section[1:]:
        assert _column_ends(row) == header_ends, row


def test_kpi_section_aligned_for_large_values() -> None:
    base = run_experiment(_LINE, workers=1)
    kpis = dict(base.kpis)
    kpis["throughput_per_hour"] = summarise([123_456_789.0, 123_456_999.0, 123_457_111.0])
    table = kpi_table(dataclasses.replace(base, kpis=kpis))
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("KPI"))
    section = lines[start : start + 1 + len(kpis)]
    assert {display_width(line) for line in section} == {display_width(section[0])}
    assert all(re.search(r"\S\s{2,}\S", line) for line in section)

