"""What every HTTP exchange gets, as one plain ASGI middleware (cheaper than Starlette's
``BaseHTTPMiddleware``): a request id, security headers, a bound on the body size, metrics,
and a log line for each failed or slow request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chitti.gateway.logs import request_id
from chitti.gateway.metrics import GatewayMetrics
from chitti.gateway.responses import error_body

log = logging.getLogger("chitti.gateway.access")
#: Requests slower than this are logged even when they succeed.
SLOW_S = 1.0

_CLIENT_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")

#: The dashboard loads only its own files; Swagger UI (/docs) needs inline script and styles.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CSP.encode()),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _too_large_message(limit: int) -> str:
    return (f"the request body is over {limit} bytes (CHITTI_MAX_BODY_BYTES): send less per "
            "request")


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: GatewayMetrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"")
        rid = given.decode() if _CLIENT_ID.match(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        extra = [(b"x-request-id", rid.encode()), *SECURITY_HEADERS]
        if scope.get("scheme") == "https":
            extra.append(HSTS)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
                self._record(scope, status, time.perf_counter() - started)
            await send(message)

        try:
            if _has_nul(scope.get("raw_path") or b"") or _has_nul(scope["query_string"]):
                await _reply(send_with_headers, 400, error_body(
                    "bad_request", "the URL contains a NUL character (%00): remove it"))
                return
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit()
                                       or int(length) > self.max_body_bytes):
                await self._too_large(send_with_headers)
                return
            form = headers.get(b"content-type", b"").startswith(
                b"application/x-www-form-urlencoded")
            await self.app(scope, self._bounded(receive, form), send_with_headers)
        finally:
            request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        self.metrics.observe_request(method, route, status, seconds)
        if status >= 400 or seconds > SLOW_S:
            client = scope.get("client")
            log.log(logging.WARNING if status >= 500 else logging.INFO,
                    "%s %s -> %d in %.1f ms", method, route, status, seconds * 1e3,
                    extra={"method": method, "route": route, "status": status,
                           "ms": round(seconds * 1e3, 2),
                           "client": client[0] if client else None})

    def _bounded(self, receive: Receive, form: bool) -> Receive:
        """``receive`` that counts the body against the limit and refuses NUL characters
        (PostgreSQL text cannot hold them; JSON spells them ``\\u0000``)."""
        seen = 0
        tail = b""
        marker = b"%00" if form else _JSON_NUL

        async def bounded() -> Message:
            nonlocal seen, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > self.max_body_bytes:  # the error handlers answer 413
                    raise HTTPException(413, _too_large_message(self.max_body_bytes))
                if b"\x00" in chunk or marker in tail + chunk:
                    raise HTTPException(400, "the body contains a NUL character (\\u0000): "
                                             "remove it from the text")
                tail = chunk[-5:]
            return message

        return bounded

    async def _too_large(self, send: Send) -> None:
        await _reply(send, 413, error_body("too_large",
                                           _too_large_message(self.max_body_bytes)))


_JSON_NUL = b"\\u0000"


def _has_nul(raw: bytes) -> bool:
    return b"%00" in raw or b"\x00" in raw


async def _reply(send: Send, status: int, body_json: dict[str, Any]) -> None:
    body = orjson.dumps(body_json)
    headers: list[Any] = [(b"content-type", b"application/json"),
                          (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
