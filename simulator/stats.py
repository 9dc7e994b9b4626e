"""Summaries across replications: mean and Student-t 95 % confidence interval.

Every statistic LineLab reports is a :class:`Stat`: ``values`` has one entry per replication
(``None`` where the replication has no value, e.g. a cycle time with no part finished),
``mean`` is the mean of the defined values and ``ci95`` is ``mean ± t(0.975, n−1)·s/√n``
(``None`` with fewer than two defined values).

The t quantile is computed here (no SciPy at run time): the Student-t CDF through the
regularized incomplete beta function (continued fraction, Numerical Recipes §6.4), inverted by
bisection to about 1e-10 relative accuracy. ``tests/test_stats.py`` checks it against SciPy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Stat:
    """One statistic over replications."""

    mean: float | None
    ci95: tuple[float, float] | None
    values: tuple[float | None, ...]

    @property
    def half_width(self) -> float | None:
        """Half-width of the 95 % confidence interval."""
        return None if self.ci95 is None else (self.ci95[1] - self.ci95[0]) / 2.0

    def to_json(self) -> dict[str, object]:
        """The ``{"mean", "ci95", "values"}`` object of the result file."""
        return {
            "mean": self.mean,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "values": list(self.values),
        }


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def betainc(a: float, b: float, x: float, y: float | None = None) -> float:
    """Regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1.

    ``y`` is ``1 - x`` when the caller knows it more precisely than ``1.0 - x`` would give.
    """
    if y is None:
        y = 1.0 - x
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    ln_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    front = math.exp(ln_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, y) / b


def student_t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    t2 = t * t
    x, y = df / (df + t2), t2 / (df + t2)
    tail = 0.5 * betainc(df / 2.0, 0.5, x, y)
    return 1.0 - tail if t > 0 else tail


@lru_cache(maxsize=1024)
def student_t_ppf(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (0.5 < p < 1)."""
    if not 0.5 <= p < 1.0:
        raise ValueError(f"p must be in [0.5, 1), got {p}")
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df}")
    lo, hi = 0.0, 1.0
    while student_t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if student_t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return (lo + hi) / 2.0


def summarise(values: Sequence[float | None]) -> Stat:
    """Mean and 95 % CI of per-replication ``values`` (``None``/NaN entries are undefined)."""
    clean: list[float | None] = [
        None if v is None or not math.isfinite(v) else float(v) for v in values
    ]
    defined = [v for v in clean if v is not None]
    n = len(defined)
    if n == 0:
        return Stat(None, None, tuple(clean))
    mean = math.fsum(defined) / n
    if n < 2:
        return Stat(mean, None, tuple(clean))
    var = math.fsum((v - mean) ** 2 for v in defined) / (n - 1)
    half = student_t_ppf(0.975, n - 1) * math.sqrt(var / n)
    return Stat(mean, (mean - half, mean + half), tuple(clean))
