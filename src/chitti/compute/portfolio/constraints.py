"""Portfolio constraints: weight bounds, sector caps and a turnover limit, as linear rows.

:class:`PortfolioConstraints` is what a caller states; :func:`linear_system` turns it into
``A x = b, G x <= h`` over ``x = [w; t]``, where ``t`` (only with a turnover limit) are slack
variables with ``|w_i - w0_i| <= t_i`` and ``sum(t) <= max_turnover``: the usual exact
linearisation of an L1 limit. Weights always sum to 1.

Infeasible constraints are refused before any solver runs, with the number that makes them
infeasible and what to change (:func:`check_feasible`): the bounds and caps are disjoint
per sector, so their feasibility has a closed form; only a turnover limit needs an LP
(the least turnover that meets the other constraints, solved with HiGHS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from chitti.errors import BadRequest

#: Slack allowed when comparing sums of bounds with 1 (bounds typed as 0.1 x 10 sum to
#: 0.9999999999999999).
_EPS = 1e-9
#: HiGHS at tight tolerances: the highest reachable return bounds the frontier, and the
#: default 1e-7 feasibility slack could put it above what the QP can reach.
_HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True, kw_only=True)
class PortfolioConstraints:
    """Constraints on the weights of a fully invested portfolio (weights sum to 1).

    Parameters
    ----------
    weight_bounds
        ``(lower, upper)`` for every asset, or one pair per asset, as fractions of the
        portfolio. The default ``(0, 1)`` is long-only; a negative lower bound allows
        shorting (mean-variance methods only).
    sectors
        One sector name per asset (from ``md.symbols``); needed with ``sector_caps``.
    sector_caps
        ``{sector: max_weight}``; the weights of a sector's assets sum to at most this.
    current_weights
        Today's weights, one per asset (need not sum to 1: the rest is cash); needed with
        ``max_turnover``.
    max_turnover
        Upper limit on ``sum(|w - current_weights|)`` (two-sided: selling 10 % of one
        stock to buy another is 0.2).
    """

    weight_bounds: tuple[float, float] | Sequence[tuple[float, float]] = (0.0, 1.0)
    sectors: Sequence[str] | None = None
    sector_caps: Mapping[str, float] = field(default_factory=dict)
    current_weights: Sequence[float] | np.ndarray | None = None
    max_turnover: float | None = None

    @property
    def is_default(self) -> bool:
        """True for plain long-only weights with no caps and no turnover limit."""
        return (not self.sector_caps and self.max_turnover is None
                and _is_pair(self.weight_bounds)
                and tuple(map(float, self.weight_bounds)) == (0.0, 1.0))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LinearSystem:
    """``A x = b``, ``G x <= h`` over ``x = [w; t]`` (``t`` only with a turnover limit).

    ``lower``/``upper`` are the per-asset bounds; ``sector_rows`` the 0/1 row of each capped
    sector, ``sector_names`` its name and ``sector_caps`` its cap, in the same order.
    """

    n_assets: int
    n_vars: int
    a: np.ndarray
    b: np.ndarray
    g: np.ndarray
    h: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    sector_names: tuple[str, ...]
    sector_rows: np.ndarray
    sector_caps: np.ndarray
    current_weights: np.ndarray | None
    max_turnover: float | None


def _is_pair(bounds: object) -> bool:
    return (isinstance(bounds, (tuple, list)) and len(bounds) == 2
            and all(isinstance(v, (int, float)) for v in bounds))


def _bounds(constraints: PortfolioConstraints, assets: Sequence[str]
            ) -> tuple[np.ndarray, np.ndarray]:
    n = len(assets)
    wb = constraints.weight_bounds
    if _is_pair(wb):
        lo_hi = np.tile(np.asarray(wb, dtype=np.float64), (n, 1))
    else:
        lo_hi = np.asarray(wb, dtype=np.float64)
        if lo_hi.shape != (n, 2):
            raise BadRequest(f"weight_bounds: give one (lower, upper) pair or one pair per "
                             f"asset ({n}); got shape {lo_hi.shape}")
    lower, upper = lo_hi[:, 0].copy(), lo_hi[:, 1].copy()
    if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))):
        raise BadRequest("weight_bounds: bounds must be finite numbers (use -1 and 1 for "
                         "'no limit' with shorting, 0 and 1 long-only)")
    bad = np.flatnonzero(lower > upper)
    if bad.size:
        i = int(bad[0])
        raise BadRequest(f"weight_bounds: {assets[i]} has lower bound {lower[i]:g} above its "
                         f"upper bound {upper[i]:g}; swap or fix them")
    return lower, upper


def _sectors(constraints: PortfolioConstraints, assets: Sequence[str]
             ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    n = len(assets)
    caps = dict(constraints.sector_caps)
    if not caps:
        return (), np.zeros((0, n)), np.zeros(0)
    if constraints.sectors is None or len(constraints.sectors) != n:
        got = "none" if constraints.sectors is None else str(len(constraints.sectors))
        raise BadRequest(f"sectors: sector_caps need one sector per asset ({n}); got {got}")
    sector_of = [str(s) for s in constraints.sectors]
    names = tuple(sorted(caps))
    rows = np.zeros((len(names), n))
    for k, name in enumerate(names):
        members = [i for i, s in enumerate(sector_of) if s == name]
        if not members:
            known = ", ".join(sorted(set(sector_of)))
            raise BadRequest(f"sector_caps: no asset is in sector {name!r}; the assets' "
                             f"sectors are: {known}")
        cap = float(caps[name])
        if not math.isfinite(cap) or cap < 0:
            raise BadRequest(f"sector_caps: the cap of {name!r} must be a fraction >= 0; "
                             f"got {cap}")
        rows[k, members] = 1.0
    return names, rows, np.asarray([float(caps[s]) for s in names])


def _turnover(constraints: PortfolioConstraints, n: int) -> tuple[np.ndarray | None,
                                                                   float | None]:
    limit = constraints.max_turnover
    if limit is None:
        return None, None
    if not math.isfinite(limit) or limit < 0:
        raise BadRequest(f"max_turnover: must be a fraction >= 0 (sum of |weight changes|); "
                         f"got {limit}")
    if constraints.current_weights is None:
        raise BadRequest("current_weights: max_turnover needs today's weights, one per asset")
    w0 = np.asarray(constraints.current_weights, dtype=np.float64)
    if w0.shape != (n,) or not np.all(np.isfinite(w0)):
        raise BadRequest(f"current_weights: need {n} finite numbers, one per asset; "
                         f"got shape {w0.shape}")
    return w0, float(limit)


def linear_system(constraints: PortfolioConstraints | None, assets: Sequence[str]
                  ) -> LinearSystem:
    """Validate ``constraints`` for ``assets`` and return them as linear rows.

    Raises
    ------
    BadRequest
        On malformed input (wrong lengths, a sector cap naming no asset, lower > upper);
        infeasibility is checked separately by :func:`check_feasible`.
    """
    c = constraints or PortfolioConstraints()
    n = len(assets)
    lower, upper = _bounds(c, assets)
    names, rows, caps = _sectors(c, assets)
    w0, limit = _turnover(c, n)
    n_t = n if limit is not None else 0
    nv = n + n_t
    eye = np.eye(n)
    g_blocks = [np.hstack((-eye, np.zeros((n, n_t)))), np.hstack((eye, np.zeros((n, n_t))))]
    h_blocks = [-lower, upper]
    if rows.shape[0]:
        g_blocks.append(np.hstack((rows, np.zeros((rows.shape[0], n_t)))))
        h_blocks.append(caps)
    if limit is not None and w0 is not None:
        g_blocks += [np.hstack((eye, -eye)), np.hstack((-eye, -eye)),
                     np.concatenate((np.zeros(n), np.ones(n)))[None, :]]
        h_blocks += [w0, -w0, np.asarray([limit])]
    a = np.concatenate((np.ones(n), np.zeros(n_t)))[None, :]
    return LinearSystem(n_assets=n, n_vars=nv, a=a, b=np.ones(1), g=np.vstack(g_blocks),
                        h=np.concatenate(h_blocks), lower=lower, upper=upper,
                        sector_names=names, sector_rows=rows, sector_caps=caps,
                        current_weights=w0, max_turnover=limit)


def check_feasible(system: LinearSystem, assets: Sequence[str]) -> None:
    """Raise :class:`BadRequest` naming the constraint to relax if no weights satisfy all.

    Bounds and caps are checked in closed form (sectors are disjoint, so the largest
    possible total is the sum over sectors of min(cap, sum of upper bounds)); a turnover
    limit is compared with the least turnover that meets the other constraints (an LP).
    """
    lo_sum, hi_sum = float(system.lower.sum()), float(system.upper.sum())
    if lo_sum > 1.0 + _EPS:
        raise BadRequest(f"weight_bounds: the lower bounds sum to {lo_sum:.4g} > 1, so the "
                         "weights cannot sum to 1; lower them")
    if hi_sum < 1.0 - _EPS:
        raise BadRequest(f"weight_bounds: the upper bounds sum to {hi_sum:.4g} < 1, so the "
                         f"weights cannot sum to 1; raise them (with {len(assets)} assets an "
                         f"upper bound of at least {1.0 / len(assets):.4g} each)")
    rows, caps = system.sector_rows, system.sector_caps
    for k, name in enumerate(system.sector_names):
        floor = float(rows[k] @ system.lower)
        if floor > caps[k] + _EPS:
            raise BadRequest(f"sector_caps: {name!r} is capped at {caps[k]:.4g} but the lower "
                             f"bounds of its assets sum to {floor:.4g}; raise the cap or "
                             "lower those bounds")
    capped = rows.sum(axis=0) > 0
    most = float(np.minimum(caps, rows @ system.upper).sum() + system.upper[~capped].sum())
    if most < 1.0 - _EPS:
        raise BadRequest(f"sector_caps: with these caps and upper bounds the weights can sum "
                         f"to at most {most:.4g} < 1; raise a cap or add assets from "
                         "other sectors")
    if system.max_turnover is not None:
        need = least_turnover(system)
        if need > system.max_turnover + _EPS:
            raise BadRequest(f"max_turnover: {system.max_turnover:.4g} is too small; meeting "
                             f"the bounds and sector caps from current_weights needs a "
                             f"turnover of at least {need:.4g}; raise max_turnover or relax "
                             "the bounds/caps")


def least_turnover(system: LinearSystem) -> float:
    """Return the smallest ``sum(|w - current_weights|)`` that meets bounds and caps."""
    n = system.n_assets
    keep = slice(0, system.g.shape[0] - 1)  # every row but the turnover limit itself
    objective = np.concatenate((np.zeros(n), np.ones(n)))
    from scipy.optimize import linprog  # lazily: ~21 MB only optimisation needs

    res = linprog(objective, A_ub=system.g[keep], b_ub=system.h[keep], A_eq=system.a,
                  b_eq=system.b, bounds=(None, None), method="highs", options=_HIGHS)
    if res.status != 0:
        raise BadRequest("constraints: the weight bounds and sector caps cannot all hold at "
                         "once; relax one")
    return float(res.fun)


def linear_extreme(system: LinearSystem, mu: np.ndarray, *, maximise: bool) -> float:
    """Return the largest (or smallest) ``mu'w`` over the constrained weights.

    Without a turnover limit the feasible set is a polymatroid base (bounds and disjoint
    sector caps form a laminar family), so filling the best assets first is optimal
    (Edmonds' greedy); with one it is an LP, solved by HiGHS.
    """
    if system.max_turnover is None:
        w = _greedy_fill(system, mu if maximise else -mu)
        return float(mu @ w)
    c = np.concatenate((mu, np.zeros(system.n_vars - system.n_assets)))
    from scipy.optimize import linprog  # lazily: ~21 MB only optimisation needs

    res = linprog(-c if maximise else c, A_ub=system.g, b_ub=system.h, A_eq=system.a,
                  b_eq=system.b, bounds=(None, None), method="highs", options=_HIGHS)
    if res.status != 0:  # pragma: no cover - check_feasible runs first
        raise BadRequest("constraints: the weight bounds, sector caps and turnover limit "
                         "cannot all hold at once; relax one")
    return float(-res.fun if maximise else res.fun)


def _greedy_fill(system: LinearSystem, score: np.ndarray) -> np.ndarray:
    w = system.lower.copy()
    budget = 1.0 - float(w.sum())
    sector_of = np.full(system.n_assets, -1)
    for k in range(system.sector_rows.shape[0]):
        sector_of[system.sector_rows[k] > 0] = k
    room = system.sector_caps - system.sector_rows @ system.lower
    for i in np.argsort(-score, kind="stable"):
        if budget <= 0.0:
            break
        k = int(sector_of[i])
        add = min(float(system.upper[i] - w[i]), budget, float(room[k]) if k >= 0 else budget)
        if add > 0.0:
            w[i] += add
            budget -= add
            if k >= 0:
                room[k] -= add
    return w
