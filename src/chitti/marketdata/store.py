"""SQL for market data (``md`` schema): bulk loads with COPY, and the queries services need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from psycopg import AsyncConnection, Connection, sql
from psycopg.rows import tuple_row

from chitti.errors import NotFound
from chitti.marketdata.actions import CorporateAction
from chitti.marketdata.adjust import (
    Adjust,
    AppliedAction,
    PricedAction,
    adjust_tail,
    apply_adjustment,
)
from chitti.marketdata.bars import Bar
from chitti.marketdata.intraday import INTERVAL_MINUTES, IntradayBar, interval_minutes, resample
from chitti.marketdata.series import Bars
from chitti.marketdata.sessions import IST, bar_times, ist_days
from chitti.marketdata.symbols import SymbolChange, SymbolRow, rename_map


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
    # Every part of one statement sees the same snapshot, so `existing` counts the keys
    # that were there before the insert (xmax tricks do not work on partitioned tables).
    merge = sql.SQL("""
        WITH merged AS (
            INSERT INTO {table} AS t ({cols}) SELECT {cols} FROM {stage}
            ON CONFLICT ({keys}) DO UPDATE SET {updates}
            WHERE ({old}) IS DISTINCT FROM ({new})
            RETURNING 1)
        SELECT (SELECT count(*) FROM merged),
               (SELECT count(*) FROM {stage} JOIN {table} USING ({keys}))""").format(
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
    changed, existing = (int(counted[0]), int(counted[1])) if counted else (0, 0)
    inserted = len(rows) - existing
    return LoadCounts(inserted, changed - inserted, existing - (changed - inserted))


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


def upsert_actions(conn: Connection[Any], actions: Sequence[CorporateAction]) -> LoadCounts:
    """Merge corporate actions into ``md.corporate_actions`` (idempotent, like the bars)."""
    return _merge(conn, "md.corporate_actions", ("symbol", "ex_date", "purpose", "part"),
                  ("symbol", "ex_date", "purpose", "part", "kind", "ratio_num", "ratio_den",
                   "amount", "series", "face_value", "record_date", "source"),
                  [(a.symbol, a.ex_date, a.purpose, a.part, a.kind, a.ratio_num, a.ratio_den,
                    a.amount, a.series, a.face_value, a.record_date, a.source)
                   for a in actions])


def upsert_symbol_changes(conn: Connection[Any], changes: Sequence[SymbolChange],
                          source: str) -> LoadCounts:
    """Merge renames into ``md.symbol_changes`` (idempotent)."""
    return _merge(conn, "md.symbol_changes", ("old_symbol", "effective_date"),
                  ("old_symbol", "new_symbol", "effective_date", "company", "source"),
                  [(c.old_symbol, c.new_symbol, c.effective_date, c.company, source)
                   for c in changes])


def upsert_intraday(conn: Connection[Any], bars: Sequence[IntradayBar],
                    interval: str) -> LoadCounts:
    """Merge intraday bars of one stored ``interval`` into ``md.intraday_bars`` (idempotent).

    Without TimescaleDB the table is range-partitioned by year: the partitions the bars
    need are created first (in IST years, so a session never straddles two).
    """
    partitioned = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table"
        " WHERE partrelid = 'md.intraday_bars'::regclass)").fetchone()
    if partitioned and partitioned[0]:
        for year in sorted({b.ts.astimezone(IST).year for b in bars}):
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF md.intraday_bars"
                " FOR VALUES FROM ({}) TO ({})").format(
                sql.Identifier("md", f"intraday_bars_{year}"),
                sql.Literal(f"{year}-01-01 00:00+05:30"),
                sql.Literal(f"{year + 1}-01-01 00:00+05:30")))
        conn.commit()
    return _merge(conn, "md.intraday_bars", ("symbol", "interval", "ts"),
                  ("symbol", "interval", "ts", "open", "high", "low", "close", "volume"),
                  [(b.symbol, interval, b.ts, b.open, b.high, b.low, b.close, b.volume)
                   for b in bars])


def loaded_days(conn: Connection[Any], days: Sequence[date]) -> set[date]:
    """The days among ``days`` whose bhavcopy ``update-eod`` has loaded already."""
    with conn.transaction():
        rows = conn.execute("SELECT day FROM md.eod_updates WHERE status = 'loaded'"
                            " AND day = ANY(%s)", (list(days),)).fetchall()
    return {row[0] for row in rows}


def mark_day(conn: Connection[Any], day: date, status: str, rows: int, url: str) -> None:
    """Record what ``update-eod`` did with ``day`` (committed at once: the resume point)."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO md.eod_updates (day, status, rows, url) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (day) DO UPDATE SET status = EXCLUDED.status, rows = EXCLUDED.rows,"
            " url = EXCLUDED.url, updated_at = now()", (day, status, rows, url))


