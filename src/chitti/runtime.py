"""Run one service process: settings, its database pool, its IPC server, clean shutdown.

Every service (news-nlp, signal-service, compute) is the same shell around its own actions:
it connects as its own least-privilege role, refuses to start on a database whose schema is
behind (run ``chitti migrate``), answers ``health`` with the database state, and exits
cleanly on SIGINT/SIGTERM (removing its sockets).
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from chitti import __version__
from chitti.config import ServiceName, Settings, is_loopback
from chitti.db.embedded import DATABASE_NAME, start_embedded
from chitti.db.migrate import load_migrations
from chitti.db.pool import (
    DictPool,
    database_error,
    db_health,
    open_pool,
    process_database_url,
)
from chitti.errors import Unavailable
from chitti.ipc.protocol import as_endpoint
from chitti.ipc.server import IpcServer
from chitti.warmup import Warming, lean_kernel_loading

log = logging.getLogger(__name__)

#: How often a service gives the C heap's free pages back to the system (malloc_trim).
TRIM_INTERVAL_S = 30.0


@dataclass
class ServiceContext:
    """What an action handler may use: settings, the process's pool and its role's URL."""

    settings: Settings
    pool: DictPool
    database_url: str
    #: Background duties to end when the service is told to stop, before it drains (the
    #: feed poller, the alert watchers): a successor started by ``chitti reload`` already
    #: runs them, and a draining process should only finish its requests.
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: Coroutines run at shutdown (e.g. closing a LISTEN feed), in order.
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


Register = Callable[[IpcServer, ServiceContext], Awaitable[None] | None]


def admin_database_url(settings: Settings) -> str:
    """The configured server, or the embedded one (started if it is not running)."""
    if settings.database_url:
        return settings.database_url
    _backend, url = start_embedded(settings.pgdata_dir)
    return url


async def check_schema_current(pool: DictPool) -> None:
    """Refuse to serve on a schema older than this code (the fix: ``chitti migrate``)."""
    latest = load_migrations()[-1].version
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT coalesce(max(version), 0) AS v FROM public.schema_migrations")
        row = await cur.fetchone()
    applied = int(row["v"]) if row else 0
    if applied < latest:
        raise Unavailable(f"database schema is at migration {applied}, this code needs "
                          f"{latest}: run `chitti migrate`")


def configure_logging(settings: Settings, name: str) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s",
    )


@asynccontextmanager
async def service_context(name: str, settings: Settings) -> AsyncIterator[ServiceContext]:
    """Connect as ``name``'s role, check the schema, and close everything on exit."""
    admin_url = await asyncio.to_thread(admin_database_url, settings)
    url = process_database_url(settings, admin_url, name)
    pool = await open_pool(url, min_size=settings.db_pool_min_size,
                           max_size=settings.db_pool_max_size, name=name)
    context = ServiceContext(settings, pool, url)
    try:
        await check_schema_current(pool)
        yield context
    finally:
        for close in context.on_close:
            await close()
        await pool.close()


def _malloc_trim() -> Callable[[], object] | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None
    return lambda: trim(0)


async def _trim_memory(trim: Callable[[], object]) -> None:
    """Hand freed heap memory back every :data:`TRIM_INTERVAL_S`: after a one-off large
    request (a features panel, a wide batch) glibc keeps its peak resident otherwise (about
    20 MB after a 10-symbol features panel; a trim takes a few ms)."""
    while True:
        await asyncio.sleep(TRIM_INTERVAL_S)
        await asyncio.to_thread(trim)


def check_ipc_exposure(endpoints: list[str], secret: bytes | None) -> None:
    """Refuse to serve unauthenticated IPC to the network (loopback and Unix sockets are
    local: the 0700 run directory and the host's users are the boundary there)."""
    if secret is not None:
        return
    exposed = [text for text in endpoints
               if (ep := as_endpoint(text)).kind == "tcp"
               and not is_loopback(ep.host or "")]
    if exposed:
        raise Unavailable(f"refusing to listen on {', '.join(exposed)} without "
                          "CHITTI_IPC_SECRET: anyone on the network could call the service; "
                          "set the same secret (32+ characters) on services and gateways")


async def serve(name: ServiceName, settings: Settings, register: Register, *,
                instance: int | None = None, takeover: bool = False) -> None:
    """Run service ``name`` until SIGINT/SIGTERM, then drain for ``CHITTI_DRAIN_S``.

    ``instance`` (1-based) picks this process's endpoint among the service's instances;
    ``takeover`` binds where a running predecessor listens (``chitti reload``).
    """
    endpoints = settings.listen_endpoints(name, instance)
    check_ipc_exposure(endpoints, settings.ipc_secret_bytes())
    lean_kernel_loading()  # before the first kernel is loaded: ~85% less memory per kernel
    async with service_context(name, settings) as context:
        server = IpcServer(name, __version__, max_frame_bytes=settings.ipc_max_frame_bytes,
                           secret=settings.ipc_secret_bytes())

        warming = Warming(name)  # compiles stale kernels in a child process, if any

        async def health() -> dict[str, Any]:
            return {"db": {**await db_health(context.pool), "database": DATABASE_NAME},
                    **warming.health()}

        server.set_health_hook(health)
        server.set_error_hook(database_error)
        warming.start()
        maybe = register(server, context)
        if maybe is not None:
            await maybe
        await server.start(endpoints, takeover=takeover)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        serving = asyncio.create_task(server.serve_forever())
        trim = _malloc_trim()
        trimming = asyncio.create_task(_trim_memory(trim)) if trim is not None else None
        await stop.wait()
        log.info("%s stopping", name)
        serving.cancel()
        if trimming is not None:
            trimming.cancel()
        for duty in context.on_stop:
            await duty()
        await warming.close()
        await server.close(drain_s=settings.drain_s)
