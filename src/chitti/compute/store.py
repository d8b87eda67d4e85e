"""SQL of the compute service beyond market data: stored backtests (``signals.backtests``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from chitti.errors import NotFound


async def save_backtest(
    conn: AsyncConnection[Any], *, strategy: str, spec: dict[str, Any], params: dict[str, Any],
    symbols: list[str], start: date | None, end: date | None, result: dict[str, Any],
    owner: str | None, run: dict[str, Any],
) -> int:
    """Store a backtest (spec, parameters, range, metrics, equity, trades, and ``run``: its
    adjustment, bar length and warnings) for ``owner``; return its id."""
    cur = await conn.execute(
        "INSERT INTO signals.backtests (strategy, spec, params, symbols, start_date, end_date,"
        " metrics, equity, trades, owner) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " RETURNING id",
        (strategy, Jsonb(spec), Jsonb(params), symbols, start, end,
         Jsonb({"metrics": result["metrics"], "config": result["config"],
                "cost_schedule": result.get("cost_schedule", []), **run}),
         Jsonb(result.get("equity_curve", {})), Jsonb(result["trades"]), owner))
    row = await cur.fetchone()
    assert row is not None
    return int(row["id"])


async def get_backtest(conn: AsyncConnection[Any], backtest_id: int,
                       owner: str | None) -> dict[str, Any]:
    """One stored backtest of ``owner`` (None: anyone's); NotFound otherwise."""
    cur = await conn.execute(
        "SELECT id, created_at, strategy, spec, params, symbols, start_date, end_date, metrics,"
        " equity, trades, owner FROM signals.backtests WHERE id = %(id)s"
        " AND (%(owner)s::text IS NULL OR owner = %(owner)s OR owner IS NULL)",
        {"id": backtest_id, "owner": owner})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no backtest with id {backtest_id}")
    out = dict(row)
    stored = out.pop("metrics")
    out["metrics"], out["config"] = stored["metrics"], stored["config"]
    out["cost_schedule"] = stored.get("cost_schedule", [])
    out["equity_curve"] = out.pop("equity")
    for key, default in RUN_DEFAULTS.items():
        out[key] = stored.get(key, default)
    return out


#: What a stored backtest says of its run (rows stored before it was kept: unknown).
RUN_DEFAULTS: dict[str, Any] = {"adjust": None, "interval": None, "warnings": []}


async def list_backtests(conn: AsyncConnection[Any], owner: str | None, limit: int,
                         before_id: int | None) -> list[dict[str, Any]]:
    """``owner``'s stored backtests (None: everyone's), newest first, without curves."""
    cur = await conn.execute(
        "SELECT id, created_at, strategy, symbols, start_date, end_date, owner,"
        " metrics->'metrics' AS metrics, metrics->>'adjust' AS adjust,"
        " metrics->>'interval' AS interval FROM signals.backtests"
        " WHERE (%(owner)s::text IS NULL OR owner = %(owner)s OR owner IS NULL)"
        " AND (%(before)s::bigint IS NULL OR id < %(before)s) ORDER BY id DESC LIMIT %(limit)s",
        {"owner": owner, "before": before_id, "limit": limit})
    return [dict(row) for row in await cur.fetchall()]
