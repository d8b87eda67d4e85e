"""What a feature block reads: the symbols' own bars, or the calendar with earlier features.

`BarContext` holds each symbol's bars packed to the left of a (symbols, bars) array (row j:
symbol j's bars in date order, NaN padding after its last bar), so every time-series kernel
runs on gap-free rows and a window of ``w`` means the symbol's last ``w`` bars. Shared
intermediates (log returns, indicator outputs) are computed once per panel call and cached.
`DateContext` is the calendar view (dates, symbols) for calendar, cross-sectional and news
features.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.indicators import compute_panel

T = TypeVar("T")


@dataclass
class BarContext:
    """Each symbol's bars, packed (see the module docstring); all arrays (symbols, bars)."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    #: the benchmark's last close at or before each bar's date (None without a benchmark)
    benchmark: np.ndarray | None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def cached(self, key: Any, make: Callable[[], T]) -> T:
        """Return ``make()``, computed once per context under ``key``."""
        if key not in self._cache:
            self._cache[key] = make()
        out: T = self._cache[key]
        return out

    def log_close(self) -> np.ndarray:
        """Natural log of the close."""
        return self.cached("log_close", lambda: np.log(self.close))

    def log_ret(self) -> np.ndarray:
        """Log return of each bar against the symbol's previous bar (NaN on its first)."""
        return self.cached("log_ret", lambda: lag_diff(self.log_close(), 1))

    def vol(self, n: int) -> np.ndarray:
        """Standard deviation (ddof 1) of the last ``n`` log returns."""
        return self.cached(("vol", n), lambda: k.rolling_std(self.log_ret(), n, 1))

    def simple_ret(self) -> np.ndarray:
        """Simple return of each bar against the symbol's previous bar."""
        return self.cached("ret", lambda: ratio(self.close, lag(self.close, 1)) - 1.0)

    def bench_ret(self) -> np.ndarray:
        """The benchmark's simple return over the same span as each bar's return."""
        bench = self.benchmark
        if bench is None:
            return np.full(self.close.shape, np.nan)
        return self.cached("bench_ret", lambda: ratio(bench, lag(bench, 1)) - 1.0)

    def rolling_mean(self, name: str, x: Callable[[], np.ndarray], w: int) -> np.ndarray:
        """Rolling mean of a named intermediate, cached by (name, w)."""
        return self.cached(("mean", name, w), lambda: k.rolling_mean(x(), w))

    def indicator(self, name: str, inputs: Sequence[str], **params: Any) -> dict[str, np.ndarray]:
        """Outputs of catalogue indicator ``name`` (TA-Lib-exact) on every symbol's bars."""
        key = ("ind", name, tuple(sorted(params.items())))
        arrays = {i: getattr(self, i) for i in inputs}
        return self.cached(key, lambda: compute_panel(name, arrays, **params))


@dataclass
class DateContext:
    """The calendar view: arrays (dates, symbols), NaN where a symbol has no bar."""

    dates: np.ndarray
    symbols: tuple[str, ...]
    has_bar: np.ndarray
    benchmark: np.ndarray | None
    sectors: tuple[str | None, ...] | None
    news: Any
    _features: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def feature(self, name: str) -> np.ndarray:
        """A feature already computed in this call (a dependency), (dates, symbols)."""
        return self._features[name]

    def add(self, name: str, values: np.ndarray) -> None:
        """Record a computed feature for the blocks that depend on it."""
        self._features[name] = values

    def on_bars(self, values: np.ndarray) -> np.ndarray:
        """Broadcast a per-date series (dates,) to (dates, symbols), NaN where no bar."""
        out = np.broadcast_to(values[:, None], self.has_bar.shape).copy()
        out[~self.has_bar] = np.nan
        return out


def lag(x: np.ndarray, n: int) -> np.ndarray:
    """``x`` shifted ``n`` bars later along axis 1 (NaN for the first ``n``)."""
    out = np.full(x.shape, np.nan)
    if n < x.shape[-1]:
        out[..., n:] = x[..., : x.shape[-1] - n]
    return out


def lag_diff(x: np.ndarray, n: int) -> np.ndarray:
    """``x - lag(x, n)``."""
    out: np.ndarray = x - lag(x, n)
    return out


def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` with NaN where ``b`` is zero (never inf): an undefined value is NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = np.where(b == 0, np.nan, a / b)
    return out
