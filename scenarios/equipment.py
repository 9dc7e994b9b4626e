"""Format v2 building blocks: resources, products, tending, failures and setups.

These frozen models are referenced from :class:`~scenarios.model.Station` and
:class:`~scenarios.model.Scenario`; names they refer to (a resource in ``tending.by``, a
station in a route, a product in a changeover matrix) are checked by
:mod:`scenarios.checks`, which sees the whole scenario.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._types import MODEL_CONFIG, Duration, Name, StrictFloat, StrictInt, field_problem
from .battery import Battery
from .distributions import Distribution, DistributionInput, DistributionUnion
from .flow import Acceleration, Speed, trip_time_s
from .power import ResourcePower
from .process_time import ProcessTime
from .units import parse_duration, show_value
from .walking import WALK_FIELDS, Walk

__all__ = [
    "RESOURCE_KINDS",
    "VEHICLE_FIELDS",
    "FailureTime",
    "Failures",
    "Product",
    "Resource",
    "RoutedProduct",
    "Setup",
    "Tending",
    "positive_mean",
]

RESOURCE_KINDS: tuple[str, ...] = ("operator", "robot", "vehicle")
"""Resource kinds this LineLab simulates."""

VEHICLE_FIELDS: tuple[str, ...] = (
    "speed",
    "acceleration",
    "load",
    "unload",
    "capacity",
    "park",
    "dispatch",
    "battery",
)
"""Resource keys that only a ``kind: vehicle`` resource may write."""

DEFAULT_PRODUCT = "part"
"""Name of the one product of a scenario without ``products``."""


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("linelab", "{message}", {"message": message})


def not_blank(value: str) -> str:
    """Refuse a name made of spaces only."""
    if not value.strip():
        raise _problem("must not be blank")
    return value


def positive_mean(dist: Any, field: str, what: str) -> None:
    """Refuse a time whose mean is 0 (parts would move without time passing).

    ``field`` is the key holding the time, ``what`` how the message names it. Time models
    (without ``mean_s``) check their own time.
    """
    mean = getattr(dist, "mean_s", None)
    if mean is not None and mean <= 0:
        raise field_problem(
            (field,),
            f"{what} must have a mean > 0 (every draw would be 0, "
            "so parts would move without time passing)",
        )


# --------------------------------------------------------------------------------------
# Resources


def _to_kind(value: Any) -> Any:
    if isinstance(value, str) and value not in RESOURCE_KINDS:
        synonyms = {
            "human": "operator",
            "worker": "operator",
            "person": "operator",
            "people": "operator",
            "operators": "operator",
            "robots": "robot",
            "cobot": "robot",
            "manipulator": "robot",
            "agv": "vehicle",
            "amr": "vehicle",
            "agvs": "vehicle",
            "vehicles": "vehicle",
            "forklift": "vehicle",
            "cart": "vehicle",
        }
        guess = synonyms.get(value.strip().lower())
        if guess is None:
            close = difflib.get_close_matches(value.lower(), RESOURCE_KINDS, n=1, cutoff=0.6)
            guess = close[0] if close else None
        hint = f"; did you mean '{guess}'?" if guess else ""
        raise _problem(
            f"unknown resource kind {show_value(value)}{hint} (valid: {', '.join(RESOURCE_KINDS)})"
        )
    return value


class Resource(BaseModel):
    """A pool of identical units (operators, robots, vehicles) that stations wait for."""

    model_config = MODEL_CONFIG

    name: Name
    """Unique resource name, used by ``tending.by``, ``operated_by``, ``failures.repair_by``,
    ``transport`` and for result keys (``resources.<name>``)."""
    kind: Annotated[Literal["operator", "robot", "vehicle"], BeforeValidator(_to_kind)]
    """What the units are: ``operator`` (people), ``robot``, or ``vehicle`` (AGVs, carts:
    they carry parts between stations along the layout's aisles, see ``transport``). A
    station waiting for an operator or a robot is ``waiting_operator`` or ``waiting_robot``."""
    count: Annotated[StrictInt, Field(ge=1, le=10_000)] = 1
    """Units available while on shift, 1 to 10,000."""
    shifts: Annotated[tuple[Name, ...], Field(min_length=1)] | None = None
    """Shifts of the ``calendar`` the units work (minus breaks); omitted: around the clock."""
    power: ResourcePower | None = None
    """Power one unit draws by state, in kW (``{busy: 1.2 kW, idle: 0.3 kW}``); for a
    vehicle ``busy`` covers travelling and handling."""
    price: Annotated[StrictFloat, Field(ge=0)] | None = None
    """Purchase price of one unit (for economics), >= 0."""
    speed: Speed | None = None
    """(vehicle, required) Top speed: ``1 m/s``, ``60 m/min``, ``3.6 km/h`` or a number of
    m/s; > 0."""
    acceleration: Acceleration | None = None
    """(vehicle) Acceleration and braking: ``0.5 m/s2`` or a number of m/s², > 0. A trip of
    ``d`` metres takes ``d/v + v/a`` when ``d >= v²/a``, else ``2·sqrt(d/a)``. Omitted: the
    vehicle reaches its speed at once (a trip takes ``d/v``)."""
    load: Annotated[Duration, Field(ge=0)] = 0.0
    """(vehicle) Time to take a part on board at a station (the station waits meanwhile),
    >= 0; default 0."""
    unload: Annotated[Duration, Field(ge=0)] = 0.0
    """(vehicle) Time to hand a part over to the next station, >= 0; default 0."""
    capacity: Annotated[StrictInt, Field(ge=1, le=1000)] = 1
    """(vehicle) Parts one vehicle carries at once, 1 to 1,000; default 1."""
    park: Name | None = None
    """(vehicle) Layout point an idle vehicle drives to (and starts at); omitted: an idle
    vehicle stays where it unloaded last."""
    dispatch: Literal["oldest", "nearest"] = "oldest"
    """(vehicle) Which request a free vehicle serves, or which idle vehicle takes a new
    request: ``oldest`` (default: requests first come, first served) or ``nearest`` (the
    idle vehicle nearest to the request along the aisles)."""
    battery: Battery | None = None
    """(vehicle) Battery drained per metre driven and the charging rule (see
    :class:`~scenarios.battery.Battery`); omitted: the vehicle never charges."""
    walk: Walk | None = None
    """(operator, robot) Walk (or travel on a track) along the layout's aisles to each station
    served, at ``speed`` (and ``acceleration``), before tending, operating or repairing there
    (unit state ``walking``); omitted: units are at every station at once."""
    home: Name | None = None
    """(operator, robot with ``walk``) Layout point the units start at; omitted: the ``at``
    of the first station (file order) the resource serves."""

    _name_not_blank = field_validator("name")(not_blank)

    @model_validator(mode="after")
    def _vehicle_fields(self) -> Resource:
        if self.kind == "vehicle":
            for key in WALK_FIELDS:
                if key in self.model_fields_set:
                    raise field_problem(
                        (key,),
                        f"'{key}' is a key of walking operators and robots; a vehicle moves "
                        "at its own 'speed' (remove it)",
                        at_key=True,
                    )
        if self.kind != "vehicle":
            for key in VEHICLE_FIELDS:
                if key in self.model_fields_set:
                    raise field_problem(
                        (key,),
                        f"'{key}' is a key of vehicles (kind: vehicle), not of "
                        f"{'an' if self.kind == 'operator' else 'a'} {self.kind}; remove it "
                        "or change the kind",
                        at_key=True,
                    )
            return self
        if self.speed is None:
            raise field_problem(
                (), "missing required key 'speed': a vehicle needs a speed (such as 1 m/s)"
            )
        if self.speed <= 0:
            raise field_problem(
                ("speed",), "a vehicle speed must be > 0 (a vehicle at speed 0 never arrives)"
            )
        if self.acceleration is not None and self.acceleration <= 0:
            raise field_problem(
                ("acceleration",),
                "the acceleration must be > 0; omit it for a vehicle that reaches its speed "
                "at once",
            )
        return self

    @model_serializer(mode="wrap")
    def _only_vehicles_show_vehicle_keys(self, handler: SerializerFunctionWrapHandler) -> Any:
        """An operator's or robot's dump has no vehicle keys (as before vehicles existed)."""
        data = handler(self)
        if self.kind != "vehicle" and isinstance(data, dict):
            for key in VEHICLE_FIELDS:
                data.pop(key, None)
        if isinstance(data, dict):
            for key in WALK_FIELDS:  # walking keys only when given (dumps stay as before)
                if data.get(key) is None:
                    data.pop(key, None)
            if data.get("battery", 0) is None:
                data.pop("battery")  # as before batteries existed
        return data

    @property
    def is_vehicle(self) -> bool:
        """Whether the units are vehicles that carry parts (``kind: vehicle``)."""
        return self.kind == "vehicle"

    @property
    def waiting_state(self) -> str:
        """The state of a station waiting for this resource: ``waiting_<kind>``."""
        return f"waiting_{self.kind}"

    def trip_time_s(self, distance_m: float) -> float:
        """Time this vehicle takes to drive ``distance_m`` metres, accelerating and braking
        once (see :func:`~scenarios.flow.trip_time_s`), in seconds.

        Raises:
            ValueError: the resource is not a vehicle.
        """
        if self.speed is None:
            raise ValueError(f"resource {self.name!r} is not a vehicle")
        return trip_time_s(distance_m, self.speed, self.acceleration)


# --------------------------------------------------------------------------------------
# Products


def _route_not_empty(value: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if value is not None and not value:
        raise _problem(
            "empty route: list the stations this product visits in order, "
            "or omit 'route' to visit every station in order"
        )
    return value


class Product(BaseModel):
    """A kind of part: its share of the parts released, its route and its own times."""

    model_config = MODEL_CONFIG

    name: Name
    """Unique product name, used for result keys (``products.<name>``) and setups."""
    share: Annotated[StrictFloat, Field(gt=0, le=1)] = 1.0
    """Share of the parts released that are this product, in (0, 1]; the shares of all
    products sum to 1. Each part's product is drawn independently."""
    route: Annotated[
        tuple[Name, ...] | None,
        Field(json_schema_extra={"minItems": 1}),
    ] = None
    """Station names in visiting order (each at most once); omitted: every station in order."""
    process: dict[Name, ProcessTime] = Field(default_factory=dict)
    """Process time of this product at some stations of its route (``{cnc: 7 min}``);
    stations not listed use their own ``process``."""

    _check_route = field_validator("route")(_route_not_empty)
    _name_not_blank = field_validator("name")(not_blank)

    @model_validator(mode="after")
    def _times_take_time(self) -> Product:
        for station, time in self.process.items():
            mean = getattr(time, "mean_s", None)
            if mean is not None and mean <= 0:
                raise field_problem(
                    ("process", station),
                    "process time must have a mean > 0 (every draw would be 0, "
                    "so parts would move without time passing)",
                )
        if self.route is not None:
            seen: dict[str, int] = {}
            for index, station in enumerate(self.route):
                if station in seen:
                    raise field_problem(
                        ("route", index),
                        f"the route visits {station!r} twice (first at route[{seen[station]}]); "
                        "a product visits each station at most once",
                        first_at=("route", seen[station]),
                    )
                seen[station] = index
        return self


class RoutedProduct(Product):
    """A product with its route filled in, as :meth:`Scenario.products_or_default` gives it."""

    route: tuple[Name, ...]
    """Station names in visiting order (every station in order when the file gave none)."""


# --------------------------------------------------------------------------------------
# Station extras


class Tending(BaseModel):
    """A machine loaded and unloaded by a resource unit, then running alone."""

    model_config = MODEL_CONFIG

    by: Name
    """Name of the resource (operators, a robot) whose unit tends the machine."""
    time: ProcessTime
    """Time the unit and the machine are both occupied per part (unload the finished part,
    load the next, start the cycle); a distribution or a duration, mean > 0."""

    @model_validator(mode="after")
    def _takes_time(self) -> Tending:
        positive_mean(self.time, "time", "tending time")
        return self


def _failure_time(what: str, long: str) -> Any:
    """A bare duration means an exponential time with that mean; it must be > 0."""

    def convert(value: Any) -> Any:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                seconds = parse_duration(value)
            except ValueError as exc:
                raise _problem(str(exc)) from None
            if seconds <= 0:
                raise _problem(f"{what} ({long}) must be > 0, got {show_value(value)}")
            return {"dist": "exponential", "mean": value}
        return value

    return convert


FailureTime = Annotated[
    DistributionUnion,
    BeforeValidator(
        _failure_time("mtbf", "the mean time between failures"),
        json_schema_input_type=DistributionInput,
    ),
]
"""A time between failures: a distribution, or a bare duration meaning exponential with
that mean."""

RepairTime = Annotated[
    DistributionUnion,
    BeforeValidator(
        _failure_time("mttr", "the mean time to repair"),
        json_schema_input_type=DistributionInput,
    ),
]
"""A repair time: a distribution, or a bare duration meaning exponential with that mean."""


class Failures(BaseModel):
    """Random breakdowns of each server of a station, and their repair."""

    model_config = MODEL_CONFIG

    mtbf: FailureTime
    """Time between failures: a duration (the mean of an exponential time) or a
    distribution; mean > 0. Counted by ``basis``."""
    mttr: RepairTime
    """Repair time: a duration (the mean of an exponential time) or a distribution; mean > 0."""
    basis: Literal["operating", "calendar"] = "operating"
    """``operating`` (default): time to failure runs only while the server processes;
    ``calendar``: it runs all the time. Either way a failure during an operation suspends
    it, and it resumes after the repair."""
    repair_by: Name | None = None
    """Resource whose unit repairs (the repair waits for a free unit); omitted: repair
    starts at once."""

    @model_validator(mode="after")
    def _means_positive(self) -> Failures:
        for what, dist in (("mtbf", self.mtbf), ("mttr", self.mttr)):
            if dist.mean_s <= 0:
                raise field_problem((what,), f"{what} must have a mean > 0")
        return self


def _to_setup(value: Any) -> Any:
    """A bare duration or a distribution is the setup time of every product change."""
    if isinstance(value, dict) and ("matrix" in value or "default" in value):
        return value
    if value is None:
        return value
    if isinstance(value, dict) and not value:
        raise _problem(
            "expected a setup time such as '12 min', a distribution, or "
            "{matrix: {from_product: {to_product: time}}}, got an empty mapping"
        )
    return {"default": value}


class Setup(BaseModel):
    """Changeover time of a server that switches from one product to another."""

    model_config = MODEL_CONFIG

    default: Distribution | None = None
    """Setup time of a change not listed in ``matrix``; omitted: no setup for those."""
    matrix: dict[Name, dict[Name, Distribution]] = Field(default_factory=dict)
    """Setup times by change: ``{from_product: {to_product: time}}``."""

    @model_validator(mode="after")
    def _no_self_change(self) -> Setup:
        for source, row in self.matrix.items():
            if source in row:
                raise field_problem(
                    ("matrix", source, source),
                    f"a setup from {source!r} to itself: there is no setup without a change "
                    "of product",
                    at_key=True,
                )
        return self

    def time_for(self, from_product: str, to_product: str) -> Distribution | None:
        """Setup time of a change from ``from_product`` to ``to_product``; ``None``: none."""
        if from_product == to_product:
            return None
        time = self.matrix.get(from_product, {}).get(to_product)
        return time if time is not None else self.default


SetupField = Annotated[
    Setup,
    BeforeValidator(_to_setup, json_schema_input_type=DistributionInput | Setup),
]
"""``setup``: one time for every change, or ``{matrix: ..., default: ...}``."""
