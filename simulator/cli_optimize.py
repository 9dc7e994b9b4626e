"""``linelab optimize buffers|resources``: the best buffer split, the cheapest line that meets
a target (docs/optimize.md).

Everything is checked before anything runs: a line the flow-line kernel cannot represent, a
target written wrongly, an unknown ``--vary`` path or a value of the wrong type, an empty value
list or range — exit 2 with a clear message, and no result file.

This module is imported when the parser is built, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from typing import TYPE_CHECKING, Any

from simulator.cli import (
    BadInput,
    _cannot_write,
    _check_distinct,
    _check_output,
    _check_time_models,
    _Parser,
    _pick_variant,
    _positive_int,
    _print_report,
    _resolve_scenario,
    _say,
    _seed,
)

if TYPE_CHECKING:
    from scenarios import Scenario
    from simulator.experiment import ExperimentResult
    from simulator.optimize import BufferStudy, Configuration, ResourceStudy

__all__ = [
    "MAX_CONFIGURATIONS",
    "add_parsers",
    "buffers_json",
    "buffers_table",
    "cmd_optimize",
    "resources_json",
    "resources_table",
]

MAX_CONFIGURATIONS = 10_000
"""Most combinations of ``--vary`` values one study may have."""


def add_parsers(sub: Any) -> None:
    """Add ``optimize buffers`` and ``optimize resources`` to ``linelab``'s subparsers."""
    optimize = sub.add_parser(
        "optimize",
        help="find the best buffer split, or the cheapest line that meets a target",
        description="Optimisation studies on one scenario file. See docs/optimize.md.",
    )
    studies = optimize.add_subparsers(dest="study", metavar="STUDY", parser_class=_Parser)
    studies.required = True

    buffers = studies.add_parser(
        "buffers",
        help="share N buffer places among the buffers of a flow line for the most throughput",
        description="The flow-line kernel evaluates the allocations of N places over the "
        "buffers between the stations (all of them when few, else a greedy and neighbourhood "
        "search) on common random numbers; the event engine confirms the best K with 95 % "
        "intervals. Only lines the kernel represents exactly (as for run --fast).",
    )
    buffers.add_argument("scenario", help="scenario file (YAML), or the name of a shipped example")
    buffers.add_argument("--total", metavar="N", required=True, help="buffer places to share")
    buffers.add_argument(
        "--top", metavar="K", default="3", help="allocations the event engine confirms (3)"
    )
    _common(buffers)

    resources = studies.add_parser(
        "resources",
        help="the cheapest combination of --vary values whose KPI meets --target",
        description="Every combination of the --vary values is a configuration; they are "
        "screened cheapest first (cost: the economics section's annual cost of ownership, or "
        "the purchase price without economics) with Bonferroni-corrected intervals; the first "
        "whose interval lies above (below) the target is chosen. See docs/optimize.md for "
        "the guarantee.",
    )
    resources.add_argument(
        "scenario", help="scenario file (YAML), or the name of a shipped example"
    )
    resources.add_argument(
        "--target",
        metavar="KPI>=V",
        required=True,
        help="the bound to meet, e.g. 'throughput_per_hour>=420' or 'cycle_time_s<=600'",
    )
    resources.add_argument(
        "--vary",
        metavar="PATH=VALUES",
        action="append",
        required=True,
        help="a key and its values, e.g. resources.robot.count=1..6 or "
        "stations.cnc.servers=4,6,8 (repeatable; paths as for sweep --set)",
    )
    resources.add_argument(
        "--alpha",
        metavar="A",
        default="0.05",
        help="error probability of the whole screening (0.05: 95 %% confidence)",
    )
    resources.add_argument(
        "--max-replications",
        metavar="N",
        help="replications per configuration at most (default 8 × the first stage)",
    )
    _common(resources)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--variant", metavar="V", help="optimise variant V of the file (default: its baseline)"
    )
    parser.add_argument(
        "--replications", "-n", metavar="N", help="replications (default: the file's)"
    )
    parser.add_argument("--seed", metavar="S", help="master seed (default: the file's)")
    parser.add_argument(
        "--workers", "-j", metavar="K", help="processes for the event engine (default: all cores)"
    )
    parser.add_argument("--json", metavar="F", help="write the study as JSON to F (- for stdout)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines")


def cmd_optimize(args: argparse.Namespace) -> int:
    """``linelab optimize …``; returns the exit code."""
    if args.study == "buffers":
        return _cmd_buffers(args)
    return _cmd_resources(args)


