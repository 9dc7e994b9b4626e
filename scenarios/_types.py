"""Shared annotated field types: durations, strict numbers, names, and field errors."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from .units import DURATION_PATTERN, parse_duration

__all__ = [
    "MODEL_CONFIG",
    "DisplayName",
    "Duration",
    "DurationInput",
    "Name",
    "StrictFloat",
    "StrictInt",
    "by_name",
    "field_problem",
    "name_problem",
]

MODEL_CONFIG = ConfigDict(
    frozen=True,
    extra="forbid",
    use_attribute_docstrings=True,
    validate_default=False,
    ser_json_inf_nan="strings",
)
"""Configuration shared by every scenario model."""


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def by_name(items: Iterable[_N], name: str) -> _N:
    """The first of ``items`` called ``name`` (stations, resources, shifts, …).

    Raises:
        KeyError: ``name``, when none is called so.
    """
    for item in items:
        if item.name == name:
            return item
    raise KeyError(name)


def _to_seconds(value: Any) -> Any:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", "{message}", {"message": str(exc)}) from None


DurationInput = float | Annotated[str, StringConstraints(pattern=DURATION_PATTERN)]
"""How a duration may be written in a file (used for the JSON Schema)."""

Duration = Annotated[
    float,
    BeforeValidator(_to_seconds, json_schema_input_type=DurationInput),
    Field(allow_inf_nan=False),
]
"""A duration: float seconds once validated; in a file a number of seconds or ``"2.5 min"``."""

StrictInt = Annotated[int, Strict()]
"""An integer; ``true``, ``2.5`` and ``"5"`` are refused."""

StrictFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite plain number (an integer is accepted); ``true`` and ``"5"`` are refused."""

# Characters that draw nothing but are not in category Cf (Unicode Default_Ignorable_Code_Point
# outside Cf, plus the braille blank): a name made of them would look empty.
_INVISIBLE = frozenset(
    (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0)
)
_ZWJ = 0x200D
_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x09: "TAB",
    0x0A: "LINE FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


