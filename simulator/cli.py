"""The ``linelab`` command: run, validate and describe scenarios headless.

Exit codes (docs/architecture.md): 0 ok, 2 bad input (scenario file or arguments), 1 internal
error or an output that could not be written, 130 Ctrl-C, 143 SIGTERM.
Bad input never prints a traceback and never leaves a result file behind. This module must not
import Qt: the headless command runs on machines without it.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import stat as file_stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

import scenarios
from simulator import __version__

if TYPE_CHECKING:
    from pydantic import ValidationError

    from simulator.output import OutputError, OutputTarget

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
EXIT_OUTPUT = 1
"""The report, a result or the schema could not be written (closed or full standard output,
a full disk): a plain message on stderr, not an internal error."""
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
"""Ctrl-C (SIGINT) and SIGTERM: 128 + the signal number, as a shell reports a killed command."""


class BadInput(Exception):
    """A problem with the command line or the files it names: exit 2 with this message."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors raise :class:`BadInput` instead of exiting from deep inside."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInput(f"{self.prog}: {message}")


def _positive_int(text: str, name: str, upper: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadInput(f"{name} must be a whole number, got {text!r}") from None
    if not 1 <= value <= upper:
        raise BadInput(f"{name} must be between 1 and {upper:,}, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadInput(f"--seed must be a whole number, got {text!r}") from None
    if not 0 <= value <= 2**63 - 1:
        raise BadInput(f"--seed must be between 0 and 2**63-1, got {value}")
    return value


def _check_output(path: str, flag: str) -> OutputTarget:
    """Fail before a long run, not after it: the target must be one LineLab can write.

    A regular or new file: its folder (after resolving symbolic links) must exist and take a
    new file. A character device: it must open for writing (without blocking). A FIFO is
    never opened here (opening and closing it would hand its reader an end of file); it must
    only be writable. Standard output must be open.
    """
    from simulator.output import OutputError, output_target

    try:
        target = output_target(path)
    except OutputError as exc:
        where = f"{flag} {path}" if path else flag
        raise BadInput(f"{where}: {exc.reason}") from None
    if target.kind in ("stdout", "stderr"):
        stream = sys.stdout if target.kind == "stdout" else sys.stderr
        if stream is None:
            name = "standard output" if target.kind == "stdout" else "standard error"
            raise BadInput(f"{flag} {path}: {name} is closed")
        return target
    if target.kind == "stream":
        try:
            if file_stat.S_ISFIFO(os.stat(target.path).st_mode):
                if not os.access(target.path, os.W_OK):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            else:
                flags = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                os.close(os.open(target.path, os.O_WRONLY | flags))
        except OSError as exc:
            raise BadInput(f"{flag} {path}: cannot write: {exc.strerror}") from None
        return target
    folder = os.path.dirname(target.path) or "."
    if not os.path.isdir(folder):
        raise BadInput(f"{flag} {path}: folder {folder!r} does not exist")
    try:  # os.access is not enough: root passes it, read-only file systems do not show
        name = os.path.basename(target.path)
        fd, probe = tempfile.mkstemp(prefix=f".{name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"{flag} {path}: cannot write in {folder!r}: {exc.strerror}") from None
    return target


def _check_distinct(scenario: str, outputs: dict[str, OutputTarget | None]) -> None:
    """No output may overwrite another output or the scenario file itself.

    Two outputs may share a character device other than standard output (``/dev/null``):
    nothing there is overwritten. Standard output takes one result at most, so that what it
    carries can be parsed.
    """
    try:
        st = os.stat(scenario)
        seen: dict[tuple[object, ...], str] = {
            ("inode", st.st_dev, st.st_ino): "the scenario file"
        }
    except OSError:
        seen = {("path", os.path.realpath(scenario)): "the scenario file"}
    for flag, target in outputs.items():
        if target is None:
            continue
        what = seen.get(target.identity)
        if what is not None and (target.kind != "stream" or what == "the scenario file"):
            if target.kind in ("stdout", "stderr"):
                where = "standard output" if target.kind == "stdout" else "standard error"
                raise BadInput(f"{flag} {target.given}: {what} already goes to {where}")
            raise BadInput(f"{flag} {target.given}: would overwrite {what}")
        kind = "file" if target.kind == "file" else "result"
        seen.setdefault(target.identity, f"the {flag} {kind}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``linelab``."""
    parser = _Parser(
        prog="linelab",
        description="Simulate robot cells and CNC production lines described as YAML scenarios.",
        epilog="Exit codes: 0 ok, 2 bad input, 1 internal error or output failure, "
        "130 Ctrl-C, 143 SIGTERM. Docs: docs/scenario-format.md",
    )
    parser.add_argument("--version", action="version", version=f"linelab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="simulate a scenario and print its KPIs")
    run.add_argument("scenario", help="scenario file (YAML), or the name of a shipped example")
    run.add_argument("--replications", "-n", metavar="N", help="replications (overrides the file)")
    run.add_argument("--seed", metavar="S", help="master seed (overrides the file)")
    run.add_argument(
        "--horizon", metavar="D", help="measured time, e.g. '8 h' (overrides the file)"
    )
    run.add_argument(
        "--workers",
        "-j",
        metavar="K",
        help="processes for replications (default: all cores); results never depend on it",
    )
    run.add_argument("--json", metavar="F", help="write the results as JSON to F (- for stdout)")
    run.add_argument("--csv", metavar="F", help="write the statistics as CSV to F (- for stdout)")
    run.add_argument(
        "--report", metavar="F", help="write a self-contained HTML report (charts inline) to F"
    )
    run.add_argument(
        "--fast",
        action="store_true",
        help="use the exact flow-line kernel (serial single-server lines, no wip_cap)",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    run.add_argument(
        "--bottleneck",
        action="store_true",
        help="trace unit states and add the shifting-bottleneck analysis (JSON 'bottleneck')",
    )
    run.add_argument(
        "--variant", metavar="V", help="run variant V of the file (default: its baseline)"
    )

    compare = sub.add_parser(
        "compare",
        help="run every variant on common random numbers and compare them with the baseline",
    )
    compare.add_argument("scenario", help="scenario file (YAML), or the name of a shipped example")
    compare.add_argument("--replications", "-n", metavar="N", help="replications per variant")
    compare.add_argument("--seed", metavar="S", help="master seed, shared by every variant")
    compare.add_argument(
        "--workers", "-j", metavar="K", help="processes for replications (default: all cores)"
    )
    compare.add_argument("--json", metavar="F", help="write the comparison as JSON to F")
    compare.add_argument("--csv", metavar="F", help="write the comparison as CSV to F")
    compare.add_argument(
        "--report", metavar="F", help="write a self-contained HTML report (charts inline) to F"
    )

    validate = sub.add_parser("validate", help="check a scenario file and report every problem")
    validate.add_argument("scenario", help="scenario file (YAML)")

    schema = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--output", "-o", metavar="F", help="write it to F instead of stdout")

    sub.add_parser("examples", help="list the shipped example scenarios")
    from simulator.cli_lesson import add_parser as add_lesson_parser
    from simulator.cli_optimize import add_parsers as add_optimize_parsers
    from simulator.cli_sweep import add_parsers as add_sweep_parsers

    add_sweep_parsers(sub)
    add_optimize_parsers(sub)
    add_lesson_parser(sub)
    return parser


def _resolve_scenario(name: str) -> str:
    """A path as given, or the path of a shipped example when only its name is given."""
    if os.path.exists(name) or os.sep in name or name.endswith((".yaml", ".yml")):
        return name
    if name in scenarios.list_examples():
        return str(scenarios.example_path(name))
    raise BadInput(
        f"{name}:1:1: no such file, and no shipped example of that name "
        "(see 'linelab examples')"
    )


def _has_time_model(sc: scenarios.Scenario) -> bool:
    """Does any process time of ``sc`` come from a time model (cheap: no kernels loaded)?"""
    times: list[object] = []
    for station in sc.stations:
        times.append(station.process)
        tending = getattr(station, "tending", None)
        if tending is not None:
            times.append(tending.time)
    for product in getattr(sc, "products", None) or ():
        times += list((getattr(product, "process", None) or {}).values())
    return any(scenarios.is_time_model(t) for t in times)


def _check_time_models(path: str, sc: scenarios.Scenario) -> None:
    """Refuse a time model that validates but cannot be computed (a waypoint out of reach, a
    joint out of range) before time 0, at its ``file:line:col`` (:class:`ScenarioError`)."""
    if not _has_time_model(sc):
        return
    from cells.time_models import check_time_models

    problems = check_time_models(sc)
    if not problems:
        return
    from scenarios.yamlsafe import format_path, read_yaml

    try:
        with open(path, encoding="utf-8-sig") as handle:
            positions = read_yaml(handle.read(), path).positions
    except (OSError, ValueError, scenarios.ScenarioError):
        positions = {}
    found = []
    for at, message in problems:
        known = next((at[:n] for n in range(len(at), 0, -1) if at[:n] in positions), ())
        pos = positions.get(known)
        line, col = (1, 1) if pos is None else (pos.line, pos.col)
        found.append(scenarios.Problem(path, line, col, format_path(at), message))
    raise scenarios.ScenarioError(found)


def _cmd_validate(args: argparse.Namespace) -> int:
    path = _resolve_scenario(args.scenario)
    found = scenarios.load_variants(path)
    for variant in found.scenarios.values():
        _check_time_models(path, variant)
    sc = found.scenarios[found.baseline]
    from simulator.textwidth import printable

    verdict = f"{printable(path)}: ok — '{printable(sc.name)}', {len(sc.stations)} station(s)"
    if found.has_variants:
        verdict += f", variants: {', '.join(printable(v) for v in found.scenarios)}"
        verdict += f" (baseline {printable(found.baseline)})"
    return _print_report(verdict, "the verdict")


def _pick_variant(path: str, found: object, variant: str | None) -> str:
    """The variant to run: ``variant`` if the file has it (else exit 2), or the baseline."""
    from scenarios.variants import VariantSet

    assert isinstance(found, VariantSet)
    if variant is None:
        return found.baseline
    if not found.has_variants:
        raise BadInput(f"{path}:1:1: --variant {variant}: the file has no 'variants'")
    if variant not in found.scenarios:
        raise BadInput(
            f"{path}:1:1: --variant: no variant {variant!r} "
            f"(variants: {', '.join(found.scenarios)})"
        )
    return variant


def _cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(scenarios.json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        return _print_report(text, "the schema", end="")
    from simulator.output import OutputError, write_atomic

    target = _check_output(args.output, "--output")
    try:
        write_atomic(target.given, text)
    except OutputError as exc:
        raise _cannot_write("the schema", exc) from None
    return EXIT_OK


def _cmd_examples(_args: argparse.Namespace) -> int:
    listing = "\n".join(
        f"{name:<28}{scenarios.example_path(name)}" for name in scenarios.list_examples()
    )
    return _print_report(listing, "the list of examples")


def _run_options(args: argparse.Namespace) -> tuple[int | None, int | None, int]:
    """``--replications``, ``--seed`` and ``--workers`` of ``run`` and ``compare``, checked
    (None: as the file says; workers default to all cores)."""
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


def _output_options(
    args: argparse.Namespace,
) -> tuple[OutputTarget | None, OutputTarget | None, OutputTarget | None]:
    """``--json``, ``--csv`` and ``--report`` of ``run`` and ``compare``, checked before the
    run (None where not given)."""

    def check(flag: str) -> OutputTarget | None:
        given = getattr(args, flag)
        return None if given is None else _check_output(given, f"--{flag}")

    return check("json"), check("csv"), check("report")


def _cmd_run(args: argparse.Namespace) -> int:
    from cells.workstation import RoutingDeadlock
    from simulator.build import LineError
    from simulator.capacity import LineOverloaded
    from simulator.experiment import default_workers, run_experiment, usable_workers
    from simulator.output import (
        OutputError,
        json_text,
        kpi_table,
        result_to_csv,
        result_to_json,
        write_files_atomic,
    )

    replications, seed, workers = _run_options(args)
    json_target, csv_target, report_target = _output_options(args)
    horizon = None
    if args.horizon is not None:
        try:
            horizon = scenarios.parse_duration(args.horizon)
        except ValueError as exc:
            raise BadInput(f"--horizon: {exc}") from None
        if not 0 < horizon <= 1e9:
            raise BadInput(f"--horizon must be > 0 and at most 1e9 s, got {args.horizon!r}")

    path = _resolve_scenario(args.scenario)
    _check_distinct(
        path, {"--json": json_target, "--csv": csv_target, "--report": report_target}
    )
    found = scenarios.load_variants(path)
    variant = _pick_variant(path, found, args.variant)
    sc = found.scenarios[variant]
    updates: dict[str, object] = {}
    if replications is not None:
        updates["replications"] = replications
    if seed is not None:
        updates["seed"] = seed
    if horizon is not None:
        updates["horizon"] = horizon
    if updates:
        from pydantic import ValidationError

        try:
            sc = type(sc).model_validate({**sc.model_dump(), **updates})
        except ValidationError as exc:  # an override broke a bound of the format
            raise BadInput(_override_problems(exc, updates, path, sc)) from None
    _check_time_models(path, sc)
    if not args.fast and args.workers is not None:
        used = usable_workers(workers, sc.replications)
        cores = default_workers()
        if workers > cores:
            _say(
                f"linelab: note: --workers {workers} is more than the {cores} core"
                f"{'s' if cores != 1 else ''} of this machine; using {used}"
            )
        workers = used

    show_progress = (
        not args.quiet
        and sys.stderr is not None
        and sys.stderr.isatty()
        and sc.replications > 1
    )
    bar = None
    if show_progress:
        from tqdm import tqdm

        from simulator.textwidth import printable

        bar = tqdm(
            total=sc.replications,
            unit="rep",
            desc=printable(sc.name),
            file=sys.stderr,
            leave=False,
        )

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    try:
        if args.fast and args.bottleneck:
            raise BadInput(
                "linelab run: --fast and --bottleneck cannot be combined "
                "(the flow-line kernel keeps no state trace)"
            )
        if args.fast:
            from simulator.fastpath import NotEligible, run_fast

            try:
                result = run_fast(sc)
            except NotEligible as exc:
                raise BadInput(f"{path}: --fast cannot run this scenario: {exc}") from None
        else:
            from simulator.bottleneck import DEFAULT_TRACE_LIMIT

            traced = {"trace_limit": DEFAULT_TRACE_LIMIT} if args.bottleneck else {}
            result = run_experiment(sc, workers=workers, progress=progress, **traced)
    except (LineError, RoutingDeadlock) as exc:  # the line cannot run as described
        raise BadInput(f"{path}: {exc}") from None
    except LineOverloaded as exc:  # the runtime guard: stopped before memory ran out
        raise BadInput(f"{path}: {exc}") from None
    finally:
        if bar is not None:
            bar.close()
    if found.has_variants:
        import dataclasses

        result = dataclasses.replace(result, variant=variant)

    files: dict[str, str] = {}
    if json_target is not None:
        files[json_target.given] = json_text(result_to_json(result, scenario_file=path))
    if csv_target is not None:
        files[csv_target.given] = result_to_csv(result)
    if report_target is not None:
        from simulator.report import result_report

        files[report_target.given] = result_report(result, scenario_file=path)
    # When a result goes to stdout, stdout carries only that result: the table goes to stderr.
    to_stdout = any(
        t is not None and t.kind == "stdout" for t in (json_target, csv_target, report_target)
    )
    try:  # before printing: a closed or full stdout must not lose the results
        write_files_atomic(files)
    except OutputError as exc:
        raise _cannot_write("the results", exc) from None
    except BrokenPipeError:  # `--json - | head`: a reader stopped early; the files are written
        if to_stdout:
            _quiet_stdout()
    report = kpi_table(result)
    if result.bottleneck is not None:
        from simulator.bottleneck import ranking_line

        report += "\n" + ranking_line(result.bottleneck)
    return _print_report(report, "the report", stderr=to_stdout)


def _cmd_compare(args: argparse.Namespace) -> int:
    from cells.workstation import RoutingDeadlock
    from simulator.build import LineError
    from simulator.capacity import LineOverloaded
    from simulator.compare import (
        comparison_table,
        comparison_to_csv,
        comparison_to_json,
        run_comparison,
    )
    from simulator.experiment import usable_workers
    from simulator.output import OutputError, json_text, write_files_atomic

    replications, seed, workers = _run_options(args)
    json_target, csv_target, report_target = _output_options(args)
    path = _resolve_scenario(args.scenario)
    _check_distinct(
        path, {"--json": json_target, "--csv": csv_target, "--report": report_target}
    )
    found = scenarios.load_variants(path)
    for variant in found.scenarios.values():
        _check_time_models(path, variant)
    base = found.scenarios[found.baseline]
    workers = usable_workers(workers, base.replications if replications is None else replications)
    try:
        comparison = run_comparison(found, replications, seed, workers)
    except (LineError, RoutingDeadlock, LineOverloaded) as exc:
        raise BadInput(f"{path}: {exc}") from None

    files: dict[str, str] = {}
    if json_target is not None:
        files[json_target.given] = json_text(comparison_to_json(comparison, scenario_file=path))
    if csv_target is not None:
        files[csv_target.given] = comparison_to_csv(comparison)
    if report_target is not None:
        from simulator.report import comparison_report

        files[report_target.given] = comparison_report(comparison, scenario_file=path)
    to_stdout = any(
        t is not None and t.kind == "stdout" for t in (json_target, csv_target, report_target)
    )
    try:
        write_files_atomic(files)
    except OutputError as exc:
        raise _cannot_write("the comparison", exc) from None
    except BrokenPipeError:
        if to_stdout:
            _quiet_stdout()
    return _print_report(comparison_table(comparison), "the report", stderr=to_stdout)


def _override_problems(
    exc: ValidationError, updates: dict[str, object], path: str, sc: scenarios.Scenario
) -> str:
    """Pydantic's errors for a scenario with command-line overrides, as ``--flag: message``.

    The scenario file was valid before the overrides, so each problem is put on the flag that
    changed the key it is about (``--horizon`` for ``warmup + horizon > 1e9 s``).
    """
    lines = []
    for error in exc.errors(include_url=False):
        ctx = error.get("ctx") or {}
        loc = tuple(error["loc"]) + tuple(ctx.get("at", ()))
        message = str(ctx.get("message", error["msg"]))
        key = str(loc[0]) if loc else ""
        if key in updates:
            if key == "horizon" and sc.warmup > 0 and "warmup" in message:
                message += f" (the warm-up in {path} is {sc.warmup:g} s)"
            lines.append(f"--{key}: {message}")
        else:
            where = ".".join(str(part) for part in loc) or "scenario"
            flags = ", ".join(f"--{changed}" for changed in updates)
            lines.append(f"{path}: {where}: {message} (with {flags} from the command line)")
    return "\n".join(lines) or f"{path}: the command-line overrides make it invalid"


class OutputFailed(Exception):
    """A result, report or schema could not be written (closed or full output, no space):
    exit 1 with this message. Not an internal error: nothing to report."""


def _cannot_write(what: str, exc: OutputError) -> OutputFailed:
    where = "standard output" if exc.path == "-" else exc.path
    return OutputFailed(f"linelab: cannot write {what}: {where}: {exc.reason}")


def _quiet_stdout() -> None:
    """Point fd 1 at /dev/null so that the interpreter's exit flush of a broken or full
    stdout does not print ``Exception ignored`` (the buffered text cannot be delivered)."""
    with suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


def _print_report(text: str, what: str, *, stderr: bool = False, end: str = "\n") -> int:
    """Print ``text`` to stdout (or stderr); return the exit code.

    A reader that went away (``| head``) is not an error: exit 0. A closed stdout (``>&-``)
    or one that fails (``> /dev/full``) is said plainly on stderr, exit 1; result files are
    written before this, so they are not lost.
    """
    stream = sys.stderr if stderr else sys.stdout
    name = "standard error" if stderr else "standard output"
    if stream is None:
        _say(f"linelab: cannot print {what}: {name} is closed")
        return EXIT_OUTPUT
    try:
        stream.write(text + end)
        stream.flush()
    except BrokenPipeError:
        if not stderr:
            _quiet_stdout()
        return EXIT_OK
    except (OSError, ValueError) as exc:  # ValueError: the stream object was closed
        if not stderr:
            _quiet_stdout()
        reason = "is closed" if isinstance(exc, ValueError) else _reason(exc)
        _say(f"linelab: cannot print {what}: {name}: {reason}")
        return EXIT_OUTPUT
    return EXIT_OK


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EBADF:
        return "is closed"
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _say(message: str) -> None:
    """A line on stderr, if there is a stderr."""
    if sys.stderr is not None:
        with suppress(OSError, ValueError):
            print(message, file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop exactly as for Ctrl-C (worker processes are stopped, nothing is
    written), then exit 143 (128 + 15)."""


@contextmanager
def _sigterm_stops_like_ctrl_c() -> Iterator[None]:
    """While the command runs, SIGTERM raises :class:`Terminated` in the main thread, so that
    the same cleanup as for Ctrl-C runs (the process pool is shut down, its workers are
    terminated, temporary files are removed). A second SIGTERM during that cleanup is
    ignored. Outside the main thread (an embedding program) nothing is changed."""

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread of the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cmd_lesson(args: argparse.Namespace) -> int:
    """``linelab lesson ...`` (simulator/cli_lesson.py); its usage errors exit 2 here."""
    from simulator.cli_lesson import LessonUsageError, cmd_lesson

    try:
        return cmd_lesson(args)
    except LessonUsageError as exc:
        raise BadInput(str(exc)) from None


COMMANDS = {
    "run": _cmd_run,
    "compare": _cmd_compare,
    "validate": _cmd_validate,
    "schema": _cmd_schema,
    "examples": _cmd_examples,
    "sweep": lambda args: _command("simulator.cli_sweep", "cmd_sweep")(args),
    "results": lambda args: _command("simulator.cli_sweep", "cmd_results")(args),
    "optimize": lambda args: _command("simulator.cli_optimize", "cmd_optimize")(args),
    "lesson": _cmd_lesson,
}


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A command that lives in its own module (``simulator.cli_sweep``), imported when run."""
    import importlib

    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linelab``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_BAD_INPUT
        with _sigterm_stops_like_ctrl_c():
            return COMMANDS[args.command](args)
    except scenarios.ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BadInput as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputFailed as exc:
        _say(str(exc))
        return EXIT_OUTPUT
    except Terminated:
        _say("linelab: terminated")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _say("linelab: interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # internal error: one line, traceback only on request
        if os.environ.get("LINELAB_DEBUG"):
            traceback.print_exc()
        print(
            f"linelab: internal error: {type(exc).__name__}: {exc} "
            "(set LINELAB_DEBUG=1 for a traceback and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry_point() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":
    # `python -m simulator.cli`: run the importable module, not this `__main__` copy, so the
    # command modules (simulator.cli_sweep, ...) raise the very BadInput that main() catches.
    from simulator.cli import entry_point as _entry_point

    _entry_point()
