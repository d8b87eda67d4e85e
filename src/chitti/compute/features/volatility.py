"""Volatility features: close-to-close, range-based estimators, ATR, higher moments.

All volatilities are per day (not annualised) and in log-return units; multiply by
sqrt(252) for an annual figure.
"""

from __future__ import annotations

import math

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, lag, ratio
from chitti.compute.features.catalog import feature, spec

_VOL_BARS = (5, 10, 20, 60, 120, 252)
_VOL_RATIOS = ((5, 60), (20, 252))
_DOWN_BARS = (20, 60)
_PARKINSON_BARS = (10, 20, 60)
_GK_BARS = (10, 20, 60)
_RS_BARS = (20, 60)
_YZ_BARS = (20, 60)
_NATR_BARS = (7, 14, 28)
_ATR_BARS = 14


def _sqrt(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out: np.ndarray = np.sqrt(x)  # a negative mean (possible for Garman-Klass) is NaN
    return out


@feature([spec(f"vol_{n}d", n, f"Standard deviation (ddof 1) of the last {n} daily log "
               "returns.") for n in _VOL_BARS]
         + [spec(f"vol_ratio_{a}d_{b}d", b, f"vol_{a}d over vol_{b}d: recent against longer-run "
                 "volatility.") for a, b in _VOL_RATIOS]
         + [spec(f"downside_vol_{n}d", n, f"Downside semi-deviation: sqrt(mean(min(r, 0)^2)) of "
                 f"the last {n} daily log returns r.") for n in _DOWN_BARS],
         group="volatility", inputs=("close",))
def _close_to_close(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out = {f"vol_{n}d": ctx.vol(n) for n in _VOL_BARS if f"vol_{n}d" in wanted}
    for a, b in _VOL_RATIOS:
        if f"vol_ratio_{a}d_{b}d" in wanted:
            out[f"vol_ratio_{a}d_{b}d"] = ratio(ctx.vol(a), ctx.vol(b))
    r = ctx.log_ret()
    for n in _DOWN_BARS:
        if f"downside_vol_{n}d" in wanted:
            out[f"downside_vol_{n}d"] = np.sqrt(k.rolling_mean(np.minimum(r, 0.0) ** 2, n))
    return out


def _rs_term(ctx: BarContext) -> np.ndarray:
    def make() -> np.ndarray:
        h, lo, o, c = ctx.high, ctx.low, ctx.open, ctx.close
        term: np.ndarray = (np.log(h / c) * np.log(h / o) + np.log(lo / c) * np.log(lo / o))
        return term

    return ctx.cached("rs_term", make)


@feature([spec(f"parkinson_{n}d", n - 1, f"Parkinson volatility: sqrt(mean(ln(H/L)^2) / "
               f"(4 ln 2)) over the last {n} bars.") for n in _PARKINSON_BARS]
         + [spec(f"garman_klass_{n}d", n - 1, "Garman-Klass volatility: sqrt(mean(0.5 ln(H/L)^2 "
                 f"- (2 ln 2 - 1) ln(C/O)^2)) over the last {n} bars (NaN if the mean is "
                 "negative).") for n in _GK_BARS]
         + [spec(f"rogers_satchell_{n}d", n - 1, "Rogers-Satchell volatility: sqrt(mean(ln(H/C) "
                 f"ln(H/O) + ln(L/C) ln(L/O))) over the last {n} bars (drift-free).")
            for n in _RS_BARS],
         group="volatility", inputs=("open", "high", "low", "close"))
def _range_estimators(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    hl2 = np.log(ctx.high / ctx.low) ** 2
    for n in _PARKINSON_BARS:
        if f"parkinson_{n}d" in wanted:
            out[f"parkinson_{n}d"] = _sqrt(k.rolling_mean(hl2, n) / (4.0 * math.log(2.0)))
    if any(f"garman_klass_{n}d" in wanted for n in _GK_BARS):
        gk = 0.5 * hl2 - (2.0 * math.log(2.0) - 1.0) * np.log(ctx.close / ctx.open) ** 2
        for n in _GK_BARS:
            out[f"garman_klass_{n}d"] = _sqrt(k.rolling_mean(gk, n))
    for n in _RS_BARS:
        if f"rogers_satchell_{n}d" in wanted:
            out[f"rogers_satchell_{n}d"] = _sqrt(k.rolling_mean(_rs_term(ctx), n))
    return out


@feature([spec(f"yang_zhang_{n}d", n, "Yang-Zhang volatility over the last "
               f"{n} bars: sqrt(var(overnight) + k var(open-to-close) + (1 - k) mean(RS)), "
               "k = 0.34 / (1.34 + (n + 1) / (n - 1)), log returns, ddof 1.") for n in _YZ_BARS],
         group="volatility", inputs=("open", "high", "low", "close"))
def _yang_zhang(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    overnight = np.log(ratio(ctx.open, lag(ctx.close, 1)))
    intraday = np.log(ctx.close / ctx.open)
    for n in _YZ_BARS:
        if f"yang_zhang_{n}d" not in wanted:
            continue
        w = 0.34 / (1.34 + (n + 1) / (n - 1))
        var_o = k.rolling_comoments(overnight, overnight, n)[0] / (n - 1)
        # the open-to-close and RS terms over the same n bars as the overnight returns
        var_c = k.rolling_comoments(intraday, intraday, n)[0] / (n - 1)
        rs = k.rolling_mean(_rs_term(ctx), n)
        out[f"yang_zhang_{n}d"] = _sqrt(var_o + w * var_c + (1.0 - w) * rs)
    return out


@feature([spec(f"natr_{n}d_pct", n, f"TA-Lib NATR: the {n}-bar Wilder average true range as a "
               "percentage of the close.") for n in _NATR_BARS]
         + [spec(f"atr_{_ATR_BARS}d_inr", _ATR_BARS, f"TA-Lib ATR: the {_ATR_BARS}-bar Wilder "
                 "average true range, in rupees (for stop distances).")],
         group="volatility", inputs=("high", "low", "close"))
def _atr(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    hlc = ("high", "low", "close")
    out = {f"natr_{n}d_pct": ctx.indicator("natr", hlc, timeperiod=n)["natr"]
           for n in _NATR_BARS if f"natr_{n}d_pct" in wanted}
    if f"atr_{_ATR_BARS}d_inr" in wanted:
        out[f"atr_{_ATR_BARS}d_inr"] = ctx.indicator("atr", hlc, timeperiod=_ATR_BARS)["atr"]
    return out


@feature([spec("skew_20d", 20, "Sample skewness (bias-corrected, as pandas) of the last 20 "
               "daily log returns."),
          spec("skew_60d", 60, "Sample skewness (bias-corrected) of the last 60 daily log "
               "returns."),
          spec("kurt_60d", 60, "Excess kurtosis (bias-corrected, as pandas) of the last 60 daily "
               "log returns.")],
         group="volatility", inputs=("close",))
def _moments(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    r = ctx.log_ret()
    if "skew_20d" in wanted:
        out["skew_20d"] = k.rolling_skew_kurt(r, 20)[0]
    if "skew_60d" in wanted or "kurt_60d" in wanted:
        sk = k.rolling_skew_kurt(r, 60)
        out["skew_60d"], out["kurt_60d"] = sk[0], sk[1]
    return out
