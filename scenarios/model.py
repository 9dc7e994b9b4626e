"""The scenario model, formats v1 and v2: stations, an optional source, and (v2) resources,
products, a calendar, per-station equipment behaviour and material flow (a floor layout,
vehicles, conveyors).

One :class:`Scenario` type reads both versions: every v2 field is optional and its default
switches the feature off, so a ``linelab: 1`` file is simply a scenario that uses none of
them (a v1 file that writes a v2 key is refused with "needs linelab: 2"). These frozen
pydantic models are the schema: each field's docstring becomes its JSON Schema description
and the reference in ``docs/scenario-format.md``. Times are float seconds, power float kW.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._types import (
    MODEL_CONFIG,
    DisplayName,
    Duration,
    Name,
    StrictFloat,
    StrictInt,
    by_name,
    field_problem,
)
from .assembly import Assembly
from .calendar import Calendar
from .checks import (
    FLOW_SCENARIO_KEYS,
    FLOW_STATION_KEYS,
    V2_SCENARIO_KEYS,
    V2_STATION_KEYS,
    cross_check,
)
from .distributions import Distribution
from .economics import Economics
from .equipment import (
    DEFAULT_PRODUCT,
    Failures,
    Product,
    Resource,
    RoutedProduct,
    SetupField,
    Tending,
)
from .flow import Conveyor, Layout
from .power import Power
from .process_time import ProcessTime, is_time_model
from .units import MAX_DURATION_S, MIN_DURATION_S, format_seconds

__all__ = ["FORMAT_VERSION", "FORMAT_VERSIONS", "Scenario", "Source", "Station"]

FORMAT_VERSION = 2
"""The newest scenario format version this LineLab reads."""
FORMAT_VERSIONS = (1, 2)
"""Every scenario format version this LineLab reads."""

CROSS_CHECKED = "linelab_cross_checked"
"""Validation context key: the caller (the loader) already ran :func:`cross_check`."""

MAX_SEED = 2**63 - 1

MIN_HORIZON_S = 1e-3
"""Shortest measured period, in seconds (1 ms)."""
HORIZON_PER_WARMUP = 1e-9
"""The horizon must also be at least this fraction of the warm-up (1 s after 1e9 s)."""
MAX_WIP_CAP = 1_000_000
"""Largest CONWIP limit, like the largest buffer: a line never holds a million parts, and
the simulation keeps every part in memory."""


def _positive_mean(dist: Any, what: str) -> None:
    mean = getattr(dist, "mean_s", None)  # a time model checks its own time
    if mean is None:
        return
    if mean <= 0:
        raise field_problem(
            (what,),
            f"{what} time must have a mean > 0 (every draw would be 0, "
            "so parts would move without time passing)",
        )
    if mean < MIN_DURATION_S:
        raise field_problem(
            (what,),
            f"{what} time must have a mean of at least 1e-6 s (1 microsecond), got a mean "
            f"of {format_seconds(mean)}; a time this small is a typo: check the numbers and "
            "the unit",
        )


class Source(BaseModel):
    """Where parts come from: they arrive one by one, separated by ``interarrival``."""

    model_config = MODEL_CONFIG

    interarrival: Distribution
    """Time between two arrivals: a distribution or a bare duration (a constant). Its mean
    must be at least 1e-6 s."""

    @model_validator(mode="after")
    def _arrivals_take_time(self) -> Source:
        _positive_mean(self.interarrival, "interarrival")
        return self


class Station(BaseModel):
    """One step of the route: ``servers`` identical units in parallel with a buffer in front."""

    model_config = MODEL_CONFIG

    name: Name
    """Unique station name, used for result keys (``stations.<name>``) and messages: 1 to 200
    characters, no control or invisible character, no dot (``.`` separates path steps)."""
    servers: Annotated[StrictInt, Field(ge=1, le=10_000)] = 1
    """Number of identical parallel units, 1 to 10,000."""
    process: ProcessTime
    """Processing time of one part on one unit: a distribution or a bare duration (a
    constant), or (v2) a process-time model with a ``model`` key. Its mean must be at least
    1e-6 s."""
    buffer: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None
    """Places in front of this station, not counting parts in service, 0 to 1,000,000.
    Omitted or null: unlimited. 0: no buffer, so the upstream unit stays blocked holding its
    finished part until a unit here is free."""
    tending: Tending | None = None
    """(v2) A resource unit loads and unloads each part (``{by: robot, time: 25 s}``); the
    machine then runs alone. Omitted: the station needs nobody."""
    operated_by: Name | None = None
    """(v2) Resource that one unit of is held for the whole operation (manual work).
    Not together with ``tending``."""
    failures: Failures | None = None
    """(v2) Random breakdowns of each server (``{mtbf: 40 h, mttr: 30 min}``)."""
    setup: SetupField | None = None
    """(v2) Changeover time when a server switches product: one time (``12 min``) or
    ``{matrix: {from: {to: time}}, default: time}``. No setup before the first part."""
    scrap: Annotated[StrictFloat, Field(ge=0, lt=1)] = 0.0
    """(v2) Probability that a part is scrapped after its operation here, in [0, 1)
    (``0.02`` for 2 %); a scrapped part leaves the line."""
    power: Power | None = None
    """(v2) Power one server draws by state, in kW (``{busy: 7.5 kW, idle: 1.2 kW}``)."""
    shifts: Annotated[tuple[Name, ...], Field(min_length=1)] | None = None
    """(v2) Shifts of the ``calendar`` the station works in; omitted: around the clock."""
    price: Annotated[StrictFloat, Field(ge=0)] | None = None
    """(v2) Purchase price of one server (for economics), >= 0."""
    at: Name | None = None
    """(v2) Point of the ``layout`` where the station stands: vehicles pick its parts up and
    deliver parts to it there. Omitted: the station has no place on the floor."""
    transport: Name | None = None
    """(v2) Vehicle resource (``kind: vehicle``) that carries the parts finished here to
    their next station, along the layout's aisles from this station's ``at`` to the next
    one's. Omitted: parts move on at once. Not together with ``conveyor``."""
    conveyor: Conveyor | None = None
    """(v2) Belt that carries the parts finished here to their next station
    (``{length: 12 m, speed: 0.2 m/s, spacing: 0.5 m}``); a full belt blocks this station.
    Not together with ``transport``."""
    assembly: Assembly | None = None
    """(v2) The station joins components into one assembled product
    (``{inputs: {pcba: 1, housing: 1}, output: phone}``); see docs/scenario-format.md."""
    batch: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    """(v2) Parts finished here leave in trays of this many (one open tray per product): a
    vehicle, a belt and the following stations take a full tray as one part, until a station
    with ``unbatch``. Omitted: parts leave one by one."""
    unbatch: StrictBool | None = None
    """(v2) ``true``: a tray arriving here is opened, and its parts are worked one by one."""

    @model_validator(mode="after")
    def _processing_takes_time(self) -> Station:
        _positive_mean(self.process, "process")
        return self


