"""Turn a StrategySpec into signal arrays: compile rules to programs, evaluate in Numba.

A rule tree compiles to a small postfix program over *slots*: series slots (price fields and
indicator outputs; rows of a float64 "bank") and constant slots (numbers and parameters).
The same programs serve one backtest and a whole sweep: a sweep only changes which bank
row and which constant each slot points to per parameter combination, so the Numba sweep
kernel evaluates rules, simulates and scores a combination in one fused pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from chitti.compute.backtest._indicators import indicator
from chitti.compute.backtest._kernel import (
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
    eval_program,
)
from chitti.compute.backtest._spec import (
    PRICE_FIELDS,
    AllOf,
    AnyOf,
    Compare,
    Cross,
    Not,
    SeriesRef,
    StrategySpec,
)
from chitti.errors import BadRequest
from chitti.marketdata.series import Bars

_OPS = {"gt": OP_GT, "ge": OP_GE, "lt": OP_LT, "le": OP_LE,
        "cross_above": OP_XA, "cross_below": OP_XB}
RULES = ("entry_long", "exit_long", "entry_short", "exit_short")


@dataclass(frozen=True)
class Program:
    """Compiled rules of a spec: four programs plus the slot tables they refer to."""

    spec: StrategySpec
    series: tuple[str, ...]        # series slot -> "close" | "<id>" | "<id>.<output>"
    consts: tuple[float | str, ...]  # const slot -> literal or "$param"
    code: tuple[np.ndarray, ...]   # per RULES entry, int64 (m, 7); (0, 7) when absent


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


def compile_spec(spec: StrategySpec) -> Program:
    """Compile the spec's rules (only those its ``direction`` uses) into programs."""
    comp = _Compiler()
    allowed = {"long": ("entry_long", "exit_long"), "short": ("entry_short", "exit_short"),
               "both": RULES}[spec.direction]
    code = []
    for name in RULES:
        rows: list[list[int]] = []
        rule = getattr(spec, name)
        if rule is not None and name in allowed:
            comp.emit(rule, rows)
        code.append(np.array(rows, dtype=np.int64).reshape(len(rows), 7))
    return Program(spec, tuple(comp.series), tuple(comp.consts), tuple(code))


def _as_param(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


class SeriesBank:
    """Rows of price fields and indicator outputs for one symbol, computed once per
    distinct (indicator, parameters) and shared by every combination that uses them."""

    def __init__(self, bars: Bars, program: Program) -> None:
        self.bars = bars
        self.program = program
        self._inputs = {f: getattr(bars, f) for f in PRICE_FIELDS}
        self._rows: list[np.ndarray] = []
        self._index: dict[tuple[object, ...], int] = {}

    def _row(self, key: tuple[object, ...], values: np.ndarray) -> int:
        idx = self._index.get(key)
        if idx is None:
            idx = len(self._rows)
            self._rows.append(np.ascontiguousarray(values, dtype=np.float64))
            self._index[key] = idx
        return idx

    def slot_rows(self, params: Mapping[str, float]) -> np.ndarray:
        """Return, per series slot, the bank row holding it for these parameter values."""
        return np.array([self.slot_row(i, params) for i in range(len(self.program.series))],
                        dtype=np.int64)

    def slot_params(self, i: int) -> tuple[str, ...]:
        """Return the parameters series slot ``i`` depends on."""
        name = self.program.series[i]
        if name in PRICE_FIELDS:
            return ()
        call = self.program.spec.indicators[name.partition(".")[0]]
        return tuple(sorted({v[1:] for v in call.params.values() if isinstance(v, str)}))

    def slot_row(self, i: int, params: Mapping[str, float]) -> int:
        name = self.program.series[i]
        if name in PRICE_FIELDS:
            return self._row((name,), self._inputs[name])
        ind_id, _, output = name.partition(".")
        call = self.program.spec.indicators[ind_id]
        resolved = {k: _as_param(params[v[1:]]) if isinstance(v, str) else _as_param(v)
                    for k, v in call.params.items()}
        key = (call.fn, call.source, tuple(sorted(resolved.items())), output)
        if key in self._index:
            return self._index[key]
        inputs = dict(self._inputs)
        inputs["close"] = self._inputs[call.source]
        try:
            outputs = indicator(call.fn, inputs, resolved)
        except BadRequest as exc:
            raise BadRequest(f"indicators.{ind_id}: {exc.message}") from exc
        if not output:
            if len(outputs) != 1:
                raise BadRequest(
                    f"series {name!r}: indicator {call.fn!r} has outputs {sorted(outputs)}; "
                    f"refer to one as '{ind_id}.<output>'"
                )
            values = next(iter(outputs.values()))
        elif output not in outputs:
            raise BadRequest(
                f"series {name!r}: indicator {call.fn!r} has no output {output!r}; "
                f"outputs: {sorted(outputs)}"
            )
        else:
            values = outputs[output]
        if values.shape != (len(self.bars),):
            raise BadRequest(f"indicators.{ind_id}: output length {values.shape} != bars")
        return self._row(key, values)

    def matrix(self) -> np.ndarray:
        if not self._rows:
            return np.zeros((1, len(self.bars)))
        return np.ascontiguousarray(np.stack(self._rows))


def const_values(program: Program, params: Mapping[str, float]) -> np.ndarray:
    vals = [params[c[1:]] if isinstance(c, str) else c for c in program.consts]
    return np.array(vals if vals else [math.nan], dtype=np.float64)


def spec_signals(bars: Bars, spec: StrategySpec, params: Mapping[str, float] | None = None
                 ) -> tuple[np.ndarray, ...]:
    """Return (entry_long, exit_long, entry_short, exit_short) bool arrays for ``bars``."""
    program = compile_spec(spec)
    bank = SeriesBank(bars, program)
    values = {**spec.params, **(params or {})}
    rows = bank.slot_rows(values)
    consts = const_values(program, values)
    matrix = bank.matrix()
    return tuple(eval_program(code, matrix, rows, consts, len(bars)) for code in program.code)


def check_grid(spec: StrategySpec, grid: Mapping[str, Sequence[float]]) -> None:
    for name, values in grid.items():
        if name not in spec.params:
            raise BadRequest(f"grid.{name}: not a parameter of {spec.name!r}; "
                             f"parameters: {sorted(spec.params)}")
        if len(values) == 0:
            raise BadRequest(f"grid.{name}: needs at least one value")
