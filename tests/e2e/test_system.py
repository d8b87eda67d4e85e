"""The whole system as a user runs it: ``chitti up --demo`` with its own embedded PostgreSQL,
real service processes on Unix sockets and the HTTP gateway, checked through HTTP and raw IPC.

The tests run in file order against one running system; the last ones stop and restart it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import struct
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from tests.e2e.harness import System, service_pid
from tests.helpers import demo_rows

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
#: Compute calls may compile numba kernels on first use (a fresh clone has no cache).
COMPUTE_TIMEOUT_S = 180


def test_health_reports_db_and_every_service_ok(system: System) -> None:
    body = system.http.get("/health").json()
    assert body["status"] == "ok" and body["db"]["status"] == "ok"
    assert set(body["services"]) == {"news-nlp", "signal-service", "compute"}
    for name, report in body["services"].items():
        assert report["status"] == "ok" and report["detail"]["service"] == name
        assert report["detail"]["db"]["status"] == "ok"


def test_sma_matches_an_independent_computation(system: System) -> None:
    prices = np.random.default_rng(7).uniform(100, 200, 300).round(2)
    reply = system.http.post("/api/compute/sma", timeout=COMPUTE_TIMEOUT_S,
                       json={"prices": prices.tolist(), "period": 14}).json()
    expected = np.convolve(prices, np.ones(14) / 14, mode="valid")
    assert reply["sma"][:13] == [None] * 13
    np.testing.assert_allclose(np.array(reply["sma"][13:], dtype=float), expected, rtol=1e-12)
    small = system.http.post("/api/compute/sma", json={"prices": [1, 2, 3, 4, 5],
                                                              "period": 2}).json()
    assert small["sma"] == [None, 1.5, 2.5, 3.5, 4.5]


def test_ohlcv_returns_the_real_bars_of_the_demo_data(system: System) -> None:
    reply = system.http.get("/api/market/TCS/ohlcv",
                      params={"start": "2020-01-01", "end": "2020-12-31"}).json()
    frame = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    tcs = frame[(frame.Symbol == "TCS") & frame.Date.between("2020-01-01", "2020-12-31")]
    assert reply["count"] == len(tcs) > 200
    assert reply["ts"] == tcs.Date.tolist()
    assert reply["close"] == tcs.Close.tolist() and reply["volume"] == tcs.Volume.tolist()


def test_ohlcv_is_adjusted_by_default_and_says_which_way(system: System) -> None:
    params = {"start": "2017-09-01", "end": "2017-09-15"}
    adjusted = system.http.get("/api/market/RELIANCE/ohlcv", params=params).json()
    raw = system.http.get("/api/market/RELIANCE/ohlcv",
                    params={**params, "adjust": "none"}).json()
    frame = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    printed = frame[(frame.Symbol == "RELIANCE") & frame.Date.between(*params.values())]
    assert (adjusted["adjust"], raw["adjust"]) == ("split", "none")
    assert adjusted["warnings"] == []
    early = system.http.get("/api/market/TCS/ohlcv",
                      params={"start": "2000-01-01", "end": "2004-12-31"}).json()
    assert early["warnings"] == [   # TCS listed on 2004-08-25
        "TCS: bars start on 2004-08-25, after the requested start 2000-01-01"]
    assert raw["close"] == printed.Close.tolist()
    bonus = next(a for a in adjusted["actions"] if a["ex_date"] == "2017-09-07")
    assert bonus["kind"] == "bonus" and bonus["applied"] and bonus["price_factor"] == 0.5
    assert not any(a["applied"] for a in raw["actions"])
    before = [i for i, day in enumerate(raw["ts"]) if day < "2017-09-07"]
    later = (15 * 1496.45 + 1257) / (16 * 1496.45)   # the 2020 rights issue, applied too
    assert adjusted["close"] == pytest.approx(
        [c * (0.5 if i in before else 1.0) * later for i, c in enumerate(raw["close"])])


def test_quotes_equal_the_last_days_of_the_ohlcv_route(system: System) -> None:
    asked = ["RELIANCE", "nosuch", "TCS", "WIPRO", "NIFTY 50", "INFY"]
    reply = system.http.get("/api/market/quotes", params={"symbols": asked})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["adjust"] == "split"
    assert [q["symbol"] for q in body["quotes"]] == ["RELIANCE", "TCS", "NIFTY 50", "INFY"]
    assert (body["unknown"], body["missing"]) == (["NOSUCH"], ["WIPRO"])
    for quote in body["quotes"]:
        bars = system.http.get(f"/api/market/{quote['symbol']}/ohlcv",
                               params={"adjust": "split"}).json()
        closes = pd.Series(bars["close"], index=bars["ts"])
        assert quote["spark"] == closes.iloc[-30:].tolist()
        assert (quote["last_date"], quote["close"], quote["prev_close"]) == (
            bars["ts"][-1], bars["close"][-1], bars["close"][-2])
        assert quote["volume"] == bars["volume"][-1]
        assert quote["change_pct"] == pytest.approx(closes.pct_change().iloc[-1] * 100,
                                                    rel=1e-12)
        assert quote["change"] == pytest.approx(closes.iloc[-1] - closes.iloc[-2], rel=1e-12)
    raw = system.http.get("/api/market/quotes",
                          params={"symbols": "RELIANCE", "adjust": "none"}).json()
    assert raw["adjust"] == "none" and raw["quotes"][0]["spark"] == system.http.get(
        "/api/market/RELIANCE/ohlcv", params={"adjust": "none"}).json()["close"][-30:]


@pytest.mark.parametrize(("query", "fragment"), [
    ("", "symbols: Field required"),
    ("?symbols=", "symbols: Value error, give at least one symbol"),
    ("?symbols=TC%24", "'TC$' is not a symbol"),
    ("?symbols=TCS,INFY", "repeat the parameter for each symbol"),
    ("?" + "&".join(f"symbols=S{i}" for i in range(201)), "at most 200 per request"),
    ("?symbols=TCS&adjust=raw", "adjust"),
])
def test_bad_quote_requests_name_the_field_and_the_fix(system: System, query: str,
                                                       fragment: str) -> None:
    reply = system.http.get("/api/market/quotes" + query)
    assert reply.status_code == 400, reply.text
    assert fragment in reply.json()["error"]["message"]


def test_symbols_have_a_total_and_the_index_is_an_instrument(system: System) -> None:
    page = system.http.get("/api/market/symbols",
                     params={"index": "NIFTY 50", "limit": 5}).json()
    members = pd.read_csv(DEMO / "reference" / "ind_nifty50list.csv")
    assert page["count"] == 5 and page["total"] == len(members)
    held = system.http.get("/api/market/symbols",
                     params={"with_prices": True, "limit": 100}).json()
    assert held["total"] == 11   # the ten demo stocks and the index
    index = next(s for s in held["symbols"] if s["symbol"] == "NIFTY 50")
    assert (index["first_date"], index["last_date"]) == ("2000-01-03", "2019-12-02")


def test_intraday_bars_are_served_in_ist_sessions(system: System) -> None:
    reply = system.http.get("/api/market/TCS/ohlcv", params={
        "interval": "1h", "start": "2024-01-02", "end": "2024-01-02"}).json()
    assert reply["interval"] == "1h" and reply["count"] == 7
    assert reply["ts"][0] == "2024-01-02T09:15:00+05:30"
    assert reply["ts"][-1] == "2024-01-02T15:15:00+05:30"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        ("get", "/api/market/TCS/ohlcv?adjust=raw", None, 400, "adjust"),
        ("get", "/api/market/TCS/ohlcv?interval=7m", None, 400, "interval"),
        ("get", "/api/market/INFY/ohlcv?interval=5m", None, 404,
         "INFY: no stored intraday bars make 5m bars"),
        ("get", "/api/market/symbols?offset=99999999999999999999", None, 400, "offset"),
        ("post", "/api/compute/sma", {"prices": [1, 2], "period": 0}, 400, "period"),
        ("post", "/api/compute/sma", {"prices": [1, 2, 3], "period": 5}, 400,
         "period 5 is longer than the 3 prices"),
        ("post", "/api/compute/sma", {"prices": [1, "x"], "period": 2}, 400, "prices.1"),
        ("post", "/api/compute/sma", {"prices": [1, 2], "period": 2, "extra": 1}, 400, "extra"),
        ("get", "/api/market/NOSUCH/ohlcv", None, 404, "unknown symbol 'NOSUCH'"),
        ("get", "/api/market/TCS/ohlcv?start=2021-01-01&end=2020-01-01", None, 400,
         "after end"),
        ("get", "/api/market/TCS/ohlcv?start=yesterday", None, 400, "start"),
        ("get", "/api/nothing-here", None, 404, "Not Found"),
    ],
)
def test_bad_requests_get_a_json_error_naming_the_problem(
    system: System, method: str, path: str, body: object, status: int, fragment: str
) -> None:
    response = system.http.request(method, path, json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert fragment in error["message"] and error["code"] in ("bad_request", "not_found")


def test_openapi_documents_every_route(system: System) -> None:
    paths = system.http.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/compute/sma", "/api/market/symbols", "/api/indicators",
            "/api/compute/indicator", "/api/compute/batch",
            "/api/market/{symbol}/ohlcv", "/api/news", "/api/alerts"} <= set(paths)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_load_everything_from_the_gateway(system: System, page: str) -> None:
    html = system.http.get(page).text
    urls = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html)
    assert urls and "openapi.json" in html
    for url in urls:  # nothing from a CDN: the docs work offline
        assert url.startswith("/"), url
        assert system.http.get(url).status_code == 200, url


def test_news_and_alerts_routes_reach_their_services(system: System) -> None:
    news = system.http.get("/api/news", params={"symbol": "NOSUCH"}).json()
    assert news == {"articles": [], "count": 0}
    alerts = system.http.get("/api/alerts", params={"direction": "bearish",
                                                            "limit": 2}).json()
    assert all(a["direction"] == "bearish" for a in alerts["alerts"])
    if alerts["alerts"]:
        older = system.http.get("/api/alerts", params={
            "direction": "bearish", "before_id": alerts["next_before_id"]}).json()
        assert all(a["id"] < alerts["next_before_id"] for a in older["alerts"])


def test_indicator_catalogue_is_served(system: System) -> None:
    from chitti.compute.indicators import catalog

    body = system.http.get("/api/indicators").json()
    assert body["count"] == len(catalog()) == len(body["indicators"])
    rsi = next(i for i in body["indicators"] if i["name"] == "rsi")
    assert rsi["params"][0]["name"] == "timeperiod" and rsi["params"][0]["default"] == 14


def test_indicator_inline_and_stored_equal_talib(system: System) -> None:
    import talib

    frame = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
    infy = frame[(frame.Symbol == "INFY") & frame.Date.between("2019-01-01", "2019-12-31")]
    inline = system.http.post("/api/compute/indicator", timeout=COMPUTE_TIMEOUT_S, json={
        "name": "RSI", "params": {"timeperiod": 10},
        "inputs": {"close": infy.Close.tolist()}}).json()
    np.testing.assert_allclose(np.array(inline["outputs"]["rsi"], dtype=float),
                               talib.RSI(infy.Close.to_numpy(dtype=float), timeperiod=10),
                               rtol=1e-9, equal_nan=True)
    # A stored symbol is warmed up on its whole history before 2019, as a chart is: the
    # values equal TA-Lib on the whole (hand-adjusted) history, sliced to 2019.
    stored = system.http.post("/api/compute/indicator", timeout=COMPUTE_TIMEOUT_S, json={
        "name": "rsi", "params": {"timeperiod": 10}, "symbol": "infy",
        "start": "2019-01-01", "end": "2019-12-31"}).json()
    history = demo_rows("INFY", adjust=True)
    history = history[history.Date <= "2019-12-31"]
    expected = talib.RSI(history.Close.to_numpy(dtype=float), timeperiod=10)
    in_2019 = (history.Date >= "2019-01-01").to_numpy()
    assert stored["ts"] == infy.Date.tolist() and stored["lookback"] == 10
    assert stored["warnings"] == [] and not np.isnan(stored["outputs"]["rsi"][0])
    np.testing.assert_allclose(np.array(stored["outputs"]["rsi"], dtype=float),
                               expected[in_2019], rtol=1e-9)


def test_an_indicator_with_too_little_history_says_so(system: System) -> None:
    stored = system.http.post("/api/compute/indicator", timeout=COMPUTE_TIMEOUT_S, json={
        "name": "sma", "params": {"timeperiod": 50}, "symbol": "TCS",
        "start": "2004-09-01", "end": "2004-12-31"}).json()
    # TCS listed on 2004-08-25: five bars before September, SMA(50) needs 49
    assert stored["warnings"] == [
        "TCS: 5 bars of history before 2004-09-01, but sma{'timeperiod': 50} needs 49; its "
        "first 44 bars of the range lack values"]
    values = stored["outputs"]["sma"]
    assert all(v is None for v in values[:44]) and values[44] is not None


def test_batch_over_stored_symbols_equals_talib(system: System) -> None:
    import talib

    reply = system.http.post("/api/compute/batch", timeout=COMPUTE_TIMEOUT_S, json={
        "symbols": ["TCS", "SBIN"], "start": "2018-01-01", "end": "2020-12-31",
        "indicators": [{"name": "sma", "params": {"timeperiod": 50}},
                       {"name": "macd"}]}).json()
    for symbol in ("TCS", "SBIN"):
        # split-adjusted by default, and warmed up on the whole history before 2018
        rows = demo_rows(symbol, adjust=True)
        rows = rows[rows.Date <= "2020-12-31"]
        close = rows.Close.to_numpy(dtype=float)
        in_range = (rows.Date >= "2018-01-01").to_numpy()
        result = reply["results"][symbol]
        assert result["ts"] == rows.Date[in_range].tolist()
        sma, macd = result["indicators"]
        np.testing.assert_allclose(np.array(sma["outputs"]["sma"], dtype=float),
                                   talib.SMA(close, 50)[in_range], rtol=1e-9)
        np.testing.assert_allclose(np.array(macd["outputs"]["macdsignal"], dtype=float),
                                   talib.MACD(close)[1][in_range], rtol=1e-9)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "nosuch", "inputs": {"close": [1, 2]}}, "nosuch"),
        ({"name": "rsi", "params": {"timeperiod": 0}, "inputs": {"close": [1, 2, 3]}},
         "timeperiod"),
        ({"name": "rsi", "params": {"colour": 3}, "inputs": {"close": [1, 2, 3]}}, "colour"),
        ({"name": "atr", "inputs": {"high": [2, 3], "low": [1, 2, 1], "close": [1, 2]}},
         "unequal"),
        ({"name": "atr", "inputs": {"close": [1, 2]}}, "missing input"),
        ({"name": "rsi", "inputs": {"close": [1, None]}}, "inputs.close.1"),
        ({"name": "rsi"}, "either inputs"),
    ],
)
def test_bad_indicator_requests_say_what_is_wrong(
    system: System, body: dict[str, object], fragment: str
) -> None:
    response = system.http.post("/api/compute/indicator", json=body,
                          timeout=COMPUTE_TIMEOUT_S)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]["message"]


def test_batch_with_unknown_symbol_is_404(system: System) -> None:
    response = system.http.post("/api/compute/batch", json={
        "symbols": ["TCS", "NOSUCH"], "indicators": [{"name": "sma"}]})
    assert response.status_code == 404 and "NOSUCH" in response.json()["error"]["message"]


async def _raw_exchange(sock_path: Path, payload: bytes) -> dict[str, object]:
    reader, writer = await asyncio.open_unix_connection(str(sock_path))
    writer.write(payload)
    await writer.drain()
    header = await asyncio.wait_for(reader.readexactly(4), 5)
    body = await reader.readexactly(struct.unpack(">I", header)[0])
    writer.close()
    return orjson.loads(body)  # type: ignore[no-any-return]


def _frame(obj: object) -> bytes:
    body = orjson.dumps(obj)
    return struct.pack(">I", len(body)) + body


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (struct.pack(">I", 9) + b"not json!", "bad_request"),
        (struct.pack(">I", 2**31), "bad_request"),
        (_frame({"id": 1, "action": "launch_rockets"}), "not_found"),
        (_frame({"id": 2, "action": "compute_sma", "prices": [1], "period": "x"}),
         "bad_request"),
    ],
)
def test_bad_frames_get_error_frames_and_the_service_survives(
    system: System, payload: bytes, code: str
) -> None:
    sock = system.var_dir / "run" / "compute.sock"
    reply = asyncio.run(_raw_exchange(sock, payload))
    assert reply["status"] == "error" and reply["error"]["code"] == code  # type: ignore[index]
    health = asyncio.run(_raw_exchange(sock, _frame({"id": 9, "action": "health"})))
    assert health["status"] == "ok" and health["service"] == "compute"


def test_sockets_are_private(system: System) -> None:
    run_dir = system.var_dir / "run"
    assert run_dir.stat().st_mode & 0o777 == 0o700
    for sock in run_dir.glob("*.sock"):
        assert sock.stat().st_mode & 0o777 == 0o600


def test_killed_service_is_reported_down_then_restarted(system: System) -> None:
    os.kill(service_pid(system, "compute"), signal.SIGKILL)
    assert system.wait_health(503, timeout_s=2) < 2
    assert system.wait_health(200, timeout_s=10) < 10
    assert "compute exited with code -9" in system.log()


def test_ctrl_c_leaves_nothing_behind_and_restart_keeps_data(system: System) -> None:
    pids = [service_pid(system, n) for n in ("compute", "news-nlp", "signal-service", "gateway")]
    assert system.stop() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert list((system.var_dir / "run").glob("*")) == []
    assert not (system.var_dir / "pgdata" / "postmaster.pid").exists()
    loads_before = system.log().count("loaded the demo data set")
    system.start()
    assert system.log().count("loaded the demo data set") == loads_before
    reply = system.http.get("/api/market/TCS/ohlcv",
                      params={"start": "2020-01-01", "end": "2020-12-31"}).json()
    assert reply["count"] > 200


def test_intraday_indicators_and_backtests(system: System) -> None:
    import talib

    frame = pd.read_csv(DEMO / "TCS_5min_2023-07_2024-06.csv.gz")
    frame.index = pd.to_datetime(frame.date).dt.tz_convert("Asia/Kolkata")
    closes = frame.close.resample("15min", origin="start_day", offset="9h15min").last().dropna()
    closes = closes[closes.index < "2024-02-01"]
    expected = talib.RSI(closes.to_numpy(), timeperiod=14)
    in_january = closes.index >= "2024-01-01"
    stored = system.http.post("/api/compute/indicator", timeout=COMPUTE_TIMEOUT_S, json={
        "name": "rsi", "symbol": "TCS", "interval": "15m", "start": "2024-01-01",
        "end": "2024-01-31"}).json()
    assert stored["ts"] == [t.isoformat() for t in closes.index[in_january]]
    np.testing.assert_allclose(np.array(stored["outputs"]["rsi"], dtype=float),
                               expected[in_january], rtol=1e-9)
    run = system.http.post("/api/backtest", timeout=COMPUTE_TIMEOUT_S, json={
        "strategy": "sma_crossover", "symbols": ["TCS"], "interval": "5m",
        "params": {"fast": 5, "slow": 20}, "start": "2024-01-01", "end": "2024-03-31"}).json()
    assert run["config"]["costs"] == "nse_intraday_discount"
    assert run["config"]["square_off_ist"] == "15:20:00"
    assert run["config"]["periods_per_year"] == 252 * 75
    assert run["warnings"] == ["benchmark NIFTY 50: not compared on 5m bars (benchmark "
                               "metrics use daily bars)"]
    assert run["trades"] and all(
        t["exit_time"] is not None and t["entry_time"][:10] == t["exit_time"][:10]
        and t["exit_time"][11:16] <= "15:20" for t in run["trades"])


def test_price_check_over_http_names_the_missing_ratio(system: System) -> None:
    raw = system.http.get("/api/market/check", timeout=COMPUTE_TIMEOUT_S, params={
        "symbols": ["RELIANCE", "NOSUCH"], "adjust": "none"}).json()
    bonus = next(g for g in raw["gaps"] if g["ex_date"] == "2017-09-07")
    assert (bonus["proposed_ratio"], raw["missing"], raw["checked"]) == (2.0, ["NOSUCH"], 1)
    adjusted = system.http.get("/api/market/check", params={"symbols": "RELIANCE"}).json()
    assert [g["ex_date"] for g in adjusted["gaps"]] == ["2009-05-18"]   # the election rally
    bad = system.http.get("/api/market/check", params={"symbols": "TCS",
                                                              "threshold_pct": 0})
    assert bad.status_code == 400 and "threshold_pct" in bad.json()["error"]["message"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/compute/sma", '{"prices": [1, NaN, 3], "period": 2}', "prices.1"),
    ("/api/compute/sma", '{"prices": [1, Infinity, 3], "period": 2}', "prices.1"),
    ("/api/backtest", '{"strategy": "sma_crossover", "symbols": ["TCS"], '
                      '"config": {"initial_cash_inr": Infinity}}', "initial_cash_inr"),
    ("/api/backtest", '{"strategy": "sma_crossover", "symbols": ["TCS"], '
                      '"config": {"initial_cash_inr": 1e308}}', "initial_cash_inr"),
    ("/api/backtest", '{"strategy": "sma_crossover", "symbols": ["TCS"], '
                      '"config": {"risk_free_rate_pct": NaN}}', "risk_free_rate_pct"),
    ("/api/alerts?before_id=99999999999999999999", None, "before_id"),
    ("/api/backtest/results/99999999999999999999", None, "backtest_id"),
])
def test_numbers_beyond_range_are_400_naming_the_field(system: System, path: str,
                                                       body: str | None, field: str) -> None:
    if body is None:
        response = system.http.get(path)
    else:
        response = system.http.post(path, content=body,
                                    headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]["message"]


def test_the_cli_prints_the_served_openapi_document(system: System) -> None:
    import subprocess
    import sys

    printed = subprocess.run([sys.executable, "-m", "chitti.cli", "openapi"], check=True,
                             capture_output=True, timeout=60).stdout
    assert orjson.loads(printed) == system.http.get("/openapi.json").json()
