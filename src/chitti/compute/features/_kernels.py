"""Numba kernels of the feature catalogue: rolling windows, layout changes, cross-sections.

Every rolling kernel works row by row on a 2-D array ``(rows, bars)`` (one row per symbol,
its own bars in order) and is causal: the value at bar ``i`` reads bars ``i-w+1..i`` only.
A window holding a NaN, or shorter than ``w``, gives NaN (pandas' ``rolling(w)`` default).
Cross-sectional kernels work on ``(dates, symbols)`` arrays, one date (row) at a time.

All kernels and the jitted helpers they call live in this one module: Numba's on-disk
cache does not notice a change in a helper defined in another file.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_NAN = np.nan


# -- layout: the symbol's own bars (compressed) <-> the calendar (dates x symbols) ----------


@njit(cache=True, nogil=True, error_model="numpy")
def compress(x: np.ndarray, has_bar: np.ndarray, n_bars: int) -> np.ndarray:
    """``x`` (dates, symbols) -> (symbols, n_bars): row j holds symbol j's bars in order."""
    n_dates, n_sym = x.shape
    out = np.full((n_sym, n_bars), _NAN)
    for j in range(n_sym):
        p = 0
        for t in range(n_dates):
            if has_bar[t, j]:
                out[j, p] = x[t, j]
                p += 1
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def scatter_index(has_bar: np.ndarray, n_bars: int) -> np.ndarray:
    """For each calendar cell (dates x symbols, flattened) its flat index in the packed
    (symbols, n_bars) array, or -1 where the symbol has no bar: computed once per call."""
    n_dates, n_sym = has_bar.shape
    src = np.full(n_dates * n_sym, -1, dtype=np.int64)
    pos = np.zeros(n_sym, dtype=np.int64)
    for t in range(n_dates):
        for j in range(n_sym):
            if has_bar[t, j]:
                src[t * n_sym + j] = j * n_bars + pos[j]
                pos[j] += 1
    return src


@njit(cache=True, nogil=True, error_model="numpy")
def scatter(comp: np.ndarray, src: np.ndarray, out: np.ndarray) -> None:
    """Write packed values ``comp`` (flat) back on the calendar ``out`` (flat), by ``src``
    (see `scatter_index`): a gather with the writes in order, the fastest layout here."""
    for i in range(src.shape[0]):
        s = src[i]
        out[i] = comp[s] if s >= 0 else _NAN


@njit(cache=True, nogil=True, error_model="numpy")
def ffill(x: np.ndarray, limit: int) -> np.ndarray:
    """Carry the last number forward over at most ``limit`` NaNs (1-D): the value known at
    each date, until it is too stale to stand for the present."""
    out = x.copy()
    last = _NAN
    age = 0
    for i in range(x.shape[0]):
        if x[i] == x[i]:
            last = x[i]
            age = 0
        else:
            age += 1
            if age <= limit:
                out[i] = last
    return out


# -- rolling moments -------------------------------------------------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_mean(x: np.ndarray, w: int) -> np.ndarray:
    """Mean of the last ``w`` values (running sum)."""
    rows, n = x.shape
    out = np.full((rows, n), _NAN)
    for r in range(rows):
        s = 0.0
        nans = 0
        for i in range(n):
            v = x[r, i]
            if v != v:
                nans += 1
            else:
                s += v
            if i >= w:
                old = x[r, i - w]
                if old != old:
                    nans -= 1
                else:
                    s -= old
            if i >= w - 1 and nans == 0:
                out[r, i] = s / w
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_sum(x: np.ndarray, w: int) -> np.ndarray:
    """Sum of the last ``w`` values."""
    return rolling_mean(x, w) * w


