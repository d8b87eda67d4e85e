"""Hierarchical risk parity (López de Prado, 2016, "Building diversified portfolios that
outperform out of sample", J. Portfolio Management 42(4)).

Three steps, as in the paper and in PyPortfolioOpt's ``HRPOpt``:

1. Tree clustering: single linkage on the distance ``sqrt((1 - rho) / 2)`` between
   assets (``rho`` the correlation implied by the covariance), by SciPy.
2. Quasi-diagonalisation: order the assets as the leaves of the dendrogram, left to
   right, so that similar assets sit next to each other.
3. Recursive bisection: split the ordered list in two halves (the paper's
   ``len // 2``, not the tree's own split), give each half a share ``1 - V1 / (V1 + V2)``
   and ``V1 / (V1 + V2)`` where ``V`` is the variance of the half's inverse-variance
   portfolio, and recurse into each half.

Long-only by construction; it never inverts the covariance, so a singular one is
accepted (only a zero variance is refused). Weight bounds, sector caps and turnover do
not apply (use a mean-variance method for those).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chitti.compute.portfolio.covariance import check_covariance
from chitti.compute.portfolio.result import PortfolioResult, build_result
from chitti.compute.portfolio.returns import check_universe, model_expected_returns


def hierarchical_risk_parity(cov: np.ndarray, *, assets: Sequence[str],
                             expected_returns: np.ndarray | None = None,
                             risk_free_rate: float = 0.0) -> PortfolioResult:
    """Return López de Prado's hierarchical-risk-parity portfolio for ``cov``.

    ``expected_returns`` is optional and only reported. ``details["order"]`` lists the
    quasi-diagonal order of the assets (comma-separated), the order of the bisection.
    """
    check_universe(assets)
    c = check_covariance(cov, assets=assets, allow_singular=True)
    mu = None if expected_returns is None else model_expected_returns(expected_returns,
                                                                      assets=assets)
    order = quasi_diagonal_order(c)
    w = recursive_bisection(c, order)
    return build_result("hierarchical_risk_parity", assets, w, c, mu,
                        risk_free_rate=risk_free_rate,
                        details={"order": ",".join(assets[i] for i in order)})


def quasi_diagonal_order(cov: np.ndarray) -> np.ndarray:
    """Return the leaf order of the single-linkage tree on ``sqrt((1 - rho) / 2)``."""
    # scipy imported here: only HRP needs it, not every compute process
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    dist = np.sqrt(np.clip((1.0 - corr) / 2.0, 0.0, 1.0))
    tree = linkage(squareform(dist, checks=False), "single")
    return np.asarray(leaves_list(tree), dtype=np.int64)


def recursive_bisection(cov: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Return HRP weights for assets in quasi-diagonal ``order`` (indices into ``cov``)."""
    w = np.ones(cov.shape[0])
    inv_var = 1.0 / np.diag(cov)
    clusters = [order]
    while clusters:
        halves = [half for c in clusters if len(c) > 1
                  for half in (c[: len(c) // 2], c[len(c) // 2:])]
        for left, right in zip(halves[::2], halves[1::2], strict=True):
            v_left = _cluster_variance(cov, inv_var, left)
            v_right = _cluster_variance(cov, inv_var, right)
            alpha = 1.0 - v_left / (v_left + v_right)
            w[left] *= alpha
            w[right] *= 1.0 - alpha
        clusters = halves
    return w


def _cluster_variance(cov: np.ndarray, inv_var: np.ndarray, items: np.ndarray) -> float:
    # the variance of the cluster's inverse-variance portfolio
    ivp = inv_var[items] / inv_var[items].sum()
    return float(ivp @ cov[np.ix_(items, items)] @ ivp)
