"""Momentum indicators: oscillators, directional movement, rate of change."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from chitti.compute.indicators import _kernels_common as kc
from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import Param, indicator, int_param
from chitti.compute.indicators.overlap import ma_lookback, matype_param, resolve_matype

# Let LLVM fuse multiply-adds (TA-Lib 0.7+ computes these recursions with fma()); NaN and
# infinity semantics stay IEEE, only the rounding of a*b+c changes.
FMA = {"contract"}

P = dict[str, Any]
HLC = ("high", "low", "close")
_is_zero = km._is_zero


def _period(default: int, lo: int = 2, name: str = "timeperiod") -> Param:
    return int_param(name, default, lo, doc="number of bars in the window")


# ---------------------------------------------------------------- directional movement


@njit(cache=True, nogil=True, error_model="numpy")
def _dm_step(h: np.ndarray, lo: np.ndarray, i: int, ph: float, pl: float
             ) -> tuple[float, float]:
    diff_p = h[i] - ph
    diff_m = pl - lo[i]
    plus = diff_p if (diff_p > 0 and diff_p > diff_m) else 0.0
    minus = diff_m if (diff_m > 0 and diff_p < diff_m) else 0.0
    return plus, minus


@njit(cache=True, nogil=True, error_model="numpy")
def _tr(th: float, tl: float, yc: float) -> float:
    y = th - tl
    t = abs(th - yc)
    if t > y:
        y = t
    t = abs(tl - yc)
    if t > y:
        y = t
    return y


@njit(cache=True, nogil=True, error_model="numpy")
def _directional(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int, kind: int
                 ) -> np.ndarray:
    """kind: 0 +DM, 1 -DM, 2 +DI, 3 -DI, 4 DX, 5 ADX."""
    n = h.shape[0]
    out = km.nans(n)
    if kind <= 1:
        lb = period - 1 if period > 1 else 1
    elif kind <= 4:
        lb = period
    else:
        lb = 2 * period - 1
    if lb >= n:
        return out
    if period == 1:
        for i in range(1, n):
            plus, minus = _dm_step(h, lo, i, h[i - 1], lo[i - 1])
            dm = plus if (kind == 0 or kind == 2) else minus
            if kind <= 1:
                out[i] = dm
            elif kind <= 3:
                tr = _tr(h[i], lo[i], c[i - 1])
                out[i] = dm / tr if (dm != 0.0 and not _is_zero(tr)) else 0.0
        return out
    today = 0
    pp = 0.0
    pm = 0.0
    ptr = 0.0
    ph = h[0]
    pl = lo[0]
    pc = c[0]
    for _ in range(period - 1):
        today += 1
        plus, minus = _dm_step(h, lo, today, ph, pl)
        ph = h[today]
        pl = lo[today]
        pp += plus
        pm += minus
        ptr += _tr(ph, pl, pc)
        pc = c[today]
    if kind <= 1:
        out[today] = pp if kind == 0 else pm
        while today < n - 1:
            today += 1
            plus, minus = _dm_step(h, lo, today, ph, pl)
            ph = h[today]
            pl = lo[today]
            if kind == 0:
                pp = pp - pp / period + plus
                out[today] = pp
            else:
                pm = pm - pm / period + minus
                out[today] = pm
        return out
    sum_dx = 0.0
    adx = 0.0
    loops = 0
    while today < n - 1:
        today += 1
        loops += 1
        plus, minus = _dm_step(h, lo, today, ph, pl)
        ph = h[today]
        pl = lo[today]
        pp = pp - pp / period + plus
        pm = pm - pm / period + minus
        ptr = ptr - ptr / period + _tr(ph, pl, pc)
        pc = c[today]
        if kind == 2 or kind == 3:
            dm = pp if kind == 2 else pm
            out[today] = 100.0 * (dm / ptr) if ptr > 0.0 else 0.0
            continue
        dx = np.nan
        usable = ptr != 0.0 and ptr == ptr  # a gap in high/low leaves the TR sum NaN
        if usable:
            mdi = 100.0 * (pm / ptr)
            pdi = 100.0 * (pp / ptr)
            t = mdi + pdi
            if t != 0.0:
                dx = 100.0 * (abs(mdi - pdi) / t)
        if kind == 4:
            if dx == dx:
                out[today] = dx
            elif usable:
                out[today] = 0.0
            else:  # TR sum 0 or NaN: TA-Lib 0.8 repeats the last DX
                out[today] = out[today - 1] if today > lb else 0.0
            continue
        if loops <= period:
            if dx == dx:
                sum_dx += dx
            if loops == period:
                adx = sum_dx / period
                out[today] = adx
        else:
            if dx == dx:
                adx = (adx * (period - 1) + dx) / period
            out[today] = adx
    return out


def _dm_spec(name: str, display: str, kind: int, lb: Any, inputs: tuple[str, ...],
             lo: int = 1) -> None:
    def fn(*arrays: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
        h, low = arrays[0], arrays[1]
        c = arrays[2] if len(arrays) > 2 else arrays[0]
        return (_directional(h, low, c, timeperiod, kind),)

    fn.__doc__ = f"{display} (Wilder), as TA-Lib {name.upper()}."
    indicator(name, "momentum", display, inputs=inputs, params=(_period(14, lo),),
              lookback=lb, talib=name.upper(), streaming=name == "adx")(fn)


_dm_spec("plus_dm", "Plus Directional Movement", 0,
         lambda p: max(p["timeperiod"] - 1, 1), ("high", "low"))
_dm_spec("minus_dm", "Minus Directional Movement", 1,
         lambda p: max(p["timeperiod"] - 1, 1), ("high", "low"))
_dm_spec("plus_di", "Plus Directional Indicator", 2, lambda p: p["timeperiod"], HLC)
_dm_spec("minus_di", "Minus Directional Indicator", 3, lambda p: p["timeperiod"], HLC)
_dm_spec("dx", "Directional Movement Index", 4, lambda p: p["timeperiod"], HLC, 2)
_dm_spec("adx", "Average Directional Movement Index", 5,
         lambda p: 2 * p["timeperiod"] - 1, HLC, 2)


@njit(cache=True, nogil=True, error_model="numpy")
def _adxr(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int) -> np.ndarray:
    n = h.shape[0]
    adx = _directional(h, lo, c, period, 5)
    out = km.nans(n)
    lb = 3 * period - 2
    for i in range(lb, n):
        out[i] = (adx[i] + adx[i - (period - 1)]) / 2.0
    return out


@indicator("adxr", "momentum", "Average Directional Movement Index Rating", inputs=HLC,
           params=(_period(14),), lookback=lambda p: 3 * p["timeperiod"] - 2, talib="ADXR")
def adxr(high: np.ndarray, low: np.ndarray, close: np.ndarray,
         timeperiod: int) -> tuple[np.ndarray, ...]:
    """Mean of today's ADX and the ADX ``timeperiod - 1`` bars ago."""
    return (_adxr(high, low, close, timeperiod),)


# ---------------------------------------------------------------- RSI family


@njit(cache=True, nogil=True, error_model="numpy")
def _rsi_seed(x: np.ndarray, period: int) -> tuple[float, float]:
    # Mean gain and loss of the first `period` changes (x must have more than `period` bars)
    inv = 1.0 / period
    prev = x[0]
    gain = 0.0
    loss = 0.0
    for today in range(1, period + 1):
        v = x[today]
        d = v - prev
        prev = v
        up = d if 0.0 < d else 0.0
        gain += up
        loss += up - d
    return gain * inv, loss * inv


