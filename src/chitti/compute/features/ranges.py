"""Range and candle-shape features: how wide the bar was and where it closed in it.

Shape ratios divide by the bar's range (high - low); a bar without range (H = L, e.g. a
stock locked at its circuit limit all day) counts 0 in each, as Chaikin and TA-Lib's BOP
count it.
"""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, lag, ratio
from chitti.compute.features.catalog import feature, spec

_OHLC = ("open", "high", "low", "close")


def _share(num: np.ndarray, rng: np.ndarray) -> np.ndarray:
    # num / range, 0 where the range is 0, NaN where an input is NaN
    out: np.ndarray = np.where(rng > 0, num / np.where(rng > 0, rng, 1.0), 0.0)
    out[np.isnan(num) | np.isnan(rng)] = np.nan
    return out


def _flag(cond: np.ndarray, defined: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.where(defined, cond.astype(np.float64), np.nan)
    return out


@feature([spec("range_1d", 0, "Bar range over close: (high - low) / close."),
          spec("range_ratio_1d_20d", 19, "Bar range (high - low) over its mean of the last 20 "
               "bars: range expansion (> 1) or contraction (< 1)."),
          spec("bop_1d", 0, "TA-Lib balance of power: (close - open) / (high - low), -1 to 1."),
          spec("upper_wick_frac_1d", 0, "Upper shadow as a share of the range: (high - "
               "max(open, close)) / (high - low)."),
          spec("lower_wick_frac_1d", 0, "Lower shadow as a share of the range: (min(open, "
               "close) - low) / (high - low)."),
          spec("clv_1d", 0, "Close location value: ((close - low) - (high - close)) / (high - "
               "low), -1 at the low to 1 at the high."),
          spec("clv_mean_20d", 19, "Mean close location value of the last 20 bars."),
          spec("nr7_1d", 6, "1 if the bar's range is narrower than each of the 6 bars before it "
               "(the NR7 contraction), else 0."),
          spec("inside_bar_1d", 1, "1 if the bar's high and low are inside the previous bar's "
               "(high <= previous high and low >= previous low), else 0.")],
         group="ranges", inputs=_OHLC)
def _ranges(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    o, h, lo, c = ctx.open, ctx.high, ctx.low, ctx.close
    rng = h - lo
    clv = _share((c - lo) - (h - c), rng)
    out = {
        "range_1d": rng / c,
        "range_ratio_1d_20d": ratio(rng, k.rolling_mean(rng, 20)),
        "upper_wick_frac_1d": _share(h - np.maximum(o, c), rng),
        "lower_wick_frac_1d": _share(np.minimum(o, c) - lo, rng),
        "clv_1d": clv,
        "clv_mean_20d": k.rolling_mean(clv, 20),
    }
    if "bop_1d" in wanted:
        out["bop_1d"] = ctx.indicator("bop", _OHLC)["bop"]
    if "nr7_1d" in wanted:
        prior = lag(k.rolling_extreme(rng, 6, False)[0], 1)
        out["nr7_1d"] = _flag(rng < prior, ~np.isnan(prior) & ~np.isnan(rng))
    if "inside_bar_1d" in wanted:
        ph, pl = lag(h, 1), lag(lo, 1)
        defined = ~(np.isnan(ph) | np.isnan(pl) | np.isnan(h) | np.isnan(lo))
        out["inside_bar_1d"] = _flag((h <= ph) & (lo >= pl), defined)
    return out
