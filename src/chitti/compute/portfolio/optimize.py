"""One call from adjusted closes to an optimised portfolio: estimates, then an optimiser.

:func:`optimize_portfolio` is what the ``optimize_portfolio`` service action calls: it
turns ``(n_dates, n_assets)`` adjusted closes into complete daily returns (days on which
every asset has a return; see :mod:`.returns`), estimates expected returns and the
covariance, and runs one method. The building blocks are public for callers that already
hold estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from chitti.compute.portfolio.constraints import PortfolioConstraints
from chitti.compute.portfolio.covariance import CovarianceMethod, estimate_covariance
from chitti.compute.portfolio.hrp import hierarchical_risk_parity
from chitti.compute.portfolio.mean_variance import (
    efficient_return,
    efficient_risk,
    max_sharpe,
    min_volatility,
)
from chitti.compute.portfolio.result import PortfolioResult
from chitti.compute.portfolio.returns import (
    complete_returns,
    ema_historical_return,
    mean_historical_return,
    model_expected_returns,
)
from chitti.compute.portfolio.risk_parity import equal_risk_contribution
from chitti.errors import BadRequest

PortfolioMethod = Literal["max_sharpe", "min_volatility", "efficient_return", "efficient_risk",
                          "equal_risk_contribution", "hierarchical_risk_parity"]
PORTFOLIO_METHODS: tuple[PortfolioMethod, ...] = (
    "max_sharpe", "min_volatility", "efficient_return", "efficient_risk",
    "equal_risk_contribution", "hierarchical_risk_parity")
ExpectedReturnsMethod = Literal["mean", "ema", "model"]
EXPECTED_RETURNS_METHODS: tuple[ExpectedReturnsMethod, ...] = ("mean", "ema", "model")

_NEEDS_RETURNS = ("max_sharpe", "efficient_return", "efficient_risk")
_UNCONSTRAINED = ("equal_risk_contribution", "hierarchical_risk_parity")


def optimize_portfolio(prices: np.ndarray, *, assets: Sequence[str],
                       method: PortfolioMethod = "max_sharpe",
                       covariance: CovarianceMethod = "ledoit_wolf",
                       expected_returns: ExpectedReturnsMethod = "mean",
                       model_returns: Sequence[float] | np.ndarray | None = None,
                       compounding: bool = False, returns_span_days: float = 500.0,
                       covariance_span_days: float = 180.0, risk_free_rate: float = 0.0,
                       target_return: float | None = None,
                       target_volatility: float | None = None,
                       constraints: PortfolioConstraints | None = None) -> PortfolioResult:
    """Estimate returns and risk from adjusted closes and optimise a portfolio.

    Parameters
    ----------
    prices
        ``(n_dates, n_assets)`` adjusted closes, NaN where an asset has no bar; only days on
        which every asset has a return are used (at least 2 per asset).
    assets
        One name per column.
    method
        ``max_sharpe``, ``min_volatility``, ``efficient_return`` (needs ``target_return``),
        ``efficient_risk`` (needs ``target_volatility``), ``equal_risk_contribution`` or
        ``hierarchical_risk_parity`` (the last two are long-only and take no constraints).
    covariance
        ``ledoit_wolf`` (default: never singular, and less noisy than the sample estimate
        when days per asset are few), ``sample`` or ``ewma`` (``covariance_span_days``).
    expected_returns
        ``mean`` (historical, arithmetic unless ``compounding``), ``ema``
        (``returns_span_days``) or ``model`` (``model_returns``: annual fractions from a
        model, one per asset).
    risk_free_rate, target_return, target_volatility
        Annual fractions (0.065 = 6.5 % a year).
    constraints
        Bounds, sector caps and a turnover limit (mean-variance methods).

    Raises
    ------
    BadRequest
        Too little history, a universe of one, a singular covariance, infeasible
        constraints or an unreachable target: each message names the input and the fix.
    """
    if method not in PORTFOLIO_METHODS:
        raise BadRequest(f"method: unknown {method!r}; use one of {', '.join(PORTFOLIO_METHODS)}")
    if method in _UNCONSTRAINED and constraints is not None and not constraints.is_default:
        raise BadRequest(f"constraints: {method} is long-only and takes no weight bounds, "
                         "sector caps or turnover limit; use max_sharpe, min_volatility, "
                         "efficient_return or efficient_risk for those")
    returns = complete_returns(prices, assets=assets)
    cov = estimate_covariance(returns, method=covariance, span_days=covariance_span_days)
    mu = _expected_returns(returns, assets, expected_returns, model_returns, compounding,
                           returns_span_days, required=method in _NEEDS_RETURNS)
    result = _run(method, cov.matrix, mu, assets, risk_free_rate, target_return,
                  target_volatility, constraints)
    n_rows = int(np.asarray(prices).shape[0])
    details = {**result.details, "covariance": covariance, "shrinkage": cov.shrinkage,
               "expected_returns": expected_returns if mu is not None else None,
               "days_used": cov.n_days, "days_dropped": max(n_rows - 1 - cov.n_days, 0)}
    return replace(result, details=details)


def _expected_returns(returns: np.ndarray, assets: Sequence[str],
                      how: ExpectedReturnsMethod,
                      model_returns: Sequence[float] | np.ndarray | None, compounding: bool,
                      span_days: float, *, required: bool) -> np.ndarray | None:
    if how == "mean":
        return mean_historical_return(returns, compounding=compounding)
    if how == "ema":
        return ema_historical_return(returns, span_days=span_days, compounding=compounding)
    if how == "model":
        if model_returns is None:
            if required:
                raise BadRequest("model_returns: expected_returns='model' needs one expected "
                                 "annual return per asset (e.g. from a model's scores)")
            return None
        return model_expected_returns(model_returns, assets=assets)
    raise BadRequest(f"expected_returns: unknown {how!r}; use one of "
                     f"{', '.join(EXPECTED_RETURNS_METHODS)}")


def _run(method: PortfolioMethod, cov: np.ndarray, mu: np.ndarray | None,
         assets: Sequence[str], rf: float, target_return: float | None,
         target_volatility: float | None,
         constraints: PortfolioConstraints | None) -> PortfolioResult:
    if method == "min_volatility":
        return min_volatility(cov, assets=assets, expected_returns=mu, constraints=constraints,
                              risk_free_rate=rf)
    if method == "equal_risk_contribution":
        return equal_risk_contribution(cov, assets=assets, expected_returns=mu,
                                       risk_free_rate=rf)
    if method == "hierarchical_risk_parity":
        return hierarchical_risk_parity(cov, assets=assets, expected_returns=mu,
                                        risk_free_rate=rf)
    assert mu is not None
    if method == "max_sharpe":
        return max_sharpe(mu, cov, assets=assets, risk_free_rate=rf, constraints=constraints)
    if method == "efficient_return":
        if target_return is None:
            raise BadRequest("target_return: efficient_return needs a target annual return "
                             "(a fraction, e.g. 0.15)")
        return efficient_return(mu, cov, assets=assets, target_return=target_return,
                                constraints=constraints, risk_free_rate=rf)
    if target_volatility is None:
        raise BadRequest("target_volatility: efficient_risk needs a target annual volatility "
                         "(a fraction, e.g. 0.2)")
    return efficient_risk(mu, cov, assets=assets, target_volatility=target_volatility,
                          constraints=constraints, risk_free_rate=rf)
