"""Warm-up bars: indicators read them, the backtest trades and reports only after them.

The oracle is the engine's own full-history run: indicators are causal, so from a date on
which the full run is flat, a run that starts there (with the earlier bars as warm-up) must
enter and leave at the same bars and prices.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from chitti.compute.backtest import (
    EXAMPLE_STRATEGIES,
    BacktestConfig,
    Bars,
    run_backtest,
    run_portfolio,
    sweep,
)
from chitti.errors import BadRequest

SMA = EXAMPLE_STRATEGIES["sma_crossover"]
CONFIG = BacktestConfig(fractional=True)


def warm(bars: Bars, first: int) -> Bars:
    return dataclasses.replace(bars, warmup=first)


def flat_day(bars: Bars) -> int:
    """A bar in the middle of the history on which the full run holds nothing."""
    trades = run_backtest(bars, SMA, config=CONFIG).trades
    gap = next(i for i, (a, b) in enumerate(zip(trades, trades[1:], strict=False)) if
               a.exit_time is not None and b.entry_time > a.exit_time
               and a.exit_time > bars.ts[len(bars) // 2])
    exit_bar = int(np.searchsorted(bars.ts, trades[gap].exit_time))
    return exit_bar + 1


def test_a_warm_run_trades_like_the_full_run_from_a_flat_day(reliance: Bars) -> None:
    first = flat_day(reliance)
    full = run_backtest(reliance, SMA, config=CONFIG)
    part = run_backtest(warm(reliance, first), SMA, config=CONFIG)
    later = [t for t in full.trades if t.entry_time >= reliance.ts[first]]
    assert [(t.entry_time, t.exit_time, t.entry_price_inr, t.exit_price_inr)
            for t in part.trades] == [(t.entry_time, t.exit_time, t.entry_price_inr,
                                       t.exit_price_inr) for t in later]
    assert part.ts[0] == reliance.ts[first] and part.metrics["bar_count"] == len(reliance) - first
    assert part.equity[0] == CONFIG.initial_cash_inr


def test_sweep_and_portfolio_start_after_the_warm_up(reliance: Bars) -> None:
    first = flat_day(reliance)
    grid = {"fast": [10, 20], "slow": [50]}
    swept = sweep(warm(reliance, first), SMA, grid, config=CONFIG, metric="total_return_pct")
    direct = [run_backtest(warm(reliance, first), SMA, params={"fast": f, "slow": 50},
                           config=CONFIG).metrics["total_return_pct"] for f in (10, 20)]
    np.testing.assert_allclose(swept.metrics[:, swept.metric_names.index("total_return_pct")],
                               direct, rtol=1e-9)
    alone = run_backtest(warm(reliance, first), SMA, config=CONFIG)
    book = run_portfolio({"RELIANCE": warm(reliance, first)}, SMA, config=CONFIG)
    assert book.metrics["total_return_pct"] == pytest.approx(
        alone.metrics["total_return_pct"], rel=1e-9)


def test_warm_up_must_leave_bars_to_work_on(reliance: Bars) -> None:
    with pytest.raises(BadRequest, match="warmup"):
        warm(reliance, len(reliance))
