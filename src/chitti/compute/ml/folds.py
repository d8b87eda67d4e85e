"""Purged and embargoed folds over a calendar of trading dates (López de Prado, *Advances in
Financial Machine Learning*, ch. 7).

A label at date t is the return from t to t + h (``horizon_days`` rows), so it is known
only at t + h. Folds work on date positions ``0 .. n_dates - 1``:

* each test window is a block of consecutive dates ``[s, e]``; together the windows tile
  the dates after an initial training-only stretch (walk-forward) or all dates (k-fold);
* **purging**: a training date t is dropped when its label window ``[t, t + h]`` overlaps
  the span of the test labels ``[s, e + h]``. Before the window that drops
  ``s - h <= t < s``; after it, ``e < t <= e + h``;
* **embargo**: after a test window, a further ``embargo_days`` dates (``e + h < t <=
  e + h + embargo_days``) are dropped too, because features of those dates (moving
  averages, volatility) still overlap the test period and serial correlation leaks it.

``scheme="walk_forward"`` (the default) trains only on dates before each test window, as
a model would have been trained in real time; nothing after a test window is ever used, so
the embargo has no effect there. ``window="rolling"`` keeps only the last ``train_days``
dates before the purge gap; ``"expanding"`` keeps all of them.
``scheme="kfold"`` is AFML's purged k-fold: training dates on both sides of each test
window, with the purge and embargo above. It uses the future to predict the past, so use
it to compare models, not to estimate live performance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from chitti.errors import BadRequest

Scheme = Literal["walk_forward", "kfold"]
Window = Literal["expanding", "rolling"]


@dataclass(frozen=True, eq=False)
class Fold:
    """One fold: date positions to train on (ascending) and the consecutive test window."""

    index: int
    train: np.ndarray
    test: np.ndarray

    @property
    def test_start(self) -> int:
        """Return the first test date position."""
        return int(self.test[0])

    @property
    def test_end(self) -> int:
        """Return the last test date position (inclusive)."""
        return int(self.test[-1])


def _positive(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise BadRequest(f"{name}: {value!r}; give a whole number >= {minimum}")
    return int(value)


def _test_windows(n_dates: int, first: int, n_folds: int) -> list[np.ndarray]:
    span = n_dates - first
    if span < n_folds:
        raise BadRequest(f"n_folds: {n_folds} test windows need at least {n_folds} dates after "
                         f"the first training stretch; only {span} remain: use fewer folds "
                         "or more history")
    return [w + first for w in np.array_split(np.arange(span), n_folds)]


def _keep(candidates: np.ndarray, s: int, e: int, horizon: int, embargo: int) -> np.ndarray:
    before = candidates + horizon < s                 # label window ends before the test
    after = candidates > e + horizon + embargo         # past the test labels and embargo
    return candidates[before | after]


def purged_folds(n_dates: int, *, n_folds: int = 5, horizon_days: int = 5,
                 embargo_days: int = 0, scheme: Scheme = "walk_forward",
                 window: Window = "expanding", train_days: int | None = None,
                 min_train_days: int | None = None) -> tuple[Fold, ...]:
    """Split ``n_dates`` date positions into purged (and embargoed) train/test folds.

    Parameters
    ----------
    n_dates
        Length of the calendar (rows of the panel).
    n_folds
        Number of test windows (consecutive, about equal size).
    horizon_days
        ``h``: the label at t spans rows ``[t, t + h]``.
    embargo_days
        Rows dropped after each test window's labels end (``kfold`` only; see the module
        docstring).
    scheme
        ``"walk_forward"`` (train only on the past) or ``"kfold"`` (both sides, purged).
    window
        Walk-forward only: ``"expanding"`` (all past dates) or ``"rolling"`` (the last
        ``train_days`` of them).
    train_days
        Rolling window length in rows; required for ``window="rolling"``.
    min_train_days
        Walk-forward only: rows before the first test window (default: one window's worth,
        ``n_dates // (n_folds + 1)``).

    Returns
    -------
    tuple of Fold
        In time order. Every fold has a non-empty training set.

    Raises
    ------
    BadRequest
        For invalid sizes, or when a fold would have nothing left to train on.
    """
    n = _positive("n_dates", n_dates, 2)
    k = _positive("n_folds", n_folds, 1)
    h = _positive("horizon_days", horizon_days, 0)
    emb = _positive("embargo_days", embargo_days, 0)
    if scheme not in ("walk_forward", "kfold"):
        raise BadRequest(f"scheme: {scheme!r}; use 'walk_forward' or 'kfold'")
    if window not in ("expanding", "rolling"):
        raise BadRequest(f"window: {window!r}; use 'expanding' or 'rolling'")
    if window == "rolling":
        if train_days is None:
            raise BadRequest("train_days: required with window='rolling' (e.g. 504 for two "
                             "years of sessions)")
        train_days = _positive("train_days", train_days, 1)
    if scheme == "kfold":
        if k < 2:
            raise BadRequest("n_folds: kfold needs at least 2 folds")
        first = 0
    else:
        first = n // (k + 1) if min_train_days is None else _positive(
            "min_train_days", min_train_days, 1)
    folds = []
    dates = np.arange(n)
    for i, test in enumerate(_test_windows(n, first, k)):
        s, e = int(test[0]), int(test[-1])
        if scheme == "kfold":
            candidates = dates[(dates < s) | (dates > e)]
        else:
            lo = 0 if window == "expanding" or train_days is None else max(0, s - h - train_days)
            candidates = dates[lo:s]
        train = _keep(candidates, s, e, h, emb)
        if train.size == 0:
            raise BadRequest(
                f"fold {i}: no training dates left for test window {s}..{e} once the "
                f"{h}-row label horizon (and a {emb}-row embargo) is purged; give more "
                "history, fewer folds or a larger min_train_days")
        folds.append(Fold(index=i, train=train, test=test))
    return tuple(folds)
