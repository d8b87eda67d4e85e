"""Corners of the optimiser: degenerate optima, slack constraints, shorting, 60 assets."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from chitti.compute.portfolio import (
    PortfolioConstraints,
    efficient_return,
    efficient_risk,
    max_sharpe,
    min_volatility,
)

from .oracles import Problem, kkt_residual, pypfopt_weights


def factor_problem(n: int, seed: int, *, lower: float = 0.0, upper: float = 1.0,
                   spread: float = 0.06, market: float = 0.0) -> Problem:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.15, (n, 4))
    loadings[:, 0] += market * rng.uniform(0.5, 1.5, n)   # a common factor, unequal betas
    cov = loadings @ loadings.T + np.diag(rng.uniform(0.01, 0.06, n))
    mu = rng.normal(0.12, spread, n)
    return Problem(assets=[f"A{i}" for i in range(n)], mu=mu, cov=cov,
                   lower=np.full(n, lower), upper=np.full(n, upper))


@pytest.mark.parametrize("method", ["max_sharpe", "min_volatility", "efficient_return"])
def test_sixty_assets_with_bounds_match_pypfopt(method: str) -> None:
    p = factor_problem(60, 1, lower=0.002, upper=0.06)
    target = 0.16 if method == "efficient_return" else None
    c = p.constraints()
    if method == "max_sharpe":
        got = max_sharpe(p.mu, p.cov, assets=p.assets, constraints=c).weights
    elif method == "min_volatility":
        got = min_volatility(p.cov, assets=p.assets, constraints=c).weights
    else:
        got = efficient_return(p.mu, p.cov, assets=p.assets, target_return=0.16,
                               constraints=c).weights
    assert np.max(np.abs(got - pypfopt_weights(p, method, target))) <= 1e-6
    assert kkt_residual(p, method, got, target) <= 1e-8


@pytest.mark.parametrize("method", ["max_sharpe", "min_volatility", "efficient_risk"])
def test_shorting_bounds_match_pypfopt(method: str) -> None:
    p = factor_problem(12, 2, lower=-0.3, upper=0.6, spread=0.15, market=0.4)
    c = p.constraints()
    if method == "max_sharpe":
        got = max_sharpe(p.mu, p.cov, assets=p.assets, constraints=c).weights
        target = None
    elif method == "min_volatility":
        got = min_volatility(p.cov, assets=p.assets, constraints=c).weights
        target = None
    else:
        target = 0.25
        got = efficient_risk(p.mu, p.cov, assets=p.assets, target_volatility=target,
                             constraints=c).weights
    assert got.min() < 0                          # the shorts are used
    assert np.max(np.abs(got - pypfopt_weights(p, method, target))) <= 1e-5
    assert kkt_residual(p, method, got, target) <= 1e-8


def test_efficient_return_at_the_highest_reachable_return_is_the_degenerate_vertex() -> None:
    p = factor_problem(15, 3, upper=0.2)
    lp = linprog(-p.mu, A_eq=np.ones((1, 15)), b_eq=[1.0], bounds=(0.0, 0.2), method="highs")
    res = efficient_return(p.mu, p.cov, assets=p.assets, target_return=float(-lp.fun),
                           constraints=p.constraints())
    # five assets at 0.2: the best five by mu, a single feasible point
    assert np.sort(np.flatnonzero(res.weights > 1e-9)) == pytest.approx(
        np.sort(np.argsort(-p.mu)[:5]))
    assert res.weights == pytest.approx(lp.x, abs=1e-9)


def test_a_turnover_limit_that_does_not_bind_changes_nothing() -> None:
    p = factor_problem(20, 4)
    free = min_volatility(p.cov, assets=p.assets)
    w0 = free.weights + np.linspace(-0.01, 0.01, 20)   # near the optimum already
    c = PortfolioConstraints(current_weights=w0, max_turnover=1.5)
    limited = min_volatility(p.cov, assets=p.assets, constraints=c)
    assert np.max(np.abs(limited.weights - free.weights)) <= 1e-9
    assert limited.details["turnover"] < 1.5


def test_a_zero_turnover_limit_returns_the_current_weights() -> None:
    p = factor_problem(10, 6)
    w0 = np.full(10, 0.1)
    res = max_sharpe(p.mu, p.cov, assets=p.assets,
                     constraints=PortfolioConstraints(current_weights=w0, max_turnover=0.0))
    assert res.weights == pytest.approx(w0, abs=1e-9)
