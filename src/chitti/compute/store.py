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
) -> int:
    """Store a backtest (spec, parameters, range, metrics, equity, trades); return its id."""
    cur = await conn.execute(
        "INSERT INTO signals.backtests (strategy, spec, params, symbols, start_date, end_date,"
        " metrics, equity, trades) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (strategy, Jsonb(spec), Jsonb(params), symbols, start, end,
         Jsonb({"metrics": result["metrics"], "config": result["config"],
                "cost_schedule": result.get("cost_schedule", [])}),
         Jsonb(result.get("equity_curve", {})), Jsonb(result["trades"])))
    row = await cur.fetchone()
    assert row is not None
    return int(row["id"])


async def get_backtest(conn: AsyncConnection[Any], backtest_id: int) -> dict[str, Any]:
    cur = await conn.execute(
        "SELECT id, created_at, strategy, spec, params, symbols, start_date, end_date, metrics,"
        " equity, trades FROM signals.backtests WHERE id = %s", (backtest_id,))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no backtest with id {backtest_id}")
    out = dict(row)
    stored = out.pop("metrics")
    out["metrics"], out["config"] = stored["metrics"], stored["config"]
    out["cost_schedule"] = stored.get("cost_schedule", [])
    out["equity_curve"] = out.pop("equity")
    return out
