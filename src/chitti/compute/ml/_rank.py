"""Average ranks along the last axis, ignoring NaN: the kernel behind percentile targets,
rank IC and ROC AUC (one implementation, so the three agree on ties)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _rank_rows(values: np.ndarray, out: np.ndarray, pct: bool) -> None:
    n_rows, n_cols = values.shape
    idx = np.empty(n_cols, dtype=np.int64)
    vals = np.empty(n_cols)
    for r in range(n_rows):
        m = 0
        for c in range(n_cols):
            out[r, c] = np.nan
            v = values[r, c]
            if v == v:
                idx[m] = c
                vals[m] = v
                m += 1
        if m == 0:
            continue
        order = np.argsort(vals[:m], kind="mergesort")
        i = 0
        while i < m:
            j = i
            v = vals[order[i]]
            while j + 1 < m and vals[order[j + 1]] == v:
                j += 1
            rank = 0.5 * (i + j) + 1.0          # ranks are 1-based; ties share the average
            if pct:
                rank /= m
            for k in range(i, j + 1):
                out[r, idx[order[k]]] = rank
            i = j + 1


def average_ranks(values: np.ndarray, *, pct: bool = False) -> np.ndarray:
    """Rank each row of a 2-D array (1 = smallest; ties get their average rank; NaN stays
    NaN and is not counted). With ``pct``, divide by the row's count of ranked values, as
    ``pandas.DataFrame.rank(axis=1, pct=True)`` does."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    out = np.empty_like(x)
    _rank_rows(x, out, pct)
    return out
