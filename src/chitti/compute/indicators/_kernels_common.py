"""Shared Numba kernels: rolling extremes, true range, variance, linear regression.

Same convention as `_kernels_ma`: full-length outputs, NaN before TA-Lib's first output,
arithmetic in TA-Lib's order (running sums, not fresh windows) so NaN gaps and rounding
behave as TA-Lib's do.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chitti.compute.indicators._kernels_ma import nans

# Let LLVM fuse multiply-adds (TA-Lib 0.7+ computes these recursions with fma()); NaN and
# infinity semantics stay IEEE, only the rounding of a*b+c changes.
FMA = {"contract"}


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_max(x: np.ndarray, period: int, start: int) -> tuple[np.ndarray, np.ndarray]:
    """TA_MAX / TA_MAXINDEX: value and index of the highest of the last ``period`` bars."""
    n = x.shape[0]
    out = nans(n)
    idx = nans(n)
    lb = period - 1
    if start < lb:
        start = lb
    today = start
    trailing = start - lb
    hi_idx = -1
    hi = 0.0
    while today < n:
        t = x[today]
        if hi_idx < trailing:
            hi_idx = trailing
            hi = x[hi_idx]
            i = hi_idx + 1
            while i <= today:
                t = x[i]
                if t > hi:
                    hi_idx = i
                    hi = t
                i += 1
        elif t >= hi:
            hi_idx = today
            hi = t
        out[today] = hi
        idx[today] = hi_idx
        trailing += 1
        today += 1
    return out, idx


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_min(x: np.ndarray, period: int, start: int) -> tuple[np.ndarray, np.ndarray]:
    """TA_MIN / TA_MININDEX."""
    n = x.shape[0]
    out = nans(n)
    idx = nans(n)
    lb = period - 1
    if start < lb:
        start = lb
    today = start
    trailing = start - lb
    lo_idx = -1
    lo = 0.0
    while today < n:
        t = x[today]
        if lo_idx < trailing:
            lo_idx = trailing
            lo = x[lo_idx]
            i = lo_idx + 1
            while i <= today:
                t = x[i]
                if t < lo:
                    lo_idx = i
                    lo = t
                i += 1
        elif t <= lo:
            lo_idx = today
            lo = t
        out[today] = lo
        idx[today] = lo_idx
        trailing += 1
        today += 1
    return out, idx


@njit(cache=True, nogil=True, error_model="numpy")
def block_backward(h: np.ndarray, lo: np.ndarray, period: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The backward half of `block_extremes`: running max of ``h`` / min of ``lo`` from each
    bar to the end of its block (blocks of ``period`` bars from bar 0)."""
    n = h.shape[0]
    bh = np.empty(n)
    bl = np.empty(n)
    if n == 0:
        return bh, bl
    i = n - 1
    k = (n - 1) % period  # position of the last bar inside its block
    a = h[i]
    b = lo[i]
    bh[i] = a
    bl[i] = b
    while i > 0:
        i -= 1
        v = h[i]
        w = lo[i]
        if k == 0:  # bar i + 1 opened a block: bar i closes the previous one
            a = v
            b = w
            k = period - 1
        else:
            k -= 1
            a = v if v > a else a
            b = w if w < b else b
        bh[i] = a
        bl[i] = b
    return bh, bl


