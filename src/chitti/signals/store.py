"""SQL for the signals domain (``signals`` schema)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

from chitti.errors import Conflict, NotFound
from chitti.marketdata import store as md_store

ALERT_COLUMNS = ("id, created_at, ts, symbol, kind, rule, direction, impact, confidence,"
                 " explanation, sources")
_COLUMNS = sql.SQL(ALERT_COLUMNS)
_INSERT_ALERT = sql.SQL(
    "INSERT INTO signals.alerts (ts, symbol, kind, rule, direction, impact, confidence,"
    " explanation, sources, dedup_key) VALUES (%(ts)s, %(symbol)s, %(kind)s, %(rule)s,"
    " %(direction)s, %(impact)s, %(confidence)s, %(explanation)s, %(sources)s, %(dedup_key)s)"
    " ON CONFLICT (dedup_key) DO NOTHING RETURNING {}").format(_COLUMNS)
_SELECT_ALERT = sql.SQL("SELECT {} FROM signals.alerts WHERE id = %s").format(_COLUMNS)
_SELECT_NEAR = sql.SQL(
    "SELECT {} FROM signals.alerts WHERE symbol = %(symbol)s AND kind = %(kind)s"
    " AND ts BETWEEN %(first)s - make_interval(days => %(days)s)"
    " AND %(last)s + make_interval(days => %(days)s) ORDER BY id"
).format(_COLUMNS)


async def get_alerts(
    conn: AsyncConnection[Any], *, symbol: str | None, kind: str | None, direction: str | None,
    since: datetime | None, until: datetime | None, min_impact: float | None,
    min_confidence: float | None, before_id: int | None, after_id: int | None,
    ids: list[int] | None, limit: int,
) -> list[dict[str, Any]]:
    """Alerts newest first, keyset-paginated by id (``before_id``); oldest first when
    replaying for a resuming client (``after_id``) or fetching notified ``ids``."""
    order = "ASC" if after_id is not None or ids is not None else "DESC"
    cur = await conn.execute(
        f"""
        SELECT {ALERT_COLUMNS} FROM signals.alerts
        WHERE (%(symbol)s::text IS NULL OR symbol = %(symbol)s)
          AND (%(kind)s::text IS NULL OR kind = %(kind)s)
          AND (%(direction)s::text IS NULL OR direction = %(direction)s)
          AND (%(since)s::timestamptz IS NULL OR ts >= %(since)s)
          AND (%(until)s::timestamptz IS NULL OR ts < %(until)s)
          AND (%(min_impact)s::float8 IS NULL OR impact >= %(min_impact)s)
          AND (%(min_confidence)s::float8 IS NULL OR confidence >= %(min_confidence)s)
          AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s)
          AND (%(after_id)s::bigint IS NULL OR id > %(after_id)s)
          AND (%(ids)s::bigint[] IS NULL OR id = ANY(%(ids)s))
        ORDER BY id {order} LIMIT %(limit)s
        """,  # noqa: S608 - only constants are interpolated
        {"symbol": symbol, "kind": kind, "direction": direction, "since": since,
         "until": until, "min_impact": min_impact, "min_confidence": min_confidence,
         "before_id": before_id, "after_id": after_id, "ids": ids, "limit": limit},
    )
    return [dict(row) for row in await cur.fetchall()]


async def insert_alerts(conn: AsyncConnection[Any],
                        records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert alerts (each announced by the table's trigger); repeats of a ``dedup_key``
    already stored are skipped. Returns the rows inserted."""
    inserted = []
    for record in records:
        cur = await conn.execute(
            _INSERT_ALERT, {**record, "sources": Jsonb(record.get("sources", {}))})
        row = await cur.fetchone()
        if row is not None:
            inserted.append(dict(row))
    return inserted


async def get_alert(conn: AsyncConnection[Any], alert_id: int) -> dict[str, Any]:
    cur = await conn.execute(_SELECT_ALERT, (alert_id,))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no alert with id {alert_id}")
    return dict(row)


