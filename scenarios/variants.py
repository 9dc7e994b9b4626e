"""Variants: several configurations of one line in one scenario file.

A file may end with ``variants: {name: body}`` (and optionally ``baseline: name``, by default
the first variant). A body has the base's top-level keys; it is merged into the base as
written, on the raw YAML data, before the result is validated as a normal scenario:

- the named lists ``stations``, ``resources`` and ``products`` are written as mappings by
  name: a mapping for an existing item merges into it, a new name adds an item (a full
  definition, appended after the base's items), ``null`` removes the item; a YAML list
  instead replaces the whole list;
- other mappings merge key by key (``null`` removes the key); scalars and lists replace;
  a distribution or time model (a mapping with ``dist:`` or ``model:``) replaces as a whole;
- ``description:`` is free text about the variant.

Every merged value keeps the position where it was written, so a problem inside a variant is
reported at the variant's ``line:col``. Element names, and so the random streams keyed by
them, are shared by all variants: comparing them uses common random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem, ScenarioError
from .yamlsafe import Document, Path, Pos, format_path

__all__ = [
    "NAMED_LISTS",
    "VariantSet",
    "baseline_name",
    "resolve",
    "structure_problems",
    "validate_variants",
    "variant_names",
]

NAMED_LISTS = ("stations", "resources", "products")
"""Top-level lists whose items a variant addresses by name."""
_NOT_IN_BODY = ("linelab", "variants", "baseline")
_BARE_BASE = "\x00base"
"""Not a possible variant name (no control characters in YAML keys): resolves to the base."""
_SHARED = ("seed", "replications")
_WHAT = {"stations": "station", "resources": "resource", "products": "product"}


@dataclass(frozen=True)
class VariantSet:
    """Every variant of a file, validated: ``scenarios`` in file order.

    A file without ``variants`` gives one entry named ``baseline`` (``has_variants`` False).
    """

    baseline: str
    scenarios: dict[str, Any]
    descriptions: dict[str, str] = field(default_factory=dict)
    has_variants: bool = True


def variant_names(data: Any) -> tuple[str, ...]:
    """Names of the variants in the raw data, in file order (empty without ``variants``)."""
    variants = data.get("variants") if isinstance(data, dict) else None
    if not isinstance(variants, dict):
        return ()
    return tuple(str(name) for name in variants)


def baseline_name(data: Any) -> str | None:
    """The baseline variant: ``baseline:`` if given, else the first variant; None without."""
    names = variant_names(data)
    if not names:
        return None
    given = data.get("baseline")
    return given if isinstance(given, str) else names[0]


def _pos(doc: Document, path: Path, *, key: bool = False) -> Pos:
    pos = doc.positions.get(path, Pos(1, 1))
    if key and pos.key_line is not None and pos.key_col is not None:
        return Pos(pos.key_line, pos.key_col)
    return pos


def structure_problems(doc: Document, filename: str) -> list[Problem]:
    """Problems with ``variants``/``baseline`` themselves (not with what they resolve to)."""
    data = doc.data
    out: list[Problem] = []

    def add(path: Path, message: str, *, key: bool = False) -> None:
        pos = _pos(doc, path, key=key)
        out.append(Problem(filename, pos.line, pos.col, format_path(path), message))

    if not isinstance(data, dict):
        return out
    if "variants" not in data:
        if "baseline" in data:
            add(("baseline",), "a baseline needs 'variants' to choose from", key=True)
        return out
    if data.get("linelab") == 1 and data.get("linelab") is not True:
        add(("variants",), "variants are a key of format v2: they need linelab: 2", key=True)
        return out
    variants = data["variants"]
    if not isinstance(variants, dict) or not variants:
        add(("variants",), "expected a mapping of variant names to their changes, "
            "such as {manual: {}, robot: {resources: ...}}")
        return out
    for name, body in variants.items():
        path: Path = ("variants", name)
        if not isinstance(name, str) or not name.strip():
            add(path, "a variant name must be non-empty text", key=True)
            continue
        if body is None:
            continue
        if not isinstance(body, dict):
            add(path, "expected a mapping of the keys this variant changes ({} for none)")
            continue
        for key, value in body.items():
            where = (*path, key)
            if key in _NOT_IN_BODY:
                add(where, f"'{key}' cannot be changed by a variant", key=True)
            elif key in _SHARED:
                add(
                    where,
                    f"'{key}' is shared by every variant (common random numbers); "
                    "set it in the base",
                    key=True,
                )
            elif key == "description" and not isinstance(value, str):
                add(where, "expected text describing the variant")
            elif key in NAMED_LISTS and isinstance(value, dict):
                out.extend(_named_problems(doc, filename, where, data.get(key), value))
    baseline = data.get("baseline")
    if "baseline" in data and (not isinstance(baseline, str) or baseline not in variants):
        add(
            ("baseline",),
            f"baseline {baseline!r} is not a variant (variants: "
            f"{', '.join(str(n) for n in variants)})",
        )
    return out


def _named_problems(
    doc: Document, filename: str, where: Path, base: Any, changes: dict[str, Any]
) -> list[Problem]:
    what = _WHAT[str(where[-1])]
    existing = _item_names(base)
    out: list[Problem] = []
    for item, change in changes.items():
        pos = _pos(doc, (*where, item), key=True)
        path = format_path((*where, item))
        if existing is None:
            out.append(
                Problem(filename, pos.line, pos.col, path,
                        f"cannot change {where[-1]} by name: the base's '{where[-1]}' "
                        "is not a list of named items")
            )
        elif change is None and item not in existing:
            out.append(
                Problem(filename, pos.line, pos.col, path,
                        f"no {what} named {item!r} to remove"
                        f"{_known(existing)}")
            )
        elif change is not None and not isinstance(change, dict):
            out.append(
                Problem(filename, pos.line, pos.col, path,
                        f"expected a mapping (what changes in {what} {item!r}) or null "
                        "to remove it")
            )
        elif isinstance(change, dict) and "name" in change and change["name"] != item:
            out.append(
                Problem(filename, pos.line, pos.col, path,
                        f"a variant cannot rename {what} {item!r}; remove it (null) "
                        "and add a new one")
            )
    return out


def _known(names: list[str]) -> str:
    return f" (known: {', '.join(names)})" if names else ""


def _item_names(items: Any) -> list[str] | None:
    if items is None:
        return []
    if not isinstance(items, list):
        return None
    names = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return None
        names.append(item["name"])
    return names


def resolve(doc: Document, name: str) -> Document:
    """The base of ``doc`` with variant ``name`` merged in, with positions.

    Pure: ``doc`` is not changed. Assumes :func:`structure_problems` found nothing. The
    result has no ``variants``/``baseline`` keys and no reader problems (report those of
    ``doc`` once).
    """
    data = doc.data
    body = data["variants"].get(name) or {}
    prefix: Path = ("variants", name)
    resolved: dict[str, Any] = {
        k: v for k, v in data.items() if k not in ("variants", "baseline")
    }
    positions: dict[Path, Pos] = {}
    # where each base item of a named list lands after removals: (key, old) -> new index
    moved: dict[tuple[str, int], int] = {}
    added: dict[tuple[str, str], int] = {}
    for key in NAMED_LISTS:
        change = body.get(key)
        if not isinstance(change, dict):
            continue
        base_items = data.get(key) or []
        items: list[Any] = []
        for old, item in enumerate(base_items):
            item_change = change.get(item["name"], {}) if item["name"] in change else {}
            if item["name"] in change and change[item["name"]] is None:
                continue  # removed
            moved[(key, old)] = len(items)
            items.append(_merge(item, item_change or {}))
        for item_name, item_change in change.items():
            if item_name in {i["name"] for i in base_items} or item_change is None:
                continue
            added[(key, item_name)] = len(items)
            items.append({"name": item_name, **item_change})
        resolved[key] = items
    for key, value in body.items():
        if (key in NAMED_LISTS and isinstance(value, dict)) or key == "description":
            continue
        if value is None:
            resolved.pop(key, None)
        else:
            base_value = resolved.get(key)
            resolved[key] = _merge(base_value, value) if isinstance(base_value, dict) else value

    def base_path(path: Path) -> Path | None:
        if path[:1] in (("variants",), ("baseline",)):
            return None
        if len(path) >= 2 and path[0] in NAMED_LISTS and isinstance(body.get(path[0]), dict):
            if not isinstance(path[1], int):
                return path
            new = moved.get((str(path[0]), path[1]))
            return None if new is None else (path[0], new, *path[2:])
        return path

    def variant_path(rel: Path) -> Path | None:
        if not rel or rel[0] == "description":
            return None
        if rel[0] in NAMED_LISTS and isinstance(body.get(rel[0]), dict):
            if len(rel) == 1:
                return None
            key, item = str(rel[0]), str(rel[1])
            index = added.get((key, item))
            if index is None:
                base_names = _item_names(data.get(key)) or []
                if item not in base_names:
                    return None
                index = moved.get((key, base_names.index(item)))
                if index is None:
                    return None
            return (key, index, *rel[2:])
        return rel

    for path, pos in doc.positions.items():
        new_path = base_path(path)
        if new_path is not None:
            positions[new_path] = pos
    variant_positions: dict[Path, Pos] = {}
    reported: set[Path] = set()
    for path, pos in doc.positions.items():
        if path[:2] == prefix:
            new_path = variant_path(path[2:])
            if new_path is not None:
                variant_positions[new_path] = pos
    positions.update(variant_positions)
    for (key, _item), index in added.items():
        item_pos = positions.get((key, index))
        if item_pos is not None and item_pos.key_line is not None:  # the name is its key
            positions[(key, index, "name")] = Pos(item_pos.key_line, item_pos.key_col or 1)
    for path in doc.reported:
        new_path = variant_path(path[2:]) if path[:2] == prefix else base_path(path)
        if new_path is not None:
            reported.add(new_path)
    return Document(resolved, positions, [], reported)


def _merge(base: Any, change: Any) -> Any:
    """Deep merge of mappings: ``null`` removes a key; a distribution replaces as a whole."""
    if not isinstance(base, dict) or not isinstance(change, dict):
        return change
    if "dist" in change or "model" in change:
        return change
    out = dict(base)
    for key, value in change.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def validate_variants(
    doc: Document, filename: str, validate: Callable[[Document], Any]
) -> VariantSet:
    """Resolve and validate every variant of ``doc`` (or the file itself without variants).

    ``validate`` turns one resolved document into a scenario or raises
    :class:`~scenarios.ScenarioError`. Problems of every variant are reported together; a
    problem written inside a variant's body is labelled with the variant's name.

    Raises:
        ScenarioError: every problem found, sorted by position.
    """
    data = doc.data
    if not isinstance(data, dict) or ("variants" not in data and "baseline" not in data):
        return VariantSet("baseline", {"baseline": validate(doc)}, {}, has_variants=False)
    problems = list(doc.problems) + structure_problems(doc, filename)
    if problems:
        raise ScenarioError(_unique(problems))
    variants: dict[str, Any] = data["variants"]
    scenarios: dict[str, Any] = {}
    descriptions: dict[str, str] = {}
    found: dict[str, list[Problem]] = {}
    for name, body in variants.items():
        if isinstance(body, dict) and isinstance(body.get("description"), str):
            descriptions[name] = body["description"]
        try:
            scenarios[name] = validate(resolve(doc, name))
        except ScenarioError as exc:
            found[name] = list(exc.problems)
    base_problems: set[tuple[int, int, str]] = set()
    if found:
        try:
            validate(resolve(doc, _BARE_BASE))
        except ScenarioError as exc:
            base_problems = {(q.line, q.col, q.message) for q in exc.problems}
    for name, listed in found.items():
        lines = [
            pos.line for path, pos in doc.positions.items() if path[:2] == ("variants", name)
        ]
        first, last = min(lines, default=0), max(lines, default=-1)
        written: dict[tuple[int, int], tuple[Path, str]] = {}  # place -> path in the variant
        for path, pos in doc.positions.items():
            if path[:2] == ("variants", name):  # the deepest path written at a place
                places = [(pos.line, pos.col)]
                if pos.key_line is not None and pos.key_col is not None:
                    places.append((pos.key_line, pos.key_col))
                for place in places:
                    if len(path) >= len(written.get(place, ((), ""))[0]):
                        written[place] = (path, format_path(path))
        for p in listed:
            if first <= p.line <= last:
                new_item = _new_item_at(doc, name, p.line, p.col)
                if new_item is not None and p.message.startswith("missing required key"):
                    p = Problem(p.file, p.line, p.col, p.path, f"{p.message}; {new_item}")
                problems.append(
                    Problem(
                        p.file,
                        p.line,
                        p.col,
                        written.get((p.line, p.col), ((), p.path))[1],
                        f"in variant {name!r}: {p.message}",
                    )
                )
            elif (p.line, p.col, p.message) in base_problems:
                problems.append(p)  # the base's own problem, not this variant's
            else:  # a base value that this variant's changes made wrong
                problems.append(
                    Problem(p.file, p.line, p.col, p.path, f"{p.message} (in variant {name!r})")
                )
    if problems:
        raise ScenarioError(_unique(problems))
    return VariantSet(str(baseline_name(data)), scenarios, descriptions)


def _new_item_at(doc: Document, name: str, line: int, col: int) -> str | None:
    """Why a mapping written at ``line:col`` in variant ``name`` must be complete, if it adds
    a station, resource or product the base does not have."""
    body = doc.data["variants"].get(name) or {}
    for key in NAMED_LISTS:
        changes = body.get(key)
        if not isinstance(changes, dict):
            continue
        existing = _item_names(doc.data.get(key)) or []
        for item in changes:
            pos = doc.positions.get(("variants", name, key, item))
            if item not in existing and pos is not None and (pos.line, pos.col) == (line, col):
                return (
                    f"the base has no {_WHAT[key]} {item!r}, so the variant adds it and must "
                    f"define it fully{_known(existing)}"
                )
    return None


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, int, str]] = set()
    out: list[Problem] = []
    for p in sorted(problems, key=lambda p: (p.line, p.col, p.path, p.message)):
        if (p.line, p.col, p.message) not in seen:
            seen.add((p.line, p.col, p.message))
            out.append(p)
    return out
