"""compute: maps IPC actions to the indicator engine and market-data queries."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import Any

import numpy as np

from chitti.compute import backtest as bt
from chitti.compute import cluster, indicators
from chitti.compute import research_service as research
from chitti.compute import store as compute_store
from chitti.compute.schemas import (
    BacktestIdRequest,
    BacktestListRequest,
    BacktestRequest,
    BatchRequest,
    CheckPricesRequest,
    IndicatorRequest,
    OhlcvRequest,
    OwnedBacktestRequest,
    QuotesRequest,
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
from chitti.marketdata.check import check_panel
from chitti.marketdata.intraday import INTERVAL_MINUTES
from chitti.marketdata.quality import coverage_warnings
from chitti.marketdata.quotes import SPARK_BARS, quotes
from chitti.marketdata.series import Bars
from chitti.marketdata.sessions import SESSION_MINUTES, bar_times
from chitti.runtime import ServiceContext


def _run_batch(
    specs: list[tuple[str, dict[str, Any]]], series: dict[str, dict[str, Any]],
    warmup: dict[str, int],
) -> dict[str, list[dict[str, Any]]]:
    # CPU-bound: runs in a worker thread (the numba kernels release the GIL).
    return {
        key: [{"name": name, "params": params,
               "outputs": _trim(indicators.compute(name, inputs, **params),
                                warmup.get(key, 0))} for name, params in specs]
        for key, inputs in series.items()
    }


def _trim(outputs: dict[str, np.ndarray], warmup: int) -> dict[str, np.ndarray]:
    return {name: values[warmup:] for name, values in outputs.items()} if warmup else outputs


def _inputs(bars: Bars) -> dict[str, Any]:
    return {"open": bars.open, "high": bars.high, "low": bars.low, "close": bars.close,
            "volume": bars.volume}


def _dates(bars: Bars) -> list[str]:
    """Bar times of the asked-for range (warm-up bars are not reported)."""
    return bar_times(bars.ts[bars.warmup:])


def _warmup_warnings(bars: Bars, start: Any, needed: int, what: str) -> list[str]:
    """Say so when the history before ``start`` is shorter than ``what`` needs."""
    if start is None or bars.warmup >= needed:
        return []
    return [f"{bars.symbol}: {bars.warmup} bars of history before {start}, but {what} needs "
            f"{needed}; its first {needed - bars.warmup} bars of the range lack values"]


def _range_warnings(bars: Iterable[Bars], start: Any, end: Any, needed: int,
                    what: str) -> list[str]:
    """Where the bars miss the asked-for range, or the history before it is too short."""
    return [w for b in bars for w in (*_warmup_warnings(b, start, needed, what),
                                      *coverage_warnings(b.symbol, b.ts[b.warmup:], start, end))]


#: What an intraday run assumes unless its config says otherwise: an MIS order (the
#: intraday cost profile, squared off at 15:20 IST, as discount brokers do).
INTRADAY_DEFAULTS = {"costs": "nse_intraday_discount", "square_off_ist": "15:20"}


def _config(req: BacktestRequest | SweepRequest) -> dict[str, Any]:
    """The request's config, with the intraday defaults filled in for intraday bars."""
    config = dict(req.config)
    if req.interval != "1d":
        bars_per_session = -(-SESSION_MINUTES // INTERVAL_MINUTES[req.interval])
        config = {**INTRADAY_DEFAULTS, "periods_per_year": 252 * bars_per_session, **config}
    return config


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


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

    async def _bars(self, symbols: list[str], start: Any, end: Any, adjust: Adjust, *,
                    interval: str = "1d", require: bool = True) -> dict[str, Bars]:
        async with self.ctx.pool.connection() as conn:
            return await compute_store.read_bars(conn, symbols, start, end, adjust,
                                                 interval=interval, require=require)

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
        warmup = 0
        if req.symbol is not None:
            (bars,) = (await self._bars([req.symbol], req.start, req.end, req.adjust,
                                        interval=req.interval)).values()
            inputs, warmup = _inputs(bars), bars.warmup
            reply.update(symbol=req.symbol, ts=_dates(bars), adjust=req.adjust, warnings=[
                *_warmup_warnings(bars, req.start, reply["lookback"], f"{spec.name}{params}"),
                *coverage_warnings(req.symbol, bars.ts[warmup:], req.start, req.end)])
        outputs = await asyncio.to_thread(indicators.compute, spec.name, inputs, **params)
        reply["outputs"] = _trim(outputs, warmup)
        return reply

    async def compute_batch(self, req: BatchRequest) -> dict[str, Any]:
        specs = []
        for item in req.indicators:
            spec = indicators.get_spec(item.name)
            specs.append((spec.name, spec.resolve(item.params)))
        series: dict[str, dict[str, Any]]
        reply: dict[str, Any] = {}
        warmups: dict[str, int] = {}
        dates: dict[str, Any] = {}
        if req.symbols is not None:
            needed = max(indicators.get_spec(name).lookback(params) for name, params in specs)
            symbols = list(dict.fromkeys(req.symbols))
            bars = await self._bars(symbols, req.start, req.end, req.adjust,
                                    interval=req.interval, require=False)
            series = {s: _inputs(b) for s, b in bars.items()}
            warmups = {s: b.warmup for s, b in bars.items()}
            dates = {s: _dates(b) for s, b in bars.items()}
            reply["adjust"] = req.adjust
            reply["warnings"] = [
                *(f"{s}: no bars between {req.start} and {req.end}" for s in symbols
                  if s not in bars),
                *(w for b in bars.values()
                  for w in _warmup_warnings(b, req.start, needed, "the longest indicator"))]
        else:
            series = {key: {str(k): v for k, v in inputs.items()}
                      for key, inputs in (req.series or {}).items()}
        results = await asyncio.to_thread(_run_batch, specs, series, warmups)
        reply["results"] = {key: {"ts": dates.get(key), "indicators": value}
                            for key, value in results.items()}
        return reply

    async def _benchmark(self, symbol: str | None, start: Any, end: Any,
                         adjust: Adjust) -> Bars | None:
        if symbol is None:
            return None
        async with self.ctx.pool.connection() as conn:
            found = await md_store.fetch_bars(conn, [symbol], start, end, adjust=adjust)
        return found.get(symbol)

    async def list_strategies(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"strategies": [{"name": name, "description": spec.description,
                                "spec": spec.model_dump(mode="json", exclude_none=True)}
                               for name, spec in bt.EXAMPLE_STRATEGIES.items()],
                "cost_profiles": sorted(bt.COST_PROFILES), "metric_units": bt.METRIC_UNITS}

    async def backtest(self, req: OwnedBacktestRequest) -> dict[str, Any]:
        spec = _strategy(req.strategy)
        symbols = list(dict.fromkeys(req.symbols))
        needed = spec.warmup_bars(req.params)
        bars = await self._bars(symbols, req.start, req.end, req.adjust, interval=req.interval)
        intraday = req.interval != "1d"
        benchmark = None if intraday else await self._benchmark(req.benchmark, req.start,
                                                                req.end, req.adjust)
        config, params = _config(req), dict(req.params)  # validated by the engine
        if len(symbols) == 1:
            run = partial(bt.run_backtest, bars[symbols[0]])
        else:
            run = partial(bt.run_portfolio, bars)
        result = (await asyncio.to_thread(run, spec, config=config, params=params,
                                          benchmark=benchmark)).to_dict()
        warnings = _range_warnings(bars.values(), req.start, req.end, needed, spec.name)
        if intraday and req.benchmark is not None:
            warnings.append(f"benchmark {req.benchmark}: not compared on {req.interval} bars "
                            "(benchmark metrics use daily bars)")
        elif req.benchmark is not None:  # judged against the range the bars really cover
            first = min(b.ts[b.warmup] for b in bars.values()).item()
            last = max(b.ts[-1] for b in bars.values()).item()
            warnings += coverage_warnings(
                f"benchmark {req.benchmark}",
                benchmark.ts if benchmark is not None else np.empty(0, "datetime64[D]"),
                first, last)
        async with self.ctx.pool.connection() as conn:
            backtest_id = await compute_store.save_backtest(
                conn, strategy=spec.name, spec=spec.model_dump(mode="json"),
                params=result["params"], symbols=symbols, start=req.start, end=req.end,
                result=result, owner=req.owner,
                run={"adjust": req.adjust, "interval": req.interval, "warnings": warnings})
        # "id" is a protocol key of IPC replies: the backtest travels as one nested object.
        return {"backtest": {"id": backtest_id, "adjust": req.adjust, **result,
                             "warnings": warnings}}

    async def get_backtest(self, req: BacktestIdRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            return {"backtest": await compute_store.get_backtest(conn, req.backtest_id,
                                                                 req.owner)}

    async def list_backtests(self, req: BacktestListRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            rows = await compute_store.list_backtests(conn, req.owner, req.limit, req.before_id)
        return {"backtests": rows, "count": len(rows),
                "next_before_id": rows[-1]["id"] if len(rows) == req.limit else None}

    async def _swept_bars(self, req: SweepRequest, spec: bt.StrategySpec) -> tuple[Bars, int]:
        # the warm-up of the grid's largest values (indicator periods grow with them)
        needed = spec.warmup_bars({k: _number(max(v)) for k, v in req.grid.items() if v})
        (bars,) = (await self._bars([req.symbol], req.start, req.end, req.adjust,
                                    interval=req.interval)).values()
        return bars, needed

    async def check_sweep(self, req: SweepRequest) -> dict[str, Any]:
        """Refuse now what a queued sweep or walk-forward would fail on: the spec, metric,
        grid size and an unknown symbol (the gateway asks before it queues a job)."""
        count = bt.check_sweep(_strategy(req.strategy), req.grid, metric=req.metric,
                               constraints=req.constraints,
                               max_combinations=self.ctx.settings.backtest_max_combinations)
        async with self.ctx.pool.connection() as conn:
            if not await md_store.symbol_exists(conn, req.symbol):
                raise NotFound(f"unknown symbol {req.symbol!r}; see GET /api/market/symbols")
        return {"combinations": count}

    async def sweep(self, req: SweepRequest) -> dict[str, Any]:
        spec = _strategy(req.strategy)
        bars, needed = await self._swept_bars(req, spec)
        result = await asyncio.to_thread(
            bt.sweep, bars, spec, req.grid, config=_config(req),
            metric=req.metric, constraints=req.constraints,
            max_combinations=self.ctx.settings.backtest_max_combinations,
            executor=cluster.executor(self.ctx.settings.cluster))
        return {"adjust": req.adjust, **result.to_dict(table=req.table),
                "warnings": _range_warnings([bars], req.start, req.end, needed, spec.name)}

    async def walk_forward(self, req: WalkForwardRequest) -> dict[str, Any]:
        spec = _strategy(req.strategy)
        bars, needed = await self._swept_bars(req, spec)
        result = await asyncio.to_thread(
            bt.walk_forward, bars, spec, req.grid,
            in_sample_bars=req.in_sample_bars, out_of_sample_bars=req.out_of_sample_bars,
            config=_config(req), metric=req.metric, constraints=req.constraints,
            max_combinations=self.ctx.settings.backtest_max_combinations,
            executor=cluster.executor(self.ctx.settings.cluster))
        return {"adjust": req.adjust, **result.to_dict(),
                "warnings": _range_warnings([bars], req.start, req.end, needed, spec.name)}

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

    async def get_quotes(self, req: QuotesRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            bars, listed = await md_store.read_latest(conn, req.symbols, SPARK_BARS,
                                                      adjust=req.adjust)
        return quotes(req.symbols, bars, listed, req.adjust)

    async def check_prices(self, req: CheckPricesRequest) -> dict[str, Any]:
        symbols = list(dict.fromkeys(req.symbols))
        async with self.ctx.pool.connection() as conn:
            panel = await md_store.fetch_panel(conn, symbols, None, None, req.adjust)
        findings = check_panel(panel, symbols, threshold_pct=req.threshold_pct)
        return {"adjust": req.adjust, "checked": findings.checked,
                "gaps": [g.to_dict() for g in findings.gaps],
                "bad_bars": [{"where": w, "problem": p} for w, p in findings.bad_bars],
                "missing": findings.missing}

    async def list_symbols(self, req: SymbolsRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            rows, total = await md_store.list_symbols(
                conn, query=req.q, index=req.index, with_prices=req.with_prices,
                limit=req.limit, offset=req.offset)
        return {"symbols": rows, "count": len(rows), "total": total}


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach compute's actions to ``server``."""
    actions = ComputeActions(ctx)
    research.register(server, ctx)
    server.action("compute_sma", params=SmaRequest)(actions.compute_sma)
    server.action("list_indicators")(actions.list_indicators)
    server.action("compute_indicator", params=IndicatorRequest)(actions.compute_indicator)
    server.action("compute_batch", params=BatchRequest)(actions.compute_batch)
    server.action("get_ohlcv", params=OhlcvRequest)(actions.get_ohlcv)
    server.action("list_symbols", params=SymbolsRequest)(actions.list_symbols)
    server.action("get_quotes", params=QuotesRequest)(actions.get_quotes)
    server.action("check_prices", params=CheckPricesRequest)(actions.check_prices)
    server.action("list_strategies")(actions.list_strategies)
    server.action("backtest", params=OwnedBacktestRequest)(actions.backtest)
    server.action("list_backtests", params=BacktestListRequest)(actions.list_backtests)
    server.action("get_backtest", params=BacktestIdRequest)(actions.get_backtest)
    server.action("sweep", params=SweepRequest)(actions.sweep)
    server.action("walk_forward", params=WalkForwardRequest)(actions.walk_forward)
    server.action("check_sweep", params=SweepRequest)(actions.check_sweep)
