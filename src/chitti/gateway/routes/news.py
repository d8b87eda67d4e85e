"""News and NLP routes (forwarded to news-nlp)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from chitti.gateway.access import Access, Admin, Viewer, ViewerCompute
from chitti.gateway.auth import Principal
from chitti.gateway.deps import NewsClient, RowId
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, NOT_FOUND
from chitti.news.schemas import (
    ArticlePage,
    ArticlesRequest,
    EntitiesRequest,
    EntityList,
    FeedAdded,
    FeedChange,
    FeedIdRequest,
    FeedList,
    FeedRequestBody,
    FeedUpdate,
    IngestReport,
    IngestRequest,
    SentimentReport,
    SentimentRequest,
)

router = APIRouter(tags=["news"])

#: Ingesting fetches and scores whole feeds: an admin task, charged as computation.
AdminCompute = Annotated[Principal, Depends(Access("admin", "compute"))]


@router.get("/api/news", response_model=ArticlePage, responses=ERROR_RESPONSES)
async def get_news(news: NewsClient, params: Annotated[ArticlesRequest, Query()],
                   _: Viewer) -> OrjsonResponse:
    """Articles newest first, with sentiment and the symbols they mention."""
    return OrjsonResponse(await news.call("get_articles", params))


@router.post("/api/news/ingest", response_model=IngestReport, responses=ERROR_RESPONSES)
async def ingest(body: IngestRequest, news: NewsClient, _: AdminCompute) -> OrjsonResponse:
    """Fetch and store now: one URL, one feed, an inline feed body, or all (due) feeds."""
    return OrjsonResponse(await news.call("ingest_rss", body, timeout=120))


@router.get("/api/news/feeds", response_model=FeedList)
async def list_feeds(news: NewsClient, _: Admin) -> OrjsonResponse:
    """Feeds with their polling state (last status, error, next fetch)."""
    return OrjsonResponse(await news.call("list_feeds"))


@router.post("/api/news/feeds", response_model=FeedAdded, responses=ERROR_RESPONSES,
             status_code=201)
async def add_feed(body: FeedRequestBody, news: NewsClient, _: Admin) -> OrjsonResponse:
    """Add an RSS 2.0 or Atom feed to poll."""
    return OrjsonResponse(await news.call("add_feed", body), status_code=201)


@router.patch("/api/news/feeds/{feed_id}", response_model=FeedAdded,
              responses={**ERROR_RESPONSES, **NOT_FOUND})
async def change_feed(feed_id: RowId, body: FeedChange, news: NewsClient,
                      _: Admin) -> OrjsonResponse:
    """Disable (``"enabled": false``) or enable a feed, rename it, or change its interval."""
    update = FeedUpdate(feed_id=feed_id, **body.model_dump(exclude_unset=True))
    return OrjsonResponse(await news.call("update_feed", update.model_dump(exclude_unset=True)))


@router.delete("/api/news/feeds/{feed_id}", status_code=204,
               responses={**ERROR_RESPONSES, **NOT_FOUND})
async def delete_feed(feed_id: RowId, news: NewsClient, _: Admin) -> Response:
    """Forget a feed (its stored articles stay)."""
    await news.call("delete_feed", FeedIdRequest(feed_id=feed_id))
    return Response(status_code=204)


@router.post("/api/nlp/sentiment", response_model=SentimentReport,
             responses=ERROR_RESPONSES)
async def analyze_sentiment(body: SentimentRequest, news: NewsClient,
                            _: ViewerCompute) -> OrjsonResponse:
    """Financial sentiment of each text (label, score in [-1, 1], confidence); with
    ``targets``, also each target company's direction (bullish/bearish/neutral)."""
    return OrjsonResponse(await news.call("analyze_sentiment", body))


@router.post("/api/nlp/entities", response_model=EntityList, responses=ERROR_RESPONSES)
async def extract_entities(body: EntitiesRequest, news: NewsClient,
                           _: ViewerCompute) -> OrjsonResponse:
    """Listed companies (NSE symbols), indices and sectors mentioned in the text."""
    return OrjsonResponse(await news.call("extract_entities", body))
