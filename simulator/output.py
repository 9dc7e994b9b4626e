"""Result files (JSON, CSV) and the KPI table printed by ``linelab run``.

The JSON keys are a stable contract (docs/results.md); more may be added, none renamed. Files
are written atomically: to a temporary file in the target folder, then renamed over the
target, so a crash or Ctrl-C never leaves a half-written result file. A symbolic link is
resolved first (the link stays, its target is replaced); character devices, FIFOs and standard
output are written through, never replaced (:func:`output_target`).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import stat as file_stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator import __version__
from simulator.bottleneck import bottleneck_json
from simulator.experiment import ExperimentResult, ResourceSummary
from simulator.stats import Stat
from simulator.textwidth import display_width, pad, printable


def result_to_json(result: ExperimentResult, scenario_file: str | None = None) -> dict[str, object]:
    """The result file's content as JSON-ready data (strict JSON: no NaN, undefined = null).

    A line with format-v2 features adds ``kpis.scrap_per_hour``, ``kpis.energy_kwh_per_part``,
    ``stations.<s>.oee``, ``products`` and ``resources``; a v1 line's keys are unchanged.
    A traced run (``linelab run --bottleneck``, ``compare``) adds ``bottleneck``.
    """
    sc = result.scenario
    data = _result_to_json_v1(result, scenario_file)
    stations = data["stations"]
    assert isinstance(stations, dict)
    for name, summary in result.stations.items():
        if summary.oee is not None:
            stations[name]["oee"] = summary.oee.to_json()
        if summary.kits is not None:
            stations[name]["kits"] = summary.kits.to_json()
    if result.products or result.resources:
        config = data.pop("config")
        data["products"] = {
            name: {
                "throughput_per_hour": p.throughput_per_hour.to_json(),
                "cycle_time_s": p.cycle_time_s.to_json(),
            }
            for name, p in result.products.items()
        }
        data["resources"] = {name: _resource_json(r) for name, r in result.resources.items()}
        data["config"] = config
    bottleneck = bottleneck_json(result)
    if bottleneck is not None:  # only when traced: untraced results keep their keys
        data["bottleneck"] = bottleneck
    del sc
    return data


def _resource_json(r: ResourceSummary) -> dict[str, object]:
    """A resource's JSON: utilization, states, and for vehicles the empty-travel share."""
    out: dict[str, object] = {
        "utilization": r.utilization.to_json(),
        "states": {state: stat.to_json() for state, stat in r.states.items()},
    }
    if r.empty_travel_share is not None:
        out["empty_travel_share"] = r.empty_travel_share.to_json()
    return out


def _result_to_json_v1(
    result: ExperimentResult, scenario_file: str | None
) -> dict[str, object]:
    sc = result.scenario
    return {
        "linelab": __version__,
        "scenario": sc.name,
        "scenario_file": scenario_file,
        "variant": result.variant,
        "method": result.method,
        "seed": result.seed,
        "replications": len(result.replications),
        "horizon_s": float(sc.horizon),
        "warmup_s": float(sc.warmup),
        "kpis": {name: stat.to_json() for name, stat in result.kpis.items()},
        "stations": {
            name: {
                "utilization": summary.utilization.to_json(),
                "states": {state: stat.to_json() for state, stat in summary.states.items()},
                "queue": summary.queue.to_json(),
                "units": {
                    unit: {"states": {state: stat.to_json() for state, stat in states.items()}}
                    for unit, states in summary.units.items()
                },
            }
            for name, summary in result.stations.items()
        },
        "warnings": [warning.to_json() for warning in result.warnings],
        "config": sc.model_dump(mode="json"),
    }


