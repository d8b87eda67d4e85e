"""The rule language: random rules evaluate as an interpreter written from the grammar says,
strategy specs and alert rules refuse a bad operand with the same message, and the backtest's
fused sweep recompiles when the evaluator's file changes."""

from __future__ import annotations

import hashlib
import inspect
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import talib
from tests.unit.compute.conditions.data import predictions, random_bars

from chitti.compute.backtest import StrategySpec
from chitti.compute.conditions import eval_program, evaluate, rule_series, warmup_bars
from chitti.errors import BadRequest
from chitti.signals.rules import parse_rule

N = 160
INDICATORS: dict[str, Any] = {
    "fast": {"fn": "sma", "params": {"timeperiod": "$n"}},
    "rsi": {"fn": "rsi", "params": {"timeperiod": 9}, "source": "open"},
    "bb": {"fn": "bbands", "params": {"timeperiod": 12, "nbdevup": 2.0, "nbdevdn": 2.0}},
}
PARAMS = {"n": 7, "lvl": 101.5}
SERIES = ("close", "open", "fast", "rsi", "bb.upperband", "bb.lowerband", "ml.m")


def _reference_series(bars: Any, scores: np.ndarray) -> dict[str, np.ndarray]:
    upper, _, lower = talib.BBANDS(bars.close, timeperiod=12, nbdevup=2.0, nbdevdn=2.0)
    return {"close": bars.close, "open": bars.open, "ml.m": scores,
            "fast": talib.SMA(bars.close, timeperiod=PARAMS["n"]),
            "rsi": talib.RSI(bars.open, timeperiod=9),
            "bb.upperband": upper, "bb.lowerband": lower}


def _random_operand(rng: np.random.Generator) -> Any:
    kind = rng.integers(0, 5)
    if kind == 0:
        return float(np.round(rng.uniform(20.0, 180.0), 1))
    if kind == 1:
        return "$lvl"
    name = SERIES[rng.integers(0, len(SERIES))]
    return {"ref": name, "shift": int(rng.integers(0, 4))} if kind == 2 else name


def _random_rule(rng: np.random.Generator, depth: int = 0) -> dict[str, Any]:
    kind = rng.integers(0, 6 if depth < 3 else 2)
    if kind == 0:
        op = ("gt", "ge", "lt", "le")[rng.integers(0, 4)]
        return {"op": op, "left": _random_operand(rng), "right": _random_operand(rng)}
    if kind == 1:
        op = ("cross_above", "cross_below")[rng.integers(0, 2)]
        return {"op": op, "left": _random_operand(rng), "right": _random_operand(rng)}
    if kind in (2, 3):
        return {"op": "and" if kind == 2 else "or",
                "args": [_random_rule(rng, depth + 1) for _ in range(rng.integers(1, 4))]}
    return {"op": "not", "arg": _random_rule(rng, depth + 1)}


def _value(op: Any, t: int, series: dict[str, np.ndarray]) -> float:
    # the grammar: a number, "$param", a series name, or {"ref": name, "shift": k}
    if isinstance(op, (int, float)):
        return float(op)
    if isinstance(op, str) and op.startswith("$"):
        return float(PARAMS[op[1:]])
    name, shift = (op["ref"], op["shift"]) if isinstance(op, dict) else (op, 0)
    return float(series[name][t - shift]) if t - shift >= 0 else math.nan


def _holds(rule: dict[str, Any], t: int, series: dict[str, np.ndarray]) -> bool:
    op = rule["op"]
    if op in ("and", "or"):
        results = [_holds(r, t, series) for r in rule["args"]]
        return all(results) if op == "and" else any(results)
    if op == "not":
        return not _holds(rule["arg"], t, series)
    a, b = _value(rule["left"], t, series), _value(rule["right"], t, series)
    if op in ("cross_above", "cross_below"):
        if t == 0:
            return False
        a0, b0 = _value(rule["left"], t - 1, series), _value(rule["right"], t - 1, series)
        return a > b and a0 <= b0 if op == "cross_above" else a < b and a0 >= b0
    return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]   # NaN: all false


