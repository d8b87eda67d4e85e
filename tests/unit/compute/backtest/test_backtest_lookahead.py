"""No lookahead: changing prices after bar t never changes a fill or equity value up to t."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chitti.compute.backtest import (
    BacktestConfig,
    BacktestResult,
    Bars,
    Signals,
    StrategySpec,
    run_backtest,
)


def _bars(rng: np.random.Generator, n: int, start: float = 100.0) -> dict[str, np.ndarray]:
    close = start * np.exp(np.cumsum(rng.normal(0.0, 0.03, n)))
    prev = np.concatenate(([start], close[:-1]))
    open_ = prev * np.exp(rng.normal(0.0, 0.015, n))
    high = np.maximum(open_, close) * (1.0 + np.abs(rng.normal(0.0, 0.02, n)))
    low = np.minimum(open_, close) * (1.0 - np.abs(rng.normal(0.0, 0.02, n)))
    return {"open": open_, "high": high, "low": low, "close": close}


def _with_new_future(base: dict[str, np.ndarray], t: int, rng: np.random.Generator
                     ) -> dict[str, np.ndarray]:
    n = base["close"].shape[0]
    future = _bars(rng, n - t - 1, start=float(base["close"][t]) * rng.uniform(0.5, 2.0))
    return {k: np.concatenate((v[:t + 1], future[k])) for k, v in base.items()}


def _to_bars(cols: dict[str, np.ndarray]) -> Bars:
    n = cols["close"].shape[0]
    return Bars(ts=np.arange(np.datetime64("2020-01-01"), np.datetime64("2020-01-01") + n),
                volume=np.zeros(n), **cols)


def _fills_until(result: BacktestResult, day: np.datetime64) -> list[tuple[object, ...]]:
    fills: list[tuple[object, ...]] = []
    for tr in result.trades:
        if tr.entry_time <= day:
            fills.append(("entry", tr.entry_time, tr.direction, tr.quantity, tr.entry_price_inr))
        if tr.exit_time is not None and tr.exit_time <= day:
            fills.append(("exit", tr.exit_time, tr.direction, tr.quantity, tr.exit_price_inr,
                          tr.exit_reason, tr.costs_inr, tr.pnl_inr))
    return sorted(fills, key=repr)


def _spec(fast: int, slow: int, direction: str) -> StrategySpec:
    rules: dict[str, object] = {
        "entry_long": {"op": "cross_above", "left": "fast", "right": "slow"},
        "exit_long": {"op": "cross_below", "left": "fast", "right": "slow"},
    }
    if direction == "both":
        rules["entry_short"] = {"op": "and", "args": [
            {"op": "cross_below", "left": "fast", "right": "slow"},
            {"op": "lt", "left": "close", "right": {"ref": "close", "shift": 2}}]}
        rules["exit_short"] = {"op": "cross_above", "left": "fast", "right": "slow"}
    return StrategySpec.model_validate({
        "name": "prop", "direction": direction, "params": {"fast": fast, "slow": slow},
        "indicators": {"fast": {"fn": "ema", "params": {"timeperiod": "$fast"}},
                       "slow": {"fn": "sma", "params": {"timeperiod": "$slow"}}},
        **rules,
    })


configs = st.builds(
    BacktestConfig,
    fill=st.sampled_from(["next_open", "next_close"]),
    costs=st.sampled_from(["zero", "nse_delivery_discount", "nse_intraday_discount"]),
    sizing=st.sampled_from(["percent_equity", "fixed_quantity", "fixed_cash",
                            "volatility_target"]),
    size=st.floats(1.0, 100.0),
    atr_period=st.integers(2, 5),
    fractional=st.booleans(),
    slippage_bps=st.sampled_from([0.0, 5.0, 25.0]),
    stop_loss_pct=st.one_of(st.none(), st.floats(0.5, 10.0)),
    take_profit_pct=st.one_of(st.none(), st.floats(0.5, 20.0)),
    trailing_stop_pct=st.one_of(st.none(), st.floats(0.5, 10.0)),
    allow_reversal=st.booleans(),
)


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(12, 70), data=st.data(), cfg=configs)
def test_changing_prices_after_t_never_changes_fills_or_equity_up_to_t(
        seed: int, n: int, data: st.DataObject, cfg: BacktestConfig) -> None:
    rng = np.random.default_rng(seed)
    t = data.draw(st.integers(0, n - 2), label="t")
    base = _bars(rng, n)
    changed = _with_new_future(base, t, rng)
    if data.draw(st.booleans(), label="use_spec"):
        fast = data.draw(st.integers(2, 4), label="fast")
        strategy: StrategySpec | Signals = _spec(
            fast, fast + data.draw(st.integers(1, 5), label="gap"),
            data.draw(st.sampled_from(["long", "both"]), label="direction"))
    else:
        strategy = Signals(*(rng.random(n) < 0.2 for _ in range(4)))

    before = run_backtest(_to_bars(base), strategy, config=cfg)
    after = run_backtest(_to_bars(changed), strategy, config=cfg)

    assert np.array_equal(before.equity[:t + 1], after.equity[:t + 1])
    day = before.ts[t]
    assert _fills_until(before, day) == _fills_until(after, day)


def test_the_same_comparison_sees_changes_one_bar_after_t() -> None:
    # Sanity check that the property can fail: holding a position, equity at t+1 must move
    # when prices after t change.
    rng = np.random.default_rng(7)
    base = _bars(rng, 30)
    changed = _with_new_future(base, 10, rng)
    sig = Signals(entry_long=np.arange(30) == 3)
    before = run_backtest(_to_bars(base), sig)
    after = run_backtest(_to_bars(changed), sig)
    assert not np.array_equal(before.equity[:12], after.equity[:12])


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(12, 70), data=st.data(),
       cfg=configs.map(lambda c: c.model_copy(update={
           "fill": "next_open", "stop_loss_pct": None, "take_profit_pct": None,
           "trailing_stop_pct": None})))
def test_next_open_fills_at_t_ignore_bar_t_after_its_open(
        seed: int, n: int, data: st.DataObject, cfg: BacktestConfig) -> None:
    # Intrabar: an order filled at bar t's open may not know bar t's high, low or close.
    rng = np.random.default_rng(seed)
    t = data.draw(st.integers(1, n - 1), label="t")
    base = _bars(rng, n)
    changed = _with_new_future(base, t - 1, rng)
    changed["open"][t] = base["open"][t]
    changed["high"][t] = max(changed["high"][t], changed["open"][t])
    changed["low"][t] = min(changed["low"][t], changed["open"][t])
    fast = data.draw(st.integers(2, 4), label="fast")
    strategy = _spec(fast, fast + data.draw(st.integers(1, 5), label="gap"), "both")

    before = run_backtest(_to_bars(base), strategy, config=cfg)
    after = run_backtest(_to_bars(changed), strategy, config=cfg)

    assert np.array_equal(before.equity[:t], after.equity[:t])
    day = before.ts[t]
    assert _fills_until(before, day) == _fills_until(after, day)
