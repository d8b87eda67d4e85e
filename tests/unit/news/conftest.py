"""Fixtures shared by the news unit tests: fixture paths, the recorded feeds and a local HTTP
server that serves feeds the way real publishers do (ETag/304, gzip, slow, failing, garbage).

The server is a threaded ``http.server`` on 127.0.0.1 with an ephemeral port: the tests never
touch the internet, and the fetcher is exercised over real sockets.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "rss"
SHARED_RSS = REPO.parent / "shared" / "data" / "rss"
REFERENCE = REPO / "data" / "demo" / "reference"


def recorded_feeds() -> list[Path]:
    """Return the recorded third-party feeds (empty when ../shared is missing)."""
    return sorted(SHARED_RSS.glob("*.xml")) if SHARED_RSS.is_dir() else []


needs_shared = pytest.mark.skipif(
    not recorded_feeds(), reason=f"recorded feeds not found in {SHARED_RSS} (not redistributed)"
)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@dataclass
class FeedServer:
    """Handle on the running test server: its base URL and a per-path request counter."""

    base_url: str
    hits: Counter[str] = field(default_factory=Counter)
    flaky_failures: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def _make_handler(server_state: FeedServer) -> type[BaseHTTPRequestHandler]:
    feeds = {p.name: p.read_bytes() for p in FIXTURES.iterdir() if p.is_file()}
    last_modified = formatdate(1_700_000_000, usegmt=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

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
            path = self.path
            server_state.hits[path] += 1
            if path.startswith("/feed/"):
                self._feed(path.removeprefix("/feed/"))
            elif path.startswith("/gzip/"):
                body = gzip.compress(feeds[path.removeprefix("/gzip/")])
                self._send(200, body, {"Content-Type": "application/rss+xml",
                                       "Content-Encoding": "gzip"})
            elif path.startswith("/slow"):
                time.sleep(2.0)
                self._send(200, feeds["googlenews_in_markets.xml"])
            elif path.startswith("/flaky/"):
                failures_left = server_state.flaky_failures.get(path, 1)
                if failures_left > 0:
                    server_state.flaky_failures[path] = failures_left - 1
                    self._send(500, b"boom")
                else:
                    self._send(200, feeds["googlenews_in_markets.xml"])
            elif path.startswith("/status/"):
                self._send(int(path.rsplit("/", 1)[1]), b"error page")
            elif path == "/garbage":
                self._send(200, bytes(range(256)) * 8, {"Content-Type": "application/rss+xml"})
            elif path == "/big":
                self._send(200, b"<rss>" + b" " * 3_000_000 + b"</rss>")
            elif path == "/big-chunked":
                self._chunked(b" " * 65536, 50)
            elif path == "/gzip-bomb":
                body = gzip.compress(b" " * 20_000_000)
                self._send(200, body, {"Content-Encoding": "gzip"})
            elif path == "/redirect":
                self._send(301, b"", {"Location": "/feed/googlenews_in_markets.xml"})
            elif path == "/echo-headers":
                text = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
                self._send(200, text.encode())
            else:
                self._send(404, b"not found")

        def _feed(self, name: str) -> None:
            body = feeds.get(name)
            if body is None:
                self._send(404, b"not found")
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 (not security)
            if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-Modified-Since") == last_modified
                and "If-None-Match" not in self.headers
            ):
                self._send(304, b"", {"ETag": etag, "Last-Modified": last_modified})
                return
            self._send(200, body, {"Content-Type": "application/rss+xml; charset=utf-8",
                                   "ETag": etag, "Last-Modified": last_modified})

        def _chunked(self, chunk: bytes, count: int) -> None:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(count):
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up at its size cap, as it should

    return Handler


@pytest.fixture(scope="module")
def feed_server() -> Iterator[FeedServer]:
    """Serve ``tests/fixtures/rss`` and the failure modes on a local port for one module."""
    state = FeedServer(base_url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    httpd.block_on_close = False  # do not wait for /slow handlers still sleeping
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
