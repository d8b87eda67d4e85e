"""Volume indicators: accumulation, on-balance volume, volume-weighted prices."""

from __future__ import annotations

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import indicator, int_param
from chitti.compute.indicators.momentum import _po
from chitti.compute.indicators.overlap import ma_lookback, matype_param, resolve_matype

HLCV = ("high", "low", "close", "volume")


@njit(cache=True, nogil=True, error_model="numpy")
def _ad_line(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = h.shape[0]
    out = np.empty(n)
    ad = 0.0
    for i in range(n):
        t = h[i] - lo[i]
        if t > 0.0:
            ad += (((c[i] - lo[i]) - (h[i] - c[i])) / t) * v[i]
        out[i] = ad
    return out


@indicator("ad", "volume", "Chaikin A/D Line", inputs=HLCV, lookback=lambda p: 0, talib="AD")
def ad(high: np.ndarray, low: np.ndarray, close: np.ndarray,
       volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative close-location value times volume."""
    return (_ad_line(high, low, close, volume),)


@njit(cache=True, nogil=True, error_model="numpy")
def _adosc(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray, fast: int, slow: int
           ) -> np.ndarray:
    n = h.shape[0]
    out = km.nans(n)
    lb = max(fast, slow) - 1
    if lb >= n:
        return out
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    a = _ad_line(h, lo, c, v)
    fe = a[0]
    se = a[0]
    for i in range(1, n):
        fe = (kf * a[i]) + ((1.0 - kf) * fe)
        se = (ks * a[i]) + ((1.0 - ks) * se)
        if i >= lb:
            out[i] = fe - se
    return out


@indicator("adosc", "volume", "Chaikin A/D Oscillator", inputs=HLCV,
           params=(int_param("fastperiod", 3, 2, doc="fast EMA"),
                   int_param("slowperiod", 10, 2, doc="slow EMA")),
           lookback=lambda p: max(p["fastperiod"], p["slowperiod"]) - 1, talib="ADOSC")
def adosc(high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray,
          fastperiod: int, slowperiod: int) -> tuple[np.ndarray, ...]:
    """Fast EMA minus slow EMA of the A/D line (both seeded with its first value)."""
    return (_adosc(high, low, close, volume, fastperiod, slowperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _obv(c: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = c.shape[0]
    out = np.empty(n)
    if n == 0:
        return out
    prev_obv = v[0]
    prev_c = c[0]
    out[0] = prev_obv
    for i in range(1, n):
        t = c[i]
        if t > prev_c:
            prev_obv += v[i]
        elif t < prev_c:
            prev_obv -= v[i]
        out[i] = prev_obv
        prev_c = t
    return out


@indicator("obv", "volume", "On Balance Volume", inputs=("close", "volume"),
           lookback=lambda p: 0, talib="OBV", streaming=True)
def obv(close: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Running volume, added on up closes and subtracted on down closes."""
    return (_obv(close, volume),)


@njit(cache=True, nogil=True, error_model="numpy")
def _cmf(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray, period: int) -> np.ndarray:
    # running sums, rebuilt from the window every 32 windows against drift
    n = h.shape[0]
    out = np.empty(n)
    out[: min(period - 1, n)] = np.nan
    mfv = np.empty(n)
    for j in range(n):
        t = h[j] - lo[j]
        mfv[j] = (((c[j] - lo[j]) - (h[j] - c[j])) / t) * v[j] if t > 0.0 else 0.0
    smf = 0.0
    sv = 0.0
    since = 0
    for i in range(n):
        smf += mfv[i]
        sv += v[i]
        if i >= period:
            smf -= mfv[i - period]
            sv -= v[i - period]
            since += 1
            # no rebuild once a gap made a sum NaN: TA-Lib 0.8 stays NaN to the end
            if since >= 32 * period and smf == smf and sv == sv:
                since = 0
                smf = 0.0
                sv = 0.0
                for j in range(i - period + 1, i + 1):
                    smf += mfv[j]
                    sv += v[j]
        if i >= period - 1:
            out[i] = smf / sv if sv > 0.0 else 0.0
    return out


@indicator("cmf", "volume", "Chaikin Money Flow", inputs=HLCV,
           params=(int_param("timeperiod", 20, 2, doc="window"),),
           lookback=lambda p: p["timeperiod"] - 1, talib="CMF")
def cmf(high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray,
        timeperiod: int) -> tuple[np.ndarray, ...]:
    """Sum of money-flow volume over sum of volume, over ``timeperiod`` bars."""
    return (_cmf(high, low, close, volume, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _efi(c: np.ndarray, v: np.ndarray, period: int) -> np.ndarray:
    n = c.shape[0]
    f = km.nans(n)
    for i in range(1, n):
        f[i] = (c[i] - c[i - 1]) * v[i]
    out = km.nans(n)
    if n > 1:
        out[1:] = km.ema(f[1:], period, 0)
    return out


@indicator("efi", "volume", "Elder Force Index", inputs=("close", "volume"),
           params=(int_param("timeperiod", 13, 1, doc="EMA period"),),
           lookback=lambda p: p["timeperiod"], talib="EFI")
def efi(close: np.ndarray, volume: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """EMA of price change times volume."""
    return (_efi(close, volume, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _marketfi(h: np.ndarray, lo: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = h.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = (h[i] - lo[i]) / v[i] if v[i] != 0.0 else 0.0
    return out


@indicator("marketfi", "volume", "Market Facilitation Index", inputs=("high", "low", "volume"),
           lookback=lambda p: 0, talib="MARKETFI")
def marketfi(high: np.ndarray, low: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Bar range per unit of volume."""
    return (_marketfi(high, low, volume),)


@njit(cache=True, nogil=True, error_model="numpy")
def _vi(c: np.ndarray, v: np.ndarray, positive: bool) -> np.ndarray:
    n = c.shape[0]
    out = np.empty(n)
    if n == 0:
        return out
    val = 1000.0
    out[0] = val
    for i in range(1, n):
        cond = v[i] > v[i - 1] if positive else v[i] < v[i - 1]
        if cond and c[i - 1] != 0.0:
            new = val + val * ((c[i] - c[i - 1]) / c[i - 1])
            if np.isfinite(new):  # a NaN/inf bar must not poison the running index
                val = new
        out[i] = val
    return out


@indicator("nvi", "volume", "Negative Volume Index", inputs=("close", "volume"),
           lookback=lambda p: 0, talib="NVI")
def nvi(close: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Index moved by the close's return only on bars whose volume fell (starts at 1000)."""
    return (_vi(close, volume, False),)


@indicator("pvi", "volume", "Positive Volume Index", inputs=("close", "volume"),
           lookback=lambda p: 0, talib="PVI")
def pvi(close: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Index moved by the close's return only on bars whose volume rose (starts at 1000)."""
    return (_vi(close, volume, True),)


@njit(cache=True, nogil=True, error_model="numpy")
def _pvt(c: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = c.shape[0]
    out = km.nans(n)
    if n == 0:
        return out
    acc = 0.0
    out[0] = 0.0 if (c[0] == c[0] and v[0] == v[0]) else np.nan  # only an all-NaN series
    for i in range(1, n):
        if c[i - 1] != 0.0:
            acc += ((c[i] - c[i - 1]) / c[i - 1]) * v[i]
        out[i] = acc
    return out


@indicator("pvt", "volume", "Price Volume Trend", inputs=("close", "volume"),
           lookback=lambda p: 0, talib="PVT")
def pvt(close: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative return times volume."""
    return (_pvt(close, volume),)


@indicator("pvo", "volume", "Percentage Volume Oscillator", inputs=("volume",),
           params=(int_param("fastperiod", 12, 2, doc="fast MA"),
                   int_param("slowperiod", 26, 2, doc="slow MA"), matype_param("matype", 1)),
           lookback=lambda p: ma_lookback(max(p["fastperiod"], p["slowperiod"]),
                                          resolve_matype(p["matype"], 1)),
           talib="PVO")
def pvo(volume: np.ndarray, fastperiod: int, slowperiod: int,
        matype: int) -> tuple[np.ndarray, ...]:
    """PPO of the volume."""
    return (_po(volume, fastperiod, slowperiod, resolve_matype(matype, 1), True),)


@njit(cache=True, nogil=True, error_model="numpy")
def _rvol(v: np.ndarray, period: int) -> np.ndarray:
    n = v.shape[0]
    s = km.sma(v, period, 0)
    out = km.nans(n)
    for i in range(period, n):
        out[i] = v[i] / s[i - 1]
    return out


@indicator("rvol", "volume", "Relative Volume", inputs=("volume",),
           params=(int_param("timeperiod", 20, 1, doc="SMA window"),),
           lookback=lambda p: p["timeperiod"], talib="RVOL")
def rvol(volume: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Volume divided by the SMA of the previous ``timeperiod`` volumes."""
    return (_rvol(volume, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def vwap_cumulative(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = h.shape[0]
    out = np.empty(n)
    spv = 0.0
    sv = 0.0
    vw = 0.0
    for i in range(n):
        tp = (h[i] + lo[i] + c[i]) / 3.0
        vol = v[i]
        t = tp * vol
        if np.isfinite(tp) and np.isfinite(vol):
            spv += t
            sv += vol
        if sv > 0.0:
            vw = spv / sv
        out[i] = vw
    return out


@indicator("vwap", "volume", "Volume Weighted Average Price", inputs=HLCV,
           lookback=lambda p: 0, talib="VWAP", streaming=True)
def vwap(high: np.ndarray, low: np.ndarray, close: np.ndarray,
         volume: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative typical-price VWAP from the first bar (pass one session for a session VWAP).

    Bars with a NaN price or volume are skipped (TA-Lib's convention); before any volume
    has traded the value is 0.0. See ``vwap_session`` / ``vwap_rolling`` for anchored forms.
    """
    return (vwap_cumulative(high, low, close, volume),)
