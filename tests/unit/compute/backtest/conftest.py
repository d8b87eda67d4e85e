"""Fixtures of the backtest tests: real NSE bars from data/demo (never ../shared) and
hand-made bars for scenarios."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chitti.compute.backtest import Bars

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"


@lru_cache(maxsize=1)
def _stocks() -> pd.DataFrame:
    return pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")


def load_symbol(symbol: str) -> Bars:
    d = _stocks()
    d = d[d["Symbol"] == symbol].sort_values("Date")
    return Bars(
        ts=np.array(d["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
        open=d["Open"].to_numpy(float), high=d["High"].to_numpy(float),
        low=d["Low"].to_numpy(float), close=d["Close"].to_numpy(float),
        volume=d["Volume"].to_numpy(float), symbol=symbol,
    )


@lru_cache(maxsize=1)
def load_nifty() -> Bars:
    d = pd.read_csv(DEMO / "nifty50_index_2000_2019.csv.gz").dropna(
        subset=["Open", "High", "Low", "Close"])
    d = d[(d["Open"] > 0) & (d["High"] >= d["Low"])]
    high = np.maximum.reduce([d["High"].to_numpy(float), d["Open"].to_numpy(float),
                              d["Close"].to_numpy(float)])
    low = np.minimum.reduce([d["Low"].to_numpy(float), d["Open"].to_numpy(float),
                             d["Close"].to_numpy(float)])
    return Bars(ts=np.array(d["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
                open=d["Open"].to_numpy(float), high=high, low=low,
                close=d["Close"].to_numpy(float), volume=d["Volume"].fillna(0).to_numpy(float),
                symbol="NIFTY 50")


def make_bars(open_: list[float], high: list[float], low: list[float], close: list[float],
              start: str = "2024-01-01") -> Bars:
    """Hand-made daily bars for scenario tests."""
    n = len(close)
    return Bars(ts=np.arange(np.datetime64(start), np.datetime64(start) + n),
                open=np.array(open_, float), high=np.array(high, float),
                low=np.array(low, float), close=np.array(close, float),
                volume=np.zeros(n), symbol="TEST")


def flags(n: int, *idx: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[list(idx)] = True
    return out


@pytest.fixture(scope="session")
def reliance() -> Bars:
    return load_symbol("RELIANCE")


@pytest.fixture(scope="session")
def nifty() -> Bars:
    return load_nifty()


@pytest.fixture(name="make_bars")
def _make_bars_fixture() -> Callable[..., Bars]:
    return make_bars


@pytest.fixture(name="flags")
def _flags_fixture() -> Callable[..., np.ndarray]:
    return flags


@pytest.fixture(name="symbol_bars")
def _symbol_bars_fixture() -> Callable[[str], Bars]:
    return load_symbol
