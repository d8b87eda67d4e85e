"""HTTP load generation and the demo system, shared by ``bench/gateway.py`` and ``bench/load.py``.

The generator is raw asyncio streams (run on uvloop by the caller) speaking keep-alive
HTTP/1.1, one coroutine per connection: over ten times less CPU per request than
``httpx.AsyncClient``, which cannot load even a bare FastAPI app on this machine (the benches
print the comparison). It is closed-loop (a connection sends its next request when the last
answer came), optionally paced to a rate; every request has a timeout and every run a stop
time and a request cap, so a hung server cannot hang a bench.

Status codes recorded: the HTTP status, or ``TRANSPORT`` (0: refused, reset, unparseable) or
``TIMEOUT`` (-1: no answer within the request timeout).
"""

from __future__ import annotations

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
import orjson
import psutil

__all__ = [
    "MAX_REQUESTS", "REQUEST_TIMEOUT_S", "START_TIMEOUT_S", "TIMEOUT", "TRANSPORT", "ClientKind",
    "CpuWatch", "Pick", "Plan", "Run", "Scenario", "Sink", "System", "Target", "demo_system",
    "free_port", "load", "login", "new_api_key", "percentile_ms", "raw_worker", "rss_mib",
    "running_system", "seed_alerts", "status_name", "stop_process", "tree", "wait_ok",
]

#: Longest wait for ``chitti up --demo`` to answer /health 200 (first start: migrations,
#: demo data, services' imports).
START_TIMEOUT_S = 180.0
#: Longest wait for one answer; beyond it the request counts as ``TIMEOUT``.
REQUEST_TIMEOUT_S = 30.0
#: Most requests one run sends (bounds the generator's memory: a float or two per request).
MAX_REQUESTS = 5_000_000
TRANSPORT = 0
TIMEOUT = -1
ClientKind = Literal["raw", "httpx"]


def status_name(status: int) -> str:
    return {TRANSPORT: "transport", TIMEOUT: "timeout"}.get(status, str(status))


# -- requests --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    label: str
    method: str
    path: str
    body: bytes | None = None
    bare: bool = False  # served by the bare FastAPI app, not the gateway


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


# -- what a run records ----------------------------------------------------------------------

@dataclass
class Plan:
    """When the connections of one run stop: at ``stop_at`` (perf_counter seconds; may be
    moved while the run goes on) or once ``limit`` requests have been sent."""

    stop_at: float
    limit: int = MAX_REQUESTS
    sent: int = 0

    def more(self) -> bool:
        return self.sent < self.limit and time.perf_counter() < self.stop_at


