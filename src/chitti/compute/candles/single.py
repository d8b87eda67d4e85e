"""One-candle patterns: dojis, spinning tops, marubozus, long and short lines, belt-hold.

Kernels take ``(open, high, low, close, lookback)`` and return TA-Lib's int32 output.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from chitti.compute.candles._core import (
    BODY_DOJI,
    BODY_LONG,
    BODY_SHORT,
    NEAR,
    SHADOW_LONG,
    SHADOW_SHORT,
    SHADOW_VERY_LONG,
    SHADOW_VERY_SHORT,
    averages,
    col,
    ls,
    mn,
    mx,
    rb,
    us,
)
from chitti.compute.candles.catalog import pattern

# Numba kernels are dense boolean tables; short names keep them readable:
# o/h/l/c are the price arrays, i the bar, the averages are named after their setting.
A = np.ndarray  # the kernels' price arrays (float64) and results (int32)

# ruff: noqa: E741


@pattern("cdldoji", "Doji", settings=(BODY_DOJI,), span=0, directional=False)
@njit(cache=True, nogil=True)
def cdldoji(o: A, h: A, l: A, c: A, start: int) -> A:
    """Doji: the real body is at most a tenth of the recent average high-low range."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    for i in range(start, n):
        if rb(o, c, i) <= doji[i]:
            out[i] = 100
    return out


@pattern("cdldragonflydoji", "Dragonfly Doji", settings=(BODY_DOJI, SHADOW_VERY_SHORT), span=0,
         directional=False)
@njit(cache=True, nogil=True)
def cdldragonflydoji(o: A, h: A, l: A, c: A, start: int) -> A:
    """Dragonfly doji: a doji with no upper shadow and a lower one."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) <= doji[i] and us(o, h, c, i) < vshort[i] and ls(o, l, c, i) > vshort[i]:
            out[i] = 100
    return out


@pattern("cdlgravestonedoji", "Gravestone Doji", settings=(BODY_DOJI, SHADOW_VERY_SHORT), span=0,
         directional=False)
@njit(cache=True, nogil=True)
def cdlgravestonedoji(o: A, h: A, l: A, c: A, start: int) -> A:
    """Gravestone doji: a doji with no lower shadow and an upper one."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) <= doji[i] and ls(o, l, c, i) < vshort[i] and us(o, h, c, i) > vshort[i]:
            out[i] = 100
    return out


@pattern("cdllongleggeddoji", "Long Legged Doji", settings=(BODY_DOJI, SHADOW_LONG), span=0,
         directional=False)
@njit(cache=True, nogil=True)
def cdllongleggeddoji(o: A, h: A, l: A, c: A, start: int) -> A:
    """Long-legged doji: a doji with one long shadow or two."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    slong = averages(o, h, l, c, SHADOW_LONG, 0, start)
    for i in range(start, n):
        if rb(o, c, i) <= doji[i] and (ls(o, l, c, i) > slong[i] or us(o, h, c, i) > slong[i]):
            out[i] = 100
    return out


@pattern("cdlrickshawman", "Rickshaw Man", settings=(BODY_DOJI, SHADOW_LONG, NEAR), span=0,
         directional=False)
@njit(cache=True, nogil=True)
def cdlrickshawman(o: A, h: A, l: A, c: A, start: int) -> A:
    """Rickshaw man: a doji with two long shadows and its body near the middle of the range."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    slong = averages(o, h, l, c, SHADOW_LONG, 0, start)
    near = averages(o, h, l, c, NEAR, 0, start)
    for i in range(start, n):
        mid = l[i] + (h[i] - l[i]) / 2
        if (rb(o, c, i) <= doji[i] and ls(o, l, c, i) > slong[i] and us(o, h, c, i) > slong[i]
                and mn(o[i], c[i]) <= mid + near[i] and mx(o[i], c[i]) >= mid - near[i]):
            out[i] = 100
    return out


@pattern("cdltakuri", "Takuri (Dragonfly Doji with very long lower shadow)",
         settings=(BODY_DOJI, SHADOW_VERY_SHORT, SHADOW_VERY_LONG), span=0,
         directional=False)
