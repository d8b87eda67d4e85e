"""Shared data for the portfolio tests: real NSE closes and a seeded factor model.

The real panel is nine of the ten demo symbols over 2016-2019, back-adjusted for their
splits and bonuses from the shipped corporate-actions file (every close before an
ex-date divided by the shares one share became: bonus a:b gives (a+b)/b, face value X to
Y gives X/Y). RELIANCE is left out: its demerger and rights issue are not plain splits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from tests.helpers import demo_closes

#: Sectors of the ten demo symbols (NSE industry classification, simplified).
SECTORS = {"BHARTIARTL": "telecom", "HDFCBANK": "financials", "HINDUNILVR": "fmcg",
           "ICICIBANK": "financials", "INFY": "it", "ITC": "fmcg", "LT": "industrials",
           "SBIN": "financials", "TCS": "it"}


@dataclass(frozen=True)
class Universe:
    name: str
    prices: pd.DataFrame          # adjusted closes, dates x assets
    sectors: tuple[str, ...]      # one per asset

    @property
    def assets(self) -> list[str]:
        return list(self.prices.columns)

    @property
    def returns(self) -> pd.DataFrame:
        return self.prices.pct_change(fill_method=None).dropna(how="all")


@lru_cache(maxsize=1)
def real_universe() -> Universe:
    prices = demo_closes(list(SECTORS)).loc["2016-01-01":"2019-12-31"]
    return Universe("nse9", prices, tuple(SECTORS[s] for s in prices.columns))


@lru_cache(maxsize=2)
def synthetic_universe(n_assets: int = 24, n_days: int = 750, seed: int = 7) -> Universe:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 1.0, (n_assets, 3)) * np.array([0.010, 0.006, 0.004])
    factors = rng.normal(0.0, 1.0, (n_days, 3))
    drift = rng.normal(0.0006, 0.0005, n_assets)
    noise = rng.normal(0.0, 1.0, (n_days, n_assets)) * rng.uniform(0.006, 0.02, n_assets)
    r = drift + factors @ loadings.T + noise
    dates = pd.bdate_range("2015-01-01", periods=n_days + 1)
    prices = 100.0 * np.vstack((np.ones(n_assets), np.cumprod(1.0 + r, axis=0)))
    assets = [f"S{i:02d}" for i in range(n_assets)]
    sectors = tuple(("alpha", "beta", "gamma", "delta")[i % 4] for i in range(n_assets))
    return Universe("synthetic", pd.DataFrame(prices, index=dates, columns=assets), sectors)


@pytest.fixture(params=["nse9", "synthetic"], scope="module")
def universe(request: pytest.FixtureRequest) -> Universe:
    return real_universe() if request.param == "nse9" else synthetic_universe()


@pytest.fixture(autouse=True)
def _quiet_pypfopt() -> None:
    # PyPortfolioOpt warns about non-DataFrame inputs and solver choices; not our concern
    warnings.filterwarnings("ignore", module="pypfopt")
    warnings.filterwarnings("ignore", module="cvxpy")
