"""A small dense convex QP solver: a primal-dual interior point, then an active-set polish.

Solves ``min ½ x'Px + q'x  s.t.  A x = b,  G x <= h`` with P symmetric positive
semidefinite (the slack variables of an L1 turnover limit have no curvature), for the
problem sizes of a portfolio (tens to a few hundred variables), where dense LAPACK is
faster than any sparse machinery and a modelling layer costs more than the solve.

Why not ``scipy.optimize.minimize(method="SLSQP")``: its stopping rule is a change in the
objective, not optimality, so weights stall around 1e-6..1e-5 from the optimum on
ill-conditioned covariances; the interior point converges on the KKT conditions
themselves. The polish then guesses the active set (a constraint is active when its
multiplier exceeds its slack, as in OSQP), solves that equality-constrained QP exactly
and keeps the result only if it is feasible and no worse, so weights land on the
optimum to rounding error instead of to the interior point's tolerance.

The method is Mehrotra's predictor-corrector (Nocedal & Wright, *Numerical Optimization*,
2nd ed., §16.6) on the reduced KKT system ``[[P + G'WG, A'], [A, 0]]``, W = Z S^-1.
Infeasibility is not diagnosed here: the callers check feasibility first and say which
constraint to relax; a failure here is reported as :class:`QpFailure`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np


@functools.cache
def _lapack() -> Any:
    # SciPy's LAPACK wrappers, imported at the first optimisation: scipy.linalg costs every
    # compute process ~16 MB that only portfolio optimisation needs.
    from scipy.linalg import lapack

    return lapack


class QpFailure(RuntimeError):
    """The interior point did not reach the requested accuracy (a bug or a degenerate input)."""


@dataclass(frozen=True)
class QpSolution:
    """``x``, the interior-point iterations, the working set of the polish (indices of the
    ``G`` rows held as equalities; None when the polish was not accepted) and the largest
    constraint violation of ``x``."""

    x: np.ndarray
    iterations: int
    active: np.ndarray | None
    violation: float

    @property
    def polished(self) -> bool:
        return self.active is not None


#: Stop when residuals and complementarity are below this (relative); the polish then
#: lands on the optimum exactly. Past _STALL iterations without progress, the best
#: iterate is kept if it is below _TOL_FALLBACK.
_TOL = 1e-11
_TOL_FALLBACK = 1e-7
_STALL = 6
_MAX_ITER = 100
_STEP = 0.995
_POLISH_STEPS = 8


def solve_qp(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray,
             g: np.ndarray, h: np.ndarray) -> QpSolution:
    """Solve ``min ½x'Px + q'x s.t. A x = b, G x <= h`` (feasible, P >= 0); see the module.

    Raises :class:`QpFailure` when the interior point stalls above ``_TOL_FALLBACK``.
    """
    if g.shape[0] == 0:
        x = equality_qp(p, a, -q, b, np.zeros(q.shape[0]))[0]
        return QpSolution(x=x, iterations=0, active=np.zeros(0, dtype=np.int64),
                          violation=_inf_norm(a @ x - b) if a.shape[0] else 0.0)
    x, s, z, iterations = _interior_point(p, q, a, b, g, h)
    polished = _polish(p, q, a, b, g, h, x, s, z)
    active = None
    if polished is not None:
        x, active = polished
    residual = max(_inf_norm(a @ x - b) if a.shape[0] else 0.0,
                   float(max(np.max(g @ x - h), 0.0)))
    return QpSolution(x=x, iterations=iterations, active=active, violation=residual)


def _inf_norm(v: np.ndarray) -> float:
    return float(np.max(np.abs(v))) if v.size else 0.0


def _interior_point(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray,
                    g: np.ndarray, h: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    n, n_eq, m = q.shape[0], a.shape[0], g.shape[0]
    hessian = _Hessian(p, g)
    x, s, z, y = _start(hessian, q, a, b, g, h)
    scale_d = 1.0 + max(_inf_norm(q), _inf_norm(p))
    scale_p = 1.0 + max(_inf_norm(b), _inf_norm(h))
    kkt = np.zeros((n + n_eq, n + n_eq))
    kkt[:n, n:] = a.T
    kkt[n:, :n] = a
    best = (np.inf, x, s, z, 0)
    for iteration in range(1, _MAX_ITER + 1):
        r_dual = p @ x + q + a.T @ y + g.T @ z
        r_eq = a @ x - b
        r_ineq = g @ x + s - h
        mu = float(s @ z) / m
        infeasibility = max(_inf_norm(r_dual) / scale_d, _inf_norm(r_eq) / scale_p,
                            _inf_norm(r_ineq) / scale_p)
        merit = max(infeasibility, 10.0 * mu / scale_d)
        if merit < best[0]:
            best = (merit, x, s, z, iteration - 1)
        if merit <= _TOL:
            return x, s, z, iteration - 1
        if iteration - 1 - best[4] >= _STALL and best[0] <= _TOL_FALLBACK:
            # W = Z/S spans ~1e±20 near the end and the reduced system loses the dual
            # residual: keep the best iterate, which is plenty for the polish
            break
        w = z / s
        kkt[:n, :n] = hessian(w)
        lu, piv, info = _lapack().dgetrf(kkt)
        if info != 0:
            break
        residuals = (r_dual, r_eq, r_ineq)
        dx, dy, ds, dz = _direction(lu, piv, g, s, z, residuals, -s * z)
        alpha = _max_step(s, ds, z, dz)
        mu_aff = float((s + alpha * ds) @ (z + alpha * dz)) / m
        sigma = (mu_aff / mu) ** 3 if mu > 0 else 0.0
        dx, dy, ds, dz = _direction(lu, piv, g, s, z, residuals,
                                    -s * z - ds * dz + sigma * mu)
        alpha = min(1.0, _STEP * _max_step(s, ds, z, dz))
        if infeasibility <= 0.01 * mu / scale_d:  # feasible enough: now the gap must fall
            alpha = _shortened_step(alpha, s, ds, z, dz, mu)
        x, y = x + alpha * dx, y + alpha * dy
        s, z = s + alpha * ds, z + alpha * dz
        if not (np.all(np.isfinite(x)) and np.all(s > 0) and np.all(z > 0)):
            break
    merit, x, s, z, iterations = best
    if merit <= _TOL_FALLBACK:
        return x, s, z, iterations
    raise QpFailure(f"no convergence in {iterations} iterations (residual {merit:.1e})")


class _Hessian:
    """``P + G' diag(w) G`` without a dense matrix product per iteration.

    Most rows of G have one to three non-zeros (weight bounds, turnover rows); their terms
    are scattered into the matrix with one ``bincount``. Only the few dense rows (sector
    caps, the return target, the turnover total) go through a small product. Besides
    being cheaper, this keeps BLAS from spreading a tiny product over threads, which on
    a busy machine cost 10x (measured).
    """

    def __init__(self, p: np.ndarray, g: np.ndarray) -> None:
        n = g.shape[1]
        self.p = p
        nnz = (g != 0).sum(axis=1)
        sparse = np.flatnonzero(nnz <= 3)
        self.dense = g[nnz > 3]
        self.dense_rows = np.flatnonzero(nnz > 3)
        # every pair of non-zeros (i, j) of a sparse row r adds w_r g_ri g_rj to H_ij; the
        # non-zeros come row by row, so a row's pairs are at most 2 positions apart
        r, c = np.nonzero(g[sparse])
        v = g[sparse][r, c]
        k = np.arange(r.size)
        pair_rows, flat, coef = [], [], []
        for shift in range(-2, 3):
            k2 = k + shift
            ok = (k2 >= 0) & (k2 < r.size)
            ok[ok] = r[k2[ok]] == r[k[ok]]
            pair_rows.append(sparse[r[ok]])
            flat.append(c[ok] * n + c[k2[ok]])
            coef.append(v[ok] * v[k2[ok]])
        self.rows = np.concatenate(pair_rows)
        self.flat = np.concatenate(flat)
        self.coef = np.concatenate(coef)
        self.size = n * n
        self.n = n

    def __call__(self, w: np.ndarray) -> np.ndarray:
        h = np.bincount(self.flat, weights=w[self.rows] * self.coef, minlength=self.size)
        out = self.p + h.reshape(self.n, self.n)
        for k, r in enumerate(self.dense_rows):
            row = self.dense[k]
            out += w[r] * np.outer(row, row)
        return out


def _direction(lu: np.ndarray, piv: np.ndarray, g: np.ndarray, s: np.ndarray,
               z: np.ndarray, residuals: tuple[np.ndarray, np.ndarray, np.ndarray],
               r_comp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # The Newton direction with Z ds + S dz = r_comp, ds eliminated through
    # G dx + ds = -r_ineq and dz through the complementarity row.
    r_dual, r_eq, r_ineq = residuals
    n = g.shape[1]
    t = (r_comp + z * r_ineq) / s
    sol = _lapack().dgetrs(lu, piv, np.concatenate((-r_dual - g.T @ t, -r_eq)))[0]
    dx, dy = sol[:n], sol[n:]
    gdx = g @ dx
    return dx, dy, -r_ineq - gdx, t + (z / s) * gdx


def _start(hessian: _Hessian, q: np.ndarray, a: np.ndarray, b: np.ndarray, g: np.ndarray,
           h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # CVXOPT's starting point: x minimises ½x'Px + q'x + ½||Gx - h||² on Ax = b; the slack
    # and multiplier then start from h - Gx shifted into the positive orthant.
    n, n_eq = q.shape[0], a.shape[0]
    kkt = np.zeros((n + n_eq, n + n_eq))
    kkt[:n, :n] = hessian(np.ones(g.shape[0]))
    kkt[:n, n:] = a.T
    kkt[n:, :n] = a
    sol = _solve_kkt(kkt, np.concatenate((-q + g.T @ h, b)))
    x, y = sol[:n], sol[n:]
    s = h - g @ x
    z = -s.copy()
    s = s + max(0.0, 1.0 - float(s.min()))
    z = z + max(0.0, 1.0 - float(z.min()))
    return x, s, z, y


def _lu(kkt: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    lu, piv, info = _lapack().dgetrf(kkt)
    diag = np.abs(np.diag(lu))
    if info != 0 or diag.min() <= 1e-13 * diag.max():
        return None
    return lu, piv


def _solve_kkt(kkt: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    # LU with one step of iterative refinement (the matrix mixes covariances ~1e-2 and
    # ones); least squares if it is singular, which a caller that cares avoids
    factors = _lu(kkt)
    if factors is None:
        return np.asarray(np.linalg.lstsq(kkt, rhs, rcond=None)[0])
    lu, piv = factors
    sol = _lapack().dgetrs(lu, piv, rhs)[0]
    return np.asarray(sol + _lapack().dgetrs(lu, piv, rhs - kkt @ sol)[0])


def equality_qp(p: np.ndarray, rows: np.ndarray, rhs_x: np.ndarray, rhs_rows: np.ndarray,
                center: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Solve ``min ½x'Px - rhs_x'x s.t. rows x = rhs_rows`` (one or several right-hand sides).

    Returns ``(x, multipliers, unique)``; the multipliers follow the sign convention
    ``P x - rhs_x + rows' m = 0``, so an active ``g'x <= h`` row has ``m >= 0`` at an
    optimum. When the solution is not unique (a variable with no curvature and no row
    pinning it: a turnover slack while the limit does not bind), proximal-point
    iterations ``min f(x) + δ/2 ||x - x_k||²`` from ``x_0 = center`` return the solution
    that keeps those variables at ``center``, and ``unique`` is False.
    """
    n, k = p.shape[0], rows.shape[0]
    kkt = np.zeros((n + k, n + k))
    kkt[:n, :n] = p
    kkt[:n, n:] = rows.T
    kkt[n:, :n] = rows
    columns = rhs_x.reshape(n, -1)
    rhs = np.concatenate((columns, rhs_rows.reshape(k, -1)))
    factors = _lu(kkt)
    if factors is not None:
        lu, piv = factors
        sol = np.column_stack([_lapack().dgetrs(lu, piv, rhs[:, j])[0]
                               for j in range(rhs.shape[1])])
        sol = sol + np.column_stack([_lapack().dgetrs(lu, piv, rhs[:, j] - kkt @ sol[:, j])[0]
                                     for j in range(rhs.shape[1])])
        return (*_shaped(sol, n, rhs_x.ndim), True)
    delta = 1e-8 * max(1.0, float(np.max(np.abs(np.diag(p)))))
    kkt[:n, :n] += delta * np.eye(n)
    prox = _lu(kkt)
    if prox is None:  # dependent rows: the caller drops them first, so this is defensive
        return (*_shaped(np.linalg.lstsq(kkt, rhs, rcond=None)[0], n, rhs_x.ndim), False)
    lu, piv = prox
    x = center.reshape(n, -1).copy()
    sol = rhs
    for _ in range(60):
        step = rhs.copy()
        step[:n] += delta * x
        sol = np.column_stack([_lapack().dgetrs(lu, piv, step[:, j])[0]
                               for j in range(rhs.shape[1])])
        moved = float(np.max(np.abs(sol[:n] - x)))
        x = sol[:n]
        if moved <= 1e-15 * (1.0 + float(np.max(np.abs(x)))):
            break
    return (*_shaped(sol, n, rhs_x.ndim), False)


