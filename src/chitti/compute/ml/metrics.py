"""Out-of-sample scores against what happened: information coefficients, accuracy, ROC AUC.

The information coefficient (IC) of a date is the Pearson correlation, across the symbols
of that date, between the model's score and the realised forward return; the rank IC is
the Spearman correlation (Pearson of average ranks). Only symbols with both values finite
count; a date with fewer than ``min_symbols`` of them, or where either side is constant,
has an undefined (NaN) IC and is left out of the summary.

Summary over a set of dates (:func:`ic_summary`): mean, sample standard deviation
(``ddof=1``) and ``t = mean / (std / sqrt(n_dates))``. With an h-day forward return the
daily ICs overlap (adjacent dates share h - 1 days of return), so they are positively
autocorrelated and this t-statistic overstates significance by about ``sqrt(h)``; read a
t of 2 on 5-day labels as roughly 0.9 on independent ones.
"""

from __future__ import annotations

import math

import numpy as np

from chitti.compute.ml._rank import average_ranks
from chitti.errors import BadRequest


def _pair(score: np.ndarray, realised: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(score, dtype=np.float64)
    b = np.asarray(realised, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise BadRequest(f"score: shape {a.shape} differs from the realised returns' "
                         f"{b.shape}; both must be (n_dates, n_symbols)")
    return a, b


def _row_pearson(a: np.ndarray, b: np.ndarray, min_symbols: int) -> np.ndarray:
    m = np.isfinite(a) & np.isfinite(b)
    n = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a = np.where(m, a, 0.0).sum(axis=1) / n
        mean_b = np.where(m, b, 0.0).sum(axis=1) / n
        da = np.where(m, a - mean_a[:, None], 0.0)
        db = np.where(m, b - mean_b[:, None], 0.0)
        saa = (da * da).sum(axis=1)
        sbb = (db * db).sum(axis=1)
        r = (da * db).sum(axis=1) / np.sqrt(saa * sbb)
    # A constant side has no defined correlation (scipy warns and returns NaN too).
    flat = _constant(a, m) | _constant(b, m)
    r[(n < max(min_symbols, 2)) | flat] = np.nan
    out: np.ndarray = np.clip(r, -1.0, 1.0)
    return out


def _constant(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    hi = np.where(m, x, -np.inf).max(axis=1, initial=-np.inf)
    lo = np.where(m, x, np.inf).min(axis=1, initial=np.inf)
    same: np.ndarray = hi == lo
    return same


def daily_ic(score: np.ndarray, realised: np.ndarray, *, min_symbols: int = 3) -> np.ndarray:
    """Return the Pearson IC of each date (``(n_dates,)``; NaN where undefined).

    ``score`` and ``realised`` are ``(n_dates, n_symbols)``; NaN marks a missing value.
    Equals ``scipy.stats.pearsonr`` on each date's finite pairs.
    """
    a, b = _pair(score, realised)
    return _row_pearson(a, b, min_symbols)


def daily_rank_ic(score: np.ndarray, realised: np.ndarray, *,
                  min_symbols: int = 3) -> np.ndarray:
    """Return the Spearman (rank) IC of each date (``(n_dates,)``; NaN where undefined).

    Ranks are taken over each date's finite pairs only (ties share their average rank);
    equals ``scipy.stats.spearmanr`` on those pairs.
    """
    a, b = _pair(score, realised)
    both = np.isfinite(a) & np.isfinite(b)
    ra = average_ranks(np.where(both, a, np.nan))
    rb = average_ranks(np.where(both, b, np.nan))
    return _row_pearson(ra, rb, min_symbols)


def ic_summary(ic: np.ndarray) -> dict[str, float | int | None]:
    """Return ``mean``, ``std`` (ddof=1), ``t_stat`` and ``n_dates`` of the finite ICs.

    Undefined values (fewer than two dates, zero spread) are None.
    """
    x = np.asarray(ic, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = int(x.size)
    mean = float(x.mean()) if n else math.nan
    std = float(x.std(ddof=1)) if n > 1 else math.nan
    t = mean / (std / math.sqrt(n)) if n > 1 and std > 0.0 else math.nan
    return {"mean": _none(mean), "std": _none(std), "t_stat": _none(t), "n_dates": n}


def _none(x: float) -> float | None:
    return None if not math.isfinite(x) else x


def _labelled(prob: np.ndarray, label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(prob, dtype=np.float64).ravel()
    y = np.asarray(label, dtype=np.float64).ravel()
    if p.shape != y.shape:
        raise BadRequest(f"prob: {p.size} values for {y.size} labels; give one per label")
    keep = np.isfinite(p) & np.isfinite(y)
    p, y = p[keep], y[keep]
    if not np.isin(y, (0.0, 1.0)).all():
        raise BadRequest("label: expected 0/1 values (NaN where undefined)")
    return p, y


def accuracy(prob: np.ndarray, label: np.ndarray, *, cutoff: float = 0.5) -> float:
    """Return the share of rows where ``prob > cutoff`` matches ``label == 1``.

    Rows where either is NaN are skipped; NaN when none is left.
    """
    p, y = _labelled(prob, label)
    if p.size == 0:
        return math.nan
    return float(((p > cutoff) == (y == 1.0)).mean())


def roc_auc(score: np.ndarray, label: np.ndarray) -> float:
    """Return the area under the ROC curve of ``score`` for the 0/1 ``label``.

    The Mann-Whitney form: the probability that a random positive outscores a random
    negative, ties counting one half. Rows where either is NaN are skipped; NaN when one
    class is absent. Equals ``sklearn.metrics.roc_auc_score``.
    """
    p, y = _labelled(score, label)
    n_pos = int((y == 1.0).sum())
    n_neg = int(y.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = average_ranks(p.reshape(1, -1))[0]
    return float((ranks[y == 1.0].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))
