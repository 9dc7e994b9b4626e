"""A small, safe YAML reader that remembers where every key and value came from.

Only plain data is produced: mappings (``dict``), sequences (``list``), text, integers,
floats, booleans and null. The reader

- uses YAML 1.2 core-schema scalars (``true``/``false`` only, decimal integers, ``1e9`` is a
  float, no sexagesimal ``1:30`` and no timestamps), so ``name: no`` stays text;
- refuses every explicit tag except the standard ``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!seq`` and ``!!map`` (no ``!!python/object``, no ``!custom``);
  nothing is ever constructed from a tag, so reading a file cannot run code;
- checks nesting depth from the event stream before composing (no ``RecursionError``);
- limits what aliases add: every value produced by expanding an alias (a node built a second
  time) is counted, and an alias bomb stops at :data:`MAX_ALIAS_NODES`; a plain document is
  bounded by :data:`MAX_EVENTS` instead, so a long list without aliases loads; aliases that
  contain themselves are refused;
- reports duplicate keys at the second key, naming the first one's line;
- supports merge keys (``<<: *defaults``).

Positions are 1-based ``(line, column)`` pairs keyed by the path of the value, a tuple of
keys and list indices: ``("stations", 2, "buffer")``.

Parsing uses libyaml (PyYAML's C parser) when it is installed, which reads a 120,000-value
list about ten times faster than the pure-Python parser; without it the pure-Python parser
gives the same data and positions (only the wording of syntax errors differs). Characters
that YAML forbids are checked first by the pure-Python rule, so their position is exact.
"""

from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.composer import Composer
from yaml.events import (
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    NodeEvent,
    SequenceEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .errors import Problem, ScenarioError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_EVENTS",
    "Document",
    "Path",
    "Pos",
    "read_yaml",
]

MAX_DEPTH = 64
"""Deepest allowed nesting of mappings and sequences (a v1 scenario needs 5)."""
MAX_ALIAS_NODES = 100_000
"""Most values that expanding aliases may add to a document (each use of an alias adds the
values of its anchor again). A scenario that shares settings through anchors adds a few
dozen; an "alias bomb" of a few hundred bytes would add billions."""
MAX_EVENTS = 250_000
"""Most YAML parser events a file may produce, before any alias is expanded: bounds a plain
document (a list of n values is n + 2 events). Measured with libyaml (CPU time): a scenario
with a 120,000-value empirical list loads and validates in about 1.0 s, one with 245,000
values in about 2.2 s; the pure-Python parser takes about four times as long."""

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP, _MERGE = _TAG + "seq", _TAG + "map", _TAG + "merge"
_ALLOWED_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP})


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema resolution of plain scalars, plus merge keys."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The tag of a node without an explicit one (a faster :meth:`BaseResolver.resolve`:
        this resolver has neither wildcard nor path resolvers)."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9][0-9_]*$"), list("-+0123456789"))
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*|[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)
_CoreResolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver(_MERGE, re.compile(r"^(?:<<)$"), ["<"])


class _PyLoader(Reader, Scanner, Parser, Composer, _CoreResolver):
    """PyYAML's pure-Python reader, scanner, parser and composer; no constructor at all."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _CoreResolver.__init__(self)


try:
    _CParser: Any = importlib.import_module("yaml._yaml").CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None
_Loader: Any = _PyLoader
if _CParser is not None:

    class _CLoader(_CParser, _CoreResolver):
        """libyaml's parser and composer with the core-schema resolver; no constructor."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

    _Loader = _CLoader


def _check_characters(text: str, file: str) -> None:
    """Refuse characters YAML does not allow (C0 controls, U+FFFE, ...) at their position."""
    match = Reader.NON_PRINTABLE.search(text)
    if match is not None:
        line, col = line_col(text, match.start())
        raise _fatal(
            file,
            line,
            col,
            f"the file contains the control character U+{ord(match.group()):04X}, "
            "not allowed in YAML",
        )


class Pos(NamedTuple):
    """Where a value (and, inside a mapping, its key) is written.

    A named tuple rather than a frozen dataclass: one is made per value, and a named tuple
    is built several times faster (this matters for a list of 100,000 observed times).
    """

    line: int
    """1-based line of the value."""
    col: int
    """1-based column of the value."""
    key_line: int | None = None
    """1-based line of the key, for values inside a mapping."""
    key_col: int | None = None
    """1-based column of the key, for values inside a mapping."""
    text: str | None = None
    """Source text of a scalar value, as written (without quotes)."""


