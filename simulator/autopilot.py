"""Statistical autopilot: how many more replications until a KPI's mean is known well enough.

With n replications giving values x_1 … x_n (mean x̄, sample standard deviation s), the
two-sided confidence interval of the mean has the half-width

    h(n) = t(1 − α/2, n − 1) · s / √n,        α = 1 − confidence,

and the *relative* half-width is h(n) / |x̄|. ``--target-ci 2%`` asks for h / |x̄| ≤ 0.02.
:func:`more_replications` projects, with x̄ and s as estimated now, the smallest total n' > n
with t(1 − α/2, n' − 1) · s / (√n' · |x̄|) ≤ target, and returns n' − n (at least
``batch_min``, and never past ``max_total``). The projection is re-made after the new
replications have run, so the loop is: run, ask, run what it says, ask again, until 0.
Formulas and a worked example in docs/optimize.md ("Statistical autopilot").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

from simulator.stats import student_t_ppf

__all__ = ["DEFAULT_MAX_TOTAL", "DEFAULT_MIN_EQUAL", "more_replications", "relative_half_width"]

DEFAULT_MAX_TOTAL = 1000
"""Most replications the autopilot asks for in total, per point."""
DEFAULT_MIN_EQUAL = 10
"""Replications that must all agree before values with no spread count as known: two or three
equal values are often luck (a count of parts over a short horizon repeats), and s = 0 would
claim a half-width of 0."""


def _defined(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def relative_half_width(values: Sequence[float | None], confidence: float = 0.95) -> float | None:
    """``t(1 − α/2, n − 1) · s / (√n · |x̄|)`` over the defined values (None and NaN left
    out); None with fewer than two values; ``inf`` when the mean is 0 and s > 0, 0 when every
    value is equal.

    Raises:
        ValueError: ``confidence`` not in (0, 1).
    """
    _check_confidence(confidence)
    x = _defined(values)
    n = len(x)
    if n < 2:
        return None
    mean = math.fsum(x) / n
    s = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1))
    if s == 0.0:
        return 0.0
    if mean == 0.0:
        return math.inf
    return student_t_ppf(0.5 + confidence / 2.0, n - 1) * s / (math.sqrt(n) * abs(mean))


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")


def more_replications(
    values: Sequence[float | None],
    target_rel: float,
    confidence: float = 0.95,
    *,
    batch_min: int = 1,
    max_total: int = DEFAULT_MAX_TOTAL,
    min_equal: int = DEFAULT_MIN_EQUAL,
) -> int:
    """How many more replications the relative half-width needs to reach ``target_rel``.

    ``values``: the KPI of each replication run so far (None/NaN ones do not count, as in
    the summary). ``target_rel``: relative half-width wanted (0.02 for 2 %). Returns 0 when
    met (or when ``max_total`` replications have run); otherwise n' − n for the smallest
    projected n' that meets it (keeping x̄ and s as they are), at least ``batch_min`` and at
    most ``max_total − n``. With fewer than two defined values nothing can be projected: it
    asks for enough to reach two (at least ``batch_min``). With a mean of 0 and s > 0 no n
    meets a relative target: it asks for everything up to ``max_total``. Values that are all
    equal (s = 0) meet any target only once there are ``min_equal`` of them; before, it asks
    for the rest (a deterministic line then runs ``min_equal`` replications).

    Raises:
        ValueError: ``target_rel`` <= 0, ``confidence`` not in (0, 1), ``batch_min`` < 1 or
            ``max_total`` < 2.
    """
    if not (math.isfinite(target_rel) and target_rel > 0.0):
        raise ValueError(f"target_rel must be > 0 (0.02 for 2 %), got {target_rel}")
    _check_confidence(confidence)
    if batch_min < 1:
        raise ValueError(f"batch_min must be >= 1 replication, got {batch_min}")
    if max_total < 2:
        raise ValueError(f"max_total must be >= 2 replications, got {max_total}")
    x = _defined(values)
    n = len(x)
    ran = len(values)
    room = max(0, max_total - ran)
    if n < 2:
        return min(room, max(batch_min, 2 - n))
    rel = relative_half_width(x, confidence)
    assert rel is not None
    if room == 0:
        return 0
    if rel == 0.0 and n < min_equal:
        return min(room, max(batch_min, min_equal - n))
    if rel <= target_rel:
        return 0
    if math.isinf(rel):
        return room
    mean = math.fsum(x) / n
    s = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1))
    ratio = s / abs(mean)
    p = 0.5 + confidence / 2.0
    # smallest n' with t(p, n'−1)·ratio/√n' <= target; the left side decreases in n'
    needed = n + 1
    z_guess = math.ceil((NormalDist().inv_cdf(p) * ratio / target_rel) ** 2)
    needed = max(needed, z_guess)  # the normal quantile is below t: never past the answer
    while (
        needed < n + room and student_t_ppf(p, needed - 1) * ratio / math.sqrt(needed) > target_rel
    ):
        needed += 1
    return min(room, max(batch_min, needed - n))
