"""Command-line overrides of a scenario file: ``--set stations.press.buffer=1,2,3``.

A batch study (``linelab sweep``, ``linelab optimize``) changes a few keys of one scenario
file and runs each combination (a *point*). This module turns ``PATH=V1,V2,...`` into a path
and its values, applies one point to the file's raw YAML data, and validates the result with
the normal loader, so a wrong override is reported exactly like a wrong file:
``file:line:col: key path: --set PATH=VALUE: message``, at the place the key is written (or,
for a key the file does not write, the mapping it would go into).

Paths address keys the way variants do (docs/optimize.md, "Paths"):

- ``stations``, ``resources`` and ``products`` by item name: ``stations.press.buffer``,
  ``resources.robot.count``, ``products.housing_61.share``;
- mappings by key: ``economics.wages.operator``, ``source.interarrival``, ``horizon``;
  a key the file does not write is added (the loader then says if it is not a key of the
  format, with a hint for a misspelt one); other lists by index: ``calendar.shifts.0.end``;
- ``variants.NAME.…`` changes a variant's body (``variants.robot.resources.robot.count``).

An override is applied on the raw data *before* variants are resolved, so one point applies
to every variant: the base gets the value and so does every variant body that writes the
same key itself (otherwise the variant's own value would silently hide the point). A named
item that only variants add (a robot the ``robot`` variant brings) is set in each variant
that adds it.

Values are read as YAML, with the same rules as the file (``5`` is a whole number, ``45 s``
is text, ``true`` a boolean, ``{dist: exponential, mean: 45 s}`` a mapping); a value list is
split at commas outside brackets and quotes, and ``A..B`` (whole numbers) is the range A to
B inclusive. Every point can be checked before anything runs (:func:`check_points`).
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scenarios import Scenario, ScenarioError
from scenarios.errors import Problem
from scenarios.loader import MAX_FILE_BYTES, _decode, _pick, _validate
from scenarios.variants import NAMED_LISTS, VariantSet, validate_variants
from scenarios.yamlsafe import Document, Path, Pos, format_path, read_yaml

__all__ = [
    "MAX_RANGE",
    "Override",
    "ParsedFile",
    "apply_overrides",
    "check_paths",
    "check_points",
    "override_variants",
    "parse_file",
    "parse_set",
    "parse_value",
]

MAX_RANGE = 10_000
"""Most values one ``A..B`` range may expand to."""

_WHAT = {"stations": "station", "resources": "resource", "products": "product"}
_EXAMPLE_KEY = {"stations": "buffer", "resources": "count", "products": "share"}
_RANGE = re.compile(r"^\s*([+-]?\d+)\s*\.\.\s*([+-]?\d+)\s*$")


# --- parsing the flag ------------------------------------------------------------------------


def parse_set(text: str, flag: str = "--set") -> tuple[str, list[str]]:
    """Split ``PATH=V1,V2,...`` into the path and the values as written (not yet read).

    Commas inside ``[]``, ``{}`` or quotes do not split; ``A..B`` of whole numbers expands to
    ``A, A+1, ..., B`` (at most :data:`MAX_RANGE` values).

    Raises:
        ValueError: no ``=``, an empty path or value list, an empty value, an empty or
            descending range; the message starts with ``flag`` and the text.
    """
    where = f"{flag} {text}"
    path, sep, values = text.partition("=")
    path = path.strip()
    if not sep:
        raise ValueError(
            f"{where}: expected PATH=VALUE[,VALUE...], e.g. stations.press.buffer=1,2,3"
        )
    if not path:
        raise ValueError(f"{where}: the path before '=' is empty (e.g. stations.press.buffer)")
    if any(not part for part in path.split(".")):
        raise ValueError(f"{where}: the path has an empty part between dots")
    if not values.strip():
        raise ValueError(f"{where}: no values after '=' (give at least one)")
    out: list[str] = []
    for item in _split_values(values, where):
        match = _RANGE.match(item)
        if match is None:
            out.append(item)
            continue
        low, high = int(match.group(1)), int(match.group(2))
        if high < low:
            raise ValueError(f"{where}: the range {item.strip()} is empty ({low} > {high})")
        if high - low + 1 > MAX_RANGE:
            raise ValueError(
                f"{where}: the range {item.strip()} has {high - low + 1:,} values "
                f"(at most {MAX_RANGE:,})"
            )
        out.extend(str(v) for v in range(low, high + 1))
    return path, out


def _split_values(text: str, where: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = ""
    current = ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current += char
        elif char in "[{":
            depth += 1
            current += char
        elif char in "]}":
            depth -= 1
            current += char
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if quote or depth:
        raise ValueError(f"{where}: unbalanced quotes or brackets in the values")
    for part in parts:
        if not part.strip():
            raise ValueError(f"{where}: an empty value between commas")
    return [p.strip() for p in parts]


def parse_value(text: str) -> Any:
    """One value as YAML reads it in a scenario file: ``5`` → 5, ``2.5`` → 2.5, ``45 s`` →
    ``"45 s"``, ``null`` → None, ``{dist: exponential, mean: 45 s}`` → a mapping.

    Raises:
        ValueError: not valid YAML (or a tag, which scenario files refuse).
    """
    try:
        doc = read_yaml(text, "<value>")
    except ScenarioError as exc:
        message = exc.problems[0].message
        raise ValueError(f"cannot read {text!r} as a value: {message}") from None
    if doc.problems:
        raise ValueError(f"cannot read {text!r} as a value: {doc.problems[0].message}")
    return doc.data


# --- the file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedFile:
    """A scenario file read once (text and positions), to apply many points to."""

    filename: str
    text: str
    doc: Document
    checked: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The file's own validation, done once (:func:`override_variants`)."""


