"""One call that assembles the whole risk picture of a portfolio into a JSON-able report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from chitti.compute.risk._convert import day as _day
from chitti.compute.risk._convert import iso as _iso
from chitti.compute.risk._convert import json_float as _json
from chitti.compute.risk._inputs import ReturnWindow, check_prices, resolve_weights, return_window
from chitti.compute.risk.measures import (
    Drawdown,
    annualised_volatility,
    beta,
    correlation_matrix,
    max_drawdown,
    risk_contributions,
    tracking_error,
)
from chitti.compute.risk.stress import STRESS_EPISODES, StressEpisode, StressResult, stress_test
from chitti.compute.risk.var import (
    DEFAULT_CONFIDENCES,
    DEFAULT_HORIZONS_DAYS,
    DEFAULT_PATHS,
    VAR_METHODS,
    HistoricalHorizon,
    Sampler,
    VarEstimate,
    component_var,
    portfolio_var,
)
from chitti.errors import BadRequest

#: 500 daily returns (about two NSE years): twice the Basel minimum of one year, so the 99 %
#: 1-day quantile rests on 5 tail days rather than 2-3, while staying recent.
DEFAULT_WINDOW_DAYS = 500
#: Fewer returns than one trading year are refused (the Basel minimum observation period).
DEFAULT_MIN_DAYS = 250
#: Beta and tracking error need this many daily returns with a benchmark close (a quarter).
MIN_BENCHMARK_DAYS = 60
_MIN_DAYS_FLOOR = 30

#: The conventions behind every figure, returned with each report.
CONVENTIONS: dict[str, str] = {
    "returns": "simple daily returns between days on which every held asset has a close; "
               "weights are fractions of portfolio value held constant (cash earns 0)",
    "var": "VaR and CVaR are positive loss fractions of portfolio value (rupees = fraction "
           "x value); CVaR is the mean loss at or beyond VaR",
    "historical": "empirical quantile of the window's losses, numpy.quantile method "
                  "'linear'; h-day figures from overlapping compounded h-day returns "
                  "(or sqrt(h) x 1-day when historical_horizon='sqrt_time')",
    "parametric": "normal: VaR = z sqrt(h) sigma - h mu, CVaR = sqrt(h) sigma phi(z)/(1-c) "
                  "- h mu, mu and sigma (ddof=1) of the window's daily portfolio returns; "
                  "components are the Euler allocation and sum to the VaR",
    "monte_carlo": "seeded paths of daily asset returns (multivariate normal with the "
                   "window's mean and covariance, in antithetic pairs, or bootstrapped "
                   "days), compounded per asset over the horizon",
    "volatility": "std (ddof=1) of daily portfolio returns x sqrt(252)",
    "beta": "OLS slope of daily portfolio returns on the benchmark's over the window",
    "max_drawdown": "deepest fall from a running peak of the constant-weight portfolio over "
                    "the window (positive fraction)",
    "stress": "buy-and-hold of today's weights from the episode's first close; assets "
              "without data proxied by beta x benchmark, else excluded with the rest "
              "scaled up",
}


@dataclass(frozen=True)
class RiskReport:
    """Everything :func:`risk_report` computed; ``to_dict()`` is the API's JSON.

    Position-level arrays follow ``symbols`` (the held assets, in the caller's order).
    Undefined figures are NaN here and None in ``to_dict()``.
    """

    window_start: date
    window_end: date
    return_days: int
    symbols: tuple[str, ...]
    weights: np.ndarray
    portfolio_value_inr: float | None
    var: tuple[VarEstimate, ...]
    var_components: dict[tuple[float, int], np.ndarray]
    annual_volatility_fraction: float
    beta: float
    tracking_error_annual_fraction: float
    benchmark_return_days: int
    drawdown: Drawdown
    asset_annual_volatility_fraction: np.ndarray
    asset_beta: np.ndarray
    variance_contribution_fraction: np.ndarray
    correlation: np.ndarray
    stress: tuple[StressResult, ...]
    settings: dict[str, Any]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able report (NaN -> None, dates as ISO strings)."""
        return {
            "as_of": _iso(self.window_end),
            "window": {"start": _iso(self.window_start), "end": _iso(self.window_end),
                       "return_days": self.return_days},
            "portfolio_value_inr": self.portfolio_value_inr,
            "invested_fraction": float(self.weights.sum()),
            "cash_fraction": float(1.0 - self.weights.sum()),
            "gross_exposure_fraction": float(np.abs(self.weights).sum()),
            "var": [self._var_row(v) for v in self.var],
            "annual_volatility_fraction": _json(self.annual_volatility_fraction),
            "beta": _json(self.beta),
            "tracking_error_annual_fraction": _json(self.tracking_error_annual_fraction),
            "benchmark_return_days": self.benchmark_return_days,
            "max_drawdown": self.drawdown.to_dict(),
            "positions": [
                {"symbol": s, "weight": float(self.weights[j]),
                 "value_inr": None if self.portfolio_value_inr is None
                 else float(self.weights[j] * self.portfolio_value_inr),
                 "annual_volatility_fraction": _json(self.asset_annual_volatility_fraction[j]),
                 "beta": _json(self.asset_beta[j]),
                 "variance_contribution_fraction": _json(
                     self.variance_contribution_fraction[j])}
                for j, s in enumerate(self.symbols)],
            "correlation": {"symbols": list(self.symbols),
                            "matrix": [[_json(x) for x in row] for row in self.correlation]},
            "stress": [s.to_dict() for s in self.stress],
            "settings": self.settings,
            "conventions": CONVENTIONS,
            "notes": list(self.notes),
        }

    def _var_row(self, v: VarEstimate) -> dict[str, Any]:
        row = v.to_dict(self.portfolio_value_inr)
        parts = self.var_components.get((v.confidence, v.horizon_days))
        if v.method == "parametric" and parts is not None:
            row["components_fraction"] = {s: _json(parts[j]) for j, s in enumerate(self.symbols)}
        return row


def risk_report(close: np.ndarray, dates: np.ndarray, *, symbols: Sequence[str],
                weights: Sequence[float] | np.ndarray | None = None,
                positions_inr: Sequence[float] | np.ndarray | None = None,
                cash_inr: float = 0.0, portfolio_value_inr: float | None = None,
                benchmark: np.ndarray | None = None,
                window_days: int = DEFAULT_WINDOW_DAYS, min_days: int = DEFAULT_MIN_DAYS,
                confidences: Sequence[float] = DEFAULT_CONFIDENCES,
                horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
                historical_horizon: HistoricalHorizon = "overlapping",
                n_paths: int = DEFAULT_PATHS, sampler: Sampler = "normal", seed: int = 0,
                episodes: Sequence[StressEpisode] = STRESS_EPISODES) -> RiskReport:
    """Measure the risk of a portfolio held today, from adjusted daily closes.

    Parameters
    ----------
    close, dates
        ``(n_dates, n_assets)`` closes adjusted for splits and bonuses (NaN where an asset
        has no bar) and their ``datetime64[D]`` dates, oldest first. The last row is today.
    symbols
        One name per column of ``close``.
    weights, positions_inr
        Exactly one: fractions of portfolio value per asset (summing to at most 1, the rest
        cash; negative = short), or rupees held per asset (then ``cash_inr`` is added and
        the value is their total).
    portfolio_value_inr
        With ``weights``, the value that turns fractions into rupee VaR (None: fractions
        only).
    benchmark
        The benchmark's closes (NIFTY 50) on ``dates``, NaN where none; gives beta,
        tracking error and the stress proxy for assets without data in an episode.
    window_days, min_days
        The risk window is the last ``window_days`` daily returns (see
        :data:`DEFAULT_WINDOW_DAYS`); with fewer than ``min_days`` the call is refused.
    confidences, horizons_days, historical_horizon, n_paths, sampler, seed
        VaR levels and horizons and the method options of
        :func:`chitti.compute.risk.var.portfolio_var`.
    episodes
        Stress episodes to replay (default: :data:`STRESS_EPISODES`).
    """
    px, days = check_prices(close, dates, symbols)
    w, value = resolve_weights(px.shape[1], weights=weights, positions_inr=positions_inr,
                               cash_inr=cash_inr, portfolio_value_inr=portfolio_value_inr)
    bench = _check_benchmark(benchmark, days.size)
    horizons = tuple(horizons_days)
    _check_window(window_days, min_days, horizons)
    held = np.flatnonzero(w != 0.0)
    names = tuple(symbols[int(j)] for j in held)
    window = return_window(px[:, held], days, held_symbols=names, window_days=window_days,
                           min_days=min_days)
    r, wh = window.returns, w[held]
    var = tuple(v for method in VAR_METHODS for v in portfolio_var(
        r, wh, method=method, confidences=confidences, horizons_days=horizons,
        historical_horizon=historical_horizon, n_paths=n_paths, seed=seed, sampler=sampler))
    cov = np.atleast_2d(np.cov(r, rowvar=False, ddof=1))
    mean = r.mean(axis=0)
    components = {(float(c), int(h)): component_var(wh, mean, cov, confidence=c, horizon_days=h)
                  for h in horizons for c in confidences}
    daily = r @ wh
    bench_fit = _BenchmarkFit.of(_benchmark_returns(bench, window), daily, r)
    contributions = risk_contributions(wh, cov)
    total_variance = float(contributions.sum())
    betas_all = np.full(w.shape, np.nan)
    betas_all[held] = bench_fit.asset_beta
    return RiskReport(
        window_start=_day(window.dates[0]), window_end=_day(window.dates[-1]),
        return_days=r.shape[0], symbols=names, weights=wh, portfolio_value_inr=value,
        var=var, var_components=components,
        annual_volatility_fraction=annualised_volatility(daily),
        beta=bench_fit.beta, tracking_error_annual_fraction=bench_fit.tracking_error,
        benchmark_return_days=bench_fit.days,
        drawdown=max_drawdown(np.concatenate(([1.0], np.cumprod(1.0 + daily))), window.dates),
        asset_annual_volatility_fraction=np.array(
            [annualised_volatility(r[:, j]) for j in range(r.shape[1])]),
        asset_beta=bench_fit.asset_beta,
        variance_contribution_fraction=contributions / total_variance if total_variance > 0
        else np.full(wh.shape, np.nan),
        correlation=correlation_matrix(r),
        stress=tuple(stress_test(px, days, w, episode=e, symbols=symbols, benchmark=bench,
                                 proxy_betas=betas_all) for e in episodes),
        settings={"window_days": window_days, "min_days": min_days,
                  "confidences": [float(c) for c in confidences],
                  "horizons_days": list(horizons), "historical_horizon": historical_horizon,
                  "monte_carlo": {"sampler": sampler, "n_paths": n_paths, "seed": seed}},
        notes=_notes(window, days, window_days=window_days, has_bench=bench is not None,
                     bench_days=bench_fit.days,
                     overlap_days=max(horizons) if historical_horizon == "overlapping" else 1),
    )


def _check_window(window_days: int, min_days: int, horizons: tuple[int, ...]) -> None:
    if not horizons:
        raise BadRequest("horizons_days: give at least one horizon (e.g. [1, 10])")
    floor = max(_MIN_DAYS_FLOOR, 2 * max(horizons))
    if min_days < floor:
        raise BadRequest(f"min_days: {min_days} is too few daily returns for a tail estimate "
                         f"at a {max(horizons)}-day horizon; use at least {floor}")
    if window_days < min_days:
        raise BadRequest(f"window_days: {window_days} is below min_days={min_days}; raise "
                         "window_days or lower min_days")


def _check_benchmark(benchmark: np.ndarray | None, n_dates: int) -> np.ndarray | None:
    if benchmark is None:
        return None
    b = np.asarray(benchmark, dtype=np.float64)
    if b.shape != (n_dates,):
        raise BadRequest(f"benchmark: {b.size} closes for {n_dates} dates; give one per date "
                         "(NaN where the benchmark has none)")
    if (np.isinf(b) | (np.isfinite(b) & (b <= 0.0))).any():
        raise BadRequest("benchmark: infinite or non-positive closes; use NaN for a day "
                         "without one")
    return b


@dataclass(frozen=True)
class _BenchmarkFit:
    days: int
    beta: float
    tracking_error: float
    asset_beta: np.ndarray

    @classmethod
    def of(cls, bench_returns: np.ndarray | None, daily: np.ndarray,
           asset_returns: np.ndarray) -> _BenchmarkFit:
        days = 0 if bench_returns is None else int(np.isfinite(bench_returns).sum())
        if bench_returns is None or days < MIN_BENCHMARK_DAYS:
            return cls(days, math.nan, math.nan, np.full(asset_returns.shape[1], np.nan))
        return cls(days, beta(daily, bench_returns), tracking_error(daily, bench_returns),
                   np.array([beta(col, bench_returns) for col in asset_returns.T]))


def _benchmark_returns(bench: np.ndarray | None, window: ReturnWindow) -> np.ndarray | None:
    # The benchmark's return over the same interval as each portfolio return (NaN when it
    # has no close at either end: those days drop out of beta and tracking error).
    if bench is None:
        return None
    b = bench[window.rows]
    returns: np.ndarray = b[1:] / b[:-1] - 1.0
    return returns


def _notes(window: ReturnWindow, days: np.ndarray, *, window_days: int, has_bench: bool,
           bench_days: int, overlap_days: int) -> tuple[str, ...]:
    notes = []
    n = window.returns.shape[0]
    if n < window_days:
        notes.append(f"window: only {n} daily returns available, fewer than the "
                     f"{window_days} asked for")
    if window.dates[-1] < days[-1]:
        notes.append(f"window: ends {window.dates[-1]}, the last day on which every held "
                     f"asset has a close (the data runs to {days[-1]})")
    if has_bench and bench_days < MIN_BENCHMARK_DAYS:
        notes.append(f"benchmark: closes on only {bench_days} of the window's {n} days (at "
                     f"least {MIN_BENCHMARK_DAYS} needed); beta and tracking error are "
                     "undefined and stress proxies use beta 1")
    elif has_bench and bench_days < n:
        notes.append(f"benchmark: closes on {bench_days} of the window's {n} days; beta and "
                     "tracking error use those days only")
    if overlap_days > 1:
        notes.append(f"historical {overlap_days}-day figures rest on about "
                     f"{n // overlap_days} independent {overlap_days}-day outcomes "
                     "(overlapping windows share days)")
    return tuple(notes)
