"""The engine reproduces exact mean-value analysis for closed CONWIP lines.

No source and ``wip_cap: N``: a new part is released the moment one leaves, so exactly N
parts circulate through three exponential stations with unlimited buffers, the middle one with
two servers (a load-dependent station). Exact MVA with the marginal-probability recursion
(``exact.mva``, itself checked against the brute-force CTMC in ``test_exact.py``) gives the
throughput X(N), cycle time N/X(N), each station's utilisation and mean buffer content; the
WIP must be N in every replication. Checked for N = 3 and 5 within the engine's confidence
interval (``exact.assert_agrees``), with half-width < 5% of the value.
"""

from __future__ import annotations

import pytest

from tests.theory.exact import assert_agrees, mva, scenario_yaml, simulate

# (name, mean service s, servers): bottleneck capacity 1/40 s⁻¹ at the first station
STATIONS = [("lathe", 40.0, 1), ("mill", 70.0, 2), ("deburr", 30.0, 1)]
POPULATIONS = [3, 5]
HORIZON_S = 1_200_000.0
WARMUP_S = 5_000.0
REPLICATIONS = 40

SCENARIOS = {
    f"conwip{n}": scenario_yaml(
        f"theory CONWIP N={n}",
        [{"name": name, "servers": c, "process": {"dist": "exponential", "mean": s}}
         for name, s, c in STATIONS],
        horizon_s=HORIZON_S, warmup_s=WARMUP_S, replications=REPLICATIONS, seed=40 + n,
        wip_cap=n,
    )
    for n in POPULATIONS
}


@pytest.mark.slow
@pytest.mark.parametrize("n", POPULATIONS)
def test_conwip_line_matches_exact_mva(n: int) -> None:
    rates = [(1.0 / s, c) for _, s, c in STATIONS]
    exact = mva(rates, n)
    res = simulate(SCENARIOS[f"conwip{n}"])
    assert_agrees(f"CONWIP N={n} throughput_per_hour", res.kpis["throughput_per_hour"].values,
                  3600.0 * exact.x)
    assert_agrees(f"CONWIP N={n} cycle_time_s", res.kpis["cycle_time_s"].values, exact.cycle)
    for rep in res.replications:  # the loop always holds exactly N parts
        assert rep.wip == pytest.approx(n, rel=1e-9), f"replication {rep.index}: wip {rep.wip}"
    for (name, s, _c), q, u in zip(STATIONS, exact.q, exact.u, strict=True):
        st = res.stations[name]
        assert_agrees(f"CONWIP N={n} {name} utilization", st.utilization.values, u)
        # Parts in the buffer = parts at the station − busy servers (X·E[S]).
        assert_agrees(f"CONWIP N={n} {name} queue", st.queue.values, q - exact.x * s,
                      abs_width=0.02)
        assert all(v == 0.0 for v in st.states["blocked"].values)
