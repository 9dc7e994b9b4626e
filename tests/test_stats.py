"""The replication summary: Student-t quantiles and 95 % confidence intervals.

Pins down that LineLab's own t distribution (no SciPy at run time) is right -- the CDF against
the exact finite series for integer degrees of freedom (Abramowitz & Stegun 26.7.3/26.7.4),
which is accurate everywhere, including near t = 0 where SciPy's df = 1 CDF is off by ~1e-9;
the quantile against SciPy, which is accurate there -- and that ``summarise`` gives the mean of
defined values, mean ± t(0.975, n−1)·s/√n, and ``None`` where undefined (one value, no value).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from simulator.stats import betainc, student_t_cdf, student_t_ppf, summarise


def t_cdf_series(t: float, df: int) -> float:
    """P(T <= t) for Student's t with integer ``df``, from the exact finite series.

    With θ = atan(|t|/√df), A = P(|T| <= |t|) is [Abramowitz & Stegun 26.7.3, 26.7.4]
    df odd:  (2/π)·(θ + sinθ·(cosθ + (2/3)cos³θ + … + (2·4···(df−3))/(1·3···(df−2))·cos^(df−2)θ))
    df even: sinθ·(1 + (1/2)cos²θ + … + (1·3···(df−3))/(2·4···(df−2))·cos^(df−2)θ)
    (the sums are empty for df = 1 and just 1 for df = 2: ½ + atan(t)/π and
    ½ + t/(2√(2 + t²))). Every term is positive, so there is no cancellation: the result is
    accurate to a few units in the last place, near t = 0 as well.
    """
    theta = math.atan(abs(t) / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2:
        terms, term = [], math.cos(theta)
        for j in range(1, (df - 1) // 2 + 1):
            terms.append(term)
            term *= cos2 * (2 * j) / (2 * j + 1)
        a = 2.0 / math.pi * (theta + sin * math.fsum(terms))
    else:
        terms, term = [], 1.0
        for j in range(1, df // 2 + 1):
            terms.append(term)
            term *= cos2 * (2 * j - 1) / (2 * j)
        a = sin * math.fsum(terms)
    return 0.5 + 0.5 * a if t >= 0 else 0.5 - 0.5 * a


def test_series_reference_is_the_closed_forms_and_agrees_with_scipy() -> None:
    for t in (-20.0, -1.5, -1e-6, 0.0, 7.6e-9, 0.3, 4.0, 50.0):
        assert t_cdf_series(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-15)
        assert t_cdf_series(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)),
                                                   rel=1e-15)
    # Away from t = 0 SciPy is accurate for every df: an independent check of the series.
    for df in (1, 2, 3, 4, 5, 8, 13, 30, 101, 500):
        for t in (-30.0, -4.0, -1.0, -0.05, 0.05, 0.7, 2.0, 9.0, 50.0):
            assert t_cdf_series(t, df) == pytest.approx(sps.t.cdf(t, df), rel=1e-12, abs=1e-15)


T_GRID = [-50.0, -10.0, -2.5, -1.0, -0.3, -1e-3, -1e-9, 0.0, 5e-300, 7.6e-9, 1e-6, 0.01,
          0.5, 1.0, 1.96, 3.0, 12.0, 50.0]


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 6, 7, 10, 19, 30, 99, 100, 500])
def test_t_cdf_matches_exact_series(df: int) -> None:
    for t in T_GRID:
        assert student_t_cdf(t, df) == pytest.approx(t_cdf_series(t, df), abs=1e-12), t


def test_t_cdf_near_zero_for_one_degree_of_freedom() -> None:
    """The case SciPy gets wrong (t = 7.6e-9, df = 1: SciPy is ~2.3e-9 high)."""
    t = 7.6e-9
    assert student_t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-15)
    assert student_t_cdf(-t, 1) == pytest.approx(0.5 - math.atan(t) / math.pi, abs=1e-15)


@given(st.floats(-50, 50), st.integers(1, 500))
def test_t_cdf_matches_exact_series_generated(t: float, df: int) -> None:
    assert student_t_cdf(t, df) == pytest.approx(t_cdf_series(t, df), abs=1e-12)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 7, 9, 10, 19, 29, 30, 99, 1000, 99_999])
@pytest.mark.parametrize("p", [0.9, 0.95, 0.975, 0.995])
def test_t_quantile_matches_scipy(df: int, p: float) -> None:
    # lgamma cancellation limits very large df to ~1e-10 relative accuracy: ample for CIs.
    assert student_t_ppf(p, df) == pytest.approx(sps.t.ppf(p, df), rel=1e-9)


@given(st.floats(0.1, 20), st.floats(0.1, 20), st.floats(0, 1))
def test_incomplete_beta_matches_scipy(a: float, b: float, x: float) -> None:
    from scipy.special import betainc as sp_betainc

    assert betainc(a, b, x) == pytest.approx(sp_betainc(a, b, x), abs=1e-12)


def test_summary_of_values() -> None:
    values = [59.0, 61.0, 60.5, 58.5, 61.0]
    stat = summarise(values)
    mean = sum(values) / 5
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 4)
    half = sps.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert stat.mean == pytest.approx(mean)
    assert stat.ci95 == pytest.approx((mean - half, mean + half))
    assert stat.values == tuple(values)


def test_summary_undefined_values() -> None:
    assert summarise([3.0]).ci95 is None
    assert summarise([3.0]).mean == 3.0
    empty = summarise([float("nan"), None])
    assert empty.mean is None and empty.ci95 is None and empty.values == (None, None)
    partial = summarise([1.0, float("nan"), 3.0])
    assert partial.mean == 2.0 and partial.values == (1.0, None, 3.0)
    assert partial.ci95 is not None
