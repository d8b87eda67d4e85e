"""news-nlp: maps IPC actions to the news pipeline and its store, and polls the feeds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

from chitti.errors import BadRequest
from chitti.ipc.server import IpcServer
from chitti.news import direction, entities, sentiment, store
from chitti.news.fetch import FeedFetcher, FetchResult, next_try_delay_s
from chitti.news.parse import parse_feed
from chitti.news.pipeline import MODEL_NAME, plan_ingest
from chitti.news.schemas import (
    ArticlesRequest,
    EntitiesRequest,
    FeedIdRequest,
    FeedRequestBody,
    FeedUpdate,
    IngestRequest,
    SentimentRequest,
)
from chitti.runtime import ServiceContext

log = logging.getLogger(__name__)

#: Scheduled polls land within ±10% of a feed's interval, so feeds drift apart.
JITTER = 0.1


async def load_matcher(ctx: ServiceContext) -> entities.EntityMatcher:
    """The symbol master in ``md.symbols``, or the shipped reference lists when it is empty."""
    async with ctx.pool.connection() as conn:
        cur = await conn.execute("SELECT symbol, name, isin, sector, aliases FROM md.symbols")
        rows = await cur.fetchall()
    if not rows:
        log.info("md.symbols is empty: recognising companies from the shipped reference lists")
        return entities.default_matcher()
    records = [entities.SymbolRecord(r["symbol"], r["name"], r["isin"], r["sector"],
                                     tuple(r["aliases"] or ())) for r in rows]
    return await asyncio.to_thread(entities.build_matcher, records)


class NewsActions:
    """news-nlp's action handlers and feed scheduler, bound to one process's pool."""

    def __init__(self, ctx: ServiceContext, matcher: entities.EntityMatcher) -> None:
        self.ctx = ctx
        self.matcher = matcher
        self.fetcher = FeedFetcher(allow_private=ctx.settings.news_fetch_private)
        # One ingest at a time: near-duplicates across concurrent batches would double count
        # (this lock queues this process's; store.take_ingest_turn the other instances').
        self._ingest_lock = asyncio.Lock()
        self._scheduler: asyncio.Task[None] | None = None

    def start_scheduler(self) -> None:
        self._scheduler = asyncio.create_task(self.run_scheduler(), name="feed-poller")

    async def stop_scheduler(self) -> None:
        if self._scheduler is not None:
            self._scheduler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scheduler
            self._scheduler = None

    async def close(self) -> None:
        await self.stop_scheduler()
        await self.fetcher.aclose()

    # --- ingest ---------------------------------------------------------------------------

    async def ingest_body(self, body: bytes, *, source: str | None,
                          feed_id: int | None) -> dict[str, Any]:
        parsed = parse_feed(body, source_url=source)
        async with (self._ingest_lock, self.ctx.pool.connection() as conn,
                    conn.transaction()):
            await store.take_ingest_turn(conn)
            known = await store.known_link_hashes(conn, [a.link_hash for a in parsed.items])
            recent = await store.recent_articles(conn, list(parsed.items))
            plan = await asyncio.to_thread(plan_ingest, parsed.items, matcher=self.matcher,
                                           known_link_hashes=known, recent=recent)
            new_ids = await store.write_plan(conn, plan, feed_id=feed_id)
        return {"items": len(parsed.items), "new_article_ids": new_ids,
                "new_copies_of_stored": sum(len(e.link_hashes) for e in plan.extra_copies)}

    async def _poll(self, feed: dict[str, Any]) -> dict[str, Any]:
        """Fetch one stored feed, ingest it, record the outcome; never raises."""
        result: FetchResult = await self.fetcher.fetch(
            feed["url"], etag=feed["etag"], last_modified=feed["last_modified"])
        report: dict[str, Any] = {"feed_id": feed["id"], "url": feed["url"],
                                  "status": result.status, "new_article_ids": []}
        error = result.error
        if result.status == "ok" and result.body is not None:
            try:
                report |= await self.ingest_body(result.body, source=feed["url"],
                                                 feed_id=feed["id"])
            except BadRequest as exc:
                report["status"], error = "error", f"unreadable feed: {exc.message}"
        if report["status"] == "error":
            delay = max(next_try_delay_s(feed["failure_count"] + 1), result.retry_after_s or 0)
            report["error"] = error
        else:
            delay = feed["poll_interval_s"] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
        async with self.ctx.pool.connection() as conn:
            await store.record_fetch(conn, feed["id"], status=report["status"], error=error,
                                     etag=result.etag, last_modified=result.last_modified,
                                     next_in_s=delay)
        return report

    async def ingest_rss(self, req: IngestRequest) -> dict[str, Any]:
        if req.xml is not None:
            report = await self.ingest_body(req.xml.encode(), source=req.source, feed_id=None)
            return {"feeds": [{"url": req.source, "status": "ok", **report}],
                    "new_article_ids": report["new_article_ids"]}
        if req.url is not None:
            result = await self.fetcher.fetch(req.url)
            if result.status != "ok" or result.body is None:
                raise BadRequest(f"could not fetch {req.url}: {result.error or result.status}")
            report = await self.ingest_body(result.body, source=req.url, feed_id=None)
            return {"feeds": [{"url": req.url, "status": "ok", **report}],
                    "new_article_ids": report["new_article_ids"]}
        async with self.ctx.pool.connection() as conn:
            feeds = await store.list_feeds(conn, due_only=req.due_only)
        if req.feed_id is not None:
            feeds = [f for f in feeds if f["id"] == req.feed_id]
            if not feeds:
                raise BadRequest(f"no feed with id {req.feed_id}; see GET /api/news/feeds")
        reports = await asyncio.gather(*(self._poll(f) for f in feeds if f["enabled"]))
        return {"feeds": reports,
                "new_article_ids": [i for r in reports for i in r["new_article_ids"]]}

    async def run_scheduler(self) -> None:
        """Poll due feeds forever; a failing feed is recorded and never stops the others."""
        while True:
            try:
                report = await self.ingest_rss(IngestRequest(due_only=True))
                if report["new_article_ids"]:
                    log.info("scheduled poll stored %d new articles",
                             len(report["new_article_ids"]))
            except Exception:
                log.exception("scheduled feed poll failed")
            check = self.ctx.settings.news_poll_check_s
            await asyncio.sleep(check * random.uniform(1 - JITTER, 1 + JITTER))  # noqa: S311

    # --- NLP and queries ------------------------------------------------------------------

    async def analyze_sentiment(self, req: SentimentRequest) -> dict[str, Any]:
        moods = await asyncio.to_thread(sentiment.analyze_many, req.texts)
        results = [m.to_dict() for m in moods]
        if req.targets is not None:
            pairs = list(zip(req.texts, req.targets, strict=True))
            directions = await asyncio.to_thread(direction.assess_many, pairs)
            for result, target, found in zip(results, req.targets, directions, strict=True):
                result["target"], result["direction"] = target, found.to_dict()
        return {"results": results, "model": MODEL_NAME}

    async def extract_entities(self, req: EntitiesRequest) -> dict[str, Any]:
        found = self.matcher.extract(req.text)
        return {"entities": [{"symbol": m.symbol, "name": m.name, "sector": m.sector,
                              "kind": m.kind, "mention": m.mention, "start": m.start,
                              "end": m.end} for m in found]}

    async def get_articles(self, req: ArticlesRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            rows = await store.get_articles(
                conn, symbol=req.symbol, since=req.since, sentiment=req.sentiment,
                source=req.source, query=req.q, limit=req.limit, offset=req.offset)
        return {"articles": rows, "count": len(rows)}

    async def list_feeds(self, _: dict[str, Any]) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            return {"feeds": await store.list_feeds(conn, article_counts=True)}

    async def update_feed(self, req: FeedUpdate) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            # null clears a title; for the others it means "leave as is"
            changes = {k: v for k, v in req.model_dump(exclude={"feed_id"},
                                                       exclude_unset=True).items()
                       if v is not None or k == "title"}
            return {"feed": await store.update_feed(conn, req.feed_id, changes)}

    async def delete_feed(self, req: FeedIdRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            await store.delete_feed(conn, req.feed_id)
        return {"deleted": req.feed_id}

    async def add_feed(self, req: FeedRequestBody) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            return {"feed": await store.add_feed(conn, req.url, req.title, req.poll_interval_s)}


async def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach news-nlp's actions to ``server`` and start polling the feeds."""
    actions = NewsActions(ctx, await load_matcher(ctx))
    ctx.on_stop.append(actions.stop_scheduler)
    ctx.on_close.append(actions.close)
    for name, params in (("ingest_rss", IngestRequest), ("analyze_sentiment", SentimentRequest),
                         ("extract_entities", EntitiesRequest), ("get_articles", ArticlesRequest),
                         ("list_feeds", None), ("add_feed", FeedRequestBody),
                         ("update_feed", FeedUpdate), ("delete_feed", FeedIdRequest)):
        server.action(name, params=params)(getattr(actions, name))
    if ctx.settings.news_poll:
        actions.start_scheduler()
