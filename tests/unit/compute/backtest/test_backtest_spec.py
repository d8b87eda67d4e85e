"""Strategy specs: validation errors name the field; the examples validate and run."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest

from chitti.compute.backtest import EXAMPLE_STRATEGIES, Bars, StrategySpec, run_backtest
from chitti.errors import BadRequest


def _sma() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE_STRATEGIES["sma_crossover"].model_dump(mode="json"))


def _with(**changes: Any) -> dict[str, Any]:
    return {**_sma(), **changes}


@pytest.mark.parametrize(("spec", "message"), [
    (_with(entry_long={"op": "and", "args": [{"op": "gt", "left": "fsat", "right": "slow"}]}),
     r"entry_long.args\[0\].left: unknown series 'fsat'"),
    (_with(indicators={"fast": {"fn": "sma", "params": {"timeperiod": "$fsat"}},
                       "slow": {"fn": "sma", "params": {"timeperiod": "$slow"}}}),
     r"indicators.fast.params.timeperiod: '\$fsat' is not a parameter reference"),
    (_with(indicators={"fast": {"fn": "smaa", "params": {}},
                       "slow": {"fn": "sma", "params": {}}}),
     r"indicators.fast.fn: unknown indicator 'smaa'"),
    (_with(indicators={"fast": {"fn": "sma", "params": {"period": 3}},
                       "slow": {"fn": "sma", "params": {}}}),
     r"indicators.fast.params.period: sma has no such parameter"),
    (_with(entry_long={"op": "gtx", "left": "fast", "right": "slow"}), r"entry_long: Input tag"),
    (_with(direction="short"), r"entry_short: required for direction 'short'"),
    (_with(colour="red"), r"colour: Extra inputs are not permitted"),
    (_with(version=2), r"version: Input should be 1"),
    (_with(exit_long={"op": "lt", "left": {"ref": "close", "shift": -1}, "right": "slow"}),
     r"exit_long.left.shift: Input should be greater than or equal to 0"),
    (_with(exit_long={"op": "not"}), r"exit_long.arg: Field required"),
    (_with(exit_long={"op": "lt", "left": "close", "right": "bb"},
           indicators={"fast": {"fn": "sma"}, "slow": {"fn": "sma"}, "bb": {"fn": "bbands"}}),
     r"exit_long.right: bb \(bbands\) has outputs"),
    (_with(exit_long={"op": "lt", "left": "close", "right": "bb.upper"},
           indicators={"fast": {"fn": "sma"}, "slow": {"fn": "sma"}, "bb": {"fn": "bbands"}}),
     r"exit_long.right: bb \(bbands\) has no output 'upper'"),
    ({k: v for k, v in _sma().items() if k != "name"}, r"name: Field required"),
    ("{not json", r"Invalid JSON"),
])
def test_invalid_spec_error_names_the_field(spec: Any, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        StrategySpec.parse(spec)


def test_spec_errors_surface_from_run_backtest(reliance: Bars) -> None:
    with pytest.raises(BadRequest, match="entry_long.right: unknown series 'slwo'"):
        run_backtest(reliance, _with(entry_long={"op": "gt", "left": "fast", "right": "slwo"}))


def test_unknown_override_parameter_is_refused(reliance: Bars) -> None:
    with pytest.raises(BadRequest, match=r"params: unknown parameter\(s\) \['fats'\]"):
        run_backtest(reliance, EXAMPLE_STRATEGIES["sma_crossover"], params={"fats": 3})


def test_examples_cover_the_issue_list() -> None:
    assert set(EXAMPLE_STRATEGIES) == {
        "sma_crossover", "rsi_mean_reversion", "bollinger_breakout", "donchian_breakout",
        "macd_trend", "supertrend"}


@pytest.mark.parametrize("name", sorted(EXAMPLE_STRATEGIES))
def test_example_round_trips_through_json_and_trades(name: str, reliance: Bars) -> None:
    spec = EXAMPLE_STRATEGIES[name]
    assert StrategySpec.parse(spec.model_dump_json()) == spec
    assert StrategySpec.parse(json.loads(spec.model_dump_json())) == spec
    result = run_backtest(reliance, spec, config={"costs": "nse_delivery_discount"})
    assert result.metrics["trade_count"] > 5
    assert result.metrics["total_costs_inr"] > 0


def test_lookback_reference_reads_the_earlier_bar(make_bars: Any) -> None:
    # close > close 2 bars ago: true on bars 2 and 3 (100, 101, 103, 102, 101, 101), false
    # on bar 4 (101 < 103) -> enter at bar 3's open, leave at bar 5's open
    bars = make_bars(open_=[100, 101, 103, 102, 101, 101], high=[104] * 6, low=[99] * 6,
                     close=[100, 101, 103, 102, 101, 101])
    spec = StrategySpec.parse({
        "name": "mom", "entry_long": {"op": "gt", "left": "close",
                                      "right": {"ref": "close", "shift": 2}},
        "exit_long": {"op": "not", "arg": {"op": "gt", "left": "close",
                                           "right": {"ref": "close", "shift": 2}}}})
    result = run_backtest(bars, spec, config={"sizing": "fixed_quantity", "size": 1})
    assert [(str(t.entry_time), str(t.exit_time)) for t in result.trades] == [
        ("2024-01-04", "2024-01-06")]


def test_or_and_thresholds_with_parameters(reliance: Bars) -> None:
    spec = StrategySpec.parse({
        "name": "rsi_band", "params": {"lo": 25, "hi": 75},
        "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
        "entry_long": {"op": "or", "args": [{"op": "lt", "left": "rsi", "right": "$lo"},
                                            {"op": "lt", "left": "rsi", "right": 10}]},
        "exit_long": {"op": "ge", "left": "rsi", "right": "$hi"}})
    wide = run_backtest(reliance, spec).metrics["trade_count"]
    narrow = run_backtest(reliance, spec, params={"lo": 15}).metrics["trade_count"]
    assert isinstance(wide, int) and isinstance(narrow, int)
    assert wide > narrow > 0
    assert np.isfinite(run_backtest(reliance, spec).equity).all()