@njit(cache=True, nogil=True, error_model="numpy")
def _rsi_value(gain: float, loss: float) -> float:
    t = gain + loss
    return 100.0 * (gain / t) if t > 0.0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def _rsi(x: np.ndarray, period: int) -> np.ndarray:
    # Wilder's smoothing of gains and losses in TA-Lib 0.8's arithmetic order, bit for bit
    # (no fused multiply-add): the gain is max(d, 0) and the loss gain - d, with no branch;
    # the seed sums and every step are scaled by a hoisted 1/period, a step being
    # (prev*(period-1) + delta) * (1/period). A flat RSI window then has exactly TA-Lib's
    # bits, which STOCHRSI's range test (zero or not) depends on.
    n = x.shape[0]
    out = km.nans(n)
    if period >= n:
        return out
    inv = 1.0 / period
    pm = float(period - 1)
    gain, loss = _rsi_seed(x, period)
    out[period] = _rsi_value(gain, loss)
    prev = x[period]
    for today in range(period + 1, n):
        v = x[today]
        d = v - prev
        prev = v
        up = d if 0.0 < d else 0.0  # a NaN change poisons the losses, as in TA-Lib
        gain = (gain * pm + up) * inv
        loss = ((up - d) + loss * pm) * inv
        out[today] = _rsi_value(gain, loss)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _rsi_rows4(x2: np.ndarray, r0: int, beg: int, period: int, out: np.ndarray) -> None:
    # `_rsi` on rows r0..r0+3 of x2 from column beg into out, interleaved. The recursion
    # is latency-bound (a multiply, an add and a multiply per bar and chain); four rows in
    # one loop keep eight independent chains in flight. Same arithmetic, so the same bits
    # as `_rsi` row by row.
    n = x2.shape[1]
    out[r0:r0 + 4, :] = np.nan
    if period >= n - beg:
        return
    inv = 1.0 / period
    pm = float(period - 1)
    x0 = x2[r0, beg:]
    x1 = x2[r0 + 1, beg:]
    x2_ = x2[r0 + 2, beg:]
    x3 = x2[r0 + 3, beg:]
    g0, l0 = _rsi_seed(x0, period)
    g1, l1 = _rsi_seed(x1, period)
    g2, l2 = _rsi_seed(x2_, period)
    g3, l3 = _rsi_seed(x3, period)
    o0 = out[r0, beg:]
    o1 = out[r0 + 1, beg:]
    o2 = out[r0 + 2, beg:]
    o3 = out[r0 + 3, beg:]
    o0[period] = _rsi_value(g0, l0)
    o1[period] = _rsi_value(g1, l1)
    o2[period] = _rsi_value(g2, l2)
    o3[period] = _rsi_value(g3, l3)
    for today in range(period + 1, n - beg):
        d = x0[today] - x0[today - 1]
        up = d if 0.0 < d else 0.0
        g0 = (g0 * pm + up) * inv
        l0 = ((up - d) + l0 * pm) * inv
        d = x1[today] - x1[today - 1]
        up = d if 0.0 < d else 0.0
        g1 = (g1 * pm + up) * inv
        l1 = ((up - d) + l1 * pm) * inv
        d = x2_[today] - x2_[today - 1]
        up = d if 0.0 < d else 0.0
        g2 = (g2 * pm + up) * inv
        l2 = ((up - d) + l2 * pm) * inv
        d = x3[today] - x3[today - 1]
        up = d if 0.0 < d else 0.0
        g3 = (g3 * pm + up) * inv
        l3 = ((up - d) + l3 * pm) * inv
        o0[today] = _rsi_value(g0, l0)
        o1[today] = _rsi_value(g1, l1)
        o2[today] = _rsi_value(g2, l2)
        o3[today] = _rsi_value(g3, l3)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def _cmo(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    out = km.nans(n)
    if period >= n:
        return out
    today = 0
    prev = x[today]
    gain = 0.0
    loss = 0.0
    today += 1
    for _ in range(period):
        v = x[today]
        today += 1
        d = v - prev
        prev = v
        if d < 0:
            loss -= d
        else:
            gain += d
    loss /= period
    gain /= period
    t = gain + loss
    out[period] = 100.0 * ((gain - loss) / t) if t > 0.0 else 0.0
    beta = (period - 1) / period
    alpha = 1.0 - beta
    while today < n:
        v = x[today]
        d = v - prev
        prev = v
        if d < 0:
            up = 0.0
            dn = -d
        else:  # a NaN change lands here and poisons the gains, as in TA-Lib
            up = d
            dn = 0.0
        loss = beta * loss + alpha * dn
        gain = beta * gain + alpha * up
        t = gain + loss
        out[today] = 100.0 * ((gain - loss) / t) if t > 0.0 else 0.0
        today += 1
    return out


@indicator("rsi", "momentum", "Relative Strength Index", inputs=("close",),
           params=(_period(14),), lookback=lambda p: p["timeperiod"], talib="RSI",
           streaming=True)
def rsi(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Wilder's RSI: seeded with the mean gain/loss of the first ``timeperiod`` bars."""
    return (_rsi(close, timeperiod),)


@indicator("cmo", "momentum", "Chande Momentum Oscillator", inputs=("close",),
           params=(_period(14),), lookback=lambda p: p["timeperiod"], talib="CMO")
def cmo(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Chande momentum oscillator with TA-Lib's Wilder-smoothed gains and losses."""
    return (_cmo(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _cmou(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    out = km.nans(n)
    if period >= n:
        return out
    up = 0.0
    dn = 0.0
    for i in range(1, period + 1):
        d = x[i] - x[i - 1]
        if d > 0:
            up += d
        elif d < 0:
            dn -= d
    for i in range(period, n):
        if i > period:
            d = x[i] - x[i - 1]
            if d > 0:
                up += d
            elif d < 0:
                dn -= d
            d = x[i - period] - x[i - period - 1]
            if d > 0:
                up -= d
            elif d < 0:
                dn += d
        t = up + dn
        out[i] = 100.0 * ((up - dn) / t) if t != 0.0 else 0.0
    return out


@indicator("cmou", "momentum", "Chande Momentum Oscillator (unsmoothed)", inputs=("close",),
           params=(_period(14),), lookback=lambda p: p["timeperiod"], talib="CMOU")
def cmou(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Chande's original CMO: plain sums of up and down moves over the window."""
    return (_cmou(close, timeperiod),)


# ---------------------------------------------------------------- stochastics


@njit(cache=True, nogil=True, error_model="numpy")
def _fastk(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int) -> np.ndarray:
    # Raw %K as TA-Lib 0.8's STOCH/STOCHF: ((close - lowest) / range) * 100, and 0 when the
    # range is within 1e-14 of the extremes' magnitude (|highest| + |lowest|): a window
    # flat up to a few ulps, e.g. an RSI pinned at a level, has no range.
    n = h.shape[0]
    out = km.nans(n)
    lb = period - 1
    today = lb
    trailing = 0
    lo_idx = -1
    hi_idx = -1
    highest = 0.0
    lowest = 0.0
    while today < n:
        t = lo[today]
        if lo_idx < trailing:
            lo_idx = trailing
            lowest = lo[lo_idx]
            i = lo_idx + 1
            while i <= today:
                t = lo[i]
                if t < lowest:
                    lo_idx = i
                    lowest = t
                i += 1
        elif t <= lowest:
            lo_idx = today
            lowest = t
        t = h[today]
        if hi_idx < trailing:
            hi_idx = trailing
            highest = h[hi_idx]
            i = hi_idx + 1
            while i <= today:
                t = h[i]
                if t > highest:
                    hi_idx = i
                    highest = t
                i += 1
        elif t >= highest:
            hi_idx = today
            highest = t
        diff = highest - lowest
        if (abs(highest) + abs(lowest)) * 1e-14 >= abs(diff):
            out[today] = 0.0
        else:  # a NaN range lands here, as in TA-Lib
            out[today] = ((c[today] - lowest) / diff) * 100.0
        trailing += 1
        today += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _ma_on(x: np.ndarray, first: int, period: int, matype: int) -> np.ndarray:
    # TA-Lib feeds intermediate buffers to TA_MA from their first valid element.
    n = x.shape[0]
    out = km.nans(n)
    if first < n:
        out[first:] = km.ma(x[first:], period, matype, 0)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _stoch(h: np.ndarray, lo: np.ndarray, c: np.ndarray, fk: int, sk: int, skt: int, sd: int,
           sdt: int) -> tuple[np.ndarray, np.ndarray]:
    n = h.shape[0]
    k = _fastk(h, lo, c, fk)
    lb_k = fk - 1
    slowk = _ma_on(k, lb_k, sk, skt)
    lb_sk = lb_k + km.ma_lookback(sk, skt)
    slowd = _ma_on(slowk, lb_sk, sd, sdt)
    lb = lb_sk + km.ma_lookback(sd, sdt)
    if lb > n:
        lb = n
    slowk[:lb] = np.nan
    return slowk, slowd


def _stoch_lb(p: P, own: int = 0) -> int:
    return int(p["fastk_period"] - 1
            + ma_lookback(p["slowk_period"], resolve_matype(p["slowk_matype"], own))
            + ma_lookback(p["slowd_period"], resolve_matype(p["slowd_matype"], own)))


_STOCH_PARAMS = (
    int_param("fastk_period", 5, 1, doc="bars for the raw %K"),
    int_param("slowk_period", 3, 1, doc="smoothing of %K"),
    matype_param("slowk_matype", 0),
    int_param("slowd_period", 3, 1, doc="smoothing of %D"),
    matype_param("slowd_matype", 0),
)


@indicator("stoch", "momentum", "Stochastic", inputs=HLC, params=_STOCH_PARAMS,
           outputs=("slowk", "slowd"), lookback=_stoch_lb, talib="STOCH", streaming=True)
def stoch(high: np.ndarray, low: np.ndarray, close: np.ndarray, fastk_period: int,
          slowk_period: int, slowk_matype: int, slowd_period: int,
          slowd_matype: int) -> tuple[np.ndarray, ...]:
    """Slow stochastic: smoothed %K and its moving average %D."""
    return _stoch(high, low, close, fastk_period, slowk_period, resolve_matype(slowk_matype, 0),
                  slowd_period, resolve_matype(slowd_matype, 0))


@njit(cache=True, nogil=True, error_model="numpy")
def _kdj(h: np.ndarray, lo: np.ndarray, c: np.ndarray, fk: int, sk: int, skt: int, sd: int,
         sdt: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k, d = _stoch(h, lo, c, fk, sk, skt, sd, sdt)
    return k, d, 3.0 * k - 2.0 * d


@indicator(
    "kdj", "momentum", "KDJ Indicator", inputs=HLC,
    params=(
        int_param("fastk_period", 9, 1, doc="bars for the raw %K"),
        int_param("slowk_period", 3, 1, doc="smoothing of K"),
        matype_param("slowk_matype", 13),
        int_param("slowd_period", 3, 1, doc="smoothing of D"),
        matype_param("slowd_matype", 13),
    ),
    outputs=("k", "d", "j"), lookback=lambda p: _stoch_lb(p, 13), talib="KDJ",
)
def kdj(high: np.ndarray, low: np.ndarray, close: np.ndarray, fastk_period: int,
        slowk_period: int, slowk_matype: int, slowd_period: int,
        slowd_matype: int) -> tuple[np.ndarray, ...]:
    """Stochastic K and D (Wilder-smoothed by default) and J = 3K - 2D."""
    return _kdj(high, low, close, fastk_period, slowk_period, resolve_matype(slowk_matype, 13),
                slowd_period, resolve_matype(slowd_matype, 13))


@njit(cache=True, nogil=True, error_model="numpy")
def _stochf(h: np.ndarray, lo: np.ndarray, c: np.ndarray, fk: int, fd: int, fdt: int
            ) -> tuple[np.ndarray, np.ndarray]:
    n = h.shape[0]
    k = _fastk(h, lo, c, fk)
    d = _ma_on(k, fk - 1, fd, fdt)
    lb = fk - 1 + km.ma_lookback(fd, fdt)
    if lb > n:
        lb = n
    k[:lb] = np.nan
    return k, d


@indicator(
    "stochf", "momentum", "Stochastic Fast", inputs=HLC,
    params=(int_param("fastk_period", 5, 1, doc="bars for %K"),
            int_param("fastd_period", 3, 1, doc="smoothing of %D"),
            matype_param("fastd_matype", 0)),
    outputs=("fastk", "fastd"),
    lookback=lambda p: p["fastk_period"] - 1 + ma_lookback(
        p["fastd_period"], resolve_matype(p["fastd_matype"], 0)),
    talib="STOCHF",
)
def stochf(high: np.ndarray, low: np.ndarray, close: np.ndarray, fastk_period: int,
           fastd_period: int, fastd_matype: int) -> tuple[np.ndarray, ...]:
    """Fast stochastic: raw %K and its moving average %D."""
    return _stochf(high, low, close, fastk_period, fastd_period,
                   resolve_matype(fastd_matype, 0))


@njit(cache=True, nogil=True, error_model="numpy")
def _stochrsi(x: np.ndarray, period: int, fk: int, fd: int, fdt: int
              ) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    r = _rsi(x, period)
    k = km.nans(n)
    d = km.nans(n)
    if period < n:
        kk, dd = _stochf(r[period:], r[period:], r[period:], fk, fd, fdt)
        k[period:] = kk
        d[period:] = dd
    return k, d


@indicator(
    "stochrsi", "momentum", "Stochastic Relative Strength Index", inputs=("close",),
    params=(_period(14), int_param("fastk_period", 5, 1, doc="bars for %K"),
            int_param("fastd_period", 3, 1, doc="smoothing of %D"),
            matype_param("fastd_matype", 0)),
    outputs=("fastk", "fastd"),
    lookback=lambda p: p["timeperiod"] + p["fastk_period"] - 1 + ma_lookback(
        p["fastd_period"], resolve_matype(p["fastd_matype"], 0)),
    talib="STOCHRSI",
)
def stochrsi(close: np.ndarray, timeperiod: int, fastk_period: int, fastd_period: int,
             fastd_matype: int) -> tuple[np.ndarray, ...]:
    """Fast stochastic applied to the RSI."""
    return _stochrsi(close, timeperiod, fastk_period, fastd_period,
                     resolve_matype(fastd_matype, 0))


@njit(cache=True, nogil=True, error_model="numpy")
def _willr(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int) -> np.ndarray:
    # TA-Lib 0.8's WILLR takes its window extremes from MAX/MIN's blocks (see
    # `block_extremes`), which decide how an interior NaN counts, and clamps to [-100, 0]
    # (a close outside the window's range, possible only through a gap or bad data)
    n = h.shape[0]
    out = km.nans(n)
    hi, low = kc.block_extremes(h, lo, period)
    for i in range(period - 1, n):
        diff = (hi[i] - low[i]) / -100.0
        r = (hi[i] - c[i]) / diff if diff != 0.0 else 0.0
        if r < -100.0:
            r = -100.0
        elif r > 0.0:
            r = 0.0
        out[i] = r
    return out


@indicator("willr", "momentum", "Williams' %R", inputs=HLC, params=(_period(14),),
           lookback=lambda p: p["timeperiod"] - 1, talib="WILLR")
def willr(high: np.ndarray, low: np.ndarray, close: np.ndarray,
          timeperiod: int) -> tuple[np.ndarray, ...]:
    """Williams' %R: where the close sits in the window's range, 0 (top) to -100 (bottom)."""
    return (_willr(high, low, close, timeperiod),)


# ---------------------------------------------------------------- MACD / price oscillators


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def _macd(x: np.ndarray, fast: int, slow: int, signal: int, fixed: bool
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # One pass: both EMAs are seeded at bar slow-1 (the fast one on its last `fast` bars,
    # as TA-Lib does), the signal EMA on the first `signal` MACD values.
    n = x.shape[0]
    if slow < fast:
        fast, slow = slow, fast
    if fixed:
        slow = 26
        fast = 12
        k1 = 0.075
        k2 = 0.15
    else:
        k1 = 2.0 / (slow + 1)
        k2 = 2.0 / (fast + 1)
    b1 = 1.0 - k1
    b2 = 1.0 - k2
    t = slow - 1
    lb = t + signal - 1
    m = kc.head_nan(n, lb)
    s = kc.head_nan(n, lb)
    hist = kc.head_nan(n, lb)
    if lb >= n:
        return m, s, hist
    es = 0.0
    for i in range(0, slow):
        es += x[i]
    es /= slow
    ef = 0.0
    for i in range(t - fast + 1, t + 1):
        ef += x[i]
    ef /= fast
    ks = 2.0 / (signal + 1)
    bs = 1.0 - ks
    d = ef - es
    acc = d
    sig = d
    if signal == 1:
        m[t] = d
        s[t] = d
        hist[t] = d - d  # 0, or NaN when d is
    for i in range(t + 1, n):
        v = x[i]
        es = b1 * es + k1 * v
        ef = b2 * ef + k2 * v
        d = ef - es
        if i < lb:
            acc += d
            continue
        if i == lb:
            acc += d
            sig = acc / signal
        else:
            sig = bs * sig + ks * d
        m[i] = d
        s[i] = sig
        hist[i] = d - sig
    return m, s, hist


_MACD_OUT = ("macd", "macdsignal", "macdhist")


def _macd_lb(p: P) -> int:
    return int(max(p["fastperiod"], p["slowperiod"]) - 1 + p["signalperiod"] - 1)


@indicator(
    "macd", "momentum", "Moving Average Convergence/Divergence", inputs=("close",),
    params=(int_param("fastperiod", 12, 2, doc="fast EMA period"),
            int_param("slowperiod", 26, 2, doc="slow EMA period"),
            int_param("signalperiod", 9, 1, doc="signal EMA period")),
    outputs=_MACD_OUT, lookback=_macd_lb, talib="MACD", streaming=True,
)
def macd(close: np.ndarray, fastperiod: int, slowperiod: int,
         signalperiod: int) -> tuple[np.ndarray, ...]:
    """Fast EMA minus slow EMA, its signal EMA and the histogram (both EMAs start together)."""
    return _macd(close, fastperiod, slowperiod, signalperiod, False)


@indicator(
    "macdfix", "momentum", "Moving Average Convergence/Divergence Fix 12/26",
    inputs=("close",), params=(int_param("signalperiod", 9, 1, doc="signal EMA period"),),
    outputs=_MACD_OUT, lookback=lambda p: 25 + p["signalperiod"] - 1, talib="MACDFIX",
)
def macdfix(close: np.ndarray, signalperiod: int) -> tuple[np.ndarray, ...]:
    """MACD with TA-Lib's fixed 0.15 / 0.075 smoothing constants."""
    return _macd(close, 12, 26, signalperiod, True)


@njit(cache=True, nogil=True, error_model="numpy")
def _macdext(x: np.ndarray, fast: int, ft: int, slow: int, st: int, signal: int, sgt: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = x.shape[0]
    if slow < fast:
        fast, slow = slow, fast
        ft, st = st, ft
    lb_largest = max(km.ma_lookback(fast, ft), km.ma_lookback(slow, st))
    lb_sig = km.ma_lookback(signal, sgt)
    lb = lb_sig + lb_largest
    m = km.nans(n)
    s = km.nans(n)
    hist = km.nans(n)
    if lb >= n:
        return m, s, hist
    t = lb - lb_sig
    diff = km.ma(x, fast, ft, t) - km.ma(x, slow, st, t)
    s[t:] = km.ma(diff[t:], signal, sgt, 0)
    for i in range(lb, n):
        m[i] = diff[i]
        hist[i] = m[i] - s[i]
    s[:lb] = np.nan
    return m, s, hist


def _macdext_lb(p: P) -> int:
    return max(ma_lookback(p["fastperiod"], resolve_matype(p["fastmatype"], 0)),
               ma_lookback(p["slowperiod"], resolve_matype(p["slowmatype"], 0))) + ma_lookback(
        p["signalperiod"], resolve_matype(p["signalmatype"], 0))


@indicator(
    "macdext", "momentum", "MACD with controllable MA type", inputs=("close",),
    params=(int_param("fastperiod", 12, 2, doc="fast MA period"), matype_param("fastmatype"),
            int_param("slowperiod", 26, 2, doc="slow MA period"), matype_param("slowmatype"),
            int_param("signalperiod", 9, 1, doc="signal MA period"),
            matype_param("signalmatype")),
    outputs=_MACD_OUT, lookback=_macdext_lb, talib="MACDEXT",
)
def macdext(close: np.ndarray, fastperiod: int, fastmatype: int, slowperiod: int,
            slowmatype: int, signalperiod: int, signalmatype: int) -> tuple[np.ndarray, ...]:
    """MACD where each of the three averages can be any MAType."""
    return _macdext(close, fastperiod, resolve_matype(fastmatype, 0), slowperiod,
                    resolve_matype(slowmatype, 0), signalperiod,
                    resolve_matype(signalmatype, 0))


@njit(cache=True, nogil=True, error_model="numpy")
def _po(x: np.ndarray, fast: int, slow: int, matype: int, pct: bool) -> np.ndarray:
    n = x.shape[0]
    if slow < fast:
        fast, slow = slow, fast
    lb = km.ma_lookback(slow, matype)
    out = km.nans(n)
    if lb >= n:
        return out
    f = km.ma(x, fast, matype, 0)
    s = km.ma(x, slow, matype, lb)
    for i in range(lb, n):
        if pct:
            out[i] = ((f[i] - s[i]) / s[i]) * 100.0 if s[i] != 0.0 else 0.0
        else:
            out[i] = f[i] - s[i]
    return out


_PO_PARAMS = (int_param("fastperiod", 12, 2, doc="fast MA period"),
              int_param("slowperiod", 26, 2, doc="slow MA period"), matype_param("matype", 1))


def _po_lb(p: P) -> int:
    return ma_lookback(max(p["fastperiod"], p["slowperiod"]), resolve_matype(p["matype"], 1))


@indicator("apo", "momentum", "Absolute Price Oscillator", inputs=("close",),
           params=_PO_PARAMS, lookback=_po_lb, talib="APO")
def apo(close: np.ndarray, fastperiod: int, slowperiod: int,
        matype: int) -> tuple[np.ndarray, ...]:
    """Fast MA minus slow MA."""
    return (_po(close, fastperiod, slowperiod, resolve_matype(matype, 1), False),)


@indicator("ppo", "momentum", "Percentage Price Oscillator", inputs=("close",),
           params=_PO_PARAMS, lookback=_po_lb, talib="PPO")
def ppo(close: np.ndarray, fastperiod: int, slowperiod: int,
        matype: int) -> tuple[np.ndarray, ...]:
    """(Fast MA - slow MA) / slow MA, in percent."""
    return (_po(close, fastperiod, slowperiod, resolve_matype(matype, 1), True),)


# ---------------------------------------------------------------- simple momentum


def _mom_spec(name: str, display: str, kind: int, doc: str) -> None:
    def fn(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
        return (kc.mom(close, timeperiod, kind),)

    fn.__doc__ = doc
    indicator(name, "momentum", display, inputs=("close",), params=(_period(10, 1),),
              lookback=lambda p: p["timeperiod"], talib=name.upper())(fn)


_mom_spec("mom", "Momentum", 0, "Close minus the close ``timeperiod`` bars ago.")
_mom_spec("roc", "Rate of change", 1, "((close / close n bars ago) - 1) * 100.")
_mom_spec("rocp", "Rate of change Percentage", 2, "(close - prev) / prev.")
_mom_spec("rocr", "Rate of change ratio", 3, "close / prev.")
_mom_spec("rocr100", "Rate of change ratio 100 scale", 4, "(close / prev) * 100.")


@njit(cache=True, nogil=True, error_model="numpy")
def _trix(x: np.ndarray, period: int) -> np.ndarray:
    # period 1 too: EMA(1) is the input, and a gap stays NaN through it as in TA-Lib 0.8
    return km.ema_chain(x, period, 3, 2, 0)


@indicator("trix", "momentum", "1-day Rate-Of-Change of a Triple Smooth EMA",
           inputs=("close",), params=(_period(30, 1),),
           lookback=lambda p: 3 * (p["timeperiod"] - 1) + 1, talib="TRIX")
def trix(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """One-bar rate of change of a triple EMA, in percent."""
    return (_trix(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _ultosc_terms(h: np.ndarray, lo: np.ndarray, c: np.ndarray, d: int) -> tuple[float, float]:
    tl = lo[d]
    th = h[d]
    cy = c[d - 1]
    true_low = tl if tl < cy else cy
    cmtl = c[d] - true_low
    tr = th - tl
    t = abs(cy - th)
    if t > tr:
        tr = t
    t = abs(cy - tl)
    if t > tr:
        tr = t
    return cmtl, tr


@njit(cache=True, nogil=True, error_model="numpy")
def _ultosc(h: np.ndarray, lo: np.ndarray, c: np.ndarray, p1: int, p2: int, p3: int
            ) -> np.ndarray:
    n = h.shape[0]
    ps = sorted([p1, p2, p3])
    p1, p2, p3 = ps[0], ps[1], ps[2]
    start = p3
    out = km.nans(n)
    if start >= n:
        return out
    a1 = b1 = a2 = b2 = a3 = b3 = 0.0
    for i in range(start - p1 + 1, start):
        a, b = _ultosc_terms(h, lo, c, i)
        a1 += a
        b1 += b
    for i in range(start - p2 + 1, start):
        a, b = _ultosc_terms(h, lo, c, i)
        a2 += a
        b2 += b
    for i in range(start - p3 + 1, start):
        a, b = _ultosc_terms(h, lo, c, i)
        a3 += a
        b3 += b
    t1 = start - p1 + 1
    t2 = start - p2 + 1
    t3 = start - p3 + 1
    for today in range(start, n):
        a, b = _ultosc_terms(h, lo, c, today)
        a1 += a
        a2 += a
        a3 += a
        b1 += b
        b2 += b
        b3 += b
        # a term whose true-range sum is 0 or NaN (a gap in high/low) is left out, as in
        # TA-Lib 0.8; a NaN buying-pressure sum (a gap in close) still makes the value NaN
        o = 0.0
        if b1 != 0.0 and b1 == b1:
            o += 4.0 * (a1 / b1)
        if b2 != 0.0 and b2 == b2:
            o += 2.0 * (a2 / b2)
        if b3 != 0.0 and b3 == b3:
            o += a3 / b3
        a, b = _ultosc_terms(h, lo, c, t1)
        a1 -= a
        b1 -= b
        a, b = _ultosc_terms(h, lo, c, t2)
        a2 -= a
        b2 -= b
        a, b = _ultosc_terms(h, lo, c, t3)
        a3 -= a
        b3 -= b
        out[today] = 100.0 * (o / 7.0)
        t1 += 1
        t2 += 1
        t3 += 1
    return out


@indicator(
    "ultosc", "momentum", "Ultimate Oscillator", inputs=HLC,
    params=(int_param("timeperiod1", 7, 1, doc="short window"),
            int_param("timeperiod2", 14, 1, doc="middle window"),
            int_param("timeperiod3", 28, 1, doc="long window")),
    lookback=lambda p: max(p["timeperiod1"], p["timeperiod2"], p["timeperiod3"]),
    talib="ULTOSC",
)
def ultosc(high: np.ndarray, low: np.ndarray, close: np.ndarray, timeperiod1: int,
           timeperiod2: int, timeperiod3: int) -> tuple[np.ndarray, ...]:
    """Williams' ultimate oscillator: 4:2:1 weighted buying pressure over three windows."""
    return (_ultosc(high, low, close, timeperiod1, timeperiod2, timeperiod3),)


@njit(cache=True, nogil=True, error_model="numpy")
def _cci(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int) -> np.ndarray:
    n = h.shape[0]
    out = km.nans(n)
    lb = period - 1
    if lb >= n:
        return out
    buf = np.zeros(period)
    idx = 0
    for i in range(lb):
        buf[idx] = (h[i] + lo[i] + c[i]) / 3
        idx += 1
    for i in range(lb, n):
        last = (h[i] + lo[i] + c[i]) / 3
        buf[idx] = last
        avg = 0.0
        for j in range(period):
            avg += buf[j]
        avg /= period
        t2 = 0.0
        for j in range(period):
            t2 += abs(buf[j] - avg)
        t = last - avg
        flat = abs(t) <= 1e-14 * (abs(last) + abs(avg))
        out[i] = t / (0.015 * (t2 / period)) if (not flat and t2 != 0.0) else 0.0
        idx += 1
        if idx > period - 1:
            idx = 0
    return out


@indicator("cci", "momentum", "Commodity Channel Index", inputs=HLC, params=(_period(14),),
           lookback=lambda p: p["timeperiod"] - 1, talib="CCI")
def cci(high: np.ndarray, low: np.ndarray, close: np.ndarray,
        timeperiod: int) -> tuple[np.ndarray, ...]:
    """Typical price's distance from its mean, in units of 0.015 mean absolute deviations."""
    return (_cci(high, low, close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _mfi(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray, period: int) -> np.ndarray:
    # TA-Lib 0.7+: a scaled dead-zone classifies "no move", an exact count of empty bars
    # resets the sums, and the ratio is clamped into [0, 100].
    n = h.shape[0]
    out = km.nans(n)
    if period >= n:
        return out
    pos = np.zeros(period)
    neg = np.zeros(period)
    idx = 0
    prev = (h[0] + lo[0] + c[0]) / 3.0
    psum = 0.0
    nsum = 0.0
    null_run = 0
    for today in range(1, n):
        if today > period:
            psum -= pos[idx]
            nsum -= neg[idx]
        t = (h[today] + lo[today] + c[today]) / 3.0
        d = t - prev
        scale = abs(t) + abs(prev)
        prev = t
        t *= v[today]
        flow = 0.0 if abs(d) <= 1e-14 * scale else t
        pf = 0.0 if d < 0.0 else flow
        nf = flow if d < 0.0 else 0.0
        pos[idx] = pf
        neg[idx] = nf
        psum += pf
        nsum += nf
        null_run = null_run + 1 if flow == 0.0 else 0
        if null_run >= period:
            null_run = period
            psum = 0.0
            nsum = 0.0
        if today >= period:
            tot = psum + nsum
            pc = 0.0 if psum < 0.0 else (tot if psum > tot else psum)
            out[today] = 0.0 if tot <= 0.0 else 100.0 * (pc / tot)
        idx += 1
        if idx > period - 1:
            idx = 0
    return out


@indicator("mfi", "momentum", "Money Flow Index", inputs=("high", "low", "close", "volume"),
           params=(_period(14),), lookback=lambda p: p["timeperiod"], talib="MFI")
def mfi(high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray,
        timeperiod: int) -> tuple[np.ndarray, ...]:
    """Volume-weighted RSI of the typical price."""
    return (_mfi(high, low, close, volume, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _aroon(h: np.ndarray, lo: np.ndarray, period: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = h.shape[0]
    down = km.nans(n)
    up = km.nans(n)
    osc = km.nans(n)
    lo_idx = -1
    hi_idx = -1
    lowest = 0.0
    highest = 0.0
    factor = 100.0 / period
    today = period
    trailing = 0
    while today < n:
        t = lo[today]
        if lo_idx < trailing:
            lo_idx = trailing
            lowest = lo[lo_idx]
            i = lo_idx + 1
            while i <= today:
                t = lo[i]
                if t <= lowest:
                    lo_idx = i
                    lowest = t
                i += 1
        elif t <= lowest:
            lo_idx = today
            lowest = t
        t = h[today]
        if hi_idx < trailing:
            hi_idx = trailing
            highest = h[hi_idx]
            i = hi_idx + 1
            while i <= today:
                t = h[i]
                if t >= highest:
                    hi_idx = i
                    highest = t
                i += 1
        elif t >= highest:
            hi_idx = today
            highest = t
        down[today] = factor * (period - (today - lo_idx))
        up[today] = factor * (period - (today - hi_idx))
        osc[today] = factor * (hi_idx - lo_idx)
        trailing += 1
        today += 1
    return down, up, osc


@indicator("aroon", "momentum", "Aroon", inputs=("high", "low"), params=(_period(14),),
           outputs=("aroondown", "aroonup"), lookback=lambda p: p["timeperiod"], talib="AROON")
def aroon(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Bars since the highest high / lowest low, scaled to 0..100."""
    d, u, _ = _aroon(high, low, timeperiod)
    return d, u


@indicator("aroonosc", "momentum", "Aroon Oscillator", inputs=("high", "low"),
           params=(_period(14),), lookback=lambda p: p["timeperiod"], talib="AROONOSC")
def aroonosc(high: np.ndarray, low: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Aroon up minus Aroon down."""
    return (_aroon(high, low, timeperiod)[2],)


@njit(cache=True, nogil=True, error_model="numpy")
def _bop(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> np.ndarray:
    n = o.shape[0]
    out = np.empty(n)
    for i in range(n):
        t = h[i] - lo[i]
        out[i] = 0.0 if t < 1e-14 else (c[i] - o[i]) / t
    return out


@indicator("bop", "momentum", "Balance Of Power", inputs=("open", "high", "low", "close"),
           lookback=lambda p: 0, talib="BOP")
def bop(open: np.ndarray, high: np.ndarray, low: np.ndarray,  # noqa: A002
        close: np.ndarray) -> tuple[np.ndarray, ...]:
    """(close - open) / (high - low)."""
    return (_bop(open, high, low, close),)


# ---------------------------------------------------------------- newer TA-Lib oscillators


@njit(cache=True, nogil=True, error_model="numpy")
def _ao(h: np.ndarray, lo: np.ndarray, fast: int, slow: int) -> np.ndarray:
    # SMA(fast) - SMA(slow) of the median price (no swap, as TA-Lib), both running sums in
    # one pass with TA_SMA's add/subtract order
    n = h.shape[0]
    lb = max(fast, slow) - 1
    out = np.empty(n)
    out[: min(lb, n)] = np.nan
    if lb >= n:
        return out
    ft = 0.0
    st = 0.0
    for i in range(lb - fast + 1, lb):
        ft += (h[i] + lo[i]) / 2.0
    for i in range(lb - slow + 1, lb):
        st += (h[i] + lo[i]) / 2.0
    for i in range(lb, n):
        m = (h[i] + lo[i]) / 2.0
        ft += m
        st += m
        fv = ft / fast
        sv = st / slow
        j = i - fast + 1
        ft -= (h[j] + lo[j]) / 2.0
        j = i - slow + 1
        st -= (h[j] + lo[j]) / 2.0
        out[i] = fv - sv
    return out


@indicator("ao", "momentum", "Awesome Oscillator", inputs=("high", "low"),
           params=(int_param("fastperiod", 5, 2, doc="fast SMA"),
                   int_param("slowperiod", 34, 2, doc="slow SMA")),
           lookback=lambda p: max(p["fastperiod"], p["slowperiod"]) - 1, talib="AO")
def ao(high: np.ndarray, low: np.ndarray, fastperiod: int,
       slowperiod: int) -> tuple[np.ndarray, ...]:
    """Fast SMA minus slow SMA of the median price."""
    return (_ao(high, low, fastperiod, slowperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _ac(h: np.ndarray, lo: np.ndarray, fast: int, slow: int, sig: int) -> np.ndarray:
    n = h.shape[0]
    a = _ao(h, lo, fast, slow)
    f = max(fast, slow) - 1
    s = _ma_on(a, f, sig, km.SMA)
    out = km.nans(n)
    for i in range(f + sig - 1, n):
        out[i] = a[i] - s[i]
    return out


@indicator("ac", "momentum", "Accelerator Oscillator", inputs=("high", "low"),
           params=(int_param("fastperiod", 5, 2, doc="fast SMA"),
                   int_param("slowperiod", 34, 2, doc="slow SMA"),
                   int_param("signalperiod", 5, 2, doc="SMA of the AO")),
           lookback=lambda p: max(p["fastperiod"], p["slowperiod"]) + p["signalperiod"] - 2,
           talib="AC")
def ac(high: np.ndarray, low: np.ndarray, fastperiod: int, slowperiod: int,
       signalperiod: int) -> tuple[np.ndarray, ...]:
    """Awesome oscillator minus its SMA."""
    return (_ac(high, low, fastperiod, slowperiod, signalperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _coppock(x: np.ndarray, w: int, r1: int, r2: int) -> np.ndarray:
    n = x.shape[0]
    a = kc.mom(x, r1, 1) + kc.mom(x, r2, 1)
    f = max(r1, r2)
    return _ma_on(a, f, w, km.WMA) if f < n else km.nans(n)


@indicator("coppock", "momentum", "Coppock Curve", inputs=("close",),
           params=(int_param("wmaperiod", 10, 1, doc="WMA of the summed ROCs"),
                   int_param("roc1period", 11, 1, doc="first ROC"),
                   int_param("roc2period", 14, 1, doc="second ROC")),
           lookback=lambda p: max(p["roc1period"], p["roc2period"]) + p["wmaperiod"] - 1,
           talib="COPPOCK")
def coppock(close: np.ndarray, wmaperiod: int, roc1period: int,
            roc2period: int) -> tuple[np.ndarray, ...]:
    """WMA of the sum of two rates of change."""
    return (_coppock(close, wmaperiod, roc1period, roc2period),)


@njit(cache=True, nogil=True, error_model="numpy")
def _dpo(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    s = km.sma(x, period, 0)
    shift = period // 2 + 1
    out = km.nans(n)
    for i in range(max(period - 1, shift), n):
        a = x[i - shift]
        d = a - s[i]
        out[i] = 0.0 if abs(d) <= 1e-14 * (abs(a) + abs(s[i])) else d
    return out


@indicator("dpo", "momentum", "Detrended Price Oscillator", inputs=("close",),
           params=(_period(20),),
           lookback=lambda p: max(p["timeperiod"] - 1, p["timeperiod"] // 2 + 1), talib="DPO")
def dpo(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Close ``timeperiod/2 + 1`` bars ago minus the current SMA."""
    return (_dpo(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _er(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    out = np.empty(n)
    out[: min(period, n)] = np.nan
    vol = 0.0
    since = 0
    for i in range(1, n):
        vol += abs(x[i] - x[i - 1])
        if i > period:
            vol -= abs(x[i - period] - x[i - period - 1])
            since += 1
            # the periodic rebuild is skipped once a gap made the sum NaN: TA-Lib 0.8's
            # ER stays NaN from a gap to the end of the series
            if since >= 32 * period and vol == vol:
                since = 0
                vol = 0.0
                for j in range(i - period + 1, i + 1):
                    vol += abs(x[j] - x[j - 1])
        if i >= period:
            ch = abs(x[i] - x[i - period])
            out[i] = ch / vol if vol > 0.0 else (1.0 if vol == vol else vol)
    return out


@indicator("er", "momentum", "Kaufman Efficiency Ratio", inputs=("close",),
           params=(_period(10),), lookback=lambda p: p["timeperiod"], talib="ER")
def er(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Net change over the window divided by the sum of absolute bar changes."""
    return (_er(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _eri(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int
         ) -> tuple[np.ndarray, np.ndarray]:
    e = km.ema(c, period, 0)
    return h - e, lo - e


@indicator("eri", "momentum", "Elder Ray Index", inputs=HLC, params=(_period(13, 1),),
           outputs=("bullpower", "bearpower"), lookback=lambda p: p["timeperiod"] - 1,
           talib="ERI")
def eri(high: np.ndarray, low: np.ndarray, close: np.ndarray,
        timeperiod: int) -> tuple[np.ndarray, ...]:
    """Bull power (high - EMA) and bear power (low - EMA)."""
    return _eri(high, low, close, timeperiod)


@indicator("fosc", "momentum", "Forecast Oscillator", inputs=("close",),
           params=(_period(5),), lookback=lambda p: p["timeperiod"], talib="FOSC")
def fosc(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Percent difference between the close and yesterday's time-series forecast."""
    return (kc.linreg(close, timeperiod, 5),)


@njit(cache=True, nogil=True, error_model="numpy")
def _imi(o: np.ndarray, c: np.ndarray, period: int) -> np.ndarray:
    n = o.shape[0]
    out = km.nans(n)
    for i in range(period - 1, n):
        up = 0.0
        dn = 0.0
        for j in range(i - period + 1, i + 1):
            d = c[j] - o[j]
            if d > 0:
                up += d
            else:
                dn -= d
        t = up + dn  # NaN when the window holds a gap (as TA-Lib 0.8: NaN, not 50)
        out[i] = 100.0 * up / t if t > 0.0 else (50.0 if t == t else t)
    return out


@indicator("imi", "momentum", "Intraday Momentum Index", inputs=("open", "close"),
           params=(_period(14),), lookback=lambda p: p["timeperiod"] - 1, talib="IMI")
def imi(open: np.ndarray, close: np.ndarray, timeperiod: int  # noqa: A002
        ) -> tuple[np.ndarray, ...]:
    """RSI-like ratio of up-candle bodies to all bodies over the window."""
    return (_imi(open, close, timeperiod),)


@indicator("qstick", "momentum", "Qstick", inputs=("open", "close"),
           params=(_period(10, 1),), lookback=lambda p: p["timeperiod"] - 1, talib="QSTICK")
def qstick(open: np.ndarray, close: np.ndarray, timeperiod: int  # noqa: A002
           ) -> tuple[np.ndarray, ...]:
    """SMA of candle bodies (close - open)."""
    return (km.sma(close - open, timeperiod, 0),)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def _smi(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int, fast: int, slow: int,
         sig: int) -> tuple[np.ndarray, np.ndarray]:
    # Blau's pipeline in one pass, as TA-Lib 0.7+: window high/low (index idiom), then
    # slow EMA of (close - midpoint) and of the range, fast EMA of those, SMI, signal EMA;
    # each EMA seeded with the mean of its first `period` inputs.
    n = h.shape[0]
    lb = period - 1 + slow - 1 + fast - 1 + sig - 1
    smi = np.empty(n)
    sg = np.empty(n)
    smi[: min(lb, n)] = np.nan
    sg[: min(lb, n)] = np.nan
    if lb >= n:
        return smi, sg
    b_s = (slow - 1) / (slow + 1)
    k_s = 1.0 - b_s
    b_s = 1.0 - k_s
    b_f = (fast - 1) / (fast + 1)
    k_f = 1.0 - b_f
    b_f = 1.0 - k_f
    b_g = (sig - 1) / (sig + 1)
    k_g = 1.0 - b_g
    b_g = 1.0 - k_g
    lb_s = slow - 1
    lb_f = fast - 1
    esn = esd = efn = efd = 0.0
    ssn = ssd = sfn = sfd = ssg = 0.0
    prev_sig = 0.0
    smi_v = 0.0
    hi_idx = -1
    lo_idx = -1
    highest = 0.0
    lowest = 0.0
    n_bar = 0
    for today in range(period - 1, n):
        trailing = today - period + 1
        t = lo[today]
        if lo_idx < trailing:
            lo_idx = trailing
            lowest = lo[lo_idx]
            for i in range(lo_idx + 1, today + 1):
                t = lo[i]
                if t < lowest:
                    lo_idx = i
                    lowest = t
        elif t <= lowest:
            lo_idx = today
            lowest = t
        t = h[today]
        if hi_idx < trailing:
            hi_idx = trailing
            highest = h[hi_idx]
            for i in range(hi_idx + 1, today + 1):
                t = h[i]
                if t > highest:
                    hi_idx = i
                    highest = t
        elif t >= highest:
            hi_idx = today
            highest = t
        den = highest - lowest
        num = c[today] - (highest + lowest) * 0.5
        if n_bar < slow:
            ssn = ssn + num
            ssd = ssd + den
            if n_bar == slow - 1:
                esn = ssn / slow
                esd = ssd / slow
        else:
            esn = b_s * esn + k_s * num
            esd = b_s * esd + k_s * den
        if n_bar >= lb_s:
            nf = n_bar - lb_s
            if nf < fast:
                sfn = sfn + esn
                sfd = sfd + esd
                if nf == fast - 1:
                    efn = sfn / fast
                    efd = sfd / fast
            else:
                efn = b_f * efn + k_f * esn
                efd = b_f * efd + k_f * esd
        if n_bar >= lb_s + lb_f:
            ns = n_bar - lb_s - lb_f
            half = 0.5 * efd
            smi_v = 100.0 * efn / half if half > 0.0 else 0.0
            if ns < sig:
                ssg = ssg + smi_v
                if ns == sig - 1:
                    prev_sig = ssg / sig
            else:
                prev_sig = b_g * prev_sig + k_g * smi_v
        if today >= lb:
            smi[today] = smi_v
            sg[today] = prev_sig
        n_bar += 1
    return smi, sg


@indicator("smi", "momentum", "Stochastic Momentum Index", inputs=HLC,
           params=(_period(13), int_param("fastperiod", 2, 2, doc="second EMA"),
                   int_param("slowperiod", 25, 2, doc="first EMA"),
                   int_param("signalperiod", 9, 2, doc="signal EMA")),
           outputs=("smi", "smisignal"),
           lookback=lambda p: (p["timeperiod"] - 1 + p["slowperiod"] - 1 + p["fastperiod"] - 1
                               + p["signalperiod"] - 1),
           talib="SMI")
def smi(high: np.ndarray, low: np.ndarray, close: np.ndarray, timeperiod: int, fastperiod: int,
        slowperiod: int, signalperiod: int) -> tuple[np.ndarray, ...]:
    """Blau's SMI: double-EMA-smoothed distance from the range midpoint, in percent."""
    return _smi(high, low, close, timeperiod, fastperiod, slowperiod, signalperiod)


@njit(cache=True, nogil=True, fastmath=FMA, error_model="numpy")
def _tsi(x: np.ndarray, first: int, second: int) -> np.ndarray:
    # One pass: EMA(first) of the 1-bar change and of its size, EMA(second) of those,
    # each seeded with the mean of its first inputs (as composing TA_EMA calls would).
    n = x.shape[0]
    lb = first + second - 1
    out = np.empty(n)
    out[: min(lb, n)] = np.nan
    if lb >= n:
        return out
    b1 = (first - 1) / (first + 1)
    k1 = 1.0 - b1
    b1 = 1.0 - k1
    b2 = (second - 1) / (second + 1)
    k2 = 1.0 - b2
    b2 = 1.0 - k2
    e1 = a1 = e2 = a2 = 0.0
    s1 = sa1 = s2 = sa2 = 0.0
    for i in range(1, n):
        m = x[i] - x[i - 1]
        am = abs(m)
        j = i - 1  # bars of change seen before this one
        if j < first:
            s1 += m
            sa1 += am
            if j == first - 1:
                e1 = s1 / first
                a1 = sa1 / first
            else:
                continue
        else:
            e1 = b1 * e1 + k1 * m
            a1 = b1 * a1 + k1 * am
        j2 = j - (first - 1)
        if j2 < second:
            s2 += e1
            sa2 += a1
            if j2 == second - 1:
                e2 = s2 / second
                a2 = sa2 / second
            else:
                continue
        else:
            e2 = b2 * e2 + k2 * e1
            a2 = b2 * a2 + k2 * a1
        out[i] = 100.0 * e2 / a2 if a2 > 0.0 else 0.0
    return out


@indicator("tsi", "momentum", "True Strength Index", inputs=("close",),
           params=(int_param("firstperiod", 25, 2, doc="first EMA"),
                   int_param("secondperiod", 13, 2, doc="second EMA")),
           lookback=lambda p: p["firstperiod"] + p["secondperiod"] - 1, talib="TSI")
def tsi(close: np.ndarray, firstperiod: int, secondperiod: int) -> tuple[np.ndarray, ...]:
    """Double-smoothed momentum over double-smoothed absolute momentum, in percent."""
    return (_tsi(close, firstperiod, secondperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _vhf(x: np.ndarray, period: int) -> np.ndarray:
    n = x.shape[0]
    out = km.nans(n)
    for i in range(period, n):
        hi = x[i - period + 1]
        lo = hi
        vol = 0.0
        for j in range(i - period + 1, i + 1):
            v = x[j]
            if v > hi:
                hi = v
            if v < lo:
                lo = v
            vol += abs(v - x[j - 1])
        out[i] = (hi - lo) / vol if vol > 0.0 else 0.0
    return out


@indicator("vhf", "momentum", "Vertical Horizontal Filter", inputs=("close",),
           params=(_period(28),), lookback=lambda p: p["timeperiod"], talib="VHF")
def vhf(close: np.ndarray, timeperiod: int) -> tuple[np.ndarray, ...]:
    """Range of the closes over the sum of absolute bar changes."""
    return (_vhf(close, timeperiod),)


@njit(cache=True, nogil=True, error_model="numpy")
def _vortex(h: np.ndarray, lo: np.ndarray, c: np.ndarray, period: int
            ) -> tuple[np.ndarray, np.ndarray]:
    n = h.shape[0]
    vp = np.empty(n)
    vm = np.empty(n)
    vp[: min(period, n)] = np.nan
    vm[: min(period, n)] = np.nan
    if period >= n:
        return vp, vm
    a = np.empty(n)
    b = np.empty(n)
    tr = np.empty(n)
    for j in range(1, n):
        a[j] = abs(h[j] - lo[j - 1])
        b[j] = abs(lo[j] - h[j - 1])
        tr[j] = _tr(h[j], lo[j], c[j - 1])
    sp = 0.0
    sm = 0.0
    st = 0.0
    since = 0
    for i in range(1, n):
        sp += a[i]
        sm += b[i]
        st += tr[i]
        if i > period:
            sp -= a[i - period]
            sm -= b[i - period]
            st -= tr[i - period]
            since += 1
            # no rebuild once a gap made the sums NaN: TA-Lib 0.8 stays there (0) to the end
            if since >= 32 * period and st == st and sp == sp and sm == sm:
                since = 0
                sp = 0.0
                sm = 0.0
                st = 0.0
                for j in range(i - period + 1, i + 1):
                    sp += a[j]
                    sm += b[j]
                    st += tr[j]
        if i >= period:
            vp[i] = sp / st if st > 0.0 else 0.0
            vm[i] = sm / st if st > 0.0 else 0.0
    return vp, vm


@indicator("vortex", "momentum", "Vortex Indicator", inputs=HLC, params=(_period(14, 1),),
           outputs=("plusvi", "minusvi"), lookback=lambda p: p["timeperiod"], talib="VORTEX")
def vortex(high: np.ndarray, low: np.ndarray, close: np.ndarray,
           timeperiod: int) -> tuple[np.ndarray, ...]:
    """Sums of upward and downward vortex movement over the sum of true ranges."""
    return _vortex(high, low, close, timeperiod)


@njit(cache=True, nogil=True, error_model="numpy")
def _wad(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> np.ndarray:
    n = h.shape[0]
    out = km.nans(n)
    acc = 0.0
    if n:
        out[0] = 0.0
    for i in range(1, n):
        pc = c[i - 1]
        if c[i] > pc:
            acc += c[i] - min(lo[i], pc)
        elif c[i] < pc:
            acc += c[i] - max(h[i], pc)
        out[i] = acc
    return out


@indicator("wad", "momentum", "Williams Accumulation/Distribution", inputs=HLC,
           lookback=lambda p: 0, talib="WAD")
def wad(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative close-to-true-low (up bars) or close-to-true-high (down bars)."""
    return (_wad(high, low, close),)


@njit(cache=True, nogil=True, error_model="numpy")
def _fractal(h: np.ndarray, lo: np.ndarray, left: int, right: int
             ) -> tuple[np.ndarray, np.ndarray]:
    n = h.shape[0]
    sh = km.nans(n)
    sl = km.nans(n)
    for i in range(left + right, n):
        m = i - right
        # TA-Lib 0.8's order, which decides how a gap counts: the pivot must beat the
        # extreme of the left bars (seeded with the oldest, so a NaN there vetoes, a NaN
        # later is passed over), and no right bar may reach it (a NaN right bar does not)
        hl = h[m - left]
        ll = lo[m - left]
        for j in range(m - left + 1, m):
            if h[j] > hl:
                hl = h[j]
            if lo[j] < ll:
                ll = lo[j]
        is_h = h[m] > hl
        is_l = lo[m] < ll
        for j in range(m + 1, i + 1):
            if h[j] >= h[m]:
                is_h = False
            if lo[j] <= lo[m]:
                is_l = False
        sh[i] = 100.0 if is_h else 0.0
        sl[i] = 100.0 if is_l else 0.0
    return sh, sl


@indicator("fractal", "momentum", "Williams Fractal", inputs=("high", "low"),
           params=(int_param("leftbars", 2, 1, doc="bars before the pivot"),
                   int_param("rightbars", 2, 1, doc="bars after the pivot (confirmation)")),
           outputs=("swinghigh", "swinglow"),
           lookback=lambda p: p["leftbars"] + p["rightbars"], talib="FRACTAL")
def fractal(high: np.ndarray, low: np.ndarray, leftbars: int,
            rightbars: int) -> tuple[np.ndarray, ...]:
    """100 on the bar that confirms a swing high / low (``rightbars`` after the pivot), else 0."""
    return _fractal(high, low, leftbars, rightbars)
