"""train(): signal is found, noise is not, folds never leak, estimators, artefacts."""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline

from chitti.compute.ml import from_bytes, to_bytes, train
from chitti.errors import BadRequest

from .conftest import FAST_LGB, synthetic_panel

N_DATES, N_SYM, N_FEAT = 300, 10, 20


def test_a_label_driven_by_one_feature_gives_a_strong_positive_ic() -> None:
    x, close, dates, names, symbols = synthetic_panel(N_DATES, N_SYM, N_FEAT, signal=1.0,
                                                      seed=1)
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names,
                horizon_days=1, n_folds=3, params=FAST_LGB)
    pooled = rep.folds[-1]
    # The true score explains half the return's variance: corr(x0, r) = 1/sqrt(2) = 0.71.
    assert pooled.ic["mean"] is not None and pooled.ic["mean"] > 0.4
    assert pooled.ic["t_stat"] is not None and pooled.ic["t_stat"] > 20
    assert all(r.ic["mean"] is not None and r.ic["mean"] > 0.3 for r in rep.folds[:-1])
    top = max(rep.feature_importance or {}, key=(rep.feature_importance or {}).__getitem__)
    assert top == "x0"
    assert json.dumps(rep.to_dict())                       # JSON-able
    assert rep.folds[0].n_test == int(np.isfinite(rep.oos_scores[
        np.searchsorted(dates, rep.folds[0].test_start):
        np.searchsorted(dates, rep.folds[0].test_end) + 1]).sum())


def test_pure_noise_gives_an_ic_indistinguishable_from_zero() -> None:
    x, close, dates, names, symbols = synthetic_panel(N_DATES, N_SYM, N_FEAT, signal=0.0,
                                                      seed=2)
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names,
                horizon_days=1, n_folds=3, params=FAST_LGB)
    pooled = rep.folds[-1]
    n = int(pooled.ic["n_dates"] or 0)
    # Under the null each date's IC over 10 symbols has sd ~ 1/sqrt(9); with 1-day labels
    # the dates are independent, so the mean of n of them has sd 1/sqrt(9 n) (~0.02 here).
    # Four of those: a correct pipeline fails this with probability ~1e-4 (the seed fixes
    # it); a leak of the label into the training rows gives ICs of 0.1 or more.
    assert abs(pooled.ic["mean"] or 0.0) < 4.0 / math.sqrt(9 * n)
    assert abs(pooled.ic["t_stat"] or 0.0) < 4.0


class _Spy(BaseEstimator, RegressorMixin):  # type: ignore[misc]
    """Records the date positions (feature 0) of every fit."""

    fits: ClassVar[list[np.ndarray]] = []

    def fit(self, x: np.ndarray, y: np.ndarray) -> _Spy:
        _Spy.fits.append(np.unique(x[:, 0]).astype(int))
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x[:, 1]


@pytest.mark.parametrize("scheme", ["walk_forward", "kfold"])
def test_no_training_row_has_a_label_that_reaches_into_its_test_window(scheme: str) -> None:
    x, close, dates, names, symbols = synthetic_panel(200, 5, 3, signal=0.0, seed=3)
    x[:, :, 0] = np.arange(200)[:, None]                  # feature 0 = the date position
    _Spy.fits.clear()
    h, emb = 5, 3
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names,
                horizon_days=h, n_folds=4, embargo_days=emb, scheme=scheme,  # type: ignore
                estimator=_Spy())
    assert len(_Spy.fits) == 4 + 1                        # folds, then the final model
    for row, seen in zip(rep.folds[:-1], _Spy.fits, strict=False):
        s = int(np.searchsorted(dates, row.test_start))
        e = int(np.searchsorted(dates, row.test_end))
        assert not ((seen <= e + h) & (seen + h >= s)).any()   # purged
        assert not ((seen > e + h) & (seen <= e + h + emb)).any()  # embargoed
        if scheme == "walk_forward":
            assert seen.max() + h < s
    assert _Spy.fits[-1].max() == 200 - 1 - h             # final fit: every labelled date


def test_sign_target_reports_accuracy_and_auc_of_the_out_of_sample_scores() -> None:
    x, close, dates, names, symbols = synthetic_panel(N_DATES, N_SYM, N_FEAT, signal=1.0,
                                                      seed=4)
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names, target="sign",
                horizon_days=1, n_folds=3, params=FAST_LGB)
    label = (close[1:] / close[:-1] - 1.0 > 0).astype(float)
    first = rep.folds[0]
    s = int(np.searchsorted(dates, first.test_start))
    e = int(np.searchsorted(dates, first.test_end))
    p, y = rep.oos_scores[s:e + 1].ravel(), label[s:e + 1].ravel()
    assert first.accuracy == pytest.approx(accuracy_score(y, p > 0.5), abs=1e-12)
    assert first.auc == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert first.auc > 0.7
    assert 0.0 <= rep.oos_scores[np.isfinite(rep.oos_scores)].min()
    assert rep.oos_scores[np.isfinite(rep.oos_scores)].max() <= 1.0


