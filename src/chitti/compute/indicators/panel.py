"""Panels: one indicator over many symbols (rows) in one call, on every core.

The kernels are Numba functions compiled with ``nogil=True``, so plain threads run them in
parallel, taking small blocks of rows as they free up. The close-only workhorses (RSI, SMA,
EMA, WMA, RMA) go further: one Numba ``prange`` loop over the rows, no Python per row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numba import get_num_threads, njit, parallel_chunksize, prange, set_num_threads

from chitti.compute.indicators import _kernels_ma as km
from chitti.compute.indicators.catalog import get_spec, run, validate_inputs
from chitti.compute.indicators.momentum import _rsi, _rsi_rows4

__all__ = ["compute_panel"]

_POOL: ThreadPoolExecutor | None = None


def _workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def _idle_workers() -> int:
    # Cores that are actually free: on a machine already busy, a second thread waits for a
    # scheduler tick at every hand-off and makes the call slower, not faster.
    n = _workers()
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux/macOS
        return n
    return max(1, min(n, int(n - load + 0.5)))


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="indicators")
    return _POOL


@njit(cache=True, nogil=True, error_model="numpy")
def _row_start(x: np.ndarray) -> int:
    n = x.shape[0]
    for i in range(n):
        if x[i] == x[i]:
            return i
    return n - 1 if n else 0


@njit(cache=True, parallel=True, error_model="numpy")
def _close_panel(x2: np.ndarray, period: int, kind: int) -> np.ndarray:
    # Rows in parallel inside Numba (no Python per row) for the close-only workhorses;
    # each row runs the same kernel `compute` runs, so results are bit-identical. RSI
    # takes rows four at a time (`_rsi_rows4`) when the four start on the same column.
    n_rows, n = x2.shape
    out = np.empty((n_rows, n))
    lanes = 4 if kind == 0 else 1
    for blk in prange((n_rows + lanes - 1) // lanes):
        r0 = blk * lanes
        r1 = min(r0 + lanes, n_rows)
        beg = _row_start(x2[r0])
        if r1 - r0 == 4:
            same = True
            for r in range(r0 + 1, r1):
                same = same and _row_start(x2[r]) == beg
            if same:
                _rsi_rows4(x2, r0, beg, period, out)
                continue
        for r in range(r0, r1):
            x = x2[r]
            beg = _row_start(x)
            xs = x[beg:]
            if kind == 0:
                res = _rsi(xs, period)
            elif kind == 1:
                res = km.sma(xs, period, 0)
            elif kind == 2:
                res = km.ema(xs, period, 0)
            elif kind == 3:
                res = km.wma(xs, period, 0)
            else:
                res = km.rma(xs, period, 0)
            out[r, :beg] = np.nan
            out[r, beg:] = res
    return out


_FAST = {"rsi": 0, "sma": 1, "ema": 2, "wma": 3, "rma": 4}


def compute_panel(
    name: str, inputs: Mapping[str, Any], *, workers: int | None = None, **params: Any
) -> dict[str, np.ndarray]:
    """Compute indicator ``name`` on 2-D panels (symbols x time), rows in parallel.

    Every input is a ``(n_symbols, n_time)`` array; each row is computed exactly as
    `compute` would compute it alone (including leading-NaN handling, so symbols listed
    later than others can be padded with NaN on the left). Returns 2-D float64 arrays.
    ``workers`` caps the threads (default: the CPUs this process may use that are idle, by
    the 1-minute load average, at least one).
    """
    spec = get_spec(name)
    p = spec.resolve(params)
    arrays, _ = validate_inputs(spec, inputs, ndim=2)
    n_rows, n_time = arrays[0].shape
    k = min(workers or _idle_workers(), max(n_rows, 1))
    if spec.name in _FAST and n_rows and n_time:
        before = get_num_threads()
        set_num_threads(min(k, before))
        try:
            # small dynamic chunks: a core busy with something else does not hold us up
            with parallel_chunksize(8):
                out = _close_panel(arrays[0], int(p["timeperiod"]), _FAST[spec.name])
        finally:
            set_num_threads(before)
        return {spec.outputs[0]: out}
    outs = [np.empty((n_rows, n_time)) for _ in spec.outputs]
    if n_rows == 0:
        return dict(zip(spec.outputs, outs, strict=True))

    def block(lo: int, hi: int) -> None:
        for r in range(lo, hi):
            res = run(spec, [a[r] for a in arrays], p)
            for o, v in zip(outs, res, strict=True):
                o[r] = v

    if k <= 1:
        block(0, n_rows)
    else:
        # many small blocks, taken by whichever thread is free (dynamic balance)
        step = max(1, n_rows // (8 * k))
        futures = [_pool().submit(block, a, min(a + step, n_rows))
                   for a in range(0, n_rows, step)]
        for f in futures:
            f.result()
    return dict(zip(spec.outputs, outs, strict=True))
