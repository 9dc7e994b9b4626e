"""Stopping ``linelab run -j 2`` with a signal leaves nothing behind.

Pins down that SIGTERM takes the same path as Ctrl-C: the worker processes and the
multiprocessing resource tracker are gone when the command exits, no result file (nor a
temporary one) is written, no ``leaked semaphore`` warning is printed, and the exit code is
128 + the signal number (143 for SIGTERM, 130 for SIGINT). Each run is started in its own
session, so every process it creates is found by its process group in /proc; whatever is
left is killed at the end of the test so a failing test cannot leave workers running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads process groups from /proc"
)

CLI = [sys.executable, "-m", "simulator.cli"]

# Minutes of simulation per replication: long enough that no run finishes on its own
# within the test, whatever the machine; the test never waits for it.
LONG = """\
linelab: 1
name: long run
horizon: 20000 h
replications: 8
seed: 1
source:
  interarrival: {dist: exponential, mean: 2 s}
stations:
  - {name: a, process: {dist: exponential, mean: 1 s}, buffer: 5}
"""


def _group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live (not zombie) processes in process group ``pgid``."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended while we looked
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            members.append((int(entry), cmdline))
    return members


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    scenario = tmp_path / "long.yaml"
    scenario.write_text(LONG, encoding="utf-8")
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [*CLI, "run", str(scenario), "-j", "2", "-q", "--json", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: pgid == pid
    )

    def workers_started() -> bool:
        members = _group_members(proc.pid)
        return sum("spawn_main" in cmd for _, cmd in members) >= 2

    if not _wait_until(workers_started, timeout=60):
        proc.kill()
        proc.wait()
        pytest.fail("the two worker processes did not start within 60 s")
    return proc, out


def _stop_everything(pgid: int) -> None:
    """Kill what a failed run left in its group (only processes this test started)."""
    if _group_members(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


@pytest.mark.parametrize(
    ("signum", "whole_group", "code"),
    [
        (signal.SIGTERM, False, 143),  # `kill PID`: only the main process gets it
        (signal.SIGTERM, True, 143),  # a service manager stopping the whole group
        (signal.SIGINT, True, 130),  # Ctrl-C in a terminal reaches the whole group
    ],
    ids=["sigterm-main", "sigterm-group", "sigint-group"],
)
def test_signal_stops_workers_and_leaves_nothing(
    tmp_path: Path, signum: int, whole_group: bool, code: int
) -> None:
    proc, out = _start(tmp_path)
    try:
        time.sleep(0.5)  # let the workers get into their replications
        if whole_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == code, err
        left = _group_members(proc.pid)
        if left:  # the workers are reaped before exit; allow the kernel a moment
            _wait_until(lambda: not _group_members(proc.pid), timeout=5)
            left = _group_members(proc.pid)
        assert left == [], f"processes left behind: {left}"
        assert "leaked semaphore" not in err and "Traceback" not in err
        assert ("terminated" if signum == signal.SIGTERM else "interrupted") in err
        assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _stop_everything(proc.pid)
