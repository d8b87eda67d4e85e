"""Faults under load, on a running system (``chitti up --demo``, two compute instances):
a reload of every service, a service killed or stalled, the database killed mid-ingest,
a live-stream client that stops reading, and a full disk.

Each test drives real processes and real sockets and checks what a user of the HTTP API sees.
(An alert published while a client is away reaching it exactly once after it reconnects is
tests/e2e/test_alert_stream.py::test_reconnect_with_last_event_id_gets_exactly_the_missed_alerts.)
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg
import pytest
from tests.e2e.harness import System, free_port, service_pid
from tests.helpers import private_tmp_dir

#: Gateway → service timeout in this system (the stalled-service test waits for it).
IPC_TIMEOUT_S = 2
DRAIN_S = 10
SSE_MAX_BACKLOG = 50
SMA_BODY = {"prices": [float(x) for x in range(1, 120)], "period": 5}


@pytest.fixture(scope="module")
def faulty() -> Iterator[System]:
    """A system of its own: these tests kill and stall its processes."""
    with private_tmp_dir("chitti-faults-") as base, state_on_tmpfs(base / "var"):
        running = System(base / "var", free_port(), base / "system.log", extra_env={
            "CHITTI_COMPUTE_INSTANCES": "2", "CHITTI_DRAIN_S": str(DRAIN_S),
            "CHITTI_IPC_TIMEOUT_S": str(IPC_TIMEOUT_S), "CHITTI_RATE_LIMIT_STORE": "off",
            "CHITTI_SSE_MAX_BACKLOG": str(SSE_MAX_BACKLOG),
            "CHITTI_NEWS_POLL": "true", "CHITTI_NEWS_POLL_CHECK_S": "0.5"})
        running.start()
        yield running
        if running.process and running.process.poll() is None:
            running.stop()


#: Whether the state directory is a small file system of its own (the disk-full test).
TMPFS: dict[Path, bool] = {}


@contextmanager
def state_on_tmpfs(var: Path, size: str = "400m") -> Iterator[None]:
    """Put the state directory on a tmpfs of ``size`` when we may mount (root), so the
    disk can be filled without touching the machine's own disk."""
    var.mkdir(mode=0o700)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700",
                              "tmpfs", str(var)], capture_output=True, check=False)
    TMPFS[var] = mounted.returncode == 0
    try:
        yield
    finally:
        if TMPFS.pop(var):
            subprocess.run(["umount", "-l", str(var)], check=False)


@dataclass
class Outcome:
    route: str
    started: float
    seconds: float
    status: int
    retry_after: str | None
    error: str = ""


@dataclass
class Load:
    """Threads calling routes without pause until stopped; every outcome is kept."""

    system: System
    routes: list[tuple[str, str, dict[str, object] | None]]
    threads_per_route: int = 2
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self, method: str, path: str, body: dict[str, object] | None) -> None:
        with self.system.client(self.system.admin_key, timeout=30) as http:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    reply = http.request(method, path, json=body)
                    status, retry = reply.status_code, reply.headers.get("retry-after")
                    error = reply.text[:300] if status != 200 else ""
                except httpx.HTTPError as exc:
                    status, retry, error = -1, None, repr(exc)
                self.outcomes.append(Outcome(path, started, time.monotonic() - started,
                                             status, retry, error))

    @contextmanager
    def running(self) -> Iterator[Load]:
        threads = [threading.Thread(target=self._run, args=route, daemon=True)
                   for route in self.routes for _ in range(self.threads_per_route)]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(timeout=60)

    def since(self, moment: float) -> list[Outcome]:
        return [o for o in self.outcomes if o.started >= moment]


