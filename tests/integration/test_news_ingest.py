"""news-nlp ingest against a real PostgreSQL and a local feed server: idempotent, one article
per story, entities and sentiment stored, new ids announced, failing feeds recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from tests.feed_server import FIXTURES, FeedServer, serve_feeds

from chitti.config import Settings
from chitti.news import store
from chitti.news.schemas import FeedList, IngestRequest
from chitti.news.service import NewsActions, load_matcher
from chitti.runtime import service_context

GOOGLE = "googlenews_in_markets.xml"
#: A fourth publisher's copy of a story the GOOGLE feed carries three times.
REUTERS_COPY = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>
  <title>Reliance Industries shares jump 3% after Jio tariff hike - Reuters</title>
  <link>https://www.reuters.com/markets/reliance-jio-tariff</link>
  <source url="https://www.reuters.com">Reuters</source></item></channel></rss>"""


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with serve_feeds() as server:
        yield server


@pytest.fixture
async def news(clean_db: str) -> AsyncIterator[NewsActions]:
    settings = Settings(database_url=clean_db, news_poll=False, news_fetch_private=True)
    async with service_context("news-nlp", settings) as ctx:
        actions = NewsActions(ctx, await load_matcher(ctx))
        ctx.on_close.append(actions.close)
        yield actions


def rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


async def test_ingesting_twice_stores_each_story_once(
    news: NewsActions, feeds: FeedServer, clean_db: str
) -> None:
    first = await news.ingest_rss(IngestRequest(url=feeds.url(f"/feed/{GOOGLE}")))
    second = await news.ingest_rss(IngestRequest(url=feeds.url(f"/feed/{GOOGLE}")))
    assert len(first["new_article_ids"]) == 8  # 11 items: 1 exact repeat, 3 copies of one story
    assert second["new_article_ids"] == []
    assert rows(clean_db, "SELECT count(*) FROM news.articles") == [(8,)]
    (reliance,) = rows(clean_db, "SELECT duplicate_count, publishers FROM news.articles"
                                 " WHERE title LIKE 'Reliance Industries shares jump%%'")
    assert reliance[0] == 2 and len(reliance[1]) == 3  # type: ignore[arg-type]
    # every article has its headline sentiment, every company mention its direction
    assert rows(clean_db, "SELECT count(*) FROM news.articles a WHERE NOT EXISTS (SELECT 1"
                          " FROM news.sentiments s WHERE s.article_id = a.id"
                          " AND s.symbol = '')") == [(0,)]
    companies = rows(clean_db, "SELECT count(DISTINCT (article_id, symbol)) FROM news.entities"
                               " WHERE kind = 'company'")
    directions = rows(clean_db, "SELECT count(*) FROM news.sentiments WHERE symbol <> ''")
    assert companies == directions and companies[0][0] >= 8  # type: ignore[operator]


async def test_entities_and_directions_are_stored_per_company(
    news: NewsActions, clean_db: str
) -> None:
    await news.ingest_body((FIXTURES / GOOGLE).read_bytes(), source=GOOGLE, feed_id=None)
    hdfc = rows(clean_db, "SELECT e.symbol, s.label, s.direction FROM news.articles a"
                          " JOIN news.entities e ON e.article_id = a.id"
                          " JOIN news.sentiments s ON s.article_id = a.id AND s.symbol = ''"
                          " WHERE a.title LIKE 'HDFC Bank Q1 results%%'")
    assert ("HDFCBANK", "positive", "bullish") in hdfc
    tata = dict(rows(clean_db, "SELECT s.symbol, s.direction FROM news.articles a"
                               " JOIN news.sentiments s ON s.article_id = a.id"
                               " WHERE a.title LIKE 'Tata Motors slips%%' AND s.symbol <> ''"))
    assert tata.get("TATASTEEL") == "bullish"
    assert "bearish" in {v for k, v in tata.items() if k != "TATASTEEL"}


async def test_new_articles_are_announced(news: NewsActions, clean_db: str) -> None:
    with psycopg.connect(clean_db, autocommit=True) as listener:
        listener.execute("LISTEN news_ingested")
        report = await news.ingest_body((FIXTURES / GOOGLE).read_bytes(), source=GOOGLE,
                                        feed_id=None)
        notes = list(listener.notifies(timeout=2, stop_after=1))
    announced = [int(i) for n in notes for i in n.payload.split(",")]
    assert announced == report["new_article_ids"]


async def test_a_copy_from_another_publisher_later_counts_as_duplicate(
    news: NewsActions, clean_db: str
) -> None:
    await news.ingest_body((FIXTURES / GOOGLE).read_bytes(), source=GOOGLE, feed_id=None)
    later = REUTERS_COPY
    report = await news.ingest_body(later, source="later", feed_id=None)
    assert report["new_article_ids"] == [] and report["new_copies_of_stored"] == 1
    (reliance,) = rows(clean_db, "SELECT duplicate_count, publishers FROM news.articles"
                                 " WHERE title LIKE 'Reliance Industries shares jump%%'")
    assert reliance[0] == 3 and "Reuters" in reliance[1]  # type: ignore[operator]
    again = await news.ingest_body(later, source="later", feed_id=None)
    assert again["new_copies_of_stored"] == 0


