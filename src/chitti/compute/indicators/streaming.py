"""Live bars: O(1)-per-bar streaming forms that reproduce the batch kernels.

``stream(name, **params)`` returns an object whose ``update(open=..., high=..., low=...,
close=..., volume=...)`` takes one new bar (only the indicator's inputs are required) and
returns ``{output name: float}`` for that bar: NaN during the warm-up, then the value the
batch `compute` gives for the same bar on the same history (same seeding, same arithmetic
order; the batch kernels fuse multiply-adds, so the last bit may differ).

As in batch mode, bars before the first one with every input present (not NaN) are
skipped (their outputs are NaN); a NaN after that is processed like the batch kernel does.
One difference: when no bar has every input, batch mode still runs the kernel on the last
bar (TA-Lib's wrapper does); a stream cannot know which bar is the last, so it stays NaN.
State is a few floats plus, for windowed indicators, a ring of ``period`` values.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Any

from chitti.compute.indicators.catalog import get_spec
from chitti.errors import BadRequest

__all__ = ["IndicatorStream", "stream", "streaming_names"]

NAN = math.nan


# ------------------------------------------------------------------ building blocks


class _SMA:
    """TA_SMA as a stream: running total, trailing value removed after each output."""

    def __init__(self, period: int) -> None:
        self.period = period
        self.buf: deque[float] = deque()
        self.total = 0.0

    def update(self, x: float) -> float:
        self.total += x
        self.buf.append(x)
        if len(self.buf) < self.period:
            return NAN
        out = self.total / self.period
        self.total -= self.buf.popleft()
        return out


class _EMA:
    """TA_EMA: seeded with the mean of the first ``period`` values."""

    def __init__(self, period: int, k: float | None = None) -> None:
        self.period = period
        self.k = 1.0 - (period - 1) / (period + 1) if k is None else k
        self.beta = 1.0 - self.k
        self.n = 0
        self.acc = 0.0
        self.prev = NAN

    def update(self, x: float) -> float:
        if self.period == 1 and not isinstance(self, _RMA):  # TA_EMA copies at period 1
            return x
        self.n += 1
        if self.n < self.period:
            self.acc += x
            return NAN
        if self.n == self.period:
            self.acc += x
            self.prev = self.acc / self.period
        else:
            self.prev = self.beta * self.prev + self.k * x
        return self.prev


class _RMA(_EMA):
    """Wilder's smoothing (TA_RMA): SMA seed, then beta*prev + alpha*x, beta=(n-1)/n."""

    def __init__(self, period: int) -> None:
        super().__init__(period)
        self.beta = (period - 1) / period
        self.k = 1.0 - self.beta


