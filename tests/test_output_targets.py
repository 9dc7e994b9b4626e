"""Where ``--json``, ``--csv`` and ``schema --output`` write, and what happens when they cannot.

Pins down that a result target never changes kind: a character device (a ``mknod`` copy of
/dev/null), a FIFO and standard output (``-``, a link to ``/proc/self/fd/1`` as /dev/stdout
is) are written through; a symbolic link is kept and its target replaced atomically with its
mode; a folder, a block device and an empty name are refused before the run (exit 2). No test
names a path under /dev as a target: as root, a broken build would replace it. And that a
closed or full standard output (``>&-``, ``> /dev/full``) is reported plainly on stderr with
exit 1 — not as an internal error to report — after the result files were written.
"""

from __future__ import annotations

import json
import os
import stat as file_stat
import subprocess
import sys
from pathlib import Path

import pytest

import scenarios
from simulator.cli import main
from simulator.output import output_target, write_files_atomic

SMALL = """\
linelab: 1
name: Two-station cell
horizon: 2 h
warmup: 10 min
replications: 2
seed: 7
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - {name: press, process: {dist: exponential, mean: 48 s}, buffer: 5}
  - {name: pack, process: 40 s}
"""

CLI = [sys.executable, "-m", "simulator.cli"]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _null_device(folder: Path) -> Path:
    """A copy of /dev/null made with mknod (root only): the real one is never a test target."""
    if os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    path = folder / "null"
    try:
        os.mknod(path, file_stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod is not allowed here (no CAP_MKNOD)")
    os.chmod(path, 0o666)
    return path


def test_character_device_and_link_to_it_are_written_through(
    small: Path, tmp_path: Path
) -> None:
    device = _null_device(tmp_path)
    link = tmp_path / "link-to-null"
    link.symlink_to(device)
    before = device.stat()
    code = main(["run", str(small), "-j", "1", "--json", str(device), "--csv", str(link)])
    assert code == 0
    after = os.stat(device, follow_symlinks=False)
    assert file_stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)
    assert (after.st_ino, file_stat.S_IMODE(after.st_mode)) == (
        before.st_ino,
        file_stat.S_IMODE(before.st_mode),
    )
    assert link.is_symlink() and os.readlink(link) == str(device)
    assert not list(tmp_path.glob(".*.tmp"))


