"""Gap features: the open against the previous close, and overnight vs intraday returns.

The split of the close-to-close return into an overnight part (previous close to open)
and an intraday part (open to close) carries information of its own: the two legs have
different investors and different persistence.
"""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, lag, ratio
from chitti.compute.features.catalog import feature, spec

_SUM_BARS = (5, 20)


def _log_gap(ctx: BarContext) -> np.ndarray:
    return ctx.cached("log_gap", lambda: np.log(ratio(ctx.open, lag(ctx.close, 1))))


def _log_intraday(ctx: BarContext) -> np.ndarray:
    return ctx.cached("log_intraday", lambda: np.log(ctx.close / ctx.open))


@feature([spec("gap_1d", 1, "Opening gap: open_t / close_(t-1) - 1."),
          spec("gap_z_1d", 21, "Log opening gap ln(open_t / close_(t-1)) in units of vol_20d "
               "as of the previous close (how unusual the gap was when it happened)."),
          spec("gap_abs_mean_20d", 20, "Mean absolute opening gap |open / previous close - 1| "
               "over the last 20 bars."),
          spec("gap_filled_1d", 1, "1 if the bar traded back to the previous close after "
               "gapping away from it (low <= previous close after a gap up, high >= it after a "
               "gap down), else 0; NaN without a gap.")]
         + [spec(f"overnight_ret_{n}d", n, f"Sum of log overnight returns ln(open / previous "
                 f"close) over the last {n} bars.") for n in _SUM_BARS],
         group="gaps", inputs=("open", "high", "low", "close"))
def _gaps(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    prev = lag(ctx.close, 1)
    gap = ratio(ctx.open, prev) - 1.0
    out: dict[str, np.ndarray] = {"gap_1d": gap}
    if "gap_z_1d" in wanted:
        out["gap_z_1d"] = ratio(_log_gap(ctx), lag(ctx.vol(20), 1))
    if "gap_abs_mean_20d" in wanted:
        out["gap_abs_mean_20d"] = k.rolling_mean(np.abs(gap), 20)
    if "gap_filled_1d" in wanted:
        filled = np.where(gap > 0, ctx.low <= prev, ctx.high >= prev).astype(np.float64)
        filled[(gap == 0) | np.isnan(gap) | np.isnan(ctx.low) | np.isnan(ctx.high)] = np.nan
        out["gap_filled_1d"] = filled
    for n in _SUM_BARS:
        if f"overnight_ret_{n}d" in wanted:
            out[f"overnight_ret_{n}d"] = k.rolling_sum(_log_gap(ctx), n)
    return out


@feature([spec("intraday_ret_1d", 0, "Open-to-close return of the bar: close / open - 1.")]
         + [spec(f"intraday_ret_{n}d", n - 1, f"Sum of log intraday returns ln(close / open) over "
                 f"the last {n} bars.") for n in _SUM_BARS],
         group="gaps", inputs=("open", "close"))
def _intraday(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out = {"intraday_ret_1d": ctx.close / ctx.open - 1.0}
    for n in _SUM_BARS:
        if f"intraday_ret_{n}d" in wanted:
            out[f"intraday_ret_{n}d"] = k.rolling_sum(_log_intraday(ctx), n)
    return out
