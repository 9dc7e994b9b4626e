"""The ``economics:`` section of a format-v2 scenario: what the line costs to buy and to run.

The inputs of the investment case that ``linelab compare`` computes for every variant against
the baseline (the formulas are in ``docs/economics.md``). Money is in ``currency`` units,
rates and shares are plain fractions (0.08 = 8 %), times in hours, months or years as each
field says. Impossible values (a negative wage or price, a subsidy share above 1, zero years,
a lease term of zero) are refused where they are written.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from ._types import MODEL_CONFIG, StrictFloat, StrictInt, field_problem

__all__ = ["Economics", "FloorSpace", "Lease", "RampUp", "Subsidy"]

Money = Annotated[StrictFloat, Field(ge=0)]
"""An amount of money, >= 0."""
Share = Annotated[StrictFloat, Field(ge=0, le=1)]
"""A fraction from 0 to 1."""


class Subsidy(BaseModel):
    """An equipment subsidy: a share of the incremental investment, or an amount per robot
    added, either with an optional cap (exactly one of ``share`` and ``per_robot``)."""

    model_config = MODEL_CONFIG

    share: Share | None = None
    """Share of the incremental equipment investment paid back, 0 to 1."""
    per_robot: Money | None = None
    """Amount paid per robot unit the variant adds over the baseline, >= 0."""
    cap: Money | None = None
    """Largest subsidy paid, >= 0; omitted: no cap."""

    @model_validator(mode="after")
    def _one_basis(self) -> Subsidy:
        if (self.share is None) == (self.per_robot is None):
            raise field_problem(
                (),
                "give exactly one of 'share' (of the incremental investment) and "
                "'per_robot' (an amount per added robot)",
            )
        return self


class FloorSpace(BaseModel):
    """Floor rent: the area each station server or resource unit takes, and the rent."""

    model_config = MODEL_CONFIG

    rent: Money
    """Rent per square metre per year, >= 0."""
    area: dict[str, Annotated[StrictFloat, Field(ge=0)]]
    """Square metres per unit, by station name (per server) or resource name (per unit);
    elements not listed take no floor space."""


class RampUp(BaseModel):
    """The first months after the change, when the new line runs below its full output."""

    model_config = MODEL_CONFIG

    months: Annotated[StrictFloat, Field(ge=0, le=120)]
    """Length of the ramp-up, 0 to 120 months from the start of year 1."""
    output: Annotated[StrictFloat, Field(ge=0, le=1)]
    """Share of the full savings earned during the ramp-up, 0 to 1."""


class Lease(BaseModel):
    """Lease financing of the net investment instead of buying it outright."""

    model_config = MODEL_CONFIG

    down_payment: Share = 0.0
    """Share of the net investment paid at the start, 0 to 1."""
    term: Annotated[StrictInt, Field(ge=1, le=50)]
    """Number of yearly payments (end of year), 1 to 50."""
    rate: Annotated[StrictFloat, Field(ge=0, le=1)]
    """Interest rate of the lease per year, 0 to 1."""


class Economics(BaseModel):
    """Cost inputs of the investment case (format v2)."""

    model_config = MODEL_CONFIG

    currency: Annotated[str, Field(min_length=1, max_length=10, pattern=r"^[A-Za-z$€¥£]+$")] = (
        "CNY"
    )
    """Currency of every amount, a code or symbol (e.g. CNY, EUR, $); default CNY."""
    hours_per_year: Annotated[StrictFloat, Field(gt=0, le=8784)]
    """Hours the line runs per year, > 0 and at most 8784: labour and energy are paid for
    these hours."""
    wages: dict[str, Money] = {}
    """Fully loaded cost per person-hour, by resource name or kind (a name wins), >= 0."""
    electricity: Money = 0.0
    """Price of one kWh, >= 0."""
    discount_rate: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.0
    """Discount rate per year for the net present value, 0 to 1."""
    years: Annotated[StrictInt, Field(ge=1, le=50)]
    """Years the investment case covers, 1 to 50."""
    subsidy: Subsidy | None = None
    """Equipment subsidy on the incremental investment; omitted: none."""
    maintenance: Share = 0.0
    """Maintenance per year as a share of the purchase price, 0 to 1."""
    floor_space: FloorSpace | None = None
    """Floor space rent; omitted: floor space costs nothing."""
    scrap_cost: Money = 0.0
    """Cost of one scrapped part (material and work lost), >= 0."""
    depreciation_years: Annotated[StrictInt, Field(ge=1, le=50)] | None = None
    """Straight-line depreciation life of the net investment in years, 1 to 50; omitted:
    no depreciation tax shield."""
    tax_rate: Annotated[StrictFloat, Field(ge=0, lt=1)] = 0.0
    """Profit tax rate, 0 to below 1: savings are taxed and depreciation shields."""
    wage_growth: Annotated[StrictFloat, Field(ge=-0.5, le=1)] = 0.0
    """Wage growth per year, -0.5 to 1: labour savings grow by this factor each year."""
    ramp_up: RampUp | None = None
    """Ramp-up at reduced output after the change; omitted: full output from day one."""
    lease: Lease | None = None
    """Lease financing; omitted: the net investment is paid at the start."""
