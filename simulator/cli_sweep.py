"""``linelab sweep`` and ``linelab results``: batch studies into a result store, and reading it.

``sweep FILE --set PATH=V1,V2,... [...]`` runs points × variants × replications of one
scenario file into an SQLite store (:mod:`simulator.store`), one committed transaction per
finished replication; ``--resume`` runs only what the store is missing. Everything is checked
before anything runs or is written: a wrong ``--set`` path or value, an unknown variant, a
store of another study, a malformed ``--target-ci`` exit 2 and leave the store as it was (or
uncreated). Ctrl-C and SIGTERM stop the workers and keep every replication already stored
(exit 130 / 143). ``results STORE`` prints or exports what a store holds (docs/batch.md).

This module is imported when the parser is built, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.cli import (
    EXIT_OK,
    BadInput,
    OutputFailed,
    _cannot_write,
    _check_output,
    _check_time_models,
    _positive_int,
    _print_report,
    _resolve_scenario,
    _say,
    _seed,
)

if TYPE_CHECKING:
    from simulator.store import RunRecord, StudyMeta
    from simulator.sweep import Autopilot

__all__ = ["add_parsers", "cmd_results", "cmd_sweep"]

DEFAULT_MAX_REPLICATIONS = 200
"""``--target-ci`` without ``--max-replications``: at most this many per variant and point."""


def add_parsers(sub: Any) -> None:
    """Add the ``sweep`` and ``results`` subcommands to ``linelab``'s subparsers."""
    sweep = sub.add_parser(
        "sweep",
        help="run points × variants × replications into a result store (SQLite)",
        description="Run a study: every combination of the --set values (or a Latin "
        "hypercube of them), for the baseline or the variants asked for, each with the same "
        "replications (common random numbers), into an SQLite store; one transaction per "
        "finished replication, --resume runs what is missing. See docs/batch.md.",
    )
    sweep.add_argument("scenario", help="scenario file (YAML), or the name of a shipped example")
    sweep.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="values of one key, addressed as variants do (stations.press.buffer=1,2,3; "
        "resources.robot.count=1..4); repeat for more keys",
    )
    sweep.add_argument(
        "--design", default="grid", metavar="grid|lhs",
        help="grid: every combination (default); lhs: a Latin hypercube of --samples points",
    )
    sweep.add_argument("--samples", metavar="N", help="points of an --design lhs study")
    which = sweep.add_mutually_exclusive_group()
    which.add_argument("--variant", metavar="V", help="run variant V (default: the baseline)")
    which.add_argument(
        "--all-variants", action="store_true", help="run every variant of the file"
    )
    sweep.add_argument(
        "--replications", "-n", metavar="N", help="replications per variant and point "
        "(default: the file's)"
    )
    sweep.add_argument("--seed", metavar="S", help="master seed (default: the file's)")
    sweep.add_argument(
        "--workers", "-j", metavar="K", help="processes (default: all cores); never changes "
        "the results"
    )
    sweep.add_argument(
        "--dask", metavar="ADDRESS",
        help="run on Dask: 'local' starts a LocalCluster of --workers processes, "
        "tcp://host:port joins a running scheduler (pip install 'linelab[dask]')",
    )
    sweep.add_argument(
        "--store", metavar="F", help="the SQLite result store (default: NAME.sqlite here, "
        "NAME the scenario file's)"
    )
    sweep.add_argument(
        "--resume", action="store_true", help="continue the study in --store: run only the "
        "replications it is missing"
    )
    sweep.add_argument(
        "--target-ci", metavar="P%",
        help="add replications per variant and point until the 95 %% CI half-width of --kpi "
        "is at most P %% of its mean (e.g. 2%%)",
    )
    sweep.add_argument(
        "--kpi", metavar="NAME", help="the KPI --target-ci watches (default "
        "throughput_per_hour)"
    )
    sweep.add_argument(
        "--max-replications", metavar="M", help="--target-ci stops at M replications per "
        f"variant and point (default {DEFAULT_MAX_REPLICATIONS})"
    )
    sweep.add_argument(
        "--warmup", metavar="auto", help="auto: detect the warm-up of every variant and point "
        "(MSER-5 on a pilot run's throughput and WIP) and use it instead of the file's"
    )
    sweep.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    results = sub.add_parser(
        "results",
        help="what a result store holds: rows per variant, point and replication, or a summary",
    )
    results.add_argument("store", help="the SQLite result store written by 'linelab sweep'")
    results.add_argument(
        "--csv", metavar="F", help="write the rows (with --summary: the summary) as CSV to F "
        "(- for standard output)"
    )
    results.add_argument(
        "--summary", action="store_true", help="mean and 95 %% CI per variant and point"
    )


