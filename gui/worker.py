"""Runs and comparisons off the GUI thread, so the window never freezes.

Where the work happens: the engine is pure Python, so a simulation in a thread of the GUI's
process would hold the GIL most of the time and every slot of the GUI thread would wait for it
(measured here: 10 ms timer gaps of 150-250 ms during a run). So the simulation runs in an
**engine process** (``multiprocessing``, started with ``spawn``: safe beside Qt's threads),
one per :class:`RunController`, started at the first job and kept for the next ones; the GUI
process only receives its messages. A :class:`QThread` per job (references kept until it has
finished: a ``QThread`` collected while running aborts the process) sends the request and
turns the engine's messages into queued signals: ``progress(done, total)`` in replications,
``snapshot`` (a :class:`simulator.model.Snapshot` of replication 0, for the layout view and
the live charts), ``result`` (an :class:`~simulator.experiment.ExperimentResult`),
``comparison`` (a :class:`~simulator.compare.Comparison`), ``checked`` (a lesson's
:class:`~simulator.lesson.CheckResult`), ``failed(message)`` and ``cancelled()``.

How a run is done (the same engine calls as ``linelab run``, so the numbers are the same):
every replication is a :class:`~simulator.session.RunSession` advanced in :data:`CHUNKS`
chunks of simulated time; between two chunks the engine checks the cancel flag (a
``multiprocessing.Event``), so Cancel takes effect within one chunk, not at the end of a
replication. Replication 0 is streamed as one snapshot per chunk; then the replications are
summarised with :func:`~simulator.experiment.summarise_replications`, exactly as
:func:`~simulator.experiment.run_experiment` does. A comparison is
:func:`~simulator.compare.run_comparison` with the same cancellable runner. A lesson's check
(the Training tab) is :func:`~simulator.lesson.check_lesson`, cancellable between
replications (in a thread of the GUI's process a check delayed the window's 10 ms timer by up
to 142 ms, 62 ms of it the GIL and the check's own work, on a loaded machine).

Snapshots do not flood the event loop: the job thread puts each one in a queue and posts one
"snapshots ready" event only when the queue was empty, so at most one such event waits in the
GUI thread at any time; the GUI thread hands queued snapshots to the views for at most
:data:`DRAIN_BUDGET_S`, at most once per :data:`DRAIN_INTERVAL_S`, so the views repaint at a
bounded rate and the other events (timers, paint, input) always get their turn. Every
snapshot is delivered, in order, and the outcome (result, failure, cancel) only after the
last one, so the live view and its replay are the same on any machine.

Failures never end the app: an exception in the engine comes back as ``failed`` with the
command line's wording for bad input (``LineError``, ``LineOverloaded`` ...) and
"Internal error: ..." otherwise; an engine process that dies (killed, out of memory) is
reported the same way and a new one is started for the next job.

:meth:`RunController.warm_up` starts the engine process at app start and makes it import the
engine and load the numba kernels' machine code (seconds on the first call) by building the
open scenario, so the first run starts at once.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import multiprocessing
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import QObject, QThread, QTimer, pyqtSignal
from PyQt6.QtWidgets import QApplication, QMessageBox, QWidget

from gui.i18n import tr

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from multiprocessing.synchronize import Event

    from scenarios import Scenario
    from scenarios.variants import VariantSet
    from simulator.experiment import ExperimentResult
    from simulator.results import Replication

__all__ = [
    "CHUNKS",
    "DRAIN_BUDGET_S",
    "Cancelled",
    "RunController",
    "install_excepthook",
    "serve",
    "write_report",
]

CHUNKS = 400
"""Chunks of simulated time per replication: the cancel check and the snapshot grid."""

DRAIN_BUDGET_S = 0.010
"""Longest the GUI thread spends handing queued snapshots to the views in one go (s)."""

DRAIN_INTERVAL_S = 0.030
"""Shortest time between two such turns (s): the views repaint at most ~33 times a second
while snapshots stream in, and the event loop has time for input and timers in between."""

BACKGROUND_KINDS = frozenset({"warm-up", "report"})
"""Jobs that do not make the controller busy (they queue behind a run on the engine)."""

REPORT_GRACE_MS = 60_000
"""At exit, how long a report being written may take to finish before its engine is ended
(ms; the file is then untouched: it is written atomically)."""

POLL_S = 0.1
"""How often a job thread checks that the engine process is still alive (s)."""

BAD_INPUT_ERRORS = frozenset(
    {
        "ScenarioError", "LineError", "RoutingDeadlock", "LineOverloaded", "LessonError",
        "ReportWriteError",
    }
)
"""Exceptions that mean "the line cannot run as described": their message is shown as is,
as ``linelab run`` prints it; any other exception is an internal error."""


class Cancelled(Exception):
    """The user cancelled the job (raised inside the engine at the next chunk)."""


# -- the engine process -------------------------------------------------------------------


class _Reporter:
    """What a job in the engine process uses to talk to the GUI process."""

    def __init__(self, conn: Connection, cancel: Event) -> None:
        self.conn, self.cancel = conn, cancel

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled

    def progress(self, done: int, total: int) -> None:
        self.conn.send(("progress", (done, total)))

    def snapshot(self, snapshot: object) -> None:
        self.conn.send(("snapshot", snapshot))


def _replication(
    report: _Reporter,
    scenario: Scenario,
    index: int,
    seed: int,
    trace_limit: int | None,
    stream: bool,
) -> Replication:
    """Replication ``index`` advanced in :data:`CHUNKS` chunks, cancellable between them."""
    from simulator.session import RunSession

    session = RunSession(scenario, index, seed, trace_limit=trace_limit)
    report.check()
    step = session.end / CHUNKS
    while not session.finished:
        snapshot = session.advance(step)  # never past the end
        report.check()
        if stream:
            report.snapshot(snapshot)
    return session.result()


def _experiment(
    report: _Reporter,
    scenario: Scenario,
    replications: int,
    seed: int,
    *,
    stream: bool,
    trace_limit: int | None = None,
    done_before: int = 0,
    total: int | None = None,
) -> ExperimentResult:
    """``replications`` replications of ``scenario`` summarised like ``run_experiment``."""
    from simulator.experiment import summarise_replications

    total = replications if total is None else total
    results = []
    for i in range(replications):
        results.append(
            _replication(report, scenario, i, seed, trace_limit, stream=stream and i == 0)
        )
        report.progress(done_before + i + 1, total)
    return summarise_replications(scenario, seed, results)


def run_job(report: _Reporter, scenario: Scenario, replications: int, seed: int) -> object:
    """Run: replication 0 streamed as snapshots, then the statistics of all."""
    report.progress(0, replications)
    return _experiment(report, scenario, replications, seed, stream=True)


def compare_job(
    report: _Reporter, found: VariantSet, replications: int | None, seed: int | None
) -> object:
    """Every variant on common random numbers, with the bottleneck trace (as ``compare``)."""
    from simulator.bottleneck import DEFAULT_TRACE_LIMIT
    from simulator.compare import run_comparison

    base = found.scenarios[found.baseline]
    n = base.replications if replications is None else replications
    total = n * len(found.scenarios)
    report.progress(0, total)
    done = [0]

    def runner(sc: Scenario, reps: int, s: int, _workers: int) -> ExperimentResult:
        out = _experiment(
            report, sc, reps, s, stream=False, trace_limit=DEFAULT_TRACE_LIMIT,
            done_before=done[0], total=total,
        )
        done[0] += reps
        return out

    return run_comparison(found, n, seed, 1, run=runner)


def lesson_job(report: _Reporter, folder: str, text: str, filename: str) -> object:
    """A lesson's check (:func:`simulator.lesson.check_lesson`) on the scenario ``text``: the
    lesson is read again from ``folder`` here, progress is reported per replication and
    Cancel takes effect at the next one."""
    from scenarios.lessons import load_lesson_dir
    from simulator.lesson import check_lesson

    def progress(done: int, total: int) -> None:
        report.check()
        report.progress(done, total)

    report.check()
    return check_lesson(load_lesson_dir(folder), text, filename, progress)


class ReportWriteError(Exception):
    """The report's file could not be written (shown as is, like bad input)."""


