"""chitti.compute.cluster on a real Dask cluster started here (a scheduler and two worker
processes on loopback).

Sweeps, walk-forwards, feature builds and training folds give bit for bit the result of the
in-process run, and their tasks really ran in the worker processes. A worker killed in the
middle of a task is replaced and the task rerun; a task that kills every worker it meets, a
cluster without workers and an unreachable scheduler fail with Unavailable within bounded
time. The compute service's sweep and the research service's feature build read
CHITTI_CLUSTER and answer what they answer without it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from hypothesis import given
from hypothesis import strategies as st

from chitti.compute import cluster
from chitti.compute.backtest import EXAMPLE_STRATEGIES, Bars, sweep, walk_forward
from chitti.compute.features import compute_features
from chitti.compute.ml import train
from chitti.config import Settings
from chitti.errors import BadRequest, Unavailable
from chitti.marketdata.panel import PricePanel

pytestmark = pytest.mark.timeout(180)

# The fault tasks below are defined here, not in the package: the workers get them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

SPEC = EXAMPLE_STRATEGIES["sma_crossover"]
GRID = {"fast": list(range(3, 40)), "slow": list(range(10, 90, 2))}


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Exact equality, NaN and the sign of zero included."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def random_bars(n: int, seed: int) -> Bars:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0002, 0.015, n)))
    op = close * np.exp(rng.normal(0, 0.004, n))
    return Bars(ts=np.datetime64("2012-01-02") + np.arange(n), open=op,
                high=np.maximum(op, close) * 1.004, low=np.minimum(op, close) * 0.996,
                close=close, volume=rng.lognormal(12, 0.5, n).round(), symbol=f"R{seed}")


def random_panel(n_dates: int, n_sym: int, seed: int) -> PricePanel:
    """Random walks with 3 % missing bars, one symbol listed late (so symbols have different
    numbers of bars) and holes in the benchmark."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.02, (n_dates, n_sym)), axis=0))
    op = close * np.exp(rng.normal(0, 0.006, close.shape))
    hi = np.maximum(op, close) * np.exp(np.abs(rng.normal(0, 0.01, close.shape)))
    lo = np.minimum(op, close) * np.exp(-np.abs(rng.normal(0, 0.01, close.shape)))
    vol = rng.lognormal(12, 0.6, close.shape).round()
    miss = rng.random(close.shape) < 0.03
    miss[: n_dates // 3, -1] = True
    for a in (op, hi, lo, close, vol):
        a[miss] = np.nan
    bench = 1000.0 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n_dates)))
    bench[rng.random(n_dates) < 0.03] = np.nan
    return PricePanel(dates=np.datetime64("2016-01-01") + np.arange(n_dates),
                      symbols=tuple(f"S{j}" for j in range(n_sym)), open=op, high=hi, low=lo,
                      close=close, volume=vol, benchmark=bench,
                      sectors=tuple(f"SEC{j % 3}" for j in range(n_sym)))


@pytest.fixture(scope="module")
def executor() -> Iterator[cluster.DaskExecutor]:
    """CHITTI_CLUSTER=local:2: a scheduler here and two worker processes of one task slot
    each; a task may kill one worker and be rerun once, not twice. Dask sets a few thread
    variables in the environment of the process that starts workers: they are restored."""
    environ = dict(os.environ)
    ex = cluster.DaskExecutor("local:2", stall_timeout_s=20, timeout_s=150)
    started = time.monotonic()
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        assert ex.workers == 2
    assert time.monotonic() - started < 60, "the cluster took over a minute to start"
    yield ex
    ex.close()
    os.environ.clear()
    os.environ.update(environ)


@pytest.fixture(scope="module")
def scheduler(executor: cluster.DaskExecutor) -> str:
    """The cluster's scheduler, as CHITTI_CLUSTER=tcp://... names one."""
    address = executor.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    return address


def tasks_run(scheduler: str, fn: Callable[[], object], prefix: str) -> tuple[Any, set[str]]:
    """``fn()``, and the workers that ran tasks whose key starts with ``chitti-<prefix>``."""
    with Client(scheduler, set_as_default=False) as watcher, \
            get_task_stream(client=watcher) as stream:
        out = fn()
    seen = {t["worker"] for t in stream.data if str(t["key"]).startswith(f"chitti-{prefix}")}
    return out, seen