def _is_variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _describe(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE`` (the code point and, where known, the Unicode name)."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()


def _emoji_before(value: str, index: int) -> bool:
    """Is the character before ``index`` (skipping variation selectors and skin tones) an
    emoji-like symbol?"""
    i = index - 1
    while i >= 0 and (_is_variation_selector(ord(value[i])) or ord(value[i]) in _EMOJI_MODIFIERS):
        i -= 1
    return i >= 0 and unicodedata.category(value[i]) == "So"


def _allowed_joiner(value: str, index: int) -> bool:
    """A zero-width joiner inside an emoji sequence (👩‍🔧, 🏳️‍🌈) is part of one symbol."""
    after = value[index + 1 : index + 2]
    return bool(after) and unicodedata.category(after) == "So" and _emoji_before(value, index)


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPS" and ord(char) not in _INVISIBLE


def name_problem(value: str, *, path_element: bool) -> str | None:
    """What is wrong with ``value`` as a name, or ``None`` when it is fine.

    A name is shown in tables and messages and, for a ``path_element`` (a station, later a
    resource or a product), is also a step of a result key or a path such as
    ``stations.press.buffer``. It may use any script, symbols and emoji, but it must not
    contain characters that break or hide in a terminal or a table:

    - control characters (Unicode category Cc: newline, tab, escape, ...);
    - invisible characters: format characters (Cf: zero-width space U+200B, byte-order mark
      U+FEFF, soft hyphen, bidirectional controls such as U+202E), variation selectors not
      following a visible character, Hangul fillers, the braille blank, ... ; a zero-width
      joiner U+200D is allowed only between two emoji (``👩‍🔧``);
    - line and paragraph separators (U+2028, U+2029) and every space other than the plain
      space U+0020 (no-break space U+00A0, ideographic space U+3000, ...), which look like
      a space but make a different name;
    - lone surrogates and noncharacters (U+FFFE, ...);
    - for a path element, a dot (``.`` separates the steps of a path).

    It must contain at least one visible character (a letter, digit, punctuation mark or
    symbol) and must not start or end with a space.
    """
    for index, char in enumerate(value):
        code = ord(char)
        category = unicodedata.category(char)
        if category == "Cc":
            return f"contains {_describe(char)} (a control character)"
        if category == "Cs":
            return f"contains U+{code:04X} (a lone surrogate, not a character)"
        if _is_noncharacter(code):
            return f"contains U+{code:04X} (a noncharacter)"
        if category in ("Zl", "Zp"):
            return f"contains {_describe(char)} (a line break)"
        if category == "Zs" and char != " ":
            return f"contains {_describe(char)} (an unusual space); use a plain space"
        if category == "Cf" and not (code == _ZWJ and _allowed_joiner(value, index)):
            return f"contains {_describe(char)} (invisible)"
        if code in _INVISIBLE:
            return f"contains {_describe(char)} (invisible)"
        if _is_variation_selector(code) and (index == 0 or not _visible(value[index - 1])):
            return f"contains {_describe(char)} (invisible)"
        if char == "." and path_element:
            return (
                "must not contain '.', which separates the steps of a path such as "
                "stations.press.buffer; use '_' or '-'"
            )
    if not any(_visible(char) for char in value):
        return "must not be blank" if value.strip() == "" else "has no visible character"
    if value[0] == " " or value[-1] == " ":
        return "must not start or end with a space"
    return None


def _check_element_name(value: str) -> str:
    problem = name_problem(value, path_element=True)
    if problem is not None:
        raise PydanticCustomError("linelab", "{message}", {"message": problem})
    return value


def _check_display_name(value: str) -> str:
    problem = name_problem(value, path_element=False)
    if problem is not None:
        raise PydanticCustomError("linelab", "{message}", {"message": problem})
    return value


# The JSON Schema patterns catch the common mistakes (controls, separators, unusual spaces,
# the frequent invisible characters, dots, blank, leading or trailing spaces); LineLab
# itself applies the whole rule of name_problem. The zero-width joiner and the variation
# selectors are allowed here because they are fine inside emoji.
_REFUSED_CHARS = (
    r"\u0000-\u001f\u007f-\u00a0\u00ad\u061c\u115f\u1160\u1680\u180e\u2000-\u200c"
    r"\u200e-\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164\ufeff\uffa0\ufff9-\uffff"
)
DISPLAY_NAME_PATTERN = rf"^(?! )(?!.* $)(?=.*[^ ])[^{_REFUSED_CHARS}]*$"
"""JSON Schema ``pattern`` of a display name (the scenario's name)."""
NAME_PATTERN = rf"^(?! )(?!.* $)(?=.*[^ ])[^.{_REFUSED_CHARS}]*$"
"""JSON Schema ``pattern`` of an element name (a station's name): no dots either."""

Name = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_check_element_name),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
"""Name of an element of the line (a station; later resources and products): 1 to 200
characters, at least one visible, no control or invisible character, no unusual space, no
leading or trailing space and no dot, because it is also a step of a path
(``stations.press.buffer``). Any script, symbol or emoji is fine. See :func:`name_problem`."""

DisplayName = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_check_display_name),
    Field(json_schema_extra={"pattern": DISPLAY_NAME_PATTERN}),
]
"""Text shown to people, never part of a path (the scenario's name): the rule of
:data:`Name` except that dots are allowed (``Line 2.1``)."""


def field_problem(
    at: tuple[str | int, ...],
    message: str,
    first_at: tuple[str | int, ...] | None = None,
    at_key: bool = False,
) -> PydanticCustomError:
    """An error raised by a model validator that belongs to one of the model's keys.

    The loader appends ``at`` to the error location so the problem is reported at that
    key's value instead of at the whole mapping. ``first_at`` (relative too) names an
    earlier value the message refers to; the loader turns the trailing
    ``(first at <path>)`` of the message into ``(first at line N)``. ``at_key`` reports
    the problem at the key of ``at`` rather than its value (a name used as a key).
    """
    ctx: dict[str, Any] = {"message": message, "at": at}
    if first_at is not None:
        ctx["first_at"] = first_at
    if at_key:
        ctx["at_key"] = True
    return PydanticCustomError("linelab", "{message}", ctx)
