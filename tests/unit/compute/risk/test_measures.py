"""Volatility, beta, tracking error, correlation, drawdown and risk contributions against
pandas, numpy.polyfit and finite differences, on real NSE closes (adjusted in the test)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from tests.unit.compute.risk.data import adjusted_closes, nifty

from chitti.compute.risk import (
    annualised_volatility,
    beta,
    correlation_matrix,
    max_drawdown,
    risk_contributions,
    tracking_error,
)

SYMBOLS = ["HDFCBANK", "HINDUNILVR", "ICICIBANK", "INFY", "SBIN", "TCS"]


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return adjusted_closes().loc["2014-01-01":"2017-12-29", SYMBOLS].pct_change().iloc[1:]


@pytest.fixture(scope="module")
def bench(returns: pd.DataFrame) -> pd.Series:
    b = nifty().reindex(adjusted_closes().index).loc["2014-01-01":"2017-12-29"].pct_change()
    b = b.iloc[1:].copy()
    b.iloc[[5, 17, 300]] = np.nan           # days without a benchmark close drop out
    return b


def test_annualised_volatility_equals_pandas_std_times_sqrt_252(returns: pd.DataFrame) -> None:
    for symbol in SYMBOLS:
        want = returns[symbol].std() * math.sqrt(252)
        assert annualised_volatility(returns[symbol].to_numpy()) == pytest.approx(want,
                                                                                 rel=1e-12)
    assert annualised_volatility(returns.HDFCBANK.to_numpy(), periods_per_year=52) == \
        pytest.approx(returns.HDFCBANK.std() * math.sqrt(52), rel=1e-12)
    assert math.isnan(annualised_volatility(np.array([0.01])))


def test_beta_equals_pandas_cov_over_var_and_the_ols_slope(returns: pd.DataFrame,
                                                           bench: pd.Series) -> None:
    for symbol in SYMBOLS:
        r = returns[symbol]
        pair = pd.concat([r, bench], axis=1).dropna()
        want = pair.cov().iloc[0, 1] / pair.iloc[:, 1].var()
        slope = np.polyfit(pair.iloc[:, 1], pair.iloc[:, 0], 1)[0]
        got = beta(r.to_numpy(), bench.to_numpy())
        assert got == pytest.approx(want, rel=1e-10)
        assert got == pytest.approx(slope, rel=1e-8)


def test_tracking_error_equals_pandas_std_of_active_returns(returns: pd.DataFrame,
                                                            bench: pd.Series) -> None:
    port = returns @ np.array([0.2, 0.2, 0.1, 0.2, 0.1, 0.2])
    want = (port - bench).dropna().std() * math.sqrt(252)
    assert tracking_error(port.to_numpy(), bench.to_numpy()) == pytest.approx(want, rel=1e-12)


def test_beta_is_nan_for_a_flat_benchmark_or_too_few_days() -> None:
    assert math.isnan(beta(np.array([0.01, -0.02, 0.03, 0.0]), np.zeros(4)))
    assert math.isnan(beta(np.array([0.01, -0.02]), np.array([0.01, 0.02])))


def test_correlation_matrix_equals_pandas_corr(returns: pd.DataFrame) -> None:
    np.testing.assert_allclose(correlation_matrix(returns.to_numpy()),
                               returns.corr().to_numpy(), rtol=0, atol=1e-12)


def test_correlation_of_a_column_that_never_moved_is_nan() -> None:
    rng = np.random.default_rng(1)
    r = np.column_stack([rng.normal(size=50), np.zeros(50), rng.normal(size=50)])
    corr = correlation_matrix(r)
    assert np.isnan(corr[1]).all() and np.isnan(corr[:, 1]).all()
    assert corr[0, 2] == pytest.approx(np.corrcoef(r[:, 0], r[:, 2])[0, 1], abs=1e-12)


def reference_drawdown(values: pd.Series) -> tuple[float, object, object, object]:
    """Drawdown from pandas cummax: depth, peak (running-max date), trough, recovery."""
    depth = 1.0 - values / values.cummax()
    trough = depth.idxmax()
    peak = values.loc[:trough].idxmax()
    after = values.loc[trough:]
    back = after[after >= values.loc[peak]]
    recovery = back.index[0] if len(back) else None
    return float(depth.max()), peak, trough, recovery


@pytest.mark.parametrize(("symbol", "start", "end"), [
    ("SBIN", "2007-06-01", "2010-12-31"),       # recovers after the 2008 trough
    ("HDFCBANK", "2007-06-01", "2008-12-31"),   # does not recover inside the range
    ("INFY", "2016-01-01", "2019-12-31"),
])
def test_max_drawdown_equals_pandas_cummax(symbol: str, start: str, end: str) -> None:
    values = adjusted_closes().loc[start:end, symbol].dropna()
    got = max_drawdown(values.to_numpy(), values.index.to_numpy())
    depth, peak, trough, recovery = reference_drawdown(values)
    assert got.drawdown_fraction == pytest.approx(depth, abs=1e-15)
    assert got.peak_date == pd.Timestamp(peak).date()
    assert got.trough_date == pd.Timestamp(trough).date()
    assert got.recovery_date == (None if recovery is None else pd.Timestamp(recovery).date())


def test_max_drawdown_of_a_rising_path_is_zero() -> None:
    days = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-01-06"))
    got = max_drawdown(np.array([1.0, 1.1, 1.2, 1.2, 1.3]), days)
    assert got.drawdown_fraction == 0.0 and got.peak_date is None


def test_risk_contributions_sum_to_variance_and_are_euler_shares(returns: pd.DataFrame) -> None:
    cov = returns.cov().to_numpy() * 252
    w = np.array([0.25, 0.15, 0.2, -0.1, 0.2, 0.2])
    parts = risk_contributions(w, cov)
    assert parts.sum() == pytest.approx(float(w @ cov @ w), rel=1e-12)
    # w_i * d(sigma^2)/dw_i / 2, by central differences of the pandas covariance
    step = 1e-6
    for i in range(w.size):
        up, down = w.copy(), w.copy()
        up[i] += step
        down[i] -= step
        gradient = (up @ cov @ up - down @ cov @ down) / (2 * step)
        assert parts[i] == pytest.approx(w[i] * gradient / 2.0, abs=1e-10)