async def test_two_instances_ingesting_copies_of_one_story_at_once_store_it_once(
    news: NewsActions, clean_db: str
) -> None:
    """CHITTI_NEWS_NLP_INSTANCES=2: each instance is its own process with its own pool, so
    only the database can make their ingests take turns."""
    settings = Settings(database_url=clean_db, news_poll=False)
    async with service_context("news-nlp", settings) as ctx:
        other = NewsActions(ctx, await load_matcher(ctx))
        ctx.on_close.append(other.close)
        await asyncio.gather(
            news.ingest_body((FIXTURES / GOOGLE).read_bytes(), source=GOOGLE, feed_id=None),
            other.ingest_body(REUTERS_COPY, source="later", feed_id=None))
    (reliance,) = rows(clean_db, "SELECT duplicate_count, publishers FROM news.articles"
                                 " WHERE title LIKE 'Reliance Industries shares jump%%'")
    assert reliance[0] == 3 and "Reuters" in reliance[1]  # type: ignore[operator]


async def test_failing_feeds_are_recorded_and_never_stop_the_others(
    news: NewsActions, feeds: FeedServer, clean_db: str
) -> None:
    async with news.ctx.pool.connection() as conn:
        for path in (f"/feed/{GOOGLE}", "/status/500", "/garbage/x", "/status/404"):
            await store.add_feed(conn, feeds.url(path), None, 300)
    news.fetcher = type(news.fetcher)(attempts=1, allow_private=True)
    report = await news.ingest_rss(IngestRequest())
    by_url = {r["url"].rsplit(":", 1)[1]: r for r in report["feeds"]}
    assert len(report["new_article_ids"]) == 8
    feed_rows = rows(clean_db, "SELECT url, last_status, failure_count,"
                               " next_fetch_at > now() + interval '4 minutes' FROM news.feeds")
    state = {str(url).split("/", 3)[3]: tuple(rest) for url, *rest in feed_rows}
    assert state == {
        f"feed/{GOOGLE}": ("ok", 0, True), "status/500": ("error", 1, True),
        "garbage/x": ("error", 1, True), "status/404": ("error", 1, True)}
    assert all(r["error"] for url, r in by_url.items() if "feed/" not in url)
    # nothing is due now: a scheduled poll fetches nothing
    assert (await news.ingest_rss(IngestRequest(due_only=True)))["feeds"] == []


async def test_conditional_get_after_first_poll(
    news: NewsActions, feeds: FeedServer, clean_db: str
) -> None:
    async with news.ctx.pool.connection() as conn:
        feed = await store.add_feed(conn, feeds.url(f"/feed/{GOOGLE}"), None, 300)
    first = await news.ingest_rss(IngestRequest(feed_id=feed["id"]))
    second = await news.ingest_rss(IngestRequest(feed_id=feed["id"]))
    assert [first["feeds"][0]["status"], second["feeds"][0]["status"]] == ["ok", "not_modified"]


async def test_the_feed_list_shows_each_feeds_last_poll_and_its_articles(
    news: NewsActions, feeds: FeedServer, clean_db: str
) -> None:
    async with news.ctx.pool.connection() as conn:
        added = {name: (await store.add_feed(conn, feeds.url(path), None, 300))["id"]
                 for name, path in (("google", f"/feed/{GOOGLE}"),
                                    ("same_stories", f"/gzip/{GOOGLE}"),
                                    ("broken", "/status/404"),
                                    ("never", "/feed/atom_markets.xml"))}
    news.fetcher = type(news.fetcher)(attempts=1, allow_private=True)
    started = datetime.now(UTC)
    polled = {name: (await news.ingest_rss(IngestRequest(feed_id=added[name])))["feeds"][0]
              for name in ("google", "same_stories", "broken")}
    # an ingest of a bare URL stores articles, but no feed's
    by_url = await news.ingest_rss(IngestRequest(url=feeds.url("/feed/atom_markets.xml")))
    polled_by = datetime.now(UTC)
    listed = FeedList.model_validate(await news.list_feeds({}))  # strict: no extra keys
    state = {feed.id: feed for feed in listed.feeds}
    google, same, broken, never = (state[added[name]] for name in added)

    assert len(polled["google"]["new_article_ids"]) == 8
    assert (google.last_status, google.last_error, google.failure_count,
            google.article_count) == ("ok", None, 0, 8)
    # the same stories from another feed are copies of the stored ones: no new articles
    assert (same.last_status, same.article_count) == ("ok", 0)
    assert broken.last_status == "error" and broken.last_error == polled["broken"]["error"]
    assert "404" in (broken.last_error or "") and broken.failure_count == 1
    assert broken.article_count == 0
    for feed in (google, same, broken):
        assert feed.last_fetched_at is not None
        assert started <= feed.last_fetched_at <= polled_by
    assert by_url["new_article_ids"]
    assert (never.last_status, never.last_fetched_at, never.article_count) == (None, None, 0)
    assert rows(clean_db, "SELECT count(*) FROM news.articles") == [
        (8 + len(by_url["new_article_ids"]),)]

    again = await news.ingest_rss(IngestRequest(feed_id=added["google"]))
    assert again["feeds"][0]["status"] == "not_modified"
    after = {f.id: f for f in FeedList.model_validate(await news.list_feeds({})).feeds}
    google_now = after[added["google"]]
    assert (google_now.last_status, google_now.last_error, google_now.article_count) == (
        "not_modified", None, 8)
    assert google_now.last_fetched_at and google_now.last_fetched_at > polled_by
