"""The engine reproduces saturated lines with small finite buffers (blocking after service).

No source: station 1 never starves. Exponential single-server stations, ``buffer`` 0, 1 or 2
places in front of each downstream station (not counting its server); a station that finishes
while the next is full holds the part, blocked, until a place frees. The exact values come from
the continuous-time Markov chain built in ``exact.flow_line`` (parts at each downstream station
plus blocked flags; πQ = 0 solved with numpy; the two-station chain is checked against the
closed form, 2μ/3 for equal rates and no buffer, in ``test_exact.py``). Pinned down:
throughput, station 1's blocked share, station 2's starved share, mean parts at station 2 and
in its buffer, every state share of every station, and WIP / cycle time (a part counts from
its start at station 1). All within the engine's confidence interval
(``exact.assert_agrees``), half-width < 5% of the value (or < 0.01 for shares and counts
near 0).
"""

from __future__ import annotations

import pytest

from tests.theory.exact import (
    assert_agrees,
    flow_line,
    scenario_yaml,
    simulate,
    two_station_throughput,
)

REPLICATIONS = 40
WARMUP_S = 5_000.0
HORIZON_S = 1_600_000.0

# (id, mean service times s, buffers in front of each station (first ignored))
CASES = [
    ("two_b0", [60.0, 60.0], [0, 0]),
    ("two_b1", [60.0, 60.0], [0, 1]),
    ("two_b2", [50.0, 60.0], [0, 2]),
    ("three_b10", [50.0, 60.0, 55.0], [0, 1, 0]),
    ("three_b02", [60.0, 45.0, 60.0], [0, 0, 2]),
]
NAMES = ["s1", "s2", "s3"]

SCENARIOS = {
    cid: scenario_yaml(
        f"theory flow line {cid}",
        [{"name": NAMES[k], "buffer": buffers[k] if k else None,
          "process": {"dist": "exponential", "mean": s}} for k, s in enumerate(means)],
        horizon_s=HORIZON_S, warmup_s=WARMUP_S, replications=REPLICATIONS, seed=50 + i,
    )
    for i, (cid, means, buffers) in enumerate(CASES)
}


@pytest.mark.slow
@pytest.mark.parametrize(("cid", "means", "buffers"), CASES, ids=[c[0] for c in CASES])
def test_saturated_line_matches_markov_chain(cid: str, means: list[float],
                                             buffers: list[int]) -> None:
    rates = [1.0 / s for s in means]
    exact = flow_line(rates, buffers)
    if len(rates) == 2:  # sanity check of the chain against the birth–death closed form
        assert exact.x == pytest.approx(two_station_throughput(*rates, buffers[1]), rel=1e-10)
    if cid == "two_b0":
        assert exact.x == pytest.approx(2 * rates[0] / 3)
    res = simulate(SCENARIOS[cid])
    assert_agrees(f"{cid} throughput_per_hour", res.kpis["throughput_per_hour"].values,
                  3600.0 * exact.x)
    assert_agrees(f"{cid} wip", res.kpis["wip"].values, exact.wip)
    assert_agrees(f"{cid} cycle_time_s", res.kpis["cycle_time_s"].values, exact.cycle)
    s1, s2 = res.stations["s1"], res.stations["s2"]
    assert_agrees(f"{cid} s1 blocked", s1.states["blocked"].values, exact.blocked[0])
    assert_agrees(f"{cid} s2 starved", s2.states["starved"].values, exact.starved[1])
    parts2 = [q + b + bl for q, b, bl in zip(s2.queue.values, s2.states["busy"].values,
                                            s2.states["blocked"].values, strict=True)]
    assert_agrees(f"{cid} parts at s2", parts2, exact.parts[1])
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
        if exact.queue[k] == 0.0:
            assert all(v == 0.0 for v in st.queue.values), f"{cid} {name} queue"
        else:
            assert_agrees(f"{cid} {name} queue", st.queue.values, exact.queue[k],
                          abs_width=0.01)
