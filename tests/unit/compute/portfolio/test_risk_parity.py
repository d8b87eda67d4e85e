"""Equal risk contribution: equal shares of risk, and the weights of two other solvers.

References written here: SciPy's L-BFGS-B on Spinu's convex objective in log-weights
(a different parametrisation and a different algorithm from our Newton iteration), and
the Griveau-Billion, Richard and Roncalli (2013) cyclical coordinate descent, whose
update is a closed-form root of a quadratic per asset.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from chitti.compute.portfolio import complete_returns, equal_risk_contribution, sample_covariance

from .conftest import Universe


def _cov(universe: Universe) -> np.ndarray:
    return sample_covariance(complete_returns(universe.prices.to_numpy(),
                                              assets=universe.assets))


def spinu_scipy(cov: np.ndarray, budgets: np.ndarray) -> np.ndarray:
    # min ½ x'Σx - b'log x with x = exp(u): smooth and unconstrained in u
    def fun(u: np.ndarray) -> tuple[float, np.ndarray]:
        x = np.exp(u)
        sx = cov @ x
        return 0.5 * x @ sx - budgets @ u, (sx - budgets / x) * x

    res = minimize(fun, np.zeros(len(budgets)) - 0.5 * np.log(np.diag(cov)), jac=True,
                   method="L-BFGS-B", options={"gtol": 1e-14, "ftol": 1e-16, "maxiter": 10_000})
    x = np.exp(res.x)
    return x / x.sum()


def coordinate_descent(cov: np.ndarray, budgets: np.ndarray, sweeps: int = 2000) -> np.ndarray:
    # Griveau-Billion et al.: x_i solves Σ_ii x_i² + (Σ_{j≠i} Σ_ij x_j) x_i - b_i = 0
    x = np.full(len(budgets), 1.0 / len(budgets))
    for _ in range(sweeps):
        for i in range(len(x)):
            c = cov[i] @ x - cov[i, i] * x[i]
            x[i] = (-c + np.sqrt(c * c + 4.0 * cov[i, i] * budgets[i])) / (2.0 * cov[i, i])
    return x / x.sum()


def test_risk_contributions_are_equal(universe: Universe) -> None:
    cov = _cov(universe)
    res = equal_risk_contribution(cov, assets=universe.assets)
    rc = res.weights * (cov @ res.weights)
    assert (rc.max() - rc.min()) / rc.mean() < 1e-8
    assert res.risk_contributions == pytest.approx(np.full(len(rc), 1.0 / len(rc)), abs=1e-12)
    assert np.all(res.weights > 0) and res.weights.sum() == pytest.approx(1.0, abs=1e-14)


def test_weights_match_scipy_on_spinu_objective(universe: Universe) -> None:
    cov = _cov(universe)
    budgets = np.full(len(universe.assets), 1.0 / len(universe.assets))
    res = equal_risk_contribution(cov, assets=universe.assets)
    assert np.max(np.abs(res.weights - spinu_scipy(cov, budgets))) < 1e-7


def test_weights_match_coordinate_descent_with_unequal_budgets(universe: Universe) -> None:
    cov = _cov(universe)
    rng = np.random.default_rng(5)
    budgets = rng.uniform(0.5, 2.0, len(universe.assets))
    budgets /= budgets.sum()
    res = equal_risk_contribution(cov, assets=universe.assets, risk_budgets=budgets)
    assert np.max(np.abs(res.weights - coordinate_descent(cov, budgets))) < 1e-10
    assert res.risk_contributions == pytest.approx(budgets, abs=1e-12)


def test_two_uncorrelated_assets_get_inverse_volatility_weights() -> None:
    cov = np.diag([0.04, 0.01])                  # vols 20 % and 10 %: weights 1/3, 2/3
    res = equal_risk_contribution(cov, assets=["A", "B"])
    assert res.weights == pytest.approx([1.0 / 3.0, 2.0 / 3.0], abs=1e-15)


def test_risk_contributions_are_equal_on_hard_random_covariances() -> None:
    # strong common factors and variances spread over five orders of magnitude; an earlier
    # line search stalled at a gap of 1e-12 on draws like these
    rng = np.random.default_rng(0)
    for _ in range(40):
        n = int(rng.integers(2, 120))
        loadings = rng.normal(0, 0.2, (n, int(rng.integers(1, 6))))
        loadings[:, 0] += rng.uniform(0, 0.5)
        cov = loadings @ loadings.T + np.diag(rng.uniform(1e-4, 0.05, n)) * rng.choice(
            [1e-3, 1.0, 100.0])
        res = equal_risk_contribution(cov, assets=[f"A{i}" for i in range(n)])
        rc = res.weights * (cov @ res.weights)
        assert (rc.max() - rc.min()) / rc.mean() < 1e-8
