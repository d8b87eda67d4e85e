"""compute: maps IPC actions to the indicator engine and market-data queries."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import numpy as np

from chitti.compute import backtest as bt
from chitti.compute import indicators
from chitti.compute import store as compute_store
from chitti.compute.schemas import (
    BacktestIdRequest,
    BacktestRequest,
    BatchRequest,
    IndicatorRequest,
    OhlcvRequest,
    SmaRequest,
    StrategyRef,
    SweepRequest,
    SymbolsRequest,
    WalkForwardRequest,
)
from chitti.errors import BadRequest, NotFound
from chitti.ipc.server import IpcServer
from chitti.marketdata import store as md_store
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.quality import coverage_warnings
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


def _as_bars(block: dict[str, np.ndarray], symbol: str) -> bt.Bars:
    return bt.Bars(ts=block["ts"].astype("datetime64[D]"), open=block["open"],
                   high=block["high"], low=block["low"], close=block["close"],
                   volume=block["volume"].astype(np.float64), symbol=symbol)


def _strategy(ref: StrategyRef) -> bt.StrategySpec:
    if isinstance(ref, str):
        if ref not in bt.EXAMPLE_STRATEGIES:
            raise BadRequest(f"strategy: unknown strategy {ref!r}; shipped examples: "
                             f"{', '.join(sorted(bt.EXAMPLE_STRATEGIES))} (or give a spec)")
        return bt.EXAMPLE_STRATEGIES[ref]
    return bt.StrategySpec.parse(ref)


class ComputeActions:
    """The compute service's action handlers, bound to one process's database pool."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def _load_bars(
        self, symbols: list[str], start: Any, end: Any, adjust: Adjust
    ) -> dict[str, dict[str, np.ndarray]]:
        async with self.ctx.pool.connection() as conn:
            panel = await md_store.fetch_panel(conn, symbols, start, end, adjust)
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
        inputs: dict[str, Any] = {str(k): v for k, v in (req.inputs or {}).items()}
        if req.symbol is not None:
            bars = (await self._load_bars([req.symbol], req.start, req.end, req.adjust)
                    ).get(req.symbol)
            if bars is None:
                raise NotFound(f"{req.symbol} has no bars between {req.start} and {req.end}")
            reply["symbol"], reply["ts"], inputs = req.symbol, bars["ts"], bars
            reply["adjust"] = req.adjust
        reply["outputs"] = await asyncio.to_thread(indicators.compute, spec.name, inputs,
                                                   **params)
        return reply

    async def compute_batch(self, req: BatchRequest) -> dict[str, Any]:
        specs = []
        for item in req.indicators:
            spec = indicators.get_spec(item.name)
            specs.append((spec.name, spec.resolve(item.params)))
        series: dict[str, dict[str, Any]]
        reply: dict[str, Any] = {}
        if req.symbols is not None:
            series = dict(await self._load_bars(list(req.symbols), req.start, req.end,
                                                req.adjust))
            reply["adjust"] = req.adjust
        else:
            series = {key: {str(k): v for k, v in inputs.items()}
                      for key, inputs in (req.series or {}).items()}
        results = await asyncio.to_thread(_run_batch, specs, series)
        reply["results"] = {key: {"ts": series[key].get("ts"), "indicators": value}
                            for key, value in results.items()}
        return reply

    async def _bars_of(self, symbols: list[str], start: Any, end: Any,
                       adjust: Adjust) -> dict[str, bt.Bars]:
        panel = await self._load_bars(symbols, start, end, adjust)
        missing = [s for s in symbols if s not in panel]
        if missing:
            raise NotFound(f"no bars for {', '.join(missing)} between {start} and {end}")
        return {s: _as_bars(panel[s], s) for s in symbols}

    async def _benchmark(self, symbol: str | None, start: Any, end: Any,
                         adjust: Adjust) -> bt.Bars | None:
        if symbol is None:
            return None
        async with self.ctx.pool.connection() as conn:
            panel = await md_store.fetch_panel(conn, [symbol], start, end, adjust)
        return _as_bars(panel[symbol], symbol) if symbol in panel else None

    async def list_strategies(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"strategies": [{"name": name, "description": spec.description,
                                "spec": spec.model_dump(mode="json", exclude_none=True)}
                               for name, spec in bt.EXAMPLE_STRATEGIES.items()],
                "cost_profiles": sorted(bt.COST_PROFILES), "metric_units": bt.METRIC_UNITS}

    async def backtest(self, req: BacktestRequest) -> dict[str, Any]:
        spec = _strategy(req.strategy)
        symbols = list(dict.fromkeys(req.symbols))
        bars = await self._bars_of(symbols, req.start, req.end, req.adjust)
        benchmark = await self._benchmark(req.benchmark, req.start, req.end, req.adjust)
        config, params = dict(req.config), dict(req.params)  # validated by the engine
        if len(symbols) == 1:
            run = partial(bt.run_backtest, bars[symbols[0]])
        else:
            run = partial(bt.run_portfolio, bars)
        result = (await asyncio.to_thread(run, spec, config=config, params=params,
                                          benchmark=benchmark)).to_dict()
        warnings = [w for s in symbols for w in coverage_warnings(s, bars[s].ts, req.start,
                                                                  req.end)]
        if req.benchmark is not None:  # judged against the range the bars really cover
            first = min(b.ts[0] for b in bars.values()).item()
            last = max(b.ts[-1] for b in bars.values()).item()
            warnings += coverage_warnings(
                f"benchmark {req.benchmark}",
                benchmark.ts if benchmark is not None else np.empty(0, "datetime64[D]"),
                first, last)
        async with self.ctx.pool.connection() as conn:
            backtest_id = await compute_store.save_backtest(
                conn, strategy=spec.name, spec=spec.model_dump(mode="json"),
                params=result["params"], symbols=symbols, start=req.start, end=req.end,
                result=result)
        # "id" is a protocol key of IPC replies: the backtest travels as one nested object.
        return {"backtest": {"id": backtest_id, "adjust": req.adjust, **result,
                             "warnings": warnings}}

    async def get_backtest(self, req: BacktestIdRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            return {"backtest": await compute_store.get_backtest(conn, req.backtest_id)}

    async def sweep(self, req: SweepRequest) -> dict[str, Any]:
        bars = (await self._bars_of([req.symbol], req.start, req.end, req.adjust))[req.symbol]
        result = await asyncio.to_thread(
            bt.sweep, bars, _strategy(req.strategy), req.grid, config=req.config,
            metric=req.metric, constraints=req.constraints,
            max_combinations=self.ctx.settings.backtest_max_combinations)
        return {"adjust": req.adjust, **result.to_dict(table=req.table),
                "warnings": coverage_warnings(req.symbol, bars.ts, req.start, req.end)}

    async def walk_forward(self, req: WalkForwardRequest) -> dict[str, Any]:
        bars = (await self._bars_of([req.symbol], req.start, req.end, req.adjust))[req.symbol]
        result = await asyncio.to_thread(
            bt.walk_forward, bars, _strategy(req.strategy), req.grid,
            in_sample_bars=req.in_sample_bars, out_of_sample_bars=req.out_of_sample_bars,
            config=req.config, metric=req.metric, constraints=req.constraints,
            max_combinations=self.ctx.settings.backtest_max_combinations)
        return {"adjust": req.adjust, **result.to_dict(),
                "warnings": coverage_warnings(req.symbol, bars.ts, req.start, req.end)}

    async def get_ohlcv(self, req: OhlcvRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            if req.interval == "1d":
                bars, applied = await md_store.fetch_ohlcv(conn, req.symbol, req.start,
                                                           req.end, req.adjust)
            else:
                bars, applied = await md_store.fetch_intraday(
                    conn, req.symbol, req.start, req.end, req.interval, req.adjust)
            if bars["ts"].size == 0 and not await md_store.symbol_exists(conn, req.symbol):
                raise NotFound(f"unknown symbol {req.symbol!r}; see GET /api/market/symbols")
        days = np.array([str(t)[:10] for t in bars["ts"]], dtype="datetime64[D]")
        return {"symbol": req.symbol, "interval": req.interval, "adjust": req.adjust,
                "count": int(bars["ts"].size),
                **bars, "actions": [a.to_dict() for a in applied],
                "warnings": coverage_warnings(req.symbol, days, req.start, req.end)}

    async def list_symbols(self, req: SymbolsRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            rows, total = await md_store.list_symbols(
                conn, query=req.q, index=req.index, with_prices=req.with_prices,
                limit=req.limit, offset=req.offset)
        return {"symbols": rows, "count": len(rows), "total": total}


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach compute's actions to ``server``."""
    actions = ComputeActions(ctx)
    server.action("compute_sma", params=SmaRequest)(actions.compute_sma)
    server.action("list_indicators")(actions.list_indicators)
    server.action("compute_indicator", params=IndicatorRequest)(actions.compute_indicator)
    server.action("compute_batch", params=BatchRequest)(actions.compute_batch)
    server.action("get_ohlcv", params=OhlcvRequest)(actions.get_ohlcv)
    server.action("list_symbols", params=SymbolsRequest)(actions.list_symbols)
    server.action("list_strategies")(actions.list_strategies)
    server.action("backtest", params=BacktestRequest)(actions.backtest)
    server.action("get_backtest", params=BacktestIdRequest)(actions.get_backtest)
    server.action("sweep", params=SweepRequest)(actions.sweep)
    server.action("walk_forward", params=WalkForwardRequest)(actions.walk_forward)
