"""Panels: one indicator over many symbols (rows) in one call, on every core.

The kernels are Numba functions compiled with ``nogil=True``, so plain threads run them in
parallel; each thread takes a contiguous block of rows, which keeps the per-row Python
overhead (a few microseconds) off the shared lock most of the time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from chitti.compute.indicators.catalog import get_spec, run, validate_inputs

__all__ = ["compute_panel"]

_POOL: ThreadPoolExecutor | None = None


def _workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="indicators")
    return _POOL


def compute_panel(
    name: str, inputs: Mapping[str, Any], *, workers: int | None = None, **params: Any
) -> dict[str, np.ndarray]:
    """Compute indicator ``name`` on 2-D panels (symbols x time), rows in parallel.

    Every input is a ``(n_symbols, n_time)`` array; each row is computed exactly as
    `compute` would compute it alone (including leading-NaN handling, so symbols listed
    later than others can be padded with NaN on the left). Returns 2-D float64 arrays.
    ``workers`` caps the threads (default: the CPUs this process may use).
    """
    spec = get_spec(name)
    p = spec.resolve(params)
    arrays, _ = validate_inputs(spec, inputs, ndim=2)
    n_rows, n_time = arrays[0].shape
    outs = [np.empty((n_rows, n_time)) for _ in spec.outputs]
    if n_rows == 0:
        return dict(zip(spec.outputs, outs, strict=True))

    def block(lo: int, hi: int) -> None:
        for r in range(lo, hi):
            res = run(spec, [a[r] for a in arrays], p)
            for o, v in zip(outs, res, strict=True):
                o[r] = v

    k = min(workers or _workers(), n_rows)
    if k <= 1:
        block(0, n_rows)
    else:
        bounds = np.linspace(0, n_rows, k + 1).astype(int)
        futures = [_pool().submit(block, int(a), int(b))
                   for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        for f in futures:
            f.result()
    return dict(zip(spec.outputs, outs, strict=True))
