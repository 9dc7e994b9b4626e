"""Load a scenario file: bytes → safe YAML → validated :class:`~scenarios.Scenario`.

Every problem is reported at once as ``file:line:col: path.to.key: message``; the only
exception :func:`load` and :func:`loads` raise is :class:`~scenarios.ScenarioError`.
"""

from __future__ import annotations

import difflib
import math
import os
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .checks import V2_SCENARIO_KEYS, V2_STATION_KEYS, cross_check
from .distributions import DIST_KINDS, DIST_NAMES, DistributionSpec
from .errors import Problem, ScenarioError
from .model import CROSS_CHECKED, FORMAT_VERSION, Scenario, Station
from .power import Power, ResourcePower
from .process_time import MODEL_KINDS, MODEL_NAMES, PROCESS_TAGS
from .units import show_value
from .variants import VariantSet, validate_variants
from .yamlsafe import Document, Path, Pos, format_path, line_col, read_yaml

__all__ = [
    "MAX_FILE_BYTES",
    "load",
    "load_variants",
    "loads",
    "loads_variants",
    "problems_from_validation_error",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Largest scenario file accepted (5 MiB); real scenarios are a few kilobytes."""

_BOM = b"\xef\xbb\xbf"

# Keys people reach for, and the v1 key they mean.
_SYNONYMS = {
    "version": "linelab",
    "format": "linelab",
    "title": "name",
    "duration": "horizon",
    "run_length": "horizon",
    "warm_up": "warmup",
    "warmup_time": "warmup",
    "reps": "replications",
    "runs": "replications",
    "random_seed": "seed",
    "arrivals": "source",
    "arrival": "source",
    "wip": "wip_cap",
    "conwip": "wip_cap",
    "wip_limit": "wip_cap",
    "station": "stations",
    "machines": "servers",
    "parallel": "servers",
    "capacity": "servers",
    "queue": "buffer",
    "buffer_size": "buffer",
    "process_time": "process",
    "cycle_time": "process",
    "time": "process",
    "distribution": "dist",
    "type": "dist",
    "kind": "dist",
    "std": "sd",
    "stdev": "sd",
    "stddev": "sd",
    "sigma": "sd",
    "min": "low",
    "max": "high",
    "minimum": "low",
    "maximum": "high",
    "lower": "low",
    "upper": "high",
    "most_likely": "mode",
    "data": "values",
    "samples": "values",
    "interarrival_time": "interarrival",
    "velocity": "speed",
    "max_speed": "speed",
    "accel": "acceleration",
    "deceleration": "acceleration",
    "load_time": "load",
    "unload_time": "unload",
    "loading": "load",
    "unloading": "unload",
    "home": "park",
    "parking": "park",
    "location": "at",
    "position": "at",
    "point": "at",
    "place": "at",
    "belt": "conveyor",
    "vehicle": "transport",
    "agv": "transport",
    "carried_by": "transport",
    "pitch": "spacing",
    "gap": "spacing",
    "nodes": "points",
    "edges": "aisles",
    "paths": "aisles",
    "oneway": "one_way",
    "one_way_aisles": "one_way",
}


def load(path: str | os.PathLike[str], variant: str | None = None) -> Scenario:
    """Read and validate the scenario file at ``path``.

    A file with ``variants`` gives its ``variant`` (default: the baseline); every variant
    is checked.

    Raises:
        ScenarioError: the file is missing, unreadable, too large, not UTF-8, not YAML, or
            not a valid v1 scenario; ``problems`` lists every mistake found.
    """
    return _pick(load_variants(path), os.fspath(path), variant)


def load_variants(path: str | os.PathLike[str]) -> VariantSet:
    """Read the file at ``path`` and validate every variant (see :mod:`scenarios.variants`).

    Raises:
        ScenarioError: as :func:`load`.
    """
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError.single(file, 1, 1, "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError.single(file, 1, 1, "", "is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError.single(file, 1, 1, "", "permission denied") from None
    except (OSError, ValueError) as exc:  # e.g. a NUL in the path, a broken device
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError.single(file, 1, 1, "", f"cannot read the file: {reason}") from None
    return loads_variants(raw, filename=file)


def loads(text: str | bytes, filename: str = "<string>", variant: str | None = None) -> Scenario:
    """Validate a scenario given as YAML text or bytes (UTF-8, a BOM is allowed).

    ``filename`` only labels the problems; ``variant`` as in :func:`load`.

    Raises:
        ScenarioError: see :func:`load`.
    """
    return _pick(loads_variants(text, filename), filename, variant)


def _pick(found: VariantSet, filename: str, variant: str | None) -> Scenario:
    if variant is None:
        return typing.cast(Scenario, found.scenarios[found.baseline])
    if variant not in found.scenarios:
        names = ", ".join(found.scenarios) if found.has_variants else ""
        message = (
            f"no variant {variant!r} (variants: {names})"
            if names
            else f"no variant {variant!r}: the file has no 'variants'"
        )
        raise ScenarioError.single(filename, 1, 1, "variants", message)
    return typing.cast(Scenario, found.scenarios[variant])


def loads_variants(text: str | bytes, filename: str = "<string>") -> VariantSet:
    """Validate every variant of a scenario given as YAML text or bytes.

    Raises:
        ScenarioError: see :func:`load`.
    """
    source = _decode(text, filename)
    doc = read_yaml(source, filename)
    if not isinstance(doc.data, dict):
        pos = doc.positions.get((), Pos(1, 1))
        raise ScenarioError(
            [
                Problem(
                    filename,
                    pos.line,
                    pos.col,
                    "",
                    "a scenario must be a mapping of keys (linelab: 1, name: ..., horizon: ..., "
                    f"stations: ...), got {_got(doc.data, None)}",
                )
            ]
        )
    return validate_variants(doc, filename, lambda resolved: _validate(resolved, filename))


def _validate(doc: Document, filename: str) -> Scenario:
    """One scenario (a file without variants, or one resolved variant) from its document."""
    problems = list(doc.problems)
    problems.extend(_duplicate_station_names(doc, filename))
    problems.extend(_cross_check_problems(doc, filename))
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(doc.data, context={CROSS_CHECKED: True})
    except ValidationError as exc:
        problems.extend(problems_from_validation_error(exc, doc, filename))
    if problems or scenario is None:
        raise ScenarioError(_sorted_unique(problems))
    return scenario


def _duplicate_station_names(doc: Document, filename: str) -> list[Problem]:
    """Report repeated station names now, even when other errors stop the model's check."""
    stations = doc.data.get("stations") if isinstance(doc.data, dict) else None
    if not isinstance(stations, list):
        return []
    out: list[Problem] = []
    first: dict[str, int] = {}
    for index, station in enumerate(stations):
        name = station.get("name") if isinstance(station, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            pos = doc.positions.get(("stations", index, "name"), Pos(1, 1))
            first_pos = doc.positions.get(("stations", first[name], "name"), Pos(1, 1))
            out.append(
                Problem(
                    filename,
                    pos.line,
                    pos.col,
                    format_path(("stations", index, "name")),
                    f"duplicate station name {name!r} (first at line {first_pos.line})",
                )
            )
        else:
            first[name] = index
    return out


def _cross_check_problems(doc: Document, filename: str) -> list[Problem]:
    """Names that refer to other parts of the file, checked on the data as written."""
    out: list[Problem] = []
    for issue in cross_check(doc.data):
        if any(issue.path[: i + 1] in doc.reported for i in range(len(issue.path))):
            continue
        pos = doc.positions.get(issue.path, Pos(1, 1))
        if issue.at_key and pos.key_line is not None and pos.key_col is not None:
            pos = Pos(pos.key_line, pos.key_col)
        message = issue.message
        if issue.first_at is not None and issue.first_at in doc.positions:
            cut = message.rfind(" (first at ")
            if cut >= 0:
                message = message[:cut] + f" (first at line {doc.positions[issue.first_at].line})"
        out.append(Problem(filename, pos.line, pos.col, format_path(issue.path), message))
    return out


def _decode(text: str | bytes, filename: str) -> str:
    if isinstance(text, str):
        if len(text) > MAX_FILE_BYTES:
            raise ScenarioError.single(filename, 1, 1, "", _too_large())
        return text[1:] if text.startswith("\ufeff") else text
    raw = bytes(text)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError.single(filename, 1, 1, "", _too_large())
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = line_col(good, len(good))
        raise ScenarioError.single(
            filename,
            line,
            col,
            "",
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
        ) from None


def _too_large() -> str:
    return (
        f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; "
        "a scenario file is a few kilobytes"
    )


def _sorted_unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, int, str]] = set()
    out: list[Problem] = []
    for p in sorted(problems, key=lambda p: (p.line, p.col, p.path, p.message)):
        key = (p.line, p.col, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# --------------------------------------------------------------------------------------
# Mapping pydantic errors back to the file


def problems_from_validation_error(
    exc: ValidationError, doc: Document | None = None, filename: str = "<string>"
) -> list[Problem]:
    """Translate a pydantic ``ValidationError`` of :class:`Scenario` into problems.

    With ``doc`` (what :func:`~scenarios.yamlsafe.read_yaml` returned) each problem gets the
    line and column of the offending key or value; without it every position is 1:1.
    """
    if doc is None:
        doc = Document(None, {})
    out: list[Problem] = []
    for error in exc.errors(include_url=False):
        problem = _problem(error, doc, filename)
        if problem is not None:
            out.append(problem)
    return out


def _walk(loc: tuple[Any, ...], data: Any) -> tuple[Path, Any, list[Any]]:
    """Follow ``loc`` through ``data``: (real path, value there, loc items not found).

    Discriminator tags that pydantic puts in the location (``process.exponential.mean``)
    are dropped, so the path reads like the file (``process.mean``).
    """
    path: list[str | int] = []
    current = data
    may_skip_tag = True
    rest = list(loc)
    while rest:
        part = rest[0]
        if (
            part == "default"
            and path
            and path[-1] == "setup"
            and not (isinstance(current, dict) and ("default" in current or "matrix" in current))
        ):
            rest.pop(0)  # a bare setup time, wrapped as {default: ...} by the model
            continue
        if may_skip_tag and isinstance(part, str) and part in PROCESS_TAGS:
            rest.pop(0)  # the branch of a process time: distribution or time model
            continue
        if (
            may_skip_tag
            and isinstance(current, dict)
            and isinstance(part, str)
            and (
                (part in MODEL_KINDS and current.get("model") == part)
                or (part in DIST_KINDS and current.get("dist") == part)
            )
        ):
            rest.pop(0)  # the tagged branch of a time model or a distribution
            may_skip_tag = False
            continue
        in_mapping = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = (
            isinstance(current, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(current)
        )
        if not (in_mapping or in_list):
            break
        current = current[part]
        path.append(part)
        rest.pop(0)
        may_skip_tag = True
    return tuple(path), current, rest


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in typing.get_args(annotation):
            found.extend(m for m in _models_in(arg) if m not in found)
    return found


def _strip(annotation: Any) -> Any:
    """Unwrap ``Annotated`` and drop ``None`` from an optional annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _model_at(path: Path, data: Any) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path``, if it can be told."""
    found = _annotation_at(path, data)
    return None if found is None else _resolve(found[0], found[1])


def _annotation_at(path: Path, data: Any) -> tuple[Any, Any] | None:
    """The type annotation that validates the value at ``path``, and that value."""
    annotation: Any = Scenario
    current = data
    for part in path:
        annotation = _strip(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(part, int):
            if origin not in (tuple, list):
                return None
            annotation = typing.get_args(annotation)[0]
            current = current[part] if isinstance(current, list) else None
            continue
        if origin is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            model = _resolve(annotation, current)
            field = model.model_fields.get(part) if model else None
            if field is None:
                return None
            annotation = field.annotation
        current = current.get(part) if isinstance(current, dict) else None
    return _strip(annotation), current


def _resolve(annotation: Any, current: Any) -> type[BaseModel] | None:
    """The model of ``annotation`` that validates the value ``current``."""
    if isinstance(current, dict) and current.get("dist") in DIST_KINDS:
        return DIST_KINDS[current["dist"]]
    if isinstance(current, dict) and current.get("model") in MODEL_KINDS:
        return MODEL_KINDS[current["model"]]
    candidates = _models_in(annotation)
    if len(candidates) == 1:
        return candidates[0]
    return None


def _is_distribution_field(path: Path, data: Any) -> bool:
    if not path or not isinstance(path[-1], str):
        return False
    found = _annotation_at(path, data)
    return found is not None and any(
        issubclass(m, DistributionSpec) for m in _models_in(found[0])
    )


def _is_v1(data: Any) -> bool:
    return isinstance(data, dict) and data.get("linelab") == 1 and data.get("linelab") is not True


def _got(value: Any, pos: Pos | None) -> str:
    """The offending value as written in the file where known, else as YAML would spell it."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and pos is not None and pos.text is not None:
        return pos.text
    return show_value(value)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _hint(word: str, choices: list[str]) -> str:
    if word in _SYNONYMS and _SYNONYMS[word] in choices:
        return f"; did you mean '{_SYNONYMS[word]}'?"
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"; did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    starts = [c for c in choices if len(word) >= 3 and c.startswith(word.lower())]
    if len(starts) == 1:
        return f"; did you mean '{starts[0]}'?"
    return ""


def _problem(error: ErrorDetails, doc: Document, filename: str) -> Problem | None:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    loc = tuple(error["loc"])
    if kind == "linelab" and isinstance(ctx.get("at"), tuple):
        loc = loc + ctx["at"]
    path, value, rest = _walk(loc, doc.data)
    if any(path[: i + 1] in doc.reported for i in range(len(path))) or path in doc.reported:
        return None  # the reader already said what is wrong here
    pos = doc.positions.get(path)
    if ctx.get("at_key") and not rest and pos is not None and pos.key_line is not None:
        pos = Pos(pos.key_line, pos.key_col or 1)
    shown_path = format_path(path)
    got = _got(value, pos)
    message: str

    if kind == "missing" and rest:
        key = str(rest[-1])
        message = f"missing required key '{key}'"
        if key == "linelab" and not path:
            message += f" (the format version; start the file with 'linelab: {FORMAT_VERSION}')"
        elif key == "dist":
            message += f" (one of: {', '.join(DIST_NAMES)})"
    elif kind == "extra_forbidden":
        key = str(path[-1]) if path else str(rest[-1] if rest else "?")
        model = _model_at(path[:-1], doc.data)
        choices = list(model.model_fields) if model else []
        v2_hint = ""
        if _is_v1(doc.data) and model in (Scenario, Station):
            v2 = V2_SCENARIO_KEYS if model is Scenario else V2_STATION_KEYS
            choices = [c for c in choices if c not in v2]
            v2_hint = _hint(key, list(v2))
            if v2_hint:
                v2_hint = v2_hint[:-1] + " (a key of format v2: it needs linelab: 2)?"
        what = "power state" if model in (Power, ResourcePower) else "key"
        message = f"unknown {what} '{key}'"
        hint = _hint(key, choices) or v2_hint
        if hint:
            message += hint
        elif choices:
            label = "keys here" if what == "key" else "states"
            message += f" (valid {label}: {', '.join(choices)})"
        if pos is not None and pos.key_line is not None and pos.key_col is not None:
            pos = Pos(pos.key_line, pos.key_col)
    elif kind == "union_tag_invalid" and "model" in str(ctx.get("discriminator", "")):
        model_pos = doc.positions.get((*path, "model"))
        if model_pos is not None:
            pos = model_pos
            shown_path = format_path((*path, "model"))
        model_value = value.get("model") if isinstance(value, dict) else ctx.get("tag", "")
        message = f"unknown time model {_got(model_value, None)}"
        if isinstance(model_value, str):
            message += _hint(model_value, list(MODEL_NAMES))
        message += f" (valid: {', '.join(MODEL_NAMES)})"
    elif kind == "union_tag_invalid":
        tag = ctx.get("tag", "")
        dist_pos = doc.positions.get((*path, "dist"))
        if dist_pos is not None:
            pos = dist_pos
            shown_path = format_path((*path, "dist"))
        dist_value = value.get("dist") if isinstance(value, dict) else tag
        message = f"unknown distribution {_got(dist_value, None)}"
        message += _hint(str(dist_value), list(DIST_NAMES)) if isinstance(dist_value, str) else ""
        message += f" (valid: {', '.join(DIST_NAMES)})"
    elif kind == "union_tag_not_found":
        message = f"missing required key 'dist' (one of: {', '.join(DIST_NAMES)})"
    elif kind == "duration" and isinstance(value, float) and not math.isfinite(value):
        message = f"must be a finite duration, got {got}"
    elif kind in ("linelab", "duration"):
        message = str(ctx.get("message", error["msg"]))
        first_at = ctx.get("first_at")
        if isinstance(first_at, tuple):
            first_path, _, first_rest = _walk(tuple(error["loc"]) + first_at, doc.data)
            first_pos = doc.positions.get(first_path)
            if first_pos is not None and not first_rest:
                cut = message.rfind(" (first at ")
                if cut >= 0:
                    message = message[:cut] + f" (first at line {first_pos.line})"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        if _is_distribution_field(path, doc.data):
            message = (
                "expected a distribution such as {dist: exponential, mean: 45 s} "
                f"or a duration such as '45 s', got {got}"
            )
        else:
            message = f"expected a mapping of keys, got {got}"
    elif kind in ("tuple_type", "list_type", "iterable_type"):
        message = f"expected a list, got {got}"
    elif kind == "too_short":
        if isinstance(value, list) and len(value) >= int(ctx.get("min_length", 1)):
            return None  # pydantic counts only the valid items; their errors say enough
        last = path[-1] if path else None
        what = {
            "stations": "station",
            "products": "product",
            "shifts": "shift",
            "points": "point",
        }.get(str(last), "value")
        message = f"needs at least one {what}"
        if last == "products":
            message += "; omit 'products' for one product visiting every station"
        elif last == "shifts" and "breaks" in path:
            message += "; omit 'shifts' for a break in every shift"
        elif last == "shifts":
            message += "; omit 'shifts' to work around the clock"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, float) and not isinstance(value, bool):
            message = f"must be a whole number, got {got}"
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            message = f"expected a whole number, got {got} (text); remove the quotes"
        else:
            message = f"expected a whole number, got {got}"
    elif kind in ("float_type", "float_parsing"):
        message = f"expected a number, got {got}"
    elif kind == "finite_number":
        message = f"must be a finite number, got {got}"
    elif kind == "string_type":
        message = f"expected text, got {got}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            message += "; put it in quotes"
    elif kind == "string_unicode":
        message = "is not valid text: it contains a lone surrogate (an escape such as \\ud800)"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "string_too_long":
        message = f"must be at most {ctx.get('max_length')} characters long"
    elif kind == "string_pattern_mismatch":
        message = f"has an invalid form, got {got}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op, bound = {
            "greater_than": (">", ctx.get("gt")),
            "greater_than_equal": (">=", ctx.get("ge")),
            "less_than": ("<", ctx.get("lt")),
            "less_than_equal": ("<=", ctx.get("le")),
        }[kind]
        message = f"must be {op} {_num(bound)}, got {got}"
        if path and path[-1] == "scrap" and op == "<":
            message += "; scrap is a probability (2 % is 0.02)"
        elif path and path[-1] == "share" and op == "<=":
            message += "; a share is a fraction of the parts (70 % is 0.7)"
    elif kind == "literal_error":
        message = f"must be {ctx.get('expected', '?')}, got {got}"
        expected = str(ctx.get("expected", "")).replace(" or ", ",")
        options = [o.strip(" '") for o in expected.split(",")]
        if isinstance(value, str):
            message += _hint(value, [o for o in options if o])
    else:
        message = str(error["msg"])
        if message.startswith(("Value error, ", "Assertion failed, ")):
            message = message.split(", ", 1)[1]
        message = message[:1].lower() + message[1:]

    if pos is None:
        pos = Pos(1, 1)
    return Problem(filename, pos.line, pos.col, shown_path, message)