def _options(args: argparse.Namespace) -> tuple[int | None, int | None, int]:
    from simulator.experiment import default_workers

    replications = (
        None
        if args.replications is None
        else _positive_int(args.replications, "--replications", 100_000)
    )
    seed = None if args.seed is None else _seed(args.seed)
    workers = (
        default_workers()
        if args.workers is None
        else _positive_int(args.workers, "--workers", 4096)
    )
    return replications, seed, workers


def _runner(workers: int, path: str) -> Any:
    """``run(scenario, replications, seed)`` on the event engine, with its errors as bad
    input (a line that cannot run as described, or overloads)."""
    from cells.workstation import RoutingDeadlock
    from simulator.build import LineError
    from simulator.capacity import LineOverloaded
    from simulator.experiment import run_experiment, usable_workers

    def run(scenario: Scenario, replications: int, seed: int) -> ExperimentResult:
        try:
            return run_experiment(
                scenario, replications, seed, workers=usable_workers(workers, replications)
            )
        except (LineError, RoutingDeadlock, LineOverloaded) as exc:
            raise BadInput(f"{path}: {exc}") from None

    return run


def _write_json(target: Any, data: dict[str, object]) -> bool:
    """Write the JSON result; True when it went to standard output."""
    if target is None:
        return False
    from simulator.output import OutputError, json_text, write_files_atomic

    try:
        write_files_atomic({target.given: json_text(data)})
    except OutputError as exc:
        raise _cannot_write("the study", exc) from None
    return bool(target.kind == "stdout")


# --- buffers ---------------------------------------------------------------------------------


def _cmd_buffers(args: argparse.Namespace) -> int:
    import scenarios
    from simulator.fastpath import NotEligible
    from simulator.optimize import SearchTooLarge, optimize_buffers

    replications, seed, workers = _options(args)
    total = _whole(args.total, "--total", 0, 1_000_000)
    top = _positive_int(args.top, "--top", 1000)
    json_target = None if args.json is None else _check_output(args.json, "--json")
    path = _resolve_scenario(args.scenario)
    _check_distinct(path, {"--json": json_target})
    found = scenarios.load_variants(path)
    variant = _pick_variant(path, found, args.variant)
    sc = found.scenarios[variant]
    if replications is not None:
        sc = type(sc).model_validate({**sc.model_dump(), "replications": replications})
    label = f"{path}: optimize buffers" + (f" (variant {variant})" if found.has_variants else "")
    try:
        study = optimize_buffers(sc, total, top=top, seed=seed, run=_runner(workers, path))
    except SearchTooLarge as exc:
        raise BadInput(f"{label}: the search is too large: {exc}") from None
    except NotEligible as exc:
        reason = str(exc).replace(" Run without --fast to use the event engine.", "")
        raise BadInput(
            f"{label}: the line is not one the flow-line kernel represents exactly, so "
            f"buffers cannot be optimised: {reason}"
        ) from None
    data = buffers_json(study, path, variant if found.has_variants else None)
    to_stdout = _write_json(json_target, data)
    return _print_report(buffers_table(study), "the report", stderr=to_stdout)