def parse_file(
    source: str | bytes | os.PathLike[str] | ParsedFile, filename: str | None = None
) -> ParsedFile:
    """Read a scenario once: ``source`` is YAML text (``str`` or ``bytes``), a path
    (``os.PathLike``, e.g. ``pathlib.Path``), or an already parsed file.

    ``filename`` labels the problems (default: the path, or ``<string>``).

    Raises:
        ScenarioError: the file cannot be read, or is not YAML, or not a mapping.
    """
    if isinstance(source, ParsedFile):
        return source
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        name = filename or path
        try:
            with open(path, "rb") as handle:
                raw: str | bytes = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ScenarioError.single(name, 1, 1, "", f"cannot read the file: {reason}") from None
    else:
        name = filename or "<string>"
        raw = source
    text = _decode(raw, name)
    doc = read_yaml(text, name)
    if not isinstance(doc.data, dict):
        raise ScenarioError.single(name, 1, 1, "", "a scenario must be a mapping of keys")
    return ParsedFile(name, text, doc)


# --- resolving a path ------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """One key to set: the path as given, where it lands in the raw data, and the value."""

    given: str
    """The path as written after ``--set``."""
    value: Any
    """The value (already read as YAML)."""
    text: str
    """The value as written (shown in messages)."""
    targets: tuple[Path, ...] = field(default=())
    """Raw-data paths the value is written to: the base and/or variant bodies."""
    flag: str = "--set"
    """The command-line flag that gave it (``--set``, ``--vary``)."""

    @property
    def label(self) -> str:
        """``--set PATH=VALUE`` as messages name it."""
        return f"{self.flag} {self.given}={self.text}"


class _PathError(Exception):
    def __init__(self, at: Path, message: str) -> None:
        super().__init__(message)
        self.at = at
        self.message = message


def _hint(word: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(names)})" if names else ""


def _named_index(items: list[Any], parts: list[str], i: int) -> tuple[int, int] | None:
    """(item index, parts consumed) of the item named by ``parts[i:]`` (a name may contain
    dots: the longest matching name wins), or None."""
    names = [it.get("name") if isinstance(it, dict) else None for it in items]
    for j in range(len(parts), i, -1):
        candidate = ".".join(parts[i:j])
        if candidate in names:
            return names.index(candidate), j - i
    return None