async def article_directions(conn: AsyncConnection[Any], ids: list[int]) -> list[dict[str, Any]]:
    """Each stored article x company with its headline sentiment and the company's
    non-neutral direction: the raw material of news alerts."""
    cur = await conn.execute(
        """
        SELECT a.id, a.title, a.publisher, a.publishers, a.duplicate_count,
               coalesce(a.published_at, a.fetched_at) AS ts,
               s.score AS sentiment_score, s.confidence AS sentiment_confidence,
               d.symbol, d.direction, d.confidence AS direction_confidence
        FROM news.articles a
        JOIN news.sentiments s ON s.article_id = a.id AND s.symbol = ''
        JOIN news.sentiments d ON d.article_id = a.id AND d.symbol <> '' AND d.model = s.model
        WHERE a.id = ANY(%s) AND d.direction <> 'neutral'
        ORDER BY a.id, d.symbol
        """, (ids,))
    return [dict(row) for row in await cur.fetchall()]


async def latest_article_id(conn: AsyncConnection[Any]) -> int:
    cur = await conn.execute("SELECT coalesce(max(id), 0) AS id FROM news.articles")
    row = await cur.fetchone()
    return int(row["id"]) if row else 0


async def articles_after(conn: AsyncConnection[Any], last_id: int) -> list[int]:
    cur = await conn.execute("SELECT id FROM news.articles WHERE id > %s ORDER BY id LIMIT 5000",
                             (last_id,))
    return [int(row["id"]) for row in await cur.fetchall()]


async def news_events(conn: AsyncConnection[Any], symbol: str,
                      since: date | None) -> list[tuple[datetime, str]]:
    """(published, direction) of the stored news about ``symbol`` (for ``news.*`` series)."""
    cur = await conn.execute(
        "SELECT coalesce(a.published_at, a.fetched_at) AS ts, s.direction"
        " FROM news.sentiments s JOIN news.articles a ON a.id = s.article_id"
        " WHERE s.symbol = %s AND (%s::date IS NULL OR coalesce(a.published_at, a.fetched_at)"
        " >= %s::date) ORDER BY 1", (symbol, since, since))
    return [(row["ts"], row["direction"]) for row in await cur.fetchall()]


async def price_change_pct(conn: AsyncConnection[Any], symbol: str, day: date) -> float | None:
    """The symbol's close-to-close move on ``day`` (split- and bonus-adjusted), or None when
    there is no bar for ``day``: an older move says nothing about this day's news."""
    panel = await md_store.fetch_panel(conn, [symbol], day - timedelta(days=14), day)
    block = panel.get(symbol)
    if block is None or block["ts"].size < 2 or block["ts"][-1] != day.isoformat():
        return None
    return float((block["close"][-1] / block["close"][-2] - 1.0) * 100.0)


async def alerts_near(conn: AsyncConnection[Any], symbol: str, ts: datetime, days: int, *,
                      kind: str) -> list[dict[str, Any]]:
    """Alerts of ``kind`` on ``symbol`` at most ``days`` calendar days from ``ts``."""
    cur = await conn.execute(_SELECT_NEAR, {"symbol": symbol, "kind": kind, "first": ts,
                                            "last": ts, "days": days})
    return [dict(row) for row in await cur.fetchall()]


async def news_alerts_around(conn: AsyncConnection[Any], symbol: str, times: list[datetime],
                             days: int) -> list[dict[str, Any]]:
    """News alerts on ``symbol`` within ``days`` of any of ``times`` (none when empty)."""
    if not times:
        return []
    cur = await conn.execute(_SELECT_NEAR, {"symbol": symbol, "kind": "news",
                                            "first": min(times), "last": max(times),
                                            "days": days})
    rows = [dict(row) for row in await cur.fetchall()]
    window = timedelta(days=days)
    return [r for r in rows if any(abs(r["ts"] - t) <= window for t in times)]


async def model_names(conn: AsyncConnection[Any]) -> list[str]:
    """Every registered model name (``ml.models``), sorted: what ``ml.<model>`` may name."""
    cur = await conn.execute("SELECT DISTINCT name FROM ml.models ORDER BY name")
    return [row["name"] for row in await cur.fetchall()]