@njit(cache=True, nogil=True, error_model="numpy")
def _comoments_row(x: np.ndarray, y: np.ndarray, w: int, out: np.ndarray, r: int) -> None:
    # Welford's running co-moments with removal (pandas' roll_var/roll_cov scheme): stable
    # for series whose mean dwarfs their spread (volumes, prices). A run of w equal values
    # gives an exact zero, as pandas reports it.
    n = x.shape[0]
    cnt = 0
    mx = my = cxx = cyy = cxy = 0.0
    nans = 0
    run_x = run_y = 0
    for i in range(n):
        vx, vy = x[i], y[i]
        if vx != vx or vy != vy:
            nans += 1
            run_x = run_y = 0
        else:
            run_x = run_x + 1 if i > 0 and x[i - 1] == vx else 1
            run_y = run_y + 1 if i > 0 and y[i - 1] == vy else 1
            cnt += 1
            dx, dy = vx - mx, vy - my
            mx += dx / cnt
            my += dy / cnt
            f = (cnt - 1) / cnt
            cxx += dx * dx * f
            cyy += dy * dy * f
            cxy += dx * dy * f
        if i >= w:
            ox, oy = x[i - w], y[i - w]
            if ox != ox or oy != oy:
                nans -= 1
            else:
                cnt -= 1
                if cnt == 0:
                    mx = my = cxx = cyy = cxy = 0.0
                else:
                    dx, dy = ox - mx, oy - my
                    f = (cnt + 1) / cnt
                    cxx -= dx * dx * f
                    cyy -= dy * dy * f
                    cxy -= dx * dy * f
                    mx -= dx / cnt
                    my -= dy / cnt
        if i >= w - 1 and nans == 0:
            out[0, r, i] = 0.0 if run_x >= w else max(cxx, 0.0)
            out[1, r, i] = 0.0 if run_y >= w else max(cyy, 0.0)
            out[2, r, i] = 0.0 if run_x >= w or run_y >= w else cxy
            out[3, r, i] = mx
            out[4, r, i] = my


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_comoments(x: np.ndarray, y: np.ndarray, w: int) -> np.ndarray:
    """Sums of squared deviations over the last ``w`` pairs, stacked (5, rows, bars).

    [0] sum (x - mean x)^2, [1] the same for y, [2] sum (x - mean x)(y - mean y),
    [3] mean x, [4] mean y. Divide by ``w - 1`` for sample (co)variances.
    """
    rows, n = x.shape
    out = np.full((5, rows, n), _NAN)
    for r in range(rows):
        _comoments_row(x[r], y[r], w, out, r)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_std(x: np.ndarray, w: int, ddof: int) -> np.ndarray:
    """Standard deviation of the last ``w`` values (divisor ``w - ddof``)."""
    m = rolling_comoments(x, x, w)
    out: np.ndarray = np.sqrt(m[0] / (w - ddof))
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _power_sums(win: np.ndarray) -> tuple[float, float, float, float, float]:
    # (shift, sums of d, d^2, d^3, d^4) with d = win - shift, shift = the window's mean
    c = win.mean()
    d = win - c
    d2 = d * d
    return c, d.sum(), d2.sum(), (d2 * d).sum(), (d2 * d2).sum()


@njit(cache=True, nogil=True, error_model="numpy")
def _skew_kurt_out(s1: float, s2: float, s3: float, s4: float, w: int, out: np.ndarray,
                   r: int, i: int) -> None:
    # central moments from power sums around a shift, then pandas' bias corrections
    mu = s1 / w
    m2 = s2 / w - mu * mu
    if m2 <= 0.0:
        return
    m3 = s3 / w - 3.0 * mu * s2 / w + 2.0 * mu ** 3
    m4 = s4 / w - 4.0 * mu * s3 / w + 6.0 * mu * mu * s2 / w - 3.0 * mu ** 4
    out[0, r, i] = math.sqrt(w * (w - 1.0)) / (w - 2.0) * m3 / m2 ** 1.5
    out[1, r, i] = ((w * w - 1.0) * m4 / (m2 * m2) - 3.0 * (w - 1.0) ** 2) / (
        (w - 2.0) * (w - 3.0))


@njit(cache=True, nogil=True, error_model="numpy")
def _skew_kurt_row(x: np.ndarray, w: int, out: np.ndarray, r: int) -> None:
    # Running power sums around a shift, rebuilt two-pass from the window every w bars (so
    # rounding cannot pile up); a run of w equal values is NaN (zero variance), as pandas.
    c = s1 = s2 = s3 = s4 = 0.0
    run = same = 0
    since = w
    for i in range(x.shape[0]):
        v = x[i]
        if v != v:
            run = same = 0
            continue
        run += 1
        same = same + 1 if run > 1 and x[i - 1] == v else 1
        if run < w:
            since = w
            continue
        if since >= w:
            c, s1, s2, s3, s4 = _power_sums(x[i - w + 1: i + 1])
            since = 0
        else:
            a, b = v - c, x[i - w] - c
            s1 += a - b
            s2 += a * a - b * b
            s3 += a ** 3 - b ** 3
            s4 += a ** 4 - b ** 4
            since += 1
        if same < w:
            _skew_kurt_out(s1, s2, s3, s4, w, out, r, i)


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_skew_kurt(x: np.ndarray, w: int) -> np.ndarray:
    """Sample skewness and excess kurtosis (pandas' bias-corrected forms), stacked (2, ...).

    A window with zero variance gives NaN.
    """
    rows, n = x.shape
    out = np.full((2, rows, n), _NAN)
    for r in range(rows):
        _skew_kurt_row(x[r], w, out, r)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _trend_sums(win: np.ndarray) -> tuple[float, float, float, float]:
    # (shift, sum d, sum d^2, sum t d) with d = win - shift, t = 0..w-1
    c = win.mean()
    d = win - c
    return c, d.sum(), (d * d).sum(), (np.arange(win.shape[0]) * d).sum()