def _resolve(data: Any, parts: list[str], prefix: Path = ()) -> Path:
    """The raw path ``parts`` address in ``data`` (a mapping); the last key may be new.

    Raises:
        _PathError: a named item, variant or list index that is not there, or a path that
            goes through a value that is not a mapping or list.
    """
    path: list[str | int] = list(prefix)
    node = data
    i = 0
    while i < len(parts):
        part = parts[i]
        last = i == len(parts) - 1
        here = tuple(path)
        if isinstance(node, dict):
            top_named = len(path) - len(prefix) == 0 and part in NAMED_LISTS
            if part not in node and not last:
                if top_named:
                    what = _WHAT[part]
                    raise _PathError(here, f"the file has no {part}, so no {what} '{parts[i + 1]}'")
                node[part] = {}  # an intermediate mapping the file does not write yet
            path.append(part)
            if last:
                return tuple(path)
            node = node[part]
            i += 1
            if top_named and isinstance(node, list):
                found = _named_index(node, parts, i)
                if found is None:
                    names = [
                        str(it.get("name")) for it in node if isinstance(it, dict) and "name" in it
                    ]
                    raise _PathError(
                        tuple(path),
                        f"no {_WHAT[part]} '{parts[i]}'{_hint(parts[i], names)}",
                    )
                index, used = found
                path.append(index)
                node = node[index]
                i += used
                if i == len(parts):
                    raise _PathError(
                        tuple(path),
                        f"the path names {_WHAT[part]} '{parts[i - 1]}' but no key of it "
                        f"(e.g. {'.'.join(parts)}.{_EXAMPLE_KEY[part]})",
                    )
            continue
        if isinstance(node, list):
            if part.isdigit() and int(part) < len(node):
                path.append(int(part))
                if last:
                    return tuple(path)
                node = node[int(part)]
                i += 1
                continue
            named = _named_index(node, parts, i)
            if named is not None:
                path.append(named[0])
                node = node[named[0]]
                i += named[1]
                if i == len(parts):
                    return tuple(path)
                continue
            raise _PathError(
                here,
                f"'{format_path(here)}' is a list of {len(node)}; '{part}' is neither an "
                "index nor the name of an item in it",
            )
        raise _PathError(
            here,
            f"'{format_path(here)}' is a single value, not a mapping: it has no key '{part}'",
        )
    return tuple(path)


def _targets(data: dict[str, Any], given: str) -> tuple[Path, ...]:
    """Where the override ``given`` lands: in the base and in every variant body that writes
    the same key, or, for a named item only variants add, in those variants' bodies.

    Mutates ``data`` only by adding empty intermediate mappings (``economics.wages`` when
    the file has ``economics`` but no ``wages``); callers work on a copy.
    """
    parts = given.split(".")
    if parts[0] == "variants":
        variants = data.get("variants")
        if not isinstance(variants, dict) or not variants:
            raise _PathError((), "the file has no 'variants'")
        if len(parts) < 3:
            raise _PathError(("variants",), "name a variant and a key: variants.NAME.KEY")
        name = parts[1]
        if name not in variants:
            raise _PathError(
                ("variants",), f"no variant '{name}'{_hint(name, [str(v) for v in variants])}"
            )
        if variants[name] is None:
            variants[name] = {}
        return (_variant_target(data, name, parts[2:]),)
    variants = data.get("variants") if isinstance(data.get("variants"), dict) else {}
    base_error: _PathError | None = None
    out: list[Path] = []
    try:
        out.append(_resolve(data, parts))
    except _PathError as exc:
        base_error = exc
    for name, body in (variants or {}).items():
        if not isinstance(body, dict):
            continue
        if _writes(body, data, parts) or (
            base_error is not None and parts[0] in NAMED_LISTS and _adds(body, parts)
        ):
            out.append(_variant_target(data, str(name), parts))
    if base_error is not None and not out:
        if parts[0] in NAMED_LISTS and isinstance(variants, dict):
            added = sorted(
                {
                    str(item)
                    for body in variants.values()
                    if isinstance(body, dict) and isinstance(body.get(parts[0]), dict)
                    for item in body[parts[0]]
                }
            )
            base_items = data.get(parts[0])
            names = [
                str(it["name"])
                for it in (base_items if isinstance(base_items, list) else [])
                if isinstance(it, dict) and "name" in it
            ]
            names += [n for n in added if n not in names]
            if added and len(parts) > 1 and parts[1] not in names:
                raise _PathError(
                    base_error.at,
                    f"no {_WHAT[parts[0]]} '{parts[1]}' in the base or any variant"
                    f"{_hint(parts[1], names)}",
                )
        raise base_error
    return tuple(out)


