"""Annualised covariance matrices of daily returns: sample, Ledoit-Wolf and EWMA.

Each takes complete daily returns ``(n_days, n_assets)`` (see
:func:`chitti.compute.portfolio.returns.complete_returns`) and returns an annual
``(n_assets, n_assets)`` covariance (daily x 252). Definitions follow PyPortfolioOpt, so a
weight computed here and there from the same returns agrees:

* ``sample``: ``np.cov(r, ddof=1) * 252`` (pandas ``DataFrame.cov``).
* ``ledoit_wolf``: shrinkage of the *biased* (1/n) covariance towards ``mean variance x I``
  with the Ledoit-Wolf (2004) optimal intensity, exactly ``sklearn.covariance.ledoit_wolf``
  (what PyPortfolioOpt's ``CovarianceShrinkage.ledoit_wolf`` calls). Use it when the
  sample covariance is singular or near it (few days per asset, near-duplicate assets).
* ``ewma``: PyPortfolioOpt's ``exp_cov``: deviations from the *equally weighted* mean,
  their products averaged with EWMA weights (pandas ``ewm(span).mean()``, adjust=True).

:func:`check_covariance` refuses a matrix no optimiser should use (singular, not
symmetric, negative variances) and says which assets cause it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from chitti.compute.portfolio.returns import TRADING_DAYS_PER_YEAR, ewma_weights
from chitti.errors import BadRequest

CovarianceMethod = Literal["sample", "ledoit_wolf", "ewma"]
COVARIANCE_METHODS: tuple[CovarianceMethod, ...] = ("sample", "ledoit_wolf", "ewma")

#: A covariance whose smallest eigenvalue is below this fraction of its largest is treated
#: as singular: weights from it swing on rounding noise (condition number > 1e10).
SINGULAR_RATIO = 1e-10


@dataclass(frozen=True)
class CovarianceEstimate:
    """An annual covariance and how it was made (``shrinkage`` only for Ledoit-Wolf)."""

    matrix: np.ndarray
    method: CovarianceMethod
    n_days: int
    shrinkage: float | None = None


def sample_covariance(returns: np.ndarray, *,
                      periods_per_year: int = TRADING_DAYS_PER_YEAR) -> np.ndarray:
    """Return the annualised sample covariance (``ddof=1``) of complete daily returns."""
    r = _complete(returns)
    return np.asarray(np.cov(r, rowvar=False, ddof=1) * periods_per_year)


def ledoit_wolf_covariance(returns: np.ndarray, *,
                           periods_per_year: int = TRADING_DAYS_PER_YEAR
                           ) -> tuple[np.ndarray, float]:
    """Return the annualised Ledoit-Wolf covariance and its shrinkage intensity in [0, 1].

    ``(1 - s) * S + s * mean(diag(S)) * I`` with ``S`` the biased (divide by n) covariance
    and ``s`` the Ledoit-Wolf (2004) estimate of the optimal intensity, as
    ``sklearn.covariance.ledoit_wolf`` computes them.
    """
    x = _complete(returns)
    n_days, n_assets = x.shape
    x = x - x.mean(axis=0)
    emp = (x.T @ x) / n_days
    x2 = x * x
    emp_trace = x2.sum(axis=0) / n_days
    mu = float(emp_trace.sum()) / n_assets
    # sklearn's sums of <X2', X2> and of the squared <X', X>, in closed form
    beta_ = float(np.sum(x2.sum(axis=1) ** 2))
    delta_ = float(np.sum((emp * n_days) ** 2)) / n_days**2
    beta = (beta_ / n_days - delta_) / (n_assets * n_days)
    delta = (delta_ - 2.0 * mu * float(emp_trace.sum()) + n_assets * mu**2) / n_assets
    beta = min(beta, delta)
    shrinkage = 0.0 if beta == 0 else beta / delta
    shrunk = (1.0 - shrinkage) * emp
    shrunk[np.diag_indices(n_assets)] += shrinkage * mu
    return np.asarray(shrunk * periods_per_year), float(shrinkage)


def ewma_covariance(returns: np.ndarray, *, span_days: float = 180.0,
                    periods_per_year: int = TRADING_DAYS_PER_YEAR) -> np.ndarray:
    """Return PyPortfolioOpt's exponentially weighted covariance, annualised.

    Entry ``(i, j)`` is the EWMA (span ``span_days``, most recent day heaviest) of
    ``(r_i - mean(r_i)) * (r_j - mean(r_j))``, with the plain means of the whole window.
    Recent days count more, so it reacts to a volatility regime within weeks.
    """
    if span_days < 1:
        raise BadRequest(f"covariance_span_days: must be >= 1; got {span_days}")
    x = _complete(returns)
    x = x - x.mean(axis=0)
    w = ewma_weights(x.shape[0], span_days)
    return np.asarray(((x * w[:, None]).T @ x) * periods_per_year)


def estimate_covariance(returns: np.ndarray, *, method: CovarianceMethod = "sample",
                        span_days: float = 180.0,
                        periods_per_year: int = TRADING_DAYS_PER_YEAR) -> CovarianceEstimate:
    """Return the annual covariance of ``returns`` by ``method`` (see the module doc)."""
    n_days = int(np.asarray(returns).shape[0])
    if method == "sample":
        return CovarianceEstimate(sample_covariance(returns, periods_per_year=periods_per_year),
                                  method, n_days)
    if method == "ledoit_wolf":
        matrix, shrinkage = ledoit_wolf_covariance(returns, periods_per_year=periods_per_year)
        return CovarianceEstimate(matrix, method, n_days, shrinkage)
    if method == "ewma":
        return CovarianceEstimate(ewma_covariance(returns, span_days=span_days,
                                                  periods_per_year=periods_per_year),
                                  method, n_days)
    raise BadRequest(f"covariance: unknown method {method!r}; use one of "
                     f"{', '.join(COVARIANCE_METHODS)}")


def _complete(returns: np.ndarray) -> np.ndarray:
    r = np.asarray(returns, dtype=np.float64)
    if r.ndim != 2 or r.shape[0] < 2:
        raise BadRequest(f"returns: need at least 2 days x assets; got shape {r.shape}")
    if np.isnan(r).any():
        raise BadRequest("returns: contain NaN; keep only the days on which every asset has "
                         "a return (complete_returns)")
    return r


def check_covariance(cov: np.ndarray, *, assets: Sequence[str],
                     allow_singular: bool = False) -> np.ndarray:
    """Return ``cov`` symmetrised, or refuse it with the assets at fault.

    Refused: a wrong shape, non-finite entries, asymmetry beyond rounding, a variance
    <= 0, and (unless ``allow_singular``) a singular matrix: the message names two
    perfectly correlated assets when there are, or else the assets that make up the
    near-zero-variance combination, and suggests Ledoit-Wolf.
    """
    c = np.asarray(cov, dtype=np.float64)
    n = len(assets)
    if c.shape != (n, n):
        raise BadRequest(f"covariance: need shape ({n}, {n}); got {c.shape}")
    if not np.all(np.isfinite(c)):
        raise BadRequest("covariance: contains NaN or infinity")
    scale = float(np.max(np.abs(c))) or 1.0
    if np.max(np.abs(c - c.T)) > 1e-10 * scale:
        raise BadRequest("covariance: the matrix is not symmetric")
    c = (c + c.T) / 2.0
    var = np.diag(c)
    flat = np.flatnonzero(var <= SINGULAR_RATIO * scale)
    if flat.size:
        names = ", ".join(assets[i] for i in flat[:5])
        raise BadRequest(f"covariance: zero variance for {names} (price never moves in the "
                         "window); drop it or choose a window in which it trades")
    if allow_singular:
        return c
    eig = np.linalg.eigvalsh(c)
    if eig[0] > SINGULAR_RATIO * eig[-1]:
        return c
    eig, vec = np.linalg.eigh(c)
    raise BadRequest(_singular_message(c, eig, vec, assets))


def _singular_message(c: np.ndarray, eig: np.ndarray, vec: np.ndarray,
                      assets: Sequence[str]) -> str:
    sd = np.sqrt(np.diag(c))
    corr = c / np.outer(sd, sd)
    np.fill_diagonal(corr, 0.0)
    i, j = (int(k) for k in np.unravel_index(int(np.argmax(np.abs(corr))), corr.shape))
    fix = "drop one or use covariance='ledoit_wolf'"
    if abs(corr[i, j]) > 1.0 - 1e-8:
        return (f"weights: covariance is singular (assets {assets[i]} and {assets[j]} are "
                f"perfectly correlated, rho = {corr[i, j]:.6f}); {fix}")
    v = np.abs(vec[:, 0] * sd)
    members = np.argsort(-v)[: max(2, int(np.sum(v > 0.05 * v.max())))][:6]
    names = ", ".join(assets[int(k)] for k in sorted(members))
    return (f"weights: covariance is singular (smallest/largest eigenvalue "
            f"{max(eig[0], 0.0) / eig[-1]:.1e}: a combination of {names} has almost no "
            f"variance, e.g. fewer days than assets); {fix}, or use a longer window")
