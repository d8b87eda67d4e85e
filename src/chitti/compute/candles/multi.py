"""Patterns of three to five candles: crows and soldiers, stars, methods, hikkake...

Kernels take ``(open, high, low, close, lookback[, penetration])`` and return TA-Lib's
int32 output. An average named ``x2`` is the one TA-Lib takes for candle ``i-2``.
Variants of one pattern share one Numba kernel (``_star``, ``_hikkake``); their entries are thin
Python wrappers, so each shared kernel compiles once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from chitti.compute.candles._core import (
    BODY_DOJI,
    BODY_LONG,
    BODY_SHORT,
    EQUAL,
    FAR,
    NEAR,
    SHADOW_LONG,
    SHADOW_SHORT,
    SHADOW_VERY_SHORT,
    averages,
    body_gap_down,
    body_gap_up,
    col,
    ls,
    mn,
    mx,
    rb,
    us,
)
from chitti.compute.candles.catalog import pattern, penetration

A = np.ndarray  # the kernels' price arrays (float64) and results (int32)

# ruff: noqa: E741


@pattern("cdl2crows", "Two Crows", settings=(BODY_LONG,), span=2)
@njit(cache=True, nogil=True)
def cdl2crows(o: A, h: A, l: A, c: A, start: int) -> A:
    """Two crows: a long white body, a black one gapping up, a black one closing inside the
    first (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == 1 and rb(o, c, i - 2) > long2[i]
                and col(o, c, i - 1) == -1 and body_gap_up(o, c, i - 1, i - 2)
                and col(o, c, i) == -1 and o[i] < o[i - 1] and o[i] > c[i - 1]
                and c[i] > o[i - 2] and c[i] < c[i - 2]):
            out[i] = -100
    return out


@pattern("cdl3blackcrows", "Three Black Crows", settings=(SHADOW_VERY_SHORT,), span=3)
@njit(cache=True, nogil=True)
def cdl3blackcrows(o: A, h: A, l: A, c: A, start: int) -> A:
    """Three black crows: after a white candle, three declining black candles closing at
    their lows, each opening inside the previous body (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vs2 = averages(o, h, l, c, SHADOW_VERY_SHORT, 2, start)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    vs0 = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 3) == 1
                and col(o, c, i - 2) == -1 and ls(o, l, c, i - 2) < vs2[i]
                and col(o, c, i - 1) == -1 and ls(o, l, c, i - 1) < vs1[i]
                and col(o, c, i) == -1 and ls(o, l, c, i) < vs0[i]
                and o[i - 1] < o[i - 2] and o[i - 1] > c[i - 2]
                and o[i] < o[i - 1] and o[i] > c[i - 1]
                and h[i - 3] > c[i - 2] and c[i - 2] > c[i - 1] and c[i - 1] > c[i]):
            out[i] = -100
    return out


@pattern("cdl3inside", "Three Inside Up/Down", settings=(BODY_SHORT, BODY_LONG), span=2)
@njit(cache=True, nogil=True)
def cdl3inside(o: A, h: A, l: A, c: A, start: int) -> A:
    """Three inside up/down: a harami confirmed by a third candle closing beyond the first
    open (sign: against the first candle)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    short1 = averages(o, h, l, c, BODY_SHORT, 1, start)
    for i in range(start, n):
        if (rb(o, c, i - 2) > long2[i] and rb(o, c, i - 1) <= short1[i]
                and mx(c[i - 1], o[i - 1]) < mx(c[i - 2], o[i - 2])
                and mn(c[i - 1], o[i - 1]) > mn(c[i - 2], o[i - 2])
                and ((col(o, c, i - 2) == 1 and col(o, c, i) == -1 and c[i] < o[i - 2])
                     or (col(o, c, i - 2) == -1 and col(o, c, i) == 1 and c[i] > o[i - 2]))):
            out[i] = -col(o, c, i - 2) * 100
    return out


