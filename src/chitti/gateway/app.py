"""Assemble the gateway in one place: clients, error mapping, routers, the dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from chitti import __version__
from chitti.config import SERVICES, Settings, get_settings
from chitti.db.notify import listen_forever
from chitti.db.pool import open_pool, process_database_url
from chitti.gateway import store, ws
from chitti.gateway.access import (
    SECURITY_SCHEMES,
    Authenticator,
    Public,
    access_rule,
    check_auth_binding,
)
from chitti.gateway.dashboard import mount_dashboard
from chitti.gateway.docs import install_docs
from chitti.gateway.errors import install_error_handlers
from chitti.gateway.jobs import JobRunner
from chitti.gateway.metrics import GatewayMetrics
from chitti.gateway.middleware import GatewayMiddleware
from chitti.gateway.proxies import TrustedProxies, parse_networks
from chitti.gateway.ratelimit import RateLimiter
from chitti.gateway.routes import (
    alerts,
    auth,
    backtest,
    compute,
    health,
    jobs,
    market,
    news,
    research,
    signals,
    watchlists,
)
from chitti.gateway.schemas import ErrorBody
from chitti.gateway.sse import alert_feed
from chitti.gateway.ws import BarFeed
from chitti.ipc.client import IpcClient
from chitti.runtime import admin_database_url


def _operation_id(route: APIRoute) -> str:
    # Stable operation ids ("market-ohlcv") so generated dashboard clients keep their names.
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway for ``settings`` (the process's settings by default)."""
    settings = settings or get_settings()
    check_auth_binding(settings)
    metrics = GatewayMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        admin_url = await asyncio.to_thread(admin_database_url, settings)
        gateway_url = process_database_url(settings, admin_url, "gateway")
        app.state.db_pool = pool = await open_pool(gateway_url, min_size=1, max_size=4,
                                                   name="gateway")

        async def shared_take(key: str, cost: float, capacity: float, rate: float) -> float:
            async with pool.connection() as conn:
                return await store.take_tokens(conn, key, cost, capacity, rate)

        limiter = RateLimiter(settings, shared_take,
                              on_reject=lambda limit: metrics.rate_limited.labels(limit).inc())
        app.state.auth = auth = Authenticator(settings, pool, limiter)
        await auth.start()
        app.state.clients = {
            name: IpcClient(settings.endpoints(name), timeout=settings.ipc_timeout_s,
                            pool_size=settings.ipc_pool_size,
                            max_frame_bytes=settings.ipc_max_frame_bytes, name=name,
                            observe=metrics.ipc_observer(name),
                            secret=settings.ipc_secret_bytes())
            for name in SERVICES
        }
        app.state.alert_feed = alert_feed(gateway_url, app.state.clients["signal-service"],
                                          max_backlog=settings.sse_max_backlog)
        app.state.alert_feed.start()
        app.state.bar_feed = bars = BarFeed()
        app.state.jobs = jobs = JobRunner(pool, app.state.clients)
        jobs.start()

        async def caught_up() -> None:  # after a reconnect, what a notice may have missed
            await auth.on_revoked([])
            jobs.wake.set()

        # One LISTEN connection for the gateway's own channels (alerts have their feed).
        listener = asyncio.create_task(listen_forever(gateway_url, {
            "auth_revoked": auth.on_revoked, "eod_loaded": bars.on_loaded,
            "job_updated": jobs.on_updates}, on_connect=caught_up), name="gateway-listen")
        app.state.started_at = time.monotonic()
        try:
            yield
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await app.state.alert_feed.close()
            await app.state.jobs.close()
            await app.state.auth.close()
            for client in app.state.clients.values():
                await client.close()
            await app.state.db_pool.close()

    app = FastAPI(
        title="Trading-Chitti API", version=__version__, lifespan=lifespan,
        description="Trading intelligence for Indian equities (NSE/BSE): market data, "
                    "indicators, news sentiment, alerts and backtests.",
        docs_url=None, redoc_url=None,
    )
    app.state.metrics = metrics
    install_error_handlers(app)
    app.add_middleware(GatewayMiddleware, max_body_bytes=settings.max_body_bytes,
                       metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Last-Event-ID",
                           "X-Request-ID"], expose_headers=["X-Request-ID", "Retry-After"])
    if settings.trusted_proxies:  # outermost: everything below sees the real client
        app.add_middleware(TrustedProxies, networks=parse_networks(settings.trusted_proxies))
    # The busiest first: a request is matched against the routes in this order.
    for router in (compute.router, market.router, alerts.router, health.router, news.router,
                   signals.router, backtest.router, research.router, jobs.router, watchlists.router,
                   auth.router, auth.ticket_router):
        _document_access(router)
        # The routes themselves, not the router: matching a request then walks one flat
        # list (an included router costs ~70 us per request in FastAPI 0.16x).
        app.router.routes.extend(router.routes)
    app.include_router(ws.router)
    install_docs(app)
    mount_dashboard(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document without FastAPI's 422: invalid requests answer 400 here."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version,
                             description=app.description, routes=app.routes)
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
                if operation.get("x-access", {}).get("role") not in (None, "public"):
                    operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


ACCESS_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid credentials: log in"},
    403: {"model": ErrorBody, "description": "Your role may not do this"},
    429: {"model": ErrorBody, "description": "Rate limit: retry after `Retry-After` s",
          "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
}


def _document_access(router: APIRouter) -> None:
    """Put each route's access rule into OpenAPI (``x-access``) with the errors it adds."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        route.operation_id = route.operation_id or _operation_id(route)
        rule = access_rule([d.call for d in route.dependant.dependencies])
        if rule is None:
            continue  # the access test fails on such a route
        route.openapi_extra = {**(route.openapi_extra or {}), "x-access": {
            "role": rule.role or "public", "limit": rule.limit}}
        errors: dict[int | str, dict[str, Any]] = (
            {429: ACCESS_ERRORS[429]} if isinstance(rule, Public) else ACCESS_ERRORS)
        route.responses = {**errors, **route.responses}
