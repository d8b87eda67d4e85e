"""Model scores -> engine backtest: trades happen exactly on what the scores select."""

from __future__ import annotations

import numpy as np
import pytest

from chitti.compute.backtest import Bars
from chitti.compute.ml import backtest_scores, select_top_k, train
from chitti.errors import BadRequest

from .conftest import FAST_LGB, demo_closes, simple_features, synthetic_panel

N, LATE = 120, 30
SYMBOLS = ("AAA", "BBB", "CCC", "DDD", "EEE", "LATE")
DATES = np.arange(np.datetime64("2020-01-01"), np.datetime64("2020-01-01") + N)


def _bars(seed: int) -> dict[str, Bars]:
    rng = np.random.default_rng(seed)
    out = {}
    for j, sym in enumerate(SYMBOLS):
        start = LATE if sym == "LATE" else 0
        n = N - start
        close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
        open_ = close * (1 + rng.normal(0, 0.002, n))
        out[sym] = Bars(ts=DATES[start:], open=open_, high=np.maximum(open_, close) * 1.01,
                        low=np.minimum(open_, close) * 0.99, close=close,
                        volume=np.full(n, 1e5 + j), symbol=sym)
    return out


def _scores(seed: int) -> np.ndarray:
    s = np.random.default_rng(seed).random((N, len(SYMBOLS)))
    s[:10] = np.nan                                        # scores start on row 10
    s[:LATE, SYMBOLS.index("LATE")] = np.nan
    s[57, 2] = np.nan                                      # a missing score on a rebalance day
    return s


def _reference(scores: np.ndarray, k: int, every: int, threshold: float | None
               ) -> list[tuple[str, np.datetime64, np.datetime64 | None]]:
    """Plain loops: which symbol is bought after which rebalance and sold after which."""
    first = next(t for t in range(N) if np.isfinite(scores[t]).any())
    held: dict[str, np.datetime64] = {}
    trades = []
    for t in range(first, N - 1, every):                   # a signal on the last bar never fills
        ranked = sorted((j for j in range(len(SYMBOLS)) if np.isfinite(scores[t, j])
                         and (threshold is None or scores[t, j] > threshold)),
                        key=lambda j: (-scores[t, j], j))[:k]
        chosen = {SYMBOLS[j] for j in ranked}
        for sym in sorted(set(held) - chosen):
            trades.append((sym, held.pop(sym), DATES[t + 1]))
        for sym in sorted(chosen - set(held)):
            held[sym] = DATES[t + 1]
    trades += [(sym, entry, None) for sym, entry in held.items()]
    return sorted(trades, key=lambda x: (str(x[1]), x[0]))


@pytest.mark.parametrize("k, every, threshold", [(2, 5, None), (3, 7, None), (2, 5, 0.6)])
def test_trades_happen_only_on_the_symbols_and_dates_the_scores_select(
        k: int, every: int, threshold: float | None) -> None:
    scores = _scores(1)
    result = backtest_scores(scores, dates=DATES, symbols=SYMBOLS, bars=_bars(2), top_k=k,
                             rebalance_days=every, threshold=threshold,
                             config={"fractional": True})
    got = sorted(((t.symbol, t.entry_time, t.exit_time) for t in result.trades),
                 key=lambda x: (str(x[1]), x[0]))
    assert got == _reference(scores, k, every, threshold)
    assert result.config.cost_profile.name == "nse_delivery_discount"
    assert (result.metrics["total_costs_inr"] or 0.0) > 0.0


def test_selection_breaks_ties_by_symbol_order_and_skips_nan() -> None:
    scores = np.array([[0.5, 0.9, 0.5, np.nan], [0.1, 0.2, 0.3, 0.4]])
    rebalance, chosen = select_top_k(scores, top_k=2, rebalance_days=1)
    assert rebalance.tolist() == [True, True]
    assert chosen.tolist() == [[True, True, False, False], [False, False, True, True]]


def test_missing_bars_and_bad_top_k_are_refused() -> None:
    bars = _bars(0)
    del bars["CCC"]
    with pytest.raises(BadRequest, match="CCC"):
        backtest_scores(_scores(0), dates=DATES, symbols=SYMBOLS, bars=bars)
    with pytest.raises(BadRequest, match="top_k"):
        select_top_k(_scores(0), top_k=7)


def test_train_backtests_the_model_and_momentum_beside_the_folds() -> None:
    x, close, _, names, _ = synthetic_panel(N, len(SYMBOLS), 4, signal=1.0, seed=3)
    bars = _bars(4)
    for j, sym in enumerate(SYMBOLS):                     # the closes the labels came from
        c = close[:, j][-len(bars[sym]):]
        b = bars[sym]
        bars[sym] = Bars(ts=b.ts, open=c, high=c * 1.01, low=c * 0.99, close=c,
                         volume=b.volume, symbol=sym)
        close[:len(close) - len(c), j] = np.nan
    rep = train(x, close, dates=DATES, symbols=SYMBOLS, feature_names=names, horizon_days=1,
                n_folds=2, params=FAST_LGB, bars=bars,
                backtest={"top_k": 2, "rebalance_days": 1})
    assert set(rep.backtests) == {"model", "momentum_12_1"}
    assert rep.backtests["model"]["trade_count"] > 0
    assert "skipped" in rep.backtests["momentum_12_1"]     # 120 dates < 252 of history
    assert any(line.startswith("backtest model") for line in rep.lines())


def test_train_on_demo_data_backtests_model_and_momentum_with_indian_costs() -> None:
    # 2011-08 .. 2013-06: no split in any of the ten demo stocks (prices are unadjusted).
    closes = demo_closes().loc["2011-08-01":"2013-06-28"]
    close = closes.to_numpy()
    x, names = simple_features(close)
    dates = closes.index.to_numpy().astype("datetime64[D]")
    symbols = tuple(closes.columns)
    bars = {}
    for j, sym in enumerate(symbols):
        c = close[:, j]
        bars[sym] = Bars(ts=dates, open=c, high=c, low=c, close=c, volume=np.ones(c.size),
                         symbol=sym)
    rep = train(x, close, dates=dates, symbols=symbols, feature_names=names, n_folds=3,
                params=FAST_LGB, bars=bars, backtest={"top_k": 3})
    assert set(rep.baselines) == {"momentum_12_1", "reversal_5d"}
    assert [r.fold for r in rep.baselines["reversal_5d"]] == [0, 1, 2, None]
    assert [(r.test_start, r.test_end) for r in rep.baselines["momentum_12_1"]] == [
        (r.test_start, r.test_end) for r in rep.folds]
    for name in ("model", "momentum_12_1"):
        metrics = rep.backtests[name]
        assert metrics["trade_count"] > 0 and (metrics["total_costs_inr"] or 0) > 0
    text = "\n".join(rep.lines())
    assert "momentum_12_1" in text and "reversal_5d" in text