def test_fifo_is_written_through_to_its_reader(small: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        assert main(["run", str(small), "-j", "1", "--json", str(fifo)]) == 0
        out, _ = reader.communicate(timeout=30)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert file_stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(out)["replications"] == 2


def test_symlink_to_regular_file_is_kept_and_its_target_replaced(
    small: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "store"
    elsewhere.mkdir()
    target = elsewhere / "r.json"
    target.write_text("{}", encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(elsewhere / "created.csv")
    assert main(["run", str(small), "-j", "1", "--json", str(link), "--csv", str(dangling)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["replications"] == 2
    assert file_stat.S_IMODE(target.stat().st_mode) == 0o640
    assert dangling.is_symlink() and (elsewhere / "created.csv").read_text().startswith("key,")
    assert not list(tmp_path.rglob(".*.tmp"))


def test_dash_writes_the_result_to_stdout_and_the_table_to_stderr(
    small: Path, capsys
) -> None:
    assert main(["run", str(small), "-j", "1", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["scenario"] == "Two-station cell"
    assert "throughput (parts/h)" in captured.err


def test_link_to_stdout_in_a_pipe_and_in_a_redirected_file(small: Path, tmp_path: Path) -> None:
    """``/dev/stdout`` is a link to ``/proc/self/fd/1``; the test makes its own such link,
    because code that replaces links would, run as root, replace the system's /dev/stdout."""
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    piped = subprocess.run(
        [*CLI, "run", str(small), "-j", "1", "--csv", str(stdout_link)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("key,mean,ci95_low,ci95_high,rep_0,rep_1\n")
    assert "throughput (parts/h)" in piped.stderr
    redirected = tmp_path / "stdout.txt"
    with open(redirected, "w", encoding="utf-8") as handle:
        inode = os.fstat(handle.fileno()).st_ino
        res = subprocess.run(
            [*CLI, "run", str(small), "-j", "1", "--json", str(stdout_link)],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert res.returncode == 0, res.stderr
    assert redirected.stat().st_ino == inode  # written through, not replaced
    assert json.loads(redirected.read_text())["replications"] == 2
    assert stdout_link.is_symlink()


@pytest.mark.parametrize(
    ("outputs", "needle"),
    [
        (["--json", "-", "--csv", "-"], "--csv -: the --json result already goes to standard"),
        (["--json", "{tmp}/same", "--csv", "{tmp}/link-same"], "would overwrite the --json file"),
        (["--json", "{tmp}/link-scenario"], "would overwrite the scenario file"),
        (["--json", ""], "--json: empty file name"),
        (["--csv", ""], "--csv: empty file name"),
        (["--json", "{tmp}/nowhere/"], "names a folder that does not exist"),
        (["--json", "{tmp}/small.yaml/r.json"], "not a directory"),
    ],
)
def test_targets_refused_before_the_run(
    small: Path, tmp_path: Path, capsys, outputs: list[str], needle: str
) -> None:
    (tmp_path / "link-same").symlink_to(tmp_path / "same")
    (tmp_path / "link-scenario").symlink_to(small)
    argv = ["run", str(small), "-j", "1", *(o.format(tmp=tmp_path) for o in outputs)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert needle in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert not (tmp_path / "same").exists()


def test_schema_output_empty_name_and_dash(capsys) -> None:
    assert main(["schema", "--output", ""]) == 2
    assert "--output: empty file name" in capsys.readouterr().err
    assert main(["schema", "--output", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == scenarios.json_schema()


def test_block_device_and_socket_are_refused(tmp_path: Path) -> None:
    import socket

    sock_path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(sock_path))
        with pytest.raises(Exception, match="is a socket"):
            output_target(str(sock_path))
    finally:
        server.close()
    if os.geteuid() == 0:
        block = tmp_path / "block"
        try:
            os.mknod(block, file_stat.S_IFBLK | 0o600, os.makedev(7, 0))
        except PermissionError:
            return
        with pytest.raises(Exception, match="is a block device"):
            write_files_atomic({str(block): "x"})
        assert file_stat.S_ISBLK(os.stat(block).st_mode)


def _closed_stdout(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the command with file descriptor 1 closed, as ``linelab ... >&-`` does."""
    return subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *CLI, *argv],
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def test_closed_stdout_is_said_plainly_and_results_are_written(
    small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    res = _closed_stdout(["run", str(small), "-j", "1", "--json", str(out)])
    assert res.returncode == 1
    assert "linelab: cannot print the report: standard output is closed" in res.stderr
    assert "internal error" not in res.stderr and "report it" not in res.stderr
    assert "Traceback" not in res.stderr
    assert json.loads(out.read_text())["replications"] == 2
    schema = _closed_stdout(["schema"])
    assert schema.returncode == 1
    assert "cannot print the schema: standard output is closed" in schema.stderr
    dash = _closed_stdout(["run", str(small), "-j", "1", "--json", "-"])
    assert dash.returncode == 2 and "--json -: standard output is closed" in dash.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_stdout_is_said_plainly_and_results_are_written(
    small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    with open("/dev/full", "w") as full:
        res = subprocess.run(
            [*CLI, "run", str(small), "-j", "1", "--json", str(out)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
        dash = subprocess.run(
            [*CLI, "run", str(small), "-j", "1", "--json", "-", "--csv", str(tmp_path / "r.csv")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert res.returncode == 1
    assert "linelab: cannot print the report: standard output: no space left on device" in (
        res.stderr
    )
    assert "internal error" not in res.stderr and "report it" not in res.stderr
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr
    assert json.loads(out.read_text())["replications"] == 2
    # The result itself goes to the full stdout: it fails, and the CSV of the pair is not
    # written either (all or nothing for the regular files).
    assert dash.returncode == 1
    assert "cannot write the results: standard output: no space left on device" in dash.stderr
    assert not (tmp_path / "r.csv").exists() and not list(tmp_path.glob(".*.tmp"))


def test_reader_of_stdout_result_going_away_keeps_the_files(small: Path, tmp_path: Path) -> None:
    """``linelab run S --json - --csv r.csv | head -0``: not an error, and the CSV is written."""
    out_csv = tmp_path / "r.csv"
    proc = subprocess.Popen(
        [*CLI, "run", str(small), "-j", "1", "--json", "-", "--csv", str(out_csv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away before anything is written
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err and b"Exception ignored" not in err
    assert out_csv.read_text(encoding="utf-8").startswith("key,")
    assert b"throughput (parts/h)" in err  # the table went to stderr, stdout being the JSON's
