"""signal-service: maps IPC actions to alert generation, queries and the live stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from chitti.db.notify import NotifyFeed
from chitti.ipc.server import IpcServer
from chitti.runtime import ServiceContext
from chitti.signals import store
from chitti.signals.schemas import AlertsRequest, SubscribeRequest

#: Alerts per page when replaying a stream for a client that missed some.
REPLAY_PAGE = 500


class SignalActions:
    """signal-service's action handlers, bound to one process's pool and alert feed."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.feed = NotifyFeed(ctx.database_url, "new_alert", fetch_by_ids=self._by_ids,
                               fetch_after=self._after, latest_id=self._latest_id)

    async def _query(self, req: AlertsRequest) -> list[dict[str, Any]]:
        async with self.ctx.pool.connection() as conn:
            return await store.get_alerts(conn, **req.model_dump())

    async def _by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        return await self._query(AlertsRequest(ids=ids, limit=len(ids)))

    async def _after(self, last_id: int) -> list[dict[str, Any]]:
        return await self._query(AlertsRequest(after_id=last_id, limit=1000))

    async def _latest_id(self) -> int:
        newest = await self._query(AlertsRequest(limit=1))
        return int(newest[0]["id"]) if newest else 0

    async def get_alerts(self, req: AlertsRequest) -> dict[str, Any]:
        rows = await self._query(req)
        next_before = rows[-1]["id"] if rows and req.after_id is None else None
        return {"alerts": rows, "count": len(rows), "next_before_id": next_before}

    async def subscribe(self, req: SubscribeRequest) -> AsyncIterator[dict[str, Any]]:
        """Yield ``{"event": "new_alert", "data": alert}``: missed ones first, then live."""
        with self.feed.subscribe(req.matches) as live:
            last = req.after_id
            while last is not None:
                page = await self._query(AlertsRequest(**req.query(after_id=last),
                                                       limit=REPLAY_PAGE))
                for alert in page:
                    yield {"event": "new_alert", "data": alert}
                    last = alert["id"]
                if len(page) < REPLAY_PAGE:
                    break
            while (fresh := await live.get()) is not None:
                if last is None or fresh["id"] > last:
                    yield {"event": "new_alert", "data": fresh}


async def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach signal-service's actions to ``server`` and start its alert feed."""
    actions = SignalActions(ctx)
    actions.feed.start()
    ctx.on_close.append(actions.feed.close)
    server.action("get_alerts", params=AlertsRequest)(actions.get_alerts)
    server.action("subscribe", params=SubscribeRequest)(actions.subscribe)
