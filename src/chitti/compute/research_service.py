"""compute's research actions: features, model training and prediction, portfolio
optimisation and risk. Each reads bars (and news) through the stores, runs the pure domain
code in a worker thread (a training: in a child process, chitti.compute.isolated) and returns
JSON-able replies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from psycopg import AsyncConnection

from chitti.compute import cluster, ml, store
from chitti.compute import features as feat
from chitti.compute import portfolio as pf
from chitti.compute import risk as risk_domain
from chitti.compute.features.news import NewsItems
from chitti.compute.isolated import run_async_cancellable, run_isolated
from chitti.compute.research_schemas import (
    FeaturesRequest,
    OptimizeRequest,
    PredictRequest,
    RiskRequest,
    TrainRequest,
)
from chitti.config import Settings
from chitti.db.pool import open_pool
from chitti.errors import BadRequest, NotFound
from chitti.ipc.server import IpcServer
from chitti.marketdata import store as md_store
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.panel import PricePanel
from chitti.marketdata.series import Bars
from chitti.runtime import ServiceContext

#: The benchmark of beta, correlation and relative-strength features.
BENCHMARK = "NIFTY 50"
#: Most (symbol, day, feature) values one features reply may carry; store larger panels.
MAX_REPLY_VALUES = 5_000_000
#: History an optimisation reads when no start is given.
DEFAULT_OPTIMISE_YEARS = 3


@dataclass(frozen=True)
class _Inputs:
    """What a feature panel is computed from."""

    prices: PricePanel
    bars: dict[str, Bars]
    news: NewsItems | None


def _estimator(name: str, target: str, params: Mapping[str, Any], seed: int) -> Any:
    """``lightgbm`` or a configured scikit-learn estimator (classifier for a sign target)."""
    if name == "lightgbm":
        return "lightgbm"
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    classify = target == "sign"
    try:
        if name == "hist_gradient_boosting":
            cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
            return cls(random_state=seed, **params)
        if name == "random_forest":
            forest = RandomForestClassifier if classify else RandomForestRegressor
            return forest(random_state=seed, n_jobs=1, **{"n_estimators": 200,
                                                         "min_samples_leaf": 50, **params})
        linear = LogisticRegression(**params) if classify else Ridge(**params)
        return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), linear)
    except TypeError as exc:
        raise BadRequest(f"params: {exc}; see the scikit-learn documentation of {name}") from exc


class ResearchActions:
    """The research action handlers, bound to one process's database pool."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _executor(self) -> cluster.Executor:
        """Where feature builds and training folds run (``CHITTI_CLUSTER``)."""
        return cluster.executor(self.ctx.settings.cluster)

    # -- shared reads --------------------------------------------------------------------

    async def _universe(self, conn: AsyncConnection[Any], index: str | None,
                        symbols: Sequence[str] | None) -> list[str]:
        if index is not None:
            members = await md_store.index_members(conn, index)
            if not members:
                raise BadRequest(f"index: no members of {index} are loaded; run "
                                 "`chitti load-symbols` first")
            return members
        return list(dict.fromkeys(symbols or ()))

    async def _inputs(self, conn: AsyncConnection[Any], symbols: list[str], end: date | None,
                      adjust: Adjust, *, news: bool) -> _Inputs:
        """Every bar up to ``end`` (features need their history), NIFTY, sectors, news."""
        bars = await store.read_bars(conn, symbols, None, end, adjust, require=False)
        if not bars:
            raise BadRequest(f"symbols: none of {', '.join(symbols[:5])} has bars up to "
                             f"{end or 'today'}; load market data first")
        benchmark = (await md_store.fetch_bars(conn, [BENCHMARK], None, end, adjust=adjust)
                     ).get(BENCHMARK)
        sectors = await store.symbol_sectors(conn, list(bars))
        prices = PricePanel.from_bars(bars, benchmark=benchmark, sectors=sectors)
        items = None
        if news:
            rows = await store.news_items(conn, list(bars), None, end)
            stories: dict[str, int] = {}
            items = NewsItems.from_records(
                {**row, "story": stories.setdefault(row["story"], len(stories))}
                for row in rows)
        return _Inputs(prices, bars, items)

    # -- features ------------------------------------------------------------------------

    async def list_features(self, _: dict[str, Any]) -> dict[str, Any]:
        specs = [spec.to_dict() for spec in feat.catalog()]
        return {"features": specs, "count": len(specs), "groups": list(feat.GROUPS)}

    async def features(self, req: FeaturesRequest) -> dict[str, Any]:
        if req.from_set is not None:
            return await self._stored_features(req)
        async with self.ctx.pool.connection() as conn:
            symbols = await self._universe(conn, req.index, req.symbols)
            names = [feat.get_feature(n).name for n in req.names] if req.names else None
            inputs = await self._inputs(conn, symbols, req.end, req.adjust, news=req.news)
        panel = await asyncio.to_thread(feat.compute_features, inputs.prices, names=names,
                                        news=inputs.news, executor=self._executor())
        keep = np.flatnonzero(panel.dates >= np.datetime64(req.start, "D")) if req.start \
            else np.arange(panel.dates.size)
        values = panel.values[keep]
        reply: dict[str, Any] = {
            "symbols": list(panel.symbols), "names": list(panel.names),
            "missing": [s for s in symbols if s not in inputs.bars],
            "dates": [str(d) for d in panel.dates[keep]], "stored": None}
        if req.store_as is not None:
            long = panel.rows()
            mine = long.dates >= panel.dates[keep[0]] if keep.size else long.dates < 0
            rows = [(sym, day, vec.tolist()) for sym, day, vec in zip(
                long.symbols[mine].tolist(), long.dates[mine].tolist(), long.values[mine],
                strict=True)]
            async with self.ctx.pool.connection() as conn:
                reply["stored"] = {"feature_set": req.store_as, "rows": await
                                   store.save_feature_panel(conn, req.store_as,
                                                            list(panel.names), rows)}
        if req.values:
            if values.size > MAX_REPLY_VALUES:
                raise BadRequest(f"the panel holds {values.size:,} values, more than "
                                 f"{MAX_REPLY_VALUES:,} per reply: narrow symbols, dates or "
                                 "names, or store it (store_as) with values=false")
            reply["values"] = _values_by_symbol(values, panel.symbols, panel.names)
        return reply

    async def _stored_features(self, req: FeaturesRequest) -> dict[str, Any]:
        """A stored set read back in the reply layout of a computed one."""
        assert req.from_set is not None
        async with self.ctx.pool.connection() as conn:
            symbols = await self._universe(conn, req.index, req.symbols)
            names, rows = await store.read_feature_panel(conn, req.from_set, symbols,
                                                         req.start, req.end)
        dates = sorted({row["ts"] for row in rows})
        at = {day: i for i, day in enumerate(dates)}
        found = [s for s in symbols if any(row["symbol"] == s for row in rows)]
        values = np.full((len(dates), len(found), len(names)), np.nan)
        column = {s: j for j, s in enumerate(found)}
        for row in rows:
            values[at[row["ts"]], column[row["symbol"]]] = np.array(row["vals"], dtype=float)
        reply: dict[str, Any] = {
            "symbols": found, "names": names, "missing": [s for s in symbols if s not in column],
            "dates": [d.isoformat() for d in dates],
            "stored": {"feature_set": req.from_set, "rows": len(rows)}}
        if req.values:
            if values.size > MAX_REPLY_VALUES:
                raise BadRequest(f"from_set: the rows hold {values.size:,} values, more than "
                                 f"{MAX_REPLY_VALUES:,} per reply: narrow symbols or dates")
            reply["values"] = _values_by_symbol(values, found, names)
        return reply

    # -- models ---------------------------------------------------------------------------

    async def list_models(self, _: dict[str, Any]) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            rows = await store.list_models(conn)
        return {"models": [_model_info(row) for row in rows]}

    async def check_train(self, req: TrainRequest) -> dict[str, Any]:
        """Refuse now what a queued training would fail on: unknown features, symbols or
        estimator parameters, a universe of one (the gateway asks before it queues the job)."""
        for name in req.features or ():
            feat.get_feature(name)
        _estimator(req.estimator, req.target, req.params, req.seed)  # refuses bad params
        async with self.ctx.pool.connection() as conn:
            symbols = await self._universe(conn, req.index, req.symbols)
            for symbol in symbols:
                if not await md_store.symbol_exists(conn, symbol):
                    raise NotFound(f"unknown symbol {symbol!r}; see GET /api/market/symbols")
        if len(symbols) < 2:
            raise BadRequest("symbols: a model ranks symbols against each other; give "
                             "at least 2 (better 10 or more)")
        return {"symbols": len(symbols)}

    async def train(self, req: TrainRequest) -> AsyncIterator[dict[str, Any]]:
        """Stream ``{"progress", "message"}`` frames, then ``{"result": report}``."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, str]] = asyncio.Queue()

        def progress(fraction: float, message: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (fraction, message))

        yield {"progress": 0.0, "message": "reading prices and news"}
        # In a child process: what training loads (LightGBM, scikit-learn, the panel) is
        # given back when it ends instead of staying in this process (chitti.compute.isolated).
        work = asyncio.create_task(run_isolated(
            _train_isolated, req, self.ctx.settings, self.ctx.database_url, progress=progress))
        try:
            while not work.done():
                getter = asyncio.create_task(queue.get())
                await asyncio.wait({work, getter}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    fraction, message = getter.result()
                    yield {"progress": 0.1 + 0.85 * fraction, "message": message}
                else:
                    getter.cancel()
            yield {"result": work.result()}
        finally:
            # The job was cancelled (its stream closed): nothing is registered. The child is
            # stopped (its work cancelled, then killed if it does not end in time).
            work.cancel()

    async def _train(self, req: TrainRequest,
                     progress: Callable[[float, str], None]) -> dict[str, Any]:
        await self.check_train(req)
        names = [feat.get_feature(n).name for n in req.features] if req.features else None
        async with self.ctx.pool.connection() as conn:
            symbols = await self._universe(conn, req.index, req.symbols)
            inputs = await self._inputs(conn, symbols, req.end, "split", news=req.news)
        estimator = _estimator(req.estimator, req.target, req.params, req.seed)
        report, panel, keep = await asyncio.to_thread(
            _fit, req, inputs, names, estimator, progress, self._executor())
        scores = _stored_scores(report, panel, keep)
        artefact = ml.to_bytes(report.model)
        summary = report.to_dict()
        async with self.ctx.pool.connection() as conn:
            row = await store.save_model(
                conn, name=req.name, kind=req.estimator, target=req.target,
                horizon_days=req.horizon_days, features=list(report.feature_names),
                symbols=list(report.symbols), data_start=_day(report.data_start),
                data_end=_day(report.data_end),
                params={**summary["params"], "folds": req.folds, "seed": req.seed},
                metrics=summary, artefact=artefact, owner=req.owner)
            stored = await store.save_predictions(conn, int(row["id"]), req.horizon_days,
                                                  scores)
        return {"model": _model_info(row), "report": summary, "lines": report.lines(),
                "predictions_stored": stored}

    async def predict(self, req: PredictRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            row = await store.load_model(conn, req.model, req.version)
            model = ml.from_bytes(bytes(row["artifact"]))
            info = _model_info(row)
            if req.rows is not None:
                return {"model": info, "scores": _json_list(
                    model.predict(_feature_rows(req.rows, len(model.feature_names))))}
            symbols = await self._universe(conn, req.index, req.symbols)
            news = any(spec.group == "news" for spec in map(feat.get_feature,
                                                            model.feature_names))
            inputs = await self._inputs(conn, symbols, req.end, "split", news=news)
        panel = await asyncio.to_thread(feat.compute_features, inputs.prices,
                                        names=list(model.feature_names), news=inputs.news,
                                        executor=self._executor())
        if req.start is None:
            keep = np.array([panel.dates.size - 1])
        else:
            keep = np.flatnonzero(panel.dates >= np.datetime64(req.start, "D"))
        values = panel.values[keep]
        flat = values.reshape(-1, values.shape[-1])
        known = ~np.isnan(flat).all(axis=1)
        scores = np.full(flat.shape[0], np.nan)
        scores[known] = await asyncio.to_thread(model.predict, np.ascontiguousarray(flat[known]))
        days = np.repeat(panel.dates[keep], len(panel.symbols)).tolist()
        syms = list(panel.symbols) * keep.size
        out = [(s, d, float(v)) for s, d, v in zip(syms, days, scores, strict=True)
               if not np.isnan(v)]
        stored = 0
        if req.store:
            async with self.ctx.pool.connection() as conn:
                stored = await store.save_predictions(conn, int(row["id"]),
                                                      int(row["horizon_days"] or 1), out)
        return {"model": info, "predictions": [
                    {"symbol": s, "ts": d.isoformat(), "score": v} for s, d, v in out],
                "missing": [s for s in symbols if s not in inputs.bars], "stored": stored}

    # -- portfolio and risk ---------------------------------------------------------------

    async def optimize_portfolio(self, req: OptimizeRequest) -> dict[str, Any]:
        symbols = list(dict.fromkeys(req.symbols))
        async with self.ctx.pool.connection() as conn:
            bars = await store.read_bars(conn, symbols, None, req.end, req.adjust)
            sectors = await store.symbol_sectors(conn, symbols) if req.sector_caps else {}
            model_returns = None
            if req.model is not None:
                model_returns = await self._model_returns(conn, req.model, symbols)
        end = max(b.ts[-1] for b in bars.values()).astype("datetime64[D]")
        start = (np.datetime64(req.start, "D") if req.start else
                 end - np.timedelta64(365 * DEFAULT_OPTIMISE_YEARS, "D"))
        prices = PricePanel.from_bars(bars)
        rows = (prices.dates >= start) & (prices.dates <= end)
        if req.sector_caps and (unknown := [s for s in symbols if s not in sectors]):
            raise BadRequest(f"sector_caps: md.symbols has no sector for {', '.join(unknown)}"
                             "; load the index lists (`chitti load-symbols`) or drop the caps")
        constraints = pf.PortfolioConstraints(
            weight_bounds=(req.min_weight, req.max_weight),
            sectors=[sectors.get(s, "") for s in symbols] if req.sector_caps else None,
            sector_caps=req.sector_caps or {},
            current_weights=None if req.current_weights is None else
            [req.current_weights.get(s, 0.0) for s in symbols],
            max_turnover=req.max_turnover)
        result = await asyncio.to_thread(
            pf.optimize_portfolio, prices.close[rows], assets=symbols, method=req.method,
            covariance=req.covariance, expected_returns=req.expected_returns,
            model_returns=model_returns, risk_free_rate=req.risk_free_rate,
            target_return=req.target_return, target_volatility=req.target_volatility,
            constraints=constraints)
        return {**result.to_dict(), "start": str(prices.dates[rows][0]),
                "end": str(prices.dates[rows][-1]), "days": int(rows.sum())}

    async def _model_returns(self, conn: AsyncConnection[Any], name: str,
                             symbols: list[str]) -> list[float]:
        """A forward-return model's latest stored score per symbol, annualised."""
        row = await store.load_model(conn, name)
        if row["target"] != "forward_return":
            raise BadRequest(f"model: {name} predicts {row['target']}, not a return; use a "
                             "model trained with target forward_return")
        horizon = int(row["horizon_days"] or 1)
        out = []
        for symbol in symbols:
            scores = (await store.read_predictions(conn, [name], symbol))[name]
            if not scores:
                raise BadRequest(f"model: {name} has no stored prediction for {symbol}; run "
                                 "POST /api/ml/predict for it first")
            out.append(scores[-1][1] * 252.0 / horizon)
        return out

    async def risk(self, req: RiskRequest) -> dict[str, Any]:
        symbols = list(req.weights)
        if req.benchmark in req.weights:
            raise BadRequest(f"benchmark: {req.benchmark} is also a holding; choose another "
                             "benchmark or drop it from weights")
        # All history: the stress episodes (2008, 2020) replay today's weights on it.
        async with self.ctx.pool.connection() as conn:
            bars = await store.read_bars(conn, [*symbols, req.benchmark], None, req.end,
                                         req.adjust, require=False)
        missing = [s for s in symbols if s not in bars]
        if missing:
            raise BadRequest(f"weights: no bars up to {req.end or 'today'} for "
                             f"{', '.join(missing)}; load their prices or drop them")
        panel = PricePanel.from_bars({s: bars[s] for s in symbols},
                                     benchmark=bars.get(req.benchmark))
        weights = np.array([req.weights[s] for s in symbols])
        report = await asyncio.to_thread(
            risk_domain.risk_report, panel.close, panel.dates, symbols=panel.symbols,
            weights=weights, portfolio_value_inr=req.value_inr, benchmark=panel.benchmark,
            window_days=req.window_days, n_paths=req.simulations, seed=req.seed)
        reply = report.to_dict()
        if req.benchmark not in bars:
            reply["notes"].append(f"benchmark {req.benchmark} has no bars: beta, tracking "
                                  "error and benchmark proxies are unavailable")
        return reply


