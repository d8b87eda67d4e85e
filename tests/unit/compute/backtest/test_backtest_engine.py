"""Execution scenarios on hand-made bars: fills, stops, sizing, slippage, reversals."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pytest

from chitti.compute.backtest import BacktestConfig, Bars, Signals, run_backtest
from chitti.errors import BadRequest

MakeBars = Callable[..., Bars]
Flags = Callable[..., np.ndarray]
FLAT = {"open_": [100.0] * 6, "high": [101.0] * 6, "low": [99.0] * 6, "close": [100.0] * 6}


def _bars(make_bars: MakeBars, **rows: list[float]) -> Bars:
    cols = {k: list(v) for k, v in FLAT.items()}
    for key, values in rows.items():
        cols[key][:len(values)] = values
    return make_bars(**cols)


def _qty(size: float, **kw: object) -> BacktestConfig:
    return BacktestConfig.model_validate({"sizing": "fixed_quantity", "size": size, **kw})


def test_signal_fills_at_next_open_by_default(make_bars: MakeBars, flags: Flags) -> None:
    bars = _bars(make_bars, open_=[100, 103, 104, 105, 106, 107],
                 high=[101, 104, 105, 106, 107, 108], close=[100, 103.5, 104, 105, 106, 107])
    result = run_backtest(bars, Signals(entry_long=flags(6, 0), exit_long=flags(6, 2)),
                          config=_qty(10))
    (trade,) = result.trades
    assert (str(trade.entry_time), trade.entry_price_inr) == ("2024-01-02", 103.0)
    assert (str(trade.exit_time), trade.exit_price_inr, trade.exit_reason) == \
        ("2024-01-04", 105.0, "signal")
    assert trade.pnl_inr == pytest.approx(20.0)


def test_next_close_fills_at_the_following_bars_close(make_bars: MakeBars, flags: Flags) -> None:
    bars = _bars(make_bars, close=[100, 102, 103, 104, 105, 106],
                 high=[101, 103, 104, 105, 106, 107])
    result = run_backtest(bars, Signals(entry_long=flags(6, 0), exit_long=flags(6, 2)),
                          config=_qty(10, fill="next_close"))
    (trade,) = result.trades
    assert (str(trade.entry_time), trade.entry_price_inr) == ("2024-01-02", 102.0)
    assert (str(trade.exit_time), trade.exit_price_inr) == ("2024-01-04", 104.0)


@pytest.mark.parametrize(("rows", "cfg", "price", "reason"), [
    ({"low": [99, 99, 94]}, {"stop_loss_pct": 5}, 95.0, "stop_loss"),
    ({"open_": [100, 100, 90], "low": [99, 99, 89]}, {"stop_loss_pct": 5}, 90.0, "stop_loss"),
    ({"high": [101, 101, 106]}, {"take_profit_pct": 5}, 105.0, "take_profit"),
    ({"open_": [100, 100, 110], "high": [101, 101, 111]}, {"take_profit_pct": 5}, 110.0,
     "take_profit"),
    # both levels inside one bar: the stop is assumed hit first (conservative)
    ({"low": [99, 99, 94], "high": [101, 101, 106]},
     {"stop_loss_pct": 5, "take_profit_pct": 5}, 95.0, "stop_loss"),
    # trailing: best high 120 on bar 1 -> level 108 on bar 2; entry bar itself not stopped
    ({"high": [101, 120, 116], "low": [99, 95, 107], "open_": [100, 100, 115],
      "close": [100, 118, 110]}, {"trailing_stop_pct": 10}, 108.0, "trailing_stop"),
])
def test_long_stops_fill_at_level_or_gap_open(make_bars: MakeBars, flags: Flags,
                                              rows: dict[str, list[float]],
                                              cfg: dict[str, float], price: float,
                                              reason: str) -> None:
    bars = _bars(make_bars, **rows)
    result = run_backtest(bars, Signals(entry_long=flags(6, 0)), config=_qty(1, **cfg))
    trade = result.trades[0]
    assert (str(trade.exit_time), trade.exit_price_inr, trade.exit_reason) == \
        ("2024-01-03", price, reason)


def test_short_stop_loss_above_entry(make_bars: MakeBars, flags: Flags) -> None:
    bars = _bars(make_bars, high=[101, 101, 106])
    result = run_backtest(bars, Signals(entry_short=flags(6, 0)),
                          config=_qty(10, stop_loss_pct=5))
    (trade,) = result.trades
    assert (trade.direction, trade.exit_price_inr, trade.exit_reason) == \
        ("short", 105.0, "stop_loss")
    assert trade.pnl_inr == pytest.approx(-50.0)


def test_opposite_entry_is_ignored_without_reversal(make_bars: MakeBars, flags: Flags) -> None:
    sig = Signals(entry_long=flags(6, 0), entry_short=flags(6, 2))
    result = run_backtest(_bars(make_bars), sig, config=_qty(1))
    assert [(t.direction, t.exit_reason) for t in result.trades] == [("long", "open")]


def test_reversal_closes_and_opens_the_other_side_in_one_fill(make_bars: MakeBars,
                                                              flags: Flags) -> None:
    sig = Signals(entry_long=flags(6, 0), entry_short=flags(6, 2))
    result = run_backtest(_bars(make_bars), sig, config=_qty(1, allow_reversal=True))
    assert [(t.direction, str(t.entry_time), t.exit_reason) for t in result.trades] == [
        ("long", "2024-01-02", "signal"), ("short", "2024-01-04", "open")]
    assert result.trades[0].exit_time == result.trades[1].entry_time


def test_pyramiding_adds_up_to_max_entries(make_bars: MakeBars, flags: Flags) -> None:
    bars = _bars(make_bars, open_=[100, 100, 110, 120, 120, 120],
                 high=[101, 101, 111, 121, 121, 121], low=[99, 99, 109, 119, 119, 119],
                 close=[100, 100, 110, 120, 120, 120])
    sig = Signals(entry_long=flags(6, 0, 1, 2))
    one = run_backtest(bars, sig, config=_qty(10))
    two = run_backtest(bars, sig, config=_qty(10, max_entries=2))
    assert one.trades[0].quantity == 10
    assert (two.trades[0].quantity, two.trades[0].entry_price_inr) == (20, 105.0)


def test_conflicting_entry_and_exit_on_one_bar_do_nothing(make_bars: MakeBars,
                                                          flags: Flags) -> None:
    sig = Signals(entry_long=flags(6, 1), exit_long=flags(6, 1))
    assert run_backtest(_bars(make_bars), sig, config=_qty(1)).trades == ()


@pytest.mark.parametrize(("fractional", "qty"), [(False, 3.0), (True, 1000.0 / 300.0)])
def test_whole_shares_by_default_fractional_on_request(make_bars: MakeBars, flags: Flags,
                                                       fractional: bool, qty: float) -> None:
    bars = make_bars(open_=[300.0] * 3, high=[301.0] * 3, low=[299.0] * 3, close=[300.0] * 3)
    cfg = BacktestConfig(initial_cash_inr=1000.0, fractional=fractional)
    result = run_backtest(bars, Signals(entry_long=flags(3, 0)), config=cfg)
    assert result.trades[0].quantity == pytest.approx(qty, rel=1e-12)


@pytest.mark.parametrize(("cfg", "buy", "sell"), [
    ({"slippage_bps": 10}, 100.1, 109.89),
    ({"slippage_ticks": 2}, 100.1, 109.9),
])
def test_slippage_is_adverse_on_both_sides(make_bars: MakeBars, flags: Flags,
                                           cfg: dict[str, float], buy: float,
                                           sell: float) -> None:
    bars = _bars(make_bars, open_=[100, 100, 110], high=[101, 101, 111], low=[99, 99, 109],
                 close=[100, 100, 110])
    result = run_backtest(bars, Signals(entry_long=flags(6, 0), exit_long=flags(6, 1)),
                          config=_qty(1, **cfg))
    trade = result.trades[0]
    assert (trade.entry_price_inr, trade.exit_price_inr) == pytest.approx((buy, sell))


@pytest.mark.parametrize(("sizing", "size", "qty"), [
    ("fixed_cash", 25_000.0, 250),
    ("percent_equity", 10.0, 1000),
    # risk 1 % of ₹10,00,000 per 2 × ATR(2); ATR of 2-wide bars is 2 -> 10,000 / 4
    ("volatility_target", 1.0, 2500),
])
def test_position_sizing_modes(make_bars: MakeBars, flags: Flags, sizing: str, size: float,
                               qty: int) -> None:
    cfg = BacktestConfig(sizing=sizing, size=size, atr_period=2)  # type: ignore[arg-type]
    result = run_backtest(_bars(make_bars), Signals(entry_long=flags(6, 3)), config=cfg)
    assert result.trades[0].quantity == qty


def test_buys_never_spend_more_than_the_cash(make_bars: MakeBars, flags: Flags) -> None:
    cfg = BacktestConfig(initial_cash_inr=10_000.0, sizing="fixed_quantity", size=1_000,
                         costs="nse_delivery_discount")
    result = run_backtest(_bars(make_bars), Signals(entry_long=flags(6, 0)), config=cfg)
    assert result.trades[0].quantity == 99  # 100 shares would need ₹10,011.86 with costs


def test_flat_run_reports_undefined_ratios_as_none_and_is_json(make_bars: MakeBars) -> None:
    result = run_backtest(_bars(make_bars), Signals(entry_long=np.zeros(6, dtype=bool)))
    m = result.metrics
    assert (m["total_return_pct"], m["max_drawdown_pct"], m["trade_count"]) == (0.0, 0.0, 0)
    assert m["sharpe_ratio"] is None and m["win_rate_pct"] is None
    assert m["profit_factor"] is None and m["calmar_ratio"] is None
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert '"sharpe_ratio": null' in text


def test_result_dict_carries_curves_trades_and_unit_keys(reliance: Bars) -> None:
    from chitti.compute.backtest import EXAMPLE_STRATEGIES

    out = run_backtest(reliance, EXAMPLE_STRATEGIES["sma_crossover"]).to_dict()
    json.dumps(out, allow_nan=False)
    assert len(out["equity_curve"]["ts"]) == len(reliance)
    assert {"entry_time", "exit_time", "quantity", "entry_price_inr", "exit_price_inr",
            "pnl_inr", "costs_inr", "exit_reason"} <= set(out["trades"][0])
    assert {"total_return_pct", "cagr_pct", "annual_volatility_pct", "sharpe_ratio",
            "sortino_ratio", "calmar_ratio", "max_drawdown_pct", "max_drawdown_days",
            "win_rate_pct", "profit_factor", "expectancy_inr", "average_win_inr",
            "average_loss_inr", "exposure_time_pct", "trade_count", "total_costs_inr",
            "benchmark_return_pct", "alpha_pct", "beta"} <= set(out["metrics"])


def test_signal_arrays_are_validated(make_bars: MakeBars) -> None:
    with pytest.raises(BadRequest, match=r"signals.exit_long: length 5 differs from the 6 bars"):
        run_backtest(_bars(make_bars), Signals(entry_long=np.zeros(6, bool),
                                               exit_long=np.zeros(5, bool)))
    with pytest.raises(BadRequest, match="entry_long and/or entry_short"):
        run_backtest(_bars(make_bars), Signals(exit_long=np.zeros(6, bool)))


def test_bars_are_validated() -> None:
    ts = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-01-04"))
    ok = np.array([1.0, 2.0, 3.0])
    with pytest.raises(BadRequest, match=r"bars.close: 1 missing"):
        Bars(ts=ts, open=ok, high=ok, low=ok, close=np.array([1.0, math.nan, 3.0]), volume=ok)
    with pytest.raises(BadRequest, match="strictly increasing"):
        Bars(ts=ts[::-1], open=ok, high=ok, low=ok, close=ok, volume=ok)
    with pytest.raises(BadRequest, match=r"bars.high: length 2"):
        Bars(ts=ts, open=ok, high=ok[:2], low=ok, close=ok, volume=ok)
    with pytest.raises(BadRequest, match=r"bars.high/low: 1 bars where high/low do not contain"):
        Bars(ts=ts, open=ok, high=np.array([1.0, 1.5, 3.0]), low=ok - 0.5, close=ok, volume=ok)


@pytest.mark.parametrize(("config", "message"), [
    ({"costs": "nope"}, r"config: costs: unknown cost profile 'nope'"),
    ({"slippage_bps": 5, "slippage_ticks": 1}, "set one of them"),
    ({"fill": "same_close"}, r"config.fill"),
    ({"stop_los_pct": 5}, r"config.stop_los_pct"),
])
def test_config_errors_name_the_field(make_bars: MakeBars, flags: Flags,
                                      config: dict[str, object], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        run_backtest(_bars(make_bars), Signals(entry_long=flags(6, 0)), config=config)