@pattern("cdl3linestrike", "Three-Line Strike", settings=(NEAR,), span=3)
@njit(cache=True, nogil=True)
def cdl3linestrike(o: A, h: A, l: A, c: A, start: int) -> A:
    """Three-line strike: three same-colour candles in a row, each opening near the previous
    body, struck back by a fourth beyond the first open (sign: of the three)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    near3 = averages(o, h, l, c, NEAR, 3, start)
    near2 = averages(o, h, l, c, NEAR, 2, start)
    for i in range(start, n):
        c1 = col(o, c, i - 1)
        if (col(o, c, i - 3) == col(o, c, i - 2) and col(o, c, i - 2) == c1
                and col(o, c, i) == -c1
                and o[i - 2] >= mn(o[i - 3], c[i - 3]) - near3[i]
                and o[i - 2] <= mx(o[i - 3], c[i - 3]) + near3[i]
                and o[i - 1] >= mn(o[i - 2], c[i - 2]) - near2[i]
                and o[i - 1] <= mx(o[i - 2], c[i - 2]) + near2[i]
                and ((c1 == 1 and c[i - 1] > c[i - 2] and c[i - 2] > c[i - 3]
                      and o[i] > c[i - 1] and c[i] < o[i - 3])
                     or (c1 == -1 and c[i - 1] < c[i - 2] and c[i - 2] < c[i - 3]
                         and o[i] < c[i - 1] and c[i] > o[i - 3]))):
            out[i] = c1 * 100
    return out


@pattern("cdl3outside", "Three Outside Up/Down", span=3)
@njit(cache=True, nogil=True)
def cdl3outside(o: A, h: A, l: A, c: A, start: int) -> A:
    """Three outside up/down: an engulfing confirmed by a third candle closing further on."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    for i in range(start, n):
        c1 = col(o, c, i - 1)
        if ((c1 == 1 and col(o, c, i - 2) == -1 and c[i - 1] > o[i - 2] and o[i - 1] < c[i - 2]
             and c[i] > c[i - 1])
                or (c1 == -1 and col(o, c, i - 2) == 1 and o[i - 1] > c[i - 2]
                    and c[i - 1] < o[i - 2] and c[i] < c[i - 1])):
            out[i] = c1 * 100
    return out


@pattern("cdl3starsinsouth", "Three Stars In The South",
         settings=(SHADOW_VERY_SHORT, SHADOW_LONG, BODY_LONG, BODY_SHORT), span=2)
@njit(cache=True, nogil=True)
def cdl3starsinsouth(o: A, h: A, l: A, c: A, start: int) -> A:
    """Three stars in the south: three shrinking black candles with rising lows (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    slong2 = averages(o, h, l, c, SHADOW_LONG, 2, start)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    vs0 = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    short0 = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == -1 and col(o, c, i - 1) == -1 and col(o, c, i) == -1
                and rb(o, c, i - 2) > long2[i] and ls(o, l, c, i - 2) > slong2[i]
                and rb(o, c, i - 1) < rb(o, c, i - 2)
                and o[i - 1] > c[i - 2] and o[i - 1] <= h[i - 2]
                and l[i - 1] < c[i - 2] and l[i - 1] >= l[i - 2]
                and ls(o, l, c, i - 1) > vs1[i]
                and rb(o, c, i) < short0[i]
                and ls(o, l, c, i) < vs0[i] and us(o, h, c, i) < vs0[i]
                and l[i] > l[i - 1] and h[i] < h[i - 1]):
            out[i] = 100
    return out


@pattern("cdl3whitesoldiers", "Three Advancing White Soldiers",
         settings=(SHADOW_VERY_SHORT, BODY_SHORT, FAR, NEAR), span=2)
@njit(cache=True, nogil=True)
def cdl3whitesoldiers(o: A, h: A, l: A, c: A, start: int) -> A:
    """Three white soldiers: three rising white candles closing near their highs, each
    opening inside the previous body, none much shorter than the one before (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vs2 = averages(o, h, l, c, SHADOW_VERY_SHORT, 2, start)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    vs0 = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    near2 = averages(o, h, l, c, NEAR, 2, start)
    near1 = averages(o, h, l, c, NEAR, 1, start)
    far2 = averages(o, h, l, c, FAR, 2, start)
    far1 = averages(o, h, l, c, FAR, 1, start)
    short0 = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == 1 and us(o, h, c, i - 2) < vs2[i]
                and col(o, c, i - 1) == 1 and us(o, h, c, i - 1) < vs1[i]
                and col(o, c, i) == 1 and us(o, h, c, i) < vs0[i]
                and c[i] > c[i - 1] and c[i - 1] > c[i - 2]
                and o[i - 1] > o[i - 2] and o[i - 1] <= c[i - 2] + near2[i]
                and o[i] > o[i - 1] and o[i] <= c[i - 1] + near1[i]
                and rb(o, c, i - 1) > rb(o, c, i - 2) - far2[i]
                and rb(o, c, i) > rb(o, c, i - 1) - far1[i]
                and rb(o, c, i) > short0[i]):
            out[i] = 100
    return out