def write_report(
    comparison: object, scenario_file: str | None, path: str | os.PathLike[str]
) -> Path:
    """Write the HTML report of ``comparison`` (:func:`simulator.report.comparison_report`,
    which re-runs replication 0 of every variant for its time charts) to ``path``,
    atomically: a temporary file in the same folder renamed over the target, never a
    half-written report. No Qt: it runs in the engine process (or any thread)."""
    import tempfile

    from simulator.report import comparison_report

    target = Path(path)
    html = comparison_report(comparison, scenario_file)  # type: ignore[arg-type]
    fd, tmp = tempfile.mkstemp(suffix=".html", prefix=".linelab-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(html)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def report_job(
    report: _Reporter, comparison: object, scenario_file: str | None, path: str
) -> object:
    """The HTML report of a comparison written to ``path`` (the report's own replications
    would hold the GUI process's GIL for ~0.1-0.25 s at a time); the path written."""
    try:
        return str(write_report(comparison, scenario_file, path))
    except OSError as exc:
        raise ReportWriteError(f"{path}: {exc.strerror or exc}") from exc


def warm_up_job(report: _Reporter, scenario: Scenario | None) -> object:
    """Import the engine and load the kernels' machine code by building ``scenario`` and
    simulating a minute of it (what the first run would otherwise wait for)."""
    from simulator.session import RunSession

    for module in ("simulator.compare", "simulator.report"):  # the imports are the slow part
        importlib.import_module(module)

    if scenario is not None:
        session = RunSession(scenario, 0, scenario.seed)
        session.advance(min(60.0, session.end))
    return None


