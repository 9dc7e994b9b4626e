"""The investment case (simulator/economics.py) against hand-computed figures.

Pins down: investment, labour (count x wage x hours), headcount across shifts, energy from
kWh per part, the contract identities with equal output (net investment with a capped
subsidy, annual savings, payback, NPV exactly), savings per good part with unequal output,
subsidy caps (share and per robot), IRR (a textbook case and npv(irr) = 0), annuity lease
payments, ramp-up, the depreciation tax shield, wage growth, per-replication intervals of
``compare_economics`` and the sensitivity table; hypothesis: NPV falls with the rate and the
IRR zeroes the NPV.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scenarios
from scenarios.economics import Economics, RampUp, Subsidy
from simulator import economics as ec

LINE = """\
linelab: 2
name: cnc cell
horizon: 8 h
calendar:
  shifts:
    - {{name: early, start: "06:00", end: "14:00"}}
    - {{name: late, start: "14:00", end: "22:00"}}
resources:
{resources}
stations:
  - name: cnc
    servers: 2
    process: 8 min
    price: 150000
    {tending}
economics:
  hours_per_year: 4800
  wages: {{operator: 38}}
  electricity: 0.75
  discount_rate: 0.08
  years: 5
  subsidy: {{share: 0.15, cap: 30000}}
