"""The one door from the backtest engine to the indicator engine.

Everything here goes through :func:`indicator`. It calls ``chitti.compute.indicators``
(``compute(name, inputs, **params) -> {output: array}``); until that package can compute
an indicator, a small NumPy fallback covers what the example strategies need. The fallback
is transitional: delete it once the indicator engine ships these names.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from chitti.errors import BadRequest


def indicator(fn: str, inputs: Mapping[str, np.ndarray], params: Mapping[str, float]
              ) -> dict[str, np.ndarray]:
    """Return ``{output name: float64 array}`` of indicator ``fn`` (NaN during warm-up)."""
    name = fn.strip().lower()
    try:
        from chitti.compute.indicators import compute  # type: ignore[attr-defined]
    except ImportError:
        compute = None
    if compute is not None and name not in _FALLBACK_ONLY:
        try:
            out = compute(name, inputs, **params)
            return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}
        except BadRequest:
            if name not in _FALLBACK:
                raise
    impl = _FALLBACK.get(name)
    if impl is None:
        raise BadRequest(f"unknown indicator {fn!r}; available: {sorted(_FALLBACK)}")
    try:
        return impl(inputs, **params)
    except TypeError as exc:
        raise BadRequest(f"indicator {fn!r}: bad parameters {dict(params)} ({exc})") from exc


# --- transitional fallback (TA-Lib semantics, NaN warm-up) ------------------------------

def _period(p: float, name: str = "period") -> int:
    if p != int(p) or p < 1:
        raise BadRequest(f"{name}: must be a whole number >= 1, got {p}")
    return int(p)


def _sma(x: np.ndarray, period: int) -> np.ndarray:
    out = np.full(x.shape[0], np.nan)
    if period <= x.shape[0]:
        cs = np.cumsum(np.concatenate(([0.0], x)))
        out[period - 1:] = (cs[period:] - cs[:-period]) / period
    return out


def _ema(x: np.ndarray, period: int) -> np.ndarray:
    # TA-Lib: seeded with the SMA of the first `period` values, k = 2 / (period + 1)
    out = np.full(x.shape[0], np.nan)
    if period > x.shape[0]:
        return out
    k = 2.0 / (period + 1.0)
    v = float(np.mean(x[:period]))
    out[period - 1] = v
    for i in range(period, x.shape[0]):
        v = v + k * (x[i] - v)
        out[i] = v
    return out


def _wilder(x: np.ndarray, period: int, first: int) -> np.ndarray:
    out = np.full(x.shape[0], np.nan)
    if first + period > x.shape[0]:
        return out
    v = float(np.mean(x[first:first + period]))
    out[first + period - 1] = v
    for i in range(first + period, x.shape[0]):
        v = (v * (period - 1) + x[i]) / period
        out[i] = v
    return out


def _f_sma(inputs: Mapping[str, np.ndarray], period: float = 30) -> dict[str, np.ndarray]:
    return {"sma": _sma(np.asarray(inputs["close"], float), _period(period))}


def _f_ema(inputs: Mapping[str, np.ndarray], period: float = 30) -> dict[str, np.ndarray]:
    return {"ema": _ema(np.asarray(inputs["close"], float), _period(period))}


def _f_rsi(inputs: Mapping[str, np.ndarray], period: float = 14) -> dict[str, np.ndarray]:
    x = np.asarray(inputs["close"], float)
    n = _period(period)
    d = np.diff(x, prepend=np.nan)
    up = _wilder(np.where(d > 0, d, 0.0), n, 1)
    dn = _wilder(np.where(d < 0, -d, 0.0), n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rsi = np.where(up + dn > 0, 100.0 * up / (up + dn), 0.0)
    rsi[np.isnan(up)] = np.nan
    return {"rsi": rsi}


def _f_bbands(inputs: Mapping[str, np.ndarray], period: float = 5, nbdevup: float = 2.0,
              nbdevdn: float = 2.0) -> dict[str, np.ndarray]:
    x = np.asarray(inputs["close"], float)
    n = _period(period)
    mid = _sma(x, n)
    sq = _sma(x * x, n)
    sd = np.sqrt(np.maximum(sq - mid * mid, 0.0))
    return {"upperband": mid + nbdevup * sd, "middleband": mid, "lowerband": mid - nbdevdn * sd}


def _true_range(inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    h = np.asarray(inputs["high"], float)
    lo = np.asarray(inputs["low"], float)
    c = np.asarray(inputs["close"], float)
    pc = np.concatenate(([np.nan], c[:-1]))
    return np.fmax(h - lo, np.fmax(np.abs(h - pc), np.abs(lo - pc)))


def _f_atr(inputs: Mapping[str, np.ndarray], period: float = 14) -> dict[str, np.ndarray]:
    return {"atr": _wilder(_true_range(inputs), _period(period), 1)}


def _rolling(x: np.ndarray, period: int, fn: str) -> np.ndarray:
    out = np.full(x.shape[0], np.nan)
    if period <= x.shape[0]:
        win = np.lib.stride_tricks.sliding_window_view(x, period)
        out[period - 1:] = win.max(axis=1) if fn == "max" else win.min(axis=1)
    return out


def _f_max(inputs: Mapping[str, np.ndarray], period: float = 30) -> dict[str, np.ndarray]:
    return {"max": _rolling(np.asarray(inputs["close"], float), _period(period), "max")}


def _f_min(inputs: Mapping[str, np.ndarray], period: float = 30) -> dict[str, np.ndarray]:
    return {"min": _rolling(np.asarray(inputs["close"], float), _period(period), "min")}


def _f_macd(inputs: Mapping[str, np.ndarray], fastperiod: float = 12, slowperiod: float = 26,
            signalperiod: float = 9) -> dict[str, np.ndarray]:
    x = np.asarray(inputs["close"], float)
    fast, slow, sig = _period(fastperiod), _period(slowperiod), _period(signalperiod)
    macd = _ema(x, fast) - _ema(x, slow)
    start = int(np.argmax(~np.isnan(macd))) if (~np.isnan(macd)).any() else x.shape[0]
    signal = np.full(x.shape[0], np.nan)
    signal[start:] = _ema(macd[start:], sig)
    return {"macd": macd, "macdsignal": signal, "macdhist": macd - signal}


def _f_supertrend(inputs: Mapping[str, np.ndarray], period: float = 10,
                  multiplier: float = 3.0) -> dict[str, np.ndarray]:
    h = np.asarray(inputs["high"], float)
    lo = np.asarray(inputs["low"], float)
    c = np.asarray(inputs["close"], float)
    atr = _f_atr(inputs, period)["atr"]
    mid = (h + lo) / 2.0
    upper, lower = mid + multiplier * atr, mid - multiplier * atr
    st = np.full(c.shape[0], np.nan)
    direction = np.full(c.shape[0], np.nan)
    fu = fl = np.nan
    d = 1.0
    for i in range(c.shape[0]):
        if np.isnan(atr[i]):
            continue
        if np.isnan(fu):
            fu, fl = upper[i], lower[i]
        else:
            fu = upper[i] if (upper[i] < fu or c[i - 1] > fu) else fu
            fl = lower[i] if (lower[i] > fl or c[i - 1] < fl) else fl
            if c[i] > fu:
                d = 1.0
            elif c[i] < fl:
                d = -1.0
        st[i] = fl if d > 0 else fu
        direction[i] = d
    return {"supertrend": st, "direction": direction}


_FALLBACK = {
    "sma": _f_sma, "ema": _f_ema, "rsi": _f_rsi, "bbands": _f_bbands, "atr": _f_atr,
    "max": _f_max, "min": _f_min, "macd": _f_macd, "supertrend": _f_supertrend,
}
_FALLBACK_ONLY: frozenset[str] = frozenset()
