"""The equipment engine (``cells.workstation``, ``cells.resources``, ``cells.calendar``)
against exact results, built from plain parameters (no scenario file).

Pins down, each with the exact value derived here inside a 99.999 % confidence interval over
40 fixed-seed replications that is narrow enough to matter and excludes the exact answer of a
plausibly broken engine (``exact.assert_agrees``), or exact arithmetic for deterministic
cases:
- N machines tended by c operators = the finite-source (machine-interference) queue, for two
  (N, c): throughput, machine busy/tending/waiting shares, operator utilization -- and not the
  same queue with the tending counted twice, nor machines that never wait for an operator;
- one robot for N machines on both sides of the break-even ``N·tending = process + tending``;
- a saturated machine with failures makes ``rate·MTBF/(MTBF+MTTR)`` on the operating and the
  calendar basis (and with a repair crew) -- not with the repair time ignored or doubled;
- a machine that is often idle fails only while processing on the operating basis (down share
  ρ·MTTR/MTBF) and at any time on the calendar basis (MTTR/(MTBF+MTTR)), each not the other;
- setups with random product draws happen with probability ``1 − Σ share²`` (not on every
  part, not never);
- scrap leaves at the scrap rate and is not output;
- energy per part = power integrated over the state shares / output (the down state's power
  included, the busy power not drawn while down);
- a product mix at one station = Pollaczek–Khinchine with the mixture service time (not with
  the products' times swapped);
- routes skipping a station = a Jackson network with the product split (not with the shares
  of the products swapped);
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
    REPLICATIONS,
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
@pytest.mark.parametrize(("n", "c", "process", "tending", "horizon"),
                         [(5, 2, 100.0, 30.0, 560_000.0), (8, 3, 60.0, 25.0, 320_000.0)])
def test_machine_interference(n: int, c: int, process: float, tending: float,
                              horizon: float) -> None:
    """Exponential process and tending times (s); horizon (s) per replication. Wrong answers
    excluded: tending booked twice (the machine also runs the tending time after it, or the
    operator is held for twice the tending time), and machines that never wait for an operator
    (a unit released as the tending starts): N parts per process + tending."""
    exact = _interference(n, c, process, tending)
    twice = [_interference(n, c, process + tending, tending),
             _interference(n, c, process, 2 * tending)]
    free = n / (process + tending)
    warmup = 5_000.0
    thr, busy, tend, wait, util = [], [], [], [], []
    for rep in range(REPLICATIONS):
        line, st, res = _tended_group(n, c, process, tending, 71, rep)
        end = line.run(warmup, horizon)
        thr.append(line.traffic.departed / horizon)
        sh = line.shares(st, end, warmup)
        busy.append(sh["busy"])
        tend.append(sh["tending"])
        wait.append(sh["waiting_operator"])
        util.append(res.utilization(res.shares(end, warmup)))
        assert sum(sh.values()) == pytest.approx(1.0)
    assert_agrees("throughput", thr, exact["throughput_per_s"], 0.01,
                  wrong=[free] + [w["throughput_per_s"] for w in twice])
    assert_agrees("busy", busy, exact["busy"], 0.01, wrong=[w["busy"] for w in twice])
    assert_agrees("tending", tend, exact["tending"], 0.015, wrong=[w["tending"] for w in twice])
    assert_agrees("waiting", wait, exact["waiting"], 0.03, abs_width=0.002,
                  wrong=[0.0] + [w["waiting"] for w in twice])
    assert_agrees("operator utilization", util, exact["operator_utilization"], 0.01,
                  wrong=[w["operator_utilization"] for w in twice])


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
    """rate · MTBF/(MTBF + MTTR): 36/h × 2000/2200; down share MTTR/(MTBF + MTTR). Wrong
    answers excluded: the repair time ignored (36/h, never down) or doubled."""
    warmup, horizon = 10_000.0, 3_200_000.0
    thr, down = [], []
    for rep in range(REPLICATIONS):
        crew = Resource("fitters", "operator", 2) if basis == "crew" else None
        line, st = _failing_machine("calendar" if basis == "crew" else basis, rep, crew)
        end = line.run(warmup, horizon)
        thr.append(line.traffic.departed / horizon * 3600)
        down.append(line.shares(st, end, warmup)["down"])
    rate = 3600 / PROCESS
    assert_agrees("throughput", thr, rate * MTBF / (MTBF + MTTR), 0.01,
                  wrong=[rate, rate * MTBF / (MTBF + 2 * MTTR)])
    assert_agrees("down share", down, MTTR / (MTBF + MTTR), 0.05,
                  wrong=[0.0, 2 * MTTR / (MTBF + 2 * MTTR)])


@pytest.mark.slow
@pytest.mark.parametrize(("basis", "rel_width"), [("operating", 0.08), ("calendar", 0.05)])
def test_failure_basis_decides_whether_an_idle_machine_fails(basis: str,
                                                            rel_width: float) -> None:
    """A machine fed by Poisson arrivals every 100 s on average, 50 s per part (ρ = 0.5),
    MTBF 1000 s, MTTR 100 s, no repair crew. Operating basis: only processing uses up the time
    to failure, one failure per MTBF of busy time, so the down share is ρ·MTTR/MTBF = 0.05.
    Calendar basis: the clock runs whenever the machine is not under repair, idle or not, so
    the down share is MTTR/(MTBF + MTTR) = 0.091 whatever the load. Either way every part is
    processed once in full (an interrupted operation resumes): busy share ρ, throughput 36/h.
    Wrong answer excluded: the other basis's down share (the saturated test above cannot tell
    the two apart). The operating basis sees fewer failures per replication (about 750), hence
    its wider width limit."""
    mtbf, mttr = 1000.0, 100.0
    process, interarrival = 50.0, 100.0
    rho = process / interarrival
    down_share = {"operating": rho * mttr / mtbf, "calendar": mttr / (mtbf + mttr)}
    warmup, horizon = 10_000.0, 1_500_000.0
    busy, down, thr = [], [], []
    for rep in range(REPLICATIONS):
        line = CellsLine(traffic=ProductTraffic(1, lambda pid: 0))
        f = Failures(exp_sampler(mtbf, 7, rep, "stations.m.failures"),
                     exp_sampler(mttr, 7, rep, "stations.m.repair"), basis)
        st = Workstation(line.env, "m", 1, INF, lambda part, server: process, failures=f)
        line.stations.append(st)
        line.routed([[0]], exp_sampler(interarrival, 7, rep, "source.interarrival"))
        end = line.run(warmup, horizon)
        sh = line.shares(st, end, warmup)
        busy.append(sh["busy"])
        down.append(sh["down"])
        thr.append(line.traffic.departed / horizon * 3600)
    other = "calendar" if basis == "operating" else "operating"
    assert_agrees("down share", down, down_share[basis], rel_width, wrong=[down_share[other]])
    assert_agrees("busy share", busy, rho, 0.02)
    assert_agrees("throughput", thr, 3600 / interarrival, 0.02)


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
    """Products drawn independently by share: the next part differs with probability
    1 − Σ share², so a part takes process + setup·change s on average (s). Wrong answers
    excluded: a setup on every part, and none."""
    shares = (0.5, 0.3, 0.2)
    change = 1.0 - sum(s * s for s in shares)
    process, setup = 10.0, 5.0
    warmup, horizon = 1_000.0, 150_000.0
    thr, setup_share = [], []
    for rep in range(REPLICATIONS):
        line = CellsLine(traffic=ProductTraffic(3, product_chooser(shares, 9, rep)))
        st = Workstation(line.env, "m", 1, INF, lambda part, server: process,
                         setup=lambda a, b: setup)
        line.stations.append(st)
        line.serial()
        line.traffic.routes = [(st, line.sink)] * 3  # type: ignore[attr-defined]
        end = line.run(warmup, horizon)
        thr.append(line.traffic.departed / horizon)
        setup_share.append(line.shares(st, end, warmup)["setup"])
    assert_agrees("throughput", thr, 1.0 / (process + setup * change), 0.005,
                  wrong=[1.0 / (process + setup), 1.0 / process])
    assert_agrees("setup share", setup_share, setup * change / (process + setup * change), 0.01,
                  wrong=[setup / (process + setup), 0.0])


@pytest.mark.slow
def test_scrap_leaves_the_line() -> None:
    """A saturated 10 s machine scrapping 10 % of its parts: 360/h × 0.9 good parts leave
    through the sink and 36/h as scrap. Wrong answer excluded: scrap counted as output."""
    s, process = 0.1, 10.0
    warmup, horizon = 1_000.0, 200_000.0
    good, scrapped = [], []
    for rep in range(REPLICATIONS):
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
    assert_agrees("good output", good, 360 * (1 - s), 0.005, wrong=[360.0])
    assert_agrees("scrap per hour", scrapped, 360 * s, 0.03, wrong=[0.0])


@pytest.mark.slow
def test_energy_per_part_is_power_over_state_time() -> None:
    """kW by state integrated over time / good parts (kWh per part), a saturated machine with
    failures: (7.5·up + 0.2·down) kW / (36/h · up). Wrong answers excluded: the down state
    drawing nothing, or drawing the busy power."""
    power = {"busy": 7.5, "starved": 1.2, "blocked": 1.2, "down": 0.2}
    warmup, horizon = 10_000.0, 1_000_000.0
    per_part = []
    for rep in range(REPLICATIONS):
        line, st = _failing_machine("operating", rep, power=power)
        end = line.run(warmup, horizon)
        per_part.append(energy_kwh(st.servers, power, end) / line.traffic.departed)
    up = MTBF / (MTBF + MTTR)
    kw = 7.5 * up + 0.2 * (1 - up)
    parts_per_hour = 3600 / PROCESS * up
    assert_agrees("energy per part (kWh)", per_part, kw / parts_per_hour, 0.001,
                  wrong=[7.5 * up / parts_per_hour, 7.5 / parts_per_hour])


def _mixture(shares: tuple[float, ...], times: tuple[float, ...]) -> tuple[float, float]:
    """E[S] (s) and E[S²] (s²) of a service time that is ``times[i]`` with probability
    ``shares[i]``."""
    es = sum(p * t for p, t in zip(shares, times, strict=True))
    es2 = sum(p * t * t for p, t in zip(shares, times, strict=True))
    return es, es2


@pytest.mark.slow
def test_product_mix_matches_pollaczek_khinchine() -> None:
    """Poisson arrivals at ρ = 0.7, product a (60 %) 40 s, b (40 %) 100 s: M/G/1 with the
    mixture service time; each product waits the same Wq. Wrong answer excluded: the two
    products' times swapped."""
    shares, times = (0.6, 0.4), (40.0, 100.0)
    es, es2 = _mixture(shares, times)
    lam = 0.7 / es
    exact = mg1(lam, es, es2)
    swapped = mg1(lam, *_mixture(shares, times[::-1]))
    warmup, horizon = 20_000.0, 3_300_000.0
    w, w_a, w_b, util = [], [], [], []
    for rep in range(REPLICATIONS):
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
    assert_agrees("W", w, exact.w, 0.03, wrong=[swapped.w])
    assert_agrees("W product a", w_a, exact.wq + times[0], 0.03,
                  wrong=[swapped.wq + times[1]])
    assert_agrees("W product b", w_b, exact.wq + times[1], 0.03,
                  wrong=[swapped.wq + times[0]])
    assert_agrees("utilization", util, exact.rho, 0.01, wrong=[swapped.rho])


@pytest.mark.slow
def test_routes_skipping_a_station_match_jackson() -> None:
    """Product x (60 %) visits a, b, c; product y (40 %) skips b. Exponential single servers,
    Poisson arrivals: each station is M/M/1 with its own arrival rate. Wrong answer excluded:
    the shares swapped (40 % through b)."""
    lam = 1 / 100.0
    means = (70.0, 90.0, 60.0)
    rates = (lam, 0.6 * lam, lam)
    qs = [mm1(r, 1 / m) for r, m in zip(rates, means, strict=True)]
    b_swapped = mm1(0.4 * lam, 1 / means[1])
    warmup, horizon = 50_000.0, 2_400_000.0
    w_x, w_y, wip = [], [], []
    for rep in range(REPLICATIONS):
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
    assert_agrees("W product x", w_x, qs[0].w + qs[1].w + qs[2].w, 0.05,
                  wrong=[qs[0].w + b_swapped.w + qs[2].w])
    assert_agrees("W product y", w_y, qs[0].w + qs[2].w, 0.05)
    assert_agrees("WIP", wip, sum(q.l for q in qs), 0.05,
                  wrong=[qs[0].l + b_swapped.l + qs[2].l])


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
