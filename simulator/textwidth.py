"""Text as a terminal shows it: display width in columns, and names made safe to print.

The KPI table aligns its columns by what a terminal draws, not by ``len``: an East Asian wide
or fullwidth character (压铸机, most emoji) takes two columns, a combining mark or a
zero-width character none. Scenario names are checked at load time, but the table escapes
control and invisible characters anyway, so that nothing read from a file can move the cursor,
change colours or break a row.
"""

from __future__ import annotations

import unicodedata

_VARIATION_EMOJI = "\ufe0f"
"""VARIATION SELECTOR-16: asks for the emoji (two-column) form of the character before it."""


def printable(text: str) -> str:
    """``text`` with control, format and other invisible characters written as escapes.

    C0/C1 controls and DEL (``\\n``, ``\\x1b``, ``\\x9b``), format characters (zero-width space,
    bidirectional overrides), line and paragraph separators, surrogates and unassigned code
    points become ``\\n``, ``\\t``, ``\\xNN`` or ``\\uNNNN``. Combining marks and
    VARIATION SELECTOR-16 are kept: they are part of how a name is written.
    """
    if text.isprintable():  # the common case: nothing to escape (space is printable)
        return text
    out: list[str] = []
    for char in text:
        if char == " " or char == _VARIATION_EMOJI or char.isprintable():
            out.append(char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


def char_width(char: str) -> int:
    """Columns one printable character takes in a terminal: 0, 1 or 2."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if "\u1160" <= char <= "\u11ff":  # Hangul medial vowels and final consonants join a syllable
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (``text`` should be :func:`printable`)."""
    if text.isascii():
        return len(text)
    width = 0
    previous = 0
    for char in text:
        if char == _VARIATION_EMOJI and previous == 1:
            width += 1  # a text-style symbol drawn as a two-column emoji (❤️)
            previous = 2
            continue
        w = char_width(char)
        width += w
        if w:
            previous = w
    return width


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` display columns (``<`` left, ``>`` right)."""
    gap = max(0, width - display_width(text))
    return text + " " * gap if align == "<" else " " * gap + text
