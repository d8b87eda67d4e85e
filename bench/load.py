"""The whole system under load: the hot routes at 64 and 256 connections, a soak with the
memory of every process before and after, and a load run across ``chitti reload``.

Why: the design promises p95 < 10 ms, 10,000 requests/s, < 500 MB per service (issue 16:
< 300 MB) and restarts without a failed request; this measures each on this machine and says
which holds.

Method:

* The system runs from a copy of ``src/chitti`` made at the start (``--live-tree``: from
  ``src/`` itself), so that edits to the working tree during a long run do not change the
  code under test nor make services started later (a reload's) recompile their kernels.
  First ``chitti warm --skip-fresh`` (as ``make run`` does; ``--no-warm`` skips it): a
  service starting on a stale kernel cache compiles in a child process, whose memory and CPU
  would be measured as the service's. Then ``chitti up --demo`` in a temporary directory with
  ``CHITTI_COMPUTE_INSTANCES=2`` (``--instances N``) and rate limiting off
  (``CHITTI_RATE_LIMIT_STORE=off``: this measures speed, not limits); 50+ alerts and 60 news
  articles are stored. Every connection authenticates with an ``X-API-Key`` of its own (as
  many clients would; it also keeps each within the per-key limit of concurrent backtests).
* The load table: each hot route alone (health, an indicator on a stored symbol, SMA on 100
  prices, one year of OHLCV, a page of alerts, a page of news, a one-year SMA-cross
  backtest), then their weighted mix, at each of ``--connections`` (64 and 256):
  ``--warmup`` seconds (5) unmeasured, then ``--duration`` seconds (60) measured: requests/s,
  p50/p95/p99 (request written to last body byte read), errors by status (non-2xx;
  ``transport``: refused or reset; ``timeout``: no answer in 30 s), and the CPU used by the
  generator, by the system (supervisor, services, gateway, PostgreSQL) and by the machine.
* Memory: RSS (and PSS, which splits a shared page among its users, so that PostgreSQL's
  processes may be summed) of the supervisor, each service instance (with any child), the
  gateway (server process and worker) and PostgreSQL (every process summed): at start (right
  after /health is ok, before any other request), after the load table, during and after a
  soak of ``--soak`` seconds (600): the weighted mix on ``--soak-connections`` (64)
  connections paced to ``--rate`` requests/s in all (default: half what the closed-loop mix
  gave, a steady load below saturation). RSS growth over 10 % is flagged, from start and
  from after the load table (when every model and kernel is loaded) to the end.
* ``--reload``: the same paced mix on 64 connections while ``chitti reload`` replaces every
  service instance; every request is counted (a failed API request fails the bench), with the
  reload's duration and the p99 while it ran beside the p99 before and after. Beside the load
  (soak and reload) /health is polled every 0.5 s to say why it answered 503, when it did.

Caveats: the generator (one Python process on uvloop) runs on the same 2 cores as the gateway,
the services, PostgreSQL and other users of this machine; its CPU share is printed. The load
is closed-loop (a connection sends its next request when the last answer came; the paced
runs too, within their rate), so under overload latencies are understated (coordinated
omission) and requests/s is what the system gave, not a rate it was asked to hold. Loopback
only; the demo's data (six symbols). Not part of the test suite.

Run: ``.venv/bin/python bench/load.py [--duration 60] [--soak 600] [--reload]`` (about 35
minutes with ``--reload``); a quick check: ``--duration 5 --soak 30 --reload``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import psutil
import uvloop
from _load import (
    CpuWatch,
    Pick,
    Plan,
    Run,
    Scenario,
    Sink,
    System,
    Target,
    demo_system,
    load,
    login,
    new_api_key,
    percentile_ms,
    raw_worker,
    rss_mib,
    seed_alerts,
    status_name,
    tree,
)

#: Design promises (ARCHITECTURE.md) and issue 16's memory target.
P95_MS = 10.0
REQUESTS_PER_S = 10_000
SERVICE_MIB = 500
ISSUE_SERVICE_MIB = 300
GROWTH_FLAG_PCT = 10.0
#: Longest a ``chitti reload`` of every service may take before the bench gives up on it.
RELOAD_TIMEOUT_S = 600.0
#: Seconds of load before and after the reload.
RELOAD_MARGIN_S = 3.0
#: The soak's rate when no mix was measured and no ``--rate`` given.
DEFAULT_RATE = 100.0
WARM_TIMEOUT_S = 1800.0


# -- the routes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    scenario: Scenario
    #: Share of the soak's and the reload's mix.
    weight: float


HEALTH = "GET /health"


def _routes() -> list[Route]:
    rng = random.Random(7)
    prices = [round(100.0 + rng.gauss(0.0, 5.0), 4) for _ in range(100)]

    def post(label: str, path: str, body: object, weight: float) -> Route:
        return Route(Scenario(label, "POST", path, orjson.dumps(body)), weight)

    return [
        Route(Scenario(HEALTH, "GET", "/health"), 1),
        post("POST /api/compute/indicator (RSI, TCS 1 y)", "/api/compute/indicator",
             {"name": "rsi", "symbol": "TCS", "start": "2020-01-01", "end": "2020-12-31"}, 2),
        post("POST /api/compute/sma (100 prices)", "/api/compute/sma",
             {"prices": prices, "period": 10}, 2),
        Route(Scenario("GET /api/market/TCS/ohlcv (1 y)", "GET",
                       "/api/market/TCS/ohlcv?start=2020-01-01&end=2020-12-31"), 3),
        Route(Scenario("GET /api/alerts?limit=50", "GET", "/api/alerts?limit=50"), 2),
        Route(Scenario("GET /api/news?limit=20", "GET", "/api/news?limit=20"), 2),
        post("POST /api/backtest (SMA cross, TCS 1 y)", "/api/backtest",
             {"strategy": "sma_crossover", "symbols": ["TCS"], "params": {"fast": 10, "slow": 50},
              "start": "2019-01-01", "end": "2019-12-31", "benchmark": None}, 1),
    ]


# -- setting the system up -------------------------------------------------------------------

COMPANIES = ("TCS", "Infosys", "Reliance Industries", "HDFC Bank", "ITC", "State Bank of India")
EVENTS = ("wins a large deal", "reports record quarterly profit", "shares fall on weak guidance",
          "announces a buyback", "faces a regulatory probe", "raises its dividend")


def _seed_news(system: System, count: int = 60) -> str:
    """``count`` articles about the demo's companies, so a page of news is full."""
    items = []
    for i in range(count):
        link = f"https://example.in/bench/{i}"
        title = f"{COMPANIES[i % len(COMPANIES)]} {EVENTS[(i // 6) % len(EVENTS)]} ({i})"
        items.append(f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
                     f"<pubDate>{formatdate(time.time() - i * 600)}</pubDate></item>")
    xml = ('<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
           f"<link>https://example.in</link><description>d</description>{''.join(items)}"
           "</channel></rss>")
    reply = httpx.post(system.url + "/api/news/ingest", headers={"X-API-Key": system.api_key},
                       json={"xml": xml, "source": "https://example.in/bench.rss"}, timeout=300)
    reply.raise_for_status()
    new = sum(len(feed.get("new_article_ids", [])) for feed in reply.json()["feeds"])
    return f"news: {count} articles ingested, {new} stored as new"


