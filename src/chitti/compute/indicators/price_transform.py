"""Price transforms: one price per bar from the OHLC, and Heikin-Ashi candles."""

from __future__ import annotations

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import indicator, int_param


@njit(cache=True, nogil=True, error_model="numpy")
def _price(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, kind: int) -> np.ndarray:
    # Fused loops, one per kind; the arithmetic order is TA-Lib's.
    n = h.shape[0]
    out = np.empty(n)
    if kind == 0:
        for i in range(n):
            out[i] = (o[i] + h[i] + lo[i] + c[i]) / 4.0
    elif kind == 1:
        for i in range(n):
            out[i] = (h[i] + lo[i]) / 2.0
    elif kind == 2:
        for i in range(n):
            out[i] = (h[i] + lo[i] + c[i]) / 3.0
    else:
        for i in range(n):
            out[i] = (h[i] + lo[i] + c[i] * 2.0) / 4.0
    return out


@indicator("avgprice", "price_transform", "Average Price",
           inputs=("open", "high", "low", "close"), lookback=lambda p: 0, talib="AVGPRICE")
def avgprice(open: np.ndarray, high: np.ndarray, low: np.ndarray,  # noqa: A002
             close: np.ndarray) -> tuple[np.ndarray, ...]:
    """(open + high + low + close) / 4."""
    return (_price(open, high, low, close, 0),)


@indicator("medprice", "price_transform", "Median Price", inputs=("high", "low"),
           lookback=lambda p: 0, talib="MEDPRICE")
def medprice(high: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, ...]:
    """(high + low) / 2."""
    return (_price(high, high, low, low, 1),)


@indicator("typprice", "price_transform", "Typical Price", inputs=("high", "low", "close"),
           lookback=lambda p: 0, talib="TYPPRICE")
def typprice(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> tuple[np.ndarray, ...]:
    """(high + low + close) / 3."""
    return (_price(high, high, low, close, 2),)


@indicator("wclprice", "price_transform", "Weighted Close Price",
           inputs=("high", "low", "close"), lookback=lambda p: 0, talib="WCLPRICE")
def wclprice(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> tuple[np.ndarray, ...]:
    """(high + low + 2 * close) / 4."""
    return (_price(high, high, low, close, 3),)


@njit(cache=True, nogil=True, error_model="numpy")
def _avgdev(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    out = km.nans(n)
    for i in range(period - 1, n):
        total = 0.0
        for j in range(i - period + 1, i + 1):
            total += x[j]
        mean = total / period
        dev = 0.0
        for j in range(i - period + 1, i + 1):
            dev += abs(x[j] - mean)
        out[i] = dev / period
    return out


@indicator("avgdev", "price_transform", "Average Deviation", inputs=("close",),
           params=(int_param("timeperiod", 14, 2, doc="window"),),
           lookback=lambda p: p["timeperiod"] - 1, talib="AVGDEV")
def avgdev(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Mean absolute deviation of the close from its window mean."""
    return (_avgdev(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _ha(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = o.shape[0]
    ho = np.empty(n)
    hh = np.empty(n)
    hl = np.empty(n)
    hc = np.empty(n)
    for i in range(n):
        hc[i] = (o[i] + h[i] + lo[i] + c[i]) / 4.0
        if i == 0:
            ho[i] = (o[i] + c[i]) / 2.0
        else:
            ho[i] = (ho[i - 1] + hc[i - 1]) / 2.0
        hh[i] = max(h[i], max(ho[i], hc[i]))
        hl[i] = min(lo[i], min(ho[i], hc[i]))
    return ho, hh, hl, hc


@indicator("ha", "price_transform", "Heikin-Ashi", inputs=("open", "high", "low", "close"),
           outputs=("haopen", "hahigh", "halow", "haclose"), lookback=lambda p: 0, talib="HA")
def ha(open: np.ndarray, high: np.ndarray, low: np.ndarray,  # noqa: A002
       close: np.ndarray) -> tuple[np.ndarray, ...]:
    """Heikin-Ashi candles; the first open is the mean of the first open and close."""
    return _ha(open, high, low, close)
