"""The compiled forest against LightGBM's own Booster.predict (the acceptance: within 1e-6;
the kernel does the same float64 operations in the same order, so we ask for 1e-12)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chitti.compute.ml import compile_lightgbm
from chitti.compute.ml.trees import K_ZERO_THRESHOLD
from chitti.errors import BadRequest

from .conftest import demo_closes, simple_features

lgb = pytest.importorskip("lightgbm")
TOL = 1e-12
EDGE = [0.0, -0.0, 1e-36, -1e-36, K_ZERO_THRESHOLD, -K_ZERO_THRESHOLD, 1.1e-35, -1.1e-35,
        np.nan, np.inf, -np.inf]


def _data(rng: np.random.Generator, n: int, f: int) -> np.ndarray:
    x = rng.normal(size=(n, f))
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.1] = 0.0
    return x


def _probe_rows(rng: np.random.Generator, model: Any, f: int) -> np.ndarray:
    """Random rows, rows of edge values, and rows sitting exactly on (and one ulp either
    side of) the model's thresholds."""
    x = _data(rng, 1500, f)
    x[:100] = rng.choice(np.array(EDGE), size=(100, f))
    forest = compile_lightgbm(model)
    idx = rng.integers(0, forest.threshold.size, 300)
    for k, i in enumerate(idx):
        thr = forest.threshold[i]
        x[100 + k, forest.feature[i]] = (thr, np.nextafter(thr, np.inf),
                                         np.nextafter(thr, -np.inf))[k % 3]
    return x


PARAMS = [
    {"objective": "regression"},
    {"objective": "regression", "zero_as_missing": True},
    {"objective": "regression", "use_missing": False},
    {"objective": "binary"},
    {"objective": "binary", "sigmoid": 0.7},
    {"objective": "cross_entropy"},
    {"objective": "poisson"},
    {"objective": "regression", "boosting": "rf", "bagging_fraction": 0.6,
     "bagging_freq": 1},
]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "-".join(map(str, p.values())))
def test_forest_equals_lightgbm_on_random_rows_with_nan_zero_and_edges(
        params: dict[str, Any]) -> None:
    rng = np.random.default_rng(7)
    f = 8
    x = _data(rng, 3000, f)
    signal = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1]) ** 2 + (x[:, 2] == 0)
    y = signal + 0.2 * rng.normal(size=x.shape[0])
    if params["objective"] in ("binary", "cross_entropy"):
        y = (y > 0.6).astype(float)
    elif params["objective"] == "poisson":
        y = rng.poisson(np.exp(signal / 3.0)).astype(float)
    model = lgb.train({"num_leaves": 15, "min_data_in_leaf": 5, "verbosity": -1,
                       "num_threads": 1, "seed": 1, **params}, lgb.Dataset(x, y),
                      num_boost_round=40)
    probe = _probe_rows(rng, model, f)
    forest = compile_lightgbm(model)
    ref = model.predict(probe)
    np.testing.assert_allclose(forest.predict(probe), ref, rtol=0, atol=TOL)
    np.testing.assert_allclose(forest.predict(probe, parallel=True), ref, rtol=0, atol=TOL)
    one = np.array([forest.predict_one(r) for r in probe[:200]])
    np.testing.assert_allclose(one, ref[:200], rtol=0, atol=TOL)
    np.testing.assert_allclose(forest.predict(probe[3]), ref[3:4], rtol=0, atol=TOL)


def test_forest_equals_lightgbm_on_a_model_trained_on_real_data() -> None:
    closes = demo_closes().loc["2012":"2016"]
    x3, names = simple_features(closes.to_numpy())
    fwd = (closes.shift(-5) / closes - 1.0).to_numpy()
    rows = np.isfinite(fwd) & np.isfinite(x3).any(axis=2)
    x, y = x3[rows], fwd[rows]
    model = lgb.train({"objective": "regression", "num_leaves": 31, "min_data_in_leaf": 50,
                       "learning_rate": 0.05, "verbosity": -1, "num_threads": 1},
                      lgb.Dataset(x, y, feature_name=names), num_boost_round=120)
    forest = compile_lightgbm(model)
    assert forest.feature_names == tuple(names)
    all_rows = x3.reshape(-1, x3.shape[2])                 # incl. warm-up rows full of NaN
    np.testing.assert_allclose(forest.predict(all_rows), model.predict(all_rows), rtol=0,
                               atol=TOL)


def test_one_leaf_trees_are_served() -> None:
    x = np.zeros((50, 3))
    model = lgb.train({"objective": "regression", "verbosity": -1, "num_threads": 1},
                      lgb.Dataset(x, np.arange(50.0)), num_boost_round=3)
    forest = compile_lightgbm(model)
    probe = np.random.default_rng(0).normal(size=(10, 3))
    np.testing.assert_allclose(forest.predict(probe), model.predict(probe), atol=TOL)


def test_categorical_splits_are_refused() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, (600, 2)).astype(float)
    y = (x[:, 0] == 3) * 2.0 + rng.normal(size=600) * 0.1
    model = lgb.train({"objective": "regression", "verbosity": -1, "min_data_per_group": 5,
                       "cat_smooth": 1, "num_threads": 1},
                      lgb.Dataset(x, y, categorical_feature=[0]), num_boost_round=5)
    with pytest.raises(BadRequest, match="categorical"):
        compile_lightgbm(model)


def test_multiclass_and_linear_trees_are_refused() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    multi = lgb.train({"objective": "multiclass", "num_class": 3, "verbosity": -1,
                       "num_threads": 1}, lgb.Dataset(x, rng.integers(0, 3, 300)),
                      num_boost_round=2)
    with pytest.raises(BadRequest, match="multiclass"):
        compile_lightgbm(multi)
    linear = lgb.train({"objective": "regression", "linear_tree": True, "verbosity": -1,
                        "num_threads": 1}, lgb.Dataset(x, x[:, 0] * 2.0), num_boost_round=2)
    with pytest.raises(BadRequest, match="linear"):
        compile_lightgbm(linear)


def test_rows_of_the_wrong_width_are_refused() -> None:
    x = np.random.default_rng(0).normal(size=(100, 4))
    forest = compile_lightgbm(lgb.train({"verbosity": -1, "num_threads": 1},
                                        lgb.Dataset(x, x[:, 0]), num_boost_round=2))
    with pytest.raises(BadRequest, match=r"rows: shape \(3, 5\)"):
        forest.predict(np.zeros((3, 5)))
