"""Rules in, one boolean array per rule out: compile, fill a bank, run the Numba evaluator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from chitti.compute.conditions._bank import Provider, SeriesBank
from chitti.compute.conditions._compiler import compile_rules, const_values
from chitti.compute.conditions._kernel import eval_program
from chitti.compute.conditions._model import IndicatorCall, Number, Rule
from chitti.marketdata.series import Bars


def evaluate(bars: Bars, rules: Sequence[Rule | None], *,
             indicators: Mapping[str, IndicatorCall] | None = None,
             params: Mapping[str, Number] | None = None,
             series: Mapping[str, ArrayLike] | None = None,
             providers: Mapping[str, Provider] | None = None) -> tuple[np.ndarray, ...]:
    """Return, per rule, a bool array over ``bars``: where the rule holds (None: never).

    ``rules`` must be valid for ``indicators``, ``params`` and the namespaces they read
    (validate with :func:`check_indicators` and :func:`check_operands`, as strategy specs
    and alert rules do). ``series`` and ``providers`` supply namespaced series (see
    :class:`SeriesBank`); a rule reading one that neither supplies raises BadRequest. A
    comparison with NaN (indicator warm-up, a bar without a prediction, a shift before the
    first bar) is false; a cross on the first bar is false.
    """
    program = compile_rules(rules)
    bank = SeriesBank(bars, series=series, providers=providers)
    values = dict(params or {})
    rows = bank.rows(program, indicators=indicators or {}, params=values)
    consts = const_values(program, values)
    matrix = bank.matrix()
    return tuple(eval_program(code, matrix, rows, consts, len(bars)) for code in program.code)