def _shaped(sol: np.ndarray, n: int, ndim: int) -> tuple[np.ndarray, np.ndarray]:
    # split a stacked KKT solution into (x, multipliers), one column per right-hand side
    if ndim == 1:
        return sol[:n, 0], sol[n:, 0]
    return sol[:n], sol[n:]


def independent_rows(rows: np.ndarray) -> np.ndarray:
    """Return the indices of a maximal set of independent rows, earliest rows first.

    Householder QR of ``rows'`` in the given order: ``|R_jj|`` is the distance of row j from
    the span of the rows before it, so a row with a tiny ``R_jj`` is redundant.
    """
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    r = np.linalg.qr(rows.T, mode="r")
    k = min(rows.shape)
    diag = np.abs(np.diag(r))[:k]
    norms = np.linalg.norm(rows, axis=1)[:k]
    keep = np.flatnonzero(diag > 1e-10 * np.maximum(norms, 1e-300))
    if rows.shape[0] > k:
        return keep if keep.size == k else _independent_slow(rows)
    return keep


def _independent_slow(rows: np.ndarray) -> np.ndarray:
    # more rows than columns and a dependency among the first ones: Gram-Schmidt (twice,
    # for stability) in the given order
    basis = np.zeros((rows.shape[1], 0))
    keep: list[int] = []
    for j, row in enumerate(rows):
        v = row - basis @ (basis.T @ row)
        v = v - basis @ (basis.T @ v)
        norm = float(np.linalg.norm(v))
        if norm > 1e-10 * max(float(np.linalg.norm(row)), 1e-300):
            basis = np.column_stack((basis, v / norm))
            keep.append(j)
            if len(keep) == rows.shape[1]:
                break
    return np.asarray(keep, dtype=np.int64)


