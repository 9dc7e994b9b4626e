"""The statistical autopilot: the relative 95 % half-width of a mean, and how many more
replications reach a target, against values worked out by hand from Student-t quantiles
(t(0.975, 4) = 2.7764, t(0.975, 11) = 2.2010, t(0.975, 12) = 2.1788, t(0.975, 39) = 2.0227,
t(0.975, 40) = 2.0211)."""

from __future__ import annotations

import math

import pytest

from simulator.autopilot import more_replications, relative_half_width

# mean 100; deviations 0, 4, -4, 2, -2: sum of squares 40, s^2 = 10, s = 3.1623
VALUES = [100.0, 104.0, 96.0, 102.0, 98.0]


def test_relative_half_width_by_hand() -> None:
    # 2.7764 * sqrt(10) / sqrt(5) / 100 = 2.7764 * 1.41421 / 100
    assert relative_half_width(VALUES) == pytest.approx(0.0392649, rel=1e-5)
    assert relative_half_width([5.0, 5.0, 5.0]) == 0.0
    assert relative_half_width([1.0, -1.0]) == math.inf
    assert relative_half_width([3.0]) is None
    assert relative_half_width([3.0, None, float("nan")]) is None


def test_more_replications_by_hand() -> None:
    # target 2 %: need t(n'-1) * 0.031623 / sqrt(n') <= 0.02, i.e. t / sqrt(n') <= 0.63246:
    # n' = 12: 2.2010 / 3.4641 = 0.6354 (no); n' = 13: 2.1788 / 3.6056 = 0.6043 (yes) -> 8
    assert more_replications(VALUES, 0.02) == 8
    # target 1 %: t / sqrt(n') <= 0.31623: n' = 40: 2.0227 / 6.3246 = 0.3198 (no);
    # n' = 41: 2.0211 / 6.4031 = 0.3156 (yes) -> 36
    assert more_replications(VALUES, 0.01) == 36
    assert more_replications(VALUES, 0.05) == 0  # 3.93 % already meets 5 %
    assert more_replications(VALUES, 0.039265) == 0
    assert more_replications(VALUES, 0.039264) == 1  # n' = 6 meets it easily


def test_minimum_batch_and_maximum_total() -> None:
    assert more_replications(VALUES, 0.02, batch_min=10) == 10
    assert more_replications(VALUES, 0.01, max_total=20) == 15  # capped at 20 in total
    assert more_replications(VALUES, 0.01, max_total=5) == 0  # nothing more allowed
    assert more_replications([1.0, -1.0], 0.02, max_total=50) == 48  # mean 0: never met
    assert more_replications([], 0.02) == 2
    assert more_replications([7.0], 0.02, batch_min=4) == 4
    assert more_replications([7.0, None], 0.02) == 1  # the undefined one counts against max
    assert more_replications([7.0, None], 0.02, max_total=2) == 0


def test_a_negative_mean_is_taken_by_its_size() -> None:
    # a KPI that is negative (a difference, a saving) is relative to |mean|: the same as +100
    negative = [-v for v in VALUES]
    assert relative_half_width(negative) == pytest.approx(0.0392649, rel=1e-5)
    assert more_replications(negative, 0.02) == 8
    assert more_replications(negative, 0.01) == 36


def test_equal_values_are_known_only_when_enough_of_them_agree() -> None:
    # three equal counts are often luck: s = 0 claims a half-width of 0, so it asks for 10
    assert relative_half_width([60.0, 60.0, 60.0]) == 0.0
    assert more_replications([60.0, 60.0, 60.0], 0.02) == 7
    assert more_replications([60.0] * 9 + [None], 0.02) == 1  # defined ones count
    assert more_replications([60.0] * 10, 0.02) == 0  # a deterministic line: known
    assert more_replications([0.0] * 10, 0.02) == 0
    assert more_replications([60.0, 60.0], 0.02, max_total=6) == 4
    assert more_replications([60.0, 60.0], 0.02, min_equal=2) == 0


def test_a_higher_confidence_needs_more() -> None:
    assert more_replications(VALUES, 0.02, confidence=0.99) > more_replications(VALUES, 0.02)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target_rel": 0.0},
        {"target_rel": -0.1},
        {"target_rel": 0.02, "confidence": 1.0},
        {"target_rel": 0.02, "batch_min": 0},
        {"target_rel": 0.02, "max_total": 1},
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        more_replications(VALUES, **kwargs)  # type: ignore[arg-type]
