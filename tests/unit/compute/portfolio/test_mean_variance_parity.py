"""Mean-variance weights against PyPortfolioOpt (and cvxpy), plus a KKT check of our own.

Four methods x four constraint sets x two universes (nine real NSE stocks 2016-2019 and a
seeded 24-asset factor model). Each constraint set is sized from the long-only optimum so
that it binds (asserted on the oracle's answer, or the case would test nothing):

* ``bounds``: per-asset upper bounds at 70 % of the long-only weights, lower 1 %;
* ``sector_caps``: the heaviest sector of the max-Sharpe and of the min-volatility
  portfolio capped at 60 % of its weight (PyPortfolioOpt's ``add_sector_constraints``);
* ``turnover``: ``||w - 1/n||_1 <= half the long-only portfolios' turnover``
  (PyPortfolioOpt: ``add_constraint(lambda w: cp.norm(w - w0, 1) <= L)``; for max Sharpe a
  direct cvxpy model, see ``oracles.cvxpy_max_sharpe``).

Targets of efficient_return / efficient_risk sit halfway between the min-volatility and
max-Sharpe portfolios of the same constraints. Acceptance is 1e-4 on every weight; the
test holds 1e-6 so that a regression shows long before it matters (1e-5 where the oracle is
a conic solver, efficient_risk and turnover: even at tolerances of 1e-12 Clarabel's answer
has a KKT residual up to ~1e-5, ours ~1e-14, so the gap there is the oracle's).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from chitti.compute.portfolio import (
    complete_returns,
    efficient_return,
    efficient_risk,
    max_sharpe,
    mean_historical_return,
    min_volatility,
    sample_covariance,
)

from .conftest import Universe, real_universe, synthetic_universe
from .oracles import Problem, cvxpy_max_sharpe, kkt_residual, pypfopt_weights

METHODS = ("max_sharpe", "min_volatility", "efficient_return", "efficient_risk")
CASES = ("long_only", "bounds", "sector_caps", "turnover")
TOLERANCE = {"max_sharpe": 1e-6, "min_volatility": 1e-6, "efficient_return": 1e-6,
             "efficient_risk": 1e-5}


def _universe(name: str) -> Universe:
    return real_universe() if name == "nse9" else synthetic_universe()


@lru_cache(maxsize=16)
def problem(universe_name: str, case: str) -> Problem:
    u = _universe(universe_name)
    r = complete_returns(u.prices.to_numpy(), assets=u.assets)
    n = len(u.assets)
    base = Problem(assets=u.assets, mu=mean_historical_return(r), cov=sample_covariance(r),
                   lower=np.zeros(n), upper=np.ones(n), sectors=u.sectors)
    if case == "long_only":
        return base
    w_ms = pypfopt_weights(base, "max_sharpe")
    w_mv = pypfopt_weights(base, "min_volatility")
    if case == "bounds":
        upper = np.maximum(0.7 * np.maximum(w_ms, w_mv), 1.5 / n)
        return Problem(**{**base.__dict__, "lower": np.full(n, 0.01), "upper": upper})
    if case == "sector_caps":
        caps: dict[str, float] = {}
        for w in (w_ms, w_mv):
            totals = {s: float(sum(w[i] for i in range(n) if u.sectors[i] == s))
                      for s in set(u.sectors)}
            top = max(totals, key=lambda s: totals[s])
            caps[top] = min(caps.get(top, 1.0), 0.6 * totals[top])
        return Problem(**{**base.__dict__, "caps": caps})
    w0 = np.full(n, 1.0 / n)
    limit = 0.5 * min(np.abs(w_ms - w0).sum(), np.abs(w_mv - w0).sum())
    return Problem(**{**base.__dict__, "w0": w0, "max_turnover": limit})


def oracle(p: Problem, method: str, target: float | None) -> np.ndarray:
    if method == "max_sharpe" and p.max_turnover is not None:
        return cvxpy_max_sharpe(p)
    return pypfopt_weights(p, method, target)


def target_for(p: Problem, method: str) -> float | None:
    if method not in ("efficient_return", "efficient_risk"):
        return None
    w_ms, w_mv = oracle(p, "max_sharpe", None), oracle(p, "min_volatility", None)
    if method == "efficient_return":
        return float((p.mu @ w_ms + p.mu @ w_mv) / 2)
    return float((np.sqrt(w_ms @ p.cov @ w_ms) + np.sqrt(w_mv @ p.cov @ w_mv)) / 2)


def ours(p: Problem, method: str, target: float | None) -> np.ndarray:
    c, kw = p.constraints(), {"assets": p.assets}
    if method == "max_sharpe":
        res = max_sharpe(p.mu, p.cov, constraints=c, risk_free_rate=p.risk_free_rate, **kw)
    elif method == "min_volatility":
        res = min_volatility(p.cov, constraints=c, **kw)
    elif method == "efficient_return":
        assert target is not None
        res = efficient_return(p.mu, p.cov, target_return=target, constraints=c, **kw)
    else:
        assert target is not None
        res = efficient_risk(p.mu, p.cov, target_volatility=target, constraints=c, **kw)
    assert res.details["constraint_violation"] == pytest.approx(0.0, abs=1e-12)
    return res.weights


def binds(p: Problem, case: str, w: np.ndarray) -> bool:
    if case == "bounds":
        return bool(np.any(w <= p.lower + 1e-7) or np.any(w >= p.upper - 1e-7))
    if case == "sector_caps":
        return any(row @ w >= cap - 1e-7
                   for row, cap in zip(p.sector_rows(), p.caps.values(), strict=True))
    if case == "turnover":
        assert p.w0 is not None and p.max_turnover is not None
        return bool(np.abs(w - p.w0).sum() >= p.max_turnover - 1e-7)
    return True


@pytest.mark.parametrize("universe_name", ["nse9", "synthetic"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", METHODS)
def test_weights_match_pypfopt(universe_name: str, case: str, method: str) -> None:
    p = problem(universe_name, case)
    target = target_for(p, method)
    expected = oracle(p, method, target)
    assert binds(p, case, expected), f"{case} does not bind for {method}: nothing tested"
    got = ours(p, method, target)
    tolerance = 1e-5 if case == "turnover" else TOLERANCE[method]
    assert np.max(np.abs(got - expected)) <= tolerance
    if case != "turnover":
        assert kkt_residual(p, method, got, target) <= 1e-8


@pytest.mark.parametrize("risk_free_rate", [0.04, 0.08])
def test_max_sharpe_with_risk_free_rate_matches_pypfopt(risk_free_rate: float) -> None:
    p = Problem(**{**problem("nse9", "bounds").__dict__, "risk_free_rate": risk_free_rate})
    got = ours(p, "max_sharpe", None)
    assert np.max(np.abs(got - pypfopt_weights(p, "max_sharpe"))) <= TOLERANCE["max_sharpe"]
    assert kkt_residual(p, "max_sharpe", got) <= 1e-8


def test_efficient_risk_above_the_max_return_volatility_gives_the_max_return_portfolio() -> None:
    p = problem("synthetic", "sector_caps")
    res = efficient_risk(p.mu, p.cov, assets=p.assets, target_volatility=5.0,
                         constraints=p.constraints())
    # the highest-return portfolio under these constraints, by an LP written here
    from scipy.optimize import linprog
    rows = p.sector_rows()
    lp = linprog(-p.mu, A_ub=np.array(rows), b_ub=list(p.caps.values()),
                 A_eq=np.ones((1, len(p.mu))), b_eq=[1.0], bounds=(0.0, 1.0), method="highs")
    assert res.expected_annual_return == pytest.approx(-lp.fun, abs=1e-10)


def test_efficient_frontier_is_monotone_and_meets_every_target() -> None:
    p = problem("nse9", "long_only")
    low = min_volatility(p.cov, assets=p.assets, expected_returns=p.mu)
    high = max_sharpe(p.mu, p.cov, assets=p.assets)
    last = -np.inf
    for target in np.linspace(low.annual_volatility, high.annual_volatility, 7)[1:]:
        res = efficient_risk(p.mu, p.cov, assets=p.assets, target_volatility=float(target))
        assert res.annual_volatility == pytest.approx(target, rel=1e-10)
        assert res.expected_annual_return > last
        last = res.expected_annual_return
        back = efficient_return(p.mu, p.cov, assets=p.assets,
                                target_return=res.expected_annual_return)
        assert np.max(np.abs(back.weights - res.weights)) <= 1e-8


def test_pypfopt_max_sharpe_cannot_take_a_turnover_limit_ours_can() -> None:
    # why the max-Sharpe turnover oracle is a direct cvxpy model: PyPortfolioOpt rescales
    # only the right-hand side of ||w - w0||_1 <= L (to L k) and the problem turns infeasible
    from pypfopt.exceptions import OptimizationError

    p = problem("nse9", "turnover")
    with pytest.raises(OptimizationError):
        pypfopt_weights(p, "max_sharpe")
    got = ours(p, "max_sharpe", None)
    assert p.w0 is not None and p.max_turnover is not None
    assert np.abs(got - p.w0).sum() == pytest.approx(p.max_turnover, abs=1e-12)
    assert np.max(np.abs(got - cvxpy_max_sharpe(p))) <= 1e-6
