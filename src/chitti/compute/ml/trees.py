"""Serve a LightGBM model from flat NumPy arrays with a Numba kernel.

A trained booster (``booster.dump_model()``) is compiled once into a :class:`CompiledForest`:
per split node its feature, threshold and children, and per leaf its value, all trees in one
set of arrays. :meth:`CompiledForest.predict` walks every tree for every row, sums the leaf
values in tree order in float64 and applies the objective's transform, exactly as LightGBM's
``Tree::NumericalDecision`` and ``GBDT::Predict`` do:

* a value with ``|x| <= kZeroThreshold`` (LightGBM's ``1e-35f`` widened to double) is read
  as 0.0 (LightGBM drops such values from a dense row before predicting);
* NaN under ``missing_type`` None becomes 0.0 and is then compared; under Zero, NaN and
  zero take the node's default direction; under NaN, NaN takes the default direction;
* otherwise ``x <= threshold`` goes left (an infinite threshold, which ``dump_model()``
  writes as +-1e300, is restored to +-inf so an infinite value goes where LightGBM sends it).
The two special directions (NaN, zero) are resolved once per node at compile time, so the
kernel does one comparison per node for an ordinary value.

Supported: numerical splits; one tree per iteration (regression, binary, ranking, Poisson,
Gamma, Tweedie, cross-entropy objectives); ``boosting="rf"`` (averaged output). Refused with
a :class:`~chitti.errors.BadRequest`: categorical splits, linear trees, multiclass.

Why this path. ``bench/ml.py``, 2026-12, on this project's shared 2-core AMD EPYC VM: a
500-tree, 31-leaf regression model on 200 features (5 % NaN); microseconds per row, medians;
one-row calls cycle through 10,000 different rows; largest difference from LightGBM's
``Booster.predict`` over those rows:

==================================  ===========  =============  ===========  ===========
path                                1 row        10k rows       10k rows     max |diff|
                                    (2 threads)  (2 threads)    (1 thread)
==================================  ===========  =============  ===========  ===========
this kernel (``predict``)           59           18.9           36.3         0
this kernel (``predict_one``)       46           -              -            0
LightGBM ``Booster.predict``        104          29.6           61.5         0
ONNX Runtime (onnxmltools, f32)     70           17.7           26.4         0.7-1.2e-5
scikit-learn HistGradientBoosting   6,200        79             142          (own model)
==================================  ===========  =============  ===========  ===========

ONNX Runtime is a little faster in batches (1.1x on two threads, 1.4x on one), but
onnxmltools writes ``TreeEnsembleRegressor`` with float32 thresholds and leaf weights, and
that operator's output is float32 even at ``ai.onnx.ml`` opset 3 (whose ``*_as_tensor``
attributes take double thresholds): a value within float32 rounding of a threshold takes the
other branch and the sum is rounded, so it misses the 1e-6 agreement by an order of
magnitude. LightGBM is exact but 1.6-1.8x slower, and its per-call overhead makes one row
cost ~100 us. This kernel performs LightGBM's float64 operations in LightGBM's order, so it
agrees to the last bit (the tests ask 1e-12 and find 0), and it is the fastest for one row:
it is the serving path. The issue's batch target of 10 us/row is not met on this machine
(18.9 us on two threads, where LightGBM itself takes 29.6); the time goes to about 3,500
data-dependent branches per row (500 trees x ~7 levels; one row repeated, whose branches the
CPU learns, runs 2.5x faster). Node layouts tried and measured no faster: an array of
24-byte node records, pre-order with implicit left children, branch-free fixed-depth walks
interleaving 4 or 8 rows, tree-major blocks of transposed rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit, prange

from chitti.errors import BadRequest

#: LightGBM's ``kZeroThreshold`` (``const double kZeroThreshold = 1e-35f``): a float literal
#: widened to double, 1.0000000180025095e-35, not the double 1e-35.
K_ZERO_THRESHOLD = float(np.float32(1e-35))

TRANSFORM_IDENTITY = 0
TRANSFORM_SIGMOID = 1
TRANSFORM_EXP = 2

_IDENTITY_OBJECTIVES = ("regression", "regression_l1", "huber", "fair", "quantile", "mape",
                        "lambdarank", "rank_xendcg")
_EXP_OBJECTIVES = ("poisson", "gamma", "tweedie")
# dump_model() writes an infinite threshold as +-1e300 (LightGBM's AvoidInf); the model
# itself (and model_to_string) keeps inf, which decides where an inf feature value goes.
_AVOID_INF = 1e300
# Rows per block of the batch kernel: the block's rows walk one tree before the next tree,
# so a tree's nodes stay in L1 while the rows of the block (64 x 200 features x 8 bytes =
# 100 kB) stay in L2.
_BLOCK_ROWS = 64
# Below this many rows the batch kernel runs on one thread (thread start-up costs more).
_PARALLEL_MIN_ROWS = 2048


@njit(cache=True, nogil=True, inline="always")
def _walk(row: np.ndarray, node: int, feature: np.ndarray, threshold: np.ndarray,
          children: np.ndarray, nan_left: np.ndarray, zero_left: np.ndarray) -> int:
    # Returns the leaf index (children encode a leaf as ~leaf, i.e. a negative number).
    while node >= 0:
        v = row[feature[node]]
        if abs(v) > K_ZERO_THRESHOLD:        # False for NaN and for (near-)zero
            go_left = v <= threshold[node]
        elif v != v:
            go_left = nan_left[node]
        else:
            go_left = zero_left[node]
        node = children[node, 0] if go_left else children[node, 1]
    return ~node


@njit(cache=True, nogil=True)
def _transform(raw: float, transform: int, scale: float) -> float:
    if transform == TRANSFORM_SIGMOID:
        return 1.0 / (1.0 + math.exp(-scale * raw))
    if transform == TRANSFORM_EXP:
        return math.exp(raw)
    return raw


@njit(cache=True, nogil=True)
def _predict_one(row: np.ndarray, roots: np.ndarray, feature: np.ndarray,
                 threshold: np.ndarray, children: np.ndarray, nan_left: np.ndarray,
                 zero_left: np.ndarray, leaf_value: np.ndarray, divisor: float,
                 transform: int, scale: float) -> float:
    total = 0.0
    for t in range(roots.shape[0]):
        total += leaf_value[_walk(row, roots[t], feature, threshold, children, nan_left,
                                  zero_left)]
    return _transform(total / divisor, transform, scale)


@njit(cache=True, nogil=True)
def _predict_block(rows: np.ndarray, start: int, stop: int, out: np.ndarray,
                   roots: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
                   children: np.ndarray, nan_left: np.ndarray, zero_left: np.ndarray,
                   leaf_value: np.ndarray, divisor: float, transform: int,
                   scale: float) -> None:
    for i in range(start, stop):
        out[i] = 0.0
    for t in range(roots.shape[0]):          # tree order, as LightGBM sums
        root = roots[t]
        for i in range(start, stop):
            out[i] += leaf_value[_walk(rows[i], root, feature, threshold, children,
                                       nan_left, zero_left)]
    for i in range(start, stop):
        out[i] = _transform(out[i] / divisor, transform, scale)


@njit(cache=True, nogil=True)
def _predict_serial(rows: np.ndarray, out: np.ndarray, roots: np.ndarray,
                    feature: np.ndarray, threshold: np.ndarray, children: np.ndarray,
                    nan_left: np.ndarray, zero_left: np.ndarray, leaf_value: np.ndarray,
                    divisor: float, transform: int, scale: float) -> None:
    n = rows.shape[0]
    for start in range(0, n, _BLOCK_ROWS):
        _predict_block(rows, start, min(start + _BLOCK_ROWS, n), out, roots, feature,
                       threshold, children, nan_left, zero_left, leaf_value, divisor,
                       transform, scale)


@njit(cache=True, nogil=True, parallel=True)
def _predict_parallel(rows: np.ndarray, out: np.ndarray, roots: np.ndarray,
                      feature: np.ndarray, threshold: np.ndarray, children: np.ndarray,
                      nan_left: np.ndarray, zero_left: np.ndarray, leaf_value: np.ndarray,
                      divisor: float, transform: int, scale: float) -> None:
    n = rows.shape[0]
    for b in prange((n + _BLOCK_ROWS - 1) // _BLOCK_ROWS):
        start = b * _BLOCK_ROWS
        _predict_block(rows, start, min(start + _BLOCK_ROWS, n), out, roots, feature,
                       threshold, children, nan_left, zero_left, leaf_value, divisor,
                       transform, scale)


@dataclass(frozen=True, eq=False)
class CompiledForest:
    """A LightGBM model as flat arrays, evaluated by a Numba kernel.

    Attributes
    ----------
    feature_names
        The model's input columns, in order; rows given to :meth:`predict` follow it.
    objective
        LightGBM's objective string (e.g. ``"regression"``, ``"binary sigmoid:1"``).
    roots
        int32, per tree: its root node, or ``~leaf`` for a one-leaf tree.
    feature, threshold, children, nan_left, zero_left
        Per split node: the feature index, the threshold (``x <= threshold`` goes left),
        the (left, right) children (``>= 0`` a node, ``< 0`` is ``~leaf``), and the
        direction a NaN and a zero take (resolved from ``missing_type``/``default_left``).
    leaf_value
        float64 per leaf (the learning rate is already applied; the first tree carries the
        initial score).
    divisor
        1, or the number of trees for a random forest (``average_output``).
    transform, scale
        The output transform: identity, sigmoid ``1 / (1 + exp(-scale x))`` or ``exp``.
    """

    feature_names: tuple[str, ...]
    objective: str
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    children: np.ndarray
    nan_left: np.ndarray
    zero_left: np.ndarray
    leaf_value: np.ndarray
    divisor: float
    transform: int
    scale: float

    @property
    def n_features(self) -> int:
        """Return the number of input columns."""
        return len(self.feature_names)

    @property
    def n_trees(self) -> int:
        """Return the number of trees."""
        return int(self.roots.shape[0])

    def _args(self) -> tuple[Any, ...]:
        return (self.roots, self.feature, self.threshold, self.children, self.nan_left,
                self.zero_left, self.leaf_value, self.divisor, self.transform, self.scale)

    def _rows(self, rows: np.ndarray) -> np.ndarray:
        x = rows if isinstance(rows, np.ndarray) else np.asarray(rows)
        if x.dtype != np.float64 or not x.flags.c_contiguous:
            x = np.ascontiguousarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise BadRequest(f"rows: shape {x.shape}; expected (n, {len(self.feature_names)}) "
                             "with the model's features in its order")
        return x

    def predict(self, rows: np.ndarray, *, parallel: bool | None = None) -> np.ndarray:
        """Return the model's output for each row, as LightGBM's ``Booster.predict`` would.

        Parameters
        ----------
        rows
            float64 ``(n, n_features)`` (a 1-D array is one row); NaN is a missing value.
        parallel
            Spread rows over Numba's threads; by default only from 2,048 rows on.

        Returns
        -------
        numpy.ndarray
            float64 ``(n,)``: the raw score for regression and ranking objectives, the
            probability of class 1 for binary, ``exp`` of the score for Poisson-type ones.
        """
        x = self._rows(rows)
        n = x.shape[0]
        out = np.empty(n)
        if n == 1:
            out[0] = _predict_one(x[0], *self._args())
        elif parallel or (parallel is None and n >= _PARALLEL_MIN_ROWS):
            _predict_parallel(x, out, *self._args())
        else:
            _predict_serial(x, out, *self._args())
        return out

    def predict_one(self, row: np.ndarray) -> float:
        """Return the output for one row (float64 ``(n_features,)``): the low-latency path."""
        x = row if isinstance(row, np.ndarray) and row.dtype == np.float64 else np.asarray(
            row, dtype=np.float64)
        if x.shape != (len(self.feature_names),):
            raise BadRequest(f"row: shape {x.shape}; expected ({len(self.feature_names)},)")
        return float(_predict_one(x, *self._args()))


def _transform_of(objective: str) -> tuple[int, float]:
    words = objective.split()
    name = words[0] if words else ""
    if name == "binary":
        scale = 1.0
        for w in words[1:]:
            if w.startswith("sigmoid:"):
                scale = float(w.split(":", 1)[1])
        return TRANSFORM_SIGMOID, scale
    if name in ("cross_entropy", "xentropy"):
        return TRANSFORM_SIGMOID, 1.0
    if "sqrt" in words[1:]:
        raise BadRequest("model: objective with reg_sqrt=True is not supported for serving; "
                         "train without reg_sqrt")
    if name in _IDENTITY_OBJECTIVES:
        return TRANSFORM_IDENTITY, 1.0
    if name in _EXP_OBJECTIVES:
        return TRANSFORM_EXP, 1.0
    raise BadRequest(f"model: objective {objective!r} is not supported for serving; use a "
                     f"regression, binary, ranking or {'/'.join(_EXP_OBJECTIVES)} objective")


class _Builder:
    """Flattens the JSON trees of ``dump_model()`` into one set of node and leaf arrays."""

    def __init__(self) -> None:
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.children: list[list[int]] = []
        self.nan_left: list[bool] = []
        self.zero_left: list[bool] = []
        self.leaf_value: list[float] = []

    def leaf(self, node: Mapping[str, Any]) -> int:
        if "leaf_coeff" in node:
            raise BadRequest("model: linear trees (linear_tree=True) are not supported for "
                             "serving; train with linear_tree=False")
        self.leaf_value.append(float(node["leaf_value"]))
        return ~(len(self.leaf_value) - 1)

    def split(self, node: Mapping[str, Any], tree: int) -> int:
        if node.get("decision_type") != "<=":
            raise BadRequest(
                f"model: tree {tree} has a categorical split (decision_type "
                f"{node.get('decision_type')!r}); categorical features are not supported for "
                "serving: encode them as numbers and retrain without categorical_feature")
        thr = float(node["threshold"])
        if abs(thr) >= _AVOID_INF:
            thr = math.copysign(math.inf, thr)
        default_left = bool(node["default_left"])
        missing = node.get("missing_type", "None")
        if missing not in ("None", "Zero", "NaN"):
            raise BadRequest(f"model: tree {tree}: unknown missing_type {missing!r}")
        self.feature.append(int(node["split_feature"]))
        self.threshold.append(thr)
        self.children.append([0, 0])
        # NaN: the default direction under Zero and NaN; under None it is read as 0.0.
        self.nan_left.append(default_left if missing != "None" else 0.0 <= thr)
        # Zero: the default direction under Zero; otherwise compared like any value.
        self.zero_left.append(default_left if missing == "Zero" else 0.0 <= thr)
        return len(self.feature) - 1

    def tree(self, root: Mapping[str, Any], tree: int) -> int:
        if "leaf_value" in root:
            return self.leaf(root)
        top = self.split(root, tree)
        stack: list[tuple[int, Mapping[str, Any]]] = [(top, root)]
        while stack:
            idx, node = stack.pop()
            kids = []
            for side in ("left_child", "right_child"):
                child = node[side]
                kids.append(self.leaf(child) if "leaf_value" in child
                            else self.split(child, tree))
            self.children[idx] = kids
            # Siblings get adjacent indices (both are created when their parent is visited).
            for child, k in ((node["right_child"], kids[1]), (node["left_child"], kids[0])):
                if k >= 0:
                    stack.append((k, child))
        return top


def compile_dump(dump: Mapping[str, Any], *,
                 feature_names: Sequence[str] | None = None) -> CompiledForest:
    """Compile the dict of LightGBM's ``Booster.dump_model()`` into a :class:`CompiledForest`.

    ``feature_names`` replaces the names stored in the model (LightGBM refuses some
    characters in names, so a caller may have trained under sanitised ones); it must have
    one name per model input.

    Raises
    ------
    BadRequest
        For a model this kernel cannot evaluate exactly: categorical splits, linear trees,
        more than one tree per iteration (multiclass) or an unsupported objective.
    """
    per_iter = int(dump.get("num_tree_per_iteration", 1))
    if per_iter != 1 or int(dump.get("num_class", 1)) != 1:
        raise BadRequest(f"model: {per_iter} trees per iteration (multiclass); serving "
                         "supports one output per row: train a regression or binary model")
    objective = str(dump.get("objective", "regression"))
    transform, scale = _transform_of(objective)
    builder = _Builder()
    trees: Sequence[Mapping[str, Any]] = dump["tree_info"]
    roots = [builder.tree(t["tree_structure"], i) for i, t in enumerate(trees)]
    if not roots:
        raise BadRequest("model: no trees; train at least one boosting round")
    average = bool(dump.get("average_output", False))
    names = tuple(str(f) for f in dump["feature_names"])
    if feature_names is not None:
        if len(feature_names) != len(names):
            raise BadRequest(f"feature_names: {len(feature_names)} names for a model with "
                             f"{len(names)} inputs")
        names = tuple(feature_names)
    return CompiledForest(
        feature_names=names,
        objective=objective,
        roots=np.array(roots, dtype=np.int32),
        feature=np.array(builder.feature, dtype=np.int32),
        threshold=np.array(builder.threshold, dtype=np.float64),
        children=np.array(builder.children, dtype=np.int32).reshape(-1, 2),
        nan_left=np.array(builder.nan_left, dtype=np.bool_),
        zero_left=np.array(builder.zero_left, dtype=np.bool_),
        leaf_value=np.array(builder.leaf_value, dtype=np.float64),
        divisor=float(len(roots)) if average else 1.0,
        transform=transform,
        scale=scale,
    )


def compile_lightgbm(booster: Any, *,
                     feature_names: Sequence[str] | None = None) -> CompiledForest:
    """Compile a trained ``lightgbm.Booster`` (or an ``LGBMModel``) for serving.

    The booster's best iteration is used when it has one (as ``Booster.predict`` does).
    See :func:`compile_dump` for what is refused.
    """
    inner = getattr(booster, "booster_", booster)
    if not hasattr(inner, "dump_model"):
        raise BadRequest(f"model: expected a lightgbm.Booster, got {type(booster).__name__}")
    return compile_dump(inner.dump_model(), feature_names=feature_names)
