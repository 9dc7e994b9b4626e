"""``linelab run --fast``: the exact flow-line recursion instead of the event engine.

For a serial line of single-server FIFO stations with finite or unlimited buffers, blocking
after service, and either an unlimited supply or a source (no ``wip_cap``), the departure times
follow a max-plus recursion (:mod:`kernels.flowline`) that needs no event list. Given the same
processing and interarrival times, it yields the very same departure times as the event engine,
so the fast path uses the same random streams (same keys, same block sampler) and reports the
same JSON. Everything else the engine reports -- state shares, buffer levels -- is derived
exactly from the per-part start, completion and departure times.

Eligibility is an allow-list (:data:`FAST_PATH_FIELDS`): a scenario runs here only if every
field of every model in it is one the recursion is known to represent, with a value it can
represent; anything else -- including every field a later format adds -- goes to the event
engine, with the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

import scenarios
from cells.equipment import UNIT_STATES
from cells.sampling import Sampler
from cells.streams import stream
from kernels.flowline import flowline_covers, flowline_departures
from kernels.flowline_window import FlowlineWindow, WindowAccumulator
from simulator.experiment import ExperimentResult, summarise_replications
from simulator.model import SOURCE_STREAM_KEY, process_stream_key
from simulator.results import Replication, StationResult

if TYPE_CHECKING:
    from scenarios import Scenario

CHUNK_PARTS = 16_384
"""Parts per replication simulated per kernel call: memory stays bounded (a few MB per
replication and station) however long the horizon, and the arrays stay warm in cache."""


class NotEligible(ValueError):
    """The scenario has features the flow-line recursion cannot represent exactly."""


_ANY = object()


@dataclass(frozen=True)
class FieldRule:
    """How the fast path treats one field of the scenario model.

    ``how``: what the recursion does with the field. ``required``: the only value it can
    represent exactly (any value when not given); ``refusal`` then says why another value is
    refused, with ``{where}`` (the element) and ``{value}`` filled in. ``descend``: whether
    the models inside the value reach the recursion (and so need rules of their own);
    ``False`` for data the simulation never reads (the economics inputs).
    """

    how: str
    required: Any = _ANY
    refusal: str = ""
    descend: bool = True


def _absent(how: str, has: str) -> FieldRule:
    """A field the recursion represents only when it is not given: ``how`` says why, ``has``
    what the refused element has (``"has tending"``)."""
    return FieldRule(how, required=None, refusal=f"{{where}} {has} ({how})")


_SAMPLED = FieldRule("drawn with the event engine's sampler from the same random stream")
_DIST_PARAMETER = FieldRule(
    "a parameter of the time distribution: the same sampler draws the same times"
)

FAST_PATH_FIELDS: dict[type[BaseModel], dict[str, FieldRule]] = {
    scenarios.Scenario: {
        "linelab": FieldRule("the format version; nothing to simulate"),
        "name": FieldRule("reported as is"),
        "horizon": FieldRule("the measured window is (warmup, warmup + horizon]"),
        "warmup": FieldRule("the measured window starts after it"),
        "replications": FieldRule("one recursion per replication, same streams as the engine"),
        "seed": FieldRule("the same random streams as the event engine"),
        "source": FieldRule("arrival times feed the first station; none: unlimited supply"),
        "wip_cap": FieldRule(
            "CONWIP release is not a flow line",
            required=None,
            refusal="wip_cap is set ({value}); CONWIP release is not a flow line",
        ),
        "stations": FieldRule("one column of the recursion per station, in route order"),
        "calendar": FieldRule(
            "the recursion has no shifts or breaks",
            required=None,
            refusal="a calendar is given (the recursion has no shifts or breaks)",
        ),
        "products": FieldRule(
            "the recursion models one product on one route",
            required=None,
            refusal="products are given (the recursion models one product on one route)",
        ),
        "resources": FieldRule(
            "the recursion models no shared resources",
            required=(),
            refusal="resources are given (the recursion models no shared resources)",
        ),
        "layout": FieldRule(
            "the recursion models no floor, vehicles or travel",
            required=None,
            refusal="a layout is given (the recursion models no floor, vehicles or travel)",
        ),
        "economics": FieldRule(
            "cost inputs of linelab compare; the simulation never reads them", descend=False
        ),
    },
    scenarios.Source: {"interarrival": _SAMPLED},
    scenarios.Station: {
        "name": FieldRule("the station's stream key and result key"),
        "servers": FieldRule(
            "the recursion models one server per station",
            required=1,
            refusal="{where} has {value} servers (the recursion models one server per station)",
        ),
        "process": _SAMPLED,
        "buffer": FieldRule("blocking after service with this many places; none: unlimited"),

        "tending": _absent("the recursion models no tending", "has tending"),
        "operated_by": _absent("the recursion models no operators", "has operated_by"),
        "failures": _absent("the recursion models no failures", "has failures"),
        "setup": _absent("the recursion models no setups", "has setup"),
        "power": _absent("the fast path computes no energy", "has power"),
        "shifts": _absent("the recursion has no shifts", "has shifts"),
        "scrap": FieldRule(
            "the recursion scraps nothing",
            required=0.0,
            refusal="{where} has scrap {value} (the recursion scraps nothing)",
        ),
        "price": FieldRule("a purchase price, used by economics only; no effect on the flow"),
        "at": FieldRule("a position on the floor; without transport it moves nothing"),
        "transport": _absent("the recursion models no vehicles", "has transport"),
        "conveyor": _absent("the recursion models no conveyors", "has a conveyor"),
        "assembly": FieldRule(
            "the recursion models one part stream, no joins",
            required=None,
            refusal="{where} is an assembly station (the recursion models no joins)",
        ),
        "batch": _absent("the recursion moves parts one by one", "makes trays"),
        "unbatch": _absent("the recursion moves parts one by one", "opens trays"),
    },
    scenarios.Constant: {"dist": _DIST_PARAMETER, "value": _DIST_PARAMETER},
    scenarios.Exponential: {"dist": _DIST_PARAMETER, "mean": _DIST_PARAMETER},
    scenarios.Normal: {"dist": _DIST_PARAMETER, "mean": _DIST_PARAMETER, "sd": _DIST_PARAMETER},
    scenarios.Lognormal: {"dist": _DIST_PARAMETER, "mean": _DIST_PARAMETER,
                          "cv": _DIST_PARAMETER},
    scenarios.Uniform: {"dist": _DIST_PARAMETER, "low": _DIST_PARAMETER,
                        "high": _DIST_PARAMETER},
    scenarios.Triangular: {"dist": _DIST_PARAMETER, "low": _DIST_PARAMETER,
                           "mode": _DIST_PARAMETER, "high": _DIST_PARAMETER},
    scenarios.Empirical: {"dist": _DIST_PARAMETER, "values": _DIST_PARAMETER},
}
"""The allow-list of the fast path: every model the scenario format is built from, and for
each of its fields how the flow-line recursion treats it. A model or field that is not listed
is refused, whatever its value: a later format's features (failures, products, shared
resources ...) stay on the event engine until someone decides what the recursion does with
them. ``tests/test_fastpath.py`` walks the models and fails on any field not decided here."""


REFUSED_MODELS: dict[type[BaseModel], str] = {
    scenarios.time_models.RobotTask: "a robot-task time model",
    scenarios.time_models.CncProgram: "a CNC-program time model",
    scenarios.time_models.Molding: "a molding-cycle time model",
}
"""Models the fast path refuses as a whole, with how messages name them: the process-time
models are left to the event engine (their cells adapter, which computes the times through the
kinematics kernels, is not wired into the recursion)."""


def _element(model: BaseModel, path: str) -> str:
    """How messages name a model instance: ``station 'press'``, ``the source``, or its path
    (``station 'press', process``)."""
    if isinstance(model, scenarios.Station):
        return f"station {model.name!r}"
    if isinstance(model, scenarios.Source):
        return "the source"
    return path or "the scenario"


def _refusals(model: BaseModel, path: str) -> list[str]:
    """The reasons ``model`` (at ``path``) and everything in it are not a flow line."""
    where = _element(model, path)
    if type(model) in REFUSED_MODELS:
        return [f"{where} is {REFUSED_MODELS[type(model)]} (the fast path takes distributions)"]
    rules = FAST_PATH_FIELDS.get(type(model))
    if rules is None:
        return [f"{where}: {type(model).__name__} is not known to the fast path"]
    reasons = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        rule = rules.get(name)
        if rule is None:
            reasons.append(f"{where}: '{name}' is not known to the fast path")
            continue
        if rule.required is not _ANY and value != rule.required:
            reasons.append(rule.refusal.format(where=where, value=value))
            continue
        if not rule.descend:
            continue
        for child in value if isinstance(value, tuple | list) else (value,):
            if isinstance(child, BaseModel):
                reasons += _refusals(child, f"{where}, {name}")
    return reasons


def check_eligible(scenario: Scenario) -> None:
    """Raise :class:`NotEligible` listing every reason the fast path would not be exact.

    An allow-list: every field of every model in the scenario must be in
    :data:`FAST_PATH_FIELDS`, with the value the recursion can represent where it needs one.
    """
    reasons = _refusals(scenario, "")
    if reasons:
        raise NotEligible("; ".join(reasons) + ". Run without --fast to use the event engine.")


MAX_CHUNK_BYTES = 2 * 1024**3
"""Memory the fast path may use for one chunk (a buffer of a million places needs ~2 million
parts of history); beyond it the scenario is refused with the reason."""


class _Streams:
    """One replication's samplers, drawn chunk after chunk in the DES's order."""

    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self.process = [
            Sampler(s.process, stream(seed, replication, process_stream_key(s.name)))
            for s in scenario.stations
        ]
        self.interarrival = (
            None
            if scenario.source is None
            else Sampler(scenario.source.interarrival, stream(seed, replication, SOURCE_STREAM_KEY))
        )
        self.last_arrival = 0.0

    def fill(self, process: np.ndarray, arrivals: np.ndarray | None, first: int) -> None:
        """Fill rows ``first`` onwards (of replication row 0) with the next parts' times."""
        n = process.shape[1] - first
        for j, sampler in enumerate(self.process):
            process[0, first:, j] = sampler.take(n)
        if arrivals is not None and self.interarrival is not None:
            gaps = self.interarrival.take(n)
            gaps[0] += self.last_arrival
            arrivals[0, first:] = np.cumsum(gaps)
            self.last_arrival = float(arrivals[0, -1])


