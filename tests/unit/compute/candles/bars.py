"""Bars for the candlestick tests: real NSE daily history from data/demo, and hand-made
bars that trigger the patterns the real data never shows."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"
OHLC = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@lru_cache(maxsize=1)
def demo_series() -> dict[str, OHLC]:
    """The ten stocks of the demo file, full daily history (4,100-5,300 bars each), the
    NIFTY 50 index (4,954 daily bars) and TCS 5-minute bars (18,354)."""
    d = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    out = {}
    for symbol, g in d.sort_values("Date").groupby("Symbol"):
        out[str(symbol)] = tuple(g[k].to_numpy(float) for k in ("Open", "High", "Low", "Close"))
    nifty = pd.read_csv(DEMO / "nifty50_index_2000_2019.csv.gz").sort_values("Date")
    out["NIFTY 50"] = tuple(nifty[k].to_numpy(float) for k in ("Open", "High", "Low", "Close"))
    tcs = pd.read_csv(DEMO / "TCS_5min_2023-07_2024-06.csv.gz").sort_values("date")
    out["TCS 5min"] = tuple(tcs[k].to_numpy(float) for k in ("open", "high", "low", "close"))
    return out  # type: ignore[return-value]


# A quiet lead-in (bodies 1, ranges 2, alternating colours) that sets the running averages:
# body long/short ~1, doji 0.2, very short shadow 0.2, near 0.4, far 1.2, equal 0.1.
_BASE = [(100.0, 100.5, 98.5, 99.0) if k % 2 else (99.0, 100.5, 98.5, 100.0) for k in range(14)]

#: name -> (bars as (open, high, low, close), expected value on the last bar)
SYNTHETIC: dict[str, tuple[list[tuple[float, float, float, float]], int]] = {
    "cdl3starsinsouth": ([(110, 110, 101, 106),   # long black, long lower shadow
                          (108, 108, 103, 105),   # smaller black, higher low, lower shadow
                          (105, 105, 104, 104)],  # small black marubozu inside the 2nd
                         100),
    "cdl3whitesoldiers": ([(100, 102, 99.8, 102),
                           (101.5, 103.5, 101.3, 103.5),
                           (103, 105.5, 102.8, 105.5)], 100),
    "cdlconcealbabyswall": ([(110, 110, 107, 107),     # black marubozu
                             (107, 107, 104, 104),     # black marubozu
                             (103, 104.5, 101.8, 102),  # gaps down, shadow into the body
                             (105, 105, 100.5, 101)],   # engulfs it, shadows included
                            100),
    "cdlkicking": ([(102, 102, 99, 99), (103, 106, 103, 106)], 100),
    "cdlkickingbylength": ([(103, 105, 103, 105), (102, 102, 98, 98)], -100),  # longer black
}


def synthetic(name: str) -> OHLC:
    bars = _BASE + SYNTHETIC[name][0]
    o, h, low, c = (np.array(col, float) for col in zip(*bars, strict=True))
    return o, h, low, c
