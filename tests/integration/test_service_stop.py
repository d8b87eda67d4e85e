"""A service told to stop ends its background duties (feed poller, alert watchers) before it
drains: during a ``chitti reload`` its successor already runs them, and the draining
process only finishes the requests it has."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from chitti.config import Settings
from chitti.ipc import IpcClient, IpcServer
from chitti.runtime import ServiceContext, serve


async def test_duties_end_before_the_requests_in_flight_are_drained(
    clean_db: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=clean_db, var_dir=tmp_path, drain_s=10)
    events: list[str] = []
    started = asyncio.Event()

    def register(server: IpcServer, ctx: ServiceContext) -> None:
        @server.action("slow")
        async def slow(_: Any) -> dict[str, Any]:
            started.set()
            await asyncio.sleep(1.0)
            events.append("request answered")
            return {}

        async def duty() -> None:
            events.append("duty ended")

        ctx.on_stop.append(duty)

    service = asyncio.create_task(serve("news-nlp", settings, register))
    async with IpcClient(settings.endpoints("news-nlp"), timeout=30) as client:
        for _ in range(300):
            try:
                await client.call("health", timeout=1)
                break
            except Exception:  # noqa: BLE001 - not listening yet
                await asyncio.sleep(0.1)
        call = asyncio.create_task(client.call("slow"))
        await started.wait()
        os.kill(os.getpid(), signal.SIGTERM)  # serve() handles it: stop, then drain
        assert await call == {}
    await asyncio.wait_for(service, 30)
    assert events == ["duty ended", "request answered"]