def read_renames(conn: Connection[Any]) -> dict[str, list[tuple[date, str]]]:
    """Every stored rename, for loads that file old symbols under their current name."""
    with conn.transaction():  # closed at once: the merges after it run their own
        rows = conn.execute("SELECT old_symbol, new_symbol, effective_date, company"
                            " FROM md.symbol_changes").fetchall()
    return rename_map([SymbolChange(*row) for row in rows])


async def fetch_ohlcv(
    conn: AsyncConnection[Any], symbol: str, start: date | None, end: date | None,
    adjust: Adjust = "split",
) -> tuple[dict[str, np.ndarray], list[AppliedAction]]:
    """Daily bars of ``symbol`` in [start, end] as column arrays (ts as ISO date strings),
    adjusted by ``adjust``, with the actions the adjustment applied (or skipped, and why)."""
    panel, applied = await _read_panel(conn, [symbol], start, end, adjust)
    return panel.get(symbol) or _columns(()), applied.get(symbol, [])


async def stored_symbols(conn: AsyncConnection[Any]) -> list[str]:
    """Every symbol with at least one daily bar."""
    rows = await _records(conn, "SELECT DISTINCT symbol FROM md.eod_prices ORDER BY 1", {})
    return [row["symbol"] for row in rows]


async def symbol_exists(conn: AsyncConnection[Any], symbol: str) -> bool:
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM md.symbols WHERE symbol = %s)"
        " OR EXISTS (SELECT 1 FROM md.eod_prices WHERE symbol = %s) AS found", (symbol, symbol))
    row = await cur.fetchone()
    return bool(row and (row["found"] if isinstance(row, dict) else row[0]))


