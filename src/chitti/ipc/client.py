"""IPC client: a pool of persistent, multiplexed connections to one service.

The gateway holds one :class:`IpcClient` per service. Each connection carries many requests
at once (an id → future map filled by one reader task), requests are spread round-robin
over the service's endpoints and connections, and a dead connection is replaced on the next
call, so a service restart costs the in-flight requests only (they fail with
``Unavailable``; nothing is retried behind the caller's back, since the request may have
run). A service that stops gracefully says ``goaway`` first: the connection then takes no new
request, is closed once its replies are in, and the next call opens a fresh one (to the
successor, or to another endpoint), so a graceful restart costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import orjson
import pydantic

from chitti.errors import BadRequest, ChittiError, Internal, Timeout, Unavailable, error_from_code
from chitti.ipc.auth import authenticate_client
from chitti.ipc.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    HEADER_BYTES,
    Endpoint,
    EndpointLike,
    ProtocolError,
    RequestId,
    as_endpoint,
    encode_frame,
    read_frame,
)

__all__ = ["IpcClient", "IpcStream"]

log = logging.getLogger(__name__)

_BACKOFF_FIRST_S = 0.5
_BACKOFF_MAX_S = 5.0
#: Upper bound of one connection attempt, so a black-holed endpoint does not eat the whole
#: call timeout while another endpoint could answer.
_CONNECT_TIMEOUT_S = 3.0
_STREAM_READER_LIMIT = 1024 * 1024
_PROTOCOL_KEYS = ("id", "status")


async def _open(endpoint: Endpoint, timeout: float
                ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    async with asyncio.timeout(timeout):
        if endpoint.kind == "unix":
            return await asyncio.open_unix_connection(endpoint.path,
                                                      limit=_STREAM_READER_LIMIT)
        return await asyncio.open_connection(endpoint.host, endpoint.port,
                                             limit=_STREAM_READER_LIMIT)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "connection timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _result(reply: dict[str, Any]) -> dict[str, Any]:
    # Turn a reply frame into the caller's result, or raise the error it carries.
    status = reply.get("status")
    if status == "ok":
        return {key: value for key, value in reply.items() if key not in _PROTOCOL_KEYS}
    error = reply.get("error")
    if status == "error" and isinstance(error, dict):
        raise error_from_code(str(error.get("code")), str(error.get("message", "")))
    raise Internal(f"malformed reply (status {status!r}): {str(reply)[:200]}")


class _Connection:
    """One pooled connection; many requests in flight, matched to replies by id."""

    def __init__(self, endpoint: Endpoint, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, max_bytes: int) -> None:
        self.endpoint = endpoint
        self.reader = reader
        self.writer = writer
        self.max_bytes = max_bytes
        self.pending: dict[RequestId, asyncio.Future[dict[str, Any]]] = {}
        self.closed = False
        #: The service said goaway: no new requests; close once the pending ones are done.
        self.draining = False
        self._write_lock = asyncio.Lock()
        self._reader_task = asyncio.create_task(self._read_replies(),
                                                name=f"ipc-client:{endpoint}")

    @property
    def usable(self) -> bool:
        return not (self.closed or self.draining or self.writer.is_closing()
                    or self.reader.at_eof())

    async def request(self, request_id: RequestId, frame: bytes) -> dict[str, Any]:
        if self.closed or self.writer.is_closing():  # nothing would ever resolve the future
            raise Unavailable(f"connection to {self.endpoint} is closed")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        try:
            async with self._write_lock:
                self.writer.write(frame)
                await self.writer.drain()
            return await future
        except ConnectionError as exc:
            raise Unavailable(f"connection to {self.endpoint} lost while sending: "
                              f"{_reason(exc)}") from exc
        finally:
            self.pending.pop(request_id, None)  # a late reply (after a timeout) is dropped
            if self.draining and not self.pending:
                self.writer.close()

    async def _read_replies(self) -> None:
        reason = "was closed by the service"
        try:
            while True:
                reply = await read_frame(self.reader, max_bytes=self.max_bytes)
                request_id = reply.get("id")
                future = (self.pending.get(request_id)
                          if isinstance(request_id, int | str) else None)
                if future is not None:
                    if not future.done():
                        future.set_result(reply)
                elif reply.get("status") == "goaway":
                    self.draining = True
                    if not self.pending:
                        self.writer.close()
                elif reply.get("status") == "error":
                    log.warning("%s reported an error about no known request: %s",
                                self.endpoint, reply.get("error"))
        except asyncio.IncompleteReadError:
            pass
        except ProtocolError as exc:
            reason = f"sent an invalid frame ({exc.message})"
            log.warning("connection to %s %s", self.endpoint, reason)
        except OSError as exc:
            reason = f"failed: {_reason(exc)}"
        except asyncio.CancelledError:
            reason = "was closed by the client"
            raise
        finally:
            self._shut(reason)

    def _shut(self, reason: str) -> None:
        self.closed = True
        error = f"connection to {self.endpoint} {reason}; the request may or may not have run"
        for future in self.pending.values():
            if not future.done():
                future.set_exception(Unavailable(error))
        self.writer.close()

    async def close(self) -> None:
        self._reader_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader_task
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


class _EndpointPool:
    """Up to ``size`` lazily opened connections to one endpoint, plus its back-off state."""

    def __init__(self, endpoint: Endpoint, size: int, max_bytes: int,
                 secret: bytes | None = None) -> None:
        self.endpoint = endpoint
        self.max_bytes = max_bytes
        self.secret = secret
        self.slots: list[_Connection | None] = [None] * size
        self._locks = [asyncio.Lock() for _ in range(size)]
        self._next_slot = 0
        self.retry_at = 0.0
        self._backoff_s = 0.0

    async def connect(self, timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Open a new connection, keeping the back-off state up to date."""
        try:
            streams = await _open(self.endpoint, min(timeout, _CONNECT_TIMEOUT_S))
            if self.secret is not None:
                try:
                    await authenticate_client(*streams, self.secret)
                except BaseException:
                    streams[1].close()
                    raise
        except (OSError, TimeoutError):
            self._backoff_s = min(max(self._backoff_s * 2, _BACKOFF_FIRST_S), _BACKOFF_MAX_S)
            self.retry_at = time.monotonic() + self._backoff_s
            raise
        self._backoff_s = 0.0
        self.retry_at = 0.0
        return streams

    async def get(self, timeout: float) -> _Connection:
        index = self._next_slot
        self._next_slot = (index + 1) % len(self.slots)
        conn = self.slots[index]
        if conn is not None and conn.usable:
            return conn
        async with self._locks[index]:
            conn = self.slots[index]
            if conn is not None and conn.usable:
                return conn
            try:
                reader, writer = await self.connect(timeout)
            except (OSError, TimeoutError):
                alive = [c for c in self.slots if c is not None and c.usable]
                if alive:
                    return alive[0]
                raise
            if conn is not None and not conn.pending:
                await conn.close()  # a draining one with replies due closes itself after them
            conn = self.slots[index] = _Connection(self.endpoint, reader, writer,
                                                   self.max_bytes)
            return conn

    async def close(self) -> None:
        conns = [conn for conn in self.slots if conn is not None]
        self.slots = [None] * len(self.slots)
        await asyncio.gather(*(conn.close() for conn in conns))


