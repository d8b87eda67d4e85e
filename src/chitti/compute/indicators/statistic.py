"""Statistic functions: regression, correlation, dispersion, order statistics."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_common as kc
from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import float_param, indicator, int_param

_is_zero = km._is_zero


def _lr_spec(name: str, display: str, kind: int, doc: str) -> None:
    def fn(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
        return (kc.linreg(close, timeperiod, kind),)

    fn.__doc__ = doc
    indicator(name, "statistic", display, inputs=("close",),
              params=(int_param("timeperiod", 14, 2, doc="regression window"),),
              lookback=lambda p: p["timeperiod"] - 1, talib=name.upper())(fn)


_lr_spec("linearreg", "Linear Regression", 0, "End point of the least-squares line.")
_lr_spec("linearreg_slope", "Linear Regression Slope", 1, "Slope of the least-squares line.")
_lr_spec("linearreg_intercept", "Linear Regression Intercept", 2,
         "Intercept of the least-squares line at the window's first bar.")
_lr_spec("linearreg_angle", "Linear Regression Angle", 3, "Slope angle in degrees.")
_lr_spec("tsf", "Time Series Forecast", 4, "Least-squares line projected one bar ahead.")


@indicator("stddev", "statistic", "Standard Deviation", inputs=("close",),
           params=(int_param("timeperiod", 5, 2, doc="window"),
                   float_param("nbdev", 1.0, doc="multiplier")),
           lookback=lambda p: p["timeperiod"] - 1, talib="STDDEV")
def stddev(close: np.ndarray, timeperiod: int, nbdev: float) -> tuple[np.ndarray, ...]:
    """Population standard deviation times ``nbdev``."""
    return (kc.stddev(close, timeperiod, nbdev, 0),)


@indicator("var", "statistic", "Variance", inputs=("close",),
           params=(int_param("timeperiod", 5, 1, doc="window"),
                   float_param("nbdev", 1.0, doc="accepted for TA-Lib compatibility; unused")),
           lookback=lambda p: p["timeperiod"] - 1, talib="VAR")
def var(close: np.ndarray, timeperiod: int, nbdev: float) -> tuple[np.ndarray, ...]:
    """Population variance (TA-Lib ignores ``nbdev`` here, and so do we)."""
    return (kc.var(close, timeperiod, 0),)


@njit(cache=True, nogil=True, error_model="numpy")
def _beta(x0: np.ndarray, x1: np.ndarray, period: int) -> np.ndarray:
    # Regression slope of the first series' returns on the second's, from centred sums of
    # each window. The textbook running form n*Sxx - Sx^2 cancels catastrophically when the
    # returns barely vary (a beta of -35171 that is rounding noise); TA-Lib 0.7+ is accurate
    # there and so is this, to ~1e-11.
    n = x0.shape[0]
    out = km.nans(n)
    if period >= n:
        return out
    rx = np.zeros(n)
    ry = np.zeros(n)
    for i in range(1, n):
        a = x0[i - 1]
        b = x1[i - 1]
        rx[i] = (x0[i] - a) / a if not _is_zero(a) else 0.0
        ry[i] = (x1[i] - b) / b if not _is_zero(b) else 0.0
    for i in range(period, n):
        mx = 0.0
        my = 0.0
        for j in range(i - period + 1, i + 1):
            mx += rx[j]
            my += ry[j]
        mx /= period
        my /= period
        sxx = 0.0
        sxy = 0.0
        for j in range(i - period + 1, i + 1):
            dx = rx[j] - mx
            sxx += dx * dx
            sxy += dx * (ry[j] - my)
        out[i] = sxy / sxx if sxx > 0.0 else 0.0
    return out


@indicator("beta", "statistic", "Beta", inputs=("high", "low"),
           params=(int_param("timeperiod", 5, 1, doc="window of returns"),),
           lookback=lambda p: p["timeperiod"], talib="BETA")
def beta(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Beta of the returns of the first series (``high``) on the second (``low``).

    TA-Lib's abstract interface names the two series high and low; pass the stock as
    ``high`` and the index as ``low`` to get the stock's beta to the index.
    """
    return (_beta(high, low, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _correl_sums(x0: np.ndarray, x1: np.ndarray, lo: int, hi: int, s0: float, s1: float
                 ) -> tuple[float, float, float, float, float]:
    sx = sy = sx2 = sy2 = sxy = 0.0
    for j in range(lo, hi + 1):
        x = x0[j] - s0
        y = x1[j] - s1
        sx += x
        sx2 += x * x
        sy += y
        sy2 += y * y
        sxy += x * y
    return sx, sy, sx2, sy2, sxy


@njit(cache=True, nogil=True, error_model="numpy")
def _correl(x0: np.ndarray, x1: np.ndarray, period: int) -> np.ndarray:
    # Running sums of deviations from a shift inside the window, re-anchored (sums rebuilt
    # from the window) every `period` bars: the plain sums of x*x cancel catastrophically
    # at price levels (TA-Lib 0.7+ is accurate there too).
    n = x0.shape[0]
    out = km.nans(n)
    lb = period - 1
    if lb >= n:
        return out
    s0 = x0[0]
    s1 = x1[0]
    sx, sy, sx2, sy2, sxy = _correl_sums(x0, x1, 0, lb, s0, s1)
    since = 0
    for today in range(lb, n):
        if today > lb:
            since += 1
            if since >= period:
                since = 0
                s0 = x0[today - lb]
                s1 = x1[today - lb]
                sx, sy, sx2, sy2, sxy = _correl_sums(x0, x1, today - lb, today, s0, s1)
            else:
                tx = x0[today - period] - s0
                ty = x1[today - period] - s1
                sx -= tx
                sx2 -= tx * tx
                sxy -= tx * ty
                sy -= ty
                sy2 -= ty * ty
                x = x0[today] - s0
                y = x1[today] - s1
                sx += x
                sx2 += x * x
                sxy += x * y
                sy += y
                sy2 += y * y
        vx = sx2 - ((sx * sx) / period)
        vy = sy2 - ((sy * sy) / period)
        # a window flat to rounding noise of its own level has no correlation
        flat = (vx <= 1e-14 * (sx2 + period * s0 * s0)) or (vy <= 1e-14 * (sy2 + period * s1 * s1))
        t = vx * vy
        out[today] = (sxy - ((sx * sy) / period)) / math.sqrt(t) if (t > 0.0 and not flat) else 0.0
    return out


@indicator("correl", "statistic", "Pearson's Correlation Coefficient (r)",
           inputs=("high", "low"),
           params=(int_param("timeperiod", 30, 1, doc="window"),),
           lookback=lambda p: p["timeperiod"] - 1, talib="CORREL")
def correl(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Rolling Pearson correlation of the two series (TA-Lib names them high and low)."""
    return (_correl(high, low, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _percentile(x: np.ndarray, period: int, pct: float) -> np.ndarray:
    # A sorted copy of the window, updated by one removal and one insertion per bar.
    n = x.shape[0]
    out = km.nans(n)
    if period - 1 >= n:
        return out
    rank = int(math.ceil(pct * period / 100.0))
    if rank < 1:
        rank = 1
    if rank > period:
        rank = period
    w = np.sort(x[:period].copy())
    out[period - 1] = w[rank - 1]
    # Removal and insertion both at the first slot not below the value, found by a linear
    # scan: a NaN then goes in at the front and removes the front slot, as TA-Lib 0.8's
    # window does (bit for bit once the gap is past the first window).
    last = period - 1
    for i in range(period, n):
        old = x[i - period]
        j = 0
        while j < last and w[j] < old:
            j += 1
        while j < last:
            w[j] = w[j + 1]
            j += 1
        new = x[i]
        k = 0
        while k < last and w[k] < new:
            k += 1
        j = last
        while j > k:
            w[j] = w[j - 1]
            j -= 1
        w[k] = new
        out[i] = w[rank - 1]
    return out


@indicator("percentile", "statistic", "Rolling Percentile", inputs=("close",),
           params=(int_param("timeperiod", 30, 2, doc="window"),
                   float_param("percentile", 50.0, 0.0, 100.0, doc="percent, nearest rank")),
           lookback=lambda p: p["timeperiod"] - 1, talib="PERCENTILE")
def percentile(close: np.ndarray, timeperiod: int, percentile: float) -> tuple[np.ndarray, ...]:
    """Nearest-rank percentile of the window: its ceil(P * n / 100)-th smallest value."""
    return (_percentile(close, timeperiod, percentile),)


@njit(cache=True, nogil=True, error_model="numpy")
def _percentrank(x: np.ndarray, period: int) -> np.ndarray:
    # A branch-free count over the previous `period` values (vectorises; NaN never counts).
    n = x.shape[0]
    out = np.empty(n)
    out[: min(period, n)] = np.nan
    for i in range(period, n):
        v = x[i]
        cnt = 0
        for j in range(i - period, i):
            cnt += x[j] < v
        out[i] = 100.0 * cnt / period
    return out


@indicator("percentrank", "statistic", "Percent Rank", inputs=("close",),
           params=(int_param("timeperiod", 100, 2, doc="window of previous bars"),),
           lookback=lambda p: p["timeperiod"], talib="PERCENTRANK")
def percentrank(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Percent of the previous ``timeperiod`` closes below the current one."""
    return (_percentrank(close, timeperiod),)
