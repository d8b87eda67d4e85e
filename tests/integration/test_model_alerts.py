"""Alert rules that read a model's stored predictions (``ml.<model>``), end to end in a real
PostgreSQL: a rule ``ml.demo_model > 0.6 and rsi(14) < 40`` is stored through the service,
and the alerts the generation stores are exactly the days where TA-Lib's RSI of the adjusted
closes (as the OHLCV path reads them) is below 40 and the registered model's prediction for
that day is above 0.6. The predictions are seeded random numbers with days left out, so a
prediction aligned to the wrong day, carried over a missing day or taken from an older
version of the model changes the set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from typing import Any

import numpy as np
import psycopg
import pytest
import talib

from chitti.config import Settings
from chitti.errors import BadRequest
from chitti.marketdata import store as md_store
from chitti.marketdata.sessions import IST, ist_days
from chitti.runtime import service_context
from chitti.signals.schemas import GenerateReport, GenerateRequest, OwnedRuleRequest
from chitti.signals.service import SignalActions

RULE: dict[str, Any] = {
    "version": 1, "name": "model_dip", "kind": "model", "direction": "bullish",
    "description": "The demo model scores above 0.6 while RSI(14) is below 40.",
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
    "condition": {"op": "and", "args": [{"op": "gt", "left": "ml.demo_model", "right": 0.6},
                                        {"op": "lt", "left": "rsi", "right": 40}]},
    "cooldown_bars": 0,  # every day the condition holds is an alert
    "explanation": "{symbol}: model {ml_demo_model:.2f} with RSI(14) {rsi:.0f}",
}
FIRST, LAST = date(2018, 1, 1), date(2020, 12, 31)


@pytest.fixture(scope="module")
def model_db(demo_db: str) -> Iterator[str]:
    """The demo data with the model ``demo_model`` (version 1) registered and no rule."""
    with psycopg.connect(demo_db) as conn:
        conn.execute("INSERT INTO ml.models (name, version, kind, artifact, horizon_days)"
                     " VALUES ('demo_model', '1', 'lightgbm', ''::bytea, 5)")
    yield demo_db


def register(url: str, version: str, symbol: str, days: list[date], seed: int
             ) -> dict[date, float]:
    """Store seeded predictions of ``demo_model`` ``version`` for about 85 % of ``days``."""
    rng = np.random.default_rng(seed)
    kept = [d for d, keep in zip(days, rng.random(len(days)) < 0.85, strict=True) if keep]
    scores = dict(zip(kept, rng.random(len(kept)).tolist(), strict=True))
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO ml.models (name, version, kind, artifact, horizon_days)"
            " VALUES ('demo_model', %s, 'lightgbm', ''::bytea, 5)"
            " ON CONFLICT (name, version) DO UPDATE SET kind = EXCLUDED.kind RETURNING id",
            (version,)).fetchone()
        assert row is not None
        model_id = row[0]
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO ml.predictions (model_id, symbol, ts, horizon_days,"
                            " value) VALUES (%s, %s, %s, 5, %s)",
                            [(model_id, symbol, d, v) for d, v in scores.items()])
    return scores


def firing_days(days: list[date], rsi: np.ndarray, scores: dict[date, float]) -> list[date]:
    """The reference: days whose own prediction is above 0.6 and whose RSI is below 40."""
    return [d for d, r in zip(days, rsi, strict=True)
            if d in scores and scores[d] > 0.6 and r < 40]


async def adjusted_daily(url: str, symbol: str) -> tuple[list[date], np.ndarray]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        block, _ = await md_store.fetch_ohlcv(conn, symbol, None, None, "split")
    return [date.fromisoformat(t) for t in block["ts"]], block["close"]


def stored_alerts(url: str, rule: str) -> list[tuple[date, str, dict[str, Any]]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT ts, kind, sources FROM signals.alerts WHERE rule = %s"
                            " ORDER BY ts", (rule,)).fetchall()
    return [(ts.astimezone(IST).date(), kind, sources) for ts, kind, sources in rows]


async def test_a_stored_model_rule_fires_where_the_prediction_and_rsi_say(model_db: str
                                                                           ) -> None:
    days, close = await adjusted_daily(model_db, "INFY")
    window = [d for d in days if FIRST <= d <= LAST]
    scores = register(model_db, "1", "INFY", window, seed=15)
    rsi = talib.RSI(close, timeperiod=14)
    expected = firing_days(days, rsi, scores)
    assert 10 <= len(expected) < len(window) // 4  # the test can tell right from wrong
    # a prediction carried over a missing day, or read a day late, would change the alerts
    carried = dict(zip(window, np.maximum.accumulate(
        [i if d in scores else -1 for i, d in enumerate(window)]).tolist(), strict=True))
    assert firing_days(days, rsi, {d: scores[window[i]] for d, i in carried.items()
                                   if i >= 0}) != expected
    assert firing_days(days, rsi, {b: scores[a] for a, b in pairwise(window)
                                   if a in scores}) != expected
    async with service_context("signal-service", Settings(database_url=model_db)) as ctx:
        actions = SignalActions(ctx)
        saved = await actions.add_rule(OwnedRuleRequest(definition=RULE))
        report = await actions.generate_signals(GenerateRequest(symbol="INFY",
                                                                since=FIRST))
    GenerateReport.model_validate(report)
    assert saved["rule"]["definition"]["kind"] == "model"
    alerts = stored_alerts(model_db, "model_dip")
    assert [d for d, _, _ in alerts] == expected
    assert {kind for _, kind, _ in alerts} == {"model"}
    for day, _, sources in alerts:
        assert sources["values"]["ml_demo_model"] == pytest.approx(scores[day], abs=1e-12)
    # the rule ran among the built-ins (the default rule set), which still alert
    assert len(report["stored_ids"]) > len(alerts)


async def test_the_newest_version_serves_and_a_removed_model_reads_nothing(model_db: str
                                                                           ) -> None:
    days, close = await adjusted_daily(model_db, "LT")
    window = [d for d in days if FIRST <= d <= LAST]
    register(model_db, "1", "LT", window, seed=1)
    newer = register(model_db, "2", "LT", window, seed=2)
    expected = firing_days(days, talib.RSI(close, timeperiod=14), newer)
    request = GenerateRequest(symbol="LT", since=FIRST, rules=["model_dip"], store=False)
    async with service_context("signal-service", Settings(database_url=model_db)) as ctx:
        actions = SignalActions(ctx)
        await actions.add_rule(OwnedRuleRequest(definition=RULE))
        served = await actions.generate_signals(request)
        with psycopg.connect(model_db) as conn:  # unregister it (predictions cascade)
            conn.execute("DELETE FROM ml.models WHERE name = 'demo_model' AND version = '2'")
        older = await actions.generate_signals(request)
        with psycopg.connect(model_db) as conn:
            conn.execute("DELETE FROM ml.models WHERE name = 'demo_model'")
        gone = await actions.generate_signals(request)
        with psycopg.connect(model_db) as conn:  # as the module's other tests expect it
            conn.execute("INSERT INTO ml.models (name, version, kind, artifact)"
                         " VALUES ('demo_model', '1', 'lightgbm', ''::bytea)")
    assert [a["ts"].date() for a in served["alerts"]] == expected
    assert [a["ts"].date() for a in older["alerts"]] != expected and older["alerts"]
    assert gone["alerts"] == []


async def test_on_intraday_bars_a_session_reads_the_previous_sessions_prediction(
        model_db: str) -> None:
    async with await psycopg.AsyncConnection.connect(model_db) as conn:
        (bars,) = (await md_store.fetch_bars(conn, ["TCS"], None, None, warmup=None,
                                             interval="15m")).values()
    sessions = ist_days(bars.ts)
    session_days = [d.item() for d in np.unique(sessions)]
    scores = register(model_db, "1", "TCS", session_days, seed=7)
    previous = dict(zip(session_days[1:], session_days[:-1], strict=True))
    rsi = talib.RSI(bars.close, timeperiod=14)
    since = session_days[1]
    expected = [i for i, (s, r) in enumerate(zip(sessions.tolist(), rsi, strict=True))
                if s >= since and scores.get(previous.get(s, date.min), 0.0) > 0.6 and r < 40]
    assert len(expected) > 20
    async with service_context("signal-service", Settings(database_url=model_db)) as ctx:
        actions = SignalActions(ctx)
        await actions.add_rule(OwnedRuleRequest(definition=RULE))
        report = await actions.generate_signals(GenerateRequest(
            symbol="TCS", interval="15m", since=since, rules=["model_dip"], store=False))
    opened_s = bars.ts.astype("datetime64[s]").astype(np.int64)
    assert [a["ts"].timestamp() for a in report["alerts"]] == opened_s[expected].tolist()


async def test_a_rule_naming_an_unregistered_model_is_refused(model_db: str) -> None:
    unknown = {**RULE, "name": "other_model_dip",
               "condition": {"op": "gt", "left": "ml.no_such_model", "right": 0.6},
               "explanation": "{symbol}: {ml_no_such_model:.2f}"}
    async with service_context("signal-service", Settings(database_url=model_db)) as ctx:
        with pytest.raises(BadRequest) as raised:
            await SignalActions(ctx).add_rule(OwnedRuleRequest(definition=unknown))
    assert raised.value.http_status == 400
    assert raised.value.message.startswith(
        "definition.condition: unknown model ml.no_such_model; registered models: demo_model")
    with psycopg.connect(model_db) as conn:
        assert conn.execute("SELECT count(*) FROM signals.rules WHERE name = %s",
                            ("other_model_dip",)).fetchone() == (0,)