@njit(cache=True, nogil=True)
def cdltakuri(o: A, h: A, l: A, c: A, start: int) -> A:
    """Takuri: a dragonfly doji whose lower shadow is very long."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    vlong = averages(o, h, l, c, SHADOW_VERY_LONG, 0, start)
    for i in range(start, n):
        if rb(o, c, i) <= doji[i] and us(o, h, c, i) < vshort[i] and ls(o, l, c, i) > vlong[i]:
            out[i] = 100
    return out


@pattern("cdlhighwave", "High-Wave Candle", settings=(BODY_SHORT, SHADOW_VERY_LONG), span=0)
@njit(cache=True, nogil=True)
def cdlhighwave(o: A, h: A, l: A, c: A, start: int) -> A:
    """High-wave: a short body with very long shadows on both sides; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    short = averages(o, h, l, c, BODY_SHORT, 0, start)
    vlong = averages(o, h, l, c, SHADOW_VERY_LONG, 0, start)
    for i in range(start, n):
        if rb(o, c, i) < short[i] and us(o, h, c, i) > vlong[i] and ls(o, l, c, i) > vlong[i]:
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdlspinningtop", "Spinning Top", settings=(BODY_SHORT,), span=0)
@njit(cache=True, nogil=True)
def cdlspinningtop(o: A, h: A, l: A, c: A, start: int) -> A:
    """Spinning top: a short body with both shadows longer than it; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    short = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        body = rb(o, c, i)
        if body < short[i] and us(o, h, c, i) > body and ls(o, l, c, i) > body:
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdlshortline", "Short Line Candle", settings=(BODY_SHORT, SHADOW_SHORT), span=0)
@njit(cache=True, nogil=True)
def cdlshortline(o: A, h: A, l: A, c: A, start: int) -> A:
    """Short line: a short body with short shadows; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    short = averages(o, h, l, c, BODY_SHORT, 0, start)
    sshort = averages(o, h, l, c, SHADOW_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) < short[i] and us(o, h, c, i) < sshort[i] and ls(o, l, c, i) < sshort[i]:
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdllongline", "Long Line Candle", settings=(BODY_LONG, SHADOW_SHORT), span=0)
@njit(cache=True, nogil=True)
def cdllongline(o: A, h: A, l: A, c: A, start: int) -> A:
    """Long line: a long body with short shadows; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long_ = averages(o, h, l, c, BODY_LONG, 0, start)
    sshort = averages(o, h, l, c, SHADOW_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) > long_[i] and us(o, h, c, i) < sshort[i] and ls(o, l, c, i) < sshort[i]:
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdlmarubozu", "Marubozu", settings=(BODY_LONG, SHADOW_VERY_SHORT), span=0)
@njit(cache=True, nogil=True)
def cdlmarubozu(o: A, h: A, l: A, c: A, start: int) -> A:
    """Marubozu: a long body with (almost) no shadows; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long_ = averages(o, h, l, c, BODY_LONG, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) > long_[i] and us(o, h, c, i) < vshort[i] and ls(o, l, c, i) < vshort[i]:
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdlclosingmarubozu", "Closing Marubozu", settings=(BODY_LONG, SHADOW_VERY_SHORT),
         span=0)
@njit(cache=True, nogil=True)
def cdlclosingmarubozu(o: A, h: A, l: A, c: A, start: int) -> A:
    """Closing marubozu: a long body with no shadow on the closing side; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long_ = averages(o, h, l, c, BODY_LONG, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) > long_[i] and (
                (col(o, c, i) == 1 and us(o, h, c, i) < vshort[i])
                or (col(o, c, i) == -1 and ls(o, l, c, i) < vshort[i])):
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdlbelthold", "Belt-hold", settings=(BODY_LONG, SHADOW_VERY_SHORT), span=0)
@njit(cache=True, nogil=True)
def cdlbelthold(o: A, h: A, l: A, c: A, start: int) -> A:
    """Belt-hold: a long body with no shadow on the opening side; sign is the colour."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long_ = averages(o, h, l, c, BODY_LONG, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    for i in range(start, n):
        if rb(o, c, i) > long_[i] and (
                (col(o, c, i) == 1 and ls(o, l, c, i) < vshort[i])
                or (col(o, c, i) == -1 and us(o, h, c, i) < vshort[i])):
            out[i] = 100 * col(o, c, i)
    return out
