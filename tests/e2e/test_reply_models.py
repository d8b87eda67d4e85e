"""Every JSON reply of the compute, market, backtest, job, news, signal and alert routes
matches the response model its route declares in OpenAPI, key for key: a model that forgets
a key, refuses a null the service sends or types a number wrongly fails here (the generated
TypeScript client and the schemathesis fuzz run both trust these models)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from tests.e2e.harness import System
from tests.feed_server import serve_feeds

from chitti.compute.schemas import (
    BacktestRun,
    BatchResult,
    IndicatorCatalog,
    IndicatorResult,
    QuoteList,
    StoredBacktest,
    StrategyCatalog,
    SweepReport,
    WalkForwardReport,
)
from chitti.gateway.schemas import JobInfo, OhlcvResult, PriceCheck, SmaResult, SymbolList
from chitti.news.schemas import (
    ArticlePage,
    EntityList,
    FeedAdded,
    FeedList,
    IngestReport,
    SentimentReport,
)
from chitti.signals.schemas import Alert, AlertPage, GenerateReport, RuleList, RuleSaved

TIMEOUT_S = 300  # a fresh clone compiles the kernels on the first call


@dataclass
class Api:
    """The running system's HTTP API and its OpenAPI document."""

    system: System
    openapi: dict[str, Any]

    def call(self, method: str, route: str, model: type[BaseModel], *, status: int = 200,
             json: Any = None, params: Any = None, **path: object) -> dict[str, Any]:
        """Call ``route`` (a path template of OpenAPI) and check the reply against
        ``model``, which must be what the route declares for ``status``."""
        declared = self.openapi["paths"][route][method.lower()]["responses"][str(status)]
        ref = declared["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[-1] == model.__name__, f"{method} {route} declares {ref}"
        reply = self.system.http.request(method, route.format(**path), json=json,
                                         params=params, timeout=TIMEOUT_S)
        assert reply.status_code == status, reply.text
        body: dict[str, Any] = reply.json()
        model.model_validate(body, strict=False)
        keys = {field.alias or name for name, field in model.model_fields.items()}
        assert set(body) <= keys, f"{route}: keys {set(body) - keys} are not in {model.__name__}"
        return body

    def job(self, route: str, body: dict[str, Any], result: type[BaseModel]) -> dict[str, Any]:
        """Queue a sweep or walk-forward, wait for it, and check the job and its result."""
        job = self.call("POST", route, JobInfo, status=202, json=body)
        deadline = time.monotonic() + TIMEOUT_S
        while job["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
            job = self.call("GET", "/api/jobs/{job_id}", JobInfo, job_id=job["id"])
        assert job["state"] == "done", job
        reply: dict[str, Any] = job["result"]
        result.model_validate(reply, strict=False)
        assert set(reply) <= set(result.model_fields)
        return reply


@pytest.fixture(scope="module")
def api(system: System) -> Api:
    return Api(system, system.http.get("/openapi.json").json())


def test_compute_replies(api: Api) -> None:
    catalog = api.call("GET", "/api/indicators", IndicatorCatalog)
    assert catalog["count"] == len(catalog["indicators"]) > 100
    inline = api.call("POST", "/api/compute/indicator", IndicatorResult, json={
        "name": "rsi", "params": {"timeperiod": 3}, "inputs": {"close": [10, 11, 10.5, 12, 11]}})
    assert inline["outputs"]["rsi"][0] is None and "symbol" not in inline  # warm-up is null
    stored = api.call("POST", "/api/compute/indicator", IndicatorResult, json={
        "name": "bbands", "symbol": "TCS", "start": "2020-01-01", "end": "2020-03-31"})
    assert set(stored["outputs"]) == {"upperband", "middleband", "lowerband"}
    intraday = api.call("POST", "/api/compute/indicator", IndicatorResult, json={
        "name": "macd", "symbol": "TCS", "interval": "15m", "start": "2024-01-02",
        "end": "2024-01-03"})
    assert intraday["ts"][0].endswith("+05:30")
    api.call("POST", "/api/compute/sma", SmaResult, json={"prices": [1, 2, 3, 4], "period": 2})
    batch = api.call("POST", "/api/compute/batch", BatchResult, json={
        "indicators": [{"name": "sma", "params": {"timeperiod": 5}}, {"name": "stoch"}],
        "symbols": ["TCS", "INFY"], "start": "2020-01-01", "end": "2020-02-28"})
    assert set(batch["results"]) == {"TCS", "INFY"}
    series = api.call("POST", "/api/compute/batch", BatchResult, json={
        "indicators": [{"name": "ema", "params": {"timeperiod": 2}}],
        "series": {"mine": {"close": [1.0, 2.0, 3.0]}}})
    assert series["results"]["mine"]["ts"] is None and "adjust" not in series


def test_market_replies(api: Api) -> None:
    api.call("GET", "/api/market/symbols", SymbolList, params={"q": "TC", "with_prices": True})
    api.call("GET", "/api/market/check", PriceCheck, params={
        "symbols": ["RELIANCE", "NOSUCH"], "adjust": "none"})
    api.call("GET", "/api/market/quotes", QuoteList, params={
        "symbols": ["RELIANCE", "NIFTY 50", "WIPRO", "NOSUCH"], "adjust": "total"})
    api.call("GET", "/api/market/{symbol}/ohlcv", OhlcvResult, symbol="TCS",
             params={"start": "2018-05-01", "end": "2018-06-30"})
    api.call("GET", "/api/market/{symbol}/ohlcv", OhlcvResult, symbol="TCS",
             params={"start": "2024-01-02", "end": "2024-01-02", "interval": "5m"})


def test_backtest_replies(api: Api) -> None:
    api.call("GET", "/api/strategies", StrategyCatalog)
    run = api.call("POST", "/api/backtest", BacktestRun, json={
        "strategy": "sma_crossover", "symbols": ["TCS"], "params": {"fast": 10, "slow": 50},
        "start": "2018-01-01", "end": "2019-12-31",
        "config": {"costs": "nse_delivery_discount", "stop_loss_pct": 8}})
    assert run["cost_schedule"] and run["trades"]
    stored = api.call("GET", "/api/backtest/results/{backtest_id}", StoredBacktest,
                      backtest_id=run["id"])
    assert stored["trades"] == run["trades"] and stored["config"] == run["config"]
    api.call("POST", "/api/backtest", BacktestRun, json={
        "strategy": "rsi_mean_reversion", "symbols": ["TCS", "INFY"], "start": "2019-01-01",
        "end": "2019-12-31", "benchmark": None, "config": {"sizing": "percent_equity",
                                                            "size": 50}})
    # an intraday run keeps the intraday defaults for the config fields the body leaves out
    intraday = api.call("POST", "/api/backtest", BacktestRun, json={
        "strategy": "sma_crossover", "symbols": ["TCS"], "interval": "15m",
        "params": {"fast": 5, "slow": 20}, "start": "2024-01-01", "end": "2024-01-31",
        "config": {"slippage_bps": 2}})
    assert intraday["config"]["costs"] == "nse_intraday_discount"
    assert intraday["config"]["square_off_ist"] == "15:20:00"


def test_sweep_and_walk_forward_results(api: Api) -> None:
    grid = {"fast": [5, 10], "slow": [50, 100]}
    table = api.job("/api/backtest/sweep", {
        "strategy": "sma_crossover", "symbol": "INFY", "start": "2015-01-01",
        "end": "2016-12-31", "grid": grid}, SweepReport)
    assert table["combination_count"] == 4 and len(table["params"]["fast"]) == 4
    best_only = api.job("/api/backtest/sweep", {
        "strategy": "sma_crossover", "symbol": "INFY", "start": "2015-01-01",
        "end": "2016-12-31", "grid": grid, "table": False}, SweepReport)
    assert "params" not in best_only and "metrics" not in best_only
    walk = api.job("/api/backtest/walk-forward", {
        "strategy": "sma_crossover", "symbol": "SBIN", "start": "2012-01-01",
        "end": "2015-12-31", "grid": {"fast": [5, 10], "slow": [50]},
        "in_sample_bars": 250, "out_of_sample_bars": 250}, WalkForwardReport)
    assert len(walk["windows"]) >= 2


def _rss(token: str) -> str:
    """A feed of one bullish TCS story dated on its last demo bars (so it combines with the
    technical alerts there) and one undated story."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Reply model wire</title>
<item><title>TCS shares surge 6% after bagging $2 billion deal from UK insurer</title>
<link>https://example.com/tcs-deal-{token}</link>
<pubDate>Thu, 29 Apr 2021 11:00:00 +0530</pubDate></item>
<item><title>Markets wait for the monsoon outlook</title>
<link>https://example.com/monsoon-{token}</link></item>
</channel></rss>"""


def _alerts(api: Api, **params: object) -> list[dict[str, Any]]:
    """Alerts matching ``params``, waiting up to 10 s for the first (news alerts are made as
    the articles are announced)."""
    deadline = time.monotonic() + 10
    while True:
        page = api.call("GET", "/api/alerts", AlertPage, params=params)
        if page["alerts"] or time.monotonic() > deadline:
            return page["alerts"]  # type: ignore[no-any-return]
        time.sleep(0.1)


def test_signal_news_and_alert_replies(api: Api) -> None:
    generated = api.call("POST", "/api/signals/generate", GenerateReport, json={
        "symbol": "TCS", "since": "2021-04-01"})
    assert generated["alerts"]
    api.call("POST", "/api/signals/generate", GenerateReport, json={
        "symbol": "TCS", "interval": "15m", "since": "2024-06-24", "store": False})
    ingest = api.call("POST", "/api/news/ingest", IngestReport, json={
        "xml": _rss(secrets.token_hex(4)), "source": "reply-models.xml"})
    assert len(ingest["new_article_ids"]) == 2
    api.call("GET", "/api/news", ArticlePage, params={"limit": 50})
    api.call("GET", "/api/news", ArticlePage, params={"symbol": "TCS"})
    for kind in ("technical", "news", "combined"):
        alerts = _alerts(api, kind=kind, symbol="TCS", limit=5)
        assert alerts, f"no {kind} alert on TCS"
        api.call("GET", "/api/alerts/{alert_id}", Alert, alert_id=alerts[0]["id"])
    api.call("GET", "/api/alerts", AlertPage, params={"limit": 1000})  # whatever is stored
    api.call("GET", "/api/signals/rules", RuleList)
    rule = {"name": f"reply_model_rule_{secrets.token_hex(3)}", "direction": "bullish",
            "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
            "condition": {"op": "lt", "left": "rsi", "right": 25},
            "explanation": "{symbol}: RSI {rsi:.0f} below 25"}
    # disabled: an enabled user rule would join every later generate of the session
    api.call("POST", "/api/signals/rules", RuleSaved, status=201,
             json={"definition": rule, "enabled": False})
    api.call("GET", "/api/signals/rules", RuleList)


def test_nlp_and_feed_replies(api: Api) -> None:
    moods = api.call("POST", "/api/nlp/sentiment", SentimentReport, json={
        "texts": ["Infosys Q2 profit beats estimates", "SEBI penalises the promoter"],
        "targets": ["Infosys", "SEBI"]})
    assert "direction" in moods["results"][0]
    api.call("POST", "/api/nlp/sentiment", SentimentReport, json={"texts": ["", "flat day"]})
    api.call("POST", "/api/nlp/entities", EntityList, json={
        "text": "HDFC Bank and Infosys lift Sensex; IT stocks rally"})
    with serve_feeds() as server:
        feeds = [api.call("POST", "/api/news/feeds", FeedAdded, status=201, json={
            "url": server.url(path), "poll_interval_s": 3600})["feed"]
            for path in ("/feed/atom_markets.xml", "/status/404", "/garbage")]
        statuses = []
        for feed in (*feeds, feeds[0]):  # the first again: not modified
            report = api.call("POST", "/api/news/ingest", IngestReport,
                              json={"feed_id": feed["id"]})
            statuses.append(report["feeds"][0]["status"])
    assert statuses == ["ok", "error", "error", "not_modified"]
    api.call("GET", "/api/news/feeds", FeedList)
