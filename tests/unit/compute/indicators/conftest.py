"""Shared fixtures: real NSE series shipped in data/demo, and a parity assertion."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"
DAILY_SYMBOLS = ("RELIANCE", "INFY", "SBIN")
OHLCV = ("open", "high", "low", "close", "volume")


@lru_cache(maxsize=1)
def _daily() -> dict[str, dict[str, np.ndarray]]:
    df = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    out = {}
    for sym in DAILY_SYMBOLS:
        d = df[df["Symbol"] == sym].sort_values("Date")
        out[sym] = {k: d[k.capitalize()].to_numpy(dtype=float) for k in OHLCV}
    return out


@lru_cache(maxsize=1)
def _tcs_5min() -> dict[str, np.ndarray]:
    df = pd.read_csv(DEMO / "TCS_5min_2023-07_2024-06.csv.gz")
    return {k: df[k].to_numpy(dtype=float) for k in OHLCV}


def with_periods(data: dict[str, np.ndarray], seed: int = 3) -> dict[str, np.ndarray]:
    """Add the ``periods`` input MAVP needs (random periods 1..40)."""
    rng = np.random.default_rng(seed)
    return {**data, "periods": rng.integers(1, 41, len(data["close"])).astype(float)}


@pytest.fixture(scope="session")
def nse_daily() -> dict[str, dict[str, np.ndarray]]:
    return {s: with_periods(v) for s, v in _daily().items()}


@pytest.fixture(scope="session")
def tcs_5min() -> dict[str, np.ndarray]:
    return with_periods(_tcs_5min())


def assert_close(name: str, ours: np.ndarray, ref: np.ndarray, rel: float = 1e-9,
                 atol: float = 0.0) -> None:
    """Assert same NaN pattern and values equal within ``rel`` relative.

    The relative bound is taken against the larger of |value| and the series' median
    magnitude, so an oscillator crossing zero is not held to a relative bound at its
    zero crossing (where every last-bit difference is 'infinitely' relative). ``atol`` is
    a floor for rounding noise of the inputs' own magnitude (a slope of 4e-14 on a flat
    window is noise, not a value).
    """
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert ours.shape == ref.shape, f"{name}: shape {ours.shape} != {ref.shape}"
    nan_o, nan_r = np.isnan(ours), np.isnan(ref)
    if not np.array_equal(nan_o, nan_r):
        i = int(np.argmax(nan_o != nan_r))
        raise AssertionError(
            f"{name}: NaN pattern differs first at index {i}: ours {ours[i]!r}, ref {ref[i]!r} "
            f"(NaN count ours {int(nan_o.sum())}, ref {int(nan_r.sum())})"
        )
    m = ~nan_r
    if not m.any():
        return
    o, r = ours[m], ref[m]
    inf_o, inf_r = np.isinf(o), np.isinf(r)
    assert np.array_equal(inf_o, inf_r) and np.array_equal(o[inf_o], r[inf_r]), f"{name}: inf"
    o, r = o[~inf_r], r[~inf_r]
    if not o.size:
        return
    scale = np.maximum(np.abs(r), np.median(np.abs(r)))
    err = np.abs(o - r) - np.maximum(rel * scale, atol)
    if (err > 0).any():
        i = int(np.argmax(err))
        raise AssertionError(
            f"{name}: differs by {abs(o[i] - r[i]):.3e} at finite index {i} "
            f"(ours {o[i]!r}, ref {r[i]!r}, allowed {max(rel * scale[i], atol):.3e})"
        )
