"""Portfolio runs, the benchmark comparison and metric definitions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from chitti.compute.backtest import (
    EXAMPLE_STRATEGIES,
    BacktestConfig,
    Bars,
    Signals,
    run_backtest,
    run_portfolio,
)
from chitti.compute.backtest._metrics import CORE_METRICS, core_metrics, max_drawdown_days
from chitti.errors import BadRequest

SMA = EXAMPLE_STRATEGIES["sma_crossover"]


def test_one_symbol_portfolio_equals_the_single_backtest(reliance: Bars) -> None:
    cfg = BacktestConfig(costs="nse_delivery_discount", trailing_stop_pct=12.0)
    single = run_backtest(reliance, SMA, config=cfg)
    book = run_portfolio({"RELIANCE": reliance}, SMA, config=cfg)
    assert np.array_equal(single.equity, book.equity)
    assert single.trades == book.trades


def test_shared_cash_respects_max_positions_across_calendars(
        symbol_bars: Callable[[str], Bars]) -> None:
    bars = {s: symbol_bars(s) for s in ("RELIANCE", "INFY", "TCS", "ITC")}
    cfg = BacktestConfig(max_positions=2, size=50.0, costs="nse_delivery_discount")
    book = run_portfolio(bars, EXAMPLE_STRATEGIES["bollinger_breakout"], config=cfg)

    assert book.symbols == ("RELIANCE", "INFY", "TCS", "ITC")
    assert book.ts.shape[0] == np.unique(np.concatenate([b.ts for b in bars.values()])).shape[0]
    assert {t.symbol for t in book.trades} == set(bars)
    assert all(t.entry_time >= np.datetime64("2004-08-25") for t in book.trades
               if t.symbol == "TCS")
    # at no close are more than two positions open
    days = book.ts
    held = np.zeros(days.shape[0], dtype=int)
    for t in book.trades:
        a = np.searchsorted(days, t.entry_time)
        b = days.shape[0] if t.exit_time is None else np.searchsorted(days, t.exit_time)
        held[a:b] += 1
    assert held.max() == 2
    assert np.isfinite(book.equity).all() and (book.equity > 0).all()
    assert book.metrics["exposure_time_pct"] == pytest.approx((held > 0).mean() * 100)


def test_signals_per_symbol_must_cover_every_symbol(
        reliance: Bars, symbol_bars: Callable[[str], Bars]) -> None:
    infy = symbol_bars("INFY")
    sig = Signals(entry_long=np.zeros(len(reliance), dtype=bool))
    with pytest.raises(BadRequest, match="signals.INFY: no signals given"):
        run_portfolio({"RELIANCE": reliance, "INFY": infy}, {"RELIANCE": sig})


def test_buy_and_hold_the_index_has_beta_one_against_itself(nifty: Bars) -> None:
    cfg = BacktestConfig(fractional=True, fill="next_close")
    sig = Signals(entry_long=np.arange(len(nifty)) == 0)
    m = run_backtest(nifty, sig, config=cfg, benchmark=nifty).metrics
    # bought at bar 1's close: only the first of ~4,950 daily returns differs
    assert m["beta"] == pytest.approx(1.0, abs=2e-3)
    assert m["alpha_pct"] == pytest.approx(0.0, abs=0.5)
    assert m["benchmark_return_pct"] == pytest.approx(
        (nifty.close[-1] / nifty.close[0] - 1) * 100)


def test_benchmark_covers_only_the_dates_it_has(reliance: Bars, nifty: Bars) -> None:
    m = run_backtest(reliance, SMA, benchmark=nifty).metrics
    # the index file ends 2019-12-02; RELIANCE runs to 2021-04-30
    assert m["benchmark_return_pct"] == pytest.approx(
        (nifty.close[-1] / nifty.close[0] - 1) * 100)
    assert m["beta"] is not None and 0.0 < m["beta"] < 2.0


def test_core_metrics_by_hand() -> None:
    equity = np.array([100.0, 110.0, 99.0, 120.0])
    r = np.array([0.0, 0.1, -0.1, 120.0 / 99.0 - 1.0])
    out = np.empty(len(CORE_METRICS))
    stats = np.array([4.0, 3.0, 30.0, 10.0, 2.5])  # trades, wins, gross win, gross loss, costs
    core_metrics(equity, np.array([1, 1, 0, 1]), 100.0, 2.0, 252.0, 0.0, stats, out)
    m = dict(zip(CORE_METRICS, out, strict=True))
    assert m["total_return_pct"] == pytest.approx(20.0)
    assert m["cagr_pct"] == pytest.approx((1.2 ** 0.5 - 1) * 100)
    assert m["sharpe_ratio"] == pytest.approx(r.mean() / r.std(ddof=1) * np.sqrt(252))
    assert m["sortino_ratio"] == pytest.approx(
        r.mean() / np.sqrt(np.mean(np.minimum(r, 0) ** 2)) * np.sqrt(252))
    assert m["annual_volatility_pct"] == pytest.approx(r.std(ddof=1) * np.sqrt(252) * 100)
    assert m["max_drawdown_pct"] == pytest.approx(-10.0)
    assert m["calmar_ratio"] == pytest.approx(m["cagr_pct"] / 10.0)
    assert (m["trade_count"], m["win_rate_pct"], m["profit_factor"]) == (4, 75.0, 3.0)
    assert m["expectancy_inr"] == pytest.approx(5.0)
    assert m["exposure_time_pct"] == pytest.approx(75.0)
    ts = np.array(["2024-01-01", "2024-01-02", "2024-01-05", "2024-01-08"], "datetime64[D]")
    assert max_drawdown_days(ts, equity, 100.0) == 6.0  # peak 01-02 .. recovered 01-08


def test_more_trades_than_the_first_buffer_are_all_returned(
        make_bars: Callable[..., Bars]) -> None:
    # a 0.1 % stop hit on every bar and an entry signal on every bar: one round trip per
    # symbol per bar, 3 x 999 in all, more than the first trade buffer (1024 + bars)
    n = 1000
    one = make_bars(open_=[100.0] * n, high=[101.0] * n, low=[99.0] * n, close=[100.0] * n)
    sig = Signals(entry_long=np.ones(n, dtype=bool))
    book = run_portfolio({"A": one, "B": one, "C": one}, {"A": sig, "B": sig, "C": sig},
                         config=BacktestConfig(stop_loss_pct=0.1, size=30.0))
    assert book.metrics["trade_count"] == 3 * (n - 1)
    assert len(book.trades) == 3 * (n - 1)
    assert {t.exit_reason for t in book.trades} == {"stop_loss"}


def test_every_metric_key_has_a_documented_unit(reliance: Bars, nifty: Bars) -> None:
    from chitti.compute.backtest import METRIC_UNITS

    metrics = run_backtest(reliance, SMA, benchmark=nifty).metrics
    assert set(metrics) == set(METRIC_UNITS)
