"""Real NSE closes for the risk tests: the demo stocks back-adjusted for their splits and
bonuses (tests.helpers.demo_closes, written from the definition), and the NIFTY 50 index, as
pandas objects indexed by date."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from tests.helpers import DEMO_DIR, demo_closes

#: Every demo stock whose actions are all splits and bonuses (RELIANCE also had a demerger
#: and a rights issue, which demo_rows does not adjust).
ADJUSTABLE = ("BHARTIARTL", "HDFCBANK", "HINDUNILVR", "ICICIBANK", "INFY", "ITC", "LT",
              "SBIN", "TCS")


@lru_cache(maxsize=1)
def adjusted_closes() -> pd.DataFrame:
    """Adjusted closes, one column per symbol, on the union of dates (NaN where no bar)."""
    return demo_closes(ADJUSTABLE)


@lru_cache(maxsize=1)
def nifty() -> pd.Series:
    """NIFTY 50 closes 2000-01-03 .. 2019-12-02."""
    frame = pd.read_csv(DEMO_DIR / "nifty50_index_2000_2019.csv.gz")
    return pd.Series(frame.Close.to_numpy(float), index=pd.DatetimeIndex(frame.Date),
                     name="NIFTY 50")


def as_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(closes float64 (dates, symbols), dates datetime64[D]) of a frame."""
    return frame.to_numpy(float), frame.index.to_numpy().astype("datetime64[D]")