@njit(cache=True, nogil=True, error_model="numpy")
def _trend_row(y: np.ndarray, w: int, out: np.ndarray, r: int) -> None:
    # Running sums of d, d^2 and t*d over the window (t = position in it), rebuilt
    # two-pass every w bars. Sliding one bar: every t drops by one, so sum t*d loses the
    # sum of the bars that stay, and the new bar enters at t = w - 1.
    tbar = (w - 1) / 2.0
    stt = w * (w * w - 1.0) / 12.0
    c = sy = syy = sty = 0.0
    run = same = 0
    since = w
    for i in range(y.shape[0]):
        v = y[i]
        if v != v:
            run = same = 0
            continue
        run += 1
        same = same + 1 if run > 1 and y[i - 1] == v else 1
        if run < w:
            since = w
            continue
        if since >= w:
            c, sy, syy, sty = _trend_sums(y[i - w + 1: i + 1])
            since = 0
        else:
            a, b = v - c, y[i - w] - c
            sty += (w - 1) * a - (sy - b)
            sy += a - b
            syy += a * a - b * b
            since += 1
        cov = sty - tbar * sy
        out[0, r, i] = cov / stt
        var = syy - sy * sy / w
        if same < w and var > 0.0:
            out[1, r, i] = min(cov * cov / (stt * var), 1.0)


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_trend(y: np.ndarray, w: int) -> np.ndarray:
    """Least-squares slope of ``y`` on the bar index and its R^2, stacked (2, rows, bars).

    R^2 is NaN for a flat window (zero variance).
    """
    rows, n = y.shape
    out = np.full((2, rows, n), _NAN)
    for r in range(rows):
        _trend_row(y[r], w, out, r)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _down_sums(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    # count, sum b, sum x, sum b^2, sum b*x over the bars where b < 0
    down = b < 0.0
    xs, bs = x[down], b[down]
    return np.array([float(down.sum()), bs.sum(), xs.sum(), (bs * bs).sum(), (bs * xs).sum()])


@njit(cache=True, nogil=True, error_model="numpy")
def _down_row(x: np.ndarray, b: np.ndarray, w: int, out: np.ndarray) -> None:
    # Running sums over the window's down bars (returns are small and centred near zero,
    # so raw sums lose nothing), rebuilt from the window every w bars.
    s = np.zeros(5)  # count, sum b, sum x, sum b^2, sum b*x
    run = 0
    since = w
    for i in range(x.shape[0]):
        if x[i] != x[i] or b[i] != b[i]:
            run = 0
            continue
        run += 1
        if run < w:
            since = w
            continue
        if since >= w:
            s[:] = _down_sums(x[i - w + 1: i + 1], b[i - w + 1: i + 1])
            since = 0
        else:
            _down_add(s, x[i], b[i], 1.0)
            _down_add(s, x[i - w], b[i - w], -1.0)
            since += 1
        k = s[0]
        vb = s[3] - s[1] * s[1] / k if k >= 2 else 0.0
        if vb > 0.0:
            out[i] = (s[4] - s[1] * s[2] / k) / vb


@njit(cache=True, nogil=True, error_model="numpy")
def _down_add(s: np.ndarray, xv: float, bv: float, sign: float) -> None:
    if bv < 0.0:
        s[0] += sign
        s[1] += sign * bv
        s[2] += sign * xv
        s[3] += sign * bv * bv
        s[4] += sign * bv * xv


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_downside_beta(x: np.ndarray, b: np.ndarray, w: int) -> np.ndarray:
    """Beta of ``x`` on ``b`` over the bars of the last ``w`` where ``b < 0``.

    OLS slope on those bars only (cov / var, both with their own means); NaN with fewer than
    two such bars or a zero variance.
    """
    rows, n = x.shape
    out = np.full((rows, n), _NAN)
    for r in range(rows):
        _down_row(x[r], b[r], w, out[r])
    return out


# -- rolling extremes ----------------------------------------------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def _extreme_row(x: np.ndarray, w: int, sign: float, val: np.ndarray, since: np.ndarray
                 ) -> None:
    # Monotonic deque of indices (O(n)); sign=+1 for max, -1 for min. Equal values pop, so
    # the front is the most recent bar at the extreme ("last touched").
    n = x.shape[0]
    dq = np.empty(n, dtype=np.int64)
    head = tail = 0
    nans = 0
    for i in range(n):
        v = x[i]
        if v != v:
            nans += 1
        else:
            while tail > head and sign * x[dq[tail - 1]] <= sign * v:
                tail -= 1
            dq[tail] = i
            tail += 1
        if i >= w and x[i - w] != x[i - w]:
            nans -= 1
        while tail > head and dq[head] <= i - w:
            head += 1
        if i >= w - 1 and nans == 0:
            val[i] = x[dq[head]]
            since[i] = i - dq[head]


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_extreme(x: np.ndarray, w: int, is_max: bool) -> np.ndarray:
    """Max (or min) of the last ``w`` values and bars since it was last touched, (2, ...)."""
    rows, n = x.shape
    out = np.full((2, rows, n), _NAN)
    for r in range(rows):
        _extreme_row(x[r], w, 1.0 if is_max else -1.0, out[0, r], out[1, r])
    return out


