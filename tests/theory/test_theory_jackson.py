"""The engine reproduces an open Jackson tandem line.

A Poisson source feeds three exponential stations in series with unlimited buffers; the
middle one has two servers. By Burke's theorem each station is an independent M/M/c_k with
the same arrival rate λ, so the line's cycle time is W = Σ W_k (M/M/c sojourns), its WIP
L = λW, each station's utilisation λ/(c_k μ_k) and mean buffer content Lq_k. All must lie in
the engine's confidence interval (``exact.assert_agrees``), with half-width < 5% of the value.
"""

from __future__ import annotations

import pytest

from tests.theory.exact import assert_agrees, jackson_tandem, scenario_yaml, simulate

INTERARRIVAL_S = 60.0
# (name, mean service s, servers): ρ = 0.70, 0.75, 0.60
STATIONS = [("saw", 42.0, 1), ("weld", 90.0, 2), ("paint", 36.0, 1)]
HORIZON_S = 6_000_000.0
WARMUP_S = 30_000.0
REPLICATIONS = 40

SCENARIOS = {
    "jackson3": scenario_yaml(
        "theory Jackson tandem",
        [{"name": n, "servers": c, "process": {"dist": "exponential", "mean": s}}
         for n, s, c in STATIONS],
        horizon_s=HORIZON_S, warmup_s=WARMUP_S, replications=REPLICATIONS, seed=31,
        interarrival_mean_s=INTERARRIVAL_S,
    )
}


@pytest.mark.slow
def test_jackson_tandem_line_matches_product_form() -> None:
    lam = 1.0 / INTERARRIVAL_S
    per_station = jackson_tandem(lam, [(1.0 / s, c) for _, s, c in STATIONS])
    w = sum(q.w for q in per_station)
    res = simulate(SCENARIOS["jackson3"])
    assert_agrees("jackson cycle_time_s", res.kpis["cycle_time_s"].values, w)
    assert_agrees("jackson wip", res.kpis["wip"].values, lam * w)
    assert_agrees("jackson throughput_per_hour", res.kpis["throughput_per_hour"].values,
                  3600.0 * lam)
    for (name, _, _), q in zip(STATIONS, per_station, strict=True):
        st = res.stations[name]
        assert_agrees(f"jackson {name} utilization", st.utilization.values, q.rho)
        assert_agrees(f"jackson {name} queue (Lq)", st.queue.values, q.lq)
        assert all(v == 0.0 for v in st.states["blocked"].values)  # unlimited buffers