def _shortened_step(alpha: float, s: np.ndarray, ds: np.ndarray, z: np.ndarray,
                    dz: np.ndarray, mu: float) -> float:
    # Once the residuals are below the gap, shorten the step until the complementarity gap
    # falls by at least 1 % of the step: for a QP the gap also grows with the step's
    # curvature (ds'dz = dx'P dx), and without this Mehrotra's method can cycle between
    # two faces (seen on a 4-asset max-Sharpe problem with a binding sector cap)
    m = s.shape[0]
    c0, c1, c2 = float(s @ z) / m, float(s @ dz + z @ ds) / m, float(ds @ dz) / m
    while c0 + alpha * c1 + alpha * alpha * c2 > (1.0 - 0.01 * alpha) * mu and alpha > 1e-10:
        alpha *= 0.7
    return alpha


def _max_step(s: np.ndarray, ds: np.ndarray, z: np.ndarray, dz: np.ndarray) -> float:
    alpha = 1.0
    neg = ds < 0
    if neg.any():
        alpha = min(alpha, float(np.min(-s[neg] / ds[neg])))
    neg = dz < 0
    if neg.any():
        alpha = min(alpha, float(np.min(-z[neg] / dz[neg])))
    return alpha


def _polish(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray, g: np.ndarray,
            h: np.ndarray, x: np.ndarray, s: np.ndarray, z: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray] | None:
    # The first guess of the working set: the inequalities whose multiplier exceeds their
    # slack, largest multiplier first. A constraint at a degenerate optimum (weight 0 with
    # multiplier 0) can be guessed wrong, so a few active-set corrections follow: add the
    # most violated row, or drop the row with the most negative multiplier, and re-solve.
    scale = 1.0 + max(_inf_norm(h), _inf_norm(b))
    priority = z / s
    guess = np.flatnonzero(z > s)
    f_old = 0.5 * x @ p @ x + q @ x
    for _ in range(_POLISH_STEPS):
        guess = guess[np.argsort(-priority[guess], kind="stable")]
        active, degenerate = working_set(a, g, guess)
        x_new, ineq_mult = active_set_solution(p, q, a, b, g, h, active, x)
        if a.shape[0] and _inf_norm(a @ x_new - b) > 1e-12 * scale:
            return None
        violation = g @ x_new - h
        worst = int(np.argmax(violation))
        if violation[worst] > 1e-12 * scale:
            if worst in guess:
                return None
            guess = np.append(guess, worst)
            priority[worst] = np.inf  # the row must hold: keep it ahead of the others
            continue
        if not degenerate and ineq_mult.size and ineq_mult.min() < -1e-9:
            guess = guess[guess != active[int(np.argmin(ineq_mult))]]
            continue
        f_new = 0.5 * x_new @ p @ x_new + q @ x_new
        if f_new > f_old + 1e-12 * (1.0 + abs(f_old)):
            return None
        return np.asarray(x_new), np.sort(active)
    return None


