"""Frame rate of the layout view's animation with about 500 parts moving at once.

The line: six stations in series, each with 10 machines of a constant 10 s cycle (one part per
second per station), buffers of 20 places, and a 60 m belt after the third station; a real
``RunSession`` records a snapshot every 240 s, so each interval hands on about 240 parts per
station. The view draws each of them as a dot travelling to the next station
(``gui.playback``), plus the parts on the belt: 500 and more dots are under way in the middle
of an interval. Each frame advances the displayed time and repaints the whole view
synchronously at 1280 x 800 (``viewport().repaint()``: what the frame timer's frame costs,
painting included). Goal (issue #10): >= 30 frames per second offscreen.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/gui.py [--frames N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# This file is named like the ``gui`` package: run as a script, its folder comes first on
# sys.path and would hide the package. Put the repository root there instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path[0] = os.path.dirname(_HERE)

from PyQt6.QtWidgets import QApplication  # noqa: E402

import scenarios  # noqa: E402
from simulator.session import RunSession  # noqa: E402

SCENARIO_YAML = """
linelab: 2
name: Six fast stations for the animation benchmark
horizon: 4 h
stations:
  - {name: saw, servers: 10, process: 10 s}
  - {name: mill, servers: 10, process: 10 s, buffer: 20}
  - name: drill
    servers: 10
    process: 10 s
    buffer: 20
    conveyor: {length: 60 m, speed: 0.5 m/s, spacing: 0.5 m}
  - {name: deburr, servers: 10, process: 10 s, buffer: 20}
  - {name: wash, servers: 10, process: 10 s, buffer: 20}
  - {name: pack, servers: 10, process: 10 s, buffer: 20}
"""

INTERVAL_S = 240.0
"""Simulated seconds between two snapshots."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="frames to time (300)")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gui.layout_view import LayoutView

    scenario = scenarios.loads(SCENARIO_YAML, "benchmark.yaml")
    view = LayoutView()
    view.resize(1280, 800)
    view.set_scenario(scenario)
    view.show()
    app.processEvents()
    session = RunSession(scenario, 0, 1)
    for _ in range(12):
        view.add_snapshot(session.advance(INTERVAL_S))
    view.timer.stop()  # frames are driven by hand below
    start = view.timeline.times[4]
    view.show_time(start)
    port = view.graphics.viewport()
    assert port is not None
    step = INTERVAL_S / 40.0  # 40 frames per interval
    for _ in range(10):  # warm up (font caches, pixmap caches)
        view.advance_frame(step)
        port.repaint()
    view.show_time(start)
    frame_ms: list[float] = []
    dots: list[int] = []
    for i in range(args.frames):
        if view.display_time + step >= view.timeline.times[-2]:
            view.show_time(start)
        t0 = time.perf_counter()
        view.advance_frame(step)
        port.repaint()
        frame_ms.append((time.perf_counter() - t0) * 1000.0)
        dots.append(view.moving_parts())
        if i == 0:
            app.processEvents()
    mean_ms = statistics.fmean(frame_ms)
    p95 = sorted(frame_ms)[int(0.95 * (len(frame_ms) - 1))]
    print(
        f"layout view, {len(frame_ms)} frames at 1280x800 offscreen: "
        f"moving parts per frame mean {statistics.fmean(dots):.0f} "
        f"(min {min(dots)}, max {max(dots)})"
    )
    print(
        f"  {mean_ms:.2f} ms/frame mean, {p95:.2f} ms p95 -> {1000.0 / mean_ms:.0f} fps "
        f"(goal >= 30 fps)"
    )
    view.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
