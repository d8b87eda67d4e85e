"""Expected returns and covariances against pandas, NumPy, scikit-learn and PyPortfolioOpt."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pypfopt import expected_returns as pf_returns
from pypfopt import risk_models
from sklearn.covariance import LedoitWolf

from chitti.compute.portfolio import (
    complete_returns,
    ema_historical_return,
    estimate_covariance,
    ewma_covariance,
    ledoit_wolf_covariance,
    mean_historical_return,
    sample_covariance,
    simple_returns,
)

from .conftest import Universe


def _close(ours: np.ndarray, oracle: np.ndarray | pd.DataFrame | pd.Series,
           rtol: float = 1e-10) -> None:
    expected = np.asarray(oracle, dtype=float)
    scale = np.max(np.abs(expected))
    assert np.max(np.abs(ours - expected)) <= rtol * scale


def test_simple_returns_equal_pandas_pct_change(universe: Universe) -> None:
    prices = universe.prices.copy()
    prices.iloc[5, 1] = np.nan                    # a missing bar
    ours = simple_returns(prices.to_numpy())
    oracle = prices.pct_change(fill_method=None).iloc[1:].to_numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(oracle))
    _close(np.nan_to_num(ours), np.nan_to_num(oracle), 1e-14)


def test_complete_returns_keep_only_days_every_asset_trades(universe: Universe) -> None:
    prices = universe.prices.copy()
    prices.iloc[:30, 0] = np.nan                  # listed late
    prices.iloc[100, 2] = np.nan                  # one missing bar: drops two returns
    ours = complete_returns(prices.to_numpy(), assets=universe.assets)
    oracle = prices.pct_change(fill_method=None).dropna(how="any")
    assert ours.shape == oracle.shape
    _close(ours, oracle, 1e-14)


@pytest.mark.parametrize("compounding", [False, True])
def test_mean_historical_return_equals_pypfopt(universe: Universe, compounding: bool) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    ours = mean_historical_return(r, compounding=compounding)
    oracle = pf_returns.mean_historical_return(universe.prices, compounding=compounding)
    _close(ours, oracle)


@pytest.mark.parametrize("compounding", [False, True])
@pytest.mark.parametrize("span", [60, 500])
def test_ema_historical_return_equals_pypfopt(universe: Universe, compounding: bool,
                                              span: int) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    ours = ema_historical_return(r, span_days=span, compounding=compounding)
    oracle = pf_returns.ema_historical_return(universe.prices, span=span,
                                              compounding=compounding)
    _close(ours, oracle)


def test_sample_covariance_equals_numpy_pandas_and_pypfopt(universe: Universe) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    ours = sample_covariance(r)
    _close(ours, np.cov(r.T, ddof=1) * 252)
    _close(ours, universe.returns.cov() * 252)
    _close(ours, risk_models.sample_cov(universe.prices))


def test_ledoit_wolf_equals_sklearn_and_pypfopt(universe: Universe) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    ours, shrinkage = ledoit_wolf_covariance(r)
    fitted = LedoitWolf().fit(r)
    _close(ours, fitted.covariance_ * 252)
    assert shrinkage == pytest.approx(fitted.shrinkage_, rel=1e-10)
    assert 0.0 < shrinkage < 1.0
    _close(ours, risk_models.CovarianceShrinkage(universe.prices).ledoit_wolf())


def test_ledoit_wolf_shrinks_hard_when_days_are_few() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(0.0, 0.01, (30, 25))          # 30 days, 25 assets: sample is near singular
    ours, shrinkage = ledoit_wolf_covariance(r)
    fitted = LedoitWolf().fit(r)
    _close(ours, fitted.covariance_ * 252)
    assert shrinkage == pytest.approx(fitted.shrinkage_, rel=1e-10)
    assert np.linalg.eigvalsh(ours)[0] > 0


@pytest.mark.parametrize("span", [30, 180])
def test_ewma_covariance_equals_pypfopt_exp_cov(universe: Universe, span: int) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    _close(ewma_covariance(r, span_days=span), risk_models.exp_cov(universe.prices, span=span))


def test_ewma_covariance_equals_its_definition_written_as_a_loop() -> None:
    rng = np.random.default_rng(11)
    r = rng.normal(0.0, 0.01, (40, 3))
    alpha = 2.0 / (10 + 1.0)
    dev = r - r.mean(axis=0)
    expected = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            num = den = 0.0
            for t in range(40):
                weight = (1.0 - alpha) ** (39 - t)
                num += weight * dev[t, i] * dev[t, j]
                den += weight
            expected[i, j] = num / den * 252
    _close(ewma_covariance(r, span_days=10), expected, 1e-12)


def test_estimate_covariance_reports_method_days_and_shrinkage(universe: Universe) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    est = estimate_covariance(r, method="ledoit_wolf")
    assert est.n_days == r.shape[0]
    assert est.shrinkage == pytest.approx(LedoitWolf().fit(r).shrinkage_, rel=1e-10)
    assert estimate_covariance(r, method="sample").shrinkage is None