def _train_isolated(req: TrainRequest, settings: Settings, database_url: str, *,
                    progress: Callable[[float, str], None]) -> dict[str, Any]:
    """A training in the child process of :func:`run_isolated`: the same steps as in the
    service, on a pool of its own."""

    async def main() -> dict[str, Any]:
        pool = await open_pool(database_url, min_size=1, max_size=2, name="compute-train")
        try:
            actions = ResearchActions(ServiceContext(settings, pool, database_url))
            return await actions._train(req, progress)
        finally:
            await pool.close()

    return run_async_cancellable(main)


def _fit(req: TrainRequest, inputs: _Inputs, names: list[str] | None, estimator: Any,
         progress: Callable[[float, str], None], executor: cluster.Executor
         ) -> tuple[ml.TrainReport, feat.FeaturePanel, np.ndarray]:
    """Features, then training (a worker thread): the report, the panel and the rows of it
    inside [start, end]."""
    panel = feat.compute_features(inputs.prices, names=names, news=inputs.news,
                                  executor=executor)
    first = np.datetime64(req.start, "D") if req.start else panel.dates[0]
    keep = np.flatnonzero(panel.dates >= first)
    progress(0.0, f"features: {len(panel.names)} x {len(panel.symbols)} symbols x "
                  f"{keep.size} days")
    report = ml.train(
        np.ascontiguousarray(panel.values[keep]), inputs.prices.close[keep],
        dates=panel.dates[keep], symbols=panel.symbols, feature_names=panel.names,
        target=req.target, horizon_days=req.horizon_days, estimator=estimator,
        params=req.params if req.estimator == "lightgbm" else None, n_folds=req.folds,
        embargo_days=req.horizon_days if req.embargo_days is None else req.embargo_days,
        seed=req.seed, bars=inputs.bars,
        backtest={"top_k": min(req.top_k, len(panel.symbols)),
                  "config": {"costs": req.costs}},
        progress=progress, executor=executor)
    return report, panel, keep


