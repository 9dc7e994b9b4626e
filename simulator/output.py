"""Result files (JSON, CSV) and the KPI table printed by ``linelab run``.

The JSON keys are the stable contract of DESIGN.md; more may be added, none renamed. Files
are written atomically: to a temporary file in the target folder, then renamed over the
target, so a crash or Ctrl-C never leaves a half-written result file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from simulator import __version__
from simulator.experiment import ExperimentResult
from simulator.stats import Stat


def result_to_json(result: ExperimentResult, scenario_file: str | None = None) -> dict[str, object]:
    """The result file's content as JSON-ready data (strict JSON: no NaN, undefined = null)."""
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
        for unit, states in summary.units.items():
            for state, stat in states.items():
                yield f"stations.{station}.units.{unit}.states.{state}", stat


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


def _file_mode(target: Path) -> int:
    """The mode a new result file gets: the target's if it exists, else 0o666 less the umask
    (``mkstemp`` makes 0600 files, which other users of a shared study folder cannot read)."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_files_atomic(files: dict[str, str]) -> None:
    """Write several text files so that either all are replaced or none is.

    Each is written to a temporary file in its own folder (same file system, so the final
    rename is atomic) and flushed to disk; only when every one is written are they renamed
    over their targets. On any error the temporary files are removed and the targets are left
    as they were.
    """
    pending: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            target = Path(path)
            folder = target.parent if str(target.parent) else Path(".")
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
            pending.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                os.fchmod(handle.fileno(), _file_mode(target))
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, target in pending:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
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


def kpi_table(result: ExperimentResult) -> str:
    """The human-readable report: KPIs and stations, each mean ± 95 % CI half-width."""
    sc = result.scenario
    n = len(result.replications)
    lines = [
        f"{sc.name} — {n} replication{'s' if n != 1 else ''}, seed {result.seed}, "
        f"horizon {_duration(float(sc.horizon))} after {_duration(float(sc.warmup))} warm-up "
        f"({'flow-line fast path' if result.method == 'flowline' else 'discrete-event engine'})",
        "",
        f"{'KPI':<24}{'mean ± 95% CI':>26}",
    ]
    labels = {
        "throughput_per_hour": "throughput (parts/h)",
        "cycle_time_s": "cycle time (s)",
        "wip": "WIP (parts)",
    }
    for key, stat in result.kpis.items():
        lines.append(f"{labels.get(key, key):<24}{_pm(stat):>26}")
    if result.stations:
        lines.append("")
        state_names = list(next(iter(result.stations.values())).states)
        width = max(16, *(len(name) + 2 for name in result.stations))
        header = f"{'station':<{width}}{'servers':>8}{'utilization %':>16}"
        header += "".join(f"{s + ' %':>15}" for s in state_names if s != "busy")
        header += f"{'queue (parts)':>16}"
        lines.append(header)
        servers = {s.name: s.servers for s in sc.stations}
        for name, summary in result.stations.items():
            row = f"{name:<{width}}{servers.get(name, 1):>8}"
            row += f"{_pm(summary.utilization, 100, 1):>16}"
            row += "".join(
                f"{_pm(summary.states[s], 100, 1):>15}" for s in state_names if s != "busy"
            )
            row += f"{_pm(summary.queue, 1, _decimals(summary.queue.mean or 0.0, 3)):>16}"
            lines.append(row)
    if n == 1:
        lines.append("")
        lines.append(
            "(one replication: no confidence intervals; use --replications N for error bars)"
        )
    return "\n".join(lines)
