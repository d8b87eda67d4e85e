"""TA-Lib's candle vocabulary: candle settings, body/shadow measures and the running averages.

Every pattern judges a candle against "what is long / short / near here", measured as an
average over the preceding candles. TA-Lib calls these candle settings; each has

* a range type: the real body ``|close - open|``, the high-low range, or the shadows
  (upper + lower shadow; the average is then halved, to be one shadow's worth);
* an averaging period (0 means "this candle's own range", no average);
* a factor the average is multiplied by.

The defaults below are TA-Lib's (``TA_CandleDefaultSettings`` in ``ta_global.c``) and are
the only settings supported: Numba freezes them into the kernels at compile time.

`averages` reproduces TA-Lib's running total bit for bit: the sum over the window is built
once, oldest candle first, at the pattern's first output bar, then slid one bar at a time by
``total += range(new) - range(oldest)``. Summing each window afresh would differ in the
last bits and flip comparisons that sit on a boundary.

The helpers keep TA-Lib's macro forms (``TA_MAX(a, b)`` is ``a > b ? a : b``, the candle
colour is white when ``close >= open``), so that even NaN inputs compare as they do there.

Numba caches each kernel keyed on its own module's source, not on the helpers it calls:
after editing this file, delete ``__pycache__/*.nbi``/``*.nbc`` of this package (or touch
the kernel modules), or the cached kernels keep the old helpers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Range types (TA_RangeType).
REAL_BODY, HIGH_LOW, SHADOWS = 0, 1, 2

# Candle settings (TA_CandleSettingType), in TA-Lib's order.
BODY_LONG, BODY_VERY_LONG, BODY_SHORT, BODY_DOJI = 0, 1, 2, 3
SHADOW_LONG, SHADOW_VERY_LONG, SHADOW_SHORT, SHADOW_VERY_SHORT = 4, 5, 6, 7
NEAR, FAR, EQUAL = 8, 9, 10

#: name -> (range type, averaging period, factor); TA-Lib's defaults.
CANDLE_SETTINGS: dict[str, tuple[int, int, float]] = {
    "BodyLong": (REAL_BODY, 10, 1.0),
    "BodyVeryLong": (REAL_BODY, 10, 3.0),
    "BodyShort": (REAL_BODY, 10, 1.0),
    "BodyDoji": (HIGH_LOW, 10, 0.1),
    "ShadowLong": (REAL_BODY, 0, 1.0),
    "ShadowVeryLong": (REAL_BODY, 0, 2.0),
    "ShadowShort": (SHADOWS, 10, 1.0),
    "ShadowVeryShort": (HIGH_LOW, 10, 0.1),
    "Near": (HIGH_LOW, 5, 0.2),
    "Far": (HIGH_LOW, 5, 0.6),
    "Equal": (HIGH_LOW, 5, 0.05),
}
SETTING_NAMES = tuple(CANDLE_SETTINGS)
RANGE_TYPE = np.array([v[0] for v in CANDLE_SETTINGS.values()], dtype=np.int64)
AVG_PERIOD = np.array([v[1] for v in CANDLE_SETTINGS.values()], dtype=np.int64)
FACTOR = np.array([v[2] for v in CANDLE_SETTINGS.values()], dtype=np.float64)


@njit(cache=True, nogil=True)
def mx(a: float, b: float) -> float:
    """TA_MAX."""
    return a if a > b else b


@njit(cache=True, nogil=True)
def mn(a: float, b: float) -> float:
    """TA_MIN."""
    return a if a < b else b


@njit(cache=True, nogil=True)
def col(o: np.ndarray, c: np.ndarray, j: int) -> int:
    """Candle colour: 1 white (close >= open), -1 black."""
    return 1 if c[j] >= o[j] else -1


@njit(cache=True, nogil=True)
def rb(o: np.ndarray, c: np.ndarray, j: int) -> float:
    """Real body length."""
    return float(abs(c[j] - o[j]))


@njit(cache=True, nogil=True)
def us(o: np.ndarray, h: np.ndarray, c: np.ndarray, j: int) -> float:
    """Upper shadow."""
    cj, oj = c[j], o[j]  # loaded first: a select, not a mispredicted branch, on random bars
    return float(h[j] - (cj if cj >= oj else oj))


@njit(cache=True, nogil=True)
def ls(o: np.ndarray, l: np.ndarray, c: np.ndarray, j: int) -> float:  # noqa: E741
    """Lower shadow."""
    cj, oj = c[j], o[j]
    return float((oj if cj >= oj else cj) - l[j])


@njit(cache=True, nogil=True)
def body_gap_up(o: np.ndarray, c: np.ndarray, j2: int, j1: int) -> bool:
    """TA_REALBODYGAPUP(j2, j1): candle j2's body lies wholly above candle j1's."""
    return mn(o[j2], c[j2]) > mx(o[j1], c[j1])


@njit(cache=True, nogil=True)
def body_gap_down(o: np.ndarray, c: np.ndarray, j2: int, j1: int) -> bool:
    """TA_REALBODYGAPDOWN(j2, j1)."""
    return mx(o[j2], c[j2]) < mn(o[j1], c[j1])


@njit(cache=True, nogil=True)
def candle_ranges(rtype: int, o: np.ndarray, h: np.ndarray, l: np.ndarray,  # noqa: E741
                  c: np.ndarray) -> np.ndarray:
    """TA_CANDLERANGE of every candle: the measure a setting averages."""
    n = c.shape[0]
    out = np.empty(n)
    if rtype == REAL_BODY:
        for j in range(n):
            out[j] = abs(c[j] - o[j])
    elif rtype == HIGH_LOW:
        for j in range(n):
            out[j] = h[j] - l[j]
    else:
        for j in range(n):
            out[j] = us(o, h, c, j) + ls(o, l, c, j)
    return out


@njit(cache=True, nogil=True)
def averages(o: np.ndarray, h: np.ndarray, l: np.ndarray, c: np.ndarray,  # noqa: E741
             setting: int, k: int, init: int) -> np.ndarray:
    """TA_CANDLEAVERAGE of ``setting`` for candle ``i - k``, as seen at each bar ``i >= init``.

    The total covers candles ``i-k-period .. i-k-1``; it is summed at ``init`` (TA-Lib's
    first output bar) and slid from there exactly as TA-Lib slides it. Entries before
    ``init`` are 0 and never read.
    """
    n = c.shape[0]
    out = np.zeros(n)
    if init >= n:
        return out
    rtype = RANGE_TYPE[setting]
    period = AVG_PERIOD[setting]
    factor = FACTOR[setting]
    div = 2.0 if rtype == SHADOWS else 1.0
    r = candle_ranges(rtype, o, h, l, c)
    total = 0.0
    for j in range(init - k - period, init - k):
        total += r[j]
    for i in range(init, n):
        base = total / period if period != 0 else r[i - k]
        out[i] = factor * base / div
        total += r[i - k] - r[i - k - period]
    return out