@dataclass
class Document:
    """Plain data read from YAML, the position of every value, and non-fatal problems."""

    data: Any
    positions: dict[Path, Pos]
    problems: list[Problem] = field(default_factory=list)
    reported: set[Path] = field(default_factory=set)
    """Paths already reported by the reader; validation errors under them are dropped."""


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _fatal(file: str, line: int, col: int, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, col, "", message)])


def _at(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a PyYAML mark; (1, 1) when there is none."""
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _yaml_error(file: str, text: str, exc: Exception) -> ScenarioError:
    """Turn any PyYAML exception into a ScenarioError at the best known position."""
    if isinstance(exc, ReaderError):
        line, col = line_col(text, exc.position)
        char = exc.character
        if isinstance(char, str):
            char = ord(char)
        code = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return _fatal(
            file, line, col, f"the file contains the control character {code}, not allowed in YAML"
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        return _fatal(file, line, col, f"YAML syntax error: {problem}{context}")
    return _fatal(file, 1, 1, f"could not read the file as YAML: {exc}")


def _scan_events(text: str, file: str) -> None:
    """Check depth, tags, size and document count from the event stream alone."""
    loader = _Loader(text)
    problems: list[Problem] = []
    try:
        depth = 0
        events = 0
        documents = 0
        while loader.check_event():
            event = loader.get_event()
            events += 1
            if events > MAX_EVENTS:
                raise _fatal(
                    file,
                    *_at(event.start_mark),
                    f"the file is too large to be a scenario (more than {MAX_EVENTS} YAML events)",
                )
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _fatal(
                        file,
                        *_at(event.start_mark),
                        "expected one YAML document, found a second one here "
                        "(remove the '---' line or put each scenario in its own file)",
                    )
            elif isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _fatal(
                        file,
                        *_at(event.start_mark),
                        f"nesting is deeper than {MAX_DEPTH} levels",
                    )
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1
            if isinstance(event, NodeEvent):
                tag = getattr(event, "tag", None)
                if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                    problems.append(
                        Problem(
                            file,
                            *_at(event.start_mark),
                            "",
                            f"tags are not allowed (found '{_show_tag(tag)}'); "
                            "a scenario file holds plain data only",
                        )
                    )
    finally:
        loader.dispose()
    if problems:
        raise ScenarioError(problems)


def _compose(text: str) -> Node | None:
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


class _Builder:
    """Turn composed nodes into plain data, recording positions and reader problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path, Pos] = {}
        self.problems: list[Problem] = []
        self.reported: set[Path] = set()
        self.expanded = 0  # values produced by expanding aliases
        self.built: set[int] = set()  # ids of the nodes built once (a second time = an alias)
        self.active: set[int] = set()  # ids of collections being expanded (cycle check)

    def _problem(self, node: Node, path: Path, message: str) -> None:
        self.problems.append(
            Problem(
                self.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                format_path(path),
                message,
            )
        )
        self.reported.add(path)

    def _count(self, node: Node, depth: int, path: Path) -> None:
        """Count ``node`` if an alias expansion builds it again; check the depth."""
        if id(node) in self.built:
            self.expanded += 1
        else:
            self.built.add(id(node))
        if self.expanded > MAX_ALIAS_NODES:
            # Inside an expansion the node itself sits in some anchor's definition; point
            # at the top-level entry being expanded instead.
            top = self.positions.get(path[:1]) if path else None
            line, col = (top.line, top.col) if top else _at(node.start_mark)
            raise ScenarioError(
                [
                    Problem(
                        self.file,
                        line,
                        col,
                        format_path(path[:1]),
                        "too many nodes after expanding aliases "
                        f"(aliases add more than {MAX_ALIAS_NODES} values)",
                    )
                ]
            )
        if depth > MAX_DEPTH and not isinstance(node, ScalarNode):
            raise _fatal(
                self.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"nesting is deeper than {MAX_DEPTH} levels after expanding aliases",
            )

    def _record(self, node: Node, path: Path, key: Node | None) -> None:
        text = node.value if isinstance(node, ScalarNode) else None
        self.positions[path] = Pos(
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            key.start_mark.line + 1 if key is not None else None,
            key.start_mark.column + 1 if key is not None else None,
            text,
        )

    def build(self, node: Node, path: Path, depth: int, key: Node | None = None) -> Any:
        self._count(node, depth, path)
        self._record(node, path, key)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self.active:
            raise _fatal(
                self.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                "an alias refers to the collection that contains it (a recursive structure)",
            )
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [
                    self.build(item, (*path, index), depth + 1)
                    for index, item in enumerate(node.value)
                ]
            if isinstance(node, MappingNode):
                return self._mapping(node, path, depth)
        finally:
            self.active.discard(id(node))
        raise _fatal(self.file, 1, 1, "unexpected YAML node")  # pragma: no cover

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges: list[Node] = []
        explicit: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem(key_node, path, "a key must be plain text, not a list or mapping")
                continue
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = key_node.value
            if key in first_line:
                self._problem(
                    key_node,
                    (*path, key),
                    f"duplicate key '{key}' (first at line {first_line[key]})",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            explicit.append((key, key_node, value_node))
        # Merged keys first, so explicit keys override them (and their positions).
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self._problem(merge, path, "'<<' must be followed by a mapping or aliases")
                    continue
                self._count(source, depth, path)
                merged = self._mapping(source, path, depth)
                for key, value in merged.items():
                    result.setdefault(key, value)
        self._keep_key(node, path)  # a nested merge may have overwritten it
        for key, key_node, value_node in explicit:
            result[key] = self.build(value_node, (*path, key), depth + 1, key_node)
        return result

    def _keep_key(self, node: Node, path: Path) -> None:
        """Set the position of the mapping at ``path``, keeping its key's position."""
        old = self.positions.get(path)
        self.positions[path] = Pos(
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            old.key_line if old else None,
            old.key_col if old else None,
        )

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR or tag == "!":
            return value
        if tag == _NULL:
            if value in ("", "~") or value.lower() == "null":
                return None
            self._problem(node, path, f"cannot read {value!r} as null")
            return None
        if tag == _BOOL:
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
            self._problem(node, path, f"cannot read {value!r} as true or false")
            return None
        if tag == _INT:
            digits = value.replace("_", "")
            if len(digits) > 40:
                self._problem(node, path, f"number is far too large, got {value[:20]}...")
                return None
            try:
                return int(digits, 10)
            except ValueError:
                self._problem(node, path, f"cannot read {value!r} as a whole number")
                return None
        if tag == _FLOAT:
            low = value.lower()
            if low in (".inf", "+.inf"):
                return math.inf
            if low == "-.inf":
                return -math.inf
            if low == ".nan":
                return math.nan
            try:
                number = float(value.replace("_", ""))
            except ValueError:
                self._problem(node, path, f"cannot read {value!r} as a number")
                return None
            if number == 0.0 and re.search(r"[1-9]", re.split(r"[eE]", value)[0]):
                self._problem(
                    node, path, f"number is too close to 0 to be represented, got {value}"
                )
                return None
            return number
        self._problem(node, path, f"tags are not allowed (found '{_show_tag(tag)}')")
        return None


def format_path(path: Path) -> str:
    """Render a path as ``stations[2].buffer``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_yaml(text: str, file: str) -> Document:
    """Read one YAML document as plain data with positions.

    Raises:
        ScenarioError: a syntax error, a forbidden tag, too deep nesting, too many nodes,
            a recursive alias, or an empty document. Duplicate keys and unreadable scalars
            are collected in :attr:`Document.problems` instead, so that validation can
            still report everything else.
    """
    try:
        _check_characters(text, file)
        _scan_events(text, file)
        root = _compose(text)
    except ScenarioError:
        raise
    except RecursionError:  # pragma: no cover - depth is checked before composing
        raise _fatal(file, 1, 1, f"nesting is deeper than {MAX_DEPTH} levels") from None
    except Exception as exc:  # PyYAML is third-party: map all of its failures
        raise _yaml_error(file, text, exc) from None
    if root is None:
        raise _fatal(
            file,
            1,
            1,
            "the file is empty; a scenario needs at least 'linelab: 1', name, horizon and stations",
        )
    builder = _Builder(file)
    data = builder.build(root, (), 1)
    return Document(data, builder.positions, builder.problems, builder.reported)