"""
MANUAL = LINE.format(
    resources="  - {name: operators, kind: operator, count: 4, shifts: [early, late]}",
    tending="tending: {by: operators, time: 40 s}",
)
ROBOT = LINE.format(
    resources=(
        "  - {name: operators, kind: operator, count: 1, shifts: [early, late]}\n"
        "  - {name: robot, kind: robot, count: 1, price: 280000}"
    ),
    tending="tending: {by: robot, time: 40 s}",
)


def econ(**changes: Any) -> Economics:
    base: dict[str, Any] = {"hours_per_year": 4800.0, "years": 5}
    return Economics.model_validate({**base, **changes})


def test_line_figures() -> None:
    manual, robot = scenarios.loads(MANUAL), scenarios.loads(ROBOT)
    assert manual.economics is not None
    e = manual.economics
    assert ec.investment(manual) == 2 * 150000
    assert ec.investment(robot) == 2 * 150000 + 280000
    assert ec.investment(robot, robot_price_factor=1.2) == 2 * 150000 + 1.2 * 280000
    assert ec.headcount(manual) == 8  # 4 per shift x 2 shifts
    assert ec.headcount(robot) == 2
    assert ec.labour_cost(e, manual) == 4 * 38 * 4800
    assert ec.energy_cost(e, 2.0, 30.0) == 2.0 * 30.0 * 4800 * 0.75
    line = ec.line_costs(e, manual, 30.0, 2.0, 0.5)
    assert line.annual_output == 30.0 * 4800
    assert line.unit_cost == line.operating / (30.0 * 4800)
    assert line.output_per_operator_hour == 30.0 / 4


def test_contract_identities_with_equal_output() -> None:
    manual, robot = scenarios.loads(MANUAL), scenarios.loads(ROBOT)
    e = manual.economics
    assert e is not None
    base = ec.line_costs(e, manual, 30.0, 2.0, None)
    var = ec.line_costs(e, robot, 30.0, 2.0, None)
    case = ec.investment_case(e, base, var)
    incremental = 280000.0
    assert case.net_investment == incremental - min(0.15 * incremental, 30000.0) == 250000.0
    savings = base.operating - var.operating
    assert savings == (4 - 1) * 38 * 4800
    assert case.annual_savings == savings
    assert case.payback_years == 250000.0 / savings
    expected_npv = -250000.0 + sum(savings / 1.08**t for t in range(1, 6))
    assert case.npv == pytest.approx(expected_npv, rel=1e-15, abs=1e-9)
    assert case.cash_flows == (-250000.0, *([savings] * 5))
    assert case.irr is not None
    assert abs(ec.npv(case.irr, case.cash_flows)) < 1e-6


def test_savings_per_good_part_when_outputs_differ() -> None:
    # baseline 1000/yr for 100 parts (10 per part); variant 900 for 120 parts:
    # the baseline would spend 1200 for 120 parts -> savings 300.
    assert ec.annual_savings(1000.0, 100.0, 900.0, 120.0) == 300.0
    assert ec.annual_savings(1000.0, 100.0, 900.0, 100.0) == 100.0


def test_subsidy_caps() -> None:
    share = Subsidy(share=0.15, cap=30000.0)
    assert ec.subsidy_amount(share, 100000.0, 0) == 15000.0
    assert ec.subsidy_amount(share, 300000.0, 0) == 30000.0
    assert ec.subsidy_amount(Subsidy(share=0.15), 300000.0, 0) == 45000.0
    per = Subsidy(per_robot=20000.0, cap=50000.0)
    assert ec.subsidy_amount(per, 1e6, 2) == 40000.0
    assert ec.subsidy_amount(per, 1e6, 4) == 50000.0
    assert ec.net_investment(400000.0, 100000.0, per, 4) == 250000.0
    assert ec.subsidy_amount(share, -50000.0, 0) == 0.0  # nothing for a cheaper line


def test_payback() -> None:
    assert ec.payback_years(250000.0, 100000.0) == 2.5
    assert ec.payback_years(250000.0, 0.0) is None
    assert ec.payback_years(250000.0, -5.0) is None
    assert ec.cash_payback_years([-250000.0, 100000.0, 100000.0, 100000.0]) == 2.5
    assert ec.cash_payback_years([-250000.0, 100000.0]) is None


def test_npv_and_irr_textbook() -> None:
    assert ec.npv(0.1, [-100.0, 110.0]) == pytest.approx(0.0, abs=1e-12)
    assert ec.irr([-100.0, 110.0]) == pytest.approx(0.1, abs=1e-10)
    # numpy-financial's documented example: irr([-100, 39, 59, 55, 20]) = 0.28095 (5 d.p.)
    rate = ec.irr([-100.0, 39.0, 59.0, 55.0, 20.0])
    assert rate is not None
    assert round(rate, 5) == 0.28095
    assert abs(ec.npv(rate, [-100.0, 39.0, 59.0, 55.0, 20.0])) < 1e-9
    # hand: -1000 + 500/1.1 + 600/1.21 = -1000 + 454.5454... + 495.8677... = -49.5867...
    assert ec.npv(0.1, [-1000.0, 500.0, 600.0]) == pytest.approx(-49.586776859504, abs=1e-9)
    assert ec.irr([-100.0, -10.0]) is None  # never pays back


def test_annuity_lease_payments() -> None:
    payment = ec.annuity_payment(100000.0, 0.05, 3)
    assert payment == pytest.approx(36720.8564, abs=1e-4)  # 100000 * 0.05 / (1 - 1.05**-3)
    balance = 100000.0
    for _ in range(3):
        balance = balance * 1.05 - payment
    assert balance == pytest.approx(0.0, abs=1e-9)
    assert ec.annuity_payment(90000.0, 0.0, 3) == 30000.0
    e = econ(lease={"down_payment": 0.2, "term": 3, "rate": 0.05})
    flows = ec.cash_flows(e, 100000.0, 50000.0, 0.0)
    lease = ec.annuity_payment(80000.0, 0.05, 3)
    assert flows == [-20000.0, *([50000.0 - lease] * 3), 50000.0, 50000.0]
    long = ec.cash_flows(econ(years=2, lease={"term": 4, "rate": 0.0}), 100000.0, 40000.0, 0.0)
    assert long == [-0.0, 15000.0, 15000.0, -25000.0, -25000.0]


def test_ramp_up() -> None:
    assert ec.ramp_up_factor(RampUp(months=6, output=0.5), 1) == 0.75
    assert ec.ramp_up_factor(RampUp(months=6, output=0.5), 2) == 1.0
    assert ec.ramp_up_factor(RampUp(months=18, output=0.4), 1) == 0.4
    assert ec.ramp_up_factor(RampUp(months=18, output=0.4), 2) == pytest.approx(0.7, abs=1e-15)
    flows = ec.cash_flows(econ(years=2, ramp_up={"months": 6, "output": 0.5}), 1000.0, 400.0, 0.0)
    assert flows == [-1000.0, 300.0, 400.0]


def test_depreciation_tax_shield() -> None:
    e = econ(tax_rate=0.25, depreciation_years=5, years=6)
    flows = ec.cash_flows(e, 100000.0, 50000.0, 0.0)
    # savings taxed: 50000 * 0.75 = 37500; shield 0.25 * 100000 / 5 = 5000 in years 1..5
    assert flows == [-100000.0, *([42500.0] * 5), 37500.0]
    assert ec.depreciation_shield(e, 100000.0, 6) == 0.0


def test_wage_growth() -> None:
    flows = ec.cash_flows(econ(years=3, wage_growth=0.1), 0.0, 100.0, 80.0)
    assert flows[1] == 100.0
    assert flows[2] == pytest.approx(108.0, abs=1e-12)
    assert flows[3] == pytest.approx(116.8, abs=1e-12)


def _result(scenario: scenarios.Scenario, throughputs: list[float]) -> Any:
    reps = [
        SimpleNamespace(throughput_per_hour=tp, energy_kwh_per_part=2.0, scrap_per_hour=0.0)
        for tp in throughputs
    ]
    return SimpleNamespace(scenario=scenario, replications=tuple(reps))


def test_compare_economics_gives_intervals() -> None:
    manual, robot = scenarios.loads(MANUAL), scenarios.loads(ROBOT)
    assert manual.economics is not None
    base = _result(manual, [30.0, 31.0, 29.0])
    var = _result(robot, [30.0, 32.0, 29.5])
    out = ec.compare_economics(manual.economics, base, {"manual": base, "robot": var})
    assert out["manual"]["npv"] is None
    assert out["manual"]["headcount"]["mean"] == 8.0
    robot_out = out["robot"]
    assert robot_out["net_investment"]["mean"] == 250000.0
    first = ec.investment_case(
        manual.economics,
        ec.line_costs(manual.economics, manual, 30.0, 2.0, 0.0),
        ec.line_costs(manual.economics, robot, 30.0, 2.0, 0.0),
    )
    assert robot_out["npv"]["values"][0] == first.npv
    assert robot_out["npv"]["ci95"] is not None
    lo, hi = robot_out["npv"]["ci95"]
    assert lo < robot_out["npv"]["mean"] < hi
    rows = robot_out["sensitivity"]
    assert rows[0]["parameter"] == "base"
    by = {(r["parameter"], r["change"]): r for r in rows}
    assert by[("robot_price", 0.2)]["net_investment"] > rows[0]["net_investment"]
    assert by[("subsidy", -1.0)]["net_investment"] == 280000.0
    assert by[("wage_growth", 0.02)]["npv"] > rows[0]["npv"]
    assert by[("demand", 0.2)]["annual_savings"] > rows[0]["annual_savings"]


flows_strategy = st.tuples(
    st.floats(1.0, 1e6),
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=20),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(flows_strategy, st.floats(0.0, 0.5), st.floats(0.001, 0.5))
def test_npv_decreases_with_rate(flows: tuple[float, list[float]], r: float, dr: float) -> None:
    cf = [-flows[0], *flows[1]]
    assert ec.npv(r + dr, cf) <= ec.npv(r, cf) + 1e-9 * (1 + abs(ec.npv(r, cf)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(flows_strategy)
def test_irr_zeroes_npv(flows: tuple[float, list[float]]) -> None:
    cf = [-flows[0], *flows[1]]
    rate = ec.irr(cf)
    if sum(flows[1]) <= flows[0] * 1.0000001 and sum(flows[1]) >= flows[0] * 0.9999999:
        return  # irr at ~0: either answer is fine
    if rate is None:
        assert sum(flows[1]) < flows[0] or ec.npv(1e4, cf) > 0
        return
    scale = sum(abs(x) for x in cf)
    assert abs(ec.npv(rate, cf)) <= 1e-8 * scale
    assert (rate > 0) == (sum(flows[1]) > flows[0])


def test_worked_example_of_the_docs() -> None:
    """docs/economics.md's figures: plain case, then wage growth, ramp-up, tax and a lease."""
    manual, robot = scenarios.loads(MANUAL), scenarios.loads(ROBOT)
    e = manual.economics
    assert e is not None
    base = ec.line_costs(e, manual, 30.0, 2.0, None)
    var = ec.line_costs(e, robot, 30.0, 2.0, None)
    assert round(ec.investment_case(e, base, var).npv) == 1_934_811
    rich = e.model_copy(
        update={
            "tax_rate": 0.25,
            "depreciation_years": 5,
            "wage_growth": 0.05,
            "ramp_up": RampUp(months=6, output=0.5),
            "lease": scenarios.economics.Lease(down_payment=0.2, term=3, rate=0.06),
        }
    )
    case = ec.investment_case(rich, base, var)
    lease = 200000 * 0.06 / (1 - 1.06**-3)
    assert case.cash_flows[0] == -50000.0
    assert case.cash_flows[1] == pytest.approx(547200 * 0.75 * 0.75 + 12500 - lease, abs=1e-6)
    assert case.cash_flows[4] == pytest.approx(547200 * 1.05**3 * 0.75 + 12500, abs=1e-6)
    assert round(case.npv) == 1_509_421


def test_economics_in_the_scenario_model() -> None:
    """Omitted from dumps when absent (goldens unchanged), round-trips when given, and the
    fast path accepts it without looking inside (the simulation never reads it)."""
    from simulator.fastpath import check_eligible
    from tests.scenarios.malformed_cases import BASE_V2

    assert "economics" not in scenarios.loads(BASE_V2).model_dump()
    manual = scenarios.loads(MANUAL)
    data = manual.model_dump()
    assert data["economics"]["subsidy"] == {"share": 0.15, "per_robot": None, "cap": 30000.0}
    assert scenarios.Scenario.model_validate(data) == manual
    flow_line = scenarios.loads(
        "linelab: 2\nname: x\nhorizon: 1 h\nstations:\n  - {name: a, process: 1 min}\n"
        "economics: {hours_per_year: 4000, years: 3}\n"
    )
    check_eligible(flow_line)
