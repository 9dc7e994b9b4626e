"""Problems found in a scenario file and the one exception that carries them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` with control, format and separator characters written as escapes.

    A problem quotes what the file says (a key, a name); a key written as ``"\\e[31m"`` must
    not recolour the terminal, and a newline must not split the one-line report. So
    characters of the Unicode categories Cc, Cf, Cs, Zl and Zp are shown as ``\\x1b``,
    ``\\n``, ``\\u200b``; the zero-width joiner stays, as it only joins emoji.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char != "\u200d" and unicodedata.category(char) in _HIDDEN:
            out.append(char.encode("unicode_escape", errors="backslashreplace").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)

__all__ = ["Problem", "ScenarioError", "printable"]


@dataclass(frozen=True)
class Problem:
    """One mistake in a scenario file, at the position that shows it.

    ``line`` and ``col`` are 1-based. ``path`` is the dotted key path inside the
    document (``stations[2].buffer``), empty for a file-level problem.
    """

    file: str
    """The file name as given to :func:`scenarios.load` (``<string>`` for text)."""
    line: int
    """1-based line of the offending key or value."""
    col: int
    """1-based column of the offending key or value."""
    path: str
    """Key path such as ``stations[2].buffer``; empty for file-level problems."""
    message: str
    """Short human message, with a hint where one helps."""

    def __str__(self) -> str:
        """``file:line:col: path: message``, one line, with hidden characters escaped."""
        where = f"{self.file}:{self.line}:{self.col}: "
        if self.path:
            where += f"{self.path}: "
        return printable(where + self.message)


class ScenarioError(Exception):
    """A scenario could not be read; ``problems`` lists every mistake found.

    ``str(error)`` is one line per problem, in file order, ready to print.
    """

    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem]) -> None:
        probs = list(problems)
        if not probs:  # never raise an empty error
            probs = [Problem("<unknown>", 1, 1, "", "invalid scenario")]
        super().__init__(probs)
        self.problems = probs

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(cls, file: str, line: int, col: int, path: str, message: str) -> ScenarioError:
        """Build an error holding one problem."""
        return cls([Problem(file, line, col, path, message)])
