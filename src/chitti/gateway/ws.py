"""``GET /api/ws``: one WebSocket for the live alert stream and a symbol's bars.

The client sends JSON messages (``op``):

- ``{"op": "alerts", "after_id": 120, "symbol": "TCS", ...}`` starts (or restarts) the alert
  stream with the SSE filter: alerts after ``after_id`` first, then live ones, each once;
- ``{"op": "subscribe", "symbol": "TCS", "indicators": [{"name": "sma", "params":
  {"timeperiod": 20}}]}`` sends the symbol's latest bar with those indicators' values now,
  and again whenever new bars of the symbol are loaded (``eod_loaded``);
- ``{"op": "unsubscribe", "symbol": "TCS"}``, ``{"op": "ping"}``.

The server answers ``{"type": "connected" | "alert" | "bar" | "subscribed" |
"unsubscribed" | "job" | "pong" | "error", ...}``; ``job`` messages tell the user's jobs'
changes of state (``{"type": "job", "id": ..., "state": "done"}``). An invalid message gets
an ``error`` and the connection stays open. Authentication happens before the handshake
completes: the session cookie, an ``Authorization``/``X-API-Key`` header, or a single-use
``?ticket=``; without one the handshake is refused (HTTP 403; close code 4401 where the
client sees it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, RootModel, ValidationError

from chitti.compute.schemas import BatchIndicator, IndicatorRequest, OhlcvRequest
from chitti.db.notify import NotifyFeed, StreamMark
from chitti.errors import ChittiError
from chitti.gateway.access import ACCESS_COOKIE, Authenticator, client_ip
from chitti.gateway.auth import Principal
from chitti.gateway.jobs import JobRunner
from chitti.ipc.client import IpcClient
from chitti.marketdata.adjust import Adjust
from chitti.schemas import REQUEST_CONFIG
from chitti.signals.schemas import AlertStreamFilter

log = logging.getLogger(__name__)

#: How long the server waits without traffic before it pings.
PING_S = 20.0
#: Symbols one connection may follow at once.
MAX_SYMBOLS = 50
#: Close code when authentication fails (4000-4999 are the application's).
CLOSE_UNAUTHORIZED = 4401


class AlertsOp(AlertStreamFilter):
    op: Literal["alerts"]
    after_id: int | None = Field(default=None, ge=0, le=2**63 - 1)


class SubscribeOp(BaseModel):
    model_config = REQUEST_CONFIG
    op: Literal["subscribe"]
    symbol: Annotated[str, Field(min_length=1, max_length=32)]
    adjust: Adjust = "split"
    indicators: list[BatchIndicator] = Field(default_factory=list, max_length=20)


class UnsubscribeOp(BaseModel):
    model_config = REQUEST_CONFIG
    op: Literal["unsubscribe"]
    symbol: Annotated[str, Field(min_length=1, max_length=32)]


class PingOp(BaseModel):
    model_config = REQUEST_CONFIG
    op: Literal["ping"]


class ClientMessage(RootModel[Annotated[AlertsOp | SubscribeOp | UnsubscribeOp | PingOp,
                                        Field(discriminator="op")]]):
    """One message from the client, told apart by its ``op``."""


class BarFeed:
    """Wake the connections that follow a symbol when ``eod_loaded`` names it (the
    gateway's listener hands the payloads, comma-separated symbols, to ``on_loaded``)."""

    def __init__(self) -> None:
        self.followers: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)

    async def on_loaded(self, payloads: list[str]) -> None:
        symbols = {s for p in payloads for s in p.split(",") if s}
        for symbol in symbols:
            for queue in self.followers.get(symbol, ()):
                queue.put_nowait(symbol)


async def authenticate(websocket: WebSocket, auth: Authenticator) -> Principal:
    """The principal of a WebSocket handshake (the HTTP rules, read from the handshake)."""
    header = websocket.headers.get("authorization", "")
    bearer = header[7:] if header.lower().startswith("bearer ") else None
    principal = await auth.principal(bearer, websocket.headers.get("x-api-key"),
                                     websocket.cookies.get(ACCESS_COOKIE),
                                     websocket.query_params.get("ticket"))
    await auth.limiter.charge("read", [principal.limit_key, "ip:" + client_ip(websocket)])
    return principal


