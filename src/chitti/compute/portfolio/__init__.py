"""Portfolio optimisation: expected returns, covariances and six optimisers, pure NumPy.

Public API::

    optimize_portfolio(prices, *, assets, method="max_sharpe", covariance="ledoit_wolf",
                       expected_returns="mean", model_returns=None, risk_free_rate=0.0,
                       target_return=None, target_volatility=None, constraints=None, ...)
        -> PortfolioResult
    max_sharpe(mu, cov, *, assets, risk_free_rate=0.0, constraints=None)
    min_volatility(cov, *, assets, expected_returns=None, constraints=None)
    efficient_return(mu, cov, *, assets, target_return, constraints=None)
    efficient_risk(mu, cov, *, assets, target_volatility, constraints=None)
    equal_risk_contribution(cov, *, assets, risk_budgets=None)
    hierarchical_risk_parity(cov, *, assets)
    complete_returns(prices, *, assets) / mean_historical_return / ema_historical_return
    sample_covariance / ledoit_wolf_covariance / ewma_covariance / estimate_covariance
    allocate_shares(weights, latest_prices_inr, *, assets, total_inr) -> ShareAllocation

Conventions: prices are ``(n_dates, n_assets)`` adjusted closes (NaN = no bar); returns,
volatilities and rates are annual fractions (252 trading days a year); weights sum to 1.
Mean-variance weights agree with PyPortfolioOpt's ``EfficientFrontier`` and HRP with
``HRPOpt`` on the same inputs (tests/unit/compute/portfolio). Bad input raises
:class:`chitti.errors.BadRequest` naming the field and the fix.
"""

from chitti.compute.portfolio.allocation import ShareAllocation, allocate_shares
from chitti.compute.portfolio.constraints import PortfolioConstraints
from chitti.compute.portfolio.covariance import (
    COVARIANCE_METHODS,
    CovarianceEstimate,
    CovarianceMethod,
    check_covariance,
    estimate_covariance,
    ewma_covariance,
    ledoit_wolf_covariance,
    sample_covariance,
)
from chitti.compute.portfolio.hrp import hierarchical_risk_parity
from chitti.compute.portfolio.mean_variance import (
    efficient_return,
    efficient_risk,
    max_sharpe,
    min_volatility,
)
from chitti.compute.portfolio.optimize import (
    EXPECTED_RETURNS_METHODS,
    PORTFOLIO_METHODS,
    ExpectedReturnsMethod,
    PortfolioMethod,
    optimize_portfolio,
)
from chitti.compute.portfolio.result import PortfolioResult, risk_contributions
from chitti.compute.portfolio.returns import (
    TRADING_DAYS_PER_YEAR,
    complete_returns,
    ema_historical_return,
    mean_historical_return,
    model_expected_returns,
    simple_returns,
)
from chitti.compute.portfolio.risk_parity import equal_risk_contribution

__all__ = [
    "COVARIANCE_METHODS",
    "EXPECTED_RETURNS_METHODS",
    "PORTFOLIO_METHODS",
    "TRADING_DAYS_PER_YEAR",
    "CovarianceEstimate",
    "CovarianceMethod",
    "ExpectedReturnsMethod",
    "PortfolioConstraints",
    "PortfolioMethod",
    "PortfolioResult",
    "ShareAllocation",
    "allocate_shares",
    "check_covariance",
    "complete_returns",
    "efficient_return",
    "efficient_risk",
    "ema_historical_return",
    "equal_risk_contribution",
    "estimate_covariance",
    "ewma_covariance",
    "hierarchical_risk_parity",
    "ledoit_wolf_covariance",
    "max_sharpe",
    "mean_historical_return",
    "min_volatility",
    "model_expected_returns",
    "optimize_portfolio",
    "risk_contributions",
    "sample_covariance",
    "simple_returns",
]
