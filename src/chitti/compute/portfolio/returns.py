"""Daily returns from adjusted closes, and expected annual returns from them.

Conventions: ``prices`` is ``(n_dates, n_assets)`` float64 of adjusted closes, NaN where an
asset has no bar that day; a return is simple, ``p_t / p_{t-1} - 1`` between consecutive
rows; 252 trading days a year. Estimates are annual fractions (0.12 = 12 % a year).

Missing data, an explicit rule: a day enters the estimates only if *every* asset has a
return that day (its close and the previous row's close both exist), see
:func:`complete_returns`. PyPortfolioOpt instead keeps any day with one return and then
uses pairwise-complete covariances (which need not be positive semidefinite, so it
"fixes" them spectrally) while its Ledoit-Wolf replaces a missing return with 0; on
complete data both rules give the same numbers, which the parity tests check. A return
across a gap is dropped, not spread: a 3-day return is not a daily one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chitti.errors import BadRequest

TRADING_DAYS_PER_YEAR = 252
#: Fewest complete days of returns per asset: the sample covariance of n assets needs more
#: than n days to be invertible at all, and about 2n to be usable.
MIN_DAYS_PER_ASSET = 2


def simple_returns(prices: np.ndarray) -> np.ndarray:
    """Return ``(n_dates - 1, n_assets)`` simple daily returns, NaN where a close is missing.

    Equals ``pandas.DataFrame.pct_change(fill_method=None)`` without its all-NaN first row.
    """
    p = np.asarray(prices, dtype=np.float64)
    if p.ndim != 2:
        raise BadRequest(f"prices: need a 2-D array (dates x assets); got {p.ndim}-D")
    with np.errstate(divide="ignore", invalid="ignore"):
        return p[1:] / p[:-1] - 1.0


def complete_returns(prices: np.ndarray, *, assets: Sequence[str],
                     min_days_per_asset: int = MIN_DAYS_PER_ASSET) -> np.ndarray:
    """Return the daily returns of the days on which every asset has one.

    Parameters
    ----------
    prices
        ``(n_dates, n_assets)`` adjusted closes, NaN where an asset has no bar.
    assets
        Asset names, used in error messages.
    min_days_per_asset
        Refuse with fewer than ``min_days_per_asset * n_assets`` complete days.

    Raises
    ------
    BadRequest
        Non-positive prices, a universe of fewer than 2 assets, or too little common
        history: the message says how many days are needed, how many remain, and which
        assets have the shortest histories.
    """
    p = np.asarray(prices, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != len(assets):
        raise BadRequest(f"prices: need shape (n_dates, {len(assets)}), one column per asset; "
                         f"got {p.shape}")
    check_universe(assets)
    if np.any(p <= 0):
        i = int(np.flatnonzero(np.any(p <= 0, axis=0))[0])
        raise BadRequest(f"prices: {assets[i]} has a close <= 0; adjusted closes must be "
                         "positive (use NaN for a missing bar)")
    if np.any(np.isinf(p)):
        raise BadRequest("prices: contain infinities; use NaN for a missing bar")
    r = simple_returns(p)
    complete = ~np.isnan(r).any(axis=1)
    need = min_days_per_asset * len(assets)
    have = int(complete.sum())
    if have < need:
        per_asset = (~np.isnan(r)).sum(axis=0)
        order = np.argsort(per_asset, kind="stable")[:3]
        shortest = ", ".join(f"{assets[i]} ({int(per_asset[i])})" for i in order)
        raise BadRequest(f"prices: {have} days on which all {len(assets)} assets have a "
                         f"return; need at least {need} ({min_days_per_asset} per asset). "
                         f"Widen the date range or drop the assets with the fewest returns: "
                         f"{shortest}")
    return np.asarray(r[complete])


def check_universe(assets: Sequence[str]) -> None:
    """Refuse a universe of fewer than two assets or with a repeated name."""
    if len(assets) < 2:
        got = ", ".join(assets) or "none"
        raise BadRequest(f"symbols: a portfolio needs at least 2 assets; got {len(assets)} "
                         f"({got}); add symbols")
    seen: set[str] = set()
    for name in assets:
        if name in seen:
            raise BadRequest(f"symbols: {name} appears twice; list each asset once")
        seen.add(name)


def mean_historical_return(returns: np.ndarray, *, compounding: bool = False,
                           periods_per_year: int = TRADING_DAYS_PER_YEAR) -> np.ndarray:
    """Return each asset's expected annual return from the mean of its daily returns.

    ``compounding=False`` (default): ``mean(r) * periods_per_year``, the arithmetic mean
    that mean-variance theory pairs with a covariance of simple returns.
    ``compounding=True``: the geometric mean (CAGR), ``prod(1 + r) ** (periods_per_year /
    n) - 1``, as PyPortfolioOpt's ``mean_historical_return`` default. Both match
    PyPortfolioOpt exactly on the same returns. NaN returns are ignored per asset.
    """
    r = np.asarray(returns, dtype=np.float64)
    if compounding:
        count = (~np.isnan(r)).sum(axis=0)
        growth = np.nanprod(1.0 + r, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out: np.ndarray = growth ** (periods_per_year / count) - 1.0
        return out
    mean: np.ndarray = np.nanmean(r, axis=0)
    return np.asarray(mean * periods_per_year)


def ema_historical_return(returns: np.ndarray, *, span_days: float = 500.0,
                          compounding: bool = False,
                          periods_per_year: int = TRADING_DAYS_PER_YEAR) -> np.ndarray:
    """Return each asset's expected annual return from an exponentially weighted mean.

    The weight of the return ``k`` days before the last is ``(1 - alpha) ** k`` with
    ``alpha = 2 / (span_days + 1)``, normalised to sum to 1 (pandas ``ewm(span).mean()``
    with ``adjust=True``, as PyPortfolioOpt's ``ema_historical_return``). The annual figure
    is ``m * periods_per_year`` or, with ``compounding``, ``(1 + m) ** periods_per_year - 1``.
    Needs complete returns (no NaN).
    """
    r = np.asarray(returns, dtype=np.float64)
    if span_days < 1:
        raise BadRequest(f"span_days: must be >= 1; got {span_days}")
    weights = ewma_weights(r.shape[0], span_days)
    m = weights @ r
    if compounding:
        return np.asarray((1.0 + m) ** periods_per_year - 1.0)
    return np.asarray(m * periods_per_year)


def ewma_weights(n_days: int, span_days: float) -> np.ndarray:
    """Return the normalised weights of an EWMA over ``n_days``, oldest first."""
    alpha = 2.0 / (span_days + 1.0)
    w = (1.0 - alpha) ** np.arange(n_days - 1, -1, -1, dtype=np.float64)
    return np.asarray(w / w.sum())


def model_expected_returns(values: Sequence[float] | np.ndarray, *,
                           assets: Sequence[str]) -> np.ndarray:
    """Validate caller-supplied expected annual returns (e.g. a model's scores).

    The values must already be annual fractions, one per asset, finite; they are used as
    given (no shrinkage, no rescaling).
    """
    mu = np.asarray(values, dtype=np.float64)
    if mu.shape != (len(assets),):
        raise BadRequest(f"expected_returns: need one annual return per asset "
                         f"({len(assets)}); got shape {mu.shape}")
    bad = np.flatnonzero(~np.isfinite(mu))
    if bad.size:
        raise BadRequest(f"expected_returns: {assets[int(bad[0])]} has no finite value; "
                         "give a number for every asset")
    return mu
