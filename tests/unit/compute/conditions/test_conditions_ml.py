"""``ml.<model>`` series: an alert rule and a strategy that read a model's predictions fire
exactly where TA-Lib's RSI and the supplied predictions say, and nowhere else."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import talib
from tests.unit.compute.conditions.data import predictions, real_bars

from chitti.compute.backtest import StrategySpec
from chitti.compute.conditions import evaluate as evaluate_conditions
from chitti.compute.conditions import ml_models
from chitti.errors import BadRequest
from chitti.signals.patterns import condition_at_last_bar, evaluate_rules
from chitti.signals.rules import parse_rule
from chitti.signals.screen import screen_rule

# ml.demo_model > 0.6 and rsi(14) < 40
CONDITION: dict[str, Any] = {"op": "and", "args": [
    {"op": "gt", "left": "ml.demo_model", "right": 0.6},
    {"op": "lt", "left": "rsi", "right": 40},
]}
RSI14 = {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}}
RULE: dict[str, Any] = {
    "name": "model_likes_oversold", "kind": "model", "direction": "bullish",
    "indicators": RSI14, "condition": CONDITION, "cooldown_bars": 0, "impact": 0.5,
    "explanation": "{symbol}: model {ml_demo_model:.2f} with RSI(14) {rsi:.0f}",
}


def _reference(close: np.ndarray, scores: np.ndarray) -> np.ndarray:
    rsi = talib.RSI(close, timeperiod=14)
    with np.errstate(invalid="ignore"):
        return (scores > 0.6) & (rsi < 40)   # NaN (warm-up, no prediction) compares false


@pytest.fixture(scope="module")
def bars_and_scores() -> tuple[Any, np.ndarray]:
    bars = real_bars("INFY", "2011-01-01", "2013-12-31")   # no split or bonus in the window
    return bars, predictions(7, len(bars))


def test_stored_alert_rule_reading_a_model_fires_exactly_where_the_reference_says(
        bars_and_scores: tuple[Any, np.ndarray]) -> None:
    bars, scores = bars_and_scores
    rule = parse_rule(json.loads(parse_rule(RULE).model_dump_json()))   # the stored form
    assert rule.kind == "model" and rule.ml_models() == ("demo_model",)
    alerts = evaluate_rules(bars, [rule], series={"ml.demo_model": scores})
    expected = np.flatnonzero(_reference(bars.close, scores)).tolist()
    assert len(expected) > 10  # the window exercises the rule
    assert [a.bar_index for a in alerts] == expected
    rsi = talib.RSI(bars.close, timeperiod=14)
    for a in alerts:
        assert a.kind == "model"
        assert a.values["ml_demo_model"] == pytest.approx(scores[a.bar_index])
        assert a.values["rsi"] == pytest.approx(rsi[a.bar_index])


def test_condition_at_last_bar_reads_the_supplied_predictions(
        bars_and_scores: tuple[Any, np.ndarray]) -> None:
    bars, scores = bars_and_scores
    expected = _reference(bars.close, scores)
    hit = int(np.flatnonzero(expected)[-1])
    for last in (hit, hit + 1):
        b = real_bars("INFY", "2011-01-01", str(bars.ts[last]))
        matched, values = condition_at_last_bar(b, RULE,
                                                series={"ml.demo_model": scores[:last + 1]})
        assert matched == bool(expected[last])
        assert values["ml_demo_model"] == (None if np.isnan(scores[last]) else
                                           pytest.approx(scores[last]))


def test_strategy_entry_rule_reading_a_model_matches_the_reference(
        bars_and_scores: tuple[Any, np.ndarray]) -> None:
    bars, scores = bars_and_scores
    spec = StrategySpec.parse({
        "name": "model_entry", "indicators": RSI14, "entry_long": CONDITION,
        "exit_long": {"op": "lt", "left": "ml.demo_model", "right": 0.3},
    })
    assert spec.ml_models() == ("demo_model",)
    entry, exit_, entry_short, exit_short = evaluate_conditions(
        bars, spec.rules(), indicators=spec.indicators, params=spec.params,
        series={"ml.demo_model": scores})
    np.testing.assert_array_equal(entry, _reference(bars.close, scores))
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(exit_, scores < 0.3)
    assert not entry_short.any() and not exit_short.any()


def test_a_rule_reading_predictions_nobody_supplied_is_a_bad_request(
        bars_and_scores: tuple[Any, np.ndarray]) -> None:
    bars, scores = bars_and_scores
    with pytest.raises(BadRequest, match=r"model_likes_oversold: series\.ml\.demo_model: no "
                                         r"values were supplied"):
        evaluate_rules(bars, [RULE])
    with pytest.raises(BadRequest, match=r"series\.ml\.demo_model: 10 values for \d+ bars"):
        evaluate_rules(bars, [RULE], series={"ml.demo_model": scores[:10]})
    with pytest.raises(BadRequest, match=r"series\.news\.net_2d: only ml\.<model> series"):
        evaluate_rules(bars, [RULE], series={"ml.demo_model": scores,
                                             "news.net_2d": np.zeros(len(bars))})


def test_a_screen_refuses_a_rule_reading_predictions() -> None:
    # a screen reads the latest bars of a universe, not stored predictions
    with pytest.raises(BadRequest, match=r"a screen reads prices only; 'ml\.demo_model' is a "
                                         r"model's predictions"):
        screen_rule({"indicators": RSI14, "condition": CONDITION, "kind": "model"})


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "technical"}, "kind: a rule that reads ml.* series (and no news.*) is 'model'"),
    ({"condition": {"op": "lt", "left": "rsi", "right": 40}},
     "kind: a 'model' rule must read an ml.* series; use 'technical' otherwise"),
    ({"kind": "combined", "condition": {"op": "and", "args": [
        CONDITION, {"op": "gt", "left": "news.net_2d", "right": 0}]}}, None),
    ({"condition": {"op": "gt", "left": "ml.Demo-Model", "right": 0.6}},
     "condition.left: 'ml.Demo-Model' is not a valid ml series"),
    ({"indicators": {"ml": {"fn": "rsi"}}}, "indicators.ml: id must not be"),
])
def test_model_rules_are_checked(changes: dict[str, Any], message: str | None) -> None:
    definition = {**RULE, **changes}
    if message is None:   # news wins: a rule reading news and a model is 'combined'
        assert parse_rule(definition).kind == "combined"
        return
    with pytest.raises(BadRequest) as err:
        parse_rule(definition)
    assert message in err.value.message


def test_ml_models_lists_each_model_once_in_first_use_order() -> None:
    condition = {"op": "or", "args": [
        {"op": "cross_above", "left": "ml.b_2", "right": {"ref": "ml.a", "shift": 3}},
        {"op": "not", "arg": {"op": "gt", "left": "ml.b_2", "right": "close"}},
        {"op": "lt", "left": "rsi", "right": "$lvl"},
    ]}
    # the reference: every string operand (or ref) that starts with "ml.", walked by hand
    found: list[str] = []

    def walk(node: Any) -> None:
        for key in ("left", "right"):
            if key in node:
                op = node[key]
                name = op["ref"] if isinstance(op, dict) else op
                if isinstance(name, str) and name.startswith("ml.") and name[3:] not in found:
                    found.append(name[3:])
        for arg in node.get("args", ()):
            walk(arg)
        if "arg" in node:
            walk(node["arg"])

    walk(condition)
    spec = StrategySpec.parse({"name": "s", "params": {"lvl": 30}, "indicators": RSI14,
                               "entry_long": condition})
    assert spec.ml_models() == tuple(found) == ml_models(spec.entry_long)
    rule = parse_rule({**RULE, "params": {"lvl": 30}, "condition": condition,
                       "explanation": "{symbol}"})
    assert rule.ml_models() == tuple(found)
