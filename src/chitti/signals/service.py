"""signal-service: alerts from news and prices, stored, queried and streamed.

News alerts: news-nlp announces new articles (NOTIFY ``news_ingested``); each article x company
with a non-neutral direction becomes a scored alert, once per story and symbol, and a
technical alert on the same symbol within two days adds a combined alert (agreement raises
confidence, disagreement is flagged). Technical alerts: ``generate_signals`` evaluates the rule
set (built-ins plus the user's rules in ``signals.rules``) over a symbol's stored bars; it
runs for every symbol a market-data load announces (NOTIFY ``eod_loaded``). ``screen``
evaluates one rule on the latest bar of every symbol of an index or a list (see
``chitti.signals.screen``).

Model alerts: a rule that reads ``ml.<model>`` (kind "model", or "combined" with news) is
evaluated on the stored predictions of the newest version of that model for the symbol
(``ml.predictions``), aligned to the bars by :func:`model_series`. Storing such a rule
requires the model to be registered; a stored rule whose model is later removed reads NaN
(so never fires) instead of failing the other rules.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from chitti.db.notify import NotifyFeed, StreamMark, listen_forever
from chitti.errors import BadRequest, NotFound
from chitti.ipc.server import IpcServer
from chitti.marketdata import store as md_store
from chitti.marketdata.quality import coverage_warnings
from chitti.marketdata.sessions import IST, ist_days
from chitti.runtime import ServiceContext
from chitti.signals import store
from chitti.signals.patterns import evaluate_rules, news_series
from chitti.signals.rules import BUILTIN_RULES, AlertRule, parse_rule
from chitti.signals.schemas import (
    AlertIdRequest,
    AlertsRequest,
    GenerateRequest,
    OwnedRuleRequest,
    OwnerScope,
    RuleNameRequest,
    ScreenRequest,
    SubscribeRequest,
)
from chitti.signals.scoring import combine, score_news_alert, story_key
from chitti.signals.screen import bars_needed, screen_bars, screen_rule

log = logging.getLogger(__name__)

#: News and a technical alert on one symbol this close (calendar days) are combined.
COMBINE_WINDOW_DAYS = 2
BUILTIN_NAMES = frozenset(rule.name for rule in BUILTIN_RULES)


@dataclass(frozen=True, slots=True)
class _Stored:
    """A stored alert as :func:`chitti.signals.scoring.combine` reads it."""

    id: int
    symbol: str
    ts: datetime
    direction: str
    impact: float
    confidence: float
    explanation: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Stored:
        return cls(row["id"], row["symbol"], row["ts"], row["direction"], row["impact"],
                   row["confidence"], row["explanation"])


def model_series(ts: np.ndarray, points: Sequence[tuple[date, float]]) -> np.ndarray:
    """Return one model's ``ml.<model>`` series: its predictions aligned to bars ``ts``.

    ``points`` are (day, score) pairs, a day at most once. A prediction for day d is made
    from data up to d's close, so on daily bars (``datetime64[D]``) it is the value of the
    bar of day d exactly, and NaN (every comparison false) on a bar without one: a missing
    day is not filled from an older prediction. On intraday bars (instants) the prediction
    of a session's close is known only after it, so every bar of a session reads the
    prediction of the previous session in ``ts`` (NaN for the first session, and when that
    day has none).
    """
    out = np.full(ts.shape[0], np.nan)
    if ts.shape[0] == 0 or not points:
        return out
    days = np.array([d for d, _ in points], dtype="datetime64[D]")
    values = np.array([v for _, v in points], dtype=np.float64)
    order = np.argsort(days, kind="stable")
    days, values = days[order], values[order]
    if ts.dtype == np.dtype("datetime64[D]"):
        return _on_days(ts, days, values)
    sessions, session_of = np.unique(ist_days(ts), return_inverse=True)
    per_session = np.concatenate([[np.nan], _on_days(sessions[:-1], days, values)])
    return np.asarray(per_session[session_of], dtype=np.float64)


def _on_days(wanted: np.ndarray, days: np.ndarray, values: np.ndarray) -> np.ndarray:
    # values[k] where days[k] == wanted[i] exactly (days sorted), else NaN
    out = np.full(wanted.shape[0], np.nan)
    i = np.minimum(np.searchsorted(days, wanted), days.size - 1)
    hit = days[i] == wanted
    out[hit] = values[i[hit]]
    return out


def news_alert_record(row: dict[str, Any], price_change_pct: float | None) -> dict[str, Any]:
    """The ``signals.alerts`` row of one article x company (see ``article_directions``)."""
    score = score_news_alert(
        symbol=row["symbol"], title=row["title"], publisher=row["publisher"],
        publishers=row["publishers"], duplicate_count=row["duplicate_count"],
        sentiment_score=row["sentiment_score"],
        sentiment_confidence=row["sentiment_confidence"], direction=row["direction"],
        direction_confidence=row["direction_confidence"], price_change_pct=price_change_pct)
    return {
        "ts": row["ts"], "symbol": row["symbol"], "kind": "news",
        "rule": f"news_{score.event_type}", "direction": row["direction"],
        "impact": score.impact, "confidence": score.confidence,
        "explanation": score.explanation,
        "sources": {"articles": [row["id"]], "event_type": score.event_type,
                    "publishers": score.publishers},
        # one alert per story and symbol, whichever publisher's copy arrives first
        "dedup_key": f"news:{row['symbol']}:{story_key(row['symbol'], row['title'])}",
    }


class SignalActions:
    """signal-service's handlers, bound to one process's pool and its two feeds."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.feed = NotifyFeed(ctx.database_url, "new_alert", fetch_by_ids=self._by_ids,
                               fetch_after=self._after, latest_id=self._latest_id)
        self.news = NotifyFeed(ctx.database_url, "news_ingested",
                               fetch_by_ids=self._articles, fetch_after=self._articles_after,
                               latest_id=self._latest_article)
        self._tasks: list[asyncio.Task[None]] = []

    # --- alert queries and the live stream -------------------------------------------------

    async def _query(self, req: AlertsRequest) -> list[dict[str, Any]]:
        async with self.ctx.pool.connection() as conn:
            return await store.get_alerts(conn, **req.model_dump())

    async def _by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        return await self._query(AlertsRequest(ids=ids, limit=len(ids)))

    async def _after(self, last_id: int) -> list[dict[str, Any]]:
        return await self._query(AlertsRequest(after_id=last_id, limit=1000))

    async def _latest_id(self) -> int:
        newest = await self._query(AlertsRequest(limit=1))
        return int(newest[0]["id"]) if newest else 0

    async def get_alerts(self, req: AlertsRequest) -> dict[str, Any]:
        rows = await self._query(req)
        next_before = rows[-1]["id"] if rows and req.after_id is None else None
        return {"alerts": rows, "count": len(rows), "next_before_id": next_before}

    async def get_alert(self, req: AlertIdRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            return {"alert": await store.get_alert(conn, req.alert_id)}

    async def subscribe(self, req: SubscribeRequest) -> AsyncIterator[dict[str, Any]]:
        """Yield ``{"event": "new_alert", "data": alert}``: missed ones first, then live."""

        async def page(after_id: int, limit: int) -> list[dict[str, Any]]:
            return await self._query(AlertsRequest(**req.query(after_id=after_id),
                                                   limit=limit))

        async for item in self.feed.replay_then_live(req.matches, req.after_id, page):
            if not isinstance(item, StreamMark):
                yield {"event": "new_alert", "data": item}

    # --- news alerts ----------------------------------------------------------------------

    async def _articles(self, ids: list[int]) -> list[dict[str, Any]]:
        async with self.ctx.pool.connection() as conn:
            rows = await store.article_directions(conn, ids)
        # one marker row per article even without a directional company keeps last_id right
        return rows or [{"id": max(ids), "symbol": None}]

    async def _articles_after(self, last_id: int) -> list[dict[str, Any]]:
        async with self.ctx.pool.connection() as conn:
            ids = await store.articles_after(conn, last_id)
        return await self._articles(ids) if ids else []

    async def _latest_article(self) -> int:
        async with self.ctx.pool.connection() as conn:
            return await store.latest_article_id(conn)

    async def alert_on_news(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store the news alerts (and combined alerts) of article x company rows."""
        stored: list[dict[str, Any]] = []
        async with self.ctx.pool.connection() as conn:
            for row in rows:
                if row.get("symbol") is None:
                    continue
                day = row["ts"].astimezone(IST).date()
                move = await store.price_change_pct(conn, row["symbol"], day)
                (alert,) = await store.insert_alerts(conn, [news_alert_record(row, move)]) or (
                    None,)
                if alert is None:  # a repeat of a story already alerted for this symbol
                    continue
                stored.append(alert)
                stored += await self._combine(conn, alert)
        return stored

    async def _combine(self, conn: Any, news: dict[str, Any]) -> list[dict[str, Any]]:
        """Store the combined alert of a news alert with the technical alerts on its symbol
        within the window, if there are any; once per news alert, whichever came first."""
        near = await store.alerts_near(conn, news["symbol"], news["ts"], COMBINE_WINDOW_DAYS,
                                       kind="technical")
        stored: list[dict[str, Any]] = []
        for combined in combine([_Stored.of(news)], [_Stored.of(t) for t in near],
                                window_days=COMBINE_WINDOW_DAYS):
            stored += await store.insert_alerts(conn, [{
                "ts": news["ts"], "symbol": combined.symbol, "kind": "combined",
                "rule": f"combined_{combined.agreement}",
                "direction": combined.direction, "impact": combined.impact,
                "confidence": combined.confidence, "explanation": combined.explanation,
                "sources": {"alerts": [news["id"], *(t["id"] for t in near)],
                            "flagged": combined.flagged},
                "dedup_key": f"combined:{news['id']}"}])
        return stored

    async def _watch_news(self) -> None:
        with self.news.subscribe() as incoming:
            while (row := await incoming.get()) is not None:
                try:
                    batch = [row]
                    while not incoming.queue.empty():  # take the rest of the burst at once
                        more = incoming.queue.get_nowait()
                        if more is not None:
                            batch.append(more)
                    await self.alert_on_news(batch)
                except Exception:
                    log.exception("news alerts failed for article %s", row.get("id"))

    # --- technical alerts -------------------------------------------------------------------

    async def _rules(self, names: list[str] | None) -> list[AlertRule]:
        async with self.ctx.pool.connection() as conn:
            user = [parse_rule(r["definition"]) for r in await store.list_rules(conn)
                    if r["enabled"]]
        rules = [*BUILTIN_RULES, *user]
        if names is None:
            return rules
        by_name = {rule.name: rule for rule in rules}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise BadRequest(f"rules: unknown rule(s) {unknown}; see GET /api/signals/rules")
        return [by_name[n] for n in names]

    async def generate_signals(self, req: GenerateRequest) -> dict[str, Any]:
        rules = await self._rules(req.rules)
        async with self.ctx.pool.connection() as conn:
            # warmed up on all earlier bars: the rules see the indicators a chart shows
            found = await md_store.fetch_bars(conn, [req.symbol], req.start, req.end,
                                              warmup=None, interval=req.interval)
            if req.symbol not in found:
                if not await md_store.symbol_exists(conn, req.symbol):
                    raise NotFound(f"unknown symbol {req.symbol!r}")
                raise NotFound(f"{req.symbol} has no bars between {req.start} and {req.end}")
            bars = found[req.symbol]
            ts = bars.ts
            days = ist_days(ts)
            events = await store.news_events(conn, req.symbol, days[0].item())
            models = await self._model_series(conn, rules, req.symbol, ts, days)
        since = np.datetime64(req.since, "D") if req.since else days[-1]
        start_index = max(int(np.searchsorted(days, since)), bars.warmup)
        alerts = await asyncio.to_thread(
            evaluate_rules, bars, rules, news_series=news_series(ts, events), series=models,
            start_index=start_index)
        records = [a.to_record() for a in alerts
                   if req.min_impact is None or a.impact >= req.min_impact]
        stored: list[dict[str, Any]] = []
        combined: list[dict[str, Any]] = []
        if req.store and records:
            async with self.ctx.pool.connection() as conn:
                stored = await store.insert_alerts(conn, records)
                # news that came first: combine it with the technical alerts now stored
                for news in await store.news_alerts_around(
                        conn, req.symbol, [a["ts"] for a in stored], COMBINE_WINDOW_DAYS):
                    combined += await self._combine(conn, news)
        return {"symbol": req.symbol, "adjust": "split", "bars": int(ts.size - bars.warmup),
                "alerts": records, "stored_ids": [a["id"] for a in stored],
                "combined_ids": [a["id"] for a in combined],
                "warnings": coverage_warnings(req.symbol, ts[bars.warmup:], req.start,
                                              req.end)}

    @staticmethod
    async def _model_series(conn: Any, rules: list[AlertRule], symbol: str, ts: np.ndarray,
                            days: np.ndarray) -> dict[str, np.ndarray]:
        """The ``ml.<model>`` series the rules read, aligned to the bars (NaN where a bar has
        no prediction, everywhere for a model no longer registered)."""
        names = sorted({name for rule in rules for name in rule.ml_models()})
        if not names:
            return {}
        scores = await store.model_scores(conn, names, symbol, days[0].item(),
                                          days[-1].item())
        return {f"ml.{name}": model_series(ts, points) for name, points in scores.items()}

    async def _on_eod_loaded(self, payloads: list[str]) -> None:
        """New end-of-day bars (payload: comma-separated symbols): alert on the last bar."""
        for symbol in sorted({s for p in payloads for s in p.split(",") if s}):
            try:
                report = await self.generate_signals(GenerateRequest(symbol=symbol))
                if report["stored_ids"]:
                    log.info("%s: %d technical alerts on new bars", symbol,
                             len(report["stored_ids"]))
            except Exception:
                log.exception("technical alerts failed for %s", symbol)

    # --- screens --------------------------------------------------------------------------

    async def screen(self, req: ScreenRequest) -> dict[str, Any]:
        """The rule's condition on each universe symbol's latest bar (see signals.screen)."""
        rule = screen_rule(req.definition)
        window = bars_needed(rule)
        async with self.ctx.pool.connection() as conn:
            if req.index is not None:
                symbols = await md_store.index_members(conn, req.index)
                if not symbols:
                    raise BadRequest(f"index: the symbol master lists no member of {req.index}; "
                                     "load it with `chitti load-symbols`")
            else:
                symbols = list(dict.fromkeys(req.symbols or ()))
            bars = await md_store.latest_bars(conn, symbols, window, adjust=req.adjust)
        rows = await asyncio.to_thread(screen_bars, bars.values(), rule, window=window)
        missing = sorted(s for s in symbols if s not in bars)
        matched = sum(row["matched"] for row in rows)
        return {"rule": rule.name, "universe": req.index or "symbols", "adjust": req.adjust,
                "as_of": max((row["date"] for row in rows), default=None), "bars": window,
                "rows": rows, "missing": missing,
                "counts": {"universe": len(symbols), "screened": len(rows), "matched": matched,
                           "missing": len(missing)}}

    # --- rules ----------------------------------------------------------------------------

    async def list_rules(self, req: OwnerScope) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            user = await store.list_rules(conn, owner=req.owner)
        return {"builtin": [r.model_dump(mode="json") for r in BUILTIN_RULES], "user": user}

    async def delete_rule(self, req: RuleNameRequest) -> dict[str, Any]:
        async with self.ctx.pool.connection() as conn:
            await store.delete_rule(conn, req.name, req.owner)
        return {"deleted": req.name}

    async def add_rule(self, req: OwnedRuleRequest) -> dict[str, Any]:
        rule = parse_rule(req.definition)
        if rule.name in BUILTIN_NAMES:
            raise BadRequest(f"definition.name: {rule.name!r} is a built-in rule; "
                             "choose another name")
        async with self.ctx.pool.connection() as conn:
            await _check_models(conn, rule)
            row = await store.upsert_rule(conn, name=rule.name,
                                          definition=rule.model_dump(mode="json"),
                                          enabled=req.enabled,
                                          cooldown_s=rule.cooldown_bars * 86_400,
                                          owner=req.owner, any_owner=req.any_owner)
        return {"rule": row}

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        for feed in (self.feed, self.news):
            feed.start()
        self._tasks.append(asyncio.create_task(self._watch_news(), name="news-alerts"))
        self._tasks.append(asyncio.create_task(
            listen_forever(self.ctx.database_url, {"eod_loaded": self._on_eod_loaded}),
            name="eod-alerts"))

    async def stop_watchers(self) -> None:
        """End the watchers that turn news and new bars into alerts."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def close(self) -> None:
        await self.stop_watchers()
        for feed in (self.feed, self.news):
            await feed.close()


async def _check_models(conn: Any, rule: AlertRule) -> None:
    """BadRequest when ``rule`` reads ``ml.<model>`` of a model that is not registered."""
    wanted = rule.ml_models()
    if not wanted:
        return
    known = await store.model_names(conn)
    unknown = [f"ml.{name}" for name in wanted if name not in known]
    if unknown:
        raise BadRequest(
            f"definition.condition: unknown model {', '.join(unknown)}; registered models: "
            f"{', '.join(known) or 'none'} (name one of them, or train one with "
            "`chitti ml train` or POST /api/ml/train first)")


async def register(server: IpcServer, ctx: ServiceContext) -> None:
    """Attach signal-service's actions to ``server`` and start its feeds."""
    actions = SignalActions(ctx)
    actions.start()
    ctx.on_stop.append(actions.stop_watchers)
    ctx.on_close.append(actions.close)
    for name, params in (("get_alerts", AlertsRequest), ("get_alert", AlertIdRequest),
                         ("subscribe", SubscribeRequest), ("generate_signals", GenerateRequest),
                         ("list_rules", OwnerScope), ("add_rule", OwnedRuleRequest),
                         ("delete_rule", RuleNameRequest), ("screen", ScreenRequest)):
        server.action(name, params=params)(getattr(actions, name))
