"""SQL for the news domain (``news`` schema)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from chitti.db.notify import payload_chunks
from chitti.errors import NotFound
from chitti.news.parse import ParsedArticle
from chitti.news.pipeline import MODEL_NAME, IngestPlan, KnownArticle, NewStory

#: Article-level sentiment label -> the direction it implies for the market.
LABEL_DIRECTION = {"positive": "bullish", "negative": "bearish", "neutral": "neutral"}
#: A company's direction -> the sentiment label stored beside it.
SENTIMENT_OF = {v: k for k, v in LABEL_DIRECTION.items()}

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


# --- feeds --------------------------------------------------------------------------------


async def add_feed(conn: AsyncConnection[Any], url: str, title: str | None,
                   poll_interval_s: int) -> dict[str, Any]:
    """Add a feed (or return the existing one with that URL)."""
    cur = await conn.execute(
        "INSERT INTO news.feeds (url, title, poll_interval_s) VALUES (%s, %s, %s)"
        " ON CONFLICT (url) DO UPDATE SET title = coalesce(EXCLUDED.title, news.feeds.title)"
        " RETURNING id, url, title, enabled, poll_interval_s, next_fetch_at",
        (url, title, poll_interval_s))
    row = await cur.fetchone()
    assert row is not None
    return dict(row)


FEED_EDITABLE = ("enabled", "title", "poll_interval_s")


async def update_feed(conn: AsyncConnection[Any], feed_id: int,
                      changes: dict[str, Any]) -> dict[str, Any]:
    """Change a feed (a disabled feed is not polled); NotFound for an unknown id."""
    changes = {k: v for k, v in changes.items() if k in FEED_EDITABLE}
    sets = "".join(f", {column} = %({column})s" for column in changes)
    cur = await conn.execute(
        f"UPDATE news.feeds SET id = id{sets} WHERE id = %(id)s "  # noqa: S608 - constant columns
        "RETURNING id, url, title, enabled, poll_interval_s, next_fetch_at",
        {**changes, "id": feed_id})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no feed {feed_id}; see GET /api/news/feeds")
    return dict(row)


async def delete_feed(conn: AsyncConnection[Any], feed_id: int) -> None:
    """Forget a feed; its articles stay (their feed becomes unknown)."""
    cur = await conn.execute("DELETE FROM news.feeds WHERE id = %s RETURNING id", (feed_id,))
    if await cur.fetchone() is None:
        raise NotFound(f"no feed {feed_id}; see GET /api/news/feeds")


# Stored articles first seen in feed `f` (articles_feed_idx).
_FEED_ARTICLES = ", (SELECT count(*) FROM news.articles a WHERE a.feed_id = f.id) AS article_count"


async def list_feeds(conn: AsyncConnection[Any], *, due_only: bool = False,
                     article_counts: bool = False) -> list[dict[str, Any]]:
    """Feeds with their polling state (only those due for a poll with ``due_only``); with
    ``article_counts`` also how many stored articles each produced (``article_count``)."""
    counts = _FEED_ARTICLES if article_counts else ""
    cur = await conn.execute(
        f"""
        SELECT id, url, title, enabled, poll_interval_s, etag, last_modified, last_status,
               last_error, failure_count, last_fetched_at, next_fetch_at{counts}
        FROM news.feeds f WHERE NOT %s OR (enabled AND next_fetch_at <= now()) ORDER BY id
        """,  # noqa: S608 - only a constant column is interpolated
        (due_only,))
    return [dict(row) for row in await cur.fetchall()]


async def record_fetch(
    conn: AsyncConnection[Any], feed_id: int, *, status: str, error: str | None,
    etag: str | None, last_modified: str | None, next_in_s: float,
) -> None:
    """Remember a fetch's outcome and when to try next (failures count up, success resets)."""
    await conn.execute(
        """
        UPDATE news.feeds SET
            last_status = %(status)s, last_error = %(error)s, last_fetched_at = now(),
            etag = CASE WHEN %(status)s = 'ok' THEN %(etag)s ELSE etag END,
            last_modified = CASE WHEN %(status)s = 'ok' THEN %(last_modified)s
                                 ELSE last_modified END,
            failure_count = CASE WHEN %(status)s = 'error' THEN failure_count + 1 ELSE 0 END,
            next_fetch_at = now() + make_interval(secs => %(next_in_s)s)
        WHERE id = %(id)s
        """,
        {"status": status, "error": error, "etag": etag, "last_modified": last_modified,
         "next_in_s": next_in_s, "id": feed_id})


# --- ingest -------------------------------------------------------------------------------