# --- sweep -------------------------------------------------------------------------------------


def _target_ci(text: str) -> float:
    """``2%`` → 0.02 (a bare fraction below 1 is accepted: ``0.02``)."""
    raw = text.strip()
    percent = raw.endswith("%")
    number = raw[:-1].strip() if percent else raw
    try:
        value = float(number)
    except ValueError:
        raise BadInput(
            f"--target-ci {text}: expected a percentage such as 2% (the relative 95 % "
            "half-width to reach)"
        ) from None
    rel = value / 100.0 if percent else value
    if not percent and value >= 1:
        raise BadInput(f"--target-ci {text}: write it as a percentage, e.g. {value:g}%")
    if not (math.isfinite(rel) and 0 < rel < 1):
        raise BadInput(f"--target-ci {text}: must be more than 0% and less than 100%")
    return rel


def _autopilot(args: argparse.Namespace, replications: int) -> Autopilot | None:
    from simulator.experiment import KPI_NAMES, V2_KPI_NAMES
    from simulator.sweep import Autopilot

    if args.target_ci is None:
        for flag, given in (("--kpi", args.kpi), ("--max-replications", args.max_replications)):
            if given is not None:
                raise BadInput(f"{flag} goes with --target-ci")
        return None
    rel = _target_ci(args.target_ci)
    kpi = args.kpi or "throughput_per_hour"
    if kpi not in KPI_NAMES + V2_KPI_NAMES:
        raise BadInput(
            f"--kpi {kpi}: not a KPI (KPIs: {', '.join(KPI_NAMES + V2_KPI_NAMES)})"
        )
    most = (
        max(DEFAULT_MAX_REPLICATIONS, replications)
        if args.max_replications is None
        else _positive_int(args.max_replications, "--max-replications", 100_000)
    )
    if most < replications:
        raise BadInput(
            f"--max-replications {most} is fewer than the {replications} replications every "
            "point runs first"
        )
    try:
        import simulator.autopilot  # noqa: F401
    except ImportError:
        raise BadInput("--target-ci is not available in this build (simulator.autopilot is "
                       "missing)") from None
    return Autopilot(rel, kpi, most)


