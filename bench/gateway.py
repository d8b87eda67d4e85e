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
import os
import random
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import orjson
import psutil
import uvloop
from _load import (
    ClientKind,
    Run,
    Scenario,
    Target,
    demo_system,
    free_port,
    load,
    rss_mib,
    running_system,
    seed_alerts,
    stop_process,
    tree,
    wait_ok,
)

OHLCV_PATH = "/api/market/TCS/ohlcv?start=2020-01-01&end=2020-12-31"


def _scenarios() -> list[Scenario]:
    rng = random.Random(7)
    prices = [round(100.0 + rng.gauss(0.0, 5.0), 4) for _ in range(100)]
    sma = orjson.dumps({"prices": prices, "period": 10})
    return [Scenario("bare FastAPI GET /const", "GET", "/const", bare=True),
            Scenario("GET /health", "GET", "/health"),
            Scenario("POST /api/compute/sma (100 prices)", "POST", "/api/compute/sma", sma),
            Scenario("GET /api/alerts?limit=50", "GET", "/api/alerts?limit=50"),
            Scenario("GET /api/market/TCS/ohlcv (1 year)", "GET", OHLCV_PATH)]


# -- the anchor ------------------------------------------------------------------------------

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
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(port)])
    try:
        wait_ok(f"http://127.0.0.1:{port}/const", process, 30)
        yield port, psutil.Process(process.pid)
    finally:
        stop_process(process)


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


def _rss(proc: psutil.Process | None) -> str:
    if proc is None:
        return "unknown"
    sizes = rss_mib(tree(proc))
    return (" + ".join(f"{size:.0f}" for size in sizes) + " MiB (server process + workers)"
            if sizes else "gone")


async def _bench(args: argparse.Namespace, target: Target, bare_port: int,
                 gateway: psutil.Process | None, bare_proc: psutil.Process,
                 log: Callable[[str], None]) -> None:
    scenarios = _scenarios()
    bare_target = Target("127.0.0.1", bare_port, target.api_key)
    runs: dict[str, list[Run]] = {s.label: [] for s in scenarios}
    for round_ in range(1, args.repeats + 1):
        for scenario in scenarios:
            where, server = (bare_target, bare_proc) if scenario.bare else (target, gateway)
            run = await load(where, scenario, connections=args.connections,
                             warmup=args.warmup, duration=args.duration, client=args.client,
                             servers=[server] if server else [])
            runs[scenario.label].append(run)
            log(f"  round {round_}: {scenario.label:<36} {run.rps:>9,.0f} req/s  p95 "
                f"{run.pct_ms(95):7.2f} ms  errors {run.errors}")
    compare = None
    if not args.no_client_compare:
        other: ClientKind = "httpx" if args.client == "raw" else "raw"
        compare = (other, await load(bare_target, scenarios[0], connections=args.connections,
                                     warmup=args.warmup, duration=args.duration, client=other,
                                     servers=[bare_proc]))
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
        if not args.gateway_url:
            system.notes.append(seed_alerts(system.url, system.api_key))
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
