"""The ``linelab`` command: run, validate and describe scenarios headless.

Exit codes (DESIGN.md): 0 ok, 2 bad input (scenario file or arguments), 1 internal error.
Bad input never prints a traceback and never leaves a result file behind. This module must not
import Qt: the headless command runs on machines without it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

import scenarios
from simulator import __version__

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


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


def _check_output(path: str, flag: str) -> str:
    """Fail before a long run, not after it: the folder must exist and take a new file."""
    target = Path(path)
    if target.is_dir():
        raise BadInput(f"{flag} {path}: is a directory")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"{flag} {path}: folder {str(folder)!r} does not exist")
    try:  # os.access is not enough: root passes it, read-only file systems do not show
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"{flag} {path}: cannot write in {str(folder)!r}: {exc.strerror}") from None
    return path


def _check_distinct(scenario: str, outputs: dict[str, str | None]) -> None:
    """No output may overwrite another output or the scenario file itself."""
    seen: dict[str, str] = {os.path.realpath(scenario): "the scenario file"}
    for flag, path in outputs.items():
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise BadInput(f"{flag} {path}: would overwrite {seen[real]}")
        seen[real] = f"the {flag} file"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``linelab``."""
    parser = _Parser(
        prog="linelab",
        description="Simulate robot cells and CNC production lines described as YAML scenarios.",
        epilog="Exit codes: 0 ok, 2 bad input, 1 internal error. Docs: docs/scenario-format.md",
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
    run.add_argument("--json", metavar="F", help="write the results as JSON to F")
    run.add_argument("--csv", metavar="F", help="write the statistics as CSV to F")
    run.add_argument(
        "--fast",
        action="store_true",
        help="use the exact flow-line kernel (serial single-server lines, no wip_cap)",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    validate = sub.add_parser("validate", help="check a scenario file and report every problem")
    validate.add_argument("scenario", help="scenario file (YAML)")

    schema = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--output", "-o", metavar="F", help="write it to F instead of stdout")

    sub.add_parser("examples", help="list the shipped example scenarios")
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


def _cmd_validate(args: argparse.Namespace) -> int:
    path = _resolve_scenario(args.scenario)
    sc = scenarios.load(path)
    print(f"{path}: ok — '{sc.name}', {len(sc.stations)} station(s)")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(scenarios.json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from simulator.output import write_atomic

        write_atomic(_check_output(args.output, "--output"), text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_examples(_args: argparse.Namespace) -> int:
    for name in scenarios.list_examples():
        print(f"{name:<28}{scenarios.example_path(name)}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from cells.workstation import RoutingDeadlock
    from simulator.build import LineError
    from simulator.experiment import default_workers, run_experiment
    from simulator.output import (
        json_text,
        kpi_table,
        result_to_csv,
        result_to_json,
        write_files_atomic,
    )

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
    json_path = None if args.json is None else _check_output(args.json, "--json")
    csv_path = None if args.csv is None else _check_output(args.csv, "--csv")
    horizon = None
    if args.horizon is not None:
        try:
            horizon = scenarios.parse_duration(args.horizon)
        except ValueError as exc:
            raise BadInput(f"--horizon: {exc}") from None
        if not 0 < horizon <= 1e9:
            raise BadInput(f"--horizon must be > 0 and at most 1e9 s, got {args.horizon!r}")

    path = _resolve_scenario(args.scenario)
    _check_distinct(path, {"--json": json_path, "--csv": csv_path})
    sc = scenarios.load(path)
    updates: dict[str, object] = {}
    if replications is not None:
        updates["replications"] = replications
    if seed is not None:
        updates["seed"] = seed
    if horizon is not None:
        updates["horizon"] = horizon
    if updates:
        try:
            sc = type(sc).model_validate({**sc.model_dump(), **updates})
        except ValueError as exc:  # pydantic's ValidationError: an override broke a bound
            first = str(exc).splitlines()[-2:] if str(exc) else ["invalid override"]
            raise BadInput(f"{path}: with the overrides given: {' '.join(first).strip()}") from None

    show_progress = not args.quiet and sys.stderr.isatty() and sc.replications > 1
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(total=sc.replications, unit="rep", desc=sc.name, file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    try:
        if args.fast:
            from simulator.fastpath import NotEligible, run_fast

            try:
                result = run_fast(sc)
            except NotEligible as exc:
                raise BadInput(f"{path}: --fast cannot run this scenario: {exc}") from None
        else:
            result = run_experiment(sc, workers=workers, progress=progress)
    except (LineError, RoutingDeadlock) as exc:  # the line cannot run as described
        raise BadInput(f"{path}: {exc}") from None
    finally:
        if bar is not None:
            bar.close()

    files: dict[str, str] = {}
    if json_path is not None:
        files[json_path] = json_text(result_to_json(result, scenario_file=path))
    if csv_path is not None:
        files[csv_path] = result_to_csv(result)
    write_files_atomic(files)  # before printing: a closed stdout must not lose the results
    _print_report(kpi_table(result))
    return EXIT_OK


def _print_report(text: str) -> None:
    """Print to stdout; a reader that went away (``| head``) is not an error."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's exit flush is quiet


COMMANDS = {
    "run": _cmd_run,
    "validate": _cmd_validate,
    "schema": _cmd_schema,
    "examples": _cmd_examples,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linelab``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_BAD_INPUT
        return COMMANDS[args.command](args)
    except scenarios.ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BadInput as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("linelab: interrupted", file=sys.stderr)
        return 130
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
    entry_point()