class _WMA:
    """TA_WMA's two running sums (plain sum and weighted sum)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self.divider = float((period * (period + 1)) >> 1)
        self.buf: deque[float] = deque()
        self.sub = 0.0
        self.wsum = 0.0
        self.trailing_value = 0.0
        self.since = 8 * period

    def update(self, x: float) -> float:
        if self.period == 1:
            return x
        self.buf.append(x)
        if len(self.buf) < self.period:
            self.sub += x
            self.wsum += x * len(self.buf)
            return NAN
        self.sub += x
        self.sub -= self.trailing_value
        self.wsum += x * self.period
        self.since -= 1
        if self.since <= 0:  # TA-Lib 0.7+ rebuilds both sums every 8 * period bars
            self.since = 8 * self.period
            self.sub = 0.0
            self.wsum = 0.0
            for j, u in enumerate(self.buf):
                self.sub += u
                self.wsum += u * (j + 1)
        self.trailing_value = self.buf.popleft()
        out = self.wsum / self.divider
        self.wsum -= self.sub
        return out


def _ma_stream(period: int, matype: int) -> Any:
    if period == 1 or matype == 10:
        return _Identity()
    if matype in (0, 11):
        return _SMA(period)
    if matype == 1:
        return _EMA(period)
    if matype == 2:
        return _WMA(period)
    if matype == 13:
        return _RMA(period)
    raise BadRequest(
        f"streaming supports moving-average types 0 (SMA), 1 (EMA), 2 (WMA), 10 (none) and "
        f"13 (RMA); got matype={matype}. Use compute() on the history for other types"
    )


class _Identity:
    def update(self, x: float) -> float:
        return x


class _FastK:
    """TA-Lib's raw %K (and Williams %R) over a ring of the last ``period`` bars.

    The extremes are tracked with TA-Lib's index idiom (rescan only when the extreme
    leaves the window), so ties and NaN bars behave as in the batch kernel.
    """

    def __init__(self, period: int) -> None:
        self.p = period
        self.h: deque[float] = deque(maxlen=period)
        self.lo: deque[float] = deque(maxlen=period)
        self.today = -1
        self.hi_idx = -1
        self.lo_idx = -1
        self.highest = 0.0
        self.lowest = 0.0

    def update(self, high: float, low: float, close: float) -> float:
        self.today += 1
        t = self.today
        self.h.append(high)
        self.lo.append(low)
        if t < self.p - 1:
            return NAN
        trailing = t - self.p + 1
        if self.lo_idx < trailing:
            self.lo_idx = trailing
            self.lowest = self.lo[0]
            for k in range(1, self.p):
                v = self.lo[k]
                if v < self.lowest:
                    self.lo_idx = trailing + k
                    self.lowest = v
        elif low <= self.lowest:
            self.lo_idx = t
            self.lowest = low
        if self.hi_idx < trailing:
            self.hi_idx = trailing
            self.highest = self.h[0]
            for k in range(1, self.p):
                v = self.h[k]
                if v > self.highest:
                    self.hi_idx = trailing + k
                    self.highest = v
        elif high >= self.highest:
            self.hi_idx = t
            self.highest = high
        diff = self.highest - self.lowest
        if (abs(self.highest) + abs(self.lowest)) * 1e-14 >= abs(diff):
            return 0.0
        return ((close - self.lowest) / diff) * 100.0


def _tr(high: float, low: float, prev_close: float) -> float:
    g = high - low
    v = abs(prev_close - high)
    if v > g:
        g = v
    v = abs(prev_close - low)
    if v > g:
        g = v
    return g


# ------------------------------------------------------------------ indicator streams


class _SmaS:
    outputs = ("sma",)

    def __init__(self, timeperiod: int) -> None:
        self.m = _SMA(timeperiod)

    def step(self, close: float) -> tuple[float, ...]:
        return (self.m.update(close),)


class _EmaS(_SmaS):
    outputs = ("ema",)

    def __init__(self, timeperiod: int) -> None:
        self.m = _EMA(timeperiod)  # type: ignore[assignment]


class _WmaS(_SmaS):
    outputs = ("wma",)

    def __init__(self, timeperiod: int) -> None:
        self.m = _WMA(timeperiod)  # type: ignore[assignment]


class _RmaS(_SmaS):
    outputs = ("rma",)

    def __init__(self, timeperiod: int) -> None:
        self.m = _RMA(timeperiod)  # type: ignore[assignment]


class _RsiS:
    outputs = ("rsi",)

    def __init__(self, timeperiod: int) -> None:
        # the batch kernel's arithmetic order (TA-Lib's), so the two agree bit for bit
        self.p = timeperiod
        self.inv = 1.0 / timeperiod
        self.pm = float(timeperiod - 1)
        self.n = -1
        self.prev = NAN
        self.gain = 0.0
        self.loss = 0.0

    def step(self, close: float) -> tuple[float, ...]:
        self.n += 1
        if self.n == 0:
            self.prev = close
            return (NAN,)
        d = close - self.prev
        self.prev = close
        up = d if 0.0 < d else 0.0
        if self.n <= self.p:
            self.gain += up
            self.loss += up - d
            if self.n < self.p:
                return (NAN,)
            self.loss *= self.inv
            self.gain *= self.inv
        else:
            self.gain = (self.gain * self.pm + up) * self.inv
            self.loss = ((up - d) + self.loss * self.pm) * self.inv
        t = self.gain + self.loss
        return (100.0 * (self.gain / t) if t > 0.0 else 0.0,)


class _MacdS:
    outputs = ("macd", "macdsignal", "macdhist")

    def __init__(self, fastperiod: int, slowperiod: int, signalperiod: int) -> None:
        fast, slow = sorted((fastperiod, slowperiod))
        self.fast, self.slow, self.signal = fast, slow, signalperiod
        self.k1, self.k2 = 2.0 / (slow + 1), 2.0 / (fast + 1)
        self.recent: deque[float] = deque(maxlen=slow)
        self.n = -1
        self.es = self.ef = NAN
        self.sig = _EMA(signalperiod, 2.0 / (signalperiod + 1))

    def step(self, close: float) -> tuple[float, ...]:
        self.n += 1
        t = self.slow - 1
        if self.n < t:
            self.recent.append(close)
            return (NAN, NAN, NAN)
        if self.n == t:
            self.recent.append(close)
            vals = list(self.recent)
            es = 0.0
            for v in vals:
                es += v
            self.es = es / self.slow
            ef = 0.0
            for v in vals[len(vals) - self.fast:]:
                ef += v
            self.ef = ef / self.fast
        else:
            self.es = (1.0 - self.k1) * self.es + self.k1 * close
            self.ef = (1.0 - self.k2) * self.ef + self.k2 * close
        d = self.ef - self.es
        s = self.sig.update(d)
        if self.n < t + self.signal - 1:
            return (NAN, NAN, NAN)
        return (d, s, d - s)


class _Var:
    """TA_VAR as a stream: shifted running sums with TA-Lib's re-seeding (see `var_step`)."""

    def __init__(self, period: int) -> None:
        self.p = period
        self.inv = 1.0 / period
        self.buf: deque[float] = deque(maxlen=period)
        self.n = 0
        self.shift = NAN
        self.t1 = self.t2 = self.peak = 0.0
        self.since = 32 * period

    def _sums(self, shift: float) -> None:
        self.t1 = 0.0
        self.t2 = 0.0
        for u in self.buf:
            t = u - shift
            self.t1 += t
            t *= t
            self.t2 += t

    def update(self, x: float) -> float:
        p, inv = self.p, self.inv
        if self.n == 0:
            self.shift = x
        self.n += 1
        if self.n < p:
            t = x - self.shift
            self.t1 += t
            t *= t
            self.t2 += t
            self.buf.append(x)
            if self.n == p - 1:
                self.peak = self.t2
            return NAN
        if p == 1:
            return x - x
        t = x - self.shift
        nt1 = self.t1 + t
        nt2 = self.t2 + t * t
        npeak = nt2 if nt2 > self.peak else self.peak
        m1 = nt1 * inv
        v = nt2 * inv - m1 * m1
        self.buf.append(x)  # now exactly the window ending at this bar
        oldest = self.buf[0]
        if v < 0.000001 * (npeak * inv) or self.since <= 1:
            self.since = 32 * p
            t = 0.0
            for u in self.buf:
                t += u
            shift = t * inv
            self._sums(shift)
            m1 = self.t1 * inv
            v = self.t2 * inv - m1 * m1
            if v < 0.000001 * (self.t2 * inv):
                shift = x
                self._sums(shift)
                m1 = self.t1 * inv
                v = self.t2 * inv - m1 * m1
            self.shift = shift
            self.peak = self.t2
            if v < 0.000000000001 * (self.t2 * inv):
                v = 0.0
            t = self.buf[0] - shift
            self.t1 -= t
            t *= t
            self.t2 -= t
        else:
            t = oldest - self.shift
            self.t1 = nt1 - t
            self.t2 = nt2 - t * t
            self.peak = npeak
            self.since -= 1
        return v