@pytest.mark.parametrize("seed", range(4))
def test_random_rules_evaluate_as_the_grammar_says(seed: int) -> None:
    rng = np.random.default_rng(seed)
    bars = random_bars(seed, N)
    scores = 100.0 + 20.0 * (predictions(seed, N, missing=0.2) - 0.5)
    reference = _reference_series(bars, scores)
    rules = [_random_rule(rng) for _ in range(30)]
    spec = StrategySpec.parse({"name": "random", "direction": "both", "params": PARAMS,
                               "indicators": INDICATORS, "entry_long": rules[0],
                               "entry_short": rules[1]})
    parsed = [StrategySpec.parse({**spec.model_dump(), "entry_long": r}).entry_long
              for r in rules]
    got = evaluate(bars, parsed, indicators=spec.indicators, params=spec.params,
                   series={"ml.m": scores})
    for rule, flags in zip(rules, got, strict=True):
        expected = [_holds(rule, t, reference) for t in range(N)]
        np.testing.assert_array_equal(flags, expected, err_msg=str(rule))


def test_warmup_bars_is_the_longest_lookback_plus_the_furthest_shift_plus_one() -> None:
    spec = StrategySpec.parse({"name": "w", "params": PARAMS, "indicators": INDICATORS,
                               "entry_long": {"op": "cross_above", "left": "close",
                                              "right": {"ref": "bb.upperband", "shift": 5}}})
    bars = random_bars(1, N)
    lookback = max(int(np.isnan(x).sum()) for x in _reference_series(bars, bars.close).values())
    assert spec.warmup_bars() == lookback + 5 + 1
    assert warmup_bars(spec.indicators, spec.rules(), spec.params) == spec.warmup_bars()
    assert rule_series(spec.entry_long) == (("close", 0), ("bb.upperband", 5))


@pytest.mark.parametrize(("operand", "message"), [
    ("slow", "unknown series 'slow'; known: ['close', 'fast', 'high', 'low', 'open', 'volume'"),
    ("fast.upper", "fast (sma) has no output 'upper'"),
    ({"ref": "$lvl", "shift": 1}, ".ref: a parameter cannot be shifted"),
    ("$nope", "'$nope' is not a parameter reference"),
    ("ml.Bad-Name", "'ml.Bad-Name' is not a valid ml series; name a model as 'ml.<model>'"),
])
def test_specs_and_alert_rules_refuse_a_bad_operand_with_the_same_message(
        operand: Any, message: str) -> None:
    condition = {"op": "gt", "left": operand, "right": 1}
    indicators = {"fast": {"fn": "sma", "params": {"timeperiod": 5}}}
    with pytest.raises(BadRequest) as spec_error:
        StrategySpec.parse({"name": "s", "params": {"lvl": 1}, "indicators": indicators,
                            "entry_long": condition})
    with pytest.raises(BadRequest) as rule_error:
        parse_rule({"name": "rr", "direction": "bullish", "params": {"lvl": 1},
                    "indicators": indicators, "condition": condition,
                    "explanation": "{symbol}"})
    spec_msg = spec_error.value.message.removeprefix("invalid strategy spec: entry_long.left")
    rule_msg = rule_error.value.message.removeprefix("invalid alert rule: condition.left")
    assert message in spec_msg
    # one check, one message; only the namespaces an "unknown series" lists differ (an alert
    # rule also accepts bar.*, divergence.*, candle.* and news.*)
    if "unknown series" in spec_msg:
        assert rule_msg.startswith(spec_msg.removesuffix(", 'ml.<model>'"))
        assert rule_msg.endswith(", 'ml.<model>'")
    else:
        assert rule_msg == spec_msg


def test_sweep_kernel_cache_key_follows_the_evaluator_file() -> None:
    # Numba's cache only sees the sweep kernel's own file; the kernel must carry a digest of
    # the evaluator's file in its closure (which Numba hashes into the cache key), or an edit
    # of the evaluator would leave stale sweeps behind.
    from chitti.compute.backtest._kernel import sweep_kernel
    digest = hashlib.sha256(Path(inspect.getfile(eval_program.py_func)).read_bytes()).hexdigest()
    closure = sweep_kernel.py_func.__closure__ or ()
    assert digest in [cell.cell_contents for cell in closure]
    assert "rules_digest" in sweep_kernel.py_func.__code__.co_freevars