def run_fast(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> ExperimentResult:
    """Run the scenario's replications on the flow-line kernel; same result shape as the DES.

    Each replication is simulated in chunks of :data:`CHUNK_PARTS` parts until its parts have
    entered after the end of the run; each chunk carries the last parts of the previous one as
    the history the recursion looks back on, so memory is bounded by one chunk.
    """
    check_eligible(scenario)
    n_rep = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    warmup = float(scenario.warmup)
    horizon = float(scenario.horizon)
    k = len(scenario.stations)
    buffers = np.array(
        [-1 if s.buffer is None else s.buffer for s in scenario.stations], dtype=np.int64
    )
    # The recursion looks back at most (largest buffer it uses) + 1 parts; without a source
    # the first station's buffer is never used (an unlimited supply feeds its server).
    used = buffers if scenario.source is not None else buffers[1:]
    history = int(max(used.max(initial=0), 0)) + 1
    chunk = history + CHUNK_PARTS
    needed = chunk * (2 * k + 2) * 8
    if needed > MAX_CHUNK_BYTES:
        raise NotEligible(
            f"a buffer of {history - 1:,} places needs about {needed / 1024**3:.1f} GiB of part "
            "history in the flow-line recursion; run without --fast or use a smaller buffer"
        )
    process = np.empty((1, chunk, k))
    arrivals = None if scenario.source is None else np.empty((1, chunk))
    times = np.empty((1, chunk, k + 1))
    reps = []
    for r in range(n_rep):
        streams = _Streams(scenario, seed, r)
        window = WindowAccumulator(1, k, warmup, horizon)
        first = 0
        while True:
            streams.fill(process, arrivals, first)
            flowline_departures(process, buffers, arrivals, out=times, first=first)
            window.add(process, times, buffers, arrivals, first)
            if flowline_covers(times, warmup, horizon)[0]:
                break
            # The last `history` parts become the history of the next chunk.
            process[:, :history] = process[:, -history:]
            times[:, :history] = times[:, -history:]
            if arrivals is not None:
                arrivals[:, :history] = arrivals[:, -history:]
            first = history
        reps.append(_replication(scenario, r, seed, window.result(), warmup, warmup + horizon))
    return summarise_replications(scenario, seed, reps, method="flowline")


def _replication(
    scenario: Scenario, index: int, seed: int, window: FlowlineWindow, warmup: float, end: float
) -> Replication:
    """One replication's results from its window statistics (row 0)."""
    r = 0
    stations: dict[str, StationResult] = {}
    for j, spec in enumerate(scenario.stations):
        busy, blocked = float(window.busy[r, j]), float(window.blocked[r, j])
        shares = {"busy": busy, "starved": max(0.0, 1.0 - busy - blocked), "blocked": blocked}
        states = {name: shares[name] for name in UNIT_STATES}
        stations[spec.name] = StationResult(
            utilization=states["busy"],
            states=states,
            queue=float(window.queue[r, j]),
            completed=int(window.completed[r, j]),
            units={f"{spec.name}.1": dict(states)},
        )
    horizon = end - warmup
    departed = int(window.departed[r])
    return Replication(
        index=index,
        seed=seed,
        warmup_s=warmup,
        horizon_s=horizon,
        throughput_per_hour=departed / horizon * 3600.0,
        cycle_time_s=float(window.cycle_time_s[r]),
        wip=float(window.wip[r]),
        departed=departed,
        arrived=int(window.arrived[r]),
        wip_start=int(window.wip_start[r]),
        wip_end=int(window.wip_end[r]),
        waiting_in_front=float(window.waiting_in_front[r]),
        stations=stations,
    )
