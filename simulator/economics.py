"""The investment case: what each variant of a line costs, and what automating pays back.

Pure functions of the scenario's ``economics:`` inputs, the prices on stations and resources,
and the KPIs of a run (good parts per hour, kWh per part, scrapped parts per hour). Money is in
the scenario's currency; one "year" is ``hours_per_year`` hours of running. Every formula is
written in the docstring of its function and collected, with a worked example, in
``docs/economics.md``. Cash flows are at the end of each year (year 0 = the investment).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scenarios.economics import Economics, Lease, RampUp, Subsidy
from simulator.stats import summarise

if TYPE_CHECKING:
    from scenarios import Resource, Scenario
    from simulator.experiment import ExperimentResult
    from simulator.results import Replication

__all__ = [
    "InvestmentCase",
    "LineCosts",
    "annual_savings",
    "annuity_payment",
    "cash_flows",
    "cash_payback_years",
    "compare_economics",
    "depreciation_shield",
    "energy_cost",
    "headcount",
    "investment",
    "investment_case",
    "irr",
    "labour_cost",
    "line_costs",
    "net_investment",
    "npv",
    "payback_years",
    "ramp_up_factor",
    "sensitivity",
    "subsidy_amount",
    "wage_of",
]

SENSITIVITY_STEPS: dict[str, tuple[float, ...]] = {
    "wage_growth": (-0.02, 0.02),
    "demand": (-0.2, 0.2),
    "subsidy": (-1.0, 0.5),
    "robot_price": (-0.2, 0.2),
}
"""Default changes of the sensitivity table: ``wage_growth`` in absolute points per year,
the others as relative changes (-0.2 = 20 % less; subsidy -1.0 = no subsidy)."""


# --- one line: investment and operating cost -------------------------------------------------


def investment(scenario: Scenario, robot_price_factor: float = 1.0) -> float:
    """Purchase price of the line: ``Σ station.price × servers + Σ resource.price × count``
    (a missing price counts 0). Robot prices are multiplied by ``robot_price_factor`` (the
    sensitivity table's robot-price step)."""
    total = 0.0
    for station in scenario.stations:
        total += (station.price or 0.0) * station.servers
    for resource in scenario.resources:
        factor = robot_price_factor if resource.kind == "robot" else 1.0
        total += (resource.price or 0.0) * factor * resource.count
    return total


def robot_units(scenario: Scenario) -> int:
    """Robot units of the line: ``Σ count`` over resources of kind ``robot``."""
    return sum(r.count for r in scenario.resources if r.kind == "robot")


def operators_present(scenario: Scenario) -> int:
    """Operators at work at any moment the line runs: ``Σ count`` over operator resources."""
    return sum(r.count for r in scenario.resources if r.kind == "operator")


def headcount(scenario: Scenario) -> int:
    """People on the payroll: ``Σ count × shifts`` over operator resources, where ``shifts``
    is the number of shifts the resource works (``len(resource.shifts)``; 1 when it has no
    shifts: ``count`` people cover the line's hours). ``count`` is people per shift."""
    return sum(
        r.count * (len(r.shifts) if r.shifts else 1)
        for r in scenario.resources
        if r.kind == "operator"
    )


def wage_of(economics: Economics, resource: Resource) -> float:
    """Wage per person-hour of ``resource``: ``wages[name]``, else ``wages[kind]``, else 0."""
    if resource.name in economics.wages:
        return economics.wages[resource.name]
    return economics.wages.get(resource.kind, 0.0)


def labour_cost(economics: Economics, scenario: Scenario) -> float:
    """Labour per year: ``Σ over operator resources of count × wage × hours_per_year``
    (``count`` people are paid for every hour the line runs, whichever shift they work)."""
    return sum(
        r.count * wage_of(economics, r) * economics.hours_per_year
        for r in scenario.resources
        if r.kind == "operator"
    )


def energy_cost(economics: Economics, kwh_per_part: float, parts_per_hour: float) -> float:
    """Energy per year: ``mean kW × hours_per_year × electricity`` with
    ``mean kW = kWh per good part × good parts per hour``."""
    return kwh_per_part * parts_per_hour * economics.hours_per_year * economics.electricity


def floor_cost(economics: Economics, scenario: Scenario) -> float:
    """Floor rent per year: ``rent × Σ area[name] × units`` over stations (units = servers)
    and resources (units = count) listed in ``floor_space.area``."""
    space = economics.floor_space
    if space is None:
        return 0.0
    area = 0.0
    for station in scenario.stations:
        area += space.area.get(station.name, 0.0) * station.servers
    for resource in scenario.resources:
        area += space.area.get(resource.name, 0.0) * resource.count
    return space.rent * area


@dataclass(frozen=True)
class LineCosts:
    """One variant's figures for one year of running (money per year, output in parts)."""

    investment: float
    robots: int
    headcount: int
    operators: int
    parts_per_hour: float
    kwh_per_part: float
    labour: float
    energy: float
    maintenance: float
    floor: float
    scrap: float
    annual_output: float
    """Good parts per year: ``parts_per_hour × hours_per_year``."""

    @property
    def operating(self) -> float:
        """Operating cost per year: ``labour + energy + maintenance + floor + scrap``."""
        return self.labour + self.energy + self.maintenance + self.floor + self.scrap


    @property
    def unit_cost(self) -> float | None:
        """Operating cost per good part: ``operating / annual_output`` (None without output)."""
        return self.operating / self.annual_output if self.annual_output > 0 else None

    @property
    def output_per_operator_hour(self) -> float | None:
        """Good parts per operator-hour: ``parts_per_hour / operators`` (None without
        operators)."""
        return self.parts_per_hour / self.operators if self.operators else None


def line_costs(
    economics: Economics,
    scenario: Scenario,
    parts_per_hour: float,
    kwh_per_part: float | None,
    scrap_per_hour: float | None,
    robot_price_factor: float = 1.0,
) -> LineCosts:
    """A variant's yearly figures from its scenario and one set of KPIs: maintenance is
    ``maintenance × investment``; scrap is ``scrap_cost × scrapped per hour × hours_per_year``;
    a missing energy or scrap KPI counts 0."""
    invest = investment(scenario, robot_price_factor)
    hours = economics.hours_per_year
    return LineCosts(
        investment=invest,
        robots=robot_units(scenario),
        headcount=headcount(scenario),
        operators=operators_present(scenario),
        parts_per_hour=parts_per_hour,
        kwh_per_part=kwh_per_part or 0.0,
        labour=labour_cost(economics, scenario),
        energy=energy_cost(economics, kwh_per_part or 0.0, parts_per_hour),
        maintenance=economics.maintenance * invest,
        floor=floor_cost(economics, scenario),
        scrap=economics.scrap_cost * (scrap_per_hour or 0.0) * hours,
        annual_output=parts_per_hour * hours,
    )


# --- against the baseline --------------------------------------------------------------------


def subsidy_amount(subsidy: Subsidy | None, incremental: float, added_robots: int) -> float:
    """Subsidy paid: ``min(share × incremental, cap)`` or ``min(per_robot × added robots,
    cap)`` (no cap: the uncapped amount); never negative (nothing for a cheaper line)."""
    if subsidy is None:
        return 0.0
    if subsidy.share is not None:
        amount = subsidy.share * incremental
    else:
        amount = (subsidy.per_robot or 0.0) * added_robots
    if subsidy.cap is not None:
        amount = min(amount, subsidy.cap)
    return max(amount, 0.0)


def net_investment(
    variant_investment: float,
    baseline_investment: float,
    subsidy: Subsidy | None,
    added_robots: int = 0,
) -> float:
    """``(investment − baseline investment) − subsidy`` with the subsidy of
    :func:`subsidy_amount` on the incremental investment."""
    incremental = variant_investment - baseline_investment
    return incremental - subsidy_amount(subsidy, incremental, added_robots)


def annual_savings(
    baseline_cost: float, baseline_output: float, variant_cost: float, variant_output: float
) -> float:
    """Savings per year at the variant's output, priced per good part:
    ``baseline_cost × (variant_output / baseline_output) − variant_cost`` — what the
    baseline would spend at its unit cost to make the variant's output, less what the variant
    spends. With equal outputs the ratio is exactly 1: ``baseline_cost − variant_cost``.
    Without baseline output: ``baseline_cost − variant_cost``."""
    if baseline_output <= 0:
        return baseline_cost - variant_cost
    return baseline_cost * (variant_output / baseline_output) - variant_cost


def payback_years(net: float, savings: float) -> float | None:
    """Simple payback: ``net_investment / annual_savings``; None when savings <= 0 (never
    pays back), 0 when the net investment is <= 0 and savings are positive."""
    if savings <= 0:
        return None
    return max(net, 0.0) / savings


def npv(rate: float, flows: Sequence[float]) -> float:
    """Net present value of end-of-year cash flows: ``Σ_t flows[t] / (1 + rate)^t``
    (``flows[0]`` at the start, not discounted)."""
    total = flows[0]
    for t in range(1, len(flows)):
        total += flows[t] / (1.0 + rate) ** t
    return total


IRR_GRID = (-0.99, -0.9, -0.5, -0.2, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e4)
"""Rates scanned, in order, for the first bracket where the NPV changes sign."""


def irr(flows: Sequence[float], tol: float = 1e-12) -> float | None:
    """Internal rate of return: the rate ``r`` with ``npv(r, flows) = 0``.

    Scans :data:`IRR_GRID` for the first interval where the NPV changes sign and bisects it
    until the interval is narrower than ``tol`` (relative to ``1 + r``). None when no rate in
    (-0.99, 1e4) changes the sign (e.g. savings never repay the investment, or nothing is
    invested). With several sign changes of the flows, the lowest root found is returned.
    """
    values = [npv(r, flows) for r in IRR_GRID]
    for i in range(len(IRR_GRID) - 1):
        lo, hi = IRR_GRID[i], IRR_GRID[i + 1]
        f_lo, f_hi = values[i], values[i + 1]
        if f_lo == 0.0:
            return lo
        if (f_lo < 0) != (f_hi < 0):
            for _ in range(400):
                mid = 0.5 * (lo + hi)
                f_mid = npv(mid, flows)
                if f_mid == 0.0:
                    return mid
                if (f_mid < 0) == (f_lo < 0):
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
                if hi - lo <= tol * (1.0 + abs(mid)):
                    break
            return 0.5 * (lo + hi)
    return None


def annuity_payment(principal: float, rate: float, term: int) -> float:
    """Yearly payment (end of year) repaying ``principal`` in ``term`` years at ``rate``:
    ``principal × rate / (1 − (1 + rate)^−term)``; ``principal / term`` when rate is 0."""
    if rate == 0:
        return principal / term
    return principal * rate / (1.0 - (1.0 + rate) ** -term)


def ramp_up_factor(ramp_up: RampUp | None, year: int) -> float:
    """Share of year ``year``'s (1-based) full savings earned:
    ``1 − overlap × (1 − output)``, where ``overlap`` is the share of the year inside the
    ramp-up's first ``months`` months (the line earns ``output`` of its savings then)."""
    if ramp_up is None:
        return 1.0
    start, end = 12.0 * (year - 1), 12.0 * year
    overlap = max(0.0, min(end, ramp_up.months) - start) / 12.0
    return 1.0 - overlap * (1.0 - ramp_up.output)


def depreciation_shield(economics: Economics, net: float, year: int) -> float:
    """Tax saved by depreciation in year ``year``: ``tax_rate × net / depreciation_years`` for
    years 1..depreciation_years (straight line on the net investment), else 0."""
    life = economics.depreciation_years
    if life is None or year > life or net <= 0:
        return 0.0
    return economics.tax_rate * net / life


def cash_flows(
    economics: Economics, net: float, savings: float, labour_savings: float
) -> list[float]:
    """End-of-year cash flows of the investment, year 0 first.

    Year 0: ``−net`` (purchase) or ``−down_payment × net`` (lease). Year t = 1..years:
    ``s_t × (1 − tax_rate) + shield_t − lease payment``, with
    ``s_t = (savings + labour_savings × ((1 + wage_growth)^(t−1) − 1)) × ramp_t`` (only the
    labour part grows with wages; ``ramp_t`` from :func:`ramp_up_factor`), ``shield_t`` from
    :func:`depreciation_shield` and the lease payment :func:`annuity_payment` of
    ``(1 − down_payment) × net`` over ``term`` years at the lease rate. Lease payments after
    ``years`` extend the list (with no savings). Without tax, growth, ramp-up and lease every
    year's flow is exactly ``savings``.
    """
    lease: Lease | None = economics.lease
    payment = 0.0
    if lease is not None:
        first = -lease.down_payment * net
        payment = annuity_payment((1.0 - lease.down_payment) * net, lease.rate, lease.term)
        horizon = max(economics.years, lease.term)
    else:
        first = -net
        horizon = economics.years
    flows = [first]
    tax = economics.tax_rate
    for t in range(1, horizon + 1):
        flow = 0.0
        if t <= economics.years:
            grown = savings + labour_savings * ((1.0 + economics.wage_growth) ** (t - 1) - 1.0)
            saved = grown * ramp_up_factor(economics.ramp_up, t)
            flow = saved - tax * saved if tax else saved
        if tax:
            flow += depreciation_shield(economics, net, t)
        if lease is not None and t <= lease.term:
            flow -= payment
        flows.append(flow)
    return flows


def cash_payback_years(flows: Sequence[float]) -> float | None:
    """Years until the cumulative cash flow first reaches 0, interpolated linearly within
    the year; None if it never does."""
    total = flows[0]
    if total >= 0:
        return 0.0
    for t in range(1, len(flows)):
        before, total = total, total + flows[t]
        if total >= 0:
            return t - 1 + (-before / flows[t])
    return None


@dataclass(frozen=True)
class InvestmentCase:
    """A variant against the baseline."""

    net_investment: float
    annual_savings: float
    payback_years: float | None
    npv: float
    irr: float | None
    cash_flows: tuple[float, ...]
    cash_payback_years: float | None


def investment_case(
    economics: Economics, baseline: LineCosts, variant: LineCosts
) -> InvestmentCase:
    """Net investment, annual savings (:func:`annual_savings`), payback, NPV at the discount
    rate and IRR of :func:`cash_flows`; the labour part of the savings (for wage growth) is
    ``baseline labour × output ratio − variant labour``."""
    net = net_investment(
        variant.investment,
        baseline.investment,
        economics.subsidy,
        max(variant.robots - baseline.robots, 0),
    )
    q_b, q_v = baseline.annual_output, variant.annual_output
    savings = annual_savings(baseline.operating, q_b, variant.operating, q_v)
    labour = annual_savings(baseline.labour, q_b, variant.labour, q_v)
    flows = cash_flows(economics, net, savings, labour)
    return InvestmentCase(
        net_investment=net,
        annual_savings=savings,
        payback_years=payback_years(net, savings),
        npv=npv(economics.discount_rate, flows),
        irr=irr(flows),
        cash_flows=tuple(flows),
        cash_payback_years=cash_payback_years(flows),
    )


# --- per replication, intervals, sensitivity -------------------------------------------------


def _kpis(rep: Replication) -> tuple[float, float | None, float | None]:
    return rep.throughput_per_hour, rep.energy_kwh_per_part, rep.scrap_per_hour


_LINE_FIELDS: dict[str, Callable[[LineCosts], float | int | None]] = {
    "headcount": lambda c: c.headcount,
    "operators": lambda c: c.operators,
    "investment": lambda c: c.investment,
    "labour_cost": lambda c: c.labour,
    "energy_cost": lambda c: c.energy,
    "maintenance_cost": lambda c: c.maintenance,
    "floor_cost": lambda c: c.floor,
    "scrap_cost": lambda c: c.scrap,
    "operating_cost": lambda c: c.operating,
    "unit_cost": lambda c: c.unit_cost,
    "output_per_operator_hour": lambda c: c.output_per_operator_hour,
    "energy_kwh_per_part": lambda c: c.kwh_per_part,
}
_CASE_FIELDS: dict[str, Callable[[InvestmentCase], float | None]] = {
    "net_investment": lambda c: c.net_investment,
    "annual_savings": lambda c: c.annual_savings,
    "payback_years": lambda c: c.payback_years,
    "cash_payback_years": lambda c: c.cash_payback_years,
    "npv": lambda c: c.npv,
    "irr": lambda c: c.irr,
}


def replication_economics(
    economics: Economics,
    baseline: tuple[Scenario, Sequence[Replication]],
    variant: tuple[Scenario, Sequence[Replication]],
) -> tuple[list[LineCosts], list[InvestmentCase]]:
    """Per-replication figures of ``variant`` against ``baseline``; replication i of one is
    paired with replication i of the other (common random numbers)."""
    (b_sc, b_reps), (v_sc, v_reps) = baseline, variant
    lines, cases = [], []
    for b_rep, v_rep in zip(b_reps, v_reps, strict=False):
        base = line_costs(economics, b_sc, *_kpis(b_rep))
        line = line_costs(economics, v_sc, *_kpis(v_rep))
        lines.append(line)
        cases.append(investment_case(economics, base, line))
    return lines, cases


def _stat(values: Sequence[float | int | None]) -> dict[str, object]:
    return summarise([None if v is None else float(v) for v in values]).to_json()


def compare_economics(
    economics: Economics,
    baseline: ExperimentResult,
    variants: Mapping[str, ExperimentResult],
) -> dict[str, dict[str, Any]]:
    """JSON-ready economics per variant name: every line figure of :class:`LineCosts` and
    every :class:`InvestmentCase` figure against ``baseline`` (``null`` for the baseline
    itself), each a ``{"mean", "ci95", "values"}`` over the paired replications, plus the
    mean cash flows (year 0 first) and the sensitivity table at the mean KPIs."""
    out: dict[str, dict[str, Any]] = {}
    base_pair = (baseline.scenario, baseline.replications)
    for name, result in variants.items():
        lines, cases = replication_economics(
            economics, base_pair, (result.scenario, result.replications)
        )
        entry: dict[str, Any] = {"currency": economics.currency}
        for key, get in _LINE_FIELDS.items():
            entry[key] = _stat([get(line) for line in lines])
        is_base = result is baseline
        for key, get_case in _CASE_FIELDS.items():
            entry[key] = None if is_base else _stat([get_case(case) for case in cases])
        if is_base or not cases:
            entry["cash_flows"] = None
            entry["sensitivity"] = None
        else:
            years = len(cases[0].cash_flows)
            entry["cash_flows"] = [
                math.fsum(c.cash_flows[t] for c in cases) / len(cases) for t in range(years)
            ]
            entry["sensitivity"] = sensitivity(
                economics,
                (baseline.scenario, _mean_kpis(baseline.replications)),
                (result.scenario, _mean_kpis(result.replications)),
            )
        out[name] = entry
    return out


def _mean_kpis(reps: Sequence[Replication]) -> tuple[float, float | None, float | None]:
    def mean(values: list[float | None]) -> float | None:
        defined = [v for v in values if v is not None and not math.isnan(v)]
        return math.fsum(defined) / len(defined) if defined else None

    tp = mean([r.throughput_per_hour for r in reps])
    return (
        tp or 0.0,
        mean([r.energy_kwh_per_part for r in reps]),
        mean([r.scrap_per_hour for r in reps]),
    )


KPIs = tuple[float, float | None, float | None]
"""Good parts per hour, kWh per good part, scrapped parts per hour."""


def sensitivity(
    economics: Economics,
    baseline: tuple[Scenario, KPIs],
    variant: tuple[Scenario, KPIs],
    steps: Mapping[str, Sequence[float]] | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{parameter, change, net_investment, annual_savings, payback_years, npv, irr}``:
    the investment case with one input changed, first the unchanged ``base`` row.

    ``wage_growth``: ``wage_growth + change``; ``demand``: both lines run
    ``hours_per_year × (1 + change)`` hours (more demand met by longer running);
    ``subsidy``: share or per-robot amount and cap × ``(1 + change)`` (share at most 1);
    ``robot_price``: every robot's price × ``(1 + change)``.
    """
    steps = SENSITIVITY_STEPS if steps is None else steps
    (b_sc, b_kpi), (v_sc, v_kpi) = baseline, variant

    def row(parameter: str, change: float, econ: Economics, robot: float = 1.0) -> dict[str, Any]:
        case = investment_case(
            econ,
            line_costs(econ, b_sc, *b_kpi, robot_price_factor=robot),
            line_costs(econ, v_sc, *v_kpi, robot_price_factor=robot),
        )
        return {
            "parameter": parameter,
            "change": change,
            "net_investment": case.net_investment,
            "annual_savings": case.annual_savings,
            "payback_years": case.payback_years,
            "npv": case.npv,
            "irr": case.irr,
        }

    rows = [row("base", 0.0, economics)]
    for parameter, changes in steps.items():
        for change in changes:
            if parameter == "wage_growth":
                econ = economics.model_copy(
                    update={"wage_growth": economics.wage_growth + change}
                )
                rows.append(row(parameter, change, econ))
            elif parameter == "demand":
                econ = economics.model_copy(
                    update={"hours_per_year": economics.hours_per_year * (1.0 + change)}
                )
                rows.append(row(parameter, change, econ))
            elif parameter == "subsidy":
                rows.append(row(parameter, change, _scaled_subsidy(economics, change)))
            elif parameter == "robot_price":
                rows.append(row(parameter, change, economics, robot=1.0 + change))
            else:
                raise ValueError(f"unknown sensitivity parameter {parameter!r}")
    return rows


def _scaled_subsidy(economics: Economics, change: float) -> Economics:
    sub = economics.subsidy
    if sub is None:
        return economics
    factor = max(1.0 + change, 0.0)
    scaled = sub.model_copy(
        update={
            "share": None if sub.share is None else min(sub.share * factor, 1.0),
            "per_robot": None if sub.per_robot is None else sub.per_robot * factor,
            "cap": None if sub.cap is None else sub.cap * factor,
        }
    )
    return economics.model_copy(update={"subsidy": scaled})
