"""The equipment engine (``cells.workstation``, ``cells.resources``, ``cells.calendar``)
against exact results, built from plain parameters (no scenario file).

Pins down, each with the exact value derived here and a tight 99 % CI over fixed-seed
replications (or exact arithmetic for deterministic cases):
- N machines tended by c operators = the finite-source (machine-interference) queue, for two
  (N, c): throughput, machine busy/tending/waiting shares, operator utilization;
- one robot for N machines on both sides of the break-even ``N·tending = process + tending``;
- a saturated machine with failures makes ``rate·MTBF/(MTBF+MTTR)`` on the operating and the
  calendar basis (and with a repair crew);
- setups with random product draws happen with probability ``1 − Σ share²``;
- scrap leaves at the scrap rate and is not output;
- energy per part = power integrated over the state shares / output;
- a product mix at one station = Pollaczek–Khinchine with the mixture service time;
- routes skipping a station = a Jackson network with the product split;
- shifts and breaks cut output in proportion to working time.
"""

from __future__ import annotations

import math

import pytest

from cells.equipment import energy_kwh
from cells.parts import ProductTraffic
from cells.resources import Resource
from cells.workstation import Failures, Workstation
from tests.theory.exact import assert_agrees, mg1, mm1
from tests.theory.v2cells import (
    CellsLine,
    const_sampler,
    exp_sampler,
    part_key,
    product_chooser,
)

INF = math.inf


def _interference(n: int, c: int, process: float, tending: float) -> dict[str, float]:
    """Finite-source queue: state k = machines waiting for or being tended by an operator.

    Birth rate (N−k)/process, death rate min(k, c)/tending; returns the exact means.
    """
    lam, mu = 1.0 / process, 1.0 / tending
    p = [1.0]
    for k in range(n):
        p.append(p[-1] * (n - k) * lam / (min(k + 1, c) * mu))
    total = sum(p)
    p = [x / total for x in p]
    served = sum(pk * min(k, c) for k, pk in enumerate(p))
    up = sum(pk * (n - k) for k, pk in enumerate(p))
    return {
        "throughput_per_s": served * mu,
        "busy": up / n,
        "tending": served / n,
        "waiting": (n - up - served) / n,
        "operator_utilization": served / c,
    }


def _tended_group(n: int, c: int, process: float, tending: float, seed: int, rep: int,
                  kind: str = "operator", constant: bool = False) -> tuple[CellsLine, Workstation,
                                                                           Resource]:
    line = CellsLine()
    res = Resource("crew", kind, c)
    if constant:
        proc, tend = const_sampler(process), const_sampler(tending)
    else:
        proc = exp_sampler(process, seed, rep, "stations.m.process")
        tend = exp_sampler(tending, seed, rep, "stations.m.tending")
    st = Workstation(line.env, "m", n, INF, lambda part, server: proc(),
                     tended_by=res, tending_time=lambda part, server: tend())
    line.stations.append(st)
    line.resources.append(res)
    line.serial()
    return line, st, res


@pytest.mark.slow
@pytest.mark.parametrize(("n", "c", "process", "tending"), [(5, 2, 100.0, 30.0),
                                                            (8, 3, 60.0, 25.0)])
def test_machine_interference(n: int, c: int, process: float, tending: float) -> None:
    exact = _interference(n, c, process, tending)
    warmup, horizon = 5_000.0, 400_000.0
    thr, busy, tend, wait, util = [], [], [], [], []
    for rep in range(10):
        line, st, res = _tended_group(n, c, process, tending, 71, rep)
        end = line.run(warmup, horizon)
        thr.append(line.traffic.departed / horizon)
        sh = line.shares(st, end, warmup)
        busy.append(sh["busy"])
        tend.append(sh["tending"])
        wait.append(sh["waiting_operator"])
        util.append(res.utilization(res.shares(end, warmup)))
        assert sum(sh.values()) == pytest.approx(1.0)
    assert_agrees("throughput", thr, exact["throughput_per_s"], 0.01)
    assert_agrees("busy", busy, exact["busy"], 0.01)
    assert_agrees("tending", tend, exact["tending"], 0.015)
    assert_agrees("waiting", wait, exact["waiting"], 0.03, abs_width=0.002)
    assert_agrees("operator utilization", util, exact["operator_utilization"], 0.01)


