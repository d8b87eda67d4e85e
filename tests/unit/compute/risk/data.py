"""Real NSE closes for the risk tests: the demo stocks back-adjusted by hand for their
splits and bonuses (written from the definition, with the parsing rules of
tests.helpers.demo_rows, whose volume step fails under pandas 3 for a 1:2 bonus), and the
NIFTY 50 index, as pandas objects indexed by date."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from tests.helpers import DEMO_DIR

_BONUS = re.compile(r"Bonus (\d+):(\d+)")
_SPLIT = re.compile(r"From R[se]\.? ?(\d+)/- (?:Per Share )?To R[se]\.? ?(\d+)/-")

#: Every demo stock whose actions are all splits and bonuses (RELIANCE also had a demerger
#: and a rights issue, which demo_rows does not adjust).
ADJUSTABLE = ("BHARTIARTL", "HDFCBANK", "HINDUNILVR", "ICICIBANK", "INFY", "ITC", "LT",
              "SBIN", "TCS")


@lru_cache(maxsize=1)
def adjusted_closes() -> pd.DataFrame:
    """Adjusted closes, one column per symbol, on the union of dates (NaN where no bar)."""
    frame = pd.read_csv(DEMO_DIR / "nifty_sample_daily_2000_2021.csv.gz")
    closes = frame.pivot(index="Date", columns="Symbol", values="Close")[list(ADJUSTABLE)]
    closes.index = pd.DatetimeIndex(closes.index)
    closes = closes.sort_index().astype(float)
    actions = pd.read_csv(DEMO_DIR / "corporate_actions_2000_2021.csv", encoding="utf-8-sig")
    for _, action in actions[actions.SYMBOL.isin(ADJUSTABLE)].iterrows():
        # every close before the ex-date divided by the shares one share became
        if bonus := _BONUS.search(action.PURPOSE):
            shares = (int(bonus[1]) + int(bonus[2])) / int(bonus[2])
        elif split := _SPLIT.search(action.PURPOSE):
            shares = int(split[1]) / int(split[2])
        else:
            raise AssertionError(f"{action.SYMBOL}: {action.PURPOSE!r} is not a split/bonus")
        ex_date = pd.to_datetime(action["EX-DATE"], format="%d-%b-%Y")
        before = closes.index < ex_date
        closes.loc[before, action.SYMBOL] = closes.loc[before, action.SYMBOL] / shares
    return closes


@lru_cache(maxsize=1)
def nifty() -> pd.Series:
    """NIFTY 50 closes 2000-01-03 .. 2019-12-02."""
    frame = pd.read_csv(DEMO_DIR / "nifty50_index_2000_2019.csv.gz")
    return pd.Series(frame.Close.to_numpy(float), index=pd.DatetimeIndex(frame.Date),
                     name="NIFTY 50")


def as_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(closes float64 (dates, symbols), dates datetime64[D]) of a frame."""
    return frame.to_numpy(float), frame.index.to_numpy().astype("datetime64[D]")
