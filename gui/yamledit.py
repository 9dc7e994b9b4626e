"""Round-trip edits of scenario YAML text: change one value, keep everything else as written.

The editor's forms never re-dump a model: each form edit becomes one call here, on the
document's text, and the result goes back through ``ScenarioDocument.apply_text``. So the
file stays the planner's file: comments of untouched parts, key order, blank lines, flow or
block style and quoting stay as they were, and a new value is written in the style of the
value it replaces (a duration written ``"45 s"`` stays text, a quoted time of day stays
quoted, a flow mapping stays on one line).

How: ruamel.yaml loads the text as a round-trip tree, the edit is applied to the tree and the
tree is dumped. ruamel re-creates almost every file exactly, but not quite (``null`` written
as nothing, a few spacing details), so the dump is not used as it is: the lines the edit
changed (the difference between the dump of the unedited tree and the dump of the edited
one) are applied to the original text as a three-way merge. Every line away from the edit is
then byte-identical to the original, even where ruamel would have written it differently.

Comments above a key belong to that key: deleting the key deletes them, and the comments
above the next key stay (ruamel alone keeps the first and drops the second).

Paths are tuples of keys and list indexes, as in the problems' paths: ``("stations", 1,
"servers")``. In the named lists (``stations``, ``resources``, ``products``, and any list of
mappings with a ``name``) an item may also be addressed by its name: ``("stations", "cnc",
"servers")``.

Every function raises :class:`YamlEditError` (never anything else) when the text is not YAML
that can be edited or the path does not lead anywhere; the text is then unchanged.
"""

from __future__ import annotations

import difflib
import io
import itertools
import re
from collections.abc import Sequence
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    PlainScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

__all__ = [
    "MAX_DEPTH",
    "Path",
    "YamlEditError",
    "append_item",
    "delete",
    "format_value",
    "get_value",
    "insert_item",
    "load",
    "move_item",
    "parse_value",
    "rename_key",
    "resolve_path",
    "set_value",
]

Path = tuple[str | int, ...]
"""Keys and list indexes from the top of the document (a name may stand for an index)."""

_TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_KEY_LINE = re.compile(r"^(\s*)(?:- )?[^\s#-][^:#]*:(\s.*)?$")


class YamlEditError(ValueError):
    """The text cannot be edited as asked: not YAML, or the path leads nowhere."""


# -- loading and dumping ------------------------------------------------------------------


def _indents(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, sequence dash offset) as the text writes them.

    Read from the first block mapping nested in a mapping and the first block sequence: a
    file written ``stations:\\n  - name: a`` gives (2, 4, 2); ``stations:\\n- name: a`` (2, 2, 0).
    """
    mapping, sequence, offset = 2, 4, 2
    found_map = found_seq = False
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for line, following in itertools.pairwise(lines):
        stripped = line.rstrip()
        if not stripped.endswith(":") or stripped.lstrip().startswith("- "):
            continue
        parent = len(line) - len(line.lstrip())
        child = len(following) - len(following.lstrip())
        if following.lstrip().startswith("- ") and not found_seq:
            offset = max(0, child - parent)
            sequence = offset + 2
            found_seq = True
        elif child > parent and not found_map:
            mapping = child - parent
            found_map = True
        if found_map and found_seq:
            break
    return mapping, sequence, offset


def _yaml(text: str = "") -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines
    mapping, sequence, offset = _indents(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    y.representer.add_representer(type(None), _represent_null)
    return y


def _represent_null(representer: Any, _data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


MAX_DEPTH = 100
"""Deepest nesting edited (a scenario may nest 64 levels): ruamel's parser takes seconds to
give up on thousands of levels, libyaml's event scan takes a millisecond to see them."""


