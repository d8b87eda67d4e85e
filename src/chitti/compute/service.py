"""compute: maps IPC actions to the indicator engine and market-data queries."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from chitti.compute import indicators
from chitti.compute.schemas import (
    BatchRequest,
    IndicatorRequest,
    OhlcvRequest,
    SmaRequest,
    SymbolsRequest,
)
from chitti.errors import BadRequest, NotFound
from chitti.ipc.server import IpcServer
from chitti.marketdata import store as md_store
from chitti.runtime import ServiceContext


def _run_batch(
    specs: list[tuple[str, dict[str, Any]]], series: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    # CPU-bound: runs in a worker thread (the numba kernels release the GIL).
    return {
        key: [{"name": name, "params": params,
               "outputs": indicators.compute(name, inputs, **params)} for name, params in specs]
        for key, inputs in series.items()
    }


class ComputeActions:
    """The compute service's action handlers, bound to one process's database pool."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def _load_bars(
        self, symbols: list[str], start: Any, end: Any
    ) -> dict[str, dict[str, np.ndarray]]:
        async with self.ctx.pool.connection() as conn:
            panel = await md_store.fetch_panel(conn, symbols, start, end)
            for symbol in symbols:
                if symbol not in panel and not await md_store.symbol_exists(conn, symbol):
                    raise NotFound(f"unknown symbol {symbol!r}; see GET /api/market/symbols")
        return panel

    async def compute_sma(self, req: SmaRequest) -> dict[str, Any]:
        if req.period > len(req.prices):
            raise BadRequest(f"period {req.period} is longer than the {len(req.prices)} prices")
        (values,) = indicators.compute(
            "sma", {"close": req.prices}, timeperiod=req.period).values()
        return {"period": req.period, "sma": values}

    async def list_indicators(self, _: dict[str, Any]) -> dict[str, Any]:
        specs = [spec.to_dict() for spec in indicators.catalog()]
        return {"indicators": specs, "count": len(specs)}

    async def compute_indicator(self, req: IndicatorRequest) -> dict[str, Any]:
        spec = indicators.get_spec(req.name)
        params = spec.resolve(req.params)
        reply: dict[str, Any] = {"name": spec.name, "params": params,
                                 "lookback": spec.lookback(params)}
        inputs: dict[str, Any] = dict(req.inputs or {})
        if req.symbol is not None:
            bars = (await self._load_bars([req.symbol], req.start, req.end)).get(req.symbol)
            if bars is None:
                raise NotFound(f"{req.symbol} has no bars between {req.start} and {req.end}")
            reply["symbol"], reply["ts"], inputs = req.symbol, bars["ts"], bars
        reply["outputs"] = await asyncio.to_thread(indicators.compute, spec.name, inputs,
                                                   **params)
        return reply

    async def compute_batch(self, req: BatchRequest) -> dict[str, Any]:
        specs = []
        for item in req.indicators:
            spec = indicators.get_spec(item.name)
            specs.append((spec.name, spec.resolve(item.params)))
        series: dict[str, dict[str, Any]]
        if req.symbols is not None:
            series = dict(await self._load_bars(list(req.symbols), req.start, req.end))
        else:
            series = dict(req.series or {})
        results = await asyncio.to_thread(_run_batch, specs, series)
        return {"results": {key: {"ts": series[key].get("ts"), "indicators": value}
                            for key, value in results.items()}}

    async def get_ohlcv(self, req: OhlcvRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            bars = await md_store.fetch_ohlcv(conn, req.symbol, req.start, req.end)
            if bars["ts"].size == 0 and not await md_store.symbol_exists(conn, req.symbol):
                raise NotFound(f"unknown symbol {req.symbol!r}; see GET /api/market/symbols")
        return {"symbol": req.symbol, "count": int(bars["ts"].size), **bars}

    async def list_symbols(self, req: SymbolsRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            rows = await md_store.list_symbols(
                conn, query=req.q, index=req.index, with_prices=req.with_prices,
                limit=req.limit, offset=req.offset)
        return {"symbols": rows, "count": len(rows)}


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach compute's actions to ``server``."""
    actions = ComputeActions(ctx)
    server.action("compute_sma", params=SmaRequest)(actions.compute_sma)
    server.action("list_indicators")(actions.list_indicators)
    server.action("compute_indicator", params=IndicatorRequest)(actions.compute_indicator)
    server.action("compute_batch", params=BatchRequest)(actions.compute_batch)
    server.action("get_ohlcv", params=OhlcvRequest)(actions.get_ohlcv)
    server.action("list_symbols", params=SymbolsRequest)(actions.list_symbols)
