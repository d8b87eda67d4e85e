"""VaR and CVaR against closed forms (scipy), numpy's quantile, pandas and reference loops.

Acceptance: the VaR of a known normal distribution within 2 % of the closed form, for every
method. Sample sizes are chosen so that 2 % is several standard errors: the standard error
of an empirical p-quantile is sqrt(p (1 - p) / n) / f(q) (f the density at the quantile),
so for a normal 99 % VaR (p = 0.01, f = phi(2.326) = 0.0267) it is 3.73 sigma / sqrt(n),
i.e. 1.6 % of the VaR (2.33 sigma) at n = 10,000, 0.36 % at 200,000 and 0.16 % at 10^6.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from tests.unit.compute.risk.data import adjusted_closes

from chitti.compute.risk import (
    component_var,
    empirical_var_cvar,
    horizon_returns,
    normal_var_cvar,
    portfolio_var,
    simulate_returns,
)
from chitti.errors import BadRequest

CONFIDENCES = (0.95, 0.99)
TOLERANCE = 0.02   # the acceptance line: within 2 % of the closed form


def closed_form_normal(mu: float, sigma: float, c: float, h: int = 1) -> tuple[float, float]:
    """VaR = -(mu_h - z sigma_h), CVaR = -(mu_h - sigma_h phi(z) / (1 - c)), from scipy."""
    z = stats.norm.ppf(c)
    mu_h, sigma_h = mu * h, sigma * math.sqrt(h)
    return -(mu_h - z * sigma_h), -(mu_h - sigma_h * stats.norm.pdf(z) / (1.0 - c))


def closed_form_lognormal(m: float, s: float, c: float) -> tuple[float, float]:
    """VaR/CVaR of the simple return exp(X) - 1 with X ~ N(m, s^2) (losses are 1 - e^X)."""
    q = m + s * stats.norm.ppf(1.0 - c)                 # the X-quantile of the loss tail
    var = -math.expm1(q)
    # E[e^X | X <= q] = exp(m + s^2/2) Phi((q - m - s^2)/s) / (1 - c)
    tail_mean = math.exp(m + s * s / 2.0) * stats.norm.cdf((q - m - s * s) / s) / (1.0 - c)
    return var, 1.0 - tail_mean


def relative_error(estimate: float, truth: float) -> float:
    return abs(estimate - truth) / abs(truth)


# --- parametric -------------------------------------------------------------------------

@pytest.mark.parametrize("mu", [0.0, 0.0007, -0.001])
@pytest.mark.parametrize("sigma", [0.004, 0.013, 0.031])
@pytest.mark.parametrize("c", [0.95, 0.975, 0.99])
@pytest.mark.parametrize("h", [1, 10])
def test_normal_var_cvar_equals_the_closed_form(mu: float, sigma: float, c: float,
                                               h: int) -> None:
    var, cvar = normal_var_cvar(mu, sigma, confidence=c, horizon_days=h)
    want_var, want_cvar = closed_form_normal(mu, sigma, c, h)
    assert var == pytest.approx(want_var, abs=1e-12)
    assert cvar == pytest.approx(want_cvar, abs=1e-12)


def test_normal_cvar_is_the_mean_loss_beyond_var_by_integration() -> None:
    # An independent check of the CVaR formula itself: integrate the loss density's tail.
    mu, sigma, c, h = 0.0004, 0.015, 0.99, 10
    var, cvar = normal_var_cvar(mu, sigma, confidence=c, horizon_days=h)
    loss = stats.norm(loc=-mu * h, scale=sigma * math.sqrt(h))
    assert loss.cdf(var) == pytest.approx(c, abs=1e-12)
    tail, _ = integrate.quad(lambda x: x * loss.pdf(x), var, np.inf, epsabs=1e-14)
    assert cvar == pytest.approx(tail / (1.0 - c), rel=1e-9)


def test_parametric_var_uses_the_window_mean_and_std_of_portfolio_returns() -> None:
    rng = np.random.default_rng(7)
    r = rng.normal(0.0005, 0.012, size=(400, 3))
    w = np.array([0.5, 0.3, -0.1])
    port = pd.Series(r @ w)
    got = portfolio_var(r, w, method="parametric", confidences=CONFIDENCES,
                        horizons_days=(1, 10))
    for est in got:
        want_var, want_cvar = closed_form_normal(port.mean(), port.std(), est.confidence,
                                                 est.horizon_days)
        assert est.var_fraction == pytest.approx(want_var, abs=1e-12)
        assert est.cvar_fraction == pytest.approx(want_cvar, abs=1e-12)


# --- historical -------------------------------------------------------------------------

def test_historical_var_of_a_large_normal_sample_is_within_2pct_of_the_closed_form() -> None:
    # Two assets jointly normal; the portfolio return is N(w'mu, w'Sigma w) exactly.
    # n = 10^6 puts the 99 % VaR's standard error at 0.16 % (12 of them inside 2 %).
    rng = np.random.default_rng(2024)
    mean = np.array([0.0006, 0.0002])
    cov = np.array([[0.015 ** 2, 0.6 * 0.015 * 0.009], [0.6 * 0.015 * 0.009, 0.009 ** 2]])
    w = np.array([0.6, 0.3])
    r = rng.multivariate_normal(mean, cov, size=1_000_000)
    got = portfolio_var(r, w, method="historical", confidences=CONFIDENCES,
                        horizons_days=(1,))
    mu, sigma = float(w @ mean), math.sqrt(w @ cov @ w)
    for est in got:
        want_var, want_cvar = closed_form_normal(mu, sigma, est.confidence)
        assert relative_error(est.var_fraction, want_var) < TOLERANCE
        assert relative_error(est.cvar_fraction, want_cvar) < TOLERANCE


def test_historical_10_day_var_of_lognormal_prices_is_within_2pct_of_the_closed_form() -> None:
    # Daily log returns N(m, s^2): the overlapping 10-day simple return is exp(X) - 1 with
    # X ~ N(10m, 10 s^2), whose VaR and CVaR have closed forms. 10^6 days give ~10^5
    # independent 10-day outcomes: standard error about 0.5 % of the 99 % VaR.
    rng = np.random.default_rng(11)
    m, s = 0.0003, 0.012
    r = np.expm1(rng.normal(m, s, size=(1_000_000, 1)))
    got = portfolio_var(r, np.array([1.0]), method="historical", confidences=CONFIDENCES,
                        horizons_days=(1, 10))
    for est in got:
        h = est.horizon_days
        want_var, want_cvar = closed_form_lognormal(h * m, math.sqrt(h) * s, est.confidence)
        assert relative_error(est.var_fraction, want_var) < TOLERANCE, est
        assert relative_error(est.cvar_fraction, want_cvar) < TOLERANCE, est


def reference_quantile(values: list[float], c: float) -> float:
    """Hyndman-Fan type 7 from its definition: h = (n-1)c, interpolate x[floor h], x[ceil h]."""
    x = sorted(values)
    h = (len(x) - 1) * c
    lo = math.floor(h)
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])


def test_historical_var_on_a_hand_checkable_sample() -> None:
    returns = [0.01, -0.02, 0.005, -0.035, 0.012, -0.001, 0.02, -0.015, 0.0, 0.03, -0.05]
    # losses sorted: -.03 -.02 -.012 -.01 -.005 0 .001 .015 .02 .035 .05 (n = 11)
    # c = 0.95: h = 9.5 -> VaR = .035 + .5 (.05 - .035) = .0425; CVaR = mean(.05) = .05
    # c = 0.90: h = 9   -> VaR = .035;                         CVaR = mean(.035, .05)
    cases = {0.95: (0.0425, 0.05), 0.90: (0.035, 0.0425)}
    for c, (want_var, want_cvar) in cases.items():
        var, cvar = empirical_var_cvar(np.array(returns), confidence=c)
        assert var == pytest.approx(want_var, abs=1e-10)
        assert cvar == pytest.approx(want_cvar, abs=1e-10)


@pytest.mark.parametrize("c", [0.9, 0.95, 0.975, 0.99, 0.995])
@pytest.mark.parametrize("n", [7, 50, 251, 500])
def test_historical_var_equals_numpy_quantile_and_a_reference_loop(c: float, n: int) -> None:
    rng = np.random.default_rng(n)
    returns = rng.standard_t(3, size=n) * 0.01
    losses = list(-returns)
    var, cvar = empirical_var_cvar(returns, confidence=c)
    assert var == pytest.approx(float(np.quantile(-returns, c, method="linear")), abs=1e-15)
    assert var == pytest.approx(reference_quantile(losses, c), abs=1e-15)
    tail = [x for x in losses if x >= var]
    assert cvar == pytest.approx(sum(tail) / len(tail), abs=1e-15)


def real_window() -> pd.DataFrame:
    closes = adjusted_closes().loc["2015-07-01":"2017-12-29",
                                   ["HDFCBANK", "INFY", "ITC", "SBIN", "TCS"]]
    return closes.dropna()


def test_overlapping_horizon_returns_equal_pandas_pct_change() -> None:
    closes = real_window()
    w = np.array([0.3, 0.2, 0.2, 0.1, 0.15])
    daily = closes.pct_change().dropna().to_numpy()
    for h in (1, 5, 10):
        want = (closes.pct_change(h).dropna().to_numpy() @ w)
        got = horizon_returns(daily, w, horizon_days=h)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("scaling", ["overlapping", "sqrt_time"])
def test_historical_var_on_real_closes_equals_numpy_over_pandas_returns(scaling: str) -> None:
    closes = real_window()
    w = np.array([0.3, 0.2, 0.2, 0.1, 0.15])
    daily = closes.pct_change().dropna()
    got = portfolio_var(daily.to_numpy(), w, method="historical", confidences=CONFIDENCES,
                        horizons_days=(1, 10), historical_horizon=scaling)  # type: ignore[arg-type]
    for est in got:
        h = est.horizon_days
        if scaling == "overlapping":
            losses, scale = -(closes.pct_change(h).dropna().to_numpy() @ w), 1.0
        else:
            losses, scale = -(daily.to_numpy() @ w), math.sqrt(h)
        want_var = float(np.quantile(losses, est.confidence)) * scale
        want_cvar = float(losses[losses >= want_var / scale].mean()) * scale
        assert est.var_fraction == pytest.approx(want_var, abs=1e-12)
        assert est.cvar_fraction == pytest.approx(want_cvar, abs=1e-12)


# --- Monte Carlo ------------------------------------------------------------------------

def sample_window(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mean = np.array([0.0004, 0.0001, 0.0006])
    vol = np.array([0.014, 0.008, 0.02])
    corr = np.array([[1.0, 0.4, 0.6], [0.4, 1.0, 0.2], [0.6, 0.2, 1.0]])
    return rng.multivariate_normal(mean, corr * np.outer(vol, vol), size=n), mean


def test_monte_carlo_1_day_var_is_within_2pct_of_the_normal_closed_form() -> None:
    # The sampler draws from N(window mean, window covariance), so its 1-day closed form is
    # the normal one with the window's portfolio mean and std. 200,000 paths: standard
    # error 0.36 % of the 99 % VaR.
    r, _ = sample_window(750, seed=3)
    w = np.array([0.4, 0.35, 0.2])
    port = pd.Series(r @ w)
    got = portfolio_var(r, w, method="monte_carlo", confidences=CONFIDENCES,
                        horizons_days=(1,), n_paths=200_000, seed=5)
    for est in got:
        want_var, want_cvar = closed_form_normal(port.mean(), port.std(), est.confidence)
        assert relative_error(est.var_fraction, want_var) < TOLERANCE, est
        assert relative_error(est.cvar_fraction, want_cvar) < TOLERANCE, est


def reference_simulation(r: np.ndarray, w: np.ndarray, h: int, n_paths: int) -> np.ndarray:
    """The definition, another seed and another square root (Cholesky), day by day."""
    rng = np.random.default_rng(987654)
    mean, root = r.mean(axis=0), np.linalg.cholesky(np.cov(r.T))
    growth = np.ones((n_paths, r.shape[1]))
    for _ in range(h):
        growth *= 1.0 + mean + rng.standard_normal((n_paths, r.shape[1])) @ root.T
    return (growth - 1.0) @ w


def test_monte_carlo_10_day_var_agrees_with_a_reference_simulation() -> None:
    # Compounding leaves no closed form at 10 days; two independent simulations (200,000
    # and 300,000 paths) differ by a standard error of about 0.5 % of the 99 % VaR.
    r, _ = sample_window(500, seed=4)
    w = np.array([0.3, 0.3, 0.3])
    got = portfolio_var(r, w, method="monte_carlo", confidences=CONFIDENCES,
                        horizons_days=(10,), n_paths=200_000, seed=1)
    losses = -reference_simulation(r, w, 10, 300_000)
    for est in got:
        want_var = float(np.quantile(losses, est.confidence))
        want_cvar = float(losses[losses >= want_var].mean())
        assert relative_error(est.var_fraction, want_var) < TOLERANCE, est
        assert relative_error(est.cvar_fraction, want_cvar) < TOLERANCE, est


def test_bootstrap_var_of_a_normal_sample_is_within_2pct_of_the_closed_form() -> None:
    # Whole days resampled from 300,000 normal days: data error 0.3 %, resampling 0.36 %.
    rng = np.random.default_rng(21)
    r = rng.normal(0.0003, 0.011, size=(300_000, 1))
    got = portfolio_var(r, np.array([1.0]), method="monte_carlo", confidences=CONFIDENCES,
                        horizons_days=(1,), n_paths=200_000, seed=2, sampler="bootstrap")
    for est in got:
        want_var, want_cvar = closed_form_normal(0.0003, 0.011, est.confidence)
        assert relative_error(est.var_fraction, want_var) < TOLERANCE, est
        assert relative_error(est.cvar_fraction, want_cvar) < TOLERANCE, est


def test_simulation_is_reproducible_by_seed_and_one_day_is_the_paths_first_day() -> None:
    r, _ = sample_window(300, seed=8)
    w = np.array([0.2, 0.5, 0.3])
    a = simulate_returns(r, w, horizons_days=(1, 10), n_paths=1_000, seed=42)
    b = simulate_returns(r, w, horizons_days=(10,), n_paths=1_000, seed=42)
    c = simulate_returns(r, w, horizons_days=(1,), n_paths=1_000, seed=42)
    np.testing.assert_array_equal(a[10], b[10])
    np.testing.assert_array_equal(a[1], c[1])
    assert not np.array_equal(a[1], simulate_returns(r, w, horizons_days=(1,), n_paths=1_000,
                                                     seed=43)[1])


def test_monte_carlo_handles_a_singular_covariance() -> None:
    # Two perfectly correlated assets (one a multiple of the other): Cholesky would fail.
    rng = np.random.default_rng(5)
    x = rng.normal(0.0, 0.01, size=600)
    r = np.column_stack([x, 2.0 * x])
    w = np.array([0.5, 0.25])          # the same as 1.0 of x
    got = portfolio_var(r, w, method="monte_carlo", confidences=(0.99,), horizons_days=(1,),
                        n_paths=200_000, seed=3)[0]
    want_var, _ = closed_form_normal(x.mean(), x.std(ddof=1), 0.99)
    assert relative_error(got.var_fraction, want_var) < TOLERANCE


# --- component VaR ----------------------------------------------------------------------

def test_component_var_sums_to_parametric_var_and_is_the_euler_allocation() -> None:
    r, _ = sample_window(500, seed=9)
    w = np.array([0.5, 0.4, -0.2])
    mean, cov = r.mean(axis=0), np.cov(r.T)
    for c in CONFIDENCES:
        for h in (1, 10):
            parts = component_var(w, mean, cov, confidence=c, horizon_days=h)
            port = r @ w
            var, _ = closed_form_normal(port.mean(), port.std(ddof=1), c, h)
            assert parts.sum() == pytest.approx(var, abs=1e-12)

            def var_of(x: np.ndarray, c: float = c, h: int = h) -> float:
                z = stats.norm.ppf(c)
                return z * math.sqrt(h) * math.sqrt(x @ cov @ x) - h * x @ mean

            step = 1e-6
            for i in range(w.size):
                up, down = w.copy(), w.copy()
                up[i] += step
                down[i] -= step
                marginal = (var_of(up) - var_of(down)) / (2 * step)
                assert parts[i] == pytest.approx(w[i] * marginal, abs=1e-9)


# --- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("c", [0.5, 1.0, 95, -0.1])
def test_a_confidence_outside_0_5_to_1_is_refused(c: float) -> None:
    with pytest.raises(BadRequest, match="confidence"):
        empirical_var_cvar(np.zeros(10), confidence=c)


def test_nan_returns_and_horizons_longer_than_the_window_are_refused() -> None:
    with pytest.raises(BadRequest, match="NaN"):
        empirical_var_cvar(np.array([0.01, np.nan, 0.02]), confidence=0.95)
    with pytest.raises(BadRequest, match="horizons_days: 10"):
        portfolio_var(np.zeros((9, 1)), np.array([1.0]), method="historical",
                      horizons_days=(10,))
    with pytest.raises(BadRequest, match="horizon_days"):
        normal_var_cvar(0.0, 0.01, confidence=0.99, horizon_days=0)
    with pytest.raises(BadRequest, match="method"):
        portfolio_var(np.zeros((9, 1)), np.array([1.0]), method="delta_gamma",  # type: ignore[arg-type]
                      horizons_days=(1,))