async def model_scores(conn: AsyncConnection[Any], names: list[str], symbol: str,
                       start: date | None, end: date | None = None
                       ) -> dict[str, list[tuple[date, float]]]:
    """The stored predictions of the newest version of each model in ``names`` for
    ``symbol`` on days in [start, end] (None: open), oldest first: the ``ml.<name>`` series
    of alert rules. A name with no registered model (or no prediction) maps to ``[]``.

    The newest version is the one with the highest numeric ``version`` (the compute
    service counts versions up per name), the version that serves. One value per day: the
    prediction for the model's own ``horizon_days`` if stored, else the shortest horizon."""
    cur = await conn.execute(
        """
        SELECT DISTINCT ON (m.name, p.ts) m.name, p.ts, p.value FROM (
            SELECT DISTINCT ON (name) id, name, horizon_days FROM ml.models
            WHERE name = ANY(%(names)s) ORDER BY name, version::int DESC) m
        JOIN ml.predictions p ON p.model_id = m.id
        WHERE p.symbol = %(symbol)s AND (%(start)s::date IS NULL OR p.ts >= %(start)s)
          AND (%(end)s::date IS NULL OR p.ts <= %(end)s)
        ORDER BY m.name, p.ts, p.horizon_days IS NOT DISTINCT FROM m.horizon_days DESC,
                 p.horizon_days
        """, {"names": names, "symbol": symbol, "start": start, "end": end})
    out: dict[str, list[tuple[date, float]]] = {name: [] for name in names}
    for row in await cur.fetchall():
        out[row["name"]].append((row["ts"], float(row["value"])))
    return out


RULE_COLUMNS = "id, name, version, definition, enabled, owner, created_at, updated_at"


async def list_rules(conn: AsyncConnection[Any], *,
                     owner: str | None = None) -> list[dict[str, Any]]:
    """User rules: every one, or ``owner``'s and those stored before there were owners."""
    cur = await conn.execute(
        f"SELECT {RULE_COLUMNS} FROM signals.rules "  # noqa: S608 - constant columns
        "WHERE %(owner)s::text IS NULL OR owner = %(owner)s OR owner IS NULL ORDER BY name",
        {"owner": owner})
    return [dict(row) for row in await cur.fetchall()]


async def upsert_rule(conn: AsyncConnection[Any], *, name: str, definition: dict[str, Any],
                      enabled: bool, cooldown_s: int, owner: str | None,
                      any_owner: bool) -> dict[str, Any]:
    """Store a user rule of ``owner``; redefining a name bumps its version. A name another
    user owns is a Conflict (an admin, ``any_owner``, may redefine it)."""
    cur = await conn.execute(
        "INSERT INTO signals.rules (name, definition, enabled, cooldown_s, owner)"  # noqa: S608
        " VALUES (%(name)s, %(definition)s, %(enabled)s, %(cooldown)s, %(owner)s)"
        " ON CONFLICT (name) DO UPDATE SET"
        " definition = EXCLUDED.definition, enabled = EXCLUDED.enabled,"
        " cooldown_s = EXCLUDED.cooldown_s, version = signals.rules.version + 1,"
        " updated_at = now()"
        " WHERE %(any)s OR signals.rules.owner IS NOT DISTINCT FROM EXCLUDED.owner"
        " RETURNING " + RULE_COLUMNS,
        {"name": name, "definition": Jsonb(definition), "enabled": enabled,
         "cooldown": cooldown_s, "owner": owner, "any": any_owner})
    row = await cur.fetchone()
    if row is None:
        raise Conflict(f"definition.name: another user has a rule called {name!r}; "
                       "choose another name")
    return dict(row)


async def delete_rule(conn: AsyncConnection[Any], name: str, owner: str | None) -> None:
    """Delete ``owner``'s rule (``owner`` None: anyone's); NotFound when there is none."""
    cur = await conn.execute(
        "DELETE FROM signals.rules WHERE name = %(name)s AND (%(owner)s::text IS NULL "
        "OR owner = %(owner)s) RETURNING id", {"name": name, "owner": owner})
    if await cur.fetchone() is None:
        raise NotFound(f"no rule of yours called {name!r}")
