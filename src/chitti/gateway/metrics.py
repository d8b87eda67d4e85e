"""Prometheus metrics of one gateway process (``GET /metrics``: admins, or any loopback
client so a local Prometheus needs no key).

Each process keeps its own registry: with several gateway workers, scrape each, or read the
totals as "this worker's". Route labels are path templates (``/api/market/{symbol}/ohlcv``),
never raw paths, so a client cannot grow the label set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

#: Latency buckets in seconds: the gateway's budget is milliseconds, backtests take seconds.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "chitti_http_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=self.registry)
        self.latency = Histogram(
            "chitti_http_request_seconds", "HTTP request latency until the response starts",
            ["method", "route"], buckets=BUCKETS, registry=self.registry)
        self.ipc_latency = Histogram(
            "chitti_ipc_call_seconds", "IPC calls from the gateway to a service",
            ["service", "action", "outcome"], buckets=BUCKETS, registry=self.registry)
        self.stream_clients = Gauge(
            "chitti_stream_clients", "open alert streams", ["kind"], registry=self.registry)
        self.rate_limited = Counter(
            "chitti_rate_limited", "requests refused by a rate limit", ["limit"],
            registry=self.registry)

    def ipc_observer(self, service: str):  # type: ignore[no-untyped-def]
        """An ``IpcClient`` observer recording into this registry."""
        def observe(action: str, seconds: float, outcome: str) -> None:
            self.ipc_latency.labels(service, action, outcome).observe(seconds)
        return observe

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    async def track_stream(self, kind: str, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """``body``, counted in ``chitti_stream_clients`` while it is open."""
        gauge = self.stream_clients.labels(kind)
        gauge.inc()
        try:
            async for chunk in body:
                yield chunk
        finally:
            gauge.dec()

    def render(self) -> bytes:
        return generate_latest(self.registry)
