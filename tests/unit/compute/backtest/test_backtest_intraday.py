"""Intraday backtests on the shipped TCS 5-minute bars: with a square-off no position is
ever held past 15:20 IST or overnight; without one, positions do cross the night (so the
check can fail)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chitti.compute.backtest import (
    EXAMPLE_STRATEGIES,
    BacktestConfig,
    Bars,
    run_backtest,
    sweep,
    walk_forward,
)
from chitti.errors import BadRequest

DEMO = Path(__file__).resolve().parents[4] / "data" / "demo"
SMA = EXAMPLE_STRATEGIES["sma_crossover"]
PARAMS = {"fast": 5, "slow": 20}


@lru_cache(maxsize=1)
def tcs_5m() -> Bars:
    frame = pd.read_csv(DEMO / "TCS_5min_2023-07_2024-06.csv.gz")
    instants = pd.to_datetime(frame.date).dt.tz_convert("UTC").dt.tz_localize(None)
    return Bars(ts=instants.to_numpy(dtype="datetime64[s]"), open=frame.open.to_numpy(),
                high=frame.high.to_numpy(), low=frame.low.to_numpy(),
                close=frame.close.to_numpy(), volume=frame.volume.to_numpy(float),
                symbol="TCS")


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text)


def overnight(trades: list[dict[str, object]]) -> list[dict[str, object]]:
    return [t for t in trades if t["exit_time"] is None
            or ist(str(t["entry_time"])).date() != ist(str(t["exit_time"])).date()]


@pytest.mark.parametrize("fill", ["next_open", "next_close"])
def test_square_off_closes_every_position_by_1520_ist(fill: str) -> None:
    config = BacktestConfig(square_off_ist="15:20", fill=fill, costs="nse_intraday_discount")
    result = run_backtest(tcs_5m(), SMA, params=PARAMS, config=config).to_dict()
    trades = result["trades"]
    assert len(trades) > 500 and overnight(trades) == []
    for trade in trades:
        exit_time = ist(str(trade["exit_time"]))
        # a next_open fill happens at its bar's opening time; a next_close fill at its
        # bar's closing time, five minutes after the bar's stamp
        done = exit_time.hour * 60 + exit_time.minute + (5 if fill == "next_close" else 0)
        assert done <= 15 * 60 + 20, trade
        entered = ist(str(trade["entry_time"]))
        assert entered.hour * 60 + entered.minute < 15 * 60 + 20, trade
    assert result["equity_curve"]["ts"][0] == "2023-07-03T09:15:00+05:30"


def test_without_square_off_positions_are_held_overnight() -> None:
    result = run_backtest(tcs_5m(), SMA, params=PARAMS).to_dict()
    assert len(overnight(result["trades"])) > 50


def test_sweep_and_walk_forward_square_off_too() -> None:
    config = BacktestConfig(square_off_ist="15:20", costs="nse_intraday_discount")
    grid = {"fast": [5, 10], "slow": [20, 40]}
    swept = sweep(tcs_5m(), SMA, grid, config=config, metric="total_return_pct")
    direct = [run_backtest(tcs_5m(), SMA, params={"fast": f, "slow": s}, config=config)
              .metrics["total_return_pct"] for f in (5, 10) for s in (20, 40)]
    column = swept.metric_names.index("total_return_pct")
    np.testing.assert_allclose(swept.metrics[:, column], direct, rtol=1e-9)
    forward = walk_forward(tcs_5m(), SMA, grid, in_sample_bars=3000, out_of_sample_bars=1500,
                           config=config).to_dict()
    # a position open when an out-of-sample window ends is valued there ("open"), and the
    # next window starts flat: it is not carried either
    closed = [t for t in forward["trades"] if t["exit_reason"] != "open"]
    assert closed and overnight(closed) == []


def test_square_off_on_daily_bars_is_refused(reliance: Bars) -> None:
    with pytest.raises(BadRequest, match="square_off_ist: applies to intraday bars only"):
        run_backtest(reliance, SMA, config={"square_off_ist": "15:20"})
