"""Volatility indicators: true range, ATR and relatives."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_common as kc
from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import indicator, int_param

HLC = ("high", "low", "close")


@indicator("trange", "volatility", "True Range", inputs=HLC, lookback=lambda p: 1,
           talib="TRANGE")
def trange(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> tuple[np.ndarray, ...]:
    """Greatest of high-low, |high-prev close| and |low-prev close|."""
    return (kc.trange(high, low, close),)


@indicator("atr", "volatility", "Average True Range", inputs=HLC,
           params=(int_param("timeperiod", 14, 1, doc="Wilder smoothing period"),),
           lookback=lambda p: p["timeperiod"], talib="ATR", streaming=True)
def atr(high: np.ndarray, low: np.ndarray, close: np.ndarray,
        timeperiod: int) -> tuple[np.ndarray, ...]:
    """Wilder's ATR, seeded with the mean of the first ``timeperiod`` true ranges."""
    return (kc.atr(high, low, close, timeperiod, 0),)


@njit(cache=True, nogil=True, error_model="numpy")
def _natr(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int) -> np.ndarray:
    a = kc.atr(h, lo, c, period, 0)
    if period == 1:  # TA-Lib returns the true range itself at period 1
        return a
    for i in range(period, h.shape[0]):
        a[i] = (a[i] / c[i]) * 100.0 if c[i] != 0.0 else 0.0
    return a


@indicator("natr", "volatility", "Normalized Average True Range", inputs=HLC,
           params=(int_param("timeperiod", 14, 1, doc="Wilder smoothing period"),),
           lookback=lambda p: p["timeperiod"], talib="NATR")
def natr(high: np.ndarray, low: np.ndarray, close: np.ndarray,
         timeperiod: int) -> tuple[np.ndarray, ...]:
    """ATR as a percentage of the close."""
    return (_natr(high, low, close, timeperiod),)


@indicator("adr", "volatility", "Average Daily Range", inputs=("high", "low"),
           params=(int_param("timeperiod", 14, 1, doc="SMA period"),),
           lookback=lambda p: p["timeperiod"] - 1, talib="ADR")
def adr(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """SMA of the bar range high - low."""
    return (km.sma(high - low, timeperiod, 0),)


@njit(cache=True, nogil=True, error_model="numpy")
def _cvi(h: np.ndarray, lo: np.ndarray, period: int, rocp: int) -> np.ndarray:
    n = h.shape[0]
    e = km.ema(h - lo, period, 0)
    out = km.nans(n)
    for i in range(period - 1 + rocp, n):
        t = e[i - rocp]
        out[i] = ((e[i] / t) - 1.0) * 100.0 if t != 0.0 else 0.0
    return out


@indicator("cvi", "volatility", "Chaikin Volatility", inputs=("high", "low"),
           params=(int_param("timeperiod", 10, 2, doc="EMA of the range"),
                   int_param("rocperiod", 10, 1, doc="rate-of-change lag")),
           lookback=lambda p: p["timeperiod"] - 1 + p["rocperiod"], talib="CVI")
def cvi(high: np.ndarray, low: np.ndarray, timeperiod: int,
        rocperiod: int) -> tuple[np.ndarray, ...]:
    """Rate of change of the EMA of the high-low range, in percent."""
    return (_cvi(high, low, timeperiod, rocperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _massi(h: np.ndarray, lo: np.ndarray, fast: int, slow: int) -> np.ndarray:
    n = h.shape[0]
    e1 = km.ema(h - lo, fast, 0)
    f = fast - 1
    e2 = km.nans(n)
    if f < n:
        e2[f:] = km.ema(e1[f:], fast, 0)
    f2 = 2 * f
    r = km.nans(n)
    for i in range(f2, n):
        r[i] = e1[i] / e2[i] if e2[i] != 0.0 else 1.0
    out = km.nans(n)
    if f2 < n:
        out[f2:] = kc.rolling_sum(r[f2:], slow, 0)
    return out


@indicator("massi", "volatility", "Mass Index", inputs=("high", "low"),
           params=(int_param("fastperiod", 9, 2, doc="EMA period"),
                   int_param("slowperiod", 25, 2, doc="summing window")),
           lookback=lambda p: 2 * (p["fastperiod"] - 1) + p["slowperiod"] - 1, talib="MASSI")
def massi(high: np.ndarray, low: np.ndarray, fastperiod: int,
          slowperiod: int) -> tuple[np.ndarray, ...]:
    """Sum of EMA(range) / EMA(EMA(range)) over ``slowperiod`` bars."""
    return (_massi(high, low, fastperiod, slowperiod),)


_rvi_var = kc.var_step


@njit(cache=True, nogil=True, error_model="numpy")
def _rvi(x: np.ndarray, period: int, sdp: int) -> np.ndarray:
    n = x.shape[0]
    out = km.nans(n)
    lb = sdp - 1 + period - 1
    if lb >= n:
        return out
    beta = (period - 1) / period
    alpha = 1.0 - beta
    nb = sdp - 1
    inv = 1.0 / sdp
    trailing = 0
    shift = x[0]
    t1 = 0.0
    t2 = 0.0
    today = nb
    for j in range(0, today):
        t = x[j] - shift
        t1 += t
        t *= t
        t2 += t
    since = 32 * sdp
    peak = t2
    up = 0.0
    dn = 0.0
    for _ in range(period):
        v, shift, t1, t2, peak, since = _rvi_var(x, today, nb, inv, shift, t1, t2, peak,
                                                 trailing, since)
        sigma = math.sqrt(v)
        trailing += 1
        d = x[today] - x[today - 1]
        if d > 0.0:
            up += sigma
        elif d < 0.0:
            dn += sigma
        today += 1
    pu = up / period
    pd = dn / period
    tot = pu + pd
    out[lb] = 50.0 if tot == 0.0 else 100.0 * (pu / tot)
    while today < n:
        v, shift, t1, t2, peak, since = _rvi_var(x, today, nb, inv, shift, t1, t2, peak,
                                                 trailing, since)
        sigma = math.sqrt(v)
        trailing += 1
        d = x[today] - x[today - 1]
        uv = sigma if d > 0.0 else 0.0
        dv = sigma if d < 0.0 else 0.0
        pu = beta * pu + alpha * uv
        pd = beta * pd + alpha * dv
        tot = pu + pd
        out[today] = 50.0 if tot == 0.0 else 100.0 * (pu / tot)
        today += 1
    return out


@indicator("rvi", "volatility", "Relative Volatility Index", inputs=("close",),
           params=(int_param("timeperiod", 14, 1, doc="Wilder smoothing period"),
                   int_param("stddevperiod", 10, 2, doc="standard deviation window")),
           lookback=lambda p: p["stddevperiod"] - 1 + p["timeperiod"] - 1, talib="RVI")
def rvi(close: np.ndarray, timeperiod: int, stddevperiod: int) -> tuple[np.ndarray, ...]:
    """Dorsey's RVI: an RSI whose up/down legs are the rolling standard deviation."""
    return (_rvi(close, timeperiod, stddevperiod),)
