"""Example strategies that ship with the engine, as plain spec data."""

from __future__ import annotations

from typing import Any

from chitti.compute.backtest._spec import StrategySpec

_EXAMPLES: tuple[dict[str, Any], ...] = (
    {
        "name": "sma_crossover",
        "description": "Long when the fast SMA crosses above the slow SMA; flat when it "
                       "crosses back below.",
        "params": {"fast": 10, "slow": 50},
        "indicators": {"fast": {"fn": "sma", "params": {"timeperiod": "$fast"}},
                       "slow": {"fn": "sma", "params": {"timeperiod": "$slow"}}},
        "entry_long": {"op": "cross_above", "left": "fast", "right": "slow"},
        "exit_long": {"op": "cross_below", "left": "fast", "right": "slow"},
    },
    {
        "name": "rsi_mean_reversion",
        "description": "Buy when RSI falls below the lower threshold (oversold); sell when "
                       "it rises above the upper one.",
        "params": {"period": 14, "lower": 30, "upper": 70},
        "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": "$period"}}},
        "entry_long": {"op": "lt", "left": "rsi", "right": "$lower"},
        "exit_long": {"op": "gt", "left": "rsi", "right": "$upper"},
    },
    {
        "name": "bollinger_breakout",
        "description": "Buy a close above the upper Bollinger band; exit on a close below "
                       "the middle band.",
        "params": {"period": 20, "nbdev": 2.0},
        "indicators": {"bb": {"fn": "bbands", "params": {
            "timeperiod": "$period", "nbdevup": "$nbdev", "nbdevdn": "$nbdev"}}},
        "entry_long": {"op": "cross_above", "left": "close", "right": "bb.upperband"},
        "exit_long": {"op": "cross_below", "left": "close", "right": "bb.middleband"},
    },
    {
        "name": "donchian_breakout",
        "description": "Turtle-style: buy a close above the prior `entry`-bar high; exit on "
                       "a close below the prior `exit`-bar low.",
        "params": {"entry": 20, "exit": 10},
        "indicators": {"entry_channel": {"fn": "donchian", "params": {"timeperiod": "$entry"}},
                       "exit_channel": {"fn": "donchian", "params": {"timeperiod": "$exit"}}},
        "entry_long": {"op": "gt", "left": "close",
                       "right": {"ref": "entry_channel.upperband", "shift": 1}},
        "exit_long": {"op": "lt", "left": "close",
                      "right": {"ref": "exit_channel.lowerband", "shift": 1}},
    },
    {
        "name": "macd_trend",
        "description": "Long while MACD crosses above its signal line above zero; exit on "
                       "the cross back below.",
        "params": {"fast": 12, "slow": 26, "signal": 9},
        "indicators": {"macd": {"fn": "macd", "params": {
            "fastperiod": "$fast", "slowperiod": "$slow", "signalperiod": "$signal"}}},
        "entry_long": {"op": "and", "args": [
            {"op": "cross_above", "left": "macd.macd", "right": "macd.macdsignal"},
            {"op": "gt", "left": "macd.macd", "right": 0}]},
        "exit_long": {"op": "cross_below", "left": "macd.macd", "right": "macd.macdsignal"},
    },
    {
        "name": "supertrend",
        "description": "Long and short with the SuperTrend direction: long when it turns "
                       "up, short when it turns down (reversal on the flip).",
        "direction": "both",
        "params": {"period": 10, "multiplier": 3.0},
        "indicators": {"st": {"fn": "supertrend", "params": {
            "timeperiod": "$period", "multiplier": "$multiplier"}}},
        "entry_long": {"op": "cross_above", "left": "st.trend", "right": 0},
        "exit_long": {"op": "cross_below", "left": "st.trend", "right": 0},
        "entry_short": {"op": "cross_below", "left": "st.trend", "right": 0},
        "exit_short": {"op": "cross_above", "left": "st.trend", "right": 0},
    },
)

EXAMPLE_STRATEGIES: dict[str, StrategySpec] = {
    spec["name"]: StrategySpec.model_validate(spec) for spec in _EXAMPLES
}