class Scenario(BaseModel):
    """A LineLab scenario, format version 1 or 2."""

    model_config = MODEL_CONFIG

    linelab: Literal[1, 2]
    """Format version of the file: 1 or 2 (2 adds calendar, products, resources, layout and
    the station keys tending, operated_by, failures, setup, scrap, power, shifts, price, at,
    transport, conveyor)."""
    name: DisplayName
    """Name of the scenario, shown in reports: 1 to 200 characters, no control or invisible
    character (dots are fine)."""
    horizon: Annotated[Duration, Field(gt=0)]
    """Measured time per replication, after the warm-up: at least 1 ms, and at least a
    billionth of the warm-up, so that float64 times measure it to a relative 2.2e-7. A run
    simulates ``warmup + horizon``; together they may not exceed 1e9 s (about 31 years)."""
    warmup: Annotated[Duration, Field(ge=0)] = 0.0
    """Warm-up time simulated before measuring starts, >= 0. Statistics cover only the
    measured period (parts that entered during warm-up count when they finish after it)."""
    replications: Annotated[StrictInt, Field(ge=1, le=100_000)] = 1
    """Number of independent replications, 1 to 100,000."""
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] = 0
    """Root random seed, 0 to 2^63 − 1. Results depend only on the scenario and this seed."""
    source: Source | None = None
    """Optional arrival process. Without it the first station never starves: a part enters
    the line whenever the first station can start one. With it, arriving parts wait in front
    of the line (nothing is lost) while the first buffer is full or ``wip_cap`` is reached."""
    wip_cap: Annotated[StrictInt, Field(ge=1, le=MAX_WIP_CAP)] | None = None
    """Optional CONWIP limit, 1 to 1,000,000: at most this many parts are in the line; a new
    part is released when one leaves the last station. Omitted or null: no limit."""
    stations: Annotated[tuple[Station, ...], Field(min_length=1)]
    """The stations (at least one), in route order: without ``products`` every part visits
    every station in turn."""
    calendar: Calendar | None = None
    """(v2) Shifts, breaks and working days; without it nothing ever stops for shifts."""
    products: Annotated[tuple[Product, ...], Field(min_length=1)] | None = None
    """(v2) The kinds of parts made, with shares summing to 1, routes and own times.
    Omitted: one product ``part`` that visits every station in order."""
    resources: tuple[Resource, ...] = ()
    """(v2) Operators, robots and vehicles that stations wait for (``tending``,
    ``operated_by``, ``failures.repair_by``, ``transport``)."""
    layout: Layout | None = None
    """(v2) The floor: named points in metres and the aisles between them, where stations
    stand (``at``) and vehicles drive. Omitted: no floor model (and no ``transport``)."""
    economics: Economics | None = None
    """(v2) Cost inputs of the investment case that ``linelab compare`` computes (wages,
    electricity, subsidy, lease, ...); omitted: no economics. See ``docs/economics.md``."""

    @field_validator("linelab", mode="before")
    @classmethod
    def _known_version(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value not in FORMAT_VERSIONS:
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {
                    "message": f"unsupported format version {value}; "
                    "this LineLab reads versions 1 and 2"
                },
            )
        if not (isinstance(value, int) and not isinstance(value, bool)):
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {"message": "the format version must be the number 1 or 2"},
            )
        return value

    @field_validator("horizon")
    @classmethod
    def _measurable(cls, value: float) -> float:
        if value < MIN_HORIZON_S:
            raise PydanticCustomError(
                "linelab",
                "{message}",
                {
                    "message": f"must be at least 1 ms (0.001 s), got {value!r} s; "
                    "nothing can be measured in a shorter period"
                },
            )
        return value

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> Scenario:
        if self.horizon < HORIZON_PER_WARMUP * self.warmup:
            raise field_problem(
                ("horizon",),
                f"must be at least a billionth of the warm-up "
                f"({format_seconds(HORIZON_PER_WARMUP * self.warmup)} after a warm-up of "
                f"{format_seconds(self.warmup)}), got {self.horizon!r} s; "
                "a shorter period cannot be measured that late on the clock",
            )
        if self.horizon + self.warmup > MAX_DURATION_S:
            raise field_problem(
                ("horizon",),
                "warmup + horizon must be at most 1e9 s (about 31 years); "
                f"got {self.warmup + self.horizon:g} s",
            )
        first: dict[str, int] = {}
        for index, station in enumerate(self.stations):
            if station.name in first:
                raise field_problem(
                    ("stations", index, "name"),
                    f"duplicate station name {station.name!r} "
                    f"(first at stations[{first[station.name]}])",
                    first_at=("stations", first[station.name], "name"),
                )
            first[station.name] = index
        if not (info.context and info.context.get(CROSS_CHECKED)):
            issues = cross_check(self._check_view())
            if issues:
                issue = issues[0]
                raise field_problem(
                    issue.path, issue.message, first_at=issue.first_at, at_key=issue.at_key
                )
        return self

    def _check_view(self) -> dict[str, Any]:
        """The plain data :func:`cross_check` reads (a v1 scenario keeps its v2 keys here)."""
        if self.linelab != 1:
            return dict(self.model_dump())
        stations = []
        for st in self.stations:
            view: dict[str, Any] = {key: getattr(st, key) for key in V2_STATION_KEYS}
            view["process"] = {"model": "?"} if is_time_model(st.process) else {}
            stations.append(view)
        top: dict[str, Any] = {key: getattr(self, key) for key in V2_SCENARIO_KEYS}
        return {"linelab": 1, **top, "stations": stations}

    @model_serializer(mode="wrap")
    def _v1_stays_v1(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A v1 scenario dumps without the v2 keys (which are all off), as before v2; a v2
        scenario without material flow dumps without its (off) keys, as before they came."""
        data = handler(self)
        if not isinstance(data, dict):
            return data
        scenario_keys = V2_SCENARIO_KEYS if self.linelab == 1 else FLOW_SCENARIO_KEYS
        station_keys = V2_STATION_KEYS if self.linelab == 1 else FLOW_STATION_KEYS
        for key in scenario_keys:
            if self.linelab == 1 or data.get(key) is None:
                data.pop(key, None)
        for station in data.get("stations") or ():
            if isinstance(station, dict):
                for key in station_keys:
                    if self.linelab == 1 or station.get(key) is None:
                        station.pop(key, None)
        return data

    @property
    def run_length_s(self) -> float:
        """Simulated time per replication: ``warmup + horizon``."""
        return self.warmup + self.horizon

    def products_or_default(self) -> tuple[RoutedProduct, ...]:
        """The products with their routes filled in (``route`` is never ``None``).

        Without ``products``: one product ``part`` with share 1 that visits every station in
        order and has no times of its own. A product without ``route`` visits every station
        in order.
        """
        every = tuple(s.name for s in self.stations)
        if self.products is None:
            return (RoutedProduct(name=DEFAULT_PRODUCT, share=1.0, route=every),)
        return tuple(
            RoutedProduct.model_construct(
                name=p.name,
                share=p.share,
                route=p.route if p.route is not None else every,
                process=p.process,
            )
            for p in self.products
        )

    def station(self, name: str) -> Station:
        """The station called ``name``.

        Raises:
            KeyError: no such station.
        """
        return by_name(self.stations, name)

    def resource(self, name: str) -> Resource:
        """The resource called ``name``.

        Raises:
            KeyError: no such resource.
        """
        return by_name(self.resources, name)

    def vehicle_home(self, name: str) -> str | None:
        """Layout point where the units of the vehicle ``name`` start: its ``park`` if given,
        else the ``at`` of the first station (in file order) it carries parts from; ``None``
        when no station uses it and it has no ``park``.

        Raises:
            KeyError: no such resource.
        """
        vehicle = self.resource(name)
        if vehicle.park is not None:
            return vehicle.park
        for station in self.stations:
            if station.transport == name:
                return station.at
        return None

    def process_of(self, product: Product, station: Station | str) -> ProcessTime:
        """Process time of ``product`` at ``station``: the product's own, else the station's."""
        spec = self.station(station) if isinstance(station, str) else station
        own = product.process.get(spec.name)
        return own if own is not None else spec.process
