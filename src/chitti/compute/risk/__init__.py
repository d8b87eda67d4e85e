"""Portfolio risk: VaR and CVaR, volatility, beta, drawdown, correlation, risk
contributions and stress tests replaying real episodes on today's weights.

Pure functions over NumPy arrays (adjusted closes ``(n_dates, n_assets)`` with NaN where no
bar, ``datetime64[D]`` dates, weights as fractions of portfolio value). Public API::

    risk_report(close, dates, *, symbols, weights=None, positions_inr=None, ...) -> RiskReport
    portfolio_var(asset_returns, weights, *, method, confidences, horizons_days, ...)
    empirical_var_cvar(returns, *, confidence) -> (var, cvar)
    normal_var_cvar(mean, std, *, confidence, horizon_days=1) -> (var, cvar)
    component_var(weights, mean, covariance, *, confidence, horizon_days=1)
    horizon_returns(asset_returns, weights, *, horizon_days)
    simulate_returns(asset_returns, weights, *, horizons_days, n_paths, seed, sampler)
    annualised_volatility, beta, tracking_error, max_drawdown, correlation_matrix,
    risk_contributions
    stress_test(close, dates, weights, *, episode, symbols, benchmark=None, proxy_betas=None)
    STRESS_EPISODES

Losses (VaR, CVaR, drawdown) are positive fractions of portfolio value; see the module
docstrings of :mod:`.var`, :mod:`.stress` and :mod:`._inputs` for the conventions.
"""

from chitti.compute.risk.measures import (
    TRADING_DAYS_PER_YEAR,
    Drawdown,
    annualised_volatility,
    beta,
    correlation_matrix,
    max_drawdown,
    risk_contributions,
    tracking_error,
)
from chitti.compute.risk.report import (
    CONVENTIONS,
    DEFAULT_MIN_DAYS,
    DEFAULT_WINDOW_DAYS,
    MIN_BENCHMARK_DAYS,
    RiskReport,
    risk_report,
)
from chitti.compute.risk.stress import (
    STRESS_EPISODES,
    StressEpisode,
    StressResult,
    stress_test,
)
from chitti.compute.risk.var import (
    DEFAULT_CONFIDENCES,
    DEFAULT_HORIZONS_DAYS,
    DEFAULT_PATHS,
    VAR_METHODS,
    HistoricalHorizon,
    Sampler,
    VarEstimate,
    VarMethod,
    component_var,
    empirical_var_cvar,
    horizon_returns,
    normal_var_cvar,
    portfolio_var,
    simulate_returns,
)

__all__ = [
    "CONVENTIONS",
    "DEFAULT_CONFIDENCES",
    "DEFAULT_HORIZONS_DAYS",
    "DEFAULT_MIN_DAYS",
    "DEFAULT_PATHS",
    "DEFAULT_WINDOW_DAYS",
    "MIN_BENCHMARK_DAYS",
    "STRESS_EPISODES",
    "TRADING_DAYS_PER_YEAR",
    "VAR_METHODS",
    "Drawdown",
    "HistoricalHorizon",
    "RiskReport",
    "Sampler",
    "StressEpisode",
    "StressResult",
    "VarEstimate",
    "VarMethod",
    "annualised_volatility",
    "beta",
    "component_var",
    "correlation_matrix",
    "empirical_var_cvar",
    "horizon_returns",
    "max_drawdown",
    "normal_var_cvar",
    "portfolio_var",
    "risk_contributions",
    "risk_report",
    "simulate_returns",
    "stress_test",
    "tracking_error",
]