def _variant_target(data: dict[str, Any], name: str, parts: list[str]) -> Path:
    """The raw path of ``parts`` inside variant ``name``'s body (named lists by name)."""
    body = data["variants"][name]
    prefix: Path = ("variants", name)
    if parts[0] in NAMED_LISTS and isinstance(body.get(parts[0]), dict | type(None)):
        changes = body.get(parts[0])
        key = parts[0]
        listed = data.get(key)
        base_items: list[Any] = listed if isinstance(listed, list) else []
        names = [str(it.get("name")) for it in base_items if isinstance(it, dict)]
        names += [str(n) for n in (changes or {}) if str(n) not in names]
        item = None
        for j in range(len(parts), 1, -1):
            if ".".join(parts[1:j]) in names:
                item, rest = ".".join(parts[1:j]), parts[j:]
                break
        if item is None:
            word = parts[1] if len(parts) > 1 else ""
            raise _PathError(
                (*prefix, key),
                f"no {_WHAT[key]} '{word}' in the base or variant '{name}'{_hint(word, names)}",
            )
        if not rest:
            raise _PathError((*prefix, key, item), f"name a key of {_WHAT[key]} '{item}'")
        if changes is None:
            body[key] = changes = {}
        if changes.get(item) is None:
            changes[item] = {}
        return _resolve(changes[item], rest, (*prefix, key, item))
    return _resolve(body, parts, prefix)


def _writes(body: dict[str, Any], data: dict[str, Any], parts: list[str]) -> bool:
    """Does a variant body write the key ``parts`` itself (so it would hide the base's)?"""
    node: Any = body
    i = 0
    if parts[0] in NAMED_LISTS:
        changes = body.get(parts[0])
        if isinstance(changes, list):
            return False  # the variant replaces the whole list: its items are its own
        if not isinstance(changes, dict):
            return False
        for j in range(len(parts), 1, -1):
            item = ".".join(parts[1:j])
            if item in changes:
                node, i = changes[item], j
                break
        else:
            return False
    for part in parts[i:]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _adds(body: dict[str, Any], parts: list[str]) -> bool:
    """Does a variant body add (or change) the named item that ``parts`` start with?"""
    changes = body.get(parts[0])
    if not isinstance(changes, dict):
        return False
    return any(".".join(parts[1:j]) in changes for j in range(len(parts), 1, -1))


# --- applying a point ------------------------------------------------------------------------


