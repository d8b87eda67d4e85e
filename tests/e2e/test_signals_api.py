"""Technical alerts through the running system: generate_signals equals an in-process rule
evaluation, stores each alert once, user rules are data, a market-data load raises alerts
on the new bars that reach SSE clients, and a screen equals TA-Lib on the OHLCV route's
closes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
import talib
from tests.e2e.harness import System
from tests.e2e.test_alert_stream import sse
from tests.helpers import DEMO_DIR

from chitti.compute.backtest import Bars
from chitti.signals.patterns import evaluate_rules
from chitti.signals.rules import BUILTIN_RULES
from chitti.signals.schemas import ScreenReport

TIMEOUT_S = 300  # a fresh clone compiles the rule kernels on the first call


def demo_bars(symbol: str) -> Bars:
    frame = pd.read_csv(DEMO_DIR / "nifty_sample_daily_2000_2021.csv.gz")
    rows = frame[frame.Symbol == symbol]
    return Bars(ts=rows.Date.to_numpy(dtype="datetime64[D]"), open=rows.Open.to_numpy(),
                high=rows.High.to_numpy(), low=rows.Low.to_numpy(), close=rows.Close.to_numpy(),
                volume=rows.Volume.to_numpy(dtype=float), symbol=symbol)


def generate(system: System, **body: object) -> httpx.Response:
    return system.http.post("/api/signals/generate", json=body, timeout=TIMEOUT_S)


def test_generate_equals_in_process_evaluation_and_stores_once(system: System) -> None:
    bars = demo_bars("ITC")
    start = int((bars.ts < pd.Timestamp("2020-06-01").to_datetime64()).sum())
    expected = [a.to_record() for a in evaluate_rules(bars, BUILTIN_RULES, start_index=start)]
    first = generate(system, symbol="itc", since="2020-06-01").json()
    assert first["bars"] == bars.ts.size and len(expected) > 20
    assert [(a["rule"], a["dedup_key"]) for a in first["alerts"]] == [
        (a["rule"], a["dedup_key"]) for a in expected]
    assert [a["explanation"] for a in first["alerts"]] == [a["explanation"] for a in expected]
    assert len(first["stored_ids"]) == len(expected)
    again = generate(system, symbol="ITC", since="2020-06-01").json()
    assert again["stored_ids"] == [] and len(again["alerts"]) == len(expected)
    alert = system.http.get(f"/api/alerts/{first['stored_ids'][0]}").json()
    assert alert["symbol"] == "ITC" and alert["kind"] == "technical"
    assert alert["explanation"] == expected[0]["explanation"]
    assert alert["sources"]["rule"] == expected[0]["rule"]


def test_generate_refuses_unknown_symbols_and_rules(system: System) -> None:
    assert generate(system, symbol="NOSUCH").status_code == 404
    reply = generate(system, symbol="ITC", rules=["golden_cross", "moon_landing"])
    assert reply.status_code == 400 and "moon_landing" in reply.json()["error"]["message"]
    assert system.http.get("/api/alerts/987654").status_code == 404


USER_RULE = {
    "version": 1, "name": "rsi_oversold_with_bullish_news", "kind": "combined",
    "direction": "bullish",
    "description": "RSI(14) < 30 and bullish news within 2 days",
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
    "condition": {"op": "and", "args": [
        {"op": "lt", "left": "rsi", "right": 30},
        {"op": "gt", "left": "news.bullish_2d", "right": 0}]},
    "explanation": "{symbol}: RSI(14) {rsi:.0f} < 30 with bullish news",
}


def test_user_rules_are_validated_versioned_data(system: System) -> None:
    first = system.http.post("/api/signals/rules", json={"definition": USER_RULE})
    assert first.status_code == 201, first.text
    second = system.http.post("/api/signals/rules", json={"definition": USER_RULE})
    assert (first.json()["rule"]["version"], second.json()["rule"]["version"]) == (1, 2)
    listed = system.http.get("/api/signals/rules").json()
    assert USER_RULE["name"] in {r["name"] for r in listed["user"]}
    assert len(listed["builtin"]) == len(BUILTIN_RULES)
    # the rule runs with the others (no news stored yet, so it cannot fire)
    reply = generate(system, symbol="ITC", rules=[USER_RULE["name"]], since="2005-01-01")
    assert reply.status_code == 200 and reply.json()["alerts"] == []


@pytest.mark.parametrize(("change", "fragment"), [
    ({"condition": {"op": "lt", "left": "nosuch", "right": 30}}, "condition"),
    ({"name": "Bad Name"}, "name"),
    ({"name": "golden_cross"}, "built-in"),
    ({"cooldown_bars": -1}, "cooldown_bars"),
])
def test_bad_rules_are_400_naming_the_field(system: System, change: dict[str, object],
                                            fragment: str) -> None:
    reply = system.http.post("/api/signals/rules",
                       json={"definition": {**USER_RULE, **change}})
    assert reply.status_code == 400 and fragment in reply.json()["error"]["message"]


def test_new_end_of_day_bars_raise_alerts_on_the_stream(system: System, tmp_path: Path) -> None:
    last = pd.read_csv(DEMO_DIR / "nifty_sample_daily_2000_2021.csv.gz").query(
        "Symbol == 'SBIN'").iloc[-1]
    gap_open = round(last.High * 1.06, 2)  # a 6% gap up on three times the volume
    (tmp_path / "sbin.csv").write_text(
        "Date,Symbol,Open,High,Low,Close,Volume\n"
        f"2021-05-03,SBIN,{gap_open},{gap_open * 1.02:.2f},{gap_open},{gap_open * 1.01:.2f},"
        f"{int(last.Volume * 3)}\n")
    env = {**os.environ, "CHITTI_DATABASE_URL": system.admin_db_url}
    with sse(system, "?symbol=SBIN") as reader:
        subprocess.run([sys.executable, "-m", "chitti.cli", "load-market", "--quiet",
                        str(tmp_path / "sbin.csv")], env=env, check=True, timeout=120)
        rules = set()
        while "gap_up" not in rules:
            _, alert = reader.next(timeout=30)
            assert alert["ts"].startswith("2021-05-03")
            rules.add(alert["rule"])
    assert "volume_spike_up" in rules or "gap_up" in rules


def test_rules_on_intraday_bars_equal_an_in_process_evaluation(system: System) -> None:
    from chitti.signals.patterns import news_series

    frame = pd.read_csv(DEMO_DIR / "TCS_5min_2023-07_2024-06.csv.gz")
    frame.index = pd.to_datetime(frame.date).dt.tz_convert("Asia/Kolkata")
    bars15 = frame.resample("15min", origin="start_day", offset="9h15min").agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    ).dropna(subset=["open"])
    instants = bars15.index.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[s]")
    bars = Bars(ts=instants, open=bars15.open.to_numpy(), high=bars15.high.to_numpy(),
                low=bars15.low.to_numpy(), close=bars15.close.to_numpy(),
                volume=bars15.volume.to_numpy(float), symbol="TCS")
    first = int((bars15.index < "2024-06-24").sum())
    expected = [a.to_record() for a in evaluate_rules(
        bars, BUILTIN_RULES, news_series=news_series(bars.ts, []), start_index=first)]
    served = generate(system, symbol="TCS", interval="15m", since="2024-06-24",
                      store=False).json()
    assert len(expected) > 5
    assert [(a["rule"], a["dedup_key"], a["explanation"]) for a in served["alerts"]] == [
        (a["rule"], a["dedup_key"], a["explanation"]) for a in expected]
    assert served["alerts"][0]["ts"].endswith("+05:30")


SCREEN_RULE = {
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}},
                   "sma50": {"fn": "sma", "params": {"timeperiod": 50}}},
    "condition": {"op": "and", "args": [{"op": "lt", "left": "rsi", "right": 50},
                                        {"op": "gt", "left": "close", "right": "sma50"}]},
}


def screen(system: System, **body: object) -> httpx.Response:
    return system.http.post("/api/signals/screen", json=body, timeout=TIMEOUT_S)


def test_screen_of_nifty_50_equals_talib_on_the_ohlcv_route(system: System) -> None:
    reply = screen(system, definition=SCREEN_RULE, index="NIFTY 50")
    assert reply.status_code == 200, reply.text
    report = ScreenReport.model_validate(reply.json())
    assert (report.counts.universe, report.counts.screened, report.counts.missing) == (50, 10, 40)
    assert len(report.missing) == 40 and "TCS" not in report.missing
    assert [r.matched for r in report.rows] == sorted((r.matched for r in report.rows),
                                                      reverse=True)
    for row in report.rows:
        ohlcv = system.http.get(f"/api/market/{row.symbol}/ohlcv").json()
        close = np.array(ohlcv["close"])[-report.bars:]
        rsi = talib.RSI(close, timeperiod=14)[-1]
        sma = pd.Series(close).rolling(50).mean().iloc[-1]
        assert row.date.isoformat() == ohlcv["ts"][-1][:10]
        assert row.values["rsi"] == pytest.approx(rsi, abs=1e-9)
        assert row.values["sma50"] == pytest.approx(sma, abs=1e-9)
        assert row.matched == bool(rsi < 50 and close[-1] > sma)


@pytest.mark.parametrize(("body", "fragment"), [
    ({"index": "NIFTY 51"}, "NIFTY 500"),
    ({"symbols": []}, "universe is empty"),
    ({"index": "NIFTY 50", "definition": {"condition": {"op": "lt", "left": "rsx",
                                                        "right": 1}}}, "invalid alert rule"),
])
def test_bad_screens_are_400_naming_the_field(system: System, body: dict[str, object],
                                              fragment: str) -> None:
    reply = screen(system, **{"definition": SCREEN_RULE, **body})
    assert reply.status_code == 400, reply.text
    assert fragment in reply.json()["error"]["message"]
