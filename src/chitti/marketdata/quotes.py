"""Quotes for watchlists: each symbol's last daily bar, its move on the day and a sparkline of
its last closes. Pure: adjusted bars in, numbers out.

The bars are the last :data:`SPARK_BARS` of each series as
:func:`~chitti.marketdata.store.latest_bars` reads and adjusts them: the same days of the
whole series as ``GET /api/market/{symbol}/ohlcv`` gives them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from chitti.marketdata.adjust import Adjust
from chitti.marketdata.series import Bars, change_pct

__all__ = ["SPARK_BARS", "quote", "quotes"]

#: Closes in a quote's sparkline (about six weeks of sessions).
SPARK_BARS = 30


def quote(bars: Bars) -> dict[str, Any]:
    """The quote of the last of ``bars`` (adjusted already); the sparkline is the last
    :data:`SPARK_BARS` closes. ``prev_close``, ``change`` and ``change_pct`` (see
    :func:`~chitti.marketdata.series.change_pct`) are None when there is a single bar.
    """
    close = bars.close[-SPARK_BARS:]
    last = float(close[-1])
    prev = float(close[-2]) if close.size > 1 else None
    return {
        "symbol": bars.symbol,
        "last_date": str(bars.ts[-1]),
        "close": last,
        "prev_close": prev,
        "change": None if prev is None else last - prev,
        "change_pct": change_pct(last, prev),
        "volume": int(bars.volume[-1]),
        "spark": close.tolist(),
    }


def quotes(symbols: Iterable[str], bars: Mapping[str, Bars], listed: Collection[str],
           adjust: Adjust) -> dict[str, Any]:
    """Quotes of ``symbols`` with ``bars`` (adjusted by ``adjust``), in order and repeats
    dropped; the others named in ``unknown`` (neither ``listed`` in the symbol master nor
    with bars) or ``missing`` (listed, but no bars stored)."""
    found: list[dict[str, Any]] = []
    unknown: list[str] = []
    missing: list[str] = []
    for symbol in dict.fromkeys(symbols):
        if symbol in bars:
            found.append(quote(bars[symbol]))
        else:
            (missing if symbol in listed else unknown).append(symbol)
    return {"adjust": adjust, "quotes": found, "unknown": unknown, "missing": missing}
