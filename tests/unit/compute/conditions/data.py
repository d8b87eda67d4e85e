"""Test data of the rule-language tests: real NSE bars from data/demo and random walks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from chitti.marketdata.series import Bars

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"


@lru_cache(maxsize=4)
def real_bars(symbol: str, start: str, end: str) -> Bars:
    """Daily bars of ``symbol`` in [start, end] (pick a window without a split: the demo
    prices are not adjusted)."""
    d = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    d = d[(d["Symbol"] == symbol) & (d["Date"] >= start) & (d["Date"] <= end)]
    d = d.sort_values("Date")
    return Bars(ts=np.array(d["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
                open=d["Open"].to_numpy(float), high=d["High"].to_numpy(float),
                low=d["Low"].to_numpy(float), close=d["Close"].to_numpy(float),
                volume=d["Volume"].to_numpy(float), symbol=symbol)


def random_bars(seed: int, n: int) -> Bars:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    open_ = close * np.exp(rng.normal(0.0, 0.01, n))
    high = np.maximum(open_, close) * (1.0 + rng.uniform(0.0, 0.02, n))
    low = np.minimum(open_, close) * (1.0 - rng.uniform(0.0, 0.02, n))
    return Bars(ts=np.datetime64("2015-01-01") + np.arange(n), open=open_, high=high, low=low,
                close=close, volume=rng.lognormal(12.0, 0.6, n), symbol="RAND")


def predictions(seed: int, n: int, *, missing: float = 0.1) -> np.ndarray:
    """Made-up model scores in [0, 1], NaN on a share ``missing`` of the bars (bars the model
    has no prediction for)."""
    rng = np.random.default_rng(seed)
    out = rng.uniform(0.0, 1.0, n)
    out[rng.uniform(0.0, 1.0, n) < missing] = np.nan
    return out
