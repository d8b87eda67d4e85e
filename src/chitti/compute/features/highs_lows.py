"""Distance from recent highs and lows, position in the range, and how long ago they were."""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, ratio
from chitti.compute.features.catalog import feature, spec

_DIST_BARS = (20, 60, 120, 252)
_POS_BARS = (60, 252)
_SINCE_BARS = (20, 60, 252)


def _highest(ctx: BarContext, n: int) -> np.ndarray:
    return ctx.cached(("highest", n), lambda: k.rolling_extreme(ctx.high, n, True))


def _lowest(ctx: BarContext, n: int) -> np.ndarray:
    return ctx.cached(("lowest", n), lambda: k.rolling_extreme(ctx.low, n, False))


@feature([spec(f"dist_high_{n}d", n - 1, f"Close over the highest high of the last {n} bars, "
               "minus 1 (0 at a new high, negative below it).") for n in _DIST_BARS]
         + [spec(f"dist_low_{n}d", n - 1, f"Close over the lowest low of the last {n} bars, "
                 "minus 1 (positive above it).") for n in _DIST_BARS]
         + [spec(f"pos_in_range_{n}d", n - 1, f"Where the close sits in the last {n} bars' "
                 "range: (close - lowest low) / (highest high - lowest low), 0-1.")
            for n in _POS_BARS],
         group="highs_lows", inputs=("high", "low", "close"))
def _distances(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    c = ctx.close
    out = {f"dist_high_{n}d": ratio(c, _highest(ctx, n)[0]) - 1.0
           for n in _DIST_BARS if f"dist_high_{n}d" in wanted}
    for n in _DIST_BARS:
        if f"dist_low_{n}d" in wanted:
            out[f"dist_low_{n}d"] = ratio(c, _lowest(ctx, n)[0]) - 1.0
    for n in _POS_BARS:
        if f"pos_in_range_{n}d" in wanted:
            hh, ll = _highest(ctx, n)[0], _lowest(ctx, n)[0]
            out[f"pos_in_range_{n}d"] = ratio(c - ll, hh - ll)
    return out


@feature([spec(f"days_since_high_{n}d", n - 1, f"Bars since the highest high of the last {n} "
               "bars was last touched (0 = today).") for n in _SINCE_BARS]
         + [spec(f"days_since_low_{n}d", n - 1, f"Bars since the lowest low of the last {n} bars "
                 "was last touched (0 = today).") for n in _SINCE_BARS],
         group="highs_lows", inputs=("high", "low"))
def _recency(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out = {f"days_since_high_{n}d": _highest(ctx, n)[1]
           for n in _SINCE_BARS if f"days_since_high_{n}d" in wanted}
    for n in _SINCE_BARS:
        if f"days_since_low_{n}d" in wanted:
            out[f"days_since_low_{n}d"] = _lowest(ctx, n)[1]
    return out
