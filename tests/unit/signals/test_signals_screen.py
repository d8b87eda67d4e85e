"""Screens, pure part: a rule's condition on the last bar equals the alert rules' evaluation on
that bar, the values are TA-Lib's and pandas', and the rule and window follow the definition."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import talib

from chitti.compute.backtest import Bars
from chitti.errors import BadRequest
from chitti.signals.patterns import condition_at_last_bar, evaluate_rules
from chitti.signals.rules import parse_rule
from chitti.signals.screen import MIN_BARS, bars_needed, screen_bars, screen_rule

RSI_SMA = {
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}},
                   "sma50": {"fn": "sma", "params": {"timeperiod": 50}}},
    "condition": {"op": "and", "args": [{"op": "lt", "left": "rsi", "right": 55},
                                        {"op": "gt", "left": "close", "right": "sma50"}]},
}


def head(bars: Bars, n: int) -> Bars:
    return Bars(ts=bars.ts[:n], open=bars.open[:n], high=bars.high[:n], low=bars.low[:n],
                close=bars.close[:n], volume=bars.volume[:n], symbol=bars.symbol)


def test_condition_at_last_bar_is_the_alert_evaluation_on_that_bar(reliance: Bars) -> None:
    # with no cooldown an alert rule fires on exactly the bars where its condition holds
    rule = parse_rule({**RSI_SMA, "name": "probe", "direction": "bullish", "cooldown_bars": 0,
                       "explanation": "{symbol}",
                       "condition": {"op": "and", "args": [
                           RSI_SMA["condition"]["args"][0],
                           {"op": "cross_above", "left": "close", "right": "sma50"}]}})
    bars = head(reliance, 1500)
    alerts = {a.bar_index: a for a in evaluate_rules(bars, [rule], start_index=1200)}
    assert len(alerts) >= 3
    for t in range(1200, 1500):
        matched, values = condition_at_last_bar(head(bars, t + 1), rule)
        assert matched == (t in alerts), t
        if matched:
            assert values == alerts[t].values


def test_values_are_talib_and_pandas_at_the_last_bar(infy: Bars) -> None:
    rule = screen_rule(RSI_SMA)
    rows = screen_bars([infy], rule, window=len(infy))
    (row,) = rows
    close = pd.Series(infy.close)
    rsi = float(talib.RSI(infy.close, timeperiod=14)[-1])
    sma = float(close.rolling(50).mean().iloc[-1])
    assert row["values"]["rsi"] == pytest.approx(rsi, abs=1e-9)
    assert row["values"]["sma50"] == pytest.approx(sma, abs=1e-9)
    assert row["values"]["close"] == row["close"] == infy.close[-1]
    assert row["matched"] == (rsi < 55 and infy.close[-1] > sma)
    assert row["change_pct"] == pytest.approx(100 * (infy.close[-1] / infy.close[-2] - 1))
    assert row["date"] == infy.ts[-1].item()


def test_a_window_reads_only_the_last_bars(infy: Bars) -> None:
    rule = screen_rule(RSI_SMA)
    (row,) = screen_bars([infy], rule, window=300)
    rsi = talib.RSI(infy.close[-300:], timeperiod=14)[-1]
    assert row["values"]["rsi"] == pytest.approx(rsi, abs=1e-9)
    # three lookbacks and more: the whole history's RSI is the same to far below a threshold
    assert row["values"]["rsi"] == pytest.approx(talib.RSI(infy.close, 14)[-1], abs=1e-6)


def test_rows_are_matched_first_then_by_symbol(reliance: Bars, infy: Bars) -> None:
    bars = [Bars(ts=b.ts[-n:], open=b.open[-n:], high=b.high[-n:], low=b.low[-n:],
                 close=b.close[-n:], volume=b.volume[-n:], symbol=name)
            for name, b, n in (("ZED", reliance, 400), ("ALPHA", infy, 400),
                               ("MID", reliance, 400), ("BETA", infy, 400))]
    always = screen_rule({"condition": {"op": "gt", "left": "close", "right": 0}})
    never = screen_rule({"condition": {"op": "lt", "left": "close", "right": 0}})
    assert [r["symbol"] for r in screen_bars(bars, always, window=300)] == [
        "ALPHA", "BETA", "MID", "ZED"]
    one = screen_rule({"condition": {"op": "gt", "left": "close", "right": float(
        min(reliance.close[-1], infy.close[-1]) + max(reliance.close[-1], infy.close[-1])) / 2}})
    high = "ZED" if reliance.close[-1] > infy.close[-1] else "ALPHA"
    ordered = [r["symbol"] for r in screen_bars(bars, one, window=300)]
    assert ordered[:2] == sorted([high, "MID" if high == "ZED" else "BETA"])
    assert not any(r["matched"] for r in screen_bars(bars, never, window=300))


def test_a_single_bar_has_no_change_and_warm_up_values_are_null(infy: Bars) -> None:
    (row,) = screen_bars([head(infy, 1)], screen_rule(RSI_SMA), window=250)
    assert row["change_pct"] is None and row["matched"] is False
    assert row["values"] == {"rsi": None, "sma50": None, "close": float(infy.close[0])}


def test_screen_rule_fills_the_defaults_and_keeps_alert_rule_messages() -> None:
    rule = screen_rule(RSI_SMA)
    assert (rule.name, rule.direction, rule.explanation) == ("screen", "bullish", "{symbol}")
    bad: dict[str, Any] = {**RSI_SMA, "condition": {"op": "lt", "left": "rsx", "right": 30}}
    with pytest.raises(BadRequest) as screened:
        screen_rule(bad)
    with pytest.raises(BadRequest) as alerted:
        parse_rule({**bad, "name": "screen", "direction": "bullish", "explanation": "{symbol}"})
    assert screened.value.message == alerted.value.message
    assert "unknown series 'rsx'" in screened.value.message
    with pytest.raises(BadRequest, match="reads prices only"):
        screen_rule({"kind": "combined",
                     "condition": {"op": "gt", "left": "news.bullish_2d", "right": 0}})


@pytest.mark.parametrize(("indicators", "expected"), [
    ({}, MIN_BARS),
    ({"sma": {"fn": "sma", "params": {"timeperiod": 50}}}, MIN_BARS),      # 3 x 50 + 50
    ({"sma": {"fn": "sma", "params": {"timeperiod": 200}}}, 3 * 200 + 50),  # warm-up 199 + 1
    ({"ema": {"fn": "ema", "params": {"timeperiod": 100}},
      "sma": {"fn": "sma", "params": {"timeperiod": 20}}}, 3 * 100 + 50),
])
def test_bars_needed_covers_three_warm_ups(indicators: dict[str, Any], expected: int) -> None:
    name = next(iter(indicators), None)
    condition = {"op": "gt", "left": "close", "right": name or 0}
    assert bars_needed(screen_rule({"indicators": indicators, "condition": condition})) == (
        expected)


def test_bars_needed_counts_lookback_references() -> None:
    rule = screen_rule({"indicators": {"sma": {"fn": "sma", "params": {"timeperiod": 200}}},
                        "condition": {"op": "gt", "left": "close",
                                      "right": {"ref": "sma", "shift": 10}}})
    assert bars_needed(rule) == 3 * (199 + 10 + 1) + 50


def test_warm_up_runs_the_example_screen_on_made_up_bars() -> None:
    from chitti.signals.screen import WARM_UP_RULE, warm_up

    warm_up()  # raises if the example rule or the made-up bars were invalid
    assert screen_rule(WARM_UP_RULE).indicator_outputs() == ("rsi", "sma50")
