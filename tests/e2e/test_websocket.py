"""``/api/ws`` as a client uses it: authenticated handshakes, the alert stream (replay, then
live, each once), and a symbol's latest bar with indicator values, again when bars load."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import numpy as np
import orjson
import psycopg
import pytest
import talib
from tests.e2e.harness import System
from tests.e2e.test_alert_stream import insert_alert
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus


def ws_url(system: System, query: str = "") -> str:
    return system.url.replace("http://", "ws://") + "/api/ws" + query


async def receive(ws: ClientConnection, kind: str, timeout: float = 30) -> dict[str, Any]:
    """The next message of type ``kind`` (pings and other kinds are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message = orjson.loads(await ws.recv())
            if message["type"] == kind:
                return message  # type: ignore[no-any-return]
            assert message["type"] != "error", message


def test_a_handshake_without_credentials_is_refused(system: System) -> None:
    async def run() -> None:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url(system)):
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(run())


def test_alerts_replay_then_arrive_live_each_once(system: System) -> None:
    missed = insert_alert(system, "WIPRO")
    before = missed - 1

    async def run() -> list[int]:
        async with connect(ws_url(system),
                           additional_headers={"X-API-Key": system.admin_key}) as ws:
            assert (await receive(ws, "connected"))["role"] == "admin"
            await ws.send(orjson.dumps({"op": "alerts", "after_id": before,
                                        "symbol": "WIPRO"}).decode())
            got = [(await receive(ws, "alert"))["data"]["id"]]
            live = await asyncio.to_thread(insert_alert, system, "WIPRO")
            await asyncio.to_thread(insert_alert, system, "TCS")  # filtered out
            got.append((await receive(ws, "alert"))["data"]["id"])
            assert live == got[-1]
            await ws.send('{"op": "ping"}')
            await receive(ws, "pong")  # no third alert came first: nothing twice
            return got

    assert asyncio.run(run())[0] == missed


def test_a_subscribed_symbol_gets_its_bar_and_indicators_now_and_on_new_bars(
        system: System) -> None:
    ticket = system.http.post("/api/stream-ticket").json()["ticket"]
    closes = np.array(system.http.get("/api/market/TCS/ohlcv").json()["close"])
    expected = talib.SMA(closes, timeperiod=20)[-1]

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with connect(ws_url(system, f"?ticket={ticket}")) as ws:
            await ws.send('{"op": "subscribe", "symbol": "nosuch"}')
            error = orjson.loads(await ws.recv())
            while error["type"] != "error":
                error = orjson.loads(await ws.recv())
            assert "NOSUCH" in error["message"]
            await ws.send('{"op": "subscribe", "symbol": "tcs", "indicators": '
                          '[{"name": "sma", "params": {"timeperiod": 20}}]}')
            first = await receive(ws, "bar")
            with psycopg.connect(system.admin_db_url, autocommit=True) as conn:
                conn.execute("SELECT pg_notify('eod_loaded', 'INFY,TCS')")
            again = await receive(ws, "bar", timeout=10)
            await ws.send('{"op": "unknown"}')
            assert "op" in orjson.loads(await ws.recv())["message"]
            return first, again

    first, again = asyncio.run(run())
    assert first["symbol"] == "TCS" and first["bar"]["close"] == closes[-1]
    assert first["indicators"]["sma(timeperiod=20)"]["sma"] == pytest.approx(expected,
                                                                             rel=1e-12)
    assert again == first
    # the ticket was spent by the handshake
    assert httpx.get(f"{system.url}/api/alerts/stream?ticket={ticket}").status_code == 401
