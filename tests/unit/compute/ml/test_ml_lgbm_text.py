"""LightGBM's text model read without LightGBM, against LightGBM itself: the dump equals
``Booster.dump_model()`` on the fields serving reads, the compiled forest equals the one
compiled from the real booster array for array, and a process that loads an artefact and
serves it never imports lightgbm."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chitti.compute.ml import TrainedModel, compile_lightgbm, from_bytes, to_bytes
from chitti.compute.ml.lgbm_text import TextBooster, dump_from_text
from chitti.errors import BadRequest

lgb = pytest.importorskip("lightgbm")

BASE = {"num_leaves": 7, "min_data_in_leaf": 10, "num_threads": 1, "verbose": -1,
        "deterministic": True, "seed": 3}
MODELS: dict[str, tuple[dict[str, Any], int]] = {
    "regression with NaN": ({"objective": "regression"}, 20),
    "binary": ({"objective": "binary"}, 15),
    "zero as missing": ({"objective": "regression", "zero_as_missing": True}, 10),
    "no missing handling": ({"objective": "regression", "use_missing": False}, 10),
    "random forest (averaged)": ({"objective": "regression", "boosting": "rf",
                                  "bagging_fraction": 0.7, "bagging_freq": 1}, 8),
    "single-leaf trees": ({"objective": "regression", "min_data_in_leaf": 10_000}, 3),
    "poisson": ({"objective": "poisson"}, 10),
}


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, 5))
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.1] = 0.0
    y = np.nan_to_num(x[:, 0]) * 2 - np.nan_to_num(x[:, 2]) + rng.normal(size=600)
    return x, y


def _train(params: dict[str, Any], rounds: int) -> Any:
    x, y = _data(1)
    if params["objective"] == "binary":
        y = (y > 0).astype(float)
    if params["objective"] == "poisson":
        y = np.exp(y / 4)
    return lgb.train({**BASE, **params}, lgb.Dataset(x, label=y), num_boost_round=rounds)


def _subset(ours: Any, theirs: Any, where: str) -> None:
    """Every key we produce has LightGBM's value (floats to the bit)."""
    if isinstance(ours, dict):
        for key, value in ours.items():
            if key == "leaf_index" and key not in theirs:  # a single-leaf tree's root
                continue
            _subset(value, theirs[key], f"{where}.{key}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _subset(a, b, f"{where}[{i}]")
    else:
        assert ours == theirs and type(ours) is type(theirs), (where, ours, theirs)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_text_dump_equals_lightgbms_dump(name: str) -> None:
    booster = _train(*MODELS[name])
    _subset(dump_from_text(booster.model_to_string()), booster.dump_model(), name)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_forest_from_text_equals_forest_from_booster(name: str) -> None:
    booster = _train(*MODELS[name])
    ours = compile_lightgbm(TextBooster(booster.model_to_string()))
    theirs = compile_lightgbm(booster)
    for field in dataclasses.fields(theirs):
        a, b = getattr(ours, field.name), getattr(theirs, field.name)
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        elif field.name != "quick":
            assert a == b, field.name
    x, _ = _data(2)
    np.testing.assert_array_equal(ours.predict(x), booster.predict(x))


def test_linear_trees_and_junk_are_refused() -> None:
    x, y = _data(1)
    linear = lgb.train({**BASE, "objective": "regression", "linear_tree": True},
                       lgb.Dataset(np.nan_to_num(x), label=y), num_boost_round=2)
    with pytest.raises(BadRequest, match="linear trees"):
        compile_lightgbm(TextBooster(linear.model_to_string()))
    with pytest.raises(BadRequest, match="not a LightGBM text model"):
        dump_from_text("tree\nversion=v4\n")


def test_text_booster_answers_other_questions_with_the_real_booster() -> None:
    booster = _train({"objective": "regression"}, 5)
    text = TextBooster(booster.model_to_string())
    assert text.num_trees() == booster.num_trees()
    assert text.feature_name() == booster.feature_name()


def test_serving_a_stored_model_never_imports_lightgbm(tmp_path: Path) -> None:
    booster = _train({"objective": "binary"}, 10)
    model = TrainedModel(kind="lightgbm", estimator=booster,
                         feature_names=tuple(f"f{i}" for i in range(5)), target="sign",
                         horizon_days=5, estimator_name="lightgbm")
    (tmp_path / "model.bin").write_bytes(to_bytes(model))
    x, _ = _data(4)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "expected.npy", booster.predict(x))
    script = (
        "import sys, numpy as np\n"
        "from chitti.compute.ml import from_bytes\n"
        f"model = from_bytes(open({str(tmp_path / 'model.bin')!r}, 'rb').read())\n"
        f"scores = model.predict(np.load({str(tmp_path / 'x.npy')!r}))\n"
        f"assert np.array_equal(scores, np.load({str(tmp_path / 'expected.npy')!r}))\n"
        "print('lightgbm' in sys.modules, 'sklearn' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ}, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
    # and the artefact still round-trips through the real booster when asked for it
    assert to_bytes(from_bytes(to_bytes(model))) == to_bytes(model)
