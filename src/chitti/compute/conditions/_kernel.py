# mypy: disable-error-code="no-any-return"
"""The rule language's evaluator: a compiled rule program over a bank of series, in Numba.

Every jitted function of the evaluator is in this one module on purpose: Numba's on-disk
cache (``cache=True``) is keyed by the source file of each function only, so a kernel that
called a helper from another file would not be recompiled when that file changes. A kernel
elsewhere that calls :func:`eval_program` must tie its own cache to this file, as the
backtest's fused sweep does (it is a closure over a digest of this file).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Rule program opcodes and operand kinds (see _compiler.compile_rules). A program is an int64
# (m, 7) array in postfix order: [op, kind_a, index_a, shift_a, kind_b, index_b, shift_b] for
# a comparison or cross; [op, 0, count, 0, 0, 0, 0] for and/or over the last ``count``
# results; [OP_NOT, 0, ...] negates the last result.
OP_GT, OP_GE, OP_LT, OP_LE, OP_XA, OP_XB, OP_AND, OP_OR, OP_NOT = range(9)
K_SERIES, K_CONST = 0, 1


@njit(cache=True)
def _operand(kind: int, idx: int, shift: int, bank: np.ndarray, rows: np.ndarray,
             consts: np.ndarray, n: int) -> np.ndarray:
    if kind == K_CONST:
        return np.full(n, consts[idx])
    row = bank[rows[idx]]
    if shift == 0:
        return row
    out = np.full(n, math.nan)
    if shift < n:
        out[shift:] = row[:n - shift]
    return out


@njit(cache=True)
def _compare(op: int, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:  # noqa: C901
    n = out.shape[0]
    if op == OP_GT:
        for t in range(n):
            out[t] = a[t] > b[t]
    elif op == OP_GE:
        for t in range(n):
            out[t] = a[t] >= b[t]
    elif op == OP_LT:
        for t in range(n):
            out[t] = a[t] < b[t]
    elif op == OP_LE:
        for t in range(n):
            out[t] = a[t] <= b[t]
    else:
        if n > 0:
            out[0] = False
        if op == OP_XA:
            for t in range(1, n):
                out[t] = (a[t] > b[t]) & (a[t - 1] <= b[t - 1])
        else:
            for t in range(1, n):
                out[t] = (a[t] < b[t]) & (a[t - 1] >= b[t - 1])


@njit(cache=True)
def eval_program(code: np.ndarray, bank: np.ndarray, rows: np.ndarray, consts: np.ndarray,
                 n: int) -> np.ndarray:
    """Evaluate one compiled rule over n bars; an empty program is never true.

    A comparison involving NaN (indicator warm-up, shifted-in bars) is false.
    """
    m = code.shape[0]
    if m == 0:
        return np.zeros(n, dtype=np.bool_)
    stack = np.empty((m, n), dtype=np.bool_)
    sp = 0
    for i in range(m):
        op = code[i, 0]
        if op <= OP_XB:
            a = _operand(code[i, 1], code[i, 2], code[i, 3], bank, rows, consts, n)
            b = _operand(code[i, 4], code[i, 5], code[i, 6], bank, rows, consts, n)
            _compare(op, a, b, stack[sp])
            sp += 1
        elif op == OP_NOT:
            top = stack[sp - 1]
            for t in range(n):
                top[t] = not top[t]
        else:
            count = code[i, 2]
            base = sp - count
            dst = stack[base]
            for j in range(base + 1, sp):
                src = stack[j]
                if op == OP_AND:
                    for t in range(n):
                        dst[t] = dst[t] & src[t]
                else:
                    for t in range(n):
                        dst[t] = dst[t] | src[t]
            sp = base + 1
    return stack[0].copy()
