"""Block samplers: the random-number discipline shared by the event engine and the fast path.

Pins down that ``Sampler.take(n)`` yields exactly what ``n`` successive calls yield, for every
distribution and any interleaving (so the fast path sees the DES's numbers), that the
distributions have the parameters docs/scenario-format.md gives them (means, truncation at 0,
lognormal cv of the variable itself), and that streams are keyed by name, not by creation order.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scenarios
from cells.sampling import BLOCK, Sampler
from cells.streams import key_hash, stream

DISTS = {
    "constant": scenarios.Constant(dist="constant", value=3.0),
    "exponential": scenarios.Exponential(dist="exponential", mean=2.0),
    "normal": scenarios.Normal(dist="normal", mean=1.0, sd=2.0),  # many redraws
    "lognormal": scenarios.Lognormal(dist="lognormal", mean=2.0, cv=0.8),
    "uniform": scenarios.Uniform(dist="uniform", low=1.0, high=4.0),
    "triangular": scenarios.Triangular(dist="triangular", low=1.0, mode=2.0, high=6.0),
    "empirical": scenarios.Empirical(dist="empirical", values=(1.0, 2.0, 7.5)),
}


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(DISTS)), st.lists(st.integers(0, 3 * BLOCK), min_size=1, max_size=6))
def test_take_equals_successive_calls(kind: str, chunks: list[int]) -> None:
    dist = DISTS[kind]
    one, many = Sampler(dist, stream(5, 0, "k")), Sampler(dist, stream(5, 0, "k"))
    for size in chunks:
        expected = [one() for _ in range(size)]
        # interleave: sometimes a single call before a take
        got = many.take(size)
        assert got.tolist() == expected


@pytest.mark.parametrize("kind", sorted(DISTS))
def test_sample_mean_matches_exact_mean(kind: str) -> None:
    dist = DISTS[kind]
    x = Sampler(dist, stream(1, 0, kind)).take(200_000)
    assert x.min() >= 0.0
    sd = math.sqrt(max(dist.second_moment_s2 - dist.mean_s**2, 0.0))
    assert abs(x.mean() - dist.mean_s) <= 5 * sd / math.sqrt(len(x)) + 1e-12


def test_lognormal_cv_is_of_the_variable() -> None:
    x = Sampler(DISTS["lognormal"], stream(2, 0, "ln")).take(400_000)
    assert x.std() / x.mean() == pytest.approx(0.8, rel=0.03)


def test_streams_keyed_by_name_and_replication() -> None:
    a = stream(7, 0, "stations.a.process").random(4)
    assert np.array_equal(a, stream(7, 0, "stations.a.process").random(4))
    assert not np.array_equal(a, stream(7, 1, "stations.a.process").random(4))
    assert not np.array_equal(a, stream(7, 0, "stations.b.process").random(4))
    assert not np.array_equal(a, stream(8, 0, "stations.a.process").random(4))
    assert key_hash("stations.a.process") == key_hash("stations.a.process")
