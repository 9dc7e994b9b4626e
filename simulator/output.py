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
    """The result file's content as JSON-ready data (strict JSON: no NaN, undefined = null).

    A line with format-v2 features adds ``kpis.scrap_per_hour``, ``kpis.energy_kwh_per_part``,
    ``stations.<s>.oee``, ``products`` and ``resources``; a v1 line's keys are unchanged.
    """
    sc = result.scenario
    data = _result_to_json_v1(result, scenario_file)
    stations = data["stations"]
    assert isinstance(stations, dict)
    for name, summary in result.stations.items():
        if summary.oee is not None:
            stations[name]["oee"] = summary.oee.to_json()
    if result.products or result.resources:
        config = data.pop("config")
        data["products"] = {
            name: {
                "throughput_per_hour": p.throughput_per_hour.to_json(),
                "cycle_time_s": p.cycle_time_s.to_json(),
            }
            for name, p in result.products.items()
        }
        data["resources"] = {
            name: {
                "utilization": r.utilization.to_json(),
                "states": {state: stat.to_json() for state, stat in r.states.items()},
            }
            for name, r in result.resources.items()
        }
        data["config"] = config
    del sc
    return data


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


def _grid(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned text: first column left, the others right, two spaces apart.

    Widths come from the content, so a value of any magnitude keeps its column.
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(widths[i]) for i, cell in enumerate(row) if i > 0]
        out.append("  ".join(cells).rstrip())
    return out


def _share(stat: Stat) -> str:
    return _pm(stat, 100, 1)


def kpi_table(result: ExperimentResult) -> str:
    """The human-readable report: KPIs, stations, resources and products, each
    mean ± 95 % CI half-width, in columns sized to their content."""
    sc = result.scenario
    n = len(result.replications)
    lines = [
        f"{sc.name} — {n} replication{'s' if n != 1 else ''}, seed {result.seed}, "
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
    rows = [["KPI", "mean ± 95% CI"]]
    rows += [[labels.get(key, key), _pm(stat)] for key, stat in result.kpis.items()]
    lines += _grid(rows)
    if result.stations:
        lines.append("")
        state_names: list[str] = []
        for summary in result.stations.values():
            state_names += [s for s in summary.states if s != "busy" and s not in state_names]
        with_oee = any(summary.oee is not None for summary in result.stations.values())
        header = ["station", "servers", "utilization %"]
        header += [f"{s} %" for s in state_names]
        header += ["queue (parts)"] + (["OEE %"] if with_oee else [])
        rows = [header]
        servers = {s.name: s.servers for s in sc.stations}
        for name, summary in result.stations.items():
            row = [name, str(servers.get(name, 1)), _share(summary.utilization)]
            row += [
                _share(summary.states[s]) if s in summary.states else "" for s in state_names
            ]
            row.append(_pm(summary.queue, 1, _decimals(summary.queue.mean or 0.0, 3)))
            if with_oee:
                row.append("" if summary.oee is None else _share(summary.oee))
            rows.append(row)
        lines += _grid(rows)
    if result.resources:
        lines.append("")
        state_names = []
        for r in result.resources.values():
            state_names += [s for s in r.states if s not in state_names]
        rows = [["resource", "units", "utilization %", *(f"{s} %" for s in state_names)]]
        counts = {r.name: r.count for r in getattr(sc, "resources", ())}
        for name, r in result.resources.items():
            rows.append(
                [name, str(counts.get(name, "")), _share(r.utilization)]
                + [_share(r.states[s]) if s in r.states else "" for s in state_names]
            )
        lines += _grid(rows)
    if result.products:
        lines.append("")
        rows = [["product", "throughput (parts/h)", "cycle time (s)"]]
        for name, p in result.products.items():
            rows.append([name, _pm(p.throughput_per_hour), _pm(p.cycle_time_s)])
        lines += _grid(rows)
    if n == 1:
        lines.append("")
        lines.append(
            "(one replication: no confidence intervals; use --replications N for error bars)"
        )
    return "\n".join(lines)