@given(n=st.integers(0, 500), parts=st.integers(1, 40))
def test_split_covers_the_range_in_order_with_sizes_one_apart(n: int, parts: int) -> None:
    cut = cluster.split(n, parts)
    assert [i for s in cut for i in range(n)[s]] == list(range(n))
    sizes = [s.stop - s.start for s in cut]
    assert len(cut) == max(1, min(parts, n)) and max(sizes) - min(sizes) <= 1
    assert n == 0 or min(sizes) >= 1


def test_the_setting_picks_the_executor_and_refuses_unknown_engines(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(cluster.executor(None), cluster.LocalExecutor)
    assert isinstance(cluster.executor("tcp://10.0.0.9:8786"), cluster.DaskExecutor)
    monkeypatch.setenv("CHITTI_CLUSTER", "ray://head:10001")
    with pytest.raises(ValueError, match="cluster"):
        Settings()
    monkeypatch.setenv("CHITTI_CLUSTER", "local:2")
    assert Settings().cluster == "local:2"


def numba_threads(_: int) -> int:
    import numba

    return int(numba.get_num_threads())


def test_each_task_gets_its_share_of_the_cores(executor: cluster.DaskExecutor) -> None:
    # local:2: two worker processes share this machine's cores, one task at a time each
    share = max(1, (os.cpu_count() or 1) // 2)
    assert executor.map(numba_threads, [0, 1, 2, 3]) == [share] * 4


def test_a_sweep_on_two_workers_equals_the_sweep_in_process(
        scheduler: str, executor: cluster.DaskExecutor) -> None:
    bars = random_bars(700, seed=1)
    alone = sweep(bars, SPEC, GRID, constraints=["fast < slow"])
    spread, workers = tasks_run(scheduler, lambda: sweep(
        bars, SPEC, GRID, constraints=["fast < slow"], executor=executor), "_sweep_rows")
    assert same_bits(spread.metrics, alone.metrics) and same_bits(spread.params, alone.params)
    assert spread.best_index == alone.best_index and alone.metrics.shape[0] > 1000
    assert len(workers) == 2, workers


def test_a_walk_forward_on_two_workers_equals_the_one_in_process(
        scheduler: str, executor: cluster.DaskExecutor) -> None:
    bars = random_bars(900, seed=2)
    kwargs: dict[str, Any] = {"in_sample_bars": 300, "out_of_sample_bars": 100,
                              "constraints": ["fast < slow"]}
    alone = walk_forward(bars, SPEC, GRID, **kwargs)
    spread, workers = tasks_run(scheduler, lambda: walk_forward(
        bars, SPEC, GRID, executor=executor, **kwargs), "_window_best")
    assert json.dumps(spread.to_dict()) == json.dumps(alone.to_dict())
    assert same_bits(spread.equity, alone.equity) and len(alone.windows) == 6
    assert workers


def test_a_feature_build_on_two_workers_equals_the_one_in_process(
        scheduler: str, executor: cluster.DaskExecutor) -> None:
    panel = random_panel(320, 7, seed=3)
    alone = compute_features(panel)  # the whole catalogue: time series and cross-sections
    spread, workers = tasks_run(scheduler, lambda: compute_features(panel, executor=executor),
                                "_bar_chunk")
    assert spread.names == alone.names and spread.symbols == alone.symbols
    assert same_bits(spread.values, alone.values)
    assert np.isfinite(alone.values).mean() > 0.5 and len(workers) == 2, workers


def test_training_folds_on_two_workers_equal_the_ones_in_process(
        scheduler: str, executor: cluster.DaskExecutor) -> None:
    panel = random_panel(420, 8, seed=4)
    fp = compute_features(panel, names=["ret_5d", "ret_20d", "vol_20d", "rsi_14d",
                                        "volume_ratio_20d"])
    kwargs: dict[str, Any] = {
        "dates": fp.dates, "symbols": fp.symbols, "feature_names": fp.names,
        "horizon_days": 5, "n_folds": 4,
        "params": {"num_boost_round": 40, "num_leaves": 7, "min_data_in_leaf": 20}}
    values = np.ascontiguousarray(fp.values)
    alone = train(values, panel.close, **kwargs)
    spread, workers = tasks_run(scheduler, lambda: train(
        values, panel.close, executor=executor, **kwargs), "_fit_fold")
    assert same_bits(spread.oos_scores, alone.oos_scores)
    assert json.dumps(spread.to_dict()) == json.dumps(alone.to_dict())
    rows = values.reshape(-1, values.shape[-1])[:500]
    assert same_bits(spread.model.predict(rows), alone.model.predict(rows))
    assert np.isfinite(alone.oos_scores).sum() > 500 and workers


def test_an_error_raised_in_a_task_reaches_the_caller_unchanged(
        executor: cluster.DaskExecutor) -> None:
    bad = {"num_boost_round": 5, "num_leaves": -3}
    panel = random_panel(200, 4, seed=5)
    fp = compute_features(panel, names=["ret_5d", "vol_20d"])
    with pytest.raises(BadRequest, match="params: LightGBM refused"):
        train(np.ascontiguousarray(fp.values), panel.close, dates=fp.dates,
              symbols=fp.symbols, feature_names=fp.names, n_folds=2, params=bad,
              executor=executor)


async def test_the_services_read_chitti_cluster_and_answer_the_same(
        demo_db: str, scheduler: str) -> None:
    from chitti.compute.research_schemas import FeaturesRequest
    from chitti.compute.research_service import ResearchActions
    from chitti.compute.schemas import SweepRequest
    from chitti.compute.service import ComputeActions
    from chitti.runtime import service_context

    sweep_req = SweepRequest(symbol="INFY", strategy="sma_crossover", start="2010-01-01",
                             end="2014-12-31", grid={"fast": [5, 10, 15, 20],
                                                     "slow": [30, 50, 100, 150]})
    feats_req = FeaturesRequest(symbols=["TCS", "INFY", "SBIN"], start="2014-01-01",
                                end="2014-12-31", names=["ret_5d", "rsi_14d", "ret_20d_cs_rank"],
                                news=False)
    replies = []
    for where in (None, scheduler):
        async with service_context("compute", Settings(database_url=demo_db,
                                                       cluster=where)) as ctx:
            replies.append((await ComputeActions(ctx).sweep(sweep_req),
                            await ResearchActions(ctx).features(feats_req)))
    try:
        assert cluster.executor(scheduler).workers == 2  # the services used the cluster
    finally:
        cluster.executor(scheduler).close()
        cluster.executor.cache_clear()
    assert json.dumps(replies[1], default=str) == json.dumps(replies[0], default=str)
    assert replies[0][0]["combination_count"] == 16 and replies[0][1]["values"]


# -- faults: a worker dies, every worker dies, no worker, no scheduler -------------------


def die_once(x: int, marker: str) -> int:
    """Square ``x``; the first try at x == 2 kills its own worker process mid-task."""
    time.sleep(0.3)
    if x == 2 and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


def die_always(_: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def test_a_worker_killed_mid_task_is_replaced_and_the_task_rerun(
        scheduler: str, executor: cluster.DaskExecutor, tmp_path: Path) -> None:
    marker = tmp_path / "died"
    assert executor.map(die_once, list(range(6)), str(marker)) == [x * x for x in range(6)]
    dead = int(marker.read_text())
    with Client(scheduler, set_as_default=False) as watcher:
        watcher.wait_for_workers(2, timeout=30)
        live = set(watcher.run(os.getpid).values())
    assert dead != os.getpid() and dead not in live and len(live) == 2


def test_a_task_that_kills_every_worker_fails_the_job_with_unavailable(
        executor: cluster.DaskExecutor) -> None:
    started = time.monotonic()
    with pytest.raises(Unavailable, match="died under it"):
        executor.map(die_always, [1])
    assert time.monotonic() - started < 60
    assert executor.map(abs, [-4, 5]) == [4, 5]  # the nannies brought the workers back


def test_a_cluster_without_workers_fails_the_job_instead_of_waiting() -> None:
    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as empty:
        ex = cluster.DaskExecutor(str(empty.scheduler_address), stall_timeout_s=2)
        try:
            with pytest.raises(Unavailable, match="no Dask worker for 2 s"):
                ex.map(abs, [-1])
        finally:
            ex.close()


def test_an_unreachable_scheduler_is_unavailable_naming_the_setting() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    ex = cluster.DaskExecutor(f"tcp://127.0.0.1:{port}", connect_timeout_s=2)
    with pytest.raises(Unavailable, match="CHITTI_CLUSTER"):
        ex.map(abs, [1])

