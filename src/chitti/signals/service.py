"""signal-service: maps IPC actions to alert generation and queries."""

from __future__ import annotations

from typing import Any

from chitti.ipc.server import IpcServer
from chitti.runtime import ServiceContext
from chitti.signals import store
from chitti.signals.schemas import AlertsRequest


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach signal-service's actions to ``server``."""

    @server.action("get_alerts", params=AlertsRequest)
    async def get_alerts(req: AlertsRequest) -> dict[str, Any]:
        async with ctx.pool.connection() as conn:
            rows = await store.get_alerts(conn, **req.model_dump())
        next_before = rows[-1]["id"] if rows and req.after_id is None else None
        return {"alerts": rows, "count": len(rows), "next_before_id": next_before}
