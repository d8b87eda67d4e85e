"""Async connection pools, one per process, connecting as the process's own role."""

from __future__ import annotations

import time
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from chitti.config import DB_ROLES, Settings, role_database_url
from chitti.errors import ChittiError, Unavailable


def process_database_url(settings: Settings, admin_url: str, process: str) -> str:
    """URL for ``process`` ("news-nlp", "compute", ...): its least-privilege role."""
    password = settings.db_role_password.get_secret_value() if settings.db_role_password else None
    return role_database_url(admin_url, DB_ROLES[process], password)


#: A pool whose connections return rows as dicts.
DictPool = AsyncConnectionPool[AsyncConnection[DictRow]]


async def open_pool(url: str, *, min_size: int, max_size: int, name: str) -> DictPool:
    """Open a pool and wait until its first connection works (fails fast on a bad URL)."""
    pool: DictPool = AsyncConnectionPool(
        url,
        connection_class=AsyncConnection[DictRow],
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        kwargs={"row_factory": dict_row, "application_name": f"chitti-{name}"},
        check=AsyncConnectionPool.check_connection,
        reconnect_timeout=30,
    )
    await pool.open(wait=True, timeout=15)
    return pool


async def db_health(pool: DictPool) -> dict[str, Any]:
    """Round-trip ``SELECT 1`` and report status and latency (never raises)."""
    started = time.perf_counter()
    try:
        async with pool.connection(timeout=2) as conn:
            await conn.execute("SELECT 1")
    except Exception as exc:  # reported, not raised: health must always answer
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 3)}


async def connect(url: str) -> AsyncConnection[Any]:
    """A single autocommit connection (LISTEN loops, one-off admin work)."""
    return await AsyncConnection.connect(url, autocommit=True)


def database_error(exc: Exception) -> ChittiError | None:
    """A database that is down, restarting or out of disk is a 503 the caller can retry,
    not an internal error (nothing was half-written: each write is one transaction)."""
    if isinstance(exc, psycopg.errors.DiskFull):
        return Unavailable("the database is out of disk space; nothing was written. Free "
                           "space on the database server (or its state directory), then "
                           "retry")
    if isinstance(exc, psycopg.OperationalError | PoolTimeout):
        return Unavailable(f"the database is unavailable ({str(exc).strip()[:200]}); it is "
                           "being restarted or reconnected: retry in a few seconds")
    return None