def _store_path(args: argparse.Namespace, scenario: str) -> str:
    """The store's path, checked: a regular file or a new one in a folder that exists and
    takes new files; never the scenario file."""
    path = args.store or f"{Path(scenario).stem}.sqlite"
    if not path:
        raise BadInput("--store: empty file name")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path):
        if not os.path.isfile(path):
            raise BadInput(f"--store {path}: not a regular file")
        if os.path.exists(scenario) and os.path.samefile(path, scenario):
            raise BadInput(f"--store {path}: would overwrite the scenario file")
        # A store is written in place and beside itself (its -wal and -shm files).
        if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
            raise BadInput(
                f"--store {path}: read-only (the file or its folder "
                f"{os.path.dirname(path) or '.'!r}); 'linelab results' reads it where it "
                "is, a sweep needs a copy in a folder it can write"
            )
        return path
    if not os.path.isdir(folder):
        raise BadInput(f"--store {path}: folder {os.path.dirname(path)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput(f"--store {path}: cannot write in {os.path.dirname(path) or '.'!r}")
    return path


def _check_store(path: str, meta: StudyMeta, resume: bool) -> bool:
    """Can the study ``meta`` write to ``path``? True when the store exists (resume)."""
    from simulator.store import NotAStore, StoreUnavailable, inspect_store

    try:
        held = inspect_store(path)
    except (NotAStore, StoreUnavailable) as exc:
        raise BadInput(_store_problem(f"--store {path}", exc)) from None
    if held is None:
        return False
    problems = held.differences(meta)
    if problems:
        raise BadInput(
            f"--store {path}: cannot continue this study there: "
            + "; ".join(problems)
            + " (give another --store for a new study)"
        )
    if not resume:
        raise BadInput(
            f"--store {path}: already holds this study; --resume runs what it is missing "
            "(or give another --store)"
        )
    return True


def _store_problem(where: str, exc: Exception) -> str:
    """The message for a file that cannot be read as a result store."""
    from simulator.store import NotAStore, StoreDamaged, StoreFormat

    if isinstance(exc, NotAStore) and not isinstance(exc, StoreDamaged | StoreFormat):
        return f"{where}: not a LineLab result store: {exc}"
    return f"{where}: {exc}"


def cmd_sweep(args: argparse.Namespace) -> int:
    """``linelab sweep``: see the module docstring and docs/batch.md."""
    from concurrent.futures.process import BrokenProcessPool

    from simulator.backends import BackendError, make_backend
    from simulator.experiment import default_workers, usable_workers
    from simulator.overrides import parse_file
    from simulator.store import NotAStore, ResultStore, StoreBusy, StoreUnavailable
    from simulator.sweep import parse_sets, plan_study, run_sweep

    replications = (
        None
        if args.replications is None
        else _positive_int(args.replications, "--replications", 100_000)
    )
    seed = None if args.seed is None else _seed(args.seed)
    workers = (
        default_workers() if args.workers is None
        else _positive_int(args.workers, "--workers", 4096)
    )
    if args.design not in ("grid", "lhs"):
        raise BadInput(f"--design must be grid or lhs, got {args.design!r}")
    samples = None if args.samples is None else _positive_int(args.samples, "--samples", 100_000)
    if args.design == "lhs" and samples is None:
        raise BadInput("--design lhs needs --samples N (how many points to draw)")
    if args.design == "grid" and samples is not None:
        raise BadInput("--samples goes with --design lhs (a grid runs every combination)")
    if args.design == "lhs" and not args.sets:
        raise BadInput("--design lhs needs at least one --set to sample")
    if args.warmup not in (None, "auto"):
        raise BadInput(f"--warmup {args.warmup}: only 'auto' (or leave it out: the file's)")
    try:
        sets = parse_sets(args.sets)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if args.warmup == "auto" and any(s.path == "warmup" for s in sets):
        raise BadInput("--set warmup=...: --warmup auto chooses the warm-up itself; use one")
    path = _resolve_scenario(args.scenario)
    parsed = parse_file(Path(path), path)
    try:
        plan = plan_study(
            parsed,
            sets,
            design=args.design,
            samples=samples,
            variant=args.variant,
            all_variants=args.all_variants,
            replications=replications,
            seed=seed,
            warmup="auto" if args.warmup == "auto" else "file",
        )
    except ValueError as exc:  # an unknown variant
        raise BadInput(f"{path}:1:1: {exc}") from None
    autopilot = _autopilot(args, plan.replications)
    checked: set[int] = set()
    for scenario in plan.scenarios.values():
        if id(scenario) not in checked:
            checked.add(id(scenario))
            _check_time_models(path, scenario)
    _overload_notes(plan)
    store_path = _store_path(args, path)
    exists = _check_store(store_path, plan.meta, args.resume)
    if args.warmup == "auto":
        _apply_warmup(plan)

    size = len(plan.points) * len(plan.variants) * plan.replications
    if args.dask is None:
        used = usable_workers(workers, size)
        cores = default_workers()
        if args.workers is not None and workers > cores:
            _say(
                f"linelab: note: --workers {workers} is more than the {cores} core"
                f"{'s' if cores != 1 else ''} of this machine; using {used}"
            )
        workers = used
    try:
        backend = make_backend(workers, args.dask)
    except BackendError as exc:
        raise BadInput(str(exc)) from None
    with backend:
        try:
            store = (
                ResultStore.open(store_path)
                if exists
                else ResultStore.create(store_path, plan.meta, [p.params for p in plan.points])
            )
        except StoreBusy as exc:
            raise BadInput(f"--store {store_path}: {exc}") from None
        except FileExistsError:  # another sweep created it since it was checked
            raise BadInput(
                f"--store {store_path}: another sweep created it just now; --resume "
                "continues it once that sweep ends"
            ) from None
        except NotAStore as exc:  # replaced since it was checked
            raise BadInput(_store_problem(f"--store {store_path}", exc)) from None
        except (OSError, sqlite3.Error, StoreUnavailable) as exc:
            raise OutputFailed(f"linelab: cannot write the store {store_path}: {exc}") from None
        with store:
            try:
                store.begin_session(_command_line(args))
            except sqlite3.Error as exc:  # a full disk: nothing of this sweep is written
                raise OutputFailed(
                    f"linelab: cannot write the store {store_path}: {exc}"
                ) from None
            bar = _progress_bar(args, plan.meta.scenario_name)
            outcome = None
            ending = "failed"
            try:
                outcome = run_sweep(
                    plan,
                    store,
                    backend,
                    progress=None if bar is None else bar.update_to,
                    autopilot=autopilot,
                )
                ending = "done"
            except KeyboardInterrupt:
                ending = "interrupted"
                raise
            except BrokenProcessPool:  # a worker killed by the system (out of memory?)
                raise OutputFailed(
                    "linelab: a worker process died (killed by the operating system, out of "
                    "memory?); the replications it was running are not stored"
                ) from None
            except sqlite3.Error as exc:  # a full disk, a store on a vanished network share
                raise OutputFailed(
                    f"linelab: cannot write the store {store_path}: {exc}"
                ) from None
            finally:
                if bar is not None:
                    bar.close()
                with contextlib.suppress(sqlite3.Error):
                    store.end_session(ending)
                if ending != "done":
                    try:
                        stored = str(len(store.done()))
                    except sqlite3.Error:
                        stored = "the finished"
                    _say(
                        f"linelab: sweep stopped: {stored} replication(s) are in {store_path}; "
                        f"'linelab sweep ... --store {store_path} --resume' runs the rest"
                    )
    from simulator.store import read_records

    assert outcome is not None  # run_sweep returned (a stop raised above)
    try:
        meta, points, records = read_records(store_path)
    except (NotAStore, StoreUnavailable) as exc:  # the folder vanished meanwhile
        raise OutputFailed(f"linelab: cannot read the store {store_path} back: {exc}") from None
    selected = [r for r in records if r.variant in plan.variants and r.point in outcome.point_ids]
    ran = f"{outcome.ran} replication(s) run"
    if outcome.already:
        ran += f", {outcome.already} already in the store"
    _say(f"linelab: {ran}; store: {store_path}")
    if outcome.crashed:
        _say(
            f"linelab: warning: {outcome.crashed} replication(s) raised an error (stored with "
            f"it; 'linelab results {store_path}' lists them)"
        )
    return _print_report(_summary_table(meta, points, selected), "the summary")


def _overload_notes(plan: Any, most: int = 5) -> None:
    """Say which variants and points overload (the static check of ``linelab run``): their
    queues grow without bound, so their averages depend on the horizon, and a replication
    that reaches the runtime guard is stored as an error."""
    from simulator.capacity import overload_warnings
    from simulator.textwidth import printable

    found = []
    for (variant, index), scenario in plan.scenarios.items():
        warnings = overload_warnings(scenario)
        if warnings:
            values = ", ".join(f"{p}={v}" for p, v in plan.points[index].texts.items())
            where = printable(variant) + (f" at {printable(values)}" if values else "")
            found.append(f"linelab: warning: {where}: {printable(warnings[0].message)}")
    for line in found[:most]:
        _say(line)
    if len(found) > most:
        _say(f"linelab: warning: … and {len(found) - most} more variant(s) and point(s) "
             "that overload")


def _command_line(args: argparse.Namespace) -> str:
    """The sweep's options as a command line (the store's ``sessions.command``)."""
    import shlex

    words = ["linelab", "sweep", args.scenario]
    for text in args.sets:
        words += ["--set", text]
    for flag, value in (
        ("--design", None if args.design == "grid" else args.design),
        ("--samples", args.samples),
        ("--variant", args.variant),
        ("--replications", args.replications),
        ("--seed", args.seed),
        ("--workers", args.workers),
        ("--dask", args.dask),
        ("--store", args.store),
        ("--target-ci", args.target_ci),
        ("--kpi", args.kpi),
        ("--max-replications", args.max_replications),
        ("--warmup", args.warmup),
    ):
        if value is not None:
            words += [flag, str(value)]
    words += [flag for flag, on in (("--all-variants", args.all_variants),
                                    ("--resume", args.resume)) if on]
    return shlex.join(words)


class _Bar:
    """tqdm with ``update_to(done, total)`` (the total grows with ``--target-ci``). Drawn from
    the first call, when the total is known, so it shows ``done/total`` and an ETA at once."""

    def __init__(self, desc: str) -> None:
        self._desc = desc
        self._bar: Any = None

    def update_to(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="rep", desc=self._desc, file=sys.stderr,
                             leave=False)
        if total != self._bar.total:
            self._bar.total = total
            self._bar.refresh()
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_bar(args: argparse.Namespace, name: str) -> _Bar | None:
    if args.quiet or sys.stderr is None or not sys.stderr.isatty():
        return None
    from simulator.textwidth import printable

    return _Bar(printable(name))


def _apply_warmup(plan: Any) -> None:
    """``--warmup auto``: replace the warm-up of every (variant, point) by the MSER-5
    estimate of a pilot run (from empty, replication 0 of the master seed, as long as the
    file's warm-up + horizon), and report each on stderr. A point whose pilot cannot run
    (an overloaded line) keeps the file's warm-up; its replications then report the problem.
    """
    try:
        from simulator.warmup import detect_warmup
    except ImportError:
        raise BadInput("--warmup auto is not available in this build (simulator.warmup is "
                       "missing)") from None
    from pydantic import ValidationError

    from simulator.capacity import LineOverloaded
    from simulator.textwidth import printable

    for key, scenario in list(plan.scenarios.items()):
        variant, index = key
        values = ", ".join(f"{p}={v}" for p, v in plan.points[index].texts.items())
        where = printable(variant) + (f" at {printable(values)}" if values else "")
        try:
            estimate = detect_warmup(scenario, plan.meta.seed)
            seconds = float(estimate.seconds)
            plan.scenarios[key] = type(scenario).model_validate(
                {**scenario.model_dump(), "warmup": seconds}
            )
        except (LineOverloaded, ValueError, ValidationError) as exc:
            _say(f"linelab: warm-up of {where}: not detected ({exc}); using the file's")
            continue
        note = "" if estimate.settled else " (no steady state in the pilot: a lower bound)"
        _say(
            f"linelab: warm-up (MSER-5) of {where}: {seconds:,.0f} s{note} "
            f"(the file says {float(scenario.warmup):,.0f} s)"
        )


# --- results -----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A CSV cell: floats exactly (repr), None empty, mappings and lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def rows_csv(
    meta: StudyMeta, points: dict[int, dict[str, Any]], records: Sequence[RunRecord]
) -> str:
    """One row per stored replication: ``variant, point, replication``, one column per
    ``--set`` path, then the KPIs by their JSON names (empty for a crashed replication)."""
    from simulator.store import kpi_names

    names = kpi_names(records)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["variant", "point", "replication", *meta.paths, *names])
    for r in records:
        params = points.get(r.point, {})
        kpis = r.kpis or {}
        writer.writerow(
            [
                r.variant,
                r.point,
                r.replication,
                *(_cell(params.get(p)) for p in meta.paths),
                *(_cell(kpis.get(n)) for n in names),
            ]
        )
    return out.getvalue()


