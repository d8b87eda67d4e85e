"""Alert rule definitions: validation errors name the field; built-ins are sound."""

from __future__ import annotations

import json

import pytest
from tests.unit.signals.data import USER_RULE

from chitti.compute.candles import PATTERNS
from chitti.errors import BadRequest
from chitti.signals.rules import (
    BUILTIN_RULES,
    NEWS_SERIES,
    ONE_SIDED_PATTERNS,
    AlertRule,
    builtin_rule,
    parse_rule,
)


def _with(**changes: object) -> dict[str, object]:
    return {**USER_RULE, **changes}


def test_user_rule_parses_from_dict_and_json() -> None:
    rule = parse_rule(USER_RULE)
    assert rule.version == 1
    assert rule.series() == (("rsi", 0), ("news.bullish_2d", 0))
    assert parse_rule(json.dumps(USER_RULE)) == rule
    assert parse_rule(rule) is rule
    # the stored form round-trips
    assert parse_rule(rule.model_dump_json()) == rule


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": "Bad Name"}, "name"),
    ({"direction": "up"}, "direction"),
    ({"version": 2}, "version"),
    ({"cooldown_bars": -1}, "cooldown_bars"),
    ({"impact": 1.5}, "impact"),
    ({"surprise": 1}, "surprise"),
    ({"kind": "technical"}, "kind"),
    ({"indicators": {"rsi": {"fn": "nosuch"}}}, "indicators.rsi.fn"),
    ({"indicators": {"rsi": {"fn": "rsi", "params": {"period": 14}}}},
     "indicators.rsi.params.period"),
    ({"indicators": {"news": {"fn": "rsi"}}}, "indicators.news"),
    ({"condition": {"op": "lt", "left": "rsj", "right": 30}}, "condition.left"),
    ({"condition": {"op": "and", "args": [{"op": "lt", "left": "rsi", "right": 30},
                                          {"op": "ge", "left": "news.bullish_4d",
                                           "right": 1}]}}, "condition.args[1].left"),
    ({"condition": {"op": "gt", "left": "candle.cdlnosuch", "right": 0}}, "condition.left"),
    ({"condition": {"op": "gt", "left": "bar.gap_pct", "right": 0}}, "condition.left"),
    ({"condition": {"op": "gt", "left": "$level", "right": 0}}, "condition.left"),
    ({"condition": {"op": "between", "left": "rsi", "right": 0}}, "condition"),
    ({"explanation": "{symbol}: {macd:.2f}"}, "explanation"),
    ({"explanation": "{symbol}: {rsi:d}"}, "explanation"),
    ({"explanation": "line one\nline two"}, "explanation"),
])
def test_invalid_rule_raises_bad_request_naming_the_field(changes: dict[str, object],
                                                          field: str) -> None:
    with pytest.raises(BadRequest) as err:
        parse_rule(_with(**changes))
    assert err.value.message.startswith("invalid alert rule: ")
    assert f"{field}:" in err.value.message or f"{field} " in err.value.message, err.value.message


def test_technical_rule_must_not_read_news() -> None:
    with pytest.raises(BadRequest, match="kind: a 'combined' rule must read a news"):
        parse_rule(_with(kind="combined", condition={"op": "lt", "left": "rsi", "right": 30}))


def test_params_and_lookback_references_are_accepted() -> None:
    rule = parse_rule(_with(
        params={"level": 30, "period": 14},
        indicators={"rsi": {"fn": "rsi", "params": {"timeperiod": "$period"}}},
        condition={"op": "and", "args": [
            {"op": "lt", "left": "rsi", "right": "$level"},
            {"op": "lt", "left": {"ref": "close", "shift": 1}, "right": "open"},
            {"op": "gt", "left": "news.net_5d", "right": 0}]},
        explanation="{symbol}: {rsi:.1f} {close_prev1:.2f} {news_net_5d:+.0f}"))
    assert ("close", 1) in rule.series()


def test_builtin_rules_are_valid_unique_and_technical() -> None:
    names = [r.name for r in BUILTIN_RULES]
    assert len(names) == len(set(names))
    assert all(isinstance(r, AlertRule) and r.kind == "technical" for r in BUILTIN_RULES)
    for required in ("golden_cross", "death_cross", "rsi_oversold", "rsi_overbought",
                     "rsi_bullish_divergence", "rsi_bearish_divergence", "macd_bullish_cross",
                     "macd_bearish_cross", "bollinger_breakout_up", "bollinger_breakout_down",
                     "donchian_breakout_up", "donchian_breakout_down", "new_52w_high",
                     "new_52w_low", "volume_spike_up", "volume_spike_down", "gap_up",
                     "gap_down"):
        assert builtin_rule(required).name == required
    with pytest.raises(BadRequest, match="unknown built-in rule"):
        builtin_rule("golden_crossing")


def test_every_directional_candlestick_pattern_has_a_rule_per_possible_sign() -> None:
    rules = {r.name: r for r in BUILTIN_RULES}
    for name, spec in PATTERNS.items():
        short = name.removeprefix("cdl")
        have = {d for d in ("bullish", "bearish") if f"candle_{short}_{d}" in rules}
        if not spec.directional:
            assert not have, name
        elif name in ONE_SIDED_PATTERNS:
            assert have == {ONE_SIDED_PATTERNS[name]}, name
        else:
            assert have == {"bullish", "bearish"}, name


def test_news_series_names_are_documented() -> None:
    import chitti.signals.rules as mod
    assert mod.__doc__ is not None
    for kind in ("bullish", "bearish", "net"):
        assert f"news.{kind}_<N>d" in mod.__doc__
    assert "news.bullish_2d" in NEWS_SERIES