# -- cross-sections (one date per row) -----------------------------------------------------


_SMALL_UNIVERSE = 64


@njit(cache=True, nogil=True, error_model="numpy")
def _rank_by_counting(row: np.ndarray, k: int, out: np.ndarray) -> None:
    # rank = (# smaller) + (# equal + 1) / 2: O(n^2) but branch-free, the fastest way for a
    # universe of tens of symbols
    n = row.shape[0]
    for j in range(n):
        v = row[j]
        if v != v:
            out[j] = _NAN
            continue
        lt = 0
        eq = 0
        for q in range(n):
            lt += row[q] < v
            eq += row[q] == v
        out[j] = (lt + (eq + 1) / 2.0) / k


@njit(cache=True, nogil=True, error_model="numpy")
def _rank_by_sorting(row: np.ndarray, k: int, out: np.ndarray) -> None:
    order = np.argsort(row, kind="mergesort")  # NaN sorts last
    out[:] = _NAN
    a = 0
    while a < k:
        b = a
        while b + 1 < k and row[order[b + 1]] == row[order[a]]:
            b += 1
        pct = ((a + b) / 2.0 + 1.0) / k
        for q in range(a, b + 1):
            out[order[q]] = pct
        a = b + 1


@njit(cache=True, nogil=True, error_model="numpy")
def cs_rank_pct(x: np.ndarray) -> np.ndarray:
    """Percentile rank on each row among its numbers: average rank of ties / count.

    The definition of pandas' ``rank(axis=1, pct=True)``: the smallest of n is 1/n, the
    largest 1. NaN stays NaN.
    """
    rows, n = x.shape
    out = np.empty((rows, n))
    for r in range(rows):
        k = 0
        for j in range(n):
            k += x[r, j] == x[r, j]
        if n <= _SMALL_UNIVERSE:
            _rank_by_counting(x[r], k, out[r])
        else:
            _rank_by_sorting(x[r], k, out[r])
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _row_mean_std(row: np.ndarray) -> tuple[float, float, int]:
    # mean, sample std (ddof 1; 0 with fewer than two) and count of the row's numbers
    s = 0.0
    k = 0
    for v in row:
        if v == v:
            s += v
            k += 1
    mu = s / k if k else _NAN
    ss = 0.0
    for v in row:
        if v == v:
            ss += (v - mu) * (v - mu)
    return mu, math.sqrt(ss / (k - 1)) if k >= 2 else 0.0, k


@njit(cache=True, nogil=True, error_model="numpy")
def cs_zscore(x: np.ndarray) -> np.ndarray:
    """(x - row mean) / row sample std (ddof 1) among each row's numbers.

    NaN where the row has fewer than two numbers or they are all equal.
    """
    rows, n = x.shape
    out = np.empty((rows, n))
    for r in range(rows):
        mu, sd, _ = _row_mean_std(x[r])
        for j in range(n):
            v = x[r, j]
            out[r, j] = (v - mu) / sd if sd > 0.0 and v == v else _NAN
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def cs_group_dev(x: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """x minus the mean of its group on that row (codes < 0: no group -> NaN).

    NaN where fewer than two members of the group have a number that day.
    """
    rows, n = x.shape
    out = np.full((rows, n), _NAN)
    for r in range(rows):
        s = np.zeros(n_groups)
        c = np.zeros(n_groups, dtype=np.int64)
        for j in range(n):
            g = codes[j]
            if g >= 0 and x[r, j] == x[r, j]:
                s[g] += x[r, j]
                c[g] += 1
        for j in range(n):
            g = codes[j]
            if g >= 0 and x[r, j] == x[r, j] and c[g] >= 2:
                out[r, j] = x[r, j] - s[g] / c[g]
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def cs_mean(x: np.ndarray) -> np.ndarray:
    """Mean of each row's numbers (NaN for a row without any), 1-D."""
    out = np.empty(x.shape[0])
    for r in range(x.shape[0]):
        out[r] = _row_mean_std(x[r])[0]
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def cs_std(x: np.ndarray) -> np.ndarray:
    """Sample std (ddof 1) of each row's numbers (NaN with fewer than two), 1-D."""
    out = np.empty(x.shape[0])
    for r in range(x.shape[0]):
        _, sd, k = _row_mean_std(x[r])
        out[r] = sd if k >= 2 else _NAN
    return out