def _whole(text: str, flag: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadInput(f"{flag} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise BadInput(f"{flag} must be between {low} and {high:,}, got {value}")
    return value


def buffers_table(study: BufferStudy) -> str:
    """The ranked allocations as a table, with the search and the confirmation."""
    from simulator.output import _columns, _pm
    from simulator.textwidth import printable

    sc = study.scenario
    lines = [
        f"optimize buffers: {printable(sc.name)} — {study.total} places over the buffers "
        f"in front of {', '.join(printable(s) for s in study.stations)}",
        f"search: {study.method}, {study.evaluated} allocations on the flow-line kernel, "
        f"{study.replications} replications (seed {study.seed}, common random numbers); "
        "the best confirmed by the event engine (95 % intervals)",
        "",
    ]
    header = [
        "rank",
        *[printable(s) for s in study.stations],
        "kernel/h",
        "DES parts/h",
        "WIP",
        "vs best",
    ]
    rows = [header]
    for rank, c in enumerate(study.candidates, start=1):
        rows.append(
            [
                str(rank),
                *[str(a) for a in c.allocation],
                f"{c.kernel_throughput:,.3f}",
                _pm(c.throughput, decimals=3),
                _pm(c.wip, decimals=2),
                "—" if c.difference is None else _pm(c.difference, decimals=3),
            ]
        )
    aligns = ">" + ">" * len(study.stations) + ">>>>"
    lines += _columns(rows, aligns)
    if not all(c.agrees for c in study.candidates):
        lines.append("warning: the event engine's means differ from the kernel's")
    best = study.candidates[0]
    lines += [
        "",
        "best: "
        + ", ".join(
            f"{printable(s)} {a}" for s, a in zip(study.stations, best.allocation, strict=True)
        ),
    ]
    return "\n".join(lines)


def buffers_json(study: BufferStudy, path: str, variant: str | None) -> dict[str, object]:
    """The study as the JSON result (docs/optimize.md)."""
    from simulator import __version__

    return {
        "linelab": __version__,
        "command": "optimize buffers",
        "scenario": study.scenario.name,
        "scenario_file": path,
        "variant": variant,
        "seed": study.seed,
        "replications": study.replications,
        "total": study.total,
        "stations": list(study.stations),
        "search": study.method,
        "evaluated": study.evaluated,
        "candidates": [
            {
                "buffers": dict(zip(study.stations, c.allocation, strict=True)),
                "kernel": {"throughput_per_hour": c.kernel_throughput, "wip": c.kernel_wip},
                "des": {
                    "throughput_per_hour": c.throughput.to_json(),
                    "wip": c.wip.to_json(),
                    "difference_to_best": None if c.difference is None else c.difference.to_json(),
                },
                "agrees": c.agrees,
            }
            for c in study.candidates
        ],
    }


# --- resources -------------------------------------------------------------------------------


def _cmd_resources(args: argparse.Namespace) -> int:
    from simulator.optimize import (
        TargetUnavailable,
        optimize_resources,
        parse_target,
        stages_of,
    )
    from simulator.overrides import apply_overrides, parse_file, parse_set

    replications, seed, workers = _options(args)
    try:
        target = parse_target(args.target)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    try:
        alpha = float(args.alpha)
    except ValueError:
        raise BadInput(f"--alpha must be a number, got {args.alpha!r}") from None
    if not 0.0 < alpha < 1.0:
        raise BadInput(f"--alpha must be between 0 and 1 (0.05 for 95 %), got {args.alpha}")
    vary: dict[str, list[str]] = {}
    for text in args.vary:
        try:
            key, values = parse_set(text, flag="--vary")
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        if key in vary:
            raise BadInput(f"--vary {text}: {key} is already varied (give its values once)")
        if key.strip() in ("seed", "replications"):
            raise BadInput(
                f"--vary {text}: the screening sets the seed and the replications itself "
                "(common random numbers, stages); use --seed and -n"
            )
        _check_repeats(text, values)
        vary[key] = values
    count = math.prod(len(v) for v in vary.values())
    if count > MAX_CONFIGURATIONS:
        raise BadInput(
            f"--vary: {count:,} combinations; at most {MAX_CONFIGURATIONS:,} (vary fewer keys "
            "or fewer values)"
        )
    json_target = None if args.json is None else _check_output(args.json, "--json")
    path = _resolve_scenario(args.scenario)
    _check_distinct(path, {"--json": json_target})
    parsed = parse_file(_as_path(path))
    import scenarios

    points = [dict(zip(vary, combo, strict=True)) for combo in itertools.product(*vary.values())]
    configurations: list[tuple[dict[str, str], Scenario]] = []
    problems: list[scenarios.Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for point in points:  # every configuration is checked before anything runs
        try:
            sc = apply_overrides(parsed, point, variant=args.variant, flag="--vary")
        except scenarios.ScenarioError as exc:
            for p in exc.problems:
                if (p.line, p.col, p.message) not in seen:
                    seen.add((p.line, p.col, p.message))
                    problems.append(p)
            continue
        configurations.append((point, sc))
    if problems:
        raise scenarios.ScenarioError(sorted(problems, key=lambda p: (p.line, p.col)))
    for _, sc in configurations:
        _check_time_models(path, sc)
    first = configurations[0][1]
    initial = max(2, first.replications if replications is None else replications)
    maximum = (
        8 * initial
        if args.max_replications is None
        else _positive_int(args.max_replications, "--max-replications", 100_000)
    )
    try:
        stages = stages_of(initial, maximum)
    except ValueError as exc:
        raise BadInput(f"--max-replications: {exc}") from None
    quiet = args.quiet or sys.stderr is None or not sys.stderr.isatty()

    def progress(config: Configuration) -> None:
        if not quiet:
            _say(
                f"linelab: {_describe(config.values)}: {config.status} "
                f"({config.replications} replications)"
            )

    try:
        study = optimize_resources(
            configurations,
            target,
            alpha=alpha,
            initial=stages[0],
            max_replications=stages[-1],
            seed=seed,
            run=_runner(workers, path),
            progress=progress,
        )
    except TargetUnavailable as exc:
        raise BadInput(f"{path}: --target {args.target}: {exc}") from None
    variant = args.variant
    data = resources_json(study, path, variant)
    to_stdout = _write_json(json_target, data)
    return _print_report(resources_table(study), "the report", stderr=to_stdout)


def _check_repeats(text: str, values: list[str]) -> None:
    """Refuse a value given twice (``1..3,2``): it would be screened twice and widen every
    interval (the Bonferroni level counts configurations)."""
    from simulator.overrides import parse_value

    seen: dict[str, str] = {}
    for value in values:
        try:
            read = parse_value(value)
            key = f"{type(read).__name__}:{read!r}"
        except ValueError:
            key = value  # reported with its place when the configurations are built
        if key in seen:
            raise BadInput(
                f"--vary {text}: the value {value} is given twice"
                + ("" if seen[key] == value else f" (as {seen[key]})")
            )
        seen[key] = value


def _as_path(path: str) -> Any:
    from pathlib import Path

    return Path(path)


def _describe(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _cost_basis(sc: Scenario) -> tuple[str, str]:
    economics = getattr(sc, "economics", None)
    if economics is None:
        return "investment", ""
    return "annual_cost_of_ownership", economics.currency


def resources_table(study: ResourceStudy) -> str:
    """Every configuration with its cost, interval and verdict, and the one chosen."""
    from simulator.output import _columns
    from simulator.textwidth import printable

    configs = study.configurations
    sc = configs[0].scenario
    basis, currency = _cost_basis(sc)
    cost_label = (
        f"annual cost of ownership ({currency}/year)" if basis != "investment" else "investment"
    )
    keys = list(configs[0].values)
    lines = [
        f"optimize resources: {printable(sc.name)} — target {study.target}, "
        f"{len(configs)} configurations, cheapest first by {cost_label}",
        f"each interval at {100 * study.level:.4g} % (Bonferroni: alpha {study.alpha:g} over "
        f"{len(configs)} configurations × {len(study.stages)} stages of "
        f"{'/'.join(str(s) for s in study.stages)} replications); seed {study.seed}, "
        "common random numbers",
        "",
    ]
    rows = [[*keys, "cost", "reps", f"{study.target.kpi} (interval)", "verdict"]]
    for c in configs:
        interval = "—"
        if c.mean is not None:
            interval = f"{c.mean:,.3f}"
            if c.interval is not None:
                interval += f" [{c.interval[0]:,.3f}, {c.interval[1]:,.3f}]"
        verdict = c.status + ("  ← chosen" if c is study.chosen else "")
        rows.append(
            [
                *[printable(str(c.values[k])) for k in keys],
                f"{c.cost:,.0f}",
                str(c.replications) if c.replications else "—",
                interval,
                verdict,
            ]
        )
    lines += _columns(rows, "<" * len(keys) + ">><<")
    lines.append("")
    if study.chosen is None:
        lines.append(f"no configuration is shown to meet {study.target}")
    else:
        c = study.chosen
        lines.append(
            f"chosen: {_describe(c.values)} (cost {c.cost:,.0f}); meets {study.target} "
            f"with {100 * (1 - study.alpha):g} % confidence for the whole screening"
        )
    undecided = [c for c in configs if c.status == "undecided"]
    if undecided:
        lines.append(
            f"note: {len(undecided)} cheaper configuration(s) stayed undecided at "
            f"{study.stages[-1]} replications (their interval contains the target); "
            "more replications (--max-replications) may decide them"
        )
    return "\n".join(lines)


def resources_json(study: ResourceStudy, path: str, variant: str | None) -> dict[str, object]:
    """The study as the JSON result (docs/optimize.md)."""
    from simulator import __version__

    sc = study.configurations[0].scenario
    basis, currency = _cost_basis(sc)
    chosen = study.chosen
    return {
        "linelab": __version__,
        "command": "optimize resources",
        "scenario": sc.name,
        "scenario_file": path,
        "variant": variant,
        "seed": study.seed,
        "target": {"kpi": study.target.kpi, "op": study.target.op, "value": study.target.value},
        "alpha": study.alpha,
        "level": study.level,
        "stages": list(study.stages),
        "cost": {"basis": basis, "currency": currency or None},
        "configurations": [
            {
                "values": dict(c.values),
                "cost": c.cost,
                "units": c.units,
                "status": c.status,
                "replications": c.replications,
                "mean": c.mean,
                "interval": None if c.interval is None else list(c.interval),
            }
            for c in study.configurations
        ],
        "chosen": None if chosen is None else dict(chosen.values),
    }
