"""Service-level speed, measured through the HTTP gateway of a real running system.

* ``POST /api/compute/batch``: 10 indicators x 50 symbols x 5 years read from the database
  (target: < 1 s);
* ``POST /api/signals/generate``: every alert rule over 10 years of one symbol (target:
  < 50 ms).

The system is started with its own embedded PostgreSQL in a temporary directory and loaded
with the NIFTY 50 history from ``../shared/data/market`` (developers' checkout), or, where
that is missing, with the shipped demo symbols copied under new names to reach 50 symbols
(same data volume; stated in the output).

Run: ``.venv/bin/python bench/services.py`` (``make bench`` runs every bench).
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _load import wait_ok

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared" / "data" / "market" / "daily"
          / "nifty50_stocks_daily_2000_2021.csv.gz")
DEMO = REPO / "data" / "demo" / "nifty_sample_daily_2000_2021.csv.gz"
INDICATORS = [{"name": "sma", "params": {"timeperiod": 50}}, {"name": "ema", "params": {}},
              {"name": "rsi"}, {"name": "macd"}, {"name": "bbands"}, {"name": "atr"},
              {"name": "adx"}, {"name": "stoch"}, {"name": "obv"}, {"name": "cci"}]
REPEATS = 15


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _data_file(tmp: Path) -> tuple[Path, str]:
    if SHARED.exists():
        return SHARED, "NIFTY 50 history from ../shared (49 symbols)"
    lines = gzip.decompress(DEMO.read_bytes()).decode().splitlines()
    header, rows = lines[0], lines[1:]
    out = [header]
    for copy in range(5):  # 10 demo symbols x 5 copies = 50 symbols
        for row in rows:
            date, symbol, rest = row.split(",", 2)
            out.append(f"{date},{symbol}{'' if copy == 0 else f'_{copy}'},{rest}")
    path = tmp / "fifty.csv"
    path.write_text("\n".join(out) + "\n")
    return path, "demo data: 10 symbols copied 5x under new names (no ../shared here)"


def _median_ms(call: object, repeats: int = REPEATS) -> tuple[float, float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), min(timings)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="chitti-bench-"))
    port = _free_port()
    env = {**os.environ, "CHITTI_VAR_DIR": str(tmp / "var"), "CHITTI_GATEWAY_PORT": str(port),
           "CHITTI_NEWS_POLL": "false"}
    env.pop("CHITTI_DATABASE_URL", None)
    system = subprocess.Popen([sys.executable, "-m", "chitti.cli", "up"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ok(url + "/health", system, 180)
        data, what = _data_file(tmp)
        admin = f"postgresql://postgres@/chitti?host={tmp / 'var' / 'pgdata'}"
        subprocess.run([sys.executable, "-m", "chitti.cli", "load-market", "--quiet", str(data)],
                       env={**env, "CHITTI_DATABASE_URL": admin}, check=True,
                       stdout=subprocess.DEVNULL)
        names = _symbols_in(data)[:50]
        with httpx.Client(base_url=url, timeout=600) as http:
            batch = {"symbols": names, "start": "2016-05-01", "end": "2021-04-30",
                     "indicators": INDICATORS}
            warm = http.post("/api/compute/batch", json=batch)  # compiles kernels if cold
            warm.raise_for_status()
            bars = sum(len(r["ts"]) for r in warm.json()["results"].values())
            batch_ms = _median_ms(lambda: http.post("/api/compute/batch", json=batch)
                                  .raise_for_status())
            generate = {"symbol": "RELIANCE", "start": "2011-05-01", "end": "2021-04-30",
                        "store": False}
            http.post("/api/signals/generate", json=generate).raise_for_status()
            gen_ms = _median_ms(lambda: http.post("/api/signals/generate", json=generate)
                                .raise_for_status(), repeats=40)
        print(f"data: {what}")
        print(f"{'case':<58} {'median ms':>10} {'best ms':>9} {'target':>8}")
        print(f"{f'compute/batch: 10 indicators x {len(names)} symbols x 5y ({bars} bars)':<58}"
              f" {batch_ms[0]:>10.1f} {batch_ms[1]:>9.1f} {'< 1000':>8}")
        print(f"{'signals/generate: all rules, RELIANCE, 10 years':<58}"
              f" {gen_ms[0]:>10.1f} {gen_ms[1]:>9.1f} {'< 50':>8}")
        ok = batch_ms[0] < 1000 and gen_ms[0] < 50
        print("acceptance:", "PASS" if ok else "FAIL")
        return 0
    finally:
        system.send_signal(signal.SIGINT)
        try:
            system.wait(timeout=60)
        except subprocess.TimeoutExpired:
            system.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def _symbols_in(path: Path) -> list[str]:
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()
    return sorted({line.split(",")[1] for line in text.splitlines()[1:] if line})


if __name__ == "__main__":
    sys.exit(main())
