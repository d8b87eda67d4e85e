"""Scale-out benchmark: a large parameter sweep in process, on 1 Dask worker and on 2.

The job: the SMA-crossover sweep over a 100,000-combination grid (fast 2..201 x slow
10..509) on every symbol of a universe of seeded random walks, one ``sweep`` call per symbol
as the compute service makes it. Three runs of the same job:

* in process: ``sweep(..., executor=None)``, the fused Numba kernel on every core;
* ``local:1`` and ``local:2``: ``CHITTI_CLUSTER=local:N``, N worker processes, the grid cut
  into chunks of combinations (``chitti.compute.cluster``). Each worker gets one Numba
  thread, so a worker stands for a one-core host: 2 workers against 1 is what a second
  host buys.

Each is warmed once (workers load the compiled kernels), then the three are timed in turn,
``--reps`` rounds (in turn, so a neighbour's load on this shared machine falls on all of
them): median [min - max], and the speed-ups. Every run's metric tables are checked equal
to the in-process ones bit for bit.

The issue's size, 100,000 combinations x 50 symbols of 2,520 bars, takes about 5 minutes a
run on this 2-core machine (6.6 s per symbol), too long for ``make bench``: the default is
scaled down to 10 symbols of 500 bars (``--symbols 50 --bars 2520`` for the full size).
Run: ``.venv/bin/python bench/cluster.py [--symbols N] [--bars N] [--reps N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

from chitti.compute.backtest import EXAMPLE_STRATEGIES, Bars, sweep
from chitti.compute.cluster import DaskExecutor, Executor

GRID = {"fast": list(range(2, 202)), "slow": list(range(10, 510))}
SPEC = EXAMPLE_STRATEGIES["sma_crossover"]


def _universe(n_symbols: int, n_bars: int) -> list[Bars]:
    rng = np.random.default_rng(16)
    out = []
    for j in range(n_symbols):
        close = 100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.018, n_bars)))
        op = close * np.exp(rng.normal(0, 0.004, n_bars))
        out.append(Bars(ts=np.datetime64("2014-01-01") + np.arange(n_bars), open=op,
                        high=np.maximum(op, close) * 1.004, low=np.minimum(op, close) * 0.996,
                        close=close, volume=np.full(n_bars, 1e6), symbol=f"SYM{j:02d}"))
    return out


def _job(universe: list[Bars], ex: Executor | None) -> list[np.ndarray]:
    return [sweep(b, SPEC, GRID, executor=ex).metrics for b in universe]


def _timed(universe: list[Bars], ex: Executor | None) -> tuple[float, list[np.ndarray]]:
    started = time.perf_counter()
    tables = _job(universe, ex)
    return time.perf_counter() - started, tables


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(x.tobytes() == y.tobytes() for x, y in zip(a, b, strict=True))


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _fmt(times: list[float]) -> str:
    return f"{statistics.median(times):7.2f}s [{min(times):.2f} - {max(times):.2f}]"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--symbols", type=int, default=10)
    ap.add_argument("--bars", type=int, default=500)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    universe = _universe(args.symbols, args.bars)
    combos = len(GRID["fast"]) * len(GRID["slow"])
    print(f"sweep of {combos:,} combinations x {args.symbols} symbols x {args.bars} bars, "
          f"median [range] of {args.reps}; load average {_load()}")
    reference = _job(universe, None)
    with DaskExecutor("local:1", task_threads=1) as one, \
            DaskExecutor("local:2", task_threads=1) as two:
        modes: dict[str, Executor | None] = {
            f"in process (Numba, {os.cpu_count()} threads)": None,
            "Dask local:1 (1 worker, 1 thread)": one, "Dask local:2 (2 workers, 1 thread)": two}
        for ex in (one, two):
            _job(universe[:1], ex)  # warm: the workers load the compiled kernels
        runs: dict[str, list[float]] = {name: [] for name in modes}
        identical = True
        for _ in range(args.reps):
            for name, ex in modes.items():
                seconds, tables = _timed(universe, ex)
                runs[name].append(seconds)
                identical &= _same(tables, reference)
    for name, times in runs.items():
        print(f"  {name:<36} {_fmt(times)}")
    here, w1, w2 = (statistics.median(v) for v in runs.values())
    print(f"speed-up 2 workers vs 1: {w1 / w2:.2f}x; 2 workers vs in process: "
          f"{here / w2:.2f}x; 1 worker vs in process: {here / w1:.2f}x")
    print(f"[{'PASS' if identical else 'FAIL'}] every run's metrics equal the in-process "
          f"ones bit for bit (load average now {_load()}: other processes share the cores)")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