@dataclass
class Sink:
    """Requests completed inside the measuring window [start, end] (perf_counter seconds):
    latency, completion time and status of each (a status other than 2xx is an error)."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    done: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    #: (completion time, status) of every error, to place them in time (a reload).
    failures: list[tuple[float, int]] = field(default_factory=list)

    def add(self, started: float, status: int) -> None:
        done = time.perf_counter()
        if self.start <= done <= self.end:
            self.latencies.append(done - started)
            self.done.append(done)
            self.statuses[status] += 1
            if not 200 <= status < 300:
                self.failures.append((done, status))

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    def between(self, start: float, end: float) -> list[float]:
        """Latencies of the requests completed in [start, end]."""
        return [lat for lat, done in zip(self.latencies, self.done, strict=True)
                if start <= done <= end]


def percentile_ms(latencies: Sequence[float], p: int) -> float:
    """The ``p``-th percentile (1..99) in milliseconds; NaN under two samples."""
    if len(latencies) < 2:
        return float("nan")
    return 1000.0 * statistics.quantiles(latencies, n=100)[p - 1]


@dataclass
class Run:
    """One measured run: what completed in its window of ``duration`` seconds."""

    requests: int
    errors: int
    duration: float
    latencies: list[float]
    cpu: dict[str, float]
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return self.requests / self.duration

    def pct_ms(self, p: int) -> float:
        return percentile_ms(self.latencies, p)

    def error_text(self) -> str:
        """Errors by status ("503×4 timeout×1"), or "0"."""
        bad = sorted((s, n) for s, n in self.statuses.items() if not 200 <= s < 300)
        return " ".join(f"{status_name(s)}×{n}" for s, n in bad) or "0"


# -- load generation -------------------------------------------------------------------------

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


Pick = Callable[[], tuple[bytes, Sink]]


async def raw_worker(host: str, port: int, pick: Pick, plan: Plan, *,
                     interval_s: float = 0.0, timeout_s: float = REQUEST_TIMEOUT_S) -> None:
    """One keep-alive connection sending ``pick()``'s request and recording its answer in
    ``pick()``'s sink until ``plan`` says stop; with ``interval_s``, at most one request per
    interval (paced: a late answer delays the next slot, it never causes a burst)."""
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    next_at = time.perf_counter() + random.uniform(0.0, interval_s)  # spread the connections
    while plan.more():
        if interval_s:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at = max(next_at + interval_s, time.perf_counter())
        request, sink = pick()
        plan.sent += 1
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout_s):
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                status, keep = await _read_response(reader)
        except TimeoutError:
            status, keep = TIMEOUT, False
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            status, keep = TRANSPORT, False
        sink.add(started, status)
        if not keep and writer is not None:
            writer.close()
            writer = reader = None
        if status == TRANSPORT:
            await asyncio.sleep(0.01)  # refused: do not spin
    if writer is not None:
        writer.close()


async def _httpx_worker(client: httpx.AsyncClient, scenario: Scenario, headers: dict[str, str],
                        sink: Sink, plan: Plan) -> None:
    """The same loop through ``httpx.AsyncClient`` (the comparison of bench/gateway.py)."""
    while plan.more():
        plan.sent += 1
        started = time.perf_counter()
        try:
            reply = await client.request(scenario.method, scenario.path, content=scenario.body,
                                         headers=headers)
            status = reply.status_code
        except httpx.TimeoutException:
            status = TIMEOUT
        except httpx.HTTPError:
            status = TRANSPORT
        sink.add(started, status)


async def load(target: Target, scenario: Scenario, *, connections: int, warmup: float,
               duration: float, servers: Sequence[psutil.Process], client: ClientKind = "raw",
               keys: Sequence[str] = ()) -> Run:
    """``connections`` connections sending ``scenario`` for ``warmup`` + ``duration`` seconds;
    the requests completed in the last ``duration`` seconds are measured. With ``keys`` (raw
    client), connection i authenticates with ``keys[i % len(keys)]`` (each its own client)."""
    # httpx: one client per connection (a shared pool of 64 collapses, encode/httpx#3215),
    # made before the clock starts (each builds an SSL context: tens of ms)
    clients = ([httpx.AsyncClient(base_url=target.url, timeout=REQUEST_TIMEOUT_S)
                for _ in range(connections)] if client == "httpx" else [])
    start = time.perf_counter() + warmup
    sink = Sink(start, start + duration)
    plan = Plan(sink.end)
    cpu = asyncio.create_task(CpuWatch().measure(sink.start, sink.end, servers))
    if client == "raw":
        requests = [replace(target, api_key=k).raw_request(scenario) for k in keys
                    ] or [target.raw_request(scenario)]

        def picker(i: int) -> Pick:
            request = requests[i % len(requests)]
            return lambda: (request, sink)

        work = [raw_worker(target.host, target.port, picker(i), plan)
                for i in range(connections)]
        await _bounded(asyncio.gather(*work), warmup + duration)
    else:
        headers = target.headers(scenario)
        try:
            await _bounded(asyncio.gather(*(_httpx_worker(http, scenario, headers, sink, plan)
                                            for http in clients)), warmup + duration)
        finally:
            await asyncio.gather(*(http.aclose() for http in clients))
    return Run(len(sink.latencies), sink.errors, duration, sink.latencies, await cpu,
               sink.statuses)


async def _bounded(work: asyncio.Future[list[None]], seconds: float) -> None:
    # every request has its timeout, so this never fires unless the generator itself stalls
    await asyncio.wait_for(work, seconds + REQUEST_TIMEOUT_S + 30.0)


# -- processes: CPU and memory ---------------------------------------------------------------

def tree(proc: psutil.Process | None) -> list[psutil.Process]:
    """``proc`` and its descendants (a server's worker processes)."""
    if proc is None:
        return []
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return [proc]


def rss_mib(procs: Sequence[psutil.Process]) -> list[float]:
    """Resident memory of each of ``procs`` that still runs (MiB)."""
    sizes = []
    for each in procs:
        try:
            sizes.append(each.memory_info().rss / 2**20)
        except psutil.Error:
            continue
    return sizes


class CpuWatch:
    """CPU time of the generator (this process), the servers under test and the machine."""

    def __init__(self) -> None:
        self.me = psutil.Process()

    @staticmethod
    def _busy(procs: Sequence[psutil.Process]) -> float:
        total = 0.0
        for each in procs:
            try:
                times = each.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def _snapshot(self, servers: Sequence[psutil.Process]
                  ) -> tuple[float, float, float, float]:
        # the servers' worker processes count (granian's, uvicorn's, PostgreSQL's backends);
        # the generator's children are the servers it started, which are not the generator
        machine = psutil.cpu_times()
        idle = machine.idle + getattr(machine, "iowait", 0.0)
        every = [p for server in servers for p in tree(server)]
        return (time.perf_counter(), self._busy([self.me]), self._busy(every),
                sum(machine) - idle)

    async def measure(self, start: float, end: float,
                      servers: Sequence[psutil.Process]) -> dict[str, float]:
        """Percent of one core used by generator / servers / whole machine in [start, end]."""
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        first = self._snapshot(servers)
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        last = self._snapshot(servers)
        wall = last[0] - first[0]
        return {name: 100.0 * (b - a) / wall
                for name, a, b in zip(("gen", "server", "machine"), first[1:], last[1:],
                                      strict=True)}


# -- the system ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ok(url: str, process: subprocess.Popen[bytes] | None, timeout_s: float,
            log: Path | None = None) -> None:
    """Poll ``url`` until it answers 200; exit with the log's tail if ``process`` dies."""
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


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (``chitti up`` stops its children and database), SIGKILL after 60 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class System:
    url: str
    api_key: str
    gateway: psutil.Process | None
    notes: list[str]
    #: The state directory of a system the bench started (None: a running one).
    var_dir: Path | None = None
    #: The first admin's password of a system the bench started ("" otherwise).
    password: str = ""


