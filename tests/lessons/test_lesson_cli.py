"""``linelab lesson list | show | check | solution``: what each prints and its exit code
(0 ok or target met, 1 target not met, 2 bad input: an unknown lesson, a missing or
malformed scenario file, a missing action), with no traceback on any path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.lessons import list_lessons, load_lesson
from simulator.cli import main

REPO = Path(__file__).resolve().parents[2]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["lesson", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_one_lesson_a_line_name_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    infos = list_lessons()
    assert [line.split()[0] for line in lines] == [info.name for info in infos]
    assert lines[0].split()[:2] == ["state-charts", "1"]
    assert "Reading state charts" in lines[0]
    code, out, _ = _run(capsys, "list", "--lang", "zh_CN")
    assert code == 0 and "读懂状态图" in out.splitlines()[0]


def test_show_prints_the_briefing_hints_and_the_starting_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lesson = load_lesson("state-charts")
    code, out, _ = _run(capsys, "show", "state-charts")
    assert code == 0
    assert out.startswith(lesson.text("briefing", "en").rstrip())
    assert out.endswith(f"\n\nstarting scenario: {lesson.start_path}\n")
    assert "hint 1" not in out
    code, out, _ = _run(capsys, "show", "state-charts", "--lang", "zh_CN", "--hints", "2")
    assert code == 0
    assert out.startswith("# 读懂状态图")
    assert f"提示 1: {lesson.hints[0].zh_CN}" in out and f"提示 2: {lesson.hints[1].zh_CN}" in out
    assert "提示 3" not in out


def test_solution_prints_the_reference_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "solution", "state-charts")
    assert code == 0
    assert out == load_lesson("state-charts").solution_text()


def test_check_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lesson = load_lesson("state-charts")
    code, out, _ = _run(capsys, "check", "state-charts", str(lesson.solution_path))
    assert code == 0
    assert out.startswith("state-charts: PASSED: every target is met\n")
    assert "throughput (parts/h)  ≥ 56" in out and "# Debrief: the bottleneck was the mill" in out

    code, out, _ = _run(capsys, "check", "state-charts", str(lesson.start_path), "--lang", "zh_CN")
    assert code == 1
    assert out.startswith("state-charts: 未通过\n")
    assert "未达成" in out and "复盘" not in out

    bad = tmp_path / "bad.yaml"
    bad.write_text(lesson.start_text().replace("    buffer: 2\n", "    buffer: -2\n", 1))
    code, out, err = _run(capsys, "check", "state-charts", str(bad))
    assert code == 2 and out == ""
    assert err.startswith(f"{bad}:") and "stations[0].buffer: must be >= 0, got -2" in err

    code, _, err = _run(capsys, "check", "state-charts", str(tmp_path / "none.yaml"))
    assert (code, err) == (2, f"{tmp_path / 'none.yaml'}:1:1: no such file\n")

    code, _, err = _run(capsys, "check", "state-chart", str(lesson.solution_path))
    assert code == 2
    assert err.startswith(
        "linelab lesson: no lesson named 'state-chart'; did you mean 'state-charts'?"
    )


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, )[0] == 2
    code, out, err = _run(capsys, "show", "state-charts", "--hints", "-1")
    assert (code, out) == (2, "")
    assert err == "linelab lesson show: --hints must be a whole number >= 0, got '-1'\n"
    code, _, err = _run(capsys, "show")
    assert code == 2 and "name" in err


def test_check_as_a_command(tmp_path: Path) -> None:
    """The real command line (``python -m simulator.cli``), where the CLI module runs as
    ``__main__``: exit codes and messages are the same."""
    lesson = load_lesson("state-charts")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simulator.cli", "lesson", *argv],
            cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
        )

    done = run("check", "state-charts", str(lesson.start_path))
    assert done.returncode == 1 and "NOT MET" in done.stdout and done.stderr == ""
    done = run("show", "no-such-lesson")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("linelab lesson: no lesson named 'no-such-lesson'")


@pytest.mark.parametrize("action", ["show", "solution"])
def test_unknown_lesson_exits_2_with_a_close_name(
    capsys: pytest.CaptureFixture[str], action: str
) -> None:
    code, out, err = _run(capsys, action, "agv_fleet")
    assert (code, out) == (2, "")
    assert err.startswith(
        "linelab lesson: no lesson named 'agv_fleet'; did you mean 'agv-fleet'? (lessons: "
        "state-charts, littles-law, "
    )
    assert err.count("\n") == 1


def _bad_files(tmp_path: Path) -> list[tuple[Path, str]]:
    """(file, the whole expected error) for submissions that are not valid scenarios."""
    start = load_lesson("tending-ratio").start_text()
    files = {
        "latin1.yaml": (
            b"name: caf\xe9\n", "1:10: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
        ),
        "empty.yaml": (b"", "1:1: the file is empty; a scenario needs at least 'linelab: 1', "
                       "name, horizon and stations"),
        "list.yaml": (b"- 1\n", "1:1: a scenario must be a mapping of keys (linelab: 1, name: "
                      "..., horizon: ..., stations: ...), got a list"),
        "plain.yaml": (start[: start.index("baseline:")].encode(), "1:1: variants: this lesson "
                       "checks the variant 'robots'; the file has no such variant (variants: it "
                       "has none)"),
    }
    out = []
    for name, (raw, message) in files.items():
        (tmp_path / name).write_bytes(raw)
        out.append((tmp_path / name, f"{tmp_path / name}:{message}\n"))
    (tmp_path / "folder.yaml").mkdir()
    out.append((tmp_path / "folder.yaml",
                f"{tmp_path / 'folder.yaml'}:1:1: is a directory, not a scenario file\n"))
    return out


def test_check_with_a_bad_file_exits_2_with_the_scenario_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A submission that is not a valid scenario (or lacks the checked variant) is bad input:
    exit 2, the scenario's own ``file:line:col`` message on stderr, nothing on stdout."""
    for path, expected in _bad_files(tmp_path):
        code, out, err = _run(capsys, "check", "tending-ratio", str(path), "-q")
        assert (code, out, err) == (2, "", expected), path.name
