"""Server-sent events: the live alert stream of every gateway instance.

Each gateway LISTENs for ``new_alert`` (payload: the alert id), fetches the alerts from
signal-service and fans them out to its SSE clients, so any number of gateways see every
alert. Events carry ``id:`` = alert id: a reconnecting client sends ``Last-Event-ID`` and first
receives what it missed (replayed from the table, through signal-service), then live alerts,
each exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from chitti.db.notify import NotifyFeed, StreamMark
from chitti.ipc.client import IpcClient
from chitti.signals.schemas import AlertStreamFilter

KEEPALIVE_S = 15.0
#: Tells EventSource clients how soon to reconnect (ms).
RETRY_MS = 2000
#: How long a new stream waits for the gateway's LISTEN connection before it says connected.
FEED_READY_TIMEOUT_S = 10.0

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
               "Connection": "keep-alive"}


def alert_feed(url: str, signals: IpcClient, *, max_backlog: int) -> NotifyFeed:
    """The gateway's feed of new alerts, fetched through signal-service; a client more than
    ``max_backlog`` alerts behind (it stopped reading) is dropped."""

    async def by_ids(ids: list[int]) -> list[dict[str, Any]]:
        return (await signals.call("get_alerts", {"ids": ids, "limit": len(ids)}))["alerts"]  # type: ignore[no-any-return]

    async def after(last_id: int) -> list[dict[str, Any]]:
        return (await signals.call("get_alerts", {"after_id": last_id, "limit": 1000}))["alerts"]  # type: ignore[no-any-return]

    async def latest() -> int:
        newest = (await signals.call("get_alerts", {"limit": 1}))["alerts"]
        return int(newest[0]["id"]) if newest else 0

    return NotifyFeed(url, "new_alert", fetch_by_ids=by_ids, fetch_after=after,
                      latest_id=latest, queue_limit=max_backlog)


def format_event(alert: dict[str, Any]) -> bytes:
    return (b"id: %d\nevent: new_alert\ndata: " % alert["id"]) + orjson.dumps(alert) + b"\n\n"


async def alert_events(
    feed: NotifyFeed, signals: IpcClient, stream_filter: AlertStreamFilter,
    last_event_id: int | None, *, keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[bytes]:
    """The SSE body: replay after ``last_event_id``, then live alerts and keep-alives."""

    async def page(after_id: int, limit: int) -> list[dict[str, Any]]:
        reply = await signals.call("get_alerts", stream_filter.query(after_id=after_id,
                                                                     limit=limit))
        return reply["alerts"]  # type: ignore[no-any-return]

    async for item in feed.replay_then_live(stream_filter.matches, last_event_id, page,
                                            idle_s=keepalive_s,
                                            ready_timeout_s=FEED_READY_TIMEOUT_S):
        if item is StreamMark.CONNECTED:
            yield b"retry: %d\n: connected\n\n" % RETRY_MS
        elif item is StreamMark.IDLE:
            yield b": keep-alive\n\n"
        else:
            yield format_event(item)
