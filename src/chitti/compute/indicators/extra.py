"""Common indicators TA-Lib lacks: Ichimoku, pivots, ZigZag, z-score, ALMA, anchored VWAPs.

(SuperTrend, Keltner and Donchian channels, Heikin-Ashi and the Hull MA are TA-Lib
functions since 0.7 and live with their groups.) Each is tested against a slow,
obviously-correct reference.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_common as kc
from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import float_param, indicator, int_param

HLC = ("high", "low", "close")


@njit(cache=True, nogil=True, error_model="numpy")
def _ichimoku(h: np.ndarray, lo: np.ndarray, c: np.ndarray, tenkan: int, kijun: int,
              senkou: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = h.shape[0]
    t = (kc.rolling_max(h, tenkan, 0)[0] + kc.rolling_min(lo, tenkan, 0)[0]) / 2.0
    k = (kc.rolling_max(h, kijun, 0)[0] + kc.rolling_min(lo, kijun, 0)[0]) / 2.0
    sb_now = (kc.rolling_max(h, senkou, 0)[0] + kc.rolling_min(lo, senkou, 0)[0]) / 2.0
    sa_now = (t + k) / 2.0
    sa = km.nans(n)
    sb = km.nans(n)
    ch = km.nans(n)
    shift = kijun
    for i in range(shift, n):
        sa[i] = sa_now[i - shift]
        sb[i] = sb_now[i - shift]
    for i in range(0, n - shift):
        ch[i] = c[i + shift]
    return t, k, sa, sb, ch


@indicator(
    "ichimoku", "trend", "Ichimoku Kinko Hyo", inputs=HLC,
    params=(int_param("tenkan", 9, 1, doc="conversion line window"),
            int_param("kijun", 26, 1, doc="base line window; also the cloud / lag shift"),
            int_param("senkou", 52, 1, doc="leading span B window")),
    outputs=("tenkan_sen", "kijun_sen", "senkou_span_a", "senkou_span_b", "chikou_span"),
    lookback=lambda p: max(p["tenkan"], p["kijun"]) - 1,
)
def ichimoku(high: np.ndarray, low: np.ndarray, close: np.ndarray, tenkan: int, kijun: int,
             senkou: int) -> tuple[np.ndarray, ...]:
    """Ichimoku lines aligned to the bar they are drawn on.

    The spans are the values computed ``kijun`` bars earlier (the cloud plotted ahead);
    the chikou span at bar t is the close ``kijun`` bars later, so its last ``kijun`` values
    are NaN (it uses future data: never feed it to a backtest signal).
    """
    return _ichimoku(high, low, close, tenkan, kijun, senkou)


@njit(cache=True, nogil=True, error_model="numpy")
def _pivots(h: np.ndarray, lo: np.ndarray, c: np.ndarray, kind: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                       np.ndarray, np.ndarray]:
    # Levels for bar t come from bar t-1 (the previous session when fed daily bars).
    n = h.shape[0]
    pp = km.nans(n)
    r1 = km.nans(n)
    r2 = km.nans(n)
    r3 = km.nans(n)
    s1 = km.nans(n)
    s2 = km.nans(n)
    s3 = km.nans(n)
    for i in range(1, n):
        ph = h[i - 1]
        pl = lo[i - 1]
        pc = c[i - 1]
        p = (ph + pl + pc) / 3.0
        rng = ph - pl
        pp[i] = p
        if kind == 0:  # classic
            r1[i] = 2.0 * p - pl
            s1[i] = 2.0 * p - ph
            r2[i] = p + rng
            s2[i] = p - rng
            r3[i] = ph + 2.0 * (p - pl)
            s3[i] = pl - 2.0 * (ph - p)
        elif kind == 1:  # fibonacci
            r1[i] = p + 0.382 * rng
            s1[i] = p - 0.382 * rng
            r2[i] = p + 0.618 * rng
            s2[i] = p - 0.618 * rng
            r3[i] = p + 1.000 * rng
            s3[i] = p - 1.000 * rng
        else:  # camarilla
            r1[i] = pc + rng * 1.1 / 12.0
            s1[i] = pc - rng * 1.1 / 12.0
            r2[i] = pc + rng * 1.1 / 6.0
            s2[i] = pc - rng * 1.1 / 6.0
            r3[i] = pc + rng * 1.1 / 4.0
            s3[i] = pc - rng * 1.1 / 4.0
    return pp, r1, r2, r3, s1, s2, s3


_PIVOT_OUT = ("pivot", "r1", "r2", "r3", "s1", "s2", "s3")


def _pivot_spec(name: str, display: str, kind: int, doc: str) -> None:
    def fn(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> tuple[np.ndarray, ...]:
        return _pivots(high, low, close, kind)

    fn.__doc__ = doc
    indicator(name, "support_resistance", display, inputs=HLC, outputs=_PIVOT_OUT,
              lookback=lambda p: 1)(fn)


_pivot_spec("pivot_classic", "Pivot Points (classic)", 0,
            "Floor-trader pivots from the previous bar's high, low and close.")
_pivot_spec("pivot_fibonacci", "Pivot Points (Fibonacci)", 1,
            "Pivot plus/minus 0.382, 0.618 and 1.0 of the previous bar's range.")
_pivot_spec("pivot_camarilla", "Pivot Points (Camarilla)", 2,
            "Previous close plus/minus 1.1/12, 1.1/6 and 1.1/4 of the previous range.")


@njit(cache=True, nogil=True, error_model="numpy")
def _zigzag(h: np.ndarray, lo: np.ndarray, pct: float) -> np.ndarray:
    # Swing points where price reversed by at least pct percent; NaN elsewhere. The last
    # swing is provisional (it can still move) until the next reversal confirms it.
    n = h.shape[0]
    out = km.nans(n)
    if n == 0:
        return out
    trend = 0
    piv_i = 0
    piv_v = 0.0
    hi_i = 0
    lo_i = 0
    for i in range(1, n):
        if trend == 0:
            if h[i] > h[hi_i]:
                hi_i = i
            if lo[i] < lo[lo_i]:
                lo_i = i
            if h[hi_i] >= lo[lo_i] * (1.0 + pct / 100.0):
                if lo_i < hi_i:
                    out[lo_i] = lo[lo_i]
                    trend = 1
                    piv_i = hi_i
                    piv_v = h[hi_i]
                else:
                    out[hi_i] = h[hi_i]
                    trend = -1
                    piv_i = lo_i
                    piv_v = lo[lo_i]
        elif trend == 1:
            if h[i] > piv_v:
                piv_i = i
                piv_v = h[i]
            elif lo[i] <= piv_v * (1.0 - pct / 100.0):
                out[piv_i] = piv_v
                trend = -1
                piv_i = i
                piv_v = lo[i]
        else:
            if lo[i] < piv_v:
                piv_i = i
                piv_v = lo[i]
            elif h[i] >= piv_v * (1.0 + pct / 100.0):
                out[piv_i] = piv_v
                trend = 1
                piv_i = i
                piv_v = h[i]
    if trend != 0:
        out[piv_i] = piv_v
    return out


@indicator("zigzag", "trend", "ZigZag", inputs=("high", "low"),
           params=(float_param("deviation", 5.0, 0.01, 100.0, "reversal size in percent"),),
           outputs=("zigzag",), lookback=lambda p: 0)
def zigzag(high: np.ndarray, low: np.ndarray, deviation: float) -> tuple[np.ndarray, ...]:
    """Swing highs/lows separated by reversals of at least ``deviation`` percent.

    The value is the swing price on swing bars and NaN elsewhere. It repaints: the last
    swing moves until a reversal confirms it, so it is for charts, not for signals.
    """
    return (_zigzag(high, low, deviation),)


@njit(cache=True, nogil=True, error_model="numpy")
def _zscore(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    m = km.sma(x, period, 0)
    v = kc.var(x, period, 0)
    out = km.nans(n)
    for i in range(period - 1, n):
        s = math.sqrt(v[i]) if v[i] > 0.0 else 0.0
        out[i] = (x[i] - m[i]) / s if s > 0.0 else 0.0
    return out


@indicator("zscore", "statistic", "Rolling Z-Score", inputs=("close",),
           params=(int_param("timeperiod", 20, 2, doc="window"),),
           lookback=lambda p: p["timeperiod"] - 1)
def zscore(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """(close - rolling mean) / rolling population standard deviation; 0 on a flat window."""
    return (_zscore(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _alma(x: np.ndarray, period: int, offset: float, sigma: float) -> np.ndarray:
    n = x.shape[0]
    out = km.nans(n)
    m = offset * (period - 1)
    s = period / sigma
    w = np.empty(period)
    norm = 0.0
    for j in range(period):
        w[j] = math.exp(-((j - m) ** 2) / (2.0 * s * s))
        norm += w[j]
    for i in range(period - 1, n):
        acc = 0.0
        base = i - period + 1
        for j in range(period):
            acc += w[j] * x[base + j]
        out[i] = acc / norm
    return out


@indicator("alma", "overlap", "Arnaud Legoux Moving Average", inputs=("close",),
           params=(int_param("timeperiod", 9, 1, doc="window"),
                   float_param("offset", 0.85, 0.0, 1.0, "Gaussian centre, 0 (oldest)..1"),
                   float_param("sigma", 6.0, 0.01, 1000.0, "window / sigma = Gaussian width")),
           lookback=lambda p: p["timeperiod"] - 1)
def alma(close: np.ndarray, timeperiod: int, offset: float,
         sigma: float) -> tuple[np.ndarray, ...]:
    """Gaussian-weighted moving average centred at ``offset`` of the window."""
    return (_alma(close, timeperiod, offset, sigma),)


@njit(cache=True, nogil=True, error_model="numpy")
def _vwap_rolling(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray, period: int
                  ) -> np.ndarray:
    n = h.shape[0]
    out = km.nans(n)
    for i in range(period - 1, n):
        spv = 0.0
        sv = 0.0
        for j in range(i - period + 1, i + 1):
            spv += (h[j] + lo[j] + c[j]) / 3.0 * v[j]
            sv += v[j]
        out[i] = spv / sv if sv > 0.0 else np.nan
    return out


@indicator("vwap_rolling", "volume", "Rolling VWAP", inputs=("high", "low", "close", "volume"),
           params=(int_param("timeperiod", 20, 1, doc="window"),),
           lookback=lambda p: p["timeperiod"] - 1)
def vwap_rolling(high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray,
                 timeperiod: int) -> tuple[np.ndarray, ...]:
    """Typical-price VWAP over the last ``timeperiod`` bars (NaN if none traded)."""
    return (_vwap_rolling(high, low, close, volume, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _vwap_session(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray, bars: int
                  ) -> np.ndarray:
    n = h.shape[0]
    out = np.empty(n)
    spv = 0.0
    sv = 0.0
    for i in range(n):
        if i % bars == 0:
            spv = 0.0
            sv = 0.0
        spv += (h[i] + lo[i] + c[i]) / 3.0 * v[i]
        sv += v[i]
        out[i] = spv / sv if sv > 0.0 else np.nan
    return out


@indicator("vwap_session", "volume", "Session VWAP", inputs=("high", "low", "close", "volume"),
           params=(int_param("session_bars", 75, 1, doc="bars per session (NSE 5-min: 75)"),),
           lookback=lambda p: 0)
def vwap_session(high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray,
                 session_bars: int) -> tuple[np.ndarray, ...]:
    """VWAP reset every ``session_bars`` bars (NSE 09:15-15:30 is 75 five-minute bars).

    The series must start at a session open and have no missing bars; for irregular
    sessions call `compute` once per session with ``vwap`` instead.
    """
    return (_vwap_session(high, low, close, volume, session_bars),)
