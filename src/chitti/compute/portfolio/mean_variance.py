"""Mean-variance optimisers: max Sharpe, min volatility, efficient return, efficient risk.

Each solves a convex problem over the weights ``w`` (sum 1) under
:class:`~chitti.compute.portfolio.constraints.PortfolioConstraints`, with ``mu`` the
expected annual returns and ``cov`` the annual covariance (fractions). The problems are
PyPortfolioOpt's ``EfficientFrontier`` methods of the same names, solved by our dense QP
(:mod:`._qp`) instead of cvxpy:

* ``min_volatility``: min ``w'Σw``.
* ``efficient_return(target)``: min ``w'Σw`` s.t. ``mu'w >= target``.
* ``max_sharpe(rf)``: max ``(mu'w - rf) / sqrt(w'Σw)``, via the Charnes-Cooper /
  Cornuejols-Tütüncü change of variables ``y = k w``, ``k = 1 / (mu'w - rf)``: min ``y'Σy``
  s.t. ``(mu - rf)'y = 1``, ``sum(y) = k >= 0`` and every constraint ``g'w <= h`` as
  ``g'y <= h k``, a QP; then ``w = y / k``. The turnover limit becomes
  ``|y - w0 k| <= t``, ``sum(t) <= L k`` (PyPortfolioOpt rescales only the right-hand
  side of ``||w - w0||_1 <= L``, which makes that problem infeasible; see the tests).
* ``efficient_risk(target)``: max ``mu'w`` s.t. ``w'Σw <= target²``. When the limit binds,
  that is ``efficient_return`` at the return whose minimum volatility is the target
  (duality). The frontier is piecewise w(r) = w0 + r w1 between active-set changes, so
  the target's return is the root of a quadratic on the right piece, found exactly; a
  target above the volatility of the highest-return portfolio gives that portfolio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chitti.compute.portfolio._frontier import (
    Frontier,
    min_variance_qp,
    scaled_objective,
    solve,
)
from chitti.compute.portfolio._qp import QpSolution
from chitti.compute.portfolio.constraints import (
    LinearSystem,
    PortfolioConstraints,
    check_feasible,
    linear_extreme,
    linear_system,
)
from chitti.compute.portfolio.covariance import check_covariance
from chitti.compute.portfolio.result import PortfolioResult, build_result
from chitti.compute.portfolio.returns import check_universe, model_expected_returns
from chitti.errors import BadRequest


def min_volatility(cov: np.ndarray, *, assets: Sequence[str],
                   expected_returns: np.ndarray | None = None,
                   constraints: PortfolioConstraints | None = None,
                   risk_free_rate: float = 0.0) -> PortfolioResult:
    """Return the minimum-volatility portfolio under ``constraints``.

    ``expected_returns`` is optional and only reported (return and Sharpe of the result).

    Raises
    ------
    BadRequest
        Fewer than 2 assets, a singular covariance (names the assets), or infeasible
        constraints (names the constraint and the value that would be feasible).
    """
    cov, mu, system = _prepare(cov, expected_returns, assets, constraints, need_mu=False)
    sol = min_variance_qp(cov, system)
    return _result("min_volatility", assets, sol, cov, mu, system, risk_free_rate)


def efficient_return(expected_returns: np.ndarray, cov: np.ndarray, *, assets: Sequence[str],
                     target_return: float, constraints: PortfolioConstraints | None = None,
                     risk_free_rate: float = 0.0) -> PortfolioResult:
    """Return the minimum-volatility portfolio whose expected return is >= ``target_return``.

    ``target_return`` is an annual fraction. Below the minimum-volatility portfolio's
    return the limit does not bind and that portfolio is returned.

    Raises
    ------
    BadRequest
        As :func:`min_volatility`, and a target above the highest return the constraints
        allow (the message gives the achievable range).
    """
    cov, mu, system = _prepare(cov, expected_returns, assets, constraints, need_mu=True)
    assert mu is not None
    target = _finite("target_return", target_return)
    best = linear_extreme(system, mu, maximise=True)
    if target > best + 1e-12 * max(1.0, abs(best)):
        low = float(mu @ min_variance_qp(cov, system).x[: len(assets)])
        raise BadRequest(f"target_return: {target:.4g} is above the highest expected return "
                         f"these constraints allow ({best:.4g}); choose a value between "
                         f"{low:.4g} (the minimum-volatility portfolio) and {best:.4g}")
    sol = Frontier(cov, system, mu, best).solve(min(target, best))
    return _result("efficient_return", assets, sol, cov, mu, system, risk_free_rate,
                   target_return=target)


def efficient_risk(expected_returns: np.ndarray, cov: np.ndarray, *, assets: Sequence[str],
                   target_volatility: float, constraints: PortfolioConstraints | None = None,
                   risk_free_rate: float = 0.0) -> PortfolioResult:
    """Return the highest-return portfolio whose volatility is <= ``target_volatility``.

    ``target_volatility`` is annual (0.2 = 20 % a year).

    Raises
    ------
    BadRequest
        As :func:`min_volatility`, and a target below the least volatility the constraints
        allow (the message gives the achievable range).
    """
    cov, mu, system = _prepare(cov, expected_returns, assets, constraints, need_mu=True)
    assert mu is not None
    target = _finite("target_volatility", target_volatility)
    n = len(assets)
    best = linear_extreme(system, mu, maximise=True)
    frontier = Frontier(cov, system, mu, best)
    low_sol = frontier.solve(None)
    low_vol = _vol(low_sol.x[:n], cov)
    high_sol = frontier.solve(best)
    high_vol = _vol(high_sol.x[:n], cov)
    if target < low_vol * (1.0 - 1e-12):
        raise BadRequest(f"target_volatility: {target:.4g} is below the least volatility "
                         f"these constraints allow ({low_vol:.4g}); choose a value between "
                         f"{low_vol:.4g} and {high_vol:.4g} (the highest-return portfolio)")
    if target >= high_vol:
        x = high_sol
    elif target <= low_vol:
        x = low_sol
    else:
        x = frontier.at_volatility(target, (float(mu @ low_sol.x[:n]), low_vol),
                                   (best, high_vol))
    return _result("efficient_risk", assets, x, cov, mu, system, risk_free_rate,
                   target_volatility=target)


def _vol(w: np.ndarray, cov: np.ndarray) -> float:
    return math.sqrt(max(float(w @ cov @ w), 0.0))


def max_sharpe(expected_returns: np.ndarray, cov: np.ndarray, *, assets: Sequence[str],
               risk_free_rate: float = 0.0,
               constraints: PortfolioConstraints | None = None) -> PortfolioResult:
    """Return the portfolio of highest Sharpe ratio ``(mu'w - rf) / sqrt(w'Σw)``.

    ``risk_free_rate`` is an annual fraction, like ``expected_returns``.

    Raises
    ------
    BadRequest
        As :func:`min_volatility`, and when no asset (or no portfolio the constraints
        allow) has an expected return above ``risk_free_rate``.
    """
    cov, mu, system = _prepare(cov, expected_returns, assets, constraints, need_mu=True)
    assert mu is not None
    rf = _finite("risk_free_rate", risk_free_rate)
    top = int(np.argmax(mu))
    if mu[top] <= rf:
        raise BadRequest(f"risk_free_rate: no asset's expected return exceeds it "
                         f"({rf:.4g}; the highest is {assets[top]} at {mu[top]:.4g}); lower "
                         "risk_free_rate or use min_volatility")
    best = linear_extreme(system, mu, maximise=True)
    if best <= rf + 1e-12:
        raise BadRequest(f"risk_free_rate: no portfolio these constraints allow has an "
                         f"expected return above it ({rf:.4g}; the highest is {best:.4g}); "
                         "lower risk_free_rate, relax the constraints or use min_volatility")
    n, nv = len(assets), system.n_vars
    excess = mu - rf
    excess = excess / float(np.max(excess))  # y is then O(1); the weights do not change
    # variables [y; t; k]: every row g'w <= h becomes g'y - h k <= 0, A w = b becomes
    # A y - b k = 0, plus k >= 0 and excess'y = 1. k stays a variable (rather than
    # sum(y)) so the bound rows keep two non-zeros: the solver's Hessian update is sparse.
    g = np.vstack((np.hstack((system.g, -system.h[:, None])), -np.eye(1, nv + 1, nv)))
    a = np.vstack((np.hstack((system.a, -system.b[:, None])),
                   np.concatenate((excess, np.zeros(nv - n + 1)))[None, :]))
    b = np.concatenate((np.zeros(system.a.shape[0]), [1.0]))
    sol = solve(scaled_objective(cov, nv + 1), np.zeros(nv + 1), a, b, g, np.zeros(g.shape[0]))
    k = float(sol.x[nv])
    if k <= 1e-12 * float(np.abs(sol.x[:n]).sum()):
        raise BadRequest("risk_free_rate: the Sharpe ratio is unbounded under these bounds "
                         "(a zero-cost long-short portfolio has positive excess return); "
                         "tighten the weight bounds")
    sol = QpSolution(x=sol.x[:nv] / k, iterations=sol.iterations, active=sol.active,
                     violation=sol.violation)
    return _result("max_sharpe", assets, sol, cov, mu, system, rf)


def _finite(name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v):
        raise BadRequest(f"{name}: must be a finite number (an annual fraction); got {value}")
    return v


def _prepare(cov: np.ndarray, expected_returns: np.ndarray | None, assets: Sequence[str],
             constraints: PortfolioConstraints | None, *, need_mu: bool
             ) -> tuple[np.ndarray, np.ndarray | None, LinearSystem]:
    check_universe(assets)
    c = check_covariance(cov, assets=assets)
    if expected_returns is None:
        if need_mu:
            raise BadRequest("expected_returns: this method needs one expected annual return "
                             "per asset")
        mu = None
    else:
        mu = model_expected_returns(expected_returns, assets=assets)
    system = linear_system(constraints, assets)
    check_feasible(system, assets)
    return c, mu, system


def _violation(w: np.ndarray, system: LinearSystem) -> float:
    worst = [abs(float(w.sum()) - 1.0), float(np.max(system.lower - w)),
             float(np.max(w - system.upper))]
    if system.sector_caps.size:
        worst.append(float(np.max(system.sector_rows @ w - system.sector_caps)))
    if system.current_weights is not None and system.max_turnover is not None:
        worst.append(float(np.abs(w - system.current_weights).sum()) - system.max_turnover)
    return max(0.0, *worst)


def _result(method: str, assets: Sequence[str], sol: QpSolution, cov: np.ndarray,
            mu: np.ndarray | None, system: LinearSystem, risk_free_rate: float,
            **targets: float) -> PortfolioResult:
    n = len(assets)
    w = np.clip(sol.x[:n], system.lower, system.upper)
    details: dict[str, str | float | int | None] = {
        "solver_iterations": sol.iterations, "solver_polished": int(sol.polished),
        "constraint_violation": _violation(w, system), **targets}
    if system.current_weights is not None:
        details["turnover"] = float(np.abs(w - system.current_weights).sum())
    return build_result(method, assets, w, cov, mu, risk_free_rate=risk_free_rate,
                        details=details)
