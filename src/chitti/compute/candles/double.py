"""Two-candle patterns: engulfing, harami, stars, hammers, necks, kicking, lines.

Kernels take ``(open, high, low, close, lookback[, penetration])`` and return TA-Lib's
int32 output. An average named ``x1`` is the one TA-Lib takes for candle ``i-1``.
Variants of one pattern share one Numba kernel (``_harami``, ``_neck``...); their entries are thin
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
    NEAR,
    SHADOW_LONG,
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


@pattern("cdlengulfing", "Engulfing Pattern", span=2)
@njit(cache=True, nogil=True)
def cdlengulfing(o: A, h: A, l: A, c: A, start: int) -> A:
    """Engulfing: a body engulfs the opposite-coloured body before it (±80 if one end ties)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    for i in range(start, n):
        ci = col(o, c, i)
        if (ci == 1 and col(o, c, i - 1) == -1
                and ((c[i] >= o[i - 1] and o[i] < c[i - 1])
                     or (c[i] > o[i - 1] and o[i] <= c[i - 1]))
            ) or (ci == -1 and col(o, c, i - 1) == 1
                  and ((o[i] >= c[i - 1] and c[i] < o[i - 1])
                       or (o[i] > c[i - 1] and c[i] <= o[i - 1]))):
            out[i] = ci * (100 if o[i] != c[i - 1] and c[i] != o[i - 1] else 80)
    return out


@njit(cache=True, nogil=True)
def _harami(o: A, h: A, l: A, c: A, start: int, second: int) -> A:
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    small = averages(o, h, l, c, second, 0, start)
    for i in range(start, n):
        if rb(o, c, i - 1) > long1[i] and rb(o, c, i) <= small[i]:
            top, bot = mx(c[i], o[i]), mn(c[i], o[i])
            top1, bot1 = mx(c[i - 1], o[i - 1]), mn(c[i - 1], o[i - 1])
            if top < top1 and bot > bot1:
                out[i] = -col(o, c, i - 1) * 100
            elif top <= top1 and bot >= bot1:
                out[i] = -col(o, c, i - 1) * 80
    return out


@pattern("cdlharami", "Harami Pattern", settings=(BODY_SHORT, BODY_LONG), span=1)
def cdlharami(o: A, h: A, l: A, c: A, start: int) -> A:
    """Harami: a short body inside the long body before it (±80 if an end ties)."""
    return _harami(o, h, l, c, start, BODY_SHORT)


@pattern("cdlharamicross", "Harami Cross Pattern", settings=(BODY_DOJI, BODY_LONG), span=1)
def cdlharamicross(o: A, h: A, l: A, c: A, start: int) -> A:
    """Harami cross: a doji inside the long body before it (±80 if an end ties)."""
    return _harami(o, h, l, c, start, BODY_DOJI)


@pattern("cdldojistar", "Doji Star", settings=(BODY_DOJI, BODY_LONG), span=1)
@njit(cache=True, nogil=True)
def cdldojistar(o: A, h: A, l: A, c: A, start: int) -> A:
    """Doji star: a long body, then a doji gapping away in its direction (sign: reversal)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    doji = averages(o, h, l, c, BODY_DOJI, 0, start)
    for i in range(start, n):
        if rb(o, c, i - 1) > long1[i] and rb(o, c, i) <= doji[i] and (
                (col(o, c, i - 1) == 1 and body_gap_up(o, c, i, i - 1))
                or (col(o, c, i - 1) == -1 and body_gap_down(o, c, i, i - 1))):
            out[i] = -col(o, c, i - 1) * 100
    return out


@njit(cache=True, nogil=True)
def _hammer_like(o: A, h: A, l: A, c: A, start: int, upper: bool, sign: int) -> A:
    # small body, a long shadow (lower for hammer/hanging man, upper for the inverted ones)
    # and almost none on the other side
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    short = averages(o, h, l, c, BODY_SHORT, 0, start)
    slong = averages(o, h, l, c, SHADOW_LONG, 0, start)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    near1 = averages(o, h, l, c, NEAR, 1, start)
    for i in range(start, n):
        if not rb(o, c, i) < short[i]:  # (NaN-safe: a NaN body is no pattern)
            continue
        if upper:
            ok = us(o, h, c, i) > slong[i] and ls(o, l, c, i) < vshort[i]
            if sign > 0:  # inverted hammer: gaps down
                ok = ok and body_gap_down(o, c, i, i - 1)
            else:  # shooting star: gaps up
                ok = ok and body_gap_up(o, c, i, i - 1)
        else:
            ok = ls(o, l, c, i) > slong[i] and us(o, h, c, i) < vshort[i]
            if sign > 0:  # hammer: body near or below the prior low
                ok = ok and mn(c[i], o[i]) <= l[i - 1] + near1[i]
            else:  # hanging man: body near or above the prior high
                ok = ok and mn(c[i], o[i]) >= h[i - 1] - near1[i]
        if ok:
            out[i] = 100 * sign
    return out


@pattern("cdlhammer", "Hammer", settings=(BODY_SHORT, SHADOW_LONG, SHADOW_VERY_SHORT, NEAR),
         span=1)
def cdlhammer(o: A, h: A, l: A, c: A, start: int) -> A:
    """Hammer: small body at the top, long lower shadow, body near or below the prior low."""
    return _hammer_like(o, h, l, c, start, False, 1)


@pattern("cdlhangingman", "Hanging Man",
         settings=(BODY_SHORT, SHADOW_LONG, SHADOW_VERY_SHORT, NEAR), span=1)
def cdlhangingman(o: A, h: A, l: A, c: A, start: int) -> A:
    """Hanging man: a hammer whose body is near or above the prior high (bearish)."""
    return _hammer_like(o, h, l, c, start, False, -1)


@pattern("cdlinvertedhammer", "Inverted Hammer",
         settings=(BODY_SHORT, SHADOW_LONG, SHADOW_VERY_SHORT), span=1)
def cdlinvertedhammer(o: A, h: A, l: A, c: A, start: int) -> A:
    """Inverted hammer: small body at the bottom, long upper shadow, gapping down."""
    return _hammer_like(o, h, l, c, start, True, 1)


@pattern("cdlshootingstar", "Shooting Star",
         settings=(BODY_SHORT, SHADOW_LONG, SHADOW_VERY_SHORT), span=1)
def cdlshootingstar(o: A, h: A, l: A, c: A, start: int) -> A:
    """Shooting star: small body at the bottom, long upper shadow, gapping up (bearish)."""
    return _hammer_like(o, h, l, c, start, True, -1)


@pattern("cdlhomingpigeon", "Homing Pigeon", settings=(BODY_SHORT, BODY_LONG), span=1)
@njit(cache=True, nogil=True)
def cdlhomingpigeon(o: A, h: A, l: A, c: A, start: int) -> A:
    """Homing pigeon: a long black body, then a short black body inside it (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    short = averages(o, h, l, c, BODY_SHORT, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 1) == -1 and col(o, c, i) == -1 and rb(o, c, i - 1) > long1[i]
                and rb(o, c, i) <= short[i] and o[i] < o[i - 1] and c[i] > c[i - 1]):
            out[i] = 100
    return out


