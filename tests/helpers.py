"""Helpers shared by the tests (fixtures live in conftest.py files)."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT / "data" / "demo"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@contextmanager
def private_tmp_dir(prefix: str) -> Iterator[Path]:
    """A temporary directory outside pytest's basetemp, removed afterwards.

    Database data directories must not live under pytest's basetemp: a concurrent pytest
    session prunes old basetemp directories, and would delete a live server's files.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def shared_data_or_skip(*parts: str) -> Path:
    """A path under ../shared/data, or skip: a user's clone has no ../shared."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/data is only in the developers' checkout)")
    return path


_BONUS = re.compile(r"Bonus (\d+):(\d+)")
_SPLIT = re.compile(r"From R[se]\.? ?(\d+)/- (?:Per Share )?To R[se]\.? ?(\d+)/-")


def demo_rows(symbol: str, *, adjust: bool) -> pd.DataFrame:
    """The demo file's rows of ``symbol``, oldest first; with ``adjust``, back-adjusted by
    hand for the shipped splits and bonuses: every row before an ex-date has its prices
    divided and its volume multiplied by the shares one share became (bonus a:b: (a+b)/b;
    face value X to Y: X/Y). A reference written from the definition, for symbols whose
    actions are all splits and bonuses (not RELIANCE: it has a demerger and a rights issue).
    """
    frame = pd.read_csv(DEMO_DIR / "nifty_sample_daily_2000_2021.csv.gz")
    rows = frame[frame.Symbol == symbol].sort_values("Date").reset_index(drop=True)
    if not adjust:
        return rows
    actions = pd.read_csv(DEMO_DIR / "corporate_actions_2000_2021.csv", encoding="utf-8-sig")
    rows["Volume"] = rows["Volume"].astype(float)  # a 1:2 bonus gives 1.5x volumes
    for _, action in actions[actions.SYMBOL == symbol].iterrows():
        if bonus := _BONUS.search(action.PURPOSE):
            shares = (int(bonus[1]) + int(bonus[2])) / int(bonus[2])
        elif split := _SPLIT.search(action.PURPOSE):
            shares = int(split[1]) / int(split[2])
        else:
            raise AssertionError(f"{symbol}: {action.PURPOSE!r} is not a split or a bonus")
        ex_date = pd.to_datetime(action["EX-DATE"], format="%d-%b-%Y").strftime("%Y-%m-%d")
        before = rows.Date < ex_date
        for column in ("Open", "High", "Low", "Close"):
            rows.loc[before, column] = rows.loc[before, column] / shares
        rows.loc[before, "Volume"] = rows.loc[before, "Volume"] * shares
    return rows


def demo_closes(symbols: Sequence[str]) -> pd.DataFrame:
    """Split- and bonus-adjusted demo closes (:func:`demo_rows`), one float column per symbol,
    indexed by date on the union of their dates (NaN where a symbol has no bar)."""
    columns = {}
    for symbol in symbols:
        rows = demo_rows(symbol, adjust=True)
        columns[symbol] = pd.Series(rows.Close.to_numpy(float),
                                    index=pd.DatetimeIndex(rows.Date))
    return pd.DataFrame(columns).sort_index()
