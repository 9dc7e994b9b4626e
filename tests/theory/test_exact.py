"""Self-checks of the exact queueing results in ``exact.py`` (no engine needed).

Pins down that every expected value the engine is later compared with is itself right:
M/M/1 and Erlang C against a brute-force birth–death chain and textbook special cases,
Pollaczek–Khinchine against M/M/1 and M/D/1, the service-time moments against scipy's
distributions and numerical integration, exact MVA (with load-dependent multi-server
stations) against the brute-force CTMC of the closed network, and the finite-buffer flow-line
CTMC against the two-station closed form (2μ/3 for equal rates and no buffer) and against an
independent Monte Carlo departure-time recursion for three stations; with multi-server
stations, against the two-station birth–death chain (parts at station 2 plus blocked servers
of station 1) and flow conservation.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy import stats as sps

from tests.theory.exact import (
    closed_ctmc,
    erlang_c,
    flow_line,
    mg1,
    mm1,
    mmc,
    moments,
    mva,
    scenario_yaml,
    solve_ctmc,
    truncated_normal_moments,
    two_station_throughput,
)


def birth_death_mmc(lam: float, mu: float, c: int, cap: int = 400) -> tuple[float, float]:
    """(P(wait), L) of M/M/c by solving a birth–death chain truncated at ``cap`` parts."""
    states = list(range(cap + 1))

    def moves(n: int) -> list[tuple[int, float]]:
        out = []
        if n < cap:
            out.append((n + 1, lam))
        if n > 0:
            out.append((n - 1, min(n, c) * mu))
        return out

    pi = solve_ctmc(states, moves)
    return float(pi[c:].sum()), float(np.dot(pi, states))


def test_mm1_formulas_are_consistent() -> None:
    lam, mu = 0.7, 1.0
    q = mm1(lam, mu)
    assert q.rho == pytest.approx(0.7)
    assert q.l == pytest.approx(lam * q.w)  # Little
    assert q.lq == pytest.approx(lam * q.wq)
    assert q.w == pytest.approx(q.wq + 1 / mu)
    assert q.l == pytest.approx(q.lq + q.rho)
    c1 = mmc(lam, mu, 1)
    assert (c1.w, c1.l, c1.lq) == pytest.approx((q.w, q.l, q.lq))
    es, es2 = moments({"dist": "exponential", "mean": 1 / mu})
    g = mg1(lam, es, es2)
    assert (g.w, g.l, g.lq) == pytest.approx((q.w, q.l, q.lq))


@pytest.mark.parametrize(("lam", "mu", "c"), [(1.4, 1.0, 2), (2.1, 1.0, 3), (0.05, 1 / 30, 2)])
def test_erlang_c_matches_birth_death_chain(lam: float, mu: float, c: int) -> None:
    p_wait, l_ref = birth_death_mmc(lam, mu, c)
    assert erlang_c(c, lam / mu) == pytest.approx(p_wait, rel=1e-9)
    assert mmc(lam, mu, c).l == pytest.approx(l_ref, rel=1e-9)


def test_erlang_c_special_cases() -> None:
    for rho in (0.3, 0.5, 0.8):
        assert erlang_c(1, rho) == pytest.approx(rho)  # M/M/1 waits with probability ρ
        assert erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))  # M/M/2
    with pytest.raises(ValueError):
        erlang_c(2, 2.0)


def test_pollaczek_khinchine_md1() -> None:
    lam, d = 0.6, 1.0
    q = mg1(lam, *moments({"dist": "constant", "value": d}))
    rho = lam * d
    assert q.lq == pytest.approx(rho**2 / (2 * (1 - rho)))  # M/D/1: half the M/M/1 queue
    assert q.lq == pytest.approx(mm1(lam, 1 / d).lq / 2)


@pytest.mark.parametrize(("mean", "sd"), [(10.0, 3.0), (10.0, 8.0), (2.0, 5.0), (5.0, 0.0)])
def test_truncated_normal_moments(mean: float, sd: float) -> None:
    m1, m2 = truncated_normal_moments(mean, sd)
    if sd == 0:
        assert (m1, m2) == (mean, mean**2)
        return
    ref = sps.truncnorm(a=-mean / sd, b=np.inf, loc=mean, scale=sd)
    assert m1 == pytest.approx(ref.mean(), rel=1e-9)
    assert m2 == pytest.approx(ref.moment(2), rel=1e-9)
    # And straight from the definition: density of N(m, s²) renormalised on [0, ∞).
    z = sps.norm.sf(0.0, mean, sd)
    i1 = integrate.quad(lambda x: x * sps.norm.pdf(x, mean, sd), 0, np.inf)[0] / z
    i2 = integrate.quad(lambda x: x * x * sps.norm.pdf(x, mean, sd), 0, np.inf)[0] / z
    assert (m1, m2) == pytest.approx((i1, i2), rel=1e-7)


@pytest.mark.parametrize(
    ("spec", "ref"),
    [
        ({"dist": "constant", "value": 7.0}, None),
        ({"dist": "exponential", "mean": 4.0}, sps.expon(scale=4.0)),
        ({"dist": "lognormal", "mean": 10.0, "cv": 0.5},
         sps.lognorm(s=math.sqrt(math.log(1.25)), scale=10.0 / math.sqrt(1.25))),
        ({"dist": "uniform", "low": 2.0, "high": 9.0}, sps.uniform(loc=2.0, scale=7.0)),
        ({"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
         sps.triang(c=0.2, loc=1.0, scale=5.0)),
    ],
)
def test_distribution_moments_match_scipy(spec: dict, ref: sps.rv_continuous | None) -> None:
    m1, m2 = moments(spec)
    if ref is None:
        assert (m1, m2) == (7.0, 49.0)
    else:
        assert (m1, m2) == pytest.approx((ref.mean(), ref.moment(2)), rel=1e-9)


def test_empirical_moments() -> None:
    xs = [3.0, 5.0, 5.0, 11.0]
    assert moments({"dist": "empirical", "values": xs}) == pytest.approx(
        (np.mean(xs), np.mean(np.square(xs))))


@pytest.mark.parametrize(
    "stations",
    [
        [(1.0, 1), (1.0, 1), (1.0, 1)],
        [(1 / 40, 1), (1 / 70, 2), (1 / 30, 1)],
        [(2.0, 3), (0.7, 1)],
        [(1.0, 2), (1.5, 3), (0.8, 1), (1.2, 2)],
    ],
)
def test_mva_matches_closed_ctmc(stations: list[tuple[float, int]]) -> None:
    for n in range(1, 7):
        a, b = mva(stations, n), closed_ctmc(stations, n)
        assert a.x == pytest.approx(b.x, rel=1e-10)
        assert a.q == pytest.approx(b.q, rel=1e-9, abs=1e-12)
        assert sum(a.q) == pytest.approx(n)
        for k in range(len(stations)):
            assert a.p[k] == pytest.approx(b.p[k], rel=1e-8, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.2, 5.0), st.integers(1, 3)), min_size=1, max_size=3),
    st.integers(1, 5),
)
def test_mva_matches_closed_ctmc_random(stations: list[tuple[float, int]], n: int) -> None:
    assert mva(stations, n).x == pytest.approx(closed_ctmc(stations, n).x, rel=1e-9)


def test_mva_limits() -> None:
    line = [(1 / 40, 1), (1 / 70, 2), (1 / 30, 1)]
    # One part: no queueing, X = 1 / Σ mean service times.
    assert mva(line, 1).x == pytest.approx(1 / (40 + 70 + 30))
    # Many parts: X tends to the bottleneck rate min_k c_k μ_k (here the first, 1/40 s⁻¹).
    assert mva(line, 200).x == pytest.approx(1 / 40, rel=1e-6)
    # Throughput grows with the population.
    xs = [mva(line, n).x for n in range(1, 10)]
    assert all(b > a for a, b in itertools.pairwise(xs))


def test_two_station_line_closed_form_equal_rates_no_buffer() -> None:
    mu = 1 / 50
    line = flow_line([mu, mu], [0, 0])
    assert line.n_states == 3
    assert line.x == pytest.approx(2 * mu / 3)  # the textbook result
    assert line.blocked[0] == pytest.approx(1 / 3)
    assert line.starved[1] == pytest.approx(1 / 3)
    assert two_station_throughput(mu, mu, 0) == pytest.approx(2 * mu / 3)


@pytest.mark.parametrize("buffer", [0, 1, 2, 5])
@pytest.mark.parametrize(("mu1", "mu2"), [(1.0, 1.0), (1.0, 1.5), (1.3, 0.9)])
def test_two_station_line_matches_birth_death_form(buffer: int, mu1: float, mu2: float) -> None:
    line = flow_line([mu1, mu2], [0, buffer])
    assert line.n_states == buffer + 3  # n2 = 0..B+1 unblocked, plus station 1 blocked
    assert line.x == pytest.approx(two_station_throughput(mu1, mu2, buffer), rel=1e-10)


def two_station_birth_death(mu1: float, c1: int, mu2: float, c2: int,
                            buffer: int) -> tuple[float, float, float]:
    """(X, mean buffer content at station 2, blocked share of station 1) of a saturated
    two-station line with c1 and c2 servers, by a birth–death chain.

    n = parts at station 2 + blocked servers of station 1, 0..cap + c1 with cap = buffer + c2.
    Station 1's unblocked servers, c1 − max(n − cap, 0), each finish at rate μ1 (n + 1: the
    part enters station 2, or its server blocks when station 2 holds cap parts); station 2
    works min(n, c2) parts at rate μ2 each (n − 1: a blocked part, if any, takes the place).
    π_n ∝ Π birth/death rates.
    """
    cap = buffer + c2
    top = cap + c1
    weights = [1.0]
    for n in range(top):
        weights.append(weights[-1] * (c1 - max(n - cap, 0)) * mu1 / (min(n + 1, c2) * mu2))
    pi = np.array(weights) / sum(weights)
    ns = np.arange(top + 1)
    x = float(np.sum(pi * np.minimum(ns, c2)) * mu2)
    queue = float(np.sum(pi * np.maximum(np.minimum(ns, cap) - c2, 0)))
    blocked = float(np.sum(pi * np.maximum(ns - cap, 0)) / c1)
    return x, queue, blocked


@pytest.mark.parametrize(("c1", "c2"), [(1, 2), (2, 1), (2, 2), (3, 2)])
@pytest.mark.parametrize("buffer", [0, 1, 2, 4])
def test_multiserver_two_station_line_matches_birth_death(c1: int, c2: int,
                                                          buffer: int) -> None:
    mu1, mu2 = 1 / 30, 1 / 55
    line = flow_line([mu1, mu2], [0, buffer], [c1, c2])
    x, queue, blocked = two_station_birth_death(mu1, c1, mu2, c2, buffer)
    assert line.x == pytest.approx(x, rel=1e-10)
    assert line.queue[1] == pytest.approx(queue, rel=1e-9, abs=1e-12)
    assert line.blocked[0] == pytest.approx(blocked, rel=1e-9, abs=1e-12)
    assert line.n_states == buffer + c2 + c1 + 1


def test_multiserver_line_buffer_matters() -> None:
    """One place more or less in a buffer moves every KPI: the chain sees the capacity."""
    rates, servers = [1 / 50, 1 / 55, 1 / 28], [2, 2, 1]
    lines = [flow_line(rates, [0, b, 1], servers) for b in (1, 2, 3)]
    assert lines[0].x < lines[1].x < lines[2].x
    assert lines[0].queue[1] < lines[1].queue[1] < lines[2].queue[1]
    assert lines[0].blocked[0] > lines[1].blocked[0] > lines[2].blocked[0]


@pytest.mark.parametrize(
    ("rates", "buffers"),
    [([1.0, 1.0], [0, 1]), ([1.0, 0.8, 1.2], [0, 0, 0]), ([1.0, 1.0, 1.0], [0, 1, 2]),
     ([0.9, 1.3, 1.0, 1.1], [0, 1, 0, 2])],
)
@pytest.mark.parametrize("multi", [False, True])
def test_flow_line_conservation(rates: list[float], buffers: list[int], multi: bool) -> None:
    servers = [2 if multi and k % 2 else 1 for k in range(len(rates))]  # multi: odd k have 2
    line = flow_line(rates, buffers, servers)
    for k, (mu, c) in enumerate(zip(rates, servers, strict=True)):
        assert c * mu * line.busy[k] == pytest.approx(line.x, rel=1e-10)  # flow conservation
        assert line.busy[k] + line.starved[k] + line.blocked[k] == pytest.approx(1.0)
        assert line.parts[k] == pytest.approx(
            line.queue[k] + c * (line.busy[k] + line.blocked[k]))
    assert line.starved[0] == 0.0
    assert line.blocked[-1] == 0.0
    assert line.cycle * line.x == pytest.approx(line.wip)


def test_flow_line_large_buffers_approach_bottleneck() -> None:
    line = flow_line([1.0, 0.7, 1.2], [0, 30, 30])
    assert line.x == pytest.approx(0.7, rel=2e-3)
    assert line.x < 0.7


def departure_recursion(rates: list[float], buffers: list[int], n_parts: int,
                        seed: int) -> tuple[float, float]:
    """Independent Monte Carlo reference for a saturated line with blocking after service.

    D[i][k] = time part i leaves station k; part i starts at k at S = max(D[i][k−1],
    D[i−1][k]) (the part has arrived, the server is free); it may leave when the station
    downstream holds fewer than b+1 parts, i.e. once part i−b−1 has left k+1:
    D[i][k] = max(S + p, D[i−b−1][k+1]). Station 0 starts part i when part i−1 leaves it.
    Returns (throughput over the second half, station 0's blocked share over the same span).
    """
    rng = np.random.default_rng(seed)
    k_count = len(rates)
    p = rng.exponential(1.0, size=(n_parts, k_count)) / np.array(rates)
    d = np.zeros((n_parts, k_count))
    blocked0 = np.zeros(n_parts)
    for i in range(n_parts):
        for k in range(k_count):
            arrived = 0.0 if k == 0 else d[i, k - 1]
            free = d[i - 1, k] if i > 0 else 0.0
            done = max(arrived, free) + p[i, k]
            if k < k_count - 1:
                j = i - buffers[k + 1] - 1
                room = d[j, k + 1] if j >= 0 else 0.0
                d[i, k] = max(done, room)
                if k == 0:
                    blocked0[i] = d[i, k] - done
            else:
                d[i, k] = done
    half = n_parts // 2
    span = d[-1, -1] - d[half, -1]
    x = (n_parts - 1 - half) / span
    return x, float(blocked0[half + 1:].sum() / (d[-1, 0] - d[half, 0]))


def test_three_station_chain_matches_monte_carlo_recursion() -> None:
    rates, buffers = [1.0, 0.8, 1.1], [0, 1, 0]
    exact_line = flow_line(rates, buffers)
    x, blocked0 = departure_recursion(rates, buffers, n_parts=60_000, seed=3)
    assert x == pytest.approx(exact_line.x, rel=0.02)
    assert blocked0 == pytest.approx(exact_line.blocked[0], abs=0.01)


def test_scenario_yaml_is_plain_yaml() -> None:
    text = scenario_yaml(
        "t", [{"name": "a", "servers": 2, "buffer": 0,
               "process": {"dist": "empirical", "values": [1.0, 2.5]}}],
        horizon_s=100.0, warmup_s=10.0, replications=3, seed=5, interarrival_mean_s=2.0,
        wip_cap=4)
    doc = yaml.safe_load(text)
    assert doc["stations"][0]["process"] == {"dist": "empirical", "values": [1.0, 2.5]}
    assert doc["source"]["interarrival"] == {"dist": "exponential", "mean": 2.0}
    assert (doc["wip_cap"], doc["horizon"], doc["warmup"]) == (4, 100, 10)
