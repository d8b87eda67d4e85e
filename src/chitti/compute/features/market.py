"""Market features: beta, correlation and relative strength against the benchmark (NIFTY 50).

A symbol's return over one of its bars is paired with the benchmark's return over the same
span: the benchmark's last close at or before each of the symbol's bar dates (a symbol
that skipped days is compared over the same skipped days), carried over at most
``STALE_DATES`` dates without a benchmark bar (NaN after that). Without a benchmark in the
panel these features are NaN. The ``bench_*`` features describe the benchmark itself (the
market regime), on the benchmark's own bars, as known at each date.
"""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, DateContext, lag, ratio
from chitti.compute.features.catalog import feature, spec

#: dates the benchmark's last close (and its features) stand in for it when it has no bar
STALE_DATES = 5
_BETA_BARS = (60, 120, 252)
_IDIO_BARS = (60, 252)
_DOWN_BARS = 252
_RS_BARS = (20, 60, 120, 252)
_BENCH_RET_BARS = (1, 5, 20)


def _comoments(ctx: BarContext, n: int) -> np.ndarray:
    return ctx.cached(("beta", n), lambda: k.rolling_comoments(ctx.simple_ret(),
                                                                 ctx.bench_ret(), n))


@feature([spec(f"beta_{n}d", n, f"Beta to the benchmark over the last {n} bars: cov(r, r_b) / "
               "var(r_b) of daily simple returns.") for n in _BETA_BARS]
         + [spec(f"corr_{n}d", n, f"Correlation of daily simple returns with the benchmark's "
                 f"over the last {n} bars.") for n in _BETA_BARS]
         + [spec(f"idio_vol_{n}d", n, f"Idiosyncratic volatility: std (ddof 1) of the residuals "
                 f"of the {n}-bar regression of daily returns on the benchmark's, "
                 "sqrt(var(r) (1 - corr^2)).") for n in _IDIO_BARS]
         + [spec(f"downside_beta_{_DOWN_BARS}d", _DOWN_BARS, "Beta to the benchmark over the "
                 f"bars of the last {_DOWN_BARS} on which the benchmark fell.")],
         group="market", inputs=("close", "benchmark"))
def _beta(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for n in sorted({*_BETA_BARS, *_IDIO_BARS}):
        if not any(f"{f}_{n}d" in wanted for f in ("beta", "corr", "idio_vol")):
            continue
        m = _comoments(ctx, n)
        with np.errstate(invalid="ignore"):
            corr = ratio(m[2], np.sqrt(m[0] * m[1]))
        out[f"beta_{n}d"] = ratio(m[2], m[1])
        out[f"corr_{n}d"] = corr
        out[f"idio_vol_{n}d"] = np.sqrt(np.maximum(m[0] - ratio(m[2] ** 2, m[1]), 0.0) / (n - 1))
    if f"downside_beta_{_DOWN_BARS}d" in wanted:
        out[f"downside_beta_{_DOWN_BARS}d"] = k.rolling_downside_beta(
            ctx.simple_ret(), ctx.bench_ret(), _DOWN_BARS)
    return out


@feature([spec(f"rs_{n}d", n, f"Relative strength: the symbol's return over its last {n} bars "
               "against the benchmark's over the same span, (1 + r) / (1 + r_b) - 1.")
          for n in _RS_BARS],
         group="market", inputs=("close", "benchmark"))
def _relative_strength(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    c = ctx.close
    b = ctx.benchmark if ctx.benchmark is not None else np.full(c.shape, np.nan)
    return {f"rs_{n}d": ratio(ratio(c, lag(c, n)), ratio(b, lag(b, n))) - 1.0
            for n in _RS_BARS if f"rs_{n}d" in wanted}


@feature([spec(f"bench_ret_{n}d", n, f"The benchmark's simple return over its last {n} bar(s) "
               "(the market's move; the same for every symbol).") for n in _BENCH_RET_BARS]
         + [spec("bench_vol_20d", 20, "Standard deviation (ddof 1) of the benchmark's last 20 "
                 "daily log returns (the market's volatility regime)."),
            spec("bench_dist_high_252d", 251, "The benchmark's close over its highest close of "
                 "the last 252 bars, minus 1 (the market's drawdown).")],
         group="market", inputs=("close", "benchmark"), layout="dates")
def _benchmark(ctx: DateContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    n_dates = ctx.has_bar.shape[0]
    if ctx.benchmark is None:
        return {name: np.full(ctx.has_bar.shape, np.nan) for name in wanted}
    has = ~np.isnan(ctx.benchmark)
    b = ctx.benchmark[has][None, :]
    own = {f"bench_ret_{n}d": ratio(b, lag(b, n)) - 1.0 for n in _BENCH_RET_BARS}
    own["bench_vol_20d"] = k.rolling_std(np.log(b) - np.log(lag(b, 1)), 20, 1)
    own["bench_dist_high_252d"] = ratio(b, k.rolling_extreme(b, 252, True)[0]) - 1.0
    out = {}
    for name, v in own.items():
        if name in wanted:
            on_dates = np.full(n_dates, np.nan)
            on_dates[has] = v[0]
            out[name] = ctx.on_bars(k.ffill(on_dates, STALE_DATES))
    return out
