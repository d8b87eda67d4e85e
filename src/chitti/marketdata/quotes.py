"""Quotes for watchlists: each symbol's last daily bar, its move on the day and a sparkline of
its last closes. Pure: the tail of a stored series and its corporate actions in, numbers out.

The tail is adjusted the way a whole series is (:func:`~chitti.marketdata.adjust.
adjustment_factors`). An action reaches only the bars before its ex-date, so the actions with
an ex-date after the tail's first bar give the tail exactly the factors those bars carry in
the whole series: a quote equals the same days of ``GET /api/market/{symbol}/ohlcv``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chitti.marketdata.adjust import Adjust, PricedAction, adjustment_factors

__all__ = ["SPARK_BARS", "SeriesTail", "quote", "quotes"]

#: Closes in a quote's sparkline (about six weeks of sessions).
SPARK_BARS = 30


@dataclass(frozen=True)
class SeriesTail:
    """The last daily bars of one requested symbol as printed, and the actions that adjust
    them (those with an ex-date after ``ts[0]``; none when there are no bars)."""

    symbol: str
    #: in the symbol master (``md.symbols``)
    listed: bool
    #: bar days, ascending ``datetime64[D]``
    ts: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    actions: tuple[PricedAction, ...] = ()


def quote(tail: SeriesTail, adjust: Adjust) -> dict[str, Any]:
    """The quote of a tail with at least one bar, prices and volume adjusted by ``adjust``.

    ``change_pct`` is ``close / prev_close - 1`` in percent (pandas' ``pct_change`` x 100);
    ``prev_close``, ``change`` and ``change_pct`` are None when the tail has a single bar.
    """
    if tail.ts.size == 0:
        raise ValueError(f"{tail.symbol}: a quote needs at least one bar")
    price, volume_factor, _ = adjustment_factors(tail.ts, list(tail.actions), adjust)
    # As apply_adjustment: prices times the factor, volumes rounded to whole shares.
    close = tail.close * price
    volume = np.rint(tail.volume * volume_factor).astype(np.int64)
    last = float(close[-1])
    prev = float(close[-2]) if close.size > 1 else None
    return {
        "symbol": tail.symbol,
        "last_date": str(tail.ts[-1]),
        "close": last,
        "prev_close": prev,
        "change": None if prev is None else last - prev,
        "change_pct": None if prev is None else (last / prev - 1) * 100,
        "volume": int(volume[-1]),
        "spark": close[-SPARK_BARS:].tolist(),
    }


def quotes(tails: Iterable[SeriesTail], adjust: Adjust) -> dict[str, Any]:
    """Quotes of the tails with bars, in order; the others named in ``unknown`` (not in the
    symbol master and no bars) or ``missing`` (listed, but no bars stored)."""
    found: list[dict[str, Any]] = []
    unknown: list[str] = []
    missing: list[str] = []
    for tail in tails:
        if tail.ts.size:
            found.append(quote(tail, adjust))
        else:
            (missing if tail.listed else unknown).append(tail.symbol)
    return {"adjust": adjust, "quotes": found, "unknown": unknown, "missing": missing}
