"""Running one replication (re-exported where the rest of the package expects it)."""

from simulator.results import Replication, StationResult
from simulator.session import run_replication

__all__ = ["Replication", "StationResult", "run_replication"]
