"""Oracles for the optimiser tests: PyPortfolioOpt, cvxpy and a KKT check written here.

A test states its problem once (:class:`Problem`); the oracles build PyPortfolioOpt's
``EfficientFrontier`` (or a cvxpy model) from it, and ours builds
:class:`PortfolioConstraints`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
from pypfopt import EfficientFrontier
from scipy.optimize import lsq_linear

from chitti.compute.portfolio import PortfolioConstraints

#: Clarabel at tight tolerances for the second-order-cone problem (efficient_risk) and for
#: turnover limits (OSQP, PyPortfolioOpt's default, stops 1e-5..1e-3 from the optimum once
#: the L1 norm is in: its answers have a lower variance than the optimum because they
#: break a constraint by ~1e-5); other quadratic programs use OSQP, exact once polished.
TIGHT_CLARABEL = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12,
                  "tol_ktratio": 1e-10}


@dataclass(frozen=True)
class Problem:
    assets: Sequence[str]
    mu: np.ndarray
    cov: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    sectors: Sequence[str] | None = None
    caps: dict[str, float] = field(default_factory=dict)
    w0: np.ndarray | None = None
    max_turnover: float | None = None
    risk_free_rate: float = 0.0

    def constraints(self) -> PortfolioConstraints:
        bounds = list(zip(self.lower.tolist(), self.upper.tolist(), strict=True))
        return PortfolioConstraints(weight_bounds=bounds, sectors=self.sectors,
                                    sector_caps=self.caps, current_weights=self.w0,
                                    max_turnover=self.max_turnover)

    def frontier(self, *, solver: str | None = None,
                 options: dict[str, float] | None = None) -> EfficientFrontier:
        bounds = list(zip(self.lower.tolist(), self.upper.tolist(), strict=True))
        ef = EfficientFrontier(self.mu, self.cov, weight_bounds=bounds, solver=solver,
                               solver_options=options)
        if self.caps:
            assert self.sectors is not None
            ef.add_sector_constraints(dict(zip(range(len(self.assets)), self.sectors,
                                               strict=True)), {}, self.caps)
        if self.max_turnover is not None:
            w0, limit = self.w0, self.max_turnover
            ef.add_constraint(lambda w: cp.norm(w - w0, 1) <= limit)
        return ef

    def sector_rows(self) -> list[np.ndarray]:
        assert self.sectors is not None or not self.caps
        return [np.array([s == name for s in (self.sectors or ())], dtype=float)
                for name in self.caps]


def pypfopt_weights(problem: Problem, method: str, target: float | None = None) -> np.ndarray:
    """Solve ``problem`` with PyPortfolioOpt's EfficientFrontier method of that name."""
    if method == "efficient_risk":
        ef = problem.frontier(solver="CLARABEL", options=TIGHT_CLARABEL)
        ef.efficient_risk(target)
    else:
        ef = (problem.frontier() if problem.max_turnover is None
              else problem.frontier(solver="CLARABEL", options=TIGHT_CLARABEL))
        if method == "max_sharpe":
            ef.max_sharpe(risk_free_rate=problem.risk_free_rate)
        elif method == "min_volatility":
            ef.min_volatility()
        else:
            ef.efficient_return(target)
    assert ef.weights is not None
    return np.asarray(ef.weights, dtype=float)


def cvxpy_max_sharpe(problem: Problem) -> np.ndarray:
    """Max Sharpe with every constraint homogenised correctly, written directly in cvxpy.

    PyPortfolioOpt's ``max_sharpe`` rescales ``lhs <= rhs`` to ``lhs <= rhs * k``, which is
    right for rows linear in w but not for ``||w - w0||_1 <= L``: that must become
    ``||y - w0 k||_1 <= L k``. This transcription of Cornuejols-Tütüncü does it.
    """
    n = len(problem.assets)
    y, k = cp.Variable(n), cp.Variable()
    cons = [(problem.mu - problem.risk_free_rate) @ y == 1, cp.sum(y) == k, k >= 0,
            y >= problem.lower * k, y <= problem.upper * k]
    for row, cap in zip(problem.sector_rows(), problem.caps.values(), strict=True):
        cons.append(row @ y <= cap * k)
    if problem.max_turnover is not None:
        cons.append(cp.norm(y - problem.w0 * k, 1) <= problem.max_turnover * k)
    cp.Problem(cp.Minimize(cp.quad_form(y, cp.psd_wrap(problem.cov))), cons).solve(
        solver="CLARABEL", **TIGHT_CLARABEL)
    return np.asarray(y.value / k.value, dtype=float)


def kkt_residual(problem: Problem, method: str, w: np.ndarray,
                 target: float | None = None) -> float:
    """Return the relative residual of the KKT conditions of ``method`` at ``w``.

    Stationarity ``∇f + λ·1 + Σ z_j g_j = 0`` with ``z >= 0`` over the constraints active at
    ``w`` (bounds, sector caps, the return or variance target), the multipliers fitted by
    bounded least squares: ~1e-8 or less at an optimum, O(1) anywhere else. Written from
    the definitions, independent of the optimiser (no turnover: it is not differentiable).
    """
    assert problem.max_turnover is None
    mu, cov = problem.mu, problem.cov
    if method == "max_sharpe":
        vol = float(np.sqrt(w @ cov @ w))
        excess = float(mu @ w) - problem.risk_free_rate
        grad = -(mu / vol - excess * (cov @ w) / vol**3)
        scale = float(np.linalg.norm(mu)) / vol   # the gradient itself is 0 when no row binds
    elif method == "efficient_risk":
        grad = -mu
    else:
        grad = 2.0 * cov @ w
    if method != "max_sharpe":
        scale = float(np.linalg.norm(grad))
    rows: list[np.ndarray] = []
    tol = 1e-9
    for i in range(len(w)):
        if w[i] <= problem.lower[i] + tol:
            rows.append(-np.eye(len(w))[i])
        if w[i] >= problem.upper[i] - tol:
            rows.append(np.eye(len(w))[i])
    for row, cap in zip(problem.sector_rows(), problem.caps.values(), strict=True):
        if row @ w >= cap - tol:
            rows.append(row)
    if method == "efficient_return" and target is not None and mu @ w <= target + tol:
        rows.append(-mu)
    if method == "efficient_risk" and target is not None:
        rows.append(2.0 * cov @ w)              # the variance limit binds at the optimum
    columns = np.column_stack([np.ones(len(w)), *rows]) if rows else np.ones((len(w), 1))
    lower = np.r_[-np.inf, np.zeros(len(rows))]
    fit = lsq_linear(columns, -grad, bounds=(lower, np.full(len(rows) + 1, np.inf)),
                     tol=1e-14, lsmr_tol="auto")
    return float(np.linalg.norm(columns @ fit.x + grad) / scale)
