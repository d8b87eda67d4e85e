"""Bars of a whole universe on one calendar: the shape features, models, portfolios and risk
read prices in (one symbol's bars are :class:`chitti.marketdata.series.Bars`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from chitti.errors import BadRequest
from chitti.marketdata.series import Bars

_FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, eq=False)
class PricePanel:
    """Daily OHLCV of several symbols aligned on the union of their trading days.

    ``dates`` is ``datetime64[D]``, strictly increasing. Each price field is a float64 array
    of shape ``(len(dates), len(symbols))`` holding NaN where a symbol has no bar that day
    (before its listing, after its delisting, or a gap): nothing is forward-filled, so a
    computation can tell a missing day from a flat one. ``benchmark`` is the benchmark's
    close (NIFTY 50) on the same dates, NaN where it has no bar. ``sectors`` gives each
    symbol's sector (None where unknown). Arrays are read-only so a panel can be shared.
    """

    dates: np.ndarray
    symbols: tuple[str, ...]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    benchmark: np.ndarray | None = None
    sectors: tuple[str | None, ...] | None = None

    def __post_init__(self) -> None:
        dates = np.asarray(self.dates).astype("datetime64[D]")
        shape = (dates.shape[0], len(self.symbols))
        if len(set(self.symbols)) != len(self.symbols):
            raise BadRequest("symbols: each symbol may appear once")
        if dates.size > 1 and not (np.diff(dates.astype("int64")) > 0).all():
            raise BadRequest("dates: must be strictly increasing")
        object.__setattr__(self, "dates", _frozen(dates))
        for name in _FIELDS:
            arr = np.ascontiguousarray(np.asarray(getattr(self, name), dtype=np.float64))
            if arr.shape != shape:
                raise BadRequest(f"{name}: shape {arr.shape} differs from (dates, symbols) "
                                 f"{shape}")
            object.__setattr__(self, name, _frozen(arr))
        if self.benchmark is not None:
            bench = np.ascontiguousarray(np.asarray(self.benchmark, dtype=np.float64))
            if bench.shape != shape[:1]:
                raise BadRequest(f"benchmark: {bench.shape[0]} values for {shape[0]} dates")
            object.__setattr__(self, "benchmark", _frozen(bench))
        if self.sectors is not None and len(self.sectors) != len(self.symbols):
            raise BadRequest(f"sectors: {len(self.sectors)} for {len(self.symbols)} symbols")

    @classmethod
    def from_bars(cls, bars: Mapping[str, Bars], *, benchmark: Bars | None = None,
                  sectors: Mapping[str, str | None] | None = None) -> PricePanel:
        """Align ``bars`` (warm-up bars included) on the union of their dates."""
        if not bars:
            raise BadRequest("symbols: give at least one symbol with bars")
        dates = np.unique(np.concatenate([b.ts.astype("datetime64[D]") for b in bars.values()]))
        columns = {name: np.full((dates.size, len(bars)), np.nan) for name in _FIELDS}
        for j, one in enumerate(bars.values()):
            rows = np.searchsorted(dates, one.ts.astype("datetime64[D]"))
            for name in _FIELDS:
                columns[name][rows, j] = getattr(one, name)
        bench = None
        if benchmark is not None:
            bench = _on_dates(dates, benchmark.ts.astype("datetime64[D]"), benchmark.close)
        return cls(dates=dates, symbols=tuple(bars), benchmark=bench,
                   sectors=None if sectors is None else tuple(sectors.get(s) for s in bars),
                   **columns)

    def select(self, rows: slice | Sequence[int] | np.ndarray) -> PricePanel:
        """The panel on a subset of its dates (positions), e.g. ``panel.select(slice(0, t+1))``."""
        pick = np.arange(self.dates.size)[rows]
        return PricePanel(
            dates=self.dates[pick], symbols=self.symbols,
            **{name: getattr(self, name)[pick] for name in _FIELDS},
            benchmark=None if self.benchmark is None else self.benchmark[pick],
            sectors=self.sectors)


def _on_dates(dates: np.ndarray, ts: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(dates.size, np.nan)
    pos = np.searchsorted(dates, ts)
    hit = (pos < dates.size) & (dates[np.minimum(pos, dates.size - 1)] == ts)
    out[pos[hit]] = values[hit]
    return out


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, copy=True)
    arr.flags.writeable = False
    return arr
