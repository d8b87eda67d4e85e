"""Turn a StrategySpec into signal arrays with the rule language's compiler and evaluator.

The spec's four rules compile together (:func:`chitti.compute.conditions.compile_rules`), so
one backtest and a whole sweep share the programs: a sweep only changes which bank row and
which constant each slot points to per parameter combination, so the Numba sweep kernel
evaluates rules, simulates and scores a combination in one fused pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from chitti.compute import conditions
from chitti.compute.backtest._spec import RULES, StrategySpec
from chitti.compute.conditions import PRICE_FIELDS, Rule, compile_rules, evaluate
from chitti.compute.conditions import const_values as const_values
from chitti.errors import BadRequest
from chitti.marketdata.series import Bars


@dataclass(frozen=True)
class Program(conditions.Program):
    """Compiled rules of a spec: one program per :data:`RULES` entry (empty for a rule its
    ``direction`` does not use) plus the slot tables they refer to."""

    spec: StrategySpec


def _used_rules(spec: StrategySpec) -> tuple[Rule | None, ...]:
    allowed = {"long": ("entry_long", "exit_long"), "short": ("entry_short", "exit_short"),
               "both": RULES}[spec.direction]
    return tuple(getattr(spec, name) if name in allowed else None for name in RULES)


def compile_spec(spec: StrategySpec) -> Program:
    """Compile the spec's rules (only those its ``direction`` uses) into programs."""
    compiled = compile_rules(_used_rules(spec))
    return Program(compiled.series, compiled.consts, compiled.code, spec)


class SeriesBank:
    """Rows of the series a spec's program reads over one symbol, computed once per distinct
    (indicator, parameters) and shared by every combination that uses them."""

    def __init__(self, bars: Bars, program: Program,
                 series: Mapping[str, ArrayLike] | None = None) -> None:
        self.bars = bars
        self.program = program
        self._bank = conditions.SeriesBank(bars, series=series)

    def slot_rows(self, params: Mapping[str, float]) -> np.ndarray:
        """Return, per series slot, the bank row holding it for these parameter values."""
        return self._bank.rows(self.program, indicators=self.program.spec.indicators,
                               params=params)

    def slot_params(self, i: int) -> tuple[str, ...]:
        """Return the parameters series slot ``i`` depends on."""
        head = self.program.series[i].partition(".")[0]
        call = self.program.spec.indicators.get(head)
        if self.program.series[i] in PRICE_FIELDS or call is None:
            return ()
        return tuple(sorted({v[1:] for v in call.params.values() if isinstance(v, str)}))

    def slot_row(self, i: int, params: Mapping[str, float]) -> int:
        return self._bank.row(self.program.series[i], indicators=self.program.spec.indicators,
                              params=params)

    def matrix(self) -> np.ndarray:
        return self._bank.matrix()


def spec_signals(bars: Bars, spec: StrategySpec, params: Mapping[str, float] | None = None,
                 *, series: Mapping[str, ArrayLike] | None = None) -> tuple[np.ndarray, ...]:
    """Return (entry_long, exit_long, entry_short, exit_short) bool arrays for ``bars``;
    ``series`` supplies the ``ml.<model>`` series the rules read, aligned to the bars."""
    return evaluate(bars, _used_rules(spec), indicators=spec.indicators,
                    params={**spec.params, **(params or {})}, series=series)


def check_grid(spec: StrategySpec, grid: Mapping[str, Sequence[float]]) -> None:
    for name, values in grid.items():
        if name not in spec.params:
            raise BadRequest(f"grid.{name}: not a parameter of {spec.name!r}; "
                             f"parameters: {sorted(spec.params)}")
        if len(values) == 0:
            raise BadRequest(f"grid.{name}: needs at least one value")
