"""Input checks and the daily-return window that every risk measure reads.

Conventions (shared by the whole package):
  * ``close`` is float64 ``(n_dates, n_assets)`` of closes adjusted for splits and bonuses,
    NaN where an asset has no bar that day. Nothing is forward-filled.
  * Daily returns are simple returns between consecutive rows on which *every held asset*
    has a close (a day on which one holding did not trade is skipped, and the next return
    spans the gap: that is the P&L the holder saw). Assets with weight 0 play no part.
  * The window is the last ``window_days`` of those returns (fewer when the history is
    shorter, but never fewer than ``min_days``).
  * Weights are fractions of portfolio value; ``1 - sum(weights)`` is cash, which earns 0.
    Negative weights (shorts) are allowed; a net sum above 1 (leverage) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chitti.errors import BadRequest

#: Net weights may exceed 1 by this much (rounding in a caller's fractions).
WEIGHT_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ReturnWindow:
    """The held assets' daily returns over the risk window.

    ``dates[0]`` is the close the window starts from; ``returns[j]`` runs from ``dates[j]``
    to ``dates[j + 1]``; ``rows`` are those dates' positions in the caller's arrays.
    """

    rows: np.ndarray
    dates: np.ndarray
    returns: np.ndarray


def check_prices(close: np.ndarray, dates: np.ndarray,
                 symbols: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return ``close`` as float64 2-D and ``dates`` as datetime64[D], or raise BadRequest."""
    px = np.asarray(close, dtype=np.float64)
    if px.ndim != 2:
        raise BadRequest(f"close: expected a 2-D array (dates, assets), got {px.ndim} dimensions")
    days = np.asarray(dates)
    if not np.issubdtype(days.dtype, np.datetime64):
        try:
            days = days.astype("datetime64[D]")
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"dates: expected datetime64 dates, got {days.dtype}") from exc
    days = days.astype("datetime64[D]")
    if days.ndim != 1 or days.shape[0] != px.shape[0]:
        raise BadRequest(f"dates: {days.size} dates for {px.shape[0]} rows of close; "
                         "give one date per row")
    if days.size > 1 and not (np.diff(days.astype(np.int64)) > 0).all():
        raise BadRequest("dates: must be strictly increasing (one row per trading day)")
    if len(symbols) != px.shape[1]:
        raise BadRequest(f"symbols: {len(symbols)} names for {px.shape[1]} columns of close")
    if len(set(symbols)) != len(symbols):
        raise BadRequest("symbols: each symbol may appear once")
    finite = np.isfinite(px)
    bad = (~finite & ~np.isnan(px)) | (finite & (px <= 0.0))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise BadRequest(f"close: {int(bad.sum())} infinite or non-positive prices (first "
                         f"{symbols[col]} on {days[row]}); use NaN for a day without a bar")
    return px, days


def resolve_weights(n_assets: int, *, weights: Sequence[float] | np.ndarray | None,
                    positions_inr: Sequence[float] | np.ndarray | None, cash_inr: float,
                    portfolio_value_inr: float | None) -> tuple[np.ndarray, float | None]:
    """Return (weights as fractions of portfolio value, portfolio value in rupees or None)."""
    value: float | None = portfolio_value_inr
    if (weights is None) == (positions_inr is None):
        raise BadRequest("weights: give either weights (fractions of portfolio value) or "
                         "positions_inr (rupees held in each asset), exactly one of them")
    if positions_inr is not None:
        if portfolio_value_inr is not None:
            raise BadRequest("portfolio_value_inr: positions_inr plus cash_inr already give "
                             "the portfolio value; leave portfolio_value_inr out")
        if not (np.isfinite(cash_inr) and cash_inr >= 0.0):
            raise BadRequest(f"cash_inr: {cash_inr} is not a non-negative amount; borrowed "
                             "cash (leverage) is not supported")
        pos = _vector("positions_inr", positions_inr, n_assets)
        total_inr = float(pos.sum() + cash_inr)
        if not total_inr > 0.0:
            raise BadRequest(f"positions_inr: positions plus cash_inr come to Rs "
                             f"{total_inr:,.2f}; the portfolio value must be positive")
        w, value = pos / total_inr, total_inr
    else:
        w = _vector("weights", weights, n_assets)
        if value is not None and not (np.isfinite(value) and value > 0.0):
            raise BadRequest(f"portfolio_value_inr: {value} is not a positive amount")
    total = float(w.sum())
    if total > 1.0 + WEIGHT_SUM_TOLERANCE:
        raise BadRequest(f"weights: they sum to {total:.6g} > 1; weights are fractions of "
                         "portfolio value with the rest in cash, so scale them down to sum "
                         "to at most 1")
    if not (w != 0.0).any():
        raise BadRequest("weights: every weight is 0; hold at least one asset")
    return w, None if value is None else float(value)


def _vector(field: str, values: Sequence[float] | np.ndarray | None, n_assets: int) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.shape[0] != n_assets:
        raise BadRequest(f"{field}: {arr.size} values for {n_assets} assets; give one per "
                         "column of close, in the same order as symbols")
    if not np.isfinite(arr).all():
        raise BadRequest(f"{field}: {int((~np.isfinite(arr)).sum())} missing or infinite "
                         "values; use 0 for an asset not held")
    return arr


def return_window(close_held: np.ndarray, dates: np.ndarray, *, held_symbols: Sequence[str],
                  window_days: int, min_days: int) -> ReturnWindow:
    """Cut the daily-return window of the held assets, or say how much history is missing."""
    rows = np.flatnonzero(np.isfinite(close_held).all(axis=1))
    available = rows.size - 1
    if available < min_days:
        raise BadRequest(_too_short(close_held, dates, held_symbols, available, min_days))
    rows = rows[-(min(window_days, available) + 1):]
    px = close_held[rows]
    return ReturnWindow(rows=rows, dates=dates[rows], returns=px[1:] / px[:-1] - 1.0)


def _too_short(close_held: np.ndarray, dates: np.ndarray, held_symbols: Sequence[str],
               available: int, min_days: int) -> str:
    counts = np.isfinite(close_held).sum(axis=0)
    worst = int(np.argmin(counts))
    have = np.flatnonzero(np.isfinite(close_held[:, worst]))
    span = f"from {dates[have[0]]} to {dates[have[-1]]}" if have.size else "on no date"
    return (f"history: {max(available, 0)} daily returns on which all held assets have "
            f"closes, fewer than the {min_days} needed (min_days); {held_symbols[worst]} "
            f"has {int(counts[worst])} closes ({span}). Load more history, drop that asset, "
            "or lower min_days")
