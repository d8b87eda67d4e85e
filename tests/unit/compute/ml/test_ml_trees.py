"""The compiled forest against LightGBM's own Booster.predict (the acceptance: within 1e-6;
the kernels do the same float64 operations in the same order, so we ask for 1e-12).

Both kernels are checked on every model: QuickScorer (the default) and the tree walk
(what a model with a tree of more than 64 leaves gets), the latter by dropping the
forest's QuickScorer tables."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pytest

from chitti.compute.ml import CompiledForest, compile_dump, compile_lightgbm
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
    with np.errstate(over="ignore"):             # one ulp beyond -DBL_MAX is -inf
        for k, i in enumerate(idx):
            thr = forest.threshold[i]
            x[100 + k, forest.feature[i]] = (thr, np.nextafter(thr, np.inf),
                                             np.nextafter(thr, -np.inf))[k % 3]
    return x


def _assert_equals_lightgbm(model: Any, forest: CompiledForest, probe: np.ndarray) -> None:
    """Every path of ``forest`` (batch on one and on all threads, one row through predict
    and predict_one) and of its walk-only twin against ``model.predict``."""
    ref = model.predict(probe)
    for f in (forest, dataclasses.replace(forest, quick=None)):
        np.testing.assert_allclose(f.predict(probe), ref, rtol=0, atol=TOL)
        np.testing.assert_allclose(f.predict(probe, parallel=True), ref, rtol=0, atol=TOL)
        one = np.array([f.predict_one(r) for r in probe[:150]])
        np.testing.assert_allclose(one, ref[:150], rtol=0, atol=TOL)
        np.testing.assert_allclose(f.predict(probe[3]), ref[3:4], rtol=0, atol=TOL)


def _node_kinds(model: Any) -> set[tuple[str, bool]]:
    """(missing_type, default_left) of every split node in the model."""
    kinds = set()
    stack = [t["tree_structure"] for t in model.dump_model()["tree_info"]]
    while stack:
        node = stack.pop()
        if "leaf_value" not in node:
            kinds.add((node["missing_type"], node["default_left"]))
            stack += [node["left_child"], node["right_child"]]
    return kinds


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
    # The data exercise each missing-value rule with both default directions.
    missing = ("Zero" if params.get("zero_as_missing")
               else "None" if params.get("use_missing") is False else "NaN")
    kinds = _node_kinds(model)
    assert {k[0] for k in kinds} == {missing}
    assert len(kinds) == (1 if missing == "None" else 2)
    probe = _probe_rows(rng, model, f)
    forest = compile_lightgbm(model)
    assert forest.quick is not None and forest.quick.mask.dtype == np.uint32
    _assert_equals_lightgbm(model, forest, probe)


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


@pytest.mark.parametrize(("num_leaves", "word"), [(32, np.uint32), (33, np.uint64),
                                                   (64, np.uint64), (100, None)])
def test_leaf_words_of_32_and_64_bits_and_the_walk_beyond_64_leaves(
        num_leaves: int, word: type | None) -> None:
    rng = np.random.default_rng(num_leaves)
    f = 6
    x = _data(rng, 4000, f)
    y = np.nan_to_num(x[:, 0]) * np.nan_to_num(x[:, 1]) + np.sin(3 * np.nan_to_num(x[:, 2]))
    model = lgb.train({"objective": "regression", "num_leaves": num_leaves,
                       "min_data_in_leaf": 3, "verbosity": -1, "num_threads": 1, "seed": 1},
                      lgb.Dataset(x, y + 0.1 * rng.normal(size=x.shape[0])),
                      num_boost_round=12)
    leaves = [t["num_leaves"] for t in model.dump_model()["tree_info"]]
    assert max(leaves) == num_leaves
    forest = compile_lightgbm(model)
    if word is None:
        assert forest.quick is None
    else:
        assert forest.quick is not None and forest.quick.mask.dtype == word
    _assert_equals_lightgbm(model, forest, _probe_rows(rng, model, f))


def test_infinite_values_and_thresholds() -> None:
    rng = np.random.default_rng(3)
    x = _data(rng, 3000, 4)
    x[rng.random(3000) < 0.2, 1] = -np.inf       # training on -inf: thresholds of -DBL_MAX
    x[rng.random(3000) < 0.2, 2] = np.inf
    y = np.nan_to_num(x[:, 0]) + (x[:, 1] == -np.inf) - (x[:, 2] == np.inf)
    model = lgb.train({"objective": "regression", "num_leaves": 8, "min_data_in_leaf": 5,
                       "verbosity": -1, "num_threads": 1}, lgb.Dataset(x, y),
                      num_boost_round=20)
    # dump_model() writes them as -1e300; compile_dump alone takes -inf.
    assert (compile_lightgbm(model).threshold == -np.finfo(float).max).any()
    assert np.isneginf(compile_dump(model.dump_model()).threshold).any()
    # LightGBM reads thresholds of inf, -inf and DBL_MAX from a model's text: the first
    # tree's first three splits get them.
    text = model.model_to_string()
    line = re.search(r"^threshold=(\S+) (\S+) (\S+) ", text, flags=re.M)
    assert line is not None
    edited = lgb.Booster(model_str=_without_tree_sizes(
        text[:line.start()] + "threshold=inf -inf 1.7976931348623157e+308 "
        + text[line.end():]))
    forest = compile_lightgbm(edited)
    assert {np.inf, -np.inf, np.finfo(float).max} <= set(forest.threshold.tolist())
    probe = _probe_rows(rng, edited, 4)
    probe[:300] = rng.choice(np.array([np.inf, -np.inf, 1e308, -1e308, np.nan, 0.0, 1.0]),
                             size=(300, 4))
    for m, f in ((model, compile_lightgbm(model)), (edited, forest)):
        _assert_equals_lightgbm(m, f, probe)


_STUMP = ("num_leaves=1\nnum_cat=0\nsplit_feature=\nsplit_gain=\nthreshold=\n"
          "decision_type=\nleft_child=\nright_child=\nleaf_value={value!r}\nleaf_weight=\n"
          "leaf_count=0\ninternal_value=\ninternal_weight=\ninternal_count=\nis_linear=0\n"
          "shrinkage=1\n\n\n")


def _without_tree_sizes(text: str) -> str:
    # The header's byte sizes of the trees would no longer match an edited text; without
    # them LightGBM reads the trees one after the other.
    return re.sub(r"^tree_sizes=.*\n", "", text, flags=re.M)


def test_one_leaf_trees_are_served() -> None:
    x = np.zeros((50, 3))
    model = lgb.train({"objective": "regression", "verbosity": -1, "num_threads": 1},
                      lgb.Dataset(x, np.arange(50.0)), num_boost_round=3)
    forest = compile_lightgbm(model)
    assert forest.threshold.size == 0
    probe = np.random.default_rng(0).normal(size=(40, 3))
    _assert_equals_lightgbm(model, forest, probe)


def test_one_leaf_trees_between_split_trees() -> None:
    # LightGBM keeps a one-leaf tree only as the first (training stops at one); a model
    # with one after every tree is written as text, which LightGBM reads and predicts.
    rng = np.random.default_rng(5)
    x = _data(rng, 2000, 5)
    model = lgb.train({"objective": "binary", "num_leaves": 12, "verbosity": -1,
                       "num_threads": 1}, lgb.Dataset(x, (np.nan_to_num(x[:, 0]) > 0.2)),
                      num_boost_round=10)
    text = model.model_to_string()
    head, rest = text.split("\nTree=0\n", 1)
    trees, tail = rest.split("end of trees", 1)
    bodies = re.split(r"^Tree=\d+\n", trees, flags=re.M)
    mixed = [b for i, body in enumerate(bodies) for b in (body, _STUMP.format(value=0.01 * i))]
    stumped = lgb.Booster(model_str=_without_tree_sizes(
        head + "\n" + "".join(f"Tree={i}\n{b}" for i, b in enumerate(mixed))
        + "end of trees" + tail))
    assert [t["num_leaves"] == 1 for t in stumped.dump_model()["tree_info"]] == [
        False, True] * 10
    _assert_equals_lightgbm(stumped, compile_lightgbm(stumped), _probe_rows(rng, stumped, 5))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 129])
def test_batches_of_any_length(n: int) -> None:
    # QuickScorer scores 16 rows at a time and hands 64 to a thread: partial groups.
    rng = np.random.default_rng(n)
    x = _data(rng, 600, 5)
    model = lgb.train({"objective": "regression", "num_leaves": 20, "verbosity": -1,
                       "num_threads": 1}, lgb.Dataset(x, np.nan_to_num(x).sum(axis=1)),
                      num_boost_round=15)
    forest = compile_lightgbm(model)
    probe = _data(rng, n, 5)
    for parallel in (False, True):
        np.testing.assert_allclose(forest.predict(probe, parallel=parallel),
                                   model.predict(probe), rtol=0, atol=TOL)


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