@pytest.mark.parametrize("n", [4, 5, 7, 8])
def test_one_robot_for_n_machines_break_even(n: int) -> None:
    """Constant times: machine-bound (N·T < P + T) each machine cycles in P + T; robot-bound
    the robot never rests and the group makes one part per T."""
    process, tending = 100.0, 20.0
    line, st, res = _tended_group(n, 1, process, tending, 0, 0, kind="robot", constant=True)
    warmup, horizon = 12_000.0, 120_000.0
    end = line.run(warmup, horizon)
    cycle = max(process + tending, n * tending)
    assert line.traffic.departed / horizon == pytest.approx(n / cycle, rel=1e-3)
    robot = res.utilization(res.shares(end, warmup))
    assert robot == pytest.approx(min(1.0, n * tending / (process + tending)), rel=1e-3)
    sh = line.shares(st, end, warmup)
    assert sh["busy"] == pytest.approx(process / cycle, rel=1e-3)
    assert sh["waiting_robot"] == pytest.approx(1 - (process + tending) / cycle, abs=1e-3)


PROCESS, MTBF, MTTR = 100.0, 2000.0, 200.0


def _failing_machine(basis: str, rep: int, crew: Resource | None = None,
                     power: dict[str, float] | None = None) -> tuple[CellsLine, Workstation]:
    line = CellsLine()
    f = Failures(exp_sampler(MTBF, 5, rep, "stations.m.failures"),
                 exp_sampler(MTTR, 5, rep, "stations.m.repair"), basis, crew)
    st = Workstation(line.env, "m", 1, INF, lambda part, server: PROCESS, failures=f,
                     power=power)
    line.stations.append(st)
    if crew is not None:
        line.resources.append(crew)
    line.serial()
    return line, st


@pytest.mark.slow
@pytest.mark.parametrize("basis", ["operating", "calendar", "crew"])
def test_saturated_machine_with_failures(basis: str) -> None:
    """rate · MTBF/(MTBF + MTTR): 36/h × 2000/2200; down share MTTR/(MTBF + MTTR)."""
    warmup, horizon = 10_000.0, 4_000_000.0
    thr, down = [], []
    for rep in range(10):
        crew = Resource("fitters", "operator", 2) if basis == "crew" else None
        line, st = _failing_machine("calendar" if basis == "crew" else basis, rep, crew)
        end = line.run(warmup, horizon)
        thr.append(line.traffic.departed / horizon * 3600)
        down.append(line.shares(st, end, warmup)["down"])
    assert_agrees("throughput", thr, 3600 / PROCESS * MTBF / (MTBF + MTTR), 0.01)
    assert_agrees("down share", down, MTTR / (MTBF + MTTR), 0.05)


def test_failures_split_an_operation_without_extra_events() -> None:
    """Operating basis: an operation with no failure in it costs one event; the run is
    reproducible and the busy time lost equals the down time exactly (saturated)."""
    line, st = _failing_machine("operating", 0)
    end = line.run(0.0, 200_000.0)
    sh = line.shares(st, end, 0.0)
    assert sh["busy"] + sh["down"] == pytest.approx(1.0)
    ops = line.traffic.departed
    assert ops == pytest.approx(sh["busy"] * 200_000.0 / PROCESS, abs=1.0)


@pytest.mark.slow
def test_setups_follow_change_probability() -> None:
    shares = (0.5, 0.3, 0.2)
    change = 1.0 - sum(s * s for s in shares)
    process, setup = 10.0, 5.0
    warmup, horizon = 1_000.0, 500_000.0
    thr, setup_share = [], []
    for rep in range(10):
        line = CellsLine(traffic=ProductTraffic(3, product_chooser(shares, 9, rep)))
        st = Workstation(line.env, "m", 1, INF, lambda part, server: process,
                         setup=lambda a, b: setup)
        line.stations.append(st)
        line.serial()
        line.traffic.routes = [(st, line.sink)] * 3  # type: ignore[attr-defined]
        end = line.run(warmup, horizon)
        thr.append(line.traffic.departed / horizon)
        setup_share.append(line.shares(st, end, warmup)["setup"])
    assert_agrees("throughput", thr, 1.0 / (process + setup * change), 0.005)
    assert_agrees("setup share", setup_share, setup * change / (process + setup * change), 0.01)


