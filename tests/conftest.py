"""Shared fixtures (scenarios built from YAML text, the way users write them) and the
hypothesis profile every test runs under.

No test may depend on luck: hypothesis draws its examples from a fixed seed
(``derandomize=True``), keeps no example database between runs (``database=None``: a failure
found once must not reappear or vanish depending on what ran before) and has no deadline (a
loaded CI machine must not turn slowness into a failure). Tests that set their own
``@settings`` inherit these values for every setting they do not name.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

import scenarios
from tests.helpers import scenario

settings.register_profile("linelab", derandomize=True, database=None, deadline=None)
settings.load_profile("linelab")


@pytest.fixture
def two_station() -> scenarios.Scenario:
    """A small source-fed line with a finite buffer, used by many engine tests."""
    return scenario(
        """
        linelab: 1
        name: Two-station cell
        horizon: 2 h
        warmup: 10 min
        replications: 3
        seed: 7
        source:
          interarrival: {dist: exponential, mean: 60 s}
        stations:
          - {name: press, servers: 1, process: {dist: exponential, mean: 48 s}, buffer: 5}
          - {name: pack, servers: 2, process: {dist: uniform, low: 50 s, high: 90 s}, buffer: 2}
        """
    )