def _keys(system: System, count: int) -> list[str]:
    """``count`` admin API keys (one per connection)."""
    token = login(system.url, system.password)
    return [new_api_key(system.url, token, f"load-{i}") for i in range(count)]


def _check(target: Target, scenario: Scenario) -> str:
    """One request before the load: it must answer 2xx; its size and time."""
    started = time.perf_counter()
    reply = httpx.request(scenario.method, target.url + scenario.path, content=scenario.body,
                          headers=target.headers(scenario), timeout=120)
    if not reply.is_success:
        raise SystemExit(f"{scenario.label}: HTTP {reply.status_code} {reply.text[:300]}")
    return (f"{scenario.label}: {len(reply.content):,} bytes in "
            f"{1000 * (time.perf_counter() - started):.0f} ms")


# -- memory ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Memory:
    processes: int
    rss_mib: float
    #: Proportional set size (a shared page split among its users); None if unreadable.
    pss_mib: float | None
    #: The descendants of a service instance (a warm-up child, say): command and RSS.
    extra: tuple[str, ...] = ()


def _pss_mib(procs: Sequence[psutil.Process]) -> float | None:
    total = 0.0
    for each in procs:
        try:
            total += each.memory_full_info().pss / 2**20
        except (psutil.Error, AttributeError):
            return None
    return total


def _extra(procs: Sequence[psutil.Process]) -> tuple[str, ...]:
    out = []
    for each in procs[1:]:
        try:
            out.append(f"{' '.join(each.cmdline()[1:6])} ({each.memory_info().rss / 2**20:.0f} "
                       "MiB)")
        except psutil.Error:
            continue
    return tuple(out)


