"""News and technical alerts combine whichever arrives first: here the news alert is stored
before the bars that raise the technical alerts are evaluated."""

from __future__ import annotations

import gzip
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import psycopg

from chitti.config import Settings
from chitti.marketdata.load import load_bar_files
from chitti.runtime import service_context
from chitti.signals import store
from chitti.signals.schemas import GenerateRequest
from chitti.signals.scoring import combine
from chitti.signals.service import COMBINE_WINDOW_DAYS, SignalActions

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


async def test_news_first_then_technical_alerts_are_combined(clean_db: str,
                                                             tmp_path: Path) -> None:
    daily = tmp_path / "itc.csv"
    with gzip.open(DEMO / "nifty_sample_daily_2000_2021.csv.gz", "rt") as source:
        header, *rows = source.read().splitlines()
    daily.write_text("\n".join([header, *(r for r in rows if ",ITC," in r)]) + "\n")
    load_bar_files(clean_db, [daily])
    async with service_context("signal-service", Settings(database_url=clean_db)) as ctx:
        actions = SignalActions(ctx)
        request = GenerateRequest(symbol="ITC", since=date(2020, 6, 1), store=False)
        (first, *_) = (await actions.generate_signals(request))["alerts"]
        async with ctx.pool.connection() as conn:
            (news,) = await store.insert_alerts(conn, [{
                "ts": first["ts"] - timedelta(days=1), "symbol": "ITC", "kind": "news",
                "rule": "news_results", "direction": first["direction"], "impact": 0.5,
                "confidence": 0.6, "explanation": "ITC: results beat estimates",
                "sources": {"articles": []}, "dedup_key": "news:ITC:test"}])
        stored = await actions.generate_signals(request.model_copy(update={"store": True}))
        again = await actions.generate_signals(request.model_copy(update={"store": True}))
        async with ctx.pool.connection() as conn:
            (combined,) = [await store.get_alert(conn, i) for i in stored["combined_ids"]]
            near = await store.alerts_near(conn, "ITC", news["ts"], COMBINE_WINDOW_DAYS,
                                           kind="technical")
    assert again["combined_ids"] == []                 # once per news alert
    assert combined["kind"] == "combined" and combined["ts"] == news["ts"]
    assert combined["sources"]["alerts"] == [news["id"], *(t["id"] for t in near)]
    assert set(combined["sources"]["alerts"][1:]) <= set(stored["stored_ids"])
    (expected,) = combine([SimpleNamespace(**news)], [SimpleNamespace(**t) for t in near],
                          window_days=COMBINE_WINDOW_DAYS)
    assert (combined["direction"], combined["rule"]) == (
        expected.direction, f"combined_{expected.agreement}")
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("SELECT count(*) FROM signals.alerts WHERE kind = 'combined'"
                            ).fetchone() == (1,)
