"""Bad input to ``linelab sweep`` is refused before anything runs, and the store is left alone.

Pins down, for each mistake of the issue's table (an unknown ``--set`` path, a value of the
wrong type, an empty value list, an unknown variant, a store of another scenario or seed, a
``--target-ci`` written wrongly) and a few more of the same kind: exit code 2, one clear
message naming the flag (``file:line:col`` where the mistake is in the file's terms), no
traceback, and the store either not created or byte-for-byte unchanged (no WAL side files).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from simulator.cli import main

LINE = """\
linelab: 2
name: press and pack
horizon: 1 h
replications: 2
seed: 5
source:
  interarrival: {dist: exponential, mean: 60 s}
stations:
  - name: press
    process: {dist: exponential, mean: 48 s}
    buffer: 3
  - {name: pack, process: 40 s, buffer: 2}
variants:
  manual: {}
  faster:
    stations: {pack: {process: 30 s}}
"""

PLAIN = """\
linelab: 1
name: one station
horizon: 1 h
stations: [{name: press, process: 45 s}]
"""


def _folder_state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in ``folder`` with its content hash and modification time."""
    return {
        name: (hashlib.sha256((folder / name).read_bytes()).hexdigest(),
               (folder / name).stat().st_mtime_ns)
        for name in sorted(os.listdir(folder))
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    (tmp_path / "plain.yaml").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "other.yaml").write_text(LINE.replace("seed: 5", "seed: 5  # edited"),
                                         encoding="utf-8")
    (tmp_path / "junk.sqlite").write_bytes(b"this is no database" * 50)
    # A genuine store of line.yaml, seed 5, varying stations.press.buffer.
    code = main(["sweep", str(tmp_path / "line.yaml"), "--set", "stations.press.buffer=1,2",
                 "-n", "1", "-j", "1", "-q", "--store", str(tmp_path / "held.sqlite")])
    assert code == 0
    return tmp_path


CASES = [
    # (arguments after the scenario, words the message must contain)
    (["--set", "stations.pres.buffer=1,2"], "line.yaml:8:1: stations: --set "
     "stations.pres.buffer: no station 'pres'"),
    (["--set", "stations.press.buffer=2,lots"], "--set stations.press.buffer=lots:"),
    (["--set", "stations.press.buffer="], "--set stations.press.buffer=: no values"),
    (["--set", "stations.press.buffer=1,,2"], "an empty value between commas"),
    (["--set", "stations.press.buffer=1", "--set", "stations.press.buffer=2"], "given twice"),
    (["--set", "stations.press.buffer"], "expected PATH=VALUE"),
    (["--set", "seed=1,2"], "--set seed=1,2: the master seed is one per study"),
    (["--set", "replications=5"], "--set replications=5: every point runs the same"),
    (["--set", "warmup=0,1 h", "--warmup", "auto"], "--warmup auto chooses the warm-up"),
    (["--variant", "robot"], "--variant robot: no such variant (variants: manual, faster)"),
    (["--target-ci", "2"], "--target-ci 2: write it as a percentage, e.g. 2%"),
    (["--target-ci", "two percent"], "--target-ci two percent: expected a percentage"),
    (["--target-ci", "0%"], "must be more than 0% and less than 100%"),
    (["--target-ci", "150%"], "must be more than 0% and less than 100%"),
    (["--target-ci", "2%", "--kpi", "speed"], "--kpi speed: not a KPI"),
    (["--kpi", "wip"], "--kpi goes with --target-ci"),
    (["--target-ci", "2%", "--max-replications", "1", "-n", "2"],
     "--max-replications 1 is fewer than the 2 replications"),
    (["--design", "lhs", "--set", "stations.press.buffer=1,2"], "--design lhs needs --samples"),
    (["--samples", "4", "--set", "stations.press.buffer=1,2"], "--samples goes with --design lhs"),
    (["--design", "sobol"], "--design must be grid or lhs"),
    (["--warmup", "10 min"], "--warmup 10 min: only 'auto'"),
    (["--workers", "0"], "--workers must be between 1"),
    (["--replications", "many"], "--replications must be a whole number"),
    (["--variant", "manual", "--all-variants"], "not allowed with argument"),
    (["--store", "junk.sqlite"], "--store junk.sqlite: not a LineLab result store"),
    (["--store", "no/such/folder/s.sqlite"], "folder 'no/such/folder' does not exist"),
    (["--store", "line.yaml"], "--store line.yaml: would overwrite the scenario file"),
    (["--dask", "nonsense"], "--dask nonsense: cannot connect"),
]


@pytest.mark.parametrize(("extra", "words"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_exits_2_and_writes_nothing(
    files: Path, monkeypatch, capsys, extra: list[str], words: str
) -> None:
    monkeypatch.chdir(files)
    capsys.readouterr()
    before = _folder_state(files)
    code = main(["sweep", "line.yaml", "-q", *extra])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert words in err
    assert "Traceback" not in err and out == ""
    if "pres'" in words:
        assert "(did you mean 'press'?)" in err
    assert _folder_state(files) == before  # no store created, none changed


def test_an_unknown_path_is_reported_where_the_file_would_hold_it(
    files: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(files)
    capsys.readouterr()
    assert main(["sweep", "line.yaml", "--set", "stations.press.buffer=-1,2"]) == 2
    err = capsys.readouterr().err.strip()
    # file:line:col: key path: --set PATH=VALUE: message, at the buffer's line in the file
    assert err.startswith("line.yaml:11:13: stations[0].buffer: --set stations.press.buffer=-1:")
    assert not (files / "line.sqlite").exists()


@pytest.mark.parametrize(
    ("scenario", "extra", "words"),
    [
        ("other.yaml", [], "it holds a study of another scenario text"),
        ("line.yaml", ["--seed", "6"], "it was run with seed 5, not 6"),
        ("line.yaml", ["--set", "stations.pack.buffer=1"],
         "it varies stations.press.buffer, not stations.pack.buffer"),
        ("line.yaml", ["--warmup", "auto"], "its warm-up rule is 'file', not 'auto'"),
        ("plain.yaml", [], "another scenario text"),
    ],
)
def test_a_store_of_another_study_is_refused_unchanged(
    files: Path, monkeypatch, capsys, scenario: str, extra: list[str], words: str
) -> None:
    monkeypatch.chdir(files)
    capsys.readouterr()
    before = _folder_state(files)
    flags = extra if any(f == "--set" for f in extra) else [
        "--set", "stations.press.buffer=1,2", *extra
    ]
    code = main(["sweep", scenario, "-q", "--store", "held.sqlite", "--resume", *flags])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "--store held.sqlite: cannot continue this study there" in err and words in err
    assert _folder_state(files) == before


def test_an_existing_store_needs_resume(files: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(files)
    capsys.readouterr()
    before = _folder_state(files)
    code = main(["sweep", "line.yaml", "--set", "stations.press.buffer=1,2", "-q",
                 "--store", "held.sqlite"])
    assert code == 2
    assert "already holds this study; --resume" in capsys.readouterr().err
    assert _folder_state(files) == before


def test_variant_on_a_file_without_variants(files: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(files)
    capsys.readouterr()
    assert main(["sweep", "plain.yaml", "--variant", "robot", "-q"]) == 2
    assert "plain.yaml:1:1: --variant robot: the file has no 'variants'" in capsys.readouterr().err
    assert not (files / "plain.sqlite").exists()