def _set(doc: Document, path: Path, value: Any, text: str) -> None:
    """Write ``value`` at ``path`` of ``doc`` (a copy), with the position of what it replaces
    (or of the mapping it goes into) for every value inside it."""
    node = doc.data
    for part in path[:-1]:
        node = node[part]
    old = doc.positions.get(path)
    if old is None:  # a new key: point at the mapping it goes into
        parent = next(
            (
                doc.positions[path[:n]]
                for n in range(len(path) - 1, -1, -1)
                if path[:n] in doc.positions
            ),
            Pos(1, 1),
        )
        line, col = (
            (parent.key_line, parent.key_col or 1)
            if parent.key_line is not None
            else (parent.line, parent.col)
        )
        old = Pos(line, col, line, col)
        for n in range(len(path) - 1, 0, -1):  # mappings the override adds on the way
            if path[:n] in doc.positions:
                break
            doc.positions[path[:n]] = Pos(line, col, line, col)
    for stale in [p for p in doc.positions if p[: len(path)] == path]:
        del doc.positions[stale]
    doc.reported.difference_update({p for p in doc.reported if p[: len(path)] == path})
    node[path[-1]] = value
    shown = text if not isinstance(value, dict | list) else None
    doc.positions[path] = Pos(old.line, old.col, old.key_line, old.key_col, shown)

    def walk(v: Any, at: Path) -> None:
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, child in items:
            sub = (*at, k)
            doc.positions[sub] = Pos(old.line, old.col, old.line, old.col)
            walk(child, sub)

    walk(value, path)


