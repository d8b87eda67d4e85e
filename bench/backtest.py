"""Side-by-side benchmark: chitti.compute.backtest vs vectorbt, in one run.

1. One SMA(10/50) crossover backtest with full metrics on 252 and 2,520 bars of RELIANCE
   (data/demo): ours is ``run_backtest`` (signals, next-open fills, whole shares, 23
   metrics, trade list); vectorbt is MA x2 + crossings + ``Portfolio.from_signals`` with
   next-open prices + ``stats()``. Median of repetitions.
2. The sweep fast 5..54 x slow 20..219 with fast < slow (9,370 combinations) on 2,520 bars:
   ours is ``sweep`` (14 metrics per combination, best by Sharpe); vectorbt computes each
   distinct MA once, crosses them for every pair, simulates all columns with
   ``from_signals`` and takes Sharpe, total return and max drawdown.
3. First backtest in a fresh process (import + first ``run_backtest``), with the Numba
   cache cold (an empty ``NUMBA_CACHE_DIR``) and warm (the same directory again).

Acceptance (from the issue): 2,520-bar backtest with full metrics < 5 ms warm; the sweep
>= 20x faster than vectorbt in the same run; first backtest in a fresh process < 2 s (warm
cache). ``--strict`` makes a failed criterion exit non-zero.

Bench-only dependency: ``vectorbt>=1.2,<2`` (tested with 1.2.0; its columns are skipped
when it is missing).
Run: ``.venv/bin/python bench/backtest.py [--reps N] [--strict]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import median_seconds

from chitti.compute.backtest import EXAMPLE_STRATEGIES, BacktestConfig, Bars, run_backtest, sweep

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "demo" / "nifty_sample_daily_2000_2021.csv.gz"
FAST, SLOW = range(5, 55), range(20, 220)

try:
    import vectorbt as vbt
except ImportError:  # pragma: no cover - bench-only dependency
    vbt = None


def _bars(n: int) -> Bars:
    d = pd.read_csv(DATA)
    d = d[d["Symbol"] == "RELIANCE"].sort_values("Date").iloc[:n]
    return Bars(ts=np.array(d["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
                open=d["Open"].to_numpy(float), high=d["High"].to_numpy(float),
                low=d["Low"].to_numpy(float), close=d["Close"].to_numpy(float),
                volume=d["Volume"].to_numpy(float), symbol="RELIANCE")


def _ours_single(bars: Bars) -> Callable[[], object]:
    spec = EXAMPLE_STRATEGIES["sma_crossover"]
    cfg = BacktestConfig()
    return lambda: run_backtest(bars, spec, config=cfg, params={"fast": 10, "slow": 50})


def _vbt_single(bars: Bars) -> Callable[[], object]:
    idx = pd.DatetimeIndex(bars.ts.astype("datetime64[ns]"))
    close, open_ = pd.Series(bars.close, idx), pd.Series(bars.open, idx)

    def run() -> object:
        fast, slow = vbt.MA.run(close, 10), vbt.MA.run(close, 50)
        entries = fast.ma_crossed_above(slow).shift(1, fill_value=False).astype(bool)
        exits = fast.ma_crossed_below(slow).shift(1, fill_value=False).astype(bool)
        pf = vbt.Portfolio.from_signals(close, entries, exits, price=open_, init_cash=1e6,
                                        size=np.inf, size_granularity=1, freq="1D")
        return pf.stats()

    return run


def _pairs() -> tuple[np.ndarray, np.ndarray]:
    f, s = np.meshgrid(np.array(FAST), np.array(SLOW), indexing="ij")
    keep = f < s
    return f[keep], s[keep]


def _ours_sweep(bars: Bars) -> Callable[[], object]:
    spec = EXAMPLE_STRATEGIES["sma_crossover"]
    grid = {"fast": list(FAST), "slow": list(SLOW)}
    return lambda: sweep(bars, spec, grid, constraints=["fast < slow"], metric="sharpe_ratio")


def _vbt_sweep(bars: Bars) -> Callable[[], object]:
    idx = pd.DatetimeIndex(bars.ts.astype("datetime64[ns]"))
    close, open_ = pd.Series(bars.close, idx), pd.Series(bars.open, idx)
    fast_w, slow_w = _pairs()

    def run() -> object:
        windows = np.arange(min(FAST), max(SLOW) + 1)
        ma = vbt.MA.run(close, window=windows).ma.to_numpy()  # each distinct MA once
        f, s = ma[:, fast_w - windows[0]], ma[:, slow_w - windows[0]]
        pf_, ps_ = np.roll(f, 1, axis=0), np.roll(s, 1, axis=0)
        with np.errstate(invalid="ignore"):
            up = (f > s) & (pf_ <= ps_)
            down = (f < s) & (pf_ >= ps_)
        up[0], down[0] = False, False
        # next-open fills: shift the signals one bar
        entries = np.vstack([np.zeros((1, up.shape[1]), bool), up[:-1]])
        exits = np.vstack([np.zeros((1, down.shape[1]), bool), down[:-1]])
        cols = pd.MultiIndex.from_arrays([fast_w, slow_w], names=["fast", "slow"])
        pf = vbt.Portfolio.from_signals(
            close, pd.DataFrame(entries, idx, cols), pd.DataFrame(exits, idx, cols),
            price=open_, init_cash=1e6, size=np.inf, size_granularity=1, freq="1D")
        return pf.sharpe_ratio(), pf.total_return(), pf.max_drawdown()

    return run


_FRESH = """
import time, numpy as np
d = np.load({path!r})
t0 = time.perf_counter()
from chitti.compute.backtest import EXAMPLE_STRATEGIES, Bars, run_backtest
t1 = time.perf_counter()
bars = Bars(ts=d["ts"], open=d["open"], high=d["high"], low=d["low"], close=d["close"],
            volume=d["volume"])
