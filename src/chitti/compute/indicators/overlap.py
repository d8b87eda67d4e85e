"""Overlap studies: moving averages and bands drawn on the price scale."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_common as kc
from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import Param as _Param
from chitti.compute.indicators.catalog import float_param, indicator, int_param
from chitti.errors import BadRequest

# Let LLVM fuse multiply-adds (TA-Lib 0.7+ computes these recursions with fma()); NaN and
# infinity semantics stay IEEE, only the rounding of a*b+c changes.
FMA = {"contract"}

P = dict[str, Any]

MATYPE_DOC = (
    "TA-Lib MAType: 0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA, 6 KAMA, 7 MAMA, 8 T3, "
    "9 HMA, 10 none, 11 the function's own default, 12 ZLEMA, 13 RMA (Wilder)"
)


def matype_param(name: str = "matype", default: int = 0) -> _Param:
    return int_param(name, default, 0, 13, MATYPE_DOC)


def resolve_matype(matype: int, own_default: int) -> int:
    return own_default if matype == km.DEFAULT else matype


def ma_lookback(period: int, matype: int) -> int:
    return int(km.ma_lookback(period, matype))


PERIOD_DOC = "number of bars in the window"


def _period(default: int, lo: int = 2) -> _Param:
    return int_param("timeperiod", default, lo, doc=PERIOD_DOC)


def _simple_ma(name: str, display: str, default: int, kernel: Any, lb: Any) -> None:
    def fn(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
        return (kernel(close, timeperiod, 0),)

    fn.__doc__ = f"{display} of the close over ``timeperiod`` bars (TA-Lib {name.upper()})."
    indicator(
        name,
        "overlap",
        display,
        inputs=("close",),
        params=(_period(default, 1),),
        lookback=lb,
        talib=name.upper(),
        streaming=name in ("sma", "ema", "wma", "rma"),
    )(fn)


def _lb0(p: P) -> int:
    return 0 if p["timeperiod"] <= 1 else p["timeperiod"] - 1


_simple_ma("sma", "Simple Moving Average", 30, km.sma, lambda p: p["timeperiod"] - 1)
_simple_ma("ema", "Exponential Moving Average", 30, km.ema, lambda p: p["timeperiod"] - 1)
_simple_ma("wma", "Weighted Moving Average", 30, km.wma, _lb0)
_simple_ma("dema", "Double Exponential Moving Average", 30, km.dema,
           lambda p: 2 * (p["timeperiod"] - 1))
_simple_ma("tema", "Triple Exponential Moving Average", 30, km.tema,
           lambda p: 3 * (p["timeperiod"] - 1))
_simple_ma("trima", "Triangular Moving Average", 30, km.trima, _lb0)
_simple_ma("kama", "Kaufman Adaptive Moving Average", 30, km.kama,
           lambda p: 0 if p["timeperiod"] == 1 else p["timeperiod"])
_simple_ma("rma", "Wilder's Smoothed Moving Average", 30, km.rma, lambda p: p["timeperiod"] - 1)
_simple_ma("hma", "Hull Moving Average", 20, km.hma, lambda p: ma_lookback(p["timeperiod"], km.HMA))
_simple_ma("zlema", "Zero-Lag Exponential Moving Average", 30, km.zlema,
           lambda p: ma_lookback(p["timeperiod"], km.ZLEMA) if p["timeperiod"] > 1 else 0)


@indicator(
    "t3", "overlap", "Triple Exponential Moving Average (T3)",
    inputs=("close",),
    params=(_period(5, 1), float_param("vfactor", 0.7, 0.0, 1.0, "volume factor")),
    lookback=lambda p: 6 * (p["timeperiod"] - 1),
    talib="T3",
)
def t3(close: np.ndarray, timeperiod: int, vfactor: float) -> tuple[np.ndarray, ...]:
    """Tillson's T3: six chained EMAs combined with the volume factor."""
    return (km.t3(close, timeperiod, vfactor, 0),)


@indicator(
    "ma", "overlap", "Moving Average",
    inputs=("close",),
    params=(_period(30, 1), matype_param()),
    lookback=lambda p: ma_lookback(p["timeperiod"], resolve_matype(p["matype"], 0)),
    talib="MA",
)
def ma(close: np.ndarray, timeperiod: int, matype: int) -> tuple[np.ndarray, ...]:
    """Moving average of any TA-Lib MAType."""
    return (km.ma(close, timeperiod, resolve_matype(matype, 0), 0),)