class _BbandsS:
    outputs = ("upperband", "middleband", "lowerband")

    def __init__(self, timeperiod: int, nbdevup: float, nbdevdn: float, matype: int) -> None:
        if matype not in (0, 11):
            raise BadRequest("streaming bbands supports matype 0 (SMA) only; "
                             f"got matype={matype}")
        self.up, self.dn = nbdevup, nbdevdn
        self.mean = _SMA(timeperiod)
        self.var = _Var(timeperiod)

    def step(self, close: float) -> tuple[float, ...]:
        mean = self.mean.update(close)
        v = self.var.update(close)
        if mean != mean and v != v:
            return (NAN, NAN, NAN)
        sd = (math.sqrt(v) if v > 0.0 else 0.0) if v == v else v
        if self.up == self.dn:
            t = sd * self.up
            return (mean + t, mean, mean - t)
        return (mean + sd * self.up, mean, mean - sd * self.dn)


class _AtrS:
    outputs = ("atr",)

    def __init__(self, timeperiod: int) -> None:
        self.p = timeperiod
        self.prev_close = NAN
        self.n = -1
        self.acc = 0.0
        self.val = NAN
        self.beta = (timeperiod - 1) / timeperiod
        self.alpha = 1.0 - self.beta

    def step(self, high: float, low: float, close: float) -> tuple[float, ...]:
        self.n += 1
        pc, self.prev_close = self.prev_close, close
        if self.n == 0:
            return (NAN,)
        tr = _tr(high, low, pc)
        if self.p == 1:
            return (tr,)
        if self.n < self.p:
            self.acc += tr
            return (NAN,)
        if self.n == self.p:
            self.acc += tr
            self.val = self.acc / self.p
        else:
            self.val = self.beta * self.val + self.alpha * tr
        return (self.val,)


