"""Test data of the signals tests: real NSE bars from data/demo (never ../shared), random
bars and the user-rule example."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chitti.compute.backtest import Bars

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"


@lru_cache(maxsize=1)
def _stocks() -> pd.DataFrame:
    return pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")


@lru_cache(maxsize=16)
def load_symbol(symbol: str) -> Bars:
    d = _stocks()
    d = d[d["Symbol"] == symbol].sort_values("Date")
    return Bars(
        ts=np.array(d["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
        open=d["Open"].to_numpy(float), high=d["High"].to_numpy(float),
        low=d["Low"].to_numpy(float), close=d["Close"].to_numpy(float),
        volume=d["Volume"].to_numpy(float), symbol=symbol,
    )


def random_bars(seed: int, n: int, symbol: str = "RAND") -> Bars:
    """A random walk with a valid OHLC range and volume (for property tests)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    open_ = close * np.exp(rng.normal(0.0, 0.01, n))
    high = np.maximum(open_, close) * (1.0 + rng.uniform(0.0, 0.02, n))
    low = np.minimum(open_, close) * (1.0 - rng.uniform(0.0, 0.02, n))
    volume = rng.lognormal(12.0, 0.6, n)
    return Bars(ts=np.arange(np.datetime64("2015-01-01"), np.datetime64("2015-01-01") + n),
                open=open_, high=high, low=low, close=close, volume=volume, symbol=symbol)


USER_RULE: dict[str, Any] = {
    "name": "oversold_with_bullish_news",
    "description": "RSI(14) < 30 and bullish news within 2 days",
    "kind": "combined",
    "direction": "bullish",
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
    "condition": {"op": "and", "args": [
        {"op": "lt", "left": "rsi", "right": 30},
        {"op": "ge", "left": "news.bullish_2d", "right": 1},
    ]},
    "cooldown_bars": 3,
    "impact": 0.7,
    "explanation": "{symbol}: RSI(14) {rsi:.0f} < 30 with {news_bullish_2d:.0f} bullish "
                   "articles in 2 days",
}
