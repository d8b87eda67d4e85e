"""The rule language: conditions over price, indicator and named series, shared by strategy
specs (``chitti.compute.backtest.StrategySpec``) and alert rules
(``chitti.signals.rules.AlertRule``).

Operands (``left``/``right``) are one of:
  * a number: ``30``;
  * ``"$name"``: the value of parameter ``name`` (from ``params``; swept by ``sweep``);
  * a series name: ``"close"`` (open/high/low/close/volume), an indicator id (``"fast"``)
    or ``"id.output"`` for multi-output indicators (``"bb.upperband"``), or a series of a
    namespace the rule set accepts (``"ml.momentum_lgbm"``; see :class:`Namespace`);
  * ``{"ref": <series>, "shift": k}``: that series k bars ago (a lookback reference).

Rules: ``{"op": "gt"|"ge"|"lt"|"le", "left": a, "right": b}``,
``{"op": "cross_above"|"cross_below", "left": a, "right": b}`` (a crosses b on this bar:
``a[t] > b[t] and a[t-1] <= b[t-1]``; mirrored for below), ``{"op": "and"|"or",
"args": [rule, ...]}``, ``{"op": "not", "arg": rule}``. A comparison with a missing value
(indicator warm-up, a bar without a prediction) is false.

Indicators are declared by id: ``{"fast": {"fn": "sma", "params": {"timeperiod": "$n"},
"source": "close"}}`` (catalogue names of ``chitti.compute.indicators``).

Namespaces (the extension point): a rule set lists the :class:`Namespace` s it accepts.
Both strategy specs and alert rules accept :data:`ML`: ``ml.<model>`` is that model's stored
prediction for the symbol on each bar, supplied by the caller (``series=``); alert rules
also accept their own ``bar.*``, ``divergence.*``, ``candle.*`` and ``news.*``, computed by
providers (see ``chitti.signals.rules``). :func:`ml_models` lists the models a rule reads.

Pipeline: validate (:func:`check_indicators`, :func:`check_operands`, inside the rule set's
pydantic model), compile (:func:`compile_rules`: postfix programs over slots), fill a
:class:`SeriesBank`, evaluate (:func:`eval_program`, Numba). :func:`evaluate` does the last
three for one set of rules.
"""

from chitti.compute.conditions._bank import Provider, SeriesBank
from chitti.compute.conditions._compiler import Program, compile_rules, const_values, warmup_bars
from chitti.compute.conditions._evaluate import evaluate
from chitti.compute.conditions._indicators import (
    indicator,
    indicator_lookback,
    indicator_signature,
)
from chitti.compute.conditions._kernel import eval_program
from chitti.compute.conditions._model import (
    ML,
    PRICE_FIELDS,
    AllOf,
    AnyOf,
    Compare,
    Cross,
    IndicatorCall,
    Namespace,
    Not,
    Number,
    Operand,
    Rule,
    SeriesRef,
    check_indicators,
    check_operands,
    describe_errors,
    ml_models,
    rule_operands,
    rule_series,
)

__all__ = [
    "ML",
    "PRICE_FIELDS",
    "AllOf",
    "AnyOf",
    "Compare",
    "Cross",
    "IndicatorCall",
    "Namespace",
    "Not",
    "Number",
    "Operand",
    "Program",
    "Provider",
    "Rule",
    "SeriesBank",
    "SeriesRef",
    "check_indicators",
    "check_operands",
    "compile_rules",
    "const_values",
    "describe_errors",
    "eval_program",
    "evaluate",
    "indicator",
    "indicator_lookback",
    "indicator_signature",
    "ml_models",
    "rule_operands",
    "rule_series",
    "warmup_bars",
]
