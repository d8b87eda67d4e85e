"""Labels to learn: the forward return over a horizon, its sign and its cross-sectional rank.

All three are ``(n_dates, n_symbols)`` panels on the same calendar as the prices (rows are
trading dates, so a horizon counts rows, i.e. sessions, not calendar days). The label at
row t reads the close of row ``t + horizon_days``: it is known only after that session,
which is why training folds purge the ``horizon_days`` rows before each test window
(:mod:`chitti.compute.ml.folds`). NaN marks an undefined label: a missing close at t or
t + h, or t + h past the last row.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from chitti.compute.ml._rank import average_ranks
from chitti.errors import BadRequest

Target = Literal["forward_return", "sign", "rank"]
TARGETS: tuple[Target, ...] = ("forward_return", "sign", "rank")


def _close_panel(close: np.ndarray) -> np.ndarray:
    c = np.asarray(close, dtype=np.float64)
    if c.ndim != 2:
        raise BadRequest(f"close: shape {c.shape}; expected (n_dates, n_symbols)")
    if (c[np.isfinite(c)] <= 0.0).any():
        raise BadRequest("close: prices must be positive (NaN where a symbol has no bar)")
    return c


def _check_horizon(horizon_days: int) -> int:
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, (int, np.integer)) \
            or horizon_days < 1:
        raise BadRequest(f"horizon_days: {horizon_days!r}; give a whole number of sessions "
                         ">= 1 (e.g. 5 for a week)")
    return int(horizon_days)


def forward_return(close: np.ndarray, *, horizon_days: int = 5) -> np.ndarray:
    """Return ``close[t + h] / close[t] - 1`` per date and symbol (a fraction, not %).

    Parameters
    ----------
    close
        Adjusted closes ``(n_dates, n_symbols)``, NaN where a symbol has no bar.
    horizon_days
        ``h``, in rows (sessions) of the panel.

    Returns
    -------
    numpy.ndarray
        Same shape; NaN where either close is missing and in the last ``h`` rows. Equals
        pandas' ``close.shift(-h) / close - 1`` (``pct_change`` without its fill).
    """
    c = _close_panel(close)
    h = _check_horizon(horizon_days)
    out = np.full_like(c, np.nan)
    if h < c.shape[0]:
        out[:-h] = c[h:] / c[:-h] - 1.0
    return out


def forward_sign(returns: np.ndarray) -> np.ndarray:
    """Return 1.0 where a forward return is > 0, 0.0 where it is <= 0, NaN where it is NaN.

    A flat move (exactly 0) counts as "not up": the label says whether holding paid.
    """
    r = np.asarray(returns, dtype=np.float64)
    return np.where(np.isnan(r), np.nan, (r > 0.0).astype(np.float64))


def cross_sectional_rank(values: np.ndarray) -> np.ndarray:
    """Return each value's percentile rank among the symbols of its date, in (0, 1].

    The rank is ``average rank / count`` over the date's non-NaN values (1 = smallest; ties
    share their average rank), as ``DataFrame.rank(axis=1, pct=True)`` computes it; NaN
    stays NaN. A rank target removes the market's move on each date, leaving only which
    symbols did better than the others.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise BadRequest(f"values: shape {v.shape}; expected (n_dates, n_symbols)")
    return average_ranks(v, pct=True)


def make_target(close: np.ndarray, *, target: Target = "forward_return",
                horizon_days: int = 5) -> np.ndarray:
    """Return the label panel of ``target`` (one of :data:`TARGETS`) over ``horizon_days``."""
    if target not in TARGETS:
        raise BadRequest(f"target: {target!r} is not one of {', '.join(TARGETS)}")
    fwd = forward_return(close, horizon_days=horizon_days)
    if target == "sign":
        return forward_sign(fwd)
    if target == "rank":
        return cross_sectional_rank(fwd)
    return fwd