async def take_ingest_turn(conn: AsyncConnection[Any]) -> None:
    """Wait for any other news-nlp instance's ingest to commit; call inside the transaction
    that reads what is stored and writes the plan. Near-duplicates are recognised against
    what is stored, so two ingests planning at once would each store one copy of a story."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('news.ingest'))")


async def known_link_hashes(conn: AsyncConnection[Any], hashes: list[str]) -> set[str]:
    cur = await conn.execute(
        "SELECT link_hash FROM news.article_links WHERE link_hash = ANY(%s)", (hashes,))
    return {row["link_hash"] for row in await cur.fetchall()}


async def recent_articles(conn: AsyncConnection[Any], batch: list[ParsedArticle], *,
                          days: int = 2) -> list[KnownArticle]:
    """Stored articles a batch may duplicate: ingested in the last ``days``, or published
    within ``days`` of the batch's own publication dates (backfills of older feeds)."""
    dates = [a.published_at for a in batch if a.published_at is not None]
    cur = await conn.execute(
        "SELECT a.id, a.title, a.publisher, a.published_at, a.link, a.link_hash"
        " FROM news.articles a"
        " WHERE a.fetched_at >= now() - make_interval(days => %(days)s)"
        " OR a.published_at BETWEEN %(lo)s::timestamptz - make_interval(days => %(days)s)"
        " AND %(hi)s::timestamptz + make_interval(days => %(days)s)",
        {"days": days, "lo": min(dates, default=None), "hi": max(dates, default=None)})
    return [
        KnownArticle(row["id"], ParsedArticle(
            title=row["title"], summary="", link=row["link"], guid=None,
            publisher=row["publisher"], publisher_url=None, published_at=row["published_at"],
            link_hash=row["link_hash"]))
        for row in await cur.fetchall()
    ]


async def write_plan(conn: AsyncConnection[Any], plan: IngestPlan, *,
                     feed_id: int | None) -> list[int]:
    """Write a plan in one transaction; announce the new article ids; return them."""
    new_ids: list[int] = []
    async with conn.transaction():
        for item in plan.new_stories:
            story, article = item.story, item.story.article
            cur = await conn.execute(
                "INSERT INTO news.articles (link_hash, feed_id, title, summary, link, guid,"
                " publisher, publishers, duplicate_count, published_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (link_hash) DO NOTHING RETURNING id",
                (article.link_hash, feed_id, article.title, article.summary, article.link,
                 article.guid, article.publisher, list(story.publishers),
                 story.duplicate_count, article.published_at))
            row = await cur.fetchone()
            if row is None:  # stored meanwhile by a concurrent ingest
                continue
            article_id = int(row["id"])
            new_ids.append(article_id)
            await _write_analysis(conn, article_id, item)
            await _link(conn, article_id, story.link_hashes, article.publisher)
        for extra in plan.extra_copies:
            added = await _link(conn, extra.article_id, extra.link_hashes, None)
            if added:
                await conn.execute(
                    "UPDATE news.articles SET duplicate_count = duplicate_count + %s,"
                    " publishers = ARRAY(SELECT DISTINCT unnest(publishers || %s::text[]))"
                    " WHERE id = %s", (added, list(extra.publishers), extra.article_id))
        for chunk in payload_chunks(new_ids):
            await conn.execute("SELECT pg_notify('news_ingested', %s)", (chunk,))
    return new_ids


async def _link(conn: AsyncConnection[Any], article_id: int, hashes: Iterable[str],
                publisher: str | None) -> int:
    """Record copies' hashes; return how many were new."""
    added = 0
    for link_hash in hashes:
        cur = await conn.execute(
            "INSERT INTO news.article_links (link_hash, article_id, publisher)"
            " VALUES (%s, %s, %s) ON CONFLICT (link_hash) DO NOTHING",
            (link_hash, article_id, publisher))
        added += cur.rowcount
    return added


async def _write_analysis(conn: AsyncConnection[Any], article_id: int, item: NewStory) -> None:
    mood = item.sentiment
    rows = [(article_id, MODEL_NAME, "", mood.score, mood.label, mood.confidence,
             LABEL_DIRECTION[mood.label])]
    rows += [(article_id, MODEL_NAME, d.symbol, d.score, SENTIMENT_OF[d.label], d.confidence,
              d.label) for d in item.directions]
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO news.sentiments (article_id, model, symbol, score, label, confidence,"
            " direction) VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        mentions = {(m.symbol or m.sector or m.name, m.start): m for m in item.mentions}
        await cur.executemany(
            "INSERT INTO news.entities (article_id, symbol, kind, mention, start_offset,"
            " end_offset) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(article_id, key, m.kind, m.mention, m.start, m.end)
             for (key, _), m in mentions.items()])