@pattern("cdlcounterattack", "Counterattack", settings=(EQUAL, BODY_LONG), span=1)
@njit(cache=True, nogil=True)
def cdlcounterattack(o: A, h: A, l: A, c: A, start: int) -> A:
    """Counterattack: two long opposite bodies closing at the same price; sign of the 2nd."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    eq1 = averages(o, h, l, c, EQUAL, 1, start)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    long0 = averages(o, h, l, c, BODY_LONG, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 1) == -col(o, c, i) and rb(o, c, i - 1) > long1[i]
                and rb(o, c, i) > long0[i]
                and c[i] <= c[i - 1] + eq1[i] and c[i] >= c[i - 1] - eq1[i]):
            out[i] = 100 * col(o, c, i)
    return out


@pattern("cdldarkcloudcover", "Dark Cloud Cover", settings=(BODY_LONG,), span=1,
         params=(penetration(0.5),))
@njit(cache=True, nogil=True)
def cdldarkcloudcover(o: A, h: A, l: A, c: A, start: int, penetration: float) -> A:
    """Dark cloud cover: a long white body, then a black one opening above its high and
    closing deep inside it (bearish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 1) == 1 and rb(o, c, i - 1) > long1[i] and col(o, c, i) == -1
                and o[i] > h[i - 1] and c[i] > o[i - 1]
                and c[i] < c[i - 1] - rb(o, c, i - 1) * penetration):
            out[i] = -100
    return out


@pattern("cdlpiercing", "Piercing Pattern", settings=(BODY_LONG,), span=1)
@njit(cache=True, nogil=True)
def cdlpiercing(o: A, h: A, l: A, c: A, start: int) -> A:
    """Piercing: a long black body, then a long white one opening below its low and closing
    above its midpoint (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    long0 = averages(o, h, l, c, BODY_LONG, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 1) == -1 and rb(o, c, i - 1) > long1[i] and col(o, c, i) == 1
                and rb(o, c, i) > long0[i] and o[i] < l[i - 1] and c[i] < o[i - 1]
                and c[i] > c[i - 1] + rb(o, c, i - 1) * 0.5):
            out[i] = 100
    return out


@njit(cache=True, nogil=True)
def _neck(o: A, h: A, l: A, c: A, start: int, kind: int) -> A:
    # a long black body, then a white one opening below its low; kind 0 on-neck (closes at
    # the low), 1 in-neck (closes just into the body), 2 thrusting (closes into the lower half)
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    eq1 = averages(o, h, l, c, EQUAL, 1, start)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    for i in range(start, n):
        if not (col(o, c, i - 1) == -1 and rb(o, c, i - 1) > long1[i] and col(o, c, i) == 1
                and o[i] < l[i - 1]):
            continue
        if kind == 0:
            ok = c[i] <= l[i - 1] + eq1[i] and c[i] >= l[i - 1] - eq1[i]
        elif kind == 1:
            ok = c[i] <= c[i - 1] + eq1[i] and c[i] >= c[i - 1]
        else:
            ok = c[i] > c[i - 1] + eq1[i] and c[i] <= c[i - 1] + rb(o, c, i - 1) * 0.5
        if ok:
            out[i] = -100
    return out


@pattern("cdlonneck", "On-Neck Pattern", settings=(EQUAL, BODY_LONG), span=1)
def cdlonneck(o: A, h: A, l: A, c: A, start: int) -> A:
    """On-neck: a white candle closing at the prior long black candle's low (bearish)."""
    return _neck(o, h, l, c, start, 0)


