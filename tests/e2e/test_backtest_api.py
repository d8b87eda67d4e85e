"""Backtests through the HTTP API: the service result equals an in-process run on the same
bars, is stored and fetched by id; bad specs, unknown symbols and oversized sweeps are 4xx."""

from __future__ import annotations

import time
from typing import Any

import httpx
import numpy as np
import pytest
from tests.e2e.harness import System
from tests.helpers import demo_rows

from chitti.compute.backtest import EXAMPLE_STRATEGIES, Bars, run_backtest

TIMEOUT_S = 300  # a fresh clone compiles the engine's kernels on the first call


def demo_bars(symbol: str, start: str, end: str, *, adjust: bool = False) -> Bars:
    """The demo file's bars up to ``end``, every bar before ``start`` a warm-up bar (as the
    service reads them); with ``adjust``, back-adjusted by hand (tests.helpers.demo_rows)."""
    rows = demo_rows(symbol, adjust=adjust)
    rows = rows[rows.Date <= end]
    return Bars(ts=rows.Date.to_numpy(dtype="datetime64[D]"), open=rows.Open.to_numpy(),
                high=rows.High.to_numpy(), low=rows.Low.to_numpy(), close=rows.Close.to_numpy(),
                volume=rows.Volume.to_numpy(dtype=float), symbol=symbol,
                warmup=int((rows.Date < start).sum()))


def post(system: System, path: str, body: dict[str, object]) -> httpx.Response:
    return system.http.post(path, json=body, timeout=TIMEOUT_S)


def run_job(system: System, path: str, body: dict[str, object]) -> dict[str, Any]:
    """Queue a sweep or walk-forward, wait for it, and return its result."""
    queued = post(system, path, body)
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert queued.headers["location"] == f"/api/jobs/{job['id']}"
    deadline = time.monotonic() + TIMEOUT_S
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = system.http.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "done" and job["progress"] == 1, job
    return job["result"]  # type: ignore[no-any-return]


def test_backtest_equals_an_in_process_run_and_is_stored(system: System) -> None:
    body = {"strategy": "sma_crossover", "symbols": ["TCS"], "params": {"fast": 10, "slow": 50},
            "start": "2010-01-01", "end": "2019-12-31", "benchmark": None,
            "config": {"costs": "nse_delivery_discount"}}
    # Adjusted by default: TCS's 1:1 bonuses (2006, 2009, 2018) are taken out of the prices,
    # and the indicators are warmed up on every bar before 2010.
    adjusted = post(system, "/api/backtest", body).json()
    local_adjusted = run_backtest(
        demo_bars("TCS", "2010-01-01", "2019-12-31", adjust=True),
        EXAMPLE_STRATEGIES["sma_crossover"], params={"fast": 10, "slow": 50},
        config={"costs": "nse_delivery_discount"}).to_dict()
    assert adjusted["adjust"] == "split"
    # (halving and doubling are exact in binary floating point: equal to the last bit)
    assert adjusted["trades"] == local_adjusted["trades"]
    assert adjusted["metrics"] == local_adjusted["metrics"]
    reply = post(system, "/api/backtest", {**body, "adjust": "none"})
    assert reply.status_code == 200, reply.text
    served = reply.json()
    local = run_backtest(demo_bars("TCS", "2010-01-01", "2019-12-31"),
                         EXAMPLE_STRATEGIES["sma_crossover"], params={"fast": 10, "slow": 50},
                         config={"costs": "nse_delivery_discount"}).to_dict()
    assert served["adjust"] == "none" and served["metrics"] != adjusted["metrics"]
    assert served["trades"] == local["trades"] and len(local["trades"]) > 10
    assert served["metrics"] == local["metrics"]
    assert served["equity_curve"] == local["equity_curve"]
    stored = system.http.get(f"/api/backtest/results/{served['id']}").json()
    assert stored["metrics"] == local["metrics"] and stored["trades"] == local["trades"]
    assert stored["symbols"] == ["TCS"] and stored["start_date"] == "2010-01-01"


def test_portfolio_with_benchmark(system: System) -> None:
    served = post(system, "/api/backtest", {
        "strategy": "rsi_mean_reversion", "symbols": ["TCS", "INFY", "SBIN"],
        "start": "2012-01-01", "end": "2019-11-29",
        "config": {"sizing": "percent_equity", "size": 30}}).json()
    assert served["symbols"] == ["TCS", "INFY", "SBIN"]
    assert {t["symbol"] for t in served["trades"]} <= {"TCS", "INFY", "SBIN"}
    assert served["metrics"]["benchmark_return_pct"] is not None
    assert served["metrics"]["beta"] is not None


