"""OHLCV bars of one instrument: the one shape in which prices reach indicators, backtests
and signal rules (read from the database by ``chitti.marketdata.store.fetch_bars``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from chitti.errors import BadRequest

_PRICE_FIELDS = ("open", "high", "low", "close")


@dataclass(frozen=True, eq=False)
class Bars:
    """Daily (or finer) OHLCV bars of one instrument, oldest first.

    ``ts`` is ``datetime64`` (``[D]`` for end-of-day data), strictly increasing. Prices are
    float64 rupees and must be finite and positive; ``volume`` may be all zeros (indices).
    The arrays are converted to contiguous float64 copies and made read-only, so a ``Bars``
    can be shared between runs without defensive copies.

    ``warmup`` counts the leading bars that come before the range a caller asked for: they
    are there so that indicators start the range with values (SMA(50) asked for April has
    its 49 earlier closes). Indicators read them; backtests trade and report, and rules
    alert, only from bar ``warmup`` on.
    """

    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    symbol: str = field(default="")
    warmup: int = field(default=0)

    def __post_init__(self) -> None:
        ts = np.asarray(self.ts)
        if not np.issubdtype(ts.dtype, np.datetime64):
            try:
                ts = ts.astype("datetime64[D]")
            except (TypeError, ValueError) as exc:
                raise BadRequest(f"bars.ts: expected dates (datetime64), got {ts.dtype}") from exc
        n = ts.shape[0]
        object.__setattr__(self, "ts", _frozen(ts))
        for name in (*_PRICE_FIELDS, "volume"):
            arr = np.ascontiguousarray(np.asarray(getattr(self, name), dtype=np.float64))
            if arr.ndim != 1 or arr.shape[0] != n:
                raise BadRequest(
                    f"bars.{name}: length {arr.shape[0] if arr.ndim else 0} differs from "
                    f"bars.ts length {n}; every column needs one value per bar"
                )
            object.__setattr__(self, name, _frozen(arr))
        self._check()

    def _check(self) -> None:
        label = f"{self.symbol}: " if self.symbol else ""
        if len(self) == 0:
            raise BadRequest(f"{label}bars: no bars; load market data for the range first")
        for name in _PRICE_FIELDS:
            arr = getattr(self, name)
            bad = ~np.isfinite(arr) | (arr <= 0.0)
            if bad.any():
                first = int(np.argmax(bad))
                raise BadRequest(
                    f"{label}bars.{name}: {int(bad.sum())} missing or non-positive values "
                    f"(first at {self.ts[first]}); drop or repair those bars first"
                )
        if (self.high < np.maximum(self.open, self.close) - 1e-9).any() or (
            self.low > np.minimum(self.open, self.close) + 1e-9
        ).any():
            bad = (self.high < np.maximum(self.open, self.close) - 1e-9) | (
                self.low > np.minimum(self.open, self.close) + 1e-9
            )
            first = int(np.argmax(bad))
            raise BadRequest(
                f"{label}bars.high/low: {int(bad.sum())} bars where high/low do not contain "
                f"open/close (first at {self.ts[first]}); the stop logic needs a valid range"
            )
        if len(self) > 1 and not (np.diff(self.ts.astype("int64")) > 0).all():
            raise BadRequest(f"{label}bars.ts: timestamps must be strictly increasing")
        if not 0 <= self.warmup < len(self):
            raise BadRequest(f"{label}bars.warmup: {self.warmup} warm-up bars leave none of "
                             f"the {len(self)} bars to work on")

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def slice(self, start: int, stop: int) -> Bars:
        """Return bars ``[start, stop)`` (positions, not dates), without warm-up."""
        return Bars(
            ts=self.ts[start:stop], open=self.open[start:stop], high=self.high[start:stop],
            low=self.low[start:stop], close=self.close[start:stop],
            volume=self.volume[start:stop], symbol=self.symbol,
        )

    @property
    def first_ts(self) -> np.datetime64:
        """The first bar of the asked-for range (after the warm-up)."""
        return np.datetime64(self.ts[self.warmup])


def change_pct(close: float, prev: float | None) -> float | None:
    """Return the move from ``prev`` to ``close`` in percent, ``100 x (close / prev - 1)``
    (pandas' ``pct_change`` x 100): a day's change in quotes and screens. None without a
    previous close, or when the move is not a finite number (a zero previous close)."""
    if prev is None or prev == 0:
        return None
    change = 100.0 * (close / prev - 1.0)
    return change if math.isfinite(change) else None


def _frozen(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out