def _processes(var_dir: Path) -> dict[str, list[psutil.Process]]:
    """The system's processes by role: the supervisor alone, each supervised child with its
    descendants, PostgreSQL's postmaster with its backends and workers."""
    state = orjson.loads((var_dir / "run" / "supervisor.json").read_bytes())
    postmaster = var_dir / "pgdata" / "postmaster.pid"
    pids = {"supervisor": int(state["pid"]),
            **{name: int(child["pid"]) for name, child in state["children"].items()
               if child.get("pid")},
            "PostgreSQL": int(postmaster.read_text().split()[0])}
    roles = {}
    for name, pid in pids.items():
        try:
            roles[name] = [psutil.Process(pid)] if name == "supervisor" else tree(
                psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue  # being replaced (a restart): absent from this snapshot
    return roles


def _snapshot(var_dir: Path) -> dict[str, Memory]:
    return {name: Memory(len(procs), sum(rss_mib(procs)), _pss_mib(procs),
                         _extra(procs) if name not in ("gateway", "PostgreSQL") else ())
            for name, procs in _processes(var_dir).items()}


def _servers(var_dir: Path) -> list[psutil.Process]:
    """The roots whose trees are the system (for its CPU time)."""
    roles = _processes(var_dir)
    return [roles["supervisor"][0], roles["PostgreSQL"][0]]


def _growth(before: float | None, after: float | None) -> float:
    if not before or after is None:
        return float("nan")
    return 100.0 * (after / before - 1.0)


def _print_memory(snapshots: dict[str, dict[str, Memory]]) -> list[str]:
    """The memory table; returns what grew more than GROWTH_FLAG_PCT from start to the last
    snapshot, or from after the load table to it."""
    names = list(snapshots)
    first, last = snapshots[names[0]], snapshots[names[-1]]
    warmed = snapshots.get("after load")
    print(f"\nmemory (MiB): RSS of each process, summed over a role's processes (a page "
          f"shared by several is counted in each: PostgreSQL's shared buffers); PSS splits "
          f"a shared page among its users.\nΔstart, Δload: growth to the last column from "
          f"start (right after /health is ok) and from after the load table (every model and "
          f"kernel loaded); RSS growth over {GROWTH_FLAG_PCT:g} % is flagged (!).")
    print(f"{'process':<16}{'procs':>7}" + "".join(f"{'RSS ' + n:>16}" for n in names)
          + f"{'RSS Δstart':>11}{'RSS Δload':>10}{'PSS start':>11}{'PSS end':>9}"
          + f"{'PSS Δstart':>11}")
    flagged = []
    for role in first:
        rows = [snapshots[n].get(role) for n in names]
        cells = "".join(f"{m.rss_mib:>16.0f}" if m else f"{'gone':>16}" for m in rows)
        end = last.get(role)
        growth = [_growth(first[role].rss_mib, end.rss_mib if end else None),
                  _growth(warmed[role].rss_mib if warmed and role in warmed else None,
                          end.rss_mib if end else None),
                  _growth(first[role].pss_mib, end.pss_mib if end else None)]
        for what, pct in zip(("Δstart", "Δload"), growth[:2], strict=True):
            if pct > GROWTH_FLAG_PCT:
                flagged.append(f"{role} {what} +{pct:.0f} %")
        marks = [f"{pct:+.0f}%{'!' if pct > GROWTH_FLAG_PCT and k < 2 else ' '}"
                 for k, pct in enumerate(growth)]
        pss = [f"{m.pss_mib:.0f}" if m and m.pss_mib is not None else "-"
               for m in (first[role], end)]
        procs = "/".join(dict.fromkeys(str(m.processes) for m in rows if m))
        print(f"{role:<16}{procs:>7}{cells}{marks[0]:>11}{marks[1]:>10}{pss[0]:>11}"
              f"{pss[1]:>9}{marks[2]:>11}")
    for name, memory in snapshots.items():
        for role, m in memory.items():
            if m.extra:
                print(f"  {name}: {role} had child processes: {'; '.join(m.extra)}")
    return flagged


# -- load runs -------------------------------------------------------------------------------

MIX = "weighted mix of the routes above"


@dataclass
class Row:
    label: str
    connections: int
    run: Run


def _print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(f"\nload table: {args.warmup:g} s warm-up then {args.duration:g} s measured per row; "
          "closed loop; an API key per connection\n"
          "CPU = % of one core used by the generator / the system (supervisor, services, "
          "gateway, PostgreSQL) / the whole machine (2 cores = 200 %)")
    print(f"{'route':<44}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'CPU gen/sys/all':>17}  errors")
    order = {r.label: i for i, r in enumerate(rows)}
    for row in sorted(rows, key=lambda r: (order[r.label], r.connections)):
        run = row.run
        cpu = "/".join(f"{run.cpu[k]:.0f}" for k in ("gen", "server", "machine"))
        print(f"{row.label:<44}{row.connections:>6}{run.rps:>9,.0f}"
              f"{run.pct_ms(50):>9.1f}{run.pct_ms(95):>9.1f}{run.pct_ms(99):>9.1f}"
              f"{cpu:>17}  {run.error_text()}")


def _picker(target: Target, keys: Sequence[str], routes: list[Route], sinks: dict[str, Sink],
            connection: int) -> Pick:
    """Connection ``connection``'s weighted choice of the next request, with its own key."""
    mine = Target(target.host, target.port, keys[connection % len(keys)])
    requests = [mine.raw_request(r.scenario) for r in routes]
    labels = [r.scenario.label for r in routes]
    weights = [r.weight for r in routes]
    rng = random.Random(connection)

    def pick() -> tuple[bytes, Sink]:
        i = rng.choices(range(len(routes)), weights)[0]
        return requests[i], sinks[labels[i]]

    return pick


def _mix(target: Target, keys: Sequence[str], routes: list[Route], sinks: dict[str, Sink],
         plan: Plan, *, connections: int, rate: float) -> asyncio.Future[list[None]]:
    """``connections`` connections sending the weighted mix, paced to ``rate`` req/s in all
    (0: closed loop, unpaced)."""
    interval = connections / rate if rate > 0 else 0.0
    return asyncio.gather(*(raw_worker(target.host, target.port,
                                       _picker(target, keys, routes, sinks, i), plan,
                                       interval_s=interval) for i in range(connections)))


def _summary(sinks: dict[str, Sink], seconds: float, cpu: dict[str, float] | None = None
             ) -> Run:
    latencies = [lat for s in sinks.values() for lat in s.latencies]
    statuses: Counter[int] = Counter()
    for s in sinks.values():
        statuses.update(s.statuses)
    return Run(len(latencies), sum(s.errors for s in sinks.values()), seconds, latencies,
               cpu or {}, statuses)


async def _mix_row(target: Target, keys: Sequence[str], routes: list[Route],
                   args: argparse.Namespace, connections: int, var_dir: Path) -> Run:
    """The closed-loop mix as one row of the load table."""
    start = time.perf_counter() + args.warmup
    sinks = {r.scenario.label: Sink(start, start + args.duration) for r in routes}
    plan = Plan(start + args.duration)
    cpu = asyncio.create_task(CpuWatch().measure(start, plan.stop_at, _servers(var_dir)))
    await asyncio.wait_for(_mix(target, keys, routes, sinks, plan, connections=connections,
                                rate=0), args.warmup + args.duration + 60)
    return _summary(sinks, args.duration, await cpu)


def _print_mix(title: str, sinks: dict[str, Sink], seconds: float) -> None:
    total = _summary(sinks, seconds)
    print(f"{title}: {total.requests:,} requests, {total.rps:,.0f} req/s, p50/p95/p99 "
          f"{total.pct_ms(50):.1f}/{total.pct_ms(95):.1f}/{total.pct_ms(99):.1f} ms, "
          f"errors {total.error_text()}")
    for label, sink in sinks.items():
        run = _summary({label: sink}, seconds)
        print(f"    {label:<44}{run.requests:>9,}{run.pct_ms(50):>9.1f}{run.pct_ms(95):>9.1f}"
              f"{run.pct_ms(99):>9.1f} ms p50/p95/p99  errors {run.error_text()}")


async def _watch_health(url: str, stop: asyncio.Event) -> Counter[str]:
    """Poll /health every half second until ``stop``; why each answer that was not 200."""
    reasons: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=30) as http:
        while not stop.is_set():
            try:
                reply = await http.get(url + "/health")
                if reply.status_code != 200:
                    body = reply.json()
                    bad = [f"{name}: {s['status']} ({s.get('error', '')[:70]})"
                           for name, s in body.get("services", {}).items()
                           if s.get("status") != "ok"]
                    if body.get("db", {}).get("status") != "ok":
                        bad.append("database down")
                    reasons["; ".join(bad) or f"HTTP {reply.status_code}"] += 1
            except (httpx.HTTPError, ValueError) as exc:
                reasons[f"no answer: {exc!r}"[:120]] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
    return reasons