def summary(
    points: dict[int, dict[str, Any]], records: Sequence[RunRecord]
) -> list[tuple[str, int, int, int, dict[str, Any]]]:
    """Per (variant, point), in store order: ``(variant, point, replications, crashed,
    {kpi: Stat})`` (mean and Student-t 95 % CI over the replications that finished)."""
    from simulator.stats import summarise
    from simulator.store import kpi_names

    names = kpi_names(records)
    groups: dict[tuple[str, int], list[RunRecord]] = {}
    for r in records:
        groups.setdefault((r.variant, r.point), []).append(r)
    out = []
    for (variant, point), group in groups.items():
        ok = [r for r in group if r.kpis is not None]
        stats = {n: summarise([(r.kpis or {}).get(n) for r in ok]) for n in names}
        out.append((variant, point, len(group), len(group) - len(ok), stats))
    return out


def summary_csv(
    meta: StudyMeta, points: dict[int, dict[str, Any]], records: Sequence[RunRecord]
) -> str:
    """``variant, point``, the ``--set`` paths, ``replications, crashed``, then for each KPI
    ``<kpi>_mean, <kpi>_ci95_low, <kpi>_ci95_high``."""
    from simulator.store import kpi_names

    names = kpi_names(records)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "variant",
            "point",
            *meta.paths,
            "replications",
            "crashed",
            *(f"{n}_{part}" for n in names for part in ("mean", "ci95_low", "ci95_high")),
        ]
    )
    for variant, point, n, crashed, stats in summary(points, records):
        params = points.get(point, {})
        cells: list[str] = []
        for name in names:
            stat = stats[name]
            low, high = stat.ci95 if stat.ci95 is not None else (None, None)
            cells += [_cell(stat.mean), _cell(low), _cell(high)]
        writer.writerow(
            [variant, point, *(_cell(params.get(p)) for p in meta.paths), n, crashed, *cells]
        )
    return out.getvalue()


