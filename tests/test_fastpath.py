"""``linelab run --fast``: the flow-line kernel reproduces the event engine exactly.

Both draw the same processing and interarrival times (same stream keys, same block sampler),
and the departure-time recursion is exact for serial single-server lines with blocking after
service, so every statistic must agree to rounding -- a far stronger check than agreeing within
confidence intervals. Scenarios the recursion cannot represent are refused with the reasons;
eligibility is an allow-list that decides every field of every scenario model (a field the
format gains without a decision here makes a test fail, and is refused by ``--fast``).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

import scenarios
from simulator.cli import main
from simulator.experiment import run_experiment
from simulator.fastpath import (
    _ANY,
    FAST_PATH_FIELDS,
    REFUSED_MODELS,
    NotEligible,
    check_eligible,
    run_fast,
)
from tests.helpers import scenario

LINES = {
    "mixed-source": """
        linelab: 1
        name: mixed with source
        horizon: 30 h
        warmup: 2 h
        replications: 3
        seed: 11
        source: {interarrival: {dist: exponential, mean: 60 s}}
        stations:
          - {name: a, process: {dist: lognormal, mean: 40 s, cv: 0.5}, buffer: 2}
          - {name: b, process: {dist: exponential, mean: 45 s}, buffer: 0}
          - {name: c, process: {dist: uniform, low: 30 s, high: 70 s}, buffer: 1}
          - {name: d, process: {dist: normal, mean: 50 s, sd: 15 s}, buffer: 5}
        """,
    "saturated": """
        linelab: 1
        name: saturated
        horizon: 30 h
        warmup: 1 h
        replications: 3
        stations:
          - {name: a, process: {dist: triangular, low: 20 s, mode: 40 s, high: 80 s}, buffer: 0}
          - {name: b, process: {dist: empirical, values: [30 s, 45 s, 60 s]}, buffer: 0}
          - {name: c, process: {dist: exponential, mean: 40 s}, buffer: 3}
          - {name: d, process: 35 s}
        """,
    "source-finite-first-buffer": """
        linelab: 1
        name: finite first buffer
        horizon: 20 h
        replications: 2
        source: {interarrival: {dist: exponential, mean: 50 s}}
        stations:
          - {name: a, process: {dist: exponential, mean: 45 s}, buffer: 1}
          - {name: b, process: {dist: exponential, mean: 40 s}, buffer: 4}
        """,
}


def _assert_same(fast, des) -> None:
    assert fast.method == "flowline" and des.method == "des"
    for f, d in zip(fast.replications, des.replications, strict=True):
        assert (f.departed, f.arrived, f.wip_start, f.wip_end) == (
            d.departed,
            d.arrived,
            d.wip_start,
            d.wip_end,
        )
        assert f.throughput_per_hour == d.throughput_per_hour
        assert f.cycle_time_s == pytest.approx(d.cycle_time_s, rel=1e-9, nan_ok=True)
        assert f.wip == pytest.approx(d.wip, rel=1e-9, abs=1e-12)
        assert f.waiting_in_front == pytest.approx(d.waiting_in_front, rel=1e-9, abs=1e-9)
        for station, fs in f.stations.items():
            ds = d.stations[station]
            assert fs.completed == ds.completed
            assert fs.queue == pytest.approx(ds.queue, rel=1e-9, abs=1e-9)
            for state, share in fs.states.items():
                assert share == pytest.approx(ds.states[state], abs=1e-9), (station, state)


@pytest.mark.parametrize("name", list(LINES))
def test_fast_path_equals_event_engine(name: str) -> None:
    sc = scenario(LINES[name])
    _assert_same(run_fast(sc), run_experiment(sc))


TIES = {
    "constant, no warm-up": "horizon: 100 s\nstations: [{name: a, process: 10 s}]",
    "constant, warm-up on an event": "horizon: 100 s\nwarmup: 20 s\n"
    "stations: [{name: a, process: 10 s}]",
    "two constant stations, buffer 0": "horizon: 1000 s\nwarmup: 35 s\nstations:\n"
    "  - {name: a, process: 10 s, buffer: 0}\n  - {name: b, process: 15 s, buffer: 0}",
    "constant source": "horizon: 1000 s\nwarmup: 100 s\nsource: {interarrival: 10 s}\n"
    "stations:\n  - {name: a, process: 12 s, buffer: 0}\n  - {name: b, process: 10 s, buffer: 0}",
    "horizon shorter than one operation": "horizon: 5 s\nstations: [{name: a, process: 10 s}]",
    "empirical": "horizon: 1 h\nwarmup: 1 min\nreplications: 3\nstations:\n"
    "  - {name: a, process: {dist: empirical, values: [10 s, 20 s]}, buffer: 0}\n"
    "  - {name: b, process: {dist: empirical, values: [10 s, 20 s, 30 s]}, buffer: 0}",
}


@pytest.mark.parametrize("name", list(TIES))
def test_fast_path_equals_event_engine_when_events_tie(name: str) -> None:
    """Simultaneous events, also at exactly the warm-up time and at the end: the measured
    window is (warmup, warmup + horizon] in both, whatever order events were scheduled in."""
    sc = scenario(f"linelab: 1\nname: ties\n{TIES[name]}\n")
    _assert_same(run_fast(sc), run_experiment(sc))


def test_window_includes_events_at_its_end() -> None:
    """A 10 s station over 100 s: exactly 10 parts leave in (0, 100], whatever the warm-up."""
    for warmup in (0, 10, 20, 30):
        sc = scenario(
            f"linelab: 1\nname: w\nhorizon: 100 s\nwarmup: {warmup} s\n"
            "stations: [{name: a, process: 10 s}]\n"
        )
        rep = run_experiment(sc).replications[0]
        assert rep.departed == 10 and rep.throughput_per_hour == 360.0


def test_not_eligible_lists_every_reason() -> None:
    sc = scenario(
        """
        linelab: 1
        name: not a flow line
        horizon: 1 h
        wip_cap: 3
        stations:
          - {name: a, servers: 2, process: 10 s}
          - {name: b, process: 5 s}
        """
    )
    with pytest.raises(NotEligible) as info:
        check_eligible(sc)
    message = str(info.value)
    assert "station 'a' has 2 servers" in message and "wip_cap" in message


def models_in(annotation: object) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation refers to (through unions, tuples, Annotated ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


def undecided_fields(root: type[BaseModel]) -> list[str]:
    """Every ``Model.field`` reachable from ``root`` that :data:`FAST_PATH_FIELDS` does not
    decide, and every decision about a field that no longer exists."""
    problems, seen, todo = [], set(), [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        if model in REFUSED_MODELS:
            continue  # decided as a whole: refused
        rules = FAST_PATH_FIELDS.get(model)
        if rules is None:
            problems.append(f"{model.__name__} (the whole model)")
            rules = {}
        for name, info in model.model_fields.items():
            if name not in rules:
                problems.append(f"{model.__name__}.{name}")
            elif rules[name].required is not _ANY or not rules[name].descend:
                continue  # only one value is accepted, or the value never reaches the kernel
            todo.extend(models_in(info.annotation))
        problems += [f"{model.__name__}.{name} (stale)" for name in rules
                     if name not in model.model_fields]
    return problems


def test_every_scenario_field_has_a_fast_path_decision() -> None:
    """Scenario -> stations -> Station -> process -> each distribution, source -> Source:
    a field added to any of them must be given a rule in FAST_PATH_FIELDS."""
    assert undecided_fields(scenarios.Scenario) == []
    reached = set()
    todo: list[type[BaseModel]] = [scenarios.Scenario]
    while todo:
        model = todo.pop()
        if model in reached or model in REFUSED_MODELS:
            continue
        reached.add(model)
        for name, info in model.model_fields.items():
            rule = FAST_PATH_FIELDS[model][name]
            if rule.required is _ANY and rule.descend:
                todo.extend(models_in(info.annotation))
    # The walk through the accepted fields reaches every model in the table, and only those.
    assert reached == set(FAST_PATH_FIELDS)
    assert {scenarios.Station, scenarios.Source, scenarios.Exponential} <= reached
    assert len(reached) == 3 + len(scenarios.DIST_NAMES)


def test_time_models_are_refused_by_name() -> None:
    """A station whose process is a time model stays on the event engine (exit 2 via the CLI),
    instead of crashing the sampler."""
    sc = scenarios.loads(
        "linelab: 2\nname: t\nhorizon: 1 h\nstations:\n"
        "  - name: mold\n    process: {model: molding, drive: servo, close: 1 s, inject: 1 s,"
        " hold: 2 s, cool: 10 s, open: 1 s, eject: 1 s}\n"
    )
    with pytest.raises(NotEligible, match="molding-cycle time model"):
        check_eligible(sc)


class _StationWithFailures(scenarios.Station):
    """What a later format might add: a field the fast path has not been told about."""

    mtbf: float | None = None


def test_a_new_field_fails_the_walk_and_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model or field added without a decision is found by the walk, and --fast refuses it
    even at its default value (fail closed: the recursion may not represent it)."""
    sc = scenario(LINES["saturated"])
    check_eligible(sc)  # eligible as it is
    station = _StationWithFailures(**dict(sc.stations[0]))
    changed = sc.model_copy(update={"stations": (station, *sc.stations[1:])})
    assert "_StationWithFailures (the whole model)" in undecided_fields(_StationWithFailures)
    with pytest.raises(NotEligible, match="_StationWithFailures is not known to the fast path"):
        check_eligible(changed)
    # Decide the model's old fields but not the new one: the walk and --fast name it.
    monkeypatch.setitem(FAST_PATH_FIELDS, _StationWithFailures,
                        FAST_PATH_FIELDS[scenarios.Station])
    assert undecided_fields(_StationWithFailures) == ["_StationWithFailures.mtbf"]
    with pytest.raises(NotEligible, match="station 'a': 'mtbf' is not known to the fast path"):
        check_eligible(changed)


