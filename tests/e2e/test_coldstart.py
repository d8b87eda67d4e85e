"""Cold start and memory as a user meets them: a system started on a stale kernel cache says
``warming`` on /health until its services have compiled what they need (in a child
process), then serves the first request of every kind from the cache without compiling a
single kernel, and a model training leaves nothing of LightGBM in the compute process.

The system runs on its own ``NUMBA_CACHE_DIR``: a copy of the project's cache (which
``make test`` fills with ``chitti warm``) without the news models' kernels and without the
warm stamp, as after an upgrade that changed them. How fast first requests are is measured
in ``bench/coldstart.py``, not here.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.harness import System, free_port, service_pid
from tests.helpers import REPO_ROOT, private_tmp_dir

PACKAGE = REPO_ROOT / "src" / "chitti"
DEMO = ["TCS", "INFY", "HDFCBANK", "ITC", "RELIANCE", "SBIN"]


def _copy_cache(target: Path, *, leave_out: str) -> None:
    """The project's compiled kernels laid out as Numba lays out ``NUMBA_CACHE_DIR``
    (``<dir name>_<sha1 of the source dir>``), without those of ``leave_out`` files."""
    for pycache in PACKAGE.rglob("__pycache__"):
        source_dir = pycache.parent
        files = [f for f in pycache.iterdir() if f.suffix in (".nbi", ".nbc")
                 and not f.name.startswith(leave_out)]
        if not files:
            continue
        sub = target / f"{source_dir.name}_{hashlib.sha1(str(source_dir).encode()).hexdigest()}"
        sub.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copy2(f, sub / f.name)


@pytest.fixture(scope="module")
def warming() -> Iterator[tuple[System, list[tuple[int, dict[str, Any]]]]]:
    """A system started on a cache missing the news kernels, and every /health reply seen
    until it answered 200."""
    with private_tmp_dir("chitti-e2e-cold-") as base:
        _copy_cache(base / "numba", leave_out="_model.")
        system = System(base / "var", free_port(), base / "system.log",
                        extra_env={"NUMBA_CACHE_DIR": str(base / "numba")})
        seen: list[tuple[int, dict[str, Any]]] = []
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                try:
                    reply = httpx.get(system.url + "/health", timeout=2)
                    seen.append((reply.status_code, reply.json()))
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            system.start()
        finally:
            done.set()
            watcher.join()
        try:
            yield system, seen
        finally:
            if system.process and system.process.poll() is None:
                system.stop()


def test_health_says_warming_until_the_kernels_are_compiled(
        warming: tuple[System, list[tuple[int, dict[str, Any]]]]) -> None:
    system, seen = warming
    warm = [body for code, body in seen if body.get("status") == "warming"]
    assert warm, [(code, body.get("status")) for code, body in seen]
    assert all(code == 503 for code, body in seen if body.get("status") == "warming")
    news = warm[0]["services"]["news-nlp"]
    assert news["status"] == "warming" and news["detail"]["warming"] == ["news"]
    assert "news kernels" in news["error"]
    final = system.http.get("/health").json()
    assert final["status"] == "ok"
    assert "warming" not in final["services"]["news-nlp"]["detail"]
    assert "kernels warmed" in system.log()


def _job(system: System, path: str, body: dict[str, Any]) -> dict[str, Any]:
    queued = system.http.post(path, json=body, timeout=60)
    assert queued.status_code == 202, queued.text
    deadline = time.monotonic() + 600
    while True:
        job = system.http.get(f"/api/jobs/{queued.json()['id']}").json()
        if job["state"] not in ("queued", "running"):
            assert job["state"] == "done", (job, system.log_tail())
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_first_requests_of_every_kind_compile_nothing(
        warming: tuple[System, list[tuple[int, dict[str, Any]]]]) -> None:
    system, _ = warming
    http = system.client(system.admin_key, timeout=300)
    replies = [
        http.post("/api/compute/indicator", json={"name": "rsi", "symbol": "TCS",
                                                  "start": "2019-01-01"}),
        http.post("/api/compute/indicator", json={"name": "mama", "inputs": {
            "close": [100.0 + (i % 7) for i in range(200)]}}),
        http.post("/api/compute/sma", json={"prices": [1, 2, 3, 4, 5], "period": 2}),
        http.post("/api/compute/batch", json={"symbols": DEMO, "start": "2016-01-01",
                                              "indicators": [{"name": "macd"},
                                                             {"name": "cdlengulfing"},
                                                             {"name": "supertrend"}]}),
        http.post("/api/backtest", json={"strategy": "supertrend", "symbols": ["TCS"],
                                         "start": "2010-01-01"}),
        http.post("/api/backtest", json={"strategy": "rsi_mean_reversion",
                                         "symbols": DEMO[:3], "start": "2012-01-01"}),
        http.post("/api/backtest", json={"strategy": "sma_crossover", "symbols": ["TCS"],
                                         "interval": "15m", "start": "2024-01-01"}),
        http.post("/api/signals/generate", json={"symbol": "INFY", "start": "2015-01-01",
                                                 "store": False}),
        http.post("/api/signals/screen", json={"index": "NIFTY 50", "definition": {
            "indicators": {"adx": {"fn": "adx", "params": {}}},
            "condition": {"op": "gt", "left": "adx", "right": 25}}}),
        http.post("/api/features", json={"symbols": DEMO, "start": "2021-01-01"}),
        http.post("/api/portfolio/optimize", json={"symbols": DEMO}),
        http.post("/api/risk", json={"weights": {"TCS": 0.5, "INFY": 0.5}}),
        http.post("/api/nlp/sentiment", json={"texts": ["Infosys profit beats estimates"],
                                               "targets": ["Infosys"]}),
    ]
    for reply in replies:
        assert reply.status_code == 200, reply.text
    _job(system, "/api/backtest/sweep", {"strategy": "sma_crossover", "symbol": "TCS",
                                         "grid": {"fast": [5, 10], "slow": [50, 100]}})
    services = http.get("/health").json()["services"]
    compiled = {name: s["detail"]["kernels_compiled"] for name, s in services.items()}
    assert compiled == {"compute": 0, "news-nlp": 0, "signal-service": 0}, system.log_tail()


def test_training_leaves_no_lightgbm_in_the_compute_process(
        warming: tuple[System, list[tuple[int, dict[str, Any]]]]) -> None:
    system, _ = warming
    job = _job(system, "/api/ml/train", {"name": "cold_model", "symbols": DEMO,
                                         "start": "2012-01-01", "folds": 2, "news": False,
                                         "params": {"num_iterations": 20}})
    assert job["result"]["model"]["name"] == "cold_model"
    predicted = system.http.post("/api/ml/predict", json={"model": "cold_model",
                                                          "symbols": ["TCS"]})
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["predictions"]
    maps = Path(f"/proc/{service_pid(system, 'compute')}/maps").read_text()
    assert "lightgbm" not in maps and "sklearn" not in maps