#: ``observe(action, seconds, outcome)`` of an :class:`IpcClient`.
Observer = Callable[[str, float, str], None]


class IpcClient:
    """Call a service's actions over one or more endpoints.

    Parameters
    ----------
    endpoints
        Where the service listens (``Endpoint`` or strings ``parse_endpoint`` accepts).
        Requests are spread round-robin; an endpoint that refuses connections is skipped for
        a back-off of 0.5 s doubling to 5 s, and tried anyway when all the others are down.
    timeout
        Default seconds to wait for a reply (connecting included). It is also sent as the
        request's ``timeout_s``, so the service cancels work nobody waits for any more.
    pool_size
        Connections per endpoint, opened on demand. Each one multiplexes many requests.
    max_frame_bytes
        Largest request sent and reply accepted.
    name
        Names the service in error messages ("compute unavailable: ...").
    secret
        The shared secret of :mod:`chitti.ipc.auth` (``CHITTI_IPC_SECRET``), when the
        service asks for one.
    observe
        Called after each ``call`` with the action, its seconds and its outcome ("ok" or
        the error code), for metrics.
    """

    def __init__(self, endpoints: Sequence[EndpointLike], *, timeout: float = 30.0,
                 pool_size: int = 2, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
                 name: str = "", observe: Observer | None = None,
                 secret: bytes | None = None) -> None:
        if not endpoints:
            raise ValueError("IpcClient needs at least one endpoint")
        if pool_size < 1:
            raise ValueError(f"pool_size must be at least 1, got {pool_size}")
        self.endpoints = tuple(as_endpoint(endpoint) for endpoint in endpoints)
        self.timeout = timeout
        self.max_frame_bytes = max_frame_bytes
        self.name = name
        self.observe = observe
        self._pools = [_EndpointPool(ep, pool_size, max_frame_bytes, secret)
                       for ep in self.endpoints]
        self._ids = itertools.count(1)
        self._next_endpoint = 0
        self._streams: set[IpcStream] = set()
        self._closed = False

    @property
    def _label(self) -> str:
        return self.name or "service at " + ", ".join(map(str, self.endpoints))

    def _new_request(self, action: str,
                     params: Mapping[str, Any] | pydantic.BaseModel | None,
                     timeout_s: float | None) -> tuple[RequestId, bytes]:
        if self._closed:
            raise Unavailable(f"{self._label}: the client is closed")
        if isinstance(params, pydantic.BaseModel):
            params = params.model_dump(mode="python", by_alias=True)
        params = dict(params or {})
        clash = {"id", "action"}.intersection(params)
        if clash:
            raise BadRequest(f"params of {action!r} must not contain the protocol keys "
                             f"{sorted(clash)}")
        request_id = next(self._ids)
        message = {"id": request_id, "action": action, **params}
        if timeout_s is not None:
            message.setdefault("timeout_s", timeout_s)
        try:
            frame = encode_frame(message)
        except orjson.JSONEncodeError as exc:  # an integer beyond 64 bits, a lone surrogate
            raise BadRequest(f"the request to {action!r} cannot be sent: {exc}; send numbers "
                             "within 64 bits and valid Unicode text") from None
        # Refuse here: the service would close the whole (shared) connection over it.
        if len(frame) - HEADER_BYTES > self.max_frame_bytes:
            raise BadRequest(f"request {action!r} is {len(frame) - HEADER_BYTES} bytes, over "
                             f"the frame limit of {self.max_frame_bytes} bytes; send less")
        return request_id, frame

    def _endpoint_order(self) -> list[_EndpointPool]:
        # Round-robin start, endpoints in back-off moved to the end (tried only if all the
        # others fail).
        count = len(self._pools)
        start = self._next_endpoint
        self._next_endpoint = (start + 1) % count
        rotated = [self._pools[(start + i) % count] for i in range(count)]
        now = time.monotonic()
        return sorted(rotated, key=lambda pool: pool.retry_at > now)

    def _unavailable(self, errors: list[str]) -> Unavailable:
        return Unavailable(f"{self._label} unavailable: cannot connect to "
                           + "; ".join(errors))

    async def _connection(self, timeout: float) -> _Connection:
        errors = []
        for pool in self._endpoint_order():
            try:
                return await pool.get(timeout)
            except (OSError, TimeoutError) as exc:
                errors.append(f"{pool.endpoint} ({_reason(exc)})")
        raise self._unavailable(errors)

    async def call(self, action: str,
                   params: Mapping[str, Any] | pydantic.BaseModel | None = None, *,
                   timeout: float | None = None) -> dict[str, Any]:
        """Run ``action`` on the service and return its result (the reply minus id/status).

        Raises the error the service reported (``error_from_code``), ``Timeout`` when no
        reply came within ``timeout`` seconds (default: the client's), and ``Unavailable``
        when no endpoint accepts a connection or the connection dies before the reply.
        """
        timeout = self.timeout if timeout is None else timeout
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
        started = time.perf_counter()
        outcome = "ok"
        try:
            request_id, frame = self._new_request(action, params, timeout)
            scope = asyncio.timeout(timeout)
            try:
                async with scope:
                    conn = await self._connection(timeout)
                    reply = await conn.request(request_id, frame)
            except TimeoutError:
                if not scope.expired():
                    raise
                raise Timeout(f"{self._label}: {action!r} got no reply within "
                              f"{timeout:g} s") from None
            return _result(reply)
        except ChittiError as exc:
            outcome = exc.code
            raise
        finally:
            if self.observe is not None:
                self.observe(action, time.perf_counter() - started, outcome)

    def stream(self, action: str,
               params: Mapping[str, Any] | pydantic.BaseModel | None = None) -> IpcStream:
        """Run a streaming action on a dedicated connection and iterate over its frames.

        ``async for item in client.stream("subscribe"):`` yields each frame minus id/status
        until the ``end`` frame or until the connection closes (then ``completed`` is
        False). Closing the iterator (``aclose()`` or ``async with``) closes the connection.
        """
        request_id, frame = self._new_request(action, params, None)
        stream = IpcStream(self, action, request_id, frame)
        self._streams.add(stream)
        return stream

    async def _open_dedicated(self) -> tuple[Endpoint, asyncio.StreamReader,
                                             asyncio.StreamWriter]:
        errors = []
        for pool in self._endpoint_order():
            try:
                reader, writer = await pool.connect(self.timeout)
            except (OSError, TimeoutError) as exc:
                errors.append(f"{pool.endpoint} ({_reason(exc)})")
            else:
                return pool.endpoint, reader, writer
        raise self._unavailable(errors)

    async def close(self) -> None:
        """Close every connection; in-flight calls fail with ``Unavailable``."""
        self._closed = True
        for stream in list(self._streams):
            await stream.aclose()
        await asyncio.gather(*(pool.close() for pool in self._pools))

    async def __aenter__(self) -> IpcClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()


