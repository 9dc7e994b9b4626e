"""Short jobs of the views off the GUI thread: a :class:`BackgroundJob` runs one function in
a ``QThread`` and hands its outcome back to the GUI thread as a queued signal.

For work a view does itself that takes long enough to freeze the window (rendering the HTML
report, replaying replication 0 for the charts: about a second per variant); runs and
comparisons go through ``gui.worker``'s engine process instead. The function must not touch
Qt widgets. An exception in it comes back as ``failed(message)``, never raised in the thread.
Every job is referenced from :data:`_RUNNING` until its thread has ended (a ``QThread``
collected while it runs aborts the process, also when the view that started it was closed),
and the application (or, without one, the interpreter) waits for running jobs when it quits.
Connect the signals to bound methods of the view (Qt disconnects them when the view is
destroyed), not to lambdas that would call into a deleted view.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QCoreApplication, QThread, QTimer, pyqtSignal

__all__ = ["BackgroundJob", "wait_for_jobs"]

_RUNNING: set[BackgroundJob] = set()
"""Jobs whose thread has not ended yet."""
_HOOKED = False


class BackgroundJob(QThread):
    """Runs ``work()`` in its own thread; then ``done(value)`` or ``failed(message)``
    (delivered in the GUI thread), then ``finished``."""

    done = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self._work = work
        _RUNNING.add(self)
        self.finished.connect(self._ended)
        _hook_quit()

    def run(self) -> None:
        try:
            value = self._work()
        except Exception as exc:  # shown by the view, never raised in a thread
            self.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.done.emit(value)

    def _ended(self) -> None:
        # ``finished`` comes just before the thread ends: wait for its end, and drop the last
        # reference only after this signal's slots have run
        self.wait()
        QTimer.singleShot(0, lambda: _RUNNING.discard(self))


def wait_for_jobs() -> None:
    """Block until every running job has ended (at application exit: a thread still running
    when the interpreter shuts down would crash it)."""
    for job in list(_RUNNING):
        job.wait()


def _hook_quit() -> None:
    global _HOOKED
    app = QCoreApplication.instance()
    if app is not None and not _HOOKED:
        app.aboutToQuit.connect(wait_for_jobs)
        _HOOKED = True


atexit.register(wait_for_jobs)  # also without a quitting application (scripts, tests)
