"""What ``chitti warm`` runs: each service code path that reaches a Numba kernel, once, on
made-up data shaped exactly as the services shape theirs (see :mod:`chitti.warmup`).

A kernel is compiled once per signature (argument types, array layouts, read-only or not),
so the data must look like the real thing: bars as the stores return them (read-only,
contiguous float64 columns; ``datetime64[D]`` days or ``datetime64[s]`` instants),
parameters with the types the request schemas give them (JSON numbers: ints where the
catalogue says int, floats in sweep grids), and the same entry points the actions call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

__all__ = ["PARTS", "PRIMES"]


def _walk(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asarray(100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.015, n))), dtype=np.float64)


def _bars(symbol: str, ts: np.ndarray, seed: int, *, warmup: int = 0) -> Any:
    """Bars as the stores return them (read-only float64 columns)."""
    from chitti.marketdata.series import Bars

    close = _walk(ts.shape[0], seed)
    open_ = np.concatenate([[close[0]], close[:-1]])
    spread = np.abs(np.random.default_rng(seed + 1).normal(0.0, 0.01, close.shape[0]))
    high = np.maximum(open_, close) * (1.0 + spread)
    low = np.minimum(open_, close) * (1.0 - spread)
    volume = np.round(np.random.default_rng(seed + 2).uniform(1e4, 1e6, close.shape[0]))
    return Bars(ts=ts, open=open_, high=high, low=low, close=close, volume=volume,
                symbol=symbol, warmup=warmup)


def _days(n: int) -> np.ndarray:
    """``n`` weekdays ending 2024-06-28, as ``datetime64[D]``."""
    days = np.arange(np.datetime64("2019-01-01"), np.datetime64("2024-06-29"))
    weekdays = days[np.is_busday(days)]
    return weekdays[-n:]


def _intraday(sessions: int) -> np.ndarray:
    """5-minute NSE bar times of ``sessions`` weekdays as UTC ``datetime64[s]``."""
    opens = _days(sessions).astype("datetime64[s]") + np.timedelta64(3 * 3600 + 45 * 60, "s")
    steps = np.arange(75) * np.timedelta64(300, "s")
    return np.asarray((opens[:, None] + steps[None, :]).ravel(), dtype="datetime64[s]")


# --- the parts ----------------------------------------------------------------------------


def _indicators() -> None:
    """Every catalogued indicator and candlestick pattern with its default parameters, on
    a stored symbol's bars (the indicator, batch and SMA actions and the rules' door)."""
    from chitti.compute import indicators

    bars = _bars("WARM", _days(400), 1)
    inputs = {"open": bars.open, "high": bars.high, "low": bars.low, "close": bars.close,
              "volume": bars.volume, "periods": np.full(len(bars), 10.0)}
    for spec in indicators.catalog():
        indicators.compute(spec.name, inputs, **spec.resolve({}))
    # inline series arrive as JSON lists (compute/sma, inputs= of compute/indicator)
    indicators.compute("sma", {"close": bars.close.tolist()}, timeperiod=5)


def _backtest() -> None:
    """Every shipped strategy on one symbol, a portfolio, intraday bars with the square-off,
    a sweep and a walk-forward (the backtest and job actions)."""
    from chitti.compute import backtest as bt
    from chitti.compute.service import INTRADAY_DEFAULTS

    days = _days(700)
    daily = {s: _bars(s, days, seed, warmup=100) for seed, s in enumerate(("A", "B", "C"))}
    benchmark = _bars("NIFTY 50", days, 9)
    intraday = _bars("A", _intraday(15), 5)
    intraday_config = {**INTRADAY_DEFAULTS, "periods_per_year": 252 * 75}
    for spec in bt.EXAMPLE_STRATEGIES.values():
        bt.run_backtest(daily["A"], spec, config={}, params={}, benchmark=benchmark)
        bt.run_backtest(intraday, spec, config=intraday_config, params={}, benchmark=None)
        bt.run_portfolio(daily, spec, config={}, params={}, benchmark=benchmark)
        grid = {name: [float(value), float(value) + 1.0] for name, value in spec.params.items()}
        bt.sweep(daily["A"], spec, grid, config={}, metric="sharpe_ratio", constraints=[],
                 max_combinations=1000)
    spec = bt.EXAMPLE_STRATEGIES["sma_crossover"]
    grid = {"fast": [5.0, 10.0], "slow": [20.0, 50.0]}
    bt.sweep(intraday, spec, grid, config=intraday_config, metric="total_return_pct",
             constraints=["fast < slow"], max_combinations=1000)
    bt.walk_forward(daily["A"], spec, grid, in_sample_bars=252, out_of_sample_bars=63,
                    config={}, metric="sharpe_ratio", constraints=["fast < slow"],
                    max_combinations=1000)


def _universe(n_symbols: int, n_days: int) -> Any:
    from chitti.marketdata.panel import PricePanel

    days = _days(n_days)
    bars = {f"S{j}": _bars(f"S{j}", days[j * 3:], 20 + j) for j in range(n_symbols)}
    sectors = {name: ("IT" if j % 2 else "BANK") for j, name in enumerate(bars)}
    return bars, PricePanel.from_bars(bars, benchmark=_bars("NIFTY 50", days, 19),
                                      sectors=sectors)


def _news_items(symbols: Sequence[str], days: np.ndarray) -> Any:
    from chitti.compute.features.news import NewsItems

    rng = np.random.default_rng(7)
    start = datetime.combine(days[0].item(), datetime.min.time(), UTC)
    rows = [{"published_at": start + timedelta(hours=int(h)), "symbol": symbols[k % len(symbols)],
             "score": float(s), "direction": ("bullish", "bearish", "neutral")[k % 3],
             "story": k // 2}
            for k, (h, s) in enumerate(zip(rng.integers(0, 24 * 300, 300),
                                           rng.uniform(-1, 1, 300), strict=True))]
    return NewsItems.from_records(rows)


def _features() -> None:
    """Every feature of the catalogue on a small universe with a benchmark, sectors and
    news (the features action and training)."""
    from chitti.compute import features as feat

    bars, panel = _universe(6, 400)
    feat.compute_features(panel, names=None, news=_news_items(list(bars), panel.dates))
    feat.compute_features(panel, names=["ret_5d", "rsi_14d"], news=None)


def _ml() -> None:
    """A LightGBM training in folds with its baselines and model backtest, then serving the
    stored artefact for one row, a few and many (training and the predict action)."""
    from chitti.compute import ml

    bars, panel = _universe(6, 500)
    rng = np.random.default_rng(3)
    values = rng.normal(size=(panel.dates.size, len(panel.symbols), 4))
    values[rng.uniform(size=values.shape) < 0.05] = np.nan
    report = ml.train(values, panel.close, dates=panel.dates, symbols=panel.symbols,
                      feature_names=["f0", "f1", "f2", "f3"], target="forward_return",
                      horizon_days=5, estimator="lightgbm",
                      params={"num_iterations": 5, "num_leaves": 4, "verbose": -1},
                      n_folds=2, embargo_days=5, seed=0, bars=bars,
                      backtest={"top_k": 2, "config": {"costs": "nse_delivery_discount"}})
    model = ml.from_bytes(ml.to_bytes(report.model))
    rows = np.ascontiguousarray(values.reshape(-1, 4))
    for count in (1, 10, rows.shape[0]):
        model.predict(np.ascontiguousarray(rows[:count]))
    ml.train(values, panel.close, dates=panel.dates, symbols=panel.symbols,
             feature_names=["f0", "f1", "f2", "f3"], target="sign", horizon_days=5,
             estimator="lightgbm", params={"num_iterations": 3, "verbose": -1}, n_folds=2,
             embargo_days=5, seed=0, bars=bars, backtest={"top_k": 2})


def _signals() -> None:
    """Every built-in rule on daily and intraday bars with news and a model series, and a
    screen (generate_signals, the eod_loaded alerts and screen)."""
    from chitti.signals.patterns import evaluate_rules, news_series
    from chitti.signals.rules import BUILTIN_RULES, parse_rule
    from chitti.signals.screen import screen_bars, screen_rule, warm_up
    from chitti.signals.service import model_series

    model_rule = parse_rule({"name": "warm_model", "kind": "model", "direction": "bullish",
                             "condition": {"op": "gt", "left": "ml.warm", "right": 0.0},
                             "explanation": "model"})
    for bars in (_bars("WARM", _days(600), 11), _bars("WARM", _intraday(20), 12)):
        ts = bars.ts
        first = ts[0].astype("datetime64[s]").item().replace(tzinfo=UTC)
        events = [(first + timedelta(days=d, hours=5), ("bullish", "bearish")[d % 2])
                  for d in range(0, 20, 2)]
        day_list = [d.item() for d in np.unique(ts.astype("datetime64[D]"))]
        models = {"ml.warm": model_series(ts, [(d, 0.01 * k) for k, d in enumerate(day_list)])}
        evaluate_rules(bars, [*BUILTIN_RULES, model_rule], news_series=news_series(ts, events),
                       series=models, start_index=len(bars) // 2)
    warm_up()
    screen_bars([_bars("WARM", _days(300), 13)], screen_rule({
        "indicators": {"macd": {"fn": "macd", "params": {}}},
        "condition": {"op": "cross_above", "left": "macd.macd", "right": "macd.macdsignal"}}),
        window=300)


def _news() -> None:
    """The sentiment and direction models (analyze_sentiment and every ingest)."""
    from chitti.news import direction, sentiment

    texts = ["Infosys shares jump after profit beats estimates",
             "SBI falls as bad loans rise; analysts cut targets", "Markets close flat"]
    sentiment.analyze_many(texts)
    sentiment.analyze_many(texts[:1])
    direction.assess_many([(texts[0], "Infosys"), (texts[1], "SBI")])
    direction.assess_many([(texts[0], "Infosys")])


PARTS: dict[str, Callable[[], None]] = {
    "indicators": _indicators,
    "backtest": _backtest,
    "features": _features,
    "ml": _ml,
    "signals": _signals,
    "news": _news,
}


# --- what a service loads at start, from a warm cache ---------------------------------------


def _prime_compute() -> None:
    # Numba's runtime and the catalogue's input checks: what every compute request loads
    from chitti.compute import indicators

    indicators.compute("sma", {"close": np.linspace(100.0, 110.0, 60)}, timeperiod=5)


def _prime_news() -> None:
    # the sentiment and direction weights: what every ingest and NLP request reads
    from chitti.news import direction, sentiment

    sentiment.analyze_many(["Markets close flat", "Net sales rose 5 % ."])
    direction.assess_many([("Infosys shares rise", "Infosys")])


def _prime_signals() -> None:
    # a screen of made-up bars: the rule program, RSI and SMA kernels
    from chitti.signals.screen import warm_up

    warm_up()


#: Loaded by each service right after it starts on a warm cache (a few seconds at most, in
#: the background), so its first request does not pay for Numba's runtime or the models.
PRIMES: dict[str, Callable[[], None]] = {
    "compute": _prime_compute,
    "news-nlp": _prime_news,
    "signal-service": _prime_signals,
}
