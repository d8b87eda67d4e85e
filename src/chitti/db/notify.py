"""Fan PostgreSQL NOTIFY events out to many in-process subscribers.

One LISTEN connection per process: each notification carries a row id; the rows are fetched
by id (not "everything after the last id", which would skip rows whose transactions commit
out of order) and handed to every subscriber whose filter matches. After a lost connection the
feed reconnects with back-off and catches up on what it missed with ``fetch_after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection, sql

log = logging.getLogger(__name__)

Row = dict[str, Any]
FetchByIds = Callable[[list[int]], Awaitable[list[Row]]]
FetchAfter = Callable[[int], Awaitable[list[Row]]]
LatestId = Callable[[], Awaitable[int]]

#: Rows fetched per page when a stream replays what a client missed.
REPLAY_PAGE = 500
#: ``fetch_page(after_id, limit)``: the matching rows after an id, oldest first.
FetchPage = Callable[[int, int], Awaitable[list["Row"]]]


#: NOTIFY payloads must stay under 8000 bytes.
PAYLOAD_LIMIT = 7000


def payload_chunks(items: Iterable[object], limit: int = PAYLOAD_LIMIT) -> list[str]:
    """``items`` as comma-separated NOTIFY payloads, each under ``limit`` bytes."""
    chunks, current = [], ""
    for item in items:
        token = str(item)
        if current and len(current) + len(token) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current},{token}" if current else token
    return [*chunks, current] if current else chunks


class StreamMark(enum.Enum):
    """What a replay-then-live stream yields besides rows."""

    CONNECTED = "connected"
    IDLE = "idle"


#: Rows a slow subscriber may fall behind before it is cut off (its stream then ends and
#: an SSE client reconnects with Last-Event-ID, losing nothing); ``CHITTI_SSE_MAX_BACKLOG``
#: in the gateway.
QUEUE_LIMIT = 10_000


@dataclass(eq=False)
class Subscription:
    matches: Callable[[Row], bool]
    limit: int = QUEUE_LIMIT
    queue: asyncio.Queue[Row | None] = field(init=False)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.limit)

    async def get(self) -> Row | None:
        """The next matching row; None when the feed dropped this subscriber."""
        return await self.queue.get()

    def drop(self) -> None:
        """End this subscription: discard every queued row, then queue the end mark.

        All of the backlog goes, not just its oldest row, so what the subscriber saw stays a
        gap-free prefix and a client resuming after its last id loses nothing.
        """
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class NotifyFeed:
    """LISTEN on ``channel`` and deliver the notified rows to subscribers."""

    def __init__(self, url: str, channel: str, *, fetch_by_ids: FetchByIds,
                 fetch_after: FetchAfter, latest_id: LatestId,
                 queue_limit: int = QUEUE_LIMIT) -> None:
        self.url = url
        self.queue_limit = queue_limit
        self.channel = channel
        self.fetch_by_ids = fetch_by_ids
        self.fetch_after = fetch_after
        self.latest_id = latest_id
        self.subscribers: set[Subscription] = set()
        self.last_id = 0
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen-{self.channel}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.contextmanager
    def subscribe(self, matches: Callable[[Row], bool] = lambda _: True
                  ) -> Iterator[Subscription]:
        subscription = Subscription(matches, self.queue_limit)
        self.subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self.subscribers.discard(subscription)

    async def replay_then_live(
        self, matches: Callable[[Row], bool], after_id: int | None, fetch_page: FetchPage,
        *, page_size: int = REPLAY_PAGE, idle_s: float | None = None,
        ready_timeout_s: float = 10.0,
    ) -> AsyncIterator[Row | StreamMark]:
        """Every matching row after ``after_id`` exactly once, in id order, then live rows:
        the one algorithm of SSE, WebSocket and IPC ``subscribe``.

        The subscription starts *before* the replay, so a row committed during the replay is
        either in a page or in the queue (and then skipped by id, not sent twice). Yields
        ``CONNECTED`` once the feed is listening (from then on nothing is missed), and
        ``IDLE`` after ``idle_s`` without a row (for keep-alives). Ends when the subscriber
        falls too far behind (its client reconnects with the last id it saw).
        """
        with self.subscribe(matches) as live:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ready.wait(), ready_timeout_s)
            yield StreamMark.CONNECTED
            last = after_id
            while last is not None:
                page = await fetch_page(last, page_size)
                for row in page:
                    yield row
                    last = int(row["id"])
                if len(page) < page_size:
                    break
            while True:
                try:
                    fresh: Row | None = await asyncio.wait_for(live.get(), idle_s)
                except TimeoutError:
                    yield StreamMark.IDLE
                    continue
                if fresh is None:
                    return
                if last is None or int(fresh["id"]) > last:
                    yield fresh

    def deliver(self, rows: list[Row]) -> None:
        """Hand ``rows`` to every matching subscriber in id order; drop a subscriber whose
        queue is full (it stopped reading)."""
        for row in sorted(rows, key=lambda r: int(r["id"])):
            self.last_id = max(self.last_id, int(row["id"]))
            for sub in list(self.subscribers):
                if not sub.matches(row):
                    continue
                try:
                    sub.queue.put_nowait(row)
                except asyncio.QueueFull:
                    log.warning("dropping a subscriber %d rows behind on %s",
                                self.queue_limit, self.channel)
                    self.subscribers.discard(sub)
                    sub.drop()

    async def _on_connect(self) -> None:
        if self.ready.is_set():  # a reconnect: deliver what was missed meanwhile
            self.deliver(await self.fetch_after(self.last_id))
        else:  # subscribers want what comes from now on
            self.last_id = await self.latest_id()
            self.ready.set()

    async def _on_payloads(self, payloads: list[str]) -> None:
        # A payload is one id or comma-separated ids (news_ingested batches).
        ids = sorted({int(part) for p in payloads for part in p.split(",") if part.isdigit()})
        if ids:
            self.deliver(await self.fetch_by_ids(ids))

    async def _run(self) -> None:
        await listen_forever(self.url, {self.channel: self._on_payloads},
                             on_connect=self._on_connect)


#: What a channel's notifications are handed to: every payload of one burst at once.
OnPayloads = Callable[[list[str]], Awaitable[None]]


async def listen_forever(
    url: str, handlers: Mapping[str, OnPayloads], *,
    on_connect: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """LISTEN on every channel of ``handlers``, on one connection, until cancelled,
    reconnecting with back-off.

    Each handler gets its channel's share of a burst of notifications at once;
    ``on_connect`` runs after every (re)connection, before notifications are read. An
    exception in either drops the connection and reconnects (then ``on_connect`` can catch
    up on what was missed).
    """
    channels = ", ".join(handlers)
    backoff = 0.2
    while True:
        try:
            async with await AsyncConnection.connect(url, autocommit=True) as conn:
                for channel in handlers:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                if on_connect is not None:
                    await on_connect()
                backoff = 0.2
                while True:
                    # Block for one notification, then take the rest of a burst.
                    notes = [n async for n in conn.notifies(stop_after=1)]
                    notes += [n async for n in conn.notifies(timeout=0.01)]
                    for channel, handler in handlers.items():
                        payloads = [n.payload for n in notes if n.channel == channel]
                        if payloads:
                            await handler(payloads)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("LISTEN %s lost (%s); reconnecting in %.1f s", channels, exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
