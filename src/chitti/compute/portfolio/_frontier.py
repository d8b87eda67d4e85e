"""The efficient frontier as a function of the target return, exactly, piece by piece.

``min w'Σw s.t. mu'w >= r`` (plus the portfolio constraints) has, between two changes of
the active set, the solution ``w(r) = w0 + r w1``: the KKT system is linear in r. One QP
solve at any r of a piece gives its active set, and from it the whole piece, so:

* :meth:`Frontier.at_volatility` finds the r whose volatility is a target as the root of a
  quadratic on the right piece (exact; a couple of QP solves, bisection as a safeguard);
* :meth:`Frontier.solve` near the highest reachable return, where the feasible set has no
  interior and an interior-point method cannot converge, solves slightly below it and
  follows the piece up to the target exactly.
"""

from __future__ import annotations

import math

import numpy as np

from chitti.compute.portfolio._qp import QpFailure, QpSolution, active_set_solution, solve_qp
from chitti.compute.portfolio.constraints import LinearSystem
from chitti.errors import Internal

#: Below the highest reachable return by these fractions of its size, the QP is solved
#: lower and the piece followed up (the feasible set has no interior at the very top).
#: If the active set changes in between, the closest solve is kept (off by at most that
#: fraction of the return); the larger gaps only if the interior point fails closer.
_TOP_GAPS = (1e-6, 1e-9, 1e-4, 1e-2)


def scaled_objective(cov: np.ndarray, n_vars: int) -> np.ndarray:
    """Return P of ½x'Px: the covariance scaled to unit mean variance, zero elsewhere.

    The argmin is the same; the solver's tolerances then mean the same for any units.
    """
    n = cov.shape[0]
    p = np.zeros((n_vars, n_vars))
    p[:n, :n] = cov / float(np.mean(np.diag(cov)))
    return p


def solve(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray, g: np.ndarray,
          h: np.ndarray) -> QpSolution:
    """Run the QP solver; its failure is a bug or a degenerate input, not a bad request."""
    try:
        return solve_qp(p, q, a, b, g, h)
    except QpFailure as exc:
        raise Internal(f"portfolio optimiser failed: {exc}") from exc


def min_variance_qp(cov: np.ndarray, system: LinearSystem, *, mu: np.ndarray | None = None,
                    target: float | None = None) -> QpSolution:
    """Solve min w'Σw under ``system`` (and ``mu'w >= target`` when given)."""
    nv, n = system.n_vars, system.n_assets
    g, h = system.g, system.h
    if target is not None and mu is not None:
        g = np.vstack((g, -np.concatenate((mu, np.zeros(nv - n)))[None, :]))
        h = np.concatenate((h, [-target]))
    return solve(scaled_objective(cov, nv), np.zeros(nv), system.a, system.b, g, h)


