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
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit()
                                       or int(length) > self.max_body_bytes):
                await self._too_large(send_with_headers)
                return
            await self.app(scope, self._bounded(receive), send_with_headers)
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

    def _bounded(self, receive: Receive) -> Receive:
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:  # the error handlers answer 413
                    raise HTTPException(413, _too_large_message(self.max_body_bytes))
            return message

        return bounded

    async def _too_large(self, send: Send) -> None:
        body = orjson.dumps(error_body("too_large", _too_large_message(self.max_body_bytes)))
        headers: list[Any] = [(b"content-type", b"application/json"),
                              (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
