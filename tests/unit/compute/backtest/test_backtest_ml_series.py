"""A strategy whose rules read a model's predictions (``ml.<model>``): a backtest of the spec
trades exactly as a backtest of reference signals (TA-Lib RSI and the predictions), and a
sweep over its threshold matches single backtests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import talib

from chitti.compute.backtest import BacktestConfig, Bars, Signals, run_backtest, sweep
from chitti.errors import BadRequest

SPEC: dict[str, Any] = {
    "name": "model_entry", "params": {"threshold": 0.6},
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
    "entry_long": {"op": "and", "args": [
        {"op": "gt", "left": "ml.demo_model", "right": "$threshold"},
        {"op": "lt", "left": "rsi", "right": 40}]},
    "exit_long": {"op": "lt", "left": "ml.demo_model", "right": 0.3},
}
CFG = BacktestConfig(costs="nse_delivery_discount")


@pytest.fixture(scope="module")
def bars_and_scores(reliance: Bars) -> tuple[Bars, np.ndarray]:
    bars = reliance.slice(0, 1200)
    rng = np.random.default_rng(3)
    scores = rng.uniform(0.0, 1.0, len(bars))
    scores[rng.uniform(0.0, 1.0, len(bars)) < 0.1] = np.nan   # bars without a prediction
    return bars, scores


def _reference(bars: Bars, scores: np.ndarray, threshold: float) -> Signals:
    rsi = talib.RSI(bars.close, timeperiod=14)
    with np.errstate(invalid="ignore"):
        return Signals(entry_long=(scores > threshold) & (rsi < 40), exit_long=scores < 0.3)


def test_backtest_of_a_spec_reading_a_model_equals_one_of_reference_signals(
        bars_and_scores: tuple[Bars, np.ndarray]) -> None:
    bars, scores = bars_and_scores
    got = run_backtest(bars, SPEC, config=CFG, series={"ml.demo_model": scores})
    want = run_backtest(bars, _reference(bars, scores, 0.6), config=CFG)
    assert got.metrics["trade_count"] == want.metrics["trade_count"] > 5
    np.testing.assert_array_equal(got.equity, want.equity)
    assert [t.entry_time for t in got.trades] == [t.entry_time for t in want.trades]


def test_sweep_over_a_model_threshold_equals_single_backtests(
        bars_and_scores: tuple[Bars, np.ndarray]) -> None:
    bars, scores = bars_and_scores
    result = sweep(bars, SPEC, {"threshold": [0.5, 0.7, 0.9]}, config=CFG,
                   metric="total_return_pct", series={"ml.demo_model": scores})
    col = result.metric_names.index("total_return_pct")
    for i, threshold in enumerate(result.params[:, 0].tolist()):
        want = run_backtest(bars, _reference(bars, scores, threshold), config=CFG)
        assert result.metrics[i, col] == pytest.approx(want.metrics["total_return_pct"],
                                                       rel=1e-9, abs=1e-9)


def test_a_backtest_without_the_predictions_names_the_missing_series(
        bars_and_scores: tuple[Bars, np.ndarray]) -> None:
    bars, _ = bars_and_scores
    with pytest.raises(BadRequest, match=r"series\.ml\.demo_model: no values were supplied"):
        run_backtest(bars, SPEC)