def login(url: str, password: str) -> str:
    """An access token of the first admin (``admin``, ``password``)."""
    reply = httpx.post(url + "/api/auth/token", data={"username": "admin", "password": password},
                       timeout=30)
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def new_api_key(url: str, token: str, name: str) -> str:
    """A new admin API key, made with the first admin's access token ``token``."""
    reply = httpx.post(url + "/api/auth/keys", json={"name": name, "role": "admin"},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    reply.raise_for_status()
    return str(reply.json()["key"])


def seed_alerts(url: str, key: str) -> str:
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
def demo_system(env: dict[str, str] | None = None) -> Iterator[System]:
    """``chitti up --demo`` in a temporary directory (``CHITTI_*`` overrides in ``env``),
    with rate limiting off and an admin API key; stopped with SIGINT on leaving."""
    tmp = Path(tempfile.mkdtemp(prefix="chitti-bench-"))
    port = free_port()
    password = secrets.token_urlsafe(15)  # 20 characters
    full_env = {**os.environ, "CHITTI_VAR_DIR": str(tmp / "var"),
                "CHITTI_GATEWAY_PORT": str(port), "CHITTI_NEWS_POLL": "false",
                "CHITTI_EOD_UPDATE_AT": "off", "CHITTI_ADMIN_PASSWORD": password,
                "CHITTI_RATE_LIMIT_STORE": "off", **(env or {})}
    full_env.pop("CHITTI_DATABASE_URL", None)
    log = tmp / "system.log"
    process = subprocess.Popen([sys.executable, "-m", "chitti.cli", "up", "--demo"],
                               env=full_env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        wait_ok(url + "/health", process, START_TIMEOUT_S, log)
        notes = [f"system: chitti up --demo, healthy after {time.monotonic() - started:.0f} s; "
                 "rate limiting off (CHITTI_RATE_LIMIT_STORE=off): this measures speed, "
                 "not limits"]
        key = new_api_key(url, login(url, password), "bench")
        state = orjson.loads((tmp / "var" / "run" / "supervisor.json").read_bytes())
        gateway = psutil.Process(int(state["children"]["gateway"]["pid"]))
        yield System(url, key, gateway, notes, tmp / "var", password)
    finally:
        stop_process(process)
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
    """A gateway that runs already (its data and rate limits as they are)."""
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    gateway = _listener(parts.port or 80) if local else None
    yield System(url.rstrip("/"), key, gateway,
                 [f"system: the running gateway at {url} (its data and rate limits as they are"
                  "; 429 answers count as errors)"])
