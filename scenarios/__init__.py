"""The LineLab scenario format: models, units, distributions and a safe YAML loader.

>>> from scenarios import loads
>>> s = loads("linelab: 1\\nname: demo\\nhorizon: 8 h\\nstations: [{name: press, process: 45 s}]")
>>> s.horizon, s.stations[0].process.mean_s
(28800.0, 45.0)

This package imports only pyyaml, pydantic and the standard library.
"""

from __future__ import annotations

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
from .errors import Problem, ScenarioError
from .loader import load, loads
from .model import FORMAT_VERSION, Scenario, Source, Station
from .schema import json_schema
from .units import MAX_DURATION_S, parse_duration

__all__ = [
    "DIST_NAMES",
    "FORMAT_VERSION",
    "MAX_DURATION_S",
    "Constant",
    "Distribution",
    "DistributionSpec",
    "Empirical",
    "Exponential",
    "Lognormal",
    "Normal",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Source",
    "Station",
    "Triangular",
    "Uniform",
    "UnknownExampleError",
    "example_path",
    "json_schema",
    "list_examples",
    "load",
    "loads",
    "parse_duration",
]
