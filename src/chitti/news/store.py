"""SQL for the news domain (``news`` schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

_ARTICLE_COLUMNS = """
    a.id, a.title, a.summary, a.link, a.publisher, a.publishers, a.duplicate_count,
    a.published_at, a.fetched_at,
    s.label AS sentiment, s.score AS sentiment_score, s.confidence AS sentiment_confidence,
    coalesce((SELECT array_agg(DISTINCT e.symbol) FROM news.entities e
              WHERE e.article_id = a.id AND e.kind = 'company'), '{}') AS symbols
"""


async def get_articles(
    conn: AsyncConnection[Any], *, symbol: str | None, since: datetime | None,
    sentiment: str | None, source: str | None, query: str | None, limit: int, offset: int,
) -> list[dict[str, Any]]:
    """Newest first; every filter optional. ``query`` is a full-text search (websearch syntax)."""
    cur = await conn.execute(
        f"""
        SELECT {_ARTICLE_COLUMNS}
        FROM news.articles a
        LEFT JOIN LATERAL (
            SELECT label, score, confidence FROM news.sentiments
            WHERE article_id = a.id AND symbol = '' ORDER BY created_at DESC LIMIT 1) s ON true
        WHERE (%(symbol)s::text IS NULL OR EXISTS (
                   SELECT 1 FROM news.entities e
                   WHERE e.article_id = a.id AND e.symbol = %(symbol)s))
          AND (%(since)s::timestamptz IS NULL
               OR coalesce(a.published_at, a.fetched_at) >= %(since)s)
          AND (%(sentiment)s::text IS NULL OR s.label = %(sentiment)s)
          AND (%(source)s::text IS NULL OR a.publisher ILIKE %(source)s)
          AND (%(query)s::text IS NULL OR a.search @@ websearch_to_tsquery('english', %(query)s))
        ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC
        LIMIT %(limit)s OFFSET %(offset)s
        """,  # noqa: S608 - only a constant column list is interpolated
        {"symbol": symbol, "since": since, "sentiment": sentiment, "source": source,
         "query": query, "limit": limit, "offset": offset},
    )
    return [dict(row) for row in await cur.fetchall()]
