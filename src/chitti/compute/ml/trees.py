"""Serve a LightGBM model from flat NumPy arrays with Numba kernels.

A trained booster is compiled once into a :class:`CompiledForest`: per split node its
feature, threshold and children, per leaf its value, all trees in one set of arrays, and
the same trees as QuickScorer tables. :meth:`CompiledForest.predict` finds every tree's
leaf for every row, sums the leaf values in tree order in float64 and applies the
objective's transform, exactly as LightGBM's ``Tree::NumericalDecision`` and
``GBDT::Predict`` do:

* a value with ``|x| <= kZeroThreshold`` (LightGBM's ``1e-35f`` widened to double) is read
  as 0.0 (LightGBM drops such values from a dense row before predicting);
* NaN under ``missing_type`` None becomes 0.0 and is then compared; under Zero, NaN and
  zero take the node's default direction; under NaN, NaN takes the default direction;
* otherwise ``x <= threshold`` goes left. ``dump_model()`` writes a threshold beyond
  +-1e300 as +-1e300, so :func:`compile_lightgbm` reads those from ``model_to_string()``
  (training on -inf values gives -DBL_MAX; an edited model may hold +-inf).
The two special directions (NaN, zero) are resolved once per node at compile time.

Two kernels (:mod:`chitti.compute.ml._tree_kernels`) give the same bits. QuickScorer
(Lucchese et al., SIGIR 2015), the default, keeps a bit per leaf and clears, feature by
feature, the leaves that the nodes a value goes right at rule out; 16 rows share each
feature's scan through SIMD compares. It needs a tree's leaves in one machine word, so a
model with a tree of more than 64 leaves is walked instead, tree by tree from the root.

Supported: numerical splits; one tree per iteration (regression, binary, ranking, Poisson,
Gamma, Tweedie, cross-entropy objectives); ``boosting="rf"`` (averaged output). Refused with
a :class:`~chitti.errors.BadRequest`: categorical splits, linear trees, multiclass.

Why this path. ``bench/ml.py``, 2026-12, on this project's shared 2-core AMD EPYC VM: a
500-tree, 31-leaf regression model on 200 features (5 % NaN); microseconds per row, median
[min..max] of one run (the last of the six below) with every path in it; one-row calls cycle through
10,000 different rows; largest difference from LightGBM's ``Booster.predict`` over those
rows. Two threads:

=============================  ======================  =================  ===========
path                           1 row                   10k rows           max |diff|
=============================  ======================  =================  ===========
QuickScorer (``predict``)      29.2 [24.9..102]        4.8 [2.1..8.2]     0
QuickScorer (``predict_one``)  24.8 [20.5..340]        -                  -
walk (``predict``)             37.8 [31.0..995]        32.5 [24.9..51.3]  0
walk (``predict_one``)         36.4 [29.7..761]        -                  -
LightGBM ``Booster.predict``   104 [92.6..22,009]      52.6 [41.0..62.9]  0
ONNX Runtime (onnxmltools)     56.3 [30.4..10,305]     31.4 [20.3..55.8]  6.9e-6
scikit-learn HGB               5,919 [4,088..324,852]  113 [74.8..171]    (own model)
=============================  ======================  =================  ===========

One thread:

=============================  ======================  =================
path                           1 row                   10k rows
=============================  ======================  =================
QuickScorer (``predict``)      26.4 [22.2..4,084]      5.0 [4.3..7.8]
QuickScorer (``predict_one``)  25.5 [21.7..1,926]      -
walk (``predict``)             37.6 [31.6..1,658]      37.5 [32.5..50.6]
walk (``predict_one``)         36.5 [30.3..813]        -
LightGBM ``Booster.predict``   101 [89.3..500]         66.4 [60.0..75.3]
ONNX Runtime (onnxmltools)     53.8 [46.8..4,318]      29.5 [23.8..35.9]
scikit-learn HGB               4,462 [3,903..16,228]   81.7 [54.4..132]
=============================  ======================  =================

QuickScorer meets the issue's 10 us/row for batches: 10k rows take 4.8 us a row on two
threads, 7x less than the walk and 11x less than LightGBM (same run), and one row 25 us,
1.5x less than the walk and 4x less than LightGBM. Other helpers loaded the machine during
the six runs (load average 2.8-7 on 2 cores): the medians for 10k rows were 3.8, 17.8,
10.6, 4.9, 4.2 and 4.8 us on two threads, 10.0, 10.2, 4.4, 5.0, 5.0 and 5.0 on one. A
second thread helps little while the other core is busy, and a call waits for its slower
half when one thread is descheduled; the fastest calls (2.1 us) show the 2x of two free
cores. The walk spends its time on about 3,500 data-dependent branches per row (500 trees x
~7 levels; one row repeated, whose branches the CPU learns, runs 2.5x faster);
QuickScorer's only unpredictable branch ends each feature's scan, shared by 16 rows, and
each node costs one AVX2 compare, select and AND for them all. Measured on the way (CPU
time per row, one thread, this model): plain QuickScorer one row at a time, 1.2x faster
than the walk (about 7,400 scalar ANDs per row); 8 rows per scan without SIMD (Numba leaves
LLVM's SLP vectoriser off, and each lane became a branch), 2.3x; with the SIMD intrinsic,
8x at 16 rows (4 rows 1.8x slower, 32 or 64 rows 10 % faster but twice the leaf words per
tree); 32-bit leaf words 8 % faster than 64-bit ones, so they are used when every tree has
at most 32 leaves. Earlier walk layouts, none faster: 24-byte node records, pre-order with
implicit left children, branch-free fixed-depth walks interleaving 4 or 8 rows, tree-major
blocks of transposed rows.

ONNX Runtime is not used: onnxmltools writes ``TreeEnsembleRegressor`` with float32
thresholds and leaf weights, and that operator's output is float32 even at ``ai.onnx.ml``
opset 3 (whose ``*_as_tensor`` attributes take double thresholds): a value within float32
rounding of a threshold takes the other branch and the sum is rounded, so it misses the
1e-6 agreement. LightGBM is exact but slower, and its per-call overhead makes one row cost
~100 us. Both kernels here perform LightGBM's float64 operations in LightGBM's order, so
they agree to the last bit (the tests ask 1e-12 and find 0).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from chitti.compute.ml._tree_kernels import (
    K_ZERO_THRESHOLD,
    TRANSFORM_EXP,
    TRANSFORM_IDENTITY,
    TRANSFORM_SIGMOID,
    quick_one,
    quick_parallel,
    quick_serial,
    walk_one,
    walk_parallel,
    walk_serial,
)
from chitti.errors import BadRequest

__all__ = [
    "K_ZERO_THRESHOLD",
    "TRANSFORM_EXP",
    "TRANSFORM_IDENTITY",
    "TRANSFORM_SIGMOID",
    "CompiledForest",
    "QuickScorerTables",
    "compile_dump",
    "compile_lightgbm",
    "quickscorer_tables",
]

_IDENTITY_OBJECTIVES = ("regression", "regression_l1", "huber", "fair", "quantile", "mape",
                        "lambdarank", "rank_xendcg")
_EXP_OBJECTIVES = ("poisson", "gamma", "tweedie")
# dump_model() writes a threshold beyond +-1e300 as +-1e300 (LightGBM's AvoidInf); the
# model itself and model_to_string() keep it (-DBL_MAX after training on -inf values, inf
# in an edited model), and it decides where a value beyond 1e300 goes.
_AVOID_INF = 1e300
# Below this many rows the batch kernels run on one thread (thread start-up costs more).
_PARALLEL_MIN_ROWS = 2048
# QuickScorer keeps one bit per leaf in a machine word.
_QUICK_MAX_LEAVES = 64


@dataclasses.dataclass(frozen=True, eq=False)
class QuickScorerTables:
    """The forest laid out for QuickScorer (see :mod:`chitti.compute.ml._tree_kernels`).

    A tree's leaves are numbered left to right, and a row keeps one word per tree with a
    bit per leaf. A split node on feature ``f`` sends a value right when it is above the
    node's threshold, which rules out every leaf of its left subtree: the node's ``mask``
    is the tree's word with those bits cleared. Once all features are done, the exit leaf
    of each tree is its lowest bit still set.

    Attributes
    ----------
    used
        int32: the features some node splits on, ascending.
    start
        int64 ``(n_features + 1,)``: feature ``f``'s split nodes are ``start[f]`` up to
        ``start[f + 1]`` of ``threshold``, ``tree`` and ``mask``, by ascending threshold.
    threshold, tree, mask
        Per split node: its threshold (as in :class:`CompiledForest`), its tree, and its
        mask (uint32 when every tree has at most 32 leaves, else uint64).
    nan_start, nan_tree, nan_mask
        By feature like ``start``: the nodes that send a NaN right (after LightGBM's
        missing-value rules), with their tree and mask.
    zero_start, zero_tree, zero_mask
        The same for a value with ``|x| <= K_ZERO_THRESHOLD``.
    initial
        Per tree: its word with one bit per leaf set.
    leaf_start
        int64 per tree: where its leaves start in ``leaf_value``.
    leaf_value
        float64 per leaf, tree by tree, each tree's leaves left to right.
    """

    used: np.ndarray
    start: np.ndarray
    threshold: np.ndarray
    tree: np.ndarray
    mask: np.ndarray
    nan_start: np.ndarray
    nan_tree: np.ndarray
    nan_mask: np.ndarray
    zero_start: np.ndarray
    zero_tree: np.ndarray
    zero_mask: np.ndarray
    initial: np.ndarray
    leaf_start: np.ndarray
    leaf_value: np.ndarray

    def args(self) -> tuple[np.ndarray, ...]:
        """Return the arrays in the order of the QuickScorer kernels' arguments."""
        return (self.used, self.start, self.threshold, self.tree, self.mask, self.nan_start,
                self.nan_tree, self.nan_mask, self.zero_start, self.zero_tree,
                self.zero_mask, self.initial, self.leaf_start, self.leaf_value)


