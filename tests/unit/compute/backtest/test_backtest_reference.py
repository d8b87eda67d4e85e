"""Acceptance: SMA(10/50) crossover on real RELIANCE bars against independent implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chitti.compute.backtest import EXAMPLE_STRATEGIES, BacktestConfig, Bars, run_backtest

FAST, SLOW, CASH = 10, 50, 1_000_000.0


def _reference_sma_crossover(bars: Bars, fast: int, slow: int, cash: float
                             ) -> tuple[list[tuple[str, float, float, str, float]], float]:
    """Plain bar-by-bar Python: signal on bar i's close, fill at bar i+1's open, all-in with
    whole shares, zero costs. Returns (trades, final equity)."""
    close, open_ = bars.close.tolist(), bars.open.tolist()
    days = [str(d) for d in bars.ts]

    def sma(period: int, i: int) -> float | None:
        if i < period - 1:
            return None
        return sum(close[i - period + 1:i + 1]) / period

    trades: list[tuple[str, float, float, str, float]] = []
    qty, entry_day, entry_px, pending = 0.0, "", 0.0, None
    equity = cash
    for i in range(len(close)):
        if pending == "buy" and qty == 0:
            q = math.floor(cash / open_[i])
            if q > 0:
                cash -= q * open_[i]
                qty, entry_day, entry_px = q, days[i], open_[i]
        elif pending == "sell" and qty > 0:
            cash += qty * open_[i]
            trades.append((entry_day, entry_px, qty, days[i], open_[i]))
            qty = 0
        pending = None
        equity = cash + qty * close[i]
        f0, s0, f1, s1 = sma(fast, i), sma(slow, i), sma(fast, i - 1), sma(slow, i - 1)
        if None in (f0, s0, f1, s1):
            continue
        if f0 > s0 and f1 <= s1:  # type: ignore[operator]
            pending = "buy"
        elif f0 < s0 and f1 >= s1:  # type: ignore[operator]
            pending = "sell"
    return trades, equity


def test_sma_crossover_matches_bar_by_bar_reference(reliance: Bars) -> None:
    expected_trades, expected_equity = _reference_sma_crossover(reliance, FAST, SLOW, CASH)

    result = run_backtest(reliance, EXAMPLE_STRATEGIES["sma_crossover"],
                          params={"fast": FAST, "slow": SLOW},
                          config=BacktestConfig(initial_cash_inr=CASH, costs="zero"))

    closed = [t for t in result.trades if t.exit_reason != "open"]
    got = [(str(t.entry_time), t.entry_price_inr, t.quantity, str(t.exit_time), t.exit_price_inr)
           for t in closed]
    assert len(expected_trades) > 20
    assert got == expected_trades
    assert result.metrics["final_equity_inr"] == pytest.approx(expected_equity, rel=1e-12)
    assert result.equity[-1] == pytest.approx(expected_equity, rel=1e-12)


def test_sma_crossover_total_return_matches_vectorbt(reliance: Bars) -> None:
    vbt = pytest.importorskip(
        "vectorbt", reason="vectorbt is a bench-only dependency (pip install vectorbt)")
    import pandas as pd

    close = pd.Series(reliance.close, index=pd.DatetimeIndex(reliance.ts.astype("datetime64[ns]")))
    fast, slow = vbt.MA.run(close, FAST), vbt.MA.run(close, SLOW)
    # vectorbt fills on the signal bar's close; shifting the signals one bar gives "next close"
    entries = fast.ma_crossed_above(slow).shift(1, fill_value=False).astype(bool)
    exits = fast.ma_crossed_below(slow).shift(1, fill_value=False).astype(bool)
    pf = vbt.Portfolio.from_signals(close, entries, exits, init_cash=CASH, size=np.inf,
                                    fees=0.0, slippage=0.0, freq="1D")

    result = run_backtest(reliance, EXAMPLE_STRATEGIES["sma_crossover"],
                          params={"fast": FAST, "slow": SLOW},
                          config=BacktestConfig(initial_cash_inr=CASH, fill="next_close",
                                                fractional=True, costs="zero"))

    assert int(entries.sum()) > 20
    assert result.metrics["total_return_pct"] / 100.0 == pytest.approx(
        float(pf.total_return()), abs=1e-9)
