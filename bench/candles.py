"""Side-by-side benchmark: chitti.compute.candles vs TA-Lib's CDL functions, in one run.

1. All 61 patterns on each demo symbol's full daily history (data/demo, 4,100-5,300 bars):
   ours (``detect_all``: validation + 61 Numba kernels) vs the 61 ``talib.CDL*`` calls.
   Median of repetitions; the results are checked equal on the way.
2. Per pattern on RELIANCE (5,306 bars): the slowest ten, ours vs TA-Lib.
3. First ``detect_all`` in a fresh process, with the Numba cache cold (an empty
   ``NUMBA_CACHE_DIR``: every kernel compiles) and warm (the same directory again).

Run: ``.venv/bin/python bench/candles.py [--reps N]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import talib
from _timing import median_seconds

from chitti.compute.candles import PATTERNS, detect, detect_all

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "demo" / "nifty_sample_daily_2000_2021.csv.gz"

FIRST_CALL = """
import time, numpy as np
t = time.perf_counter()
from chitti.compute.candles import detect_all
c = 100 + np.cumsum(np.random.default_rng(0).normal(0, 1, 300)); o = c + 0.3
detect_all(o, np.maximum(o, c) + 0.2, np.minimum(o, c) - 0.2, c)
print(time.perf_counter() - t)
"""


def _first_call(cache: str) -> float:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    d = pd.read_csv(DATA).sort_values("Date")
    series = {str(s): tuple(g[k].to_numpy(float) for k in ("Open", "High", "Low", "Close"))
              for s, g in d.groupby("Symbol")}
    funcs = {n: getattr(talib, s.talib) for n, s in PATTERNS.items()}

    print(f"{'symbol':<12}{'bars':>6}{'ours ms':>10}{'talib ms':>10}{'ratio':>8}")
    for sym, (o, h, lo, c) in series.items():
        ours = detect_all(o, h, lo, c)
        assert all(np.array_equal(ours[n], f(o, h, lo, c)) for n, f in funcs.items()), sym
        t_ours = 1000 * median_seconds(lambda: detect_all(o, h, lo, c), args.reps)  # noqa: B023
        t_ta = 1000 * median_seconds(lambda: [f(o, h, lo, c) for f in funcs.values()], args.reps)  # noqa: B023
        print(f"{sym:<12}{len(c):>6}{t_ours:>10.2f}{t_ta:>10.2f}{t_ours / t_ta:>8.2f}")

    o, h, lo, c = series["RELIANCE"]
    rows = []
    for n, f in funcs.items():
        rows.append((n, 1000 * median_seconds(lambda: detect(n, o, h, lo, c), args.reps),  # noqa: B023
                     1000 * median_seconds(lambda: f(o, h, lo, c), args.reps)))  # noqa: B023
    print(f"\nslowest ten on RELIANCE ({len(c)} bars): pattern, ours us, talib us")
    for n, a, b in sorted(rows, key=lambda r: -r[1])[:10]:
        print(f"  {n:<22}{1000 * a:>8.0f}{1000 * b:>8.0f}")

    with tempfile.TemporaryDirectory() as cache:
        cold = _first_call(cache)
        warm = _first_call(cache)
    print(f"\nfirst detect_all in a fresh process: cold cache {cold:.1f} s, warm {warm:.2f} s")


if __name__ == "__main__":
    main()
