"""Benchmark: every built-in alert rule over 10 years (2,520 bars) of a real NSE symbol.

Measures the pure evaluation behind ``generate_signals`` (``evaluate_rules`` with all
built-in rules: indicators, 55 candlestick patterns, RSI divergences, rule programs,
cooldowns and the alerts themselves), median of repetitions, wall-clock and CPU time (this
machine's cores are shared, so CPU time is the steadier figure), for the whole history and
for the last bar only (``start_index``: the incremental end-of-day call).

Run: ``.venv/bin/python bench/signals.py [--symbol RELIANCE] [--bars 2520] [--reps 30]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from chitti.compute.backtest import Bars
from chitti.signals.patterns import evaluate_rules
from chitti.signals.rules import BUILTIN_RULES

DATA = Path(__file__).resolve().parents[1] / "data" / "demo" / "nifty_sample_daily_2000_2021.csv.gz"


def _load(symbol: str, bars: int) -> Bars:
    d = pd.read_csv(DATA)
    g = d[d["Symbol"] == symbol].sort_values("Date").tail(bars)
    return Bars(ts=np.array(g["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
                open=g["Open"].to_numpy(float), high=g["High"].to_numpy(float),
                low=g["Low"].to_numpy(float), close=g["Close"].to_numpy(float),
                volume=g["Volume"].to_numpy(float), symbol=symbol)


def _median_ms(fn: Callable[[], object], reps: int) -> tuple[float, float]:
    fn()
    wall, cpu = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--symbol", default="RELIANCE")
    ap.add_argument("--bars", type=int, default=2520)
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args()
    bars = _load(args.symbol, args.bars)
    t = time.perf_counter()
    alerts = evaluate_rules(bars, BUILTIN_RULES)
    first = time.perf_counter() - t
    print(f"{args.symbol}: {len(bars)} bars {bars.ts[0]}..{bars.ts[-1]}, "
          f"{len(BUILTIN_RULES)} built-in rules, {len(alerts)} alerts; first call "
          f"{first * 1000:.0f} ms (JIT cache warm-up)")
    for label, start in (("whole history", 0), ("last bar only", len(bars) - 1)):
        wall, cpu = _median_ms(lambda s=start: evaluate_rules(bars, BUILTIN_RULES,  # type: ignore[misc]
                                                              start_index=s), args.reps)
        print(f"  {label:<14} median {wall:6.1f} ms wall, {cpu:6.1f} ms CPU "
              f"(reps={args.reps})")


if __name__ == "__main__":
    main()
