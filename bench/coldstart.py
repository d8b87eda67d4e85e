"""Cold start: how long a user's first request of each kind waits on a fresh clone.

A fresh clone has no compiled Numba kernels (numba's on-disk cache is keyed on each source
file's content, so a new checkout or an edited kernel starts empty). Before ``chitti warm``
the first request of each kind compiled its kernels on the spot: 13 s for a first backtest,
30 s (a 504) for a first ``compute/batch``, 41 s for a first feature panel, 62 s for a first
``signals/generate`` on this 2-core machine. This bench simulates a fresh clone with an
empty ``NUMBA_CACHE_DIR`` in a temporary directory (numba then keeps its cache only there)
and runs the system twice, side by side:

* ``cold``: ``chitti up --demo`` straight away, as after a ``pip install`` without
  ``make``: the services find their kernels missing, compile them in child processes and
  ``/health`` says ``warming`` (503) until they are done;
* ``warmed``: ``chitti warm`` first (what ``make run``, ``make test`` and the container
  image do at install), then the same start.

Each run waits for ``/health`` 200, then times the first request of each hot kind and a
second one of the same kind (the anchor: the ratio is what the first one still pays), and
reads every process's resident memory (RSS) after start, after that mix, and after a model
training and a prediction. Target: every first request within 2 s of ``/health`` being ok.

Run: ``.venv/bin/python bench/coldstart.py [--only cold|warmed] [--numba-cache DIR]``
(10-20 minutes on 2 cores: both runs compile every kernel once; ``--numba-cache`` reuses a
filled cache, a few minutes).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
from _load import free_port, stop_process, wait_ok

TARGET_S = 2.0
SERVICES = ("compute", "signal-service", "news-nlp", "gateway")
DEMO = ["TCS", "INFY", "HDFCBANK", "ITC", "RELIANCE", "SBIN"]
INDICATORS = [{"name": "sma", "params": {"timeperiod": 50}}, {"name": "ema"},
              {"name": "rsi"}, {"name": "macd"}, {"name": "bbands"}, {"name": "atr"},
              {"name": "adx"}, {"name": "stoch"}, {"name": "obv"}, {"name": "cci"}]
SCREEN_RULE = {
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}},
                   "sma50": {"fn": "sma", "params": {"timeperiod": 50}}},
    "condition": {"op": "and", "args": [{"op": "lt", "left": "rsi", "right": 50},
                                        {"op": "gt", "left": "close", "right": "sma50"}]},
}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _pids(var: Path) -> dict[str, int]:
    state = orjson.loads((var / "run" / "supervisor.json").read_bytes())
    return {name: int(child["pid"]) for name, child in state["children"].items()
            if child.get("pid")}


def _job(http: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    """Queue a job and wait for its end; the reply of GET /api/jobs/{id} at the end."""
    queued = http.post(path, json=body)
    queued.raise_for_status()
    job_id = queued.json()["id"]
    while True:
        reply = http.get(f"/api/jobs/{job_id}")
        if reply.json()["state"] not in ("queued", "running"):
            if reply.json()["state"] != "done":
                raise RuntimeError(f"{path}: job ended {reply.json()}")
            return reply
        time.sleep(0.02)


def _requests() -> list[tuple[str, Callable[[httpx.Client], httpx.Response]]]:
    """The hot kinds of request a user's first minutes send (two variants of each where the
    second must not reuse the first's kernels: a new indicator, another strategy)."""
    return [
        ("ohlcv", lambda h: h.get("/api/market/TCS/ohlcv", params={"start": "2020-01-01"})),
        ("quotes", lambda h: h.get("/api/market/quotes", params={"symbols": DEMO})),
        ("indicator", lambda h: h.post("/api/compute/indicator", json={
            "name": "rsi", "symbol": "TCS", "start": "2019-01-01"})),
        ("indicator (another)", lambda h: h.post("/api/compute/indicator", json={
            "name": "mama", "symbol": "INFY", "start": "2019-01-01"})),
        ("batch", lambda h: h.post("/api/compute/batch", json={
            "symbols": DEMO, "start": "2016-01-01", "indicators": INDICATORS})),
        ("backtest", lambda h: h.post("/api/backtest", json={
            "strategy": "sma_crossover", "symbols": ["TCS"], "start": "2010-01-01"})),
        ("backtest portfolio", lambda h: h.post("/api/backtest", json={
            "strategy": "rsi_mean_reversion", "symbols": DEMO[:3], "start": "2012-01-01"})),
        ("sweep (job)", lambda h: _job(h, "/api/backtest/sweep", {
            "strategy": "sma_crossover", "symbol": "TCS", "start": "2012-01-01",
            "grid": {"fast": [5, 10, 20], "slow": [50, 100, 200]},
            "constraints": ["fast < slow"], "table": False})),
        ("signals generate", lambda h: h.post("/api/signals/generate", json={
            "symbol": "TCS", "start": "2015-01-01", "store": False})),
        ("signals screen", lambda h: h.post("/api/signals/screen", json={
            "definition": SCREEN_RULE, "index": "NIFTY 50"})),
        ("features", lambda h: h.post("/api/features", json={
            "symbols": DEMO, "start": "2021-01-01", "news": False})),
        ("portfolio optimize", lambda h: h.post("/api/portfolio/optimize", json={
            "symbols": DEMO, "method": "max_sharpe"})),
        ("risk", lambda h: h.post("/api/risk", json={
            "weights": {"TCS": 0.5, "INFY": 0.5}, "value_inr": 1_000_000})),
        ("nlp sentiment", lambda h: h.post("/api/nlp/sentiment", json={
            "texts": ["TCS shares jump 5% after strong quarterly results"],
            "targets": ["TCS"]})),
        ("nlp entities", lambda h: h.post("/api/nlp/entities", json={
            "text": "Infosys and Reliance Industries lead the Sensex higher"})),
        ("news", lambda h: h.get("/api/news", params={"limit": 20})),
        ("alerts", lambda h: h.get("/api/alerts", params={"limit": 20})),
    ]