@pattern("cdlinneck", "In-Neck Pattern", settings=(EQUAL, BODY_LONG), span=1)
def cdlinneck(o: A, h: A, l: A, c: A, start: int) -> A:
    """In-neck: a white candle closing just into the prior long black body (bearish)."""
    return _neck(o, h, l, c, start, 1)


@pattern("cdlthrusting", "Thrusting Pattern", settings=(EQUAL, BODY_LONG), span=1)
def cdlthrusting(o: A, h: A, l: A, c: A, start: int) -> A:
    """Thrusting: a white candle closing into, but below the middle of, the prior long
    black body (bearish)."""
    return _neck(o, h, l, c, start, 2)


@njit(cache=True, nogil=True)
def _kicking(o: A, h: A, l: A, c: A, start: int, by_length: bool) -> A:
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vshort1 = averages(o, h, l, c, SHADOW_VERY_SHORT, 1, start)
    vshort0 = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    long1 = averages(o, h, l, c, BODY_LONG, 1, start)
    long0 = averages(o, h, l, c, BODY_LONG, 0, start)
    for i in range(start, n):
        if (col(o, c, i - 1) == -col(o, c, i)
                and rb(o, c, i - 1) > long1[i]
                and us(o, h, c, i - 1) < vshort1[i] and ls(o, l, c, i - 1) < vshort1[i]
                and rb(o, c, i) > long0[i]
                and us(o, h, c, i) < vshort0[i] and ls(o, l, c, i) < vshort0[i]
                and ((col(o, c, i - 1) == -1 and l[i] > h[i - 1])
                     or (col(o, c, i - 1) == 1 and h[i] < l[i - 1]))):
            if by_length:
                j = i if rb(o, c, i) > rb(o, c, i - 1) else i - 1
                out[i] = col(o, c, j) * 100
            else:
                out[i] = col(o, c, i) * 100
    return out


@pattern("cdlkicking", "Kicking", settings=(SHADOW_VERY_SHORT, BODY_LONG), span=1)
def cdlkicking(o: A, h: A, l: A, c: A, start: int) -> A:
    """Kicking: two opposite marubozus with a gap between them; sign of the 2nd."""
    return _kicking(o, h, l, c, start, False)


@pattern("cdlkickingbylength", "Kicking - bull/bear determined by the longer marubozu",
         settings=(SHADOW_VERY_SHORT, BODY_LONG), span=1)
def cdlkickingbylength(o: A, h: A, l: A, c: A, start: int) -> A:
    """Kicking, signed by the longer of the two marubozus."""
    return _kicking(o, h, l, c, start, True)


@pattern("cdlmatchinglow", "Matching Low", settings=(EQUAL,), span=1)
@njit(cache=True, nogil=True)
def cdlmatchinglow(o: A, h: A, l: A, c: A, start: int) -> A:
    """Matching low: two black candles closing at the same price (bullish)."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    eq1 = averages(o, h, l, c, EQUAL, 1, start)
    for i in range(start, n):
        if (col(o, c, i - 1) == -1 and col(o, c, i) == -1
                and c[i] <= c[i - 1] + eq1[i] and c[i] >= c[i - 1] - eq1[i]):
            out[i] = 100
    return out


@pattern("cdlseparatinglines", "Separating Lines",
         settings=(SHADOW_VERY_SHORT, BODY_LONG, EQUAL), span=1)
@njit(cache=True, nogil=True)
def cdlseparatinglines(o: A, h: A, l: A, c: A, start: int) -> A:
    """Separating lines: opposite colours opening at the same price, the 2nd a long belt-hold;
    sign of the 2nd."""
    n = c.shape[0]
    out = np.zeros(n, np.int32)
    vshort = averages(o, h, l, c, SHADOW_VERY_SHORT, 0, start)
    long0 = averages(o, h, l, c, BODY_LONG, 0, start)
    eq1 = averages(o, h, l, c, EQUAL, 1, start)
    for i in range(start, n):
        ci = col(o, c, i)
        if (col(o, c, i - 1) == -ci and o[i] <= o[i - 1] + eq1[i] and o[i] >= o[i - 1] - eq1[i]
                and rb(o, c, i) > long0[i]
                and ((ci == 1 and ls(o, l, c, i) < vshort[i])
                     or (ci == -1 and us(o, h, c, i) < vshort[i]))):
            out[i] = ci * 100
    return out
