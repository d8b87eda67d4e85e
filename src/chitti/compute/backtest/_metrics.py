"""Performance metrics of an equity curve and a trade list.

The core ratios are one Numba function, :func:`core_metrics`, shared by the full result and
the fused sweep kernel, so a sweep row and a single backtest of the same parameters report
identical numbers. The rest (drawdown duration, win/loss averages, benchmark alpha/beta) are
NumPy and only in the full result.

Conventions (periodic = per bar; 252 bars a year for NSE daily data):
  * returns: r_t = E_t / E_{t-1} - 1, with E_{-1} the initial cash;
  * annual_volatility_pct = std(r, ddof=1) × √periods_per_year × 100;
  * sharpe_ratio = (mean(r) − rf) / std(r, ddof=1) × √periods_per_year, rf per period;
  * sortino_ratio = (mean(r) − rf) / √mean(min(r − rf, 0)²) × √periods_per_year;
  * cagr_pct over calendar time from the first to the last bar (365.25 days a year);
  * max_drawdown_pct ≤ 0, relative to the running peak (initial cash included);
  * calmar_ratio = cagr_pct / |max_drawdown_pct|;
  * trade statistics cover closed trades; a position still open at the end is marked in
    the equity curve and listed with reason "open", but not counted as a trade.
An undefined ratio (zero volatility, no losing trade, no trades...) is NaN here and ``None``
in ``to_dict()``, never a sentinel number.
"""

from __future__ import annotations

import math

import numpy as np

from chitti.compute.backtest._kernel import CORE_METRICS as CORE_METRICS
from chitti.compute.backtest._kernel import M_LEN as M_LEN
from chitti.compute.backtest._kernel import core_metrics as core_metrics

METRIC_UNITS = {
    "total_return_pct": "%", "cagr_pct": "% a year", "annual_volatility_pct": "% a year",
    "sharpe_ratio": "ratio", "sortino_ratio": "ratio", "max_drawdown_pct": "% (≤ 0)",
    "calmar_ratio": "ratio", "trade_count": "trades", "win_rate_pct": "%",
    "profit_factor": "ratio", "expectancy_inr": "₹ per trade",
    "total_costs_inr": "₹", "exposure_time_pct": "% of bars", "final_equity_inr": "₹",
    "max_drawdown_days": "calendar days", "average_win_inr": "₹", "average_loss_inr": "₹",
    "benchmark_return_pct": "%", "alpha_pct": "% a year", "beta": "ratio",
    "initial_equity_inr": "₹", "bar_count": "bars", "open_trade_count": "trades",
}


def years_between(ts: np.ndarray) -> float:
    if ts.shape[0] < 2:
        return 0.0
    seconds = (ts[-1] - ts[0]) / np.timedelta64(1, "s")
    return float(seconds) / (365.25 * 86400.0)


def drawdown_pct(equity: np.ndarray, initial: float) -> np.ndarray:
    """Return the drawdown curve in % (≤ 0) against the running peak, initial cash included."""
    peak = np.maximum.accumulate(np.concatenate(([initial], equity)))[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peak > 0, (equity / peak - 1.0) * 100.0, 0.0)


def max_drawdown_days(ts: np.ndarray, equity: np.ndarray, initial: float) -> float:
    """Calendar days of the deepest drawdown: from its peak to recovery (or the last bar)."""
    dd = drawdown_pct(equity, initial)
    if dd.shape[0] == 0 or dd.min() >= 0.0:
        return 0.0
    trough = int(np.argmin(dd))
    at_peak = np.flatnonzero(dd[:trough + 1] >= 0.0)
    # before the first bar at a peak, the peak is the initial cash just before bar 0
    start_ts = ts[at_peak[-1]] if at_peak.size else ts[0]
    recovered = np.flatnonzero(dd[trough:] >= 0.0)
    end_ts = ts[trough + recovered[0]] if recovered.size else ts[-1]
    return float((end_ts - start_ts) / np.timedelta64(1, "s")) / 86400.0


def trade_extras(pnl: np.ndarray) -> dict[str, float]:
    wins, losses = pnl[pnl > 0], pnl[pnl <= 0]
    return {
        "average_win_inr": float(wins.mean()) if wins.size else math.nan,
        "average_loss_inr": float(losses.mean()) if losses.size else math.nan,
    }


def benchmark_metrics(equity: np.ndarray, initial: float, bench_close: np.ndarray,
                      periods_per_year: int, rf_per_period: float) -> dict[str, float]:
    """Return benchmark_return_pct, alpha_pct (annualised Jensen's alpha) and beta.

    ``bench_close`` is aligned to the strategy's bars (last known close carried forward).
    """
    out = {"benchmark_return_pct": math.nan, "alpha_pct": math.nan, "beta": math.nan}
    ok = np.isfinite(bench_close) & (bench_close > 0)
    if ok.sum() < 2:
        return out
    idx = np.flatnonzero(ok)
    out["benchmark_return_pct"] = float((bench_close[idx[-1]] / bench_close[idx[0]] - 1.0) * 100.0)
    both = ok[1:] & ok[:-1]
    if both.sum() < 3:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        rb = (bench_close[1:] / bench_close[:-1] - 1.0)[both]
        rs = (equity[1:] / equity[:-1] - 1.0)[both]
    var = float(np.var(rb, ddof=1))
    if var <= 0.0 or not np.isfinite(rs).all():
        return out
    beta = float(np.cov(rs, rb, ddof=1)[0, 1] / var)
    alpha = (rs.mean() - rf_per_period) - beta * (rb.mean() - rf_per_period)
    out["beta"] = beta
    out["alpha_pct"] = float(alpha * periods_per_year * 100.0)
    return out