_SHORT = {
    "throughput_per_hour": "throughput (parts/h)",
    "cycle_time_s": "cycle time (s)",
    "wip": "WIP (parts)",
    "scrap_per_hour": "scrap (parts/h)",
    "energy_kwh_per_part": "energy (kWh/part)",
}


def _summary_table(
    meta: StudyMeta, points: dict[int, dict[str, Any]], records: Sequence[RunRecord]
) -> str:
    from simulator.output import _columns, _pm
    from simulator.store import kpi_names
    from simulator.textwidth import printable

    names = kpi_names(records)
    head = (
        f"{printable(meta.scenario_name)} — {printable(meta.scenario_file)} "
        f"(sha256 {meta.scenario_sha256[:12]}), seed {meta.seed}, LineLab {meta.linelab}"
    )
    if not records:
        return head + "\nno replications stored yet"
    rows = [["variant", "point", *meta.paths, "n", *(_SHORT.get(n, n) for n in names)]]
    for variant, point, n, crashed, stats in summary(points, records):
        params = points.get(point, {})
        count = f"{n - crashed}" + (f" (+{crashed} crashed)" if crashed else "")
        rows.append(
            [
                printable(variant),
                str(point),
                *(printable(_cell(params.get(p))) for p in meta.paths),
                count,
                *(_pm(stats[name]) for name in names),
            ]
        )
    aligns = "<>" + ">" * len(meta.paths) + ">" + ">" * len(names)
    lines = [head, "", *_columns(rows, aligns)]
    crashed_runs = [r for r in records if r.error is not None]
    if crashed_runs:
        lines.append("")
        lines.append(
            f"{len(crashed_runs)} replication(s) raised an error (left out of the means and "
            "CIs above; 'n' counts only those that finished):"
        )
        for r in crashed_runs[:10]:
            lines.append(
                f"  {printable(r.variant)} point {r.point} replication {r.replication}: "
                f"{printable(r.error or '')}"
            )
        if len(crashed_runs) > 10:
            lines.append(f"  … and {len(crashed_runs) - 10} more (SELECT * FROM runs WHERE "
                         "status = 'error')")
    return "\n".join(lines)


