"""Parameter sweeps and walk-forward optimisation."""

from __future__ import annotations

import json

import numpy as np
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

SMA = EXAMPLE_STRATEGIES["sma_crossover"]
GRID = {"fast": list(range(5, 30, 3)), "slow": list(range(20, 120, 10))}
CFG = BacktestConfig(costs="nse_delivery_discount", stop_loss_pct=8.0, slippage_bps=5.0)


@pytest.fixture(scope="module")
def bars(reliance: Bars) -> Bars:
    return reliance.slice(0, 1500)


def test_every_sweep_row_equals_a_single_backtest(bars: Bars) -> None:
    result = sweep(bars, SMA, GRID, config=CFG, constraints=["fast < slow"])
    for i in (0, result.params.shape[0] // 2, result.params.shape[0] - 1):
        params = dict(zip(result.param_names, result.params[i].tolist(), strict=True))
        single = run_backtest(bars, SMA, config=CFG, params=params).metrics
        for j, name in enumerate(result.metric_names):
            want = single[name]
            got = result.metrics[i, j]
            if want is None:
                assert np.isnan(got), name
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), name


def test_best_is_the_largest_value_of_the_metric(bars: Bars) -> None:
    result = sweep(bars, SMA, GRID, config=CFG, metric="total_return_pct")
    col = result.metrics[:, result.metric_names.index("total_return_pct")]
    assert result.best_index == int(np.nanargmax(col))
    assert result.best_metrics is not None and result.best_params is not None
    assert result.best_metrics["total_return_pct"] == pytest.approx(float(np.nanmax(col)))
    assert set(result.best_params) == {"fast", "slow"}
    json.dumps(result.to_dict(), allow_nan=False)


def test_constraints_filter_combinations(bars: Bars) -> None:
    grid = {"fast": [5, 10, 20], "slow": [10, 20, 30]}
    result = sweep(bars, SMA, grid, constraints=["fast < slow"])
    pairs = {tuple(int(x) for x in row) for row in result.params}
    assert pairs == {(5, 10), (5, 20), (5, 30), (10, 20), (10, 30), (20, 30)}


def test_sweep_over_the_limit_is_refused_with_the_limit(bars: Bars) -> None:
    grid = {"fast": list(range(5, 55)), "slow": list(range(20, 220))}
    with pytest.raises(BadRequest, match="exceed the limit of 5000"):
        sweep(bars, SMA, grid, constraints=["fast < slow"], max_combinations=5000)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"grid": {"fats": [1, 2]}}, r"grid.fats: not a parameter"),
    ({"grid": {"fast": []}}, r"grid.fast: needs at least one value"),
    ({"grid": {"fast": ["ten"]}}, r"grid.fast: values must be numbers"),
    ({"grid": {"fast": [1.5]}}, r"indicators.fast: "),
    ({"constraints": ["fast << slow"]}, r"constraints: 'fast << slow' is not"),
    ({"constraints": ["fast < slwo"]}, r"unknown parameter 'slwo'"),
    ({"metric": "sharpe"}, r"metric: 'sharpe' is not a sweep metric"),
])
def test_sweep_input_errors_name_the_field(bars: Bars, kwargs: dict[str, object],
                                           message: str) -> None:
    args: dict[str, object] = {"grid": {"fast": [5, 10]}, **kwargs}
    grid = args.pop("grid")
    with pytest.raises(BadRequest, match=message):
        sweep(bars, SMA, grid, **args)  # type: ignore[arg-type]


def test_walk_forward_optimises_in_sample_and_stitches_out_of_sample(bars: Bars) -> None:
    result = walk_forward(bars, SMA, GRID, in_sample_bars=500, out_of_sample_bars=250,
                          config=CFG, constraints=["fast < slow"], metric="sharpe_ratio")

    assert len(result.windows) == 4
    assert result.equity.shape == (1000,) and result.ts[0] == bars.ts[500]
    # window 0's in-sample search is exactly a sweep over the first 500 bars
    first = sweep(bars.slice(0, 500), SMA, GRID, config=CFG, constraints=["fast < slow"])
    assert result.windows[0]["best_params"] == {**SMA.params, **first.best_params}
    # the stitched curve compounds the out-of-sample segments
    seg = [1 + w["out_of_sample_return_pct"] / 100 for w in result.windows]
    assert result.metrics["total_return_pct"] == pytest.approx((np.prod(seg) - 1) * 100)
    assert result.metrics["final_equity_inr"] == pytest.approx(result.equity[-1])
    json.dumps(result.to_dict(), allow_nan=False)


def test_walk_forward_windows_must_fit(bars: Bars) -> None:
    with pytest.raises(BadRequest, match="exceeds the 1500 bars"):
        walk_forward(bars, SMA, GRID, in_sample_bars=1400, out_of_sample_bars=200)
