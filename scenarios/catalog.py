"""The example scenarios shipped with LineLab (``scenarios/examples/*.yaml``)."""

from __future__ import annotations

import pathlib
from importlib import resources

__all__ = ["UnknownExampleError", "example_path", "list_examples"]

_PACKAGE = "scenarios.examples"


class UnknownExampleError(KeyError):
    """No shipped example has the requested name."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else "unknown example"


def list_examples() -> list[str]:
    """Names of the shipped examples, sorted (``"cnc_cell_conwip"``, ...)."""
    root = resources.files(_PACKAGE)
    return sorted(
        entry.name[: -len(".yaml")]
        for entry in root.iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    )


def example_path(name: str) -> pathlib.Path:
    """Path of the shipped example ``name`` (with or without ``.yaml``).

    Raises:
        UnknownExampleError: (a ``KeyError``) no such example; the message lists the
            available names.
    """
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    available = list_examples()
    if stem not in available:
        raise UnknownExampleError(
            f"no example scenario named {name!r}; available: {', '.join(available)}"
        )
    path = pathlib.Path(str(resources.files(_PACKAGE).joinpath(stem + ".yaml")))
    return path