@pytest.mark.slow
def test_scrap_leaves_the_line() -> None:
    s, process = 0.1, 10.0
    warmup, horizon = 1_000.0, 400_000.0
    good, scrapped = [], []
    for rep in range(10):
        line = CellsLine(traffic=ProductTraffic(1, lambda pid: 0))
        st = Workstation(line.env, "m", 1, INF, lambda part, server: process, scrap=s,
                         scrap_key=part_key(3, rep, "stations.m.scrap"))
        line.stations.append(st)
        line.serial()
        line.traffic.routes = [(st, line.sink)]  # type: ignore[attr-defined]
        line.run(warmup, horizon)
        traffic: ProductTraffic = line.traffic  # type: ignore[assignment]
        good.append(traffic.departed / horizon * 3600)
        scrapped.append(traffic.scrapped / horizon * 3600)
        assert st.scrapped == traffic.scrapped
        assert int(traffic.wip.value) == 1  # the part in service; scrapped parts left WIP
    assert_agrees("good output", good, 360 * (1 - s), 0.005)
    assert_agrees("scrap per hour", scrapped, 360 * s, 0.03)


@pytest.mark.slow
def test_energy_per_part_is_power_over_state_time() -> None:
    power = {"busy": 7.5, "starved": 1.2, "blocked": 1.2, "down": 0.2}
    warmup, horizon = 10_000.0, 4_000_000.0
    per_part = []
    for rep in range(10):
        line, st = _failing_machine("operating", rep, power=power)
        end = line.run(warmup, horizon)
        per_part.append(energy_kwh(st.servers, power, end) / line.traffic.departed)
    up = MTBF / (MTBF + MTTR)
    kw = 7.5 * up + 0.2 * (1 - up)
    parts_per_hour = 3600 / PROCESS * up
    assert_agrees("energy per part (kWh)", per_part, kw / parts_per_hour, 0.005)


@pytest.mark.slow
def test_product_mix_matches_pollaczek_khinchine() -> None:
    shares, times = (0.6, 0.4), (40.0, 100.0)
    es = sum(p * t for p, t in zip(shares, times, strict=True))
    es2 = sum(p * t * t for p, t in zip(shares, times, strict=True))
    lam = 0.7 / es
    exact = mg1(lam, es, es2)
    warmup, horizon = 20_000.0, 3_000_000.0
    w, w_a, w_b, util = [], [], [], []
    for rep in range(12):
        line = CellsLine(traffic=ProductTraffic(2, product_chooser(shares, 11, rep)))
        st = Workstation(line.env, "m", 1, INF, lambda part, server: times[part.product])
        line.stations.append(st)
        line.routed([[0], [0]], exp_sampler(1 / lam, 11, rep, "source.interarrival"))
        end = line.run(warmup, horizon)
        traffic: ProductTraffic = line.traffic  # type: ignore[assignment]
        w.append(traffic.cycle_time.mean)
        w_a.append(traffic.by_product[0].mean)
        w_b.append(traffic.by_product[1].mean)
        util.append(line.shares(st, end, warmup)["busy"])
    assert_agrees("W", w, exact.w, 0.03)
    assert_agrees("W product a", w_a, exact.wq + times[0], 0.03)
    assert_agrees("W product b", w_b, exact.wq + times[1], 0.03)
    assert_agrees("utilization", util, exact.rho, 0.01)