JOBS: dict[str, Callable[..., object]] = {
    "run": run_job,
    "compare": compare_job,
    "lesson": lesson_job,
    "warm-up": warm_up_job,
    "report": report_job,
}
"""What the engine process can be asked to do: kind -> function(reporter, *args)."""


ENGINE_NICENESS = 10
"""The engine process runs at a lower CPU priority (POSIX ``nice``): on a busy machine the
scheduler then gives the GUI thread the processor as soon as it has work, and the simulation
takes what is left (on an idle machine it still gets a whole core)."""


def engine_main(conn: Connection, cancel: Event) -> None:
    """The engine process: serve jobs from ``conn`` until told to stop or the pipe closes."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(ENGINE_NICENESS)
    serve(conn, cancel)


def serve(conn: Connection, cancel: Event) -> None:
    """Answer job requests ``(kind, args)`` from ``conn`` with messages until ``("stop", _)``
    or the pipe closes: ``progress``/``snapshot`` while a job runs, then one of ``done``,
    ``cancelled``, ``failed`` (``("bad-input" | "internal", text)``)."""
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        kind, args = request
        if kind == "stop":
            return
        report = _Reporter(conn, cancel)
        try:
            out = JOBS[kind](report, *args)
        except Cancelled:
            reply: tuple[str, object] = ("cancelled", None)
        except Exception as exc:  # reported to the GUI, which shows it
            name = type(exc).__name__
            if name in BAD_INPUT_ERRORS:
                reply = ("failed", ("bad-input", str(exc)))
            else:
                traceback.print_exc()
                reply = ("failed", ("internal", f"{name}: {exc}"))
        else:
            reply = ("done", out)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Engine:
    """The engine process of one controller, started on first use, restarted if it died.

    ``lock`` is held by the job thread talking to the process (one conversation at a time)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._start_lock = threading.Lock()
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.cancel: Event | None = None

    def ensure_started(self) -> tuple[Connection, Event, BaseProcess]:
        with self._start_lock:
            if self.process is None or not self.process.is_alive():
                self._close()
                context = multiprocessing.get_context("spawn")
                parent_end, child_end = context.Pipe()
                cancel = context.Event()
                process = context.Process(
                    target=engine_main, args=(child_end, cancel), daemon=True,
                    name="linelab-engine",
                )
                process.start()
                child_end.close()
                self.process, self.conn, self.cancel = process, parent_end, cancel
            assert self.conn is not None and self.cancel is not None
            return self.conn, self.cancel, self.process

    def request_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.set()

    def kill(self) -> None:
        """End the process now (its job thread then sees it gone)."""
        process = self.process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(5.0)

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = self.cancel = None

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the process to end, then make sure it has (at exit)."""
        with self._start_lock:
            process, conn = self.process, self.conn
            if process is None or conn is None:
                return
            with contextlib.suppress(OSError, ValueError):
                conn.send(("stop", None))
            process.join(timeout_s)
            if process.is_alive():
                process.terminate()
                process.join(timeout_s)
            self._close()


# -- the GUI process ----------------------------------------------------------------------


class _Job(QThread):
    """One job: sends the request to the engine and relays its messages as signals."""

    progress = pyqtSignal(int, int)
    snapshots_ready = pyqtSignal()
    done = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()

    def __init__(self, kind: str, args: tuple[Any, ...], engine: _Engine, parent: QObject):
        super().__init__(parent)
        self.kind, self.args, self.engine = kind, args, engine
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._snapshots: collections.deque[object] = collections.deque()
        self.outcome: tuple[str, object] | None = None
        """Set by the GUI thread when the job's outcome is known but snapshots still wait."""
        self.last_drain = 0.0
        self.drain_scheduled = False
        """GUI-thread bookkeeping of :meth:`RunController._drain`."""
        self._sent = False
        """Has the request reached the engine (job thread)?"""

    def cancel(self) -> None:
        self._cancel.set()
        self.engine.request_cancel()

    def put_snapshot(self, snapshot: object) -> None:
        """Queue ``snapshot`` for the GUI; post an event only when the queue was empty, so
        that at most one waits in the GUI's event queue."""
        with self._lock:
            was_empty = not self._snapshots
            self._snapshots.append(snapshot)
        if was_empty:
            self.snapshots_ready.emit()

    def take_snapshot(self) -> object | None:
        """The oldest queued snapshot, or ``None`` (GUI thread)."""
        with self._lock:
            return self._snapshots.popleft() if self._snapshots else None

    def run(self) -> None:
        """Every way out sends exactly one outcome (done, failed or cancelled), so the
        controller always goes back to idle: a dead engine is reported as such, anything
        else (a request or answer that cannot be pickled, ``process.start()`` failing, out
        of memory) as an internal error. If the request had been sent, the engine may still
        be working on it or have a half-read answer in the pipe: it is ended, and the next
        job starts a new one."""
        self._sent = False
        with self.engine.lock:
            try:
                self._converse()
            except (EOFError, OSError, ValueError):
                self._engine_died()
            except BaseException as exc:  # reported, never lost
                traceback.print_exc()
                if self._sent:
                    with contextlib.suppress(Exception):
                        self.engine.kill()
                self.failed.emit(
                    tr("Internal error: {error}").format(error=f"{type(exc).__name__}: {exc}")
                )

    def _converse(self) -> None:
        conn, cancel, process = self.engine.ensure_started()
        cancel.clear()
        if self._cancel.is_set():  # cancelled while waiting for the engine
            self.cancelled.emit()
            return
        conn.send((self.kind, self.args))
        self._sent = True
        while True:
            if not conn.poll(POLL_S):
                if not process.is_alive():
                    self._engine_died()
                    return
                continue
            tag, data = conn.recv()
            if tag == "progress":
                self.progress.emit(*data)
            elif tag == "snapshot":
                self.put_snapshot(data)
            elif tag == "done":
                self.done.emit(data)
                return
            elif tag == "cancelled":
                self.cancelled.emit()
                return
            elif tag == "failed":
                kind, text = data
                if kind != "bad-input":
                    text = tr("Internal error: {error}").format(error=text)
                self.failed.emit(text)
                return

    def _engine_died(self) -> None:
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.failed.emit(
                tr("The simulation engine stopped unexpectedly; the next run starts a new one.")
            )


