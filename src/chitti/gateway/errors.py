"""Map every failure to one JSON error shape and the right HTTP status, in one place."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from chitti.db.pool import database_error
from chitti.errors import ChittiError, RateLimited, Unavailable
from chitti.gateway.responses import OrjsonResponse, error_body

log = logging.getLogger(__name__)

#: Seconds a client is told to wait after a 503: a crashed service is restarted within
#: 0.2 s and answers again a few seconds later (another instance may answer at once).
UNAVAILABLE_RETRY_AFTER_S = 2


def _describe(errors: list[dict[str, object]]) -> str:
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))  # type: ignore[attr-defined]
        parts.append(f"{loc or 'body'}: {err.get('msg')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChittiError)
    async def chitti_error(_: Request, exc: ChittiError) -> OrjsonResponse:
        headers = None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}
        elif isinstance(exc, Unavailable):
            headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)}
        return OrjsonResponse(error_body(exc.code, exc.message), status_code=exc.http_status,
                              headers=headers)

    @app.exception_handler(RequestValidationError)
    @app.exception_handler(ValidationError)
    async def invalid_request(
        _: Request, exc: RequestValidationError | ValidationError
    ) -> OrjsonResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return OrjsonResponse(
            error_body("bad_request", _describe(errors), details=errors), status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> OrjsonResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found",
                413: "too_large"}.get(exc.status_code, "bad_request")
        return OrjsonResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> OrjsonResponse:
        known = database_error(exc)
        if known is not None:
            log.warning("gateway: %s", known.message)
            return await chitti_error(request, known)
        log.exception("unhandled error in the gateway")
        return OrjsonResponse(error_body("internal", "internal error; see the gateway log"),
                              status_code=500)