def cli(system: System, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHITTI_VAR_DIR": str(system.var_dir)}
    return subprocess.run([sys.executable, "-m", "chitti.cli", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)


def pids(system: System) -> dict[str, int]:
    return {name: service_pid(system, name)
            for name in ("news-nlp", "signal-service", "compute", "compute-2")}


HOT_ROUTES: list[tuple[str, str, dict[str, object] | None]] = [
    ("POST", "/api/compute/sma", SMA_BODY),
    ("GET", "/api/market/TCS/ohlcv?limit=50", None),
    ("GET", "/api/alerts?limit=5", None),
    ("GET", "/api/news?limit=5", None),
]


def test_a_reload_of_every_service_under_load_fails_no_request(faulty: System) -> None:
    before = pids(faulty)
    with Load(faulty, HOT_ROUTES).running() as load:
        time.sleep(1)
        done = cli(faulty, "reload")
        time.sleep(1)
    assert done.returncode == 0, done.stderr
    after = pids(faulty)
    assert all(after[name] != before[name] for name in before), (before, after)
    for name in before:
        assert f"{name}: reloaded" in done.stdout
    failed = [o for o in load.outcomes if o.status != 200]
    assert failed == []
    served = {route: sum(o.route == route for o in load.outcomes) for _, route, _ in HOT_ROUTES}
    assert min(served.values()) > 20, served


def test_reload_of_an_unknown_service_names_the_choices(faulty: System) -> None:
    done = cli(faulty, "reload", "gatway")
    assert done.returncode == 1
    assert "gatway" in done.stderr and "compute" in done.stderr


@pytest.mark.parametrize(("service", "route"), [
    ("signal-service", ("GET", "/api/alerts?limit=5", None)),
    ("news-nlp", ("GET", "/api/news?limit=5", None)),
    ("compute", ("POST", "/api/compute/sma", SMA_BODY)),
])
def test_a_killed_service_gets_503_with_retry_after_at_once_and_is_whole_within_10_s(
    faulty: System, service: str, route: tuple[str, str, dict[str, object] | None],
) -> None:
    with Load(faulty, [route], threads_per_route=3).running() as load:
        time.sleep(0.5)
        killed_at = time.monotonic()
        os.kill(service_pid(faulty, service), signal.SIGKILL)
        time.sleep(10)
    after = load.since(killed_at)
    failed = [o for o in after if o.status != 200]
    assert all(o.status == 503 and o.retry_after for o in failed), failed[:5]
    assert all(o.seconds < 1.0 for o in failed), max(o.seconds for o in failed)
    assert max(o.seconds for o in after) < 3.0  # nothing hangs
    last_failure = max((o.started for o in failed), default=killed_at)
    assert last_failure - killed_at < 10
    whole = [o for o in after if o.started > last_failure]
    assert len(whole) > 10 and all(o.status == 200 for o in whole)
    if service == "compute":  # the other instance answers meanwhile
        assert sum(o.status == 200 for o in after if o.started < killed_at + 2) > 0


def test_a_stalled_service_times_out_504_while_other_routes_stay_fast(faulty: System) -> None:
    news = service_pid(faulty, "news-nlp")
    with Load(faulty, [("GET", "/api/news?limit=5", None),
                       ("GET", "/api/alerts?limit=5", None),
                       ("POST", "/api/compute/sma", SMA_BODY)]).running() as load:
        time.sleep(0.5)
        stalled_at = time.monotonic()
        os.kill(news, signal.SIGSTOP)
        try:
            time.sleep(5)
        finally:
            os.kill(news, signal.SIGCONT)
        resumed_at = time.monotonic()
        time.sleep(2)
    stalled = [o for o in load.since(stalled_at) if o.started < resumed_at - IPC_TIMEOUT_S]
    news_calls = [o for o in stalled if o.route.startswith("/api/news")]
    others = [o for o in stalled if not o.route.startswith("/api/news")]
    assert news_calls and all(o.status == 504 for o in news_calls), news_calls[:3]
    assert all(IPC_TIMEOUT_S - 0.1 < o.seconds < IPC_TIMEOUT_S + 1 for o in news_calls)
    assert len(others) > 20 and all(o.status == 200 for o in others)
    assert sorted(o.seconds for o in others)[int(0.95 * len(others))] < 0.5
    late = [o for o in load.since(resumed_at + 1) if o.route.startswith("/api/news")]
    assert late and all(o.status == 200 for o in late)


# ------------------------------------------------------------------ database killed


WORDS = ("monsoon", "tariff", "refinery", "bandwidth", "orchard", "granite", "ledger",
         "harbour", "turbine", "saffron", "copper", "lantern", "mango", "quartz", "voltage",
         "cobalt", "jute", "pepper", "cement", "silica", "walnut", "nickel", "sugar",
         "cotton", "marble", "ferry", "zinc", "tea", "yarn", "pulse")


def synthetic_feed(count: int, seed: int) -> tuple[bytes, list[str]]:
    """An RSS 2.0 feed of ``count`` unrelated items (no near-duplicates); with its links."""
    rng = random.Random(seed)
    links, items = [], []
    for i in range(count):
        link = f"https://example.in/markets/{seed}/{i}"
        title = " ".join(rng.sample(WORDS, 7)) + f" {seed}-{i}"
        links.append(link)
        items.append(f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
                     f"<pubDate>{formatdate(time.time() - i * 60)}</pubDate></item>")
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://example.in</link><description>d</description>{''.join(items)}"
            "</channel></rss>")
    return body.encode(), links


@contextmanager
def slow_feed_server(body: bytes, delay_s: float) -> Iterator[str]:
    """Serves ``body`` at /feed.xml after ``delay_s`` (a slow publisher)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            time.sleep(delay_s)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()


def stored_links(system: System, links: list[str]) -> dict[str, int]:
    with psycopg.connect(system.admin_db_url) as conn:
        rows = conn.execute("SELECT link, count(*) FROM news.articles WHERE link = ANY(%s) "
                            "GROUP BY link", (links,)).fetchall()
    return {str(link): int(n) for link, n in rows}


def postmaster_pid(system: System) -> int:
    return int((system.var_dir / "pgdata" / "postmaster.pid").read_text().split()[0])


def test_the_database_killed_mid_ingest_loses_and_duplicates_nothing(faulty: System) -> None:
    body, links = synthetic_feed(120, seed=7)
    with slow_feed_server(body, delay_s=1.5) as url:
        added = faulty.http.post("/api/news/feeds", json={"url": url,
                                                         "poll_interval_s": 3600})
        assert added.status_code == 201, added.text
        time.sleep(1.0)  # the scheduler (every 0.5 s) is now inside the slow fetch
        old_postmaster = postmaster_pid(faulty)
        os.kill(old_postmaster, signal.SIGKILL)
        deadline = time.monotonic() + 60
        stored: dict[str, int] = {}
        while time.monotonic() < deadline and len(stored) < len(links):
            time.sleep(1)
            try:
                stored = stored_links(faulty, links)
            except psycopg.OperationalError:
                continue  # still restarting
    assert postmaster_pid(faulty) != old_postmaster  # the supervisor restarted it
    assert sorted(stored) == sorted(links)  # none lost
    assert set(stored.values()) == {1}  # none twice
    assert "restarting it" in faulty.log()
    assert faulty.http.get("/health").status_code == 200


# ------------------------------------------------------------------ a stream nobody reads


def test_a_stream_client_that_stops_reading_is_dropped_and_others_get_every_alert(
    faulty: System,
) -> None:
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", faulty.port))
    stalled.sendall(f"GET /api/alerts/stream HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                    f"{faulty.admin_key}\r\n\r\n".encode())
    assert b"200" in stalled.recv(64)  # then it never reads again
    with psycopg.connect(faulty.admin_db_url) as conn:
        newest = conn.execute("SELECT coalesce(max(id), 0) FROM signals.alerts").fetchone()[0]
    received: list[int] = []
    reader_ready = threading.Event()

    def read_all() -> None:
        """Read like an EventSource: after the stream ends, resume from the last id seen
        (on a loaded machine this reader may itself fall behind and be dropped)."""
        while len(received) < total:
            headers = {"X-API-Key": faulty.admin_key,
                       "Last-Event-ID": str(received[-1] if received else newest)}
            with httpx.stream("GET", faulty.url + "/api/alerts/stream", headers=headers,
                              timeout=30) as response:
                for line in response.iter_lines():
                    if line.startswith(": connected"):
                        reader_ready.set()
                    elif line.startswith("id: "):
                        received.append(int(line[4:]))
                        if len(received) == total:
                            return

    total = 600
    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    assert reader_ready.wait(10)
    padding = "x" * 16_000  # 600 alerts of 16 kB: far beyond every socket buffer
    started = time.monotonic()
    with psycopg.connect(faulty.admin_db_url, autocommit=True) as conn:
        ids = [int(conn.execute(
            "INSERT INTO signals.alerts (ts, symbol, kind, direction, impact, confidence,"
            " explanation) VALUES (now(), 'TCS', 'news', 'bullish', 0.5, 0.5, %s) "
            "RETURNING id", (f"{i} {padding}",)).fetchone()[0]) for i in range(total)]
    reader.join(timeout=60)
    stalled.close()
    assert received == ids  # every alert, in order, once
    assert time.monotonic() - started < 60
    assert "dropping a subscriber" in faulty.log()


# ------------------------------------------------------------------ disk full


@contextmanager
def filled(directory: Path) -> Iterator[None]:
    """Fill the file system of ``directory`` to the last byte, then free it again."""
    filler = directory / "filler"
    with filler.open("wb") as out:
        chunk = b"\0" * (1 << 20)
        try:
            while True:
                out.write(chunk)
                out.flush()
        except OSError:
            pass
    try:
        yield
    finally:
        filler.unlink()


def ingest(system: System, xml: bytes) -> httpx.Response:
    return system.http.post("/api/news/ingest", json={"xml": xml.decode(),
                                                     "source": "https://example.in/rss"})


def test_a_full_disk_is_a_clear_error_and_nothing_is_corrupted(faulty: System) -> None:
    """Last in the module: it fills the state directory's file system."""
    if not TMPFS.get(faulty.var_dir):
        pytest.skip("the state directory is not on a tmpfs of its own (mounting one needs "
                    "root); not filling the machine's disk")
    before_body, before_links = synthetic_feed(40, seed=11)
    assert ingest(faulty, before_body).status_code == 200
    during_body, during_links = synthetic_feed(200, seed=12)
    with filled(faulty.var_dir):
        refused = ingest(faulty, during_body)
        assert refused.status_code == 503, refused.text
        assert "disk" in refused.json()["error"]["message"]
        assert refused.headers["retry-after"]
        assert faulty.http.get("/api/news?limit=5").status_code == 200  # reads still work
    deadline = time.monotonic() + 60
    while (reply := ingest(faulty, during_body)).status_code != 200:
        assert time.monotonic() < deadline, reply.text
        time.sleep(1)
    assert stored_links(faulty, before_links) == dict.fromkeys(before_links, 1)
    assert stored_links(faulty, during_links) == dict.fromkeys(during_links, 1)
    with psycopg.connect(faulty.admin_db_url) as conn:  # the tables read whole
        conn.execute("SELECT count(*), sum(length(title)) FROM news.articles").fetchone()
        conn.execute("SELECT count(*) FROM signals.alerts").fetchone()
    assert faulty.http.get("/health").status_code == 200
