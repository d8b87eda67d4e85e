"""SQL for the signals domain (``signals`` schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

ALERT_COLUMNS = ("id, created_at, ts, symbol, kind, rule, direction, impact, confidence,"
                 " explanation, sources")


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
