"""SQL for market data (``md`` schema): bulk loads with COPY, and the queries services need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from psycopg import AsyncConnection, Connection, sql

from chitti.marketdata.bars import Bar
from chitti.marketdata.symbols import SymbolRow


@dataclass(frozen=True)
class LoadCounts:
    inserted: int
    updated: int
    unchanged: int


def _merge(conn: Connection[Any], table: str, keys: tuple[str, ...],
           columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]],
           touch: str | None = None) -> LoadCounts:
    """COPY ``rows`` into a staging table, then merge into ``table`` in one statement:
    new keys inserted, changed rows updated (``touch`` set to now()), equal rows left alone.

    Idempotent: merging the same rows twice reports them all unchanged the second time.
    """
    schema, name = table.split(".")
    stage = sql.Identifier(f"{name}_stage")
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    values = [c for c in columns if c not in keys]
    updates = [sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in values]
    if touch:
        updates.append(sql.SQL("{} = now()").format(sql.Identifier(touch)))
    merge = sql.SQL("""
        WITH merged AS (
            INSERT INTO {table} AS t ({cols}) SELECT {cols} FROM {stage}
            ON CONFLICT ({keys}) DO UPDATE SET {updates}
            WHERE ({old}) IS DISTINCT FROM ({new})
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
        FROM merged""").format(
        table=sql.Identifier(schema, name), cols=cols, stage=stage,
        keys=sql.SQL(", ").join(map(sql.Identifier, keys)),
        updates=sql.SQL(", ").join(updates),
        old=sql.SQL(", ").join(sql.Identifier("t", c) for c in values),
        new=sql.SQL(", ").join(sql.Identifier("excluded", c) for c in values))
    with conn.transaction():
        conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP")
                     .format(stage, sql.Identifier(schema, name)))
        with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols)) as copy:
            for row in rows:
                copy.write_row(row)
        counted = conn.execute(merge).fetchone()
    inserted, updated = (int(counted[0]), int(counted[1])) if counted else (0, 0)
    return LoadCounts(inserted, updated, len(rows) - inserted - updated)


def upsert_bars(conn: Connection[Any], bars: Sequence[Bar]) -> LoadCounts:
    """Merge daily bars into ``md.eod_prices`` (loading the same file twice changes nothing)."""
    return _merge(conn, "md.eod_prices", ("symbol", "ts"),
                  ("symbol", "ts", "open", "high", "low", "close", "volume"),
                  [(b.symbol, b.ts, b.open, b.high, b.low, b.close, b.volume) for b in bars])


def upsert_symbols(conn: Connection[Any], rows: Sequence[SymbolRow]) -> LoadCounts:
    """Insert or refresh the symbol master (idempotent)."""
    return _merge(conn, "md.symbols", ("symbol",),
                  ("symbol", "name", "isin", "series", "listed_on", "sector", "indices"),
                  [(r.symbol, r.name, r.isin, r.series, r.listed_on, r.sector, r.indices)
                   for r in rows], touch="updated_at")


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