def cmd_results(args: argparse.Namespace) -> int:
    """``linelab results``: see the module docstring and docs/batch.md."""
    from simulator.output import OutputError, write_atomic
    from simulator.store import NotAStore, StoreUnavailable, read_records

    target = None if args.csv is None else _check_output(args.csv, "--csv")
    if (
        target is not None
        and target.kind == "file"
        and os.path.exists(args.store)
        and os.path.exists(target.path)
        and os.path.samefile(target.path, args.store)
    ):
        raise BadInput(f"--csv {args.csv}: would overwrite the store")
    try:
        meta, points, records = read_records(args.store)
    except (NotAStore, StoreUnavailable) as exc:
        raise BadInput(_store_problem(args.store, exc)) from None
    if target is None:
        return _print_report(_summary_table(meta, points, records), "the summary")
    text = (
        summary_csv(meta, points, records)
        if args.summary
        else rows_csv(meta, points, records)
    )
    try:
        write_atomic(target.given, text)
    except OutputError as exc:
        raise _cannot_write("the results", exc) from None
    except BrokenPipeError:
        from simulator.cli import _quiet_stdout

        _quiet_stdout()
    crashed = sum(r.error is not None for r in records)
    if crashed:  # the CSV has no room for the error: say where it is (stderr, not the CSV)
        _say(
            f"linelab: note: {crashed} replication(s) raised an error: their KPI cells are "
            + ("left out of the means and CIs" if args.summary else "empty")
            + f"; 'linelab results {args.store}' lists the errors"
        )
    return EXIT_OK
