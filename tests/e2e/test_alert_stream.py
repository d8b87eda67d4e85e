"""Live alerts: NOTIFY → every gateway → SSE clients, resumable with Last-Event-ID, and the
same stream over IPC (``subscribe``). Alerts are written straight into signals.alerts, as
signal-service writes them."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson
import psycopg
import pytest
from tests.e2e.harness import System, extra_gateway

from chitti.ipc.client import IpcClient


def insert_alert(system: System, symbol: str = "TCS", direction: str = "bullish",
                 impact: float = 0.7) -> int:
    with psycopg.connect(system.admin_db_url) as conn:
        row = conn.execute(
            "INSERT INTO signals.alerts (ts, symbol, kind, direction, impact, confidence,"
            " explanation) VALUES (now(), %s, 'news', %s, %s, 0.6, %s) RETURNING id",
            (symbol, direction, impact, f"{symbol}: {direction} test alert")).fetchone()
    return int(row[0])


class SseReader:
    """Reads an SSE response in a thread; events land in ``events`` as (id, data)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: queue.Queue[tuple[int, dict[str, object]]] = queue.Queue()
        self.connected = threading.Event()
        self.response_headers: httpx.Headers | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url, headers or {}),
                                        daemon=True)
        self._thread.start()
        assert self.connected.wait(10), "SSE stream did not open"

    def _run(self, url: str, headers: dict[str, str]) -> None:
        try:
            self._read(url, headers)
        except httpx.HTTPError:
            pass  # the server went away (the session's system stops); nothing more to read

    def _read(self, url: str, headers: dict[str, str]) -> None:
        with httpx.stream("GET", url, headers=headers, timeout=None) as response:
            self.response_headers = response.headers
            event_id, data = None, None
            for line in response.iter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("id: "):
                    event_id = int(line[4:])
                elif line.startswith("data: "):
                    data = orjson.loads(line[6:])
                elif line == "" and event_id is not None:
                    self.events.put((event_id, data))  # type: ignore[arg-type]
                    event_id, data = None, None
                if self._stop.is_set():
                    return

    def next(self, timeout: float = 5.0) -> tuple[int, dict[str, object]]:
        return self.events.get(timeout=timeout)

    def assert_quiet(self, seconds: float = 0.5) -> None:
        with pytest.raises(queue.Empty):
            self.events.get(timeout=seconds)

    def close(self) -> None:
        self._stop.set()


@contextmanager
def sse(system: System, params: str = "", last_event_id: int | None = None, *,
        url: str | None = None) -> Iterator[SseReader]:
    """An alert stream of ``system`` (or of the gateway at ``url``), as its admin."""
    headers = {"X-API-Key": system.admin_key}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    reader = SseReader(f"{url or system.url}/api/alerts/stream{params}", headers)
    try:
        yield reader
    finally:
        reader.close()


def test_new_alert_reaches_an_open_stream_within_a_second(system: System) -> None:
    with sse(system) as reader:
        assert reader.response_headers is not None
        assert reader.response_headers["content-type"].startswith("text/event-stream")
        assert reader.response_headers["x-accel-buffering"] == "no"
        started = time.monotonic()
        alert_id = insert_alert(system, "INFY")
        event_id, data = reader.next(timeout=1.0)
        assert time.monotonic() - started < 1.0
        assert event_id == alert_id and data["symbol"] == "INFY"
        assert data["explanation"] == "INFY: bullish test alert"


def test_reconnect_with_last_event_id_gets_exactly_the_missed_alerts(system: System) -> None:
    with sse(system) as reader:
        seen = insert_alert(system)
        assert reader.next()[0] == seen
    missed = [insert_alert(system, s) for s in ("SBIN", "ITC", "LT")]
    with sse(system, last_event_id=seen) as reader:
        assert [reader.next()[0] for _ in missed] == missed
        reader.assert_quiet()
        live = insert_alert(system, "RELIANCE")
        assert reader.next()[0] == live
        reader.assert_quiet()


def test_server_side_filters(system: System) -> None:
    with sse(system, "?symbol=hdfcbank&direction=bearish&min_impact=0.5") as reader:
        insert_alert(system, "HDFCBANK", "bullish", 0.9)
        insert_alert(system, "HDFCBANK", "bearish", 0.2)
        insert_alert(system, "TCS", "bearish", 0.9)
        wanted = insert_alert(system, "HDFCBANK", "bearish", 0.8)
        event_id, data = reader.next()
        assert event_id == wanted and data["direction"] == "bearish"
        reader.assert_quiet()


def test_bad_stream_parameters_are_400(system: System) -> None:
    response = system.http.get("/api/alerts/stream?min_impact=7")
    assert response.status_code == 400 and "min_impact" in response.json()["error"]["message"]


def test_two_gateways_both_deliver_every_alert(system: System) -> None:
    with extra_gateway(system) as other_url, sse(system) as first_reader, \
            sse(system, url=other_url) as second_reader:
        ids = [insert_alert(system, s) for s in ("TCS", "INFY")]
        assert [first_reader.next()[0] for _ in ids] == ids
        assert [second_reader.next()[0] for _ in ids] == ids


def test_subscribe_over_ipc_replays_then_streams(system: System) -> None:
    before = insert_alert(system, "ITC")
    replayed = insert_alert(system, "ITC")

    async def run() -> list[int]:
        client = IpcClient([f"unix:{system.var_dir / 'run' / 'signal-service.sock'}"])
        got: list[int] = []
        stream = client.stream("subscribe", {"symbol": "ITC", "after_id": before})
        try:
            async for frame in stream:
                assert frame["event"] == "new_alert"
                got.append(int(frame["data"]["id"]))
                if len(got) == 1:
                    await asyncio.to_thread(insert_alert, system, "TCS")
                    await asyncio.to_thread(insert_alert, system, "ITC")
                if len(got) == 2:
                    break
        finally:
            await stream.aclose()
            await client.close()
        return got

    got = asyncio.run(asyncio.wait_for(run(), 10))
    assert got[0] == replayed and got[1] > replayed