@njit(cache=True, nogil=True, error_model="numpy")
def block_extremes(h: np.ndarray, lo: np.ndarray, period: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Highest ``h`` and lowest ``lo`` of the last ``period`` bars, as TA-Lib 0.8's MAX/MIN.

    Van Herk / Gil-Werman: blocks of ``period`` bars from bar 0, a running extreme forward
    and backward inside each block, and a window is the forward extreme at its end against
    the backward extreme at its start. Without gaps this is the plain window extreme; the
    order of the comparisons (``v if v > acc else acc``) decides how a NaN counts exactly
    as in TA-Lib 0.8 (a NaN arriving inside a block is passed over, a NaN opening a block's
    forward or closing its backward scan holds it, a NaN forward extreme loses the final
    comparison), which was checked bar for bar against it.
    """
    n = h.shape[0]
    hi = nans(n)
    low = nans(n)
    if period - 1 >= n:
        return hi, low
    bh, bl = block_backward(h, lo, period)
    fh = 0.0
    fl = 0.0
    k = 0
    for i in range(n):
        v = h[i]
        w = lo[i]
        if k == 0:
            fh = v
            fl = w
        else:
            fh = v if v > fh else fh
            fl = w if w < fl else fl
        k += 1
        if k == period:
            k = 0
        if i >= period - 1:
            b = bh[i - period + 1]
            hi[i] = fh if fh > b else b
            b = bl[i - period + 1]
            low[i] = fl if fl < b else b
    return hi, low


@njit(cache=True, nogil=True, error_model="numpy")
def true_range_at(high: np.ndarray, low: np.ndarray, close: np.ndarray, i: int) -> float:
    th = high[i]
    tl = low[i]
    cy = close[i - 1]
    greatest = th - tl
    v2 = abs(cy - th)
    if v2 > greatest:
        greatest = v2
    v3 = abs(cy - tl)
    if v3 > greatest:
        greatest = v3
    return float(greatest)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int,
        start: int) -> np.ndarray:
    """TA_ATR: SMA of the first ``period`` true ranges, then Wilder smoothing."""
    n = high.shape[0]
    out = nans(n)
    lb = period
    if start < lb:
        start = lb
    if start >= n:
        return out
    # period 1 runs the same recursion (0 * prev + TR): a gap then stays NaN, as in TA-Lib 0.8
    today = start - lb + 1
    total = 0.0
    for _ in range(period):
        total += true_range_at(high, low, close, today)
        today += 1
    prev = total / period
    beta = (period - 1) / period
    alpha = 1.0 - beta
    while today <= start:
        prev = beta * prev + alpha * true_range_at(high, low, close, today)
        today += 1
    out[start] = prev
    while today < n:
        prev = beta * prev + alpha * true_range_at(high, low, close, today)
        out[today] = prev
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def var_step(x: np.ndarray, today: int, nb: int, inv: float, shift: float, t1: float, t2: float,
             peak: float, trailing: int, since: int
             ) -> tuple[float, float, float, float, float, int]:
    """One bar of TA-Lib's shifted running variance, with its re-seeding safeguards.

    The sums are kept relative to a shift near the window so that a large price level does
    not cancel the variance away; when the sample variance falls under 1e-6 of the window's
    mean square, or the second moment left after the oldest bar is dropped under 1e-6 of
    the window's (or every 32 windows), the sums are rebuilt from the window itself. These
    triggers were fitted to TA-Lib 0.8 bit for bit (random, integer, alternating series,
    NaN gaps): they decide when a NaN gap's NaN sums are flushed. A NaN gap leaves the sums
    NaN until the next 32-window rebuild, as in TA-Lib 0.8.
    """
    t = x[today] - shift
    t1 += t
    t *= t
    t2 += t
    peak = t2 if t2 > peak else peak
    m1 = t1 * inv
    v = t2 * inv - m1 * m1
    t2_in = t2
    t = x[trailing] - shift
    t1 -= t
    t *= t
    t2 -= t
    since -= 1
    if v < 0.000001 * nb / (nb + 1) / (nb + 1) * t2_in or t2 < 0.000001 * t2_in or since <= 0:
        since = 32 * (nb + 1)
        ws = today - nb
        t = 0.0
        for j in range(ws, today + 1):
            t += x[j]
        shift = t * inv
        t1 = 0.0
        t2 = 0.0
        for j in range(ws, today + 1):
            t = x[j] - shift
            t1 += t
            t *= t
            t2 += t
        m1 = t1 * inv
        v = t2 * inv - m1 * m1
        if v < 0.000001 * (t2 * inv):
            shift = x[today]
            t1 = 0.0
            t2 = 0.0
            for j in range(ws, today + 1):
                t = x[j] - shift
                t1 += t
                t *= t
                t2 += t
            m1 = t1 * inv
            v = t2 * inv - m1 * m1
        peak = t2
        if v < 0.000000000001 * (t2 * inv):
            v = 0.0
        t = x[ws] - shift
        t1 -= t
        t *= t
        t2 -= t
    return v, shift, t1, t2, peak, since


@njit(cache=True, nogil=True, error_model="numpy")
def var(x: np.ndarray, period: int, start: int) -> np.ndarray:
    """TA_VAR (population variance, TA-Lib 0.7+ shifted running sums; see `var_step`)."""
    n = x.shape[0]
    lb = period - 1
    if start < lb:
        start = lb
    out = np.empty(n)
    out[: min(start, n)] = np.nan
    if start >= n:
        return out
    inv = 1.0 / period
    anchor = start - lb
    trailing = anchor
    shift = x[anchor]
    t1 = 0.0
    t2 = 0.0
    today = anchor + lb
    for j in range(anchor, today):
        t = x[j] - shift
        t1 += t
        t *= t
        t2 += t
    since = 32 * period
    peak = t2
    thr = 0.000001 * lb / period / period
    while today < n:
        # the common step inline; the rare re-seed goes through var_step
        t = x[today] - shift
        nt1 = t1 + t
        nt2 = t2 + t * t
        npeak = nt2 if nt2 > peak else peak
        m1 = nt1 * inv
        v = nt2 * inv - m1 * m1
        t = x[trailing] - shift
        at2 = nt2 - t * t
        if v < thr * nt2 or at2 < 0.000001 * nt2 or since <= 1:
            v, shift, t1, t2, peak, since = var_step(x, today, lb, inv, shift, t1, t2, peak,
                                                     trailing, since)
        else:
            t1 = nt1 - t
            t2 = at2
            peak = npeak
            since -= 1
        trailing += 1
        out[today] = v
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def stddev(x: np.ndarray, period: int, nbdev: float, start: int) -> np.ndarray:
    out = var(x, period, start)
    for i in range(out.shape[0]):
        v = out[i]
        if v == v:
            if v > 0.0:
                out[i] = math.sqrt(v) if nbdev == 1.0 else math.sqrt(v) * nbdev
            else:
                out[i] = 0.0
    return out


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def linreg(x: np.ndarray, period: int, kind: int) -> np.ndarray:
    """TA_LINEARREG family: 0 value, 1 slope, 2 intercept, 3 angle, 4 TSF, 5 FOSC.

    TA-Lib 0.7+'s O(1) recurrence: x runs 0 (newest) .. period-1 (oldest); sum(y) and
    sum(x*y) are updated per bar and rebuilt from the window every 32 windows or when the
    value leaving is large against the window's magnitude (after a split). FOSC compares
    the close with the forecast made one bar earlier.
    """
    n = x.shape[0]
    off = 1 if kind == 5 else 0
    lb = period - 1 + off
    out = np.empty(n)
    out[: min(lb, n)] = np.nan
    if lb >= n:
        return out
    p = float(period)
    sum_x = p * (period - 1) * 0.5
    sum_xsqr = p * (period - 1) * (2 * period - 1) / 6.0
    divisor = sum_x * sum_x - period * sum_xsqr
    deg = 180.0 / math.pi
    today = lb
    sum_y = 0.0
    sum_xy = 0.0
    sum_abs = 0.0
    i = period
    while i != 0:
        i -= 1
        v = x[today - off - i]
        sum_y += v
        sum_xy += float(i) * v
        sum_abs += abs(v)
    since = 32 * period
    trailing_value = x[0]
    trailing = 1
    while True:
        m = (period * sum_xy - sum_x * sum_y) / divisor
        b = (sum_y - m * sum_x) / p
        if kind == 0:
            out[today] = m * (p - 1) + b
        elif kind == 1:
            out[today] = m
        elif kind == 2:
            out[today] = b
        elif kind == 3:
            out[today] = math.atan(m) * deg
        elif kind == 4:
            out[today] = m * p + b
        else:
            c = x[today]
            out[today] = 100.0 * (c - (m * p + b)) / c if c != 0.0 else 0.0
        today += 1
        if today >= n:
            break
        weighted = p * trailing_value
        sum_xy = sum_xy + sum_y - weighted
        v = x[today - off]
        sum_y = sum_y - trailing_value + v
        sum_abs = sum_abs - abs(trailing_value) + abs(v)
        since -= 1
        if since <= 0 or abs(weighted) > 100.0 * sum_abs:
            since = 32 * period
            sum_y = 0.0
            sum_xy = 0.0
            sum_abs = 0.0
            w = float(period - 1)
            for j in range(today - off - period + 1, today - off + 1):
                v = x[j]
                sum_y += v
                sum_xy += w * v
                sum_abs += abs(v)
                w -= 1.0
        trailing_value = x[trailing]
        trailing += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def head_nan(n: int, lb: int) -> np.ndarray:
    """An output array whose first ``lb`` bars are NaN (the rest is written by the caller)."""
    out = np.empty(n)
    out[: min(lb, n)] = np.nan
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def mom(x: np.ndarray, period: int, kind: int) -> np.ndarray:
    """MOM/ROC family; kind 0 mom, 1 roc, 2 rocp, 3 rocr, 4 rocr100."""
    n = x.shape[0]
    out = head_nan(n, period)
    # one loop per kind keeps the branch out of the loop body
    if kind == 0:
        for i in range(period, n):
            out[i] = x[i] - x[i - period]
    elif kind == 1:
        for i in range(period, n):
            t = x[i - period]
            out[i] = ((x[i] / t) - 1.0) * 100.0 if t != 0.0 else 0.0
    elif kind == 2:
        for i in range(period, n):
            t = x[i - period]
            out[i] = (x[i] - t) / t if t != 0.0 else 0.0
    elif kind == 3:
        for i in range(period, n):
            t = x[i - period]
            out[i] = x[i] / t if t != 0.0 else 0.0
    else:
        for i in range(period, n):
            t = x[i - period]
            out[i] = (x[i] / t) * 100.0 if t != 0.0 else 0.0
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def trange(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> np.ndarray:
    n = high.shape[0]
    out = head_nan(n, 1)
    for i in range(1, n):
        out[i] = true_range_at(high, low, close, i)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_sum(x: np.ndarray, period: int, start: int) -> np.ndarray:
    n = x.shape[0]
    out = nans(n)
    lb = period - 1
    if start < lb:
        start = lb
    if start >= n:
        return out
    total = 0.0
    trailing = start - lb
    i = trailing
    while i < start:
        total += x[i]
        i += 1
    while i < n:
        total += x[i]
        out[i] = total
        total -= x[trailing]
        trailing += 1
        i += 1
    return out