def stat_rows(result: ExperimentResult) -> Iterator[tuple[str, Stat]]:
    """Every statistic with its dotted key, in report order."""
    for name, stat in result.kpis.items():
        yield f"kpis.{name}", stat
    for station, summary in result.stations.items():
        yield f"stations.{station}.utilization", summary.utilization
        for state, stat in summary.states.items():
            yield f"stations.{station}.states.{state}", stat
        yield f"stations.{station}.queue", summary.queue
        if summary.oee is not None:
            yield f"stations.{station}.oee", summary.oee
        if summary.kits is not None:
            yield f"stations.{station}.kits", summary.kits
        for unit, states in summary.units.items():
            for state, stat in states.items():
                yield f"stations.{station}.units.{unit}.states.{state}", stat
    for product, p in result.products.items():
        yield f"products.{product}.throughput_per_hour", p.throughput_per_hour
        yield f"products.{product}.cycle_time_s", p.cycle_time_s
    for resource, r in result.resources.items():
        yield f"resources.{resource}.utilization", r.utilization
        for state, stat in r.states.items():
            yield f"resources.{resource}.states.{state}", stat
        if r.empty_travel_share is not None:
            yield f"resources.{resource}.empty_travel_share", r.empty_travel_share


def result_to_csv(result: ExperimentResult) -> str:
    """One row per statistic: key, mean, CI bounds, then one column per replication."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    n = len(result.replications)
    writer.writerow(["key", "mean", "ci95_low", "ci95_high", *(f"rep_{i}" for i in range(n))])
    for key, stat in stat_rows(result):
        low, high = stat.ci95 if stat.ci95 is not None else (None, None)
        writer.writerow(
            [key, _cell(stat.mean), _cell(low), _cell(high), *(_cell(v) for v in stat.values)]
        )
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else repr(float(value))


class OutputError(Exception):
    """An output target that cannot be written; ``str()`` is ``path: reason``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class OutputTarget:
    """Where a result goes, and how it is written there.

    ``kind`` is ``"file"`` (a regular file or a new one: written to a temporary file in its
    folder and renamed over it; ``path`` is the resolved target, so a symbolic link is kept and
    its target replaced), ``"stream"`` (a character device such as ``/dev/null`` or a FIFO:
    opened and written through, never replaced), ``"stdout"`` (``-``, or a path that is the
    process's standard output, such as ``/dev/stdout``: written through ``sys.stdout``) or
    ``"stderr"`` (a path that is the standard error, written through ``sys.stderr``).
    """

    given: str
    kind: str
    path: str
    identity: tuple[object, ...]
    """What two targets share when they are the same file (device and inode, resolved path
    of a file still to be created, or standard output)."""


def _same_as_fd(st: os.stat_result, fd: int) -> bool:
    try:
        return os.path.samestat(st, os.fstat(fd))
    except (OSError, ValueError):
        return False


def output_target(path: str) -> OutputTarget:
    """Classify ``path`` as an output target; :class:`OutputError` if it can never be one.

    Never changes a path's kind: devices, FIFOs and standard output are written through, a
    regular file is replaced by a regular file, a block device, socket or folder is refused.
    """
    if path == "":
        raise OutputError(path, "empty file name")
    if path == "-":
        return OutputTarget(path, "stdout", "-", ("stdout",))
    try:
        st: os.stat_result | None = os.stat(path)  # follows symbolic links
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a loop of links, a file used as a folder, no permission
        raise OutputError(path, (exc.strerror or str(exc)).lower()) from None
    if st is None:
        if path.endswith(("/", os.sep)):
            raise OutputError(path, "names a folder that does not exist, not a file")
        real = os.path.realpath(path)  # a dangling symbolic link: create its target
        return OutputTarget(path, "file", real, ("path", real))
    mode = st.st_mode
    identity = ("inode", st.st_dev, st.st_ino)
    if _same_as_fd(st, 1):  # /dev/stdout, /proc/self/fd/1, or the file stdout goes to
        return OutputTarget(path, "stdout", "-", ("stdout",))
    if _same_as_fd(st, 2):  # never truncate or replace the file stderr is appended to
        return OutputTarget(path, "stderr", "-", ("stderr",))
    if file_stat.S_ISDIR(mode):
        raise OutputError(path, "is a directory")
    if file_stat.S_ISCHR(mode) or file_stat.S_ISFIFO(mode):
        return OutputTarget(path, "stream", path, identity)
    if file_stat.S_ISREG(mode):
        return OutputTarget(path, "file", os.path.realpath(path), identity)
    what = "a block device" if file_stat.S_ISBLK(mode) else "not a regular file"
    if file_stat.S_ISSOCK(mode):
        what = "a socket"
    raise OutputError(
        path,
        f"is {what}; results go to regular files, character "
        "devices (/dev/null), FIFOs or standard output (-)",
    )


