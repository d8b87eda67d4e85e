"""Cross-sectional reads for screens: the members of an index, and the last N daily bars of
many symbols in one query.

``latest_bars`` is the read of a screen: one backwards index probe per symbol (``LIMIT N`` on
the primary key) rather than a date range, so a symbol whose bars stopped early still has its
own last N bars, and a NIFTY 500 screen reads 500 x N rows (125,000 at N = 250; all their
history would be 20 times that). Each symbol's bars travel as arrays and days as integers:
decoding 125,000 rows of dates and floats would cost more than the query.

Bars are adjusted exactly as :func:`chitti.marketdata.store.fetch_bars` adjusts them (the same
actions, the same :func:`~chitti.marketdata.adjust.apply_adjustment`), except that the closes
pricing a rights issue, a demerger or a dividend are taken from the bars read (only actions
after the first of them matter, and their closes are among them) rather than looked up per
action, and a symbol's history under its former names counts as it does there (a name's bars
dated from its rename on are not the symbol's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from psycopg import AsyncConnection
from psycopg.rows import tuple_row

from chitti.marketdata.adjust import Adjust, PricedAction, apply_adjustment
from chitti.marketdata.series import Bars
from chitti.marketdata.store import _NAMES, _has_renames, _records

__all__ = ["index_members", "latest_bars"]

_MEMBERS = "SELECT symbol FROM md.symbols WHERE %(index)s = ANY (indices) ORDER BY symbol"

# One row per symbol with bars: its last N bars as arrays, oldest first (arrays decode in C:
# 500 rows of arrays cost a third of 125,000 rows of scalars).
_COLUMNS = """
    array_agg(t.ts - DATE '1970-01-01' ORDER BY t.ts) AS day,
    array_agg(t.open ORDER BY t.ts) AS open, array_agg(t.high ORDER BY t.ts) AS high,
    array_agg(t.low ORDER BY t.ts) AS low, array_agg(t.close ORDER BY t.ts) AS close,
    array_agg(t.volume ORDER BY t.ts) AS volume
"""

_LATEST = """
    SELECT s.symbol, l.* FROM unnest(%(symbols)s::text[]) AS s(symbol) CROSS JOIN LATERAL (
        SELECT """ + _COLUMNS + """ FROM (
            SELECT e.ts, e.open, e.high, e.low, e.close, e.volume FROM md.eod_prices e
            WHERE e.symbol = s.symbol ORDER BY e.ts DESC LIMIT %(bars)s) t) l
    WHERE l.day IS NOT NULL
"""  # noqa: S608 (constant text)

# With renames: each name's own last N bars (a probe each), the symbol's bars among them
# (one bar a day, the newest name's), then the symbol's last N.
_LATEST_NAMED = _NAMES + """
    SELECT t.wanted, """ + _COLUMNS + """ FROM (
        SELECT r.* FROM (
            SELECT d.*, row_number() OVER (PARTITION BY d.wanted ORDER BY d.ts DESC) AS age
            FROM (SELECT DISTINCT ON (n.wanted, e.ts) n.wanted, e.ts, e.open, e.high, e.low,
                         e.close, e.volume
                  FROM names n CROSS JOIN LATERAL (
                      SELECT p.ts, p.open, p.high, p.low, p.close, p.volume
                      FROM md.eod_prices p WHERE p.symbol = n.stored AND p.ts < n.before
                      ORDER BY p.ts DESC LIMIT %(bars)s) e
                  ORDER BY n.wanted, e.ts, n.before DESC) d) r
        WHERE r.age <= %(bars)s) t
    GROUP BY t.wanted
"""  # noqa: S608 (constant text)

# The actions of every name with an ex-date after `since` (only those adjust the bars read),
# as store._ACTIONS selects them; the closes that price them are read from the bars.
_ACTIONS_SINCE = _NAMES + """
    SELECT DISTINCT ON (n.wanted, a.ex_date, a.purpose, a.part)
           n.wanted, a.ex_date, a.kind, a.purpose, a.ratio_num, a.ratio_den, a.amount
    FROM names n JOIN md.corporate_actions a ON a.symbol = n.stored AND a.ex_date < n.before
    WHERE a.kind <> 'other' AND a.ex_date > %(since)s
    ORDER BY n.wanted, a.ex_date, a.purpose, a.part, n.before DESC
"""  # noqa: S608 (constant text)


async def index_members(conn: AsyncConnection[Any], index: str) -> list[str]:
    """Return the symbols of ``index`` (``"NIFTY 50"``) in the symbol master, sorted."""
    return [row["symbol"] for row in await _records(conn, _MEMBERS, {"index": index})]


async def latest_bars(conn: AsyncConnection[Any], symbols: Sequence[str], count: int, *,
                      adjust: Adjust = "split") -> dict[str, Bars]:
    """Return the last ``count`` daily bars of each symbol (all of them when it has fewer),
    adjusted by ``adjust``; symbols without bars are absent, the others in the order of
    ``symbols``."""
    if not symbols or count < 1:
        return {}
    params: dict[str, Any] = {"symbols": list(symbols), "bars": count}
    query = _LATEST_NAMED if await _has_renames(conn, symbols) else _LATEST
    cur = conn.cursor(binary=True, row_factory=tuple_row)
    await cur.execute(query, params)
    rows = await cur.fetchall()
    if not rows:
        return {}
    actions: dict[str, list[dict[str, Any]]] = {}
    if adjust != "none":  # the actions after the earliest bar read
        since = np.datetime64(min(row[1][0] for row in rows), "D").item()
        for item in await _records(conn, _ACTIONS_SINCE, {**params, "since": since}):
            actions.setdefault(item.pop("wanted"), []).append(item)
    found: dict[str, Bars] = {}
    for symbol, day, *columns in rows:
        days = np.asarray(day, dtype=np.int64).astype("datetime64[D]")
        block = {name: np.asarray(values, dtype=np.float64)
                 for name, values in zip(("open", "high", "low", "close"), columns, strict=False)}
        block["volume"] = np.asarray(columns[4], dtype=np.int64)
        if symbol in actions:
            priced = _priced(actions[symbol], days, block["close"])
            block, _ = apply_adjustment(block, days, priced, adjust)
        found[symbol] = Bars(ts=days, open=block["open"], high=block["high"],
                             low=block["low"], close=block["close"], volume=block["volume"],
                             symbol=symbol)
    return {symbol: found[symbol] for symbol in symbols if symbol in found}


def _priced(actions: list[dict[str, Any]], days: np.ndarray,
            close: np.ndarray) -> list[PricedAction]:
    # The closes store._ACTIONS looks up: the last one before the ex-date and the ex-date's
    # own. Both are among the bars read when the ex-date is after the first of them; an
    # earlier action adjusts none of them (it goes unpriced, and so unapplied).
    out = []
    for item in actions:
        ex = np.datetime64(item["ex_date"], "D")
        before = int(np.searchsorted(days, ex))  # bars dated before the ex-date
        on = before < days.size and days[before] == ex
        out.append(PricedAction(**item, close_before=float(close[before - 1]) if before else None,
                                close_on=float(close[before]) if on else None))
    return out