class _AdxS:
    outputs = ("adx",)

    def __init__(self, timeperiod: int) -> None:
        self.p = timeperiod
        self.n = -1
        self.ph = self.pl = self.pc = NAN
        self.pp = self.pm = self.ptr = 0.0
        self.sum_dx = 0.0
        self.adx = NAN

    def step(self, high: float, low: float, close: float) -> tuple[float, ...]:
        self.n += 1
        p = self.p
        if self.n == 0:
            self.ph, self.pl, self.pc = high, low, close
            return (NAN,)
        diff_p = high - self.ph
        diff_m = self.pl - low
        plus = diff_p if (diff_p > 0 and diff_p > diff_m) else 0.0
        minus = diff_m if (diff_m > 0 and diff_p < diff_m) else 0.0
        tr = _tr(high, low, self.pc)
        self.ph, self.pl, self.pc = high, low, close
        if self.n < p:
            self.pp += plus
            self.pm += minus
            self.ptr += tr
            return (NAN,)
        self.pp = self.pp - self.pp / p + plus
        self.pm = self.pm - self.pm / p + minus
        self.ptr = self.ptr - self.ptr / p + tr
        dx = NAN
        if self.ptr != 0.0:
            mdi = 100.0 * (self.pm / self.ptr)
            pdi = 100.0 * (self.pp / self.ptr)
            t = mdi + pdi
            if t != 0.0:
                dx = 100.0 * (abs(mdi - pdi) / t)
        loops = self.n - p + 1
        if loops <= p:
            if dx == dx:
                self.sum_dx += dx
            if loops == p:
                self.adx = self.sum_dx / p
                return (self.adx,)
            return (NAN,)
        if dx == dx:
            self.adx = (self.adx * (p - 1) + dx) / p
        return (self.adx,)


class _StochS:
    outputs = ("slowk", "slowd")

    def __init__(self, fastk_period: int, slowk_period: int, slowk_matype: int,
                 slowd_period: int, slowd_matype: int) -> None:
        self.fk = _FastK(fastk_period)
        self.k = _ma_stream(slowk_period, slowk_matype)
        self.d = _ma_stream(slowd_period, slowd_matype)
        # bars until each stage publishes (NaN inputs do not shift the schedule)
        self.lb_k = fastk_period - 1
        self.lb_sk = self.lb_k + (0 if slowk_period == 1 or slowk_matype == 10
                                  else slowk_period - 1)
        self.lb = self.lb_sk + (0 if slowd_period == 1 or slowd_matype == 10
                                else slowd_period - 1)
        self.n = -1

    def step(self, high: float, low: float, close: float) -> tuple[float, ...]:
        self.n += 1
        fk = self.fk.update(high, low, close)
        if self.n < self.lb_k:
            return (NAN, NAN)
        sk = self.k.update(fk)
        if self.n < self.lb_sk:
            return (NAN, NAN)
        sd = self.d.update(sk)
        if self.n < self.lb:
            return (NAN, NAN)
        return (sk, sd)


class _ObvS:
    outputs = ("obv",)

    def __init__(self) -> None:
        self.obv = NAN
        self.prev = NAN

    def step(self, close: float, volume: float) -> tuple[float, ...]:
        if self.obv != self.obv and self.prev != self.prev:
            self.obv = volume
        elif close > self.prev:
            self.obv += volume
        elif close < self.prev:
            self.obv -= volume
        self.prev = close
        return (self.obv,)