def _file_mode(target: Path) -> int:
    """The mode a new result file gets: the target's if it exists, else 0o666 less the umask
    (``mkstemp`` makes 0600 files, which other users of a shared study folder cannot read)."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_through(target: OutputTarget, text: str) -> None:
    """Write ``text`` to standard output, a character device or a FIFO, as it comes.

    A FIFO blocks here until a reader opens it, as with ``cat > fifo``. The path is opened
    without ``O_CREAT``: if it vanished since it was classified, nothing is created.
    """
    if target.kind in ("stdout", "stderr"):
        stream = sys.stdout if target.kind == "stdout" else sys.stderr
        if stream is None:
            name = "standard output" if target.kind == "stdout" else "standard error"
            raise OutputError(name, "is closed")
        stream.write(text)
        stream.flush()
        return
    fd = os.open(target.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_files_atomic(files: dict[str, str]) -> None:
    """Write several results so that either all regular files are replaced or none is.

    Each regular file (or new file) is written to a temporary file in its own folder (same
    file system, so the final rename is atomic) and flushed to disk; a symbolic link is
    resolved first, so the link stays and its target is replaced. Devices, FIFOs and standard
    output (see :func:`output_target`) are written through after every temporary file is
    complete; only when those are written too are the temporary files renamed over their
    targets. On any error the temporary files are removed, the regular targets are left as
    they were, and :class:`OutputError` names the path and the reason.
    """
    targets = [(output_target(path), text) for path, text in files.items()]
    pending: list[tuple[str, str]] = []
    current = ""
    try:
        for target, text in targets:
            if target.kind != "file":
                continue
            current = target.given
            folder = os.path.dirname(target.path) or "."
            name = os.path.basename(target.path)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            pending.append((tmp, target.path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                os.fchmod(handle.fileno(), _file_mode(Path(target.path)))
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        reader_gone = False
        for target, text in targets:
            if target.kind != "file":
                current = target.given
                try:
                    _write_through(target, text)
                except BrokenPipeError:  # `--json - | head`: the reader chose to stop
                    reader_gone = True
        for tmp, real in pending:
            current = real
            os.replace(tmp, real)
        if reader_gone:  # the files are in place; the caller decides what this means
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
    except BaseException as exc:
        for tmp, _ in pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            reason = exc.strerror or str(exc)
            raise OutputError(current, reason[:1].lower() + reason[1:]) from exc
        raise


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` as :func:`write_files_atomic` does (``-`` is stdout)."""
    write_files_atomic({os.fspath(path): text})


def json_text(data: dict[str, object]) -> str:
    """Strict JSON (``allow_nan=False``), indented, with a final newline."""
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike[str], data: dict[str, object]) -> None:
    """Strict JSON, written atomically."""
    write_atomic(path, json_text(data))


# -- the KPI table -------------------------------------------------------------------------------
def _decimals(value: float, digits: int) -> int:
    """Decimals that show ``value`` with about ``digits`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return 0
    return min(6, max(0, digits - 1 - math.floor(math.log10(abs(value)))))


def _pm(stat: Stat, scale: float = 1.0, decimals: int | None = None) -> str:
    """``mean ± half-width`` with the half-width at the mean's precision."""
    if stat.mean is None:
        return "—"
    mean = stat.mean * scale
    places = _decimals(mean, 4) if decimals is None else decimals
    text = f"{mean:,.{places}f}"
    half = stat.half_width
    if half is not None:
        text += f" ± {half * scale:,.{places}f}"
    return text


