"""Volatility, beta, tracking error, drawdown, correlation and risk contributions.

All take simple daily returns (or a value path) as NumPy arrays. Annualisation uses 252
trading days a year (NSE sessions); pass ``periods_per_year`` for other calendars.
Standard deviations and covariances use ``ddof=1``. An undefined figure (too few days, a
flat benchmark) is NaN, never a sentinel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from chitti.compute.risk._convert import day as _day
from chitti.compute.risk._convert import iso as _iso
from chitti.compute.risk._convert import json_float as _json

TRADING_DAYS_PER_YEAR = 252


@dataclass(frozen=True)
class Drawdown:
    """The deepest fall of a value path from a running peak.

    ``drawdown_fraction`` is positive (0.35 = the value fell 35 % below its peak). Dates are
    None when there was no fall; ``recovery_date`` is None when the peak was not regained.
    """

    drawdown_fraction: float
    peak_date: date | None
    trough_date: date | None
    recovery_date: date | None

    def to_dict(self) -> dict[str, float | str | None]:
        """JSON-able, dates as ISO strings."""
        return {"drawdown_fraction": _json(self.drawdown_fraction),
                "peak_date": _iso(self.peak_date), "trough_date": _iso(self.trough_date),
                "recovery_date": _iso(self.recovery_date)}


def annualised_volatility(returns: np.ndarray, *,
                          periods_per_year: int = TRADING_DAYS_PER_YEAR) -> float:
    """Return ``std(returns, ddof=1) * sqrt(periods_per_year)``; NaN under 2 returns."""
    r = np.asarray(returns, dtype=np.float64)
    if r.size < 2:
        return math.nan
    return float(r.std(ddof=1) * math.sqrt(periods_per_year))


def beta(returns: np.ndarray, benchmark_returns: np.ndarray) -> float:
    """Return the OLS slope of ``returns`` on ``benchmark_returns`` (same days).

    ``cov(r, b) / var(b)``. Days where either is NaN are left out; NaN with fewer than 3
    paired days or a benchmark that never moved.
    """
    r, b = _paired(returns, benchmark_returns)
    if r.size < 3:
        return math.nan
    b_dev = b - b.mean()
    var_b = float(b_dev @ b_dev)
    if var_b <= 0.0:
        return math.nan
    return float((r - r.mean()) @ b_dev / var_b)


def tracking_error(returns: np.ndarray, benchmark_returns: np.ndarray, *,
                   periods_per_year: int = TRADING_DAYS_PER_YEAR) -> float:
    """Return the annualised standard deviation of ``returns - benchmark_returns``.

    Days where either is NaN are left out; NaN with fewer than 2 paired days.
    """
    r, b = _paired(returns, benchmark_returns)
    return annualised_volatility(r - b, periods_per_year=periods_per_year)


def max_drawdown(values: np.ndarray, dates: np.ndarray) -> Drawdown:
    """Return the maximum drawdown of a value path (positive fraction) and its dates.

    ``values[0]`` is the starting value and counts as a peak. The peak is the last time the
    running maximum was set before the trough; the recovery is the first later date the
    value is back at or above that peak.
    """
    v = np.asarray(values, dtype=np.float64)
    days = np.asarray(dates).astype("datetime64[D]")
    if v.size == 0:
        return Drawdown(math.nan, None, None, None)
    peak = np.maximum.accumulate(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = 1.0 - v / peak
    trough = int(np.argmax(depth))
    if not depth[trough] > 0.0:
        return Drawdown(0.0, None, None, None)
    peak_at = int(np.flatnonzero(v[:trough + 1] == peak[trough])[-1])
    back = np.flatnonzero(v[trough:] >= peak[trough])
    recovery = _day(days[trough + int(back[0])]) if back.size else None
    return Drawdown(float(depth[trough]), _day(days[peak_at]), _day(days[trough]), recovery)


def correlation_matrix(asset_returns: np.ndarray) -> np.ndarray:
    """Return the Pearson correlation matrix of the columns of ``(n, k)`` returns.

    A column that never moved has NaN correlations (1 on the diagonal is not claimed).
    """
    r = np.asarray(asset_returns, dtype=np.float64)
    cov = np.atleast_2d(np.cov(r, rowvar=False, ddof=1))
    std = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(std, std)
    clipped: np.ndarray = np.clip(corr, -1.0, 1.0)
    np.fill_diagonal(clipped, np.where(std > 0.0, 1.0, np.nan))
    return clipped


def risk_contributions(weights: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Return each position's contribution to portfolio variance, ``w_i (Sigma w)_i``.

    They sum to ``w' Sigma w``; divide by that sum for fractions (which may be negative for
    a hedge). Units are those of ``covariance`` (daily, or annual if it was annualised).
    """
    w = np.asarray(weights, dtype=np.float64)
    contributions: np.ndarray = w * (np.atleast_2d(covariance) @ w)
    return contributions


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok]