def _print_health(reasons: Counter[str]) -> None:
    polls = " | ".join(f"{n}× {why}" for why, n in reasons.most_common(6))
    print(f"  /health polled every 0.5 s beside the load: "
          f"{sum(reasons.values())} answers not 200" + (f": {polls}" if polls else ""))


async def _soak(target: Target, keys: Sequence[str], routes: list[Route],
                args: argparse.Namespace, rate: float, var_dir: Path,
                url: str) -> tuple[dict[str, Sink], Counter[str]]:
    """The paced mix for ``args.soak`` seconds; a line of memory every tenth of it."""
    start = time.perf_counter()
    plan = Plan(start + args.soak)
    sinks = {r.scenario.label: Sink(start, plan.stop_at) for r in routes}
    stop = asyncio.Event()
    health = asyncio.create_task(_watch_health(url, stop))
    work = _mix(target, keys, routes, sinks, plan, connections=args.soak_connections,
                rate=rate)
    step = max(args.soak / 10, 5.0)
    deadline = plan.stop_at + 60
    while not work.done() and time.perf_counter() < deadline:
        await asyncio.wait([work], timeout=step)
        if work.done():
            break  # the memory after the soak is in the table
        elapsed = time.perf_counter() - start
        done = sum(len(s.latencies) for s in sinks.values())
        line = "  ".join(f"{name} {m.rss_mib:.0f}" for name, m in _snapshot(var_dir).items()
                         if name != "supervisor")
        print(f"  soak {min(elapsed, args.soak):5.0f} s: {done:>9,} requests; RSS MiB: {line}",
              flush=True)
    stop.set()
    await asyncio.wait_for(work, 60)
    return sinks, await health


