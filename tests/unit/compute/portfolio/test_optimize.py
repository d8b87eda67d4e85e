"""The one-call path from closes to weights, the result object, and share allocation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pypfopt import DiscreteAllocation, EfficientFrontier, HRPOpt, expected_returns, risk_models

from chitti.compute.portfolio import (
    PortfolioConstraints,
    allocate_shares,
    max_sharpe,
    optimize_portfolio,
    risk_contributions,
)

from .conftest import SECTORS, Universe, real_universe


def pypfopt_pipeline(prices: pd.DataFrame, covariance: str, returns: str) -> np.ndarray:
    if returns == "mean":
        mu = expected_returns.mean_historical_return(prices, compounding=False)
    else:
        mu = expected_returns.ema_historical_return(prices, span=250, compounding=True)
    cov = {"sample": lambda: risk_models.sample_cov(prices),
           "ledoit_wolf": lambda: risk_models.CovarianceShrinkage(prices).ledoit_wolf(),
           "ewma": lambda: risk_models.exp_cov(prices, span=90)}[covariance]()
    ef = EfficientFrontier(mu, cov, weight_bounds=(0.0, 0.35))
    ef.max_sharpe(risk_free_rate=0.065)
    return np.asarray(ef.weights)


@pytest.mark.parametrize("covariance", ["sample", "ledoit_wolf", "ewma"])
@pytest.mark.parametrize("returns", ["mean", "ema"])
def test_prices_to_max_sharpe_matches_pypfopt_pipeline(universe: Universe, covariance: str,
                                                       returns: str) -> None:
    res = optimize_portfolio(universe.prices.to_numpy(), assets=universe.assets,
                             covariance=covariance,  # type: ignore[arg-type]
                             expected_returns=returns,  # type: ignore[arg-type]
                             compounding=returns == "ema", returns_span_days=250,
                             covariance_span_days=90, risk_free_rate=0.065,
                             constraints=PortfolioConstraints(weight_bounds=(0.0, 0.35)))
    expected = pypfopt_pipeline(universe.prices, covariance, returns)
    assert np.max(np.abs(res.weights - expected)) <= 1e-6
    assert res.details["days_used"] == len(universe.prices) - 1
    assert res.details["covariance"] == covariance


def test_missing_bars_drop_those_days_for_every_asset() -> None:
    u = real_universe()
    prices = u.prices.copy()
    prices.iloc[:60, 3] = np.nan                 # ICICIBANK listed late
    prices.iloc[300, 7] = np.nan                 # one missing SBIN bar
    res = optimize_portfolio(prices.to_numpy(), assets=u.assets, method="min_volatility",
                             covariance="sample")
    # the rule, stated independently: returns from consecutive rows, days with any NaN out
    kept = prices.pct_change(fill_method=None).dropna(how="any")
    ef = EfficientFrontier(None, kept.cov() * 252)
    ef.min_volatility()
    assert np.max(np.abs(res.weights - ef.weights)) <= 1e-6
    assert res.details["days_used"] == len(kept)
    assert res.details["days_dropped"] == len(prices) - 1 - len(kept)


def test_hrp_through_prices_equals_pypfopt() -> None:
    u = real_universe()
    res = optimize_portfolio(u.prices.to_numpy(), assets=u.assets,
                             method="hierarchical_risk_parity", covariance="sample")
    expected = pd.Series(HRPOpt(returns=u.returns).optimize())[u.assets].to_numpy()
    assert np.max(np.abs(res.weights - expected)) <= 1e-10


def test_result_figures_follow_their_definitions_and_serialise() -> None:
    u = real_universe()
    c = PortfolioConstraints(sectors=[SECTORS[a] for a in u.assets],
                             sector_caps={"financials": 0.3, "it": 0.2},
                             current_weights=np.full(len(u.assets), 1 / len(u.assets)),
                             max_turnover=0.6)
    res = optimize_portfolio(u.prices.to_numpy(), assets=u.assets, risk_free_rate=0.065,
                             constraints=c)
    r = u.returns
    mu, cov = r.mean().to_numpy() * 252, np.cov(r.to_numpy().T) * 252
    w = res.weights
    assert res.expected_annual_return == pytest.approx(float(w @ mu), rel=1e-12)
    sigma = res.annual_volatility
    assert res.sharpe_ratio == pytest.approx((res.expected_annual_return - 0.065) / sigma)
    assert res.risk_contributions.sum() == pytest.approx(1.0, abs=1e-12)
    brute = np.array([w[i] * sum(cov[i, j] * w[j] for j in range(len(w)))
                      for i in range(len(w))])
    assert risk_contributions(w, cov) == pytest.approx(brute / brute.sum(), abs=1e-14)
    out = json.loads(json.dumps(res.to_dict()))
    assert out["weights"] == pytest.approx(res.weights_by_asset(), abs=0)
    assert out["annual_volatility_pct"] == pytest.approx(sigma * 100)
    assert out["details"]["turnover"] <= 0.6 + 1e-12
    assert out["details"]["shrinkage"] > 0


def test_undefined_figures_are_none_in_json() -> None:
    u = real_universe()
    res = optimize_portfolio(u.prices.to_numpy(), assets=u.assets, method="min_volatility",
                             expected_returns="model")
    out = res.to_dict()
    assert out["expected_annual_return_pct"] is None and out["sharpe_ratio"] is None
    assert out["annual_volatility_pct"] > 0


def test_model_returns_are_used_as_given() -> None:
    u = real_universe()
    model = np.linspace(0.05, 0.25, len(u.assets))
    res = optimize_portfolio(u.prices.to_numpy(), assets=u.assets, expected_returns="model",
                             model_returns=model, covariance="sample")
    direct = max_sharpe(model, np.cov(u.returns.to_numpy().T) * 252, assets=u.assets)
    assert np.max(np.abs(res.weights - direct.weights)) <= 1e-12


@pytest.mark.parametrize("total_inr", [50_000.0, 1_000_000.0])
def test_share_allocation_equals_pypfopt_greedy(total_inr: float) -> None:
    u = real_universe()
    res = optimize_portfolio(u.prices.to_numpy(), assets=u.assets, method="min_volatility")
    latest = u.prices.iloc[-1]
    ours = allocate_shares(res.weights, latest.to_numpy(), assets=u.assets,
                           total_inr=total_inr)
    da = DiscreteAllocation(res.weights_by_asset(), latest, total_portfolio_value=total_inr)
    shares, leftover = da.greedy_portfolio()
    assert ours.shares == {k: int(v) for k, v in shares.items()}
    assert ours.leftover_inr == pytest.approx(leftover, abs=1e-6)
    spent = sum(n * latest[a] for a, n in ours.shares.items())
    assert spent + ours.leftover_inr == pytest.approx(total_inr, rel=1e-12)