async def list_symbols(
    conn: AsyncConnection[Any], *, query: str | None, index: str | None, with_prices: bool,
    limit: int, offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Symbols matching a prefix/name search and index membership, with their price range,
    and how many match in all. Series with bars but no entry in the symbol master (an index
    such as NIFTY 50) are listed too, as instruments of their own."""
    cur = await conn.execute(
        """
        WITH listed AS (
            SELECT symbol, name, isin, sector, indices FROM md.symbols
            UNION ALL
            SELECT DISTINCT e.symbol, e.symbol, NULL, NULL, '{}'::text[] FROM md.eod_prices e
            WHERE NOT EXISTS (SELECT 1 FROM md.symbols m WHERE m.symbol = e.symbol))
        SELECT s.symbol, s.name, s.isin, s.sector, s.indices,
               p.first_date, p.last_date, coalesce(p.bar_count, 0) AS bar_count,
               count(*) OVER () AS total
        FROM listed s
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
    total = 0
    for row in rows:
        item = dict(row)
        total = int(item.pop("total"))
        for key in ("first_date", "last_date"):
            item[key] = item[key].isoformat() if item[key] else None
        out.append(item)
    if not rows and offset:  # past the end: count without the page
        _, total = await list_symbols(conn, query=query, index=index,
                                      with_prices=with_prices, limit=1, offset=0)
    return out, total


async def fetch_bars(
    conn: AsyncConnection[Any], symbols: Sequence[str], start: date | None, end: date | None,
    *, adjust: Adjust = "split", warmup: int | None = 0, interval: str = "1d",
) -> dict[str, Bars]:
    """Daily :class:`Bars` of each symbol in [start, end], adjusted by ``adjust``, led by up
    to ``warmup`` earlier bars, or by all of them with ``warmup=None`` (``Bars.warmup`` says
    how many there were). All of them is what a chart does: an indicator with memory (EMA,
    RSI, ATR) then has exactly the values it has on a chart of the whole history. Symbols
    with no bar in [start, end] are absent, and the result keeps the order of ``symbols``.

    With an intraday ``interval`` the bars are resampled minute bars (``ts`` instants,
    ``datetime64[s]``), ``start``/``end`` are IST days, and any warm-up reads the whole
    stored intraday history before ``start``."""
    if interval != "1d":
        return await _intraday_bars(conn, symbols, start, end, adjust=adjust,
                                    warmup=warmup, interval=interval)
    first = start
    if start is not None and warmup is None:
        first = None
    elif start is not None and warmup:
        (row,) = await _records(conn, _WARM_START, {"symbols": list(symbols), "start": start,
                                                    "warmup": warmup})
        first = row["first"] or start
    panel, _ = await _read_panel(conn, symbols, first, end, adjust, iso_dates=False)
    out = {symbol: _warmed(symbol, block, start, warmup) for symbol, block in panel.items()}
    return {symbol: bars for symbol in symbols if (bars := out.get(symbol)) is not None}


def _warmed(symbol: str, block: dict[str, np.ndarray], start: date | None,
            warmup: int | None) -> Bars | None:
    """Bars of ``block`` from ``start`` on, led by at most ``warmup`` earlier bars (all of
    them with None); None when no bar falls on or after ``start``."""
    ts = block["ts"]
    inside = int(np.searchsorted(ist_days(ts), np.datetime64(start, "D"))) if start else 0
    if inside == ts.size:
        return None
    skip = 0 if warmup is None else max(0, inside - warmup)
    return Bars(ts=ts[skip:], open=block["open"][skip:], high=block["high"][skip:],
                low=block["low"][skip:], close=block["close"][skip:],
                volume=block["volume"][skip:], symbol=symbol, warmup=inside - skip)


async def _intraday_bars(
    conn: AsyncConnection[Any], symbols: Sequence[str], start: date | None, end: date | None,
    *, adjust: Adjust, warmup: int | None, interval: str,
) -> dict[str, Bars]:
    out: dict[str, Bars] = {}
    for symbol in symbols:
        block, _ = await _intraday_block(conn, symbol, start if warmup == 0 else None, end,
                                         interval, adjust)
        if (bars := _warmed(symbol, block, start, warmup)) is not None:
            out[symbol] = bars
    return out


# The earliest date any of the symbols needs for `warmup` bars before `start`.
_WARM_START = """
    SELECT min(w.first) AS first FROM unnest(%(symbols)s::text[]) AS s(symbol)
    CROSS JOIN LATERAL (
        SELECT min(x.ts) AS first FROM (
            SELECT e.ts FROM md.eod_prices e WHERE e.symbol = s.symbol AND e.ts < %(start)s
            ORDER BY e.ts DESC LIMIT %(warmup)s) x) w
"""


async def fetch_panel(
    conn: AsyncConnection[Any], symbols: Sequence[str], start: date | None, end: date | None,
    adjust: Adjust = "split",
) -> dict[str, dict[str, np.ndarray]]:
    """Daily bars of several symbols in one query: ``{symbol: column arrays}``, adjusted for
    corporate actions by ``adjust`` and including the history of each symbol's former names.

    Symbols without bars in the range are absent from the result.
    """
    panel, _ = await _read_panel(conn, symbols, start, end, adjust)
    return panel


# The former names of the requested symbols: (wanted, stored, before): the bars of `stored`
# dated before `before` belong to `wanted`. A rename chain is followed back through strictly
# earlier dates, so a symbol swapped back and forth still terminates.
_FORMER = """
    WITH RECURSIVE former(wanted, stored, before) AS (
        SELECT c.new_symbol, c.old_symbol, c.effective_date FROM md.symbol_changes c
        WHERE c.new_symbol = ANY(%(symbols)s::text[])
        UNION
        SELECT f.wanted, c.old_symbol, c.effective_date
        FROM former f JOIN md.symbol_changes c
          ON c.new_symbol = f.stored AND c.effective_date < f.before)
"""

# Every name a requested symbol has traded under: itself (all its bars) and its former names.
_NAMES = _FORMER + """,
    names(wanted, stored, before) AS (
        SELECT s, s, 'infinity'::date FROM unnest(%(symbols)s::text[]) AS s
        UNION
        SELECT wanted, stored, before FROM former)
"""  # noqa: S608 (constant text)

_BARS = _NAMES + """
    SELECT DISTINCT ON (n.wanted, e.ts) n.wanted, e.ts - DATE '1970-01-01', e.open, e.high,
           e.low, e.close, e.volume
    FROM names n JOIN md.eod_prices e ON e.symbol = n.stored AND e.ts < n.before
    WHERE e.ts >= coalesce(%(start)s::date, '-infinity') AND e.ts <= coalesce(%(end)s::date,
          'infinity')
    ORDER BY n.wanted, e.ts, n.before DESC
"""  # noqa: S608 (constant text)

_PLAIN_BARS = """
    SELECT symbol, ts - DATE '1970-01-01', open, high, low, close, volume FROM md.eod_prices
    WHERE symbol = ANY(%(symbols)s) AND ts >= coalesce(%(start)s::date, '-infinity')
      AND ts <= coalesce(%(end)s::date, 'infinity')
    ORDER BY symbol, ts
"""

# The closes that price a rights issue, a demerger or a dividend (only looked up for those
# kinds) of action `a` of name `n`, from the bars of every name of `n.wanted`.
_ACTION_CLOSES = """
           CASE WHEN a.kind IN ('rights', 'demerger', 'dividend') THEN (
               SELECT e.close FROM md.eod_prices e
               WHERE e.symbol IN (SELECT m.stored FROM names m WHERE m.wanted = n.wanted)
                 AND e.ts < a.ex_date ORDER BY e.ts DESC LIMIT 1) END AS close_before,
           CASE WHEN a.kind = 'demerger' THEN (
               SELECT e.close FROM md.eod_prices e
               WHERE e.symbol IN (SELECT m.stored FROM names m WHERE m.wanted = n.wanted)
                 AND e.ts = a.ex_date LIMIT 1) END AS close_on
"""

# The actions of every name, with the closes that price them.
_ACTIONS = _NAMES + """
    SELECT DISTINCT ON (n.wanted, a.ex_date, a.purpose, a.part)
           n.wanted, a.ex_date, a.kind, a.purpose, a.ratio_num, a.ratio_den, a.amount,
""" + _ACTION_CLOSES + """
    FROM names n JOIN md.corporate_actions a ON a.symbol = n.stored AND a.ex_date < n.before
    WHERE a.kind <> 'other'
    ORDER BY n.wanted, a.ex_date, a.purpose, a.part, n.before DESC
"""  # noqa: S608 (constant text)


async def _records(conn: AsyncConnection[Any], query: str,
                   params: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows as dicts, whatever row factory the connection has (services use dict rows)."""
    cur = await conn.execute(query, params)
    rows = await cur.fetchall()
    names = [column.name for column in cur.description or ()]
    return [dict(row) if isinstance(row, dict) else dict(zip(names, row, strict=True))
            for row in rows]


def _columns(rows: Sequence[Sequence[Any]]) -> dict[str, np.ndarray]:
    """Column arrays of (ts, open, high, low, close, volume) rows; ``ts`` left as read."""
    if not rows:
        return {name: np.empty(0) for name in ("ts", "open", "high", "low", "close", "volume")}
    ts, o, h, lo, c, v = zip(*rows, strict=True)
    return {"ts": np.asarray(ts, dtype=object),
            "open": np.asarray(o, dtype=np.float64), "high": np.asarray(h, dtype=np.float64),
            "low": np.asarray(lo, dtype=np.float64), "close": np.asarray(c, dtype=np.float64),
            "volume": np.asarray(v, dtype=np.int64)}


async def _has_renames(conn: AsyncConnection[Any], symbols: Sequence[str]) -> bool:
    (row,) = await _records(conn, "SELECT EXISTS (SELECT 1 FROM md.symbol_changes"
                                  " WHERE new_symbol = ANY(%(symbols)s)) AS found",
                            {"symbols": list(symbols)})
    return bool(row["found"])


async def _read_panel(
    conn: AsyncConnection[Any], symbols: Sequence[str], start: date | None, end: date | None,
    adjust: Adjust, *, iso_dates: bool = True,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, list[AppliedAction]]]:
    """The daily panel; ``ts`` as ISO date strings, or (``iso_dates=False``, what the
    computations take) as ``datetime64[D]``.

    The days come from the database as day numbers and the rows as tuples: for the 20 years
    of one symbol behind every indicator and backtest request, converting dates to strings
    and back and building a dict per row took 3/4 of the read (25 ms of 33)."""
    params = {"symbols": list(symbols), "start": start, "end": end}
    query = _BARS if await _has_renames(conn, symbols) else _PLAIN_BARS
    cur = conn.cursor(binary=True, row_factory=tuple_row)
    await cur.execute(query, params)
    rows = await cur.fetchall()
    if not rows:
        return {}, {}
    actions: dict[str, list[PricedAction]] = {}
    for item in await _records(conn, _ACTIONS, params):
        actions.setdefault(item.pop("wanted"), []).append(PricedAction(**item))
    symbol_arr = np.asarray([row[0] for row in rows])
    starts = np.flatnonzero(np.r_[True, symbol_arr[1:] != symbol_arr[:-1]])
    bounds = np.r_[starts, len(rows)]
    columns = _columns([row[1:] for row in rows])
    dates = np.asarray(columns.pop("ts"), dtype=np.int64).astype("datetime64[D]")
    out: dict[str, dict[str, np.ndarray]] = {}
    applied: dict[str, list[AppliedAction]] = {}
    for i, j in zip(bounds[:-1], bounds[1:], strict=True):
        symbol = str(symbol_arr[i])
        block = {name: arr[i:j] for name, arr in columns.items()}
        block["ts"] = dates[i:j].astype(str) if iso_dates else dates[i:j]
        if symbol in actions:
            block, applied[symbol] = apply_adjustment(block, dates[i:j], actions[symbol], adjust)
        out[symbol] = block
    return out, applied


async def fetch_intraday(
    conn: AsyncConnection[Any], symbol: str, start: date | None, end: date | None,
    interval: str, adjust: Adjust = "split",
) -> tuple[dict[str, np.ndarray], list[AppliedAction]]:
    """Intraday bars of ``symbol`` for the IST days [start, end], resampled to ``interval``
    from the finest stored interval that divides it, and adjusted like the daily bars.
    ``ts`` comes back as ISO timestamps in IST. NotFound when no stored interval can make
    ``interval`` (none stored, or only coarser ones)."""
    block, applied = await _intraday_block(conn, symbol, start, end, interval, adjust)
    block["ts"] = np.array(bar_times(block["ts"].astype("datetime64[s]")))
    return block, applied


async def _intraday_block(
    conn: AsyncConnection[Any], symbol: str, start: date | None, end: date | None,
    interval: str, adjust: Adjust,
) -> tuple[dict[str, np.ndarray], list[AppliedAction]]:
    # fetch_intraday with ``ts`` as datetime64[s] instants
    minutes = interval_minutes(interval)
    stored = sorted((interval_minutes(r["interval"]), r["interval"]) for r in await _records(
        conn, "SELECT DISTINCT interval FROM md.intraday_bars WHERE symbol = %(symbol)s",
        {"symbol": symbol}))
    source = next((name for size, name in stored if minutes % size == 0), None)
    if source is None:
        held = ", ".join(name for _, name in stored) or "none"
        raise NotFound(f"{symbol}: no stored intraday bars make {interval} bars (stored "
                       f"intervals: {held}); load minute bars with `chitti load-market "
                       f"--interval 5m FILE --symbol {symbol}`")
    cur = conn.cursor(binary=True)
    await cur.execute(
        "SELECT ts, open, high, low, close, volume FROM md.intraday_bars"
        " WHERE symbol = %(symbol)s AND interval = %(interval)s"
        "   AND ts >= coalesce(%(start)s::date, '-infinity')::timestamp AT TIME ZONE %(tz)s"
        "   AND ts < (coalesce(%(end)s::date, 'infinity') + 1)::timestamp AT TIME ZONE %(tz)s"
        " ORDER BY ts",
        {"symbol": symbol, "interval": source, "start": start, "end": end,
         "tz": "Asia/Kolkata"})
    rows = [tuple(r.values()) if isinstance(r, dict) else r for r in await cur.fetchall()]
    if not rows:
        empty = _columns(())
        empty["ts"] = np.empty(0, dtype="datetime64[s]")
        return empty, []
    block = _columns(rows)
    ts = block["ts"]
    block["ts"] = np.array([t.timestamp() for t in ts], dtype=np.int64).astype("datetime64[s]")
    days = ist_days(block["ts"])
    actions = [PricedAction(**{k: v for k, v in row.items() if k != "wanted"})
               for row in await _records(conn, _ACTIONS, {"symbols": [symbol]})]
    block, applied = apply_adjustment(block, days, actions, adjust)
    return (resample(block, minutes) if minutes > INTERVAL_MINUTES[source] else block), applied


# --- the last bars of many symbols: screens and quotes ---------------------------------------
#
# The members of an index, and the last N daily bars of many symbols in one query.
#
# ``latest_bars`` is the read of a screen and of a watchlist's quotes: one backwards index
# probe per name of each symbol (``LIMIT N`` on the primary key) rather than a date range, so
# a symbol whose bars stopped early still has its own last N bars, and a NIFTY 500 screen
# reads 500 x N rows (125,000 at N = 250; all their history would be 20 times that). Each
# symbol's bars travel as arrays and days as integers: decoding 125,000 rows of dates and
# floats would cost more than the query (arrays decode in C).
#
# Bars are adjusted exactly as :func:`fetch_bars` adjusts them (the same actions, the same
# :func:`~chitti.marketdata.adjust.apply_adjustment`), except that only the actions after the
# first bar read are read, and the closes that price them are taken from the bars read
# (:func:`~chitti.marketdata.adjust.adjust_tail`) rather than looked up per action; a symbol's
# history under its former names counts as it does there (a name's bars dated from its
# rename on are not the symbol's).

_MEMBERS = "SELECT symbol FROM md.symbols WHERE %(index)s = ANY (indices) ORDER BY symbol"

# The names of requested symbol `s` (a lateral reference): itself and its former names.
_OWN_NAMES = """(
                  SELECT s.symbol AS stored, 'infinity'::date AS before
                  UNION ALL
                  SELECT f.stored, f.before FROM former f WHERE f.wanted = s.symbol) n"""

# One row per requested symbol, in the order asked: whether the symbol master lists it; its
# last %(bars)s bars as arrays, oldest first (NULL without bars): each name's own last
# %(bars)s (the symbol's are among them), one bar a day (the newest name's), as _BARS reads
# them; and, as parallel arrays in _ACTIONS' order, the actions (as _ACTIONS selects them)
# with an ex-date after the first of those bars, the only ones that adjust them. The names
# are listed per symbol (_OWN_NAMES) rather than filtered out of _NAMES' list of every
# symbol's names, once per symbol: that filtering cost a NIFTY 500 screen's read ~50 ms.
_LATEST = _FORMER + """
    SELECT s.symbol, EXISTS (SELECT 1 FROM md.symbols m WHERE m.symbol = s.symbol) AS listed,
           b.day, b.open, b.high, b.low, b.close, b.volume, x.ex_date, x.kind, x.purpose,
           x.ratio_num, x.ratio_den, x.amount
    FROM unnest(%(symbols)s::text[]) WITH ORDINALITY AS s(symbol, position)
    LEFT JOIN LATERAL (
        SELECT min(t.ts) AS first, array_agg(t.ts - DATE '1970-01-01' ORDER BY t.ts) AS day,
               array_agg(t.open ORDER BY t.ts) AS open, array_agg(t.high ORDER BY t.ts) AS high,
               array_agg(t.low ORDER BY t.ts) AS low, array_agg(t.close ORDER BY t.ts) AS close,
               array_agg(t.volume ORDER BY t.ts) AS volume
        FROM (SELECT DISTINCT ON (e.ts) e.*
              FROM """ + _OWN_NAMES + """ CROSS JOIN LATERAL (
                  SELECT p.ts, p.open, p.high, p.low, p.close, p.volume FROM md.eod_prices p
                  WHERE p.symbol = n.stored AND p.ts < n.before
                  ORDER BY p.ts DESC LIMIT %(bars)s) e
              ORDER BY e.ts DESC, n.before DESC LIMIT %(bars)s) t) b ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(y.ex_date ORDER BY y.ex_date, y.purpose, y.part) AS ex_date,
               array_agg(y.kind ORDER BY y.ex_date, y.purpose, y.part) AS kind,
               array_agg(y.purpose ORDER BY y.ex_date, y.purpose, y.part) AS purpose,
               array_agg(y.ratio_num ORDER BY y.ex_date, y.purpose, y.part) AS ratio_num,
               array_agg(y.ratio_den ORDER BY y.ex_date, y.purpose, y.part) AS ratio_den,
               array_agg(y.amount ORDER BY y.ex_date, y.purpose, y.part) AS amount
        FROM (SELECT DISTINCT ON (a.ex_date, a.purpose, a.part) a.*
              FROM """ + _OWN_NAMES + """
              JOIN md.corporate_actions a ON a.symbol = n.stored AND a.ex_date < n.before
              WHERE %(adjusted)s AND a.kind <> 'other' AND a.ex_date > b.first
              ORDER BY a.ex_date, a.purpose, a.part, n.before DESC) y) x ON true
    ORDER BY s.position
"""  # noqa: S608 (constant text)


class Latest(NamedTuple):
    """The last daily bars of requested symbols (:func:`read_latest`)."""

    #: adjusted bars of each symbol that has any, in the order asked
    bars: dict[str, Bars]
    #: the symbols asked for that the symbol master (``md.symbols``) lists
    listed: frozenset[str]


async def index_members(conn: AsyncConnection[Any], index: str) -> list[str]:
    """Return the symbols of ``index`` (``"NIFTY 50"``) in the symbol master, sorted."""
    return [row["symbol"] for row in await _records(conn, _MEMBERS, {"index": index})]


async def latest_bars(conn: AsyncConnection[Any], symbols: Sequence[str], count: int, *,
                      adjust: Adjust = "split") -> dict[str, Bars]:
    """Return the last ``count`` daily bars of each symbol (all of them when it has fewer),
    over its former names too, adjusted by ``adjust``, in one query; symbols without bars
    are absent, the others in the order of ``symbols``."""
    return (await read_latest(conn, symbols, count, adjust=adjust)).bars


async def read_latest(conn: AsyncConnection[Any], symbols: Sequence[str], count: int, *,
                      adjust: Adjust = "split") -> Latest:
    """:func:`latest_bars`, and which of ``symbols`` the symbol master lists, in one query
    (repeats in ``symbols`` are read once)."""
    wanted = list(dict.fromkeys(symbols))
    if not wanted or count < 1:
        return Latest({}, frozenset())
    cur = conn.cursor(binary=True, row_factory=tuple_row)
    await cur.execute(_LATEST, {"symbols": wanted, "bars": count,
                                "adjusted": adjust != "none"})
    found: dict[str, Bars] = {}
    listed = set()
    for symbol, is_listed, day, *columns in await cur.fetchall():
        if is_listed:
            listed.add(symbol)
        if day is None:
            continue
        days = np.asarray(day, dtype=np.int64).astype("datetime64[D]")
        block = {name: np.asarray(values, dtype=np.float64)
                 for name, values in zip(("open", "high", "low", "close"), columns, strict=False)}
        block["volume"] = np.asarray(columns[4], dtype=np.int64)
        if columns[5]:  # ex_date, kind, purpose, ratio_num, ratio_den, amount
            actions = [PricedAction(*fields) for fields in zip(*columns[5:], strict=True)]
            block = adjust_tail(block, days, actions, adjust)
        found[symbol] = Bars(ts=days, open=block["open"], high=block["high"],
                             low=block["low"], close=block["close"], volume=block["volume"],
                             symbol=symbol)
    return Latest(found, frozenset(listed))
