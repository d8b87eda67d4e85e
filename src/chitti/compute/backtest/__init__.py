"""Backtesting: declarative strategies, a no-lookahead Numba engine, Indian costs, sweeps.

Public API::

    run_backtest(bars, strategy, *, config=None, params=None, benchmark=None) -> BacktestResult
    run_portfolio(bars_by_symbol, strategy, *, config=None, params=None, benchmark=None)
    sweep(bars, strategy, grid, *, config=None, metric="sharpe_ratio", constraints=(), ...)
    walk_forward(bars, strategy, grid, *, in_sample_bars, out_of_sample_bars, ...)

A signal computed on bar t's close fills on bar t+1 (open by default, or close); see
:class:`BacktestConfig` for fills, slippage, sizing, stops and :data:`COST_PROFILES`.
"""

from chitti.compute.backtest._config import BacktestConfig
from chitti.compute.backtest._costs import COST_PROFILES, CostProfile
from chitti.compute.backtest._engine import Signals, run_backtest, run_portfolio
from chitti.compute.backtest._examples import EXAMPLE_STRATEGIES
from chitti.compute.backtest._metrics import METRIC_UNITS
from chitti.compute.backtest._result import BacktestResult, Trade
from chitti.compute.backtest._spec import StrategySpec
from chitti.compute.backtest._sweep import (
    SweepResult,
    WalkForwardResult,
    check_sweep,
    sweep,
    walk_forward,
)
from chitti.marketdata.series import Bars

__all__ = [
    "COST_PROFILES",
    "EXAMPLE_STRATEGIES",
    "METRIC_UNITS",
    "BacktestConfig",
    "BacktestResult",
    "Bars",
    "CostProfile",
    "Signals",
    "StrategySpec",
    "SweepResult",
    "Trade",
    "WalkForwardResult",
    "run_backtest",
    "run_portfolio",
    "check_sweep",
    "sweep",
    "walk_forward",
]
