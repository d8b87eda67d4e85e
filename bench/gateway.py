"""Throughput and latency of the HTTP gateway under concurrent load, beside a bare FastAPI app.

Measured (authenticated with an ``X-API-Key``, over loopback, 64 keep-alive connections):

* ``GET /health`` (the database and every service, each asked over IPC);
* ``POST /api/compute/sma`` with 100 prices (JSON in, forwarded to the compute service);
* ``GET /api/alerts?limit=50`` (forwarded to the signal service, read from PostgreSQL);
* ``GET /api/market/TCS/ohlcv`` for one year of daily bars (compute service + PostgreSQL);
* the anchor: a bare FastAPI app with one ``GET /const`` returning ``{"ok": true}``, served by
  uvicorn with the gateway's loop and HTTP settings (uvloop + httptools) in its own process.

Why: the gateway adds authentication, a middleware, validation and one IPC hop per request;
the anchor shows what FastAPI + uvicorn cost on this machine in the same run, so the ratio
route req/s / bare req/s is what the gateway's own work leaves of the framework's ceiling and
stays comparable across machines and noisy runs (the machine is shared; 2 cores).

Each scenario: a warm-up (``--warmup``, 2 s), then ``--duration`` (10 s) counting the requests
that complete in the window (errors = transport failures and non-2xx answers) with their
latencies (p50/p95/p99: write to last body byte). The rounds (``--repeats``, 3) interleave the
scenarios, the bare app first in each; the table shows the median and range over rounds, and
the ratio to the bare app of the same round.

Caveats printed with the results: the load generator runs on the same 2 cores as the server
(its CPU use is shown, beside the server's and the whole machine's); it is closed-loop (a new
request on a connection only when the last answer came), so latencies under overload are
understated (coordinated omission). The generator is raw asyncio streams on uvloop speaking
keep-alive HTTP/1.1 (``--client raw``): over ten times less CPU per request than
``httpx.AsyncClient`` (``--client httpx``, one client per connection; one client with a pool of
64 connections does worse still, ~130 req/s here: encode/httpx#3215), which cannot load even
the bare app. One extra run of the bare app with the other client shows the difference
(``--no-client-compare`` skips it).

The system is ``chitti up --demo`` in a temporary directory, with rate limiting off
(``CHITTI_RATE_LIMIT_STORE=off``: this measures speed, not limits) and alerts generated for
TCS if fewer than 50 are stored. ``--gateway-url URL --api-key KEY`` benches a running gateway
instead (its data as it is; its rate limits may answer 429, counted as errors).

Run: ``.venv/bin/python bench/gateway.py [--duration 10] [--connections 64] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
import orjson
import psutil
import uvloop

ClientKind = Literal["raw", "httpx"]
START_TIMEOUT_S = 180.0
OHLCV_PATH = "/api/market/TCS/ohlcv?start=2020-01-01&end=2020-12-31"


@dataclass(frozen=True)
class Scenario:
    label: str
    method: str
    path: str
    body: bytes | None = None
    bare: bool = False  # served by the bare FastAPI app, not the gateway


def _scenarios() -> list[Scenario]:
    rng = random.Random(7)
    prices = [round(100.0 + rng.gauss(0.0, 5.0), 4) for _ in range(100)]
    sma = orjson.dumps({"prices": prices, "period": 10})
    return [Scenario("bare FastAPI GET /const", "GET", "/const", bare=True),
            Scenario("GET /health", "GET", "/health"),
            Scenario("POST /api/compute/sma (100 prices)", "POST", "/api/compute/sma", sma),
            Scenario("GET /api/alerts?limit=50", "GET", "/api/alerts?limit=50"),
            Scenario("GET /api/market/TCS/ohlcv (1 year)", "GET", OHLCV_PATH)]


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    api_key: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def headers(self, scenario: Scenario) -> dict[str, str]:
        headers = {"X-API-Key": self.api_key}  # the bare app ignores it; same request size
        if scenario.body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def raw_request(self, scenario: Scenario) -> bytes:
        lines = [f"{scenario.method} {scenario.path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "User-Agent: chitti-bench", "Accept: */*",
                 *(f"{k}: {v}" for k, v in self.headers(scenario).items())]
        if scenario.body is not None:
            lines.append(f"Content-Length: {len(scenario.body)}")
        return "\r\n".join(lines).encode() + b"\r\n\r\n" + (scenario.body or b"")


# -- load generation -------------------------------------------------------------------------

@dataclass
class Sink:
    """Requests completed inside the measuring window [start, end] (perf_counter seconds)."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)  # 0 = transport error

    def add(self, started: float, status: int) -> None:
        done = time.perf_counter()
        if self.start <= done <= self.end:
            self.latencies.append(done - started)
            self.statuses[status] += 1

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked, keep = 0, False, True
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            keep = b"close" not in value.lower()
    if chunked:
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")  # no trailers from our servers
    elif length:
        await reader.readexactly(length)
    return status, keep


