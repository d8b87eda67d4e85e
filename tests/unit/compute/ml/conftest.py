"""Fixtures of the model tests: real NSE closes from data/demo and synthetic panels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"

#: Small, fast LightGBM settings for tests (the defaults are sized for real panels).
FAST_LGB = {"num_boost_round": 50, "num_leaves": 15, "min_data_in_leaf": 20,
            "num_threads": 1}


@lru_cache(maxsize=1)
def demo_closes() -> pd.DataFrame:
    """Closes of the 10 demo stocks, dates x symbols (NaN before a listing). Unadjusted."""
    d = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz", parse_dates=["Date"])
    return d.pivot(index="Date", columns="Symbol", values="Close").sort_index()


def simple_features(close: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Log returns over several windows and rolling volatility: a tiny feature panel."""
    lc = np.log(close)
    feats, names = [], []
    for w in (1, 5, 10, 20, 60):
        r = np.full_like(close, np.nan)
        r[w:] = lc[w:] - lc[:-w]
        feats.append(r)
        names.append(f"ret_{w}d")
    daily = np.full_like(close, np.nan)
    daily[1:] = lc[1:] - lc[:-1]
    for w in (10, 20):
        feats.append(pd.DataFrame(daily).rolling(w).std().to_numpy())
        names.append(f"vol_{w}d")
    return np.stack(feats, axis=2), names


def synthetic_panel(n_dates: int, n_symbols: int, n_features: int, *, signal: float,
                    seed: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], tuple[str, ...]]:
    """Features ~ N(0, 1) and closes whose 1-day forward return at t is
    ``signal * 0.01 * x0[t] + 0.01 * noise[t]`` (x0 = feature 0; noise i.i.d. N(0, 1))."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_dates, n_symbols, n_features))
    step = signal * 0.01 * x[:, :, 0] + 0.01 * rng.normal(size=(n_dates, n_symbols))
    close = np.empty((n_dates, n_symbols))
    close[0] = 100.0
    for t in range(1, n_dates):
        close[t] = close[t - 1] * (1.0 + step[t - 1])
    dates = np.arange(np.datetime64("2015-01-01"), np.datetime64("2015-01-01") + n_dates)
    names = [f"x{i}" for i in range(n_features)]
    symbols = tuple(f"S{j:02d}" for j in range(n_symbols))
    return x, close, dates, names, symbols
