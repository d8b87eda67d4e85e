"""Volume and liquidity features: relative volume, turnover, Amihud illiquidity, flows.

Turnover is close x volume in crore rupees (1 crore = 1e7), the unit Indian market data
quotes it in.
"""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, lag, ratio
from chitti.compute.features.catalog import feature, spec

CRORE = 1e7
_TURNOVER_BARS = (20, 60)
_RATIO_BARS = (5, 20, 60)
_Z_BARS = (20, 60)
_MA_RATIOS = ((5, 20), (20, 120))
_AMIHUD_BARS = (20, 60)
_CORR_BARS = (20, 60)
_UP_BARS = (20, 60)


def _turnover(ctx: BarContext) -> np.ndarray:
    return ctx.cached("turnover", lambda: ctx.close * ctx.volume / CRORE)


def _vmean(ctx: BarContext, n: int) -> np.ndarray:
    return ctx.rolling_mean("volume", lambda: ctx.volume, n)


@feature([spec("turnover_1d_crore", 0, "Traded value of the bar: close x volume, in crore "
               "rupees.")]
         + [spec(f"turnover_{n}d_crore", n - 1, f"Mean daily traded value (close x volume) of "
                 f"the last {n} bars, in crore rupees.") for n in _TURNOVER_BARS]
         + [spec(f"amihud_{n}d", n, f"Amihud illiquidity: mean of |daily return| / turnover in "
                 f"crore over the bars of the last {n} that traded (volume > 0).")
            for n in _AMIHUD_BARS],
         group="volume", inputs=("close", "volume"))
def _liquidity(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    tv = _turnover(ctx)
    if "turnover_1d_crore" in wanted:
        out["turnover_1d_crore"] = tv
    for n in _TURNOVER_BARS:
        if f"turnover_{n}d_crore" in wanted:
            out[f"turnover_{n}d_crore"] = ctx.rolling_mean("turnover", lambda: tv, n)
    traded = np.where(np.isnan(tv), np.nan, (tv > 0).astype(np.float64))
    impact = np.where(tv > 0, np.abs(ctx.simple_ret()) / np.where(tv > 0, tv, 1.0), 0.0)
    impact[np.isnan(ctx.simple_ret())] = np.nan
    for n in _AMIHUD_BARS:
        if f"amihud_{n}d" in wanted:
            out[f"amihud_{n}d"] = ratio(k.rolling_mean(impact, n), k.rolling_mean(traded, n))
    return out


@feature([spec(f"volume_ratio_{n}d", n - 1, f"Volume over its mean of the last {n} bars "
               "(today included).") for n in _RATIO_BARS]
         + [spec(f"volume_z_{n}d", n - 1, f"Volume z-score against the last {n} bars (today "
                 "included): (volume - mean) / std, ddof 1.") for n in _Z_BARS]
         + [spec(f"volume_ma_ratio_{a}d_{b}d", b - 1, f"{a}-bar over {b}-bar mean volume: "
                 "whether activity is building up.") for a, b in _MA_RATIOS]
         + [spec("volume_cv_20d", 19, "Coefficient of variation of volume over the last 20 "
                 "bars: std (ddof 1) / mean."),
            spec("volume_chg_1d", 1, "Log change of volume from the previous bar: "
                 "ln((volume_t + 1) / (volume_(t-1) + 1)).")],
         group="volume", inputs=("volume",))
def _relative_volume(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    v = ctx.volume
    out = {f"volume_ratio_{n}d": ratio(v, _vmean(ctx, n))
           for n in _RATIO_BARS if f"volume_ratio_{n}d" in wanted}
    for n in _Z_BARS:
        if f"volume_z_{n}d" in wanted:
            m = k.rolling_comoments(v, v, n)
            out[f"volume_z_{n}d"] = ratio(v - m[3], np.sqrt(m[0] / (n - 1)))
    for a, b in _MA_RATIOS:
        if f"volume_ma_ratio_{a}d_{b}d" in wanted:
            out[f"volume_ma_ratio_{a}d_{b}d"] = ratio(_vmean(ctx, a), _vmean(ctx, b))
    if "volume_cv_20d" in wanted:
        out["volume_cv_20d"] = ratio(k.rolling_std(v, 20, 1), _vmean(ctx, 20))
    if "volume_chg_1d" in wanted:
        out["volume_chg_1d"] = _log_volume_change(ctx)
    return out


def _log_volume_change(ctx: BarContext) -> np.ndarray:
    def make() -> np.ndarray:
        lv = np.log1p(ctx.volume)
        out: np.ndarray = lv - lag(lv, 1)
        return out

    return ctx.cached("log_volume_chg", make)


def _corr(x: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    m = k.rolling_comoments(x, y, n)
    with np.errstate(invalid="ignore"):
        return ratio(m[2], np.sqrt(m[0] * m[1]))


@feature([spec(f"corr_close_volume_{n}d", n - 1, f"Correlation of close and ln(1 + volume) over "
               f"the last {n} bars (price-volume agreement).") for n in _CORR_BARS]
         + [spec("corr_ret_volume_chg_20d", 20, "Correlation of daily log return and log volume "
                 "change over the last 20 bars.")]
         + [spec(f"up_volume_frac_{n}d", n, f"Share of the last {n} bars' volume traded on bars "
                 "that closed above the previous close.") for n in _UP_BARS],
         group="volume", inputs=("close", "volume"))
def _price_volume(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for n in _CORR_BARS:
        if f"corr_close_volume_{n}d" in wanted:
            out[f"corr_close_volume_{n}d"] = _corr(ctx.close, np.log1p(ctx.volume), n)
    if "corr_ret_volume_chg_20d" in wanted:
        out["corr_ret_volume_chg_20d"] = _corr(ctx.log_ret(), _log_volume_change(ctx), 20)
    r = ctx.log_ret()
    up_vol = np.where(np.isnan(r), np.nan, np.where(r > 0, ctx.volume, 0.0))
    for n in _UP_BARS:
        if f"up_volume_frac_{n}d" in wanted:
            total = k.rolling_mean(np.where(np.isnan(r), np.nan, ctx.volume), n)
            out[f"up_volume_frac_{n}d"] = ratio(k.rolling_mean(up_vol, n), total)
    return out


@feature([spec("cmf_20d", 19, "Chaikin money flow over 20 bars: sum(((C - L) - (H - C)) / (H - L) "
               "x volume) / sum(volume), a bar with H = L counting 0."),
          spec("close_to_vwap_20d", 19, "Close over the 20-bar volume-weighted average of the "
               "typical price (H + L + C) / 3, minus 1.")],
         group="volume", inputs=("high", "low", "close", "volume"))
def _flows(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    h, lo, c, v = ctx.high, ctx.low, ctx.close, ctx.volume
    if "cmf_20d" in wanted:
        mfm = np.where(h > lo, ((c - lo) - (h - c)) / np.where(h > lo, h - lo, 1.0), 0.0)
        mfm[np.isnan(h) | np.isnan(lo) | np.isnan(c)] = np.nan
        out["cmf_20d"] = ratio(k.rolling_mean(mfm * v, 20), _vmean(ctx, 20))
    if "close_to_vwap_20d" in wanted:
        pv = k.rolling_mean((h + lo + c) / 3.0 * v, 20)
        out["close_to_vwap_20d"] = ratio(c, ratio(pv, _vmean(ctx, 20))) - 1.0
    return out