class Frontier:
    """The constrained efficient frontier of ``cov`` and ``mu``; ``best`` is the highest
    reachable return (from :func:`~.constraints.linear_extreme`)."""

    def __init__(self, cov: np.ndarray, system: LinearSystem, mu: np.ndarray,
                 best: float) -> None:
        self.cov, self.system, self.mu, self.best = cov, system, mu, best
        n, nv = system.n_assets, system.n_vars
        self.g = np.vstack((system.g, -np.concatenate((mu, np.zeros(nv - n)))[None, :]))

    def solve(self, target: float | None) -> QpSolution:
        """Return the minimum-variance solution with return >= ``target`` (None: no limit)."""
        if target is None:
            return min_variance_qp(self.cov, self.system)
        size = max(abs(self.best), 1e-3)
        if target < self.best - _TOP_GAPS[0] * size:
            return min_variance_qp(self.cov, self.system, mu=self.mu, target=target)
        closest: QpSolution | None = None
        for fraction in _TOP_GAPS:
            if closest is not None and fraction > _TOP_GAPS[0]:
                break  # a close solve exists: a farther one would only be less exact
            try:
                below = min_variance_qp(self.cov, self.system, mu=self.mu,
                                        target=self.best - fraction * size)
            except Internal:
                continue
            closest = below if closest is None or fraction < _TOP_GAPS[0] else closest
            piece = self._piece(below)
            exact = None if piece is None else self._point(piece, target, below)
            if exact is not None:
                return exact
        if closest is None:
            raise Internal("portfolio optimiser failed near the highest reachable return")
        return closest

    def at_volatility(self, target: float, low: tuple[float, float],
                      high: tuple[float, float]) -> QpSolution:
        """Return the frontier point whose volatility is ``target``, with ``low`` and
        ``high`` the (return, volatility) of the ends, ``low[1] < target < high[1]``."""
        # Each QP solve gives the piece through its r; the root of that piece's quadratic
        # is a Newton-like step that is exact once the piece is the right one (usually
        # after 1-3 solves); bisection keeps it safe when it is not.
        (r_lo, v_lo), (r_hi, v_hi) = low, high
        r = r_lo + (r_hi - r_lo) * (target**2 - v_lo**2) / (v_hi**2 - v_lo**2)
        sol = None
        for _ in range(100):
            sol = self.solve(r)
            vol = math.sqrt(max(float(sol.x[: self.system.n_assets] @ self.cov
                                      @ sol.x[: self.system.n_assets]), 0.0))
            if vol < target:
                r_lo = r
            else:
                r_hi = r
            piece = self._piece(sol)
            r_model = None if piece is None else _volatility_root(piece, self.cov, target)
            if r_model is not None and piece is not None:
                exact = self._point(piece, r_model, sol)
                if exact is not None:
                    return exact
            if r_hi - r_lo <= 1e-14 * max(1.0, abs(r_hi)):
                break
            r = r_model if r_model is not None and r_lo < r_model < r_hi else (r_lo + r_hi) / 2
        assert sol is not None
        return sol

    def _piece(self, sol: QpSolution) -> tuple[np.ndarray, np.ndarray] | None:
        # x(r) = x[:, 0] + r x[:, 1] and the multipliers likewise, on sol's active set,
        # provided the return row is in it
        m = self.system.g.shape[0]
        if sol.active is None or m not in sol.active:
            return None
        nv = self.system.n_vars
        h2 = np.zeros((m + 1, 2))
        h2[:m, 0] = self.system.h
        h2[m, 1] = -1.0
        b2 = np.column_stack((self.system.b, np.zeros_like(self.system.b)))
        center = np.column_stack((sol.x, np.zeros(nv)))  # free turnover slacks stay put
        return active_set_solution(scaled_objective(self.cov, nv), np.zeros((nv, 2)),
                                   self.system.a, b2, self.g, h2, sol.active, center)

    def _point(self, piece: tuple[np.ndarray, np.ndarray], r: float,
               sol: QpSolution) -> QpSolution | None:
        # the piece's solution at r if it is still optimal there (feasible, multipliers >= 0)
        x, mult = piece
        x_r = x[:, 0] + r * x[:, 1]
        h = np.concatenate((self.system.h, [-r]))
        violation = float(np.max(self.g @ x_r - h))
        if violation > 1e-12 * (1.0 + float(np.max(np.abs(h)))):
            return None
        m_r = mult[:, 0] + r * mult[:, 1]
        if m_r.size and float(m_r.min()) < -1e-9:
            return None
        return QpSolution(x=x_r, iterations=sol.iterations, active=sol.active,
                          violation=max(0.0, violation))


def _volatility_root(piece: tuple[np.ndarray, np.ndarray], cov: np.ndarray,
                     target: float) -> float | None:
    # r on the rising side of vol(w0 + r w1)² = target²
    n = cov.shape[0]
    w0, w1 = piece[0][:n, 0], piece[0][:n, 1]
    qa, qb = float(w1 @ cov @ w1), float(w0 @ cov @ w1)
    qc = float(w0 @ cov @ w0) - target**2
    disc = qb * qb - qa * qc
    if qa <= 0.0 or disc < 0.0:
        return None
    return (-qb + math.sqrt(disc)) / qa