@dataclasses.dataclass(frozen=True, eq=False)
class CompiledForest:
    """A LightGBM model as flat arrays, evaluated by Numba kernels.

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
    quick
        The same trees as QuickScorer tables, the path :meth:`predict` takes; None when a
        tree has more than 64 leaves, and the trees are then walked.
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
    quick: QuickScorerTables | None = None

    @property
    def n_features(self) -> int:
        """Return the number of input columns."""
        return len(self.feature_names)

    @property
    def n_trees(self) -> int:
        """Return the number of trees."""
        return int(self.roots.shape[0])

    @cached_property
    def _walk_args(self) -> tuple[Any, ...]:
        return (self.roots, self.feature, self.threshold, self.children, self.nan_left,
                self.zero_left, self.leaf_value, self.divisor, self.transform, self.scale)

    @cached_property
    def _quick_args(self) -> tuple[Any, ...]:
        assert self.quick is not None
        return (*self.quick.args(), self.divisor, self.transform, self.scale)

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
        many = parallel or (parallel is None and n >= _PARALLEL_MIN_ROWS)
        if self.quick is None:
            if n == 1:
                out[0] = walk_one(x[0], *self._walk_args)
            else:
                (walk_parallel if many else walk_serial)(x, out, *self._walk_args)
        elif n == 1:
            out[0] = quick_one(x[0], *self._quick_args)
        else:
            (quick_parallel if many else quick_serial)(x, out, *self._quick_args)
        return out

    def predict_one(self, row: np.ndarray) -> float:
        """Return the output for one row (float64 ``(n_features,)``): the low-latency path."""
        x = row if isinstance(row, np.ndarray) and row.dtype == np.float64 else np.asarray(
            row, dtype=np.float64)
        if x.shape != (len(self.feature_names),):
            raise BadRequest(f"row: shape {x.shape}; expected ({len(self.feature_names)},)")
        if not x.flags.c_contiguous:
            x = np.ascontiguousarray(x)
        if self.quick is None:
            return float(walk_one(x, *self._walk_args))
        return float(quick_one(x, *self._quick_args))


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
        # (node, tree, split_index) of each threshold the dump wrote as +-1e300.
        self.beyond: list[tuple[int, int, int]] = []

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
            # +-inf until the exact value is known (see _exact_thresholds); only the sign
            # matters for the NaN and zero directions below.
            self.beyond.append((len(self.feature), tree, int(node["split_index"])))
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


def _leaf_order(roots: np.ndarray, children: np.ndarray, n_leaves_total: int
                ) -> tuple[list[int], list[int], list[int], np.ndarray, list[int]] | None:
    """Number every tree's leaves left to right: per node its tree, the position of its
    first leaf and the leaf count of its left subtree; the leaf at each position; the
    leaf count per tree. None when a tree has more than 64 leaves."""
    kids = children.tolist()
    size = [0] * len(kids)                   # leaves under each node
    for n in range(len(kids) - 1, -1, -1):   # a child always comes after its parent
        left, right = kids[n]
        size[n] = (size[left] if left >= 0 else 1) + (size[right] if right >= 0 else 1)
    tops = roots.tolist()
    per_tree = [size[r] if r >= 0 else 1 for r in tops]
    if max(per_tree) > _QUICK_MAX_LEAVES:
        return None
    node_tree, first, left_size = [0] * len(kids), [0] * len(kids), [0] * len(kids)
    leaf_at = np.empty(n_leaves_total, dtype=np.int64)
    position = 0
    for t, r in enumerate(tops):
        if r < 0:
            leaf_at[position] = ~r
        else:
            node_tree[r], first[r] = t, position
        position += per_tree[t]
    for n, (left, right) in enumerate(kids):
        t, lo = node_tree[n], first[n]
        left_size[n] = size[left] if left >= 0 else 1
        for child, pos in ((left, lo), (right, lo + left_size[n])):
            if child >= 0:
                node_tree[child], first[child] = t, pos
            else:
                leaf_at[pos] = ~child
    return node_tree, first, left_size, leaf_at, per_tree


def _by_feature(nodes: np.ndarray, feature: np.ndarray, n_features: int
                ) -> tuple[np.ndarray, np.ndarray]:
    # Stable-sorts node indices by feature; returns them and the CSR offsets per feature.
    nodes = nodes[np.argsort(feature[nodes], kind="stable")]
    start = np.zeros(n_features + 1, dtype=np.int64)
    np.cumsum(np.bincount(feature[nodes], minlength=n_features), out=start[1:])
    return nodes, start


def quickscorer_tables(forest: CompiledForest) -> QuickScorerTables | None:
    """Lay out ``forest``'s trees for QuickScorer; None if a tree has more than 64 leaves."""
    order = _leaf_order(forest.roots, forest.children, forest.leaf_value.size)
    if order is None:
        return None
    node_tree, first, left_size, leaf_at, per_tree = order
    bits = 32 if max(per_tree) <= 32 else 64
    dtype = np.uint32 if bits == 32 else np.uint64
    full = (1 << bits) - 1
    leaf_start = np.zeros(len(per_tree), dtype=np.int64)
    np.cumsum(per_tree[:-1], out=leaf_start[1:])
    # A value right of a node rules out the leaves of the node's left subtree.
    mask = np.array([full ^ (((1 << size) - 1) << (lo - int(leaf_start[t])))
                     for t, lo, size in zip(node_tree, first, left_size, strict=True)],
                    dtype=dtype)
    tree = np.array(node_tree, dtype=np.int32)
    feature, n_features = forest.feature, forest.n_features
    nodes = np.lexsort((np.arange(feature.size), forest.threshold, feature))
    _, start = _by_feature(nodes, feature, n_features)
    nan_nodes, nan_start = _by_feature(np.flatnonzero(~forest.nan_left), feature, n_features)
    zero_nodes, zero_start = _by_feature(np.flatnonzero(~forest.zero_left), feature,
                                         n_features)
    return QuickScorerTables(
        used=np.flatnonzero(np.diff(start)).astype(np.int32),
        start=start, threshold=forest.threshold[nodes], tree=tree[nodes], mask=mask[nodes],
        nan_start=nan_start, nan_tree=tree[nan_nodes], nan_mask=mask[nan_nodes],
        zero_start=zero_start, zero_tree=tree[zero_nodes], zero_mask=mask[zero_nodes],
        initial=np.array([(1 << n) - 1 for n in per_tree], dtype=dtype),
        leaf_start=leaf_start, leaf_value=forest.leaf_value[leaf_at],
    )