@dataclass
class Reload:
    seconds: float
    output: str
    returncode: int
    sinks: dict[str, Sink] = field(default_factory=dict)
    window: tuple[float, float] = (0.0, 0.0)
    pids_before: dict[str, int] = field(default_factory=dict)
    pids_after: dict[str, int] = field(default_factory=dict)
    health: Counter[str] = field(default_factory=Counter)


def _service_pids(var_dir: Path) -> dict[str, int]:
    state = orjson.loads((var_dir / "run" / "supervisor.json").read_bytes())
    return {name: int(child["pid"]) for name, child in state["children"].items()
            if name != "gateway"}


async def _reload(target: Target, keys: Sequence[str], routes: list[Route], *,
                  connections: int, rate: float, var_dir: Path, url: str) -> Reload:
    """The mix across ``chitti reload`` of every service; every request counted."""
    plan = Plan(float("inf"))
    sinks = {r.scenario.label: Sink(0.0, float("inf")) for r in routes}
    stop = asyncio.Event()
    health = asyncio.create_task(_watch_health(url, stop))
    work = _mix(target, keys, routes, sinks, plan, connections=connections, rate=rate)
    before = _service_pids(var_dir)
    await asyncio.sleep(RELOAD_MARGIN_S)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chitti.cli", "reload",
        env={**os.environ, "CHITTI_VAR_DIR": str(var_dir)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(process.communicate(), RELOAD_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        out, _ = await process.communicate()
    ended = time.perf_counter()
    await asyncio.sleep(RELOAD_MARGIN_S)
    plan.stop_at = time.perf_counter()
    stop.set()
    await asyncio.wait_for(work, 60)
    return Reload(ended - started, out.decode(errors="replace"), process.returncode or 0,
                  sinks, (started, ended), before, _service_pids(var_dir), await health)


def _print_reload(result: Reload, connections: int, rate: float) -> bool:
    """The reload's report; True when no request failed and every instance was replaced."""
    start, end = result.window
    every = [lat for s in result.sinks.values() for lat in s.latencies]
    during = [lat for s in result.sinks.values() for lat in s.between(start, end)]
    outside = [lat for s in result.sinks.values()
               for lat in s.between(0.0, start) + s.between(end, float("inf"))]
    statuses: Counter[int] = Counter()
    for s in result.sinks.values():
        statuses.update(s.statuses)
    failed = sum(n for status, n in statuses.items() if not 200 <= status < 300)
    health_failed = sum(s.errors for label, s in result.sinks.items() if label == HEALTH)
    replaced = [name for name, pid in result.pids_before.items()
                if result.pids_after.get(name) not in (None, pid)]
    pace = f"paced to {rate:g} req/s" if rate > 0 else "closed loop"
    print(f"\nreload: the mix on {connections} connections ({pace}) across `chitti reload` "
          f"of every service ({RELOAD_MARGIN_S:g} s of load before and after)")
    for line in result.output.strip().splitlines():
        print(f"    | {line}")
    print(f"  chitti reload: exit {result.returncode}, {result.seconds:.1f} s; instances "
          f"replaced: {', '.join(replaced) or 'none'} of {', '.join(result.pids_before)}")
    print(f"  requests: {len(every):,} in all, {len(during):,} while the reload ran "
          f"({len(during) / max(result.seconds, 1e-9):,.0f} req/s)")
    print(f"  failed requests: {failed}" + (
        " (" + ", ".join(f"{status_name(s)}×{n}" for s, n in sorted(statuses.items())
                         if not 200 <= s < 300)
        + f"): API routes {failed - health_failed}, {HEALTH} {health_failed}" if failed else ""))
    print(f"  p50/p99 while the reload ran: {percentile_ms(during, 50):.1f}/"
          f"{percentile_ms(during, 99):.1f} ms; before and after it: "
          f"{percentile_ms(outside, 50):.1f}/{percentile_ms(outside, 99):.1f} ms; "
          f"slowest {1000 * max(every, default=float('nan')):.0f} ms")
    for label, sink in result.sinks.items():
        if sink.failures:
            print(f"    {label}: " + ", ".join(
                f"{status_name(st)} at {t - start:+.1f} s" for t, st in sink.failures[:10]))
    _print_health(result.health)
    ok = (failed - health_failed == 0 and result.returncode == 0
          and len(replaced) == len(result.pids_before))
    verdict = ("zero failed requests" if ok and not failed else
               f"zero failed API requests; {HEALTH} answered 503 {health_failed} times (a "
               "service warming or slow to answer its health check: see the poll)" if ok else
               "NOT zero-downtime")
    print(f"  => {verdict}")
    return ok


# -- the promises ----------------------------------------------------------------------------

def _print_promises(rows: list[Row], snapshots: dict[str, dict[str, Memory]],
                    reload_ok: bool | None) -> None:
    print("\ndesign promises on this machine (2 cores shared by the generator, the gateway, "
          "the services and PostgreSQL):")
    routes = [r for r in rows if r.label != MIX]
    for conns in sorted({r.connections for r in routes}):
        mine = [r for r in routes if r.connections == conns]
        fast = [r.label for r in mine if r.run.pct_ms(95) < P95_MS]
        best = min(mine, key=lambda r: r.run.pct_ms(95))
        print(f"  p95 < {P95_MS:g} ms at {conns} connections: "
              f"{'holds' if len(fast) == len(mine) else 'does not hold'} "
              f"({len(fast)} of {len(mine)} routes; lowest: {best.label} "
              f"{best.run.pct_ms(95):.1f} ms)")
    if routes:
        top = max(routes, key=lambda r: r.run.rps)
        print(f"  {REQUESTS_PER_S:,} requests/s: "
              f"{'holds' if top.run.rps >= REQUESTS_PER_S else 'does not hold'} (most: "
              f"{top.run.rps:,.0f} req/s, {top.label} at {top.connections} connections, "
              f"{100 * top.run.rps / REQUESTS_PER_S:.0f} % of it)")
    peak: dict[str, float] = {}
    for memory in snapshots.values():
        for role, m in memory.items():
            if role not in ("supervisor", "PostgreSQL"):
                peak[role] = max(peak.get(role, 0.0), m.rss_mib)
    listed = ", ".join(f"{role} {mib:.0f}" for role, mib in peak.items())
    for limit, source in ((SERVICE_MIB, "design"), (ISSUE_SERVICE_MIB, "issue 16")):
        over = [role for role, mib in peak.items() if mib >= limit]
        print(f"  < {limit} MB RSS per service ({source}): "
              f"{'holds' if not over else 'does not hold for ' + ', '.join(over)} "
              f"(largest RSS seen, MiB, with child processes: {listed})")
    if reload_ok is not None:
        print(f"  zero-downtime reload (no failed API request): "
              f"{'holds' if reload_ok else 'does not hold'}")


# -- the bench -------------------------------------------------------------------------------

async def _table(system: System, args: argparse.Namespace, keys: list[str],
                 routes: list[Route], target: Target) -> list[Row]:
    assert system.var_dir is not None
    rows: list[Row] = []
    for conns in args.connections:
        for route in routes:
            run = await load(target, route.scenario, connections=conns, warmup=args.warmup,
                             duration=args.duration, servers=_servers(system.var_dir),
                             keys=keys)
            rows.append(Row(route.scenario.label, conns, run))
            _progress(rows[-1])
        if len(routes) > 1:
            rows.append(Row(MIX, conns, await _mix_row(target, keys, routes, args, conns,
                                                       system.var_dir)))
            _progress(rows[-1])
    return rows


def _progress(row: Row) -> None:
    print(f"  {row.label:<44}{row.connections:>5} conns {row.run.rps:>9,.0f} req/s  "
          f"p95 {row.run.pct_ms(95):8.1f} ms  errors {row.run.error_text()}", flush=True)


def _soak_rate(args: argparse.Namespace, rows: list[Row]) -> float:
    """``--rate``, else half the closed-loop mix's req/s (at the soak's connection count
    when measured): a steady load well below saturation."""
    if args.rate is not None:
        return float(args.rate)
    mixes = sorted((abs(r.connections - args.soak_connections), r.run.rps)
                   for r in rows if r.label == MIX)
    return round(max(mixes[0][1] / 2, 1.0)) if mixes else DEFAULT_RATE


async def _bench(system: System, args: argparse.Namespace, keys: list[str],
                 snapshots: dict[str, dict[str, Memory]]) -> int:
    assert system.var_dir is not None
    parts = urlsplit(system.url)
    target = Target(parts.hostname or "127.0.0.1", parts.port or 80, system.api_key)
    routes = [r for r in _routes() if any(o in r.scenario.label for o in args.only or [""])]
    rows = await _table(system, args, keys, routes, target)
    if rows:
        _print_table(rows, args)
        snapshots["after load"] = _snapshot(system.var_dir)
    rate = _soak_rate(args, rows)
    if args.soak > 0:
        mix = ", ".join(f"{r.scenario.label.split(' (')[0]} ×{r.weight:g}" for r in routes)
        print(f"\nsoak: the weighted mix ({mix}) on {args.soak_connections} connections paced "
              f"to {rate:g} req/s in all, {args.soak:g} s", flush=True)
        sinks, health = await _soak(target, keys, routes, args, rate, system.var_dir,
                                    system.url)
        _print_mix("  soak", sinks, args.soak)
        _print_health(health)
        snapshots["after soak"] = _snapshot(system.var_dir)
    flagged = _print_memory(snapshots)
    print("  RSS growth over the flag: " + (", ".join(flagged) if flagged else "none"))
    reload_ok = None
    if args.reload:
        result = await _reload(target, keys, routes, connections=args.reload_connections,
                               rate=rate, var_dir=system.var_dir, url=system.url)
        reload_ok = _print_reload(result, args.reload_connections, rate)
        snapshots["after reload"] = _snapshot(system.var_dir)
        print("  RSS after the reload (fresh instances), MiB: " + ", ".join(
            f"{role} {m.rss_mib:.0f}" for role, m in snapshots["after reload"].items()))
    _print_promises(rows, snapshots, reload_ok)
    print(_compiled(system))
    print("\ncaveats: the generator shares the machine's 2 cores with the system (its CPU "
          "is in the table); closed-loop load understates latency under overload; loopback "
          "only; the demo's data.")
    return 0 if reload_ok in (None, True) else 1


def _compiled(system: System) -> str:
    """Kernels each service had to compile while serving (0 when its cache was complete)."""
    body = httpx.get(system.url + "/health", timeout=30).json()
    counts = ", ".join(f"{name} {s.get('detail', {}).get('kernels_compiled', '?')}"
                       for name, s in sorted(body.get("services", {}).items()))
    return f"kernels compiled while serving (health, current instances): {counts}"


REPO = Path(__file__).resolve().parent.parent


@contextmanager
def _source_snapshot(enabled: bool) -> Iterator[None]:
    """Run the system from a copy of ``src/chitti`` made now (``PYTHONPATH``, inherited by
    every process the bench starts), with its compiled kernels (modification times kept, so
    Numba's cache stays valid).

    Why: the working tree may be edited while a long run goes on (other work on the same
    checkout); an edited kernel file makes every service started later (a reload's
    successors) find its kernel cache stale and compile, which would be measured as the
    reload's cost. The copy is the code as it was when the bench started.
    """
    if not enabled:
        yield
        return
    tmp = Path(tempfile.mkdtemp(prefix="chitti-bench-src-"))
    try:
        shutil.copytree(REPO / "src" / "chitti", tmp / "chitti", symlinks=True)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(tmp), os.environ.get("PYTHONPATH", "")) if p)
        os.environ.setdefault("CHITTI_DEMO_DIR", str(REPO / "data" / "demo"))
        print(f"code: a copy of src/chitti made at {time.strftime('%H:%M:%S')} "
              f"({_git_state()})", flush=True)
        yield
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _git_state() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=30, check=True)
        changed = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "src"],
                                 capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    count = len(changed.stdout.splitlines())
    return f"commit {head.stdout.strip()}, {count} files changed or new under src/"