class IpcStream:
    """The frames of one streaming request; see :meth:`IpcClient.stream`."""

    def __init__(self, client: IpcClient, action: str, request_id: RequestId,
                 frame: bytes) -> None:
        self.action = action
        self.completed = False
        self._client = client
        self._id = request_id
        self._frame = frame
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._endpoint: Endpoint | None = None
        self._done = False

    def __aiter__(self) -> IpcStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._done:
            raise StopAsyncIteration
        try:
            if self._reader is None:
                self._endpoint, self._reader, self._writer = await self._client._open_dedicated()
                self._writer.write(self._frame)
                await self._writer.drain()
            while True:
                reply = await read_frame(self._reader, max_bytes=self._client.max_frame_bytes)
                if reply.get("id") == self._id:
                    break
            if reply.get("status") == "ok" and reply.get("end") is True:
                self.completed = True
                raise StopAsyncIteration
            return _result(reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            log.info("stream %r from %s ended by a closed connection", self.action,
                     self._endpoint)
            await self.aclose()
            raise StopAsyncIteration from None
        except ProtocolError as exc:
            await self.aclose()
            raise Unavailable(f"{self._endpoint} sent an invalid frame: {exc.message}") from None
        except BaseException as exc:
            if not isinstance(exc, StopAsyncIteration | ChittiError):
                log.debug("stream %r interrupted by %r", self.action, exc)
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Close the stream's connection (the service then stops the generator)."""
        self._done = True
        self._client._streams.discard(self)
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def __aenter__(self) -> IpcStream:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()