run_backtest(bars, EXAMPLE_STRATEGIES["sma_crossover"])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _fresh_process(bars: Bars) -> tuple[tuple[float, float], tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bars.npz")
        np.savez(path, ts=bars.ts, open=bars.open, high=bars.high, low=bars.low,
                 close=bars.close, volume=bars.volume)
        env = {**os.environ, "NUMBA_CACHE_DIR": os.path.join(tmp, "numba")}
        out = []
        for _ in range(2):  # cold (empty cache dir), then warm (same dir)
            res = subprocess.run([sys.executable, "-c", _FRESH.format(path=path)], env=env,
                                 capture_output=True, text=True, check=True)
            imp, first = (float(x) for x in res.stdout.split())
            out.append((imp, first))
    return out[0], out[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--strict", action="store_true", help="exit 1 if a criterion fails")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    full = _bars(2520)
    rows: list[tuple[str, float, float | None]] = []
    for n in (252, 2520):
        bars = full.slice(0, n)
        ours = median_seconds(_ours_single(bars), args.reps)
        theirs = median_seconds(_vbt_single(bars), max(args.reps // 3, 3)) if vbt else None
        rows.append((f"SMA(10/50) backtest + metrics, {n} bars", ours, theirs))
    ours_sweep = median_seconds(_ours_sweep(full), 3)
    theirs_sweep = median_seconds(_vbt_sweep(full), 1) if vbt else None
    rows.append((f"sweep {len(_pairs()[0]):,} combos, 2520 bars", ours_sweep, theirs_sweep))

    print(f"{'case':<44} {'chitti':>12} {'vectorbt':>12} {'ratio':>8}")
    for name, ours, theirs in rows:
        t = f"{theirs * 1e3:10.2f}ms" if theirs else f"{'n/a':>12}"
        r = f"{theirs / ours:7.1f}x" if theirs else f"{'':>8}"
        print(f"{name:<44} {ours * 1e3:10.2f}ms {t} {r}")
    cold, warm = _fresh_process(full)
    print(f"fresh process, cold Numba cache: import {cold[0]:.2f}s + first backtest "
          f"{cold[1]:.2f}s = {sum(cold):.2f}s")
    print(f"fresh process, warm Numba cache: import {warm[0]:.2f}s + first backtest "
          f"{warm[1]:.2f}s = {sum(warm):.2f}s")
    if vbt is None:
        print("vectorbt not installed: pip install 'vectorbt>=1.2,<2' for the comparison")

    checks = [("2,520-bar backtest with full metrics < 5 ms warm", rows[1][1] < 5e-3),
              ("first backtest in a fresh process < 2 s (warm cache)", sum(warm) < 2.0)]
    if theirs_sweep:
        checks.append(("sweep >= 20x faster than vectorbt", theirs_sweep / ours_sweep >= 20))
    for label, ok in checks:
        print(f"[{'PASS' if ok else 'FAIL'}] {label}")
    return 1 if args.strict and not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