async def _raw_worker(target: Target, request: bytes, sink: Sink) -> None:
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    while time.perf_counter() < sink.end:
        started = time.perf_counter()
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(target.host, target.port)
            writer.write(request)
            status, keep = await _read_response(reader)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            status, keep = 0, False
        sink.add(started, status)
        if not keep and writer is not None:
            writer.close()
            writer = reader = None
            if status == 0:
                await asyncio.sleep(0.01)  # refused: do not spin
    if writer is not None:
        writer.close()


async def _httpx_worker(client: httpx.AsyncClient, scenario: Scenario,
                        headers: dict[str, str], sink: Sink) -> None:
    while time.perf_counter() < sink.end:
        started = time.perf_counter()
        try:
            reply = await client.request(scenario.method, scenario.path, content=scenario.body,
                                         headers=headers)
            status = reply.status_code
        except httpx.HTTPError:
            status = 0
        sink.add(started, status)


class CpuWatch:
    """CPU time of the generator (this process), the server under test and the machine."""

    def __init__(self) -> None:
        self.me = psutil.Process()

    @staticmethod
    def _busy(proc: psutil.Process | None, *, with_children: bool = True) -> float:
        total = 0.0
        # granian's (and uvicorn's) workers are child processes; the generator's children
        # are the servers it started, which are not the generator
        for each in _tree(proc) if with_children else [proc] if proc else []:
            try:
                times = each.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def _snapshot(self, server: psutil.Process | None) -> tuple[float, float, float, float]:
        machine = psutil.cpu_times()
        idle = machine.idle + getattr(machine, "iowait", 0.0)
        return (time.perf_counter(), self._busy(self.me, with_children=False),
                self._busy(server),
                sum(machine) - idle)

    async def measure(self, sink: Sink, server: psutil.Process | None) -> dict[str, float]:
        """Percent of one core used by generator / server / whole machine in the window."""
        await asyncio.sleep(max(0.0, sink.start - time.perf_counter()))
        first = self._snapshot(server)
        await asyncio.sleep(max(0.0, sink.end - time.perf_counter()))
        last = self._snapshot(server)
        wall = last[0] - first[0]
        return {name: 100.0 * (b - a) / wall
                for name, a, b in zip(("gen", "server", "machine"), first[1:], last[1:],
                                      strict=True)}


