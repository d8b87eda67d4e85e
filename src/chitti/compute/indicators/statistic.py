"""Statistic functions: regression, correlation, dispersion, order statistics."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_common as kc
from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import float_param, indicator, int_param


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
def _ret(price: float, prev: float, shift: float) -> float:
    # One return measured against the shift; a zero previous price (exactly zero, as
    # TA-Lib 0.8 tests it) gives a return of 0.
    if prev != 0.0:
        return (price - prev) / prev - shift
    return 0.0 - shift


@njit(cache=True, nogil=True, error_model="numpy")
def _beta(x0: np.ndarray, x1: np.ndarray, period: int) -> np.ndarray:
    # TA-Lib 0.8's BETA step for step: regression sums of the returns measured against a
    # shift (the window's first return, later the window mean), rebuilt from the window by
    # a two-pass when the denominator n*Sxx - Sx^2 falls below 1e-6 of n*Sxx, when the
    # squared x or y return that just left exceeds 1000 times what remains, or at the
    # latest every 32 windows. A NaN in the window makes the sums NaN, no trigger fires on
    # NaN, and the output is 0 until the 32-window rebuild finds a window without it.
    n = x0.shape[0]
    out = km.nans(n)
    if period >= n:
        return out
    nf = float(period)
    lpx = tlpx = x0[0]
    lpy = tlpy = x1[0]
    trailing = 1
    i = 1
    shx = (x0[1] - lpx) / lpx if lpx != 0.0 else 0.0
    shy = (x1[1] - lpy) / lpy if lpy != 0.0 else 0.0
    sxx = sxy = sx = sy = syy = 0.0
    while i < period:
        x = _ret(x0[i], lpx, shx)
        lpx = x0[i]
        y = _ret(x1[i], lpy, shy)
        lpy = x1[i]
        i += 1
        sxx += x * x
        sxy += x * y
        sx += x
        sy += y
        syy += y * y
    left_xx = left_yy = 0.0
    since = 32 * period
    while i < n:
        x = _ret(x0[i], lpx, shx)
        lpx = x0[i]
        y = _ret(x1[i], lpy, shy)
        lpy = x1[i]
        i += 1
        sxx += x * x
        sxy += x * y
        sx += x
        sy += y
        syy += y * y
        scale = nf * sxx
        den = scale - (sx * sx)
        since -= 1
        if (den < 1e-6 * scale or left_xx > 1000.0 * sxx or left_yy > 1000.0 * syy
                or since <= 0):
            since = 32 * period
            px = tlpx
            py = tlpy
            mx = 0.0
            my = 0.0
            for j in range(trailing, i):
                if px != 0.0:
                    mx += (x0[j] - px) / px
                px = x0[j]
                if py != 0.0:
                    my += (x1[j] - py) / py
                py = x1[j]
            shx = mx / nf
            shy = my / nf
            px = tlpx
            py = tlpy
            sxx = sxy = sx = sy = syy = 0.0
            for j in range(trailing, i):
                a = _ret(x0[j], px, shx)
                px = x0[j]
                b = _ret(x1[j], py, shy)
                py = x1[j]
                sxx += a * a
                sxy += a * b
                sx += a
                sy += b
                syy += b * b
            scale = nf * sxx
            den = scale - (sx * sx)
            if den < 0.0:
                den = 0.0
        x = _ret(x0[trailing], tlpx, shx)
        tlpx = x0[trailing]
        y = _ret(x1[trailing], tlpy, shy)
        tlpy = x1[trailing]
        trailing += 1
        out[i - 1] = ((sxy * nf) - (sx * sy)) / den if den > 1e-14 * scale else 0.0
        left_xx = x * x
        left_yy = y * y
        sxx -= left_xx
        sxy -= x * y
        sx -= x
        sy -= y
        syy -= left_yy
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
def _correl(x0: np.ndarray, x1: np.ndarray, period: int) -> np.ndarray:
    # TA-Lib 0.8's CORREL step for step: running sums of deviations from a shift (the
    # window's first values, later the window means), rebuilt by a two-pass when either
    # extracted sum of squares falls below 1e-6 of its raw sum, when the squared value
    # that just left exceeds 1e6 times what remains, or at the latest every 32 windows.
    # A NaN in the window makes the sums NaN, no trigger fires on NaN, and the output is
    # 0 until the 32-window rebuild finds a window without it.
    n = x0.shape[0]
    out = km.nans(n)
    lb = period - 1
    if lb >= n:
        return out
    inv = 1.0 / period
    s0 = x0[0]
    s1 = x1[0]
    sx = sy = sx2 = sy2 = sxy = 0.0
    for j in range(lb):
        x = x0[j] - s0
        sx += x
        sx2 += x * x
        y = x1[j] - s1
        sxy += x * y
        sy += y
        sy2 += y * y
    trailing = 0
    left_x = left_y = 0.0
    since = 32 * period
    for today in range(lb, n):
        x = x0[today] - s0
        sx += x
        sx2 += x * x
        y = x1[today] - s1
        sxy += x * y
        sy += y
        sy2 += y * y
        ssx = sx2 - ((sx * sx) * inv)
        ssy = sy2 - ((sy * sy) * inv)
        spxy = sxy - ((sx * sy) * inv)
        since -= 1
        if (ssx < 1e-6 * sx2 or ssy < 1e-6 * sy2 or left_x > 1e6 * sx2
                or left_y > 1e6 * sy2 or since <= 0):
            since = 32 * period
            m0 = 0.0
            m1 = 0.0
            for j in range(today - lb, today + 1):
                m0 += x0[j]
                m1 += x1[j]
            s0 = m0 * inv
            s1 = m1 * inv
            sx = sy = sx2 = sy2 = sxy = 0.0
            for j in range(today - lb, today + 1):
                x = x0[j] - s0
                sx += x
                sx2 += x * x
                y = x1[j] - s1
                sxy += x * y
                sy += y
                sy2 += y * y
            ssx = sx2 - ((sx * sx) * inv)
            ssy = sy2 - ((sy * sy) * inv)
            spxy = sxy - ((sx * sy) * inv)
            if ssx < 0.0:
                ssx = 0.0
            if ssy < 0.0:
                ssy = 0.0
        tx = x0[trailing] - s0
        ty = x1[trailing] - s1
        trailing += 1
        if ssx > 1e-14 * sx2 and ssy > 1e-14 * sy2:
            r = spxy / math.sqrt(ssx * ssy)
            out[today] = 1.0 if r > 1.0 else (-1.0 if r < -1.0 else r)
        else:
            out[today] = 0.0
        left_x = tx * tx
        left_y = ty * ty
        sx -= tx
        sx2 -= left_x
        sxy -= tx * ty
        sy -= ty
        sy2 -= left_y
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
    # TA-Lib 0.8's PERCENTILE step for step: the window less its newest value is kept
    # sorted (the first window by insertion sort, which moves a value only past strictly
    # greater ones), the rank-th value of the whole window is read off where the new value
    # would go (after the values <= it), the new value is inserted there and the departing
    # one removed from the first slot not below it. Linear scans, as TA-Lib's, so a NaN
    # (which compares false) stops every scan and lands where TA-Lib's lands.
    n = x.shape[0]
    out = km.nans(n)
    lb = period - 1
    if lb >= n:
        return out
    rank = int(math.ceil(pct * float(period) / 100.0))
    if rank < 1:
        rank = 1
    if rank > period:
        rank = period
    w = np.empty(period + 1)
    for i in range(lb):
        v = x[i]
        j = i
        while j > 0 and w[j - 1] > v:
            w[j] = w[j - 1]
            j -= 1
        w[j] = v
    for i in range(lb, n):
        v = x[i]
        pos = 0
        while pos < lb and w[pos] <= v:
            pos += 1
        if rank - 1 < pos:
            out[i] = w[rank - 1]
        elif rank - 1 == pos:
            out[i] = v
        else:
            out[i] = w[rank - 2]
        j = lb
        while j > pos:
            w[j] = w[j - 1]
            j -= 1
        w[pos] = v
        old = x[i - lb]
        j = 0
        while j < lb and w[j] < old:
            j += 1
        while j < lb:
            w[j] = w[j + 1]
            j += 1
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
