"""Problems found in a scenario file and the one exception that carries them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError"]


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
        where = f"{self.file}:{self.line}:{self.col}: "
        if self.path:
            where += f"{self.path}: "
        return where + self.message


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