def _check_depth(text: str) -> None:
    """Refuse text nested deeper than :data:`MAX_DEPTH` before ruamel reads it."""
    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    depth = 0
    try:
        for event in pyyaml.parse(text, Loader=loader):
            if isinstance(event, pyyaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlEditError(f"nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, pyyaml.CollectionEndEvent):
                depth -= 1
    except pyyaml.YAMLError:
        return  # ruamel reports the syntax error in its own words


def load(text: str) -> Any:
    """The round-trip tree of ``text`` (ruamel ``CommentedMap``/``CommentedSeq`` and scalars
    that remember their style). Raises :class:`YamlEditError` for text that is not YAML."""
    _check_depth(text)
    try:
        return _yaml(text).load(text)
    except (YAMLError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise YamlEditError(f"not YAML that can be edited: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _dump(data: Any, text: str) -> str:
    out = io.StringIO()
    _yaml(text).dump(data, out)
    return out.getvalue()


def _edit(text: str, change: Any) -> str:
    """Apply ``change(tree)`` to the tree of ``text``; merge the changed lines into ``text``."""
    data = load(text)
    try:
        before = _dump(data, text)
        change(data)
        after = _dump(data, text)
    except (KeyError, IndexError, TypeError, AttributeError, YAMLError, RecursionError) as exc:
        raise YamlEditError(f"cannot edit there: {_first_line(exc)}") from None
    if before == after:
        return text
    return _merge(text, before, after)


# -- the three-way merge ------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, int, int]]:
    """The changed regions from ``base`` to ``other``: (b1, b2, o1, o2) line ranges."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(b1, b2, o1, o2) for tag, b1, b2, o1, o2 in matcher.get_opcodes() if tag != "equal"]


def _keep_comments(
    base: list[str], other: list[str], hunks: list[tuple[int, int, int, int]]
) -> tuple[list[str], list[tuple[int, int, int, int]]]:
    """The edit with the comments of a removed region moved to the key they are written
    above: (the edited lines, the hunks from ``base`` to them).

    A removed region ends with the comment lines that stand above the next key (ruamel
    stores them with the removed value): keep them. A removed key is preceded by its own
    comment lines (ruamel stores them with the previous value): remove them too. An item
    inserted where the items are separated by blank lines gets a blank line of its own.
    """
    adjusted: list[tuple[int, int, list[str]]] = []
    for b1, b2, o1, o2 in hunks:
        lines = other[o1:o2]
        if b1 == b2 and lines and 0 < b1 < len(base):
            if (
                not base[b1 - 1].strip()
                and base[b1].strip()
                and _indent(base[b1]) < _indent(lines[0])
            ):
                lines = [*lines, "\n"]
        elif b2 > b1:
            nxt = next((ln for ln in base[b2:] if ln.strip()), "")
            while (
                b2 > b1
                and _is_comment(base[b2 - 1])
                and nxt
                and _indent(base[b2 - 1]) == _indent(nxt)
                and base[b2 - 1] not in lines
            ):
                b2 -= 1
            if (
                not lines
                and b1 > 0
                and base[b1 - 1].strip()
                and nxt
                and _indent(nxt) <= _indent(base[b1 - 1])
            ):
                while b2 > b1 and not base[b2 - 1].strip():
                    b2 -= 1  # the blank lines that separated the removed part from the next
            if not lines and b2 > b1 and _KEY_LINE.match(base[b1].rstrip("\n")):
                while (
                    b1 > 0
                    and _is_comment(base[b1 - 1])
                    and _indent(base[b1 - 1]) == _indent(base[b1])
                ):
                    b1 -= 1
        if b1 != b2 or lines:
            adjusted.append((b1, b2, lines))
    edited: list[str] = []
    out: list[tuple[int, int, int, int]] = []
    pos = 0
    for b1, b2, lines in adjusted:
        edited.extend(base[pos:b1])
        o1 = len(edited)
        edited.extend(lines)
        out.append((b1, b2, o1, len(edited)))
        pos = b2
    edited.extend(base[pos:])
    return edited, out


def _merge(original: str, before: str, after: str) -> str:
    """``original`` with the changes from ``before`` to ``after`` (``before`` is the dump of
    the unchanged tree: where it differs from ``original`` only cosmetically, the original
    lines are kept, except inside a changed region, where the edit wins)."""
    ours, base, theirs = _lines(original), _lines(before), _lines(after)
    if ours and not ours[-1].endswith("\n"):
        ours[-1] += "\n"
    theirs, edits = _keep_comments(base, theirs, _hunks(base, theirs))
    cosmetic = _hunks(base, ours)
    tagged = sorted([(h, False) for h in cosmetic] + [(h, True) for h in edits])

    def theirs_at(p: int) -> int:
        return _position(p, edits)

    def ours_at(p: int) -> int:
        return _position(p, cosmetic)

    out: list[str] = []
    pos = 0
    i = 0
    while i < len(tagged):
        start, end = tagged[i][0][0], tagged[i][0][1]
        has_edit = tagged[i][1]
        j = i + 1
        while j < len(tagged) and tagged[j][0][0] <= end:
            end = max(end, tagged[j][0][1])
            has_edit = has_edit or tagged[j][1]
            j += 1
        out.extend(ours[ours_at(pos) : ours_at(start)])
        if has_edit:
            out.extend(theirs[theirs_at(start) : _position(end, edits, after_insert=True)])
        else:
            out.extend(ours[ours_at(start) : _position(end, cosmetic, after_insert=True)])
        pos = end
        i = j
    out.extend(ours[ours_at(pos) :])
    merged = "".join(out)
    if not original.endswith("\n") and merged.endswith("\n"):
        merged = merged[:-1]
    return merged


def _position(p: int, hunks: list[tuple[int, int, int, int]], after_insert: bool = False) -> int:
    """Line ``p`` of the base, in the other text (``p`` is never inside a hunk).

    An insertion exactly at ``p`` counts as before it when ``after_insert`` (the end of a
    region includes what was inserted at its end), else as after it."""
    moved = p
    for b1, b2, o1, o2 in hunks:
        if b2 < p or (b2 == p and (b1 < p or after_insert)):
            moved += (o2 - o1) - (b2 - b1)
    return moved


# -- paths ---------------------------------------------------------------------------------


def _step(node: Any, key: str | int) -> str | int:
    """The real key or index of ``key`` in ``node`` (a name in a list of named mappings)."""
    if isinstance(node, list):
        if isinstance(key, int) and not isinstance(key, bool):
            if -len(node) <= key < len(node):
                return key
            raise YamlEditError(f"no item {key} (the list has {len(node)})")
        for index, item in enumerate(node):
            if isinstance(item, dict) and item.get("name") == key:
                return index
        raise YamlEditError(f"no item named {key!r}")
    if isinstance(node, dict):
        if key in node:
            return key
        raise YamlEditError(f"no key {key!r}")
    raise YamlEditError(f"{key!r}: not inside a mapping or a list")


def _walk(data: Any, path: Sequence[str | int]) -> Any:
    node = data
    for key in path:
        node = node[_step(node, key)]
    return node


def resolve_path(text_or_data: Any, path: Sequence[str | int]) -> Path:
    """``path`` with every name of a list item replaced by its index."""
    data = load(text_or_data) if isinstance(text_or_data, str) else text_or_data
    node = data
    out: list[str | int] = []
    for key in path:
        real = _step(node, key)
        out.append(real)
        node = node[real]
    return tuple(out)


def get_value(data: Any, path: Sequence[str | int], default: Any = None) -> Any:
    """The value at ``path`` in a loaded tree, or ``default`` when the path leads nowhere."""
    try:
        return _walk(data, path)
    except (YamlEditError, KeyError, IndexError, TypeError):
        return default


# -- values --------------------------------------------------------------------------------


def _is_flow(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and bool(node.fa.flow_style())


def _convert(value: Any, old: Any = None, *, flow: bool | None = None) -> Any:
    """``value`` as a round-trip node in the style of ``old`` (the value it replaces).

    Text keeps the quotes of the old text (a new time of day is double-quoted, as the format
    recommends); a mapping or list is written in flow style (one line) when the old value
    was, when it replaces a scalar, or when ``flow`` says so; nested collections follow.
    """
    if isinstance(value, CommentedMap | CommentedSeq | ScalarString):
        return value
    if isinstance(value, str):
        if isinstance(old, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(value)
        if isinstance(old, SingleQuotedScalarString):
            return SingleQuotedScalarString(value)
        if _TIME_OF_DAY.match(value):
            return DoubleQuotedScalarString(value)
        return value
    if isinstance(value, dict | list | tuple):
        if flow is None:
            flow = _is_flow(old) or (
                old is not None and not isinstance(old, CommentedMap | CommentedSeq)
            )
        if isinstance(value, dict):
            node: Any = CommentedMap()
            for key, item in value.items():
                old_item = old.get(key) if isinstance(old, dict) else None
                node[key] = _convert(item, old_item, flow=True)
        else:
            node = CommentedSeq()
            for index, item in enumerate(value):
                old_item = old[index] if isinstance(old, list) and index < len(old) else None
                node.append(_convert(item, old_item, flow=True))
        if flow:
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    return value


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _same_value(old: Any, new: Any) -> bool:
    """Does ``new`` say exactly what ``old`` says (same types, so ``1`` is not ``true``)?"""

    def typed(node: Any) -> Any:
        plain = _plain(node)
        if isinstance(plain, dict):
            return ("map", tuple((k, typed(v)) for k, v in plain.items()))
        if isinstance(plain, list):
            return ("seq", tuple(typed(v) for v in plain))
        kind = "str" if isinstance(plain, str) else type(plain).__name__
        if isinstance(plain, bool):
            kind = "bool"
        elif isinstance(plain, int):
            kind = "int"
        elif isinstance(plain, float):
            kind = "float"
        return (kind, plain)

    return typed(old) == typed(new)


def _assign(container: Any, key: str | int, value: Any, order: Sequence[str] = ()) -> None:
    """Set ``container[key]``, updating a mapping in place key by key (so the comments of
    its unchanged keys stay) and placing a new key after its neighbours in ``order``."""
    exists = (isinstance(container, dict) and key in container) or (
        isinstance(container, list) and isinstance(key, int)
    )
    old = container[key] if exists else None
    if exists and _same_value(old, value):
        return
    block_map = isinstance(old, CommentedMap) and bool(old) and not _is_flow(old)
    replaced_whole = isinstance(value, dict) and ("dist" in value or "model" in value)
    if (
        isinstance(old, CommentedMap)
        and block_map
        and isinstance(value, dict)
        and value
        and (not replaced_whole)
    ):
        # Key by key, so the comments of the keys that stay are kept.
        for gone in [k for k in old if k not in value]:
            del old[gone]
        for sub, item in value.items():
            _assign(old, sub, item, list(value))
        return
    new = _convert(value, old, flow=None if exists else _flow_for_new(container))
    if exists or not isinstance(container, CommentedMap):
        container[key] = new
        return
    position = _insert_position(container, str(key), order)
    if position >= len(container):
        container[key] = new
    else:
        container.insert(position, key, new)


def _flow_for_new(container: Any) -> bool:
    """A new collection goes on one line inside a flow mapping or a mapping of scalars."""
    if _is_flow(container):
        return True
    if isinstance(container, dict) and container:
        return not any(
            isinstance(v, CommentedMap | CommentedSeq) and not _is_flow(v)
            for v in container.values()
        )
    return False


def _insert_position(container: CommentedMap, key: str, order: Sequence[str]) -> int:
    """Where a new ``key`` goes: after the last existing key that comes before it in
    ``order`` (the model's field order), else at the end."""
    if key not in order:
        return len(container)
    rank = {k: i for i, k in enumerate(order)}
    mine = rank[key]
    keys = list(container.keys())
    after = -1
    for index, existing in enumerate(keys):
        if rank.get(existing, -1) < mine and existing in rank:
            after = index
    if after == -1 and any(k in rank and rank[k] > mine for k in keys):
        first_later = min(i for i, k in enumerate(keys) if k in rank and rank[k] > mine)
        return first_later
    return after + 1 if after >= 0 else len(container)


# -- edits ---------------------------------------------------------------------------------


def set_value(
    text: str, path: Sequence[str | int], value: Any, *, order: Sequence[str] = ()
) -> str:
    """``text`` with the value at ``path`` set to ``value`` (plain Python data or a value from
    :func:`parse_value`). Missing mappings on the way are created (``("source",
    "interarrival")`` on a file without ``source``); a new key goes after its neighbours in
    ``order`` (the model's field order), else at the end of its mapping."""
    if not path:
        raise YamlEditError("an empty path names the whole document")

    def change(data: Any) -> None:
        node = data
        for key in path[:-1]:
            if isinstance(node, dict) and (key not in node or node[key] is None):
                node[key] = CommentedMap()
                if _is_flow(node):
                    node[key].fa.set_flow_style()
            node = node[_step(node, key)]
        last = path[-1]
        if isinstance(node, list):
            last = _step(node, last)
        elif not isinstance(node, dict):
            raise YamlEditError(f"{last!r}: not inside a mapping or a list")
        _assign(node, last, value, order)

    return _edit(text, change)


def delete(text: str, path: Sequence[str | int]) -> str:
    """``text`` without the key or list item at ``path`` (its own comments go with it)."""
    if not path:
        raise YamlEditError("an empty path names the whole document")

    def change(data: Any) -> None:
        parent = _walk(data, path[:-1])
        del parent[_step(parent, path[-1])]

    return _edit(text, change)


def append_item(text: str, path: Sequence[str | int], item: Any) -> str:
    """``text`` with ``item`` appended to the list at ``path`` (created when missing), in the
    style of the items already there (block or flow mappings)."""
    return insert_item(text, path, None, item)


def insert_item(text: str, path: Sequence[str | int], index: int | None, item: Any) -> str:
    """``text`` with ``item`` inserted into the list at ``path`` before ``index`` (``None``:
    at the end)."""

    def change(data: Any) -> None:
        parent = _walk(data, path[:-1]) if len(path) > 1 else data
        key = path[-1] if path else None
        if key is None:
            raise YamlEditError("an empty path names the whole document")
        if isinstance(parent, dict) and (key not in parent or parent[key] is None):
            parent[key] = CommentedSeq()
        seq = parent[_step(parent, key)]
        if not isinstance(seq, list):
            raise YamlEditError(f"{key!r} is not a list")
        like = seq[-1] if seq else None
        flow = _is_flow(like) if isinstance(like, CommentedMap | CommentedSeq) else _is_flow(seq)
        node = _convert(item, like if not isinstance(like, dict | list) else None, flow=flow)
        if isinstance(node, CommentedMap) and not flow:
            for sub in node:
                if isinstance(node[sub], CommentedMap | CommentedSeq):
                    node[sub].fa.set_flow_style()
        seq.insert(len(seq) if index is None else index, node)

    return _edit(text, change)


def move_item(text: str, path: Sequence[str | int], new_index: int) -> str:
    """``text`` with the list item at ``path`` moved to ``new_index`` of its list."""

    def change(data: Any) -> None:
        seq = _walk(data, path[:-1])
        if not isinstance(seq, list):
            raise YamlEditError("not a list item")
        old = _step(seq, path[-1])
        assert isinstance(old, int)
        target = max(0, min(new_index, len(seq) - 1))
        if target != old:
            item = seq.pop(old)
            seq.insert(target, item)

    return _edit(text, change)


def rename_key(text: str, path: Sequence[str | int], new_key: str) -> str:
    """``text`` with the mapping key at ``path`` renamed, in place (same position, value and
    comments). Raises :class:`YamlEditError` when ``new_key`` is already a key there."""

    def change(data: Any) -> None:
        parent = _walk(data, path[:-1])
        old = path[-1]
        if not isinstance(parent, CommentedMap) or old not in parent:
            raise YamlEditError(f"no key {old!r}")
        if new_key == old:
            return
        if new_key in parent:
            raise YamlEditError(f"{new_key!r} is already a key here")
        position = list(parent.keys()).index(old)
        comment = parent.ca.items.pop(old, None)
        value = parent.pop(old)
        parent.insert(position, new_key, value)
        if comment is not None:
            parent.ca.items[new_key] = comment

    return _edit(text, change)


# -- text of a single value (form fields) -------------------------------------------------


def parse_value(text: str) -> Any:
    """What a form field's text means as a YAML value: ``"5"`` → 5, ``"45 s"`` → text,
    ``"{dist: exponential, mean: 1 min}"`` → a flow mapping, ``""`` → ``None``.

    Raises :class:`YamlEditError` for text that is not one YAML value."""
    if not text.strip():
        return None
    _check_depth(text)
    try:
        value = YAML(typ="rt").load(text)
    except (YAMLError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise YamlEditError(f"not a YAML value: {_first_line(exc)}") from None
    if isinstance(value, CommentedMap | CommentedSeq):
        value.fa.set_flow_style()
        for sub in value.values() if isinstance(value, dict) else value:
            if isinstance(sub, CommentedMap | CommentedSeq):
                sub.fa.set_flow_style()
    if isinstance(value, PlainScalarString):
        return str(value)
    return value


def format_value(value: Any) -> str:
    """A value as one line of YAML flow text (``{dist: lognormal, mean: 12.5 min, cv: 0.05}``,
    ``[day, night]``, ``45 s``); ``None`` is the empty text. The inverse of
    :func:`parse_value`."""
    if value is None:
        return ""
    return _flow(value)


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow_str(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _flow_str(
        str(value), quoted=isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString)
    )


def _number(value: float) -> str:
    """A number as the file wrote it (ruamel remembers ``0.0120``, ``1.5e3``)."""
    if type(value) is int:
        return str(value)
    if type(value) is float:
        return repr(value)
    out = io.StringIO()
    YAML(typ="rt").dump([value], out)
    return out.getvalue().strip().removeprefix("- ").strip()


def _flow_str(text: str, quoted: bool = False) -> str:
    """``text`` plain when YAML reads it back as the same text inside a flow collection,
    else double-quoted."""
    if (
        not quoted
        and text
        and text == text.strip()
        and not re.search(r"[,\[\]{}#&*!|>'\"%@`]|: |:$", text)
    ):
        try:
            back = YAML(typ="safe").load(text)
        except YAMLError:
            back = None
        if back == text and not text.startswith(("- ", "? ")):
            return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
