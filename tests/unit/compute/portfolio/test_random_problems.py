"""Seeded random problems against PyPortfolioOpt (Clarabel at tight tolerances).

Random sizes (3-39 assets), factor covariances with and without a dominant market factor,
long-only or shorting bounds, a random sector cap, a random turnover limit. The listed
seeds include the problems on which earlier versions of the solver failed: a degenerate
optimum the polish guessed wrong (0/0), the top of the frontier where the feasible set
has no interior (0/6, 0/43), Mehrotra's method cycling between two faces (1/56), a step
safeguard that stalled the infeasible start (3/44), a turnover limit on which OSQP is
1e-5 off (0/25).
"""

from __future__ import annotations

import numpy as np
import pytest

from chitti.compute.portfolio import (
    efficient_return,
    efficient_risk,
    max_sharpe,
    min_volatility,
)

from .oracles import Problem, cvxpy_max_sharpe, kkt_residual, pypfopt_weights

CASES = [(0, 0), (0, 6), (0, 25), (0, 43), (1, 56), (3, 44), (5, 1), (6, 2), (7, 4), (7, 5),
         (8, 4)]


def random_problem(seed: int, index: int) -> Problem:
    rng = np.random.default_rng(seed)
    for _ in range(index + 1):
        n = int(rng.integers(3, 40))
        loadings = rng.normal(0, 0.15, (n, int(rng.integers(1, 5))))
        if rng.random() < 0.3:
            loadings[:, 0] += 0.3
        cov = loadings @ loadings.T + np.diag(rng.uniform(0.002, 0.06, n))
        mu = rng.normal(0.1, rng.uniform(0.02, 0.2), n)
        if mu.max() <= 0.01:
            mu += 0.2
        lo = float(rng.choice([0.0, 0.0, -0.2, 0.01]))
        hi = float(rng.uniform(max(1.2 / n, lo + 0.05), 1.0))
        sectors = [f"s{int(k)}" for k in rng.integers(0, 3, n)]
        caps: dict[str, float] = {}
        if rng.random() < 0.5:
            s, m = sectors[0], sum(x == sectors[0] for x in sectors)
            caps = {s: float(min(1.0, max(m * lo + 0.01, rng.uniform(0.1, 0.6))))}
        w0, limit = None, None
        if rng.random() < 0.4:
            w0, limit = rng.dirichlet(np.ones(n)), float(rng.uniform(0.1, 1.2))
    return Problem(assets=[f"A{i}" for i in range(n)], mu=mu, cov=cov, lower=np.full(n, lo),
                   upper=np.full(n, hi), sectors=sectors, caps=caps, w0=w0,
                   max_turnover=limit)


@pytest.mark.parametrize(("seed", "index"), CASES)
def test_random_problem_matches_pypfopt(seed: int, index: int) -> None:
    p = random_problem(seed, index)
    c, kw = p.constraints(), {"assets": p.assets}
    w_ms = max_sharpe(p.mu, p.cov, constraints=c, **kw).weights
    w_mv = min_volatility(p.cov, constraints=c, **kw).weights
    target_r = float((p.mu @ w_ms + p.mu @ w_mv) / 2)
    target_v = float((np.sqrt(w_ms @ p.cov @ w_ms) + np.sqrt(w_mv @ p.cov @ w_mv)) / 2)
    w_er = efficient_return(p.mu, p.cov, target_return=target_r, constraints=c, **kw).weights
    w_ev = efficient_risk(p.mu, p.cov, target_volatility=target_v, constraints=c, **kw).weights
    oracle_ms = cvxpy_max_sharpe(p) if p.max_turnover is not None else pypfopt_weights(
        p, "max_sharpe")
    assert np.max(np.abs(w_ms - oracle_ms)) <= 1e-5
    assert np.max(np.abs(w_mv - pypfopt_weights(p, "min_volatility"))) <= 1e-5
    assert np.max(np.abs(w_er - pypfopt_weights(p, "efficient_return", target_r))) <= 1e-5
    assert np.max(np.abs(w_ev - pypfopt_weights(p, "efficient_risk", target_v))) <= 1e-4
    if p.max_turnover is None:
        for method, w, t in (("max_sharpe", w_ms, None), ("min_volatility", w_mv, None),
                             ("efficient_return", w_er, target_r),
                             ("efficient_risk", w_ev, target_v)):
            assert kkt_residual(p, method, w, t) <= 1e-8, method
