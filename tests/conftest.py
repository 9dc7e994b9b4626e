"""Shared fixtures: scenarios built from YAML text, the way users write them."""

from __future__ import annotations

import pytest

import scenarios
from tests.helpers import scenario


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