def _warm(args: argparse.Namespace) -> None:
    """``chitti warm --skip-fresh`` first, as ``make run`` does: a service that starts on a
    stale kernel cache compiles in a child process, which would be measured as its memory
    and CPU (``--no-warm`` measures that)."""
    if args.no_warm:
        return
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "chitti.cli", "warm", "--skip-fresh",
                           "--quiet"], capture_output=True, text=True, timeout=WARM_TIMEOUT_S,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"chitti warm failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    print(f"chitti warm --skip-fresh: {time.monotonic() - started:.0f} s")


def _positive_list(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("give positive integers separated by commas")
    return values


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=60.0,
                    help="measured seconds per route and connection count (default 60)")
    ap.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    ap.add_argument("--connections", type=_positive_list, default=[64, 256],
                    help="connection counts of the load table (default 64,256)")
    ap.add_argument("--only", action="append", metavar="TEXT",
                    help="only the routes whose label contains TEXT (repeatable)")
    ap.add_argument("--soak", type=float, default=600.0, help="soak seconds (0: none)")
    ap.add_argument("--soak-connections", type=int, default=64)
    ap.add_argument("--rate", type=float,
                    help="total requests/s of the soak and the reload run (default: half the "
                         "closed-loop mix's; 0: unpaced)")
    ap.add_argument("--reload", action="store_true",
                    help="a load run across `chitti reload` of every service")
    ap.add_argument("--reload-connections", type=int, default=64)
    ap.add_argument("--instances", type=int, default=2,
                    help="compute instances (CHITTI_COMPUTE_INSTANCES, default 2)")
    ap.add_argument("--no-warm", action="store_true",
                    help="skip `chitti warm --skip-fresh` before the start")
    ap.add_argument("--live-tree", action="store_true",
                    help="run the system from src/ as it is, not from a copy made at start")
    args = ap.parse_args()
    if args.duration <= 0 or args.warmup < 0 or args.soak < 0 or (args.rate or 0) < 0:
        ap.error("--duration must be positive; --warmup, --soak and --rate not negative")
    if min(args.instances, args.soak_connections, args.reload_connections) < 1:
        ap.error("--instances, --soak-connections and --reload-connections must be >= 1")

    print(f"load bench: {os.cpu_count()} CPUs; routes at {args.connections} connections, "
          f"{args.warmup:g} s warm-up + {args.duration:g} s each; soak {args.soak:g} s; "
          f"reload run: {'yes' if args.reload else 'no'}; compute instances {args.instances}",
          flush=True)
    env = {"CHITTI_COMPUTE_INSTANCES": str(args.instances)}
    with _source_snapshot(not args.live_tree):
        _warm(args)
        return _run(args, env)


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    with demo_system(env) as system:
        assert system.var_dir is not None
        snapshots = {"start": _snapshot(system.var_dir)}  # right after /health is ok
        system.notes.append(seed_alerts(system.url, system.api_key))
        for note in system.notes:
            print(note)
        print(_seed_news(system))
        keys = _keys(system, max([*args.connections, args.soak_connections,
                                  args.reload_connections]))
        print(f"{len(keys)} API keys made (one per connection)")
        parts = urlsplit(system.url)
        target = Target(parts.hostname or "127.0.0.1", parts.port or 80, system.api_key)
        for route in _routes():
            print("  first reply: " + _check(target, route.scenario))
        return uvloop.run(_bench(system, args, keys, snapshots))


if __name__ == "__main__":
    sys.exit(main())
