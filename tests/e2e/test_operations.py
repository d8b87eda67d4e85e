"""What an operator relies on: request ids, JSON log lines, Prometheus metrics, security
headers, and bounded request bodies."""

from __future__ import annotations

import re
import time

import httpx
import orjson
import pytest
from tests.e2e.harness import System, extra_gateway


def test_request_ids_reach_the_client_and_the_log(system: System) -> None:
    mine = system.http.get("/api/market/NOSUCH/ohlcv", headers={"X-Request-ID": "trace-42"})
    assert mine.status_code == 404 and mine.headers["x-request-id"] == "trace-42"
    generated = system.http.get("/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", generated)
    forged = system.http.get("/health", headers={"X-Request-ID": "bad id\twith tab"})
    assert forged.headers["x-request-id"] != "bad id\twith tab"
    deadline = time.monotonic() + 5
    while True:
        lines = [orjson.loads(line[line.index("{"):]) for line in system.log().splitlines()
                 if '"request_id":"trace-42"' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert lines and lines[0]["status"] == 404
    assert lines[0]["route"] == "/api/market/{symbol}/ohlcv" and lines[0]["process"] == "gateway"


def test_metrics_are_prometheus_text_for_admins(system: System) -> None:
    system.http.get("/api/indicators")
    assert httpx.get(system.url + "/metrics").status_code == 401
    text = system.http.get("/metrics").text
    counted = re.search(r'chitti_http_requests_total\{method="GET",route="/api/indicators",'
                        r'status="200"\} (\d+)', text)
    assert counted and float(counted.group(1)) >= 1
    assert re.search(r'chitti_ipc_call_seconds_count\{action="list_indicators",'
                     r'outcome="ok",service="compute"\} \d+', text)
    assert "chitti_stream_clients" in text and "chitti_rate_limited" in text


def test_responses_carry_security_headers(system: System) -> None:
    headers = system.http.get("/health").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_an_oversized_body_is_413_before_it_is_read(system: System) -> None:
    huge = b'{"prices": [' + b"1," * 5_000_000 + b'1], "period": 2}'
    response = system.http.post("/api/compute/sma", content=huge,
                                headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"

    def chunks():  # no Content-Length: the limit is counted as the body streams in
        for _ in range(100):
            yield b"1," * 50_000

    streamed = system.http.post("/api/compute/sma", content=chunks(),
                                headers={"content-type": "application/json"})
    assert streamed.status_code == 413


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("get", "/api/news?q=abc%00def", {}),
    ("get", "/api/market/TC%00S/ohlcv", {}),
    ("post", "/api/nlp/sentiment", {"json": {"texts": ["profit \u0000 up"]}}),
    ("post", "/api/watchlists", {"json": {"name": "a\u0000b"}}),
    ("post", "/api/auth/token", {"data": {"username": "ad\u0000min", "password": "x" * 12}}),
])
def test_nul_characters_are_refused_with_400(system: System, method: str, path: str,
                                            kwargs: dict[str, object]) -> None:
    response = system.http.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["error"]["message"]


def test_two_gateway_workers_share_the_port(system: System) -> None:
    with extra_gateway(system, CHITTI_GATEWAY_WORKERS="2") as url:
        pids = set()
        for _ in range(40):
            reply = httpx.get(url + "/api/auth/me", headers={"X-API-Key": system.admin_key})
            assert reply.status_code == 200
            pids.add(reply.headers["x-request-id"])
        assert len(pids) == 40  # every request answered, each with its own id
