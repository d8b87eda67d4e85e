"""IC, rank IC, their summary, accuracy and ROC AUC against scipy and scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import accuracy_score, roc_auc_score

from chitti.compute.ml import accuracy, daily_ic, daily_rank_ic, ic_summary, roc_auc
from chitti.compute.ml.targets import forward_return

from .conftest import demo_closes


def _scipy_daily(score: np.ndarray, realised: np.ndarray, fn: object,
                 min_symbols: int = 3) -> np.ndarray:
    out = np.full(score.shape[0], np.nan)
    for t in range(score.shape[0]):
        m = np.isfinite(score[t]) & np.isfinite(realised[t])
        a, b = score[t, m], realised[t, m]
        if m.sum() < min_symbols or np.all(a == a[0]) or np.all(b == b[0]):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[t] = fn(a, b)[0]  # type: ignore[operator]
    return out


def test_ic_and_rank_ic_equal_scipy_on_real_returns() -> None:
    close = demo_closes().loc["2004":"2007"].to_numpy()
    realised = forward_return(close, horizon_days=5)
    score = np.full_like(close, np.nan)
    score[20:] = close[20:] / close[:-20] - 1.0           # 20-day momentum as a score
    np.testing.assert_allclose(daily_ic(score, realised), _scipy_daily(score, realised,
                               stats.pearsonr), atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(daily_rank_ic(score, realised), _scipy_daily(
        score, realised, stats.spearmanr), atol=1e-12, equal_nan=True)


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12), st.integers(1, 15))
def test_ic_matches_scipy_with_nan_ties_and_constant_rows(seed: int, n_dates: int,
                                                          n_sym: int) -> None:
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 4, (n_dates, n_sym)).astype(float)   # many ties
    realised = rng.normal(size=(n_dates, n_sym))
    score[rng.random(score.shape) < 0.2] = np.nan
    realised[rng.random(score.shape) < 0.2] = np.nan
    if n_dates > 1:
        realised[0] = 0.5                                          # a constant row
    np.testing.assert_allclose(daily_ic(score, realised),
                               _scipy_daily(score, realised, stats.pearsonr),
                               atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(daily_rank_ic(score, realised),
                               _scipy_daily(score, realised, stats.spearmanr),
                               atol=1e-12, equal_nan=True)


def test_ic_summary_t_stat_is_scipy_one_sample_t() -> None:
    ic = np.random.default_rng(3).normal(0.02, 0.1, 300)
    ic[::7] = np.nan
    s = ic_summary(ic)
    finite = ic[np.isfinite(ic)]
    assert s["n_dates"] == finite.size
    assert s["mean"] == pytest.approx(finite.mean(), rel=1e-12)
    assert s["std"] == pytest.approx(finite.std(ddof=1), rel=1e-12)
    assert s["t_stat"] == pytest.approx(stats.ttest_1samp(finite, 0.0).statistic, rel=1e-10)


def test_ic_summary_of_too_few_dates_is_none_not_a_number() -> None:
    assert ic_summary(np.array([np.nan, 0.3])) == {"mean": 0.3, "std": None, "t_stat": None,
                                                  "n_dates": 1}


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 300))
def test_auc_and_accuracy_equal_sklearn(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(float)
    p = np.round(rng.random(n), 1)                                 # ties
    p[rng.random(n) < 0.1] = np.nan
    keep = np.isfinite(p)
    if not keep.any():
        assert np.isnan(accuracy(p, y)) and np.isnan(roc_auc(p, y))
        return
    assert accuracy(p, y) == pytest.approx(accuracy_score(y[keep], p[keep] > 0.5), abs=1e-15)
    if len(set(y[keep])) == 2:
        assert roc_auc(p, y) == pytest.approx(roc_auc_score(y[keep], p[keep]), abs=1e-12)
    else:
        assert np.isnan(roc_auc(p, y))
