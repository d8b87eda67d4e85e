"""Trend features: distance from moving averages, average crossovers, log-price regression."""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, ratio
from chitti.compute.features.catalog import feature, spec

_SMA_BARS = (5, 10, 20, 50, 100, 200)
_CROSS = ((5, 20), (20, 50), (50, 200))
_REG_BARS = (20, 60, 120)


def _sma(ctx: BarContext, n: int) -> np.ndarray:
    return ctx.rolling_mean("close", lambda: ctx.close, n)


@feature([spec(f"close_to_sma_{n}d", n - 1, f"Close over its {n}-bar simple moving average, "
               "minus 1.") for n in _SMA_BARS]
         + [spec(f"sma_{a}d_{b}d_ratio", b - 1, f"{a}-bar over {b}-bar simple moving average of "
                 "the close, minus 1 (a crossover, as a distance).") for a, b in _CROSS],
         group="trend", inputs=("close",))
def _moving_averages(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out = {f"close_to_sma_{n}d": ratio(ctx.close, _sma(ctx, n)) - 1.0
           for n in _SMA_BARS if f"close_to_sma_{n}d" in wanted}
    for a, b in _CROSS:
        if f"sma_{a}d_{b}d_ratio" in wanted:
            out[f"sma_{a}d_{b}d_ratio"] = ratio(_sma(ctx, a), _sma(ctx, b)) - 1.0
    return out


@feature([spec(f"trend_slope_{n}d", n - 1, f"Least-squares slope of log close on the bar index "
               f"over the last {n} bars: the trend's growth per bar, as a fraction.")
          for n in _REG_BARS]
         + [spec(f"trend_r2_{n}d", n - 1, f"R-squared of that {n}-bar regression of log close on "
                 "the bar index: how straight the trend is (0-1).") for n in _REG_BARS],
         group="trend", inputs=("close",))
def _regression(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for n in _REG_BARS:
        if f"trend_slope_{n}d" in wanted or f"trend_r2_{n}d" in wanted:
            res = k.rolling_trend(ctx.log_close(), n)
            out[f"trend_slope_{n}d"] = res[0]
            out[f"trend_r2_{n}d"] = res[1]
    return out