def test_cli_fast_refuses_with_exit_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "parallel.yaml"
    path.write_text(
        "linelab: 1\nname: p\nhorizon: 1 h\nstations: [{name: a, servers: 3, process: 10 s}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    assert main(["run", str(path), "--fast", "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--fast cannot run this scenario" in err and "3 servers" in err
    assert not out.exists()


def test_cli_fast_writes_the_same_json(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text(
        "linelab: 1\nname: l\nhorizon: 4 h\nreplications: 3\n"
        "stations: [{name: a, process: {dist: exponential, mean: 30 s}, buffer: 1},"
        " {name: b, process: {dist: exponential, mean: 35 s}}]\n",
        encoding="utf-8",
    )
    fast, des = tmp_path / "fast.json", tmp_path / "des.json"
    assert main(["run", str(path), "--fast", "--json", str(fast)]) == 0
    assert main(["run", str(path), "-j", "1", "--json", str(des)]) == 0
    f, d = json.loads(fast.read_text()), json.loads(des.read_text())
    assert f["method"] == "flowline" and d["method"] == "des"
    assert set(f) == set(d)
    assert f["kpis"]["throughput_per_hour"] == d["kpis"]["throughput_per_hour"]
    assert f["kpis"]["wip"]["mean"] == pytest.approx(d["kpis"]["wip"]["mean"], rel=1e-9)


@pytest.mark.parametrize("name", list(LINES))
def test_fast_path_in_small_chunks_equals_event_engine(name: str, monkeypatch) -> None:
    """Many chunks, each carrying the previous one's last parts as history: same results."""
    import simulator.fastpath as fastpath

    sc = scenario(LINES[name]).model_copy(update={"replications": 2})
    whole = run_fast(sc)
    monkeypatch.setattr(fastpath, "CHUNK_PARTS", 37)
    chunked = run_fast(sc)
    des = run_experiment(sc)
    for c, w, d in zip(chunked.replications, whole.replications, des.replications, strict=True):
        assert c.departed == w.departed == d.departed
        assert c.wip == pytest.approx(d.wip, rel=1e-9)
        assert c.cycle_time_s == pytest.approx(d.cycle_time_s, rel=1e-9)
        for station, cs in c.stations.items():
            assert cs.queue == pytest.approx(d.stations[station].queue, rel=1e-9, abs=1e-9)
            assert cs.states["blocked"] == pytest.approx(
                d.stations[station].states["blocked"], abs=1e-9
            )


@pytest.mark.parametrize("name", list(LINES))
def test_fast_path_agrees_with_event_engine_on_independent_streams(name: str) -> None:
    """Different seeds, so independent random numbers: the two estimates of throughput, cycle
    time and WIP must agree within their confidence intervals (Welch, 99.9 %)."""
    from scipy import stats as sps

    sc = scenario(LINES[name]).model_copy(update={"replications": 10})
    fast, des = run_fast(sc, seed=1001), run_experiment(sc, seed=2002)
    for kpi in ("throughput_per_hour", "cycle_time_s", "wip"):
        a = [v for v in fast.kpis[kpi].values if v is not None]
        b = [v for v in des.kpis[kpi].values if v is not None]
        test = sps.ttest_ind(a, b, equal_var=False)
        assert test.pvalue > 0.001, (kpi, fast.kpis[kpi].mean, des.kpis[kpi].mean)
    # ... and the comparison has power: throughput is known to within a few per cent.
    for result in (fast, des):
        stat = result.kpis["throughput_per_hour"]
        assert stat.half_width is not None and stat.mean is not None
        assert stat.half_width < 0.03 * stat.mean
