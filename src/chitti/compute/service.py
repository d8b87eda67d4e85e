"""compute: maps IPC actions to the indicator engine and market-data queries."""

from __future__ import annotations

from typing import Any

import numpy as np

from chitti.compute.indicators import compute as compute_indicator
from chitti.compute.schemas import OhlcvRequest, SmaRequest, SymbolsRequest
from chitti.errors import BadRequest, NotFound
from chitti.ipc.server import IpcServer
from chitti.marketdata import store as md_store
from chitti.runtime import ServiceContext


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach compute's actions to ``server``."""

    @server.action("compute_sma", params=SmaRequest)
    async def compute_sma(req: SmaRequest) -> dict[str, Any]:
        prices = np.asarray(req.prices, dtype=np.float64)
        if not np.isfinite(prices).all():
            bad = int(np.flatnonzero(~np.isfinite(prices))[0])
            raise BadRequest(f"prices[{bad}] is not a finite number")
        if req.period > prices.size:
            raise BadRequest(f"period {req.period} is longer than the {prices.size} prices")
        values = compute_indicator("sma", {"close": prices}, timeperiod=req.period)
        (series,) = values.values()
        return {"period": req.period, "sma": series}

    @server.action("get_ohlcv", params=OhlcvRequest)
    async def get_ohlcv(req: OhlcvRequest) -> dict[str, Any]:
        async with ctx.pool.connection() as conn:
            bars = await md_store.fetch_ohlcv(conn, req.symbol, req.start, req.end)
            if bars["ts"].size == 0 and not await md_store.symbol_exists(conn, req.symbol):
                raise NotFound(f"unknown symbol {req.symbol!r}; see GET /api/market/symbols")
        return {"symbol": req.symbol, "count": int(bars["ts"].size), **bars}

    @server.action("list_symbols", params=SymbolsRequest)
    async def list_symbols(req: SymbolsRequest) -> dict[str, Any]:
        async with ctx.pool.connection() as conn:
            rows = await md_store.list_symbols(
                conn, query=req.q, index=req.index, with_prices=req.with_prices,
                limit=req.limit, offset=req.offset)
        return {"symbols": rows, "count": len(rows)}
