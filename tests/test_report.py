"""The HTML report of ``linelab compare --report`` and ``linelab run --report``.

Pins down: the report is one self-contained file (no http(s) reference, no external file),
it carries an inline ``<svg>`` for every chart (cash flow, time series, one state chart per
station), the KPI values of the JSON written by the same run, the paired differences, the
bottleneck ranking and the assumptions (seed, replications, version, economics inputs); it
is written through the atomic writers (a bad target fails before the run, exit 2); and it
renders in headless Chromium (a screenshot of non-trivial size). The render test skips only
outside CI: with ``CI=true`` a missing ``chromium`` is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import __version__
from simulator.cli import main
from simulator.output import _pm
from simulator.stats import Stat

EXAMPLE = "phone_housing_cell"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """``linelab compare phone_housing_cell -n 2`` with its report and JSON, run once."""
    folder = tmp_path_factory.mktemp("report")
    report = folder / "report.html"
    data = folder / "compare.json"
    code = main(
        ["compare", EXAMPLE, "-n", "2", "-j", "1", "--report", str(report), "--json", str(data)]
    )
    assert code == 0
    return report, json.loads(data.read_text(encoding="utf-8"))


def test_report_is_one_self_contained_file(compared: tuple[Path, dict[str, object]]) -> None:
    report, _ = compared
    assert sorted(p.name for p in report.parent.iterdir()) == ["compare.json", "report.html"]
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?:", html, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html), "no external resource"
    assert "<style>" in html and "@media print" in html


def test_report_has_a_chart_per_station_and_the_series(
    compared: tuple[Path, dict[str, object]],
) -> None:
    report, data = compared
    html = report.read_text(encoding="utf-8")
    variants = data["variants"]
    assert isinstance(variants, dict)
    stations = list(variants["manual"]["stations"])
    # one state chart per station, the throughput/WIP chart and the cash-flow chart
    assert html.count("<svg") == len(stations) + 2
    assert html.count("</svg>") == html.count("<svg")
    for station in stations:
        assert f"<h3>{station}</h3><svg" in html
    assert "payback" in html
    # the sensitivity table: the unchanged case first, then one input changed at a time
    assert "Sensitivity: robots against manual" in html
    for label in ("as assumed", "wage growth", "demand", "subsidy", "robot price"):
        assert f"<td>{label}" in html


def test_state_charts_use_the_shared_palette(compared: tuple[Path, dict[str, object]]) -> None:
    """Each station's stacked bars are filled with :mod:`simulator.palette`'s colour of
    their state (the colours the desktop app uses), stacked in its order."""
    from simulator.palette import STATE_ORDER, state_color

    report, data = compared
    html = report.read_text(encoding="utf-8")
    variants = data["variants"]
    assert isinstance(variants, dict)
    for station, summary in variants["robots"]["stations"].items():
        chart = html.split(f"<h3>{station}</h3>", 1)[1].split("</svg>", 1)[0]
        fills = re.findall(r"fill: (#[0-9a-f]{6})", chart)
        states = [s for s in STATE_ORDER if s in summary["states"]]
        assert len(states) >= 2, station
        # the legend's swatches list the states in the palette's order, once each
        swatches = [f for f in fills if f in {state_color(s) for s in states}]
        assert list(dict.fromkeys(swatches)) == list(dict.fromkeys(state_color(s) for s in states))


def test_report_carries_the_kpis_and_differences(
    compared: tuple[Path, dict[str, object]],
) -> None:
    report, data = compared
    html = report.read_text(encoding="utf-8")
    variants = data["variants"]
    differences = data["differences"]
    assert isinstance(variants, dict) and isinstance(differences, dict)
    for name, run in variants.items():
        for key in ("throughput_per_hour", "cycle_time_s", "wip"):
            kpi = run["kpis"][key]
            stat = Stat(kpi["mean"], tuple(kpi["ci95"]), tuple(kpi["values"]))
            assert _pm(stat) in html, (name, key)
    diff = differences["robots"]["kpis"]["throughput_per_hour"]
    text = _pm(Stat(diff["mean"], tuple(diff["ci95"]), tuple(diff["values"])))
    assert ("+" + text) in html
    assert "robots − manual" in html


def test_report_lists_the_assumptions(compared: tuple[Path, dict[str, object]]) -> None:
    report, data = compared
    html = report.read_text(encoding="utf-8")
    manual = data["variants"]["manual"]  # type: ignore[index]
    assert f"<th>master seed</th><td>{manual['seed']}</td>" in html
    assert "<th>replications per variant</th><td>2</td>" in html
    assert f"<th>LineLab version</th><td>{__version__}</td>" in html
    assert "<th>hours_per_year</th>" in html  # the economics inputs
    assert "Bottleneck ranking" in html


def test_run_report_and_bad_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "cell.yaml"
    scenario.write_text(
        "linelab: 1\nname: Two-station cell\nhorizon: 4 h\nwarmup: 1 h\nreplications: 2\n"
        "seed: 7\nsource: {interarrival: {dist: exponential, mean: 60 s}}\n"
        "stations:\n  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 5}\n"
        "  - {name: pack, process: 40 s}\n",
        encoding="utf-8",
    )
    report = tmp_path / "run.html"
    assert main(["run", str(scenario), "-j", "1", "--report", str(report)]) == 0
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 3  # press, pack, throughput/WIP
    assert not re.search(r"https?:", html, re.IGNORECASE)
    capsys.readouterr()
    missing = tmp_path / "no-such-folder" / "r.html"
    assert main(["run", str(scenario), "--report", str(missing)]) == 2
    assert "--report" in capsys.readouterr().err
    assert not missing.parent.exists()


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_report_renders_in_headless_chromium(
    compared: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but chromium is missing (.ci/run installs it with apt)")
        pytest.skip("chromium is not installed (outside CI)")
    report, _ = compared
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,3000",
            report.resolve().as_uri(),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file()
    assert _png_size(shot) == (1200, 3000)
    # a blank page compresses to a few kB; charts, tables and text do not
    assert shot.stat().st_size > 50_000


def test_report_loads_no_qt_and_plotting_stays_lazy(tmp_path: Path) -> None:
    """Writing a report imports matplotlib and Jinja2 but no GUI toolkit (no pyplot, no Qt
    backend); a command without ``--report`` imports neither."""
    scenario = tmp_path / "cell.yaml"
    scenario.write_text(
        "linelab: 1\nname: One station\nhorizon: 1 h\nreplications: 1\nseed: 1\n"
        "stations:\n  - {name: press, process: 40 s}\n",
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from simulator.cli import main\n"
        f"assert main(['run', {str(scenario)!r}, '-j', '1']) == 0\n"
        "lazy = [m for m in ('matplotlib', 'jinja2') if m in sys.modules]\n"
        f"assert main(['run', {str(scenario)!r}, '-j', '1', '--report', "
        f"{str(tmp_path / 'r.html')!r}]) == 0\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PyQt6', 'PyQt5', 'PySide6',"
        " 'pyqtgraph', 'gui', 'tkinter') or m == 'matplotlib.pyplot']\n"
        "print(lazy, bad, file=sys.stderr)\n"
        "sys.exit(1 if lazy or bad or 'matplotlib' not in sys.modules else 0)"
    )
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "r.html").is_file()


def test_every_state_has_its_own_colour() -> None:
    """The layout view's legend lists the states of stations, resources and vehicles together
    (and the report's legends share the palette): two states with one colour could not be told
    apart, so the colours of all known states are pairwise distinct — in particular the working
    states (``busy``/``travel_loaded``/``operating``, ``tending``/``handling``) that once
    shared one."""
    from simulator.palette import STATE_COLORS

    by_colour: dict[str, list[str]] = {}
    for state, colour in STATE_COLORS.items():
        by_colour.setdefault(colour.lower(), []).append(state)
    shared = {c: s for c, s in by_colour.items() if len(s) > 1}
    assert shared == {}