@dataclass
class Run:
    requests: int
    errors: int
    duration: float
    latencies: list[float]
    cpu: dict[str, float]

    @property
    def rps(self) -> float:
        return self.requests / self.duration

    def pct_ms(self, p: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return 1000.0 * statistics.quantiles(self.latencies, n=100)[p - 1]


async def _load(target: Target, scenario: Scenario, *, connections: int, warmup: float,
                duration: float, client: ClientKind, server: psutil.Process | None) -> Run:
    start = time.perf_counter() + warmup
    sink = Sink(start, start + duration)
    cpu = asyncio.create_task(CpuWatch().measure(sink, server))
    if client == "raw":
        request = target.raw_request(scenario)
        await asyncio.gather(*(_raw_worker(target, request, sink) for _ in range(connections)))
    else:  # one client per connection: a shared pool of 64 collapses (encode/httpx#3215)
        clients = [httpx.AsyncClient(base_url=target.url, timeout=30)
                   for _ in range(connections)]
        headers = target.headers(scenario)
        try:
            await asyncio.gather(*(_httpx_worker(http, scenario, headers, sink)
                                   for http in clients))
        finally:
            await asyncio.gather(*(http.aclose() for http in clients))
    return Run(len(sink.latencies), sink.errors, duration, sink.latencies, await cpu)


# -- the servers -----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ok(url: str, process: subprocess.Popen[bytes] | None, timeout_s: float,
             log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise SystemExit(f"{process.args!r} exited with {process.returncode}\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer 200 within {timeout_s:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_bare(port: int) -> None:
    """The anchor: one constant route, uvicorn with uvloop + httptools, no access log."""
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/const")
    async def const() -> dict[str, bool]:
        return {"ok": True}

    uvicorn.run(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                access_log=False, log_level="warning")


@contextmanager
def bare_app() -> Iterator[tuple[int, psutil.Process]]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(port)])
    try:
        _wait_ok(f"http://127.0.0.1:{port}/const", process, 30)
        yield port, psutil.Process(process.pid)
    finally:
        _stop(process)


@dataclass
class System:
    url: str
    api_key: str
    gateway: psutil.Process | None
    notes: list[str]


def _api_key(url: str, password: str) -> str:
    """Log in as the first admin and make an admin API key."""
    login = httpx.post(url + "/api/auth/token", data={"username": "admin", "password": password},
                       timeout=30)
    login.raise_for_status()
    reply = httpx.post(url + "/api/auth/keys", json={"name": "bench", "role": "admin"},
                       headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                       timeout=30)
    reply.raise_for_status()
    return str(reply.json()["key"])


def _seed_alerts(url: str, key: str) -> str:
    """Alerts for TCS over 2015-2021 when fewer than 50 are stored (so a page is full)."""
    headers = {"X-API-Key": key}
    have = len(httpx.get(url + "/api/alerts?limit=50", headers=headers, timeout=30)
               .json()["alerts"])
    if have >= 50:
        return f"{have} alerts were stored already"
    reply = httpx.post(url + "/api/signals/generate", headers=headers, timeout=300, json={
        "symbol": "TCS", "since": "2015-01-01", "store": True})
    reply.raise_for_status()
    return f"{len(reply.json()['alerts'])} alerts generated for TCS since 2015 and stored"


