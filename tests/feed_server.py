"""A local HTTP server that serves the feed fixtures
the way real publishers do (ETag/304, gzip, slow, failing, garbage, oversize).

The server is a threaded ``http.server`` on 127.0.0.1 with an ephemeral port: the tests never
touch the internet, and the fetcher is exercised over real sockets.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "rss"
SHARED_RSS = REPO.parent / "shared" / "data" / "rss"  # recorded feeds, when present
RECORDED = sorted(SHARED_RSS.glob("*.xml")) if SHARED_RSS.is_dir() else []


def needs_shared(test: Callable[..., object]) -> Callable[..., object]:
    """Mark a test that reads the recorded feeds of ../shared (not redistributed; see
    tests/fixtures/rss/SOURCES.md) and skip it when they are absent."""
    skip = pytest.mark.skipif(not RECORDED, reason=f"recorded feeds missing: {SHARED_RSS}")
    return pytest.mark.needs_shared(skip(test))


@dataclass
class FeedServer:
    """Handle on the running test server: its base URL and a per-path request counter."""

    base_url: str
    hits: Counter[str] = field(default_factory=Counter)
    flaky_failures: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


_LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
_FEEDS = {p.name: p.read_bytes() for p in FIXTURES.iterdir() if p.is_file()}
if SHARED_RSS.is_dir():
    _FEEDS.update({p.name: p.read_bytes() for p in SHARED_RSS.glob("*.xml")})
_GOOGLE = _FEEDS["googlenews_in_markets.xml"]


class _FeedHandler(BaseHTTPRequestHandler):
    """Routes: /feed/<name> (ETag, Last-Modified, 304) and /gzip/<name> for every fixture and
    recorded feed, /slow (2 s), /flaky/<key> (500 then 200), /status/<code>, /garbage, /big,
    /big-chunked, /gzip-bomb, /redirect, /echo-headers."""

    protocol_version = "HTTP/1.1"
    state: FeedServer  # set on the per-server subclass

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out or hit its size cap first, as tested

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.state.hits[self.path] += 1
        for prefix, route in _ROUTES:
            if self.path.startswith(prefix):
                route(self, self.path.removeprefix(prefix))
                return
        self._send(404, b"not found")

    def feed(self, name: str) -> None:
        body = _FEEDS.get(name)
        if body is None:
            self._send(404, b"not found")
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 (not security)
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-Modified-Since") == _LAST_MODIFIED
            and "If-None-Match" not in self.headers
        ):
            self._send(304, b"", {"ETag": etag, "Last-Modified": _LAST_MODIFIED})
            return
        self._send(200, body, {"Content-Type": "application/rss+xml; charset=utf-8",
                               "ETag": etag, "Last-Modified": _LAST_MODIFIED})

    def gzipped(self, name: str) -> None:
        self._send(200, gzip.compress(_FEEDS[name]),
                   {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})

    def slow(self, _: str) -> None:
        time.sleep(2.0)
        self._send(200, _GOOGLE)

    def flaky(self, _: str) -> None:
        failures_left = self.state.flaky_failures.get(self.path, 1)
        if failures_left > 0:
            self.state.flaky_failures[self.path] = failures_left - 1
            self._send(500, b"boom")
        else:
            self._send(200, _GOOGLE)

    def status(self, code: str) -> None:
        self._send(int(code), b"error page")

    def garbage(self, _: str) -> None:
        self._send(200, bytes(range(256)) * 8, {"Content-Type": "application/rss+xml"})

    def big(self, _: str) -> None:
        self._send(200, b"<rss>" + b" " * 3_000_000 + b"</rss>")

    def big_chunked(self, _: str) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b" " * 65536
        try:
            for _ in range(50):
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up at its size cap, as it should

    def gzip_bomb(self, _: str) -> None:
        self._send(200, gzip.compress(b" " * 20_000_000), {"Content-Encoding": "gzip"})

    def redirect(self, _: str) -> None:
        self._send(301, b"", {"Location": "/feed/googlenews_in_markets.xml"})

    def echo_headers(self, _: str) -> None:
        text = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        self._send(200, text.encode())


# Longest prefixes first: "/big-chunked" before "/big".
_ROUTES = (
    ("/feed/", _FeedHandler.feed), ("/gzip/", _FeedHandler.gzipped),
    ("/slow", _FeedHandler.slow), ("/flaky/", _FeedHandler.flaky),
    ("/status/", _FeedHandler.status), ("/garbage", _FeedHandler.garbage),
    ("/big-chunked", _FeedHandler.big_chunked), ("/big", _FeedHandler.big),
    ("/gzip-bomb", _FeedHandler.gzip_bomb), ("/redirect", _FeedHandler.redirect),
    ("/echo-headers", _FeedHandler.echo_headers),
)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for /slow handlers still sleeping

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that time out or stop at their size cap reset the connection: expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve_feeds() -> Iterator[FeedServer]:
    """Serve ``tests/fixtures/rss`` and the failure modes on a local port."""
    state = FeedServer(base_url="")
    handler = type("FeedHandler", (_FeedHandler,), {"state": state})
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
