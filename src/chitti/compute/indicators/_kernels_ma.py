"""Moving-average kernels (Numba), bit-for-bit in the arithmetic order TA-Lib uses.

Convention for every kernel here: ``f(x, period, start)`` behaves like TA-Lib's ``TA_F``
called with ``startIdx=start`` on the whole of ``x``: it returns an array as long as ``x``,
NaN before the first bar TA-Lib would output. Composite indicators need ``start`` because
TA-Lib seeds recursive averages (EMA, KAMA, T3...) at the first bar it is asked for.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Let LLVM fuse multiply-adds (TA-Lib 0.7+ computes these recursions with fma()); NaN and
# infinity semantics stay IEEE, only the rounding of a*b+c changes.
FMA = {"contract"}


NAN = np.nan

# TA-Lib MAType values.
SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, MAMA, T3, HMA, NONE, DEFAULT, ZLEMA, RMA = range(14)


@njit(cache=True, nogil=True, error_model="numpy")
def nans(n: int) -> np.ndarray:
    out = np.empty(n)
    out[:] = NAN
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def copy_from(x: np.ndarray, start: int) -> np.ndarray:
    out = nans(x.shape[0])
    out[start:] = x[start:]
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def sma(x: np.ndarray, period: int, start: int) -> np.ndarray:
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
        tmp = total
        total -= x[trailing]
        trailing += 1
        out[i] = tmp / period
        i += 1
    return out


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def ema_k(x: np.ndarray, period: int, k: float, start: int) -> np.ndarray:
    n = x.shape[0]
    out = nans(n)
    lb = period - 1
    if start < lb:
        start = lb
    if start >= n:
        return out
    today = start - lb
    total = 0.0
    for _ in range(period):
        total += x[today]
        today += 1
    prev = total / period
    beta = 1.0 - k
    while today <= start:
        prev = beta * prev + k * x[today]
        today += 1
    out[start] = prev
    while today < n:
        prev = beta * prev + k * x[today]
        out[today] = prev
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def ema(x: np.ndarray, period: int, start: int) -> np.ndarray:
    if period == 1:
        return copy_from(x, start)
    # TA-Lib 0.7+: beta first, k = 1 - beta (so beta + k is exactly 1), fma(beta, prev, k*x)
    return ema_k(x, period, 1.0 - (period - 1) / (period + 1), start)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def rma(x: np.ndarray, period: int, start: int) -> np.ndarray:
    # Wilder's smoothing: SMA seed, then beta*prev + alpha*x (alpha derived from beta).
    n = x.shape[0]
    out = nans(n)
    lb = period - 1
    if start < lb:
        start = lb
    if start >= n:
        return out
    beta = (period - 1) / period
    alpha = 1.0 - beta
    today = start - lb
    total = 0.0
    for _ in range(period):
        total += x[today]
        today += 1
    prev = total / period
    while today <= start:
        prev = beta * prev + alpha * x[today]
        today += 1
    out[start] = prev
    while today < n:
        prev = beta * prev + alpha * x[today]
        out[today] = prev
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def wma_core(x: np.ndarray, period: int, start: int, reseed: bool) -> np.ndarray:
    """TA_WMA's running sums (plain and weighted, lagged trailing subtract).

    With ``reseed`` (TA-Lib 0.7+'s TA_WMA) both sums are rebuilt from the window every
    8 * period bars, just before the output: drift stays bounded and a NaN leaves the
    state once it leaves the window.
    """
    n = x.shape[0]
    if period == 1:
        return copy_from(x, start)
    lb = period - 1
    if start < lb:
        start = lb
    out = np.empty(n)
    out[: min(start, n)] = np.nan
    if start >= n:
        return out
    divider = float((period * (period + 1)) >> 1)
    trailing = start - lb
    sub = 0.0
    wsum = 0.0
    i = trailing
    w = 1
    while i < start:
        v = x[i]
        sub += v
        wsum += v * w
        w += 1
        i += 1
    trailing_value = 0.0
    k = 8 * period
    since = k
    while i < n:
        v = x[i]
        sub += v
        sub -= trailing_value
        wsum += v * period
        trailing_value = x[trailing]
        trailing += 1
        if reseed:
            since -= 1
            if since <= 0:
                since = k
                sub = 0.0
                wsum = 0.0
                for j in range(period):
                    u = x[i - lb + j]
                    sub += u
                    wsum += u * (j + 1)
        out[i] = wsum / divider
        wsum -= sub
        i += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def wma(x: np.ndarray, period: int, start: int) -> np.ndarray:
    return wma_core(x, period, start, True)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def ema_chain(x: np.ndarray, period: int, levels: int, mode: int, first: int) -> np.ndarray:
    """EMA of EMA of ... (``levels`` deep) in one pass, each level seeded TA-Lib's way.

    Level L starts on its input's first ``period`` values (their mean), so this equals
    composing ``levels`` TA_EMA calls over intermediate buffers. ``first`` is where level 1
    starts. mode 0 DEMA (2e1 - e2), 1 TEMA (3e1 - 3e2 + e3), 2 TRIX (1-bar ROC of e3, %).
    """
    n = x.shape[0]
    lb = levels * (period - 1)
    first_out = first + lb + (1 if mode == 2 else 0)
    out = np.empty(n)
    out[: min(first_out, n)] = np.nan
    k = 1.0 - (period - 1) / (period + 1)
    beta = 1.0 - k
    e = np.zeros(3)
    acc = np.zeros(3)
    cnt = np.zeros(3, dtype=np.int64)
    prev_last = 0.0
    warm_end = first + lb  # first bar where every level is seeded
    for i in range(first, min(warm_end + 1, n)):
        v = x[i]
        ready = True
        for lv in range(levels):
            if cnt[lv] < period:
                acc[lv] += v
                cnt[lv] += 1
                if cnt[lv] < period:
                    ready = False
                    break
                e[lv] = acc[lv] / period
            else:
                e[lv] = beta * e[lv] + k * v
            v = e[lv]
        if not ready:
            continue
        if mode == 0:
            out[i] = 2.0 * e[0] - e[1]
        elif mode == 1:
            out[i] = 3.0 * e[0] - 3.0 * e[1] + e[2]
        else:
            if i >= first_out:
                out[i] = ((e[2] / prev_last) - 1.0) * 100.0 if prev_last != 0.0 else 0.0
            prev_last = e[2]
    # steady state: plain scalars, no per-level bookkeeping
    e0 = e[0]
    e1 = e[1]
    e2 = e[2]
    if mode == 0:
        for i in range(warm_end + 1, n):
            e0 = beta * e0 + k * x[i]
            e1 = beta * e1 + k * e0
            out[i] = 2.0 * e0 - e1
    elif mode == 1:
        for i in range(warm_end + 1, n):
            e0 = beta * e0 + k * x[i]
            e1 = beta * e1 + k * e0
            e2 = beta * e2 + k * e1
            out[i] = 3.0 * e0 - 3.0 * e1 + e2
    else:
        for i in range(warm_end + 1, n):
            e0 = beta * e0 + k * x[i]
            e1 = beta * e1 + k * e0
            e2 = beta * e2 + k * e1
            out[i] = ((e2 / prev_last) - 1.0) * 100.0 if prev_last != 0.0 else 0.0
            prev_last = e2
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def dema(x: np.ndarray, period: int, start: int) -> np.ndarray:
    if period == 1:
        return copy_from(x, start)
    lb = period - 1
    if start < 2 * lb:
        start = 2 * lb
    return ema_chain(x, period, 2, 0, start - 2 * lb)


@njit(cache=True, nogil=True, error_model="numpy")
def tema(x: np.ndarray, period: int, start: int) -> np.ndarray:
    if period == 1:
        return copy_from(x, start)
    lb = period - 1
    if start < 3 * lb:
        start = 3 * lb
    return ema_chain(x, period, 3, 1, start - 3 * lb)


@njit(cache=True, nogil=True, error_model="numpy")
def trima(x: np.ndarray, period: int, start: int) -> np.ndarray:
    n = x.shape[0]
    # period 1 runs the general recursion too (TA_MA copies before getting here): the
    # value is the input, and a gap then stays NaN, as in TA-Lib 0.8's TRIMA
    out = nans(n)
    lb = period - 1
    if start < lb:
        start = lb
    if start >= n:
        return out
    half = period >> 1
    trailing = start - lb
    if period % 2 == 1:
        factor = 1.0 / ((half + 1) * (half + 1))
        middle = trailing + half
        today = middle + half
    else:
        factor = 1.0 / (half * (half + 1))
        middle = trailing + half - 1
        today = middle + half
    numerator = 0.0
    num_sub = 0.0
    i = middle
    while i >= trailing:
        num_sub += x[i]
        numerator += num_sub
        i -= 1
    num_add = 0.0
    middle += 1
    i = middle
    while i <= today:
        num_add += x[i]
        numerator += num_add
        i += 1
    tmp = x[trailing]
    trailing += 1
    out[today] = numerator * factor
    today += 1
    odd = period % 2 == 1
    while today < n:
        numerator -= num_sub
        num_sub -= tmp
        tmp = x[middle]
        middle += 1
        num_sub += tmp
        if odd:
            numerator += num_add
            num_add -= tmp
        else:
            num_add -= tmp
            numerator += num_add
        tmp = x[today]
        num_add += tmp
        numerator += tmp
        tmp = x[trailing]
        trailing += 1
        out[today] = numerator * factor
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _is_zero(v: float) -> bool:
    return -1e-14 < v < 1e-14


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def _kama_step(x: np.ndarray, today: int, trailing: int, prev: float, sum_roc: float,
               flat: int, period: int, const_max: float, const_diff: float
               ) -> tuple[float, float, int]:
    # One bar of TA-Lib 0.8's KAMA after the seed: the running sum of |1-bar changes| is
    # reset to exactly 0 once `period` consecutive changes are exactly 0 (which also makes
    # a NaN in the sum recoverable), the efficiency ratio is 1 for a sum <= 0 or <= the
    # period change and otherwise min(1, |change / sum|), and the smoothing is done in
    # fused multiply-adds (as TA-Lib's FMA build; LLVM contracts these two lines).
    v = x[today]
    d1 = v - x[today - 1]
    v2 = x[trailing]
    if d1 == 0.0:
        flat += 1
    else:
        flat = 0
    if flat >= period:
        flat = period
        sum_roc = 0.0
        er = 1.0
    else:
        sum_roc = abs(d1) + (sum_roc - abs(x[trailing - 1] - v2))
        er = 1.0
        if not 0.0 >= sum_roc:
            roc = v - v2
            if not roc >= sum_roc:
                r = abs(roc / sum_roc)
                er = 1.0 if 1.0 < r else r
    sc = er * const_diff + const_max
    sc = sc * sc
    prev = sc * (v - prev) + prev
    return prev, sum_roc, flat


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def kama(x: np.ndarray, period: int, start: int) -> np.ndarray:
    n = x.shape[0]
    if period == 1:
        return copy_from(x, start)
    out = nans(n)
    const_max = 2.0 / (30.0 + 1.0)
    const_diff = 2.0 / (2.0 + 1.0) - const_max
    lb = period
    if start < lb:
        start = lb
    if start >= n:
        return out
    sum_roc = 0.0
    flat = 0  # run of exactly-zero 1-bar changes
    today = start - lb
    trailing = today
    for _ in range(period):
        t = x[today] - x[today + 1]
        today += 1
        sum_roc += abs(t)
        if t == 0.0:
            flat += 1
        else:
            flat = 0
    prev = x[today - 1]
    v = x[today]
    er = 1.0
    if not 0.0 >= sum_roc:
        roc = v - x[trailing]
        if not roc >= sum_roc:
            r = abs(roc / sum_roc)
            er = 1.0 if 1.0 < r else r
    trailing += 1
    sc = er * const_diff + const_max
    sc = sc * sc
    prev = sc * (v - prev) + prev
    out[today] = prev  # with no unstable period the seed step lands on `start`
    today += 1
    while today < n:
        prev, sum_roc, flat = _kama_step(x, today, trailing, prev, sum_roc, flat, period,
                                         const_max, const_diff)
        out[today] = prev
        trailing += 1
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def t3(x: np.ndarray, period: int, vfactor: float, start: int) -> np.ndarray:
    n = x.shape[0]
    if period == 1:
        return copy_from(x, start)
    out = nans(n)
    lb = 6 * (period - 1)
    if start < lb:
        start = lb
    if start >= n:
        return out
    today = start - lb
    k = 2.0 / (period + 1.0)
    one_minus_k = 1.0 - k
    tmp = x[today]
    today += 1
    for _ in range(period - 1):
        tmp += x[today]
        today += 1
    e1 = tmp / period
    tmp = e1
    for _ in range(period - 1):
        e1 = k * x[today] + one_minus_k * e1
        today += 1
        tmp += e1
    e2 = tmp / period
    tmp = e2
    for _ in range(period - 1):
        e1 = k * x[today] + one_minus_k * e1
        today += 1
        e2 = k * e1 + one_minus_k * e2
        tmp += e2
    e3 = tmp / period
    tmp = e3
    for _ in range(period - 1):
        e1 = k * x[today] + one_minus_k * e1
        today += 1
        e2 = k * e1 + one_minus_k * e2
        e3 = k * e2 + one_minus_k * e3
        tmp += e3
    e4 = tmp / period
    tmp = e4
    for _ in range(period - 1):
        e1 = k * x[today] + one_minus_k * e1
        today += 1
        e2 = k * e1 + one_minus_k * e2
        e3 = k * e2 + one_minus_k * e3
        e4 = k * e3 + one_minus_k * e4
        tmp += e4
    e5 = tmp / period
    tmp = e5
    for _ in range(period - 1):
        e1 = k * x[today] + one_minus_k * e1
        today += 1
        e2 = k * e1 + one_minus_k * e2
        e3 = k * e2 + one_minus_k * e3
        e4 = k * e3 + one_minus_k * e4
        e5 = k * e4 + one_minus_k * e5
        tmp += e5
    e6 = tmp / period
    while today <= start:
        e1 = k * x[today] + one_minus_k * e1
        today += 1
        e2 = k * e1 + one_minus_k * e2
        e3 = k * e2 + one_minus_k * e3
        e4 = k * e3 + one_minus_k * e4
        e5 = k * e4 + one_minus_k * e5
        e6 = k * e5 + one_minus_k * e6
    tmp = vfactor * vfactor
    c1 = -tmp * vfactor
    c2 = 3.0 * (tmp - c1)
    c3 = -6.0 * tmp - 3.0 * (vfactor - c1)
    c4 = 1.0 + 3.0 * vfactor - c1 + 3.0 * tmp
    out[start] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3
    while today < n:
        e1 = k * x[today] + one_minus_k * e1
        e2 = k * e1 + one_minus_k * e2
        e3 = k * e2 + one_minus_k * e3
        e4 = k * e3 + one_minus_k * e4
        e5 = k * e4 + one_minus_k * e5
        e6 = k * e5 + one_minus_k * e6
        out[today] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def mama(
    x: np.ndarray, fast_limit: float, slow_limit: float, start: int
) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    out_mama = nans(n)
    out_fama = nans(n)
    lb = 32
    if start < lb:
        start = lb
    if start >= n:
        return out_mama, out_fama
    a = 0.0962
    b = 0.5769
    rad2deg = 180.0 / (4.0 * math.atan(1.0))
    trailing = start - lb
    today = trailing
    v = x[today]
    today += 1
    wsub = v
    wsum = v
    v = x[today]
    today += 1
    wsub += v
    wsum += v * 2.0
    v = x[today]
    today += 1
    wsub += v
    wsum += v * 3.0
    trailing_value = 0.0
    for _ in range(9):
        v = x[today]
        today += 1
        wsub += v
        wsub -= trailing_value
        wsum += v * 4.0
        trailing_value = x[trailing]
        trailing += 1
        wsum -= wsub
    hidx = 0
    # state per transform: [odd/even][3] ring, prev, prev_input
    det_r = np.zeros((2, 3))
    q1_r = np.zeros((2, 3))
    ji_r = np.zeros((2, 3))
    jq_r = np.zeros((2, 3))
    det_p = np.zeros(2)
    det_pi = np.zeros(2)
    q1_p = np.zeros(2)
    q1_pi = np.zeros(2)
    ji_p = np.zeros(2)
    ji_pi = np.zeros(2)
    jq_p = np.zeros(2)
    jq_pi = np.zeros(2)
    period = 0.0
    prev_q2 = 0.0
    prev_i2 = 0.0
    re = 0.0
    im = 0.0
    mama_v = 0.0
    fama_v = 0.0
    i1_prev3 = np.zeros(2)  # [even, odd]
    i1_prev2 = np.zeros(2)
    prev_phase = 0.0
    while today < n:
        adj = 0.075 * period + 0.54
        today_value = x[today]
        wsub += today_value
        wsub -= trailing_value
        wsum += today_value * 4.0
        trailing_value = x[trailing]
        trailing += 1
        smoothed = wsum * 0.1
        wsum -= wsub
        s = 0 if today % 2 == 0 else 1  # 0 = even, 1 = odd
        o = 1 - s
        h = a * smoothed
        detrender = 0 - det_r[s, hidx]
        det_r[s, hidx] = h
        detrender += h
        detrender -= det_p[s]
        det_p[s] = b * det_pi[s]
        detrender += det_p[s]
        det_pi[s] = smoothed
        detrender *= adj
        h = a * detrender
        q1 = 0 - q1_r[s, hidx]
        q1_r[s, hidx] = h
        q1 += h
        q1 -= q1_p[s]
        q1_p[s] = b * q1_pi[s]
        q1 += q1_p[s]
        q1_pi[s] = detrender
        q1 *= adj
        i1p3 = i1_prev3[s]
        h = a * i1p3
        ji = 0 - ji_r[s, hidx]
        ji_r[s, hidx] = h
        ji += h
        ji -= ji_p[s]
        ji_p[s] = b * ji_pi[s]
        ji += ji_p[s]
        ji_pi[s] = i1p3
        ji *= adj
        h = a * q1
        jq = 0 - jq_r[s, hidx]
        jq_r[s, hidx] = h
        jq += h
        jq -= jq_p[s]
        jq_p[s] = b * jq_pi[s]
        jq += jq_p[s]
        jq_pi[s] = q1
        jq *= adj
        if s == 0:
            hidx += 1
            if hidx == 3:
                hidx = 0
        q2 = 0.2 * (q1 + ji) + 0.8 * prev_q2
        i2 = 0.2 * (i1p3 - jq) + 0.8 * prev_i2
        i1_prev3[o] = i1_prev2[o]
        i1_prev2[o] = detrender
        if i1p3 != 0.0:
            t2 = math.atan(q1 / i1p3) * rad2deg
        else:
            t2 = 0.0
        t = prev_phase - t2
        prev_phase = t2
        if t < 1.0:
            t = 1.0
        if t > 1.0:
            t = fast_limit / t
            if t < slow_limit:
                t = slow_limit
        else:
            t = fast_limit
        mama_v = t * today_value + (1 - t) * mama_v
        t *= 0.5
        fama_v = t * mama_v + (1 - t) * fama_v
        if today >= start:
            out_mama[today] = mama_v
            out_fama[today] = fama_v
        re = 0.2 * (i2 * prev_i2 + q2 * prev_q2) + 0.8 * re
        im = 0.2 * (i2 * prev_q2 - q2 * prev_i2) + 0.8 * im
        prev_q2 = q2
        prev_i2 = i2
        t = period
        if im != 0.0 and re != 0.0:
            period = 360.0 / (math.atan(im / re) * rad2deg)
        t2 = 1.5 * t
        if period > t2:
            period = t2
        t2 = 0.67 * t
        if period < t2:
            period = t2
        if period < 6:
            period = 6.0
        elif period > 50:
            period = 50.0
        period = 0.2 * period + 0.8 * t
        today += 1
    return out_mama, out_fama


@njit(cache=True, nogil=True, error_model="numpy")
def ht_trendline(x: np.ndarray, start: int) -> np.ndarray:
    n = x.shape[0]
    out = nans(n)
    lb = 63
    if start < lb:
        start = lb
    if start >= n:
        return out
    a = 0.0962
    b = 0.5769
    rad2deg = 45.0 / math.atan(1.0)
    trailing = start - lb
    today = trailing
    v = x[today]
    today += 1
    wsub = v
    wsum = v
    v = x[today]
    today += 1
    wsub += v
    wsum += v * 2.0
    v = x[today]
    today += 1
    wsub += v
    wsum += v * 3.0
    trailing_value = 0.0
    for _ in range(34):
        v = x[today]
        today += 1
        wsub += v
        wsub -= trailing_value
        wsum += v * 4.0
        trailing_value = x[trailing]
        trailing += 1
        wsum -= wsub
    hidx = 0
    # state per transform: [odd/even][3] ring, prev, prev_input
    det_r = np.zeros((2, 3))
    q1_r = np.zeros((2, 3))
    ji_r = np.zeros((2, 3))
    jq_r = np.zeros((2, 3))
    det_p = np.zeros(2)
    det_pi = np.zeros(2)
    q1_p = np.zeros(2)
    q1_pi = np.zeros(2)
    ji_p = np.zeros(2)
    ji_pi = np.zeros(2)
    jq_p = np.zeros(2)
    jq_pi = np.zeros(2)
    period = 0.0
    prev_q2 = 0.0
    prev_i2 = 0.0
    re = 0.0
    im = 0.0
    it1 = 0.0
    it2 = 0.0
    it3 = 0.0
    smooth_period = 0.0
    i1_prev3 = np.zeros(2)  # [even, odd]
    i1_prev2 = np.zeros(2)
    while today < n:
        adj = 0.075 * period + 0.54
        today_value = x[today]
        wsub += today_value
        wsub -= trailing_value
        wsum += today_value * 4.0
        trailing_value = x[trailing]
        trailing += 1
        smoothed = wsum * 0.1
        wsum -= wsub
        s = 0 if today % 2 == 0 else 1  # 0 = even, 1 = odd
        o = 1 - s
        h = a * smoothed
        detrender = 0 - det_r[s, hidx]
        det_r[s, hidx] = h
        detrender += h
        detrender -= det_p[s]
        det_p[s] = b * det_pi[s]
        detrender += det_p[s]
        det_pi[s] = smoothed
        detrender *= adj
        h = a * detrender
        q1 = 0 - q1_r[s, hidx]
        q1_r[s, hidx] = h
        q1 += h
        q1 -= q1_p[s]
        q1_p[s] = b * q1_pi[s]
        q1 += q1_p[s]
        q1_pi[s] = detrender
        q1 *= adj
        i1p3 = i1_prev3[s]
        h = a * i1p3
        ji = 0 - ji_r[s, hidx]
        ji_r[s, hidx] = h
        ji += h
        ji -= ji_p[s]
        ji_p[s] = b * ji_pi[s]
        ji += ji_p[s]
        ji_pi[s] = i1p3
        ji *= adj
        h = a * q1
        jq = 0 - jq_r[s, hidx]
        jq_r[s, hidx] = h
        jq += h
        jq -= jq_p[s]
        jq_p[s] = b * jq_pi[s]
        jq += jq_p[s]
        jq_pi[s] = q1
        jq *= adj
        if s == 0:
            hidx += 1
            if hidx == 3:
                hidx = 0
        q2 = 0.2 * (q1 + ji) + 0.8 * prev_q2
        i2 = 0.2 * (i1p3 - jq) + 0.8 * prev_i2
        i1_prev3[o] = i1_prev2[o]
        i1_prev2[o] = detrender
        re = 0.2 * (i2 * prev_i2 + q2 * prev_q2) + 0.8 * re
        im = 0.2 * (i2 * prev_q2 - q2 * prev_i2) + 0.8 * im
        prev_q2 = q2
        prev_i2 = i2
        t = period
        if im != 0.0 and re != 0.0:
            period = 360.0 / (math.atan(im / re) * rad2deg)
        t2 = 1.5 * t
        if period > t2:
            period = t2
        t2 = 0.67 * t
        if period < t2:
            period = t2
        if period < 6:
            period = 6.0
        elif period > 50:
            period = 50.0
        period = 0.2 * period + 0.8 * t
        smooth_period = 0.33 * period + 0.67 * smooth_period
        dc = int(smooth_period + 0.5)
        tot = 0.0
        idx = today
        for _ in range(dc):
            if idx < 0:
                break
            tot += x[idx]
            idx -= 1
        if dc > 0:
            tot = tot / dc
        t2 = (4.0 * tot + 3.0 * it1 + 2.0 * it2 + it3) / 10.0
        it3 = it2
        it2 = it1
        it1 = tot
        if today >= start:
            out[today] = t2
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def hma(x: np.ndarray, period: int, start: int) -> np.ndarray:
    n = x.shape[0]
    if period == 1:
        return copy_from(x, start)
    half = period // 2
    sq = int(math.sqrt(period))
    lb = period - 1 + sq - 1
    out = nans(n)
    if start < lb:
        start = lb
    if start >= n:
        return out
    w0 = start - (sq - 1)
    full = wma(x, period, w0)
    if period <= 3:
        for i in range(start, n):
            out[i] = 2.0 * x[i] - full[i]
        return out
    halfw = wma(x, half, w0)
    diff = nans(n)
    for i in range(w0, n):
        diff[i] = 2.0 * halfw[i] - full[i]
    res = wma(diff[w0:], sq, 0)
    out[w0:] = res
    return out


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def zlema(x: np.ndarray, period: int, start: int) -> np.ndarray:
    n = x.shape[0]
    lag = (period - 1) // 2
    lb = lag + period - 1
    out = nans(n)
    if start < lb:
        start = lb
    if start >= n:
        return out
    if period == 1:
        out[start:] = x[start:]
        return out
    k = 2.0 / (period + 1)
    trailing = start - lb
    today = trailing + lag
    total = 0.0
    for _ in range(period):
        total += 2.0 * x[today] - x[trailing]
        today += 1
        trailing += 1
    prev = total / period
    while today <= start:
        prev = (2.0 * x[today] - x[trailing] - prev) * k + prev
        today += 1
        trailing += 1
    out[start] = prev
    while today < n:
        prev = (2.0 * x[today] - x[trailing] - prev) * k + prev
        out[today] = prev
        today += 1
        trailing += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def ma_lookback(period: int, matype: int) -> int:
    if period <= 1:
        return 0
    if matype == SMA or matype == WMA or matype == TRIMA:
        return period - 1
    if matype == EMA or matype == RMA:
        return period - 1
    if matype == DEMA:
        return 2 * (period - 1)
    if matype == TEMA:
        return 3 * (period - 1)
    if matype == KAMA:
        return period
    if matype == MAMA:
        return 32
    if matype == T3:
        return 6 * (period - 1)
    if matype == HMA:
        return period - 1 + int(math.sqrt(period)) - 1
    if matype == ZLEMA:
        return (period - 1) // 2 + period - 1
    return 0


@njit(cache=True, nogil=True, error_model="numpy")
def ma(x: np.ndarray, period: int, matype: int, start: int) -> np.ndarray:
    """TA_MA: dispatch on the TA-Lib MAType (DEFAULT must be resolved by the caller)."""
    if period == 1 or matype == NONE:
        return copy_from(x, start)
    if matype == SMA:
        return sma(x, period, start)
    if matype == EMA:
        return ema(x, period, start)
    if matype == WMA:
        return wma(x, period, start)
    if matype == DEMA:
        return dema(x, period, start)
    if matype == TEMA:
        return tema(x, period, start)
    if matype == TRIMA:
        return trima(x, period, start)
    if matype == KAMA:
        return kama(x, period, start)
    if matype == MAMA:
        return mama(x, 0.5, 0.05, start)[0]
    if matype == T3:
        return t3(x, period, 0.7, start)
    if matype == HMA:
        return hma(x, period, start)
    if matype == ZLEMA:
        return zlema(x, period, start)
    return rma(x, period, start)