def _duration(seconds: float) -> str:
    """A duration for people: the largest unit that gives a whole or short number."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        value = seconds / size
        if value >= 1 and (value == round(value) or value >= 10):
            return f"{value:,.0f} {unit}" if value == round(value) else f"{value:,.1f} {unit}"
    return f"{seconds:g} s"


def _columns(rows: list[list[str]], aligns: str, minimum: Sequence[int] = ()) -> list[str]:
    """Rows of cells as aligned lines: each column as wide as its widest cell (in display
    columns, so CJK names and emoji line up), separated by at least two spaces. ``aligns``
    has one ``<`` (left) or ``>`` (right) per column; ``minimum`` gives minimum widths."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(aligns))]
    widths = [max(w, m) for w, m in zip(widths, [*minimum, *[0] * len(widths)], strict=False)]
    lines: list[str] = []
    for row in rows:
        cells = [pad(cell, w, align) for cell, w, align in zip(row, widths, aligns, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _share(stat: Stat) -> str:
    """A share (0..1) as a percentage with one decimal."""
    return _pm(stat, 100, 1)


def kpi_table(result: ExperimentResult) -> str:
    """The human-readable report: KPIs, stations, resources and products (when there are
    two or more), each mean ± 95 % CI half-width, then any warnings.

    Columns are sized to their content and aligned by display width for any magnitude of value
    and any name; names are printed with control and invisible characters escaped
    (:func:`~simulator.textwidth.printable`).
    """
    sc = result.scenario
    n = len(result.replications)
    lines = [
        f"{printable(sc.name)} — {n} replication{'s' if n != 1 else ''}, seed {result.seed}, "
        f"horizon {_duration(float(sc.horizon))} after {_duration(float(sc.warmup))} warm-up "
        f"({'flow-line fast path' if result.method == 'flowline' else 'discrete-event engine'})",
        "",
    ]
    labels = {
        "throughput_per_hour": "throughput (parts/h)",
        "cycle_time_s": "cycle time (s)",
        "wip": "WIP (parts)",
        "scrap_per_hour": "scrap (parts/h)",
        "energy_kwh_per_part": "energy (kWh/part)",
    }
    kpi_rows = [["KPI", "mean ± 95% CI"]]
    kpi_rows += [[labels.get(key, printable(key)), _pm(stat)] for key, stat in result.kpis.items()]
    lines += _columns(kpi_rows, "<>", (22, 24))
    if result.stations:
        lines.append("")
        state_names: list[str] = []  # every state any station reaches, in first-seen order
        for summary in result.stations.values():
            state_names += [s for s in summary.states if s != "busy" and s not in state_names]
        with_oee = any(summary.oee is not None for summary in result.stations.values())
        header = ["station", "servers", "utilization %"]
        header += [f"{printable(s)} %" for s in state_names]
        header += ["queue (parts)"] + (["OEE %"] if with_oee else [])
        rows = [header]
        servers = {s.name: s.servers for s in sc.stations}
        for name, summary in result.stations.items():
            row = [printable(name), str(servers.get(name, 1)), _share(summary.utilization)]
            row += [
                _share(summary.states[s]) if s in summary.states else "" for s in state_names
            ]
            row.append(_pm(summary.queue, 1, _decimals(summary.queue.mean or 0.0, 3)))
            if with_oee:
                row.append("" if summary.oee is None else _share(summary.oee))
            rows.append(row)
        lines += _columns(rows, "<" + ">" * (len(header) - 1), (14, 7, 13))
    if result.resources:
        lines.append("")
        state_names = []
        for r in result.resources.values():
            state_names += [s for s in r.states if s not in state_names]
        header = ["resource", "units", "utilization %", *(f"{printable(s)} %" for s in state_names)]
        vehicles = any(r.empty_travel_share is not None for r in result.resources.values())
        if vehicles:
            header.append("empty travel %")
        rows = [header]
        counts = {r.name: r.count for r in getattr(sc, "resources", ())}
        for name, r in result.resources.items():
            row = [printable(name), str(counts.get(name, "")), _share(r.utilization)]
            row += [_share(r.states[s]) if s in r.states else "" for s in state_names]
            if vehicles:
                empty = r.empty_travel_share
                row.append("" if empty is None else _share(empty))
            rows.append(row)
        lines += _columns(rows, "<" + ">" * (len(header) - 1))
    if len(result.products) > 1:  # one product's row would repeat the line's KPIs
        lines.append("")
        rows = [["product", "throughput (parts/h)", "cycle time (s)"]]
        for name, p in result.products.items():
            rows.append([printable(name), _pm(p.throughput_per_hour), _pm(p.cycle_time_s)])
        lines += _columns(rows, "<>>")
    if n == 1:
        lines.append("")
        lines.append(
            "(one replication: no confidence intervals; use --replications N for error bars)"
        )
    if result.warnings:
        lines.append("")
        lines += [f"warning: {printable(warning.message)}" for warning in result.warnings]
    return "\n".join(lines)
