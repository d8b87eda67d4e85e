"""Model scores -> long-only holdings -> a backtest through the engine, with Indian costs.

Every ``rebalance_days`` rows (from the first date with a finite score) the portfolio is
re-chosen: the ``top_k`` symbols by score (ties go to the symbol listed first), optionally
only those scoring above ``threshold``. A symbol chosen gets an entry signal at that
date's close and a symbol not chosen an exit signal, so the engine (signal at t's close,
fill at t+1's open) sells what dropped out and buys what came in; a symbol that stays in
is left alone. Sizing defaults to equal weights: ``percent_equity`` at ``100 / top_k`` %
of equity per entry with at most ``top_k`` positions, costs ``nse_delivery_discount``.

Scores are read as of their date's close, so this is as honest as the scores are: pass
out-of-sample scores (``TrainReport.oos_scores``), never in-sample fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chitti.compute.backtest import BacktestResult, Bars, Signals, run_portfolio
from chitti.errors import BadRequest

DEFAULT_COSTS = "nse_delivery_discount"


def select_top_k(scores: np.ndarray, *, top_k: int, threshold: float | None = None,
                 rebalance_days: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(rebalance, chosen)``: the rebalance rows and what each one holds.

    Parameters
    ----------
    scores
        ``(n_dates, n_symbols)``; NaN = no score (never chosen).
    top_k
        Symbols held after each rebalance (fewer when fewer have a score).
    threshold
        Also require ``score > threshold`` (e.g. 0.5 for a sign model's probability).
    rebalance_days
        Rows between rebalances, counted from the first row with any finite score.

    Returns
    -------
    rebalance : numpy.ndarray
        bool ``(n_dates,)``, True on rebalance rows.
    chosen : numpy.ndarray
        bool ``(n_dates, n_symbols)``, the symbols chosen on each rebalance row (all False
        on other rows).
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise BadRequest(f"scores: shape {s.shape}; expected (n_dates, n_symbols)")
    if top_k < 1 or top_k > s.shape[1]:
        raise BadRequest(f"top_k: {top_k}; give 1..{s.shape[1]} (the number of symbols)")
    if rebalance_days < 1:
        raise BadRequest(f"rebalance_days: {rebalance_days}; give a whole number >= 1")
    rebalance = np.zeros(s.shape[0], dtype=np.bool_)
    chosen = np.zeros(s.shape, dtype=np.bool_)
    scored = np.isfinite(s)
    if not scored.any():
        return rebalance, chosen
    first = int(np.argmax(scored.any(axis=1)))
    rebalance[first::rebalance_days] = True
    rows = np.nonzero(rebalance)[0]
    ok = scored[rows] if threshold is None else scored[rows] & (s[rows] > threshold)
    key = np.where(ok, -s[rows], np.inf)              # best first; unscored last
    order = np.argsort(key, axis=1, kind="stable")[:, :top_k]
    pick = np.zeros((rows.size, s.shape[1]), dtype=np.bool_)
    np.put_along_axis(pick, order, True, axis=1)
    chosen[rows] = pick & ok
    return rebalance, chosen


def _symbol_signals(bars: Bars, dates: np.ndarray, rebalance: np.ndarray,
                    chosen: np.ndarray) -> Signals:
    # Entries need a bar on the rebalance date itself; an exit on a date without a bar
    # moves to the symbol's next bar.
    n = len(bars)
    ts = bars.ts.astype("datetime64[D]")
    entry = np.zeros(n, dtype=np.bool_)
    exit_ = np.zeros(n, dtype=np.bool_)
    rows = np.nonzero(rebalance)[0]
    pos = np.searchsorted(ts, dates[rows])
    inside = pos < n
    exact = inside & (ts[np.minimum(pos, n - 1)] == dates[rows])
    entry[pos[exact & chosen[rows]]] = True
    exit_[pos[inside & ~chosen[rows]]] = True
    exit_ &= ~entry
    return Signals(entry_long=entry, exit_long=exit_)


def _from(bars: Bars, start: np.datetime64) -> Bars | None:
    first = int(np.searchsorted(bars.ts.astype("datetime64[D]"), start))
    if first >= len(bars):
        return None
    return Bars(ts=bars.ts, open=bars.open, high=bars.high, low=bars.low, close=bars.close,
                volume=bars.volume, symbol=bars.symbol, warmup=first)


def backtest_scores(scores: np.ndarray, *, dates: np.ndarray, symbols: tuple[str, ...],
                    bars: Mapping[str, Bars], top_k: int = 5, threshold: float | None = None,
                    rebalance_days: int = 5, config: Mapping[str, Any] | None = None,
                    benchmark: Bars | None = None) -> BacktestResult:
    """Backtest holding the top-k symbols by score (see the module docstring).

    Parameters
    ----------
    scores
        ``(n_dates, n_symbols)`` on ``dates`` (``datetime64[D]``) x ``symbols``.
    bars
        Each symbol's daily bars (adjusted, as the scores were computed on).
    top_k, threshold, rebalance_days
        As in :func:`select_top_k`.
    config
        :class:`~chitti.compute.backtest.BacktestConfig` fields overriding the defaults
        (costs ``nse_delivery_discount``, ``percent_equity`` sizing at ``100 / top_k``,
        ``max_positions = top_k``).
    benchmark
        Bars of the benchmark (NIFTY 50) for alpha and beta.

    Returns
    -------
    BacktestResult
        From the first scored date to the end of the bars.
    """
    day = np.asarray(dates).astype("datetime64[D]")
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != (day.size, len(symbols)):
        raise BadRequest(f"scores: shape {s.shape} differs from (dates, symbols) "
                         f"{(day.size, len(symbols))}")
    missing = [sym for sym in symbols if sym not in bars]
    if missing:
        raise BadRequest(f"bars: no bars for {', '.join(missing[:5])}; pass bars for every "
                         "symbol of the score panel")
    rebalance, chosen = select_top_k(s, top_k=top_k, threshold=threshold,
                                     rebalance_days=rebalance_days)
    if not rebalance.any():
        raise BadRequest("scores: no finite score on any date; nothing to backtest")
    start = day[int(np.argmax(rebalance))]
    run_bars: dict[str, Bars] = {}
    signals: dict[str, Signals] = {}
    for j, sym in enumerate(symbols):
        b = _from(bars[sym], start)
        if b is None:
            continue
        run_bars[sym] = b
        signals[sym] = _symbol_signals(b, day, rebalance, chosen[:, j])
    if not run_bars:
        raise BadRequest(f"bars: no symbol has bars on or after {start}; load market data")
    cfg: dict[str, Any] = {"costs": DEFAULT_COSTS, "sizing": "percent_equity",
                           "size": 100.0 / top_k, "max_positions": top_k}
    cfg.update(config or {})
    return run_portfolio(run_bars, signals, config=cfg, benchmark=benchmark)