def test_training_is_deterministic_for_a_seed() -> None:
    x, close, dates, names, symbols = synthetic_panel(200, 8, 6, signal=0.5, seed=5)
    a, b = (train(x, close, dates=dates, symbols=symbols, feature_names=names,
                  horizon_days=1, n_folds=2, params=FAST_LGB, seed=11) for _ in range(2))
    np.testing.assert_array_equal(a.oos_scores, b.oos_scores)
    assert a.model.estimator.model_to_string() == b.model.estimator.model_to_string()


@pytest.mark.parametrize("estimator, target", [
    (HistGradientBoostingRegressor(max_iter=30), "forward_return"),
    (make_pipeline(SimpleImputer(), LinearRegression()), "rank"),
    (HistGradientBoostingClassifier(max_iter=30), "sign"),
])
def test_sklearn_estimators_train_and_round_trip(estimator: Any, target: str) -> None:
    x, close, dates, names, symbols = synthetic_panel(200, 8, 5, signal=1.0, seed=6)
    x[::7, ::3, 2] = np.nan
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names,
                target=target, horizon_days=1, n_folds=2, estimator=estimator)  # type: ignore
    assert (rep.folds[-1].ic["mean"] or 0.0) > 0.3
    rows = x[-20:].reshape(-1, 5)
    back = from_bytes(to_bytes(rep.model))
    assert (back.estimator_name, back.target) == (type(estimator).__name__, target)
    np.testing.assert_array_equal(back.predict(rows), rep.model.predict(rows))
    est = rep.model.estimator
    native = est.predict_proba(rows)[:, 1] if target == "sign" else est.predict(rows)
    np.testing.assert_array_equal(rep.model.predict(rows), native)
    if target == "sign":
        assert rep.folds[-1].auc is not None and rep.folds[-1].auc > 0.7


def test_sklearn_estimator_without_nan_support_is_refused_clearly() -> None:
    x, close, dates, names, symbols = synthetic_panel(120, 5, 3, signal=0.0, seed=7)
    x[10, 2, 1] = np.nan
    with pytest.raises(BadRequest, match="LinearRegression does not accept NaN"):
        train(x, close, dates=dates, symbols=symbols, feature_names=names, horizon_days=1,
              n_folds=2, estimator=LinearRegression())


def test_classifier_for_a_return_target_is_refused() -> None:
    x, close, dates, names, symbols = synthetic_panel(120, 5, 3, signal=0.0, seed=8)
    with pytest.raises(BadRequest, match="classifier"):
        train(x, close, dates=dates, symbols=symbols, feature_names=names,
              estimator=HistGradientBoostingClassifier())


def test_lightgbm_artefact_round_trip_predicts_identically() -> None:
    x, close, dates, names, symbols = synthetic_panel(200, 8, 6, signal=1.0, seed=9)
    names[3] = "rsi(14) [close]"                          # LightGBM refuses [ ] in names
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names, horizon_days=1,
                n_folds=2, params=FAST_LGB, target="sign")
    blob = to_bytes(rep.model)
    back = from_bytes(blob)
    assert (back.kind, back.target, back.horizon_days, back.feature_names) == (
        "lightgbm", "sign", 1, tuple(names))
    rows = np.random.default_rng(0).normal(size=(500, 6))
    rows[::5, 2] = np.nan
    np.testing.assert_array_equal(back.predict(rows), rep.model.predict(rows))
    np.testing.assert_allclose(back.predict(rows), rep.model.estimator.predict(rows),
                               rtol=0, atol=1e-12)
    with pytest.raises(BadRequest, match="artefact"):
        from_bytes(b"not a model" + blob)


def test_progress_is_reported_up_to_done() -> None:
    x, close, dates, names, symbols = synthetic_panel(150, 5, 3, signal=0.0, seed=10)
    seen: list[tuple[float, str]] = []
    train(x, close, dates=dates, symbols=symbols, feature_names=names, horizon_days=1,
          n_folds=3, params=FAST_LGB, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) == 5


@pytest.mark.parametrize("kwargs, field", [
    ({"target": "price"}, "target"),
    ({"estimator": "xgboost"}, "estimator"),
    ({"feature_names": ["a", "a", "b"]}, "feature_names"),
])
def test_bad_requests_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    x, close, dates, names, symbols = synthetic_panel(100, 4, 3, signal=0.0, seed=0)
    args: dict[str, Any] = {"dates": dates, "symbols": symbols, "feature_names": names}
    args.update(kwargs)
    with pytest.raises(BadRequest, match=field):
        train(x, close, **args)


def test_a_universe_of_one_is_refused() -> None:
    x, close, dates, names, _ = synthetic_panel(100, 1, 3, signal=0.0, seed=0)
    with pytest.raises(BadRequest, match="universe of one"):
        train(x, close, dates=dates, symbols=("ONLY",), feature_names=names)


def test_a_parameter_lightgbm_refuses_is_a_bad_request_naming_params() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(300, 8, 3))
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 8)), axis=0))
    dates = np.arange(np.datetime64("2020-01-01"), np.datetime64("2020-01-01") + 300)
    with pytest.raises(BadRequest, match="params: LightGBM refused"):
        train(features, close, dates=dates, symbols=[f"S{i}" for i in range(8)],
              feature_names=["a", "b", "c"], params={"num_leaves": "abc"}, n_folds=2)