class _VwapS:
    outputs = ("vwap",)

    def __init__(self) -> None:
        self.spv = 0.0
        self.sv = 0.0
        self.vwap = 0.0

    def step(self, high: float, low: float, close: float, volume: float) -> tuple[float, ...]:
        tp = (high + low + close) / 3.0
        if math.isfinite(tp) and math.isfinite(volume):
            self.spv += tp * volume
            self.sv += volume
        if self.sv > 0.0:
            self.vwap = self.spv / self.sv
        return (self.vwap,)


class _SupertrendS:
    outputs = ("supertrend", "trend")

    def __init__(self, timeperiod: int, multiplier: float) -> None:
        self.atr = _AtrS(timeperiod)
        self.p = timeperiod
        self.mult = multiplier
        self.n = -1
        self.fu = self.fl = self.prev_close = NAN
        self.up = True

    def step(self, high: float, low: float, close: float) -> tuple[float, ...]:
        self.n += 1
        (a,) = self.atr.step(high, low, close)
        if self.n < self.p:
            return (NAN, NAN)
        mp = (high + low) / 2.0
        band = self.mult * a
        bu, bl = mp + band, mp - band
        if self.n == self.p:
            self.fu, self.fl, self.up = bu, bl, True
        else:
            if bu < self.fu or self.prev_close > self.fu:
                self.fu = bu
            if bl > self.fl or self.prev_close < self.fl:
                self.fl = bl
            if self.up:
                if close < self.fl:
                    self.up = False
            elif close > self.fu:
                self.up = True
        self.prev_close = close
        return (self.fl, 1.0) if self.up else (self.fu, -1.0)


_STREAMS: dict[str, Callable[..., Any]] = {
    "sma": _SmaS, "ema": _EmaS, "wma": _WmaS, "rma": _RmaS, "rsi": _RsiS, "macd": _MacdS,
    "bbands": _BbandsS, "atr": _AtrS, "adx": _AdxS, "stoch": _StochS, "obv": _ObvS,
    "vwap": _VwapS, "supertrend": _SupertrendS,
}


def streaming_names() -> list[str]:
    """Return the indicators that have a streaming form (their spec says streaming=True)."""
    return sorted(_STREAMS)


class IndicatorStream:
    """One indicator fed bar by bar; see the module docstring."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.spec = get_spec(name)
        self.params = self.spec.resolve(params)
        self._impl = _STREAMS[self.spec.name](**self.params)
        self._started = False
        self.bars = 0

    def update(self, **bar: float) -> dict[str, float]:
        """Feed one bar and return this bar's outputs (NaN while warming up)."""
        values = []
        for k in self.spec.inputs:
            if k not in bar:
                raise BadRequest(f"{self.spec.name}: bar is missing {k!r}; "
                                 f"this indicator needs {', '.join(self.spec.inputs)}")
            v = bar[k]
            if isinstance(v, bool) or not isinstance(v, int | float):
                try:
                    v = float(v)
                except (TypeError, ValueError):
                    raise BadRequest(f"{self.spec.name}: {k}={bar[k]!r} is not a number") from None
            v = float(v)
            if v != v:
                pass
            elif not math.isfinite(v):
                raise BadRequest(f"{self.spec.name}: {k}={v} is not finite; "
                                 "only NaN (a missing bar) is accepted")
            values.append(v)
        self.bars += 1
        if not self._started:
            if any(v != v for v in values):
                return {o: NAN for o in self.spec.outputs}
            self._started = True
        out = self._impl.step(*values)
        return dict(zip(self.spec.outputs, out, strict=True))


def stream(name: str, **params: Any) -> IndicatorStream:
    """Return a live-bar stream of indicator ``name`` (O(1) work and state per bar).

    Raises `BadRequest` for an unknown name, bad parameters, or an indicator without a
    streaming form (``get_spec(name).streaming`` is False).
    """
    spec = get_spec(name)
    if spec.name not in _STREAMS:
        raise BadRequest(
            f"{spec.name} has no streaming form; streaming indicators: "
            f"{', '.join(streaming_names())}. Recompute it with compute() on the history"
        )
    return IndicatorStream(spec.name, params)
