"""Little's law, wip = throughput × cycle time, holds in every replication of every run.

Over a measured window of length H the identity is exact up to end effects:
departed·CT = ∫N dt + A − B, where A is the time spent before the window by departed parts
that were already in the line when it opened, and B the time spent inside the window by parts
still in the line when it closed. Each is a sum over the n parts present at one end; each such
part's age (or remaining time) is at most a few cycle times plus the time the others present
with it take to flow past at the line's rate X (a queue of n clears in about n/X). So per
replication, with n = wip_start + wip_end:

    |wip − X·CT| ≤ (n + 1)·(4·CT + n/X) / H        (X per second)

A real error (a part counted twice or never, a clock off by the warm-up) shows up as an O(1)
relative gap, far outside this band (here 10⁻⁴–10⁻³ relative). Also checks conservation,
wip_start + arrived = departed + wip_end, and that throughput is departed / H. Runs over every
scenario of the other theory modules (results are cached, so nothing is simulated twice).
"""

from __future__ import annotations

import pytest

from tests.theory import (
    test_theory_buffers,
    test_theory_conwip,
    test_theory_jackson,
    test_theory_mg1,
    test_theory_mmc,
    test_theory_multiserver_buffers,
)
from tests.theory.exact import simulate

SCENARIOS = {
    f"{module.__name__.rsplit('.', 1)[-1].removeprefix('test_theory_')}-{cid}": text
    for module in (test_theory_mmc, test_theory_mg1, test_theory_jackson, test_theory_conwip,
                   test_theory_buffers, test_theory_multiserver_buffers)
    for cid, text in module.SCENARIOS.items()
}


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_littles_law_per_replication(key: str) -> None:
    res = simulate(SCENARIOS[key])
    assert len(res.replications) >= 2
    for rep in res.replications:
        where = f"{key} replication {rep.index}"
        h = rep.horizon_s
        assert rep.departed > 100, where
        assert rep.wip_start + rep.arrived == rep.departed + rep.wip_end, where
        assert rep.throughput_per_hour == pytest.approx(3600.0 * rep.departed / h), where
        x = rep.throughput_per_hour / 3600.0
        n = rep.wip_start + rep.wip_end
        tol = (n + 1) * (4.0 * rep.cycle_time_s + n / x) / h
        gap = rep.wip - x * rep.cycle_time_s
        assert abs(gap) <= tol, (f"{where}: wip {rep.wip:.6g} vs X·CT "
                                 f"{x * rep.cycle_time_s:.6g} (gap {gap:.3g}, tol {tol:.3g})")
