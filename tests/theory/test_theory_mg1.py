"""The engine reproduces M/G/1 (Pollaczek–Khinchine) for every non-exponential distribution.

One station, Poisson source, unlimited buffer, service time constant, normal (truncated at 0 by
redrawing, with sd large enough that the truncation shifts the mean), lognormal (mean, cv),
uniform, triangular or empirical. The moments E[S], E[S²] are derived in ``exact.py`` from the
spec parameters and must equal the scenario model's ``mean_s`` / ``second_moment_s2``; then
Wq = λE[S²]/(2(1−ρ)), W = Wq + E[S], L = λW, Lq = λWq and ρ = λE[S] must lie in the engine's
confidence interval (``exact.assert_agrees``), with half-width < 5% of the value.
Interarrival times are chosen so ρ ≈ 0.7 (0.6 for the high-variance lognormal).
"""

from __future__ import annotations

from typing import Any

import pytest

import scenarios
from tests.theory.exact import assert_agrees, mg1, moments, scenario_yaml, simulate

REPLICATIONS = 40
WARMUP_S = 20_000.0

# (id, service spec (seconds), target ρ, horizon s per replication)
CASES: list[tuple[str, dict[str, Any], float, float]] = [
    ("constant", {"dist": "constant", "value": 60.0}, 0.7, 2_500_000.0),
    ("normal", {"dist": "normal", "mean": 50.0, "sd": 40.0}, 0.7, 2_500_000.0),
    ("lognormal", {"dist": "lognormal", "mean": 60.0, "cv": 1.2}, 0.6, 10_000_000.0),
    ("uniform", {"dist": "uniform", "low": 20.0, "high": 100.0}, 0.7, 2_500_000.0),
    ("triangular", {"dist": "triangular", "low": 10.0, "mode": 30.0, "high": 110.0}, 0.7,
     3_000_000.0),
    ("empirical", {"dist": "empirical", "values": [20.0, 40.0, 40.0, 90.0, 130.0]}, 0.7,
     3_000_000.0),
]


def interarrival(spec: dict[str, Any], rho: float) -> float:
    """Mean interarrival time giving utilisation ρ: 1/λ = E[S]/ρ."""
    return moments(spec)[0] / rho


SCENARIOS = {
    cid: scenario_yaml(
        f"theory M/G/1 {cid}", [{"name": "cell", "process": spec}],
        horizon_s=horizon, warmup_s=WARMUP_S, replications=REPLICATIONS, seed=61 + i,
        interarrival_mean_s=interarrival(spec, rho),
    )
    for i, (cid, spec, rho, horizon) in enumerate(CASES)
}


@pytest.mark.parametrize(("cid", "spec"), [(c[0], c[1]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_scenario_model_moments_are_exact(cid: str, spec: dict[str, Any]) -> None:
    process = scenarios.loads(SCENARIOS[cid]).stations[0].process
    es, es2 = moments(spec)
    assert process.mean_s == pytest.approx(es, rel=1e-12)
    assert process.second_moment_s2 == pytest.approx(es2, rel=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize(("cid", "spec", "rho", "horizon"), CASES, ids=[c[0] for c in CASES])
def test_mg1_matches_pollaczek_khinchine(cid: str, spec: dict[str, Any], rho: float,
                                         horizon: float) -> None:
    es, es2 = moments(spec)
    lam = 1.0 / interarrival(spec, rho)
    exact = mg1(lam, es, es2)
    assert exact.rho == pytest.approx(rho)
    res = simulate(SCENARIOS[cid])
    assert_agrees(f"M/G/1 {cid} cycle_time_s", res.kpis["cycle_time_s"].values, exact.w)
    assert_agrees(f"M/G/1 {cid} wip", res.kpis["wip"].values, exact.l)
    assert_agrees(f"M/G/1 {cid} throughput_per_hour",
                  res.kpis["throughput_per_hour"].values, 3600.0 * lam)
    cell = res.stations["cell"]
    assert_agrees(f"M/G/1 {cid} utilization", cell.utilization.values, exact.rho)
    assert_agrees(f"M/G/1 {cid} queue (Lq)", cell.queue.values, exact.lq)
