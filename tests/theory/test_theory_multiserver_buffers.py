"""The engine reproduces saturated lines whose multi-server stations have finite buffers.

No source: station 1 never starves. Exponential stations; a station with c servers and a
buffer of b places holds at most b + c parts (the buffer does not count parts on servers), and
a server that finishes while the next station is full stays blocked, holding its part, until a
place frees. Cases: a single server feeding a two-server station with a buffer of 2; and a
two-server first station (several of its servers can be blocked at once) feeding a two-server
station with a buffer of 2 and then a single server with a buffer of 1.

The exact values come from the continuous-time Markov chain ``exact.flow_line`` builds (parts
at each downstream station and the number of blocked servers of each station; πQ = 0 solved
with numpy; checked against the two-station birth–death chain and flow conservation in
``test_exact.py``). Pinned down: throughput, WIP, cycle time, and every station's state
shares, utilization and mean buffer content, within the engine's confidence interval
(``exact.assert_agrees``). The interval must also be narrow enough to tell the line from the
same line with every finite buffer one place larger or one place smaller: the exact values of
those two lines (the off-by-one mistakes in a station's room check) must fall outside it for
WIP, cycle time, station 1's blocked share and every buffer's mean content.
"""

from __future__ import annotations

import pytest

from tests.theory.exact import FlowLineKPIs, assert_agrees, flow_line, scenario_yaml, simulate

REPLICATIONS = 40
WARMUP_S = 5_000.0
HORIZON_S = 1_000_000.0

# (id, mean service times s, servers, buffers in front of each station (first ignored))
CASES = [
    ("c1_c2b2", [30.0, 60.0], [1, 2], [0, 2]),
    ("c2_c2b2_c1b1", [50.0, 55.0, 28.0], [2, 2, 1], [0, 2, 1]),
]
NAMES = ["s1", "s2", "s3"]

SCENARIOS = {
    cid: scenario_yaml(
        f"theory multi-server buffers {cid}",
        [{"name": NAMES[k], "servers": servers[k], "buffer": buffers[k] if k else None,
          "process": {"dist": "exponential", "mean": s}} for k, s in enumerate(means)],
        horizon_s=HORIZON_S, warmup_s=WARMUP_S, replications=REPLICATIONS, seed=70 + i,
    )
    for i, (cid, means, servers, buffers) in enumerate(CASES)
}


def off_by_one(rates: list[float], buffers: list[int], servers: list[int],
               delta: int) -> FlowLineKPIs:
    """The same line with every buffer ``delta`` places larger (never below 0)."""
    return flow_line(rates, [0] + [max(b + delta, 0) for b in buffers[1:]], servers)


@pytest.mark.slow
@pytest.mark.parametrize(("cid", "means", "servers", "buffers"), CASES,
                         ids=[c[0] for c in CASES])
def test_multiserver_line_with_finite_buffers_matches_markov_chain(
    cid: str, means: list[float], servers: list[int], buffers: list[int]
) -> None:
    rates = [1.0 / s for s in means]
    exact = flow_line(rates, buffers, servers)
    wrong = [off_by_one(rates, buffers, servers, d) for d in (-1, 1)]
    for k, (mu, c) in enumerate(zip(rates, servers, strict=True)):  # flow conservation
        assert c * mu * exact.busy[k] == pytest.approx(exact.x, rel=1e-10)
    res = simulate(SCENARIOS[cid])
    assert_agrees(f"{cid} throughput_per_hour", res.kpis["throughput_per_hour"].values,
                  3600.0 * exact.x)
    assert_agrees(f"{cid} wip", res.kpis["wip"].values, exact.wip,
                  wrong=[w.wip for w in wrong])
    assert_agrees(f"{cid} cycle_time_s", res.kpis["cycle_time_s"].values, exact.cycle,
                  wrong=[w.cycle for w in wrong])
    assert_agrees(f"{cid} s1 blocked", res.stations["s1"].states["blocked"].values,
                  exact.blocked[0], wrong=[w.blocked[0] for w in wrong])
    for k, name in enumerate(NAMES[: len(means)]):
        st = res.stations[name]
        assert_agrees(f"{cid} {name} busy", st.states["busy"].values, exact.busy[k])
        assert_agrees(f"{cid} {name} utilization", st.utilization.values, exact.busy[k])
        for state, share in (("starved", exact.starved[k]), ("blocked", exact.blocked[k])):
            if share == 0.0:
                assert all(v == 0.0 for v in st.states[state].values), f"{cid} {name} {state}"
            else:
                assert_agrees(f"{cid} {name} {state}", st.states[state].values, share,
                              abs_width=0.01)
        if k == 0:  # an unlimited supply: station 1's buffer is never used
            assert all(v == 0.0 for v in st.queue.values), f"{cid} {name} queue"
        else:
            assert_agrees(f"{cid} {name} queue", st.queue.values, exact.queue[k],
                          wrong=[w.queue[k] for w in wrong])
