"""No input can make the loader fail with anything but ``ScenarioError``.

Pins down the "never a traceback" half of the bad-input contract with hypothesis: random
bytes, random text, and random mutations (character edits, line edits, tricky YAML values
dropped into a valid file) of a valid scenario and of every shipped example either load or
raise ``ScenarioError`` whose problems all have a file, a 1-based position within the file
(or 1:1) and a message.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from scenarios import Scenario, ScenarioError
from tests.scenarios.malformed_cases import BASE, BASE_FLOW, BASE_V2

SEEDS = [BASE, BASE_V2, BASE_FLOW] + [
    scenarios.example_path(name).read_text(encoding="utf-8") for name in scenarios.list_examples()
]

TRICKY = [
    ".nan",
    "-.inf",
    ".inf",
    "-1",
    "0",
    "1e999",
    "2.5",
    "true",
    "no",
    "~",
    "null",
    "''",
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "!!python/object/apply:os.system ['true']",
    "!foo x",
    "&a [*a]",
    "*undefined",
    "'5'",
    '"5 min"',
    "1:30",
    "9" * 60,
    "1e9",
    "1e12 s",
    "45 s",
    "2.5 min",
    "8 hourz",
    "{dist: expo}",
    "{model: molding}",
    '"25:00"',
    "7.5 kWh",
    "{matrix: {a: {a: 1}}}",
    "{dist: normal, mean: 1, sd: -1}",
    "|\n  text",
    ">-",
    "- - -",
    "? [a]\n: b",
    "<<: *x",
    "\t",
    "\x00",
    "\ufeff",
    "é",
    "%YAML 1.1",
    "---",
    "...",
    "#",
    "{dist: triangular, low: 3, mode: 1, high: 2}",
    "{dist: empirical, values: []}",
]

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(content: str | bytes) -> None:
    try:
        result = scenarios.loads(content, filename="fuzz.yaml")
    except ScenarioError as exc:
        assert exc.problems
        if isinstance(content, bytes):
            n_lines = content.count(b"\n") + 1
        else:
            n_lines = content.count("\n") + content.count("\r") + 1
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert 1 <= problem.line <= n_lines + 1, str(problem)
            assert problem.col >= 1
            assert problem.message
        assert "Traceback" not in str(exc)
    else:
        assert isinstance(result, Scenario)


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@SETTINGS
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    _check(text)


_YAMLISH = st.sampled_from(list(":-[]{}&*!#|>'\"\n \t,?%@`0123456789.eE+_~abcxyz"))


@st.composite
def char_mutations(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        if op == "insert":
            text = text[:i] + "".join(draw(st.lists(_YAMLISH, min_size=1, max_size=4))) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)) :]
        else:
            text = text[:i] + draw(_YAMLISH) + text[i + 1 :]
    return text


@st.composite
def line_mutations(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "value", "indent", "swap"]))
        line = lines[i]
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, line)
        elif op == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(TRICKY))}"
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + line.lstrip()
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@SETTINGS
@given(char_mutations())
def test_character_mutations_of_valid_files(text: str) -> None:
    _check(text)


@SETTINGS
@given(line_mutations())
def test_line_mutations_of_valid_files(text: str) -> None:
    _check(text)


@SETTINGS
@given(line_mutations(), st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_mutations_as_bytes(text: str, encoding: str) -> None:
    _check(text.encode(encoding, errors="replace"))
