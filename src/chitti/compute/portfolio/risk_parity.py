"""Equal risk contribution (risk parity): every asset carries the same share of the risk.

Long-only weights with ``w_i (Σw)_i / w'Σw = b_i`` (``b_i = 1/n`` by default; other risk
budgets may be given). Solved as Spinu (2013), "An algorithm for computing risk parity
weights": the unique minimiser ``x > 0`` of the strictly convex

    f(x) = ½ x'Σx - Σ_i b_i log x_i

has ``x_i (Σx)_i = b_i`` at its stationary point, so ``w = x / sum(x)`` has risk shares
exactly ``b``. Newton's method with a damped step (``1 / (1 + λ)``, λ the Newton
decrement, the standard step for self-concordant functions, plus backtracking that keeps
``x > 0``) converges quadratically; it stops when the gradient is at rounding level, so the
risk shares are equal to ~1e-14.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chitti.compute.portfolio.covariance import check_covariance
from chitti.compute.portfolio.result import PortfolioResult, build_result
from chitti.compute.portfolio.returns import check_universe, model_expected_returns
from chitti.errors import BadRequest, Internal

_MAX_ITER = 200


def equal_risk_contribution(cov: np.ndarray, *, assets: Sequence[str],
                            risk_budgets: Sequence[float] | np.ndarray | None = None,
                            expected_returns: np.ndarray | None = None,
                            risk_free_rate: float = 0.0) -> PortfolioResult:
    """Return the long-only portfolio whose assets contribute risk in proportion to budgets.

    Parameters
    ----------
    cov
        Annual covariance, positive definite (a singular one is refused, naming assets).
    assets
        Asset names.
    risk_budgets
        Positive shares of risk, one per asset (normalised to sum to 1); default equal.
    expected_returns
        Optional, only to report the return and Sharpe ratio of the result.
    risk_free_rate
        Annual, for the reported Sharpe ratio.
    """
    check_universe(assets)
    c = check_covariance(cov, assets=assets)
    mu = None if expected_returns is None else model_expected_returns(expected_returns,
                                                                      assets=assets)
    budgets = _budgets(risk_budgets, assets)
    x, iterations = _spinu_newton(c, budgets)
    w = x / x.sum()
    return build_result("equal_risk_contribution", assets, w, c, mu,
                        risk_free_rate=risk_free_rate,
                        details={"solver_iterations": iterations})


def _budgets(risk_budgets: Sequence[float] | np.ndarray | None,
             assets: Sequence[str]) -> np.ndarray:
    n = len(assets)
    if risk_budgets is None:
        return np.full(n, 1.0 / n)
    b = np.asarray(risk_budgets, dtype=np.float64)
    if b.shape != (n,) or not np.all(np.isfinite(b)) or np.any(b <= 0):
        raise BadRequest(f"risk_budgets: need {n} positive numbers, one per asset; "
                         f"got {b.tolist() if b.size <= 10 else b.shape}")
    return np.asarray(b / b.sum())


def _spinu_newton(cov: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    # scale Σ to unit mean variance so the tolerances mean the same for any units; the
    # minimiser scales by 1/sqrt(scale) and w = x / sum(x) does not see it
    s = cov / float(np.mean(np.diag(cov)))
    x = b / np.sqrt(np.diag(s))
    x = x / math.sqrt(float(x @ s @ x))

    def f(v: np.ndarray) -> float:
        return 0.5 * float(v @ s @ v) - float(b @ np.log(v))

    fx = f(x)
    last_gap = math.inf
    for iteration in range(1, _MAX_ITER + 1):
        grad = s @ x - b / x
        gap = float(np.max(np.abs(grad * x)))  # max |x_i (Σx)_i - b_i|, b sums to 1
        step = np.linalg.solve(s + np.diag(b / (x * x)), -grad)
        decrement_sq = max(float(-grad @ step), 0.0)
        # done at rounding level: a tiny gap, a tiny decrement, or a gap below 1e-10 that
        # full Newton steps no longer halve (quadratic convergence has hit the floor)
        if gap <= 1e-15 or decrement_sq <= 1e-24 or (gap <= 1e-10 and gap > 0.5 * last_gap):
            return x, iteration - 1
        last_gap = gap
        if decrement_sq < 0.0625:
            # the quadratic-convergence region of a self-concordant function: full
            # Newton steps (a line search here would only chase rounding noise in f)
            t = 1.0
            while not np.all(x + t * step > 0):
                t *= 0.5
            x = x + t * step
            fx = f(x)
            continue
        t = 1.0 / (1.0 + math.sqrt(decrement_sq))  # the damped phase, with Armijo backup
        while True:
            trial = x + t * step
            if np.all(trial > 0) and f(trial) <= fx - 1e-4 * t * decrement_sq:
                break
            t *= 0.5
            if t < 1e-10:
                raise Internal("equal_risk_contribution: Newton step found no descent")
        x, fx = trial, f(trial)
    raise Internal(f"equal_risk_contribution: no convergence in {_MAX_ITER} Newton steps")
