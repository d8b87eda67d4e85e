"""Compile rules to programs over *slots*, the form the Numba evaluator runs.

A rule tree compiles to a small postfix program over series slots (price fields, indicator
outputs and namespaced series: rows of a float64 bank) and constant slots (numbers and
parameters). Several rules compiled together share one slot table, so a caller computes each
series once; a parameter sweep only changes which bank row and which constant each slot
points to per parameter combination.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from chitti.compute.conditions._indicators import indicator_lookback
from chitti.compute.conditions._kernel import (
    K_CONST,
    K_SERIES,
    OP_AND,
    OP_GE,
    OP_GT,
    OP_LE,
    OP_LT,
    OP_NOT,
    OP_OR,
    OP_XA,
    OP_XB,
)
from chitti.compute.conditions._model import (
    AllOf,
    AnyOf,
    Compare,
    Cross,
    IndicatorCall,
    Not,
    Number,
    Rule,
    SeriesRef,
    rule_series,
)

_OPS = {"gt": OP_GT, "ge": OP_GE, "lt": OP_LT, "le": OP_LE,
        "cross_above": OP_XA, "cross_below": OP_XB}


@dataclass(frozen=True)
class Program:
    """Compiled rules: one program per rule plus the slot tables they refer to."""

    series: tuple[str, ...]        # series slot -> "close" | "<id>" | "<id>.<output>" | "ml.x"
    consts: tuple[float | str, ...]  # const slot -> literal or "$param"
    code: tuple[np.ndarray, ...]   # per rule, int64 (m, 7); (0, 7) for an absent rule


class _Compiler:
    def __init__(self) -> None:
        self.series: list[str] = []
        self.consts: list[float | str] = []

    def slot(self, operand: object) -> tuple[int, int, int]:
        if isinstance(operand, (int, float)):
            self.consts.append(float(operand))
            return K_CONST, len(self.consts) - 1, 0
        if isinstance(operand, SeriesRef):
            name, shift = operand.ref, operand.shift
        else:
            name, shift = str(operand), 0
        if name.startswith("$"):
            if name not in self.consts:
                self.consts.append(name)
            return K_CONST, self.consts.index(name), 0
        if name not in self.series:
            self.series.append(name)
        return K_SERIES, self.series.index(name), shift

    def emit(self, rule: object, out: list[list[int]]) -> None:
        if isinstance(rule, (Compare, Cross)):
            out.append([_OPS[rule.op], *self.slot(rule.left), *self.slot(rule.right)])
        elif isinstance(rule, (AllOf, AnyOf)):
            for arg in rule.args:
                self.emit(arg, out)
            op = OP_AND if isinstance(rule, AllOf) else OP_OR
            out.append([op, 0, len(rule.args), 0, 0, 0, 0])
        elif isinstance(rule, Not):
            self.emit(rule.arg, out)
            out.append([OP_NOT, 0, 0, 0, 0, 0, 0])


def compile_rules(rules: Sequence[Rule | None]) -> Program:
    """Compile validated ``rules`` (None: an absent rule, never true) into one program each,
    sharing one slot table."""
    comp = _Compiler()
    code = []
    for rule in rules:
        rows: list[list[int]] = []
        if rule is not None:
            comp.emit(rule, rows)
        code.append(np.array(rows, dtype=np.int64).reshape(len(rows), 7))
    return Program(tuple(comp.series), tuple(comp.consts), tuple(code))


def const_values(program: Program, params: Mapping[str, float]) -> np.ndarray:
    """Return the constant slots' values for ``params`` (the evaluator's ``consts``)."""
    vals = [params[c[1:]] if isinstance(c, str) else c for c in program.consts]
    return np.array(vals if vals else [math.nan], dtype=np.float64)


def warmup_bars(indicators: Mapping[str, IndicatorCall], rules: Sequence[Rule | None],
                params: Mapping[str, Number]) -> int:
    """Return how many bars before the first bar where ``rules`` can be true they need to be
    defined: the longest indicator warm-up, plus the furthest ``shift``, plus one for a cross
    (which compares with the bar before). Namespaced series add nothing (their values are
    whatever the caller supplies)."""
    lookback = max((indicator_lookback(call.fn, {
        k: params[v[1:]] if isinstance(v, str) else v for k, v in call.params.items()})
        for call in indicators.values()), default=0)
    shift = max((s for _, s in rule_series(*rules)), default=0)
    return lookback + shift + 1
