"""Numba kernels of :mod:`chitti.compute.ml.trees`: QuickScorer and the tree walk.

Both evaluate LightGBM's ``Tree::NumericalDecision`` for every split node on a row's path
(see the :mod:`~chitti.compute.ml.trees` docstring) and add the leaf values in tree order
in float64, so they give LightGBM's result to the last bit. They differ in how a row finds
its leaf:

* the **walk** follows each tree from its root: one data-dependent branch per level,
  about 3,500 per row for 500 trees of 31 leaves, which the CPU mostly cannot predict;
* **QuickScorer** (Lucchese et al., SIGIR 2015; TOIS 2016) keeps one bit per leaf and
  tree, all set, and visits each feature's split nodes in ascending threshold while the
  value is above the threshold: each such node sends the value right, so the leaves of
  its left subtree cannot be the exit leaf and its mask clears their bits. The exit leaf
  is then the lowest set bit (leaves are numbered left to right). The only unpredictable
  branch is the end of each feature's scan. Following V-QuickScorer (Lucchese et al.,
  SIGIR 2016), ``_LANES`` rows go through a feature's nodes together, one SIMD compare,
  select and AND per node for all of them (:func:`_and_lanes`), until the threshold passes
  the largest of their values; a value that is NaN or (near) zero is sent by each node's
  own missing-value rule instead (precomputed lists of the nodes where it goes right).

Everything jitted here calls only helpers of this module: Numba's cache does not notice a
change in a helper defined in another file.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

__all__ = [
    "K_ZERO_THRESHOLD",
    "TRANSFORM_EXP",
    "TRANSFORM_IDENTITY",
    "TRANSFORM_SIGMOID",
    "quick_one",
    "quick_parallel",
    "quick_serial",
    "walk_one",
    "walk_parallel",
    "walk_serial",
]

#: LightGBM's ``kZeroThreshold`` (``const double kZeroThreshold = 1e-35f``): a float literal
#: widened to double, 1.0000000180025095e-35, not the double 1e-35.
K_ZERO_THRESHOLD = float(np.float32(1e-35))

TRANSFORM_IDENTITY = 0
TRANSFORM_SIGMOID = 1
TRANSFORM_EXP = 2

# Walk: rows per block. The block's rows walk one tree before the next tree, so a tree's
# nodes stay in L1 while the rows of the block (64 x 200 features x 8 bytes = 100 kB) stay
# in L2.
_BLOCK_ROWS = 64
# QuickScorer: rows scanned together. 16 uint32 words are one 64-byte cache line per tree;
# per row, 4 lanes cost 1.8x as much CPU time, 8 lanes 1.3x, 32 or 64 lanes 10 % less
# (500 trees of 31 leaves, 200 features).
_LANES = 16
# One row alone: 2 lanes (one idle) cost least; 1 lane (scalar code) 1.15x, 4 lanes 1.04x,
# 16 lanes 1.4x.
_ONE_LANES = 2
# QuickScorer: rows per parallel task (each allocates its own bitvectors).
_TASK_ROWS = 64


# The two intrinsics are typed as Any for mypy, which would read their typing functions'
# signatures (a leading typing context) as theirs.


def _cttz_typing(typingctx: Any, word: Any) -> Any:
    """Count trailing zero bits of an unsigned word (LLVM ``cttz``: ``tzcnt`` on x86-64),
    as an intp."""
    if not isinstance(word, types.Integer):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        count = builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))
        return builder.zext(count, ir.IntType(64)) if args[0].type.width < 64 else count

    return types.intp(word), codegen


_cttz: Any = intrinsic(_cttz_typing)


def _and_lanes_typing(typingctx: Any, bits: Any, tree: Any, values: Any, threshold: Any,
                      mask: Any, lanes: Any) -> Any:
    """``bits[tree, :lanes] &= where(values[:lanes] > threshold, mask, ~0)`` as one vector
    compare, select and AND (Numba leaves its SLP vectoriser off, and the scalar loop
    compiles to one branch per lane). ``bits`` must be a C-contiguous ``(n_trees, lanes)``
    array of unsigned words and ``values`` float64 with at least ``lanes`` items; ``tree``
    is not bounds-checked."""
    if not (isinstance(lanes, types.IntegerLiteral) and isinstance(bits, types.Array)
            and bits.ndim == 2 and bits.layout == "C"
            and isinstance(bits.dtype, types.Integer) and isinstance(values, types.Array)
            and values.dtype == types.float64 and isinstance(tree, types.Integer)):
        return None
    n = int(lanes.literal_value)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        bits_arr = context.make_array(sig.args[0])(context, builder, args[0])
        values_arr = context.make_array(sig.args[2])(context, builder, args[2])
        word = context.get_value_type(sig.args[0].dtype)
        words = ir.VectorType(word, n)
        doubles = ir.VectorType(ir.DoubleType(), n)
        row = context.cast(builder, args[1], sig.args[1], types.intp)
        offset = builder.mul(row, ir.Constant(ir.IntType(64), n))
        ptr = builder.bitcast(builder.gep(bits_arr.data, [offset]), words.as_pointer())
        x = builder.load(builder.bitcast(values_arr.data, doubles.as_pointer()), align=8)
        thr = context.cast(builder, args[3], sig.args[3], types.float64)
        m = context.cast(builder, args[4], sig.args[4], sig.args[0].dtype)
        lane0 = ir.Constant(ir.IntType(32), 0)
        splat = ir.Constant(ir.VectorType(ir.IntType(32), n), [0] * n)
        thr_v = builder.shuffle_vector(
            builder.insert_element(ir.Constant(doubles, ir.Undefined), thr, lane0),
            ir.Constant(doubles, ir.Undefined), splat)
        mask_v = builder.shuffle_vector(
            builder.insert_element(ir.Constant(words, ir.Undefined), m, lane0),
            ir.Constant(words, ir.Undefined), splat)
        keep = builder.select(builder.fcmp_ordered(">", x, thr_v), mask_v,
                              ir.Constant(words, [-1] * n))
        align = word.width // 8
        builder.store(builder.and_(builder.load(ptr, align=align), keep), ptr, align=align)
        return context.get_dummy_value()

    return types.void(bits, tree, values, threshold, mask, lanes), codegen


_and_lanes: Any = intrinsic(prefer_literal=True)(_and_lanes_typing)


@njit(cache=True, nogil=True)
def _transform(raw: float, transform: int, scale: float) -> float:
    if transform == TRANSFORM_SIGMOID:
        return 1.0 / (1.0 + math.exp(-scale * raw))
    if transform == TRANSFORM_EXP:
        return math.exp(raw)
    return raw


# --- QuickScorer --------------------------------------------------------------------------


@njit(cache=True, nogil=True, inline="always")
def _load_lanes(rows: np.ndarray, r0: int, nb: int, f: int, lanes: int, bits: np.ndarray,
                values: np.ndarray, nan_start: np.ndarray, nan_tree: np.ndarray,
                nan_mask: np.ndarray, zero_start: np.ndarray, zero_tree: np.ndarray,
                zero_mask: np.ndarray) -> float:
    # Puts feature f of rows r0..r0+lanes into `values` and returns the largest. A NaN or
    # (near-)zero value is settled here by its own node lists and stored as -inf, which no
    # threshold is below (not even -inf), as is a lane past the last row.
    top = -np.inf
    for j in range(lanes):
        x = rows[r0 + j, f] if j < nb else -np.inf
        if abs(x) > K_ZERO_THRESHOLD:        # False for NaN and for (near-)zero
            values[j] = x
            top = max(top, x)
            continue
        values[j] = -np.inf
        if x != x:
            for k in range(nan_start[f], nan_start[f + 1]):
                bits[nan_tree[k], j] &= nan_mask[k]
        else:
            for k in range(zero_start[f], zero_start[f + 1]):
                bits[zero_tree[k], j] &= zero_mask[k]
    return top


@njit(cache=True, nogil=True, inline="always")
def _quick_block(rows: np.ndarray, r0: int, nb: int, lanes: int, out: np.ndarray,
                 bits: np.ndarray, values: np.ndarray, sums: np.ndarray, used: np.ndarray,
                 start: np.ndarray, threshold: np.ndarray, tree: np.ndarray,
                 mask: np.ndarray, nan_start: np.ndarray, nan_tree: np.ndarray,
                 nan_mask: np.ndarray, zero_start: np.ndarray, zero_tree: np.ndarray,
                 zero_mask: np.ndarray, initial: np.ndarray, leaf_start: np.ndarray,
                 leaf_value: np.ndarray, divisor: float, transform: int,
                 scale: float) -> None:
    # Scores rows r0..r0+nb (nb <= lanes); `bits` is (n_trees, lanes), `values` and `sums`
    # have `lanes` items.
    n_trees = initial.shape[0]
    for t in range(n_trees):
        every_leaf = initial[t]
        for j in range(lanes):
            bits[t, j] = every_leaf
    for f in used:
        top = _load_lanes(rows, r0, nb, f, lanes, bits, values, nan_start, nan_tree,
                          nan_mask, zero_start, zero_tree, zero_mask)
        k = start[f]
        end = start[f + 1]
        while k < end and threshold[k] < top:
            _and_lanes(bits, tree[k], values, threshold[k], mask[k], lanes)
            k += 1
    for j in range(lanes):
        sums[j] = 0.0
    for t in range(n_trees):                 # tree order, as LightGBM sums
        first = leaf_start[t]
        for j in range(lanes):
            sums[j] += leaf_value[first + _cttz(bits[t, j])]
    for j in range(nb):
        out[r0 + j] = _transform(sums[j] / divisor, transform, scale)


@njit(cache=True, nogil=True)
def quick_serial(rows: np.ndarray, out: np.ndarray, used: np.ndarray, start: np.ndarray,
                 threshold: np.ndarray, tree: np.ndarray, mask: np.ndarray,
                 nan_start: np.ndarray, nan_tree: np.ndarray, nan_mask: np.ndarray,
                 zero_start: np.ndarray, zero_tree: np.ndarray, zero_mask: np.ndarray,
                 initial: np.ndarray, leaf_start: np.ndarray, leaf_value: np.ndarray,
                 divisor: float, transform: int, scale: float) -> None:
    """Score every row of ``rows`` into ``out`` on the calling thread."""
    n = rows.shape[0]
    bits = np.empty((initial.shape[0], _LANES), initial.dtype)
    values = np.empty(_LANES)
    sums = np.empty(_LANES)
    for r0 in range(0, n, _LANES):
        _quick_block(rows, r0, min(_LANES, n - r0), _LANES, out, bits, values, sums, used,
                     start, threshold, tree, mask, nan_start, nan_tree, nan_mask,
                     zero_start, zero_tree, zero_mask, initial, leaf_start, leaf_value,
                     divisor, transform, scale)


@njit(cache=True, nogil=True, parallel=True)
def quick_parallel(rows: np.ndarray, out: np.ndarray, used: np.ndarray, start: np.ndarray,
                   threshold: np.ndarray, tree: np.ndarray, mask: np.ndarray,
                   nan_start: np.ndarray, nan_tree: np.ndarray, nan_mask: np.ndarray,
                   zero_start: np.ndarray, zero_tree: np.ndarray, zero_mask: np.ndarray,
                   initial: np.ndarray, leaf_start: np.ndarray, leaf_value: np.ndarray,
                   divisor: float, transform: int, scale: float) -> None:
    """Score every row of ``rows`` into ``out`` on Numba's threads."""
    n = rows.shape[0]
    for task in prange((n + _TASK_ROWS - 1) // _TASK_ROWS):
        bits = np.empty((initial.shape[0], _LANES), initial.dtype)
        values = np.empty(_LANES)
        sums = np.empty(_LANES)
        stop = min(n, (task + 1) * _TASK_ROWS)
        for r0 in range(task * _TASK_ROWS, stop, _LANES):
            _quick_block(rows, r0, min(_LANES, stop - r0), _LANES, out, bits, values, sums,
                         used, start, threshold, tree, mask, nan_start, nan_tree, nan_mask,
                         zero_start, zero_tree, zero_mask, initial, leaf_start, leaf_value,
                         divisor, transform, scale)


@njit(cache=True, nogil=True)
def quick_one(row: np.ndarray, used: np.ndarray, start: np.ndarray, threshold: np.ndarray,
              tree: np.ndarray, mask: np.ndarray, nan_start: np.ndarray,
              nan_tree: np.ndarray, nan_mask: np.ndarray, zero_start: np.ndarray,
              zero_tree: np.ndarray, zero_mask: np.ndarray, initial: np.ndarray,
              leaf_start: np.ndarray, leaf_value: np.ndarray, divisor: float,
              transform: int, scale: float) -> float:
    """Return the score of one row (float64 ``(n_features,)``, C-contiguous)."""
    rows = row.reshape((1, row.shape[0]))
    out = np.empty(1)
    bits = np.empty((initial.shape[0], _ONE_LANES), initial.dtype)
    values = np.empty(_ONE_LANES)
    sums = np.empty(_ONE_LANES)
    _quick_block(rows, 0, 1, _ONE_LANES, out, bits, values, sums, used, start, threshold,
                 tree, mask, nan_start, nan_tree, nan_mask, zero_start, zero_tree, zero_mask,
                 initial, leaf_start, leaf_value, divisor, transform, scale)
    return float(out[0])


# --- the walk (trees with more than 64 leaves) --------------------------------------------


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
def walk_one(row: np.ndarray, roots: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
             children: np.ndarray, nan_left: np.ndarray, zero_left: np.ndarray,
             leaf_value: np.ndarray, divisor: float, transform: int, scale: float) -> float:
    """Return the score of one row by walking every tree."""
    total = 0.0
    for t in range(roots.shape[0]):
        total += leaf_value[_walk(row, roots[t], feature, threshold, children, nan_left,
                                  zero_left)]
    return _transform(total / divisor, transform, scale)


@njit(cache=True, nogil=True)
def _walk_block(rows: np.ndarray, start: int, stop: int, out: np.ndarray,
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
def walk_serial(rows: np.ndarray, out: np.ndarray, roots: np.ndarray,
                feature: np.ndarray, threshold: np.ndarray, children: np.ndarray,
                nan_left: np.ndarray, zero_left: np.ndarray, leaf_value: np.ndarray,
                divisor: float, transform: int, scale: float) -> None:
    """Score every row of ``rows`` into ``out`` by walking, on the calling thread."""
    n = rows.shape[0]
    for start in range(0, n, _BLOCK_ROWS):
        _walk_block(rows, start, min(start + _BLOCK_ROWS, n), out, roots, feature,
                    threshold, children, nan_left, zero_left, leaf_value, divisor,
                    transform, scale)


@njit(cache=True, nogil=True, parallel=True)
def walk_parallel(rows: np.ndarray, out: np.ndarray, roots: np.ndarray,
                  feature: np.ndarray, threshold: np.ndarray, children: np.ndarray,
                  nan_left: np.ndarray, zero_left: np.ndarray, leaf_value: np.ndarray,
                  divisor: float, transform: int, scale: float) -> None:
    """Score every row of ``rows`` into ``out`` by walking, on Numba's threads."""
    n = rows.shape[0]
    for b in prange((n + _BLOCK_ROWS - 1) // _BLOCK_ROWS):
        start = b * _BLOCK_ROWS
        _walk_block(rows, start, min(start + _BLOCK_ROWS, n), out, roots, feature,
                    threshold, children, nan_left, zero_left, leaf_value, divisor,
                    transform, scale)
