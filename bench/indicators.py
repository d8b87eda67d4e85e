"""Side-by-side benchmark: chitti.compute.indicators vs TA-Lib.

Single series: every indicator both have, on the same 10,000-bar OHLCV series, with default
parameters, median of many repetitions (our time includes `compute`'s validation).
Panel: RSI(14) on 500 symbols x 2,520 days, our `compute_panel` vs a TA-Lib loop.

Run: ``.venv/bin/python bench/indicators.py [--reps N] [--only sma,rsi]``
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np

try:
    import talib
except ImportError:  # pragma: no cover - the bench needs the test extra
    sys.exit("bench/indicators.py needs TA-Lib: pip install -e '.[test]'")

from _timing import median_seconds

from chitti.compute.indicators import catalog, compute, compute_panel


def _series(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    spread = close * rng.uniform(0.001, 0.02, n)
    high = close + spread * rng.uniform(0.0, 1.0, n)
    low = close - spread * rng.uniform(0.0, 1.0, n)
    open_ = low + (high - low) * rng.uniform(0.0, 1.0, n)
    volume = rng.uniform(1e5, 1e6, n).round()
    periods = rng.integers(2, 30, n).astype(float)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume,
            "periods": periods}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200, help="repetitions per indicator")
    ap.add_argument("--n", type=int, default=10_000, help="bars in the single series")
    ap.add_argument("--only", default="", help="comma-separated indicator names")
    ap.add_argument("--no-panel", action="store_true", help="skip the panel case")
    args = ap.parse_args()

    data = _series(args.n)
    only = {s.strip().lower() for s in args.only.split(",") if s.strip()}
    rows = []
    # Candlestick patterns have their own bench (bench/candles.py).
    for spec in (s for s in catalog() if s.group != "pattern"):
        if spec.talib is None or (only and spec.name not in only):
            continue
        ta_fn = getattr(talib, spec.talib)
        arrays = [data[i] for i in spec.inputs]
        ours = median_seconds(lambda s=spec: compute(s.name, data), args.reps)
        ref = median_seconds(lambda f=ta_fn, a=arrays: f(*a), args.reps)
        rows.append((spec.name, ours, ref, ours / ref))

    print(f"single series: {args.n:,} bars, median of {args.reps} runs (microseconds)")
    print(f"{'indicator':<22}{'ours':>10}{'TA-Lib':>10}{'ours/TA':>9}")
    for name, ours, ref, ratio in rows:
        print(f"{name:<22}{ours * 1e6:>10.1f}{ref * 1e6:>10.1f}{ratio:>9.2f}")
    if rows:
        ratios = [r[3] for r in rows]
        print(f"{len(rows)} shared indicators; median ratio ours/TA-Lib = "
              f"{statistics.median(ratios):.2f} (acceptance: <= 1.5); "
              f"worst {max(rows, key=lambda r: r[3])[0]} {max(ratios):.2f}")

    if not args.no_panel:
        rng = np.random.default_rng(11)
        panel = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, (500, 2520)), axis=1))
        ours = median_seconds(lambda: compute_panel("rsi", {"close": panel}, timeperiod=14), 21)
        ref = median_seconds(lambda: [talib.RSI(row, 14) for row in panel], 21)
        print(f"\npanel RSI(14), 500 symbols x 2,520 days, median of 21 runs: ours "
              f"{ours * 1e3:.2f} ms, TA-Lib loop {ref * 1e3:.2f} ms, ratio {ours / ref:.2f} "
              "(acceptance: <= 1.0)")


if __name__ == "__main__":
    main()
