"""IPC server: a registry of actions served over Unix sockets and TCP.

A service declares its actions with :meth:`IpcServer.action` and runs the server; everything
about the wire (framing, ids, pipelining, error frames, socket files) lives here so that a
``service.py`` is only a map from action to domain call (STYLE.md B1, B2).

Requests of one connection run concurrently and may finish out of order; replies are written
whole, one at a time. Nothing a peer sends can crash the server: a bad request gets an error
frame, and only a stream that can no longer be trusted (a garbage length) is closed. When a
peer closes its connection (a half-close included), its in-flight requests are cancelled:
there is nobody left to read their replies.

Restarts lose nothing. ``start(takeover=True)`` binds where a running instance listens (a
Unix socket is bound beside it and renamed over its path; TCP shares the port with
SO_REUSEPORT), so new connections reach the new process while the old one still answers.
``close(drain_s=...)`` then stops accepting, tells each connected client ``goaway`` (the
client sends nothing more on that connection and closes it once its replies are in), and
waits for the in-flight requests before it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import os
import stat
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from chitti.errors import BadRequest, ChittiError, Internal, NotFound, Timeout, Unavailable
from chitti.ipc.auth import authenticate_peer
from chitti.ipc.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    HEADER_BYTES,
    Endpoint,
    EndpointLike,
    FrameTooLarge,
    ProtocolError,
    RequestId,
    as_endpoint,
    encode_frame,
    error_reply,
    ok_reply,
    read_frame,
)

__all__ = ["ErrorHook", "HealthHook", "IpcServer"]

log = logging.getLogger(__name__)

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])
HealthHook = Callable[[], Awaitable[Mapping[str, Any]]]
#: Turns an unexpected exception into the error a caller should see (e.g. a lost database
#: into ``Unavailable``), or None to report it as an internal error.
ErrorHook = Callable[[Exception], ChittiError | None]

#: Requests one connection may have in flight before the server stops reading from it.
_MAX_IN_FLIGHT_PER_CONNECTION = 1024
#: After refusing a frame, how long to keep discarding input so the peer reads the error
#: frame instead of a connection reset (closing with unread input sends a reset).
_LINGER_S = 1.0
_PROBE_TIMEOUT_S = 1.0
_STREAM_READER_LIMIT = 1024 * 1024
_MAX_LISTED_ERRORS = 10
_PROTOCOL_PARAMS = ("id", "action", "timeout_s")


class _PeerGone(Exception):
    """The connection closed before a reply could be written (nobody is left to tell)."""


@dataclass(frozen=True, slots=True)
class _Action:
    name: str
    handler: Callable[[Any], Any]
    params: type[pydantic.BaseModel] | None
    is_stream: bool


@dataclass(frozen=True, slots=True)
class _Request:
    id: RequestId
    action: str
    params: dict[str, Any]
    timeout_s: float | None


def _parse_request(message: dict[str, Any]) -> _Request:
    # Raises (id or None, error) so the caller can answer with the right id.
    request_id = message.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, int | str):
        raise _RequestRejected(None, BadRequest(
            "request 'id' must be an integer or a string, got "
            + ("nothing" if request_id is None else repr(request_id)[:50])
        ))
    action = message.get("action")
    if not isinstance(action, str) or not action:
        raise _RequestRejected(request_id, BadRequest("request 'action' must be a non-empty "
                                                      "string naming the action"))
    timeout_s = message.get("timeout_s")
    if timeout_s is not None and (
        isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float)
        or not math.isfinite(timeout_s) or timeout_s <= 0
    ):
        raise _RequestRejected(request_id, BadRequest(
            f"timeout_s must be a positive number of seconds, got {timeout_s!r}"
        ))
    params = {key: value for key, value in message.items() if key not in _PROTOCOL_PARAMS}
    return _Request(request_id, action, params, timeout_s)


class _RequestRejected(Exception):
    def __init__(self, request_id: RequestId | None, error: ChittiError) -> None:
        super().__init__(error.message)
        self.request_id = request_id
        self.error = error


def _describe_validation_error(action: str, exc: pydantic.ValidationError) -> str:
    # "period: Input should be greater than or equal to 1" per bad field, without the input
    # values (they may be large) or pydantic's documentation links.
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:_MAX_LISTED_ERRORS]:
        where = ".".join(str(part) for part in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    if exc.error_count() > _MAX_LISTED_ERRORS:
        parts.append(f"and {exc.error_count() - _MAX_LISTED_ERRORS} more")
    return f"invalid params for {action!r}: " + "; ".join(parts)


def _as_result(value: Any, what: str) -> Mapping[str, Any]:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="python", by_alias=True)
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"{what} must be a mapping or a pydantic model, got {type(value).__name__}")


class _Connection:
    """One accepted connection: reads requests, runs them concurrently, serialises replies."""

    def __init__(self, server: IpcServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.tasks: set[asyncio.Task[None]] = set()
        self._write_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(_MAX_IN_FLIGHT_PER_CONNECTION)
        peer = writer.get_extra_info("peername")
        self.peer = str(peer) if peer else "local peer"

    async def serve(self) -> None:
        max_bytes = self.server.max_frame_bytes
        try:
            while True:
                try:
                    message = await read_frame(self.reader, max_bytes=max_bytes)
                except FrameTooLarge as exc:
                    log.warning("%s: refusing frame from %s: %s", self.server.name, self.peer, exc)
                    await self._refuse_and_linger(exc)
                    return
                except ProtocolError as exc:  # the length was sane: the next frame is usable
                    await self.send(error_reply(None, exc))
                    continue
                try:
                    request = _parse_request(message)
                except _RequestRejected as rejected:
                    await self.send(error_reply(rejected.request_id, rejected.error))
                    continue
                await self._slots.acquire()  # backpressure: stop reading when too busy
                task = asyncio.create_task(self._run(request), name=f"ipc:{request.action}")
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError, _PeerGone):
            pass  # the peer closed; nobody is left to answer
        finally:
            await self._shutdown()

    async def _run(self, request: _Request) -> None:
        try:
            await self.server._handle(self, request)
        except _PeerGone:
            log.debug("%s: peer %s left before the reply to %r", self.server.name, self.peer,
                      request.id)
        finally:
            self._slots.release()

    async def send(self, message: Mapping[str, Any]) -> None:
        """Write one frame whole; raises ``_PeerGone`` when the connection is closed."""
        frame = self.server._encode_reply(message)
        async with self._write_lock:
            if self.writer.is_closing():
                raise _PeerGone
            try:
                self.writer.write(frame)
                await self.writer.drain()
            except ConnectionError as exc:
                raise _PeerGone from exc

    async def goaway(self) -> None:
        """Tell the client this server is stopping: it should finish and close."""
        with contextlib.suppress(_PeerGone):
            await self.send({"id": None, "status": "goaway"})

    async def _refuse_and_linger(self, error: FrameTooLarge) -> None:
        # The body was not read and the length may be garbage: answer, half-close and discard
        # what the peer still sends for a moment, so it sees the error frame, then close.
        with contextlib.suppress(_PeerGone):
            await self.send(error_reply(None, error))
        with contextlib.suppress(OSError, RuntimeError):
            if self.writer.can_write_eof():
                self.writer.write_eof()
        with contextlib.suppress(TimeoutError, OSError):
            async with asyncio.timeout(_LINGER_S):
                while await self.reader.read(65536):
                    pass

    async def close_now(self) -> None:
        """Close without serving (a refused handshake)."""
        self.writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await self.writer.wait_closed()

    async def _shutdown(self) -> None:
        # The peer is gone or the server is closing: in-flight work has nobody to answer to.
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await self.writer.wait_closed()


class IpcServer:
    """Serve a service's actions to the gateway over the IPC protocol.

    Parameters
    ----------
    name, version
        Reported by the built-in ``health`` action.
    max_frame_bytes
        Largest request accepted and largest reply sent; a bigger request is refused with
        ``bad_request`` (its body unread) and its connection closed, a bigger reply is
        replaced by a ``bad_request`` error asking for less data.
    secret
        When given, every connection must first pass the shared-secret handshake of
        :mod:`chitti.ipc.auth` (``CHITTI_IPC_SECRET``).

    Examples
    --------
    >>> server = IpcServer("compute", "0.1.0")
    >>> @server.action("compute_sma", params=None)
    ... async def compute_sma(req):
    ...     return {"values": []}
    >>> sorted(server.actions)
    ['compute_sma', 'health']
    """

    def __init__(self, name: str, version: str, *,
                 max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
                 secret: bytes | None = None) -> None:
        self.name = name
        self.version = version
        self.max_frame_bytes = max_frame_bytes
        self._secret = secret
        self._actions: dict[str, _Action] = {}
        self._health_hook: HealthHook | None = None
        self._error_hook: ErrorHook | None = None
        self._servers: list[asyncio.Server] = []
        self._bound: list[Endpoint] = []
        self._socket_files: list[tuple[Path, int, int]] = []
        self._connections: dict[_Connection, asyncio.Task[Any]] = {}
        self._stopped = asyncio.Event()
        self._started_at = time.monotonic()
        self.action("health")(self._health)

    # ---------------------------------------------------------------- registry
    def action(self, name: str, *, params: type[pydantic.BaseModel] | None = None
               ) -> Callable[[HandlerT], HandlerT]:
        """Register ``async def handler(req)`` as action ``name``.

        ``req`` is ``params`` validated from the request (minus ``id``, ``action`` and
        ``timeout_s``), or that raw dict when ``params`` is None. The handler returns a
        mapping (or a pydantic model) that becomes the reply. An async generator handler is a
        stream: each yielded mapping is sent as its own ``ok`` frame, then ``{"end": true}``.
        """
        def register(handler: HandlerT) -> HandlerT:
            if name in self._actions:
                raise ValueError(f"action {name!r} is already registered on {self.name}")
            is_stream = inspect.isasyncgenfunction(handler)
            if not is_stream and not inspect.iscoroutinefunction(handler):
                raise TypeError(f"handler of {name!r} must be an async function or an async "
                                "generator function")
            self._actions[name] = _Action(name, handler, params, is_stream)
            return handler

        return register

    def set_health_hook(self, hook: HealthHook) -> None:
        """Add the result of ``await hook()`` to ``health`` replies (e.g. the DB state)."""
        self._health_hook = hook

    def set_error_hook(self, hook: ErrorHook) -> None:
        """Let ``hook`` name the error of an unexpected exception (see :data:`ErrorHook`)."""
        self._error_hook = hook

    @property
    def actions(self) -> tuple[str, ...]:
        """Names of the registered actions, ``health`` included."""
        return tuple(self._actions)

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        """Endpoints actually bound (TCP port 0 replaced by the port the system chose)."""
        return tuple(self._bound)

    async def _health(self, _params: Mapping[str, Any]) -> Mapping[str, Any]:
        extra = await self._health_hook() if self._health_hook is not None else {}
        return {"service": self.name, "version": self.version, "pid": os.getpid(),
                "uptime_s": round(time.monotonic() - self._started_at, 3), **extra}

    # ---------------------------------------------------------------- requests
    async def _handle(self, conn: _Connection, request: _Request) -> None:
        # Run one request and send its reply or error frame; only _PeerGone escapes.
        try:
            action = self._actions.get(request.action)
            if action is None:
                raise NotFound(f"unknown action {request.action!r} on {self.name}; known "
                               f"actions: {', '.join(sorted(self._actions))}")
            arg: Any = request.params
            if action.params is not None:
                try:
                    arg = action.params.model_validate(request.params)
                except pydantic.ValidationError as exc:
                    raise BadRequest(_describe_validation_error(action.name, exc)) from None
            if action.is_stream:
                await self._stream(conn, request, action, arg)
                reply = {"id": request.id, "status": "ok", "end": True}
            else:
                result = await self._call(request, action.handler(arg))
                reply = ok_reply(request.id, _as_result(result, f"result of {action.name!r}"))
        except (_PeerGone, asyncio.CancelledError):
            raise
        except ChittiError as exc:
            reply = error_reply(request.id, exc)
        except Exception as exc:
            known = self._error_hook(exc) if self._error_hook is not None else None
            if known is not None:
                log.warning("%s: action %r (id %r): %s", self.name, request.action,
                            request.id, known.message)
                reply = error_reply(request.id, known)
            else:
                log.exception("%s: action %r (id %r) failed", self.name, request.action,
                              request.id)
                reply = error_reply(request.id, Internal(
                    f"{request.action!r} failed with an internal error; see the {self.name} "
                    "log"))
        await conn.send(reply)

    async def _call(self, request: _Request, awaitable: Awaitable[Any]) -> Any:
        scope = asyncio.timeout(request.timeout_s)
        try:
            async with scope:
                return await awaitable
        except TimeoutError:
            if not scope.expired():
                raise  # the handler's own timeout: an internal failure, not the client's
            raise Timeout(f"{request.action!r} did not finish within timeout_s="
                          f"{request.timeout_s:g}") from None

    async def _stream(self, conn: _Connection, request: _Request, action: _Action,
                      arg: Any) -> None:
        items: AsyncIterator[Any] = action.handler(arg)

        async def pump() -> None:
            async for item in items:
                result = _as_result(item, f"item of stream {action.name!r}")
                if "end" in result:
                    raise ValueError("a stream item must not contain the protocol key 'end'")
                await conn.send(ok_reply(request.id, result))

        try:
            await self._call(request, pump())
        finally:
            await items.aclose()  # type: ignore[attr-defined]

    def _encode_reply(self, message: Mapping[str, Any]) -> bytes:
        # A reply that cannot be sent becomes an error frame with the same id, so the client
        # is told instead of waiting for its timeout.
        request_id = message.get("id")
        try:
            frame = encode_frame(message)
        except (TypeError, ProtocolError):
            log.exception("%s: cannot encode the reply to %r", self.name, request_id)
            return encode_frame(error_reply(request_id, Internal(
                f"the reply could not be encoded as JSON; see the {self.name} log"
            )))
        size = len(frame) - HEADER_BYTES
        if size > self.max_frame_bytes:
            log.warning("%s: reply to %r is %d bytes, over the %d-byte limit", self.name,
                        request_id, size, self.max_frame_bytes)
            return encode_frame(error_reply(request_id, BadRequest(
                f"the reply is {size} bytes, over the frame limit of {self.max_frame_bytes} "
                "bytes; ask for less data (a shorter range or a smaller limit)"
            )))
        return frame

    # ---------------------------------------------------------------- lifecycle
    async def start(self, endpoints: Sequence[EndpointLike], *, takeover: bool = False) -> None:
        """Listen on every endpoint; on any failure, close what was bound and raise.

        Raises ``Unavailable`` when an endpoint is in use (a live server answers on the
        socket, or the TCP port is taken) and ``BadRequest`` when the socket path or its
        directory is unusable. With ``takeover``, a live server of ours on an endpoint is
        expected: this one takes the endpoint over for new connections (module docstring).
        """
        if self._servers:
            raise RuntimeError(f"{self.name} is already serving on {self.endpoints}")
        if not endpoints:
            raise ValueError("IpcServer.start needs at least one endpoint")
        parsed = [as_endpoint(endpoint) for endpoint in endpoints]
        self._stopped = asyncio.Event()
        try:
            for endpoint in parsed:
                if endpoint.kind == "unix":
                    await self._bind_unix(Path(endpoint.path or ""), takeover=takeover)
                else:
                    await self._bind_tcp(endpoint, takeover=takeover)
        except BaseException:
            await self.close()
            raise
        self._started_at = time.monotonic()
        log.info("%s %s listening on %s", self.name, self.version,
                 ", ".join(map(str, self._bound)))

    async def _bind_unix(self, path: Path, *, takeover: bool) -> None:
        _ensure_private_dir(path.parent)
        if not takeover:
            await _remove_stale_socket(path)
        # Bind beside the path, then rename over it: connect() never finds the path missing.
        fresh = path.with_name(f".{path.name}.{os.getpid()}")
        fresh.unlink(missing_ok=True)
        server = await asyncio.start_unix_server(self._on_connect, path=os.fspath(fresh),
                                                 limit=_STREAM_READER_LIMIT)
        self._servers.append(server)
        os.chmod(fresh, 0o600)
        os.rename(fresh, path)
        info = os.stat(path)
        # Remember the inode: on close, unlink only our own file, not a successor's.
        self._socket_files.append((path, info.st_dev, info.st_ino))
        self._bound.append(Endpoint.unix(path))

    async def _bind_tcp(self, endpoint: Endpoint, *, takeover: bool) -> None:
        # SO_REUSEPORT lets a successor share the port during a restart; without takeover,
        # a server already answering there is refused as before.
        if endpoint.port and not takeover and await _tcp_answers(endpoint):
            raise Unavailable(f"{self.name} cannot listen on {endpoint}: a server answers "
                              "there; stop it or choose another port")
        try:
            server = await asyncio.start_server(self._on_connect, host=endpoint.host,
                                                port=endpoint.port, limit=_STREAM_READER_LIMIT,
                                                reuse_port=True)
        except OSError as exc:
            raise Unavailable(f"{self.name} cannot listen on {endpoint}: "
                              f"{exc.strerror or exc}") from exc
        self._servers.append(server)
        for sock in server.sockets:
            host, port = sock.getsockname()[:2]
            self._bound.append(Endpoint.tcp(host, port))

    async def _on_connect(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        conn = _Connection(self, reader, writer)
        task = asyncio.current_task()
        assert task is not None
        self._connections[conn] = task
        try:
            if self._secret is not None and not await authenticate_peer(reader, writer,
                                                                        self._secret):
                log.warning("%s: refused an unauthenticated connection from %s", self.name,
                            conn.peer)
                await conn.close_now()
                return
            await conn.serve()
        except asyncio.CancelledError:
            # close() cancels us. End normally: Python 3.11's StreamReaderProtocol logs a
            # cancelled connection task as "Exception in callback" (fixed in 3.12).
            pass
        finally:
            self._connections.pop(conn, None)

    async def serve_forever(self) -> None:
        """Wait until :meth:`close` is called (or the task is cancelled)."""
        if not self._servers:
            raise RuntimeError(f"{self.name} is not started; call start() first")
        await self._stopped.wait()

    async def close(self, *, drain_s: float = 0.0) -> None:
        """Stop accepting and remove our socket files; then, for up to ``drain_s`` seconds,
        let connected clients finish (``goaway``); then cancel what is left and close."""
        for server in self._servers:
            server.close()
        for path, device, inode in self._socket_files:
            with contextlib.suppress(FileNotFoundError):
                info = os.stat(path)
                if (info.st_dev, info.st_ino) == (device, inode):  # not a successor's
                    os.unlink(path)
        if drain_s > 0 and self._connections:
            await self._drain(drain_s)
        tasks = list(self._connections.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        self._socket_files.clear()
        self._bound.clear()
        self._stopped.set()

    async def _drain(self, drain_s: float) -> None:
        # Clients close their connections once their replies are in; wait for that.
        connections = dict(self._connections)
        log.info("%s draining %d connection(s) for up to %g s", self.name, len(connections),
                 drain_s)
        await asyncio.gather(*(conn.goaway() for conn in connections))
        done, pending = await asyncio.wait(connections.values(), timeout=drain_s)
        if pending:
            busy = sum(len(conn.tasks) for conn, task in connections.items()
                       if task in pending)
            log.warning("%s: %d connection(s) still open after %g s (%d request(s) in "
                        "flight); closing them", self.name, len(pending), drain_s, busy)

    async def run(self, endpoints: Sequence[EndpointLike]) -> None:
        """Start, serve until cancelled (or closed), and always clean up."""
        await self.start(endpoints)
        try:
            await self.serve_forever()
        finally:
            await self.close()


def _ensure_private_dir(directory: Path) -> None:
    # The socket's directory is what keeps other local users away from the services.
    try:
        info = directory.stat()
    except FileNotFoundError:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is reduced by the umask
        return
    if not stat.S_ISDIR(info.st_mode):
        raise BadRequest(f"{directory} is not a directory; cannot create a socket in it")
    if info.st_mode & 0o077:
        if info.st_uid != os.geteuid():
            raise BadRequest(
                f"socket directory {directory} is open to other users (mode "
                f"{stat.S_IMODE(info.st_mode):04o}) and not ours to fix; use a private "
                "directory (mode 0700) such as the var/run directory"
            )
        log.warning("socket directory %s had mode %04o; setting it to 0700", directory,
                    stat.S_IMODE(info.st_mode))
        os.chmod(directory, 0o700)


async def _tcp_answers(endpoint: Endpoint) -> bool:
    """True when something accepts connections on ``endpoint`` (a live server)."""
    try:
        async with asyncio.timeout(_PROBE_TIMEOUT_S):
            _, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def _remove_stale_socket(path: Path) -> None:
    # A socket file left by a dead process blocks bind(); remove it, but never one a live
    # server still answers on (asyncio itself would unlink any socket file without asking).
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(info.st_mode):
        raise BadRequest(f"{path} exists and is not a socket; remove it or choose another path")
    try:
        async with asyncio.timeout(_PROBE_TIMEOUT_S):
            _, writer = await asyncio.open_unix_connection(os.fspath(path))
    except (ConnectionRefusedError, FileNotFoundError):
        log.info("removing stale socket %s left by a dead process", path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    except PermissionError as exc:
        raise Unavailable(f"{path} belongs to another user's server; choose another "
                          "path") from exc
    except (TimeoutError, OSError) as exc:  # slow to accept, or something odd: do not steal
        raise Unavailable(f"{path} may be in use (connecting to it failed with {exc!r}); "
                          "stop that server or choose another path") from exc
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    raise Unavailable(f"{path} is in use by a running server; stop it or choose another path")
