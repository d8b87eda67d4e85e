"""news-nlp: maps IPC actions to the news pipeline and its store."""

from __future__ import annotations

from typing import Any

from chitti.ipc.server import IpcServer
from chitti.news import store
from chitti.news.schemas import ArticlesRequest
from chitti.runtime import ServiceContext


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach news-nlp's actions to ``server``."""

    @server.action("get_articles", params=ArticlesRequest)
    async def get_articles(req: ArticlesRequest) -> dict[str, Any]:
        async with ctx.pool.connection() as conn:
            rows = await store.get_articles(
                conn, symbol=req.symbol, since=req.since, sentiment=req.sentiment,
                source=req.source, query=req.q, limit=req.limit, offset=req.offset)
        return {"articles": rows, "count": len(rows)}
