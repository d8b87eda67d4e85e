"""Assemble the gateway in one place: clients, error mapping, routers, the dashboard."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from chitti import __version__
from chitti.config import PROJECT_ROOT, SERVICES, Settings, get_settings
from chitti.db.pool import open_pool, process_database_url
from chitti.gateway.errors import install_error_handlers
from chitti.gateway.routes import alerts, backtest, compute, health, market, news, signals
from chitti.gateway.sse import alert_feed
from chitti.ipc.client import IpcClient
from chitti.runtime import admin_database_url

DASHBOARD_DIR = PROJECT_ROOT / "dashboard" / "dist"


def _operation_id(route: APIRoute) -> str:
    # Stable operation ids ("market-ohlcv") so generated dashboard clients keep their names.
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway for ``settings`` (the process's settings by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        admin_url = await asyncio.to_thread(admin_database_url, settings)
        gateway_url = process_database_url(settings, admin_url, "gateway")
        app.state.db_pool = await open_pool(gateway_url, min_size=0, max_size=2, name="gateway")
        app.state.clients = {
            name: IpcClient(settings.endpoints(name), timeout=settings.ipc_timeout_s,
                            pool_size=settings.ipc_pool_size,
                            max_frame_bytes=settings.ipc_max_frame_bytes, name=name)
            for name in SERVICES
        }
        app.state.alert_feed = alert_feed(gateway_url, app.state.clients["signal-service"])
        app.state.alert_feed.start()
        app.state.started_at = time.monotonic()
        try:
            yield
        finally:
            await app.state.alert_feed.close()
            for client in app.state.clients.values():
                await client.close()
            await app.state.db_pool.close()

    app = FastAPI(
        title="Trading-Chitti API", version=__version__, lifespan=lifespan,
        description="Trading intelligence for Indian equities (NSE/BSE): market data, "
                    "indicators, news sentiment, alerts and backtests.",
        generate_unique_id_function=_operation_id,
    )
    install_error_handlers(app)
    for module in (health, compute, market, backtest, news, alerts, signals):
        app.include_router(module.router)
    _mount_dashboard(app)
    return app


def _mount_dashboard(app: FastAPI) -> None:
    if (DASHBOARD_DIR / "index.html").exists():
        app.mount("/", StaticFiles(directory=DASHBOARD_DIR, html=True), name="dashboard")
        return

    @app.get("/", include_in_schema=False, response_model=None)
    async def index() -> HTMLResponse | RedirectResponse:
        return HTMLResponse(
            "<!doctype html><title>Trading-Chitti</title><h1>Trading-Chitti</h1>"
            "<p>The dashboard is not built. API: <a href='/docs'>/docs</a>, "
            "<a href='/health'>/health</a>, <a href='/api/market/symbols?with_prices=true'>"
            "symbols</a>.</p>")