def _extras() -> list[tuple[str, Callable[[httpx.Client], httpx.Response]]]:
    """Research work beyond the first minutes: a model trained (a job) and its predictions.
    Timed and measured for memory, not held to the 2 s target (training takes longer)."""
    return [
        ("ml train (job)", lambda h: _job(h, "/api/ml/train", {
            "name": "coldstart", "symbols": DEMO, "start": "2012-01-01", "folds": 2,
            "params": {"num_iterations": 30}, "news": False})),
        ("ml predict", lambda h: h.post("/api/ml/predict", json={
            "model": "coldstart", "symbols": DEMO[:2]})),
    ]


def _timed(http: httpx.Client, call: Callable[[httpx.Client], httpx.Response]
           ) -> tuple[float, int]:
    started = time.perf_counter()
    reply = call(http)
    return time.perf_counter() - started, reply.status_code


def run_system(label: str, tmp: Path, env: dict[str, str]) -> dict[str, Any]:
    """Start the system, time each first request, read RSS; return the figures."""
    var, port = tmp / f"var-{label}", free_port()
    password = secrets.token_urlsafe(16)
    env = {**env, "CHITTI_VAR_DIR": str(var), "CHITTI_GATEWAY_PORT": str(port),
           "CHITTI_NEWS_POLL": "false", "CHITTI_EOD_UPDATE_AT": "off",
           "CHITTI_ADMIN_PASSWORD": password, "CHITTI_RATE_LIMIT_BACKTEST_PER_MIN": "1000"}
    log = (tmp / f"{label}.log").open("wb")
    started = time.monotonic()
    system = subprocess.Popen([sys.executable, "-m", "chitti.cli", "up", "--demo"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {"label": label, "first": {}, "second": {}}
    try:
        wait_ok(url + "/health", system, 600, tmp / f"{label}.log")
        out["health_s"] = time.monotonic() - started
        pids = _pids(var)
        time.sleep(1.0)  # let start-up work settle before reading memory
        out["rss_start"] = {name: _rss_mb(pid) for name, pid in pids.items()}
        token = httpx.post(url + "/api/auth/token",
                           data={"username": "admin", "password": password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
            for name, call in _requests():
                out["first"][name] = _timed(http, call)
            for name, call in _requests():
                out["second"][name] = _timed(http, call)
            out["rss_used"] = {name: _rss_mb(pid) for name, pid in pids.items()}
            out["extras"] = {name: _timed(http, call) for name, call in _extras()}
        out["rss_extras"] = {name: _rss_mb(pid) for name, pid in pids.items()}
        return out
    finally:
        stop_process(system)
        log.close()


def _report(runs: list[dict[str, Any]]) -> bool:
    ok = True
    names = [name for name, _ in _requests()]
    head = "".join(f"{r['label'] + ' first s':>18}{'2nd s':>8}{'ratio':>7}" for r in runs)
    print(f"\n{'request':<22}{head}")
    for name in names:
        row = f"{name:<22}"
        for run in runs:
            (first, status), (second, _) = run["first"][name], run["second"][name]
            row += f"{first:>18.2f}{second:>8.2f}{first / max(second, 1e-6):>7.1f}"
            if status >= 400:
                row += f" HTTP {status}"
            if run["label"] == "warmed" and (first > TARGET_S or status >= 400):
                ok = False
        print(row)
    for run in runs:
        worst = max(v[0] for v in run["first"].values())
        total = sum(v[0] for v in run["first"].values())
        print(f"{run['label']}: /health 200 after {run['health_s']:.1f} s; first requests: "
              f"slowest {worst:.2f} s, sum {total:.1f} s"
              + (f"; chitti warm took {run['warm_s']:.1f} s" if "warm_s" in run else ""))
    for run in runs:
        print(f"{run['label']}: " + ", ".join(
            f"{name} {seconds:.1f} s" + (f" (HTTP {status})" if status >= 400 else "")
            for name, (seconds, status) in run["extras"].items()))
    print(f"\n{'RSS MB':<16}" + "".join(
        f"{r['label'] + ' start':>16}{'after use':>11}{'+ train':>9}" for r in runs))
    for name in SERVICES:
        print(f"{name:<16}" + "".join(
            f"{r['rss_start'].get(name, float('nan')):>16.0f}"
            f"{r['rss_used'].get(name, float('nan')):>11.0f}"
            f"{r['rss_extras'].get(name, float('nan')):>9.0f}" for r in runs))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("cold", "warmed"), help="run one of the two")
    parser.add_argument("--numba-cache", type=Path,
                        help="use (and keep) this NUMBA_CACHE_DIR instead of an empty one: "
                             "e.g. a second run shows a start on a filled cache")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chitti-coldstart-"))
    base = {**os.environ}
    base.pop("CHITTI_DATABASE_URL", None)
    runs = []
    try:
        for label in ("cold", "warmed"):
            if args.only not in (None, label):
                continue
            cache = args.numba_cache or tmp / f"numba-{label}"
            env = {**base, "NUMBA_CACHE_DIR": str(cache)}
            warm_s = None
            if label == "warmed":
                started = time.monotonic()
                subprocess.run([sys.executable, "-m", "chitti.cli", "warm", "--quiet"],
                               env=env, check=True)
                warm_s = time.monotonic() - started
            run = run_system(label, tmp, env)
            if warm_s is not None:
                run["warm_s"] = warm_s
            runs.append(run)
        ok = _report(runs)
        firsts = [v[0] for r in runs if r["label"] == "warmed" for v in r["first"].values()]
        if firsts:
            print(f"warmed: median first request {statistics.median(firsts):.2f} s; "
                  f"acceptance (every first request < {TARGET_S} s):",
                  "PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