def _exact_thresholds(builder: _Builder, model_text: str) -> None:
    # Replaces the thresholds the dump wrote as +-1e300 by those of the model's text.
    per_tree: list[list[float]] = []
    for line in model_text.splitlines():
        if line.startswith("Tree="):
            per_tree.append([])
        elif line.startswith("threshold=") and per_tree:
            per_tree[-1] = [float(v) for v in line[len("threshold="):].split()]
        elif line.startswith("end of trees"):
            break
    for node, tree, split in builder.beyond:
        builder.threshold[node] = per_tree[tree][split]


def compile_dump(dump: Mapping[str, Any], *,
                 feature_names: Sequence[str] | None = None) -> CompiledForest:
    """Compile the dict of LightGBM's ``Booster.dump_model()`` into a :class:`CompiledForest`.

    ``feature_names`` replaces the names stored in the model (LightGBM refuses some
    characters in names, so a caller may have trained under sanitised ones); it must have
    one name per model input.

    The dump writes a threshold beyond +-1e300 as +-1e300; it is taken here as +-inf, so a
    value between the true threshold and infinity may go the other way (training on -inf
    values gives -DBL_MAX, where -DBL_MAX itself goes left). :func:`compile_lightgbm`
    reads such thresholds exactly from the model's text.

    Raises
    ------
    BadRequest
        For a model this kernel cannot evaluate exactly: categorical splits, linear trees,
        more than one tree per iteration (multiclass) or an unsupported objective.
    """
    return _compile(dump, feature_names, None)


