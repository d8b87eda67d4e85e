"""News routes (forwarded to news-nlp)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chitti.gateway.deps import NewsClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES
from chitti.news.schemas import ArticlesRequest

router = APIRouter(prefix="/api/news", tags=["news"])


@router.get("", responses=ERROR_RESPONSES)
async def get_news(news: NewsClient, params: Annotated[ArticlesRequest, Query()]) -> OrjsonResponse:
    """Articles newest first, with sentiment and the symbols they mention."""
    return OrjsonResponse(await news.call("get_articles", params))