@indicator(
    "mama", "overlap", "MESA Adaptive Moving Average",
    inputs=("close",),
    params=(
        float_param("fastlimit", 0.5, 0.01, 0.99, "upper limit of the adaptive alpha"),
        float_param("slowlimit", 0.05, 0.01, 0.99, "lower limit of the adaptive alpha"),
    ),
    outputs=("mama", "fama"),
    lookback=lambda p: 32,
    talib="MAMA",
)
def mama(close: np.ndarray, fastlimit: float, slowlimit: float) -> tuple[np.ndarray, ...]:
    """Ehlers' MESA adaptive moving average and its following average (FAMA)."""
    return km.mama(close, fastlimit, slowlimit, 0)


@indicator(
    "ht_trendline", "overlap", "Hilbert Transform - Instantaneous Trendline",
    inputs=("close",),
    lookback=lambda p: 63,
    talib="HT_TRENDLINE",
)
def ht_trendline(close: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ehlers' instantaneous trendline over the dominant cycle period."""
    return (km.ht_trendline(close, 0),)


@njit(cache=True, nogil=True, error_model="numpy")
def _mavp(x: np.ndarray, periods: np.ndarray, lo: int, hi: int, matype: int) -> np.ndarray:
    n = x.shape[0]
    lb = km.ma_lookback(hi, matype)
    out = km.nans(n)
    if lb >= n:
        return out
    clamped = np.empty(n, dtype=np.int64)
    # Clamped as TA-Lib does, in floating point before the truncation to an integer: a
    # NaN (which compares false) takes minperiod, any value beyond maxperiod maxperiod.
    for i in range(lb, n):
        v = periods[i]
        if not v >= lo:
            clamped[i] = lo
        elif v > hi:
            clamped[i] = hi
        else:
            clamped[i] = int(v)
    done = np.zeros(hi + 1, dtype=np.bool_)
    for i in range(lb, n):
        p = clamped[i]
        if done[p]:
            continue
        done[p] = True
        m = km.ma(x, p, matype, lb)
        for j in range(i, n):
            if clamped[j] == p:
                out[j] = m[j]
    return out


@indicator(
    "mavp", "overlap", "Moving Average with Variable Period",
    inputs=("close", "periods"),
    params=(
        int_param("minperiod", 2, 1, doc="shortest period allowed"),
        int_param("maxperiod", 30, 2, doc="longest period allowed"),
        matype_param(),
    ),
    lookback=lambda p: ma_lookback(p["maxperiod"], resolve_matype(p["matype"], 0)),
    talib="MAVP",
)
def mavp(close: np.ndarray, periods: np.ndarray, minperiod: int, maxperiod: int,
         matype: int) -> tuple[np.ndarray, ...]:
    """Moving average whose period at each bar is read from the ``periods`` input."""
    if minperiod > maxperiod:
        raise BadRequest(f"mavp: minperiod={minperiod} is greater than maxperiod={maxperiod}")
    return (_mavp(close, periods, minperiod, maxperiod, resolve_matype(matype, 0)),)


@njit(cache=True, nogil=True, error_model="numpy")
def _bbands(x: np.ndarray, period: int, up: float, dn: float, matype: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = x.shape[0]
    middle = km.ma(x, period, matype, 0)
    first = max(km.ma_lookback(period, matype) if period > 1 else 0, period - 1)
    middle[: min(first, n)] = np.nan
    sd = kc.stddev(x, period, 1.0, first)
    upper = km.nans(n)
    lower = km.nans(n)
    for i in range(first, n):
        m = middle[i]
        s = sd[i]
        if up == dn:
            if up == 1.0:
                upper[i] = m + s
                lower[i] = m - s
            else:
                t = s * up
                upper[i] = m + t
                lower[i] = m - t
        else:
            if up == 1.0:
                upper[i] = m + s
            else:
                upper[i] = m + s * up
            if dn == 1.0:
                lower[i] = m - s
            else:
                lower[i] = m - s * dn
    return upper, middle, lower


@indicator(
    "bbands", "overlap", "Bollinger Bands",
    inputs=("close",),
    params=(
        _period(20),
        float_param("nbdevup", 2.0, doc="standard deviations above the middle band"),
        float_param("nbdevdn", 2.0, doc="standard deviations below the middle band"),
        matype_param(),
    ),
    outputs=("upperband", "middleband", "lowerband"),
    lookback=lambda p: max(ma_lookback(p["timeperiod"], resolve_matype(p["matype"], 0)),
                           p["timeperiod"] - 1),
    talib="BBANDS",
    streaming=True,
)
def bbands(close: np.ndarray, timeperiod: int, nbdevup: float, nbdevdn: float,
           matype: int) -> tuple[np.ndarray, ...]:
    """Moving average plus/minus a multiple of the population standard deviation."""
    return _bbands(close, timeperiod, nbdevup, nbdevdn, resolve_matype(matype, 0))


@njit(cache=True, nogil=True, error_model="numpy")
def _accbands(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = h.shape[0]
    b1 = np.empty(n)
    b2 = np.empty(n)
    for i in range(n):
        t = h[i] + lo[i]
        if not km._is_zero(t):
            t = 4 * (h[i] - lo[i]) / t
            b1[i] = h[i] * (1 + t)
            b2[i] = lo[i] * (1 - t)
        else:
            b1[i] = h[i]
            b2[i] = lo[i]
    return km.sma(b1, period, 0), km.sma(c, period, 0), km.sma(b2, period, 0)


@indicator(
    "accbands", "overlap", "Acceleration Bands",
    inputs=("high", "low", "close"),
    params=(_period(20),),
    outputs=("upperband", "middleband", "lowerband"),
    lookback=lambda p: p["timeperiod"] - 1,
    talib="ACCBANDS",
)
def accbands(high: np.ndarray, low: np.ndarray, close: np.ndarray,
             timeperiod: int) -> tuple[np.ndarray, ...]:
    """Headley's acceleration bands: SMAs of width-scaled highs, closes and lows."""
    return _accbands(high, low, close, timeperiod)


@njit(cache=True, nogil=True, error_model="numpy")
def _donchian(h: np.ndarray, lo: np.ndarray, period: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    up = kc.rolling_max(h, period, 0)[0]
    dn = kc.rolling_min(lo, period, 0)[0]
    mid = (up + dn) / 2.0
    return up, mid, dn


@indicator(
    "donchian", "overlap", "Donchian Channels",
    inputs=("high", "low"),
    params=(_period(20),),
    outputs=("upperband", "middleband", "lowerband"),
    lookback=lambda p: p["timeperiod"] - 1,
    talib="DONCHIAN",
)
def donchian(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Highest high, lowest low and their midpoint over ``timeperiod`` bars."""
    return _donchian(high, low, timeperiod)


@njit(cache=True, nogil=True, error_model="numpy")
def _kc(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int, atrp: int, nbdev: float
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = h.shape[0]
    lb = max(period - 1, atrp)
    up = km.nans(n)
    mid = km.nans(n)
    dn = km.nans(n)
    if lb >= n:
        return up, mid, dn
    tp = (h + lo + c) / 3.0
    f = lb - (period - 1)
    m = km.nans(n)
    m[f:] = km.ema(tp[f:], period, 0)
    a = kc.atr(h, lo, c, atrp, lb)
    for i in range(lb, n):
        t = a[i] * nbdev
        mid[i] = m[i]
        up[i] = m[i] + t
        dn[i] = m[i] - t
    return up, mid, dn


@indicator(
    "kc", "overlap", "Keltner Channels",
    inputs=("high", "low", "close"),
    params=(
        _period(20),
        int_param("atrperiod", 10, 1, doc="ATR period"),
        float_param("nbdev", 2.0, doc="ATR multiple of the band width"),
    ),
    outputs=("upperband", "middleband", "lowerband"),
    lookback=lambda p: max(p["timeperiod"] - 1, p["atrperiod"]),
    talib="KC",
)
def kc_(high: np.ndarray, low: np.ndarray, close: np.ndarray, timeperiod: int, atrperiod: int,
        nbdev: float) -> tuple[np.ndarray, ...]:
    """EMA of the typical price plus/minus ``nbdev`` ATRs."""
    return _kc(high, low, close, timeperiod, atrperiod, nbdev)


@njit(cache=True, nogil=True, error_model="numpy")
def _mid(h: np.ndarray, lo: np.ndarray, period: int) -> np.ndarray:
    # (highest h + lowest lo) / 2 over the window, from TA-Lib 0.8's MAX/MIN blocks (which
    # also decide how an interior NaN counts)
    hi, low = kc.block_extremes(h, lo, period)
    mid: np.ndarray = (hi + low) / 2.0
    return mid


@indicator(
    "midpoint", "overlap", "MidPoint over period",
    inputs=("close",), params=(_period(14),),
    lookback=lambda p: p["timeperiod"] - 1, talib="MIDPOINT",
)
def midpoint(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Mean of the highest and lowest close over ``timeperiod`` bars."""
    return (_mid(close, close, timeperiod),)


@indicator(
    "midprice", "overlap", "Midpoint Price over period",
    inputs=("high", "low"), params=(_period(14),),
    lookback=lambda p: p["timeperiod"] - 1, talib="MIDPRICE",
)
def midprice(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Mean of the highest high and lowest low over ``timeperiod`` bars."""
    return (_mid(high, low, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _sar_ext(h: np.ndarray, lo: np.ndarray, start_value: float, offset: float,
             ai_long: float, a_long: float, am_long: float,
             ai_short: float, a_short: float, am_short: float, signed: bool) -> np.ndarray:
    n = h.shape[0]
    out = km.nans(n)
    if n < 2:
        return out
    if ai_long > am_long:
        ai_long = am_long
    if a_long > am_long:
        a_long = am_long
    if ai_short > am_short:
        ai_short = am_short
    if a_short > am_short:
        a_short = am_short
    af_long = ai_long
    af_short = ai_short
    today = 1
    if start_value == 0.0:
        diff_p = h[1] - h[0]
        diff_m = lo[0] - lo[1]
        minus_dm = diff_m if (diff_m > 0 and diff_p < diff_m) else 0.0
        is_long = not (minus_dm > 0)
    else:
        is_long = start_value > 0
    new_high = h[0]
    new_low = lo[0]
    if start_value == 0.0:
        if is_long:
            ep = h[today]
            sar = new_low
        else:
            ep = lo[today]
            sar = new_high
    elif start_value > 0:
        ep = h[today]
        sar = start_value
    else:
        ep = lo[today]
        sar = abs(start_value)
    new_low = lo[today]
    new_high = h[today]
    while today < n:
        prev_low = new_low
        prev_high = new_high
        new_low = lo[today]
        new_high = h[today]
        i = today
        today += 1
        if is_long:
            if new_low <= sar:
                is_long = False
                sar = ep
                if sar < prev_high:
                    sar = prev_high
                if sar < new_high:
                    sar = new_high
                if offset != 0.0:
                    sar += sar * offset
                out[i] = -sar if signed else sar
                af_short = ai_short
                ep = new_low
                sar = sar + af_short * (ep - sar)
                if sar < prev_high:
                    sar = prev_high
                if sar < new_high:
                    sar = new_high
            else:
                out[i] = sar
                if new_high > ep:
                    ep = new_high
                    af_long += a_long
                    if af_long > am_long:
                        af_long = am_long
                sar = sar + af_long * (ep - sar)
                if sar > prev_low:
                    sar = prev_low
                if sar > new_low:
                    sar = new_low
        else:
            if new_high >= sar:
                is_long = True
                sar = ep
                if sar > prev_low:
                    sar = prev_low
                if sar > new_low:
                    sar = new_low
                if offset != 0.0:
                    sar -= sar * offset
                out[i] = sar
                af_long = ai_long
                ep = new_high
                sar = sar + af_long * (ep - sar)
                if sar > prev_low:
                    sar = prev_low
                if sar > new_low:
                    sar = new_low
            else:
                out[i] = -sar if signed else sar
                if new_low < ep:
                    ep = new_low
                    af_short += a_short
                    if af_short > am_short:
                        af_short = am_short
                sar = sar + af_short * (ep - sar)
                if sar < prev_high:
                    sar = prev_high
                if sar < new_high:
                    sar = new_high
    return out


_ACC = "acceleration factor"


@indicator(
    "sar", "overlap", "Parabolic SAR",
    inputs=("high", "low"),
    params=(float_param("acceleration", 0.02, 0.0, doc=_ACC + " step"),
            float_param("maximum", 0.2, 0.0, doc="maximum " + _ACC)),
    lookback=lambda p: 1, talib="SAR",
)
def sar(high: np.ndarray, low: np.ndarray, acceleration: float,
        maximum: float) -> tuple[np.ndarray, ...]:
    """Wilder's parabolic stop-and-reverse."""
    a = min(acceleration, maximum)
    return (_sar_ext(high, low, 0.0, 0.0, a, a, maximum, a, a, maximum, False),)


@indicator(
    "sarext", "overlap", "Parabolic SAR - Extended",
    inputs=("high", "low"),
    params=(
        float_param("startvalue", 0.0, doc="start value; >0 long, <0 short, 0 auto"),
        float_param("offsetonreverse", 0.0, 0.0, doc="percent offset added on reversal"),
        float_param("accelerationinitlong", 0.02, 0.0, doc="initial long " + _ACC),
        float_param("accelerationlong", 0.02, 0.0, doc="long " + _ACC + " step"),
        float_param("accelerationmaxlong", 0.2, 0.0, doc="maximum long " + _ACC),
        float_param("accelerationinitshort", 0.02, 0.0, doc="initial short " + _ACC),
        float_param("accelerationshort", 0.02, 0.0, doc="short " + _ACC + " step"),
        float_param("accelerationmaxshort", 0.2, 0.0, doc="maximum short " + _ACC),
    ),
    lookback=lambda p: 1, talib="SAREXT",
)
def sarext(high: np.ndarray, low: np.ndarray, startvalue: float, offsetonreverse: float,
           accelerationinitlong: float, accelerationlong: float, accelerationmaxlong: float,
           accelerationinitshort: float, accelerationshort: float,
           accelerationmaxshort: float) -> tuple[np.ndarray, ...]:
    """Parabolic SAR with separate long/short factors; short values are negative."""
    return (_sar_ext(high, low, startvalue, offsetonreverse, accelerationinitlong,
                     accelerationlong, accelerationmaxlong, accelerationinitshort,
                     accelerationshort, accelerationmaxshort, True),)


@njit(cache=True, nogil=True, error_model="numpy")
def _vwma(c: np.ndarray, v: np.ndarray, period: int) -> np.ndarray:
    n = c.shape[0]
    if period == 1:
        return c.copy()
    out = km.nans(n)
    if period - 1 >= n:
        return out
    spv = 0.0
    sv = 0.0
    for i in range(period - 1):
        pv = c[i] * v[i]
        spv += pv
        sv += v[i]
    for i in range(period - 1, n):
        pv = c[i] * v[i]
        spv += pv
        sv += v[i]
        out[i] = spv / sv
        j = i - period + 1
        pv = c[j] * v[j]
        spv -= pv
        sv -= v[j]
    return out


@indicator(
    "vwma", "overlap", "Volume Weighted Moving Average",
    inputs=("close", "volume"), params=(_period(30, 1),),
    lookback=lambda p: p["timeperiod"] - 1, talib="VWMA",
)
def vwma(close: np.ndarray, volume: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Sum of close x volume over sum of volume, over ``timeperiod`` bars."""
    return (_vwma(close, volume, timeperiod),)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def _supertrend(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int, mult: float
                ) -> tuple[np.ndarray, np.ndarray]:
    n = h.shape[0]
    lb = period
    line = kc.head_nan(n, lb)
    trend = kc.head_nan(n, lb)
    if lb >= n:
        return line, trend
    beta = (period - 1) / period
    alpha = 1.0 - beta
    total = 0.0
    for i in range(1, period + 1):
        total += kc.true_range_at(h, lo, c, i)
    a = total / period
    line[lb] = 0.0  # written below; keeps the NaN head only on the warm-up
    mp = (h[lb] + lo[lb]) / 2.0
    band = mult * a
    fu = mp + band
    fl = mp - band
    up = True
    prev_close = c[lb]
    line[lb] = fl
    trend[lb] = 1.0
    for i in range(lb + 1, n):
        a = beta * a + alpha * kc.true_range_at(h, lo, c, i)
        mp = (h[i] + lo[i]) / 2.0
        band = mult * a
        bu = mp + band
        bl = mp - band
        if bu < fu or prev_close > fu:
            fu = bu
        if bl > fl or prev_close < fl:
            fl = bl
        ct = c[i]
        if up:
            if ct < fl:
                up = False
        elif ct > fu:
            up = True
        if up:
            line[i] = fl
            trend[i] = 1.0
        else:
            line[i] = fu
            trend[i] = -1.0
        prev_close = ct
    return line, trend


@indicator(
    "supertrend", "overlap", "SuperTrend",
    inputs=("high", "low", "close"),
    params=(_period(10), float_param("multiplier", 3.0, 0.0, doc="ATR multiple")),
    outputs=("supertrend", "trend"),
    lookback=lambda p: p["timeperiod"], talib="SUPERTREND", streaming=True,
)
def supertrend(high: np.ndarray, low: np.ndarray, close: np.ndarray, timeperiod: int,
               multiplier: float) -> tuple[np.ndarray, ...]:
    """ATR trailing stop; ``trend`` is +1 (line below price) or -1 (line above)."""
    return _supertrend(high, low, close, timeperiod, multiplier)

