"""Shared panels for the feature tests: real NSE bars, and synthetic ones with gaps."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chitti.compute.features import FeaturePanel, compute_features
from chitti.marketdata.panel import PricePanel

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"
# A window without splits or bonuses in these symbols (LT's 2013 bonus is left out), so
# the printed prices are adjusted prices.
NSE_START, NSE_END = "2011-08-01", "2014-10-31"
NSE_SECTORS = {"HDFCBANK": "BANK", "ICICIBANK": "BANK", "SBIN": "BANK", "INFY": "IT",
               "TCS": "IT", "ITC": "FMCG", "HINDUNILVR": "FMCG", "RELIANCE": None,
               "BHARTIARTL": None}
FIELDS = ("open", "high", "low", "close", "volume")


@lru_cache(maxsize=1)
def nse_panel() -> PricePanel:
    df = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    df = df[(df["Date"] >= NSE_START) & (df["Date"] <= NSE_END)
            & df["Symbol"].isin(list(NSE_SECTORS))]
    wide = {f: df.pivot(index="Date", columns="Symbol", values=f.capitalize()) for f in FIELDS}
    symbols = tuple(NSE_SECTORS)
    dates = pd.to_datetime(wide["close"].index).to_numpy().astype("datetime64[D]")
    arrays = {f: wide[f][list(symbols)].to_numpy(dtype=float, copy=True) for f in FIELDS}
    rng = np.random.default_rng(7)
    holes = rng.random(arrays["close"].shape) < 0.01  # a few missing bars, as real data has
    for f in FIELDS:
        arrays[f][holes] = np.nan
    ix = pd.read_csv(DEMO / "nifty50_index_2000_2019.csv.gz")
    bench = ix.set_index("Date")["Close"].reindex(wide["close"].index).to_numpy(dtype=float)
    return PricePanel(dates=dates, symbols=symbols, benchmark=bench,
                      sectors=tuple(NSE_SECTORS.values()), **arrays)


@lru_cache(maxsize=1)
def nse_features() -> FeaturePanel:
    return compute_features(nse_panel())


@pytest.fixture(scope="session")
def nse() -> tuple[PricePanel, FeaturePanel]:
    return nse_panel(), nse_features()


def synthetic_panel(n_dates: int = 400, n_sym: int = 6, *, seed: int = 0, gaps: bool = True,
                    late: bool = True) -> PricePanel:
    """Random-walk OHLCV on weekdays; with ``gaps``: 3 % missing bars, a symbol listed late
    and benchmark holes; sectors with two members each (one symbol without a sector)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2015-01-05")
    days = np.arange(start, start + 2 * n_dates)
    dates = days[((days.astype(np.int64) + 3) % 7) < 5][:n_dates]
    r = rng.normal(0.0003, 0.02, (n_dates, n_sym))
    close = 100.0 * np.exp(np.cumsum(r, axis=0))
    op = close * np.exp(rng.normal(0, 0.006, close.shape))
    hi = np.maximum(op, close) * np.exp(np.abs(rng.normal(0, 0.01, close.shape)))
    lo = np.minimum(op, close) * np.exp(-np.abs(rng.normal(0, 0.01, close.shape)))
    vol = rng.lognormal(12, 0.6, close.shape).round()
    bench = 1000.0 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n_dates)))
    if gaps:
        miss = rng.random(close.shape) < 0.03
        if late:
            miss[: n_dates // 3, n_sym - 1] = True
        for a in (op, hi, lo, close, vol):
            a[miss] = np.nan
        bench[rng.random(n_dates) < 0.03] = np.nan
    sectors = tuple(None if j == n_sym - 2 else f"SECTOR{j // 2}" for j in range(n_sym))
    return PricePanel(dates=dates, symbols=tuple(f"SYM{j}" for j in range(n_sym)), open=op,
                      high=hi, low=lo, close=close, volume=vol, benchmark=bench, sectors=sectors)


def bars_of(panel: PricePanel, j: int) -> pd.DataFrame:
    """Symbol j's own bars (rows where it has a close), with the benchmark as known then
    (last close, carried at most 5 dates) as column ``bench``."""
    has = ~np.isnan(panel.close[:, j])
    frame = pd.DataFrame({f: getattr(panel, f)[:, j] for f in FIELDS},
                         index=pd.DatetimeIndex(panel.dates))
    if panel.benchmark is not None:
        frame["bench"] = pd.Series(panel.benchmark, index=frame.index).ffill(limit=5)
    return frame[has]


def ours(fp: FeaturePanel, panel: PricePanel, name: str, j: int) -> np.ndarray:
    """Feature ``name`` of symbol j on its own bars."""
    return np.asarray(fp.feature(name)[~np.isnan(panel.close[:, j]), j])


def assert_close(name: str, got: np.ndarray, ref: np.ndarray | pd.Series, rel: float = 1e-9,
                 atol: float = 1e-12) -> None:
    """Same NaN pattern, values equal within ``rel`` (relative to max(|ref|, median |ref|))."""
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert got.shape == ref.shape, f"{name}: shape {got.shape} != {ref.shape}"
    nan_g, nan_r = np.isnan(got), np.isnan(ref)
    if not np.array_equal(nan_g, nan_r):
        i = int(np.argmax(nan_g != nan_r))
        raise AssertionError(f"{name}: NaN pattern differs first at {i}: ours {got[i]!r}, "
                             f"ref {ref[i]!r} (NaN ours {nan_g.sum()}, ref {nan_r.sum()})")
    g, r = got[~nan_r], ref[~nan_r]
    if not g.size:
        return
    scale = np.maximum(np.abs(r), np.median(np.abs(r)))
    err = np.abs(g - r) - np.maximum(rel * scale, atol)
    if (err > 0).any():
        i = int(np.argmax(err))
        raise AssertionError(f"{name}: differs by {abs(g[i] - r[i]):.3e} at defined value {i} "
                             f"(ours {g[i]!r}, ref {r[i]!r})")