def test_strategies_are_listed(system: System) -> None:
    body = system.http.get("/api/strategies").json()
    assert {s["name"] for s in body["strategies"]} == set(EXAMPLE_STRATEGIES)
    assert "nse_intraday_discount" in body["cost_profiles"]


def test_sweep_finds_the_best_of_the_grid(system: System) -> None:
    body = {"strategy": "sma_crossover", "symbol": "INFY", "start": "2005-01-01",
            "end": "2015-12-31", "grid": {"fast": [5, 10, 20], "slow": [50, 100, 200]},
            "constraints": ["fast < slow"], "metric": "total_return_pct"}
    served = run_job(system, "/api/backtest/sweep", body)
    bars = demo_bars("INFY", "2005-01-01", "2015-12-31", adjust=True)
    returns = {(f, s): run_backtest(bars, EXAMPLE_STRATEGIES["sma_crossover"],
                                    params={"fast": f, "slow": s}).metrics["total_return_pct"]
               for f in (5, 10, 20) for s in (50, 100, 200)}
    best = max(returns, key=lambda k: returns[k])  # type: ignore[arg-type,return-value]
    assert served["combination_count"] == 9
    assert served["best"]["params"] == {"fast": best[0], "slow": best[1]}
    assert served["best"]["metrics"]["total_return_pct"] == pytest.approx(returns[best],
                                                                          rel=1e-9)


def test_walk_forward_stitches_out_of_sample_windows(system: System) -> None:
    served = run_job(system, "/api/backtest/walk-forward", {
        "strategy": "sma_crossover", "symbol": "SBIN", "start": "2008-01-01",
        "end": "2016-12-31", "grid": {"fast": [5, 10], "slow": [50, 100]},
        "in_sample_bars": 500, "out_of_sample_bars": 250})
    assert len(served["windows"]) >= 4
    ts = served["equity_curve"]["ts"]
    assert ts == sorted(ts) and len(ts) == len(set(ts))
    assert np.isfinite(np.array(served["equity_curve"]["equity_inr"], dtype=float)).all()


@pytest.mark.parametrize(
    ("path", "body", "status", "fragment"),
    [
        ("/api/backtest", {"strategy": "sma_crossover", "symbols": ["NOSUCH"]}, 404, "NOSUCH"),
        ("/api/backtest", {"strategy": "moon_phase", "symbols": ["TCS"]}, 400, "moon_phase"),
        ("/api/backtest", {"strategy": {"name": "bad", "entry_long": {
            "op": "cross_above", "left": "nosuch", "right": "close"}}, "symbols": ["TCS"]},
         400, "entry_long"),
        ("/api/backtest", {"strategy": "sma_crossover", "symbols": ["TCS"],
                           "config": {"fill": "yesterday"}}, 400, "fill"),
        ("/api/backtest/sweep", {"strategy": "sma_crossover", "symbol": "TCS", "grid": {
            "fast": list(range(1, 500)), "slow": list(range(1, 500))}}, 400, "limit"),
        ("/api/backtest/sweep", {"strategy": "sma_crossover", "symbol": "TCS",
                                 "grid": {"fast": [5]}, "metric": "luck"}, 400, "luck"),
        ("/api/backtest/walk-forward", {"strategy": "sma_crossover", "symbol": "NOSUCH",
                                        "grid": {"fast": [5]}, "in_sample_bars": 100,
                                        "out_of_sample_bars": 50}, 404, "NOSUCH"),
    ],
)
def test_bad_backtest_requests(system: System, path: str, body: dict[str, object],
                               status: int, fragment: str) -> None:
    reply = post(system, path, body)
    assert reply.status_code == status, reply.text
    assert fragment in reply.json()["error"]["message"]


def test_unknown_backtest_id_is_404(system: System) -> None:
    assert system.http.get("/api/backtest/results/987654").status_code == 404


def test_a_benchmark_that_ends_early_is_reported(system: System) -> None:
    served = post(system, "/api/backtest", {
        "strategy": "sma_crossover", "symbols": ["RELIANCE"], "start": "2010-01-01",
        "end": "2020-12-31"}).json()
    # the demo NIFTY 50 series ends 2019-12-02; RELIANCE runs to the end of 2020
    assert served["warnings"] == [
        "benchmark NIFTY 50: bars end on 2019-12-02, before the requested end 2020-12-31"]
    clean = post(system, "/api/backtest", {
        "strategy": "sma_crossover", "symbols": ["RELIANCE"], "start": "2010-01-01",
        "end": "2019-11-29"}).json()
    assert clean["warnings"] == []