def working_set(a: np.ndarray, g: np.ndarray, candidates: np.ndarray
                ) -> tuple[np.ndarray, bool]:
    """Return the rows of ``g`` (from ``candidates``, in priority order) to hold as equalities.

    Rows with one non-zero (bounds) fix their variable; the first one per variable wins.
    The other rows are kept if independent of the equalities and of the rows before them
    on the free variables. ``degenerate`` says an equality row turned out dependent (all
    its variables fixed): the multipliers are then not unique.
    """
    nnz = (g[candidates] != 0).sum(axis=1)
    single = candidates[nnz == 1]
    columns = np.argmax(np.abs(g[single]), axis=1)
    _, first = np.unique(columns, return_index=True)
    fixed_rows = single[np.sort(first)]
    free = np.ones(g.shape[1], dtype=bool)
    free[np.argmax(np.abs(g[fixed_rows]), axis=1)] = False
    multi = candidates[nnz > 1]
    n_eq = a.shape[0]
    keep = independent_rows(np.vstack((a, g[multi]))[:, free])
    degenerate = int(np.sum(keep < n_eq)) < n_eq
    return np.concatenate((fixed_rows, multi[keep[keep >= n_eq] - n_eq])), degenerate


def active_set_solution(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray,
                        g: np.ndarray, h: np.ndarray, active: np.ndarray, center: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Solve the QP with ``A x = b`` and ``G[active] x = h[active]`` held as equalities.

    Rows of one non-zero fix their variable and leave the system (so a vertex with many
    weights at a bound solves a small one); the rest is :func:`equality_qp`. ``q``, ``b``
    and ``h`` may have several columns (one solution each). Returns ``x`` and the
    multipliers of the ``active`` rows (>= 0 at an optimum); equality rows that depend on
    the others are dropped (their multiplier is taken as 0).
    """
    n, cols = g.shape[1], (1 if q.ndim == 1 else q.shape[1])
    q2, b2, h2 = q.reshape(n, cols), b.reshape(-1, cols), h.reshape(-1, cols)
    rows = g[active]
    single = (rows != 0).sum(axis=1) == 1
    fixed_col = np.argmax(np.abs(rows[single]), axis=1)
    coef = rows[single, fixed_col]
    free = np.ones(n, dtype=bool)
    free[fixed_col] = False
    x = np.zeros((n, cols))
    x[fixed_col] = h2[active[single]] / coef[:, None]
    others = np.vstack((a, rows[~single]))
    rhs = np.vstack((b2, h2[active[~single]])) - others[:, fixed_col] @ x[fixed_col]
    keep = independent_rows(others[:, free]) if free.any() else np.zeros(0, dtype=np.int64)
    mult = np.zeros((others.shape[0], cols))
    if free.any():
        x_free, m_keep, _ = equality_qp(
            p[np.ix_(free, free)], others[np.ix_(keep, free)],
            -(q2[free] + p[np.ix_(free, fixed_col)] @ x[fixed_col]), rhs[keep],
            center.reshape(n, -1)[free] if center.size == n * cols else
            np.zeros((int(free.sum()), cols)))
        x[free] = x_free.reshape(-1, cols)
        mult[keep] = m_keep.reshape(-1, cols)
    # a fixed variable's multiplier closes its stationarity row: (Px + q + R'm)_j + c z = 0
    grad = p @ x + q2 + others.T @ mult
    ineq = np.zeros((active.size, cols))
    ineq[single] = -grad[fixed_col] / coef[:, None]
    ineq[~single] = mult[a.shape[0]:]
    if q.ndim == 1:
        return x[:, 0], ineq[:, 0]
    return x, ineq