@contextmanager
def demo_system() -> Iterator[System]:
    """``chitti up --demo`` in a temporary directory; stopped with SIGINT on leaving."""
    tmp = Path(tempfile.mkdtemp(prefix="chitti-bench-gw-"))
    port = _free_port()
    password = secrets.token_urlsafe(15)  # 20 characters
    env = {**os.environ, "CHITTI_VAR_DIR": str(tmp / "var"), "CHITTI_GATEWAY_PORT": str(port),
           "CHITTI_NEWS_POLL": "false", "CHITTI_EOD_UPDATE_AT": "off",
           "CHITTI_ADMIN_PASSWORD": password, "CHITTI_RATE_LIMIT_STORE": "off"}
    env.pop("CHITTI_DATABASE_URL", None)
    log = tmp / "system.log"
    process = subprocess.Popen([sys.executable, "-m", "chitti.cli", "up", "--demo"], env=env,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        _wait_ok(url + "/health", process, START_TIMEOUT_S, log)
        notes = [f"system: chitti up --demo, healthy after {time.monotonic() - started:.0f} s; "
                 "rate limiting off (CHITTI_RATE_LIMIT_STORE=off): this measures speed, "
                 "not limits"]
        key = _api_key(url, password)
        notes.append(_seed_alerts(url, key))
        state = orjson.loads((tmp / "var" / "run" / "supervisor.json").read_bytes())
        gateway = psutil.Process(int(state["children"]["gateway"]["pid"]))
        yield System(url, key, gateway, notes)
    finally:
        _stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


def _listener(port: int) -> psutil.Process | None:
    """The local process listening on ``port`` (None if it is not ours to see)."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
                return psutil.Process(conn.pid)
    except psutil.Error:
        pass
    return None


@contextmanager
def running_system(url: str, key: str) -> Iterator[System]:
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    gateway = _listener(parts.port or 80) if local else None
    yield System(url.rstrip("/"), key, gateway,
                 [f"system: the running gateway at {url} (its data and rate limits as they are"
                  "; 429 answers count as errors)"])


# -- the bench -------------------------------------------------------------------------------

def _check(target: Target, scenario: Scenario) -> str:
    """One request before the load: it must answer 2xx; a word on what it answered."""
    reply = httpx.request(scenario.method, target.url + scenario.path, content=scenario.body,
                          headers=target.headers(scenario), timeout=60)
    if not reply.is_success:
        raise SystemExit(f"{scenario.label}: HTTP {reply.status_code} {reply.text[:300]}")
    body = reply.json()
    detail = ""
    if "alerts" in body:
        detail = f", {len(body['alerts'])} alerts"
    elif "ts" in body:
        detail = f", {len(body['ts'])} bars"
    return f"{scenario.label}: {len(reply.content):,} bytes{detail}"


def _fmt_range(values: Sequence[float], digits: int) -> str:
    """Median [min-max]."""
    return (f"{statistics.median(values):.{digits}f} "
            f"[{min(values):.{digits}f}-{max(values):.{digits}f}]")


def _report(scenarios: list[Scenario], runs: dict[str, list[Run]], bare: list[Run]) -> None:
    print("\nmedian [min-max] over rounds; p50/p99 medians; errors summed; ÷ bare = req/s over "
          "the bare app's in the same round;\nCPU = % of one core (median) used by the "
          "generator / the server under test / the whole machine (200% = both cores)")
    print(f"{'route':<36}{'req/s':>20}{'p50 ms':>8}{'p95 ms':>22}{'p99 ms':>8}{'errors':>7}"
          f"{'÷ bare':>20}{'CPU gen/srv/all':>17}")
    for scenario in scenarios:
        rs = runs[scenario.label]
        ratios = [r.rps / b.rps for r, b in zip(rs, bare, strict=True)]
        cpu = "/".join(f"{statistics.median(r.cpu[k] for r in rs):.0f}"
                       for k in ("gen", "server", "machine"))
        print(f"{scenario.label:<36}{_fmt_range([r.rps for r in rs], 0):>20}"
              f"{statistics.median(r.pct_ms(50) for r in rs):>8.1f}"
              f"{_fmt_range([r.pct_ms(95) for r in rs], 1):>22}"
              f"{statistics.median(r.pct_ms(99) for r in rs):>8.1f}"
              f"{sum(r.errors for r in rs):>7}"
              f"{'1' if scenario.bare else _fmt_range(ratios, 3):>20}{cpu:>17}")


def _verdict(runs: dict[str, list[Run]], bare: list[Run],
             compare: tuple[ClientKind, Run] | None, client: ClientKind) -> None:
    gen = statistics.median(r.cpu["gen"] for r in bare)
    server = statistics.median(r.cpu["server"] for r in bare)
    print(f"\nload generator: {client} (one Python process on uvloop); during the bare runs it "
          f"used {gen:.0f}% of a core, the bare server {server:.0f}% (2 cores = 200%).")
    if compare is not None:
        other, run = compare
        print(f"  the same bare route with --client {other}: {run.rps:,.0f} req/s, p95 "
              f"{run.pct_ms(95):.2f} ms, generator CPU {run.cpu['gen']:.0f}% (vs "
              f"{statistics.median(r.rps for r in bare):,.0f} req/s with {client})")
    if gen >= 90:
        print("  the generator is saturated on the bare route: the bare req/s (and so the "
              "ratios) are a floor set by the generator, not by the server")
    for label, rs in runs.items():
        cpu = {k: statistics.median(r.cpu[k] for r in rs) for k in ("gen", "server", "machine")}
        limit = ("the generator" if cpu["gen"] >= 90 else
                 "the server process (a core busy)" if cpu["server"] >= 90 else
                 "the machine (both cores busy: services, PostgreSQL, other users)"
                 if cpu["machine"] >= 170 else "not CPU (waiting: IPC, database, locks)")
        print(f"  {label}: limited by {limit}")
    print("caveats: generator and servers share the machine's 2 cores; closed-loop load "
          "(latency under overload is understated); loopback only.")


def _tree(proc: psutil.Process | None) -> list[psutil.Process]:
    """``proc`` and its descendants (a server's worker processes)."""
    if proc is None:
        return []
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return [proc]


def _rss(proc: psutil.Process | None) -> str:
    if proc is None:
        return "unknown"
    sizes = []
    for each in _tree(proc):
        try:
            sizes.append(f"{each.memory_info().rss / 2**20:.0f}")
        except psutil.Error:
            continue
    return " + ".join(sizes) + " MiB (server process + workers)" if sizes else "gone"


async def _bench(args: argparse.Namespace, target: Target, bare_port: int,
                 gateway: psutil.Process | None, bare_proc: psutil.Process,
                 log: Callable[[str], None]) -> None:
    scenarios = _scenarios()
    bare_target = Target("127.0.0.1", bare_port, target.api_key)
    runs: dict[str, list[Run]] = {s.label: [] for s in scenarios}
    for round_ in range(1, args.repeats + 1):
        for scenario in scenarios:
            where, server = (bare_target, bare_proc) if scenario.bare else (target, gateway)
            run = await _load(where, scenario, connections=args.connections,
                              warmup=args.warmup, duration=args.duration, client=args.client,
                              server=server)
            runs[scenario.label].append(run)
            log(f"  round {round_}: {scenario.label:<36} {run.rps:>9,.0f} req/s  p95 "
                f"{run.pct_ms(95):7.2f} ms  errors {run.errors}")
    compare = None
    if not args.no_client_compare:
        other: ClientKind = "httpx" if args.client == "raw" else "raw"
        compare = (other, await _load(bare_target, scenarios[0], connections=args.connections,
                                      warmup=args.warmup, duration=args.duration, client=other,
                                      server=bare_proc))
    bare = runs[scenarios[0].label]
    _report(scenarios, runs, bare)
    _verdict(runs, bare, compare, args.client)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10.0, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    ap.add_argument("--connections", type=int, default=64, help="concurrent connections")
    ap.add_argument("--repeats", type=int, default=3, help="rounds over every scenario")
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw",
                    help="load generator: raw asyncio HTTP/1.1 or httpx.AsyncClient")
    ap.add_argument("--no-client-compare", action="store_true",
                    help="skip the bare run with the other client")
    ap.add_argument("--gateway-url", help="bench this running gateway (needs --api-key)")
    ap.add_argument("--api-key", help="an API key of the running gateway (X-API-Key)")
    ap.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return 0
    if bool(args.gateway_url) != bool(args.api_key):
        ap.error("--gateway-url and --api-key go together")

    print(f"gateway bench: {args.connections} connections, {args.warmup:g} s warm-up + "
          f"{args.duration:g} s measured per run, {args.repeats} rounds (median [range] over "
          f"rounds); loopback; {os.cpu_count()} CPUs; uvicorn with uvloop + httptools",
          flush=True)
    system_cm = (running_system(args.gateway_url, args.api_key) if args.gateway_url
                 else demo_system())
    with system_cm as system, bare_app() as (bare_port, bare_proc):
        for note in system.notes:
            print(note)
        parts = urlsplit(system.url)
        target = Target(parts.hostname or "127.0.0.1", parts.port or 80, system.api_key)
        print(f"gateway RSS before: {_rss(system.gateway)}")
        for scenario in _scenarios():
            print("  reply of " + _check(Target("127.0.0.1", bare_port, system.api_key)
                                         if scenario.bare else target, scenario))
        uvloop.run(_bench(args, target, bare_port, system.gateway, bare_proc,
                          lambda line: print(line, flush=True)))
        print(f"gateway RSS after: {_rss(system.gateway)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