def _stored_scores(report: ml.TrainReport, panel: feat.FeaturePanel,
                   keep: np.ndarray) -> list[tuple[str, date, float]]:
    """What ``ml.<model>`` reads after training: the out-of-sample scores of the test
    windows, then the final model's scores on the days after the labelled range (which it
    never saw). In-sample scores are never stored: a rule backtested on them would look
    better than it can be."""
    out = []
    dates = panel.dates[keep]
    oos = report.oos_scores
    for i, day in enumerate(dates.tolist()):
        for j, symbol in enumerate(panel.symbols):
            if not np.isnan(oos[i, j]):
                out.append((symbol, day, float(oos[i, j])))
    later = np.flatnonzero(dates > report.data_end)
    if later.size:
        values = panel.values[keep][later]
        flat = values.reshape(-1, values.shape[-1])
        known = ~np.isnan(flat).all(axis=1)
        scores = np.full(flat.shape[0], np.nan)
        scores[known] = report.model.predict(np.ascontiguousarray(flat[known]))
        for k, value in enumerate(scores):
            if not np.isnan(value):
                day, j = divmod(k, len(panel.symbols))
                out.append((panel.symbols[j], dates[later[day]].item(), float(value)))
    return out


def _feature_rows(rows: list[list[float | None]], width: int) -> np.ndarray:
    bad = [i for i, row in enumerate(rows) if len(row) != width]
    if bad:
        raise BadRequest(f"rows[{bad[0]}]: {len(rows[bad[0]])} values, but the model reads "
                         f"{width} features (in the order of its 'features')")
    return np.array([[np.nan if v is None else v for v in row] for row in rows],
                    dtype=np.float64)


