"""GET /health: every service and the database, with status and latency."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from chitti import __version__
from chitti.db.pool import db_health
from chitti.errors import ChittiError
from chitti.gateway.access import Admin, Public
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import HealthReport
from chitti.ipc.client import IpcClient

router = APIRouter(tags=["health"])

#: A service that does not answer health within this is reported down.
HEALTH_TIMEOUT_S = 1.5


async def _service_health(client: IpcClient) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        reply = await client.call("health", timeout=HEALTH_TIMEOUT_S)
    except ChittiError as exc:
        return {"status": "down", "error": f"{exc.code}: {exc.message}"}
    latency = round((time.perf_counter() - started) * 1000, 3)
    if reply.get("db", {}).get("status", "ok") != "ok":
        return {"status": "down", "latency_ms": latency, "detail": reply}
    if reply.get("warming"):  # compiling its kernels after a start on a stale cache
        return {"status": "warming", "latency_ms": latency, "detail": reply,
                "error": f"compiling its {', '.join(reply['warming'])} kernels"}
    return {"status": "ok", "latency_ms": latency, "detail": reply}


@router.get("/health", response_model=HealthReport, responses={503: {"model": HealthReport}},
            dependencies=[Depends(Public("read"))])
async def health(request: Request) -> OrjsonResponse:
    """Report each service and the database; HTTP 503 when any of them is down, or still
    ``warming`` (compiling its kernels after a start on a stale cache: ``chitti warm``)."""
    clients: dict[str, IpcClient] = request.app.state.clients
    names = sorted(clients)
    results = await asyncio.gather(
        db_health(request.app.state.db_pool), *(_service_health(clients[n]) for n in names))
    db, services = results[0], dict(zip(names, results[1:], strict=True))
    states = {s["status"] for s in services.values()}
    status = ("down" if db["status"] != "ok" or "down" in states else
              "warming" if "warming" in states else "ok")
    up = status == "ok"
    body = {
        "status": status,
        "version": __version__,
        "uptime_s": round(time.monotonic() - request.app.state.started_at, 3),
        "db": db,
        "services": services,
    }
    return OrjsonResponse(body, status_code=200 if up else 503)


@router.get("/metrics", response_class=Response, responses={200: {
    "content": {"text/plain": {}}, "description": "Prometheus text format"}})
async def metrics(request: Request, _: Admin) -> Response:
    """Prometheus metrics of this gateway process: requests and latency per route, IPC
    latency per service and action, open streams, rate-limit refusals."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
