"""The engine reproduces M/M/1 and M/M/c (Erlang C) steady-state means.

A one-station line fed by a Poisson source, exponential service, unlimited buffer: the mean
cycle time W, WIP L, utilisation ρ = λ/(cμ) and mean queue in the buffer Lq must match the
exact values (derived in ``exact.py``) within the engine's confidence interval
(``exact.assert_agrees``), and that interval must be narrow enough (half-width < 5% of the
value) for the check to mean something. For c = 2 and 3 the single station has c identical
servers sharing one buffer.
"""

from __future__ import annotations

import pytest

from tests.theory.exact import QueueKPIs, assert_agrees, mm1, mmc, scenario_yaml, simulate

REPLICATIONS = 40
WARMUP_S = 20_000.0  # ≈ 250 mean service times: far past the relaxation time at ρ ≤ 0.75

# (id, mean interarrival s, mean service s, servers, horizon s per replication)
CASES = [
    ("mm1", 100.0, 70.0, 1, 6_000_000.0),  # ρ = 0.70
    ("mm2", 50.0, 70.0, 2, 4_000_000.0),  # ρ = 0.70
    ("mm3", 40.0, 90.0, 3, 4_500_000.0),  # ρ = 0.75
]

SCENARIOS = {
    cid: scenario_yaml(
        f"theory {cid}",
        [{"name": "cell", "servers": c, "process": {"dist": "exponential", "mean": svc}}],
        horizon_s=horizon, warmup_s=WARMUP_S, replications=REPLICATIONS, seed=11 + c,
        interarrival_mean_s=ia,
    )
    for cid, ia, svc, c, horizon in CASES
}


def expected(ia: float, svc: float, c: int) -> QueueKPIs:
    return mm1(1 / ia, 1 / svc) if c == 1 else mmc(1 / ia, 1 / svc, c)


@pytest.mark.slow
@pytest.mark.parametrize(("cid", "ia", "svc", "c", "horizon"), CASES, ids=[c[0] for c in CASES])
def test_mmc_station_matches_exact(cid: str, ia: float, svc: float, c: int,
                                   horizon: float) -> None:
    exact = expected(ia, svc, c)
    if c == 1:  # the single-server formulas are the c = 1 case of Erlang C
        assert exact.w == pytest.approx(mmc(1 / ia, 1 / svc, 1).w)
    res = simulate(SCENARIOS[cid])
    assert_agrees(f"{cid} cycle_time_s", res.kpis["cycle_time_s"].values, exact.w)
    assert_agrees(f"{cid} wip", res.kpis["wip"].values, exact.l)
    assert_agrees(f"{cid} throughput_per_hour", res.kpis["throughput_per_hour"].values,
                  3600.0 / ia)
    cell = res.stations["cell"]
    assert_agrees(f"{cid} utilization", cell.utilization.values, exact.rho)
    assert_agrees(f"{cid} starved", cell.states["starved"].values, 1.0 - exact.rho)
    assert all(v == 0.0 for v in cell.states["blocked"].values)  # nothing downstream
    assert_agrees(f"{cid} queue (Lq)", cell.queue.values, exact.lq)
