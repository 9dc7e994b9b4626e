"""The LineLab scenario format (v1 and v2): models, units, distributions, calendar arithmetic
and a safe YAML loader.

>>> from scenarios import loads
>>> s = loads("linelab: 1\\nname: demo\\nhorizon: 8 h\\nstations: [{name: press, process: 45 s}]")
>>> s.horizon, s.stations[0].process.mean_s
(28800.0, 45.0)

This package imports only pyyaml, pydantic and the standard library.
"""

from __future__ import annotations

from .calendar import WEEK_S, Break, Calendar, Shift, week_intervals, working_intervals
from .catalog import UnknownExampleError, example_path, list_examples
from .distributions import (
    DIST_NAMES,
    Constant,
    Distribution,
    DistributionSpec,
    Empirical,
    Exponential,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
)
from .economics import Economics
from .equipment import Failures, Product, Resource, Setup, Tending
from .errors import Problem, ScenarioError
from .flow import Conveyor, Layout, parse_acceleration, parse_length, parse_speed, trip_time_s
from .loader import load, load_variants, loads, loads_variants
from .model import FORMAT_VERSION, FORMAT_VERSIONS, Scenario, Source, Station
from .power import Power, ResourcePower
from .process_time import ProcessTime, is_time_model
from .schema import json_schema
from .units import MAX_DURATION_S, parse_duration

__all__ = [
    "DIST_NAMES",
    "FORMAT_VERSION",
    "FORMAT_VERSIONS",
    "MAX_DURATION_S",
    "WEEK_S",
    "Break",
    "Calendar",
    "Constant",
    "Conveyor",
    "Distribution",
    "DistributionSpec",
    "Economics",
    "Empirical",
    "Exponential",
    "Failures",
    "Layout",
    "Lognormal",
    "Normal",
    "Power",
    "Problem",
    "ProcessTime",
    "Product",
    "Resource",
    "ResourcePower",
    "Scenario",
    "ScenarioError",
    "Setup",
    "Shift",
    "Source",
    "Station",
    "Tending",
    "Triangular",
    "Uniform",
    "UnknownExampleError",
    "example_path",
    "is_time_model",
    "json_schema",
    "list_examples",
    "load",
    "load_variants",
    "loads",
    "loads_variants",
    "parse_acceleration",
    "parse_duration",
    "parse_length",
    "parse_speed",
    "trip_time_s",
    "week_intervals",
    "working_intervals",
]