def _day(value: np.datetime64) -> date:
    day = value.astype("datetime64[D]").item()
    assert isinstance(day, date)
    return day


def _values_by_symbol(values: np.ndarray, symbols: Sequence[str], names: Sequence[str]
                      ) -> dict[str, dict[str, list[float | None]]]:
    """symbol -> feature -> one value per date (None where undefined)."""
    return {sym: {name: _json_list(values[:, j, k]) for k, name in enumerate(names)}
            for j, sym in enumerate(symbols)}


def _json_list(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values.tolist()]


def _model_info(row: Mapping[str, Any]) -> dict[str, Any]:
    info = {k: v for k, v in row.items() if k not in ("artifact", "metrics")}
    metrics = row.get("metrics") or {}
    info["summary"] = metrics.get("summary")
    info["backtests"] = metrics.get("backtests")
    for key in ("data_start", "data_end", "created_at"):
        if info.get(key) is not None:
            info[key] = info[key].isoformat()
    return info


def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach the research actions to ``server``."""
    actions = ResearchActions(ctx)
    server.action("list_features")(actions.list_features)
    server.action("features", params=FeaturesRequest)(actions.features)
    server.action("list_models")(actions.list_models)
    server.action("check_train", params=TrainRequest)(actions.check_train)
    server.action("train", params=TrainRequest)(actions.train)
    server.action("predict", params=PredictRequest)(actions.predict)
    server.action("optimize_portfolio", params=OptimizeRequest)(actions.optimize_portfolio)
    server.action("risk", params=RiskRequest)(actions.risk)