@pytest.mark.slow
def test_routes_skipping_a_station_match_jackson() -> None:
    """Product x (60 %) visits a, b, c; product y (40 %) skips b. Exponential single servers,
    Poisson arrivals: each station is M/M/1 with its own arrival rate."""
    lam = 1 / 100.0
    means = (70.0, 90.0, 60.0)
    rates = (lam, 0.6 * lam, lam)
    qs = [mm1(r, 1 / m) for r, m in zip(rates, means, strict=True)]
    warmup, horizon = 50_000.0, 3_000_000.0
    w_x, w_y, wip = [], [], []
    for rep in range(12):
        line = CellsLine(traffic=ProductTraffic(2, product_chooser((0.6, 0.4), 13, rep)))
        for name, mean in zip("abc", means, strict=True):
            sampler = exp_sampler(mean, 13, rep, f"stations.{name}.process")
            line.stations.append(Workstation(line.env, name, 1, INF,
                                             lambda part, server, s=sampler: s()))
        line.routed([[0, 1, 2], [0, 2]], exp_sampler(1 / lam, 13, rep, "source.interarrival"))
        end = line.run(warmup, horizon)
        traffic: ProductTraffic = line.traffic  # type: ignore[assignment]
        w_x.append(traffic.by_product[0].mean)
        w_y.append(traffic.by_product[1].mean)
        wip.append(traffic.wip.mean(end))
    assert_agrees("W product x", w_x, qs[0].w + qs[1].w + qs[2].w, 0.03)
    assert_agrees("W product y", w_y, qs[0].w + qs[2].w, 0.03)
    assert_agrees("WIP", wip, sum(q.l for q in qs), 0.03)


H = 3600.0
DAY = 24 * H


def _week(shifts: list[tuple[float, float]], breaks: list[tuple[float, float]],
          days: range) -> list[tuple[float, float]]:
    """Working intervals of a week (shifts minus breaks), written out by hand."""
    out = []
    for d in days:
        for a, b in shifts:
            pieces = [(d * DAY + a, d * DAY + b)]
            for s, dur in breaks:
                cut = (d * DAY + s, d * DAY + s + dur)
                nxt = []
                for x, y in pieces:
                    if cut[1] <= x or cut[0] >= y:
                        nxt.append((x, y))
                    else:
                        if x < cut[0]:
                            nxt.append((x, cut[0]))
                        if cut[1] < y:
                            nxt.append((cut[1], y))
                pieces = nxt
            out.extend(pieces)
    return sorted(out)


@pytest.mark.parametrize("who", ["station", "operator"])
def test_shifts_and_breaks_cut_output_in_proportion(who: str) -> None:
    """Two shifts 06–14, 14–22 with a 30 min break at 10:00, Monday to Friday: a saturated
    10 s station (or one operated by an operator on those shifts) makes 360/h × working share
    over whole weeks."""
    week = _week([(6 * H, 14 * H), (14 * H, 22 * H)], [(10 * H, 1800.0)], range(5))
    share = sum(b - a for a, b in week) / (7 * DAY)
    assert share == pytest.approx(5 * 15.5 / 168)
    line = CellsLine()
    if who == "station":
        st = Workstation(line.env, "m", 1, INF, lambda part, server: 10.0, shifts=True)
        line.follow(week, st)
    else:
        ops = Resource("ops", "operator", 1)
        line.resources.append(ops)
        st = Workstation(line.env, "m", 1, INF, lambda part, server: 10.0, operated_by=ops)
        line.follow(week, ops)
    line.stations.append(st)
    line.serial()
    weeks = 3
    end = line.run(0.0, weeks * 7 * DAY)
    assert line.traffic.departed == pytest.approx(360 * share * weeks * 7 * 24, abs=1)
    if who == "operator":
        r = line.resources[0]
        sh = r.shares(end, 0.0)
        assert sh["operating"] == pytest.approx(share, abs=1e-4)
        assert sh["off_shift"] == pytest.approx(1 - share, abs=1e-4)
        assert line.shares(st, end, 0.0)["waiting_operator"] == pytest.approx(1 - share,
                                                                               abs=1e-4)
    else:
        assert line.shares(st, end, 0.0)["off_shift"] == pytest.approx(1 - share, abs=1e-4)
