"""The repository stands on its own: no code, doc, config or CI script points outside it.

Pins down that no tracked (or new, not ignored) ``.py``, ``.md`` or ``.toml`` file, nor
``.ci/run``, mentions design notes that are not in the repository or a folder beside it: what
the code relies on is written down in ``docs/`` (``docs/architecture.md`` above all).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        re.escape(s)
        for s in ("DESIGN" + ".md", "STYLE" + ".md", "../" + "shared", "/work/" + "shared")
    )
)
CHECKED_SUFFIXES = (".py", ".md", ".toml")
SKIPPED_FOLDERS = {".git", "__pycache__", ".hypothesis", ".venv", "build", "dist"}


def repository_files() -> list[Path]:
    """The files git knows (tracked, or new and not ignored); every file if git is absent."""
    git = shutil.which("git")
    if git is not None and (ROOT / ".git").exists():
        listed = subprocess.run(
            [git, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        return [ROOT / name for name in listed.decode("utf-8").split("\0") if name]
    files = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [
            d for d in subfolders if d not in SKIPPED_FOLDERS and not d.endswith(".egg-info")
        ]
        files += [Path(folder) / name for name in names]
    return files


def checked(path: Path) -> bool:
    return path.suffix in CHECKED_SUFFIXES or path.relative_to(ROOT).as_posix() == ".ci/run"


def test_the_pattern_finds_what_it_must() -> None:
    for text in ("see DESIGN" + ".md", "(STYLE" + ".md lesson 3)", "cat ../" + "shared/x"):
        assert OUTSIDE.search(text), text
    assert not OUTSIDE.search("see docs/architecture.md")


def test_nothing_points_outside_the_repository() -> None:
    files = [p for p in repository_files() if checked(p) and p.is_file()]
    assert any(p.name == "architecture.md" for p in files)
    assert any(p.relative_to(ROOT).as_posix() == ".ci/run" for p in files)
    offenders = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "points outside the repository (use docs/):\n" + "\n".join(offenders)
