"""SQL for market data (``md`` schema): bulk loads with COPY, and the queries services need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from psycopg import AsyncConnection, Connection

from chitti.marketdata.bars import Bar
from chitti.marketdata.symbols import SymbolRow


@dataclass(frozen=True)
class LoadCounts:
    inserted: int
    updated: int
    unchanged: int


def upsert_bars(conn: Connection[Any], bars: Sequence[Bar]) -> LoadCounts:
    """COPY bars into a staging table, then merge: new rows inserted, changed rows updated.

    Loading the same file twice changes nothing (the second load reports all unchanged).
    """
    with conn.transaction():
        conn.execute(
            "CREATE TEMP TABLE eod_stage (LIKE md.eod_prices INCLUDING DEFAULTS) ON COMMIT DROP")
        with conn.cursor().copy(
            "COPY eod_stage (symbol, ts, open, high, low, close, volume) FROM STDIN"
        ) as copy:
            for bar in bars:
                copy.write_row((bar.symbol, bar.ts, bar.open, bar.high, bar.low, bar.close,
                                bar.volume))
        row = conn.execute(
            """
            WITH merged AS (
                INSERT INTO md.eod_prices AS p (symbol, ts, open, high, low, close, volume)
                SELECT symbol, ts, open, high, low, close, volume FROM eod_stage
                ON CONFLICT (symbol, ts) DO UPDATE
                    SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
                        close = EXCLUDED.close, volume = EXCLUDED.volume
                    WHERE (p.open, p.high, p.low, p.close, p.volume)
                          IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low,
                                            EXCLUDED.close, EXCLUDED.volume)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
            FROM merged
            """
        ).fetchone()
    inserted, updated = (int(row[0]), int(row[1])) if row else (0, 0)
    return LoadCounts(inserted, updated, len(bars) - inserted - updated)


def upsert_symbols(conn: Connection[Any], rows: Sequence[SymbolRow]) -> LoadCounts:
    """Insert or refresh the symbol master (idempotent)."""
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE symbols_stage (LIKE md.symbols INCLUDING DEFAULTS)"
                     " ON COMMIT DROP")
        with conn.cursor().copy(
            "COPY symbols_stage (symbol, name, isin, series, listed_on, sector, indices)"
            " FROM STDIN"
        ) as copy:
            for r in rows:
                copy.write_row((r.symbol, r.name, r.isin, r.series, r.listed_on, r.sector,
                                r.indices))
        row = conn.execute(
            """
            WITH merged AS (
                INSERT INTO md.symbols AS s (symbol, name, isin, series, listed_on, sector,
                                             indices)
                SELECT symbol, name, isin, series, listed_on, sector, indices FROM symbols_stage
                ON CONFLICT (symbol) DO UPDATE
                    SET name = EXCLUDED.name, isin = EXCLUDED.isin, series = EXCLUDED.series,
                        listed_on = EXCLUDED.listed_on, sector = EXCLUDED.sector,
                        indices = EXCLUDED.indices, updated_at = now()
                    WHERE (s.name, s.isin, s.series, s.listed_on, s.sector, s.indices)
                          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.isin, EXCLUDED.series,
                                            EXCLUDED.listed_on, EXCLUDED.sector,
                                            EXCLUDED.indices)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
            FROM merged
            """
        ).fetchone()
    inserted, updated = (int(row[0]), int(row[1])) if row else (0, 0)
    return LoadCounts(inserted, updated, len(rows) - inserted - updated)


async def fetch_ohlcv(
    conn: AsyncConnection[Any], symbol: str, start: date | None, end: date | None
) -> dict[str, np.ndarray]:
    """Daily bars of ``symbol`` in [start, end] as column arrays (ts as ISO date strings)."""
    panel = await fetch_panel(conn, [symbol], start, end)
    if symbol in panel:
        return panel[symbol]
    return {name: np.empty(0) for name in ("ts", "open", "high", "low", "close", "volume")}


async def symbol_exists(conn: AsyncConnection[Any], symbol: str) -> bool:
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM md.symbols WHERE symbol = %s)"
        " OR EXISTS (SELECT 1 FROM md.eod_prices WHERE symbol = %s) AS found", (symbol, symbol))
    row = await cur.fetchone()
    return bool(row and (row["found"] if isinstance(row, dict) else row[0]))


async def list_symbols(
    conn: AsyncConnection[Any], *, query: str | None, index: str | None, with_prices: bool,
    limit: int, offset: int,
) -> list[dict[str, Any]]:
    """Symbols matching a prefix/name search and index membership, with their price range."""
    cur = await conn.execute(
        """
        SELECT s.symbol, s.name, s.isin, s.sector, s.indices,
               p.first_date, p.last_date, coalesce(p.bar_count, 0) AS bar_count
        FROM md.symbols s
        LEFT JOIN LATERAL (
            SELECT min(ts) AS first_date, max(ts) AS last_date, count(*) AS bar_count
            FROM md.eod_prices e WHERE e.symbol = s.symbol) p ON true
        WHERE (%(q)s::text IS NULL OR s.symbol ILIKE %(q)s || '%%'
               OR s.name ILIKE '%%' || %(q)s || '%%')
          AND (%(index)s::text IS NULL OR %(index)s = ANY (s.indices))
          AND (NOT %(with_prices)s OR p.bar_count > 0)
        ORDER BY s.symbol LIMIT %(limit)s OFFSET %(offset)s
        """,
        {"q": query, "index": index, "with_prices": with_prices, "limit": limit,
         "offset": offset},
    )
    rows = await cur.fetchall()
    out = []
    for row in rows:
        item = dict(row)
        for key in ("first_date", "last_date"):
            item[key] = item[key].isoformat() if item[key] else None
        out.append(item)
    return out


async def fetch_panel(
    conn: AsyncConnection[Any], symbols: Sequence[str], start: date | None, end: date | None
) -> dict[str, dict[str, np.ndarray]]:
    """Daily bars of several symbols in one query: ``{symbol: column arrays}``.

    Symbols without bars in the range are absent from the result.
    """
    cur = conn.cursor(binary=True)
    await cur.execute(
        "SELECT symbol, ts, open, high, low, close, volume FROM md.eod_prices"
        " WHERE symbol = ANY(%s) AND ts >= coalesce(%s::date, '-infinity')"
        " AND ts <= coalesce(%s::date, 'infinity') ORDER BY symbol, ts",
        (list(symbols), start, end),
    )
    rows = await cur.fetchall()
    if not rows:
        return {}
    if isinstance(rows[0], dict):
        rows = [tuple(r.values()) for r in rows]
    sym, ts, o, h, lo, c, v = zip(*rows, strict=True)
    symbol_arr = np.asarray(sym)
    starts = np.flatnonzero(np.r_[True, symbol_arr[1:] != symbol_arr[:-1]])
    bounds = np.r_[starts, len(rows)]
    columns = {
        "open": np.asarray(o, dtype=np.float64), "high": np.asarray(h, dtype=np.float64),
        "low": np.asarray(lo, dtype=np.float64), "close": np.asarray(c, dtype=np.float64),
        "volume": np.asarray(v, dtype=np.int64),
    }
    out: dict[str, dict[str, np.ndarray]] = {}
    for i, j in zip(bounds[:-1], bounds[1:], strict=True):
        block = {name: arr[i:j] for name, arr in columns.items()}
        block["ts"] = np.array([d.isoformat() for d in ts[i:j]])
        out[str(symbol_arr[i])] = block
    return out