class Connection:
    """One WebSocket client: its alert stream and the symbols it follows."""

    def __init__(self, websocket: WebSocket, feed: NotifyFeed, bars: BarFeed, jobs: JobRunner,
                 signals: IpcClient, compute: IpcClient) -> None:
        self.ws = websocket
        self.feed = feed
        self.bars = bars
        self.jobs = jobs
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(1000)
        self.signals = signals
        self.compute = compute
        self.wake: asyncio.Queue[str] = asyncio.Queue()
        self.following: dict[str, SubscribeOp] = {}
        self.alert_task: asyncio.Task[None] | None = None
        self.send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send_bytes(orjson.dumps(message, option=orjson.OPT_SERIALIZE_NUMPY))

    async def run(self, principal: Principal) -> None:
        await self.send({"type": "connected", "user": principal.name, "role": principal.role})
        bar_task = asyncio.create_task(self._bar_updates())
        outbox_task = asyncio.create_task(self._drain_outbox())

        def job_update(job_id: str, _user: int, state: str) -> None:
            with contextlib.suppress(asyncio.QueueFull):  # a client that does not read
                self.outbox.put_nowait({"type": "job", "id": job_id, "state": state})

        self.jobs.listeners[principal.user_id].add(job_update)
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(self.ws.receive_text(), PING_S)
                except TimeoutError:
                    await self.send({"type": "ping"})
                    continue
                await self._handle(raw)
        except WebSocketDisconnect:
            pass
        finally:
            self.jobs.listeners[principal.user_id].discard(job_update)
            outbox_task.cancel()
            bar_task.cancel()
            if self.alert_task is not None:
                self.alert_task.cancel()
            for symbol in self.following:
                self.bars.followers[symbol].discard(self.wake)

    async def _handle(self, raw: str) -> None:
        try:
            message = ClientMessage.model_validate_json(raw).root
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}"
                                 for e in exc.errors()[:5])
            await self.send({"type": "error", "message": problems})
            return
        if isinstance(message, PingOp):
            await self.send({"type": "pong"})
        elif isinstance(message, AlertsOp):
            if self.alert_task is not None:
                self.alert_task.cancel()
            self.alert_task = asyncio.create_task(self._alerts(message))
        elif isinstance(message, SubscribeOp):
            await self._subscribe(message)
        else:
            symbol = message.symbol.upper()
            if self.following.pop(symbol, None) is not None:
                self.bars.followers[symbol].discard(self.wake)
            await self.send({"type": "unsubscribed", "symbol": symbol})

    async def _alerts(self, op: AlertsOp) -> None:
        stream_filter = AlertStreamFilter(**op.model_dump(exclude={"op", "after_id"}))

        async def page(after_id: int, limit: int) -> list[dict[str, Any]]:
            reply = await self.signals.call("get_alerts", stream_filter.query(
                after_id=after_id, limit=limit))
            return reply["alerts"]  # type: ignore[no-any-return]

        try:
            async for item in self.feed.replay_then_live(stream_filter.matches, op.after_id,
                                                         page):
                if item is StreamMark.CONNECTED:
                    await self.send({"type": "alerts", "status": "live"})
                elif not isinstance(item, StreamMark):
                    await self.send({"type": "alert", "data": item})
            await self.send({"type": "error", "message": "alert stream fell behind: send "
                                                         "alerts with the last after_id"})
        except ChittiError as exc:
            await self.send({"type": "error", "message": exc.message})
        except WebSocketDisconnect:
            pass

    async def _subscribe(self, op: SubscribeOp) -> None:
        symbol = op.symbol.upper()
        if symbol not in self.following and len(self.following) >= MAX_SYMBOLS:
            await self.send({"type": "error", "message": f"symbol: follow at most "
                                                         f"{MAX_SYMBOLS} symbols at once"})
            return
        op = op.model_copy(update={"symbol": symbol})
        try:
            bar = await self._latest(op)
        except ChittiError as exc:
            await self.send({"type": "error", "message": exc.message})
            return
        self.following[symbol] = op
        self.bars.followers[symbol].add(self.wake)
        await self.send({"type": "subscribed", "symbol": symbol})
        await self.send(bar)

    async def _drain_outbox(self) -> None:
        while True:
            await self.send(await self.outbox.get())

    async def _bar_updates(self) -> None:
        while True:
            symbol = await self.wake.get()
            op = self.following.get(symbol)
            if op is None:
                continue
            try:
                await self.send(await self._latest(op))
            except ChittiError as exc:
                await self.send({"type": "error", "message": exc.message})

    async def _latest(self, op: SubscribeOp) -> dict[str, Any]:
        """The symbol's last daily bar and each indicator's value on it."""
        bars = await self.compute.call("get_ohlcv", OhlcvRequest(
            symbol=op.symbol, adjust=op.adjust))
        if not bars["count"]:
            return {"type": "bar", "symbol": op.symbol, "bar": None, "indicators": {}}
        last = {key: bars[key][-1] for key in ("ts", "open", "high", "low", "close", "volume")}
        values: dict[str, dict[str, float | None]] = {}
        for item in op.indicators:
            reply = await self.compute.call("compute_indicator", IndicatorRequest(
                name=item.name, params=item.params, symbol=op.symbol, adjust=op.adjust,
                start=last["ts"][:10]))
            values[_label(reply)] = {name: series[-1] if series else None
                                     for name, series in reply["outputs"].items()}
        return {"type": "bar", "symbol": op.symbol, "adjust": op.adjust, "bar": last,
                "indicators": values}


def _label(reply: dict[str, Any]) -> str:
    params = ",".join(f"{k}={v}" for k, v in sorted(reply["params"].items()))
    return f"{reply['name']}({params})"


router = APIRouter()


@router.websocket("/api/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    """The live alert stream and symbol bars (see the module docstring); role viewer."""
    state = websocket.app.state
    try:
        principal = await authenticate(websocket, state.auth)
    except ChittiError as exc:
        log.info("WebSocket refused from %s: %s", client_ip(websocket), exc.message)
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason=exc.message[:120])
        return
    await websocket.accept()
    connection = Connection(websocket, state.alert_feed, state.bar_feed, state.jobs,
                            state.clients["signal-service"], state.clients["compute"])
    gauge = state.metrics.stream_clients.labels("websocket")
    gauge.inc()
    try:
        await connection.run(principal)
    finally:
        gauge.dec()