@pattern("cdlabandonedbaby", "Abandoned Baby", settings=(BODY_DOJI, BODY_LONG, BODY_SHORT),
         span=2, params=(penetration(0.3),))
@njit(cache=True, nogil=True)
def cdlabandonedbaby(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Abandoned baby: a long body, a doji gapping away (shadows included), a body gapping
    back and closing well into the first (sign: of the third)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    doji1 = averages(o, h, l, c, BODY_DOJI, 1, start)
    short0 = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        if (rb(o, c, i - 2) > long2[i] and rb(o, c, i - 1) <= doji1[i]
                and rb(o, c, i) > short0[i]
                and ((col(o, c, i - 2) == 1 and col(o, c, i) == -1
                      and c[i] < c[i - 2] - rb(o, c, i - 2) * penetration
                      and l[i - 1] > h[i - 2] and h[i] < l[i - 1])
                     or (col(o, c, i - 2) == -1 and col(o, c, i) == 1
                         and c[i] > c[i - 2] + rb(o, c, i - 2) * penetration
                         and h[i - 1] < l[i - 2] and l[i] > h[i - 1]))):
            out[i] = col(o, c, i) * 100
    return out


@pattern("cdladvanceblock", "Advance Block",
         settings=(SHADOW_LONG, SHADOW_SHORT, FAR, NEAR, BODY_LONG), span=2)
@njit(cache=True, nogil=True)
def cdladvanceblock(o: A, h: A, l: A, c: A, start: int) -> A:
    """Advance block: three rising white candles losing strength (shrinking bodies or
    growing upper shadows) (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    ss2 = averages(o, h, l, c, SHADOW_SHORT, 2, start)
    ss1 = averages(o, h, l, c, SHADOW_SHORT, 1, start)
    ss0 = averages(o, h, l, c, SHADOW_SHORT, 0, start)
    sl0 = averages(o, h, l, c, SHADOW_LONG, 0, start)
    near2 = averages(o, h, l, c, NEAR, 2, start)
    near1 = averages(o, h, l, c, NEAR, 1, start)
    far2 = averages(o, h, l, c, FAR, 2, start)
    far1 = averages(o, h, l, c, FAR, 1, start)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    for i in range(start, n):
        b2, b1, b0 = rb(o, c, i - 2), rb(o, c, i - 1), rb(o, c, i)
        if (col(o, c, i - 2) == 1 and col(o, c, i - 1) == 1 and col(o, c, i) == 1
                and c[i] > c[i - 1] and c[i - 1] > c[i - 2]
                and o[i - 1] > o[i - 2] and o[i - 1] <= c[i - 2] + near2[i]
                and o[i] > o[i - 1] and o[i] <= c[i - 1] + near1[i]
                and b2 > long2[i] and us(o, h, c, i - 2) < ss2[i]
                and ((b1 < b2 - far2[i] and b0 < b1 + near1[i])
                     or b0 < b1 - far1[i]
                     or (b0 < b1 and b1 < b2
                         and (us(o, h, c, i) > ss0[i] or us(o, h, c, i - 1) > ss1[i]))
                     or (b0 < b1 and us(o, h, c, i) > sl0[i]))):
            out[i] = -100
    return out


@pattern("cdlbreakaway", "Breakaway", settings=(BODY_LONG,), span=4)
@njit(cache=True, nogil=True)
def cdlbreakaway(o: A, h: A, l: A, c: A, start: int) -> A:
    """Breakaway: a long body, a gap, three candles drifting on, and a fifth closing inside
    the gap (sign: of the fifth)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long4 = averages(o, h, l, c, BODY_LONG, 4, start)
    for i in range(start, n):
        c4 = col(o, c, i - 4)
        if (rb(o, c, i - 4) > long4[i] and c4 == col(o, c, i - 3)
                and col(o, c, i - 3) == col(o, c, i - 1) and col(o, c, i - 1) == -col(o, c, i)
                and ((c4 == -1 and body_gap_down(o, c, i - 3, i - 4)
                      and h[i - 2] < h[i - 3] and l[i - 2] < l[i - 3]
                      and h[i - 1] < h[i - 2] and l[i - 1] < l[i - 2]
                      and c[i] > o[i - 3] and c[i] < c[i - 4])
                     or (c4 == 1 and body_gap_up(o, c, i - 3, i - 4)
                         and h[i - 2] > h[i - 3] and l[i - 2] > l[i - 3]
                         and h[i - 1] > h[i - 2] and l[i - 1] > l[i - 2]
                         and c[i] < o[i - 3] and c[i] > c[i - 4]))):
            out[i] = col(o, c, i) * 100
    return out


@pattern("cdlconcealbabyswall", "Concealing Baby Swallow", settings=(SHADOW_VERY_SHORT,),
         span=3)
@njit(cache=True, nogil=True)
def cdlconcealbabyswall(o: A, h: A, l: A, c: A, start: int) -> A:
    """Concealing baby swallow: two black marubozus, a black candle gapping down with an
    upper shadow into the prior body, a black candle engulfing it (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vs3 = averages(o, h, l, c, SHADOW_VERY_SHORT, 3, start)
    vs2 = averages(o, h, l, c, SHADOW_VERY_SHORT, 2, start)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 3) == -1 and col(o, c, i - 2) == -1 and col(o, c, i - 1) == -1
                and col(o, c, i) == -1
                and ls(o, l, c, i - 3) < vs3[i] and us(o, h, c, i - 3) < vs3[i]
                and ls(o, l, c, i - 2) < vs2[i] and us(o, h, c, i - 2) < vs2[i]
                and body_gap_down(o, c, i - 1, i - 2)
                and us(o, h, c, i - 1) > vs1[i] and h[i - 1] > c[i - 2]
                and h[i] > h[i - 1] and l[i] < l[i - 1]):
            out[i] = 100
    return out


@njit(cache=True, nogil=True)
def _star(o: A, h: A, l: A, c: A, start: int, penetration: float, middle: int, sign: int) -> A:
    # sign -1 evening (white, star gapping up, black), +1 morning (the mirror);
    # middle is BODY_SHORT for a star, BODY_DOJI for a doji star
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    mid1 = averages(o, h, l, c, middle, 1, start)
    short0 = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        if not (rb(o, c, i - 2) > long2[i] and col(o, c, i - 2) == -sign
                and rb(o, c, i - 1) <= mid1[i] and rb(o, c, i) > short0[i]
                and col(o, c, i) == sign):
            continue
        if sign < 0:
            ok = (body_gap_up(o, c, i - 1, i - 2)
                  and c[i] < c[i - 2] - rb(o, c, i - 2) * penetration)
        else:
            ok = (body_gap_down(o, c, i - 1, i - 2)
                  and c[i] > c[i - 2] + rb(o, c, i - 2) * penetration)
        if ok:
            out[i] = 100 * sign
    return out


@pattern("cdleveningstar", "Evening Star", settings=(BODY_SHORT, BODY_LONG), span=2,
         params=(penetration(0.3),))
def cdleveningstar(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Evening star: a long white body, a short body gapping up, a black body closing well
    into the first (bearish)."""
    return _star(o, h, l, c, start, penetration, BODY_SHORT, -1)


@pattern("cdlmorningstar", "Morning Star", settings=(BODY_SHORT, BODY_LONG), span=2,
         params=(penetration(0.3),))
def cdlmorningstar(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Morning star: a long black body, a short body gapping down, a white body closing well
    into the first (bullish)."""
    return _star(o, h, l, c, start, penetration, BODY_SHORT, 1)


@pattern("cdleveningdojistar", "Evening Doji Star", settings=(BODY_DOJI, BODY_LONG, BODY_SHORT),
         span=2, params=(penetration(0.3),))
def cdleveningdojistar(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Evening doji star: an evening star whose middle candle is a doji (bearish)."""
    return _star(o, h, l, c, start, penetration, BODY_DOJI, -1)


@pattern("cdlmorningdojistar", "Morning Doji Star", settings=(BODY_DOJI, BODY_LONG, BODY_SHORT),
         span=2, params=(penetration(0.3),))
def cdlmorningdojistar(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Morning doji star: a morning star whose middle candle is a doji (bullish)."""
    return _star(o, h, l, c, start, penetration, BODY_DOJI, 1)


@pattern("cdlgapsidesidewhite", "Up/Down-gap side-by-side white lines", settings=(NEAR, EQUAL),
         span=2)
@njit(cache=True, nogil=True)
def cdlgapsidesidewhite(o: A, h: A, l: A, c: A, start: int) -> A:
    """Side-by-side white lines after a gap: two similar white candles opening together,
    both gapped away from the candle before (sign: of the gap)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    near1 = averages(o, h, l, c, NEAR, 1, start)
    eq1 = averages(o, h, l, c, EQUAL, 1, start)
    for i in range(start, n):
        up = body_gap_up(o, c, i - 1, i - 2)
        if (((up and body_gap_up(o, c, i, i - 2))
             or (body_gap_down(o, c, i - 1, i - 2) and body_gap_down(o, c, i, i - 2)))
                and col(o, c, i - 1) == 1 and col(o, c, i) == 1
                and rb(o, c, i) >= rb(o, c, i - 1) - near1[i]
                and rb(o, c, i) <= rb(o, c, i - 1) + near1[i]
                and o[i] >= o[i - 1] - eq1[i] and o[i] <= o[i - 1] + eq1[i]):
            out[i] = 100 if up else -100
    return out


@njit(cache=True, nogil=True)
def _hikkake(o: A, h: A, l: A, c: A, start: int, modified: bool) -> A:
    # A pattern found at bar p stays "armed" for three bars; a close beyond the high (bull)
    # or low (bear) of bar p-1 confirms it (reported as ±200) and disarms it. TA-Lib scans
    # the three bars before its first output bar too, so an earlier pattern can confirm.
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    if start >= n:
        return out
    near2 = averages(o, h, l, c, NEAR, 2, start - 3) if modified else np.zeros(n)
    p = 0
    result = 0
    for i in range(start - 3, n):
        if modified:
            found = (h[i - 2] < h[i - 3] and l[i - 2] > l[i - 3]
                     and h[i - 1] < h[i - 2] and l[i - 1] > l[i - 2]
                     and ((h[i] < h[i - 1] and l[i] < l[i - 1]
                           and c[i - 2] <= l[i - 2] + near2[i])
                          or (h[i] > h[i - 1] and l[i] > l[i - 1]
                              and c[i - 2] >= h[i - 2] - near2[i])))
        else:
            found = (h[i - 1] < h[i - 2] and l[i - 1] > l[i - 2]
                     and ((h[i] < h[i - 1] and l[i] < l[i - 1])
                          or (h[i] > h[i - 1] and l[i] > l[i - 1])))
        if found:
            result = 100 if h[i] < h[i - 1] else -100
            p = i
            if i >= start:
                out[i] = result
        elif i <= p + 3 and ((result > 0 and c[i] > h[p - 1])
                             or (result < 0 and c[i] < l[p - 1])):
            if i >= start:
                out[i] = result + (100 if result > 0 else -100)
            p = 0
    return out


@pattern("cdlhikkake", "Hikkake Pattern", span=5)
def cdlhikkake(o: A, h: A, l: A, c: A, start: int) -> A:
    """Hikkake: an inside bar broken out of falsely (±100), confirmed within three bars by a
    close beyond the inside bar (±200)."""
    return _hikkake(o, h, l, c, start, False)


@pattern("cdlhikkakemod", "Modified Hikkake Pattern", settings=(NEAR,), span=5, min_period=1)
def cdlhikkakemod(o: A, h: A, l: A, c: A, start: int) -> A:
    """Modified hikkake: two inside bars, the first closing near its low (bull) or high
    (bear), a false breakout (±100) and its confirmation (±200)."""
    return _hikkake(o, h, l, c, start, True)


@pattern("cdlidentical3crows", "Identical Three Crows", settings=(SHADOW_VERY_SHORT, EQUAL),
         span=2)
@njit(cache=True, nogil=True)
def cdlidentical3crows(o: A, h: A, l: A, c: A, start: int) -> A:
    """Identical three crows: three declining black candles closing at their lows, each
    opening at the previous close (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vs2 = averages(o, h, l, c, SHADOW_VERY_SHORT, 2, start)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    vs0 = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    eq2 = averages(o, h, l, c, EQUAL, 2, start)
    eq1 = averages(o, h, l, c, EQUAL, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == -1 and ls(o, l, c, i - 2) < vs2[i]
                and col(o, c, i - 1) == -1 and ls(o, l, c, i - 1) < vs1[i]
                and col(o, c, i) == -1 and ls(o, l, c, i) < vs0[i]
                and c[i - 2] > c[i - 1] and c[i - 1] > c[i]
                and o[i - 1] <= c[i - 2] + eq2[i] and o[i - 1] >= c[i - 2] - eq2[i]
                and o[i] <= c[i - 1] + eq1[i] and o[i] >= c[i - 1] - eq1[i]):
            out[i] = -100
    return out


@pattern("cdlladderbottom", "Ladder Bottom", settings=(SHADOW_VERY_SHORT,), span=4)
@njit(cache=True, nogil=True)
def cdlladderbottom(o: A, h: A, l: A, c: A, start: int) -> A:
    """Ladder bottom: three declining black candles, a black one with an upper shadow, a
    white one opening above it and closing above its high (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 4) == -1 and col(o, c, i - 3) == -1 and col(o, c, i - 2) == -1
                and o[i - 4] > o[i - 3] and o[i - 3] > o[i - 2]
                and c[i - 4] > c[i - 3] and c[i - 3] > c[i - 2]
                and col(o, c, i - 1) == -1 and us(o, h, c, i - 1) > vs1[i]
                and col(o, c, i) == 1 and o[i] > o[i - 1] and c[i] > h[i - 1]):
            out[i] = 100
    return out


@pattern("cdlmathold", "Mat Hold", settings=(BODY_SHORT, BODY_LONG), span=4,
         params=(penetration(0.5),))
@njit(cache=True, nogil=True)
def cdlmathold(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Mat hold: a long white body, a small black one gapping up, two small reaction candles
    holding inside the first body, a white candle closing above them all (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long4 = averages(o, h, l, c, BODY_LONG, 4, start)
    short3 = averages(o, h, l, c, BODY_SHORT, 3, start)
    short2 = averages(o, h, l, c, BODY_SHORT, 2, start)
    short1 = averages(o, h, l, c, BODY_SHORT, 1, start)
    for i in range(start, n):
        floor = c[i - 4] - rb(o, c, i - 4) * penetration
        if (rb(o, c, i - 4) > long4[i] and rb(o, c, i - 3) < short3[i]
                and rb(o, c, i - 2) < short2[i] and rb(o, c, i - 1) < short1[i]
                and col(o, c, i - 4) == 1 and col(o, c, i - 3) == -1 and col(o, c, i) == 1
                and body_gap_up(o, c, i - 3, i - 4)
                and mn(o[i - 2], c[i - 2]) < c[i - 4] and mn(o[i - 1], c[i - 1]) < c[i - 4]
                and mn(o[i - 2], c[i - 2]) > floor and mn(o[i - 1], c[i - 1]) > floor
                and mx(c[i - 2], o[i - 2]) < o[i - 3]
                and mx(c[i - 1], o[i - 1]) < mx(c[i - 2], o[i - 2])
                and o[i] > c[i - 1]
                and c[i] > mx(mx(h[i - 3], h[i - 2]), h[i - 1])):
            out[i] = 100
    return out


@pattern("cdlrisefall3methods", "Rising/Falling Three Methods", settings=(BODY_SHORT, BODY_LONG),
         span=4)
@njit(cache=True, nogil=True)
def cdlrisefall3methods(o: A, h: A, l: A, c: A, start: int) -> A:
    """Rising/falling three methods: a long body, three small counter-moves inside its range,
    a long body in the first one's direction closing beyond it (sign: of the first)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long4 = averages(o, h, l, c, BODY_LONG, 4, start)
    short3 = averages(o, h, l, c, BODY_SHORT, 3, start)
    short2 = averages(o, h, l, c, BODY_SHORT, 2, start)
    short1 = averages(o, h, l, c, BODY_SHORT, 1, start)
    long0 = averages(o, h, l, c, BODY_LONG, 0, start)
    for i in range(start, n):
        c4 = col(o, c, i - 4)
        if (rb(o, c, i - 4) > long4[i] and rb(o, c, i - 3) < short3[i]
                and rb(o, c, i - 2) < short2[i] and rb(o, c, i - 1) < short1[i]
                and rb(o, c, i) > long0[i]
                and c4 == -col(o, c, i - 3) and col(o, c, i - 3) == col(o, c, i - 2)
                and col(o, c, i - 2) == col(o, c, i - 1) and col(o, c, i - 1) == -col(o, c, i)
                and mn(o[i - 3], c[i - 3]) < h[i - 4] and mx(o[i - 3], c[i - 3]) > l[i - 4]
                and mn(o[i - 2], c[i - 2]) < h[i - 4] and mx(o[i - 2], c[i - 2]) > l[i - 4]
                and mn(o[i - 1], c[i - 1]) < h[i - 4] and mx(o[i - 1], c[i - 1]) > l[i - 4]
                and c[i - 2] * c4 < c[i - 3] * c4 and c[i - 1] * c4 < c[i - 2] * c4
                and o[i] * c4 > c[i - 1] * c4 and c[i] * c4 > c[i - 4] * c4):
            out[i] = 100 * c4
    return out


@pattern("cdlstalledpattern", "Stalled Pattern",
         settings=(BODY_LONG, BODY_SHORT, SHADOW_VERY_SHORT, NEAR), span=2)
@njit(cache=True, nogil=True)
def cdlstalledpattern(o: A, h: A, l: A, c: A, start: int) -> A:
    """Stalled pattern: two long rising white candles, then a small white one opening near
    the second's close (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    short0 = averages(o, h, l, c, BODY_SHORT, 0, start)
    vs1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    near2 = averages(o, h, l, c, NEAR, 2, start)
    near1 = averages(o, h, l, c, NEAR, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == 1 and col(o, c, i - 1) == 1 and col(o, c, i) == 1
                and c[i] > c[i - 1] and c[i - 1] > c[i - 2]
                and rb(o, c, i - 2) > long2[i] and rb(o, c, i - 1) > long1[i]
                and us(o, h, c, i - 1) < vs1[i]
                and o[i - 1] > o[i - 2] and o[i - 1] <= c[i - 2] + near2[i]
                and rb(o, c, i) < short0[i]
                and o[i] >= c[i - 1] - rb(o, c, i) - near1[i]):
            out[i] = -100
    return out


@pattern("cdlsticksandwich", "Stick Sandwich", settings=(EQUAL,), span=2)
@njit(cache=True, nogil=True)
def cdlsticksandwich(o: A, h: A, l: A, c: A, start: int) -> A:
    """Stick sandwich: black, white trading above the first close, black closing at the
    first close (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    eq2 = averages(o, h, l, c, EQUAL, 2, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == -1 and col(o, c, i - 1) == 1 and col(o, c, i) == -1
                and l[i - 1] > c[i - 2]
                and c[i] <= c[i - 2] + eq2[i] and c[i] >= c[i - 2] - eq2[i]):
            out[i] = 100
    return out


@pattern("cdltasukigap", "Tasuki Gap", settings=(NEAR,), span=2)
@njit(cache=True, nogil=True)
def cdltasukigap(o: A, h: A, l: A, c: A, start: int) -> A:
    """Tasuki gap: a gap, a candle continuing it, a similar opposite candle failing to close
    the gap (sign: of the gap)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    near1 = averages(o, h, l, c, NEAR, 1, start)
    for i in range(start, n):
        similar = abs(rb(o, c, i - 1) - rb(o, c, i)) < near1[i]
        if ((body_gap_up(o, c, i - 1, i - 2) and col(o, c, i - 1) == 1 and col(o, c, i) == -1
             and o[i] < c[i - 1] and o[i] > o[i - 1] and c[i] < o[i - 1]
             and c[i] > mx(c[i - 2], o[i - 2]) and similar)
                or (body_gap_down(o, c, i - 1, i - 2) and col(o, c, i - 1) == -1
                    and col(o, c, i) == 1 and o[i] < o[i - 1] and o[i] > c[i - 1]
                    and c[i] > o[i - 1] and c[i] < mn(c[i - 2], o[i - 2]) and similar)):
            out[i] = col(o, c, i - 1) * 100
    return out


@pattern("cdltristar", "Tristar Pattern", settings=(BODY_DOJI,), span=2)
@njit(cache=True, nogil=True)
def cdltristar(o: A, h: A, l: A, c: A, start: int) -> A:
    """Tristar: three dojis, the middle one gapping away (sign: reversal of the gap)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    doji2 = averages(o, h, l, c, BODY_DOJI, 2, start)  # TA-Lib judges all three by it
    for i in range(start, n):
        d = doji2[i]
        if rb(o, c, i - 2) <= d and rb(o, c, i - 1) <= d and rb(o, c, i) <= d:
            if body_gap_up(o, c, i - 1, i - 2) and mx(o[i], c[i]) < mx(o[i - 1], c[i - 1]):
                out[i] = -100
            if body_gap_down(o, c, i - 1, i - 2) and mn(o[i], c[i]) > mn(o[i - 1], c[i - 1]):
                out[i] = 100
    return out


@pattern("cdlunique3river", "Unique 3 River", settings=(BODY_SHORT, BODY_LONG), span=2)
@njit(cache=True, nogil=True)
def cdlunique3river(o: A, h: A, l: A, c: A, start: int) -> A:
    """Unique three river: a long black body, a black harami with a lower low, a small white
    candle opening above that low (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    short0 = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        if (rb(o, c, i - 2) > long2[i] and col(o, c, i - 2) == -1
                and col(o, c, i - 1) == -1 and c[i - 1] > c[i - 2] and o[i - 1] <= o[i - 2]
                and l[i - 1] < l[i - 2]
                and rb(o, c, i) < short0[i] and col(o, c, i) == 1 and o[i] > l[i - 1]):
            out[i] = 100
    return out


@pattern("cdlupsidegap2crows", "Upside Gap Two Crows", settings=(BODY_SHORT, BODY_LONG), span=2)
@njit(cache=True, nogil=True)
def cdlupsidegap2crows(o: A, h: A, l: A, c: A, start: int) -> A:
    """Upside gap two crows: a long white body, a small black one gapping up, a black one
    engulfing it but closing above the first (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long2 = averages(o, h, l, c, BODY_LONG, 2, start)
    short1 = averages(o, h, l, c, BODY_SHORT, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 2) == 1 and rb(o, c, i - 2) > long2[i]
                and col(o, c, i - 1) == -1 and rb(o, c, i - 1) <= short1[i]
                and body_gap_up(o, c, i - 1, i - 2)
                and col(o, c, i) == -1 and o[i] > o[i - 1] and c[i] < c[i - 1]
                and c[i] > c[i - 2]):
            out[i] = -100
    return out


@pattern("cdlxsidegap3methods", "Upside/Downside Gap Three Methods", span=2)
@njit(cache=True, nogil=True)
def cdlxsidegap3methods(o: A, h: A, l: A, c: A, start: int) -> A:
    """Up/downside gap three methods: two candles with a body gap, a third opposite one
    closing the gap (sign: of the first two)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    for i in range(start, n):
        c2 = col(o, c, i - 2)
        if (c2 == col(o, c, i - 1) and col(o, c, i - 1) == -col(o, c, i)
                and o[i] < mx(c[i - 1], o[i - 1]) and o[i] > mn(c[i - 1], o[i - 1])
                and c[i] < mx(c[i - 2], o[i - 2]) and c[i] > mn(c[i - 2], o[i - 2])
                and ((c2 == 1 and body_gap_up(o, c, i - 1, i - 2))
                     or (c2 == -1 and body_gap_down(o, c, i - 1, i - 2)))):
            out[i] = c2 * 100
    return out