def _compile(dump: Mapping[str, Any], feature_names: Sequence[str] | None,
             model_text: Callable[[], str] | None) -> CompiledForest:
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
    if builder.beyond and model_text is not None:
        _exact_thresholds(builder, model_text())
    average = bool(dump.get("average_output", False))
    names = tuple(str(f) for f in dump["feature_names"])
    if feature_names is not None:
        if len(feature_names) != len(names):
            raise BadRequest(f"feature_names: {len(feature_names)} names for a model with "
                             f"{len(names)} inputs")
        names = tuple(feature_names)
    forest = CompiledForest(
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
    return dataclasses.replace(forest, quick=quickscorer_tables(forest))


def compile_lightgbm(booster: Any, *,
                     feature_names: Sequence[str] | None = None) -> CompiledForest:
    """Compile a trained ``lightgbm.Booster`` (or an ``LGBMModel``) for serving.

    The booster's best iteration is used when it has one (as ``Booster.predict`` does).
    See :func:`compile_dump` for what is refused; thresholds beyond +-1e300 are read from
    ``model_to_string()``, which keeps them exactly.
    """
    inner = getattr(booster, "booster_", booster)
    if not hasattr(inner, "dump_model"):
        raise BadRequest(f"model: expected a lightgbm.Booster, got {type(booster).__name__}")
    return _compile(inner.dump_model(), feature_names, inner.model_to_string)
