"""Two plain scores a model has to beat, evaluated in the same folds with the same metrics.

* **12-1 momentum** (Jegadeesh and Titman 1993; the "UMD" factor's definition): the return
  from ``t - 252`` to ``t - 21`` sessions. The last month is skipped because one-month
  returns tend to reverse.
* **5-day reversal**: minus the return from ``t - 5`` to ``t`` (last week's losers bounce).

Both use closes up to t only, so they are valid scores at t's close. NaN where a close is
missing or the history is too short.
"""

from __future__ import annotations

import numpy as np

from chitti.errors import BadRequest

BASELINES = ("momentum_12_1", "reversal_5d")


def _lagged_return(close: np.ndarray, start_lag: int, end_lag: int) -> np.ndarray:
    # close[t - end_lag] / close[t - start_lag] - 1, with start_lag > end_lag >= 0.
    c = np.asarray(close, dtype=np.float64)
    if c.ndim != 2:
        raise BadRequest(f"close: shape {c.shape}; expected (n_dates, n_symbols)")
    out = np.full_like(c, np.nan)
    n = c.shape[0]
    if start_lag < n:
        out[start_lag:] = c[start_lag - end_lag:n - end_lag] / c[:n - start_lag] - 1.0
    return out


def momentum_12_1(close: np.ndarray, *, lookback_days: int = 252,
                  skip_days: int = 21) -> np.ndarray:
    """Return ``close[t - skip] / close[t - lookback] - 1`` (a fraction) per date and symbol.

    Parameters
    ----------
    close
        Adjusted closes ``(n_dates, n_symbols)``, NaN where there is no bar.
    lookback_days, skip_days
        In rows (sessions): 252 and 21 are twelve months and one month of NSE sessions.
    """
    if not 0 <= skip_days < lookback_days:
        raise BadRequest(f"skip_days: {skip_days} must be >= 0 and below lookback_days "
                         f"({lookback_days})")
    return _lagged_return(close, lookback_days, skip_days)


def reversal_5d(close: np.ndarray, *, days: int = 5) -> np.ndarray:
    """Return ``-(close[t] / close[t - days] - 1)`` per date and symbol (high = fell most)."""
    if days < 1:
        raise BadRequest(f"days: {days}; give a whole number of sessions >= 1")
    return -_lagged_return(close, days, 0)


def baseline_scores(close: np.ndarray) -> dict[str, np.ndarray]:
    """Return every baseline's score panel by name (see :data:`BASELINES`)."""
    return {"momentum_12_1": momentum_12_1(close), "reversal_5d": reversal_5d(close)}
