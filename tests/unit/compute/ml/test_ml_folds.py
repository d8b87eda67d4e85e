"""Purged, embargoed folds: a property test against the definition, written as plain loops."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitti.compute.ml import purged_folds
from chitti.errors import BadRequest


def _overlaps(t: int, h: int, s: int, e: int) -> bool:
    # label window [t, t + h] against the test dates [s, e]
    return t <= e and t + h >= s


def _reference_train(n: int, s: int, e: int, h: int, emb: int, scheme: str, window: str,
                     train_days: int | None) -> list[int]:
    # AFML ch. 7 from the definition: drop a date whose label window meets the test labels'
    # span [s, e + h]; drop the embargo after it; walk-forward uses only the past.
    out = []
    for t in range(n):
        if s <= t <= e:
            continue
        if t > e and scheme == "walk_forward":
            continue
        if t <= e + h and t + h >= s:          # purge
            continue
        if e + h < t <= e + h + emb:           # embargo
            continue
        if scheme == "walk_forward" and window == "rolling" and train_days is not None \
                and t < s - h - train_days:
            continue
        out.append(t)
    return out


@settings(max_examples=300, deadline=None)
@given(n=st.integers(20, 400), k=st.integers(2, 6), h=st.integers(0, 15),
       emb=st.integers(0, 10), scheme=st.sampled_from(["walk_forward", "kfold"]),
       window=st.sampled_from(["expanding", "rolling"]), train_days=st.integers(1, 100))
def test_no_training_label_window_overlaps_a_test_window(n: int, k: int, h: int, emb: int,
                                                         scheme: str, window: str,
                                                         train_days: int) -> None:
    try:
        folds = purged_folds(n, n_folds=k, horizon_days=h, embargo_days=emb,
                             scheme=scheme, window=window,  # type: ignore[arg-type]
                             train_days=train_days)
    except BadRequest as exc:
        if "n_folds" in exc.message:                      # fewer dates than windows
            assert n - (0 if scheme == "kfold" else n // (k + 1)) < k
            return
        # Only when the definition leaves a fold with nothing to train on.
        i = int(exc.message.split(":")[0].removeprefix("fold "))
        first = 0 if scheme == "kfold" else n // (k + 1)
        window_i = np.array_split(np.arange(first, n), k)[i]
        assert _reference_train(n, int(window_i[0]), int(window_i[-1]), h, emb, scheme,
                                window, train_days) == []
        return
    assert len(folds) == k
    tested = np.concatenate([f.test for f in folds])
    assert (np.diff(tested) == 1).all()                  # consecutive, disjoint, in order
    assert tested[-1] == n - 1
    if scheme == "kfold":
        assert tested[0] == 0
    for f in folds:
        s, e = f.test_start, f.test_end
        assert (np.diff(f.test) == 1).all()
        train = f.train.tolist()
        assert train == _reference_train(n, s, e, h, emb, scheme, window, train_days)
        for t in train:
            assert not _overlaps(t, h, s, e)
            assert not e < t <= e + emb
            if scheme == "walk_forward":
                assert t + h < s


def test_walk_forward_purges_exactly_the_horizon_before_each_window() -> None:
    folds = purged_folds(120, n_folds=3, horizon_days=5, min_train_days=30)
    assert [(f.test_start, f.test_end) for f in folds] == [(30, 59), (60, 89), (90, 119)]
    for f in folds:
        assert f.train[0] == 0 and f.train[-1] == f.test_start - 6


def test_rolling_window_keeps_train_days_dates() -> None:
    folds = purged_folds(300, n_folds=4, horizon_days=5, window="rolling", train_days=50)
    assert all(f.train.size == 50 for f in folds)


def test_kfold_embargo_follows_the_test_labels() -> None:
    f = purged_folds(100, n_folds=4, horizon_days=3, embargo_days=2, scheme="kfold")[1]
    assert (f.test_start, f.test_end) == (25, 49)
    assert 21 in f.train and 22 not in f.train            # 22 + 3 reaches the test window
    assert 54 not in f.train and 55 in f.train            # 49 + 3 purge, + 2 embargo


@pytest.mark.parametrize("kwargs, field", [
    ({"n_folds": 0}, "n_folds"),
    ({"horizon_days": -1}, "horizon_days"),
    ({"window": "rolling"}, "train_days"),
    ({"n_folds": 70}, "n_folds"),
    ({"n_folds": 12, "horizon_days": 20}, "fold 0: no training dates"),
    ({"scheme": "random"}, "scheme"),
])
def test_bad_fold_settings_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(BadRequest, match=field):
        purged_folds(60, **kwargs)  # type: ignore[arg-type]