def _values_of(point: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    out = []
    for given, value in point.items():
        if isinstance(value, str):
            out.append((given, parse_value(value), value))
        else:
            out.append((given, value, _show(value)))
    return out


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _point_doc(
    parsed: ParsedFile, point: Mapping[str, Any], flag: str = "--set"
) -> tuple[Document, list[Override]]:
    """The file's document with ``point`` applied (a copy), and the overrides as applied.

    Raises:
        ScenarioError: a path that addresses nothing, or a value that is not YAML.
    """
    base = parsed.doc
    doc = Document(
        copy.deepcopy(base.data), dict(base.positions), list(base.problems), set(base.reported)
    )
    done: list[Override] = []
    problems: list[Problem] = []
    for given, raw_value, text in _safe_values(point, parsed.filename, problems, flag):
        label = f"{flag} {given}"
        try:
            targets = _targets(doc.data, given.strip())
        except _PathError as exc:
            pos = _pos_near(doc, exc.at)
            problems.append(
                Problem(
                    parsed.filename,
                    pos.line,
                    pos.col,
                    format_path(exc.at),
                    f"{label}: {exc.message}",
                )
            )
            continue
        for target in targets:
            _set(doc, target, copy.deepcopy(raw_value), text)
        done.append(Override(given, raw_value, text, targets, flag))
    if problems:
        raise ScenarioError(problems)
    return doc, done


def _safe_values(
    point: Mapping[str, Any], filename: str, problems: list[Problem], flag: str
) -> list[tuple[str, Any, str]]:
    out = []
    for given, value in point.items():
        try:
            out.extend(_values_of({given: value}))
        except ValueError as exc:
            problems.append(Problem(filename, 1, 1, "", f"{flag} {given}: {exc}"))
    return out


def _pos_near(doc: Document, at: Path) -> Pos:
    for n in range(len(at), -1, -1):
        pos = doc.positions.get(at[:n])
        if pos is not None:
            if pos.key_line is not None:
                return Pos(pos.key_line, pos.key_col or 1)
            return pos
    return Pos(1, 1)


def _label_problems(problems: Iterable[Problem], overrides: list[Override]) -> list[Problem]:
    """Name the ``--set`` flag that caused each problem: the override whose target path the
    problem's path lies in (the longest match), else one whose target lies under the
    problem's path (a mapping the override added: ``economics.wagez`` of
    ``economics.wagez.robot``), else every override of the point."""
    labelled = []
    targets = [(format_path(t), o) for o in overrides for t in o.targets]
    for p in problems:
        match = None
        path = p.path
        for shown, o in targets:
            if (path == shown or path.startswith((shown + ".", shown + "["))) and (
                match is None or len(shown) > len(match[0])
            ):
                match = (shown, o)
        if match is None and path:
            match = next(
                ((s, o) for s, o in targets if s.startswith((path + ".", path + "["))), None
            )
        if match is not None:
            message = f"{match[1].label}: {p.message}"
        else:
            flags = ", ".join(o.label for o in overrides)
            message = f"{p.message} (with {flags})" if flags else p.message
        labelled.append(Problem(p.file, p.line, p.col, p.path, message))
    return labelled


def override_variants(
    source: str | bytes | os.PathLike[str] | ParsedFile,
    overrides: Mapping[str, Any],
    filename: str | None = None,
    *,
    flag: str = "--set",
) -> VariantSet:
    """Every variant of the scenario with the point ``overrides`` (path → value) applied.

    A ``str`` value is read as YAML (:func:`parse_value`); other values are used as given.
    The file itself must be valid: its own problems are reported as they are (without a
    ``--set`` label), so a problem is blamed on an override only when the override made it.

    Raises:
        ScenarioError: the file's problems; else a path that addresses nothing or a value the
            format refuses, at ``file:line:col`` and naming the flag (``flag``: ``--set``,
            ``--vary``).
    """
    parsed = parse_file(source, filename)
    found = _file_variants(parsed)  # the file alone: its own problems, unlabelled
    if not overrides:
        return found
    doc, done = _point_doc(parsed, overrides, flag)
    try:
        return _validate_doc(doc, parsed.filename)
    except ScenarioError as exc:
        raise ScenarioError(_label_problems(exc.problems, done)) from None


def _file_variants(parsed: ParsedFile) -> VariantSet:
    """The file's own variants, validated once per :class:`ParsedFile`."""
    if "variants" not in parsed.checked:
        parsed.checked["variants"] = _validate_doc(parsed.doc, parsed.filename)
    return parsed.checked["variants"]


def _validate_doc(doc: Document, filename: str) -> VariantSet:
    return validate_variants(doc, filename, lambda resolved: _validate(resolved, filename))


def apply_overrides(
    source: str | bytes | os.PathLike[str] | ParsedFile,
    overrides: Mapping[str, Any],
    filename: str | None = None,
    variant: str | None = None,
    *,
    flag: str = "--set",
) -> Scenario:
    """The scenario (its ``variant``, default the baseline) with the point ``overrides``.

    ``source``: YAML text (``str``/``bytes``), a path (``pathlib.Path``), or a
    :class:`ParsedFile` (parse once with :func:`parse_file`, apply many points).

    Raises:
        ScenarioError: as :func:`override_variants`, or an unknown ``variant``.
    """
    parsed = parse_file(source, filename)
    return _pick(override_variants(parsed, overrides, flag=flag), parsed.filename, variant)


def check_points(
    source: str | bytes | os.PathLike[str] | ParsedFile,
    points: Iterable[Mapping[str, Any]],
    filename: str | None = None,
    *,
    flag: str = "--set",
) -> None:
    """Validate every point before anything runs: all problems of all points at once (each
    distinct problem once).

    Raises:
        ScenarioError: every problem found.
    """
    parsed = parse_file(source, filename)
    _file_variants(parsed)
    problems: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for point in points:
        try:
            override_variants(parsed, point, flag=flag)
        except ScenarioError as exc:
            for p in exc.problems:
                key = (p.line, p.col, p.message)
                if key not in seen:
                    seen.add(key)
                    problems.append(p)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line, p.col, p.message)))


def check_paths(
    source: str | bytes | os.PathLike[str] | ParsedFile,
    sets: Mapping[str, Sequence[Any]],
    filename: str | None = None,
    *,
    flag: str = "--set",
) -> None:
    """Validate each value of each path on its own (the other keys as the file has them):
    a quick check of every ``--set`` flag, ``sum(len(values))`` validations rather than the
    product. :func:`check_points` checks the combinations.

    Raises:
        ScenarioError: every problem found; an empty value list is one too.
    """
    parsed = parse_file(source, filename)
    problems: list[Problem] = []
    for given, values in sets.items():
        if not values:
            problems.append(
                Problem(parsed.filename, 1, 1, "", f"{flag} {given}: no values (give at least one)")
            )
    if problems:
        raise ScenarioError(problems)
    check_points(parsed, ({given: v} for given, values in sets.items() for v in values), flag=flag)
