"""The replication summary: Student-t quantiles and 95 % confidence intervals.

Pins down that LineLab's own t quantile (no SciPy at run time) matches SciPy, and that
``summarise`` follows DESIGN.md: mean of defined values, mean ± t(0.975, n−1)·s/√n, ``None``
where undefined (one value, no value).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from simulator.stats import betainc, student_t_cdf, student_t_ppf, summarise


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 7, 9, 10, 19, 29, 30, 99, 1000, 99_999])
@pytest.mark.parametrize("p", [0.9, 0.95, 0.975, 0.995])
def test_t_quantile_matches_scipy(df: int, p: float) -> None:
    # lgamma cancellation limits very large df to ~1e-10 relative accuracy: ample for CIs.
    assert student_t_ppf(p, df) == pytest.approx(sps.t.ppf(p, df), rel=1e-9)


@given(st.floats(-50, 50), st.integers(1, 500))
def test_t_cdf_matches_scipy(t: float, df: int) -> None:
    assert student_t_cdf(t, df) == pytest.approx(sps.t.cdf(t, df), abs=1e-12)


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