class RunController(QObject):
    """Starts runs and comparisons in the engine process and relays what they report.

    One run or comparison at a time (:attr:`busy`); :meth:`cancel` stops it at its next chunk.
    ``started(kind)`` (``"run"``, ``"compare"`` or ``"lesson"``) and ``idle()`` bracket every
    job."""

    started = pyqtSignal(str)
    progress = pyqtSignal(int, int)
    snapshot = pyqtSignal(object)
    result = pyqtSignal(object)
    comparison = pyqtSignal(object)
    checked = pyqtSignal(object)
    """A lesson's check ended: the :class:`simulator.lesson.CheckResult`."""
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()
    idle = pyqtSignal()
    warmed = pyqtSignal(float)
    """The warm-up finished, after this many seconds."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = _Engine()
        self._threads: list[_Job] = []
        """Every thread started and not yet finished (references keep them alive)."""
        self._current: _Job | None = None

    @property
    def busy(self) -> bool:
        """Is a run or comparison going on?"""
        return self._current is not None

    @property
    def kind(self) -> str | None:
        """``"run"``, ``"compare"``, ``"lesson"`` or ``None`` when idle."""
        return self._current.kind if self._current is not None else None

    def _start(self, kind: str, args: tuple[Any, ...]) -> bool:
        return self._start_job(kind, args) is not None

    def _start_job(
        self, kind: str, args: tuple[Any, ...], connect: Callable[[_Job], None] | None = None
    ) -> _Job | None:
        if kind not in BACKGROUND_KINDS and self._current is not None:
            return None
        job = _Job(kind, args, self.engine, self)
        self._threads.append(job)
        job.finished.connect(self._thread_finished)
        if connect is not None:  # before the start: a fast failure must not be missed
            connect(job)
        if kind == "report":
            pass  # Run and Compare stay available
        elif kind == "warm-up":
            started_at = time.monotonic()
            job.done.connect(lambda _out: self.warmed.emit(time.monotonic() - started_at))
        else:
            self._current = job
            job.progress.connect(self.progress)
            job.snapshots_ready.connect(self._snapshots_ready)
            job.done.connect(self._job_done)
            job.failed.connect(self._job_failed)
            job.cancelled.connect(self._job_cancelled)
            self.started.emit(kind)
        job.start()
        return job

    # The outcome waits until the views have every snapshot (see the module docstring).
    def _snapshots_ready(self) -> None:
        job = self.sender()
        if isinstance(job, _Job):
            self._drain(job)

    def _job_done(self, value: object) -> None:
        self._conclude("done", value)

    def _job_failed(self, message: str) -> None:
        self._conclude("failed", message)

    def _job_cancelled(self) -> None:
        self._conclude("cancelled", None)

    def _conclude(self, tag: str, value: object) -> None:
        job = self.sender()
        if isinstance(job, _Job):
            job.outcome = (tag, value)
            self._drain(job)

    def _drain(self, job: _Job, *, scheduled: bool = False) -> None:
        """Hand ``job``'s queued snapshots to the views for at most :data:`DRAIN_BUDGET_S`,
        at most once per :data:`DRAIN_INTERVAL_S` (so the views repaint at most that often
        and the event loop is idle in between); emit the outcome after the last snapshot."""
        if scheduled:
            job.drain_scheduled = False
        elif job.drain_scheduled:
            return  # the scheduled turn will take these too
        now = time.monotonic()
        wait = job.last_drain + DRAIN_INTERVAL_S - now
        if wait > 0:
            job.drain_scheduled = True
            QTimer.singleShot(int(wait * 1000) + 1, lambda: self._drain(job, scheduled=True))
            return
        job.last_drain = now
        deadline = now + DRAIN_BUDGET_S
        while (snapshot := job.take_snapshot()) is not None:
            self.snapshot.emit(snapshot)
            if time.monotonic() > deadline:
                self._drain(job)  # schedules the next turn
                return
        if job.outcome is None or job is not self._current:
            return
        tag, value = job.outcome
        self._current = None
        if tag == "done":
            {"run": self.result, "compare": self.comparison, "lesson": self.checked}[
                job.kind
            ].emit(value)
        elif tag == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.idle.emit()

    def _thread_finished(self) -> None:
        job = self.sender()
        if isinstance(job, _Job):
            if job in self._threads:
                self._threads.remove(job)
            job.deleteLater()

    def run(
        self, scenario: Scenario, replications: int | None = None, seed: int | None = None
    ) -> bool:
        """Run ``scenario`` (default: its own replications and seed): replication 0 streamed
        as snapshots, then the statistics of all. False when a job is already going on."""
        n = scenario.replications if replications is None else replications
        master = scenario.seed if seed is None else seed
        return self._start("run", (scenario, n, master))

    def compare(
        self, found: VariantSet, replications: int | None = None, seed: int | None = None
    ) -> bool:
        """Run every variant of ``found`` on common random numbers
        (:func:`simulator.compare.run_comparison`, with the bottleneck trace)."""
        return self._start("compare", (found, replications, seed))

    def check_lesson(self, folder: str, text: str, filename: str) -> bool:
        """Check the scenario ``text`` against the lesson in ``folder`` (a lesson check
        runs many replications: in the GUI's process it would hold the GIL and stall the
        window like a run). ``checked(result)`` follows; False when a job is going on."""
        return self._start("lesson", (folder, text, filename))

    def cancel(self) -> None:
        """Ask the current job to stop; ``cancelled()`` follows within one chunk."""
        if self._current is not None:
            self._current.cancel()

    def write_report(
        self,
        comparison: object,
        scenario_file: str | None,
        path: str | os.PathLike[str],
        *,
        done: Callable[[str], None],
        failed: Callable[[str], None],
        finished: Callable[[], None],
    ) -> QThread:
        """Write the HTML report of ``comparison`` to ``path`` in the engine process (see
        :func:`write_report`): ``done(path)`` or ``failed(message)``, then ``finished()``,
        are called in the GUI thread. It does not make the controller busy: it waits for a
        job going on, and :meth:`shutdown` waits for it (or ends it). Returns the job's
        thread."""

        def connect(job: _Job) -> None:
            job.done.connect(done)
            job.failed.connect(failed)
            job.finished.connect(finished)

        job = self._start_job("report", (comparison, scenario_file, os.fspath(path)), connect)
        assert job is not None
        return job

    def warm_up(self, scenario: Scenario | None = None) -> None:
        """Start the engine process and load the engine and the numba kernels in it (their
        first call takes seconds); a failure here is ignored (the run reports it)."""
        self._start("warm-up", (scenario,))

    def shutdown(self, grace_ms: int = 2_000) -> None:
        """Cancel everything and stop the engine process (at exit): a job that does not stop
        within ``grace_ms`` (a warm-up importing, a long build) has its process terminated,
        which ends its thread at once; nothing of a cancelled job is kept anyway."""
        for job in list(self._threads):
            if job.kind != "report":
                job.cancel()
        for job in list(self._threads):
            # a report being written is finished (a user asked for that file), within reason
            job.wait(REPORT_GRACE_MS if job.kind == "report" else grace_ms)
        if any(job.isRunning() for job in self._threads):
            self.engine.kill()
        for job in list(self._threads):
            job.wait()
        self.engine.stop()

    def threads(self) -> list[QThread]:
        """The job threads still alive (for tests and shutdown)."""
        return list(self._threads)
def install_excepthook(parent: Callable[[], QWidget | None]) -> None:
    """Show an exception that escaped a slot in a message box instead of ending the app.

    PyQt6 aborts the process on an unhandled exception in a slot while ``sys.excepthook`` is
    Python's default; with this hook the traceback goes to standard error and the user sees
    the error (the recovery file keeps unsaved work either way)."""
    previous = sys.excepthook
    showing = [False]

    def hook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        traceback.print_exception(exc_type, exc, tb)
        if showing[0] or QApplication.instance() is None:
            return
        showing[0] = True
        try:
            QMessageBox.critical(
                parent(),
                tr("Unexpected error"),
                tr(
                    "Something went wrong; LineLab goes on and your edits are autosaved.\n\n"
                    "{error}"
                ).format(error=f"{exc_type.__name__}: {exc}"),
            )
        finally:
            showing[0] = False

    sys.excepthook = hook
